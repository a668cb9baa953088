//! How finely a column's numbers are written: the place of each value's last nonzero digit
//! (cents, units, thousands) and, where chance does not decide it, that digit itself (prices
//! ending in 9). A step (the divisor of every value) misses a column whose values keep to a
//! grid in most rows but not all: weights mostly whole with a few halves, salaries mostly in
//! thousands. Drawn from quantiles alone, such a column gets random decimals in every row.
//!
//! The mix is learned over the values other than the frequent ones (those are drawn as they
//! are), and written to the profile only where it differs from what rounding values drawn
//! from the column's quantiles would give anyway.

use super::model::Precision;
use super::privacy::Guard;
use crate::hashing::{mix64, unit_interval};
use std::collections::BTreeMap;

/// Places and last digits counted over a column's values.
#[derive(Debug, Clone, Default)]
pub struct PlaceCounter {
    places: BTreeMap<i32, PlaceCount>,
}

#[derive(Debug, Clone, Copy, Default)]
struct PlaceCount {
    values: u64,
    /// Last digits 1 to 9 of the values with more digits before it (`35`, not `5`): only
    /// there is the digit free of the value's size.
    digits: [u64; 9],
}

/// The place of `v`'s last nonzero digit, that digit, and whether more digits stand before
/// it. `None` for zero, and for values with more than six decimals or too large to tell.
pub fn place_of(v: f64) -> Option<(i32, u8, bool)> {
    let a = v.abs();
    if !a.is_finite() || a == 0.0 {
        return None;
    }
    if a.fract() == 0.0 {
        if a >= WHOLE_EXACT {
            return None;
        }
        let (mut n, mut place) = (a as u64, 0);
        while n % 10 == 0 {
            n /= 10;
            place += 1;
        }
        return Some((place, (n % 10) as u8, n >= 10));
    }
    (1..=MAX_DECIMALS).find_map(|p| {
        let scaled = a * 10f64.powi(p);
        let whole = scaled.round();
        // Within the f64's own error (1e-16), not a share of the value: 26697.41 has two
        // decimals, though 26697.4 is within a millionth of it.
        ((scaled - whole).abs() < 1e-9 * scaled.max(1.0) && whole < WHOLE_EXACT).then(|| {
            let n = whole as u64;
            (-p, (n % 10) as u8, n >= 10)
        })
    })
}

/// Whole numbers below this are exact in an f64, and so are their divisors.
pub(super) const WHOLE_EXACT: f64 = 9_007_199_254_740_992.0;

/// Most decimals a place is told for (as the profile's `scale`).
const MAX_DECIMALS: i32 = 6;

/// Fewest counted values for a mix to be learned at all.
const MIN_VALUES: u64 = 20;

/// Fewest values with a free last digit for its shares to be learned: fewer leave nine
/// shares too noisy to tell from even.
const MIN_DIGITS: u64 = 100;

/// Points drawn from the quantiles to tell the mix chance gives.
const DRAWS: usize = 2000;

impl PlaceCounter {
    pub fn add(&mut self, v: f64) {
        self.add_count(v, 1);
    }

    /// Takes `count` occurrences of `v` back out: a frequent value is drawn as it is.
    pub fn remove(&mut self, v: f64, count: u64) {
        if let Some((place, digit, higher)) = place_of(v) {
            if let Some(c) = self.places.get_mut(&place) {
                c.values = c.values.saturating_sub(count);
                if higher && digit > 0 {
                    let d = &mut c.digits[digit as usize - 1];
                    *d = d.saturating_sub(count);
                }
            }
        }
    }

    fn add_count(&mut self, v: f64, count: u64) {
        if let Some((place, digit, higher)) = place_of(v) {
            let c = self.places.entry(place).or_default();
            c.values += count;
            if higher && digit > 0 {
                c.digits[digit as usize - 1] += count;
            }
        }
    }

    pub fn merge(&mut self, other: &PlaceCounter) {
        for (&place, o) in &other.places {
            let c = self.places.entry(place).or_default();
            c.values += o.values;
            c.digits.iter_mut().zip(o.digits).for_each(|(a, b)| *a += b);
        }
    }

