//! Text from a `words` model: words drawn from the learned vocabulary (following a learned pair
//! where one applies), words outside it from `fake`'s lorem list, the learned separators,
//! prefixes and suffixes, and numbers where the vocabulary holds a digit pattern (`99 min`).
//! Values stop at a word boundary near a target length and never pass the column's limit.

use std::sync::OnceLock;

use fake::locales::{Data, EN};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::alphabet::Alphabet;
use super::values::Choice;
use crate::profile::{value_scripts, WordList, WordModel};

/// Values of at most this many words, all from the vocabulary, are drawn again.
const SHORT_WORDS: usize = 3;
/// Draws before the last word of such a value is replaced.
const RETRIES: usize = 4;

#[derive(Debug, Clone)]
pub struct WordsGen {
    words: Vec<String>,
    /// The vocabulary by the scripts of its words (`Latin`, `Cyrillic`); words without
    /// letters (numbers) belong to every one.
    vocabularies: Vec<(String, Choice<u32>)>,
    /// Per word: the words learned to follow it, by share (summing to at most one).
    follow: Vec<Choice<u32>>,
    unknown_rate: f64,
    unknown_capitalized: f64,
    /// Share of values whose first word starts with a capital, if the profile learned it.
    first_capitalized: Option<f64>,
    /// The words outside the vocabulary are drawn from.
    unknown_words: &'static [&'static str],
    separators: Choice<String>,
    /// What comes before the first word and after the last, by share (the rest: nothing).
    frames: Choice<(String, String)>,
}

impl WordsGen {
    pub fn new(model: &WordModel) -> WordsGen {
        let words: Vec<String> = model.vocabulary.iter().map(|s| s.value.clone()).collect();
        let index = |w: &str| words.iter().position(|x| x == w).map(|i| i as u32);
        let mut follow: Vec<Vec<(u32, f64)>> = vec![Vec::new(); words.len()];
        for pair in &model.pairs {
            if let (Some(a), Some(b)) = (index(&pair.first), index(&pair.then)) {
                follow[a as usize].push((b, pair.share));
            }
        }
        let shares = |list: &[crate::profile::Share]| {
            Choice::new(list.iter().map(|s| (s.value.clone(), s.share)).collect())
        };
        WordsGen {
            vocabularies: by_script(model),
            follow: follow.into_iter().map(Choice::new).collect(),
            words,
            unknown_rate: if model.vocabulary.is_empty() {
                1.0
            } else {
                model.unknown_rate
            },
            unknown_capitalized: model.unknown_capitalized,
            first_capitalized: model.first_capitalized,
            unknown_words: match model.word_list {
                None => EN::LOREM_WORD,
                Some(WordList::JobTitles) => job_words(),
            },
            separators: shares(&model.separators),
            frames: Choice::new(
                model
                    .frames
                    .iter()
                    .map(|f| ((f.before.clone(), f.after.clone()), f.share))
                    .collect(),
            ),
        }
    }

    /// Writes a value of about `target` characters (never more than `max`) into `out`.
    ///
    /// A short value made only of vocabulary words, or one chained from learned pairs, could be
    /// a real value that occurs fewer than `min_count` times (`Love`, `Matt Cameron`); such a value is
    /// drawn again, and after a few tries its last word is replaced by one from the word list.
    ///
    /// `script` names the value's scripts (`Latin`, `Han+Hiragana`); words outside the
    /// vocabulary are lorem words in Latin, else letters of `alphabets`.
    pub fn generate(&self, rng: &mut ChaCha8Rng, value: &Value, out: &mut String) {
        let start = out.len();
        let vocabulary = self
            .vocabularies
            .iter()
            .find(|(s, _)| s == value.script)
            .map(|(_, v)| v);
        let mut copied = true;
        for _ in 0..RETRIES {
            out.truncate(start);
            if !self.attempt(rng, value, vocabulary, out) {
                copied = false;
                break;
            }
        }
        if copied {
            self.replace_last_word(rng, start, value.alphabets, out);
        }
        if let Some(rate) = self.first_capitalized {
            case_first_word(rng.random::<f64>() < rate, start, out);
        }
    }

