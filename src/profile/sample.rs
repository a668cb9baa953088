//! Samples chosen by hash, so both sides of a comparison keep the same kind of rows whatever
//! order a source returns them in, and memory stays bounded however large a table is.
//!
//! An entry is kept while the lowest `level` bits of its hash are zero; when more than
//! `capacity` entries are held, the level rises and half of them go. The kept set is therefore
//! a function of the data alone, never of the order it arrived in.

use rustc_hash::{FxHashMap, FxHashSet};

/// A bounded multiset of entries sampled by a hash (rows by their content, child rows by their
/// foreign key, parent rows by their key). Equal entries (same hash and tiebreak) are held once
/// with a count, and the capacity bounds distinct entries, so a table of a few values repeated
/// a million times keeps all of them.
#[derive(Debug, Clone)]
pub struct HashSampled<T> {
    entries: Vec<(u64, u64, T, u64)>,
    index: FxHashMap<(u64, u64), usize>,
    level: u32,
    capacity: usize,
}

fn keeps(level: u32, hash: u64) -> bool {
    hash.trailing_zeros() >= level
}

/// Rows a finished sample holds at most: entries are repeated by their counts, scaled down to
/// this many in all when the counts add up to more.
const EXPANDED_PER_CAPACITY: usize = 5;

impl<T> HashSampled<T> {
    pub fn new(capacity: usize) -> Self {
        HashSampled {
            entries: Vec::new(),
            index: FxHashMap::default(),
            level: 0,
            capacity: capacity.max(1),
        }
    }

    /// A sample that expects about `expected` distinct entries: it starts at the level where
    /// they fit, so parts of a large input observed separately (and merged later) don't each
    /// build and then discard a full sample.
    pub fn expecting(capacity: usize, expected: u64) -> Self {
        let mut sample = HashSampled::new(capacity);
        while expected >> sample.level > sample.capacity as u64 {
            sample.level += 1;
        }
        sample
    }

    /// Whether an entry with this hash would be kept now (callers skip building it otherwise).
    pub fn keeps(&self, hash: u64) -> bool {
        keeps(self.level, hash)
    }

    /// Adds an entry; `tiebreak` tells apart entries that share a hash (and orders them).
    pub fn push(&mut self, hash: u64, tiebreak: u64, value: T) {
        self.push_counted(hash, tiebreak, value, 1);
    }

    fn push_counted(&mut self, hash: u64, tiebreak: u64, value: T, count: u64) {
        if !self.keeps(hash) {
            return;
        }
        if let Some(&at) = self.index.get(&(hash, tiebreak)) {
            self.entries[at].3 += count;
            return;
        }
        self.index.insert((hash, tiebreak), self.entries.len());
        self.entries.push((hash, tiebreak, value, count));
        if self.entries.len() > self.capacity {
            while self.entries.len() > self.capacity {
                self.level += 1;
                let level = self.level;
                self.entries.retain(|e| keeps(level, e.0));
            }
            self.reindex();
        }
    }

    fn reindex(&mut self) {
        self.index = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.0, e.1), i))
            .collect();
    }

    /// Adds every entry of `other`; the result is what observing both inputs would give.
    pub fn merge(&mut self, other: HashSampled<T>) {
        if other.level > self.level {
            self.level = other.level;
            let level = self.level;
            self.entries.retain(|e| keeps(level, e.0));
            self.reindex();
        }
        for (hash, tiebreak, value, count) in other.entries {
            self.push_counted(hash, tiebreak, value, count);
        }
    }
}

