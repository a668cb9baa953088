//! Columns that move together: a Gaussian copula over a table's ordered value columns, and
//! columns derived from an anchor by a learned gap so that an order (`shipped >= placed`)
//! holds in every row.
//!
//! The copula takes the profile's normal correlation matrix (or, from an older profile, its
//! Spearman correlations converted by `2 sin(πρ/6)`), draws `z ~ N(0, Σ)` per row through its Cholesky factor, and hands each
//! column the uniform `Φ(z)`; the column's own sampler maps it to a value, so marginals stay
//! what the profile says. An anchored column is `anchor + gap`, with the gap drawn from its
//! learned quantiles: the order holds by construction, and the two stay as close as they were.
//! The anchored column is in the copula too, and its gap's rank is the part of its own draw
//! that its anchor's does not explain (see [`GapCoupling`]): a daily maximum above its minimum
//! still moves with the rain as the real maximum does, where an independent gap would pass on
//! only what the minimum carries.
//!
//! A small table (up to [`STRATIFIED_ROWS`] rows) would keep only a noisy sample of that
//! dependence: 77 rows drawn independently miss a normal correlation by up to 0.3. Its uniforms
//! are therefore drawn for the whole table at once, their sample correlation corrected towards
//! the target (Iman and Conover's method, repeated on the ranks' normal scores), and each
//! column's uniforms replaced by its ranks, one in each slot of `1/n`, so every column also meets its
//! quantiles without sampling noise. A column that clusters by parent row ([`ClusterGroup`])
//! then takes its parent's part on top, and so loses that evenness.

use std::ops::Range;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::values::{weekday_shift, Buffer, Choice};
use crate::hashing::{combine, mix64, unit_interval};
use crate::profile::precision::round_to_unit;
use crate::profile::relations::normal_quantile;

/// Columns drawn jointly, by index into the table's columns.
#[derive(Debug, Clone)]
pub struct Copula {
    pub columns: Vec<usize>,
    /// Lower-triangular Cholesky factor of the normal correlation matrix.
    lower: Vec<Vec<f64>>,
    salt: u64,
    /// A small table's uniforms, per column for every row (see the module docs).
    whole_table: Option<Vec<Vec<f64>>>,
}

/// Tables up to this many rows draw their copula's uniforms for the whole table at once. Past
/// it, independent draws already miss a correlation by only about 1/√rows (0.01), and the
/// table kept for the run (8 bytes a row and column) stays small.
pub const STRATIFIED_ROWS: u64 = 8_192;

impl Copula {
    /// A copula for `columns` from the correlations of their normals (made valid as [`valid_correlations`]
    /// does), or `None` when no pair is correlated, unless `always` (clustered columns need
    /// the copula's normals even when they correlate with nothing).
    pub fn new(
        columns: Vec<usize>,
        normal: &[Vec<f64>],
        salt: u64,
        always: bool,
    ) -> Option<Copula> {
        let n = columns.len();
        let correlated = (0..n).any(|i| (0..n).any(|j| i != j && normal[i][j] != 0.0));
        if n == 0 || !(correlated || always) {
            return None;
        }
        let lower = cholesky(&valid_correlations(normal)?)?;
        Some(Copula {
            columns,
            lower,
            salt,
            whole_table: None,
        })
    }

    /// The copula for a table of `rows` rows: a small table's uniforms are drawn here, all at
    /// once (see the module docs); a larger table's are drawn chunk by chunk.
    pub fn for_rows(mut self, seed: u64, rows: u64) -> Copula {
        if (1..=STRATIFIED_ROWS).contains(&rows) {
            self.whole_table = Some(self.stratified(seed, rows as usize));
        }
        self
    }

