//! Limits and manners of the command line: a script starting with a UTF-8 byte-order mark
//! runs, and an absurd thread count is capped with a note instead of making every kernel
//! pay for thousands of threads.

use std::process::Command;

fn evsh() -> Command {
    Command::new(env!("CARGO_BIN_EXE_evsh"))
}

#[test]
fn script_with_byte_order_mark_runs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bom.rhai");
    std::fs::write(&p, b"\xef\xbb\xbfprint(40 + 2);\n").unwrap();
    let out = evsh().arg("run").arg(&p).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
}

#[test]
fn thread_count_is_capped() {
    let out = evsh()
        .args(["--threads", "10000", "-c", "print(arange(10).sum())"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "45");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--threads 10000 capped at"), "{err}");
}

/// A size the machine cannot allocate is an error naming it, not an abort, and the session
/// goes on with its variables.
#[test]
fn impossible_sizes_are_errors() {
    let mut s = evsh::script::Session::new();
    let _ = s.eval("let k = 7;").unwrap();
    for code in [
        "zeros([1000000000000])",
        "random([1000000, 1000000])",
        "randint(0, 5, [1000000000000])",
        "arange(0, 1000000000000000)",
        "linspace(0.0, 1.0, 1000000000000)",
    ] {
        let err = s.eval(code).unwrap_err().to_string();
        assert!(
            err.contains("cannot allocate") || err.contains("too many to create"),
            "{code}: {err}"
        );
    }
    assert_eq!(s.eval("k").unwrap().as_int().unwrap(), 7);
}
