//! "Only what the change adds": hook modes report a secret only on a line the
//! change adds, so a token already in `HEAD` on an untouched line does not
//! block an unrelated commit.
//!
//! A line counts as added iff its exact content (ignoring a trailing `\r`)
//! occurs nowhere in the old blob. A moved or copied line is therefore not
//! added. Without an old blob (a new file) every line is added. A merge has
//! one old blob per parent: a line is added only if it is in none of them.
//! This runs only for a blob whose new version had a hit ("diff on hit").
//!
//! Where a side is larger than the engine's window (it is read in pieces,
//! never whole), lines are compared by [`LineKey`]: their length and a
//! keyed 64-bit hash. The key is drawn at random once per process, so no
//! one can write an old line that collides with a new one on purpose; two
//! different lines of the same length share a key with probability 2^-64.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use crate::detect::Match;

/// A line as the comparison of a side read in pieces sees it: its length
/// and keyed hash, without a trailing `\r`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineKey {
    len: u64,
    hash: u64,
}

fn hash_state() -> &'static std::hash::RandomState {
    static STATE: OnceLock<std::hash::RandomState> = OnceLock::new();
    STATE.get_or_init(std::hash::RandomState::new)
}

/// The key of one line (without its `\n`; a trailing `\r` is ignored).
pub fn line_key(line: &[u8]) -> LineKey {
    let mut key = KeyBuilder::new();
    key.feed(line);
    key.finish()
}

/// The key of a line that comes in pieces.
#[derive(Debug, Clone)]
pub struct KeyBuilder {
    hasher: std::hash::DefaultHasher,
    len: u64,
    /// The last byte fed was a `\r`, held back until more comes.
    cr: bool,
}

impl Default for KeyBuilder {
    fn default() -> Self {
        KeyBuilder::new()
    }
}

impl KeyBuilder {
    pub fn new() -> KeyBuilder {
        KeyBuilder {
            hasher: hash_state().build_hasher(),
            len: 0,
            cr: false,
        }
    }

    /// More of the line (no `\n` in it).
    pub fn feed(&mut self, bytes: &[u8]) {
        let Some((&last, body)) = bytes.split_last() else {
            return;
        };
        if self.cr {
            self.hasher.write(b"\r");
            self.len += 1;
        }
        let (body, cr) = if last == b'\r' {
            (body, true)
        } else {
            (bytes, false)
        };
        self.hasher.write(body);
        self.len += body.len() as u64;
        self.cr = cr;
    }

    pub fn finish(self) -> LineKey {
        LineKey {
            len: self.len,
            hash: self.hasher.finish(),
        }
    }
}

/// Which of `wanted` are lines of a text that comes in pieces (split at
/// `\n` as [`keep_added`] splits an old blob).
#[derive(Debug)]
pub struct FindLines<'w> {
    wanted: &'w HashSet<LineKey>,
    found: HashSet<LineKey>,
    line: KeyBuilder,
}