    /// Per column of the copula, one uniform per row of `rows`, with randomness keyed by `key`
    /// (a chunk number, or a single row's own key) unless the whole table was drawn at once.
    pub fn uniforms(&self, seed: u64, key: u64, rows: Range<u64>) -> Vec<Vec<f64>> {
        if let Some(table) = &self.whole_table {
            let (start, end) = (rows.start as usize, rows.end as usize);
            // Every column holds the table's rows; a range past them draws by key below.
            if table.iter().all(|column| end <= column.len()) {
                return table
                    .iter()
                    .map(|column| column[start..end].to_vec())
                    .collect();
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(combine([seed, self.salt, key]));
        let count = (rows.end - rows.start) as usize;
        let mut out = vec![Vec::with_capacity(count); self.columns.len()];
        let mut normals = vec![0.0; self.columns.len()];
        for _ in 0..count {
            draw_normals(&mut rng, &mut normals);
            for (i, row) in self.lower.iter().enumerate() {
                out[i].push(normal_cdf(dot(row, &normals)));
            }
        }
        out
    }

    /// Uniforms for all `rows` rows of a small table, per column (Iman and Conover's method,
    /// repeated): independent normals are made exactly uncorrelated in the sample and mixed by
    /// the target's factor; their ranks' normal scores, which is what the target was measured
    /// on, are then corrected the same way a few times; the final ranks become uniforms, one
    /// in each slot of `1/n`.
    fn stratified(&self, seed: u64, rows: usize) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(combine([seed, self.salt, WHOLE_TABLE]));
        let mut normals = vec![vec![0.0; self.columns.len()]; rows];
        normals
            .iter_mut()
            .for_each(|row| draw_normals(&mut rng, row));
        for _ in 0..RANK_CORRECTIONS {
            whiten(&mut normals);
            for row in normals.iter_mut() {
                let mixed: Vec<f64> = self.lower.iter().map(|f| dot(f, row)).collect();
                *row = mixed;
            }
            let scores = columns_of(&normals)
                .iter()
                .map(|column| {
                    even_ranks(column)
                        .into_iter()
                        .map(normal_quantile)
                        .collect()
                })
                .collect::<Vec<Vec<f64>>>();
            normals = rows_of(&scores);
        }
        columns_of(&normals)
            .iter()
            .map(|c| jittered_ranks(c, &mut rng))
            .collect()
    }
}

/// How often a small table's rank scores are corrected towards the target: four passes leave
/// 77 rows within about 0.01 of it (the test below measures this).
const RANK_CORRECTIONS: usize = 4;

fn columns_of(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let width = rows.first().map_or(0, Vec::len);
    (0..width)
        .map(|j| rows.iter().map(|r| r[j]).collect())
        .collect()
}

fn rows_of(columns: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let height = columns.first().map_or(0, Vec::len);
    (0..height)
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect()
}

/// A copula column that clusters by the parent row of a foreign key, with the share of its
/// variance that lies between parents (see `profile/clusters.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cluster {
    /// Position in the copula's columns.
    pub member: usize,
    /// Index of the foreign key into the table's foreign keys.
    pub fk: usize,
    /// The share of the column's normal variance that lies between parents.
    pub share: f64,
    /// A number column of the parent row (its index among the parent's columns) that the
    /// parent part follows, with the correlation of the parent part with it (the learned
    /// correlation divided by √share).
    pub parent: Option<(usize, f64)>,
}

/// The copula columns that cluster by one foreign key's parent row: each member's normal
/// becomes `√s · z_parent + √(1 − s) · z`. The members' parent normals are drawn together,
/// once per parent row and with the members' own correlations, so columns that move together
/// within a row also move together between parents; marginals are unchanged.
#[derive(Debug, Clone)]
pub struct ClusterGroup {
    pub fk: usize,
    /// Positions in the copula's columns, with their shares.
    members: Vec<(usize, f64)>,
    /// Per member, the parent column its parent part follows and how closely (see
    /// [`ClusterGroup::follow_parent`]).
    pub parents: Vec<Option<(usize, f64)>>,
    /// Cholesky factor of the members' correlations (the identity if they do not factor).
    lower: Vec<Vec<f64>>,
    salt: u64,
}

impl ClusterGroup {
    /// The group of `members` (of one foreign key), whose correlations among themselves are
    /// `correlations`.
    pub fn new(fk: usize, members: &[&Cluster], correlations: &[Vec<f64>], salt: u64) -> Self {
        let n = members.len();
        let identity = || {
            (0..n)
                .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
                .collect()
        };
        ClusterGroup {
            fk,
            members: members.iter().map(|c| (c.member, c.share)).collect(),
            parents: members.iter().map(|c| c.parent).collect(),
            lower: cholesky(correlations).unwrap_or_else(identity),
            salt,
        }
    }

