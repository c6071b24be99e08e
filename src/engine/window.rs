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
//! **Side by side.** A window is judged on its own bytes alone, so the
//! windows a buffer holds are detected in parallel, on scoped threads of
//! their own (as many as rayon's pool has, never its jobs: the thread
//! reading a blob may be one the pool waits on), two windows per thread at
//! a time; a stream's next windows are read while these are detected, into
//! a second buffer that starts with the bytes the two share. Only locating
//! goes window by window, in order. What is found is
//! the same however the windows are shared out. A stream holds two
//! batches of pieces at once, each at most half the window (one piece at
//! least), so a blob still costs about a window.
//!
//! **UTF-16.** A blob that starts like UTF-16 text ([`text`]) is also
//! decoded as it is read, and the decoded text detected in windows of its
//! own, side by side with the raw bytes: its matches are reported when the
//! raw bytes held none, as for a whole blob. Such a blob costs two windows.

use std::io::Read;

use super::text;
use crate::detect::{Detector, LONGEST_MATCH, Match, REACH};
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

    /// How many more bytes make the next `n` windows whole.
    fn wanted_for(&self, n: usize) -> usize {
        (self.next + n * self.core + MARGIN).saturating_sub(self.end())
    }

    /// The whole windows the buffer holds, from the next core on.
    fn whole_cores(&self) -> Vec<Core> {
        whole_cores(self.next, self.at, self.end(), self.core)
    }

    /// Detect every whole window the buffer holds (side by side, when it
    /// holds more than one), then drop what no later window needs.
    fn run(&mut self) {
        let cores = self.whole_cores();
        let Some(next) = cores.last().map(|c| c.ce) else {
            return;
        };
        detect_cores(self.detector, &self.buf, self.at, &cores, &mut self.tracker);
        self.next = next;
        let keep = next - MARGIN;
        self.buf.drain(..keep - self.at);
        self.at = keep;
    }

    /// The text ends: its last core.
    fn finish(mut self) -> Located {
        let (cs, end) = (self.next, self.end());
        if end > cs || cs == 0 {
            let last = Core::last(cs, self.at, end);
            detect_cores(
                self.detector,
                &self.buf,
                self.at,
                &[last],
                &mut self.tracker,
            );
        }
        self.tracker.finish()
    }
}

/// A core of a text, `cs..ce`, and the window it is detected in, the
/// bytes `ws..we` of the text.
#[derive(Debug, Clone, Copy)]
struct Core {
    ws: usize,
    cs: usize,
    ce: usize,
    we: usize,
    /// The text ends with this window.
    last: bool,
}

impl Core {
    /// The last core of a text that ends at `end`, from `cs`, its window
    /// reaching back [`MARGIN`] but not before `floor`.
    fn last(cs: usize, floor: usize, end: usize) -> Core {
        Core {
            ws: cs.saturating_sub(MARGIN).max(floor),
            cs,
            ce: end,
            we: end,
            last: true,
        }
    }
}

/// The cores of `core` bytes from `next` on whose windows lie whole in the
/// bytes `floor..end` of a text (a window reaches [`MARGIN`] on each side
/// of its core, but not before `floor`).
fn whole_cores(mut next: usize, floor: usize, end: usize, core: usize) -> Vec<Core> {
    let mut cores = Vec::new();
    while next + core + MARGIN <= end {
        let ce = next + core;
        cores.push(Core {
            ws: next.saturating_sub(MARGIN).max(floor),
            cs: next,
            ce,
            we: ce + MARGIN,
            last: false,
        });
        next = ce;
    }
    cores
}

