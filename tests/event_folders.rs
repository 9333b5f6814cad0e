//! Event folders: layout detection, NPFold events (sub-folders, metadata, 32-slot
//! histories, derived bit fields), row-sliced loading, and bad inputs (unequal photon
//! lengths, header-only and truncated files, missing arrays, mixed timestamps).

use std::path::Path;

use evsh::array::{Array, DType};
use evsh::event::flags::FlagTable;
use evsh::event::history::Kind;
use evsh::event::{Event, OpenOptions};
use evsh::io::npy;

fn save<T: evsh::array::Elem>(dir: &Path, name: &str, v: Vec<T>, shape: Vec<usize>) {
    npy::save(
        &Array::from_vec(v, shape).unwrap(),
        dir.join(format!("{name}.npy")),
    )
    .unwrap();
}

fn open(p: &Path) -> evsh::Result<Event> {
    Event::open(p, &OpenOptions::default())
}

/// A small legacy event of `n` photons with histories from `codes` (cycled).
fn legacy(dir: &Path, n: usize, codes: &[u64]) {
    std::fs::create_dir_all(dir).unwrap();
    save(dir, "ox", vec![0f32; n * 16], vec![n, 4, 4]);
    let mut ph = vec![];
    for i in 0..n {
        ph.push(codes[i % codes.len()]);
        ph.push(0x22u64);
    }
    save(dir, "ph", ph, vec![n, 1, 2]);
    save(dir, "rx", vec![0i16; n * 10 * 8], vec![n, 10, 2, 4]);
}

#[test]
fn unequal_photon_arrays_are_refused() {
    let d = tempfile::tempdir().unwrap();
    legacy(d.path(), 10, &[0x8ccd]);
    save(d.path(), "rx", vec![0i16; 9 * 10 * 8], vec![9, 10, 2, 4]);
    let e = open(d.path()).unwrap_err().to_string();
    assert!(e.contains("unequal length"), "{e}");
    assert!(
        e.contains("rx has 9 rows") && e.contains("ox has 10"),
        "{e}"
    );
}

#[test]
fn header_only_and_truncated_files_are_refused_by_name() {
    let d = tempfile::tempdir().unwrap();
    legacy(d.path(), 10, &[0x8ccd]);
    // A header announcing (1000,4,4) float32 with no data (the 80-byte files that crashed
    // the Python tools inside mmap).
    let h = npy::header_bytes(&DType::F32, false, &[1000, 4, 4]);
    std::fs::write(d.path().join("so.npy"), &h).unwrap();
    let e = open(d.path()).unwrap_err().to_string();
    assert!(e.contains("so.npy") && e.contains("truncated"), "{e}");
    let mut t = npy::header_bytes(&DType::F32, false, &[10, 4, 4]);
    t.extend(vec![0u8; 100]);
    std::fs::write(d.path().join("so.npy"), &t).unwrap();
    let e = open(d.path()).unwrap_err().to_string();
    assert!(e.contains("so.npy") && e.contains("truncated"), "{e}");
}

#[test]
fn missing_optional_arrays_are_reported_not_errors() {
    let d = tempfile::tempdir().unwrap();
    legacy(d.path(), 10, &[0x8ccd, 0x8cd]);
    let e = open(d.path()).unwrap();
    let m = &e.folder().missing;
    for name in ["bn", "so", "ht", "gs", "fdom", "idom"] {
        assert!(m.contains(&name.to_string()), "{name} in {m:?}");
    }
    let t = e.arrays_table();
    assert!(t.to_string().contains("missing"), "{t}");
    assert!(
        e.summary().contains("missing: bn so ht gs fdom idom"),
        "{}",
        e.summary()
    );
    // Without fdom, rpost is not offered and asking for it says why.
    assert!(!e.derived_names().contains(&"rpost"));
    let err = e.column("rpost").unwrap_err().to_string();
    assert!(err.contains("'rpost'"), "{err}");
    let err = e.column("so").unwrap_err().to_string();
    assert!(err.contains("missing from the folder"), "{err}");
    // Histories still work.
    assert_eq!(e.counts(Kind::Seqhis).unwrap().counts, vec![5, 5]);
}

#[test]
fn not_an_event_folder() {
    let d = tempfile::tempdir().unwrap();
    save(d.path(), "x", vec![1f32; 4], vec![4]);
    let e = open(d.path()).unwrap_err().to_string();
    assert!(
        e.contains("not an event folder") && e.contains("x.npy"),
        "{e}"
    );
    let e = open(&d.path().join("nope")).unwrap_err().to_string();
    assert!(e.contains("no such event folder"), "{e}");
}

