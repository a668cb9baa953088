//! Children per parent, laid out by construction: child row `i` maps to a parent and a rank
//! among that parent's children, with no per-parent table in memory.
//!
//! Parents are shuffled by a [`Permutation`] and dealt into classes ("parents with exactly `c`
//! children") whose sizes follow the learned histogram, scaled so the class totals add up to the
//! requested child count exactly. A class list is a few dozen entries whatever the row count.
//!
//! A parent whose share of the references is known ([`Pinned`]: a lookup row's real share,
//! such as the genre most tracks have) is a class of its own and gets that share; the other
//! parents share the rest, shaped like the histogram without the pinned ones.

use super::permute::Permutation;
use crate::profile::model::{bucket_end, FanOut};

/// Where each child row goes. Children of one parent are consecutive rows.
#[derive(Debug, Clone)]
pub struct FanOutLayout {
    classes: Vec<Class>,
    parents: Slots,
    children: u64,
}

/// A parent row that gets a known share of the children.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pinned {
    pub parent: u64,
    pub share: f64,
}

#[derive(Debug, Clone, Copy)]
struct Class {
    per_parent: u64,
    first_parent: u64,
    first_child: u64,
}

/// Which parent row a slot of the layout holds: the pinned rows take the first slots, in row
/// order; the slots after them are the other rows, shuffled.
#[derive(Debug, Clone)]
struct Slots {
    pinned: Vec<u64>,
    /// `pinned[i] - i`: how many unpinned rows come before pinned row `i`.
    unpinned_before: Vec<u64>,
    rest: Permutation,
}

impl Slots {
    fn parent(&self, slot: u64) -> u64 {
        let pinned = self.pinned.len() as u64;
        if slot < pinned {
            return self.pinned[slot as usize];
        }
        let u = self.rest.apply(slot - pinned);
        u + self.unpinned_before.partition_point(|&b| b <= u) as u64
    }

    fn slot(&self, parent: u64) -> u64 {
        match self.pinned.binary_search(&parent) {
            Ok(at) => at as u64,
            Err(before) => self.pinned.len() as u64 + self.rest.invert(parent - before as u64),
        }
    }
}

impl FanOutLayout {
    /// Lays out `children` rows over `parents` rows, shaped like `learned`, never giving a parent
    /// more than `cap` children. Fails when `parents * cap < children`. Each of `pinned` gets
    /// its share of the children (held under `cap`) and the other parents follow `learned`
    /// without them; unless the others would then be left with less than twice the room
    /// their rest needs, when no parent is pinned.
    pub fn new(
        children: u64,
        parents: u64,
        learned: Option<&FanOut>,
        cap: u64,
        key: u64,
        pinned: &[Pinned],
    ) -> Result<Self, String> {
        if children > 0 && parents == 0 {
            return Err(format!(
                "{children} rows need parent rows, but the parent has none"
            ));
        }
        if (parents as u128) * (cap as u128) < children as u128 {
            return Err(format!(
                "{children} rows don't fit: each of the {parents} parents can have at most {cap} \
                 children here (the key allows no more), {} in all",
                parents.saturating_mul(cap)
            ));
        }
        let pinned = pinned_counts(children, parents, cap, pinned);
        let rows: Vec<u64> = pinned.iter().map(|p| p.0.parent).collect();
        let parents = Slots {
            unpinned_before: rows
                .iter()
                .enumerate()
                .map(|(i, &r)| r - i as u64)
                .collect(),
            rest: Permutation::new(parents - rows.len() as u64, key),
            pinned: rows,
        };
        if children == 0 {
            return Ok(FanOutLayout {
                classes: Vec::new(),
                parents,
                children,
            });
        }
        let mut classes: Vec<Class> = Vec::new();
        let mut first_child = 0;
        for (slot, &(_, count)) in pinned.iter().enumerate() {
            classes.push(Class {
                per_parent: count,
                first_parent: slot as u64,
                first_child,
            });
            first_child += count;
        }
        let others = learned.map(|l| without_pinned(l, &pinned));
        classes.extend(dealt(
            children - first_child,
            parents.rest.len(),
            others.as_ref(),
            cap,
            (pinned.len() as u64, first_child),
        ));
        classes.retain(|c| c.per_parent > 0);
        Ok(FanOutLayout {
            classes,
            parents,
            children,
        })
    }

