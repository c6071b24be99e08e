//! Access tokens by structure: `base64("tok:" + UUID-with-underscores + ":1:0")`.
//!
//! Three entry points, one per automaton pattern family: the plain token
//! (prefix `dG9rO`), the token base64-encoded once more (three alignments),
//! and the decoded form `tok:<uuid>:1:0` as it appears in debug logs.

use super::b64;
use super::work::Work;
use crate::finding::Confidence;

/// The longest plain token we extend over, in base64 characters.
const MAX_TOKEN_CHARS: usize = 512;
/// How far a prefix glued to other base64 is decoded: a UUID token with a
/// long `:<digits>:<digits>` suffix.
const GLUED_WINDOW: usize = 96;
/// The longest wrapping (doubly encoded) value we look at, in characters.
pub(crate) const MAX_WRAPPED_CHARS: usize = 4096;
/// The longest `<digits>` of a `:<digits>:<digits>` suffix (`:1:0`).
const MAX_SUFFIX_DIGITS: usize = 20;

/// A token found by structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) confidence: Confidence,
    /// The decoded `tok:...` bytes: the canonical form before re-encoding.
    pub(crate) decoded: Vec<u8>,
}

/// Escaped forms of the `=` padding that tokens wear in URLs, JSON and logs.
const PADDINGS: [&[u8]; 10] = [
    b"=",
    b"%3D",
    b"%3d",
    b"%253D",
    b"%253d",
    b"&#61;",
    b"\\u003d",
    b"\\u003D",
    b"\\\\u003d",
    b"\\\\u003D",
];

/// Skips `=` padding (plain or escaped), at most two.
fn skip_padding(hay: &[u8], mut at: usize) -> usize {
    for _ in 0..2 {
        match PADDINGS.iter().find(|p| hay[at..].starts_with(p)) {
            Some(p) => at += p.len(),
            None => break,
        }
    }
    at
}

