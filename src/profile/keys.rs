//! Key passes over data: the set of a key's values ([`KeySet`]), children per parent
//! ([`FanOutAccumulator`]), and what a column holds for key inference ([`ValueSet`]: distinct
//! values, containment in another column, code shape). All bounded: past a limit, values are
//! sampled by hash, so two columns' samples keep the same values and still compare.
//! The decisions made from them live in [`super::key_inference`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;

use super::model::{bucket_floor, round_share, FanOut};
use crate::hashing::{combine, hash_bytes, mix64};

/// Per row, a fixed hash of the key formed by `arrays`, or `None` if any part is NULL (a
/// foreign key with a NULL part references nothing). Integers of any width hash alike, so an
/// `int16` child matches an `int64` parent.
pub fn key_hashes(arrays: &[ArrayRef]) -> Vec<Option<u64>> {
    let rows = arrays.first().map_or(0, |a| a.len());
    let parts: Vec<Vec<Option<u64>>> = arrays.iter().map(column_hashes).collect();
    (0..rows)
        .map(|r| {
            if parts.len() == 1 {
                parts[0][r]
            } else {
                parts
                    .iter()
                    .all(|p| p[r].is_some())
                    .then(|| combine(parts.iter().flat_map(|p| p[r])))
            }
        })
        .collect()
}

/// Per row, a fixed hash of the value (integers of any width alike), or `None` for NULL.
pub fn column_hashes(array: &ArrayRef) -> Vec<Option<u64>> {
    let as_type = |t: &DataType| cast(array, t).expect("every logical type casts to Int64 or Utf8");
    match array.data_type() {
        DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            let ints = as_type(&DataType::Int64);
            ints.as_primitive::<arrow::datatypes::Int64Type>()
                .iter()
                .map(|v| v.map(|v| mix64(v as u64)))
                .collect()
        }
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(|v| hash_bytes(v.as_bytes())))
            .collect(),
        _ => {
            let text = as_type(&DataType::Utf8);
            text.as_string::<i32>()
                .iter()
                .map(|v| v.map(|v| hash_bytes(v.as_bytes())))
                .collect()
        }
    }
}

/// Most distinct keys a key pass holds before it starts sampling keys by hash.
const MAX_KEYS: usize = 1 << 20;

/// Keeps the keys whose hash has its lowest `level` bits zero: a sample of key *values* (every
/// row of a kept value is kept), so fan-out and containment stay exact for the kept values and
/// memory stays bounded however large the table.
#[derive(Debug, Default, Clone, Copy)]
struct HashSample {
    level: u32,
}

impl HashSample {
    fn keeps(self, hash: u64) -> bool {
        hash.trailing_zeros() >= self.level
    }

    /// How many values each kept value stands for.
    fn weight(self) -> u64 {
        1 << self.level
    }
}

/// The set of key values of a parent table, by hash.
#[derive(Debug, Default)]
pub struct KeySet {
    hashes: HashSet<u64>,
    sample: HashSample,
    /// Rows whose (kept) key value was seen before.
    duplicates: u64,
    /// Rows with a NULL in some part of the key.
    nulls: u64,
}

impl KeySet {
    pub fn observe(&mut self, arrays: &[ArrayRef]) {
        for h in key_hashes(arrays) {
            match h {
                Some(h) if self.sample.keeps(h) && !self.hashes.insert(h) => self.duplicates += 1,
                Some(_) => {}
                None => self.nulls += 1,
            }
        }
        while self.hashes.len() > MAX_KEYS {
            self.sample.level += 1;
            let sample = self.sample;
            self.hashes.retain(|&h| sample.keeps(h));
        }
    }

    /// True when no non-null key value was seen twice.
    pub fn is_unique(&self) -> bool {
        self.duplicates == 0
    }

    /// Rows that break the key: repeats of an earlier value (estimated from the kept values when
    /// keys were sampled) and rows with a NULL key part.
    pub fn violations(&self) -> u64 {
        self.duplicates * self.sample.weight() + self.nulls
    }
}

/// Counts child rows per referenced key, for one foreign key.
#[derive(Debug, Default)]
pub struct FanOutAccumulator {
    rows: u64,
    nulls: u64,
    children: HashMap<u64, u64>,
    sample: HashSample,
    /// Most distinct keys kept before sampling; 0 means [`MAX_KEYS`].
    limit: usize,
}

