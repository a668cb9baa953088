//! Text statistics: lengths in characters and bytes, scripts (per character and per value),
//! shapes, the awkward cases (empty strings, non-ASCII, edge white space, the [`SPECIALS`]),
//! what the column seems to hold, and the text model chosen from all that (see
//! [`textmodel`](super::textmodel)).

use std::collections::BTreeMap;

use unicode_script::UnicodeScript;

use super::locale::{honorific_locale_shares, is_honorific, is_job_title, locale_shares};
use super::model::{bucket_floor, round_share, Semantic, TextStats};
use super::privacy::Guard;
use super::sketch::ValueCounter;
use super::textmodel::{Format, Generator, LocaleShare, TextModel, WordList};
use super::words::{is_combining, WordsAccumulator};

/// The awkward characters and forms whose share of values a profile records, so generated text
/// has them at the same rates: no-break spaces, zero-width characters (not joiners), emoji,
/// emoji joined by a zero-width joiner, combining marks (decomposed accents, NFD), typographic
/// quotes, dashes and ellipses, and leading or trailing white space.
pub const SPECIALS: [&str; 8] = [
    "nbsp",
    "zero_width",
    "emoji",
    "emoji_zwj",
    "combining",
    "typographic",
    "leading_space",
    "trailing_space",
];

/// Dominant shapes (kept by the guard) covering this share of values make a column a template.
const TEMPLATE_COVERAGE: f64 = 0.5;
/// Shapes without lowercase letters or spaces covering this share make a column of codes.
const CODE_COVERAGE: f64 = 0.8;

/// Most distinct values read to tell a column's locales.
const LOCALE_VALUES: usize = 20_000;

/// Share of values that must be courtesy titles for a column to be generated as ones.
const HONORIFIC_SHARE: f64 = 0.8;

/// Share of values that must look like job titles for a column to be generated as made-up
/// ones, when its own words do not cover it.
const JOB_TITLE_SHARE: f64 = 0.6;

/// A words model with more unknown words than this does not cover a column of job titles.
const JOB_WORDS_UNKNOWN: f64 = 0.5;

/// Values longer than this get no shape.
const SHAPE_MAX_CHARS: usize = 24;

/// Values longer than this (in bytes) are documents, not literals: they are counted by hash
/// (for the distinct count) and never kept whole, so memory does not grow with their length.
pub const LONG_VALUE_BYTES: usize = 4_096;

#[derive(Debug, Clone, Default)]
pub struct TextAccumulator {
    count: u64,
    chars: BTreeMap<u32, u64>,
    bytes: BTreeMap<u32, u64>,
    min_chars: Option<u32>,
    max_chars: u32,
    /// Values exactly `max_chars` long.
    at_max: u64,
    total_chars: u64,
    empty: u64,
    non_ascii: u64,
    edge_space: u64,
    scripts: BTreeMap<&'static str, u64>,
    pub(super) values: ValueCounter<String>,
    /// Values longer than [`LONG_VALUE_BYTES`], by hash.
    long_values: ValueCounter<i64>,
    shapes: ValueCounter<String>,
    looks: Looks,
    /// Values holding each of [`SPECIALS`].
    specials: [u64; SPECIALS.len()],
    /// Values per combination of scripts (`Han+Hiragana`).
    value_scripts: BTreeMap<String, u64>,
    /// Values holding a Latin letter beyond ASCII, and values holding each such letter.
    accented: u64,
    accents: BTreeMap<char, u64>,
    words: WordsAccumulator,
    /// Email domains and phone country codes (`+55`).
    parts: ValueCounter<String>,
    /// Reused buffer for shapes, so a row costs no allocation unless its shape is new.
    shape_buf: String,
    /// The head every value shares when each is that head followed by digits (`s17`,
    /// `INV-0042`).
    counter: CounterHead,
}

/// The head every value of a counter column shares, once a value was seen.
#[derive(Debug, Clone, Default, PartialEq)]
enum CounterHead {
    #[default]
    Unseen,
    Head(String),
    /// Values that are no counter, or counters with different heads.
    Mixed,
}

