//! One pass over one side's table: the profile's column accumulators plus what only a
//! comparison needs (a row sample for pair figures, key sets for violations and orphans, rows
//! sampled by key for figures across a join, order counts for `a <= b` rules, and, on the real
//! side, hashes of values and rows to catch synthetic copies).
//!
//! Everything here is bounded: samples and hash sets hold a fixed number of entries chosen by
//! hash ([`crate::profile::sample`]), so a table of any size is observed in the same memory.

use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use rustc_hash::FxHashSet;

use super::cells::{binary_as_hex, Cell, ColumnValues};
use crate::hashing::combine;
use crate::profile::keys::{key_hashes, FanOutAccumulator, KeySet};
use crate::profile::relations::{ordered_columns, OrderCounts};
use crate::profile::sample::{HashSampled, HashSet, Sampled};
use crate::profile::sketch::ValueCounter;
use crate::profile::{ColumnStats, Guard, TableAccumulator};
use crate::schema::{ForeignKey, LogicalType, Table};

/// Rows kept for pair figures.
const SAMPLE_ROWS: usize = 10_000;
/// Rows kept per key for figures across a foreign key (parent rows by key, child rows by
/// reference).
const JOIN_ROWS: usize = 20_000;
/// Columns whose values sampled rows keep (pairs are read among these).
const SAMPLED_COLUMNS: usize = 64;
/// Value columns a table needs for its rows to be checked for copies.
const MIN_COPY_COLUMNS: usize = 3;

/// Distinct value and row hashes the real side keeps to catch copies.
const COPY_HASHES: usize = 1 << 18;
/// Words a real text column's vocabulary keeps.
const VOCABULARY: usize = 20_000;
/// A word belongs to the vocabulary when it occurs this often: words that recur, not one
/// person's name.
const VOCABULARY_MIN_COUNT: u64 = 3;
/// Quantile points and category values read per column: finer than a profile's.
const QUANTILE_POINTS: usize = 101;
const CATEGORIES: usize = 1_000;

/// Which side of a comparison a table is on; only the real side keeps what copies are checked
/// against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Real,
    Synthetic,
}

/// A sampled row: the first [`SAMPLED_COLUMNS`] values and the hash of its non-key values.
#[derive(Debug, Clone)]
pub struct SampleRow {
    pub cells: Vec<Cell>,
    pub copy_hash: u64,
}

/// A key other tables reference: its values (for orphans) and its rows sampled by key value
/// (for figures across the join).
pub struct ReferencedKey {
    pub columns: Vec<String>,
    indices: Vec<usize>,
    pub values: KeySet,
    rows: HashSampled<Vec<Cell>>,
}

/// A foreign key as observed: children per parent, and child rows sampled by the key they
/// reference.
pub struct ObservedForeignKey {
    pub key: ForeignKey,
    indices: Vec<usize>,
    pub fan_out: FanOutAccumulator,
    rows: HashSampled<Vec<Cell>>,
}

pub struct TableObserver {
    stats: TableAccumulator,
    rows: RowObserver,
}

/// Everything but the column statistics, so both can be fed a batch in parallel.
struct RowObserver {
    table: Table,
    side: Side,
    rows: u64,
    is_key: Vec<bool>,
    sample: HashSampled<SampleRow>,
    copies: Option<HashSet>,
    values: Vec<Option<HashSet>>,
    words: Vec<Option<ValueCounter<String>>>,
    order: OrderCounts,
    keys: Vec<(Vec<String>, Vec<usize>, KeySet)>,
    referenced: Vec<ReferencedKey>,
    foreign_keys: Vec<ObservedForeignKey>,
    word_buf: String,
}

/// A table after its pass.
pub struct ObservedTable {
    pub table: Table,
    pub side: Side,
    pub rows: u64,
    pub stats: Vec<ColumnStats>,
    pub sample: Sampled<SampleRow>,
    /// Real side: hashes of the non-key part of rows.
    pub copies: Option<HashSet>,
    /// Real side: per text column, hashes of its values.
    pub values: Vec<Option<HashSet>>,
    /// Real side: per text column, its most frequent words.
    pub vocabularies: Vec<Option<FxHashSet<String>>>,
    pub order: OrderCounts,
    /// Rows that break the primary key or a unique key.
    pub key_violations: Vec<(Vec<String>, u64)>,
    pub referenced: Vec<(Vec<String>, KeySet, Sampled<Vec<Cell>>)>,
    pub foreign_keys: Vec<(ForeignKey, FanOutAccumulator, Sampled<Vec<Cell>>)>,
}

