//! Per-column statistics as mergeable accumulators: observe Arrow arrays, merge in order,
//! finish into [`ColumnStats`] through the privacy guard.

use std::collections::BTreeMap;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Time64MicrosecondType, TimestampMicrosecondType,
};
use chrono::Datelike;

use super::array::ArrayAccumulator;
use super::keyed::KeyedAccumulator;
use super::model::{
    bucket_floor, round_share, std_dev, BoolStats, ColumnStats, NumericStats, Precision,
    Resolution, Share, TemporalStats,
};
use super::pii::{self, PiiScan};
use super::precision::{place_of, PlaceCounter, WHOLE_EXACT};
use super::privacy::Guard;
use super::range::RangeAccumulator;
use super::sketch::{QuantileSketch, ValueCounter};
use super::text::TextAccumulator;
use crate::schema::{Column, LogicalType};
use crate::temporal;

#[derive(Debug, Clone)]
pub struct ColumnAccumulator {
    rows: u64,
    nulls: u64,
    kind: Kind,
    /// What text values look like, for the privacy guard (empty for other types).
    pii: PiiScan,
    /// For an array or bit string column, beside its text statistics: lengths and element
    /// statistics.
    array: Option<Box<ArrayAccumulator>>,
    /// For a range column, beside its text statistics: bound rates and bound statistics.
    range: Option<Box<RangeAccumulator>>,
    /// For an hstore or xml column, beside its text statistics: keys and values.
    keyed: Option<Box<KeyedAccumulator>>,
    /// An interval column's text is read as microseconds and profiled as a number.
    interval: bool,
}

/// The user's word on whether a column is personal data (`overrides:` in the profile file),
/// which replaces detection: `Some(reason)` makes it personal, `None` clears it.
pub type PiiOverride = Option<Option<String>>;

#[derive(Debug, Clone)]
enum Kind {
    Bool {
        trues: u64,
    },
    Number(NumberAccumulator),
    Temporal(TemporalAccumulator),
    Text(TextAccumulator),
    /// Binary values: byte lengths only, and distinct values by hash.
    Bytes {
        lengths: BTreeMap<u32, u64>,
        values: ValueCounter<i64>,
    },
}

impl ColumnAccumulator {
    pub fn new(column: &Column) -> Self {
        let interval = column.logical == LogicalType::Interval;
        let data_type = match interval {
            true => DataType::Int64,
            false => column.logical.arrow_type(),
        };
        let kind = match data_type {
            DataType::Boolean => Kind::Bool { trues: 0 },
            DataType::Int16 | DataType::Int32 | DataType::Int64 => {
                Kind::Number(NumberAccumulator::new(NumberForm::Int))
            }
            DataType::Float32 | DataType::Float64 => {
                Kind::Number(NumberAccumulator::new(NumberForm::Float))
            }
            DataType::Decimal128(_, scale) => {
                Kind::Number(NumberAccumulator::new(NumberForm::Decimal(scale)))
            }
            DataType::Date32 => Kind::Temporal(TemporalAccumulator::new(TemporalForm::Date)),
            DataType::Time64(_) => Kind::Temporal(TemporalAccumulator::new(TemporalForm::Time)),
            DataType::Timestamp(..) => {
                Kind::Temporal(TemporalAccumulator::new(TemporalForm::Timestamp))
            }
            DataType::Binary => Kind::Bytes {
                lengths: BTreeMap::new(),
                values: ValueCounter::default(),
            },
            _ => Kind::Text(TextAccumulator::default()),
        };
        ColumnAccumulator {
            rows: 0,
            nulls: 0,
            kind,
            pii: PiiScan::default(),
            array: ArrayAccumulator::for_column(column).map(Box::new),
            range: RangeAccumulator::for_column(column).map(Box::new),
            keyed: KeyedAccumulator::for_column(column).map(Box::new),
            interval,
        }
    }

