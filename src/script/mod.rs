//! The only layer that knows Rhai: a Session holds the engine, the scope of user
//! variables and the interrupt hook; the REPL, `run FILE` and `-c CODE` all drive one, so a
//! statement behaves (and fails) the same way at the prompt and in a script.

pub mod bind_array;
pub mod bind_compare;
pub mod bind_event;
pub mod bind_h5;
pub mod bind_numpy;
pub mod bind_plot;
pub mod bind_prof;
pub mod bind_session;
pub mod bind_stats;
pub mod bind_table;
pub mod completion;
pub mod conv;
pub mod help;
pub mod registry;
pub mod repl;
pub mod signals;

use std::any::TypeId;
use std::fmt;
use std::io::Write;
use std::sync::{Arc, OnceLock};

use rhai::{Dynamic, Engine, EvalAltResult, Position, Scope, AST};

use crate::error::Error;

/// Convert an evsh error into a Rhai runtime error (Ctrl-C becomes termination).
pub fn rhai_err(e: Error) -> Box<EvalAltResult> {
    match e {
        Error::Cancelled => Box::new(EvalAltResult::ErrorTerminated(
            "interrupted".into(),
            Position::NONE,
        )),
        e => Box::new(EvalAltResult::ErrorRuntime(
            e.to_string().into(),
            Position::NONE,
        )),
    }
}

/// `.rh()?` turns an evsh `Result` into a Rhai one inside registered functions.
pub trait IntoRhai<T> {
    fn rh(self) -> Result<T, Box<EvalAltResult>>;
}
impl<T> IntoRhai<T> for crate::error::Result<T> {
    fn rh(self) -> Result<T, Box<EvalAltResult>> {
        self.map_err(rhai_err)
    }
}

/// Every binding module, in the order the reference lists them: building an engine, `:help`
/// and docs/reference.md all walk this one list.
pub const MODULES: &[registry::Module] = &[
    registry::Module {
        title: "Arrays",
        register: bind_array::register,
    },
    registry::Module {
        title: "Array functions",
        register: bind_numpy::register,
    },
    registry::Module {
        title: "Tables",
        register: bind_table::register,
    },
    registry::Module {
        title: "Events",
        register: bind_event::register,
    },
    registry::Module {
        title: "Comparisons",
        register: bind_compare::register,
    },
    registry::Module {
        title: "Statistics",
        register: bind_stats::register,
    },
    registry::Module {
        title: "Plots",
        register: bind_plot::register,
    },
    registry::Module {
        title: "HDF5",
        register: bind_h5::register,
    },
    registry::Module {
        title: "Profiling",
        register: bind_prof::register,
    },
    registry::Module {
        title: "Session",
        register: bind_session::register,
    },
];

/// Build an engine with every evsh type and function registered.
pub fn build_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_max_expr_depths(256, 256);
    // Registered operators override Rhai's built-in ones only with fast operators off:
    // integer `/` must not truncate silently (see the `division` entry of bind_session).
    engine.set_fast_operators(false);
    // Called on every Rhai operation: one relaxed atomic load, so script loops stop
    // promptly on Ctrl-C.
    engine.on_progress(|_| {
        if crate::exec::interrupted() {
            Some(Dynamic::from("interrupted"))
        } else {
            None
        }
    });
    // Line-buffered output: each printed line leaves the process at once, so logs of long
    // unattended runs (`nohup evsh run ... > log`) are current.
    engine.on_print(|s| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{s}");
        let _ = out.flush();
    });
    engine.on_debug(|s, src, pos| {
        let mut err = std::io::stderr().lock();
        let _ = match (src, pos.is_none()) {
            (Some(src), false) => writeln!(err, "{src}:{}: {s}", pos.line().unwrap_or(0)),
            (None, false) => writeln!(err, "line {}: {s}", pos.line().unwrap_or(0)),
            _ => writeln!(err, "{s}"),
        };
    });
    registry::build(&mut engine, MODULES);
    // last: mirrors the Array signatures registered above for HDF5 datasets
    bind_h5::register_array_forwarders(&mut engine);
    engine
}

