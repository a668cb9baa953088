//! Edge cases on demand (`--edge-cases RATE`): a share of a column's cells replaced by values
//! that production code trips over (29 February, emoji joined by ZWJ, a string as long as the
//! column allows, NaN), each still valid for the column's type and constraints so the load
//! succeeds and the bug shows up in the code under test, not in the loader.
//!
//! Which cells: an exact row pattern per column keyed by (seed, table, column name), as for
//! NULLs, and which kind a hash of the row, so the injected cells are a pure function of the
//! plan: any thread count gives the same cells, and the run manifest lists them. Injection runs
//! after every other stage of a chunk, so nothing (an order, a derived column) moves an
//! injected value afterwards. Key and foreign-key columns are never touched (the planner only
//! offers value columns), nor are columns tied to others by a check, a stored generated
//! expression or a unique index, where a value chosen alone could break the constraint.

use std::ops::Range;

use chrono::NaiveDate;

use super::columns::type_limits;
use super::pattern::RowPattern;
use super::plan::TableLimits;
use super::text_buffer::TextBuffer;
use super::values::{Buffer, Limits};
use crate::hashing::{combine, mix64};
use crate::profile::model::ColumnStats;
use crate::schema::{Column, LogicalType};
use crate::temporal::{self, MICROS_PER_DAY, MICROS_PER_HOUR};

/// What `--edge-cases` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeCases {
    /// The share of each eligible column's cells to replace, in [0, 1].
    pub rate: f64,
    /// The kinds to use; empty for all.
    pub kinds: Vec<EdgeKind>,
}

/// A kind of stress value. Text kinds apply to text columns that no check constrains; number,
/// date and time kinds stay inside the column's type range, CHECK limits and partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    MaxLength,
    Combining,
    RightToLeft,
    EmojiZwj,
    ZeroWidth,
    EdgeSpaces,
    Quotes,
    Empty,
    Feb29,
    DstGap,
    DstOverlap,
    Epoch,
    Min,
    Max,
    NegativeZero,
    NaN,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 16] = [
        EdgeKind::MaxLength,
        EdgeKind::Combining,
        EdgeKind::RightToLeft,
        EdgeKind::EmojiZwj,
        EdgeKind::ZeroWidth,
        EdgeKind::EdgeSpaces,
        EdgeKind::Quotes,
        EdgeKind::Empty,
        EdgeKind::Feb29,
        EdgeKind::DstGap,
        EdgeKind::DstOverlap,
        EdgeKind::Epoch,
        EdgeKind::Min,
        EdgeKind::Max,
        EdgeKind::NegativeZero,
        EdgeKind::NaN,
    ];

    /// The kind's name on the command line and in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::MaxLength => "max-length",
            EdgeKind::Combining => "combining",
            EdgeKind::RightToLeft => "rtl",
            EdgeKind::EmojiZwj => "emoji-zwj",
            EdgeKind::ZeroWidth => "zero-width",
            EdgeKind::EdgeSpaces => "edge-spaces",
            EdgeKind::Quotes => "quotes",
            EdgeKind::Empty => "empty",
            EdgeKind::Feb29 => "feb-29",
            EdgeKind::DstGap => "dst-gap",
            EdgeKind::DstOverlap => "dst-overlap",
            EdgeKind::Epoch => "epoch",
            EdgeKind::Min => "min",
            EdgeKind::Max => "max",
            EdgeKind::NegativeZero => "negative-zero",
            EdgeKind::NaN => "nan",
        }
    }

    pub fn from_name(name: &str) -> Option<EdgeKind> {
        EdgeKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A stress value in the form its column's buffer takes.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Stress {
    Text(String),
    /// Integers, and dates (days) and timestamps and times (µs) by their numeric form.
    Int(i64),
    Number(f64),
}

/// One column's injections: which rows, and the values to choose from.
#[derive(Debug)]
pub(super) struct EdgePlan {
    rows: RowPattern,
    salt: u64,
    values: Vec<(EdgeKind, Stress)>,
}

