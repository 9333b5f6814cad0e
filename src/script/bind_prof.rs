//! Rhai bindings for measuring: `time`, `timeit`, `monitor`/`monitor_report`, `profile`
//! (with script functions as rows, found through Rhai's debugger interface), `mem`, `who`,
//! the memory budget and the thread count. Registration and help text live together.
//!
//! Script functions in profiles: profiled code runs on a second engine, built on first
//! use, that has Rhai's debugger registered (the session's own engine has none, so code
//! that is not profiled pays nothing for it). Its callback runs at every step and keeps a
//! shadow stack of `prof` frames in sync with Rhai's call stack: a frame is pushed at the
//! first step inside a function body (whose position is the function's `file:line`) and
//! popped at its exit event, so counts are exact and recursion shows as total/primitive
//! calls.

use std::sync::{Mutex, OnceLock};

use rhai::debugger::{DebuggerCommand, DebuggerEvent};
use rhai::{Dynamic, Engine, EvalContext, FnPtr, Map, NativeCallContext, INT};

use super::conv::{opt_f64, opt_i64, opt_str};
use super::registry::{check_opts, opt, Opt, RResult, Reg};
use super::IntoRhai;
use crate::array::Array;
use crate::output::table::{Col, Table};
use crate::prof::{self, mem, monitor, timing, FrameToken, FuncKey, Profile};

/// A profile as scripts see it: the table plus the closure's value.
#[derive(Clone)]
pub struct ProfileValue {
    pub profile: Profile,
    pub value: Dynamic,
}

/// A `time` measurement as scripts see it.
#[derive(Clone)]
pub struct TimingValue {
    pub timing: timing::Timing,
    pub value: Dynamic,
}

// ---- the debugger bridge ---------------------------------------------------------------

/// Frames pushed for script functions, parallel to Rhai's call stack.
static SHADOW: Mutex<Vec<FrameToken>> = Mutex::new(Vec::new());
/// The engine profiled code runs on.
static PROF_ENGINE: OnceLock<Engine> = OnceLock::new();

/// The engine with the debugger bridge, for code run with the profiler on.
pub fn profiling_engine() -> &'static Engine {
    PROF_ENGINE.get_or_init(|| {
        let mut e = super::build_engine();
        install_debugger(&mut e);
        e
    })
}

fn shadow() -> std::sync::MutexGuard<'static, Vec<FrameToken>> {
    SHADOW.lock().unwrap_or_else(|p| p.into_inner())
}

fn close_shadow() {
    for t in shadow().drain(..).rev() {
        prof::leave(t);
    }
}

fn on_debugger(
    ctx: EvalContext,
    event: DebuggerEvent,
    pos: rhai::Position,
    source: Option<&str>,
) -> DebuggerCommand {
    if !prof::enabled() {
        return DebuggerCommand::Continue;
    }
    let stack = ctx.global_runtime_state().debugger().call_stack();
    let want = match event {
        DebuggerEvent::FunctionExitWithValue(_) | DebuggerEvent::FunctionExitWithError(_) => {
            stack.len().saturating_sub(1)
        }
        _ => stack.len(),
    };
    let mut sh = shadow();
    while sh.len() > want {
        if let Some(t) = sh.pop() {
            prof::leave(t);
        }
    }
    while sh.len() < want {
        let i = sh.len();
        let f = &stack[i];
        // The first step inside a body is at the body's start: the definition's line.
        let line = if i + 1 == want {
            pos.line()
        } else {
            f.pos.line()
        };
        let src = source.or(f.source.as_deref()).unwrap_or("<input>");
        let name = if f.fn_name.starts_with("anon$") {
            "<closure>".to_string()
        } else {
            f.fn_name.to_string()
        };
        let location = match line {
            Some(l) => format!("{src}:{l}"),
            None => src.to_string(),
        };
        match prof::enter(FuncKey::Script { name, location }) {
            Some(t) => sh.push(t),
            None => break,
        }
    }
    DebuggerCommand::StepInto
}

#[allow(deprecated)]
fn install_debugger(engine: &mut Engine) {
    engine.register_debugger(
        // The first step reports `Start`; the callback then keeps stepping while a
        // profile is recorded.
        |_, dbg| dbg,
        |ctx, event, _node, source, pos| Ok(on_debugger(ctx, event, pos, source)),
    );
}

