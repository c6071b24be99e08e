//! Blobs larger than the window: read in order and detected in overlapping
//! windows, so that what a blob costs in memory is bounded by the window,
//! whatever its size (DESIGN.md: "memory per blob is bounded"). A blob that
//! fits in the window is read whole and searched whole, as always.
//!
//! **Geometry.** The blob is cut into cores of `piece - 2 * MARGIN` bytes,
//! where a piece is the window, or [`PIECE`] when the window is larger.
//! The detector sees each core with up to [`MARGIN`] bytes of the blob
//! before and after it, and of what it finds there keeps the matches that
//! start in the core. The cores cut the blob without overlap, so each
//! match is kept once, by the window where it has its full context.
//!
//! **Why the margin is enough.** The detector decides a match by reading
//! at most [`REACH`] (16 KiB) around it: the longest match is
//! [`LONGEST_MATCH`] (a doubly encoded token, about 8 KiB), a value is
//! found from a name at most an `intercom` section (4 KiB and a line)
//! before it, and a name is read with its line, a few hundred bytes. The
//! margin is twice that, so a match that starts in a core is found in its
//! window exactly as in the whole blob, same start, end, kind and
//! fingerprint; and a match cut by a window's edge starts outside that
//! window's core, where it is not kept. (Two things reach further: a
//! `name:` line followed by its `value:` line after a run of blank lines,
//! a pair not seen when more than a margin of them part it in a blob larger
//! than the window; and which of two overlapping candidate tokens is
//! reported, which depends on the token before, in a chain of them longer
//! than a margin, which no real text holds.) The margin also holds what
//! locating a match reads of its line ([`located::BEFORE`],
//! [`located::AFTER`]).
//!
//! **Located on the way.** Each window's matches are located while the
//! window is at hand ([`Tracker`]): line numbers count the newlines of
//! every byte before them; what the policy and the report need of a line is
//! taken from it there. Nothing of the blob outlives its window but a few
//! lines around its matches, so a stream (stdin, a file, a git object
//! inflated as it is read) is read once.
//!
//! **UTF-16.** A blob that starts like UTF-16 text ([`text`]) is also
//! decoded as it is read, and the decoded text detected in windows of its
//! own, side by side with the raw bytes: its matches are reported when the
//! raw bytes held none, as for a whole blob. Such a blob costs two windows.

use std::io::Read;

use super::text;
use crate::detect::{Detector, LONGEST_MATCH, REACH};
use crate::policy::located::{self, Located, Tracker};

/// What a blob may cost in memory by default: blobs up to this size are
/// read whole, larger ones in windows of this size.
pub const DEFAULT_WINDOW: usize = 64 * 1024 * 1024;

/// Context each window keeps on each side of its core: twice the
/// detector's [`REACH`].
pub const MARGIN: usize = 2 * REACH;

/// The smallest window taken: cores at least as large as the two margins.
pub const MIN_WINDOW: usize = 4 * MARGIN;

/// A blob larger than the window is detected in pieces of at most this
/// size (with the same margins): a piece read, searched and its newlines
/// counted while it is still in the processor's cache, instead of a whole
/// window's worth streaming through memory three times. (The matches are
/// those of the whole blob whatever the size of the pieces: see the
/// geometry above.) The margins cost 2 × [`MARGIN`] per piece, under 2%.
pub const PIECE: usize = 4 * 1024 * 1024;

const _: () = assert!(MARGIN >= located::BEFORE && MARGIN >= located::AFTER + LONGEST_MATCH);

/// How many bytes of a blob are at hand at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window(usize);

impl Default for Window {
    fn default() -> Self {
        Window(DEFAULT_WINDOW)
    }
}

impl Window {
    /// A window of `bytes`, at least [`MIN_WINDOW`].
    pub fn new(bytes: usize) -> Window {
        Window(bytes.max(MIN_WINDOW))
    }

    pub fn bytes(self) -> usize {
        self.0
    }

    /// Whether a blob of `len` bytes is read whole.
    pub fn holds(self, len: u64) -> bool {
        len <= self.0 as u64
    }

    fn core(self) -> usize {
        self.0 - 2 * MARGIN
    }

    /// The window a blob larger than this one is detected in, piece by
    /// piece: at most [`PIECE`].
    fn piece(self) -> Window {
        Window(self.0.min(PIECE))
    }
}

/// One text (a blob's bytes, or their UTF-16 decoding) detected in windows.
struct Scan<'d> {
    detector: &'d Detector,
    core: usize,
    /// The bytes `at..at + buf.len()` of the text.
    buf: Vec<u8>,
    at: usize,
    /// Where the next core starts.
    next: usize,
    tracker: Tracker,
}