thread_local! {
    /// Is this thread running a statement under [`guard_panics`]?
    static IN_STATEMENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Statements running under [`guard_panics`] in the process (their kernels' worker threads
/// panic on rayon threads, not on the statement's own).
static STATEMENTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The message and place of the last panic inside a statement.
static LAST_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Install (once) a panic hook that keeps panics inside statements quiet (they become
/// "internal error" results) and leaves every other panic to the default hook.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_statement = IN_STATEMENT.with(|c| c.get())
                || (rayon::current_thread_index().is_some()
                    && STATEMENTS.load(std::sync::atomic::Ordering::SeqCst) > 0);
            if !in_statement || std::env::var_os("EVSH_PANIC_TRACE").is_some() {
                default(info);
            }
            if in_statement {
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_string());
                let at = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                *LAST_PANIC
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = format!("{msg}{at}");
            }
        }));
    });
}

/// Run a statement so that a panic in it (a bug) becomes an error that names the built-in
/// that was running, instead of ending the session: its variables are kept.
fn guard_panics<T>(
    f: impl FnOnce() -> Result<T, Box<EvalAltResult>>,
) -> Result<T, Box<EvalAltResult>> {
    use std::sync::atomic::Ordering;
    install_panic_hook();
    let outer = IN_STATEMENT.with(|c| c.replace(true));
    STATEMENTS.fetch_add(1, Ordering::SeqCst);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    STATEMENTS.fetch_sub(1, Ordering::SeqCst);
    IN_STATEMENT.with(|c| c.set(outer));
    match r {
        Ok(r) => r,
        Err(_) => {
            let what = crate::prof::running_builtin();
            let what = if what.is_empty() {
                "the script engine"
            } else {
                what
            };
            let msg = std::mem::take(
                &mut *LAST_PANIC
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            Err(Box::new(EvalAltResult::ErrorRuntime(
                format!("internal error in {what}: {msg}; please report it").into(),
                Position::NONE,
            )))
        }
    }
}

/// Raised by the script function `exit(n)`: travels out of the script as a termination
/// value (scripts cannot catch it) and becomes the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitRequest(pub i32);

/// How a statement or script ended when it did not fail.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// It ran to the end; the value of its last expression (unit if none).
    Value(Dynamic),
    /// It called `exit(n)`.
    Exit(i32),
}

/// A failed statement or script, formatted for the user.
#[derive(Clone, Debug)]
pub struct ScriptError {
    /// The message with its position and the offending source line with a caret.
    pub message: String,
    /// True when the user interrupted it (Ctrl-C / SIGTERM).
    pub interrupted: bool,
}

impl ScriptError {
    /// The process exit code for this failure: 130 when interrupted, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.interrupted {
            130
        } else {
            1
        }
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the REPL knows about a variable for completion.
#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    pub type_id: TypeId,
    /// The type as scripts name it ("Table", "i64", "map").
    pub type_name: String,
    /// Keys of an object map (completed after `m.`).
    pub keys: Vec<String>,
}

/// One interactive or scripted session: engine plus the user's variables and functions.
pub struct Session {
    /// The engine, shared with the REPL's completer (which reads its function metadata).
    pub engine: Arc<Engine>,
    /// The user's variables; they survive from one statement to the next.
    pub scope: Scope<'static>,
    /// Functions the user defined (`fn f(x) {...}`) in earlier statements.
    lib: AST,
    show_ast: OnceLock<AST>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    pub fn new() -> Session {
        Session {
            engine: Arc::new(build_engine()),
            scope: Scope::new(),
            lib: AST::empty(),
            show_ast: OnceLock::new(),
        }
    }

    /// Evaluate code in the session scope, keeping the variables and functions it defines.
    /// Clears the interrupt flag first.
    pub fn eval(&mut self, code: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        self.eval_source(code, None)
    }

    fn eval_source(
        &mut self,
        code: &str,
        source: Option<&str>,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        self.eval_on(code, source, false)
    }

