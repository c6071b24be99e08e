//! The human report: one miette diagnostic per finding (the line as a source
//! snippet, the secret redacted and underlined, every other secret of the
//! line redacted too), then the rotation guidance once per kind present,
//! then a one-line summary. Paths and authors are shown with any secret in
//! them redacted.

use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::ReportOptions;
use super::guidance::guidance;
use super::redact::{display, hide, redact, reveal, sanitize};
use super::text::{
    by_kind, display_path, find, hidden_ranges, plural, policy_notes, short_commit, size, summary,
    window,
};
use crate::finding::{Finding, Kind, Stats};

/// Width of the diagnostics' frame. Text is not wrapped, so paths,
/// fingerprints and commands stay whole for copying.
const WIDTH: usize = 100;
/// A line longer than this (in characters) is cut to a window around the secret.
const MAX_LINE: usize = 120;
/// Characters kept on each side of the secret in a cut line.
const WINDOW: usize = 40;

pub(crate) fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    if findings.is_empty() {
        if !opts.quiet {
            writeln!(out, "{}", nothing_found(stats))?;
        }
        return out.flush();
    }

    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_wrap_lines(false)
        .with_links(false);
    for finding in findings {
        let diagnostic = FindingDiagnostic::new(finding, opts.show_secrets);
        let mut text = String::new();
        handler
            .render_report(&mut text, &diagnostic)
            .map_err(|_| io::Error::other("could not render a finding"))?;
        out.write_all(text.as_bytes())?;
        writeln!(out)?;
    }

    for (kind, at) in by_kind(findings) {
        let block = guidance(kind, opts.exposure, &at);
        let mut lines = block.lines();
        if let Some(heading) = lines.next() {
            writeln!(out, "{}", bold(heading, opts.color))?;
        }
        for line in lines {
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
    }

    writeln!(out, "{}", summary(findings, stats))?;
    out.flush()
}

fn nothing_found(stats: &Stats) -> String {
    let mut line = format!(
        "no Intercom secrets found ({}, {})",
        plural(stats.blobs, "blob"),
        size(stats.bytes)
    );
    for note in policy_notes(stats) {
        line.push_str(&format!("; {note}"));
    }
    line
}

fn bold(text: &str, color: bool) -> String {
    if color {
        format!("\u{1b}[1m{text}\u{1b}[0m")
    } else {
        text.to_owned()
    }
}

/// One finding as a miette diagnostic.
#[derive(Debug)]
struct FindingDiagnostic {
    rule_id: &'static str,
    message: String,
    help: String,
    snippet: Option<Snippet>,
}

impl FindingDiagnostic {
    fn new(finding: &Finding, show_secrets: bool) -> FindingDiagnostic {
        let path = display_path(&finding.path);
        let shown = if show_secrets {
            reveal(&finding.secret)
        } else {
            redact(&finding.secret)
        };
        let mut message = format!(
            "{} ({} confidence)",
            finding.kind.describe(),
            finding.confidence.as_str(),
        );
        let snippet = match (&finding.line_text, finding.line) {
            (Some(text), Some(line)) => {
                let column = finding.column.unwrap_or(1);
                message.push_str(&format!(" at {path}:{line}:{column}"));
                Snippet::new(
                    text,
                    finding.line_offset,
                    &finding.secret,
                    &finding.mask,
                    show_secrets,
                    SnippetAt {
                        name: path,
                        line,
                        column,
                        label: label(finding.kind, show_secrets),
                    },
                )
            }
            (_, line) => {
                match (line, finding.column) {
                    (Some(line), Some(column)) => {
                        message.push_str(&format!(" at {path}:{line}:{column}"))
                    }
                    (Some(line), None) => message.push_str(&format!(" at {path}:{line}")),
                    _ => message.push_str(&format!(" in binary file {path}")),
                }
                None
            }
        };
        if let Some(commit) = &finding.commit {
            message.push_str(&format!(
                "\ncommit {} by {}",
                short_commit(&commit.id),
                display(commit.author.as_bytes())
            ));
            if !commit.date.is_empty() {
                message.push_str(&format!(", {}", sanitize(&commit.date)));
            }
        }
        match finding.still_present {
            Some(true) => message.push_str("\nstill present at the tip of the default branch"),
            Some(false) => {
                message.push_str("\nno longer at the tip of the default branch, still in history")
            }
            None => {}
        }
        let help = if snippet.is_some() {
            format!("fingerprint {}", finding.fingerprint)
        } else if finding.line.is_none() {
            format!(
                "binary file, no snippet shown; value {shown}\nfingerprint {}",
                finding.fingerprint
            )
        } else {
            format!("value {shown}\nfingerprint {}", finding.fingerprint)
        };
        FindingDiagnostic {
            rule_id: finding.rule_id,
            message,
            help,
            snippet,
        }
    }
}

fn label(kind: Kind, show_secrets: bool) -> String {
    let noun = kind.as_str().replace('_', " ");
    if show_secrets {
        noun
    } else {
        format!("{noun} (redacted)")
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.rule_id))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.snippet.as_ref()?;
        let span = LabeledSpan::new_primary_with_span(
            Some(snippet.at.label.clone()),
            SourceSpan::new(snippet.start.into(), snippet.len),
        );
        Some(Box::new(std::iter::once(span)))
    }
}

/// Where a snippet sits in its file, for miette's `[path:line:column]`.
#[derive(Debug)]
struct SnippetAt {
    name: String,
    /// 1-based.
    line: u32,
    /// 1-based, of the secret in the original line.
    column: u32,
    label: String,
}

