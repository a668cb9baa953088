//! Statistics of array columns: how many elements a value holds, and the elements' own
//! statistics, learned by an ordinary column accumulator of the element type, so generation
//! can make elements like the real ones (and the privacy guard judges them like any column).
//! Values arrive as array literals (see [`crate::schema::array_literal`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::compute::cast;

use super::column::ColumnAccumulator;
use super::model::{bucket_floor, round_share, ArrayStats};
use super::privacy::Guard;
use crate::schema::{array_literal, Column, LogicalType};

/// A value's elements, as text.
type Split = fn(&str) -> Vec<Option<String>>;

#[derive(Debug, Clone)]
pub struct ArrayAccumulator {
    /// Values per element-count bucket.
    lengths: BTreeMap<u32, u64>,
    element: Box<ColumnAccumulator>,
    element_column: Column,
    /// A value's elements: an array literal's, or a bit string's bits (as `t` and `f`).
    split: Split,
}

impl ArrayAccumulator {
    /// An accumulator for an array or bit string column (a bit string is an array of
    /// booleans: its length and its share of 1s), or `None` for any other column.
    pub fn for_column(column: &Column) -> Option<Self> {
        let (element, split): (LogicalType, Split) = match &column.logical {
            LogicalType::Array { element } => ((**element).clone(), array_literal::parse),
            LogicalType::Bit { .. } => (LogicalType::Bool, bits),
            _ => return None,
        };
        let element_column = Column::new(column.name.clone(), element, true);
        Some(ArrayAccumulator {
            lengths: BTreeMap::new(),
            element: Box::new(ColumnAccumulator::new(&element_column)),
            element_column,
            split,
        })
    }

    /// Observes one array of literals (Utf8).
    pub fn observe(&mut self, array: &ArrayRef) {
        let mut elements: Vec<Option<String>> = Vec::new();
        for literal in array.as_string::<i32>().iter().flatten() {
            let parsed = (self.split)(literal);
            *self
                .lengths
                .entry(bucket_floor(parsed.len() as u64) as u32)
                .or_insert(0) += 1;
            elements.extend(parsed);
        }
        if elements.is_empty() {
            return;
        }
        let text: ArrayRef = Arc::new(StringArray::from(elements));
        // An element that doesn't read as its type counts as NULL, as a cast makes it.
        let typed = cast(&text, &self.element_column.logical.arrow_type()).unwrap_or_else(|_| {
            arrow::array::new_null_array(&self.element_column.logical.arrow_type(), text.len())
        });
        self.element.observe(&typed);
    }

    pub fn merge(&mut self, other: ArrayAccumulator) {
        for (k, c) in other.lengths {
            *self.lengths.entry(k).or_insert(0) += c;
        }
        self.element.merge(*other.element);
    }

    pub fn finish(&self, guard: &Guard) -> Option<ArrayStats> {
        let values: u64 = self.lengths.values().sum();
        (values > 0).then(|| ArrayStats {
            lengths: self
                .lengths
                .iter()
                .map(|(&k, &c)| (k, round_share(c as f64 / values as f64)))
                .collect(),
            element: Box::new(self.element.finish(&self.element_column, guard, &None)),
        })
    }
}

/// `0101` as the booleans `f t f t`.
fn bits(text: &str) -> Vec<Option<String>> {
    text.chars()
        .map(|c| Some(if c == '1' { "t" } else { "f" }.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_element_statistics_are_learned() {
        let column = Column::new(
            "tags",
            LogicalType::Array {
                element: Box::new(LogicalType::Int32),
            },
            true,
        );
        let mut acc = ArrayAccumulator::for_column(&column).unwrap();
        let values: ArrayRef = Arc::new(StringArray::from(vec![
            Some("{1,2,3}"),
            Some("{}"),
            None,
            Some("{4,NULL,6}"),
        ]));
        acc.observe(&values);
        let stats = acc.finish(&Guard::new(1)).unwrap();
        assert_eq!(
            stats.lengths,
            [(0, round_share(1.0 / 3.0)), (3, round_share(2.0 / 3.0))]
                .into_iter()
                .collect()
        );
        assert_eq!(stats.element.null_rate, round_share(1.0 / 6.0));
        assert_eq!(stats.element.distinct, 5);
    }
}
