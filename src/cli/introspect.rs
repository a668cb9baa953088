//! `understudy introspect SOURCE`: print the schema, with declared or inferred keys.

use anyhow::Context;
use clap::Args;
use serde_json::{json, Value};

use super::SourceArgs;
use crate::run::profile::{profile_source, ProfileOptions};
use crate::schema::{PrimaryKeyEvidence, Schema, Table};

/// Print a snapshot's tables, columns, keys, foreign keys and checks. For CSV and Parquet the
/// keys are inferred from the data, which reads every file.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  understudy introspect postgres://127.0.0.1/shop --schema sales --schema public
  understudy introspect tests/data/chinook/csv
  understudy introspect ./export/ --format parquet --json")]
pub struct IntrospectArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: IntrospectArgs) -> anyhow::Result<()> {
    let source = args.source.open()?;
    let schema = if source.infers_keys() {
        profile_source(source.as_ref(), &ProfileOptions::default())
            .with_context(|| format!("reading {}", source.describe()))?
            .schema()
    } else {
        source.schema()?
    };
    if args.json {
        let json =
            serde_json::to_string_pretty(&schema_json(&schema)).expect("JSON values serialize");
        super::print_out(&(json + "\n"))?;
    } else {
        super::print_out(&render_text(&schema))?;
    }
    Ok(())
}

fn schema_json(schema: &Schema) -> Value {
    let tables: Vec<Value> = schema
        .tables
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "primary_key": t.primary_key,
                "primary_key_inferred": t.primary_key_inferred,
                "primary_key_evidence": t.primary_key_evidence,
                "unique": t.unique,
                "foreign_keys": t.foreign_keys.iter().map(|fk| json!({
                    "columns": fk.columns,
                    "references": {"table": fk.references.table, "columns": fk.references.columns},
                    "inferred": fk.inferred,
                    "evidence": fk.evidence,
                })).collect::<Vec<_>>(),
                "checks": t.checks.iter().map(|c| json!({"name": c.name, "expression": c.expression})).collect::<Vec<_>>(),
                "partitioning": t.partitioning,
                "columns": t.columns.iter().map(|c| json!({
                    "name": c.name,
                    "type": c.source_type,
                    "logical": c.logical,
                    "nullable": c.nullable,
                    "generated": c.generated,
                    "domain_checks": c.domain_checks,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "tables": tables })
}

fn render_text(schema: &Schema) -> String {
    let mut out = String::new();
    for table in &schema.tables {
        out.push_str(&render_table(table));
        out.push('\n');
    }
    out
}

/// Why a primary key was chosen, in words.
fn key_evidence(e: &PrimaryKeyEvidence) -> String {
    let mut parts = vec![format!("score {:.2}", e.score)];
    if !e.referenced_by.is_empty() {
        parts.push(format!("referenced by {}", e.referenced_by.join(", ")));
    }
    if !e.alternatives.is_empty() {
        let others: Vec<String> = e.alternatives.iter().map(|a| a.join("+")).collect();
        parts.push(format!("preferred to {}", others.join(", ")));
    }
    parts.join("; ")
}

fn render_table(t: &Table) -> String {
    let mut out = format!("{}\n", t.name);
    if let Some(p) = &t.partitioning {
        out.push_str(&format!(
            "  partitioned by {} into {}\n",
            p.key,
            p.partitions
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let width = t
        .columns
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .max(6);
    let type_width = t
        .columns
        .iter()
        .map(|c| c.source_type.len())
        .max()
        .unwrap_or(0)
        .max(4);
    out.push_str(&format!(
        "  {:width$}  {:type_width$}  null  notes\n",
        "column", "type"
    ));
    for c in &t.columns {
        let mut notes = Vec::new();
        if t.primary_key.contains(&c.name) {
            notes.push(if t.primary_key_inferred {
                "PK (inferred)".to_string()
            } else {
                "PK".to_string()
            });
        }
        for fk in t
            .foreign_keys
            .iter()
            .filter(|fk| fk.columns.contains(&c.name))
        {
            let inferred = match (&fk.evidence, fk.inferred) {
                (Some(e), _) => format!(
                    " (inferred: {:.0} % of {} values contained, {:.1} % orphan rows, name {:.1}, \
                     specificity {:.2})",
                    e.containment * 100.0,
                    e.distinct,
                    e.orphan_share * 100.0,
                    e.name_score,
                    e.specificity
                ),
                (None, true) => " (inferred)".to_string(),
                (None, false) => String::new(),
            };
            notes.push(format!(
                "FK -> {}({}){inferred}",
                fk.references.table,
                fk.references.columns.join(", ")
            ));
        }
        if let Some(g) = c.generated {
            notes.push(format!("{g:?}").to_lowercase());
        }
        notes.extend(c.domain_checks.iter().map(|d| format!("check {d}")));
        let null = if c.nullable { "yes" } else { "no" };
        let line = format!(
            "  {:width$}  {:type_width$}  {null:4}  {}",
            c.name,
            c.source_type,
            notes.join("; ")
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if t.primary_key.len() > 1 {
        out.push_str(&format!("  primary key ({})\n", t.primary_key.join(", ")));
    }
    if let Some(e) = &t.primary_key_evidence {
        out.push_str(&format!("  primary key inferred: {}\n", key_evidence(e)));
    }
    for u in &t.unique {
        out.push_str(&format!("  unique ({})\n", u.join(", ")));
    }
    for c in &t.checks {
        out.push_str(&format!("  check {}: {}\n", c.name, c.expression));
    }
    out
}
