//! Bad input: each case exits 1 with one `error:` line naming the input, never panics, and
//! leaves no profile file behind. A table with no rows is not an error.

mod common;

use std::path::Path;

use common::*;

fn profile_fails(dir: &Path, source: &str, needle: &str) {
    let out = understudy(dir, &["profile", source, "-o", "out.yaml"]);
    assert_error(&out, needle);
    assert!(
        !dir.join("out.yaml").exists(),
        "a failed run leaves no profile"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn csv_dir(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join("in").join(name), content).unwrap();
    }
    dir
}

#[test]
fn unreachable_server() {
    let tmp = tempfile::tempdir().unwrap();
    profile_fails(
        tmp.path(),
        "postgres://root@127.0.0.1:1/shop",
        "postgres://root@127.0.0.1:1/shop",
    );
}

#[test]
fn wrong_password_is_refused_and_never_printed() {
    let Some(db) = TestDb::create("password") else {
        return;
    };
    let mut client = db.client();
    client
        .batch_execute(
            "DO $$BEGIN CREATE ROLE understudy_pw LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$; \
             ALTER ROLE understudy_pw PASSWORD 'right-password'",
        )
        .unwrap();
    let host_url = db.url.replace("root@", "understudy_pw:Wr0ngSecret@");
    let tmp = tempfile::tempdir().unwrap();
    let out = understudy(tmp.path(), &["profile", &host_url, "-o", "out.yaml"]);
    assert!(
        !out.status.success(),
        "the server let understudy_pw in without checking its password; scripts/test adds the \
         pg_hba.conf line that makes it check"
    );
    assert_error(&out, "password authentication failed");
    assert!(
        !stderr(&out).contains("Wr0ngSecret"),
        "the password leaked: {}",
        stderr(&out)
    );
    assert!(!tmp.path().join("out.yaml").exists());
}

#[test]
fn missing_and_empty_directories() {
    let tmp = tempfile::tempdir().unwrap();
    profile_fails(tmp.path(), "no-such-dir", "no-such-dir");
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    profile_fails(tmp.path(), "empty", "no .csv, .csv.gz or .parquet files");
}

#[test]
fn ragged_csv_names_file_and_line() {
    let dir = csv_dir(&[("t.csv", b"a,b\n1,2\n3,4\n5\n")]);
    profile_fails(dir.path(), "in", "t.csv:4: ragged row");
}

#[test]
fn invalid_utf8_names_file_and_line() {
    let dir = csv_dir(&[("t.csv", b"a,b\n1,2\n3,\xff\xfe\n")]);
    profile_fails(dir.path(), "in", "t.csv:3: invalid UTF-8");
}

#[test]
fn unterminated_quote_names_file_and_line() {
    let dir = csv_dir(&[("t.csv", b"a,b\n1,\"open\n2,3\n")]);
    profile_fails(dir.path(), "in", "t.csv:2: unterminated quoted field");
}

#[test]
fn truncated_and_corrupt_parquet() {
    let original = std::fs::read(data_dir("chinook").join("parquet/genre.parquet")).unwrap();
    let truncated = csv_dir(&[("genre.parquet", &original[..original.len() / 2])]);
    profile_fails(
        truncated.path(),
        "in",
        "genre.parquet: not a readable Parquet file",
    );
    let mut garbled = original.clone();
    let middle = garbled.len() / 2;
    garbled[8..middle].iter_mut().for_each(|b| *b = 0xAB);
    let corrupt = csv_dir(&[("genre.parquet", &garbled)]);
    profile_fails(corrupt.path(), "in", "genre.parquet");
}

#[test]
fn a_table_with_no_rows_is_recorded_as_empty() {
    let dir = csv_dir(&[("empty.csv", b"id,name\n"), ("full.csv", b"id,name\n1,x\n")]);
    assert_ok(&understudy(dir.path(), &["profile", "in", "-o", "p.yaml"]));
    let profile = read_profile(&dir.path().join("p.yaml"));
    assert_eq!(profile.table("empty").unwrap().row_count, 0);
    assert_eq!(profile.table("full").unwrap().row_count, 1);
}

#[test]
fn quoted_empty_is_not_null_and_null_string_is_configurable() {
    let dir = csv_dir(&[("t.csv", b"a;b\n\"\";x\n;\\N\n")]);
    assert_ok(&understudy(
        dir.path(),
        &["profile", "in", "-o", "p.yaml", "--delimiter", ";"],
    ));
    let p = read_profile(&dir.path().join("p.yaml"));
    let a = p.table("t").unwrap().stats("a").unwrap();
    assert_eq!(
        (a.null_rate, a.text.as_ref().unwrap().empty_rate),
        (0.5, 1.0)
    );
    assert_ok(&understudy(
        dir.path(),
        &[
            "profile",
            "in",
            "-o",
            "q.yaml",
            "--delimiter",
            ";",
            "--null-string",
            "\\N",
        ],
    ));
    let q = read_profile(&dir.path().join("q.yaml"));
    assert_eq!(q.table("t").unwrap().stats("a").unwrap().null_rate, 0.0);
    assert_eq!(q.table("t").unwrap().stats("b").unwrap().null_rate, 0.5);
}

#[test]
fn counts_of_zero_are_refused_as_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let chinook = data_dir("chinook").join("csv");
    let profile = bundled_profile("chinook");
    let runs: [(&[&str], &str); 3] = [
        (
            &[
                "profile",
                chinook.to_str().unwrap(),
                "-o",
                "p.yaml",
                "--sample",
                "0",
            ],
            "--sample",
        ),
        (
            &[
                "profile",
                chinook.to_str().unwrap(),
                "-o",
                "p.yaml",
                "--min-count",
                "0",
            ],
            "--min-count",
        ),
        (
            &[
                "generate",
                profile.to_str().unwrap(),
                "-o",
                "out",
                "--threads",
                "0",
            ],
            "--threads",
        ),
    ];
    for (args, option) in runs {
        let out = understudy(tmp.path(), args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{option}: {err}");
        assert!(
            err.contains(option) && err.contains("must be at least 1"),
            "{option}: {err}"
        );
        assert!(!tmp.path().join("p.yaml").exists() && !tmp.path().join("out").exists());
    }
}

