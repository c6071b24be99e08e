//! From a detector [`Match`] and where its blob came from to a reportable
//! [`Finding`]: line and column (1-based), the line's text, the secret.
//!
//! Computed only for the matches, never for clean blobs. A binary blob (one
//! holding a NUL byte) has no lines: `line`, `column` and `line_text` are
//! `None`. The column counts characters when the line is UTF-8, else bytes.
//!
//! Linear in the blob, however many matches share a line: lines are read
//! forward once ([`super::Lines`]), columns are counted on from the previous
//! match of the line, and `line_text` (with its mask) keeps at most
//! [`LINE_TEXT_WINDOW`] bytes on each side of the secret (reports show far
//! less), so a megabyte line with thousands of secrets is not copied once
//! per secret.

use crate::detect::Match;
use crate::finding::{CommitMeta, Finding, SourceKind};

/// Bytes of the line kept on each side of the secret in `line_text`.
pub const LINE_TEXT_WINDOW: usize = 1024;

/// Whether a blob is binary: it holds a NUL byte (git looks at the first
/// 8000 bytes; we look at all of them, which only ever says "binary" more).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, data).is_some()
}

/// Where a blob came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// Path relative to the repository root, or as given to `scan`.
    pub path: &'a [u8],
    pub commit: Option<&'a CommitMeta>,
    /// What the bytes are: a file's content, a message, a link's target.
    pub source: SourceKind,
}

/// What is known of the line the previous match sat on.
struct Counted {
    line_start: usize,
    /// The line (without `\r`) is UTF-8.
    utf8: bool,
    /// Characters in `line_start..at`.
    at: usize,
    chars: usize,
}

/// Characters in UTF-8 bytes: the bytes that do not continue a character.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Turn the matches on one blob into findings, in the order given. `all`
/// is every match the detector found in the blob (the reported ones among
/// them): each finding's [`Finding::mask`] holds those on its line (on the
/// part of it kept in `line_text`), and every copy of their secrets there
/// (a secret written twice on a line is found once, or the second copy
/// does not stand on its own: it must not show in the other's snippet).
pub fn findings(data: &[u8], matches: &[Match], all: &[Match], origin: Origin<'_>) -> Vec<Finding> {
    let binary = is_binary(data);
    let on_lines = OnLines::new(data, all);
    let mut lines = super::Lines::new(data);
    let mut counted: Option<Counted> = None;
    matches
        .iter()
        .map(|m| {
            let end = m.end.min(data.len());
            let start = m.start.min(end);
            let (line, column, line_text, line_offset, mask) = if binary {
                (None, None, None, 0, Vec::new())
            } else {
                let line = lines.at(start);
                let text_end = line.start + super::trim_cr(&data[line.start..line.end]).len();
                let c = match counted.take() {
                    Some(c) if c.line_start == line.start && c.at <= start => c,
                    _ => Counted {
                        line_start: line.start,
                        utf8: std::str::from_utf8(&data[line.start..text_end]).is_ok(),
                        at: line.start,
                        chars: 0,
                    },
                };
                let column = if c.utf8 {
                    c.chars + chars_in(&data[c.at..start])
                } else {
                    start - line.start
                };
                counted = Some(Counted {
                    at: start,
                    chars: column,
                    ..c
                });
                let (from, to) = text_window(data, line.start, text_end, start, end);
                (
                    Some(to_u32(line.number)),
                    Some(to_u32(column + 1)),
                    Some(data[from..to].to_vec()),
                    start - from,
                    on_lines.within(from, to),
                )
            };
            Finding {
                rule_id: m.rule_id,
                kind: m.kind,
                confidence: m.confidence,
                path: origin.path.to_vec(),
                line,
                column,
                commit: origin.commit.cloned(),
                fingerprint: m.fingerprint.clone(),
                secret: data[start..end].to_vec(),
                line_text,
                line_offset,
                mask,
                still_present: None,
                source: origin.source,
                verification: None,
            }
        })
        .collect()
}