    /// The parent row index of child row `child`, and the child's rank among its siblings.
    pub fn locate(&self, child: u64) -> (u64, u64) {
        let at = self.classes.partition_point(|c| c.first_child <= child) - 1;
        let class = self.classes[at];
        let offset = child - class.first_child;
        let slot = class.first_parent + offset / class.per_parent;
        (self.parents.parent(slot), offset % class.per_parent)
    }
}

/// The pinned parents (below `parents`, each once) in row order with their numbers of
/// children: their shares of `children`, rounded to sum exactly with the others' rest and held
/// at `cap`. Empty when the other parents would have less than twice the room the rest needs
/// under `cap`: dealing classes close to a cap can pass it.
fn pinned_counts(children: u64, parents: u64, cap: u64, pinned: &[Pinned]) -> Vec<(Pinned, u64)> {
    let mut kept: Vec<Pinned> = pinned
        .iter()
        .filter(|p| p.parent < parents && p.share > 0.0 && p.share.is_finite())
        .copied()
        .collect();
    kept.sort_by_key(|p| p.parent);
    kept.dedup_by_key(|p| p.parent);
    if kept.is_empty() {
        return Vec::new();
    }
    let others = parents - kept.len() as u64;
    let pinned_share: f64 = kept.iter().map(|p| p.share).sum();
    // Without other parents, the pinned ones take every child between them.
    let whole = if others == 0 {
        pinned_share
    } else {
        pinned_share.max(1.0)
    };
    let mut ideal: Vec<f64> = kept
        .iter()
        .map(|p| p.share / whole * children as f64)
        .collect();
    ideal.push((1.0 - pinned_share / whole).max(0.0) * children as f64);
    let counts = apportion_exact(children, &ideal);
    let pinned: Vec<(Pinned, u64)> = kept
        .iter()
        .zip(&counts)
        .map(|(&p, &n)| (p, n.min(cap)))
        .collect();
    let rest = children - pinned.iter().map(|p| p.1).sum::<u64>();
    if (others as u128) * (cap as u128) < 2 * rest as u128 {
        return Vec::new();
    }
    pinned
}

/// `learned` without the pinned parents: each leaves the bucket its real number of children
/// (its share of the learned children) fell in.
fn without_pinned(learned: &FanOut, pinned: &[(Pinned, u64)]) -> FanOut {
    let mut others = learned.clone();
    let real_children = learned.parents as f64 * learned.mean;
    for (p, _) in pinned {
        let real = (p.share * real_children).round() as u64;
        let filled = |(&floor, &n): (&u64, &u64)| (n > 0).then_some(floor);
        let bucket = (others.histogram.range(..=real).rev())
            .find_map(filled)
            .or_else(|| others.histogram.iter().find_map(filled));
        let Some(bucket) = bucket else {
            break;
        };
        let n = others.histogram.get_mut(&bucket).expect("found above");
        *n -= 1;
        if *n == 0 {
            others.histogram.remove(&bucket);
        }
        others.parents = others.parents.saturating_sub(1);
    }
    others
}