impl EdgePlan {
    /// The plan for a value column, or `None` when no requested kind fits it.
    pub(super) fn new(
        column: &Column,
        limits: &TableLimits,
        stats: Option<&ColumnStats>,
        request: &EdgeCases,
        rows: u64,
        salt: u64,
    ) -> Option<EdgePlan> {
        let values: Vec<(EdgeKind, Stress)> = stress_values(column, limits, stats)
            .into_iter()
            .filter(|(kind, _)| request.kinds.is_empty() || request.kinds.contains(kind))
            .collect();
        (!values.is_empty() && request.rate > 0.0).then(|| EdgePlan {
            rows: RowPattern::new(request.rate, rows, salt),
            salt,
            values,
        })
    }

    /// The injected rows among `rows`, each with the index of its value, in row order.
    pub(super) fn cells(&self, rows: Range<u64>) -> impl Iterator<Item = (u64, usize)> + '_ {
        rows.filter(|&i| self.rows.hits(i)).map(|i| {
            let pick = mix64(combine([self.salt, i])) % self.values.len() as u64;
            (i, pick as usize)
        })
    }

    pub(super) fn kind(&self, value: usize) -> EdgeKind {
        self.values[value].0
    }

    /// Writes the injected values of rows `rows` (a chunk starting at `rows.start`) into the
    /// chunk's buffer.
    pub(super) fn apply(&self, rows: Range<u64>, buffer: &mut Buffer) {
        let start = rows.start;
        let cells: Vec<(usize, &Stress)> = self
            .cells(rows)
            .map(|(i, v)| ((i - start) as usize, &self.values[v].1))
            .collect();
        if !cells.is_empty() {
            overwrite(buffer, &cells);
        }
    }
}

/// Sets the cells `(row in chunk, value)`, given in row order.
fn overwrite(buffer: &mut Buffer, cells: &[(usize, &Stress)]) {
    match buffer {
        Buffer::Int(values, valid) => {
            for &(i, stress) in cells {
                if let Stress::Int(x) = stress {
                    values[i] = *x;
                    valid[i] = true;
                }
            }
        }
        Buffer::Float(values, valid) => {
            for &(i, stress) in cells {
                if let Stress::Number(x) = stress {
                    values[i] = *x;
                    valid[i] = true;
                }
            }
        }
        // A text buffer only appends: copy the column once with the cells replaced.
        Buffer::Text(texts) => {
            let rows = texts.len();
            let old = std::mem::replace(texts, TextBuffer::with_capacity(rows, 0));
            let mut next = cells.iter().peekable();
            for i in 0..rows {
                match (next.next_if(|(at, _)| *at == i), old.get(i)) {
                    (Some((_, Stress::Text(s))), _) => texts.push(s),
                    (_, Some(value)) => texts.push(value),
                    (_, None) => texts.push_null(),
                }
            }
        }
        Buffer::Bool(..) | Buffer::Bytes(_) => {}
    }
}

/// Every stress value that fits `column`, by kind.
fn stress_values(
    column: &Column,
    limits: &TableLimits,
    stats: Option<&ColumnStats>,
) -> Vec<(EdgeKind, Stress)> {
    let logical = &column.logical;
    if logical.is_numeric() || logical.is_temporal() {
        if !limits.range_is_whole_story(&column.name) {
            return Vec::new();
        }
        let range = limits.column_range(column, stats);
        if range.is_empty() {
            return Vec::new();
        }
        return if logical.is_temporal() {
            temporal_values(logical, &range)
        } else {
            number_values(logical, &range)
        };
    }
    let max_chars = match logical {
        LogicalType::Text { max_chars } => max_chars.unwrap_or(UNBOUNDED_TEXT_CHARS),
        LogicalType::Char { chars } => *chars,
        _ => return Vec::new(),
    };
    if !limits.is_unconstrained(&column.name) || max_chars == 0 {
        return Vec::new();
    }
    text_values(
        max_chars as usize,
        matches!(logical, LogicalType::Char { .. }),
    )
}

/// The length of a `max-length` value in a text column without a limit: long enough to break
/// fixed-size buffers and layouts, short enough for a btree index entry (at most 2,704 bytes).
const UNBOUNDED_TEXT_CHARS: u32 = 512;

