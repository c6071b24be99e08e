//! The inline marker: a line containing `intercom-guard:allow` suppresses the
//! findings on that line (laptop modes; a server ignores it unless its own
//! config turns it on). Suppressed findings are counted, not forgotten.

use crate::detect::Match;

/// The marker text, matched anywhere on the line (any comment syntax).
pub const MARKER: &[u8] = b"intercom-guard:allow";

fn has_marker(line: &[u8]) -> bool {
    line.windows(MARKER.len()).any(|w| w == MARKER)
}

/// Whether a match sits on a line carrying the marker.
pub fn is_suppressed(data: &[u8], m: &Match) -> bool {
    super::lines_spanned(data, m.start, m.end).any(has_marker)
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
            fingerprint: String::new(),
        }
    }

    #[test]
    fn marker_on_the_same_line_suppresses_only_that_line() {
        let data = b"a = SECRET # intercom-guard:allow\nb = SECRET\n";
        assert!(is_suppressed(data, &at(4, 10)));
        assert!(!is_suppressed(data, &at(38, 44)));
    }

    #[test]
    fn marker_on_the_line_before_does_not_count() {
        let data = b"# intercom-guard:allow\nb = SECRET\n";
        assert!(!is_suppressed(data, &at(27, 33)));
    }
}
