//! `understudy audit PROFILE`: list every literal the profile holds and why it was allowed;
//! exit 1 if any breaks the privacy rules, so a compliance gate can run it in CI.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use crate::profile::audit::{audit, lookup_tables, Audit, Literal};

/// List every literal value a profile holds (frequent values, category combinations, text
/// shapes, lookup table values, email domains and phone country codes), why the privacy guard
/// allowed it, and which break the rules: fewer than k rows, a column of personal data, a value
/// that looks like personal data. Exits 1 if any does.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  understudy audit profiles/chinook.yaml
  understudy audit profiles/chinook.yaml --json > audit.json

Exit codes: 0 no literal breaks the rules, 1 one does (or the file can't be read), 2 usage.")]
pub struct AuditArgs {
    /// The profile file to audit.
    profile: PathBuf,
    /// Print the audit as JSON (`min_count`, `violations`, and per literal `table`, `column`,
    /// `kind`, `value`, `share`, `rows`, `allowed`, `problems`) instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    let profile = super::read_profile(&args.profile)?;
    let text = std::fs::read_to_string(&args.profile)
        .with_context(|| format!("reading {}", args.profile.display()))?;
    let result = audit(&profile, &lookup_tables(&text));
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&result)?)?;
    } else {
        print_table(&result, &mut out)?;
    }
    if result.violations > 0 {
        bail!(
            "{} of {} literals in {} break the privacy rules",
            result.violations,
            result.literals.len(),
            args.profile.display()
        );
    }
    eprintln!(
        "{} literals in {}, none breaks the privacy rules (k = {})",
        result.literals.len(),
        args.profile.display(),
        result.min_count
    );
    Ok(())
}

/// Tab-separated, one literal a line (a broken pipe ends it quietly, as `main` knows).
fn print_table(result: &Audit, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "table\tcolumn\tkind\tvalue\tshare\trows\tallowed\tproblems"
    )?;
    for l in &result.literals {
        writeln!(out, "{}", row(l))?;
    }
    Ok(())
}

fn row(l: &Literal) -> String {
    let verdict = if l.problems.is_empty() {
        "ok".to_string()
    } else {
        format!("VIOLATION: {}", l.problems.join("; "))
    };
    format!(
        "{}\t{}\t{}\t{:?}\t{}\t{:.1}\t{}\t{verdict}",
        l.table,
        l.column,
        l.kind,
        l.value,
        l.share,
        l.rows,
        if l.allowed.is_empty() {
            "-"
        } else {
            &l.allowed
        },
    )
}
