//! The recorder behind `profile`: a call stack on the thread that records (built-ins and
//! script functions as frames), exact per-function counts (calls, primitive calls) and
//! times in integer nanoseconds (tottime = time in the function itself, cumtime = time of
//! its outermost calls including callees, so cumtime >= tottime holds exactly), a tree of
//! call paths for collapsed stacks, and stage times from any thread attributed to the frame
//! on top of the stack.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::Instant;

use super::report::{Profile, Row, StackLine, StageRow};
use crate::error::{Error, Result};

/// What a profile row is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FuncKey {
    /// A built-in (`load`, `e.his`).
    Builtin(&'static str),
    /// A script function or pseudo-frame: its name and `file:line`.
    Script { name: String, location: String },
}

impl FuncKey {
    /// The name shown in the `function` column: built-ins by name, script functions as
    /// `file:line(name)` like cProfile.
    pub fn display(&self) -> String {
        match self {
            FuncKey::Builtin(n) => n.to_string(),
            FuncKey::Script { name, location } if location.is_empty() => name.clone(),
            FuncKey::Script { name, location } => format!("{location}({name})"),
        }
    }
}

#[derive(Default)]
struct StageAcc {
    calls: u64,
    nanos: u64,
}

struct Func {
    key: FuncKey,
    ncalls: u64,
    prim: u64,
    tot: u64,
    cum: u64,
    /// Frames of this function currently on the stack (recursion depth).
    active: u32,
    stages: Vec<(&'static str, StageAcc)>,
}

struct Node {
    parent: Option<usize>,
    func: usize,
    self_nanos: u64,
    children: HashMap<usize, usize>,
    stages: Vec<(&'static str, u64)>,
}

struct Frame {
    node: usize,
    func: usize,
    start: Instant,
    child: u64,
    recursive: bool,
}

struct Recorder {
    gen: u64,
    thread: ThreadId,
    start: Instant,
    funcs: Vec<Func>,
    index: HashMap<FuncKey, usize>,
    nodes: Vec<Node>,
    roots: HashMap<usize, usize>,
    stack: Vec<Frame>,
    /// Stage time recorded while no frame was open.
    loose: Vec<(&'static str, StageAcc)>,
}

static REC: Mutex<Option<Recorder>> = Mutex::new(None);
static GEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// Child time of the stages open on this thread (innermost last).
    static STAGES: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

fn lock() -> std::sync::MutexGuard<'static, Option<Recorder>> {
    REC.lock().unwrap_or_else(|p| p.into_inner())
}

fn nanos(d: std::time::Duration) -> u64 {
    d.as_nanos().min(u64::MAX as u128) as u64
}

fn add_stage(list: &mut Vec<(&'static str, StageAcc)>, name: &'static str, ns: u64) {
    match list.iter_mut().find(|(n, _)| *n == name) {
        Some((_, a)) => {
            a.calls += 1;
            a.nanos += ns;
        }
        None => list.push((
            name,
            StageAcc {
                calls: 1,
                nanos: ns,
            },
        )),
    }
}

/// An open span's bookkeeping.
pub(crate) enum Active {
    Call(FrameToken),
    Stage {
        gen: u64,
        name: &'static str,
        start: Instant,
    },
}

/// Identifies a frame pushed with [`enter`]; [`leave`] closes it (and anything left open
/// above it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameToken {
    gen: u64,
    depth: usize,
}

impl Recorder {
    fn func_id(&mut self, key: FuncKey) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.funcs.len();
        self.funcs.push(Func {
            key: key.clone(),
            ncalls: 0,
            prim: 0,
            tot: 0,
            cum: 0,
            active: 0,
            stages: vec![],
        });
        self.index.insert(key, i);
        i
    }

    fn push(&mut self, key: FuncKey) -> FrameToken {
        let func = self.func_id(key);
        let parent = self.stack.last().map(|f| f.node);
        let existing = match parent {
            Some(p) => self.nodes[p].children.get(&func).copied(),
            None => self.roots.get(&func).copied(),
        };
        let node = match existing {
            Some(n) => n,
            None => {
                let n = self.nodes.len();
                self.nodes.push(Node {
                    parent,
                    func,
                    self_nanos: 0,
                    children: HashMap::new(),
                    stages: vec![],
                });
                match parent {
                    Some(p) => self.nodes[p].children.insert(func, n),
                    None => self.roots.insert(func, n),
                };
                n
            }
        };
        let f = &mut self.funcs[func];
        let recursive = f.active > 0;
        f.active += 1;
        self.stack.push(Frame {
            node,
            func,
            start: Instant::now(),
            child: 0,
            recursive,
        });
        FrameToken {
            gen: self.gen,
            depth: self.stack.len(),
        }
    }

