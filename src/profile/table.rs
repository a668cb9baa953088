//! A table's column accumulators, fed one record batch at a time.

use arrow::record_batch::RecordBatch;
use rayon::prelude::*;

use super::column::ColumnAccumulator;
use super::model::ColumnStats;
use super::privacy::Guard;
use crate::schema::Table;

#[derive(Debug, Clone)]
pub struct TableAccumulator {
    rows: u64,
    columns: Vec<ColumnAccumulator>,
}

impl TableAccumulator {
    pub fn new(table: &Table) -> Self {
        TableAccumulator {
            rows: 0,
            columns: table.columns.iter().map(ColumnAccumulator::new).collect(),
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Observes a batch holding every column of the table, in order. Columns are independent,
    /// so they are observed in parallel; the result does not depend on the thread count.
    pub fn observe(&mut self, batch: &RecordBatch) {
        self.rows += batch.num_rows() as u64;
        self.columns
            .par_iter_mut()
            .zip(batch.columns().par_iter())
            .for_each(|(acc, array)| acc.observe(array));
    }

    pub fn merge(&mut self, other: TableAccumulator) {
        self.rows += other.rows;
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            a.merge(b);
        }
    }

    pub fn finish(&self, table: &Table, guard: &Guard) -> Vec<ColumnStats> {
        self.columns
            .par_iter()
            .zip(table.columns.par_iter())
            .map(|(acc, column)| acc.finish(column, guard))
            .collect()
    }
}
