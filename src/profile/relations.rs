//! How the ordered columns of a table relate: which `a <= b` orders hold in every row (with the
//! distribution of the gap `b - a`), and the rank correlations between them.
//!
//! Orders are counted on every row; correlations and gaps are read on a sample of rows chosen
//! by hash ([`super::sample`]), so the cost is bounded whatever the table's size. Values are on
//! each column's own line: numbers as they are, dates in days, times and timestamps in
//! microseconds; only columns of one family are compared with each other.

use arrow::array::{Array, ArrayRef, AsArray, UInt32Array};
use arrow::compute::take;
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Time64MicrosecondType, TimestampMicrosecondType,
};
use arrow::record_batch::RecordBatch;
use rustc_hash::FxHashMap;

use super::address;
use super::clusters;
use super::column::widen_f32;
use super::email_names::{self, NameEmail};
use super::keys::key_hashes;
use super::model::{
    round_share, CalendarDate, CategoryGroup, CategoryShift, ColumnStats, Combination,
    Correlations, Derived, OrderRule, PartOf,
};
use super::nulls::NullCounts;
use super::parts;
use super::privacy::Guard;
use super::ranks;
use super::sample::HashSampled;
use super::shifts;
use super::sketch::QuantileSketch;
use super::text::LONG_VALUE_BYTES;
use crate::hashing::{hash_bytes, mix64};
use crate::schema::{Column, LogicalType, Table};

/// Ordered columns compared pairwise (for orders in every row, and correlations). A table of
/// box-score counts has forty or more; the pairs are counted over every row, so the cost grows
/// with the square of this.
const ORDERED_COLUMNS: usize = 48;
/// Rows sampled for correlations and gaps.
const SAMPLE_ROWS: usize = 10_000;
/// Fewest rows with both values for an order to count as a rule, or a correlation to be read.
const MIN_ROWS: u64 = 5;

/// Which columns can be ordered against each other: numbers, dates, timestamps, times.
pub fn family(t: &DataType) -> Option<u8> {
    match t {
        DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..) => Some(0),
        DataType::Date32 => Some(1),
        DataType::Timestamp(..) => Some(2),
        DataType::Time64(_) => Some(3),
        _ => None,
    }
}

/// An ordered array's values on the column's own line.
pub fn ordered_values(array: &ArrayRef) -> Option<Vec<Option<f64>>> {
    fn collect<T: arrow::datatypes::ArrowPrimitiveType>(
        array: &ArrayRef,
        f: impl Fn(T::Native) -> f64,
    ) -> Vec<Option<f64>> {
        array
            .as_primitive::<T>()
            .iter()
            .map(|v| v.map(&f))
            .collect()
    }
    Some(match array.data_type() {
        DataType::Int16 => collect::<Int16Type>(array, |v| v as f64),
        DataType::Int32 => collect::<Int32Type>(array, |v| v as f64),
        DataType::Int64 => collect::<Int64Type>(array, |v| v as f64),
        DataType::Float32 => collect::<Float32Type>(array, widen_f32),
        DataType::Float64 => collect::<Float64Type>(array, |v| v),
        DataType::Decimal128(_, scale) => {
            let divisor = 10f64.powi(*scale as i32);
            collect::<Decimal128Type>(array, |v| v as f64 / divisor)
        }
        DataType::Date32 => collect::<Date32Type>(array, |d| d as f64),
        DataType::Time64(_) => collect::<Time64MicrosecondType>(array, |t| t as f64),
        DataType::Timestamp(..) => collect::<TimestampMicrosecondType>(array, |t| t as f64),
        _ => return None,
    })
}

/// For one pair of columns of a family: rows with both values, and how often `left < right`
/// and `left > right`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderPair {
    pub left: usize,
    pub right: usize,
    pub rows: u64,
    pub less: u64,
    pub greater: u64,
}

impl OrderPair {
    /// The order that held in every row, as (low, high, strict), if one did.
    pub fn rule(&self) -> Option<(usize, usize, bool)> {
        if self.rows < MIN_ROWS {
            None
        } else if self.greater == 0 && self.less > 0 {
            Some((self.left, self.right, self.less == self.rows))
        } else if self.less == 0 && self.greater > 0 {
            Some((self.right, self.left, self.greater == self.rows))
        } else {
            None
        }
    }

    /// Rows that break `low <= high` (or `<`), for `(low, high)` being this pair either way.
    pub fn broken(&self, low: usize, strict: bool) -> u64 {
        let (low_less, low_greater) = if low == self.left {
            (self.less, self.greater)
        } else {
            (self.greater, self.less)
        };
        if strict {
            self.rows - low_less
        } else {
            low_greater
        }
    }
}

/// Counts of `<` and `>` for every pair of ordered columns of one family.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderCounts {
    pub pairs: Vec<OrderPair>,
}

impl OrderCounts {
    /// Pairs among `columns` (indices into the table, with their families).
    pub fn new(columns: &[(usize, u8)]) -> Self {
        let mut pairs = Vec::new();
        for (a, &(i, fi)) in columns.iter().enumerate() {
            for &(j, fj) in &columns[a + 1..] {
                if fi == fj {
                    pairs.push(OrderPair {
                        left: i,
                        right: j,
                        rows: 0,
                        less: 0,
                        greater: 0,
                    });
                }
            }
        }
        OrderCounts { pairs }
    }

    /// `values[c]` holds column `c`'s values (only the paired columns need be `Some`).
    pub fn observe(&mut self, values: &[Option<&[Option<f64>]>]) {
        for pair in &mut self.pairs {
            let (Some(a), Some(b)) = (values[pair.left], values[pair.right]) else {
                continue;
            };
            for (x, y) in a.iter().zip(b) {
                if let (Some(x), Some(y)) = (x, y) {
                    pair.rows += 1;
                    pair.less += (x < y) as u64;
                    pair.greater += (x > y) as u64;
                }
            }
        }
    }

    pub fn merge(&mut self, other: OrderCounts) {
        for (a, b) in self.pairs.iter_mut().zip(other.pairs) {
            a.rows += b.rows;
            a.less += b.less;
            a.greater += b.greater;
        }
    }