impl<'w> FindLines<'w> {
    pub fn new(wanted: &'w HashSet<LineKey>) -> FindLines<'w> {
        FindLines {
            wanted,
            found: HashSet::new(),
            line: KeyBuilder::new(),
        }
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while let Some(at) = memchr::memchr(b'\n', bytes) {
            self.line.feed(&bytes[..at]);
            self.end_line();
            bytes = &bytes[at + 1..];
        }
        self.line.feed(bytes);
    }

    fn end_line(&mut self) {
        let key = std::mem::take(&mut self.line).finish();
        if self.wanted.contains(&key) {
            self.found.insert(key);
        }
    }

    /// The wanted lines the text holds.
    pub fn finish(mut self) -> HashSet<LineKey> {
        self.end_line();
        self.found
    }
}

/// The keys of the lines each match touches, in the order of `matches`.
pub fn spanned_keys(new: &[u8], matches: &[Match]) -> Vec<Vec<LineKey>> {
    let mut lines = super::Lines::new(new);
    matches
        .iter()
        .map(|m| {
            let mut keys = Vec::new();
            lines.any_spanned(m.start, m.end, |line| {
                keys.push(line_key(&new[line.start..line.end]));
                false
            });
            keys
        })
        .collect()
}

/// [`keep_added`] by keys: `spanned` holds the keys of the lines each match
/// touches; `olds` the keys found in each old side (`None`: no old side,
/// every line is added).
pub fn keep_added_by_keys(
    olds: Option<&[&HashSet<LineKey>]>,
    spanned: &[Vec<LineKey>],
    matches: &[Match],
) -> Vec<Match> {
    let Some(olds) = olds else {
        return matches.to_vec();
    };
    matches
        .iter()
        .zip(spanned)
        .filter(|(_, keys)| keys.iter().any(|k| !olds.iter().any(|o| o.contains(k))))
        .map(|(m, _)| m.clone())
        .collect()
}

/// Keep the matches that touch at least one line of `new` that is in none of
/// the `olds` (no olds: every line is added).
pub fn keep_added(olds: &[&[u8]], new: &[u8], matches: Vec<Match>) -> Vec<Match> {
    if olds.is_empty() || matches.is_empty() {
        return matches;
    }
    let old_lines: HashSet<&[u8]> = olds
        .iter()
        .flat_map(|old| old.split(|&b| b == b'\n'))
        .map(super::trim_cr)
        .collect();
    // Matches come in order: each line is looked up once, however many
    // matches it holds.
    let mut lines = super::Lines::new(new);
    let mut last: Option<(usize, bool)> = None;
    matches
        .into_iter()
        .filter(|m| {
            lines.any_spanned(m.start, m.end, |line| match last {
                Some((start, added)) if start == line.start => added,
                _ => {
                    let text = super::trim_cr(&new[line.start..line.end]);
                    let added = !old_lines.contains(text);
                    last = Some((line.start, added));
                    added
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Kind};

    fn m(hay: &[u8], needle: &[u8]) -> Match {
        let start = hay
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("needle in hay");
        Match {
            start,
            end: start + needle.len(),
            kind: Kind::AccessToken,
            confidence: Confidence::High,
            rule_id: "test",
            fingerprint: String::new(),
        }
    }

    #[test]
    fn no_old_blob_means_every_line_is_added() {
        let new = b"a\nSECRET\n";
        let kept = keep_added(&[], new, vec![m(new, b"SECRET")]);
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn untouched_line_is_not_added() {
        let old = b"x = SECRET\nb\n";
        let new = b"a\nx = SECRET\nb\nc\n";
        assert!(keep_added(&[old], new, vec![m(new, b"SECRET")]).is_empty());
    }

    #[test]
    fn moved_line_is_not_added_but_changed_line_is() {
        let old = b"one\nk = SECRET\ntwo\n";
        let moved = b"two\none\nk = SECRET\n";
        assert!(keep_added(&[old], moved, vec![m(moved, b"SECRET")]).is_empty());
        let changed = b"one\nk = SECRET # now\ntwo\n";
        assert_eq!(
            keep_added(&[old], changed, vec![m(changed, b"SECRET")]).len(),
            1
        );
    }

    #[test]
    fn crlf_and_missing_final_newline_compare_equal() {
        let old = b"k = SECRET\r\nother\r\n";
        let new = b"first\nk = SECRET";
        assert!(keep_added(&[old], new, vec![m(new, b"SECRET")]).is_empty());
    }

    #[test]
    fn a_merge_line_from_either_parent_is_not_added() {
        let left: &[u8] = b"a = SECRET\n";
        let right: &[u8] = b"b = OTHER\n";
        let merged = b"a = SECRET\nb = OTHER\nc = THIRD\n";
        let ms = vec![
            m(merged, b"SECRET"),
            m(merged, b"OTHER"),
            m(merged, b"THIRD"),
        ];
        let kept = keep_added(&[left, right], merged, ms);
        assert_eq!(kept.len(), 1);
        assert_eq!(&merged[kept[0].start..kept[0].end], b"THIRD");
    }

    #[test]
    fn keys_agree_however_the_line_is_cut() {
        let line = b"  key = SECRET value\r";
        let whole = line_key(line);
        assert_eq!(
            whole,
            line_key(b"  key = SECRET value"),
            "a \\r is not part of it"
        );
        for cut in 1..line.len() {
            let mut key = KeyBuilder::new();
            for piece in line.chunks(cut) {
                key.feed(piece);
            }
            assert_eq!(key.finish(), whole, "pieces of {cut}");
        }
        assert_ne!(line_key(b"a\rb"), line_key(b"ab"));
        assert_ne!(line_key(b"abc"), line_key(b"abd"));
    }

    #[test]
    fn by_keys_agrees_with_by_lines() {
        let old = b"one\r\nk = SECRET\ntwo\nb = OTHER";
        let new = b"k = SECRET\nb = OTHER\r\nc = THIRD\n";
        let ms = vec![m(new, b"SECRET"), m(new, b"OTHER"), m(new, b"THIRD")];
        let spanned = spanned_keys(new, &ms);
        let wanted: HashSet<LineKey> = spanned.iter().flatten().copied().collect();
        for cut in [1, 3, old.len()] {
            let mut find = FindLines::new(&wanted);
            for piece in old.chunks(cut) {
                find.feed(piece);
            }
            let found = find.finish();
            let by_keys = keep_added_by_keys(Some(&[&found]), &spanned, &ms);
            assert_eq!(by_keys, keep_added(&[old], new, ms.clone()));
            assert_eq!(by_keys.len(), 1);
        }
        assert_eq!(keep_added_by_keys(None, &spanned, &ms).len(), 3);
    }

    #[test]
    fn a_second_copy_of_an_existing_line_is_not_added() {
        let old = b"k = SECRET\n";
        let new = b"k = SECRET\nk = SECRET\n";
        let second = Match {
            start: 15,
            end: 21,
            ..m(new, b"SECRET")
        };
        assert!(keep_added(&[old], new, vec![second]).is_empty());
    }
}