    /// Observes one array whose type is the column's [`LogicalType::arrow_type`].
    pub fn observe(&mut self, array: &ArrayRef) {
        self.rows += array.len() as u64;
        self.nulls += array.null_count() as u64;
        if let Some(a) = &mut self.array {
            a.observe(array);
        }
        if let Some(r) = &mut self.range {
            r.observe(array);
        }
        if let Some(k) = &mut self.keyed {
            k.observe(array);
        }
        let micros;
        let array = if self.interval {
            micros = interval_micros(array);
            &micros
        } else {
            array
        };
        match &mut self.kind {
            Kind::Bool { trues } => *trues += array.as_boolean().true_count() as u64,
            Kind::Number(n) => n.observe(array),
            Kind::Temporal(t) => t.observe(array),
            Kind::Text(t) => array.as_string::<i32>().iter().flatten().for_each(|v| {
                t.observe(v);
                self.pii.observe(v);
            }),
            Kind::Bytes { lengths, values } => {
                for v in array.as_binary::<i32>().iter().flatten() {
                    *lengths
                        .entry(bucket_floor(v.len() as u64) as u32)
                        .or_insert(0) += 1;
                    values.insert(&(crate::hashing::hash_bytes(v) as i64));
                }
            }
        }
    }

    pub fn merge(&mut self, other: ColumnAccumulator) {
        self.rows += other.rows;
        self.nulls += other.nulls;
        self.pii.merge(&other.pii);
        if let (Some(a), Some(b)) = (&mut self.array, other.array) {
            a.merge(*b);
        }
        if let (Some(a), Some(b)) = (&mut self.range, other.range) {
            a.merge(*b);
        }
        if let (Some(a), Some(b)) = (&mut self.keyed, other.keyed) {
            a.merge(*b);
        }
        match (&mut self.kind, other.kind) {
            (Kind::Bool { trues: a }, Kind::Bool { trues: b }) => *a += b,
            (Kind::Number(a), Kind::Number(b)) => a.merge(b),
            (Kind::Temporal(a), Kind::Temporal(b)) => a.merge(b),
            (Kind::Text(a), Kind::Text(b)) => a.merge(b),
            (
                Kind::Bytes {
                    lengths: a,
                    values: va,
                },
                Kind::Bytes {
                    lengths: b,
                    values: vb,
                },
            ) => {
                b.into_iter()
                    .for_each(|(k, c)| *a.entry(k).or_insert(0) += c);
                va.merge(vb);
            }
            _ => unreachable!("accumulators of one column always have the same kind"),
        }
    }

    /// The column's statistics through the privacy guard. A column found to be personal data
    /// (or said to be by `pii_override`) keeps no literal and, for dates and times, only
    /// coarsened quantiles.
    pub fn finish(
        &self,
        column: &Column,
        guard: &Guard,
        pii_override: &PiiOverride,
    ) -> ColumnStats {
        let non_null = self.rows - self.nulls;
        let mut stats = ColumnStats {
            column: column.name.clone(),
            null_rate: if self.rows == 0 {
                0.0
            } else {
                round_share(self.nulls as f64 / self.rows as f64)
            },
            distinct_exact: true,
            ..Default::default()
        };
        if let Kind::Text(t) = &self.kind {
            stats.semantic = t.semantic(&column.name);
        }
        stats.pii = match pii_override {
            Some(decision) => decision.clone(),
            None => self.detect_pii(column, stats.semantic),
        };
        let personal = stats.pii.is_some();
        match &self.kind {
            Kind::Bool { trues } => {
                stats.distinct = (*trues > 0) as u64 + (non_null > *trues) as u64;
                if non_null > 0 {
                    stats.boolean = Some(BoolStats {
                        true_rate: round_share(*trues as f64 / non_null as f64),
                    });
                }
            }
            Kind::Number(n) => {
                (stats.distinct, stats.distinct_exact) = (n.values.distinct(), n.values.is_exact());
                stats.numeric = n.finish(guard);
                stats.frequent = guard.frequent(&n.values, non_null, |v| n.form.render(*v));
                if let Some(numeric) = stats.numeric.as_mut() {
                    numeric.precision = n.precision(numeric, &stats.frequent, non_null, guard);
                }
            }
            Kind::Temporal(t) => {
                (stats.distinct, stats.distinct_exact) = (t.values.distinct(), t.values.is_exact());
                stats.temporal = t.finish(guard, personal);
                stats.frequent = guard.frequent(&t.values, non_null, |v| t.form.render(*v));
            }
            Kind::Text(t) => {
                (stats.distinct, stats.distinct_exact) = t.distinct();
                stats.text = t.finish(guard);
                stats.frequent = guard.frequent(&t.values, non_null, |v| v.clone());
            }
            Kind::Bytes { lengths, values } => {
                (stats.distinct, stats.distinct_exact) = (values.distinct(), values.is_exact());
                stats.text = TextAccumulator::bytes_only(lengths, non_null);
            }
        }
        if pii_override.is_none() && is_written_category(&stats, non_null) {
            stats.pii = None;
        }
        let personal = stats.pii.is_some();
        stats.array = self.array.as_ref().and_then(|a| a.finish(guard));
        stats.range = self.range.as_ref().and_then(|r| r.finish(guard));
        stats.keyed = self.keyed.as_ref().and_then(|k| k.finish(guard));
        if personal {
            stats.frequent.clear();
            if let Some(text) = &mut stats.text {
                // Shapes of digits and punctuation are formats (`+9 (999) 999-9999`).
                text.shapes
                    .retain(|s| !s.value.chars().any(char::is_alphabetic) || s.value.len() <= 12);
            }
        }
        if let (Kind::Text(t), Some(text)) = (&self.kind, &stats.text) {
            let personal = stats.pii.is_some();
            stats.model = Some(t.model(&column.name, stats.semantic, text, guard, personal));
        }
        stats
    }

