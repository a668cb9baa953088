//! Synthetic text shaped like the learned column: lengths from the character-length histogram,
//! letters from the learned script mix, the learned shapes (`Aaaa 99`), empty strings and edge
//! spaces at their rates, and realistic names, emails and places where the column is one.

use fake::faker::address::en::{CityName, CountryName, StateName, StreetName, ZipCode};
use fake::faker::company::en::CompanyName;
use fake::locales::{Data, EN};
use fake::Fake;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::values::Choice;
use crate::profile::model::{bucket_end, Semantic, TextStats};

/// Generates one text column's values.
#[derive(Debug, Clone)]
pub struct TextGen {
    lengths: Choice<(u32, u32)>,
    min_chars: u32,
    max_chars: u32,
    empty_rate: f64,
    edge_space_rate: f64,
    non_ascii_rate: f64,
    /// Non-Latin scripts by weight, for values that aren't ASCII.
    foreign: Choice<Alphabet>,
    foreign_share: f64,
    shapes: Choice<String>,
    words: bool,
    capitalized: bool,
    style: Style,
}

/// A recognisable kind of value, generated with `fake` or a template instead of letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Letters,
    FirstName,
    LastName,
    FullName,
    Email,
    Phone,
    Url,
    Uuid,
    City,
    Country,
    State,
    Street,
    Zip,
    Company,
}

impl TextGen {
    /// `max_chars` is the type's limit (varchar(n), char(n)), if any.
    pub fn new(
        column: &str,
        stats: Option<&TextStats>,
        semantic: Option<Semantic>,
        max_chars: Option<u32>,
    ) -> TextGen {
        let type_max = max_chars.unwrap_or(u32::MAX);
        let Some(stats) = stats else {
            return TextGen::plain(column, semantic, type_max);
        };
        let lengths = Choice::new(
            stats
                .chars
                .iter()
                .filter(|(&floor, _)| floor > 0)
                .map(|(&floor, &share)| {
                    let end = (bucket_end(floor as u64) as u32).min(stats.max_chars + 1);
                    ((floor, end.max(floor + 1)), share)
                })
                .collect(),
        );
        let foreign_scripts: Vec<(Alphabet, f64)> = stats
            .scripts
            .iter()
            .filter_map(|(name, &share)| Some((Alphabet::for_script(name)?, share)))
            .filter(|(a, share)| *a != Alphabet::Latin && *share > 0.0)
            .collect();
        let foreign_share: f64 = foreign_scripts.iter().map(|s| s.1).sum();
        let common = stats.scripts.get("Common").copied().unwrap_or(0.0);
        let shape_starts_upper: f64 = stats
            .shapes
            .iter()
            .filter(|s| s.value.starts_with('A'))
            .map(|s| s.share)
            .sum();
        TextGen {
            lengths,
            min_chars: stats.min_chars.min(type_max),
            max_chars: stats
                .max_chars
                .min(type_max)
                .max(stats.min_chars.min(type_max)),
            empty_rate: stats.empty_rate,
            edge_space_rate: stats.edge_space_rate,
            non_ascii_rate: stats.non_ascii_rate,
            foreign: Choice::new(foreign_scripts),
            foreign_share,
            shapes: Choice::new(
                stats
                    .shapes
                    .iter()
                    .filter(|s| s.value.chars().count() as u32 <= type_max)
                    .map(|s| (s.value.clone(), s.share))
                    .collect(),
            ),
            words: common > 0.02,
            capitalized: shape_starts_upper * 2.0 >= stats.shapes.iter().map(|s| s.share).sum(),
            style: Style::for_column(column, semantic),
        }
    }

    /// For a column known only by its type (a DDL-only profile).
    fn plain(column: &str, semantic: Option<Semantic>, type_max: u32) -> TextGen {
        let max = type_max.min(24);
        TextGen {
            lengths: Choice::new(vec![((1.min(max), max + 1), 1.0)]),
            min_chars: 1.min(max),
            max_chars: max,
            empty_rate: 0.0,
            edge_space_rate: 0.0,
            non_ascii_rate: 0.0,
            foreign: Choice::new(Vec::new()),
            foreign_share: 0.0,
            shapes: Choice::new(Vec::new()),
            words: true,
            capitalized: true,
            style: Style::for_column(column, semantic),
        }
    }

