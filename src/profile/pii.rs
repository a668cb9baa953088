//! Personal data, found by what a column is called and by what its values look like.
//!
//! A column's name is a weak signal (`customer` may hold full names, `home` addresses), so every
//! text value is also run through detectors: emails, phone numbers, national IDs (SSN-like),
//! card numbers (Luhn), IBANs (mod-97), IP addresses, postal codes, street addresses, personal
//! names (the first- and last-name lists of `fake`'s Latin-script locales) and free text. A
//! column is personal data when enough of its values agree; [`detect`] judges one value alone,
//! which is what `audit` checks every literal of a profile against.
//!
//! The privacy guard ([`super::privacy`]) only asks "why is this column personal, if it is?";
//! everything that answers lives here. No I/O: detectors see strings and counts.

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use fake::locales::{Data, DE_DE, EN, FR_FR, IT_IT, PT_BR, PT_PT};

use super::model::Semantic;
use super::text::LONG_VALUE_BYTES;
use crate::schema::LogicalType;

/// One kind of personal value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Email,
    Phone,
    NationalId,
    Card,
    Iban,
    Ip,
    PostalCode,
    StreetAddress,
    PersonName,
    FreeText,
}

const KINDS: usize = 10;

impl Kind {
    const ALL: [Kind; KINDS] = [
        Kind::Email,
        Kind::Phone,
        Kind::NationalId,
        Kind::Card,
        Kind::Iban,
        Kind::Ip,
        Kind::PostalCode,
        Kind::StreetAddress,
        Kind::PersonName,
        Kind::FreeText,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Kind::Email => "an email address",
            Kind::Phone => "a phone number",
            Kind::NationalId => "a national ID number",
            Kind::Card => "a card number (Luhn)",
            Kind::Iban => "an IBAN",
            Kind::Ip => "an IP address",
            Kind::PostalCode => "a postal code",
            Kind::StreetAddress => "a street address",
            Kind::PersonName => "a personal name",
            Kind::FreeText => "free text",
        }
    }

    /// Share of a column's values that must look like this for the column to be personal data.
    /// Loose shapes (a postal code is often just five digits) need nearly all values.
    fn column_share(self) -> f64 {
        match self {
            Kind::PostalCode => 0.8,
            Kind::PersonName => 0.3,
            _ => 0.5,
        }
    }
}

/// What one value is, if it is personal data on its own: strict forms only, so that a literal
/// such as `Rock` or `12345` is not taken for a name or a postal code.
pub fn detect(v: &str) -> Option<Kind> {
    let v = v.trim();
    classify(v, &shape_of(v), full_name(v))
}

/// [`detect`] with the value's shape and name match already worked out (a scan needs them too).
fn classify(v: &str, shape: &str, name: NameMatch) -> Option<Kind> {
    if v.is_empty() {
        None
    } else if is_email(v) {
        Some(Kind::Email)
    } else if is_national_id(shape) {
        Some(Kind::NationalId)
    } else if is_card(v) {
        Some(Kind::Card)
    } else if is_iban(v) {
        Some(Kind::Iban)
    } else if is_ip(v) {
        Some(Kind::Ip)
    } else if STRICT_POSTAL.contains(&shape) {
        Some(Kind::PostalCode)
    } else if is_phone(v, shape) {
        Some(Kind::Phone)
    } else if is_street_address(v) {
        Some(Kind::StreetAddress)
    } else if name == NameMatch::Both {
        Some(Kind::PersonName)
    } else if is_free_text(v) {
        Some(Kind::FreeText)
    } else {
        None
    }
}

/// [`classify`] for a value longer than [`LONG_VALUE_BYTES`], where only the detectors that
/// read words, not a whole value's form, can match.
fn classify_document(v: &str) -> Option<Kind> {
    if is_street_address(v) {
        Some(Kind::StreetAddress)
    } else if is_free_text(v) {
        Some(Kind::FreeText)
    } else {
        None
    }
}

/// Counts of a text column's values that look like each kind of personal data, mergeable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PiiScan {
    values: u64,
    strict: [u64; KINDS],
    /// Values shaped like a postal code, loose forms included (`12345`, `1010`).
    postal: u64,
    /// Full names with at least one part in a name list; single words in a first-name list and
    /// in a last-name list.
    names: u64,
    first_names: u64,
    last_names: u64,
    /// Values of three or more words.
    wordy: u64,
    chars: u64,
}

