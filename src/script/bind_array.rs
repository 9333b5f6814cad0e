//! Rhai bindings for the array layer: the `Array` type, loading and saving `.npy`,
//! properties, indexing and slicing, operators, elementwise functions, reductions, sorting
//! and array creation. Registration and help text live together so that every function a
//! script can call is documented (a test checks the two lists against each other).

use std::ops::{Range, RangeInclusive};

use rhai::{Dynamic, FLOAT, INT};

use super::conv::{self, opt_int, scalar_dyn};
use super::registry::{fail, rt_err, Func, RResult, Reg};
use super::IntoRhai;
use crate::array::ops::{self, BinOp, CmpOp, Operand, UnOp};
use crate::array::reduce::{self, Red};
use crate::array::select::{self, dtype_arg, IndexResult};
use crate::array::{create, format, index, sort, Array, DType};
use crate::io::npy;

/// Lists longer than this are refused by `to_list` (the session would stall printing them).
const LIST_LIMIT: usize = 10_000_000;

/// One side of an operator, from a Rhai value.
fn operand(v: &Dynamic, op: &str) -> RResult<Operand> {
    if let Some(o) = conv::operand_of(v)? {
        return Ok(o);
    }
    Err(format!(
        "operator {op}: cannot combine an Array with {}",
        v.type_name()
    )
    .into())
}

fn shape_arg(v: &Dynamic, what: &str) -> RResult<Vec<usize>> {
    let dims = if let Ok(i) = v.as_int() {
        vec![i]
    } else {
        conv::i64_list(v, what)?
    };
    dims.into_iter()
        .map(|d| {
            usize::try_from(d)
                .map_err(|_| format!("{what}: shape entries must be >= 0, found {d}").into())
        })
        .collect()
}

fn reduce_dyn(a: &Array, r: Red) -> RResult<Dynamic> {
    reduce::reduce_all(a, r).map(scalar_dyn).rh()
}

fn array_len(a: &mut Array) -> INT {
    if a.ndim() == 0 {
        1
    } else {
        a.len() as INT
    }
}

/// A reduction along axes; reducing every axis gives a number, as in NumPy.
fn reduce_axis_dyn(a: &Array, r: Red, axis: INT) -> RResult<Dynamic> {
    array_or_scalar(reduce::reduce_axis(a, r, axis).rh()?)
}

const REDUCE_OPTS: &[super::registry::Opt] = &[
    super::registry::opt(
        "axis",
        "int | [int]",
        "all axes",
        "the axes to reduce (also accepted as the first argument)",
    ),
    super::registry::opt(
        "keepdims",
        "bool",
        "false",
        "keep the reduced axes as length 1, so the result broadcasts against x",
    ),
];

/// `x.sum(#{axis, keepdims})` and `x.sum(axis, #{keepdims})`.
fn reduce_opts(a: &Array, r: Red, axis: Option<Dynamic>, o: &rhai::Map) -> RResult<Dynamic> {
    super::registry::check_opts(o, &[REDUCE_OPTS], r.name())?;
    let axis = match (axis, o.get("axis").filter(|v| !v.is_unit()).cloned()) {
        (Some(_), Some(_)) => {
            return fail(format!(
                "{}: the axis is given twice (argument and option)",
                r.name()
            ))
        }
        (Some(a), None) | (None, Some(a)) => Some(a),
        (None, None) => None,
    };
    let axes: Vec<i64> = match &axis {
        None => (0..a.ndim() as i64).collect(),
        Some(v) => match v.as_int() {
            Ok(i) => vec![i],
            Err(_) => conv::i64_list(v, &format!("{}: axis", r.name()))?,
        },
    };
    let keep = super::conv::opt_bool(o, "keepdims")?.unwrap_or(false);
    if a.ndim() == 0 {
        return Ok(scalar_dyn(reduce::reduce_all(a, r).rh()?));
    }
    let res = if axis.is_none() && matches!(r, Red::ArgMin | Red::ArgMax) {
        // the flat index, as without options
        let flat = a.reshape(vec![a.size()]).rh()?;
        reduce::reduce_axes(&flat, r, &[0]).rh()?
    } else {
        reduce::reduce_axes(a, r, &axes).rh()?
    };
    if keep {
        return Ok(Dynamic::from(super::bind_numpy::keep_dims(
            &res,
            a.ndim(),
            &axes,
            r.name(),
        )?));
    }
    array_or_scalar(res)
}

fn index_dyn(a: &Array, i: INT) -> RResult<Dynamic> {
    Ok(match select::index_first(a, i).rh()? {
        IndexResult::Scalar(s) => scalar_dyn(s),
        IndexResult::Array(x) => Dynamic::from(x),
    })
}

fn index_array(a: &Array, idx: &Array) -> RResult<Array> {
    if *idx.dtype() == DType::Bool {
        select::select_mask(a, idx).rh()
    } else {
        select::take_index(a, idx).rh()
    }
}

fn index_str(a: &Array, s: &str) -> RResult<Dynamic> {
    if a.field_names().iter().any(|f| f == s) || !index::looks_like_index(s) {
        return Ok(Dynamic::from(a.field(s).rh()?));
    }
    let v = index::apply(a, &index::parse(s).rh()?).rh()?;
    array_or_scalar(v)
}

