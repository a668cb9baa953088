//! The profile file: what understudy learned about a snapshot, and everything `generate` needs.
//!
//! Every collection has a fixed order (tables and columns as the source lists them, maps sorted by
//! key) so that a diff of two quarterly profiles shows only what changed. It holds statistics,
//! and literal values only where the privacy guard allowed them. How it is written to a file is
//! [`file`](super::file)'s business.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::textmodel::TextModel;
use crate::schema::{Schema, Table};

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The format the profile was read from; files are always written in
    /// [`FORMAT_VERSION`](super::FORMAT_VERSION).
    pub format_version: u32,
    /// The understudy version that wrote the profile.
    pub created_by: String,
    pub source: SourceInfo,
    pub privacy: PrivacySettings,
    pub tables: Vec<TableProfile>,
    /// The user's `overrides:` section as written; already applied to `tables`, and carried
    /// over when the snapshot is profiled again.
    pub overrides: Option<serde_norway::Value>,
}

impl Profile {
    pub fn schema(&self) -> Schema {
        Schema {
            tables: self.tables.iter().map(|t| t.schema.clone()).collect(),
        }
    }

    pub fn table(&self, name: &str) -> Option<&TableProfile> {
        self.tables.iter().find(|t| t.schema.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceInfo {
    /// `postgres`, `csv`, `parquet` or `ddl`.
    pub kind: String,
    /// Set when tables were profiled from a uniform sample of about this many rows each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_rows: Option<u64>,
    /// Where the snapshot lives (`postgres:<system id>/<database>` or `dir:<canonical path>`),
    /// so `generate` can refuse to write into it. See [`crate::fingerprint`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    /// A literal value is kept only if it occurs at least this many times; quantiles are taken
    /// between the `min_count`-th smallest and largest values, so no extreme is one row's value.
    pub min_count: u64,
    /// Literals were also checked against `min_count` distinct entities (root rows through the
    /// owning foreign keys), not only rows. False in profiles made before that check existed,
    /// and in profiles made from a schema alone (which hold no data).
    #[serde(default, skip_serializing_if = "is_false")]
    pub entities: bool,
    /// Differential-privacy noise (`--epsilon`): the budget per table and how it was split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<super::noise::NoiseBudget>,
}

impl PrivacySettings {
    /// The settings of a profile whose literals passed the whole guard.
    pub fn guarded(min_count: u64) -> Self {
        PrivacySettings {
            min_count,
            entities: true,
            noise: None,
        }
    }

    /// The settings of a profile that holds no data (defaults from a schema, tests).
    pub fn without_data(min_count: u64) -> Self {
        PrivacySettings {
            min_count,
            entities: false,
            noise: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableProfile {
    pub schema: Table,
    pub row_count: u64,
    /// Rows actually read when sampling.
    pub sampled_rows: Option<u64>,
    /// One entry per column, in column order.
    pub column_stats: Vec<ColumnStats>,
    /// One entry per foreign key of `schema`, matched by columns.
    pub foreign_key_stats: Vec<ForeignKeyStats>,
    /// Rank correlations between the table's ordered columns.
    pub correlations: Option<Correlations>,
    /// Orders (`low <= high`) that held in every profiled row.
    pub rules: Vec<OrderRule>,
    /// Categorical columns whose values go together (a city, its region and its country).
    pub groups: Vec<CategoryGroup>,
    /// Columns whose NULLs fall on the same rows, or avoid each other.
    pub nulls: Vec<NullGroup>,
    /// Columns whose NULLs follow those of a column that something else decides.
    pub null_follows: Vec<NullFollow>,
    /// Number columns that repeat another, or are the sum or difference of two others, in
    /// (nearly) every row.
    pub derived: Vec<Derived>,
    /// Columns that are a part of another column of the row (the year of a date, the hour of
    /// an `HHMM` clock time).
    pub parts: Vec<PartOf>,
    /// Integer columns that together are a calendar date (`year`, `month`, `day`).
    pub dates: Vec<CalendarDate>,
    /// Number columns that total this row's children in another table.
    pub totals: Vec<Total>,
    /// Columns that repeat a column of the parent row (a denormalised copy).
    pub inherited: Vec<Inherited>,
    /// Orders a column keeps against a column of its parent row.
    pub parent_orders: Vec<ParentOrder>,
    /// Numbers drawn as a multiple of a number of the parent row.
    pub follows: Vec<Follows>,
    /// A small table that other tables reference and that holds no personal data (genres,
    /// countries, statuses): its text columns keep their real values (a `lookup` text model).
    pub lookup: bool,
    /// Finds a column's entry in `column_stats` by name (see [`TableProfile::stats`]).
    pub stats_index: StatsIndex,
}

/// Where each column's statistics sit in [`TableProfile::column_stats`], built on the first
/// lookup, so planning a table of 50,000 columns is not 50,000 linear searches. Code may push to
/// or edit `column_stats` after that: a hit is checked against the entry's name and a stale
/// index falls back to a search, so it only ever costs time. It is no part of the profile:
/// clones start without it and it never makes two profiles differ.
#[derive(Default)]
pub struct StatsIndex(OnceLock<FxHashMap<String, usize>>);

impl StatsIndex {
    fn position(&self, stats: &[ColumnStats], column: &str) -> Option<usize> {
        let index = self.0.get_or_init(|| {
            stats
                .iter()
                .enumerate()
                .rev() // the first of two entries of one name wins, as a search finds it
                .map(|(i, s)| (s.column.clone(), i))
                .collect()
        });
        match index.get(column) {
            Some(&i) if stats.get(i).is_some_and(|s| s.column == column) => Some(i),
            None if index.len() == stats.len() => None,
            _ => stats.iter().position(|s| s.column == column),
        }
    }
}

impl Clone for StatsIndex {
    fn clone(&self) -> Self {
        StatsIndex::default()
    }
}

impl PartialEq for StatsIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for StatsIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatsIndex")
    }
}

/// `column = parent_column × ratio` of the row its foreign key `foreign_key` references: a
/// positive number that moved with its parent's (Pearson ≥ 0.9 on the sampled joined rows)
/// without copying it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Follows {
    pub column: String,
    pub foreign_key: Vec<String>,
    pub parent_column: String,
    /// Quantiles (21 points) of `column / parent_column`.
    pub ratio: Vec<f64>,
}

/// `column >= parent_column` (`>` when `strict`) of the row its foreign key `foreign_key`
/// references, as it held in every sampled joined row, where the two columns' values overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentOrder {
    pub column: String,
    pub foreign_key: Vec<String>,
    pub parent_column: String,
    pub strict: bool,
    /// Quantiles (21 points) of `column - parent_column`, on the columns' line (days for dates,
    /// microseconds for times and timestamps, the number otherwise).
    pub gap: Vec<f64>,
}

/// `column` equals `parent_column` of the row its foreign key `foreign_key` references, as it
/// held in at least 98 % of the sampled joined rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inherited {
    pub column: String,
    pub foreign_key: Vec<String>,
    pub parent_column: String,
    /// Share of sampled child rows (with their parent found) where it held.
    pub holds: f64,
}

/// The share of joined rows from which a copy counts as holding in every row.
const COPIED_IN_EVERY_ROW: f64 = 0.98;

impl Inherited {
    /// Whether the copy held in (nearly) every row, so that every generated row copies; else
    /// only the children of a `holds` share of parents do.
    pub fn in_every_row(&self) -> bool {
        self.holds >= COPIED_IN_EVERY_ROW
    }
}

/// `column = left + right` (or `-`), as it held in at least 99 % of sampled rows. With `clock`,
/// `column` and `left` are clock times written as `HHMM` and `right` is minutes:
/// `dep_time = clock(sched_dep_time + dep_delay)`, wrapping past midnight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    pub column: String,
    pub left: String,
    /// `+`, `-`, or `=` for a column that repeats `left` (no `right` then).
    pub op: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub right: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub clock: bool,
    /// Share of sampled rows (with all three present) where it held.
    pub holds: f64,
}

