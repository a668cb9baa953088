//! Snapshots as they come: directories holding two formats, tab-delimited exports, nested
//! Parquet columns, databases whose tables sit outside `public`, and files that are not
//! profiles. Each bad case exits 1 with one `error:` line naming the input.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Int32Array, ListArray, StringArray, StructArray};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use arrow::record_batch::RecordBatch;
use common::*;

fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join("in").join(name), content).unwrap();
    }
    dir
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

fn small_parquet() -> RecordBatch {
    let id: ArrayRef = Arc::new(Int32Array::from(vec![1, 2, 3]));
    RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int32, false)])),
        vec![id],
    )
    .unwrap()
}

#[test]
fn a_table_in_two_formats_is_refused_unless_format_picks_one() {
    let dir = dir_with(&[("t.csv", b"id,name\n1,a\n2,b\n")]);
    write_parquet(&dir.path().join("in/t.parquet"), &small_parquet());
    let out = understudy(dir.path(), &["profile", "in", "-o", "p.yaml"]);
    assert_error(&out, "in both formats: t");
    assert!(stderr(&out).contains("--format csv"), "{}", stderr(&out));
    for (format, columns) in [("csv", 2), ("parquet", 1)] {
        let out = understudy(
            dir.path(),
            &["profile", "in", "-o", "p.yaml", "--format", format],
        );
        assert_ok(&out);
        let p = read_profile(&dir.path().join("p.yaml"));
        assert_eq!(p.table("t").unwrap().schema.columns.len(), columns);
        assert_eq!(p.source.kind, format);
    }
}

#[test]
fn csv_and_parquet_tables_in_one_directory_are_named() {
    let dir = dir_with(&[("a.csv", b"id\n1\n")]);
    write_parquet(&dir.path().join("in/b.parquet"), &small_parquet());
    let out = understudy(dir.path(), &["introspect", "in"]);
    assert_error(&out, "CSV: a; Parquet: b");
}

#[test]
fn a_table_as_csv_and_gzipped_csv_is_refused() {
    let dir = dir_with(&[("t.csv", b"id\n1\n"), ("t.csv.gz", b"")]);
    let out = understudy(dir.path(), &["profile", "in", "-o", "p.yaml"]);
    assert_error(&out, "table t is there twice (t.csv and t.csv.gz)");
}

#[test]
fn delimiters_take_escapes() {
    let dir = dir_with(&[("t.csv", b"a\tb\n1\tx y\n2\tz\n")]);
    for spelling in ["\\t", "tab", "\\x09"] {
        let out = understudy(
            dir.path(),
            &["profile", "in", "-o", "p.yaml", "--delimiter", spelling],
        );
        assert_ok(&out);
        let p = read_profile(&dir.path().join("p.yaml"));
        let names: Vec<&str> = p
            .table("t")
            .unwrap()
            .schema
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"], "--delimiter {spelling}");
    }
    for bad in ["ab", "\\xZZ", "\"", "é"] {
        let out = understudy(
            dir.path(),
            &["profile", "in", "-o", "p.yaml", "--delimiter", bad],
        );
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("--delimiter"), "{}", stderr(&out));
    }
}

