//! Fixed, seedless hashing. Everything that must give the same answer on every run and every
//! machine (sampling, sketches, seeds) hashes through here rather than through `RandomState`.

/// The SplitMix64 finalizer: a bijection on u64 that scatters nearby inputs.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes bytes eight at a time through [`mix64`].
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks_exact yields 8 bytes"));
        h = mix64(h ^ word);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix64(h ^ u64::from_le_bytes(tail))
}

/// A uniform number in [0, 1) from the top 53 bits of a hash.
pub fn unit_interval(hash: u64) -> f64 {
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

/// Combines several hashes into one, order-sensitively.
pub fn combine(hashes: impl IntoIterator<Item = u64>) -> u64 {
    hashes
        .into_iter()
        .fold(0x243f_6a88_85a3_08d3, |h, x| mix64(h.rotate_left(5) ^ x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_fixed_across_runs() {
        assert_eq!(hash_bytes(b"understudy"), hash_bytes(b"understudy"));
        assert_ne!(hash_bytes(b"ab"), hash_bytes(b"ba"));
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
        assert_ne!(combine([1, 2]), combine([2, 1]));
    }
}
