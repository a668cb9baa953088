//! A table's column accumulators, fed one record batch at a time.

use arrow::record_batch::RecordBatch;
use rayon::prelude::*;

use std::collections::BTreeMap;

use super::column::ColumnAccumulator;
use super::lookup::LookupRows;
use super::model::ColumnStats;
use super::privacy::Guard;
use crate::schema::Table;

#[derive(Debug, Clone)]
pub struct TableAccumulator {
    rows: u64,
    columns: Vec<ColumnAccumulator>,
    /// The rows' text values while the table could be a lookup table.
    pub lookup: LookupRows,
}

impl TableAccumulator {
    pub fn new(table: &Table) -> Self {
        TableAccumulator {
            rows: 0,
            columns: table.columns.iter().map(ColumnAccumulator::new).collect(),
            lookup: LookupRows::default(),
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Observes a batch holding every column of the table, in order. Columns are independent,
    /// so they are observed in parallel; the result does not depend on the thread count.
    pub fn observe(&mut self, batch: &RecordBatch) {
        self.rows += batch.num_rows() as u64;
        self.lookup.observe(batch);
        self.columns
            .par_iter_mut()
            .zip(batch.columns().par_iter())
            .for_each(|(acc, array)| acc.observe(array));
    }

    pub fn merge(&mut self, other: TableAccumulator) {
        self.rows += other.rows;
        self.lookup.merge(other.lookup);
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            a.merge(b);
        }
    }

    /// Every column's statistics; `pii` holds the user's decisions on personal data by column
    /// name (see [`super::column::PiiOverride`]).
    pub fn finish(
        &self,
        table: &Table,
        guard: &Guard,
        pii: &BTreeMap<String, Option<String>>,
    ) -> Vec<ColumnStats> {
        self.columns
            .par_iter()
            .zip(table.columns.par_iter())
            .map(|(acc, column)| {
                let mut stats = acc.finish(column, guard, &pii.get(&column.name).cloned());
                if table.in_any_key(&column.name) {
                    // Key values are labels, made as keys are: how finely they are written
                    // tells generation nothing.
                    if let Some(n) = stats.numeric.as_mut() {
                        n.precision.clear();
                    }
                }
                stats
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int64Array, StringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{Field, Schema as ArrowSchema};
    use proptest::prelude::*;

    use super::*;
    use crate::schema::{Column, LogicalType};

    fn table() -> Table {
        Table {
            name: "t".into(),
            columns: vec![
                Column::new("n", LogicalType::Int64, true),
                Column::new("s", LogicalType::Text { max_chars: None }, true),
                Column::new("at", LogicalType::Timestamp, true),
            ],
            ..Default::default()
        }
    }

    type Row = (Option<i64>, Option<String>, Option<i64>);

    fn batch(rows: &[Row]) -> RecordBatch {
        let t = table();
        let fields: Vec<Field> = t
            .columns
            .iter()
            .map(|c| Field::new(&c.name, c.logical.arrow_type(), true))
            .collect();
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            )),
            Arc::new(TimestampMicrosecondArray::from(
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            )),
        ];
        RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), arrays).unwrap()
    }

    fn stats(parts: &[&[Row]]) -> Vec<ColumnStats> {
        let t = table();
        let mut acc = TableAccumulator::new(&t);
        for part in parts {
            let mut piece = TableAccumulator::new(&t);
            piece.observe(&batch(part));
            acc.merge(piece);
        }
        acc.finish(&t, &Guard::new(2), &BTreeMap::new())
    }

    proptest! {
        #[test]
        fn merging_parts_equals_observing_the_whole(
            rows in prop::collection::vec(
                (prop::option::of(-50i64..50), prop::option::of("[a-cé ]{0,6}"), prop::option::of(0i64..3_000_000_000_000)),
                0..300,
            ),
            cut in 0usize..300,
        ) {
            let cut = cut.min(rows.len());
            prop_assert_eq!(stats(&[&rows[..cut], &rows[cut..]]), stats(&[&rows]));
        }
    }
}
