//! Progress for slow work: every chunked kernel reports the rows it has done; once a
//! kernel has run for about half a second a bar appears on stderr (indicatif: stage name,
//! done/total, throughput, ETA; nested kernels get their own indented bar), but only when
//! stderr is a terminal. On a non-terminal nothing is printed, except in `run` mode where a
//! plain progress line is logged every ~10 seconds, for `nohup evsh run ... 2> log`.
//! Fast work never shows anything.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Work shorter than this never shows progress.
const SHOW_AFTER: Duration = Duration::from_millis(500);
/// Interval of progress lines in `run` mode on non-terminals (env
/// EVSH_PROGRESS_INTERVAL, seconds, overrides it).
const LOG_EVERY: Duration = Duration::from_secs(10);

static LOG_LINES: AtomicBool = AtomicBool::new(false);
static OPEN: AtomicUsize = AtomicUsize::new(0);

/// Log plain progress lines on a non-terminal stderr (`run` mode).
pub fn set_log_lines(on: bool) {
    LOG_LINES.store(on, Ordering::Relaxed);
}

fn stderr_is_terminal() -> bool {
    static T: OnceLock<bool> = OnceLock::new();
    *T.get_or_init(|| std::io::stderr().is_terminal())
}

fn log_every() -> Duration {
    static D: OnceLock<Duration> = OnceLock::new();
    *D.get_or_init(|| {
        std::env::var("EVSH_PROGRESS_INTERVAL")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(Duration::from_secs_f64)
            .unwrap_or(LOG_EVERY)
    })
}

/// Work shorter than this shows nothing: half a second, or the log interval when that is
/// set shorter (tests).
fn show_after() -> Duration {
    SHOW_AFTER.min(log_every())
}

fn multi() -> &'static MultiProgress {
    static M: OnceLock<MultiProgress> = OnceLock::new();
    M.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

struct Shown {
    bar: Option<ProgressBar>,
    last_log: Instant,
}

/// Progress of one kernel over `total` rows; cheap to update from any thread.
pub struct Progress {
    label: &'static str,
    total: u64,
    done: AtomicU64,
    start: Instant,
    depth: usize,
    shown: Mutex<Shown>,
}

fn count(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.2}G", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.2}M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.1}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// The line logged in `run` mode: `evsh: sum: 12.00M/100.00M rows (12%), 4.00M rows/s,
/// ETA 22 s`.
pub fn log_line(label: &str, done: u64, total: u64, elapsed: f64) -> String {
    let pct = if total > 0 {
        100.0 * done as f64 / total as f64
    } else {
        0.0
    };
    let rate = if elapsed > 0.0 {
        done as f64 / elapsed
    } else {
        0.0
    };
    let eta = if rate > 0.0 && total >= done {
        format!("{:.0} s", (total - done) as f64 / rate)
    } else {
        "?".to_string()
    };
    format!(
        "evsh: {label}: {}/{} rows ({pct:.0}%), {} rows/s, ETA {eta}",
        count(done as f64),
        count(total as f64),
        count(rate)
    )
}

impl Progress {
    /// Start tracking `total` rows of the stage `label` ("" for an unnamed kernel).
    pub fn new(label: &'static str, total: u64) -> Progress {
        let depth = OPEN.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        Progress {
            label: if label.is_empty() { "working" } else { label },
            total,
            done: AtomicU64::new(0),
            start: now,
            depth,
            shown: Mutex::new(Shown {
                bar: None,
                last_log: now,
            }),
        }
    }

    /// `n` more rows are done.
    #[inline]
    pub fn inc(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let el = self.start.elapsed();
        if el < show_after() {
            return;
        }
        let terminal = stderr_is_terminal();
        if !terminal && !LOG_LINES.load(Ordering::Relaxed) {
            return;
        }
        // Another thread is drawing: skip this update.
        let Ok(mut s) = self.shown.try_lock() else {
            return;
        };
        if terminal {
            let bar = s.bar.get_or_insert_with(|| self.make_bar(done));
            bar.set_position(done.min(self.total));
        } else if s.last_log.elapsed() >= log_every() {
            s.last_log = Instant::now();
            eprintln!(
                "{}",
                log_line(self.label, done, self.total, el.as_secs_f64())
            );
        }
    }

    fn make_bar(&self, done: u64) -> ProgressBar {
        let style = ProgressStyle::with_template(
            "{prefix}{msg} [{bar:30}] {human_pos}/{human_len} rows, {rate}, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            // Average since the kernel started (its clock is set to the kernel's start).
            let el = s.elapsed().as_secs_f64();
            let rate = if el > 0.0 { s.pos() as f64 / el } else { 0.0 };
            let _ = write!(w, "{} rows/s", count(rate));
        })
        .progress_chars("=> ");
        // Styled and positioned before it is first drawn.
        let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::hidden())
            .with_style(style)
            .with_prefix("  ".repeat(self.depth))
            .with_message(self.label)
            .with_elapsed(self.start.elapsed());
        bar.set_position(done.min(self.total));
        let bar = multi().add(bar);
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, Ordering::Relaxed);
        if let Ok(mut s) = self.shown.lock() {
            if let Some(bar) = s.bar.take() {
                bar.finish_and_clear();
                multi().remove(&bar);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_read_well() {
        assert_eq!(
            log_line("sum", 12_000_000, 100_000_000, 3.0),
            "evsh: sum: 12.00M/100.00M rows (12%), 4.00M rows/s, ETA 22 s"
        );
        assert_eq!(
            log_line("load", 0, 10, 0.0),
            "evsh: load: 0/10 rows (0%), 0 rows/s, ETA ?"
        );
    }

    #[test]
    fn counting_is_exact_across_threads() {
        let p = Progress::new("", 4000);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        p.inc(1)
                    }
                });
            }
        });
        assert_eq!(p.done.load(Ordering::Relaxed), 4000);
        assert_eq!(p.label, "working");
    }
}
