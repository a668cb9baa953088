//! Default statistics for one column, from its type, its limits (type range, CHECKs,
//! partitions) and the role its name suggests. They are written out in the ordinary profile
//! format, so a reviewer sees and edits them like learned ones.

use std::collections::BTreeMap;

use super::names::{self, Role};
use crate::generate::values::Limits;
use crate::profile::model::{
    bucket_floor, round_share, BoolStats, ColumnStats, NumericStats, Resolution, Semantic, Share,
    TemporalStats, TextStats,
};
use crate::profile::pii::column_reason;
use crate::schema::{Column, LogicalType};
use crate::temporal::{self, MICROS_PER_DAY, MICROS_PER_HOUR};

/// Share of rows left NULL in a nullable column.
pub const NULL_RATE: f64 = 0.05;

/// How values spread between two ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Curve {
    Linear,
    /// Evenly on a log scale: many small values, a long tail (prices, quantities).
    Log,
}

/// A range of values in a column's numeric form (days, µs, or the number) and its spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub lo: f64,
    pub hi: f64,
    pub curve: Curve,
}

impl Span {
    fn at(&self, p: f64) -> f64 {
        match self.curve {
            Curve::Log if self.lo > 0.0 => self.lo * (self.hi / self.lo).powf(p),
            _ => self.lo + (self.hi - self.lo) * p,
        }
    }

    /// 21 points, the 0th to the 100th percentile.
    pub fn quantiles(&self) -> Vec<f64> {
        (0..=20).map(|i| self.at(i as f64 / 20.0)).collect()
    }

    /// The span moved inside `limits`: kept where most of it fits, else the limits' own finite
    /// range (a CHECK that says `BETWEEN 1 AND 5` wins over a default of 1 to 1,000).
    pub fn within(self, limits: &Limits) -> Span {
        let (lo_l, hi_l) = hull(limits);
        let (lo, hi) = (self.lo.max(lo_l), self.hi.min(hi_l));
        if hi > lo && hi - lo >= 0.1 * (self.hi - self.lo) {
            return Span { lo, hi, ..self };
        }
        let width = self.hi - self.lo;
        let (lo, hi) = match (lo_l.is_finite(), hi_l.is_finite()) {
            (true, true) => (lo_l, hi_l),
            (true, false) => (lo_l, lo_l + width),
            (false, true) => (hi_l - width, hi_l),
            (false, false) => (self.lo, self.hi),
        };
        Span {
            lo,
            hi: hi.max(lo),
            curve: Curve::Linear,
        }
    }
}

/// The smallest range holding every allowed value.
fn hull(limits: &Limits) -> (f64, f64) {
    if limits.pieces.is_empty() {
        return (limits.lo, limits.hi);
    }
    let lo = limits
        .pieces
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min);
    let hi = limits
        .pieces
        .iter()
        .map(|p| p.1)
        .fold(f64::NEG_INFINITY, f64::max);
    (lo.max(limits.lo), hi.min(limits.hi))
}

/// Statistics for a key or foreign key column: its values are computed from row indices, so
/// only its null rate matters.
pub fn key_stats(column: &Column) -> ColumnStats {
    ColumnStats {
        column: column.name.clone(),
        ..Default::default()
    }
}

/// Statistics for a value column; `span` overrides the default range of a number or time.
pub fn value_stats(column: &Column, limits: &Limits, rows: u64, span: Option<Span>) -> ColumnStats {
    let mut stats = ColumnStats {
        column: column.name.clone(),
        null_rate: if column.nullable { NULL_RATE } else { 0.0 },
        distinct: rows,
        ..Default::default()
    };
    match &column.logical {
        LogicalType::Bool => stats.boolean = Some(bool_stats(&column.name)),
        LogicalType::Enum { labels } => {
            stats.distinct = labels.len() as u64;
            stats.distinct_exact = true;
            stats.frequent = equal_shares(labels);
        }
        l if l.is_numeric() => {
            let span = span.unwrap_or_else(|| number_span(column).within(limits));
            stats.numeric = Some(numeric_stats(l, span, &column.name));
        }
        l if l.is_temporal() => {
            let span = span.unwrap_or_else(|| temporal_span(column).within(limits));
            stats.temporal = Some(temporal_stats(l, span, names::is_birth(&column.name)));
        }
        LogicalType::Text { max_chars } => text_defaults(&mut stats, column, *max_chars),
        LogicalType::Char { chars } => text_defaults(&mut stats, column, Some(*chars)),
        LogicalType::Bytes => stats.text = Some(text_stats(16, 64, false, Vec::new())),
        _ => {}
    }
    stats.pii = column_reason(&column.name, &column.logical, stats.semantic, None);
    stats
}

/// Each value at the same share.
pub fn equal_shares(values: &[String]) -> Vec<Share> {
    let share = round_share(1.0 / values.len().max(1) as f64);
    values
        .iter()
        .map(|v| Share {
            value: v.clone(),
            share,
        })
        .collect()
}

