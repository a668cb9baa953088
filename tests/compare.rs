//! `understudy compare`: a source against itself scores 100, deliberate damage is caught by
//! the figure that should catch it, sources of any kind compare alike, and drift between two
//! profiles names what changed.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_error, assert_ok, bundled_profile, data_dir, stderr, understudy, TestDb};
use serde_json::Value;

/// A copy of a vendored dataset's CSV files that a test may damage.
struct Copy {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn copy_of(dataset: &str) -> Copy {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(dataset);
    std::fs::create_dir_all(&path).unwrap();
    for entry in std::fs::read_dir(data_dir(dataset).join("csv")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), path.join(entry.file_name())).unwrap();
    }
    Copy { _dir: dir, path }
}

type Rows = Vec<Vec<String>>;

fn read_table(dir: &Path, table: &str) -> (Vec<String>, Rows) {
    let mut reader = csv::Reader::from_path(dir.join(format!("{table}.csv"))).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn write_table(dir: &Path, table: &str, header: &[String], rows: &Rows) {
    let mut writer = csv::Writer::from_path(dir.join(format!("{table}.csv"))).unwrap();
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

/// Rewrites one column of one table: `f(row index, value) -> new value` (empty is NULL).
fn damage(dir: &Path, table: &str, column: &str, f: impl Fn(usize, &str) -> String) {
    let (header, mut rows) = read_table(dir, table);
    let i = header.iter().position(|h| h == column).unwrap();
    for (n, row) in rows.iter_mut().enumerate() {
        row[i] = f(n, &row[i]);
    }
    write_table(dir, table, &header, &rows);
}

/// A fixed pseudo-random number for row `n`.
fn noise(n: usize, salt: u64) -> u64 {
    let mut z = (n as u64)
        .wrapping_add(salt)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^ (z >> 31)
}

fn random_letters(n: usize, len: usize) -> String {
    (0..len.max(1))
        .map(|k| (b'a' + (noise(n * 131 + k, 7) % 26) as u8) as char)
        .collect()
}

/// Runs `compare REAL SYNTHETIC --json` plus `extra` args; returns the JSON report and the run.
fn compare(real: &Path, synthetic: &Path, extra: &[&str]) -> (Value, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let mut args = vec![
        "compare",
        real.to_str().unwrap(),
        synthetic.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = understudy(dir.path(), &args);
    let text = std::fs::read_to_string(&json)
        .unwrap_or_else(|_| panic!("no JSON report; stderr: {}", stderr(&output)));
    (serde_json::from_str(&text).unwrap(), output)
}

/// The report's entry for table `name`.
fn table<'r>(report: &'r Value, name: &str) -> &'r Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in the report"))
}

fn score(report: &Value) -> f64 {
    report["score"].as_f64().unwrap()
}

/// Whether the worst list names `place` (with `figure`, if given) among its first `n`.
fn among_worst(report: &Value, n: usize, place: &str, figure: Option<&str>) -> bool {
    report["worst"].as_array().unwrap().iter().take(n).any(|w| {
        w["place"].as_str().unwrap().contains(place)
            && figure.is_none_or(|f| w["figure"].as_str().unwrap() == f)
    })
}

fn worst_list(report: &Value) -> String {
    report["worst"]
        .as_array()
        .unwrap()
        .iter()
        .take(15)
        .map(|w| format!("{} {} {}", w["place"], w["figure"], w["distance"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_source_compared_with_itself_scores_100() {
    let real = data_dir("chinook").join("csv");
    let (report, output) = compare(&real, &real, &["--fail-under", "99"]);
    assert_ok(&output);
    assert_eq!(score(&report), 100.0);
    for key in ["columns", "pairs", "relationships", "validity"] {
        assert_eq!(report["subscores"][key].as_f64(), Some(1.0), "{key}");
    }
    let track = table(&report, "track");
    assert_eq!(track["rows_real"], 3503);
    assert_eq!(track["rows_synthetic"], 3503);
    assert_eq!(track["pk_violations"], 0);
    assert_eq!(track["fk_orphans"], 0);
    let composer = track["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "composer")
        .unwrap();
    assert_eq!(composer["null_rate_real"], composer["null_rate_synthetic"]);
    assert_eq!(composer["distance"], 0.0);
    assert!(report["worst"].as_array().unwrap().is_empty());
}

#[test]
fn a_rewritten_copy_still_scores_100() {
    // The damage tests below rewrite CSV files; an undamaged rewrite must change nothing.
    let copy = copy_of("chinook");
    for table in ["track", "invoice", "invoice_line"] {
        let (header, rows) = read_table(&copy.path, table);
        write_table(&copy.path, table, &header, &rows);
    }
    let (report, _) = compare(&data_dir("chinook").join("csv"), &copy.path, &[]);
    assert_eq!(score(&report), 100.0, "{}", worst_list(&report));
}

/// Damages a copy of chinook, then checks the score dropped, the figure that should catch it
/// is among the worst, and `--fail-under 99` fails.
fn assert_caught(damage_copy: impl Fn(&Path), place: &str, figure: Option<&str>) -> Value {
    let copy = copy_of("chinook");
    damage_copy(&copy.path);
    let (report, output) = compare(
        &data_dir("chinook").join("csv"),
        &copy.path,
        &["--fail-under", "99.9"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("below --fail-under 99.9"));
    assert!(stderr(&output).contains("pulled the score down"));
    assert!(score(&report) < 99.9, "score {}", score(&report));
    assert!(
        among_worst(&report, 10, place, figure),
        "{place} {figure:?} not among the worst:\n{}",
        worst_list(&report)
    );
    report
}

#[test]
fn a_column_set_to_null_is_caught() {
    assert_caught(
        |dir| damage(dir, "track", "composer", |_, _| String::new()),
        "track.composer",
        None,
    );
}

#[test]
fn orphaned_foreign_keys_are_caught() {
    let report = assert_caught(
        |dir| {
            damage(dir, "invoice_line", "track_id", |n, v| {
                if n % 10 == 0 {
                    (100_000 + n).to_string()
                } else {
                    let shuffled = 1 + noise(n, 3) % 3503;
                    if v.is_empty() {
                        v.into()
                    } else {
                        shuffled.to_string()
                    }
                }
            })
        },
        "invoice_line(track_id)",
        Some("fk_orphans"),
    );
    let line = table(&report, "invoice_line");
    assert_eq!(line["fk_orphans"], 224, "every tenth of 2,240 rows");
}

#[test]
fn duplicated_primary_keys_are_caught() {
    let report = assert_caught(
        |dir| {
            damage(dir, "genre", "genre_id", |n, v| {
                if n % 5 == 1 {
                    "1".into()
                } else {
                    v.into()
                }
            })
        },
        "genre",
        Some("pk_violations"),
    );
    let genre = table(&report, "genre");
    assert_eq!(genre["pk_violations"], 5);
}

#[test]
fn a_date_shifted_by_ten_years_is_caught() {
    assert_caught(
        |dir| {
            damage(dir, "invoice", "invoice_date", |_, v| {
                let year: i32 = v[..4].parse().unwrap();
                format!("{}{}", year + 10, &v[4..])
            })
        },
        "invoice.invoice_date",
        Some("ks"),
    );
}

#[test]
fn text_replaced_by_random_letters_is_caught() {
    assert_caught(
        |dir| {
            damage(dir, "track", "name", |n, v| {
                random_letters(n, v.chars().count())
            })
        },
        "track.name",
        Some("vocabulary"),
    );
}

#[test]
fn a_decorrelated_pair_is_caught() {
    assert_caught(
        |dir| {
            let (header, rows) = read_table(dir, "track");
            let bytes = header.iter().position(|h| h == "bytes").unwrap();
            let values: Vec<String> = rows.iter().map(|r| r[bytes].clone()).collect();
            damage(dir, "track", "bytes", |n, _| {
                values[(n * 1_777 + 13) % values.len()].clone()
            })
        },
        "track: milliseconds ~ bytes",
        Some("spearman"),
    );
}

#[test]
fn nulls_that_no_longer_fall_together_are_caught() {
    // A business customer has a company and a fax; shuffled, the faxes keep their values and
    // their null rate, but their NULLs no longer fall on the rows without a company.
    assert_caught(
        |dir| {
            let (header, rows) = read_table(dir, "customer");
            let fax = header.iter().position(|h| h == "fax").unwrap();
            let values: Vec<String> = rows.iter().map(|r| r[fax].clone()).collect();
            damage(dir, "customer", "fax", |n, _| {
                values[(n * 17 + 5) % values.len()].clone()
            })
        },
        "customer: company ~ fax",
        Some("null_phi"),
    );
}

#[test]
fn a_child_that_no_longer_repeats_its_parent_is_caught() {
    // An invoice's billing country is its customer's country; rotated, the countries keep
    // their shares but no longer belong to the invoice's customer.
    let report = assert_caught(
        |dir| {
            let (header, rows) = read_table(dir, "invoice");
            let country = header.iter().position(|h| h == "billing_country").unwrap();
            let values: Vec<String> = rows.iter().map(|r| r[country].clone()).collect();
            damage(dir, "invoice", "billing_country", |n, _| {
                values[(n + 97) % values.len()].clone()
            })
        },
        "customer.country ~ invoice.billing_country",
        Some("copied"),
    );
    let copies_of = |name: &str| -> Vec<&Value> {
        table(&report, name)["foreign_keys"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["pairs"].as_array().unwrap())
            .filter(|p| p["measure"] == "copied")
            .collect()
    };
    let copies = copies_of("invoice");
    let country = copies
        .iter()
        .find(|p| p["right"] == "invoice.billing_country")
        .expect("the copy is measured");
    assert_eq!(country["real"], 1.0);
    assert!(country["synthetic"].as_f64().unwrap() < 0.6, "{country}");
    // The other billing columns still repeat their customer's.
    assert!(copies
        .iter()
        .any(|p| p["right"] == "invoice.billing_city" && p["synthetic"] == 1.0));
    // Chance agreement is no copy: a line's quantity (always 1) equals its track's media type
    // (mostly 1) in 88 % of rows.
    assert!(!copies_of("invoice_line")
        .iter()
        .any(|p| p["right"] == "invoice_line.quantity"));
}

#[test]
fn random_values_of_the_right_types_score_far_lower() {
    let copy = copy_of("chinook");
    for entry in std::fs::read_dir(&copy.path).unwrap() {
        let table = entry
            .unwrap()
            .path()
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let (header, rows) = read_table(&copy.path, &table);
        let randomized: Rows = rows
            .iter()
            .enumerate()
            .map(|(n, row)| {
                row.iter()
                    .enumerate()
                    .map(|(c, v)| uniform_like(v, n * 31 + c))
                    .collect()
            })
            .collect();
        write_table(&copy.path, &table, &header, &randomized);
    }
    let (report, _) = compare(&data_dir("chinook").join("csv"), &copy.path, &[]);
    assert!(score(&report) < 60.0, "score {}", score(&report));
}

/// A uniform random value of the same type as `v`: an integer, a decimal, a date-time, or
/// letters.
fn uniform_like(v: &str, n: usize) -> String {
    let r = noise(n, 11);
    if v.parse::<i64>().is_ok() {
        (r % 1_000_000).to_string()
    } else if v.parse::<f64>().is_ok() {
        format!("{:.2}", (r % 100_000) as f64 / 100.0)
    } else if v.len() >= 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:00",
            1970 + r % 60,
            1 + (r >> 8) % 12,
            1 + (r >> 16) % 28,
            (r >> 24) % 24,
            (r >> 32) % 60
        )
    } else if v.is_empty() {
        String::new()
    } else {
        random_letters(n, 1 + (r % 20) as usize)
    }
}

#[test]
fn a_missing_table_lowers_the_score_and_is_named() {
    let copy = copy_of("chinook");
    std::fs::remove_file(copy.path.join("genre.csv")).unwrap();
    let (report, output) = compare(&data_dir("chinook").join("csv"), &copy.path, &[]);
    assert_ok(&output);
    assert!(score(&report) < 100.0);
    let genre = table(&report, "genre");
    assert_eq!(genre["presence"]["status"], "missing_in_synthetic");
    assert!(among_worst(
        &report,
        5,
        "genre",
        Some("missing_in_synthetic")
    ));
}

#[test]
fn an_empty_table_only_the_synthetic_side_has_breaks_nothing() {
    // A real folder holds no file for an empty table (a partition with no rows); the generated
    // one writes it with its header.
    let copy = copy_of("chinook");
    std::fs::write(copy.path.join("archive.csv"), "archive_id,note\n").unwrap();
    let real = data_dir("chinook").join("csv");
    let (report, output) = compare(&real, &copy.path, &[]);
    assert_ok(&output);
    assert_eq!(
        table(&report, "archive")["presence"]["status"],
        "only_in_synthetic"
    );
    assert_eq!(report["subscores"]["validity"].as_f64(), Some(1.0));
    assert!(
        !among_worst(&report, 40, "archive", None),
        "{}",
        worst_list(&report)
    );
}

#[test]
fn csv_and_parquet_of_the_same_data_score_100() {
    for dataset in ["chinook", "northwind"] {
        let dir = data_dir(dataset);
        let (report, output) = compare(&dir.join("csv"), &dir.join("parquet"), &[]);
        assert_ok(&output);
        assert_eq!(score(&report), 100.0, "{dataset}: {}", worst_list(&report));
    }
}

#[test]
fn postgres_and_csv_of_the_same_data_score_100() {
    let Some(db) = TestDb::create("compare") else {
        return;
    };
    db.load_dataset("chinook");
    let (report, output) = compare(Path::new(&db.url), &data_dir("chinook").join("csv"), &[]);
    assert_ok(&output);
    assert_eq!(score(&report), 100.0, "{}", worst_list(&report));
    let relationships = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["foreign_keys"].as_array().unwrap().len())
        .sum::<usize>();
    assert!(
        relationships >= 10,
        "declared foreign keys are compared: {relationships}"
    );
}

#[test]
fn drift_between_profiles_names_a_null_rate_and_a_type_change() {
    let copy = copy_of("chinook");
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.yaml");
    let after = dir.path().join("after.yaml");
    assert_ok(&understudy(
        dir.path(),
        &[
            "profile",
            copy.path.to_str().unwrap(),
            "-o",
            before.to_str().unwrap(),
        ],
    ));
    damage(&copy.path, "track", "composer", |n, v| {
        if n % 2 == 0 {
            String::new()
        } else {
            v.into()
        }
    });
    damage(&copy.path, "invoice", "total", |n, _| format!("T-{n}"));
    assert_ok(&understudy(
        dir.path(),
        &[
            "profile",
            copy.path.to_str().unwrap(),
            "-o",
            after.to_str().unwrap(),
        ],
    ));
    let (report, output) = compare(&before, &after, &[]);
    assert_ok(&output);
    assert_eq!(report["mode"], "profiles");
    assert!(score(&report) < 100.0);
    assert!(
        among_worst(&report, 10, "track.composer", Some("null_rate")),
        "{}",
        worst_list(&report)
    );
    let invoice = table(&report, "invoice");
    let changes = invoice["changes"].to_string();
    assert!(changes.contains("total changed type"), "{changes}");
    let text = common::stdout(&output);
    assert!(text.contains("total changed type"), "{text}");
    let (same, _) = compare(&before, &before, &[]);
    assert_eq!(score(&same), 100.0);
}

#[test]
fn bad_inputs_name_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let real = data_dir("chinook").join("csv");
    let real = real.to_str().unwrap();
    let out = understudy(dir.path(), &["compare", real, "/no/such/dir"]);
    assert_error(&out, "/no/such/dir");

    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("unrelated.csv"), "a,b\n1,2\n").unwrap();
    let out = understudy(dir.path(), &["compare", real, other.to_str().unwrap()]);
    assert_error(&out, "no table in common");

    let old = dir.path().join("old.yaml");
    std::fs::write(&old, "format_version: 99\n").unwrap();
    let out = understudy(
        dir.path(),
        &["compare", old.to_str().unwrap(), old.to_str().unwrap()],
    );
    assert_error(&out, "old.yaml");

    let chinook = common::bundled_profile("chinook");
    let northwind = common::bundled_profile("northwind");
    let out = understudy(
        dir.path(),
        &[
            "compare",
            chinook.to_str().unwrap(),
            northwind.to_str().unwrap(),
        ],
    );
    assert_error(&out, "no table in common");

    let out = understudy(dir.path(), &["compare", real, real, "--fail-under", "101"]);
    assert_eq!(out.status.code(), Some(2), "usage error: {}", stderr(&out));
}

/// An order only counts as a rule when the real ranges meet: `month < year` holds whatever is
/// generated, and a clock time against a count (`air_time < dep_time`) is chance. Neither pads
/// the rules kept; `shipped >= ordered` does count.
#[test]
fn only_orders_that_could_break_are_rules() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let mut csv = String::from("id,year,month,ordered,shipped,dep_time,air_time\n");
    for i in 0..300u32 {
        let minutes = 300 + (i * 37) % 1100;
        let dep = minutes / 60 * 100 + minutes % 60;
        let air = (20 + (i * 53) % 580).min(dep - 1);
        let ordered = 100 + i % 50;
        csv.push_str(&format!(
            "{i},2013,{},{ordered},{},{dep},{air}\n",
            1 + i % 12,
            ordered + i % 9
        ));
    }
    std::fs::write(real.join("orders.csv"), csv).unwrap();
    let (report, _) = compare(&real, &real, &[]);
    let rules: Vec<String> = table(&report, "orders")["order_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {}", r["left"], r["operator"], r["right"]).replace('"', ""))
        .collect();
    assert_eq!(rules, ["ordered <= shipped"], "{rules:?}");
}

#[test]
fn references_moved_to_other_lookup_rows_are_caught() {
    // Each track moves to the genre 26 - g: every genre keeps a count of tracks another genre
    // had, so children per parent are the same, but Rock no longer holds most tracks. Genres
    // are a lookup table (real rows on both sides), so the share of each is compared.
    let copy = copy_of("chinook");
    damage(&copy.path, "track", "genre_id", |_, v| {
        (26 - v.parse::<u32>().unwrap()).to_string()
    });
    let profile = bundled_profile("chinook");
    let profile = ["--profile", profile.to_str().unwrap()];
    let (report, _) = compare(&data_dir("chinook").join("csv"), &copy.path, &profile);
    assert!(
        among_worst(&report, 10, "track.genre_id", Some("tvd")),
        "{}",
        worst_list(&report)
    );
    let (same, _) = compare(
        &data_dir("chinook").join("csv"),
        &data_dir("chinook").join("csv"),
        &profile,
    );
    let genre = table(&same, "track")["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "genre_id")
        .unwrap()
        .clone();
    assert_eq!(genre["main_figure"], "null_rate", "{genre}");
    assert_eq!(genre["distance"], 0.0);
}
