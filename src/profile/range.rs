//! Statistics of range columns (`int4range`, `daterange`, ...): the share of empty ranges, of
//! infinite and inclusive bounds, each bound's statistics, learned by an ordinary column
//! accumulator of the element type, and the width (upper - lower, in the element's numeric
//! unit: days for dates, microseconds for timestamps) of ranges with two finite bounds, so
//! generation draws ranges like the real ones (and the privacy guard judges bounds and widths
//! like any column). A multirange is its ranges, learned alike, plus how many it holds. Values arrive as range literals (see
//! [`crate::schema::range_literal`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};

use super::column::ColumnAccumulator;
use super::model::{bucket_floor, round_share, RangeStats};
use super::privacy::Guard;
use crate::schema::{range_literal, Column, LogicalType};

#[derive(Debug, Clone)]
pub struct RangeAccumulator {
    values: u64,
    empty: u64,
    lower_infinite: u64,
    upper_infinite: u64,
    lower_inclusive: u64,
    upper_inclusive: u64,
    lower: Box<ColumnAccumulator>,
    upper: Box<ColumnAccumulator>,
    width: Box<ColumnAccumulator>,
    bound_column: Column,
    width_column: Column,
    /// For a multirange: values per range-count bucket.
    counts: Option<BTreeMap<u32, u64>>,
}

impl RangeAccumulator {
    /// An accumulator for a range or multirange column, or `None` for any other column.
    pub fn for_column(column: &Column) -> Option<Self> {
        let (element, multi) = match &column.logical {
            LogicalType::Range { element } => (element, false),
            LogicalType::MultiRange { element } => (element, true),
            _ => return None,
        };
        let bound_column = Column::new(column.name.clone(), (**element).clone(), true);
        let width_column = Column::new(column.name.clone(), LogicalType::Float64, true);
        Some(RangeAccumulator {
            width: Box::new(ColumnAccumulator::new(&width_column)),
            width_column,
            values: 0,
            empty: 0,
            lower_infinite: 0,
            upper_infinite: 0,
            lower_inclusive: 0,
            upper_inclusive: 0,
            lower: Box::new(ColumnAccumulator::new(&bound_column)),
            upper: Box::new(ColumnAccumulator::new(&bound_column)),
            bound_column,
            counts: multi.then(BTreeMap::new),
        })
    }

    /// Observes one array of range (or multirange) literals (Utf8). Text that is no range
    /// counts as empty.
    pub fn observe(&mut self, array: &ArrayRef) {
        let mut ranges = Vec::new();
        for literal in array.as_string::<i32>().iter().flatten() {
            match &mut self.counts {
                Some(counts) => {
                    let members = range_literal::parse_multi(literal).unwrap_or_default();
                    *counts
                        .entry(bucket_floor(members.len() as u64) as u32)
                        .or_insert(0) += 1;
                    ranges.extend(members);
                }
                None => ranges.push(range_literal::parse(literal).flatten()),
            }
        }
        let (mut lower, mut upper) = (Vec::new(), Vec::new());
        for range in ranges {
            self.values += 1;
            let Some(bounds) = range else {
                self.empty += 1;
                continue;
            };
            self.lower_infinite += u64::from(bounds.lower.is_none());
            self.upper_infinite += u64::from(bounds.upper.is_none());
            self.lower_inclusive += u64::from(bounds.lower_inclusive);
            self.upper_inclusive += u64::from(bounds.upper_inclusive);
            lower.push(bounds.lower);
            upper.push(bounds.upper);
        }
        if lower.is_empty() {
            return;
        }
        let bound_type = self.bound_column.logical.arrow_type();
        let typed = |values: Vec<Option<String>>| {
            let text: ArrayRef = Arc::new(StringArray::from(values));
            // A bound that doesn't read as its type counts as infinite, as a cast makes it NULL.
            cast(&text, &bound_type)
                .unwrap_or_else(|_| arrow::array::new_null_array(&bound_type, text.len()))
        };
        let (lower, upper) = (typed(lower), typed(upper));
        self.lower.observe(&lower);
        self.upper.observe(&upper);
        let widths: Float64Array = numbers(&lower)
            .into_iter()
            .zip(numbers(&upper))
            .map(|(lo, hi)| Some(hi? - lo?))
            .collect();
        self.width.observe(&(Arc::new(widths) as ArrayRef));
    }

