//! Rhai bindings for the event layer: opening events, their columns and history tables,
//! selections and their algebra, the label codec, and the A/B generator. Registration
//! and help text live together.

use rhai::{Dynamic, Engine, EvalAltResult, Map, INT};

use super::help::FnDoc;
use super::IntoRhai;
use crate::array::Array;
use crate::event::flags::{self, FlagTable};
use crate::event::history::Kind;
use crate::event::{Event, OpenOptions};
use crate::output::table::Table;

type RResult<T> = Result<T, Box<EvalAltResult>>;

/// Help for every function this module registers.
pub const DOCS: &[FnDoc] = &[
    FnDoc {
        name: "event",
        sig: "event(path, [#{slice, flags}]) -> Event",
        doc: "Open a photon event folder: a legacy tag folder (ox rx ph bn so ht gs fdom idom) or \
an NPFold folder (photon record seq hit ..., NPFold_index.txt, *_meta.txt, sub-folders), detected \
from its files. Only headers are read; arrays are memory-mapped. Options: `slice: \"0:1M\"` loads \
those rows of the photon-shaped arrays only (the summary shows file and loaded counts); \
`flags: \"legacy\"|\"v2025\"` chooses the flag bit order (default: the event's metadata, else \
detected from the first points of the histories). Photon arrays of unequal length, truncated or \
header-only files are refused with the file named; mixed timestamps print a warning.\n\
Example: `let a = event(\"/data/evt/box/torch/1\", #{slice: \"0:1M\"});`",
    },
    FnDoc {
        name: "arrays",
        sig: "e.arrays -> Table",
        doc: "The arrays of the event: stored ones (name, shape, dtype, photon-shaped or not, \
mapped/owned), the derived columns it can compute (and whether cached), and missing optional \
arrays (reported, not errors).",
    },
    FnDoc {
        name: "his",
        sig: "e.his -> Table",
        doc: "The history table of the event or selection: distinct seqhis codes sorted by count, \
columns `idx code count frac npoints label`; prints the top 20 and a total line. Computed once \
(hash-based, parallel) and cached. `e.his.top(50)` shows more; the table holds every history.",
    },
    FnDoc {
        name: "mat",
        sig: "e.mat -> Table",
        doc: "The material-sequence (seqmat) table, labelled with the material names of the \
event's metadata (`materials:` key) when present (legacy events only).",
    },
    FnDoc {
        name: "flg",
        sig: "e.flg -> Table",
        doc: "The table of flag masks (pflags `ox[:,3,3]` / flagmask `photon[:,3,3]`), labels \
like `TO|BT|SD`; npoints is the number of flags set.",
    },
    FnDoc {
        name: "top",
        sig: "t.top(n) -> Table",
        doc: "A new table of the first n rows of a ranked table (history tables), all shown.",
    },
    FnDoc {
        name: "sel",
        sig: "e.sel(spec) -> Event",
        doc: "A new event selecting photons (the original is unchanged). `spec`: an exact label \
`\"TO BT BT SA\"`; a prefix `\"TO BT BT ..\"` (the history starts with these points); \
`\"*RE*\"` (the flag anywhere); a hex code `\"0x8ccd\"` or `\"8ccd\"`; a row slice `\"0:1000\"` \
(photon rows of the loaded event); a list of specs (OR); a bool Array mask (one per loaded row, \
or one per row of this selection). Selecting a selection narrows it. Only the row set is stored; \
columns are gathered when read. Bad syntax or unknown flags name the offending token.",
    },
    FnDoc {
        name: "and",
        sig: "s.and(other) -> Event",
        doc: "Photons in both selections (`other`: a selection of the same event, or a spec as \
for `sel`).",
    },
    FnDoc {
        name: "or",
        sig: "s.or(other) -> Event",
        doc: "Photons in either selection (`other`: a selection of the same event, or a spec).",
    },
    FnDoc {
        name: "not",
        sig: "s.not() -> Event",
        doc: "Loaded photons not in the selection.",
    },
    FnDoc {
        name: "count",
        sig: "e.count -> int",
        doc: "Number of photons in the event or selection.",
    },
    FnDoc {
        name: "index",
        sig: "s.index -> Array",
        doc: "Photon indices (int64) of the selected photons, as row numbers of the files \
(the load slice start included). For NPFold's `photon[:,3,2]` column use `e[\"index\"]`.",
    },
    FnDoc {
        name: "spec",
        sig: "e.spec -> string",
        doc: "The selection as written (`\"all\"` for an unselected event).",
    },
    FnDoc {
        name: "path",
        sig: "e.path -> string",
        doc: "The event folder.",
    },
    FnDoc {
        name: "layout",
        sig: "e.layout -> string",
        doc: "`legacy` or `npfold`.",
    },
    FnDoc {
        name: "flags",
        sig: "e.flags -> string",
        doc: "The flag table in use (`legacy`, `v2025` or `meta`) and how it was chosen.",
    },
    FnDoc {
        name: "loaded",
        sig: "e.loaded -> int",
        doc: "Photons loaded (after the load slice, before any selection).",
    },
    FnDoc {
        name: "file_photons",
        sig: "e.file_photons -> int",
        doc: "Photons in the files.",
    },
    FnDoc {
        name: "missing",
        sig: "e.missing -> array of strings",
        doc: "Expected arrays of this layout that the folder does not have.",
    },
    FnDoc {
        name: "warnings",
        sig: "e.warnings -> array of strings",
        doc: "Warnings found on opening (mixed timestamps, index entries without files).",
    },
    FnDoc {
        name: "domains",
        sig: "e.domains -> map",
        doc: "Compression domains of a legacy event (center, extent, tmin, textent, wavelength \
low/high/step/range, maxrec, maxbounce) and bin sizes `eps_pos`, `eps_time`, `eps_pol`, \
`eps_wavelength`; `()` without fdom.",
    },
    FnDoc {
        name: "col",
        sig: "e[name] / e.name -> Array",
        doc:
            "A stored array (`ox`, `rx`, `photon`, ...) or derived column, through the selection: \
legacy `rpost` (N,R,4) positions+time, `rpol` (N,R,3), `wavelength` (N,R), `m1 m2 bd fl` (N,R), \
`boundary sensor pflags` (N,) from ox; NPFold `boundary flag orient identity index flagmask` from \
photon; `seqhis seqmat npoints`. Derived columns are computed on first access and cached; a \
selection gathers rows when read. For a one-history selection per-step arrays are trimmed to its \
number of points.",
    },
    FnDoc {
        name: "label",
        sig: "label(code, [table]) / e.label(code) -> string",
        doc: "The label of a history code (int or hex string with or without 0x): \
`label(0x8ccd)` is `\"TO BT BT SA\"`. `table`: `\"legacy\"` (default) or `\"v2025\"`; \
`e.label` uses the event's table.",
    },
    FnDoc {
        name: "code",
        sig: "code(label, [table]) / e.code(label) -> int",
        doc: "The history code of a label: `code(\"TO BT BT SA\")` is 0x8ccd (legacy table by \
default). Labels of more than 16 points return a hex string (32-slot NPFold codes).",
    },
    FnDoc {
        name: "gen_event",
        sig: "gen_event(dir, [#{n, seed}]) -> map",
        doc: "Write a deterministic legacy-format A/B event pair under `dir` \
(`dir/evt/demo/torch/1` and `.../-1`, default n 1M, seed 1) with a long tail of histories, \
compressed records and domains. B = A within one compression bin, plus injected discrepancies \
listed in `dir/gen_manifest.json`: B-only history TO BT DR BT SA (i % 10007 == 5), misaligned \
photons (i % 1009 == 3), out-of-threshold rpost/rpol/ox/time photons (i % 100003 == 11/23/37/53). \
An existing pair with the same n and seed is reused. Returns #{a, b, manifest, cached, n, seed}. \
Also `evsh gen-event DIR --n 10M --seed 1`.",
    },
];

