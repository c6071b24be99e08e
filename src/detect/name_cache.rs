//! What a name means, remembered per haystack: splitting a name into words
//! and classifying them costs far more than the automaton's hit that led
//! there, and text dense with names (a `.env` file, a Kubernetes manifest,
//! a log) writes the same few names over and over. A verdict depends on the
//! name's bytes alone, so a name seen again in the same haystack is looked
//! up instead of worked out again.
//!
//! The table is direct-mapped: [`SLOTS`] slots, each holding one name of at
//! most [`MAX_NAME`] bytes and its verdict; a name takes the slot its hash
//! picks, in place of whatever was there. A look-up is a hash of the
//! name's bytes, eight at a time, and one comparison: no probing, and no
//! allocation but the table's own, made at the first name. Bounded: names
//! longer than [`MAX_NAME`] are never kept. Nothing here changes what is
//! found: a name pushed out is worked out again when it comes back.

/// Names longer than this are worked out each time.
pub(super) const MAX_NAME: usize = 64;
/// The table holds this many names at most (a power of two).
pub(super) const SLOTS: usize = 256;
const _: () = assert!(SLOTS.is_power_of_two() && MAX_NAME <= u8::MAX as usize);

/// One remembered name: `len` bytes of `name` (0: the slot is empty, since
/// no name is empty).
#[derive(Debug, Clone, Copy)]
struct Slot<V> {
    len: u8,
    name: [u8; MAX_NAME],
    verdict: V,
}

/// Verdicts on the names of one haystack.
#[derive(Debug)]
pub(super) struct NameCache<V> {
    /// Empty until the first name is kept, then [`SLOTS`] long.
    slots: Vec<Slot<V>>,
}

impl<V> Default for NameCache<V> {
    fn default() -> Self {
        NameCache { slots: Vec::new() }
    }
}

/// The eight bytes of `s` from `at` (at least 8 remain), little-endian.
#[inline]
fn word_at(s: &[u8], at: usize) -> u64 {
    s[at..]
        .first_chunk::<8>()
        .map_or(0, |w| u64::from_le_bytes(*w))
}

/// Calls `f` with `name` as words of eight bytes: those from 0, 8, ...,
/// then the last eight (overlapping the one before) for a name of eight
/// bytes or more; one word of its bytes, zero-padded, for a shorter one.
/// Two names of the same length are equal when their words are.
#[inline]
fn for_each_word(name: &[u8], mut f: impl FnMut(u64) -> bool) -> bool {
    if name.len() < 8 {
        let w = name
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
        return f(w);
    }
    let last = name.len() - 8;
    let mut at = 0;
    while at < last {
        if !f(word_at(name, at)) {
            return false;
        }
        at += 8;
    }
    f(word_at(name, last))
}

/// The slot of a name of 1 to [`MAX_NAME`] bytes: its length and its
/// words, multiplied and folded. No adversary sees the hash: a collision
/// costs a name worked out again, never a wrong answer.
#[inline]
fn slot_of(name: &[u8]) -> usize {
    let mut h = name.len() as u64;
    for_each_word(name, |w| {
        h = (h.rotate_left(23) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        true
    });
    (h >> (64 - SLOTS.trailing_zeros())) as usize
}

/// Whether the slot holds `name`: compared a word at a time.
#[inline]
fn holds<V>(slot: &Slot<V>, name: &[u8]) -> bool {
    if usize::from(slot.len) != name.len() {
        return false;
    }
    let kept = &slot.name[..name.len()];
    if name.len() < 8 {
        return kept == name;
    }
    let mut at = 0;
    for_each_word(name, |w| {
        let k = word_at(kept, at.min(name.len() - 8));
        at += 8;
        k == w
    })
}

impl<V: Copy> NameCache<V> {
    /// The verdict on `name`: remembered, or worked out by `judge` (and
    /// remembered when the name is short).
    pub(super) fn get_or(&mut self, name: &[u8], judge: impl FnOnce() -> V) -> V {
        if name.is_empty() || name.len() > MAX_NAME {
            return judge();
        }
        let i = slot_of(name);
        if let Some(slot) = self.slots.get(i)
            && holds(slot, name)
        {
            return slot.verdict;
        }
        let verdict = judge();
        if self.slots.is_empty() {
            let empty = Slot {
                len: 0,
                name: [0; MAX_NAME],
                verdict,
            };
            self.slots = vec![empty; SLOTS];
        }
        let slot = &mut self.slots[i];
        slot.len = name.len() as u8;
        slot.name[..name.len()].copy_from_slice(name);
        slot.verdict = verdict;
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_NAME, NameCache, SLOTS};

    #[test]
    fn a_verdict_is_worked_out_once_per_name_while_it_is_kept() {
        let mut cache = NameCache::default();
        let mut judged = 0;
        // Names of every length up to the longest kept, few enough that
        // most keep a slot of their own.
        let names: Vec<String> = (1..=MAX_NAME)
            .map(|n| "INTERCOM_TOKEN_".repeat(5)[..n].to_string())
            .collect();
        for round in 0..3 {
            for name in &names {
                // Asked twice in a row: worked out at most once.
                for _ in 0..2 {
                    let v = cache.get_or(name.as_bytes(), || {
                        judged += 1;
                        name.len()
                    });
                    assert_eq!(v, name.len(), "{name}");
                }
            }
            assert!(judged <= (round + 1) * names.len());
        }
        assert!(judged >= names.len());
        // A long name is never kept, and always judged.
        let long = "x".repeat(MAX_NAME + 1);
        let before = judged;
        for _ in 0..2 {
            cache.get_or(long.as_bytes(), || {
                judged += 1;
                0
            });
        }
        assert_eq!(judged, before + 2);
    }

    #[test]
    fn a_name_pushed_out_is_worked_out_again_and_never_mistaken() {
        let mut cache = NameCache::default();
        // Far more names than slots, each with its own verdict: every
        // answer must be the name's own, however the slots are shared.
        let names: Vec<String> = (0..8 * SLOTS)
            .map(|i| format!("intercom_{i}_key"))
            .collect();
        for round in 0..2 {
            for (i, name) in names.iter().enumerate() {
                assert_eq!(cache.get_or(name.as_bytes(), || i), i, "round {round}");
            }
        }
        // Names of every length that differ from another in one byte, at
        // every position.
        for len in 1..=MAX_NAME {
            let plain = vec![b'x'; len];
            for pos in 0..len {
                let mut other = plain.clone();
                other[pos] = b'y';
                let mut cache = NameCache::default();
                assert_eq!(cache.get_or(&plain, || 1), 1);
                assert_eq!(cache.get_or(&other, || 2), 2, "{len} {pos}");
                assert!(matches!(cache.get_or(&plain, || 3), 1 | 3), "{len} {pos}");
            }
        }
        // Names that differ in one byte only, in the middle of a long name.
        let a = format!("{}a{}", "x".repeat(30), "y".repeat(30));
        let b = format!("{}b{}", "x".repeat(30), "y".repeat(30));
        assert_eq!(cache.get_or(a.as_bytes(), || 1), 1);
        assert_eq!(cache.get_or(b.as_bytes(), || 2), 2);
        // Kept, or worked out again: never the other's.
        assert!(matches!(cache.get_or(a.as_bytes(), || 3), 1 | 3));
        assert!(matches!(cache.get_or(b.as_bytes(), || 4), 2 | 4));
    }
}