impl CounterHead {
    fn observe(&mut self, v: &str) {
        let head = counter_head(v);
        *self = match (std::mem::take(self), head) {
            (CounterHead::Unseen, Some(h)) => CounterHead::Head(h.to_string()),
            (CounterHead::Head(seen), Some(h)) if seen == h => CounterHead::Head(seen),
            _ => CounterHead::Mixed,
        };
    }

    fn merge(&mut self, other: CounterHead) {
        *self = match (std::mem::take(self), other) {
            (CounterHead::Unseen, other) => other,
            (mine, CounterHead::Unseen) => mine,
            (CounterHead::Head(a), CounterHead::Head(b)) if a == b => CounterHead::Head(a),
            _ => CounterHead::Mixed,
        };
    }
}

/// The head of a counter value: the non-empty part before its digits when digits (at most 18)
/// end it and the head holds none and is at most 16 bytes.
fn counter_head(v: &str) -> Option<&str> {
    let digits = v.bytes().rev().take_while(u8::is_ascii_digit).count();
    let head = &v[..v.len() - digits];
    let fits = (1..=18).contains(&digits) && !head.is_empty() && head.len() <= 16;
    (fits && !head.bytes().any(|b| b.is_ascii_digit())).then_some(head)
}

/// Counts of values that look like one kind of thing.
#[derive(Debug, Clone, Default)]
struct Looks {
    email: u64,
    phone: u64,
    url: u64,
    uuid: u64,
    name: u64,
    spaced: u64,
    /// Values of digits and separators only (`123-45-6789`, `4111 1111 1111 1111`).
    digit_groups: u64,
    /// Courtesy titles (`Ms.`) and job titles (`Sales Manager`).
    honorific: u64,
    job_title: u64,
}

impl TextAccumulator {
    pub fn observe(&mut self, v: &str) {
        self.count += 1;
        let ascii = v.is_ascii();
        let chars = if ascii { v.len() } else { v.chars().count() } as u32;
        *self
            .chars
            .entry(bucket_floor(chars as u64) as u32)
            .or_insert(0) += 1;
        *self
            .bytes
            .entry(bucket_floor(v.len() as u64) as u32)
            .or_insert(0) += 1;
        self.min_chars = Some(self.min_chars.map_or(chars, |m| m.min(chars)));
        match chars.cmp(&self.max_chars) {
            std::cmp::Ordering::Greater => (self.max_chars, self.at_max) = (chars, 1),
            std::cmp::Ordering::Equal => self.at_max += 1,
            std::cmp::Ordering::Less => {}
        }
        self.total_chars += chars as u64;
        self.empty += v.is_empty() as u64;
        self.non_ascii += !ascii as u64;
        self.edge_space +=
            (v.starts_with(char::is_whitespace) || v.ends_with(char::is_whitespace)) as u64;
        self.count_scripts(v, ascii);
        let found = special_kinds(v);
        for (i, n) in self.specials.iter_mut().enumerate() {
            *n += (found >> i & 1) as u64;
        }
        self.count_value_script(v, ascii);
        if !ascii {
            self.count_accents(v);
        }
        self.words.observe(v);
        if let Some(part) = literal_part(v) {
            self.parts.insert(part);
        }
        if v.len() > LONG_VALUE_BYTES {
            self.long_values
                .insert(&(crate::hashing::hash_bytes(v.as_bytes()) as i64));
        } else {
            self.values.insert(v);
        }
        if (chars as usize) <= SHAPE_MAX_CHARS {
            shape_into(v, &mut self.shape_buf);
            self.shapes.insert(self.shape_buf.as_str());
        }
        self.looks.observe(v);
        self.counter.observe(v);
    }

    fn count_scripts(&mut self, v: &str, ascii: bool) {
        if ascii {
            let letters = v.bytes().filter(u8::is_ascii_alphabetic).count() as u64;
            *self.scripts.entry("Latin").or_insert(0) += letters;
            *self.scripts.entry("Common").or_insert(0) += v.len() as u64 - letters;
            return;
        }
        for c in v.chars() {
            let script = match c.script() {
                unicode_script::Script::Inherited => "Inherited",
                s => s.full_name(),
            };
            *self.scripts.entry(script).or_insert(0) += 1;
        }
    }