fn indices(table: &Table, columns: &[String]) -> Option<Vec<usize>> {
    columns.iter().map(|c| table.column_index(c)).collect()
}

impl TableObserver {
    /// `table` carries the real side's keys; `referenced` lists the column sets of this table
    /// that foreign keys point at.
    pub fn new(table: &Table, side: Side, referenced: &[Vec<String>]) -> Self {
        let table = &binary_columns_as_text(table);
        let is_key: Vec<bool> = table
            .columns
            .iter()
            .map(|c| table.in_any_key(&c.name))
            .collect();
        let is_text = |i: usize| table.columns[i].logical.arrow_type() == DataType::Utf8;
        let real = side == Side::Real;
        let per_text = |make: &dyn Fn() -> bool| -> Vec<bool> {
            (0..table.columns.len())
                .map(|i| real && !is_key[i] && is_text(i) && make())
                .collect()
        };
        let keys = std::iter::once(&table.primary_key)
            .chain(&table.unique)
            .filter(|k| !k.is_empty())
            .filter_map(|k| Some((k.clone(), indices(table, k)?, KeySet::default())))
            .collect();
        let rows = RowObserver {
            side,
            rows: 0,
            sample: HashSampled::new(SAMPLE_ROWS),
            // With fewer than three value columns a row equal to a real one is no disclosure (a
            // quantity and a price); copies are counted on wider rows only.
            copies: (real && is_key.iter().filter(|k| !**k).count() >= MIN_COPY_COLUMNS)
                .then(|| HashSet::new(COPY_HASHES)),
            values: per_text(&|| true)
                .into_iter()
                .map(|t| t.then(|| HashSet::new(COPY_HASHES)))
                .collect(),
            words: per_text(&|| true)
                .into_iter()
                .map(|t| t.then(ValueCounter::default))
                .collect(),
            order: OrderCounts::new(&ordered_columns(table)),
            keys,
            referenced: referenced
                .iter()
                .filter_map(|cols| {
                    Some(ReferencedKey {
                        columns: cols.clone(),
                        indices: indices(table, cols)?,
                        values: KeySet::default(),
                        rows: HashSampled::new(JOIN_ROWS),
                    })
                })
                .collect(),
            foreign_keys: table
                .foreign_keys
                .iter()
                .filter_map(|fk| {
                    Some(ObservedForeignKey {
                        key: fk.clone(),
                        indices: indices(table, &fk.columns)?,
                        fan_out: FanOutAccumulator::default(),
                        rows: HashSampled::new(JOIN_ROWS),
                    })
                })
                .collect(),
            is_key,
            table: table.clone(),
            word_buf: String::new(),
        };
        TableObserver {
            stats: TableAccumulator::new(table),
            rows,
        }
    }

    /// Observes a batch holding every column of the table, in order.
    pub fn observe(&mut self, batch: &RecordBatch) {
        let batch = &binary_as_text(batch);
        let (stats, rows) = (&mut self.stats, &mut self.rows);
        rayon::join(|| stats.observe(batch), || rows.observe(batch));
    }

    pub fn finish(self) -> ObservedTable {
        let guard = Guard::unguarded(QUANTILE_POINTS, CATEGORIES);
        let r = self.rows;
        ObservedTable {
            stats: self.stats.finish(&r.table, &guard, &Default::default()),
            side: r.side,
            rows: r.rows,
            sample: r.sample.finish(),
            copies: r.copies,
            values: r.values,
            vocabularies: r
                .words
                .into_iter()
                .map(|w| {
                    w.map(|w| {
                        w.top(VOCABULARY)
                            .into_iter()
                            .filter(|(_, n)| *n >= VOCABULARY_MIN_COUNT)
                            .map(|(k, _)| k)
                            .collect()
                    })
                })
                .collect(),
            order: r.order,
            key_violations: r
                .keys
                .into_iter()
                .map(|(cols, _, set)| (cols, set.violations()))
                .collect(),
            referenced: r
                .referenced
                .into_iter()
                .map(|k| (k.columns, k.values, k.rows.finish()))
                .collect(),
            foreign_keys: r
                .foreign_keys
                .into_iter()
                .map(|fk| (fk.key, fk.fan_out, fk.rows.finish()))
                .collect(),
            table: r.table,
        }
    }
}