/// `column` of a parent row = the sum over its child rows in `children` (joined by the child's
/// `foreign_key`) of the product of the child columns `sum`, or the count of those rows when
/// `sum` is empty. Held in at least 99 % of the sampled parents with children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Total {
    pub column: String,
    pub children: String,
    pub foreign_key: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sum: Vec<String>,
    pub holds: f64,
}

/// `column = part(of)`, as it held in at least 99 % of sampled rows: `year = year(ordered_at)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartOf {
    pub column: String,
    pub part: Part,
    pub of: String,
    /// Share of sampled rows (with both present) where it held.
    pub holds: f64,
}

/// Integer columns that together made a valid calendar date in every sampled row with all of
/// them present: `day` never passes the end of its month (no 30 February). `year` is empty
/// when the table has no year beside them (a birthday's month and day): 29 February is then
/// valid. Generated days past their month's end are moved to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDate {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub year: String,
    pub month: String,
    pub day: String,
    /// Sampled rows with the columns present; all of them were valid dates.
    pub rows: u64,
}

/// A part of a date, time, timestamp or `HHMM` clock-time integer. See
/// [`crate::profile::parts`] for what each reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// The date of a timestamp.
    Date,
    /// `HH` of an integer written as `HHMM` (`1545` → 15).
    ClockHour,
    /// `MM` of an integer written as `HHMM` (`1545` → 45).
    ClockMinute,
}