impl PiiScan {
    pub fn observe(&mut self, v: &str) {
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        self.values += 1;
        self.chars += v.len() as u64;
        self.wordy += (v.split_whitespace().nth(2).is_some()) as u64;
        if v.len() > LONG_VALUE_BYTES {
            // A document: no short form (an email, a code, a name, a postal code) fits it, and
            // its shape and word list would be copies as long as itself.
            if let Some(kind) = classify_document(v) {
                self.strict[kind as usize] += 1;
            }
            return;
        }
        let shape = shape_of(v);
        if LOOSE_POSTAL.contains(&shape.as_str()) || STRICT_POSTAL.contains(&shape.as_str()) {
            self.postal += 1;
        }
        let name = full_name(v);
        match name {
            NameMatch::None => {}
            NameMatch::Single { first, last } => {
                self.first_names += first as u64;
                self.last_names += last as u64;
            }
            NameMatch::Either | NameMatch::Both => self.names += 1,
        }
        if let Some(kind) = classify(v, &shape, name) {
            self.strict[kind as usize] += 1;
        }
    }

    pub fn merge(&mut self, other: &PiiScan) {
        self.values += other.values;
        for (a, b) in self.strict.iter_mut().zip(other.strict) {
            *a += b;
        }
        self.postal += other.postal;
        self.names += other.names;
        self.first_names += other.first_names;
        self.last_names += other.last_names;
        self.wordy += other.wordy;
        self.chars += other.chars;
    }

    /// Why the values make the column personal data, if they do.
    pub fn reason(&self) -> Option<String> {
        if self.values == 0 {
            return None;
        }
        let share = |n: u64| n as f64 / self.values as f64;
        let said = |kind: Kind, n: u64| {
            (share(n) >= kind.column_share()).then(|| {
                format!(
                    "values look like {} ({:.0} %)",
                    kind.describe(),
                    100.0 * share(n)
                )
            })
        };
        let counted = |kind: Kind| match kind {
            Kind::PostalCode => self.postal,
            Kind::PersonName => self.names + self.strict[kind as usize],
            Kind::FreeText => 0,
            _ => self.strict[kind as usize],
        };
        Kind::ALL
            .iter()
            .find_map(|&k| said(k, counted(k)))
            .or_else(|| {
                let single = self.first_names.max(self.last_names);
                (share(single) >= 0.6).then(|| {
                    format!(
                        "values are first or last names ({:.0} %)",
                        100.0 * share(single)
                    )
                })
            })
            .or_else(|| {
                let mean_chars = self.chars as f64 / self.values as f64;
                (share(self.wordy) >= 0.5 && mean_chars >= 20.0)
                    .then(|| format!("{FREE_TEXT} (mostly three words or more)"))
            })
    }
}

/// Column names that say "personal data" whatever the values look like. Matched against the
/// name lower-cased with spaces, dashes and dots read as underscores (`First Name`).
const PII_NAME_PARTS: &[&str] = &[
    "email",
    "e_mail",
    "phone",
    "fax",
    "mobile",
    "first_name",
    "last_name",
    "firstname",
    "lastname",
    "full_name",
    "fullname",
    "middle_name",
    "maiden_name",
    "surname",
    "given_name",
    "contact_name",
    "address",
    "street",
    "postal",
    "postcode",
    "zip",
    "ssn",
    "social_security",
    "passport",
    "birth",
    "dob",
    "born",
    "iban",
    "card_number",
    "credit_card",
    "tax_id",
    "national_id",
    "ip_addr",
    "password",
    "salary",
];

