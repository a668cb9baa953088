//! Which columns are NULL on the same rows. A person without a death date has no death place
//! either; an order not yet shipped has no ship date and no shipper; a payment holds a card
//! number or an account number, never both. Drawn column by column, NULLs fall anywhere, and a
//! row gets a death city without a death year.
//!
//! Every row of the table is counted: for each pair of nullable columns, the rows where both are
//! NULL (cheap: an AND of two validity bitmaps). Columns whose NULLs depend strongly on each
//! other form a group, and each member gets a place on one shared row order: its NULL rows are
//! the stretch that starts there, as long as its null rate. Placing two stretches at one start
//! nests the NULLs; placing them end to end keeps them apart; anything between gives a partial
//! overlap. The places are chosen so that each pair's share of rows NULL in both is as in the
//! snapshot (see [`layout`]).

use arrow::array::Array;
use arrow::buffer::BooleanBuffer;
use arrow::record_batch::RecordBatch;

use super::model::{round_share, NullFollow, NullGroup};
use super::relations::join_groups;
use crate::schema::Table;

/// Most columns whose NULLs are counted together (pairs grow with its square).
const COLUMNS: usize = 128;
/// Most columns in a group.
const GROUP_COLUMNS: usize = 16;
/// Fewest NULLs a column needs to join a group.
const MIN_NULLS: u64 = 2;
/// How far two columns' overlap must lie from chance, as a share of the way to the largest
/// (or smallest) overlap their rates allow, for them to join one group.
const DEPENDENCE: f64 = 0.5;
/// Rows NULL in both that chance would give two columns before their avoiding each other
/// counts as a link.
const MIN_EXPECTED_BOTH: f64 = 5.0;
/// How closely (|phi| of the NULL indicators) a column's NULLs must match those of a column
/// decided elsewhere for it to follow that column instead of joining a group: a person's death
/// year and death city follow the death country that an address group draws.
const FOLLOW_PHI: f64 = 0.9;
/// Starts are tried on a grid of this many points, besides the ends of stretches placed already.
const GRID: usize = 400;

/// NULL counts of each pair of a table's nullable columns, over every row.
#[derive(Debug, Clone, PartialEq)]
pub struct NullCounts {
    /// Column positions in the table.
    columns: Vec<usize>,
    rows: u64,
    nulls: Vec<u64>,
    /// Rows NULL in both, for pairs `(a, b)` with `a < b`, row by row of a triangle.
    both: Vec<u64>,
}

impl NullCounts {
    /// Counts for up to [`COLUMNS`] columns of `table` that are not in its primary or unique
    /// keys, those declared nullable first. (Any column may count: a CSV file's columns learn
    /// whether they hold NULLs only from the pass that counts them.)
    pub fn new(table: &Table) -> Self {
        let mut columns: Vec<usize> = (0..table.columns.len())
            .filter(|&i| !table.is_key_column(&table.columns[i].name))
            .collect();
        columns.sort_by_key(|&i| (!table.columns[i].nullable, i));
        columns.truncate(COLUMNS);
        columns.sort_unstable();
        let n = columns.len();
        NullCounts {
            columns,
            rows: 0,
            nulls: vec![0; n],
            both: vec![0; n * n.saturating_sub(1) / 2],
        }
    }

    /// Counts a batch that holds every column of the table, in order.
    pub fn observe(&mut self, batch: &RecordBatch) {
        self.rows += batch.num_rows() as u64;
        let nulls: Vec<(usize, BooleanBuffer)> = self
            .columns
            .iter()
            .enumerate()
            .filter_map(|(k, &i)| {
                let column = batch.column(i);
                let validity = column.nulls().filter(|n| n.null_count() > 0)?;
                Some((k, !validity.inner()))
            })
            .collect();
        for (x, (a, null_a)) in nulls.iter().enumerate() {
            self.nulls[*a] += null_a.count_set_bits() as u64;
            for (b, null_b) in &nulls[x + 1..] {
                let at = self.pair(*a, *b);
                self.both[at] += (null_a & null_b).count_set_bits() as u64;
            }
        }
    }

    pub fn merge(&mut self, other: NullCounts) {
        self.rows += other.rows;
        let add =
            |into: &mut [u64], from: &[u64]| into.iter_mut().zip(from).for_each(|(a, b)| *a += b);
        add(&mut self.nulls, &other.nulls);
        add(&mut self.both, &other.both);
    }

