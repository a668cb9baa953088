//! Words of a text column: which words recur (in at least `min_count` rows), what stands between
//! them, how values start and end, and which word follows which. This becomes a `words` text
//! model; no value is kept whole, and a word or pair seen in fewer than `min_count` rows never
//! leaves the snapshot.

use std::borrow::Cow;

use super::model::{round_share, Share};
use super::privacy::Guard;
use super::sketch::ValueCounter;
use super::textmodel::{Frame, Pair, WordModel};

/// Most vocabulary words and word pairs a model keeps.
const MAX_VOCABULARY: usize = 1_000;
const MAX_PAIRS: usize = 1_000;
/// Separators, prefixes and suffixes longer than this (in bytes) are not kept.
const MAX_SEPARATOR: usize = 6;
/// Values longer than this (in bytes) add no words: long documents would dominate the counts.
const MAX_VALUE_BYTES: usize = 4_096;
/// Joins the two words of a pair in the pair counter.
const PAIR_JOIN: char = '\u{1}';

#[derive(Debug, Clone, Default)]
pub struct WordsAccumulator {
    /// Rows each word occurs in.
    words: ValueCounter<String>,
    pairs: ValueCounter<String>,
    separators: ValueCounter<String>,
    /// What stands before the first word and after the last, joined by [`PAIR_JOIN`].
    frames: ValueCounter<String>,
    /// Word occurrences, counted once per row.
    word_rows: u64,
    capitalized: u64,
    /// Values whose first word starts with a letter that has case, and those of them whose
    /// first word starts with a capital.
    first_cased: u64,
    first_capitalized: u64,
    values: u64,
    gaps: u64,
    /// Reused per value: the key being counted.
    key: String,
}

impl WordsAccumulator {
    pub fn observe(&mut self, v: &str) {
        if v.len() > MAX_VALUE_BYTES {
            return;
        }
        self.values += 1;
        let spans = word_spans(v);
        let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
            return;
        };
        // One reused key buffer: a value costs no allocation per separator, frame or pair.
        let key = &mut self.key;
        key.clear();
        push_plain(v[..first.0].trim_start(), key);
        key.push(PAIR_JOIN);
        push_plain(v[last.1..].trim_end(), key);
        self.frames.insert(key.as_str());
        for pair in spans.windows(2) {
            key.clear();
            push_plain(&v[pair[0].1..pair[1].0], key);
            self.separators.insert(key.as_str());
            self.gaps += 1;
        }
        if let Some(c) = v[first.0..]
            .chars()
            .next()
            .filter(|c| c.is_lowercase() || c.is_uppercase())
        {
            self.first_cased += 1;
            self.first_capitalized += c.is_uppercase() as u64;
        }
        let words: Vec<Cow<str>> = spans
            .iter()
            .map(|&(a, b)| normalize_word(&v[a..b]))
            .collect();
        // Each word and pair counts once per row.
        let mut distinct: Vec<&str> = words.iter().map(|w| &**w).collect();
        distinct.sort_unstable();
        distinct.dedup();
        for w in distinct {
            self.word_rows += 1;
            self.capitalized += w.starts_with(char::is_uppercase) as u64;
            self.words.insert(w);
        }
        let mut pairs: Vec<(&str, &str)> = words.windows(2).map(|p| (&*p[0], &*p[1])).collect();
        pairs.sort_unstable();
        pairs.dedup();
        for (a, b) in pairs {
            key.clear();
            key.push_str(a);
            key.push(PAIR_JOIN);
            key.push_str(b);
            self.pairs.insert(key.as_str());
        }
    }

    pub fn merge(&mut self, other: WordsAccumulator) {
        self.words.merge(other.words);
        self.pairs.merge(other.pairs);
        self.separators.merge(other.separators);
        self.frames.merge(other.frames);
        self.word_rows += other.word_rows;
        self.capitalized += other.capitalized;
        self.first_cased += other.first_cased;
        self.first_capitalized += other.first_capitalized;
        self.values += other.values;
        self.gaps += other.gaps;
    }

    /// The model, or `None` when the column has no words. A `personal` column (free text about
    /// people) keeps only lowercase words, never a name.
    pub fn finish(&self, guard: &Guard, personal: bool) -> Option<WordModel> {
        if self.word_rows == 0 {
            return None;
        }
        let kept: Vec<(String, u64)> = self
            .words
            .top(MAX_VOCABULARY * 4)
            .into_iter()
            .filter(|(w, c)| *c >= guard.min_count && (!personal || is_lowercase_word(w)))
            .take(MAX_VOCABULARY)
            .collect();
        let known: u64 = kept.iter().map(|(_, c)| c).sum();
        let counts: std::collections::HashMap<&str, u64> =
            kept.iter().map(|(w, c)| (w.as_str(), *c)).collect();
        let pairs = self
            .pairs
            .top(MAX_PAIRS * 4)
            .into_iter()
            .filter(|(_, c)| *c >= guard.min_count)
            .filter_map(|(p, c)| {
                let (first, then) = p.split_once(PAIR_JOIN)?;
                let of_first = *counts.get(first)?;
                counts.get(then)?;
                Some(Pair {
                    first: first.to_string(),
                    then: then.to_string(),
                    share: round_share(c as f64 / of_first as f64),
                })
            })
            .take(MAX_PAIRS)
            .collect();
        let share = |n: u64, of: u64| round_share(n as f64 / of.max(1) as f64);
        Some(WordModel {
            vocabulary: kept
                .iter()
                .map(|(w, c)| Share {
                    value: w.clone(),
                    share: share(*c, self.word_rows),
                })
                .collect(),
            unknown_rate: share(self.word_rows - known, self.word_rows),
            unknown_capitalized: share(self.capitalized, self.word_rows),
            first_capitalized: Some(share(self.first_capitalized, self.first_cased)),
            word_list: None,
            separators: guard.frequent(&self.separators, self.gaps, |s| s.clone()),
            frames: guard
                .frequent(&self.frames, self.values, |s| s.clone())
                .into_iter()
                .filter_map(|s| {
                    let (before, after) = s.value.split_once(PAIR_JOIN)?;
                    (!before.is_empty() || !after.is_empty()).then(|| Frame {
                        before: before.into(),
                        after: after.into(),
                        share: s.share,
                    })
                })
                .collect(),
            pairs,
        })
    }
}