/// The part of the line `line_start..line_end` kept around the secret
/// `start..end`: up to [`LINE_TEXT_WINDOW`] bytes each side, cut between
/// characters.
fn text_window(
    data: &[u8],
    line_start: usize,
    line_end: usize,
    start: usize,
    end: usize,
) -> (usize, usize) {
    let continues = |at: usize| at < data.len() && (data[at] as i8) < -0x40;
    let mut from = start
        .saturating_sub(LINE_TEXT_WINDOW)
        .max(line_start)
        .min(start);
    while from < start && continues(from) {
        from += 1;
    }
    let mut to = (end + LINE_TEXT_WINDOW)
        .min(line_end)
        .max(end.min(line_end))
        .max(from);
    while to > end && to < line_end && continues(to) {
        to -= 1;
    }
    (from, to)
}

/// The byte ranges of a blob's matches, ordered, to ask which meet a line.
pub(super) struct OnLines {
    /// `(start, end)`, ordered by start.
    ranges: Vec<(usize, usize)>,
    /// The greatest end among `ranges[..=i]`: matches may nest.
    reach: Vec<usize>,
}

impl OnLines {
    fn new(data: &[u8], all: &[Match]) -> OnLines {
        // A variable's name (a public-env finding) is shown, not hidden.
        let secrets: Vec<std::ops::Range<usize>> = all
            .iter()
            .filter(|m| !crate::catalog::reports_a_name(m.rule_id))
            .map(|m| m.start..m.end)
            .collect();
        let mut ranges: Vec<(usize, usize)> = secrets.iter().map(|r| (r.start, r.end)).collect();
        ranges.extend(
            crate::detect::mask::copies(data, &secrets)
                .into_iter()
                .map(|r| (r.start, r.end)),
        );
        OnLines::of(ranges)
    }

    /// The matches at `ranges`, in any order and with repeats.
    pub(super) fn of(mut ranges: Vec<(usize, usize)>) -> OnLines {
        ranges.sort_unstable();
        ranges.dedup();
        let reach = ranges
            .iter()
            .scan(0, |reach, &(_, end)| {
                *reach = end.max(*reach);
                Some(*reach)
            })
            .collect();
        OnLines { ranges, reach }
    }

    /// The parts of the matches that meet `from..to`, relative to `from`:
    /// a binary search, then only the matches that start before `to` and
    /// reach past `from`.
    pub(super) fn within(&self, from: usize, to: usize) -> Vec<std::ops::Range<usize>> {
        let below = self.ranges.partition_point(|&(start, _)| start < to);
        let mut out = Vec::new();
        for i in (0..below).rev() {
            if self.reach[i] <= from {
                break;
            }
            let (start, end) = self.ranges[i];
            if end > from && end > start {
                out.push(start.max(from) - from..end.min(to) - from);
            }
        }
        out.reverse();
        out
    }
}

