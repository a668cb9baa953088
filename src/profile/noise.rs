//! Differential-privacy noise (`profile --epsilon E`): Laplace noise on the counts a profile
//! holds, so that whether any one row was in the snapshot changes what the profile says only a
//! little (by a factor of at most `e^E` in probability, per table, by basic composition).
//!
//! Per table, the budget `E` is split four ways, and the split is written into the profile
//! ([`PrivacySettings::noise`]): the row count, the null counts, the counts behind frequent
//! values and category combinations, and the histograms (text lengths, empty / non-ASCII /
//! accented / edge-space counts, weekdays, hours, true counts, children per parent). Within a
//! part the budget is shared evenly by its statistics, and each gets noise of scale
//! `sensitivity / its share`: a row changes a count by 1, and moves one value of a histogram
//! from one bar to another (2). A frequent value whose noisy count falls below `k` is dropped.
//!
//! Accented letters are left out. What is *not* noised: quantiles, means and standard
//! deviations, distinct counts, scripts, shapes, correlations, order rules and their gaps, and
//! the schema. Rows of one person in several tables (or several rows of
//! one table) spend the budget once per row. See README "Privacy model".
//!
//! The noise is drawn from a seed, so a run can be repeated; the seed is not written into the
//! profile, because anyone who knows it can subtract the noise.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Exp1;
use serde::{Deserialize, Serialize};

use super::address::Address;
use super::model::{round_share, ColumnStats, FanOut, Profile, Share, TableProfile};
use crate::hashing::{combine, hash_bytes};

/// How a profile's privacy budget was spent: `epsilon` per table and the share of it each part
/// got (`rows`, `nulls`, `frequencies`, `histograms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseBudget {
    pub epsilon: f64,
    pub split: BTreeMap<String, f64>,
}

const SPLIT: [(&str, f64); 4] = [
    ("rows", 0.1),
    ("nulls", 0.2),
    ("frequencies", 0.3),
    ("histograms", 0.4),
];

/// The settings of one noisy run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    pub epsilon: f64,
    pub seed: u64,
}

