//! `generate` refuses to write into the snapshot its profile was learned from: the same database
//! on the same server (however the URL names it), or the source directory or one inside it
//! (however the path names it), unless `--write-into-source` says so. The source is unchanged.

mod common;

use std::path::Path;

use common::*;

/// Every file under `dir` with its bytes, sorted.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let bytes = if e.path().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

fn assert_refused(out: &std::process::Output) {
    assert_error(out, "refusing to write into");
    assert!(
        stderr(out).contains("--write-into-source"),
        "the message names the flag: {}",
        stderr(out)
    );
}

#[test]
fn a_csv_source_directory_is_protected() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("snap");
    std::fs::create_dir(&source).unwrap();
    let rows: String = (1..=40).map(|i| format!("{i},item {}\n", i % 7)).collect();
    std::fs::write(source.join("item.csv"), format!("id,name\n{rows}")).unwrap();
    assert_ok(&understudy(
        tmp.path(),
        &["profile", "snap", "-o", "p.yaml"],
    ));
    let profile = read_profile(&tmp.path().join("p.yaml"));
    let canonical = source.canonicalize().unwrap();
    assert_eq!(
        profile.source.fingerprint.as_deref(),
        Some(format!("dir:{}", canonical.display()).as_str())
    );
    let before = snapshot(&source);
    std::os::unix::fs::symlink(&source, tmp.path().join("alias")).unwrap();
    for target in [
        "snap",
        "./snap/../snap",
        "alias",
        "snap/out",
        "snap/new/deeper",
    ] {
        let out = understudy(tmp.path(), &["generate", "p.yaml", "-o", target]);
        assert_refused(&out);
        assert_eq!(snapshot(&source), before, "{target} changed the source");
    }
    assert!(!source.join("out").exists() && !source.join("new").exists());
    for format in ["csv", "parquet"] {
        let out = understudy(
            tmp.path(),
            &["generate", "p.yaml", "-o", "snap", "--format", format],
        );
        assert_refused(&out);
    }
    assert_ok(&understudy(
        tmp.path(),
        &["generate", "p.yaml", "-o", "elsewhere"],
    ));
    assert!(tmp.path().join("elsewhere/item.csv").exists());
    assert_ok(&understudy(
        tmp.path(),
        &["generate", "p.yaml", "-o", "snap", "--write-into-source"],
    ));
    assert_ne!(snapshot(&source), before, "the flag lets the write through");
}

#[test]
fn a_postgres_source_database_is_protected() {
    let Some((db, other)) = TestDb::pair("protect") else {
        return;
    };
    for target in [&db, &other] {
        target
            .client()
            .batch_execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)")
            .unwrap();
    }
    db.client()
        .batch_execute("INSERT INTO item SELECT i, 'real ' || i FROM generate_series(1, 50) i")
        .unwrap();
    let checksum = |db: &TestDb| -> String {
        db.client()
            .query_one(
                "SELECT string_agg(id || name, ',' ORDER BY id) FROM item",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let before = checksum(&db);
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&understudy(
        tmp.path(),
        &["profile", &db.url, "-o", "p.yaml"],
    ));
    let fingerprint = read_profile(&tmp.path().join("p.yaml"))
        .source
        .fingerprint
        .unwrap();
    assert!(
        fingerprint.starts_with("postgres:") && fingerprint.ends_with(&format!("/{}", db.name)),
        "{fingerprint}"
    );
    // The same database reached by another address is still the source.
    let by_localhost = db.url.replace("127.0.0.1", "localhost");
    for target in [&db.url, &by_localhost] {
        let out = understudy(
            tmp.path(),
            &["generate", "p.yaml", "-o", target, "--truncate"],
        );
        assert_refused(&out);
        assert_eq!(checksum(&db), before, "the source's rows changed");
    }
    assert_ok(&understudy(
        tmp.path(),
        &["generate", "p.yaml", "-o", &other.url],
    ));
    assert_ok(&understudy(
        tmp.path(),
        &[
            "generate",
            "p.yaml",
            "-o",
            &db.url,
            "--truncate",
            "--write-into-source",
        ],
    ));
    assert_ne!(checksum(&db), before, "the flag lets the load through");
}
