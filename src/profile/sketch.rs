//! Mergeable summaries with bounded memory: a quantile sketch, a distinct-count sketch and a
//! frequent-value counter that is exact until a column turns out to have many distinct values.
//!
//! Each has `merge`, and merging summaries of the parts in order gives the summary of the whole
//! (exactly while the inputs are small, within the sketch's error after that).

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Borrow;
use std::hash::Hash;

/// A KLL-style quantile sketch: exact up to `CAPACITY` values; beyond that each level halves
/// its buffer when full, keeping every other sorted value with doubled weight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuantileSketch {
    levels: Vec<Vec<f64>>,
    /// Per level, how many compactions it has had; alternates which half survives.
    compactions: Vec<u64>,
    count: u64,
}

const CAPACITY: usize = 2048;

impl QuantileSketch {
    pub fn insert(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
            self.compactions.push(0);
        }
        self.levels[0].push(value);
        self.count += 1;
        self.compact_from(0);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// How many of the values still held one by one (the first level; every value, until the
    /// sketch first compacts) equal `v`: at most the true count, never more, so a value is
    /// never taken for shared when it is not.
    pub fn count_of(&self, v: f64) -> u64 {
        (self.levels.first()).map_or(0, |values| {
            values.iter().filter(|&&x| x == v).count() as u64
        })
    }

    pub fn merge(&mut self, other: QuantileSketch) {
        for (level, values) in other.levels.into_iter().enumerate() {
            while self.levels.len() <= level {
                self.levels.push(Vec::new());
                self.compactions.push(0);
            }
            self.levels[level].extend(values);
        }
        self.count += other.count;
        for level in 0..self.levels.len() {
            self.compact_from(level);
        }
    }

    fn compact_from(&mut self, mut level: usize) {
        while self.levels[level].len() >= CAPACITY {
            let mut values = std::mem::take(&mut self.levels[level]);
            values.sort_by(f64::total_cmp);
            let offset = (self.compactions[level] % 2) as usize;
            self.compactions[level] += 1;
            if self.levels.len() == level + 1 {
                self.levels.push(Vec::new());
                self.compactions.push(0);
            }
            self.levels[level + 1].extend(values.into_iter().skip(offset).step_by(2));
            level += 1;
        }
    }

    /// The values at each of `ranks` (each in 0..=1), or `None` when empty.
    pub fn quantiles(&self, ranks: &[f64]) -> Option<Vec<f64>> {
        let mut weighted: Vec<(f64, u64)> = self
            .levels
            .iter()
            .enumerate()
            .flat_map(|(level, values)| values.iter().map(move |&v| (v, 1u64 << level)))
            .collect();
        if weighted.is_empty() {
            return None;
        }
        weighted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: u64 = weighted.iter().map(|w| w.1).sum();
        Some(
            ranks
                .iter()
                .map(|&q| {
                    let target = (q.clamp(0.0, 1.0) * (total - 1) as f64).round() as u64;
                    let mut seen = 0;
                    for &(v, w) in &weighted {
                        seen += w;
                        if seen > target {
                            return v;
                        }
                    }
                    weighted.last().expect("not empty").0
                })
                .collect(),
        )
    }
}

/// HyperLogLog with 2^12 registers (about 1.6 % standard error).
#[derive(Debug, Clone, PartialEq)]
pub struct Hll {
    registers: Vec<u8>,
}

const HLL_BITS: u32 = 12;

impl Default for Hll {
    fn default() -> Self {
        Hll {
            registers: vec![0; 1 << HLL_BITS],
        }
    }
}

impl Hll {
    pub fn insert_hash(&mut self, hash: u64) {
        let index = (hash >> (64 - HLL_BITS)) as usize;
        let rank = ((hash << HLL_BITS) | (1 << (HLL_BITS - 1))).leading_zeros() as u8 + 1;
        self.registers[index] = self.registers[index].max(rank);
    }

    pub fn merge(&mut self, other: &Hll) {
        for (a, b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(*b);
        }
    }

    pub fn estimate(&self) -> u64 {
        let m = self.registers.len() as f64;
        let sum: f64 = self.registers.iter().map(|&r| 2f64.powi(-(r as i32))).sum();
        let raw = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        if raw <= 2.5 * m && zeros > 0 {
            (m * (m / zeros as f64).ln()).round() as u64
        } else {
            raw.round() as u64
        }
    }
}

/// A hash that is the same on every run (unlike `RandomState`), for sketches.
pub trait FixedHash {
    fn fixed_hash(&self) -> u64;
}

impl FixedHash for str {
    fn fixed_hash(&self) -> u64 {
        crate::hashing::hash_bytes(self.as_bytes())
    }
}

impl FixedHash for String {
    fn fixed_hash(&self) -> u64 {
        self.as_str().fixed_hash()
    }
}

impl FixedHash for i64 {
    fn fixed_hash(&self) -> u64 {
        crate::hashing::mix64(*self as u64)
    }
}

/// Counts values exactly while there are at most `EXACT_LIMIT` distinct ones. Past that it keeps
/// a distinct-count sketch and about `HEAVY_HITTERS` of the most frequent values (Misra-Gries),
/// whose counts are then lower bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCounter<K: Hash + Eq> {
    counts: HashMap<K, u64>,
    overflow: Option<Hll>,
}

pub const EXACT_LIMIT: usize = 20_000;
const HEAVY_HITTERS: usize = 512;

