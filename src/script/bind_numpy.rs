//! Rhai bindings for NumPy's array functions under NumPy's names (issue 12): elementwise
//! math, statistics (quantiles, NaN-ignoring reductions, `var`/`std` with `ddof`, ...),
//! running and searching functions, shape functions, construction and comparison.
//!
//! A module of its own (not more of `bind_array`) so that the Array basics and this
//! NumPy-compatibility layer can change independently; the kernels live in
//! `array::{math, npstats, cumulative, shape, linalg}`.

use rhai::{Dynamic, Map, INT};

use super::conv::{self, opt_bool, opt_f64, opt_i64, opt_str, scalar_dyn};
use super::registry::{check_opts, fail, opt, Opt, RResult, Reg};
use super::IntoRhai;
use crate::array::cumulative;
use crate::array::linalg;
use crate::array::math::{self, Math1, Math2};
use crate::array::npstats::{self, NanRed};
use crate::array::ops::{self, Operand};
use crate::array::select::dtype_arg;
use crate::array::shape;
use crate::array::{Array, DType};

// ------------------------------------------------------------------------- arguments

/// An elementwise argument: an Array (or HDF5 dataset, read), or a number or bool (a
/// NumPy "weak" scalar).
fn operand(v: &Dynamic, func: &str, which: &str) -> RResult<Operand> {
    if let Some(o) = conv::operand_of(v)? {
        return Ok(o);
    }
    if v.is_array() {
        return Ok(Operand::Arr(array_arg(v, func, which)?));
    }
    fail(format!(
        "{func}: {which} must be an Array or a number, found {}",
        v.type_name()
    ))
}

/// An Array argument: an Array, an HDF5 dataset (read), a number (0-d) or a list of
/// numbers (int64 when all are integers, float64 otherwise).
fn array_arg(v: &Dynamic, func: &str, which: &str) -> RResult<Array> {
    if let Some(a) = v.clone().try_cast::<Array>() {
        return Ok(a);
    }
    if let Some(d) = v.clone().try_cast::<crate::h5::H5Dataset>() {
        return d.read().rh();
    }
    if let Ok(i) = v.as_int() {
        return Ok(Array::scalar(i));
    }
    if let Ok(f) = v.as_float() {
        return Ok(Array::scalar(f));
    }
    if let Some(list) = v.clone().try_cast::<rhai::Array>() {
        let n = list.len();
        if list.iter().all(|x| x.is_int()) {
            let v: Vec<i64> = list.iter().map(|x| x.as_int().unwrap_or(0)).collect();
            return Array::from_vec(v, vec![n]).rh();
        }
        let v = conv::f64_list(&Dynamic::from(list), &format!("{func}: {which}"))?;
        return Array::from_vec(v, vec![n]).rh();
    }
    fail(format!(
        "{func}: {which} must be an Array or a list of numbers, found {}",
        v.type_name()
    ))
}

/// A list of Arrays (for `concatenate`, `stack`, ...).
fn array_list(l: &rhai::Array, func: &str) -> RResult<Vec<Array>> {
    l.iter()
        .enumerate()
        .map(|(i, v)| array_arg(v, func, &format!("element {i} of the list")))
        .collect()
}

/// One axis or a list of axes.
fn axes_arg(v: &Dynamic, func: &str) -> RResult<Vec<i64>> {
    if let Ok(i) = v.as_int() {
        return Ok(vec![i]);
    }
    conv::i64_list(v, &format!("{func}: axis"))
}

/// Numbers from a number, a list or an Array; `true` when a single number was given.
fn numbers(v: &Dynamic, func: &str, which: &str) -> RResult<(Vec<f64>, bool)> {
    if v.is_int() || v.is_float() {
        return Ok((vec![conv::num(v, func)?], true));
    }
    let a = array_arg(v, func, which)?;
    let f = ops::astype(&a, &DType::F64).rh()?;
    Ok((f.as_slice::<f64>().rh()?.into_owned(), false))
}

/// A 0-d result as a script number, anything else as an Array.
fn out(a: Array) -> Dynamic {
    if a.ndim() == 0 {
        if let Ok(s) = crate::array::select::item(&a) {
            return scalar_dyn(s);
        }
    }
    Dynamic::from(a)
}

fn axis_opt(o: &Map, func: &str) -> RResult<Option<Vec<i64>>> {
    o.get("axis")
        .filter(|v| !v.is_unit())
        .map(|v| axes_arg(v, func))
        .transpose()
}

// ------------------------------------------------------------------------- options

const DDOF_OPTS: &[Opt] = &[
    opt(
        "ddof",
        "number >= 0",
        "0",
        "divide by n - ddof (1 gives the sample variance)",
    ),
    opt(
        "axis",
        "int | list of ints",
        "",
        "reduce along these axes (all when absent)",
    ),
    opt(
        "keepdims",
        "bool",
        "false",
        "keep the reduced axes as length 1 (NumPy's keepdims=True)",
    ),
];
const AVERAGE_OPTS: &[Opt] = &[
    opt(
        "weights",
        "Array",
        "",
        "one weight per element (or per position along `axis`)",
    ),
    opt(
        "axis",
        "int",
        "",
        "average along this axis (all elements when absent)",
    ),
];
const COV_OPTS: &[Opt] = &[
    opt(
        "rowvar",
        "bool",
        "true",
        "rows are variables (false: columns are)",
    ),
    opt("ddof", "number", "1", "divide by n - ddof"),
];
const CORR_OPTS: &[Opt] = &[opt(
    "rowvar",
    "bool",
    "true",
    "rows are variables (false: columns are)",
)];
const SIDE_OPTS: &[Opt] = &[opt(
    "side",
    "\"left\" | \"right\"",
    "\"left\"",
    "the first (left) or last (right) place that keeps the order",
)];
const DIGITIZE_OPTS: &[Opt] = &[opt(
    "right",
    "bool",
    "false",
    "bins include their right edge instead of their left",
)];
const BINCOUNT_OPTS: &[Opt] = &[
    opt(
        "weights",
        "Array",
        "",
        "sum these (float64) instead of counting",
    ),
    opt("minlength", "int >= 0", "0", "at least this many bins"),
];
const INTERP_OPTS: &[Opt] = &[
    opt("left", "number", "fp[0]", "value below xp[0]"),
    opt("right", "number", "fp[-1]", "value above xp[-1]"),
];
const CLOSE_OPTS: &[Opt] = &[
    opt("rtol", "number", "1e-5", "relative tolerance (times |b|)"),
    opt("atol", "number", "1e-8", "absolute tolerance"),
    opt("equal_nan", "bool", "false", "NaN equals NaN"),
];
const EYE_OPTS: &[Opt] = &[
    opt("m", "int", "n", "number of columns"),
    opt(
        "k",
        "int",
        "0",
        "diagonal offset (positive: above the main diagonal)",
    ),
    opt("dtype", "string", "\"float64\"", "element type"),
];
const LOGSPACE_OPTS: &[Opt] = &[opt("base", "number", "10", "the base of the powers")];
const MESHGRID_OPTS: &[Opt] = &[opt(
    "indexing",
    "\"xy\" | \"ij\"",
    "\"xy\"",
    "xy: outputs of shape (len(y), len(x)); ij: (len(x), len(y))",
)];
const NORM_OPTS: &[Opt] = &[
    opt(
        "ord",
        "number | \"fro\" | \"nuc\" | \"inf\" | \"-inf\"",
        "2 (vectors), \"fro\" (matrices)",
        "vector p-norm (inf: max |x|) or matrix norm (see the description)",
    ),
    opt(
        "axis",
        "int | [int, int]",
        "",
        "vector norms along this axis, or matrix norms over these two axes",
    ),
    opt(
        "keepdims",
        "bool",
        "false",
        "keep the reduced axes as length 1 (NumPy's keepdims=True)",
    ),
];

