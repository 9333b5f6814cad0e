//! Adversarial inputs through the real binary, each under a timeout: the process must
//! answer with an error naming what was wrong (exit code 1), never hang, abort or crash.
//! Classes (issue 13): inputs that are not regular files, numeric extremes in binning,
//! grouping and plotting, allocation under an address-space limit (`ulimit -v`), and
//! SIGINT during long kernels (sort, argsort, unique) and a large plot.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn evsh() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evsh"))
}

struct Out {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Wait for `child` at most `limit`; a child still running then is killed and the test
/// fails (a hang is the defect these tests look for).
fn finish(mut child: Child, limit: Duration, what: &str) -> Out {
    use std::os::unix::process::ExitStatusExt;
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Out {
        code: status.code(),
        signal: status.signal(),
        stdout,
        stderr,
    }
}

fn run_code(code: &str, limit: Duration) -> Out {
    let child = evsh()
        .args(["-c", code])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, limit, code)
}

/// The statement fails with exit code 1 and a message containing every one of `want`.
fn refused(code: &str, want: &[&str]) {
    let o = run_code(code, Duration::from_secs(20));
    assert_eq!(
        (o.code, o.signal),
        (Some(1), None),
        "{code}: expected an error exit, got {:?}/{:?}; stderr: {}",
        o.code,
        o.signal,
        o.stderr
    );
    for w in want {
        assert!(o.stderr.contains(w), "{code}: '{w}' not in: {}", o.stderr);
    }
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[test]
fn inputs_that_are_not_regular_files_are_named_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["f.npy", "f.h5", "f.csv", "f.npz"] {
        mkfifo(&d.join(name));
    }
    std::os::unix::fs::symlink(d.join("nowhere.npy"), d.join("dangling.npy")).unwrap();
    std::os::unix::fs::symlink(d.join("loop_b.h5"), d.join("loop_a.h5")).unwrap();
    std::os::unix::fs::symlink(d.join("loop_a.h5"), d.join("loop_b.h5")).unwrap();
    let _sock = std::os::unix::net::UnixListener::bind(d.join("s.npy")).unwrap();
    std::fs::create_dir(d.join("folder.h5")).unwrap();
    let p = |n: &str| d.join(n).display().to_string();
    // A FIFO would block open(2) forever: refused before opening.
    refused(&format!("load(\"{}\")", p("f.npy")), &["FIFO", "f.npy"]);
    refused(&format!("h5(\"{}\")", p("f.h5")), &["FIFO", "an HDF5 file"]);
    refused(&format!("load_csv(\"{}\")", p("f.csv")), &["FIFO"]);
    refused(&format!("load(\"{}\")", p("f.npz")), &["FIFO"]);
    refused("load(\"/dev/null\")", &["character device"]);
    refused("h5(\"/dev/zero\")", &["character device"]);
    refused(&format!("load(\"{}\")", p("s.npy")), &["socket"]);
    refused(&format!("h5(\"{}\")", p("folder.h5")), &["directory"]);
    refused(
        &format!("load(\"{}\")", p("dangling.npy")),
        &["dangling symbolic link", "nowhere.npy"],
    );
    refused(
        &format!("h5(\"{}\")", p("loop_a.h5")),
        &["symbolic link loop"],
    );
}

#[test]
fn a_broken_member_of_an_event_folder_is_reported_as_broken() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g");
    let o = run_code(
        &format!(
            "print(gen_event(\"{}\", #{{n: 500, seed: 1}}).a)",
            g.display()
        ),
        Duration::from_secs(60),
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let ev = Path::new(o.stdout.trim()).to_path_buf();
    // One member (rx.npy, the record array) becomes a FIFO, another a dangling link.
    std::fs::remove_file(ev.join("rx.npy")).unwrap();
    mkfifo(&ev.join("rx.npy"));
    refused(
        &format!("event(\"{}\")", ev.display()),
        &["is broken", "rx.npy", "FIFO"],
    );
    std::fs::remove_file(ev.join("rx.npy")).unwrap();
    std::os::unix::fs::symlink(ev.join("gone.npy"), ev.join("rx.npy")).unwrap();
    refused(
        &format!("event(\"{}\")", ev.display()),
        &["is broken", "rx.npy", "dangling symbolic link"],
    );
}

