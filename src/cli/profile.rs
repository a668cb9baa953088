//! `understudy profile SOURCE -o FILE`: learn a snapshot's shape and write the profile.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
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
    /// Don't keep the real values of lookup tables. By default a small table (at most 1,000
    /// rows) that other tables reference and that holds no personal data (genres, countries,
    /// statuses) keeps its text values, marked `lookup: true` in the profile; with this flag
    /// its values are described by statistics like any other table's.
    #[arg(long)]
    no_lookup_values: bool,
    /// For a `.sql` source: rows in each table without a parent (others follow from default
    /// children per parent). The profile then holds defaults from names and types, no data.
    #[arg(long, value_name = "N")]
    rows: Option<u64>,
}

pub fn run(args: ProfileArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let source = args.source.open()?;
    let options = ProfileOptions {
        min_count: args.min_count,
        sample: args.sample,
        lookup_values: !args.no_lookup_values,
    };
    let profile = if source.kind() == "ddl" {
        let rows = args.rows.unwrap_or(super::DDL_ROWS);
        crate::generate::defaults::profile_from_schema(&source.schema()?, rows)
    } else if args.rows.is_some() {
        bail!("--rows applies to a .sql source; a snapshot's row counts are measured");
    } else {
        profile_source(source.as_ref(), &options)
            .with_context(|| format!("profiling {}", source.describe()))?
    };
    for warning in opaque_columns(&profile) {
        eprintln!("warning: {warning}");
    }
    let yaml = carry_over_overrides(&args.output, crate::profile::to_yaml(&profile));
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

/// The new profile with the `overrides:` section of the file it replaces, kept verbatim: the
/// team's hand edits outlive the refresh. An override that no longer fits the snapshot is kept
/// too, with a warning that names it, so nothing the user wrote is lost.
fn carry_over_overrides(output: &std::path::Path, yaml: String) -> String {
    let Ok(old) = std::fs::read_to_string(output) else {
        return yaml;
    };
    let Some(section) = crate::profile::file::overrides_section(&old) else {
        return yaml;
    };
    let combined = format!("{yaml}{section}");
    match crate::profile::from_yaml(&combined) {
        Ok(_) => eprintln!("kept the overrides section of {}", output.display()),
        Err(e) => eprintln!(
            "warning: kept the overrides section of {}, but it no longer fits the snapshot: \
             {e}. Fix or remove that override before generating.",
            output.display()
        ),
    }
    combined
}
