//! Property / fuzz tests of the parsers that take user-controlled input (issue 13,
//! "Nothing crashes"): `.npy` headers and the Python literals inside them, dtype strings,
//! NumPy index strings, row-slice strings, event selection specs and the LZF decoder.
//!
//! Every parser gets `EVSH_FUZZ_CASES` generated cases (default 100,000) from a small
//! deterministic PRNG (splitmix64). Each case is generated from its own seed (derived
//! from the parser's name, its number and `EVSH_FUZZ_SEED`), so a failure names the case
//! and the input, and `EVSH_FUZZ_CASE=<n>` reruns that one case alone. A case must return
//! `Ok` or `Err`, never panic (each call runs under `catch_unwind`), never hang (a
//! watchdog aborts with the input after `EVSH_FUZZ_HANG_SECS`, default 60 s), and for
//! inputs generated valid the result must be what a simple independent model predicts.
//! Each target prints how many cases took each path (valid, refused, cut, ...) and fails
//! when a long run never took one of them, so a generator that stops reaching a path is
//! noticed. `EVSH_FUZZ_TRACE=1` prints every case number before running it (to find a
//! case that aborts the process, which `catch_unwind` cannot catch).
//! Inputs that once crashed a parser are kept as fixed regression cases.
//!
//! `scripts/fuzz.sh [cases] [seed]` runs the same properties longer, in release.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use evsh::array::dtype::parse_simple;
use evsh::array::index::{self, Item, Target};
use evsh::array::promote::Operand;
use evsh::array::rows::{format_count, parse_count, parse_row_slice};
use evsh::array::{Array, Buf, DType, Field, StructType};
use evsh::event::flags::FlagTable;
use evsh::event::select::{parse_spec, Spec};
use evsh::h5::lzf;
use evsh::io::npy::{self, Lit};

// ====================================================================== harness

/// splitmix64: tiny, fast, and good enough to drive generators.
#[derive(Clone)]
struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in `0..n` (0 when `n == 0`).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    /// Uniform in `0..=n`.
    fn upto(&mut self, n: usize) -> usize {
        self.below(n as u64 + 1) as usize
    }
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (self.next() as u128 % span) as i128) as i64
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().replace('_', "").parse() {
        Ok(n) => Some(n),
        Err(_) => panic!("{name}={v:?} is not a number"),
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// The generator state of case `i` of fuzz target `name`.
fn case_rng(name: &str, i: u64) -> Rng {
    let seed = env_u64("EVSH_FUZZ_SEED").unwrap_or(0x00e7_5eed);
    Rng(mix(fnv(name) ^ mix(seed ^ mix(i))))
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// What one case gave: the name of the path it took (counted, so that a generator that
/// stops reaching a path is noticed), or what was wrong.
type Outcome = Result<&'static str, String>;

/// Run `check` on one input, turning a panic into an error naming it.
fn guarded<I>(check: &impl Fn(&I) -> Outcome, input: &I) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| check(input))) {
        Ok(r) => r,
        Err(p) => Err(format!("PANIC: {}", panic_text(&*p))),
    }
}

/// Marks a fixed regression case (rather than a generated one) in the progress counter.
const REGRESSION: u64 = 1 << 63;

/// Aborts the process when the case counter of a fuzz target stops moving: a parser
/// that loops forever is a bug too, and the input is printed before aborting.
fn watchdog<I: fmt::Debug + 'static>(
    name: &'static str,
    gen: fn(&mut Rng) -> I,
    progress: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let limit = Duration::from_secs(env_u64("EVSH_FUZZ_HANG_SECS").unwrap_or(60));
    std::thread::spawn(move || {
        let mut last = u64::MAX;
        let mut since = Instant::now();
        while !done.load(Ordering::Relaxed) {
            std::thread::park_timeout(Duration::from_millis(200));
            let now = progress.load(Ordering::Relaxed);
            if now != last {
                last = now;
                since = Instant::now();
            } else if since.elapsed() > limit && !done.load(Ordering::Relaxed) {
                if now & REGRESSION != 0 {
                    eprintln!(
                        "fuzz {name}: regression case {} has run for more than {limit:?}: a hang",
                        now & !REGRESSION
                    );
                } else {
                    let i = now.saturating_sub(1);
                    let input = gen(&mut case_rng(name, i));
                    eprintln!(
                        "fuzz {name}: case {i} has run for more than {limit:?}: a hang \
                         (rerun alone with EVSH_FUZZ_CASE={i})\n  input: {input:?}"
                    );
                }
                std::process::abort();
            }
        }
    })
}

/// Run the fixed `regressions`, then `EVSH_FUZZ_CASES` generated cases through `check`,
/// and print how many cases took each path. Panics with every failing input (up to 8),
/// or when a long run never took one of the `required` paths (a generator gone blind).
fn fuzz<I: fmt::Debug + 'static>(
    name: &'static str,
    regressions: &[I],
    gen: fn(&mut Rng) -> I,
    required: &[&str],
    check: impl Fn(&I) -> Outcome,
) {
    let n = env_u64("EVSH_FUZZ_CASES").unwrap_or(100_000);
    let only = env_u64("EVSH_FUZZ_CASE");
    let trace = std::env::var_os("EVSH_FUZZ_TRACE").is_some();
    let mut fails: Vec<String> = vec![];
    let mut tally: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let progress = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let dog = watchdog(name, gen, progress.clone(), done.clone());
    let t0 = Instant::now();
    if only.is_none() {
        for (k, input) in regressions.iter().enumerate() {
            progress.store(REGRESSION | k as u64, Ordering::Relaxed);
            if let Err(m) = guarded(&check, input) {
                fails.push(format!(
                    "{name}: regression case {k}: {m}\n  input: {input:?}"
                ));
            }
        }
    }
    let cases = match only {
        Some(i) => i..i + 1,
        None => 0..n,
    };
    let mut ran = 0u64;
    for i in cases {
        progress.store(i + 1, Ordering::Relaxed);
        if trace {
            eprintln!("fuzz {name}: case {i}");
        }
        let input = gen(&mut case_rng(name, i));
        ran += 1;
        match guarded(&check, &input) {
            Ok(path) => *tally.entry(path).or_default() += 1,
            Err(m) => {
                fails.push(format!(
                    "{name}: case {i} (rerun alone with EVSH_FUZZ_CASE={i}): {m}\n  input: {input:?}"
                ));
                if fails.len() >= 8 {
                    break;
                }
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    dog.thread().unpark();
    let _ = dog.join();
    let paths: Vec<String> = tally.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    eprintln!(
        "fuzz {name}: {ran} generated cases + {} regressions in {:.2?} ({})",
        if only.is_none() { regressions.len() } else { 0 },
        t0.elapsed(),
        paths.join(", ")
    );
    if only.is_none() && ran >= 10_000 && fails.is_empty() {
        for p in required {
            if !tally.contains_key(p) {
                fails.push(format!("{name}: no generated case took the path {p:?}"));
            }
        }
    }
    if !fails.is_empty() {
        panic!("{} failing case(s):\n{}", fails.len(), fails.join("\n"));
    }
}

/// An error must say something.
fn msg_ok(e: &evsh::Error) -> Result<(), String> {
    if e.to_string().trim().is_empty() {
        return Err(format!("empty error message ({e:?})"));
    }
    Ok(())
}

/// A refusal with a message took the path `path`.
fn refused(e: &evsh::Error, path: &'static str) -> Outcome {
    msg_ok(e)?;
    Ok(path)
}

/// Bytes printed as an escaped byte string, so a failing input can be pasted back.
struct Bytes(Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: String = self
            .0
            .iter()
            .flat_map(|&b| std::ascii::escape_default(b))
            .map(char::from)
            .collect();
        write!(f, "b\"{s}\"")
    }
}

// ---------------------------------------------------------------- shared generators

/// Characters that tend to break text parsers: multi-byte UTF-8, Unicode whitespace,
/// control characters, quotes, brackets, digits and suffix letters.
const JUNK: &[&str] = &[
    "é", "∞", "𝔘", "名", "\u{0}", "\u{7f}", "\u{85}", "\u{a0}", "\u{2028}", "\u{feff}", "\t", "\n",
    "\r", " ", "'", "\"", "\\", "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "-", "+", "_",
    "*", "#", "0", "9", "k", "M", "G", "x", "e", "j", "L", "None", "...",
];

fn interesting_i64(r: &mut Rng) -> i64 {
    r.pick(&[
        0,
        1,
        -1,
        2,
        -2,
        3,
        -3,
        5,
        -5,
        999,
        1000,
        -1000,
        1_000_000,
        -1_000_000,
        1_000_000_000,
        i32::MAX as i64,
        i32::MIN as i64,
        1 << 32,
        -(1 << 32),
        1 << 53,
        1 << 61,
        1 << 62,
        -(1 << 62),
        i64::MAX / 1000,
        i64::MAX / 1_000_000 + 1,
        i64::MAX - 1,
        i64::MIN + 1,
        i64::MAX,
        i64::MIN,
    ])
}

/// A random edit of `s`: 1 to 3 deletions, insertions (from `alphabet` or [`JUNK`]),
/// replacements, truncations, duplications or swaps of characters.
fn mutate_str(r: &mut Rng, s: &str, alphabet: &[&str]) -> String {
    let mut v: Vec<String> = s.chars().map(String::from).collect();
    for _ in 0..1 + r.below(3) {
        let len = v.len() as u64;
        let tok = |r: &mut Rng| -> String {
            if r.one_in(3) {
                r.pick(JUNK).to_string()
            } else {
                r.pick(alphabet).to_string()
            }
        };
        match r.below(7) {
            0 if len > 0 => {
                v.remove(r.below(len) as usize);
            }
            1 if len > 0 => {
                let i = r.below(len) as usize;
                v[i] = tok(r);
            }
            2 if len > 0 => v.truncate(r.below(len) as usize),
            3 if len > 1 && len < 200 => {
                let a = r.below(len) as usize;
                let b = a + r.upto(v.len() - a);
                let dup: Vec<String> = v[a..b].to_vec();
                let at = r.upto(v.len());
                v.splice(at..at, dup);
            }
            4 if len > 1 => {
                let (a, b) = (r.below(len) as usize, r.below(len) as usize);
                v.swap(a, b);
            }
            _ => {
                let at = r.upto(v.len());
                let t = tok(r);
                v.insert(at, t);
            }
        }
    }
    v.concat()
}

/// A random edit of a byte string.
fn mutate_bytes(r: &mut Rng, v: &mut Vec<u8>, lo: usize) {
    for _ in 0..1 + r.below(4) {
        let len = v.len();
        if len <= lo {
            v.push(r.next() as u8);
            continue;
        }
        let at = lo + r.below((len - lo) as u64) as usize;
        match r.below(7) {
            0 => v[at] ^= 1 << r.below(8),
            1 => v[at] = r.next() as u8,
            2 => v[at] = r.pick(&[0u8, 0xff, 0x7f, 0x80, 0x20, 0x1f, 0xe0, b'\'', b'(', b'\\']),
            3 => {
                v.remove(at);
            }
            4 => v.insert(at, r.next() as u8),
            5 => v.truncate(at),
            _ => {
                let b = at + r.upto((len - at).min(64));
                let dup = v[at..b].to_vec();
                v.splice(at..at, dup);
            }
        }
    }
}

/// How a user may spell an integer: `1000`, `1k`, `1_000`, `+1K`, `2M`, `3G`.
fn spell_int(r: &mut Rng, v: i64) -> String {
    let mut s = if v % 1_000_000_000 == 0 && r.one_in(3) {
        format!("{}{}", v / 1_000_000_000, r.pick(&["G", "g"]))
    } else if v % 1_000_000 == 0 && r.one_in(2) {
        format!("{}{}", v / 1_000_000, r.pick(&["M", "m"]))
    } else if v % 1000 == 0 && r.one_in(2) {
        format!("{}{}", v / 1000, r.pick(&["k", "K"]))
    } else {
        v.to_string()
    };
    if v >= 0 && r.one_in(10) {
        s.insert(0, '+');
    }
    if r.one_in(8) {
        let at = r.upto(s.len());
        s.insert(at, '_');
    }
    s
}

/// Python source whitespace (`spaces` also gives a no-break space, which trims away in
/// index and row-slice strings but is not whitespace in a Python literal).
fn py_spaces(r: &mut Rng) -> &'static str {
    r.pick(&["", "", " ", "  ", "\t", "\n"])
}

fn spaces(r: &mut Rng) -> &'static str {
    if r.one_in(2) {
        ""
    } else {
        r.pick(&[" ", "  ", "\t", " \u{a0}"])
    }
}

