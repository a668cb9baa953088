//! Synthetic text from a column's text model (see [`crate::profile::TextModel`]): formats,
//! made-up names and places, templates, words or letters, with lengths from the learned
//! histogram, each value's scripts drawn at their learned shares (so a rare script stays
//! present), and the special characters (no-break and zero-width spaces, emoji, decomposed
//! accents, typographic punctuation, edge spaces) added at their learned rates. A value never
//! breaks its format to fit a length: a shorter one is chosen instead.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::accents::Accents;
use super::alphabet::{Alphabet, ACCENTED};
use super::formats::{self, FormatGen};
use super::values::Choice;
use super::words::{Value, WordsGen};
use crate::profile::model::{bucket_end, Semantic, TextStats};
use crate::profile::{
    format_for, is_accented_latin, model_without_values, special_kinds, value_scripts, Format,
    Generator, Locale, TextModel, SPECIALS,
};

/// Generates one text column's values.
#[derive(Debug, Clone)]
pub struct TextGen {
    model: Model,
    lengths: Choice<(u32, u32)>,
    min_chars: u32,
    max_chars: u32,
    /// The type's limit (varchar(n)), which special characters must not push a value past.
    type_max: u32,
    /// Share of generated values made exactly `max_chars` long (values cut at the column's
    /// limit, as production text often is).
    at_max: f64,
    empty_rate: f64,
    /// Combinations of scripts other than Latin alone, by their share of generated values:
    /// indices into `script_combos`.
    scripts: Choice<usize>,
    /// Each combination's alphabets and its name as the profile writes it (`Han+Hiragana`).
    script_combos: Vec<(Vec<Alphabet>, String)>,
    letters: Letters,
    /// Accented letters of made-up Latin values (names, companies, words), at the column's
    /// rate; none for formats, codes and letters, which keep their own.
    accents: Option<Accents>,
    /// Rates of [`SPECIALS`] among generated non-empty values.
    specials: [f64; SPECIALS.len()],
    /// Whether any of them is above zero (else no draws are spent on them).
    any_specials: bool,
}

/// The most bytes [`TextGen::add_specials`] adds to a value (an emoji with a joiner is 12).
const SPECIALS_BYTES: usize = 32;

#[derive(Debug, Clone)]
enum Model {
    Format(FormatGen),
    /// A kind, and the locales Latin values are drawn in. `bare` drops a final period (`Mr`),
    /// for courtesy titles written without one.
    Semantic {
        generator: Generator,
        locales: Choice<Locale>,
        bare: bool,
        /// Whether the kind's lists have accented values to prefer when a value should carry
        /// one (names and cities, in locales).
        asks_accents: bool,
    },
    Template(Choice<String>),
    Words(Box<WordsGen>),
    Letters,
}

/// Random letters: the old fallback, and the text of values in scripts no model covers.
#[derive(Debug, Clone)]
struct Letters {
    non_ascii_rate: f64,
    words: bool,
    capitalized: bool,
}

