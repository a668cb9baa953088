//! The run manifest beside file outputs: its checksums and sizes match the files, its row counts
//! match the tables, and it is the same, apart from the time taken, for two runs with the same
//! seed and for any thread count; another seed changes it.

mod common;

use std::path::Path;

use common::*;
use understudy::manifest::{sha256_hex, Manifest, FILE_NAME};

/// Several chunks of invoice_line, so threads have work to split.
const MANY: &str = "invoice_line=140000";

fn run(dir: &Path, out: &str, extra: &[&str]) -> Manifest {
    let profile = bundled_profile("chinook");
    let mut args = vec!["generate", profile.to_str().unwrap(), "-o", out, "-q"];
    args.extend_from_slice(extra);
    assert_ok(&understudy(dir, &args));
    let text = std::fs::read_to_string(dir.join(out).join(FILE_NAME)).unwrap();
    Manifest::from_json(&text).unwrap()
}

/// The manifest without its one time-dependent field.
fn timeless(mut manifest: Manifest) -> Manifest {
    manifest.elapsed_seconds = 0.0;
    manifest
}

#[test]
fn checksums_sizes_and_rows_match_the_output() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "parquet"] {
        let manifest = run(
            dir.path(),
            format,
            &["--format", format, "--seed", "3", "--edge-cases", "0.02"],
        );
        let out = dir.path().join(format);
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != FILE_NAME)
            .collect();
        names.sort();
        let mut listed: Vec<String> = manifest.files.iter().map(|f| f.name.clone()).collect();
        listed.sort();
        assert_eq!(listed, names, "{format}: every data file is listed");
        for file in &manifest.files {
            let bytes = std::fs::read(out.join(&file.name)).unwrap();
            assert_eq!(file.bytes, bytes.len() as u64, "{}", file.name);
            assert_eq!(file.sha256, sha256_hex(&bytes), "{}", file.name);
        }
        let profile = read_profile(&bundled_profile("chinook"));
        for table in &manifest.tables {
            let learned = profile.table(&table.name).unwrap().row_count;
            assert_eq!(table.rows, learned, "{}", table.name);
        }
        assert_eq!(manifest.target, format);
        assert_eq!(manifest.seed, 3);
        assert_eq!(
            manifest.profile.sha256,
            sha256_hex(&std::fs::read(bundled_profile("chinook")).unwrap())
        );
        assert!(!manifest.injected.is_empty());
        assert!(manifest.elapsed_seconds > 0.0);
    }
}

#[test]
fn same_seed_same_manifest_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let args = |threads: &'static str, seed: &'static str| {
        vec![
            "--rows",
            MANY,
            "--edge-cases",
            "0.01",
            "--threads",
            threads,
            "--seed",
            seed,
        ]
    };
    let one = timeless(run(dir.path(), "one", &args("1", "5")));
    let two = timeless(run(dir.path(), "two", &args("2", "5")));
    let again = timeless(run(dir.path(), "again", &args("2", "5")));
    assert!(one.injected.len() > 1400, "{}", one.injected.len());
    assert_eq!(one, two, "one thread and two give the same manifest");
    assert_eq!(two, again, "two runs give the same manifest");
    let other = timeless(run(dir.path(), "other", &args("2", "6")));
    assert_ne!(
        other.injected, one.injected,
        "another seed injects elsewhere"
    );
    assert_ne!(other.files, one.files);
}

#[test]
fn a_failed_run_leaves_no_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let profile = bundled_profile("chinook");
    let out = understudy(
        dir.path(),
        &[
            "generate",
            profile.to_str().unwrap(),
            "-o",
            "out",
            "--rows",
            "albums=5",
        ],
    );
    assert_error(&out, "albums");
    assert!(!dir.path().join("out").join(FILE_NAME).exists());
}