    /// Compile with the session engine, evaluate on it or (when `profiling`) on the
    /// engine that reports script functions to the profiler.
    fn eval_on(
        &mut self,
        code: &str,
        source: Option<&str>,
        profiling: bool,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        crate::exec::clear_interrupt();
        let mut ast = self.engine.compile_with_scope(&self.scope, code)?;
        if let Some(s) = source {
            ast.set_source(s);
        }
        let full = self.lib.merge(&ast);
        let engine: &Engine = if profiling {
            bind_prof::profiling_engine()
        } else {
            &self.engine
        };
        let result = guard_panics(|| engine.eval_ast_with_scope::<Dynamic>(&mut self.scope, &full));
        self.lib = full.clone_functions_only();
        result
    }

    /// Run code as a statement or script: `source` names it in error messages (a file
    /// path in `run` mode, `None` at the prompt). Errors come back formatted.
    pub fn run(&mut self, code: &str, source: Option<&str>) -> Result<Outcome, ScriptError> {
        self.run_on(code, source, false)
    }

    fn run_on(
        &mut self,
        code: &str,
        source: Option<&str>,
        profiling: bool,
    ) -> Result<Outcome, ScriptError> {
        match self.eval_on(code, source, profiling) {
            Ok(v) => Ok(Outcome::Value(v)),
            Err(e) => {
                if let Some(v) = terminated_value(&e) {
                    if let Some(ExitRequest(n)) = v.clone().try_cast::<ExitRequest>() {
                        return Ok(Outcome::Exit(n));
                    }
                    return Err(ScriptError {
                        message: self.format_error(&e, code, source),
                        interrupted: true,
                    });
                }
                Err(ScriptError {
                    message: self.format_error(&e, code, source),
                    interrupted: false,
                })
            }
        }
    }

    /// Run code like [`Session::run`] with the profiler recording; `source` also names the
    /// root row (`FILE:1(<module>)`). Returns the outcome and the profile (also when the
    /// code failed or was interrupted).
    pub fn run_profiled(
        &mut self,
        code: &str,
        source: Option<&str>,
    ) -> (Result<Outcome, ScriptError>, crate::prof::Profile) {
        let root = crate::prof::FuncKey::Script {
            name: "<module>".into(),
            location: format!("{}:1", source.unwrap_or("<input>")),
        };
        // Built before the clock starts.
        let _ = bind_prof::profiling_engine();
        if let Err(e) = bind_prof::start_profile(root) {
            let err = ScriptError {
                message: format!("error: {e}"),
                interrupted: false,
            };
            return (Err(err), crate::prof::Profile::default());
        }
        let r = self.run_on(code, source, true);
        (r, bind_prof::finish_profile())
    }

    /// Run code like [`Session::run`] and measure it (wall, CPU, memory).
    pub fn run_timed(
        &mut self,
        code: &str,
        source: Option<&str>,
    ) -> (Result<Outcome, ScriptError>, crate::prof::timing::Timing) {
        let sw = crate::prof::timing::Stopwatch::start();
        let r = self.run(code, source);
        (r, sw.stop())
    }

    /// Set (or replace) a script variable.
    pub fn set_var(&mut self, name: &str, value: Dynamic) {
        self.scope.set_or_push(name.to_string(), value);
    }

    /// A value as the user sees it: its `to_string` (registered types print their summary,
    /// strings print without quotes).
    pub fn display(&self, v: &Dynamic) -> String {
        if v.is_string() {
            return v.to_string();
        }
        let ast = self
            .show_ast
            .get_or_init(|| self.engine.compile("to_string(__v)").unwrap_or_default());
        let mut scope = Scope::new();
        scope.push("__v", v.clone());
        match self.engine.eval_ast_with_scope::<String>(&mut scope, ast) {
            Ok(s) => s,
            Err(_) => v.to_string(),
        }
    }

    /// Remember the last value shown at the prompt as `_` (IPython's habit).
    pub fn set_last(&mut self, v: &Dynamic) {
        self.scope.set_or_push(repl::LAST, v.clone());
    }

