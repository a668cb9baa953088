//! Lookup tables: small tables that other tables reference and that hold no personal data
//! (genres, media types, categories, countries, statuses). Their values are what the rest of the
//! database points at, not facts about people, so they keep their real values in row order, as
//! a `lookup` model, and the table is marked `lookup: true` for the reviewer. Booleans and
//! numbers keep theirs too, so a row stays whole: a state stays in the south, a product keeps
//! its price. Rows are put
//! in the order of an integer primary key, and the key keeps its real values, so `language_id`
//! 1 stays English whatever order the source stored its rows in. A lookup table's reference to
//! another lookup table keeps its real values too: a city stays in its country.
//!
//! Each of their names occurs once, so the privacy guard's count rule would drop every one of
//! them; this is the one exception to it, and `profile --no-lookup-values` turns it off.

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use arrow::record_batch::RecordBatch;

use super::model::{ColumnStats, Semantic, TableProfile};
use super::pii;
use super::text::LONG_VALUE_BYTES;
use super::textmodel::TextModel;

/// The most rows a lookup table may have.
pub const LOOKUP_MAX_ROWS: u64 = 1_000;

/// The values of a table's first rows (text, booleans and numbers, written as text), kept
/// while the table is small enough to be a lookup table. Batches merge in order, so the rows
/// stay in the source's order.
#[derive(Debug, Clone, Default)]
pub struct LookupRows {
    /// Per column: its values written as text, for text, boolean and number columns.
    columns: Vec<Option<Vec<Option<String>>>>,
    /// Per column: its values, for integer columns (a key to put the rows in order by).
    integers: Vec<Option<Vec<Option<i64>>>>,
    rows: u64,
}

impl LookupRows {
    /// Keeps the values of `batch` (text, booleans and numbers), unless the table has grown
    /// past [`LOOKUP_MAX_ROWS`] or holds a value longer than [`LONG_VALUE_BYTES`] (a document
    /// is no lookup value): it then counts its rows as past the limit and keeps nothing.
    pub fn observe(&mut self, batch: &RecordBatch) {
        if self.rows + batch.num_rows() as u64 > LOOKUP_MAX_ROWS || has_long_text(batch) {
            self.rows = (self.rows + batch.num_rows() as u64).max(LOOKUP_MAX_ROWS + 1);
            self.columns.clear();
            self.integers.clear();
            return;
        }
        let columns = batch.columns().iter().map(|array| as_text(array.as_ref()));
        let integers = batch.columns().iter().map(|array| match array.data_type() {
            DataType::Int16 | DataType::Int32 | DataType::Int64 => {
                let wide = cast(array, &DataType::Int64).ok()?;
                Some(wide.as_primitive::<Int64Type>().iter().collect())
            }
            _ => None,
        });
        self.merge(LookupRows {
            columns: columns.collect(),
            integers: integers.collect(),
            rows: batch.num_rows() as u64,
        });
    }

    pub fn merge(&mut self, other: LookupRows) {
        let before = self.rows;
        self.rows += other.rows;
        if self.rows > LOOKUP_MAX_ROWS {
            self.columns.clear();
            self.integers.clear();
        } else if before == 0 {
            self.columns = other.columns;
            self.integers = other.integers;
        } else {
            append(&mut self.columns, other.columns);
            append(&mut self.integers, other.integers);
        }
    }

    /// The smallest and largest value of the integer column `key`, if kept.
    fn range_of(&self, key: usize) -> Option<(i64, i64)> {
        let present = self.integers.get(key)?.as_ref()?.iter().flatten();
        Some((*present.clone().min()?, *present.max()?))
    }

    /// The values of column `c` (text, or integers written out) in row order `order` (the
    /// source's order without one); `None` when the column was not kept.
    fn values_of(&self, c: usize, order: Option<&[usize]>) -> Option<Vec<Option<String>>> {
        let values: Vec<Option<String>> = match (self.columns.get(c), self.integers.get(c)) {
            (Some(Some(text)), _) => text.clone(),
            (_, Some(Some(integers))) => {
                integers.iter().map(|v| v.map(|v| v.to_string())).collect()
            }
            _ => return None,
        };
        Some(match order {
            Some(order) => order.iter().map(|&r| values[r].clone()).collect(),
            None => values,
        })
    }

    /// The row order by the integer column `key` (NULLs last, ties in source order); `None`
    /// when the column was not kept as integers.
    fn order_by(&self, key: usize) -> Option<Vec<usize>> {
        let values = self.integers.get(key)?.as_ref()?;
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by_key(|&r| (values[r].is_none(), values[r]));
        Some(order)
    }
}

/// The values of a text, boolean or number column written as text (`true`, `12.5`), as the
/// generator reads a lookup model's values back; `None` for other types.
fn as_text(array: &dyn Array) -> Option<Vec<Option<String>>> {
    let written = match array.data_type() {
        DataType::Utf8 => return Some(as_strings(array)),
        DataType::Boolean => array
            .as_boolean()
            .iter()
            .map(|v| v.map(|b| b.to_string()))
            .collect(),
        t if t.is_numeric() => as_strings(cast(array, &DataType::Utf8).ok()?.as_ref()),
        _ => return None,
    };
    Some(written)
}