    pub fn pair(&self, a: usize, b: usize) -> Option<&OrderPair> {
        self.pairs
            .iter()
            .find(|p| (p.left, p.right) == (a, b) || (p.left, p.right) == (b, a))
    }
}

/// The ordered, non-key columns of a table with their families (at most [`ORDERED_COLUMNS`]),
/// and its dates and timestamps that are keys without being foreign keys.
pub fn ordered_columns(table: &Table) -> Vec<(usize, u8)> {
    table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !table.in_any_key(&c.name) || spaced_key_column(table, c))
        .filter_map(|(i, c)| Some((i, family(&c.logical.arrow_type())?)))
        .take(ORDERED_COLUMNS)
        .collect()
}

/// A date or timestamp of a primary or unique key that no foreign key holds. It is generated
/// over its learned distribution (a spaced key, see [`crate::generate`]), so the orders it keeps
/// with other columns (`rented_at < returned_at`) are learned as for any column.
pub fn spaced_key_column(table: &Table, column: &Column) -> bool {
    let temporal = matches!(
        column.logical,
        LogicalType::Date | LogicalType::Timestamp | LogicalType::TimestampTz
    );
    temporal
        && table.is_key_column(&column.name)
        && !table
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.contains(&column.name))
}

/// A parent key's hash as a sampled value: its top 53 bits, which an `f64` holds exactly.
fn parent_id(hash: u64) -> f64 {
    (hash >> 11) as f64
}

/// Text columns considered for category groups.
const TEXT_COLUMNS: usize = 24;
/// Cramér's V from which two categorical columns belong to one group.
const GROUP_ASSOCIATION: f64 = 0.7;
/// Two columns of at most [`FEW_DISTINCT`] values each join one group from this Cramér's V,
/// corrected for chance: their combinations are few, so most keep their share under the
/// privacy guard, and the copula's ranks cannot draw a table such as "Gentoo only on Biscoe,
/// Adelie on every island". Not a column whose NULLs go with other columns' NULLs: a NULL
/// group keeps those, and a category group would draw them on its own.
const FEW_ASSOCIATION: f64 = 0.4;
const FEW_DISTINCT: u64 = 12;
/// Most columns in a group, and most distinct values a grouped column may have.
const GROUP_COLUMNS: usize = 5;
const GROUP_DISTINCT: u64 = 200;
/// Most combinations a group keeps.
const COMBINATIONS: usize = 1_000;

/// What a table's relations are, as the profile records them.
#[derive(Debug, Clone, PartialEq)]
pub struct Relations {
    pub correlations: Option<Correlations>,
    pub rules: Vec<OrderRule>,
    pub groups: Vec<CategoryGroup>,
    /// How often each pair of columns was NULL together; grouped once the caller knows which
    /// columns something else makes NULL (see [`NullCounts::finish`]).
    pub nulls: NullCounts,
    pub derived: Vec<Derived>,
    pub parts: Vec<PartOf>,
    pub dates: Vec<CalendarDate>,
    /// Pairs of foreign keys to the same parent rows that never picked the same one in a
    /// sampled row: (the later key's columns, the earlier key's).
    pub distinct_parents: Vec<(Vec<String>, Vec<String>)>,
    /// Email columns (by index in the table) whose addresses are built from the row's names.
    pub name_emails: Vec<(usize, NameEmail)>,
}

/// What tells rows from entities, for the privacy guard on category combinations: the table's
/// column statistics (personal data keeps no combination), its rows, and how many of them
/// come to one parent on average.
#[derive(Debug, Clone, Copy)]
pub struct Entities<'a> {
    pub stats: &'a [ColumnStats],
    pub rows: u64,
    pub rows_per_entity: f64,
}

/// Orders and a row sample of a table's ordered columns; a row sample of its text columns for
/// category groups; which columns are NULL together.
#[derive(Debug, Clone)]
pub struct RelationsAccumulator {
    columns: Vec<(usize, u8)>,
    /// The columns of each declared foreign key: a hash of a sampled row's key follows its
    /// ordered values, so values can be grouped by parent (see [`clusters`]).
    fk_columns: Vec<Vec<usize>>,
    orders: OrderCounts,
    nulls: NullCounts,
    sample: HashSampled<Vec<Option<f64>>>,
    text_columns: Vec<usize>,
    text_sample: HashSampled<Vec<Option<String>>>,
}

