//! The one registry of script functions. A binding module registers each function through a
//! [`Reg`], giving its name, usage line, description and option list in the same statement
//! as its Rust implementations, so the documentation cannot drift from the code: `:help`,
//! `evsh help NAME`, completion and `docs/reference.md` are all generated from what was
//! registered, and the option list a function documents is the list its parser accepts
//! ([`Opts`] refuses every other key).
//!
//! [`MODULES`](super::MODULES) lists the binding modules once; building an engine walks it.

use std::fmt::Display;
use std::sync::OnceLock;

use rhai::{Engine, EvalAltResult, Map, RhaiNativeFunc, Variant};

use super::conv;

/// The `Result` every registered function returns.
pub type RResult<T> = Result<T, Box<EvalAltResult>>;

/// A runtime error with a message, as registered functions raise it.
pub fn fail<T>(msg: impl Into<String>) -> RResult<T> {
    Err(rt_err(msg))
}

/// The error value of [`fail`], for `map_err` and `ok_or_else`.
pub fn rt_err(msg: impl Into<String>) -> Box<EvalAltResult> {
    msg.into().into()
}

/// One option a function accepts in its option map (`f(x, #{name: value})`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt {
    pub name: &'static str,
    /// What the value may be, e.g. `int`, `[lo, hi]`, `"clopper-pearson" | "wilson"`.
    pub ty: &'static str,
    /// The value used when the option is absent, as the user would write it (`""` when
    /// there is none: absent means "not applied").
    pub default: &'static str,
    /// One line on what it does.
    pub doc: &'static str,
}

/// Shorthand for an [`Opt`] in a `const` list.
pub const fn opt(
    name: &'static str,
    ty: &'static str,
    default: &'static str,
    doc: &'static str,
) -> Opt {
    Opt {
        name,
        ty,
        default,
        doc,
    }
}

/// Help for one script function, method or property, as registered.
#[derive(Clone, Debug)]
pub struct Doc {
    /// Name as the user calls it (`load`, `sum`, `his` for `e.his`).
    pub name: &'static str,
    /// Usage line, e.g. `load(path, [slice]) -> Array`.
    pub sig: &'static str,
    /// What it does and an example.
    pub doc: &'static str,
    /// The options its option map accepts (empty when it takes none).
    pub opts: Vec<Opt>,
    /// A call that runs on its own with `OPTS` standing for the option map; the registry's
    /// test runs it with an unknown key to check that the parser accepts exactly `opts`.
    pub example: Option<&'static str>,
}

/// One binding module: the title of its section in the reference and its registration.
#[derive(Clone, Copy)]
pub struct Module {
    pub title: &'static str,
    pub register: fn(&mut Reg),
}

/// The registration context handed to each binding module.
pub struct Reg<'e> {
    engine: &'e mut Engine,
    docs: Vec<Doc>,
}

impl<'e> Reg<'e> {
    /// The engine, for what is not a documented function: types, `to_string`, and
    /// registrations that need Rhai's lower-level API.
    pub fn engine(&mut self) -> &mut Engine {
        self.engine
    }

    /// Register a custom type under `name`, printed with its `Display` (`print(x)` and the
    /// value shown at the prompt).
    pub fn ty<T: Variant + Clone + Display>(&mut self, name: &str) -> &mut Self {
        self.ty_with::<T>(name, |t| t.to_string(), |t| t.to_string())
    }

    /// Register a custom type printed by `show` (both `print(x)` and at the prompt).
    pub fn ty_show<T: Variant + Clone>(&mut self, name: &str, show: fn(&T) -> String) -> &mut Self {
        self.ty_with::<T>(name, show, show)
    }

    /// Register a custom type with its own `to_string` and `to_debug` (the prompt shows
    /// `to_debug`, e.g. an Array's summary).
    pub fn ty_with<T: Variant + Clone>(
        &mut self,
        name: &str,
        to_string: fn(&T) -> String,
        to_debug: fn(&T) -> String,
    ) -> &mut Self {
        self.engine.register_type_with_name::<T>(name);
        self.engine
            .register_fn("to_string", move |t: &mut T| to_string(t));
        self.engine
            .register_fn("to_debug", move |t: &mut T| to_debug(t));
        self
    }

