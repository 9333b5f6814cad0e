//! Profiling, timing and memory accounting as scripts see them: exact call counts and
//! nesting for scripts with a known call structure, timeit run counts and statistics on a
//! deterministic workload, and mem()/who() against /proc and the arrays in scope.

use std::sync::Mutex;

use evsh::script::Session;
use rhai::Dynamic;

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

/// The profiler and /proc readings are process-wide: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn eval(s: &mut Session, code: &str) -> Dynamic {
    match s.run(code, Some("test.rhai")) {
        Ok(evsh::script::Outcome::Value(v)) => v,
        other => panic!("script failed: {other:?}\n{code}"),
    }
}

fn show(s: &mut Session, code: &str) -> String {
    let v = eval(s, code);
    s.display(&v)
}

fn int(s: &mut Session, code: &str) -> i64 {
    eval(s, code)
        .as_int()
        .unwrap_or_else(|t| panic!("{code}: not an int: {t}"))
}

fn float(s: &mut Session, code: &str) -> f64 {
    eval(s, code)
        .as_float()
        .unwrap_or_else(|t| panic!("{code}: not a float: {t}"))
}

const CALLS: &str = r#"
fn fib(n) {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}
fn leaf(x) { x + 1 }
fn mid(x) { leaf(x) + leaf(x) }
let x = arange(100000);
let p = profile(|| {
    let s = 0;
    for i in 0..4 { s += mid(i); }
    s + fib(6) + x.sum()
});
let rows = #{};
for r in p.rows { rows[r.function] = r; }
"#;