    /// One value; whether it is made of vocabulary words only and either short or a chain of
    /// learned pairs (`David Coverdale/Earl Slick`), which could copy a rare real value.
    fn attempt(
        &self,
        rng: &mut ChaCha8Rng,
        value: &Value,
        vocabulary: Option<&Choice<u32>>,
        out: &mut String,
    ) -> bool {
        let (target, max) = (value.target, value.max);
        let (prefix, suffix) = self
            .frames
            .sample(rng)
            .map_or(("", ""), |(b, a)| (b.as_str(), a.as_str()));
        let reserve = char_len(suffix);
        if char_len(prefix) + reserve < max {
            out.push_str(prefix);
        }
        let mut len = char_len(out);
        let mut previous: Option<u32> = None;
        let mut first = true;
        let (mut words, mut known, mut chained) = (0, true, true);
        loop {
            // The separator and word go straight into `out`, and come out again if too long.
            let mark = out.len();
            if !first {
                let sep = self.separators.sample_normalized(rng);
                out.push_str(sep.map_or(" ", String::as_str));
            }
            let (next, followed) = self.next_word(previous, vocabulary, value.alphabets, rng, out);
            known &= next.is_some();
            chained &= first || followed;
            previous = next;
            let add = char_len(&out[mark..]);
            if len + add + reserve > max {
                out.truncate(mark);
                if first {
                    shortest_word(
                        self.unknown_words,
                        max.saturating_sub(len + reserve),
                        rng,
                        out,
                    );
                    len = char_len(out);
                    known = false;
                }
                break;
            }
            len += add;
            words += 1;
            first = false;
            if len + 2 >= target {
                break;
            }
        }
        if len + reserve <= max {
            out.push_str(suffix);
        }
        known && (words <= SHORT_WORDS || chained)
    }

    /// Replaces the last word of the value written from `start` by a word-list word (or
    /// letters of `alphabets`) that fits in its place.
    fn replace_last_word(
        &self,
        rng: &mut ChaCha8Rng,
        start: usize,
        alphabets: &[Alphabet],
        out: &mut String,
    ) {
        let value = &out[start..];
        let Some(&(a, b)) = crate::profile::word_spans(value).last() else {
            return;
        };
        let (a, b) = (start + a, start + b);
        let mut word = String::new();
        let len = out[a..b].chars().count().max(2);
        let capital = out[a..b].starts_with(char::is_uppercase);
        if let Some(alphabet) = alphabets.first() {
            alphabet.word(len, capital, rng, &mut word);
        } else {
            let mut listed = String::new();
            shortest_word(self.unknown_words, len, rng, &mut listed);
            push_cased(&listed, capital, &mut word);
        }
        out.replace_range(a..b, &word);
    }

    /// Appends the next word to `word`: a learned follower of `previous`, a vocabulary word, or
    /// a lorem word; its vocabulary index if it has one, and whether it followed a pair.
    fn next_word(
        &self,
        previous: Option<u32>,
        vocabulary: Option<&Choice<u32>>,
        alphabets: &[Alphabet],
        rng: &mut ChaCha8Rng,
        word: &mut String,
    ) -> (Option<u32>, bool) {
        let followed = previous.and_then(|p| self.follow[p as usize].sample(rng).copied());
        let chosen = followed.or_else(|| {
            (rng.random::<f64>() >= self.unknown_rate)
                .then(|| vocabulary?.sample_normalized(rng).copied())
                .flatten()
        });
        match chosen {
            Some(i) => {
                fill_digits(&self.words[i as usize], rng, word);
                (Some(i), followed.is_some())
            }
            None => {
                let capital = rng.random::<f64>() < self.unknown_capitalized;
                match alphabets {
                    [] => {
                        let list = self.unknown_words;
                        push_cased(list[rng.random_range(0..list.len())], capital, word);
                    }
                    // Mixed scripts (Han and Hiragana) share each word.
                    _ => {
                        for (k, alphabet) in alphabets.iter().enumerate() {
                            alphabet.word(rng.random_range(1..4), capital && k == 0, rng, word);
                        }
                    }
                }
                (None, false)
            }
        }
    }
}

/// What one value is to be: its scripts, the alphabets of words outside the vocabulary (none
/// for Latin, which takes lorem words), and its target and largest length in characters.
pub struct Value<'a> {
    pub script: &'a str,
    pub alphabets: &'a [Alphabet],
    pub target: usize,
    pub max: usize,
}

/// The vocabulary split by the scripts of its words.
fn by_script(model: &WordModel) -> Vec<(String, Choice<u32>)> {
    let keys: Vec<Option<String>> = model
        .vocabulary
        .iter()
        .map(|s| value_scripts(&s.value))
        .collect();
    let mut scripts: Vec<String> = keys.iter().flatten().cloned().collect();
    scripts.sort_unstable();
    scripts.dedup();
    scripts
        .into_iter()
        .map(|script| {
            let words = model
                .vocabulary
                .iter()
                .zip(&keys)
                .enumerate()
                .filter(|(_, (_, k))| k.as_deref().is_none_or(|k| k == script))
                .map(|(i, (s, _))| (i as u32, s.share))
                .collect();
            (script, Choice::new(words))
        })
        .collect()
}

/// A vocabulary word with each `9` replaced by a digit (a leading digit is never 0 in a
/// number of several digits).
fn fill_digits(w: &str, rng: &mut ChaCha8Rng, out: &mut String) {
    let mut at_start = true;
    let mut chars = w.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '9' {
            let several = at_start && chars.peek() == Some(&'9');
            let low = if several { 1 } else { 0 };
            out.push((b'0' + rng.random_range(low..10u8)) as char);
            at_start = false;
        } else {
            out.push(c);
            at_start = true;
        }
    }
}