    /// Document a function; its implementations follow on the returned [`Func`].
    pub fn func(
        &mut self,
        name: &'static str,
        sig: &'static str,
        doc: &'static str,
    ) -> Func<'_, 'e> {
        self.docs.push(Doc {
            name,
            sig,
            doc,
            opts: vec![],
            example: None,
        });
        let idx = self.docs.len() - 1;
        Func {
            reg: self,
            name,
            idx,
        }
    }
}

impl<'e> Reg<'e> {
    /// More overloads of the function documented last under `name` in this module with
    /// [`Reg::func`].
    pub fn again(&mut self, name: &'static str) -> Func<'_, 'e> {
        let idx = self
            .docs
            .iter()
            .rposition(|d| d.name == name)
            .unwrap_or_else(|| panic!("again({name}): not documented in this module"));
        Func {
            reg: self,
            name,
            idx,
        }
    }
}

/// A documented function being registered: add its options and its overloads.
pub struct Func<'r, 'e> {
    reg: &'r mut Reg<'e>,
    name: &'static str,
    idx: usize,
}

impl Func<'_, '_> {
    /// The options its option map accepts: one or more lists (figure options shared by
    /// every plot plus the plot's own, say).
    pub fn opts(self, lists: &[&[Opt]]) -> Self {
        let d = &mut self.reg.docs[self.idx];
        for l in lists {
            d.opts.extend_from_slice(l);
        }
        self
    }

    /// A call that works on its own with `OPTS` standing for the option map (see
    /// [`Doc::example`]).
    pub fn example(self, code: &'static str) -> Self {
        self.reg.docs[self.idx].example = Some(code);
        self
    }

    /// Register an implementation (an overload) under the documented name.
    pub fn f<A: 'static, const N: usize, const X: bool, R: Variant + Clone, const F: bool>(
        self,
        func: impl RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    ) -> Self {
        self.reg.engine.register_fn(self.name, func);
        self
    }

    /// Register a property getter under the documented name (`x.shape`).
    /// (Rhai names a getter `get$name`; its `Mut` marker type is private, so the getter is
    /// registered as a plain function of that name.)
    pub fn get<A: 'static, const N: usize, const X: bool, R: Variant + Clone, const F: bool>(
        self,
        func: impl RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    ) -> Self {
        self.reg
            .engine
            .register_fn(format!("get${}", self.name), func);
        self
    }

    /// Register a property setter under the documented name (`t.title = "..."`).
    pub fn set<A: 'static, const N: usize, const X: bool, R: Variant + Clone, const F: bool>(
        self,
        func: impl RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    ) -> Self {
        self.reg
            .engine
            .register_fn(format!("set${}", self.name), func);
        self
    }

    /// Register an indexer getter (`x[i]`) described by this entry (entries that document
    /// syntax, such as `index`).
    pub fn index_get<
        A: 'static,
        const N: usize,
        const X: bool,
        R: Variant + Clone,
        const F: bool,
    >(
        self,
        func: impl RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    ) -> Self {
        // Rhai's name for an indexer getter (`Engine::register_indexer_get` uses it too).
        self.reg.engine.register_fn("index$get$", func);
        self
    }

    /// Register an indexer setter (`x[i] = v`) described by this entry.
    pub fn index_set<
        A: 'static,
        const N: usize,
        const X: bool,
        R: Variant + Clone,
        const F: bool,
    >(
        self,
        func: impl RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    ) -> Self {
        // Rhai's name for an indexer setter (`Engine::register_indexer_set` uses it too).
        self.reg.engine.register_fn("index$set$", func);
        self
    }

    /// Register an operator or any function whose name is not the entry's (entries that
    /// document syntax, such as `operators`).
    pub fn named<A: 'static, const N: usize, const X: bool, R: Variant + Clone, const F: bool>(
        self,
        name: &str,
        func: impl RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    ) -> Self {
        self.reg.engine.register_fn(name, func);
        self
    }
}

