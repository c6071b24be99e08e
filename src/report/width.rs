//! How wide the human report may be, and wrapping prose to that width.
//!
//! The width is `COLUMNS` when it is set to a number, else the terminal's
//! when the report goes to a terminal, else [`DEFAULT`] (a hook's stderr
//! read through a pipe, a CI log). Prose wraps at word boundaries; a word
//! longer than the width (a long path, a fingerprint) is kept whole, and
//! commands are never wrapped, so both stay whole for copying.

use std::ffi::OsStr;

/// The width when nothing says otherwise: an 80-column terminal.
pub const DEFAULT: usize = 80;
/// Narrower than this, nothing useful fits: `COLUMNS=10` is taken as this.
const MIN: usize = 40;
/// Wider than this, lines are hard to read; a huge `COLUMNS` is capped.
const MAX: usize = 200;

/// The width for a report: `COLUMNS` (the variable's value) when it is a
/// number, else `terminal` (the stream's width when it is a terminal),
/// else [`DEFAULT`]; kept within a readable range.
pub fn columns(columns_env: Option<&OsStr>, terminal: Option<usize>) -> usize {
    let from_env = columns_env
        .and_then(OsStr::to_str)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    from_env.or(terminal).unwrap_or(DEFAULT).clamp(MIN, MAX)
}

/// The width of the terminal `stream` is, if it is one.
pub(crate) fn terminal_width(stream: Stream) -> Option<usize> {
    let size = match stream {
        Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
        Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
    };
    size.map(|(w, _)| usize::from(w.0)).filter(|&w| w > 0)
}

/// Which stream a report is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

/// Characters of `text` as a terminal counts columns (one per character:
/// the report's own text is ASCII but for `…`, `×` and the frame).
pub(crate) fn len(text: &str) -> usize {
    text.chars().count()
}

/// `text` wrapped at word boundaries to `width` columns: the first line
/// starts with `first`, the following ones with `hang`. A word longer than
/// the room is kept whole on a line of its own.
pub(crate) fn wrap(text: &str, width: usize, first: &str, hang: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && len(&line) + 1 + len(word) > width {
            lines.push(std::mem::replace(&mut line, hang.to_owned()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

/// `parts` joined by `sep` on lines no wider than `width`: a part that does
/// not fit on the line goes to the next one, under `hang`, and the line it
/// leaves ends with the separator; a part too wide for any line is wrapped
/// at words. Each part stays whole where it can, so a phrase (`3
/// allowlisted paths not scanned`) is read, and found, in one piece.
pub(crate) fn wrap_parts(parts: &[String], sep: &str, width: usize, hang: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            line = part.clone();
        } else if len(&line) + len(sep) + len(part) <= width {
            line.push_str(sep);
            line.push_str(part);
        } else {
            line.push_str(sep.trim_end());
            lines.push(std::mem::replace(&mut line, format!("{hang}{part}")));
        }
        if len(&line) > width && line.trim().contains(' ') {
            let lead = if lines.is_empty() && i == 0 { "" } else { hang };
            let text = line.trim_start().to_owned();
            let mut wrapped = wrap(&text, width, lead, hang);
            line = wrapped.pop().unwrap_or_default();
            lines.extend(wrapped);
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT, columns, wrap, wrap_parts};
    use std::ffi::OsStr;

    #[test]
    fn columns_come_from_the_variable_then_the_terminal() {
        assert_eq!(columns(None, None), DEFAULT);
        assert_eq!(columns(None, Some(120)), 120);
        assert_eq!(columns(Some(OsStr::new("100")), Some(120)), 100);
        assert_eq!(columns(Some(OsStr::new("wide")), None), DEFAULT);
        assert_eq!(columns(Some(OsStr::new("0")), Some(90)), 90);
        assert_eq!(columns(Some(OsStr::new("5")), None), 40);
        assert_eq!(columns(Some(OsStr::new("100000")), None), 200);
    }

    #[test]
    fn prose_wraps_at_words_under_a_hanging_indent() {
        let lines = wrap("one two three four five", 14, "  1. ", "     ");
        assert_eq!(lines, ["  1. one two", "     three", "     four five"]);
        for line in &lines {
            assert!(line.len() <= 14);
        }
    }

    #[test]
    fn parts_stay_whole_and_the_separator_ends_the_line() {
        let parts: Vec<String> = ["1 finding in 1 file", "3 blobs", "2 paths not scanned"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            wrap_parts(&parts, " · ", 40, "  "),
            ["1 finding in 1 file · 3 blobs ·", "  2 paths not scanned"]
        );
        assert_eq!(
            wrap_parts(&parts, " · ", 80, "  "),
            ["1 finding in 1 file · 3 blobs · 2 paths not scanned"]
        );
        let long = vec!["word ".repeat(12).trim_end().to_owned()];
        for line in wrap_parts(&long, "; ", 20, "  ") {
            assert!(line.len() <= 20, "{line:?}");
        }
    }

    #[test]
    fn a_long_word_stays_whole() {
        let word = "x".repeat(30);
        let lines = wrap(&format!("see {word} now"), 20, "", "  ");
        assert_eq!(
            lines,
            ["see".to_owned(), format!("  {word}"), "  now".to_owned()]
        );
        assert_eq!(wrap("", 20, "> ", ""), ["> "]);
    }
}
