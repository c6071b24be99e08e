//! Redaction: how a secret is shown when it must not be shown.
//!
//! A secret is never printed in full unless `--show-secrets`. Long secrets
//! keep a short head and tail so a human can tell two findings apart and match
//! them against a secret manager; short secrets reveal much less, very short
//! ones nothing at all.
//!
//! [`hide`] shows a line with given ranges redacted (every secret of a
//! finding's line); [`scrub`] and [`display`] redact whatever the detector
//! sees in text that was not scanned as a blob (messages, file names,
//! authors), and [`scrub_quote`] also long random-looking values, for
//! quoting files that should hold no secret (the configuration, a baseline).

use std::ops::Range;

use crate::detect::mask;

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

/// How a finding's secret is named in a report without `--show-secrets`:
/// redacted, but a variable's name (the finding of a rule that reports a
/// name, such as a secret's name shipped to the browser) in full.
pub fn redacted(rule_id: &str, secret: &[u8]) -> String {
    if crate::catalog::reports_a_name(rule_id) {
        reveal(secret)
    } else {
        redact(secret)
    }
}

/// [`redacted`], or the secret in full with `show`.
pub fn shown_secret(rule_id: &str, secret: &[u8], show: bool) -> String {
    if show {
        reveal(secret)
    } else {
        redacted(rule_id, secret)
    }
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

/// Text with some of its byte ranges redacted, as [`hide`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    /// Printable text (control characters replaced).
    pub text: String,
    /// Where the `primary` range ended up in `text` (the whole redacted
    /// range holding it); `0..0` without one.
    pub primary: Range<usize>,
}

/// `bytes` as printable text with every range of `ranges` (and `primary`)
/// redacted, or revealed (printable) with `show`. Ranges are clamped to
/// `bytes`; overlapping ones are redacted as one.
pub fn hide(
    bytes: &[u8],
    ranges: &[Range<usize>],
    primary: Option<Range<usize>>,
    show: bool,
) -> Hidden {
    hide_line(bytes, ranges, primary, show, false)
}

/// [`hide`], and `primary` shown in full when `name` (it is a variable's
/// name, not a secret); every other range stays hidden.
pub fn hide_line(
    bytes: &[u8],
    ranges: &[Range<usize>],
    primary: Option<Range<usize>>,
    show: bool,
    name: bool,
) -> Hidden {
    let mut text = String::with_capacity(bytes.len());
    let named = primary.clone().filter(|_| name);
    let primary = hide_into(
        &mut text,
        bytes,
        ranges,
        primary,
        |out, gap| out.push_str(&sanitize(&String::from_utf8_lossy(gap))),
        |range, secret| {
            if show || named.as_ref() == Some(&range) {
                reveal(secret)
            } else {
                redact(secret)
            }
        },
    );
    Hidden { text, primary }
}

/// `text` with every secret the detector sees redacted; everything else,
/// line breaks included, as it was.
pub fn scrub(text: &str) -> String {
    scrub_ranges(text, &mask::secrets(text.as_bytes()))
}

/// [`scrub`], and also every long random-looking value (but fingerprints):
/// for a quote of a file that should hold no secret.
pub fn scrub_quote(text: &str) -> String {
    scrub_ranges(text, &mask::secrets_and_opaque(text.as_bytes()))
}

/// [`scrub_quote`] of a parser's message about `source` (a message that
/// may quote the file: an unknown key, a bad value): also every copy in it
/// of what [`scrub_quote`] hides in the file, which the message alone may
/// not show to be a secret.
pub fn scrub_quote_about(message: &str, source: &[u8]) -> String {
    about(message, source, mask::secrets_and_opaque)
}

/// [`scrub`] of a message about `source` (hook input quoting a field):
/// also every copy in it of a secret the detector sees in `source`.
pub fn scrub_about(message: &str, source: &[u8]) -> String {
    about(message, source, mask::secrets)
}

fn about(message: &str, source: &[u8], hidden: fn(&[u8]) -> Vec<Range<usize>>) -> String {
    let mut ranges = hidden(message.as_bytes());
    let hidden_in_source: Vec<&[u8]> = hidden(source)
        .into_iter()
        .filter_map(|r| source.get(r))
        .collect();
    ranges.extend(mask::copies_of(&hidden_in_source, message.as_bytes()));
    scrub_ranges(message, &ranges)
}

/// Raw bytes (a path, an author) as printable text, every secret the
/// detector sees redacted.
pub fn display(bytes: &[u8]) -> String {
    hide(bytes, &mask::secrets(bytes), None, false).text
}

