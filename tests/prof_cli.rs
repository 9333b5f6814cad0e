//! The measuring side of `evsh` as a process: `run --profile FILE` output files,
//! SIGINT/SIGTERM stopping a script with exit code 130 while outputs already written stay
//! valid, and progress output (none on a non-terminal stderr, periodic lines in `run` mode).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn evsh() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evsh"))
}

#[test]
fn run_profile_writes_json_folded_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("calls.rhai");
    std::fs::write(
        &script,
        "fn fact(n) {\n    if n <= 1 { 1 } else { n * fact(n - 1) }\n}\nlet x = fact(6);\nprint(x);\n",
    )
    .unwrap();
    for ext in ["json", "folded", "txt"] {
        let out = dir.path().join(format!("prof.{ext}"));
        let o = evsh()
            .arg("run")
            .arg(&script)
            .arg("--profile")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        assert_eq!(String::from_utf8_lossy(&o.stdout), "720\n");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("profile written to"), "{err}");
        let text = std::fs::read_to_string(&out).unwrap();
        let src = script.display().to_string();
        match ext {
            "json" => {
                let j: serde_json::Value = serde_json::from_str(&text).unwrap();
                let rows = j["rows"].as_array().unwrap();
                let fact = rows
                    .iter()
                    .find(|r| r["function"] == format!("{src}:1(fact)"))
                    .unwrap_or_else(|| panic!("{text}"));
                assert_eq!(fact["ncalls"], 6);
                assert_eq!(fact["primitive"], 1);
                let module = rows
                    .iter()
                    .find(|r| r["function"] == format!("{src}:1(<module>)"))
                    .unwrap();
                assert_eq!(module["ncalls"], 1);
                for r in rows {
                    assert!(r["cumtime"].as_f64() >= r["tottime"].as_f64(), "{r}");
                }
            }
            "folded" => {
                for l in text.lines() {
                    let (stack, n) = l.rsplit_once(' ').unwrap();
                    assert!(n.parse::<u64>().is_ok(), "{l}");
                    assert!(stack.contains("(<module>)"), "{l}");
                    assert!(!stack.contains(' '), "{l}");
                }
            }
            _ => {
                assert!(text.contains("6/1"), "{text}");
                assert!(text.contains("ncalls  tottime  percall  cumtime  percall  function"));
            }
        }
    }
}

/// Start a script that writes an output, says "ready" and then loops until stopped; send
/// `sig`; it must exit with 130, having printed and written what came before.
fn stopped_by(sig: i32) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("partial.npy");
    let script = dir.path().join("forever.rhai");
    std::fs::write(
        &script,
        format!(
            "save(arange(1000), \"{}\");\nprint(\"ready\");\nlet i = 0;\nloop {{ i += 1; }}\n",
            out.display()
        ),
    )
    .unwrap();
    let mut child = evsh()
        .arg("run")
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    // SAFETY: plain kill(2) on the child we started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("evsh did not stop within 60 s of signal {sig}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130), "signal {sig}");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("interrupted"), "{err}");
    // The output written before the signal is a complete .npy file.
    let check = evsh()
        .arg("-c")
        .arg(format!("load(\"{}\").sum()", out.display()))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&check.stdout).trim(), "499500");
    // No temporary files were left next to it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn sigint_stops_run_with_130() {
    stopped_by(libc::SIGINT);
}

#[test]
fn sigterm_stops_run_with_130() {
    stopped_by(libc::SIGTERM);
}

const SLOW: &str = "let x = arange(12000000); let s = x.sum(); print(s);";

#[test]
fn no_progress_on_a_non_terminal_outside_run_mode() {
    let o = evsh()
        .arg("-c")
        .arg(SLOW)
        .env("EVSH_PROGRESS_INTERVAL", "0.01")
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        (12000000i64 * 11999999 / 2).to_string()
    );
}

#[test]
fn run_mode_logs_progress_lines_on_a_non_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("slow.rhai");
    std::fs::write(&script, SLOW).unwrap();
    // Without the short interval nothing appears for work this short (lines come every
    // ~10 s).
    let o = evsh().arg("run").arg(&script).output().unwrap();
    assert!(o.status.success());
    let quiet = String::from_utf8_lossy(&o.stderr).to_string();
    let t = Instant::now();
    let o = evsh()
        .arg("run")
        .arg(&script)
        .env("EVSH_PROGRESS_INTERVAL", "0.01")
        .output()
        .unwrap();
    let took = t.elapsed();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for l in err.lines() {
        assert!(
            l.starts_with("evsh: ") && l.contains(" rows/s, ETA "),
            "{l}"
        );
    }
    if took > Duration::from_millis(200) {
        assert!(err.lines().count() >= 1, "no progress line in {took:?}");
    } else {
        eprintln!("skipping the line count: the run took only {took:?}");
    }
    if !quiet.is_empty() {
        assert!(
            quiet.lines().all(|l| l.contains(" rows/s, ETA ")),
            "{quiet}"
        );
    }
}

