//! Rhai bindings for the h5 layer: `h5(path)` files, groups and lazy datasets (indexing
//! and slicing read only the selected hyperslab), attributes as script values, frame
//! stacks (`frames`, `.gray()`, `.normalized()`) and `activity`. Registration and help
//! text live together.

use rhai::{Dynamic, Engine, EvalAltResult, Map, INT};

type ExclusiveRange = std::ops::Range<INT>;
type InclusiveRange = std::ops::RangeInclusive<INT>;

use super::conv::{check_keys, num, opt_f64};
use super::help::FnDoc;
use super::IntoRhai;
use crate::array::reduce::{Red, Scalar};
use crate::array::select::item;
use crate::array::{Array, DType};
use crate::h5::browse::dataset_line;
use crate::h5::frames::{activity, ActivityOpts, Frames, Roi};
use crate::h5::{stream, H5Dataset, H5File, H5Group, Node, Sel};
use crate::output::table::Table;

type RResult<T> = Result<T, Box<EvalAltResult>>;

fn rerr(msg: String) -> Box<EvalAltResult> {
    msg.into()
}

/// Help for every function this module registers.
pub const DOCS: &[FnDoc] = &[
    FnDoc {
        name: "h5",
        sig: "h5(path) -> H5File",
        doc: "Open an HDF5 file read-only. Only the header is read; objects are opened when \
indexed. A damaged, truncated or non-HDF5 file is refused with an error naming the file and \
carrying the HDF5 library's message. Every Array function and operator also takes a \
dataset directly: the reductions (`sum min max mean std count argmin argmax any all`, whole \
or along an axis) stream it in blocks of chunks, so they work on datasets of any size with \
memory bounded by the budget; `d.head(n)`, `d.tail(n)` and slicing read only their rows; \
other functions (`d > 0`, `d[mask]`, `sort(d)`, `hist(d, ...)`) \
read it first (refused, naming the budget, when it does not fit).\nExample: \
`let f = h5(\"stack.h5\"); f.tree(); f[\"data\"].mean(0)`",
    },
    FnDoc {
        name: "tree",
        sig: "f.tree() -> string",
        doc: "A listing of every group and dataset: dtype (with BE for big-endian storage), \
shape, layout, chunk shape, filters (unavailable ones marked UNAVAILABLE) and stored \
(compressed) size. Soft, external and user-defined links are shown, not followed; objects \
that cannot be opened are listed with the reason.",
    },
    FnDoc {
        name: "attrs",
        sig: "f.attrs / g.attrs / d.attrs -> map",
        doc: "The attributes of the root group, a group or a dataset as a map: numbers and \
strings as script values, string arrays as lists, other arrays as Arrays. An attribute \
that cannot be read holds a string starting with `error:`.",
    },
    FnDoc {
        name: "keys",
        sig: "f.keys() / g.keys() -> array of strings",
        doc: "Member names of the root group or a group, in name order.",
    },
    FnDoc {
        name: "path",
        sig: "f.path / g.path / d.path -> string",
        doc: "The file path (for a file) or the object's path inside the file.",
    },
    FnDoc {
        name: "read",
        sig: "d.read() -> Array / st.read([t0, t1]) -> Array",
        doc: "Read a whole dataset (or frames t0..t1 of a stack, transforms applied) into an \
Array. Chunked deflate/shuffle datasets are decompressed in parallel outside the HDF5 lock; \
reads larger than the memory budget are refused with a hint to slice.",
    },
    FnDoc {
        name: "slice",
        sig: "d.slice(sel) -> Array",
        doc: "Read a hyperslab: `sel` has one entry per axis: an integer (index, axis dropped), \
a range `a..b`, `()` for the whole axis, or `[start, end, step]` (`()` for a missing end). \
Only the selected elements are read.\nExample: `d.slice([0..10, (), [0, (), 2]])`",
    },
    FnDoc {
        name: "shape",
        sig: "d.shape / st.shape -> array of ints",
        doc: "Dataset shape (sub-array element axes appended), or the stack's (T,H,W[,C]) \
after its transforms.",
    },
    FnDoc {
        name: "dtype",
        sig: "d.dtype / st.dtype -> string",
        doc: "The NumPy-style element type reads give (`uint8`, `[('a', 'int8'), ...]`, `|S5`), \
or for datasets evsh cannot read, the HDF5 type with the reason.",
    },
    FnDoc {
        name: "ndim",
        sig: "d.ndim -> int",
        doc: "Number of axes of `d.shape`.",
    },
    FnDoc {
        name: "len",
        sig: "d.len / st.len -> int",
        doc: "Length of the first axis (frames of a stack); 1 for scalars.",
    },
    FnDoc {
        name: "chunks",
        sig: "d.chunks -> array of ints or ()",
        doc: "Chunk shape of a chunked dataset, `()` otherwise.",
    },
    FnDoc {
        name: "filters",
        sig: "d.filters -> array of strings",
        doc: "Filter names in pipeline order (`deflate`, `shuffle`, `lzf`, ...); a filter the \
library does not have is suffixed ` (unavailable)` and reading the dataset is refused naming it.",
    },
    FnDoc {
        name: "layout",
        sig: "d.layout -> string",
        doc: "`contiguous`, `chunked`, `compact`, `virtual` or `external`.",
    },
    FnDoc {
        name: "storage_size",
        sig: "d.storage_size -> int",
        doc: "Bytes the dataset occupies in the file (compressed size for chunked data).",
    },
    FnDoc {
        name: "fields",
        sig: "d.fields -> array of strings",
        doc: "Field names of a compound dataset (empty for others). `d[\"name\"]` reads one \
field as a column Array.",
    },
    FnDoc {
        name: "size",
        sig: "d.size / d.nbytes -> int",
        doc: "Number of elements and their bytes in memory, from the header (nothing read).",
    },
    FnDoc {
        name: "nbytes",
        sig: "d.nbytes -> int",
        doc: "Bytes the whole dataset takes in memory once read (itemsize × size).",
    },
    FnDoc {
        name: "frames",
        sig: "frames(source) -> Frames",
        doc: "A lazy frame stack from a (T,H,W) or (T,H,W,C) dataset, a group of one (H,W[,C]) \
dataset per frame (in key order), or an in-memory Array. `st[i]` is frame i, `st.read()` \
the whole stack.\nExample: `let st = frames(f[\"frames\"]).gray().normalized();`",
    },
    FnDoc {
        name: "gray",
        sig: "st.gray() -> Frames",
        doc: "The stack converted to gray with the ITU-R 601 weights 0.299 R + 0.587 G + \
0.114 B; integer frames are rounded as OpenCV's cvtColor does ((4899 R + 9617 G + 1868 B + \
8192) >> 14), keeping their dtype.",
    },
    FnDoc {
        name: "normalized",
        sig: "st.normalized() -> Frames",
        doc: "The stack scaled to [0, 1] as float32: uint8 / 255, uint16 / 65535 (float frames \
are kept as they are).",
    },
    FnDoc {
        name: "activity",
        sig: "activity(stack, rois, [opts]) -> Table",
        doc: "Per ROI and per consecutive frame pair, the sum over the ROI's pixels of \
|f[t+1] - f[t]| (on the stack's transformed values). `rois` is a list of circles \
`#{x, y, r}` (column, row, radius in pixels) and/or (H,W) mask Arrays. Options: `interval` \
(seconds between frames, default 1.0), `start` (time of frame 0, default 0.0). The table has \
columns `time` (start + t × interval), `roi_1` … `roi_n`, and a footer with frames/s. The \
stack is streamed block by block (memory bounded by the budget, chunks decompressed in \
parallel, differences across block borders kept).\nExample: \
`activity(st, [#{x: 100, y: 120, r: 30}], #{interval: 5.0, start: 0.0})`",
    },
];