    /// Writes one value into `out` (cleared first).
    pub fn generate(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        out.clear();
        if rng.random::<f64>() < self.empty_rate {
            return;
        }
        if self.style != Style::Letters {
            self.styled(rng, out);
        } else if let Some(shape) = self.shapes.sample(rng) {
            fill_shape(shape, rng, out);
        } else {
            let fallback = (self.min_chars, self.max_chars + 1);
            let (lo, hi) = *self.lengths.sample_normalized(rng).unwrap_or(&fallback);
            let lo = lo.max(self.min_chars).max(1);
            let hi = hi.min(self.max_chars + 1).max(lo + 1);
            let len = rng.random_range(lo..hi) as usize;
            self.letters(len, rng, out);
        }
        self.finish(rng, out);
    }

    fn letters(&self, len: usize, rng: &mut ChaCha8Rng, out: &mut String) {
        let non_ascii = rng.random::<f64>() < self.non_ascii_rate;
        let alphabet =
            if non_ascii && rng.random::<f64>() < self.foreign_share / self.non_ascii_rate {
                *self.foreign.sample(rng).unwrap_or(&Alphabet::Latin)
            } else {
                Alphabet::Latin
            };
        let mut word_left = rng.random_range(2..10usize);
        let mut accent_at = if non_ascii && alphabet == Alphabet::Latin {
            rng.random_range(0..len.max(1))
        } else {
            usize::MAX
        };
        for i in 0..len {
            if self.words && word_left == 0 && i + 1 < len {
                out.push(' ');
                word_left = rng.random_range(2..10);
                if accent_at == i {
                    accent_at += 1;
                }
                continue;
            }
            let upper = self.capitalized && (i == 0 || out.ends_with(' '));
            let c = if i == accent_at {
                ACCENTED[rng.random_range(0..ACCENTED.len())]
            } else {
                alphabet.letter(rng, upper)
            };
            out.push(c);
            word_left = word_left.saturating_sub(1);
        }
    }

    /// Writes a recognisable value. Names and emails, the common case, are assembled from
    /// `fake`'s name lists straight into `out`; rarer styles go through `fake`'s generators.
    fn styled(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        let pick = |rng: &mut ChaCha8Rng, list: &'static [&'static str]| {
            list[rng.random_range(0..list.len())]
        };
        let value: String = match self.style {
            Style::FirstName => return out.push_str(pick(rng, EN::NAME_FIRST_NAME)),
            Style::LastName => return out.push_str(pick(rng, EN::NAME_LAST_NAME)),
            Style::FullName => {
                out.push_str(pick(rng, EN::NAME_FIRST_NAME));
                out.push(' ');
                return out.push_str(pick(rng, EN::NAME_LAST_NAME));
            }
            Style::Email => {
                let (first, last) = (
                    pick(rng, EN::NAME_FIRST_NAME),
                    pick(rng, EN::NAME_LAST_NAME),
                );
                out.extend(
                    first
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_lowercase()),
                );
                out.push('.');
                out.extend(
                    last.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .map(|c| c.to_ascii_lowercase()),
                );
                out.push_str(itoa::Buffer::new().format(rng.random_range(1..100u32)));
                out.push('@');
                return out.push_str(
                    ["example.com", "example.org", "example.net"][rng.random_range(0..3)],
                );
            }
            Style::Phone => {
                let pattern = ["+9 (999) 999-9999", "+99 99 9999 9999", "(999) 999-9999"];
                return fill_shape(pattern[rng.random_range(0..pattern.len())], rng, out);
            }
            Style::City => CityName().fake_with_rng(rng),
            Style::Country => CountryName().fake_with_rng(rng),
            Style::State => StateName().fake_with_rng(rng),
            Style::Zip => ZipCode().fake_with_rng(rng),
            Style::Company => CompanyName().fake_with_rng(rng),
            Style::Street => {
                let street: String = StreetName().fake_with_rng(rng);
                format!("{} {street}", rng.random_range(1..9999))
            }
            Style::Url => format!("https://example.com/{}", rng.random_range(1..1_000_000)),
            Style::Uuid => return super::keys::write_uuid(rng.random(), out),
            Style::Letters => unreachable!("styled is only called for styled columns"),
        };
        out.push_str(&value);
    }

    /// Edge spaces at their rate, then the type's length limit.
    fn finish(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        if !out.is_empty() && rng.random::<f64>() < self.edge_space_rate {
            if rng.random::<bool>() {
                out.insert(0, ' ');
            } else {
                out.push(' ');
            }
        }
        if let Some((cut, _)) = out.char_indices().nth(self.max_chars as usize) {
            out.truncate(cut);
        }
    }
}

