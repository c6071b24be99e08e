//! The plain report for a server hook (`pre-receive`): git relays every
//! line the hook prints to the pusher behind `remote: `, so this report has
//! no colour, no box drawing and no line wider than about 100 characters.
//! Each finding names the commit (short and full id), author and date, the
//! path, line and column, and shows the line with every secret on it
//! redacted (paths and authors too).
//! The rotation guidance follows, once per kind, then a summary line and a
//! closing line saying the push was refused.

use std::io::{self, Write};

use super::ReportOptions;
use super::guidance::{self, Detail, guidance};
use super::redact::{display, hide_line, sanitize, scrub, shown_secret};
use super::text::{
    by_kind, commit_count, display_path, find, hidden_ranges, plural, public_names,
    short_commit as short, summary, window,
};
use super::verification;
use crate::finding::{Finding, Stats};

/// A diagnostic as plain lines for git's `remote:` prefix: message, code,
/// causes, help; no box drawing, control characters escaped, secrets
/// redacted.
pub fn error_lines(err: &(dyn miette::Diagnostic + 'static)) -> String {
    let mut text = format!("intercom-guard: error: {err}");
    if let Some(code) = err.code() {
        text.push_str(&format!(" [{code}]"));
    }
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    if let Some(help) = err.help() {
        for (i, line) in help.to_string().lines().enumerate() {
            let lead = if i == 0 { "  help: " } else { "        " };
            text.push_str(&format!("\n{lead}{line}"));
        }
    }
    scrub(&text)
        .lines()
        .map(sanitize)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Columns the guidance is wrapped to: with git's `remote: ` in front, a
/// line stays within 100 columns.
const WIDTH: usize = 92;
/// A shown line longer than this (characters) is cut around the secret.
const MAX_LINE: usize = 80;
/// Characters kept on each side of the secret in a cut line.
const WINDOW: usize = 28;

/// Write the plain report. `findings` empty: one "nothing found" line
/// (none with `quiet`).
pub fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    if findings.is_empty() {
        if !opts.quiet {
            writeln!(
                out,
                "intercom-guard: no Intercom secrets in the pushed commits ({} scanned)",
                plural(stats.blobs, "blob")
            )?;
        }
        return out.flush();
    }

    let commits = commit_count(findings);
    writeln!(out, "{}", rule())?;
    writeln!(
        out,
        "intercom-guard: PUSH REJECTED: {} in {}",
        plural(findings.len() as u64, "Intercom secret"),
        if commits == 0 {
            "the pushed objects".to_owned()
        } else {
            plural(commits as u64, "commit")
        }
    )?;
    writeln!(out, "{}", rule())?;
    writeln!(out)?;

    for (n, finding) in findings.iter().enumerate() {
        write_finding(out, n + 1, finding, opts.show_secrets)?;
        writeln!(out)?;
    }

    if let Some(block) = verification::guidance(findings, opts.exposure) {
        out.write_all(block.text(WIDTH).as_bytes())?;
        writeln!(out)?;
    }
    let public = public_names(findings)
        .map(|(at, names)| guidance::public_env(&names, opts.exposure, &at, Detail::Full));
    let blocks = by_kind(findings)
        .into_iter()
        .map(|(kind, at)| guidance(kind, opts.exposure, &at, Detail::Full));
    for block in public.into_iter().chain(blocks) {
        out.write_all(block.text(WIDTH).as_bytes())?;
        writeln!(out)?;
    }

    let summary = summary(findings, stats);
    writeln!(out, "{summary}")?;
    writeln!(
        out,
        "intercom-guard: the push was refused and nothing was updated. Rewrite the commits above"
    )?;
    writeln!(
        out,
        "without the secret (amend or rebase), rotate it, then push again."
    )?;
    out.flush()
}

fn rule() -> String {
    "-".repeat(72)
}

fn write_finding(
    out: &mut dyn Write,
    n: usize,
    finding: &Finding,
    show_secrets: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "[{n}] {} ({} confidence)  rule {}",
        finding.kind.describe(),
        finding.confidence.as_str(),
        finding.rule_id
    )?;
    if let Some(commit) = &finding.commit {
        writeln!(
            out,
            "    commit  {}  ({})",
            short(&commit.id),
            sanitize(&commit.id)
        )?;
        let mut author = display(commit.author.as_bytes());
        if !commit.date.is_empty() {
            author.push_str(&format!(", {}", sanitize(&commit.date)));
        }
        writeln!(out, "    author  {author}")?;
    }
    let path = display_path(&finding.path);
    match (finding.line, finding.column) {
        (Some(line), Some(column)) => {
            writeln!(out, "    file    {path}  line {line}, column {column}")?
        }
        (Some(line), None) => writeln!(out, "    file    {path}  line {line}")?,
        _ => writeln!(out, "    file    {path}  (binary)")?,
    }
    let shown_secret = shown_secret(finding.rule_id, &finding.secret, show_secrets);
    match &finding.line_text {
        Some(text) => writeln!(
            out,
            "    line    {}",
            shown_line(finding, text, show_secrets)
        )?,
        None => writeln!(out, "    value   {shown_secret}")?,
    }
    writeln!(out, "    fingerprint {}", finding.fingerprint)?;
    if let Some(v) = &finding.verification {
        writeln!(out, "    verify  {}", verification::status_line(v))?;
    }
    Ok(())
}

