//! The privacy guard: which literal values may enter a profile.
//!
//! A value is kept only if it occurs at least `min_count` times, its column is not personal
//! data ([`super::pii`] says which are), and, once keys are known, at least `min_count` distinct
//! entities carry it ([`super::entities`]). Quantiles are read between the `min_count`-th
//! smallest and largest values, so no extreme belongs to a single row, and numbers' points are
//! rounded so that no inner point of precise values does either ([`Guard::quantiles`]). Everything else is
//! described by shape only.

use std::hash::Hash;

use super::model::Share;
use super::sketch::{FixedHash, QuantileSketch, ValueCounter};

/// Most literal values a profile's column may keep.
const MAX_FREQUENT: usize = 50;

/// The 0th, 5th, ..., 100th percentiles.
const PROFILE_QUANTILE_POINTS: usize = 21;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub min_count: u64,
    /// Quantile points reported per column, evenly spaced from the lowest to the highest rank.
    quantile_points: usize,
    /// Most literal values a column may keep.
    max_frequent: usize,
}

impl Guard {
    /// The guard for a profile: 21 quantile points, at most 50 literals per column.
    pub fn new(min_count: u64) -> Self {
        Guard {
            min_count: min_count.max(1),
            quantile_points: PROFILE_QUANTILE_POINTS,
            max_frequent: MAX_FREQUENT,
        }
    }

    /// No guard at all, and finer statistics: for `compare`, whose figures never leave the
    /// machine that can read both sides anyway.
    pub fn unguarded(quantile_points: usize, max_frequent: usize) -> Self {
        Guard {
            min_count: 1,
            quantile_points: quantile_points.max(2),
            max_frequent,
        }
    }

    /// The quantile ranks, squeezed into `[k/n, 1 - k/n]` so that the reported minimum and
    /// maximum have at least `k` values at or beyond them.
    pub fn quantile_ranks(&self, n: u64) -> Vec<f64> {
        let margin = if n == 0 || self.min_count <= 1 {
            0.0
        } else {
            ((self.min_count - 1) as f64 / (n - 1).max(1) as f64).min(0.5)
        };
        let last = (self.quantile_points - 1) as f64;
        (0..self.quantile_points)
            .map(|i| margin + i as f64 / last * (1.0 - 2.0 * margin))
            .collect()
    }

    /// A sketch's quantiles through the guard: at the squeezed ranks
    /// ([`Guard::quantile_ranks`]), and rounded to the power of ten just below the width that
    /// holds `min_count` of the values on average (so a step holds 0.5 to 5 of them where
    /// values spread evenly; a sparse tail holds fewer), unless `min_count` values equal the
    /// point. An inner point of a small table's precise values is then no longer one row's
    /// value: 63 people's coordinates to seven decimals become hundredths of a degree, and an
    /// order rule's gaps (an age minus a longitude) no longer give two columns of one person.
    /// Points squeezed into one (fewer than twice `min_count` values) keep two significant
    /// digits. Values already that coarse (whole ages, a large table's prices) are unchanged.
    pub fn quantiles(&self, sketch: &QuantileSketch) -> Option<Vec<f64>> {
        let n = sketch.count();
        let ranks = self.quantile_ranks(n);
        let mut points = sketch.quantiles(&ranks)?;
        let span = points.last()? - points.first()?;
        let width = span * self.min_count as f64 / n.max(1) as f64;
        let first = points[0].abs();
        let unit = match width {
            _ if self.min_count <= 1 || !width.is_finite() => return Some(points),
            w if w > 0.0 => 10f64.powf(w.log10().floor()),
            _ if first > 0.0 => 10f64.powf(first.log10().floor() - 1.0),
            _ => return Some(points),
        };
        let raw = points.clone();
        for (i, p) in points.iter_mut().enumerate() {
            // A value `min_count` rows hold (a price of 0.99) is no one's own.
            if sketch.count_of(*p) < self.min_count {
                // Finer where values crowd, never coarser than the whole range's unit.
                let unit = self
                    .local_unit(&raw, &ranks, i, n)
                    .map_or(unit, |u| u.min(unit));
                *p = super::precision::round_to_unit(*p, unit);
            }
        }
        // A point kept as it is may stand above the next one rounded down (162 held by many
        // teams, then 162.3 rounded to 160): the points stay in order.
        for i in 1..points.len() {
            points[i] = points[i].max(points[i - 1]);
        }
        Some(points)
    }

