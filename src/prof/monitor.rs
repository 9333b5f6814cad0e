//! Named stages a script records with `monitor("stage", || ...)`, for a per-stage report
//! (calls, total, mean, share, throughput) at the end of an analysis. Process-wide, in the
//! order stages first ran; a stage nested in another counts in its own row but not twice
//! in the shares.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::output::table::{Col, Table};

use super::mem::fmt_bytes;

#[derive(Clone, Debug, Default)]
struct StageStat {
    name: String,
    calls: u64,
    seconds: f64,
    /// Seconds of calls made while no other stage was running.
    top_seconds: f64,
    rows: u64,
    bytes: u64,
}

static STAGES: Mutex<Vec<StageStat>> = Mutex::new(Vec::new());
static DEPTH: AtomicUsize = AtomicUsize::new(0);

fn lock() -> std::sync::MutexGuard<'static, Vec<StageStat>> {
    STAGES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Marks a running stage; [`Running::done`] records it.
pub struct Running {
    start: std::time::Instant,
    top: bool,
}

/// Start a stage (call [`Running::done`] when it ends, whether it failed or not).
pub fn begin() -> Running {
    let top = DEPTH.fetch_add(1, Ordering::SeqCst) == 0;
    Running {
        start: std::time::Instant::now(),
        top,
    }
}

impl Running {
    /// Record the stage `name`, with the rows and bytes it processed when known.
    pub fn done(self, name: &str, rows: u64, bytes: u64) {
        let s = self.start.elapsed().as_secs_f64();
        DEPTH.fetch_sub(1, Ordering::SeqCst);
        let mut g = lock();
        let i = match g.iter().position(|x| x.name == name) {
            Some(i) => i,
            None => {
                g.push(StageStat {
                    name: name.to_string(),
                    ..Default::default()
                });
                g.len() - 1
            }
        };
        let st = &mut g[i];
        st.calls += 1;
        st.seconds += s;
        if self.top {
            st.top_seconds += s;
        }
        st.rows += rows;
        st.bytes += bytes;
    }
}

/// Forget every recorded stage.
pub fn reset() {
    lock().clear();
}

fn rate(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.2} G", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.2} M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.2} k", n / 1e3)
    } else {
        format!("{n:.1} ")
    }
}

/// The per-stage table: `stage calls total mean share throughput` (seconds; share of the
/// time of all outermost stages, in percent).
pub fn report() -> Table {
    let g = lock();
    let all: f64 = g.iter().map(|s| s.top_seconds).sum();
    let through = |s: &StageStat| {
        let mut parts = vec![];
        if s.seconds > 0.0 && s.rows > 0 {
            parts.push(format!("{}rows/s", rate(s.rows as f64 / s.seconds)));
        }
        if s.seconds > 0.0 && s.bytes > 0 {
            parts.push(format!("{}/s", fmt_bytes(s.bytes as f64 / s.seconds)));
        }
        parts.join(", ")
    };
    let mut t = Table::new(Some("stages".to_string()));
    let cols = [
        (
            "stage",
            Col::Str(g.iter().map(|s| s.name.clone()).collect()),
        ),
        (
            "calls",
            Col::Int(g.iter().map(|s| s.calls as i64).collect()),
        ),
        ("total", Col::Float(g.iter().map(|s| s.seconds).collect())),
        (
            "mean",
            Col::Float(
                g.iter()
                    .map(|s| s.seconds / s.calls.max(1) as f64)
                    .collect(),
            ),
        ),
        (
            "share",
            Col::Float(
                g.iter()
                    .map(|s| {
                        if all > 0.0 {
                            100.0 * s.seconds / all
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            ),
        ),
        ("throughput", Col::Str(g.iter().map(through).collect())),
    ];
    for (n, c) in cols {
        // Same length by construction.
        let _ = t.push(n, c);
    }
    t.precision = vec![("total".into(), 4), ("mean".into(), 4), ("share".into(), 1)];
    t.footer
        .push("total and mean in seconds; share in % of the outermost stages' time".into());
    t
}

#[cfg(test)]
pub(crate) static TEST_LOCK: Mutex<()> = Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_accumulate() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        reset();
        for _ in 0..3 {
            let outer = begin();
            let inner = begin();
            std::thread::sleep(std::time::Duration::from_millis(2));
            inner.done("inner", 1000, 8000);
            outer.done("outer", 0, 0);
        }
        let t = report();
        assert_eq!(
            t.col("stage").unwrap(),
            &Col::Str(vec!["inner".into(), "outer".into()])
        );
        assert_eq!(t.col("calls").unwrap(), &Col::Int(vec![3, 3]));
        let Col::Float(share) = t.col("share").unwrap() else {
            panic!()
        };
        // Only the outer stage is outermost: it is 100 %, inner is a part of it.
        assert!((share[1] - 100.0).abs() < 1e-9);
        assert!(share[0] <= 100.0 && share[0] > 0.0);
        let Col::Str(th) = t.col("throughput").unwrap() else {
            panic!()
        };
        assert!(th[0].contains("rows/s") && th[0].contains("/s"));
        assert_eq!(th[1], "");
        reset();
        assert_eq!(report().nrows(), 0);
    }
}