fn scalar_dyn(s: Scalar) -> Dynamic {
    match s {
        Scalar::Int(i) => Dynamic::from(i),
        Scalar::Float(f) => Dynamic::from(f),
        Scalar::Bool(b) => Dynamic::from(b),
        Scalar::Str(s) => Dynamic::from(s),
    }
}

fn is_string(d: &DType) -> bool {
    matches!(d, DType::Bytes(_) | DType::Unicode(_))
}

/// An attribute value as a script value (see the `attrs` doc).
fn attr_dyn(v: crate::error::Result<Array>) -> Dynamic {
    match v {
        Err(e) => Dynamic::from(format!("error: {e}")),
        Ok(a) => {
            let d = a.dtype().clone();
            if a.size() == 1 && is_string(&d) {
                return Dynamic::from(
                    crate::array::strings::string_at_lossy(&a, 0).unwrap_or_default(),
                );
            }
            if a.size() == 1 && d.is_numeric() && !d.is_complex() {
                if let Ok(s) = item(&a) {
                    return scalar_dyn(s);
                }
            }
            if is_string(&d) {
                let mut out = rhai::Array::new();
                for i in 0..a.size().min(100_000) {
                    out.push(Dynamic::from(
                        crate::array::strings::string_at_lossy(&a, i).unwrap_or_default(),
                    ));
                }
                return Dynamic::from(out);
            }
            Dynamic::from(a)
        }
    }
}

