//! Keys learned from data: primary-key and foreign-key inference for sources that declare none
//! (CSV, Parquet), and the children-per-parent distribution of every foreign key.
//!
//! Inference is conservative, because a false foreign key would make `generate` invent a
//! relationship production doesn't have: a candidate needs a key-like name that matches the
//! parent's key, a compatible type, and containment (every child value is a parent key value),
//! which the caller checks with [`KeySet`] and [`FanOutAccumulator`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;

use super::model::{bucket_floor, round_share, ColumnStats, FanOut};
use crate::hashing::{combine, hash_bytes, mix64};
use crate::schema::{ForeignKey, LogicalType, Table, TableRef};

/// Per row, a fixed hash of the key formed by `arrays`, or `None` if any part is NULL (a
/// foreign key with a NULL part references nothing). Integers of any width hash alike, so an
/// `int16` child matches an `int64` parent.
pub fn key_hashes(arrays: &[ArrayRef]) -> Vec<Option<u64>> {
    let rows = arrays.first().map_or(0, |a| a.len());
    let parts: Vec<Vec<Option<u64>>> = arrays.iter().map(column_hashes).collect();
    (0..rows)
        .map(|r| {
            if parts.len() == 1 {
                parts[0][r]
            } else {
                parts
                    .iter()
                    .all(|p| p[r].is_some())
                    .then(|| combine(parts.iter().flat_map(|p| p[r])))
            }
        })
        .collect()
}

/// Per row, a fixed hash of the value (integers of any width alike), or `None` for NULL.
pub fn column_hashes(array: &ArrayRef) -> Vec<Option<u64>> {
    let as_type = |t: &DataType| cast(array, t).expect("every logical type casts to Int64 or Utf8");
    match array.data_type() {
        DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            let ints = as_type(&DataType::Int64);
            ints.as_primitive::<arrow::datatypes::Int64Type>()
                .iter()
                .map(|v| v.map(|v| mix64(v as u64)))
                .collect()
        }
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(|v| hash_bytes(v.as_bytes())))
            .collect(),
        _ => {
            let text = as_type(&DataType::Utf8);
            text.as_string::<i32>()
                .iter()
                .map(|v| v.map(|v| hash_bytes(v.as_bytes())))
                .collect()
        }
    }
}

/// Most distinct keys a key pass holds before it starts sampling keys by hash.
const MAX_KEYS: usize = 1 << 20;

/// Keeps the keys whose hash has its lowest `level` bits zero: a sample of key *values* (every
/// row of a kept value is kept), so fan-out and containment stay exact for the kept values and
/// memory stays bounded however large the table.
#[derive(Debug, Default, Clone, Copy)]
struct HashSample {
    level: u32,
}

impl HashSample {
    fn keeps(self, hash: u64) -> bool {
        hash.trailing_zeros() >= self.level
    }

    /// How many values each kept value stands for.
    fn weight(self) -> u64 {
        1 << self.level
    }
}

/// The set of key values of a parent table, by hash.
#[derive(Debug, Default)]
pub struct KeySet {
    hashes: HashSet<u64>,
    sample: HashSample,
    /// Rows whose (kept) key value was seen before.
    duplicates: u64,
    /// Rows with a NULL in some part of the key.
    nulls: u64,
}

impl KeySet {
    pub fn observe(&mut self, arrays: &[ArrayRef]) {
        for h in key_hashes(arrays) {
            match h {
                Some(h) if self.sample.keeps(h) && !self.hashes.insert(h) => self.duplicates += 1,
                Some(_) => {}
                None => self.nulls += 1,
            }
        }
        while self.hashes.len() > MAX_KEYS {
            self.sample.level += 1;
            let sample = self.sample;
            self.hashes.retain(|&h| sample.keeps(h));
        }
    }

    /// True when no non-null key value was seen twice.
    pub fn is_unique(&self) -> bool {
        self.duplicates == 0
    }

    /// Rows that break the key: repeats of an earlier value (estimated from the kept values when
    /// keys were sampled) and rows with a NULL key part.
    pub fn violations(&self) -> u64 {
        self.duplicates * self.sample.weight() + self.nulls
    }
}

/// Counts child rows per referenced key, for one foreign key.
#[derive(Debug, Default)]
pub struct FanOutAccumulator {
    rows: u64,
    nulls: u64,
    children: HashMap<u64, u64>,
    sample: HashSample,
}

impl FanOutAccumulator {
    pub fn observe(&mut self, arrays: &[ArrayRef]) {
        for h in key_hashes(arrays) {
            self.rows += 1;
            match h {
                Some(h) if self.sample.keeps(h) => *self.children.entry(h).or_insert(0) += 1,
                Some(_) => {}
                None => self.nulls += 1,
            }
        }
        while self.children.len() > MAX_KEYS {
            self.sample.level += 1;
            let sample = self.sample;
            self.children.retain(|&h, _| sample.keeps(h));
        }
    }