/// Categorical columns that depend on each other, with the combinations of their values that
/// the privacy guard lets in (each seen at least `min_count` times in the sample) and their
/// shares of rows; the remaining share is generated column by column, or, for an address, one
/// country at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryGroup {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub combinations: Vec<Combination>,
    /// Set when the columns are the parts of one address (see [`super::address`]): rows
    /// beyond the combinations are drawn one country at a time instead of column by column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<super::address::Address>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    /// One value per column of the group (`null` for NULL).
    pub values: Vec<Option<String>>,
    pub share: f64,
}

/// How ordered columns move together, read on a sample of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correlations {
    pub columns: Vec<String>,
    /// Spearman rank correlations, row by row in `columns` order; 1 on the diagonal.
    pub spearman: Vec<Vec<f64>>,
    /// The correlations of the normal variables behind the columns (what the generator's
    /// Gaussian copula takes), read from normal scores that give tied values their share of the
    /// normal line. Unlike Spearman's, they are not pulled towards 0 by a column of few values
    /// (a price that is 0.99 or 1.99). Absent in older profiles: the generator then converts
    /// `spearman`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal: Option<Vec<Vec<f64>>>,
    /// Text columns among `columns`: each is ranked by its values in `order` (`null` stands for
    /// every value not listed as frequent), so the copula draws it with the numbers it goes
    /// with (a freight that depends on the ship-to country).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranked: Vec<RankedCategories>,
    /// Columns among `columns` whose values cluster by parent row (one customer's orders have
    /// similar freight; one order's lines share a discount).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clustered: Vec<Clustered>,
    /// Columns among `columns` whose place depends on a category the copula does not rank
    /// (see [`super::shifts`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shifts: Vec<CategoryShift>,
    /// Rows the figures were read on.
    pub sample_rows: u64,
}

/// A number or date column whose place in its own distribution depends on the value of a
/// text column of the row (`category`): per listed value, where its rows' normal scores lie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryShift {
    pub column: String,
    pub category: String,
    pub levels: Vec<ShiftLevel>,
}

/// The mean and spread (standard deviation) of a column's normal scores among the rows that
/// hold `value` (`null`: every value not listed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftLevel {
    pub value: Option<String>,
    pub mean: f64,
    pub spread: f64,
}

/// A column whose values cluster by the parent row of a foreign key: `share` is the intraclass
/// correlation of its normal scores, the part of their variance that lies between parents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clustered {
    pub column: String,
    /// The foreign key's columns, as the table's `foreign_keys` name them.
    pub foreign_key: Vec<String>,
    pub share: f64,
    /// A number column of the parent row that the parent part moves with (a larger order's
    /// lines hold larger quantities), if the joined rows show one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentCorrelation>,
}

/// The normal correlation, over child rows joined to their parent row, between a child column
/// and a number column of the parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentCorrelation {
    pub column: String,
    pub correlation: f64,
}

/// A text column's frequent values in the order the copula ranks them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankedCategories {
    pub column: String,
    /// Values from lowest to highest rank; `null` for the values not listed as frequent.
    pub order: Vec<Option<String>>,
}

impl Correlations {
    /// Leaves `column` out of the figures.
    pub fn remove(&mut self, column: &str) {
        let Some(k) = self.columns.iter().position(|c| c == column) else {
            return;
        };
        self.columns.remove(k);
        self.clustered.retain(|c| c.column != column);
        self.shifts.retain(|s| s.column != column);
        let matrices = std::iter::once(&mut self.spearman).chain(self.normal.as_mut());
        for matrix in matrices {
            matrix.remove(k);
            matrix.iter_mut().for_each(|row| {
                row.remove(k);
            });
        }
    }

