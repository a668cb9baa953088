//! Per-column value generators and the buffers they fill. A generator is built once per column
//! from its statistics and limits; it then draws values from a chunk's RNG, so the same chunk
//! always yields the same values.

use std::fmt::Write;
use std::ops::Range;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryBuilder, BooleanArray, Date32Array, Decimal128Array, Float32Array,
    Float64Array, Int16Array, Int32Array, Int64Array, Time64MicrosecondArray,
    TimestampMicrosecondArray,
};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::DataType;
use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::copula::{interpolate, interpolate_as, rank_among};
use super::text_buffer::TextBuffer;

use super::keys::Key;
use super::pattern::RowPattern;
use super::precision::Places;
use super::text::TextGen;
use crate::profile::precision::round_to_unit;
use crate::profile::relations::normal_quantile;
use crate::temporal::{date_from_days, MICROS_PER_DAY, MICROS_PER_HOUR};

/// Items drawn by share. Shares may sum to less than one: [`Choice::sample`] then returns
/// `None` for the remainder (e.g. "a value outside the frequent list").
#[derive(Debug, Clone)]
pub struct Choice<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
    /// For long lists (a vocabulary): `guide[k]` is the first item whose range reaches
    /// `k / guide.len()` of the total, so a draw scans a few items instead of searching all.
    guide: Vec<u32>,
}

/// Lists longer than this get a guide table.
const GUIDED: usize = 32;

impl<T> Choice<T> {
    pub fn new(weighted: Vec<(T, f64)>) -> Self {
        let mut total = 0.0;
        let mut items = Vec::with_capacity(weighted.len());
        let mut cumulative = Vec::with_capacity(weighted.len());
        for (item, share) in weighted.into_iter().filter(|(_, s)| *s > 0.0) {
            total += share;
            items.push(item);
            cumulative.push(total);
        }
        let guide = if items.len() > GUIDED {
            let slots = items.len() * 2;
            (0..slots)
                .map(|k| {
                    let at = total * k as f64 / slots as f64;
                    cumulative.partition_point(|&c| c <= at) as u32
                })
                .collect()
        } else {
            Vec::new()
        };
        Choice {
            items,
            cumulative,
            guide,
        }
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn uniform(items: Vec<T>) -> Self {
        let n = items.len() as f64;
        Choice::new(items.into_iter().map(|i| (i, 1.0 / n)).collect())
    }

    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Option<&T> {
        if self.items.is_empty() {
            return None;
        }
        self.at(rng.random::<f64>())
    }

    /// The item at `u` (0..1) as if the shares summed to one.
    pub fn sample_normalized_at(&self, u: f64) -> Option<&T> {
        let total = *self.cumulative.last()?;
        self.at(u * total)
    }

    /// Draws as if the shares summed to one.
    pub fn sample_normalized(&self, rng: &mut ChaCha8Rng) -> Option<&T> {
        let total = *self.cumulative.last()?;
        self.at(rng.random::<f64>() * total)
    }

    /// The item whose cumulative share first exceeds `u` (0..1), or `None` past the shares.
    pub fn at(&self, u: f64) -> Option<&T> {
        let total = self.total();
        if self.guide.is_empty() || u >= total {
            let i = self.cumulative.partition_point(|&c| c <= u);
            return self.items.get(i);
        }
        let slot = ((u / total * self.guide.len() as f64) as usize).min(self.guide.len() - 1);
        let mut i = self.guide[slot] as usize;
        // Rounding may put the slot's start one item late.
        while i > 0 && self.cumulative[i - 1] > u {
            i -= 1;
        }
        while self.cumulative[i] <= u {
            i += 1;
        }
        self.items.get(i)
    }

    /// The share of item `k`.
    pub fn share_of(&self, k: usize) -> f64 {
        self.cumulative[k] - k.checked_sub(1).map_or(0.0, |j| self.cumulative[j])
    }

    /// The sum of the shares.
    pub fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }
}

impl Choice<f64> {
    /// The same items and shares, ordered by value, so that a rank walks them in value order.
    pub fn by_value(self) -> Self {
        let mut weighted: Vec<(f64, f64)> = self
            .items
            .iter()
            .zip(&self.cumulative)
            .scan(0.0, |before, (&item, &c)| {
                let share = c - *before;
                *before = c;
                Some((item, share))
            })
            .collect();
        weighted.sort_by(|a, b| a.0.total_cmp(&b.0));
        Choice::new(weighted)
    }

    /// The item at rank `u` (0..1) of a [`Choice::by_value`] list, shares normalized.
    pub fn by_value_at(&self, u: f64) -> Option<&f64> {
        self.at(u * self.total()).or_else(|| self.items.last())
    }

    /// The least and the greatest item of a [`Choice::by_value`] list.
    pub fn value_range(&self) -> Option<(f64, f64)> {
        Some((*self.items.first()?, *self.items.last()?))
    }

    /// Whether `v` is an item of a [`Choice::by_value`] list.
    pub fn holds(&self, v: f64) -> bool {
        self.items.binary_search_by(|x| x.total_cmp(&v)).is_ok()
    }

    /// The inverse of [`Choice::by_value_at`]: the middle of the ranks that the first item
    /// at or above `v` takes (the last item for a larger `v`), or `None` for an empty list.
    pub fn rank_of_value(&self, v: f64) -> Option<f64> {
        let k = self
            .items
            .partition_point(|&x| x < v)
            .min(self.items.len().checked_sub(1)?);
        let before = k.checked_sub(1).map_or(0.0, |j| self.cumulative[j]);
        Some((before + self.cumulative[k]) / 2.0 / self.total())
    }
}

/// The values a numeric or temporal column may take, in its numeric form (days for dates, µs
/// for timestamps and times): a closed range, optionally cut into pieces (partitions).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub lo: f64,
    pub hi: f64,
    pub pieces: Vec<(f64, f64)>,
}

impl Limits {
    #[cfg(test)]
    pub fn unbounded() -> Self {
        Limits {
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            pieces: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lo > self.hi || (!self.pieces.is_empty() && self.pieces.iter().all(|p| p.0 > p.1))
    }

    /// Whether `v` is allowed: inside the range and, when there are pieces, inside one.
    pub fn contains(&self, v: f64) -> bool {
        v >= self.lo
            && v <= self.hi
            && (self.pieces.is_empty() || self.pieces.iter().any(|&(a, b)| v >= a && v <= b))
    }

    /// The same limits with each bound moved inwards onto a `real` (f32): a check's `<= 0.1`
    /// must not let through 0.1 rounded up to the nearest real, 0.10000000149.
    pub fn inside_reals(mut self) -> Self {
        let inward = |v: f64, up: bool| -> f64 {
            if !v.is_finite() {
                return v;
            }
            let r = v as f32;
            let r = match (r as f64).total_cmp(&v) {
                std::cmp::Ordering::Less if up => r.next_up(),
                std::cmp::Ordering::Greater if !up => r.next_down(),
                _ => r,
            };
            r as f64
        };
        self.lo = inward(self.lo, true);
        self.hi = inward(self.hi, false);
        for piece in &mut self.pieces {
            *piece = (inward(piece.0, true), inward(piece.1, false));
        }
        self
    }

    /// The nearest allowed value to `v`.
    pub fn fit(&self, v: f64) -> f64 {
        let v = v.clamp(self.lo, self.hi);
        if self.pieces.is_empty() || self.pieces.iter().any(|&(a, b)| v >= a && v <= b) {
            return v;
        }
        self.pieces
            .iter()
            .map(|&(a, b)| v.clamp(a, b))
            .min_by(|x, y| (x - v).abs().total_cmp(&(y - v).abs()))
            .unwrap_or(v)
    }

    /// A finite range to draw from when nothing was learned.
    fn default_range(&self, width: f64) -> (f64, f64) {
        let (lo, hi) = match (self.lo.is_finite(), self.hi.is_finite()) {
            (true, true) => (self.lo, self.hi),
            (true, false) => (self.lo, self.lo + width),
            (false, true) => (self.hi - width, self.hi),
            (false, false) => (0.0, width),
        };
        (self.fit(lo), self.fit(hi))
    }
}

/// Numbers by inverse-CDF interpolation between learned quantiles, frequent values at their
/// shares, rounded to the column's step and kept within its limits.
#[derive(Debug, Clone)]
pub struct NumberGen {
    pub quantiles: Vec<f64>,
    pub frequent: Choice<f64>,
    /// 1 for integers, 10^-scale for decimals, 0 for floats.
    pub step: f64,
    pub limits: Limits,
    /// Values are clock times written as HHMM: drawn as minutes of the day between the learned
    /// quantiles (also as minutes), so 1545 is followed by 1600, never by 1567.
    pub clock: bool,
    /// How finely drawn values are written, where that was learned (mostly whole weights,
    /// prices ending in 9); frequent values are kept as they are.
    pub places: Option<Places>,
    /// The frequent values as ranges of rank that give them (see [`NumberGen::atoms`]),
    /// sorted by their start.
    pub atoms: Vec<Atom>,
    /// How the outermost quantile segments bend (see [`Tails`]).
    pub tails: Tails,
}

/// How a number's outermost quantile segments are filled. Linear interpolation spreads a long
/// tail's last 5 % evenly from the 95th percentile to the maximum: departure delays of mostly
/// minutes, up to 7 hours, came out with 2 % of flights over 5 hours where 0.2 % were. The
/// last segment is bent as `t^upper` towards its start (the first as `t^lower` towards its
/// end), with the power that keeps the column's learned mean; 1 is a straight line, and no
/// segment is made fatter than that.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tails {
    pub lower: f64,
    pub upper: f64,
}

