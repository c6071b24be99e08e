//! A baseline: a JSON report (DESIGN.md "JSON report", as written by
//! `--format json` or `history --baseline-out FILE`) whose findings are
//! accepted. Only each finding's `fingerprint` is used, so moving a line or
//! a file does not break the baseline; everything else in the report is
//! ignored.

use std::path::{Path, PathBuf};

use miette::SourceSpan;
use serde::Deserialize;

use super::config::is_fingerprint;
use super::excerpt::Excerpt;
use crate::redact::{scrub, scrub_quote_about};

/// The report versions this reader understands.
const VERSION: u64 = 1;

/// The accepted fingerprints of one baseline file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub path: PathBuf,
    /// Lowercase sha256 hex, in file order, without duplicates.
    pub fingerprints: Vec<String>,
}

/// A baseline file that cannot be used. Exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("cannot read the baseline file {}", path.display())]
    #[diagnostic(
        code(intercom_guard::baseline::read),
        help(
            "write it with `intercom-guard history --baseline-out {}` (or `--format json > FILE`), or fix the path",
            path.display()
        )
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidBaseline>),
}

/// A baseline file that is not a JSON report, located. The message and the
/// quoted lines show no secret ([`Excerpt`]).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid baseline file {file}:{line}:{column}: {message}")]
#[diagnostic(
    code(intercom_guard::baseline::invalid),
    help(
        "a baseline is the JSON report of intercom-guard: {{\"version\": 1, \"findings\": [{{\"fingerprint\": \"<sha256 hex>\", ...}}], ...}}; \
         write it again with `intercom-guard history --baseline-out FILE`"
    )
)]
pub struct InvalidBaseline {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[source_code]
    src: Excerpt,
    #[label("here")]
    span: Option<SourceSpan>,
}

#[derive(Deserialize)]
struct Report {
    version: serde_json::Value,
    findings: Vec<ReportFinding>,
}

#[derive(Deserialize)]
struct ReportFinding {
    fingerprint: String,
}

impl Baseline {
    /// Read the baseline at `path`.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let bytes = std::fs::read(path).map_err(|source| BaselineError::Read {
            path: path.to_owned(),
            source,
        })?;
        Baseline::parse(path, &bytes)
    }

    /// Parse a baseline's bytes, naming it `path` in errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Baseline, BaselineError> {
        let name = scrub(&path.display().to_string());
        // The error at `line`:`column`, quoting `quoted` (the file's text)
        // around it, or nothing.
        let invalid = |quoted: Option<&str>, line: usize, column: usize, message: String| {
            let span = quoted
                .and_then(|text| line_col_offset(text, line, column))
                .map(|o| o..o + 1);
            let (src, span) = Excerpt::new(&name, quoted.unwrap_or_default(), span);
            BaselineError::Invalid(Box::new(InvalidBaseline {
                file: name.clone(),
                line,
                column,
                message: scrub_quote_about(&message, bytes),
                src,
                span,
            }))
        };
        // A report is UTF-8. A file that is not is refused before anything
        // of it is quoted: a quote would show its bytes as U+FFFD, which
        // the redaction (run on that text) no longer sees as the secret the
        // raw bytes held.
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
                let (line, column) = line_col_at(valid, valid.len());
                let message = "the file is not UTF-8 text".to_owned();
                return Err(invalid(None, line, column, message));
            }
        };
        let report: Report = serde_json::from_slice(bytes).map_err(|e| {
            let message = strip_position(&e.to_string());
            invalid(Some(text), e.line(), e.column(), message)
        })?;
        if report.version.as_u64() != Some(VERSION) {
            let (line, column) = position_of(text, "\"version\"").unwrap_or((1, 1));
            return Err(invalid(
                Some(text),
                line,
                column,
                format!(
                    "report version {} is not supported (expected {VERSION})",
                    report.version
                ),
            ));
        }
        let mut fingerprints: Vec<String> = Vec::with_capacity(report.findings.len());
        for f in report.findings {
            if !is_fingerprint(&f.fingerprint) {
                let (line, column) = position_of(text, &f.fingerprint).unwrap_or((1, 1));
                return Err(invalid(
                    Some(text),
                    line,
                    column,
                    "a finding's fingerprint is not 64 hexadecimal characters".to_owned(),
                ));
            }
            let fp = f.fingerprint.to_ascii_lowercase();
            if !fingerprints.contains(&fp) {
                fingerprints.push(fp);
            }
        }
        Ok(Baseline {
            path: path.to_owned(),
            fingerprints,
        })
    }
}

/// serde_json ends its messages with " at line L column C".
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// 1-based line and column of the first occurrence of `needle`.
fn position_of(text: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    Some(line_col_at(text, text.find(needle)?))
}

/// 1-based line and column (in characters) of byte `at` of `text`.
fn line_col_at(text: &str, at: usize) -> (usize, usize) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() + 1;
    (line, text[line_start..at].chars().count() + 1)
}

/// Byte offset of a 1-based line and column (serde_json columns are bytes).
fn line_col_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    Some((start + column.saturating_sub(1)).min(text.len().saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn reads_the_fingerprints_of_a_report() {
        let text = format!(
            "{{\"version\":1,\"findings\":[{{\"rule_id\":\"x\",\"fingerprint\":\"{}\",\"path\":{{\"bytes\":\"AA==\"}}}},{{\"fingerprint\":\"{FP}\"}}],\"stats\":{{\"blobs\":1}}}}",
            FP.to_ascii_uppercase()
        );
        let b = Baseline::parse(Path::new("b.json"), text.as_bytes()).unwrap();
        assert_eq!(b.fingerprints, [FP]);
    }

    #[test]
    fn malformed_files_name_the_line() {
        let bad = "{\"version\": 1,\n \"findings\": [\n  {\"fingerprint\": 3}\n]}";
        let e = Baseline::parse(Path::new("b.json"), bad.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("b.json:3:"), "{e}");
        let e = Baseline::parse(Path::new("b.json"), b"{\"version\": 2, \"findings\": []}")
            .unwrap_err();
        assert!(e.to_string().contains("version 2"), "{e}");
        let e = Baseline::parse(
            Path::new("b.json"),
            b"{\"version\": 1,\n\"findings\": [{\"fingerprint\": \"abc\"}]}",
        )
        .unwrap_err();
        assert!(e.to_string().contains("b.json:2:"), "{e}");
        let e = Baseline::parse(Path::new("b.json"), b"").unwrap_err();
        assert!(matches!(e, BaselineError::Invalid(_)));
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_unquoted() {
        // Found by the fuzzer: the raw bytes hold what the detector takes
        // for a secret, their lossy text no longer does, and the quote of
        // that text showed it.
        let bad = b"{\"version\":1,\n \"k\":\"intercom-access-token\",\"kin`\xde\xc5\xdd\x9e\x9c\x9c\x9a\x8cs_{\"}";
        let e = Baseline::parse(Path::new("b.json"), bad).unwrap_err();
        assert!(
            e.to_string().contains("b.json:2:35: the file is not UTF-8"),
            "{e}"
        );
        let BaselineError::Invalid(invalid) = &e else {
            panic!("{e:?}")
        };
        assert!(invalid.src.text().is_empty(), "{:?}", invalid.src);
        let shown = format!("{:?}", miette::Report::new(e));
        assert!(!shown.contains("kin`"), "{shown}");
    }
}
