//! Values built from parts, each part drawn like a column of its own type from the statistics
//! the profile learned for it: ranges (a lower bound plus a learned width, or two bounds put in
//! order when one is drawn alone, with the learned empty, infinite and inclusive rates), bit strings (a length and bits at the learned share of 1s),
//! hstore values (keys at the share of rows that hold them, values from the values' text
//! statistics) and xml (a learned root element around generated, escaped text, so every value
//! is well-formed).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::columns::{kind_for, type_limits};
use super::pattern::RowPattern;
use super::values::{Buffer, Choice, ColumnGen};
use crate::profile::{ArrayStats, ColumnStats, KeyedStats, RangeStats};
use crate::schema::{hstore_literal, range_literal, Column, LogicalType};

/// `n` values drawn by `gen` (a part's generator, which makes no NULLs) into a buffer of
/// `data_type`.
pub(super) fn draw(
    gen: &ColumnGen,
    data_type: &DataType,
    rng: &mut ChaCha8Rng,
    n: usize,
) -> Buffer {
    let mut buffer = Buffer::for_type(data_type, n);
    gen.fill(rng, 0..n as u64, &mut buffer);
    buffer
}

/// A buffer's values as text, as COPY and CSV read them.
pub(super) fn as_text(buffer: Buffer, data_type: &DataType) -> ArrayRef {
    let typed = buffer.finish(data_type);
    let n = typed.len();
    cast(&typed, &DataType::Utf8)
        .unwrap_or_else(|_| Arc::new(arrow::array::StringArray::from(vec![None::<&str>; n])))
}

/// Count buckets (a key runs to the next key) as `[lo, hi)` ranges with their shares.
pub(super) fn buckets(shares: &std::collections::BTreeMap<u32, f64>) -> Vec<((u32, u32), f64)> {
    let keys: Vec<u32> = shares.keys().copied().collect();
    keys.iter()
        .enumerate()
        .map(|(i, &k)| ((k, keys.get(i + 1).copied().unwrap_or(k + 1)), shares[&k]))
        .collect()
}

/// A part's generator, drawn like a column of `logical` from `stats`; it makes no NULLs (a
/// part's NULLs are decided by the value it belongs to). Built once, so drawing a part per
/// value copies nothing.
pub(super) fn part(
    column: &Column,
    logical: &LogicalType,
    stats: Option<&ColumnStats>,
) -> ColumnGen {
    let part_column = Column::new(column.name.clone(), logical.clone(), true);
    ColumnGen {
        nulls: RowPattern::new(0.0, 1, 0),
        kind: kind_for(&part_column, stats, type_limits(logical)),
    }
}

#[derive(Debug, Clone)]
pub struct RangeGen {
    empty_rate: f64,
    lower_infinite_rate: f64,
    upper_infinite_rate: f64,
    lower_inclusive_rate: f64,
    upper_inclusive_rate: f64,
    lower: ColumnGen,
    upper: ColumnGen,
    /// Learned widths, when ranges with two finite bounds were seen.
    width: Option<ColumnGen>,
    bound_type: DataType,
    /// For a multirange: range-count buckets `[lo, hi)` at their shares.
    counts: Option<Choice<(u32, u32)>>,
}

impl RangeGen {
    /// Without learned statistics (a profile made from DDL), `[lower, upper)` ranges of
    /// default bounds, never empty or infinite (and multiranges of 1 to 3 of them).
    pub fn new(
        column: &Column,
        element: &LogicalType,
        multi: bool,
        stats: Option<&RangeStats>,
    ) -> Self {
        let counts = match stats.filter(|s| !s.counts.is_empty()) {
            Some(s) => Choice::new(buckets(&s.counts)),
            None => Choice::uniform(vec![(1, 4)]),
        };
        let rate = |f: fn(&RangeStats) -> f64, default: f64| stats.map_or(default, f);
        RangeGen {
            empty_rate: rate(|s| s.empty_rate, 0.0),
            lower_infinite_rate: rate(|s| s.lower_infinite_rate, 0.0),
            upper_infinite_rate: rate(|s| s.upper_infinite_rate, 0.0),
            lower_inclusive_rate: rate(|s| s.lower_inclusive_rate, 1.0),
            upper_inclusive_rate: rate(|s| s.upper_inclusive_rate, 0.0),
            lower: part(column, element, stats.map(|s| s.lower.as_ref())),
            upper: part(column, element, stats.map(|s| s.upper.as_ref())),
            width: stats
                .map(|s| s.width.as_ref())
                .filter(|w| w.numeric.is_some())
                .map(|w| part(column, &LogicalType::Float64, Some(w))),
            bound_type: element.arrow_type(),
            counts: multi.then_some(counts),
        }
    }