    /// The normal correlation between columns `a` and `b` (positions in `columns`): the
    /// learned one, or for an older profile Spearman's converted as for continuous columns.
    pub fn normal_at(&self, a: usize, b: usize) -> f64 {
        match &self.normal {
            Some(normal) => normal[a][b],
            None if a == b => 1.0,
            None => 2.0 * (std::f64::consts::PI * self.spearman[a][b] / 6.0).sin(),
        }
    }
}

/// Columns whose NULLs fall on related rows (see [`super::nulls`]). Along one shared order of
/// the rows, each column is NULL on the stretch that begins at its `start` (a share of the
/// rows) and is as long as its null rate; the order wraps at its end. Equal starts nest the
/// NULLs; a start at another's end keeps them apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullGroup {
    pub columns: Vec<String>,
    pub starts: Vec<f64>,
}

/// A column whose NULLs go with those of `follows`, a column whose NULLs something other than a
/// null group decides (an address drawn per country, a copy of the parent row's value): a
/// business customer has a company and a fax, a private one neither. Generation makes the
/// column NULL in `when_null` of the rows where `follows` came out NULL, and in `when_present`
/// of the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullFollow {
    pub column: String,
    pub follows: String,
    pub when_null: f64,
    pub when_present: f64,
}

/// `low <= high` (or `<` when `strict`) held in every row where both were present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRule {
    pub low: String,
    pub high: String,
    pub strict: bool,
    /// Whether the two columns' ranges overlap (else the order holds by their ranges alone).
    pub overlap: bool,
    /// Quantiles (21 points) of `high - low`: days for dates, microseconds for times and
    /// timestamps, the number itself otherwise.
    pub gap: Vec<f64>,
}

impl TableProfile {
    pub fn stats(&self, column: &str) -> Option<&ColumnStats> {
        let at = self.stats_index.position(&self.column_stats, column)?;
        Some(&self.column_stats[at])
    }

