//! "Only what the change adds": hook modes report a secret only on a line the
//! change adds, so a token already in `HEAD` on an untouched line does not
//! block an unrelated commit.
//!
//! A line counts as added iff its exact content (ignoring a trailing `\r`)
//! occurs nowhere in the old blob. A moved or copied line is therefore not
//! added. Without an old blob (a new file) every line is added. A merge has
//! one old blob per parent: a line is added only if it is in none of them.
//! This runs only for a blob whose new version had a hit ("diff on hit").

use std::collections::HashSet;

use crate::detect::Match;

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