    /// Position of pair `(a, b)`, `a < b`, in `both`.
    fn pair(&self, a: usize, b: usize) -> usize {
        let n = self.columns.len();
        a * (2 * n - a - 1) / 2 + (b - a - 1)
    }

    fn rate(&self, a: usize) -> f64 {
        self.nulls[a] as f64 / self.rows.max(1) as f64
    }

    /// Share of rows NULL in both `a` and `b`.
    fn overlap(&self, a: usize, b: usize) -> f64 {
        if a == b {
            return self.rate(a);
        }
        let (a, b) = (a.min(b), a.max(b));
        self.both[self.pair(a, b)] as f64 / self.rows.max(1) as f64
    }

    /// The groups of columns whose NULLs go together, each with its members' starts. Columns
    /// that are now keys (inferred ones), and those whose NULLs something else decides
    /// (`decided_elsewhere`: a category group's draw, a copy of the parent's value), are left
    /// out before grouping, so no start is fitted around a column that will not follow it.
    pub fn finish(
        &self,
        table: &Table,
        decided_elsewhere: impl Fn(&str) -> bool,
    ) -> Vec<NullGroup> {
        let (leaders, others) = self.leaders_and_others(table, &decided_elsewhere);
        // A column NULL on (nearly) the same rows as one decided elsewhere follows it (see
        // [`NullCounts::follows`]): in a group of its own it would lose that link.
        let follows_a_leader = |k: usize| {
            !table.in_any_key(self.name(table, k))
                && (leaders.iter()).any(|&x| self.phi(k, x).abs() >= FOLLOW_PHI)
        };
        let candidates: Vec<usize> = others
            .into_iter()
            .filter(|&k| !follows_a_leader(k))
            .collect();
        let mut edges = Vec::new();
        for (x, &a) in candidates.iter().enumerate() {
            for &b in &candidates[x + 1..] {
                if let Some(strength) = self.link(a, b) {
                    edges.push((strength, a, b));
                }
            }
        }
        join_groups(edges, GROUP_COLUMNS)
            .into_iter()
            .map(|members| self.group(table, members))
            .collect()
    }

