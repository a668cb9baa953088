//! The `fake` locales that write Latin script, and what ties a column's values to one: the
//! names a locale's lists hold (so a column of French names gets French names) and the country
//! a locale stands for (so an address in Brazil gets a Brazilian state and postal code).
//!
//! A profile stores only which locales a column's values point to, as shares, never the
//! values: a share of names found in public name lists tells nothing about one person.

use std::sync::OnceLock;

use fake::locales::{Data, DE_DE, EN, FR_FR, IT_IT, PT_BR, PT_PT};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::model::round_share;

/// A `fake` locale in Latin script, with its country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// English, as written in the United States.
    En,
    FrFr,
    DeDe,
    ItIt,
    PtBr,
    PtPt,
}

/// The lists of one locale that generation and detection use.
#[derive(Debug, Clone, Copy)]
pub struct Lists {
    pub first_names: &'static [&'static str],
    pub last_names: &'static [&'static str],
    /// The locale's own states or regions, if `fake` has them (French has none of its own).
    pub states: &'static [&'static str],
    pub state_abbrs: &'static [&'static str],
    /// Postal code formats, `#` for a digit.
    pub postcodes: &'static [&'static str],
    /// Phone number formats, `#` for a digit and `^` for a digit other than 0 (German has
    /// none of its own).
    pub phones: &'static [&'static str],
    /// Courtesy titles (`Mr.`, `Mme`, `Herr`).
    pub honorifics: &'static [&'static str],
}

impl Locale {
    pub const ALL: [Locale; 6] = [
        Locale::En,
        Locale::FrFr,
        Locale::DeDe,
        Locale::ItIt,
        Locale::PtBr,
        Locale::PtPt,
    ];

    pub fn lists(self) -> Lists {
        fn of<L: Data>(own_states: bool) -> Lists {
            Lists {
                first_names: L::NAME_FIRST_NAME,
                last_names: L::NAME_LAST_NAME,
                states: if own_states { L::ADDRESS_STATE } else { &[] },
                state_abbrs: if own_states {
                    L::ADDRESS_STATE_ABBR
                } else {
                    &[]
                },
                postcodes: L::ADDRESS_POSTCODE_FORMATS,
                phones: L::PHONE_NUMBER_FORMATS,
                honorifics: L::NAME_TITLE,
            }
        }
        match self {
            Locale::En => of::<EN>(true),
            Locale::FrFr => of::<FR_FR>(false),
            // German and Italian postal formats are `fake`'s ZIP formats.
            Locale::DeDe => Lists {
                postcodes: DE_DE::ADDRESS_ZIP_FORMATS,
                phones: &[],
                ..of::<DE_DE>(true)
            },
            Locale::ItIt => of::<IT_IT>(true),
            Locale::PtBr => of::<PT_BR>(true),
            Locale::PtPt => of::<PT_PT>(true),
        }
    }

    /// The country's ISO code and English name, as a country column would write them.
    pub fn country(self) -> (&'static str, &'static str) {
        match self {
            Locale::En => ("US", "United States"),
            Locale::FrFr => ("FR", "France"),
            Locale::DeDe => ("DE", "Germany"),
            Locale::ItIt => ("IT", "Italy"),
            Locale::PtBr => ("BR", "Brazil"),
            Locale::PtPt => ("PT", "Portugal"),
        }
    }

    /// The country's international calling code.
    pub fn calling_code(self) -> &'static str {
        match self {
            Locale::En => "+1",
            Locale::FrFr => "+33",
            Locale::DeDe => "+49",
            Locale::ItIt => "+39",
            Locale::PtBr => "+55",
            Locale::PtPt => "+351",
        }
    }

    /// The locale of the country a value names: its ISO codes, English or own name.
    pub fn for_country(value: &str) -> Option<Locale> {
        let v = value.trim().to_lowercase();
        let names: [(Locale, &[&str]); 6] = [
            (
                Locale::En,
                &[
                    "us",
                    "usa",
                    "u.s.",
                    "u.s.a.",
                    "united states",
                    "united states of america",
                ],
            ),
            (Locale::FrFr, &["fr", "fra", "france"]),
            (Locale::DeDe, &["de", "deu", "germany", "deutschland"]),
            (Locale::ItIt, &["it", "ita", "italy", "italia"]),
            (Locale::PtBr, &["br", "bra", "brazil", "brasil"]),
            (Locale::PtPt, &["pt", "prt", "portugal"]),
        ];
        names
            .iter()
            .find(|(_, n)| n.contains(&v.as_str()))
            .map(|(l, _)| *l)
    }
}

