//! An address drawn whole, one row at a time (see [`crate::profile::address`]): the row first
//! draws its country at the learned share, then every part from that country: its kept values
//! and postal shapes, else `fake`'s lists in the country's locale (states, postal formats,
//! cities and streets). A row of the rest takes one locale of the countries not listed, and
//! that country's name. A country `fake` has no locale for keeps what the profile learned of it
//! and English-style cities; its state is NULL unless the profile kept values for it.
//!
//! Randomness is keyed by the row, as for every category group, so a row's address can be
//! computed alone (a child copying it computes the parent's row).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::formats::{city_in, fill_template, street_in};
use super::values::Choice;
use crate::hashing::combine;
use crate::profile::address::{Address, AddressPart};
use crate::profile::model::bucket_end;
use crate::profile::{Generator, Locale, TextStats};

/// Draws a value this many times before settling for a shorter one that fits the column.
const TRIES: usize = 12;
/// Made-up cities and streets drawn for a value; the one nearest a drawn length is kept.
const CANDIDATES: usize = 8;

#[derive(Debug)]
pub struct AddressPlan {
    parts: Vec<Generator>,
    /// The longest value each column takes, in characters.
    max_chars: Vec<usize>,
    /// Each column's learned lengths (bucket floor and end), for made-up cities and streets:
    /// the candidate nearest a drawn length is kept.
    lengths: Vec<Choice<(u32, u32)>>,
    countries: Choice<usize>,
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    country: Option<String>,
    locales: Vec<Locale>,
    parts: Vec<PartPlan>,
}

#[derive(Debug)]
struct PartPlan {
    null_rate: f64,
    /// Kept values, by their share of the country's non-null values (the rest is made up).
    values: Choice<String>,
    shapes: Choice<String>,
}

impl AddressPlan {
    /// `max_chars[i]` is the limit of the group's `i`-th column, if its type has one, and
    /// `stats[i]` its learned text statistics.
    pub fn new(
        address: &Address,
        max_chars: Vec<Option<u32>>,
        stats: Vec<Option<&TextStats>>,
    ) -> AddressPlan {
        let part = |p: &AddressPart| PartPlan {
            null_rate: p.null_rate,
            values: Choice::new(
                p.values
                    .iter()
                    .map(|v| (v.value.clone(), v.share))
                    .collect(),
            ),
            shapes: Choice::new(
                p.shapes
                    .iter()
                    .map(|v| (v.value.clone(), v.share))
                    .collect(),
            ),
        };
        AddressPlan {
            parts: address.parts.clone(),
            max_chars: max_chars
                .into_iter()
                .map(|m| m.map_or(usize::MAX, |m| m as usize))
                .collect(),
            lengths: stats
                .into_iter()
                .map(|t| {
                    let buckets = t.map(|t| {
                        t.chars
                            .iter()
                            .filter(|(&floor, _)| floor > 0)
                            .map(|(&floor, &share)| {
                                let end = (bucket_end(floor as u64) as u32).min(t.max_chars + 1);
                                ((floor, end.max(floor + 1)), share)
                            })
                            .collect()
                    });
                    Choice::new(buckets.unwrap_or_default())
                })
                .collect(),
            countries: Choice::new(
                address
                    .countries
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (i, c.share))
                    .collect(),
            ),
            entries: address
                .countries
                .iter()
                .map(|c| Entry {
                    country: c.country.clone(),
                    locales: c.locales.clone(),
                    parts: c.parts.iter().map(part).collect(),
                })
                .collect(),
        }
    }

    /// The values of row `row`'s address, one per column of the group (`None` for NULL).
    pub fn draw(&self, seed: u64, salt: u64, row: u64) -> Vec<Option<String>> {
        let rng = &mut ChaCha8Rng::seed_from_u64(combine([seed, salt, row]));
        let Some(entry) = self
            .countries
            .sample_normalized(rng)
            .map(|&i| &self.entries[i])
        else {
            return vec![None; self.parts.len()];
        };
        let locale = match entry.locales.len() {
            0 => None,
            n => Some(entry.locales[rng.random_range(0..n)]),
        };
        self.parts
            .iter()
            .zip(&entry.parts)
            .zip(self.max_chars.iter().zip(&self.lengths))
            .map(|((&kind, part), (&max, lengths))| {
                if rng.random::<f64>() < part.null_rate {
                    return None;
                }
                let target = match kind {
                    Generator::City | Generator::Street => lengths
                        .sample_normalized(rng)
                        .map(|&(lo, hi)| rng.random_range(lo..hi) as usize),
                    _ => None,
                };
                let mut best: Option<String> = None;
                for tries in 0..TRIES {
                    let value = one(kind, entry, part, locale, rng);
                    let Some(v) = &value else { return None };
                    let n = v.chars().count();
                    let better = best.as_ref().is_none_or(|b| {
                        let m = b.chars().count();
                        match target {
                            Some(t) if m <= max => n <= max && n.abs_diff(t) < m.abs_diff(t),
                            _ => n <= max && m > max,
                        }
                    });
                    if better {
                        best = value;
                    }
                    let fits = best.as_ref().is_some_and(|b| b.chars().count() <= max);
                    if fits && (target.is_none() || tries + 1 >= CANDIDATES) {
                        break;
                    }
                }
                best.map(|v| v.chars().take(max).collect())
            })
            .collect()
    }
}

