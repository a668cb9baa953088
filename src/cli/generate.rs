//! `understudy generate PROFILE -o TARGET`: synthetic rows into CSV, Parquet or PostgreSQL.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use crate::fingerprint::Fingerprint;
use crate::generate::{EdgeCases, EdgeKind, Generator, Request};
use crate::manifest::{EdgeCaseRequest, Manifest, FILE_NAME};
use crate::profile::Profile;
use crate::run::generate::{generate_into, RunOptions, Shard, TableReport};
use crate::run::manifest::profile_hash;
use crate::sink::csv::CsvSink;
use crate::sink::parquet::ParquetSink;
use crate::sink::postgres::{existing_rows, ExistingRows, PostgresOptions, PostgresSink};
use crate::sink::Sink;

/// Generate synthetic rows shaped like a profile: parallel, deterministic for a seed, with
/// every key and constraint valid.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  understudy generate profiles/chinook.yaml -o out/ --format csv
  understudy generate profiles/chinook.yaml -o out/ -q
  understudy generate profiles/chinook.yaml -o out/ --format parquet --scale 10 --seed 7
  understudy generate profiles/chinook.yaml -o postgres://127.0.0.1/staging --truncate
  understudy generate schemas/shop.sql -o postgres://127.0.0.1/dev --create --rows 200
  understudy generate profiles/shop.yaml -o out/ --edge-cases 0.02 --edge-kinds emoji-zwj,feb-29

Directory targets get manifest.json; a Postgres target takes --manifest-table NAME.")]
pub struct GenerateArgs {
    /// The profile file (YAML) written by `understudy profile`, or a `.sql` DDL file (then
    /// values follow defaults from column names and types).
    profile: std::path::PathBuf,
    /// A directory (one file per table) or a `postgres://` URL.
    #[arg(short, long)]
    output: String,
    /// File format for a directory target.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Multiply every table's row count; lookup tables (`lookup: true` in the profile) keep
    /// theirs unless they reference a table that scales. `--scale 0` empties every table.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Pin a table's row count, e.g. `--rows orders=5000000`; repeatable. Wins over --scale.
    /// For a `.sql` input, a bare `--rows N` sets the rows of each table without a parent
    /// (default 1000); the others follow from default children per parent.
    #[arg(long = "rows", value_name = "TABLE=N|N", value_parser = parse_rows)]
    rows: Vec<(Option<String>, u64)>,
    /// Same seed, profile and row counts give byte-identical files.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores). Output does not depend on it.
    #[arg(long, value_parser = super::at_least_one)]
    threads: Option<u64>,
    /// Write only shard K of N (1-based), e.g. `3/8`. Shard outputs concatenated in order equal
    /// one whole run; only shard 1 writes CSV headers.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<Shard>,
    /// PostgreSQL: create the tables from the profile (in the same transaction as the load),
    /// with their identity and serial columns, defaults, generated columns and indexes;
    /// sequences are moved past the loaded keys.
    #[arg(long)]
    create: bool,
    /// PostgreSQL: empty the tables before loading.
    #[arg(long, conflicts_with = "append")]
    truncate: bool,
    /// PostgreSQL: add to tables that already hold rows. New keys continue after the ones there
    /// (integers after the largest; text codes and UUIDs after as many as there are rows).
    #[arg(long)]
    append: bool,
    /// PostgreSQL: the schema the tables are in.
    #[arg(long, default_value = "public")]
    schema: String,
    /// Write even into the snapshot the profile was learned from (the same database on the same
    /// server, or the source directory or one inside it). Refused by default: synthetic rows
    /// would replace the real ones.
    #[arg(long)]
    write_into_source: bool,
    /// Replace this share (0 to 1, e.g. 0.02) of each eligible column's values with stress
    /// values that stay valid for the column: max-length strings, combining marks, right-to-left
    /// text, emoji with ZWJ, zero-width characters, edge spaces, quotes and backslashes, empty
    /// strings, 29 February, DST changes, the epoch, the type's minimum and maximum, -0.0 and
    /// NaN. Keys, foreign keys and columns a check ties to another column are never touched.
    /// Every injected cell is listed in the manifest.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    edge_cases: Option<f64>,
    /// Only these edge-case kinds, comma-separated (default: all): max-length, combining, rtl,
    /// emoji-zwj, zero-width, edge-spaces, quotes, empty, feb-29, dst-gap, dst-overlap, epoch,
    /// min, max, negative-zero, nan.
    #[arg(
        long,
        value_name = "KIND,…",
        value_delimiter = ',',
        requires = "edge_cases",
        value_parser = parse_edge_kind
    )]
    edge_kinds: Vec<EdgeKind>,
    /// PostgreSQL: record the run's manifest as a row of this table (in --schema, created if
    /// missing), in the load's transaction. Directory targets always get `manifest.json`.
    #[arg(long, value_name = "NAME")]
    manifest_table: Option<String>,
    /// No progress bars, even on a terminal, and no summary: warnings and errors only.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Parquet,
}

