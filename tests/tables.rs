//! Golden-output tests for Tables: the printed form (alignment, float formatting,
//! elision, title and footer) and the CSV / JSON / Markdown exports with their escaping,
//! built through the real script session. Expectations are written out by hand.

use evsh::output::table::{Col, Table};
use evsh::script::Session;

fn run(code: &str) -> rhai::Dynamic {
    let mut s = Session::new();
    s.eval(code).unwrap_or_else(|e| panic!("{code}\n-> {e}"))
}

fn table(code: &str) -> Table {
    run(code).try_cast::<Table>().expect("a Table")
}

fn text(code: &str) -> String {
    run(code).into_string().expect("a string")
}

const MIXED: &str = r#"
    let t = table()
        .add("name", ["a", "b|c", "multi\nline"])
        .add("n", [1, -20, 300])
        .add("x", [0.5, 1234567.0, 0.000123])
        .add("ok", [true, false, true])
        .note("total: 3");
    t.title = "Demo";
    t
"#;

#[test]
fn prints_title_aligned_columns_and_footer() {
    let t = table(MIXED);
    let expected = "\
Demo
╭───────┬─────┬──────────┬───────╮
│ name  ┆   n ┆        x ┆    ok │
╞═══════╪═════╪══════════╪═══════╡
│ a     ┆   1 ┆   0.5000 ┆  true │
│ b|c   ┆ -20 ┆  1.235e6 ┆ false │
│ multi ┆ 300 ┆ 1.230e-4 ┆  true │
│ line  ┆     ┆          ┆       │
╰───────┴─────┴──────────┴───────╯
total: 3";
    assert_eq!(t.to_string(), expected);
    // The session shows a bare Table value the same way.
    let mut s = Session::new();
    let v = s.eval(MIXED).unwrap();
    assert_eq!(s.display(&v), expected);
}

fn squares(n: usize) -> String {
    format!("let v = []; for i in 0..{n} {{ v.push(i * i) }} let t = table().add(\"i\", v);")
}

#[test]
fn long_tables_are_elided_with_the_count() {
    let t = table(&(squares(45) + "t"));
    let expected = "\
╭──────╮
│    i │
╞══════╡
│    0 │
│    1 │
│    4 │
│    9 │
│   16 │
│   25 │
│   36 │
│   49 │
│   64 │
│   81 │
│    … │
│ 1225 │
│ 1296 │
│ 1369 │
│ 1444 │
│ 1521 │
│ 1600 │
│ 1681 │
│ 1764 │
│ 1849 │
│ 1936 │
╰──────╯
… 25 rows not shown; 45 rows in total …";
    assert_eq!(t.to_string(), expected);
    // 40 rows still print whole.
    let t = table(&(squares(40) + "t"));
    assert_eq!(t.to_string().lines().count(), 40 + 4);
    assert!(!t.to_string().contains('…'));
}

#[test]
fn show_limits_rows() {
    let t = table(&(squares(7) + "t.show = 4; t"));
    let expected = "\
╭────╮
│  i │
╞════╡
│  0 │
│  1 │
│  … │
│ 25 │
│ 36 │
╰────╯
… 3 rows not shown; 7 rows in total …";
    assert_eq!(t.to_string(), expected);
    // Odd limits keep one more row at the top.
    let t = table(&(squares(7) + "t.show = 3; t"));
    let printed = t.to_string();
    let rows: Vec<&str> = printed.lines().collect();
    assert_eq!(rows[3..7], ["│  0 │", "│  1 │", "│  … │", "│ 36 │"]);
    // A limit the table fits in prints everything.
    let t = table(&(squares(5) + "t.show = 5; t"));
    assert!(!t.to_string().contains('…'));
    // Thousands are grouped in the count.
    let t = table(&(squares(1234) + "t.show = 2; t"));
    assert!(t
        .to_string()
        .ends_with("… 1,232 rows not shown; 1,234 rows in total …"));
    // Exports never elide.
    let t = table(&(squares(45) + "t.show = 2; t"));
    assert_eq!(t.to_csv().lines().count(), 46);
    assert_eq!(t.to_text().lines().count(), 45 + 4);
}

#[test]
fn floats_use_significant_digits_or_column_precision() {
    let t = table(
        r#"table().add("a", [3.14159, 0.0, -2.5, 1e-9, 1.0/0.0]).add("b", [2.0/3.0, 10.0, 0.25, 1.0, -1.0])
            .precision("b", 2)"#,
    );
    let expected = "\
╭──────────┬───────╮
│        a ┆     b │
╞══════════╪═══════╡
│    3.142 ┆  0.67 │
│        0 ┆ 10.00 │
│   -2.500 ┆  0.25 │
│ 1.000e-9 ┆  1.00 │
│      inf ┆ -1.00 │
╰──────────┴───────╯";
    assert_eq!(t.to_string(), expected);
}