/// One part of an address in `entry`'s country.
fn one(
    kind: Generator,
    entry: &Entry,
    part: &PartPlan,
    locale: Option<Locale>,
    rng: &mut ChaCha8Rng,
) -> Option<String> {
    if let Some(v) = part.values.sample(rng) {
        return Some(v.clone());
    }
    let lists = locale.map(Locale::lists);
    let pick = |rng: &mut ChaCha8Rng, list: &[&str]| -> Option<String> {
        (!list.is_empty()).then(|| list[rng.random_range(0..list.len())].to_string())
    };
    match kind {
        Generator::Country | Generator::CountryCode => {
            let (code, name) = locale.map(Locale::country).unzip();
            let own = if kind == Generator::Country {
                name
            } else {
                code
            };
            entry.country.clone().or(own.map(String::from))
        }
        Generator::State => lists
            .and_then(|l| pick(rng, l.states))
            .or_else(|| part.values.sample_normalized(rng).cloned()),
        Generator::StateAbbr => lists
            .and_then(|l| pick(rng, l.state_abbrs))
            .or_else(|| part.values.sample_normalized(rng).cloned()),
        Generator::City => Some(city_in(locale.unwrap_or(Locale::En), rng)),
        Generator::Street => Some(street_in(locale.unwrap_or(Locale::En), rng)),
        Generator::PostalCode => {
            let mut out = String::new();
            match part.shapes.sample_normalized(rng) {
                Some(shape) => fill_template(shape, rng, &mut out),
                None => {
                    let format = lists
                        .and_then(|l| pick(rng, l.postcodes))
                        .unwrap_or_else(|| "#####".into());
                    fill_template(&format.replace('#', "9"), rng, &mut out);
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::address::AddressCountry;
    use crate::profile::Share;

    fn part(null_rate: f64, shapes: &[&str]) -> AddressPart {
        AddressPart {
            null_rate,
            values: Vec::new(),
            shapes: shapes
                .iter()
                .map(|s| Share {
                    value: s.to_string(),
                    share: 1.0 / shapes.len() as f64,
                })
                .collect(),
        }
    }

    #[test]
    fn each_row_is_one_countrys_address() {
        let address = Address {
            parts: vec![
                Generator::StateAbbr,
                Generator::Country,
                Generator::PostalCode,
            ],
            countries: vec![
                AddressCountry {
                    country: Some("USA".into()),
                    share: 0.5,
                    locales: vec![Locale::En],
                    parts: vec![part(0.0, &[]), part(0.0, &[]), part(0.0, &["99999"])],
                },
                AddressCountry {
                    country: Some("Canada".into()),
                    share: 0.2,
                    locales: Vec::new(),
                    parts: vec![part(1.0, &[]), part(0.0, &[]), part(0.0, &["A9A 9A9"])],
                },
                AddressCountry {
                    country: None,
                    share: 0.3,
                    locales: vec![Locale::PtBr],
                    parts: vec![part(0.0, &[]), part(0.0, &[]), part(0.0, &[])],
                },
            ],
        };
        let plan = AddressPlan::new(&address, vec![Some(2), None, Some(10)], vec![None; 3]);
        let us = Locale::En.lists().state_abbrs;
        let br = Locale::PtBr.lists().state_abbrs;
        for row in 0..500 {
            let v = plan.draw(7, 1, row);
            let shape: String = v[2]
                .as_deref()
                .unwrap()
                .chars()
                .map(|c| if c.is_ascii_digit() { '9' } else { c })
                .collect();
            match v[1].as_deref() {
                Some("USA") => {
                    assert!(us.contains(&v[0].as_deref().unwrap()), "{v:?}");
                    assert_eq!(shape, "99999");
                }
                Some("Canada") => assert_eq!(v[0], None),
                Some("Brazil") => {
                    assert!(br.contains(&v[0].as_deref().unwrap()), "{v:?}");
                    assert_eq!(shape, "99999-999");
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(plan.draw(7, 1, 3), plan.draw(7, 1, 3));
    }
}