    /// Whether every referenced key is in the parent's key set (compared on the keys both
    /// samples kept).
    pub fn contained_in(&self, parent: &KeySet) -> bool {
        let both = HashSample {
            level: self.sample.level.max(parent.sample.level),
        };
        self.children
            .keys()
            .filter(|&&k| both.keeps(k))
            .all(|k| parent.hashes.contains(k))
    }

    /// Child rows whose key is not in the parent's key set, estimated from the key values both
    /// samples kept.
    pub fn orphans(&self, parent: &KeySet) -> u64 {
        let both = HashSample {
            level: self.sample.level.max(parent.sample.level),
        };
        let missing: u64 = self
            .children
            .iter()
            .filter(|&(k, _)| both.keeps(*k) && !parent.hashes.contains(k))
            .map(|(_, &c)| c)
            .sum();
        missing * both.weight()
    }

    pub fn null_rate(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            round_share(self.nulls as f64 / self.rows as f64)
        }
    }

    /// The distribution of children per parent, given how many parent rows there are. When keys
    /// were sampled, counts are scaled up by the sampling weight.
    pub fn finish(&self, parent_rows: u64) -> FanOut {
        let weight = self.sample.weight();
        let referenced = self.children.len() as u64 * weight;
        let parents = parent_rows.max(referenced);
        let zero = parents - referenced;
        let mut histogram = std::collections::BTreeMap::new();
        if zero > 0 {
            histogram.insert(0, zero);
        }
        for &c in self.children.values() {
            *histogram.entry(bucket_floor(c)).or_insert(0) += weight;
        }
        let children: u64 = self.children.values().sum::<u64>() * weight;
        FanOut {
            parents,
            mean: if parents == 0 {
                0.0
            } else {
                round_share(children as f64 / parents as f64)
            },
            max: self.children.values().copied().max().unwrap_or(0),
            zero_share: if parents == 0 {
                0.0
            } else {
                round_share(zero as f64 / parents as f64)
            },
            histogram,
        }
    }
}

/// Names that mean "the parent row in this same table".
const SELF_REFERENCE_NAMES: &[&str] = &[
    "reports_to",
    "manager_id",
    "parent_id",
    "supervisor_id",
    "boss_id",
];

/// Whether a column's name reads like a key.
fn key_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "id"
        || n.ends_with("_id")
        || n.ends_with("id") && n.len() > 2
        || n.ends_with("_key")
        || n.ends_with("_code")
}

fn key_type(logical: &LogicalType) -> bool {
    logical.is_integer()
        || matches!(
            logical,
            LogicalType::Text { .. } | LogicalType::Char { .. } | LogicalType::Uuid
        )
}

/// `categories` → `category`, `addresses` → `address`, `employees` → `employee`.
fn singular(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    if let Some(stem) = n.strip_suffix("ies") {
        format!("{stem}y")
    } else if n.ends_with("sses") || n.ends_with("xes") {
        n[..n.len() - 2].to_string()
    } else {
        n.strip_suffix('s').unwrap_or(&n).to_string()
    }
}

/// Whether `column` is named after another table's key (`territory_id` in a table other than
/// `territories`): such a column is that table's foreign key, not this one's primary key.
fn named_after_other_table(column: &str, table: &Table, tables: &[Table]) -> bool {
    let Some(stem) = column
        .to_ascii_lowercase()
        .strip_suffix("_id")
        .map(str::to_string)
    else {
        return false;
    };
    tables.iter().any(|t| {
        t.name != table.name && (singular(&t.name) == stem || t.name.eq_ignore_ascii_case(&stem))
    })
}

/// The primary key to infer for `table`: the single column most likely to be it (unique, never
/// NULL, of a key type, with a key-like name that isn't another table's, preferring `id` and
/// `<table>_id`), or else the first pair of key-like columns that `is_unique_pair` confirms. An
/// empty table has no evidence, so it is read by names alone: one key-like column is the key,
/// two or more make a link table keyed by the first two.
pub fn infer_primary_key(
    table: &Table,
    tables: &[Table],
    stats: &[ColumnStats],
    rows: u64,
    is_unique_pair: &mut dyn FnMut(&[String; 2]) -> bool,
) -> Vec<String> {
    let key_columns: Vec<(&str, &ColumnStats)> = table
        .columns
        .iter()
        .zip(stats)
        .filter(|(c, _)| key_type(&c.logical) && key_like(&c.name))
        .map(|(c, s)| (c.name.as_str(), s))
        .collect();
    if rows == 0 {
        return key_columns
            .iter()
            .take(2)
            .map(|(n, _)| n.to_string())
            .collect();
    }
    let own = |name: &str| {
        let n = name.to_ascii_lowercase();
        n == "id"
            || n == format!("{}_id", table.name.to_ascii_lowercase())
            || n == format!("{}_id", singular(&table.name))
    };
    let unique = |s: &ColumnStats| {
        s.null_rate == 0.0
            && if s.distinct_exact {
                s.distinct == rows
            } else {
                s.distinct as f64 >= 0.97 * rows as f64
            }
    };
    let singles: Vec<&str> = key_columns
        .iter()
        .filter(|(n, s)| unique(s) && !named_after_other_table(n, table, tables))
        .map(|(n, _)| *n)
        .collect();
    if let Some(best) = singles.iter().find(|n| own(n)).or(singles.first()) {
        return vec![best.to_string()];
    }
    let never_null: Vec<&str> = key_columns
        .iter()
        .filter(|(_, s)| s.null_rate == 0.0)
        .map(|(n, _)| *n)
        .collect();
    for (i, a) in never_null.iter().enumerate() {
        for b in &never_null[i + 1..] {
            let pair = [a.to_string(), b.to_string()];
            if is_unique_pair(&pair) {
                return pair.to_vec();
            }
        }
    }
    Vec::new()
}

