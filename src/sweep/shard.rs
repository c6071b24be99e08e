//! Which repositories a shard takes: slot `I` of `N` by a stable hash of
//! each repository's key (its `name` column, else its path as written in
//! the list), so the shards are disjoint, their union is the list, and a
//! repository stays in its shard on every machine and every release.
//!
//! The hash is 64-bit FNV-1a (offset basis `0xcbf29ce484222325`, prime
//! `0x100000001b3`) over the key's bytes, written here by hand: std's
//! `DefaultHasher` is not stable across Rust releases, and a shard that
//! moved between two runs of a Kubernetes Indexed Job would sweep a
//! repository twice or never.

use std::fmt;
use std::str::FromStr;

/// Slot `index` of `count` (`--shard I/N`, `--list-shard I/N`); `index`
/// counts from 0, as Kubernetes' `JOB_COMPLETION_INDEX` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole list: one shard of one.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Whether the repository with this key falls in the shard.
    pub fn takes(&self, key: &[u8]) -> bool {
        fnv1a64(key) % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Why `I/N` is not a shard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("`{0}` is not I/N (for example 0/4: the first of four shards)")]
    Shape(String),
    #[error("N must be at least 1 in `{0}`")]
    NoShards(String),
    #[error("I counts from 0 and must be below N in `{0}` (the last of four shards is 3/4)")]
    OutOfRange(String),
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let shape = || ShardError::Shape(text.to_owned());
        let (i, n) = text.trim().split_once('/').ok_or_else(shape)?;
        let index: u64 = i.trim().parse().map_err(|_| shape())?;
        let count: u64 = n.trim().parse().map_err(|_| shape())?;
        if count == 0 {
            return Err(ShardError::NoShards(text.to_owned()));
        }
        if index >= count {
            return Err(ShardError::OutOfRange(text.to_owned()));
        }
        Ok(Shard { index, count })
    }
}

/// 64-bit FNV-1a.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // From the FNV reference (isthe.com/chongo/tech/comp/fnv).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn shards_parse_and_refuse_what_is_not_a_slot() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(" 0 / 1 ".parse(), Ok(Shard::ALL));
        assert!(matches!(
            "4/4".parse::<Shard>(),
            Err(ShardError::OutOfRange(_))
        ));
        assert!(matches!(
            "0/0".parse::<Shard>(),
            Err(ShardError::NoShards(_))
        ));
        for bad in ["", "1", "a/2", "1/b", "-1/2", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_key_is_in_exactly_one_shard() {
        for count in 1..=7 {
            for n in 0..200 {
                let key = format!("/srv/mirrors/org/repo-{n}.git");
                let taken = (0..count)
                    .filter(|&index| Shard { index, count }.takes(key.as_bytes()))
                    .count();
                assert_eq!(taken, 1, "{key} in {count} shards");
            }
        }
    }
}
