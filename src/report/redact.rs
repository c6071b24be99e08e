//! Redaction: how a secret is shown when it must not be shown.
//!
//! A secret is never printed in full unless `--show-secrets`. Long secrets
//! keep a short head and tail so a human can tell two findings apart and match
//! them against a secret manager; short secrets reveal much less, very short
//! ones nothing at all.

/// The ellipsis joining the revealed head and tail.
pub const ELLIPSIS: char = '…';

/// How many characters of the head and the tail a secret of `len`
/// characters reveals. Never more than half, and at most ~40% below 20.
fn revealed(len: usize) -> (usize, usize) {
    match len {
        20.. => (6, 4),
        17..=19 => (3, 3),
        10..=16 => (2, 2),
        8..=9 => (1, 1),
        _ => (0, 0),
    }
}

/// The redacted form of `secret`: for 20+ characters the first 6 and last 4
/// characters joined by `…` (`dG9rOj…OjA=`); shorter secrets reveal at most
/// ~40% (`ab…yz`), and below 8 characters only `…`. Bytes that are not UTF-8
/// are shown lossily; control characters are replaced so the result is safe
/// to print on a terminal.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars: Vec<char> = text.chars().collect();
    let (head, tail) = revealed(chars.len());
    let mut out = String::with_capacity(head + tail + ELLIPSIS.len_utf8());
    out.extend(chars[..head].iter().map(|&c| printable(c)));
    out.push(ELLIPSIS);
    out.extend(chars[chars.len() - tail..].iter().map(|&c| printable(c)));
    out
}

/// The secret in full, for `--show-secrets`: lossy UTF-8 and printable.
pub fn reveal(secret: &[u8]) -> String {
    sanitize(&String::from_utf8_lossy(secret))
}

/// `text` with every character that could move the cursor, recolour the
/// terminal or reorder the line (control characters, bidi overrides) replaced
/// by U+FFFD. Tabs are kept.
pub fn sanitize(text: &str) -> String {
    text.chars().map(printable).collect()
}

fn printable(c: char) -> char {
    let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if (c.is_control() && c != '\t') || bidi {
        char::REPLACEMENT_CHARACTER
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::{ELLIPSIS, redact, reveal, sanitize};

    const TOKEN: &str = "dG9rOjEyMzQ1Njc4XzkwYWJfY2RlZl8xMjM0XzU2Nzg5MGFiY2RlZjoxOjA=";

    #[test]
    fn long_secret_keeps_six_and_four() {
        assert_eq!(redact(TOKEN.as_bytes()), "dG9rOj…OjA=");
        assert_eq!(redact(b"abcdefghijklmnopqrst"), "abcdef…qrst");
    }

    #[test]
    fn short_secrets_reveal_little() {
        assert_eq!(redact(b"abcdefghijklmnopq"), "abc…opq");
        assert_eq!(redact(b"abcdefghij"), "ab…ij");
        assert_eq!(redact(b"abcdefgh"), "a…h");
        assert_eq!(redact(b"abcdefg"), "…");
        assert_eq!(redact(b"a"), "…");
        assert_eq!(redact(b""), "…");
    }

    #[test]
    fn never_contains_the_secret_and_reveals_at_most_half() {
        let alphabet: Vec<char> =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                .chars()
                .collect();
        for len in 1..=120 {
            let secret: String = (0..len).map(|i| alphabet[(i * 7 + 3) % 64]).collect();
            let shown = redact(secret.as_bytes());
            assert!(!shown.contains(&secret), "len {len}: {shown}");
            let revealed = shown.chars().filter(|&c| c != ELLIPSIS).count();
            assert!(revealed * 2 <= len, "len {len} reveals {revealed}");
            if len < 20 {
                assert!(revealed * 10 <= len * 4, "len {len} reveals {revealed}");
            }
        }
    }

    #[test]
    fn non_utf8_and_controls_are_printable() {
        let shown = redact(b"\xff\x1b[31mabcdefghijklmnopqrstuvwxyz\x07");
        assert!(!shown.contains('\x1b') && !shown.contains('\x07'));
        assert!(shown.starts_with('\u{FFFD}'));
        assert_eq!(reveal(b"ab\ncd"), "ab\u{FFFD}cd");
        assert_eq!(sanitize("a\tb\u{202E}c"), "a\tb\u{FFFD}c");
    }
}