    /// What `x?`, `help(x)` and `:help x` print for an expression or a name: a variable
    /// or any expression is described as a value (type, preview, methods); a name that is
    /// not a variable is looked up among the documented functions.
    pub fn help_for(&mut self, expr: &str) -> Result<String, String> {
        let e = expr.trim();
        let is_ident = !e.is_empty()
            && e.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !e.starts_with(|c: char| c.is_ascii_digit());
        if is_ident && !e.contains('.') && !self.scope.contains(e) {
            return help::describe(e);
        }
        if is_ident && e.contains('.') && !self.scope.contains(e.split('.').next().unwrap_or("")) {
            return help::describe(e);
        }
        match self.eval(&repl::last_value_refs(e)) {
            Ok(v) => {
                let shown = self.display(&v);
                Ok(help::describe_value(&self.engine, &v, &shown))
            }
            Err(err) => Err(format!("help: {e}: {err}")),
        }
    }

    /// Variables holding an open HDF5 file (as its root group) or group, for completing
    /// dataset paths after `f["`.
    pub fn h5_vars(&self) -> Vec<(String, crate::h5::H5Group)> {
        let mut out: Vec<(String, crate::h5::H5Group)> = vec![];
        for (name, _, value) in self.scope.iter_raw() {
            let g = if let Some(f) = value.read_lock::<crate::h5::H5File>() {
                f.root().ok()
            } else {
                value.read_lock::<crate::h5::H5Group>().map(|g| g.clone())
            };
            out.retain(|(n, _)| n != name);
            if let Some(g) = g {
                out.push((name.to_string(), g));
            }
        }
        out
    }

    /// The variables in scope (latest definition of each name), for completion.
    pub fn var_info(&self) -> Vec<VarInfo> {
        let mut out: Vec<VarInfo> = vec![];
        for (name, _, value) in self.scope.iter_raw() {
            let keys = match value.read_lock::<rhai::Map>() {
                Some(m) => m.keys().map(|k| k.to_string()).collect(),
                None => vec![],
            };
            let info = VarInfo {
                name: name.to_string(),
                type_id: value.type_id(),
                type_name: self.engine.map_type_name(value.type_name()).to_string(),
                keys,
            };
            match out.iter_mut().find(|v| v.name == info.name) {
                Some(slot) => *slot = info,
                None => out.push(info),
            }
        }
        out
    }

    /// Names of the functions the user defined in this session.
    pub fn user_fn_names(&self) -> Vec<String> {
        self.lib
            .iter_functions()
            .map(|f| f.name.to_string())
            .collect()
    }

