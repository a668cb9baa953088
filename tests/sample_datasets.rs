//! The two vendored sample databases profiled from PostgreSQL, CSV and Parquet: the three
//! agree, declared keys are all found in Postgres, and key inference from files finds at least
//! 80 % of the declared foreign keys and none that is false.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use understudy::profile::Profile;

type Fk = (String, Vec<String>, String);

fn foreign_keys(profile: &Profile) -> BTreeSet<Fk> {
    profile
        .tables
        .iter()
        .flat_map(|t| {
            t.schema.foreign_keys.iter().map(|fk| {
                (
                    t.schema.name.clone(),
                    fk.columns.clone(),
                    fk.references.table.clone(),
                )
            })
        })
        .collect()
}

fn profile(dir: &Path, source: &str, out: &str) -> Profile {
    assert_ok(&understudy(dir, &["profile", source, "-o", out]));
    read_profile(&dir.join(out))
}

fn check_dataset(dataset: &str, expected_fks: usize) {
    let Some(db) = TestDb::create(dataset) else {
        return;
    };
    db.load_dataset(dataset);
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(dataset);
    let from_pg = profile(tmp.path(), &db.url, "pg.yaml");
    let from_csv = profile(tmp.path(), data.join("csv").to_str().unwrap(), "csv.yaml");
    let from_parquet = profile(
        tmp.path(),
        data.join("parquet").to_str().unwrap(),
        "parquet.yaml",
    );

    let declared = foreign_keys(&from_pg);
    assert_eq!(
        declared.len(),
        expected_fks,
        "introspection finds every declared FK"
    );
    assert!(from_pg
        .tables
        .iter()
        .all(|t| t.schema.foreign_keys.iter().all(|fk| !fk.inferred)));
    for (label, inferred) in [("csv", &from_csv), ("parquet", &from_parquet)] {
        let found = foreign_keys(inferred);
        let false_fks: Vec<&Fk> = found.difference(&declared).collect();
        assert!(
            false_fks.is_empty(),
            "{dataset} {label}: false FKs {false_fks:?}"
        );
        let recall = found.len() as f64 / declared.len() as f64;
        eprintln!(
            "{dataset} {label}: inferred {}/{} declared FKs ({:.0} %)",
            found.len(),
            declared.len(),
            recall * 100.0
        );
        assert!(recall >= 0.8, "{dataset} {label}: recall {recall}");
        for (pg, other) in from_pg.tables.iter().zip(&inferred.tables) {
            assert_eq!(pg.schema.name, other.schema.name);
            assert_eq!(
                pg.schema.primary_key, other.schema.primary_key,
                "{label} {}",
                pg.schema.name
            );
        }
    }

    for other in [&from_csv, &from_parquet] {
        for (pg, t) in from_pg.tables.iter().zip(&other.tables) {
            assert_eq!(pg.row_count, t.row_count, "{}", pg.schema.name);
            for ((a, b), column) in pg
                .column_stats
                .iter()
                .zip(&t.column_stats)
                .zip(&pg.schema.columns)
            {
                // A CSV file holds bytea as its `\x...` text, so only text is compared as text.
                let bytes = column.logical == understudy::schema::LogicalType::Bytes;
                let what = format!("{}.{} ({})", pg.schema.name, a.column, other.source.kind);
                assert_eq!(a.null_rate, b.null_rate, "{what}");
                if let (Some(x), Some(y), false) = (&a.text, &b.text, bytes) {
                    assert_eq!(
                        (x.min_chars, x.max_chars, &x.chars),
                        (y.min_chars, y.max_chars, &y.chars),
                        "{what}"
                    );
                    assert_eq!(
                        (&x.bytes, x.empty_rate, x.non_ascii_rate),
                        (&y.bytes, y.empty_rate, y.non_ascii_rate),
                        "{what}"
                    );
                }
            }
        }
    }
}

#[test]
fn chinook_agrees_across_sources() {
    check_dataset("chinook", 11);
}

#[test]
fn northwind_agrees_across_sources() {
    check_dataset("northwind", 13);
}

#[test]
fn file_profiles_need_no_database() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = profile(
        tmp.path(),
        data_dir("chinook").join("csv").to_str().unwrap(),
        "c.yaml",
    );
    let customer = csv.table("customer").unwrap();
    assert_eq!(customer.row_count, 59);
    assert_eq!(customer.stats("company").unwrap().null_rate, 0.830508);
    let email = customer.stats("email").unwrap();
    assert!(
        email.pii.is_some() && email.frequent.is_empty(),
        "emails never leave as literals"
    );
    let country = customer.stats("country").unwrap();
    assert!(
        country.frequent.iter().any(|s| s.value == "USA"),
        "a value seen 13 times passes the guard"
    );
    let invoice = csv.table("invoice").unwrap();
    let fan = &invoice
        .fk_stats(&["customer_id".to_string()])
        .unwrap()
        .children_per_parent;
    assert_eq!((fan.parents, fan.max, fan.zero_share), (59, 7, 0.0));
}
