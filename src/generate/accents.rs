//! Accented letters at a column's rate. `fake`'s lists and a column's word list carry accents
//! at their own rates (English company names never, a French last-name list rarely), so a
//! made-up Latin value is decided ASCII or not by the learned rate, and then made so: a value
//! that should carry an accent gets one of the column's own accented letters (`e` of `Lebrun`
//! becomes `é`), a value that should not has its accents taken off (`Müller` to `Muller`).

use deunicode::deunicode_char;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

use super::alphabet::ACCENTED;
use super::values::Choice;
use crate::profile::{accent_letter, is_accented_latin};

/// Letters drawn to find one whose plain form a value holds.
const TRIES: usize = 8;

#[derive(Debug, Clone)]
pub struct Accents {
    /// Share of generated Latin values that carry an accented letter.
    rate: f64,
    /// The column's accented letters at their shares, as their case forms; empty for a
    /// profile without them.
    letters: Choice<Forms>,
    /// The case forms of [`ACCENTED`], for a value that holds no plain form of the column's.
    common: Vec<Forms>,
    /// Whether a value may be given an accent, or only have one taken off: a value from a
    /// list of real ones (a state, a courtesy title) is not respelled (`Bahiã`, `Hérr`).
    adds: bool,
}

impl Accents {
    /// `letters` maps each accented letter to the share of values holding it (a profile's
    /// `accents`); other keys are ignored. `adds` says whether values may be given accents.
    pub fn new(rate: f64, letters: &BTreeMap<String, f64>, adds: bool) -> Accents {
        let letters = letters
            .iter()
            .filter_map(|(key, &share)| Some((forms(accent_letter(key)?), share)))
            .collect();
        Accents {
            rate: rate.clamp(0.0, 1.0),
            letters: Choice::new(letters),
            common: ACCENTED.iter().map(|&c| forms(c)).collect(),
            adds,
        }
    }

    /// Whether the next value should carry an accent.
    pub fn wanted(&self, rng: &mut ChaCha8Rng) -> bool {
        rng.random::<f64>() < self.rate
    }

    /// Makes `out` carry an accented letter if `wanted` (when it may be given one and one of
    /// the letters has a plain form in it), and none if not, within `max` characters.
    pub fn apply(&self, wanted: bool, max: usize, rng: &mut ChaCha8Rng, out: &mut String) {
        let has = !out.is_ascii() && out.chars().any(is_accented_latin);
        if wanted && !has && self.adds {
            self.add(rng, out);
        } else if !wanted && has {
            strip(out, max);
        }
    }

    /// Puts one accented letter where the value holds its plain form, keeping the case: one
    /// of the column's letters if the value holds the plain form of one, else a common one
    /// ([`ACCENTED`]).
    fn add(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        for _ in 0..TRIES {
            match self.letters.sample_normalized(rng) {
                Some(forms) if put(forms, rng, out) => return,
                Some(_) => {}
                None => break,
            }
        }
        for _ in 0..TRIES {
            if put(
                &self.common[rng.random_range(0..self.common.len())],
                rng,
                out,
            ) {
                return;
            }
        }
    }
}