fn ddof_call(x: &Array, o: &Map, std: bool, func: &str) -> RResult<Dynamic> {
    check_opts(o, &[DDOF_OPTS], func)?;
    let ddof = opt_f64(o, "ddof")?.unwrap_or(0.0);
    let axes = axis_opt(o, func)?;
    let r = npstats::var(x, axes.as_deref(), ddof, std, false).rh()?;
    if opt_bool(o, "keepdims")?.unwrap_or(false) {
        let all: Vec<i64> = (0..x.ndim() as i64).collect();
        return Ok(Dynamic::from(keep_dims(
            &r,
            x.ndim(),
            axes.as_deref().unwrap_or(&all),
            func,
        )?));
    }
    Ok(out(r))
}

fn close_args(o: &Map, func: &str) -> RResult<(f64, f64, bool)> {
    check_opts(o, &[CLOSE_OPTS], func)?;
    Ok((
        opt_f64(o, "rtol")?.unwrap_or(1e-5),
        opt_f64(o, "atol")?.unwrap_or(1e-8),
        opt_bool(o, "equal_nan")?.unwrap_or(false),
    ))
}

/// Register this module's functions.
pub fn register(r: &mut Reg) {
    // ---- elementwise math
    for op in Math1::ALL {
        let sig: &'static str = Box::leak(format!("{}(x) -> Array", op.name()).into_boxed_str());
        r.func(op.name(), sig, op.doc())
            .f(move |a: &mut Array| math::math1(op, a).rh());
    }
    r.func(
        "round",
        "round(x, [decimals]) -> Array",
        "Round to `decimals` places (default 0; negative rounds to tens, hundreds...), \
halves to even as NumPy's `round`: `round(x, 2)`. Floats keep their dtype; integers are \
unchanged unless decimals < 0.",
    )
    .f(|a: &mut Array| math::round(a, 0).rh())
    .f(|a: &mut Array, d: INT| math::round(a, d).rh());
    r.func(
        "clip",
        "clip(x, lo, hi) -> Array",
        "Limit the values to [lo, hi] (numbers or Arrays broadcast against x; `()` leaves \
that side open). NaN stays NaN. NumPy promotion: `clip(int_array, 0.5, 2)` gives float64.",
    )
    .f(|a: Array, lo: Dynamic, hi: Dynamic| -> RResult<Array> {
        let lo = (!lo.is_unit())
            .then(|| operand(&lo, "clip", "lo"))
            .transpose()?;
        let hi = (!hi.is_unit())
            .then(|| operand(&hi, "clip", "hi"))
            .transpose()?;
        math::clip(&a, lo.as_ref(), hi.as_ref()).rh()
    });
    for op in Math2::ALL {
        let sig: &'static str = Box::leak(
            if op == Math2::Arctan2 {
                "arctan2(y, x) -> Array".to_string()
            } else {
                format!("{}(x, y) -> Array", op.name())
            }
            .into_boxed_str(),
        );
        r.func(op.name(), sig, op.doc())
            .f(move |x: Dynamic, y: Dynamic| -> RResult<Array> {
                let name = op.name();
                let a = operand(&x, name, "the first argument")?;
                let b = operand(&y, name, "the second argument")?;
                if !matches!(a, Operand::Arr(_)) && !matches!(b, Operand::Arr(_)) {
                    return fail(format!("{name}: needs at least one Array argument"));
                }
                math::math2(op, &a, &b).rh()
            });
    }

    // `x ** y` is `pow(x, y)` whenever one side is an Array
    r.again("pow")
        .named("**", |x: Array, y: Dynamic| -> RResult<Array> {
            let b = operand(&y, "**", "the exponent")?;
            math::math2(Math2::Pow, &Operand::Arr(x), &b).rh()
        })
        .named("**", |x: Dynamic, y: Array| -> RResult<Array> {
            let a = operand(&x, "**", "the base")?;
            math::math2(Math2::Pow, &a, &Operand::Arr(y)).rh()
        });

    // ---- statistics
    r.func(
        "quantile",
        "quantile(x, q, [axis]) -> number or Array",
        "The q-th quantiles (q in [0, 1], a number or a list) of all elements or along \
`axis`, NumPy's default \"linear\" method: `quantile(x, [0.1, 0.9], 0)`. A NaN in a lane \
gives NaN (see nanquantile). With a list of q the q axis comes first.",
    )
    .f(|x: Array, q: Dynamic| quantile_call(&x, &q, None, false, 1.0, "quantile"))
    .f(|x: Array, q: Dynamic, axis: INT| quantile_call(&x, &q, Some(axis), false, 1.0, "quantile"));
    r.func(
        "percentile",
        "percentile(x, q, [axis]) -> number or Array",
        "Like quantile with q in percent [0, 100]: `percentile(x, 95)`.",
    )
    .f(|x: Array, q: Dynamic| quantile_call(&x, &q, None, false, 100.0, "percentile"))
    .f(|x: Array, q: Dynamic, axis: INT| {
        quantile_call(&x, &q, Some(axis), false, 100.0, "percentile")
    });
    r.func(
        "nanquantile",
        "nanquantile(x, q, [axis]) -> number or Array",
        "quantile ignoring NaN (an all-NaN lane gives NaN).",
    )
    .f(|x: Array, q: Dynamic| quantile_call(&x, &q, None, true, 1.0, "nanquantile"))
    .f(|x: Array, q: Dynamic, axis: INT| {
        quantile_call(&x, &q, Some(axis), true, 1.0, "nanquantile")
    });
    r.func(
        "nanpercentile",
        "nanpercentile(x, q, [axis]) -> number or Array",
        "percentile ignoring NaN.",
    )
    .f(|x: Array, q: Dynamic| quantile_call(&x, &q, None, true, 100.0, "nanpercentile"))
    .f(|x: Array, q: Dynamic, axis: INT| {
        quantile_call(&x, &q, Some(axis), true, 100.0, "nanpercentile")
    });
    r.func(
        "median",
        "median(x, [axis]) -> number or Array",
        "The median of all elements or along `axis` (the mean of the two middle values \
for even counts; NaN if there is a NaN). Float32 stays float32, integers give float64.",
    )
    .f(|x: &mut Array| npstats::median(x, None, false).map(out).rh())
    .f(|x: &mut Array, axis: INT| npstats::median(x, Some(axis), false).map(out).rh());
    r.func(
        "nanmedian",
        "nanmedian(x, [axis]) -> number or Array",
        "median ignoring NaN.",
    )
    .f(|x: &mut Array| npstats::median(x, None, true).map(out).rh())
    .f(|x: &mut Array, axis: INT| npstats::median(x, Some(axis), true).map(out).rh());
    for red in [
        NanRed::Sum,
        NanRed::Mean,
        NanRed::Min,
        NanRed::Max,
        NanRed::Std,
        NanRed::Var,
    ] {
        let (sig, doc): (&'static str, &'static str) = match red {
            NanRed::Sum => (
                "nansum(x, [axis or list of axes])",
                "Sum ignoring NaN (0 when all are NaN).",
            ),
            NanRed::Mean => (
                "nanmean(x, [axis or list of axes])",
                "Mean of the non-NaN elements (NaN when there are none).",
            ),
            NanRed::Min => (
                "nanmin(x, [axis or list of axes])",
                "Minimum ignoring NaN (NaN when all are NaN).",
            ),
            NanRed::Max => (
                "nanmax(x, [axis or list of axes])",
                "Maximum ignoring NaN (NaN when all are NaN).",
            ),
            NanRed::Std => (
                "nanstd(x, [axis or list of axes])",
                "Population standard deviation of the non-NaN elements.",
            ),
            NanRed::Var => (
                "nanvar(x, [axis or list of axes])",
                "Population variance of the non-NaN elements.",
            ),
        };
        r.func(red.name(), sig, doc)
            .f(move |x: &mut Array| npstats::nan_reduce(x, red, None).map(out).rh())
            .f(move |x: &mut Array, axes: Dynamic| -> RResult<Dynamic> {
                let ax = axes_arg(&axes, red.name())?;
                npstats::nan_reduce(x, red, Some(&ax)).map(out).rh()
            });
    }
    r.func(
        "variance",
        "variance(x, [axis or list of axes], [#{ddof, axis}]) -> number or Array",
        "Variance, NumPy's `var` (`var` is a reserved word in Rhai): mean squared deviation \
from the mean, divided by n - ddof (`#{ddof: 1}` for the sample variance). Float inputs keep \
their dtype.",
    )
    .opts(&[DDOF_OPTS])
    .example("variance(x, OPTS)")
    .f(|x: &mut Array| npstats::var(x, None, 0.0, false, false).map(out).rh())
    .f(|x: &mut Array, o: Map| ddof_call(x, &o, false, "variance"))
    .f(|x: &mut Array, axes: INT| {
        npstats::var(x, Some(&[axes]), 0.0, false, false)
            .map(out)
            .rh()
    })
    .f(|x: &mut Array, axes: rhai::Array| -> RResult<Dynamic> {
        let ax = axes_arg(&Dynamic::from(axes), "variance")?;
        npstats::var(x, Some(&ax), 0.0, false, false).map(out).rh()
    });
    r.func(
        "std",
        "std(x, #{ddof, axis}) -> number or Array",
        "Standard deviation with options: `std(x, #{ddof: 1})` is the sample standard \
deviation, `#{axis: 0}` or `#{axis: [0, 2]}` reduces along axes. `x.std([axis])` without \
options is the population value (ddof = 0).",
    )
    .opts(&[DDOF_OPTS])
    .example("std(x, OPTS)")
    .f(|x: &mut Array, o: Map| ddof_call(x, &o, true, "std"));
    r.func(
        "prod",
        "prod(x, [axis or list of axes]) -> number or Array",
        "Product of the elements: integers in int64 (uint64 for unsigned, wrapping like \
NumPy), floats keep their dtype.",
    )
    .f(|x: &mut Array| npstats::prod(x, None).map(out).rh())
    .f(|x: &mut Array, axes: Dynamic| -> RResult<Dynamic> {
        let ax = axes_arg(&axes, "prod")?;
        npstats::prod(x, Some(&ax)).map(out).rh()
    });
    r.func(
        "ptp",
        "ptp(x, [axis or list of axes]) -> number or Array",
        "Peak to peak: max - min (integers wrap in their dtype, as NumPy).",
    )
    .f(|x: &mut Array| npstats::ptp(x, None).map(out).rh())
    .f(|x: &mut Array, axes: Dynamic| -> RResult<Dynamic> {
        let ax = axes_arg(&axes, "ptp")?;
        npstats::ptp(x, Some(&ax)).map(out).rh()
    });
    r.func(
        "average",
        "average(x, [#{weights, axis}]) -> number or Array",
        "Weighted mean, sum(x * w) / sum(w), of all elements or along `axis`; without \
weights the plain mean. Weights summing to zero are an error.",
    )
    .opts(&[AVERAGE_OPTS])
    .example("average(x, OPTS)")
    .f(|x: &mut Array| npstats::average(x, None, None).map(out).rh())
    .f(|x: &mut Array, o: Map| -> RResult<Dynamic> {
        check_opts(&o, &[AVERAGE_OPTS], "average")?;
        let w = o
            .get("weights")
            .map(|v| array_arg(v, "average", "weights"))
            .transpose()?;
        let axis = opt_i64(&o, "axis")?;
        npstats::average(x, w.as_ref(), axis).map(out).rh()
    });
    r.func(
        "cov",
        "cov(x, [y], [#{rowvar, ddof}]) -> number or Array",
        "Covariance matrix of the variables in the rows of x (and y), NumPy's `cov` \
(ddof = 1). One variable gives a number. Float64.",
    )
    .opts(&[COV_OPTS])
    .example("cov(x, OPTS)")
    .f(|x: Array| npstats::cov(&x, None, true, 1.0).map(out).rh())
    .f(|x: Array, y: Array| npstats::cov(&x, Some(&y), true, 1.0).map(out).rh())
    .f(|x: Array, o: Map| cov_call(&x, None, &o))
    .f(|x: Array, y: Array, o: Map| cov_call(&x, Some(&y), &o));
    r.func(
        "corrcoef",
        "corrcoef(x, [y], [#{rowvar}]) -> number or Array",
        "Pearson correlation coefficients of the variables in the rows of x (and y), \
NumPy's `corrcoef`.",
    )
    .opts(&[CORR_OPTS])
    .example("corrcoef(x, OPTS)")
    .f(|x: Array| npstats::corrcoef(&x, None, true).map(out).rh())
    .f(|x: Array, y: Array| npstats::corrcoef(&x, Some(&y), true).map(out).rh())
    .f(|x: Array, o: Map| corr_call(&x, None, &o))
    .f(|x: Array, y: Array, o: Map| corr_call(&x, Some(&y), &o));
    r.func(
        "polyfit",
        "polyfit(x, y, deg) -> Array",
        "Least-squares polynomial of degree `deg` through the points (x, y): the \
coefficients, highest power first (NumPy's `polyfit`). `polyval(p, x)` evaluates it.",
    )
    .f(|x: Dynamic, y: Dynamic, deg: INT| -> RResult<Array> {
        let x = array_arg(&x, "polyfit", "x")?;
        let y = array_arg(&y, "polyfit", "y")?;
        npstats::polyfit(&x, &y, deg).rh()
    });
    r.func(
        "polyval",
        "polyval(p, x) -> Array or number",
        "The polynomial with coefficients p (highest power first; a list or an Array) \
at x (an Array or a number), by Horner's rule like NumPy.",
    )
    .f(|p: Dynamic, x: Dynamic| -> RResult<Dynamic> {
        let (pv, _) = numbers(&p, "polyval", "p")?;
        let xa = array_arg(&x, "polyval", "x")?;
        npstats::polyval(&pv, &xa).map(out).rh()
    });

    // ---- running and searching
    r.func(
        "cumsum",
        "cumsum(x, [axis]) -> Array",
        "Running sum along `axis`, or of the flattened array (NumPy: without an axis the \
result is 1-D). Integers accumulate in int64 (uint64 for unsigned), floats in their dtype.",
    )
    .f(|x: &mut Array| cumulative::cumulative(x, None, false).rh())
    .f(|x: &mut Array, axis: INT| cumulative::cumulative(x, Some(axis), false).rh());
    r.func(
        "cumprod",
        "cumprod(x, [axis]) -> Array",
        "Running product along `axis`, or of the flattened array.",
    )
    .f(|x: &mut Array| cumulative::cumulative(x, None, true).rh())
    .f(|x: &mut Array, axis: INT| cumulative::cumulative(x, Some(axis), true).rh());
    r.func(
        "diff",
        "diff(x, [n], [axis]) -> Array",
        "The n-th difference (default 1) along `axis` (default the last): x[i+1] - x[i], \
repeated n times, so the axis gets n shorter. Integers wrap in their dtype; bool gives \
x[i+1] != x[i].",
    )
    .f(|x: &mut Array| cumulative::diff(x, 1, -1).rh())
    .f(|x: &mut Array, n: INT| cumulative::diff(x, n, -1).rh())
    .f(|x: &mut Array, n: INT, axis: INT| cumulative::diff(x, n, axis).rh());
    r.func(
        "searchsorted",
        "searchsorted(a, v, [#{side}]) -> Array or int",
        "Where the values v (an Array or a number) would be inserted into the sorted 1-D \
array a to keep it sorted (int64 indices): the first such place, or the last with \
`#{side: \"right\"}`. NaN sorts last, as in NumPy.",
    )
    .opts(&[SIDE_OPTS])
    .example("searchsorted(sort(x), y, OPTS)")
    .f(|a: Array, v: Dynamic| search_call(&a, &v, &Map::new()))
    .f(|a: Array, v: Dynamic, o: Map| search_call(&a, &v, &o));
    r.func(
        "digitize",
        "digitize(x, bins, [#{right}]) -> Array or int",
        "The index of the bin each value falls in (NumPy's `digitize`): i such that \
bins[i-1] <= x < bins[i] for increasing bins (0 below, len(bins) above); bins may also \
decrease.",
    )
    .opts(&[DIGITIZE_OPTS])
    .example("digitize(x, [0.1, 0.5, 0.9], OPTS)")
    .f(|x: Dynamic, bins: Dynamic| digitize_call(&x, &bins, &Map::new()))
    .f(|x: Dynamic, bins: Dynamic, o: Map| digitize_call(&x, &bins, &o));
    r.func(
        "bincount",
        "bincount(x, [#{weights, minlength}]) -> Array",
        "How often each value 0, 1, ..., max(x) occurs in the 1-D non-negative integer \
array x (int64), or the sums of `weights` per value (float64).",
    )
    .opts(&[BINCOUNT_OPTS])
    .example("bincount(randint(0, 10, 100), OPTS)")
    .f(|x: Array| cumulative::bincount(&x, None, 0).rh())
    .f(|x: Array, o: Map| -> RResult<Array> {
        check_opts(&o, &[BINCOUNT_OPTS], "bincount")?;
        let w = o
            .get("weights")
            .map(|v| array_arg(v, "bincount", "weights"))
            .transpose()?;
        let m = opt_i64(&o, "minlength")?.unwrap_or(0);
        cumulative::bincount(&x, w.as_ref(), m).rh()
    });
    r.func(
        "interp",
        "interp(x, xp, fp, [#{left, right}]) -> Array or number",
        "Piecewise-linear interpolation at x of the points (xp, fp), xp increasing; \
outside, fp[0] / fp[-1] or `left` / `right`. Float64, bit for bit NumPy's `interp`.",
    )
    .opts(&[INTERP_OPTS])
    .example("interp(x, [0.0, 1.0], [10.0, 20.0], OPTS)")
    .f(|x: Dynamic, xp: Dynamic, fp: Dynamic| interp_call(&x, &xp, &fp, &Map::new()))
    .f(|x: Dynamic, xp: Dynamic, fp: Dynamic, o: Map| interp_call(&x, &xp, &fp, &o));

    // ---- shape
    r.func(
        "concatenate",
        "concatenate(list, [axis]) -> Array",
        "Join Arrays along an existing axis (default 0); the other axes must match; \
dtypes are promoted.",
    )
    .f(|l: rhai::Array| shape::concatenate(&array_list(&l, "concatenate")?, 0).rh())
    .f(|l: rhai::Array, axis: INT| shape::concatenate(&array_list(&l, "concatenate")?, axis).rh());
    r.func(
        "stack",
        "stack(list, [axis]) -> Array",
        "Join Arrays of the same shape along a new axis (default 0).",
    )
    .f(|l: rhai::Array| shape::stack(&array_list(&l, "stack")?, 0).rh())
    .f(|l: rhai::Array, axis: INT| shape::stack(&array_list(&l, "stack")?, axis).rh());
    r.func(
        "hstack",
        "hstack(list) -> Array",
        "Join along the second axis (the first for 1-D arrays), NumPy's `hstack`.",
    )
    .f(|l: rhai::Array| shape::hstack(&array_list(&l, "hstack")?).rh());
    r.func(
        "vstack",
        "vstack(list) -> Array",
        "Join along the first axis, 1-D arrays becoming rows, NumPy's `vstack`.",
    )
    .f(|l: rhai::Array| shape::vstack(&array_list(&l, "vstack")?).rh());
    r.func(
        "transpose",
        "transpose(x, [axes]) -> Array",
        "The axes reversed, or in the order `axes` (a list; negative counts from the \
end): `transpose(x, [1, 0, 2])`. A view, no copy.",
    )
    .f(|x: &mut Array| Ok::<_, Box<rhai::EvalAltResult>>(x.transpose()))
    .f(|x: &mut Array, axes: rhai::Array| -> RResult<Array> {
        let ax = conv::i64_list(&Dynamic::from(axes), "transpose: axes")?;
        shape::transpose(x, &ax).rh()
    });
    r.func(
        "squeeze",
        "squeeze(x, [axis or list of axes]) -> Array",
        "Remove axes of length 1 (all, or the given ones, which must have length 1). A view.",
    )
    .f(|x: &mut Array| shape::squeeze(x, None).rh())
    .f(|x: &mut Array, axes: Dynamic| -> RResult<Array> {
        let ax = axes_arg(&axes, "squeeze")?;
        shape::squeeze(x, Some(&ax)).rh()
    });
    r.func(
        "expand_dims",
        "expand_dims(x, axis) -> Array",
        "Insert an axis of length 1 at `axis` (negative counts from the end). A view.",
    )
    .f(|x: &mut Array, axis: INT| shape::expand_dims(x, axis).rh());
    r.func(
        "flip",
        "flip(x, [axis]) -> Array",
        "Reverse the elements along `axis`, or along every axis. A view.",
    )
    .f(|x: &mut Array| shape::flip(x, None).rh())
    .f(|x: &mut Array, axis: INT| shape::flip(x, Some(axis)).rh());
    r.func(
        "roll",
        "roll(x, shift, [axis]) -> Array",
        "Shift the elements by `shift` positions along `axis` (wrapping around), or of the \
flattened array keeping the shape.",
    )
    .f(|x: &mut Array, s: INT| shape::roll(x, s, None).rh())
    .f(|x: &mut Array, s: INT, axis: INT| shape::roll(x, s, Some(axis)).rh());
    r.func(
        "repeat",
        "repeat(x, n, [axis]) -> Array",
        "Repeat each element n times along `axis`, or of the flattened array.",
    )
    .f(|x: &mut Array, n: INT| shape::repeat(x, n, None).rh())
    .f(|x: &mut Array, n: INT, axis: INT| shape::repeat(x, n, Some(axis)).rh());
    r.func(
        "tile",
        "tile(x, reps) -> Array",
        "The whole array repeated `reps` times (an int, or a list: per axis, counted from \
the last), NumPy's `tile`.",
    )
    .f(|x: &mut Array, reps: Dynamic| -> RResult<Array> {
        let reps = axes_arg(&reps, "tile")?;
        shape::tile(x, &reps).rh()
    });
    r.func(
        "ravel",
        "ravel(x) -> Array",
        "The elements in C order as a 1-D array (a view when x is contiguous).",
    )
    .f(|x: &mut Array| shape::ravel(x).rh());

    // ---- construction
    r.func(
        "zeros_like",
        "zeros_like(x, [dtype]) -> Array",
        "Zeros of x's shape and dtype (or `dtype`).",
    )
    .f(|x: &mut Array| shape::full_like(x, 0.0, Some(0), None).rh())
    .f(|x: &mut Array, d: &str| {
        shape::full_like(x, 0.0, Some(0), Some(&dtype_arg(d, "zeros_like").rh()?)).rh()
    });
    r.func(
        "ones_like",
        "ones_like(x, [dtype]) -> Array",
        "Ones of x's shape and dtype (or `dtype`).",
    )
    .f(|x: &mut Array| shape::full_like(x, 1.0, Some(1), None).rh())
    .f(|x: &mut Array, d: &str| {
        shape::full_like(x, 1.0, Some(1), Some(&dtype_arg(d, "ones_like").rh()?)).rh()
    });
    r.func(
        "full_like",
        "full_like(x, value, [dtype]) -> Array",
        "`value` in x's shape and dtype (or `dtype`); the value is converted to the dtype.",
    )
    .f(|x: &mut Array, v: Dynamic| full_like_call(x, &v, None))
    .f(|x: &mut Array, v: Dynamic, d: &str| full_like_call(x, &v, Some(d)));
    r.func(
        "eye",
        "eye(n, [#{m, k, dtype}]) -> Array",
        "The n×m identity matrix (ones on diagonal k).",
    )
    .opts(&[EYE_OPTS])
    .example("eye(3, OPTS)")
    .f(|n: INT| linalg::eye(n, n, 0, &DType::F64).rh())
    .f(|n: INT, o: Map| -> RResult<Array> {
        check_opts(&o, &[EYE_OPTS], "eye")?;
        let m = opt_i64(&o, "m")?.unwrap_or(n);
        let k = opt_i64(&o, "k")?.unwrap_or(0);
        let d = match opt_str(&o, "dtype")? {
            Some(s) => dtype_arg(&s, "eye").rh()?,
            None => DType::F64,
        };
        linalg::eye(n, m, k, &d).rh()
    });
    r.func(
        "logspace",
        "logspace(a, b, n, [#{base}]) -> Array",
        "n values from base^a to base^b, evenly spaced in the exponent (float64).",
    )
    .opts(&[LOGSPACE_OPTS])
    .example("logspace(0, 3, 4, OPTS)")
    .f(|a: Dynamic, b: Dynamic, n: INT| logspace_call(&a, &b, n, &Map::new()))
    .f(|a: Dynamic, b: Dynamic, n: INT, o: Map| logspace_call(&a, &b, n, &o));
    r.func(
        "meshgrid",
        "meshgrid(x, y, [#{indexing}]) -> [X, Y]",
        "Coordinate matrices from two 1-D arrays, NumPy's `meshgrid`: with the default \
\"xy\" indexing X and Y have shape (len(y), len(x)). `let g = meshgrid(x, y); g[0]`.",
    )
    .opts(&[MESHGRID_OPTS])
    .example("meshgrid(x, y, OPTS)")
    .f(|x: Dynamic, y: Dynamic| meshgrid_call(&x, &y, &Map::new()))
    .f(|x: Dynamic, y: Dynamic, o: Map| meshgrid_call(&x, &y, &o));

    // ---- comparison
    r.func(
        "isclose",
        "isclose(a, b, [#{rtol, atol, equal_nan}]) -> Array",
        "Elementwise |a - b| <= atol + rtol * |b| (NumPy's `isclose`; infinities are close \
only to themselves), broadcast.",
    )
    .opts(&[CLOSE_OPTS])
    .example("isclose(x, y, OPTS)")
    .f(|a: Dynamic, b: Dynamic| isclose_call(&a, &b, &Map::new()))
    .f(|a: Dynamic, b: Dynamic, o: Map| isclose_call(&a, &b, &o));
    r.func(
        "allclose",
        "allclose(a, b, [#{rtol, atol, equal_nan}]) -> bool",
        "True when isclose holds for every element.",
    )
    .opts(&[CLOSE_OPTS])
    .example("allclose(x, y, OPTS)")
    .f(|a: Dynamic, b: Dynamic| allclose_call(&a, &b, &Map::new()))
    .f(|a: Dynamic, b: Dynamic, o: Map| allclose_call(&a, &b, &o));
    r.func(
        "array_equal",
        "array_equal(a, b) -> bool",
        "True when a and b have the same shape and equal elements (NaN is never equal, \
as in NumPy).",
    )
    .f(|a: Dynamic, b: Dynamic| -> RResult<bool> {
        let a = array_arg(&a, "array_equal", "a")?;
        let b = array_arg(&b, "array_equal", "b")?;
        linalg::array_equal(&a, &b).rh()
    });

    // ---- linear algebra
    r.func(
        "dot",
        "dot(a, b) -> Array or number",
        "NumPy's `dot`: inner product of 1-D arrays, matrix product of 2-D arrays, \
matrix-vector products; above 2-D a sum over the last axis of a and the second-to-last of b \
(`tensordot(a, b, [[-1], [-2]])`). Float64 (float32 when both are float32).",
    )
    .f(|a: Dynamic, b: Dynamic| -> RResult<Dynamic> {
        let a = array_arg(&a, "dot", "a")?;
        let b = array_arg(&b, "dot", "b")?;
        linalg::matmul(&a, &b, "dot").map(out).rh()
    });
    r.func(
        "matmul",
        "matmul(a, b) -> Array or number",
        "Matrix product (NumPy's `@`): 1-D and 2-D operands as in `dot`; above 2-D the last \
two axes are matrices and the leading (batch) axes broadcast: (10, 3, 4) with (4, 5) gives \
(10, 3, 5).",
    )
    .f(|a: Dynamic, b: Dynamic| -> RResult<Dynamic> {
        let a = array_arg(&a, "matmul", "a")?;
        let b = array_arg(&b, "matmul", "b")?;
        linalg::matmul(&a, &b, "matmul").map(out).rh()
    });
    r.func(
        "tensordot",
        "tensordot(a, b, [axes]) -> Array or number",
        "NumPy's `tensordot`: sum of products over paired axes. `axes` is a count N (the last N \
axes of a with the first N of b; default 2) or a pair of lists `[[a axes], [b axes]]`. The \
result has a's remaining axes, then b's. RGB weights over the last axis of frames: \
`tensordot(frames, [0.299, 0.587, 0.114], [[-1], [0]])`.",
    )
    .f(|a: Dynamic, b: Dynamic| tensordot_call(&a, &b, &Dynamic::from(2 as INT)))
    .f(|a: Dynamic, b: Dynamic, axes: Dynamic| tensordot_call(&a, &b, &axes));
    r.func(
        "outer",
        "outer(a, b) -> Array",
        "Outer product of the flattened a and b: out[i, j] = a[i] * b[j].",
    )
    .f(|a: Dynamic, b: Dynamic| -> RResult<Array> {
        let a = array_arg(&a, "outer", "a")?;
        let b = array_arg(&b, "outer", "b")?;
        linalg::outer(&a, &b).rh()
    });
    r.func(
        "norm",
        "norm(x, [#{ord, axis, keepdims}]) -> number or Array",
        "NumPy's `linalg.norm`. Without options the 2-norm of all elements (Frobenius for a \
matrix). With `ord`: a 1-D array's vector p-norm (1, 2, inf, -inf, 0, any p), a 2-D \
array's matrix norm (\"fro\", \"nuc\", 1 / -1: max / min column sum of |x|, inf / -inf: \
max / min row sum, 2 / -2: largest / smallest singular value). `axis: k` takes vector norms \
along axis k, `axis: [i, j]` matrix norms over those two axes. Float inputs keep their \
dtype, others give float64.",
    )
    .opts(&[NORM_OPTS])
    .example("norm(x, OPTS)")
    .f(|x: Array| linalg::norm(&x, 2.0, None).map(out).rh())
    .f(|x: Array, o: Map| norm_call(&x, &o));
}

