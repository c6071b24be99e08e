//! The matches of a blob read in windows, located as the bytes go past:
//! what the policy (inline markers, added lines) and the placement (line,
//! column, the line's text) need of each match is taken while its window
//! is at hand, so that nothing of the blob is kept but a little of the
//! lines its matches sit on.
//!
//! The answers are those [`super::locate`], [`super::inline`] and
//! [`super::added_lines`] give on the whole blob: the same line and column
//! (characters on a UTF-8 line, else bytes), the same part of the line as
//! `line_text` and the same mask over it, the same marker and the same
//! lines to compare with the old sides (by [`LineKey`]). A test holds the
//! two ways equal on every example of the rules, cut in windows.
//!
//! The [`Tracker`] follows the blob's lines: it counts every newline (the
//! line numbers), and reads a line's bytes only where a match sits on it,
//! and at the end of each window the part of the line that goes on into the
//! next one (a match may come later on it). A match's line may end windows
//! later: what depends on the whole line (is it UTF-8, its key, does it
//! carry the marker) is settled when it ends.

use std::ops::Range;

use super::added_lines::{KeyBuilder, LineKey};
use super::inline::MARKER;
use super::locate::{LINE_TEXT_WINDOW, OnLines, Origin, to_u32};
use crate::detect::mask::Copies;
use crate::detect::{LONGEST_MATCH, Match};
use crate::finding::Finding;

/// Bytes of the line kept on each side of a match's `line_text`, so that
/// every copy of a secret that meets it is found whole when the mask is
/// made.
const COPY_ROOM: usize = LONGEST_MATCH;

/// How far past a match's end its window must reach for it to be located:
/// its line's text window, the room for copies around it, and a `\r\n`.
pub const AFTER: usize = LINE_TEXT_WINDOW + COPY_ROOM + 2;
/// How far before a match's start its window must reach.
pub const BEFORE: usize = LINE_TEXT_WINDOW + COPY_ROOM;

/// What is known of one match.
#[derive(Debug, Clone)]
struct Facts {
    /// 1-based line number, and where the line starts.
    line: usize,
    /// Characters and bytes between the line's start and the match.
    chars: usize,
    bytes: usize,
    /// The whole line (without a trailing `\r`) is UTF-8.
    utf8: bool,
    /// `line_text` is `from..to` of the blob.
    from: usize,
    to: usize,
    /// The bytes `room_from..` of the blob: `from..to` and up to
    /// [`COPY_ROOM`] more of the line on each side.
    room_from: usize,
    room: Vec<u8>,
    secret: Vec<u8>,
    /// A line the match touches carries the inline marker.
    marked: bool,
    /// The lines the match touches, as the old sides are compared.
    keys: Vec<LineKey>,
}

/// A blob's matches (ordered by start, as the detector gives them), with
/// what is known of each.
#[derive(Debug, Clone, Default)]
pub struct Located {
    matches: Vec<Match>,
    facts: Vec<Facts>,
    /// The greatest end among `matches[..=i]`.
    reach: Vec<usize>,
    /// The blob holds a NUL byte: it has no lines.
    binary: bool,
}

impl Located {
    pub fn matches(&self) -> &[Match] {
        &self.matches
    }

    pub fn into_matches(self) -> Vec<Match> {
        self.matches
    }

    fn facts(&self, m: &Match) -> Option<&Facts> {
        let i = self
            .matches
            .binary_search_by(|k| (k.start, k.end).cmp(&(m.start, m.end)))
            .ok()?;
        self.facts.get(i)
    }

    /// Whether `m` sits on a line carrying the inline marker.
    pub fn marked(&self, m: &Match) -> bool {
        self.facts(m).is_some_and(|f| f.marked)
    }

    /// The keys of the lines each match touches, in the order of
    /// [`Located::matches`].
    pub fn spanned_keys(&self) -> Vec<Vec<LineKey>> {
        self.facts.iter().map(|f| f.keys.clone()).collect()
    }