/// Start recording for code evaluated next by the engine (`:prof`, `run --profile`):
/// `root` names the code. The debugger picks the profile up when evaluation starts.
pub fn start_profile(root: FuncKey) -> crate::error::Result<()> {
    shadow().clear();
    prof::start(Some(root))
}

/// Stop recording and return the profile.
pub fn finish_profile() -> Profile {
    close_shadow();
    prof::finish()
}

/// Call `f` inside the current evaluation with the profiler on.
fn call_profiled(ctx: &NativeCallContext, f: &FnPtr) -> RResult<(Dynamic, Profile)> {
    if prof::enabled() {
        let v = f.call_within_context::<Dynamic>(ctx, ())?;
        return Ok((
            v,
            Profile {
                nested: true,
                ..Profile::default()
            },
        ));
    }
    // Same functions and source as the caller, on the engine with the debugger.
    let engine = profiling_engine();
    let mut global = engine.new_global_runtime_state();
    global.lib = ctx.global_runtime_state().lib.clone();
    global.source = ctx.global_runtime_state().source.clone();
    let ctx2 = NativeCallContext::from((engine, f.fn_name(), None, &global, ctx.call_position()));
    shadow().clear();
    prof::start(None).rh()?;
    let r = f.call_within_context::<Dynamic>(&ctx2, ());
    let p = finish_profile();
    r.map(|v| (v, p))
}

const PROFILE_OPTS: &[Opt] = &[
    opt(
        "sort",
        "\"ncalls\" | \"primitive\" | \"tottime\" | \"percall\" | \"cumtime\" | \"cumpercall\" | \"function\"",
        "\"cumtime\"",
        "row order (cProfile's names calls, pcalls, time, cumulative, name work too)",
    ),
    opt("limit", "int", "all", "rows shown"),
];

const TIMEIT_OPTS: &[Opt] = &[
    opt("warmup", "int >= 0", "2", "unmeasured runs first"),
    opt("runs", "int >= 1", "10", "measured runs at least"),
    opt(
        "target_cv",
        "number",
        "0.05",
        "run until the coefficient of variation is below it",
    ),
    opt("max_runs", "int", "100", "measured runs at most"),
];

const MONITOR_OPTS: &[Opt] = &[
    opt(
        "rows",
        "number >= 0",
        "",
        "rows the stage processes (for its throughput)",
    ),
    opt(
        "bytes",
        "number >= 0",
        "",
        "bytes the stage processes (for its throughput)",
    ),
];

fn profile_opts(p: &mut Profile, opts: &Map) -> RResult<()> {
    check_opts(opts, &[PROFILE_OPTS], "profile")?;
    if let Some(s) = opt_str(opts, "sort")? {
        p.sort = prof::report::sort_key(&s).rh()?.to_string();
    }
    if let Some(l) = opt_i64(opts, "limit")? {
        if l < 0 {
            return Err(format!("profile: limit must be 0 or more, found {l}").into());
        }
        p.limit = Some(l as usize);
    }
    Ok(())
}

fn rows_of(p: &Profile) -> rhai::Array {
    p.sorted_rows()
        .into_iter()
        .map(|r| {
            let mut m = Map::new();
            m.insert("function".into(), r.function.clone().into());
            m.insert("ncalls".into(), (r.ncalls as INT).into());
            m.insert("primitive".into(), (r.primitive as INT).into());
            m.insert("tottime".into(), r.tottime.into());
            m.insert("cumtime".into(), r.cumtime.into());
            let stages: rhai::Array = r
                .stages
                .iter()
                .map(|s| {
                    let mut sm = Map::new();
                    sm.insert("name".into(), s.name.clone().into());
                    sm.insert("ncalls".into(), (s.ncalls as INT).into());
                    sm.insert("seconds".into(), s.seconds.into());
                    Dynamic::from_map(sm)
                })
                .collect();
            m.insert("stages".into(), stages.into());
            Dynamic::from_map(m)
        })
        .collect()
}

// ---- timing ----------------------------------------------------------------------------

fn time_closure(ctx: &NativeCallContext, f: &FnPtr) -> RResult<TimingValue> {
    let sw = timing::Stopwatch::start();
    let value = f.call_within_context::<Dynamic>(ctx, ())?;
    Ok(TimingValue {
        timing: sw.stop(),
        value,
    })
}