/// `norm(x, #{ord, axis, keepdims})` (see its doc).
fn norm_call(x: &Array, o: &Map) -> RResult<Dynamic> {
    check_opts(o, &[NORM_OPTS], "norm")?;
    // None: the default order; Some(Err(s)): a named matrix order ("fro", "nuc").
    let ord: Option<std::result::Result<f64, String>> = match o.get("ord").filter(|v| !v.is_unit())
    {
        None => None,
        Some(v) if v.is_string() => {
            let s = v.clone().into_string().unwrap_or_default();
            Some(match s.as_str() {
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                "fro" | "nuc" => Err(s),
                _ => {
                    return fail(format!(
                        "norm: unknown ord \"{s}\" (a number, \"fro\", \"nuc\", \"inf\", \"-inf\")"
                    ))
                }
            })
        }
        Some(v) => Some(Ok(conv::num(v, "norm: ord")?)),
    };
    let axes = axis_opt(o, "norm")?;
    let keep = opt_bool(o, "keepdims")?.unwrap_or(false);
    let mat_ord = |ord: &Option<std::result::Result<f64, String>>| match ord {
        None => linalg::MatOrd::Fro,
        Some(Err(s)) if s == "nuc" => linalg::MatOrd::Nuc,
        Some(Err(_)) => linalg::MatOrd::Fro,
        Some(Ok(v)) => linalg::MatOrd::Num(*v),
    };
    let (r, reduced): (Array, Vec<i64>) = match axes.as_deref() {
        Some([i, j]) => (
            linalg::matrix_norm(x, mat_ord(&ord), (*i, *j)).rh()?,
            vec![*i, *j],
        ),
        Some([k]) => {
            let p = match &ord {
                None => 2.0,
                Some(Ok(v)) => *v,
                Some(Err(s)) if s == "fro" => 2.0,
                Some(Err(s)) => {
                    return fail(format!(
                        "norm: ord \"{s}\" is a matrix norm; it needs `axis: [i, j]` or a 2-D array"
                    ))
                }
            };
            (linalg::norm(x, p, Some(*k)).rh()?, vec![*k])
        }
        Some(other) => {
            return fail(format!(
                "norm: axis takes one axis (vector norms) or two (matrix norms), found {other:?}"
            ))
        }
        None => match (&ord, x.ndim()) {
            (Some(_), 2) => (
                linalg::matrix_norm(x, mat_ord(&ord), (0, 1)).rh()?,
                vec![0, 1],
            ),
            (Some(Err(s)), n) if s == "nuc" || n > 2 => {
                return fail(format!(
                    "norm: ord \"{s}\" needs a 2-D array or `axis: [i, j]` (found {n} dimensions)"
                ))
            }
            (Some(Ok(_)), n) if n > 2 => {
                return fail(format!(
                    "norm: with `ord`, x must be 1-D or 2-D or an axis given (found {n} dimensions)"
                ))
            }
            (Some(Ok(v)), _) => (
                linalg::norm(x, *v, None).rh()?,
                (0..x.ndim() as i64).collect(),
            ),
            _ => (
                linalg::norm(x, 2.0, None).rh()?,
                (0..x.ndim() as i64).collect(),
            ),
        },
    };
    if keep {
        return Ok(Dynamic::from(keep_dims(&r, x.ndim(), &reduced, "norm")?));
    }
    Ok(out(r))
}