#[test]
fn empty_tables() {
    assert_eq!(table("table()").to_string(), "(empty table)");
    assert_eq!(
        table(r#"table().add("a", [])"#).to_string(),
        "╭───╮\n│ a │\n╞═══╡\n╰───╯\n(0 rows)"
    );
    assert_eq!(table(r#"table().add("a", [])"#).to_json(), "[]\n");
    assert_eq!(table(r#"table().add("a", [])"#).to_csv(), "a\n");
}

const TRICKY: &str = r#"
    table()
        .add("text", ["plain", "a,b", "say \"hi\"", "two\nlines", "pipe|back\\slash", "é ✓"])
        .add("x", [0.1, 1.0, 1e-7, 0.0/0.0, 1.0/0.0, -1.0/0.0])
        .add("k", [1, 2, 3, 4, 5, -6])
"#;

#[test]
fn csv_quotes_and_full_precision() {
    let t = table(TRICKY);
    let expected = "text,x,k\n\
plain,0.1,1\n\
\"a,b\",1.0,2\n\
\"say \"\"hi\"\"\",1e-7,3\n\
\"two\nlines\",NaN,4\n\
pipe|back\\slash,inf,5\n\
é ✓,-inf,-6\n";
    assert_eq!(t.to_csv(), expected);
    // Column names are escaped too.
    let t = table(r#"table().add("a,b", [1]).add("q\"", [2])"#);
    assert_eq!(t.to_csv(), "\"a,b\",\"q\"\"\"\n1,2\n");
}

#[test]
fn csv_floats_read_back_exactly() {
    let vals = [0.1, 1.0 / 3.0, 1e300, -2.5e-308, 123456789.12345679];
    let t = Table::new(None)
        .with("v", Col::Float(vals.to_vec()))
        .unwrap();
    let back: Vec<f64> = t
        .to_csv()
        .lines()
        .skip(1)
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(back, vals);
}

#[test]
fn json_is_valid_rows_with_null_for_non_finite() {
    let t = table(TRICKY);
    let j = t.to_json();
    let expected = r#"[
  {"text": "plain", "x": 0.1, "k": 1},
  {"text": "a,b", "x": 1.0, "k": 2},
  {"text": "say \"hi\"", "x": 1e-7, "k": 3},
  {"text": "two\nlines", "x": null, "k": 4},
  {"text": "pipe|back\\slash", "x": null, "k": 5},
  {"text": "é ✓", "x": null, "k": -6}
]
"#;
    assert_eq!(j, expected);
    let v: serde_json::Value = serde_json::from_str(&j).expect("valid JSON");
    assert_eq!(v[3]["text"], "two\nlines");
    assert_eq!(v[2]["text"], "say \"hi\"");
    assert!(v[3]["x"].is_null());
    assert_eq!(v[5]["k"], -6);
    assert_eq!(v.as_array().unwrap().len(), 6);
}

#[test]
fn markdown_escapes_pipes_and_newlines() {
    let t = table(MIXED);
    let expected = "\
**Demo**

| name | n | x | ok |
|---|---:|---:|---:|
| a | 1 | 0.5000 | true |
| b\\|c | -20 | 1.235e6 | false |
| multi<br>line | 300 | 1.230e-4 | true |

total: 3  
";
    assert_eq!(t.to_markdown(), expected);
    let t = table(TRICKY);
    let md = t.to_markdown();
    assert!(md.contains("| pipe\\|back\\\\slash | inf | 5 |"), "{md}");
    assert!(md.contains("| two<br>lines | nan | 4 |"), "{md}");
}

#[test]
fn script_methods() {
    let mut s = Session::new();
    let _ = s.eval(
        r#"let t = table().add("name", ["b", "a", "c", "d"]).add("chi2", [2.5, 0.0/0.0, 9.0, 1.0]).add("n", [3, 1, 2, 4]);"#,
    )
    .unwrap();
    let ev = |s: &mut Session, c: &str| s.eval(c).unwrap_or_else(|e| panic!("{c}: {e}"));
    assert_eq!(ev(&mut s, "t.nrows").as_int().unwrap(), 4);
    assert_eq!(ev(&mut s, "t.ncols").as_int().unwrap(), 3);
    assert_eq!(
        ev(&mut s, r#"t.columns"#).to_string(),
        r#"["name", "chi2", "n"]"#
    );
    assert_eq!(ev(&mut s, r#"t.col("n")"#).to_string(), "[3, 1, 2, 4]");
    assert_eq!(
        ev(&mut s, r#"t.col("name")"#).to_string(),
        r#"["b", "a", "c", "d"]"#
    );
    // `t["name"]` is the column as an Array (strings as fixed-width unicode).
    assert_eq!(
        ev(&mut s, r#"t["name"].dtype"#).into_string().unwrap(),
        "<U1"
    );
    assert_eq!(ev(&mut s, r#"t["n"].sum()"#).as_int().unwrap(), 10);
    // Rows as maps, negative index from the end.
    assert_eq!(ev(&mut s, "t[0].name").into_string().unwrap(), "b");
    assert_eq!(ev(&mut s, "t[-1].n").as_int().unwrap(), 4);
    // Sorting: ascending, descending, NaN last either way; strings; stable.
    assert_eq!(
        ev(&mut s, r#"t.sort("chi2").col("name")"#).to_string(),
        r#"["d", "b", "c", "a"]"#
    );
    assert_eq!(
        ev(&mut s, r#"t.sort("chi2", false).col("name")"#).to_string(),
        r#"["c", "b", "d", "a"]"#
    );
    assert_eq!(
        ev(&mut s, r#"t.sort("name").col("n")"#).to_string(),
        "[1, 3, 2, 4]"
    );
    assert_eq!(
        ev(
            &mut s,
            r#"table().add("k", [1, 0, 1, 0]).add("i", [0, 1, 2, 3]).sort("k").col("i")"#
        )
        .to_string(),
        "[1, 3, 0, 2]"
    );
    // head / tail.
    assert_eq!(ev(&mut s, "t.head(2).col(\"n\")").to_string(), "[3, 1]");
    assert_eq!(ev(&mut s, "t.tail(3).col(\"n\")").to_string(), "[1, 2, 4]");
    assert_eq!(ev(&mut s, "t.head(100).nrows").as_int().unwrap(), 4);
    assert_eq!(ev(&mut s, "t.head().nrows").as_int().unwrap(), 4);
    // Title.
    assert!(ev(&mut s, "t.title").is_unit());
    let _ = ev(&mut s, r#"t.title = "Fits";"#);
    assert_eq!(ev(&mut s, "t.title").into_string().unwrap(), "Fits");
    assert_eq!(
        ev(&mut s, "t.sort(\"n\").title").into_string().unwrap(),
        "Fits"
    );
    // rows() in a loop.
    assert_eq!(
        ev(
            &mut s,
            "let total = 0; for r in t.rows() { total += r.n } total"
        )
        .as_int()
        .unwrap(),
        10
    );
    // A table from a map (keys in Rhai's order).
    assert_eq!(
        ev(&mut s, "table(#{b: [1, 2], a: [0.5, 1.5]}).columns").to_string(),
        r#"["a", "b"]"#
    );
}

#[test]
fn script_errors_are_clear() {
    let mut s = Session::new();
    let _ = s.eval(r#"let t = table().add("a", [1, 2]);"#).unwrap();
    let err = |s: &mut Session, c: &str| s.run(c, None).unwrap_err().message;
    let e = err(&mut s, r#"t.col("b")"#);
    assert!(e.contains("no column 'b'; the columns are: a"), "{e}");
    let e = err(&mut s, "t[2]");
    assert!(
        e.contains("row 2 is out of range: the table has 2 rows"),
        "{e}"
    );
    let e = err(&mut s, r#"t.add("b", [1])"#);
    assert!(
        e.contains("column 'b' has 1 rows but the table has 2"),
        "{e}"
    );
    let e = err(&mut s, r#"t.add("a", [1, 2])"#);
    assert!(e.contains("already has a column 'a'"), "{e}");
    let e = err(&mut s, r#"t.add("c", [1, "x"])"#);
    assert!(e.contains("column 'c': element 1 is string"), "{e}");
    let e = err(&mut s, r#"t.sort("zz")"#);
    assert!(e.contains("no column 'zz'"), "{e}");
    let e = err(&mut s, r#"t.save("out.xlsx")"#);
    assert!(e.contains("use .csv, .json, .md or .txt"), "{e}");
    let e = err(&mut s, "t.show = -1;");
    assert!(e.contains("expected a row count"), "{e}");
}

#[test]
fn save_picks_the_format_from_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::new();
    s.set_var("dir", dir.path().display().to_string().into());
    let _ = s.eval(&format!("let t = {{ {MIXED} }};")).unwrap();
    for ext in ["csv", "json", "md", "txt"] {
        let _ = s.eval(&format!(r#"t.save(dir + "/out.{ext}")"#)).unwrap();
    }
    let read = |ext: &str| std::fs::read_to_string(dir.path().join(format!("out.{ext}"))).unwrap();
    let t = table(MIXED);
    assert_eq!(read("csv"), t.to_csv());
    assert_eq!(read("json"), t.to_json());
    assert_eq!(read("md"), t.to_markdown());
    assert_eq!(read("txt"), t.to_string() + "\n");
    // Exports as strings from scripts are the same text.
    assert_eq!(text(&format!("{MIXED}.to_csv()")), t.to_csv());
    // Only the four files: no temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
    // A missing folder is an error naming the path.
    let e = s
        .run(r#"t.save(dir + "/no/such/dir/x.csv")"#, None)
        .unwrap_err()
        .message;
    assert!(e.contains("no/such/dir"), "{e}");
}