/// The most a tail segment is bent: `t^20` puts most of the segment's values close to its
/// inner end and leaves its far end to a few.
const MAX_BEND: f64 = 20.0;

impl Tails {
    pub const STRAIGHT: Tails = Tails {
        lower: 1.0,
        upper: 1.0,
    };

    /// The bend of the longest outer segment of `quantiles` (evenly spaced ranks) that makes
    /// their interpolation's mean `mean`; the other stays straight.
    pub fn keeping_mean(quantiles: &[f64], mean: f64) -> Tails {
        let n = quantiles.len();
        if n < 4 || !mean.is_finite() {
            return Tails::STRAIGHT;
        }
        let width = 1.0 / (n - 1) as f64;
        let segment_means: Vec<f64> = quantiles.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
        let (first, last) = (
            quantiles[1] - quantiles[0],
            quantiles[n - 1] - quantiles[n - 2],
        );
        let straight_mean: f64 = segment_means.iter().sum::<f64>() * width;
        // The mean the bent segment must have for the whole to have `mean`.
        let wanted = |segment: usize| segment_means[segment] + (mean - straight_mean) / width;
        let bend = |length: f64, inner_gap: f64| {
            // A segment `inner + length · t^a` has mean `inner + length / (a + 1)`.
            let a = if inner_gap > 0.0 {
                length / inner_gap - 1.0
            } else {
                MAX_BEND
            };
            a.clamp(1.0, MAX_BEND)
        };
        // Only a segment longer than every other is a tail to bend, and only towards the
        // side the mean asks for: a last segment bent lowers the mean, a first one raises it.
        let inner_lengths = quantiles[1..n - 1].windows(2).map(|w| w[1] - w[0]);
        let longest_inner = inner_lengths.fold(0.0, f64::max);
        let deficit = mean - straight_mean;
        if deficit < 0.0 && last > longest_inner.max(first) {
            let inner = quantiles[n - 2];
            Tails {
                lower: 1.0,
                upper: bend(last, wanted(n - 2) - inner),
            }
        } else if deficit > 0.0 && first > longest_inner.max(last) {
            let inner = quantiles[1];
            Tails {
                lower: bend(first, inner - wanted(0)),
                upper: 1.0,
            }
        } else {
            Tails::STRAIGHT
        }
    }

    /// The value at rank `u` of `quantiles` (at least two points), with the outer segments
    /// bent.
    pub fn interpolate(&self, quantiles: &[f64], u: f64) -> f64 {
        let segments = (quantiles.len() - 1) as f64;
        let at = u.clamp(0.0, 1.0) * segments;
        let n = quantiles.len();
        if at > segments - 1.0 && self.upper != 1.0 {
            let (inner, outer) = (quantiles[n - 2], quantiles[n - 1]);
            return inner + (outer - inner) * (at - (segments - 1.0)).powf(self.upper);
        }
        if at < 1.0 && self.lower != 1.0 {
            let (outer, inner) = (quantiles[0], quantiles[1]);
            return inner - (inner - outer) * (1.0 - at).powf(self.lower);
        }
        interpolate(quantiles, u)
    }

    /// The rank of `v` among `quantiles`: the inverse of [`Tails::interpolate`].
    pub fn rank_among(&self, quantiles: &[f64], v: f64) -> f64 {
        let n = quantiles.len();
        if n >= 2 {
            let segments = (n - 1) as f64;
            let (inner, outer) = (quantiles[n - 2], quantiles[n - 1]);
            if self.upper != 1.0 && v > inner && v < outer {
                let t = ((v - inner) / (outer - inner)).powf(1.0 / self.upper);
                return (segments - 1.0 + t) / segments;
            }
            let (outer, inner) = (quantiles[0], quantiles[1]);
            if self.lower != 1.0 && v > outer && v < inner {
                let t = ((inner - v) / (inner - outer)).powf(1.0 / self.lower);
                return (1.0 - t) / segments;
            }
        }
        rank_among(quantiles, v)
    }
}

/// A frequent value and the ranks `from..=to` at which [`NumberGen::at`] gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Atom {
    pub from: f64,
    pub to: f64,
    pub value: f64,
}

/// Frequent values covering this share of a column make it a set: values are drawn from the
/// set only (prices like 0.99 and 1.99 never become 1.37).
const SET_COVERAGE: f64 = 0.95;
/// How far past the frequent values' range, as a share of it, the learned quantiles of a set
/// may reach (a wind gust of 51.8 mph above a set that ends at 48.3).
const SET_OVERREACH: f64 = 0.25;

impl NumberGen {
    /// Whether the column's values form a small set that the frequent values cover, with the
    /// learned quantiles (nearly) inside the set's range: the rare values of a set are noise
    /// among its members (a price of 3.49 among 0.99 to 9.99), where rare values reaching far
    /// past the frequent ones are a tail (delays of hours beyond minutes that each occur
    /// often), which the set would cut off.
    fn is_set(&self) -> bool {
        // Asked for every drawn value: the coverage, a field, decides most columns first.
        if self.frequent.total() < SET_COVERAGE {
            return false;
        }
        match (self.quantiles.first(), self.quantiles.last()) {
            (Some(&low), Some(&high)) => {
                self.frequent.value_range().is_some_and(|(least, most)| {
                    let reach = (most - least) * SET_OVERREACH;
                    low >= least - reach && high <= most + reach
                })
            }
            _ => true,
        }
    }