pub(super) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Kind};

    fn at(start: usize, end: usize) -> Match {
        Match {
            start,
            end,
            kind: Kind::AccessToken,
            confidence: Confidence::High,
            rule_id: "test",
            fingerprint: "f".into(),
        }
    }

    fn origin() -> Origin<'static> {
        Origin {
            path: b"a.txt",
            commit: None,
            source: SourceKind::File,
        }
    }

    #[test]
    fn line_and_column_are_one_based() {
        let data = b"first\nkey = SECRET\r\nx SECRET\n";
        let f = findings(data, &[at(12, 18), at(22, 28)], &[], origin());
        assert_eq!((f[0].line, f[0].column), (Some(2), Some(7)));
        assert_eq!(f[0].line_text.as_deref(), Some(&b"key = SECRET"[..]));
        assert_eq!(f[0].line_offset, 6);
        assert_eq!(f[0].secret, b"SECRET");
        assert_eq!((f[1].line, f[1].column), (Some(3), Some(3)));
    }

    #[test]
    fn unordered_matches_still_get_the_right_line() {
        let data = b"a\nb SECRET\nc SECRET\n";
        let f = findings(data, &[at(13, 19), at(4, 10)], &[], origin());
        assert_eq!(f[0].line, Some(3));
        assert_eq!(f[1].line, Some(2));
    }

    #[test]
    fn column_counts_characters_on_utf8_lines_and_bytes_otherwise() {
        let data = "é = SECRET\n".as_bytes();
        let f = findings(data, &[at(5, 11)], &[], origin());
        assert_eq!(f[0].column, Some(5));
        let latin1 = b"\xe9 = SECRET\n";
        let f = findings(latin1, &[at(4, 10)], &[], origin());
        assert_eq!(f[0].column, Some(5));
        assert_eq!(f[0].line, Some(1));
    }

    #[test]
    fn many_secrets_on_one_long_line_keep_a_window_each() {
        let mut data = "é".repeat(3000).into_bytes();
        let mut ms = Vec::new();
        for _ in 0..200 {
            let start = data.len();
            data.extend_from_slice(b" SECRET");
            ms.push(at(start + 1, start + 7));
        }
        data.extend_from_slice(b"\r\nnext SECRET\n");
        let last = data.len() - 7;
        ms.push(at(last, last + 6));
        let f = findings(&data, &ms, &ms, origin());
        for (i, f) in f[..200].iter().enumerate() {
            assert_eq!(f.line, Some(1));
            assert_eq!(f.column, Some(to_u32(3000 + 7 * i + 2)));
            let text = f.line_text.as_deref().unwrap();
            assert!(text.len() <= 2 * LINE_TEXT_WINDOW + 6, "{}", text.len());
            assert!(std::str::from_utf8(text).is_ok(), "cut between characters");
            assert_eq!(&text[f.line_offset..f.line_offset + 6], b"SECRET");
            // The mask covers the secrets in the window (a secret the window
            // cuts, the part that is kept), and only those.
            assert!(f.mask.len() <= 2 * LINE_TEXT_WINDOW / 7 + 2);
            for r in &f.mask {
                let part = &text[r.clone()];
                let whole = part == b"SECRET";
                let cut_left = r.start == 0 && b"SECRET".ends_with(part);
                let cut_right = r.end == text.len() && b"SECRET".starts_with(part);
                assert!(whole || cut_left || cut_right, "{r:?} in {}", text.len());
            }
            assert!(f.mask.contains(&(f.line_offset..f.line_offset + 6)));
        }
        assert!(!f[199].line_text.as_deref().unwrap().ends_with(b"\r"));
        assert_eq!((f[200].line, f[200].column), (Some(2), Some(6)));
        assert_eq!(f[200].line_text.as_deref(), Some(&b"next SECRET"[..]));
    }

    #[test]
    fn the_mask_covers_copies_of_every_secret_of_the_line() {
        // The second copy of A's secret is no match of its own (glued to
        // more text); B's snippet must hide it all the same.
        let data = b"A=SECRET_ONE B=SECRET_TWO # was SECRET_ONEx\n";
        let all = [at(2, 12), at(15, 25)];
        let f = findings(data, &all[1..], &all, origin());
        assert_eq!(f[0].mask, [2..12, 15..25, 32..42]);
    }

    #[test]
    fn binary_blob_has_no_line() {
        let data = b"\x00\x01 SECRET \x00";
        let f = findings(data, &[at(3, 9)], &[], origin());
        assert_eq!((f[0].line, f[0].column), (None, None));
        assert!(f[0].line_text.is_none());
        assert_eq!(f[0].secret, b"SECRET");
    }

    #[test]
    fn the_mask_holds_every_match_on_the_line_reported_or_not() {
        let data = b"x=SECRET\nA=SECRET B=SECRET\r\nC=SECRET\n";
        let all = [at(2, 8), at(11, 17), at(20, 26), at(30, 36)];
        // Only the second line's first secret is reported.
        let f = findings(data, &[at(11, 17)], &all, origin());
        assert_eq!(f[0].mask, [2..8, 11..17]);
        assert_eq!(f[0].line_offset, 2);
        // A match that runs past its line is cut at the line's end.
        let f = findings(b"a=SEC\nRET\n", &[at(2, 5)], &[at(2, 9)], origin());
        assert_eq!(f[0].mask, vec![2..5]);
        let f = findings(b"\x00SECRET", &[at(1, 7)], &[at(1, 7)], origin());
        assert!(f[0].mask.is_empty());
    }
}