    /// Moves each member's parent normal (from [`parent_normals`](Self::parent_normals))
    /// towards the normal score of its parent column's value in that parent row,
    /// `score(i)` for member `i` (`None` when the value is NULL): `r · y + √(1 − r²) · z`,
    /// still a standard normal.
    pub fn follow_parent(&self, score: impl Fn(usize) -> Option<f64>, shared: &mut [f64]) {
        for (i, (z, parent)) in shared.iter_mut().zip(&self.parents).enumerate() {
            if let (Some((_, r)), Some(y)) = (parent, score(i)) {
                *z = r * y + (1.0 - r * r).sqrt() * *z;
            }
        }
    }

    /// Parent row `parent`'s normals, one per member, into `out`. A row without a parent
    /// passes a key of its own instead, so its columns still split their variance as the
    /// raised correlations assume.
    pub fn parent_normals(&self, seed: u64, parent: u64, out: &mut Vec<f64>) {
        out.clear();
        out.extend((0..self.members.len() as u64).map(|i| {
            let drawn = unit_interval(mix64(combine([seed, self.salt, parent, i])));
            normal_quantile(drawn.clamp(1e-12, 1.0 - 1e-12))
        }));
        // In place, last first: row `i` of the lower factor reads only entries up to `i`.
        for i in (0..out.len()).rev() {
            out[i] = dot(&self.lower[i][..=i], &out[..=i]);
        }
    }

    /// Mixes a parent's normals (from [`parent_normals`](Self::parent_normals)) into row
    /// `row` of `uniforms` (the copula's, per column).
    pub fn mix(&self, shared: &[f64], uniforms: &mut [Vec<f64>], row: usize) {
        for ((member, share), shared) in self.members.iter().zip(shared) {
            let u = &mut uniforms[*member][row];
            let own = normal_quantile(u.clamp(1e-12, 1.0 - 1e-12));
            *u = normal_cdf(share.sqrt() * shared + (1.0 - share).sqrt() * own);
        }
    }
}

/// Salt of a small table's whole-table draw, apart from every chunk key.
const WHOLE_TABLE: u64 = u64::MAX - 1;

fn draw_normals(rng: &mut ChaCha8Rng, out: &mut [f64]) {
    out.iter_mut().for_each(|x| *x = rng.sample(StandardNormal));
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Makes the rows' sample covariance the identity: centres each column and multiplies every row
/// by the inverse of the covariance's Cholesky factor. Leaves the rows as they are when the
/// covariance does not factor (fewer rows than columns).
fn whiten(rows: &mut [Vec<f64>]) {
    let (n, d) = (rows.len(), rows.first().map_or(0, Vec::len));
    if n <= d {
        return;
    }
    let means: Vec<f64> = (0..d)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    rows.iter_mut()
        .for_each(|r| r.iter_mut().zip(&means).for_each(|(x, m)| *x -= m));
    let covariance: Vec<Vec<f64>> = (0..d)
        .map(|a| {
            (0..d)
                .map(|b| rows.iter().map(|r| r[a] * r[b]).sum::<f64>() / n as f64)
                .collect()
        })
        .collect();
    let Some(lower) = cholesky(&covariance) else {
        return;
    };
    for row in rows.iter_mut() {
        // Forward substitution: solves lower · w = row in place.
        for i in 0..d {
            let known: f64 = (0..i).map(|k| lower[i][k] * row[k]).sum();
            row[i] = (row[i] - known) / lower[i][i];
        }
    }
}

/// Each value's rank among `values`, as the uniform `(rank + ½) / n`.
fn even_ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; n];
    for (rank, &i) in order.iter().enumerate() {
        out[i] = (rank as f64 + 0.5) / n as f64;
    }
    out
}

/// Each value's rank as a uniform inside its own slot of `1/n`, near its middle: as even as
/// [`even_ranks`], without putting every row at its slot's middle, which made the values of a
/// column interpolated between round quantiles repeat a few endings (freight at `.17`, `.50`
/// and `.83`).
fn jittered_ranks(values: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let n = values.len() as f64;
    even_ranks(values)
        .into_iter()
        .map(|u| u + (rng.random::<f64>() - 0.5) * SLOT_JITTER / n)
        .collect()
}

/// How much of its slot a small table's rank moves over: half, enough that no two values
/// interpolated between the same quantiles land on the same few endings, little enough that the
/// normal scores keep their corrected correlations.
const SLOT_JITTER: f64 = 0.5;

