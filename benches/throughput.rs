//! Throughput benchmarks.
//!
//! - `cargo bench --bench throughput -- profile [ROWS]` writes a CSV table of ROWS rows
//!   (default 5,000,000) with ten mixed columns (keys, a skewed foreign key, decimals,
//!   timestamps, categories, emails, accented names, booleans, a nullable note, floats) to a
//!   temporary directory, profiles it, and prints MB/s, rows/s and peak RSS.
//! - `cargo bench --bench throughput -- generate csv|parquet|postgres [ROWS]` profiles 100,000
//!   rows of that table, then generates ROWS rows (default 10,000,000) like them on all cores
//!   and prints rows/s, rows/s per core, MB/s and peak RSS. `postgres` loads into a fresh
//!   database on `UNDERSTUDY_BENCH_PG` (default `postgres://root@127.0.0.1:5432/test`), then
//!   loads the same rows from a CSV file with `psql \copy` for reference.
//! - `cargo bench --bench throughput -- compare [ROWS]` writes ROWS rows (default 5,000,000)
//!   of that table as the real side, profiles them, generates ROWS synthetic rows as CSV, then
//!   times only `compare_sources` (keys taken from the profile, so the real side is read
//!   once) and prints rows per side, seconds, rows/s (both sides), MB/s of CSV read, peak RSS,
//!   the score and the five worst figures. The comparison runs in a fresh child process (the
//!   hidden `compare-only REAL_DIR SYNTHETIC_DIR PROFILE` mode) so that its peak RSS is its
//!   own, not the profiler's or the generator's.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use understudy::generate::{Generator, Request};
use understudy::hashing::mix64;
use understudy::run::compare::{compare_sources, CompareOptions};
use understudy::run::generate::{generate_into, RunOptions, Shard};
use understudy::run::profile::{profile_source, ProfileOptions};
use understudy::sink::csv::CsvSink;
use understudy::sink::parquet::ParquetSink;
use understudy::sink::postgres::{ExistingRows, PostgresOptions, PostgresSink};
use understudy::sink::Sink;
use understudy::source::csv::{CsvOptions, CsvSource};

