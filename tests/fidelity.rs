//! Generation measured by `compare`: synthetic data from each bundled profile keeps every order
//! that held in all real rows, and keeps the correlations between ordered columns.

mod common;

use common::{assert_ok, bundled_profile, data_dir, understudy};
use serde_json::Value;

/// Generates a dataset's bundled profile at scale 1 and compares it with the real CSV.
fn generate_and_compare(dataset: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let profile = bundled_profile(dataset);
    assert_ok(&understudy(
        dir.path(),
        &[
            "generate",
            profile.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-q",
        ],
    ));
    let json = dir.path().join("report.json");
    let real = data_dir(dataset).join("csv");
    assert_ok(&understudy(
        dir.path(),
        &[
            "compare",
            real.to_str().unwrap(),
            out.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
    ));
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

fn tables(report: &Value) -> &Vec<Value> {
    report["tables"].as_array().unwrap()
}

#[test]
fn every_learned_order_holds_in_every_generated_row() {
    for dataset in ["chinook", "northwind"] {
        let report = generate_and_compare(dataset);
        let mut rules = 0;
        for t in tables(&report) {
            for rule in t["order_rules"].as_array().unwrap() {
                rules += 1;
                assert_eq!(
                    rule["broken_synthetic"].as_f64(),
                    Some(0.0),
                    "{dataset}.{}: {rule}",
                    t["name"]
                );
            }
        }
        assert!(rules >= 1, "{dataset} has order rules to check");
    }
}

#[test]
fn correlations_between_ordered_columns_survive() {
    let pairs = [
        ("northwind", "orders", "order_date", "shipped_date"),
        ("northwind", "orders", "order_date", "required_date"),
        ("chinook", "track", "milliseconds", "bytes"),
    ];
    for (dataset, table, left, right) in pairs {
        let report = generate_and_compare(dataset);
        let t = tables(&report).iter().find(|t| t["name"] == table).unwrap();
        let pair = t["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["left"] == left && p["right"] == right)
            .unwrap_or_else(|| panic!("no pair {table}: {left} ~ {right}"));
        let (real, synthetic) = (
            pair["real"].as_f64().unwrap(),
            pair["synthetic"].as_f64().unwrap(),
        );
        assert!(real > 0.85, "{table}: {left} ~ {right} real {real}");
        assert!(
            (real - synthetic).abs() <= 0.05,
            "{table}: {left} ~ {right}: real {real}, synthetic {synthetic}"
        );
    }
}
