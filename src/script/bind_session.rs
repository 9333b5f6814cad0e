//! Rhai bindings for the session itself: ending a script with an exit code and reading
//! the help from a script or the prompt.

use rhai::{Dynamic, Engine, EvalAltResult, Position, INT};

use super::help::{self, FnDoc};
use super::ExitRequest;

/// Help for every function this module registers.
pub const DOCS: &[FnDoc] = &[
    FnDoc {
        name: "exit",
        sig: "exit([code])",
        doc: "Stop the script now; `evsh run` exits with `code` (0..255, default 0). At the \
prompt it ends the session. Cannot be caught by `try`. Example: `if bad > 0 { exit(3) }`.",
    },
    FnDoc {
        name: "help",
        sig: "help([name])",
        doc: "Print the list of functions, or the usage and description of `name` \
(`help(\"sort\")`; `t.sort` and `Table.sort` work too). An unknown name suggests close ones. \
Same as `:help [name]` at the prompt and `evsh help [name]` in a shell.",
    },
];

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
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ExitRequest>("ExitRequest");
    engine.register_fn("exit", || exit_code(0));
    engine.register_fn("exit", exit_with);
    engine.register_fn("help", || {
        print!("{}", help::list());
    });
    engine.register_fn("help", |name: &str| match help::describe(name) {
        Ok(text) => println!("{text}"),
        Err(msg) => println!("{msg}"),
    });
}