#[test]
fn row_slice_applies_to_photon_arrays_only() {
    let d = tempfile::tempdir().unwrap();
    legacy(d.path(), 2000, &[0x8ccd, 0x8cd, 0x4d, 0x7cd]);
    save(d.path(), "ht", vec![0f32; 7 * 16], vec![7, 4, 4]);
    let e = Event::open(
        d.path(),
        &OpenOptions {
            slice: Some("1k:".into()),
            flags: None,
        },
    )
    .unwrap();
    assert_eq!(e.folder().file_photons, 2000);
    assert_eq!(e.loaded(), 1000);
    assert_eq!(e.column("ox").unwrap().shape(), &[1000, 4, 4]);
    assert_eq!(e.column("ht").unwrap().shape(), &[7, 4, 4]);
    assert!(
        e.summary()
            .contains("file_photons 2k load_slice 1k: loaded 1k"),
        "{}",
        e.summary()
    );
    // Photon indices count from the start of the file.
    let s = e.select(&["TO AB".into()]).unwrap();
    let idx = s.index().unwrap();
    assert_eq!(idx.as_slice::<i64>().unwrap()[0], 1002);
    assert_eq!(s.count(), 250);
    let bad = Event::open(
        d.path(),
        &OpenOptions {
            slice: Some("a:b".into()),
            flags: None,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(bad.contains("'a'"), "{bad}");
}

#[test]
fn mixed_timestamps_warn() {
    let d = tempfile::tempdir().unwrap();
    legacy(d.path(), 10, &[0x8ccd]);
    let f = std::fs::File::options()
        .write(true)
        .open(d.path().join("rx.npy"))
        .unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 86400))
        .unwrap();
    let e = open(d.path()).unwrap();
    assert!(
        e.folder()
            .warnings
            .iter()
            .any(|w| w.contains("mixed timestamps")),
        "{:?}",
        e.folder().warnings
    );
}

#[test]
fn flag_table_detection_and_choice() {
    // Legacy folder whose histories start with 0x3 (TO in the v2025 table).
    let d = tempfile::tempdir().unwrap();
    legacy(d.path(), 100, &[0x8cc3, 0x8c3]);
    let e = open(d.path()).unwrap();
    assert_eq!(e.flags().name, "v2025");
    assert_eq!(e.label_of(Kind::Seqhis, 0x8cc3), "TO BT BT SA");
    let e = Event::open(
        d.path(),
        &OpenOptions {
            slice: None,
            flags: Some("legacy".into()),
        },
    )
    .unwrap();
    assert_eq!(e.flags().name, "legacy");
    assert_eq!(e.label_of(Kind::Seqhis, 0x8cc3), "MI BT BT SA");
    // Only CK/SI first points: the layout's default.
    let d2 = tempfile::tempdir().unwrap();
    legacy(d2.path(), 10, &[0x8c1, 0x82]);
    assert_eq!(open(d2.path()).unwrap().flags().name, "legacy");
    // Metadata wins over detection.
    std::fs::write(d2.path().join("evt_meta.txt"), "flags:v2025\n").unwrap();
    let e = open(d2.path()).unwrap();
    assert_eq!(e.flags().name, "v2025");
    assert_eq!(e.data().flags_from, "metadata");
}