    /// A value at a uniform rank: frequent values at their shares (see [`NumberGen::atoms`]),
    /// the others between the quantiles.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        self.at(rng.random::<f64>())
    }

    /// The value at rank `u` of the column's distribution: monotone in `u`, so correlated
    /// uniforms give correlated values. A set is walked in value order.
    pub fn at(&self, u: f64) -> f64 {
        if self.is_set() {
            let v = *self.frequent.by_value_at(u).expect("a set has values");
            return self.round(self.limits.fit(v));
        }
        if let Some(v) = self.atom_at(u) {
            return self.round(self.limits.fit(v));
        }
        let v = if self.clock && self.quantiles.len() >= 2 {
            let minutes = interpolate_as(&self.quantiles, u, hhmm_to_minutes);
            return minutes_to_hhmm(round_to_unit(minutes, clock_minutes_step(self.step)));
        } else if self.quantiles.len() >= 2 {
            self.tails.interpolate(&self.quantiles, u)
        } else if let Some(&only) = self.quantiles.first() {
            only
        } else {
            let (lo, hi) = self.limits.default_range(1000.0);
            lo + (hi - lo) * u
        };
        self.written(self.limits.fit(v))
    }

    /// Each frequent value's share of ranks, centred where the quantiles rank it: a rank drawn
    /// through the copula lands on a tip of 2.00 or an order of 10 units as often as the
    /// snapshot holds it, where interpolating the quantiles would pass it by unless the
    /// quantiles happen to repeat it. Neighbours (carats of 0.70 and 0.71) that the coarse
    /// quantiles rank too close together are pushed apart, in value order, so each keeps its
    /// whole share.
    pub fn atoms(quantiles: &[f64], frequent: &Choice<f64>) -> Vec<Atom> {
        if quantiles.len() < 2 {
            return Vec::new();
        }
        let mut before = 0.0;
        let mut atoms: Vec<Atom> = frequent
            .items
            .iter()
            .zip(&frequent.cumulative)
            .map(|(&value, &c)| {
                let share = c - before;
                before = c;
                let from = rank_among(quantiles, value) - share / 2.0;
                Atom {
                    from,
                    to: from + share,
                    value,
                }
            })
            .collect();
        atoms.sort_by(|a, b| a.value.total_cmp(&b.value));
        let mut end = 0.0f64;
        for atom in atoms.iter_mut() {
            let share = atom.to - atom.from;
            atom.from = atom.from.max(end);
            atom.to = atom.from + share;
            end = atom.to;
        }
        let mut start = 1.0f64;
        for atom in atoms.iter_mut().rev() {
            let share = atom.to - atom.from;
            atom.to = atom.to.min(start);
            atom.from = atom.to - share;
            start = atom.from;
        }
        atoms
    }

    /// The frequent value whose ranks hold `u`, if any.
    fn atom_at(&self, u: f64) -> Option<f64> {
        let after = self.atoms.partition_point(|a| a.from <= u);
        let atom = self.atoms.get(after.checked_sub(1)?)?;
        (u <= atom.to).then_some(atom.value)
    }

    /// A drawn value `v` (within the limits) written at a place of the learned mix where one
    /// was learned and the result stays within the limits; else on the column's step. A value
    /// the column holds often (a frequent value, or a run of equal quantiles: tips of 2.00)
    /// stays as it is.
    fn written(&self, v: f64) -> f64 {
        let common = || self.frequent.holds(v) || self.quantiles.contains(&v);
        let range = || quantile_range(&self.quantiles).unwrap_or((self.limits.lo, self.limits.hi));
        self.places
            .as_ref()
            .filter(|_| !common())
            .and_then(|p| p.write(v, range()))
            .filter(|&w| self.limits.fit(w) == w)
            .unwrap_or_else(|| self.round(v))
    }

    /// The rank (0..1) at which [`NumberGen::at`] gives `v`: the inverse of its mapping, with
    /// a value that several ranks give (a set's item, a run of equal quantiles) at the middle
    /// of those ranks.
    pub fn rank_of(&self, v: f64) -> f64 {
        if self.is_set() {
            return self.frequent.rank_of_value(v).unwrap_or(0.5);
        }
        self.tails.rank_among(&self.quantiles, v)
    }

    /// `v` on the column's step, the nearest such value within the limits; `v` itself when
    /// no multiple of the step lies near it within them.
    fn round(&self, v: f64) -> f64 {
        if self.step <= 0.0 {
            return v;
        }
        let r = round_to_unit(v, self.step);
        let within = |x: f64| x >= self.limits.lo && x <= self.limits.hi;
        [r, r + self.step, r - self.step]
            .into_iter()
            .find(|&x| within(x))
            .unwrap_or(v)
    }
}

/// The step in minutes of a clock column written as HHMM whose values are multiples of
/// `step`: 5, 10 and 20 divide both 100 and 60, so an HHMM multiple is a minute multiple; 100
/// is whole hours; any other step (a quarter-hour schedule's HHMM values have 5 in common,
/// not 15) leaves whole minutes.
fn clock_minutes_step(step: f64) -> f64 {
    match step as u64 {
        s @ (5 | 10 | 20) => s as f64,
        100 => 60.0,
        _ => 1.0,
    }
}

/// The shift in days, from -3 to 3, that takes day `days` (since 1970-01-01, a Thursday) to
/// weekday `target` (Monday = 0).
pub fn weekday_shift(days: i64, target: i64) -> i64 {
    let current = (days + 3).rem_euclid(7);
    (target - current + 10).rem_euclid(7) - 3
}

fn hhmm_to_minutes(v: f64) -> f64 {
    (v / 100.0).floor() * 60.0 + v % 100.0
}

fn minutes_to_hhmm(m: f64) -> f64 {
    let m = m.clamp(0.0, 1439.0);
    (m / 60.0).floor() * 100.0 + m % 60.0
}

/// The nearest clock time (`HHMM`) to `v` on one side: at or above it when `up` (1260 becomes
/// 1300), else at or below it (1259). A value that is one already stays.
pub fn clock_time_toward(v: f64, up: bool) -> f64 {
    let (hours, minutes) = ((v / 100.0).floor(), v.rem_euclid(100.0));
    match (minutes < 60.0, up) {
        (true, _) => v,
        (false, true) => (hours + 1.0) * 100.0,
        (false, false) => hours * 100.0 + 59.0,
    }
}

/// The distance between the quartiles of evenly spaced quantile points (0 for fewer than two).
pub fn interquartile(q: &[f64]) -> f64 {
    if q.len() < 2 {
        return 0.0;
    }
    let at = |r: f64| q[((q.len() - 1) as f64 * r).round() as usize];
    at(0.75) - at(0.25)
}

/// Which numeric form a temporal column's values take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemporalForm {
    Date,
    Timestamp,
    Time,
}

/// Dates, timestamps and times from learned quantiles, with the learned rates of midnight,
/// month-end, Feb 29 and Jan 1 values: the boundaries production code trips over.
#[derive(Debug, Clone)]
pub struct TemporalGen {
    pub form: TemporalForm,
    pub values: NumberGen,
    pub midnight_rate: f64,
    pub month_end_rate: f64,
    pub feb29_rate: f64,
    pub jan1_rate: f64,
    /// Beyond chance, the share of days moved to the first of their month (monthly figures).
    pub month_start_rate: f64,
    /// The learned weekday mix (Monday = 0): a drawn day moves by up to three days to a
    /// weekday drawn from it, so orders placed on weekdays only stay on weekdays.
    pub weekdays: Option<Choice<i64>>,
    /// The learned hour-of-day mix, for timestamps: a drawn time keeps its minutes and seconds
    /// and takes an hour drawn from it.
    pub hours: Option<Choice<i64>>,
    /// Times of day are whole multiples of this many microseconds.
    pub resolution: i64,
}

impl TemporalGen {
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> i64 {
        let v = self.values.sample(rng);
        self.finish(v, rng)
    }

    /// The value at rank `u`, then the boundary moves, as [`TemporalGen::sample`].
    pub fn at(&self, u: f64, rng: &mut ChaCha8Rng) -> i64 {
        let v = self.values.at(u);
        self.finish(v, rng)
    }

    fn finish(&self, v: f64, rng: &mut ChaCha8Rng) -> i64 {
        // A value from a learned set is a real value already: its weekday, hour, resolution and
        // boundaries are the set's own.
        if self.values.is_set() {
            return self.values.limits.fit(v) as i64;
        }
        let drawn = v;
        let v = match self.form {
            TemporalForm::Time => v,
            TemporalForm::Date => {
                let day = self.weekday(v as i64, rng);
                self.boundary(day, rng) as f64
            }
            TemporalForm::Timestamp => {
                let micros = v as i64;
                let (days, mut time) = (
                    micros.div_euclid(MICROS_PER_DAY),
                    micros.rem_euclid(MICROS_PER_DAY),
                );
                if let Some(&hour) = self.hours.as_ref().and_then(|h| h.sample_normalized(rng)) {
                    time = hour * MICROS_PER_HOUR + time % MICROS_PER_HOUR;
                }
                time -= time % self.resolution.max(1);
                if rng.random::<f64>() < self.midnight_rate {
                    time = 0;
                }
                let day = self.weekday(days, rng);
                (self.boundary(day, rng) * MICROS_PER_DAY + time) as f64
            }
        };
        // An hour or midnight move on the first or last day can still leave the range: such a
        // value keeps its drawn instant (at the column's resolution) rather than piling up on
        // the range's end.
        let (first, last) = self.learned_range();
        let kept = if (first..=last).contains(&v) {
            v
        } else {
            let resolution = self.resolution.max(1) as f64;
            let on_grid = drawn - drawn.rem_euclid(resolution);
            if on_grid >= first {
                on_grid
            } else {
                drawn
            }
        };
        self.values.limits.fit(kept.clamp(first, last)) as i64
    }

