//! Array values: an element count drawn from the learned lengths, then elements drawn like a
//! column of the element type (its quantiles, frequent values, text model and NULL rate), written
//! as an array literal (see [`crate::schema::array_literal`]). Without learned statistics (a
//! profile made from DDL) values hold 0 to 3 elements of default shape.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::composite;
use super::values::{Choice, ColumnGen};
use crate::profile::ArrayStats;
use crate::schema::{array_literal, Column, LogicalType};

#[derive(Debug, Clone)]
pub struct ArrayGen {
    /// Element-count buckets `[lo, hi)` at their shares.
    lengths: Choice<(u32, u32)>,
    element: ColumnGen,
    element_null_rate: f64,
    element_type: DataType,
}

impl ArrayGen {
    pub fn new(column: &Column, element: &LogicalType, stats: Option<&ArrayStats>) -> Self {
        let element_stats = stats.map(|s| s.element.as_ref());
        let lengths = match stats {
            Some(s) => Choice::new(composite::buckets(&s.lengths)),
            None => Choice::uniform(vec![(0, 4)]),
        };
        ArrayGen {
            lengths,
            element: composite::part(column, element, element_stats),
            element_null_rate: element_stats.map_or(0.0, |s| s.null_rate),
            element_type: element.arrow_type(),
        }
    }

    /// Appends one array literal to `out`.
    pub fn write(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        let (lo, hi) = *self.lengths.sample_normalized(rng).unwrap_or(&(0, 1));
        let n = rng.random_range(lo..hi.max(lo + 1)) as usize;
        let elements = self.elements(rng, n);
        let text = elements.as_string::<i32>();
        let nulls: Vec<bool> = (0..n)
            .map(|_| rng.random::<f64>() < self.element_null_rate)
            .collect();
        array_literal::write(
            (0..n).map(|i| (!nulls[i] && text.is_valid(i)).then(|| text.value(i))),
            out,
        );
    }

    /// `n` elements as text, drawn by the element's generator.
    fn elements(&self, rng: &mut ChaCha8Rng, n: usize) -> ArrayRef {
        let buffer = composite::draw(&self.element, &self.element_type, rng, n);
        composite::as_text(buffer, &self.element_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ColumnStats;
    use rand::SeedableRng;

    #[test]
    fn arrays_follow_learned_lengths_and_elements() {
        let column = Column::new("tags", LogicalType::Text { max_chars: None }, true);
        let stats = ArrayStats {
            lengths: [(2, 1.0)].into_iter().collect(),
            element: Box::new(ColumnStats {
                frequent: vec![crate::profile::Share {
                    value: "red sky".into(),
                    share: 1.0,
                }],
                ..Default::default()
            }),
        };
        let element = LogicalType::Text { max_chars: None };
        let gen = ArrayGen::new(&column, &element, Some(&stats));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = String::new();
        gen.write(&mut rng, &mut out);
        assert_eq!(out, r#"{"red sky","red sky"}"#);
        let ints = ArrayGen::new(&column, &LogicalType::Int32, None);
        out.clear();
        ints.write(&mut rng, &mut out);
        let parsed = array_literal::parse(&out);
        assert!(
            parsed.len() < 4
                && parsed
                    .iter()
                    .all(|e| e.as_ref().unwrap().parse::<i32>().is_ok()),
            "{out}"
        );
    }
}
