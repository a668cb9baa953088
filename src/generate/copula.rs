//! Columns that move together: a Gaussian copula over a table's ordered value columns, and
//! columns derived from an anchor by a learned gap so that an order (`shipped >= placed`)
//! holds in every row.
//!
//! The copula takes the profile's normal correlation matrix (or, from an older profile, its
//! Spearman correlations converted by `2 sin(πρ/6)`), draws `z ~ N(0, Σ)` per row through its Cholesky factor, and hands each
//! column the uniform `Φ(z)`; the column's own sampler maps it to a value, so marginals stay
//! what the profile says. An anchored column is `anchor + gap`, with the gap drawn from its
//! learned quantiles: the order holds by construction, and the two stay as close as they were.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::values::{weekday_shift, Buffer, Choice};
use crate::hashing::combine;

/// Columns drawn jointly, by index into the table's columns.
#[derive(Debug, Clone)]
pub struct Copula {
    pub columns: Vec<usize>,
    /// Lower-triangular Cholesky factor of the normal correlation matrix.
    lower: Vec<Vec<f64>>,
    salt: u64,
}

impl Copula {
    /// A copula for `columns` from the correlations of their normals, or `None` when no pair
    /// is correlated.
    pub fn new(columns: Vec<usize>, normal: &[Vec<f64>], salt: u64) -> Option<Copula> {
        let n = columns.len();
        let off_diagonal =
            (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)));
        if n < 2 || off_diagonal.clone().all(|(i, j)| normal[i][j] == 0.0) {
            return None;
        }
        // Correlations read pairwise on different rows need not form a valid matrix: shrink
        // towards independence until it factors.
        let mut shrink = 1.0;
        for _ in 0..300 {
            let scaled: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    (0..n)
                        .map(|j| if i == j { 1.0 } else { normal[i][j] * shrink })
                        .collect()
                })
                .collect();
            if let Some(lower) = cholesky(&scaled) {
                return Some(Copula {
                    columns,
                    lower,
                    salt,
                });
            }
            shrink *= 0.99;
        }
        None
    }

    /// Per column of the copula, one uniform per row of the chunk.
    pub fn uniforms(&self, seed: u64, chunk: u64, rows: usize) -> Vec<Vec<f64>> {
        let n = self.columns.len();
        let mut rng = ChaCha8Rng::seed_from_u64(combine([seed, self.salt, chunk]));
        let mut out = vec![Vec::with_capacity(rows); n];
        let mut normals = vec![0.0; n];
        for _ in 0..rows {
            normals
                .iter_mut()
                .for_each(|x| *x = rng.sample(StandardNormal));
            for (i, row) in self.lower.iter().enumerate() {
                let z: f64 = row.iter().zip(&normals).map(|(l, x)| l * x).sum();
                out[i].push(normal_cdf(z));
            }
        }
        out
    }
}

/// Φ, the standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The Cholesky factor of a symmetric matrix, or `None` when it is not positive definite.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - sum;
                if d <= 1e-9 {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - sum) / l[j][j];
            }
        }
    }
    Some(l)
}

/// A column made from another: `dependent = anchor + gap`, the gap drawn from its quantiles.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// Positions in the generated batch (indices into the plan's output).
    pub dependent: usize,
    pub anchor: usize,
    pub gap: Vec<f64>,
    /// The smallest gap allowed (one step for a strict order, else 0).
    pub min_gap: f64,
    /// Rounding step of the dependent column (1 for integers and dates, 0 for floats).
    pub step: f64,
    pub limits: (f64, f64),
    /// The dependent's weekday mix (Monday = 0) and its units per day: the derived value moves
    /// by up to three days to a weekday drawn from the mix, or a week later when moving back
    /// would break the order.
    pub weekdays: Option<(Choice<i64>, i64)>,
    pub salt: u64,
}