/// The result of reducing `axes` of an `ndim`-dimensional array with those axes put back
/// as length 1 (NumPy's `keepdims=True`).
pub(super) fn keep_dims(r: &Array, ndim: usize, axes: &[i64], func: &str) -> RResult<Array> {
    let mut red = vec![false; ndim];
    for &a in axes {
        let k = if a < 0 { a + ndim as i64 } else { a };
        if k < 0 || k >= ndim as i64 {
            return fail(format!(
                "{func}: axis {a} is out of range for {ndim} dimensions"
            ));
        }
        red[k as usize] = true;
    }
    let mut rest = r.shape().iter();
    let mut shape = Vec::with_capacity(ndim);
    for is_red in red {
        shape.push(if is_red {
            1
        } else {
            *rest.next().unwrap_or(&1)
        });
    }
    r.reshape(shape).rh()
}

fn tensordot_call(a: &Dynamic, b: &Dynamic, axes: &Dynamic) -> RResult<Dynamic> {
    let a = array_arg(a, "tensordot", "a")?;
    let b = array_arg(b, "tensordot", "b")?;
    let (aa, ba): (Vec<i64>, Vec<i64>) = if let Ok(n) = axes.as_int() {
        if n < 0 || n as usize > a.ndim() || n as usize > b.ndim() {
            return fail(format!(
                "tensordot: axes = {n} needs 0 <= N <= the dimensions of both arrays ({} and {})",
                a.ndim(),
                b.ndim()
            ));
        }
        let n = n as usize;
        (
            (a.ndim() - n..a.ndim()).map(|i| i as i64).collect(),
            (0..n).map(|i| i as i64).collect(),
        )
    } else {
        let pair = axes.clone().into_array().map_err(|_| {
            Box::<rhai::EvalAltResult>::from(
                "tensordot: axes must be a count or a pair of lists [[a axes], [b axes]]",
            )
        })?;
        if pair.len() != 2 {
            return fail(format!(
                "tensordot: axes must be a pair [[a axes], [b axes]], found {} items",
                pair.len()
            ));
        }
        (
            axes_arg(&pair[0], "tensordot")?,
            axes_arg(&pair[1], "tensordot")?,
        )
    };
    linalg::tensordot(&a, &b, &aa, &ba).map(out).rh()
}