    pub fn fk_stats(&self, columns: &[String]) -> Option<&ForeignKeyStats> {
        self.foreign_key_stats.iter().find(|s| s.columns == columns)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnStats {
    /// The column's name; in the file, the name of the entry that holds these statistics.
    #[serde(skip)]
    pub column: String,
    pub null_rate: f64,
    pub distinct: u64,
    /// False when `distinct` is a sketch's estimate.
    pub distinct_exact: bool,
    /// Why the column is treated as personal data; its literals are then never kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic: Option<Semantic>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextStats>,
    /// How the column's text is generated (text columns profiled from data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<TextModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporal: Option<TemporalStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boolean: Option<BoolStats>,
    /// For an array column: elements per value and the elements' own statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array: Option<ArrayStats>,
    /// For a range column: empty and bound rates and each bound's own statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<RangeStats>,
    /// For an hstore column its keys and values; for xml its root elements and text content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyed: Option<KeyedStats>,
    /// Values that passed the privacy guard, most frequent first, with their share of non-null rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frequent: Vec<Share>,
}

/// What a text column holds, when it is recognisably one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Semantic {
    Email,
    Phone,
    Url,
    Uuid,
    PersonName,
    FreeText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub value: String,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericStats {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    /// 21 points: the 0th, 5th, ..., 100th percentiles (within the privacy guard's range).
    pub quantiles: Vec<f64>,
    /// Every value is a whole number.
    pub integral: bool,
    /// The most decimal places any value uses (up to 6).
    pub scale: u8,
    /// Standard deviation of all values: an aggregate that keeps a small table's spread when
    /// the privacy guard squeezes its quantiles to one point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std: Option<f64>,
    /// Every value is a clock time written as HHMM (`1545`); generated values are too.
    #[serde(default, skip_serializing_if = "is_false")]
    pub clock: bool,
    /// A clock column that writes midnight as `2400` (the end of the day, as flight schedules
    /// do) and never as `0000`; generated times do too.
    #[serde(default, skip_serializing_if = "is_false")]
    pub midnight_2400: bool,
    /// Every value is a whole multiple of this (25 for masses weighed to 25 g, 1000 for
    /// salaries in thousands, 5 for stock levels counted in fives); generated values are too.
    /// Written only when above 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u64>,
    /// How finely the values other than the frequent ones are written, where that is not what
    /// chance gives a continuous column (weights mostly whole, salaries mostly in thousands,
    /// prices ending in 9): the share of values whose last nonzero digit stands at each place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub precision: Vec<Precision>,
}

/// One place a column's values end at, of [`NumericStats::precision`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Precision {
    /// The power of ten of the last nonzero digit: -2 for cents (`4.99`), 0 for units (`17`),
    /// 3 for thousands (`52000`).
    pub place: i32,
    pub share: f64,
    /// Shares of that last digit being 1 to 9, among values with more digits before it; kept
    /// only where they are far from even (prices ending in 9, grades ending in 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digits: Vec<f64>,
}

fn is_false(b: &bool) -> bool {
    !b
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextStats {
    pub min_chars: u32,
    pub max_chars: u32,
    /// Share of values exactly `max_chars` long (values cut at a column's limit).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at_max_rate: f64,
    /// Share of non-null values per character length; a key is the lower bound of a bucket that
    /// runs to the next key (lengths up to 32 have a bucket each).
    pub chars: BTreeMap<u32, f64>,
    /// The same for UTF-8 byte lengths.
    pub bytes: BTreeMap<u32, f64>,
    pub empty_rate: f64,
    pub non_ascii_rate: f64,
    /// Values with leading or trailing white space.
    pub edge_space_rate: f64,
    /// Share of characters per Unicode script (`Common` is digits, punctuation and spaces).
    pub scripts: BTreeMap<String, f64>,
    /// Character-class shapes (`A` upper, `a` lower, `9` digit) of values up to 24 characters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shapes: Vec<Share>,
    /// The head every value shares when each is that head followed by a number (`s` of
    /// `s1`…`s8807`, `INV-` of `INV-0042`): a key made of it counts up after it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub counter_prefix: String,
    /// Share of values per combination of scripts other than `Common` (`Latin`,
    /// `Han+Hiragana`, `Cyrillic+Latin`), so a rare script keeps its share of values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub value_scripts: BTreeMap<String, f64>,
    /// Share of values holding each awkward character or form: see
    /// [`SPECIALS`](super::text::SPECIALS).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub specials: BTreeMap<String, f64>,
    /// Share of values holding a Latin letter beyond ASCII (`é`, `ß`), unlike `non_ascii_rate`
    /// not counting other scripts or typographic punctuation. Absent in older profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accented_rate: Option<f64>,
    /// Share of values holding each such letter, for letters the guard keeps (held by at
    /// least `k` values): made-up values take their accents from these.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accents: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporalStats {
    pub min: String,
    pub max: String,
    /// 21 points, as for numbers.
    pub quantiles: Vec<String>,
    /// Shares of values on boundaries that break code: midnight, the last day of a month,
    /// 29 February and 1 January.
    pub midnight_rate: f64,
    pub month_end_rate: f64,
    pub feb29_rate: f64,
    pub jan1_rate: f64,
    /// Share of values on the first day of a month (1 January too): 1 in a column of monthly
    /// figures, where chance gives 1 in 30.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub month_start_rate: f64,
    /// Share per weekday, Monday first (dates and timestamps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<f64>,
    /// Share per hour of the day, from 00 (timestamps and times).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<f64>,
    /// The finest unit any value uses (timestamps and times): values all on the hour, in whole
    /// seconds, or with microseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// Standard deviation of the values on the column's line (days for dates, microseconds
    /// otherwise), as for numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std: Option<f64>,
}

/// The finest unit of time a column's values use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
}

impl Resolution {
    const UNITS: [(Resolution, i64); 6] = [
        (Resolution::Day, 86_400_000_000),
        (Resolution::Hour, 3_600_000_000),
        (Resolution::Minute, 60_000_000),
        (Resolution::Second, 1_000_000),
        (Resolution::Millisecond, 1_000),
        (Resolution::Microsecond, 1),
    ];

    /// The coarsest unit that a time of day (in microseconds) is a whole number of.
    pub fn of(micros_of_day: i64) -> Resolution {
        Self::UNITS
            .iter()
            .find(|(_, unit)| micros_of_day % unit == 0)
            .map_or(Resolution::Microsecond, |(r, _)| *r)
    }

    pub fn micros(self) -> i64 {
        Self::UNITS
            .iter()
            .find(|(r, _)| *r == self)
            .map_or(1, |(_, unit)| *unit)
    }
}

/// An array column's shape: how many elements its values hold, and what the elements are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrayStats {
    /// Share of non-null values per element count (a key is the lower bound of a bucket that
    /// runs to the next key, as for text lengths).
    pub lengths: BTreeMap<u32, f64>,
    /// The elements' statistics, as for a column of the element type.
    pub element: Box<ColumnStats>,
}