impl Anchor {
    /// Rewrites the dependent column where both it and its anchor are present.
    pub fn apply(&self, buffers: &mut [Buffer], seed: u64, chunk: u64) {
        let mut rng = ChaCha8Rng::seed_from_u64(combine([seed, self.salt, chunk]));
        let anchor: Vec<Option<f64>> = buffers[self.anchor].numbers();
        let dependent = &mut buffers[self.dependent];
        for (i, a) in anchor.into_iter().enumerate() {
            let u: f64 = rng.random();
            let Some(a) = a else { continue };
            if !dependent.is_present(i) {
                continue;
            }
            let mut gap = interpolate(&self.gap, u).max(self.min_gap);
            if self.step > 0.0 {
                gap = (gap / self.step).round() * self.step;
                gap = gap.max(self.min_gap);
            }
            if let Some((mix, unit)) = &self.weekdays {
                if let Some(&target) = mix.sample_normalized(&mut rng) {
                    let mut shift =
                        weekday_shift((a + gap).div_euclid(*unit as f64) as i64, target);
                    if gap + ((shift * unit) as f64) < self.min_gap {
                        shift += 7;
                    }
                    gap += (shift * unit) as f64;
                }
            }
            dependent.set_number(i, (a + gap).clamp(self.limits.0, self.limits.1));
        }
    }
}

/// The value at rank `u` (0..1) of evenly spaced quantile points, interpolated linearly.
pub fn interpolate(quantiles: &[f64], u: f64) -> f64 {
    match quantiles.len() {
        0 => 0.0,
        1 => quantiles[0],
        n => {
            let pos = u * (n - 1) as f64;
            let i = (pos.floor() as usize).min(n - 2);
            quantiles[i] + (quantiles[i + 1] - quantiles[i]) * (pos - i as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::relations::spearman;

    #[test]
    fn uniforms_keep_the_rank_correlation() {
        let normal = 2.0 * (std::f64::consts::PI * 0.9 / 6.0).sin();
        let copula = Copula::new(vec![0, 1], &[vec![1.0, normal], vec![normal, 1.0]], 7).unwrap();
        let u = copula.uniforms(1, 0, 20_000);
        let rho = spearman(&u[0], &u[1]);
        assert!((rho - 0.9).abs() < 0.02, "{rho}");
        let mean: f64 = u[0].iter().sum::<f64>() / u[0].len() as f64;
        assert!((mean - 0.5).abs() < 0.01, "uniform marginals: {mean}");
        assert_eq!(u, copula.uniforms(1, 0, 20_000), "deterministic");
    }

    #[test]
    fn an_invalid_matrix_is_shrunk_until_it_factors() {
        let m = vec![
            vec![1.0, 0.95, -0.95],
            vec![0.95, 1.0, 0.95],
            vec![-0.95, 0.95, 1.0],
        ];
        assert!(Copula::new(vec![0, 1, 2], &m, 1).is_some());
        assert!(Copula::new(vec![0, 1], &[vec![1.0, 0.0], vec![0.0, 1.0]], 1).is_none());
        let perfect = Copula::new(vec![0, 1], &[vec![1.0, 1.0], vec![1.0, 1.0]], 1).unwrap();
        let u = perfect.uniforms(1, 0, 2_000);
        assert!(
            spearman(&u[0], &u[1]) > 0.98,
            "a perfect correlation is kept"
        );
    }

    #[test]
    fn an_anchored_column_is_its_anchor_plus_a_gap() {
        let mut buffers: Vec<Buffer> = (0..2)
            .map(|_| Buffer::for_type(&arrow::datatypes::DataType::Date32, 4))
            .collect();
        for (i, b) in buffers.iter_mut().enumerate() {
            b.push_int(100);
            b.push_int(200);
            b.push_null();
            b.push_int(50 + i as i64);
        }
        let anchor = Anchor {
            dependent: 1,
            anchor: 0,
            gap: vec![1.0, 3.0, 5.0],
            min_gap: 1.0,
            step: 1.0,
            limits: (f64::NEG_INFINITY, f64::INFINITY),
            weekdays: None,
            salt: 3,
        };
        anchor.apply(&mut buffers, 9, 0);
        let (a, d) = (buffers[0].numbers(), buffers[1].numbers());
        for (x, y) in a.iter().zip(&d) {
            if let (Some(x), Some(y)) = (x, y) {
                assert!((1.0..=5.0).contains(&(y - x)), "{x} → {y}");
            }
        }
        assert_eq!(d[2], None, "a NULL stays NULL");
    }

    #[test]
    fn phi_is_the_normal_cdf() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-12);
        assert!((normal_cdf(1.959964) - 0.975).abs() < 1e-6);
    }
}