    fn count_value_script(&mut self, v: &str, ascii: bool) {
        if ascii {
            if v.bytes().any(|b| b.is_ascii_alphabetic()) {
                *self.value_scripts.entry("Latin".into()).or_insert(0) += 1;
            }
        } else if let Some(key) = value_scripts(v) {
            *self.value_scripts.entry(key).or_insert(0) += 1;
        }
    }

    /// Counts a value's accented Latin letters, each once.
    fn count_accents(&mut self, v: &str) {
        let mut seen: Vec<char> = Vec::new();
        for c in v.chars().filter(|&c| is_accented_latin(c)) {
            if !seen.contains(&c) {
                seen.push(c);
                *self.accents.entry(c).or_insert(0) += 1;
            }
        }
        self.accented += !seen.is_empty() as u64;
    }

    pub fn merge(&mut self, other: TextAccumulator) {
        self.count += other.count;
        self.accented += other.accented;
        add_counts(&mut self.accents, other.accents);
        for (a, b) in self.specials.iter_mut().zip(other.specials) {
            *a += b;
        }
        add_counts(&mut self.value_scripts, other.value_scripts);
        self.words.merge(other.words);
        self.parts.merge(other.parts);
        add_counts(&mut self.chars, other.chars);
        add_counts(&mut self.bytes, other.bytes);
        self.min_chars = match (self.min_chars, other.min_chars) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match other.max_chars.cmp(&self.max_chars) {
            std::cmp::Ordering::Greater => {
                (self.max_chars, self.at_max) = (other.max_chars, other.at_max)
            }
            std::cmp::Ordering::Equal => self.at_max += other.at_max,
            std::cmp::Ordering::Less => {}
        }
        self.total_chars += other.total_chars;
        self.empty += other.empty;
        self.non_ascii += other.non_ascii;
        self.edge_space += other.edge_space;
        add_counts(&mut self.scripts, other.scripts);
        self.values.merge(other.values);
        self.long_values.merge(other.long_values);
        self.shapes.merge(other.shapes);
        self.counter.merge(other.counter);
        let (a, b) = (&mut self.looks, other.looks);
        a.email += b.email;
        a.phone += b.phone;
        a.url += b.url;
        a.uuid += b.uuid;
        a.name += b.name;
        a.spaced += b.spaced;
        a.digit_groups += b.digit_groups;
        a.honorific += b.honorific;
        a.job_title += b.job_title;
    }

    /// Distinct values (short and long), and whether the count is exact.
    pub fn distinct(&self) -> (u64, bool) {
        (
            self.values.distinct() + self.long_values.distinct(),
            self.values.is_exact() && self.long_values.is_exact(),
        )
    }

