//! Rhai bindings for the session itself: ending a script with an exit code and reading
//! the help from a script or the prompt.

use rhai::{Dynamic, EvalAltResult, Position, INT};

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
        "help",
        "help([name])",
        "Print the list of functions, or the usage and description of `name` \
(`help(\"sort\")`; `t.sort` and `Table.sort` work too). An unknown name suggests close ones. \
Same as `:help [name]` at the prompt and `evsh help [name]` in a shell.",
    )
    .f(|| {
        print!("{}", help::list());
    })
    .f(|name: &str| match help::describe(name) {
        Ok(text) => println!("{text}"),
        Err(msg) => println!("{msg}"),
    });
}