    /// Appends one range (or multirange) literal to `out`.
    pub fn write(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        let Some(counts) = &self.counts else {
            let range = self.range(rng);
            range_literal::write(range.as_ref(), out);
            return;
        };
        let (lo, hi) = *counts.sample_normalized(rng).unwrap_or(&(1, 2));
        let n = rng.random_range(lo..hi.max(lo + 1));
        // A multirange drops empty ranges, so only the others are written.
        let ranges: Vec<range_literal::Bounds> = (0..n).filter_map(|_| self.range(rng)).collect();
        range_literal::write_multi(&ranges, out);
    }

    /// One range, `None` when empty. With both bounds finite, the upper is the lower plus a
    /// learned width (never negative), or, without widths, the two drawn bounds in order.
    fn range(&self, rng: &mut ChaCha8Rng) -> Option<range_literal::Bounds> {
        if rng.random::<f64>() < self.empty_rate {
            return None;
        }
        let lower_infinite = rng.random::<f64>() < self.lower_infinite_rate;
        let upper_infinite = rng.random::<f64>() < self.upper_infinite_rate;
        let mut lower = (!lower_infinite).then(|| draw(&self.lower, &self.bound_type, rng, 1));
        let mut upper = match (&lower, &self.width, upper_infinite) {
            (_, _, true) => None,
            (Some(lo), Some(width), false) => {
                let start = lo.numbers().first().copied().flatten().unwrap_or(0.0);
                let width = draw(width, &DataType::Float64, rng, 1).numbers()[0].unwrap_or(0.0);
                let mut upper = Buffer::for_type(&self.bound_type, 1);
                upper.push_number(start + width.max(0.0));
                Some(upper)
            }
            _ => Some(draw(&self.upper, &self.bound_type, rng, 1)),
        };
        if let (Some(lo), Some(hi)) = (&lower, &upper) {
            if matches!((lo.numbers()[0], hi.numbers()[0]), (Some(a), Some(b)) if a > b) {
                std::mem::swap(&mut lower, &mut upper);
            }
        }
        let text = |buffer: Option<Buffer>| {
            let text = as_text(buffer?, &self.bound_type);
            let text = text.as_string::<i32>();
            text.is_valid(0).then(|| text.value(0).to_string())
        };
        Some(range_literal::Bounds {
            lower: text(lower),
            upper: text(upper),
            lower_inclusive: !lower_infinite && rng.random::<f64>() < self.lower_inclusive_rate,
            upper_inclusive: !upper_infinite && rng.random::<f64>() < self.upper_inclusive_rate,
        })
    }
}

#[derive(Debug, Clone)]
pub struct BitGen {
    /// Bit-length buckets `[lo, hi)` at their shares (bit varying); `bit(n)` is always `n`.
    lengths: Choice<(u32, u32)>,
    length: Option<u32>,
    varying: bool,
    one_rate: f64,
}

impl BitGen {
    pub fn new(length: Option<u32>, varying: bool, stats: Option<&ArrayStats>) -> Self {
        let lengths = match stats {
            Some(s) => Choice::new(buckets(&s.lengths)),
            None => Choice::uniform(vec![(1, length.unwrap_or(8) + 1)]),
        };
        BitGen {
            lengths,
            length,
            varying,
            one_rate: stats
                .and_then(|s| s.element.boolean.as_ref())
                .map_or(0.5, |b| b.true_rate),
        }
    }

    /// Appends one bit string: exactly `n` bits for `bit(n)`, a learned length (at most `n`)
    /// for `bit varying(n)`.
    pub fn write(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        let n = if self.varying {
            let (lo, hi) = *self.lengths.sample_normalized(rng).unwrap_or(&(1, 2));
            let n = rng.random_range(lo..hi.max(lo + 1));
            self.length.map_or(n, |max| n.min(max))
        } else {
            self.length.unwrap_or(1)
        };
        out.extend((0..n).map(|_| {
            if rng.random::<f64>() < self.one_rate {
                '1'
            } else {
                '0'
            }
        }));
    }
}

/// hstore values and xml documents: keys (or root elements) and values (or text content).
#[derive(Debug, Clone)]
pub struct KeyedGen {
    /// Each key with the share of values that hold it.
    keys: Vec<(String, f64)>,
    /// For xml: the same keys as root elements to draw one from.
    roots: Choice<String>,
    values: ColumnGen,
    value_null_rate: f64,
    xml: bool,
}

