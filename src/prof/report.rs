//! A finished profile and its three outputs: the cProfile-style table (header with total
//! calls and seconds, then `ncalls tottime percall cumtime percall function`, recursion as
//! `total/primitive`, kernel stages as indented sub-rows), JSON, and the collapsed-stack
//! ("folded") text that flame-graph tools read.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};

/// A kernel stage inside a function: calls and seconds summed over all threads.
#[derive(Clone, Debug, PartialEq)]
pub struct StageRow {
    pub name: String,
    pub ncalls: u64,
    pub seconds: f64,
}

/// One function's totals.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `load`, `e.his`, or `file:line(name)` for a script function.
    pub function: String,
    pub builtin: bool,
    pub ncalls: u64,
    /// Calls not made from inside another call of the same function.
    pub primitive: u64,
    /// Seconds in the function itself (callees excluded).
    pub tottime: f64,
    /// Seconds of its outermost calls, callees included.
    pub cumtime: f64,
    pub stages: Vec<StageRow>,
}

impl Row {
    fn percall_tot(&self) -> f64 {
        if self.ncalls == 0 {
            0.0
        } else {
            self.tottime / self.ncalls as f64
        }
    }
    fn percall_cum(&self) -> f64 {
        if self.primitive == 0 {
            0.0
        } else {
            self.cumtime / self.primitive as f64
        }
    }
}

/// One call path with the time spent in its last frame.
#[derive(Clone, Debug, PartialEq)]
pub struct StackLine {
    pub stack: Vec<String>,
    pub seconds: f64,
}

/// Sort orders the table accepts (`sort` option).
pub const SORT_KEYS: &[&str] = &[
    "ncalls",
    "primitive",
    "tottime",
    "percall",
    "cumtime",
    "cumpercall",
    "function",
];

/// A recorded profile with its display settings.
#[derive(Clone, Debug)]
pub struct Profile {
    pub rows: Vec<Row>,
    /// Stage time recorded outside any function.
    pub loose_stages: Vec<StageRow>,
    /// Wall seconds from start to finish.
    pub seconds: f64,
    pub stacks: Vec<StackLine>,
    /// Column to order by (one of [`SORT_KEYS`]).
    pub sort: String,
    /// Rows shown (None: all).
    pub limit: Option<usize>,
    /// Set when this profile ran inside another one and recorded nothing itself.
    pub nested: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            rows: vec![],
            loose_stages: vec![],
            seconds: 0.0,
            stacks: vec![],
            sort: "cumtime".into(),
            limit: None,
            nested: false,
        }
    }
}

/// Check a sort key (with cProfile's aliases) and return its canonical name.
pub fn sort_key(s: &str) -> Result<&'static str> {
    let k = match s {
        "calls" => "ncalls",
        "pcalls" => "primitive",
        "time" => "tottime",
        "cumulative" | "cum" => "cumtime",
        "name" => "function",
        _ => s,
    };
    SORT_KEYS.iter().copied().find(|x| *x == k).ok_or_else(|| {
        Error::msg(format!(
            "profile: unknown sort column '{s}'; use one of {}",
            SORT_KEYS.join(", ")
        ))
    })
}

fn fmt_secs(s: f64) -> String {
    format!("{s:.3}")
}

impl Profile {
    pub fn total_calls(&self) -> u64 {
        self.rows.iter().map(|r| r.ncalls).sum()
    }
    pub fn primitive_calls(&self) -> u64 {
        self.rows.iter().map(|r| r.primitive).sum()
    }

    /// Rows in display order.
    pub fn sorted_rows(&self) -> Vec<&Row> {
        let mut v: Vec<&Row> = self.rows.iter().collect();
        let key = sort_key(&self.sort).unwrap_or("cumtime");
        let f = |r: &Row| -> f64 {
            match key {
                "ncalls" => r.ncalls as f64,
                "primitive" => r.primitive as f64,
                "tottime" => r.tottime,
                "percall" => r.percall_tot(),
                "cumpercall" => r.percall_cum(),
                _ => r.cumtime,
            }
        };
        if key == "function" {
            v.sort_by(|a, b| a.function.cmp(&b.function));
        } else {
            v.sort_by(|a, b| {
                f(b).total_cmp(&f(a))
                    .then_with(|| a.function.cmp(&b.function))
            });
        }
        v
    }

