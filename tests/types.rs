//! Column types carried through: arrays (with elements like the real ones), `tsvector`,
//! `interval` (spread like the real ones), `jsonb`, `money`, ranges, `bit`, `xml`, `hstore` and
//! `citext` from PostgreSQL back into PostgreSQL (created and existing) and through Parquet,
//! Parquet lists and structs back into Parquet, and a NOT NULL column of a type understudy
//! can't make refused before writing (a nullable one left NULL).

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

#[test]
fn a_nullable_column_of_an_unmodeled_type_is_created_with_its_type_and_left_null() {
    let Some((real, target)) = TestDb::pair("types_unmodeled_null") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE spot (id int PRIMARY KEY, near point);
             INSERT INTO spot SELECT g, point(g, g) FROM generate_series(1, 10) g;",
        )
        .unwrap();
    profile_and_generate(&real, &target.url, &["--create"]);
    assert_eq!(
        count(&target, "SELECT count(*) FROM spot WHERE near IS NULL"),
        10
    );
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'spot'::regclass \
             AND attname = 'near' AND atttypid = 'point'::regtype"
        ),
        1
    );
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

/// Types that need an extension, a locale-free reading or parsing of their parts. `rare` hstore
/// keys occur in one row each, so the privacy guard keeps them out.
const SHAPES: &str = "
    CREATE EXTENSION IF NOT EXISTS hstore;
    CREATE EXTENSION IF NOT EXISTS citext;
    CREATE TABLE shape (
      id int PRIMARY KEY,
      price money NOT NULL,
      seats int4range NOT NULL,
      serial_nos int8range,
      score numrange,
      stay daterange NOT NULL,
      shift tsrange,
      since tstzrange,
      spans int4multirange NOT NULL,
      flags bit(8) NOT NULL,
      mask bit varying(16),
      doc xml NOT NULL,
      attrs hstore NOT NULL,
      email citext NOT NULL,
      wait interval NOT NULL
    );";

const SHAPE_ROWS: &str = "
    INSERT INTO shape SELECT g,
      (g * 1.25)::numeric::money,
      int4range(g, g + 1 + g % 10),
      CASE WHEN g % 7 = 0 THEN 'empty'::int8range ELSE int8range(g * 1000, NULL) END,
      numrange(g / 3.0, g / 2.0 + 1, '[]'),
      daterange(date '2024-01-01' + g, date '2024-01-01' + g + 1 + g % 30),
      tsrange(timestamp '2024-01-01' + g * interval '1 hour',
              timestamp '2024-01-01' + (g + 5) * interval '1 hour'),
      tstzrange(timestamptz '2024-01-01' + g * interval '1 hour', NULL),
      int4multirange(int4range(g, g + 2), int4range(g + 5, g + 9)),
      (g % 256)::bit(8),
      substring(((g * 7919) % 65536)::bit(16)::text, 1, 1 + g % 16)::varbit,
      xmlelement(name item, xmlattributes(g AS id), 'value ' || g),
      hstore(ARRAY['color', 'size'] || CASE WHEN g % 3 = 0 THEN ARRAY['rare' || g] ELSE '{}' END,
             ARRAY['c' || g % 5, (g % 4)::text] || CASE WHEN g % 3 = 0 THEN ARRAY['x'] ELSE '{}' END),
      'User' || g || '@Example.com',
      make_interval(days => g % 30, hours => g % 24, mins => g % 60) * (1 + g % 5)
    FROM generate_series(1, 500) g;";

fn float(db: &TestDb, sql: &str) -> f64 {
    db.client().query_one(sql, &[]).unwrap().get(0)
}

