//! Address parts that belong together within a row: a city, a state or region, a postal code,
//! a street, phone numbers and a country. Drawn column by column, a Canadian row would get a Texan state and a
//! Brazilian postal code; learned here as one category group whose rows are drawn per country.
//!
//! A table's address columns are found by the semantic kind its text model (or, for postal
//! codes modelled by their shapes, the detector) gives each column, never by a table's names.
//! Per country value that enough entities carry (the privacy guard's rule), the group records
//! its share of rows, how often each part is NULL there, the part values and postal shapes seen
//! at least `min_count` times within it, and the `fake` locale of that country, if it has one.
//! The remaining rows form one entry without a country: they are drawn in the locales of
//! countries not listed, so that every generated row is one country's address.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::locale::Locale;
use super::model::{round_share, CategoryGroup, ColumnStats, Share};
use super::privacy::Guard;
use super::text::{generator_for, literal_part, shape_into};
use super::textmodel::{Format, Generator, TextModel};
use crate::schema::Table;

/// The parts of an address a column can hold.
const PARTS: [Generator; 8] = [
    Generator::Country,
    Generator::CountryCode,
    Generator::City,
    Generator::State,
    Generator::StateAbbr,
    Generator::PostalCode,
    Generator::Street,
    Generator::Phone,
];

/// The columns of a category group that hold one address, and how it varies by country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// What each column of the group holds, in the group's column order.
    pub parts: Vec<Generator>,
    /// One entry per country value kept by the guard, most rows first, then one without a
    /// country for the rest of the rows.
    pub countries: Vec<AddressCountry>,
}

/// The rows of one country (or, without `country`, of the countries not listed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressCountry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Share of the table's rows.
    pub share: f64,
    /// The `fake` locales places are made in: a listed country's own, if `fake` has it; for
    /// the rest, those of countries not listed (each row takes one, and its country's name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locales: Vec<Locale>,
    /// One entry per column of the group, in order.
    pub parts: Vec<AddressPart>,
    /// Which columns are NULL together, as shares of the country's rows, most rows first; the
    /// rows of no pattern hold every part. The parts' NULL rates alone would place a missing
    /// state and a missing postal code in rows of their own or in the same rows by chance.
    /// Without patterns (older profiles, noisy ones) each part is NULL at its own rate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nulls: Vec<NullPattern>,
}

/// Columns of an address group that are NULL together in a share of a country's rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullPattern {
    /// The group's columns NULL in these rows; the group's other columns hold a value.
    pub columns: Vec<String>,
    pub share: f64,
}

/// One column's values among a country's rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressPart {
    pub null_rate: f64,
    /// Values seen at least `min_count` times among the country's rows, as shares of its
    /// non-null values; the rest are made up in the country's locale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Share>,
    /// Shapes (`A9A 9A9`, `+9 (999) 999-9999`, `AA`) of postal codes, phone numbers and states
    /// seen at least `min_count` times, as shares of the country's non-null values: a state
    /// with neither kept values nor a locale list is filled from them, so its NULL rate holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shapes: Vec<Share>,
}

/// The address part a column holds, if any: the generator of its semantic model, else what
/// the detector makes of its name and values (postal codes are often modelled by shape).
pub fn part_of(name: &str, stats: &ColumnStats) -> Option<Generator> {
    let kind = match &stats.model {
        Some(TextModel::Semantic { generator, .. }) => Some(*generator),
        Some(TextModel::Format {
            format: Format::Phone,
            ..
        }) => Some(Generator::Phone),
        Some(TextModel::Lookup { .. }) | Some(TextModel::Format { .. }) => None,
        _ => stats
            .text
            .as_ref()
            .and_then(|t| generator_for(name, stats.semantic, t)),
    };
    kind.filter(|k| PARTS.contains(k))
}

