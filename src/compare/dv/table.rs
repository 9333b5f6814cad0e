//! Tables from the deviation pass: `ab.dv(q)` (per history and quantity), the worst level
//! for exit codes, and `ab.worst(q, n)` (the photons furthest beyond their cut).

use rayon::prelude::*;

use super::kernel::comp_name;
use super::*;
use crate::compare::{par_scope, CodeMap, Pair};

impl Pair {
    /// The deviation table of `q` (`ab.dv`): one row per history with aligned photons and
    /// quantity; columns `label qty a b aligned nwarn nerr nfatal fwarn ferr ffatal max
    /// min mean level`.
    pub fn dv_table(&self, q: Quantity, o: &DvOpts) -> Result<Table> {
        let cuts = self.cuts(q, &o.cuts)?;
        let r = self.deviations(q, &cuts)?;
        let _s = crate::prof::stage("deviation table");
        let union = self.union(Kind::Seqhis)?;
        let counts: CodeMap<u128, (u64, u64)> =
            union.iter().map(|u| (u.code, (u.a, u.b))).collect();
        let no_aligned = union.len().saturating_sub(r.per.len());
        let qn = q.qtys();
        let nq = qn.len();
        // (history index in r.per, quantity)
        let mut rows: Vec<(usize, usize)> = (0..r.per.len())
            .flat_map(|h| (0..nq).map(move |k| (h, k)))
            .collect();
        let ratio = |h: usize, k: usize| {
            let g = &r.per[h].1.q[k];
            let w = cuts[k].warn;
            if w > 0.0 {
                g.max / w
            } else if g.max > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        };
        let code_of = |h: usize| r.per[h].0;
        rows.par_sort_unstable_by(|&(h1, k1), &(h2, k2)| {
            let (g1, g2) = (&r.per[h1].1, &r.per[h2].1);
            let by_count = g2.n.cmp(&g1.n);
            let by_max = ratio(h2, k2).total_cmp(&ratio(h1, k1));
            let first = match o.order {
                DvOrder::Worst => row_level(&g2.q[k2])
                    .cmp(&row_level(&g1.q[k1]))
                    .then(by_max)
                    .then(by_count),
                DvOrder::Count => by_count.then(k1.cmp(&k2)),
                DvOrder::Max => by_max.then(by_count),
            };
            first.then(code_of(h1).cmp(&code_of(h2))).then(k1.cmp(&k2))
        });
        let a = self.a();
        let labels: Vec<String> = r
            .per
            .par_iter()
            .map(|(c, _)| a.label_of(Kind::Seqhis, *c))
            .collect();
        let n = rows.len();
        let mut c_label = Vec::with_capacity(n);
        let mut c_qty = Vec::with_capacity(n);
        let (mut ca, mut cb, mut cal) = (vec![0i64; n], vec![0i64; n], vec![0i64; n]);
        let (mut nw, mut ne, mut nf) = (vec![0i64; n], vec![0i64; n], vec![0i64; n]);
        let (mut fw, mut fe, mut ff) = (vec![0f64; n], vec![0f64; n], vec![0f64; n]);
        let (mut mx, mut mn, mut me) = (vec![0f64; n], vec![0f64; n], vec![0f64; n]);
        let mut lv = Vec::with_capacity(n);
        for (j, &(h, k)) in rows.iter().enumerate() {
            let (code, g) = &r.per[h];
            let qa = &g.q[k];
            let (na, nb) = counts.get(code).copied().unwrap_or((0, 0));
            c_label.push(labels[h].clone());
            c_qty.push(qn[k].to_string());
            ca[j] = na as i64;
            cb[j] = nb as i64;
            cal[j] = g.n as i64;
            nw[j] = qa.nwarn as i64;
            ne[j] = qa.nerr as i64;
            nf[j] = qa.nfatal as i64;
            let d = g.n.max(1) as f64;
            fw[j] = qa.nwarn as f64 / d;
            fe[j] = qa.nerr as f64 / d;
            ff[j] = qa.nfatal as f64 / d;
            mx[j] = qa.max;
            mn[j] = qa.min;
            me[j] = qa.sum / d;
            lv.push(row_level(qa).name().to_string());
        }
        let (qlv, worst) = r.levels();
        let cut_text: Vec<String> = (0..nq)
            .map(|k| {
                let u = q.unit(k);
                format!(
                    "{}{} {:.4}/{:.4}/{:.4}",
                    qn[k],
                    if u.is_empty() {
                        String::new()
                    } else {
                        format!(" ({u})")
                    },
                    cuts[k].warn,
                    cuts[k].err,
                    cuts[k].fatal
                )
            })
            .collect();
        let mut t = Table::new(Some(format!(
            "{} deviations |A-B| per history, aligned photons: level {} ({} histories, {} aligned \
photons); cuts warn/error/fatal: {}",
            q.name(),
            worst.name(),
            r.per.len(),
            r.aligned,
            cut_text.join(", ")
        )));
        let cols = vec![
            ("label", Col::Str(c_label)),
            ("qty", Col::Str(c_qty)),
            ("a", Col::Int(ca)),
            ("b", Col::Int(cb)),
            ("aligned", Col::Int(cal)),
            ("nwarn", Col::Int(nw)),
            ("nerr", Col::Int(ne)),
            ("nfatal", Col::Int(nf)),
            ("fwarn", Col::Float(fw)),
            ("ferr", Col::Float(fe)),
            ("ffatal", Col::Float(ff)),
            ("max", Col::Float(mx)),
            ("min", Col::Float(mn)),
            ("mean", Col::Float(me)),
            ("level", Col::Str(lv)),
        ];
        for (name, c) in cols {
            t.push(name, c)?;
        }
        t.show = Some(o.top.max(1));
        t.head_only = true;
        for (k, l) in qlv.iter().enumerate() {
            let g = r.per.iter().fold(QAgg::default(), |mut acc, (_, a)| {
                let x = &a.q[k];
                acc.nwarn += x.nwarn;
                acc.nerr += x.nerr;
                acc.nfatal += x.nfatal;
                acc.max = acc.max.max(x.max);
                acc
            });
            t.footer.push(format!(
                "{}: level {}, photons over warn/error/fatal {}/{}/{}, max {}",
                qn[k],
                l.name(),
                g.nwarn,
                g.nerr,
                g.nfatal,
                if g.max.is_finite() {
                    format!("{:.6}", g.max)
                } else {
                    "-".into()
                }
            ));
        }
        if no_aligned > 0 {
            t.footer.push(format!(
                "{no_aligned} histories without aligned photons are not listed (see ab.zeros, \
ab.migrations)"
            ));
        }
        Ok(t)
    }

