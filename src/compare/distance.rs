//! Distances between two distributions, each in [0, 1] where 0 means "the same".
//!
//! Distributions arrive as `compare` and profiles hold them: quantile points, shares of values,
//! bucketed histograms. Every function is symmetric and gives exactly 0 for equal inputs, so a
//! source compared with itself scores 100.

use std::collections::BTreeMap;

/// The Kolmogorov-Smirnov distance between two distributions given by quantile points at
/// evenly spaced ranks (the first at rank 0, the last at rank 1). Each CDF is read as a step
/// function through its points, evaluated at every point of both sides.
pub fn ks_quantiles(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            0.0
        } else {
            1.0
        };
    }
    a.iter()
        .chain(b)
        .map(|&x| (step_cdf(a, x) - step_cdf(b, x)).abs())
        .fold(0.0, f64::max)
}

/// The share of the distribution at or below `x`: the highest rank whose point is `<= x`.
fn step_cdf(points: &[f64], x: f64) -> f64 {
    let below = points.partition_point(|&p| p <= x);
    if below == 0 {
        0.0
    } else if points.len() == 1 {
        1.0
    } else {
        (below - 1) as f64 / (points.len() - 1) as f64
    }
}

/// The share of a distribution (given by quantile points) that lies outside `[low, high]`.
pub fn share_outside(points: &[f64], low: f64, high: f64) -> f64 {
    if points.len() < 2 {
        return points.iter().any(|&p| p < low || p > high) as u8 as f64;
    }
    let last = (points.len() - 1) as f64;
    let under = points.partition_point(|&p| p < low) as f64 / last;
    let over = (points.len() - points.partition_point(|&p| p <= high)) as f64 / last;
    (under + over).min(1.0)
}

/// Total-variation distance between two share maps. Shares that don't add up to 1 leave the
/// rest in an implicit "other" bucket on each side.
pub fn tvd<K: Ord>(a: &BTreeMap<K, f64>, b: &BTreeMap<K, f64>) -> f64 {
    let mut sum = 0.0;
    for (k, &x) in a {
        sum += (x - b.get(k).copied().unwrap_or(0.0)).abs();
    }
    for (k, &y) in b {
        if !a.contains_key(k) {
            sum += y;
        }
    }
    let rest_a = (1.0 - a.values().sum::<f64>()).max(0.0);
    let rest_b = (1.0 - b.values().sum::<f64>()).max(0.0);
    sum += (rest_a - rest_b).abs();
    (sum / 2.0).clamp(0.0, 1.0)
}

/// Total-variation distance between two lists of shares over the same buckets (weekdays,
/// hours).
pub fn tvd_slices(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return 1.0;
    }
    let ta: f64 = a.iter().sum();
    let tb: f64 = b.iter().sum();
    if ta == 0.0 || tb == 0.0 {
        return if ta == tb { 0.0 } else { 1.0 };
    }
    let sum: f64 = a.iter().zip(b).map(|(x, y)| (x / ta - y / tb).abs()).sum();
    (sum / 2.0).clamp(0.0, 1.0)
}

/// The Kolmogorov-Smirnov distance between two histograms over ordered buckets (weights need
/// not be normalised).
pub fn ks_histograms<K: Ord + Copy>(a: &BTreeMap<K, f64>, b: &BTreeMap<K, f64>) -> f64 {
    let ta: f64 = a.values().sum();
    let tb: f64 = b.values().sum();
    if ta == 0.0 || tb == 0.0 {
        return if ta == tb { 0.0 } else { 1.0 };
    }
    let mut keys: Vec<K> = a.keys().chain(b.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    let (mut ca, mut cb, mut worst) = (0.0, 0.0, 0.0f64);
    for k in keys {
        ca += a.get(&k).copied().unwrap_or(0.0) / ta;
        cb += b.get(&k).copied().unwrap_or(0.0) / tb;
        worst = worst.max((ca - cb).abs());
    }
    worst.min(1.0)
}

/// The `q`-quantile of a bucketed histogram, as the bucket's lower bound.
pub fn histogram_quantile<K: Ord + Copy>(h: &BTreeMap<K, f64>, q: f64) -> Option<K> {
    let total: f64 = h.values().sum();
    let mut seen = 0.0;
    for (&k, &w) in h {
        seen += w;
        if seen >= q * total - 1e-12 {
            return Some(k);
        }
    }
    h.keys().next_back().copied()
}

/// The value at rank `q` of evenly spaced quantile points, interpolated.
pub fn quantile_at(points: &[f64], q: f64) -> Option<f64> {
    match points.len() {
        0 => None,
        1 => Some(points[0]),
        n => {
            let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            Some(points[lo] + (points[hi] - points[lo]) * (pos - lo as f64))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evenly(n: usize, f: impl Fn(f64) -> f64) -> Vec<f64> {
        (0..n).map(|i| f(i as f64 / (n - 1) as f64)).collect()
    }

    #[test]
    fn ks_is_zero_for_equal_and_one_for_disjoint() {
        let a = evenly(101, |u| u * 10.0);
        assert_eq!(ks_quantiles(&a, &a), 0.0);
        let b = evenly(101, |u| 100.0 + u);
        assert_eq!(ks_quantiles(&a, &b), 1.0);
        let point_a = vec![5.0; 21];
        let point_b = vec![6.0; 21];
        assert_eq!(ks_quantiles(&point_a, &point_b), 1.0);
    }

    #[test]
    fn ks_measures_a_shift() {
        let a = evenly(101, |u| u);
        let b = evenly(101, |u| u + 0.3);
        let d = ks_quantiles(&a, &b);
        assert!((d - 0.3).abs() <= 0.011, "{d}");
    }

    #[test]
    fn tvd_counts_what_moved() {
        let a = BTreeMap::from([("x", 0.5), ("y", 0.5)]);
        let b = BTreeMap::from([("x", 0.5), ("z", 0.5)]);
        assert_eq!(tvd(&a, &a), 0.0);
        assert!((tvd(&a, &b) - 0.5).abs() < 1e-12);
        let partial = BTreeMap::from([("x", 0.5)]);
        assert!(
            (tvd(&a, &partial) - 0.5).abs() < 1e-12,
            "the rest is 'other'"
        );
    }

    #[test]
    fn histogram_ks_and_quantiles() {
        let a = BTreeMap::from([(0u64, 1.0), (1, 1.0), (2, 2.0)]);
        let b = BTreeMap::from([(0u64, 2.0), (1, 1.0), (2, 1.0)]);
        assert!((ks_histograms(&a, &b) - 0.25).abs() < 1e-12);
        assert_eq!(histogram_quantile(&a, 0.5), Some(1));
        assert_eq!(histogram_quantile(&a, 0.99), Some(2));
    }

    #[test]
    fn share_outside_reads_the_tails() {
        let synth = evenly(101, |u| u * 2.0);
        let outside = share_outside(&synth, 0.0, 1.0);
        assert!((outside - 0.5).abs() <= 0.011, "{outside}");
        assert_eq!(share_outside(&synth, -1.0, 3.0), 0.0);
    }
}
