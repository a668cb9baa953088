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