impl<K: Hash + Eq> Default for ValueCounter<K> {
    fn default() -> Self {
        ValueCounter {
            counts: HashMap::default(),
            overflow: None,
        }
    }
}

impl<K: Hash + Eq + Clone + Ord + FixedHash> ValueCounter<K> {
    pub fn insert<Q>(&mut self, value: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + FixedHash + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(hll) = &mut self.overflow {
            hll.insert_hash(value.fixed_hash());
        }
        if let Some(count) = self.counts.get_mut(value) {
            *count += 1;
            return;
        }
        self.counts.insert(value.to_owned(), 1);
        self.bound_memory();
    }

    pub fn merge(&mut self, other: ValueCounter<K>) {
        match (&mut self.overflow, other.overflow) {
            (Some(a), Some(b)) => a.merge(&b),
            (Some(a), None) => other
                .counts
                .keys()
                .for_each(|k| a.insert_hash(k.fixed_hash())),
            (None, Some(mut b)) => {
                self.counts
                    .keys()
                    .for_each(|k| b.insert_hash(k.fixed_hash()));
                self.overflow = Some(b);
            }
            (None, None) => {}
        }
        for (k, c) in other.counts {
            *self.counts.entry(k).or_insert(0) += c;
        }
        self.bound_memory();
    }

    /// Past the exact limit, switches to the sketch; once switched, keeps the heavy hitters by
    /// subtracting the count of the first value that doesn't fit from every count (Misra-Gries,
    /// batched so it runs once per `HEAVY_HITTERS` new values).
    fn bound_memory(&mut self) {
        if self.overflow.is_none() {
            if self.counts.len() <= EXACT_LIMIT {
                return;
            }
            let mut hll = Hll::default();
            self.counts
                .keys()
                .for_each(|k| hll.insert_hash(k.fixed_hash()));
            self.overflow = Some(hll);
        }
        if self.counts.len() <= 2 * HEAVY_HITTERS {
            return;
        }
        let mut counts: Vec<u64> = self.counts.values().copied().collect();
        let (_, &mut cut, _) = counts.select_nth_unstable_by(HEAVY_HITTERS, |a, b| b.cmp(a));
        self.counts.retain(|_, c| {
            *c = c.saturating_sub(cut);
            *c > 0
        });
    }

    /// Whether the counts are exact (no overflow happened).
    pub fn is_exact(&self) -> bool {
        self.overflow.is_none()
    }

    /// Distinct values: exact, or the sketch's estimate.
    pub fn distinct(&self) -> u64 {
        match &self.overflow {
            None => self.counts.len() as u64,
            Some(hll) => hll.estimate().max(self.counts.len() as u64),
        }
    }

    /// The values with their counts, most frequent first, ties by value.
    pub fn top(&self, n: usize) -> Vec<(K, u64)> {
        let mut all: Vec<(K, u64)> = self.counts.iter().map(|(k, &c)| (k.clone(), c)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_exact_for_small_inputs() {
        let mut s = QuantileSketch::default();
        (1..=101).for_each(|v| s.insert(v as f64));
        assert_eq!(
            s.quantiles(&[0.0, 0.5, 1.0]).unwrap(),
            vec![1.0, 51.0, 101.0]
        );
    }

    #[test]
    fn quantiles_stay_close_for_large_inputs() {
        let mut s = QuantileSketch::default();
        (0..1_000_000i64).for_each(|v| s.insert(((v * 7919) % 1_000_000) as f64));
        let q = s.quantiles(&[0.1, 0.5, 0.9]).unwrap();
        for (got, want) in q.iter().zip([100_000.0, 500_000.0, 900_000.0]) {
            assert!((got - want).abs() < 20_000.0, "{got} vs {want}");
        }
    }

    #[test]
    fn merged_sketch_equals_sketch_of_concatenation_when_small() {
        let (mut a, mut b, mut whole) = (
            QuantileSketch::default(),
            QuantileSketch::default(),
            QuantileSketch::default(),
        );
        (0..500).for_each(|v| {
            a.insert(v as f64);
            whole.insert(v as f64);
        });
        (500..900).for_each(|v| {
            b.insert(v as f64);
            whole.insert(v as f64);
        });
        a.merge(b);
        let ranks: Vec<f64> = (0..=20).map(|i| i as f64 / 20.0).collect();
        assert_eq!(a.quantiles(&ranks), whole.quantiles(&ranks));
    }

    #[test]
    fn hll_estimates_within_a_few_percent() {
        let mut h = Hll::default();
        (0..200_000u64).for_each(|v| h.insert_hash(crate::hashing::mix64(v)));
        let e = h.estimate() as f64;
        assert!((e - 200_000.0).abs() / 200_000.0 < 0.05, "{e}");
    }

    #[test]
    fn counter_keeps_heavy_hitters_past_the_limit() {
        let mut c = ValueCounter::<i64>::default();
        for i in 0..100_000i64 {
            c.insert(&i);
            c.insert(&-1);
        }
        assert!(!c.is_exact());
        assert_eq!(c.top(1)[0].0, -1);
        let d = c.distinct() as f64;
        assert!((d - 100_001.0).abs() / 100_001.0 < 0.05, "{d}");
    }

    #[test]
    fn counter_is_exact_below_the_limit() {
        let mut c = ValueCounter::<String>::default();
        ["a", "b", "a"].iter().for_each(|v| c.insert(*v));
        assert!(c.is_exact());
        assert_eq!(c.distinct(), 2);
        assert_eq!(c.top(5), vec![("a".to_string(), 2), ("b".to_string(), 1)]);
    }
}
