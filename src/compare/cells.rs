//! Values as `compare` sees them: one [`Cell`] per value, whatever the source's type, so a
//! column read as `numeric` from PostgreSQL and as a float from CSV compare alike.
//!
//! Numbers and booleans become `f64`; dates, times and timestamps become microseconds (a date
//! is its midnight), so a date column and a timestamp column share one time line; everything
//! else becomes text.

use std::fmt::Write;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;

use crate::hashing::{hash_bytes, mix64};
use crate::profile::relations::ordered_values;
use crate::temporal::MICROS_PER_DAY;

/// Longest text kept in a sampled cell, in bytes; enough for shapes and words.
const MAX_TEXT_BYTES: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Number(f64),
    /// Text cut to [`MAX_TEXT_BYTES`], with the hash of the whole value.
    Text {
        text: Box<str>,
        hash: u64,
    },
}

impl Cell {
    /// A fixed hash of the whole value: equal values hash alike (an integer stored as `int16`,
    /// `int64`, a float or a decimal hashes the same).
    pub fn hash(&self) -> u64 {
        match self {
            Cell::Null => NULL_HASH,
            Cell::Number(v) => number_hash(*v),
            Cell::Text { hash, .. } => *hash,
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(v) => Some(*v),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text { text, .. } => Some(text),
            _ => None,
        }
    }
}

const NULL_HASH: u64 = 0x6e75_6c6c;

fn number_hash(v: f64) -> u64 {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        mix64(v as i64 as u64)
    } else {
        mix64(v.to_bits() ^ 0x51ab_7e3d)
    }
}

/// One column of a batch, read once: its values as numbers (for ordered types) and a hash per
/// row. Cells are built only for the rows a sample keeps.
pub struct ColumnValues {
    numbers: Option<Vec<Option<f64>>>,
    text: Option<ArrayRef>,
    pub hashes: Vec<u64>,
}

impl ColumnValues {
    pub fn new(array: &ArrayRef) -> Self {
        if let Some(numbers) = numbers(array) {
            let hashes = numbers
                .iter()
                .map(|v| v.map_or(NULL_HASH, number_hash))
                .collect();
            return ColumnValues {
                numbers: Some(numbers),
                text: None,
                hashes,
            };
        }
        let text = match array.data_type() {
            DataType::Utf8 => array.clone(),
            _ => cast(array, &DataType::Utf8)
                .unwrap_or_else(|_| arrow::array::new_null_array(&DataType::Utf8, array.len())),
        };
        let hashes = text
            .as_string::<i32>()
            .iter()
            .map(|v| v.map_or(NULL_HASH, |s| hash_bytes(s.as_bytes())))
            .collect();
        ColumnValues {
            numbers: None,
            text: Some(text),
            hashes,
        }
    }

    /// The values as numbers, for ordered types and booleans.
    pub fn numbers(&self) -> Option<&[Option<f64>]> {
        self.numbers.as_deref()
    }

    /// The text of row `row`, for text columns (`None` when NULL or not text).
    pub fn str_at(&self, row: usize) -> Option<&str> {
        let text = self.text.as_ref()?;
        text.is_valid(row)
            .then(|| text.as_string::<i32>().value(row))
    }

    pub fn cell(&self, row: usize) -> Cell {
        if let Some(numbers) = &self.numbers {
            return numbers[row].map_or(Cell::Null, Cell::Number);
        }
        let text = self.text.as_ref().expect("a column is numbers or text");
        if text.is_null(row) {
            return Cell::Null;
        }
        Cell::Text {
            text: truncate(text.as_string::<i32>().value(row)).into(),
            hash: self.hashes[row],
        }
    }
}

/// Binary values as PostgreSQL's text form (`\x` and hex digits), which is how a CSV export
/// holds them, so both compare alike.
pub fn binary_as_hex(array: &ArrayRef) -> ArrayRef {
    Arc::new(
        array
            .as_binary::<i32>()
            .iter()
            .map(|v| v.map(bytea_hex))
            .collect::<StringArray>(),
    )
}

fn bytea_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("\\x");
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn truncate(s: &str) -> &str {
    if s.len() <= MAX_TEXT_BYTES {
        return s;
    }
    let mut end = MAX_TEXT_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An array's values as numbers on one line (booleans as 0 and 1, dates as their midnight in
/// microseconds, so dates and timestamps share a line), or `None` for types with no order.
pub fn numbers(array: &ArrayRef) -> Option<Vec<Option<f64>>> {
    match array.data_type() {
        DataType::Boolean => Some(
            array
                .as_boolean()
                .iter()
                .map(|v| v.map(|b| b as u8 as f64))
                .collect(),
        ),
        DataType::Date32 => Some(
            ordered_values(array)?
                .into_iter()
                .map(|d| d.map(|d| d * MICROS_PER_DAY as f64))
                .collect(),
        ),
        _ => ordered_values(array),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Decimal128Array, Float64Array, Int16Array, StringArray};

    use super::*;

    #[test]
    fn numbers_of_any_type_hash_alike() {
        let small: ArrayRef = Arc::new(Int16Array::from(vec![7]));
        let float: ArrayRef = Arc::new(Float64Array::from(vec![7.0]));
        let decimal: ArrayRef = Arc::new(
            Decimal128Array::from(vec![700])
                .with_precision_and_scale(5, 2)
                .unwrap(),
        );
        let hashes: Vec<u64> = [small, float, decimal]
            .iter()
            .map(|a| ColumnValues::new(a).hashes[0])
            .collect();
        assert_eq!(hashes[0], hashes[1]);
        assert_eq!(hashes[1], hashes[2]);
        assert_ne!(Cell::Number(7.5).hash(), hashes[0]);
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary_but_hashed_whole() {
        let long = "é".repeat(200);
        let longer = format!("{long}x");
        let array: ArrayRef = Arc::new(StringArray::from(vec![
            Some(long.as_str()),
            None,
            Some(&longer),
        ]));
        let values = ColumnValues::new(&array);
        let (a, c) = (values.cell(0), values.cell(2));
        assert_eq!(a.text().unwrap().len(), MAX_TEXT_BYTES);
        assert_eq!(a.text(), c.text());
        assert_ne!(a.hash(), c.hash());
        assert_eq!(values.cell(1), Cell::Null);
    }
}