impl TextGen {
    /// `max_chars` is the type's limit (varchar(n), char(n)), if any; `frequent` the values
    /// drawn before this generator, with their shares, so that rates are met over the column.
    pub fn new(
        column: &str,
        stats: Option<&TextStats>,
        model: Option<&TextModel>,
        semantic: Option<Semantic>,
        max_chars: Option<u32>,
        frequent: &[(String, f64)],
    ) -> TextGen {
        let type_max = max_chars.unwrap_or(u32::MAX);
        let fallback;
        let model = match model {
            Some(m) => m,
            None => {
                fallback = model_without_values(column, semantic, stats);
                &fallback
            }
        };
        let Some(stats) = stats else {
            return TextGen::plain(model, type_max);
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
        let rest = Rest::new(frequent);
        let (scripts, script_combos) = script_choice(stats, &rest);
        let shape_starts_upper: f64 = stats
            .shapes
            .iter()
            .filter(|s| s.value.starts_with('A'))
            .map(|s| s.share)
            .sum();
        let empty_rate = rest.rate(stats.empty_rate, |v| v.is_empty());
        let at_max = at_max_rate(stats, &rest, empty_rate);
        let specials = special_rates(stats, &rest, empty_rate);
        let model = Model::new(model, stats);
        let accents = accent_rate(&model, stats, &rest, &scripts, empty_rate)
            .map(|rate| Accents::new(rate, &stats.accents, accenting(&model) == Some(true)));
        TextGen {
            model,
            lengths,
            min_chars: stats.min_chars.min(type_max),
            max_chars: stats
                .max_chars
                .min(type_max)
                .max(stats.min_chars.min(type_max)),
            type_max,
            at_max: if stats.max_chars <= type_max {
                at_max.min(1.0)
            } else {
                0.0
            },
            empty_rate,
            scripts,
            script_combos,
            letters: Letters {
                non_ascii_rate: stats.non_ascii_rate,
                words: stats.scripts.get("Common").copied().unwrap_or(0.0) > 0.02,
                capitalized: shape_starts_upper * 2.0 >= stats.shapes.iter().map(|s| s.share).sum(),
            },
            accents,
            specials,
            any_specials: specials.iter().any(|&r| r > 0.0),
        }
    }

    /// For a column known only by its type (a DDL-only profile).
    fn plain(model: &TextModel, type_max: u32) -> TextGen {
        let max = type_max.min(24);
        TextGen {
            model: Model::new(model, &TextStats::default()),
            lengths: Choice::new(vec![((1.min(max), max + 1), 1.0)]),
            min_chars: 1.min(max),
            max_chars: max,
            type_max,
            at_max: 0.0,
            empty_rate: 0.0,
            scripts: Choice::new(Vec::new()),
            script_combos: Vec::new(),
            letters: Letters {
                non_ascii_rate: 0.0,
                words: true,
                capitalized: true,
            },
            accents: None,
            specials: [0.0; SPECIALS.len()],
            any_specials: false,
        }
    }

    /// Writes one value into `out` (cleared first).
    pub fn generate(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        out.clear();
        if rng.random::<f64>() < self.empty_rate {
            return;
        }
        let max = self.max_chars as usize;
        let cut = self.at_max > 0.0 && rng.random::<f64>() < self.at_max;
        let target = if cut { max } else { self.target_length(rng) };
        // Room for the value and its special characters at once: a 200 MB value regrown as it
        // passes its capacity would briefly take twice its size, for the copy.
        out.reserve(target + SPECIALS_BYTES);
        match (self.scripts.sample(rng), &self.model) {
            (Some(&i), Model::Words(words)) => {
                let (alphabets, script) = &self.script_combos[i];
                let value = Value {
                    script,
                    alphabets,
                    target,
                    max,
                };
                words.generate(rng, &value, out)
            }
            (Some(&i), _) => {
                let (alphabets, names) = &self.script_combos[i];
                self.foreign(alphabets, names, target, rng, out)
            }
            (None, model) => {
                let wanted = self.accents.as_ref().map(|a| a.wanted(rng));
                model.generate(&self.letters, target, max, wanted, rng, out);
                if let (Some(accents), Some(wanted)) = (&self.accents, wanted) {
                    accents.apply(wanted, max, rng, out);
                }
            }
        }
        if cut {
            self.fill_to(max, rng, out);
        }
        // Bytes bound characters: most values need no count.
        if out.len() > max {
            if let Some((cut, _)) = out.char_indices().nth(max) {
                out.truncate(cut);
            }
        }
        if self.any_specials {
            self.add_specials(rng, out);
        }
    }

    /// Lengthens a value of words or letters past `max` characters with more of the same, so
    /// that cutting it leaves exactly `max`; values in a format or of a kind are never cut.
    fn fill_to(&self, max: usize, rng: &mut ChaCha8Rng, out: &mut String) {
        if !matches!(self.model, Model::Words(_) | Model::Letters) {
            return;
        }
        let mut more = String::new();
        for _ in 0..8 {
            if out.chars().count() >= max {
                return;
            }
            more.clear();
            self.model
                .generate(&self.letters, max, max, None, rng, &mut more);
            if more.is_empty() {
                return;
            }
            out.push(' ');
            out.push_str(&more);
        }
    }

    fn target_length(&self, rng: &mut ChaCha8Rng) -> usize {
        let fallback = (self.min_chars, self.max_chars + 1);
        let (lo, hi) = *self.lengths.sample_normalized(rng).unwrap_or(&fallback);
        let lo = lo.max(self.min_chars).max(1);
        let hi = hi.min(self.max_chars + 1).max(lo + 1);
        rng.random_range(lo..hi) as usize
    }

    /// A value in non-Latin scripts: names from `fake` in that locale where the model makes
    /// names and `fake` has them, else letters of those scripts in words.
    fn foreign(
        &self,
        alphabets: &[Alphabet],
        names: &str,
        target: usize,
        rng: &mut ChaCha8Rng,
        out: &mut String,
    ) {
        if let Model::Semantic { generator: g, .. } = self.model {
            let person = matches!(
                g,
                Generator::FirstName | Generator::LastName | Generator::FullName
            );
            if person && formats::has_names(names) && !names.contains("Latin") {
                let want = formats::Want {
                    target,
                    max: self.max_chars as usize,
                    non_ascii: None,
                };
                return formats::semantic(g, names, None, want, rng, out);
            }
        }
        // Mixed scripts share the value in runs, so even a short value shows each of them.
        let share = (target / alphabets.len()).max(1);
        let run = if alphabets.len() > 1 {
            share..share + 1
        } else {
            2..8
        };
        let mut word_left = rng.random_range(run.clone());
        let mut script = 0;
        for i in 0..target {
            if word_left == 0 {
                word_left = rng.random_range(run.clone());
                script = (script + 1) % alphabets.len();
                if self.letters.words && i + 1 < target {
                    out.push(' ');
                    continue;
                }
            }
            let upper = self.letters.capitalized && (i == 0 || out.ends_with(' '));
            out.push(alphabets[script].letter(rng, upper));
            word_left -= 1;
        }
    }

    /// Adds each special character or form at its rate, within the type's limit.
    fn add_specials(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        if out.is_empty() {
            return;
        }
        let r = &self.specials;
        let mut chance = |i: usize| rng.random::<f64>() < r[i];
        let (combining, typographic, nbsp, zero_width) =
            (chance(4), chance(5), chance(0), chance(1));
        let (zwj, emoji) = (chance(3), chance(2));
        let (leading, trailing) = (chance(6), chance(7));
        let room = |out: &String, n: usize| out.chars().count() + n <= self.type_max as usize;
        if combining && room(out, 1) {
            add_combining(rng, out);
        }
        if typographic && room(out, 1) {
            add_typographic(rng, out);
        }
        if nbsp && room(out, 1) {
            match out.find(' ') {
                Some(at) => out.replace_range(at..at + 1, "\u{a0}"),
                None => insert_inside(rng, out, '\u{a0}'),
            }
        }
        if zero_width && room(out, 1) {
            insert_inside(rng, out, '\u{200b}');
        }
        if zwj && room(out, 4) {
            out.push_str(" \u{1f469}\u{200d}\u{1f4bb}");
        } else if emoji && room(out, 2) {
            out.push_str(
                [" \u{1f600}", " \u{1f44d}", " \u{2764}", " \u{1f3b5}"][rng.random_range(0..4)],
            );
        }
        if leading && room(out, 1) {
            out.insert(0, ' ');
        }
        if trailing && room(out, 1) {
            out.push(' ');
        }
    }
}

impl Model {
    fn new(model: &TextModel, stats: &TextStats) -> Model {
        let shapes = |digits_only: bool| {
            Choice::new(
                stats
                    .shapes
                    .iter()
                    .filter(|s| !digits_only || !s.value.chars().any(char::is_alphabetic))
                    .map(|s| (s.value.clone(), s.share))
                    .collect(),
            )
        };
        match model {
            TextModel::Format { format, parts, .. } => Model::Format(FormatGen {
                format: *format,
                parts: Choice::new(parts.iter().map(|p| (p.value.clone(), p.share)).collect()),
                templates: shapes(true),
            }),
            TextModel::Semantic { generator, locales } => Model::Semantic {
                generator: *generator,
                locales: Choice::new(locales.iter().map(|l| (l.locale, l.share)).collect()),
                bare: *generator == Generator::Honorific
                    && !stats.shapes.is_empty()
                    && !stats.shapes.iter().any(|s| s.value.ends_with('.')),
                asks_accents: !locales.is_empty()
                    && matches!(
                        generator,
                        Generator::FirstName
                            | Generator::LastName
                            | Generator::FullName
                            | Generator::City
                    ),
            },
            TextModel::Template => Model::Template(shapes(false)),
            TextModel::Words(words) => Model::Words(Box::new(WordsGen::new(words))),
            // A lookup column is generated by row (see `Kind::Lookup`); as text, letters.
            TextModel::Letters | TextModel::Lookup { .. } => Model::Letters,
        }
    }