fn attrs_map(
    list: crate::error::Result<Vec<(String, crate::error::Result<Array>)>>,
) -> RResult<Map> {
    let mut m = Map::new();
    for (k, v) in list.rh()? {
        m.insert(k.into(), attr_dyn(v));
    }
    Ok(m)
}

fn node_dyn(n: Node) -> Dynamic {
    match n {
        Node::Group(g) => Dynamic::from(g),
        Node::Dataset(d) => Dynamic::from(d),
        Node::Datatype(s) => Dynamic::from(format!("committed datatype {s}")),
    }
}

fn ints(v: &[usize]) -> rhai::Array {
    v.iter().map(|&x| Dynamic::from(x as INT)).collect()
}

fn dataset_dtype(d: &H5Dataset) -> String {
    match &d.info().dtype {
        Ok((dt, _)) => dt.name(),
        Err(why) => format!("{} (unreadable: {why})", d.info().type_desc),
    }
}

fn read_index(d: &H5Dataset, i: INT) -> RResult<Array> {
    let dims = d.dims().rh()?;
    if dims.is_empty() {
        return Err(rerr(format!(
            "{}: a scalar dataset cannot be indexed; use d.read()",
            d.what()
        )));
    }
    let mut s = Sel::all(&dims);
    s.axis_index(0, dims[0], i)
        .map_err(|e| rerr(format!("{}: {e}", d.what())))?;
    d.read_sel(&s).rh()
}

fn read_range(d: &H5Dataset, a: Option<INT>, b: Option<INT>) -> RResult<Array> {
    let dims = d.dims().rh()?;
    if dims.is_empty() {
        return Err(rerr(format!(
            "{}: a scalar dataset cannot be sliced; use d.read()",
            d.what()
        )));
    }
    let mut s = Sel::all(&dims);
    s.axis_slice(0, dims[0], a, b, 1).rh()?;
    d.read_sel(&s).rh()
}

fn opt_int(v: &Dynamic, what: &str) -> RResult<Option<INT>> {
    if v.is_unit() {
        return Ok(None);
    }
    v.as_int()
        .map(Some)
        .map_err(|t| rerr(format!("{what}: expected an integer or (), found {t}")))
}