/// The docs every registration of the modules produces (identical each time), kept from
/// the first engine built so that help does not register everything again.
static DOCS: OnceLock<Vec<(&'static str, Vec<Doc>)>> = OnceLock::new();

/// Register every module's functions into `engine`, keeping their docs for [`sections`].
pub fn build(engine: &mut Engine, modules: &[Module]) {
    let mut sections = vec![];
    for m in modules {
        let mut reg = Reg {
            engine,
            docs: vec![],
        };
        (m.register)(&mut reg);
        sections.push((m.title, reg.docs));
    }
    let _ = DOCS.set(sections);
}

/// The documentation of every module, by section: from the first engine built, or from a
/// registration into a throwaway engine when help is asked for before any session exists.
pub fn sections() -> &'static [(&'static str, Vec<Doc>)] {
    if DOCS.get().is_none() {
        build(&mut Engine::new_raw(), super::MODULES);
    }
    DOCS.get().map_or(&[], |d| d.as_slice())
}

/// Check an option map against the options a function documents: a key not among them is
/// an error naming the function and listing the known options. Parsers call this with the
/// same `const` lists the registration documents, so accepted and documented agree.
pub fn check_opts(map: &Map, lists: &[&[Opt]], func: &str) -> RResult<()> {
    let known: Vec<&str> = lists
        .iter()
        .flat_map(|l| l.iter().map(|o| o.name))
        .collect();
    conv::check_keys(map, &known, func)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function that documents options has an example call, and with an unknown key
    /// in its option map that call is refused with exactly the documented options listed:
    /// the parser accepts what the docs say, no more and no less.
    #[test]
    fn documented_options_are_the_accepted_options() {
        let mut s = crate::script::Session::new();
        let tmp = tempfile::tempdir().unwrap();
        let prelude = format!(
            "let TMP = \"{}\"; let g = gen_event(TMP + \"/g\", #{{n: 3000, seed: 2}}); \
             let a = event(g.a); let b = event(g.b); let ab = compare(a, b); \
             let x = random([1000], 1); let y = random([1000], 2); \
             let t = table(#{{time: [1.0, 2.0, 3.0], v: [4.0, 5.0, 6.0]}});",
            tmp.path().display()
        );
        let _ = s.eval(&prelude).expect("prelude of the option examples");
        let mut checked = 0;
        for (_, docs) in sections() {
            for d in docs {
                if d.opts.is_empty() {
                    continue;
                }
                let ex = d
                    .example
                    .unwrap_or_else(|| panic!("{} documents options but has no example", d.name));
                assert!(
                    ex.contains("OPTS"),
                    "{}: example without OPTS: {ex}",
                    d.name
                );
                let code = ex.replace("OPTS", "#{no_such_option: 1}");
                let err = match s.eval(&code) {
                    Ok(v) => panic!("{}: `{code}` accepted an unknown option ({v})", d.name),
                    Err(e) => e.to_string(),
                };
                let Some(list) = err
                    .split("unknown option 'no_such_option'; known options: ")
                    .nth(1)
                else {
                    panic!("{}: `{code}` failed for another reason: {err}", d.name);
                };
                let list = list.split(" (").next().unwrap_or(list);
                let mut accepted: Vec<&str> = list.split(", ").map(str::trim).collect();
                let mut documented: Vec<&str> = d.opts.iter().map(|o| o.name).collect();
                accepted.sort_unstable();
                accepted.dedup();
                documented.sort_unstable();
                documented.dedup();
                assert_eq!(
                    accepted, documented,
                    "{}: accepted vs documented options",
                    d.name
                );
                checked += 1;
            }
        }
        eprintln!("{checked} functions with options checked");
    }

    #[test]
    fn options_are_documented_with_type() {
        for (_, docs) in sections() {
            for d in docs {
                for o in &d.opts {
                    assert!(
                        !o.ty.is_empty(),
                        "{}: option {} has no type",
                        d.name,
                        o.name
                    );
                    assert!(
                        !o.doc.is_empty(),
                        "{}: option {} has no text",
                        d.name,
                        o.name
                    );
                }
            }
        }
    }
}
