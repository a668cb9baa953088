//! `understudy audit`: every literal value a profile holds, why it was allowed, and what breaks
//! the privacy rules, so a compliance gate can read one list instead of a YAML file.
//!
//! Literals live in three places: a column's frequent values, a category group's combinations,
//! and text shapes (which by construction hold no letters or digits of a value: `Aa9` classes
//! only, so a shape with any other letter or digit was edited in). A literal breaks the rules
//! when it stands for fewer than `k` rows by its share, sits in a column marked as personal
//! data, or itself looks like personal data ([`pii::detect`]). Its reason to be there is the
//! guard (`k` entities, or `k` rows in a table without owner), the user's `overrides:` (values
//! pinned by hand, or a column the user declared not personal), or a lookup table.
//!
//! The audit reads only the profile: it cannot recount entities, so it trusts
//! `privacy.entities` for that and reports profiles made without it.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_norway::Value;

use super::model::{ColumnStats, Profile, TableProfile};
use super::pii;
use super::textmodel::TextModel;

/// One literal and the verdict on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Literal {
    pub table: String,
    /// The column, or the group's columns joined by `, `.
    pub column: String,
    /// `frequent`, `combination` or `shape`.
    pub kind: &'static str,
    pub value: String,
    pub share: f64,
    /// Rows the share stands for (of the profiled rows).
    pub rows: f64,
    /// Why it may be in the profile; empty when nothing allows it.
    pub allowed: String,
    /// The rules it breaks.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub min_count: u64,
    pub literals: Vec<Literal>,
    /// Literals that break a rule.
    pub violations: usize,
}

/// Audits `profile`; `lookup` names the tables marked as lookup tables (values kept as not
/// personal).
pub fn audit(profile: &Profile, lookup: &BTreeSet<String>) -> Audit {
    let k = profile.privacy.min_count;
    let mut literals = Vec::new();
    for table in &profile.tables {
        let context = TableContext::new(profile, table, lookup);
        for stats in &table.column_stats {
            column_literals(&context, stats, &mut literals);
        }
        group_literals(&context, &mut literals);
    }
    let violations = literals.iter().filter(|l| !l.problems.is_empty()).count();
    Audit {
        min_count: k,
        literals,
        violations,
    }
}

/// What every literal of one table is judged against.
struct TableContext<'a> {
    profile: &'a Profile,
    table: &'a TableProfile,
    rows: f64,
    lookup: bool,
    /// The table's rows belong to an owner whose entities were not counted.
    uncounted: bool,
}

impl<'a> TableContext<'a> {
    fn new(profile: &'a Profile, table: &'a TableProfile, lookup: &BTreeSet<String>) -> Self {
        TableContext {
            profile,
            table,
            rows: table.sampled_rows.unwrap_or(table.row_count) as f64,
            lookup: lookup.contains(&table.schema.name),
            uncounted: !profile.privacy.entities
                && profile.source.kind != "ddl"
                && !table.schema.foreign_keys.is_empty(),
        }
    }

    /// The user's override of `field` in the column's `stats`, if any.
    fn user_set(&self, column: &str, field: &str) -> Option<&'a Value> {
        self.profile
            .overrides
            .as_ref()?
            .get(&self.table.schema.name)?
            .get("columns")?
            .get(column)?
            .get("stats")?
            .get(field)
    }

    /// Why a literal counted `rows` times may be here, and what it breaks. `pinned` is true for
    /// values the user wrote; `columns` are the columns it lives in.
    fn judge(
        &self,
        value: &str,
        rows: f64,
        pinned: bool,
        columns: &[&ColumnStats],
    ) -> (String, Vec<String>) {
        let k = self.profile.privacy.min_count;
        // A part (an email's domain) lives in no column's values: nothing for a user to clear.
        let cleared = !columns.is_empty()
            && columns
                .iter()
                .all(|s| self.user_set(&s.column, "pii").is_some_and(Value::is_null));
        let mut problems = Vec::new();
        if !pinned && !self.lookup && rows.round() < k as f64 {
            problems.push(format!(
                "stands for about {rows:.1} rows, fewer than k = {k}"
            ));
        }
        if !pinned && !self.lookup && self.uncounted {
            problems.push(
                "entities were not counted (a profile from before understudy counted them; \
                 profile again)"
                    .into(),
            );
        }
        for s in columns {
            if let Some(reason) = &s.pii {
                problems.push(format!("column {} is personal data ({reason})", s.column));
            }
        }
        // Free text is personal for what it may say about one person; a kept value is a
        // lookup table's label (three words make a product's name) or, where entities were
        // counted, a phrase `k` entities share (`Oriole Park at Camden Yards`), which says
        // nothing about one of them.
        let counted = self.lookup || !self.uncounted;
        let phrase = |kind: &pii::Kind| counted && *kind == pii::Kind::FreeText;
        if let Some(kind) = pii::detect(value).filter(|k| !cleared && !phrase(k)) {
            problems.push(format!("the value looks like {}", kind.describe()));
        }
        let allowed = if pinned {
            "user override (value written in overrides:)".to_string()
        } else if self.lookup {
            "lookup table".to_string()
        } else if cleared {
            format!("user override (column declared not personal); frequent with >= {k} entities")
        } else if self.uncounted {
            String::new()
        } else {
            format!("frequent with >= {k} entities")
        };
        (allowed, problems)
    }
}