    /// The first and last learned quantile (the whole line when none were learned): the moves
    /// to a weekday, an hour or a boundary date stay between them.
    fn learned_range(&self) -> (f64, f64) {
        quantile_range(&self.values.quantiles).unwrap_or((f64::NEG_INFINITY, f64::INFINITY))
    }

    /// Whether day `days` lies in the learned range's days.
    fn in_learned_days(&self, days: i64) -> bool {
        let (first, last) = self.learned_range();
        let day_of = |v: f64| match self.form {
            TemporalForm::Timestamp => (v / MICROS_PER_DAY as f64).floor(),
            _ => v.floor(),
        };
        (day_of(first)..=day_of(last)).contains(&(days as f64))
    }

    /// Moves a day (days since 1970-01-01, a Thursday) by up to three days to a weekday drawn
    /// from the learned mix, or by a week more the other way when that move would leave the
    /// learned range (a column of nineteen days in January must not reach December). A day
    /// that neither move keeps inside stays where it is.
    fn weekday(&self, days: i64, rng: &mut ChaCha8Rng) -> i64 {
        let Some(&target) = self
            .weekdays
            .as_ref()
            .and_then(|w| w.sample_normalized(rng))
        else {
            return days;
        };
        let shift = weekday_shift(days, target);
        [shift, shift - 7 * shift.signum()]
            .into_iter()
            .map(|s| days + s)
            .find(|&d| self.in_learned_days(d))
            .unwrap_or(days)
    }

    /// Moves a day to a month end, Feb 29, Jan 1 or a month's first day at the learned rates,
    /// the nearest one inside the learned range (a day none reaches stays where it is).
    fn boundary(&self, days: i64, rng: &mut ChaCha8Rng) -> i64 {
        let Some(date) = i32::try_from(days).ok().and_then(date_from_days) else {
            return days;
        };
        let u = rng.random::<f64>();
        let (y, m) = (date.year(), date.month());
        let month_end = |y: i32, m: u32| {
            let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            NaiveDate::from_ymd_opt(next.0, next.1, 1).and_then(|d| d.pred_opt())
        };
        // Candidates in order, the first inside the learned range taken: 29 February back up to
        // seven years, then forward; this month's end, then the last one; this year's 1
        // January, then the next. A column of a few weeks still reaches a boundary inside.
        let inside = |d: NaiveDate| {
            let moved = days + (d - date).num_days();
            self.in_learned_days(moved).then_some(moved)
        };
        // Each move takes the next stretch of `u`, as long as its rate.
        let mut edge = 0.0;
        let mut next = |rate: f64| {
            edge += rate;
            u < edge
        };
        let moved = if next(self.feb29_rate) {
            let years = (0..8).map(|back| y - back).chain((1..9).map(|on| y + on));
            years
                .filter_map(|y| NaiveDate::from_ymd_opt(y, 2, 29))
                .find_map(inside)
        } else if next(self.month_end_rate) {
            let previous = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
            [month_end(y, m), month_end(previous.0, previous.1)]
                .into_iter()
                .flatten()
                .find_map(inside)
        } else if next(self.jan1_rate) {
            [
                NaiveDate::from_ymd_opt(y, 1, 1),
                NaiveDate::from_ymd_opt(y + 1, 1, 1),
            ]
            .into_iter()
            .flatten()
            .find_map(inside)
        } else if next(self.month_start_rate) {
            let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            [
                NaiveDate::from_ymd_opt(y, m, 1),
                NaiveDate::from_ymd_opt(next.0, next.1, 1),
            ]
            .into_iter()
            .flatten()
            .find_map(inside)
        } else {
            None
        };
        moved.unwrap_or(days)
    }
}

/// The first and last of learned quantile points, if any.
fn quantile_range(quantiles: &[f64]) -> Option<(f64, f64)> {
    Some((*quantiles.first()?, *quantiles.last()?))
}

/// One column's generator: a null rate and how non-null values are made.
#[derive(Debug, Clone)]
pub struct ColumnGen {
    pub nulls: RowPattern,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Number(NumberGen),
    Temporal(TemporalGen),
    Bool {
        true_rate: f64,
    },
    /// Frequent values at their shares, generated text for the rest.
    Text {
        frequent: Choice<String>,
        gen: Box<TextGen>,
    },
    /// Frequent text values that cover the column, enum labels, or an IN list.
    OneOf(Choice<String>),
    /// Frequent text values in the order a copula ranks them, at their shares; `None` stands
    /// for the values the text model makes (absent when the frequent values cover the column).
    Ranked {
        ranked: Choice<Option<String>>,
        gen: Option<Box<TextGen>>,
    },
    /// A lookup table's values: row `i` takes value `i mod n` (NULL where the value is), so
    /// the values of one row stay together across columns. For a number column, its values
    /// in ascending order too, to rank one (see [`ColumnGen::normal_score`]).
    Lookup(Vec<Option<String>>, Vec<f64>),
    Uuid,
    Json,
    Bytes(Choice<(u32, u32)>),
    Inet,
    /// Lengths in microseconds, written as `D days HH:MM:SS`.
    Interval(NumberGen),
    Array(Box<super::arrays::ArrayGen>),
    TsVector(super::tsvector::TsVectorGen),
    Range(Box<super::composite::RangeGen>),
    Bit(super::composite::BitGen),
    /// hstore and xml values.
    Keyed(Box<super::composite::KeyedGen>),
    /// A type understudy doesn't model: always NULL.
    Null,
}

impl Kind {
    /// A lookup column of `values`, ranked as numbers where they are numbers.
    pub fn lookup(values: Vec<Option<String>>) -> Kind {
        let mut sorted: Vec<f64> = (values.iter().flatten())
            .filter_map(|v| v.parse().ok())
            .collect();
        sorted.sort_by(f64::total_cmp);
        Kind::Lookup(values, sorted)
    }
}

impl ColumnGen {
    /// Whether the column's values are text drawn from learned values or a text model, so a
    /// category group may supply them.
    pub fn takes_text(&self) -> bool {
        matches!(
            self.kind,
            Kind::Text { .. } | Kind::OneOf(_) | Kind::Ranked { .. }
        )
    }

    /// Whether the column can join a copula: numbers and dates, and ranked categories.
    pub fn joins_copula(&self) -> bool {
        self.takes_uniforms() || matches!(self.kind, Kind::Ranked { .. })
    }

    /// Makes a column of frequent text values draw them ranked in `order` (`None` for the
    /// values the text model makes), so that a copula's uniform picks the value; `false` (and
    /// nothing changed) for a column of another kind. A listed value the column doesn't know
    /// takes no share; a value it knows that is not listed is ranked beside the unlisted ones.
    pub fn rank_by(&mut self, order: &[Option<String>]) -> bool {
        let (frequent, gen) = match std::mem::replace(&mut self.kind, Kind::Null) {
            Kind::Text { frequent, gen } => (frequent, Some(gen)),
            Kind::OneOf(choice) => (choice, None),
            other => {
                self.kind = other;
                return false;
            }
        };
        let share = |value: &String| {
            frequent
                .items
                .iter()
                .position(|v| v == value)
                .map_or(0.0, |k| frequent.share_of(k))
        };
        let rest = if gen.is_some() {
            (1.0 - frequent.total()).max(0.0)
        } else {
            0.0
        };
        // A frequent value the ranked order leaves out (seen in too few sampled rows to be
        // ranked: `Reciprocating` in 0.8 % of planes) keeps its share, ranked beside the values
        // the text model makes (the other unranked ones), or last without them.
        let unranked = frequent
            .items
            .iter()
            .filter(|v| !order.iter().any(|o| o.as_ref() == Some(*v)))
            .map(|v| Some(v.clone()));
        let mut ranked: Vec<Option<String>> = order.to_vec();
        let beside = ranked
            .iter()
            .position(Option::is_none)
            .map_or(ranked.len(), |p| p + 1);
        ranked.splice(beside..beside, unranked);
        let weighted = ranked
            .into_iter()
            .map(|value| {
                let weight = value.as_ref().map_or(rest, share);
                (value, weight)
            })
            .collect();
        self.kind = Kind::Ranked {
            ranked: Choice::new(weighted),
            gen,
        };
        true
    }

