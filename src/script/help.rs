//! Documentation of every script function, kept beside its registration so that
//! `:help`, `evsh help NAME`, completion and docs/reference.md are generated from one
//! source, and a test checks it against the functions the engine actually has.

/// Help for one script function or method.
#[derive(Clone, Copy, Debug)]
pub struct FnDoc {
    /// Name as the user calls it (`load`, `sum`, `his` for `e.his`).
    pub name: &'static str,
    /// Usage line, e.g. `load(path, [slice]) -> Array`.
    pub sig: &'static str,
    /// What it does, its options and an example.
    pub doc: &'static str,
}

/// All documented functions, from every binding module.
pub fn all_docs() -> Vec<FnDoc> {
    let mut v: Vec<FnDoc> = vec![];
    v.extend_from_slice(super::bind_array::DOCS);
    v.extend_from_slice(super::bind_table::DOCS);
    v.extend_from_slice(super::bind_event::DOCS);
    v.extend_from_slice(super::bind_compare::DOCS);
    v.extend_from_slice(super::bind_stats::DOCS);
    v.extend_from_slice(super::bind_h5::DOCS);
    v.extend_from_slice(super::bind_prof::DOCS);
    v.extend_from_slice(super::bind_session::DOCS);
    v
}