/// The line with every secret of it (its mask, every copy of this one)
/// redacted, or revealed with `show_secrets`, printable, cut around the
/// secret when long.
fn shown_line(finding: &Finding, line: &[u8], show_secrets: bool) -> String {
    let secret = &finding.secret;
    let primary = (!secret.is_empty()).then(|| {
        let offset = finding.line_offset;
        let here = line.get(offset..offset + secret.len()) == Some(secret.as_slice());
        let at = if here {
            Some(offset)
        } else {
            find(line, secret)
        };
        at.map(|at| at..at + secret.len())
    });
    let name = crate::catalog::reports_a_name(finding.rule_id);
    let own = if name { &[][..] } else { secret.as_slice() };
    let hidden = hide_line(
        line,
        &hidden_ranges(line, own, &finding.mask),
        primary.flatten(),
        show_secrets,
        name,
    );
    cut(hidden.text, hidden.primary.start, hidden.primary.end)
}

/// Keep [`WINDOW`] characters on each side of `start..end` when the text is
/// longer than [`MAX_LINE`] characters.
fn cut(text: String, start: usize, end: usize) -> String {
    let text = text.trim_end().to_owned();
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    window(text, start, end, MAX_LINE, WINDOW).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{CommitMeta, Confidence, Exposure, Kind};
    use crate::report::Format;

    const SECRET: &[u8] = b"dG9rOjEyMzQ1Njc4XzkwYWJfY2RlZl8xMjM0XzU2Nzg5MGFiY2RlZjoxOjA=";

    fn finding(line: &[u8], offset: usize) -> Finding {
        Finding {
            rule_id: "intercom-access-token",
            kind: Kind::AccessToken,
            confidence: Confidence::High,
            path: b"src/app.js".to_vec(),
            line: Some(3),
            column: Some(offset as u32 + 1),
            commit: Some(CommitMeta {
                id: "0123456789abcdef0123456789abcdef01234567".into(),
                author: "Ann <ann@example.com>".into(),
                date: "2024-01-02T03:04:05+00:00".into(),
                ..CommitMeta::default()
            }),
            fingerprint: "f".repeat(64),
            secret: SECRET.to_vec(),
            line_text: Some(line.to_vec()),
            line_offset: offset,
            mask: Vec::new(),
            still_present: None,
            source: crate::finding::SourceKind::File,
            verification: None,
        }
    }

    fn render(findings: &[Finding]) -> String {
        let mut out = Vec::new();
        let opts = ReportOptions {
            format: Format::Human,
            show_secrets: false,
            color: false,
            quiet: false,
            verbose: false,
            exposure: Exposure::Committed,
            surface: crate::report::Surface::Server,
            width: 80,
        };
        write(&mut out, findings, &Stats::default(), &opts).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_commit_author_path_line_and_redacts_every_copy() {
        let line = [b"A=".as_slice(), SECRET, b" B=", SECRET].concat();
        let text = render(&[finding(&line, 2)]);
        assert!(!text.contains(std::str::from_utf8(SECRET).unwrap()));
        assert!(text.contains("commit  0123456789ab  (0123456789abcdef0123456789abcdef01234567)"));
        assert!(text.contains("author  Ann <ann@example.com>, 2024-01-02T03:04:05+00:00"));
        assert!(text.contains("file    src/app.js  line 3, column 3"));
        assert!(text.contains("line    A=dG9rOj…OjA= B=dG9rOj…OjA="));
        assert!(text.contains("PUSH REJECTED: 1 Intercom secret in 1 commit"));
    }

    #[test]
    fn no_escape_codes_no_box_drawing_and_narrow_lines() {
        let long = [
            "x".repeat(500).as_bytes(),
            SECRET,
            "\x1b[31m".as_bytes(),
            "y".repeat(500).as_bytes(),
        ]
        .concat();
        let text = render(&[finding(&long, 500)]);
        assert!(!text.contains('\x1b'));
        for c in ['│', '╭', '─', '×'] {
            assert!(!text.contains(c), "box drawing {c:?} in {text}");
        }
        for line in text.lines() {
            assert!(line.chars().count() <= 104, "too wide: {line}");
        }
        assert!(text.contains("dG9rOj…OjA="));
    }
}