impl RelationsAccumulator {
    /// An accumulator for `table`, which holds about `rows` rows (to size the samples).
    pub fn new(table: &Table, rows: u64) -> Self {
        let columns = ordered_columns(table);
        let text_columns = table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.logical.arrow_type() == DataType::Utf8 && !table.in_any_key(&c.name))
            .map(|(i, _)| i)
            .take(TEXT_COLUMNS)
            .collect();
        let fk_columns = table
            .foreign_keys
            .iter()
            .filter_map(|fk| fk.columns.iter().map(|c| table.column_index(c)).collect())
            .collect();
        RelationsAccumulator {
            orders: OrderCounts::new(&columns),
            nulls: NullCounts::new(table),
            columns,
            fk_columns,
            sample: HashSampled::expecting(SAMPLE_ROWS, rows),
            text_columns,
            text_sample: HashSampled::expecting(SAMPLE_ROWS, rows),
        }
    }

    /// Observes a batch holding every column of the table, in order, whose first row is row
    /// `first_row` of the table. Rows are sampled by a hash of their position: cheap (no value
    /// is hashed), the same for any thread count, and blind to repeated values.
    pub fn observe(&mut self, batch: &RecordBatch, first_row: u64) {
        let kept: Vec<(usize, u64)> = (0..batch.num_rows())
            .map(|row| (row, mix64(first_row + row as u64)))
            .filter(|&(_, hash)| self.sample.keeps(hash) || self.text_sample.keeps(hash))
            .collect();
        self.observe_text(batch, &kept);
        self.nulls.observe(batch);
        if self.columns.is_empty() {
            return;
        }
        let mut values: Vec<Option<Vec<Option<f64>>>> = vec![None; batch.num_columns()];
        for &(i, _) in &self.columns {
            values[i] = ordered_values(batch.column(i));
        }
        let views: Vec<Option<&[Option<f64>]>> = values.iter().map(|v| v.as_deref()).collect();
        self.orders.observe(&views);
        let sampled: Vec<(usize, u64)> = kept
            .iter()
            .copied()
            .filter(|&(_, hash)| self.sample.keeps(hash))
            .collect();
        // Parent keys are hashed for the sampled rows only.
        let positions = UInt32Array::from_iter_values(sampled.iter().map(|&(row, _)| row as u32));
        let parents: Vec<Vec<Option<u64>>> = self
            .fk_columns
            .iter()
            .map(|columns| {
                let arrays: Vec<ArrayRef> = columns
                    .iter()
                    .map(|&i| take(batch.column(i), &positions, None).expect("positions are rows"))
                    .collect();
                key_hashes(&arrays)
            })
            .collect();
        for (k, &(row, hash)) in sampled.iter().enumerate() {
            let cells = self
                .columns
                .iter()
                .map(|&(i, _)| views[i].and_then(|v| v[row]));
            let keys = parents.iter().map(|p| p[k].map(parent_id));
            self.sample.push(hash, 0, cells.chain(keys).collect());
        }
    }

    fn observe_text(&mut self, batch: &RecordBatch, kept: &[(usize, u64)]) {
        if self.text_columns.is_empty() {
            return;
        }
        let arrays: Vec<_> = self
            .text_columns
            .iter()
            .map(|&i| batch.column(i).as_string::<i32>())
            .collect();
        for &(row, hash) in kept {
            // A document is no category: rows holding one are left out of the sample.
            let long = arrays
                .iter()
                .any(|a| a.is_valid(row) && a.value(row).len() > LONG_VALUE_BYTES);
            if self.text_sample.keeps(hash) && !long {
                let values = arrays
                    .iter()
                    .map(|a| a.is_valid(row).then(|| a.value(row).to_string()));
                self.text_sample.push(hash, 0, values.collect());
            }
        }
    }

    pub fn merge(&mut self, other: RelationsAccumulator) {
        self.orders.merge(other.orders);
        self.nulls.merge(other.nulls);
        self.sample.merge(other.sample);
        self.text_sample.merge(other.text_sample);
    }

    /// Groups of categorical text columns that go together, with their combinations. Only
    /// columns that keep literals (not personal data, repeated values) take part.
    ///
    /// A combination is kept when it stands for at least `min_count` entities, not rows: a
    /// child table's rows come `rows_per_entity` to a parent on average (seven invoices to a
    /// customer), so a combination needs `min_count × rows_per_entity` rows (estimated from
    /// the sample), and `min_count` sampled rows besides.
    fn groups(
        &self,
        table: &Table,
        entities: &Entities,
        guard: &Guard,
        sampled: &[&Vec<Option<String>>],
    ) -> Vec<CategoryGroup> {
        let Entities {
            stats,
            rows,
            rows_per_entity,
        } = *entities;
        // Sampled rows a combination needs to stand for `min_count` entities.
        let needed = guard.min_count as f64 * rows_per_entity.max(1.0) * sampled.len() as f64
            / rows.max(1) as f64;
        let rows = &sampled;
        let candidates: Vec<usize> = (0..self.text_columns.len())
            .filter(|&k| {
                let s = &stats[self.text_columns[k]];
                is_category(table, s) && s.distinct <= GROUP_DISTINCT
            })
            .collect();
        let hashes = |k: usize| -> Vec<Option<u64>> {
            rows.iter()
                .map(|r| r[k].as_ref().map(|v| hash_bytes(v.as_bytes())))
                .collect()
        };
        let columns: Vec<Vec<Option<u64>>> = (0..self.text_columns.len())
            .map(|k| {
                if candidates.contains(&k) {
                    hashes(k)
                } else {
                    Vec::new()
                }
            })
            .collect();
        // Per text column: few-valued, with NULLs of its own (see [`FEW_ASSOCIATION`]).
        let few: Vec<bool> = (self.text_columns.iter())
            .map(|&i| stats[i].distinct <= FEW_DISTINCT && !self.nulls.goes_with_others(i))
            .collect();
        let mut edges = Vec::new();
        for (a, &x) in candidates.iter().enumerate() {
            for &y in &candidates[a + 1..] {
                let (p, q): (Vec<u64>, Vec<u64>) = columns[x]
                    .iter()
                    .zip(&columns[y])
                    .filter_map(|(p, q)| Some(((*p)?, (*q)?)))
                    .unzip();
                if p.len() as u64 >= MIN_ROWS {
                    let (v, threshold) = match few[x] && few[y] {
                        true => (corrected_cramers_v(&p, &q), FEW_ASSOCIATION),
                        false => (cramers_v(&p, &q), GROUP_ASSOCIATION),
                    };
                    if v >= threshold {
                        edges.push((v, x, y));
                    }
                }
            }
        }
        let groups = join_groups(edges, GROUP_COLUMNS);
        let mut found: Vec<CategoryGroup> = groups
            .into_iter()
            .filter_map(|mut g| {
                g.sort();
                combinations(sampled, &g, guard, needed).map(|combinations| CategoryGroup {
                    columns: g
                        .iter()
                        .map(|&k| table.columns[self.text_columns[k]].name.clone())
                        .collect(),
                    combinations,
                    address: None,
                })
            })
            .collect();
        if let Some(address) = address::learn(table, stats, &self.text_columns, rows, guard) {
            // The address draws its columns itself; a plain group over any of them would draw
            // them a second time.
            found.retain(|g| !g.columns.iter().any(|c| address.columns.contains(c)));
            found.push(address);
        }
        found
    }

    /// Per foreign key of `table` with a parent found for the sampled rows, its columns and
    /// each sampled row's parent id: the key hashed while observing for a declared key, or the
    /// sampled value of an inferred key's one column (an ordered value or a hashed text).
    fn parent_ids<'t>(
        &self,
        table: &'t Table,
        columns: &[(usize, u8)],
        rows: &[&Vec<Option<f64>>],
        texts: &[Option<&Vec<Option<String>>>],
    ) -> Vec<(&'t Vec<String>, Vec<Option<f64>>)> {
        table
            .foreign_keys
            .iter()
            .filter_map(|fk| {
                let at: Option<Vec<usize>> =
                    fk.columns.iter().map(|c| table.column_index(c)).collect();
                let at = at?;
                let declared = self.fk_columns.iter().position(|p| *p == at);
                let one = |list: &[usize]| list.iter().position(|&c| at == [c]);
                let ordered: Vec<usize> = columns.iter().map(|&(c, _)| c).collect();
                let ids: Vec<Option<f64>> = if let Some(p) = declared {
                    rows.iter().map(|r| r[columns.len() + p]).collect()
                } else if let Some(k) = one(&ordered) {
                    rows.iter().map(|r| r[k]).collect()
                } else if let Some(k) = one(&self.text_columns) {
                    let id = |v: &str| parent_id(hash_bytes(v.as_bytes()));
                    texts
                        .iter()
                        .map(|t| t.and_then(|t| t[k].as_deref()).map(id))
                        .collect()
                } else {
                    return None;
                };
                Some((&fk.columns, ids))
            })
            .collect()
    }

    /// Everything learned: correlations, order rules with their gaps, category groups, NULL
    /// counts and derived columns. `table` may name keys that were not known when observing began
    /// (inferred ones); their columns are left out.
    pub fn finish(mut self, table: &Table, entities: &Entities, guard: &Guard) -> Relations {
        let sample = std::mem::replace(&mut self.sample, HashSampled::new(1)).finish();
        let rows: Vec<&Vec<Option<f64>>> = sample.values().collect();
        let text_sample = std::mem::replace(&mut self.text_sample, HashSampled::new(1)).finish();
        let texts: Vec<&Vec<Option<String>>> = text_sample.values().collect();
        let value = |i: usize| !table.in_any_key(&table.columns[i].name);
        let columns: Vec<(usize, u8)> = self
            .columns
            .iter()
            .map(|&(i, f)| (i, if value(i) { f } else { u8::MAX }))
            .collect();
        let clocks = self.clock_columns(table, entities.stats);
        let derived = self.derived(table, &rows, &clocks);
        let summed: Vec<&str> = derived
            .iter()
            .flat_map(|d| [&d.column, &d.left, &d.right])
            .map(String::as_str)
            .collect();
        let parts = parts::find(table, &columns, &rows, &summed);
        let computed: Vec<&str> = (summed.iter().copied())
            .chain(parts.iter().map(|p| p.column.as_str()))
            .collect();
        let dates = parts::find_dates(table, &columns, &rows, &computed);
        let groups = self.groups(table, entities, guard, &texts);
        let texts_by_row: FxHashMap<u64, &Vec<Option<String>>> = text_sample
            .entries
            .iter()
            .map(|(h, _, v)| (*h, v))
            .collect();
        let row_texts: Vec<Option<&Vec<Option<String>>>> = sample
            .entries
            .iter()
            .map(|(h, _, _)| texts_by_row.get(h).copied())
            .collect();
        let value_columns: Vec<usize> = (0..columns.len())
            .filter(|&k| columns[k].1 != u8::MAX)
            .collect();
        let sampled = ranks::Rows {
            ordered: &rows,
            texts: &row_texts,
        };
        let ranked = ranks::learn(
            table,
            entities.stats,
            &self.text_columns,
            &groups,
            &value_columns,
            &sampled,
        );
        let ranked_names: Vec<&str> = (ranked.iter())
            .map(|r| r.categories.column.as_str())
            .collect();
        let value_names: Vec<&str> = (value_columns.iter())
            .map(|&k| table.columns[columns[k].0].name.as_str())
            .collect();
        let shifts = shifts::learn(
            table,
            entities.stats,
            &self.text_columns,
            &groups,
            &ranked_names,
            &value_columns,
            &value_names,
            &sampled,
            guard.min_count as usize,
        );
        let parents = self.parent_ids(table, &columns, &rows, &row_texts);
        let joint = Joint {
            ranked,
            shifts,
            parents: &parents,
        };
        Relations {
            distinct_parents: distinct_parents(table, &parents),
            correlations: correlations(table, &columns, &rows, joint),
            rules: self.rules(table, guard, &rows, &clocks),
            groups,
            nulls: std::mem::replace(&mut self.nulls, NullCounts::new(&Table::default())),
            derived,
            parts,
            dates,
            name_emails: email_names::learn(table, entities.stats, &self.text_columns, &texts),
        }
    }

    /// Per paired column, whether it holds clock times written as `HHMM`, as its statistics
    /// say: the one definition the generator and compare read too.
    fn clock_columns(&self, table: &Table, stats: &[ColumnStats]) -> Vec<bool> {
        self.columns
            .iter()
            .map(|&(i, _)| is_clock(stats, &table.columns[i].name))
            .collect()
    }

    /// The orders that held in every row, with the quantiles of their gaps on the sample.
    fn rules(
        &self,
        table: &Table,
        guard: &Guard,
        rows: &[&Vec<Option<f64>>],
        clocks: &[bool],
    ) -> Vec<OrderRule> {
        let column_of = |i: usize| {
            self.columns
                .iter()
                .position(|&(c, _)| c == i)
                .expect("paired")
        };
        let value = |i: usize| {
            let column = &table.columns[i];
            !table.in_any_key(&column.name) || spaced_key_column(table, column)
        };
        self.orders
            .pairs
            .iter()
            .filter_map(|p| {
                let (low, high, strict) = p.rule()?;
                if !value(low) || !value(high) {
                    return None;
                }
                let (a, b) = (column_of(low), column_of(high));
                // A clock time (`HHMM`) and a count (minutes in the air) are in different
                // units: an order between them is chance, and moving one to keep it would
                // write times such as 571.
                if clocks[a] != clocks[b] {
                    return None;
                }
                let mut gaps = QuantileSketch::default();
                let (mut low_max, mut high_min) = (f64::NEG_INFINITY, f64::INFINITY);
                for row in rows {
                    if let (Some(x), Some(y)) = (row[a], row[b]) {
                        gaps.insert(y - x);
                        low_max = low_max.max(x);
                        high_min = high_min.min(y);
                    }
                }
                Some(OrderRule {
                    low: table.columns[low].name.clone(),
                    high: table.columns[high].name.clone(),
                    strict,
                    overlap: low_max >= high_min,
                    gap: guard.quantiles(&gaps)?,
                })
            })
            .collect()
    }
}