impl KeyedGen {
    pub fn new(column: &Column, stats: Option<&KeyedStats>) -> Self {
        let text = LogicalType::Text { max_chars: None };
        let keys: Vec<(String, f64)> = stats
            .map(|s| s.keys.iter().map(|k| (k.value.clone(), k.share)).collect())
            .unwrap_or_default();
        KeyedGen {
            roots: Choice::new(keys.clone()),
            keys,
            values: part(column, &text, stats.map(|s| s.values.as_ref())),
            value_null_rate: stats.map_or(0.0, |s| s.values.null_rate),
            xml: column.logical == LogicalType::Xml,
        }
    }

    pub fn write(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        if self.xml {
            self.write_xml(rng, out);
            return;
        }
        let mut pairs = Vec::new();
        for (key, share) in &self.keys {
            if rng.random::<f64>() < *share {
                pairs.push((key.as_str(), self.value(rng)));
            }
        }
        hstore_literal::write(pairs.iter().map(|(k, v)| (*k, v.as_deref())), out);
    }

    /// `<root>content</root>`: a root element at its learned share (the first when none is
    /// drawn, `value` when none was learned) around escaped text.
    fn write_xml(&self, rng: &mut ChaCha8Rng, out: &mut String) {
        let root = self
            .roots
            .sample_normalized(rng)
            .map_or("value", String::as_str);
        let content = self.value(rng).unwrap_or_default();
        out.push('<');
        out.push_str(root);
        out.push('>');
        for c in content.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out.push_str("</");
        out.push_str(root);
        out.push('>');
    }

    fn value(&self, rng: &mut ChaCha8Rng) -> Option<String> {
        if rng.random::<f64>() < self.value_null_rate {
            return None;
        }
        let text = as_text(draw(&self.values, &DataType::Utf8, rng, 1), &DataType::Utf8);
        let text = text.as_string::<i32>();
        text.is_valid(0).then(|| text.value(0).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{BoolStats, Share};
    use rand::SeedableRng;

    #[test]
    fn ranges_keep_their_bounds_in_order() {
        let column = Column::new("span", LogicalType::Int32, true);
        let gen = RangeGen::new(&column, &LogicalType::Int32, false, None);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200 {
            let mut out = String::new();
            gen.write(&mut rng, &mut out);
            let bounds = range_literal::parse(&out).unwrap().unwrap();
            let (lo, hi): (i64, i64) = (
                bounds.lower.unwrap().parse().unwrap(),
                bounds.upper.unwrap().parse().unwrap(),
            );
            assert!(lo <= hi, "{out}");
        }
    }

    #[test]
    fn multiranges_hold_ranges() {
        let column = Column::new("spans", LogicalType::Int32, true);
        let gen = RangeGen::new(&column, &LogicalType::Int32, true, None);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut out = String::new();
        gen.write(&mut rng, &mut out);
        let ranges = range_literal::parse_multi(&out).unwrap();
        assert!((1..=3).contains(&ranges.len()), "{out}");
    }

    #[test]
    fn bit_strings_have_their_length_and_share_of_ones() {
        let stats = ArrayStats {
            lengths: [(8, 1.0)].into_iter().collect(),
            element: Box::new(ColumnStats {
                boolean: Some(BoolStats { true_rate: 0.25 }),
                ..Default::default()
            }),
        };
        let gen = BitGen::new(Some(8), false, Some(&stats));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = String::new();
        for _ in 0..500 {
            gen.write(&mut rng, &mut out);
        }
        assert_eq!(out.len(), 4000);
        let ones = out.chars().filter(|&c| c == '1').count() as f64 / 4000.0;
        assert!((ones - 0.25).abs() < 0.03, "{ones}");
    }

    #[test]
    fn hstore_keys_come_at_their_shares_and_xml_stays_well_formed() {
        let column = Column::new("attrs", LogicalType::Hstore, true);
        let stats = KeyedStats {
            keys: vec![Share {
                value: "color".into(),
                share: 1.0,
            }],
            values: Box::new(ColumnStats {
                frequent: vec![Share {
                    value: "a<b".into(),
                    share: 1.0,
                }],
                ..Default::default()
            }),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = String::new();
        KeyedGen::new(&column, Some(&stats)).write(&mut rng, &mut out);
        assert_eq!(out, r#""color"=>"a<b""#);
        let xml = Column::new("doc", LogicalType::Xml, true);
        out.clear();
        KeyedGen::new(&xml, Some(&stats)).write(&mut rng, &mut out);
        assert_eq!(out, "<color>a&lt;b</color>");
    }
}