/// Φ, the standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// `normal` as a valid correlation matrix, or `None` if it cannot be made one: correlations
/// read pairwise on different rows need not form a valid matrix. A matrix that factors is kept
/// as it is; another is replaced by the nearest correlation matrix (see [`nearest_correlation`]),
/// which moves each correlation a little instead of shrinking them all: 41 baseball team
/// statistics read pairwise needed every correlation scaled by 0.54 to factor, so games and
/// innings pitched (0.93) came out at 0.2.
pub fn valid_correlations(normal: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    if cholesky(normal).is_some() {
        return Some(normal.to_vec());
    }
    let nearest = nearest_correlation(normal);
    let n = nearest.len();
    let mut shrink = 1.0;
    // Only rounding can keep the projection from factoring: a little shrinking mends that.
    for _ in 0..300 {
        let scaled: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| if i == j { 1.0 } else { nearest[i][j] * shrink })
                    .collect()
            })
            .collect();
        if cholesky(&scaled).is_some() {
            return Some(scaled);
        }
        shrink *= 0.99;
    }
    None
}

/// Smallest eigenvalue the repaired matrix keeps, so that it factors with room to spare.
const MIN_EIGENVALUE: f64 = 1e-4;

/// The correlation matrix nearest to the symmetric `matrix` (Frobenius norm), by Higham's
/// alternating projections (2002) with Dykstra's correction: onto the matrices whose
/// eigenvalues are at least [`MIN_EIGENVALUE`], then onto those with a unit diagonal. A fixed
/// number of rounds, products in plain loops (a tuned matrix product picks its kernel by CPU,
/// and with it the last bits) and entries rounded to 1e-9 keep it the same on every machine.
pub fn nearest_correlation(matrix: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = matrix.len();
    let mut y = nalgebra::DMatrix::from_fn(n, n, |i, j| matrix[i][j]);
    let mut correction = nalgebra::DMatrix::zeros(n, n);
    for _ in 0..PROJECTION_ROUNDS {
        let r = &y - &correction;
        let eigen = nalgebra::SymmetricEigen::new(r.clone());
        let (vectors, values) = (&eigen.eigenvectors, &eigen.eigenvalues);
        let x = nalgebra::DMatrix::from_fn(n, n, |i, j| {
            (0..n)
                .map(|k| vectors[(i, k)] * values[k].max(MIN_EIGENVALUE) * vectors[(j, k)])
                .sum::<f64>()
        });
        correction = &x - &r;
        y = x;
        y.fill_diagonal(1.0);
    }
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| (0.5 * (y[(i, j)] + y[(j, i)]) * 1e9).round() / 1e9)
                .collect()
        })
        .collect()
}

/// Rounds of [`nearest_correlation`]: its changes have long settled below 1e-9 by then.
const PROJECTION_ROUNDS: usize = 100;

/// Whether `matrix` is a valid correlation matrix as the copula needs it: entries in
/// [-1, 1] and positive definite.
pub fn is_correlation_matrix(matrix: &[Vec<f64>]) -> bool {
    matrix.iter().flatten().all(|x| (-1.0..=1.0).contains(x)) && cholesky(matrix).is_some()
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
    /// The dependent's learned range: the gap is drawn among those that keep the value
    /// inside it where some do (a death year anchored on a birth year stays before the
    /// snapshot was taken).
    pub learned: (f64, f64),
    /// The dependent's weekday mix (Monday = 0) and its units per day: the derived value moves
    /// by up to three days to a weekday drawn from the mix, or a week later when moving back
    /// would break the order.
    pub weekdays: Option<(Choice<i64>, i64)>,
    /// The dependent holds clock times written as `HHMM`: a sum past `59` minutes moves on
    /// to the next hour.
    pub clock: bool,
    /// Where both columns are in the copula: how the gap's rank follows the dependent's draw.
    pub coupling: Option<GapCoupling>,
    pub salt: u64,
}