/// The classes of `children` rows dealt over `parents` shuffled parents shaped like `learned`,
/// numbered on from `(first parent slot, first child)`.
fn dealt(
    children: u64,
    parents: u64,
    learned: Option<&FanOut>,
    cap: u64,
    (first_parent, first_child): (u64, u64),
) -> Vec<Class> {
    let mut classes = Vec::new();
    if children == 0 || parents == 0 {
        return classes;
    }
    let shape = learned_shape(learned);
    let class_parents = apportion(parents, &shape.iter().map(|s| s.1).collect::<Vec<_>>());
    let mut per_parent: Vec<f64> = shape.iter().map(|s| s.0).collect();
    let base: f64 = per_parent
        .iter()
        .zip(&class_parents)
        .map(|(c, &n)| c * n as f64)
        .sum();
    if base <= 0.0 {
        // The learned parents had no children at all: spread evenly.
        per_parent.iter_mut().for_each(|c| *c = 1.0);
    }
    scale_under_cap(&mut per_parent, &class_parents, children, cap);
    let totals: Vec<f64> = per_parent
        .iter()
        .zip(&class_parents)
        .map(|(c, &n)| c * n as f64)
        .collect();
    let class_children = apportion_exact(children, &totals);
    let (mut first_parent, mut first_child, start) = (first_parent, first_child, first_child);
    for (&n, &total) in class_parents.iter().zip(&class_children) {
        if n == 0 {
            continue;
        }
        let (q, r) = (total / n, total % n);
        for (count, size) in [(q + 1, r), (q, n - r)] {
            if size == 0 {
                continue;
            }
            classes.push(Class {
                per_parent: count,
                first_parent,
                first_child,
            });
            first_parent += size;
            first_child += count * size;
        }
    }
    debug_assert_eq!(first_child, start + children);
    classes
}

impl FanOutLayout {
    /// The child slots of parent row `parent`: the inverse of [`FanOutLayout::locate`].
    pub fn slots_of(&self, parent: u64) -> std::ops::Range<u64> {
        if self.classes.is_empty() {
            return 0..0;
        }
        let slot = self.parents.slot(parent);
        let at = self.classes.partition_point(|c| c.first_parent <= slot);
        let Some(class) = at.checked_sub(1).map(|k| self.classes[k]) else {
            return 0..0;
        };
        let end = self
            .classes
            .get(at)
            .map_or(self.children, |c| c.first_child);
        let first = class.first_child + (slot - class.first_parent) * class.per_parent;
        if first >= end {
            // A parent of a class with no children (dropped from the list).
            return 0..0;
        }
        first..first + class.per_parent
    }
}

/// Most classes one wide histogram bucket is split into.
const SPLITS_PER_BUCKET: u64 = 16;

/// `(children per parent, share of parents)` per learned histogram bucket. A bucket above 32
/// holds a range of counts: its parents are spread evenly over the part of the range that was
/// observed (nine employees with 96 to 127 orders each don't all get 111), in up to
/// [`SPLITS_PER_BUCKET`] classes. The bucket that holds the largest count ends at it, since
/// one parent had exactly that many children.
fn learned_shape(learned: Option<&FanOut>) -> Vec<(f64, f64)> {
    let Some(fan_out) = learned.filter(|f| !f.histogram.is_empty()) else {
        return vec![(1.0, 1.0)];
    };
    let total = fan_out.histogram.values().sum::<u64>().max(1) as f64;
    fan_out
        .histogram
        .iter()
        .flat_map(|(&floor, &parents)| {
            let last = (bucket_end(floor) - 1).min(fan_out.max.max(floor));
            let splits = parents.min(last - floor + 1).clamp(1, SPLITS_PER_BUCKET);
            let width = (last - floor) as f64;
            let top = fan_out.max < bucket_end(floor) && last > floor;
            (0..splits).map(move |k| {
                let place = if top { 1.0 } else { 0.5 };
                let count = floor as f64 + width * (k as f64 + place) / splits as f64;
                (count, parents as f64 / splits as f64 / total)
            })
        })
        .collect()
}