fn read_slice(d: &H5Dataset, sel: rhai::Array) -> RResult<Array> {
    let dims = d.dims().rh()?;
    if sel.len() > dims.len() {
        return Err(rerr(format!(
            "{}: {} selection entries for {} axes",
            d.what(),
            sel.len(),
            dims.len()
        )));
    }
    let mut s = Sel::all(&dims);
    for (ax, item) in sel.iter().enumerate() {
        if item.is_unit() {
            continue;
        }
        if let Ok(i) = item.as_int() {
            s.axis_index(ax, dims[ax], i).rh()?;
        } else if let Some(r) = item.clone().try_cast::<ExclusiveRange>() {
            s.axis_slice(ax, dims[ax], Some(r.start), Some(r.end), 1)
                .rh()?;
        } else if let Some(r) = item.clone().try_cast::<InclusiveRange>() {
            s.axis_slice(ax, dims[ax], Some(*r.start()), Some(*r.end() + 1), 1)
                .rh()?;
        } else if let Some(l) = item.clone().try_cast::<rhai::Array>() {
            let get = |k: usize| l.get(k).cloned().unwrap_or(Dynamic::UNIT);
            let a = opt_int(&get(0), "slice start")?;
            let b = opt_int(&get(1), "slice end")?;
            let st = opt_int(&get(2), "slice step")?.unwrap_or(1);
            s.axis_slice(ax, dims[ax], a, b, st).rh()?;
        } else {
            return Err(rerr(format!(
                "slice: axis {ax}: expected an integer, a range, () or [start, end, step], found {}",
                item.type_name()
            )));
        }
    }
    d.read_sel(&s).rh()
}

fn read_field(d: &H5Dataset, name: &str) -> RResult<Array> {
    match &d.info().dtype {
        Ok((DType::Struct(_), _)) => {
            let a = d.read().rh()?;
            a.field(name).rh()
        }
        _ => Err(rerr(format!(
            "{}: not a compound dataset, so it has no field '{name}' (index rows with d[i] or d[a..b])",
            d.what()
        ))),
    }
}

fn parse_rois(v: rhai::Array) -> RResult<Vec<Roi>> {
    let mut out = vec![];
    for (i, r) in v.into_iter().enumerate() {
        if let Some(m) = r.clone().try_cast::<Map>() {
            check_keys(&m, &["x", "y", "r"], "activity ROI")?;
            let get = |k: &str| -> RResult<f64> {
                match m.get(k) {
                    Some(v) => num(v, k),
                    None => Err(rerr(format!(
                        "activity: ROI {} needs '{k}' (circle #{{x, y, r}})",
                        i + 1
                    ))),
                }
            };
            out.push(Roi::Circle {
                x: get("x")?,
                y: get("y")?,
                r: get("r")?,
            });
        } else if let Some(a) = r.clone().try_cast::<Array>() {
            out.push(Roi::Mask(a));
        } else {
            return Err(rerr(format!(
                "activity: ROI {} must be a circle #{{x, y, r}} or a mask Array, found {}",
                i + 1,
                r.type_name()
            )));
        }
    }
    Ok(out)
}

fn activity_opts(m: &Map) -> RResult<ActivityOpts> {
    check_keys(m, &["interval", "start"], "activity")?;
    let mut o = ActivityOpts::default();
    if let Some(v) = opt_f64(m, "interval")? {
        o.interval = v;
    }
    if let Some(v) = opt_f64(m, "start")? {
        o.start = v;
    }
    Ok(o)
}

fn frames_dyn_display(st: &Frames) -> String {
    let mut t = vec![];
    if st.gray {
        t.push("gray");
    }
    if st.normalized {
        t.push("normalized");
    }
    format!(
        "Frames {:?} {} of {}{}",
        st.shape(),
        st.out_dtype().name(),
        st.name(),
        if t.is_empty() {
            String::new()
        } else {
            format!(" [{}]", t.join(", "))
        }
    )
}