/// A 0-d result as a number (NumPy gives a scalar for `m[1, 2]`), otherwise the Array.
fn array_or_scalar(v: Array) -> RResult<Dynamic> {
    if v.ndim() == 0 {
        Ok(scalar_dyn(select::item(&v).rh()?))
    } else {
        Ok(Dynamic::from(v))
    }
}

/// `x[sel] = v` for every kind of selection.
fn assign(a: &mut Array, t: index::Target<'_>, v: &Dynamic) -> RResult<()> {
    let val = operand(v, "[]=").map_err(|_| {
        rt_err(format!(
            "x[...] = v: v must be a number, a bool or an Array, found {}",
            v.type_name()
        ))
    })?;
    index::assign(a, t, &val).rh()
}

fn assign_array(a: &mut Array, sel: &Array, v: &Dynamic) -> RResult<()> {
    if *sel.dtype() == DType::Bool {
        assign(a, index::Target::Mask(sel), v)
    } else {
        assign(a, index::Target::Indices(sel), v)
    }
}

fn assign_str(a: &mut Array, s: &str, v: &Dynamic) -> RResult<()> {
    if a.field_names().iter().any(|f| f == s) || !index::looks_like_index(s) {
        return fail(format!(
            "x[\"{s}\"] = v: assigning to a field is not supported; index strings look like \"::2\", \":, 0\", \"1:3, ..., -1\""
        ));
    }
    let items = index::parse(s).rh()?;
    assign(a, index::Target::Basic(&items), v)
}

fn rows(a: &Array, spec: &str) -> RResult<Array> {
    if a.ndim() == 0 {
        return Err("rows: a 0-d array has no rows".into());
    }
    let r = crate::array::rows::parse_row_slice(spec, a.shape()[0]).rh()?;
    a.slice_axis(0, Some(r.start as i64), Some(r.end as i64), 1)
        .rh()
}

fn head(a: &Array, n: INT) -> RResult<Array> {
    if a.ndim() == 0 {
        return Ok(a.clone());
    }
    if n < 0 {
        return Err(format!("head: n must be >= 0, found {n}").into());
    }
    a.slice_axis(0, Some(0), Some(n), 1).rh()
}

fn tail(a: &Array, n: INT) -> RResult<Array> {
    if a.ndim() == 0 {
        return Ok(a.clone());
    }
    if n < 0 {
        return Err(format!("tail: n must be >= 0, found {n}").into());
    }
    let len = a.shape()[0] as i64;
    a.slice_axis(0, Some((len - n).max(0)), None, 1).rh()
}

fn slice(a: &Array, axis: INT, start: Dynamic, stop: Dynamic, step: INT) -> RResult<Array> {
    let ax = a.axis(axis).rh()?;
    a.slice_axis(
        ax,
        opt_int(&start, "slice start")?,
        opt_int(&stop, "slice stop")?,
        step,
    )
    .rh()
}

fn take(a: &Array, axis: INT, index: INT) -> RResult<Array> {
    let ax = a.axis(axis).rh()?;
    a.index_axis(ax, index).rh()
}

fn reshape(a: &Array, shape: Dynamic) -> RResult<Array> {
    let dims = if let Ok(i) = shape.as_int() {
        vec![i]
    } else {
        conv::i64_list(&shape, "reshape")?
    };
    let size = a.size();
    let mut known = 1usize;
    let mut infer = None;
    for (k, &d) in dims.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                return Err("reshape: only one dimension can be -1".into());
            }
            infer = Some(k);
        } else if d < 0 {
            return Err(format!("reshape: invalid dimension {d}").into());
        } else {
            known = known.saturating_mul(d as usize);
        }
    }
    let mut out: Vec<usize> = dims.iter().map(|&d| d.max(0) as usize).collect();
    if let Some(k) = infer {
        if known == 0 || !size.is_multiple_of(known) {
            return Err(format!(
                "reshape: cannot reshape an array of {size} elements into {dims:?}"
            )
            .into());
        }
        out[k] = size / known;
    }
    a.reshape(out).rh()
}

fn bin(op: BinOp, x: &Dynamic, y: &Dynamic) -> RResult<Array> {
    let a = operand(x, op.symbol())?;
    let b = operand(y, op.symbol())?;
    ops::binary(op, &a, &b).rh()
}

fn cmp(op: CmpOp, x: &Dynamic, y: &Dynamic) -> RResult<Array> {
    let a = operand(x, op.symbol())?;
    let b = operand(y, op.symbol())?;
    ops::compare(op, &a, &b).rh()
}

/// Register an operator for Array⊕Array, Array⊕int/float/bool and int/float/bool⊕Array.
fn reg_op<'r, 'e>(
    f: Func<'r, 'e>,
    name: &'static str,
    op: impl Fn(&Dynamic, &Dynamic) -> RResult<Array> + Clone + Send + Sync + 'static,
) -> Func<'r, 'e> {
    let (o1, o2, o3, o4, o5, o6, o7) = (
        op.clone(),
        op.clone(),
        op.clone(),
        op.clone(),
        op.clone(),
        op.clone(),
        op,
    );
    f.named(name, move |a: Array, b: Array| {
        o1(&Dynamic::from(a), &Dynamic::from(b))
    })
    .named(name, move |a: Array, b: INT| {
        o2(&Dynamic::from(a), &Dynamic::from_int(b))
    })
    .named(name, move |a: Array, b: FLOAT| {
        o3(&Dynamic::from(a), &Dynamic::from_float(b))
    })
    .named(name, move |a: Array, b: bool| {
        o4(&Dynamic::from(a), &Dynamic::from_bool(b))
    })
    .named(name, move |a: INT, b: Array| {
        o5(&Dynamic::from_int(a), &Dynamic::from(b))
    })
    .named(name, move |a: FLOAT, b: Array| {
        o6(&Dynamic::from_float(a), &Dynamic::from(b))
    })
    .named(name, move |a: bool, b: Array| {
        o7(&Dynamic::from_bool(a), &Dynamic::from(b))
    })
}