impl Noise {
    /// The budget as the profile records it.
    pub fn budget(&self) -> NoiseBudget {
        NoiseBudget {
            epsilon: self.epsilon,
            split: SPLIT.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    /// Adds noise to every count of `profile` and records the budget.
    pub fn apply(&self, profile: &mut Profile) {
        let min_count = profile.privacy.min_count as f64;
        for table in &mut profile.tables {
            let mut draw = Draw::new(self.seed, &table.schema.name);
            let part =
                |name: &str| self.epsilon * SPLIT.iter().find(|s| s.0 == name).expect("a part").1;
            let rows = table.sampled_rows.unwrap_or(table.row_count) as f64;
            noise_rows(table, draw.laplace(1.0 / part("rows")));
            let columns = table.column_stats.len().max(1) as f64;
            let literal_sets = columns + table.groups.len() as f64;
            let histograms = histogram_count(table).max(1) as f64;
            let scale = Scales {
                nulls: columns / part("nulls"),
                frequencies: 2.0 * literal_sets / part("frequencies"),
                histograms: 2.0 * histograms / part("histograms"),
            };
            for stats in &mut table.column_stats {
                noise_column(stats, rows, &scale, min_count, &mut draw);
            }
            for group in &mut table.groups {
                let mut shares: Vec<Share> = group
                    .combinations
                    .iter()
                    .map(|c| Share {
                        value: String::new(),
                        share: c.share,
                    })
                    .collect();
                let kept = noise_shares(&mut shares, rows, scale.frequencies, min_count, &mut draw);
                let mut keep = kept.into_iter();
                group.combinations.retain(|_| keep.next().unwrap_or(false));
                for (c, s) in group.combinations.iter_mut().zip(shares) {
                    c.share = s.share;
                }
                if let Some(address) = &mut group.address {
                    noise_address(address, rows, &scale, min_count, &mut draw);
                }
            }
            table
                .groups
                .retain(|g| !g.combinations.is_empty() || g.address.is_some());
            // Their starts hold exact joint NULL counts, and fit only the exact null rates.
            table.nulls.clear();
            table.null_follows.clear();
            for fk in &mut table.foreign_key_stats {
                noise_fan_out(&mut fk.children_per_parent, scale.histograms, &mut draw);
            }
        }
        fit_link_tables(profile);
        profile.privacy.noise = Some(self.budget());
    }
}

/// A table whose primary key is made of foreign keys (`(order_id, product_id)`) can't hold more
/// rows than its parents' row counts multiplied; noisy counts of small parents can break that,
/// so the table's count is capped (post-processing, no budget spent).
fn fit_link_tables(profile: &mut Profile) {
    let rows: BTreeMap<String, u64> = profile
        .tables
        .iter()
        .map(|t| (t.schema.name.clone(), t.row_count))
        .collect();
    for table in &mut profile.tables {
        let s = &table.schema;
        let parents: Vec<&str> = s
            .foreign_keys
            .iter()
            .filter(|fk| fk.columns.iter().all(|c| s.primary_key.contains(c)))
            .map(|fk| fk.references.table.as_str())
            .collect();
        let covered = s.primary_key.iter().all(|c| {
            s.foreign_keys.iter().any(|fk| {
                fk.columns.contains(c) && fk.columns.iter().all(|c| s.primary_key.contains(c))
            })
        });
        if parents.len() < 2 || !covered {
            continue;
        }
        let capacity = parents
            .iter()
            .map(|p| rows.get(*p).copied().unwrap_or(u64::MAX))
            .fold(1u64, u64::saturating_mul);
        table.row_count = table.row_count.min(capacity);
        table.sampled_rows = table.sampled_rows.map(|n| n.min(capacity));
    }
}

struct Scales {
    nulls: f64,
    frequencies: f64,
    histograms: f64,
}

/// A seeded source of Laplace noise for one table.
struct Draw {
    rng: ChaCha8Rng,
}

impl Draw {
    fn new(seed: u64, table: &str) -> Draw {
        Draw {
            rng: ChaCha8Rng::seed_from_u64(combine([seed, hash_bytes(table.as_bytes())])),
        }
    }

    /// Laplace noise of scale `b`: the difference of two exponentials.
    fn laplace(&mut self, b: f64) -> f64 {
        let a: f64 = self.rng.sample(Exp1);
        let c: f64 = self.rng.sample(Exp1);
        b * (a - c)
    }

    /// `count` plus noise of scale `b`, never negative.
    fn count(&mut self, count: f64, b: f64) -> f64 {
        (count + self.laplace(b)).round().max(0.0)
    }
}

/// Row counts after noise are at least 1, so that every child table's rows have a parent to
/// point to (post-processing of noisy figures, which costs no budget).
fn noise_rows(table: &mut TableProfile, noise: f64) {
    fn noisy(n: u64, noise: f64) -> u64 {
        (n as f64 + noise).round().max(1.0) as u64
    }
    table.row_count = noisy(table.row_count, noise);
    table.sampled_rows = table.sampled_rows.map(|n| noisy(n, noise));
}

/// How many histograms a table's statistics hold (each takes an equal share of the budget).
fn histogram_count(table: &TableProfile) -> usize {
    let per_column: usize = table
        .column_stats
        .iter()
        .map(|s| {
            s.text.as_ref().map_or(0, |_| 6)
                + s.temporal.as_ref().map_or(0, |_| 2)
                + s.boolean.as_ref().map_or(0, |_| 1)
        })
        .sum();
    per_column + table.foreign_key_stats.len()
}

fn noise_column(
    stats: &mut ColumnStats,
    rows: f64,
    scale: &Scales,
    min_count: f64,
    draw: &mut Draw,
) {
    let nulls = draw.count(stats.null_rate * rows, scale.nulls).min(rows);
    stats.null_rate = round_share(nulls / rows.max(1.0));
    let present = rows - nulls;
    let mut frequent = std::mem::take(&mut stats.frequent);
    let kept = noise_shares(&mut frequent, present, scale.frequencies, min_count, draw);
    stats.frequent = frequent
        .into_iter()
        .zip(kept)
        .filter_map(|(f, keep)| keep.then_some(f))
        .collect();
    let b = scale.histograms;
    if let Some(text) = &mut stats.text {
        for histogram in [&mut text.chars, &mut text.bytes] {
            noise_histogram(histogram.values_mut(), present, b, draw);
        }
        for rate in [
            &mut text.empty_rate,
            &mut text.non_ascii_rate,
            &mut text.edge_space_rate,
        ] {
            *rate = round_share((draw.count(*rate * present, b) / present.max(1.0)).min(1.0));
        }
        if let Some(rate) = &mut text.accented_rate {
            *rate = round_share((draw.count(*rate * present, b) / present.max(1.0)).min(1.0));
        }
        // Which letters, exactly counted, would give the noised rate away: left out.
        text.accents.clear();
    }
    if let Some(t) = &mut stats.temporal {
        noise_histogram(t.weekdays.iter_mut(), present, b, draw);
        noise_histogram(t.hours.iter_mut(), present, b, draw);
    }
    if let Some(bool_stats) = &mut stats.boolean {
        let trues = draw.count(bool_stats.true_rate * present, b).min(present);
        bool_stats.true_rate = round_share(trues / present.max(1.0));
    }
}

/// Noisy counts behind shares of `total`; returns which shares stay (noisy count ≥ `min_count`).
/// Shares are scaled down together if the noise pushed their sum above 1.
/// An address group's counts: each country's rows (a country whose noisy count falls below
/// `min_count` joins the rest), and within a country each part's NULLs, kept values and shapes.
fn noise_address(
    address: &mut Address,
    rows: f64,
    scale: &Scales,
    min_count: f64,
    draw: &mut Draw,
) {
    let mut shares: Vec<Share> = address
        .countries
        .iter()
        .map(|c| Share {
            value: String::new(),
            share: c.share,
        })
        .collect();
    let kept = noise_shares(&mut shares, rows, scale.frequencies, min_count, draw);
    for ((c, s), &kept) in address.countries.iter_mut().zip(&shares).zip(&kept) {
        let country_rows = c.share * rows;
        c.share = s.share;
        // Exact joint counts, as the table's NULL patterns; the noisy rates stand alone.
        c.nulls.clear();
        // Every country's rates take noise: a dropped one brings them to the rest.
        for part in &mut c.parts {
            let nulls = draw.count(part.null_rate * country_rows, scale.nulls);
            part.null_rate = round_share((nulls / country_rows.max(1.0)).min(1.0));
        }
        if !kept && c.country.is_some() {
            continue;
        }
        for part in &mut c.parts {
            let present = country_rows * (1.0 - part.null_rate);
            for list in [&mut part.values, &mut part.shapes] {
                let kept = noise_shares(list, present, scale.frequencies, min_count, draw);
                let mut keep = kept.into_iter();
                list.retain(|_| keep.next().unwrap_or(false));
            }
        }
    }
    let gone: Vec<bool> = kept.iter().map(|k| !k).collect();
    address.merge_into_rest(&gone);
}

fn noise_shares(
    shares: &mut [Share],
    total: f64,
    b: f64,
    min_count: f64,
    draw: &mut Draw,
) -> Vec<bool> {
    let counts: Vec<f64> = shares
        .iter()
        .map(|s| draw.count(s.share * total, b).min(total))
        .collect();
    let sum: f64 = counts.iter().sum::<f64>() / total.max(1.0);
    let fit = if sum > 1.0 { 1.0 / sum } else { 1.0 };
    for (s, count) in shares.iter_mut().zip(&counts) {
        s.share = round_share(count / total.max(1.0) * fit);
    }
    counts.iter().map(|&c| c >= min_count).collect()
}

/// A histogram of shares of `total`, each bar's count noised, renormalised to its old sum
/// (bars all noised to zero become equal).
fn noise_histogram<'a>(
    bars: impl Iterator<Item = &'a mut f64>,
    total: f64,
    b: f64,
    draw: &mut Draw,
) {
    let mut bars: Vec<&mut f64> = bars.collect();
    let sum: f64 = bars.iter().map(|v| **v).sum();
    let mut counts: Vec<f64> = bars.iter().map(|v| draw.count(**v * total, b)).collect();
    if counts.iter().all(|&c| c == 0.0) {
        counts.iter_mut().for_each(|c| *c = 1.0);
    }
    let noisy_sum: f64 = counts.iter().sum();
    for (bar, count) in bars.iter_mut().zip(counts) {
        **bar = round_share(count / noisy_sum * sum).min(1.0);
    }
}

/// Parents per children-count bucket noised; the figures derived from them follow.
fn noise_fan_out(f: &mut FanOut, b: f64, draw: &mut Draw) {
    for parents in f.histogram.values_mut() {
        *parents = draw.count(*parents as f64, b) as u64;
    }
    f.histogram.retain(|_, n| *n > 0);
    let parents: u64 = f.histogram.values().sum();
    let children: u64 = f.histogram.iter().map(|(c, n)| c * n).sum();
    f.parents = parents;
    f.mean = round_share(children as f64 / parents.max(1) as f64);
    f.zero_share =
        round_share(f.histogram.get(&0).copied().unwrap_or(0) as f64 / parents.max(1) as f64);
    f.max = f.histogram.keys().next_back().copied().unwrap_or(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laplace_noise_has_the_scale_it_says() {
        let mut draw = Draw::new(7, "t");
        let n = 20_000;
        let mean_abs: f64 = (0..n).map(|_| draw.laplace(2.0).abs()).sum::<f64>() / n as f64;
        assert!((mean_abs - 2.0).abs() < 0.1, "{mean_abs}");
    }

    #[test]
    fn the_same_seed_gives_the_same_noise() {
        let a: Vec<f64> = (0..5)
            .map({
                let mut d = Draw::new(1, "t");
                move |_| d.laplace(1.0)
            })
            .collect();
        let b: Vec<f64> = (0..5)
            .map({
                let mut d = Draw::new(1, "t");
                move |_| d.laplace(1.0)
            })
            .collect();
        let c: Vec<f64> = (0..5)
            .map({
                let mut d = Draw::new(2, "t");
                move |_| d.laplace(1.0)
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn a_rare_country_of_an_address_joins_the_rest_under_noise() {
        use crate::profile::address::{AddressCountry, AddressPart};
        use crate::profile::Generator;
        let part = AddressPart {
            null_rate: 0.1,
            values: Vec::new(),
            shapes: vec![Share {
                value: "99999".into(),
                share: 1.0,
            }],
        };
        let country = |name: Option<&str>, share: f64| AddressCountry {
            country: name.map(String::from),
            share,
            locales: Vec::new(),
            parts: vec![part.clone(), AddressPart::default()],
            nulls: Vec::new(),
        };
        let mut address = Address {
            parts: vec![Generator::PostalCode, Generator::Country],
            countries: vec![
                country(Some("USA"), 0.6),
                country(Some("Peru"), 0.0003),
                country(None, 0.3997),
            ],
        };
        let scale = Scales {
            nulls: 1.0,
            frequencies: 1.0,
            histograms: 1.0,
        };
        noise_address(&mut address, 10_000.0, &scale, 5.0, &mut Draw::new(4, "t"));
        let names: Vec<Option<&str>> = address
            .countries
            .iter()
            .map(|c| c.country.as_deref())
            .collect();
        assert_eq!(names, [Some("USA"), None]);
        let total: f64 = address.countries.iter().map(|c| c.share).sum();
        assert!(total <= 1.0 + 1e-6 && total > 0.99, "{total}");
        assert!((address.countries[0].parts[0].null_rate - 0.1).abs() < 0.01);
    }

    #[test]
    fn rare_frequent_values_drop_out_under_noise() {
        let mut draw = Draw::new(3, "t");
        let mut shares = vec![
            Share {
                value: "a".into(),
                share: 0.5,
            },
            Share {
                value: "b".into(),
                share: 0.0002,
            },
        ];
        let kept = noise_shares(&mut shares, 10_000.0, 1.0, 5.0, &mut draw);
        assert_eq!(kept, [true, false]);
        assert!((shares[0].share - 0.5).abs() < 0.01);
    }
}