/// Raises or lowers every class's children per parent by one factor so the total is `children`,
/// holding classes that would exceed `cap` at `cap`.
fn scale_under_cap(per_parent: &mut [f64], parents: &[u64], children: u64, cap: u64) {
    let cap = cap as f64;
    let mut capped = vec![false; per_parent.len()];
    loop {
        let fixed: f64 = (0..per_parent.len())
            .filter(|&i| capped[i])
            .map(|i| cap * parents[i] as f64)
            .sum();
        let free: f64 = (0..per_parent.len())
            .filter(|&i| !capped[i])
            .map(|i| per_parent[i] * parents[i] as f64)
            .sum();
        if free <= 0.0 {
            return;
        }
        let factor = (children as f64 - fixed) / free;
        let mut changed = false;
        for i in 0..per_parent.len() {
            if !capped[i] {
                per_parent[i] *= factor;
                if per_parent[i] > cap {
                    per_parent[i] = cap;
                    capped[i] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return;
        }
    }
}

/// Splits `total` into integers proportional to `weights` (largest remainder).
fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        let mut out = vec![0; weights.len()];
        if let Some(first) = out.first_mut() {
            *first = total;
        }
        return out;
    }
    let ideal: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    apportion_exact(total, &ideal)
}

/// Rounds `ideal` (which sums to about `total`) to integers that sum to exactly `total`.
fn apportion_exact(total: u64, ideal: &[f64]) -> Vec<u64> {
    let mut out: Vec<u64> = ideal.iter().map(|x| x.max(0.0).floor() as u64).collect();
    let mut assigned: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..ideal.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = ideal[a] - ideal[a].floor();
        let fb = ideal[b] - ideal[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut k = 0;
    while assigned < total && !order.is_empty() {
        out[order[k % order.len()]] += 1;
        assigned += 1;
        k += 1;
    }
    while assigned > total {
        let i = (0..out.len())
            .rev()
            .find(|&i| out[i] > 0)
            .expect("assigned > 0");
        out[i] -= 1;
        assigned -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn learned(histogram: &[(u64, u64)]) -> FanOut {
        let histogram: BTreeMap<u64, u64> = histogram.iter().copied().collect();
        let parents: u64 = histogram.values().sum();
        let children: u64 = histogram.iter().map(|(c, n)| c * n).sum();
        FanOut {
            parents,
            mean: children as f64 / parents as f64,
            max: *histogram.keys().last().unwrap(),
            zero_share: *histogram.get(&0).unwrap_or(&0) as f64 / parents as f64,
            histogram,
        }
    }

    fn counts(layout: &FanOutLayout, parents: u64, children: u64) -> Vec<u64> {
        let mut counts = vec![0; parents as usize];
        for i in 0..children {
            counts[layout.locate(i).0 as usize] += 1;
        }
        counts
    }

    #[test]
    fn reproduces_the_learned_histogram_at_the_same_size() {
        let fan_out = learned(&[(0, 20), (1, 50), (3, 20), (10, 10)]);
        let layout = FanOutLayout::new(210, 100, Some(&fan_out), u64::MAX, 7, &[]).unwrap();
        let mut histogram = BTreeMap::new();
        for c in counts(&layout, 100, 210) {
            *histogram.entry(c).or_insert(0u64) += 1;
        }
        assert_eq!(histogram, fan_out.histogram);
    }

    #[test]
    fn parents_of_a_wide_bucket_get_counts_spread_over_it() {
        // Nine parents with 42..156 children: buckets 32-63 (2), 64-95 (2), 96-127 (4),
        // 128-159 (1, the largest count being 156).
        let mut fan_out = learned(&[(32, 2), (64, 2), (96, 4), (128, 1)]);
        fan_out.max = 156;
        let children = 830;
        let layout = FanOutLayout::new(children, 9, Some(&fan_out), u64::MAX, 5, &[]).unwrap();
        let mut got = counts(&layout, 9, children);
        got.sort();
        let distinct = got.windows(2).filter(|w| w[0] != w[1]).count() + 1;
        assert_eq!(distinct, 9, "each parent its own count: {got:?}");
        let in_bucket = |lo: u64, hi: u64| got.iter().filter(|&&c| (lo..hi).contains(&c)).count();
        assert_eq!(in_bucket(96, 128), 4, "{got:?}");
    }

    #[test]
    fn slots_of_a_parent_are_exactly_its_children() {
        let fan_out = learned(&[(0, 20), (1, 50), (3, 20), (10, 10)]);
        for (children, parents) in [(210, 100), (5, 100), (1000, 37)] {
            let layout = FanOutLayout::new(children, parents, Some(&fan_out), 40, 3, &[]).unwrap();
            let mut owned = vec![Vec::new(); parents as usize];
            for i in 0..children {
                owned[layout.locate(i).0 as usize].push(i);
            }
            for (parent, slots) in owned.iter().enumerate() {
                let range: Vec<u64> = layout.slots_of(parent as u64).collect();
                assert_eq!(&range, slots, "parent {parent} of {parents}");
            }
        }
    }

    #[test]
    fn ranks_are_unique_per_parent_and_totals_exact() {
        let fan_out = learned(&[(1, 3), (2, 5), (7, 2)]);
        for (children, parents) in [(1000, 37), (5, 100), (123, 123)] {
            let layout = FanOutLayout::new(children, parents, Some(&fan_out), 40, 1, &[]).unwrap();
            let mut seen = std::collections::HashSet::new();
            for i in 0..children {
                let (p, r) = layout.locate(i);
                assert!(p < parents && r < 40);
                assert!(seen.insert((p, r)));
            }
        }
    }

    #[test]
    fn pinned_parents_get_their_shares_and_the_others_the_rest_of_the_shape() {
        // Ten parents: the two largest (512 and 256 of 968 children) are pinned at rows 7 and
        // 2; the other eight share the 200 left as the histogram says without them, so none
        // of them gets a large parent's count.
        let fan_out = learned(&[(10, 4), (40, 4), (256, 1), (512, 1)]);
        let share = |n: f64| n / 968.0;
        let pinned = [
            Pinned {
                parent: 7,
                share: share(512.0),
            },
            Pinned {
                parent: 2,
                share: share(256.0),
            },
        ];
        for scale in [1, 3] {
            let children = 968 * scale;
            let layout =
                FanOutLayout::new(children, 10, Some(&fan_out), u64::MAX, 9, &pinned).unwrap();
            let got = counts(&layout, 10, children);
            assert_eq!((got[7], got[2]), (512 * scale, 256 * scale), "{got:?}");
            let mut others: Vec<u64> = (0..10)
                .filter(|&p| p != 2 && p != 7)
                .map(|p| got[p])
                .collect();
            others.sort();
            assert_eq!(others.iter().sum::<u64>(), 200 * scale);
            assert!(others[7] < 64 * scale, "{others:?}");
            assert!(others[..4].iter().all(|&c| c < others[4]), "{others:?}");
            for parent in 0..10 {
                let slots: Vec<u64> = layout.slots_of(parent).collect();
                assert_eq!(slots.len() as u64, got[parent as usize]);
                assert!(slots.iter().all(|&s| layout.locate(s).0 == parent));
            }
        }
    }

    #[test]
    fn pins_without_room_for_the_others_are_dropped() {
        // Held under a cap of 10, a pinned share of 0.9 of 20 children leaves 11 for the one
        // other parent: no room, so neither is pinned, and the cap holds.
        let fan_out = learned(&[(2, 1), (18, 1)]);
        let pinned = [Pinned {
            parent: 0,
            share: 0.9,
        }];
        let layout = FanOutLayout::new(20, 2, Some(&fan_out), 10, 4, &pinned).unwrap();
        assert_eq!(counts(&layout, 2, 20), [10, 10]);
        let unpinned = FanOutLayout::new(20, 2, Some(&fan_out), 10, 4, &[]).unwrap();
        assert_eq!(counts(&unpinned, 2, 20), counts(&layout, 2, 20));
    }

    #[test]
    fn the_cap_holds_and_infeasible_layouts_fail() {
        let fan_out = learned(&[(1, 9), (100, 1)]);
        let layout = FanOutLayout::new(300, 10, Some(&fan_out), 40, 3, &[]).unwrap();
        assert!(counts(&layout, 10, 300).iter().all(|&c| c <= 40));
        assert!(FanOutLayout::new(401, 10, Some(&fan_out), 40, 3, &[]).is_err());
        assert!(FanOutLayout::new(1, 0, None, 1, 3, &[]).is_err());
    }
}
