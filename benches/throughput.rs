//! Throughput benchmark: `cargo bench --bench throughput -- profile [ROWS]`.
//!
//! Writes a CSV table of ROWS rows (default 5,000,000) with ten mixed columns (keys, a skewed
//! foreign key, decimals, timestamps, categories, emails, accented names, booleans, a nullable
//! note, floats) to a temporary directory, profiles it, and prints MB/s, rows/s and peak RSS.

use std::io::Write;
use std::time::Instant;

use understudy::hashing::mix64;
use understudy::run::profile::{profile_source, ProfileOptions};
use understudy::source::csv::{CsvOptions, CsvSource};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.first().map(String::as_str) {
        Some("profile") | None => {
            let rows = args
                .get(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(5_000_000u64);
            bench_profile(rows);
        }
        Some(other) => {
            eprintln!("unknown benchmark {other:?}; available: profile [ROWS]");
            std::process::exit(2);
        }
    }
}

fn bench_profile(rows: u64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("orders.csv");
    let started = Instant::now();
    write_orders(&path, rows);
    let bytes = std::fs::metadata(&path)
        .expect("the file was written")
        .len();
    eprintln!(
        "wrote {rows} rows, {:.1} MB in {:.1}s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let rss_before = peak_rss_mb();

    let started = Instant::now();
    let source = CsvSource::open(dir.path(), CsvOptions::default()).expect("the CSV opens");
    let profile = profile_source(&source, &ProfileOptions::default()).expect("profiling succeeds");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(profile.tables[0].row_count, rows);
    println!(
        "profile: {rows} rows, {:.1} MB in {secs:.2}s = {:.1} MB/s, {:.0} rows/s; peak RSS {:.0} MB (before profiling {rss_before:.0} MB)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        rows as f64 / secs,
        peak_rss_mb()
    );
}

fn write_orders(path: &std::path::Path, rows: u64) {
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
    writeln!(
        out,
        "order_id,customer_id,amount,created_at,status,email,name,paid,note,score"
    )
    .unwrap();
    let statuses = ["shipped", "pending", "cancelled", "returned", "lost"];
    let names = [
        "Zoë Müller",
        "José García",
        "Ngozi Okafor",
        "Łukasz Nowak",
        "Анна Иванова",
        "李伟",
        "Amy Smith",
    ];
    for i in 0..rows {
        let h = mix64(i);
        let customer = (h % 1000).pow(2) / 1000;
        let cents = h % 100_000;
        let secs = 1_600_000_000 + (h >> 20) % 100_000_000;
        let day = secs / 86_400;
        let (y, m, d) = civil(day as i64);
        writeln!(
            out,
            "{i},{customer},{}.{:02},{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{},user{}@example.com,{},{},{},{}",
            cents / 100,
            cents % 100,
            secs / 3600 % 24,
            secs / 60 % 60,
            secs % 60,
            statuses[(h >> 8) as usize % 5],
            h % 50_000,
            names[(h >> 12) as usize % names.len()],
            h & 1 == 0,
            if h % 10 < 3 { String::new() } else { format!("\"note, {}\"", h % 97) },
            (h % 10_000) as f64 / 7.0,
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// Days since 1970-01-01 to (year, month, day).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