fn parse_rows(s: &str) -> Result<(Option<String>, u64), String> {
    let (table, n) = match s.split_once('=') {
        Some((table, n)) => (Some(table.to_string()), n),
        None => (None, s),
    };
    let n = n
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{n:?} is not a row count (expected TABLE=N or N)"))?;
    Ok((table, n))
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{s:?} is not a share between 0 and 1 (e.g. 0.02)")),
    }
}

fn parse_edge_kind(s: &str) -> Result<EdgeKind, String> {
    EdgeKind::from_name(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = EdgeKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "{s:?} is not an edge-case kind; the kinds are {}",
            names.join(", ")
        )
    })
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N, got {s:?}"))?;
    let k: u64 = k
        .parse()
        .map_err(|_| format!("{k:?} is not a shard number"))?;
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{n:?} is not a shard count"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard {k}/{n}: K must be between 1 and N"));
    }
    Ok(Shard {
        index: k - 1,
        count: n,
    })
}

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    crate::run::interrupt::install().context("installing the SIGINT and SIGTERM handlers")?;
    let root_rows = args.rows.iter().rev().find(|r| r.0.is_none()).map(|r| r.1);
    let profile = super::read_profile_or_ddl(&args.profile, root_rows)?;
    let existing = if args.append && crate::pg::is_postgres(&args.output) {
        existing_rows(&args.output, &profile, &args.schema)
            .with_context(|| format!("reading what {} holds", target_name(&args.output)))?
    } else {
        BTreeMap::new()
    };
    let request = Request {
        seed: args.seed,
        scale: args.scale,
        rows: args
            .rows
            .iter()
            .filter_map(|(table, n)| Some((table.clone()?, *n)))
            .collect::<BTreeMap<_, _>>(),
        existing,
        edge_cases: args.edge_cases.map(|rate| EdgeCases {
            rate,
            kinds: args.edge_kinds.clone(),
        }),
    };
    let generator = Generator::new(&profile, &request)
        .with_context(|| format!("planning from {}", args.profile.display()))?;
    for warning in generator.warnings() {
        eprintln!("warning: {warning}");
    }
    let manifest = manifest_start(&args, &request)?;
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let sink: Box<dyn Sink> = if crate::pg::is_postgres(&args.output) {
        if args.shard.is_some() {
            bail!("--shard writes files; load shards into PostgreSQL from their CSV output");
        }
        let options = PostgresOptions {
            existing: match (args.truncate, args.append) {
                (true, _) => ExistingRows::Truncate,
                (_, true) => ExistingRows::Append,
                _ => ExistingRows::Refuse,
            },
            create: args.create,
            schema: args.schema.clone(),
            manifest_table: args.manifest_table.clone(),
        };
        let mut sink = PostgresSink::connect(&args.output)?;
        refuse_source(&profile, sink.fingerprint(), &args)?;
        sink.prepare(&generator, &options)?;
        Box::new(sink)
    } else {
        if args.create || args.truncate || args.append || args.manifest_table.is_some() {
            bail!(
                "--create, --truncate, --append and --manifest-table apply to a postgres:// \
                 target only"
            );
        }
        let dir = Path::new(&args.output);
        let target = Fingerprint::of_directory(dir)
            .with_context(|| format!("resolving the output directory {}", dir.display()))?;
        refuse_source(&profile, Some(target), &args)?;
        for stale in crate::sink::remove_stale_temp_files(dir)? {
            eprintln!(
                "removed {}, left by an earlier run that was killed",
                stale.display()
            );
        }
        match args.format {
            Format::Csv => Box::new(CsvSink::new(dir, shard.is_first())?),
            Format::Parquet => Box::new(ParquetSink::new(dir)?),
        }
    };
    let options = RunOptions {
        threads: args
            .threads
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        shard,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        manifest,
    };
    let (reports, manifest) = generate_into(&generator, sink, &options)
        .with_context(|| format!("generating into {}", target_name(&args.output)))?;
    if !args.quiet {
        print_summary(&reports, started.elapsed().as_secs_f64());
    }
    if args.edge_cases.is_some() && !args.quiet {
        let listed = match &args.manifest_table {
            _ if !crate::pg::is_postgres(&args.output) => {
                format!(
                    "listed in {}",
                    Path::new(&args.output).join(FILE_NAME).display()
                )
            }
            Some(table) => format!("listed in table {table}"),
            None => "not listed: add --manifest-table NAME to keep a manifest".into(),
        };
        eprintln!("injected {} edge cases, {listed}", manifest.injected.len());
    }
    Ok(())
}

