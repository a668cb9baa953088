//! Values in a recognised format (emails, URLs, UUIDs, phone numbers, SSNs, IBANs, card
//! numbers) and made-up values of a kind (names, places, companies) from `fake`'s lists.
//!
//! Every value is valid in its format, check digits included, and is chosen to fit a target
//! length rather than cut to it: a value cut to length (`ana@examp`) breaks the format.

use fake::faker::address::en::ZipCode;
use fake::faker::address::raw::{CityName, StreetName};
use fake::faker::company::en::CompanyName;
use fake::locales::{Data, AR_SA, DE_DE, EN, FR_FR, IT_IT, JA_JP, PT_BR, PT_PT, ZH_CN};
use fake::Fake;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::values::Choice;
use crate::profile::{Format, Generator, Locale};

/// Candidates drawn for a value; the one nearest the target length is kept.
const CANDIDATES: usize = 4;

/// Formatted values: the format, the learned literal parts (email domains, phone country codes)
/// and the learned templates (phone shapes).
#[derive(Debug, Clone)]
pub struct FormatGen {
    pub format: Format,
    pub parts: Choice<String>,
    pub templates: Choice<String>,
}

impl FormatGen {
    pub fn generate(&self, rng: &mut ChaCha8Rng, target: usize, max: usize, out: &mut String) {
        match self.format {
            Format::Email => self.email(rng, target, max, out),
            Format::Url => url(rng, target, max, out),
            Format::Uuid => super::keys::write_uuid(rng.random(), out),
            Format::Phone => self.phone(rng, out),
            Format::Ssn => ssn(rng, out),
            Format::Iban => iban(rng, out),
            Format::CardNumber => card_number(rng, out),
        }
    }

    /// `first.last@domain`, `flast@domain`, `firstl@domain` or `first@domain`, whichever is
    /// nearest the target length; a learned domain at its share, else a reserved one. Written
    /// straight into `out`: the candidates are compared by length, not built.
    fn email(&self, rng: &mut ChaCha8Rng, target: usize, max: usize, out: &mut String) {
        /// Digits a local part of one or two letters gets when it has room for them.
        const SHORT_LOCAL_DIGITS: usize = 3;
        let first = pick(rng, EN::NAME_FIRST_NAME);
        let last = pick(rng, EN::NAME_LAST_NAME);
        let domain = match self.parts.sample(rng) {
            Some(d) => d.as_str(),
            None => ["example.com", "example.org", "example.net"][rng.random_range(0..3)],
        };
        let letters = |name: &str| ascii_lower(name).count();
        let (first_len, last_len) = (letters(first), letters(last));
        let initial = |len: usize| len.min(1);
        // In order: first.last, flast, firstl, first, f (a tie goes to the earlier).
        let locals = [
            LocalPart::new(first_len, true, last_len),
            LocalPart::new(initial(first_len), false, last_len),
            LocalPart::new(first_len, false, initial(last_len)),
            LocalPart::new(first_len, false, 0),
            LocalPart::new(initial(first_len), false, 0),
        ];
        let room = max.saturating_sub(domain.len() + 1).max(1);
        let want = target.saturating_sub(domain.len() + 1);
        let start = out.len();
        match locals
            .iter()
            .filter(|l| l.len() > 0 && l.len() <= room)
            .min_by_key(|l| l.len().abs_diff(want))
        {
            Some(local) => {
                out.extend(ascii_lower(first).take(local.first));
                if local.dot {
                    out.push('.');
                }
                out.extend(ascii_lower(last).take(local.last));
            }
            // Not reached: a one-letter candidate always fits the room of at least one.
            None => out.push('a'),
        }
        let local = out.len() - start;
        // Digits make up the rest of the length, as in `jsmith42`, and keep short addresses
        // from repeating (an initial alone would be shared by thousands of rows).
        let wanted = if local <= 2 {
            want.max(local + SHORT_LOCAL_DIGITS)
        } else {
            want
        };
        for _ in local..wanted.min(room) {
            out.push((b'0' + rng.random_range(0..10u8)) as char);
        }
        out.push('@');
        out.push_str(domain);
    }

