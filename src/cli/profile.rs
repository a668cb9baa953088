//! `understudy profile SOURCE -o FILE`: learn a snapshot's shape and write the profile.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;

use super::SourceArgs;
use crate::run::profile::{opaque_columns, profile_source, ProfileOptions};

/// Learn a snapshot's shape: schema, keys, column statistics and fan-out, into a profile file.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  understudy profile postgres://127.0.0.1/shop -o profiles/shop.yaml
  understudy profile ./snapshot-parquet/ -o shop.yaml --sample 1000000 --min-count 10
  understudy profile ./export/ -o shop.yaml --format csv --delimiter tab --null-string '\\N'
  understudy profile postgres://127.0.0.1/shop -o shop.yaml --epsilon 1 --no-lookup-values
  understudy profile schemas/shop.sql -o profiles/shop.yaml --rows 1000
  understudy profile ./export/ -o shop.yaml -q

Profiling into an existing file keeps its `overrides:` section (README: The profile file).")]
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
    /// Keep a literal value only if at least this many distinct entities carry it: root rows
    /// through each table's owning foreign key (a customer with seven invoices counts once), or
    /// rows in a table without one (the privacy guard; at least 1). Columns found to hold
    /// personal data keep no literals at all.
    #[arg(long, default_value_t = 5, value_name = "K", value_parser = super::at_least_one)]
    min_count: u64,
    /// Add differential-privacy noise: Laplace noise on row counts, null counts, the counts behind
    /// frequent values and category combinations, and histograms, with this privacy budget per
    /// table (smaller is more private and less faithful; 1 is a common choice). The profile
    /// records the budget and how it was split. Quantiles and the schema are not noised.
    #[arg(long, value_name = "E", value_parser = positive)]
    epsilon: Option<f64>,
    /// Seed of the `--epsilon` noise, to repeat a run exactly. Default: a fresh random seed.
    /// It is not written into the profile: keep it secret, since it lets anyone remove the noise.
    #[arg(long, value_name = "N", requires = "epsilon")]
    seed: Option<u64>,
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
    /// Print only warnings and errors, not the summary line.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: ProfileArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let source = args.source.open()?;
    let previous = std::fs::read_to_string(&args.output)
        .ok()
        .and_then(|old| crate::profile::file::overrides_section(&old));
    let options = ProfileOptions {
        min_count: args.min_count,
        sample: args.sample,
        pii: previous
            .as_deref()
            .map(crate::profile::file::pii_decisions)
            .unwrap_or_default(),
        noise: args.epsilon.map(|epsilon| crate::profile::noise::Noise {
            epsilon,
            seed: args.seed.unwrap_or_else(rand::random),
        }),
        lookup_values: !args.no_lookup_values,
    };
    if source.kind() == "ddl" && args.epsilon.is_some() {
        bail!("--epsilon applies to a snapshot; a profile made from a .sql file holds no data");
    }
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
    let yaml = carry_over_overrides(&args.output, crate::profile::to_yaml(&profile), args.quiet);
    if args.output.as_os_str() == "-" {
        super::print_out(&yaml)?;
    } else {
        crate::run::write_atomically(&args.output, yaml.as_bytes())
            .with_context(|| format!("writing {}", args.output.display()))?;
    }
    let rows: u64 = profile
        .tables
        .iter()
        .map(|t| t.sampled_rows.unwrap_or(t.row_count))
        .sum();
    if args.quiet {
        return Ok(());
    }
    eprintln!(
        "profiled {} tables, {rows} rows from {} in {:.2}s",
        profile.tables.len(),
        source.describe(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A number above zero (`--epsilon`).
fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(e) if e > 0.0 && e.is_finite() => Ok(e),
        Ok(_) => Err("must be a number above 0".into()),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
}

/// The new profile with the `overrides:` section of the file it replaces, kept verbatim: the
/// team's hand edits outlive the refresh. An override that no longer fits the snapshot is kept
/// too, with a warning that names it, so nothing the user wrote is lost.
fn carry_over_overrides(output: &std::path::Path, yaml: String, quiet: bool) -> String {
    let Ok(old) = std::fs::read_to_string(output) else {
        return yaml;
    };
    let Some(section) = crate::profile::file::overrides_section(&old) else {
        return yaml;
    };
    let combined = format!("{yaml}{section}");
    match crate::profile::from_yaml(&combined) {
        Ok(_) if quiet => {}
        Ok(_) => eprintln!("kept the overrides section of {}", output.display()),
        Err(e) => eprintln!(
            "warning: kept the overrides section of {}, but it no longer fits the snapshot: \
             {e}. Fix or remove that override before generating.",
            output.display()
        ),
    }
    combined
}