    /// The power of ten just below the width that holds `min_count` values around point `i`
    /// (of `n` values, at `ranks`), read from its neighbours: where a skewed column crowds its
    /// values (capital of small firms, most below 0.5 in a range up to 60), the whole range's
    /// unit would round several points onto one value no row holds, and generation would pile
    /// a tenth of its rows there. `None` where the neighbours tell no width.
    fn local_unit(&self, points: &[f64], ranks: &[f64], i: usize, n: u64) -> Option<f64> {
        let (lo, hi) = (i.saturating_sub(1), (i + 1).min(points.len() - 1));
        let values = (ranks[hi] - ranks[lo]) * n as f64;
        let width = (points[hi] - points[lo]) * self.min_count as f64 / values;
        (width > 0.0 && width.is_finite()).then(|| 10f64.powf(width.log10().floor()))
    }

    /// The values that occur at least `min_count` times, as shares of `total`.
    pub fn frequent<K: Hash + Eq + Clone + Ord + FixedHash>(
        &self,
        counter: &ValueCounter<K>,
        total: u64,
        render: impl Fn(&K) -> String,
    ) -> Vec<Share> {
        let kept = counter
            .top(self.max_frequent)
            .into_iter()
            .filter(|(_, c)| *c >= self.min_count)
            .collect();
        super::column::shares(kept, total, render)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_values_never_pass() {
        let mut c = ValueCounter::<String>::default();
        for v in ["Rome", "Rome", "Rome", "Oslo"] {
            c.insert(v);
        }
        let kept = Guard::new(3).frequent(&c, 4, |v| v.clone());
        assert_eq!(
            kept.iter().map(|s| s.value.as_str()).collect::<Vec<_>>(),
            ["Rome"]
        );
        assert!(Guard::new(4).frequent(&c, 4, |v| v.clone()).is_empty());
    }

    #[test]
    fn extremes_stay_k_values_in() {
        let ranks = Guard::new(5).quantile_ranks(101);
        assert!((ranks[0] - 0.04).abs() < 1e-9 && (ranks[20] - 0.96).abs() < 1e-9);
        assert_eq!(Guard::new(1).quantile_ranks(10)[0], 0.0);
    }

    #[test]
    fn quantiles_are_rounded_to_where_k_values_share_a_step() {
        let sketch = |values: &mut dyn Iterator<Item = f64>| {
            let mut s = QuantileSketch::default();
            values.for_each(|v| s.insert(v));
            s
        };
        // 63 latitudes over 0.29 degrees: k = 5 share 0.023 on average, so hundredths.
        let small = sketch(&mut (0..63).map(|i| 33.9 + (i * 8 % 63) as f64 * 0.0046123));
        let points = Guard::new(5).quantiles(&small).unwrap();
        assert!(points
            .iter()
            .all(|p| (p * 100.0 - (p * 100.0).round()).abs() < 1e-9));
        assert!(points.windows(2).all(|w| w[0] <= w[1]));
        // Whole ages stay whole and exact; no guard, no rounding.
        let ages = sketch(&mut (0..63).map(|i| (15 + i) as f64));
        assert_eq!(
            Guard::new(5).quantiles(&ages),
            ages.quantiles(&Guard::new(5).quantile_ranks(63))
        );
        // A point that many rows hold stays, and the rounded ones after it stay above it.
        let held = sketch(&mut (0..63).map(|i| match i {
            0..40 => 162.0,
            40..50 => 162.3 + i as f64 * 0.001,
            _ => 200.0 + i as f64 * 3.0,
        }));
        let points = Guard::new(5).quantiles(&held).unwrap();
        assert!(points.windows(2).all(|w| w[0] <= w[1]), "{points:?}");
        let raw = Guard::new(1).quantiles(&small).unwrap();
        assert!(raw
            .iter()
            .any(|p| (p * 100.0 - (p * 100.0).round()).abs() > 1e-6));
        // Capital of 1,000 firms, most below 0.5 and a few up to 43: the whole range's unit
        // (0.1) would round the first points onto 0.1, which no firm holds; where the values
        // crowd, the points keep what k of them share there.
        let skewed = sketch(&mut (0..1000).map(|i| 0.02 + (i as f64 / 1000.0).powi(6) * 43.0));
        let points = Guard::new(5).quantiles(&skewed).unwrap();
        assert!(points[1..5].windows(2).all(|w| w[0] < w[1]), "{points:?}");
    }
}