/// Foreign-key candidates of `child` by name: a column named like a parent's single-column
/// key (`customer_id` → `customers.customer_id`), or like a self-reference (`reports_to`),
/// with a compatible type. The caller keeps those whose values are contained in the parent's.
pub fn foreign_key_candidates(child: &Table, tables: &[Table]) -> Vec<ForeignKey> {
    let mut found = Vec::new();
    for column in &child.columns {
        if child.primary_key == [column.name.clone()] || !key_type(&column.logical) {
            continue;
        }
        let name = column.name.to_ascii_lowercase();
        let parent = tables.iter().find(|parent| {
            let [key] = parent.primary_key.as_slice() else {
                return false;
            };
            let Some(key_column) = parent.column(key) else {
                return false;
            };
            let compatible = key_column.logical.is_integer() == column.logical.is_integer();
            let key = key.to_ascii_lowercase();
            let by_name = if parent.name == child.name {
                SELF_REFERENCE_NAMES.contains(&name.as_str())
            } else if key == "id" {
                let singular = parent.name.trim_end_matches('s');
                name == format!("{}_id", parent.name) || name == format!("{singular}_id")
            } else {
                name == key
            };
            compatible && by_name
        });
        if let Some(parent) = parent {
            found.push(ForeignKey {
                columns: vec![column.name.clone()],
                references: TableRef {
                    table: parent.name.clone(),
                    columns: parent.primary_key.clone(),
                },
                inferred: true,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;
    use std::sync::Arc;

    fn table(name: &str, pk: &str, columns: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: columns
                .iter()
                .map(|c| Column::new(*c, LogicalType::Int32, true))
                .collect(),
            primary_key: vec![pk.into()],
            ..Default::default()
        }
    }

    #[test]
    fn candidates_match_names_and_self_references() {
        let tables = vec![
            table("customers", "customer_id", &["customer_id", "name"]),
            table(
                "orders",
                "order_id",
                &["order_id", "customer_id", "reports_to", "ship_via"],
            ),
            table("orders_archive", "id", &["id"]),
        ];
        let fks = foreign_key_candidates(&tables[1], &tables);
        let found: Vec<(&str, &str)> = fks
            .iter()
            .map(|f| (f.columns[0].as_str(), f.references.table.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![("customer_id", "customers"), ("reports_to", "orders")]
        );
        let emp = table("employees", "employee_id", &["employee_id", "reports_to"]);
        assert_eq!(
            foreign_key_candidates(&emp, std::slice::from_ref(&emp))[0]
                .references
                .table,
            "employees"
        );
    }

    #[test]
    fn fan_out_counts_parents_without_children() {
        let child: ArrayRef = Arc::new(arrow::array::Int32Array::from(vec![
            Some(1),
            Some(1),
            Some(2),
            None,
        ]));
        let mut acc = FanOutAccumulator::default();
        acc.observe(&[child]);
        let fan = acc.finish(4);
        assert_eq!(
            fan.histogram,
            [(0, 2), (1, 1), (2, 1)].into_iter().collect()
        );
        assert_eq!((fan.zero_share, fan.max, acc.null_rate()), (0.5, 2, 0.25));
    }

    #[test]
    fn key_passes_sample_by_hash_past_the_limit() {
        let n = (MAX_KEYS * 3) as i64;
        let parent: ArrayRef = Arc::new(arrow::array::Int64Array::from_iter_values(0..n));
        let child: ArrayRef = Arc::new(arrow::array::Int64Array::from_iter_values(
            (0..n).map(|v| v / 2),
        ));
        let mut keys = KeySet::default();
        keys.observe(std::slice::from_ref(&parent));
        assert!(keys.is_unique() && keys.hashes.len() <= MAX_KEYS);
        let mut fan = FanOutAccumulator::default();
        fan.observe(&[child]);
        assert!(fan.contained_in(&keys));
        let out = fan.finish(n as u64);
        assert!((out.zero_share - 0.5).abs() < 0.02, "{}", out.zero_share);
        assert!((out.mean - 1.0).abs() < 0.05, "{}", out.mean);
        let mut dup = KeySet::default();
        dup.observe(&[Arc::new(arrow::array::Int64Array::from(vec![1, 2, 1])) as ArrayRef]);
        assert!(!dup.is_unique());
    }

    #[test]
    fn widths_do_not_change_key_hashes() {
        let a: ArrayRef = Arc::new(arrow::array::Int16Array::from(vec![7]));
        let b: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![7]));
        assert_eq!(key_hashes(&[a]), key_hashes(&[b]));
    }
}