fn timeit_opts(opts: &Map) -> RResult<timing::TimeitOpts> {
    check_opts(opts, &[TIMEIT_OPTS], "timeit")?;
    let mut o = timing::TimeitOpts::default();
    let count = |k: &str| -> RResult<Option<usize>> {
        match opt_i64(opts, k)? {
            Some(v) if v < 0 => Err(format!("timeit: {k} must be 0 or more, found {v}").into()),
            Some(v) => Ok(Some(v as usize)),
            None => Ok(None),
        }
    };
    if let Some(v) = count("warmup")? {
        o.warmup = v;
    }
    if let Some(v) = count("runs")? {
        if v == 0 {
            return Err("timeit: runs must be at least 1".into());
        }
        o.runs = v;
    }
    if let Some(v) = count("max_runs")? {
        o.max_runs = v;
    }
    if let Some(v) = opt_f64(opts, "target_cv")? {
        if v.is_nan() || v < 0.0 {
            return Err(format!("timeit: target_cv must be 0 or more, found {v}").into());
        }
        o.target_cv = v;
    }
    if o.max_runs < o.runs {
        o.max_runs = o.runs;
    }
    Ok(o)
}

fn run_timeit(ctx: &NativeCallContext, f: &FnPtr, opts: &Map) -> RResult<timing::Stats> {
    let o = timeit_opts(opts)?;
    let _s = prof::span("timeit");
    timing::timeit(o, || f.call_within_context::<Dynamic>(ctx, ()).map(|_| ()))
}

fn run_monitor(ctx: &NativeCallContext, name: &str, f: &FnPtr, opts: &Map) -> RResult<Dynamic> {
    check_opts(opts, &[MONITOR_OPTS], "monitor")?;
    let n = |k: &str| -> RResult<u64> {
        match opt_f64(opts, k)? {
            Some(v) if v < 0.0 || !v.is_finite() => {
                Err(format!("monitor: {k} must be a count of 0 or more, found {v}").into())
            }
            Some(v) => Ok(v as u64),
            None => Ok(0),
        }
    };
    let (rows, bytes) = (n("rows")?, n("bytes")?);
    let run = monitor::begin();
    let r = f.call_within_context::<Dynamic>(ctx, ());
    run.done(name, rows, bytes);
    r
}

// ---- memory ----------------------------------------------------------------------------

