//! A column's value generator from its learned statistics and its limits: the type's range,
//! CHECK comparisons and partition bounds, all in the column's numeric form (days for dates,
//! µs for timestamps and times).

use super::checks::{Cmp, Literal, PartitionBound};
use super::precision::Places;
use super::text::TextGen;
use super::values::{Choice, Kind, Limits, NumberGen, Tails, TemporalForm, TemporalGen};
use crate::profile::model::{ColumnStats, Resolution, Share, TemporalStats};
use crate::profile::TextModel;
use crate::schema::{Column, LogicalType};
use crate::temporal::{self, date_from_days};
use chrono::{Datelike, NaiveDate};

/// The smallest difference between two values of the column, in its numeric form: the
/// learned step every value was a multiple of, or else what the type and the values' decimal
/// places allow.
pub(super) fn step_of(logical: &LogicalType, stats: Option<&ColumnStats>) -> f64 {
    let learned = stats.and_then(|s| s.numeric.as_ref());
    if let Some(step) = learned
        .and_then(|n| n.step)
        .filter(|_| logical.is_numeric())
    {
        return step as f64;
    }
    match logical {
        LogicalType::Int16 | LogicalType::Int32 | LogicalType::Int64 => 1.0,
        LogicalType::Date
        | LogicalType::Timestamp
        | LogicalType::TimestampTz
        | LogicalType::Time => 1.0,
        // Whole numbers in a decimal column (`2.0` in a CSV export) stay whole.
        LogicalType::Decimal { scale: Some(_), .. } if learned.is_some_and(|n| n.integral) => 1.0,
        LogicalType::Decimal { scale: Some(s), .. } => 10f64.powi(-(*s as i32)),
        LogicalType::Decimal { .. } | LogicalType::Float32 | LogicalType::Float64 => {
            match learned {
                Some(n) if n.integral => 1.0,
                Some(n) if n.scale <= 6 && n.scale > 0 => 10f64.powi(-(n.scale as i32)),
                _ => 0.0,
            }
        }
        _ => 0.0,
    }
}