    /// Columns that join no group but whose NULLs depend on those of a column that something
    /// else decides (`decided_elsewhere`, as for [`NullCounts::finish`]): each follows the one
    /// it depends on most, at the rates it was NULL where that column was NULL and where not.
    pub fn follows(
        &self,
        table: &Table,
        groups: &[NullGroup],
        decided_elsewhere: impl Fn(&str) -> bool,
    ) -> Vec<NullFollow> {
        let name = |k: usize| self.name(table, k);
        let grouped = |k: usize| {
            groups
                .iter()
                .any(|g| g.columns.iter().any(|c| c == name(k)))
        };
        let (leaders, followers) = self.leaders_and_others(table, &decided_elsewhere);
        // A reference's NULLs are its foreign key's; only a column of values follows.
        followers
            .into_iter()
            .filter(|&k| !grouped(k) && !table.in_any_key(name(k)))
            .filter_map(|k| {
                // Of the linked columns, the one that tells the most about this one's NULLs
                // (the largest |phi|; a small column nested in it is linked but says little);
                // of equals, the earlier column.
                let (_, x) = leaders
                    .iter()
                    .filter(|&&x| self.link(k, x).is_some())
                    .map(|&x| (self.phi(k, x).abs(), x))
                    .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))?;
                let (p, both) = (self.rate(x), self.overlap(k, x));
                Some(NullFollow {
                    column: name(k).to_string(),
                    follows: name(x).to_string(),
                    when_null: round_share(both / p),
                    when_present: round_share((self.rate(k) - both) / (1.0 - p)),
                })
            })
            .collect()
    }

    /// Whether the NULLs of table column `column` are linked (see [`NullCounts::finish`]) to
    /// those of another counted column.
    pub fn goes_with_others(&self, column: usize) -> bool {
        let Some(k) = self.columns.iter().position(|&c| c == column) else {
            return false;
        };
        let counted = |k: usize| self.nulls[k] >= MIN_NULLS && self.nulls[k] < self.rows;
        counted(k)
            && (0..self.columns.len()).any(|x| x != k && counted(x) && self.link(k, x).is_some())
    }

    fn name<'t>(&self, table: &'t Table, k: usize) -> &'t str {
        &table.columns[self.columns[k]].name
    }

    /// The counted columns that hold NULLs and values both and are no key, split into those
    /// whose NULLs something else decides and the others.
    fn leaders_and_others(
        &self,
        table: &Table,
        decided_elsewhere: &impl Fn(&str) -> bool,
    ) -> (Vec<usize>, Vec<usize>) {
        (0..self.columns.len())
            .filter(|&k| {
                self.nulls[k] >= MIN_NULLS
                    && self.nulls[k] < self.rows
                    && !table.is_key_column(self.name(table, k))
            })
            .partition(|&k| decided_elsewhere(self.name(table, k)))
    }

    /// How strongly the NULLs of `a` and `b` depend on each other (see [`dependence`]), if
    /// strongly enough to link them.
    fn link(&self, a: usize, b: usize) -> Option<f64> {
        let (p, q) = (self.rate(a), self.rate(b));
        let d = dependence(p, q, self.overlap(a, b));
        // Sparse columns avoid each other by chance: avoiding counts only where chance would
        // have put a few rows in both.
        let seen = d > 0.0 || p * q * self.rows as f64 >= MIN_EXPECTED_BOTH;
        (d.abs() >= DEPENDENCE && seen).then_some(d.abs())
    }

    /// The correlation of the NULL indicators of `a` and `b`.
    fn phi(&self, a: usize, b: usize) -> f64 {
        let (p, q) = (self.rate(a), self.rate(b));
        let spread = (p * (1.0 - p) * q * (1.0 - q)).sqrt();
        if spread > 0.0 {
            (self.overlap(a, b) - p * q) / spread
        } else {
            0.0
        }
    }

    fn group(&self, table: &Table, mut members: Vec<usize>) -> NullGroup {
        // The most frequent NULLs are placed first; ties keep column order.
        members.sort_by(|&a, &b| self.nulls[b].cmp(&self.nulls[a]).then(a.cmp(&b)));
        let rates: Vec<f64> = members.iter().map(|&k| self.rate(k)).collect();
        let overlaps: Vec<Vec<f64>> = members
            .iter()
            .map(|&a| members.iter().map(|&b| self.overlap(a, b)).collect())
            .collect();
        let starts = layout(&rates, &overlaps);
        let mut placed: Vec<(usize, f64)> = members.into_iter().zip(starts).collect();
        placed.sort_by_key(|&(k, _)| k);
        NullGroup {
            columns: placed
                .iter()
                .map(|&(k, _)| table.columns[self.columns[k]].name.clone())
                .collect(),
            starts: placed.iter().map(|&(_, s)| round6(s)).collect(),
        }
    }
}

/// How far the overlap `both` of two columns NULL at rates `p` and `q` lies from chance
/// (`p·q`): 1 when one's NULLs lie within the other's, −1 when they avoid each other as much as
/// the rates allow, 0 for chance.
pub fn dependence(p: f64, q: f64, both: f64) -> f64 {
    let chance = p * q;
    let (most, least) = (p.min(q), (p + q - 1.0).max(0.0));
    if both >= chance {
        if most > chance {
            (both - chance) / (most - chance)
        } else {
            0.0
        }
    } else if chance > least {
        (both - chance) / (chance - least)
    } else {
        0.0
    }
}

/// Starts, one per column, on a circle of length 1, for stretches as long as `rates`, such that
/// each pair's overlap comes near `overlaps[a][b]`. Columns are placed in order, each at the
/// start that best fits its overlaps with those placed before it.
pub fn layout(rates: &[f64], overlaps: &[Vec<f64>]) -> Vec<f64> {
    let mut starts: Vec<f64> = Vec::with_capacity(rates.len());
    for (c, &rate) in rates.iter().enumerate() {
        if c == 0 {
            starts.push(0.0);
            continue;
        }
        let ends = (0..c).flat_map(|p| {
            let (s, r) = (starts[p], rates[p]);
            [s, s + r, s - rate, s + r - rate]
        });
        let grid = (0..GRID).map(|g| g as f64 / GRID as f64);
        let misfit = |start: f64| -> f64 {
            (0..c)
                .map(|p| {
                    (stretch_overlap(start, rate, starts[p], rates[p]) - overlaps[c][p]).powi(2)
                })
                .sum()
        };
        let best = ends
            .chain(grid)
            .map(|s| s.rem_euclid(1.0))
            .map(|s| (misfit(s), s))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .map_or(0.0, |(_, s)| s);
        starts.push(best);
    }
    starts
}