fn shape_str(s: &[usize]) -> String {
    format!(
        "[{}]",
        s.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The bytes a Table's columns hold.
fn table_bytes(t: &Table) -> usize {
    t.cols
        .iter()
        .map(|c| match c {
            Col::Int(v) => v.len() * 8,
            Col::Float(v) => v.len() * 8,
            Col::Bool(v) => v.len(),
            Col::Str(v) => v
                .iter()
                .map(|s| s.len() + std::mem::size_of::<String>())
                .sum(),
        })
        .sum()
}

/// The `who()` table for a list of (name, value).
pub fn who_table(engine: &Engine, vars: &[(String, Dynamic)]) -> Table {
    let mut names = vec![];
    let mut types = vec![];
    let mut shapes = vec![];
    let mut dtypes = vec![];
    let mut bytes = vec![];
    let mut sizes = vec![];
    let mut memory = vec![];
    let (mut mapped_total, mut owned_total) = (0u64, 0u64);
    for (name, v) in vars {
        names.push(name.clone());
        types.push(engine.map_type_name(v.type_name()).to_string());
        let (shape, dtype, nbytes, mem) = if let Some(a) = v.read_lock::<Array>() {
            let kind = a.mem_kind();
            if a.buf().is_mapped() && a.owned_bytes() == 0 {
                mapped_total += a.nbytes() as u64;
            }
            owned_total += a.owned_bytes() as u64;
            (
                shape_str(a.shape()),
                a.dtype().name().to_string(),
                a.nbytes() as i64,
                kind.name().to_string(),
            )
        } else if let Some(d) = v.read_lock::<crate::h5::H5Dataset>() {
            // Lazy: nothing is in memory; bytes are what a full read would take.
            match (d.shape(), d.plan()) {
                (Ok(sh), Ok(tm)) => (
                    shape_str(&sh),
                    tm.dtype.name(),
                    (sh.iter().product::<usize>() * tm.dtype.itemsize()) as i64,
                    "in file (not read)".to_string(),
                ),
                _ => (
                    String::new(),
                    String::new(),
                    0,
                    "in file (unreadable)".to_string(),
                ),
            }
        } else if let Some(st) = v.read_lock::<crate::frames::Frames>() {
            let sh = st.shape();
            let dt = st.out_dtype();
            (
                shape_str(&sh),
                dt.name(),
                (sh.iter().product::<usize>() * dt.itemsize()) as i64,
                "lazy frames".to_string(),
            )
        } else if let Some(t) = v.read_lock::<Table>() {
            (
                shape_str(&[t.nrows(), t.ncols()]),
                String::new(),
                table_bytes(&t) as i64,
                "owned".to_string(),
            )
        } else if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
            (
                format!("[{}]", s.len()),
                String::new(),
                s.len() as i64,
                String::new(),
            )
        } else if let Some(a) = v.read_lock::<rhai::Array>() {
            let n = a.len() * std::mem::size_of::<Dynamic>();
            (
                format!("[{}]", a.len()),
                String::new(),
                n as i64,
                String::new(),
            )
        } else if let Some(m) = v.read_lock::<Map>() {
            let n = m.len() * 2 * std::mem::size_of::<Dynamic>();
            (
                format!("{} keys", m.len()),
                String::new(),
                n as i64,
                String::new(),
            )
        } else {
            let n = std::mem::size_of::<Dynamic>();
            (String::new(), String::new(), n as i64, String::new())
        };
        shapes.push(shape);
        dtypes.push(dtype);
        bytes.push(nbytes);
        sizes.push(mem::fmt_bytes(nbytes as f64));
        memory.push(mem);
    }
    let mut t = Table::new(Some("variables".to_string()));
    let cols = [
        ("name", Col::Str(names)),
        ("type", Col::Str(types)),
        ("shape", Col::Str(shapes)),
        ("dtype", Col::Str(dtypes)),
        ("bytes", Col::Int(bytes)),
        ("size", Col::Str(sizes)),
        ("memory", Col::Str(memory)),
    ];
    for (n, c) in cols {
        let _ = t.push(n, c);
    }
    t.footer.push(format!(
        "arrays: {} owned in memory, {} viewed in mapped files (HDF5 datasets and frame \
         stacks: the size a full read would take; lists and maps: their slots, not what \
         their elements hold)",
        mem::fmt_bytes(owned_total as f64),
        mem::fmt_bytes(mapped_total as f64)
    ));
    t
}

fn who_syntax(ctx: &mut EvalContext, _inputs: &[rhai::Expression]) -> RResult<Dynamic> {
    let mut vars: Vec<(String, Dynamic)> = vec![];
    for (name, _, value) in ctx.scope().iter_raw() {
        if name.starts_with("__") {
            continue;
        }
        match vars.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.clone(),
            None => vars.push((name.to_string(), value.clone())),
        }
    }
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Dynamic::from(who_table(ctx.engine(), &vars)))
}

fn budget_arg(v: &Dynamic) -> RResult<usize> {
    if let Ok(i) = v.as_int() {
        if i <= 0 {
            return Err(format!("set_mem_budget: the size must be positive, found {i}").into());
        }
        return Ok(i as usize);
    }
    if let Ok(f) = v.as_float() {
        if !(f.is_finite() && f > 0.0) {
            return Err(format!("set_mem_budget: the size must be positive, found {f}").into());
        }
        return Ok(f as usize);
    }
    match v.clone().into_string() {
        Ok(s) => mem::parse_size(&s).map_err(|e| format!("set_mem_budget: {e}").into()),
        Err(t) => {
            Err(format!("set_mem_budget: expected bytes or a size like \"4G\", found {t}").into())
        }
    }
}

