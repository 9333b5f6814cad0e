//! docs/reference.md is generated from the help text of the registered functions
//! (`evsh help --markdown`); this test fails when the committed file is out of date, so
//! the reference a user reads always matches the functions the engine actually has.

#[test]
fn reference_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference.md");
    let committed = std::fs::read_to_string(path).expect("docs/reference.md exists");
    let generated = evsh::script::help::markdown();
    assert!(
        committed == generated,
        "docs/reference.md is out of date; regenerate it with\n  \
         cargo run --quiet -- help --markdown > docs/reference.md"
    );
}