/// A range column's shape. Bound rates are shares of the ranges that are not empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeStats {
    pub empty_rate: f64,
    pub lower_infinite_rate: f64,
    pub upper_infinite_rate: f64,
    pub lower_inclusive_rate: f64,
    pub upper_inclusive_rate: f64,
    /// Lower bounds' statistics, as for a column of the element type (an infinite bound is a
    /// NULL there).
    pub lower: Box<ColumnStats>,
    pub upper: Box<ColumnStats>,
    /// Widths (upper - lower) of ranges with two finite bounds: days for dates, microseconds
    /// for timestamps.
    pub width: Box<ColumnStats>,
    /// For a multirange: the share of values per range count (a key is the lower bound of a
    /// bucket that runs to the next key). The other figures are over its ranges.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<u32, f64>,
}

/// Values made of named parts (see `profile::keyed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyedStats {
    /// Keys (hstore) or root element names (xml) seen in at least `k` rows, with the share of
    /// non-null values that hold them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<Share>,
    /// The values' (or the text content's) statistics, as for a text column.
    pub values: Box<ColumnStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoolStats {
    pub true_rate: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyStats {
    pub columns: Vec<String>,
    pub null_rate: f64,
    pub children_per_parent: FanOut,
    /// The columns of another foreign key to the same parent rows whose pick this key's never
    /// equalled (a route never leads from an airport to itself); empty if none.
    pub differs_from: Vec<String>,
}

/// How many child rows reference each parent row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanOut {
    pub parents: u64,
    pub mean: f64,
    pub max: u64,
    /// Share of parents that no child references.
    pub zero_share: f64,
    /// Parents per children count; a key is the lower bound of a bucket that runs to the next
    /// key (counts up to 32 have a bucket each).
    pub histogram: BTreeMap<u64, u64>,
}

/// Standard deviation from a count, a sum and a sum of squares, rounded to six significant
/// digits; `None` for fewer than two values.
pub fn std_dev(count: u64, sum: f64, sum_sq: f64) -> Option<f64> {
    if count < 2 {
        return None;
    }
    let n = count as f64;
    let var = ((sum_sq - sum * sum / n) / (n - 1.0)).max(0.0);
    let std = var.sqrt();
    if std == 0.0 {
        return Some(0.0);
    }
    let magnitude = 10f64.powi(5 - std.log10().floor() as i32);
    Some((std * magnitude).round() / magnitude)
}

/// Rounds a share to six decimals so profiles stay readable and diffs stay small.
pub fn round_share(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The lower bound of the histogram bucket holding `n`: exact up to 32, then two buckets per
/// power of two.
pub fn bucket_floor(n: u64) -> u64 {
    if n <= 32 {
        return n;
    }
    let top = 63 - n.leading_zeros();
    let half = 1u64 << (top - 1);
    let base = 1u64 << top;
    if n >= base + half {
        base + half
    } else {
        base
    }
}

/// The first value past the bucket that starts at `floor`.
pub fn bucket_end(floor: u64) -> u64 {
    if floor < 32 {
        return floor + 1;
    }
    let top = 63 - floor.leading_zeros();
    floor + (1u64 << (top - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats_of(column: String) -> ColumnStats {
        ColumnStats {
            column,
            ..ColumnStats::default()
        }
    }

    #[test]
    fn the_stats_index_finds_every_column_of_a_wide_table() {
        let mut table = TableProfile {
            column_stats: (0..50_000).map(|i| stats_of(format!("c{i}"))).collect(),
            ..TableProfile::default()
        };
        for i in (0..50_000).step_by(997) {
            let name = format!("c{i}");
            assert_eq!(table.stats(&name).map(|s| &s.column), Some(&name));
        }
        assert!(table.stats("c50000").is_none());
        // Entries pushed or moved after the index was built are still found.
        table.column_stats.push(stats_of("late".into()));
        table.column_stats.swap(0, 1);
        assert_eq!(table.stats("late").unwrap().column, "late");
        assert_eq!(table.stats("c0").unwrap().column, "c0");
        assert_eq!(table.stats("c1").unwrap().column, "c1");
        assert!(table.stats("c50000").is_none());
    }

    #[test]
    fn buckets_tile_the_numbers() {
        let mut n = 0;
        while n < 100_000 {
            let floor = bucket_floor(n);
            assert_eq!(floor, n, "{n} starts a bucket");
            let end = bucket_end(floor);
            assert!((floor..end).all(|m| bucket_floor(m) == floor));
            n = end;
        }
    }
}