// ====================================================================== 1. .npy headers

/// What a generated `.npy` image must give.
#[derive(Debug)]
enum NpyExpect {
    /// Written by evsh's own writer (maybe repacked as format 2.0/3.0, maybe with extra
    /// bytes after the data): parses to exactly this, and the array views `data`.
    Valid {
        dtype: DType,
        swapped: bool,
        shape: Vec<usize>,
        fortran: bool,
        data: Bytes,
    },
    /// A valid file cut inside its header: `parse_header` must refuse it.
    HeaderCut,
    /// A valid file cut inside its data: the header parses, `array_over` must refuse it.
    DataCut,
    /// Anything but a panic.
    Any,
}

#[derive(Debug)]
struct NpyCase {
    file: Bytes,
    expect: NpyExpect,
}

/// Whether `parse_simple` reports a dtype written in the other byte order as swapped.
fn swap_rule(want: bool, d: &DType) -> bool {
    want && d.itemsize() > 1 && !matches!(d, DType::Bytes(_) | DType::Void(_) | DType::Struct(_))
}

const FIELD_NAMES: &[&str] = &[
    "a",
    "x",
    "pos",
    "名前",
    "é",
    "q'uote",
    "back\\slash",
    "new\nline",
    "tab\t",
    "dq\"",
    "f",
    "\u{1F600}",
    "zero\u{0}",
    "sp ace",
    "\u{7f}",
];

fn gen_simple_dtype(r: &mut Rng) -> DType {
    use DType::*;
    match r.below(17) {
        0 => Bool,
        1 => I8,
        2 => I16,
        3 => I32,
        4 => I64,
        5 => U8,
        6 => U16,
        7 => U32,
        8 => U64,
        9 => F16,
        10 => F32,
        11 => C64,
        12 => C128,
        13 => Bytes(r.upto(6)),
        14 => Unicode(r.upto(4)),
        15 => Void(r.upto(6)),
        _ => F64,
    }
}

fn gen_dtype(r: &mut Rng, depth: usize) -> DType {
    if depth >= 2 || !r.one_in(4) {
        return gen_simple_dtype(r);
    }
    let mut fields = vec![];
    let mut offset = 0usize;
    for k in 0..r.upto(4) {
        let name = format!("{}{k}", r.pick(FIELD_NAMES));
        let dtype = gen_dtype(r, depth + 1);
        // (sub-arrays of zero-size elements are refused, see `npy_regressions`)
        let shape: Vec<usize> = if r.one_in(4) && dtype.itemsize() > 0 {
            (0..1 + r.below(2)).map(|_| r.upto(3)).collect()
        } else {
            vec![]
        };
        let swapped = swap_rule(r.one_in(2), &dtype);
        if r.one_in(4) {
            offset += 1 + r.below(3) as usize;
        }
        let size = dtype.itemsize() * shape.iter().product::<usize>();
        fields.push(Field {
            name,
            dtype,
            swapped,
            offset,
            shape,
        });
        offset += size;
    }
    if r.one_in(4) {
        offset += r.below(4) as usize;
    }
    DType::Struct(Arc::new(StructType {
        fields,
        itemsize: offset,
    }))
}

/// The same header as format `version` (2.0 and 3.0 have a 4-byte length).
fn repack(v1: &[u8], version: u8) -> Vec<u8> {
    let hlen = u16::from_le_bytes([v1[8], v1[9]]) as usize;
    let mut out = b"\x93NUMPY".to_vec();
    out.push(version);
    out.push(0);
    out.extend_from_slice(&(hlen as u32).to_le_bytes());
    out.extend_from_slice(&v1[10..]);
    out
}

/// A random Python string literal holding `s`, quoted and escaped in one of the ways
/// Python allows (prefixes, both quotes, `\x`, `\u`, `\U`, octal and surrogate pairs).
fn py_quote(r: &mut Rng, s: &str) -> String {
    let q = if r.one_in(2) { '\'' } else { '"' };
    let mut o = String::new();
    if r.one_in(4) {
        o.push_str(r.pick(&["u", "U", "b", "B"]));
    }
    o.push(q);
    for c in s.chars() {
        let cp = c as u32;
        if c == q || c == '\\' {
            o.push('\\');
            o.push(c);
        } else if c == '\n' {
            o.push_str("\\n");
        } else if c == '\r' {
            o.push_str("\\r");
        } else if cp < 0x20 || cp == 0x7f || r.one_in(8) {
            match r.below(4) {
                0 if cp <= 0xff => o.push_str(&format!("\\x{cp:02x}")),
                1 if cp <= 0o377 => o.push_str(&format!("\\{cp:03o}")),
                2 if cp <= 0xffff => o.push_str(&format!("\\u{cp:04X}")),
                2 => {
                    let v = cp - 0x10000;
                    let (h, l) = (0xD800 + (v >> 10), 0xDC00 + (v & 0x3ff));
                    o.push_str(&format!("\\u{h:04x}\\u{l:04x}"));
                }
                _ => o.push_str(&format!("\\U{cp:08x}")),
            }
        } else {
            o.push(c);
        }
    }
    o.push(q);
    o
}

const DESCR_STRS: &[&str] = &[
    "<f8",
    ">f8",
    "<f4",
    ">i4",
    "|b1",
    "<i2",
    "|u1",
    "<u8",
    ">c16",
    "<c8",
    "<f2",
    "|S0",
    "|S5",
    "S",
    "U",
    "V0",
    "|V8",
    "<U5",
    ">U5",
    "<U0",
    "a3",
    "float64",
    "i",
    "d",
    "<M8[ns]",
    "<m8",
    "|O",
    "O",
    "<c32",
    "<f16",
    "<f3",
    "<i3",
    "",
    "<",
    "|",
    "=f8",
    "=U2",
    "é",
    "<é",
    "\u{0}",
    "<U4611686018427387904",
    ">U4611686018427387904",
    "<U2305843009213693952",
    "|S9223372036854775807",
    "|S9223372036854775808",
    "|V18446744073709551615",
    "<U99999999999999999999",
    "<f8 ",
    " <f8",
    "<F8",
    "<f+8",
    "<f08",
];

const SHAPE_DIMS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "1000",
    "2147483648",
    "4294967296",
    "4611686018427387904",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "99999999999999999999",
    "-1",
    "-0",
    "+3",
    "1_000",
    "2L",
    "007",
    "1.5",
    "1e3",
    "0x10",
    "True",
    "None",
    "'a'",
    "(1, 2)",
    "[]",
];

fn gen_shape_lit(r: &mut Rng) -> String {
    if r.one_in(20) {
        return r
            .pick(&[
                "3", "[3, 4]", "(3)", "((3,),)", "{}", "'(3,)'", "(", ")", "(,)",
            ])
            .to_string();
    }
    let nd = r.upto(4);
    let dims: Vec<String> = (0..nd)
        .map(|_| {
            if r.one_in(3) {
                r.pick(SHAPE_DIMS).to_string()
            } else {
                r.upto(5).to_string()
            }
        })
        .collect();
    let (open, close) = if r.one_in(6) { ("[", "]") } else { ("(", ")") };
    let trailing = if nd == 1 || (nd > 0 && r.one_in(4)) {
        ","
    } else {
        ""
    };
    format!("{open}{}{trailing}{close}", dims.join(", "))
}

/// A `descr` value: a string, a structured field list or a sub-array tuple, possibly
/// odd or invalid, nested up to `depth`.
fn gen_descr_lit(r: &mut Rng, depth: usize) -> String {
    if depth > 3 || r.below(3) > 0 {
        let base = r.pick(DESCR_STRS);
        let s = if r.one_in(5) {
            mutate_str(r, base, &["<", ">", "f", "8", "U", "S", "1"])
        } else {
            base.to_string()
        };
        return py_quote(r, &s);
    }
    match r.below(8) {
        // sub-array: (base, shape)
        0 => format!("({}, {})", gen_descr_lit(r, depth + 1), gen_shape_lit(r)),
        1 => r
            .pick(&[
                "[]",
                "[('a',)]",
                "[('a', '<f4'), ('a', '<i4')]",
                "[(('title', 'name'), '<f4')]",
                "[(('title', 3), '<f4')]",
                "[(1, '<f4')]",
                "[('', '|V4'), ('x', '<f8')]",
                "[('', '<f8')]",
                "[['a', '<f4']]",
                "('<f4', 2)",
                "('<f4',)",
                "None",
                "3",
                "{'a': '<f4'}",
            ])
            .to_string(),
        2 => {
            // deep nesting, around the parser's limit of 64
            let d = 55 + r.upto(20);
            format!("{}'<f4'{}", "[('a', ".repeat(d), ")]".repeat(d))
        }
        _ => {
            let fields: Vec<String> = (0..r.upto(4))
                .map(|k| {
                    let base = r.pick(FIELD_NAMES);
                    let name = py_quote(r, &format!("{base}{k}"));
                    let name = if r.one_in(10) {
                        format!("({}, {name})", py_quote(r, "title"))
                    } else {
                        name
                    };
                    let t = gen_descr_lit(r, depth + 1);
                    if r.one_in(4) {
                        format!("({name}, {t}, {})", gen_shape_lit(r))
                    } else {
                        format!("({name}, {t})")
                    }
                })
                .collect();
            format!("[{}]", fields.join(", "))
        }
    }
}

