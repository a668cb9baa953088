//! Text categories that numbers depend on (a freight that depends on the ship-to country, a
//! price that depends on a product line), ranked so that the Gaussian copula can draw them
//! together with the numbers and dates of their row.
//!
//! A category has no order of its own. Each one is given the order of its values that moves
//! most with the ordered column it is most associated with: values sorted by that column's mean
//! normal score among their rows. The rank of a row's value is then a column like any other
//! for the copula's correlations, and generation maps a uniform back to a value through the
//! values' shares in that order. Only values the privacy guard kept as frequent are named;
//! all the others share one place (`None`).

use rustc_hash::FxHashMap;

use super::model::{CategoryGroup, ColumnStats, Correlations, RankedCategories};
use super::relations::{is_category, normal_scores};
use super::textmodel::TextModel;
use crate::schema::Table;

/// The weakest association (correlation ratio on normal scores) that ranks a category.
const MIN_ASSOCIATION: f64 = 0.15;
/// Most categories ranked per table, the strongest first, to keep the copula small.
const MAX_RANKED: usize = 8;
/// Rows a category and its partner must share.
const MIN_ROWS: usize = 20;

/// A ranked category: its order, and the rank of its value in each sampled row.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub categories: RankedCategories,
    pub ranks: Vec<Option<f64>>,
}

/// The sampled rows a ranking reads: per row, the ordered columns' values and, where the text
/// sample holds the same row, the text columns' values.
pub struct Rows<'a> {
    pub ordered: &'a [&'a Vec<Option<f64>>],
    pub texts: &'a [Option<&'a Vec<Option<String>>>],
}