    /// [`super::locate::findings`] for the matches `kept` (some of
    /// [`Located::matches`]).
    pub fn findings(&self, kept: &[Match], origin: Origin<'_>) -> Vec<Finding> {
        // A variable's name (a public-env finding) is shown, not hidden.
        let secrets: Vec<&[u8]> = self
            .matches
            .iter()
            .zip(&self.facts)
            .filter(|(m, _)| !crate::catalog::reports_a_name(m.rule_id))
            .map(|(_, f)| f.secret.as_slice())
            .collect();
        let copies = Copies::new(&secrets);
        kept.iter()
            .filter_map(|m| {
                let f = self.facts(m)?;
                let (line, column, line_text, line_offset, mask) = if self.binary {
                    (None, None, None, 0, Vec::new())
                } else {
                    let column = if f.utf8 { f.chars } else { f.bytes };
                    let text = f.room[f.from - f.room_from..f.to - f.room_from].to_vec();
                    (
                        Some(to_u32(f.line)),
                        Some(to_u32(column + 1)),
                        Some(text),
                        m.start - f.from,
                        self.mask(f, &copies),
                    )
                };
                Some(Finding {
                    rule_id: m.rule_id,
                    kind: m.kind,
                    confidence: m.confidence,
                    path: origin.path.to_vec(),
                    line,
                    column,
                    commit: origin.commit.cloned(),
                    fingerprint: m.fingerprint.clone(),
                    secret: f.secret.clone(),
                    line_text,
                    line_offset,
                    mask,
                    still_present: None,
                    source: origin.source,
                    verification: None,
                })
            })
            .collect()
    }

    /// The mask over `f`'s `line_text`: every match, and every copy of any
    /// secret of the blob, that meets it.
    fn mask(&self, f: &Facts, copies: &Copies) -> Vec<Range<usize>> {
        let (from, to) = (f.from, f.to);
        let below = self.matches.partition_point(|m| m.start < to);
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for i in (0..below).rev() {
            if self.reach[i] <= from {
                break;
            }
            if crate::catalog::reports_a_name(self.matches[i].rule_id) {
                continue;
            }
            ranges.push((self.matches[i].start, self.matches[i].end));
        }
        ranges.extend(
            copies
                .find(&f.room)
                .into_iter()
                .map(|r| (r.start + f.room_from, r.end + f.room_from)),
        );
        OnLines::of(ranges).within(from, to)
    }
}

