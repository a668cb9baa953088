//! An address drawn whole, one row at a time (see [`crate::profile::address`]): the row first
//! takes its country, then every part from that country: its kept values and learned shapes
//! (postal codes, phone numbers with their country code), else `fake`'s lists in the country's
//! locale (states, postal and phone formats, cities and streets). A row of the rest takes one
//! locale of the countries not listed, and that country's name. A country `fake` has no locale
//! for keeps what the profile learned of it and English-style cities; a state with neither kept
//! values nor a list is filled from its learned shape (`AA`), so its NULL rate holds.
//!
//! Rows are spread evenly over the countries by a permutation of the row index, so each country
//! gets its share of rows and each part its NULL rate within a country exactly (up to
//! rounding), as NULL patterns do elsewhere; other randomness is keyed by the row. Either way a
//! row's address can be computed alone (a child copying it computes the parent's row).

use fake::locales::{Data, EN};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::formats::{city_in, fill_template, street_in};
use super::permute::Permutation;
use super::values::Choice;
use crate::hashing::{combine, mix64, unit_interval};
use crate::profile::address::{Address, AddressCountry};
use crate::profile::model::bucket_end;
use crate::profile::{Generator, Locale, Share, TextStats};

/// Draws a value this many times before settling for a shorter one that fits the column.
const TRIES: usize = 12;
/// Made-up cities and streets drawn at most for a value, until one has the drawn length; the
/// nearest is kept. `fake`'s German, Italian and Portuguese cities are mostly two or three
/// words (`Alt Jungfurt`, `Monti del Lago`), so a short one may take a few dozen draws.
const CANDIDATES: usize = 64;

#[derive(Debug)]
pub struct AddressPlan {
    parts: Vec<Generator>,
    /// The longest value each column takes, in characters.
    max_chars: Vec<usize>,
    /// Whether each column may hold NULL: a NOT NULL column never does, whatever the
    /// profile's (possibly noisy) NULL rates say.
    nullable: Vec<bool>,
    /// Each column's learned lengths (bucket floor and end), for made-up cities and streets:
    /// the candidate nearest a drawn length is kept.
    lengths: Vec<Choice<(u32, u32)>>,
    /// Where each entry's rows start on [0, 1) and their share, normalised to sum to one.
    countries: Vec<(f64, f64)>,
    entries: Vec<Entry>,
    /// Spreads the rows evenly over [0, 1), so that each country gets its share of the rows
    /// and each part its NULL rate within a country, exactly up to rounding (as NULL patterns
    /// elsewhere), while any row is still computed alone.
    spread: Permutation,
    rows: u64,
}

#[derive(Debug)]
struct Entry {
    country: Option<String>,
    locales: Vec<Locale>,
    parts: Vec<PartPlan>,
    /// The learned NULL patterns, as (end of the pattern's rows on the country's [0, 1), which
    /// columns are NULL); empty when the profile gives only each part's rate.
    nulls: Vec<(f64, Vec<bool>)>,
}

#[derive(Debug)]
struct PartPlan {
    null_rate: f64,
    /// Kept values, by their share of the country's non-null values (the rest is made up).
    values: Choice<String>,
    shapes: Choice<String>,
}