#[test]
fn files_that_are_not_profiles_are_named() {
    let dir = dir_with(&[]);
    std::fs::write(
        dir.path().join("notes.txt"),
        "this is not yaml\njust: text: here\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("blob.yaml"), [0xff, 0xfe, 0x00, 0x81]).unwrap();
    std::fs::write(dir.path().join("map.txt"), "this is: a mapping\n").unwrap();
    for (file, needle) in [
        ("notes.txt", "notes.txt: at line 2"),
        (
            "blob.yaml",
            "blob.yaml is not a profile: it is not UTF-8 text",
        ),
        ("map.txt", "map.txt: at format_version"),
    ] {
        let out = understudy(dir.path(), &["generate", file, "-o", "out"]);
        assert_error(&out, needle);
        assert!(
            !stderr(&out).contains("this is not yaml"),
            "quotes the file"
        );
    }
    let out = understudy(dir.path(), &["generate", "map.txt", "-o", "out"]);
    assert!(
        stderr(&out).contains("hint: pass a profile written by"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn parquet_lists_and_structs_are_read_as_arrays_and_json() {
    let dir = dir_with(&[]);
    let tags = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
        Some(vec![Some(1), Some(2)]),
        Some(vec![]),
        None,
    ]);
    let point = StructArray::from(vec![
        (
            Arc::new(Field::new("x", DataType::Int32, true)),
            Arc::new(Int32Array::from(vec![1, 2, 3])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("label", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["a", "b", "c"])) as ArrayRef,
        ),
    ]);
    let schema = Schema::new(vec![
        Field::new("id", DataType::Int32, false),
        Field::new("tags", tags.data_type().clone(), true),
        Field::new("point", point.data_type().clone(), true),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(Int32Array::from(vec![1, 2, 3])),
            Arc::new(tags),
            Arc::new(point),
        ],
    )
    .unwrap();
    write_parquet(&dir.path().join("in/shapes.parquet"), &batch);
    assert_ok(&understudy(dir.path(), &["profile", "in", "-o", "p.yaml"]));
    let p = read_profile(&dir.path().join("p.yaml"));
    let t = p.table("shapes").unwrap();
    assert_eq!(t.schema.column("tags").unwrap().source_type, "integer[]");
    assert_eq!(t.schema.column("point").unwrap().source_type, "jsonb");
    assert_eq!(t.stats("tags").unwrap().null_rate, round3(1.0 / 3.0));
}

fn round3(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[test]
fn tables_outside_public_are_found_with_a_hint() {
    let Some(db) = TestDb::create("layout_schemas") else {
        return;
    };
    db.client()
        .batch_execute(
            "CREATE SCHEMA sales; CREATE SCHEMA hr;
             CREATE TABLE sales.customer (id int PRIMARY KEY, name text);
             CREATE TABLE hr.staff (id int PRIMARY KEY, customer_id int REFERENCES sales.customer);
             INSERT INTO sales.customer SELECT g, 'c' || g FROM generate_series(1, 20) g;
             INSERT INTO hr.staff SELECT g, 1 + g % 20 FROM generate_series(1, 30) g;",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = understudy(dir.path(), &["profile", &db.url, "-o", "p.yaml"]);
    assert_error(
        &out,
        "no tables in schema public; tables are in hr (1), sales (1)",
    );
    assert!(stderr(&out).contains("--schema hr --schema sales"));

    assert_ok(&understudy(
        dir.path(),
        &[
            "profile", &db.url, "-o", "p.yaml", "--schema", "sales", "--schema", "hr",
        ],
    ));
    let Some(target) = TestDb::create("layout_schemas_target") else {
        return;
    };
    assert_ok(&understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", &target.url, "--create"],
    ));
    let count = |sql: &str| {
        target
            .client()
            .query_one(sql, &[])
            .unwrap()
            .get::<_, i64>(0)
    };
    assert_eq!(count("SELECT count(*) FROM sales.customer"), 20);
    assert_eq!(count("SELECT count(*) FROM hr.staff"), 30);
    assert_eq!(
        count(
            "SELECT count(*) FROM hr.staff s LEFT JOIN sales.customer c ON c.id = s.customer_id \
             WHERE c.id IS NULL"
        ),
        0
    );
}

/// Hourly readings keyed by station and hour: the hour numbers each station's readings, and
/// it spreads them over the learned year on the hour, not a microsecond apart from its start.
#[test]
fn a_timestamp_that_numbers_each_parents_rows_spreads_over_its_range() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("stations.csv"),
        "station,name\nEWR,Newark\nJFK,Kennedy\nLGA,LaGuardia\n",
    )
    .unwrap();
    let mut readings = String::from("station,taken_at,temp\n");
    for hour in 0..2000u32 {
        for station in ["EWR", "JFK", "LGA"] {
            let (day, h) = (hour / 24, hour % 24);
            let (month, dom) = (1 + day / 28, 1 + day % 28);
            let temp = 10 + (hour * 7 + station.len() as u32) % 20;
            readings.push_str(&format!(
                "{station},2013-{month:02}-{dom:02} {h:02}:00:00,{temp}\n"
            ));
        }
    }
    std::fs::write(data.join("readings.csv"), readings).unwrap();
    let out = profile_and_generate_into(tmp.path(), &data);
    assert!(std::fs::read_to_string(tmp.path().join("profile.yaml"))
        .unwrap()
        .contains("primary_key: [station, taken_at]"));
    let text = std::fs::read_to_string(out.join("readings.csv")).unwrap();
    let rows: Vec<(&str, &str)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let mut cells = l.split(',');
            (cells.next().unwrap(), cells.next().unwrap())
        })
        .collect();
    let distinct: std::collections::HashSet<_> = rows.iter().collect();
    assert_eq!(distinct.len(), rows.len(), "(station, taken_at) is unique");
    assert!(
        rows.iter().all(|(_, at)| at.ends_with(":00:00")),
        "on the hour"
    );
    let months: std::collections::HashSet<&str> = rows.iter().map(|(_, at)| &at[5..7]).collect();
    assert!(months.len() >= 3, "spread over the months: {months:?}");
}

/// A year of hourly readings keyed by the hour: the guard trims a few hours off the learned
/// range's ends, so the rows no longer fit it at one per hour; the keys run those few hours
/// past its end instead of leaving the hour for minutes.
#[test]
fn a_timestamp_key_keeps_its_hours_when_its_rows_barely_overfill_the_range() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2010, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut readings = String::from("observed_at,temp\n");
    for hour in 0..8760i64 {
        let at = start + chrono::Duration::hours(hour);
        readings.push_str(&format!(
            "{},{}\n",
            at.format("%Y-%m-%d %H:%M:%S"),
            40 + hour % 30
        ));
    }
    std::fs::write(data.join("hourly.csv"), readings).unwrap();
    let out = profile_and_generate_into(tmp.path(), &data);
    let text = std::fs::read_to_string(out.join("hourly.csv")).unwrap();
    let stamps: Vec<&str> = text.lines().skip(1).map(|l| &l[..19]).collect();
    let distinct: std::collections::HashSet<_> = stamps.iter().collect();
    assert_eq!(distinct.len(), 8760, "unique");
    let off_hour = stamps.iter().filter(|s| !s.ends_with(":00:00")).count();
    assert_eq!(off_hour, 0, "on the hour: {:?}", &stamps[..5]);
}

/// Output piped into a reader that stops early (`| head`) ends the run quietly: no panic, no
/// backtrace, exit 0.
#[test]
fn output_to_a_reader_that_stops_early_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    // A profile of a few hundred kilobytes: more than a pipe holds, so the writer meets the
    // closed end.
    let mut csv = String::from("id,name,score\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{i},name {},{}\n", i % 977, i * 7 % 1000));
    }
    std::fs::write(real.join("t.csv"), csv).unwrap();
    for args in [
        vec!["profile", real.to_str().unwrap(), "-o", "-", "-q"],
        vec!["introspect", real.to_str().unwrap(), "--json"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_understudy"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {err}");
    }
}