/// Share of rows in which a derivation must hold to be kept.
const DERIVED_HOLDS: f64 = 0.99;
/// Fewest sampled rows with all three values for a derivation to be read.
const DERIVED_MIN_ROWS: usize = 20;

impl RelationsAccumulator {
    /// Number columns that equal another number column, or the sum or difference of two, in
    /// at least 99 % of the sampled rows, or a clock time (`HHMM`) that equals another plus a
    /// number of minutes. A column that feeds a derivation is not itself derived, so
    /// derivations never chain.
    fn derived(&self, table: &Table, rows: &[&Vec<Option<f64>>], clocks: &[bool]) -> Vec<Derived> {
        let numbers: Vec<usize> = (0..self.columns.len())
            .filter(|&k| {
                self.columns[k].1 == 0 && !table.in_any_key(&table.columns[self.columns[k].0].name)
            })
            .filter(|&k| rows.iter().any(|r| r[k].is_some_and(|v| v != 0.0)))
            .collect();
        let clocks: Vec<usize> = numbers.iter().copied().filter(|&k| clocks[k]).collect();
        let name = |k: usize| table.columns[self.columns[k].0].name.clone();
        let (mut found, mut targets, mut inputs) = (Vec::new(), Vec::new(), Vec::new());
        for &a in &numbers {
            if inputs.contains(&a) {
                continue;
            }
            let usable = |k: usize| k != a && !targets.contains(&k);
            // A column that repeats another (protons and electrons of an element), unless a
            // sum holds in more rows (a total equal to its subtotal where shipping is 0).
            let same = numbers
                .iter()
                .filter(|&&b| usable(b))
                .find_map(|&b| Some((b, equal_share(rows, a, b)?)));
            let derivation = numbers.iter().find_map(|&b| {
                numbers.iter().find_map(|&c| {
                    if !usable(b) || !usable(c) || b == c {
                        return None;
                    }
                    let sum = |op: Op| derivation_holds(rows, (a, b, c), op).map(|h| (op, h));
                    let plus = (b < c).then(|| sum(Op::Plus)).flatten();
                    let clock = [a, b].iter().all(|k| clocks.contains(k));
                    plus.or_else(|| sum(Op::Minus))
                        .or_else(|| clock.then(|| sum(Op::ClockPlus)).flatten())
                        .map(|(op, h)| (b, c, op, h))
                })
            });
            match (same, derivation) {
                (Some((b, share)), d) if d.is_none_or(|d| share >= d.3) => {
                    found.push(Derived {
                        column: name(a),
                        left: name(b),
                        op: "=".into(),
                        right: String::new(),
                        clock: false,
                        holds: round_share(share),
                    });
                    targets.push(a);
                    inputs.push(b);
                }
                (_, Some((b, c, op, share))) => {
                    found.push(Derived {
                        column: name(a),
                        left: name(b),
                        op: if op == Op::Minus { "-" } else { "+" }.into(),
                        right: name(c),
                        clock: op == Op::ClockPlus,
                        holds: round_share(share),
                    });
                    targets.push(a);
                    inputs.extend([b, c]);
                }
                _ => {}
            }
        }
        found
    }
}