#[test]
fn passwords_are_redacted_however_the_target_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = bundled_profile("chinook");
    let specs = [
        ("postgres://alice:p@ss@127.0.0.1:1/db", "ss@", "%40"),
        (
            "postgresql://alice:Zq9s3cret@127.0.0.1:1/db",
            "Zq9s3cret",
            "server running",
        ),
        (
            "postgres://alice@127.0.0.1:1/db?password=Zq9s3cret",
            "Zq9s3cret",
            "server running",
        ),
        (
            "host=127.0.0.1 port=1 user=alice password=Zq9s3cret dbname=db",
            "Zq9s3cret",
            "server running",
        ),
        (
            "host=127.0.0.1 port=1 password='Zq9 s3cret' dbname=db",
            "s3cret",
            "server running",
        ),
        (
            "host=127.0.0.1 port=1 password='Zq9 s3cret",
            "s3cret",
            "not a valid",
        ),
        (
            "postgres://alice:Zq9s3cret@[::1/db",
            "Zq9s3cret",
            "not a valid",
        ),
        (
            "postgres://alice:Zq9s3cret@no-such-host.invalid/db",
            "Zq9s3cret",
            "does not resolve",
        ),
    ];
    for (spec, secret, says) in specs {
        for args in [
            vec!["profile", spec, "-o", "p.yaml"],
            vec!["generate", profile.to_str().unwrap(), "-o", spec],
        ] {
            let out = understudy(tmp.path(), &args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{spec}: {err}");
            assert!(!err.contains(secret), "{spec}: the password leaked: {err}");
            assert!(err.contains(says), "{spec}: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
    let made: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
    assert!(
        made.is_empty(),
        "a connection string became a directory: {made:?}"
    );
}

/// Inputs that once panicked: `numeric(p,s)` with `s > p`, a CHECK `IN` list of dates on a
/// NOT NULL column, a unique stored generated column, and primary keys that reference each
/// other. Generated rows load into the same DDL with every constraint live.
const TRICKY_DDL: &str = "
    CREATE TABLE n (id int PRIMARY KEY, x numeric(2,4), y numeric(3,5) NOT NULL);
    CREATE TABLE d (id int PRIMARY KEY,
                    day date NOT NULL CHECK (day IN ('2024-01-01', '2024-02-29', '2024-03-15')));
    CREATE TABLE g (id int PRIMARY KEY, code int GENERATED ALWAYS AS (id * 10) STORED UNIQUE);
    CREATE TABLE a (id int PRIMARY KEY);
    CREATE TABLE b (id int PRIMARY KEY REFERENCES a (id) DEFERRABLE INITIALLY DEFERRED);
    ALTER TABLE a ADD FOREIGN KEY (id) REFERENCES b (id) DEFERRABLE INITIALLY DEFERRED;";

#[test]
fn tricky_schemas_generate_and_load_without_panicking() {
    let Some((real, target)) = TestDb::pair("tricky") else {
        return;
    };
    real.client()
        .batch_execute(&format!(
            "{TRICKY_DDL}
             INSERT INTO n SELECT i, 0.0012 * (i % 5), 0.00012 FROM generate_series(1, 30) i;
             INSERT INTO d SELECT i, (ARRAY['2024-01-01', '2024-02-29', '2024-03-15'])[1 + i % 3]::date
               FROM generate_series(1, 30) i;
             INSERT INTO g (id) SELECT generate_series(1, 30);
             BEGIN; INSERT INTO a SELECT generate_series(1, 30); INSERT INTO b SELECT generate_series(1, 30); COMMIT;"
        ))
        .unwrap();
    target.client().batch_execute(TRICKY_DDL).unwrap();
    let tmp = profile_and_generate(&real, &target.url, &["--scale", "2"]);
    assert_ok(&understudy(
        tmp.path(),
        &["generate", "p.yaml", "-o", "csv"],
    ));
    let row = target
        .client()
        .query_one(
            "SELECT (SELECT count(*) FROM n), (SELECT count(DISTINCT day) FROM d), \
                    (SELECT count(*) FROM a), (SELECT count(*) FROM b), (SELECT count(*) FROM g)",
            &[],
        )
        .unwrap();
    let counts: Vec<i64> = (0..5).map(|i| row.get(i)).collect();
    assert_eq!(counts, [60, 3, 60, 60, 60]);
}

#[test]
fn a_foreign_key_to_a_generated_column_is_an_error_not_a_panic() {
    let Some(db) = TestDb::create("fk_generated") else {
        return;
    };
    db.client()
        .batch_execute(
            "CREATE TABLE g (id int PRIMARY KEY, code int GENERATED ALWAYS AS (id * 10) STORED UNIQUE);
             CREATE TABLE c (id int PRIMARY KEY, g_code int NOT NULL REFERENCES g (code));
             INSERT INTO g (id) SELECT generate_series(1, 20);
             INSERT INTO c SELECT i, (1 + i % 20) * 10 FROM generate_series(1, 40) i;",
        )
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&understudy(
        tmp.path(),
        &["profile", &db.url, "-o", "p.yaml"],
    ));
    let out = understudy(tmp.path(), &["generate", "p.yaml", "-o", "csv"]);
    assert_error(&out, "foreign key (g_code) references g.code");
    assert!(!tmp.path().join("csv/c.csv").exists());
}