fn column_literals(context: &TableContext, stats: &ColumnStats, out: &mut Vec<Literal>) {
    let present = context.rows * (1.0 - stats.null_rate);
    let pinned = context.user_set(&stats.column, "frequent").is_some();
    for f in &stats.frequent {
        let rows = f.share * present;
        let (allowed, problems) = context.judge(&f.value, rows, pinned, &[stats]);
        out.push(Literal {
            table: context.table.schema.name.clone(),
            column: stats.column.clone(),
            kind: "frequent",
            value: f.value.clone(),
            share: f.share,
            rows,
            allowed,
            problems,
        });
    }
    model_literals(context, stats, present, out);
    for shape in stats.text.iter().flat_map(|t| &t.shapes) {
        let foreign = shape
            .value
            .chars()
            .any(|c| c.is_alphanumeric() && !matches!(c, 'A' | 'a' | '9'));
        if foreign {
            out.push(Literal {
                table: context.table.schema.name.clone(),
                column: stats.column.clone(),
                kind: "shape",
                value: shape.value.clone(),
                share: shape.share,
                rows: shape.share * present,
                allowed: String::new(),
                problems: vec![
                    "a shape holds only A, a, 9 and punctuation; this one holds a value's letters or digits"
                        .into(),
                ],
            });
        }
    }
}

/// The literals a column's text model holds: a lookup table's values, and the email domains
/// and phone country codes of a format.
fn model_literals(
    context: &TableContext,
    stats: &ColumnStats,
    present: f64,
    out: &mut Vec<Literal>,
) {
    let pinned = context.user_set(&stats.column, "model").is_some();
    // A part (an email's domain) is no value of its column: the column being personal data
    // does not make a domain a hundred people share personal.
    let mut push = |kind: &'static str, value: &str, share: f64, rows: f64| {
        let columns = if kind == "format part" {
            &[][..]
        } else {
            &[stats][..]
        };
        let (allowed, problems) = context.judge(value, rows, pinned, columns);
        out.push(Literal {
            table: context.table.schema.name.clone(),
            column: stats.column.clone(),
            kind,
            value: value.to_string(),
            share,
            rows,
            allowed,
            problems,
        });
    };
    match &stats.model {
        Some(TextModel::Lookup { values }) => {
            let share = 1.0 / values.len().max(1) as f64;
            for value in values.iter().flatten() {
                push("lookup value", value, share, 1.0);
            }
        }
        Some(TextModel::Format { parts, .. }) => {
            for part in parts {
                push("format part", &part.value, part.share, part.share * present);
            }
        }
        _ => {}
    }
}

fn group_literals(context: &TableContext, out: &mut Vec<Literal>) {
    for group in &context.table.groups {
        let columns: Vec<&ColumnStats> = group
            .columns
            .iter()
            .filter_map(|c| context.table.stats(c))
            .collect();
        for combination in &group.combinations {
            let rows = combination.share * context.rows;
            let mut verdict = (String::new(), Vec::new());
            for (value, stats) in combination.values.iter().zip(&columns) {
                let (allowed, problems) =
                    context.judge(value.as_deref().unwrap_or(""), rows, false, &[stats]);
                verdict.0 = allowed;
                verdict.1.extend(problems);
            }
            verdict.1.dedup();
            out.push(Literal {
                table: context.table.schema.name.clone(),
                column: group.columns.join(", "),
                kind: "combination",
                value: combination
                    .values
                    .iter()
                    .map(|v| v.as_deref().unwrap_or("NULL"))
                    .collect::<Vec<_>>()
                    .join(" | "),
                share: combination.share,
                rows,
                allowed: verdict.0,
                problems: verdict.1,
            });
        }
    }
}

/// Tables a profile's text marks as lookup tables (`lookup: true` or a reason, on the table),
/// read from the document itself so that the audit needs no field the model lacks.
pub fn lookup_tables(text: &str) -> BTreeSet<String> {
    let Ok(tree) = serde_norway::from_str::<Value>(text) else {
        return BTreeSet::new();
    };
    tree.get("tables")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter(|t| {
            t.get("lookup")
                .is_some_and(|l| l.as_bool().unwrap_or(false) || l.as_str().is_some())
        })
        .filter_map(|t| t.get("name")?.as_str().map(String::from))
        .collect()
}
