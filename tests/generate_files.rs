//! `generate` into CSV and Parquet directories: the main job on a bundled profile, byte-for-byte
//! determinism across thread counts, shards that concatenate into a whole run, Parquet that
//! reads back as the same rows as the CSV, and bad input that writes nothing.

mod common;

use std::fs::File;
use std::path::Path;

use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use understudy::generate::{Generator, Request};
use understudy::sink::csv::CsvSink;
use understudy::sink::{Encoded, Sink};

/// Enough playlist_track rows for several chunks, so threads and shards have work to split.
const MANY: &str = "invoice_line=200000";

fn generate(dir: &Path, out: &str, extra: &[&str]) {
    let profile = bundled_profile("chinook");
    let mut args = vec![
        "generate",
        profile.to_str().unwrap(),
        "-o",
        out,
        "--seed",
        "7",
    ];
    args.extend_from_slice(extra);
    assert_ok(&understudy(dir, &args));
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The data files in `dir`: the run manifest is left out on purpose (its time field differs
/// between runs; `tests/manifest.rs` checks it).
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name != understudy::manifest::FILE_NAME)
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn the_main_job_writes_one_csv_per_table() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), "out", &[]);
    let profile = read_profile(&bundled_profile("chinook"));
    for table in &profile.tables {
        let text = String::from_utf8(read(
            &dir.path()
                .join("out")
                .join(format!("{}.csv", table.schema.name)),
        ))
        .unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let columns: Vec<&str> = table
            .schema
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(header, columns);
        assert_eq!(
            text.lines().count() as u64,
            table.row_count + 1,
            "{}",
            table.schema.name
        );
    }
    assert!(!files_in(&dir.path().join("out"))
        .iter()
        .any(|f| f.ends_with(".tmp")));
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "parquet"] {
        generate(
            dir.path(),
            &format!("one_{format}"),
            &["--format", format, "--rows", MANY, "--threads", "1"],
        );
        generate(
            dir.path(),
            &format!("two_{format}"),
            &["--format", format, "--rows", MANY, "--threads", "2"],
        );
        let one = dir.path().join(format!("one_{format}"));
        let two = dir.path().join(format!("two_{format}"));
        assert_eq!(files_in(&one), files_in(&two));
        for name in files_in(&one) {
            assert!(
                read(&one.join(&name)) == read(&two.join(&name)),
                "{format}: {name} differs"
            );
        }
    }
}

#[test]
fn shards_concatenate_into_a_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), "whole", &["--rows", MANY]);
    for k in 1..=3 {
        generate(
            dir.path(),
            &format!("shard{k}"),
            &[
                "--rows",
                MANY,
                "--shard",
                &format!("{k}/3"),
                "--threads",
                "1",
            ],
        );
    }
    for name in files_in(&dir.path().join("whole")) {
        let joined: Vec<u8> = (1..=3)
            .flat_map(|k| read(&dir.path().join(format!("shard{k}")).join(&name)))
            .collect();
        assert!(
            joined == read(&dir.path().join("whole").join(&name)),
            "{name} differs"
        );
    }
}

#[test]
fn parquet_reads_back_as_the_csv_rows() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), "csv", &["--scale", "2"]);
    generate(
        dir.path(),
        "parquet",
        &["--scale", "2", "--format", "parquet"],
    );
    // Re-write the Parquet rows through the CSV sink: the bytes must equal the generated CSV.
    let profile = read_profile(&bundled_profile("chinook"));
    let request = Request {
        seed: 7,
        scale: 2.0,
        ..Request::default()
    };
    let generator = Generator::new(&profile, &request).unwrap();
    let mut sink: Box<dyn Sink> =
        Box::new(CsvSink::new(&dir.path().join("from_parquet"), true).unwrap());
    for plan in generator.tables() {
        let file = File::open(
            dir.path()
                .join("parquet")
                .join(format!("{}.parquet", plan.table.name)),
        )
        .unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let mut batches = reader.map(|b| Encoded {
            batch: b.unwrap(),
            bytes: None,
        });
        sink.write_table(&plan.table, &plan.schema, &mut batches)
            .unwrap();
    }
    sink.finish(&Default::default()).unwrap();
    for name in files_in(&dir.path().join("csv")) {
        let original = read(&dir.path().join("csv").join(&name));
        let round_trip = read(&dir.path().join("from_parquet").join(&name));
        assert!(
            original == round_trip,
            "{name}: Parquet rows differ from CSV rows"
        );
    }
}

#[test]
fn bad_profiles_and_infeasible_requests_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(bundled_profile("chinook")).unwrap();
    let cases: Vec<(&str, String, Vec<&str>, &str)> = vec![
        (
            "broken.yaml",
            "tables: [unclosed".into(),
            vec![],
            "broken.yaml",
        ),
        (
            "old.yaml",
            original.replacen("format_version: 2", "format_version: 99", 1),
            vec![],
            "format_version",
        ),
        (
            "typo.yaml",
            original.replacen("  rows: 25\n", "  rows: 25\n  rowcount: 1\n", 1),
            vec![],
            "tables[4]",
        ),
        (
            "small.yaml",
            original.replacen(
                "sql: integer\n    type: {kind: int32}",
                "sql: smallint\n    type: {kind: int16}",
                1,
            ),
            vec!["--rows", "album=100000"],
            "smallint",
        ),
        (
            "ok.yaml",
            original.clone(),
            vec!["--rows", "albums=5"],
            "albums",
        ),
        (
            "ok.yaml",
            original.clone(),
            vec!["--rows", "album=5", "--shard", "4/3"],
            "between 1 and N",
        ),
    ];
    for (file, text, extra, needle) in cases {
        std::fs::write(dir.path().join(file), text).unwrap();
        let mut args = vec!["generate", file, "-o", "out"];
        args.extend(extra);
        let out = understudy(dir.path(), &args);
        if needle == "between 1 and N" {
            assert_eq!(out.status.code(), Some(2), "usage error: {}", stderr(&out));
        } else {
            assert_error(&out, needle);
        }
        assert!(
            files_in(&dir.path().join("out")).is_empty(),
            "{file} wrote files"
        );
    }
}