impl Style {
    fn for_column(column: &str, semantic: Option<Semantic>) -> Style {
        let name = column.to_ascii_lowercase();
        let has = |s: &str| name.contains(s);
        match semantic {
            Some(Semantic::Email) => return Style::Email,
            Some(Semantic::Url) => return Style::Url,
            Some(Semantic::Uuid) => return Style::Uuid,
            Some(Semantic::PersonName) if has("first") || has("given") => return Style::FirstName,
            Some(Semantic::PersonName) if has("last") || has("surname") || has("family") => {
                return Style::LastName
            }
            Some(Semantic::PersonName) => return Style::FullName,
            Some(Semantic::Phone) => return Style::Phone,
            Some(Semantic::FreeText) => return Style::Letters,
            None => {}
        }
        if has("email") {
            Style::Email
        } else if has("city") {
            Style::City
        } else if has("country") {
            Style::Country
        } else if name == "state" || name == "region" {
            Style::State
        } else if has("address") || has("street") {
            Style::Street
        } else if has("postal") || has("zip") {
            Style::Zip
        } else if has("company") {
            Style::Company
        } else {
            Style::Letters
        }
    }
}

/// Fills a learned shape: `A` an uppercase letter, `a` lowercase, `9` a digit, anything else
/// itself.
fn fill_shape(shape: &str, rng: &mut ChaCha8Rng, out: &mut String) {
    for c in shape.chars() {
        out.push(match c {
            'A' => (b'A' + rng.random_range(0..26u8)) as char,
            'a' => (b'a' + rng.random_range(0..26u8)) as char,
            '9' => (b'0' + rng.random_range(0..10u8)) as char,
            other => other,
        });
    }
}

const ACCENTED: &[char] = &['é', 'è', 'ü', 'ö', 'ñ', 'ç', 'ø', 'å', 'ã', 'í', 'ł', 'ß'];

/// A script's letters, as a code-point range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    Latin,
    Cyrillic,
    Greek,
    Han,
    Arabic,
    Hebrew,
    Hiragana,
    Katakana,
    Hangul,
    Devanagari,
    Thai,
}

impl Alphabet {
    fn for_script(name: &str) -> Option<Alphabet> {
        Some(match name {
            "Latin" => Alphabet::Latin,
            "Cyrillic" => Alphabet::Cyrillic,
            "Greek" => Alphabet::Greek,
            "Han" => Alphabet::Han,
            "Arabic" => Alphabet::Arabic,
            "Hebrew" => Alphabet::Hebrew,
            "Hiragana" => Alphabet::Hiragana,
            "Katakana" => Alphabet::Katakana,
            "Hangul" => Alphabet::Hangul,
            "Devanagari" => Alphabet::Devanagari,
            "Thai" => Alphabet::Thai,
            _ => return None,
        })
    }

    fn letter(self, rng: &mut ChaCha8Rng, upper: bool) -> char {
        let (first, count) = match self {
            Alphabet::Latin if upper => (0x41, 26),
            Alphabet::Latin => (0x61, 26),
            Alphabet::Cyrillic if upper => (0x410, 32),
            Alphabet::Cyrillic => (0x430, 32),
            Alphabet::Greek if upper => (0x391, 17),
            Alphabet::Greek => (0x3b1, 17),
            Alphabet::Han => (0x4e00, 3000),
            Alphabet::Arabic => (0x628, 19),
            Alphabet::Hebrew => (0x5d0, 27),
            Alphabet::Hiragana => (0x3042, 80),
            Alphabet::Katakana => (0x30a2, 80),
            Alphabet::Hangul => (0xac00, 2000),
            Alphabet::Devanagari => (0x915, 37),
            Alphabet::Thai => (0xe01, 46),
        };
        char::from_u32(first + rng.random_range(0..count)).unwrap_or('x')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::BTreeMap;

    fn stats() -> TextStats {
        TextStats {
            min_chars: 3,
            max_chars: 40,
            chars: BTreeMap::from([(3, 0.5), (32, 0.5)]),
            bytes: BTreeMap::new(),
            empty_rate: 0.1,
            non_ascii_rate: 0.3,
            edge_space_rate: 0.0,
            scripts: BTreeMap::from([("Latin".into(), 0.5), ("Cyrillic".into(), 0.5)]),
            ..Default::default()
        }
    }

    #[test]
    fn follows_lengths_rates_and_the_type_limit() {
        let gen = TextGen::new("note", Some(&stats()), None, Some(35));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = String::new();
        let (mut empty, mut non_ascii, n) = (0, 0, 20_000);
        for _ in 0..n {
            gen.generate(&mut rng, &mut out);
            let chars = out.chars().count();
            assert!(chars <= 35, "{out:?}");
            assert!(chars == 0 || chars == 3 || chars >= 32, "{out:?}");
            empty += out.is_empty() as u32;
            non_ascii += !out.is_ascii() as u32;
        }
        assert!((empty as f64 / n as f64 - 0.1).abs() < 0.02);
        assert!((non_ascii as f64 / n as f64 - 0.27).abs() < 0.03);
    }
}