/// The manifest's fields known before the run.
fn manifest_start(args: &GenerateArgs, request: &Request) -> anyhow::Result<Manifest> {
    let target = match args.format {
        _ if crate::pg::is_postgres(&args.output) => "postgres",
        Format::Csv => "csv",
        Format::Parquet => "parquet",
    };
    Ok(Manifest {
        understudy: env!("CARGO_PKG_VERSION").to_string(),
        seed: args.seed,
        profile: profile_hash(&args.profile)
            .with_context(|| format!("reading {}", args.profile.display()))?,
        target: target.to_string(),
        shard: args.shard.map(|s| format!("{}/{}", s.index + 1, s.count)),
        edge_cases: request.edge_cases.as_ref().map(|e| EdgeCaseRequest {
            rate: e.rate,
            kinds: match e.kinds.as_slice() {
                [] => EdgeKind::ALL.iter().map(|k| k.name().to_string()).collect(),
                kinds => kinds.iter().map(|k| k.name().to_string()).collect(),
            },
        }),
        ..Manifest::default()
    })
}

/// Fails when the target is the profile's own source, unless `--write-into-source` allows it.
fn refuse_source(
    profile: &Profile,
    target: Option<Fingerprint>,
    args: &GenerateArgs,
) -> anyhow::Result<()> {
    let source = profile
        .source
        .fingerprint
        .as_deref()
        .and_then(Fingerprint::parse);
    let (Some(source), Some(target)) = (source, target) else {
        return Ok(());
    };
    if args.write_into_source || !source.contains(&target) {
        return Ok(());
    }
    let place = match &source {
        Fingerprint::Postgres { .. } => "the database",
        Fingerprint::Directory(_) => "in the directory",
    };
    bail!(
        "refusing to write into {}: it is {place} that {} was profiled from ({source}); \
         synthetic rows would replace the real ones. Choose another target, or pass \
         --write-into-source if that is what you want",
        target_name(&args.output),
        args.profile.display()
    )
}

fn target_name(output: &str) -> String {
    if !crate::pg::is_postgres(output) {
        return output.to_string();
    }
    match crate::pg::config(output) {
        Ok(config) => crate::pg::display(&config),
        Err(_) => crate::pg::redact(output),
    }
}

/// One line per table and a total, on stderr: rows, bytes, time, rows/s.
fn print_summary(reports: &[TableReport], total_seconds: f64) {
    for r in reports {
        let seconds = r.elapsed.as_secs_f64();
        eprintln!(
            "{:>24}  {:>12} rows  {:>10}  {:>7.2}s  {:>12.0} rows/s",
            r.table,
            r.rows,
            human_bytes(r.bytes),
            seconds,
            r.rows as f64 / seconds.max(1e-9)
        );
    }
    let rows: u64 = reports.iter().map(|r| r.rows).sum();
    let bytes: u64 = reports.iter().map(|r| r.bytes).sum();
    eprintln!(
        "generated {rows} rows, {} in {total_seconds:.2}s: {:.0} rows/s, {:.1} MB/s",
        human_bytes(bytes),
        rows as f64 / total_seconds.max(1e-9),
        bytes as f64 / 1e6 / total_seconds.max(1e-9)
    );
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
