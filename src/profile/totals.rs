//! Parent columns that total their child rows: an invoice's `total` is the sum of its lines'
//! `unit_price × quantity`, an order's `item_count` is how many lines it has.
//!
//! Drawn on its own, such a total disagrees with the generated lines in every row, which a test
//! that recomputes it catches at once. Parent rows are sampled by a hash of their key (the same
//! sample [`super::inherit::ParentRows`] keeps); each child row whose key falls in the sample
//! adds to its parent's sums: one per child number column, one per product of two, and the
//! count. No value is kept past the scan, only which sums matched.

use arrow::array::ArrayRef;
use rustc_hash::FxHashMap as HashMap;

use super::inherit::ParentRows;
use super::keys::key_hashes;
use super::model::{round_share, Total};
use super::relations::ordered_values;
use crate::schema::{ForeignKey, Table};

/// Share of sampled parents (with children) whose column must equal the total.
const MIN_HOLDS: f64 = 0.99;
/// Sampled parents with children needed before a total counts.
const MIN_PARENTS: u64 = 20;
/// Child number columns combined into sums and products; enough for an order line.
pub const CHILD_COLUMNS: usize = 8;

/// The number columns of `table` that a total can be, or be made of: neither in a key.
pub fn number_columns(table: &Table) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| c.logical.is_numeric() && !table.in_any_key(&c.name))
        .map(|c| c.name.clone())
        .collect()
}

/// What is summed per parent: the count of children, each child column, and each product of
/// two child columns, as lists of child column indices (empty for the count).
fn expressions(columns: usize) -> Vec<Vec<usize>> {
    let n = columns;
    let mut out = vec![Vec::new()];
    out.extend((0..n).map(|a| vec![a]));
    out.extend((0..n).flat_map(|a| (a + 1..n).map(move |b| vec![a, b])));
    out
}

/// Per sampled parent: its children's sums, one per expression, and whether any child had a
/// NULL in it.
#[derive(Debug)]
pub struct ChildSums {
    expressions: Vec<Vec<usize>>,
    sums: HashMap<u64, Sums>,
}

#[derive(Debug, Clone)]
struct Sums {
    values: Vec<f64>,
    incomplete: Vec<bool>,
}

impl ChildSums {
    /// Sums over child rows with `columns` number columns (at most [`CHILD_COLUMNS`]).
    pub fn new(columns: usize) -> Self {
        ChildSums {
            expressions: expressions(columns),
            sums: HashMap::default(),
        }
    }

    /// `fk` holds the foreign key's arrays, `values` the child's number columns'.
    pub fn observe(&mut self, parents: &ParentRows, fk: &[ArrayRef], values: &[ArrayRef]) {
        let points: Vec<Vec<Option<f64>>> = values
            .iter()
            .map(|v| ordered_values(v).unwrap_or_else(|| vec![None; v.len()]))
            .collect();
        let n = self.expressions.len();
        for (r, k) in key_hashes(fk).into_iter().enumerate() {
            let Some(k) = k.filter(|&k| parents.row(k).is_some()) else {
                continue;
            };
            let sums = self.sums.entry(k).or_insert_with(|| Sums {
                values: vec![0.0; n],
                incomplete: vec![false; n],
            });
            for (e, columns) in self.expressions.iter().enumerate() {
                let product = columns
                    .iter()
                    .try_fold(1.0, |acc, &c| points[c][r].map(|x| acc * x));
                match product {
                    Some(x) => sums.values[e] += x,
                    None => sums.incomplete[e] = true,
                }
            }
        }
    }

    /// The parent columns (named by `parent_columns`, in the order `parents` holds them) that
    /// equal one of the sums in nearly every sampled parent with children; the count first,
    /// then single columns, then products.
    pub fn finish(
        &self,
        parents: &ParentRows,
        parent_columns: &[String],
        child: &Table,
        fk: &ForeignKey,
        child_columns: &[String],
    ) -> Vec<Total> {
        let mut found: Vec<Total> = Vec::new();
        for (p, column) in parent_columns.iter().enumerate() {
            let total = self
                .expressions
                .iter()
                .enumerate()
                .find_map(|(e, columns)| {
                    let holds = self.holds(parents, p, e)?;
                    Some(Total {
                        column: column.clone(),
                        children: child.name.clone(),
                        foreign_key: fk.columns.clone(),
                        sum: columns.iter().map(|&c| child_columns[c].clone()).collect(),
                        holds: round_share(holds),
                    })
                });
            found.extend(total);
        }
        found
    }

    /// The share of sampled parents with children (and a value) whose column `p` equals sum
    /// `e`; `None` below the bar, or when the column takes one value only (any count explains
    /// a constant).
    fn holds(&self, parents: &ParentRows, p: usize, e: usize) -> Option<f64> {
        let (mut compared, mut equal) = (0u64, 0u64);
        let mut first: Option<f64> = None;
        let mut varies = false;
        for (&key, sums) in &self.sums {
            if sums.incomplete[e] {
                continue;
            }
            let Some(value) = parents.row(key).and_then(|points| points[p]) else {
                continue;
            };
            varies |= first.is_some_and(|f| f != value);
            first.get_or_insert(value);
            compared += 1;
            let total = sums.values[e];
            equal += u64::from((value - total).abs() <= 1e-6 * value.abs().max(1.0));
        }
        let share = equal as f64 / compared.max(1) as f64;
        (varies && compared >= MIN_PARENTS && share >= MIN_HOLDS).then_some(share)
    }
}
