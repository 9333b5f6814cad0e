//! Arrays made from nothing: ranges, constants, evenly spaced values, values given as
//! lists, and reproducible random numbers (for demos, tests and benchmarks without data
//! files). Random numbers come from a counter-based SplitMix64 stream, so the result
//! depends only on the seed and the position, not on how many threads generated it.

use super::ops::{chunk_elems, conv, wrap, Real};
use crate::array::{checked_size, Array, DType};
use crate::bail;
use crate::error::Result;

fn check_shape(shape: &[usize], what: &str) -> Result<usize> {
    let n = checked_size(shape)?;
    if n > (1usize << 40) {
        bail!("{what}: shape {shape:?} has {n} elements, too many to create");
    }
    Ok(n)
}

/// `f(i)` for every index `0..n`, computed in parallel chunks into one allocation that is
/// checked (a size from the user that cannot be allocated is an error naming it, never an
/// abort) and written once, without a zeroing pass.
fn generate<T: Send>(n: usize, what: &str, f: impl Fn(usize) -> T + Sync) -> Result<Vec<T>> {
    crate::exec::par_collect(n, chunk_elems(std::mem::size_of::<T>()), what, |r, o| {
        o.extend(r.map(&f));
        Ok(())
    })
}

/// Integers `start, start+step, ... < stop` (NumPy's arange), as int64.
pub fn arange_int(start: i64, stop: i64, step: i64) -> Result<Array> {
    if step == 0 {
        bail!("arange: step cannot be zero");
    }
    let n = if (step > 0 && stop > start) || (step < 0 && stop < start) {
        ((stop as i128 - start as i128).abs() + step.abs() as i128 - 1) / step.abs() as i128
    } else {
        0
    } as usize;
    check_shape(&[n], "arange")?;
    let v = generate(n, "arange", |i| start + i as i64 * step)?;
    wrap(v, DType::I64, vec![n])
}

/// Floats `start + i*step` below `stop` (NumPy's arange with float arguments), float64.
pub fn arange_float(start: f64, stop: f64, step: f64) -> Result<Array> {
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !stop.is_finite() {
        bail!("arange: start, stop and step must be finite and step non-zero");
    }
    let n = ((stop - start) / step).ceil().max(0.0) as usize;
    check_shape(&[n], "arange")?;
    let v = generate(n, "arange", |i| start + i as f64 * step)?;
    wrap(v, DType::F64, vec![n])
}

/// `n` evenly spaced values from `a` to `b` inclusive (float64).
pub fn linspace(a: f64, b: f64, n: usize) -> Result<Array> {
    check_shape(&[n], "linspace")?;
    let step = if n > 1 { (b - a) / (n - 1) as f64 } else { 0.0 };
    let v = generate(n, "linspace", |i| {
        if i + 1 == n && n > 1 {
            b
        } else {
            a + i as f64 * step
        }
    })?;
    wrap(v, DType::F64, vec![n])
}

fn full_typed<T: Real>(n: usize, value: T, dtype: DType, shape: Vec<usize>) -> Result<Array> {
    let v = generate(n, "full", |_| value)?;
    wrap(v, dtype, shape)
}

/// An array of `shape` filled with `value` converted to `dtype` (an integer value when
/// `int` is given exactly, so that big int64 values are not rounded through f64).
pub fn full(shape: Vec<usize>, value: f64, int: Option<i64>, dtype: &DType) -> Result<Array> {
    let n = check_shape(&shape, "full")?;
    crate::with_real_type!(dtype, T => {
        let v: T = if *dtype == DType::Bool {
            T::from_i64((value != 0.0) as i64)
        } else {
            match int {
                Some(i) => conv::<i64, T>(i),
                None => T::from_f64(value),
            }
        };
        full_typed::<T>(n, v, dtype.clone(), shape)
    }, else bail!("full: cannot fill arrays of dtype {} (numeric dtypes only)", dtype.name()))
}

/// One step of SplitMix64 at counter position `i` of the stream for `seed`.
#[inline]
pub fn splitmix(seed: u64, i: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x2545_F491_4F6C_DD1D)
        .wrapping_add(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform float64 values in [0, 1), reproducible from `seed`.
pub fn random(shape: Vec<usize>, seed: i64) -> Result<Array> {
    let n = check_shape(&shape, "random")?;
    let v = generate(n, "random", |i| {
        (splitmix(seed as u64, i as u64) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    })?;
    wrap(v, DType::F64, shape)
}

/// Uniform int64 values in [lo, hi), reproducible from `seed`.
pub fn randint(lo: i64, hi: i64, shape: Vec<usize>, seed: i64) -> Result<Array> {
    if hi <= lo {
        bail!("randint: need lo < hi, found lo {lo}, hi {hi}");
    }
    let n = check_shape(&shape, "randint")?;
    let span = (hi as i128 - lo as i128) as u128;
    let v = generate(n, "randint", |i| {
        let r = splitmix(seed as u64, i as u64) as u128;
        (lo as i128 + ((r * span) >> 64) as i128) as i64
    })?;
    wrap(v, DType::I64, shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_constants() {
        assert_eq!(
            arange_int(0, 5, 1)
                .unwrap()
                .as_slice::<i64>()
                .unwrap()
                .to_vec(),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(
            arange_int(10, 0, -3)
                .unwrap()
                .as_slice::<i64>()
                .unwrap()
                .to_vec(),
            vec![10, 7, 4, 1]
        );
        assert_eq!(arange_int(3, 3, 1).unwrap().size(), 0);
        assert_eq!(
            arange_float(0.0, 1.0, 0.25)
                .unwrap()
                .as_slice::<f64>()
                .unwrap()
                .to_vec(),
            vec![0.0, 0.25, 0.5, 0.75]
        );
        assert_eq!(
            linspace(0.0, 1.0, 5)
                .unwrap()
                .as_slice::<f64>()
                .unwrap()
                .to_vec(),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
        let f = full(vec![2, 2], 7.9, None, &DType::I16).unwrap();
        assert_eq!(f.as_slice::<i16>().unwrap().to_vec(), vec![7; 4]);
        let b = full(vec![3], 1.0, None, &DType::Bool).unwrap();
        assert_eq!(b.as_slice::<u8>().unwrap().to_vec(), vec![1; 3]);
        let big = full(vec![1], 0.0, Some(i64::MAX), &DType::I64).unwrap();
        assert_eq!(big.as_slice::<i64>().unwrap()[0], i64::MAX);
        assert!(arange_int(0, 1, 0).is_err());
    }

    #[test]
    fn random_is_reproducible_and_uniform() {
        let a = random(vec![100_000], 42).unwrap();
        let b = random(vec![100_000], 42).unwrap();
        let c = random(vec![100_000], 43).unwrap();
        let (va, vb, vc) = (
            a.as_slice::<f64>().unwrap(),
            b.as_slice::<f64>().unwrap(),
            c.as_slice::<f64>().unwrap(),
        );
        assert_eq!(va, vb);
        assert_ne!(va[..10], vc[..10]);
        assert!(va.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = va.iter().sum::<f64>() / va.len() as f64;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        let r = randint(-3, 4, vec![70_000], 1).unwrap();
        let vr = r.as_slice::<i64>().unwrap();
        for k in -3..4 {
            let c = vr.iter().filter(|&&x| x == k).count();
            assert!((9_000..11_000).contains(&c), "{k}: {c}");
        }
    }
}