fn code_arg(v: &Dynamic) -> RResult<u128> {
    if let Ok(i) = v.as_int() {
        return Ok(i as u64 as u128);
    }
    if v.is_string() {
        return flags::parse_hex(&v.to_string()).rh();
    }
    Err(format!(
        "expected a history code (int or hex string), found {}",
        v.type_name()
    )
    .into())
}

fn str_arg(v: &Dynamic, f: &str) -> RResult<String> {
    if v.is_string() {
        Ok(v.to_string())
    } else {
        Err(format!("{f}: expected a label string, found {}", v.type_name()).into())
    }
}

fn table_arg(v: &Dynamic) -> RResult<FlagTable> {
    FlagTable::by_name(&str_arg(v, "flag table")?).rh()
}

fn code_value(c: u128) -> Dynamic {
    if c >> 64 == 0 {
        Dynamic::from(c as u64 as i64)
    } else {
        Dynamic::from(format!("0x{c:x}"))
    }
}

fn specs_of(v: &Dynamic) -> RResult<Vec<String>> {
    if v.is_string() {
        return Ok(vec![v.to_string()]);
    }
    if let Some(list) = v.clone().try_cast::<rhai::Array>() {
        let mut out = vec![];
        for x in list {
            if x.is_string() {
                out.push(x.to_string());
            } else {
                return Err(format!(
                    "e.sel: a list of specs must hold strings, found {}",
                    x.type_name()
                )
                .into());
            }
        }
        return Ok(out);
    }
    Err(format!(
        "e.sel: expected a spec string, a list of specs or a bool Array, found {}",
        v.type_name()
    )
    .into())
}