    /// A learned template (`+9 (999) 999-9999`) with a learned country code where the
    /// template has a code of that many digits; a first digit after `+` is never 0.
    fn phone(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        let template = self
            .templates
            .sample_normalized(rng)
            .map_or("(999) 999-9999", String::as_str);
        let code_digits = template
            .strip_prefix('+')
            .map_or(0, |r| r.bytes().take_while(|&b| b == b'9').count());
        // A learned code of the template's length, if one is drawn within a few tries.
        let code = (0..4)
            .filter_map(|_| self.parts.sample_normalized(rng))
            .find(|c| code_digits > 0 && c.len() == code_digits + 1);
        match code {
            Some(code) => {
                out.push_str(code);
                fill_template(&template[code.len()..], rng, out);
            }
            None => fill_template(template, rng, out),
        }
        if out.starts_with("+0") {
            out.replace_range(1..2, "1");
        }
    }
}

/// Fills a shape: `A` an uppercase letter, `a` lowercase, `9` a digit, anything else itself.
pub fn fill_template(shape: &str, rng: &mut ChaCha8Rng, out: &mut String) {
    for c in shape.chars() {
        out.push(match c {
            'A' => (b'A' + rng.random_range(0..26u8)) as char,
            'a' => (b'a' + rng.random_range(0..26u8)) as char,
            '9' => (b'0' + rng.random_range(0..10u8)) as char,
            other => other,
        });
    }
}

/// `https://www.word.com/word/word.html`, as many path words as the target length asks.
fn url(rng: &mut ChaCha8Rng, target: usize, max: usize, out: &mut String) {
    out.push_str("https://www.");
    out.push_str(pick(rng, EN::LOREM_WORD));
    out.push_str(".com/");
    while out.len() + 6 < target.min(max) {
        let w = pick(rng, EN::LOREM_WORD);
        if out.len() + w.len() + 6 > max {
            break;
        }
        out.push_str(w);
        out.push('/');
    }
    if out.len() + 5 <= max {
        out.push_str("index");
    }
}

/// `123-45-6789` with an area that is issued (not 000, 666 or 900-999), a group and serial
/// that are not zero.
fn ssn(rng: &mut ChaCha8Rng, out: &mut String) {
    let mut area = rng.random_range(1..900u32);
    if area == 666 {
        area = 665;
    }
    let group = rng.random_range(1..100u32);
    let serial = rng.random_range(1..10_000u32);
    out.push_str(&format!("{area:03}-{group:02}-{serial:04}"));
}

/// A German IBAN (`DE` + check digits + 18 digits) whose check digits satisfy ISO 13616's
/// mod-97 rule.
fn iban(rng: &mut ChaCha8Rng, out: &mut String) {
    let bban: String = (0..18)
        .map(|_| (b'0' + rng.random_range(0..10u8)) as char)
        .collect();
    // BBAN, then the country code as digits (D = 13, E = 14), then 00.
    let check = 98 - mod97(&format!("{bban}131400"));
    out.push_str(&format!("DE{check:02}{bban}"));
}

fn mod97(digits: &str) -> u32 {
    digits
        .bytes()
        .fold(0u32, |r, b| (r * 10 + (b - b'0') as u32) % 97)
}

/// A 16-digit card number starting with 4 whose last digit is its Luhn check digit.
fn card_number(rng: &mut ChaCha8Rng, out: &mut String) {
    let mut digits: Vec<u8> = vec![4];
    digits.extend((0..14).map(|_| rng.random_range(0..10u8)));
    digits.push(luhn_check_digit(&digits));
    out.extend(digits.iter().map(|d| (b'0' + d) as char));
}

/// The digit that makes `payload` followed by it pass the Luhn check.
pub fn luhn_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = d as u32;
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A made-up value of `generator`'s kind, in the locale of `script` (a value's scripts, as
/// the profile writes them) where `fake` has one, else in one of `locales` at their shares:
/// of a few candidates, the one as `want` asks (see [`nearest`]).
pub fn semantic(
    generator: Generator,
    script: &str,
    locales: Option<&Choice<Locale>>,
    want: Want,
    rng: &mut ChaCha8Rng,
    out: &mut String,
) {
    // A value asked to carry accents draws each candidate's locale, so that it finds one in
    // a locale whose names have them; any other keeps one locale, at the learned shares.
    let mut locale = locales.and_then(|l| l.sample_normalized(rng).copied());
    let per_candidate = want.non_ascii == Some(true);
    let value = nearest(rng, want, |rng| {
        if per_candidate {
            locale = locales.and_then(|l| l.sample_normalized(rng).copied());
        }
        one_semantic(generator, script, locale, rng)
    });
    out.push_str(value.as_deref().unwrap_or_else(|| shortest(generator)));
}

