//! Numbers that depend on a category the copula does not rank: an airport's latitude and
//! longitude on its state, where the state is drawn as one part of an address; a price on a
//! category drawn with the combinations of its group.
//!
//! A ranked category (see [`super::ranks`]) gives one order to its values, so it carries one
//! number's dependence at a time, and the parts of an address are drawn one country at a time,
//! outside the copula. Here each value the privacy guard kept is instead given, per number,
//! the mean and spread of that number's normal scores among its rows: generation moves the
//! number's normal draw to that place once the row's category is known. The values no one
//! lists share one place (`None`) when enough rows hold them. Means and spreads are read over
//! at least [`MIN_LEVEL_ROWS`] rows (and the guard's `k`), like any statistic of a value the
//! guard keeps.

use rustc_hash::FxHashMap;

use super::model::{CategoryGroup, CategoryShift, ColumnStats, Correlations, ShiftLevel};
use super::ranks::{association, codes, Rows};
use super::relations::{is_category, normal_scores};
use super::textmodel::TextModel;
use crate::schema::Table;

/// The weakest association (correlation ratio on normal scores) that shifts a number.
const MIN_ASSOCIATION: f64 = 0.3;
/// How far the association must stand above chance: its square must be this many times what
/// categories with no bearing on the number explain by chance, `(levels - 1) / rows`.
const OVER_CHANCE: f64 = 4.0;
/// Fewest rows a value needs for its place to be read.
pub const MIN_LEVEL_ROWS: usize = 10;
/// Fewest rows a category and a number must share.
const MIN_ROWS: usize = 50;
/// Most shifted numbers per table, the strongest first.
const MAX_SHIFTS: usize = 8;

