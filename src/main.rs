//! The `evsh` command: the REPL, `run FILE`, `-c CODE`, `demo`, `gen-event` and `help`.
//! It parses arguments, sets process-wide options and hands everything else to a
//! `Session`; no analysis happens here.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use evsh::script::{help, parse_value, repl, signals, Outcome, Session};
use rhai::Dynamic;

/// The demo analysis run by `evsh demo`.
const DEMO_SCRIPT: &str = include_str!("../scripts/demo.rhai");

#[derive(Parser, Debug)]
#[command(
    name = "evsh",
    version,
    about = "An interactive shell and script runner for very large scientific arrays",
    long_about = "An interactive shell and script runner for very large scientific arrays \
        (memory-mapped .npy, HDF5, photon-simulation events), scripted in Rhai.\n\n\
        With no command, evsh opens the interactive prompt.",
    disable_help_subcommand = true
)]
struct Cli {
    /// Run CODE and exit; the value of a final bare expression is printed.
    #[arg(short = 'c', value_name = "CODE")]
    code: Option<String>,

    #[command(flatten)]
    global: GlobalOpts,

    #[command(subcommand)]
    command: Option<Command>,
}

/// Options that apply to every mode.
#[derive(Args, Debug)]
struct GlobalOpts {
    /// Set a script variable before running: integers, floats and true/false are typed,
    /// anything else is a string (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", global = true)]
    set: Vec<String>,

    // ---- Process-wide resource and profiling flags --------------------------------
    // (Reserved place: threads, memory budget and profiling options live here.)
    /// Worker threads for kernels (default: all cores; env EVSH_THREADS).
    #[arg(long, value_name = "N", global = true)]
    threads: Option<usize>,

    /// Memory budget for data in flight, e.g. 4G or 512M (default: half of available RAM).
    #[arg(long = "mem-budget", value_name = "SIZE", global = true)]
    mem_budget: Option<String>,
    // ---- end of process-wide flags -------------------------------------------------
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a script file.
    Run {
        /// The script (.rhai).
        file: PathBuf,
        /// Profile the script and write the profile to FILE: `.json`, `.folded`
        /// (collapsed stacks for flame graphs) or, for any other name, the table as text.
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
    },
    /// Describe a function, list them all, or print the function reference.
    Help {
        /// Function name (e.g. load, sort, t.to_csv); omit for the list.
        name: Option<String>,
        /// Print the whole reference as Markdown (docs/reference.md).
        #[arg(long, conflicts_with = "name")]
        markdown: bool,
    },
    /// Run the demo analysis on generated data.
    Demo {
        /// Folder for the generated data and outputs.
        #[arg(long, default_value = "./demo-data")]
        dir: PathBuf,
    },
    /// Generate a synthetic photon-simulation event folder.
    GenEvent {
        /// Output folder.
        dir: String,
        /// Number of photons (k/M suffixes allowed, e.g. 1M).
        #[arg(long)]
        n: Option<String>,
        /// Random seed.
        #[arg(long)]
        seed: Option<i64>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match real_main(cli) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("evsh: {msg}");
            2
        }
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code.clamp(0, 255) as u8)
}

fn real_main(cli: Cli) -> Result<i32, String> {
    // The process-wide flags go before or after a command (`evsh --mem-budget 4G run x`
    // and `evsh run --mem-budget 4G x`); only -c excludes a command.
    if cli.code.is_some() && cli.command.is_some() {
        return Err("-c CODE cannot be combined with a command (use one or the other)".into());
    }
    apply_global(&cli.global)?;
    if let Some(Command::Help { name, markdown }) = &cli.command {
        return Ok(help_command(name.as_deref(), *markdown));
    }
    let mut session = Session::new();
    for kv in &cli.global.set {
        let (name, value) = kv
            .split_once('=')
            .ok_or_else(|| format!("--set '{kv}': expected NAME=VALUE"))?;
        let name = name.trim();
        if !is_ident(name) {
            return Err(format!(
                "--set '{kv}': '{name}' is not a valid variable name (letters, digits, _)"
            ));
        }
        session.set_var(name, parse_value(value));
    }
    if let Some(code) = &cli.code {
        signals::install();
        return Ok(run_code(&mut session, code, None, true));
    }
    match cli.command {
        None => Ok(repl::run(&mut session)),
        Some(Command::Run { file, profile }) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read script {}: {e}", file.display()))?;
            // Editors on some systems start UTF-8 files with a byte-order mark.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            signals::install();
            // Unattended runs log progress lines on non-terminals.
            evsh::exec::progress::set_log_lines(true);
            let source = file.display().to_string();
            match profile {
                None => Ok(run_code(&mut session, &text, Some(&source), false)),
                Some(out) => Ok(run_profiled(&mut session, &text, &source, &out)),
            }
        }
        Some(Command::Demo { dir }) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create the demo folder {}: {e}", dir.display()))?;
            session.set_var("demo_dir", Dynamic::from(dir.display().to_string()));
            signals::install();
            Ok(run_code(
                &mut session,
                DEMO_SCRIPT,
                Some("demo.rhai"),
                false,
            ))
        }
        Some(Command::GenEvent { dir, n, seed }) => {
            let mut opts = rhai::Map::new();
            if let Some(n) = n {
                let n =
                    evsh::array::rows::parse_count(&n).map_err(|e| format!("--n '{n}': {e}"))?;
                opts.insert("n".into(), Dynamic::from(n));
            }
            if let Some(s) = seed {
                opts.insert("seed".into(), Dynamic::from(s));
            }
            session.set_var("__gen_dir", Dynamic::from(dir));
            session.set_var("__gen_opts", Dynamic::from_map(opts));
            signals::install();
            Ok(run_code(
                &mut session,
                "gen_event(__gen_dir, __gen_opts)",
                Some("gen-event"),
                true,
            ))
        }
        Some(Command::Help { .. }) => unreachable!("handled above"),
    }
}

