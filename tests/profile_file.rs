//! The profile file: it round-trips, it is the same for the same input, any YAML reader reads it
//! the same, a bad file is refused with the field path and the rule named, format 1 still loads,
//! and the user's overrides are applied and survive re-profiling.

mod common;

use std::path::Path;

use common::*;
use understudy::profile::{from_yaml, to_yaml, FORMAT_VERSION};

fn bundled_text(name: &str) -> String {
    std::fs::read_to_string(bundled_profile(name)).unwrap()
}

#[test]
fn profiles_round_trip_and_are_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = data_dir("chinook").join("csv");
    assert_ok(&understudy(
        tmp.path(),
        &["profile", csv.to_str().unwrap(), "-o", "a.yaml"],
    ));
    assert_ok(&understudy(
        tmp.path(),
        &["profile", csv.to_str().unwrap(), "-o", "b.yaml"],
    ));
    let a = std::fs::read_to_string(tmp.path().join("a.yaml")).unwrap();
    assert_eq!(
        a,
        std::fs::read_to_string(tmp.path().join("b.yaml")).unwrap(),
        "same input, same profile"
    );
    assert!(a.starts_with(&format!("format_version: {FORMAT_VERSION}\n")));
    let parsed = from_yaml(&a).unwrap();
    assert_eq!(to_yaml(&parsed), a);
}

#[test]
fn bundled_profiles_are_current_and_parse() {
    for name in ["chinook", "northwind"] {
        let profile = read_profile(&bundled_profile(name));
        assert!(profile.tables.len() > 10, "{name}");
        assert_eq!(
            profile.format_version, FORMAT_VERSION,
            "{name} is rewritten"
        );
        assert_eq!(
            to_yaml(&profile),
            bundled_text(name),
            "{name} is in canonical form"
        );
    }
}