    /// Whether the column takes a uniform per row (numbers and dates), so it can join a copula.
    pub fn takes_uniforms(&self) -> bool {
        matches!(self.kind, Kind::Number(_) | Kind::Temporal(_))
    }

    /// For a date or timestamp column with a learned weekday mix: the mix (Monday = 0), and
    /// how many of the column's units make a day.
    pub fn weekday_mix(&self) -> Option<(Choice<i64>, i64)> {
        let Kind::Temporal(t) = &self.kind else {
            return None;
        };
        let unit = match t.form {
            TemporalForm::Date => 1,
            TemporalForm::Timestamp => MICROS_PER_DAY,
            TemporalForm::Time => return None,
        };
        Some((t.weekdays.clone()?, unit))
    }

    /// The generator for the rows a category group's combinations leave, a share `left` of
    /// all rows, so the column's shares hold over all rows: each frequent value, and NULL,
    /// takes what the combinations did not already give it (`given`, as shares of all rows).
    /// Without this, a value rare in the column but common in no combination (`Rotorcraft`
    /// in 0.15 % of planes) came out at its share of the leftover rows only, and never.
    /// A ranked column (the group's lead) takes the same shares, its unlisted values theirs.
    /// `None` for a column that is not frequent text values (it keeps its own generator).
    pub fn beyond_combinations(
        &self,
        null_rate: f64,
        given: &dyn Fn(Option<&str>) -> f64,
        left: f64,
        nulls: impl FnOnce(f64) -> RowPattern,
    ) -> Option<ColumnGen> {
        if left <= 0.0 {
            return None;
        }
        let present = 1.0 - null_rate;
        let null = (null_rate - given(None)).max(0.0) / left;
        // What a listed value with `share` of the non-NULL rows still needs, as a share of the
        // rows left.
        let needs =
            |value: &str, share: f64| (present * share - given(Some(value))).max(0.0) / left;
        if let Kind::Ranked { ranked, gen } = &self.kind {
            let total = ranked.total().max(1e-12);
            let wanted: Vec<(Option<String>, f64)> = (ranked.items.iter().enumerate())
                .map(|(k, v)| {
                    let share = ranked.share_of(k) / total;
                    let need = v
                        .as_deref()
                        .map_or(present * share / left, |v| needs(v, share));
                    (v.clone(), need)
                })
                .collect();
            let non_null: f64 = wanted.iter().map(|(_, w)| w).sum();
            if non_null <= 0.0 && null <= 0.0 {
                return None;
            }
            let scale = non_null.max(f64::MIN_POSITIVE);
            let ranked = Choice::new(wanted.into_iter().map(|(v, w)| (v, w / scale)).collect());
            return Some(ColumnGen {
                nulls: nulls(null / (null + non_null)),
                kind: Kind::Ranked {
                    ranked,
                    gen: gen.clone(),
                },
            });
        }
        let (frequent, made_by) = match &self.kind {
            Kind::Text { frequent, gen } => (frequent, Some(gen)),
            Kind::OneOf(choice) => (choice, None),
            _ => return None,
        };
        let wanted: Vec<(String, f64)> = frequent
            .items
            .iter()
            .enumerate()
            .map(|(k, v)| (v.clone(), needs(v, frequent.share_of(k))))
            .collect();
        // Values the text model makes, which no combination holds.
        let made = match made_by {
            Some(_) => present * (1.0 - frequent.total()).max(0.0) / left,
            None => 0.0,
        };
        let listed: f64 = wanted.iter().map(|(_, w)| w).sum();
        let non_null = listed + made;
        if non_null <= 0.0 && null <= 0.0 {
            return None;
        }
        let scale = non_null.max(f64::MIN_POSITIVE);
        let frequent = Choice::new(wanted.into_iter().map(|(v, w)| (v, w / scale)).collect());
        let kind = match made_by {
            Some(gen) => Kind::Text {
                frequent,
                gen: gen.clone(),
            },
            None => Kind::OneOf(frequent),
        };
        Some(ColumnGen {
            nulls: nulls(null / (null + non_null)),
            kind,
        })
    }

    /// Whether the column draws its numbers from a small set of values (cylinders 4, 6 or 8),
    /// which a value made as another plus a gap would leave.
    pub fn is_number_set(&self) -> bool {
        self.number_set().is_some()
    }

    /// The values of a column drawn from a small set of numbers, in ascending order.
    pub fn number_set(&self) -> Option<Vec<f64>> {
        let Kind::Number(n) = &self.kind else {
            return None;
        };
        n.is_set().then(|| {
            let mut values = n.frequent.items.clone();
            values.sort_by(f64::total_cmp);
            values
        })
    }

    /// Whether the column's values are clock times written as `HHMM`.
    pub fn is_clock(&self) -> bool {
        matches!(&self.kind, Kind::Number(n) if n.clock)
    }

    /// The distance between the quartiles of a numeric or temporal column's learned values.
    pub fn spread(&self) -> Option<f64> {
        let q = match &self.kind {
            Kind::Number(n) => &n.quantiles,
            Kind::Temporal(t) => &t.values.quantiles,
            _ => return None,
        };
        (q.len() >= 2).then(|| interquartile(q))
    }

    /// The first and last learned quantile of a number or date column's values.
    pub fn learned_range(&self) -> Option<(f64, f64)> {
        match &self.kind {
            Kind::Number(n) => quantile_range(&n.quantiles),
            Kind::Temporal(t) => quantile_range(&t.values.quantiles),
            _ => None,
        }
    }

    /// The range a numeric or temporal column's values stay in, and its rounding step.
    pub fn limits(&self) -> Option<(f64, f64, f64)> {
        match &self.kind {
            Kind::Number(n) => Some((n.limits.lo, n.limits.hi, n.step)),
            Kind::Temporal(t) => {
                let step = match t.form {
                    TemporalForm::Timestamp => t.resolution.max(1) as f64,
                    _ => 1.0,
                };
                Some((t.values.limits.lo, t.values.limits.hi, step))
            }
            _ => None,
        }
    }

    /// Appends the values of rows `rows` to `buffer`, each from its row's uniform in `uniforms`
    /// (a copula's draws); other randomness (boundary moves) comes from `rng`.
    pub fn fill_from(
        &self,
        uniforms: &[f64],
        rng: &mut ChaCha8Rng,
        rows: Range<u64>,
        buffer: &mut Buffer,
    ) {
        let mut text = String::new();
        for (i, &u) in rows.zip(uniforms) {
            if self.nulls.hits(i) {
                buffer.push_null();
                continue;
            }
            match &self.kind {
                Kind::Number(gen) => buffer.push_number(gen.at(u)),
                Kind::Temporal(gen) => buffer.push_int(gen.at(u, rng)),
                Kind::Ranked { ranked, gen } => {
                    push_ranked((ranked, gen), u, rng, &mut text, buffer);
                }
                _ => unreachable!("only numbers, dates and ranked categories take uniforms"),
            }
        }
    }

