//! A keyed bijection on `[0, n)`: how row indices become scattered but unique key values and
//! how parents are shuffled into fan-out classes, with no table of seen values.

use crate::hashing::mix64;

/// A pseudo-random permutation of `0..n`, a pure function of `(key, n)`.
///
/// A balanced Feistel network over the smallest even-bit domain that holds `n`, with
/// cycle-walking to stay inside `[0, n)`. The domain is at most four times `n`, so a walk takes
/// under four steps on average.
#[derive(Debug, Clone, Copy)]
pub struct Permutation {
    n: u64,
    half_bits: u32,
    key: u64,
}

const ROUNDS: u64 = 4;

impl Permutation {
    pub fn new(n: u64, key: u64) -> Self {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        Permutation { n, half_bits, key }
    }

    /// How many values it permutes.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Where `x` (which must be below `n`) goes.
    pub fn apply(&self, x: u64) -> u64 {
        debug_assert!(x < self.n);
        let mut y = self.round_trip(x);
        while y >= self.n {
            y = self.round_trip(y);
        }
        y
    }

    /// Where `y` (below `n`) came from: the `x` with `apply(x) == y`.
    pub fn invert(&self, y: u64) -> u64 {
        debug_assert!(y < self.n);
        let mut x = self.round_back(y);
        while x >= self.n {
            x = self.round_back(x);
        }
        x
    }

    /// The Feistel rounds of [`Permutation::round_trip`] undone, last round first.
    fn round_back(&self, y: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (y >> self.half_bits, y & mask);
        for round in (0..ROUNDS).rev() {
            let f = mix64(left ^ self.key.wrapping_add(round.wrapping_mul(0x9e37_79b9))) & mask;
            (left, right) = (right ^ f, left);
        }
        (left << self.half_bits) | right
    }

    fn round_trip(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for round in 0..ROUNDS {
            let f = mix64(right ^ self.key.wrapping_add(round.wrapping_mul(0x9e37_79b9))) & mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_bijection_for_awkward_sizes() {
        for n in [1u64, 2, 3, 5, 17, 64, 100, 1000, 4097] {
            let p = Permutation::new(n, 42);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.apply(x);
                assert!(y < n);
                assert!(!seen[y as usize], "{y} hit twice for n={n}");
                seen[y as usize] = true;
            }
        }
    }

    #[test]
    fn invert_undoes_apply() {
        for n in [1u64, 2, 3, 5, 17, 100, 4097] {
            let p = Permutation::new(n, 7);
            for x in 0..n {
                assert_eq!(p.invert(p.apply(x)), x, "n={n}");
            }
        }
    }

    #[test]
    fn different_keys_shuffle_differently() {
        let a: Vec<u64> = (0..50).map(|x| Permutation::new(50, 1).apply(x)).collect();
        let b: Vec<u64> = (0..50).map(|x| Permutation::new(50, 2).apply(x)).collect();
        assert_ne!(a, b);
    }
}
