//! Every NumPy-named array function (the "Array functions" section of the reference) is
//! callable from a script with its documented arguments and options, and gives the
//! hand-checked value; wrong axes, shapes and options are errors naming the function.
//! (The values themselves are checked against NumPy in `numpy_funcs.rs`.)

use evsh::script::Session;

/// (script, expected `to_string` of the result).
const CASES: &[(&str, &str)] = &[
    // elementwise math
    ("sin(z).to_list()", "[0.0, 0.0]"),
    ("cos(z).to_list()", "[1.0, 1.0]"),
    ("tan(z).to_list()", "[0.0, 0.0]"),
    ("arcsin(array([1.0])).item() == PI() / 2", "true"),
    ("arccos(array([1.0])).item()", "0.0"),
    ("arctan(z).to_list()", "[0.0, 0.0]"),
    ("sinh(z).to_list()", "[0.0, 0.0]"),
    ("cosh(array([0.0])).item()", "1.0"),
    ("tanh(array([0.0])).item()", "0.0"),
    ("arcsinh(array([0.0])).item()", "0.0"),
    ("arccosh(array([1.0])).item()", "0.0"),
    ("arctanh(array([0.0])).item()", "0.0"),
    ("exp2(array([3, 10])).to_list()", "[8.0, 1024.0]"),
    ("expm1(array([0.0])).item()", "0.0"),
    ("log2(array([8.0])).item()", "3.0"),
    ("log10(array([1000])).item()", "3.0"),
    ("log1p(array([0.0])).item()", "0.0"),
    ("deg2rad(array([180.0])).item() == PI()", "true"),
    ("rad2deg(array([PI()])).item()", "180.0"),
    ("trunc(array([-1.5, 2.7])).to_list()", "[-1.0, 2.0]"),
    (
        "rint(array([0.5, 1.5, -2.5])).to_list()",
        "[0.0, 2.0, -2.0]",
    ),
    ("sign(array([-3, 0, 5])).to_list()", "[-1, 0, 1]"),
    (
        "isfinite(array([1.0, 1.0 / 0.0])).to_list()",
        "[true, false]",
    ),
    ("isinf(array([1.0, -1.0 / 0.0])).to_list()", "[false, true]"),
    (
        "round(array([2.5, 3.5, 1.234])).to_list()",
        "[2.0, 4.0, 1.0]",
    ),
    ("round(array([1.234, 5.678]), 2).to_list()", "[1.23, 5.68]"),
    ("round(array([15, 25, 351]), -1).to_list()", "[20, 20, 350]"),
    ("array([1.26]).round(1).item()", "1.3"),
    ("clip(array([-5, 0, 5]), -1, 2).to_list()", "[-1, 0, 2]"),
    ("clip(array([-5.0, 9.0]), (), 2).to_list()", "[-5.0, 2.0]"),
    (
        "arctan2(array([1.0]), array([1.0])).item() == PI() / 4",
        "true",
    ),
    ("hypot(array([3.0]), 4).item()", "5.0"),
    ("maximum(array([1.0, 5.0]), 3).to_list()", "[3.0, 5.0]"),
    ("minimum(2, array([1, 5])).to_list()", "[1, 2]"),
    (
        "maximum(array([1.0, 0.0 / 0.0]), 3).isnan().to_list()",
        "[false, true]",
    ),
    ("fmax(array([1.0, 0.0 / 0.0]), 3).to_list()", "[3.0, 3.0]"),
    ("fmin(array([1.0, 0.0 / 0.0]), 3).to_list()", "[1.0, 3.0]"),
    ("pow(array([2, 3]), 3).to_list()", "[8, 27]"),
    ("pow(2.0, array([0.5])).item() == sqrt(2.0)", "true"),
    // statistics
    ("quantile(v, 0.5)", "2.5"),
    ("quantile(v, [0.0, 1.0]).to_list()", "[1.0, 4.0]"),
    ("quantile(m, 0.5, 0).to_list()", "[2.5, 3.5, 4.5]"),
    ("percentile(v, 25)", "1.75"),
    ("percentile(m, [50], 1).shape", "[1, 2]"),
    ("nanquantile(n, 0.5)", "2.0"),
    ("nanpercentile(n, 100)", "3.0"),
    ("median(v)", "2.5"),
    ("median(m, 1).to_list()", "[2.0, 5.0]"),
    ("v.median()", "2.5"),
    ("nanmedian(n)", "2.0"),
    ("nanmedian(n.reshape([1, 3]), 1).to_list()", "[2.0]"),
    ("nansum(n)", "4.0"),
    ("nansum(m, [0, 1])", "21.0"),
    ("nanmean(n)", "2.0"),
    ("nanmin(n)", "1.0"),
    ("nanmax(n, 0)", "3.0"),
    ("nanstd(n)", "1.0"),
    ("nanvar(n)", "1.0"),
    ("variance(v)", "1.25"),
    ("variance(v, #{ddof: 1}) == 5.0 / 3.0", "true"),
    (
        "variance(m, 1).to_list()",
        "[0.6666666666666666, 0.6666666666666666]",
    ),
    ("variance(m, [0, 1]) == 35.0 / 12.0", "true"),
    (
        "variance(m, #{axis: 0, ddof: 1}).to_list()",
        "[4.5, 4.5, 4.5]",
    ),
    ("std(v, #{ddof: 0})", "1.118033988749895"),
    ("std(m, #{axis: [1], ddof: 1}).to_list()", "[1.0, 1.0]"),
    ("prod(v)", "24.0"),
    ("prod(array([[1, 2], [3, 4]]), 1).to_list()", "[2, 12]"),
    ("ptp(m)", "5.0"),
    ("ptp(m, 0).to_list()", "[3.0, 3.0, 3.0]"),
    ("average(v)", "2.5"),
    ("average(v, #{weights: [1, 0, 0, 1]})", "2.5"),
    (
        "average(m, #{weights: [1.0, 3.0], axis: 0}).to_list()",
        "[3.25, 4.25, 5.25]",
    ),
    ("cov(v)", "1.6666666666666667"),
    (
        "cov(v, v * 2).to_list()",
        "[1.6666666666666667, 3.3333333333333335, 3.3333333333333335, 6.666666666666667]",
    ),
    ("cov(m, #{rowvar: false, ddof: 0}).shape", "[3, 3]"),
    ("corrcoef(v, -v).to_list()", "[1.0, -1.0, -1.0, 1.0]"),
    ("corrcoef(m, #{rowvar: true}).shape", "[2, 2]"),
    (
        "polyfit(v, v * 2 + 1, 1).to_list().map(|c| c.round())",
        "[2.0, 1.0]",
    ),
    ("polyval([2.0, 1.0], 3)", "7.0"),
    (
        "polyval(array([1, 0, 0]), v).to_list()",
        "[1.0, 4.0, 9.0, 16.0]",
    ),
    // running and searching
    ("cumsum(m).to_list()", "[1.0, 3.0, 6.0, 10.0, 15.0, 21.0]"),
    ("cumsum(m, 0).to_list()", "[1.0, 2.0, 3.0, 5.0, 7.0, 9.0]"),
    ("cumprod(array([1, 2, 3])).to_list()", "[1, 2, 6]"),
    ("cumprod(m, 1).shape", "[2, 3]"),
    ("diff(array([1, 4, 9, 16])).to_list()", "[3, 5, 7]"),
    ("diff(array([1, 4, 9, 16]), 2).to_list()", "[2, 2]"),
    ("diff(m, 1, 0).to_list()", "[3.0, 3.0, 3.0]"),
    ("searchsorted(v, 2.5)", "2"),
    (
        "searchsorted(v, array([2.0, 9.0]), #{side: \"right\"}).to_list()",
        "[2, 4]",
    ),
    (
        "digitize(array([0.5, 1.0, 3.5]), [1.0, 2.0, 3.0]).to_list()",
        "[0, 1, 3]",
    ),
    ("digitize(1.0, [1.0, 2.0], #{right: true})", "0"),
    (
        "bincount(array([0, 2, 2, 5])).to_list()",
        "[1, 0, 2, 0, 0, 1]",
    ),
    (
        "bincount(array([1, 1]), #{weights: [0.5, 0.25], minlength: 3}).to_list()",
        "[0.0, 0.75, 0.0]",
    ),
    ("interp(1.5, [1.0, 2.0], [10.0, 20.0])", "15.0"),
    (
        "interp(array([0.0, 3.0]), [1.0, 2.0], [10.0, 20.0], #{left: -1.0, right: 99.0}).to_list()",
        "[-1.0, 99.0]",
    ),
    // shape
    ("concatenate([v, v]).shape", "[8]"),
    ("concatenate([m, m], 1).shape", "[2, 6]"),
    ("stack([v, v]).shape", "[2, 4]"),
    ("stack([v, v], -1).shape", "[4, 2]"),
    ("hstack([v, v]).shape", "[8]"),
    ("vstack([v, v]).shape", "[2, 4]"),
    ("transpose(m).shape", "[3, 2]"),
    ("transpose(zeros([2, 3, 4]), [1, 2, 0]).shape", "[3, 4, 2]"),
    ("squeeze(zeros([1, 3, 1])).shape", "[3]"),
    ("squeeze(zeros([1, 3, 1]), -1).shape", "[1, 3]"),
    ("squeeze(zeros([1, 3, 1]), [0, 2]).shape", "[3]"),
    ("expand_dims(v, 0).shape", "[1, 4]"),
    ("flip(v).to_list()", "[4.0, 3.0, 2.0, 1.0]"),
    ("flip(m, 1).to_list()", "[3.0, 2.0, 1.0, 6.0, 5.0, 4.0]"),
    ("roll(v, 1).to_list()", "[4.0, 1.0, 2.0, 3.0]"),
    ("roll(m, -1, 1).to_list()", "[2.0, 3.0, 1.0, 5.0, 6.0, 4.0]"),
    ("repeat(array([1, 2]), 2).to_list()", "[1, 1, 2, 2]"),
    ("repeat(m, 2, 0).shape", "[4, 3]"),
    ("tile(array([1, 2]), 2).to_list()", "[1, 2, 1, 2]"),
    ("tile(array([1, 2]), [2, 1]).shape", "[2, 2]"),
    ("ravel(m.T).to_list()", "[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]"),
    // construction and comparison
    ("zeros_like(m).to_list()", "[0.0, 0.0, 0.0, 0.0, 0.0, 0.0]"),
    ("zeros_like(m, \"i4\").dtype", "int32"),
    ("ones_like(v).sum()", "4.0"),
    ("ones_like(v, \"u1\").dtype", "uint8"),
    ("full_like(v, 7).to_list()", "[7.0, 7.0, 7.0, 7.0]"),
    ("full_like(v, 7, \"i2\").dtype", "int16"),
    ("eye(2).to_list()", "[1.0, 0.0, 0.0, 1.0]"),
    (
        "eye(2, #{m: 3, k: 1, dtype: \"i8\"}).to_list()",
        "[0, 1, 0, 0, 0, 1]",
    ),
    ("logspace(0, 2, 3).to_list()", "[1.0, 10.0, 100.0]"),
    (
        "logspace(0, 3, 4, #{base: 2}).to_list()",
        "[1.0, 2.0, 4.0, 8.0]",
    ),
    ("meshgrid(v, [1, 2])[0].shape", "[2, 4]"),
    (
        "meshgrid(v, [1, 2], #{indexing: \"ij\"})[1].shape",
        "[4, 2]",
    ),
    ("isclose(v, v + 1e-9).to_list()", "[true, true, true, true]"),
    (
        "isclose(n, n, #{equal_nan: true, rtol: 0.0, atol: 0.0}).to_list()",
        "[true, true, true]",
    ),
    ("allclose(v, v * 1.001)", "false"),
    ("allclose(v, v * 1.001, #{rtol: 0.01})", "true"),
    ("array_equal(v, [1, 2, 3, 4])", "true"),
    ("array_equal(v, m)", "false"),
    // linear algebra
    ("dot(v, v)", "30.0"),
    ("dot(m, [1.0, 1.0, 1.0]).to_list()", "[6.0, 15.0]"),
    ("matmul(m, m.T).to_list()", "[14.0, 32.0, 32.0, 77.0]"),
    (
        "matmul(array([[1, 2]]), array([[3], [4]])).to_list()",
        "[11]",
    ),
    ("outer([1, 2], [1, 10]).to_list()", "[1, 10, 2, 20]"),
    ("norm(array([3.0, 4.0]))", "5.0"),
    ("norm(m, #{ord: 1, axis: 1}).to_list()", "[6.0, 15.0]"),
    // a 2-D array with `ord` takes matrix norms, as in NumPy: max row sum
    ("norm(m, #{ord: \"inf\"})", "15.0"),
    ("norm(m, #{ord: 1})", "9.0"),
    ("norm(eye(3), #{ord: \"nuc\"})", "3.0"),
    ("norm(array([[3.0, 0.0], [0.0, 4.0]]), #{ord: 2})", "4.0"),
    ("norm(array([[3.0, 0.0], [0.0, 4.0]]), #{ord: -2})", "3.0"),
    ("norm(m, #{axis: 1, keepdims: true}).shape", "[2, 1]"),
    (
        "norm(zeros([2, 3, 4]), #{axis: [0, 2], ord: 1}).shape",
        "[3]",
    ),
    ("tensordot(m, m).to_string()", "91.0"),
    (
        "tensordot(m, v[0..3], [[1], [0]]).to_list()",
        "[14.0, 32.0]",
    ),
    ("tensordot(m, m, 0).shape", "[2, 3, 2, 3]"),
    ("matmul(zeros([5, 2, 3]), m.T).shape", "[5, 2, 2]"),
    (
        "dot(zeros([5, 2, 3]), zeros([4, 3, 7])).shape",
        "[5, 2, 4, 7]",
    ),
    // keepdims on the reductions
    ("m.sum(1, #{keepdims: true}).to_list()", "[6.0, 15.0]"),
    ("m.sum(1, #{keepdims: true}).shape", "[2, 1]"),
    ("m.max(#{keepdims: true}).shape", "[1, 1]"),
    ("m.mean(#{axis: [0, 1], keepdims: true}).to_list()", "[3.5]"),
    (
        "(m - m.mean(1, #{keepdims: true})).to_list()",
        "[-1.0, 0.0, 1.0, -1.0, 0.0, 1.0]",
    ),
    ("m.sum(#{axis: 0}).to_list()", "[5.0, 7.0, 9.0]"),
    ("std(m, #{axis: 1, keepdims: true}).shape", "[2, 1]"),
    ("m.argmax(#{keepdims: true}).shape", "[1, 1]"),
    ("m.sum(#{})", "21.0"),
];

