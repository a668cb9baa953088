//! A profile from a schema alone (a DDL file, no data): reviewable defaults instead of learned
//! statistics, so `generate` works for a developer who has only the DDL.
//!
//! It lives in `generate` because its defaults must respect exactly the limits generation
//! enforces (type ranges, CHECKs, partitions: [`super::plan::table_constraints`]) and the way
//! generation picks a table's driving foreign key. What it writes is an ordinary
//! [`Profile`]: names suggest roles (`email`, `price`, `created_at`…, see [`names`]), roles and
//! types give statistics ([`stats`]), and `--rows N` sets the size of the tables without
//! parents, with children per parent drawn from a heavy-tailed default.

mod names;
mod stats;

use std::collections::BTreeMap;

use super::checks::{partition_bound, partition_column, PartitionBound};
use super::columns::literal_text;
use super::plan::{table_constraints, TableLimits};
use crate::profile::model::{
    bucket_floor, round_share, ColumnStats, FanOut, ForeignKeyStats, OrderRule, PrivacySettings,
    Profile, SourceInfo, TableProfile,
};
use crate::profile::FORMAT_VERSION;
use crate::schema::{load_order, Column, LogicalType, Schema, Table};
use stats::{Span, NULL_RATE};

/// Whether a column's name says it holds email addresses, by the same rule the defaults use.
pub fn name_suggests_email(name: &str) -> bool {
    names::text_role(name, None) == names::Role::Email
}

/// Mean children per parent for a foreign key that is not unique.
pub const CHILDREN_PER_PARENT: u64 = 3;

/// Share of parents without children under the default fan-out.
const CHILDLESS: f64 = 0.1;

/// The profile `generate` would read for `schema` if it had learned nothing: `root_rows` rows
/// in every table without a parent, and children per parent from a heavy-tailed default.
pub fn profile_from_schema(schema: &Schema, root_rows: u64) -> Profile {
    let rows = row_counts(schema, root_rows);
    let index = |name: &str| schema.tables.iter().position(|t| t.name == name);
    let tables = schema
        .tables
        .iter()
        .zip(&rows)
        .map(|(table, &n)| {
            let parent_rows =
                |fk: &crate::schema::ForeignKey| index(&fk.references.table).map_or(0, |p| rows[p]);
            table_profile(table, n, &parent_rows)
        })
        .collect();
    Profile {
        format_version: FORMAT_VERSION,
        created_by: format!("understudy {}", env!("CARGO_PKG_VERSION")),
        source: SourceInfo {
            kind: "ddl".into(),
            sample_rows: None,
            fingerprint: None,
        },
        privacy: PrivacySettings::without_data(5),
        tables,
        overrides: None,
    }
}

/// Rows per table, parents first: `root_rows` for a table without a parent, its main parent's
/// rows times [`CHILDREN_PER_PARENT`] otherwise (once per parent for a one-to-one key), never
/// more than its keys can hold.
fn row_counts(schema: &Schema, root_rows: u64) -> Vec<u64> {
    let mut rows: Vec<Option<u64>> = vec![None; schema.tables.len()];
    for &t in &load_order(schema).tables {
        let table = &schema.tables[t];
        let parent = |name: &str| {
            schema
                .tables
                .iter()
                .position(|p| p.name == name)
                .and_then(|p| rows[p])
        };
        let n = match table
            .main_foreign_key(|_| true)
            .map(|m| &table.foreign_keys[m])
        {
            None => root_rows,
            Some(fk) => {
                let parents = parent(&fk.references.table).unwrap_or(root_rows);
                if table.is_key(&fk.columns) {
                    parents
                } else {
                    parents.saturating_mul(CHILDREN_PER_PARENT)
                }
            }
        };
        rows[t] = Some(n.min(key_capacity(table)));
    }
    rows.into_iter().map(|r| r.unwrap_or(root_rows)).collect()
}

/// How many rows the table's single-column keys of small types can tell apart.
fn key_capacity(table: &Table) -> u64 {
    let in_fk = |c: &str| {
        table
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.iter().any(|k| k == c))
    };
    std::iter::once(&table.primary_key)
        .chain(&table.unique)
        .filter(|key| key.len() == 1 && !in_fk(&key[0]))
        .filter_map(|key| table.column(&key[0]))
        .map(|c| match &c.logical {
            LogicalType::Int16 => i16::MAX as u64,
            LogicalType::Bool => 2,
            LogicalType::Enum { labels } => labels.len() as u64,
            LogicalType::Char { chars: n } | LogicalType::Text { max_chars: Some(n) } => {
                36u64.saturating_pow((*n).min(12))
            }
            _ => u64::MAX,
        })
        .min()
        .unwrap_or(u64::MAX)
}