/// Each locale's first and last names, as sets, built once.
fn name_sets() -> &'static [FxHashSet<&'static str>; Locale::ALL.len()] {
    static SETS: OnceLock<[FxHashSet<&'static str>; Locale::ALL.len()]> = OnceLock::new();
    SETS.get_or_init(|| {
        Locale::ALL.map(|l| {
            let lists = l.lists();
            lists
                .first_names
                .iter()
                .chain(lists.last_names)
                .copied()
                .collect()
        })
    })
}

/// Each locale's courtesy titles, as written and without their final period, built once.
fn honorific_sets() -> &'static [FxHashSet<&'static str>; Locale::ALL.len()] {
    static SETS: OnceLock<[FxHashSet<&'static str>; Locale::ALL.len()]> = OnceLock::new();
    SETS.get_or_init(|| {
        let english = Locale::En.lists().honorifics;
        Locale::ALL.map(|l| {
            // A locale without titles of its own has English's; they point to English alone.
            let own = l == Locale::En || l.lists().honorifics != english;
            let titles = l.lists().honorifics.iter().filter(|_| own);
            titles
                // `M.` keeps its period: a bare `M` is more often a code than a title.
                .flat_map(|t| [*t, t.strip_suffix('.').filter(|b| b.len() > 1).unwrap_or(t)])
                .collect()
        })
    })
}

/// Courtesy titles in wide use that `fake`'s lists lack, without their final period.
const MORE_HONORIFICS: [&str; 14] = [
    "Prof", "Mx", "Sir", "Dame", "Rev", "Sr", "Sra", "Srta", "Dra", "Mlle", "Lady", "Lord",
    "Madam", "Dott",
];

/// Whether a value is a courtesy title (`Ms.`, `Dr`, `Herr`, `Mme`), with or without its
/// final period.
pub fn is_honorific(v: &str) -> bool {
    if v.len() > 12 {
        return false;
    }
    let bare = v.strip_suffix('.').unwrap_or(v);
    honorific_sets().iter().any(|set| set.contains(v))
        || MORE_HONORIFICS.iter().any(|h| h.eq_ignore_ascii_case(bare))
}

/// Whether a value is a job title (`Sales Support Agent`, `Vice President, Sales`, `IT
/// Staff`, `Owner`): one to six words, one of them a position (`fake`'s, or one of [`MORE_POSITIONS`]).
pub fn is_job_title(v: &str) -> bool {
    if v.len() > 80 {
        return false;
    }
    let words = || v.split([' ', ',', '/']).filter(|w| !w.is_empty());
    (1..=6).contains(&words().count())
        && words().any(|w| {
            let w = w.trim_end_matches('.');
            EN::JOB_POSITION
                .iter()
                .chain(&MORE_POSITIONS)
                .any(|p| p.eq_ignore_ascii_case(w))
        })
}

/// Positions in wide use that `fake`'s job lists lack (`Mgr` and `Rep` as abbreviated).
const MORE_POSITIONS: [&str; 20] = [
    "Staff",
    "President",
    "Owner",
    "Clerk",
    "Secretary",
    "Accountant",
    "Buyer",
    "Mgr",
    "Rep",
    "Head",
    "Chief",
    "Intern",
    "Trainee",
    "Partner",
    "Founder",
    "Chairman",
    "Programmer",
    "Receptionist",
    "Operator",
    "Auditor",
];

/// Whether `fake`'s public lists hold the value: a country's name or code, a state's name or
/// code, a first or last name, in any locale understudy generates. Such a value names no one
/// by itself, so a generated value equal to a rare real one is not a copy of personal data.
pub fn in_public_lists(v: &str) -> bool {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set: FxHashSet<&'static str> = EN::ADDRESS_COUNTRY
            .iter()
            .chain(EN::ADDRESS_COUNTRY_CODE)
            .copied()
            .collect();
        for l in Locale::ALL {
            let lists = l.lists();
            set.extend(lists.states.iter().chain(lists.state_abbrs));
            set.extend(lists.first_names.iter().chain(lists.last_names));
            set.extend([l.country().0, l.country().1]);
            set.extend(lists.honorifics);
        }
        set
    })
    .contains(v)
        || is_made_of_job_words(v)
}

/// A title built only from `fake`'s job words (`Regional Sales Manager`), as generated.
fn is_made_of_job_words(v: &str) -> bool {
    let lists = [EN::JOB_SENIORITY, EN::JOB_FIELD, EN::JOB_POSITION];
    v.contains(' ')
        && v.split(' ')
            .all(|w| lists.iter().any(|list| list.contains(&w)))
}

