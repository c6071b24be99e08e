//! The inline marker: a line containing `intercom-guard:allow` suppresses the
//! findings on that line (laptop modes; a server ignores it unless its own
//! config turns it on). Suppressed findings are counted, not forgotten.

use crate::detect::Match;

/// The marker text, matched anywhere on the line (any comment syntax).
pub const MARKER: &[u8] = b"intercom-guard:allow";

fn has_marker(line: &[u8]) -> bool {
    memchr::memmem::find(line, MARKER).is_some()
}

/// Whether a match sits on a line carrying the marker.
pub fn is_suppressed(data: &[u8], m: &Match) -> bool {
    Markers::new(data).suppresses(m)
}

/// The markers of one blob, asked about its matches in order: each line is
/// searched for the marker once, however many matches it holds.
pub(crate) struct Markers<'a> {
    data: &'a [u8],
    lines: super::Lines<'a>,
    /// The last line searched (its start) and whether it has the marker.
    last: Option<(usize, bool)>,
}

impl<'a> Markers<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Markers<'a> {
        Markers {
            data,
            lines: super::Lines::new(data),
            last: None,
        }
    }

    pub(crate) fn suppresses(&mut self, m: &Match) -> bool {
        let (data, last) = (self.data, &mut self.last);
        self.lines.any_spanned(m.start, m.end, |line| match *last {
            Some((start, marked)) if start == line.start => marked,
            _ => {
                let marked = has_marker(&data[line.start..line.end]);
                *last = Some((line.start, marked));
                marked
            }
        })
    }
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
