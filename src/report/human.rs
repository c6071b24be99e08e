//! The human report: one miette diagnostic per finding (the line as a source
//! snippet, the secret redacted and underlined, every other secret of the
//! line redacted too), then the rotation guidance once per kind present,
//! then a one-line summary. Paths and authors are shown with any secret in
//! them redacted; a path that is not UTF-8 is quoted as git quotes it.
//!
//! Every line fits the report's width ([`ReportOptions::width`]) but for a
//! word or a command longer than the room, which stays whole for copying.
//!
//! A laptop hook's report ([`Surface::Hook`]) is the short one, since it
//! interrupts a commit: a headline saying what was blocked and why, the
//! findings, the first steps with the rotation steps one command away
//! (`intercom-guard explain KIND`), one line on false positives, and the
//! place of every finding last, where the eye lands. One finding fits an
//! 80x24 terminal. The other reports print the rotation steps in full.

use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::guidance::{self, Detail, FALSE_POSITIVE, guidance};
use super::redact::{display, hide_line, sanitize, shown_secret};
use super::text::{
    by_kind, commit_count, cut_around, display_path, find, hidden_ranges, location, plural,
    policy_notes, public_names, short_commit, size, summary_parts,
};
use super::verification;
use super::width::{len, wrap, wrap_parts};
use super::{ReportOptions, Surface};
use crate::finding::{Exposure, Finding, Kind, Stats};

/// Columns miette's frame takes before a snippet's text for a line number
/// of `digits` digits: ` 12 │ `.
const fn gutter(digits: usize) -> usize {
    digits + 4
}

