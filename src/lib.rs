//! evsh: lazily evaluated, memory-mapped scientific arrays behind a Rhai shell.
//!
//! Layers (see DESIGN.md), imports pointing down this list:
//! frontends (`main.rs`) → `script` (the only Rhai-aware layer) → domain (`event`,
//! `compare`, `stats`, `frames`) → io (`io`, `h5`, `output`) → core (`array`, `exec`,
//! `prof`).
pub mod array;
pub mod compare;
pub mod error;
pub mod event;
pub mod exec;
pub mod frames;
pub mod h5;
pub mod io;
pub mod output;
pub mod prof;
pub mod script;
pub mod stats;

pub use array::{Array, DType};
pub use error::{Error, Result};
