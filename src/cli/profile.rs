//! `understudy profile SOURCE -o FILE`: learn a snapshot's shape and write the profile.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::SourceArgs;
use crate::run::profile::{opaque_columns, profile_source, ProfileOptions};

/// Learn a snapshot's shape: schema, keys, column statistics and fan-out, into a profile file.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// The profile file to write (YAML); `-` for standard output.
    #[arg(short, long)]
    output: PathBuf,
    /// Profile a uniform sample of about N rows per table instead of every row. Faster on large
    /// tables; rare values and extremes may then be missed.
    #[arg(long, value_name = "N", value_parser = super::at_least_one)]
    sample: Option<u64>,
    /// Keep a literal value only if it occurs at least this many times (the privacy guard; at
    /// least 1).
    #[arg(long, default_value_t = 5, value_name = "K", value_parser = super::at_least_one)]
    min_count: u64,
}

pub fn run(args: ProfileArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let source = args.source.open()?;
    let options = ProfileOptions {
        min_count: args.min_count,
        sample: args.sample,
    };
    let profile = profile_source(source.as_ref(), &options)
        .with_context(|| format!("profiling {}", source.describe()))?;
    for warning in opaque_columns(&profile) {
        eprintln!("warning: {warning}");
    }
    let yaml = crate::profile::to_yaml(&profile);
    if args.output.as_os_str() == "-" {
        print!("{yaml}");
    } else {
        crate::run::write_atomically(&args.output, yaml.as_bytes())
            .with_context(|| format!("writing {}", args.output.display()))?;
    }
    let rows: u64 = profile
        .tables
        .iter()
        .map(|t| t.sampled_rows.unwrap_or(t.row_count))
        .sum();
    eprintln!(
        "profiled {} tables, {rows} rows from {} in {:.2}s",
        profile.tables.len(),
        source.describe(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
