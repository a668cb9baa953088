//! How a text column's values are made: one named model per column, chosen when the snapshot is
//! profiled and written into the profile, so that a reviewer sees it, a user can pin another
//! one under `overrides:`, and generation is a pure function of the file.
//!
//! A model holds only what the privacy guard lets through: a lookup table's values (a small
//! table that others reference and that holds no personal data), email domains and words that
//! occur in at least `min_count` rows, and word pairs seen in at least `min_count` rows.

use serde::{Deserialize, Serialize};

use super::email_names::NameEmail;
use super::locale::Locale;
use super::model::Share;

/// How a text column's values are generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TextModel {
    /// A lookup table's own values in row order (`null` for NULL): row `i` takes value
    /// `i mod n`, so the rows of a scaled table repeat the real list.
    Lookup { values: Vec<Option<String>> },
    /// A recognised format, generated valid (check digits included) and never cut to a length.
    Format {
        format: Format,
        /// Email domains and phone country codes (`+55`) that occur in at least `min_count`
        /// rows, as shares of values; the rest use reserved example domains or no code.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        parts: Vec<Share>,
        /// Emails: how often, and how, the local part is built from the row's names.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_names: Option<NameEmail>,
    },
    /// Made-up values of one kind (names, cities, companies) from the `fake` crate's lists.
    Semantic {
        generator: Generator,
        /// The locales Latin-script values are drawn in, by their share of the real values
        /// found in each locale's name lists; English when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        locales: Vec<LocaleShare>,
    },
    /// The column's learned shapes (`A9A 9A9`, `AAA-9999`), each character drawn from its
    /// class: postal codes, references, codes with digits.
    Template,
    /// Words, separators and word pairs learned from the column.
    Words(WordModel),
    /// Letters in the learned script mix, for values with no structure understudy recognises.
    Letters,
}

impl TextModel {
    /// The model's name as written in the file.
    pub fn name(&self) -> &'static str {
        match self {
            TextModel::Lookup { .. } => "lookup",
            TextModel::Format { .. } => "format",
            TextModel::Semantic { .. } => "semantic",
            TextModel::Template => "template",
            TextModel::Words(_) => "words",
            TextModel::Letters => "letters",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Email,
    Url,
    Uuid,
    Phone,
    /// `999-99-9999`, never with an area of 000, 666 or 9xx.
    Ssn,
    /// An IBAN with valid mod-97 check digits.
    Iban,
    /// A 16-digit card number with a valid Luhn check digit.
    CardNumber,
}

/// A kind of made-up value; the locale follows the script of each generated value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Generator {
    FirstName,
    LastName,
    FullName,
    City,
    Country,
    /// Two-letter country codes (`DE`).
    CountryCode,
    State,
    /// State and province abbreviations (`CA`, `SP`).
    StateAbbr,
    Street,
    PostalCode,
    Company,
    /// Phone numbers: in an address group, in the row's country's learned shapes and code.
    Phone,
    /// Courtesy titles (`Ms.`, `Dr.`, `Herr`), in the locales the values come from.
    Honorific,
    /// Job titles (`Regional Sales Manager`) from `fake`'s job words.
    JobTitle,
}

/// Values as sequences of words and separators.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordModel {
    /// Words as written that occur in at least `min_count` rows, with their share of all word
    /// occurrences, most frequent first. Digits are written `9`: `99` is any two-digit number.
    pub vocabulary: Vec<Share>,
    /// Share of word occurrences outside the vocabulary; those come from a word list.
    pub unknown_rate: f64,
    /// Share of those that start with a capital letter.
    pub unknown_capitalized: f64,
    /// Share of values whose first word starts with a capital letter, of those whose first
    /// word starts with a letter that has case (titles: nearly all). Absent in older profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_capitalized: Option<f64>,
    /// Where words outside the vocabulary come from, when not the language's general list
    /// (`fake`'s lorem words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_list: Option<WordList>,
    /// What stands between two words (`" "`, `", "`, `" - "`), as shares of all gaps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub separators: Vec<Share>,
    /// What values hold before their first word and after their last (`(` and `)`, nothing
    /// and `.`), as shares of values; the rest have neither.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<Frame>,
    /// Word pairs seen in at least `min_count` rows: after `first`, `then` follows with this
    /// share of `first`'s occurrences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<Pair>,
}

/// A word list for the words of a column that its vocabulary does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WordList {
    /// `fake`'s job fields and positions (`Marketing`, `Coordinator`), for job titles.
    JobTitles,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocaleShare {
    pub locale: Locale,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    pub before: String,
    pub after: String,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub first: String,
    pub then: String,
    pub share: f64,
}
