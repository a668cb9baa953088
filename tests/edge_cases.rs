//! `--edge-cases`: stress values load into PostgreSQL with every constraint live (CHECKs,
//! varchar limits, NOT NULL, a unique expression index, foreign keys), and the manifest lists
//! exactly the injected cells: each listed value is read back from the database and from the CSV
//! output, each eligible column holds exactly `round(rate × rows)` of them, and columns that a
//! check ties to another column, an unmodeled check, a unique index or a key are left alone.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use understudy::manifest::{InjectedCell, Manifest};

const DDL: &str = "
CREATE TABLE accounts (
    id integer PRIMARY KEY,
    code char(3) NOT NULL,
    handle varchar(12) NOT NULL,
    email varchar(60) NOT NULL,
    bio text,
    status varchar(8) NOT NULL CHECK (status IN ('active', 'closed')),
    slug text NOT NULL CHECK (length(slug) > 0),
    born date NOT NULL CHECK (born BETWEEN '1950-01-01' AND '2005-12-31'),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    local_at timestamp,
    alarm time,
    score double precision,
    ratio real NOT NULL CHECK (ratio >= 0 AND ratio <= 0.1),
    balance numeric(8,2) NOT NULL CHECK (balance >= -1000),
    level smallint NOT NULL CHECK (level > 0 AND level <= 10),
    visits bigint,
    CHECK (created_at <= updated_at)
);
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));
CREATE TABLE events (
    id bigint PRIMARY KEY,
    account_id integer NOT NULL REFERENCES accounts (id),
    kind varchar(10) NOT NULL,
    note varchar(40),
    amount numeric(10,2),
    at timestamp NOT NULL
);
";

const RATE: f64 = 0.05;

/// The columns that may take edge cases; all others must be left alone.
const ELIGIBLE: &[(&str, &[&str])] = &[
    (
        "accounts",
        &[
            "code", "handle", "bio", "born", "local_at", "alarm", "score", "ratio", "balance",
            "level", "visits",
        ],
    ),
    ("events", &["kind", "note", "amount", "at"]),
];

fn generate(dir: &Path, target: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "generate",
        "schema.sql",
        "-o",
        target,
        "--rows",
        "400",
        "--seed",
        "11",
        "--edge-cases",
        "0.05",
        "-q",
    ];
    args.extend(extra);
    understudy(dir, &args)
}

/// The cells grouped by `key`, in manifest order within each group.
fn grouped<K: Ord>(
    cells: &[InjectedCell],
    key: impl Fn(&InjectedCell) -> K,
) -> BTreeMap<K, Vec<&InjectedCell>> {
    let mut map: BTreeMap<K, Vec<&InjectedCell>> = BTreeMap::new();
    for cell in cells {
        map.entry(key(cell)).or_default().push(cell);
    }
    map
}