/// A header dictionary: the three keys in any order (sometimes missing, duplicated or
/// joined by another), any quoting, odd values.
fn gen_header_dict(r: &mut Rng) -> String {
    let mut entries: Vec<(String, String)> = vec![
        ("descr".into(), gen_descr_lit(r, 0)),
        (
            "fortran_order".into(),
            if r.one_in(8) {
                r.pick(&["0", "1", "'True'", "None", "true", "Tru"])
                    .to_string()
            } else {
                r.pick(&["True", "False"]).to_string()
            },
        ),
        ("shape".into(), gen_shape_lit(r)),
    ];
    for i in (1..entries.len()).rev() {
        let j = r.upto(i);
        entries.swap(i, j);
    }
    if r.one_in(10) {
        entries.remove(r.below(3) as usize);
    }
    if r.one_in(10) {
        let e = entries[r.below(entries.len() as u64) as usize].clone();
        entries.push(e);
    }
    if r.one_in(10) {
        entries.push((
            r.pick(&["extra", "Descr", "shape ", ""]).to_string(),
            "1".into(),
        ));
    }
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}:{}{v}", py_quote(r, k), py_spaces(r)))
        .collect();
    let trailing = if r.one_in(2) { ", " } else { "" };
    format!("{{{}{trailing}}}", body.join(&format!(",{}", py_spaces(r))))
}

/// magic + version + length + text, the length right or (sometimes) wrong.
fn npy_image(r: &mut Rng, text: &str, data: &[u8]) -> Vec<u8> {
    let mut version = r.pick(&[1u8, 1, 1, 2, 3]);
    if r.one_in(30) {
        version = r.next() as u8;
    }
    let body: Vec<u8> = if version == 3 || r.one_in(4) {
        text.as_bytes().to_vec()
    } else {
        // latin-1, like NumPy writes format 1.0/2.0
        text.chars()
            .map(|c| if (c as u32) < 256 { c as u8 } else { b'?' })
            .collect()
    };
    if body.len() > u16::MAX as usize && version == 1 {
        version = 2;
    }
    let mut hlen = body.len();
    if r.one_in(15) {
        hlen = match r.below(4) {
            0 => hlen.saturating_sub(1 + r.below(8) as usize),
            1 => hlen + 1 + r.below(8) as usize,
            2 => u16::MAX as usize,
            _ => r.next() as u32 as usize,
        };
    }
    let mut out = b"\x93NUMPY".to_vec();
    out.push(version);
    out.push(r.below(2) as u8 * (r.one_in(20) as u8));
    if version == 1 {
        out.extend_from_slice(&(hlen as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(hlen as u32).to_le_bytes());
    }
    out.extend_from_slice(&body);
    out.extend_from_slice(data);
    out
}

fn gen_npy(r: &mut Rng) -> NpyCase {
    let kind = r.below(20);
    if kind < 11 {
        // evsh's own writer, then maybe cut, mutated or extended
        let dtype = gen_dtype(r, 0);
        let want_swap = r.one_in(2);
        let nd = r.upto(4);
        let shape: Vec<usize> = (0..nd).map(|_| r.upto(4)).collect();
        let fortran = r.one_in(4);
        let mut file = npy::header_bytes_order(&dtype, want_swap, &shape, fortran);
        if r.one_in(3) {
            file = repack(&file, r.pick(&[2u8, 3]));
        }
        let header_len = file.len();
        let nbytes = shape.iter().product::<usize>() * dtype.itemsize();
        let data = r.bytes(nbytes);
        file.extend_from_slice(&data);
        let expect = NpyExpect::Valid {
            swapped: swap_rule(want_swap, &dtype),
            dtype,
            shape,
            fortran,
            data: Bytes(data),
        };
        match kind {
            0..=4 => NpyCase {
                file: Bytes(file),
                expect,
            },
            5 => {
                let k = r.upto(100);
                let extra = r.bytes(k);
                file.extend_from_slice(&extra);
                NpyCase {
                    file: Bytes(file),
                    expect,
                }
            }
            6 => {
                file.truncate(r.below(header_len as u64) as usize);
                NpyCase {
                    file: Bytes(file),
                    expect: NpyExpect::HeaderCut,
                }
            }
            7 if nbytes > 0 => {
                file.truncate(header_len + r.below(nbytes as u64) as usize);
                NpyCase {
                    file: Bytes(file),
                    expect: NpyExpect::DataCut,
                }
            }
            8 => {
                // text-level edit of the dictionary, lengths kept consistent
                let start = if file[6] == 1 { 10 } else { 12 };
                let text = String::from_utf8_lossy(&file[start..header_len]).into_owned();
                let text = mutate_str(
                    r,
                    &text,
                    &[
                        "(", ")", "[", "]", "'", ",", ":", "0", "9", "<", "U", "S", "-", " ",
                    ],
                );
                NpyCase {
                    file: Bytes(npy_image(r, &text, &file[header_len..])),
                    expect: NpyExpect::Any,
                }
            }
            _ => {
                let lo = if r.one_in(3) { 0 } else { 6 };
                mutate_bytes(r, &mut file, lo);
                NpyCase {
                    file: Bytes(file),
                    expect: NpyExpect::Any,
                }
            }
        }
    } else if kind < 18 {
        // a dictionary from the grammar (odd descr strings, huge and nested shapes)
        let mut text = gen_header_dict(r);
        if r.one_in(5) {
            text = mutate_str(r, &text, &["(", ")", "[", "]", "'", ",", ":", "{", "}"]);
        }
        text.push_str(&" ".repeat(r.upto(70)));
        text.push_str(r.pick(&["\n", "", "\n\0", "\r\n", "\t"]));
        let k = r.upto(300);
        let data = r.bytes(k);
        NpyCase {
            file: Bytes(npy_image(r, &text, &data)),
            expect: NpyExpect::Any,
        }
    } else {
        // random bytes behind a valid magic (or a short random file)
        let mut file = if r.one_in(2) {
            b"\x93NUMPY\x01\x00".to_vec()
        } else {
            vec![]
        };
        let max = if r.one_in(4) { 12 } else { 300 };
        let n = r.upto(max);
        file.extend(r.bytes(n));
        NpyCase {
            file: Bytes(file),
            expect: NpyExpect::Any,
        }
    }
}

/// C-order element `k` of `shape` as a position in Fortran order.
fn fortran_pos(shape: &[usize], mut k: usize) -> usize {
    let mut idx = vec![0usize; shape.len()];
    for ax in (0..shape.len()).rev() {
        idx[ax] = k % shape[ax];
        k /= shape[ax];
    }
    let mut pos = 0;
    let mut mul = 1;
    for ax in 0..shape.len() {
        pos += idx[ax] * mul;
        mul *= shape[ax];
    }
    pos
}

fn check_npy(c: &NpyCase) -> Outcome {
    let bytes = &c.file.0;
    let h = match (npy::parse_header(bytes), &c.expect) {
        (Ok(_), NpyExpect::HeaderCut) => {
            return Err("a file cut inside its header was accepted".into())
        }
        (Err(e), NpyExpect::Valid { .. } | NpyExpect::DataCut) => {
            return Err(format!("the header of a valid file was refused: {e}"))
        }
        (Err(e), NpyExpect::HeaderCut) => return refused(&e, "cut in header: refused"),
        (Err(e), _) => return refused(&e, "header refused"),
        (Ok(h), _) => h,
    };
    if h.data_offset > bytes.len() {
        return Err(format!(
            "data offset {} is past the end of the {}-byte file",
            h.data_offset,
            bytes.len()
        ));
    }
    let need = h
        .data_bytes()
        .map_err(|e| format!("parse_header accepted a header whose size fails: {e}"))?;
    if let NpyExpect::Valid {
        dtype,
        swapped,
        shape,
        fortran,
        ..
    } = &c.expect
    {
        if (&h.dtype, h.swapped, &h.shape, h.fortran_order) != (dtype, *swapped, shape, *fortran) {
            return Err(format!(
                "parsed as {:?} swapped={} shape={:?} fortran={}",
                h.dtype, h.swapped, h.shape, h.fortran_order
            ));
        }
    }
    let buf = Arc::new(Buf::Owned(Box::new(bytes.clone())));
    let a = match (npy::array_over(buf, &h, 0, bytes.len()), &c.expect) {
        (Ok(_), NpyExpect::DataCut) => {
            return Err(format!(
                "a file cut inside its data ({need} bytes announced) was accepted"
            ))
        }
        (Err(e), NpyExpect::Valid { .. }) => {
            return Err(format!("the data of a valid file was refused: {e}"))
        }
        (Err(e), NpyExpect::DataCut) => return refused(&e, "cut in data: refused"),
        (Err(e), _) => return refused(&e, "data refused"),
        (Ok(a), _) => a,
    };
    if a.shape() != h.shape.as_slice() || a.dtype() != &h.dtype {
        return Err(format!("array is {:?} {:?}", a.dtype(), a.shape()));
    }
    let isz = h.dtype.itemsize();
    if a.size() <= 4096 && isz <= 4096 {
        // every element is readable, raw and converted to native order
        let mut raw = vec![];
        a.for_each_offset(|o| raw.extend_from_slice(a.element_bytes(o)));
        let nat = a.native();
        let mut n = 0usize;
        nat.for_each_offset(|o| n += nat.element_bytes(o).len());
        if raw.len() != a.size() * isz || n != raw.len() {
            return Err(format!("read {} raw and {n} native bytes", raw.len()));
        }
        if let NpyExpect::Valid { data, fortran, .. } = &c.expect {
            for k in 0..a.size() {
                let p = if *fortran {
                    fortran_pos(a.shape(), k)
                } else {
                    k
                };
                if raw[k * isz..(k + 1) * isz] != data.0[p * isz..(p + 1) * isz] {
                    return Err(format!("element {k} does not view the file's bytes"));
                }
            }
        }
        if a.size() <= 64 {
            let _ = format!("{a}");
        }
    }
    Ok(match c.expect {
        NpyExpect::Valid { .. } => "valid: read back",
        _ => "other accepted",
    })
}

fn npy_regressions() -> Vec<NpyCase> {
    let img = |dict: &str| {
        let mut v = b"\x93NUMPY\x01\x00".to_vec();
        v.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        v.extend_from_slice(dict.as_bytes());
        NpyCase {
            file: Bytes(v),
            expect: NpyExpect::Any,
        }
    };
    vec![
        // 4 * n overflows usize: the item size wrapped (release) or panicked (debug)
        img("{'descr': '<U4611686018427387904', 'fortran_order': False, 'shape': (0,)}"),
        img("{'descr': '>U4611686018427387904', 'fortran_order': False, 'shape': (1,)}"),
        img("{'descr': [('a', '<U4611686018427387904')], 'fortran_order': False, 'shape': ()}"),
        img("{'descr': '|S9223372036854775808', 'fortran_order': False, 'shape': (0,)}"),
        // a multi-byte character where the type code should be
        img("{'descr': '<\u{e9}8', 'fortran_order': False, 'shape': (1,)}"),
        img("{'descr': '\u{e9}', 'fortran_order': False, 'shape': (1,)}"),
        // a sub-array of zero-size elements holds any number of them in no bytes: showing
        // one record built a string per element and aborted (out of memory)
        img("{'descr': [('a', '|S0', (51539607552,))], 'fortran_order': False, 'shape': (1,)}"),
        img("{'descr': [('a', [], (4611686018427387904,))], 'fortran_order': False, 'shape': (2,)}"),
        img("{'descr': [('a', ('<U0', (7, 1000000000000)))], 'fortran_order': False, 'shape': (1,)}"),
        img("{'descr': ('|V0', (1000000000000,)), 'fortran_order': False, 'shape': (1,)}"),
    ]
}

#[test]
fn fuzz_npy_header() {
    fuzz(
        "npy_header",
        &npy_regressions(),
        gen_npy,
        &[
            "valid: read back",
            "cut in header: refused",
            "cut in data: refused",
            "header refused",
            "data refused",
            "other accepted",
        ],
        check_npy,
    );
}

// ------------------------------------------------------------ python literals

#[derive(Debug)]
struct LitCase {
    text: String,
    expect: Option<Lit>,
}

const STR_CHARS: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    " ",
    "'",
    "\"",
    "\\",
    "\n",
    "\r",
    "\t",
    "\u{0}",
    "\u{7f}",
    "é",
    "ÿ",
    "\u{100}",
    "名",
    "\u{ffff}",
    "\u{1F600}",
    "\u{10ffff}",
    "{",
    "}",
    ",",
    ":",
];