/// Register this module's types and functions.
pub fn register(r: &mut Reg) {
    r.ty_with::<ProfileValue>(
        "Profile",
        |p| p.profile.to_string(),
        |p| p.profile.to_string(),
    );
    r.func(
        "profile",
        "profile(|| ..., [#{sort, limit}]) -> Profile",
        "Run the closure with the profiler on and return a cProfile-style table: a header \
with the total calls and seconds, then `ncalls tottime percall cumtime percall function`, \
where function is a built-in (`load`, `sort`) or a script function as `file:line(name)`; \
recursion shows as `total/primitive` calls. Kernel stages (reading, decompressing, \
computing, gathering, waiting for the HDF5 lock) are sub-rows of their built-in, timed over \
all threads. `sort`: ncalls, primitive, tottime, percall, cumtime (default), cumpercall or \
function; `limit`: rows shown. `p.save(\"p.json\")` or `p.save(\"p.folded\")` (collapsed \
stacks for flame-graph tools). Same as `:prof STATEMENT` and `evsh run --profile FILE`.",
    )
    .opts(&[PROFILE_OPTS])
    .example("profile(|| 1, OPTS)")
    .f(
        |ctx: NativeCallContext, f: FnPtr| -> RResult<ProfileValue> {
            let (value, profile) = call_profiled(&ctx, &f)?;
            Ok(ProfileValue { profile, value })
        },
    )
    .f(
        |ctx: NativeCallContext, f: FnPtr, opts: Map| -> RResult<ProfileValue> {
            let mut check = Profile::default();
            profile_opts(&mut check, &opts)?;
            let (value, mut profile) = call_profiled(&ctx, &f)?;
            profile_opts(&mut profile, &opts)?;
            Ok(ProfileValue { profile, value })
        },
    );
    r.func(
        "show",
        "p.show(#{sort, limit}) -> Profile",
        "The same profile ordered by another column and/or cut to `limit` rows. Example: \
`p.show(#{sort: \"tottime\", limit: 10})`.",
    )
    .opts(&[PROFILE_OPTS])
    .example("profile(|| 1).show(OPTS)")
    .f(|p: &mut ProfileValue, opts: Map| -> RResult<ProfileValue> {
        let mut q = p.clone();
        profile_opts(&mut q.profile, &opts)?;
        Ok(q)
    });
    r.func(
        "save",
        "p.save(path)",
        "Save a profile: `.json` (rows, stages, call paths) or `.folded` (one \
`frame;frame;frame microseconds` line per call path, for flamegraph.pl, inferno or \
speedscope). Written to a temporary name and renamed.",
    )
    .f(|p: &mut ProfileValue, path: &str| -> RResult<()> { p.profile.save(path).rh() });
    r.func(
        "rows",
        "p.rows",
        "A profile's rows as a list of maps with `function ncalls primitive tottime \
cumtime stages`.",
    )
    .get(|p: &mut ProfileValue| rows_of(&p.profile));
    r.func(
        "total_calls",
        "p.total_calls",
        "Calls recorded in a profile (built-ins and script functions).",
    )
    .get(|p: &mut ProfileValue| p.profile.total_calls() as INT);
    r.func(
        "primitive_calls",
        "p.primitive_calls",
        "Calls recorded in a profile that were not recursive.",
    )
    .get(|p: &mut ProfileValue| p.profile.primitive_calls() as INT);
    r.func("seconds", "p.seconds", "Wall seconds a profile covers.")
        .get(|p: &mut ProfileValue| p.profile.seconds);
    r.func(
        "value",
        "t.value / p.value",
        "What the closure given to `time` or `profile` returned.",
    )
    .get(|p: &mut ProfileValue| p.value.clone());

    r.ty_with::<TimingValue>("Timing", |t| t.timing.to_string(), |t| t.timing.to_string());
    r.func(
        "time",
        "time(|| ...) -> Timing",
        "Run the closure once and measure it: wall, user and system CPU seconds, the \
change of anonymous and file-mapped resident memory and the peak reached. Prints as one line \
(`wall 1.234 s, user 2.1 s, sys 0.1 s (cpu 178%); mem anon +12.0 MiB, file +1.0 GiB, peak \
2.3 GiB`); `t.value` is what the closure returned. Same as `:time STATEMENT` at the prompt. \
Example: `print(time(|| x.sum()))`.",
    )
    .f(|ctx: NativeCallContext, f: FnPtr| time_closure(&ctx, &f));
    r.again("value").get(|t: &mut TimingValue| t.value.clone());
    r.func(
        "wall",
        "t.wall",
        "Wall-clock seconds of a `time` measurement.",
    )
    .get(|t: &mut TimingValue| t.timing.wall);
    r.func(
        "user",
        "t.user",
        "User CPU seconds of a `time` measurement (all threads).",
    )
    .get(|t: &mut TimingValue| t.timing.user);
    r.func(
        "sys",
        "t.sys",
        "System CPU seconds of a `time` measurement (all threads).",
    )
    .get(|t: &mut TimingValue| t.timing.sys);
    r.func(
        "anon",
        "t.anon / m.anon",
        "Anonymous resident bytes: the change during a `time` measurement, or the \
current amount in `mem()`.",
    )
    .get(|t: &mut TimingValue| t.timing.anon as INT);
    r.func(
        "file",
        "t.file / m.file",
        "File-mapped resident bytes: the change during a `time` measurement, or the \
current amount in `mem()`.",
    )
    .get(|t: &mut TimingValue| t.timing.file as INT);
    r.func(
        "peak",
        "t.peak / m.peak",
        "Peak resident bytes: during a `time` measurement, or since the start in `mem()`.",
    )
    .get(|t: &mut TimingValue| t.timing.peak as INT);

    r.ty::<timing::Stats>("Timeit");
    r.func(
        "timeit",
        "timeit(|| ..., [#{warmup, runs, target_cv, max_runs}]) -> Timeit",
        "Benchmark the closure: `warmup` unmeasured runs (default 2), then `runs` \
measured ones (default 10), continuing until the coefficient of variation is below \
`target_cv` (default 0.05) or `max_runs` (default 100) is reached. Returns an object with \
`median mean std cv min max runs times` (seconds) that prints as `median ± std (cv, N runs)`. \
Example: `timeit(|| x.sort(), #{runs: 5})`.",
    )
    .opts(&[TIMEIT_OPTS])
    .example("timeit(|| 1, OPTS)")
    .f(|ctx: NativeCallContext, f: FnPtr| run_timeit(&ctx, &f, &Map::new()))
    .f(|ctx: NativeCallContext, f: FnPtr, opts: Map| run_timeit(&ctx, &f, &opts));
    r.func(
        "median",
        "r.median",
        "Median seconds of the measured `timeit` runs.",
    )
    .get(|s: &mut timing::Stats| s.median);
    r.func(
        "mean",
        "r.mean",
        "Mean seconds of the measured `timeit` runs.",
    )
    .get(|s: &mut timing::Stats| s.mean);
    r.func(
        "std",
        "r.std",
        "Sample standard deviation (n-1) of the measured `timeit` runs, in seconds.",
    )
    .get(|s: &mut timing::Stats| s.std);
    r.func(
        "cv",
        "r.cv",
        "Coefficient of variation (std / mean) of the measured `timeit` runs.",
    )
    .get(|s: &mut timing::Stats| s.cv);
    r.func("min", "r.min", "Fastest measured `timeit` run, in seconds.")
        .get(|s: &mut timing::Stats| s.min);
    r.func("max", "r.max", "Slowest measured `timeit` run, in seconds.")
        .get(|s: &mut timing::Stats| s.max);
    r.func(
        "runs",
        "r.runs",
        "Number of measured `timeit` runs (warm-up runs excluded).",
    )
    .get(|s: &mut timing::Stats| s.runs as INT);
    r.func(
        "times",
        "r.times",
        "Seconds of every measured `timeit` run, in order.",
    )
    .get(|s: &mut timing::Stats| {
        s.times
            .iter()
            .map(|&t| Dynamic::from(t))
            .collect::<rhai::Array>()
    });

    r.func(
        "monitor",
        "monitor(stage, || ..., [#{rows, bytes}])",
        "Run the closure as the named stage and return its value; the time is added to \
the stage for `monitor_report()`. Pass the rows and/or bytes the stage processes to get its \
throughput. Stages may nest. Example: `let h = monitor(\"hist\", || hist(x), #{rows: x.len})`.",
    )
    .opts(&[MONITOR_OPTS])
    .example("monitor(\"stage\", || 1, OPTS)")
    .f(|ctx: NativeCallContext, name: &str, f: FnPtr| run_monitor(&ctx, name, &f, &Map::new()))
    .f(|ctx: NativeCallContext, name: &str, f: FnPtr, opts: Map| {
        run_monitor(&ctx, name, &f, &opts)
    });
    r.func(
        "monitor_report",
        "monitor_report() -> Table",
        "The stages recorded by `monitor`: `stage calls total mean share throughput` \
(seconds; share in percent of the time of the outermost stages).",
    )
    .f(monitor::report);
    r.func(
        "monitor_reset",
        "monitor_reset()",
        "Forget the stages recorded by `monitor` so far.",
    )
    .f(monitor::reset);

    r.ty::<mem::Mem>("Mem");
    r.func(
        "mem",
        "mem() -> Mem",
        "Resident memory now, split into anonymous (heap, owned arrays) and file-mapped \
(pages of mapped files, which the OS can drop and re-read), the peak since the start, and the \
total size of the data files mapped. Properties `rss anon file peak mapped mapped_files` \
(bytes).",
    )
    .f(|| -> RResult<mem::Mem> { mem::snapshot().rh() });
    r.func(
        "rss",
        "m.rss",
        "Resident bytes now (anonymous + file-mapped + shared).",
    )
    .get(|m: &mut mem::Mem| m.rss as INT);
    r.again("anon").get(|m: &mut mem::Mem| m.anon as INT);
    r.again("file").get(|m: &mut mem::Mem| m.file as INT);
    r.again("peak").get(|m: &mut mem::Mem| m.peak as INT);
    r.func(
        "mapped",
        "m.mapped",
        "Total size in bytes of the data files mapped now (resident or not).",
    )
    .get(|m: &mut mem::Mem| m.mapped as INT);
    r.func(
        "mapped_files",
        "m.mapped_files",
        "Number of data files mapped now.",
    )
    .get(|m: &mut mem::Mem| m.mapped_files as INT);

    // `who()` needs the caller's scope, which only custom syntax sees. The function of the
    // same name exists for the registry (help, completion); the syntax takes precedence.
    if let Err(e) = r
        .engine()
        .register_custom_syntax(["who", "()"], false, who_syntax)
    {
        eprintln!("evsh: cannot register who(): {e}");
    }
    r.func(
        "who",
        "who() -> Table",
        "The variables in scope with their type, shape, dtype, bytes and where the data \
lives (`mapped`: viewed in a file mapping, `owned`: in memory, `lazy`: converted on first \
use), like IPython's %whos.",
    )
    .f(|| -> RResult<Table> { Err("who() must be called directly, as `who()`".into()) });

    r.func(
        "set_mem_budget",
        "set_mem_budget(size)",
        "Set the memory budget that chunked kernels respect for data in flight: bytes, \
or a string such as \"4G\" or \"512M\" (default: half of the available memory; \
`--mem-budget` on the command line).",
    )
    .f(|v: Dynamic| -> RResult<()> {
        crate::exec::set_mem_budget(budget_arg(&v)?);
        Ok(())
    });
    r.func(
        "mem_budget",
        "mem_budget() -> int",
        "The memory budget for data in flight, in bytes.",
    )
    .f(|| crate::exec::mem_budget() as INT);
    r.func(
        "threads",
        "threads() -> int",
        "Worker threads kernels use (`--threads N` or EVSH_THREADS; default: all cores).",
    )
    .f(|| crate::exec::threads() as INT);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the registered (idle) debugger costs a script-heavy loop when no profile is
    /// being recorded. A measurement, not a test: `cargo test --lib idle_debugger --
    /// --ignored --nocapture`.
    #[test]
    #[ignore]
    fn idle_debugger_overhead() {
        let code = "fn f(x) { x + 1 } let s = 0; for i in 0..300000 { s = f(s); } s";
        let plain = Engine::new();
        let mut dbg = Engine::new();
        install_debugger(&mut dbg);
        // (Only the profiling engine has it; this shows what that spares other code.)
        let time = |e: &Engine| {
            let ast = e.compile(code).unwrap();
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                assert_eq!(e.eval_ast::<INT>(&ast).unwrap(), 300000);
                best = best.min(t.elapsed().as_secs_f64());
            }
            best
        };
        let (a, b) = (time(&plain), time(&dbg));
        println!(
            "300k script calls: {:.1} ms without the debugger, {:.1} ms with it idle ({:+.1}%)",
            a * 1e3,
            b * 1e3,
            100.0 * (b - a) / a
        );
    }
}
