//! Timing one piece of work the way `:time` and `time(|| ...)` report it (wall, user and
//! system CPU seconds from getrusage, and the change in anonymous and file-mapped memory
//! with the peak reached), and the statistics of repeated runs behind `timeit`.

use std::fmt;
use std::time::Instant;

use super::mem::{self, fmt_bytes, fmt_delta, Mem};

/// User and system CPU seconds of the whole process (all threads).
pub fn cpu_times() -> (f64, f64) {
    // SAFETY: getrusage fills the struct we pass; RUSAGE_SELF is always valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    if rc != 0 {
        return (0.0, 0.0);
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6;
    (t(ru.ru_utime), t(ru.ru_stime))
}

/// The state before a measured piece of work.
pub struct Stopwatch {
    start: Instant,
    user: f64,
    sys: f64,
    mem: Option<Mem>,
    peak_reset: bool,
}

/// What one measured piece of work cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timing {
    pub wall: f64,
    pub user: f64,
    pub sys: f64,
    /// Change of resident anonymous bytes.
    pub anon: i64,
    /// Change of resident file-mapped bytes.
    pub file: i64,
    /// Peak resident bytes during the work (process peak when it could not be reset).
    pub peak: u64,
    /// Resident bytes at the end.
    pub rss: u64,
}

impl Stopwatch {
    /// Start measuring (resets the kernel's peak counter so the peak is this work's).
    pub fn start() -> Stopwatch {
        let peak_reset = mem::reset_peak();
        let mem = mem::resident().ok();
        let (user, sys) = cpu_times();
        Stopwatch {
            start: Instant::now(),
            user,
            sys,
            mem,
            peak_reset,
        }
    }

    /// Wall seconds so far.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Stop and report.
    pub fn stop(&self) -> Timing {
        let wall = self.elapsed();
        let (user, sys) = cpu_times();
        let end = mem::resident().ok();
        let mut t = Timing {
            wall,
            user: (user - self.user).max(0.0),
            sys: (sys - self.sys).max(0.0),
            ..Timing::default()
        };
        if let (Some(a), Some(b)) = (self.mem, end) {
            t.anon = b.anon as i64 - a.anon as i64;
            t.file = b.file as i64 - a.file as i64;
            t.rss = b.rss;
            t.peak = if self.peak_reset {
                // VmHWM after the reset, without the remembered process-wide peak.
                peak_now().unwrap_or(b.peak)
            } else {
                b.peak
            };
        }
        t
    }
}

fn peak_now() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|k| k * 1024)
}

/// Seconds for humans: `1.23 s`, `12.3 ms`, `45.6 µs`, `789 ns`.
pub fn fmt_secs(s: f64) -> String {
    let a = s.abs();
    if a == 0.0 {
        "0 s".to_string()
    } else if a >= 100.0 {
        format!("{s:.0} s")
    } else if a >= 1.0 {
        format!("{s:.3} s")
    } else if a >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else if a >= 1e-6 {
        format!("{:.3} µs", s * 1e6)
    } else {
        format!("{:.0} ns", s * 1e9)
    }
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cpu = if self.wall > 0.0 {
            format!(" (cpu {:.0}%)", 100.0 * (self.user + self.sys) / self.wall)
        } else {
            String::new()
        };
        write!(
            f,
            "wall {}, user {}, sys {}{cpu}; mem anon {}, file {}, peak {}",
            fmt_secs(self.wall),
            fmt_secs(self.user),
            fmt_secs(self.sys),
            fmt_delta(self.anon),
            fmt_delta(self.file),
            fmt_bytes(self.peak as f64)
        )
    }
}

/// Statistics of repeated timings (seconds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub median: f64,
    pub mean: f64,
    /// Sample standard deviation (n-1 in the denominator; 0 for one run).
    pub std: f64,
    /// Coefficient of variation: std / mean.
    pub cv: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
    pub times: Vec<f64>,
}

impl Stats {
    pub fn of(times: &[f64]) -> Stats {
        let n = times.len();
        if n == 0 {
            return Stats::default();
        }
        let mut s = times.to_vec();
        s.sort_by(|a, b| a.total_cmp(b));
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            0.5 * (s[n / 2 - 1] + s[n / 2])
        };
        let mean = s.iter().sum::<f64>() / n as f64;
        let std = if n > 1 {
            (s.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Stats {
            median,
            mean,
            std,
            cv: if mean > 0.0 { std / mean } else { 0.0 },
            min: s[0],
            max: s[n - 1],
            runs: n,
            times: times.to_vec(),
        }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ± {} (cv {:.1}%, {} run{})",
            fmt_secs(self.median),
            fmt_secs(self.std),
            100.0 * self.cv,
            self.runs,
            if self.runs == 1 { "" } else { "s" }
        )
    }
}