/// The address group of a table's text columns, from sampled rows (`rows[r][k]` is the value of
/// column `text_columns[k]`), if the table holds a country and another part.
pub fn learn(
    table: &Table,
    stats: &[ColumnStats],
    text_columns: &[usize],
    rows: &[&Vec<Option<String>>],
    guard: &Guard,
) -> Option<CategoryGroup> {
    // Fewer rows than the guard's count could list no country at all.
    if rows.len() < guard.min_count.max(2) as usize || stats.len() != table.columns.len() {
        return None;
    }
    // The first column of each kind, in table order: (position in the sample, kind).
    let mut members: Vec<(usize, Generator)> = Vec::new();
    for (k, &i) in text_columns.iter().enumerate() {
        let (column, s) = (&table.columns[i], &stats[i]);
        if table.in_any_key(&column.name) {
            continue;
        }
        match part_of(&column.name, s) {
            // A row may hold several phone numbers (phone, fax); one of each other part.
            Some(kind)
                if kind == Generator::Phone
                    || !members.iter().any(|(_, m)| same_part(*m, kind)) =>
            {
                members.push((k, kind))
            }
            _ => {}
        }
    }
    let country = members
        .iter()
        .position(|(_, g)| matches!(g, Generator::Country | Generator::CountryCode))?;
    if members.len() < 2 {
        return None;
    }
    // A literal here is one of its column's frequent values (which passed the guard on their
    // own, and are checked against entities once more in pass 3) seen `min_count` times among
    // its country's sampled rows.
    let least = guard.min_count as f64;
    let frequent: Vec<Vec<&str>> = members
        .iter()
        .map(|(k, _)| {
            let s = &stats[text_columns[*k]];
            match &s.model {
                // A phone number's literal is its country code, as its model keeps them.
                Some(TextModel::Format { parts, .. }) => {
                    parts.iter().map(|p| p.value.as_str()).collect()
                }
                _ => s.frequent.iter().map(|f| f.value.as_str()).collect(),
            }
        })
        .collect();
    let mut by_country: FxHashMap<Option<&str>, Vec<usize>> = FxHashMap::default();
    for (r, row) in rows.iter().enumerate() {
        let value = row[members[country].0].as_deref();
        by_country.entry(value).or_default().push(r);
    }
    let mut listed: Vec<(&str, Vec<usize>)> = by_country
        .iter()
        .filter_map(|(v, at)| Some(((*v)?, at.clone())))
        .filter(|(v, at)| frequent[country].contains(v) && at.len() as f64 >= least)
        .collect();
    listed.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let listed_rows: usize = listed.iter().map(|(_, at)| at.len()).sum();
    let names: Vec<&str> = members
        .iter()
        .map(|(k, _)| table.columns[text_columns[*k]].name.as_str())
        .collect();
    let patterns = |at: &[usize]| null_patterns(rows, at, &members, &names);
    let mut countries: Vec<AddressCountry> = listed
        .iter()
        .map(|(name, at)| {
            let locales = Locale::for_country(name).into_iter().collect();
            let parts = members
                .iter()
                .enumerate()
                .map(|(m, &(k, kind))| {
                    let values = match kind {
                        Generator::Country | Generator::CountryCode => &[][..],
                        _ => &frequent[m][..],
                    };
                    part(rows, at, k, kind, Some(values), least)
                })
                .collect();
            AddressCountry {
                country: Some(name.to_string()),
                share: round_share(at.len() as f64 / rows.len() as f64),
                locales,
                parts,
                nulls: patterns(at),
            }
        })
        .collect();
    if listed_rows < rows.len() {
        let rest: Vec<usize> = (0..rows.len())
            .filter(|&r| {
                let value = rows[r][members[country].0].as_deref();
                !listed.iter().any(|(name, _)| Some(*name) == value)
            })
            .collect();
        countries.push(AddressCountry {
            country: None,
            share: round_share(rest.len() as f64 / rows.len() as f64),
            locales: Vec::new(),
            parts: members
                .iter()
                .map(|&(k, kind)| part(rows, &rest, k, kind, None, least))
                .collect(),
            nulls: patterns(&rest),
        });
        fill_rest_locales(&mut countries);
    }
    Some(CategoryGroup {
        columns: names.iter().map(|n| n.to_string()).collect(),
        combinations: Vec::new(),
        address: Some(Address {
            parts: members.iter().map(|(_, g)| *g).collect(),
            countries,
        }),
    })
}

/// Whether two kinds are the same part written two ways (a state's name or its code).
fn same_part(a: Generator, b: Generator) -> bool {
    let family = |g: Generator| match g {
        Generator::CountryCode => Generator::Country,
        Generator::StateAbbr => Generator::State,
        g => g,
    };
    family(a) == family(b)
}