/// The numbers among `ordered` (positions in a sampled row, named by `names`) that depend on
/// one of `text_columns` (table column indices, in the text sample's order) beyond chance, each
/// on the category it depends on most. `ranked` names the categories the copula ranks already;
/// they and the groups they lead are left to it. Values need `min_rows` rows (the guard's `k`)
/// as well as [`MIN_LEVEL_ROWS`].
#[allow(clippy::too_many_arguments)]
pub fn learn(
    table: &Table,
    stats: &[ColumnStats],
    text_columns: &[usize],
    groups: &[CategoryGroup],
    ranked: &[&str],
    ordered: &[usize],
    names: &[&str],
    rows: &Rows,
    min_rows: usize,
) -> Vec<CategoryShift> {
    let min_rows = min_rows.max(MIN_LEVEL_ROWS);
    let led = |column: &str| {
        groups
            .iter()
            .filter(|g| g.columns.iter().any(|c| c == column))
            .any(|g| g.columns.iter().any(|c| ranked.contains(&c.as_str())))
    };
    let categories: Vec<(usize, Vec<Option<usize>>)> = text_columns
        .iter()
        .enumerate()
        .filter(|&(_, &i)| {
            let s = &stats[i];
            is_category(table, s)
                && !matches!(s.model, Some(TextModel::Lookup { .. }))
                && !ranked.contains(&s.column.as_str())
                && !led(&s.column)
        })
        .map(|(k, &i)| {
            let values = rows.texts.iter().map(|t| t.and_then(|t| t[k].as_ref()));
            (i, codes(&stats[i], values))
        })
        .collect();
    let mut found: Vec<(f64, CategoryShift)> = ordered
        .iter()
        .zip(names)
        .filter_map(|(&at, name)| {
            categories
                .iter()
                .filter_map(|(i, codes)| {
                    let values = rows.ordered.iter().map(|r| r[at]);
                    shift(&stats[*i], codes, values, min_rows)
                })
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(strength, category, levels)| {
                    let shift = CategoryShift {
                        column: name.to_string(),
                        category,
                        levels,
                    };
                    (strength, shift)
                })
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.truncate(MAX_SHIFTS);
    // Table order, so the profile reads the same whatever the associations' order.
    found.sort_by_key(|(_, s)| table.column_index(&s.column));
    found.into_iter().map(|(_, s)| s).collect()
}

/// The places of one number's normal scores by the values of category `s` (per row, its
/// code as [`codes`] gives it), with the association that chose it; `None` when the
/// association is weak or within chance.
fn shift(
    s: &ColumnStats,
    codes: &[Option<usize>],
    values: impl Iterator<Item = Option<f64>>,
    min_rows: usize,
) -> Option<(f64, String, Vec<ShiftLevel>)> {
    let (cats, numbers): (Vec<usize>, Vec<f64>) = codes
        .iter()
        .zip(values)
        .filter_map(|(c, v)| Some(((*c)?, v?)))
        .unzip();
    if cats.len() < MIN_ROWS {
        return None;
    }
    let places = s.frequent.len() + 1;
    let scores = normal_scores(&numbers);
    let (strength, _) = association(&cats, &scores, places);
    let present = {
        let mut seen = vec![false; places];
        cats.iter().for_each(|&c| seen[c] = true);
        seen.iter().filter(|&&x| x).count()
    };
    let chance = (present.saturating_sub(1)) as f64 / cats.len() as f64;
    if strength < MIN_ASSOCIATION || strength * strength < OVER_CHANCE * chance {
        return None;
    }
    let mut by_place: Vec<Vec<f64>> = vec![Vec::new(); places];
    for (&c, &z) in cats.iter().zip(&scores) {
        by_place[c].push(z);
    }
    let levels: Vec<ShiftLevel> = by_place
        .iter()
        .enumerate()
        .filter(|(_, zs)| zs.len() >= min_rows)
        .map(|(p, zs)| {
            let n = zs.len() as f64;
            let mean = zs.iter().sum::<f64>() / n;
            let spread = (zs.iter().map(|z| (z - mean) * (z - mean)).sum::<f64>() / n).sqrt();
            ShiftLevel {
                value: s.frequent.get(p).map(|f| f.value.clone()),
                mean: round(mean),
                spread: round(spread),
            }
        })
        .collect();
    (levels.len() >= 2).then(|| (strength, s.column.clone(), levels))
}

fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Keeps in each shift only the values still listed as frequent once the privacy guard has
/// counted entities (a dropped value's rows are generated as unlisted values, and take the
/// unlisted place if there is one), and only shifts of the correlations' columns with two
/// places left.
pub fn keep_listed(correlations: &mut Option<Correlations>, stats: &[ColumnStats]) {
    let Some(correlations) = correlations else {
        return;
    };
    let frequent: FxHashMap<&str, &[super::model::Share]> = stats
        .iter()
        .map(|s| (s.column.as_str(), &s.frequent[..]))
        .collect();
    let columns = correlations.columns.clone();
    for shift in &mut correlations.shifts {
        let listed = frequent
            .get(shift.category.as_str())
            .copied()
            .unwrap_or_default();
        shift.levels.retain(|l| {
            l.value
                .as_ref()
                .is_none_or(|v| listed.iter().any(|f| &f.value == v))
        });
    }
    correlations
        .shifts
        .retain(|s| s.levels.len() >= 2 && columns.contains(&s.column));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(values: &[&str]) -> ColumnStats {
        ColumnStats {
            column: "state".to_string(),
            distinct: values.len() as u64,
            frequent: values
                .iter()
                .map(|v| super::super::model::Share {
                    value: v.to_string(),
                    share: 1.0 / values.len() as f64,
                })
                .collect(),
            ..ColumnStats::default()
        }
    }

    #[test]
    fn a_number_that_sits_apart_by_category_is_shifted_per_value() {
        let s = category(&["east", "west"]);
        // East at the low end, west at the high end, 20 rows of a third value in between.
        let codes: Vec<Option<usize>> = (0..220)
            .map(|i| Some(if i < 200 { i % 2 } else { 2 }))
            .collect();
        let values = (0..220).map(|i| {
            Some(match i {
                _ if i >= 200 => 50.0 + i as f64 / 100.0,
                _ if i % 2 == 0 => i as f64 / 10.0,
                _ => 100.0 + i as f64 / 10.0,
            })
        });
        let (strength, column, levels) = shift(&s, &codes, values, 5).unwrap();
        assert!(strength > 0.75, "{strength}");
        assert_eq!(column, "state");
        let place = |v: Option<&str>| {
            let l = levels.iter().find(|l| l.value.as_deref() == v).unwrap();
            (l.mean, l.spread)
        };
        assert!(place(Some("east")).0 < -0.5 && place(Some("west")).0 > 0.5);
        assert!(place(None).0.abs() < 0.1, "the rest sits in the middle");
        assert!(
            place(Some("east")).1 < 0.7,
            "a narrower spread than the column's"
        );
    }

    #[test]
    fn a_category_with_no_bearing_on_the_number_shifts_nothing() {
        let s = category(&["a", "b", "c", "d"]);
        let codes: Vec<Option<usize>> = (0..400).map(|i| Some(i % 4)).collect();
        let values = (0..400).map(|i| Some(((i * 37) % 101) as f64));
        assert!(shift(&s, &codes, values, 5).is_none());
        // A value held by fewer rows than the guard asks is given no place: 30 rows of `b`
        // sit above all of `a`'s, but the guard asks for 50, and one place is no shift.
        let codes: Vec<Option<usize>> = (0..400).map(|i| Some(usize::from(i < 30))).collect();
        let values: Vec<Option<f64>> = (0..400).map(|i| Some(1000.0 - i as f64)).collect();
        assert!(shift(&s, &codes, values.iter().copied(), 20).is_some());
        assert!(shift(&s, &codes, values.iter().copied(), 50).is_none());
    }
}