/// The column types of `shape` in `db`, as `format_type` prints them.
fn shape_types(db: &TestDb) -> Vec<(String, String)> {
    db.client()
        .query(
            "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute \
             WHERE attrelid = 'shape'::regclass AND attnum > 0 ORDER BY attnum",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// `p`-quantile of the intervals of `shape.wait`, in hours.
fn wait_hours(db: &TestDb, p: f64) -> f64 {
    float(
        db,
        &format!(
            "SELECT percentile_cont({p}) WITHIN GROUP (ORDER BY extract(epoch FROM wait))::float8 \
             / 3600 FROM shape"
        ),
    )
}

fn assert_shape_loaded(real: &TestDb, target: &TestDb) {
    assert_eq!(shape_types(target), shape_types(real), "types are kept");
    assert_eq!(count(target, "SELECT count(*) FROM shape"), 500);
    for not_null in [
        "price", "seats", "stay", "spans", "flags", "doc", "attrs", "email", "wait",
    ] {
        assert_eq!(
            count(target, &format!("SELECT count({not_null}) FROM shape")),
            500,
            "{not_null} is filled"
        );
    }
    // money: inside the real values' range, in cents.
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE price NOT BETWEEN '1.25'::money AND '625'::money"
        ),
        0
    );
    // Ranges: widths like the real ones (5.5 and 15.3 on average), empty and infinite at
    // their rates, bounds where the real ones are.
    let seats = float(
        target,
        "SELECT avg(upper(seats) - lower(seats))::float8 FROM shape",
    );
    assert!((3.5..=8.0).contains(&seats), "int4range width {seats}");
    let stay = float(
        target,
        "SELECT avg(upper(stay) - lower(stay))::float8 FROM shape",
    );
    assert!((10.0..=21.0).contains(&stay), "daterange width {stay}");
    let empty = count(
        target,
        "SELECT count(*) FROM shape WHERE isempty(serial_nos)",
    );
    assert!((40..=105).contains(&empty), "{empty} empty of 500, 71 real");
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE NOT isempty(serial_nos) \
             AND (NOT upper_inf(serial_nos) OR lower(serial_nos) NOT BETWEEN 1000 AND 500000)"
        ),
        0
    );
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE NOT upper_inf(since)"
        ),
        0
    );
    // Real lower bounds run from 2024-01-01 to 2024-01-21; the date generator moves a value up
    // to 3 days for the weekday mix, and a few to a January 1st for the learned Jan-1 rate.
    let outside = count(
        target,
        "SELECT count(*) FROM shape WHERE lower(since) < '2023-12-28' \
         OR lower(since) > '2024-01-25'",
    );
    assert!(
        outside <= 5,
        "{outside} tstzrange lower bounds far from the real ones"
    );
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE upper(shift) - lower(shift) <> interval '5 hours'"
        ),
        0,
        "every real tsrange is 5 hours wide"
    );
    // Multiranges: two ranges of 2 and 4 in every real value; overlapping ones merge.
    let ranges = float(
        target,
        "SELECT avg((SELECT count(*) FROM unnest(spans)))::float8 FROM shape",
    );
    assert!(
        (1.7..=2.0).contains(&ranges),
        "{ranges} ranges per multirange"
    );
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape, unnest(spans) r WHERE upper(r) - lower(r) > 12"
        ),
        0,
        "ranges are 2 or 4 wide, or two merged"
    );
    // Bits: exact length for bit(8), at most 16 for bit varying(16), ones at about the real share.
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE length(flags) <> 8"
        ),
        0
    );
    let ones = float(
        target,
        "SELECT avg(length(replace(flags::text, '0', '')))::float8 / 8 FROM shape",
    );
    let real_ones = float(
        real,
        "SELECT avg(length(replace(flags::text, '0', '')))::float8 / 8 FROM shape",
    );
    assert!((ones - real_ones).abs() < 0.06, "{ones} vs {real_ones}");
    // xml: well-formed, rooted like the real documents.
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE xml_is_well_formed_document(doc::text) \
             AND doc::text LIKE '<item>%</item>'"
        ),
        500
    );
    // hstore: the two common keys in every row, no key of a single row.
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE attrs ?& ARRAY['color', 'size']"
        ),
        500
    );
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape, skeys(attrs) k WHERE k NOT IN ('color', 'size')"
        ),
        0
    );
    // citext compares without case.
    assert_eq!(
        count(
            target,
            "SELECT count(*) FROM shape WHERE email = upper(email::text)::citext"
        ),
        500
    );
    // Intervals spread like the real ones.
    for p in [0.1, 0.5, 0.9] {
        let (synthetic, truth) = (wait_hours(target, p), wait_hours(real, p));
        assert!(
            (synthetic - truth).abs() <= 0.25 * truth + 24.0,
            "interval p{p}: {synthetic:.0} h, real {truth:.0} h"
        );
    }
}

