//! Clean interruption: SIGINT and SIGTERM in the middle of a large run leave every sink's target
//! as it was (no temporary file, no renamed file, no committed row) and exit 130 or 143; the
//! temporary files of a run killed with SIGKILL are removed by the next run into that directory.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Starts `understudy` with `args` in `dir`, its stderr kept for the end.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_understudy"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -s {signal} failed");
}

/// Waits until `ready` holds, failing the test (and killing the child) after a minute.
fn wait_for(child: &mut Child, what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("understudy ended ({status}) before {what}");
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("no {what} within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Hidden temporary files in `dir` that already hold bytes.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                .filter(|e| e.metadata().is_ok_and(|m| m.len() > 0))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Every file in `dir` with its bytes, sorted.
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Waits for the child and checks it exited with `code` and a one-line reason.
fn assert_stopped(child: Child, signal: &str, code: i32) {
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(
        err.contains(&format!("stopped by {signal}")),
        "no reason given: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

const BIG: [&str; 4] = ["--scale", "400", "--threads", "1"];

fn interrupt_file_run(format: &str, signal: &str, code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(
        out.join(format!("track.{format}")),
        b"an earlier run's file",
    )
    .unwrap();
    let before = listing(&out);
    let profile = bundled_profile("chinook");
    let mut args = vec![
        "generate",
        profile.to_str().unwrap(),
        "-o",
        "out",
        "--format",
        format,
    ];
    args.extend(BIG);
    let mut child = spawn(tmp.path(), &args);
    wait_for(&mut child, "temporary file", || {
        !temp_files(&out).is_empty()
    });
    send(&child, signal);
    assert_stopped(child, signal, code);
    assert_eq!(
        listing(&out),
        before,
        "{format} after {signal}: the target changed"
    );
}

#[test]
fn csv_sigint_and_sigterm_leave_the_directory_as_it_was() {
    interrupt_file_run("csv", "SIGINT", 130);
    interrupt_file_run("csv", "SIGTERM", 143);
}

#[test]
fn parquet_sigint_and_sigterm_leave_the_directory_as_it_was() {
    interrupt_file_run("parquet", "SIGINT", 130);
    interrupt_file_run("parquet", "SIGTERM", 143);
}

#[test]
fn postgres_sigint_and_sigterm_roll_the_load_back() {
    for (signal, code) in [("SIGINT", 130), ("SIGTERM", 143)] {
        let Some(db) = TestDb::create("interrupt") else {
            return;
        };
        db.apply_schema("chinook");
        let copying = || -> bool {
            db.client()
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND application_name = 'understudy' AND query LIKE 'COPY%'",
                    &[],
                )
                .unwrap()
                .get::<_, i64>(0)
                > 0
        };
        let tmp = tempfile::tempdir().unwrap();
        let profile = bundled_profile("chinook");
        let mut args = vec!["generate", profile.to_str().unwrap(), "-o", &db.url];
        args.extend(BIG);
        let mut child = spawn(tmp.path(), &args);
        wait_for(&mut child, "COPY", copying);
        send(&child, signal);
        assert_stopped(child, signal, code);
        let rows: i64 = db
            .client()
            .query_one(
                "SELECT (SELECT count(*) FROM artist) + (SELECT count(*) FROM album) \
                 + (SELECT count(*) FROM genre) + (SELECT count(*) FROM track)",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(rows, 0, "rows were committed after {signal}");
    }
}

#[test]
fn the_next_run_removes_what_a_killed_run_left() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let profile = bundled_profile("chinook");
    let mut args = vec!["generate", profile.to_str().unwrap(), "-o", "out"];
    args.extend(BIG);
    let mut child = spawn(tmp.path(), &args);
    wait_for(&mut child, "temporary file", || {
        !temp_files(&out).is_empty()
    });
    send(&child, "SIGKILL");
    child.wait().unwrap();
    let left = temp_files(&out);
    assert!(!left.is_empty(), "SIGKILL leaves its temporary files");
    // A temporary file of a process that is still running (this test) is not touched.
    let live = format!(".other.csv.{}.tmp", std::process::id());
    std::fs::write(out.join(&live), b"in progress").unwrap();

    let next = understudy(
        tmp.path(),
        &["generate", profile.to_str().unwrap(), "-o", "out"],
    );
    assert_ok(&next);
    for name in &left {
        assert!(!out.join(name).exists(), "{name} is still there");
        assert!(stderr(&next).contains(name.as_str()), "{}", stderr(&next));
    }
    assert!(
        out.join(&live).exists(),
        "a live process's file was removed"
    );
    assert!(out.join("track.csv").exists());
}