/// Why a column's name says it holds personal data, if it does.
pub fn name_reason(column_name: &str) -> Option<String> {
    let name: String = column_name
        .chars()
        .map(|c| match c {
            ' ' | '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    PII_NAME_PARTS
        .iter()
        .find(|p| name.contains(*p))
        .map(|part| format!("name contains {part:?}"))
}

/// Words that make a birth column a place (`birthCountry`, `birth_city`, `place_of_birth`),
/// which is no date of birth: its values are places like any other, kept only when `k`
/// entities carry them.
const PLACE_WORDS: &[&str] = &[
    "country", "city", "place", "state", "province", "region", "town", "nation",
];

/// Whether `column_name` names where someone was born, and holds no other personal word:
/// its words (split at `_`, spaces and a lower-case letter before a capital) hold a birth word
/// (`birth`, `born`, `birthplace`) and a place word.
fn is_birthplace(column_name: &str) -> bool {
    let words = name_words(column_name);
    let birth = words
        .iter()
        .any(|w| w == "born" || w == "birth" || w == "birthplace");
    let place = words
        .iter()
        .any(|w| w == "birthplace" || PLACE_WORDS.contains(&w.as_str()));
    let lower = column_name.to_ascii_lowercase();
    let reasons = PII_NAME_PARTS.iter().filter(|p| lower.contains(*p)).count();
    birth && place && reasons == 1
}

/// The lower-case words of a column name: `birthCountry` and `birth_country` are both
/// `[birth, country]`.
fn name_words(column_name: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    let mut previous_lower = false;
    for c in column_name.chars() {
        if !c.is_alphanumeric() {
            words.push(String::new());
        } else {
            if c.is_uppercase() && previous_lower {
                words.push(String::new());
            }
            words
                .last_mut()
                .expect("never empty")
                .push(c.to_ascii_lowercase());
        }
        previous_lower = c.is_lowercase();
    }
    words.retain(|w| !w.is_empty());
    words
}

/// The reason free text gives: it may hold anything about a person.
const FREE_TEXT: &str = "values are free text";

/// Whether `reason` is only that the values are free text, which a column of a few values,
/// each carried by enough rows to be kept, is not: it is a category written in words
/// (`Fixed wing multi engine`).
pub fn only_free_text(reason: &str) -> bool {
    reason.starts_with(FREE_TEXT)
}

/// Why a column counts as personal data, if it does: its name, its type (binary data), the
/// semantic its text statistics found, or what its values look like (`scan`).
pub fn column_reason(
    column_name: &str,
    logical: &LogicalType,
    semantic: Option<Semantic>,
    scan: Option<&PiiScan>,
) -> Option<String> {
    let text = matches!(logical, LogicalType::Text { .. } | LogicalType::Char { .. });
    if let Some(reason) = name_reason(column_name).filter(|_| !(text && is_birthplace(column_name)))
    {
        return Some(reason);
    }
    if matches!(logical, LogicalType::Bytes) {
        return Some("binary data".into());
    }
    let by_semantic = match semantic {
        Some(Semantic::Email) => Some("values look like email addresses"),
        Some(Semantic::Phone) => Some("values look like phone numbers"),
        Some(Semantic::PersonName) => Some("values look like personal names"),
        Some(Semantic::FreeText) => Some(FREE_TEXT),
        Some(Semantic::Url) | Some(Semantic::Uuid) | None => None,
    };
    by_semantic
        .map(String::from)
        .or_else(|| scan.and_then(PiiScan::reason))
}

/// Days in fifteen years: a date column whose middle 90 % spans more than this holds dates of
/// people's lives (births), not of business events, and is treated as personal.
const LIFE_SPAN_DAYS: f64 = 15.0 * 365.25;

/// Why a date column's values look like dates of birth, given its 5th and 95th percentiles in
/// days: they spread over decades.
pub fn date_range_reason(p5_days: f64, p95_days: f64) -> Option<String> {
    (p95_days - p5_days >= LIFE_SPAN_DAYS).then(|| {
        format!(
            "values spread over {:.0} years, like dates of birth",
            (p95_days - p5_days) / 365.25
        )
    })
}

/// `T5K 2N1` → `A9A 9A9` (see [`super::text::shape_into`]).
fn shape_of(v: &str) -> String {
    let mut shape = String::with_capacity(v.len());
    super::text::shape_into(v, &mut shape);
    shape
}

fn is_email(v: &str) -> bool {
    v.contains('@') && super::text::looks_like(v) == Some(Semantic::Email)
}

/// SSN-like (`123-45-6789`, `123 45 6789`) and the UK National Insurance number (`AB123456C`).
fn is_national_id(shape: &str) -> bool {
    matches!(shape, "999-99-9999" | "999 99 9999" | "AA999999A")
}

/// 13 to 19 digits, grouped by spaces or dashes or not at all, with a valid Luhn check digit.
fn is_card(v: &str) -> bool {
    if !v
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
    {
        return false;
    }
    let digits: Vec<u32> = v
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| (b - b'0') as u32)
        .collect();
    (13..=19).contains(&digits.len()) && luhn(&digits)
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Two letters, two check digits, 11 to 30 letters or digits (spaces allowed), and the mod-97
/// check of ISO 13616.
fn is_iban(v: &str) -> bool {
    let compact: Vec<u8> = v.bytes().filter(|b| *b != b' ').collect();
    if !(15..=34).contains(&compact.len())
        || !compact[..2].iter().all(u8::is_ascii_uppercase)
        || !compact[2..4].iter().all(u8::is_ascii_digit)
        || !compact.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let rearranged = compact[4..].iter().chain(&compact[..4]);
    let remainder = rearranged.fold(0u64, |r, &b| {
        let value = if b.is_ascii_digit() {
            (b - b'0') as u64
        } else {
            (b.to_ascii_uppercase() - b'A') as u64 + 10
        };
        if value >= 10 {
            (r * 100 + value) % 97
        } else {
            (r * 10 + value) % 97
        }
    });
    remainder == 1
}

fn is_ip(v: &str) -> bool {
    v.parse::<Ipv4Addr>().is_ok() || (v.matches(':').count() >= 2 && v.parse::<Ipv6Addr>().is_ok())
}

/// Postal codes whose shape says so on its own: ZIP+4, Canada, the UK, the Netherlands, Brazil,
/// Portugal, Japan, Poland.
const STRICT_POSTAL: &[&str] = &[
    "99999-9999",
    "A9A 9A9",
    "A9 9AA",
    "A99 9AA",
    "AA9 9AA",
    "AA99 9AA",
    "A9A 9AA",
    "AA9A 9AA",
    "9999 AA",
    "99999-999",
    "9999-999",
    "999-9999",
    "99-999",
];

/// Shapes that are postal codes when a whole column has them: four or five digits, `999 99`.
const LOOSE_POSTAL: &[&str] = &["9999", "99999", "999 99", "A9A9A9", "9999AA"];

/// Eight to fifteen digits written the way phone numbers are: a leading `+`, parentheses, or
/// digit groups split by spaces, dashes or dots; not a date (`2024-01-31`).
fn is_phone(v: &str, shape: &str) -> bool {
    if !v
        .bytes()
        .all(|b| b.is_ascii_digit() || b" +-().".contains(&b))
    {
        return false;
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let groups = v
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .count();
    let dated = matches!(
        shape,
        "9999-99-99" | "99-99-9999" | "99.99.9999" | "9999.99.99"
    );
    (8..=15).contains(&digits) && !dated && (v.starts_with('+') || v.contains('(') || groups >= 3)
}

/// Words that name a street in the languages understudy's name lists cover.
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "av",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "square",
    "sq",
    "terrace",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "rue",
    "rua",
    "calle",
    "via",
    "viale",
    "piazza",
    "corso",
    "strasse",
    "straße",
    "str",
    "allee",
    "weg",
    "platz",
    "avenida",
    "avda",
    "travessa",
    "largo",
    "alameda",
    "vej",
    "gade",
    "gatan",
    "vägen",
    "chemin",
    "impasse",
    "quai",
];

/// A number and a street word (`12 Main St`, `Rua Dr. Falcão Filho, 155`, `Hauptstraße 5`).
fn is_street_address(v: &str) -> bool {
    let has_number = v
        .split(|c: char| !c.is_ascii_digit())
        .any(|g| (1..=5).contains(&g.len()));
    has_number
        && v.split(|c: char| c.is_whitespace() || c == ',')
            .any(|word| {
                let word = word
                    .trim_matches(|c: char| c == '.' || c == ',')
                    .to_lowercase();
                STREET_WORDS.contains(&word.as_str())
                    || street_suffixes().contains(&word)
                    || word.ends_with("straße")
                    || word.ends_with("strasse")
            })
}

/// Five words or more (of letters), or a long value of three or more: a sentence, not a label.
fn is_free_text(v: &str) -> bool {
    let words = v
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    words >= 5 || (v.chars().count() > 40 && words >= 3)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameMatch {
    None,
    /// One capitalised word, and whether it is a known first and a known last name.
    Single {
        first: bool,
        last: bool,
    },
    /// Two to four capitalised words, the first a known first name or the last a known last name.
    Either,
    /// ... and both.
    Both,
}

/// How much `v` looks like a personal name.
fn full_name(v: &str) -> NameMatch {
    let words: Vec<&str> = v.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 || !words.iter().all(|w| capitalised(w)) {
        return NameMatch::None;
    }
    let lists = name_lists();
    let first = lists.first.contains(&words[0].to_lowercase());
    let last = lists
        .last
        .contains(&words[words.len() - 1].trim_end_matches('.').to_lowercase());
    match (words.len(), first, last) {
        (1, first, last) => NameMatch::Single { first, last },
        (_, true, true) => NameMatch::Both,
        (_, true, false) | (_, false, true) => NameMatch::Either,
        _ => NameMatch::None,
    }
}

/// Whether a capitalised word of `v` is a known first name (`Dr. Maria Garcia Lopez`, `Anna's
/// Catering`): a label that may name a person.
pub fn mentions_first_name(v: &str) -> bool {
    let lists = name_lists();
    v.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .map(|w| w.strip_suffix("'s").unwrap_or(w))
        .any(|w| capitalised(w) && lists.first.contains(&w.to_lowercase()))
}

fn capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.all(|c| c.is_alphabetic() || "-'.".contains(c))
}

struct NameLists {
    first: HashSet<String>,
    last: HashSet<String>,
}

/// First and last names of `fake`'s Latin-script locales, lower-cased.
fn name_lists() -> &'static NameLists {
    static LISTS: OnceLock<NameLists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let lower = |lists: &[&[&str]]| -> HashSet<String> {
            lists
                .iter()
                .flat_map(|l| l.iter())
                .map(|n| n.to_lowercase())
                .collect()
        };
        NameLists {
            first: lower(&[
                EN::NAME_FIRST_NAME,
                FR_FR::NAME_FIRST_NAME,
                DE_DE::NAME_FIRST_NAME,
                IT_IT::NAME_FIRST_NAME,
                PT_BR::NAME_FIRST_NAME,
                PT_PT::NAME_FIRST_NAME,
            ]),
            last: lower(&[
                EN::NAME_LAST_NAME,
                FR_FR::NAME_LAST_NAME,
                DE_DE::NAME_LAST_NAME,
                IT_IT::NAME_LAST_NAME,
                PT_BR::NAME_LAST_NAME,
                PT_PT::NAME_LAST_NAME,
            ]),
        }
    })
}