fn gen_lit(r: &mut Rng, depth: usize) -> Lit {
    let leaf = depth >= 5 || r.below(3) > 0;
    match if leaf { r.below(4) } else { 4 + r.below(3) } {
        0 => {
            let s: String = (0..r.upto(6)).map(|_| r.pick(STR_CHARS)).collect();
            Lit::Str(s)
        }
        1 => Lit::Int(if r.one_in(2) {
            interesting_i64(r)
        } else {
            r.range(-100, 100)
        }),
        2 => Lit::Bool(r.one_in(2)),
        3 => Lit::None,
        4 => Lit::Tuple((0..r.upto(3)).map(|_| gen_lit(r, depth + 1)).collect()),
        5 => Lit::List((0..r.upto(3)).map(|_| gen_lit(r, depth + 1)).collect()),
        _ => Lit::Dict(
            (0..r.upto(3))
                .map(|_| (gen_lit(r, depth + 1), gen_lit(r, depth + 1)))
                .collect(),
        ),
    }
}

/// Python source for `l`, in a random one of its spellings.
fn render_lit(r: &mut Rng, l: &Lit) -> String {
    let ws = |r: &mut Rng| r.pick(&["", "", " ", "\n", "\t", "  "]);
    let seq = |r: &mut Rng, v: &[String], open: &str, close: &str, one_comma: bool| {
        let sep = format!(",{}", ws(r));
        let mut s = format!("{open}{}{}", ws(r), v.join(&sep));
        if (one_comma && v.len() == 1) || (!v.is_empty() && r.one_in(4)) {
            s.push(',');
        }
        s.push_str(ws(r));
        s.push_str(close);
        s
    };
    match l {
        Lit::Str(s) => py_quote(r, s),
        Lit::Int(i) => {
            let mut t = i.to_string();
            if *i >= 0 && r.one_in(8) {
                t.insert(0, '+');
            }
            if t.len() >= 3 && r.one_in(8) {
                t.insert(t.len() - 1, '_');
            }
            if r.one_in(10) {
                t.push('L');
            }
            t
        }
        Lit::Bool(b) => if *b { "True" } else { "False" }.into(),
        Lit::None => "None".into(),
        Lit::Tuple(v) => {
            let items: Vec<String> = v.iter().map(|x| render_lit(r, x)).collect();
            seq(r, &items, "(", ")", true)
        }
        Lit::List(v) => {
            let items: Vec<String> = v.iter().map(|x| render_lit(r, x)).collect();
            seq(r, &items, "[", "]", false)
        }
        Lit::Dict(v) => {
            let items: Vec<String> = v
                .iter()
                .map(|(k, x)| {
                    format!(
                        "{}{}:{}{}",
                        render_lit(r, k),
                        ws(r),
                        ws(r),
                        render_lit(r, x)
                    )
                })
                .collect();
            seq(r, &items, "{", "}", false)
        }
    }
}

fn gen_lit_case(r: &mut Rng) -> LitCase {
    match r.below(10) {
        0..=5 => {
            let l = gen_lit(r, 0);
            let mut text = render_lit(r, &l);
            if r.one_in(3) {
                text = format!("{}{text}{}", py_spaces(r), py_spaces(r));
            }
            LitCase {
                text,
                expect: Some(l),
            }
        }
        6 | 7 => {
            let l = gen_lit(r, 0);
            let text = render_lit(r, &l);
            LitCase {
                text: mutate_str(
                    r,
                    &text,
                    &["(", ")", "[", "]", "'", ",", ":", "\\", "u", "x"],
                ),
                expect: None,
            }
        }
        8 => {
            // nesting around the depth limit
            let d = 50 + r.upto(30);
            let (o, c) = r.pick(&[("[", "]"), ("(", ",)"), ("{1: ", "}")]);
            LitCase {
                text: format!("{}1{}", o.repeat(d), c.repeat(d)),
                expect: None,
            }
        }
        _ => LitCase {
            text: (0..r.upto(20)).map(|_| r.pick(JUNK)).collect(),
            expect: None,
        },
    }
}

fn check_lit(c: &LitCase) -> Outcome {
    match (npy::parse_literal(&c.text), &c.expect) {
        (Ok(got), Some(want)) if &got != want => Err(format!("parsed as {got:?}, want {want:?}")),
        (Ok(_), Some(_)) => Ok("valid"),
        (Err(e), Some(want)) => Err(format!("refused ({e}), want {want:?}")),
        (Err(e), None) => refused(&e, "refused"),
        (Ok(_), None) => Ok("other accepted"),
    }
}

#[test]
fn fuzz_py_literal() {
    let regressions = vec![
        LitCase {
            text: format!("{}1{}", "[".repeat(64), "]".repeat(64)),
            expect: None,
        },
        LitCase {
            text: format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
            expect: None,
        },
        LitCase {
            text: "'\\ud83d\\ude00'".into(),
            expect: Some(Lit::Str("\u{1F600}".into())),
        },
        LitCase {
            text: "'\\ud83d'".into(),
            expect: None,
        },
        LitCase {
            text: "'\\U00110000'".into(),
            expect: None,
        },
        LitCase {
            text: "'\\x+1'".into(),
            expect: None,
        },
        LitCase {
            text: "-".into(),
            expect: None,
        },
        LitCase {
            text: "'\\".into(),
            expect: None,
        },
    ];
    fuzz(
        "py_literal",
        &regressions,
        gen_lit_case,
        &["valid", "refused", "other accepted"],
        check_lit,
    );
}

// ====================================================================== 2. dtype strings

#[derive(Debug)]
struct DtypeCase {
    s: String,
    /// What `parse_simple(s.trim())` must return.
    expect: Option<(bool, DType)>,
}

const NAMED: &[(&str, DType)] = &[
    ("bool", DType::Bool),
    ("?", DType::Bool),
    ("int8", DType::I8),
    ("b", DType::I8),
    ("int16", DType::I16),
    ("h", DType::I16),
    ("int32", DType::I32),
    ("i", DType::I32),
    ("int64", DType::I64),
    ("int", DType::I64),
    ("q", DType::I64),
    ("uint8", DType::U8),
    ("B", DType::U8),
    ("uint16", DType::U16),
    ("uint32", DType::U32),
    ("I", DType::U32),
    ("uint64", DType::U64),
    ("Q", DType::U64),
    ("float16", DType::F16),
    ("half", DType::F16),
    ("float32", DType::F32),
    ("f", DType::F32),
    ("float64", DType::F64),
    ("double", DType::F64),
    ("float", DType::F64),
    ("complex64", DType::C64),
    ("F", DType::C64),
    ("complex128", DType::C128),
    ("complex", DType::C128),
];

/// A valid dtype spelling, whether it is byte-swapped on this machine, and its dtype.
fn gen_valid_dtype(r: &mut Rng) -> (String, bool, DType) {
    if r.one_in(4) {
        let (s, d) = &NAMED[r.below(NAMED.len() as u64) as usize];
        return (s.to_string(), false, d.clone());
    }
    let order = r.pick(&["", "<", ">", "=", "|"]);
    let sized = |r: &mut Rng| -> (String, usize) {
        match r.below(6) {
            0 => (String::new(), 0),
            1 => {
                let n = r.below(1 << 40) as usize;
                (n.to_string(), n)
            }
            _ => {
                let n = r.upto(300);
                (n.to_string(), n)
            }
        }
    };
    let (code, d): (String, DType) = match r.below(18) {
        0 => ("b1".into(), DType::Bool),
        1 => ("i1".into(), DType::I8),
        2 => ("i2".into(), DType::I16),
        3 => ("i4".into(), DType::I32),
        4 => ("i8".into(), DType::I64),
        5 => ("u1".into(), DType::U8),
        6 => ("u2".into(), DType::U16),
        7 => ("u4".into(), DType::U32),
        8 => ("u8".into(), DType::U64),
        9 => ("f2".into(), DType::F16),
        10 => ("f4".into(), DType::F32),
        11 => ("f8".into(), DType::F64),
        12 => ("c8".into(), DType::C64),
        13 => ("c16".into(), DType::C128),
        14 => {
            let (t, n) = sized(r);
            (format!("{}{t}", r.pick(&["S", "a"])), DType::Bytes(n))
        }
        15 => {
            let (t, n) = sized(r);
            (format!("U{t}"), DType::Unicode(n))
        }
        _ => {
            let (t, n) = sized(r);
            (format!("V{t}"), DType::Void(n))
        }
    };
    let little = cfg!(target_endian = "little");
    let other = (order == ">" && little) || (order == "<" && !little);
    let swapped = swap_rule(other, &d);
    (format!("{order}{code}"), swapped, d)
}

fn gen_dtype_case(r: &mut Rng) -> DtypeCase {
    match r.below(10) {
        0..=4 => {
            let (s, sw, d) = gen_valid_dtype(r);
            let s = if r.one_in(5) {
                format!("{}{s}{}", spaces(r), spaces(r))
            } else {
                s
            };
            DtypeCase {
                s,
                expect: Some((sw, d)),
            }
        }
        5..=7 => {
            let (s, _, _) = gen_valid_dtype(r);
            DtypeCase {
                s: mutate_str(
                    r,
                    &s,
                    &["<", ">", "|", "=", "U", "S", "V", "O", "M", "1", "8", "["],
                ),
                expect: None,
            }
        }
        8 => {
            let order = r.pick(&["", "<", ">", "|", "="]);
            let kind = r.pick(&["U", "S", "V", "a", "i", "f", "c", "u", "b", "O", "M", "m"]);
            let num = r.pick(&[
                "4611686018427387904",
                "4611686018427387903",
                "2305843009213693952",
                "2305843009213693951",
                "9223372036854775807",
                "9223372036854775808",
                "18446744073709551615",
                "18446744073709551616",
                "99999999999999999999999",
                "+8",
                "-8",
                "08",
                "[ns]",
                "8 ",
            ]);
            DtypeCase {
                s: format!("{order}{kind}{num}"),
                expect: None,
            }
        }
        _ => DtypeCase {
            s: (0..r.upto(6)).map(|_| r.pick(JUNK)).collect(),
            expect: None,
        },
    }
}

