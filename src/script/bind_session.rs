//! Rhai bindings for the session itself: ending a script with an exit code and reading
//! the help from a script or the prompt.

use rhai::{Dynamic, EvalAltResult, Position, FLOAT, INT};

use super::help;
use super::registry::Reg;
use super::ExitRequest;

fn exit_with(code: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    let Ok(code) = code.as_int() else {
        return Err(format!("exit: the code must be an integer 0..255, found {code}").into());
    };
    exit_code(code)
}

fn exit_code(code: INT) -> Result<Dynamic, Box<EvalAltResult>> {
    if !(0..=255).contains(&code) {
        return Err(format!("exit: the code must be between 0 and 255, found {code}").into());
    }
    Err(Box::new(EvalAltResult::ErrorTerminated(
        Dynamic::from(ExitRequest(code as i32)),
        Position::NONE,
    )))
}

/// Register this module's functions.
pub fn register(r: &mut Reg) {
    r.engine()
        .register_type_with_name::<ExitRequest>("ExitRequest");
    r.func(
        "exit",
        "exit([code])",
        "Stop the script now; `evsh run` exits with `code` (0..255, default 0). At the \
prompt it ends the session. Cannot be caught by `try`. Example: `if bad > 0 { exit(3) }`.",
    )
    .f(|| exit_code(0))
    .f(exit_with);
    r.func(
        "division",
        "a / b, div(a, b), a % b on integers",
        "`/` never silently truncates: of two integers it is exact division, an integer when \
b divides a (`6 / 2` is 3) and otherwise a float (`7 / 2` is 3.5, \
`(x > 15.0).count() / x.len` is the fraction), so `x.head(n / 2)` works for even n and \
an odd n gives a clear error instead of a rounded index. `div(a, b)` is floor division \
(Python's `a // b`: `div(-7, 2)` is -4) and `%` the matching remainder with the sign of \
b (Python's `%`: `-7 % 3` is 2). `n /= b` keeps n an integer and is an error when b does not \
divide n. Division by zero is an error.",
    )
    .named(
        "/",
        |a: INT, b: INT| -> Result<Dynamic, Box<EvalAltResult>> {
            if b == 0 {
                return Err(format!("division by zero: {a} / 0").into());
            }
            match (a.checked_rem(b), a.checked_div(b)) {
                (Some(0), Some(q)) => Ok(Dynamic::from_int(q)),
                _ => Ok(Dynamic::from_float(a as FLOAT / b as FLOAT)),
            }
        },
    )
    .named("%", |a: INT, b: INT| -> Result<INT, Box<EvalAltResult>> {
        if b == 0 {
            return Err(format!("division by zero: {a} % 0").into());
        }
        Ok(a.checked_rem_euclid(b)
            .map_or(0, |r| if r != 0 && b < 0 { r + b } else { r }))
    })
    .named(
        "/=",
        |a: &mut INT, b: INT| -> Result<(), Box<EvalAltResult>> {
            // the variable stays an integer: an inexact quotient is an error, not a truncation
            match (b, a.checked_rem(b), a.checked_div(b)) {
                (0, ..) => Err(format!("division by zero: {a} /= 0").into()),
                (_, Some(0), Some(q)) => {
                    *a = q;
                    Ok(())
                }
                _ => Err(format!(
                    "{a} /= {b} is not a whole number: write `n = n / {b}` for the float {} or \
                 `n = div(n, {b})` for floor division",
                    *a as FLOAT / b as FLOAT
                )
                .into()),
            }
        },
    );
    r.func(
        "div",
        "div(a, b) -> int (float for floats)",
        "Floor division, Python's `a // b`: `div(7, 2)` is 3, `div(-7, 2)` is -4.",
    )
    .f(|a: INT, b: INT| -> Result<INT, Box<EvalAltResult>> {
        if b == 0 {
            return Err(format!("div: division by zero ({a}, 0)").into());
        }
        let q = a
            .checked_div(b)
            .ok_or_else(|| format!("div: {a} / {b} overflows"))?;
        Ok(if (a % b != 0) && ((a < 0) != (b < 0)) {
            q - 1
        } else {
            q
        })
    })
    .f(|a: FLOAT, b: FLOAT| (a / b).floor());
    r.func(
        "help",
        "help([name]) / help(x)",
        "Print the list of functions, or the usage and description of `name` \
(`help(\"sort\")`; `t.sort` and `Table.sort` work too). An unknown name suggests close ones. \
Same as `:help [name]` at the prompt and `evsh help [name]` in a shell. `help(x)` on any \
value (not a string) describes it: its type, a preview, and every method and property its \
type has; `x?` and `:help x` at the prompt do the same.",
    )
    .f(|| {
        print!("{}", help::list());
    })
    .f(|name: &str| match help::describe(name) {
        Ok(text) => println!("{text}"),
        Err(msg) => println!("{msg}"),
    })
    .f(|ctx: rhai::NativeCallContext, v: Dynamic| {
        let shown: String = ctx
            .call_native_fn("to_string", (v.clone(),))
            .unwrap_or_default();
        println!("{}", help::describe_value(ctx.engine(), &v, &shown));
    });
}