#[test]
fn npfold_event() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let n = 6;
    let t = FlagTable::v2025();
    // 32-slot histories: photon 5 has 20 points (upper u64 used).
    let long: String = std::iter::once("TO")
        .chain(std::iter::repeat_n("BT", 18))
        .chain(std::iter::once("SA"))
        .collect::<Vec<_>>()
        .join(" ");
    let codes = [
        t.encode("TO BT BT SA", 32).unwrap(),
        t.encode("TO BT BT SA", 32).unwrap(),
        t.encode("TO BT SD", 32).unwrap(),
        t.encode("TO AB", 32).unwrap(),
        t.encode("TO BT BT SA", 32).unwrap(),
        t.encode(&long, 32).unwrap(),
    ];
    let mut seq = vec![];
    for c in codes {
        seq.extend([c as u64, (c >> 64) as u64, 0, 0]);
    }
    save(p, "seq", seq, vec![n, 2, 2]);
    let mut photon = vec![0f32; n * 16];
    for i in 0..n {
        let obf: u32 = ((1 << 31) * (i as u32 % 2)) | ((100 + i as u32) << 16) | (1 << (i % 8));
        photon[i * 16 + 12] = f32::from_bits(obf);
        photon[i * 16 + 13] = f32::from_bits(1000 + i as u32);
        photon[i * 16 + 14] = f32::from_bits(i as u32);
        photon[i * 16 + 15] = f32::from_bits(0xc04);
    }
    save(p, "photon", photon, vec![n, 4, 4]);
    save(p, "record", vec![0.5f32; n * 32 * 16], vec![n, 32, 4, 4]);
    std::fs::write(
        p.join("NPFold_index.txt"),
        "photon.npy\nseq.npy\nrecord.npy\nhit.npy\nsub\n",
    )
    .unwrap();
    std::fs::write(
        p.join("NPFold_meta.txt"),
        "creator:test\nmaterials:Water Rock\n",
    )
    .unwrap();
    std::fs::create_dir(p.join("sub")).unwrap();
    save(&p.join("sub"), "extra", vec![1i32, 2, 3], vec![3]);
    std::fs::write(p.join("sub").join("sub_meta.txt"), "k:v\n").unwrap();

    let e = open(p).unwrap();
    assert_eq!(e.layout().name(), "npfold");
    assert_eq!(e.flags().name, "v2025", "{}", e.data().flags_from);
    assert!(e.array_names().contains(&"sub/extra".to_string()));
    assert_eq!(
        e.folder().meta.get("creator").map(|s| s.as_str()),
        Some("test")
    );
    assert_eq!(
        e.folder().meta.get("sub/sub.k").map(|s| s.as_str()),
        Some("v")
    );
    assert!(
        e.folder().warnings.iter().any(|w| w.contains("'hit.npy'")),
        "{:?}",
        e.folder().warnings
    );
    assert!(e.folder().missing.contains(&"hit".to_string()));
    let c = e.counts(Kind::Seqhis).unwrap();
    assert_eq!(c.counts, vec![3, 1, 1, 1]);
    assert_eq!(e.label_of(Kind::Seqhis, c.codes[0]), "TO BT BT SA");
    assert!(c.codes.contains(&codes[5]));
    let tab = e.table(Kind::Seqhis).unwrap();
    assert!(tab.to_string().contains(&long), "{tab}");
    // Derived bit fields of photon[:,3].
    let u32s = |name: &str| {
        e.column(name)
            .unwrap()
            .as_slice::<u32>()
            .unwrap()
            .into_owned()
    };
    assert_eq!(u32s("boundary"), vec![100, 101, 102, 103, 104, 105]);
    assert_eq!(u32s("flag"), vec![1, 2, 4, 8, 16, 32]);
    assert_eq!(u32s("orient"), vec![0, 1, 0, 1, 0, 1]);
    assert_eq!(u32s("identity"), vec![1000, 1001, 1002, 1003, 1004, 1005]);
    assert_eq!(u32s("index"), vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(u32s("flagmask"), vec![0xc04; 6]);
    assert_eq!(e.column("seqhis").unwrap().shape(), &[6, 2]);
    // Selections: exact, long label, and the one-history trim of the uncompressed record.
    let s = e.select(&["TO BT BT SA".into()]).unwrap();
    assert_eq!(
        s.index().unwrap().as_slice::<i64>().unwrap().to_vec(),
        vec![0, 1, 4]
    );
    assert_eq!(s.column("record").unwrap().shape(), &[3, 4, 4, 4]);
    assert_eq!(
        s.column("identity")
            .unwrap()
            .as_slice::<u32>()
            .unwrap()
            .to_vec(),
        vec![1000, 1001, 1004]
    );
    let l = e.select(std::slice::from_ref(&long)).unwrap();
    assert_eq!(l.count(), 1);
    assert_eq!(l.column("record").unwrap().shape(), &[1, 20, 4, 4]);
    let pre = e.select(&["TO BT BT BT BT ..".into()]).unwrap();
    assert_eq!(pre.count(), 1);
    // flg table over flagmask
    let f = e.counts(Kind::Pflags).unwrap();
    assert_eq!(f.codes, vec![0xc04]);
    assert_eq!(e.label_of(Kind::Pflags, 0xc04), "TO|BR|BT");
    assert!(e.counts(Kind::Seqmat).is_err());
}