/// Follows the lines of a blob read in windows, and locates the matches
/// found in them. Given each window's core in order ([`Tracker::core`]),
/// then [`Tracker::finish`].
#[derive(Debug, Default)]
pub struct Tracker {
    /// The bytes before `pos` have been seen.
    pos: usize,
    /// The line `pos` is on: its number and where it starts.
    line: usize,
    line_start: usize,
    /// What is known of the line's bytes `line_start..read_to`.
    read: LineFacts,
    read_to: usize,
    /// Matches whose last line has not ended yet: the index of their facts,
    /// and the position of their last byte.
    open: Vec<(usize, usize)>,
    located: Located,
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker {
            line: 1,
            ..Tracker::default()
        }
    }

    /// Where the next core starts: the bytes before it have been seen.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next core of the blob, `pos..core_end`, in `window` (the bytes
    /// `at..` of the blob, reaching [`BEFORE`] before the core and
    /// [`AFTER`] past it unless the blob ends first: `last`), and the
    /// matches that start in it, ordered by start.
    pub fn core(
        &mut self,
        window: &[u8],
        at: usize,
        core_end: usize,
        last: bool,
        matches: &[Match],
    ) {
        let w = Window {
            bytes: window,
            at,
            last,
        };
        for m in matches {
            self.advance(&w, m.start);
            self.take(&w, m);
        }
        self.advance(&w, core_end);
        self.read_up_to(&w, core_end);
        if last {
            let end = w.end();
            self.end_line(end);
        }
    }

    pub fn finish(mut self) -> Located {
        let mut reach = 0;
        self.located.reach = self
            .located
            .matches
            .iter()
            .map(|m| {
                reach = reach.max(m.end);
                reach
            })
            .collect();
        self.located
    }

    /// Move `pos` to `to`, through the lines that end before it (every
    /// byte of the blob passes here once: it is also looked at for a NUL,
    /// until one is found).
    fn advance(&mut self, w: &Window<'_>, to: usize) {
        while self.pos < to {
            let bytes = w.slice(self.pos, to);
            if self.open.is_empty() {
                // Nothing waits for these lines to end: count them.
                let lines = memchr::memchr_iter(b'\n', bytes).count();
                self.located.binary = self.located.binary || memchr::memchr(0, bytes).is_some();
                if lines > 0
                    && let Some(at) = memchr::memrchr(b'\n', bytes)
                {
                    self.line += lines;
                    self.start_line(self.pos + at + 1);
                }
                self.pos = to;
            } else {
                let (seen, newline) = match memchr::memchr(b'\n', bytes) {
                    Some(at) => (&bytes[..=at], Some(self.pos + at)),
                    None => (bytes, None),
                };
                self.located.binary = self.located.binary || memchr::memchr(0, seen).is_some();
                match newline {
                    Some(newline) => {
                        self.read_up_to(w, newline);
                        self.end_line(newline);
                        self.line += 1;
                        self.start_line(newline + 1);
                        self.pos = newline + 1;
                    }
                    None => self.pos = to,
                }
            }
        }
    }

    fn start_line(&mut self, start: usize) {
        self.line_start = start;
        self.read = LineFacts::default();
        self.read_to = start;
    }

    /// Read the current line up to `to`.
    fn read_up_to(&mut self, w: &Window<'_>, to: usize) {
        if to > self.read_to {
            self.read.feed(w.slice(self.read_to, to));
            self.read_to = to;
        }
    }

    /// The current line ends at `end` (its `\n`, or the end of the blob):
    /// settle what the matches on it were waiting for.
    fn end_line(&mut self, end: usize) {
        if self.open.is_empty() {
            return;
        }
        let read = std::mem::take(&mut self.read);
        let (utf8, key, marked) = read.finish();
        let line = self.line;
        let facts = &mut self.located.facts;
        self.open.retain(|&(i, last)| {
            let f = &mut facts[i];
            if f.line == line {
                f.utf8 = utf8;
            }
            f.keys.push(key);
            f.marked |= marked;
            last > end
        });
    }

    /// Locate `m`, which starts at `pos`, on the current line.
    fn take(&mut self, w: &Window<'_>, m: &Match) {
        let (start, end) = (m.start, m.end.max(m.start));
        self.read_up_to(w, start);
        let line_start = self.line_start;
        // Where the line's text ends (without a `\r`), as far as the line
        // window and the room for copies need to know.
        let look_to = (end + AFTER).min(w.end());
        let text_end = match memchr::memchr(b'\n', w.slice(start, look_to)) {
            Some(at) => Some(start + at),
            None if w.last && look_to == w.end() => Some(look_to),
            None => None,
        }
        .map_or(look_to, |newline| {
            if newline > line_start && newline > w.at && w.byte(newline - 1) == b'\r' {
                newline - 1
            } else {
                newline
            }
        });
        let continues = |at: usize| at < w.end() && (w.byte(at) as i8) < -0x40;
        let mut from = start
            .saturating_sub(LINE_TEXT_WINDOW)
            .max(line_start)
            .min(start);
        while from < start && continues(from) {
            from += 1;
        }
        let mut to = (end + LINE_TEXT_WINDOW)
            .min(text_end)
            .max(end.min(text_end))
            .max(from);
        while to > end && to < text_end && continues(to) {
            to -= 1;
        }
        let room_from = from.saturating_sub(COPY_ROOM).max(line_start).max(w.at);
        let room_to = (to + COPY_ROOM).min(text_end).max(to).min(w.end());
        let index = self.located.facts.len();
        self.located.facts.push(Facts {
            line: self.line,
            chars: self.read.chars,
            bytes: start - line_start,
            utf8: false,
            from,
            to,
            room_from,
            room: w.slice(room_from, room_to).to_vec(),
            secret: w.slice(start, end.min(w.end())).to_vec(),
            marked: false,
            keys: Vec::new(),
        });
        self.located.matches.push(m.clone());
        self.open.push((index, end.saturating_sub(1).max(start)));
    }
}

/// A window: the bytes `at..` of the blob; `last` when the blob ends with
/// it.
struct Window<'a> {
    bytes: &'a [u8],
    at: usize,
    last: bool,
}

impl Window<'_> {
    fn end(&self) -> usize {
        self.at + self.bytes.len()
    }

    fn slice(&self, from: usize, to: usize) -> &[u8] {
        &self.bytes[from - self.at..to - self.at]
    }

    fn byte(&self, at: usize) -> u8 {
        self.bytes[at - self.at]
    }
}