/// Street suffixes of the same locales, lower-cased.
fn street_suffixes() -> &'static HashSet<String> {
    static SUFFIXES: OnceLock<HashSet<String>> = OnceLock::new();
    SUFFIXES.get_or_init(|| {
        [
            EN::ADDRESS_STREET_SUFFIX,
            FR_FR::ADDRESS_STREET_SUFFIX,
            DE_DE::ADDRESS_STREET_SUFFIX,
            IT_IT::ADDRESS_STREET_SUFFIX,
            PT_BR::ADDRESS_STREET_SUFFIX,
            PT_PT::ADDRESS_STREET_SUFFIX,
        ]
        .iter()
        .flat_map(|l| l.iter())
        .map(|s| s.to_lowercase())
        .filter(|s| s.len() > 2)
        .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_birthplace_is_a_place_and_a_birth_date_stays_personal() {
        let reason = |name: &str, logical: LogicalType| column_reason(name, &logical, None, None);
        assert_eq!(
            reason("birthCountry", LogicalType::Text { max_chars: None }),
            None
        );
        assert_eq!(
            reason("place_of_birth", LogicalType::Text { max_chars: None }),
            None
        );
        assert!(reason("birthYear", LogicalType::Int32).is_some());
        assert!(reason("birth_date", LogicalType::Date).is_some());
        assert!(reason("born_on", LogicalType::Date).is_some());
        assert!(reason("birth_city_address", LogicalType::Text { max_chars: None }).is_some());
        // Words, not letters: a birth date's determination is no nation.
        let text = || LogicalType::Text { max_chars: None };
        assert!(reason("birth_date_determination", text()).is_some());
        assert!(reason("birth_ethnicity", text()).is_some());
        assert!(
            reason("birthState", LogicalType::Int32).is_some(),
            "a code, not text"
        );
        assert_eq!(reason("BirthPlace", text()), None);
    }

    #[test]
    fn single_values_are_recognised() {
        let cases = [
            ("ana.silva@example.com", Some(Kind::Email)),
            ("123-45-6789", Some(Kind::NationalId)),
            ("4111 1111 1111 1111", Some(Kind::Card)),
            ("4111 1111 1111 1112", None),
            ("GB82 WEST 1234 5698 7654 32", Some(Kind::Iban)),
            ("GB82 WEST 1234 5698 7654 33", None),
            ("192.168.10.4", Some(Kind::Ip)),
            ("2001:db8::1", Some(Kind::Ip)),
            ("T5K 2N1", Some(Kind::PostalCode)),
            ("+55 (12) 3923-5555", Some(Kind::Phone)),
            ("2024-01-31", None),
            ("742 Evergreen Terrace", Some(Kind::StreetAddress)),
            ("Rua Dr. Falcão Filho, 155", Some(Kind::StreetAddress)),
            ("Hauptstraße 5", Some(Kind::StreetAddress)),
            ("Maria Schmidt", Some(Kind::PersonName)),
            (
                "please call me back about the invoice",
                Some(Kind::FreeText),
            ),
            ("Rock", None),
            ("12345", None),
            ("USA", None),
            ("São Paulo", None),
        ];
        for (value, want) in cases {
            assert_eq!(detect(value), want, "{value}");
        }
    }

    #[test]
    fn documents_are_classified_as_the_whole_value_would_be() {
        let long = |piece: &str| piece.repeat(LONG_VALUE_BYTES / piece.len() + 1);
        let cases = [
            long("please call me back about the invoice "),
            long("742 Evergreen Terrace, "),
            long("4111 1111 1111 1111 "),
            long("ana.silva@example.com "),
            long("Maria Schmidt "),
            long("9"),
        ];
        for value in &cases {
            assert!(value.len() > LONG_VALUE_BYTES);
            assert_eq!(classify_document(value), detect(value), "{}", &value[..40]);
        }
        let docs = scan(&[&cases[0], &cases[0]]);
        assert_eq!(docs.strict[Kind::FreeText as usize], 2);
        assert_eq!(docs.wordy, 2);
    }

    fn scan(values: &[&str]) -> PiiScan {
        let mut s = PiiScan::default();
        values.iter().for_each(|v| s.observe(v));
        s
    }

    #[test]
    fn columns_of_names_are_found_under_any_name() {
        let names = scan(&[
            "Maria Zorbenkov",
            "Peter Brown",
            "Anna Ulvsgard",
            "John Smith",
        ]);
        assert!(names.reason().unwrap().contains("personal name"));
        let firsts = scan(&["Maria", "Peter", "Anna", "Xqz"]);
        assert!(firsts.reason().unwrap().contains("first or last names"));
        let cities = scan(&[
            "Paris",
            "Berlin",
            "Oslo",
            "Lisbon",
            "New York",
            "Mountain View",
        ]);
        assert_eq!(cities.reason(), None);
    }

    #[test]
    fn merged_scans_count_like_one() {
        let (mut a, b) = (scan(&["a@b.io", "x"]), scan(&["c@d.io"]));
        a.merge(&b);
        assert_eq!(a, scan(&["a@b.io", "x", "c@d.io"]));
        assert!(a.reason().unwrap().contains("email"));
    }

    #[test]
    fn postal_codes_need_nearly_the_whole_column() {
        assert!(scan(&["10115", "80331", "20095", "50667", "T5K 2N1"])
            .reason()
            .is_some());
        assert_eq!(scan(&["10115", "80331", "abc", "def"]).reason(), None);
    }

    #[test]
    fn names_of_columns_are_read_loosely() {
        assert!(name_reason("First Name").is_some());
        assert!(name_reason("billing-postal-code").is_some());
        assert!(name_reason("country").is_none());
        let text = LogicalType::Text { max_chars: None };
        assert!(column_reason("notes", &text, Some(Semantic::FreeText), None).is_some());
    }

    #[test]
    fn birth_dates_spread_over_decades() {
        assert!(date_range_reason(-3650.0, 10_000.0).is_some());
        assert!(date_range_reason(10_000.0, 11_000.0).is_none());
    }
}
