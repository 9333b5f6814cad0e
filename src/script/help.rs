//! Help text for the user, generated from the registry ([`super::registry`]): `:help`,
//! `evsh help NAME`, did-you-mean suggestions and docs/reference.md; and the test that the
//! documented names and the engine's functions agree both ways.

use super::registry::{self, Doc};

/// The documented functions grouped by domain, in the order the reference lists them
/// (the order of [`super::MODULES`]).
pub fn sections() -> &'static [(&'static str, Vec<Doc>)] {
    registry::sections()
}

/// All documented functions, from every binding module.
pub fn all_docs() -> Vec<&'static Doc> {
    sections().iter().flat_map(|(_, d)| d.iter()).collect()
}

/// The entries documenting `name` (a function may be documented for several types, e.g.
/// `col` for Arrays and Tables). `t.sort`, `Table.sort` and `.sort` are looked up as `sort`.
pub fn lookup(name: &str) -> Vec<&'static Doc> {
    let key = bare_name(name);
    all_docs().into_iter().filter(|d| d.name == key).collect()
}

fn bare_name(name: &str) -> &str {
    let name = name.trim().trim_end_matches("()");
    match name.rsplit_once('.') {
        Some((_, n)) => n,
        None => name,
    }
}

/// Edit distance between two short strings (for "did you mean").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Names from `candidates` close to `name`: same prefix, containing it, or a small edit
/// distance; best first, at most 5, no duplicates.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let name = name.to_lowercase();
    let mut scored: Vec<(usize, String)> = vec![];
    for c in candidates {
        let lc = c.to_lowercase();
        let d = edit_distance(&name, &lc);
        let score = if lc == name {
            0
        } else if name.len() >= 2
            && lc.len() >= 2
            && (lc.starts_with(&name) || name.starts_with(&lc))
        {
            1
        } else if d <= 1 + name.len() / 4 {
            1 + d
        } else if name.len() >= 3 && lc.contains(&name) {
            4
        } else {
            continue;
        };
        if !scored.iter().any(|(_, s)| s == c) {
            scored.push((score, c.to_string()));
        }
    }
    scored.sort();
    scored.into_iter().take(5).map(|(_, s)| s).collect()
}

/// Help for one name: every matching entry's usage line and text, or an error that
/// suggests close names.
pub fn describe(name: &str) -> Result<String, String> {
    let found = lookup(name);
    if found.is_empty() {
        let docs = all_docs();
        let close = suggest(bare_name(name), docs.iter().map(|d| d.name));
        let mut msg = format!("no function '{}' is documented", bare_name(name));
        if !close.is_empty() {
            msg.push_str(&format!("; did you mean: {}?", close.join(", ")));
        }
        msg.push_str(" (`:help` lists every function)");
        return Err(msg);
    }
    let parts: Vec<String> = found
        .iter()
        .map(|d| {
            let mut t = format!("{}\n\n{}", d.sig, indent(d.doc, "    "));
            if !d.opts.is_empty() {
                t.push_str("\n\n    Options:");
                for o in &d.opts {
                    let default = if o.default.is_empty() {
                        String::new()
                    } else {
                        format!(" (default {})", o.default)
                    };
                    t.push_str(&format!("\n      {}: {}{default}  {}", o.name, o.ty, o.doc));
                }
            }
            t
        })
        .collect();
    Ok(parts.join("\n\n"))
}