/// A courtesy title of `locale` (English by default), nearest `target` characters within
/// `max`; `bare` drops its final period (`Mr`), for a column that writes titles so.
pub fn honorific(
    locale: Option<Locale>,
    bare: bool,
    rng: &mut ChaCha8Rng,
    target: usize,
    max: usize,
    out: &mut String,
) {
    let want = Want {
        target,
        max,
        non_ascii: None,
    };
    let value = nearest(rng, want, |rng| courtesy_title(locale, bare, rng));
    out.push_str(value.as_deref().unwrap_or("Mr"));
}

/// One courtesy title of `locale` (English by default), without its final period if `bare`.
fn courtesy_title(locale: Option<Locale>, bare: bool, rng: &mut ChaCha8Rng) -> String {
    let title = pick(rng, locale.unwrap_or(Locale::En).lists().honorifics);
    match title.strip_suffix('.').filter(|_| bare) {
        Some(stripped) => stripped.to_string(),
        None => title.to_string(),
    }
}

/// What a made-up value should be like: `target` characters, at most `max`, and, if
/// `non_ascii` says, with or without a letter beyond ASCII.
#[derive(Debug, Clone, Copy)]
pub struct Want {
    pub target: usize,
    pub max: usize,
    pub non_ascii: Option<bool>,
}

/// Of up to [`CANDIDATES`] values from `make` (more when none fits, or none is ASCII or not
/// as asked), the one nearest the wanted length that fits, preferring one that is ASCII or
/// not as asked (`Gonçalves` for a column whose real names carry accents at a rate the
/// locale's lists do not).
fn nearest(
    rng: &mut ChaCha8Rng,
    want: Want,
    mut make: impl FnMut(&mut ChaCha8Rng) -> String,
) -> Option<String> {
    let Want {
        target,
        max,
        non_ascii,
    } = want;
    // (whether it is not as asked, distance from the target, value)
    let mut best: Option<(bool, usize, String)> = None;
    for tries in 0..CANDIDATES * 8 {
        if tries >= CANDIDATES && best.as_ref().is_some_and(|b| !b.0) {
            break;
        }
        let candidate = make(rng);
        let n = candidate.chars().count();
        let key = (
            non_ascii.is_some_and(|wanted| wanted == candidate.is_ascii()),
            n.abs_diff(target),
        );
        if n <= max && best.as_ref().is_none_or(|b| key < (b.0, b.1)) {
            best = Some((key.0, key.1, candidate));
        }
    }
    best.map(|b| b.2)
}

fn one_semantic(
    generator: Generator,
    script: &str,
    locale: Option<Locale>,
    rng: &mut ChaCha8Rng,
) -> String {
    let (first, last) = match locale.filter(|_| script == "Latin") {
        Some(l) => (l.lists().first_names, l.lists().last_names),
        None => names(script),
    };
    match generator {
        Generator::FirstName => pick(rng, first).into(),
        Generator::LastName => pick(rng, last).into(),
        Generator::FullName if script.contains("Han") => {
            format!("{}{}", pick(rng, last), pick(rng, first))
        }
        Generator::FullName => format!("{} {}", pick(rng, first), pick(rng, last)),
        Generator::City => match locale {
            Some(l) => city_in(l, rng),
            None => city(rng),
        },
        Generator::Country => pick(rng, EN::ADDRESS_COUNTRY).into(),
        Generator::CountryCode => pick(rng, EN::ADDRESS_COUNTRY_CODE).into(),
        Generator::State => pick(rng, EN::ADDRESS_STATE).into(),
        Generator::StateAbbr => pick(rng, EN::ADDRESS_STATE_ABBR).into(),
        Generator::Street => street_in(locale.unwrap_or(Locale::En), rng),
        Generator::PostalCode => ZipCode().fake_with_rng(rng),
        Generator::Company => CompanyName().fake_with_rng(rng),
        Generator::Phone => {
            let mut out = String::new();
            fill_template("(999) 999-9999", rng, &mut out);
            out
        }
        Generator::Honorific => courtesy_title(locale, false, rng),
        Generator::JobTitle => job_title(rng),
    }
}

