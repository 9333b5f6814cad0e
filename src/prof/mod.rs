//! Profiling spans. Built-in functions open a span named after themselves
//! (`prof::span("load")`), kernels open stage spans inside them
//! (`prof::stage("decompress")`); the profiler (`profile(|| ...)`, `:prof`, `run --profile`)
//! turns them into a cProfile-style table. When profiling is off a span costs one relaxed
//! atomic load.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Is a profile being recorded?
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Turn recording on or off.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::SeqCst);
}

/// A timing span; records on drop when profiling is on.
pub struct Span {
    _name: Option<&'static str>,
}

/// Open a span for one call of the built-in `name` (e.g. "load", "e.his", "ab.dv").
#[inline]
pub fn span(name: &'static str) -> Span {
    Span {
        _name: if enabled() { Some(name) } else { None },
    }
}

/// Open a kernel stage span (e.g. "read", "decompress", "compute", "gather", "h5 lock").
#[inline]
pub fn stage(name: &'static str) -> Span {
    span(name)
}
