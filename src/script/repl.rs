//! The interactive prompt: rustyline with persistent history, Tab completion from the
//! engine's metadata, continuation lines for unfinished blocks, `:` commands, and
//! Ctrl-C that cancels the running statement but never the session.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use rhai::{Engine, ParseErrorType};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use super::completion::{self, FnIndex};
use super::{help, signals, Outcome, Session, VarInfo};

/// Primary prompt.
pub const PROMPT: &str = "evsh> ";
/// Prompt for continuation lines of an unfinished block.
pub const CONTINUATION: &str = "  ... ";

/// The history file: `$EVSH_HISTORY`, else `~/.evsh_history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EVSH_HISTORY") {
        if !p.is_empty() {
            return Some(PathBuf::from(p));
        }
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".evsh_history"))
}

/// rustyline helper: completion only (no hints, highlighting or validation, so typing
/// stays instant).
struct ReplHelper {
    engine: Arc<Engine>,
    index: OnceLock<FnIndex>,
    vars: Vec<VarInfo>,
    /// Variables holding HDF5 files or groups (for `f["<Tab>`).
    h5_vars: Vec<(String, crate::h5::H5Group)>,
    user_fns: Vec<String>,
    files: FilenameCompleter,
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        if completion::in_string(before) {
            if let Some((start, paths)) = completion::h5_paths(before, &self.h5_vars) {
                let pairs = paths
                    .into_iter()
                    .map(|n| Pair {
                        display: n.clone(),
                        replacement: n,
                    })
                    .collect();
                return Ok((start, pairs));
            }
            return self.files.complete_path(line, pos);
        }
        // Built on first use, not at start-up.
        let index = self.index.get_or_init(|| FnIndex::build(&self.engine));
        let docs: Vec<&str> = help::all_docs().iter().map(|d| d.name).collect();
        let (start, names) = completion::complete(before, &self.vars, &self.user_fns, index, &docs);
        Ok((
            start,
            names
                .into_iter()
                .map(|n| Pair {
                    display: n.clone(),
                    replacement: n,
                })
                .collect(),
        ))
    }
}
impl Hinter for ReplHelper {
    type Hint = String;
}
impl Highlighter for ReplHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}

/// Is this input a finished statement, or does it need more lines?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// Run it (possibly to report a syntax error).
    Complete,
    /// A bracket, brace, string or comment is still open: keep reading.
    Open,
    /// Brackets balance but the parser wants more (`let x =`, `a +`): keep reading, but a
    /// blank line runs it anyway so that the error shows.
    Unfinished,
}

/// Decide whether `code` is complete: unbalanced brackets or an open string/comment mean
/// more lines; otherwise a parse error at the end of the input does.
pub fn completeness(engine: &Engine, code: &str) -> Completeness {
    let scan = scan(code);
    if scan.open_string || scan.open_comment || scan.depth > 0 {
        return Completeness::Open;
    }
    if scan.depth < 0 || code.trim().is_empty() {
        return Completeness::Complete;
    }
    match engine.compile(code) {
        Ok(_) => Completeness::Complete,
        Err(e) => {
            let at_end = match e.position().line() {
                Some(l) => l >= code.trim_end().lines().count(),
                None => true,
            };
            match e.err_type() {
                ParseErrorType::UnexpectedEOF => Completeness::Unfinished,
                ParseErrorType::MissingToken(..) | ParseErrorType::MissingSymbol(..)
                    if at_end && ends_in_operator(code) =>
                {
                    Completeness::Unfinished
                }
                ParseErrorType::BadInput(rhai::LexError::UnterminatedString) => Completeness::Open,
                _ => Completeness::Complete,
            }
        }
    }
}

/// Does the code end with something that needs a right-hand side (`=`, `+`, `,`, `.`, ...)?
fn ends_in_operator(code: &str) -> bool {
    let t = code.trim_end();
    t.ends_with([
        '=', '+', '-', '*', '/', '%', '&', '|', '^', '<', '>', ',', '.', '!', '?', ':',
    ]) || t.ends_with(" in")
        || t.ends_with("else")
}

struct Scan {
    depth: i64,
    open_string: bool,
    open_comment: bool,
}

