//! How the human and plain reports write a path: as text a person reads
//! ([`shown`]) and as a word to paste into a shell command ([`shell_word`]).
//!
//! A path that is UTF-8 without control characters is shown as it is. Any
//! other path is quoted the way git quotes it (`core.quotePath`, git's
//! default): in double quotes, with `\t`, `\n`, `\"`, `\\` and every other
//! control byte or byte above 0x7f written as a 3-digit octal escape, so
//! `café` in Latin-1 is `"caf\351"`, as `git status` prints it. In a
//! command the same path is an ANSI-C quoted word (`$'caf\351'`), which
//! bash, zsh and ksh turn back into the path's bytes.
//!
//! Every secret the detector sees in a path is redacted first (a path is
//! never shown with a secret in it), so a command naming such a path
//! names the redacted text.

use std::fmt::Write as _;

use super::redact::redact;
use crate::detect::mask;

/// `path` for a person to read: as it is, or quoted as git quotes it.
pub(crate) fn shown(path: &[u8]) -> String {
    let pieces = pieces(path);
    if !needs_quoting(&pieces) {
        return pieces.into_iter().map(Piece::into_text).collect();
    }
    let mut out = String::from("\"");
    for piece in pieces {
        match piece {
            Piece::Secret(text) => out.push_str(&text),
            Piece::Bytes(bytes) => escape_into(&mut out, bytes, Quote::Git),
        }
    }
    out.push('"');
    out
}

/// `path` as one word of a POSIX shell command: as it is when it needs no
/// quoting, in single quotes when it is plain text, as `$'...'` (octal
/// escapes) when it holds bytes a terminal cannot show.
pub(crate) fn shell_word(path: &[u8]) -> String {
    let pieces = pieces(path);
    if needs_quoting(&pieces) {
        let mut out = String::from("$'");
        for piece in pieces {
            match piece {
                Piece::Secret(text) => escape_into(&mut out, text.as_bytes(), Quote::AnsiC),
                Piece::Bytes(bytes) => escape_into(&mut out, bytes, Quote::AnsiC),
            }
        }
        out.push('\'');
        return out;
    }
    let text: String = pieces.into_iter().map(Piece::into_text).collect();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./@+,:%=".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// A path cut into the bytes it has and the secrets in it (redacted).
enum Piece<'a> {
    Bytes(&'a [u8]),
    Secret(String),
}

impl Piece<'_> {
    /// The piece as text, once it is known that no quoting is needed.
    fn into_text(self) -> String {
        match self {
            Piece::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Piece::Secret(text) => text,
        }
    }
}

fn pieces(path: &[u8]) -> Vec<Piece<'_>> {
    let mut ranges = mask::secrets(path);
    ranges.sort_by_key(|r| r.start);
    let mut out = Vec::new();
    let mut at = 0;
    for r in ranges {
        let start = r.start.max(at).min(path.len());
        let end = r.end.min(path.len());
        if end <= start {
            continue;
        }
        if at < start {
            out.push(Piece::Bytes(&path[at..start]));
        }
        out.push(Piece::Secret(redact(&path[start..end])));
        at = end;
    }
    if at < path.len() {
        out.push(Piece::Bytes(&path[at..]));
    }
    out
}

/// Quoted when a byte is not UTF-8, is a control character, or is one git
/// quotes (`"`, `\`); also for the Unicode controls a terminal obeys
/// (bidirectional overrides).
fn needs_quoting(pieces: &[Piece<'_>]) -> bool {
    pieces.iter().any(|p| match p {
        Piece::Secret(_) => false,
        Piece::Bytes(bytes) => match std::str::from_utf8(bytes) {
            Err(_) => true,
            Ok(text) => text.chars().any(|c| {
                c.is_control()
                    || c == '"'
                    || c == '\\'
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            }),
        },
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// Inside `"..."`, as git writes a quoted path.
    Git,
    /// Inside `$'...'`.
    AnsiC,
}

fn escape_into(out: &mut String, bytes: &[u8], quote: Quote) {
    for &b in bytes {
        match b {
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\\' => out.push_str("\\\\"),
            b'"' if quote == Quote::Git => out.push_str("\\\""),
            b'\'' if quote == Quote::AnsiC => out.push_str("\\'"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{shell_word, shown};

    #[test]
    fn plain_paths_are_shown_as_they_are() {
        assert_eq!(shown(b"src/app.js"), "src/app.js");
        assert_eq!(shown("docs/café.md".as_bytes()), "docs/café.md");
        assert_eq!(shown(b"my env.yaml"), "my env.yaml");
    }

    #[test]
    fn other_paths_are_quoted_as_git_quotes_them() {
        assert_eq!(shown(b"caf\xe9.env"), r#""caf\351.env""#);
        // Once quoted, every byte above 0x7f is escaped, as git does.
        assert_eq!(shown(b"\xc3\xa9\xff"), r#""\303\251\377""#);
        assert_eq!(shown(b"a\tb"), r#""a\tb""#);
        assert_eq!(shown(b"a\x1b[31m"), r#""a\033[31m""#);
        assert_eq!(shown(br#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(shown(br"a\b"), r#""a\\b""#);
    }

    #[test]
    fn shell_words_paste_back_to_the_same_bytes() {
        assert_eq!(shell_word(b"src/app.js"), "src/app.js");
        assert_eq!(shell_word(b"a b"), "'a b'");
        assert_eq!(shell_word(b"it's"), r"'it'\''s'");
        assert_eq!(shell_word(b""), "''");
        assert_eq!(shell_word(b"caf\xe9.env"), r"$'caf\351.env'");
        assert_eq!(shell_word(b"it's\xe9"), r"$'it\'s\351'");
    }

    #[test]
    fn secrets_in_paths_are_redacted() {
        use base64::Engine as _;
        // Made here, so that no token is written in the source.
        let uuid = "9c1f3a7e_52d4_4b8e_a6f1_3e7d92c4b0a5";
        let token = base64::engine::general_purpose::STANDARD.encode(format!("tok:{uuid}:1:0"));
        let token = token.as_bytes();
        let path = [b"logs/".as_slice(), token, b"\xe9.txt"].concat();
        let text = shown(&path);
        assert!(
            !text.contains(std::str::from_utf8(token).unwrap()),
            "{text}"
        );
        assert!(text.starts_with("\"logs/dG9rOj") && text.ends_with("\\351.txt\""));
        let word = shell_word(&path);
        assert!(
            !word.contains(std::str::from_utf8(token).unwrap()),
            "{word}"
        );
    }
}