/// One column among the rows `at`: its NULL share and, for a listed country (`allowed` is the
/// column's frequent values, or a phone column's country codes), the allowed values and postal
/// code or phone shapes seen `least` times.
fn part(
    rows: &[&Vec<Option<String>>],
    at: &[usize],
    k: usize,
    kind: Generator,
    allowed: Option<&[&str]>,
    least: f64,
) -> AddressPart {
    let present: Vec<&str> = at.iter().filter_map(|&r| rows[r][k].as_deref()).collect();
    let null_rate = round_share(1.0 - present.len() as f64 / at.len().max(1) as f64);
    let frequent = |keys: Vec<String>| -> Vec<Share> {
        let mut counts: FxHashMap<String, usize> = FxHashMap::default();
        for key in keys {
            *counts.entry(key).or_insert(0) += 1;
        }
        let mut kept: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(_, n)| *n as f64 >= least)
            .collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.into_iter()
            .map(|(value, n)| Share {
                value,
                share: round_share(n as f64 / present.len() as f64),
            })
            .collect()
    };
    let mut buf = String::new();
    AddressPart {
        null_rate,
        values: match allowed {
            Some(allowed) if !allowed.is_empty() => frequent(
                present
                    .iter()
                    .filter_map(|v| match kind {
                        Generator::Phone => literal_part(v),
                        _ => Some(*v),
                    })
                    .filter(|v| allowed.contains(v))
                    .map(|v| v.to_string())
                    .collect(),
            ),
            _ => Vec::new(),
        },
        shapes: if matches!(
            kind,
            Generator::PostalCode | Generator::Phone | Generator::State | Generator::StateAbbr
        ) && allowed.is_some()
        {
            frequent(
                present
                    .iter()
                    .map(|v| {
                        shape_into(v, &mut buf);
                        buf.clone()
                    })
                    .collect(),
            )
        } else {
            Vec::new()
        },
    }
}

/// The patterns of NULL columns among the rows `at` (`members` holds each column's position
/// in a sampled row), most rows first, then by names.
fn null_patterns(
    rows: &[&Vec<Option<String>>],
    at: &[usize],
    members: &[(usize, Generator)],
    names: &[&str],
) -> Vec<NullPattern> {
    let mut counts: FxHashMap<Vec<usize>, usize> = FxHashMap::default();
    for &r in at {
        let null: Vec<usize> = (0..members.len())
            .filter(|&m| rows[r][members[m].0].is_none())
            .collect();
        if !null.is_empty() {
            *counts.entry(null).or_insert(0) += 1;
        }
    }
    let mut patterns: Vec<NullPattern> = counts
        .into_iter()
        .map(|(null, n)| NullPattern {
            columns: null.iter().map(|&m| names[m].to_string()).collect(),
            share: round_share(n as f64 / at.len().max(1) as f64),
        })
        .collect();
    sort_patterns(&mut patterns);
    patterns
}

/// Most rows first, then by the columns' names.
fn sort_patterns(patterns: &mut [NullPattern]) {
    patterns.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.columns.cmp(&b.columns))
    });
}

/// Gives the entry without a country the locales of the countries not listed.
fn fill_rest_locales(countries: &mut [AddressCountry]) {
    let taken: Vec<Locale> = countries
        .iter()
        .filter(|c| c.country.is_some())
        .flat_map(|c| c.locales.clone())
        .collect();
    if let Some(rest) = countries.iter_mut().find(|c| c.country.is_none()) {
        rest.locales = Locale::ALL
            .into_iter()
            .filter(|l| !taken.contains(l))
            .collect();
    }
}

impl Address {
    /// Keeps only the literals `safe` accepts (column position in the group, value): a country
    /// that fails moves its rows to the entry without a country, a part value is dropped.
    pub fn retain(&mut self, safe: impl Fn(usize, &str) -> bool) {
        let country = self
            .parts
            .iter()
            .position(|g| matches!(g, Generator::Country | Generator::CountryCode));
        let gone: Vec<bool> = self
            .countries
            .iter()
            .map(|c| match (&c.country, country) {
                (Some(name), Some(at)) => !safe(at, name),
                _ => false,
            })
            .collect();
        self.merge_into_rest(&gone);
        for c in &mut self.countries {
            for (at, part) in c.parts.iter_mut().enumerate() {
                // Phone country codes are the phone model's parts, kept by their own rule.
                if self.parts[at] != Generator::Phone {
                    part.values.retain(|v| safe(at, &v.value));
                }
            }
        }
    }

