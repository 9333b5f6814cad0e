//! The verdict of a comparison for unattended runs: `ab.rc`, a bit mask of the deviation
//! tables above WARNING (rpost 1, rpol 2, ox 4) meant for `exit(ab.rc)`, and
//! `ab.summary(path)`, a JSON file with the chi-square, alignment, smoking guns,
//! migrations and every deviation table's level, cuts and non-INFO rows.

use serde_json::{json, Value};

use super::dv::{DvOpts, DvOrder, Level, Quantity};
use super::his::{HisOpts, DEFAULT_C2CUT, DEFAULT_ZEROS_MIN};
use super::Pair;
use crate::error::Result;
use crate::event::history::Kind;
use crate::output::table::{Col, Table};

/// Rows of each table written to the summary at most.
pub const SUMMARY_ROWS: usize = 1000;

/// Whether a deviation table can be computed for this pair (and why not).
fn available(p: &Pair, q: Quantity) -> std::result::Result<(), String> {
    use crate::event::folder::Layout;
    let has = |name: &str| {
        p.a().folder().arrays.contains_key(name) && p.b().folder().arrays.contains_key(name)
    };
    let both_legacy = p.a().layout() == Layout::Legacy && p.b().layout() == Layout::Legacy;
    match q {
        Quantity::Rpost | Quantity::Rpol if !both_legacy => {
            Err("step records (rx) exist only in legacy events".into())
        }
        Quantity::Rpost | Quantity::Rpol if !has("rx") => Err("no rx array on both sides".into()),
        Quantity::Rpost if p.a().domains().is_none() || p.b().domains().is_none() => {
            Err("no domains (fdom) on both sides".into())
        }
        Quantity::Ox if !(has("ox") || has("photon")) => {
            Err("no ox/photon array on both sides".into())
        }
        _ => Ok(()),
    }
}

fn col_json(c: &Col, i: usize) -> Value {
    match c {
        Col::Int(v) => json!(v[i]),
        Col::Float(v) => {
            if v[i].is_finite() {
                json!(v[i])
            } else {
                Value::Null
            }
        }
        Col::Str(v) => json!(v[i]),
        Col::Bool(v) => json!(v[i]),
    }
}

/// Rows of a table as JSON objects (at most `max`, those satisfying `keep`).
fn rows_json(t: &Table, max: usize, keep: impl Fn(usize) -> bool) -> Vec<Value> {
    (0..t.nrows())
        .filter(|&i| keep(i))
        .take(max)
        .map(|i| {
            let mut m = serde_json::Map::new();
            for (n, c) in t.names.iter().zip(&t.cols) {
                m.insert(n.clone(), col_json(c, i));
            }
            Value::Object(m)
        })
        .collect()
}

impl Pair {
    /// `ab.rc`: bit mask of the deviation tables (with default cuts) above WARNING:
    /// rpost 1, rpol 2, ox 4. Tables the events cannot provide (no records in NPFold
    /// events) contribute nothing.
    pub fn rc(&self) -> Result<i64> {
        let mut rc = 0;
        for q in Quantity::ALL {
            if available(self, q).is_err() {
                continue;
            }
            if self.dv_level(q)? > Level::Warning {
                rc |= q.bit();
            }
        }
        Ok(rc)
    }

    /// The JSON summary of all tables.
    pub fn summary_json(&self) -> Result<Value> {
        let c2 = self.chi2(Kind::Seqhis, DEFAULT_C2CUT)?;
        let al = self.alignment()?;
        let his = self.his_table(Kind::Seqhis, &HisOpts::default())?;
        let zeros = self.zeros(Kind::Seqhis, DEFAULT_ZEROS_MIN)?;
        let mig = self.migrations()?;
        let mut dvs = serde_json::Map::new();
        let mut rc = 0i64;
        for q in Quantity::ALL {
            if let Err(why) = available(self, q) {
                dvs.insert(q.name().into(), json!({"skipped": why}));
                continue;
            }
            let cuts = self.default_cuts(q);
            let r = self.deviations(q, &cuts)?;
            let (qlv, worst) = r.levels();
            if worst > Level::Warning {
                rc |= q.bit();
            }
            let t = self.dv_table(
                q,
                &DvOpts {
                    order: DvOrder::Worst,
                    ..DvOpts::default()
                },
            )?;
            let lv = t.col("level")?.clone();
            let rows = rows_json(&t, SUMMARY_ROWS, |i| match &lv {
                Col::Str(v) => v[i] != "INFO",
                _ => true,
            });
            let qn = q.qtys();
            let cut_json: serde_json::Map<String, Value> = qn
                .iter()
                .zip(&cuts)
                .map(|(n, c)| (n.to_string(), json!([c.warn, c.err, c.fatal])))
                .collect();
            let lv_json: serde_json::Map<String, Value> = qn
                .iter()
                .zip(&qlv)
                .map(|(n, l)| (n.to_string(), json!(l.name())))
                .collect();
            dvs.insert(
                q.name().into(),
                json!({
                    "level": worst.name(),
                    "levels": lv_json,
                    "cuts": cut_json,
                    "histories": r.per.len(),
                    "aligned": r.aligned,
                    "rows_not_info": rows,
                }),
            );
        }
        Ok(json!({
            "a": Pair::side_name(self.a()),
            "b": Pair::side_name(self.b()),
            "photons": self.loaded(),
            "a_count": self.a().count(),
            "b_count": self.b().count(),
            "alignment": {"compared": al.scope, "aligned": al.aligned, "misaligned": al.misaligned},
            "c2": {
                "c2sum": c2.c2sum,
                "ndf": c2.ndf,
                "pvalue": if c2.pvalue.is_finite() { json!(c2.pvalue) } else { Value::Null },
                "rows": c2.rows,
                "c2cut": DEFAULT_C2CUT,
            },
            "his_top": rows_json(&his, 50, |_| true),
            "zeros": rows_json(&zeros, SUMMARY_ROWS, |_| true),
            "migrations_top": rows_json(&mig, 50, |_| true),
            "dv": Value::Object(dvs),
            "rc": rc,
        }))
    }

    /// `ab.summary(path)`: write the JSON summary atomically; returns the rc.
    pub fn write_summary(&self, path: &std::path::Path) -> Result<i64> {
        let _s = crate::prof::stage("summary");
        let v = self.summary_json()?;
        let text = serde_json::to_string_pretty(&v)
            .map_err(|e| crate::err!("summary: cannot serialize: {e}"))?;
        crate::output::write_atomic(path, text.as_bytes())?;
        Ok(v["rc"].as_i64().unwrap_or(0))
    }
}
