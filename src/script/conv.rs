//! Small conversions between Rhai values and Rust ones, shared by every binding module
//! (option maps, number lists), so that option handling and its error messages are the
//! same for every function.

use rhai::{Dynamic, Map};

use super::registry::{rt_err as bad, RResult};
use super::IntoRhai;
use crate::array::reduce::Scalar;

/// A number (int or float) as f64.
pub fn num(v: &Dynamic, what: &str) -> RResult<f64> {
    if let Ok(i) = v.as_int() {
        return Ok(i as f64);
    }
    if let Ok(f) = v.as_float() {
        return Ok(f);
    }
    Err(bad(format!(
        "{what}: expected a number, found {}",
        v.type_name()
    )))
}

/// A list of numbers as `Vec<f64>`.
pub fn f64_list(v: &Dynamic, what: &str) -> RResult<Vec<f64>> {
    match v.clone().try_cast::<rhai::Array>() {
        Some(a) => a.iter().map(|x| num(x, what)).collect(),
        None => Err(bad(format!(
            "{what}: expected a list of numbers, found {}",
            v.type_name()
        ))),
    }
}

/// A list of integers as `Vec<i64>`.
pub fn i64_list(v: &Dynamic, what: &str) -> RResult<Vec<i64>> {
    match v.clone().try_cast::<rhai::Array>() {
        Some(a) => a
            .iter()
            .map(|x| {
                x.as_int()
                    .map_err(|t| bad(format!("{what}: expected integers, found {t}")))
            })
            .collect(),
        None => Err(bad(format!(
            "{what}: expected a list of integers, found {}",
            v.type_name()
        ))),
    }
}

/// Reject option keys that a function does not know (typos should not pass silently).
pub fn check_keys(opts: &Map, known: &[&str], func: &str) -> RResult<()> {
    for k in opts.keys() {
        if !known.contains(&k.as_str()) {
            return Err(bad(format!(
                "{func}: unknown option '{k}'; known options: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// Optional float option.
pub fn opt_f64(opts: &Map, key: &str) -> RResult<Option<f64>> {
    opts.get(key).map(|v| num(v, key)).transpose()
}

/// Optional integer option.
pub fn opt_i64(opts: &Map, key: &str) -> RResult<Option<i64>> {
    opts.get(key)
        .map(|v| {
            v.as_int()
                .map_err(|t| bad(format!("option '{key}': expected an integer, found {t}")))
        })
        .transpose()
}

/// Optional boolean option.
pub fn opt_bool(opts: &Map, key: &str) -> RResult<Option<bool>> {
    opts.get(key)
        .map(|v| {
            v.as_bool()
                .map_err(|t| bad(format!("option '{key}': expected true or false, found {t}")))
        })
        .transpose()
}

/// Optional string option.
pub fn opt_str(opts: &Map, key: &str) -> RResult<Option<String>> {
    opts.get(key)
        .map(|v| {
            v.clone()
                .into_string()
                .map_err(|t| bad(format!("option '{key}': expected a string, found {t}")))
        })
        .transpose()
}

/// An integer, or `()` for "absent" (open slice bounds and the like).
pub fn opt_int(v: &Dynamic, what: &str) -> RResult<Option<i64>> {
    if v.is_unit() {
        return Ok(None);
    }
    v.as_int()
        .map(Some)
        .map_err(|t| bad(format!("{what}: expected an integer or (), found {t}")))
}

/// A scalar result (an element, a whole-array reduction) as the script value it stands for.
pub fn scalar_dyn(s: Scalar) -> Dynamic {
    match s {
        Scalar::Int(i) => Dynamic::from_int(i),
        Scalar::Float(f) => Dynamic::from_float(f),
        Scalar::Bool(b) => Dynamic::from_bool(b),
        Scalar::Str(s) => Dynamic::from(s),
    }
}

/// Numbers from an Array (any real dtype, flattened) or a Rhai list.
pub fn floats(v: &Dynamic, what: &str) -> RResult<Vec<f64>> {
    if let Some(a) = v.clone().try_cast::<crate::array::Array>() {
        let f = crate::stats::data::as_f64(&a, what, "the values").rh()?;
        return Ok(f.as_slice::<f64>().rh()?.into_owned());
    }
    f64_list(v, what)
}

/// An elementwise operand from a script value: an Array (an HDF5 dataset is read), or a
/// number or bool (a NumPy "weak" scalar); `None` for any other value.
pub fn operand_of(v: &Dynamic) -> RResult<Option<crate::array::ops::Operand>> {
    use crate::array::ops::Operand;
    if let Some(a) = v.clone().try_cast::<crate::array::Array>() {
        return Ok(Some(Operand::Arr(a)));
    }
    if let Some(d) = v.clone().try_cast::<crate::h5::H5Dataset>() {
        return Ok(Some(Operand::Arr(d.read().rh()?)));
    }
    if let Ok(i) = v.as_int() {
        return Ok(Some(Operand::Int(i)));
    }
    if let Ok(f) = v.as_float() {
        return Ok(Some(Operand::Float(f)));
    }
    if let Ok(b) = v.as_bool() {
        return Ok(Some(Operand::Bool(b)));
    }
    Ok(None)
}
