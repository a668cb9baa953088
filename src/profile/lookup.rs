//! Lookup tables: small tables that other tables reference and that hold no personal data
//! (genres, media types, categories, countries, statuses). Their values are what the rest of the
//! database points at, not facts about people, so they keep their real values in row order, as
//! a `lookup` text model, and the table is marked `lookup: true` for the reviewer.
//!
//! Each of their names occurs once, so the privacy guard's count rule would drop every one of
//! them; this is the one exception to it, and `profile --no-lookup-values` turns it off.

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;

use super::model::{ColumnStats, Semantic, TableProfile};
use super::text::LONG_VALUE_BYTES;
use super::textmodel::TextModel;

/// The most rows a lookup table may have.
pub const LOOKUP_MAX_ROWS: u64 = 1_000;

/// The text values of a table's first rows, kept while the table is small enough to be a
/// lookup table. Batches merge in order, so the rows stay in the source's order.
#[derive(Debug, Clone, Default)]
pub struct LookupRows {
    /// Per column: its values, for text columns.
    columns: Vec<Option<Vec<Option<String>>>>,
    rows: u64,
}

impl LookupRows {
    /// Keeps the text values of `batch`, unless the table has grown past [`LOOKUP_MAX_ROWS`]
    /// or holds a value longer than [`LONG_VALUE_BYTES`] (a document is no lookup value): it
    /// then counts its rows as past the limit and keeps nothing.
    pub fn observe(&mut self, batch: &RecordBatch) {
        if self.rows + batch.num_rows() as u64 > LOOKUP_MAX_ROWS || has_long_text(batch) {
            self.rows = (self.rows + batch.num_rows() as u64).max(LOOKUP_MAX_ROWS + 1);
            self.columns.clear();
            return;
        }
        let columns = batch.columns().iter().map(|array| match array.data_type() {
            DataType::Utf8 => Some(
                array
                    .as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect(),
            ),
            _ => None,
        });
        self.merge(LookupRows {
            columns: columns.collect(),
            rows: batch.num_rows() as u64,
        });
    }

    pub fn merge(&mut self, other: LookupRows) {
        let before = self.rows;
        self.rows += other.rows;
        if self.rows > LOOKUP_MAX_ROWS {
            self.columns.clear();
        } else if before == 0 {
            self.columns = other.columns;
        } else {
            for (a, b) in self.columns.iter_mut().zip(other.columns) {
                if let (Some(a), Some(b)) = (a.as_mut(), b) {
                    a.extend(b);
                }
            }
        }
    }
}

fn has_long_text(batch: &RecordBatch) -> bool {
    batch.columns().iter().any(|array| {
        array.data_type() == &DataType::Utf8
            && array
                .as_string::<i32>()
                .iter()
                .flatten()
                .any(|v| v.len() > LONG_VALUE_BYTES)
    })
}

/// Marks each lookup table and gives its text columns (outside keys, not personal data) a
/// `lookup` model with their values. `rows[i]` belongs to `tables[i]`.
pub fn choose_lookups(tables: &mut [TableProfile], rows: Vec<LookupRows>) {
    let referenced: Vec<bool> = tables
        .iter()
        .map(|t| is_referenced(tables, &t.schema.name))
        .collect();
    for ((table, rows), referenced) in tables.iter_mut().zip(rows).zip(referenced) {
        let eligible = referenced
            && table.sampled_rows.is_none()
            && table.row_count <= LOOKUP_MAX_ROWS
            && rows.rows == table.row_count
            && table.column_stats.iter().all(impersonal);
        if !eligible || rows.columns.is_empty() {
            continue;
        }
        for (column, values) in table.schema.columns.iter().zip(rows.columns) {
            let Some(values) = values else { continue };
            let in_key = table.schema.in_any_key(&column.name);
            let stats = table
                .column_stats
                .iter_mut()
                .find(|s| s.column == column.name);
            if let Some(stats) = stats.filter(|s| s.pii.is_none() && !in_key) {
                stats.model = Some(TextModel::Lookup { values });
                table.lookup = true;
            }
        }
    }
}

/// Whether another table has a foreign key to `name`.
fn is_referenced(tables: &[TableProfile], name: &str) -> bool {
    tables.iter().any(|t| {
        t.schema.name != name
            && t.schema
                .foreign_keys
                .iter()
                .any(|fk| fk.references.table == name)
    })
}

/// A column that does not make its table personal: not flagged, or flagged only as binary data
/// or free text (a category's description), whose values a lookup model never keeps.
fn impersonal(stats: &ColumnStats) -> bool {
    stats.pii.is_none()
        || stats.semantic == Some(Semantic::FreeText)
        || stats.text.as_ref().is_some_and(|t| t.chars.is_empty())
}
