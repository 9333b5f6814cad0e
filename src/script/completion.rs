//! Tab completion for the REPL: variables in scope, functions, and the methods and
//! properties of the value before a dot, read from the engine's own function metadata (so
//! whatever a binding module registers is completed without a list to keep in sync).
//! Kept free of rustyline so the logic is testable on plain strings.

use std::any::TypeId;
use std::collections::{BTreeSet, HashMap};

use rhai::{Dynamic, Engine};

use super::VarInfo;
use crate::h5::H5Group;

/// Rhai keywords offered where a statement or expression starts.
const KEYWORDS: &[&str] = &[
    "let", "const", "fn", "if", "else", "for", "in", "while", "loop", "do", "until", "break",
    "continue", "return", "throw", "try", "catch", "switch", "true", "false", "import", "export",
    "as", "private", "this", "global",
];

/// The REPL's own commands.
pub const META_COMMANDS: &[&str] = &[":help", ":prof", ":quit", ":time", ":timer", ":vars"];

/// Function names known to the engine, and member names by receiver type.
#[derive(Debug, Default)]
pub struct FnIndex {
    /// Names callable as functions, sorted.
    pub functions: Vec<String>,
    /// Methods and properties (getters) whose first parameter has this type.
    pub by_type: HashMap<TypeId, BTreeSet<String>>,
    /// Every method and property name (for receivers of unknown type).
    pub all_members: BTreeSet<String>,
}

fn is_ident(s: &str) -> bool {
    let mut ch = s.chars();
    matches!(ch.next(), Some(c) if c.is_alphabetic() || c == '_')
        && ch.all(|c| c.is_alphanumeric() || c == '_')
}

impl FnIndex {
    /// Read every registered function (including Rhai's standard library) from the engine.
    pub fn build(engine: &Engine) -> FnIndex {
        let entries: Vec<(String, Option<TypeId>)> = engine.collect_fn_metadata(
            None,
            |info| {
                Some((
                    info.metadata.name.to_string(),
                    info.metadata.param_types.first().copied(),
                ))
            },
            true,
        );
        let dynamic = TypeId::of::<Dynamic>();
        let mut functions = BTreeSet::new();
        let mut idx = FnIndex::default();
        for (name, first) in entries {
            let (member, is_prop) = match name.strip_prefix("get$") {
                Some(p) => (p.to_string(), true),
                None => (name.clone(), false),
            };
            if !is_ident(&member) {
                continue; // operators, setters, indexers, internal names
            }
            if !is_prop {
                functions.insert(member.clone());
            }
            if let Some(t) = first {
                if t != dynamic {
                    idx.by_type.entry(t).or_default().insert(member.clone());
                    idx.all_members.insert(member);
                }
            }
        }
        idx.functions = functions.into_iter().collect();
        idx
    }
}

/// Where completion starts in `line` and what it offers, given the text up to the cursor.
pub fn complete(
    before: &str,
    vars: &[VarInfo],
    user_fns: &[String],
    index: &FnIndex,
    doc_names: &[&str],
) -> (usize, Vec<String>) {
    // `:help na<Tab>` and `:q<Tab>`.
    let trimmed = before.trim_start();
    if trimmed.starts_with(':') {
        if let Some(rest) = trimmed.strip_prefix(":help ") {
            let word = rest.trim_start();
            let start = before.len() - word.len();
            return (start, matching(doc_names.iter().copied(), word));
        }
        if !trimmed.contains(' ') {
            let start = before.len() - trimmed.len();
            return (start, matching(META_COMMANDS.iter().copied(), trimmed));
        }
        return (before.len(), vec![]);
    }
    let word_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(|c| c.len_utf8())
        .sum::<usize>();
    let start = before.len() - word_len;
    let word = &before[start..];
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return (start, vec![]);
    }
    let head = &before[..start];
    if let Some(recv_text) = head.strip_suffix('.') {
        let recv = trailing_ident(recv_text);
        if recv.starts_with(|c: char| c.is_ascii_digit()) {
            return (start, vec![]); // a number like `1.`
        }
        let var = if recv.is_empty() || recv_text[..recv_text.len() - recv.len()].ends_with('.') {
            None // a chained or computed receiver: type unknown
        } else {
            vars.iter().find(|v| v.name == recv)
        };
        let mut out: Vec<String> = vec![];
        match var {
            Some(v) => {
                out.extend(v.keys.iter().cloned());
                if let Some(members) = index.by_type.get(&v.type_id) {
                    out.extend(members.iter().cloned());
                }
            }
            None => out.extend(index.all_members.iter().cloned()),
        }
        return (start, matching(out.iter().map(|s| s.as_str()), word));
    }
    if word.is_empty() {
        return (start, vec![]);
    }
    let names = vars
        .iter()
        .map(|v| v.name.as_str())
        .chain(user_fns.iter().map(|s| s.as_str()))
        .chain(index.functions.iter().map(|s| s.as_str()))
        .chain(KEYWORDS.iter().copied());
    (start, matching(names, word))
}

fn trailing_ident(s: &str) -> &str {
    let n = s
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(|c| c.len_utf8())
        .sum::<usize>();
    &s[s.len() - n..]
}

