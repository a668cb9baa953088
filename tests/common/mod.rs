//! Shared test helpers: run the real binary in a temporary directory, and make a fresh
//! PostgreSQL database per test that is dropped afterwards.
//!
//! The server comes from `UNDERSTUDY_TEST_PG` (default `postgres://root@127.0.0.1:5432/test`).
//! Without a server, Postgres tests fail, saying how to start one (`scripts/test` does) or how to
//! skip them on purpose (`UNDERSTUDY_SKIP_PG=1`): a suite that passes because nothing ran is a
//! suite that lies.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn data_dir(dataset: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dataset)
}

/// Runs `understudy` with `args` in `dir`.
pub fn understudy(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_understudy"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts a run succeeded, showing its stderr if not.
pub fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "understudy failed: {}",
        stderr(output)
    );
}

/// Asserts a run failed with exit code 1 and one `error:` line mentioning `needle`.
pub fn assert_error(output: &Output, needle: &str) {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected exit 1, stderr: {err}"
    );
    assert!(err.starts_with("error: "), "no error line: {err}");
    assert!(
        err.contains(needle),
        "error does not mention {needle:?}: {err}"
    );
    assert!(!err.contains("panicked"), "panicked: {err}");
}

pub fn server_url() -> String {
    std::env::var("UNDERSTUDY_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

/// Whether Postgres tests were asked to skip (`UNDERSTUDY_SKIP_PG=1`); otherwise they need a
/// server.
pub fn postgres_skipped() -> bool {
    std::env::var("UNDERSTUDY_SKIP_PG").is_ok_and(|v| v == "1")
}

/// A database created for one test and dropped when this value is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
    admin_url: String,
}

impl TestDb {
    /// A fresh database, or `None` (after a loud message) when Postgres tests are skipped on
    /// purpose. Panics, saying what to do, when no server answers.
    pub fn create(label: &str) -> Option<TestDb> {
        let admin_url = server_url();
        if postgres_skipped() {
            eprintln!("\n!!! SKIPPING Postgres test {label}: UNDERSTUDY_SKIP_PG=1\n");
            return None;
        }
        let mut admin = match postgres::Client::connect(&admin_url, postgres::NoTls) {
            Ok(c) => c,
            Err(e) => panic!(
                "Postgres test {label}: no server at {admin_url} ({e}).\n\
                 Start one and run every test with `scripts/test`, point UNDERSTUDY_TEST_PG at a \
                 server, or skip Postgres tests on purpose with UNDERSTUDY_SKIP_PG=1."
            ),
        };
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("understudy_{label}_{}_{n}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b)
            .to_string();
        Some(TestDb {
            url: format!("{base}/{name}"),
            name,
            admin_url,
        })
    }

    /// Two fresh databases, `<label>_real` and `<label>_target`: a snapshot and a place to
    /// generate into.
    pub fn pair(label: &str) -> Option<(TestDb, TestDb)> {
        let real = TestDb::create(&format!("{label}_real"))?;
        let target = TestDb::create(&format!("{label}_target"))?;
        Some((real, target))
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls)
            .expect("test database accepts connections")
    }

    /// Creates a vendored dataset's tables, with every constraint, from its `schema.sql` (psql
    /// meta-commands dropped).
    pub fn apply_schema(&self, dataset: &str) {
        self.apply_ddl(&data_dir(dataset).join("schema.sql"));
    }

    /// Runs a DDL file (psql meta-commands dropped).
    pub fn apply_ddl(&self, path: &Path) {
        let ddl: String = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('\\'))
            .collect::<Vec<_>>()
            .join("\n");
        self.client().batch_execute(&ddl).unwrap();
    }

    /// Loads a vendored dataset: its schema, then every CSV.
    pub fn load_dataset(&self, dataset: &str) {
        let dir = data_dir(dataset);
        self.apply_schema(dataset);
        let mut client = self.client();
        client
            .batch_execute("SET session_replication_role = replica")
            .unwrap();
        for entry in std::fs::read_dir(dir.join("csv")).unwrap() {
            let path = entry.unwrap().path();
            let table = path.file_stem().unwrap().to_str().unwrap().to_string();
            let mut writer = client
                .copy_in(&format!(
                    "COPY public.\"{table}\" FROM STDIN WITH (FORMAT csv, HEADER true)"
                ))
                .unwrap();
            std::io::Write::write_all(&mut writer, &std::fs::read(&path).unwrap()).unwrap();
            writer.finish().unwrap();
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Profiles `real` into `p.yaml` in a fresh temporary directory, then generates from that
/// profile into `target` (a URL or a directory) with `extra` arguments, asserting both succeed.
pub fn profile_and_generate(real: &TestDb, target: &str, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["profile", &real.url, "-o", "p.yaml"],
    ));
    let mut args = vec!["generate", "p.yaml", "-o", target];
    args.extend(extra);
    assert_ok(&understudy(dir.path(), &args));
    dir
}

/// Writes each `(table, csv text)` as `real/<table>.csv` under `dir` and profiles that folder
/// into `dir/p.yaml`, asserting it succeeds; the profile's path.
pub fn profile_csv_tables(dir: &Path, tables: &[(&str, &str)]) -> PathBuf {
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    for (name, text) in tables {
        std::fs::write(real.join(format!("{name}.csv")), text).unwrap();
    }
    let profile = dir.join("p.yaml");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    assert_ok(&understudy(
        dir,
        &["profile", &path(&real), "-o", &path(&profile), "-q"],
    ));
    profile
}

/// Profiles the source at `source` into `profile.yaml` under `dir`, then generates that
/// profile into `out/` under `dir`, asserting both succeed; the output folder.
pub fn profile_and_generate_into(dir: &Path, source: &Path) -> PathBuf {
    let (profile, out) = (dir.join("profile.yaml"), dir.join("out"));
    let path = |p: &Path| p.to_str().unwrap().to_string();
    assert_ok(&understudy(
        dir,
        &["profile", &path(source), "-o", &path(&profile), "-q"],
    ));
    assert_ok(&understudy(
        dir,
        &["generate", &path(&profile), "-o", &path(&out), "-q"],
    ));
    out
}

/// A bundled profile from `profiles/`.
pub fn bundled_profile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("profiles")
        .join(format!("{name}.yaml"))
}

/// Reads a profile file.
pub fn read_profile(path: &Path) -> understudy::profile::Profile {
    understudy::profile::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A small deterministic generator, so test data is the same on every run.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }

    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| (b'0' + (self.next() % 10) as u8) as char)
            .collect()
    }

    pub fn letter(&mut self) -> char {
        (b'A' + (self.next() % 26) as u8) as char
    }
}

/// The records of a CSV file with a header row.
pub fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}