/// Gives the first word of the value written from `start` a capital if `capital`, else takes
/// it off when the rest of the word is lowercase (`Night` to `night`, but `DVD` stays).
fn case_first_word(capital: bool, start: usize, out: &mut String) {
    // A word starts at its first letter or digit (see `word_spans`).
    let Some((at, c)) = out[start..]
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
    else {
        return;
    };
    let a = start + at;
    let rest = &out[a + c.len_utf8()..];
    let rest_lower = rest
        .chars()
        .take_while(|r| r.is_alphanumeric())
        .all(|r| !r.is_uppercase());
    let cased: String = match (capital, c.is_lowercase(), c.is_uppercase()) {
        (true, true, _) => c.to_uppercase().collect(),
        (false, _, true) if rest_lower => c.to_lowercase().collect(),
        _ => return,
    };
    out.replace_range(a..a + c.len_utf8(), &cased);
}

fn push_cased(w: &str, capital: bool, out: &mut String) {
    let mut chars = w.chars();
    if let Some(c) = chars.next() {
        if capital {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        out.push_str(chars.as_str());
    }
}

/// Characters in `s`, without decoding ASCII.
fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `fake`'s job fields and positions, as one list.
fn job_words() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        EN::JOB_FIELD
            .iter()
            .chain(EN::JOB_POSITION)
            .copied()
            .collect()
    })
}

/// Appends a word of `list` of at most `max` characters (cut only when none is that short).
fn shortest_word(list: &[&'static str], max: usize, rng: &mut ChaCha8Rng, out: &mut String) {
    let fitting: Vec<&str> = list.iter().copied().filter(|w| w.len() <= max).collect();
    if let Some(w) = fitting.get(rng.random_range(0..fitting.len().max(1))) {
        out.push_str(w);
    } else {
        out.extend(list[0].chars().take(max));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Pair, Share};
    use rand::SeedableRng;

    fn share(value: &str, share: f64) -> Share {
        Share {
            value: value.into(),
            share,
        }
    }

    #[test]
    fn values_follow_pairs_and_limits() {
        let model = WordModel {
            vocabulary: vec![share("Rock", 0.5), share("On", 0.3), share("99", 0.2)],
            unknown_rate: 0.0,
            unknown_capitalized: 0.0,
            first_capitalized: None,
            word_list: None,
            separators: vec![share(" ", 1.0)],
            frames: vec![crate::profile::Frame {
                before: String::new(),
                after: ".".into(),
                share: 0.5,
            }],
            pairs: vec![Pair {
                first: "Rock".into(),
                then: "On".into(),
                share: 1.0,
            }],
        };
        let gen = WordsGen::new(&model);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut out = String::new();
        for _ in 0..2_000 {
            out.clear();
            let value = Value {
                script: "Latin",
                alphabets: &[],
                target: 12,
                max: 14,
            };
            gen.generate(&mut rng, &value, &mut out);
            assert!(out.chars().count() <= 14, "{out:?}");
            assert!(
                !out.contains("Rock Rock") && !out.contains("Rock 1"),
                "{out:?}"
            );
            let numbers = out.split(' ').filter(|w| w.parse::<u32>().is_ok());
            assert!(numbers
                .clone()
                .all(|n| (10..100).contains(&n.parse::<u32>().unwrap())));
        }
    }

    #[test]
    fn the_first_word_is_capitalized_at_the_learned_rate() {
        let model = |first: f64| WordModel {
            vocabulary: vec![share("the", 0.4), share("night", 0.3), share("DVD", 0.3)],
            unknown_rate: 0.5,
            unknown_capitalized: 0.5,
            first_capitalized: Some(first),
            word_list: None,
            separators: vec![share(" ", 1.0)],
            frames: Vec::new(),
            pairs: Vec::new(),
        };
        let value = Value {
            script: "Latin",
            alphabets: &[],
            target: 20,
            max: 30,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut out = String::new();
        let mut values = |rate: f64| -> Vec<String> {
            let gen = WordsGen::new(&model(rate));
            (0..1000)
                .map(|_| {
                    out.clear();
                    gen.generate(&mut rng, &value, &mut out);
                    out.clone()
                })
                .collect()
        };
        let count =
            |values: &[String], f: fn(&String) -> bool| values.iter().filter(|v| f(v)).count();
        let lower = |v: &String| v.starts_with(char::is_lowercase);
        let capital = |v: &String| v.starts_with(char::is_uppercase) && !v.starts_with("DVD");
        // Without the rate, unknown words are capitalized at half and `the`, `night` never.
        assert_eq!(count(&values(1.0), lower), 0);
        assert_eq!(
            count(&values(0.0), capital),
            0,
            "an acronym keeps its capitals only"
        );
        let half = count(&values(0.5), lower);
        assert!((350..650).contains(&half), "{half}");
    }
}