/// Run code to the end; print the final value when `print_value`; map the outcome to an
/// exit code (errors: 1 with the message on stderr; Ctrl-C: 130; SIGTERM: 143).
fn run_code(session: &mut Session, code: &str, source: Option<&str>, print_value: bool) -> i32 {
    let result = session.run(code, source);
    finish(session, result, print_value)
}

/// Print the final value or the error and turn the outcome into an exit code. Ctrl-C and
/// SIGTERM both end a script with 130 once the statement running has stopped and stdout
/// has been flushed (files already written are complete: outputs are renamed into place).
fn finish(
    session: &mut Session,
    result: Result<Outcome, evsh::script::ScriptError>,
    print_value: bool,
) -> i32 {
    match result {
        Ok(Outcome::Value(v)) => {
            if print_value && !v.is_unit() {
                println!("{}", session.display(&v));
            }
            0
        }
        Ok(Outcome::Exit(n)) => n,
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("{e}");
            if signals::terminated() {
                130
            } else {
                e.exit_code()
            }
        }
    }
}

/// `run --profile`: run the script with the profiler on, then write the profile (also
/// when the script failed or was interrupted: the part that ran is still worth seeing).
fn run_profiled(session: &mut Session, code: &str, source: &str, out: &std::path::Path) -> i32 {
    let (result, profile) = session.run_profiled(code, Some(source));
    let status = finish(session, result, false);
    let name = out.display().to_string();
    let written = match out.extension().and_then(|e| e.to_str()) {
        Some("json") | Some("folded") => profile.save(&name),
        _ => evsh::prof::report::write_atomic(out, profile.render().as_bytes()),
    };
    match written {
        Ok(()) => {
            eprintln!(
                "evsh: profile written to {name} ({} calls in {:.3} s)",
                profile.total_calls(),
                profile.seconds
            );
            status
        }
        Err(e) => {
            eprintln!("evsh: cannot write the profile: {e}");
            if status == 0 {
                1
            } else {
                status
            }
        }
    }
}

fn help_command(name: Option<&str>, markdown: bool) -> i32 {
    if markdown {
        print!("{}", help::markdown());
        return 0;
    }
    match name {
        None => {
            print!("{}", help::list());
            0
        }
        Some(n) => match help::describe(n) {
            Ok(t) => {
                println!("{t}");
                0
            }
            Err(m) => {
                eprintln!("evsh: {m}");
                1
            }
        },
    }
}

fn apply_global(g: &GlobalOpts) -> Result<(), String> {
    let threads = match g.threads {
        Some(n) => Some(n),
        None => match std::env::var("EVSH_THREADS") {
            Ok(s) if !s.trim().is_empty() => Some(
                s.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("EVSH_THREADS='{s}': expected a number of threads"))?,
            ),
            _ => None,
        },
    };
    if let Some(mut n) = threads {
        if n == 0 {
            return Err("--threads must be at least 1".into());
        }
        // More threads than a few per core only add start-up and scheduling cost (10,000
        // threads made a 10-element sum take 37 s).
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let cap = (4 * cores).max(4);
        if n > cap {
            eprintln!("note: --threads {n} capped at {cap} (4 per core on this machine)");
            n = cap;
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| format!("cannot set up {n} threads: {e}"))?;
    }
    if let Some(s) = &g.mem_budget {
        let bytes = parse_size(s)?;
        evsh::exec::set_mem_budget(bytes);
    }
    Ok(())
}

/// `4G`, `512M`, `1.5G`, `64k`, `1000` (bytes); binary units (1k = 1024 bytes).
fn parse_size(s: &str) -> Result<usize, String> {
    evsh::prof::mem::parse_size(s).map_err(|e| format!("--mem-budget {e}"))
}

fn is_ident(s: &str) -> bool {
    let mut ch = s.chars();
    matches!(ch.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && ch.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4G").unwrap(), 4 << 30);
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("1.5k").unwrap(), 1536);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("4X").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("G").is_err());
    }

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