/// The printable line shown for a finding: its secret redacted (or
/// revealed), every other secret of the line and every copy of this one
/// redacted too, cut to a window when long.
#[derive(Debug)]
struct Snippet {
    text: String,
    /// Byte range of the shown secret in `text`.
    start: usize,
    len: usize,
    at: SnippetAt,
}

impl Snippet {
    /// `None` when the secret is not on the line (nothing to point at).
    fn new(
        line: &[u8],
        offset: usize,
        secret: &[u8],
        mask: &[Range<usize>],
        show_secrets: bool,
        at: SnippetAt,
    ) -> Option<Snippet> {
        let primary = primary_offset(line, offset, secret)?;
        // Every secret of the line is hidden, and every copy of this one:
        // the snippet must not leak what the label hides.
        let hidden = hide(
            line,
            &hidden_ranges(line, secret, mask),
            Some(primary..primary + secret.len()),
            show_secrets,
        );
        let (text, start, end) = window(
            hidden.text,
            hidden.primary.start,
            hidden.primary.end,
            MAX_LINE,
            WINDOW,
        );
        Some(Snippet {
            text,
            start,
            len: end - start,
            at,
        })
    }
}

/// The offset of the secret on the line: `offset` when the secret is there,
/// else its first occurrence.
fn primary_offset(line: &[u8], offset: usize, secret: &[u8]) -> Option<usize> {
    if secret.is_empty() {
        return None;
    }
    let at_offset = offset
        .checked_add(secret.len())
        .and_then(|end| line.get(offset..end))
        .is_some_and(|found| found == secret);
    if at_offset {
        Some(offset)
    } else {
        find(line, secret)
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if span.offset() + span.len() > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // The snippet is one line: every read gets all of it. The primary
        // label reports the secret's column in the original line.
        let column = if span.offset() == self.start {
            self.at.column.saturating_sub(1) as usize
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.at.name.clone(),
            self.text.as_bytes(),
            SourceSpan::new(0.into(), self.text.len()),
            self.at.line.saturating_sub(1) as usize,
            column,
            1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_LINE, Snippet, SnippetAt, WINDOW, size, window};

    fn at() -> SnippetAt {
        SnippetAt {
            name: "a.env".to_owned(),
            line: 1,
            column: 1,
            label: "x".to_owned(),
        }
    }

    const SECRET: &[u8] = b"dG9rOjEyMzQ1Njc4XzkwYWJfY2RlZl8xMjM0XzU2Nzg5MGFiY2RlZjoxOjA=";

    #[test]
    fn snippet_redacts_every_copy() {
        let line = [b"A=".as_slice(), SECRET, b" B=", SECRET].concat();
        let snippet = Snippet::new(&line, 2, SECRET, &[], false, at()).unwrap();
        assert_eq!(snippet.text, "A=dG9rOj…OjA= B=dG9rOj…OjA=");
        assert_eq!(
            &snippet.text[snippet.start..snippet.start + snippet.len],
            "dG9rOj…OjA="
        );
        assert_eq!(snippet.start, 2);
    }

    #[test]
    fn snippet_redacts_the_other_secrets_of_the_line() {
        let other = b"dG9rOjk4NzY1NDMyXzkwYWJfY2RlZl8xMjM0XzU2Nzg5MGFiY2RlZjoxOjA=";
        let line = [b"A=".as_slice(), other, b" B=", SECRET].concat();
        let mask = [
            2..2 + other.len(),
            5 + other.len()..5 + other.len() + SECRET.len(),
        ];
        let offset = 5 + other.len();
        let snippet = Snippet::new(&line, offset, SECRET, &mask, false, at()).unwrap();
        assert_eq!(snippet.text, "A=dG9rOj…OjA= B=dG9rOj…OjA=");
        assert_eq!(snippet.start, 18);
        let shown = Snippet::new(&line, offset, SECRET, &mask, true, at()).unwrap();
        assert!(shown.text.contains(std::str::from_utf8(SECRET).unwrap()));
    }

    #[test]
    fn wrong_offset_falls_back_to_the_secret_on_the_line() {
        let line = [b"TOKEN = ".as_slice(), SECRET].concat();
        let snippet = Snippet::new(&line, 3, SECRET, &[], false, at()).unwrap();
        assert_eq!(snippet.start, 8);
        assert!(Snippet::new(b"nothing here", 0, SECRET, &[], false, at()).is_none());
    }

    #[test]
    fn long_lines_are_cut_around_the_secret() {
        let line = [
            "x".repeat(5000).as_bytes(),
            SECRET,
            "y".repeat(5000).as_bytes(),
        ]
        .concat();
        let snippet = Snippet::new(&line, 5000, SECRET, &[], false, at()).unwrap();
        assert!(snippet.text.chars().count() <= MAX_LINE);
        assert!(snippet.text.starts_with('…') && snippet.text.ends_with('…'));
        assert_eq!(
            &snippet.text[snippet.start..snippet.start + snippet.len],
            "dG9rOj…OjA="
        );
    }

    #[test]
    fn window_keeps_short_lines() {
        let (text, start, end) = window("abc".to_owned(), 1, 2, MAX_LINE, WINDOW);
        assert_eq!((text.as_str(), start, end), ("abc", 1, 2));
    }

    #[test]
    fn sizes_are_readable() {
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(48211), "47.1 KiB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MiB");
    }
}