/// The categories worth ranking among `text_columns` (table column indices, in the text
/// sample's order), given the ordered columns at `ordered` (positions in a sampled row).
pub fn learn(
    table: &Table,
    stats: &[ColumnStats],
    text_columns: &[usize],
    groups: &[CategoryGroup],
    ordered: &[usize],
    rows: &Rows,
) -> Vec<Ranked> {
    let mut found: Vec<(f64, Ranked)> = text_columns
        .iter()
        .enumerate()
        .filter(|&(_, &i)| rankable(table, &stats[i], groups))
        .filter_map(|(k, &i)| {
            let codes = codes(
                &stats[i],
                rows.texts.iter().map(|t| t.and_then(|t| t[k].as_ref())),
            );
            rank(&stats[i], &codes, ordered, rows.ordered)
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    // One column leads a group: the group's combinations follow its rank (see
    // [`rankable`]); a second ranked member would take a place in the copula for nothing.
    let mut led: Vec<usize> = Vec::new();
    found.retain(|(_, r)| {
        let group = group_of(groups, &r.categories.column);
        let first = group.is_none_or(|g| !led.contains(&g));
        led.extend(group);
        first
    });
    found.truncate(MAX_RANKED);
    // Table order, so the profile reads the same whatever the associations' order.
    found.sort_by_key(|(_, r)| table.column_index(&r.categories.column));
    found.into_iter().map(|(_, r)| r).collect()
}

/// A category ([`is_category`]) that is not a lookup's values and not drawn as part of an
/// address. A member of another category group may lead it: generation then walks the group's
/// combinations in the order of its rank, with its copula uniform, so the species that goes
/// with a body mass still picks the island that goes with the species.
fn rankable(table: &Table, s: &ColumnStats, groups: &[CategoryGroup]) -> bool {
    is_category(table, s)
        && !matches!(s.model, Some(TextModel::Lookup { .. }))
        && !groups
            .iter()
            .any(|g| g.address.is_some() && g.columns.contains(&s.column))
}

/// The position of the category group `column` belongs to, if any.
fn group_of(groups: &[CategoryGroup], column: &str) -> Option<usize> {
    groups
        .iter()
        .position(|g| g.columns.iter().any(|c| c == column))
}

/// Per row, the position of its value in the frequent list, the list's length for any other
/// value, or `None` for a NULL or a row the text sample lacks.
pub(super) fn codes<'v>(
    s: &ColumnStats,
    values: impl Iterator<Item = Option<&'v String>>,
) -> Vec<Option<usize>> {
    let position: FxHashMap<&str, usize> = s
        .frequent
        .iter()
        .enumerate()
        .map(|(k, f)| (f.value.as_str(), k))
        .collect();
    let other = s.frequent.len();
    values
        .map(|v| v.map(|v| position.get(v.as_str()).copied().unwrap_or(other)))
        .collect()
}

/// The ranking of one category by its most associated ordered column, with that association.
fn rank(
    s: &ColumnStats,
    codes: &[Option<usize>],
    ordered: &[usize],
    rows: &[&Vec<Option<f64>>],
) -> Option<(f64, Ranked)> {
    let places = s.frequent.len() + 1;
    let (association, means) = ordered
        .iter()
        .filter_map(|&at| {
            let (cats, values): (Vec<usize>, Vec<f64>) = codes
                .iter()
                .zip(rows)
                .filter_map(|(c, r)| Some(((*c)?, r[at]?)))
                .unzip();
            (cats.len() >= MIN_ROWS).then(|| association(&cats, &normal_scores(&values), places))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    if association < MIN_ASSOCIATION {
        return None;
    }
    // Places no sampled row took (a value frequent overall but absent here, or no other
    // value at all) sit in the middle; the copula gives them their share there.
    let mut order: Vec<usize> = (0..places).collect();
    order.sort_by(|&a, &b| means[a].unwrap_or(0.0).total_cmp(&means[b].unwrap_or(0.0)));
    let covered: f64 = s.frequent.iter().map(|f| f.share).sum();
    if covered > 0.999 {
        order.retain(|&p| p < s.frequent.len());
    }
    let mut rank_of: Vec<Option<f64>> = vec![None; places];
    for (r, &p) in order.iter().enumerate() {
        rank_of[p] = Some(r as f64);
    }
    let ranks = codes.iter().map(|c| c.and_then(|c| rank_of[c])).collect();
    let named = order
        .iter()
        .map(|&p| s.frequent.get(p).map(|f| f.value.clone()))
        .collect();
    let categories = RankedCategories {
        column: s.column.clone(),
        order: named,
    };
    Some((association, Ranked { categories, ranks }))
}

/// The correlation ratio of `scores` by category (the share of their spread that the
/// categories' means explain, square-rooted), and each category's mean score.
pub(super) fn association(
    cats: &[usize],
    scores: &[f64],
    places: usize,
) -> (f64, Vec<Option<f64>>) {
    let n = scores.len() as f64;
    let mean = scores.iter().sum::<f64>() / n;
    let (mut sums, mut counts) = (vec![0.0; places], vec![0usize; places]);
    for (&c, &v) in cats.iter().zip(scores) {
        sums[c] += v;
        counts[c] += 1;
    }
    let means: Vec<Option<f64>> = sums
        .iter()
        .zip(&counts)
        .map(|(&sum, &count)| (count > 0).then(|| sum / count as f64))
        .collect();
    let total: f64 = scores.iter().map(|v| (v - mean) * (v - mean)).sum();
    let between: f64 = means
        .iter()
        .zip(&counts)
        .filter_map(|(m, &count)| m.map(|m| count as f64 * (m - mean) * (m - mean)))
        .sum();
    let ratio = if total > 0.0 {
        (between / total).sqrt()
    } else {
        0.0
    };
    (ratio, means)
}

/// Keeps in each ranked order only the values still listed as frequent once the privacy
/// guard has counted entities; a dropped value joins the unlisted ones (`None`, placed where
/// the first dropped value was if the order had no such place). An order left with fewer than
/// two places is dropped with its column's correlations, and the column is then drawn on its
/// own.
pub fn keep_frequent(correlations: &mut Option<Correlations>, stats: &[ColumnStats]) {
    let Some(correlations) = correlations else {
        return;
    };
    for ranked in &mut correlations.ranked {
        let frequent = stats
            .iter()
            .find(|s| s.column == ranked.column)
            .map(|s| &s.frequent[..])
            .unwrap_or_default();
        let listed = |v: &String| frequent.iter().any(|f| &f.value == v);
        let mut rest_placed = ranked.order.contains(&None);
        let mut kept = Vec::with_capacity(ranked.order.len());
        for value in ranked.order.drain(..) {
            match value {
                Some(v) if listed(&v) => kept.push(Some(v)),
                Some(_) if rest_placed => {}
                _ => {
                    kept.push(None);
                    rest_placed = true;
                }
            }
        }
        ranked.order = kept;
    }
    let dropped: Vec<String> = correlations
        .ranked
        .iter()
        .filter(|r| r.order.len() < 2)
        .map(|r| r.column.clone())
        .collect();
    correlations.ranked.retain(|r| r.order.len() >= 2);
    for column in dropped {
        correlations.remove(&column);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_ordered_by_the_mean_of_their_partner() {
        // Three categories whose values sit low, high and in the middle.
        let cats: Vec<usize> = (0..300).map(|i| i % 3).collect();
        let values: Vec<f64> = (0..300)
            .map(|i| [0.0, 100.0, 50.0][i % 3] + (i / 3) as f64 * 0.1)
            .collect();
        let (ratio, means) = association(&cats, &normal_scores(&values), 4);
        assert!(ratio > 0.8, "{ratio}");
        let m: Vec<f64> = means[..3].iter().map(|m| m.unwrap()).collect();
        assert!(m[0] < m[2] && m[2] < m[1], "{m:?}");
        assert_eq!(means[3], None, "a place no row took");
    }

    #[test]
    fn values_the_guard_dropped_join_the_unlisted_ones() {
        let stats = |values: &[&str]| {
            let mut s = ColumnStats {
                column: "country".into(),
                ..ColumnStats::default()
            };
            s.frequent = values
                .iter()
                .map(|v| crate::profile::model::Share {
                    value: v.to_string(),
                    share: 0.2,
                })
                .collect();
            vec![s]
        };
        let order = |values: &[Option<&str>]| -> Vec<Option<String>> {
            values.iter().map(|v| v.map(String::from)).collect()
        };
        let mut correlations = Some(Correlations {
            columns: vec!["country".into(), "freight".into()],
            spearman: vec![vec![1.0, 0.3], vec![0.3, 1.0]],
            normal: None,
            ranked: vec![RankedCategories {
                column: "country".into(),
                order: order(&[Some("Peru"), Some("Chad"), Some("Fiji"), Some("Oman")]),
            }],
            clustered: Vec::new(),
            shifts: Vec::new(),
            sample_rows: 100,
        });
        keep_frequent(&mut correlations, &stats(&["Peru", "Fiji"]));
        let kept = &correlations.as_ref().unwrap().ranked[0].order;
        assert_eq!(kept, &order(&[Some("Peru"), None, Some("Fiji")]));
        keep_frequent(&mut correlations, &stats(&[]));
        let correlations = correlations.unwrap();
        assert!(correlations.ranked.is_empty(), "one place left");
        assert_eq!(correlations.columns, ["freight"]);
        assert_eq!(correlations.spearman, [[1.0]]);
    }
}