    /// `accent` says whether the value should carry an accented letter, if that is decided.
    fn generate(
        &self,
        letters: &Letters,
        target: usize,
        max: usize,
        accent: Option<bool>,
        rng: &mut ChaCha8Rng,
        out: &mut String,
    ) {
        match self {
            Model::Format(f) => f.generate(rng, target, max, out),
            Model::Semantic {
                generator,
                locales,
                bare,
                asks_accents,
            } => {
                if *generator == Generator::Honorific {
                    let locale = locales.sample_normalized(rng).copied();
                    formats::honorific(locale, *bare, rng, target, max, out)
                } else {
                    let want = formats::Want {
                        target,
                        max,
                        non_ascii: accent.filter(|_| *asks_accents),
                    };
                    formats::semantic(*generator, "Latin", Some(locales), want, rng, out)
                }
            }
            Model::Template(shapes) => match shapes.sample_normalized(rng) {
                Some(shape) => formats::fill_template(shape, rng, out),
                None => letters.fill(target, rng, out),
            },
            Model::Words(w) => {
                let value = Value {
                    script: "Latin",
                    alphabets: &[],
                    target,
                    max,
                };
                w.generate(rng, &value, out)
            }
            Model::Letters => letters.fill(target, rng, out),
        }
    }
}

impl Letters {
    fn fill(&self, len: usize, rng: &mut ChaCha8Rng, out: &mut String) {
        let non_ascii = rng.random::<f64>() < self.non_ascii_rate;
        let mut word_left = rng.random_range(2..10usize);
        let mut accent_at = if non_ascii {
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
                Alphabet::Latin.letter(rng, upper)
            };
            out.push(c);
            word_left = word_left.saturating_sub(1);
        }
    }
}