    /// The worst level of the deviation table `q` with default cuts.
    pub fn dv_level(&self, q: Quantity) -> Result<Level> {
        let cuts = self.default_cuts(q);
        Ok(self.deviations(q, &cuts)?.levels().1)
    }

    /// `ab.worst(q, n)`: the `n` aligned photons with the largest deviation relative to
    /// their quantity's warn cut.
    pub fn worst(&self, q: Quantity, n: usize, overrides: &[(String, Cuts)]) -> Result<Table> {
        let _s = crate::prof::stage("worst photons");
        let cuts = self.cuts(q, overrides)?;
        let src = self.dv_source(q)?;
        let (ha, hb) = self.seqhis()?;
        let (ma, mb) = self.members();
        let nq = q.qtys().len();
        // (score, photon, quantity, point, component, deviation)
        type Cand = (f64, usize, u8, u8, u8, f32);
        let keep = |mut v: Vec<Cand>| -> Vec<Cand> {
            v.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            v.truncate(n);
            v
        };
        let best = par_scope(
            self.scope(),
            Vec::<Cand>::new,
            |v, i| {
                if n == 0 || !Pair::is_aligned(i, &ha, &hb, ma, mb) {
                    return;
                }
                let p = src.photon(q, i, ha.get(i));
                let mut top: Option<Cand> = None;
                for (k, c) in cuts.iter().enumerate().take(nq) {
                    let d = p.dev[k] as f64;
                    if d <= 0.0 {
                        continue;
                    }
                    let w = c.warn;
                    let s = if w > 0.0 { d / w } else { f64::INFINITY };
                    if top.is_none_or(|t| s > t.0) {
                        top = Some((s, i, k as u8, p.at[k].0, p.at[k].1, p.dev[k]));
                    }
                }
                if let Some(c) = top {
                    v.push(c);
                    if v.len() >= 2 * n.max(64) {
                        let w = keep(std::mem::take(v));
                        *v = w;
                    }
                }
            },
            |mut x, y| {
                x.extend(y);
                keep(x)
            },
        )?;
        let best = keep(best);
        let off = self.a().folder().slice_start as i64;
        let m = best.len();
        let mut t = Table::new(Some(format!(
            "{} worst {m} aligned photons by deviation / warn cut",
            q.name()
        )));
        let qn = q.qtys();
        let cols = vec![
            (
                "index",
                Col::Int(best.iter().map(|c| c.1 as i64 + off).collect()),
            ),
            (
                "code",
                Col::Str(best.iter().map(|c| flags::hex(ha.get(c.1))).collect()),
            ),
            (
                "history",
                Col::Str(
                    best.iter()
                        .map(|c| self.a().label_of(Kind::Seqhis, ha.get(c.1)))
                        .collect(),
                ),
            ),
            (
                "qty",
                Col::Str(best.iter().map(|c| qn[c.2 as usize].to_string()).collect()),
            ),
            (
                "point",
                Col::Int(
                    best.iter()
                        .map(|c| if q == Quantity::Ox { -1 } else { c.3 as i64 })
                        .collect(),
                ),
            ),
            (
                "comp",
                Col::Str(best.iter().map(|c| comp_name(q, c.4).to_string()).collect()),
            ),
            (
                "deviation",
                Col::Float(best.iter().map(|c| c.5 as f64).collect()),
            ),
            ("ratio", Col::Float(best.iter().map(|c| c.0).collect())),
            (
                "a_value",
                Col::Float(
                    best.iter()
                        .map(|c| src.value(q, c.1, c.3, c.4, false))
                        .collect(),
                ),
            ),
            (
                "b_value",
                Col::Float(
                    best.iter()
                        .map(|c| src.value(q, c.1, c.3, c.4, true))
                        .collect(),
                ),
            ),
            (
                "level",
                Col::Str(
                    best.iter()
                        .map(|c| cuts[c.2 as usize].level(c.5 as f64).name().to_string())
                        .collect(),
                ),
            ),
        ];
        for (name, c) in cols {
            t.push(name, c)?;
        }
        t.footer.push(
            "index: photon row in the files; point: step point (-1 for the final photon); \
ratio: deviation / warn cut"
                .into(),
        );
        Ok(t)
    }
}
