//! Profiling spans, timing, memory accounting and named stages: the measuring half of
//! evsh (DESIGN principle 5). Built-in functions open a span named after themselves
//! (`prof::span("load")`), kernels open stage spans inside them (`prof::stage("decompress")`,
//! possibly on worker threads); the profiler (`profile(|| ...)`, `:prof`, `run --profile`)
//! turns them into a cProfile-style table. When profiling is off a span costs one relaxed
//! atomic load (and a thread-local store of its name, which progress bars show).
//!
//! - `record`: the call stack and per-function / per-call-path accounting.
//! - `report`: the finished `Profile`: table, JSON and collapsed-stack output.
//! - `timing`: wall/user/sys clocks with memory deltas, and `timeit` statistics.
//! - `mem`: resident memory split into anonymous and file-mapped, peak, mapped files.
//! - `monitor`: named stages a script records with `monitor("stage", || ...)`.

pub mod mem;
pub mod monitor;
mod record;
pub mod report;
pub mod timing;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

pub use record::{enter, finish, leave, start, FrameToken, FuncKey};
pub use report::Profile;

static ENABLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Name of the innermost span open on this thread (for progress labels).
    static CURRENT: Cell<&'static str> = const { Cell::new("") };
}

/// Is a profile being recorded?
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

pub(crate) fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::SeqCst);
}

/// The innermost span name open on this thread ("" when none): labels progress bars.
pub fn current_name() -> &'static str {
    CURRENT.with(|c| c.get())
}

/// The innermost built-in running anywhere (the session thread opens these spans), for
/// naming the function in "internal error in FUNCTION" when a kernel panics, perhaps on a
/// worker thread. Updated without waiting: a contended update is skipped.
static RUNNING: std::sync::Mutex<&'static str> = std::sync::Mutex::new("");

fn set_running(name: &'static str) {
    match RUNNING.try_lock() {
        Ok(mut g) => *g = name,
        Err(std::sync::TryLockError::Poisoned(p)) => *p.into_inner() = name,
        Err(std::sync::TryLockError::WouldBlock) => {}
    }
}

/// The built-in that was running when this was called ("" when none).
pub fn running_builtin() -> &'static str {
    *RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A timing span; records on drop when profiling is on.
#[must_use = "a span measures until it is dropped"]
pub struct Span {
    prev: &'static str,
    active: Option<record::Active>,
}

impl Drop for Span {
    #[inline]
    fn drop(&mut self) {
        // A built-in's span restores the running name; a stage (which did not change it)
        // does not, so a worker thread's stage never clears the session's name.
        let was = CURRENT.with(|c| c.replace(self.prev));
        if !std::ptr::eq(was, self.prev) && !std::thread::panicking() {
            set_running(self.prev);
        }
        if let Some(a) = self.active.take() {
            record::close(a);
        }
    }
}

/// Open a span for one call of the built-in `name` (e.g. "load", "e.his", "ab.dv"). On
/// the thread that records the profile it is a call (a row of its own, nested in the
/// caller); on worker threads it counts as a stage of the built-in that is running.
#[inline]
pub fn span(name: &'static str) -> Span {
    let prev = CURRENT.with(|c| c.replace(name));
    set_running(name);
    Span {
        prev,
        active: if enabled() {
            record::open_call(name)
        } else {
            None
        },
    }
}

/// Open a kernel stage span (e.g. "read", "decompress", "compute", "gather", "h5 lock"):
/// its time is shown as a sub-row of the built-in (or script function) running when it
/// ends, summed over all threads.
#[inline]
pub fn stage(name: &'static str) -> Span {
    Span {
        prev: CURRENT.with(|c| c.get()),
        active: if enabled() {
            record::open_stage(name)
        } else {
            None
        },
    }
}