/// An accented letter in lower and upper case, each with its plain form (`é` and `e`, `É`
/// and `E`; `ß` and `ss`, no upper case), where the case form is itself accented (not the
/// ASCII `I` of the dotless `ı`).
type Forms = [Option<(char, &'static str)>; 2];

fn forms(letter: char) -> Forms {
    let form = |cased: Option<char>| {
        let cased = cased.filter(|c| !c.is_ascii())?;
        let plain = deunicode_char(cased).filter(|p| is_plain(p))?;
        Some((cased, plain))
    };
    [
        form(single(letter.to_lowercase())),
        form(single(letter.to_uppercase())),
    ]
}

/// Replaces one occurrence of a plain form in `out` (`e` for `é`, `ss` for `ß`, `E` for `É`)
/// by its accented letter in the same case; false when `out` holds no such form.
fn put(forms: &Forms, rng: &mut ChaCha8Rng, out: &mut String) -> bool {
    let count = |f: &Option<(char, &str)>| f.map_or(0, |(_, plain)| places(out, plain).count());
    let (lower, upper) = (count(&forms[0]), count(&forms[1]));
    if lower + upper == 0 {
        return false;
    }
    let pick = rng.random_range(0..lower + upper);
    let (f, nth) = if pick < lower {
        (0, pick)
    } else {
        (1, pick - lower)
    };
    let Some((cased, plain)) = forms[f] else {
        return false;
    };
    let Some(at) = places(out, plain).nth(nth) else {
        return false;
    };
    let mut buf = [0u8; 4];
    out.replace_range(at..at + plain.len(), cased.encode_utf8(&mut buf));
    true
}

/// Where `plain` (one or two ASCII letters) starts in `value`, without overlaps.
fn places<'a>(value: &'a str, plain: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = plain.as_bytes();
    let single = (bytes.len() == 1).then(|| {
        value
            .bytes()
            .enumerate()
            .filter(move |&(_, b)| b == bytes[0])
            .map(|(i, _)| i)
    });
    let pair = (bytes.len() != 1).then(|| value.match_indices(plain).map(|(i, _)| i));
    single
        .into_iter()
        .flatten()
        .chain(pair.into_iter().flatten())
}

/// The one character a case mapping gives, if it gives one (`ß` upper-cases to `SS`).
fn single(mut mapped: impl Iterator<Item = char>) -> Option<char> {
    match (mapped.next(), mapped.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// A plain form an accented letter can stand in for: one or two ASCII letters.
fn is_plain(form: &str) -> bool {
    (1..=2).contains(&form.len()) && form.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Takes the accents off `out`'s accented Latin letters (`ø` to `o`, `æ` to `ae`); a letter
/// whose plain form is longer (`ß` to `ss`) keeps its accent where there is no room within
/// `max` characters, so that a value is never cut.
fn strip(out: &mut String, max: usize) {
    let mut room = max.saturating_sub(out.chars().count());
    let mut plain = String::with_capacity(out.len());
    for c in out.chars() {
        let ascii = deunicode_char(c).filter(|a| is_accented_latin(c) && is_plain(a));
        match ascii {
            Some(a) if a.len() == 1 => plain.push_str(a),
            Some(a) if a.len() - 1 <= room => {
                room -= a.len() - 1;
                plain.push_str(a);
            }
            _ => plain.push(c),
        }
    }
    *out = plain;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn letters(list: &[(&str, f64)]) -> BTreeMap<String, f64> {
        list.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn a_wanted_accent_is_one_of_the_columns_letters_in_the_values_case() {
        let accents = Accents::new(1.0, &letters(&[("é", 0.2), ("ß", 0.1), ("x", 0.5)]), true);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let mut out = "Emile Strasse".to_string();
            accents.apply(true, 40, &mut rng, &mut out);
            assert_eq!(out.chars().filter(|&c| is_accented_latin(c)).count(), 1);
            seen.insert(out);
        }
        // `é` for either e, `É` for the capital, `ß` for `ss`; never `x` (no accented letter).
        for expected in ["Émile Strasse", "Emilé Strasse", "Emile Straße"] {
            assert!(seen.contains(expected), "{expected} missing from {seen:?}");
        }
        assert!(seen.iter().all(|v| v.chars().count() <= 13));
    }

    #[test]
    fn an_unwanted_accent_is_taken_off_and_others_are_left_alone() {
        let accents = Accents::new(0.0, &BTreeMap::new(), true);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = "Ærø Müller – Ελένη".to_string();
        accents.apply(false, 40, &mut rng, &mut out);
        assert_eq!(out, "AEro Muller – Ελένη");
        let mut plain = "Muller".to_string();
        accents.apply(false, 40, &mut rng, &mut plain);
        assert_eq!(plain, "Muller");
    }

    #[test]
    fn a_value_without_the_columns_plain_forms_takes_a_common_accent_if_any() {
        let accents = Accents::new(1.0, &letters(&[("ü", 1.0)]), true);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut out = "Smith".to_string();
        accents.apply(true, 40, &mut rng, &mut out);
        assert_eq!(out, "Smíth");
        let mut out = "Smyth".to_string();
        accents.apply(true, 40, &mut rng, &mut out);
        assert_eq!(out, "Smyth");
    }
    #[test]
    fn only_letters_with_a_case_count_and_a_value_at_its_limit_is_not_lengthened() {
        for c in ['é', 'ß', 'ẞ', 'ı', 'Ł', 'ø', 'Æ'] {
            assert!(is_accented_latin(c), "{c}");
        }
        for c in ['º', 'ª', 'ᵉ', 'ﬁ', 'Ａ', '\u{212a}', 'ⅰ', 'e', 'Ж'] {
            assert!(!is_accented_latin(c), "{c}");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let ascii = Accents::new(0.0, &BTreeMap::new(), true);
        let mut out = "Strauß".to_string();
        ascii.apply(false, 6, &mut rng, &mut out);
        assert_eq!(out, "Strauß", "ss would pass the limit of 6");
        ascii.apply(false, 7, &mut rng, &mut out);
        assert_eq!(out, "Strauss");
        // The dotless i's capital is ASCII: `I` is no place for it.
        let dotless = Accents::new(1.0, &letters(&[("ı", 1.0)]), true);
        assert!(!put(&forms('ı'), &mut rng, &mut "IOWA".to_string()));
        let mut out = "Sia".to_string();
        dotless.apply(true, 10, &mut rng, &mut out);
        assert_eq!(out, "Sıa");
        // A value from a list of real ones is not respelled.
        let listed = Accents::new(1.0, &letters(&[("é", 1.0)]), false);
        let mut out = "Herr".to_string();
        listed.apply(true, 10, &mut rng, &mut out);
        assert_eq!(out, "Herr");
    }
}
