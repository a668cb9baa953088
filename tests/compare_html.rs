//! The HTML report end to end: generate synthetic Chinook from its bundled profile, compare it
//! with the real CSV files, write the page, and render it in headless Chromium to check that a
//! browser draws something real from it.
//!
//! Without Chromium on PATH (`chromium` or `chromium-browser`) the browser part skips with a
//! loud message, unless `UNDERSTUDY_REQUIRE_CHROMIUM=1`, which makes it fail instead.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WINDOW: &str = "1280,2000";

fn chromium_required() -> bool {
    std::env::var("UNDERSTUDY_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1")
}

/// The Chromium binary on PATH, if any.
fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Screenshots `page` into `png` with headless Chromium, waiting at most two minutes.
fn screenshot(chromium: &Path, page: &Path, png: &Path, profile: &Path) {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={WINDOW}"))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium took more than two minutes to screenshot {}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
    }
    assert!(status.success(), "chromium failed ({status}): {err}");
    assert!(
        png.is_file(),
        "chromium wrote no screenshot at {}: {err}",
        png.display()
    );
}

/// Generates synthetic Chinook and compares it with the real CSV files, writing the HTML
/// report; returns its path.
fn chinook_report(tmp: &Path) -> PathBuf {
    let profile = common::bundled_profile("chinook");
    let synth = tmp.join("synth");
    let out = common::understudy(
        tmp,
        &[
            "generate",
            profile.to_str().unwrap(),
            "-o",
            synth.to_str().unwrap(),
            "--format",
            "csv",
        ],
    );
    common::assert_ok(&out);

    let real = common::data_dir("chinook").join("csv");
    let html = tmp.join("report.html");
    let out = common::understudy(
        tmp,
        &[
            "compare",
            real.to_str().unwrap(),
            synth.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
    );
    common::assert_ok(&out);
    html
}

#[test]
fn compare_writes_a_self_contained_html_report() {
    let tmp = tempfile::tempdir().unwrap();
    let html_path = chinook_report(tmp.path());

    let html = std::fs::read_to_string(&html_path).expect("the report is written");
    assert!(html.len() > 20_000, "report is only {} bytes", html.len());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(html.contains("<svg"), "no chart");
    for table in ["album", "artist", "invoice_line", "playlist_track", "track"] {
        assert!(html.contains(table), "table {table} missing");
    }
    for section in ["Worst figures", "Tables", "weighted mean"] {
        assert!(html.contains(section), "{section} missing");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the report refers to the network"
    );
    assert!(!html.contains("<script"), "the report runs a script");
    assert!(!html.contains("<link"), "the report links a resource");
}

#[test]
fn html_report_renders_in_chromium() {
    let Some(chromium) = find_chromium() else {
        if chromium_required() {
            panic!("UNDERSTUDY_REQUIRE_CHROMIUM=1 but neither chromium nor chromium-browser is on PATH");
        }
        eprintln!(
            "\n!!! SKIPPED html_report_renders_in_chromium: no chromium or chromium-browser on \
             PATH (install it, e.g. `apt-get install chromium`; set UNDERSTUDY_REQUIRE_CHROMIUM=1 \
             to make this a failure)\n"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let report = chinook_report(tmp.path());

    // A blank page at the same size, for reference: a screenshot of nothing compresses to
    // almost nothing.
    let blank = tmp.path().join("blank.html");
    std::fs::write(
        &blank,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>",
    )
    .unwrap();

    let shot = tmp.path().join("shot.png");
    let blank_shot = tmp.path().join("blank.png");
    screenshot(
        &chromium,
        &report,
        &shot,
        &tmp.path().join("profile-report"),
    );
    screenshot(
        &chromium,
        &blank,
        &blank_shot,
        &tmp.path().join("profile-blank"),
    );

    let png = std::fs::read(&shot).unwrap();
    let blank_png = std::fs::read(&blank_shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(blank_png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 20_000,
        "the screenshot is only {} bytes: the page drew next to nothing",
        png.len()
    );
    assert!(
        png.len() >= 3 * blank_png.len(),
        "the screenshot ({} bytes) is not much larger than a blank page's ({} bytes)",
        png.len(),
        blank_png.len()
    );
    if let Ok(dir) = std::env::var("UNDERSTUDY_KEEP_SCREENSHOT") {
        let _ = std::fs::copy(&shot, Path::new(&dir).join("compare_html.png"));
    }
}
