//! What a diagnostic may quote of a file: the lines around the error, each
//! cut to a window when long, every secret and every long random-looking
//! value redacted ([`crate::redact::scrub_quote`]'s rules), control
//! characters replaced. The configuration and the baseline hand miette an
//! [`Excerpt`], never the file: a token pasted in the wrong place is not
//! echoed, and a 100 kB line neither floods the terminal nor reaches the
//! column where miette's renderer panics (65,535).
//!
//! Line numbers and the column of the error stay those of the file.

use std::ops::Range;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::detect::mask;
use crate::redact::{ELLIPSIS, redact, sanitize};

/// Lines shown before and after the error's line (miette asks for one).
const CONTEXT: usize = 2;
/// Characters of the error's line kept on each side of the error, and of
/// the error itself.
const AROUND: usize = 60;
/// A context line longer than this (in characters) is cut.
const MAX_CONTEXT: usize = 2 * AROUND;

/// A quote of a file for a diagnostic (see the module docs).
#[derive(Debug, Clone)]
pub struct Excerpt {
    name: String,
    text: String,
    /// 0-based line of the file where `text` starts.
    first_line: usize,
    /// The error's offset in `text` and its 0-based column in the file.
    primary: Option<(usize, usize)>,
}

impl Excerpt {
    /// The quote of `source` (named `name`) around `span`, a byte range of
    /// `source`, and that range moved into the quote. Without a span there
    /// is nothing to point at, and nothing is quoted.
    pub fn new(
        name: &str,
        source: &str,
        span: Option<Range<usize>>,
    ) -> (Excerpt, Option<SourceSpan>) {
        let name = crate::redact::scrub(name);
        let Some(span) = span else {
            let empty = Excerpt {
                name,
                text: String::new(),
                first_line: 0,
                primary: None,
            };
            return (empty, None);
        };
        let start = floor(source, span.start.min(source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let end = ceil(source, span.end.clamp(start, line_end(source, start)));
        let line_no = source[..line_start].matches('\n').count();
        let column = source[line_start..start].chars().count();

        // The lines to quote, as byte ranges of `source` (without line
        // endings), each cut to what is shown.
        let mut first = line_start;
        let mut first_line = line_no;
        while first_line > 0 && line_no - first_line < CONTEXT {
            first = source[..first - 1].rfind('\n').map_or(0, |i| i + 1);
            first_line -= 1;
        }
        let masks = merged(mask::secrets_and_opaque(source.as_bytes()));
        let mut quote = Quote::new(source, &masks);
        let mut at = first;
        let mut moved = 0..0;
        for n in first_line..=line_no + CONTEXT {
            if at > source.len() || (n > line_no && at == source.len()) {
                break;
            }
            let end_of_line = line_end(source, at);
            if n == line_no {
                moved = quote.error_line(at..end_of_line, start..end);
            } else {
                quote.context_line(at..end_of_line);
            }
            at = end_of_line + 1;
            if at <= source.len() {
                quote.text.push('\n');
            }
        }
        let excerpt = Excerpt {
            name,
            text: quote.text,
            first_line,
            primary: Some((moved.start, column)),
        };
        (
            excerpt,
            Some(SourceSpan::new(moved.start.into(), moved.len())),
        )
    }

    /// The quoted text (for tests and plain renderings).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The quote being built: pieces of the source, with the masked ranges
/// redacted and control characters replaced. No cut falls inside a masked
/// range (it is redacted whole, and short once redacted).
struct Quote<'a> {
    source: &'a str,
    /// Disjoint, ordered.
    masks: &'a [Range<usize>],
    text: String,
}

impl<'a> Quote<'a> {
    fn new(source: &'a str, masks: &'a [Range<usize>]) -> Quote<'a> {
        Quote {
            source,
            masks,
            text: String::new(),
        }
    }

    /// A line that is not the error's: its first [`MAX_CONTEXT`]
    /// characters.
    fn context_line(&mut self, line: Range<usize>) {
        let line = trim_cr(self.source, line);
        let cut = self
            .after(advance(self.source, line.start, MAX_CONTEXT))
            .min(line.end);
        self.piece(line.start..cut);
        if cut < line.end {
            self.text.push(ELLIPSIS);
        }
    }

    /// The error's line, cut to [`AROUND`] characters on each side of the
    /// error (and of the error itself); returns where the error landed.
    fn error_line(&mut self, line: Range<usize>, error: Range<usize>) -> Range<usize> {
        let line = trim_cr(self.source, line);
        let start = self.before(error.start.min(line.end)).max(line.start);
        let error = start..self.after(error.end).clamp(start, line.end);
        let from = self
            .before(back(self.source, error.start, AROUND))
            .max(line.start);
        let shown_end = self
            .after(advance(self.source, error.start, AROUND))
            .min(error.end);
        let to = self
            .after(advance(self.source, shown_end, AROUND))
            .min(line.end);
        if from > line.start {
            self.text.push(ELLIPSIS);
        }
        self.piece(from..error.start);
        let start = self.text.len();
        self.piece(error.start..shown_end);
        let mut end = self.text.len();
        if shown_end < error.end {
            self.text.push(ELLIPSIS);
            end = self.text.len();
        }
        self.piece(shown_end..to);
        if to < line.end {
            self.text.push(ELLIPSIS);
        }
        // miette needs a character to point at: an error at the end of a
        // line points at its end.
        start..end
    }

    /// `at`, or the start of the masked range it falls inside.
    fn before(&self, at: usize) -> usize {
        self.inside(at).map_or(at, |m| m.start)
    }

    /// `at`, or the end of the masked range it falls inside.
    fn after(&self, at: usize) -> usize {
        self.inside(at).map_or(at, |m| m.end)
    }

    fn inside(&self, at: usize) -> Option<&Range<usize>> {
        let i = self.masks.partition_point(|m| m.end <= at);
        self.masks.get(i).filter(|m| m.start < at)
    }

    /// `range` of the source, masked parts redacted, printable.
    fn piece(&mut self, range: Range<usize>) {
        let mut at = range.start;
        let first = self.masks.partition_point(|m| m.end <= range.start);
        for mask in &self.masks[first..] {
            if mask.start >= range.end {
                break;
            }
            let (from, to) = (mask.start.max(at), mask.end.min(range.end));
            if from >= to {
                continue;
            }
            let (from, to) = (floor(self.source, from), ceil(self.source, to));
            self.text.push_str(&sanitize(&self.source[at..from]));
            self.text
                .push_str(&redact(&self.source.as_bytes()[from..to]));
            at = to;
        }
        if at < range.end {
            self.text.push_str(&sanitize(&self.source[at..range.end]));
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // The error's column is the file's, whatever was cut before it.
        let column = match self.primary {
            Some((offset, column)) if span.offset() == offset => column,
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// `ranges` sorted and merged where they overlap.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The offset of the end of the line holding `at` (its `\n`, or the end).
fn line_end(source: &str, at: usize) -> usize {
    source[at..].find('\n').map_or(source.len(), |i| at + i)
}

fn trim_cr(source: &str, line: Range<usize>) -> Range<usize> {
    if line.end > line.start && source.as_bytes()[line.end - 1] == b'\r' {
        line.start..line.end - 1
    } else {
        line
    }
}

/// `n` characters after `at` (or the end).
fn advance(source: &str, at: usize, n: usize) -> usize {
    source[at..]
        .char_indices()
        .nth(n)
        .map_or(source.len(), |(i, _)| at + i)
}

/// `n` characters before `at` (or the start).
fn back(source: &str, at: usize, n: usize) -> usize {
    source[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn floor(source: &str, mut at: usize) -> usize {
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil(source: &str, mut at: usize) -> usize {
    while !source.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "dG9rOjhmMTRlNDVmX2NlZWFfNDY3Zl9hMGU2X2IxYzZiNWUzYTJkOToxOjA=";

    fn quote(source: &str, span: Range<usize>) -> (Excerpt, SourceSpan) {
        let (excerpt, span) = Excerpt::new("c.yaml", source, Some(span));
        (excerpt, span.expect("a span"))
    }

    fn pointed(excerpt: &Excerpt, span: SourceSpan) -> &str {
        &excerpt.text()[span.offset()..span.offset() + span.len()]
    }

    #[test]
    fn quotes_the_lines_around_with_their_numbers() {
        let source = "a: 1\nb: 2\nc: 3\nd: oops\ne: 5\nf: 6\ng: 7\n";
        let at = source.find("oops").unwrap();
        let (excerpt, span) = quote(source, at..at + 4);
        assert_eq!(excerpt.text(), "b: 2\nc: 3\nd: oops\ne: 5\nf: 6\n");
        assert_eq!(pointed(&excerpt, span), "oops");
        let contents = excerpt.read_span(&span, 0, 0).unwrap();
        assert_eq!((contents.line(), contents.column()), (3, 3));
        assert_eq!(contents.name(), Some("c.yaml"));
    }

    #[test]
    fn secrets_and_random_values_are_redacted_and_the_span_follows() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
        let source = format!("allow:\n  fingerprints: [{TOKEN}, {hex}]\n");
        let at = source.find(TOKEN).unwrap();
        let (excerpt, span) = quote(&source, at..at + TOKEN.len());
        assert!(!excerpt.text().contains(TOKEN), "{}", excerpt.text());
        assert!(!excerpt.text().contains(hex), "{}", excerpt.text());
        assert_eq!(pointed(&excerpt, span), "dG9rOj…OjA=");
        assert!(excerpt.text().contains("[dG9rOj…OjA=, 9f86d0…4f1b]"));
        // An error inside a secret points at all of it, redacted once.
        let (excerpt, span) = quote(&source, at + 10..at + 12);
        assert_eq!(pointed(&excerpt, span), "dG9rOj…OjA=");
        // A cut never halves a secret.
        let long = format!("x: {} {TOKEN} {TOKEN}\n", "y".repeat(40));
        let (excerpt, _) = quote(&long, 3..4);
        assert!(
            !excerpt
                .text()
                .contains(ELLIPSIS.to_string().repeat(2).as_str())
        );
        assert!(
            excerpt.text().trim_end().ends_with("dG9rOj…OjA=…"),
            "{}",
            excerpt.text()
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_error_and_keep_its_column() {
        let source = format!("allow: '{}' x\n", "a".repeat(100_000));
        let at = source.len() - 2;
        let (excerpt, span) = quote(&source, at..at + 1);
        assert!(
            excerpt.text().chars().count() < 3 * AROUND,
            "{}",
            excerpt.text()
        );
        assert!(excerpt.text().starts_with(ELLIPSIS));
        assert_eq!(pointed(&excerpt, span), "x");
        let contents = excerpt.read_span(&span, 0, 0).unwrap();
        assert_eq!(contents.column(), at);
        // A huge span is cut too.
        let (excerpt, span) = quote(&source, 7..source.len() - 1);
        assert!(span.len() < 2 * AROUND, "{}", excerpt.text());
        assert!(pointed(&excerpt, span).ends_with(ELLIPSIS));
    }

    #[test]
    fn odd_spans_stay_inside() {
        let source = "é\r\nb: \x1b[31m\n";
        for span in [0..0, 1..1, 2..50, 4..9, 100..200] {
            let (excerpt, span) = quote(source, span);
            assert!(span.offset() + span.len() <= excerpt.text().len());
            assert!(!excerpt.text().contains('\x1b') && !excerpt.text().contains('\r'));
        }
        let (excerpt, span) = Excerpt::new("x", "", None);
        assert!(span.is_none() && excerpt.text().is_empty());
    }
}
