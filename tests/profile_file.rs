//! The profile file: it round-trips, it is the same for the same input, and a bad file is
//! refused with the field path named.

mod common;

use common::*;
use understudy::profile::{from_yaml, to_yaml};

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
    let parsed = from_yaml(&a).unwrap();
    assert_eq!(to_yaml(&parsed), a);
}

#[test]
fn bundled_profiles_parse() {
    for name in ["chinook", "northwind"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("profiles")
            .join(format!("{name}.yaml"));
        let profile = read_profile(&path);
        assert!(profile.tables.len() > 10, "{name}");
    }
}

#[test]
fn bad_files_name_what_is_wrong() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/chinook.yaml"),
    )
    .unwrap();
    let old = text.replacen("format_version: 1", "format_version: 99", 1);
    assert!(from_yaml(&old)
        .unwrap_err()
        .to_string()
        .contains("format_version is 99"));
    let unknown = text.replacen("  row_count: 347", "  row_count: 347\n  rowcount: 1", 1);
    let err = from_yaml(&unknown).unwrap_err().to_string();
    assert!(
        err.contains("tables[0]") && err.contains("rowcount"),
        "{err}"
    );
    let dangling = text.replacen("table: artist", "table: artists", 1);
    let err = from_yaml(&dangling).unwrap_err().to_string();
    assert!(err.contains("album") && err.contains("artists"), "{err}");
}