impl RowObserver {
    fn observe(&mut self, batch: &RecordBatch) {
        let n = batch.num_rows();
        self.rows += n as u64;
        let values: Vec<ColumnValues> = batch.columns().iter().map(ColumnValues::new).collect();
        let sampled = values.len().min(SAMPLED_COLUMNS);
        let cells =
            |row: usize| -> Vec<Cell> { values[..sampled].iter().map(|v| v.cell(row)).collect() };
        let is_key = &self.is_key;
        // The hash of a row's non-key values: what a synthetic row copying a real one shares.
        let copy_hash = |row: usize| {
            combine(
                values
                    .iter()
                    .zip(is_key)
                    .filter(|(_, &key)| !key)
                    .map(|(v, _)| v.hashes[row]),
            )
        };
        let mut row_hashes = Vec::with_capacity(n);
        for row in 0..n {
            let row_hash = combine(values.iter().map(|v| v.hashes[row]));
            row_hashes.push(row_hash);
            if let Some(copies) = &mut self.copies {
                copies.insert(copy_hash(row));
            }
            if self.sample.keeps(row_hash) {
                let (cells, copy_hash) = (cells(row), copy_hash(row));
                self.sample
                    .push(row_hash, copy_hash, SampleRow { cells, copy_hash });
            }
        }
        self.observe_text(&values);
        // Orders only compare values of one family, so the cells' line (dates in microseconds)
        // serves as well as the profile's (dates in days).
        let views: Vec<Option<&[Option<f64>]>> = values.iter().map(ColumnValues::numbers).collect();
        self.order.observe(&views);
        let arrays = |idx: &[usize]| -> Vec<ArrayRef> {
            idx.iter().map(|&i| batch.column(i).clone()).collect()
        };
        for (_, idx, set) in &mut self.keys {
            set.observe(&arrays(idx));
        }
        for key in &mut self.referenced {
            let key_arrays = arrays(&key.indices);
            key.values.observe(&key_arrays);
            for (row, h) in key_hashes(&key_arrays).into_iter().enumerate() {
                if let Some(h) = h.filter(|&h| key.rows.keeps(h)) {
                    key.rows.push(h, row_hashes[row], cells(row));
                }
            }
        }
        for fk in &mut self.foreign_keys {
            let key_arrays = arrays(&fk.indices);
            fk.fan_out.observe(&key_arrays);
            for (row, h) in key_hashes(&key_arrays).into_iter().enumerate() {
                if let Some(h) = h.filter(|&h| fk.rows.keeps(h)) {
                    fk.rows.push(h, row_hashes[row], cells(row));
                }
            }
        }
    }

    /// Real side: the value hashes and words of text columns.
    fn observe_text(&mut self, values: &[ColumnValues]) {
        for (i, column) in values.iter().enumerate() {
            let (Some(set), Some(words)) = (&mut self.values[i], &mut self.words[i]) else {
                continue;
            };
            for row in 0..column.hashes.len() {
                let Some(text) = column.str_at(row) else {
                    continue;
                };
                set.insert(column.hashes[row]);
                for word in words_of(text) {
                    self.word_buf.clear();
                    self.word_buf
                        .extend(word.chars().flat_map(char::to_lowercase));
                    words.insert(self.word_buf.as_str());
                }
            }
        }
    }
}

/// Binary columns compare as their hex text (see [`binary_as_hex`]).
fn binary_columns_as_text(table: &Table) -> Table {
    let mut table = table.clone();
    for column in &mut table.columns {
        if column.logical == LogicalType::Bytes {
            column.logical = LogicalType::Text { max_chars: None };
        }
    }
    table
}

fn binary_as_text(batch: &RecordBatch) -> RecordBatch {
    if !batch
        .columns()
        .iter()
        .any(|a| a.data_type() == &DataType::Binary)
    {
        return batch.clone();
    }
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Binary => Field::new(f.name(), DataType::Utf8, true),
            _ => f.as_ref().clone(),
        })
        .collect();
    let arrays: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|a| match a.data_type() {
            DataType::Binary => binary_as_hex(a),
            _ => a.clone(),
        })
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .expect("the same columns with binary as text")
}

/// The words of a text: runs of letters and digits with at least one letter (digit groups
/// are formats, not vocabulary).
pub fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().any(char::is_alphabetic))
}
