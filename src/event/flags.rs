//! Photon flag tables and the history codecs built on them.
//!
//! A history (`seqhis`) packs one 4-bit nibble per step point, first point in the least
//! significant nibble, nibble value = ffs(flag) (0 = no step). Which flag a nibble value
//! means changed in mid-2025, so every decode goes through a [`FlagTable`]: one of the two
//! known bit orders, or a table read from an event's metadata. Labels are the
//! space-separated abbreviations users type (`"TO BT BT SA"`); masks (pflags/flagmask)
//! are `|`-separated (`"TO|BT|SD"`).

use crate::bail;
use crate::error::Result;

/// Abbreviations by nibble value (index 0 = no step) until mid-2025.
const LEGACY: [&str; 16] = [
    "", "CK", "SI", "MI", "AB", "RE", "SC", "SD", "SA", "DR", "SR", "BR", "BT", "TO", "NA", "EX",
];
/// Abbreviations by nibble value since mid-2025.
const V2025: [&str; 16] = [
    "", "CK", "SI", "TO", "AB", "RE", "SC", "SD", "SA", "DR", "SR", "BR", "BT", "NA", "EC", "EX",
];

/// Text shown for an empty slot inside a label (a zero nibble below a non-zero one).
pub const EMPTY_SLOT: &str = "-";

/// A flag table: which abbreviation each nibble value (1..=15) stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagTable {
    /// "legacy" (until mid-2025), "v2025", or "meta" (from an event's metadata).
    pub name: String,
    /// Abbreviation per nibble value; index 0 is unused ("").
    pub abbrev: Vec<String>,
}

impl FlagTable {
    /// The bit order used until mid-2025 (TO = 0xd).
    pub fn legacy() -> FlagTable {
        Self::from_static("legacy", &LEGACY)
    }
    /// The bit order used since mid-2025 (TO = 0x3, EC = 0xe).
    pub fn v2025() -> FlagTable {
        Self::from_static("v2025", &V2025)
    }
    fn from_static(name: &str, t: &[&str; 16]) -> FlagTable {
        FlagTable {
            name: name.to_string(),
            abbrev: t.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// A known table by name: `legacy` (aliases `old`, `pre2025`, `v2016`) or `v2025`
    /// (aliases `new`, `current`).
    pub fn by_name(name: &str) -> Result<FlagTable> {
        match name.trim().to_ascii_lowercase().as_str() {
            "legacy" | "old" | "pre2025" | "v2016" => Ok(Self::legacy()),
            "v2025" | "new" | "current" => Ok(Self::v2025()),
            other => bail!("unknown flag table '{other}': the known tables are legacy and v2025"),
        }
    }

    /// A table from a list of abbreviations in nibble order (value 1 first), as found in
    /// event metadata (`flags: CK SI TO AB ...`, separated by spaces or commas).
    pub fn from_list(text: &str) -> Result<FlagTable> {
        let names: Vec<&str> = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() || names.len() > 15 {
            bail!(
                "a flag table lists 1 to 15 abbreviations in nibble order, found {}",
                names.len()
            );
        }
        let mut abbrev = vec![String::new()];
        for n in &names {
            if abbrev.iter().any(|a| a == n) {
                bail!("flag table lists '{n}' twice");
            }
            abbrev.push(n.to_string());
        }
        while abbrev.len() < 16 {
            abbrev.push(String::new());
        }
        Ok(FlagTable {
            name: "meta".into(),
            abbrev,
        })
    }

    /// Nibble value of an abbreviation (case-sensitive, as printed).
    pub fn nibble(&self, abbrev: &str) -> Option<u8> {
        if abbrev.is_empty() {
            return None;
        }
        self.abbrev
            .iter()
            .position(|a| a == abbrev)
            .map(|p| p as u8)
    }

    /// Abbreviation of a nibble value ("?N?" for values the table does not name).
    pub fn abbrev_of(&self, v: u8) -> String {
        match self.abbrev.get(v as usize) {
            Some(a) if !a.is_empty() => a.clone(),
            _ if v == 0 => EMPTY_SLOT.to_string(),
            _ => format!("?{v:x}?"),
        }
    }

    /// The nibble value of a flag abbreviation, or an error listing the known ones.
    pub fn nibble_or_err(&self, tok: &str) -> Result<u8> {
        match self.nibble(tok) {
            Some(v) => Ok(v),
            None => bail!(
                "unknown flag '{tok}' (flag table {}: {})",
                self.name,
                self.known().join(" ")
            ),
        }
    }

    /// The abbreviations of this table in nibble order.
    pub fn known(&self) -> Vec<&str> {
        self.abbrev
            .iter()
            .skip(1)
            .filter(|a| !a.is_empty())
            .map(|s| s.as_str())
            .collect()
    }

    /// Generation flags (what the first point of a photon is): CK, SI, TO nibble values.
    pub fn generation_nibbles(&self) -> Vec<u8> {
        ["CK", "SI", "TO"]
            .iter()
            .filter_map(|a| self.nibble(a))
            .collect()
    }

    // ------------------------------------------------------------ seqhis codec

    /// The label of a history code: abbreviations point by point, up to the last
    /// non-empty slot (empty slots below it shown as `-`). Code 0 is `""`.
    pub fn label(&self, code: u128) -> String {
        let np = npoints(code);
        let mut parts = Vec::with_capacity(np);
        for i in 0..np {
            parts.push(self.abbrev_of(((code >> (4 * i)) & 0xf) as u8));
        }
        parts.join(" ")
    }

    /// The code of a label `"TO BT BT SA"` (at most `slots` points; `-` is an empty slot).
    pub fn encode(&self, label: &str, slots: usize) -> Result<u128> {
        let toks: Vec<&str> = label.split_whitespace().collect();
        if toks.len() > slots {
            bail!(
                "history '{label}' has {} points, more than the {slots} slots of the code",
                toks.len()
            );
        }
        let mut code = 0u128;
        for (i, t) in toks.iter().enumerate() {
            let v = if *t == EMPTY_SLOT {
                0
            } else {
                self.nibble_or_err(t)?
            };
            code |= (v as u128) << (4 * i);
        }
        Ok(code)
    }

    // ------------------------------------------------------------ mask codec

    /// Label of a flag mask (pflags/flagmask): set flags in bit order, joined by `|`.
    /// Bits the table does not name are shown as `?bitN?`.
    pub fn mask_label(&self, mask: u32) -> String {
        let mut parts = vec![];
        for b in 0..32u32 {
            if mask & (1 << b) != 0 {
                let v = b + 1;
                match self.abbrev.get(v as usize) {
                    Some(a) if !a.is_empty() => parts.push(a.clone()),
                    _ => parts.push(format!("?bit{b}?")),
                }
            }
        }
        parts.join("|")
    }

    /// The mask of `"TO|BT|SD"` (also accepts spaces or commas between flags).
    pub fn mask_encode(&self, label: &str) -> Result<u32> {
        let mut m = 0u32;
        for t in label
            .split(|c: char| c == '|' || c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let v = self.nibble_or_err(t)?;
            m |= 1 << (v - 1);
        }
        Ok(m)
    }
}

/// Number of points of a history code: the position of its highest non-zero nibble + 1.
pub fn npoints(code: u128) -> usize {
    if code == 0 {
        0
    } else {
        (128 - code.leading_zeros() as usize).div_ceil(4)
    }
}

/// Parse a hex code with or without `0x` (`"0x8ccd"`, `"8CCD"`), up to 32 digits.
pub fn parse_hex(s: &str) -> Result<u128> {
    let t = s.trim();
    let h = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if h.is_empty() || h.len() > 32 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("'{s}' is not a hex history code (examples: 0x8ccd, 8ccd)");
    }
    Ok(u128::from_str_radix(h, 16).expect("checked hex digits"))
}

/// Is `s` shaped like a hex code (optional 0x, then only hex digits)?
pub fn looks_hex(s: &str) -> bool {
    let t = s.trim();
    let h = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    !h.is_empty() && h.len() <= 32 && h.chars().all(|c| c.is_ascii_hexdigit())
}

/// A code as printed in tables: lower-case hex without `0x`.
pub fn hex(code: u128) -> String {
    format!("{code:x}")
}

/// Material names by seqmat nibble value (value = material index + 1). Unknown values
/// print as `m<index>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Materials {
    pub names: Vec<String>,
}