/// Byte ranges of the words of `v`: runs of letters, digits and combining marks, with an
/// apostrophe inside a word (`don't`, `l’amour`) belonging to it.
pub fn word_spans(v: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = v.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_word = chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        let inside = c.is_alphanumeric()
            || (start.is_some() && (is_combining(c) || (is_apostrophe(c) && next_is_word)));
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, v.len()));
    }
    spans
}

/// A word as the vocabulary keeps it: digits as `9` (a number is a format, not a word), and
/// without the special characters that generation adds back at their own rates (combining
/// marks; typographic apostrophes become `'`).
pub fn normalize_word(w: &str) -> Cow<'_, str> {
    if w.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\'') {
        return Cow::Borrowed(w);
    }
    w.chars()
        .filter(|&c| !is_combining(c))
        .map(|c| match c {
            c if c.is_ascii_digit() => '9',
            c if is_apostrophe(c) => '\'',
            c => c,
        })
        .collect::<String>()
        .into()
}

pub fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{20d0}'..='\u{20ff}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

fn is_lowercase_word(w: &str) -> bool {
    w.chars().all(char::is_lowercase)
}

/// Appends a separator, prefix or suffix as kept: a long one becomes a space, and special
/// characters (no-break and zero-width spaces, typographic quotes and dashes) their plain
/// forms, since generation adds those back at their own rates.
fn push_plain(s: &str, out: &mut String) {
    let start = out.len();
    if s.len() <= MAX_SEPARATOR * 4 {
        out.extend(s.chars().filter_map(|c| match c {
            '\u{a0}' | '\u{202f}' => Some(' '),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => None,
            '\u{2018}' | '\u{2019}' => Some('\''),
            '\u{201c}' | '\u{201d}' | '\u{ab}' | '\u{bb}' => Some('"'),
            '\u{2013}' | '\u{2014}' => Some('-'),
            '\u{2026}' => Some('.'),
            c if c.is_whitespace() => Some(' '),
            c => Some(c),
        }));
    }
    if out.len() - start > MAX_SEPARATOR || (s.len() > MAX_SEPARATOR * 4) {
        out.truncate(start);
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_with_their_apostrophes() {
        let v = "Don't stop (live), 1999 Caf\u{e9}";
        let words: Vec<&str> = word_spans(v).iter().map(|&(a, b)| &v[a..b]).collect();
        assert_eq!(words, ["Don't", "stop", "live", "1999", "Caf\u{e9}"]);
        assert_eq!(normalize_word("1999"), "9999");
        assert_eq!(normalize_word("Cafe\u{301}"), "Cafe");
    }

    #[test]
    fn rare_words_and_pairs_stay_out() {
        let mut acc = WordsAccumulator::default();
        for v in ["Rock On.", "Rock On.", "Rock Hard", "Jazz Hands", "Rock On"] {
            acc.observe(v);
        }
        let model = acc.finish(&Guard::new(2), false).unwrap();
        let vocab: Vec<&str> = model.vocabulary.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(vocab, ["Rock", "On"]);
        assert_eq!(model.pairs.len(), 1);
        assert_eq!(
            (model.pairs[0].first.as_str(), model.pairs[0].share),
            ("Rock", 0.75)
        );
        assert_eq!(model.frames.len(), 1);
        assert_eq!(
            (model.frames[0].after.as_str(), model.frames[0].share),
            (".", 0.4)
        );
        assert!((model.unknown_rate - 0.3).abs() < 1e-9);
    }

    #[test]
    fn first_words_count_their_capitals_among_values_that_start_with_a_cased_letter() {
        let mut acc = WordsAccumulator::default();
        for v in [
            "(The night)",
            "the day",
            "1999 Live",
            "\u{6771}\u{4eac}",
            "Night",
        ] {
            acc.observe(v);
        }
        let model = acc.finish(&Guard::new(1), false).unwrap();
        assert_eq!(model.first_capitalized, Some(round_share(2.0 / 3.0)));
    }
}
