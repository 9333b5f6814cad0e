//! Shared by the tests that check evsh against a Python reference script in `bench/`:
//! whether python3 has the needed modules (skipping with a printed reason when not), and
//! running a reference script's `check` mode on an A/B pair to get its JSON answer.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// A test that needs a Python reference cannot run: print why and skip, or, when
/// `EVSH_REQUIRE_REFS` is set (the README's test command and CI set it, after installing the
/// references), fail, so a missing reference never passes silently.
pub fn skip(reason: &str) {
    if std::env::var_os("EVSH_REQUIRE_REFS").is_some_and(|v| !v.is_empty() && v != "0") {
        panic!("{reason} (EVSH_REQUIRE_REFS is set: the Python references are required)");
    }
    eprintln!("SKIP {reason}");
}

/// True when `python3 -c "import <modules>"` works; otherwise skips `what` (see [`skip`]).
pub fn python_has(modules: &str, what: &str) -> bool {
    match Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
    {
        Ok(o) if o.status.success() => true,
        _ => {
            skip(&format!(
                "{what}: python3 with {modules} is not available (pip install {modules})"
            ));
            false
        }
    }
}

/// `python3 bench/<script> check A B`, parsed as JSON.
pub fn reference(script: &str, a: &Path, b: &Path) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench")
        .join(script);
    let out = Command::new("python3")
        .arg(path)
        .arg("check")
        .arg(a)
        .arg(b)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json from {script}: {e}"))
}

/// `python3 -c <script> <args>` with `input` as JSON on standard input; its standard
/// output parsed as JSON (the test fails with Python's error output when it fails).
#[allow(dead_code)] // each test crate includes this file and uses part of it
pub fn python_json(script: &str, args: &[&str], input: &impl serde::Serialize) -> Value {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(serde_json::to_string(input).expect("json").as_bytes())
            .expect("write to python3");
    }
    let out = child.wait_with_output().expect("python3 output");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json from python3")
}