pub(crate) fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    if findings.is_empty() {
        // A laptop hook that finds nothing lets the commit through in
        // silence, unless asked or unless the policy let something through
        // (that is never hidden without a trace).
        let silent =
            opts.surface == Surface::Hook && !opts.verbose && policy_notes(stats).is_empty();
        if !opts.quiet && !silent {
            for line in wrap_parts(&nothing_found(stats), "; ", opts.width, "  ") {
                writeln!(out, "{line}")?;
            }
        }
        return out.flush();
    }
    let hook = opts.surface == Surface::Hook;
    let width = opts.width;
    if hook {
        for line in wrap(&headline(findings, opts.exposure), width, "", "") {
            writeln!(out, "{}", bold(&line, opts.color))?;
        }
        writeln!(out)?;
    }

    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // The texts are wrapped here, at words, so miette does not wrap them
    // again (it would split words at hyphens).
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_wrap_lines(false)
        .with_links(false);
    for finding in findings {
        let diagnostic = FindingDiagnostic::new(finding, opts.show_secrets, hook, width);
        let mut text = String::new();
        handler
            .render_report(&mut text, &diagnostic)
            .map_err(|_| io::Error::other("could not render a finding"))?;
        out.write_all(text.as_bytes())?;
        writeln!(out)?;
    }

    if let Some(block) = verification::guidance(findings, opts.exposure) {
        let mut lines = block.lines(width).into_iter();
        if let Some(heading) = lines.next() {
            writeln!(out, "{}", bold(&heading, opts.color))?;
        }
        for line in lines {
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
    }
    let detail = if hook { Detail::Short } else { Detail::Full };
    let public = public_names(findings)
        .map(|(at, names)| guidance::public_env(&names, opts.exposure, &at, detail));
    let blocks = by_kind(findings)
        .into_iter()
        .map(|(kind, at)| guidance(kind, opts.exposure, &at, detail));
    for block in public.into_iter().chain(blocks) {
        let mut lines = block.lines(width).into_iter();
        if let Some(heading) = lines.next() {
            writeln!(out, "{}", bold(&heading, opts.color))?;
        }
        for line in lines {
            writeln!(out, "{line}")?;
        }
        if !hook {
            writeln!(out)?;
        }
    }
    for line in wrap(FALSE_POSITIVE, width, "", "  ") {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;

    for line in wrap_parts(&summary_parts(findings, stats), " · ", width, "  ") {
        writeln!(out, "{line}")?;
    }
    if hook {
        for finding in findings {
            writeln!(out, "  {}", location(finding))?;
        }
    }
    out.flush()
}

/// "Nothing found", and what the policy let through, as the parts of one
/// line (joined by `; `).
fn nothing_found(stats: &Stats) -> Vec<String> {
    let mut parts = vec![format!(
        "no Intercom secrets found ({}, {})",
        plural(stats.blobs, "blob"),
        size(stats.bytes)
    )];
    parts.extend(policy_notes(stats));
    parts
}

/// The hook report's first line: what was blocked, and why.
fn headline(findings: &[Finding], exposure: Exposure) -> String {
    let first = findings[0].kind;
    let n = findings.len() as u64;
    let what = if findings.iter().all(|f| f.kind == first) {
        plural(n, first.describe())
    } else {
        plural(n, "Intercom secret")
    };
    match exposure {
        Exposure::Committed | Exposure::Published => {
            let commits = commit_count(findings);
            let place = if commits == 0 {
                "the commits to push".to_owned()
            } else {
                format!("{} to push", plural(commits as u64, "commit"))
            };
            format!("intercom-guard blocked this push: {what} in {place}")
        }
        Exposure::Staged | Exposure::OnDisk => {
            let verb = if n == 1 { "is" } else { "are" };
            format!("intercom-guard blocked this commit: {what} {verb} staged")
        }
    }
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
    /// The rule id as miette's header line; none in the hook's short report.
    rule_id: Option<&'static str>,
    message: String,
    help: String,
    snippet: Option<Snippet>,
}

impl FindingDiagnostic {
    /// `short`: the hook's report (no rule header; the place is in the
    /// snippet's frame). Texts are wrapped to `width`.
    fn new(finding: &Finding, show_secrets: bool, short: bool, width: usize) -> FindingDiagnostic {
        let path = display_path(&finding.path);
        let name = crate::catalog::reports_a_name(finding.rule_id);
        let shown = shown_secret(finding.rule_id, &finding.secret, show_secrets);
        let mut message = if name {
            format!(
                "{} shipped to the browser: {shown} ({} confidence)",
                finding.kind.describe(),
                finding.confidence.as_str(),
            )
        } else {
            format!(
                "{} ({} confidence)",
                finding.kind.describe(),
                finding.confidence.as_str(),
            )
        };
        let snippet = match (&finding.line_text, finding.line) {
            (Some(text), Some(line)) => {
                let column = finding.column.unwrap_or(1);
                let label = if name {
                    "a public variable's name".to_owned()
                } else {
                    label(finding.kind, show_secrets)
                };
                let digits = line.to_string().len();
                let room = width.saturating_sub(gutter(digits));
                Snippet::new(
                    text,
                    finding.line_offset,
                    &finding.secret,
                    &finding.mask,
                    (show_secrets, name),
                    room,
                    SnippetAt {
                        name: path.clone(),
                        line,
                        column,
                        label,
                    },
                )
            }
            _ => None,
        };
        match (&snippet, finding.line, finding.column) {
            (Some(_), Some(line), column) if !short => {
                message.push_str(&format!(" at {path}:{line}:{}", column.unwrap_or(1)));
            }
            (Some(_), _, _) => {}
            (None, Some(line), Some(column)) => {
                message.push_str(&format!(" at {path}:{line}:{column}"))
            }
            (None, Some(line), None) => message.push_str(&format!(" at {path}:{line}")),
            (None, None, _) => message.push_str(&format!(" in binary file {path}")),
        }
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
        if let Some(v) = &finding.verification {
            message.push('\n');
            message.push_str(&verification::status_line(v));
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
            rule_id: (!short).then_some(finding.rule_id),
            // After miette's `  × ` and `  help: `.
            message: rewrap(&message, width.saturating_sub(4)),
            help: rewrap(&help, width.saturating_sub(8)),
            snippet,
        }
    }
}

/// Each line of `text` wrapped at words to `width`.
fn rewrap(text: &str, width: usize) -> String {
    text.lines()
        .flat_map(|line| wrap(line, width, "", ""))
        .collect::<Vec<_>>()
        .join("\n")
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
        self.rule_id
            .map(|id| Box::new(id) as Box<dyn fmt::Display + 'a>)
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
        (show_secrets, name): (bool, bool),
        room: usize,
        at: SnippetAt,
    ) -> Option<Snippet> {
        let primary = primary_offset(line, offset, secret)?;
        // Every secret of the line is hidden, and every copy of this one:
        // the snippet must not leak what the label hides. A variable's name
        // is shown.
        let own = if name { &[][..] } else { secret };
        let hidden = hide_line(
            line,
            &hidden_ranges(line, own, mask),
            Some(primary..primary + secret.len()),
            show_secrets,
            name,
        );
        let (text, start, end) = fit(
            hidden.text,
            hidden.primary.start..hidden.primary.end,
            room,
            len(&at.label),
        );
        Some(Snippet {
            text,
            start,
            len: end - start,
            at,
        })
    }
}

/// Columns a terminal gives `text` in miette's snippet (a tab is 4).
fn columns(text: &str) -> usize {
    text.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

/// The shown line cut to fit `room` columns around `secret` (a byte range
/// of `text`), the label (`label` columns, drawn from the middle of the
/// secret's underline) included; the moved range comes back with it.
fn fit(text: String, secret: Range<usize>, room: usize, label: usize) -> (String, usize, usize) {
    let (start, end) = (secret.start, secret.end);
    let pre = columns(&text[..start]);
    let sec = columns(&text[start..end]);
    let post = columns(&text[end..]);
    // miette draws `╰── label` from the middle of the underline.
    let pointer = sec / 2 + 4 + label;
    if pre + sec + post <= room && pre + pointer <= room {
        return (text, start, end);
    }
    // One column for each `…`.
    let left = pre
        .min(room.saturating_sub(pointer + 1))
        .min(room.saturating_sub(sec + 2) / 2);
    let used = usize::from(left < pre) + left + sec;
    let right = if post <= room.saturating_sub(used) {
        post
    } else {
        room.saturating_sub(used + 1)
    };
    cut_around(text, start, end, left, right)
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
    use super::{Snippet, SnippetAt, fit, size};

    /// Room for a snippet's text in an 80-column report.
    const ROOM: usize = 75;

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
        let snippet = Snippet::new(&line, 2, SECRET, &[], (false, false), ROOM, at()).unwrap();
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
        let snippet =
            Snippet::new(&line, offset, SECRET, &mask, (false, false), ROOM, at()).unwrap();
        assert_eq!(snippet.text, "A=dG9rOj…OjA= B=dG9rOj…OjA=");
        assert_eq!(snippet.start, 18);
        let shown = Snippet::new(&line, offset, SECRET, &mask, (true, false), ROOM, at()).unwrap();
        assert!(shown.text.contains(std::str::from_utf8(SECRET).unwrap()));
    }

    #[test]
    fn wrong_offset_falls_back_to_the_secret_on_the_line() {
        let line = [b"TOKEN = ".as_slice(), SECRET].concat();
        let snippet = Snippet::new(&line, 3, SECRET, &[], (false, false), ROOM, at()).unwrap();
        assert_eq!(snippet.start, 8);
        assert!(
            Snippet::new(b"nothing here", 0, SECRET, &[], (false, false), ROOM, at()).is_none()
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_secret() {
        let line = [
            "x".repeat(5000).as_bytes(),
            SECRET,
            "y".repeat(5000).as_bytes(),
        ]
        .concat();
        let snippet = Snippet::new(&line, 5000, SECRET, &[], (false, false), ROOM, at()).unwrap();
        assert!(snippet.text.chars().count() <= ROOM);
        assert!(snippet.text.starts_with('…') && snippet.text.ends_with('…'));
        assert_eq!(
            &snippet.text[snippet.start..snippet.start + snippet.len],
            "dG9rOj…OjA="
        );
    }

    #[test]
    fn short_lines_are_kept_and_the_label_fits() {
        let (text, start, end) = fit("abc".to_owned(), 1..2, ROOM, 20);
        assert_eq!((text.as_str(), start, end), ("abc", 1, 2));
        // A secret at the end of a line that fits: the label would not.
        let line = format!("{}{}", "x".repeat(70), "dG9rOj…OjA=");
        let start = 70;
        let end = line.len();
        let (text, s, e) = fit(line, start..end, ROOM, 23);
        assert!(text.starts_with('…'), "{text}");
        assert_eq!(&text[s..e], "dG9rOj…OjA=");
        let before = text[..s].chars().count();
        assert!(before + 11 / 2 + 4 + 23 <= ROOM, "{text}");
    }

    #[test]
    fn sizes_are_readable() {
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(48211), "47.1 KiB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MiB");
    }
}