    /// The mix to write, or nothing where chance gives it: `quantiles` are the column's
    /// guarded quantiles and `finest` the place its values are rounded to when drawn.
    pub fn learn(&self, quantiles: &[f64], finest: i32, guard: &Guard) -> Vec<Precision> {
        let kept: BTreeMap<i32, PlaceCount> = self
            .places
            .iter()
            .filter(|(_, c)| c.values >= guard.min_count.max(1))
            .map(|(&p, &c)| (p, c))
            .collect();
        let total: u64 = kept.values().map(|c| c.values).sum();
        if total < MIN_VALUES || quantiles.len() < 2 {
            return Vec::new();
        }
        let chance = chance_counter(quantiles, finest);
        let chance_total: u64 = chance.places.values().map(|c| c.values).sum();
        let share = |c: &PlaceCount, of: u64| c.values as f64 / of.max(1) as f64;
        let places: Vec<i32> = kept.keys().chain(chance.places.keys()).copied().collect();
        let place_distance = distance(places.iter().map(|p| {
            let real = kept.get(p).map_or(0.0, |c| share(c, total));
            let drawn = chance.places.get(p).map_or(0.0, |c| share(c, chance_total));
            (real, drawn)
        }));
        let keep_places = place_distance > 0.05 + 1.0 / (total as f64).sqrt();
        let mut out: Vec<Precision> = kept
            .iter()
            .map(|(&place, c)| Precision {
                place,
                share: super::round_share(share(c, total)),
                digits: uneven_digits(c, chance.places.get(&place), guard),
            })
            .collect();
        if !keep_places && out.iter().all(|p| p.digits.is_empty()) {
            out.clear();
        }
        out
    }
}

/// The places and digits of values drawn evenly from `quantiles` and rounded to `finest`:
/// what generation gives without a learned mix.
fn chance_counter(quantiles: &[f64], finest: i32) -> PlaceCounter {
    let mut counter = PlaceCounter::default();
    let last = (quantiles.len() - 1) as f64;
    for i in 0..DRAWS {
        // Hashed ranks, not an even grid: a grid's regular spacing would put its own pattern
        // into the last digits.
        let at = unit_interval(mix64(i as u64)) * last;
        let (lo, frac) = (at.floor() as usize, at.fract());
        let hi = (lo + 1).min(quantiles.len() - 1);
        let v = quantiles[lo] + (quantiles[hi] - quantiles[lo]) * frac;
        counter.add(round_to_place(v, finest));
    }
    counter
}

/// `v` rounded to a multiple of 10^`place`.
pub fn round_to_place(v: f64, place: i32) -> f64 {
    round_to_unit(v, 10f64.powi(place))
}

/// `v` rounded to a multiple of `unit` (a step: a power of ten, 25, 0.5). A unit below 1
/// divides by its exact inverse instead of multiplying by the inexact unit, so 33.99 is
/// written `33.99`, not `33.990000000000002`.
pub fn round_to_unit(v: f64, unit: f64) -> f64 {
    if unit < 1.0 {
        let per = (1.0 / unit).round();
        (v * per).round() / per
    } else {
        (v / unit).round() * unit
    }
}

/// Total variation distance between two distributions given as pairs of shares.
fn distance(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    pairs.map(|(a, b)| (a - b).abs()).sum::<f64>() / 2.0
}