    /// The table as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.nested {
            out.push_str(
                "(this profile ran inside another profile; its calls are recorded there)\n",
            );
            return out;
        }
        let (tc, pc) = (self.total_calls(), self.primitive_calls());
        if tc == pc {
            out.push_str(&format!(
                "{tc} function calls in {:.3} seconds\n\n",
                self.seconds
            ));
        } else {
            out.push_str(&format!(
                "{tc} function calls ({pc} primitive calls) in {:.3} seconds\n\n",
                self.seconds
            ));
        }
        let key = sort_key(&self.sort).unwrap_or("cumtime");
        out.push_str(&format!("   Ordered by: {key}\n"));
        let rows = self.sorted_rows();
        let shown = self.limit.unwrap_or(rows.len()).min(rows.len());
        if shown < rows.len() {
            out.push_str(&format!(
                "   List reduced from {} to {shown} due to restriction <{shown}>\n",
                rows.len()
            ));
        }
        out.push('\n');
        let mut lines: Vec<[String; 6]> = vec![[
            "ncalls".into(),
            "tottime".into(),
            "percall".into(),
            "cumtime".into(),
            "percall".into(),
            "function".into(),
        ]];
        let mut has_stages = false;
        for r in rows.iter().take(shown) {
            let calls = if r.ncalls == r.primitive {
                r.ncalls.to_string()
            } else {
                format!("{}/{}", r.ncalls, r.primitive)
            };
            lines.push([
                calls,
                fmt_secs(r.tottime),
                fmt_secs(r.percall_tot()),
                fmt_secs(r.cumtime),
                fmt_secs(r.percall_cum()),
                r.function.clone(),
            ]);
            for s in &r.stages {
                has_stages = true;
                lines.push(stage_line(s));
            }
        }
        for s in &self.loose_stages {
            has_stages = true;
            let mut l = stage_line(s);
            l[5] = format!("(no function) [{}]", s.name);
            lines.push(l);
        }
        let widths: Vec<usize> = (0..5)
            .map(|c| lines.iter().map(|l| l[c].len()).max().unwrap_or(0))
            .collect();
        for l in &lines {
            for c in 0..5 {
                out.push_str(&format!("{:>w$}  ", l[c], w = widths[c].max(7)));
            }
            out.push_str(&l[5]);
            out.push('\n');
        }
        if has_stages {
            out.push_str(
                "\n   └ rows are kernel stages of the function above: time summed over all \
                 threads (may exceed wall time)\n",
            );
        }
        out
    }

    /// The profile as JSON (rows with their stages, call paths, totals).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let rows: Vec<_> = self
            .sorted_rows()
            .iter()
            .map(|r| {
                json!({
                    "function": r.function,
                    "builtin": r.builtin,
                    "ncalls": r.ncalls,
                    "primitive": r.primitive,
                    "tottime": r.tottime,
                    "cumtime": r.cumtime,
                    "stages": r.stages.iter().map(|s| json!({
                        "name": s.name, "ncalls": s.ncalls, "seconds": s.seconds
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "total_calls": self.total_calls(),
            "primitive_calls": self.primitive_calls(),
            "seconds": self.seconds,
            "rows": rows,
            "stacks": self.stacks.iter().map(|s| json!({
                "stack": s.stack, "seconds": s.seconds
            })).collect::<Vec<_>>(),
        })
    }

    /// Collapsed stacks: `frame;frame;frame microseconds` per line (flamegraph.pl,
    /// inferno, speedscope read it). Frames are sanitised of `;` and spaces.
    pub fn to_folded(&self) -> String {
        let mut out = String::new();
        for s in &self.stacks {
            let us = (s.seconds * 1e6).round() as u64;
            if us == 0 {
                continue;
            }
            let frames: Vec<String> = s
                .stack
                .iter()
                .map(|f| f.replace(';', ":").replace(' ', "_"))
                .collect();
            out.push_str(&format!("{} {us}\n", frames.join(";")));
        }
        out
    }

    /// Save as `.json` or `.folded` (decided by the extension), atomically.
    pub fn save(&self, path: &str) -> Result<()> {
        let p = Path::new(path);
        let text = match p.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(&self.to_json())
                .map_err(|e| Error::msg(format!("{path}: cannot encode the profile: {e}")))?,
            Some("folded") | Some("txt") => self.to_folded(),
            _ => {
                return Err(Error::msg(format!(
                    "profile save: '{path}': use a .json or .folded file name"
                )))
            }
        };
        write_atomic(p, text.as_bytes())
    }
}

fn stage_line(s: &StageRow) -> [String; 6] {
    let per = if s.ncalls == 0 {
        0.0
    } else {
        s.seconds / s.ncalls as f64
    };
    [
        s.ncalls.to_string(),
        fmt_secs(s.seconds),
        fmt_secs(per),
        fmt_secs(s.seconds),
        fmt_secs(per),
        format!("  └ {}", s.name),
    ]
}

/// Write `bytes` to `path` atomically (the shared writer of every output).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::io::write_atomic(path, bytes)
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Profile {
        Profile {
            rows: vec![
                Row {
                    function: "t.rhai:3(fact)".into(),
                    builtin: false,
                    ncalls: 5,
                    primitive: 1,
                    tottime: 0.5,
                    cumtime: 0.5,
                    stages: vec![],
                },
                Row {
                    function: "load".into(),
                    builtin: true,
                    ncalls: 2,
                    primitive: 2,
                    tottime: 1.0,
                    cumtime: 1.25,
                    stages: vec![StageRow {
                        name: "read".into(),
                        ncalls: 8,
                        seconds: 2.0,
                    }],
                },
            ],
            seconds: 2.0,
            stacks: vec![StackLine {
                stack: vec!["a b".into(), "load".into()],
                seconds: 0.25,
            }],
            ..Profile::default()
        }
    }

    #[test]
    fn table_layout() {
        let mut p = sample();
        let t = p.render();
        assert!(t.starts_with("7 function calls (3 primitive calls) in 2.000 seconds"));
        let lines: Vec<&str> = t.lines().collect();
        let hdr = lines.iter().position(|l| l.contains("ncalls")).unwrap();
        assert!(lines[hdr].trim_start().starts_with("ncalls"));
        assert!(lines[hdr].trim_end().ends_with("function"));
        // Default order: cumtime, so load first, then its stage, then fact.
        assert!(lines[hdr + 1].ends_with(" load"));
        assert!(lines[hdr + 1].contains("0.500")); // percall tottime 1.0/2
        assert!(lines[hdr + 2].ends_with("└ read"));
        assert!(lines[hdr + 3].trim_start().starts_with("5/1"));
        p.sort = "ncalls".into();
        p.limit = Some(1);
        let t = p.render();
        assert!(t.contains("List reduced from 2 to 1"));
        assert!(t.contains("5/1"));
        assert!(!t.contains(" load\n"));
        assert!(sort_key("bogus").is_err());
        assert_eq!(sort_key("cumulative").unwrap(), "cumtime");
    }

    #[test]
    fn folded_and_json() {
        let p = sample();
        assert_eq!(p.to_folded(), "a_b;load 250000\n");
        let j = p.to_json();
        assert_eq!(j["total_calls"], 7);
        assert_eq!(j["rows"][0]["function"], "load");
        assert_eq!(j["rows"][0]["stages"][0]["ncalls"], 8);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.json");
        p.save(f.to_str().unwrap()).unwrap();
        let back: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        assert_eq!(back["primitive_calls"], 3);
        assert!(p.save(dir.path().join("p.csv").to_str().unwrap()).is_err());
    }
}