/// How `timeit` repeats: `warmup` unmeasured runs, then at least `runs` measured ones,
/// more until the coefficient of variation drops below `target_cv` or `max_runs` is
/// reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeitOpts {
    pub warmup: usize,
    pub runs: usize,
    pub target_cv: f64,
    pub max_runs: usize,
}

impl Default for TimeitOpts {
    fn default() -> Self {
        TimeitOpts {
            warmup: 2,
            runs: 10,
            target_cv: 0.05,
            max_runs: 100,
        }
    }
}

/// Run `f` as `opts` say and return the statistics of the measured runs. Stops at the
/// first error (including an interrupt).
pub fn timeit<E>(opts: TimeitOpts, mut f: impl FnMut() -> Result<(), E>) -> Result<Stats, E> {
    for _ in 0..opts.warmup {
        f()?;
    }
    let max = opts.max_runs.max(opts.runs).max(1);
    let mut times = Vec::with_capacity(opts.runs.max(1));
    while times.len() < max {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64());
        if times.len() >= opts.runs.max(1) && Stats::of(&times).cv < opts.target_cv {
            break;
        }
    }
    Ok(Stats::of(&times))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_match_numpy() {
        // numpy.median/mean/std(ddof=1) of [1, 2, 3, 5]: 2.5, 2.75, 1.707825127659933
        let s = Stats::of(&[4.0, 1.0, 2.0, 3.0]);
        assert_eq!(s.median, 2.5);
        assert_eq!(s.mean, 2.5);
        let s = Stats::of(&[1.0, 2.0, 3.0, 5.0]);
        assert_eq!(s.median, 2.5);
        assert_eq!(s.mean, 2.75);
        assert!((s.std - 1.707_825_127_659_933).abs() < 1e-12);
        assert!((s.cv - 1.707_825_127_659_933 / 2.75).abs() < 1e-12);
        assert_eq!((s.min, s.max, s.runs), (1.0, 5.0, 4));
        assert_eq!(Stats::of(&[3.0]).std, 0.0);
    }

    #[test]
    fn timeit_run_counts() {
        let mut calls = 0;
        let work = |calls: &mut usize| {
            *calls += 1;
            let mut x = 0u64;
            for i in 0..20_000u64 {
                x = x.wrapping_mul(31).wrapping_add(i);
            }
            std::hint::black_box(x);
            Ok::<(), ()>(())
        };
        // A loose target stops at the minimum number of runs.
        let opts = TimeitOpts {
            warmup: 3,
            runs: 5,
            target_cv: f64::INFINITY,
            max_runs: 50,
        };
        let s = timeit(opts, || work(&mut calls)).unwrap();
        assert_eq!((s.runs, calls), (5, 8));
        // An unreachable target runs to the cap.
        calls = 0;
        let opts = TimeitOpts {
            target_cv: 0.0,
            ..opts
        };
        let s = timeit(opts, || work(&mut calls)).unwrap();
        assert_eq!((s.runs, calls), (50, 53));
        assert!(s.min <= s.median && s.median <= s.max);
        assert!(s.min <= s.mean && s.mean <= s.max);
        assert!(s.std >= 0.0 && (s.cv - s.std / s.mean).abs() < 1e-12);
        let text = s.to_string();
        assert!(text.contains(" ± ") && text.ends_with("50 runs)"), "{text}");
    }

    #[test]
    fn timing_measures_cpu_and_memory() {
        // The peak counter is process-wide and other tests of this binary run in parallel
        // threads (and may reset it): measure up to three times, the claim must hold once.
        let measure = || {
            let sw = Stopwatch::start();
            let mut x = 0u64;
            let t0 = Instant::now();
            while t0.elapsed().as_millis() < 50 {
                x = x.wrapping_add(1);
            }
            std::hint::black_box(x);
            let v = vec![1u8; 32 << 20];
            std::hint::black_box(&v);
            sw.stop()
        };
        let mut t = measure();
        for _ in 0..2 {
            if t.peak >= 16 << 20 {
                break;
            }
            t = measure();
        }
        assert!(t.wall >= 0.05);
        assert!(t.user + t.sys > 0.0 && t.user + t.sys < t.wall * 64.0 + 1.0);
        assert!(t.peak >= 16 << 20, "{t:?}");
        let line = t.to_string();
        assert!(
            line.starts_with("wall ") && line.contains("mem anon ") && line.contains(", peak "),
            "{line}"
        );
    }
}