    /// Moves the listed countries marked in `gone` to the entry without a country, which takes
    /// their rows with their NULL rates and patterns.
    pub fn merge_into_rest(&mut self, gone: &[bool]) {
        let mut marks = gone.iter();
        let (moved, kept): (Vec<AddressCountry>, Vec<AddressCountry>) =
            std::mem::take(&mut self.countries)
                .into_iter()
                .partition(|c| *marks.next().unwrap_or(&false) && c.country.is_some());
        self.countries = kept;
        if moved.iter().map(|c| c.share).sum::<f64>() <= 0.0 {
            return;
        }
        let rest = match self.countries.iter().position(|c| c.country.is_none()) {
            Some(at) => at,
            None => {
                self.countries.push(AddressCountry {
                    country: None,
                    share: 0.0,
                    locales: Vec::new(),
                    parts: vec![AddressPart::default(); self.parts.len()],
                    nulls: Vec::new(),
                });
                self.countries.len() - 1
            }
        };
        for c in &moved {
            self.countries[rest].absorb(c);
        }
        fill_rest_locales(&mut self.countries);
    }
}

impl AddressCountry {
    /// Takes in `other`'s rows: its share, and its NULL rates and patterns in proportion. The
    /// patterns are dropped when either side's NULLs are known only as rates.
    fn absorb(&mut self, other: &AddressCountry) {
        let total = self.share + other.share;
        if total <= 0.0 {
            return;
        }
        let (mine, theirs) = (self.share / total, other.share / total);
        let patterned =
            |c: &AddressCountry| !c.nulls.is_empty() || c.parts.iter().all(|p| p.null_rate == 0.0);
        let both_patterned = patterned(self) && patterned(other);
        for (p, q) in self.parts.iter_mut().zip(&other.parts) {
            p.null_rate = round_share(p.null_rate * mine + q.null_rate * theirs);
        }
        if both_patterned {
            let mut merged: Vec<NullPattern> = Vec::new();
            for (n, weight) in self
                .nulls
                .iter()
                .map(|n| (n, mine))
                .chain(other.nulls.iter().map(|n| (n, theirs)))
            {
                match merged.iter_mut().find(|m| m.columns == n.columns) {
                    Some(m) => m.share += n.share * weight,
                    None => merged.push(NullPattern {
                        columns: n.columns.clone(),
                        share: n.share * weight,
                    }),
                }
            }
            merged
                .iter_mut()
                .for_each(|m| m.share = round_share(m.share));
            self.nulls = merged;
            sort_patterns(&mut self.nulls);
        } else {
            self.nulls.clear();
        }
        self.share = round_share(total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_countries_join_the_rest() {
        let part = || AddressPart {
            null_rate: 0.0,
            values: vec![Share {
                value: "SP".into(),
                share: 0.5,
            }],
            shapes: Vec::new(),
        };
        let mut a = Address {
            parts: vec![Generator::State, Generator::Country],
            countries: vec![
                AddressCountry {
                    country: Some("Brazil".into()),
                    share: 0.6,
                    locales: vec![Locale::PtBr],
                    parts: vec![part(), part()],
                    nulls: Vec::new(),
                },
                AddressCountry {
                    country: Some("Peru".into()),
                    share: 0.4,
                    locales: Vec::new(),
                    parts: vec![part(), part()],
                    nulls: Vec::new(),
                },
            ],
        };
        a.retain(|at, v| at == 1 && v == "Brazil");
        assert_eq!(a.countries.len(), 2);
        assert_eq!(a.countries[1].country, None);
        assert_eq!(a.countries[1].share, 0.4);
        assert!(!a.countries[1].locales.contains(&Locale::PtBr));
        assert!(a.countries[0].parts[0].values.is_empty(), "SP was not safe");
    }

    #[test]
    fn a_country_that_joins_the_rest_brings_its_nulls() {
        let with_nulls =
            |country: Option<&str>, null_rate: f64, nulls: Vec<NullPattern>| AddressCountry {
                country: country.map(String::from),
                share: 0.5,
                locales: Vec::new(),
                parts: vec![
                    AddressPart {
                        null_rate,
                        ..AddressPart::default()
                    },
                    AddressPart::default(),
                ],
                nulls,
            };
        let state = |share: f64| NullPattern {
            columns: vec!["state".into()],
            share,
        };
        let mut a = Address {
            parts: vec![Generator::State, Generator::Country],
            countries: vec![
                with_nulls(Some("Peru"), 0.6, vec![state(0.6)]),
                with_nulls(None, 0.2, vec![state(0.2)]),
            ],
        };
        a.merge_into_rest(&[true, false]);
        assert_eq!(a.countries.len(), 1);
        let rest = &a.countries[0];
        assert_eq!(rest.share, 1.0);
        assert_eq!(rest.parts[0].null_rate, 0.4);
        assert_eq!(rest.nulls, vec![state(0.4)]);
    }
}