fn check_dtype(c: &DtypeCase) -> Outcome {
    let s = c.s.as_str();
    let _ = parse_simple(s);
    let parsed = parse_simple(s.trim());
    let via_parse = DType::parse(s);
    if let Some(want) = &c.expect {
        match &parsed {
            Ok(got) if got == want => {}
            other => return Err(format!("parse_simple gave {other:?}, want {want:?}")),
        }
        match &via_parse {
            Ok(d) if *d == want.1 => {}
            other => return Err(format!("DType::parse gave {other:?}, want {:?}", want.1)),
        }
    }
    let d = match via_parse {
        Err(e) => {
            msg_ok(&e)?;
            if !e.to_string().contains(s.trim()) {
                return Err(format!("the error does not quote the input: {e}"));
            }
            return Ok("refused");
        }
        Ok(d) => d,
    };
    let isz = d.itemsize();
    if isz > isize::MAX as usize {
        return Err(format!("item size {isz} does not fit in memory addresses"));
    }
    let _ = d.align();
    let name = d.name();
    match DType::parse(&name) {
        Ok(back) if back == d => {}
        other => return Err(format!("name {name:?} parses back as {other:?}")),
    }
    // the dtype used the way `view("...")` and `astype("...")` use it
    let bytes = Array::from_vec(vec![7u8; 24], vec![2, 12]).map_err(|e| e.to_string())?;
    if let Ok(v) = bytes.view_as(d.clone()) {
        if v.shape()[0] != 2 || v.shape()[1] * isz != 12 {
            return Err(format!("view as {name} has shape {:?}", v.shape()));
        }
    }
    let f = Array::from_vec(vec![1.5f64, -2.0, 0.0], vec![3]).map_err(|e| e.to_string())?;
    if let Ok(v) = evsh::array::ops::astype(&f, &d) {
        if v.dtype() != &d || v.shape() != [3] {
            return Err(format!(
                "astype({name}) gave {:?} {:?}",
                v.dtype(),
                v.shape()
            ));
        }
    }
    Ok(if c.expect.is_some() {
        "valid"
    } else {
        "other accepted"
    })
}

#[test]
fn fuzz_dtype() {
    let case = |s: &str| DtypeCase {
        s: s.into(),
        expect: None,
    };
    let regressions = vec![
        // a multi-byte first character was sliced at byte 1 (not a char boundary)
        case("é"),
        case("<é"),
        case("€8"),
        case(">\u{1F600}"),
        // item sizes whose byte size overflows (4 * n for U) or exceeds isize::MAX
        case("U4611686018427387904"),
        case(">U4611686018427387904"),
        case("<U2305843009213693952"),
        case("S9223372036854775808"),
        case("|V18446744073709551615"),
        DtypeCase {
            s: "S0".into(),
            expect: Some((false, DType::Bytes(0))),
        },
        DtypeCase {
            s: "U5".into(),
            expect: Some((false, DType::Unicode(5))),
        },
    ];
    fuzz(
        "dtype",
        &regressions,
        gen_dtype_case,
        &["valid", "refused", "other accepted"],
        check_dtype,
    );
}

// ====================================================================== 3. index strings

#[derive(Debug)]
struct IndexCase {
    shape: Vec<usize>,
    spec: String,
    /// The items a generated valid spelling must parse to.
    expect: Option<Vec<Item>>,
}

fn gen_bound(r: &mut Rng, n: usize) -> Option<i64> {
    if r.one_in(3) {
        None
    } else if r.one_in(4) {
        Some(interesting_i64(r))
    } else {
        let m = 2 * n as i64 + 2;
        Some(r.range(-m, m))
    }
}

fn spell_item(r: &mut Rng, it: &Item) -> String {
    let b = |r: &mut Rng, v: Option<i64>| v.map(|v| spell_int(r, v)).unwrap_or_default();
    match *it {
        Item::Int(i) => spell_int(r, i),
        Item::Ellipsis => "...".into(),
        Item::NewAxis => r.pick(&["None", "newaxis", "np.newaxis"]).to_string(),
        Item::Slice(s, e, step) => {
            let (s, e) = (b(r, s), b(r, e));
            if step == 1 && r.one_in(2) {
                if r.one_in(3) {
                    format!("{s}:{e}:")
                } else {
                    format!("{s}:{e}")
                }
            } else {
                format!("{s}:{e}:{}", spell_int(r, step))
            }
        }
    }
}

/// Items for an array of axis lengths `lens` (possibly more axes than the array has).
fn gen_items(r: &mut Rng, lens: &[usize]) -> Vec<Item> {
    let nd = lens.len();
    let c = r.upto(nd);
    let ell = r.one_in(3);
    let p = r.upto(c);
    let axes: Vec<usize> = if ell {
        (0..p).chain(nd - (c - p)..nd).collect()
    } else {
        (0..c).collect()
    };
    let mut items = vec![];
    for (k, &ax) in axes.iter().enumerate() {
        if ell && k == p {
            items.push(Item::Ellipsis);
        }
        let n = lens[ax];
        let it = if r.one_in(2) {
            let i = if n > 0 && r.below(10) < 7 {
                r.range(-(n as i64), n as i64 - 1)
            } else {
                interesting_i64(r)
            };
            Item::Int(i)
        } else {
            let step = if r.one_in(2) {
                1
            } else if r.one_in(5) {
                match interesting_i64(r) {
                    0 => -1,
                    s => s,
                }
            } else {
                r.pick(&[-4, -3, -2, -1, 1, 2, 3, 4])
            };
            Item::Slice(gen_bound(r, n), gen_bound(r, n), step)
        };
        items.push(it);
    }
    if ell && p == axes.len() {
        items.push(Item::Ellipsis);
    }
    for _ in 0..r.below(3) {
        let at = r.upto(items.len());
        items.insert(at, Item::NewAxis);
    }
    if items.is_empty() {
        items.push(if r.one_in(2) {
            Item::Ellipsis
        } else {
            Item::Slice(None, None, 1)
        });
    }
    items
}

fn spell_items(r: &mut Rng, items: &[Item]) -> String {
    let parts: Vec<String> = items.iter().map(|it| spell_item(r, it)).collect();
    let mut s = String::new();
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        s.push_str(spaces(r));
        s.push_str(p);
        s.push_str(spaces(r));
    }
    if r.one_in(8) {
        s.push(',');
    }
    s
}

const INDEX_ALPHABET: &[&str] = &[
    ":", ",", "...", ".", "-", "0", "1", "5", "9", "k", "M", "G", "_", " ", "None", "newaxis",
    "np.", "N",
];

fn gen_index(r: &mut Rng) -> IndexCase {
    let nd = r.upto(4);
    let shape: Vec<usize> = (0..nd)
        .map(|_| {
            if r.one_in(8) {
                0
            } else {
                1 + r.below(4) as usize
            }
        })
        .collect();
    let mode = r.below(10);
    if mode < 6 {
        // valid spelling (sometimes with more axes than the array has)
        let mut lens = shape.clone();
        if r.one_in(10) {
            lens.push(1 + r.below(3) as usize);
        }
        let items = gen_items(r, &lens);
        IndexCase {
            spec: spell_items(r, &items),
            shape,
            expect: Some(items),
        }
    } else if mode < 9 {
        let items = gen_items(r, &shape);
        let s = spell_items(r, &items);
        IndexCase {
            spec: mutate_str(r, &s, INDEX_ALPHABET),
            shape,
            expect: None,
        }
    } else {
        let spec: String = (0..r.upto(8))
            .map(|_| {
                if r.one_in(4) {
                    r.pick(JUNK).to_string()
                } else if r.one_in(5) {
                    r.pick(&[
                        "9223372036854775807",
                        "-9223372036854775808",
                        "9223372036854775808",
                        "99999999999999999999",
                        "9223372036854775807k",
                        "0x1",
                        "1.5",
                        "1e3",
                    ])
                    .to_string()
                } else {
                    r.pick(INDEX_ALPHABET).to_string()
                }
            })
            .collect();
        IndexCase {
            spec,
            shape,
            expect: None,
        }
    }
}

/// One axis of the model's result: its length and, unless it is a new axis, the source
/// axis with the first index and step (Python slice semantics, computed in i128).
type ModelAxis = (usize, Option<(usize, i128, i128)>);

/// The result axes and the fixed (integer-indexed) source axes with their index.
type IndexModel = (Vec<ModelAxis>, Vec<(usize, i128)>);

/// `PySlice_AdjustIndices`: (first index, length) of `start:stop:step` over `n`.
fn py_slice(n: i128, start: Option<i64>, stop: Option<i64>, step: i64) -> (i128, i128) {
    let step = step as i128;
    let adjust = |v: Option<i64>, default: i128| -> i128 {
        let Some(v) = v else { return default };
        let mut v = v as i128;
        if v < 0 {
            v += n;
            if v < 0 {
                v = if step < 0 { -1 } else { 0 };
            }
        } else if v >= n {
            v = if step < 0 { n - 1 } else { n };
        }
        v
    };
    let (s, e) = if step < 0 {
        (adjust(start, n - 1), adjust(stop, -1))
    } else {
        (adjust(start, 0), adjust(stop, n))
    };
    let len = if step < 0 {
        if e < s {
            (s - e - 1) / (-step) + 1
        } else {
            0
        }
    } else if s < e {
        (e - s - 1) / step + 1
    } else {
        0
    };
    (s, len)
}

/// NumPy's basic indexing, independently: the result axes and the fixed (integer) source
/// indices, or `None` when NumPy raises.
fn index_model(shape: &[usize], items: &[Item]) -> Option<IndexModel> {
    let nd = shape.len();
    let used = items
        .iter()
        .filter(|i| matches!(i, Item::Int(_) | Item::Slice(..)))
        .count();
    if used > nd || items.iter().filter(|i| **i == Item::Ellipsis).count() > 1 {
        return None;
    }
    let full = |ax: usize| -> ModelAxis { (shape[ax], Some((ax, 0, 1))) };
    let (mut out, mut fixed, mut ax) = (vec![], vec![], 0usize);
    for it in items {
        match *it {
            Item::Int(i) => {
                let n = shape[ax] as i128;
                let j = if i < 0 { i as i128 + n } else { i as i128 };
                if j < 0 || j >= n {
                    return None;
                }
                fixed.push((ax, j));
                ax += 1;
            }
            Item::Slice(s, e, step) => {
                let (first, len) = py_slice(shape[ax] as i128, s, e, step);
                out.push((len as usize, Some((ax, first, step as i128))));
                ax += 1;
            }
            Item::Ellipsis => {
                for _ in 0..nd - used {
                    out.push(full(ax));
                    ax += 1;
                }
            }
            Item::NewAxis => out.push((1, None)),
        }
    }
    while ax < nd {
        out.push(full(ax));
        ax += 1;
    }
    Some((out, fixed))
}

