//! Rhai bindings for the event layer: opening events, their columns and history tables,
//! selections and their algebra, the label codec, and the A/B generator. Registration
//! and help text live together.

use rhai::{Dynamic, Map, INT};

use super::registry::{check_opts, opt, Opt, RResult, Reg};
use super::IntoRhai;
use crate::array::Array;
use crate::event::flags::{self, FlagTable};
use crate::event::history::Kind;
use crate::event::{Event, OpenOptions};
use crate::output::table::Table;

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

const OPEN_OPTS: &[Opt] = &[
    opt(
        "slice",
        "row slice string",
        "all rows",
        "load only these rows of the photon-shaped arrays (\"0:1M\")",
    ),
    opt(
        "flags",
        "\"legacy\" | \"v2025\"",
        "metadata, else detected",
        "flag bit order",
    ),
];

const GEN_OPTS: &[Opt] = &[
    opt("n", "int > 0", "1000000", "photons per side"),
    opt("seed", "int >= 0", "1", "random seed"),
];

fn open(path: &str, opts: Option<Map>) -> RResult<Event> {
    let mut o = OpenOptions::default();
    if let Some(m) = &opts {
        check_opts(m, &[OPEN_OPTS], "event")?;
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
    check_opts(&opts, &[GEN_OPTS], "gen_event")?;
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
pub fn register(r: &mut Reg) {
    r.ty_with::<Event>("Event", |e| e.summary(), |e| e.summary());

    r.func(
        "event",
        "event(path, [#{slice, flags}]) -> Event",
        "Open a photon event folder: a legacy tag folder (ox rx ph bn so ht gs fdom idom) or \
an NPFold folder (photon record seq hit ..., NPFold_index.txt, *_meta.txt, sub-folders), detected \
from its files. Only headers are read; arrays are memory-mapped. Options: `slice: \"0:1M\"` loads \
those rows of the photon-shaped arrays only (the summary shows file and loaded counts); \
`flags: \"legacy\"|\"v2025\"` chooses the flag bit order (default: the event's metadata, else \
detected from the first points of the histories). Photon arrays of unequal length, truncated or \
header-only files are refused with the file named; mixed timestamps print a warning.\n\
Example: `let a = event(\"/data/evt/box/torch/1\", #{slice: \"0:1M\"});`",
    )
    .opts(&[OPEN_OPTS])
    .example("event(g.a, OPTS)")
    .f(|p: &str| open(p, None))
    .f(|p: &str, m: Map| open(p, Some(m)));

    r.func(
        "arrays",
        "e.arrays -> Table",
        "The arrays of the event: stored ones (name, shape, dtype, photon-shaped or not, \
mapped/owned), the derived columns it can compute (and whether cached), and missing optional \
arrays (reported, not errors).",
    )
    .get(|e: &mut Event| e.arrays_table());
    r.func(
        "his",
        "e.his -> Table",
        "The history table of the event or selection: distinct seqhis codes sorted by count, \
columns `idx code count frac npoints label`; prints the top 20 and a total line. Computed once \
(hash-based, parallel) and cached. `e.his.top(50)` shows more; the table holds every history.",
    )
    .get(|e: &mut Event| e.table(Kind::Seqhis).rh());
    r.func(
        "mat",
        "e.mat -> Table",
        "The material-sequence (seqmat) table, labelled with the material names of the \
event's metadata (`materials:` key) when present (legacy events only).",
    )
    .get(|e: &mut Event| e.table(Kind::Seqmat).rh());
    r.func(
        "flg",
        "e.flg -> Table",
        "The table of flag masks (pflags `ox[:,3,3]` / flagmask `photon[:,3,3]`), labels \
like `TO|BT|SD`; npoints is the number of flags set.",
    )
    .get(|e: &mut Event| e.table(Kind::Pflags).rh());
    r.func(
        "top",
        "t.top(n) -> Table",
        "A new table of the first n rows of a ranked table (history tables), all shown.",
    )
    .f(|t: &mut Table, n: INT| -> RResult<Table> {
        if n < 0 {
            return Err(format!("top: n must not be negative, found {n}").into());
        }
        let n = n as usize;
        let mut out = t.slice_rows(0, n);
        out.show = Some(n.max(1));
        out.head_only = true;
        Ok(out)
    });

    r.func(
        "sel",
        "e.sel(spec) -> Event",
        "A new event selecting photons (the original is unchanged). `spec`: an exact label \
`\"TO BT BT SA\"`; a prefix `\"TO BT BT ..\"` (the history starts with these points); \
`\"*RE*\"` (the flag anywhere); a hex code `\"0x8ccd\"` or `\"8ccd\"`; a row slice `\"0:1000\"` \
(photon rows of the loaded event); a list of specs (OR); a bool Array mask (one per loaded row, \
or one per row of this selection). Selecting a selection narrows it. Only the row set is stored; \
columns are gathered when read. Bad syntax or unknown flags name the offending token.",
    )
    .f(|e: &mut Event, v: Dynamic| select_dyn(e, v));
    r.func(
        "and",
        "s.and(other) -> Event",
        "Photons in both selections (`other`: a selection of the same event, or a spec as \
for `sel`).",
    )
    .f(|e: &mut Event, v: Dynamic| -> RResult<Event> {
        let o = other_event(e, v)?;
        e.and(&o).rh()
    });
    r.func(
        "or",
        "s.or(other) -> Event",
        "Photons in either selection (`other`: a selection of the same event, or a spec).",
    )
    .f(|e: &mut Event, v: Dynamic| -> RResult<Event> {
        let o = other_event(e, v)?;
        e.or(&o).rh()
    });
    r.func(
        "not",
        "s.not() -> Event",
        "Loaded photons not in the selection.",
    )
    .f(|e: &mut Event| e.not());

    r.func(
        "count",
        "e.count -> int",
        "Number of photons in the event or selection.",
    )
    .get(|e: &mut Event| e.count() as INT);
    r.func(
        "index",
        "s.index -> Array",
        "Photon indices (int64) of the selected photons, as row numbers of the files \
(the load slice start included). For NPFold's `photon[:,3,2]` column use `e[\"index\"]`.",
    )
    .get(|e: &mut Event| e.index().rh());
    r.func(
        "spec",
        "e.spec -> string",
        "The selection as written (`\"all\"` for an unselected event).",
    )
    .get(|e: &mut Event| e.spec());
    r.func("path", "e.path -> string", "The event folder.")
        .get(|e: &mut Event| e.folder().path.display().to_string());
    r.func("layout", "e.layout -> string", "`legacy` or `npfold`.")
        .get(|e: &mut Event| e.layout().name().to_string());
    r.func(
        "flags",
        "e.flags -> string",
        "The flag table in use (`legacy`, `v2025` or `meta`) and how it was chosen.",
    )
    .get(|e: &mut Event| format!("{} ({})", e.flags().name, e.data().flags_from));
    r.func(
        "loaded",
        "e.loaded -> int",
        "Photons loaded (after the load slice, before any selection).",
    )
    .get(|e: &mut Event| e.loaded() as INT);
    r.func(
        "file_photons",
        "e.file_photons -> int",
        "Photons in the files.",
    )
    .get(|e: &mut Event| e.folder().file_photons as INT);
    r.func(
        "missing",
        "e.missing -> array of strings",
        "Expected arrays of this layout that the folder does not have.",
    )
    .get(|e: &mut Event| strs(&e.folder().missing));
    r.func(
        "warnings",
        "e.warnings -> array of strings",
        "Warnings found on opening (mixed timestamps, index entries without files).",
    )
    .get(|e: &mut Event| strs(&e.folder().warnings));
    r.func(
        "domains",
        "e.domains -> map",
        "Compression domains of a legacy event (center, extent, tmin, textent, wavelength \
low/high/step/range, maxrec, maxbounce) and bin sizes `eps_pos`, `eps_time`, `eps_pol`, \
`eps_wavelength`; `()` without fdom.",
    )
    .get(|e: &mut Event| domains_map(e));
    r.func(
        "col",
        "e[name] / e.name -> Array",
        "A stored array (`ox`, `rx`, `photon`, ...) or derived column, through the selection: \
legacy `rpost` (N,R,4) positions+time, `rpol` (N,R,3), `wavelength` (N,R), `m1 m2 bd fl` (N,R), \
`boundary sensor pflags` (N,) from ox; NPFold `boundary flag orient identity index flagmask` from \
photon; `seqhis seqmat npoints`. Derived columns are computed on first access and cached; a \
selection gathers rows when read. For a one-history selection per-step arrays are trimmed to its \
number of points.",
    )
    .index_get(|e: &mut Event, name: &str| e.column(name).rh());

    r.func(
        "label",
        "label(code, [table]) / e.label(code) -> string",
        "The label of a history code (int or hex string with or without 0x): \
`label(0x8ccd)` is `\"TO BT BT SA\"`. `table`: `\"legacy\"` (default) or `\"v2025\"`; \
`e.label` uses the event's table.",
    )
    .f(|c: Dynamic| -> RResult<String> { Ok(FlagTable::legacy().label(code_arg(&c)?)) })
    .f(|a: Dynamic, b: Dynamic| -> RResult<String> {
        if let Some(e) = a.clone().try_cast::<Event>() {
            return Ok(e.flags().label(code_arg(&b)?));
        }
        Ok(table_arg(&b)?.label(code_arg(&a)?))
    });
    r.func(
        "code",
        "code(label, [table]) / e.code(label) -> int",
        "The history code of a label: `code(\"TO BT BT SA\")` is 0x8ccd (legacy table by \
default). Labels of more than 16 points return a hex string (32-slot NPFold codes).",
    )
    .f(|l: &str| -> RResult<Dynamic> { Ok(code_value(FlagTable::legacy().encode(l, 32).rh()?)) })
    .f(|a: Dynamic, b: Dynamic| -> RResult<Dynamic> {
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

    r.func(
        "gen_event",
        "gen_event(dir, [#{n, seed}]) -> map",
        "Write a deterministic legacy-format A/B event pair under `dir` \
(`dir/evt/demo/torch/1` and `.../-1`, default n 1M, seed 1) with a long tail of histories, \
compressed records and domains. B = A within one compression bin, plus injected discrepancies \
listed in `dir/gen_manifest.json`: B-only history TO BT DR BT SA (i % 10007 == 5), misaligned \
photons (i % 1009 == 3), out-of-threshold rpost/rpol/ox/time photons (i % 100003 == 11/23/37/53). \
An existing pair with the same n and seed is reused. Returns #{a, b, manifest, cached, n, seed}. \
Also `evsh gen-event DIR --n 10M --seed 1`.",
    )
    .opts(&[GEN_OPTS])
    .example("gen_event(TMP + \"/g2\", OPTS)")
    .f(|d: &str| gen(d, Map::new()))
    .f(gen);
}
