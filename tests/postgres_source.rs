//! The Postgres source against a real server: every supported type, partitioned tables,
//! self-references, composite keys, and statistics checked against SQL.

mod common;

use common::*;
use serde_json::Value;

const FIXTURE: &str = r#"
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE everything (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    s smallint, i integer, b bigint, n numeric(10,2), n_free numeric, r real, d double precision,
    t text, v varchar(40), c char(3), flag boolean, day date, tod time, ts timestamp, tstz timestamptz,
    span interval, u uuid, j json, jb jsonb, raw bytea, ip inet, feeling mood, qty positive_int,
    tags text[], serial_col serial, doubled integer GENERATED ALWAYS AS (i * 2) STORED,
    cash money, spot point,
    CONSTRAINT n_not_negative CHECK (n >= 0),
    UNIQUE (u)
);
CREATE VIEW everything_view AS SELECT id FROM everything;
CREATE TABLE person (id int PRIMARY KEY, manager_id int REFERENCES person (id));
CREATE TABLE orders (region text, order_no int, person_id int REFERENCES person (id), PRIMARY KEY (region, order_no));
CREATE TABLE order_line (
    region text, order_no int, line int,
    PRIMARY KEY (region, order_no, line),
    FOREIGN KEY (region, order_no) REFERENCES orders
);
CREATE TABLE events (id int, at date NOT NULL, person_id int) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE events_2025 ADD FOREIGN KEY (person_id) REFERENCES person (id);
CREATE TABLE nothing_here (id int PRIMARY KEY, note text);