#[test]
fn repl_time_timer_and_prof_commands() {
    use std::io::Write;
    let mut child = evsh()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"let x = arange(1000);\n:time x.sum()\n:timer on\nx.len\n:timer off\n1 + 1\n\
fn f(n) { if n < 1 { 0 } else { f(n - 1) } }\n:prof f(3)\n:time\n",
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "499500");
    assert!(lines[1].starts_with("time: wall "), "{out}");
    assert_eq!(lines[2], "1000");
    assert!(lines[3].starts_with("time: wall "), "{out}");
    // Timer off: no timing line after `1 + 1`.
    assert_eq!(lines[4], "2");
    assert_eq!(lines[5], "0");
    assert!(
        lines[6].starts_with("5 function calls (2 primitive calls) in "),
        "{out}"
    );
    assert!(out.contains("4/1"), "{out}");
    assert!(out.contains("(f)"), "{out}");
    assert_eq!(out.matches("time: wall").count(), 2, "{out}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("usage: :time STATEMENT"), "{err}");
}

#[test]
fn thread_count_from_flag_and_environment() {
    let run = |args: &[&str], env: Option<&str>| {
        let mut c = evsh();
        c.args(args).env_remove("EVSH_THREADS");
        if let Some(v) = env {
            c.env("EVSH_THREADS", v);
        }
        c.output().unwrap()
    };
    let o = run(&["--threads", "3", "-c", "threads()"], None);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "3");
    let o = run(&["-c", "threads()"], Some("2"));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2");
    // The flag wins over the environment.
    let o = run(&["--threads", "1", "-c", "threads()"], Some("2"));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "1");
    let o = run(&["-c", "threads()"], Some("many"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("EVSH_THREADS='many'"));
    let o = run(&["--mem-budget", "4X", "-c", "1"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--mem-budget '4X'"));
    let o = run(&["--mem-budget", "300M", "-c", "mem_budget()"], None);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        (300i64 << 20).to_string()
    );
    // The process-wide flags work before and after the `run` command.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("b.rhai");
    std::fs::write(&script, "print(mem_budget()); print(threads());").unwrap();
    let s = script.to_str().unwrap();
    for args in [
        vec!["--mem-budget", "300M", "--threads", "1", "run", s],
        vec!["run", "--mem-budget", "300M", "--threads", "1", s],
    ] {
        let o = run(&args, None);
        assert!(o.status.success(), "{args:?}: {o:?}");
        assert_eq!(
            String::from_utf8_lossy(&o.stdout).trim(),
            format!("{}\n1", 300i64 << 20),
            "{args:?}"
        );
    }
    let o = run(&["-c", "1", "run", s], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("-c CODE cannot be combined"));
}

/// On a terminal the bar appears (name, done/total, rate, ETA) and is cleared at the end.
/// The terminal comes from util-linux `script`; the test is skipped without it.
#[test]
fn progress_bar_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipping: no `script` command to provide a pseudo-terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tty.txt");
    let cmd = format!(
        "{} -c 'let x = arange(12000000); x.sum()'",
        env!("CARGO_BIN_EXE_evsh")
    );
    let o = Command::new("script")
        .arg("-qc")
        .arg(&cmd)
        .arg(&log)
        .env("EVSH_PROGRESS_INTERVAL", "0.01")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).to_string();
    assert!(
        text.contains((12000000i64 * 11999999 / 2).to_string().as_str()),
        "{text}"
    );
    assert!(text.contains("sum ["), "{text}");
    assert!(
        text.contains("/12,000,000 rows, ") && text.contains(" rows/s, ETA "),
        "{text}"
    );
}

/// An interrupted `run --profile` still writes the profile of the part that ran.
#[test]
fn interrupted_profiled_run_still_writes_its_profile() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("spin.rhai");
    let out = dir.path().join("spin.json");
    std::fs::write(
        &script,
        "fn step(i) { i + 1 }\nprint(\"ready\");\nlet i = 0;\nloop { i = step(i); }\n",
    )
    .unwrap();
    let mut child = evsh()
        .arg("run")
        .arg(&script)
        .arg("--profile")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: plain kill(2) on the child we started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{o:?}");
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let step = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["function"].as_str().unwrap().ends_with(":1(step)"))
        .unwrap()
        .clone();
    assert!(step["ncalls"].as_i64().unwrap() >= 1);
    assert_eq!(step["ncalls"], step["primitive"]);
}