impl AddressPlan {
    /// `max_chars[i]` is the limit of the group's `i`-th column, if its type has one,
    /// `nullable[i]` whether it may hold NULL, and `stats[i]` its learned text statistics.
    /// The table generates `rows` rows; `key` seeds the spread of rows.
    pub fn new(
        address: &Address,
        columns: &[String],
        max_chars: Vec<Option<u32>>,
        nullable: Vec<bool>,
        stats: Vec<Option<&TextStats>>,
        rows: u64,
        key: u64,
    ) -> AddressPlan {
        let total: f64 = address.countries.iter().map(|c| c.share).sum();
        let mut start = 0.0;
        let countries = address
            .countries
            .iter()
            .map(|c| {
                let share = c.share / total.max(1e-12);
                start += share;
                (start - share, share)
            })
            .collect();
        let shares =
            |list: &[Share]| Choice::new(list.iter().map(|v| (v.value.clone(), v.share)).collect());
        // The entry of the countries not listed (or a listed one `fake` has no locale for),
        // with too few phone numbers or postal codes for shapes of its own, writes them as the
        // column does, not in `fake`'s international format (`+351 926 553 2328`) the snapshot
        // never used.
        // A phone column with too few numbers for shapes (a fax) takes another's.
        let shapes_of = |i: usize| stats[i].map_or(&[][..], |t| &t.shapes[..]);
        let phone_shapes = (0..address.parts.len())
            .find(|&j| address.parts[j] == Generator::Phone && !shapes_of(j).is_empty())
            .map_or(&[][..], shapes_of);
        let column_shapes: Vec<Choice<String>> = (0..address.parts.len())
            .map(|i| match address.parts[i] {
                Generator::PostalCode => shares(shapes_of(i)),
                Generator::Phone if !shapes_of(i).is_empty() => shares(shapes_of(i)),
                Generator::Phone => shares(phone_shapes),
                _ => Choice::new(Vec::new()),
            })
            .collect();
        // A phone column with too few numbers in a country for its own shapes (a fax) takes
        // those of the country's other phone column.
        let part = |c: &AddressCountry, i: usize| {
            let p = &c.parts[i];
            let phone_like = address
                .parts
                .iter()
                .zip(&c.parts)
                .find(|(&g, q)| g == Generator::Phone && !q.shapes.is_empty())
                .map(|(_, q)| q)
                .filter(|_| address.parts[i] == Generator::Phone && p.shapes.is_empty());
            let model = phone_like.unwrap_or(p);
            PartPlan {
                null_rate: p.null_rate,
                values: shares(&model.values),
                // A listed country with a locale keeps `fake`'s formats, with its own code.
                shapes: match model.shapes.is_empty()
                    && (c.country.is_none() || c.locales.is_empty())
                {
                    true => column_shapes[i].clone(),
                    false => shares(&model.shapes),
                },
            }
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
            nullable,
            countries,
            spread: Permutation::new(rows.max(1), key),
            rows: rows.max(1),
            entries: address
                .countries
                .iter()
                .map(|c| Entry {
                    country: c.country.clone(),
                    locales: c.locales.clone(),
                    parts: (0..c.parts.len()).map(|i| part(c, i)).collect(),
                    nulls: null_patterns(c, columns),
                })
                .collect(),
        }
    }

    /// The values of row `row`'s address, one per column of the group (`None` for NULL).
    pub fn draw(&self, seed: u64, salt: u64, row: u64) -> Vec<Option<String>> {
        let rng = &mut ChaCha8Rng::seed_from_u64(combine([seed, salt, row]));
        let u = (self.spread.apply(row % self.rows) as f64 + 0.5) / self.rows as f64;
        let Some((entry, (start, share))) = self
            .entries
            .iter()
            .zip(&self.countries)
            .find(|(_, (start, share))| u < start + share)
        else {
            return vec![None; self.parts.len()];
        };
        // The row's place among its country's rows, evenly spread too.
        let within = (u - start) / share;
        let present: Vec<bool> = match entry.nulls.is_empty() {
            // The row's pattern: patterns hold their shares of the country's rows.
            false => {
                let pattern = entry.nulls.iter().find(|(end, _)| within < *end);
                (0..self.parts.len())
                    .map(|p| !self.nullable[p] || pattern.is_none_or(|(_, null)| !null[p]))
                    .collect()
            }
            // Each part NULL in its share of the country's rows, shifted by a constant of its
            // own so that parts are not NULL in the same rows.
            true => entry
                .parts
                .iter()
                .enumerate()
                .map(|(p, part)| {
                    let offset = unit_interval(mix64(combine([salt, p as u64])));
                    !self.nullable[p] || (within + offset).fract() >= part.null_rate
                })
                .collect(),
        };
        let locale = self.locale(entry, &present, rng);
        self.parts
            .iter()
            .zip(&entry.parts)
            .zip(self.max_chars.iter().zip(&self.lengths))
            .zip(present.iter().zip(&self.nullable))
            .map(
                |(((&kind, part), (&max, lengths)), (&present, &nullable))| {
                    if !present {
                        return None;
                    }
                    let target = match kind {
                        Generator::City | Generator::Street => lengths
                            .sample_normalized(rng)
                            .map(|&(lo, hi)| rng.random_range(lo..hi) as usize),
                        _ => None,
                    };
                    // A kept value at its share, whatever its length; a phone part's values
                    // are country codes, not numbers.
                    let kept = part.values.sample(rng).filter(|_| kind != Generator::Phone);
                    if let Some(v) = kept.filter(|v| v.chars().count() <= max) {
                        return Some(v.clone());
                    }
                    // The best candidate so far and its length in characters.
                    let mut best: Option<(String, usize)> = None;
                    let tries = if target.is_some() { CANDIDATES } else { TRIES };
                    for _ in 0..tries {
                        let value = made_up(kind, entry, part, locale, rng)
                            .or_else(|| (!nullable).then(|| last_resort(kind, rng)));
                        let v = value?;
                        let n = v.chars().count();
                        let better = best.as_ref().is_none_or(|&(_, m)| match target {
                            Some(t) if m <= max => n <= max && n.abs_diff(t) < m.abs_diff(t),
                            _ => n <= max && m > max,
                        });
                        if better {
                            best = Some((v, n));
                        }
                        if let Some((_, m)) = best {
                            if target.map_or(m <= max, |t| m == t) {
                                break;
                            }
                        }
                    }
                    best.map(|(v, n)| match n <= max {
                        true => v,
                        false => v.chars().take(max).collect(),
                    })
                },
            )
            .collect()
    }