/// How a derived column is made from its two inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Plus,
    Minus,
    /// A clock time (`HHMM`) plus minutes, past midnight into the next day.
    ClockPlus,
}

/// Whether column `name` holds clock times written as `HHMM`, as its statistics in `stats`
/// say.
pub fn is_clock(stats: &[ColumnStats], name: &str) -> bool {
    (stats.iter().find(|s| s.column == name))
        .and_then(|s| s.numeric.as_ref())
        .is_some_and(|n| n.clock)
}

/// `HHMM` plus `minutes`, as `HHMM` again (wrapping past midnight; `2400` reads as `0000`).
pub fn clock_plus(hhmm: f64, minutes: f64) -> f64 {
    let from = (hhmm / 100.0).trunc() * 60.0 + hhmm % 100.0;
    let at = (from + minutes).rem_euclid(1440.0);
    (at / 60.0).trunc() * 100.0 + at % 60.0
}

/// The share of sampled rows (with all three values) where `a = b op c`, if it is at least
/// [`DERIVED_HOLDS`] over at least [`DERIVED_MIN_ROWS`] rows.
fn derivation_holds(
    rows: &[&Vec<Option<f64>>],
    (a, b, c): (usize, usize, usize),
    op: Op,
) -> Option<f64> {
    let (mut all, mut held) = (0usize, 0usize);
    for r in rows {
        if let (Some(x), Some(y), Some(z)) = (r[a], r[b], r[c]) {
            all += 1;
            let (x, want) = match op {
                Op::Plus => (x, y + z),
                Op::Minus => (x, y - z),
                Op::ClockPlus => (x % 2400.0, clock_plus(y, z)),
            };
            held += ((x - want).abs() <= 1e-9 * x.abs().max(1.0)) as usize;
        }
    }
    let share = held as f64 / all.max(1) as f64;
    (all >= DERIVED_MIN_ROWS && share >= DERIVED_HOLDS).then_some(share)
}

/// The share of sampled rows (with both values) where `a = b`, if it is at least
/// [`DERIVED_HOLDS`] over at least [`DERIVED_MIN_ROWS`] rows and the two are not one constant.
fn equal_share(rows: &[&Vec<Option<f64>>], a: usize, b: usize) -> Option<f64> {
    let (mut all, mut held, mut first, mut varies) = (0usize, 0usize, None, false);
    for r in rows {
        if let (Some(x), Some(y)) = (r[a], r[b]) {
            all += 1;
            held += usize::from(x == y);
            varies |= first.is_some_and(|f| f != x);
            first.get_or_insert(x);
        }
    }
    let share = held as f64 / all.max(1) as f64;
    (varies && all >= DERIVED_MIN_ROWS && share >= DERIVED_HOLDS).then_some(share)
}