fn bool_stats(name: &str) -> BoolStats {
    BoolStats {
        true_rate: match names::bool_role(name) {
            Role::MostlyTrue => 0.8,
            Role::RarelyTrue => 0.05,
            _ => 0.5,
        },
    }
}

/// The default range of a number column by its name and type.
pub fn number_span(column: &Column) -> Span {
    let integer = column.logical.is_integer();
    let (lo, hi, curve) = match names::number_role(&column.name) {
        Role::Money => (1.0, 1000.0, Curve::Log),
        Role::Salary => (30_000.0, 250_000.0, Curve::Log),
        Role::Quantity => (1.0, 20.0, Curve::Log),
        Role::Stock => (0.0, 500.0, Curve::Linear),
        Role::Fraction if integer => (0.0, 100.0, Curve::Linear),
        Role::Fraction => (0.0, 0.3, Curve::Linear),
        Role::Rating => (1.0, 5.0, Curve::Linear),
        Role::Age => (18.0, 90.0, Curve::Linear),
        Role::Year => (1990.0, 2025.0, Curve::Linear),
        Role::Latitude => (-90.0, 90.0, Curve::Linear),
        Role::Longitude => (-180.0, 180.0, Curve::Linear),
        _ => (1.0, 1000.0, Curve::Log),
    };
    Span { lo, hi, curve }
}

fn numeric_stats(logical: &LogicalType, span: Span, name: &str) -> NumericStats {
    let scale: u8 = match logical {
        l if l.is_integer() => 0,
        LogicalType::Decimal { scale: Some(s), .. } => (*s).clamp(0, 6) as u8,
        _ if matches!(names::number_role(name), Role::Fraction) => 3,
        _ => 2,
    };
    let round = |v: f64| {
        let unit = 10f64.powi(scale as i32);
        (v * unit).round() / unit
    };
    let quantiles: Vec<f64> = span.quantiles().into_iter().map(round).collect();
    let mean = round(quantiles.iter().sum::<f64>() / quantiles.len() as f64);
    NumericStats {
        min: quantiles[0],
        max: quantiles[quantiles.len() - 1],
        mean,
        integral: scale == 0,
        scale,
        quantiles,
        std: None,
        clock: false,
        midnight_2400: false,
        step: None,
        precision: Vec::new(),
    }
}

/// Days from the epoch of a date literal the defaults use.
fn day(iso: &str) -> f64 {
    temporal::parse_date(iso).expect("the defaults' dates are valid") as f64
}

/// The default range of a date, time or timestamp: birth dates that make adults, times in
/// office hours, everything else in recent years.
pub fn temporal_span(column: &Column) -> Span {
    let (lo, hi) = if names::is_birth(&column.name) {
        (day("1945-01-01"), day("2005-12-31"))
    } else {
        (day("2020-01-01"), day("2025-12-31"))
    };
    let (lo, hi) = match column.logical {
        LogicalType::Date => (lo, hi),
        LogicalType::Time => ((8 * MICROS_PER_HOUR) as f64, (18 * MICROS_PER_HOUR) as f64),
        _ => (lo * MICROS_PER_DAY as f64, hi * MICROS_PER_DAY as f64),
    };
    Span {
        lo,
        hi,
        curve: Curve::Linear,
    }
}

/// One day in the column's numeric form.
pub fn day_units(logical: &LogicalType) -> f64 {
    match logical {
        LogicalType::Date => 1.0,
        _ => MICROS_PER_DAY as f64,
    }
}

fn temporal_stats(logical: &LogicalType, span: Span, birth: bool) -> TemporalStats {
    let render = |v: f64| match logical {
        LogicalType::Date => temporal::format_date(v.round() as i32),
        LogicalType::Time => temporal::format_time((v / 1e6).round() as i64 * 1_000_000),
        _ => temporal::format_timestamp((v / 1e6).round() as i64 * 1_000_000),
    };
    let quantiles: Vec<String> = span.quantiles().into_iter().map(render).collect();
    let has_time = !matches!(logical, LogicalType::Date);
    TemporalStats {
        min: quantiles[0].clone(),
        max: quantiles[quantiles.len() - 1].clone(),
        quantiles,
        // The calendar's own rates, so no boundary day is favoured.
        midnight_rate: if birth { 1.0 } else { 0.0 },
        month_end_rate: round_share(12.0 / 365.25),
        feb29_rate: round_share(1.0 / 1461.0),
        jan1_rate: round_share(1.0 / 365.25),
        month_start_rate: round_share(12.0 / 365.25),
        weekdays: Vec::new(),
        hours: Vec::new(),
        resolution: has_time.then_some(if birth {
            Resolution::Day
        } else {
            Resolution::Second
        }),
        std: None,
    }
}

