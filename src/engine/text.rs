//! The text a blob is searched as: its bytes, or, for UTF-16 text (Windows
//! `.reg` exports, PowerShell output, some `.txt` and `.ps1` files), its
//! decoding into UTF-8. Every mode reads its blobs through the engine, so
//! every mode gets this, once per blob; the line, column, secret and
//! fingerprint of a finding are then those of the decoded text, and the old
//! sides a change is compared with are decoded when they are UTF-16.
//!
//! A blob is UTF-16 when it starts with a byte-order mark (`FF FE`
//! little-endian, `FE FF` big-endian), or when its first bytes alternate NULs with text on one side
//! of each pair (ASCII written as UTF-16, without a mark). Only the first
//! [`SNIFF_BYTES`] are looked at: an ordinary blob pays that, and nothing
//! more, on the way to "no match".
//!
//! The raw bytes are always searched first, and a blob whose raw bytes hold
//! a match is reported as it is: a stray mark in front of ASCII text (or a
//! binary file that happens to start like UTF-16) cannot hide a token that
//! was readable before. Such a blob's UTF-16 secrets, if any, show once the
//! raw ones are gone.

use crate::detect::{Detector, Match};

/// How many leading bytes decide whether a blob without a byte-order mark
/// is UTF-16.
pub(super) const SNIFF_BYTES: usize = 512;

/// A blob's matches, and its decoded text when they are matches in that
/// text (it was UTF-16 and its raw bytes held none).
pub(super) fn judge(detector: &Detector, data: &[u8]) -> Option<(Vec<Match>, Option<Vec<u8>>)> {
    let raw = detector.find(data);
    if !raw.is_empty() {
        return Some((raw, None));
    }
    let text = decode_utf16(data)?;
    let matches = detector.find(&text);
    (!matches.is_empty()).then_some((matches, Some(text)))
}

/// The text [`judge`] found a blob's matches in, for a blob read again (a
/// whole-database pass judged it): its decoding, or its bytes.
pub(super) fn searched(detector: &Detector, data: Vec<u8>) -> Vec<u8> {
    match decode_utf16(&data) {
        Some(text) if detector.find(&data).is_empty() => text,
        _ => data,
    }
}

/// An old side a blob's lines are compared with: decoded when it is UTF-16,
/// so that lines compare as text (re-encoding a file adds no line).
pub(super) fn old_side(data: Vec<u8>) -> Vec<u8> {
    decode_utf16(&data).unwrap_or(data)
}

/// Byte order of UTF-16 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    Little,
    Big,
}

/// The byte order of `data` and where its text starts, when it is UTF-16
/// (only its first [`SNIFF_BYTES`] are looked at).
pub(super) fn utf16_order(data: &[u8]) -> Option<(Order, usize)> {
    match data {
        [0xFF, 0xFE, ..] => Some((Order::Little, 2)),
        [0xFE, 0xFF, ..] => Some((Order::Big, 2)),
        _ => sniff(data).map(|order| (order, 0)),
    }
}

/// UTF-16 without a byte-order mark: in the first [`SNIFF_BYTES`], at least
/// half the pairs are a NUL and a non-NUL on the same side (ASCII in UTF-16),
/// and hardly any has its NUL on the other side.
fn sniff(data: &[u8]) -> Option<Order> {
    let sample = &data[..data.len().min(SNIFF_BYTES)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut little, mut big) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        match (pair[0], pair[1]) {
            (0, 0) => {}
            (_, 0) => little += 1,
            (0, _) => big += 1,
            _ => {}
        }
    }
    let strong = |this: usize, other: usize| this * 2 >= pairs && other * 16 <= pairs;
    if strong(little, big) {
        Some(Order::Little)
    } else if strong(big, little) {
        Some(Order::Big)
    } else {
        None
    }
}

/// `data` decoded from UTF-16 into UTF-8 (without its byte-order mark;
/// unpaired surrogates become U+FFFD, an odd last byte is dropped), or
/// `None` when it is not UTF-16.
pub(crate) fn decode_utf16(data: &[u8]) -> Option<Vec<u8>> {
    let (order, from) = utf16_order(data)?;
    let units = data[from..].chunks_exact(2).map(|p| match order {
        Order::Little => u16::from_le_bytes([p[0], p[1]]),
        Order::Big => u16::from_be_bytes([p[0], p[1]]),
    });
    let mut text = Vec::with_capacity(data.len() / 2);
    let mut buf = [0u8; 4];
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    Some(text)
}

/// [`decode_utf16`] for text that comes in pieces: fed the bytes after
/// the byte-order mark in any cut, it writes exactly what
/// [`decode_utf16`] makes of them whole.
#[derive(Debug)]
pub(super) struct Utf16Decoder {
    order: Order,
    /// Bytes of the mark still to skip.
    skip: usize,
    /// The first byte of a unit cut in two.
    half: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
}