impl FanOutAccumulator {
    pub fn observe(&mut self, arrays: &[ArrayRef]) {
        for h in key_hashes(arrays) {
            self.rows += 1;
            match h {
                Some(h) if self.sample.keeps(h) => *self.children.entry(h).or_insert(0) += 1,
                Some(_) => {}
                None => self.nulls += 1,
            }
        }
        let limit = if self.limit == 0 {
            MAX_KEYS
        } else {
            self.limit
        };
        while self.children.len() > limit {
            self.sample.level += 1;
            let sample = self.sample;
            self.children.retain(|&h, _| sample.keeps(h));
        }
    }

    /// Whether every referenced key is in the parent's key set (compared on the keys both
    /// samples kept).
    pub fn contained_in(&self, parent: &KeySet) -> bool {
        let both = HashSample {
            level: self.sample.level.max(parent.sample.level),
        };
        self.children
            .keys()
            .filter(|&&k| both.keeps(k))
            .all(|k| parent.hashes.contains(k))
    }

    /// Child rows whose key is not in the parent's key set, estimated from the key values both
    /// samples kept.
    pub fn orphans(&self, parent: &KeySet) -> u64 {
        let both = HashSample {
            level: self.sample.level.max(parent.sample.level),
        };
        let missing: u64 = self
            .children
            .iter()
            .filter(|&(k, _)| both.keeps(*k) && !parent.hashes.contains(k))
            .map(|(_, &c)| c)
            .sum();
        missing * both.weight()
    }

    pub fn null_rate(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            round_share(self.nulls as f64 / self.rows as f64)
        }
    }

    /// The distribution of children per parent, given how many parent rows there are. When keys
    /// were sampled, counts are scaled up by the sampling weight.
    pub fn finish(&self, parent_rows: u64) -> FanOut {
        let weight = self.sample.weight();
        let referenced = self.children.len() as u64 * weight;
        let parents = parent_rows.max(referenced);
        let zero = parents - referenced;
        let mut histogram = std::collections::BTreeMap::new();
        if zero > 0 {
            histogram.insert(0, zero);
        }
        for &c in self.children.values() {
            *histogram.entry(bucket_floor(c)).or_insert(0) += weight;
        }
        let children: u64 = self.children.values().sum::<u64>() * weight;
        FanOut {
            parents,
            mean: if parents == 0 {
                0.0
            } else {
                round_share(children as f64 / parents as f64)
            },
            max: self.children.values().copied().max().unwrap_or(0),
            zero_share: if parents == 0 {
                0.0
            } else {
                round_share(zero as f64 / parents as f64)
            },
            histogram,
        }
    }
}

/// What one column holds, for key inference: its distinct values (by hash, with counts, sampled
/// by hash past a limit) and whether it reads like a code (short values without spaces).
#[derive(Debug)]
pub struct ValueSet {
    counts: FanOutAccumulator,
    /// Non-null text values, and those holding white space or longer than a code.
    texts: u64,
    wordy: u64,
    /// Character classes seen in text values (bits: upper, lower, digit, other) and the
    /// shortest value, to tell how many codes of this shape there could be.
    classes: u8,
    min_chars: usize,
}

/// A value longer than this is no code.
const MAX_CODE_CHARS: usize = 32;

/// Distinct values a [`ValueSet`] keeps before sampling by hash: smaller than a key pass's,
/// because inference reads every key-typed column at once.
const MAX_VALUES: usize = 1 << 17;

impl Default for ValueSet {
    fn default() -> Self {
        ValueSet {
            counts: FanOutAccumulator {
                limit: MAX_VALUES,
                ..Default::default()
            },
            texts: 0,
            wordy: 0,
            classes: 0,
            min_chars: usize::MAX,
        }
    }
}

/// How much of one column's values another column's values contain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Containment {
    /// Share of the child's distinct values that the parent holds.
    pub distinct_share: f64,
    /// Share of the child's non-null rows whose value the parent lacks.
    pub orphan_share: f64,
}

impl ValueSet {
    pub fn observe(&mut self, array: &ArrayRef) {
        self.counts.observe(std::slice::from_ref(array));
        if let Some(text) = array.as_string_opt::<i32>() {
            for v in text.iter().flatten() {
                self.texts += 1;
                let chars = v.chars().count();
                if chars > MAX_CODE_CHARS || v.chars().any(char::is_whitespace) {
                    self.wordy += 1;
                }
                self.min_chars = self.min_chars.min(chars);
                for c in v.chars() {
                    self.classes |= match c {
                        'A'..='Z' => 1,
                        'a'..='z' => 2,
                        '0'..='9' => 4,
                        _ => 8,
                    };
                }
            }
        }
    }

    /// Distinct non-null values (estimated when sampled).
    pub fn distinct(&self) -> u64 {
        self.counts.children.len() as u64 * self.counts.sample.weight()
    }