impl<'d> Scan<'d> {
    fn new(detector: &'d Detector, window: Window, buf: Vec<u8>) -> Scan<'d> {
        Scan {
            detector,
            core: window.core(),
            buf,
            at: 0,
            next: 0,
            tracker: Tracker::new(),
        }
    }

    fn end(&self) -> usize {
        self.at + self.buf.len()
    }

    /// How many more bytes make the next window whole.
    fn wanted(&self) -> usize {
        (self.next + self.core + MARGIN).saturating_sub(self.end())
    }

    /// Detect every whole window the buffer holds, then drop (once) what
    /// no later window needs.
    fn run(&mut self) {
        let mut keep = None;
        while self.wanted() == 0 {
            let (cs, ce) = (self.next, self.next + self.core);
            let ws = cs.saturating_sub(MARGIN).max(self.at);
            let we = ce + MARGIN;
            let window = &self.buf[ws - self.at..we - self.at];
            detect_core(self.detector, window, ws, ce, false, &mut self.tracker);
            self.next = ce;
            keep = Some(ce - MARGIN);
        }
        if let Some(keep) = keep {
            self.buf.drain(..keep - self.at);
            self.at = keep;
        }
    }

    /// The text ends: its last core.
    fn finish(mut self) -> Located {
        let (cs, end) = (self.next, self.end());
        if end > cs || cs == 0 {
            let ws = cs.saturating_sub(MARGIN).max(self.at);
            let window = &self.buf[ws - self.at..];
            detect_core(self.detector, window, ws, end, true, &mut self.tracker);
        }
        self.tracker.finish()
    }
}

/// Detect `window` (the bytes `at..` of a text) and locate the matches
/// that start in its core, which runs from where the tracker stands to
/// `core_end`.
fn detect_core(
    detector: &Detector,
    window: &[u8],
    at: usize,
    core_end: usize,
    last: bool,
    tracker: &mut Tracker,
) {
    let core_start = tracker.position();
    let mut kept = detector.find(window);
    kept.retain_mut(|m| {
        m.start += at;
        m.end += at;
        core_start <= m.start && m.start < core_end
    });
    tracker.core(window, at, core_end, last, &kept);
}

/// A blob's matches, located, when it has any; what the detector found in
/// its raw bytes first, else in its UTF-16 decoding.
fn verdict(raw: Located, decoded: Option<Located>) -> Option<Located> {
    if !raw.matches().is_empty() {
        return Some(raw);
    }
    decoded.filter(|d| !d.matches().is_empty())
}

/// The UTF-16 decoding of a blob as it is read, detected in windows.
struct Decoded<'d> {
    decoder: text::Utf16Decoder,
    scan: Scan<'d>,
}