#[test]
fn extension_range_bit_xml_money_and_interval_types_round_trip() {
    let Some((real, created)) = TestDb::pair("types_shapes") else {
        return;
    };
    real.client()
        .batch_execute(&format!("{SHAPES}{SHAPE_ROWS}"))
        .unwrap();
    let dir = profile_and_generate(&real, &created.url, &["--create"]);
    assert_shape_loaded(&real, &created);
    let Some(staging) = TestDb::create("types_shapes_staging") else {
        return;
    };
    staging.client().batch_execute(SHAPES).unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", &staging.url],
    ));
    assert_shape_loaded(&real, &staging);

    // Parquet carries each column's PostgreSQL type, so a profile of Parquet output makes
    // the same types again.
    assert_ok(&understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", "pq", "--format", "parquet"],
    ));
    assert_ok(&understudy(dir.path(), &["profile", "pq", "-o", "pq.yaml"]));
    assert_ok(&understudy(
        dir.path(),
        &["generate", "pq.yaml", "-o", "pq2", "--format", "parquet"],
    ));
    let again = read_parquet(&dir.path().join("pq2/shape.parquet"));
    let pg_type = |name: &str| {
        again
            .schema()
            .field_with_name(name)
            .unwrap()
            .metadata()
            .get("pg_type")
            .cloned()
    };
    for (name, sql) in shape_types(&real).into_iter().skip(1) {
        assert_eq!(pg_type(&name).as_deref(), Some(sql.as_str()), "{name}");
    }
    let flags = again.column_by_name("flags").unwrap().as_string::<i32>();
    assert!(flags.iter().all(|f| f.is_some_and(|f| f.len() == 8)));
    let Some(from_parquet) = TestDb::create("types_shapes_parquet") else {
        return;
    };
    assert_ok(&understudy(
        dir.path(),
        &["generate", "pq.yaml", "-o", &from_parquet.url, "--create"],
    ));
    assert_eq!(shape_types(&from_parquet), shape_types(&real));
    assert_eq!(
        count(
            &from_parquet,
            "SELECT count(*) FROM shape WHERE attrs ?& ARRAY['color', 'size']"
        ),
        500
    );
}

#[test]
fn parquet_durations_are_profiled_as_interval_lengths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    let hours = |h: i64| h * 3_600_000_000;
    let waits = arrow::array::DurationMicrosecondArray::from_iter_values(
        (0..300).map(|i| hours(1 + i % 48)),
    );
    let schema = Schema::new(vec![Field::new("wait", waits.data_type().clone(), false)]);
    let batch = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(waits)]).unwrap();
    write_parquet(&dir.path().join("in/jobs.parquet"), &batch);
    assert_ok(&understudy(dir.path(), &["profile", "in", "-o", "p.yaml"]));
    let profile = read_profile(&dir.path().join("p.yaml"));
    let table = profile.table("jobs").unwrap();
    assert_eq!(
        table.schema.column("wait").unwrap().logical,
        understudy::schema::LogicalType::Interval
    );
    let numeric = table.column_stats[0]
        .numeric
        .as_ref()
        .expect("lengths learned");
    assert_eq!(
        (numeric.min, numeric.max),
        (hours(1) as f64, hours(48) as f64)
    );
    assert_ok(&understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", "out", "--format", "parquet"],
    ));
    let out = read_parquet(&dir.path().join("out/jobs.parquet"));
    let text = out.column_by_name("wait").unwrap().as_string::<i32>();
    let micros: Vec<i64> = text
        .iter()
        .map(|t| {
            understudy::temporal::parse_interval(t.unwrap())
                .unwrap()
                .total_micros()
        })
        .collect();
    assert!(
        micros.iter().all(|&m| (hours(1)..=hours(48)).contains(&m)),
        "{:?}",
        &micros[..5]
    );
}

#[test]
fn the_types_load_from_a_profile_made_of_ddl_alone() {
    let Some((real, target)) = TestDb::pair("types_ddl") else {
        return;
    };
    real.client().batch_execute(SHAPES).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ddl = SHAPES.replace("CREATE EXTENSION IF NOT EXISTS", "-- ");
    std::fs::write(dir.path().join("shape.sql"), ddl).unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["profile", "shape.sql", "-o", "p.yaml"],
    ));
    assert_ok(&understudy(
        dir.path(),
        &["generate", "p.yaml", "-o", &target.url, "--create"],
    ));
    assert_eq!(shape_types(&target), shape_types(&real));
    assert_eq!(count(&target, "SELECT count(doc) FROM shape"), 1000);
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM shape WHERE length(flags) <> 8 OR length(mask) > 16 \
             OR NOT xml_is_well_formed_document(doc::text)"
        ),
        0
    );
}