INSERT INTO everything (s, i, b, n, n_free, r, d, t, v, c, flag, day, tod, ts, tstz, span, u, j, jb, raw, ip, feeling, qty, tags, cash)
SELECT g, g * 10, g * 1000000000::bigint, g * 1.25, g / 3.0, g * 0.5, g * 0.25,
       CASE WHEN g % 4 = 0 THEN NULL WHEN g % 4 = 1 THEN '' ELSE 'Grüße ' || g END,
       'v' || g, 'c' || (g % 10), g % 3 = 0, DATE '2024-02-28' + g, TIME '00:00' + g * INTERVAL '1 minute',
       TIMESTAMP '2024-01-01' + g * INTERVAL '1 hour', TIMESTAMPTZ '2024-01-01 00:00+02' + g * INTERVAL '1 day',
       g * INTERVAL '1 second', md5(g::text)::uuid, json_build_object('g', g), jsonb_build_object('g', g),
       CASE WHEN g % 5 = 0 THEN NULL ELSE decode(lpad(to_hex(g), 4, '0'), 'hex') END, ('10.0.0.' || g)::inet,
       (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, g, ARRAY['a', 'b' || g], g
FROM generate_series(1, 40) g;
INSERT INTO person SELECT g, CASE WHEN g = 1 THEN NULL ELSE 1 + (g - 2) / 3 END FROM generate_series(1, 30) g;
INSERT INTO orders SELECT CASE WHEN g % 2 = 0 THEN 'north' ELSE 'south' END, g, 1 + g % 7 FROM generate_series(1, 50) g;
INSERT INTO order_line SELECT o.region, o.order_no, l FROM orders o, generate_series(1, 1 + o.order_no % 4) l;
INSERT INTO events SELECT g, DATE '2024-06-01' + g * 7, CASE WHEN g % 3 = 0 THEN NULL ELSE 1 + g % 5 END FROM generate_series(1, 60) g;
"#;

fn fixture() -> Option<TestDb> {
    let db = TestDb::create("pgsource")?;
    db.client().batch_execute(FIXTURE).unwrap();
    Some(db)
}

fn table<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

fn column<'a>(table: &'a Value, name: &str) -> &'a Value {
    table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn introspection_covers_types_keys_and_partitions() {
    let Some(db) = fixture() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = understudy(tmp.path(), &["introspect", &db.url, "--json"]);
    assert_ok(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "events",
            "everything",
            "nothing_here",
            "order_line",
            "orders",
            "person"
        ],
        "views and partitions are not tables"
    );

    let every = table(&json, "everything");
    let expected_types = [
        ("s", "smallint", "int16"),
        ("i", "integer", "int32"),
        ("b", "bigint", "int64"),
        ("r", "real", "float32"),
        ("d", "double precision", "float64"),
        ("flag", "boolean", "bool"),
        ("day", "date", "date"),
        ("tod", "time without time zone", "time"),
        ("ts", "timestamp without time zone", "timestamp"),
        ("tstz", "timestamp with time zone", "timestamp_tz"),
        ("span", "interval", "interval"),
        ("u", "uuid", "uuid"),
        ("j", "json", "json"),
        ("jb", "jsonb", "json"),
        ("raw", "bytea", "bytes"),
        ("ip", "inet", "inet"),
        ("cash", "money", "decimal"),
        ("spot", "point", "opaque"),
    ];
    for (name, sql, logical) in expected_types {
        let c = column(every, name);
        assert_eq!(c["type"], sql, "{name}");
        assert_eq!(c["logical"]["kind"], logical, "{name}");
    }
    assert_eq!(
        column(every, "n")["logical"],
        serde_json::json!({"kind": "decimal", "precision": 10, "scale": 2})
    );
    assert_eq!(
        column(every, "t")["logical"],
        serde_json::json!({"kind": "text"})
    );
    assert_eq!(
        column(every, "v")["logical"],
        serde_json::json!({"kind": "text", "max_chars": 40})
    );
    assert_eq!(
        column(every, "c")["logical"],
        serde_json::json!({"kind": "char", "chars": 3})
    );
    assert_eq!(
        column(every, "feeling")["logical"],
        serde_json::json!({"kind": "enum", "labels": ["sad", "ok", "happy"]})
    );
    assert_eq!(
        column(every, "tags")["logical"],
        serde_json::json!({"kind": "array", "element": {"kind": "text"}})
    );
    assert_eq!(column(every, "qty")["logical"]["kind"], "int32");
    assert_eq!(
        column(every, "qty")["domain_checks"],
        serde_json::json!(["((VALUE > 0))"])
    );
    assert_eq!(column(every, "id")["generated"], "identity_always");
    assert_eq!(column(every, "serial_col")["generated"], "serial");
    assert_eq!(column(every, "doubled")["generated"], "stored");
    assert_eq!(column(every, "id")["nullable"], false);
    assert_eq!(every["primary_key"], serde_json::json!(["id"]));
    assert_eq!(every["unique"], serde_json::json!([["u"]]));
    assert_eq!(every["checks"][0]["expression"], "((n >= (0)::numeric))");

    let person = table(&json, "person");
    assert_eq!(
        person["foreign_keys"][0]["references"],
        serde_json::json!({"table": "person", "columns": ["id"]})
    );
    let line = table(&json, "order_line");
    assert_eq!(
        line["primary_key"],
        serde_json::json!(["region", "order_no", "line"])
    );
    assert_eq!(
        line["foreign_keys"][0]["columns"],
        serde_json::json!(["region", "order_no"])
    );
    assert_eq!(
        line["foreign_keys"][0]["references"]["columns"],
        serde_json::json!(["region", "order_no"])
    );
    assert_eq!(line["foreign_keys"][0]["inferred"], false);

    let events = table(&json, "events");
    assert_eq!(
        events["foreign_keys"][0]["references"]["table"], "person",
        "an FK declared on one partition folds into the table"
    );
    assert_eq!(events["partitioning"]["key"], "RANGE (at)");
    assert_eq!(
        events["partitioning"]["partitions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let text = understudy(tmp.path(), &["introspect", &db.url]);
    assert_ok(&text);
    assert!(
        stdout(&text).contains("FK -> person(id)"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn profile_matches_sql_counts_and_null_rates() {
    let Some(db) = fixture() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = understudy(tmp.path(), &["profile", &db.url, "-o", "p.yaml"]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("warning: everything.spot has type point"),
        "{}",
        stderr(&out)
    );
    let profile = read_profile(&tmp.path().join("p.yaml"));
    let mut client = db.client();
    for table in &profile.tables {
        let name = &table.schema.name;
        let rows: i64 = client
            .query_one(&format!("SELECT count(*) FROM {name}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(table.row_count, rows as u64, "{name}");
        for stats in &table.column_stats {
            let sql = format!(
                "SELECT coalesce(round(avg(({} IS NULL)::int), 6), 0)::float8 FROM {name}",
                stats.column
            );
            let expected: f64 = client.query_one(&sql, &[]).unwrap().get(0);
            assert!(
                (stats.null_rate - expected).abs() < 1e-9,
                "{name}.{}: {} vs {expected}",
                stats.column,
                stats.null_rate
            );
        }
    }
    let every = profile.table("everything").unwrap();
    let t = every.stats("t").unwrap();
    let text = t.text.as_ref().unwrap();
    assert!(
        (text.empty_rate - 10.0 / 30.0).abs() < 1e-5,
        "empty string is not NULL: {}",
        text.empty_rate
    );
    assert!(text.non_ascii_rate > 0.6);
    assert_eq!(
        every
            .stats("flag")
            .unwrap()
            .boolean
            .as_ref()
            .unwrap()
            .true_rate,
        0.325
    );
    assert_eq!(
        every
            .stats("day")
            .unwrap()
            .temporal
            .as_ref()
            .unwrap()
            .feb29_rate,
        0.025
    );
    assert_eq!(profile.table("nothing_here").unwrap().row_count, 0);

    let person = profile.table("person").unwrap();
    let fan = &person
        .fk_stats(&["manager_id".to_string()])
        .unwrap()
        .children_per_parent;
    assert_eq!(fan.parents, 30);
    assert_eq!(fan.max, 3);
    assert_eq!(
        fan.histogram.get(&0).copied(),
        Some(20),
        "parents with no children are counted"
    );
    let line = profile.table("order_line").unwrap();
    let composite = line
        .fk_stats(&["region".to_string(), "order_no".to_string()])
        .unwrap();
    assert_eq!(composite.children_per_parent.parents, 50);
    assert_eq!(composite.children_per_parent.zero_share, 0.0);
}

#[test]
fn sampling_reads_about_n_rows_and_says_so() {
    let Some(db) = fixture() else { return };
    db.client()
        .batch_execute("CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 20000) g")
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&understudy(
        tmp.path(),
        &["profile", &db.url, "-o", "p.yaml", "--sample", "2000"],
    ));
    let profile = read_profile(&tmp.path().join("p.yaml"));
    assert_eq!(profile.source.sample_rows, Some(2000));
    let big = profile.table("big").unwrap();
    assert_eq!(big.row_count, 20000);
    let sampled = big.sampled_rows.unwrap();
    assert!((1500..2500).contains(&sampled), "{sampled}");
}