/// What the frequent values, drawn before the generator, already supply of a rate.
struct Rest<'a> {
    frequent: &'a [(String, f64)],
    covered: f64,
}

impl<'a> Rest<'a> {
    fn new(frequent: &'a [(String, f64)]) -> Self {
        Rest {
            frequent,
            covered: frequent.iter().map(|f| f.1).sum::<f64>().min(1.0),
        }
    }

    /// The rate among generated values that makes `rate` over the whole column, given the
    /// frequent values for which `holds` is true.
    fn rate(&self, rate: f64, holds: impl Fn(&str) -> bool) -> f64 {
        if self.covered >= 1.0 {
            return 0.0;
        }
        let supplied: f64 = self
            .frequent
            .iter()
            .filter(|f| holds(&f.0))
            .map(|f| f.1)
            .sum();
        ((rate - supplied) / (1.0 - self.covered)).clamp(0.0, 1.0)
    }
}

/// The share of generated non-empty values cut to exactly the longest length, beyond those the
/// length histogram already gives it: lengths up to 32 have a bucket each, so only a longer
/// maximum, whose bucket spreads its share over many lengths, needs it.
fn at_max_rate(stats: &TextStats, rest: &Rest, empty_rate: f64) -> f64 {
    let max = stats.max_chars;
    if max <= 32 || stats.at_max_rate <= 0.0 {
        return 0.0;
    }
    let rate = rest.rate(stats.at_max_rate, |v| v.chars().count() == max as usize)
        / (1.0 - empty_rate).max(1e-9);
    // What the histogram's last bucket gives the longest length by chance.
    let by_chance = stats
        .chars
        .range(..=max)
        .next_back()
        .map_or(0.0, |(&floor, &share)| share / (max + 1 - floor) as f64);
    ((rate - by_chance) / (1.0 - by_chance).max(1e-9)).clamp(0.0, 1.0)
}

/// Whether a text column holds email addresses, by its detected semantic or its name: the one
/// decision value and key generation share.
pub fn is_email(column: &str, semantic: Option<Semantic>) -> bool {
    format_for(column, semantic, false) == Some(Format::Email)
        || super::defaults::name_suggests_email(column)
}

