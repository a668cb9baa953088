//! Which rows are NULL, or hold an edge case. Not a coin flip per row: a coin flip misses the
//! learned rate by a lot on small tables (one NULL in eight rows is 12.5 %, zero is 0 %). Instead
//! exactly `round(rate × rows)` rows are hit, spread over the table by a permutation of the row
//! index, so which rows are hit is a pure function of the plan, computable for any row alone.
//!
//! Columns whose NULLs go together share one permutation and each takes a stretch of it (see
//! [`crate::profile::nulls`]): stretches that start together nest, stretches end to end never
//! meet.

use super::permute::Permutation;

#[derive(Debug, Clone)]
pub struct RowPattern {
    rate: f64,
    scatter: Permutation,
    /// For a member of a group: the first scattered position it hits, and how many it hits.
    stretch: Option<(u64, u64)>,
    rows: u64,
}

impl RowPattern {
    pub fn new(rate: f64, rows: u64, key: u64) -> Self {
        RowPattern {
            rate: rate.clamp(0.0, 1.0),
            scatter: Permutation::new(rows.max(1), key),
            stretch: None,
            rows: rows.max(1),
        }
    }

    /// Hits the `round(rate × rows)` rows whose scattered positions come after
    /// `start × rows`, wrapping at the end; patterns made with one `key` share the scattering.
    pub fn stretch(rate: f64, start: f64, rows: u64, key: u64) -> Self {
        let mut pattern = RowPattern::new(rate, rows, key);
        let rows = pattern.rows;
        let first = (start.rem_euclid(1.0) * rows as f64).round() as u64 % rows;
        let len = (pattern.rate * rows as f64).round() as u64;
        pattern.stretch = Some((first, len));
        pattern
    }

    /// Whether row `i` is hit: the rows where `j × rate + ½` crosses an integer, for `j` the
    /// row's scattered position. Over `0..rows` that happens `round(rows × rate)` times.
    pub fn hits(&self, i: u64) -> bool {
        if self.rate <= 0.0 {
            return false;
        }
        if self.rate >= 1.0 {
            return true;
        }
        let j = self.scatter.apply(i);
        if let Some((first, len)) = self.stretch {
            return (j + self.rows - first) % self.rows < len;
        }
        let j = j as f64;
        ((j + 1.0) * self.rate + 0.5).floor() > (j * self.rate + 0.5).floor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_the_rate_within_one_row() {
        for (rate, rows) in [(0.125, 8), (0.3, 1000), (0.01, 77), (0.5, 3)] {
            let pattern = RowPattern::new(rate, rows, 99);
            let nulls = (0..rows).filter(|&i| pattern.hits(i)).count() as f64;
            assert_eq!(nulls, (rate * rows as f64).round(), "{rate} of {rows}");
            let stretch = RowPattern::stretch(rate, 0.7, rows, 99);
            let nulls = (0..rows).filter(|&i| stretch.hits(i)).count() as f64;
            assert_eq!(
                nulls,
                (rate * rows as f64).round(),
                "{rate} of {rows}, stretched"
            );
        }
    }

    #[test]
    fn stretches_of_one_scattering_nest_or_avoid_each_other() {
        let rows = 1000;
        let wide = RowPattern::stretch(0.4, 0.0, rows, 7);
        let inside = RowPattern::stretch(0.1, 0.0, rows, 7);
        let after = RowPattern::stretch(0.3, 0.4, rows, 7);
        let count = |f: &dyn Fn(u64) -> bool| (0..rows).filter(|&i| f(i)).count();
        assert_eq!(count(&|i| inside.hits(i) && !wide.hits(i)), 0);
        assert_eq!(count(&|i| after.hits(i) && wide.hits(i)), 0);
        assert_eq!(count(&|i| after.hits(i)), 300);
    }
}