/// The shares of last digits 1 to 9 at one place, when they are far from what chance gives
/// there (even, where chance drew too few values to tell); digits held by fewer rows than the
/// guard's minimum count as none.
fn uneven_digits(real: &PlaceCount, chance: Option<&PlaceCount>, guard: &Guard) -> Vec<f64> {
    let min = guard.min_count.max(1);
    let counts: Vec<u64> = real
        .digits
        .iter()
        .map(|&c| if c >= min { c } else { 0 })
        .collect();
    let n: u64 = counts.iter().sum();
    if n < MIN_DIGITS.max(min) {
        return Vec::new();
    }
    let even = [1.0 / 9.0; 9];
    let expected: Vec<f64> = match chance {
        Some(c) if c.digits.iter().sum::<u64>() >= 50 => {
            let all: u64 = c.digits.iter().sum();
            c.digits.iter().map(|&d| d as f64 / all as f64).collect()
        }
        _ => even.to_vec(),
    };
    let shares: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
    // Nine shares of 100 values drawn evenly are 0.2 apart from even by chance alone.
    let far = distance(shares.iter().copied().zip(expected)) > 0.1 + 2.0 / (n as f64).sqrt();
    match far {
        true => shares.into_iter().map(super::round_share).collect(),
        false => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learned(values: &[f64], finest: i32) -> Vec<Precision> {
        let mut counter = PlaceCounter::default();
        values.iter().for_each(|&v| counter.add(v));
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let quantiles: Vec<f64> = (0..=20)
            .map(|i| sorted[(i * (sorted.len() - 1)) / 20])
            .collect();
        counter.learn(&quantiles, finest, &Guard::new(5))
    }

    #[test]
    fn decimals_rounded_to_their_unit_print_with_their_decimals() {
        for (step, places) in [(0.01, 2), (0.001, 3), (0.000001, 6)] {
            for k in 0..20_000 {
                // The sum of two values on the step is off the step by the float's error.
                let v = (k as f64 * step) + 10.811;
                let text = round_to_unit(v, step).to_string();
                let decimals = text.split('.').nth(1).map_or(0, str::len);
                assert!(decimals <= places, "{v} rounded to {step}: {text}");
            }
        }
    }

    #[test]
    fn places_and_last_digits_are_read() {
        assert_eq!(place_of(52000.0), Some((3, 2, true)));
        assert_eq!(place_of(7000.0), Some((3, 7, false)));
        assert_eq!(place_of(-1530.0), Some((1, 3, true)));
        assert_eq!(place_of(4.99), Some((-2, 9, true)));
        assert_eq!(place_of(0.05), Some((-2, 5, false)));
        assert_eq!(place_of(152.5), Some((-1, 5, true)));
        assert_eq!(place_of(0.0), None);
        assert_eq!(place_of(0.1 + 0.2 + 1e-9), None, "more than six decimals");
    }

    #[test]
    fn mostly_whole_weights_keep_their_mix() {
        // 95 whole weights and 5 halves: every value is a multiple of 0.5, but chance would
        // give a tenth in nine of ten rows.
        let values: Vec<f64> = (0..100)
            .map(|i| 50.0 + (i * 37 % 100) as f64 + if i % 20 == 0 { 0.5 } else { 0.0 })
            .collect();
        let mix = learned(&values, -1);
        let at = |place| mix.iter().find(|p| p.place == place).map(|p| p.share);
        assert!((0.04..=0.06).contains(&at(-1).unwrap()), "{mix:?}");
        assert!(at(0).unwrap() > 0.8, "{mix:?}");
    }

    #[test]
    fn prices_ending_in_nine_keep_their_digit() {
        let values: Vec<f64> = (0..200).map(|i| (i % 90) as f64 + 10.99).collect();
        let mix = learned(&values, -2);
        let cents = mix.iter().find(|p| p.place == -2).expect("cents");
        assert_eq!(cents.digits[8], 1.0, "{mix:?}");
    }

    #[test]
    fn what_chance_gives_is_not_written() {
        // Freight charges in cents, evenly spread: chance gives their mix.
        let values: Vec<f64> = (0..2000)
            .map(|i| ((i * 7919) % 100_000) as f64 / 100.0 + 1.0)
            .collect();
        assert_eq!(learned(&values, -2), Vec::new());
        // Counts from 1 to 5 are all units, as drawing them gives.
        let counts: Vec<f64> = (0..200).map(|i| (1 + i % 5) as f64).collect();
        assert_eq!(learned(&counts, 0), Vec::new());
    }

    #[test]
    fn places_held_by_few_rows_are_dropped() {
        let mut values: Vec<f64> = (0..100).map(|i| 1000.0 * (1 + i % 50) as f64).collect();
        values.extend([1234.0, 2345.0, 3456.0]);
        let mix = learned(&values, 0);
        assert!(mix.iter().all(|p| p.place != 0), "{mix:?}");
        assert!(!mix.is_empty());
    }
}