    /// Why the column is personal data, from its name, its type, its values' look and, for
    /// dates, their spread.
    fn detect_pii(
        &self,
        column: &Column,
        semantic: Option<super::model::Semantic>,
    ) -> Option<String> {
        let scan = matches!(self.kind, Kind::Text(_)).then_some(&self.pii);
        pii::column_reason(&column.name, &column.logical, semantic, scan).or_else(|| {
            match &self.kind {
                Kind::Temporal(t) if column.logical == LogicalType::Date => t.birth_like(),
                _ => None,
            }
        })
    }
}

/// Values the guard kept covering this share of a column's rows make it a closed set.
const CATEGORY_COVERAGE: f64 = 0.99;

/// Whether a column found to be free text is a category written in words: every value it
/// holds is among the few the privacy guard kept (`Fixed wing multi engine`, `Rotorcraft`),
/// each repeated [`CATEGORY_REPEATS`] times on average over the `non_null` values. A guard
/// that keeps every value (`--min-count 1`, or compare reading the real side) keeps comments
/// that each occur once, which are no category.
fn is_written_category(stats: &ColumnStats, non_null: u64) -> bool {
    let covered: f64 = stats.frequent.iter().map(|s| s.share).sum();
    stats.pii.as_deref().is_some_and(pii::only_free_text)
        && stats.distinct_exact
        && stats.distinct as usize == stats.frequent.len()
        && stats.distinct.saturating_mul(CATEGORY_REPEATS) <= non_null
        && covered >= CATEGORY_COVERAGE
}

/// How many times a category's values occur on average, at least.
const CATEGORY_REPEATS: u64 = 10;

/// Each value of `array` (of `column`'s Arrow type) as the profile writes its literals, so
/// a later pass can find the rows that carry a literal the guard let in. `None` for NULL and
/// for types that keep no literals.
pub fn render_values(column: &Column, array: &ArrayRef) -> Vec<Option<String>> {
    let acc = ColumnAccumulator::new(column);
    let micros;
    let array = if acc.interval {
        micros = interval_micros(array);
        &micros
    } else {
        array
    };
    let numbers = |form: NumberForm| -> Vec<Option<String>> {
        number_keys(array)
            .into_iter()
            .map(|k| k.map(|k| form.render(k)))
            .collect()
    };
    match acc.kind {
        Kind::Number(n) => numbers(n.form),
        Kind::Temporal(t) => temporal_values(array)
            .into_iter()
            .map(|v| v.map(|v| t.form.render(v)))
            .collect(),
        Kind::Text(_) => array
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        Kind::Bool { .. } | Kind::Bytes { .. } => vec![None; array.len()],
    }
}

/// Interval text as microseconds (see [`temporal::Interval::total_micros`]); text that is no
/// interval is NULL.
fn interval_micros(array: &ArrayRef) -> ArrayRef {
    let micros: arrow::array::Int64Array = array
        .as_string::<i32>()
        .iter()
        .map(|v| Some(temporal::parse_interval(v?)?.total_micros()))
        .collect();
    std::sync::Arc::new(micros)
}