    /// Whether no value repeats and none is NULL: a candidate key.
    pub fn is_unique(&self) -> bool {
        self.counts.nulls == 0
            && self.counts.rows > 0
            && self.counts.children.values().all(|&c| c == 1)
    }

    /// Whether the values read like codes: at most 1 % hold white space or run long.
    pub fn code_like(&self) -> bool {
        self.wordy * 100 <= self.texts
    }

    /// How many distinct codes of this column's shape could exist (its character classes to
    /// the power of its shortest length), for text; `None` for other values.
    pub fn code_space(&self) -> Option<f64> {
        (self.texts > 0).then(|| {
            let alphabet: u32 = [(1, 26), (2, 26), (4, 10), (8, 10)]
                .iter()
                .filter(|(bit, _)| self.classes & bit != 0)
                .map(|(_, n)| n)
                .sum();
            f64::from(alphabet.max(1)).powi(self.min_chars.min(64) as i32)
        })
    }

    /// How much of this column `parent` holds, compared on the values both samples kept.
    pub fn containment(&self, parent: &ValueSet) -> Containment {
        let (child, parent) = (&self.counts, &parent.counts);
        let both = HashSample {
            level: child.sample.level.max(parent.sample.level),
        };
        let (mut values, mut found, mut rows, mut orphans) = (0u64, 0u64, 0u64, 0u64);
        for (k, &count) in child.children.iter().filter(|(k, _)| both.keeps(**k)) {
            values += 1;
            rows += count;
            if parent.children.contains_key(k) {
                found += 1;
            } else {
                orphans += count;
            }
        }
        let share = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        Containment {
            distinct_share: round_share(share(found, values)),
            orphan_share: round_share(if rows == 0 { 0.0 } else { share(orphans, rows) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn containment_counts_distinct_values_and_orphan_rows() {
        let set = |values: Vec<Option<&str>>| {
            let mut v = ValueSet::default();
            v.observe(&(Arc::new(arrow::array::StringArray::from(values)) as ArrayRef));
            v
        };
        let parent = set(vec![Some("A1"), Some("B2"), Some("C3")]);
        let child = set(vec![Some("A1"), Some("A1"), Some("B2"), Some("ZZ"), None]);
        assert!(parent.is_unique() && !child.is_unique());
        assert_eq!(
            child.containment(&parent),
            Containment {
                distinct_share: round_share(2.0 / 3.0),
                orphan_share: 0.25
            }
        );
        assert!(parent.code_like());
        assert!(!set(vec![Some("two words"), Some("x")]).code_like());
    }

    #[test]
    fn fan_out_counts_parents_without_children() {
        let child: ArrayRef = Arc::new(arrow::array::Int32Array::from(vec![
            Some(1),
            Some(1),
            Some(2),
            None,
        ]));
        let mut acc = FanOutAccumulator::default();
        acc.observe(&[child]);
        let fan = acc.finish(4);
        assert_eq!(
            fan.histogram,
            [(0, 2), (1, 1), (2, 1)].into_iter().collect()
        );
        assert_eq!((fan.zero_share, fan.max, acc.null_rate()), (0.5, 2, 0.25));
    }

    #[test]
    fn key_passes_sample_by_hash_past_the_limit() {
        let n = (MAX_KEYS * 3) as i64;
        let parent: ArrayRef = Arc::new(arrow::array::Int64Array::from_iter_values(0..n));
        let child: ArrayRef = Arc::new(arrow::array::Int64Array::from_iter_values(
            (0..n).map(|v| v / 2),
        ));
        let mut keys = KeySet::default();
        keys.observe(std::slice::from_ref(&parent));
        assert!(keys.is_unique() && keys.hashes.len() <= MAX_KEYS);
        let mut fan = FanOutAccumulator::default();
        fan.observe(&[child]);
        assert!(fan.contained_in(&keys));
        let out = fan.finish(n as u64);
        assert!((out.zero_share - 0.5).abs() < 0.02, "{}", out.zero_share);
        assert!((out.mean - 1.0).abs() < 0.05, "{}", out.mean);
        let mut dup = KeySet::default();
        dup.observe(&[Arc::new(arrow::array::Int64Array::from(vec![1, 2, 1])) as ArrayRef]);
        assert!(!dup.is_unique());
    }

    #[test]
    fn widths_do_not_change_key_hashes() {
        let a: ArrayRef = Arc::new(arrow::array::Int16Array::from(vec![7]));
        let b: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![7]));
        assert_eq!(key_hashes(&[a]), key_hashes(&[b]));
    }
}
