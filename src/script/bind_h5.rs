//! Rhai bindings for the h5 layer: `h5(path)` files, groups and lazy datasets (indexing
//! and slicing read only the selected hyperslab), attributes as script values, frame
//! stacks (`frames`, `.gray()`, `.normalized()`) and `activity`. Registration and help
//! text live together.

use rhai::{Dynamic, Engine, Map, INT};

type ExclusiveRange = std::ops::Range<INT>;
type InclusiveRange = std::ops::RangeInclusive<INT>;

use super::conv::{num, opt_f64, opt_int, scalar_dyn};
use super::registry::{check_opts, opt, rt_err, Opt, RResult, Reg};
use super::IntoRhai;
use crate::array::blocked;
use crate::array::reduce::Red;
use crate::array::select::item;
use crate::array::{Array, DType};
use crate::frames::{activity, ActivityOpts, Frames, Roi};
use crate::h5::browse::dataset_line;
use crate::h5::{H5Dataset, H5File, H5Group, Node, Sel};
use crate::output::table::Table;

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
        return Err(rt_err(format!(
            "{}: a scalar dataset cannot be indexed; use d.read()",
            d.what()
        )));
    }
    let mut s = Sel::all(&dims);
    s.axis_index(0, dims[0], i)
        .map_err(|e| rt_err(format!("{}: {e}", d.what())))?;
    d.read_sel(&s).rh()
}

fn read_range(d: &H5Dataset, a: Option<INT>, b: Option<INT>) -> RResult<Array> {
    let dims = d.dims().rh()?;
    if dims.is_empty() {
        return Err(rt_err(format!(
            "{}: a scalar dataset cannot be sliced; use d.read()",
            d.what()
        )));
    }
    let mut s = Sel::all(&dims);
    s.axis_slice(0, dims[0], a, b, 1).rh()?;
    d.read_sel(&s).rh()
}

