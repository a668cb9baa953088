//! Letters of a script as code-point ranges, for text in scripts no word list covers.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Accented Latin letters, for non-ASCII Latin text.
pub const ACCENTED: &[char] = &['é', 'è', 'ü', 'ö', 'ñ', 'ç', 'ø', 'å', 'ã', 'í', 'ł', 'ß'];

/// A script's letters, as a code-point range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    Latin,
    Cyrillic,
    Greek,
    Han,
    Arabic,
    Hebrew,
    Hiragana,
    Katakana,
    Hangul,
    Devanagari,
    Thai,
}

impl Alphabet {
    pub fn for_script(name: &str) -> Option<Alphabet> {
        Some(match name {
            "Latin" => Alphabet::Latin,
            "Cyrillic" => Alphabet::Cyrillic,
            "Greek" => Alphabet::Greek,
            "Han" => Alphabet::Han,
            "Arabic" => Alphabet::Arabic,
            "Hebrew" => Alphabet::Hebrew,
            "Hiragana" => Alphabet::Hiragana,
            "Katakana" => Alphabet::Katakana,
            "Hangul" => Alphabet::Hangul,
            "Devanagari" => Alphabet::Devanagari,
            "Thai" => Alphabet::Thai,
            _ => return None,
        })
    }

    pub fn letter(self, rng: &mut ChaCha8Rng, upper: bool) -> char {
        let (first, count) = match self {
            Alphabet::Latin if upper => (0x41, 26),
            Alphabet::Latin => (0x61, 26),
            Alphabet::Cyrillic if upper => (0x410, 32),
            Alphabet::Cyrillic => (0x430, 32),
            Alphabet::Greek if upper => (0x391, 17),
            Alphabet::Greek => (0x3b1, 17),
            Alphabet::Han => (0x4e00, 3000),
            Alphabet::Arabic => (0x628, 19),
            Alphabet::Hebrew => (0x5d0, 27),
            Alphabet::Hiragana => (0x3042, 80),
            Alphabet::Katakana => (0x30a2, 80),
            Alphabet::Hangul => (0xac00, 2000),
            Alphabet::Devanagari => (0x915, 37),
            Alphabet::Thai => (0xe01, 46),
        };
        char::from_u32(first + rng.random_range(0..count)).unwrap_or('x')
    }
}

impl Alphabet {
    /// A word of `len` letters, the first upper case when the script has case and `capital`.
    pub fn word(self, len: usize, capital: bool, rng: &mut ChaCha8Rng, out: &mut String) {
        for i in 0..len {
            out.push(self.letter(rng, capital && i == 0));
        }
    }
}