fn text_defaults(stats: &mut ColumnStats, column: &Column, max_chars: Option<u32>) {
    let cap = |n: u32| max_chars.map_or(n, |m| m.min(n)).max(1);
    let role = names::text_role(&column.name, max_chars);
    let styled = |semantic: Option<Semantic>, stats: &mut ColumnStats| {
        stats.semantic = semantic;
        stats.text = Some(text_stats(cap(3), cap(60), false, Vec::new()));
    };
    match role {
        Role::Email => styled(Some(Semantic::Email), stats),
        Role::FirstName | Role::LastName | Role::FullName => {
            styled(Some(Semantic::PersonName), stats)
        }
        Role::Phone => styled(Some(Semantic::Phone), stats),
        Role::Url => styled(Some(Semantic::Url), stats),
        Role::Place => styled(None, stats),
        Role::Title => stats.text = Some(text_stats(cap(6), cap(40), true, Vec::new())),
        Role::FreeText => {
            stats.semantic = Some(Semantic::FreeText);
            stats.text = Some(text_stats(cap(20), cap(200), true, Vec::new()));
        }
        Role::Code => {
            let shape = code_shape(cap(8));
            let len = shape.chars().count() as u32;
            stats.text = Some(text_stats(len, len, false, vec![shape]));
        }
        Role::Labels(labels) => {
            let fitting: Vec<&(&str, f64)> = labels
                .iter()
                .filter(|(l, _)| l.chars().count() as u32 <= cap(u32::MAX))
                .collect();
            let total: f64 = fitting.iter().map(|l| l.1).sum();
            stats.distinct = fitting.len() as u64;
            stats.distinct_exact = true;
            stats.frequent = fitting
                .iter()
                .map(|(l, s)| Share {
                    value: l.to_string(),
                    share: round_share(s / total),
                })
                .collect();
            let longest = fitting.iter().map(|l| l.0.len() as u32).max().unwrap_or(1);
            stats.text = Some(text_stats(1, longest, false, Vec::new()));
        }
        _ => stats.text = Some(text_stats(cap(4), cap(24), true, Vec::new())),
    }
}

/// `AAA-99999`, cut to fit: letters then digits.
fn code_shape(max: u32) -> String {
    if max >= 9 {
        "AAA-99999".into()
    } else {
        (0..max)
            .map(|i| if i < max / 2 { 'A' } else { '9' })
            .collect()
    }
}

/// Lengths spread evenly from `min` to `max` characters, Latin letters (and spaces between
/// words when `words`).
fn text_stats(min: u32, max: u32, words: bool, shapes: Vec<String>) -> TextStats {
    let (min, max) = (min.min(max), max);
    let mut chars: BTreeMap<u32, f64> = BTreeMap::new();
    let each = 1.0 / (max - min + 1) as f64;
    for n in min..=max {
        *chars.entry(bucket_floor(n as u64) as u32).or_default() += each;
    }
    for share in chars.values_mut() {
        *share = round_share(*share);
    }
    let scripts = if words {
        BTreeMap::from([("Common".to_string(), 0.12), ("Latin".to_string(), 0.88)])
    } else {
        BTreeMap::from([("Latin".to_string(), 1.0)])
    };
    TextStats {
        min_chars: min,
        max_chars: max,
        at_max_rate: 0.0,
        bytes: chars.clone(),
        chars,
        empty_rate: 0.0,
        non_ascii_rate: 0.0,
        edge_space_rate: 0.0,
        scripts,
        value_scripts: BTreeMap::new(),
        specials: BTreeMap::new(),
        accented_rate: None,
        accents: BTreeMap::new(),
        shapes: shapes
            .into_iter()
            .map(|value| Share { value, share: 1.0 })
            .collect(),
        counter_prefix: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(lo: f64, hi: f64) -> Limits {
        Limits {
            lo,
            hi,
            pieces: Vec::new(),
        }
    }

    #[test]
    fn a_check_narrower_than_the_default_wins() {
        let default = Span {
            lo: 1.0,
            hi: 1000.0,
            curve: Curve::Log,
        };
        let rating = default.within(&limits(1.0, 5.0));
        assert_eq!(
            (rating.lo, rating.hi, rating.curve),
            (1.0, 5.0, Curve::Linear)
        );
        let positive = default.within(&limits(0.01, f64::INFINITY));
        assert_eq!(
            (positive.lo, positive.hi, positive.curve),
            (1.0, 1000.0, Curve::Log)
        );
        let precision = default.within(&limits(-999.99, 999.99));
        assert_eq!(precision.hi, 999.99);
    }

    #[test]
    fn text_lengths_fit_the_type() {
        let column = Column::new(
            "title",
            LogicalType::Text {
                max_chars: Some(10),
            },
            true,
        );
        let stats = value_stats(&column, &limits(f64::NEG_INFINITY, f64::INFINITY), 10, None);
        let text = stats.text.unwrap();
        assert_eq!((text.min_chars, text.max_chars), (6, 10));
        assert!((text.chars.values().sum::<f64>() - 1.0).abs() < 1e-5);
        assert_eq!(stats.null_rate, NULL_RATE);
    }
}