pub(super) fn type_limits(logical: &LogicalType) -> Limits {
    let (lo, hi) = match logical {
        LogicalType::Int16 => (i16::MIN as f64, i16::MAX as f64),
        LogicalType::Int32 => (i32::MIN as f64, i32::MAX as f64),
        LogicalType::Int64 => (-9.0e18, 9.0e18),
        LogicalType::Decimal {
            precision: Some(p),
            scale,
        } => {
            let s = scale.unwrap_or(0) as i32;
            let max = 10f64.powi(*p as i32 - s) - 10f64.powi(-s);
            (-max, max)
        }
        // Years 1 to 9999: what every sink and client can read.
        LogicalType::Date => (-719_162.0, 2_932_896.0),
        LogicalType::Timestamp | LogicalType::TimestampTz => (-62_135_596_800e6, 253_402_300_799e6),
        LogicalType::Time => (0.0, (temporal::MICROS_PER_DAY - 1) as f64),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    Limits {
        lo,
        hi,
        pieces: Vec::new(),
    }
}

pub(super) fn tighten(limits: &mut Limits, op: Cmp, v: f64, step: f64) {
    let unit = if step > 0.0 {
        step
    } else {
        v.abs() * 1e-12 + 1e-12
    };
    let up = |x: f64| {
        if step > 0.0 {
            (x / step).ceil() * step
        } else {
            x
        }
    };
    let down = |x: f64| {
        if step > 0.0 {
            (x / step).floor() * step
        } else {
            x
        }
    };
    match op {
        Cmp::Gt if step > 0.0 => limits.lo = limits.lo.max((v / step).floor() * step + step),
        Cmp::Gt => limits.lo = limits.lo.max(v + unit),
        Cmp::Ge => limits.lo = limits.lo.max(up(v)),
        Cmp::Lt if step > 0.0 => limits.hi = limits.hi.min((v / step).ceil() * step - step),
        Cmp::Lt => limits.hi = limits.hi.min(v - unit),
        Cmp::Le => limits.hi = limits.hi.min(down(v)),
        Cmp::Eq => {
            limits.lo = limits.lo.max(v);
            limits.hi = limits.hi.min(v);
        }
    }
}

pub(super) fn apply_partitions(
    limits: &mut Limits,
    bounds: &[PartitionBound],
    logical: &LogicalType,
    step: f64,
) {
    let unit = if step > 0.0 { step } else { 1e-9 };
    for bound in bounds {
        match bound {
            PartitionBound::Range { from, to } => {
                let lo = from
                    .as_ref()
                    .and_then(|l| domain_value(logical, l))
                    .unwrap_or(f64::NEG_INFINITY);
                let hi = to
                    .as_ref()
                    .and_then(|l| domain_value(logical, l))
                    .map_or(f64::INFINITY, |v| v - unit);
                limits.pieces.push((lo, hi));
            }
            PartitionBound::List(values) => {
                for v in values.iter().filter_map(|l| domain_value(logical, l)) {
                    limits.pieces.push((v, v));
                }
            }
        }
    }
}

/// A check's constant in the column's numeric form: days for dates, µs for timestamps.
pub(super) fn domain_value(logical: &LogicalType, literal: &Literal) -> Option<f64> {
    match (logical, literal) {
        (_, Literal::Text(s)) if logical.is_temporal() => logical.parse_temporal(s),
        (_, Literal::Number(n)) if logical.is_numeric() => Some(*n),
        (_, Literal::Text(s)) if logical.is_numeric() => s.parse().ok(),
        _ => None,
    }
}

pub(super) fn literal_text(literal: &Literal) -> String {
    match literal {
        Literal::Number(n) => n.to_string(),
        Literal::Text(s) => s.clone(),
    }
}

/// How a column's non-null values are made, from its type and what was learned.
pub(super) fn kind_for(column: &Column, stats: Option<&ColumnStats>, limits: Limits) -> Kind {
    let frequent = |parse: &dyn Fn(&str) -> Option<f64>| {
        Choice::new(
            stats
                .map(|s| s.frequent.as_slice())
                .unwrap_or_default()
                .iter()
                .filter_map(|f| Some((parse(&f.value)?, f.share)))
                .collect(),
        )
    };
    let step = step_of(&column.logical, stats);
    if let Some(TextModel::Lookup { values }) = stats.and_then(|s| s.model.as_ref()) {
        let by_row = column.logical == LogicalType::Bool || column.logical.is_numeric();
        if by_row && !values.is_empty() {
            return Kind::lookup(values.clone());
        }
    }
    match &column.logical {
        LogicalType::Bool => Kind::Bool {
            true_rate: stats
                .and_then(|s| s.boolean.as_ref())
                .map_or(0.5, |b| b.true_rate),
        },
        l if l.is_numeric() => {
            let numeric = stats.and_then(|s| s.numeric.as_ref());
            let quantiles = numeric
                .map(|n| spread_out(n.quantiles.clone(), n.std, stats))
                .unwrap_or_default();
            let frequent = frequent(&|s| s.parse().ok()).by_value();
            Kind::Number(NumberGen {
                atoms: NumberGen::atoms(&quantiles, &frequent),
                tails: match numeric {
                    Some(n) if !n.clock => Tails::keeping_mean(&quantiles, n.mean),
                    _ => Tails::STRAIGHT,
                },
                quantiles,
                frequent,
                step,
                limits,
                clock: numeric.is_some_and(|n| n.clock),
                places: numeric.and_then(|n| Places::new(&n.precision)),
            })
        }
        l if l.is_temporal() && !matches!(l, LogicalType::Interval) => {
            let (form, parse): (TemporalForm, fn(&str) -> Option<f64>) = match l {
                LogicalType::Date => (TemporalForm::Date, |s| {
                    temporal::parse_date(s).map(|d| d as f64)
                }),
                LogicalType::Time => (TemporalForm::Time, |s| {
                    temporal::parse_time(s).map(|t| t as f64)
                }),
                _ => (TemporalForm::Timestamp, |s| {
                    temporal::parse_timestamp(s).map(|t| t as f64)
                }),
            };
            let learned = stats.and_then(|s| s.temporal.as_ref());
            let quantiles = learned.map_or_else(Vec::new, |t| {
                let points = t.quantiles.iter().filter_map(|q| parse(q)).collect();
                spread_out(points, t.std, stats)
            });
            let rate = |f: fn(&TemporalStats) -> f64| learned.map_or(0.0, f);
            let days: Vec<f64> = match form {
                TemporalForm::Timestamp => quantiles
                    .iter()
                    .map(|q| q / temporal::MICROS_PER_DAY as f64)
                    .collect(),
                _ => quantiles.clone(),
            };
            let month_start = excess(
                rate(|t| t.month_start_rate),
                natural_rate(&days, |d| d.day() == 1, 12.0 / 365.25),
            );
            Kind::Temporal(TemporalGen {
                form,
                values: NumberGen {
                    quantiles,
                    frequent: frequent(&|s| parse(s)).by_value(),
                    clock: false,
                    places: None,
                    atoms: Vec::new(),
                    tails: Tails::STRAIGHT,
                    step: 0.0,
                    limits: if learned.is_none() {
                        default_temporal(form, limits)
                    } else {
                        limits
                    },
                },
                midnight_rate: rate(|t| t.midnight_rate),
                month_end_rate: excess(
                    rate(|t| t.month_end_rate),
                    natural_rate(&days, is_month_end, 12.0 / 365.25),
                ),
                feb29_rate: excess(
                    rate(|t| t.feb29_rate),
                    natural_rate(&days, |d| d.month() == 2 && d.day() == 29, 1.0 / 1461.0),
                ),
                // A move to a month's first day lands on 1 January in January: the 1 January
                // move adds only what those leave to reach its rate, not counted twice.
                jan1_rate: excess(
                    rate(|t| t.jan1_rate),
                    natural_rate(&days, |d| d.ordinal() == 1, 1.0 / 365.25)
                        + month_start * natural_rate(&days, |d| d.month() == 1, 31.0 / 365.25),
                ),
                month_start_rate: month_start,
                weekdays: learned.and_then(|t| mix(&t.weekdays)),
                hours: learned
                    .filter(|_| form == TemporalForm::Timestamp)
                    .and_then(|t| mix(&t.hours)),
                resolution: learned
                    .and_then(|t| t.resolution)
                    .map_or(1_000_000, Resolution::micros),
            })
        }
        LogicalType::Enum { labels } => Kind::OneOf(enum_choice(labels, stats)),
        LogicalType::Text { max_chars } => text_kind(column, stats, *max_chars),
        LogicalType::Char { chars } => text_kind(column, stats, Some(*chars)),
        LogicalType::Uuid => Kind::Uuid,
        LogicalType::Json => Kind::Json,
        LogicalType::Inet => Kind::Inet,
        LogicalType::Interval => Kind::Interval(interval_gen(stats, limits)),
        LogicalType::Range { element } | LogicalType::MultiRange { element } => {
            Kind::Range(Box::new(super::composite::RangeGen::new(
                column,
                element,
                matches!(column.logical, LogicalType::MultiRange { .. }),
                stats.and_then(|s| s.range.as_ref()),
            )))
        }
        LogicalType::Bit { length, varying } => Kind::Bit(super::composite::BitGen::new(
            *length,
            *varying,
            stats.and_then(|s| s.array.as_ref()),
        )),
        LogicalType::Hstore | LogicalType::Xml => Kind::Keyed(Box::new(
            super::composite::KeyedGen::new(column, stats.and_then(|s| s.keyed.as_ref())),
        )),
        LogicalType::TsVector => Kind::TsVector(super::tsvector::TsVectorGen::new(stats)),
        LogicalType::Array { element } => Kind::Array(Box::new(super::arrays::ArrayGen::new(
            column,
            element,
            stats.and_then(|s| s.array.as_ref()),
        ))),
        LogicalType::Bytes => Kind::Bytes(Choice::new(
            stats
                .and_then(|s| s.text.as_ref())
                .map(|t| {
                    t.bytes
                        .iter()
                        .map(|(&b, &share)| ((b, b + 1), share))
                        .collect()
                })
                .unwrap_or_default(),
        )),
        _ => Kind::Null,
    }
}

/// Interval lengths (µs) from the learned quantiles and frequent values, rounded to whole
/// seconds when every learned value is; without them, up to 30 days.
fn interval_gen(stats: Option<&ColumnStats>, limits: Limits) -> NumberGen {
    const DAY: f64 = temporal::MICROS_PER_DAY as f64;
    let numeric = stats.and_then(|s| s.numeric.as_ref());
    let frequent: Vec<(f64, f64)> = stats
        .map(|s| s.frequent.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|f| Some((f.value.parse().ok()?, f.share)))
        .collect();
    let quantiles = numeric.map_or_else(|| vec![0.0, 30.0 * DAY], |n| n.quantiles.clone());
    let whole_seconds = quantiles
        .iter()
        .chain(frequent.iter().map(|(v, _)| v))
        .all(|v| v % 1e6 == 0.0);
    NumberGen {
        quantiles: spread_out(quantiles, numeric.and_then(|n| n.std), stats),
        frequent: Choice::new(frequent).by_value(),
        step: if whole_seconds { 1e6 } else { 1.0 },
        limits,
        clock: false,
        places: None,
        atoms: Vec::new(),
        tails: Tails::STRAIGHT,
    }
}

/// Quantiles that the privacy guard squeezed to one point in a small table whose values
/// differ (eight employees, five values needed past each reported point) are spread again by
/// the column's standard deviation: evenly over the median ± √3·std, a uniform of that spread.
fn spread_out(quantiles: Vec<f64>, std: Option<f64>, stats: Option<&ColumnStats>) -> Vec<f64> {
    let collapsed = quantiles.windows(2).all(|w| w[0] == w[1]);
    let varied = stats.is_some_and(|s| s.distinct > 1);
    match (quantiles.first(), std) {
        (Some(&median), Some(std)) if collapsed && varied && std > 0.0 => {
            let half = 3f64.sqrt() * std;
            let n = quantiles.len().max(2);
            (0..n)
                .map(|i| median - half + 2.0 * half * i as f64 / (n - 1) as f64)
                .collect()
        }
        _ => quantiles,
    }
}

/// The rate at which to move drawn days onto a boundary (month end, 29 February, 1 January)
/// so that the share on it is `learned`, given that drawing from quantiles already lands on it
/// at rate `natural`.
fn excess(learned: f64, natural: f64) -> f64 {
    ((learned - natural) / (1.0 - natural)).max(0.0)
}

/// Days looked at per quantile interval when reading a boundary's natural rate; a longer
/// interval is read at its calendar rate.
const NATURAL_DAYS: i64 = 4_000;

/// The share of values drawn between `days` (quantiles as days, evenly spaced in rank) that
/// fall on a day `on` picks: each interval holds an equal share, spread evenly over its days.
/// A column of nineteen days in January lands on 1 January a nineteenth of the time, not at
/// the calendar's 1 in 365. `calendar` is the rate for long intervals and no quantiles.
fn natural_rate(days: &[f64], on: fn(NaiveDate) -> bool, calendar: f64) -> f64 {
    if days.len() < 2 {
        return calendar;
    }
    let intervals = days.windows(2).map(|w| {
        let (a, b) = (w[0].floor() as i64, w[1].floor() as i64);
        if b - a > NATURAL_DAYS {
            return calendar;
        }
        let hits = (a..=b)
            .filter(|&d| {
                i32::try_from(d)
                    .ok()
                    .and_then(date_from_days)
                    .is_some_and(on)
            })
            .count();
        hits as f64 / (b - a + 1) as f64
    });
    intervals.sum::<f64>() / (days.len() - 1) as f64
}

fn is_month_end(d: NaiveDate) -> bool {
    d.succ_opt().is_some_and(|next| next.month() != d.month())
}

/// A learned mix (weekdays, hours) as a choice of its positions.
fn mix(shares: &[f64]) -> Option<Choice<i64>> {
    (shares.iter().sum::<f64>() > 0.0).then(|| {
        Choice::new(
            shares
                .iter()
                .enumerate()
                .map(|(i, &s)| (i as i64, s))
                .collect(),
        )
    })
}

/// Without learned values, dates and timestamps fall in the last few years.
fn default_temporal(form: TemporalForm, limits: Limits) -> Limits {
    let (lo, hi) = match form {
        TemporalForm::Date => (18_262.0, 20_454.0),
        TemporalForm::Timestamp => (18_262.0 * 86_400e6, 20_454.0 * 86_400e6),
        TemporalForm::Time => return limits,
    };
    Limits {
        lo: limits.lo.max(lo),
        hi: limits.hi.min(hi),
        pieces: limits.pieces,
    }
}

/// A lookup column's values by row; else frequent text values at their shares (when they cover
/// the column they are all there is) and the text model for the rest.
fn text_kind(column: &Column, stats: Option<&ColumnStats>, max_chars: Option<u32>) -> Kind {
    if let Some(TextModel::Lookup { values }) = stats.and_then(|s| s.model.as_ref()) {
        if !values.is_empty() {
            return Kind::lookup(values.clone());
        }
    }
    let frequent: Vec<(String, f64)> = stats
        .map(|s| {
            s.frequent
                .iter()
                .map(|f| (f.value.clone(), f.share))
                .collect()
        })
        .unwrap_or_default();
    let covered: f64 = frequent.iter().map(|f| f.1).sum();
    if !frequent.is_empty() && (covered > 0.999 || stats.is_some_and(is_closed_category)) {
        return Kind::OneOf(Choice::new(frequent));
    }
    let gen = TextGen::new(
        &column.name,
        stats.and_then(|s| s.text.as_ref()),
        stats.and_then(|s| s.model.as_ref()),
        stats.and_then(|s| s.semantic),
        max_chars,
        &frequent,
    );
    Kind::Text {
        frequent: Choice::new(frequent),
        gen: Box::new(gen),
    }
}

/// A category of a few values (race, status, a film rating), most of them kept, whose text
/// model has nothing plausible to make of the rest (words, letters, or shapes filled at
/// random): the values the guard dropped are made up of the kept ones in their proportions,
/// not of filler words (`Et`, `Est`) or codes no application knows (`VD-82` beside `PG-13`).
/// A model that can make values of the kind (countries, names, emails) keeps making the rest.
fn is_closed_category(stats: &ColumnStats) -> bool {
    let covered: f64 = stats.frequent.iter().map(|f| f.share).sum();
    let no_plausible_rest = matches!(
        stats.model,
        None | Some(TextModel::Words(_)) | Some(TextModel::Letters) | Some(TextModel::Template)
    );
    no_plausible_rest && stats.distinct <= CLOSED_DISTINCT && covered >= CLOSED_COVERAGE
}

/// Most distinct values, and least share the kept ones cover, of a closed category.
const CLOSED_DISTINCT: u64 = 20;
const CLOSED_COVERAGE: f64 = 0.9;

/// Learned label shares, with the rest spread evenly over the other labels.
fn enum_choice(labels: &[String], stats: Option<&ColumnStats>) -> Choice<String> {
    let frequent = stats.map(|s| s.frequent.as_slice()).unwrap_or_default();
    let known: Vec<&Share> = frequent
        .iter()
        .filter(|f| labels.contains(&f.value))
        .collect();
    let rest: Vec<&String> = labels
        .iter()
        .filter(|l| !known.iter().any(|f| &f.value == *l))
        .collect();
    let left = (1.0 - known.iter().map(|f| f.share).sum::<f64>()).max(0.0);
    let mut weighted: Vec<(String, f64)> =
        known.iter().map(|f| (f.value.clone(), f.share)).collect();
    for label in &rest {
        weighted.push(((*label).clone(), left / rest.len() as f64));
    }
    if weighted.iter().all(|w| w.1 <= 0.0) {
        return Choice::uniform(labels.to_vec());
    }
    Choice::new(weighted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::model::NumericStats;

    #[test]
    fn whole_numbers_in_a_decimal_column_step_by_one() {
        let decimal = LogicalType::Decimal {
            precision: Some(18),
            scale: Some(1),
        };
        let stats = |integral: bool| ColumnStats {
            numeric: Some(NumericStats {
                min: 0.0,
                max: 10.0,
                mean: 5.0,
                quantiles: vec![0.0, 10.0],
                integral,
                scale: 1,
                std: None,
                clock: false,
                midnight_2400: false,
                step: None,
                precision: Vec::new(),
            }),
            ..ColumnStats::default()
        };
        assert_eq!(step_of(&decimal, Some(&stats(true))), 1.0);
        assert_eq!(step_of(&decimal, Some(&stats(false))), 0.1);
        assert_eq!(step_of(&decimal, None), 0.1);
    }
}
