//! Drift between two profiles (say two quarterly snapshots): tables and columns added or
//! removed, type and key changes, and the same column distances as a data comparison, computed
//! from the statistics each profile holds.

use super::column::{self, SampleFigures, Side};
use super::data::{empty_table, fan_out_report};
use super::report::{Presence, Report, TableReport};
use crate::profile::{Profile, TableProfile};

pub fn compare(a: &Profile, b: &Profile, a_name: String, b_name: String) -> Report {
    let lookups: Vec<String> = (a.tables.iter())
        .filter(|t| t.lookup)
        .map(|t| t.schema.name.clone())
        .collect();
    let mut tables: Vec<TableReport> = a
        .tables
        .iter()
        .map(|ta| match b.table(&ta.schema.name) {
            Some(tb) => compare_table(ta, tb, &lookups),
            None => TableReport {
                presence: Presence::MissingInSynthetic,
                rows_real: ta.row_count,
                columns: sides(ta).iter().map(column::missing).collect(),
                changes: vec![format!("table {} removed", ta.schema.name)],
                ..empty_table(&ta.schema.name)
            },
        })
        .collect();
    for tb in &b.tables {
        if a.table(&tb.schema.name).is_none() {
            tables.push(TableReport {
                presence: Presence::OnlyInSynthetic,
                rows_synthetic: tb.row_count,
                changes: vec![format!("table {} added", tb.schema.name)],
                ..empty_table(&tb.schema.name)
            });
        }
    }
    Report::new("profiles", a_name, b_name, tables)
}

fn sides(t: &TableProfile) -> Vec<Side<'_>> {
    t.schema
        .columns
        .iter()
        .filter_map(|c| {
            Some(Side {
                column: c,
                stats: t.stats(&c.name)?,
                rows: t.row_count,
            })
        })
        .collect()
}

/// `lookups`: the tables of `a` whose rows keep their real keys.
fn compare_table(a: &TableProfile, b: &TableProfile, lookups: &[String]) -> TableReport {
    let (sa, sb) = (sides(a), sides(b));
    let mut changes = Vec::new();
    let mut columns = Vec::new();
    for x in &sa {
        match sb.iter().find(|y| y.column.name == x.column.name) {
            Some(y) => {
                if x.column.source_type != y.column.source_type
                    || x.column.logical != y.column.logical
                {
                    changes.push(format!(
                        "column {} changed type: {} → {}",
                        x.column.name, x.column.source_type, y.column.source_type
                    ));
                }
                if x.column.nullable != y.column.nullable {
                    changes.push(format!(
                        "column {} is {} nullable",
                        x.column.name,
                        if y.column.nullable {
                            "now"
                        } else {
                            "no longer"
                        }
                    ));
                }
                let mut report = if a.schema.in_any_key(&x.column.name) {
                    let lookup_row = column::names_a_lookup_row(&a.schema, &x.column.name, lookups);
                    column::compare_key(x, y, lookup_row)
                } else {
                    column::compare(x, y, &SampleFigures::default())
                };
                if x.column.logical != y.column.logical && report.presence == Presence::Both {
                    report.presence = Presence::TypeChanged(format!(
                        "{} → {}",
                        x.column.source_type, y.column.source_type
                    ));
                    report.distance = 1.0;
                    report.main_figure = "type".into();
                }
                columns.push(report);
            }
            None => {
                changes.push(format!("column {} removed", x.column.name));
                columns.push(column::missing(x));
            }
        }
    }
    for y in &sb {
        if !sa.iter().any(|x| x.column.name == y.column.name) {
            changes.push(format!("column {} added", y.column.name));
            columns.push(column::extra(y));
        }
    }
    if a.schema.primary_key != b.schema.primary_key {
        changes.push(format!(
            "primary key changed: ({}) → ({})",
            a.schema.primary_key.join(", "),
            b.schema.primary_key.join(", ")
        ));
    }
    let mut foreign_keys = Vec::new();
    for fk in &a.schema.foreign_keys {
        let Some(other) = b
            .schema
            .foreign_keys
            .iter()
            .find(|f| f.columns == fk.columns)
        else {
            changes.push(format!("foreign key ({}) removed", fk.columns.join(", ")));
            continue;
        };
        if other.references != fk.references {
            changes.push(format!(
                "foreign key ({}) now references {}",
                fk.columns.join(", "),
                other.references.table
            ));
        }
        if let (Some(x), Some(y)) = (a.fk_stats(&fk.columns), b.fk_stats(&fk.columns)) {
            foreign_keys.push(fan_out_report(
                fk,
                &x.children_per_parent,
                &y.children_per_parent,
            ));
        }
    }
    for fk in &b.schema.foreign_keys {
        if !a
            .schema
            .foreign_keys
            .iter()
            .any(|f| f.columns == fk.columns)
        {
            changes.push(format!("foreign key ({}) added", fk.columns.join(", ")));
        }
    }
    TableReport {
        rows_real: a.row_count,
        rows_synthetic: b.row_count,
        columns,
        foreign_keys,
        changes,
        ..empty_table(&a.schema.name)
    }
}