/// `f["grp/da<Tab>`: when the cursor is inside a string that indexes a variable holding an
/// open HDF5 file or group, the member paths at that level (groups end with `/`, so the
/// next Tab goes one level down). Returns where the replacement starts and the candidates,
/// or None when the context is not an HDF5 index (the caller then completes file names).
pub fn h5_paths(before: &str, h5_vars: &[(String, H5Group)]) -> Option<(usize, Vec<String>)> {
    let open = before.rfind("[\"").or_else(|| before.rfind("[`"))?;
    let partial = &before[open + 2..];
    if partial.contains(['"', '`', ']']) {
        return None;
    }
    let recv = trailing_ident(&before[..open]);
    let (_, group) = h5_vars.iter().find(|(n, _)| n == recv)?;
    let (dir, leaf) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let level = if dir.trim_matches('/').is_empty() {
        if dir.starts_with('/') {
            group.file().root().ok()?
        } else {
            group.clone()
        }
    } else {
        match group.get(dir.trim_end_matches('/')).ok()? {
            crate::h5::Node::Group(g) => g,
            _ => return Some((before.len(), vec![])),
        }
    };
    let links = level.links().ok()?;
    let mut out = vec![];
    for l in links.into_iter().filter(|l| l.name.starts_with(leaf)) {
        let is_group = matches!(level.get(&l.name), Ok(crate::h5::Node::Group(_)));
        out.push(format!(
            "{dir}{}{}",
            l.name,
            if is_group { "/" } else { "" }
        ));
    }
    Some((open + 2, out))
}

/// Candidates starting with `prefix`, sorted, without duplicates.
fn matching<'a>(names: impl Iterator<Item = &'a str>, prefix: &str) -> Vec<String> {
    let set: BTreeSet<&str> = names.filter(|n| n.starts_with(prefix)).collect();
    set.into_iter().map(|s| s.to_string()).collect()
}

/// Is the cursor inside an unterminated string literal (so a path is being typed)?
pub fn in_string(before: &str) -> bool {
    let mut in_str: Option<char> = None;
    let mut escaped = false;
    for c in before.chars() {
        match in_str {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    in_str = None;
                }
            }
            None => {
                if c == '"' || c == '`' {
                    in_str = Some(c);
                }
            }
        }
    }
    in_str.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Session;

    fn names(r: (usize, Vec<String>)) -> Vec<String> {
        r.1
    }

    #[test]
    fn completes_variables_functions_and_members() {
        let mut s = Session::new();
        let _ = s
            .eval(
                "let tab_one = table(#{a: [1]}); let opts = #{bins: 3, range: 1}; let count_x = 1;",
            )
            .unwrap();
        let idx = FnIndex::build(&s.engine);
        let vars = s.var_info();
        let docs = ["sort", "save"];
        let c = |b: &str| names(complete(b, &vars, &[], &idx, &docs));
        assert_eq!(c("tab_o"), vec!["tab_one"]);
        assert!(c("tab").contains(&"table".to_string()));
        // Members of a Table: methods and properties registered for it.
        let m = c("tab_one.to_");
        assert!(
            m.contains(&"to_csv".to_string()) && m.contains(&"to_json".to_string()),
            "{m:?}"
        );
        assert!(c("x = tab_one.nr").contains(&"nrows".to_string()));
        assert!(!c("tab_one.").contains(&"bins".to_string()));
        // Map keys, and the map's methods.
        let m = c("opts.");
        assert!(
            m.contains(&"bins".to_string()) && m.contains(&"keys".to_string()),
            "{m:?}"
        );
        // Position is the start of the word.
        assert_eq!(complete("print(tab_o", &vars, &[], &idx, &docs).0, 6);
        // Meta commands and help names.
        assert_eq!(c(":q"), vec![":quit"]);
        assert_eq!(c(":help so"), vec!["sort"]);
        // Numbers are not receivers.
        assert!(c("1.").is_empty());
        assert_eq!(c("whi"), vec!["while"]);
    }

    #[test]
    fn hdf5_paths_complete_level_by_level() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/testdata/h5_real/hdf5/tools__tall.h5");
        if !dir.exists() {
            eprintln!(
                "skipped: {} is not here (shared test data absent)",
                dir.display()
            );
            return;
        }
        let mut s = Session::new();
        let code = format!(
            "let f = h5(\"{}\"); let g = f[\"g1\"]; let n = 3;",
            dir.display()
        );
        let _ = s.eval(&code).unwrap();
        let h = s.h5_vars();
        assert_eq!(h.len(), 2, "f and g, not n");
        let c = |b: &str| h5_paths(b, &h);
        assert_eq!(
            c("f[\""),
            Some((3, vec!["g1/".to_string(), "g2/".to_string()]))
        );
        assert_eq!(
            c("x = f[\"g2/d"),
            Some((7, vec!["g2/dset2.1".into(), "g2/dset2.2".into()]))
        );
        assert_eq!(
            c("f[\"g1/"),
            Some((3, vec!["g1/g1.1/".into(), "g1/g1.2/".into()]))
        );
        assert_eq!(
            c("f[\"/g1/g1.1/dset1.1.1"),
            Some((3, vec!["/g1/g1.1/dset1.1.1".into()]))
        );
        // relative to a group variable
        assert_eq!(
            c("g[\"g1.1/"),
            Some((3, vec!["g1.1/dset1.1.1".into(), "g1.1/dset1.1.2".into()]))
        );
        // not an HDF5 index: the caller completes file names
        assert_eq!(c("n[\"a"), None);
        assert_eq!(c("load(\"da"), None);
        assert_eq!(c("f[\"nothing/"), None);
    }

    #[test]
    fn strings_are_detected() {
        assert!(in_string("load(\"data/x"));
        assert!(!in_string("load(\"a\") + b"));
        assert!(in_string("f(\"a\\\"b"));
    }
}
