//! Numbers moved to where their row's category puts them (see [`crate::profile::shifts`]): once
//! a row's state is drawn, with its address, its latitude's normal draw `z` becomes
//! `mean + spread · z` of that state's place, and the column maps the new uniform to a value
//! as before. The draw keeps what it shares with the row's other numbers through the copula;
//! the category sets where it lies.

use rustc_hash::FxHashMap;

use super::copula::normal_cdf;
use super::values::Buffer;
use crate::profile::relations::normal_quantile;
use crate::profile::CategoryShift;

/// A [`CategoryShift`] ready to apply to a batch.
#[derive(Debug, Clone)]
pub struct ShiftPlan {
    /// The number's position in the batch.
    pub at: usize,
    /// The category's position in the batch.
    pub category: usize,
    /// The number's place among the copula's columns, if it is drawn there.
    pub member: Option<usize>,
    /// Mean and spread of the normal draw per listed value.
    places: FxHashMap<String, (f64, f64)>,
    /// Mean and spread for any other value (`None`: such rows keep their draw).
    rest: Option<(f64, f64)>,
    pub salt: u64,
}

impl ShiftPlan {
    pub fn new(
        shift: &CategoryShift,
        at: usize,
        category: usize,
        member: Option<usize>,
        salt: u64,
    ) -> ShiftPlan {
        let place = |l: &crate::profile::ShiftLevel| (l.mean, l.spread);
        ShiftPlan {
            at,
            category,
            member,
            places: (shift.levels.iter())
                .filter_map(|l| Some((l.value.clone()?, place(l))))
                .collect(),
            rest: shift.levels.iter().find(|l| l.value.is_none()).map(place),
            salt,
        }
    }

    /// Moves each row's uniform in `uniforms` to the place of its value in `categories`; a
    /// NULL category, or one with no place, leaves it as drawn.
    pub fn apply(&self, categories: &Buffer, uniforms: &mut [f64]) {
        for (r, u) in uniforms.iter_mut().enumerate() {
            let place = match categories.text_at(r) {
                Some(value) => self.places.get(value).copied().or(self.rest),
                None => None,
            };
            if let Some((mean, spread)) = place {
                let z = normal_quantile(u.clamp(1e-12, 1.0 - 1e-12));
                *u = normal_cdf(mean + spread * z);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ShiftLevel;

    #[test]
    fn a_rows_category_moves_its_draw_and_an_unknown_one_takes_the_rest() {
        let level = |value: Option<&str>, mean: f64, spread: f64| ShiftLevel {
            value: value.map(String::from),
            mean,
            spread,
        };
        let shift = CategoryShift {
            column: "latitude".into(),
            category: "state".into(),
            levels: vec![
                level(Some("AK"), 2.0, 0.0),
                level(Some("TX"), -1.0, 0.5),
                level(None, 0.5, 1.0),
            ],
        };
        let plan = ShiftPlan::new(&shift, 0, 1, None, 0);
        let mut categories = Buffer::for_type(&arrow::datatypes::DataType::Utf8, 4);
        for value in [Some("AK"), Some("TX"), Some("Narnia"), None] {
            match value {
                Some(v) => categories.push_str(v),
                None => categories.push_null(),
            }
        }
        let mut uniforms = vec![0.5; 4];
        plan.apply(&categories, &mut uniforms);
        let expected = [normal_cdf(2.0), normal_cdf(-1.0), normal_cdf(0.5), 0.5];
        for (u, e) in uniforms.iter().zip(expected) {
            assert!((u - e).abs() < 1e-9, "{uniforms:?}");
        }
        // The spread scales the draw around the place.
        let mut high = vec![normal_cdf(1.0)];
        let mut texas = Buffer::for_type(&arrow::datatypes::DataType::Utf8, 1);
        texas.push_str("TX");
        plan.apply(&texas, &mut high);
        assert!((high[0] - normal_cdf(-0.5)).abs() < 1e-9);
    }
}