impl<'d> Decoded<'d> {
    /// When `first` (the first bytes of the blob) starts like UTF-16.
    fn sniff(detector: &'d Detector, window: Window, first: &[u8]) -> Option<Decoded<'d>> {
        let (order, from) = text::utf16_order(first)?;
        // A piece of MARGIN bytes decodes to at most 1.5 MARGIN.
        let buf = Vec::with_capacity(window.bytes() + 2 * MARGIN);
        Some(Decoded {
            decoder: text::Utf16Decoder::new(order, from),
            scan: Scan::new(detector, window, buf),
        })
    }

    fn feed(&mut self, bytes: &[u8]) {
        for piece in bytes.chunks(MARGIN) {
            self.decoder.feed(piece, &mut self.scan.buf);
            self.scan.run();
        }
    }

    fn finish(mut self) -> Located {
        self.decoder.finish(&mut self.scan.buf);
        self.scan.run();
        self.scan.finish()
    }
}

/// A blob in memory that is larger than the window: detected in windows
/// of it, without a copy.
pub(super) fn judge_slice(detector: &Detector, window: Window, data: &[u8]) -> Option<Located> {
    let window = window.piece();
    let core = window.core();
    let mut tracker = Tracker::new();
    let mut next = 0;
    loop {
        let (cs, ce) = (next, next + core);
        let ws = cs.saturating_sub(MARGIN);
        let last = ce + MARGIN > data.len();
        let (we, ce) = if last {
            (data.len(), data.len())
        } else {
            (ce + MARGIN, ce)
        };
        detect_core(detector, &data[ws..we], ws, ce, last, &mut tracker);
        if last {
            break;
        }
        next = ce;
    }
    let raw = tracker.finish();
    if !raw.matches().is_empty() {
        return Some(raw);
    }
    let decoded = Decoded::sniff(detector, window, data).map(|mut d| {
        d.feed(data);
        d.finish()
    });
    verdict(raw, decoded)
}

/// What reading a blob in windows gave.
pub(super) struct Streamed {
    pub(super) found: Option<Located>,
    /// The bytes read.
    pub(super) bytes: u64,
    /// Reading stopped here; what was read before is judged all the same.
    pub(super) error: Option<std::io::Error>,
}

/// A blob read in order: `head`, its first bytes already read (taken as
/// the start of the first window), then the rest from `rest`.
pub(super) fn judge_stream(
    detector: &Detector,
    window: Window,
    mut head: Vec<u8>,
    rest: &mut dyn Read,
) -> Streamed {
    let window = window.piece();
    head.reserve((window.bytes() + MARGIN).saturating_sub(head.len()));
    let mut raw = Scan::new(detector, window, head);
    let mut error = None;
    let mut decoded: Option<Decoded<'_>> = None;
    let mut first = true;
    loop {
        let before = raw.buf.len();
        let wanted = raw.wanted().max(1);
        let eof = match Read::take(&mut *rest, wanted as u64).read_to_end(&mut raw.buf) {
            Ok(n) => n < wanted,
            Err(e) => {
                error = Some(e);
                true
            }
        };
        if first {
            first = false;
            decoded = Decoded::sniff(detector, window, &raw.buf);
            if let Some(d) = &mut decoded {
                d.feed(&raw.buf);
            }
        } else if let Some(d) = &mut decoded {
            d.feed(&raw.buf[before..]);
        }
        raw.run();
        if eof {
            break;
        }
    }
    let bytes = raw.end() as u64;
    Streamed {
        found: verdict(raw.finish(), decoded.map(Decoded::finish)),
        bytes,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{DetectOptions, Match};

    const TOKEN: &str = "dG9rOjhmMTRlNDVmX2NlZWFfNDY3Zl9hMGU2X2IxYzZiNWUzYTJkOToxOjA=";

    fn spans(found: &[Match]) -> Vec<(usize, usize, String)> {
        found
            .iter()
            .map(|m| (m.start, m.end, m.fingerprint.clone()))
            .collect()
    }

    /// A text of a few windows with secrets everywhere, on both sides of
    /// every core boundary.
    fn text(window: Window) -> Vec<u8> {
        let core = window.core();
        let mut data = Vec::new();
        let mut n = 0;
        while data.len() < 3 * window.bytes() {
            let boundary = (data.len() / core + 1) * core;
            // Filler up to just before the next boundary, then a secret that
            // straddles it, then one right after.
            while data.len() + 40 < boundary {
                data.extend_from_slice(format!("line {n} of filler text\n").as_bytes());
                n += 1;
            }
            data.extend_from_slice(b"key: ");
            data.extend_from_slice(TOKEN.as_bytes());
            data.extend_from_slice(b"\nINTERCOM_API_KEY=\"kR2v9QzLmW4tXp8sYb\"\n");
        }
        data
    }

    #[test]
    fn windows_find_what_the_whole_blob_holds_once() {
        let detector = Detector::new(&DetectOptions::default());
        let window = Window::new(MIN_WINDOW);
        let data = text(window);
        let whole = detector.find(&data);
        assert!(whole.len() > 6, "secrets at every boundary");
        let sliced = judge_slice(&detector, window, &data).expect("found");
        assert_eq!(spans(sliced.matches()), spans(&whole));
        for cut in [1000, 65_536, data.len()] {
            let mut rest = &data[cut.min(data.len())..];
            let head = data[..cut.min(data.len())].to_vec();
            let streamed = judge_stream(&detector, window, head, &mut rest);
            assert!(streamed.error.is_none());
            assert_eq!(streamed.bytes, data.len() as u64);
            assert_eq!(spans(streamed.found.unwrap().matches()), spans(&whole));
        }
    }

    #[test]
    fn utf16_is_decoded_in_windows_of_its_own() {
        let detector = Detector::new(&DetectOptions::default());
        let window = Window::new(MIN_WINDOW);
        let plain = text(window);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                String::from_utf8(plain.clone())
                    .unwrap()
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        let whole = detector.find(&plain);
        let sliced = judge_slice(&detector, window, &utf16).expect("found decoded");
        assert_eq!(spans(sliced.matches()), spans(&whole));
        let mut rest = &utf16[10..];
        let streamed = judge_stream(&detector, window, utf16[..10].to_vec(), &mut rest);
        assert_eq!(spans(streamed.found.unwrap().matches()), spans(&whole));
    }

    /// The examples of the rules (tests/examples), many times over, each
    /// copy at another place against the cores.
    fn corpus() -> Vec<u8> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let examples: Vec<u8> = files
            .iter()
            .flat_map(|f| std::fs::read(f).unwrap())
            .collect();
        let mut data = Vec::new();
        for i in 0..14 {
            for n in 0..(i * 97) {
                data.extend_from_slice(format!("filler {n}\n").as_bytes());
            }
            data.extend_from_slice(&examples);
        }
        data
    }

    /// Every field of a finding but its path (a temporary file's).
    fn facts(f: &crate::finding::Finding) -> String {
        format!(
            "{} {:?} {:?} {:?} {:?} {} {:?} {:?} {} {:?} {:?}",
            f.rule_id,
            f.kind,
            f.confidence,
            f.line,
            f.column,
            f.fingerprint,
            f.secret,
            f.line_text,
            f.line_offset,
            f.mask,
            f.source
        )
    }

    /// What `scan FILE` reports of `data` with `window`.
    fn findings_of(data: &[u8], window: Window) -> (Vec<String>, u64) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("blob.txt");
        std::fs::write(&file, data).unwrap();
        let detector = Detector::new(&DetectOptions::default());
        let policy = crate::policy::Policy::laptop();
        let engine = super::super::Engine::new(&detector, &policy).with_window(window);
        let (files, blobs, _) = crate::source::files::Files::list(&[file], None);
        let out = engine.run(
            &files,
            blobs,
            &super::super::Judged::default(),
            super::super::Placement::AsListed,
        );
        assert!(out.problems.is_empty());
        (out.findings.iter().map(facts).collect(), out.stats.bytes)
    }

