//! Column types carried through: arrays (with elements like the real ones), `tsvector`,
//! `interval`, `jsonb` from PostgreSQL back into PostgreSQL, Parquet lists and structs back
//! into Parquet, and a NOT NULL column of a type understudy can't make refused before writing.

mod common;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int32Array, ListArray, StringArray, StructArray};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use arrow::record_batch::RecordBatch;
use common::*;

const DOC: &str = "
    CREATE TABLE doc (
      id int PRIMARY KEY,
      tags text[] NOT NULL,
      scores int[],
      days date[],
      body tsvector NOT NULL,
      wait interval,
      meta jsonb
    );";

const ROWS: &str = "
    INSERT INTO doc SELECT g,
      ARRAY(SELECT 'tag' || ((g * k) % 13) FROM generate_series(1, 1 + g % 4) k),
      CASE WHEN g % 5 = 0 THEN NULL
           ELSE ARRAY(SELECT (g * k) % 100 FROM generate_series(1, g % 6) k) END,
      ARRAY[date '2024-01-01' + g, date '2024-03-01' + g],
      to_tsvector('english', 'the quick brown fox ' || g || ' jumps over the lazy dog'),
      make_interval(days => g % 30, hours => g % 24),
      jsonb_build_object('n', g)
    FROM generate_series(1, 300) g;";

fn count(db: &TestDb, sql: &str) -> i64 {
    db.client().query_one(sql, &[]).unwrap().get(0)
}

fn assert_doc_loaded(target: &TestDb) {
    assert_eq!(count(target, "SELECT count(*) FROM doc"), 300);
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM doc WHERE cardinality(tags) BETWEEN 1 AND 4"
        ),
        300,
        "every tags array holds 1 to 4 elements, as the real ones"
    );
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM doc, unnest(tags) t WHERE t !~ '^tag[0-9]+$'"
        ),
        0,
        "elements come from the learned values"
    );
    let scores = count(
        target,
        "SELECT count(*) FROM doc WHERE cardinality(scores) > 0",
    );
    assert!(scores > 150, "{scores} non-empty scores arrays");
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM doc, unnest(scores) s WHERE s NOT BETWEEN 1 AND 99"
        ),
        0
    );
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM doc WHERE cardinality(days) = 2"
        ),
        300
    );
    assert_eq!(
        count(target, "SELECT count(*) FROM doc WHERE length(body) > 0"),
        300
    );
    assert_eq!(
        count(target, "SELECT count(*) FROM doc WHERE wait IS NOT NULL"),
        300
    );
}

#[test]
fn postgres_types_round_trip_into_a_created_and_an_existing_database() {
    let Some((real, created)) = TestDb::pair("types") else {
        return;
    };
    real.client()
        .batch_execute(&format!("{DOC}{ROWS}"))
        .unwrap();
    let dir = profile_and_generate(&real, &created.url, &["--create"]);
    assert_doc_loaded(&created);
    let Some(staging) = TestDb::create("types_staging") else {
        return;
    };
    staging.client().batch_execute(DOC).unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", &staging.url],
    ));
    assert_doc_loaded(&staging);
}

#[test]
fn a_not_null_column_of_an_unmodeled_type_fails_before_writing() {
    let Some((real, target)) = TestDb::pair("types_unmodeled") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE spot (id int PRIMARY KEY, at point NOT NULL, near point);
             INSERT INTO spot SELECT g, point(g, g), NULL FROM generate_series(1, 10) g;",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["profile", &real.url, "-o", "p.yaml"],
    ));
    let out = understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", &target.url, "--create"],
    );
    assert_error(
        &out,
        "column at has type point, which understudy can't generate",
    );
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'spot'"
        ),
        0,
        "nothing was written"
    );
    let files = understudy(dir.path(), &["generate", "p.yaml", "-o", "out"]);
    assert_error(&files, "can't generate");
    assert!(!dir.path().join("out/spot.csv").exists());
}

fn write_parquet(path: &std::path::Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

fn read_parquet(path: &std::path::Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

#[test]
fn parquet_lists_and_structs_round_trip_into_parquet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    let n = 200;
    let tags = ListArray::from_iter_primitive::<Int32Type, _, _>((0..n).map(|i| {
        Some(
            (0..1 + i % 3)
                .map(|k| Some(10 + (i * k) % 7))
                .collect::<Vec<_>>(),
        )
    }));
    let point = StructArray::from(vec![
        (
            Arc::new(Field::new("x", DataType::Int32, true)),
            Arc::new(Int32Array::from_iter_values(0..n)) as ArrayRef,
        ),
        (
            Arc::new(Field::new("label", DataType::Utf8, true)),
            Arc::new(StringArray::from_iter_values(
                (0..n).map(|i| format!("p{}", i % 9)),
            )) as ArrayRef,
        ),
    ]);
    let schema = Schema::new(vec![
        Field::new("id", DataType::Int32, false),
        Field::new("tags", tags.data_type().clone(), false),
        Field::new("point", point.data_type().clone(), true),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(Int32Array::from_iter_values(0..n)),
            Arc::new(tags),
            Arc::new(point),
        ],
    )
    .unwrap();
    write_parquet(&dir.path().join("in/shapes.parquet"), &batch);
    assert_ok(&understudy(dir.path(), &["profile", "in", "-o", "p.yaml"]));
    assert_ok(&understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", "out", "--format", "parquet"],
    ));
    let out = read_parquet(&dir.path().join("out/shapes.parquet"));
    assert_eq!(out.num_rows(), 200);
    let tags = out.column_by_name("tags").unwrap();
    let DataType::List(element) = tags.data_type() else {
        panic!("tags is written as {}", tags.data_type());
    };
    assert_eq!(element.data_type(), &DataType::Int32);
    let lists = tags.as_list::<i32>();
    let lengths: Vec<usize> = (0..lists.len()).map(|i| lists.value(i).len()).collect();
    assert!(lengths.iter().all(|&l| (1..=3).contains(&l)), "{lengths:?}");
    let values = lists.values().as_primitive::<Int32Type>();
    assert!(values.iter().flatten().all(|v| (10..=16).contains(&v)));
    let point = out.column_by_name("point").unwrap();
    assert_eq!(
        point.data_type(),
        &DataType::Utf8,
        "structs travel as JSON text"
    );
    let json: serde_json::Value = serde_json::from_str(point.as_string::<i32>().value(0)).unwrap();
    assert!(json.is_object(), "{json}");
    assert_ok(&understudy(
        dir.path(),
        &["profile", "out", "-o", "again.yaml"],
    ));
    let again = read_profile(&dir.path().join("again.yaml"));
    assert_eq!(
        again
            .table("shapes")
            .unwrap()
            .schema
            .column("tags")
            .unwrap()
            .source_type,
        "integer[]"
    );
}
