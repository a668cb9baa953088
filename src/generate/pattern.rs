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

    /// Hits the `len` rows whose scattered positions are `first`, `first + 1`, …, wrapping at
    /// the end; patterns made with one `key` share the scattering (see [`stretches`]).
    pub fn stretch(first: u64, len: u64, rows: u64, key: u64) -> Self {
        let rows = rows.max(1);
        let mut pattern = RowPattern::new(len as f64 / rows as f64, rows, key);
        pattern.stretch = Some((first % rows, len.min(rows)));
        pattern
    }

    /// Whether row `i` is hit: for `j` the row's scattered position, whether `j` lies in the
    /// stretch, or else whether `j × rate + ½` crosses an integer there (which over `0..rows`
    /// happens `round(rows × rate)` times).
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

/// Boundaries of stretches closer than this (as shares of the rows) are one boundary: a start
/// written at another member's end meets it exactly, though the two were rounded apart.
const SNAP: f64 = 2e-6;

/// Where the stretch of each member of a null group lies, as (first position, length), for
/// members given as (start, null rate) over `rows` rows. Each length is `round(rate × rows)`,
/// unless the member's start or end snaps to another member's boundary (then it may differ by
/// a few rows in a million), so stretches that meet in the profile meet in the rows: exclusive
/// NULLs never share a row, nested ones never leave their stretch.
pub fn stretches(members: &[(f64, f64)], rows: u64) -> Vec<(u64, u64)> {
    let rows = rows.max(1);
    // Boundaries near the end of the circle belong with those near its start.
    let on_circle = |x: f64| {
        let x = x.rem_euclid(1.0);
        if x > 1.0 - SNAP {
            x - 1.0
        } else {
            x
        }
    };
    let mut boundaries: Vec<f64> = members
        .iter()
        .flat_map(|&(start, rate)| [on_circle(start), on_circle(start + rate)])
        .collect();
    boundaries.sort_by(f64::total_cmp);
    // Each boundary's representative: the first of the run of boundaries it is close to.
    let mut representatives: Vec<(f64, f64)> = Vec::new();
    for &b in &boundaries {
        match representatives.last() {
            Some(&(first, _)) if b - first < SNAP => representatives.push((first, b)),
            _ => representatives.push((b, b)),
        }
    }
    let position = |x: f64| -> u64 {
        let x = on_circle(x);
        let at = representatives.iter().find(|r| r.1 == x).map_or(x, |r| r.0);
        ((at * rows as f64).round() as i64).rem_euclid(rows as i64) as u64
    };
    members
        .iter()
        .map(|&(start, rate)| {
            let count = (rate.clamp(0.0, 1.0) * rows as f64).round() as u64;
            let first = position(start);
            let len = match count {
                0 => 0,
                c if c >= rows => rows,
                c => match (position(start + rate) + rows - first) % rows {
                    0 => c,
                    snapped => snapped,
                },
            };
            (first, len)
        })
        .collect()
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
            let (first, len) = stretches(&[(0.7, rate)], rows)[0];
            let stretch = RowPattern::stretch(first, len, rows, 99);
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
        // `after` starts where `wide` ends, as the profile wrote it (rounded to a millionth);
        // 1,000,003 rows would put the rounded boundaries a row apart.
        let rows = 1_000_003;
        let members = [(0.0, 0.412347), (0.0, 0.1), (0.412347, 0.3), (0.9, 0.2)];
        let placed: [(u64, u64); 4] = stretches(&members, rows).try_into().unwrap();
        let [wide, inside, after, wrapping] =
            placed.map(|(first, len)| RowPattern::stretch(first, len, rows, 7));
        let count = |f: &dyn Fn(u64) -> bool| (0..rows).filter(|&i| f(i)).count();
        assert_eq!(count(&|i| inside.hits(i) && !wide.hits(i)), 0);
        assert_eq!(count(&|i| after.hits(i) && wide.hits(i)), 0);
        assert_eq!(
            count(&|i| !after.hits(i) && !wide.hits(i) && inside.hits(i)),
            0
        );
        assert_eq!(count(&|i| after.hits(i)), 300_001);
        assert_eq!(count(&|i| wrapping.hits(i) && wide.hits(i)), 100_000);
        // It wraps to end where `inside` ends, a row short of round(0.2 × rows).
        assert_eq!(count(&|i| wrapping.hits(i)), 200_000);
    }
}