/// The key a number is counted under (see [`NumberAccumulator::add`]), per row.
fn number_keys(array: &ArrayRef) -> Vec<Option<i64>> {
    match array.data_type() {
        DataType::Int16 => array
            .as_primitive::<Int16Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Int32 => array
            .as_primitive::<Int32Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Int64 => array.as_primitive::<Int64Type>().iter().collect(),
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .iter()
            .map(|v| v.map(|v| widen_f32(v).to_bits() as i64))
            .collect(),
        DataType::Float64 => array
            .as_primitive::<Float64Type>()
            .iter()
            .map(|v| v.map(|v| v.to_bits() as i64))
            .collect(),
        DataType::Decimal128(..) => array
            .as_primitive::<Decimal128Type>()
            .iter()
            .map(|v| v.map(decimal_key))
            .collect(),
        _ => vec![None; array.len()],
    }
}

fn decimal_key(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// Dates (days), times and timestamps (microseconds) as the integers they are counted under.
fn temporal_values(array: &ArrayRef) -> Vec<Option<i64>> {
    match array.data_type() {
        DataType::Date32 => array
            .as_primitive::<Date32Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Time64(_) => array
            .as_primitive::<Time64MicrosecondType>()
            .iter()
            .collect(),
        DataType::Timestamp(..) => array
            .as_primitive::<TimestampMicrosecondType>()
            .iter()
            .collect(),
        _ => vec![None; array.len()],
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberForm {
    Int,
    Float,
    Decimal(i8),
}

impl NumberForm {
    /// Renders a value counted under [`NumberAccumulator::key`].
    fn render(self, key: i64) -> String {
        match self {
            NumberForm::Int => key.to_string(),
            NumberForm::Float => format_float(f64::from_bits(key as u64)),
            NumberForm::Decimal(scale) => format_decimal(key as i128, scale),
        }
    }
}

#[derive(Debug, Clone)]
struct NumberAccumulator {
    form: NumberForm,
    sketch: QuantileSketch,
    sum: f64,
    sum_sq: f64,
    count: u64,
    /// Values that are not a clock time written as HHMM (0 to 2359, minutes below 60).
    not_clock: u64,
    min: f64,
    max: f64,
    fractional: u64,
    /// Greatest common divisor of the whole values' magnitudes (0 before the first nonzero).
    divisor: u64,
    /// Nonzero values: only they tell a step (any step divides zero).
    nonzero: u64,
    scale: u8,
    values: ValueCounter<i64>,
    places: PlaceCounter,
}

impl NumberAccumulator {
    fn new(form: NumberForm) -> Self {
        NumberAccumulator {
            form,
            sketch: QuantileSketch::default(),
            sum: 0.0,
            sum_sq: 0.0,
            count: 0,
            not_clock: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            fractional: 0,
            divisor: 0,
            nonzero: 0,
            scale: 0,
            values: ValueCounter::default(),
            places: PlaceCounter::default(),
        }
    }

    fn observe(&mut self, array: &ArrayRef) {
        match array.data_type() {
            DataType::Int16 => array
                .as_primitive::<Int16Type>()
                .iter()
                .flatten()
                .for_each(|v| self.add(v as f64, v as i64)),
            DataType::Int32 => array
                .as_primitive::<Int32Type>()
                .iter()
                .flatten()
                .for_each(|v| self.add(v as f64, v as i64)),
            DataType::Int64 => array
                .as_primitive::<Int64Type>()
                .iter()
                .flatten()
                .for_each(|v| self.add(v as f64, v)),
            DataType::Float32 => array
                .as_primitive::<Float32Type>()
                .iter()
                .flatten()
                .map(widen_f32)
                .for_each(|v| self.add(v, v.to_bits() as i64)),
            DataType::Float64 => array
                .as_primitive::<Float64Type>()
                .iter()
                .flatten()
                .for_each(|v| self.add(v, v.to_bits() as i64)),
            DataType::Decimal128(_, scale) => {
                let divisor = 10f64.powi(*scale as i32);
                array
                    .as_primitive::<Decimal128Type>()
                    .iter()
                    .flatten()
                    .for_each(|v| self.add(v as f64 / divisor, decimal_key(v)))
            }
            other => unreachable!("number accumulator fed {other}"),
        }
    }

    fn add(&mut self, value: f64, key: i64) {
        self.values.insert(&key);
        if !value.is_finite() {
            return;
        }
        self.sketch.insert(value);
        self.places.add(value);
        self.sum += value;
        self.sum_sq += value * value;
        self.count += 1;
        self.not_clock += !is_hhmm(value) as u64;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        if value.fract() != 0.0 {
            self.fractional += 1;
            self.scale = self.scale.max(decimal_places(value));
        } else if value.abs() < WHOLE_EXACT {
            self.divisor = gcd(self.divisor, value.abs() as u64);
            self.nonzero += (value != 0.0) as u64;
        } else {
            // Too large to be told apart from its neighbours as an f64: no step is kept.
            self.divisor = 1;
        }
    }

    fn merge(&mut self, other: NumberAccumulator) {
        self.sketch.merge(other.sketch);
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        self.count += other.count;
        self.not_clock += other.not_clock;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.fractional += other.fractional;
        self.divisor = gcd(self.divisor, other.divisor);
        self.nonzero += other.nonzero;
        self.scale = self.scale.max(other.scale);
        self.values.merge(other.values);
        self.places.merge(&other.places);
    }

    fn finish(&self, guard: &Guard) -> Option<NumericStats> {
        let clock = self.not_clock == 0 && self.count >= CLOCK_MIN_VALUES && self.max >= 100.0;
        let mut quantiles = guard.quantiles(&self.sketch)?;
        if clock {
            // The guard's rounding may write 1560 for 1555: that is 16:00.
            quantiles.iter_mut().for_each(|q| *q = carry_minutes(*q));
        }
        Some(NumericStats {
            min: quantiles[0],
            max: *quantiles
                .last()
                .expect("a guard reports at least two points"),
            mean: self.sum / self.count as f64,
            quantiles,
            std: std_dev(self.count, self.sum, self.sum_sq),
            clock,
            midnight_2400: clock && self.max == 2400.0 && self.min > 0.0,
            integral: self.fractional == 0,
            step: self.step(),
            scale: match self.form {
                NumberForm::Decimal(s) if self.fractional == 0 => s.max(0) as u8,
                _ => self.scale,
            },
            precision: Vec::new(),
        })
    }

    /// The mix of places the values other than `frequent` end at, where a step or clock times
    /// do not already say how they are written.
    fn precision(
        &self,
        numeric: &NumericStats,
        frequent: &[Share],
        non_null: u64,
        guard: &Guard,
    ) -> Vec<Precision> {
        if numeric.step.is_some() || numeric.clock {
            return Vec::new();
        }
        let mut places = self.places.clone();
        for f in frequent {
            if let Ok(v) = f.value.parse::<f64>() {
                places.remove(v, (f.share * non_null as f64).round() as u64);
            }
        }
        let finest = if numeric.integral {
            0
        } else {
            -(numeric.scale as i32)
        };
        places.learn(&numeric.quantiles, finest, guard)
    }
}

impl NumberAccumulator {
    /// The step every value is a multiple of, when there is one above 1, below the largest
    /// magnitude, and enough nonzero values that chance would rarely give it (20 random whole
    /// numbers are all even once in a million columns) and that no one row's value is the
    /// step (98 zeros, 3217 and 6434 have no step).
    fn step(&self) -> Option<u64> {
        let whole = self.fractional == 0 && self.nonzero >= STEP_MIN_VALUES;
        // A column of one value (every flight in 2013) is a multiple of itself: no step.
        let varied = (self.divisor as f64) < self.min.abs().max(self.max.abs());
        (whole && varied && self.divisor > 1).then_some(self.divisor)
    }
}

/// An `HHMM` number whose minutes reached 60 or more (1560) as the clock time it stands for
/// (1600).
fn carry_minutes(hhmm: f64) -> f64 {
    let (hours, minutes) = ((hhmm / 100.0).floor(), hhmm.rem_euclid(100.0));
    match minutes >= 60.0 {
        true => (hours + 1.0) * 100.0 + (minutes - 60.0),
        false => hhmm,
    }
}

/// Fewest nonzero values for a column's common divisor to count as its step.
const STEP_MIN_VALUES: u64 = 20;

/// Greatest common divisor (`gcd(0, b) = b`).
fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Fewest values for a column to count as clock times: by chance alone, 20 random numbers
/// below 2400 all have minutes below 60 once in 27,000 columns.
const CLOCK_MIN_VALUES: u64 = 20;

/// Whether `v` is a clock time written as `HHMM`: a whole number from 0 to 2400 (the end of
/// the day, as some schedules write it) whose last two digits are below 60.
pub fn is_hhmm(v: f64) -> bool {
    v.fract() == 0.0 && (0.0..=2400.0).contains(&v) && v % 100.0 < 60.0
}

/// A `real` as the double that its shortest text denotes: 0.15f32 becomes 0.15, not
/// 0.15000000596046448, so a `real` column and the same values read from text agree.
pub fn widen_f32(v: f32) -> f64 {
    if !v.is_finite() {
        return v as f64;
    }
    ryu::Buffer::new()
        .format_finite(v)
        .parse()
        .expect("ryu writes a parsable number")
}

/// The fewest decimal places (up to 6) that represent a value with a fraction: the place of
/// its last nonzero digit.
fn decimal_places(value: f64) -> u8 {
    place_of(value).map_or(6, |(place, _, _)| (-place).clamp(0, 6) as u8)
}

fn format_float(v: f64) -> String {
    let mut buf = ryu::Buffer::new();
    buf.format(v).trim_end_matches(".0").to_string()
}

pub(crate) fn format_decimal(unscaled: i128, scale: i8) -> String {
    if scale <= 0 {
        return (unscaled * 10i128.pow((-scale) as u32)).to_string();
    }
    let divisor = 10i128.pow(scale as u32);
    let sign = if unscaled < 0 { "-" } else { "" };
    let abs = unscaled.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / divisor as u128,
        abs % divisor as u128,
        width = scale as usize
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TemporalForm {
    Date,
    Time,
    Timestamp,
}

impl TemporalForm {
    fn render(self, v: i64) -> String {
        match self {
            TemporalForm::Date => temporal::format_date(v as i32),
            TemporalForm::Time => temporal::format_time(v),
            TemporalForm::Timestamp => temporal::format_timestamp(v),
        }
    }
}

#[derive(Debug, Clone)]
struct TemporalAccumulator {
    form: TemporalForm,
    sketch: QuantileSketch,
    count: u64,
    midnight: u64,
    month_end: u64,
    feb29: u64,
    jan1: u64,
    month_start: u64,
    weekdays: [u64; 7],
    hours: [u64; 24],
    /// The finest resolution seen, for times and timestamps.
    resolution: Option<Resolution>,
    sum: f64,
    sum_sq: f64,
    values: ValueCounter<i64>,
}

impl TemporalAccumulator {
    fn new(form: TemporalForm) -> Self {
        TemporalAccumulator {
            form,
            sketch: QuantileSketch::default(),
            count: 0,
            midnight: 0,
            month_end: 0,
            feb29: 0,
            jan1: 0,
            month_start: 0,
            weekdays: [0; 7],
            hours: [0; 24],
            resolution: None,
            sum: 0.0,
            sum_sq: 0.0,
            values: ValueCounter::default(),
        }
    }

    fn observe(&mut self, array: &ArrayRef) {
        match self.form {
            TemporalForm::Date => array
                .as_primitive::<Date32Type>()
                .iter()
                .flatten()
                .for_each(|d| self.add(d as i64, Some(d), false, d != i32::MAX && d != i32::MIN)),
            TemporalForm::Time => array
                .as_primitive::<Time64MicrosecondType>()
                .iter()
                .flatten()
                .for_each(|t| {
                    self.hours[(t / temporal::MICROS_PER_HOUR).clamp(0, 23) as usize] += 1;
                    self.note_resolution(t);
                    self.add(t, None, t == 0, true)
                }),
            TemporalForm::Timestamp => array
                .as_primitive::<TimestampMicrosecondType>()
                .iter()
                .flatten()
                .for_each(|ts| {
                    let infinite = ts == i64::MAX || ts == i64::MIN;
                    let day = (!infinite).then(|| ts.div_euclid(temporal::MICROS_PER_DAY) as i32);
                    let of_day = ts.rem_euclid(temporal::MICROS_PER_DAY);
                    let midnight = !infinite && of_day == 0;
                    if !infinite {
                        self.hours[(of_day / temporal::MICROS_PER_HOUR) as usize] += 1;
                        self.note_resolution(of_day);
                    }
                    self.add(ts, day, midnight, !infinite)
                }),
        }
    }

    fn note_resolution(&mut self, micros_of_day: i64) {
        let r = Resolution::of(micros_of_day);
        self.resolution = Some(self.resolution.map_or(r, |seen| seen.min(r)));
    }

    /// `finite` is false for `infinity`/`-infinity`, which count as values but not as points
    /// on the time line.
    fn add(&mut self, value: i64, day: Option<i32>, midnight: bool, finite: bool) {
        self.values.insert(&value);
        self.count += 1;
        self.midnight += midnight as u64;
        if finite {
            self.sketch.insert(value as f64);
            self.sum += value as f64;
            self.sum_sq += (value as f64) * (value as f64);
        }
        if let Some(date) = day.and_then(temporal::date_from_days) {
            let next = date.succ_opt();
            self.month_end += next.is_none_or(|n| n.day() == 1) as u64;
            self.feb29 += (date.month() == 2 && date.day() == 29) as u64;
            self.jan1 += (date.month() == 1 && date.day() == 1) as u64;
            self.month_start += (date.day() == 1) as u64;
            self.weekdays[date.weekday().num_days_from_monday() as usize] += 1;
        }
    }

    fn merge(&mut self, other: TemporalAccumulator) {
        self.sketch.merge(other.sketch);
        self.count += other.count;
        self.midnight += other.midnight;
        self.month_end += other.month_end;
        self.feb29 += other.feb29;
        self.jan1 += other.jan1;
        self.month_start += other.month_start;
        for (a, b) in self.weekdays.iter_mut().zip(other.weekdays) {
            *a += b;
        }
        for (a, b) in self.hours.iter_mut().zip(other.hours) {
            *a += b;
        }
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        self.resolution = match (self.resolution, other.resolution) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.values.merge(other.values);
    }

    /// Why the values look like dates of birth: a date column spread over decades.
    fn birth_like(&self) -> Option<String> {
        // Monthly figures (all on the first, or the last, of their month) are no one's birthday.
        let on_grid = self.month_start.max(self.month_end) as f64;
        if self.count > 0 && on_grid >= crate::temporal::MONTH_GRID_SHARE * self.count as f64 {
            return None;
        }
        let q = self.sketch.quantiles(&[0.05, 0.95])?;
        pii::date_range_reason(q[0], q[1])
    }

    /// The statistics through the guard; `coarse` (personal dates) keeps quantiles at month
    /// resolution and moves the reported extremes outwards by one to three months, by a
    /// noise drawn from the values themselves (reproducible, but not known without them).
    fn finish(&self, guard: &Guard, coarse: bool) -> Option<TemporalStats> {
        // Not rounded as numbers are: a power of ten microseconds is no calendar unit, and
        // personal dates are coarsened to months below.
        let mut points: Vec<i64> = self
            .sketch
            .quantiles(&guard.quantile_ranks(self.sketch.count()))?
            .into_iter()
            .map(|q| q.round() as i64)
            .collect();
        if coarse {
            let noise = crate::hashing::mix64(self.sum.to_bits() ^ self.count);
            coarsen_to_months(&mut points, self.form == TemporalForm::Date, noise);
        }
        let quantiles: Vec<String> = points.iter().map(|&q| self.form.render(q)).collect();
        let rate = |n: u64| round_share(n as f64 / self.count.max(1) as f64);
        let weekdays = if self.form == TemporalForm::Time {
            Vec::new()
        } else {
            self.weekdays.iter().map(|&n| rate(n)).collect()
        };
        let hours = if self.form == TemporalForm::Date {
            Vec::new()
        } else {
            self.hours.iter().map(|&n| rate(n)).collect()
        };
        Some(TemporalStats {
            min: quantiles[0].clone(),
            max: quantiles
                .last()
                .expect("a guard reports at least two points")
                .clone(),
            quantiles,
            midnight_rate: rate(self.midnight),
            month_end_rate: rate(self.month_end),
            feb29_rate: rate(self.feb29),
            jan1_rate: rate(self.jan1),
            month_start_rate: rate(self.month_start),
            weekdays,
            hours,
            resolution: self.resolution,
            std: std_dev(self.sketch.count(), self.sum, self.sum_sq),
        })
    }
}

/// Personal dates at month resolution: every point to the first of its month, and the lowest and
/// highest moved out by 1 to 3 months (from `noise`), so no reported point is a person's date.
/// Points that the guard already squeezed into one month (a table of a few people) stay there:
/// they show only the median month, and moved extremes would read as a real spread of a few
/// months, where the generator spreads a single point by the standard deviation.
/// Times of day carry no date and are left alone.
fn coarsen_to_months(points: &mut [i64], dates: bool, noise: u64) {
    let per_day = if dates { 1 } else { temporal::MICROS_PER_DAY };
    let to_day = |v: i64| v.div_euclid(per_day) as i32;
    let from_day = |d: i32| d as i64 * per_day;
    for p in points.iter_mut() {
        *p = from_day(temporal::month_start(to_day(*p), 0));
    }
    if points.windows(2).all(|w| w[0] == w[1]) {
        return;
    }
    let (low, high) = (1 + (noise % 3) as i32, 1 + ((noise >> 8) % 3) as i32);
    if let Some(first) = points.first_mut() {
        *first = from_day(temporal::month_start(to_day(*first), -low));
    }
    if let Some(last) = points.last_mut() {
        *last = from_day(temporal::month_start(to_day(*last), high));
    }
}

/// Renders a share list from `(value, count)` pairs.
pub(crate) fn shares<K>(
    pairs: Vec<(K, u64)>,
    total: u64,
    render: impl Fn(&K) -> String,
) -> Vec<Share> {
    pairs
        .into_iter()
        .map(|(k, c)| Share {
            value: render(&k),
            share: round_share(c as f64 / total.max(1) as f64),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_written_in_words_repeats_its_few_values() {
        let stats = |distinct: u64, shares: &[f64]| ColumnStats {
            column: "type".into(),
            distinct,
            distinct_exact: true,
            pii: Some("values are free text (mostly three words or more)".into()),
            frequent: shares
                .iter()
                .enumerate()
                .map(|(i, &share)| crate::profile::model::Share {
                    value: format!("value {i}"),
                    share,
                })
                .collect(),
            ..Default::default()
        };
        assert!(is_written_category(&stats(3, &[0.9, 0.07, 0.03]), 3_322));
        // Every comment kept (a guard of one), each once: no category.
        let comments = vec![1.0 / 64.0; 64];
        assert!(!is_written_category(&stats(64, &comments), 64));
        // A value the guard dropped: not every value is known.
        assert!(!is_written_category(&stats(4, &[0.9, 0.07, 0.03]), 3_322));
    }

    #[test]
    fn a_step_is_a_common_multiple_of_varied_whole_values() {
        let step = |values: &[f64]| {
            let mut acc = NumberAccumulator::new(NumberForm::Float);
            values.iter().for_each(|&v| acc.add(v, v.to_bits() as i64));
            acc.step()
        };
        let masses: Vec<f64> = (0..40)
            .map(|i| 2900.0 + 25.0 * (i * 7 % 30) as f64)
            .collect();
        assert_eq!(step(&masses), Some(25));
        let signed: Vec<f64> = (0..40).map(|i| 10.0 * (i - 20) as f64).collect();
        assert_eq!(step(&signed), Some(10));
        assert_eq!(step(&[2013.0; 40]), None, "one value is no step");
        assert_eq!(step(&masses[..10]), None, "too few values to tell");
        let mut sparse = vec![0.0; 98];
        sparse.extend([3217.0, 6434.0]);
        assert_eq!(step(&sparse), None, "zeros tell no step");
        let mut halves = masses.clone();
        halves.push(2912.5);
        assert_eq!(step(&halves), None, "a fraction");
    }

    #[test]
    fn decimals_render_with_their_scale() {
        assert_eq!(format_decimal(198, 2), "1.98");
        assert_eq!(format_decimal(-5, 2), "-0.05");
        assert_eq!(format_decimal(7, 0), "7");
    }

    #[test]
    fn decimal_places_are_found() {
        assert_eq!(decimal_places(0.99), 2);
        assert_eq!(decimal_places(1.5), 1);
        assert_eq!(decimal_places(0.1234567), 6);
        assert_eq!(
            decimal_places(26697.41),
            2,
            "large values keep their decimals"
        );
    }

    #[test]
    fn coarsened_dates_move_their_extremes_unless_squeezed_into_one_month() {
        let day = |d: &str| temporal::parse_date(d).unwrap() as i64;
        let mut spread = vec![day("1950-03-09"), day("1960-06-17"), day("1970-09-30")];
        coarsen_to_months(&mut spread, true, 0);
        assert_eq!(
            spread,
            [day("1950-02-01"), day("1960-06-01"), day("1970-10-01")]
        );
        // A guard's collapse: every point is one person-free median; it stays one point.
        let mut squeezed = vec![day("1968-01-09"); 21];
        coarsen_to_months(&mut squeezed, true, 0);
        assert_eq!(squeezed, vec![day("1968-01-01"); 21]);
    }
}