/// `help(x)`, `x?` and `:help x` on a value: its type, how it shows, and every method and
/// property registered for that type with the first sentence of its documentation (read
/// from the engine, so whatever a binding module registers is listed).
pub fn describe_value(engine: &rhai::Engine, v: &rhai::Dynamic, shown: &str) -> String {
    let mut out = engine.map_type_name(v.type_name()).to_string();
    let shown = shown.trim_end();
    if !shown.is_empty() {
        let preview: Vec<&str> = shown.lines().take(12).collect();
        out.push_str(&format!(":\n{}", indent(&preview.join("\n"), "  ")));
        if shown.lines().count() > 12 {
            out.push_str("\n  ...");
        }
    }
    let index = super::completion::FnIndex::build(engine);
    let Some(members) = index.by_type.get(&v.type_id()) else {
        return out;
    };
    let mut props = vec![];
    let mut methods = vec![];
    for m in members {
        let doc = lookup(m)
            .into_iter()
            .find(|d| d.sig.contains(&format!(".{m}")) || d.sig.starts_with(&format!("{m}(")));
        let line = match doc {
            Some(d) => format!("  {:<34} {}", d.sig, first_sentence(d.doc)),
            None => format!("  {m}"),
        };
        if doc.is_some_and(|d| {
            !d.sig.contains(&format!(".{m}(")) && !d.sig.contains(&format!("{m}("))
        }) {
            props.push(line);
        } else {
            methods.push(line);
        }
    }
    if !props.is_empty() {
        out.push_str(&format!("\n\nProperties:\n{}", props.join("\n")));
    }
    if !methods.is_empty() {
        out.push_str(&format!(
            "\n\nMethods and functions:\n{}",
            methods.join("\n")
        ));
    }
    out.push_str("\n\n`help(\"NAME\")` shows one in full.");
    out
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_sentence(doc: &str) -> &str {
    let line = doc.lines().next().unwrap_or("");
    match line.find(". ") {
        Some(i) => &line[..=i],
        None => line,
    }
}

/// The list of every documented function by section: usage line and first sentence.
pub fn list() -> String {
    let mut out = String::new();
    for (title, docs) in sections() {
        if docs.is_empty() {
            continue;
        }
        out.push_str(&format!("{title}:\n"));
        for d in docs {
            out.push_str(&format!("  {:<40} {}\n", d.sig, first_sentence(d.doc)));
        }
        out.push('\n');
    }
    out.push_str("`help NAME` (or `:help NAME` at the prompt) shows one function in full.\n");
    out
}

/// The function reference in Markdown, committed as docs/reference.md.
pub fn markdown() -> String {
    let mut out = String::from(
        "# evsh function reference\n\n\
         <!-- Generated by `evsh help --markdown`; do not edit by hand. Regenerate with\n     \
         `cargo run --quiet -- help --markdown > docs/reference.md`. -->\n\n\
         Every function, method and property a script can call, by domain. Options are passed\n\
         as object maps (`f(x, #{bins: 100})`); `x.f(a)` and `f(x, a)` are the same call.\n",
    );
    for (title, docs) in sections() {
        if docs.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {title}\n"));
        for d in docs {
            out.push_str(&format!(
                "\n### `{}`\n\n`{}`\n\n{}\n",
                d.name,
                d.sig,
                d.doc.trim_end()
            ));
            if !d.opts.is_empty() {
                out.push_str("\n| option | value | default | meaning |\n|---|---|---|---|\n");
                for o in &d.opts {
                    let default = if o.default.is_empty() {
                        "—".to_string()
                    } else {
                        format!("`{}`", o.default)
                    };
                    out.push_str(&format!(
                        "| `{}` | {} | {default} | {} |\n",
                        o.name,
                        o.ty.replace('|', "\\|"),
                        o.doc.replace('|', "\\|")
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        let names = ["load", "save", "sort", "to_csv", "head"];
        assert_eq!(suggest("lod", names), vec!["load"]);
        assert_eq!(suggest("csv", names), vec!["to_csv"]);
        assert!(suggest("zzzzzz", names).is_empty());
    }

    /// Every function, method and property the engine has (besides Rhai's own standard
    /// library, operators and indexers) is documented, and every documented name exists.
    #[test]
    fn docs_match_registered_functions() {
        use std::collections::BTreeSet;
        let engine = super::super::build_engine();
        // Entries that document syntax rather than one named function.
        let syntax = ["index", "operators", "division"];
        let registered: BTreeSet<String> = engine
            .collect_fn_metadata(
                None,
                |info| {
                    let n = info.metadata.name.to_string();
                    let n = n
                        .strip_prefix("get$")
                        .or_else(|| n.strip_prefix("set$"))
                        .unwrap_or(&n)
                        .to_string();
                    Some(n)
                },
                false,
            )
            .into_iter()
            .filter(|n| {
                n.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && !n.starts_with("index$")
                    && n != "to_string"
                    && n != "to_debug"
                    // `e.index` (a property) shares its name with the indexing entry.
                    && !syntax.contains(&n.as_str())
            })
            .collect();
        let documented: BTreeSet<String> = all_docs()
            .iter()
            .map(|d| d.name.to_string())
            .filter(|n| !syntax.contains(&n.as_str()))
            .collect();
        let undocumented: Vec<_> = registered.difference(&documented).collect();
        let phantom: Vec<_> = documented.difference(&registered).collect();
        assert!(
            undocumented.is_empty(),
            "registered but not documented: {undocumented:?}"
        );
        assert!(
            phantom.is_empty(),
            "documented but not registered: {phantom:?}"
        );
    }

    #[test]
    fn bare_names() {
        assert_eq!(bare_name("t.sort"), "sort");
        assert_eq!(bare_name("Table.to_csv()"), "to_csv");
        assert_eq!(bare_name(" exit "), "exit");
    }
}
