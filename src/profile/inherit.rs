//! What a child row takes from its parent row: columns it copies (an invoice's billing country
//! is its customer's country) and orders it keeps against it (a payment is at least its item's
//! list price, a reply comes after its post). Drawn on their own, such columns would disagree
//! with the parent in almost every generated row.
//!
//! Parent rows are sampled by a hash of their key (so memory stays bounded), and a child row
//! is looked at only when its foreign key hashes into the same sample, so each child row seen
//! has its parent at hand. Values are compared by hash, and orders by value on the column's line
//! (days, microseconds, the number); no value is kept, only counts and the gap's quantiles.

use rustc_hash::FxHashMap as HashMap;

use arrow::array::ArrayRef;

use super::clusters::JoinedPoints;
use super::keys::{column_hashes, key_hashes};
use super::model::{round_share, ColumnStats, Follows, Inherited, ParentCorrelation, ParentOrder};
use super::privacy::Guard;
use super::relations::{is_clock, ordered_values, spaced_key_column};
use super::sketch::QuantileSketch;
use crate::schema::{ForeignKey, LogicalType, Table};

/// Share of joined rows in which the child must equal its parent (a ship-to name that is the
/// customer's own in 96 % of orders counts; below [`Inherited::in_every_row`], generation
/// copies for that share of parents only).
const MIN_HOLDS: f64 = 0.9;
/// Joined rows needed before a copy counts as a rule rather than chance.
const MIN_ROWS: u64 = 20;
/// The highest agreement two independent draws of the parent column may reach by chance for a
/// copy to count: a near-constant column agrees with anything.
const MAX_CHANCE: f64 = 0.95;
/// About this many parent rows are kept, whatever the parent's size.
const PARENT_SAMPLE: u64 = 20_000;

/// The (child column, parent column) pairs worth testing across `fk`: same type, not a
/// boolean, and neither in a key, except that the parent's may be a date or timestamp that
/// carries a key's uniqueness, which is a value like any other (a payment is dated at its
/// rental's `rented_at`, part of `UNIQUE (rented_at, item, customer)`).
pub fn candidates(child: &Table, parent: &Table) -> Vec<(String, String)> {
    let value_columns = |t: &Table, key_dates: bool| {
        t.columns
            .iter()
            .filter(|c| !t.in_any_key(&c.name) || (key_dates && spaced_key_column(t, c)))
            .filter(|c| c.logical != LogicalType::Bool)
            .map(|c| (c.name.clone(), c.logical.arrow_type()))
            .collect::<Vec<_>>()
    };
    let parent_columns = value_columns(parent, true);
    value_columns(child, false)
        .into_iter()
        .flat_map(|(c, ct)| {
            parent_columns
                .iter()
                .filter(move |(_, pt)| *pt == ct)
                .map(move |(p, _)| (c.clone(), p.clone()))
        })
        .collect()
}