    /// The normal score `Φ⁻¹(rank)` of value `v` of a number column: where in the column's
    /// distribution it lies. `None` for other columns.
    pub fn normal_score(&self, v: f64) -> Option<f64> {
        let rank = match &self.kind {
            Kind::Number(gen) => gen.rank_of(v),
            Kind::Lookup(_, sorted) if !sorted.is_empty() => {
                let below = sorted.partition_point(|&x| x < v);
                let through = sorted.partition_point(|&x| x <= v);
                (below + through) as f64 / 2.0 / sorted.len() as f64
            }
            _ => return None,
        };
        Some(normal_quantile(rank.clamp(1e-6, 1.0 - 1e-6)))
    }

    /// Appends the values of rows `rows` to `buffer`.
    pub fn fill(&self, rng: &mut ChaCha8Rng, rows: Range<u64>, buffer: &mut Buffer) {
        let (mut text, mut bytes) = (String::new(), Vec::new());
        for i in rows {
            if let Kind::Lookup(values, _) = &self.kind {
                match &values[(i % values.len() as u64) as usize] {
                    Some(v) => buffer.push_str(v),
                    None => buffer.push_null(),
                }
                continue;
            }
            if matches!(self.kind, Kind::Null) || self.nulls.hits(i) {
                buffer.push_null();
                continue;
            }
            match &self.kind {
                Kind::Number(gen) => buffer.push_number(gen.sample(rng)),
                Kind::Temporal(gen) => buffer.push_int(gen.sample(rng)),
                Kind::Bool { true_rate } => buffer.push_bool(rng.random::<f64>() < *true_rate),
                Kind::Text { frequent, gen } => match frequent.sample(rng) {
                    Some(value) => buffer.push_str(value),
                    None => {
                        gen.generate(rng, &mut text);
                        buffer.push_string(&mut text);
                    }
                },
                Kind::OneOf(choice) => {
                    let value = choice.sample_normalized(rng).map_or("", String::as_str);
                    buffer.push_str(value);
                }
                Kind::Ranked { ranked, gen } => {
                    let u = rng.random::<f64>();
                    push_ranked((ranked, gen), u, rng, &mut text, buffer);
                }
                Kind::Uuid => {
                    text.clear();
                    super::keys::write_uuid(rng.random(), &mut text);
                    buffer.push_string(&mut text);
                }
                Kind::Json => {
                    text.clear();
                    let n: u32 = rng.random_range(1..100_000);
                    let active = !n.is_multiple_of(3);
                    let _ = write!(text, "{{\"id\": {n}, \"active\": {active}}}");
                    buffer.push_string(&mut text);
                }
                Kind::Bytes(lengths) => {
                    let (lo, hi) = *lengths.sample_normalized(rng).unwrap_or(&(0, 17));
                    let len = rng.random_range(lo..hi.max(lo + 1));
                    bytes.clear();
                    bytes.extend((0..len).map(|_| rng.random::<u8>()));
                    buffer.push_bytes(&bytes);
                }
                Kind::Inet => {
                    text.clear();
                    let [a, b, c]: [u8; 3] = rng.random();
                    let _ = write!(text, "10.{a}.{b}.{}", c.max(1));
                    buffer.push_string(&mut text);
                }
                Kind::Interval(gen) => {
                    text.clear();
                    crate::temporal::write_interval(gen.sample(rng) as i64, &mut text);
                    buffer.push_string(&mut text);
                }
                Kind::Range(gen) => {
                    text.clear();
                    gen.write(rng, &mut text);
                    buffer.push_string(&mut text);
                }
                Kind::Bit(gen) => {
                    text.clear();
                    gen.write(rng, &mut text);
                    buffer.push_string(&mut text);
                }
                Kind::Keyed(gen) => {
                    text.clear();
                    gen.write(rng, &mut text);
                    buffer.push_string(&mut text);
                }
                Kind::Array(gen) => {
                    text.clear();
                    gen.write(rng, &mut text);
                    buffer.push_string(&mut text);
                }
                Kind::TsVector(gen) => {
                    text.clear();
                    gen.write(rng, &mut text);
                    buffer.push_string(&mut text);
                }
                Kind::Null | Kind::Lookup(..) => unreachable!("handled above"),
            }
        }
    }
}

/// Whether bit `i` of an Arrow validity bitmap marks a value (no bitmap: every row does).
fn valid_bit(validity: Option<&[u8]>, i: usize) -> bool {
    validity.is_none_or(|bits| bits[i / 8] & (1 << (i % 8)) != 0)
}

/// A column's values while its chunk is being made; numbers stay mutable so that
/// column-vs-column checks can be enforced before the Arrow array is built.
#[derive(Debug)]
pub enum Buffer {
    Int(Vec<i64>, Vec<bool>),
    Float(Vec<f64>, Vec<bool>),
    Bool(Vec<bool>, Vec<bool>),
    Text(TextBuffer),
    Bytes(BinaryBuilder),
}

