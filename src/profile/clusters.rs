//! Values that cluster by parent row: one customer's orders have similar freight, one order's
//! lines share a discount, one plane flies the same routes. Drawing every child row on its own
//! loses that, and with it the spread between parents that real data shows.
//!
//! For each column of the copula and each foreign key whose parent the sampled rows show,
//! profiling measures the intraclass correlation of the column's normal scores grouped by
//! parent (one-way analysis of variance): the share of their variance that lies between
//! parents. The strongest foreign key per column is kept when that share is at least
//! [`MIN_SHARE`] (and written at most [`MAX_SHARE`]). Generation then mixes a normal drawn once per parent row into the column's
//! copula normal, in that share.
//!
//! That parent part often moves with a number of the parent row itself: a larger order's lines
//! hold larger quantities. Child rows joined to their parent row ([`JoinedPoints`], filled
//! while the copies across the key are looked for) give the normal correlation between each
//! clustered column and each number column of the parent; the strongest is kept with the
//! cluster, and generation draws the parent part from the parent row's value.

use std::collections::{BTreeMap, BinaryHeap};

use super::model::{Clustered, ParentCorrelation};
use super::relations::{normal_scores, pearson};
use crate::hashing::mix64;
use crate::schema::Table;

/// The weakest clustering kept.
const MIN_SHARE: f64 = 0.05;
/// The strongest clustering written: a column past it is nearly a function of its parent row
/// (a flight's distance of its destination) and is kept at this share, so siblings still
/// differ a little. (A column that copies a parent column is `inherited`: it is generated as
/// that copy, and a cluster recorded for it is not used.)
const MAX_SHARE: f64 = 0.95;
/// Parents that must have at least two sampled children for a share to be read.
const MIN_PARENTS: usize = 5;

/// The clustered columns among `series` (the correlations' columns with their sampled values),
/// given each foreign key's parent id per sampled row.
pub fn learn(
    series: &[(String, Vec<Option<f64>>)],
    parents: &[(&Vec<String>, Vec<Option<f64>>)],
) -> Vec<Clustered> {
    series
        .iter()
        .filter_map(|(name, values)| {
            let best = parents
                .iter()
                .filter_map(|(fk, ids)| {
                    let (ids, values): (Vec<f64>, Vec<f64>) = ids
                        .iter()
                        .zip(values)
                        .filter_map(|(p, v)| Some(((*p)?, (*v)?)))
                        .unzip();
                    Some((*fk, intraclass(&ids, &values)?))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))?;
            (best.1 >= MIN_SHARE).then(|| Clustered {
                column: name.clone(),
                foreign_key: best.0.clone(),
                share: (best.1.min(MAX_SHARE) * 1e4).round() / 1e4,
                parent: None,
            })
        })
        .collect()
}

/// The intraclass correlation of `values`' normal scores grouped by `groups` (the one-way
/// analysis of variance estimator), or `None` when too few groups have two members.
pub fn intraclass(groups: &[f64], values: &[f64]) -> Option<f64> {
    let scores = normal_scores(values);
    // A BTreeMap: sums over the groups then run in one order whatever the hasher.
    let mut by_group: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    for (g, z) in groups.iter().zip(&scores) {
        let entry = by_group.entry(g.to_bits()).or_default();
        *entry = (entry.0 + 1.0, entry.1 + z);
    }
    let repeated = by_group.values().filter(|(n, _)| *n >= 2.0).count();
    let (n, k) = (scores.len() as f64, by_group.len() as f64);
    if repeated < MIN_PARENTS || n <= k {
        return None;
    }
    let mean = scores.iter().sum::<f64>() / n;
    let between: f64 = by_group
        .values()
        .map(|(m, sum)| m * (sum / m - mean).powi(2))
        .sum();
    let within: f64 = groups
        .iter()
        .zip(&scores)
        .map(|(g, z)| {
            let (m, sum) = by_group[&g.to_bits()];
            (z - sum / m).powi(2)
        })
        .sum();
    let (between, within) = (between / (k - 1.0), within / (n - k));
    let per_group = (n - by_group.values().map(|(m, _)| m * m).sum::<f64>() / n) / (k - 1.0);
    let denominator = between + (per_group - 1.0) * within;
    (denominator > 0.0).then(|| ((between - within) / denominator).clamp(0.0, 1.0))
}

/// Joined rows kept per foreign key: correlations read on more are no steadier to speak of.
const JOINED_ROWS: usize = 5_000;
/// Joined rows with both values needed before a correlation is read.
const MIN_JOINED: usize = 30;
/// The weakest correlation with a parent column that is kept.
const MIN_PARENT_CORRELATION: f64 = 0.1;

/// The columns whose correlation across a foreign key is looked for: the child's ordered
/// columns (numbers, dates, times) and the parent's number columns, none of them in a key.
pub fn joined_candidates(child: &Table, parent: &Table) -> (Vec<String>, Vec<String>) {
    let pick = |t: &Table, wanted: &dyn Fn(&crate::schema::LogicalType) -> bool| -> Vec<String> {
        t.columns
            .iter()
            .filter(|c| wanted(&c.logical) && !t.in_any_key(&c.name))
            .map(|c| c.name.clone())
            .collect()
    };
    let (children, parents) = (
        pick(child, &|l| l.is_numeric() || l.is_temporal()),
        pick(parent, &|l| l.is_numeric()),
    );
    if children.is_empty() || parents.is_empty() {
        return (Vec::new(), Vec::new());
    }
    (children, parents)
}