const PRELUDE: &str = "let z = zeros([2]); let v = array([1.0, 2.0, 3.0, 4.0]); \
let m = array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]); let n = array([1.0, 0.0 / 0.0, 3.0]);";

#[test]
fn every_function_is_callable_with_its_options() {
    let mut s = Session::new();
    let _ = s.eval(PRELUDE).unwrap();
    let mut failures = vec![];
    for (code, want) in CASES {
        match s.eval(code) {
            Ok(v) => {
                let got = v.to_string();
                if got != *want {
                    failures.push(format!("{code}: got {got}, want {want}"));
                }
            }
            Err(e) => failures.push(format!("{code}: error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // every function of the section is exercised above
    let section = evsh::script::help::sections()
        .iter()
        .find(|(t, _)| *t == "Array functions")
        .expect("the Array functions section");
    let missing: Vec<&str> = section
        .1
        .iter()
        .map(|d| d.name)
        .filter(|n| !CASES.iter().any(|(c, _)| c.contains(&format!("{n}("))))
        .collect();
    assert!(missing.is_empty(), "not exercised: {missing:?}");
}

#[test]
fn errors_name_function_and_argument() {
    let mut s = Session::new();
    let _ = s.eval(PRELUDE).unwrap();
    for (code, want) in [
        ("median(m, 2)", "median: axis 2 is out of range"),
        ("quantile(v, 1.5)", "quantile: q must be in [0, 1]"),
        ("percentile(v, -1)", "percentile: q must be in [0, 100]"),
        ("variance(v, #{ddof: -1})", "variance: ddof must be"),
        ("std(v, #{dof: 1})", "std: unknown option 'dof'"),
        ("cumsum(m, 5)", "cumsum: axis 5 is out of range"),
        ("hypot(m, [1.0, 2.0])", "hypot: "),
        ("maximum(1, 2)", "maximum: needs at least one Array"),
        (
            "concatenate([m, v])",
            "concatenate: array 1 has 1 dimensions",
        ),
        (
            "searchsorted(m, 1.0)",
            "searchsorted: the sorted array must be 1-D",
        ),
        (
            "searchsorted(v, 1.0, #{side: \"middle\"})",
            "searchsorted: side must be",
        ),
        (
            "bincount(array([-1, 2]))",
            "bincount: x must be non-negative",
        ),
        (
            "interp(v, [1.0, 2.0], [1.0])",
            "interp: xp and fp differ in length",
        ),
        (
            "matmul(m, m)",
            "matmul: shapes (2, 3) and (2, 3) are not aligned",
        ),
        (
            "matmul(zeros([2, 2, 3]), zeros([3, 3, 1]))",
            "matmul: batch axes do not broadcast",
        ),
        (
            "tensordot(m, m, [[0], [1]])",
            "tensordot: shape mismatch: axis 0 of a has length 2",
        ),
        ("tensordot(m, m, 3)", "tensordot: axes = 3 needs"),
        (
            "norm(m, #{ord: 3})",
            "norm: invalid norm order 3 for matrices",
        ),
        (
            "norm(v, #{ord: \"nuc\"})",
            "norm: ord \"nuc\" needs a 2-D array",
        ),
        ("m.sum(0, #{axis: 1})", "sum: the axis is given twice"),
        ("m.sum(0, #{keep: true})", "sum: unknown option 'keep'"),
        ("transpose(m, [0, 0])", "transpose: "),
        (
            "pow(array([2]), -1)",
            "pow: integers to negative integer powers",
        ),
        (
            "average(m, #{weights: [1.0, 2.0, 3.0], axis: 0})",
            "average: 1-D weights of length 3",
        ),
        (
            "meshgrid(v, v, #{indexing: \"ji\"})",
            "meshgrid: indexing must be",
        ),
        ("polyfit(v, v, 9)", "polyfit: 4 points cannot determine"),
        ("eye(-2)", "eye: n and m must be >= 0"),
        ("sin(array([true]).astype(\"i1\")).dtype", ""),
    ] {
        match s.eval(code) {
            Ok(v) if want.is_empty() => {
                assert_eq!(v.to_string(), "float64", "{code}");
            }
            Ok(v) => panic!("{code}: expected an error, got {v}"),
            Err(e) => {
                let e = e.to_string();
                assert!(e.contains(want), "{code}: {e}");
            }
        }
    }
}
