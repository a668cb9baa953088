//! Emails built from the generated row's names at the learned share and patterns (see
//! [`crate::profile::email_names`]): run on a chunk's buffers once every column is drawn, it
//! replaces the local part of the drawn address and keeps its domain, so learned domains keep
//! their shares. Which rows and which pattern depend on (seed, table, row) alone.

use arrow::datatypes::DataType;

use super::values::{Buffer, Choice};
use crate::hashing::{combine, mix64, unit_interval};
use crate::profile::email_names::{fold, split_full, NameEmail, NamePattern};

#[derive(Debug)]
pub struct NameEmailPlan {
    /// Positions in the generated batch.
    email: usize,
    names: Vec<usize>,
    share: f64,
    patterns: Choice<NamePattern>,
    max_chars: usize,
    salt: u64,
}

impl NameEmailPlan {
    /// The email column's position in the generated batch: the one column the rule writes.
    pub fn email(&self) -> usize {
        self.email
    }

    /// `email` and `names` are positions of the columns in the generated batch.
    pub fn new(
        rule: &NameEmail,
        email: usize,
        names: Vec<usize>,
        max_chars: Option<u32>,
        salt: u64,
    ) -> NameEmailPlan {
        NameEmailPlan {
            email,
            names,
            share: rule.share,
            patterns: Choice::new(rule.patterns.iter().map(|p| (p.pattern, p.share)).collect()),
            max_chars: max_chars.map_or(usize::MAX, |m| m as usize),
            salt,
        }
    }

    /// Rewrites the addresses of the chunk's rows (from row `start`) that take their names.
    pub fn apply(&self, buffers: &mut [Buffer], seed: u64, start: u64) {
        let rows = buffers[self.email].rows();
        let mut out = Buffer::for_type(&DataType::Utf8, rows);
        for i in 0..rows {
            match self.address(buffers, seed, start + i as u64, i) {
                Some(address) => out.push_str(&address),
                None => out.push_from(&buffers[self.email], i),
            }
        }
        buffers[self.email] = out;
    }

    /// Row `i`'s new address, if it takes one from its names.
    fn address(&self, buffers: &[Buffer], seed: u64, row: u64, i: usize) -> Option<String> {
        let hash = mix64(combine([seed, self.salt, row]));
        if unit_interval(hash) >= self.share {
            return None;
        }
        let drawn = buffers[self.email].text_at(i)?;
        let (_, domain) = drawn.rsplit_once('@')?;
        let (first, last) = match self.names[..] {
            [first, last] => (buffers[first].text_at(i)?, buffers[last].text_at(i)?),
            [full] => split_full(buffers[full].text_at(i)?),
            _ => return None,
        };
        let pattern = self
            .patterns
            .sample_normalized_at(unit_interval(mix64(hash)))?;
        let local = pattern.render(&fold(first), &fold(last));
        let address = format!("{local}@{domain}");
        (!local.is_empty() && address.len() <= self.max_chars).then_some(address)
    }
}