fn select_dyn(e: &Event, v: Dynamic) -> RResult<Event> {
    if let Some(a) = v.clone().try_cast::<Array>() {
        return e.select_mask(&a).rh();
    }
    if let Some(o) = v.clone().try_cast::<Event>() {
        return e.and(&o).rh();
    }
    e.select(&specs_of(&v)?).rh()
}

fn other_event(e: &Event, v: Dynamic) -> RResult<Event> {
    if let Some(o) = v.clone().try_cast::<Event>() {
        return Ok(o);
    }
    select_dyn(&e.unselected(), v)
}

fn open(path: &str, opts: Option<Map>) -> RResult<Event> {
    let mut o = OpenOptions::default();
    if let Some(m) = &opts {
        super::conv::check_keys(m, &["slice", "flags"], "event")?;
        o.slice = super::conv::opt_str(m, "slice")?;
        o.flags = super::conv::opt_str(m, "flags")?;
    }
    let e = Event::open(path, &o).rh()?;
    for w in &e.folder().warnings {
        eprintln!("warning: {}: {w}", e.folder().path.display());
    }
    Ok(e)
}

fn gen(dir: &str, opts: Map) -> RResult<Map> {
    super::conv::check_keys(&opts, &["n", "seed"], "gen_event")?;
    let n = super::conv::opt_i64(&opts, "n")?.unwrap_or(1_000_000);
    let seed = super::conv::opt_i64(&opts, "seed")?.unwrap_or(1);
    if n <= 0 {
        return Err(format!("gen_event: n must be positive, found {n}").into());
    }
    if seed < 0 {
        return Err(format!("gen_event: seed must not be negative, found {seed}").into());
    }
    let t0 = std::time::Instant::now();
    let g = crate::event::gen::generate(
        std::path::Path::new(dir),
        &crate::event::gen::GenOptions {
            n: n as usize,
            seed: seed as u64,
        },
    )
    .rh()?;
    let mut m = Map::new();
    m.insert("a".into(), Dynamic::from(g.a.display().to_string()));
    m.insert("b".into(), Dynamic::from(g.b.display().to_string()));
    m.insert(
        "manifest".into(),
        Dynamic::from(g.manifest.display().to_string()),
    );
    m.insert("cached".into(), Dynamic::from(g.cached));
    m.insert("n".into(), Dynamic::from(n));
    m.insert("seed".into(), Dynamic::from(seed));
    m.insert("seconds".into(), Dynamic::from(t0.elapsed().as_secs_f64()));
    Ok(m)
}

fn domains_map(e: &Event) -> Dynamic {
    let Some(d) = e.domains() else {
        return Dynamic::UNIT;
    };
    let mut m = Map::new();
    let f = |x: f32| Dynamic::from(x as f64);
    m.insert(
        "center".into(),
        Dynamic::from(d.center.iter().map(|&c| f(c)).collect::<rhai::Array>()),
    );
    m.insert("extent".into(), f(d.extent));
    m.insert("tmin".into(), f(d.tmin));
    m.insert("textent".into(), f(d.textent));
    m.insert("wl_low".into(), f(d.wl_low));
    m.insert("wl_high".into(), f(d.wl_high));
    m.insert("wl_step".into(), f(d.wl_step));
    m.insert("wl_range".into(), f(d.wl_range));
    m.insert("maxrec".into(), Dynamic::from(d.maxrec as INT));
    m.insert("maxbounce".into(), Dynamic::from(d.maxbounce as INT));
    let eps = d.eps();
    m.insert("eps_pos".into(), Dynamic::from(eps.pos));
    m.insert("eps_time".into(), Dynamic::from(eps.time));
    m.insert("eps_pol".into(), Dynamic::from(eps.pol));
    m.insert("eps_wavelength".into(), Dynamic::from(eps.wavelength));
    Dynamic::from_map(m)
}

