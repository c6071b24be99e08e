//! The policy layer: what of the detector's matches becomes a finding.
//!
//! - [`added_lines`]: hook modes keep only matches on lines the change adds.
//! - [`inline`]: the `intercom-guard:allow` marker (laptop modes).
//! - [`rules`]: the [`Policy`]: allowlisted paths, accepted fingerprints,
//!   inline markers (honoured on laptops, on servers only when configured).
//! - [`locate`]: match + origin → [`crate::finding::Finding`], with line and
//!   column computed only for the matches; [`located`]: the same for a blob
//!   read in windows, taken while its bytes go past.
//! - [`config`]: `.intercom-guard.yaml`, parsed and validated;
//!   [`baseline`]: a JSON report whose fingerprints are accepted;
//!   [`settings`]: defaults + file + flags → the effective [`Policy`] and
//!   detector options, each value with where it came from.
//! - [`excerpt`]: what the configuration's and the baseline's diagnostics
//!   quote of the file (bounded, secrets redacted).
//!
//! Everything here runs only for a blob that had a hit; clean blobs never
//! reach this layer.

pub mod added_lines;
pub mod baseline;
pub mod config;
pub mod excerpt;
pub mod inline;
pub mod locate;
pub mod located;
pub mod rules;
pub mod settings;

pub use rules::Policy;
pub use settings::{Mode, Settings};

/// A line without its trailing `\r` (CRLF files compare like LF files).
pub(crate) fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A line of a blob: its 1-based number and its byte range, without the
/// `\n` (a `\r` before it stays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) number: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The lines of one blob, read forward once. Asked about positions in
/// increasing order (the detector's order), a thousand matches on one long
/// line cost one read of that line, not a thousand: the policy and the
/// placement of a blob stay linear in its size. An earlier position starts
/// over from the top.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    data: &'a [u8],
    current: Line,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Lines<'a> {
        let end = memchr::memchr(b'\n', data).unwrap_or(data.len());
        Lines {
            data,
            current: Line {
                number: 1,
                start: 0,
                end,
            },
        }
    }

    /// The line holding byte `pos` (a `\n` belongs to the line it ends).
    pub(crate) fn at(&mut self, pos: usize) -> Line {
        let pos = pos.min(self.data.len());
        if pos < self.current.start {
            *self = Lines::new(self.data);
        }
        while pos > self.current.end {
            let start = self.current.end + 1;
            let end =
                memchr::memchr(b'\n', &self.data[start..]).map_or(self.data.len(), |i| start + i);
            self.current = Line {
                number: self.current.number + 1,
                start,
                end,
            };
        }
        self.current
    }

    /// Whether `f` holds for any line that the byte range `start..end`
    /// touches.
    pub(crate) fn any_spanned(
        &mut self,
        start: usize,
        end: usize,
        mut f: impl FnMut(Line) -> bool,
    ) -> bool {
        let last = end.saturating_sub(1).max(start);
        let mut line = self.at(start);
        loop {
            if f(line) {
                return true;
            }
            if line.end >= last.min(self.data.len()) {
                return false;
            }
            line = self.at(line.end + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The plain definitions the cursor must agree with.

    /// Byte range of the line holding `pos`: from after the previous `\n` up to,
    /// not including, the next `\n` (or the end).
    fn line_bounds(data: &[u8], pos: usize) -> (usize, usize) {
        let pos = pos.min(data.len());
        let start = data[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| pos + i);
        (start, end)
    }

    /// Every line that the byte range `start..end` touches, without line endings.
    fn lines_spanned(data: &[u8], start: usize, end: usize) -> impl Iterator<Item = &[u8]> {
        let start = start.min(data.len());
        let last = end.saturating_sub(1).max(start).min(data.len());
        let (first_line, _) = line_bounds(data, start);
        let (_, last_line_end) = line_bounds(data, last);
        data[first_line..last_line_end].split(|&b| b == b'\n')
    }

    #[test]
    fn bounds_of_lines() {
        let data = b"ab\ncd\r\n\nef";
        assert_eq!(line_bounds(data, 0), (0, 2));
        assert_eq!(line_bounds(data, 2), (0, 2));
        assert_eq!(line_bounds(data, 3), (3, 6));
        assert_eq!(line_bounds(data, 7), (7, 7));
        assert_eq!(line_bounds(data, 9), (8, 10));
        assert_eq!(line_bounds(data, 10), (8, 10));
        let spanned: Vec<&[u8]> = lines_spanned(data, 1, 5).collect();
        assert_eq!(spanned, [&b"ab"[..], &b"cd\r"[..]]);
        assert_eq!(trim_cr(b"cd\r"), b"cd");
    }

    #[test]
    fn the_line_cursor_agrees_with_line_bounds() {
        let data = b"ab\ncd\r\n\nef";
        let mut lines = Lines::new(data);
        for pos in (0..=data.len()).chain([3, 0, 10, 7]) {
            let line = lines.at(pos);
            assert_eq!((line.start, line.end), line_bounds(data, pos), "at {pos}");
            let number = 1 + data[..pos.min(data.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            assert_eq!(line.number, number, "at {pos}");
        }
        for (start, end) in [(1, 5), (0, 0), (3, 9), (9, 10), (2, 3)] {
            let mut seen = Vec::new();
            lines.any_spanned(start, end, |l| {
                seen.push(&data[l.start..l.end]);
                false
            });
            let expected: Vec<&[u8]> = lines_spanned(data, start, end).collect();
            assert_eq!(seen, expected, "{start}..{end}");
        }
    }
}