/// The combinations of a group's values seen at least `min_count` (and `needed`) times in the
/// sample, with
/// their shares of the sample, most frequent first; `None` when none is.
fn combinations(
    rows: &[&Vec<Option<String>>],
    group: &[usize],
    guard: &Guard,
    needed: f64,
) -> Option<Vec<Combination>> {
    let mut counts: FxHashMap<Vec<Option<String>>, u64> = FxHashMap::default();
    for row in rows {
        *counts
            .entry(group.iter().map(|&k| row[k].clone()).collect())
            .or_insert(0) += 1;
    }
    let mut kept: Vec<(Vec<Option<String>>, u64)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= guard.min_count && *n as f64 >= needed)
        .collect();
    kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    kept.truncate(COMBINATIONS);
    (!kept.is_empty()).then(|| {
        kept.into_iter()
            .map(|(values, n)| Combination {
                values,
                share: round_share(n as f64 / rows.len() as f64),
            })
            .collect()
    })
}

/// Fewest sampled rows with both keys present for two foreign keys that never picked the same
/// parent to count as kept apart.
const DISTINCT_PARENT_ROWS: usize = 30;

/// Pairs of foreign keys of `table` to the same parent columns whose parent ids (per sampled
/// row, as [`RelationsAccumulator::parent_ids`] reads them) were never equal on a row holding
/// both, over at least [`DISTINCT_PARENT_ROWS`] rows.
fn distinct_parents(
    table: &Table,
    parents: &[(&Vec<String>, Vec<Option<f64>>)],
) -> Vec<(Vec<String>, Vec<String>)> {
    let references = |columns: &Vec<String>| {
        let fk = table
            .foreign_keys
            .iter()
            .find(|fk| &fk.columns == columns)?;
        Some((&fk.references.table, &fk.references.columns))
    };
    let mut found = Vec::new();
    for (a, (first, first_ids)) in parents.iter().enumerate() {
        for (second, second_ids) in &parents[a + 1..] {
            if references(first).is_none() || references(first) != references(second) {
                continue;
            }
            let both: Vec<(f64, f64)> = first_ids
                .iter()
                .zip(second_ids)
                .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
                .collect();
            if both.len() >= DISTINCT_PARENT_ROWS && both.iter().all(|(x, y)| x != y) {
                found.push(((*second).clone(), (*first).clone()));
            }
        }
    }
    found
}

/// Joins linked columns into groups of at most `most`: links `(strength, a, b)` are taken
/// strongest first (ties by column), and a link that would overfill a group is passed over.
pub fn join_groups(mut links: Vec<(f64, usize, usize)>, most: usize) -> Vec<Vec<usize>> {
    links.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (_, x, y) in links {
        let gx = groups.iter().position(|g| g.contains(&x));
        let gy = groups.iter().position(|g| g.contains(&y));
        match (gx, gy) {
            (Some(a), Some(b)) if a != b && groups[a].len() + groups[b].len() <= most => {
                let other = groups.remove(a.max(b));
                groups[a.min(b)].extend(other);
            }
            (Some(a), None) if groups[a].len() < most => groups[a].push(y),
            (None, Some(b)) if groups[b].len() < most => groups[b].push(x),
            (None, None) => groups.push(vec![x, y]),
            _ => {}
        }
    }
    groups
}

/// Whether a text column is a category whose values may stand in the profile: not in a key, not
/// personal data, with values the guard kept, and more than one of them.
pub fn is_category(table: &Table, s: &ColumnStats) -> bool {
    !table.in_any_key(&s.column) && s.pii.is_none() && !s.frequent.is_empty() && s.distinct >= 2
}

/// What the correlations hold beside the ordered columns' figures: the ranked categories, the
/// numbers shifted by a category, and per foreign key the parent id of each sampled row.
struct Joint<'a> {
    ranked: Vec<ranks::Ranked>,
    shifts: Vec<CategoryShift>,
    parents: &'a [(&'a Vec<String>, Vec<Option<f64>>)],
}

/// Spearman correlations between the ordered columns that vary on the sample (a column whose
/// family is `u8::MAX` is left out) and the ranked categories, and the normal correlations the
/// copula takes.
fn correlations(
    table: &Table,
    columns: &[(usize, u8)],
    rows: &[&Vec<Option<f64>>],
    joint: Joint,
) -> Option<Correlations> {
    let Joint {
        ranked,
        shifts,
        parents,
    } = joint;
    let ordered = (0..columns.len())
        .filter(|&k| columns[k].1 != u8::MAX)
        .map(|k| {
            let values: Vec<Option<f64>> = rows.iter().map(|r| r[k]).collect();
            (table.columns[columns[k].0].name.clone(), values)
        });
    let ranks = ranked
        .iter()
        .map(|r| (r.categories.column.clone(), r.ranks.clone()));
    let series: Vec<(String, Vec<Option<f64>>)> = ordered
        .chain(ranks)
        .filter(|(_, values)| {
            let present: Vec<f64> = values.iter().flatten().copied().collect();
            present.len() as u64 >= MIN_ROWS && present.iter().any(|&v| v != present[0])
        })
        .collect();
    // One column correlates with nothing in its row, but may still cluster by parent row.
    let clustered = clusters::learn(&series, parents);
    let names: Vec<String> = series.iter().map(|(name, _)| name.clone()).collect();
    let shifts: Vec<CategoryShift> = (shifts.into_iter())
        .filter(|s| names.contains(&s.column))
        .collect();
    if series.len() < 2 && clustered.is_empty() && shifts.is_empty() {
        return None;
    }
    let rounded = |x: f64| (x * 1e4).round() / 1e4;
    // Each pair once, on the rows where both are present; the matrix is symmetric.
    let pairwise = |measure: fn(&[f64], &[f64]) -> f64| -> Vec<Vec<f64>> {
        let n = series.len();
        let mut matrix = vec![vec![1.0; n]; n];
        for a in 0..n {
            for b in a + 1..n {
                let (x, y): (Vec<f64>, Vec<f64>) = series[a]
                    .1
                    .iter()
                    .zip(&series[b].1)
                    .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
                    .unzip();
                let figure = if (x.len() as u64) < MIN_ROWS {
                    0.0
                } else {
                    rounded(measure(&x, &y))
                };
                (matrix[a][b], matrix[b][a]) = (figure, figure);
            }
        }
        matrix
    };
    Some(Correlations {
        clustered,
        shifts,
        spearman: pairwise(spearman),
        normal: Some(pairwise(normal_correlation)),
        ranked: ranked
            .into_iter()
            .map(|r| r.categories)
            .filter(|c| names.contains(&c.column))
            .collect(),
        columns: names,
        sample_rows: round_share(rows.len() as f64) as u64,
    })
}