fn read_slice(d: &H5Dataset, sel: rhai::Array) -> RResult<Array> {
    let dims = d.dims().rh()?;
    if sel.len() > dims.len() {
        return Err(rt_err(format!(
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
            return Err(rt_err(format!(
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
        _ => Err(rt_err(format!(
            "{}: not a compound dataset, so it has no field '{name}' (index rows with d[i] or d[a..b])",
            d.what()
        ))),
    }
}

fn parse_rois(v: rhai::Array) -> RResult<Vec<Roi>> {
    let mut out = vec![];
    for (i, r) in v.into_iter().enumerate() {
        if let Some(m) = r.clone().try_cast::<Map>() {
            check_opts(&m, &[ROI_KEYS], "activity ROI")?;
            let get = |k: &str| -> RResult<f64> {
                match m.get(k) {
                    Some(v) => num(v, k),
                    None => Err(rt_err(format!(
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
            return Err(rt_err(format!(
                "activity: ROI {} must be a circle #{{x, y, r}} or a mask Array, found {}",
                i + 1,
                r.type_name()
            )));
        }
    }
    Ok(out)
}

/// Keys of a circular ROI map of `activity`.
const ROI_KEYS: &[Opt] = &[
    opt("x", "number", "", "centre column (pixels)"),
    opt("y", "number", "", "centre row (pixels)"),
    opt("r", "number", "", "radius (pixels)"),
];

const ACTIVITY_OPTS: &[Opt] = &[
    opt("interval", "number > 0", "1.0", "seconds between frames"),
    opt("start", "number", "0.0", "time of frame 0"),
];

fn activity_opts(m: &Map) -> RResult<ActivityOpts> {
    check_opts(m, &[ACTIVITY_OPTS], "activity")?;
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
pub fn register(r: &mut Reg) {
    r.ty_show::<H5File>("H5File", |f| format!("H5File {}", f.name()))
        .ty_show::<H5Group>("H5Group", |g| {
            format!("H5Group {} in {}", g.path(), g.file().name())
        })
        .ty_show::<H5Dataset>("H5Dataset", |d| {
            format!("H5Dataset {}  {}", d.path(), dataset_line(d))
        });

    r.func(
        "h5",
        "h5(path) -> H5File",
        "Open an HDF5 file read-only. Only the header is read; objects are opened when \
indexed. A damaged, truncated or non-HDF5 file is refused with an error naming the file and \
carrying the HDF5 library's message. Every Array function and operator also takes a \
dataset directly: the reductions (`sum min max mean std count argmin argmax any all`, whole \
or along an axis) stream it in blocks of chunks, so they work on datasets of any size with \
memory bounded by the budget; `d.head(n)`, `d.tail(n)` and slicing read only their rows; \
other functions (`d > 0`, `d[mask]`, `sort(d)`, `hist(d, ...)`) \
read it first (refused, naming the budget, when it does not fit).\nExample: \
`let f = h5(\"stack.h5\"); f.tree(); f[\"data\"].mean(0)`",
    )
    .f(|path: &str| -> RResult<H5File> {
        let _s = crate::prof::span("h5");
        H5File::open(path).rh()
    });

    // ---- files
    r.func(
        "tree",
        "f.tree() -> string",
        "A listing of every group and dataset: dtype (with BE for big-endian storage), \
shape, layout, chunk shape, filters (unavailable ones marked UNAVAILABLE) and stored \
(compressed) size. Soft, external and user-defined links are shown, not followed; objects \
that cannot be opened are listed with the reason.",
    )
    .f(|f: &mut H5File| -> RResult<String> { f.tree().rh() });
    r.func(
        "attrs",
        "f.attrs / g.attrs / d.attrs -> map",
        "The attributes of the root group, a group or a dataset as a map: numbers and \
strings as script values, string arrays as lists, other arrays as Arrays. An attribute \
that cannot be read holds a string starting with `error:`.",
    )
    .get(|f: &mut H5File| -> RResult<Map> { attrs_map(f.attrs()) });
    r.func(
        "path",
        "f.path / g.path / d.path -> string",
        "The file path (for a file) or the object's path inside the file.",
    )
    .get(|f: &mut H5File| f.name());
    r.func(
        "keys",
        "f.keys() / g.keys() -> array of strings",
        "Member names of the root group or a group, in name order.",
    )
    .f(|f: &mut H5File| -> RResult<rhai::Array> {
        let g = f.root().rh()?;
        Ok(g.keys().rh()?.into_iter().map(Dynamic::from).collect())
    });
    r.engine()
        .register_indexer_get(|f: &mut H5File, path: &str| -> RResult<Dynamic> {
            Ok(node_dyn(f.get(path).rh()?))
        });

    // ---- groups
    r.again("attrs")
        .get(|g: &mut H5Group| -> RResult<Map> { attrs_map(g.attrs()) });
    r.again("path").get(|g: &mut H5Group| g.path().to_string());
    r.again("keys")
        .f(|g: &mut H5Group| -> RResult<rhai::Array> {
            Ok(g.keys().rh()?.into_iter().map(Dynamic::from).collect())
        });
    r.engine()
        .register_indexer_get(|g: &mut H5Group, name: &str| -> RResult<Dynamic> {
            Ok(node_dyn(g.get(name).rh()?))
        });

    // ---- datasets
    r.again("attrs")
        .get(|d: &mut H5Dataset| -> RResult<Map> { attrs_map(d.attrs()) });
    r.again("path")
        .get(|d: &mut H5Dataset| d.path().to_string());
    r.func(
        "shape",
        "d.shape / st.shape -> array of ints",
        "Dataset shape (sub-array element axes appended), or the stack's (T,H,W[,C]) \
after its transforms.",
    )
    .get(|d: &mut H5Dataset| -> RResult<rhai::Array> { Ok(ints(&d.shape().rh()?)) });
    r.func("ndim", "d.ndim -> int", "Number of axes of `d.shape`.")
        .get(|d: &mut H5Dataset| -> RResult<INT> { Ok(d.shape().rh()?.len() as INT) });
    r.func(
        "len",
        "d.len / st.len -> int",
        "Length of the first axis (frames of a stack); 1 for scalars.",
    )
    .get(|d: &mut H5Dataset| -> RResult<INT> {
        Ok(d.shape().rh()?.first().copied().unwrap_or(1) as INT)
    });
    r.func(
        "dtype",
        "d.dtype / st.dtype -> string",
        "The NumPy-style element type reads give (`uint8`, `[('a', 'int8'), ...]`, `|S5`), \
or for datasets evsh cannot read, the HDF5 type with the reason.",
    )
    .get(|d: &mut H5Dataset| dataset_dtype(d));
    r.func(
        "chunks",
        "d.chunks -> array of ints or ()",
        "Chunk shape of a chunked dataset, `()` otherwise.",
    )
    .get(|d: &mut H5Dataset| -> Dynamic {
        match &d.info().chunks {
            Some(c) => Dynamic::from(ints(c)),
            None => Dynamic::UNIT,
        }
    });
    r.func(
        "filters",
        "d.filters -> array of strings",
        "Filter names in pipeline order (`deflate`, `shuffle`, `lzf`, ...); a filter the \
library does not have is suffixed ` (unavailable)` and reading the dataset is refused naming it.",
    )
    .get(|d: &mut H5Dataset| -> rhai::Array {
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
    r.func(
        "layout",
        "d.layout -> string",
        "`contiguous`, `chunked`, `compact`, `virtual` or `external`.",
    )
    .get(|d: &mut H5Dataset| d.info().layout.name().to_string());
    r.func(
        "storage_size",
        "d.storage_size -> int",
        "Bytes the dataset occupies in the file (compressed size for chunked data).",
    )
    .get(|d: &mut H5Dataset| d.info().storage_size as INT);
    r.func(
        "fields",
        "d.fields -> array of strings",
        "Field names of a compound dataset (empty for others). `d[\"name\"]` reads one \
field as a column Array.",
    )
    .get(|d: &mut H5Dataset| -> rhai::Array {
        match &d.info().dtype {
            Ok((DType::Struct(s), _)) => s
                .fields
                .iter()
                .map(|f| Dynamic::from(f.name.clone()))
                .collect(),
            _ => rhai::Array::new(),
        }
    });
    r.func(
        "size",
        "d.size / d.nbytes -> int",
        "Number of elements and their bytes in memory, from the header (nothing read).",
    )
    .get(|d: &mut H5Dataset| -> RResult<INT> {
        Ok(d.shape().rh()?.iter().product::<usize>() as INT)
    });
    r.func(
        "nbytes",
        "d.nbytes -> int",
        "Bytes the whole dataset takes in memory once read (itemsize × size).",
    )
    .get(|d: &mut H5Dataset| -> RResult<INT> {
        let n: usize = d.shape().rh()?.iter().product();
        Ok((n * d.plan().rh()?.dtype.itemsize()) as INT)
    });
    r.func(
        "read",
        "d.read() -> Array / st.read([t0, t1]) -> Array",
        "Read a whole dataset (or frames t0..t1 of a stack, transforms applied) into an \
Array. Chunked deflate/shuffle datasets are decompressed in parallel outside the HDF5 lock; \
reads larger than the memory budget are refused with a hint to slice.",
    )
    .f(|d: &mut H5Dataset| -> RResult<Array> { d.read().rh() });
    // Reductions stream the dataset block by block (any size, memory bounded).
    for red in Red::ALL {
        r.engine()
            .register_fn(red.name(), move |d: &mut H5Dataset| -> RResult<Dynamic> {
                blocked::reduce_all(d, red).map(scalar_dyn).rh()
            });
        r.engine().register_fn(
            red.name(),
            move |d: &mut H5Dataset, axis: INT| -> RResult<Array> {
                blocked::reduce_axis(d, red, axis).rh()
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
            return Err(rt_err(format!("{f}: n must be >= 0, found {n}")));
        }
        let len = dims[0] as INT;
        if from_end {
            read_range(d, Some((len - n).max(0)), None)
        } else {
            read_range(d, Some(0), Some(n.min(len)))
        }
    };
    r.engine()
        .register_fn("head", move |d: &mut H5Dataset| ds_head(d, 10, false));
    r.engine()
        .register_fn("head", move |d: &mut H5Dataset, n: INT| {
            ds_head(d, n, false)
        });
    r.engine()
        .register_fn("tail", move |d: &mut H5Dataset| ds_head(d, 10, true));
    r.engine()
        .register_fn("tail", move |d: &mut H5Dataset, n: INT| ds_head(d, n, true));
    r.func(
        "slice",
        "d.slice(sel) -> Array",
        "Read a hyperslab: `sel` has one entry per axis: an integer (index, axis dropped), \
a range `a..b`, `()` for the whole axis, or `[start, end, step]` (`()` for a missing end). \
Only the selected elements are read.\nExample: `d.slice([0..10, (), [0, (), 2]])`",
    )
    .f(|d: &mut H5Dataset, sel: rhai::Array| read_slice(d, sel));
    r.engine()
        .register_indexer_get(|d: &mut H5Dataset, i: INT| read_index(d, i));
    r.engine()
        .register_indexer_get(|d: &mut H5Dataset, r: ExclusiveRange| {
            read_range(d, Some(r.start), Some(r.end))
        });
    r.engine()
        .register_indexer_get(|d: &mut H5Dataset, r: InclusiveRange| {
            read_range(d, Some(*r.start()), Some(*r.end() + 1))
        });
    r.engine()
        .register_indexer_get(|d: &mut H5Dataset, name: &str| read_field(d, name));

    // ---- frames
    r.func(
        "frames",
        "frames(source) -> Frames",
        "A lazy frame stack from a (T,H,W) or (T,H,W,C) dataset, a group of one (H,W[,C]) \
dataset per frame (in key order), or an in-memory Array. `st[i]` is frame i, `st.read()` \
the whole stack.\nExample: `let st = frames(f[\"frames\"]).gray().normalized();`",
    )
    .f(|d: H5Dataset| -> RResult<Frames> {
        let _s = crate::prof::span("frames");
        Frames::from_dataset(&d).rh()
    })
    .f(|g: H5Group| -> RResult<Frames> {
        let _s = crate::prof::span("frames");
        Frames::from_group(&g).rh()
    })
    .f(|a: Array| -> RResult<Frames> {
        let _s = crate::prof::span("frames");
        Frames::from_array(&a).rh()
    });
    r.ty_show::<Frames>("Frames", frames_dyn_display);
    r.func(
        "gray",
        "st.gray() -> Frames",
        "The stack converted to gray with the ITU-R 601 weights 0.299 R + 0.587 G + \
0.114 B; integer frames are rounded as OpenCV's cvtColor does ((4899 R + 9617 G + 1868 B + \
8192) >> 14), keeping their dtype.",
    )
    .f(|st: &mut Frames| -> RResult<Frames> { st.with_gray().rh() });
    r.func(
        "normalized",
        "st.normalized() -> Frames",
        "The stack scaled to [0, 1] as float32: uint8 / 255, uint16 / 65535 (float frames \
are kept as they are).",
    )
    .f(|st: &mut Frames| -> RResult<Frames> { st.with_normalized().rh() });
    r.again("shape").get(|st: &mut Frames| ints(&st.shape()));
    r.again("len").get(|st: &mut Frames| st.len() as INT);
    r.again("dtype")
        .get(|st: &mut Frames| st.out_dtype().name());
    r.again("read")
        .f(|st: &mut Frames| -> RResult<Array> { st.to_array().rh() })
        .f(|st: &mut Frames, t0: INT, t1: INT| -> RResult<Array> {
            let n = st.len() as INT;
            let fix = |v: INT| if v < 0 { (v + n).max(0) } else { v.min(n) } as usize;
            st.read(fix(t0), fix(t1)).rh()
        });
    r.engine()
        .register_indexer_get(|st: &mut Frames, i: INT| -> RResult<Array> {
            let n = st.len() as INT;
            let j = if i < 0 { i + n } else { i };
            if j < 0 || j >= n {
                return Err(rt_err(format!(
                    "frame index {i} is out of range for {n} frames"
                )));
            }
            let a = st.read(j as usize, j as usize + 1).rh()?;
            a.index_axis(0, 0).rh()
        });
    r.func(
        "activity",
        "activity(stack, rois, [opts]) -> Table",
        "Per ROI and per consecutive frame pair, the sum over the ROI's pixels of \
|f[t+1] - f[t]| (on the stack's transformed values). `rois` is a list of circles \
`#{x, y, r}` (column, row, radius in pixels) and/or (H,W) mask Arrays. Options: `interval` \
(seconds between frames, default 1.0), `start` (time of frame 0, default 0.0). The table has \
columns `time` (start + t × interval), `roi_1` … `roi_n`, and a footer with frames/s. The \
stack is streamed block by block (memory bounded by the budget, chunks decompressed in \
parallel, differences across block borders kept).\nExample: \
`activity(st, [#{x: 100, y: 120, r: 30}], #{interval: 5.0, start: 0.0})`",
    )
    .opts(&[ACTIVITY_OPTS])
    .example("activity(frames(random([4, 8, 8], 1)), [#{x: 2, y: 2, r: 1}], OPTS)")
    .f(|st: Frames, rois: rhai::Array| -> RResult<Table> {
        activity(&st, &parse_rois(rois)?, &ActivityOpts::default()).rh()
    })
    .f(
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
                                rt_err(format!(
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
