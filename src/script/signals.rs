//! Ctrl-C and SIGTERM: a signal never kills a running statement outright; it sets the
//! interrupt flag that kernels check between chunks and that stops script loops, so the
//! statement ends with "interrupted" and the user's variables survive. Pressing Ctrl-C
//! three times while a statement ignores the flag exits the process (status 130), as a
//! last resort; SIGTERM while the REPL waits at its prompt exits at once (status 143).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Once;

use signal_hook::consts::{SIGINT, SIGTERM};

static PENDING: AtomicUsize = AtomicUsize::new(0);
static TERMINATED: AtomicBool = AtomicBool::new(false);
static AT_PROMPT: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Signals received while an interrupt was already pending before the process gives up.
const FORCE_EXIT_AFTER: usize = 3;

fn on_signal(sig: i32) {
    // Only async-signal-safe work here: atomics and _exit.
    if sig == SIGTERM {
        TERMINATED.store(true, Ordering::SeqCst);
        if AT_PROMPT.load(Ordering::SeqCst) {
            // SAFETY: _exit is async-signal-safe and ends the process immediately.
            unsafe { libc::_exit(143) };
        }
    }
    if crate::exec::interrupted() {
        if PENDING.fetch_add(1, Ordering::SeqCst) + 1 >= FORCE_EXIT_AFTER {
            // SAFETY: as above.
            unsafe { libc::_exit(if sig == SIGTERM { 143 } else { 130 }) };
        }
    } else {
        PENDING.store(0, Ordering::SeqCst);
        crate::exec::request_interrupt();
    }
}

/// Install the SIGINT and SIGTERM handlers (once per process). If that fails the error is
/// reported and the default behaviour applies.
pub fn install() {
    INSTALL.call_once(|| {
        for sig in [SIGINT, SIGTERM] {
            // SAFETY: the handler only touches atomics and calls _exit, both allowed in a
            // signal handler.
            if let Err(e) = unsafe { signal_hook::low_level::register(sig, move || on_signal(sig)) }
            {
                eprintln!("evsh: cannot install the handler for signal {sig}: {e}");
            }
        }
    });
}

/// Has SIGTERM been received? (The caller then stops with status 143.)
pub fn terminated() -> bool {
    TERMINATED.load(Ordering::SeqCst)
}

/// The REPL is (not) waiting at its prompt: SIGTERM exits at once while it is.
pub fn set_at_prompt(on: bool) {
    AT_PROMPT.store(on, Ordering::SeqCst);
}

/// Reset the force-exit counter when a statement ends.
pub fn statement_done() {
    PENDING.store(0, Ordering::SeqCst);
}
