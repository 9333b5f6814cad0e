//! How an event shows itself: the table of its arrays and the summary printed at the
//! prompt.

use super::*;

impl Event {
    /// `e.arrays`: one row per stored array, derived column and missing array.
    pub fn arrays_table(&self) -> Table {
        let f = &self.data.folder;
        let (mut name, mut shape, mut dtype, mut photon, mut kind) =
            (vec![], vec![], vec![], vec![], vec![]);
        let n = self.count();
        for e in f.arrays.values() {
            name.push(e.name.clone());
            let mut s = e.array.shape().to_vec();
            if e.photon && !s.is_empty() {
                s[0] = n;
            }
            shape.push(fmt_shape(&s));
            dtype.push(e.array.dtype().name());
            photon.push(e.photon);
            kind.push(if e.photon && f.slice.is_some() {
                format!("{} (file rows {})", e.array.mem_kind().name(), e.file_rows)
            } else {
                e.array.mem_kind().name().to_string()
            });
        }
        let r = f
            .arrays
            .get("rx")
            .map(|e| e.array.shape().get(1).copied().unwrap_or(0))
            .unwrap_or(0);
        for d in self.derived_names() {
            let (s, t): (Vec<usize>, &str) = match d {
                "rpost" => (vec![n, r, 4], "float32"),
                "rpol" => (vec![n, r, 3], "float32"),
                "wavelength" => (vec![n, r], "float32"),
                "m1" | "m2" | "fl" => (vec![n, r], "uint8"),
                "bd" => (vec![n, r], "int8"),
                "boundary" if self.layout() == Layout::Legacy => (vec![n], "int16"),
                "sensor" => (vec![n], "uint16"),
                "seqhis" if self.layout() == Layout::NpFold => (vec![n, 2], "uint64"),
                "seqhis" | "seqmat" => (vec![n], "uint64"),
                "npoints" => (vec![n], "uint8"),
                _ => (vec![n], "uint32"),
            };
            name.push(d.to_string());
            shape.push(fmt_shape(&s));
            dtype.push(t.to_string());
            photon.push(true);
            let cached = match &self.sel {
                None => self
                    .data
                    .derived
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .contains_key(d),
                Some(s) => s
                    .cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .contains_key(d),
            };
            kind.push(
                if cached {
                    "derived (cached)"
                } else {
                    "derived"
                }
                .to_string(),
            );
        }
        for m in &f.missing {
            name.push(m.clone());
            shape.push("-".into());
            dtype.push("-".into());
            photon.push(f.layout.photon_shaped().contains(&m.as_str()));
            kind.push("missing".into());
        }
        let mut t = Table::new(Some(format!("arrays of {}", self.short_name())));
        for (k, c) in [
            ("name", Col::Str(name)),
            ("shape", Col::Str(shape)),
            ("dtype", Col::Str(dtype)),
            ("photon", Col::Bool(photon)),
            ("kind", Col::Str(kind)),
        ] {
            t.push(k, c).expect("same length");
        }
        if !f.missing.is_empty() {
            t.footer
                .push(format!("missing (optional): {}", f.missing.join(", ")));
        }
        for w in &f.warnings {
            t.footer.push(format!("warning: {w}"));
        }
        t
    }

    /// A few lines describing the event.
    pub fn summary(&self) -> String {
        let f = &self.data.folder;
        let mut s = format!("Event {} ({})\n", f.path.display(), f.layout.name());
        s.push_str(&format!(
            "  file_photons {}",
            crate::array::rows::format_count(f.file_photons)
        ));
        if let Some(sl) = &f.slice {
            s.push_str(&format!(" load_slice {sl}"));
        }
        s.push_str(&format!(
            " loaded {}\n",
            crate::array::rows::format_count(f.photons)
        ));
        if let Some(sel) = &self.sel {
            s.push_str(&format!(
                "  selection \"{}\": {} photons ({:.4}% of loaded), rows held as {} ({} bytes)\n",
                sel.spec,
                sel.rows.count(),
                100.0 * sel.rows.count() as f64 / f.photons.max(1) as f64,
                sel.rows.kind(),
                sel.rows.nbytes()
            ));
        }
        s.push_str(&format!(
            "  flags {} ({})\n",
            self.data.flags.name, self.data.flags_from
        ));
        let mut names: Vec<String> = vec![];
        for e in f.arrays.values() {
            names.push(format!("{}{}", e.name, fmt_shape(e.array.shape())));
        }
        s.push_str(&format!("  arrays: {}\n", names.join(" ")));
        s.push_str(&format!("  derived: {}", self.derived_names().join(" ")));
        if !f.missing.is_empty() {
            s.push_str(&format!("\n  missing: {}", f.missing.join(" ")));
        }
        for w in &f.warnings {
            s.push_str(&format!("\n  warning: {w}"));
        }
        s
    }
}