impl<T: Clone> HashSampled<T> {
    /// The kept entries in hash order, each repeated by its count (scaled down in proportion
    /// when the counts add up to more than a few times the capacity), with the level they were
    /// kept at.
    pub fn finish(mut self) -> Sampled<T> {
        self.entries.sort_unstable_by_key(|a| (a.0, a.1));
        let total: u64 = self.entries.iter().map(|e| e.3).sum();
        let cap = (EXPANDED_PER_CAPACITY * self.capacity) as u64;
        let scale = if total > cap {
            cap as f64 / total as f64
        } else {
            1.0
        };
        let mut entries = Vec::with_capacity(total.min(cap) as usize + self.entries.len());
        for (hash, tiebreak, value, count) in self.entries {
            let n = ((count as f64 * scale).round() as u64).max(1);
            for _ in 0..n {
                entries.push((hash, tiebreak, value.clone()));
            }
        }
        Sampled {
            entries,
            level: self.level,
        }
    }
}

/// A finished [`HashSampled`].
#[derive(Debug, Clone)]
pub struct Sampled<T> {
    pub entries: Vec<(u64, u64, T)>,
    pub level: u32,
}

impl<T> Default for Sampled<T> {
    fn default() -> Self {
        Sampled {
            entries: Vec::new(),
            level: 0,
        }
    }
}

impl<T> Sampled<T> {
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|e| &e.2)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A bounded set of hashes (of values or rows) sampled the same way, for "does the synthetic
/// side copy this real value?" checks.
#[derive(Debug, Clone)]
pub struct HashSet {
    hashes: FxHashSet<u64>,
    level: u32,
    capacity: usize,
}

impl HashSet {
    pub fn new(capacity: usize) -> Self {
        HashSet {
            hashes: FxHashSet::default(),
            level: 0,
            capacity: capacity.max(1),
        }
    }

    pub fn insert(&mut self, hash: u64) {
        if !keeps(self.level, hash) {
            return;
        }
        self.hashes.insert(hash);
        while self.hashes.len() > self.capacity {
            self.level += 1;
            let level = self.level;
            self.hashes.retain(|&h| keeps(level, h));
        }
    }

    /// Of `hashes`, how many could be checked against this set and how many were found in it.
    pub fn matches(&self, hashes: impl IntoIterator<Item = u64>) -> (u64, u64) {
        let (mut checked, mut found) = (0, 0);
        for h in hashes {
            if keeps(self.level, h) {
                checked += 1;
                found += self.hashes.contains(&h) as u64;
            }
        }
        (checked, found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::mix64;

    #[test]
    fn the_kept_entries_do_not_depend_on_arrival_order() {
        let mut forward = HashSampled::new(100);
        let mut backward = HashSampled::new(100);
        for i in 0..10_000u64 {
            forward.push(mix64(i), i, i);
            backward.push(mix64(9_999 - i), 9_999 - i, 9_999 - i);
        }
        let (f, b) = (forward.finish(), backward.finish());
        assert!(f.len() <= 100 && f.len() > 25, "kept {}", f.len());
        assert_eq!(f.level, b.level);
        assert_eq!(
            f.values().collect::<Vec<_>>(),
            b.values().collect::<Vec<_>>()
        );
    }

    #[test]
    fn repeated_entries_are_kept_with_their_counts() {
        let mut sample = HashSampled::new(100);
        for i in 0..100_000u64 {
            let value = i % 20;
            sample.push(mix64(value), 0, value);
        }
        let kept = sample.finish();
        assert_eq!(kept.level, 0, "20 distinct values fit");
        let mut seen: Vec<u64> = kept.values().copied().collect();
        assert_eq!(
            seen.len(),
            500,
            "100,000 rows scaled to five times the capacity"
        );
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 20);
    }

    #[test]
    fn a_hash_set_answers_for_the_values_it_kept() {
        let mut set = HashSet::new(1_000);
        (0..5_000u64).for_each(|i| set.insert(mix64(i)));
        let (checked, found) = set.matches((0..5_000u64).map(mix64));
        assert!(checked > 400 && checked <= 1_000, "checked {checked}");
        assert_eq!(found, checked);
        let (checked, found) = set.matches((10_000..15_000u64).map(mix64));
        assert!(checked > 0);
        assert_eq!(found, 0);
    }
}