fn quantile_call(
    x: &Array,
    q: &Dynamic,
    axis: Option<INT>,
    nan: bool,
    scale: f64,
    func: &'static str,
) -> RResult<Dynamic> {
    let (qs, scalar) = numbers(q, func, "q")?;
    if let Some(bad) = qs.iter().find(|v| !(0.0..=scale).contains(*v)) {
        return fail(format!("{func}: q must be in [0, {scale}], found {bad}"));
    }
    let qs: Vec<f64> = qs.into_iter().map(|v| v / scale).collect();
    npstats::quantile(x, &qs, axis, nan, scalar, func)
        .map(out)
        .rh()
}

fn cov_call(x: &Array, y: Option<&Array>, o: &Map) -> RResult<Dynamic> {
    check_opts(o, &[COV_OPTS], "cov")?;
    let rowvar = opt_bool(o, "rowvar")?.unwrap_or(true);
    let ddof = opt_f64(o, "ddof")?.unwrap_or(1.0);
    npstats::cov(x, y, rowvar, ddof).map(out).rh()
}

fn corr_call(x: &Array, y: Option<&Array>, o: &Map) -> RResult<Dynamic> {
    check_opts(o, &[CORR_OPTS], "corrcoef")?;
    let rowvar = opt_bool(o, "rowvar")?.unwrap_or(true);
    npstats::corrcoef(x, y, rowvar).map(out).rh()
}