    /// Format an error: `FILE:line:col: message` (or `line:col` at the prompt), the
    /// source line with a caret under the column, and the chain of script functions it
    /// happened in.
    pub fn format_error(&self, err: &EvalAltResult, code: &str, source: Option<&str>) -> String {
        // Unwrap calls of script functions down to the error itself.
        let mut frames: Vec<(String, Position)> = vec![];
        let mut e = err;
        loop {
            match e {
                EvalAltResult::ErrorInFunctionCall(name, _, inner, pos) => {
                    frames.push((name.clone(), *pos));
                    e = inner;
                }
                EvalAltResult::ErrorInModule(name, inner, pos) => {
                    frames.push((format!("module {name}"), *pos));
                    e = inner;
                }
                _ => break,
            }
        }
        let mut msg = message_of(e);
        if let (EvalAltResult::ErrorVariableNotFound(var, _), Some((f, _))) = (e, frames.last()) {
            // Rhai functions do not see the variables around them (unlike Python's)
            if self.scope.contains(var) {
                msg.push_str(&format!(
                    " (functions do not see variables defined outside them: pass `{var}` to \
                     '{f}' as an argument, or make '{f}' a closure `|..| ...` that captures \
                     `{var}`)"
                ));
            }
        }
        if let EvalAltResult::ErrorFunctionNotFound(sig, _) = e {
            let name = sig.split(['(', ' ']).next().unwrap_or(sig);
            let mut names: Vec<String> = help::all_docs()
                .iter()
                .map(|d| d.name.to_string())
                .collect();
            names.extend(self.user_fn_names());
            let close = help::suggest(name, names.iter().map(|s| s.as_str()));
            let close: Vec<String> = close.into_iter().filter(|c| c != name).collect();
            if !close.is_empty() {
                msg.push_str(&format!(" (did you mean {}?)", close.join(", ")));
            } else if help::lookup(name).is_empty() {
                msg.push_str(" (`:help` lists the functions)");
            } else {
                msg.push_str(&format!(
                    " (the arguments do not match; `help(\"{name}\")` shows its usage)"
                ));
            }
        }
        // In a file every position refers to that file: point at the innermost one. At
        // the prompt, functions may come from earlier inputs, so point at the call made
        // in this input.
        let inner_pos = e.position();
        let outer_pos = frames.first().map(|f| f.1).unwrap_or(inner_pos);
        let pos = if (source.is_some() && !inner_pos.is_none()) || frames.is_empty() {
            inner_pos
        } else {
            outer_pos
        };
        let mut out = String::from("error: ");
        match (source, pos.line(), pos.position()) {
            (Some(s), Some(l), Some(c)) => out.push_str(&format!("{s}:{l}:{c}: ")),
            (Some(s), Some(l), None) => out.push_str(&format!("{s}:{l}: ")),
            (Some(s), None, _) => out.push_str(&format!("{s}: ")),
            (None, Some(l), Some(c)) => out.push_str(&format!("line {l}:{c}: ")),
            (None, Some(l), None) => out.push_str(&format!("line {l}: ")),
            (None, None, _) => {}
        }
        out.push_str(&msg);
        if let Some(l) = pos.line() {
            if let Some(text) = code.lines().nth(l - 1) {
                let col = pos.position().unwrap_or(1);
                let width = l.to_string().len();
                out.push_str(&format!("\n {l} | {text}"));
                // The caret goes under the character at `col` (count chars, keep tabs).
                let pad: String = text
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(|ch| if ch == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!("\n {} | {pad}^", " ".repeat(width)));
            }
        }
        for (name, p) in frames.iter().rev() {
            if let Some(l) = p.line() {
                match source {
                    Some(s) => out.push_str(&format!("\n  in call to '{name}' at {s}:{l}")),
                    None => out.push_str(&format!("\n  in call to '{name}' at line {l}")),
                }
            } else {
                out.push_str(&format!("\n  in call to '{name}'"));
            }
        }
        out
    }
}

/// The value an `ErrorTerminated` carries, anywhere in the chain of function calls.
fn terminated_value(e: &EvalAltResult) -> Option<&Dynamic> {
    match e {
        EvalAltResult::ErrorTerminated(v, _) => Some(v),
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _)
        | EvalAltResult::ErrorInModule(_, inner, _) => terminated_value(inner),
        _ => None,
    }
}

/// The message of one error without Rhai's "(line x, position y)" suffix.
fn message_of(e: &EvalAltResult) -> String {
    match e {
        EvalAltResult::ErrorRuntime(d, _) if d.is_string() => d.to_string(),
        EvalAltResult::ErrorTerminated(..) => "interrupted".to_string(),
        _ => {
            let s = e.to_string();
            let suffix = format!(" ({})", e.position());
            match s.strip_suffix(&suffix) {
                Some(t) if !e.position().is_none() => t.to_string(),
                _ => s,
            }
        }
    }
}