    /// Close frames until the stack has `depth - 1` frames.
    fn pop_to(&mut self, depth: usize, now: Instant) {
        while self.stack.len() >= depth && depth > 0 {
            let Some(fr) = self.stack.pop() else { break };
            let el = nanos(now.saturating_duration_since(fr.start));
            let own = el.saturating_sub(fr.child);
            self.nodes[fr.node].self_nanos += own;
            let f = &mut self.funcs[fr.func];
            f.ncalls += 1;
            f.tot += own;
            f.active = f.active.saturating_sub(1);
            if !fr.recursive {
                f.prim += 1;
                f.cum += el;
            }
            if let Some(p) = self.stack.last_mut() {
                p.child += el;
            }
        }
    }

    fn stage_done(&mut self, name: &'static str, ns: u64) {
        match self.stack.last() {
            Some(fr) => {
                let (node, func) = (fr.node, fr.func);
                add_stage(&mut self.funcs[func].stages, name, ns);
                let st = &mut self.nodes[node].stages;
                match st.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, t)) => *t += ns,
                    None => st.push((name, ns)),
                }
            }
            None => add_stage(&mut self.loose, name, ns),
        }
    }
}

/// Start recording a profile on this thread. `root`, when given, is a frame for the code
/// being profiled (e.g. `script.rhai:1(<module>)`). Fails when a profile is already being
/// recorded.
pub fn start(root: Option<FuncKey>) -> Result<()> {
    let mut g = lock();
    if g.is_some() {
        return Err(Error::msg(
            "a profile is already being recorded (profiles cannot be nested)",
        ));
    }
    let mut r = Recorder {
        gen: GEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        thread: std::thread::current().id(),
        start: Instant::now(),
        funcs: vec![],
        index: HashMap::new(),
        nodes: vec![],
        roots: HashMap::new(),
        stack: vec![],
        loose: vec![],
    };
    if let Some(k) = root {
        r.push(k);
    }
    *g = Some(r);
    super::set_enabled(true);
    Ok(())
}

/// Stop recording and build the profile; frames still open are closed now.
pub fn finish() -> Profile {
    super::set_enabled(false);
    let Some(mut r) = lock().take() else {
        return Profile::default();
    };
    let now = Instant::now();
    r.pop_to(1, now);
    build(r, now)
}

/// Push a frame (a script function) on the recording thread's stack; `None` when no
/// profile is being recorded or this is another thread.
pub fn enter(key: FuncKey) -> Option<FrameToken> {
    if !super::enabled() {
        return None;
    }
    let mut g = lock();
    let r = g.as_mut()?;
    if r.thread != std::thread::current().id() {
        return None;
    }
    Some(r.push(key))
}

/// Close the frame `t` (and any still open above it).
pub fn leave(t: FrameToken) {
    let now = Instant::now();
    let mut g = lock();
    if let Some(r) = g.as_mut() {
        if r.gen == t.gen {
            r.pop_to(t.depth, now);
        }
    }
}

pub(crate) fn open_call(name: &'static str) -> Option<Active> {
    let on_thread = {
        let g = lock();
        match g.as_ref() {
            Some(r) => r.thread == std::thread::current().id(),
            None => return None,
        }
    };
    if on_thread {
        enter(FuncKey::Builtin(name)).map(Active::Call)
    } else {
        open_stage(name)
    }
}

pub(crate) fn open_stage(name: &'static str) -> Option<Active> {
    let gen = lock().as_ref()?.gen;
    STAGES.with(|s| s.borrow_mut().push(0));
    Some(Active::Stage {
        gen,
        name,
        start: Instant::now(),
    })
}

pub(crate) fn close(a: Active) {
    match a {
        Active::Call(t) => leave(t),
        Active::Stage { gen, name, start } => {
            let el = nanos(start.elapsed());
            let child = STAGES.with(|s| {
                let mut s = s.borrow_mut();
                let c = s.pop().unwrap_or(0);
                if let Some(p) = s.last_mut() {
                    *p += el;
                }
                c
            });
            let mut g = lock();
            if let Some(r) = g.as_mut() {
                if r.gen == gen {
                    r.stage_done(name, el.saturating_sub(child));
                }
            }
        }
    }
}

fn secs(ns: u64) -> f64 {
    ns as f64 * 1e-9
}