#[test]
fn profile_counts_recursion_and_nesting() {
    let _g = serial();
    let mut s = Session::new();
    let _ = eval(&mut s, CALLS);
    // The closure's value: 2*(1+2+3+4)+4*1... = sum over i of 2(i+1) = 20, fib(6) = 8.
    assert_eq!(int(&mut s, "p.value"), 20 + 8 + (0..100000i64).sum::<i64>());
    // fib(6) makes 25 calls, one of them primitive.
    assert_eq!(int(&mut s, r#"rows["test.rhai:2(fib)"].ncalls"#), 25);
    assert_eq!(int(&mut s, r#"rows["test.rhai:2(fib)"].primitive"#), 1);
    assert_eq!(int(&mut s, r#"rows["test.rhai:6(mid)"].ncalls"#), 4);
    assert_eq!(int(&mut s, r#"rows["test.rhai:5(leaf)"].ncalls"#), 8);
    assert_eq!(int(&mut s, r#"rows["test.rhai:5(leaf)"].primitive"#), 8);
    assert_eq!(int(&mut s, r#"rows["test.rhai:8(<closure>)"].ncalls"#), 1);
    assert_eq!(int(&mut s, r#"rows["sum"].ncalls"#), 1);
    // cumtime >= tottime everywhere; callers include their callees.
    assert_eq!(
        int(
            &mut s,
            "let bad = 0; for r in p.rows { if r.cumtime < r.tottime { bad += 1 } } bad"
        ),
        0
    );
    assert!(
        float(&mut s, r#"rows["test.rhai:6(mid)"].cumtime"#)
            >= float(&mut s, r#"rows["test.rhai:5(leaf)"].cumtime"#)
    );
    assert!(
        float(&mut s, r#"rows["test.rhai:8(<closure>)"].cumtime"#)
            >= float(&mut s, r#"rows["sum"].cumtime"#)
    );
    let total = int(&mut s, "p.total_calls");
    assert_eq!(
        total,
        int(&mut s, "let t = 0; for r in p.rows { t += r.ncalls } t")
    );
    // fib, mid, leaf, the closure and the sum at least.
    assert!(total >= 39);
    // The table: header, recursion as total/primitive, file:line(name).
    let table = show(&mut s, "p");
    assert!(table.contains(" primitive calls) in "), "{table}");
    assert!(table.contains("25/1"), "{table}");
    assert!(table.contains("test.rhai:2(fib)"), "{table}");
    let header = table.lines().find(|l| l.contains("ncalls")).unwrap();
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        cols,
        ["ncalls", "tottime", "percall", "cumtime", "percall", "function"]
    );
    // Sorting and limits.
    let t = show(&mut s, r#"p.show(#{sort: "ncalls", limit: 2})"#);
    let body: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.contains("percall"))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(body.len(), 2, "{t}");
    assert!(body[0].trim_start().starts_with("25/1"), "{t}");
    assert!(body[1].trim_start().starts_with('8'), "{t}");
    assert!(t.contains("List reduced from"));
    let err = s.run(r#"p.show(#{sort: "speed"})"#, None).unwrap_err();
    assert!(err.message.contains("unknown sort column 'speed'"), "{err}");

    // Collapsed stacks nest leaf under mid under the closure, and never elsewhere.
    let dir = tempfile::tempdir().unwrap();
    let folded = dir.path().join("p.folded");
    let json = dir.path().join("p.json");
    s.set_var("__f", folded.display().to_string().into());
    s.set_var("__j", json.display().to_string().into());
    let _ = eval(&mut s, "p.save(__f); p.save(__j);");
    let text = std::fs::read_to_string(&folded).unwrap();
    for line in text.lines() {
        let (stack, n) = line.rsplit_once(' ').unwrap();
        assert!(n.parse::<u64>().is_ok(), "{line}");
        assert!(stack.starts_with("test.rhai:8(<closure>)"), "{line}");
        if stack.ends_with("(leaf)") {
            assert!(
                stack.ends_with("test.rhai:6(mid);test.rhai:5(leaf)"),
                "{line}"
            );
        }
    }
    assert!(text.contains("test.rhai:2(fib);test.rhai:2(fib);test.rhai:2(fib)"));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(j["total_calls"].as_i64().unwrap(), total);
    let fib = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["function"] == "test.rhai:2(fib)")
        .unwrap();
    assert_eq!(
        (fib["ncalls"].as_i64(), fib["primitive"].as_i64()),
        (Some(25), Some(1))
    );
}

#[test]
fn profile_survives_errors_and_nesting() {
    let _g = serial();
    let mut s = Session::new();
    let err = s.run("profile(|| { throw \"boom\" })", None).unwrap_err();
    assert!(err.message.contains("boom"), "{err}");
    assert!(!evsh::prof::enabled());
    // A profile inside a profile records into the outer one.
    let _ = eval(
        &mut s,
        "fn f() { 1 } let p = profile(|| { let q = profile(|| f()); f() + q.value });",
    );
    assert_eq!(int(&mut s, "p.value"), 2);
    assert_eq!(
        int(
            &mut s,
            "let n = 0; for r in p.rows { if r.function.ends_with(\"(f)\") { n = r.ncalls } } n"
        ),
        2
    );
    // Profiling off: nothing recorded, scripts run as before.
    assert_eq!(int(&mut s, "f() + f()"), 2);
}

#[test]
fn session_profiles_a_whole_statement() {
    let _g = serial();
    let mut s = Session::new();
    let (r, p) = s.run_profiled(
        "fn g(n) { if n == 0 { 0 } else { g(n - 1) } }\ng(3);\narange(10).sum()",
        Some("stmt.rhai"),
    );
    assert!(r.is_ok());
    let row = |n: &str| p.rows.iter().find(|r| r.function == n).unwrap();
    assert_eq!(row("stmt.rhai:1(<module>)").ncalls, 1);
    let g = row("stmt.rhai:1(g)");
    assert_eq!((g.ncalls, g.primitive), (4, 1));
    assert!(p.rows.iter().all(|r| r.cumtime >= r.tottime));
    assert!(!evsh::prof::enabled());
}

#[test]
fn timeit_counts_runs_and_reports_statistics() {
    let _g = serial();
    let mut s = Session::new();
    let _ = eval(
        &mut s,
        r#"
        fn work() { let x = 0; for i in 0..2000 { x += i } x }
        let n = 0;
        let r = timeit(|| { n += 1; work() }, #{warmup: 2, runs: 7, target_cv: 1e9});
        "#,
    );
    assert_eq!(int(&mut s, "n"), 9);
    assert_eq!(int(&mut s, "r.runs"), 7);
    // An unreachable target runs to the cap.
    let _ = eval(
        &mut s,
        "n = 0; let r2 = timeit(|| { n += 1; work() }, #{warmup: 0, runs: 3, target_cv: 0.0, max_runs: 12});",
    );
    assert_eq!(int(&mut s, "n"), 12);
    assert_eq!(int(&mut s, "r2.runs"), 12);
    let times: Vec<f64> = eval(&mut s, "r2.times")
        .cast::<rhai::Array>()
        .into_iter()
        .map(|d| d.as_float().unwrap())
        .collect();
    assert_eq!(times.len(), 12);
    let mean = times.iter().sum::<f64>() / 12.0;
    let std = (times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / 11.0).sqrt();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let median = 0.5 * (sorted[5] + sorted[6]);
    assert!((float(&mut s, "r2.mean") - mean).abs() <= 1e-12 * mean.max(1.0));
    assert!((float(&mut s, "r2.std") - std).abs() <= 1e-9 * std.max(1e-9));
    assert_eq!(float(&mut s, "r2.median"), median);
    assert_eq!(float(&mut s, "r2.min"), sorted[0]);
    assert_eq!(float(&mut s, "r2.max"), sorted[11]);
    assert!((float(&mut s, "r2.cv") - std / mean).abs() < 1e-9);
    let line = show(&mut s, "r2");
    assert!(
        line.contains(" ± ") && line.ends_with(", 12 runs)"),
        "{line}"
    );
    // Bad options are named.
    let e = s.run("timeit(|| 1, #{rnus: 3})", None).unwrap_err();
    assert!(e.message.contains("unknown option 'rnus'"), "{e}");
    let e = s.run("timeit(|| 1, #{runs: 0})", None).unwrap_err();
    assert!(e.message.contains("runs must be at least 1"), "{e}");
}

#[test]
fn time_and_monitor() {
    let _g = serial();
    let mut s = Session::new();
    let _ = eval(&mut s, "let t = time(|| arange(1000).sum());");
    assert_eq!(int(&mut s, "t.value"), 499500);
    assert!(float(&mut s, "t.wall") >= 0.0);
    assert!(float(&mut s, "t.user") + float(&mut s, "t.sys") >= 0.0);
    let line = show(&mut s, "t");
    assert!(
        line.starts_with("wall ") && line.contains("mem anon "),
        "{line}"
    );
    let _ = eval(
        &mut s,
        r#"monitor_reset();
        for i in 0..3 { monitor("load", || arange(100), #{rows: 100, bytes: 800}); }
        let v = monitor("sum", || arange(10).sum());
        let rep = monitor_report();"#,
    );
    assert_eq!(int(&mut s, "v"), 45);
    let rep = show(&mut s, "rep");
    for col in ["stage", "calls", "total", "mean", "share", "throughput"] {
        assert!(rep.contains(col), "{rep}");
    }
    assert!(rep.contains("rows/s"), "{rep}");
    assert_eq!(int(&mut s, "rep.nrows"), 2);
}

fn proc_status_kb(key: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[test]
fn memory_accounting_against_proc() {
    let _g = serial();
    let mut s = Session::new();
    // mem() agrees with /proc/self/status read right after it.
    let anon = int(&mut s, "mem().anon") as u64;
    let proc_anon = proc_status_kb("RssAnon:");
    assert!(anon.abs_diff(proc_anon) < 16 << 20, "{anon} vs {proc_anon}");
    assert!(int(&mut s, "mem().peak") as u64 >= proc_status_kb("VmRSS:") / 2);
    // Owning 64 MiB of data raises anonymous memory.
    let before = int(&mut s, "mem().anon");
    let _ = eval(&mut s, "let big = arange(8388608) + 1;");
    let after = int(&mut s, "mem().anon");
    assert!(after - before >= 48 << 20, "{before} -> {after}");
    // Mapping a file and touching it raises file-mapped memory.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.npy");
    s.set_var("__p", path.display().to_string().into());
    let _ = eval(&mut s, "save(arange(4194304), __p); big = ();");
    let m0 = int(&mut s, "mem().file");
    let mapped0 = int(&mut s, "mem().mapped");
    let _ = eval(&mut s, "let m = load(__p); let total = m.sum();");
    assert_eq!(int(&mut s, "total"), 4194304 * 4194303 / 2);
    let m1 = int(&mut s, "mem().file");
    assert!(m1 - m0 >= 16 << 20, "file-mapped {m0} -> {m1}");
    assert!(int(&mut s, "mem().mapped") - mapped0 >= 32 << 20);
    // who() tells the mapped array from owned data.
    let w = show(&mut s, "who()");
    let mline = w.lines().find(|l| l.contains(" m ")).unwrap();
    assert!(
        mline.contains("mapped") && mline.contains("[4194304]"),
        "{w}"
    );
    assert!(mline.contains("33554432"), "{w}");
    let text = show(&mut s, "mem()");
    assert!(
        text.contains("anonymous") && text.contains("file-mapped"),
        "{text}"
    );
}

#[test]
fn memory_budget_and_threads() {
    let _g = serial();
    let mut s = Session::new();
    let old = evsh::exec::mem_budget();
    let _ = eval(&mut s, r#"set_mem_budget("256M")"#);
    assert_eq!(int(&mut s, "mem_budget()"), 256 << 20);
    let _ = eval(&mut s, "set_mem_budget(1073741824)");
    assert_eq!(evsh::exec::mem_budget(), 1 << 30);
    let e = s.run(r#"set_mem_budget("4Q")"#, None).unwrap_err();
    assert!(e.message.contains("unknown size unit"), "{e}");
    evsh::exec::set_mem_budget(old);
    assert_eq!(
        int(&mut s, "threads()") as usize,
        rayon::current_num_threads()
    );
}

#[test]
fn kernel_stages_are_sub_rows_of_their_builtin() {
    let _g = serial();
    let mut s = Session::new();
    let _ = eval(
        &mut s,
        "let x = arange(3000000); let p = profile(|| x.sum()); let rows = #{}; \
         for r in p.rows { rows[r.function] = r; }",
    );
    // Every chunk of the parallel sum is one call of its "compute" stage.
    let n = int(
        &mut s,
        r#"let n = 0; for st in rows["sum"].stages { if st.name == "compute" { n = st.ncalls } } n"#,
    );
    assert!(n >= 1, "{n}");
    let t = show(&mut s, "p");
    let lines: Vec<&str> = t.lines().collect();
    let i = lines.iter().position(|l| l.ends_with(" sum")).unwrap();
    assert!(lines[i + 1].ends_with("└ compute"), "{t}");
    assert!(lines[i + 1].trim_start().starts_with(&n.to_string()), "{t}");
}

/// Mapped input is paged in in a "read" stage of the kernel when profiling (page faults
/// and disk reads apart from "compute"), not when the array is in memory; and HDF5 reads
/// show the lock wait, raw chunk reads and decompression as stages of their own.
#[test]
fn read_and_hdf5_stages() {
    let _g = serial();
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("x.npy");
    let mut s = Session::new();
    let _ = eval(
        &mut s,
        &format!(
            "save(arange(2000000).astype(\"float32\"), \"{p}\"); let x = load(\"{p}\"); \
             let o = x * 1.0; let p = profile(|| x.sum() + o.max()); let rows = #{{}}; \
             for r in p.rows {{ rows[r.function] = r; }}",
            p = npy.display()
        ),
    );
    let stages = |s: &mut Session, f: &str| -> String {
        eval(
            s,
            &format!(r#"let n = []; for st in rows["{f}"].stages {{ n.push(st.name) }} n"#),
        )
        .to_string()
    };
    let sum = stages(&mut s, "sum");
    assert!(
        sum.contains("\"read\"") && sum.contains("\"compute\""),
        "{sum}"
    );
    let max = stages(&mut s, "max");
    assert!(
        !max.contains("\"read\""),
        "owned memory has no read stage: {max}"
    );
    // HDF5: a gzip-chunked dataset written by evsh is not possible (evsh never writes
    // HDF5), so use h5py when present.
    if !pyref::python_has("h5py, numpy", "HDF5 stages") {
        return;
    }
    let h5 = dir.path().join("d.h5");
    let st = std::process::Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import h5py, numpy as np; f = h5py.File('{}', 'w'); \
             f.create_dataset('d', data=np.arange(400000, dtype='f4').reshape(4000, 100), \
             chunks=(100, 100), compression='gzip', shuffle=True)",
            h5.display()
        ))
        .status()
        .unwrap();
    assert!(st.success());
    let _ = eval(
        &mut s,
        &format!(
            "let d = h5(\"{}\")[\"d\"]; let p = profile(|| d.read()); rows = #{{}}; \
             for r in p.rows {{ rows[r.function] = r; }}",
            h5.display()
        ),
    );
    let h = stages(&mut s, "h5 read");
    for want in ["\"h5 lock\"", "\"read\"", "\"decompress\""] {
        assert!(h.contains(want), "{want} missing from {h}");
    }
    let n = int(
        &mut s,
        r#"let n = 0; for st in rows["h5 read"].stages { if st.name == "decompress" { n = st.ncalls } } n"#,
    );
    assert_eq!(n, 40, "one decompress per chunk");
}