    pub fn finish(&self, guard: &Guard) -> Option<TextStats> {
        let min_chars = self.min_chars?;
        let rate = |n: u64| round_share(n as f64 / self.count as f64);
        let total_script_chars: u64 = self.scripts.values().sum();
        Some(TextStats {
            min_chars,
            max_chars: self.max_chars,
            at_max_rate: rate(self.at_max),
            chars: shares_of(&self.chars, self.count),
            bytes: shares_of(&self.bytes, self.count),
            empty_rate: rate(self.empty),
            non_ascii_rate: rate(self.non_ascii),
            edge_space_rate: rate(self.edge_space),
            scripts: self
                .scripts
                .iter()
                .map(|(s, &n)| {
                    (
                        s.to_string(),
                        round_share(n as f64 / total_script_chars.max(1) as f64),
                    )
                })
                .collect(),
            shapes: guard.frequent(&self.shapes, self.count, |s| s.clone()),
            counter_prefix: match &self.counter {
                CounterHead::Head(head) if self.count >= guard.min_count => head.clone(),
                _ => String::new(),
            },
            value_scripts: self
                .value_scripts
                .iter()
                .map(|(k, &n)| (k.clone(), rate(n)))
                .collect(),
            specials: SPECIALS
                .iter()
                .zip(self.specials)
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| (name.to_string(), rate(n)))
                .collect(),
            accented_rate: Some(rate(self.accented)),
            accents: self
                .accents
                .iter()
                .filter(|(_, &n)| n >= guard.min_count)
                .map(|(c, &n)| (c.to_string(), rate(n)))
                .collect(),
        })
    }

    /// The text model for the column, given what it seems to hold and its finished statistics.
    /// A `personal` column's words model keeps only lowercase words (no names).
    pub fn model(
        &self,
        column_name: &str,
        semantic: Option<Semantic>,
        stats: &TextStats,
        guard: &Guard,
        personal: bool,
    ) -> TextModel {
        if let Some(format) = self.format(column_name, semantic) {
            let parts = match format {
                Format::Email | Format::Phone => {
                    guard.frequent(&self.parts, self.count, |s| s.clone())
                }
                _ => Vec::new(),
            };
            return TextModel::Format {
                format,
                parts,
                from_names: None,
            };
        }
        let templated: f64 = stats
            .shapes
            .iter()
            .filter(|s| s.value.contains('9'))
            .map(|s| s.share)
            .sum();
        if templated >= TEMPLATE_COVERAGE {
            return TextModel::Template;
        }
        let share = |n: u64| n as f64 / self.count.max(1) as f64;
        let by_value =
            (share(self.looks.honorific) >= HONORIFIC_SHARE).then_some(Generator::Honorific);
        if let Some(generator) = by_value.or_else(|| generator_for(column_name, semantic, stats)) {
            return TextModel::Semantic {
                generator,
                locales: self.locales(generator, guard),
            };
        }
        // Codes without lowercase letters (`AA`, `A-99`) that few shapes cover.
        let coded: f64 = stats
            .shapes
            .iter()
            .filter(|s| !s.value.contains('a') && !s.value.contains(' '))
            .map(|s| s.share)
            .sum();
        if coded >= CODE_COVERAGE {
            return TextModel::Template;
        }
        let mut words = self.words.finish(guard, personal);
        if share(self.looks.job_title) >= JOB_TITLE_SHARE {
            // Job titles whose words the guard mostly dropped (a small staff table) read
            // better as made-up titles; otherwise the words the guard dropped come from job
            // words, not from a general list.
            if words
                .as_ref()
                .is_none_or(|w| w.unknown_rate > JOB_WORDS_UNKNOWN)
            {
                return TextModel::Semantic {
                    generator: Generator::JobTitle,
                    locales: Vec::new(),
                };
            }
            if let Some(w) = words.as_mut() {
                w.word_list = Some(WordList::JobTitles);
            }
        }
        match words {
            Some(words) if semantic != Some(Semantic::PersonName) => TextModel::Words(words),
            _ => TextModel::Letters,
        }
    }

    /// The locales a column of names, cities or courtesy titles points to (see
    /// [`locale_shares`]), from its counted values; only shares leave, never a value.
    fn locales(&self, generator: Generator, guard: &Guard) -> Vec<LocaleShare> {
        use Generator::{City, FirstName, FullName, Honorific, LastName};
        if !matches!(
            generator,
            FirstName | LastName | FullName | City | Honorific
        ) {
            return Vec::new();
        }
        let values = self.values.top(LOCALE_VALUES);
        let counted = values.iter().map(|(v, n)| (v.as_str(), *n));
        let shares = if generator == Honorific {
            honorific_locale_shares(counted, guard.min_count)
        } else {
            locale_shares(counted, guard.min_count)
        };
        shares
            .into_iter()
            .map(|(locale, share)| LocaleShare { locale, share })
            .collect()
    }

    /// Length statistics for binary values, which have bytes but no characters.
    pub fn bytes_only(lengths: &BTreeMap<u32, u64>, count: u64) -> Option<TextStats> {
        let min = *lengths.keys().next()?;
        let max = *lengths.keys().next_back()?;
        Some(TextStats {
            min_chars: min,
            max_chars: max,
            chars: BTreeMap::new(),
            bytes: shares_of(lengths, count),
            empty_rate: round_share(
                lengths.get(&0).copied().unwrap_or(0) as f64 / count.max(1) as f64,
            ),
            non_ascii_rate: 0.0,
            edge_space_rate: 0.0,
            ..Default::default()
        })
    }

    /// What the values seem to be, if most of them (80 %) agree.
    pub fn semantic(&self, column_name: &str) -> Option<Semantic> {
        if self.count == 0 {
            return None;
        }
        let most = |n: u64| n as f64 >= 0.8 * self.count as f64;
        let l = &self.looks;
        let named_like_person = names_a_person(column_name);
        if most(l.email) {
            Some(Semantic::Email)
        } else if most(l.url) {
            Some(Semantic::Url)
        } else if most(l.uuid) {
            Some(Semantic::Uuid)
        } else if most(l.phone) {
            Some(Semantic::Phone)
        } else if named_like_person && most(l.name) {
            Some(Semantic::PersonName)
        } else if self.total_chars as f64 / self.count as f64 > 40.0 && most(l.spaced) {
            Some(Semantic::FreeText)
        } else {
            None
        }
    }

    /// A format most values follow, or that the column's name announces for values shaped so.
    fn format(&self, column_name: &str, semantic: Option<Semantic>) -> Option<Format> {
        let digits_only = self.looks.digit_groups as f64 >= 0.8 * self.count as f64;
        format_for(column_name, semantic, digits_only)
    }
}

