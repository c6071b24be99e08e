//! The policy layer: what of the detector's matches becomes a finding.
//!
//! - [`added_lines`]: hook modes keep only matches on lines the change adds.
//! - [`inline`]: the `intercom-guard:allow` marker (laptop modes).
//! - [`rules`]: the [`Policy`]: allowlisted paths, accepted fingerprints,
//!   inline markers (honoured on laptops, on servers only when configured).
//! - [`locate`]: match + origin → [`crate::finding::Finding`], with line and
//!   column computed only for the matches.
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
pub mod rules;
pub mod settings;

pub use rules::Policy;
pub use settings::{Mode, Settings};

/// Byte range of the line holding `pos`: from after the previous `\n` up to,
/// not including, the next `\n` (or the end).
pub(crate) fn line_bounds(data: &[u8], pos: usize) -> (usize, usize) {
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
pub(crate) fn lines_spanned(data: &[u8], start: usize, end: usize) -> impl Iterator<Item = &[u8]> {
    let start = start.min(data.len());
    let last = end.saturating_sub(1).max(start).min(data.len());
    let (first_line, _) = line_bounds(data, start);
    let (_, last_line_end) = line_bounds(data, last);
    data[first_line..last_line_end].split(|&b| b == b'\n')
}

/// A line without its trailing `\r` (CRLF files compare like LF files).
pub(crate) fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