impl Materials {
    /// The label of a seqmat code: material short names point by point.
    pub fn label(&self, code: u128) -> String {
        let np = npoints(code);
        let mut parts = Vec::with_capacity(np);
        for i in 0..np {
            let v = ((code >> (4 * i)) & 0xf) as usize;
            parts.push(if v == 0 {
                EMPTY_SLOT.to_string()
            } else {
                match self.names.get(v - 1) {
                    Some(n) => n.clone(),
                    None => format!("m{}", v - 1),
                }
            });
        }
        parts.join(" ")
    }

    /// The seqmat code of a label of material names (or `m<index>`).
    pub fn encode(&self, label: &str, slots: usize) -> Result<u128> {
        let toks: Vec<&str> = label.split_whitespace().collect();
        if toks.len() > slots {
            bail!(
                "material sequence '{label}' has {} points, more than {slots}",
                toks.len()
            );
        }
        let mut code = 0u128;
        for (i, t) in toks.iter().enumerate() {
            let v = if *t == EMPTY_SLOT {
                0
            } else if let Some(p) = self.names.iter().position(|n| n == t) {
                p + 1
            } else if let Some(ix) = t.strip_prefix('m').and_then(|d| d.parse::<usize>().ok()) {
                ix + 1
            } else {
                bail!(
                    "unknown material '{t}' (materials: {})",
                    self.names.join(" ")
                )
            };
            if v > 15 {
                bail!(
                    "material '{t}' has index {} which does not fit a nibble",
                    v - 1
                );
            }
            code |= (v as u128) << (4 * i);
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        let t = FlagTable::legacy();
        assert_eq!(t.label(0x8ccd), "TO BT BT SA");
        assert_eq!(t.encode("TO BT BT SA", 16).unwrap(), 0x8ccd);
        let n = FlagTable::v2025();
        assert_eq!(n.label(0x8cc3), "TO BT BT SA");
        assert_eq!(n.label(0x8ccd), "NA BT BT SA");
        assert_eq!(npoints(0x8ccd), 4);
        assert_eq!(npoints(0), 0);
        assert_eq!(parse_hex("0x8CCD").unwrap(), 0x8ccd);
        assert!(parse_hex("xyz").is_err());
        let e = t.encode("TO BT XX", 16).unwrap_err().to_string();
        assert!(e.contains("'XX'"), "{e}");
        assert_eq!(t.mask_label(t.mask_encode("TO|BT|SD").unwrap()), "SD|BT|TO");
    }
}