/// The format a column holds: from what its values look like, or from its name when its values
/// are digit groups (`ssn`, `card_number`) or its name says IBAN.
/// The format a column's name and detected semantic imply, if any.
pub fn format_for(
    column_name: &str,
    semantic: Option<Semantic>,
    digits_only: bool,
) -> Option<Format> {
    let name = column_name.to_ascii_lowercase();
    match semantic {
        Some(Semantic::Email) => Some(Format::Email),
        Some(Semantic::Url) => Some(Format::Url),
        Some(Semantic::Uuid) => Some(Format::Uuid),
        _ if digits_only && (name.contains("ssn") || name.contains("social_security")) => {
            Some(Format::Ssn)
        }
        _ if name.contains("iban") => Some(Format::Iban),
        _ if digits_only && (name.contains("card_number") || name.contains("credit_card")) => {
            Some(Format::CardNumber)
        }
        Some(Semantic::Phone) => Some(Format::Phone),
        _ => None,
    }
}

/// The model for a column profiled without its values (a DDL-only profile, or one written
/// before text models existed): a format or a made-up kind from what is known, else letters.
pub fn model_without_values(
    column_name: &str,
    semantic: Option<Semantic>,
    stats: Option<&TextStats>,
) -> TextModel {
    if let Some(format) = format_for(column_name, semantic, false) {
        return TextModel::Format {
            format,
            parts: Vec::new(),
            from_names: None,
        };
    }
    let stats = stats.cloned().unwrap_or_default();
    let name = column_name.to_ascii_lowercase();
    let job =
        (name.contains("job_title") || name.contains("jobtitle")).then_some(Generator::JobTitle);
    match job.or_else(|| generator_for(column_name, semantic, &stats)) {
        Some(generator) => TextModel::Semantic {
            generator,
            locales: Vec::new(),
        },
        None => TextModel::Letters,
    }
}

impl Looks {
    fn observe(&mut self, v: &str) {
        self.spaced += v.contains(' ') as u64;
        self.digit_groups += (!v.is_empty()
            && v.bytes().any(|b| b.is_ascii_digit())
            && v.bytes().all(|b| b.is_ascii_digit() || b" -.".contains(&b)))
            as u64;
        self.honorific += is_honorific(v) as u64;
        self.job_title += is_job_title(v) as u64;
        match looks_like(v) {
            Some(Semantic::Email) => self.email += 1,
            Some(Semantic::Url) => self.url += 1,
            Some(Semantic::Uuid) => self.uuid += 1,
            Some(Semantic::Phone) => self.phone += 1,
            Some(Semantic::PersonName) => self.name += 1,
            Some(Semantic::FreeText) | None => {}
        }
    }
}