/// What is known of a line read so far: its characters, whether it is
/// UTF-8, its key, whether it carries the marker.
#[derive(Debug, Default)]
struct LineFacts {
    chars: usize,
    utf8: Utf8,
    key: KeyBuilder,
    marker: Marker,
}

impl LineFacts {
    fn feed(&mut self, bytes: &[u8]) {
        self.chars += bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
        self.utf8.feed(bytes);
        self.key.feed(bytes);
        self.marker.feed(bytes);
    }

    fn finish(self) -> (bool, LineKey, bool) {
        (self.utf8.finish(), self.key.finish(), self.marker.found)
    }
}

/// Whether text that comes in pieces is UTF-8.
#[derive(Debug)]
struct Utf8 {
    valid: bool,
    /// The start of a character cut by the end of the last piece.
    partial: [u8; 4],
    len: usize,
}

impl Default for Utf8 {
    fn default() -> Self {
        Utf8 {
            valid: true,
            partial: [0; 4],
            len: 0,
        }
    }
}

impl Utf8 {
    fn feed(&mut self, mut bytes: &[u8]) {
        if !self.valid {
            return;
        }
        if self.len > 0 {
            let width = match self.partial[0] {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let take = (width - self.len).min(bytes.len());
            self.partial[self.len..self.len + take].copy_from_slice(&bytes[..take]);
            self.len += take;
            bytes = &bytes[take..];
            if self.len < width {
                return;
            }
            if std::str::from_utf8(&self.partial[..width]).is_err() {
                self.valid = false;
                return;
            }
            self.len = 0;
        }
        if let Err(e) = std::str::from_utf8(bytes) {
            match e.error_len() {
                Some(_) => self.valid = false,
                None => {
                    let rest = &bytes[e.valid_up_to()..];
                    self.partial[..rest.len()].copy_from_slice(rest);
                    self.len = rest.len();
                }
            }
        }
    }

    fn finish(&self) -> bool {
        self.valid && self.len == 0
    }
}

/// Whether text that comes in pieces holds the inline marker.
#[derive(Debug, Default)]
struct Marker {
    found: bool,
    /// The last bytes of the text, shorter than the marker.
    tail: Vec<u8>,
}

impl Marker {
    fn feed(&mut self, bytes: &[u8]) {
        if self.found || bytes.is_empty() {
            return;
        }
        let keep = MARKER.len() - 1;
        // A marker cut by the end of the last piece starts in `tail` and
        // ends in the first `keep` bytes of this one.
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(&bytes[..bytes.len().min(keep)]);
        if memchr::memmem::find(&joined, MARKER).is_some()
            || memchr::memmem::find(bytes, MARKER).is_some()
        {
            self.found = true;
            return;
        }
        if bytes.len() >= keep {
            joined.clear();
            joined.extend_from_slice(&bytes[bytes.len() - keep..]);
        } else {
            // `joined` is the old tail and all of `bytes`.
            let extra = joined.len().saturating_sub(keep);
            joined.drain(..extra);
        }
        self.tail = joined;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_in_pieces_agrees_with_whole() {
        let samples: [&[u8]; 6] = [
            "plain é 😀 中文".as_bytes(),
            b"\xC3",
            b"ab\xE0\x80cd",
            b"\xF0\x9F\x98",
            b"ok\xFFok",
            b"",
        ];
        for sample in samples {
            let whole = std::str::from_utf8(sample).is_ok();
            for cut in 1..5 {
                let mut u = Utf8::default();
                for piece in sample.chunks(cut) {
                    u.feed(piece);
                }
                assert_eq!(u.finish(), whole, "{sample:?} in pieces of {cut}");
            }
        }
    }

    #[test]
    fn the_marker_is_found_across_pieces() {
        let line = b"token = x # intercom-guard:allow please";
        for cut in 1..line.len() {
            let mut m = Marker::default();
            for piece in line.chunks(cut) {
                m.feed(piece);
            }
            assert!(m.found, "pieces of {cut}");
        }
        let mut m = Marker::default();
        for piece in b"intercom-guard:allo w".chunks(3) {
            m.feed(piece);
        }
        assert!(!m.found);
    }
}