/// Detect the windows of consecutive `cores` (in `bytes`, the bytes `at..`
/// of a text) and locate the matches that start in each core, in order.
/// The windows are detected side by side when there are several: each is
/// judged on its own bytes alone, so what is found does not depend on how
/// they are shared out; only locating (which counts lines) goes in order.
fn detect_cores(
    detector: &Detector,
    bytes: &[u8],
    at: usize,
    cores: &[Core],
    tracker: &mut Tracker,
) {
    debug_assert!(cores.first().is_none_or(|c| c.cs == tracker.position()));
    let window = |c: &Core| &bytes[c.ws - at..c.we - at];
    let kept = |c: &Core| {
        let mut kept = detector.find(window(c));
        kept.retain_mut(|m| {
            m.start += c.ws;
            m.end += c.ws;
            c.cs <= m.start && m.start < c.ce
        });
        kept
    };
    let detect = |part: &[Core]| part.iter().map(kept).collect::<Vec<_>>();
    // Threads of their own, never rayon's pool: the thread that streams a
    // blob may be one the pool waits on (a git mode's reader feeding the
    // engine), and a job queued behind it would never run. The calling
    // thread takes the first share.
    let threads = rayon::current_num_threads().clamp(1, cores.len().max(1));
    let found: Vec<Vec<Match>> = if threads > 1 {
        let mut parts = cores.chunks(cores.len().div_ceil(threads));
        let first = parts.next().unwrap_or_default();
        std::thread::scope(|s| {
            let others: Vec<_> = parts.map(|part| s.spawn(move || detect(part))).collect();
            let mut found = detect(first);
            for h in others {
                found.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            found
        })
    } else {
        detect(cores)
    };
    for (c, kept) in cores.iter().zip(&found) {
        tracker.core(window(c), c.ws, c.ce, c.last, kept);
    }
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
    let mut cores = whole_cores(0, 0, data.len(), core);
    let cs = cores.last().map_or(0, |c| c.ce);
    cores.push(Core::last(cs, 0, data.len()));
    detect_cores(detector, data, 0, &cores, &mut tracker);
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

/// Reads up to `wanted` more bytes onto `buf`; whether the stream ended
/// (or failed: `error`) before that.
fn read_more(
    rest: &mut dyn Read,
    wanted: usize,
    buf: &mut Vec<u8>,
    error: &mut Option<std::io::Error>,
) -> bool {
    match Read::take(&mut *rest, wanted as u64).read_to_end(buf) {
        Ok(n) => n < wanted,
        Err(e) => {
            *error = Some(e);
            true
        }
    }
}

/// A blob read in order: `head`, its first bytes already read (taken as
/// the start of the first window), then the rest from `rest`.
pub(super) fn judge_stream(
    detector: &Detector,
    window: Window,
    head: Vec<u8>,
    rest: &mut dyn Read,
) -> Streamed {
    // Two pieces per thread at a time, so that no thread waits long on
    // another's; as many as the window holds twice (what is detected, and
    // what is read meanwhile), and one at least.
    let cap = window.bytes() / (2 * window.piece().bytes());
    let batch = (2 * rayon::current_num_threads()).min(cap).max(1);
    stream_in_batches(detector, window, batch, head, rest)
}

/// [`judge_stream`], reading `batch` pieces at a time.
fn stream_in_batches(
    detector: &Detector,
    window: Window,
    batch: usize,
    mut head: Vec<u8>,
    rest: &mut dyn Read,
) -> Streamed {
    let window = window.piece();
    let holds = batch * window.core() + 2 * MARGIN;
    head.reserve(holds.saturating_sub(head.len()));
    let mut raw = Scan::new(detector, window, head);
    let mut error = None;
    let mut decoded: Option<Decoded<'_>> = None;
    // What the next windows are read into while these are detected.
    let mut spare: Vec<u8> = Vec::new();
    let mut first = true;
    loop {
        let cores = if first { Vec::new() } else { raw.whole_cores() };
        let (before, eof) = match cores.last().map(|c| c.ce) {
            None => {
                let before = raw.buf.len();
                let wanted = raw.wanted_for(batch).max(1);
                (before, read_more(rest, wanted, &mut raw.buf, &mut error))
            }
            // The windows held are detected on another thread while the
            // next ones are read, after the bytes they share with these.
            Some(next) => {
                let keep = next - MARGIN;
                spare.clear();
                spare.reserve(holds);
                spare.extend_from_slice(&raw.buf[keep - raw.at..]);
                let before = spare.len();
                raw.next = next;
                let wanted = raw.wanted_for(batch).max(1);
                let Scan {
                    detector,
                    buf,
                    at,
                    tracker,
                    ..
                } = &mut raw;
                let (buf, at) = (&*buf, *at);
                let eof = std::thread::scope(|s| {
                    s.spawn(|| detect_cores(detector, buf, at, &cores, tracker));
                    read_more(rest, wanted, &mut spare, &mut error)
                });
                raw.at = keep;
                std::mem::swap(&mut raw.buf, &mut spare);
                (before, eof)
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
        if eof {
            raw.run();
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
            let streamed = judge_stream(&detector, window, head.clone(), &mut rest);
            assert!(streamed.error.is_none());
            assert_eq!(streamed.bytes, data.len() as u64);
            assert_eq!(spans(streamed.found.unwrap().matches()), spans(&whole));
            // Several pieces at a time, detected side by side.
            for batch in [2, 3, 7] {
                let mut rest = &data[cut.min(data.len())..];
                let streamed = stream_in_batches(&detector, window, batch, head.clone(), &mut rest);
                assert_eq!(streamed.bytes, data.len() as u64);
                assert_eq!(spans(streamed.found.unwrap().matches()), spans(&whole));
            }
        }
    }

    /// Gives its bytes in reads of at most `step`, then fails.
    struct FailsAfter<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for FailsAfter<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.bytes.is_empty() {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = out.len().min(self.step).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_stream_that_fails_is_judged_on_what_was_read_before() {
        let detector = Detector::new(&DetectOptions::default());
        let window = Window::new(MIN_WINDOW);
        let data = text(window);
        // Cut mid-window, several windows in: read while others are detected.
        for cut in [data.len(), 2 * window.bytes() + 12_345] {
            let read = &data[..cut];
            let whole = detector.find(read);
            assert!(whole.len() > 4, "secrets before the cut");
            let mut rest = FailsAfter {
                bytes: read,
                step: 10_000,
            };
            let streamed = stream_in_batches(&detector, window, 3, Vec::new(), &mut rest);
            assert!(streamed.error.is_some());
            assert_eq!(streamed.bytes, cut as u64);
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