/// The (child column, parent column) pairs of foreign keys worth testing across `via`: a
/// one-column key of the child and one of the parent row that reference the same table and
/// columns, as an order line's customer and its order's customer do, or a tenant id carried
/// down every table. Where the child's equals its parent row's, the child reaches that table
/// through the parent row.
pub fn key_candidates(child: &Table, parent: &Table, via: &ForeignKey) -> Vec<(String, String)> {
    let single = |t: &Table| -> Vec<ForeignKey> {
        let outward = t
            .foreign_keys
            .iter()
            .filter(|fk| fk.references.table != t.name);
        outward
            .filter(|fk| fk.columns.len() == 1)
            .cloned()
            .collect()
    };
    let parent_keys = single(parent);
    single(child)
        .into_iter()
        .filter(|fk| !via.columns.contains(&fk.columns[0]))
        .flat_map(|fk| {
            parent_keys
                .iter()
                .filter(|p| p.references == fk.references)
                .map(|p| (fk.columns[0].clone(), p.columns[0].clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// How often two independent values of the column are equal, NULL included: the sum of squared
/// shares, from the frequent values where the guard kept them and evenly over the other
/// distinct values. Two mostly-NULL columns agree by chance alone.
fn chance_agreement(s: &ColumnStats) -> f64 {
    if s.distinct < 2 {
        return 1.0;
    }
    let listed: f64 = s.frequent.iter().map(|f| f.share).sum();
    let unlisted = s.distinct.saturating_sub(s.frequent.len() as u64).max(1) as f64;
    let rest = (1.0 - listed).max(0.0);
    let values = s.frequent.iter().map(|f| f.share * f.share).sum::<f64>() + rest * rest / unlisted;
    let present = 1.0 - s.null_rate;
    values * present * present + s.null_rate * s.null_rate
}

/// The names in `names`, each once, in first-seen order.
pub fn distinct<'a>(names: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for name in names {
        if !seen.contains(name) {
            seen.push(name.clone());
        }
    }
    seen
}

/// A hash sample of a parent's rows: key hash → its candidate columns' values.
#[derive(Debug)]
pub struct ParentRows {
    level: u32,
    rows: HashMap<u64, Row>,
}

/// One row's candidate columns: each value's hash, and its place on the column's line where the
/// column is ordered.
#[derive(Debug)]
struct Row {
    hashes: Vec<Option<u64>>,
    points: Vec<Option<f64>>,
}

/// Per array, per row, the value's hash.
type Hashes = Vec<Vec<Option<u64>>>;
/// Per array (if ordered), per row, the value's point on the column's line.
type Points = Vec<Option<Vec<Option<f64>>>>;

/// Per array, per row: the value's hash and, for an ordered column, its point on its line.
fn hashes_and_points(values: &[ArrayRef]) -> (Hashes, Points) {
    let hashes = values.iter().map(column_hashes).collect();
    let points = values.iter().map(ordered_values).collect();
    (hashes, points)
}

fn point(points: &Option<Vec<Option<f64>>>, r: usize) -> Option<f64> {
    points.as_ref().and_then(|p| p[r])
}

impl ParentRows {
    pub fn new(parent_rows: u64) -> Self {
        let ratio = parent_rows.div_ceil(PARENT_SAMPLE).max(1);
        ParentRows {
            level: ratio.next_power_of_two().trailing_zeros(),
            rows: HashMap::default(),
        }
    }

    fn keeps(&self, key: u64) -> bool {
        key.trailing_zeros() >= self.level
    }

    /// The sampled row with key hash `key`: its candidate columns' points on their lines.
    pub fn row(&self, key: u64) -> Option<&[Option<f64>]> {
        self.keeps(key)
            .then(|| self.rows.get(&key))
            .flatten()
            .map(|r| &r.points[..])
    }

    /// `key` holds the key columns' arrays, `values` the candidate columns'.
    pub fn observe(&mut self, key: &[ArrayRef], values: &[ArrayRef]) {
        let (hashes, points) = hashes_and_points(values);
        for (r, k) in key_hashes(key).into_iter().enumerate() {
            if let Some(k) = k.filter(|&k| self.keeps(k)) {
                let row = Row {
                    hashes: hashes.iter().map(|v| v[r]).collect(),
                    points: points.iter().map(|p| point(p, r)).collect(),
                };
                self.rows.insert(k, row);
            }
        }
    }
}

/// Counts, per candidate pair, the child rows that equal their parent row, and for ordered
/// columns how they compare.
#[derive(Debug)]
pub struct ChildMatches {
    /// Per candidate pair: the index of its child column among the child's scanned value
    /// columns, and of its parent column among the parent's.
    pairs: Vec<(usize, usize)>,
    /// The first this many pairs are value columns; the rest are foreign keys (see
    /// [`key_candidates`]), which can be copies but have no order, ratio or correlation.
    value_pairs: usize,
    joined: u64,
    /// Per pair: joined rows where either value is present, and joined rows where the two are
    /// equal (a NULL copied from a NULL included).
    compared: Vec<u64>,
    equal: Vec<u64>,
    orders: Vec<OrderCount>,
    /// The first joined rows' points, for correlations with the parent row.
    points: JoinedPoints,
}

/// Joined rows where both values are present, and how the child's compares with the parent's.
#[derive(Debug, Clone, Default)]
struct OrderCount {
    both: u64,
    at_least: u64,
    above: u64,
    parent_max: Option<f64>,
    child_min: Option<f64>,
    gaps: QuantileSketch,
    /// `child / parent` where both are positive.
    ratios: QuantileSketch,
    /// Sums for the Pearson correlation of child and parent.
    sums: [f64; 5],
}

impl OrderCount {
    fn observe(&mut self, child: f64, parent: f64) {
        self.both += 1;
        self.at_least += u64::from(child >= parent);
        self.above += u64::from(child > parent);
        self.parent_max = Some(self.parent_max.map_or(parent, |m| m.max(parent)));
        self.child_min = Some(self.child_min.map_or(child, |m| m.min(child)));
        self.gaps.insert(child - parent);
        if child > 0.0 && parent > 0.0 {
            self.ratios.insert(child / parent);
        }
        let [x, y, xx, yy, xy] = &mut self.sums;
        (*x, *y, *xx, *yy, *xy) = (
            *x + parent,
            *y + child,
            *xx + parent * parent,
            *yy + child * child,
            *xy + parent * child,
        );
    }

    fn correlation(&self) -> f64 {
        let n = self.both as f64;
        let [x, y, xx, yy, xy] = self.sums;
        let cov = xy - x * y / n;
        let (vx, vy) = (xx - x * x / n, yy - y * y / n);
        if vx <= 0.0 || vy <= 0.0 {
            return 0.0;
        }
        cov / (vx * vy).sqrt()
    }
}

impl ChildMatches {
    /// `pairs` are the candidate pairs (see [`ChildMatches::pairs`]), value columns' first
    /// (`value_pairs` of them); `points` keeps joined rows for the correlations with the
    /// parent row.
    pub fn new(pairs: Vec<(usize, usize)>, value_pairs: usize, points: JoinedPoints) -> Self {
        let n = pairs.len();
        ChildMatches {
            pairs,
            value_pairs,
            joined: 0,
            compared: vec![0; n],
            equal: vec![0; n],
            orders: vec![OrderCount::default(); n],
            points,
        }
    }

    /// `fk` holds the foreign key's arrays, `values` the child's candidate columns'.
    pub fn observe(&mut self, parents: &ParentRows, fk: &[ArrayRef], values: &[ArrayRef]) {
        let (hashes, points) = hashes_and_points(values);
        for (r, k) in key_hashes(fk).into_iter().enumerate() {
            let Some((k, parent)) = k
                .filter(|&k| parents.keeps(k))
                .and_then(|k| Some((k, parents.rows.get(&k)?)))
            else {
                continue;
            };
            self.joined += 1;
            self.points
                .record(k, |i| point(&points[i], r), &parent.points);
            for (pair, &(c, p)) in self.pairs.iter().enumerate() {
                let (child, parent_hash) = (hashes[c][r], parent.hashes[p]);
                if child.is_some() || parent_hash.is_some() {
                    self.compared[pair] += 1;
                }
                if child == parent_hash {
                    self.equal[pair] += 1;
                }
                if let (Some(child), Some(parent)) = (point(&points[c], r), parent.points[p]) {
                    self.orders[pair].observe(child, parent);
                }
            }
        }
    }

    /// The copies and the orders found, given the pairs' names.
    pub fn finish(
        self,
        fk: &ForeignKey,
        pairs: &[(String, String)],
        stats: SideStats,
        guard: &Guard,
    ) -> Across {
        let parent_stats = stats.parent;
        if self.joined < MIN_ROWS {
            return Across::default();
        }
        let copies = self.copies(fk, pairs, parent_stats);
        let uncopied = || {
            pairs
                .iter()
                .zip(&self.orders)
                .take(self.value_pairs)
                .filter(|((c, _), _)| !copies.iter().any(|i| i.column == *c))
        };
        let orders: Vec<ParentOrder> = uncopied()
            .filter_map(|((c, p), count)| order(fk, c, p, count, guard))
            .collect();
        let numeric = |p: &str| {
            parent_stats
                .iter()
                .any(|s| s.column == p && s.numeric.is_some())
        };
        // A clock time written as `HHMM` is no multiple of a number (13 × 104.75 is no time),
        // nor a number of a clock time.
        let clock = |c: &str, p: &str| is_clock(stats.child, c) || is_clock(parent_stats, p);
        let follows = uncopied()
            .filter(|((c, p), _)| numeric(p) && !clock(c, p))
            .filter(|((c, _), _)| !orders.iter().any(|o| o.column == *c))
            .filter_map(|((c, p), count)| follows(fk, c, p, count, guard))
            .collect();
        let parent_correlations = self
            .points
            .correlations()
            .into_iter()
            .map(|(child, parent)| (fk.columns.clone(), child, parent))
            .collect();
        Across {
            copies,
            orders,
            follows,
            parent_correlations,
        }
    }

    /// The pairs that held in nearly every joined row, best first per child column.
    fn copies(
        &self,
        fk: &ForeignKey,
        pairs: &[(String, String)],
        parent_stats: &[ColumnStats],
    ) -> Vec<Inherited> {
        let varied = |name: &str| {
            parent_stats
                .iter()
                .any(|s| s.column == name && chance_agreement(s) <= MAX_CHANCE)
        };
        let mut found: Vec<Inherited> = pairs
            .iter()
            .zip(self.equal.iter().zip(&self.compared))
            .filter(|(_, (_, &compared))| compared >= MIN_ROWS)
            .map(|((c, p), (&equal, _))| Inherited {
                column: c.clone(),
                foreign_key: fk.columns.clone(),
                parent_column: p.clone(),
                holds: round_share(equal as f64 / self.joined as f64),
            })
            .filter(|i| i.holds >= MIN_HOLDS && varied(&i.parent_column))
            .collect();
        // One parent column per child column: the best, preferring the same name.
        found.sort_by(|a, b| {
            a.column
                .cmp(&b.column)
                .then(b.holds.total_cmp(&a.holds))
                .then((b.parent_column == b.column).cmp(&(a.parent_column == a.column)))
        });
        found.dedup_by(|later, kept| later.column == kept.column);
        found
    }
}

/// The column statistics of both sides of a foreign key.
#[derive(Debug, Clone, Copy)]
pub struct SideStats<'a> {
    pub child: &'a [ColumnStats],
    pub parent: &'a [ColumnStats],
}

/// What a child table takes from its parent rows across one foreign key.
#[derive(Debug, Default)]
pub struct Across {
    pub copies: Vec<Inherited>,
    pub orders: Vec<ParentOrder>,
    pub follows: Vec<Follows>,
    /// Per foreign key and child column, its strongest correlation with a parent number column
    /// (kept for the clustered columns once those are known).
    pub parent_correlations: Vec<(Vec<String>, String, ParentCorrelation)>,
}

/// Pearson correlation a number needs with its parent's to be drawn as a multiple of it.
const MIN_FOLLOW_CORRELATION: f64 = 0.9;

/// `child = parent × ratio`, for positive numbers that move with their parent's closely (an
/// order line's price and its product's list price) but are no copy.
fn follows(
    fk: &ForeignKey,
    child: &str,
    parent: &str,
    count: &OrderCount,
    guard: &Guard,
) -> Option<Follows> {
    if count.both < MIN_ROWS
        || count.ratios.count() < count.both
        || count.correlation() < MIN_FOLLOW_CORRELATION
    {
        return None;
    }
    Some(Follows {
        column: child.to_string(),
        foreign_key: fk.columns.clone(),
        parent_column: parent.to_string(),
        ratio: guard.quantiles(&count.ratios)?,
    })
}

/// `child >= parent` (or `>`) as it held in every joined row where both were present, if the
/// two columns' values overlap (else the order holds by their ranges alone).
fn order(
    fk: &ForeignKey,
    child: &str,
    parent: &str,
    count: &OrderCount,
    guard: &Guard,
) -> Option<ParentOrder> {
    let overlap = count.child_min? <= count.parent_max?;
    if count.both < MIN_ROWS || count.at_least < count.both || !overlap {
        return None;
    }
    Some(ParentOrder {
        column: child.to_string(),
        foreign_key: fk.columns.clone(),
        parent_column: parent.to_string(),
        strict: count.above == count.both,
        gap: guard.quantiles(&count.gaps)?,
    })
}