impl Buffer {
    pub fn for_type(data_type: &DataType, rows: usize) -> Buffer {
        match data_type {
            DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) => {
                Buffer::Float(Vec::with_capacity(rows), Vec::with_capacity(rows))
            }
            DataType::Boolean => Buffer::Bool(Vec::with_capacity(rows), Vec::with_capacity(rows)),
            DataType::Utf8 => Buffer::Text(TextBuffer::with_capacity(rows, rows * 16)),
            DataType::Binary => Buffer::Bytes(BinaryBuilder::with_capacity(rows, rows * 16)),
            _ => Buffer::Int(Vec::with_capacity(rows), Vec::with_capacity(rows)),
        }
    }

    /// The values of a numeric buffer (`None` for NULL or a non-numeric buffer's rows).
    pub fn numbers(&self) -> Vec<Option<f64>> {
        match self {
            Buffer::Int(v, ok) => v
                .iter()
                .zip(ok)
                .map(|(&x, &o)| o.then_some(x as f64))
                .collect(),
            Buffer::Float(v, ok) => v.iter().zip(ok).map(|(&x, &o)| o.then_some(x)).collect(),
            _ => Vec::new(),
        }
    }

    /// The rows buffered so far.
    pub fn rows(&self) -> usize {
        match self {
            Buffer::Int(v, _) => v.len(),
            Buffer::Float(v, _) => v.len(),
            Buffer::Bool(v, _) => v.len(),
            Buffer::Text(b) => b.len(),
            Buffer::Bytes(b) => b.offsets_slice().len() - 1,
        }
    }

    /// Row `i` of a text buffer (`None` for NULL or another kind of buffer).
    pub fn text_at(&self, i: usize) -> Option<&str> {
        match self {
            Buffer::Text(b) => b.get(i),
            _ => None,
        }
    }

    /// Row `i` of a numeric buffer (`None` for NULL or a non-numeric buffer).
    pub fn number_at(&self, i: usize) -> Option<f64> {
        match self {
            Buffer::Int(v, ok) => ok[i].then(|| v[i] as f64),
            Buffer::Float(v, ok) => ok[i].then(|| v[i]),
            _ => None,
        }
    }

    /// Whether row `i` is NULL, in a buffer of any kind.
    pub fn is_null(&self, i: usize) -> bool {
        match self {
            Buffer::Int(_, ok) | Buffer::Float(_, ok) | Buffer::Bool(_, ok) => !ok[i],
            Buffer::Text(b) => b.get(i).is_none(),
            Buffer::Bytes(b) => !valid_bit(b.validity_slice(), i),
        }
    }

    /// Whether row `i` of a numeric buffer holds a value.
    pub fn is_present(&self, i: usize) -> bool {
        match self {
            Buffer::Int(_, ok) | Buffer::Float(_, ok) => ok.get(i).copied().unwrap_or(false),
            _ => false,
        }
    }

    /// Replaces row `i` of a numeric buffer.
    pub fn set_number(&mut self, i: usize, x: f64) {
        match self {
            Buffer::Int(v, _) => v[i] = x.round() as i64,
            Buffer::Float(v, _) => v[i] = x,
            _ => {}
        }
    }

    pub fn push_null(&mut self) {
        match self {
            Buffer::Int(v, ok) => {
                v.push(0);
                ok.push(false);
            }
            Buffer::Float(v, ok) => {
                v.push(0.0);
                ok.push(false);
            }
            Buffer::Bool(v, ok) => {
                v.push(false);
                ok.push(false);
            }
            Buffer::Text(b) => b.push_null(),
            Buffer::Bytes(b) => b.append_null(),
        }
    }

    pub fn push_int(&mut self, x: i64) {
        match self {
            Buffer::Int(v, ok) => {
                v.push(x);
                ok.push(true);
            }
            _ => self.push_number(x as f64),
        }
    }

    pub fn push_number(&mut self, x: f64) {
        match self {
            Buffer::Int(v, ok) => {
                v.push(x.round() as i64);
                ok.push(true);
            }
            Buffer::Float(v, ok) => {
                v.push(x);
                ok.push(true);
            }
            Buffer::Bool(v, ok) => {
                v.push(x != 0.0);
                ok.push(true);
            }
            Buffer::Text(b) => b.push(&x.to_string()),
            Buffer::Bytes(b) => b.append_value(x.to_string()),
        }
    }

    pub fn push_bool(&mut self, x: bool) {
        match self {
            Buffer::Bool(v, ok) => {
                v.push(x);
                ok.push(true);
            }
            Buffer::Text(b) => b.push(if x { "true" } else { "false" }),
            _ => self.push_number(x as u8 as f64),
        }
    }

    /// Appends a value generated into `s`, leaving `s` empty; a text buffer may take its
    /// allocation rather than copy it (see [`TextBuffer::take`]).
    pub fn push_string(&mut self, s: &mut String) {
        match self {
            Buffer::Text(b) => b.take(s),
            _ => {
                self.push_str(s);
                s.clear();
            }
        }
    }

    pub fn push_str(&mut self, s: &str) {
        match self {
            Buffer::Text(b) => b.push(s),
            Buffer::Bytes(b) => b.append_value(s),
            Buffer::Bool(..) => self.push_bool(s == "true"),
            // Whole numbers above 2^53 stay exact.
            Buffer::Int(..) if let Ok(n) = s.parse::<i64>() => self.push_int(n),
            _ => match s.parse::<f64>() {
                Ok(x) => self.push_number(x),
                Err(_) => self.push_null(),
            },
        }
    }

    pub fn push_bytes(&mut self, bytes: &[u8]) {
        match self {
            Buffer::Bytes(b) => b.append_value(bytes),
            _ => self.push_str(&String::from_utf8_lossy(bytes)),
        }
    }

    /// Appends row `i` of `other`, a buffer of the same kind (a value a child copies from its
    /// parent's row).
    pub fn push_from(&mut self, other: &Buffer, i: usize) {
        match other {
            Buffer::Int(v, ok) if ok[i] => self.push_int(v[i]),
            Buffer::Float(v, ok) if ok[i] => self.push_number(v[i]),
            Buffer::Bool(v, ok) if ok[i] => self.push_bool(v[i]),
            Buffer::Text(b) => match b.get(i) {
                Some(value) => self.push_str(value),
                None => self.push_null(),
            },
            Buffer::Bytes(b) if valid_bit(b.validity_slice(), i) => {
                let offsets = b.offsets_slice();
                self.push_bytes(&b.values_slice()[offsets[i] as usize..offsets[i + 1] as usize]);
            }
            _ => self.push_null(),
        }
    }

    pub fn push_key(&mut self, key: &Key) {
        match key {
            Key::Int(x) => self.push_int(*x),
            Key::Text(s) => self.push_str(s),
        }
    }

    /// The Arrow array of `data_type` holding the buffered values.
    pub fn finish(self, data_type: &DataType) -> ArrayRef {
        match self {
            Buffer::Int(values, valid) => int_array(values, NullBuffer::from(valid), data_type),
            Buffer::Float(values, valid) => {
                let nulls = Some(NullBuffer::from(valid));
                match data_type {
                    DataType::Float32 => {
                        let v: Vec<f32> = values.iter().map(|&x| x as f32).collect();
                        Arc::new(Float32Array::new(v.into(), nulls))
                    }
                    DataType::Decimal128(p, s) => {
                        let factor = 10f64.powi(*s as i32);
                        let v: Vec<i128> = values
                            .iter()
                            .map(|&x| (x * factor).round() as i128)
                            .collect();
                        Arc::new(
                            Decimal128Array::new(v.into(), nulls)
                                .with_precision_and_scale(*p, *s)
                                .expect("precision and scale come from a valid Arrow type"),
                        )
                    }
                    _ => Arc::new(Float64Array::new(values.into(), nulls)),
                }
            }
            Buffer::Bool(values, valid) => Arc::new(BooleanArray::new(
                BooleanBuffer::from(values),
                Some(NullBuffer::from(valid)),
            )),
            Buffer::Text(b) => Arc::new(b.finish()),
            Buffer::Bytes(mut b) => Arc::new(b.finish()),
        }
    }
}

fn int_array(values: Vec<i64>, nulls: NullBuffer, data_type: &DataType) -> ArrayRef {
    let nulls = Some(nulls);
    match data_type {
        DataType::Int16 => {
            let v: Vec<i16> = values.iter().map(|&x| x as i16).collect();
            Arc::new(Int16Array::new(v.into(), nulls))
        }
        DataType::Int32 => {
            let v: Vec<i32> = values.iter().map(|&x| x as i32).collect();
            Arc::new(Int32Array::new(v.into(), nulls))
        }
        DataType::Date32 => {
            let v: Vec<i32> = values.iter().map(|&x| x as i32).collect();
            Arc::new(Date32Array::new(v.into(), nulls))
        }
        DataType::Time64(_) => Arc::new(Time64MicrosecondArray::new(values.into(), nulls)),
        DataType::Timestamp(_, tz) => Arc::new(
            TimestampMicrosecondArray::new(values.into(), nulls).with_timezone_opt(tz.clone()),
        ),
        _ => Arc::new(Int64Array::new(values.into(), nulls)),
    }
}