/// An Array from a (possibly nested) Rhai list: every list at one depth must have the same
/// length and every number must sit at the same depth, so the result is rectangular.
fn from_list(list: rhai::Array, dtype: Option<&str>) -> RResult<Array> {
    fn walk(
        items: &[Dynamic],
        depth: usize,
        shape: &mut Vec<usize>,
        leaf_depth: &mut Option<usize>,
        flat: &mut Vec<Dynamic>,
    ) -> RResult<()> {
        if shape.len() == depth {
            shape.push(items.len());
        } else if shape[depth] != items.len() {
            return Err(format!(
                "array: ragged list: a list of length {} at depth {depth} where {} was expected",
                items.len(),
                shape[depth]
            )
            .into());
        }
        for it in items {
            if let Some(sub) = it.clone().try_cast::<rhai::Array>() {
                walk(&sub, depth + 1, shape, leaf_depth, flat)?;
            } else {
                if *leaf_depth.get_or_insert(depth) != depth {
                    return Err("array: ragged list: numbers at different depths".into());
                }
                flat.push(it.clone());
            }
        }
        Ok(())
    }
    let mut shape = vec![];
    let mut leaf_depth = None;
    let mut flat: Vec<Dynamic> = vec![];
    walk(&list, 0, &mut shape, &mut leaf_depth, &mut flat)?;
    if let Some(d) = leaf_depth {
        if shape.len() != d + 1 {
            return Err("array: ragged list: numbers at different depths".into());
        }
    }
    let all_bool = !flat.is_empty() && flat.iter().all(|v| v.is_bool());
    let any_float = flat.iter().any(|v| v.is_float());
    let arr = if all_bool {
        Array::from_bools(flat.iter().map(|v| v.as_bool().unwrap_or(false)).collect())
            .reshape(shape)
            .rh()?
    } else if any_float {
        let v = flat
            .iter()
            .map(|x| conv::num(x, "array"))
            .collect::<RResult<Vec<f64>>>()?;
        Array::from_vec(v, shape).rh()?
    } else {
        let v = flat
            .iter()
            .map(|x| {
                x.as_int()
                    .map_err(|t| format!("array: expected numbers or bools, found {t}").into())
            })
            .collect::<RResult<Vec<i64>>>()?;
        Array::from_vec(v, shape).rh()?
    };
    match dtype {
        Some(d) => ops::astype(&arr, &dtype_arg(d, "array").rh()?).rh(),
        None => Ok(arr),
    }
}

fn full_dyn(shape: &Dynamic, value: &Dynamic, dtype: Option<&str>) -> RResult<Array> {
    let shape = shape_arg(shape, "full")?;
    let (v, int, default) = if let Ok(i) = value.as_int() {
        (i as f64, Some(i), DType::I64)
    } else if let Ok(f) = value.as_float() {
        (f, None, DType::F64)
    } else if let Ok(b) = value.as_bool() {
        (f64::from(u8::from(b)), Some(i64::from(b)), DType::Bool)
    } else {
        return Err(format!(
            "full: the value must be a number or bool, found {}",
            value.type_name()
        )
        .into());
    };
    let d = match dtype {
        Some(d) => dtype_arg(d, "full").rh()?,
        None => default,
    };
    create::full(shape, v, int, &d).rh()
}

fn arange_dyn(start: &Dynamic, stop: &Dynamic, step: &Dynamic) -> RResult<Array> {
    if let (Ok(a), Ok(b), Ok(s)) = (start.as_int(), stop.as_int(), step.as_int()) {
        return create::arange_int(a, b, s).rh();
    }
    let a = conv::num(start, "arange start")?;
    let b = conv::num(stop, "arange stop")?;
    let s = conv::num(step, "arange step")?;
    create::arange_float(a, b, s).rh()
}

/// `load(path)`: a `.npy` Array, a map of the arrays of a `.npz`, or a `.csv` Table.
fn load_any(path: &str) -> RResult<Dynamic> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".npz") {
        let mut m = rhai::Map::new();
        for (k, a) in crate::io::npz::load(path).rh()? {
            m.insert(k.into(), Dynamic::from(a));
        }
        return Ok(Dynamic::from_map(m));
    }
    if lower.ends_with(".csv") {
        let o = crate::io::csv::CsvOpts::default();
        return Ok(Dynamic::from(crate::io::csv::load(path, &o).rh()?));
    }
    Ok(Dynamic::from(npy::load(path, None).rh()?))
}

fn savez_map(path: &str, m: rhai::Map, compress: bool) -> RResult<()> {
    let mut members = Vec::with_capacity(m.len());
    for (k, v) in m {
        let ty = v.type_name();
        let a = v.try_cast::<Array>().ok_or_else(|| {
            super::registry::rt_err(format!(
                "cannot save to {path}: member '{k}' is {ty}, not an Array"
            ))
        })?;
        members.push((k.to_string(), a));
    }
    crate::io::npz::save(path, &members, compress).rh()
}