/// Reads a YAML file with PyYAML's `safe_load` (a YAML 1.1 reader) and returns it as JSON.
fn read_with_pyyaml(path: &Path) -> serde_json::Value {
    let script = "import json, sys, yaml\n\
                  print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))";
    let out = std::process::Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("python3 runs (the test needs it; .ci/run installs PyYAML)");
    assert!(
        out.status.success(),
        "PyYAML could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The same file read by the parser that wrote it, as JSON.
fn read_with_serde(path: &Path) -> serde_json::Value {
    let value: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_value(value).unwrap()
}

/// The path of the first place where two JSON trees differ, with both sides.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value::{Array, Object};
    match (a, b) {
        (Object(x), Object(y)) if x.len() == y.len() => {
            x.iter().find_map(|(k, v)| match y.get(k) {
                Some(w) => first_difference(v, w, &format!("{path}.{k}")),
                None => Some(format!("{path}.{k}: missing on one side")),
            })
        }
        (Array(x), Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{path}[{i}]"))),
        _ if a == b => None,
        // serde_json's own float parsing may be one unit in the last place off.
        (serde_json::Value::Number(x), serde_json::Value::Number(y))
            if (x.as_f64().unwrap() - y.as_f64().unwrap()).abs()
                <= 1e-12 * x.as_f64().unwrap().abs() =>
        {
            None
        }
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

fn assert_read_the_same(path: &Path) {
    let (py, ours) = (read_with_pyyaml(path), read_with_serde(path));
    if let Some(difference) = first_difference(&py, &ours, "") {
        panic!(
            "PyYAML and serde_norway differ on {}: {difference}",
            path.display()
        );
    }
}

#[test]
fn another_yaml_reader_reads_every_bundled_profile_the_same() {
    for name in ["chinook", "northwind"] {
        assert_read_the_same(&bundled_profile(name));
    }
}

#[test]
fn strings_a_yaml_1_1_reader_would_misread_are_quoted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("csv");
    std::fs::create_dir(&dir).unwrap();
    let tricky = [
        "ON",
        "no",
        "1e3",
        "0x10",
        "~",
        "2024-01-31",
        "12:30",
        "Yes",
        "null",
        "#x",
    ];
    let mut csv = String::from("id,flag\n");
    for (i, value) in tricky.iter().cycle().take(tricky.len() * 10).enumerate() {
        csv.push_str(&format!("{i},\"{value}\"\n"));
    }
    std::fs::write(dir.join("t.csv"), csv).unwrap();
    assert_ok(&understudy(
        tmp.path(),
        &["profile", dir.to_str().unwrap(), "-o", "p.yaml"],
    ));
    let path = tmp.path().join("p.yaml");
    assert_read_the_same(&path);
    let json = read_with_pyyaml(&path);
    let frequent = &json["tables"][0]["columns"][1]["stats"]["frequent"];
    let values: Vec<&serde_json::Value> = frequent
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["value"])
        .collect();
    assert_eq!(values.len(), tricky.len(), "{frequent}");
    for value in values {
        assert!(value.is_string(), "{value} was read as something else");
    }
}

#[test]
fn format_1_files_load_and_upgrade_to_the_same_profile() {
    let v1_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/chinook_format1.yaml");
    let v1 = from_yaml(&std::fs::read_to_string(&v1_path).unwrap()).unwrap();
    assert_eq!(v1.format_version, 1);
    let album = v1.table("album").unwrap();
    assert_eq!(
        album.schema.column("title").unwrap().logical,
        understudy::schema::LogicalType::Text {
            max_chars: Some(160)
        }
    );
    assert_eq!(album.stats("title").unwrap().column, "title");
    assert_eq!(
        album
            .fk_stats(&["artist_id".to_string()])
            .unwrap()
            .null_rate,
        0.0
    );

    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(&v1_path, tmp.path().join("old.yaml")).unwrap();
    let out = understudy(tmp.path(), &["generate", "old.yaml", "-o", "before"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("understudy upgrade old.yaml"),
        "the note says how to rewrite it: {}",
        stderr(&out)
    );
    assert_ok(&understudy(tmp.path(), &["upgrade", "old.yaml"]));
    let upgraded = std::fs::read_to_string(tmp.path().join("old.yaml")).unwrap();
    let mut current = from_yaml(&upgraded).unwrap();
    assert_eq!(current.format_version, FORMAT_VERSION);
    current.format_version = 1;
    assert_eq!(current, v1, "upgrading changes no statistic");
    let out = understudy(tmp.path(), &["generate", "old.yaml", "-o", "after"]);
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    for table in ["album", "invoice", "track"] {
        let read = |dir: &str| std::fs::read(tmp.path().join(dir).join(format!("{table}.csv")));
        assert_eq!(read("before").unwrap(), read("after").unwrap(), "{table}");
    }
}

/// The error of loading the bundled chinook profile with `from` replaced by `to`.
fn error_after(from: &str, to: &str) -> String {
    let text = bundled_text("chinook");
    assert!(text.contains(from), "the fixture holds {from:?}");
    from_yaml(&text.replacen(from, to, 1))
        .expect_err("the edit is refused")
        .to_string()
}

#[test]
fn bad_files_name_the_field_and_the_rule() {
    let cases = [
        ("format_version: 2", "format_version: 99", vec!["format_version is 99"]),
        ("  rows: 347\n", "  rows: 347\n  rowcount: 1\n", vec!["tables[0]", "rowcount"]),
        ("table: artist", "table: artists", vec!["tables[album]", "artists"]),
        (
            "- name: title\n    sql: character varying(160)\n    type: {kind: text, max_chars: 160}\n    nullable: false\n    stats:\n      null_rate: 0.0",
            "- name: title\n    sql: character varying(160)\n    type: {kind: text, max_chars: 160}\n    nullable: false\n    stats:\n      null_rate: 1.7",
            vec!["tables[album].columns[title].stats.null_rate", "1.7", "[0, 1]"],
        ),
        (
            "quantiles: [5.0, 22.0",
            "quantiles: [50.0, 22.0",
            vec!["tables[album].columns[album_id].stats.numeric.quantiles", "ascending"],
        ),
        (
            "          2: 0.002882",
            "          2: 0.502882",
            vec!["tables[album].columns[title].stats.text.chars", "sum to"],
        ),
        (
            "        max_chars: 95",
            "        max_chars: 200",
            vec!["tables[album].columns[title].stats.text.max_chars", "160"],
        ),
        ("kind: int32", "kind: int33", vec!["tables[0].columns[0].type", "int33"]),
        (
            "  rows: 347\n",
            "  rows: 347\n  nulls:\n  - columns: [title, artist_id]\n    starts: [0.0, 1.5]\n",
            vec!["tables[album].nulls[0].starts", "1.5", "[0, 1)"],
        ),
        (
            "  rows: 347\n",
            "  rows: 347\n  nulls:\n  - columns: [title, artist]\n    starts: [0.0, 0.5]\n",
            vec!["tables[album].nulls[0]", "\"artist\""],
        ),
        (
            "      columns: [artist_id]\n    null_rate: 0.0\n",
            "      columns: [artist_id]\n    differs_from: [title]\n    null_rate: 0.0\n",
            vec!["tables[album].foreign_keys[0].differs_from", "not another foreign key"],
        ),
        (
            "  rows: 347\n",
            "  rows: 347\n  nulls:\n  - columns: [title, title]\n    starts: [0.0, 0.5]\n",
            vec!["tables[album].nulls[0]", "\"title\" again"],
        ),
        (
            "      foreign_key: [media_type_id]\n      share: 0.5783",
            "      foreign_key: [unit_price]\n      share: 0.5783",
            vec!["correlations.clustered[0]", "unit_price", "foreign keys"],
        ),
        (
            "      foreign_key: [media_type_id]\n      share: 0.5783",
            "      foreign_key: [media_type_id]\n      share: 0.5783\n      parent: {column: name, correlation: 0.5}",
            vec!["correlations.clustered[0].parent", "\"name\"", "no number column"],
        ),
        (
            "  - column: unit_price\n    foreign_key: [track_id]\n    parent_column: unit_price",
            "  - column: invoice_id\n    foreign_key: [track_id]\n    parent_column: album_id",
            vec!["tables[invoice_line].inherited[0].parent_column", "\"album_id\" does not"],
        ),
        (
            "        std: 7.3598\n",
            "        std: 7.3598\n      model: {kind: lookup, values: [\"1\", \"2\", \"2\"]}\n",
            vec!["tables[genre].columns[genre_id].stats.model.values[2]", "repeats"],
        ),
        (
            "        std: 7.3598\n",
            "        std: 7.3598\n      model: {kind: lookup, values: [\"1\", \"Rock\"]}\n",
            vec!["tables[genre].columns[genre_id].stats.model.values[1]", "does not fit"],
        ),
        (
            "        std: 7.3598\n",
            "        std: 7.3598\n      model: {kind: lookup, values: [\"1\", \"4294967297\"]}\n",
            vec!["tables[genre].columns[genre_id].stats.model.values[1]", "does not fit"],
        ),
        (
            "  rows: 347\n",
            "  rows: 347\n  null_follows:\n  - column: title\n    follows: title\n    when_null: 1.0\n    when_present: 0.0\n",
            vec!["tables[album].null_follows[0].column", "follows itself"],
        ),
        (
            "  rows: 347\n",
            "  rows: 347\n  null_follows:\n  - column: title\n    follows: artist_id\n    when_null: 1.5\n    when_present: 0.0\n",
            vec!["tables[album].null_follows[0].when_null", "1.5"],
        ),
        (
            "        - columns: [fax]\n          share: 0.692308",
            "        - columns: [fox]\n          share: 0.692308",
            vec!["address.countries[0].nulls[0].columns", "\"fox\"", "not a column of the group"],
        ),
        (
            "    sample_rows: 412\n",
            "    shifts:\n    - column: total\n      category: billing_state\n      levels:\n      - {value: CA, mean: 0.2, spread: -1.0}\n    sample_rows: 412\n",
            vec!["correlations.shifts[0].levels[0]", "spread -1", "at least 0"],
        ),
        (
            "    sample_rows: 412\n",
            "    shifts:\n    - column: total\n      category: invoice_date\n      levels: []\n    sample_rows: 412\n",
            vec!["correlations.shifts[0].category", "\"invoice_date\" is not a text column"],
        ),
        (
            "accents: {\"ú\": 0.014409}",
            "accents: {\"u\": 0.014409}",
            vec!["tables[album].columns[title].stats.text.accents", "\"u\"", "accented Latin letter"],
        ),
        (
            "first_capitalized: 1.0",
            "first_capitalized: 1.4",
            vec!["model.first_capitalized", "1.4", "[0, 1]"],
        ),
        (
            "accents: {\"ú\": 0.014409}",
            "accents: {\"ú\": 1.4}",
            vec!["text.accents.ú", "[0, 1]"],
        ),
        (
            "  rows: 347\n",
            "  rows: 347\n  derived:\n  - column: album_id\n    left: artist_id\n    op: \"*\"\n    holds: 1.0\n",
            vec!["tables[album].derived[0]", "must be +, - or ="],
        ),
    ];
    let mix = |entries: &str| {
        format!(
            "integral: true\n        scale: 0\n        std: 100.315\n        precision:\n{entries}"
        )
    };
    let precision_cases = [
        (
            mix("        - {place: 0, share: 0.5}\n        - {place: 0, share: 0.5}\n"),
            vec!["numeric.precision[1].place", "listed twice"],
        ),
        (
            mix("        - {place: 0, share: 0.5}\n        - {place: 1, share: 0.2}\n"),
            vec!["numeric.precision", "sum to 0.7"],
        ),
        (
            mix("        - {place: 0, share: 1.0, digits: [0.5, 0.5]}\n"),
            vec!["numeric.precision[0].digits", "needs 9"],
        ),
        (
            mix("        - {place: 40, share: 1.0}\n"),
            vec!["numeric.precision[0].place", "40"],
        ),
    ];
    for (to, needles) in precision_cases {
        let err = error_after(
            "integral: true\n        scale: 0\n        std: 100.315\n",
            &to,
        );
        for needle in needles {
            assert!(err.contains(needle), "{to:?}: {err:?} lacks {needle:?}");
        }
    }
    for (from, to, needles) in cases {
        let err = error_after(from, to);
        for needle in needles {
            assert!(err.contains(needle), "{to:?}: {err:?} lacks {needle:?}");
        }
    }
}

/// A lookup value of a float column that is no number, of an integer flag that is no
/// integer, is refused on load.
#[test]
fn lookup_values_that_do_not_fit_their_type_are_refused() {
    let text = bundled_text("northwind");
    for (from, to, needle) in [
        (
            "        values:\n        - \"18.0\"\n",
            "        values:\n        - \"eighteen\"\n",
            "\"eighteen\" does not fit",
        ),
        (
            "        values:\n        - \"1\"\n        - \"1\"\n",
            "        values:\n        - \"1.5\"\n        - \"1\"\n",
            "\"1.5\" does not fit",
        ),
    ] {
        assert!(text.contains(from), "the fixture holds {from:?}");
        let err = from_yaml(&text.replacen(from, to, 1))
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains(needle) && err.contains("model.values[0]"),
            "{err}"
        );
    }
}

#[test]
fn a_file_that_is_not_a_profile_says_so() {
    for (text, needle) in [
        ("this is just a sentence\n", "this is not a profile"),
        ("a: [1, 2\n", "not valid YAML"),
        ("tables: []\n", "format_version"),
    ] {
        let err = from_yaml(text).unwrap_err().to_string();
        assert!(err.contains(needle), "{text:?}: {err}");
    }
}

const OVERRIDES: &str = "overrides:
  employees:
    rows: 40
    columns:
      title: {nullable: true, stats: {null_rate: 0.25}}
    off:
      - birth_date < hire_date
      - reports_to -> employees
";

#[test]
fn overrides_are_applied_on_load() {
    let base = from_yaml(&bundled_text("northwind")).unwrap();
    let profile = from_yaml(&format!("{}{OVERRIDES}", bundled_text("northwind"))).unwrap();
    let before = base.table("employees").unwrap();
    let after = profile.table("employees").unwrap();
    assert_eq!(after.row_count, 40);
    assert_eq!(after.stats("title").unwrap().null_rate, 0.25);
    assert!(after.schema.column("title").unwrap().nullable);
    assert_eq!(after.rules.len() + 1, before.rules.len(), "the rule is off");
    assert_eq!(
        after.schema.foreign_keys.len() + 1,
        before.schema.foreign_keys.len(),
        "the self-reference is off"
    );
    assert_eq!(
        after.foreign_key_stats.len() + 1,
        before.foreign_key_stats.len()
    );
    // Written out and read again, the overrides are kept and give the same profile.
    let text = to_yaml(&profile);
    assert!(text.contains("overrides:"));
    assert_eq!(from_yaml(&text).unwrap(), profile);
}

#[test]
fn an_override_that_no_longer_fits_is_named() {
    let base = bundled_text("chinook");
    for (overrides, needles) in [
        (
            "overrides:\n  albums: {rows: 3}\n",
            vec!["overrides.albums", "no such table"],
        ),
        (
            "overrides:\n  album: {columns: {titel: {nullable: true}}}\n",
            vec!["overrides.album.columns.titel", "no such column"],
        ),
        (
            "overrides:\n  album: {off: [titel <= artist_id]}\n",
            vec!["overrides.album.off[0]", "titel"],
        ),
        (
            "overrides:\n  album: {rowz: 3}\n",
            vec!["overrides.album", "rowz"],
        ),
        (
            "overrides:\n  album: {columns: {title: {stats: {null_rate: 2}}}}\n",
            vec!["tables[album].columns[title].stats.null_rate"],
        ),
    ] {
        let err = from_yaml(&format!("{base}{overrides}"))
            .unwrap_err()
            .to_string();
        for needle in needles {
            assert!(err.contains(needle), "{overrides}: {err} lacks {needle}");
        }
    }
}

#[test]
fn profiling_again_keeps_the_users_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = data_dir("chinook").join("csv");
    let csv = csv.to_str().unwrap();
    assert_ok(&understudy(tmp.path(), &["profile", csv, "-o", "p.yaml"]));
    let path = tmp.path().join("p.yaml");
    let edited = format!(
        "{}overrides:\n  genre:\n    rows: 7  # the team's pin\n",
        std::fs::read_to_string(&path).unwrap()
    );
    std::fs::write(&path, edited).unwrap();
    assert_ok(&understudy(tmp.path(), &["profile", csv, "-o", "p.yaml"]));
    let profile = read_profile(&path);
    assert_eq!(profile.table("genre").unwrap().row_count, 7);
    let out = understudy(tmp.path(), &["profile", csv, "-o", "p.yaml"]);
    assert!(
        stderr(&out).contains("kept the overrides"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn quiet_profiling_prints_only_what_needs_a_look() {
    let dir = tempfile::tempdir().unwrap();
    let real = common::data_dir("chinook").join("csv");
    let real = real.to_str().unwrap();
    let loud = common::understudy(dir.path(), &["profile", real, "-o", "p.yaml"]);
    common::assert_ok(&loud);
    assert!(common::stderr(&loud).contains("profiled 11 tables"));
    let quiet = common::understudy(dir.path(), &["profile", real, "-o", "p.yaml", "-q"]);
    common::assert_ok(&quiet);
    assert_eq!(common::stderr(&quiet), "");
}

#[test]
fn a_date_turned_off_may_be_no_longer_found_but_its_columns_must_exist() {
    // Columns called like date parts (`year`, `month`, `day`) are read as columns in
    // `date(...)`; these days never pass 28, so profiling finds no date to turn off.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,year,month,day\n");
    for i in 0..200 {
        csv.push_str(&format!(
            "{i},{},{},{}\n",
            2000 + i % 20,
            1 + i % 12,
            1 + i % 28
        ));
    }
    let profile = profile_csv_tables(dir.path(), &[("t", &csv)]);
    let text = std::fs::read_to_string(&profile).unwrap();
    assert!(!text.contains("dates:"), "{text}");
    // Block style: in a flow list (`[a, b]`) YAML splits the entry at its commas.
    let off = |entry: &str| {
        from_yaml(&format!(
            "{text}overrides:\n  t:\n    off:\n      - {entry}\n"
        ))
    };
    let kept = off("date(year, month, day)");
    assert!(kept.is_ok(), "{:?}", kept.err());
    let err = off("date(year, month, dy)").unwrap_err().to_string();
    assert!(
        err.contains("overrides.t.off[0]") && err.contains("\"dy\""),
        "{err}"
    );
}