/// The correlation of the standard normal variables behind `x` and `y`, when each is a
/// monotone function of its normal (what a Gaussian copula assumes). Each value is replaced by
/// its normal score: the mean of the normal over the slice of the line its tied values take.
/// Scores of a column of few values vary less than the normal behind them, by a factor their
/// standard deviation measures, so the scores' correlation is divided by both deviations.
/// Exact when one column is continuous; when both have few values it still reads a little low.
pub fn normal_correlation(x: &[f64], y: &[f64]) -> f64 {
    let (sx, sy) = (normal_scores(x), normal_scores(y));
    let deviation = |s: &[f64]| {
        let n = s.len() as f64;
        let mean = s.iter().sum::<f64>() / n;
        (s.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
    };
    let (dx, dy) = (deviation(&sx), deviation(&sy));
    if dx == 0.0 || dy == 0.0 {
        return 0.0;
    }
    (pearson(&sx, &sy) / (dx * dy)).clamp(-1.0, 1.0)
}

/// Φ⁻¹, the standard normal quantile of `p` in (0, 1).
pub fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

/// Per value, `E[Z | Z in the slice]` for `Z ~ N(0, 1)`, where a run of tied values takes the
/// slice `(Φ⁻¹(a), Φ⁻¹(b))` between the shares of values below it (`a`) and up to it (`b`).
pub fn normal_scores(values: &[f64]) -> Vec<f64> {
    let n = values.len() as f64;
    let density = |p: f64| {
        if p <= 0.0 || p >= 1.0 {
            0.0
        } else {
            let z = normal_quantile(p);
            (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
        }
    };
    let mut scores = vec![0.0; values.len()];
    for_tied_runs(values, |run, start, end| {
        let (a, b) = (start as f64 / n, end as f64 / n);
        let score = (density(a) - density(b)) / (b - a);
        run.iter().for_each(|&i| scores[i] = score);
    });
    scores
}

/// Calls `visit(indices, start, end)` for each run of equal values, in value order: `indices`
/// are the run's positions in `values`, which take places `start..end` of the sorted order.
fn for_tied_runs(values: &[f64], mut visit: impl FnMut(&[usize], usize, usize)) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        visit(&order[start..end], start, end);
        start = end;
    }
}

/// Spearman's rank correlation: Pearson's on ranks (ties share their average rank).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// Ranks from 1, ties sharing their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut ranks = vec![0.0; values.len()];
    for_tied_runs(values, |run, start, end| {
        let rank = (start + end + 1) as f64 / 2.0;
        run.iter().for_each(|&i| ranks[i] = rank);
    });
    ranks
}

/// Pearson's correlation; 0 when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    }
}

/// Cramér's V between two categorical columns given as value hashes, row by row.
pub fn cramers_v(x: &[u64], y: &[u64]) -> f64 {
    let Some(t) = Contingency::of(x, y) else {
        return 0.0;
    };
    let k = t.rows.min(t.columns);
    (t.chi2 / (t.n * (k - 1.0))).max(0.0).sqrt().min(1.0)
}

/// Cramér's V corrected for the association that chance alone gives a sample (Bergsma's
/// correction): 20 rows of two 10-valued columns reach a plain V near 0.7 by chance, and this
/// near 0.
pub fn corrected_cramers_v(x: &[u64], y: &[u64]) -> f64 {
    let Some(t) = Contingency::of(x, y) else {
        return 0.0;
    };
    if t.n < 2.0 {
        return 0.0;
    }
    let phi2 = (t.chi2 / t.n - (t.rows - 1.0) * (t.columns - 1.0) / (t.n - 1.0)).max(0.0);
    let shrink = |k: f64| k - (k - 1.0).powi(2) / (t.n - 1.0);
    let k = shrink(t.rows).min(shrink(t.columns));
    if k <= 1.0 {
        return 0.0;
    }
    (phi2 / (k - 1.0)).sqrt().min(1.0)
}

/// The chi-squared statistic of two columns' joint counts, with its sample size and the
/// number of distinct values on each side.
struct Contingency {
    n: f64,
    chi2: f64,
    rows: f64,
    columns: f64,
}