#[test]
fn numeric_extremes_are_refused_or_computed_exactly() {
    // Bin widths that overflow, or that rounding collapses, as NumPy refuses them.
    refused(
        "hist(array([1.0]), #{bins: 10, range: [-1.7e308, 1.7e308]})",
        &["too wide"],
    );
    refused("hist(array([1e300]), #{bins: 10})", &["too narrow"]);
    // Keys that int64 cannot hold would be clamped into other groups.
    refused(
        "group_stats(array([1.0, 1e20]), #{v: array([1.0, 2.0])})",
        &["outside the int64 range"],
    );
    refused(
        "group_stats(array([1, 18446744073709551615]).astype(\"u8\"), #{v: array([1.0, 2.0])})",
        &["outside the int64 range"],
    );
    // The std of finite values near f64::MAX is finite (the squares overflow): NumPy's
    // std of the values scaled by 1e-300, scaled back.
    let o = run_code(
        "print(binned(zeros([4]), array([1e308, 1.7e308, -1e308, 1.5e308]), \
         #{bins: 1, range: [-1.0, 1.0], stat: \"std\"}).values.item())",
        Duration::from_secs(20),
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let v: f64 = o.stdout.trim().parse().unwrap();
    let want = 1.0700467279516347e308;
    assert!(((v - want) / want).abs() < 1e-12, "std {v} vs {want}");
}

/// Width and height of a PNG from its IHDR chunk.
fn png_size(p: &Path) -> (u32, u32) {
    let b = std::fs::read(p).unwrap();
    assert_eq!(&b[1..4], b"PNG", "{} is not a PNG", p.display());
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

#[test]
fn plots_of_extreme_values_finish() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).display().to_string();
    let code = format!(
        "let xs = arange(4).astype(\"float64\");\
         plot(#{{path: \"{a}\", series: [#{{x: xs, y: array([1.0, 2.0, 1.7976931348623157e308, 3.0])}}]}});\
         plot(#{{path: \"{b}\", series: [#{{x: xs, y: array([1e-300, 1.0, 1e10, 5.0])}}], logy: true}});\
         plot(#{{path: \"{c}\", series: [#{{x: xs, y: xs}}], yrange: [-1.7e308, 1.7e308]}});\
         plot(#{{path: \"{d}\", series: [#{{x: xs, y: xs}}], yrange: [5.0, 5.000000000000001]}});\
         plot(#{{path: \"{e}\", series: [#{{x: xs, y: array([1e-320, 1e-310, 1e-300, 5e-324])}}], logy: true}});\
         hist(array([1e300, -1e300, 3.0]), #{{bins: 5}}).plot(\"{f}\");",
        a = p("a.png"),
        b = p("b.png"),
        c = p("c.png"),
        d = p("d.png"),
        e = p("e.png"),
        f = p("f.png"),
    );
    let o = run_code(&code, Duration::from_secs(60));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    for n in ["a", "b", "c", "d", "e", "f"] {
        assert_eq!(png_size(&dir.path().join(format!("{n}.png"))), (900, 600));
    }
}

#[test]
fn allocation_under_an_address_space_limit_is_an_error() {
    // 3 GB of address space: the default budget follows it, and an 8 GB array is an
    // error naming its size, not an abort (SIGABRT, exit 134).
    let exe = env!("CARGO_BIN_EXE_evsh");
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 3000000 && exec '{exe}' -c 'print(mem_budget()); zeros([1000000000])'"
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let o = finish(child, Duration::from_secs(60), "zeros under ulimit -v");
    assert_eq!(
        (o.code, o.signal),
        (Some(1), None),
        "stdout {} stderr {}",
        o.stdout,
        o.stderr
    );
    assert!(o.stderr.contains("cannot allocate"), "{}", o.stderr);
    let budget: f64 = o.stdout.trim().parse().unwrap();
    assert!(
        budget < 1.5e9,
        "budget {budget} ignores the 3 GB address-space limit"
    );
}

/// SIGINT while a long statement runs in `evsh run` stops it soon (exit 130, the
/// statement named as interrupted), whatever kernel is running.
#[test]
fn sigint_stops_long_kernels_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("big.png").display().to_string();
    for stmt in [
        "sort(x)".to_string(),
        "argsort(x)".to_string(),
        "unique(x)".to_string(),
        format!("plot(#{{path: \"{png}\", series: [#{{x: x, y: x, kind: \"scatter\"}}]}})"),
    ] {
        let script = dir.path().join("s.rhai");
        std::fs::write(
            &script,
            format!(
                "let x = random([30000000], 1);\nprint(\"go\");\nlet s = {stmt};\nprint(\"after\");\n"
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
        // Wait for "go", then let the statement start.
        let mut out = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !String::from_utf8_lossy(&seen).contains("go") {
            assert_eq!(out.read(&mut byte).unwrap(), 1, "{stmt}: no 'go'");
            seen.push(byte[0]);
        }
        std::thread::sleep(Duration::from_millis(300));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        child.stdout = Some(out);
        let o = finish(child, Duration::from_secs(30), &stmt);
        assert_eq!(o.code, Some(130), "{stmt}: {}", o.stderr);
        // The statement itself (line 3) was interrupted, not the one after it.
        assert!(
            o.stderr.contains("s.rhai:3:") && o.stderr.contains("interrupted"),
            "{stmt}: {}",
            o.stderr
        );
        assert!(!o.stdout.contains("after"), "{stmt}: ran on");
    }
}
