//! Which rows are NULL, or hold an edge case. Not a coin flip per row: a coin flip misses the
//! learned rate by a lot on small tables (one NULL in eight rows is 12.5 %, zero is 0 %). Instead
//! exactly `round(rate × rows)` rows are hit, spread over the table by a permutation of the row
//! index, so which rows are hit is a pure function of the plan, computable for any row alone.

use super::permute::Permutation;

#[derive(Debug, Clone)]
pub struct RowPattern {
    rate: f64,
    scatter: Permutation,
}

impl RowPattern {
    pub fn new(rate: f64, rows: u64, key: u64) -> Self {
        RowPattern {
            rate: rate.clamp(0.0, 1.0),
            scatter: Permutation::new(rows.max(1), key),
        }
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
        let j = self.scatter.apply(i) as f64;
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
        }
    }
}