/// A hash sample of [`JOINED_ROWS`] child rows that found their parent row in its sample
/// (the rows of smallest hash, so a table sorted by parent or by date is read across its whole
/// length, not its first slice): the child's candidate columns' points beside the parent's.
#[derive(Debug, Default)]
pub struct JoinedPoints {
    /// Each candidate's name and its index among the child's scanned columns.
    child: Vec<(String, usize)>,
    /// Each candidate's name and its index among the parent's sampled columns.
    parent: Vec<(String, usize)>,
    /// The kept rows by hash, largest on top, so the next row replaces it if it hashes lower.
    rows: BinaryHeap<JoinedRow>,
    seen: u64,
}

/// One joined row: its hash, the child's candidate points, then the parent's.
#[derive(Debug)]
struct JoinedRow(u64, Vec<Option<f64>>, Vec<Option<f64>>);

impl PartialEq for JoinedRow {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for JoinedRow {}
impl PartialOrd for JoinedRow {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for JoinedRow {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl JoinedPoints {
    pub fn new(child: Vec<(String, usize)>, parent: Vec<(String, usize)>) -> Self {
        JoinedPoints {
            child,
            parent,
            rows: BinaryHeap::new(),
            seen: 0,
        }
    }

    /// One joined row, whose parent key hashes to `key`: `child(i)` is the child's point in
    /// scanned column `i`, `parent` the parent row's sampled points. Kept if it is among the
    /// [`JOINED_ROWS`] of smallest hash so far (the hash mixes the key with the row's place
    /// among the joined rows, so it is the same for any thread count).
    pub fn record(
        &mut self,
        key: u64,
        child: impl Fn(usize) -> Option<f64>,
        parent: &[Option<f64>],
    ) {
        if self.child.is_empty() || self.parent.is_empty() {
            return;
        }
        let hash = mix64(key ^ mix64(self.seen));
        self.seen += 1;
        let full = self.rows.len() >= JOINED_ROWS;
        if full && self.rows.peek().is_some_and(|top| top.0 <= hash) {
            return;
        }
        let child = self.child.iter().map(|(_, i)| child(*i)).collect();
        let parent = self.parent.iter().map(|(_, i)| parent[*i]).collect();
        if full {
            self.rows.pop();
        }
        self.rows.push(JoinedRow(hash, child, parent));
    }

    /// For each child column, its strongest correlation with a parent column, when at least
    /// [`MIN_PARENT_CORRELATION`] either way: the correlation of the two sides' normal scores.
    pub fn correlations(&self) -> Vec<(String, ParentCorrelation)> {
        let mut found = Vec::new();
        for (a, (child, _)) in self.child.iter().enumerate() {
            let best = self
                .parent
                .iter()
                .enumerate()
                .filter_map(|(b, (parent, _))| Some((parent, self.correlation(a, b)?)))
                .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()));
            if let Some((parent, r)) = best.filter(|(_, r)| r.abs() >= MIN_PARENT_CORRELATION) {
                let correlation = (r * 1e4).round() / 1e4;
                let column = parent.clone();
                found.push((
                    child.clone(),
                    ParentCorrelation {
                        column,
                        correlation,
                    },
                ));
            }
        }
        found
    }

    /// The normal-score correlation of child column `a` and parent column `b` over the rows
    /// that hold both, if enough do.
    fn correlation(&self, a: usize, b: usize) -> Option<f64> {
        let (x, y): (Vec<f64>, Vec<f64>) = self
            .rows
            .iter()
            .filter_map(|JoinedRow(_, child, parent)| Some((child[a]?, parent[b]?)))
            .unzip();
        (x.len() >= MIN_JOINED).then(|| pearson(&normal_scores(&x), &normal_scores(&y)))
    }
}

/// Gives each clustered column its strongest parent correlation across its own foreign key,
/// from `found` (per foreign key, as [`JoinedPoints::correlations`] reads them).
pub fn attach_parents(
    clustered: &mut [Clustered],
    found: &[(Vec<String>, String, ParentCorrelation)],
) {
    for cluster in clustered {
        cluster.parent = found
            .iter()
            .find(|(fk, child, _)| *fk == cluster.foreign_key && *child == cluster.column)
            .map(|(_, _, parent)| parent.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_shared_within_groups_read_as_clustered() {
        // 40 parents of 5 children: a parent effect plus noise, in equal parts.
        let (mut groups, mut values) = (Vec::new(), Vec::new());
        let mut state = 7u64;
        let mut noise = || {
            state = crate::hashing::mix64(state);
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for parent in 0..40 {
            let effect = noise();
            for _ in 0..5 {
                groups.push(parent as f64);
                values.push(effect + noise());
            }
        }
        let share = intraclass(&groups, &values).unwrap();
        assert!((0.35..0.65).contains(&share), "{share}");
        let shuffled: Vec<f64> = (0..200).map(|i| (i * 7 % 40) as f64).collect();
        let none = intraclass(&shuffled, &values).unwrap();
        assert!(none < 0.1, "groups unrelated to the values: {none}");
        assert_eq!(
            intraclass(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]),
            None,
            "no repeats"
        );
    }

    #[test]
    fn a_column_nearly_fixed_by_its_parent_clusters_at_the_largest_share() {
        // A flight's distance is its destination's, give or take a mile.
        let dest: Vec<Option<f64>> = (0..300).map(|i| Some((i % 30) as f64)).collect();
        let distance: Vec<Option<f64>> = (0..300)
            .map(|i| Some(100.0 * (i % 30) as f64 + (i % 3) as f64))
            .collect();
        let fk = vec!["dest".to_string()];
        let found = learn(&[("distance".into(), distance)], &[(&fk, dest)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].share, MAX_SHARE);
    }
}
