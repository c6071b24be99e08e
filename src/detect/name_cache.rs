//! What a name means, remembered per haystack: splitting a name into words
//! and classifying them costs far more than the automaton's hit that led
//! there, and text dense with names (a `.env` file, a Kubernetes manifest,
//! a log) writes the same few names over and over. A verdict depends on the
//! name's bytes alone, so a name seen again in the same haystack is looked
//! up instead of worked out again.
//!
//! Bounded: names longer than [`MAX_NAME`] are never kept, and the table
//! starts afresh once it holds [`MAX_NAMES`]. Nothing here changes what is
//! found.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Names longer than this are worked out each time.
pub(super) const MAX_NAME: usize = 64;
/// The table starts afresh when it holds this many names.
pub(super) const MAX_NAMES: usize = 1024;

/// A multiply-rotate hash over a name's bytes, eight at a time: short
/// keys, and no adversary who sees the hash (a collision costs a
/// comparison, never a wrong answer).
#[derive(Debug, Default)]
pub(super) struct NameHasher(u64);

impl NameHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*word));
            rest = tail;
        }
        if !rest.is_empty() {
            // Byte by byte: no call to copy a few bytes.
            let w = rest
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b));
            self.add(w);
        }
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// Verdicts on the names of one haystack.
#[derive(Debug)]
pub(super) struct NameCache<V> {
    known: HashMap<Vec<u8>, V, BuildHasherDefault<NameHasher>>,
}

impl<V> Default for NameCache<V> {
    fn default() -> Self {
        NameCache {
            known: HashMap::default(),
        }
    }
}

impl<V: Copy> NameCache<V> {
    /// The verdict on `name`: remembered, or worked out by `judge` (and
    /// remembered when the name is short).
    pub(super) fn get_or(&mut self, name: &[u8], judge: impl FnOnce() -> V) -> V {
        if name.len() > MAX_NAME {
            return judge();
        }
        if let Some(&verdict) = self.known.get(name) {
            return verdict;
        }
        let verdict = judge();
        if self.known.len() >= MAX_NAMES {
            self.known.clear();
        }
        self.known.insert(name.to_vec(), verdict);
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::NameCache;

    #[test]
    fn a_verdict_is_worked_out_once_per_name() {
        let mut cache = NameCache::default();
        let mut judged = 0;
        let names: Vec<String> = (0..200).map(|i| format!("INTERCOM_NAME_{i}")).collect();
        for _ in 0..3 {
            for name in &names {
                let v = cache.get_or(name.as_bytes(), || {
                    judged += 1;
                    name.len()
                });
                assert_eq!(v, name.len());
            }
        }
        assert_eq!(judged, names.len());
        // A long name is never kept, and always judged.
        let long = "x".repeat(super::MAX_NAME + 1);
        for _ in 0..2 {
            cache.get_or(long.as_bytes(), || {
                judged += 1;
                0
            });
        }
        assert_eq!(judged, names.len() + 2);
    }
}
