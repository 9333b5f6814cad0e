//! Property tests of the history codecs, both flag tables, prefix matching and the
//! selection row-set algebra.

use evsh::event::flags::{self, FlagTable, Materials};
use evsh::event::select::{parse_spec, RowSet, Spec};
use proptest::prelude::*;

fn tables() -> [FlagTable; 2] {
    [FlagTable::legacy(), FlagTable::v2025()]
}

#[test]
fn the_two_known_tables() {
    let old = FlagTable::legacy();
    let new = FlagTable::v2025();
    let expect_old = [
        "CK", "SI", "MI", "AB", "RE", "SC", "SD", "SA", "DR", "SR", "BR", "BT", "TO", "NA", "EX",
    ];
    let expect_new = [
        "CK", "SI", "TO", "AB", "RE", "SC", "SD", "SA", "DR", "SR", "BR", "BT", "NA", "EC", "EX",
    ];
    for (i, (o, n)) in expect_old.iter().zip(&expect_new).enumerate() {
        assert_eq!(old.nibble(o), Some(i as u8 + 1), "legacy {o}");
        assert_eq!(new.nibble(n), Some(i as u8 + 1), "v2025 {n}");
    }
    assert_eq!(old.nibble("EC"), None);
    assert_eq!(new.nibble("MI"), None);
    assert_eq!(old.label(0x8ccd), "TO BT BT SA");
    assert_eq!(new.label(0x8cc3), "TO BT BT SA");
    assert_eq!(new.encode("TO BT BT SA", 32).unwrap(), 0x8cc3);
    assert_eq!(FlagTable::by_name("v2025").unwrap(), new);
    assert!(FlagTable::by_name("v1999")
        .unwrap_err()
        .to_string()
        .contains("legacy and v2025"));
    // Interior empty slots are shown and read back as '-'.
    assert_eq!(old.label(0x80d), "TO - SA");
    assert_eq!(old.encode("TO - SA", 16).unwrap(), 0x80d);
    // Too many points for 16 slots.
    let long = vec!["BT"; 17].join(" ");
    assert!(old.encode(&long, 16).is_err());
    assert!(old.encode(&long, 32).is_ok());
    // Masks
    assert_eq!(
        old.mask_encode("TO|BT|SD").unwrap(),
        (1 << 12) | (1 << 11) | (1 << 6)
    );
    assert_eq!(
        new.mask_encode("TO|BT|SD").unwrap(),
        (1 << 2) | (1 << 11) | (1 << 6)
    );
    let e = old.mask_encode("TO|XX").unwrap_err().to_string();
    assert!(e.contains("'XX'"), "{e}");
    // Hex with or without 0x
    assert_eq!(flags::parse_hex("0x8ccd").unwrap(), 0x8ccd);
    assert_eq!(flags::parse_hex("8CCD").unwrap(), 0x8ccd);
    assert!(flags::parse_hex("0x").is_err());
    assert!(flags::parse_hex("8ccz").is_err());
    // Flag table from metadata
    let m = FlagTable::from_list("CK,SI,TO,AB").unwrap();
    assert_eq!(m.label(0x43), "TO AB");
    assert!(FlagTable::from_list("CK CK").is_err());
}

#[test]
fn prefix_cases_where_a_bit_subset_test_is_wrong() {
    let t = FlagTable::legacy();
    let subset = |c: u128, p: u128| c & p == p;
    // prefix TO BT = 0xcd. Codes that contain its bits but do not start with TO BT:
    let wrong = [
        0xddu128, // TO TO
        0xcfu128, // EX BT
        0x8ced,   // TO NA BT SA: nibble e = 1110 ⊇ 1100
        0xefd,    // TO EX NA
    ];
    let p = parse_spec("TO BT ..", &t, 16).unwrap();
    for c in wrong {
        assert!(subset(c, 0xcd), "{c:x} is a bit superset");
        assert!(
            !p.matches(c),
            "{c:x} ({}) must not match TO BT ..",
            t.label(c)
        );
    }
    for c in [0xcdu128, 0x8ccd, 0x4cd, 0x7bccd] {
        assert!(p.matches(c), "{c:x} ({}) must match", t.label(c));
    }
    // Exact label never matches a longer history.
    let e = parse_spec("TO BT BT SA", &t, 16).unwrap();
    assert!(e.matches(0x8ccd) && !e.matches(0x88ccd));
    // Flag anywhere.
    let re = parse_spec("*RE*", &t, 16).unwrap();
    assert!(re.matches(0x8c5cd) && !re.matches(0x8ccd));
    // Errors name the offending token.
    for (s, tok) in [
        ("TO BT QQ", "'QQ'"),
        ("TO .. SA", "'..'"),
        ("*XX*", "'XX'"),
        ("TO *RE*", "'*RE*'"),
        ("..", "'..'"),
    ] {
        let m = parse_spec(s, &t, 16).unwrap_err().to_string();
        assert!(m.contains(tok), "{s}: {m}");
    }
    // Hex without 0x only when the token is not a flag name ("AB" is a flag).
    assert_eq!(parse_spec("AB", &t, 16).unwrap(), Spec::Exact(4));
    assert_eq!(parse_spec("ab12", &t, 16).unwrap(), Spec::Exact(0xab12));
    assert_eq!(parse_spec("0xAB", &t, 16).unwrap(), Spec::Exact(0xab));
    assert_eq!(
        parse_spec("-100:", &t, 16).unwrap(),
        Spec::Slice("-100:".into())
    );
}