/// Register this module's types and functions.
pub fn register(r: &mut Reg) {
    r.ty_with::<Array>("Array", |a| a.to_string(), format::summary);

    // ---- files
    r.func(
        "load",
        "load(path, [slice]) -> Array (.npz: map of Arrays, .csv: Table)",
        "Memory-map a `.npy` file: the header is parsed, the data is not read until used, \
so a 2 GB file opens in milliseconds. Every NumPy numeric dtype, both byte orders, C and \
Fortran order, format versions 1-3, fixed-width strings and structured dtypes \
(`x.field(\"name\")`). `slice` is a row slice of the first axis with k/M suffixes: \
`\"0:1M\"`, `\"-100k:\"`, `\":10\"`; the array remembers the file's shape. Object (pickle) \
arrays, truncated files and bad headers are refused with an error naming the file.\n\
A `.npz` path gives a map of arrays by member name (`let d = load(\"x.npz\"); d.a`): stored \
members are memory-mapped in place like `.npy` files, deflated ones \
(`np.savez_compressed`) are inflated at load, within the memory budget. A `.csv` path is \
`load_csv(path)`: a Table.\n\
Example: `let ox = load(\"evt/ox.npy\", \"0:1M\");`",
    )
    .f(load_any)
    .f(|path: &str, slice: &str| npy::load(path, Some(slice)).rh());
    r.func(
        "save",
        "save(x, path) / x.save(path)",
        "Write `x` as a `.npy` file that NumPy reads back identically (dtype, byte order, \
shape, C or Fortran order). Written to a temporary name and renamed, so a reader never sees \
half a file. A `.csv` path writes a 1-D or 2-D numeric array as text that \
`np.loadtxt(path, delimiter=\",\")` reads back exactly (shortest round-trip floats).",
    )
    .f(|a: Array, path: &str| -> RResult<()> {
        if path.to_ascii_lowercase().ends_with(".csv") {
            return crate::io::csv::save_array(&a, path).rh();
        }
        npy::save(&a, path).rh()
    });
    r.func(
        "savez",
        "savez(path, #{name: x, ...})",
        "Write arrays as an `.npz` file (`np.savez`): one stored `.npy` member per map entry, \
read back by `np.load(path)[name]` exactly (dtype, byte order, shape, C or Fortran order). \
Members are 64-byte aligned, so `load` maps them in place. Written atomically.",
    )
    .f(|path: &str, m: rhai::Map| savez_map(path, m, false));
    r.func(
        "savez_compressed",
        "savez_compressed(path, #{name: x, ...})",
        "Like `savez`, with deflated members (`np.savez_compressed`).",
    )
    .f(|path: &str, m: rhai::Map| savez_map(path, m, true));

    // ---- properties
    r.func(
        "shape",
        "x.shape -> array of ints",
        "The array's shape, e.g. `[1000000, 4, 4]`.",
    )
    .get(|a: &mut Array| -> rhai::Array {
        a.shape()
            .iter()
            .map(|&d| Dynamic::from_int(d as INT))
            .collect()
    });
    r.func(
        "dtype",
        "x.dtype -> string",
        "The NumPy name of the element type: \"float32\", \"int16\", \"uint64\", \"bool\", \
\"complex128\", \"|S8\", or the structured descr.",
    )
    .get(|a: &mut Array| a.dtype().name());
    r.func(
        "len",
        "x.len -> int",
        "Length of the first axis (1 for a 0-d array). `len(x)` and `x.len()` work too.",
    )
    .get(array_len)
    .f(array_len);
    r.func("ndim", "x.ndim -> int", "Number of axes.")
        .get(|a: &mut Array| a.ndim() as INT);
    r.func(
        "size",
        "x.size -> int",
        "Number of elements (product of the shape).",
    )
    .get(|a: &mut Array| a.size() as INT);
    r.func(
        "nbytes",
        "x.nbytes -> int",
        "Size of the elements in bytes (size × itemsize).",
    )
    .get(|a: &mut Array| a.nbytes() as INT);
    r.func(
        "mem",
        "x.mem -> string",
        "How the data is held: \"mapped\" (viewed in place in a file mapping, costs no \
process memory), \"owned\" (in process memory) or \"lazy\" (needs a byte-order or alignment \
conversion on first use).",
    )
    .get(|a: &mut Array| a.mem_kind().name().to_string());
    r.func(
        "fields",
        "x.fields -> array of strings",
        "Field names of a structured dtype (empty for plain dtypes).",
    )
    .get(|a: &mut Array| -> rhai::Array {
        a.field_names().into_iter().map(Dynamic::from).collect()
    });
    r.func(
        "T",
        "x.T -> Array",
        "The transpose (axes reversed), a view.",
    )
    .get(|a: &mut Array| a.transpose());
    r.func(
        "field",
        "x.field(name) -> Array",
        "One field of a structured array as an array of its own (a strided view, no copy). \
`x[\"name\"]` is the same.",
    )
    .f(|a: &mut Array, name: &str| a.field(name).rh());

    // ---- indexing and views
    r.func(
        "index",
        "x[i], x[range], x[mask], x[indices], x[\"field\"], x[\"0:1M\"]",
        "Indexing. `x[i]` is row i (an element for 1-D arrays; negative counts from the \
end); `x[0..10]` a row slice (view); `x[mask]` with a bool Array of the first axis's length \
keeps the rows where it is true; `x[idx]` with an integer Array gathers those rows; a string \
is a field name or a NumPy index: `x[\"::2\"]`, `m[\":, 0\"]`, `m[\"1, 2\"]` (one \
element, a number), `x[\"1:3, ..., -1\"]`, `x[\"::-1\"]`, `x[\":, None\"]`, `x[\"0:1M\"]` \
(k/M suffixes; see `x.s`). Slices, integers, `...` and `None` give views.\n\
Assignment `x[i] = v`, `x[0..10] = v`, `x[mask] = v`, `x[idx] = v`, `x[\"::2\"] = v` \
(v a number or an Array broadcast to the selection, converted to x's dtype; an integer \
out of the dtype's range is an error) is copy-on-write: the variable gets new data, other \
variables holding the old array keep it, a mapped file is never written. An array that no \
other variable shares is written in place.",
    )
    .index_get(|a: &mut Array, i: INT| index_dyn(a, i))
    .index_get(|a: &mut Array, r: Range<INT>| {
        if a.ndim() == 0 {
            return Err("cannot slice a 0-d array".into());
        }
        a.slice_axis(0, Some(r.start), Some(r.end), 1).rh()
    })
    .index_get(|a: &mut Array, r: RangeInclusive<INT>| {
        if a.ndim() == 0 {
            return Err("cannot slice a 0-d array".into());
        }
        let end = *r.end();
        let stop = if end == -1 { None } else { Some(end + 1) };
        a.slice_axis(0, Some(*r.start()), stop, 1).rh()
    })
    .index_get(|a: &mut Array, idx: Array| index_array(a, &idx))
    .index_get(|a: &mut Array, s: &str| index_str(a, s))
    .index_set(|a: &mut Array, i: INT, v: Dynamic| {
        assign(a, index::Target::Basic(&[index::Item::Int(i)]), &v)
    })
    .index_set(|a: &mut Array, r: Range<INT>, v: Dynamic| {
        let it = [index::Item::Slice(Some(r.start), Some(r.end), 1)];
        assign(a, index::Target::Basic(&it), &v)
    })
    .index_set(|a: &mut Array, r: RangeInclusive<INT>, v: Dynamic| {
        let end = *r.end();
        let stop = if end == -1 { None } else { Some(end + 1) };
        let it = [index::Item::Slice(Some(*r.start()), stop, 1)];
        assign(a, index::Target::Basic(&it), &v)
    })
    .index_set(|a: &mut Array, sel: Array, v: Dynamic| assign_array(a, &sel, &v))
    .index_set(|a: &mut Array, s: &str, v: Dynamic| assign_str(a, s, &v));
    r.func(
        "s",
        "x.s(index) -> Array or value",
        "NumPy basic indexing from a string, the same as `x[index]`: integers (k/M \
suffixes allowed), slices `start:stop:step` (negative steps reverse), `...` and `None` \
(a new axis), separated by commas. `x.s(\":, 0\")` is NumPy's `x[:, 0]`, \
`x.s(\"::-1\")` reverses, `m.s(\"1, 2\")` is one element (a number). A view, no copy.",
    )
    .f(|a: &mut Array, s: &str| -> RResult<Dynamic> {
        let v = index::apply(a, &index::parse(s).rh()?).rh()?;
        array_or_scalar(v)
    });
    r.func(
        "copy",
        "x.copy() -> Array",
        "A copy of the data in process memory (C order), independent of the original: \
writing into it (`y[0] = 1`) never touches `x` or the file `x` maps.",
    )
    .f(|a: &mut Array| index::copy(a).rh());
    r.func(
        "head",
        "x.head([n]) -> Array",
        "The first n rows (default 10) as a view.",
    )
    .f(|a: &mut Array| head(a, 10))
    .f(|a: &mut Array, n: INT| head(a, n));
    r.func(
        "tail",
        "x.tail([n]) -> Array",
        "The last n rows (default 10) as a view.",
    )
    .f(|a: &mut Array| tail(a, 10))
    .f(|a: &mut Array, n: INT| tail(a, n));
    r.func(
        "rows",
        "x.rows(spec) -> Array",
        "A row slice of the first axis from a slice string like `load` takes: \
`x.rows(\"0:1M\")`, `x.rows(\"-100k:\")`. A view, no copy. `x[\"0:1M\"]` is the same.",
    )
    .f(|a: &mut Array, spec: &str| rows(a, spec));
    r.func(
        "slice",
        "x.slice(axis, start, stop, [step]) -> Array",
        "Elements start..stop (by step) along `axis`, Python slice rules: negative values \
count from the end, bounds are clipped, `()` means open. A view, no copy. \
`x[0..10]` and `x[0..=9]` slice the first axis.",
    )
    .f(|a: &mut Array, axis: INT, start: Dynamic, stop: Dynamic| slice(a, axis, start, stop, 1))
    .f(
        |a: &mut Array, axis: INT, start: Dynamic, stop: Dynamic, step: INT| {
            slice(a, axis, start, stop, step)
        },
    );
    r.func(
        "take",
        "x.take(axis, index) -> Array",
        "The sub-array at `index` along `axis` (the axis disappears): `ox.take(1, 0)` is \
NumPy's `ox[:, 0]`. Negative indices count from the end. A view, no copy.",
    )
    .f(|a: &mut Array, axis: INT, i: INT| take(a, axis, i));
    r.func(
        "col",
        "x.col(i) -> Array",
        "Column i: `x.take(1, i)`, NumPy's `x[:, i]` (for a 2-D table of values).",
    )
    .f(|a: &mut Array, i: INT| {
        if a.ndim() < 2 {
            return Err(format!(
                "col: needs an array of at least 2 axes, found shape {}",
                ops::fmt_shape(a.shape())
            )
            .into());
        }
        take(a, 1, i)
    });
    r.func(
        "reshape",
        "x.reshape(shape) -> Array",
        "The same elements with a new shape (one entry may be -1). A view when the data \
is contiguous, otherwise a C-order copy.",
    )
    .f(|a: &mut Array, s: Dynamic| reshape(a, s));
    r.func(
        "view",
        "x.view(dtype) -> Array",
        "Reinterpret the bytes as another dtype of compatible size (NumPy's `x.view`): \
`f.view(\"u4\")` gives the bits of float32 values. The last axis is rescaled when the item \
sizes differ.",
    )
    .f(|a: &mut Array, d: &str| a.view_as(dtype_arg(d, "view").rh()?).rh());
    r.func(
        "astype",
        "x.astype(dtype) -> Array",
        "Convert values to another dtype (NumPy casting: floats truncate toward zero when \
cast to integers, out-of-range integers wrap). Names: \"f4\", \"float64\", \"i8\", \"u2\", \
\"bool\", ... A byte order prefix opposite to this machine's (\">f8\" here) stores the values \
in that order, so `save` writes a big-endian `.npy` as NumPy would.",
    )
    .f(|a: &mut Array, d: &str| {
        let r = ops::astype(a, &dtype_arg(d, "astype").rh()?).rh()?;
        // An explicit byte order opposite to this machine's is kept (and saved as such).
        let other = if cfg!(target_endian = "little") {
            d.starts_with('>') || d.starts_with('!')
        } else {
            d.starts_with('<')
        };
        let native = if cfg!(target_endian = "little") {
            d.starts_with('<')
        } else {
            d.starts_with('>') || d.starts_with('!')
        };
        if other || (native && r.swapped()) {
            return r.to_byte_order(other, "astype").rh();
        }
        Ok(r)
    });
    r.func(
        "to_list",
        "x.to_list() -> array",
        "The elements as a Rhai array (nested by shape is not kept: C order, flat). Refused \
for more than 10M elements; take a part first (`x.head(n)`, `x[mask]`).",
    )
    .f(|a: &mut Array| -> RResult<rhai::Array> {
        Ok(select::to_scalars(a, LIST_LIMIT)
            .rh()?
            .into_iter()
            .map(scalar_dyn)
            .collect())
    });
    r.func(
        "item",
        "x.item() -> value",
        "The single element of a one-element array as a number, bool or string.",
    )
    .f(|a: &mut Array| -> RResult<Dynamic> { select::item(a).map(scalar_dyn).rh() });

    // ---- operators
    let mut f = r.func(
        "operators",
        "x + y, x - y, x * y, x / y, x % y, -x, x & y, x | y, x ^ y, !x, x << n, x >> n",
        "Elementwise arithmetic and bit operations with NumPy 2 type promotion and \
broadcasting; Rhai numbers are weak scalars (`x * 2` keeps float32). `/` of integers gives \
float64. `&`, `|`, `^`, `!` on bool masks are logical and/or/xor/not. Comparisons \
`== != < <= > >=` give bool masks. Operators need one side to be an Array.",
    );
    for (name, op) in [
        ("+", BinOp::Add),
        ("-", BinOp::Sub),
        ("*", BinOp::Mul),
        ("/", BinOp::Div),
        ("%", BinOp::Rem),
        ("&", BinOp::And),
        ("|", BinOp::Or),
        ("^", BinOp::Xor),
        ("<<", BinOp::Shl),
        (">>", BinOp::Shr),
    ] {
        f = reg_op(f, name, move |x, y| bin(op, x, y));
    }
    for (name, op) in [
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
        ("<", CmpOp::Lt),
        ("<=", CmpOp::Le),
        (">", CmpOp::Gt),
        (">=", CmpOp::Ge),
    ] {
        f = reg_op(f, name, move |x, y| cmp(op, x, y));
    }
    f.named("-", |a: Array| ops::unary(UnOp::Neg, &a).rh())
        .named("!", |a: Array| ops::unary(UnOp::Not, &a).rh());

    // ---- elementwise functions
    for (name, sig, doc, op) in [
        (
            "abs",
            "abs(x) -> Array",
            "Elementwise absolute value (keeps the dtype).",
            UnOp::Abs,
        ),
        (
            "sqrt",
            "sqrt(x) -> Array",
            "Elementwise square root (integers give float64).",
            UnOp::Sqrt,
        ),
        (
            "exp",
            "exp(x) -> Array",
            "Elementwise e^x (integers give float64).",
            UnOp::Exp,
        ),
        (
            "log",
            "log(x) -> Array",
            "Elementwise natural logarithm (integers give float64).",
            UnOp::Log,
        ),
        (
            "floor",
            "floor(x) -> Array",
            "Elementwise floor (keeps the dtype).",
            UnOp::Floor,
        ),
        (
            "ceil",
            "ceil(x) -> Array",
            "Elementwise ceiling (keeps the dtype).",
            UnOp::Ceil,
        ),
        (
            "isnan",
            "isnan(x) -> Array",
            "Bool mask of the NaN elements.",
            UnOp::IsNan,
        ),
    ] {
        r.func(name, sig, doc)
            .f(move |a: &mut Array| ops::unary(op, a).rh());
    }
    r.func(
        "where",
        "where(mask, a, b) -> Array",
        "Elementwise choice: `a` where `mask` is true, else `b` (arrays or numbers, \
broadcast together).",
    )
    .f(|m: Array, a: Dynamic, b: Dynamic| -> RResult<Array> {
        let oa = operand(&a, "where")?;
        let ob = operand(&b, "where")?;
        ops::where_(&m, &oa, &ob).rh()
    });

    // ---- reductions
    for red in Red::ALL {
        let (sig, doc) = match red {
            Red::Sum => (
                "x.sum([axis or list of axes])",
                "Sum of all elements (a number) or along `axis` (an Array); a list of axes \
reduces them all at once, like NumPy's `axis=(0, 2)`: `x.sum([0, 2])`. The reductions other \
than argmin/argmax take a list too. Every reduction takes options: \
`x.sum(#{axis: [0, 2], keepdims: true})` or `x.max(1, #{keepdims: true})` keep the reduced \
axes as length 1 (NumPy's `keepdims=True`), so the result broadcasts against x. Integers \
sum in int64 (uint64 for unsigned), bool counts. Float16/float32 values accumulate in float64 \
and the total is rounded once to the input's dtype, the same with or without an axis (NumPy \
adds float32 pairwise in float32, so its last digit can differ from this, more exact, sum).",
            ),
            Red::Min => (
                "x.min([axis or list of axes])",
                "Minimum (NaN propagates, as in NumPy). Empty arrays are an error.",
            ),
            Red::Max => (
                "x.max([axis or list of axes])",
                "Maximum (NaN propagates, as in NumPy). Empty arrays are an error.",
            ),
            Red::Mean => (
                "x.mean([axis or list of axes])",
                "Arithmetic mean (float64 for integers).",
            ),
            Red::Std => (
                "x.std([axis or list of axes])",
                "Population standard deviation (ddof = 0, like NumPy's default).",
            ),
            Red::Count => (
                "x.count([axis or list of axes])",
                "Number of non-zero (true) elements: `(x > 3).count()` counts matches.",
            ),
            Red::ArgMin => (
                "x.argmin([axis])",
                "Index of the first minimum (flat C-order index without an axis).",
            ),
            Red::ArgMax => (
                "x.argmax([axis])",
                "Index of the first maximum (flat C-order index without an axis).",
            ),
            Red::Any => (
                "x.any([axis or list of axes])",
                "True when any element is non-zero.",
            ),
            Red::All => (
                "x.all([axis or list of axes])",
                "True when every element is non-zero.",
            ),
        };
        let example = match red {
            Red::Sum => "x.sum(OPTS)",
            Red::Min => "x.min(OPTS)",
            Red::Max => "x.max(OPTS)",
            Red::Mean => "x.mean(OPTS)",
            Red::Std => "x.std(OPTS)",
            Red::Count => "x.count(OPTS)",
            Red::ArgMin => "x.argmin(OPTS)",
            Red::ArgMax => "x.argmax(OPTS)",
            Red::Any => "x.any(OPTS)",
            Red::All => "x.all(OPTS)",
        };
        let mut f = r.func(red.name(), sig, doc);
        // std's options (ddof, axis, keepdims) are registered with the NumPy functions.
        if red != Red::Std {
            f = f
                .opts(&[REDUCE_OPTS])
                .example(example)
                .f(move |a: &mut Array, o: rhai::Map| reduce_opts(a, red, None, &o))
                .f(move |a: &mut Array, axis: Dynamic, o: rhai::Map| {
                    reduce_opts(a, red, Some(axis), &o)
                });
        }
        f.f(move |a: &mut Array| reduce_dyn(a, red))
            .f(move |a: &mut Array, axis: INT| reduce_axis_dyn(a, red, axis))
            .f(
                move |a: &mut Array, axes: rhai::Array| -> RResult<Dynamic> {
                    let axes = conv::i64_list(&Dynamic::from(axes), red.name())?;
                    array_or_scalar(reduce::reduce_axes(a, red, &axes).rh()?)
                },
            );
    }

    // ---- sorting and counting
    r.func(
        "sort",
        "sort(x, [axis]) -> Array",
        "A sorted copy along the last axis, or along `axis` (negative counts from the end), \
NaN last as in NumPy; a parallel radix sort, stable, that stops on Ctrl-C. For Tables, \
`t.sort(column)`.",
    )
    .f(|a: &mut Array| sort::sort(a).rh())
    .f(|a: &mut Array, axis: INT| sort::sort_axis(a, axis).rh());
    r.func(
        "argsort",
        "argsort(x, [axis]) -> Array",
        "Indices (int64) that sort x along its last axis or along `axis`: NumPy's \
`kind=\"stable\"` (equal values keep their order, -0.0 equals 0.0, NaN last).",
    )
    .f(|a: &mut Array| sort::argsort(a).rh())
    .f(|a: &mut Array, axis: INT| sort::argsort_axis(a, axis).rh());
    r.func(
        "unique",
        "unique(x) -> Array",
        "The distinct values, sorted, as a 1-D array.",
    )
    .f(|a: &mut Array| sort::unique(a).rh());
    r.func(
        "unique_counts",
        "unique_counts(x) -> Table",
        "A Table of distinct values (`value`) and how often each occurs (`count`), most \
frequent first (ties in value order).",
    )
    .f(|a: &mut Array| sort::unique_counts(a).rh());
    r.func(
        "nonzero",
        "nonzero(x) -> Array (1-D) or array of Arrays (N-d)",
        "Indices (int64) of the nonzero (for bool masks: true) elements. For a 1-D input \
the one index Array itself (NumPy's `np.nonzero(x)[0]`); for N-d inputs one index Array \
per axis, as NumPy's tuple: `let ij = nonzero(m); m[ij[0]]`.",
    )
    .f(|m: &mut Array| -> RResult<Dynamic> {
        let mut per_axis = index::nonzero(m).rh()?;
        if per_axis.len() == 1 {
            return Ok(Dynamic::from(per_axis.remove(0)));
        }
        Ok(Dynamic::from_array(
            per_axis.into_iter().map(Dynamic::from).collect(),
        ))
    });
    r.func(
        "flatnonzero",
        "flatnonzero(x) -> Array",
        "Flat (C-order) indices (int64) of the nonzero elements, as NumPy's `flatnonzero`.",
    )
    .f(|m: &mut Array| -> RResult<Array> {
        let idx = index::flatnonzero(m).rh()?;
        let n = idx.len();
        Array::from_vec(idx.into_iter().map(|i| i as i64).collect(), vec![n]).rh()
    });
    r.func(
        "argwhere",
        "argwhere(x) -> Array",
        "Indices of the nonzero elements as rows: shape (count, ndim), int64 (NumPy's \
`argwhere`).",
    )
    .f(|m: &mut Array| index::argwhere(m).rh());

    // ---- creation
    r.func(
        "arange",
        "arange([start], stop, [step]) -> Array",
        "Evenly spaced values below `stop` (NumPy's arange): int64 for integer \
arguments, float64 when any is a float.",
    )
    .f(|stop: Dynamic| arange_dyn(&Dynamic::from_int(0), &stop, &Dynamic::from_int(1)))
    .f(|start: Dynamic, stop: Dynamic| arange_dyn(&start, &stop, &Dynamic::from_int(1)))
    .f(|start: Dynamic, stop: Dynamic, step: Dynamic| arange_dyn(&start, &stop, &step));
    r.func(
        "linspace",
        "linspace(a, b, n) -> Array",
        "`n` evenly spaced float64 values from a to b inclusive.",
    )
    .f(|a: Dynamic, b: Dynamic, n: INT| -> RResult<Array> {
        if n < 0 {
            return Err(format!("linspace: n must be >= 0, found {n}").into());
        }
        create::linspace(
            conv::num(&a, "linspace")?,
            conv::num(&b, "linspace")?,
            n as usize,
        )
        .rh()
    });
    r.func(
        "zeros",
        "zeros(shape, [dtype]) -> Array",
        "An array of zeros (default float64); `shape` is an int or a list of ints.",
    )
    .f(|s: Dynamic| full_dyn(&s, &Dynamic::from_float(0.0), None))
    .f(|s: Dynamic, d: &str| full_dyn(&s, &Dynamic::from_int(0), Some(d)));
    r.func(
        "ones",
        "ones(shape, [dtype]) -> Array",
        "An array of ones (default float64).",
    )
    .f(|s: Dynamic| full_dyn(&s, &Dynamic::from_float(1.0), None))
    .f(|s: Dynamic, d: &str| full_dyn(&s, &Dynamic::from_int(1), Some(d)));
    r.func(
        "full",
        "full(shape, value, [dtype]) -> Array",
        "An array filled with `value` (default dtype: int64 for an integer value, float64 \
for a float, bool for a bool).",
    )
    .f(|s: Dynamic, v: Dynamic| full_dyn(&s, &v, None))
    .f(|s: Dynamic, v: Dynamic, d: &str| full_dyn(&s, &v, Some(d)));
    r.func(
        "random",
        "random(shape, [seed]) -> Array",
        "Uniform float64 values in [0, 1), the same for the same seed on every machine \
(SplitMix64 counter stream; default seed 0).",
    )
    .f(|s: Dynamic| -> RResult<Array> { create::random(shape_arg(&s, "random")?, 0).rh() })
    .f(|s: Dynamic, seed: INT| -> RResult<Array> {
        create::random(shape_arg(&s, "random")?, seed).rh()
    });
    r.func(
        "randint",
        "randint(lo, hi, shape, [seed]) -> Array",
        "Uniform int64 values in [lo, hi), reproducible from the seed.",
    )
    .f(|lo: INT, hi: INT, s: Dynamic| -> RResult<Array> {
        create::randint(lo, hi, shape_arg(&s, "randint")?, 0).rh()
    })
    .f(
        |lo: INT, hi: INT, s: Dynamic, seed: INT| -> RResult<Array> {
            create::randint(lo, hi, shape_arg(&s, "randint")?, seed).rh()
        },
    );
    r.func(
        "array",
        "array(list, [dtype]) -> Array",
        "An Array from a Rhai list of numbers or bools (nested lists give more axes). \
Default dtype: bool for bools, int64 for integers, float64 when any element is a float.",
    )
    .f(|l: rhai::Array| from_list(l, None))
    .f(|l: rhai::Array, d: &str| from_list(l, Some(d)));
}