fn scrub_ranges(text: &str, ranges: &[Range<usize>]) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    hide_into(
        &mut out,
        text.as_bytes(),
        ranges,
        None,
        |out, gap| out.push_str(&String::from_utf8_lossy(gap)),
        |_, secret| redact(secret),
    );
    out
}

/// Appends `bytes` to `out`, gaps through `gap` and ranges through
/// `secret`; returns where the range holding `primary` landed.
fn hide_into(
    out: &mut String,
    bytes: &[u8],
    ranges: &[Range<usize>],
    primary: Option<Range<usize>>,
    gap: impl Fn(&mut String, &[u8]),
    secret: impl Fn(Range<usize>, &[u8]) -> String,
) -> Range<usize> {
    let clamp = |r: &Range<usize>| {
        let end = r.end.min(bytes.len());
        r.start.min(end)..end
    };
    let mut all: Vec<Range<usize>> = ranges
        .iter()
        .chain(primary.as_ref())
        .map(clamp)
        .filter(|r| !r.is_empty())
        .collect();
    all.sort_by_key(|r| r.start);
    let primary = primary.as_ref().map(clamp);
    let mut shown_primary = 0..0;
    let mut at = 0;
    let mut i = 0;
    while i < all.len() {
        let start = all[i].start.max(at);
        let mut end = all[i].end;
        i += 1;
        while i < all.len() && all[i].start < end {
            end = end.max(all[i].end);
            i += 1;
        }
        if end <= start {
            continue;
        }
        gap(out, &bytes[at..start]);
        let from = out.len();
        out.push_str(&secret(start..end, &bytes[start..end]));
        if primary
            .as_ref()
            .is_some_and(|p| start <= p.start && p.start < end)
        {
            shown_primary = from..out.len();
        }
        at = end;
    }
    gap(out, &bytes[at..]);
    shown_primary
}

#[cfg(test)]
// One range is a case of the ranges these functions take.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::{
        ELLIPSIS, Hidden, display, hide, redact, reveal, sanitize, scrub, scrub_quote,
        scrub_quote_about,
    };

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

    #[test]
    fn hide_redacts_every_range_and_finds_the_primary() {
        let line = format!("A={TOKEN} B={TOKEN}x");
        let second = 3 + TOKEN.len() + 2;
        let hidden = hide(
            line.as_bytes(),
            &[2..2 + TOKEN.len()],
            Some(second..second + TOKEN.len()),
            false,
        );
        assert_eq!(hidden.text, "A=dG9rOj…OjA= B=dG9rOj…OjA=x");
        assert_eq!(&hidden.text[hidden.primary.clone()], "dG9rOj…OjA=");
        assert_eq!(hidden.primary.start, 18);
        let overlapping = hide(
            b"abcdefghijklmnopqrstuvwxyz",
            &[2..12, 8..20, 30..40],
            None,
            false,
        );
        assert_eq!(overlapping.text, "abcde…rstuvwxyz");
        assert_eq!(
            hide(b"a\x1bb", &[], None, false),
            Hidden {
                text: "a\u{FFFD}b".to_owned(),
                primary: 0..0
            }
        );
        assert_eq!(
            hide(TOKEN.as_bytes(), &[0..TOKEN.len()], None, true).text,
            TOKEN
        );
    }

    #[test]
    fn scrub_keeps_lines_and_redacts_what_the_detector_sees() {
        // A token the detector accepts (its UUID is a version 4 one).
        const TOKEN: &str = "dG9rOjhmMTRlNDVmX2NlZWFfNDY3Zl9hMGU2X2IxYzZiNWUzYTJkOToxOjA=";
        let text = format!("cannot read {TOKEN}.env\n  next line");
        assert_eq!(scrub(&text), "cannot read dG9rOj…OjA=.env\n  next line");
        assert_eq!(scrub("nothing\nhere"), "nothing\nhere");
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
        assert_eq!(scrub(hex), hex);
        assert_eq!(scrub_quote(&format!("[{hex}]")), "[9f86d0…4f1b]");
        assert_eq!(
            display(format!("dir/{TOKEN}").as_bytes()),
            "dir/dG9rOj…OjA="
        );
    }

    #[test]
    fn a_message_hides_what_its_source_holds_secret() {
        // Alone, the value in the message is no secret (no name, too short
        // to look random); in the file, it is assigned to a secret name.
        let source =
            "detect:\n  strict: kR2v9QzLmW4tXp8s\nintercom_api_key: \"kR2v9QzLmW4tXp8s\"\n";
        let message = "invalid type: string \"kR2v9QzLmW4tXp8s\", expected a boolean";
        assert_eq!(scrub_quote(message), message);
        let shown = scrub_quote_about(message, source.as_bytes());
        assert_eq!(shown, "invalid type: string \"kR…8s\", expected a boolean");
    }
}