    pub fn merge(&mut self, other: RangeAccumulator) {
        self.values += other.values;
        self.empty += other.empty;
        self.lower_infinite += other.lower_infinite;
        self.upper_infinite += other.upper_infinite;
        self.lower_inclusive += other.lower_inclusive;
        self.upper_inclusive += other.upper_inclusive;
        self.lower.merge(*other.lower);
        self.upper.merge(*other.upper);
        self.width.merge(*other.width);
        if let (Some(a), Some(b)) = (&mut self.counts, other.counts) {
            b.into_iter()
                .for_each(|(k, n)| *a.entry(k).or_insert(0) += n);
        }
    }

    pub fn finish(&self, guard: &Guard) -> Option<RangeStats> {
        let bounded = self.values - self.empty;
        let share = |n: u64, of: u64| {
            if of == 0 {
                0.0
            } else {
                round_share(n as f64 / of as f64)
            }
        };
        (self.values > 0).then(|| RangeStats {
            empty_rate: share(self.empty, self.values),
            lower_infinite_rate: share(self.lower_infinite, bounded),
            upper_infinite_rate: share(self.upper_infinite, bounded),
            lower_inclusive_rate: share(self.lower_inclusive, bounded),
            upper_inclusive_rate: share(self.upper_inclusive, bounded),
            lower: Box::new(self.lower.finish(&self.bound_column, guard, &None)),
            upper: Box::new(self.upper.finish(&self.bound_column, guard, &None)),
            width: Box::new(self.width.finish(&self.width_column, guard, &None)),
            counts: self.counts.as_ref().map_or_else(BTreeMap::new, |counts| {
                let total: u64 = counts.values().sum();
                counts
                    .iter()
                    .map(|(&k, &n)| (k, round_share(n as f64 / total as f64)))
                    .collect()
            }),
        })
    }
}

/// Bounds on their numeric line (dates as days, timestamps as microseconds).
fn numbers(array: &ArrayRef) -> Vec<Option<f64>> {
    let line = match array.data_type() {
        DataType::Date32 => {
            cast(array, &DataType::Int32).and_then(|a| cast(&a, &DataType::Float64))
        }
        DataType::Timestamp(..) => {
            cast(array, &DataType::Int64).and_then(|a| cast(&a, &DataType::Float64))
        }
        _ => cast(array, &DataType::Float64),
    };
    match line {
        Ok(line) => line.as_primitive::<Float64Type>().iter().collect(),
        Err(_) => vec![None; array.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_rates_are_learned() {
        let column = Column::new(
            "span",
            LogicalType::Range {
                element: Box::new(LogicalType::Int32),
            },
            true,
        );
        let mut acc = RangeAccumulator::for_column(&column).unwrap();
        let values: ArrayRef = Arc::new(StringArray::from(vec![
            Some("[1,5)"),
            Some("empty"),
            None,
            Some("[3,)"),
            Some("[7,9)"),
        ]));
        acc.observe(&values);
        let stats = acc.finish(&Guard::new(1)).unwrap();
        assert_eq!(stats.empty_rate, 0.25);
        assert_eq!(stats.upper_infinite_rate, round_share(1.0 / 3.0));
        assert_eq!(stats.lower_inclusive_rate, 1.0);
        assert_eq!(stats.upper_inclusive_rate, 0.0);
        let lower = stats.lower.numeric.unwrap();
        assert_eq!((lower.min, lower.max), (1.0, 7.0));
        assert_eq!(stats.upper.null_rate, round_share(1.0 / 3.0));
        let width = stats.width.numeric.unwrap();
        assert_eq!((width.min, width.max), (2.0, 4.0));
        assert!(stats.counts.is_empty());
    }

    #[test]
    fn multiranges_learn_their_ranges_and_how_many() {
        let column = Column::new(
            "spans",
            LogicalType::MultiRange {
                element: Box::new(LogicalType::Int32),
            },
            true,
        );
        let mut acc = RangeAccumulator::for_column(&column).unwrap();
        let values: ArrayRef = Arc::new(StringArray::from(vec![
            Some("{[1,3),[6,10)}"),
            Some("{}"),
            Some("{[2,4)}"),
        ]));
        acc.observe(&values);
        let stats = acc.finish(&Guard::new(1)).unwrap();
        let third = round_share(1.0 / 3.0);
        assert_eq!(
            stats.counts,
            [(0, third), (1, third), (2, third)].into_iter().collect()
        );
        assert_eq!(stats.empty_rate, 0.0);
        assert_eq!(stats.lower.numeric.as_ref().unwrap().max, 6.0);
    }
}
