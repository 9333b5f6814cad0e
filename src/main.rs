//! The `evsh` command: REPL, `run FILE`, `-c CODE`, `demo`, `help`.
fn main() {
    let mut s = evsh::script::Session::new();
    let args: Vec<String> = std::env::args().collect();
    if args.len() > 2 && args[1] == "-c" {
        match s.eval(&args[2]) {
            Ok(v) if !v.is_unit() => println!("{v}"),
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    }
}