fn stage_rows(list: &[(&'static str, StageAcc)]) -> Vec<StageRow> {
    list.iter()
        .map(|(n, a)| StageRow {
            name: n.to_string(),
            ncalls: a.calls,
            seconds: secs(a.nanos),
        })
        .collect()
}

fn build(r: Recorder, now: Instant) -> Profile {
    let rows: Vec<Row> = r
        .funcs
        .iter()
        .map(|f| Row {
            function: f.key.display(),
            builtin: matches!(f.key, FuncKey::Builtin(_)),
            ncalls: f.ncalls,
            primitive: f.prim,
            tottime: secs(f.tot),
            cumtime: secs(f.cum),
            stages: stage_rows(&f.stages),
        })
        .collect();
    // Collapsed stacks: each call path with its own time; stage time (thread time) is
    // scaled to fit inside its frame's own time so widths stay wall-clock seconds.
    let mut stacks = vec![];
    for (i, n) in r.nodes.iter().enumerate() {
        let mut path = vec![];
        let mut cur = Some(i);
        while let Some(c) = cur {
            path.push(r.funcs[r.nodes[c].func].key.display());
            cur = r.nodes[c].parent;
        }
        path.reverse();
        let stage_sum: u64 = n.stages.iter().map(|s| s.1).sum();
        let scale = if stage_sum > n.self_nanos {
            n.self_nanos as f64 / stage_sum as f64
        } else {
            1.0
        };
        let mut rest = n.self_nanos as f64;
        for (name, ns) in &n.stages {
            let t = *ns as f64 * scale;
            rest -= t;
            let mut p = path.clone();
            p.push(format!("[{name}]"));
            stacks.push(StackLine {
                stack: p,
                seconds: t * 1e-9,
            });
        }
        stacks.push(StackLine {
            stack: path,
            seconds: rest.max(0.0) * 1e-9,
        });
    }
    Profile {
        rows,
        loose_stages: stage_rows(&r.loose),
        seconds: secs(nanos(now.saturating_duration_since(r.start))),
        stacks,
        ..Profile::default()
    }
}

/// Tests that record profiles must not overlap (the recorder is process-wide).
#[cfg(test)]
pub(crate) static TEST_LOCK: Mutex<()> = Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(us: u64) {
        let t = Instant::now();
        while t.elapsed().as_micros() < us as u128 {
            std::hint::black_box(0);
        }
    }

    fn fact(n: u32) -> u32 {
        let _s = crate::prof::span("fact");
        busy(50);
        if n <= 1 {
            1
        } else {
            n * fact(n - 1)
        }
    }

    #[test]
    fn counts_recursion_and_cumtime() {
        let _g = TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        start(Some(FuncKey::Script {
            name: "<module>".into(),
            location: "t.rhai:1".into(),
        }))
        .unwrap();
        for _ in 0..3 {
            let _l = crate::prof::span("load");
            busy(100);
            {
                let _st = crate::prof::stage("read");
                busy(100);
            }
        }
        assert_eq!(fact(4), 24);
        // A stage from another thread lands on the frame on top of the stack.
        {
            let _s = crate::prof::span("sum");
            std::thread::scope(|sc| {
                for _ in 0..2 {
                    sc.spawn(|| {
                        let _st = crate::prof::stage("compute");
                        busy(100);
                    });
                }
            });
        }
        let p = finish();
        assert!(!crate::prof::enabled());
        let row = |n: &str| p.rows.iter().find(|r| r.function == n).unwrap().clone();
        let load = row("load");
        assert_eq!((load.ncalls, load.primitive), (3, 3));
        // (Other tests' spans on other threads may add stages: look ours up by name.)
        let stage = |r: &Row, n: &str| r.stages.iter().find(|s| s.name == n).unwrap().clone();
        assert!(stage(&load, "read").ncalls >= 3);
        let f = row("fact");
        assert_eq!((f.ncalls, f.primitive), (4, 1));
        assert!(f.cumtime >= f.tottime);
        let sum = row("sum");
        // (kernels of tests running on other threads may add their own compute stages)
        assert!(stage(&sum, "compute").ncalls >= 2);
        let m = row("t.rhai:1(<module>)");
        assert_eq!((m.ncalls, m.primitive), (1, 1));
        for r in &p.rows {
            assert!(r.cumtime >= r.tottime, "{r:?}");
            assert!(m.cumtime >= r.cumtime, "{r:?}");
        }
        assert_eq!(p.total_calls(), 1 + 3 + 4 + 1);
        assert_eq!(p.primitive_calls(), 1 + 3 + 1 + 1);
        // Call paths: fact nests in itself four deep.
        assert!(p
            .stacks
            .iter()
            .any(|s| s.stack.join(";") == "t.rhai:1(<module>);fact;fact;fact;fact"));
        assert!(p
            .stacks
            .iter()
            .any(|s| s.stack.join(";") == "t.rhai:1(<module>);load;[read]"));
        // Nothing is recorded once finished.
        let _s = crate::prof::span("load");
        assert!(lock().is_none());
    }
}