/// Register this module's types and functions.
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<H5File>("H5File");
    engine.register_type_with_name::<H5Group>("H5Group");
    engine.register_type_with_name::<H5Dataset>("H5Dataset");
    engine.register_type_with_name::<Frames>("Frames");

    engine.register_fn("h5", |path: &str| -> RResult<H5File> {
        let _s = crate::prof::span("h5");
        H5File::open(path).rh()
    });

    // ---- files
    engine.register_fn("to_string", |f: &mut H5File| format!("H5File {}", f.name()));
    engine.register_fn("to_debug", |f: &mut H5File| format!("H5File {}", f.name()));
    engine.register_fn("tree", |f: &mut H5File| -> RResult<String> {
        f.tree().rh()
    });
    engine.register_get("attrs", |f: &mut H5File| -> RResult<Map> {
        attrs_map(f.attrs())
    });
    engine.register_get("path", |f: &mut H5File| f.name());
    engine.register_fn("keys", |f: &mut H5File| -> RResult<rhai::Array> {
        let g = f.root().rh()?;
        Ok(g.keys().rh()?.into_iter().map(Dynamic::from).collect())
    });
    engine.register_indexer_get(|f: &mut H5File, path: &str| -> RResult<Dynamic> {
        Ok(node_dyn(f.get(path).rh()?))
    });

    // ---- groups
    engine.register_fn("to_string", |g: &mut H5Group| {
        format!("H5Group {} in {}", g.path(), g.file().name())
    });
    engine.register_fn("to_debug", |g: &mut H5Group| {
        format!("H5Group {} in {}", g.path(), g.file().name())
    });
    engine.register_get("attrs", |g: &mut H5Group| -> RResult<Map> {
        attrs_map(g.attrs())
    });
    engine.register_get("path", |g: &mut H5Group| g.path().to_string());
    engine.register_fn("keys", |g: &mut H5Group| -> RResult<rhai::Array> {
        Ok(g.keys().rh()?.into_iter().map(Dynamic::from).collect())
    });
    engine.register_indexer_get(|g: &mut H5Group, name: &str| -> RResult<Dynamic> {
        Ok(node_dyn(g.get(name).rh()?))
    });

    // ---- datasets
    engine.register_fn("to_string", |d: &mut H5Dataset| {
        format!("H5Dataset {}  {}", d.path(), dataset_line(d))
    });
    engine.register_fn("to_debug", |d: &mut H5Dataset| {
        format!("H5Dataset {}  {}", d.path(), dataset_line(d))
    });
    engine.register_get("attrs", |d: &mut H5Dataset| -> RResult<Map> {
        attrs_map(d.attrs())
    });
    engine.register_get("path", |d: &mut H5Dataset| d.path().to_string());
    engine.register_get("shape", |d: &mut H5Dataset| -> RResult<rhai::Array> {
        Ok(ints(&d.shape().rh()?))
    });
    engine.register_get("ndim", |d: &mut H5Dataset| -> RResult<INT> {
        Ok(d.shape().rh()?.len() as INT)
    });
    engine.register_get("len", |d: &mut H5Dataset| -> RResult<INT> {
        Ok(d.shape().rh()?.first().copied().unwrap_or(1) as INT)
    });
    engine.register_get("dtype", |d: &mut H5Dataset| dataset_dtype(d));
    engine.register_get("chunks", |d: &mut H5Dataset| -> Dynamic {
        match &d.info().chunks {
            Some(c) => Dynamic::from(ints(c)),
            None => Dynamic::UNIT,
        }
    });
    engine.register_get("filters", |d: &mut H5Dataset| -> rhai::Array {
        d.info()
            .filters
            .iter()
            .map(|f| {
                Dynamic::from(if f.available {
                    f.name.clone()
                } else {
                    format!("{} (unavailable)", f.name)
                })
            })
            .collect()
    });
    engine.register_get("layout", |d: &mut H5Dataset| {
        d.info().layout.name().to_string()
    });
    engine.register_get("storage_size", |d: &mut H5Dataset| {
        d.info().storage_size as INT
    });
    engine.register_get("fields", |d: &mut H5Dataset| -> rhai::Array {
        match &d.info().dtype {
            Ok((DType::Struct(s), _)) => s
                .fields
                .iter()
                .map(|f| Dynamic::from(f.name.clone()))
                .collect(),
            _ => rhai::Array::new(),
        }
    });
    engine.register_get("size", |d: &mut H5Dataset| -> RResult<INT> {
        Ok(d.shape().rh()?.iter().product::<usize>() as INT)
    });
    engine.register_get("nbytes", |d: &mut H5Dataset| -> RResult<INT> {
        let n: usize = d.shape().rh()?.iter().product();
        Ok((n * d.plan().rh()?.dtype.itemsize()) as INT)
    });
    engine.register_fn("read", |d: &mut H5Dataset| -> RResult<Array> {
        d.read().rh()
    });
    // Reductions stream the dataset block by block (any size, memory bounded).
    for r in Red::ALL {
        engine.register_fn(r.name(), move |d: &mut H5Dataset| -> RResult<Dynamic> {
            stream::reduce_all(d, r).map(scalar_dyn).rh()
        });
        engine.register_fn(
            r.name(),
            move |d: &mut H5Dataset, axis: INT| -> RResult<Array> {
                stream::reduce_axis(d, r, axis).rh()
            },
        );
    }
    // head/tail read only their rows (the generic forwarders would read everything).
    let ds_head = |d: &H5Dataset, n: INT, from_end: bool| -> RResult<Array> {
        let dims = d.dims().rh()?;
        if dims.is_empty() {
            return d.read().rh();
        }
        if n < 0 {
            let f = if from_end { "tail" } else { "head" };
            return Err(rerr(format!("{f}: n must be >= 0, found {n}")));
        }
        let len = dims[0] as INT;
        if from_end {
            read_range(d, Some((len - n).max(0)), None)
        } else {
            read_range(d, Some(0), Some(n.min(len)))
        }
    };
    engine.register_fn("head", move |d: &mut H5Dataset| ds_head(d, 10, false));
    engine.register_fn("head", move |d: &mut H5Dataset, n: INT| {
        ds_head(d, n, false)
    });
    engine.register_fn("tail", move |d: &mut H5Dataset| ds_head(d, 10, true));
    engine.register_fn("tail", move |d: &mut H5Dataset, n: INT| ds_head(d, n, true));
    engine.register_fn("slice", |d: &mut H5Dataset, sel: rhai::Array| {
        read_slice(d, sel)
    });
    engine.register_indexer_get(|d: &mut H5Dataset, i: INT| read_index(d, i));
    engine.register_indexer_get(|d: &mut H5Dataset, r: ExclusiveRange| {
        read_range(d, Some(r.start), Some(r.end))
    });
    engine.register_indexer_get(|d: &mut H5Dataset, r: InclusiveRange| {
        read_range(d, Some(*r.start()), Some(*r.end() + 1))
    });
    engine.register_indexer_get(|d: &mut H5Dataset, name: &str| read_field(d, name));

    // ---- frames
    engine.register_fn("frames", |d: H5Dataset| -> RResult<Frames> {
        let _s = crate::prof::span("frames");
        Frames::from_dataset(&d).rh()
    });
    engine.register_fn("frames", |g: H5Group| -> RResult<Frames> {
        let _s = crate::prof::span("frames");
        Frames::from_group(&g).rh()
    });
    engine.register_fn("frames", |a: Array| -> RResult<Frames> {
        let _s = crate::prof::span("frames");
        Frames::from_array(&a).rh()
    });
    engine.register_fn("to_string", |st: &mut Frames| frames_dyn_display(st));
    engine.register_fn("to_debug", |st: &mut Frames| frames_dyn_display(st));
    engine.register_fn("gray", |st: &mut Frames| -> RResult<Frames> {
        st.with_gray().rh()
    });
    engine.register_fn("normalized", |st: &mut Frames| -> RResult<Frames> {
        st.with_normalized().rh()
    });
    engine.register_get("shape", |st: &mut Frames| ints(&st.shape()));
    engine.register_get("len", |st: &mut Frames| st.len() as INT);
    engine.register_get("dtype", |st: &mut Frames| st.out_dtype().name());
    engine.register_fn("read", |st: &mut Frames| -> RResult<Array> {
        st.to_array().rh()
    });
    engine.register_fn(
        "read",
        |st: &mut Frames, t0: INT, t1: INT| -> RResult<Array> {
            let n = st.len() as INT;
            let fix = |v: INT| if v < 0 { (v + n).max(0) } else { v.min(n) } as usize;
            st.read(fix(t0), fix(t1)).rh()
        },
    );
    engine.register_indexer_get(|st: &mut Frames, i: INT| -> RResult<Array> {
        let n = st.len() as INT;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(rerr(format!(
                "frame index {i} is out of range for {n} frames"
            )));
        }
        let a = st.read(j as usize, j as usize + 1).rh()?;
        a.index_axis(0, 0).rh()
    });
    engine.register_fn(
        "activity",
        |st: Frames, rois: rhai::Array| -> RResult<Table> {
            activity(&st, &parse_rois(rois)?, &ActivityOpts::default()).rh()
        },
    );
    engine.register_fn(
        "activity",
        |st: Frames, rois: rhai::Array, opts: Map| -> RResult<Table> {
            activity(&st, &parse_rois(rois)?, &activity_opts(&opts)?).rh()
        },
    );
}