/// Length of a `tok:<uuid>` structure (with `:<digits>:<digits>` when present)
/// at the start of `d`, or `None`.
fn uuid_structure_len(d: &[u8]) -> Option<usize> {
    let body = d.strip_prefix(b"tok:")?;
    if body.len() < 36 {
        return None;
    }
    let sep = body[8];
    if sep != b'_' && sep != b'-' {
        return None;
    }
    for (i, &c) in body[..36].iter().enumerate() {
        let ok = if matches!(i, 8 | 13 | 18 | 23) {
            c == sep
        } else {
            c.is_ascii_hexdigit()
        };
        if !ok {
            return None;
        }
    }
    let mut len = 4 + 36;
    // The `:1:0` suffix (`:<digits>:<digits>`), when present.
    let rest = &d[len..];
    let digits = |s: &[u8]| {
        s.iter()
            .take(MAX_SUFFIX_DIGITS)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    if rest.first() == Some(&b':') {
        let a = digits(&rest[1..]);
        if a > 0 && rest.get(1 + a) == Some(&b':') {
            let b = digits(&rest[2 + a..]);
            if b > 0 {
                len += 2 + a + b;
            }
        }
    }
    Some(len)
}

/// Judges decoded bytes that start with `tok:`: returns the confidence and
/// how many decoded bytes the token covers. `None` for look-alikes.
///
/// Intercom's access tokens all have a UUID body (`tok:<uuid>:1:0`). A body
/// of another shape is a documentation or test value (a phrase, a counting
/// or keyboard sequence, a made-up `test_key_...`), however random it looks:
/// `low`, reported only with `--strict`.
fn judge(decoded: &[u8]) -> Option<(Confidence, usize)> {
    if !decoded.starts_with(b"tok:") {
        return None;
    }
    if let Some(len) = uuid_structure_len(decoded) {
        let hex: Vec<u8> = decoded[4..40]
            .iter()
            .copied()
            .filter(u8::is_ascii_hexdigit)
            .collect();
        let confidence = if super::value::made_up_uuid(&hex) {
            Confidence::Low
        } else {
            Confidence::High
        };
        return Some((confidence, len));
    }
    // Anything else must be printable through and through (the last byte may
    // be a partial one from an unpadded tail).
    let body = &decoded[4..];
    let printable = body
        .iter()
        .take_while(|c| (0x21..0x7f).contains(*c))
        .count();
    if printable == 0 || printable + 1 < body.len() {
        return None;
    }
    Some((Confidence::Low, 4 + printable))
}

/// Whether a token that ends at `at` was cut short there: `...`, `…` or a
/// run of `*` (a preview, a `placeholder=` attribute, a usage line, prose).
/// A cut token cannot be used; only a whole UUID structure is reported
/// whatever follows it.
fn cut_at(hay: &[u8], at: usize) -> bool {
    let rest = &hay[at.min(hay.len())..];
    rest.starts_with(b"..") || rest.starts_with("\u{2026}".as_bytes()) || rest.starts_with(b"**")
}

/// Whether the byte before a token start lets it be a token on its own: not
/// glued to more base64, unless that letter is part of an escape (`\n`) or a
/// percent-encoding (`%3D`).
fn free_on_the_left(hay: &[u8], start: usize) -> bool {
    if start == 0 {
        return true;
    }
    let prev = hay[start - 1];
    if !prev.is_ascii_alphanumeric() && prev != b'+' && prev != b'/' {
        return true;
    }
    if start >= 2 && hay[start - 2] == b'\\' && matches!(prev, b'n' | b'r' | b't') {
        return true;
    }
    start >= 3 && hay[start - 3] == b'%' && hay[start - 2].is_ascii_hexdigit()
}

/// A plain token whose `dG9rO` prefix starts at `start`.
pub(crate) fn plain(hay: &[u8], start: usize, work: &mut Work) -> Option<TokenHit> {
    plain_for(hay, start, true, work)
}

/// [`plain`]; without `keep_low`, a token of low confidence is found
/// without its decoded bytes (a report that leaves such tokens out needs
/// only where they are).
pub(crate) fn plain_for(
    hay: &[u8],
    start: usize,
    keep_low: bool,
    work: &mut Work,
) -> Option<TokenHit> {
    if !hay[start..].starts_with(b"dG9rO") {
        return None;
    }
    // A prefix glued to more base64 can only be a token by its full UUID
    // structure, which fits in a short window: inside a long base64 blob
    // each such hit costs little.
    let free = free_on_the_left(hay, start);
    let window = if free { MAX_TOKEN_CHARS } else { GLUED_WINDOW };
    let run_end = start
        + hay[start..]
            .iter()
            .take(window)
            .take_while(|&&c| b64::is_alphabet(c))
            .count();
    let mut buf = [0u8; MAX_TOKEN_CHARS * 3 / 4];
    let n = b64::decode_into(&hay[start..run_end], &mut buf);
    work.charge(run_end - start + n);
    let (confidence, len) = judge(&buf[..n])?;
    if confidence != Confidence::High && !free {
        return None;
    }
    let chars = b64::encoded_len(len).min(run_end - start);
    let mut end = start + chars;
    if end == run_end {
        end = skip_padding(hay, end);
    }
    if confidence != Confidence::High && cut_at(hay, skip_padding(hay, run_end)) {
        return None;
    }
    Some(TokenHit {
        start,
        end,
        confidence,
        decoded: if confidence == Confidence::High || keep_low {
            buf[..len].to_vec()
        } else {
            Vec::new()
        },
    })
}

/// A token base64-encoded once more. `hit` is where one of the wrapped
/// prefixes matched; `back` is how far before it the 4-character group
/// holding the inner `dG9rO` starts (0, 2 or 3). The wrapping value never
/// starts before `floor` (the end of the previous token).
///
/// Only the inner token at this hit is decoded (and the group before it, whose
/// bytes say whether the inner token stands free), a few hundred characters
/// at most: every inner `dG9rO` has a hit of its own, so a long run of
/// base64 costs each hit the same, however long the run. The whole wrapping
/// value is measured only once an inner token is found.
pub(crate) fn wrapped(
    hay: &[u8],
    hit: usize,
    back: usize,
    floor: usize,
    work: &mut Work,
) -> Option<TokenHit> {
    let group = hit.checked_sub(back)?;
    // Where the inner `d` sits among the group's three bytes.
    let inner_at = match back {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    let from = if group >= 4 && hay[group - 4..group].iter().all(|&c| b64::is_alphabet(c)) {
        group - 4
    } else {
        group
    };
    let at = (group - from) / 4 * 3 + inner_at;
    let mut buf = [0u8; 6 + MAX_TOKEN_CHARS];
    let mut decode = |bytes: usize, buf: &mut [u8; 6 + MAX_TOKEN_CHARS]| {
        let chars = (from + b64::encoded_len(bytes)).min(hay.len());
        let n = b64::decode_into(&hay[from..chars], &mut buf[..bytes]);
        work.charge(chars - from);
        n
    };
    // A glued inner token needs its full structure, which fits in the short
    // window; a free one may be as long as any plain token.
    let mut n = decode(at + GLUED_WINDOW, &mut buf);
    if n < at + 5 {
        return None;
    }
    if free_on_the_left(&buf[..n], at) {
        n = decode(at + MAX_TOKEN_CHARS, &mut buf);
    }
    let inner = plain(&buf[..n], at, work)?;
    let lowest = group
        .saturating_sub(MAX_WRAPPED_CHARS)
        .max(floor)
        .min(group);
    let run_start = group
        - hay[lowest..group]
            .iter()
            .rev()
            .take_while(|&&c| b64::is_alphabet(c))
            .count();
    let run_end = hit
        + hay[hit..]
            .iter()
            .take(MAX_WRAPPED_CHARS)
            .take_while(|&&c| b64::is_alphabet(c))
            .count();
    work.charge(group - run_start + run_end - hit);
    let end = skip_padding(hay, run_end);
    if inner.confidence != Confidence::High && cut_at(hay, end) {
        return None;
    }
    Some(TokenHit {
        start: run_start,
        end,
        confidence: inner.confidence,
        decoded: inner.decoded,
    })
}

/// The decoded form `tok:<uuid>:1:0`, as debug logs print it. Only the UUID
/// structure counts here: a bare `tok:` followed by anything else is code.
pub(crate) fn decoded_form(hay: &[u8], start: usize, work: &mut Work) -> Option<TokenHit> {
    let len = uuid_structure_len(&hay[start..])?;
    work.charge(len);
    let hex: Vec<u8> = hay[start + 4..start + 40]
        .iter()
        .copied()
        .filter(u8::is_ascii_hexdigit)
        .collect();
    if super::value::made_up_uuid(&hex) {
        return None;
    }
    if start > 0 && hay[start - 1].is_ascii_alphanumeric() {
        return None;
    }
    // Intercom writes the UUID with `_` and ends with `:1:0`; a plain
    // `tok:<uuid-with-dashes>` is some other system's key (a cache entry).
    let underscores = hay[start + 12] == b'_';
    let suffixed = len > 40;
    if !underscores && !suffixed {
        return None;
    }
    Some(TokenHit {
        start,
        end: start + len,
        confidence: Confidence::High,
        decoded: hay[start..start + len].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "dG9rOjhkMjJhZDg5X2VlZDJfNDFlNF85YzhjX2E1MGEyNWY1YzEyMzoxOjA=";

    #[test]
    fn a_uuid_token_is_high_and_spans_its_padding() {
        let hay = format!("Authorization: Bearer {TOKEN}\n");
        let hit = plain(hay.as_bytes(), 22, &mut Work::default()).expect("token");
        assert_eq!(hit.confidence, Confidence::High);
        assert_eq!(&hay[hit.start..hit.end], TOKEN);
        assert!(hit.decoded.starts_with(b"tok:8d22ad89_eed2_"));
        assert!(hit.decoded.ends_with(b":1:0"));
    }

    #[test]
    fn escaped_padding_is_part_of_the_token() {
        let body = &TOKEN[..59];
        for pad in ["%3D", "\\u003d", "\\\\u003d"] {
            let hay = format!("x={body}{pad}&y=1");
            let hit = plain(hay.as_bytes(), 2, &mut Work::default()).expect("token");
            assert_eq!(&hay[hit.start..hit.end], format!("{body}{pad}"));
        }
    }

    #[test]
    fn the_documentation_example_is_low() {
        let hit = plain(b"dG9rOmFiY2RlZmdoaQ==", 0, &mut Work::default()).expect("token");
        assert_eq!(hit.confidence, Confidence::Low);
    }

    #[test]
    fn look_alikes_with_binary_bodies_are_not_tokens() {
        assert_eq!(
            plain(b"dG9rO////////////////////////", 0, &mut Work::default()),
            None
        );
    }

    #[test]
    fn wrapped_token_is_found_in_each_alignment() {
        use base64::Engine;
        let e = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "x", "xy", "Bearer "] {
            let outer = e.encode(format!("{prefix}{TOKEN}"));
            let hay = format!("token: {outer}\n");
            let pats = [("ZEc5ck", 0), ("RHOXJP", 2), ("kRzlyT", 3)];
            let found = pats.iter().find_map(|(p, back)| {
                let at = hay.find(p)?;
                wrapped(hay.as_bytes(), at, *back, 0, &mut Work::default())
            });
            let hit = found.unwrap_or_else(|| panic!("wrapped with prefix {prefix:?}"));
            assert_eq!(&hay[hit.start..hit.end], outer);
            assert_eq!(hit.confidence, Confidence::High);
        }
    }

    #[test]
    fn decoded_form_needs_the_uuid() {
        let hay = b"debug: auth tok:8d22ad89_eed2_41e4_9c8c_a50a25f5c123:1:0 ok";
        let hit = decoded_form(hay, 12, &mut Work::default()).expect("decoded");
        assert_eq!(
            &hay[hit.start..hit.end],
            b"tok:8d22ad89_eed2_41e4_9c8c_a50a25f5c123:1:0"
        );
        assert_eq!(decoded_form(b"tok: Token", 0, &mut Work::default()), None);
    }
}
