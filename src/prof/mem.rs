//! Resident memory as the kernel accounts it, split the way that matters for mapped data:
//! anonymous (heap, owned arrays) versus file-mapped (pages of .npy/HDF5 files the OS can
//! drop and re-read), the peak, and the total size of data files mapped right now. Read from
//! `/proc/self/status` (RssAnon, RssFile, RssShmem, VmRSS, VmHWM) and `/proc/self/maps`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// A snapshot of this process's memory, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mem {
    /// Resident set (anon + file + shmem).
    pub rss: u64,
    /// Resident anonymous memory.
    pub anon: u64,
    /// Resident pages of mapped files.
    pub file: u64,
    /// Resident shared memory.
    pub shmem: u64,
    /// Peak resident set since the process started.
    pub peak: u64,
    /// Total size of the data files mapped right now (not libraries).
    pub mapped: u64,
    /// Number of such files.
    pub mapped_files: u64,
}

/// Highest VmHWM seen before a reset (peak measurements of a statement reset it).
static PEAK_SEEN: AtomicU64 = AtomicU64::new(0);

fn kb_field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
        .and_then(|l| l[key.len() + 1..].split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Resident and peak memory from /proc/self/status (no mapped-file walk; cheap enough
/// to call around every statement).
pub fn resident() -> Result<Mem> {
    let s = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| Error::io("/proc/self/status", e))?;
    let get = |k: &str| {
        kb_field(&s, k).ok_or_else(|| Error::msg(format!("/proc/self/status has no {k} line")))
    };
    let hwm = get("VmHWM")?;
    Ok(Mem {
        rss: get("VmRSS")?,
        anon: get("RssAnon")?,
        file: get("RssFile")?,
        shmem: get("RssShmem").unwrap_or(0),
        peak: hwm.max(PEAK_SEEN.load(Ordering::Relaxed)),
        mapped: 0,
        mapped_files: 0,
    })
}

/// Everything, including the mapped data files.
pub fn snapshot() -> Result<Mem> {
    let mut m = resident()?;
    let (bytes, files) = mapped_files()?;
    m.mapped = bytes;
    m.mapped_files = files;
    Ok(m)
}

/// Total bytes and number of files mapped, from /proc/self/maps: file-backed mappings
/// other than the executable and shared libraries. A file (or part of one) mapped several
/// times, e.g. loaded twice, counts once: per file, the union of the mapped byte ranges.
pub fn mapped_files() -> Result<(u64, u64)> {
    let maps =
        std::fs::read_to_string("/proc/self/maps").map_err(|e| Error::io("/proc/self/maps", e))?;
    let exe = std::fs::read_link("/proc/self/exe")
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut files: std::collections::BTreeMap<String, Vec<(u64, u64)>> = Default::default();
    for line in maps.lines() {
        let mut it = line.split_whitespace();
        let (Some(range), Some(perms), Some(offset), _, Some(inode)) =
            (it.next(), it.next(), it.next(), it.next(), it.next())
        else {
            continue;
        };
        let path: String = it.collect::<Vec<_>>().join(" ");
        if inode == "0" || !path.starts_with('/') || path == exe || perms.contains('x') {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or("");
        if name.contains(".so") || path.starts_with("/usr/lib") || path.starts_with("/lib") {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else {
            continue;
        };
        let (Ok(a), Ok(b), Ok(off)) = (
            u64::from_str_radix(a, 16),
            u64::from_str_radix(b, 16),
            u64::from_str_radix(offset, 16),
        ) else {
            continue;
        };
        files
            .entry(path)
            .or_default()
            .push((off, off + b.saturating_sub(a)));
    }
    Ok((
        files.values_mut().map(|r| union_len(r)).sum(),
        files.len() as u64,
    ))
}

/// Total length of the union of half-open ranges.
fn union_len(r: &mut [(u64, u64)]) -> u64 {
    r.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(u64, u64)> = None;
    for &(a, b) in r.iter() {
        cur = match cur {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += cb - ca;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    total + cur.map_or(0, |(a, b)| b - a)
}

/// Reset the kernel's peak-RSS counter so the next peak belongs to what runs next
/// (remembering the process-wide peak so far). Returns false when the kernel refused.
pub fn reset_peak() -> bool {
    if let Ok(m) = resident() {
        PEAK_SEEN.fetch_max(m.peak, Ordering::Relaxed);
    }
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Bytes as `1.5 GiB`, `12.0 MiB`, `512 B`.
pub fn fmt_bytes(b: f64) -> String {
    let sign = if b < 0.0 { "-" } else { "" };
    let a = b.abs();
    const U: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = a;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{sign}{v:.0} B")
    } else {
        format!("{sign}{v:.1} {}", U[i])
    }
}

/// A signed change of bytes: `+12.0 MiB`, `-1.0 GiB`, `+0 B`.
pub fn fmt_delta(d: i64) -> String {
    if d >= 0 {
        format!("+{}", fmt_bytes(d as f64))
    } else {
        fmt_bytes(d as f64)
    }
}

impl fmt::Display for Mem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "resident {} (anonymous {}, file-mapped {}",
            fmt_bytes(self.rss as f64),
            fmt_bytes(self.anon as f64),
            fmt_bytes(self.file as f64)
        )?;
        if self.shmem > 0 {
            write!(f, ", shared {}", fmt_bytes(self.shmem as f64))?;
        }
        write!(
            f,
            "), peak {}; mapped files {} in {} file{}",
            fmt_bytes(self.peak as f64),
            fmt_bytes(self.mapped as f64),
            self.mapped_files,
            if self.mapped_files == 1 { "" } else { "s" }
        )
    }
}

/// `4G`, `512M`, `1.5G`, `64k`, `1000` (bytes); binary units (1k = 1024 bytes).
pub fn parse_size(s: &str) -> Result<usize> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix("ib"))
        .unwrap_or(t);
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult: f64 = match c.to_ascii_uppercase() {
                'K' => 1024.0,
                'M' => 1024.0 * 1024.0,
                'G' => 1024.0 * 1024.0 * 1024.0,
                'T' => 1024.0f64.powi(4),
                'B' => 1.0,
                _ => {
                    return Err(Error::msg(format!(
                        "'{s}': unknown size unit (use k, M, G or T)"
                    )))
                }
            };
            (&t[..i], mult)
        }
        _ => (t, 1.0),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| Error::msg(format!("'{s}': expected a size such as 4G or 512M")))?;
    if !v.is_finite() || v <= 0.0 {
        return Err(Error::msg(format!("'{s}': the size must be positive")));
    }
    Ok((v * mult) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Anonymous and file-mapped memory move the way /proc says when we allocate and when
    /// we map and touch a file.
    #[test]
    fn accounting_follows_proc() {
        let before = snapshot().unwrap();
        assert!(before.rss >= before.anon);
        assert!(before.peak >= before.rss / 2);
        // Allocate and touch 64 MiB.
        let n = 64usize << 20;
        let mut v = vec![0u8; n];
        for i in (0..n).step_by(4096) {
            v[i] = 1;
        }
        std::hint::black_box(&v);
        let after = resident().unwrap();
        assert!(
            after.anon >= before.anon + (n as u64) / 2,
            "anon {} -> {}",
            before.anon,
            after.anon
        );
        assert!(after.peak >= after.rss);
        drop(v);
        // Map a 32 MiB file and read every page.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.bin");
        let m = 32usize << 20;
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&vec![7u8; m]).unwrap();
        f.sync_all().unwrap();
        let f = std::fs::File::open(&path).unwrap();
        // SAFETY: the file is private to this test and not modified while mapped.
        let map = unsafe { memmap2::Mmap::map(&f).unwrap() };
        let before = snapshot().unwrap();
        let mut s = 0u64;
        for i in (0..m).step_by(4096) {
            s += map[i] as u64;
        }
        assert_eq!(s, 7 * (m as u64 / 4096));
        let after = snapshot().unwrap();
        assert!(
            after.file >= before.file + (m as u64) / 2,
            "file {} -> {}",
            before.file,
            after.file
        );
        assert!(after.mapped >= m as u64);
        assert!(after.mapped_files >= 1);
        drop(map);
    }

    /// A file mapped twice (or in overlapping pieces) counts its bytes once.
    #[test]
    fn mapped_ranges_union() {
        assert_eq!(union_len(&mut []), 0);
        assert_eq!(union_len(&mut [(0, 100), (0, 100)]), 100);
        assert_eq!(union_len(&mut [(50, 150), (0, 100), (200, 210)]), 160);
        assert_eq!(union_len(&mut [(0, 10), (10, 20)]), 20);
    }

    #[test]
    fn sizes_and_formats() {
        assert_eq!(parse_size("4G").unwrap(), 4 << 30);
        assert_eq!(parse_size("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_size("1.5k").unwrap(), 1536);
        assert!(parse_size("4X").is_err());
        assert!(parse_size("-1").is_err());
        assert_eq!(fmt_bytes(1536.0), "1.5 KiB");
        assert_eq!(fmt_delta(-(3 << 20)), "-3.0 MiB");
        assert_eq!(fmt_delta(0), "+0 B");
    }
}