fn strs(v: &[String]) -> rhai::Array {
    v.iter().map(|s| Dynamic::from(s.clone())).collect()
}

/// Register the `Event` type and its functions.
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Event>("Event");
    engine.register_fn("to_string", |e: &mut Event| e.summary());
    engine.register_fn("to_debug", |e: &mut Event| e.summary());

    engine.register_fn("event", |p: &str| open(p, None));
    engine.register_fn("event", |p: &str, m: Map| open(p, Some(m)));

    engine.register_get("arrays", |e: &mut Event| e.arrays_table());
    engine.register_get("his", |e: &mut Event| e.table(Kind::Seqhis).rh());
    engine.register_get("mat", |e: &mut Event| e.table(Kind::Seqmat).rh());
    engine.register_get("flg", |e: &mut Event| e.table(Kind::Pflags).rh());
    engine.register_fn("top", |t: &mut Table, n: INT| -> RResult<Table> {
        if n < 0 {
            return Err(format!("top: n must not be negative, found {n}").into());
        }
        let n = n as usize;
        let mut out = t.slice_rows(0, n);
        out.show = Some(n.max(1));
        out.head_only = true;
        Ok(out)
    });

    engine.register_fn("sel", |e: &mut Event, v: Dynamic| select_dyn(e, v));
    engine.register_fn("and", |e: &mut Event, v: Dynamic| -> RResult<Event> {
        let o = other_event(e, v)?;
        e.and(&o).rh()
    });
    engine.register_fn("or", |e: &mut Event, v: Dynamic| -> RResult<Event> {
        let o = other_event(e, v)?;
        e.or(&o).rh()
    });
    engine.register_fn("not", |e: &mut Event| e.not());

    engine.register_get("count", |e: &mut Event| e.count() as INT);
    engine.register_get("index", |e: &mut Event| e.index().rh());
    engine.register_get("spec", |e: &mut Event| e.spec());
    engine.register_get("path", |e: &mut Event| {
        e.folder().path.display().to_string()
    });
    engine.register_get("layout", |e: &mut Event| e.layout().name().to_string());
    engine.register_get("flags", |e: &mut Event| {
        format!("{} ({})", e.flags().name, e.data().flags_from)
    });
    engine.register_get("loaded", |e: &mut Event| e.loaded() as INT);
    engine.register_get("file_photons", |e: &mut Event| {
        e.folder().file_photons as INT
    });
    engine.register_get("missing", |e: &mut Event| strs(&e.folder().missing));
    engine.register_get("warnings", |e: &mut Event| strs(&e.folder().warnings));
    engine.register_get("domains", |e: &mut Event| domains_map(e));
    engine.register_indexer_get(|e: &mut Event, name: &str| e.column(name).rh());

    engine.register_fn("label", |c: Dynamic| -> RResult<String> {
        Ok(FlagTable::legacy().label(code_arg(&c)?))
    });
    // label(code, table) and e.label(code) share one signature (the first argument may be
    // an Event), so that overload resolution is never ambiguous.
    engine.register_fn("label", |a: Dynamic, b: Dynamic| -> RResult<String> {
        if let Some(e) = a.clone().try_cast::<Event>() {
            return Ok(e.flags().label(code_arg(&b)?));
        }
        Ok(table_arg(&b)?.label(code_arg(&a)?))
    });
    engine.register_fn("code", |l: &str| -> RResult<Dynamic> {
        Ok(code_value(FlagTable::legacy().encode(l, 32).rh()?))
    });
    engine.register_fn("code", |a: Dynamic, b: Dynamic| -> RResult<Dynamic> {
        if let Some(e) = a.clone().try_cast::<Event>() {
            let slots = e.slots();
            return Ok(code_value(
                e.flags().encode(&str_arg(&b, "code")?, slots).rh()?,
            ));
        }
        Ok(code_value(
            table_arg(&b)?.encode(&str_arg(&a, "code")?, 32).rh()?,
        ))
    });

    engine.register_fn("gen_event", |d: &str| gen(d, Map::new()));
    engine.register_fn("gen_event", gen);
}
