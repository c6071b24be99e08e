//! From a detector [`Match`] and where its blob came from to a reportable
//! [`Finding`]: line and column (1-based), the line's text, the secret.
//!
//! Computed only for the matches, never for clean blobs. A binary blob (one
//! holding a NUL byte) has no lines: `line`, `column` and `line_text` are
//! `None`. The column counts characters when the line is UTF-8, else bytes.

use crate::detect::Match;
use crate::finding::{CommitMeta, Finding, SourceKind};

/// Whether a blob is binary: it holds a NUL byte (git looks at the first
/// 8000 bytes; we look at all of them, which only ever says "binary" more).
pub fn is_binary(data: &[u8]) -> bool {
    data.contains(&0)
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

/// Turn the matches on one blob into findings, in the order given. `all`
/// is every match the detector found in the blob (the reported ones among
/// them): each finding's [`Finding::mask`] holds those on its line.
pub fn findings(data: &[u8], matches: &[Match], all: &[Match], origin: Origin<'_>) -> Vec<Finding> {
    let binary = is_binary(data);
    let on_lines = OnLines::new(all);
    // Lines are counted incrementally: matches come ordered by `start`.
    let mut cursor = 0usize;
    let mut line_no = 1usize;
    matches
        .iter()
        .map(|m| {
            let end = m.end.min(data.len());
            let start = m.start.min(end);
            let (line, column, line_text, line_offset, mask) = if binary {
                (None, None, None, 0, Vec::new())
            } else {
                if start < cursor {
                    cursor = 0;
                    line_no = 1;
                }
                line_no += data[cursor..start].iter().filter(|&&b| b == b'\n').count();
                cursor = start;
                let (line_start, line_end) = super::line_bounds(data, start);
                let text = super::trim_cr(&data[line_start..line_end]);
                let prefix = &data[line_start..start];
                let column = match std::str::from_utf8(text) {
                    Ok(_) => {
                        std::str::from_utf8(prefix).map_or(prefix.len(), |s| s.chars().count())
                    }
                    Err(_) => prefix.len(),
                } + 1;
                let mask = on_lines.within(line_start, line_start + text.len());
                (
                    Some(to_u32(line_no)),
                    Some(to_u32(column)),
                    Some(text.to_vec()),
                    start - line_start,
                    mask,
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
            }
        })
        .collect()
}

/// The byte ranges of a blob's matches, ordered, to ask which meet a line.
struct OnLines {
    /// `(start, end)`, ordered by start.
    ranges: Vec<(usize, usize)>,
    /// The greatest end among `ranges[..=i]`: matches may nest.
    reach: Vec<usize>,
}

impl OnLines {
    fn new(all: &[Match]) -> OnLines {
        let mut ranges: Vec<(usize, usize)> = all.iter().map(|m| (m.start, m.end)).collect();
        ranges.sort_unstable();
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
    fn within(&self, from: usize, to: usize) -> Vec<std::ops::Range<usize>> {
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

fn to_u32(n: usize) -> u32 {
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