fn search_call(a: &Array, v: &Dynamic, o: &Map) -> RResult<Dynamic> {
    check_opts(o, &[SIDE_OPTS], "searchsorted")?;
    let right = match opt_str(o, "side")?.as_deref() {
        None | Some("left") => false,
        Some("right") => true,
        Some(s) => {
            return fail(format!(
                "searchsorted: side must be \"left\" or \"right\", found \"{s}\""
            ))
        }
    };
    let v = operand(v, "searchsorted", "v")?;
    cumulative::searchsorted(a, &v, right).map(out).rh()
}

fn digitize_call(x: &Dynamic, bins: &Dynamic, o: &Map) -> RResult<Dynamic> {
    check_opts(o, &[DIGITIZE_OPTS], "digitize")?;
    let right = opt_bool(o, "right")?.unwrap_or(false);
    let x = operand(x, "digitize", "x")?;
    let bins = array_arg(bins, "digitize", "bins")?;
    cumulative::digitize(&x, &bins, right).map(out).rh()
}

fn interp_call(x: &Dynamic, xp: &Dynamic, fp: &Dynamic, o: &Map) -> RResult<Dynamic> {
    check_opts(o, &[INTERP_OPTS], "interp")?;
    let x = operand(x, "interp", "x")?;
    let xp = array_arg(xp, "interp", "xp")?;
    let fp = array_arg(fp, "interp", "fp")?;
    cumulative::interp(&x, &xp, &fp, opt_f64(o, "left")?, opt_f64(o, "right")?)
        .map(out)
        .rh()
}