/// What one value looks like on its own: an email, a URL, a UUID, a phone number, or a
/// person's name (one to three capitalised words). Free text is a column-level judgement and is
/// never returned.
pub fn looks_like(v: &str) -> Option<Semantic> {
    if !v.contains(' ')
        && v.split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
    {
        Some(Semantic::Email)
    } else if v.starts_with("http://") || v.starts_with("https://") {
        Some(Semantic::Url)
    } else if looks_like_uuid(v) {
        Some(Semantic::Uuid)
    } else if is_phone(v) {
        Some(Semantic::Phone)
    } else if is_name(v) {
        Some(Semantic::PersonName)
    } else {
        None
    }
}

/// `6f1c1c8e-8d6b-4a55-9b1e-3f4f1c2a9d00`: 8-4-4-4-12 hex digits.
pub fn looks_like_uuid(v: &str) -> bool {
    v.len() == 36
        && v.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Digits with phone punctuation; never a plain decimal number (a latitude written with many
/// decimals is a number, not a phone number).
fn is_phone(v: &str) -> bool {
    if v.trim().parse::<f64>().is_ok() {
        return false;
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    (7..=16).contains(&digits)
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b" +-().x".contains(&b))
}

/// Whether a column's name says it holds people's names, in any spelling: `first_name`,
/// `FirstName`, `nameFirst`, `Given Name`, `surname`. The kind of name must stand next to
/// `name` (`first_team_name` names a team).
fn names_a_person(column_name: &str) -> bool {
    let words = name_words(column_name);
    let kinds = [
        "first", "last", "full", "contact", "middle", "given", "maiden", "family",
    ];
    let joined = [
        "firstname",
        "lastname",
        "fullname",
        "surname",
        "givenname",
        "middlename",
    ];
    let kind = |w: &String| kinds.contains(&w.as_str());
    let beside_name = words
        .windows(2)
        .any(|pair| (pair[0] == "name" && kind(&pair[1])) || (kind(&pair[0]) && pair[1] == "name"));
    beside_name || words.iter().any(|w| joined.contains(&w.as_str()))
}

/// A column name's words, lower-cased: split at anything but letters and digits, and where a
/// lower-case letter meets an upper-case one (`nameFirst` is `name`, `first`).
fn name_words(column_name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut previous_lower = false;
    for c in column_name.chars() {
        if !c.is_alphanumeric() {
            previous_lower = false;
            words.push(String::new());
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(String::new());
        }
        previous_lower = c.is_lowercase();
        match words.last_mut() {
            Some(word) => word.extend(c.to_lowercase()),
            None => words.push(c.to_lowercase().collect()),
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// One to three capitalised words of letters.
fn is_name(v: &str) -> bool {
    // Counted without collecting: a long document would make a list as long as itself.
    let mut words = v.split(' ');
    (1..=3).contains(&words.clone().take(4).count())
        && words.all(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(char::is_uppercase)
                && chars.all(|c| c.is_alphabetic() || "-'.".contains(c))
        })
}

/// The made-up kind of value a column's name announces, when its values are shaped so: short
/// codes get code lists (`SP`, `DE`), longer values names (`São Paulo`, `Germany`).
pub(super) fn generator_for(
    column_name: &str,
    semantic: Option<Semantic>,
    stats: &TextStats,
) -> Option<Generator> {
    let name = column_name.to_ascii_lowercase();
    let has = |s: &str| name.contains(s);
    let short = stats
        .chars
        .iter()
        .filter(|(&len, _)| len <= 3)
        .map(|(_, share)| share)
        .sum::<f64>()
        >= 0.5;
    if semantic == Some(Semantic::PersonName) {
        return Some(if has("first") || has("given") {
            Generator::FirstName
        } else if has("last") || has("surname") || has("family") {
            Generator::LastName
        } else {
            Generator::FullName
        });
    }
    Some(if has("city") {
        Generator::City
    } else if has("country") && short {
        Generator::CountryCode
    } else if has("country") {
        Generator::Country
    } else if (name.ends_with("state") || name.ends_with("region")) && short {
        Generator::StateAbbr
    } else if name.ends_with("state") || name.ends_with("region") {
        Generator::State
    } else if has("address") || has("street") {
        Generator::Street
    } else if has("postal") || has("zip") {
        Generator::PostalCode
    } else if has("company") {
        Generator::Company
    } else if has("courtesy") || has("salutation") || has("honorific") {
        Generator::Honorific
    } else {
        return None;
    })
}

/// The part of a value that may recur across people without naming one: an email's domain, a
/// phone number's country code (`+55`).
pub(super) fn literal_part(v: &str) -> Option<&str> {
    if let Some((user, domain)) = v.rsplit_once('@') {
        return (!user.is_empty() && domain.contains('.') && !domain.contains(' '))
            .then_some(domain);
    }
    let rest = v.strip_prefix('+')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits).then(|| &v[..digits + 1])
}

/// The scripts of a value's letters, sorted and joined by `+` (`Han+Hiragana`); `None` without
/// letters.
pub fn value_scripts(v: &str) -> Option<String> {
    let mut names: Vec<&'static str> = Vec::new();
    for c in v.chars().filter(|c| c.is_alphabetic()) {
        let name = c.script().full_name();
        if !matches!(name, "Common" | "Inherited") && !names.contains(&name) {
            names.push(name);
        }
    }
    names.sort_unstable();
    (!names.is_empty()).then(|| names.join("+"))
}

/// A letter of the Latin script beyond ASCII that has a case (`é`, `ß`, `ø`, `Ł`): what
/// `accents` counts. Ordinal signs (`º`), modifier letters (`ᵉ`), ligatures (`ﬁ`), full-width
/// letters (`Ａ`) and letter-like symbols (the Kelvin sign, Roman numerals) are not.
pub fn is_accented_latin(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let has_case = (c.is_lowercase() || c.is_uppercase())
        && (c.to_uppercase().ne([c]) || c.to_lowercase().ne([c]));
    let compatibility =
        matches!(c, '\u{2100}'..='\u{218f}' | '\u{fb00}'..='\u{fb4f}' | '\u{ff00}'..='\u{ffef}');
    has_case && !compatibility && c.script() == unicode_script::Script::Latin
}

/// The accented Latin letter a profile's `accents` key names, if it is exactly one.
pub fn accent_letter(key: &str) -> Option<char> {
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if is_accented_latin(c) => Some(c),
        _ => None,
    }
}

/// Which of [`SPECIALS`] a value holds, one bit each in their order.
pub fn special_kinds(v: &str) -> u16 {
    let mut found = 0u16;
    let mut set = |i: usize| found |= 1 << i;
    if v.starts_with(char::is_whitespace) {
        set(6);
    }
    if v.ends_with(char::is_whitespace) {
        set(7);
    }
    if v.is_ascii() {
        return found;
    }
    for c in v.chars() {
        match c {
            '\u{a0}' | '\u{202f}' => set(0),
            '\u{200b}' | '\u{200c}' | '\u{2060}' | '\u{feff}' => set(1),
            '\u{200d}' => set(3),
            '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}' | '\u{2013}' | '\u{2014}'
            | '\u{2026}' | '\u{ab}' | '\u{bb}' => set(5),
            c if is_emoji(c) => set(2),
            c if is_combining(c) => set(4),
            _ => {}
        }
    }
    // A joiner counts as an emoji sequence only between emoji.
    if found & (1 << 3) != 0 && found & (1 << 2) == 0 {
        found = found & !(1 << 3) | 1 << 1;
    }
    found
}

fn is_emoji(c: char) -> bool {
    matches!(c, '\u{1f300}'..='\u{1faff}' | '\u{2600}'..='\u{27bf}' | '\u{1f000}'..='\u{1f2ff}')
}

/// `T5K 2N1` → `A9A 9A9`: letters by case, digits as `9`, everything else as it is.
pub fn shape_into(v: &str, out: &mut String) {
    out.clear();
    out.extend(v.chars().map(|c| {
        if c.is_numeric() {
            '9'
        } else if c.is_uppercase() {
            'A'
        } else if c.is_alphabetic() {
            'a'
        } else {
            c
        }
    }));
}

fn add_counts<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
    for (k, n) in from {
        *into.entry(k).or_insert(0) += n;
    }
}

fn shares_of(counts: &BTreeMap<u32, u64>, total: u64) -> BTreeMap<u32, f64> {
    counts
        .iter()
        .map(|(&k, &n)| (k, round_share(n as f64 / total.max(1) as f64)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_name_columns_are_read_in_any_spelling() {
        for name in [
            "first_name",
            "FirstName",
            "nameFirst",
            "Given Name",
            "surname",
            "LAST_NAME",
        ] {
            assert!(names_a_person(name), "{name}");
        }
        for name in [
            "company_name",
            "ship_name",
            "filename",
            "name",
            "first_seen",
            "first_team_name",
        ] {
            assert!(!names_a_person(name), "{name}");
        }
        assert_eq!(name_words("nameFirst"), ["name", "first"]);
    }

    #[test]
    fn shapes_keep_punctuation() {
        let mut s = String::new();
        shape_into("T5K 2N1", &mut s);
        assert_eq!(s, "A9A 9A9");
        shape_into("Ünïcode-1", &mut s);
        assert_eq!(s, "Aaaaaaa-9");
    }

    #[test]
    fn long_values_are_counted_by_hash_and_never_kept() {
        let long = |c: char| c.to_string().repeat(LONG_VALUE_BYTES + 1);
        let mut a = TextAccumulator::default();
        let mut b = TextAccumulator::default();
        for v in [long('x'), long('y'), "short".into()] {
            a.observe(&v);
        }
        b.observe(&long('x'));
        b.observe(&long('z'));
        a.merge(b);
        assert_eq!(a.distinct(), (4, true));
        assert_eq!(a.values.distinct(), 1, "only the short value is kept whole");
        let guard = Guard::new(1);
        let frequent = guard.frequent(&a.values, 5, |v| v.clone());
        let values: Vec<&str> = frequent.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(values, ["short"], "x, seen twice, is no literal");
    }

    #[test]
    fn emails_are_recognised() {
        let mut t = TextAccumulator::default();
        ["a@b.com", "x.y@z.org", "q@r.net", "w@e.io", "e@f.de"]
            .iter()
            .for_each(|v| t.observe(v));
        assert_eq!(t.semantic("contact"), Some(Semantic::Email));
    }

    #[test]
    fn scripts_are_counted_per_character() {
        let mut t = TextAccumulator::default();
        t.observe("ab1");
        t.observe("Жа");
        let stats = t.finish(&Guard::new(1)).unwrap();
        assert_eq!(stats.scripts["Latin"], 0.4);
        assert_eq!(stats.scripts["Cyrillic"], 0.4);
        assert_eq!(stats.non_ascii_rate, 0.5);
    }

    #[test]
    fn accented_letters_are_counted_once_per_value_and_kept_when_k_values_hold_them() {
        let (mut a, mut b) = (TextAccumulator::default(), TextAccumulator::default());
        // Typographic quotes, Greek and decomposed accents are not accented Latin letters.
        for v in ["Renée", "Zoë Brontë", "Hélène"] {
            a.observe(v);
        }
        for v in ["Jürgen", "O\u{2019}Neil", "Ελένη", "Rene\u{301}", "Ana"] {
            b.observe(v);
        }
        a.merge(b);
        let stats = a.finish(&Guard::new(2)).unwrap();
        assert_eq!(stats.accented_rate, Some(0.5));
        let kept: Vec<(&str, f64)> = stats
            .accents
            .iter()
            .map(|(k, &v)| (k.as_str(), v))
            .collect();
        // é in two values (Renée, Hélène; three times in all), è and ë in one each, ü in one.
        assert_eq!(kept, [("é", 0.25)]);
        assert_eq!(stats.non_ascii_rate, 0.875);
    }
}