fn nibbles_of(c: u128) -> Vec<u8> {
    (0..32).map(|i| ((c >> (4 * i)) & 0xf) as u8).collect()
}

proptest! {
    #[test]
    fn seqhis_label_round_trip(lo in any::<u64>(), hi in any::<u64>(), wide in any::<bool>()) {
        let c = if wide { (lo as u128) | ((hi as u128) << 64) } else { lo as u128 };
        for t in tables() {
            let l = t.label(c);
            prop_assert_eq!(t.encode(&l, 32).unwrap(), c, "label {}", l);
            prop_assert_eq!(flags::npoints(c), if l.is_empty() { 0 } else { l.split(' ').count() });
        }
        prop_assert_eq!(flags::parse_hex(&flags::hex(c)).unwrap(), c);
        prop_assert_eq!(flags::parse_hex(&format!("0x{c:X}")).unwrap(), c);
    }

    #[test]
    fn mask_round_trip(m in 0u32..(1 << 15)) {
        for t in tables() {
            let l = t.mask_label(m);
            prop_assert_eq!(t.mask_encode(&l).unwrap(), m, "mask label {}", l);
        }
    }

    #[test]
    fn seqmat_round_trip(c in any::<u64>()) {
        let m = Materials { names: ["Vacuum", "Water", "Acrylic"].iter().map(|s| s.to_string()).collect() };
        let l = m.label(c as u128);
        prop_assert_eq!(m.encode(&l, 16).unwrap(), c as u128, "label {}", l);
    }

    #[test]
    fn prefix_is_a_masked_nibble_prefix(c in any::<u64>(), d in any::<u64>(), k in 1usize..8) {
        let t = FlagTable::legacy();
        // Build a prefix of k non-empty nibbles from c.
        let nib: Vec<u8> = nibbles_of(c as u128).into_iter().map(|v| if v == 0 { 0xc } else { v }).take(k).collect();
        let label: Vec<String> = nib.iter().map(|&v| t.abbrev_of(v)).collect();
        let spec = parse_spec(&format!("{} ..", label.join(" ")), &t, 16).unwrap();
        // d with its first j nibbles replaced by the prefix's.
        for j in 0..=k {
            let mut code = d as u128;
            for (i, &v) in nib.iter().enumerate().take(j) {
                code = (code & !(0xf << (4 * i))) | ((v as u128) << (4 * i));
            }
            let expect = nibbles_of(code)[..k] == nib[..];
            prop_assert_eq!(spec.matches(code), expect);
        }
    }

    #[test]
    fn rowset_algebra(n in 1usize..3000, a in prop::collection::vec(any::<u32>(), 0..200), b in prop::collection::vec(any::<u32>(), 0..2000), dense in any::<bool>()) {
        let sa: std::collections::BTreeSet<usize> = a.iter().map(|&x| x as usize % n).collect();
        let sb: std::collections::BTreeSet<usize> = if dense {
            (0..n).filter(|i| b.is_empty() || !(*i as u32 ^ b[0]).is_multiple_of(3)).collect()
        } else {
            b.iter().map(|&x| x as usize % n).collect()
        };
        let ra = RowSet::from_sorted(n, sa.iter().map(|&i| i as u32).collect());
        let rb = RowSet::from_pred(n, |i| sb.contains(&i)).unwrap();
        let list = |r: &RowSet| r.indices().into_iter().map(|i| i as usize).collect::<Vec<_>>();
        prop_assert_eq!(list(&ra), sa.iter().copied().collect::<Vec<_>>());
        prop_assert_eq!(list(&rb), sb.iter().copied().collect::<Vec<_>>());
        prop_assert_eq!(list(&ra.and(&rb).unwrap()), sa.intersection(&sb).copied().collect::<Vec<_>>());
        prop_assert_eq!(list(&ra.or(&rb).unwrap()), sa.union(&sb).copied().collect::<Vec<_>>());
        let not_a: Vec<usize> = (0..n).filter(|i| !sa.contains(i)).collect();
        prop_assert_eq!(list(&ra.not()), not_a);
        // De Morgan and double negation
        prop_assert_eq!(list(&ra.and(&rb).unwrap().not()), list(&ra.not().or(&rb.not()).unwrap()));
        prop_assert_eq!(list(&ra.not().not()), list(&ra));
        prop_assert_eq!(ra.or(&rb).unwrap().count(), sa.union(&sb).count());
        // The representation is the smallest of range / indices / bitmap.
        for r in [&ra, &rb] {
            let c = r.count();
            let bits = n.div_ceil(64) * 8;
            match r.kind() {
                "indices" => prop_assert!(c * 4 <= bits),
                "bitmap" => prop_assert!(c * 4 >= bits),
                _ => {}
            }
        }
    }
}