fn text_values(max_chars: usize, padded: bool) -> Vec<(EdgeKind, Stress)> {
    let fit = |s: &str| s.chars().take(max_chars).collect::<String>();
    // 1-, 2-, 3- and 4-byte characters, so a limit counted in bytes (or UTF-16 units) breaks.
    let longest: String = "aé€😀".chars().cycle().take(max_chars).collect();
    let spaced = if max_chars >= 3 {
        let inner: String = "padded".chars().take(max_chars.min(10) - 2).collect();
        let side = ((max_chars.min(10) - inner.chars().count()) / 2).max(1);
        format!("{0}{inner}{0}", " ".repeat(side))
    } else {
        " ".to_string()
    };
    let mut values = vec![
        (EdgeKind::MaxLength, longest),
        // Decomposed and precomposed é side by side, and stacked marks.
        (
            EdgeKind::Combining,
            fit("e\u{301} \u{e9} Z\u{351}\u{36b}a\u{300}\u{301}l\u{327}g\u{308}o\u{303}"),
        ),
        // Hebrew and Arabic around Latin and digits, and a right-to-left override.
        (
            EdgeKind::RightToLeft,
            fit("שלום abc مرحبا 123 \u{202e}fdp.exe\u{202c}"),
        ),
        (EdgeKind::EmojiZwj, fit("👩‍👩‍👧‍👦 👨🏽‍💻 🏳️‍🌈")),
        (
            EdgeKind::ZeroWidth,
            fit("zero\u{200b}width\u{200c}non\u{200d}joiner\u{2060}\u{feff}"),
        ),
        (EdgeKind::Quotes, fit(r#"It's "quoted" \ back\\slash \N"#)),
        (EdgeKind::Empty, String::new()),
    ];
    // char(n) pads with spaces, which PostgreSQL ignores: trailing spaces would not survive,
    // so a padded column gets no edge spaces and no value ending in a space.
    if !padded {
        values.push((EdgeKind::EdgeSpaces, spaced));
    }
    values
        .into_iter()
        .map(|(kind, s)| match padded {
            true => (kind, Stress::Text(s.trim_end_matches(' ').to_string())),
            false => (kind, Stress::Text(s)),
        })
        .collect()
}

/// The smallest and largest allowed values, and for floats -0.0 and NaN where allowed.
fn number_values(logical: &LogicalType, range: &Limits) -> Vec<(EdgeKind, Stress)> {
    let mut values = Vec::new();
    let (low, high) = (range.fit(range.lo), range.fit(range.hi));
    let whole = type_limits(logical);
    match logical {
        LogicalType::Int16 | LogicalType::Int32 | LogicalType::Int64 => {
            // The type's own extremes exactly (a bigint's are not f64s) unless a check narrows.
            let (min, max) = integer_extremes(logical);
            let low = if low <= whole.lo {
                min
            } else {
                low.ceil() as i64
            };
            let high = if high >= whole.hi {
                max
            } else {
                high.floor() as i64
            };
            values.push((EdgeKind::Min, Stress::Int(low)));
            values.push((EdgeKind::Max, Stress::Int(high)));
        }
        // Beyond 15 digits an f64 cannot hold the extremes exactly.
        LogicalType::Decimal {
            precision: Some(p), ..
        } if *p <= 15 => {
            values.push((EdgeKind::Min, Stress::Number(low)));
            values.push((EdgeKind::Max, Stress::Number(high)));
        }
        LogicalType::Float32 | LogicalType::Float64 => {
            let max = match logical {
                LogicalType::Float32 => f32::MAX as f64,
                _ => f64::MAX,
            };
            // The range's bounds are reals already (`TableLimits::column_range`).
            values.push((EdgeKind::Min, Stress::Number(low.max(-max))));
            values.push((EdgeKind::Max, Stress::Number(high.min(max))));
            if range.contains(0.0) {
                values.push((EdgeKind::NegativeZero, Stress::Number(-0.0)));
            }
            if range.lo == f64::NEG_INFINITY && range.hi == f64::INFINITY && range.pieces.is_empty()
            {
                values.push((EdgeKind::NaN, Stress::Number(f64::NAN)));
            }
        }
        _ => {}
    }
    values
}

fn integer_extremes(logical: &LogicalType) -> (i64, i64) {
    match logical {
        LogicalType::Int16 => (i16::MIN.into(), i16::MAX.into()),
        LogicalType::Int32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}

/// Where local clocks jump or repeat, in the Central European zone (Europe/Berlin, Paris,
/// Amsterdam…): on 2021-03-28 they jump from 02:00 to 03:00, on 2021-10-31 from 03:00 back to
/// 02:00. A `timestamp` (local time) takes 02:30 on those days: a time that never happened, and
/// one that happened twice. A `timestamptz` (an instant) takes 01:00 UTC on the first day (03:00
/// summer time, the first instant after the jump) and 01:30 UTC on the second (02:30 winter
/// time, the second time clocks showed 02:30).
const DST: [(EdgeKind, &str, &str); 2] = [
    (
        EdgeKind::DstGap,
        "2021-03-28 02:30:00",
        "2021-03-28 01:00:00",
    ),
    (
        EdgeKind::DstOverlap,
        "2021-10-31 02:30:00",
        "2021-10-31 01:30:00",
    ),
];

/// The earliest and latest allowed values, the epoch, 29 February and DST changes, each where
/// the column's type and limits allow it.
fn temporal_values(logical: &LogicalType, range: &Limits) -> Vec<(EdgeKind, Stress)> {
    let mut values = vec![
        (EdgeKind::Min, range.fit(range.lo)),
        (EdgeKind::Max, range.fit(range.hi)),
    ];
    let day = match logical {
        LogicalType::Date => 1,
        LogicalType::Timestamp | LogicalType::TimestampTz => MICROS_PER_DAY,
        _ => 0, // a time of day has no date
    };
    if day > 0 {
        values.push((EdgeKind::Epoch, 0.0));
        if let Some(leap) = leap_day(|days| range.contains((days * day) as f64)) {
            // Noon for timestamps, so the day stays 29 February in any zone.
            let noon = if day > 1 { 12 * MICROS_PER_HOUR } else { 0 };
            values.push((EdgeKind::Feb29, (leap * day + noon) as f64));
        }
    }
    for (kind, local, utc) in DST {
        let text = match logical {
            LogicalType::Timestamp => local,
            LogicalType::TimestampTz => utc,
            _ => continue,
        };
        let micros = temporal::parse_timestamp(text).expect("the DST times are valid");
        values.push((kind, micros as f64));
    }
    values
        .into_iter()
        .filter(|&(_, v)| v.is_finite() && range.contains(v))
        .map(|(kind, v)| (kind, Stress::Int(v as i64)))
        .collect()
}

/// The 29 February nearest to 2024 (as days since 1970) that `allowed` accepts, looking as far
/// as the years 1 and 9999.
fn leap_day(allowed: impl Fn(i64) -> bool) -> Option<i64> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    (0..8000)
        .flat_map(|k| [2024 - 4 * k, 2028 + 4 * k])
        .filter(|y| (1..=9999).contains(y))
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 2, 29))
        .map(|d| (d - epoch).num_days())
        .find(|&days| allowed(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::plan::table_constraints;
    use crate::schema::{Check, Table};

    fn table(columns: Vec<Column>, checks: &[&str]) -> Table {
        Table {
            name: "t".into(),
            columns,
            checks: checks
                .iter()
                .enumerate()
                .map(|(i, e)| Check {
                    name: format!("c{i}"),
                    expression: e.to_string(),
                })
                .collect(),
            ..Table::default()
        }
    }

    fn values_of(table: &Table, column: &str) -> Vec<(EdgeKind, Stress)> {
        let limits = table_constraints(table, &mut Vec::new());
        stress_values(table.column(column).unwrap(), &limits, None)
    }

    fn kinds(values: &[(EdgeKind, Stress)]) -> Vec<&str> {
        values.iter().map(|(k, _)| k.name()).collect()
    }

    #[test]
    fn names_round_trip() {
        for kind in EdgeKind::ALL {
            assert_eq!(EdgeKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(EdgeKind::from_name("emoji"), None);
    }

    #[test]
    fn text_fits_the_length_and_skips_checked_columns() {
        let t = table(
            vec![
                Column::new("note", LogicalType::Text { max_chars: Some(5) }, false),
                Column::new("code", LogicalType::Char { chars: 3 }, false),
                Column::new("status", LogicalType::Text { max_chars: None }, false),
            ],
            &["status IN ('a', 'b')"],
        );
        let note = values_of(&t, "note");
        assert_eq!(note.len(), 8);
        for (kind, value) in &note {
            let Stress::Text(s) = value else { panic!() };
            assert!(s.chars().count() <= 5, "{kind:?}: {s:?}");
        }
        assert_eq!(note[0].1, Stress::Text("aé€😀a".into()));
        assert!(!kinds(&values_of(&t, "code")).contains(&"edge-spaces"));
        assert!(values_of(&t, "status").is_empty());
    }

    #[test]
    fn numbers_stay_inside_checks() {
        let t = table(
            vec![
                Column::new("qty", LogicalType::Int64, false),
                Column::new("n", LogicalType::Int64, false),
                Column::new("ratio", LogicalType::Float32, true),
                Column::new("score", LogicalType::Float64, true),
                Column::new("low", LogicalType::Int32, false),
                Column::new("high", LogicalType::Int32, false),
            ],
            &["qty BETWEEN 1 AND 99", "ratio <= 0.1", "low <= high"],
        );
        assert_eq!(
            values_of(&t, "qty"),
            [
                (EdgeKind::Min, Stress::Int(1)),
                (EdgeKind::Max, Stress::Int(99))
            ]
        );
        assert_eq!(
            values_of(&t, "n"),
            [
                (EdgeKind::Min, Stress::Int(i64::MIN)),
                (EdgeKind::Max, Stress::Int(i64::MAX))
            ]
        );
        let ratio = values_of(&t, "ratio");
        assert_eq!(kinds(&ratio), ["min", "max", "negative-zero"]);
        let Stress::Number(max) = ratio[1].1 else {
            panic!()
        };
        assert!(max <= 0.1 && max as f32 as f64 == max, "{max}");
        assert_eq!(
            kinds(&values_of(&t, "score")),
            ["min", "max", "negative-zero", "nan"]
        );
        assert!(values_of(&t, "low").is_empty(), "tied to another column");
    }

    #[test]
    fn dates_and_timestamps_take_boundaries_inside_their_limits() {
        let t = table(
            vec![
                Column::new("born", LogicalType::Date, false),
                Column::new("at", LogicalType::Timestamp, false),
                Column::new("zoned", LogicalType::TimestampTz, false),
                Column::new("clock", LogicalType::Time, false),
            ],
            &["born >= '2001-01-01'"],
        );
        let born = values_of(&t, "born");
        assert_eq!(kinds(&born), ["min", "max", "feb-29"]);
        assert_eq!(
            born[2].1,
            Stress::Int(temporal::parse_date("2024-02-29").unwrap() as i64)
        );
        let at = values_of(&t, "at");
        assert_eq!(
            kinds(&at),
            ["min", "max", "epoch", "feb-29", "dst-gap", "dst-overlap"]
        );
        let gap = temporal::parse_timestamp("2021-03-28 02:30:00").unwrap();
        assert_eq!(at[4].1, Stress::Int(gap));
        let zoned = values_of(&t, "zoned");
        let instant = temporal::parse_timestamp("2021-10-31 01:30:00").unwrap();
        assert_eq!(zoned[5].1, Stress::Int(instant));
        assert_eq!(kinds(&values_of(&t, "clock")), ["min", "max"]);
    }

    #[test]
    fn cells_hit_the_rate_exactly_and_only_requested_kinds() {
        let t = table(
            vec![Column::new(
                "note",
                LogicalType::Text { max_chars: None },
                true,
            )],
            &[],
        );
        let limits = table_constraints(&t, &mut Vec::new());
        let request = EdgeCases {
            rate: 0.05,
            kinds: vec![EdgeKind::Empty, EdgeKind::Quotes],
        };
        let plan = EdgePlan::new(&t.columns[0], &limits, None, &request, 1000, 7).unwrap();
        let cells: Vec<(u64, usize)> = plan.cells(0..1000).collect();
        assert_eq!(cells.len(), 50);
        let mut used: Vec<EdgeKind> = cells.iter().map(|&(_, v)| plan.kind(v)).collect();
        used.sort();
        used.dedup();
        assert_eq!(used, [EdgeKind::Quotes, EdgeKind::Empty]);
        let split: Vec<(u64, usize)> = plan.cells(0..400).chain(plan.cells(400..1000)).collect();
        assert_eq!(split, cells, "chunks see the same cells as the whole");
    }
}