/// `Sales Manager`, `Senior Analyst`, `Regional Marketing Director`: `fake`'s job words in
/// one of three arrangements, so that short and long titles are both at hand.
fn job_title(rng: &mut ChaCha8Rng) -> String {
    let position = pick(rng, EN::JOB_POSITION);
    match rng.random_range(0..3) {
        0 => format!("{} {position}", pick(rng, EN::JOB_FIELD)),
        1 => format!("{} {position}", pick(rng, EN::JOB_SENIORITY)),
        _ => {
            let seniority = pick(rng, EN::JOB_SENIORITY);
            format!("{seniority} {} {position}", pick(rng, EN::JOB_FIELD))
        }
    }
}

/// A made-up city in `locale`'s style: `fake`'s city names (`Saint-Jeanville`,
/// `Neu Heinzberg (Main)`), English ones [`city`]'s. `fake`'s German cities mostly take a
/// prefix and its Italian and Portuguese ones always a two-word suffix (`Monti del Lago`,
/// `Lima de Cima`), longer than most real towns; shorter forms of the same pieces are mixed in
/// (`Beckberg`, `Costa`, `San Galli`), so that a value near a learned length is at hand.
pub fn city_in(locale: Locale, rng: &mut ChaCha8Rng) -> String {
    tidy(match locale {
        Locale::En => city(rng),
        Locale::FrFr => CityName(FR_FR).fake_with_rng(rng),
        Locale::DeDe => match rng.random_range(0..3) {
            0 => format!(
                "{}{}",
                pick(rng, DE_DE::NAME_LAST_NAME),
                pick(rng, DE_DE::ADDRESS_CITY_SUFFIX)
            ),
            _ => CityName(DE_DE).fake_with_rng(rng),
        },
        Locale::ItIt => {
            let full = CityName(IT_IT).fake_with_rng(rng);
            city_of_names(full, IT_IT::NAME_LAST_NAME, IT_IT::ADDRESS_CITY_PREFIX, rng)
        }
        // `fake` has no Brazilian place words (its English ones make `Campos town`).
        Locale::PtBr => {
            let full = CityName(PT_PT).fake_with_rng(rng);
            city_of_names(full, PT_BR::NAME_LAST_NAME, PT_PT::ADDRESS_CITY_PREFIX, rng)
        }
        Locale::PtPt => {
            let full = CityName(PT_PT).fake_with_rng(rng);
            city_of_names(full, PT_PT::NAME_LAST_NAME, PT_PT::ADDRESS_CITY_PREFIX, rng)
        }
    })
}

/// `full` in one draw of three, else a surname alone or after a place prefix.
fn city_of_names(
    full: String,
    surnames: &'static [&'static str],
    prefixes: &'static [&'static str],
    rng: &mut ChaCha8Rng,
) -> String {
    match rng.random_range(0..3) {
        0 => full,
        1 => pick(rng, surnames).to_string(),
        _ => format!("{} {}", pick(rng, prefixes), pick(rng, surnames)),
    }
}

/// A street address in `locale`'s style: a street name and a house number, sometimes with an
/// apartment or suite (English).
pub fn street_in(locale: Locale, rng: &mut ChaCha8Rng) -> String {
    let street = tidy(match locale {
        Locale::En => StreetName(EN).fake_with_rng(rng),
        Locale::FrFr => StreetName(FR_FR).fake_with_rng(rng),
        Locale::DeDe => StreetName(DE_DE).fake_with_rng(rng),
        Locale::ItIt => StreetName(IT_IT).fake_with_rng(rng),
        Locale::PtBr => StreetName(PT_BR).fake_with_rng(rng),
        Locale::PtPt => StreetName(PT_PT).fake_with_rng(rng),
    });
    let number = rng.random_range(1..9999);
    match (locale, rng.random_range(0..3)) {
        (Locale::En, 0) => format!("{number} {street}, Apt. {}", rng.random_range(1..999)),
        (Locale::En, 1) => format!("{number} {street}, Suite {}", rng.random_range(100..999)),
        (Locale::En, _) => format!("{number} {street}"),
        _ => format!("{street} {}", number % 300 + 1),
    }
}

/// `Roweberg`, `North Isacville`: a surname and a place suffix, sometimes after a prefix.
fn city(rng: &mut ChaCha8Rng) -> String {
    let name = pick(rng, EN::NAME_LAST_NAME);
    let suffix = pick(rng, EN::ADDRESS_CITY_SUFFIX);
    match rng.random_range(0..6) {
        0 => format!("{} {name}{suffix}", pick(rng, EN::ADDRESS_CITY_PREFIX)),
        1 | 2 => name.to_string(),
        _ => format!("{name}{suffix}"),
    }
}