fn full_like_call(x: &Array, v: &Dynamic, d: Option<&str>) -> RResult<Array> {
    let d = d.map(|d| dtype_arg(d, "full_like")).transpose().rh()?;
    if let Ok(i) = v.as_int() {
        return shape::full_like(x, i as f64, Some(i), d.as_ref()).rh();
    }
    if let Ok(b) = v.as_bool() {
        return shape::full_like(x, b as i64 as f64, Some(b as i64), d.as_ref()).rh();
    }
    let f = conv::num(v, "full_like: value")?;
    shape::full_like(x, f, None, d.as_ref()).rh()
}

fn logspace_call(a: &Dynamic, b: &Dynamic, n: INT, o: &Map) -> RResult<Array> {
    check_opts(o, &[LOGSPACE_OPTS], "logspace")?;
    if n < 0 {
        return fail(format!("logspace: n must be >= 0, found {n}"));
    }
    let base = opt_f64(o, "base")?.unwrap_or(10.0);
    linalg::logspace(
        conv::num(a, "logspace: a")?,
        conv::num(b, "logspace: b")?,
        n as usize,
        base,
    )
    .rh()
}

fn meshgrid_call(x: &Dynamic, y: &Dynamic, o: &Map) -> RResult<rhai::Array> {
    check_opts(o, &[MESHGRID_OPTS], "meshgrid")?;
    let ij = match opt_str(o, "indexing")?.as_deref() {
        None | Some("xy") => false,
        Some("ij") => true,
        Some(s) => {
            return fail(format!(
                "meshgrid: indexing must be \"xy\" or \"ij\", found \"{s}\""
            ))
        }
    };
    let x = array_arg(x, "meshgrid", "x")?;
    let y = array_arg(y, "meshgrid", "y")?;
    let (gx, gy) = linalg::meshgrid(&x, &y, ij).rh()?;
    Ok(vec![Dynamic::from(gx), Dynamic::from(gy)])
}

fn isclose_call(a: &Dynamic, b: &Dynamic, o: &Map) -> RResult<Array> {
    let (rtol, atol, eq) = close_args(o, "isclose")?;
    let a = operand(a, "isclose", "a")?;
    let b = operand(b, "isclose", "b")?;
    linalg::isclose(&a, &b, rtol, atol, eq, "isclose").rh()
}

fn allclose_call(a: &Dynamic, b: &Dynamic, o: &Map) -> RResult<bool> {
    let (rtol, atol, eq) = close_args(o, "allclose")?;
    let a = operand(a, "allclose", "a")?;
    let b = operand(b, "allclose", "b")?;
    let m = linalg::isclose(&a, &b, rtol, atol, eq, "allclose").rh()?;
    Ok(
        crate::array::reduce::reduce_all(&m, crate::array::reduce::Red::All).rh()?
            == crate::array::reduce::Scalar::Bool(true),
    )
}