fn as_strings(array: &dyn Array) -> Vec<Option<String>> {
    array
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

/// Appends each column of `more` to the same column of `kept`.
fn append<T>(kept: &mut [Option<Vec<T>>], more: Vec<Option<Vec<T>>>) {
    for (a, b) in kept.iter_mut().zip(more) {
        if let (Some(a), Some(b)) = (a.as_mut(), b) {
            a.extend(b);
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

/// Marks each lookup table and gives its text columns (outside keys, not personal data), and
/// then its boolean and number columns, a `lookup` model with their values; then lists the real keys of lookup tables and the real
/// references from one lookup table to another (see [`list_keys`]). `rows[i]` belongs to
/// `tables[i]`.
pub fn choose_lookups(
    tables: &mut [TableProfile],
    rows: Vec<LookupRows>,
    decided: &BTreeMap<String, BTreeMap<String, Option<String>>>,
) {
    let referenced: Vec<bool> = tables
        .iter()
        .map(|t| is_referenced(tables, &t.schema.name))
        .collect();
    let related = related_numbers(tables);
    let mut kept = Vec::with_capacity(tables.len());
    for ((table, rows), referenced) in tables.iter_mut().zip(rows).zip(referenced) {
        let eligible = referenced
            && table.sampled_rows.is_none()
            && table.row_count <= LOOKUP_MAX_ROWS
            && rows.rows == table.row_count
            && table.column_stats.iter().all(impersonal);
        if !eligible || rows.columns.is_empty() {
            kept.push(None);
            continue;
        }
        let key = match &table.schema.primary_key[..] {
            [key] => table.schema.column_index(key),
            _ => None,
        };
        let order = key.and_then(|k| rows.order_by(k));
        let user_decided = |column: &str| {
            (decided.get(&table.schema.name)).is_some_and(|d| d.contains_key(column))
        };
        // Text decides whether the table is a lookup (its labels); its booleans and numbers
        // then come with them, so a table of amounts and dates alone is no lookup.
        let columns = &table.schema.columns;
        let text_first = (0..columns.len()).filter(|&c| columns[c].logical.is_textual());
        let rest = (0..columns.len()).filter(|&c| !columns[c].logical.is_textual());
        for c in text_first.chain(rest) {
            let column = &table.schema.columns[c];
            let labelled = table.lookup || column.logical.is_textual();
            if !labelled || !matches!(rows.columns.get(c), Some(Some(_))) {
                continue;
            }
            // A key column is made by the key's generator, but a name that is only unique
            // (`UNIQUE (name)` on airlines) keeps its real values: distinct, they keep it unique.
            let distinct = || rows.values_of(c, None).is_some_and(|v| all_distinct(&v));
            let in_key = table.schema.in_any_key(&column.name)
                && !(only_unique(&table.schema, &column.name) && distinct());
            let computed = !column.logical.is_textual()
                && (related.iter()).any(|(t, c)| *t == table.schema.name && *c == column.name);
            if computed {
                continue;
            }
            let stats = table
                .column_stats
                .iter_mut()
                .find(|s| s.column == column.name);
            if let Some(stats) =
                stats.filter(|s| !in_key && s.pii.as_deref().is_none_or(pii::only_free_text))
            {
                let values = rows.values_of(c, order.as_deref()).expect("kept as text");
                if column.logical.is_textual() && holds_personal_value(&values) {
                    continue; // too few to flag the column, one too many to keep verbatim
                }
                if stats.pii.is_some() {
                    if user_decided(&column.name) || !are_labels(&values) {
                        continue; // the user's word, or a description: made from its words
                    }
                    stats.pii = None;
                }
                stats.model = Some(TextModel::Lookup { values });
                table.lookup = true;
            }
        }
        if let (Some(k), Some(range), true) =
            (key, key.and_then(|k| rows.range_of(k)), table.lookup)
        {
            keep_key_range(table, k, range);
        }
        kept.push(table.lookup.then_some((rows, order)));
    }
    let lookups: Vec<String> = (tables.iter())
        .filter(|t| t.lookup)
        .map(|t| t.schema.name.clone())
        .collect();
    for (table, kept) in tables.iter_mut().zip(kept) {
        if let Some((rows, order)) = kept {
            list_keys(table, &rows, order.as_deref(), &lookups);
        }
    }
}

/// The number columns (table, column) that a relation computes: a total of child rows is made
/// from the rows generated, not kept as a lookup's values (a child's copy, multiple, order or
/// clustering reads a lookup's value as well as any other).
fn related_numbers(tables: &[TableProfile]) -> Vec<(String, String)> {
    (tables.iter())
        .flat_map(|t| (t.totals.iter()).map(|x| (t.schema.name.clone(), x.column.clone())))
        .collect()
}

/// Gives a lookup table's one-column primary key, and each one-column foreign key it holds to
/// a lookup table, a `lookup` model with the real values in row order. Generation then gives
/// each row its real id (gaps and all: `1, 2, 4` stays `1, 2, 4`, so a fixture's hard-coded
/// ids keep their names), and each row of a lookup table the real row it referenced (a city
/// stays in its country). Ids and references between lookup tables are labels, not facts
/// about people. A key with a NULL or a repeated value lists nothing, nor does an integer key
/// that counts up by one from its first value (the sequence it is generated as).
fn list_keys(
    table: &mut TableProfile,
    rows: &LookupRows,
    order: Option<&[usize]>,
    lookups: &[String],
) {
    let schema = &table.schema;
    let mut listed: Vec<(usize, Vec<Option<String>>)> = Vec::new();
    if let [key] = &schema.primary_key[..] {
        let c = schema.column_index(key).expect("validated");
        let values = rows
            .values_of(c, order)
            .filter(|v| all_distinct(v) && !counts_up(v));
        listed.extend(values.map(|v| (c, v)));
    }
    for fk in &schema.foreign_keys {
        let ([column], true) = (&fk.columns[..], lookups.contains(&fk.references.table)) else {
            continue;
        };
        let c = schema.column_index(column).expect("validated");
        if let Some(values) = rows
            .values_of(c, order)
            .filter(|_| !listed.iter().any(|l| l.0 == c))
        {
            listed.push((c, values));
        }
    }
    for (c, values) in listed {
        let name = &table.schema.columns[c].name;
        if let Some(stats) = table.column_stats.iter_mut().find(|s| s.column == *name) {
            stats.model = Some(TextModel::Lookup { values });
        }
    }
}

/// Whether the values are integers counting up by one, which the key's real first value
/// (see [`keep_key_range`]) already gives: nothing to list.
fn counts_up(values: &[Option<String>]) -> bool {
    let integers: Option<Vec<i64>> = values.iter().map(|v| v.as_ref()?.parse().ok()).collect();
    integers.is_some_and(|v| v.windows(2).all(|w| w[0].checked_add(1) == Some(w[1])))
}

/// Whether `column` is a key of `table` only as a one-column UNIQUE constraint: in no primary
/// or foreign key.
fn only_unique(table: &crate::schema::Table, column: &str) -> bool {
    table.unique.iter().any(|u| u.len() == 1 && u[0] == column)
        && !table.primary_key.iter().any(|c| c == column)
        && !table
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.iter().any(|c| c == column))
}

/// Whether every value is present and none repeats.
fn all_distinct(values: &[Option<String>]) -> bool {
    let mut seen = rustc_hash::FxHashSet::default();
    values
        .iter()
        .all(|v| v.as_ref().is_some_and(|v| seen.insert(v)))
}

/// A lookup table's integer key keeps its real first and last value (not the privacy guard's
/// k-th), so a key sequence counts from where the real one did: a key is a label, and these
/// labels are what the other tables point at.
fn keep_key_range(table: &mut TableProfile, key: usize, (min, max): (i64, i64)) {
    let name = &table.schema.columns[key].name;
    let numeric = table
        .column_stats
        .iter_mut()
        .find(|s| s.column == *name)
        .and_then(|s| s.numeric.as_mut());
    if let Some(numeric) = numeric {
        (numeric.min, numeric.max) = (min as f64, max as f64);
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

/// Whether one of `values` looks like personal data (a person's name, an email, a phone
/// number; free text aside, which three words of a product's name look like). A lookup model
/// keeps every value verbatim, past the guard's count rule, so one such value keeps the column
/// out: Chinook's artists hold `Miles Davis` among band names, too few for the column to read
/// as names, yet a person's name each.
fn holds_personal_value(values: &[Option<String>]) -> bool {
    values
        .iter()
        .flatten()
        .filter_map(|v| pii::detect(v))
        .any(|kind| kind != pii::Kind::FreeText)
}

/// A column that does not make its table personal: not flagged, or flagged only as binary data
/// or free text (a category's description), whose values a lookup model keeps only when they
/// are labels (see [`are_labels`]).
fn impersonal(stats: &ColumnStats) -> bool {
    stats.pii.as_deref().is_none_or(pii::only_free_text)
        || stats.semantic == Some(Semantic::FreeText)
        || stats.text.as_ref().is_some_and(|t| t.chars.is_empty())
}

/// Most words and characters of a label.
const LABEL_MAX_WORDS: usize = 6;
const LABEL_MAX_CHARS: usize = 64;

/// Whether a lookup table's values that read as free text are labels, one per row, that name
/// the row (`Protected MPEG-4 video file`): present, distinct and short. A sentence or a list
/// (a category's description) is not, nor are labels one of which holds a first name (a
/// sole trader among vendors: `Dr. Maria Garcia Lopez`).
fn are_labels(values: &[Option<String>]) -> bool {
    all_distinct(values)
        && values.iter().flatten().all(|v| {
            v.chars().count() <= LABEL_MAX_CHARS
                && v.split_whitespace().count() <= LABEL_MAX_WORDS
                && !v.contains([',', ';'])
                && !v.ends_with(['.', '!', '?'])
                && !pii::mentions_first_name(v)
        })
}
