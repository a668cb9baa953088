//! Email addresses made from the row's own name (`maria.lopez@…` beside Maria López): learned
//! as the share of rows whose address's local part is built from the row's first and last name
//! columns, and the ways it is built (`first.last`, `flast`, …), so that generated rows build
//! theirs from the generated names at the same rates. Only shares leave the snapshot.

use deunicode::deunicode;
use serde::{Deserialize, Serialize};

use super::model::{round_share, ColumnStats};
use super::textmodel::{Format, Generator, TextModel};
use crate::schema::Table;

/// Rows with names and an address needed before the share means anything.
const MIN_ROWS: usize = 10;

/// How a local part is built from a first and a last name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NamePattern {
    #[serde(rename = "first.last")]
    FirstDotLast,
    #[serde(rename = "first_last")]
    FirstUnderscoreLast,
    #[serde(rename = "firstlast")]
    FirstLast,
    #[serde(rename = "f.last")]
    InitialDotLast,
    #[serde(rename = "flast")]
    InitialLast,
    #[serde(rename = "firstl")]
    FirstInitial,
    #[serde(rename = "last.first")]
    LastDotFirst,
    #[serde(rename = "lastf")]
    LastInitial,
    #[serde(rename = "first")]
    First,
    #[serde(rename = "last")]
    Last,
}

impl NamePattern {
    /// In the order a local part is tested against them: longer forms first.
    pub const ALL: [NamePattern; 10] = [
        NamePattern::FirstDotLast,
        NamePattern::FirstUnderscoreLast,
        NamePattern::LastDotFirst,
        NamePattern::FirstLast,
        NamePattern::InitialDotLast,
        NamePattern::InitialLast,
        NamePattern::FirstInitial,
        NamePattern::LastInitial,
        NamePattern::First,
        NamePattern::Last,
    ];

    /// The local part for names already [`folded`](fold).
    pub fn render(self, first: &str, last: &str) -> String {
        let initial = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        match self {
            NamePattern::FirstDotLast => format!("{first}.{last}"),
            NamePattern::FirstUnderscoreLast => format!("{first}_{last}"),
            NamePattern::FirstLast => format!("{first}{last}"),
            NamePattern::InitialDotLast => format!("{}.{last}", initial(first)),
            NamePattern::InitialLast => format!("{}{last}", initial(first)),
            NamePattern::FirstInitial => format!("{first}{}", initial(last)),
            NamePattern::LastDotFirst => format!("{last}.{first}"),
            NamePattern::LastInitial => format!("{last}{}", initial(first)),
            NamePattern::First => first.to_string(),
            NamePattern::Last => last.to_string(),
        }
    }
}

/// An email column whose addresses are built from the row's names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameEmail {
    /// The first-name and last-name columns, or one full-name column.
    pub names: Vec<String>,
    /// Share of rows (with names and an address) whose local part is built from the names.
    pub share: f64,
    /// How, as shares of those rows.
    pub patterns: Vec<PatternShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternShare {
    pub pattern: NamePattern,
    pub share: f64,
}

/// A name as it goes into an address: ASCII, lowercase, letters and digits only
/// (`Bjørn` → `bjorn`, `O'Brien` → `obrien`).
pub fn fold(name: &str) -> String {
    deunicode(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The first and last name of a full name: its first and last words.
pub fn split_full(name: &str) -> (&str, &str) {
    let name = name.trim();
    let first = name.split_whitespace().next().unwrap_or("");
    let last = name.split_whitespace().last().unwrap_or("");
    (first, last)
}

/// The pattern `local` (the part before `@`, trailing digits ignored) follows for the names.
fn pattern_of(local: &str, first: &str, last: &str) -> Option<NamePattern> {
    let local = local.to_ascii_lowercase();
    let local = local.trim_end_matches(|c: char| c.is_ascii_digit());
    let (first, last) = (fold(first), fold(last));
    if first.is_empty() || last.is_empty() {
        return None;
    }
    NamePattern::ALL
        .into_iter()
        .find(|p| p.render(&first, &last) == local)
}

/// For each email column among a table's sampled text columns (`rows[r][k]` is the value of
/// column `text_columns[k]`), how its addresses follow the row's names, when at least one in
/// ten does. Returned with the email column's index in the table.
pub fn learn(
    table: &Table,
    stats: &[ColumnStats],
    text_columns: &[usize],
    rows: &[&Vec<Option<String>>],
) -> Vec<(usize, NameEmail)> {
    if stats.len() != table.columns.len() {
        return Vec::new();
    }
    let kind = |k: usize| match &stats[text_columns[k]].model {
        Some(TextModel::Semantic { generator, .. }) => Some(*generator),
        _ => None,
    };
    let find = |g: Generator| (0..text_columns.len()).find(|&k| kind(k) == Some(g));
    let names: Vec<usize> = match (
        find(Generator::FirstName),
        find(Generator::LastName),
        find(Generator::FullName),
    ) {
        (Some(f), Some(l), _) => vec![f, l],
        (_, _, Some(full)) => vec![full],
        _ => return Vec::new(),
    };
    let emails = (0..text_columns.len()).filter(|&k| {
        matches!(
            stats[text_columns[k]].model,
            Some(TextModel::Format {
                format: Format::Email,
                ..
            })
        )
    });
    emails
        .filter_map(|e| {
            let rule = learn_one(rows, &names, e)?;
            Some((
                text_columns[e],
                NameEmail {
                    names: names
                        .iter()
                        .map(|&k| table.columns[text_columns[k]].name.clone())
                        .collect(),
                    ..rule
                },
            ))
        })
        .collect()
}

fn learn_one(rows: &[&Vec<Option<String>>], names: &[usize], email: usize) -> Option<NameEmail> {
    let mut counts = [0usize; NamePattern::ALL.len()];
    let mut seen = 0usize;
    for row in rows {
        let (Some(address), Some(a)) = (row[email].as_deref(), row[names[0]].as_deref()) else {
            continue;
        };
        let (first, last) = match names.get(1) {
            Some(&l) => match row[l].as_deref() {
                Some(b) => (a, b),
                None => continue,
            },
            None => split_full(a),
        };
        let Some((local, _)) = address.rsplit_once('@') else {
            continue;
        };
        seen += 1;
        if let Some(p) = pattern_of(local, first, last) {
            let i = NamePattern::ALL.iter().position(|x| *x == p)?;
            counts[i] += 1;
        }
    }
    let matched: usize = counts.iter().sum();
    if seen < MIN_ROWS || matched * 10 < seen {
        return None;
    }
    let mut patterns: Vec<PatternShare> = NamePattern::ALL
        .into_iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(pattern, n)| PatternShare {
            pattern,
            share: round_share(n as f64 / matched as f64),
        })
        .collect();
    patterns.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.pattern.cmp(&b.pattern)));
    Some(NameEmail {
        names: Vec::new(),
        share: round_share(matched as f64 / seen as f64),
        patterns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_parts_are_read_as_patterns() {
        assert_eq!(
            pattern_of("bjorn.hansen", "Bjørn", "Hansen"),
            Some(NamePattern::FirstDotLast)
        );
        assert_eq!(
            pattern_of("ftremblay", "François", "Tremblay"),
            Some(NamePattern::InitialLast)
        );
        assert_eq!(
            pattern_of("mphilips12", "Mark", "Philips"),
            Some(NamePattern::InitialLast)
        );
        assert_eq!(
            pattern_of("luisg", "Luís", "Gonçalves"),
            Some(NamePattern::FirstInitial)
        );
        assert_eq!(pattern_of("alero", "Alexandre", "Rocha"), None);
    }
}