/// The C-order flat source positions the model selects, in result order.
fn model_positions(shape: &[usize], axes: &[ModelAxis], fixed: &[(usize, i128)]) -> Vec<usize> {
    let lens: Vec<usize> = axes.iter().map(|a| a.0).collect();
    let total: usize = lens.iter().product();
    let mut cstride = vec![1i128; shape.len()];
    for ax in (0..shape.len().saturating_sub(1)).rev() {
        cstride[ax] = cstride[ax + 1] * shape[ax + 1] as i128;
    }
    let base: i128 = fixed.iter().map(|&(ax, j)| j * cstride[ax]).sum();
    let mut out = Vec::with_capacity(total);
    let mut idx = vec![0usize; lens.len()];
    for _ in 0..total {
        let mut p = base;
        for (k, a) in axes.iter().enumerate() {
            if let Some((ax, first, step)) = a.1 {
                p += (first + idx[k] as i128 * step) * cstride[ax];
            }
        }
        out.push(p as usize);
        for k in (0..lens.len()).rev() {
            idx[k] += 1;
            if idx[k] < lens[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

fn values_i64(a: &Array) -> Vec<i64> {
    let mut v = vec![];
    a.for_each_offset(|o| v.push(i64::from_ne_bytes(a.element_bytes(o).try_into().unwrap())));
    v
}

fn check_index(c: &IndexCase) -> Outcome {
    let _ = index::looks_like_index(&c.spec);
    let items = match index::parse(&c.spec) {
        Err(e) => {
            if c.expect.is_some() {
                return Err(format!("a valid index was refused: {e}"));
            }
            msg_ok(&e)?;
            if !e.to_string().contains(c.spec.as_str()) {
                return Err(format!("the error does not quote the index: {e}"));
            }
            return Ok("refused");
        }
        Ok(items) => items,
    };
    if let Some(want) = &c.expect {
        if &items != want {
            return Err(format!("parsed as {items:?}, want {want:?}"));
        }
    }
    let size: usize = c.shape.iter().product();
    let arr = Array::from_vec((0..size as i64).collect(), c.shape.clone()).unwrap();
    let model = index_model(&c.shape, &items);
    let got = index::apply(&arr, &items);
    let positions = match (&got, &model) {
        (Ok(a), Some((axes, fixed))) => {
            let want_shape: Vec<usize> = axes.iter().map(|a| a.0).collect();
            if a.shape() != want_shape.as_slice() {
                return Err(format!(
                    "items {items:?}: shape {:?}, NumPy gives {want_shape:?}",
                    a.shape()
                ));
            }
            let pos = model_positions(&c.shape, axes, fixed);
            let want: Vec<i64> = pos.iter().map(|&p| p as i64).collect();
            let vals = values_i64(a);
            if vals != want {
                return Err(format!(
                    "items {items:?}: values {vals:?}, NumPy gives {want:?}"
                ));
            }
            Some(pos)
        }
        (Err(e), None) => {
            msg_ok(e)?;
            None
        }
        (Ok(a), None) => {
            return Err(format!(
                "items {items:?} accepted (shape {:?}), NumPy raises",
                a.shape()
            ))
        }
        (Err(e), Some(_)) => return Err(format!("items {items:?} refused ({e}), NumPy accepts")),
    };
    // `x[index] = -7` writes exactly the selected elements
    if size <= 64 {
        let mut x = arr.clone();
        let r = index::assign(&mut x, Target::Basic(&items), &Operand::Int(-7));
        match (r, positions) {
            (Ok(()), Some(pos)) => {
                let mut want: Vec<i64> = (0..size as i64).collect();
                for p in pos {
                    want[p] = -7;
                }
                let got = values_i64(&x);
                if got != want {
                    return Err(format!("x[{:?}] = -7 gave {got:?}, want {want:?}", c.spec));
                }
                if values_i64(&arr) != (0..size as i64).collect::<Vec<_>>() {
                    return Err("assignment wrote into a shared buffer".into());
                }
            }
            (Err(e), None) => msg_ok(&e)?,
            (Ok(()), None) => return Err("assignment accepted an index NumPy refuses".into()),
            (Err(e), Some(_)) => return Err(format!("assignment refused ({e})")),
        }
    }
    Ok(match (c.expect.is_some(), model.is_some()) {
        (true, true) => "valid: applied as NumPy does",
        (true, false) => "valid: NumPy raises, refused",
        (false, true) => "other accepted: applied",
        (false, false) => "other accepted: refused",
    })
}

#[test]
fn fuzz_index() {
    let case = |shape: &[usize], spec: &str| IndexCase {
        shape: shape.to_vec(),
        spec: spec.into(),
        expect: None,
    };
    let regressions = vec![
        // steps whose magnitude overflowed the length or stride arithmetic
        case(&[3], "::-9223372036854775808"),
        case(&[3], "::9223372036854775807"),
        case(&[0], "::9223372036854775807"),
        case(&[4, 2], ":, ::4611686018427387904"),
        case(&[2], "::-4611686018427387904"),
        case(&[3], "1::-9223372036854775807"),
        case(
            &[3],
            "-9223372036854775808:9223372036854775807:9223372036854775807",
        ),
        case(&[3], "-9223372036854775808"),
        case(&[], "..., None, ..."),
        case(&[2], ","),
        case(&[2], "0,"),
    ];
    fuzz(
        "index",
        &regressions,
        gen_index,
        &[
            "valid: applied as NumPy does",
            "valid: NumPy raises, refused",
            "other accepted: applied",
            "other accepted: refused",
            "refused",
        ],
        check_index,
    );
}

// ====================================================================== 4. row slices

#[derive(Debug)]
struct RowCase {
    spec: String,
    n: usize,
    /// The range a generated valid spelling must give (`Err(())`: must be refused).
    expect: Option<Result<(usize, usize), ()>>,
    /// Also load with this slice: `load("rows.npy", spec)` (n = [`NPY_ROWS`]) or open the
    /// generated event with `#{slice: spec}` (n = [`EVENT_ROWS`]).
    via: Via,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Via {
    Parse,
    NpyLoad,
    EventOpen,
}

/// Rows of the `.npy` file the row-slice test loads (values 0, 1, 2, ...).
const NPY_ROWS: usize = 1234;
/// Photons of the generated event.
const EVENT_ROWS: usize = 300;

fn gen_row_n(r: &mut Rng) -> usize {
    match r.below(8) {
        0 => r.pick(&[
            0usize,
            1,
            2,
            999,
            1000,
            1001,
            1_000_000,
            u32::MAX as usize,
            i64::MAX as usize,
            usize::MAX,
        ]),
        1 => r.next() as u32 as usize,
        _ => r.upto(50),
    }
}

fn gen_row_bound(r: &mut Rng, n: usize) -> i64 {
    if r.one_in(4) {
        interesting_i64(r)
    } else {
        let m = (n as i128).min(1 << 40) as i64 + 3;
        r.range(-m, m)
    }
}

/// Python slice semantics clipped to `0..n`, or one row.
fn row_model(
    n: usize,
    single: Option<i64>,
    a: Option<i64>,
    b: Option<i64>,
) -> Result<(usize, usize), ()> {
    let n = n as i128;
    if let Some(i) = single {
        let j = if i < 0 { i as i128 + n } else { i as i128 };
        if j < 0 || j >= n {
            return Err(());
        }
        return Ok((j as usize, j as usize + 1));
    }
    let norm = |v: i64| {
        let v = v as i128;
        (if v < 0 { v + n } else { v }).clamp(0, n)
    };
    let s = a.map_or(0, norm);
    let e = b.map_or(n, norm);
    Ok((s as usize, e.max(s) as usize))
}

fn gen_row_case(r: &mut Rng) -> RowCase {
    let mut c = gen_row_spec(r);
    if r.one_in(50) {
        c.via = Via::NpyLoad;
    } else if r.one_in(400) {
        c.via = Via::EventOpen;
    }
    c
}

fn gen_row_spec(r: &mut Rng) -> RowCase {
    let n = match r.below(100) {
        0 | 1 => NPY_ROWS,
        2 | 3 => EVENT_ROWS,
        _ => gen_row_n(r),
    };
    let mode = r.below(10);
    if mode < 6 {
        let ws = |r: &mut Rng| r.pick(&["", "", " ", "\t", "\u{a0}"]);
        if r.one_in(3) {
            let i = gen_row_bound(r, n);
            let spec = format!("{}{}{}", ws(r), spell_int(r, i), ws(r));
            return RowCase {
                spec,
                n,
                expect: Some(row_model(n, Some(i), None, None)),
                via: Via::Parse,
            };
        }
        let a = (!r.one_in(3)).then(|| gen_row_bound(r, n));
        let b = (!r.one_in(3)).then(|| gen_row_bound(r, n));
        let sa = a.map(|v| spell_int(r, v)).unwrap_or_default();
        let sb = b.map(|v| spell_int(r, v)).unwrap_or_default();
        let spec = format!("{}{sa}{}:{}{sb}{}", ws(r), ws(r), ws(r), ws(r));
        RowCase {
            spec,
            n,
            expect: Some(row_model(n, None, a, b)),
            via: Via::Parse,
        }
    } else if mode < 9 {
        let a = gen_row_bound(r, n);
        let b = gen_row_bound(r, n);
        let s = format!("{}:{}", spell_int(r, a), spell_int(r, b));
        RowCase {
            spec: mutate_str(r, &s, &[":", "-", "k", "M", "G", "0", "7", "_", " ", "+"]),
            n,
            expect: None,
            via: Via::Parse,
        }
    } else {
        RowCase {
            spec: (0..r.upto(8)).map(|_| r.pick(JUNK)).collect(),
            n,
            expect: None,
            via: Via::Parse,
        }
    }
}

fn check_row(c: &RowCase, npy_path: &std::path::Path, fx: &EventFixture) -> Outcome {
    let got = parse_row_slice(&c.spec, c.n);
    let path = match (&got, &c.expect) {
        (Ok(g), Some(Ok(w))) if (g.start, g.end) != *w => {
            return Err(format!("gave {g:?}, want {w:?}"))
        }
        (Ok(g), Some(Err(()))) => return Err(format!("gave {g:?}, want an error")),
        (Err(e), Some(Ok(w))) => return Err(format!("refused ({e}), want {w:?}")),
        (Err(e), Some(Err(()))) => refused(e, "valid: out of range, refused")?,
        (Err(e), None) => refused(e, "refused")?,
        (Ok(_), Some(_)) => "valid",
        (Ok(_), None) => "other accepted",
    };
    if let Ok(g) = &got {
        if g.start > g.end || g.end > c.n {
            return Err(format!("range {g:?} is not inside 0..{}", c.n));
        }
    }
    match c.via {
        Via::Parse => Ok(path),
        Via::NpyLoad => {
            let want = parse_row_slice(&c.spec, NPY_ROWS);
            match (npy::load(npy_path, Some(&c.spec)), want) {
                (Ok(a), Ok(w)) => {
                    let first = a
                        .as_slice::<i32>()
                        .map_err(|e| e.to_string())?
                        .first()
                        .copied();
                    if a.shape() != [w.len()] || (!w.is_empty() && first != Some(w.start as i32)) {
                        return Err(format!(
                            "load(slice) gave shape {:?} starting at {first:?}, want rows {w:?}",
                            a.shape()
                        ));
                    }
                    Ok("load: sliced")
                }
                (Err(e), Err(_)) => refused(&e, "load: refused"),
                (Ok(a), Err(e)) => Err(format!(
                    "load accepted it ({:?}) but the slice is refused: {e}",
                    a.shape()
                )),
                (Err(e), Ok(w)) => Err(format!("load refused it ({e}), want rows {w:?}")),
            }
        }
        Via::EventOpen => {
            let want = parse_row_slice(&c.spec, EVENT_ROWS);
            let opts = evsh::event::OpenOptions {
                slice: Some(c.spec.clone()),
                flags: Some("legacy".into()),
            };
            match (evsh::event::Event::open(&fx.path, &opts), want) {
                (Ok(e), Ok(w)) => {
                    if e.loaded() != w.len() || e.folder().slice_start != w.start {
                        return Err(format!(
                            "event slice gave {} rows from {}, want rows {w:?}",
                            e.loaded(),
                            e.folder().slice_start
                        ));
                    }
                    Ok("event: sliced")
                }
                (Err(e), Err(_)) => refused(&e, "event: refused"),
                (Ok(e), Err(err)) => Err(format!(
                    "event accepted it ({} rows) but the slice is refused: {err}",
                    e.loaded()
                )),
                (Err(e), Ok(w)) => Err(format!("event refused it ({e}), want rows {w:?}")),
            }
        }
    }
}

#[derive(Debug)]
struct CountCase {
    spec: String,
    /// `Some(v)`: must parse to v; `None` from a generated overflow: must be refused.
    expect: Option<Option<i64>>,
}

fn gen_count_case(r: &mut Rng) -> CountCase {
    match r.below(6) {
        0 | 1 => {
            let v = if r.one_in(2) {
                interesting_i64(r)
            } else {
                r.range(-1 << 40, 1 << 40)
            };
            CountCase {
                spec: spell_int(r, v),
                expect: Some(Some(v)),
            }
        }
        2 => {
            // mantissa and suffix chosen freely: overflow must be an error
            let m = if r.one_in(2) {
                interesting_i64(r)
            } else {
                r.range(-1 << 40, 1 << 40)
            };
            let (suf, mult) = r.pick(&[("k", 1000i64), ("M", 1_000_000), ("G", 1_000_000_000)]);
            CountCase {
                spec: format!("{m}{suf}"),
                expect: Some(m.checked_mul(mult)),
            }
        }
        3 => {
            // format_count's output reads back
            let n = match r.below(3) {
                0 => r.below(1 << 20) * 1000,
                1 => r.below(1 << 20) * 1_000_000,
                _ => r.below(i64::MAX as u64),
            };
            CountCase {
                spec: format_count(n as usize),
                expect: Some(Some(n as i64)),
            }
        }
        4 => {
            let v = interesting_i64(r);
            let s = spell_int(r, v);
            CountCase {
                spec: mutate_str(r, &s, &["k", "M", "G", "0", "9", "-", "+", "_", " "]),
                expect: None,
            }
        }
        _ => CountCase {
            spec: (0..r.upto(5)).map(|_| r.pick(JUNK)).collect(),
            expect: None,
        },
    }
}

fn check_count(c: &CountCase) -> Outcome {
    match (parse_count(&c.spec), &c.expect) {
        (Ok(v), Some(Some(w))) if v != *w => Err(format!("gave {v}, want {w}")),
        (Ok(_), Some(Some(_))) => Ok("valid"),
        (Ok(v), Some(None)) => Err(format!("gave {v}, want an overflow error")),
        (Err(e), Some(Some(w))) => Err(format!("refused ({e}), want {w}")),
        (Err(e), Some(None)) => refused(&e, "overflow refused"),
        (Err(e), None) => refused(&e, "refused"),
        (Ok(_), None) => Ok("other accepted"),
    }
}

#[test]
fn fuzz_row_slice() {
    let fx = event_fixture();
    let dir = tempfile::tempdir().unwrap();
    let npy_path = dir.path().join("rows.npy");
    let rows = Array::from_vec((0..NPY_ROWS as i32).collect(), vec![NPY_ROWS]).unwrap();
    npy::save(&rows, &npy_path).unwrap();
    let case =
        |spec: &str, n: usize, expect: Option<Result<(usize, usize), ()>>, via: Via| RowCase {
            spec: spec.into(),
            n,
            expect,
            via,
        };
    let regressions = vec![
        // lengths above i64::MAX wrapped to a negative length: `clamp(0, -1)` panicked
        case("0:", usize::MAX, Some(Ok((0, usize::MAX))), Via::Parse),
        case(
            "-1",
            usize::MAX,
            Some(Ok((usize::MAX - 1, usize::MAX))),
            Via::Parse,
        ),
        case(
            "5:-5",
            usize::MAX,
            Some(Ok((5, usize::MAX - 5))),
            Via::Parse,
        ),
        case("-9223372036854775808:", 5, Some(Ok((0, 5))), Via::Parse),
        case("-9223372036854775808", 5, Some(Err(())), Via::Parse),
        case("é:", 5, None, Via::Parse),
        case("-9223372036854775808:", NPY_ROWS, None, Via::NpyLoad),
        case("9223372036854775807G", NPY_ROWS, None, Via::NpyLoad),
        case("-1", EVENT_ROWS, None, Via::EventOpen),
        case("-9223372036854775808:-1", EVENT_ROWS, None, Via::EventOpen),
    ];
    fuzz(
        "row_slice",
        &regressions,
        gen_row_case,
        &[
            "valid",
            "valid: out of range, refused",
            "refused",
            "other accepted",
            "load: sliced",
            "load: refused",
            "event: sliced",
            "event: refused",
        ],
        |c: &RowCase| check_row(c, &npy_path, &fx),
    );
    let regressions = vec![CountCase {
        spec: "9223372036854775807k".into(),
        expect: Some(None),
    }];
    fuzz(
        "row_count",
        &regressions,
        gen_count_case,
        &["valid", "overflow refused", "refused", "other accepted"],
        check_count,
    );
}

// ====================================================================== 5. selection specs

#[derive(Debug)]
enum Table {
    Legacy,
    V2025,
    /// `FlagTable::from_list` of these names (skipped when the list is refused).
    List(String),
}

#[derive(Debug)]
struct SelCase {
    table: Table,
    slots: usize,
    specs: Vec<String>,
    /// What each spec must parse to (`None`: anything but a panic).
    expect: Vec<Option<Spec>>,
    /// Also select with the specs on the generated 300-photon legacy event.
    on_event: bool,
}

const LEGACY_ABBREV: &[&str] = &[
    "CK", "SI", "MI", "AB", "RE", "SC", "SD", "SA", "DR", "SR", "BR", "BT", "TO", "NA", "EX",
];
const V2025_ABBREV: &[&str] = &[
    "CK", "SI", "TO", "AB", "RE", "SC", "SD", "SA", "DR", "SR", "BR", "BT", "NA", "EC", "EX",
];
/// Histories the generated event actually has, so that selections match rows.
const COMMON: &[&str] = &[
    "TO BT BT SA",
    "TO AB",
    "TO SA",
    "TO BT SA",
    "TO BT AB",
    "TO SC BT SA",
    "TO BR SA",
    "TO BT BR BT SA",
    "TO RE AB",
    "TO BT BT AB",
    "TO SC SA",
];

fn gen_spec_valid(r: &mut Rng, abbrev: &[&str], slots: usize) -> (String, Spec) {
    let nib = |a: &str| abbrev.iter().position(|x| *x == a).unwrap() as u128 + 1;
    let sep = |r: &mut Rng| r.pick(&[" ", " ", "  ", "\t", " \n "]);
    match r.below(8) {
        0..=3 => {
            let toks: Vec<String> = if abbrev == LEGACY_ABBREV && r.one_in(2) {
                r.pick(COMMON).split(' ').map(String::from).collect()
            } else {
                let k = 1 + r.upto(slots - 1);
                (0..k).map(|_| r.pick(abbrev).to_string()).collect()
            };
            let toks = &toks[..toks.len().min(slots)];
            let code = toks
                .iter()
                .enumerate()
                .fold(0u128, |c, (i, t)| c | nib(t) << (4 * i));
            let mut s = String::new();
            for (i, t) in toks.iter().enumerate() {
                if i > 0 {
                    s.push_str(sep(r));
                }
                s.push_str(t);
            }
            if r.one_in(2) {
                let k = toks.len();
                s.push_str(sep(r));
                s.push_str(r.pick(&["..", "..."]));
                let mask = if k >= 32 {
                    u128::MAX
                } else {
                    (1u128 << (4 * k)) - 1
                };
                return (s, Spec::Prefix { code, mask });
            }
            (format!("{}{s}{}", spaces(r), spaces(r)), Spec::Exact(code))
        }
        4 => {
            let a = r.pick(abbrev);
            (format!("*{a}*"), Spec::Anywhere(nib(a) as u8))
        }
        5 | 6 => {
            let digits = 1 + r.below(32) as u32;
            let v = ((r.next() as u128) << 64 | r.next() as u128) >> (128 - 4 * digits);
            let mut h = format!("{v:x}");
            if r.one_in(2) {
                h = h.to_uppercase();
            }
            if r.one_in(4) {
                h = format!("{:0>w$}", h, w = digits as usize);
            }
            if r.one_in(2) {
                h = format!("{}{h}", r.pick(&["0x", "0X"]));
            }
            // a token that is also a flag name is the flag
            match abbrev.iter().position(|x| *x == h) {
                Some(p) => (h, Spec::Exact(p as u128 + 1)),
                None => (h, Spec::Exact(v)),
            }
        }
        _ => {
            let m = 1_000_000;
            let (a, b) = (r.range(-m, m), r.range(-m, m));
            let s = format!(
                "{}:{}",
                if r.one_in(3) {
                    String::new()
                } else {
                    spell_int(r, a)
                },
                if r.one_in(3) {
                    String::new()
                } else {
                    spell_int(r, b)
                }
            );
            let s = s.replace('+', "");
            (s.clone(), Spec::Slice(s.trim().to_string()))
        }
    }
}

fn gen_sel(r: &mut Rng) -> SelCase {
    let on_event = r.one_in(4);
    let (table, abbrev): (Table, &[&str]) = if on_event || r.one_in(2) {
        (Table::Legacy, LEGACY_ABBREV)
    } else if r.one_in(2) {
        (Table::V2025, V2025_ABBREV)
    } else {
        let names: Vec<&str> = (0..r.upto(17))
            .map(|_| {
                r.pick(&[
                    "AB", "X", "..", "...", "*", "*RE*", "-", "0x1", "1:2", "é", "TO", "TO", "a b",
                    "ff", "", "F", "名", "SA",
                ])
            })
            .collect();
        (Table::List(names.join(r.pick(&[" ", ",", ", "]))), &[][..])
    };
    let slots = if on_event {
        16
    } else {
        r.pick(&[16, 32, 1, 2, 31])
    };
    let mut specs = vec![];
    let mut expect = vec![];
    let count = 1 + if r.one_in(4) { r.below(3) } else { 0 };
    for _ in 0..count {
        let kind = r.below(10);
        if kind < 6 && !abbrev.is_empty() {
            let (s, sp) = gen_spec_valid(r, abbrev, slots);
            specs.push(s);
            expect.push(Some(sp));
        } else if kind < 9 {
            let base = if abbrev.is_empty() {
                r.pick(COMMON).to_string()
            } else {
                gen_spec_valid(r, abbrev, slots).0
            };
            let alphabet = [
                "TO", "BT", "SA", "..", "*", " ", ":", "0x", "f", "-", "1", "k",
            ];
            specs.push(mutate_str(r, &base, &alphabet));
            expect.push(None);
        } else {
            // more points than the code has slots
            let k = slots + 1 + r.upto(3);
            let s: Vec<&str> = (0..k).map(|_| r.pick(LEGACY_ABBREV)).collect();
            specs.push(s.join(" "));
            expect.push(None);
        }
    }
    SelCase {
        table,
        slots,
        specs,
        expect,
        on_event,
    }
}

/// A generated legacy event of 300 photons and its history codes.
struct EventFixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    event: evsh::event::Event,
    codes: Vec<u128>,
}

fn event_fixture() -> EventFixture {
    use evsh::event::gen::{self, GenOptions};
    use evsh::event::history::CodeSource;
    use evsh::event::{Event, OpenOptions};
    let dir = tempfile::tempdir().unwrap();
    let opts = GenOptions {
        n: EVENT_ROWS,
        seed: 13,
    };
    let g = gen::generate(dir.path(), &opts).unwrap();
    let opts = OpenOptions {
        flags: Some("legacy".into()),
        ..Default::default()
    };
    let event = Event::open(&g.a, &opts).unwrap();
    let src = event.seqhis().unwrap();
    let codes = (0..src.len()).map(|i| src.get(i)).collect();
    EventFixture {
        _dir: dir,
        path: g.a,
        event,
        codes,
    }
}

fn spec_model_matches(sp: &Spec, c: u128) -> bool {
    match *sp {
        Spec::Exact(x) => c == x,
        Spec::Prefix { code, mask } => c & mask == code,
        Spec::Anywhere(v) => (0..32).any(|k| (c >> (4 * k)) & 0xf == v as u128),
        Spec::Slice(_) => false,
    }
}

fn check_sel(c: &SelCase, fx: &EventFixture) -> Outcome {
    let table = match &c.table {
        Table::Legacy => FlagTable::legacy(),
        Table::V2025 => FlagTable::v2025(),
        Table::List(names) => match FlagTable::from_list(names) {
            Ok(t) => t,
            Err(e) => return refused(&e, "flag table refused"),
        },
    };
    let mut parsed = vec![];
    for (s, want) in c.specs.iter().zip(&c.expect) {
        let got = parse_spec(s, &table, c.slots);
        match (&got, want) {
            (Ok(g), Some(w)) if g != w => return Err(format!("{s:?} parsed as {g:?}, want {w:?}")),
            (Err(e), Some(w)) => return Err(format!("{s:?} refused ({e}), want {w:?}")),
            (Err(e), None) => msg_ok(e)?,
            _ => {}
        }
        if let Ok(Spec::Slice(sl)) = &got {
            for n in [0, 1, 300, usize::MAX] {
                let _ = parse_row_slice(sl, n);
            }
        }
        if let Ok(sp) = &got {
            for &code in &fx.codes[..8] {
                let _ = sp.matches(code);
            }
        }
        parsed.push(got);
    }
    if !c.on_event {
        return Ok(
            match (
                c.expect.iter().all(Option::is_some),
                parsed.iter().all(Result::is_ok),
            ) {
                (true, _) => "valid",
                (false, true) => "other accepted",
                (false, false) => "refused",
            },
        );
    }
    // the selection on the event is the union of what each spec selects
    let n = fx.codes.len();
    let mut model = vec![false; n];
    let mut ok = true;
    for p in &parsed {
        match p {
            Err(_) => ok = false,
            Ok(Spec::Slice(sl)) => match parse_row_slice(sl, n) {
                Ok(r) => r.for_each(|i| model[i] = true),
                Err(_) => ok = false,
            },
            Ok(sp) => {
                for (i, &code) in fx.codes.iter().enumerate() {
                    model[i] |= spec_model_matches(sp, code);
                }
            }
        }
    }
    match (fx.event.select(&c.specs), ok) {
        (Ok(e), true) => {
            let got: Vec<u32> = e.rows().indices();
            let want: Vec<u32> = (0..n as u32).filter(|&i| model[i as usize]).collect();
            if got != want {
                return Err(format!("selected rows {got:?}, want {want:?}"));
            }
            Ok(if want.is_empty() {
                "event: selected none"
            } else {
                "event: selected rows"
            })
        }
        (Err(e), false) => refused(&e, "event: refused"),
        (Ok(e), false) => Err(format!(
            "selection accepted ({} rows), a spec is invalid",
            e.count()
        )),
        (Err(e), true) => Err(format!("selection refused: {e}")),
    }
}

#[test]
fn fuzz_selection_spec() {
    let fx = event_fixture();
    let case = |specs: &[&str], slots: usize| SelCase {
        table: Table::Legacy,
        slots,
        specs: specs.iter().map(|s| s.to_string()).collect(),
        expect: vec![None; specs.len()],
        on_event: slots == 16,
    };
    let regressions = vec![
        case(&["*"], 16),
        case(&["**"], 16),
        case(&["*é*"], 16),
        case(&["é"], 16),
        case(&[".."], 16),
        case(&["0:"], 16),
        case(&[":-0"], 16),
        case(&["-9223372036854775808:"], 16),
        case(&["0x"], 16),
        case(&["0x100000000000000000000000000000000"], 16),
        case(&["TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO"], 16),
        case(&["TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO TO .."], 32),
        case(&["TO BT ..", "0:10", "*RE*"], 16),
    ];
    fuzz(
        "selection_spec",
        &regressions,
        gen_sel,
        &[
            "valid",
            "other accepted",
            "refused",
            "flag table refused",
            "event: selected rows",
            "event: selected none",
            "event: refused",
        ],
        |c: &SelCase| check_sel(c, &fx),
    );
}

// ====================================================================== 6. LZF

#[derive(Debug)]
enum LzfExpect {
    /// A hand-built valid stream: must decode to exactly this.
    Output(Bytes),
    /// A valid stream into a buffer too small for it: must be refused.
    TooSmall,
    /// Anything but a panic, a hang or a write past the returned length.
    Any,
}

#[derive(Debug)]
struct LzfCase {
    input: Bytes,
    out_len: usize,
    expect: LzfExpect,
}

/// A valid LZF stream of literal runs and back-references, and what it decodes to.
fn lzf_stream(r: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let (mut s, mut out) = (vec![], vec![]);
    let ops = if r.one_in(50) {
        r.upto(400)
    } else {
        r.upto(16)
    };
    let small_alphabet = r.one_in(2);
    for _ in 0..ops {
        if out.is_empty() || r.one_in(2) {
            let n = 1 + r.below(32) as usize;
            s.push((n - 1) as u8);
            for _ in 0..n {
                let b = if small_alphabet {
                    b'a' + r.below(3) as u8
                } else {
                    r.next() as u8
                };
                s.push(b);
                out.push(b);
            }
        } else {
            let dist = 1 + r.below(out.len().min(8192) as u64) as usize;
            let max = if r.one_in(4) { 262 } else { 10 };
            let len = 3 + r.below(max) as usize;
            let (back, l) = (dist - 1, len - 2);
            if l < 7 {
                s.push(((l << 5) | (back >> 8)) as u8);
            } else {
                s.push(((7 << 5) | (back >> 8)) as u8);
                s.push((l - 7) as u8);
            }
            s.push((back & 0xff) as u8);
            for _ in 0..len {
                out.push(out[out.len() - dist]);
            }
        }
    }
    (s, out)
}

fn gen_lzf(r: &mut Rng) -> LzfCase {
    match r.below(10) {
        0..=3 => {
            let (s, out) = lzf_stream(r);
            let (out_len, expect) = match r.below(4) {
                0 if !out.is_empty() => (r.below(out.len() as u64) as usize, LzfExpect::TooSmall),
                1 => (out.len() + 1 + r.upto(100), LzfExpect::Output(Bytes(out))),
                2 if r.one_in(50) => (1 << 20, LzfExpect::Output(Bytes(out))),
                _ => (out.len(), LzfExpect::Output(Bytes(out))),
            };
            LzfCase {
                input: Bytes(s),
                out_len,
                expect,
            }
        }
        4..=8 => {
            let (mut s, out) = lzf_stream(r);
            mutate_bytes(r, &mut s, 0);
            let out_len = match r.below(3) {
                0 => out.len(),
                1 => r.upto(2 * out.len() + 64),
                _ => r.upto(64),
            };
            LzfCase {
                input: Bytes(s),
                out_len,
                expect: LzfExpect::Any,
            }
        }
        _ => {
            let max = if r.one_in(10) { 4000 } else { 64 };
            let n = r.upto(max);
            let max_out = if r.one_in(10) { 1 << 16 } else { 256 };
            LzfCase {
                input: Bytes(r.bytes(n)),
                out_len: r.upto(max_out),
                expect: LzfExpect::Any,
            }
        }
    }
}

fn check_lzf(c: &LzfCase) -> Outcome {
    const FILL: u8 = 0xA5;
    let mut out = vec![FILL; c.out_len];
    let got = lzf::decompress(&c.input.0, &mut out);
    if let Some(n) = got {
        if n > c.out_len {
            return Err(format!(
                "returned {n} bytes for a {}-byte buffer",
                c.out_len
            ));
        }
        if out[n..].iter().any(|&b| b != FILL) {
            return Err(format!("wrote past the {n} bytes it returned"));
        }
        // the same stream into a buffer of exactly that size decodes the same
        let mut exact = vec![!FILL; n];
        if lzf::decompress(&c.input.0, &mut exact) != Some(n) || exact[..] != out[..n] {
            return Err(format!("decoding into exactly {n} bytes differs"));
        }
    }
    match &c.expect {
        LzfExpect::Output(want)
            if got != Some(want.0.len()) || out[..want.0.len()] != want.0[..] =>
        {
            return Err(format!(
                "decoded {got:?} bytes {:?}, want {} bytes {want:?}",
                got.map(|n| Bytes(out[..n].to_vec())),
                want.0.len()
            ));
        }
        LzfExpect::TooSmall if got.is_some() => {
            return Err(format!("a stream larger than the buffer gave {got:?}"));
        }
        _ => {}
    }
    Ok(match (&c.expect, got) {
        (LzfExpect::Output(_), _) => "valid: decoded as built",
        (LzfExpect::TooSmall, _) => "valid: too small, refused",
        (LzfExpect::Any, Some(_)) => "other: decoded",
        (LzfExpect::Any, None) => "other: refused",
    })
}

#[test]
fn fuzz_lzf() {
    let case = |input: &[u8], out_len: usize| LzfCase {
        input: Bytes(input.to_vec()),
        out_len,
        expect: LzfExpect::Any,
    };
    let regressions = vec![
        case(&[], 0),
        case(&[0], 10),
        case(&[31], 40),
        case(&[0xe0], 10),
        case(&[0xe0, 0xff], 10),
        case(&[0xff, 0xff, 0xff], 1000),
        case(&[0, b'a', 0xe0, 0xff, 0], 300),
        case(&[0, b'a', 0xe0, 0xff, 0], 264),
        case(&[0, b'a', 0x3f, 0xff], 100),
        LzfCase {
            input: Bytes(vec![0, b'a', 0xe0, 0xff, 0]),
            out_len: 265,
            expect: LzfExpect::Output(Bytes(vec![b'a'; 265])),
        },
    ];
    fuzz(
        "lzf",
        &regressions,
        gen_lzf,
        &[
            "valid: decoded as built",
            "valid: too small, refused",
            "other: decoded",
            "other: refused",
        ],
        check_lzf,
    );
}