/// First and last names for a value's scripts.
fn names(script: &str) -> (&'static [&'static str], &'static [&'static str]) {
    if script.contains("Hiragana") || script.contains("Katakana") {
        (JA_JP::NAME_FIRST_NAME, JA_JP::NAME_LAST_NAME)
    } else if script.contains("Han") {
        (ZH_CN::NAME_FIRST_NAME, ZH_CN::NAME_LAST_NAME)
    } else if script.contains("Arabic") {
        (AR_SA::NAME_FIRST_NAME, AR_SA::NAME_LAST_NAME)
    } else {
        (EN::NAME_FIRST_NAME, EN::NAME_LAST_NAME)
    }
}

/// Whether `fake` has names in a value's scripts.
pub fn has_names(script: &str) -> bool {
    ["Latin", "Han", "Hiragana", "Katakana", "Arabic"]
        .iter()
        .any(|s| script.contains(s))
}

/// A short value of the kind, for a limit no candidate fits.
fn shortest(generator: Generator) -> &'static str {
    match generator {
        Generator::CountryCode | Generator::StateAbbr => "US",
        Generator::PostalCode => "10001",
        Generator::Country => "Peru",
        Generator::State => "Iowa",
        Generator::Honorific => "Mr",
        _ => "Al",
    }
}

/// An email's local part as the letters it takes from the first name, a dot or not, and the
/// letters it takes from the last name.
struct LocalPart {
    first: usize,
    dot: bool,
    last: usize,
}

impl LocalPart {
    fn new(first: usize, dot: bool, last: usize) -> LocalPart {
        LocalPart { first, dot, last }
    }

    fn len(&self) -> usize {
        self.first + usize::from(self.dot) + self.last
    }
}

/// One entry of a `fake` list, without the stray edge spaces or tabs a few entries carry (an
/// Italian surname `Ricci\t`).
fn pick(rng: &mut ChaCha8Rng, list: &'static [&'static str]) -> &'static str {
    list[rng.random_range(0..list.len())].trim()
}

/// A value `fake` put together, with its whitespace made single spaces (its lists hold a few
/// entries with a tab).
fn tidy(value: String) -> String {
    if value.chars().all(|c| c == ' ' || !c.is_whitespace()) && !value.contains("  ") {
        return value.trim().to_string();
    }
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name's letters and digits in lower case, as an email's local part holds them.
fn ascii_lower(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn values_from_fakes_lists_hold_single_spaces_only() {
        // fake's Italian surnames include `Ricci\t`.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let last_names = Locale::ItIt.lists().last_names;
        for _ in 0..5_000 {
            let name = pick(&mut rng, last_names);
            let city = city_in(Locale::ItIt, &mut rng);
            let street = street_in(Locale::ItIt, &mut rng);
            for value in [name, &city, &street] {
                let clean =
                    !value.contains("  ") && value.chars().all(|c| c == ' ' || !c.is_whitespace());
                assert!(clean && value.trim() == value, "{value:?}");
            }
        }
    }

    #[test]
    fn check_digits_are_valid() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..200 {
            let mut card = String::new();
            card_number(&mut rng, &mut card);
            let digits: Vec<u8> = card.bytes().map(|b| b - b'0').collect();
            assert_eq!(luhn_check_digit(&digits[..15]), digits[15], "{card}");
            let mut iban_text = String::new();
            iban(&mut rng, &mut iban_text);
            let rearranged = format!("{}1314{}", &iban_text[4..], &iban_text[2..4]);
            assert_eq!(mod97(&rearranged), 1, "{iban_text}");
        }
        assert_eq!(luhn_check_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
    }

    #[test]
    fn emails_fit_their_limit_whole() {
        let gen = FormatGen {
            format: Format::Email,
            parts: Choice::new(vec![("chinookcorp.com".into(), 1.0)]),
            templates: Choice::new(Vec::new()),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..500 {
            let mut out = String::new();
            gen.generate(&mut rng, 20, 24, &mut out);
            assert!(
                out.len() <= 24 && out.ends_with("@chinookcorp.com"),
                "{out}"
            );
        }
    }
}