fn table_profile(
    table: &Table,
    rows: u64,
    parent_rows: &dyn Fn(&crate::schema::ForeignKey) -> u64,
) -> TableProfile {
    let limits = table_constraints(table, &mut Vec::new());
    let rules = order_rules(table);
    let spans = rule_spans(table, &rules, &limits);
    let listed = list_partition_values(table);
    let column_stats: Vec<ColumnStats> = table
        .columns
        .iter()
        .map(|c| {
            let span = spans.get(&c.name).copied();
            let range = limits.column_range(c, None);
            match listed.as_ref().filter(|(key, _)| *key == c.name) {
                // In the key, but a partition's values, not a sequence: drawn from the list.
                Some((_, values)) => {
                    let mut stats = stats::value_stats(c, &range, rows, span);
                    stats.frequent = stats::equal_shares(values);
                    stats.distinct = values.len() as u64;
                    stats
                }
                None if table.in_any_key(&c.name) || limits.has_value_list(&c.name) => {
                    stats::key_stats(c)
                }
                None => stats::value_stats(c, &range, rows, span),
            }
        })
        .collect();
    let foreign_key_stats = table
        .foreign_keys
        .iter()
        .map(|fk| {
            let nullable = fk
                .columns
                .iter()
                .all(|c| table.column(c).is_some_and(|c| c.nullable));
            let one_to_one = table.is_key(&fk.columns);
            ForeignKeyStats {
                columns: fk.columns.clone(),
                null_rate: if nullable { NULL_RATE } else { 0.0 },
                children_per_parent: fan_out(parent_rows(fk), rows, one_to_one),
                differs_from: Vec::new(),
            }
        })
        .collect();
    TableProfile {
        schema: table.clone(),
        row_count: rows,
        sampled_rows: None,
        column_stats,
        foreign_key_stats,
        rules: rules.into_iter().map(|r| r.rule).collect(),
        ..TableProfile::default()
    }
}

/// The values a LIST-partitioned table's key takes in its partitions, so every row finds one.
/// (Ranges of numbers and dates are limits the generator already keeps to.)
fn list_partition_values(table: &Table) -> Option<(String, Vec<String>)> {
    let partitioning = table.partitioning.as_ref()?;
    let column = partition_column(&partitioning.key)?;
    let values: Vec<String> = partitioning
        .partitions
        .iter()
        .filter_map(|p| match partition_bound(&p.bound)? {
            PartitionBound::List(values) => Some(values),
            PartitionBound::Range { .. } => None,
        })
        .flatten()
        .map(|v| literal_text(&v))
        .collect();
    (!values.is_empty()).then_some((column, values))
}

/// Children per parent: one each for a one-to-one key; otherwise a tenth of parents childless
/// and the rest with `c` children at a share falling as 1/c² (a few parents with many), which
/// generation scales to the exact child count.
fn fan_out(parents: u64, children: u64, one_to_one: bool) -> FanOut {
    let mean = if parents == 0 {
        0.0
    } else {
        round_share(children as f64 / parents as f64)
    };
    if one_to_one {
        return FanOut {
            parents,
            mean,
            max: 1,
            zero_share: round_share(1.0 - mean.min(1.0)),
            histogram: BTreeMap::from([(1, children.min(parents))]),
        };
    }
    let weights: Vec<f64> = (1..=64u64).map(|c| 1.0 / (c * c) as f64).collect();
    let total: f64 = weights.iter().sum();
    let mut histogram: BTreeMap<u64, u64> = BTreeMap::new();
    histogram.insert(0, (CHILDLESS * parents as f64).round() as u64);
    for (c, w) in (1..=64u64).zip(&weights) {
        let n = ((1.0 - CHILDLESS) * w / total * parents as f64).round() as u64;
        if n > 0 {
            *histogram.entry(bucket_floor(c)).or_default() += n;
        }
    }
    histogram.retain(|_, n| *n > 0);
    if histogram.keys().all(|&c| c == 0) {
        histogram.insert(1, parents.max(1));
    }
    FanOut {
        parents,
        mean,
        max: histogram.keys().next_back().copied().unwrap_or(1),
        zero_share: CHILDLESS,
        histogram,
    }
}

/// An order rule with the widest gap it allows, in the columns' numeric form.
struct Rule {
    rule: OrderRule,
    max_gap: f64,
}