/// Bracket depth outside strings and comments, and whether a string or block comment is
/// left open at the end.
fn scan(code: &str) -> Scan {
    let b: Vec<char> = code.chars().collect();
    let mut depth = 0i64;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            '/' if b.get(i + 1) == Some(&'/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '/' if b.get(i + 1) == Some(&'*') => {
                // Rhai block comments nest.
                let mut level = 1;
                i += 2;
                while i < b.len() && level > 0 {
                    if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                        level += 1;
                        i += 1;
                    } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                        level -= 1;
                        i += 1;
                    }
                    i += 1;
                }
                if level > 0 {
                    return Scan {
                        depth,
                        open_string: false,
                        open_comment: true,
                    };
                }
                continue;
            }
            '"' | '`' | '\'' => {
                let q = c;
                i += 1;
                let mut closed = false;
                while i < b.len() {
                    if b[i] == '\\' && q != '`' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q {
                        closed = true;
                        break;
                    }
                    if b[i] == '\n' && q != '`' {
                        break; // a normal string cannot span lines: let the parser report it
                    }
                    i += 1;
                }
                if !closed && q == '`' {
                    return Scan {
                        depth,
                        open_string: true,
                        open_comment: false,
                    };
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    Scan {
        depth,
        open_string: false,
        open_comment: false,
    }
}

/// Print a statement's result: its value (unless unit) to stdout, or the error to stderr.
/// Returns `Some(code)` when the session should end.
pub fn report(session: &mut Session, result: Result<Outcome, super::ScriptError>) -> Option<i32> {
    match result {
        Ok(Outcome::Value(v)) => {
            if !v.is_unit() {
                session.set_last(&v);
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", session.display(&v));
                let _ = out.flush();
            }
            None
        }
        Ok(Outcome::Exit(n)) => Some(n),
        Err(e) => {
            eprintln!("{e}");
            None
        }
    }
}

/// The name the prompt keeps the last shown value under (Rhai does not allow `_` as a
/// variable name, so the prompt rewrites `_` to it).
pub const LAST: &str = "__last";

/// IPython's `_` at the prompt: every `_` that stands alone as a name (not inside a
/// string or comment, not part of a longer name, not a `switch` default arm `_ =>`)
/// becomes [`LAST`].
pub fn last_value_refs(code: &str) -> std::borrow::Cow<'_, str> {
    if !code.contains('_') {
        return std::borrow::Cow::Borrowed(code);
    }
    let b = code.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = String::with_capacity(code.len() + 8);
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'`' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'_' if (i == 0 || !ident(b[i - 1]))
                && !b.get(i + 1).is_some_and(|&c| ident(c))
                && !code[i + 1..].trim_start().starts_with("=>") =>
            {
                out.push_str(&code[last..i]);
                out.push_str(LAST);
                last = i + 1;
            }
            c if ident(c) => {
                // skip the rest of a name or number
                while i + 1 < b.len() && ident(b[i + 1]) {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if last == 0 {
        return std::borrow::Cow::Borrowed(code);
    }
    out.push_str(&code[last.min(code.len())..]);
    std::borrow::Cow::Owned(out)
}

/// `:timer on`: print the timing line after every statement.
static TIMER: AtomicBool = AtomicBool::new(false);

/// Run one statement as the prompt does, with the timing line after it when `:timer on`.
fn run_statement(session: &mut Session, code: &str) -> Option<i32> {
    let code = &*last_value_refs(code);
    if TIMER.load(Ordering::Relaxed) {
        let (result, t) = session.run_timed(code, None);
        signals::statement_done();
        let end = report(session, result);
        println!("time: {t}");
        let _ = std::io::stdout().flush();
        end
    } else {
        let result = session.run(code, None);
        signals::statement_done();
        report(session, result)
    }
}

fn meta_command(session: &mut Session, line: &str) -> Option<i32> {
    let mut parts = line.split_whitespace();
    let cmd = parts.next().unwrap_or("");
    let arg = parts.next();
    // The statement after `:time` / `:prof`.
    let rest = line.trim_start()[cmd.len()..].trim();
    match cmd {
        ":time" | ":prof" if rest.is_empty() => {
            eprintln!("usage: {cmd} STATEMENT (e.g. `{cmd} x.sum()`)");
        }
        ":time" => {
            let (result, t) = session.run_timed(&last_value_refs(rest), None);
            signals::statement_done();
            let end = report(session, result);
            println!("time: {t}");
            let _ = std::io::stdout().flush();
            if end.is_some() {
                return end;
            }
        }
        ":prof" => {
            let (result, p) = session.run_profiled(&last_value_refs(rest), None);
            signals::statement_done();
            let end = report(session, result);
            println!("{p}");
            let _ = std::io::stdout().flush();
            if end.is_some() {
                return end;
            }
        }
        ":timer" => match arg {
            Some("on") => TIMER.store(true, Ordering::Relaxed),
            Some("off") => TIMER.store(false, Ordering::Relaxed),
            None => println!(
                "timer is {}",
                if TIMER.load(Ordering::Relaxed) {
                    "on"
                } else {
                    "off"
                }
            ),
            Some(other) => eprintln!("usage: :timer on|off (not '{other}')"),
        },
        ":quit" | ":q" | ":exit" => return Some(0),
        ":help" | ":h" | ":?" => match arg {
            None => {
                print!("{}", help::list());
                println!(
                    "\nREPL commands: :help [name], :vars, :time STATEMENT, :timer on|off, \
                     :prof STATEMENT, :quit. Tab completes names and methods; Ctrl-C cancels \
                     a running statement; Ctrl-D quits."
                );
            }
            Some(_) => match session.help_for(rest) {
                Ok(t) => println!("{t}"),
                Err(m) => eprintln!("{m}"),
            },
        },
        ":vars" => {
            for v in session.var_info() {
                println!("{:<20} {}", v.name, v.type_name);
            }
        }
        _ => {
            let close = help::suggest(cmd, completion::META_COMMANDS.iter().copied());
            eprintln!(
                "unknown command '{cmd}'{}; commands: {}",
                if close.is_empty() {
                    String::new()
                } else {
                    format!(" (did you mean {}?)", close.join(", "))
                },
                completion::META_COMMANDS.join(", ")
            );
        }
    }
    let _ = std::io::stdout().flush();
    None
}

/// Run the interactive prompt until `:quit`, Ctrl-D or `exit(n)`; returns the exit code.
pub fn run(session: &mut Session) -> i32 {
    signals::install();
    let config = Config::builder()
        .history_ignore_space(true)
        .max_history_size(10_000)
        .unwrap_or_else(|_| Config::builder())
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("evsh: cannot start the line editor: {e}");
            return 1;
        }
    };
    rl.set_helper(Some(ReplHelper {
        engine: session.engine.clone(),
        index: OnceLock::new(),
        vars: session.var_info(),
        h5_vars: session.h5_vars(),
        user_fns: vec![],
        files: FilenameCompleter::new(),
    }));
    let hist = history_path();
    if let Some(h) = &hist {
        if h.exists() {
            if let Err(e) = rl.load_history(h) {
                eprintln!("evsh: cannot read the history file {}: {e}", h.display());
            }
        }
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        eprintln!(
            "evsh {} — type :help for help, Tab to complete, Ctrl-D to quit",
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut history_warned = false;
    let mut buf = String::new();
    let mut blank_lines = 0;
    loop {
        let prompt = if buf.is_empty() { PROMPT } else { CONTINUATION };
        signals::set_at_prompt(true);
        let read = rl.readline(prompt);
        signals::set_at_prompt(false);
        let line = match read {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => {
                buf.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("evsh: cannot read input: {e}");
                return 1;
            }
        };
        if buf.is_empty() {
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if t.starts_with(':') {
                let _ = rl.add_history_entry(t);
                save_history(&mut rl, &hist, &mut history_warned);
                if let Some(code) = meta_command(session, t) {
                    return code;
                }
                continue;
            }
            if t == "quit" || t == "exit" {
                break;
            }
            // IPython's `x?` and `sort?`: help on a value or a function
            if let Some(expr) = t.strip_suffix('?').filter(|e| !e.trim().is_empty()) {
                let _ = rl.add_history_entry(t);
                save_history(&mut rl, &hist, &mut history_warned);
                match session.help_for(expr) {
                    Ok(text) => println!("{text}"),
                    Err(m) => eprintln!("{m}"),
                }
                continue;
            }
        }
        buf.push_str(&line);
        buf.push('\n');
        blank_lines = if line.trim().is_empty() {
            blank_lines + 1
        } else {
            0
        };
        match completeness(&session.engine, &buf) {
            Completeness::Complete => {}
            Completeness::Unfinished if blank_lines >= 1 => {}
            Completeness::Open if blank_lines >= 2 => {}
            _ => continue,
        }
        let code = std::mem::take(&mut buf);
        blank_lines = 0;
        let _ = rl.add_history_entry(code.trim_end());
        save_history(&mut rl, &hist, &mut history_warned);
        if let Some(code) = run_statement(session, &code) {
            return code;
        }
        if signals::terminated() {
            return 143;
        }
        if let Some(h) = rl.helper_mut() {
            h.vars = session.var_info();
            h.h5_vars = session.h5_vars();
            h.user_fns = session.user_fn_names();
        }
    }
    0
}

fn save_history(
    rl: &mut Editor<ReplHelper, FileHistory>,
    hist: &Option<PathBuf>,
    warned: &mut bool,
) {
    if let Some(h) = hist {
        if let Err(e) = rl.append_history(h) {
            if !*warned {
                eprintln!("evsh: cannot write the history file {}: {e}", h.display());
                *warned = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfinished_input_asks_for_more() {
        let e = super::super::build_engine();
        let c = |s: &str| completeness(&e, s);
        assert_eq!(c("let x = 1;\n"), Completeness::Complete);
        assert_eq!(c("for i in 0..3 {\n"), Completeness::Open);
        assert_eq!(c("for i in 0..3 {\n print(i)\n}\n"), Completeness::Complete);
        assert_eq!(c("f(1,\n"), Completeness::Open);
        assert_eq!(c("let s = `multi\n"), Completeness::Open);
        assert_eq!(c("/* comment\n"), Completeness::Open);
        assert_eq!(c("let x =\n"), Completeness::Unfinished);
        assert_eq!(c("1 +\n"), Completeness::Unfinished);
        // Braces inside strings and comments do not count.
        assert_eq!(c("let s = \"{\";\n"), Completeness::Complete);
        assert_eq!(c("let s = 1; // {\n"), Completeness::Complete);
        // Errors that more input cannot fix run (and report) at once.
        assert_eq!(c("let = 3\n"), Completeness::Complete);
        assert_eq!(c("}\n"), Completeness::Complete);
        assert_eq!(c("if x > 1 { 1 } else\n"), Completeness::Unfinished);
    }
}
