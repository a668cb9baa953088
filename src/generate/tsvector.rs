//! `tsvector` values built from generated words: a learned number of lexemes (from the
//! column's text lengths), each a made-up lower-case word with its position, sorted and
//! unique as PostgreSQL keeps them (`'bako':2 'rilu':1`). The words are not the snapshot's:
//! the profile holds no vocabulary.

use std::collections::BTreeSet;
use std::fmt::Write;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::profile::ColumnStats;

/// Characters a lexeme entry takes in the text form, on average (`'word':12 `).
const CHARS_PER_LEXEME: f64 = 10.0;

#[derive(Debug, Clone)]
pub struct TsVectorGen {
    /// Lexemes per value, `[lo, hi)`.
    lexemes: (u32, u32),
}

impl TsVectorGen {
    pub fn new(stats: Option<&ColumnStats>) -> Self {
        let chars = stats
            .and_then(|s| s.text.as_ref())
            .map_or((10, 60), |t| (t.min_chars, t.max_chars));
        let count = |c: u32| (c as f64 / CHARS_PER_LEXEME).round().max(1.0) as u32;
        let lo = count(chars.0);
        TsVectorGen {
            lexemes: (lo, count(chars.1).max(lo) + 1),
        }
    }

    /// Appends one value in `tsvector`'s text form.
    pub fn write(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        let n = rng.random_range(self.lexemes.0..self.lexemes.1);
        let words: BTreeSet<String> = (0..n).map(|_| word(rng)).collect();
        for (position, w) in words.iter().enumerate() {
            if position > 0 {
                out.push(' ');
            }
            let _ = write!(out, "'{w}':{}", position + 1);
        }
    }
}

/// A pronounceable made-up word of two to four syllables.
fn word(rng: &mut ChaCha8Rng) -> String {
    const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    let syllables = rng.random_range(2..5);
    let mut w = String::with_capacity(syllables * 2);
    for _ in 0..syllables {
        w.push(CONSONANTS[rng.random_range(0..CONSONANTS.len())] as char);
        w.push(VOWELS[rng.random_range(0..VOWELS.len())] as char);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn values_are_sorted_unique_lexemes_with_positions() {
        let gen = TsVectorGen::new(None);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut out = String::new();
        gen.write(&mut rng, &mut out);
        let lexemes: Vec<&str> = out.split(' ').collect();
        assert!(
            !lexemes.is_empty() && lexemes[0].starts_with('\'') && lexemes[0].ends_with(":1"),
            "{out}"
        );
        let mut sorted = lexemes
            .iter()
            .map(|l| l.split(':').next().unwrap())
            .collect::<Vec<_>>();
        let before = sorted.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, before);
    }
}