/// The anchor and the dependent of an [`Anchor`] as members of the table's copula (positions in
/// its columns) and the normal correlation between them. Given the anchor's normal `z_a`, the
/// dependent's `z_d` is `ρ z_a + √(1-ρ²) e` with `e` standard normal and independent of `z_a`;
/// `Φ(e)` is then a uniform rank for the gap, independent of the anchor as an independent draw
/// would be, but carrying whatever the dependent shares with the other columns beyond its
/// anchor.
#[derive(Debug, Clone, Copy)]
pub struct GapCoupling {
    pub anchor: usize,
    pub dependent: usize,
    pub correlation: f64,
}

impl GapCoupling {
    /// The gap's rank for row `row` of the copula's `uniforms`.
    fn rank(&self, uniforms: &[Vec<f64>], row: usize) -> f64 {
        let score = |u: f64| normal_quantile(u.clamp(1e-12, 1.0 - 1e-12));
        let (za, zd) = (
            score(uniforms[self.anchor][row]),
            score(uniforms[self.dependent][row]),
        );
        let rho = self.correlation.clamp(-1.0, 1.0);
        let rest = (1.0 - rho * rho).max(1e-12).sqrt();
        normal_cdf((zd - rho * za) / rest)
    }
}

impl Anchor {
    /// Rewrites the dependent column where both it and its anchor are present; `uniforms` are
    /// the copula's for these rows, if the table has one.
    pub fn apply(
        &self,
        buffers: &mut [Buffer],
        seed: u64,
        chunk: u64,
        uniforms: Option<&[Vec<f64>]>,
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(combine([seed, self.salt, chunk]));
        let anchor: Vec<Option<f64>> = buffers[self.anchor].numbers();
        let own: Vec<Option<f64>> = buffers[self.dependent].numbers();
        let dependent = &mut buffers[self.dependent];
        let coupled = self.coupling.zip(uniforms);
        for (i, a) in anchor.into_iter().enumerate() {
            let drawn: f64 = rng.random();
            let u = coupled.map_or(drawn, |(c, uniforms)| c.rank(uniforms, i));
            let Some(a) = a else { continue };
            if !dependent.is_present(i) {
                continue;
            }
            let inside = gap_rank_inside(&self.gap, self.learned, a, u);
            let mut gap = interpolate(&self.gap, inside.unwrap_or(u)).max(self.min_gap);
            if self.step > 0.0 {
                gap = round_to_unit(gap, self.step);
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
            let value = match (inside, own[i]) {
                // No learned gap reaches the learned range from this anchor: the column's own
                // value stands where it keeps the order.
                (None, Some(own)) if own >= a + self.min_gap => own,
                _ => (a + gap).clamp(self.learned.0, self.learned.1),
            };
            let mut value = value.max(a + self.min_gap);
            // The anchor and the gap are on the step; their sum is, up to the float's error.
            // An anchor off the grid may round below its bound: the next step is above it.
            if self.step > 0.0 {
                value = round_to_unit(value, self.step);
                if value < a + self.min_gap {
                    value = round_to_unit(value + self.step, self.step);
                }
            }
            if self.clock {
                value = super::values::clock_time_toward(value, true);
            }
            dependent.set_number(i, value.clamp(self.limits.0, self.limits.1));
        }
    }
}

/// Rank `u` moved into the ranks of the `gap` quantiles that keep `anchor + gap` inside
/// `learned` (the dependent column's learned range), or `None` when no learned gap does.
pub fn gap_rank_inside(gap: &[f64], learned: (f64, f64), anchor: f64, u: f64) -> Option<f64> {
    let (Some(&first), Some(&last)) = (gap.first(), gap.last()) else {
        return Some(u);
    };
    let (lo, hi) = (
        (learned.0 - anchor).max(first),
        (learned.1 - anchor).min(last),
    );
    if lo > hi {
        return None;
    }
    let (from, to) = (rank_among(gap, lo), rank_among(gap, hi));
    Some(from + u * (to - from))
}

/// The value at rank `u` (0..1) of evenly spaced quantile points, interpolated linearly.
pub fn interpolate(quantiles: &[f64], u: f64) -> f64 {
    interpolate_as(quantiles, u, |q| q)
}

/// The inverse of [`interpolate`]: the rank (0..1) at which `v` lies among the quantile
/// points, the middle of their run where several points equal `v`; 0.5 for fewer than two.
pub fn rank_among(quantiles: &[f64], v: f64) -> f64 {
    if quantiles.len() < 2 {
        return 0.5;
    }
    let last = (quantiles.len() - 1) as f64;
    let below = quantiles.partition_point(|&x| x < v);
    let through = quantiles.partition_point(|&x| x <= v);
    let position = if below < through {
        (below + through - 1) as f64 / 2.0
    } else if below == 0 {
        0.0
    } else if below == quantiles.len() {
        last
    } else {
        let (a, b) = (quantiles[below - 1], quantiles[below]);
        (below - 1) as f64 + (v - a) / (b - a)
    };
    position / last
}

/// [`interpolate`] between the points as `scale` maps them (HHMM clock times as minutes):
/// only the two points around `u` are mapped.
pub fn interpolate_as(quantiles: &[f64], u: f64, scale: impl Fn(f64) -> f64) -> f64 {
    match quantiles.len() {
        0 => 0.0,
        1 => scale(quantiles[0]),
        n => {
            let pos = u * (n - 1) as f64;
            let i = (pos.floor() as usize).min(n - 2);
            let (a, b) = (scale(quantiles[i]), scale(quantiles[i + 1]));
            a + (b - a) * (pos - i as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::relations::{pearson, spearman};

    #[test]
    fn rank_among_inverts_interpolate_and_ranks_ties_at_their_middle() {
        let points = [1.0, 2.0, 2.0, 2.0, 10.0];
        for u in [0.0, 0.1, 0.8, 0.9, 1.0] {
            let v = interpolate(&points, u);
            assert!((rank_among(&points, v) - u).abs() < 1e-12, "{u} -> {v}");
        }
        assert_eq!(rank_among(&points, 2.0), 0.5, "the middle of the tied run");
        assert_eq!(rank_among(&points, -5.0), 0.0);
        assert_eq!(rank_among(&points, 50.0), 1.0);
        // A gap that must keep 2000 + gap within 1990..2005 is drawn among gaps up to 5.
        let gaps = [0.0, 10.0, 20.0];
        let top = gap_rank_inside(&gaps, (1990.0, 2005.0), 2000.0, 1.0).unwrap();
        assert!((interpolate(&gaps, top) - 5.0).abs() < 1e-9);
        assert_eq!(gap_rank_inside(&gaps, (1990.0, 1995.0), 2000.0, 0.5), None);
    }

    #[test]
    fn uniforms_keep_the_rank_correlation() {
        let normal = 2.0 * (std::f64::consts::PI * 0.9 / 6.0).sin();
        let copula = Copula::new(
            vec![0, 1],
            &[vec![1.0, normal], vec![normal, 1.0]],
            7,
            false,
        )
        .unwrap();
        let u = copula.uniforms(1, 0, 0..20_000);
        let rho = spearman(&u[0], &u[1]);
        assert!((rho - 0.9).abs() < 0.02, "{rho}");
        let mean: f64 = u[0].iter().sum::<f64>() / u[0].len() as f64;
        assert!((mean - 0.5).abs() < 0.01, "uniform marginals: {mean}");
        assert_eq!(u, copula.uniforms(1, 0, 0..20_000), "deterministic");
    }

    #[test]
    fn a_small_table_keeps_its_correlations_and_quantiles_without_sampling_noise() {
        let target = [[1.0, 0.6, -0.3], [0.6, 1.0, 0.0], [-0.3, 0.0, 1.0]];
        let matrix: Vec<Vec<f64>> = target.iter().map(|r| r.to_vec()).collect();
        let copula = Copula::new(vec![0, 1, 2], &matrix, 5, false).unwrap();
        // The target is a correlation of normal scores, which is what the uniforms' own normal
        // scores are measured against.
        let spread = |u: &[Vec<f64>]| {
            let scores: Vec<Vec<f64>> = u
                .iter()
                .map(|c| c.iter().map(|&p| normal_quantile(p)).collect())
                .collect();
            let rho = |a: usize, b: usize| pearson(&scores[a], &scores[b]);
            let errors = [rho(0, 1) - 0.6, rho(0, 2) + 0.3, rho(1, 2)];
            errors.iter().fold(0.0f64, |m, e| m.max(e.abs()))
        };
        let (mut worst_drawn, mut worst_whole) = (0.0f64, 0.0f64);
        for seed in 0..20 {
            let whole = copula.clone().for_rows(seed, 77);
            let u = whole.uniforms(seed, 0, 0..77);
            worst_whole = worst_whole.max(spread(&u));
            worst_drawn = worst_drawn.max(spread(&copula.uniforms(seed, 0, 0..77)));
            let mut sorted = u[1].clone();
            sorted.sort_by(f64::total_cmp);
            for (r, u) in sorted.iter().enumerate() {
                let slot = r as f64 / 77.0..(r + 1) as f64 / 77.0;
                assert!(
                    slot.contains(u),
                    "each column takes every rank once: {r} at {u}"
                );
            }
            assert!(
                sorted
                    .iter()
                    .enumerate()
                    .all(|(r, u)| (u * 77.0 - r as f64 - 0.5).abs() > 1e-9),
                "not each at its slot's middle"
            );
            let rows: Vec<Vec<f64>> = (0..77)
                .map(|i| whole.uniforms(seed, i, i..i + 1)[0].clone())
                .collect();
            assert_eq!(rows.concat(), u[0], "a row alone reads the same uniforms");
        }
        // Spearman of a normal correlation ρ is (6/π)·asin(ρ/2): 0.58 for 0.6, −0.29 for −0.3.
        assert!(worst_whole < 0.02, "whole table: off by {worst_whole}");
        assert!(
            worst_drawn > 2.0 * worst_whole,
            "rows drawn alone: off by {worst_drawn}"
        );
        let large = copula.clone().for_rows(1, STRATIFIED_ROWS + 1);
        assert_eq!(
            large.uniforms(1, 3, 0..10),
            copula.uniforms(1, 3, 0..10),
            "larger tables draw by chunk"
        );
    }

    #[test]
    fn a_cluster_group_shares_a_parent_draw_and_keeps_the_marginal() {
        let member = |member| Cluster {
            member,
            fk: 0,
            share: 0.5,
            parent: None,
        };
        let group = ClusterGroup::new(
            0,
            &[&member(0), &member(1)],
            &[vec![1.0, 0.8], vec![0.8, 1.0]],
            3,
        );
        let (parents, children) = (400, 10);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut uniforms = vec![vec![0.0; parents * children]; 2];
        let mut shared = Vec::new();
        for row in 0..parents * children {
            uniforms[0][row] = rng.random();
            uniforms[1][row] = rng.random();
            group.parent_normals(9, (row / children) as u64, &mut shared);
            group.mix(&shared, &mut uniforms, row);
        }
        let mean = uniforms[0].iter().sum::<f64>() / uniforms[0].len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "uniform marginal: {mean}");
        // Parent means of the normals: half the variance lies between parents, and the two
        // members' parent parts move together.
        let parent_means = |m: usize| -> Vec<f64> {
            uniforms[m]
                .chunks(children)
                .map(|c| c.iter().map(|&u| normal_quantile(u)).sum::<f64>() / children as f64)
                .collect()
        };
        let (a, b) = (parent_means(0), parent_means(1));
        let variance = a.iter().map(|x| x * x).sum::<f64>() / parents as f64;
        // Between-parent variance 0.5, plus 0.5 / 10 from averaging the rows' own parts.
        assert!(
            (variance - 0.55).abs() < 0.08,
            "variance of parent means: {variance}"
        );
        let together = crate::profile::relations::pearson(&a, &b);
        assert!(together > 0.6, "parents' parts correlate: {together}");
    }

    #[test]
    fn an_invalid_matrix_is_made_valid() {
        let m = vec![
            vec![1.0, 0.95, -0.95],
            vec![0.95, 1.0, 0.95],
            vec![-0.95, 0.95, 1.0],
        ];
        assert!(Copula::new(vec![0, 1, 2], &m, 1, false).is_some());
        assert!(Copula::new(vec![0, 1], &[vec![1.0, 0.0], vec![0.0, 1.0]], 1, false).is_none());
        let perfect = Copula::new(vec![0, 1], &[vec![1.0, 1.0], vec![1.0, 1.0]], 1, false).unwrap();
        let u = perfect.uniforms(1, 0, 0..2_000);
        assert!(
            spearman(&u[0], &u[1]) > 0.98,
            "a perfect correlation is kept"
        );
    }

    #[test]
    fn an_invalid_matrix_moves_to_the_nearest_valid_one_and_a_valid_one_stays() {
        // Chinook's tracks: duration, size and price, as their normals' correlations were
        // read pairwise; they do not form a valid matrix. Shrinking all to factor scaled each
        // by 0.96; the nearest matrix moves them by a few hundredths at most.
        let m = vec![
            vec![1.0, 0.8898, 0.9908],
            vec![0.8898, 1.0, 0.9998],
            vec![0.9908, 0.9998, 1.0],
        ];
        assert!(cholesky(&m).is_none());
        let valid = valid_correlations(&m).unwrap();
        assert!(is_correlation_matrix(&valid));
        for i in 0..3 {
            assert_eq!(valid[i][i], 1.0);
            for j in 0..3 {
                assert!((valid[i][j] - m[i][j]).abs() < 0.05, "{valid:?}");
            }
        }
        let fine = vec![vec![1.0, 0.5], vec![0.5, 1.0]];
        assert_eq!(valid_correlations(&fine).unwrap(), fine);
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
            learned: (f64::NEG_INFINITY, f64::INFINITY),
            weekdays: None,
            clock: false,
            coupling: None,
            salt: 3,
        };
        anchor.apply(&mut buffers, 9, 0, None);
        let (a, d) = (buffers[0].numbers(), buffers[1].numbers());
        for (x, y) in a.iter().zip(&d) {
            if let (Some(x), Some(y)) = (x, y) {
                assert!((1.0..=5.0).contains(&(y - x)), "{x} → {y}");
            }
        }
        assert_eq!(d[2], None, "a NULL stays NULL");
    }

    /// A daily minimum, its maximum (anchored on it) and rain that lowers the maximum more
    /// than the minimum: the coupled gap keeps the maximum's own correlation with the rain,
    /// an independent one passes on only the minimum's.
    #[test]
    fn a_coupled_gap_keeps_the_dependents_own_correlations() {
        let matrix = vec![
            vec![1.0, 0.85, -0.15],
            vec![0.85, 1.0, -0.45],
            vec![-0.15, -0.45, 1.0],
        ];
        let copula = Copula::new(vec![0, 1, 2], &matrix, 11, false).unwrap();
        let rows = 20_000;
        let u = copula.uniforms(3, 0, 0..rows);
        let low = [0.0, 5.0, 8.0, 12.0, 18.0];
        let gap = [1.0, 4.0, 6.0, 9.0, 16.0];
        let maxima = |coupling: Option<GapCoupling>| {
            let mut buffers: Vec<Buffer> = (0..2)
                .map(|_| Buffer::for_type(&arrow::datatypes::DataType::Float64, rows as usize))
                .collect();
            for &drawn in &u[0] {
                buffers[0].push_number(interpolate(&low, drawn));
                buffers[1].push_number(0.0);
            }
            let anchor = Anchor {
                dependent: 1,
                anchor: 0,
                gap: gap.to_vec(),
                min_gap: 0.0,
                step: 0.0,
                limits: (f64::NEG_INFINITY, f64::INFINITY),
                learned: (f64::NEG_INFINITY, f64::INFINITY),
                weekdays: None,
                clock: false,
                coupling,
                salt: 5,
            };
            anchor.apply(&mut buffers, 1, 0, Some(&u));
            let (a, d) = (buffers[0].numbers(), buffers[1].numbers());
            let gaps: Vec<f64> = a
                .iter()
                .zip(&d)
                .map(|(a, d)| d.unwrap() - a.unwrap())
                .collect();
            (d.into_iter().flatten().collect::<Vec<f64>>(), gaps)
        };
        let coupled = GapCoupling {
            anchor: 0,
            dependent: 1,
            correlation: 0.85,
        };
        let (own, gaps) = maxima(Some(coupled));
        let (independent, _) = maxima(None);
        let rain = &u[2];
        let (with, without) = (spearman(&own, rain), spearman(&independent, rain));
        assert!(with < -0.3, "coupled: {with}");
        assert!(without > -0.2, "independent: {without}");
        // The gap keeps its quantiles and stays independent of the anchor.
        let mut sorted = gaps.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        assert!((median - 6.0).abs() < 0.3, "median gap {median}");
        assert!(spearman(&gaps, &u[0]).abs() < 0.03);
    }

    #[test]
    fn phi_is_the_normal_cdf() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-12);
        assert!((normal_cdf(1.959964) - 0.975).abs() < 1e-6);
    }
}