/// Combinations of scripts other than Latin alone that values use, as shares of generated
/// values, with the alphabets that write them.
fn script_choice(stats: &TextStats, rest: &Rest) -> (Choice<usize>, Vec<(Vec<Alphabet>, String)>) {
    let mut weighted = Vec::new();
    let mut combos = Vec::new();
    for (combo, &share) in stats.value_scripts.iter().filter(|(c, _)| *c != "Latin") {
        let alphabets: Vec<Alphabet> = combo.split('+').filter_map(Alphabet::for_script).collect();
        let rate = rest.rate(share, |v| {
            value_scripts(v).as_deref() == Some(combo.as_str())
        });
        if !alphabets.is_empty() && rate > 0.0 {
            weighted.push((combos.len(), rate));
            combos.push((alphabets, combo.clone()));
        }
    }
    (Choice::new(weighted), combos)
}

/// The share of generated non-empty Latin values that should carry an accented letter, for
/// the models that take accents: made-up names, places, companies and titles, and words. It is
/// the learned rate less what frequent values supply, over the values not written in other
/// scripts. A profile written before `accented_rate` has only the non-ASCII rate, which counts
/// other scripts and typographic punctuation too: from it only names and cities in locales,
/// whose lists hold accents, are given them.
fn accent_rate(
    model: &Model,
    stats: &TextStats,
    rest: &Rest,
    foreign: &Choice<usize>,
    empty_rate: f64,
) -> Option<f64> {
    let takes = match stats.accented_rate {
        Some(_) => accenting(model).is_some(),
        None => matches!(
            model,
            Model::Semantic {
                asks_accents: true,
                ..
            }
        ),
    };
    if !takes {
        return None;
    }
    let non_empty = (1.0 - empty_rate).max(1e-9);
    let foreign = foreign.total().min(1.0);
    let latin = match stats.accented_rate {
        Some(rate) => {
            let generated = rest.rate(rate, |v| v.chars().any(is_accented_latin)) / non_empty;
            generated / (1.0 - foreign).max(1e-9)
        }
        None => {
            let generated = rest.rate(stats.non_ascii_rate, |v| !v.is_ascii()) / non_empty;
            (generated - foreign) / (1.0 - foreign).max(1e-9)
        }
    };
    Some(latin.clamp(0.0, 1.0)).filter(|r| r.is_finite())
}

/// How a model's values take accents: `None` when they keep their own (formats, codes,
/// letters), else whether they may be given one (`Some(true)`: made-up names, places,
/// companies, words) or only have theirs taken off (`Some(false)`: values from lists of real
/// ones, states and courtesy and job titles, which an accent would misspell).
fn accenting(model: &Model) -> Option<bool> {
    use Generator::*;
    match model {
        Model::Words(_) => Some(true),
        Model::Semantic { generator, .. } => match generator {
            FirstName | LastName | FullName | City | Street | Company => Some(true),
            Honorific | State | JobTitle => Some(false),
            Country | CountryCode | StateAbbr | PostalCode | Phone => None,
        },
        Model::Format(_) | Model::Template(_) | Model::Letters => None,
    }
}

/// The rates of [`SPECIALS`] among generated non-empty values.
fn special_rates(stats: &TextStats, rest: &Rest, empty_rate: f64) -> [f64; SPECIALS.len()] {
    let mut rates = [0.0; SPECIALS.len()];
    for (i, name) in SPECIALS.iter().enumerate() {
        let learned = match (stats.specials.get(*name), *name) {
            (Some(&r), _) => r,
            // Profiles without special rates: edge spaces, half leading and half trailing.
            (None, "leading_space" | "trailing_space") if stats.specials.is_empty() => {
                stats.edge_space_rate / 2.0
            }
            (None, _) => 0.0,
        };
        let generated = rest.rate(learned, |v| special_kinds(v) >> i & 1 == 1);
        rates[i] = (generated / (1.0 - empty_rate).max(1e-9)).min(1.0);
    }
    // An emoji joined by a zero-width joiner is also an emoji: plain emoji make up the rest.
    rates[2] = ((rates[2] - rates[3]) / (1.0 - rates[3]).max(1e-9)).clamp(0.0, 1.0);
    rates
}

