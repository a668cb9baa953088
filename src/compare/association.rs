//! How strongly two columns move together, with one figure per kind of pair:
//! Spearman's rank correlation for two ordered columns (numbers, dates), Cramér's V for two
//! categorical ones, and the correlation ratio η (on ranks) for one of each. All are read on the
//! rows where both values are present. Where two columns' NULLs fall is compared apart from
//! their values ([`NULL_PHI`]).

use rustc_hash::FxHashMap;

use crate::profile::relations::{cramers_v, pearson, ranks};

/// How a column takes part in association figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Ordered,
    Category,
}

/// One column's sampled values, aligned by row with the other columns of its table.
#[derive(Debug, Clone, Copy)]
pub enum Values<'a> {
    Ordered(&'a [Option<f64>]),
    Category(&'a [Option<u64>]),
}

/// The measure of how two columns' NULLs go together: the correlation of their NULL
/// indicators.
pub const NULL_PHI: &str = "null_phi";

/// Fewest rows with both values present for a figure to be read.
pub const MIN_ROWS: usize = 10;

/// The figure's name, for reports.
pub fn measure_name(a: Role, b: Role) -> &'static str {
    match (a, b) {
        (Role::Ordered, Role::Ordered) => "spearman",
        (Role::Category, Role::Category) => "cramers_v",
        _ => "correlation_ratio",
    }
}

/// The association of two columns, or `None` when too few rows have both values. A column
/// that is constant on those rows has no association (0).
pub fn association(a: Values, b: Values) -> Option<f64> {
    match (a, b) {
        (Values::Ordered(x), Values::Ordered(y)) => {
            let (x, y): (Vec<f64>, Vec<f64>) = both(x, y).unzip();
            (x.len() >= MIN_ROWS).then(|| pearson(&ranks(&x), &ranks(&y)))
        }
        (Values::Category(x), Values::Category(y)) => {
            let (x, y): (Vec<u64>, Vec<u64>) = both(x, y).unzip();
            (x.len() >= MIN_ROWS).then(|| cramers_v(&x, &y))
        }
        (Values::Ordered(y), Values::Category(g)) | (Values::Category(g), Values::Ordered(y)) => {
            let (g, y): (Vec<u64>, Vec<f64>) = both(g, y).unzip();
            (g.len() >= MIN_ROWS).then(|| correlation_ratio(&g, &ranks(&y)))
        }
    }
}

fn both<'a, A: Copy, B: Copy>(
    a: &'a [Option<A>],
    b: &'a [Option<B>],
) -> impl Iterator<Item = (A, B)> + 'a {
    a.iter().zip(b).filter_map(|(x, y)| Some(((*x)?, (*y)?)))
}

/// The correlation ratio (eta) of the numbers `y` on the groups `groups`: how much of their
/// variance lies between the groups.
pub fn correlation_ratio(groups: &[u64], y: &[f64]) -> f64 {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let mut by_group: FxHashMap<u64, (f64, f64)> = FxHashMap::default();
    for (&g, &v) in groups.iter().zip(y) {
        let e = by_group.entry(g).or_insert((0.0, 0.0));
        e.0 += v;
        e.1 += 1.0;
    }
    let total: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    if total == 0.0 || by_group.len() < 2 {
        return 0.0;
    }
    let mut parts: Vec<(u64, (f64, f64))> = by_group.into_iter().collect();
    parts.sort_by_key(|p| p.0);
    let between: f64 = parts
        .iter()
        .map(|(_, (sum, count))| {
            let m = sum / count;
            count * (m - mean) * (m - mean)
        })
        .sum();
    (between / total).clamp(0.0, 1.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_sees_monotone_relations() {
        let x: Vec<Option<f64>> = (0..50).map(|i| Some(i as f64)).collect();
        let up: Vec<Option<f64>> = (0..50).map(|i| Some((i as f64).powi(3))).collect();
        let down: Vec<Option<f64>> = (0..50).map(|i| Some(-(i as f64))).collect();
        let rho = |a, b| association(Values::Ordered(a), Values::Ordered(b)).unwrap();
        assert!((rho(&x, &up) - 1.0).abs() < 1e-12);
        assert!((rho(&x, &down) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn cramers_v_is_one_for_a_function_and_zero_for_independence() {
        let a: Vec<Option<u64>> = (0..40).map(|i| Some(i % 4)).collect();
        let same: Vec<Option<u64>> = (0..40).map(|i| Some(10 + i % 4)).collect();
        let indep: Vec<Option<u64>> = (0..40).map(|i| Some((i / 4) % 2)).collect();
        let v = |x, y| association(Values::Category(x), Values::Category(y)).unwrap();
        assert!((v(&a, &same) - 1.0).abs() < 1e-12);
        assert!(v(&a, &indep) < 1e-12);
    }

    #[test]
    fn correlation_ratio_separates_groups() {
        let g: Vec<Option<u64>> = (0..40).map(|i| Some((i >= 20) as u64)).collect();
        let y: Vec<Option<f64>> = (0..40).map(|i| Some(i as f64)).collect();
        let eta = association(Values::Category(&g), Values::Ordered(&y)).unwrap();
        assert!(eta > 0.85, "{eta}");
        assert_eq!(
            association(Values::Category(&g[..5]), Values::Ordered(&y[..5])),
            None
        );
    }
}
