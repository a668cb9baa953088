//! Writing a drawn number as finely as the column's values are written: at a place (cents,
//! units, thousands) and with a last digit drawn from the learned mix
//! ([`crate::profile::Precision`]). The draw hashes the value itself, so it takes nothing from
//! the chunk's random stream and every other column's values stay as they were.

use crate::hashing::{mix64, unit_interval};
use crate::profile::precision::round_to_place;
use crate::profile::Precision;

/// A column's places with their cumulative shares, each with the cumulative shares of its
/// last digits 1 to 9 where they were learned.
#[derive(Debug, Clone)]
pub struct Places {
    places: Vec<(i32, f64, Vec<f64>)>,
}

/// Largest multiple count of a place that an f64 holds exactly.
const EXACT: f64 = 4_503_599_627_370_496.0;

impl Places {
    /// The learned mix, or `None` when there is none to keep to.
    pub fn new(mix: &[Precision]) -> Option<Places> {
        let total: f64 = mix.iter().map(|p| p.share).sum();
        if mix.is_empty() || total <= 0.0 {
            return None;
        }
        let mut sum = 0.0;
        let places = mix
            .iter()
            .map(|p| {
                sum += p.share / total;
                (p.place, sum, cumulative(&p.digits))
            })
            .collect();
        Some(Places { places })
    }

    /// `v` written at a place drawn from the mix, ending in a nonzero digit (drawn where the
    /// digits were learned), as near `v` as that allows within `range`. `None` when `v` is too
    /// small for the place drawn (it would round to zero), too large to be written exactly, or
    /// has no such neighbour within `range`.
    pub fn write(&self, v: f64, range: (f64, f64)) -> Option<f64> {
        let hash = mix64(v.to_bits());
        let u = unit_interval(hash);
        let (place, _, digits) = self
            .places
            .iter()
            .find(|(_, cum, _)| u < *cum)
            .or(self.places.last())?;
        let scaled = if *place < 0 {
            v * 10f64.powi(-place)
        } else {
            v / 10f64.powi(*place)
        };
        let m = scaled.round();
        if m == 0.0 || !m.is_finite() || m.abs() >= EXACT {
            return None;
        }
        let inside = |m: f64| (range.0..=range.1).contains(&from_scaled(m, *place));
        let m = if m.abs() >= 10.0 && !digits.is_empty() {
            let digit = digits
                .iter()
                .position(|&c| unit_interval(mix64(hash)) < c)
                .unwrap_or(digits.len() - 1) as f64
                + 1.0;
            ending_in(scaled, digit, inside)?
        } else if m % 10.0 == 0.0 {
            // A last digit of 0 would move the value to a coarser place.
            let toward = if scaled >= m {
                [m + 1.0, m - 1.0]
            } else {
                [m - 1.0, m + 1.0]
            };
            toward.into_iter().find(|&c| c != 0.0 && inside(c))?
        } else {
            m
        };
        inside(m).then(|| round_to_place(from_scaled(m, *place), *place))
    }
}

/// The whole number of at least two digits ending in `digit` nearest `scaled` (in magnitude,
/// with its sign) that `inside` accepts.
fn ending_in(scaled: f64, digit: f64, inside: impl Fn(f64) -> bool) -> Option<f64> {
    let a = scaled.abs();
    let base = (a / 10.0).floor() * 10.0 + digit;
    [base - 10.0, base, base + 10.0]
        .into_iter()
        .filter(|&c| c >= 10.0 && inside(c.copysign(scaled)))
        .min_by(|x, y| (x - a).abs().total_cmp(&(y - a).abs()))
        .map(|c| c.copysign(scaled))
}

fn from_scaled(m: f64, place: i32) -> f64 {
    if place < 0 {
        m / 10f64.powi(-place)
    } else {
        m * 10f64.powi(place)
    }
}

/// Running sums of `shares`, normalised to end at 1; empty for none.
fn cumulative(shares: &[f64]) -> Vec<f64> {
    let total: f64 = shares.iter().sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut sum = 0.0;
    shares
        .iter()
        .map(|s| {
            sum += s / total;
            sum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::precision::place_of;

    const ALL: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);

    fn places(mix: &[(i32, f64)]) -> Places {
        let mix: Vec<Precision> = mix
            .iter()
            .map(|&(place, share)| Precision {
                place,
                share,
                digits: Vec::new(),
            })
            .collect();
        Places::new(&mix).expect("a mix")
    }

    #[test]
    fn values_end_at_the_places_of_the_mix() {
        let p = places(&[(0, 0.9), (-1, 0.1)]);
        let mut at = [0u32; 2];
        for i in 0..10_000 {
            let v = 50.0 + i as f64 * 0.013_7;
            let w = p.write(v, ALL).expect("written");
            assert!((w - v).abs() <= 1.0, "{v} -> {w}");
            let (place, _, _) = place_of(w).expect("nonzero");
            at[(-place) as usize] += 1;
        }
        assert!((8_800..=9_200).contains(&at[0]), "{at:?}");
        assert!((800..=1_200).contains(&at[1]), "{at:?}");
    }

    #[test]
    fn learned_digits_are_drawn() {
        let p = Places::new(&[Precision {
            place: -2,
            share: 1.0,
            digits: vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        }])
        .expect("a mix");
        for i in 0..1000 {
            let v = 1.0 + i as f64 * 0.0731;
            let w = p.write(v, ALL).expect("written");
            assert_eq!(
                place_of(w).map(|(p, d, _)| (p, d)),
                Some((-2, 9)),
                "{v} -> {w}"
            );
            assert!((w - v).abs() <= 0.05 + 1e-9, "{v} -> {w}");
        }
    }

    #[test]
    fn a_value_too_small_for_its_place_is_left_alone() {
        let p = places(&[(3, 1.0)]);
        assert_eq!(p.write(120.0, ALL), None);
        assert_eq!(p.write(-5600.0, ALL), Some(-6000.0));
        assert_eq!(
            p.write(-5600.0, (-5800.0, 0.0)),
            None,
            "no place inside the range"
        );
    }

    #[test]
    fn a_written_value_keeps_within_its_range() {
        let p = Places::new(&[Precision {
            place: 0,
            share: 1.0,
            digits: vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }])
        .expect("a mix");
        // 99.6 ends in 1 nearest as 101, past the range's end: 91 instead.
        assert_eq!(p.write(99.6, (1.0, 99.0)), Some(91.0));
        assert_eq!(p.write(99.6, ALL), Some(101.0));
    }
}
