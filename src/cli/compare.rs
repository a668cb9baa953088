//! `understudy compare REAL SYNTHETIC`: how close synthetic data is to the snapshot it
//! imitates (or, given two profiles, how far they drifted), as a terminal summary, a JSON
//! report, an HTML page, and a CI gate.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use super::{read_profile, SourceArgs};
use crate::compare::render::{pulled_down, render};
use crate::compare::Report;
use crate::run::compare::{compare_profiles, compare_sources, CompareOptions};

/// Compare real and synthetic data side by side (or two profiles, for drift), score the
/// likeness from 0 to 100, and fail a CI job when it drops.
///
/// REAL and SYNTHETIC are each a `postgres://` URL or a directory of CSV or Parquet files, in
/// any combination. Two `.yaml` profiles compare as drift between two snapshots.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  understudy compare tests/data/chinook/csv out/
  understudy compare postgres://127.0.0.1/prod_snapshot postgres://127.0.0.1/staging --html report.html
  understudy compare real/ synth/ --json fidelity.json --fail-under 85 -q
  understudy compare profiles/2026-q3.yaml profiles/2026-q4.yaml

The score is 100 × (0.4·columns + 0.2·pairs + 0.2·relationships + 0.2·validity); README says
what each sub-score averages. Exit codes: 0 ok, 1 failure or below --fail-under, 2 usage.")]
pub struct CompareArgs {
    /// The real snapshot (or the earlier profile).
    real: String,
    /// The synthetic data (or the later profile).
    synthetic: String,
    /// Take keys and foreign keys from this profile instead of the real side's declared or
    /// inferred ones (inferring them reads a CSV or Parquet real side one more time).
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// Write the full report as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML page with every figure and chart.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Exit 1 when the score is below this (after writing the reports).
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    fail_under: Option<f64>,
    /// Every column's figures, every rule and relationship, and the whole worst list.
    #[arg(long, short)]
    verbose: bool,
    /// No progress bar, even on a terminal, and no timing line: the report, warnings and
    /// errors only.
    #[arg(long, short)]
    quiet: bool,
    /// PostgreSQL schema to read on both sides; repeat for several.
    #[arg(long = "schema", default_value = "public")]
    schemas: Vec<String>,
    /// CSV field delimiter, for both sides: one ASCII character or an escape (`\t`, `\x1f`).
    #[arg(long, default_value = ",", value_parser = super::parse_delimiter)]
    delimiter: u8,
    /// Which files of a directory to read when it holds both `.csv` and `.parquet` files.
    #[arg(long = "format", value_enum)]
    format: Option<super::InputFormat>,
    /// In CSV, an unquoted field equal to this is NULL (both sides).
    #[arg(long, default_value = "")]
    null_string: String,
}

fn parse_score(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a score from 0 to 100")),
    }
}

fn is_profile(spec: &str) -> bool {
    let path = Path::new(spec);
    path.is_file()
        && matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        )
}

pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let report = match (is_profile(&args.real), is_profile(&args.synthetic)) {
        (true, true) => {
            let a = read_profile(Path::new(&args.real))?;
            let b = read_profile(Path::new(&args.synthetic))?;
            if !a.tables.iter().any(|t| b.table(&t.schema.name).is_some()) {
                bail!(
                    "{} and {} have no table in common",
                    args.real,
                    args.synthetic
                );
            }
            compare_profiles(&a, &b, args.real.clone(), args.synthetic.clone())
        }
        (false, false) => compare_data(&args)?,
        _ => bail!(
            "compare takes two sources or two profiles, not one of each ({} and {})",
            args.real,
            args.synthetic
        ),
    };
    if let Some(path) = &args.json {
        let json = serde_json::to_vec_pretty(&report).expect("a report is plain data");
        crate::run::write_atomically(path, &json)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        crate::run::write_atomically(path, crate::compare::html::render(&report).as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    super::print_out(&render(&report, args.verbose))?;
    if !args.quiet {
        eprintln!(
            "compared {} tables in {:.2}s",
            report.tables.len(),
            report.seconds
        );
    }
    gate(&report, args.fail_under)
}

fn compare_data(args: &CompareArgs) -> anyhow::Result<Report> {
    let open = |spec: &str| {
        SourceArgs {
            source: spec.to_string(),
            schemas: args.schemas.clone(),
            delimiter: args.delimiter,
            null_string: args.null_string.clone(),
            format: args.format,
        }
        .open()
    };
    let real = open(&args.real)?;
    let synthetic = open(&args.synthetic)?;
    let keys = args.profile.as_deref().map(read_profile).transpose()?;
    let options = CompareOptions {
        keys_from: keys.as_ref(),
        progress: !args.quiet && std::io::stderr().is_terminal(),
    };
    Ok(compare_sources(
        real.as_ref(),
        synthetic.as_ref(),
        &options,
    )?)
}

/// `--fail-under`: exit 1 below the threshold, saying which figures pulled the score down.
fn gate(report: &Report, fail_under: Option<f64>) -> anyhow::Result<()> {
    let Some(threshold) = fail_under else {
        return Ok(());
    };
    if report.score >= threshold {
        return Ok(());
    }
    eprintln!("what pulled the score down:\n{}", pulled_down(report, 10));
    bail!(
        "score {:.1} is below --fail-under {threshold}",
        report.score
    )
}