    /// The locale of a row of `entry`: one of its locales that can make every present part
    /// (a row with a state takes a country `fake` has states for), else any of them.
    fn locale(&self, entry: &Entry, present: &[bool], rng: &mut ChaCha8Rng) -> Option<Locale> {
        let needs_states =
            self.parts
                .iter()
                .zip(&entry.parts)
                .zip(present)
                .any(|((&kind, part), &present)| {
                    present
                        && matches!(kind, Generator::State | Generator::StateAbbr)
                        && part.values.is_empty()
                        && part.shapes.is_empty()
                });
        let able = || {
            let fits = move |l: &&Locale| !needs_states || !l.lists().state_abbrs.is_empty();
            entry.locales.iter().filter(fits)
        };
        match (able().count(), entry.locales.len()) {
            (0, 0) => None,
            (0, n) => Some(entry.locales[rng.random_range(0..n)]),
            (n, _) => able().nth(rng.random_range(0..n)).copied(),
        }
    }
}

/// One made-up part of an address in `entry`'s country.
fn made_up(
    kind: Generator,
    entry: &Entry,
    part: &PartPlan,
    locale: Option<Locale>,
    rng: &mut ChaCha8Rng,
) -> Option<String> {
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
        Generator::State | Generator::StateAbbr => {
            let list = lists.map_or(&[][..], |l| {
                if kind == Generator::State {
                    l.states
                } else {
                    l.state_abbrs
                }
            });
            pick(rng, list)
                .or_else(|| part.values.sample_normalized(rng).cloned())
                .or_else(|| {
                    let shape = part.shapes.sample_normalized(rng)?;
                    let mut out = String::new();
                    fill_template(shape, rng, &mut out);
                    Some(out)
                })
        }
        Generator::City => Some(city_in(locale.unwrap_or(Locale::En), rng)),
        Generator::Street => Some(street_in(locale.unwrap_or(Locale::En), rng)),
        Generator::Phone => Some(phone(entry, part, locale, rng)),
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

/// A value of the kind for a NOT NULL column the country has nothing for (a state of a
/// country without a list): one of `fake`'s English ones.
fn last_resort(kind: Generator, rng: &mut ChaCha8Rng) -> String {
    let list = match kind {
        Generator::Country => EN::ADDRESS_COUNTRY,
        Generator::CountryCode => EN::ADDRESS_COUNTRY_CODE,
        Generator::State => EN::ADDRESS_STATE,
        _ => EN::ADDRESS_STATE_ABBR,
    };
    list[rng.random_range(0..list.len())].to_string()
}

/// A phone number in one of the country's learned shapes with its learned country code (where
/// the shape has a code of that length), else in a format of the locale.
fn phone(entry: &Entry, part: &PartPlan, locale: Option<Locale>, rng: &mut ChaCha8Rng) -> String {
    let mut out = String::new();
    let Some(shape) = part.shapes.sample_normalized(rng) else {
        let formats = locale.map_or(&[][..], |l| l.lists().phones);
        let international;
        let format = match (formats.len(), locale) {
            (0, Some(l)) => {
                international = format!("{} ^## #######", l.calling_code());
                &international
            }
            (0, None) => "(^##) ###-####",
            (n, _) => formats[rng.random_range(0..n)],
        };
        for c in format.chars() {
            out.push(match c {
                '#' => (b'0' + rng.random_range(0..10u8)) as char,
                '^' => (b'1' + rng.random_range(0..9u8)) as char,
                c => c,
            });
        }
        return out;
    };
    let code_digits = shape
        .strip_prefix('+')
        .map_or(0, |r| r.bytes().take_while(|&b| b == b'9').count());
    let code = part
        .values
        .sample_normalized(rng)
        .filter(|c| code_digits > 0 && c.len() == code_digits + 1 && entry.country.is_some());
    match code {
        Some(code) => {
            out.push_str(code);
            fill_template(&shape[code.len()..], rng, &mut out);
        }
        None => fill_template(shape, rng, &mut out),
    }
    if out.starts_with("+0") {
        out.replace_range(1..2, "1");
    }
    out
}

/// A country's NULL patterns as the ends of their rows on [0, 1) and NULL flags by column.
fn null_patterns(country: &AddressCountry, columns: &[String]) -> Vec<(f64, Vec<bool>)> {
    let mut end = 0.0;
    country
        .nulls
        .iter()
        .map(|n| {
            end += n.share;
            let null = columns.iter().map(|c| n.columns.contains(c)).collect();
            (end, null)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::address::AddressPart;
    use crate::profile::shape_into;

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
                    nulls: Vec::new(),
                },
                AddressCountry {
                    country: Some("Canada".into()),
                    share: 0.2,
                    locales: Vec::new(),
                    parts: vec![part(1.0, &[]), part(0.0, &[]), part(0.0, &["A9A 9A9"])],
                    nulls: Vec::new(),
                },
                AddressCountry {
                    country: None,
                    share: 0.3,
                    locales: vec![Locale::PtBr],
                    parts: vec![part(0.0, &[]), part(0.0, &[]), part(0.0, &[])],
                    nulls: Vec::new(),
                },
            ],
        };
        let plan = AddressPlan::new(
            &address,
            &["state".into(), "country".into(), "postal_code".into()],
            vec![Some(2), None, Some(10)],
            vec![true; 3],
            vec![None; 3],
            500,
            9,
        );
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

    #[test]
    fn parts_are_null_together_as_the_learned_patterns_say() {
        use crate::profile::address::NullPattern;
        let pattern = |columns: &[&str], share: f64| NullPattern {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            share,
        };
        // A state missing in 60 % of rows and a postal code in 20 %: together in 10 %.
        let address = Address {
            parts: vec![
                Generator::StateAbbr,
                Generator::Country,
                Generator::PostalCode,
            ],
            countries: vec![AddressCountry {
                country: None,
                share: 1.0,
                locales: vec![Locale::DeDe],
                parts: vec![part(0.6, &[]), part(0.0, &[]), part(0.2, &["99999"])],
                nulls: vec![
                    pattern(&["state"], 0.5),
                    pattern(&["postal_code"], 0.1),
                    pattern(&["state", "postal_code"], 0.1),
                ],
            }],
        };
        let columns = ["state".into(), "country".into(), "postal_code".into()];
        let plan = AddressPlan::new(
            &address,
            &columns,
            vec![None; 3],
            vec![true; 3],
            vec![None; 3],
            1000,
            4,
        );
        let mut counts = [[0u32; 2]; 2];
        for row in 0..1000 {
            let v = plan.draw(7, 1, row);
            assert!(v[1].is_some(), "{v:?}");
            counts[v[0].is_none() as usize][v[2].is_none() as usize] += 1;
        }
        // [state missing][postal code missing]: both present in 30 % of rows, the postal code
        // alone missing in 10 %, the state alone in 50 %, both in 10 %, up to a row of rounding.
        let expected = [[300, 100], [500, 100]];
        for (got, want) in counts.iter().flatten().zip(expected.iter().flatten()) {
            assert!(got.abs_diff(*want) <= 1, "{counts:?}");
        }
    }

    #[test]
    fn phones_and_postal_codes_without_shapes_of_their_country_take_the_columns() {
        let address = Address {
            parts: vec![
                Generator::Country,
                Generator::PostalCode,
                Generator::Phone,
                Generator::Phone,
            ],
            countries: vec![AddressCountry {
                country: None,
                share: 1.0,
                locales: vec![Locale::PtPt, Locale::ItIt],
                parts: vec![part(0.0, &[]); 4],
                nulls: Vec::new(),
            }],
        };
        let shaped = |shapes: &[&str]| TextStats {
            shapes: part(0.0, shapes).shapes,
            ..TextStats::default()
        };
        let (postal, phone, fax) = (shaped(&["9999"]), shaped(&["(99) 999-9999"]), shaped(&[]));
        let columns = ["country", "postal", "phone", "fax"].map(String::from);
        let plan = AddressPlan::new(
            &address,
            &columns,
            vec![None; 4],
            vec![true; 4],
            vec![None, Some(&postal), Some(&phone), Some(&fax)],
            200,
            4,
        );
        for row in 0..200 {
            let drawn = plan.draw(7, 1, row);
            let shape = |v: &Option<String>| {
                let mut out = String::new();
                shape_into(v.as_deref().unwrap(), &mut out);
                out
            };
            // Not fake's `+351 926 553 2328` or `4517-107`: the fax takes the phone's shapes.
            assert_eq!(shape(&drawn[1]), "9999");
            assert_eq!(shape(&drawn[2]), "(99) 999-9999");
            assert_eq!(shape(&drawn[3]), "(99) 999-9999");
        }
    }

    #[test]
    fn made_up_cities_keep_near_the_learned_lengths_and_kept_ones_their_share() {
        let address = Address {
            parts: vec![Generator::City, Generator::Country],
            countries: vec![AddressCountry {
                country: None,
                share: 1.0,
                locales: vec![Locale::DeDe, Locale::ItIt, Locale::PtPt],
                parts: vec![
                    AddressPart {
                        values: vec![Share {
                            value: "Calgary".into(),
                            share: 0.3,
                        }],
                        ..part(0.0, &[])
                    },
                    part(0.0, &[]),
                ],
                nulls: Vec::new(),
            }],
        };
        // Cities of 4 to 9 letters, 6 and 7 most often.
        let text = TextStats {
            min_chars: 4,
            max_chars: 9,
            chars: [(4, 0.1), (5, 0.1), (6, 0.3), (7, 0.3), (8, 0.1), (9, 0.1)].into(),
            ..TextStats::default()
        };
        let columns = ["city".into(), "country".into()];
        let plan = AddressPlan::new(
            &address,
            &columns,
            vec![Some(40), None],
            vec![true; 2],
            vec![Some(&text), None],
            400,
            4,
        );
        let cities: Vec<String> = (0..400)
            .map(|row| plan.draw(7, 1, row)[0].clone().unwrap())
            .collect();
        let kept = cities.iter().filter(|c| *c == "Calgary").count();
        assert!(
            (90..150).contains(&kept),
            "Calgary {kept} of 400 for a share of 0.3"
        );
        let mut lengths: Vec<usize> = cities.iter().map(|c| c.chars().count()).collect();
        lengths.sort_unstable();
        assert!(
            (6..=8).contains(&lengths[200]),
            "median length {}",
            lengths[200]
        );
    }
}