impl Contingency {
    /// `None` when either side holds a single value.
    fn of(x: &[u64], y: &[u64]) -> Option<Contingency> {
        let n = x.len() as f64;
        let mut joint: FxHashMap<(u64, u64), f64> = FxHashMap::default();
        let mut rows: FxHashMap<u64, f64> = FxHashMap::default();
        let mut cols: FxHashMap<u64, f64> = FxHashMap::default();
        for (&a, &b) in x.iter().zip(y) {
            *joint.entry((a, b)).or_insert(0.0) += 1.0;
            *rows.entry(a).or_insert(0.0) += 1.0;
            *cols.entry(b).or_insert(0.0) += 1.0;
        }
        if rows.len().min(cols.len()) < 2 {
            return None;
        }
        // chi² = n (Σ O² / (row · col) - 1); summed in a fixed order so the result is
        // reproducible.
        let mut cells: Vec<((u64, u64), f64)> = joint.into_iter().collect();
        cells.sort_by_key(|c| c.0);
        let ratio: f64 = cells
            .iter()
            .map(|((a, b), o)| o * o / (rows[a] * cols[b]))
            .sum();
        Some(Contingency {
            n,
            chi2: n * (ratio - 1.0),
            rows: rows.len() as f64,
            columns: cols.len() as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Date32Array, Int64Array};
    use arrow::datatypes::{Field, Schema};

    use super::*;
    use crate::schema::{Column, LogicalType};

    /// Pairs of standard normals with correlation `rho`, deterministic.
    fn normal_pairs(rho: f64, n: usize) -> Vec<(f64, f64)> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        (0..n)
            .map(|_| {
                let (a, b): (f64, f64) = (
                    rng.sample(rand_distr::StandardNormal),
                    rng.sample(rand_distr::StandardNormal),
                );
                (a, rho * a + (1.0 - rho * rho).sqrt() * b)
            })
            .collect()
    }

    #[test]
    fn corrected_cramers_v_leaves_out_what_chance_gives_a_small_sample() {
        // 20 rows of two 10-valued columns with no link: the plain V is high by chance.
        let x: Vec<u64> = (0..20).map(|i| i % 10).collect();
        let y: Vec<u64> = (0..20).map(|i| (i * 7 + i / 10) % 10).collect();
        assert!(cramers_v(&x, &y) > 0.6, "{}", cramers_v(&x, &y));
        assert!(
            corrected_cramers_v(&x, &y) < 0.3,
            "{}",
            corrected_cramers_v(&x, &y)
        );
        // A function of the other over many rows stays near 1.
        let x: Vec<u64> = (0..600).map(|i| i % 3).collect();
        let y: Vec<u64> = x.iter().map(|v| v * 2).collect();
        assert!(corrected_cramers_v(&x, &y) > 0.99);
    }

    #[test]
    fn the_normal_correlation_sees_through_a_column_of_two_values() {
        // A price that is 1.99 for the top 7 % of a normal and 0.99 otherwise, against a
        // continuous column: Spearman's reads about half the correlation behind them.
        let pairs = normal_pairs(0.8, 20_000);
        let x: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let price: Vec<f64> = pairs
            .iter()
            .map(|p| if p.0 > 1.476 { 1.99 } else { 0.99 })
            .collect();
        let normal = normal_correlation(&x, &price);
        assert!((normal - 0.8).abs() < 0.03, "normal {normal}");
        let converted = 2.0 * (std::f64::consts::PI * spearman(&x, &price) / 6.0).sin();
        assert!(converted < 0.5, "Spearman's route reads {converted}");
        // Two continuous columns: the same as Spearman's route.
        let y: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        assert!((normal_correlation(&x, &y) - 0.8).abs() < 0.02);
        assert_eq!(
            normal_correlation(&x, &vec![1.0; x.len()]),
            0.0,
            "a constant"
        );
    }

    fn table() -> Table {
        Table {
            name: "t".into(),
            columns: vec![
                Column::new("placed", LogicalType::Date, true),
                Column::new("shipped", LogicalType::Date, true),
                Column::new("size", LogicalType::Int64, true),
                Column::new("weight", LogicalType::Int64, true),
            ],
            ..Default::default()
        }
    }

    fn batch(n: i32) -> RecordBatch {
        let placed: Vec<Option<i32>> = (0..n).map(|i| Some(10_000 + i)).collect();
        let shipped: Vec<Option<i32>> = (0..n)
            .map(|i| {
                if i % 10 == 0 {
                    None
                } else {
                    Some(10_000 + i + i % 7)
                }
            })
            .collect();
        let size: Vec<Option<i64>> = (0..n).map(|i| Some((i * 37 % 101) as i64)).collect();
        let weight: Vec<Option<i64>> = (0..n)
            .map(|i| Some(3 * (i * 37 % 101) as i64 + 1))
            .collect();
        let t = table();
        let fields: Vec<Field> = t
            .columns
            .iter()
            .map(|c| Field::new(&c.name, c.logical.arrow_type(), true))
            .collect();
        RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            vec![
                Arc::new(Date32Array::from(placed)),
                Arc::new(Date32Array::from(shipped)),
                Arc::new(Int64Array::from(size)),
                Arc::new(Int64Array::from(weight)),
            ],
        )
        .unwrap()
    }

    #[test]
    fn orders_and_correlations_are_learned() {
        let t = table();
        let mut acc = RelationsAccumulator::new(&t, 500);
        acc.observe(&batch(500), 0);
        let Relations {
            correlations,
            rules,
            ..
        } = acc.finish(&t, &no_entities(), &Guard::new(1));
        let rule = rules.iter().find(|r| r.low == "placed").unwrap();
        assert_eq!((rule.high.as_str(), rule.strict), ("shipped", false));
        assert_eq!(rule.gap.first(), Some(&0.0));
        assert_eq!(rule.gap.last(), Some(&6.0));
        assert!(rule.overlap);
        let size_weight = rules.iter().find(|r| r.low == "size").unwrap();
        assert!(size_weight.strict, "weight = 3 size + 1 > size");
        let c = correlations.unwrap();
        let (s, w) = (
            c.columns.iter().position(|x| x == "size").unwrap(),
            c.columns.iter().position(|x| x == "weight").unwrap(),
        );
        assert_eq!(c.spearman[s][w], 1.0);
    }

    #[test]
    fn merged_parts_equal_the_whole() {
        let t = table();
        let whole = batch(400);
        let (mut a, mut b, mut all) = (
            RelationsAccumulator::new(&t, 500),
            RelationsAccumulator::new(&t, 500),
            RelationsAccumulator::new(&t, 500),
        );
        a.observe(&whole.slice(0, 150), 0);
        b.observe(&whole.slice(150, 250), 150);
        a.merge(b);
        all.observe(&whole, 0);
        let guard = Guard::new(2);
        assert_eq!(
            a.finish(&t, &no_entities(), &guard),
            all.finish(&t, &no_entities(), &guard)
        );
    }

    fn no_entities() -> Entities<'static> {
        Entities {
            stats: &[],
            rows: 0,
            rows_per_entity: 1.0,
        }
    }
}