impl Utf16Decoder {
    /// A decoder for text in `order` whose first `skip` bytes are its mark.
    pub(super) fn new(order: Order, skip: usize) -> Utf16Decoder {
        Utf16Decoder {
            order,
            skip,
            half: None,
            high: None,
        }
    }

    /// Decode `bytes`, appending the text to `out`.
    pub(super) fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) {
        let skipped = self.skip.min(bytes.len());
        self.skip -= skipped;
        bytes = &bytes[skipped..];
        out.reserve(bytes.len() / 2 + 4);
        if let Some(first) = self.half.take() {
            let Some((&second, rest)) = bytes.split_first() else {
                self.half = Some(first);
                return;
            };
            self.unit([first, second], out);
            bytes = rest;
        }
        let mut pairs = bytes.chunks_exact(2);
        for pair in &mut pairs {
            self.unit([pair[0], pair[1]], out);
        }
        self.half = pairs.remainder().first().copied();
    }

    /// The end of the text: a high surrogate left alone is U+FFFD, an odd
    /// last byte is dropped.
    pub(super) fn finish(&mut self, out: &mut Vec<u8>) {
        if self.high.take().is_some() {
            push_char(char::REPLACEMENT_CHARACTER, out);
        }
        self.half = None;
    }

    fn unit(&mut self, pair: [u8; 2], out: &mut Vec<u8>) {
        let unit = match self.order {
            Order::Little => u16::from_le_bytes(pair),
            Order::Big => u16::from_be_bytes(pair),
        };
        if let Some(high) = self.high.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                push_char(
                    char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER),
                    out,
                );
                return;
            }
            push_char(char::REPLACEMENT_CHARACTER, out);
        }
        match unit {
            0xD800..0xDC00 => self.high = Some(unit),
            0xDC00..0xE000 => push_char(char::REPLACEMENT_CHARACTER, out),
            _ => push_char(
                char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER),
                out,
            ),
        }
    }
}

fn push_char(c: char, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn be(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn both_byte_orders_with_and_without_a_mark() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n\"Key\"=\"é\"\r\n";
        let with_mark = |mark: &[u8], body: Vec<u8>| [mark.to_vec(), body].concat();
        for data in [
            with_mark(&[0xFF, 0xFE], le(text)),
            with_mark(&[0xFE, 0xFF], be(text)),
            le(text),
            be(text),
        ] {
            assert_eq!(decode_utf16(&data).as_deref(), Some(text.as_bytes()));
        }
    }

    #[test]
    fn utf8_binary_and_short_input_are_not_utf16() {
        assert_eq!(decode_utf16(b"plain text, nothing to decode\n"), None);
        assert_eq!(decode_utf16("é unicode in UTF-8".as_bytes()), None);
        assert_eq!(decode_utf16(&[0u8; 64]), None);
        assert_eq!(
            decode_utf16(&[0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]),
            None
        );
        assert_eq!(decode_utf16(b"a\0"), None);
        assert_eq!(decode_utf16(b""), None);
        // Binary with NULs on both sides of its pairs.
        let mixed: Vec<u8> = (0..200u8)
            .flat_map(|i| [i % 3, (i % 5) * (i % 2)])
            .collect();
        assert_eq!(decode_utf16(&mixed), None);
    }

    #[test]
    fn the_decoder_in_pieces_writes_what_decoding_whole_does() {
        let mut samples = vec![
            [
                vec![0xFF, 0xFE],
                le("plain ascii, then é and 😀 and 中文\r\n"),
            ]
            .concat(),
            [vec![0xFE, 0xFF], be("big endian 😀 text\n")].concat(),
            le("no mark at all, just text that alternates with NULs"),
        ];
        // Lone surrogates, a high one before a non-low, a low one alone, an
        // odd last byte.
        let mut odd = vec![0xFF, 0xFE];
        odd.extend(le("ab"));
        odd.extend([0x00, 0xD8, b'x', 0x00, 0x00, 0xDC]);
        odd.extend([0x3D, 0xD8, 0x00, 0xDE]);
        odd.extend([0x00, 0xD8]);
        odd.push(b'z');
        samples.push(odd);
        for data in samples {
            let whole = decode_utf16(&data).unwrap();
            let (order, from) = utf16_order(&data).unwrap();
            for cut in 1..7 {
                let mut decoder = Utf16Decoder::new(order, from);
                let mut out = Vec::new();
                for piece in data.chunks(cut) {
                    decoder.feed(piece, &mut out);
                }
                decoder.finish(&mut out);
                assert_eq!(out, whole, "pieces of {cut}");
            }
        }
    }

    #[test]
    fn unpaired_surrogates_and_an_odd_byte_do_not_stop_decoding() {
        let mut data = vec![0xFF, 0xFE];
        data.extend(le("ab"));
        data.extend([0x00, 0xD8]); // a lone high surrogate
        data.extend(le("cd"));
        data.push(b'x');
        assert_eq!(decode_utf16(&data).unwrap(), "ab\u{FFFD}cd".as_bytes());
    }
}