/// The locales whose name lists hold at least `min_count` of a column's values (counted with
/// their repeats; a value counts for a locale when one of its words is in its lists), as shares
/// of all such matches, most first. Empty when only English is found, which is what generation
/// does without a choice.
pub fn locale_shares<'a>(
    values: impl Iterator<Item = (&'a str, u64)>,
    min_count: u64,
) -> Vec<(Locale, f64)> {
    shares_in(name_sets(), values, min_count, false)
}

/// The locales whose courtesy titles a column's values are, counted as [`locale_shares`]
/// counts names, except that a title several locales share (`Dr.`) counts for the first of
/// them only, English before the others.
pub fn honorific_locale_shares<'a>(
    values: impl Iterator<Item = (&'a str, u64)>,
    min_count: u64,
) -> Vec<(Locale, f64)> {
    shares_in(honorific_sets(), values, min_count, true)
}

fn shares_in<'a>(
    sets: &[FxHashSet<&'static str>; Locale::ALL.len()],
    values: impl Iterator<Item = (&'a str, u64)>,
    min_count: u64,
    first_only: bool,
) -> Vec<(Locale, f64)> {
    let mut found = [0u64; Locale::ALL.len()];
    for (v, n) in values {
        for (count, set) in found.iter_mut().zip(sets) {
            if v.split([' ', '-']).any(|w| set.contains(w)) {
                *count += n;
                if first_only {
                    break;
                }
            }
        }
    }
    let kept: Vec<(Locale, u64)> = Locale::ALL
        .into_iter()
        .zip(found)
        .filter(|(_, n)| *n >= min_count.max(1))
        .collect();
    let total: u64 = kept.iter().map(|(_, n)| n).sum();
    if total == 0 || (kept.len() == 1 && kept[0].0 == Locale::En) {
        return Vec::new();
    }
    let mut shares: Vec<(Locale, f64)> = kept
        .into_iter()
        .map(|(l, n)| (l, round_share(n as f64 / total as f64)))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn courtesy_titles_are_known_with_or_without_their_period() {
        for title in ["Mr.", "Ms", "Mrs.", "Dr", "Herr", "Mme", "Prof.", "Sra."] {
            assert!(is_honorific(title), "{title}");
        }
        for value in ["Mister X", "Drive", "M", "Sales", ""] {
            assert!(!is_honorific(value), "{value}");
        }
        let shares = honorific_locale_shares([("Dr.", 5), ("Mr.", 5)].into_iter(), 5);
        assert!(
            shares.is_empty(),
            "English titles point to English alone: {shares:?}"
        );
        let shares = honorific_locale_shares([("Herr", 6), ("Frau", 6)].into_iter(), 5);
        assert_eq!(shares, vec![(Locale::DeDe, 1.0)]);
    }

    #[test]
    fn job_titles_hold_a_position() {
        for title in [
            "Sales Support Agent",
            "IT Staff",
            "Vice President, Sales",
            "Owner",
        ] {
            assert!(is_job_title(title), "{title}");
        }
        let not_titles = [
            "For Those About To Rock We Salute You",
            "Balls to the Wall",
            "Chef Anton's Cajun Seasoning",
            "The Manager of the year award goes to our friend",
        ];
        for value in not_titles {
            assert!(!is_job_title(value), "{value}");
        }
    }

    #[test]
    fn countries_find_their_locale() {
        assert_eq!(Locale::for_country("USA"), Some(Locale::En));
        assert_eq!(Locale::for_country(" Brasil"), Some(Locale::PtBr));
        assert_eq!(Locale::for_country("DE"), Some(Locale::DeDe));
        assert_eq!(Locale::for_country("Canada"), None);
        assert!(Locale::FrFr.lists().states.is_empty());
        assert!(Locale::PtBr.lists().state_abbrs.contains(&"SP"));
    }

    #[test]
    fn names_point_to_their_locales() {
        let values = ["Hans Müller", "Jürgen Schmidt", "Aaron Smith", "Hans Weber"];
        let shares = locale_shares(values.iter().map(|v| (*v, 1)), 2);
        assert!(shares.iter().any(|(l, _)| *l == Locale::DeDe), "{shares:?}");
        let total: f64 = shares.iter().map(|s| s.1).sum();
        assert!((total - 1.0).abs() < 1e-6);
    }
}