/// Make every other Array function and operator take datasets: for each registered
/// signature with an `Array` parameter, the same signature with `H5Dataset` there reads the
/// dataset (within the memory budget, through the parallel chunk path) and calls the Array
/// version. Signatures the h5 layer defines itself (indexing, reductions that stream, `shape`,
/// ...) are kept. Call after every other module has registered its functions.
pub fn register_array_forwarders(engine: &mut Engine) {
    use std::any::TypeId;
    use std::collections::HashSet;
    let array_t = TypeId::of::<Array>();
    let ds_t = TypeId::of::<H5Dataset>();
    let sigs: Vec<(String, Vec<TypeId>)> = engine.collect_fn_metadata(
        None,
        |info| {
            Some((
                info.metadata.name.to_string(),
                info.metadata.param_types.to_vec(),
            ))
        },
        false,
    );
    let mut taken: HashSet<(String, Vec<TypeId>)> = sigs.iter().cloned().collect();
    // Setters would change a temporary copy; `mem` of a temporary read would mislead.
    let skip = |n: &str| {
        n.starts_with("set$")
            || n.starts_with("index$set$")
            || n == "to_string"
            || n == "to_debug"
            || n == "get$mem"
    };
    for (name, params) in &sigs {
        if skip(name) {
            continue;
        }
        let pos: Vec<usize> = (0..params.len())
            .filter(|&i| params[i] == array_t)
            .collect();
        if pos.is_empty() || pos.len() > 3 {
            continue;
        }
        for mask in 1u32..(1 << pos.len()) {
            let mut p = params.clone();
            for (j, &i) in pos.iter().enumerate() {
                if mask >> j & 1 == 1 {
                    p[i] = ds_t;
                }
            }
            if !taken.insert((name.clone(), p.clone())) {
                continue;
            }
            let fname = name.clone();
            engine.register_raw_fn(
                name.as_str(),
                p,
                move |ctx: rhai::NativeCallContext,
                      args: &mut [&mut Dynamic]|
                      -> RResult<Dynamic> {
                    let mut owned: Vec<Dynamic> = Vec::with_capacity(args.len());
                    for a in args.iter() {
                        if let Some(d) = (**a).clone().try_cast::<H5Dataset>() {
                            let arr = d.read().map_err(|e| {
                                rerr(format!(
                                    "{}: {e}",
                                    fname
                                        .trim_start_matches("get$")
                                        .trim_start_matches("index$get$")
                                ))
                            })?;
                            owned.push(Dynamic::from(arr));
                        } else {
                            owned.push((**a).clone());
                        }
                    }
                    let mut refs: Vec<&mut Dynamic> = owned.iter_mut().collect();
                    ctx.call_native_fn_raw(&fname, true, &mut refs)
                },
            );
        }
    }
}