/// The same allocator as the binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: understudy::alloc::Allocator = understudy::alloc::Allocator;

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
        Some("generate") => {
            let target = args.get(1).map_or("csv", String::as_str);
            let rows = args
                .get(2)
                .and_then(|n| n.parse().ok())
                .unwrap_or(10_000_000u64);
            bench_generate(target, rows);
        }
        Some("compare") => {
            let rows = args
                .get(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(5_000_000u64);
            bench_compare(rows);
        }
        Some("compare-only") if args.len() == 4 => {
            compare_only(
                Path::new(&args[1]),
                Path::new(&args[2]),
                Path::new(&args[3]),
            );
        }
        Some(other) => {
            eprintln!(
                "unknown benchmark {other:?}; available: profile [ROWS], \
                 generate csv|parquet|postgres [ROWS], compare [ROWS]"
            );
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

fn bench_generate(target: &str, rows: u64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sample = dir.path().join("sample");
    std::fs::create_dir(&sample).unwrap();
    write_orders(&sample.join("orders.csv"), 100_000);
    let source = CsvSource::open(&sample, CsvOptions::default()).expect("the CSV opens");
    let profile = profile_source(&source, &ProfileOptions::default()).expect("profiling succeeds");
    let request = Request {
        rows: [("orders".to_string(), rows)].into(),
        ..Request::default()
    };
    let generator = Generator::new(&profile, &request).expect("the plan is feasible");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = RunOptions {
        threads,
        shard: Shard::WHOLE,
        progress: false,
        manifest: Default::default(),
    };
    let out = dir.path().join("out");
    let admin_url = std::env::var("UNDERSTUDY_BENCH_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into());
    let bench_url = format!("{}/understudy_bench", admin_url.rsplit_once('/').unwrap().0);
    let sink: Box<dyn Sink> = match target {
        "csv" => Box::new(CsvSink::new(&out, true).unwrap()),
        "parquet" => Box::new(ParquetSink::new(&out).unwrap()),
        "postgres" => {
            let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
            for statement in [
                "DROP DATABASE IF EXISTS understudy_bench",
                "CREATE DATABASE understudy_bench",
            ] {
                admin.batch_execute(statement).unwrap();
            }
            let options = PostgresOptions {
                existing: ExistingRows::Refuse,
                create: true,
                schema: "public".into(),
                manifest_table: None,
            };
            let mut sink = PostgresSink::connect(&bench_url).unwrap();
            sink.prepare(&generator, &options).unwrap();
            Box::new(sink)
        }
        other => panic!("unknown target {other:?}: csv, parquet or postgres"),
    };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let (reports, _) = generate_into(&generator, sink, &options).expect("generation succeeds");
    let secs = started.elapsed().as_secs_f64();
    let busy = (cpu_seconds() - cpu_before) / secs;
    let bytes: u64 = reports.iter().map(|r| r.bytes).sum();
    println!(
        "generate {target}: {rows} rows, {:.1} MB in {secs:.2}s = {:.0} rows/s ({:.0} rows/s per \
         core, {threads} cores, {busy:.2} cores busy), {:.1} MB/s; peak RSS {:.0} MB",
        bytes as f64 / 1e6,
        rows as f64 / secs,
        rows as f64 / secs / threads as f64,
        bytes as f64 / 1e6 / secs,
        peak_rss_mb()
    );
    if target == "postgres" {
        copy_reference(
            &generator,
            &options,
            &dir.path().join("csv"),
            &bench_url,
            rows,
            secs,
        );
    }
}

/// Real side: `rows` rows of the orders table; synthetic side: `rows` rows generated from its
/// profile. Both are written (and profiled and generated) here; the timed comparison runs in
/// a child process, see `compare_only`.
fn bench_compare(rows: u64) {
    // `tempdir` honours TMPDIR (std::env::temp_dir).
    let dir = tempfile::tempdir().expect("a temporary directory");
    let real = dir.path().join("real");
    let synthetic = dir.path().join("synthetic");
    std::fs::create_dir(&real).unwrap();

    let started = Instant::now();
    write_orders(&real.join("orders.csv"), rows);
    eprintln!(
        "wrote {rows} real rows, {:.1} MB in {:.1}s",
        dir_bytes(&real) as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let source = CsvSource::open(&real, CsvOptions::default()).expect("the CSV opens");
    let profile = profile_source(&source, &ProfileOptions::default()).expect("profiling succeeds");
    assert_eq!(profile.tables[0].row_count, rows);
    let profile_path = dir.path().join("profile.yaml");
    std::fs::write(&profile_path, understudy::profile::to_yaml(&profile)).unwrap();
    eprintln!(
        "profiled the real side in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let request = Request {
        rows: [("orders".to_string(), rows)].into(),
        ..Request::default()
    };
    let generator = Generator::new(&profile, &request).expect("the plan is feasible");
    let options = RunOptions {
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        shard: Shard::WHOLE,
        progress: false,
        manifest: Default::default(),
    };
    let sink = Box::new(CsvSink::new(&synthetic, true).unwrap());
    generate_into(&generator, sink, &options).expect("generation succeeds");
    drop(generator);
    eprintln!(
        "generated {rows} synthetic rows, {:.1} MB in {:.1}s; peak RSS of profile + generate \
         {:.0} MB",
        dir_bytes(&synthetic) as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        peak_rss_mb()
    );

    // VmHWM is a process-wide high-water mark, and profiling and generating above can set it
    // higher than the comparison ever goes. So the comparison runs in a fresh process of this
    // same binary, whose peak RSS covers only loading the profile, opening both sides and
    // `compare_sources` (plus the process's own baseline, printed beside it).
    let status = std::process::Command::new(std::env::current_exe().expect("the bench binary"))
        .arg("compare-only")
        .args([&real, &synthetic, &profile_path])
        .status()
        .expect("the bench binary re-runs itself");
    assert!(status.success(), "compare-only failed: {status}");
}

/// The timed part of `compare`: opens both CSV directories and compares them with keys from
/// the profile, in a process of its own so that the peak RSS printed is the comparison's.
fn compare_only(real: &Path, synthetic: &Path, profile_path: &Path) {
    let text = std::fs::read_to_string(profile_path).expect("the profile was written");
    let profile = understudy::profile::from_yaml(&text).expect("the profile parses");
    drop(text);
    let bytes = dir_bytes(real) + dir_bytes(synthetic);
    let rss_before = rss_mb();

    // Opening a CSV directory reads every file once to infer column types (as `understudy
    // compare` does too), so it is timed apart from the comparison itself.
    let started = Instant::now();
    let open = |dir: &Path| {
        understudy::source::open(
            dir.to_str().expect("a UTF-8 temporary path"),
            &CsvOptions::default(),
            &["public".into()],
            None,
        )
        .expect("the CSV opens")
    };
    let real_source = open(real);
    let synthetic_source = open(synthetic);
    let open_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let report = compare_sources(
        real_source.as_ref(),
        synthetic_source.as_ref(),
        &CompareOptions {
            keys_from: Some(&profile),
            progress: false,
        },
    )
    .expect("the comparison succeeds");
    let secs = started.elapsed().as_secs_f64();

    let table = &report.tables[0];
    let both = table.rows_real + table.rows_synthetic;
    println!(
        "compare: {} real + {} synthetic rows, {:.1} MB of CSV in {secs:.2}s = {:.0} rows/s \
         (both sides), {:.1} MB/s; peak RSS {:.0} MB (before opening the sources \
         {rss_before:.0} MB); opening both sides (type inference) took {open_secs:.2}s more",
        table.rows_real,
        table.rows_synthetic,
        bytes as f64 / 1e6,
        both as f64 / secs,
        bytes as f64 / 1e6 / secs,
        peak_rss_mb()
    );
    let s = &report.subscores;
    let sub = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
    println!(
        "score {:.2} (columns {}, pairs {}, relationships {}, validity {}); worst figures:",
        report.score,
        sub(s.columns),
        sub(s.pairs),
        sub(s.relationships),
        sub(s.validity)
    );
    let mut worst = String::new();
    understudy::compare::render::worst_table(
        &report.worst[..report.worst.len().min(5)],
        &mut worst,
    );
    print!("{worst}");
}

/// Total size of the files in `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("the directory exists")
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}

/// Loads the same rows from a pre-generated CSV file with `psql \copy`, for reference.
fn copy_reference(
    generator: &Generator,
    options: &RunOptions,
    dir: &std::path::Path,
    url: &str,
    rows: u64,
    understudy_secs: f64,
) {
    let sink = Box::new(CsvSink::new(dir, true).unwrap());
    generate_into(generator, sink, options).expect("generation succeeds");
    let file = dir.join("orders.csv");
    let psql = |command: &str| {
        let status = std::process::Command::new("psql")
            .args([url, "-q", "-v", "ON_ERROR_STOP=1", "-c", command])
            .status()
            .expect("psql runs");
        assert!(status.success(), "psql {command} failed");
    };
    psql("CREATE TABLE orders_copy (LIKE orders INCLUDING ALL)");
    let started = Instant::now();
    psql(&format!(
        "\\copy orders_copy FROM '{}' WITH (FORMAT csv, HEADER true)",
        file.display()
    ));
    let secs = started.elapsed().as_secs_f64();
    println!(
        "psql \\copy of the same rows from CSV: {secs:.2}s = {:.0} rows/s; understudy end to end \
         (generate + load) took {:.2}x the time of \\copy",
        rows as f64 / secs,
        understudy_secs / secs
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
        let date = understudy::temporal::format_date(day as i32);
        writeln!(
            out,
            "{i},{customer},{}.{:02},{date} {:02}:{:02}:{:02},{},user{}@example.com,{},{},{},{}",
            cents / 100,
            cents % 100,
            secs / 3600 % 24,
            secs / 60 % 60,
            secs % 60,
            statuses[(h >> 8) as usize % 5],
            h % 50_000,
            names[(h >> 12) as usize % names.len()],
            h & 1 == 0,
            if h % 10 < 3 {
                String::new()
            } else {
                format!("\"note, {}\"", h % 97)
            },
            (h % 10_000) as f64 / 7.0,
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// The process's peak resident set (VmHWM), in MB.
/// CPU time (user and system) of the whole process so far, in seconds, from `/proc/self/stat`
/// (0 where it cannot be read): over a timed span it says how many cores were kept busy.
fn cpu_seconds() -> f64 {
    let ticks_per_second = 100.0; // USER_HZ, fixed at 100 on Linux
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name (which may hold spaces) start after its `)`.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / ticks_per_second)
        })
        .unwrap_or(0.0)
}

fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

/// The process's current resident set (VmRSS), in MB.
fn rss_mb() -> f64 {
    status_mb("VmRSS:")
}

fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l.to_string())
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