/// `created_* <= every later event` and `start_* <= end_*` (also `valid_from <= valid_to`,
/// `min_* <= max_*`), between value columns of the same type.
fn order_rules(table: &Table) -> Vec<Rule> {
    let ordered: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| c.logical.is_numeric() || c.logical.is_temporal())
        .filter(|c| !table.in_any_key(&c.name) && c.generated.is_none())
        .collect();
    let mut rules = Vec::new();
    for low in &ordered {
        for high in &ordered {
            if low.name == high.name || low.logical != high.logical {
                continue;
            }
            let temporal = low.logical.is_temporal() && low.logical != LogicalType::Time;
            let creation =
                temporal && names::is_creation(&low.name) && names::is_later_event(&high.name);
            if creation {
                rules.push(rule(low, high, 90.0 * stats::day_units(&low.logical), 2.0));
            } else if names::is_range_pair(&low.name, &high.name) {
                let widest = if temporal {
                    365.0 * stats::day_units(&low.logical)
                } else {
                    stats::number_span(high).hi - stats::number_span(low).lo
                };
                rules.push(rule(low, high, widest, 1.5));
            }
        }
    }
    rules
}

/// `low <= high` with a gap from 0 to `max_gap`, most gaps short (the gap at rank p is
/// `max_gap · p^power`).
fn rule(low: &Column, high: &Column, max_gap: f64, power: f64) -> Rule {
    let whole = !matches!(low.logical, LogicalType::Float32 | LogicalType::Float64);
    let gap = (0..=20)
        .map(|i| {
            let g = max_gap * (i as f64 / 20.0).powf(power);
            if whole {
                g.round()
            } else {
                g
            }
        })
        .collect();
    Rule {
        rule: OrderRule {
            low: low.name.clone(),
            high: high.name.clone(),
            strict: false,
            overlap: true,
            gap,
        },
        max_gap,
    }
}

/// The range of each rule's high column: from its low column's start to past its low
/// column's end by the widest gap, so an order never pushes a value out of its range.
fn rule_spans(table: &Table, rules: &[Rule], limits: &TableLimits) -> BTreeMap<String, Span> {
    let default_span = |c: &Column| {
        let span = if c.logical.is_temporal() {
            stats::temporal_span(c)
        } else {
            stats::number_span(c)
        };
        span.within(&limits.column_range(c, None))
    };
    let mut spans = BTreeMap::new();
    for r in rules {
        let (Some(low), Some(high)) = (table.column(&r.rule.low), table.column(&r.rule.high))
        else {
            continue;
        };
        let low_span = *spans
            .entry(low.name.clone())
            .or_insert_with(|| default_span(low));
        let own = default_span(high);
        let widened = Span {
            lo: low_span.lo,
            hi: own.hi.max(low_span.hi + r.max_gap),
            curve: low_span.curve,
        };
        spans.insert(
            high.name.clone(),
            widened.within(&limits.column_range(high, None)),
        );
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{ForeignKey, TableRef};

    fn table(name: &str, columns: Vec<Column>, pk: &[&str], fks: Vec<ForeignKey>) -> Table {
        Table {
            name: name.into(),
            columns,
            primary_key: pk.iter().map(|s| s.to_string()).collect(),
            foreign_keys: fks,
            ..Default::default()
        }
    }

    fn fk(column: &str, parent: &str, parent_column: &str) -> ForeignKey {
        ForeignKey {
            columns: vec![column.into()],
            references: TableRef {
                table: parent.into(),
                columns: vec![parent_column.into()],
            },
            inferred: false,
            evidence: None,
        }
    }

    #[test]
    fn roots_take_the_rows_and_children_follow_their_parents() {
        let schema = Schema {
            tables: vec![
                table(
                    "orders",
                    vec![
                        Column::new("id", LogicalType::Int32, false),
                        Column::new("customer_id", LogicalType::Int32, false),
                        Column::new("created_at", LogicalType::Timestamp, false),
                        Column::new("updated_at", LogicalType::Timestamp, true),
                    ],
                    &["id"],
                    vec![fk("customer_id", "customers", "id")],
                ),
                table(
                    "customers",
                    vec![
                        Column::new("id", LogicalType::Int16, false),
                        Column::new(
                            "email",
                            LogicalType::Text {
                                max_chars: Some(80),
                            },
                            false,
                        ),
                    ],
                    &["id"],
                    vec![],
                ),
            ],
        };
        let profile = profile_from_schema(&schema, 100_000);
        let customers = profile.table("customers").unwrap();
        assert_eq!(
            customers.row_count,
            i16::MAX as u64,
            "a smallint key caps the rows"
        );
        let orders = profile.table("orders").unwrap();
        assert_eq!(orders.row_count, 3 * i16::MAX as u64);
        assert_eq!(orders.rules.len(), 1);
        assert_eq!(
            (orders.rules[0].low.as_str(), orders.rules[0].high.as_str()),
            ("created_at", "updated_at")
        );
        let fan = &orders.foreign_key_stats[0].children_per_parent;
        assert_eq!(fan.zero_share, CHILDLESS);
        assert!(fan.max >= 32, "heavy tail: {fan:?}");
        let email = customers.stats("email").unwrap();
        assert_eq!(email.semantic, Some(crate::profile::Semantic::Email));
        assert!(email.pii.is_some());
    }
}