    #[test]
    fn a_window_larger_than_a_piece_is_read_in_pieces_with_the_findings_of_the_whole_blob() {
        // Streamed (larger than the window), the window larger than a
        // piece: read and detected a piece at a time.
        let corpus = corpus();
        let data: Vec<u8> = corpus
            .iter()
            .copied()
            .cycle()
            .take(2 * PIECE + PIECE / 2)
            .collect();
        let window = Window::new(2 * PIECE);
        assert!(!window.holds(data.len() as u64) && window.piece().bytes() == PIECE);
        let (whole, bytes) = findings_of(&data, Window::new(data.len()));
        let (pieces, pieces_bytes) = findings_of(&data, window);
        assert!(whole.len() > 1000, "the corpus has secrets");
        assert_eq!(bytes, pieces_bytes);
        assert_eq!(whole, pieces);
    }

    #[test]
    fn findings_in_windows_are_those_of_the_whole_blob_to_the_last_field() {
        let corpus = corpus();
        let small = Window::new(MIN_WINDOW);
        assert!(corpus.len() > 4 * small.bytes());
        let crlf: Vec<u8> = corpus
            .iter()
            .flat_map(|&b| {
                if b == b'\n' {
                    vec![b'\r', b'\n']
                } else {
                    vec![b]
                }
            })
            .collect();
        // Lines longer than a line window, and lines longer than a window.
        let long = |every: usize| -> Vec<u8> {
            corpus
                .iter()
                .enumerate()
                .map(|(i, &b)| {
                    if b == b'\n' && i % every > 30 {
                        b' '
                    } else {
                        b
                    }
                })
                .collect()
        };
        let (long, giant) = (long(2000), long(150_000));
        let marked: Vec<u8> = String::from_utf8(corpus.clone())
            .unwrap()
            .replace("\n\n", " # intercom-guard:allow\n\n")
            .into_bytes();
        let mut binary = corpus.clone();
        binary[3 * small.bytes()] = 0;
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                String::from_utf8(corpus.clone())
                    .unwrap()
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        for (name, data) in [
            ("plain", corpus),
            ("crlf", crlf),
            ("long lines", long),
            ("giant lines", giant),
            ("marked", marked),
            ("binary", binary),
            ("utf-16", utf16),
        ] {
            let (whole, bytes) = findings_of(&data, Window::new(data.len()));
            let (windowed, windowed_bytes) = findings_of(&data, small);
            assert!(whole.len() > 100, "{name}: the corpus has secrets");
            assert_eq!(bytes, windowed_bytes, "{name}");
            assert_eq!(whole.len(), windowed.len(), "{name}");
            for (w, s) in whole.iter().zip(&windowed) {
                assert_eq!(w, s, "{name}");
            }
        }
    }
}