/// Decomposes one accent-able vowel: `e` becomes `e` + U+0301.
fn add_combining(rng: &mut ChaCha8Rng, out: &mut String) {
    let vowels = || {
        out.char_indices()
            .filter(|(_, c)| "aeiouAEIOU".contains(*c))
            .map(|(i, _)| i)
    };
    let at = match vowels().count() {
        0 => out.len(),
        n => vowels().nth(rng.random_range(0..n)).expect("counted") + 1,
    };
    out.insert(at, '\u{301}');
}

/// A typographic apostrophe for a straight one, else a dash between words, else an ellipsis.
fn add_typographic(rng: &mut ChaCha8Rng, out: &mut String) {
    if let Some(at) = out.find('\'') {
        out.replace_range(at..at + 1, "\u{2019}");
    } else if let Some(at) = out.find(' ').filter(|_| rng.random::<bool>()) {
        out.replace_range(at..at + 1, " \u{2013} ");
    } else {
        out.push('\u{2026}');
    }
}

/// Inserts `c` between two characters of `out` (at its end when it has one character).
fn insert_inside(rng: &mut ChaCha8Rng, out: &mut String, c: char) {
    let bounds = || out.char_indices().map(|(i, _)| i).skip(1);
    let at = match bounds().count() {
        0 => out.len(),
        n => bounds().nth(rng.random_range(0..n)).expect("counted"),
    };
    out.insert(at, c);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::BTreeMap;

    /// The share of `n` values from `gen` (seeded with `seed`) for which `holds` is true.
    fn share_where(gen: &TextGen, seed: u64, n: usize, mut holds: impl FnMut(&str) -> bool) -> f64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = String::new();
        let hits = (0..n)
            .filter(|_| {
                gen.generate(&mut rng, &mut out);
                holds(&out)
            })
            .count();
        hits as f64 / n as f64
    }

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
        let gen = TextGen::new("note", Some(&stats()), None, None, Some(35), &[]);
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

    #[test]
    fn made_up_names_carry_accents_at_the_learned_rate() {
        use crate::profile::textmodel::LocaleShare;
        let stats = TextStats {
            min_chars: 3,
            max_chars: 12,
            chars: BTreeMap::from([(4, 0.3), (5, 0.3), (6, 0.2), (7, 0.2)]),
            non_ascii_rate: 0.3,
            scripts: BTreeMap::from([("Latin".into(), 1.0)]),
            value_scripts: BTreeMap::from([("Latin".into(), 1.0)]),
            ..Default::default()
        };
        let model = TextModel::Semantic {
            generator: Generator::FirstName,
            // English names have no accents, a quarter of French first names do.
            locales: vec![
                LocaleShare {
                    locale: Locale::En,
                    share: 0.5,
                },
                LocaleShare {
                    locale: Locale::FrFr,
                    share: 0.5,
                },
            ],
        };
        let gen = TextGen::new(
            "first_name",
            Some(&stats),
            Some(&model),
            None,
            Some(40),
            &[],
        );
        let rate = share_where(&gen, 5, 4000, |v| !v.is_ascii());
        assert!((rate - 0.3).abs() < 0.03, "{rate}");
    }

    #[test]
    fn made_up_values_carry_the_columns_own_accents_at_its_rate() {
        use crate::profile::textmodel::LocaleShare;
        let stats = |accented: f64| TextStats {
            min_chars: 4,
            max_chars: 30,
            chars: BTreeMap::from([(8, 0.2), (12, 0.3), (16, 0.3), (20, 0.2)]),
            non_ascii_rate: accented,
            accented_rate: Some(accented),
            accents: BTreeMap::from([("é".into(), 0.15), ("ü".into(), 0.1)]),
            scripts: BTreeMap::from([("Latin".into(), 1.0)]),
            value_scripts: BTreeMap::from([("Latin".into(), 1.0)]),
            ..Default::default()
        };
        let rate_of = |stats: &TextStats, model: &TextModel| {
            let gen = TextGen::new("c", Some(stats), Some(model), None, Some(40), &[]);
            let mut letters = BTreeMap::<char, u32>::new();
            let rate = share_where(&gen, 9, 4000, |v| {
                for c in v.chars().filter(|c| !c.is_ascii()) {
                    *letters.entry(c).or_default() += 1;
                }
                !v.is_ascii()
            });
            (rate, letters)
        };
        // `fake`'s English company names have no accents: they come from the column's letters.
        let company = TextModel::Semantic {
            generator: Generator::Company,
            locales: Vec::new(),
        };
        let (rate, letters) = rate_of(&stats(0.25), &company);
        assert!((rate - 0.25).abs() < 0.025, "{rate}");
        // Mostly the column's letters; a common one where a name has no `e` or `u`.
        let own: u32 = letters
            .iter()
            .filter(|(c, _)| "éüÉÜ".contains(**c))
            .map(|e| e.1)
            .sum();
        assert!(
            own as f64 >= 0.75 * letters.values().sum::<u32>() as f64,
            "{letters:?}"
        );
        // French names at a rate of 0: the accents of the list's names are taken off.
        let names = TextModel::Semantic {
            generator: Generator::FirstName,
            locales: vec![LocaleShare {
                locale: Locale::FrFr,
                share: 1.0,
            }],
        };
        assert_eq!(rate_of(&stats(0.0), &names).0, 0.0);
    }

    #[test]
    fn values_cut_at_the_longest_length_keep_their_rate() {
        let stats = TextStats {
            min_chars: 5,
            max_chars: 60,
            at_max_rate: 0.3,
            chars: BTreeMap::from([(5, 0.4), (48, 0.6)]),
            scripts: BTreeMap::from([("Latin".into(), 0.8), ("Common".into(), 0.2)]),
            ..Default::default()
        };
        let model = TextModel::Letters;
        let gen = TextGen::new("note", Some(&stats), Some(&model), None, Some(60), &[]);
        let rate = share_where(&gen, 3, 20_000, |v| v.chars().count() == 60);
        assert!((rate - 0.3).abs() < 0.02, "{rate}");
    }

    #[test]
    fn rare_scripts_and_special_characters_keep_their_rates() {
        let mut stats = stats();
        stats.empty_rate = 0.0;
        stats.value_scripts = BTreeMap::from([
            ("Latin".into(), 0.9),
            ("Arabic".into(), 0.01),
            ("Han+Hiragana".into(), 0.04),
        ]);
        stats.specials = BTreeMap::from([
            ("nbsp".into(), 0.05),
            ("emoji".into(), 0.03),
            ("emoji_zwj".into(), 0.02),
            ("combining".into(), 0.04),
            ("trailing_space".into(), 0.02),
        ]);
        // A frequent value already supplies half the no-break spaces.
        let frequent = vec![("a\u{a0}b".to_string(), 0.025)];
        let gen = TextGen::new("note", Some(&stats), None, None, None, &frequent);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut out = String::new();
        let n = 40_000;
        let mut found = [0u32; SPECIALS.len()];
        let (mut arabic, mut japanese) = (0, 0);
        for _ in 0..n {
            gen.generate(&mut rng, &mut out);
            let kinds = special_kinds(&out);
            for (i, f) in found.iter_mut().enumerate() {
                *f += (kinds >> i & 1) as u32;
            }
            let scripts = value_scripts(&out).unwrap_or_default();
            arabic += (scripts == "Arabic") as u32;
            japanese += scripts.contains("Hiragana") as u32;
        }
        let generated = n as f64 / (1.0 - 0.025);
        let rate = |k: u32| k as f64 / generated;
        assert!(
            (rate(found[0]) + 0.025 - 0.05).abs() < 0.005,
            "nbsp {}",
            rate(found[0])
        );
        assert!(
            (rate(found[2]) - 0.03).abs() < 0.005,
            "emoji {}",
            rate(found[2])
        );
        assert!(
            (rate(found[3]) - 0.02).abs() < 0.005,
            "zwj {}",
            rate(found[3])
        );
        assert!(
            (rate(found[4]) - 0.04).abs() < 0.005,
            "combining {}",
            rate(found[4])
        );
        assert!(
            (rate(found[7]) - 0.02).abs() < 0.005,
            "trailing {}",
            rate(found[7])
        );
        assert!(
            (rate(arabic) - 0.01).abs() < 0.003,
            "arabic {}",
            rate(arabic)
        );
        assert!(
            (rate(japanese) - 0.04).abs() < 0.006,
            "japanese {}",
            rate(japanese)
        );
    }
}
