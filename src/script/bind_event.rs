//! Rhai bindings for the event layer (registration and help text live together).

use rhai::Engine;

use super::help::FnDoc;

/// Help for every function this module registers.
pub const DOCS: &[FnDoc] = &[];

/// Register this module's types and functions.
pub fn register(_engine: &mut Engine) {}