/// Floats compare by value (PostgreSQL writes `1.7976931348623157e+308`, the CSV
/// `1.7976931348623157e308`), keeping NaN and the sign of zero; everything else as text.
fn same_value(column: &str, listed: &str, read: &str) -> bool {
    if matches!(column, "score" | "ratio") {
        let (a, b): (f64, f64) = (listed.parse().unwrap(), read.parse().unwrap());
        return (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits();
    }
    listed == read
}

#[test]
fn injected_values_load_with_constraints_live_and_are_listed_exactly() {
    let Some(db) = TestDb::create("edge_cases") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), DDL).unwrap();
    db.apply_ddl(&dir.path().join("schema.sql"));
    assert_ok(&generate(
        dir.path(),
        &db.url,
        &["--manifest-table", "understudy_runs"],
    ));

    let mut client = db.client();
    client.batch_execute("SET TIME ZONE 'UTC'").unwrap();
    let text: String = client
        .query_one("SELECT manifest::text FROM understudy_runs", &[])
        .unwrap()
        .get(0);
    let manifest = Manifest::from_json(&text).unwrap();
    assert_eq!(manifest.target, "postgres");
    assert!(manifest.files.is_empty());

    // Which columns, and how many cells each.
    let rows: BTreeMap<&str, u64> = manifest
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.rows))
        .collect();
    let columns = grouped(&manifest.injected, |c| (c.table.clone(), c.column.clone()));
    let expected: BTreeSet<(String, String)> = ELIGIBLE
        .iter()
        .flat_map(|(t, cs)| cs.iter().map(|c| (t.to_string(), c.to_string())))
        .collect();
    assert_eq!(
        columns.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "injected columns"
    );
    for ((table, column), cells) in &columns {
        let want = (RATE * rows[table.as_str()] as f64).round() as usize;
        assert_eq!(cells.len(), want, "{table}.{column}");
    }
    let kinds: BTreeSet<&str> = manifest.injected.iter().map(|c| c.kind.as_str()).collect();
    let all: BTreeSet<&str> = understudy::generate::EdgeKind::ALL
        .iter()
        .map(|k| k.name())
        .collect();
    assert_eq!(kinds, all, "every kind is exercised");

    // Each listed value, read back by the row's primary key.
    for cell in &manifest.injected {
        let query = format!(
            "SELECT {}::text FROM {} WHERE id::text = $1",
            cell.column, cell.table
        );
        let read: Option<String> = client.query_one(&query, &[&cell.key["id"]]).unwrap().get(0);
        let read = read.unwrap_or_else(|| panic!("{cell:?} is NULL in the database"));
        assert!(
            same_value(&cell.column, &cell.value, &read),
            "{cell:?}: the database holds {read:?}"
        );
    }

    // No text cell outside the list holds a listed stress value.
    for ((table, column), cells) in &columns {
        let values: Vec<&str> = cells.iter().map(|c| c.value.as_str()).collect();
        if !matches!(column.as_str(), "code" | "handle" | "bio" | "kind" | "note") {
            continue;
        }
        let query = format!("SELECT count(*) FROM {table} WHERE {column}::text = ANY($1::text[])");
        let count: i64 = client.query_one(&query, &[&values]).unwrap().get(0);
        assert_eq!(count as usize, cells.len(), "{table}.{column}");
    }

    // The same seed into CSV: the same cells, and the file holds each listed value.
    assert_ok(&generate(dir.path(), "out", &[]));
    let files = Manifest::from_json(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(files.injected, manifest.injected);
    for (table, cells) in &grouped(&files.injected, |c| c.table.clone()) {
        let mut reader =
            csv::Reader::from_path(dir.path().join(format!("out/{table}.csv"))).unwrap();
        let header = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        for cell in cells {
            let at = header.iter().position(|h| h == cell.column).unwrap();
            let field = &records[cell.row as usize][at];
            assert_eq!(field, cell.value, "{cell:?}");
            let id = header.iter().position(|h| h == "id").unwrap();
            assert_eq!(&records[cell.row as usize][id], cell.key["id"], "{cell:?}");
        }
    }
}

#[test]
fn kinds_are_chosen_and_bad_requests_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), DDL).unwrap();
    assert_ok(&generate(
        dir.path(),
        "out",
        &["--edge-kinds", "emoji-zwj,feb-29"],
    ));
    let manifest = Manifest::from_json(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap(),
    )
    .unwrap();
    let kinds: BTreeSet<&str> = manifest.injected.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, BTreeSet::from(["emoji-zwj", "feb-29"]));
    let request = manifest.edge_cases.unwrap();
    assert_eq!((request.rate, request.kinds.len()), (0.05, 2));

    for (args, needle) in [
        (vec!["--edge-cases", "1.5"], "between 0 and 1"),
        (
            vec!["--edge-cases", "0.1", "--edge-kinds", "emoji"],
            "emoji-zwj",
        ),
        (vec!["--edge-kinds", "nan"], "--edge-cases"),
    ] {
        let mut all = vec!["generate", "schema.sql", "-o", "bad"];
        all.extend(args);
        let out = understudy(dir.path(), &all);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
        assert!(!dir.path().join("bad").exists());
    }
}