/// The length two stretches `[s, s + r)` of a circle of length 1 share.
pub fn stretch_overlap(s1: f64, r1: f64, s2: f64, r2: f64) -> f64 {
    [-1.0, 0.0, 1.0]
        .iter()
        .map(|k| ((s1 + r1).min(s2 + r2 + k) - s1.max(s2 + k)).max(0.0))
        .sum()
}

/// A start to the precision of a null rate, so that a stretch placed at another's end meets it
/// there (see [`crate::generate`]'s snapping of stretch ends).
fn round6(v: f64) -> f64 {
    ((v * 1e6).round() / 1e6).rem_euclid(1.0)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::Int64Array;
    use arrow::datatypes::{Field, Schema};

    use super::*;
    use crate::schema::{Column, LogicalType};

    /// Rows `first..first + n` of a table where `died` is NULL on every row but each fifth,
    /// `buried` only where `died` is, and `noted` on every third row.
    fn batch(table: &Table, first: i64, n: i64) -> RecordBatch {
        let column = |null: &dyn Fn(i64) -> bool| -> Arc<Int64Array> {
            Arc::new(
                (first..first + n)
                    .map(|i| (!null(i)).then_some(i))
                    .collect(),
            )
        };
        let fields: Vec<Field> = table
            .columns
            .iter()
            .map(|c| Field::new(&c.name, c.logical.arrow_type(), true))
            .collect();
        let arrays: Vec<arrow::array::ArrayRef> = vec![
            column(&|_| false),
            column(&|i| i % 5 != 0),
            column(&|i| i % 5 != 0 && i % 2 == 0),
            column(&|i| i % 3 == 0),
        ];
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
    }

    /// The table [`batch`] fills.
    fn people() -> Table {
        Table {
            name: "people".into(),
            columns: ["id", "died", "buried", "noted"]
                .map(|c| Column::new(c, LogicalType::Int64, true))
                .into(),
            primary_key: vec!["id".into()],
            ..Default::default()
        }
    }

    #[test]
    fn nested_nulls_form_a_group_and_chance_ones_stay_out() {
        let table = people();
        let (mut counts, mut other) = (NullCounts::new(&table), NullCounts::new(&table));
        counts.observe(&batch(&table, 0, 600));
        other.observe(&batch(&table, 600, 400));
        counts.merge(other);
        let groups = counts.finish(&table, |_| false);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0].columns, ["died", "buried"]);
        let (died, buried) = (groups[0].starts[0], groups[0].starts[1]);
        assert!(
            stretch_overlap(buried, 0.4, died, 0.8) > 0.399,
            "buried lies within died: {groups:?}"
        );
    }

    #[test]
    fn a_column_follows_the_nulls_of_one_decided_elsewhere() {
        // `died` is decided elsewhere (say, drawn with an address); `buried` is NULL only where
        // `died` is, and `noted` at random: `buried` follows `died`, `noted` follows nothing.
        let table = people();
        let mut counts = NullCounts::new(&table);
        counts.observe(&batch(&table, 0, 1000));
        let follows = counts.follows(&table, &[], |c| c == "died");
        assert_eq!(
            follows,
            vec![NullFollow {
                column: "buried".into(),
                follows: "died".into(),
                when_null: 0.5,
                when_present: 0.0,
            }]
        );
        let grouped = counts.finish(&table, |_| false);
        assert_eq!(counts.follows(&table, &grouped, |c| c == "died"), vec![]);
    }

    #[test]
    fn columns_null_where_one_decided_elsewhere_is_follow_it_rather_than_group() {
        // A death country is drawn with its state (decided elsewhere); the death year and city
        // are NULL on the same rows (the city on one more). Grouped with each other, they
        // would lose the country; each follows it instead.
        let table = Table {
            name: "people".into(),
            columns: ["id", "death_country", "death_year", "death_city"]
                .map(|c| Column::new(c, LogicalType::Int64, true))
                .into(),
            primary_key: vec!["id".into()],
            ..Default::default()
        };
        let alive = |i: i64| i % 2 == 0;
        let nulls: [&dyn Fn(i64) -> bool; 4] =
            [&|_| false, &alive, &alive, &|i| alive(i) || i == 1];
        let fields: Vec<Field> = (table.columns.iter())
            .map(|c| Field::new(&c.name, c.logical.arrow_type(), true))
            .collect();
        let arrays = nulls
            .iter()
            .map(|null| {
                let values: Int64Array = (0..1000).map(|i| (!null(i)).then_some(i)).collect();
                Arc::new(values) as arrow::array::ArrayRef
            })
            .collect();
        let mut counts = NullCounts::new(&table);
        counts.observe(&RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap());
        let decided = |c: &str| c == "death_country";
        let groups = counts.finish(&table, decided);
        assert_eq!(groups, vec![]);
        let follows = counts.follows(&table, &groups, decided);
        let led: Vec<(&str, &str)> = (follows.iter())
            .map(|f| (f.column.as_str(), f.follows.as_str()))
            .collect();
        assert_eq!(
            led,
            [
                ("death_year", "death_country"),
                ("death_city", "death_country")
            ]
        );
        assert_eq!((follows[0].when_null, follows[0].when_present), (1.0, 0.0));
        // Nothing decided elsewhere: year and city go together as before.
        assert_eq!(counts.finish(&table, |_| false).len(), 1);
    }

    #[test]
    fn sparse_columns_that_miss_each_other_by_chance_stay_apart() {
        // Eight columns NULL on 1 % of 10,000 rows each, independently: most pairs share no
        // NULL row, which is what chance gives (one row expected), not avoidance.
        let names: Vec<String> = (0..8).map(|c| format!("c{c}")).collect();
        let table = Table {
            name: "sparse".into(),
            columns: names
                .iter()
                .map(|c| Column::new(c, LogicalType::Int64, true))
                .collect(),
            ..Default::default()
        };
        let rows = 10_000u64;
        let arrays: Vec<arrow::array::ArrayRef> = (0..8u64)
            .map(|c| {
                let null = |i: u64| crate::hashing::mix64(i * 8 + c).is_multiple_of(100);
                let values: Int64Array = (0..rows).map(|i| (!null(i)).then_some(1)).collect();
                Arc::new(values) as arrow::array::ArrayRef
            })
            .collect();
        let fields: Vec<Field> = names
            .iter()
            .map(|c| Field::new(c, arrow::datatypes::DataType::Int64, true))
            .collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let mut counts = NullCounts::new(&table);
        counts.observe(&batch);
        assert_eq!(counts.finish(&table, |_| false), vec![]);
    }

    #[test]
    fn dependence_reads_nesting_avoidance_and_chance() {
        assert!((dependence(0.5, 0.1, 0.1) - 1.0).abs() < 1e-12);
        assert!((dependence(0.3, 0.2, 0.0) + 1.0).abs() < 1e-12);
        assert!(dependence(0.4, 0.5, 0.2).abs() < 1e-12);
        assert!(
            (dependence(0.6, 0.6, 0.2) + 1.0).abs() < 1e-12,
            "0.2 is the least overlap"
        );
    }

    #[test]
    fn stretches_overlap_across_the_end_of_the_circle() {
        assert!((stretch_overlap(0.9, 0.2, 0.0, 0.05) - 0.05).abs() < 1e-12);
        assert!((stretch_overlap(0.0, 0.3, 0.3, 0.3)).abs() < 1e-12);
        assert!((stretch_overlap(0.1, 0.3, 0.2, 0.5) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn layout_nests_separates_and_overlaps_as_asked() {
        // a ⊃ b; c avoids both; d lies half in a, half in c.
        let rates = [0.4, 0.2, 0.3, 0.2];
        let overlaps = [
            vec![0.4, 0.2, 0.0, 0.1],
            vec![0.2, 0.2, 0.0, 0.0],
            vec![0.0, 0.0, 0.3, 0.1],
            vec![0.1, 0.0, 0.1, 0.2],
        ];
        let starts = layout(&rates, &overlaps);
        for a in 0..4 {
            for b in 0..a {
                let got = stretch_overlap(starts[a], rates[a], starts[b], rates[b]);
                assert!(
                    (got - overlaps[a][b]).abs() < 1e-9,
                    "{a} {b}: {got} {starts:?}"
                );
            }
        }
    }
}