/// The ranked category at rank `u`: a listed value, or one the text model makes (into
/// `text`, the caller's scratch string).
fn push_ranked(
    (ranked, gen): (&Choice<Option<String>>, &Option<Box<TextGen>>),
    u: f64,
    rng: &mut ChaCha8Rng,
    text: &mut String,
    buffer: &mut Buffer,
) {
    match (ranked.sample_normalized_at(u), gen) {
        (Some(Some(value)), _) => buffer.push_str(value),
        (_, Some(gen)) => {
            gen.generate(rng, text);
            buffer.push_string(text);
        }
        (_, None) => buffer.push_str(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn guided_draws_equal_searched_ones() {
        let weighted: Vec<(u32, f64)> = (0..500u32).map(|i| (i, 1.0 / (1.0 + i as f64))).collect();
        let partial: Vec<(u32, f64)> = weighted.iter().map(|&(i, w)| (i, w / 10.0)).collect();
        for choice in [Choice::new(weighted), Choice::new(partial)] {
            assert!(!choice.guide.is_empty());
            for k in 0..20_000 {
                let u = k as f64 / 20_000.0;
                let searched = choice.cumulative.partition_point(|&c| c <= u);
                assert_eq!(choice.at(u), choice.items.get(searched), "at {u}");
            }
        }
    }

    #[test]
    fn numbers_follow_quantiles_and_limits() {
        let (quantiles, frequent) = (vec![0.0, 10.0, 100.0], Choice::new(vec![(7.0, 0.25)]));
        let gen = NumberGen {
            atoms: NumberGen::atoms(&quantiles, &frequent),
            quantiles,
            frequent,
            step: 1.0,
            limits: Limits {
                lo: 1.0,
                hi: 90.0,
                pieces: Vec::new(),
            },
            clock: false,
            places: None,
            tails: Tails::STRAIGHT,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let values: Vec<f64> = (0..10_000).map(|_| gen.sample(&mut rng)).collect();
        assert!(values
            .iter()
            .all(|&v| (1.0..=90.0).contains(&v) && v.fract() == 0.0));
        let sevens = values.iter().filter(|&&v| v == 7.0).count() as f64 / 1e4;
        assert!((0.23..0.30).contains(&sevens), "{sevens}");
        let below_ten = values.iter().filter(|&&v| v <= 10.0).count() as f64 / 1e4;
        // The quantiles put half the values at or below 10, the frequent 7 among them.
        assert!((0.45..0.55).contains(&below_ten), "{below_ten}");
    }

    #[test]
    fn pieces_pull_values_into_the_nearest_partition() {
        let limits = Limits {
            lo: 0.0,
            hi: 100.0,
            pieces: vec![(0.0, 9.0), (50.0, 59.0)],
        };
        assert_eq!(limits.fit(5.0), 5.0);
        assert_eq!(limits.fit(20.0), 9.0);
        assert_eq!(limits.fit(45.0), 50.0);
        assert_eq!(limits.fit(99.0), 59.0);
    }

    #[test]
    fn a_moved_clock_time_lands_on_a_clock_time() {
        assert_eq!(clock_time_toward(571.0, true), 600.0);
        assert_eq!(clock_time_toward(571.0, false), 559.0);
        assert_eq!(clock_time_toward(1545.0, true), 1545.0);
        assert_eq!(clock_time_toward(2360.0, true), 2400.0);
        assert_eq!(clock_time_toward(60.0, false), 59.0);
    }

    /// Delays of mostly minutes with a long tail: the straight last segment made its values
    /// 4x too large on average; bent, the interpolation's mean is the learned one, and ranks
    /// read back through the bend.
    #[test]
    fn a_long_tail_is_bent_to_keep_the_mean() {
        let quantiles = [
            -25.0, -9.0, -7.0, -6.0, -6.0, -5.0, -4.0, -4.0, -3.0, -2.0, -1.0, -1.0, 0.0, 2.0, 6.0,
            11.0, 18.0, 29.0, 49.0, 86.0, 431.0,
        ];
        let mean_of = |tails: Tails| {
            let n = 200_000;
            (0..n)
                .map(|i| tails.interpolate(&quantiles, (i as f64 + 0.5) / n as f64))
                .sum::<f64>()
                / n as f64
        };
        let tails = Tails::keeping_mean(&quantiles, 12.45);
        assert_eq!(tails.lower, 1.0);
        assert!(tails.upper > 3.0, "{tails:?}");
        assert!((mean_of(tails) - 12.45).abs() < 0.05, "{}", mean_of(tails));
        assert!(mean_of(Tails::STRAIGHT) > 16.0);
        // The points themselves stay where they were.
        for (k, &q) in quantiles.iter().enumerate() {
            let u = k as f64 / 20.0;
            assert!((tails.interpolate(&quantiles, u) - q).abs() < 1e-9);
        }
        for u in [0.0, 0.03, 0.62, 0.951, 0.97, 0.99, 1.0] {
            let back = tails.rank_among(&quantiles, tails.interpolate(&quantiles, u));
            assert!((back - u).abs() < 1e-9, "{u} -> {back}");
        }
        // A mean the straight segments already give, or one that would need a fatter tail,
        // leaves them straight; a long left tail bends the first segment.
        let even: Vec<f64> = (0..=20).map(f64::from).collect();
        assert_eq!(Tails::keeping_mean(&even, 10.0), Tails::STRAIGHT);
        assert_eq!(Tails::keeping_mean(&even, 12.0), Tails::STRAIGHT);
        let mirrored: Vec<f64> = quantiles.iter().rev().map(|q| -q).collect();
        let left = Tails::keeping_mean(&mirrored, -12.45);
        assert_eq!(left.upper, 1.0);
        assert!((left.lower - tails.upper).abs() < 1e-9, "{left:?}");
    }

    /// Carats through the copula: 0.70 and 0.71 are frequent, and the coarse quantiles rank
    /// them almost at one point; each comes out at its own share, in value order.
    #[test]
    fn frequent_values_keep_their_shares_through_ranks() {
        let quantiles = vec![0.2, 0.4, 0.7, 1.0, 3.0];
        let frequent = Choice::new(vec![(0.7, 0.037), (0.71, 0.024), (1.0, 0.03)]).by_value();
        let gen = NumberGen {
            atoms: NumberGen::atoms(&quantiles, &frequent),
            tails: Tails::STRAIGHT,
            quantiles,
            frequent,
            step: 0.01,
            limits: Limits::unbounded(),
            clock: false,
            places: None,
        };
        let n = 100_000;
        let values: Vec<f64> = (0..n)
            .map(|i| gen.at((i as f64 + 0.5) / n as f64))
            .collect();
        let share = |v: f64| values.iter().filter(|&&x| x == v).count() as f64 / n as f64;
        for (v, expected) in [(0.7, 0.037), (0.71, 0.024), (1.0, 0.03)] {
            assert!((share(v) - expected).abs() < 0.002, "{v}: {}", share(v));
        }
        assert!(
            values.windows(2).all(|w| w[0] <= w[1]),
            "still monotone in rank"
        );
    }

    #[test]
    fn clock_times_stay_clock_times() {
        let gen = NumberGen {
            quantiles: vec![600.0, 845.0, 1230.0, 1545.0, 2100.0],
            frequent: Choice::new(Vec::new()),
            step: 1.0,
            limits: Limits::unbounded(),
            clock: true,
            places: None,
            atoms: Vec::new(),
            tails: Tails::STRAIGHT,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..2_000 {
            let v = gen.sample(&mut rng);
            assert!(v % 100.0 < 60.0 && (600.0..=2100.0).contains(&v), "{v}");
        }
        assert_eq!(
            gen.at(0.375),
            1038.0,
            "halfway from 08:45 to 12:30 is 10:37:30, rounded to 10:38"
        );
    }

    #[test]
    fn weekday_and_boundary_moves_stay_inside_the_learned_range() {
        // Nineteen days of January 2001 (1 January was a Monday), mostly on weekends.
        let (first, last) = (11_323.0, 11_341.0);
        let gen = TemporalGen {
            form: TemporalForm::Date,
            values: NumberGen {
                quantiles: vec![first, 11_330.0, last],
                frequent: Choice::new(Vec::new()),
                step: 1.0,
                limits: Limits::unbounded(),
                clock: false,
                places: None,
                atoms: Vec::new(),
                tails: Tails::STRAIGHT,
            },
            midnight_rate: 0.0,
            month_end_rate: 0.1,
            feb29_rate: 0.05,
            jan1_rate: 0.1,
            month_start_rate: 0.0,
            weekdays: Some(Choice::new(vec![(4, 0.1), (5, 0.45), (6, 0.45)])),
            hours: None,
            resolution: 1,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let days: Vec<i64> = (0..5000).map(|_| gen.sample(&mut rng)).collect();
        assert!(days
            .iter()
            .all(|d| (first as i64..=last as i64).contains(d)));
        let weekend = days.iter().filter(|&&d| (d + 3).rem_euclid(7) >= 5).count();
        assert!(
            weekend > 3500,
            "the weekday mix still holds: {weekend} of 5000"
        );
    }

    #[test]
    fn boundary_rates_make_feb_29_and_month_ends() {
        let gen = TemporalGen {
            form: TemporalForm::Date,
            values: NumberGen {
                quantiles: vec![18_000.0, 19_000.0],
                frequent: Choice::new(Vec::new()),
                step: 1.0,
                limits: Limits::unbounded(),
                clock: false,
                places: None,
                atoms: Vec::new(),
                tails: Tails::STRAIGHT,
            },
            midnight_rate: 0.0,
            month_end_rate: 0.2,
            feb29_rate: 0.1,
            jan1_rate: 0.0,
            month_start_rate: 0.0,
            weekdays: None,
            hours: None,
            resolution: 1,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let dates: Vec<NaiveDate> = (0..5000)
            .map(|_| date_from_days(gen.sample(&mut rng) as i32).unwrap())
            .collect();
        let feb29 = dates
            .iter()
            .filter(|d| d.month() == 2 && d.day() == 29)
            .count();
        let month_end = dates
            .iter()
            .filter(|d| d.succ_opt().unwrap().day() == 1)
            .count();
        assert!((400..600).contains(&feb29), "{feb29}");
        assert!((1400..1700).contains(&month_end), "{month_end}");
    }
}
