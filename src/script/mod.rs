//! The only layer that knows Rhai: a Session holds the engine, the scope of user
//! variables and the interrupt hook; the REPL, `run FILE` and `-c CODE` all drive one.

pub mod bind_array;
pub mod bind_compare;
pub mod bind_event;
pub mod bind_h5;
pub mod bind_prof;
pub mod bind_session;
pub mod bind_stats;
pub mod bind_table;
pub mod conv;
pub mod help;

use rhai::{Dynamic, Engine, EvalAltResult, Position, Scope};

use crate::error::Error;

/// Convert an evsh error into a Rhai runtime error (Ctrl-C becomes termination).
pub fn rhai_err(e: Error) -> Box<EvalAltResult> {
    match e {
        Error::Cancelled => Box::new(EvalAltResult::ErrorTerminated(
            "interrupted".into(),
            Position::NONE,
        )),
        e => Box::new(EvalAltResult::ErrorRuntime(e.to_string().into(), Position::NONE)),
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

/// Build an engine with every evsh type and function registered.
pub fn build_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_max_expr_depths(256, 256);
    engine.on_progress(|_| {
        if crate::exec::interrupted() {
            Some(Dynamic::from("interrupted"))
        } else {
            None
        }
    });
    bind_array::register(&mut engine);
    bind_table::register(&mut engine);
    bind_event::register(&mut engine);
    bind_compare::register(&mut engine);
    bind_stats::register(&mut engine);
    bind_h5::register(&mut engine);
    bind_prof::register(&mut engine);
    bind_session::register(&mut engine);
    engine
}

/// One interactive or scripted session: engine plus the user's variables.
pub struct Session {
    pub engine: Engine,
    pub scope: Scope<'static>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    pub fn new() -> Session {
        Session {
            engine: build_engine(),
            scope: Scope::new(),
        }
    }

    /// Evaluate code in the session scope, keeping variables it defines.
    pub fn eval(&mut self, code: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        crate::exec::clear_interrupt();
        self.engine
            .eval_with_scope::<Dynamic>(&mut self.scope, code)
    }
}