/// A `--set name=value` value: an integer, a float, `true`/`false`, else the text as a
/// string.
pub fn parse_value(s: &str) -> Dynamic {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Dynamic::from(i);
    }
    if t.chars().any(|c| c.is_ascii_digit()) {
        if let Ok(f) = t.parse::<f64>() {
            return Dynamic::from(f);
        }
    }
    match t {
        "true" => Dynamic::from(true),
        "false" => Dynamic::from(false),
        _ => Dynamic::from(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panicking built-in (on the session thread or on a kernel's worker thread) is an
    /// "internal error" naming it, and the session keeps its variables.
    #[test]
    fn panics_become_internal_errors() {
        use rayon::prelude::*;
        let mut s = Session::new();
        let e = Arc::get_mut(&mut s.engine).expect("sole owner");
        e.register_fn("boom", || -> rhai::INT {
            let _s = crate::prof::span("boom");
            panic!("kaboom")
        });
        e.register_fn("boom_par", || -> rhai::INT {
            let _s = crate::prof::span("boom_par");
            (0..1000).into_par_iter().for_each(|i| {
                if i == 777 {
                    panic!("worker kaboom")
                }
            });
            0
        });
        let _ = s.eval("let keep = 41;").unwrap();
        let err = s.eval("keep += 1; boom()").unwrap_err().to_string();
        assert!(err.contains("internal error in boom: kaboom at "), "{err}");
        assert!(err.contains("please report"), "{err}");
        let err = s.eval("boom_par()").unwrap_err().to_string();
        assert!(
            err.contains("internal error in boom_par: worker kaboom"),
            "{err}"
        );
        assert_eq!(s.eval("keep").unwrap().as_int().unwrap(), 42);
        assert_eq!(s.eval("keep + 1").unwrap().as_int().unwrap(), 43);
    }

    #[test]
    fn variables_and_functions_persist() {
        let mut s = Session::new();
        let _ = s.eval("let x = 40; fn twice(v) { v * 2 }").unwrap();
        assert_eq!(s.eval("x + 2").unwrap().as_int().unwrap(), 42);
        assert_eq!(s.eval("twice(x)").unwrap().as_int().unwrap(), 80);
    }

    #[test]
    fn exit_is_an_outcome_not_an_error() {
        let mut s = Session::new();
        match s.run("let a = 1;\nexit(3);\nlet b = 2;", None) {
            Ok(Outcome::Exit(3)) => {}
            other => panic!("expected exit 3, got {other:?}"),
        }
        assert!(s.scope.get("b").is_none());
        // Not catchable.
        match s.run("try { exit(4) } catch { 5 }", None) {
            Ok(Outcome::Exit(4)) => {}
            other => panic!("expected exit 4, got {other:?}"),
        }
        // Also from inside a function.
        match s.run("fn f() { exit(7) }\nf()", None) {
            Ok(Outcome::Exit(7)) => {}
            other => panic!("expected exit 7, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_file_line_and_point_at_the_column() {
        let mut s = Session::new();
        let e = s
            .run("let a = 1;\nlet b = a + nosuch;\n", Some("x.rhai"))
            .unwrap_err();
        assert!(!e.interrupted);
        let m = e.message;
        assert!(
            m.starts_with("error: x.rhai:2:13: Variable not found: nosuch"),
            "{m}"
        );
        assert!(
            m.contains("\n 2 | let b = a + nosuch;\n   |             ^"),
            "{m}"
        );
        // Inside a function: the innermost line, and the call chain.
        let e = s
            .run("fn f(x) {\n  x + nosuch\n}\nf(1)", Some("y.rhai"))
            .unwrap_err();
        assert!(e.message.contains("y.rhai:2:"), "{}", e.message);
        assert!(
            e.message.contains("in call to 'f' at y.rhai:4"),
            "{}",
            e.message
        );
        // Syntax errors.
        let e = s.run("let = 3", None).unwrap_err();
        assert!(
            e.message.starts_with("error: line 1:5: Syntax error"),
            "{}",
            e.message
        );
        // Misspelled functions suggest documented names.
        let e = s.run("tabel()", None).unwrap_err();
        assert!(
            e.message.contains("did you mean") && e.message.contains(" table"),
            "{}",
            e.message
        );
    }

    #[test]
    fn set_values_are_typed() {
        assert_eq!(parse_value("3").as_int().unwrap(), 3);
        assert_eq!(parse_value("-2.5").as_float().unwrap(), -2.5);
        assert_eq!(parse_value("1e3").as_float().unwrap(), 1000.0);
        assert!(parse_value("true").as_bool().unwrap());
        assert_eq!(parse_value("inf").into_string().unwrap(), "inf");
        assert_eq!(parse_value("a=b").into_string().unwrap(), "a=b");
    }

    #[test]
    fn display_uses_registered_to_string() {
        let mut s = Session::new();
        let v = s.eval("table(#{a: [1, 2]})").unwrap();
        let shown = s.display(&v);
        assert!(shown.contains("│ a │"), "{shown}");
        assert_eq!(s.display(&Dynamic::from("hi")), "hi");
        assert_eq!(s.display(&Dynamic::from(2.5)), "2.5");
    }
}
