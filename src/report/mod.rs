//! The report layer: turns findings into a human report (miette diagnostics
//! and rotation guidance) or a JSON document, and decides the exit code.
//!
//! It knows nothing of git or of where the bytes came from: it takes
//! [`Finding`]s and [`Stats`] and writes to any [`std::io::Write`], so tests
//! capture a buffer. Each format is one module behind [`write_report`].
//! Secrets are redacted ([`redact::redact`]) unless `show_secrets`.

pub mod config;
pub mod doctor;
pub mod guidance;
mod human;
mod json;
pub mod plain;
pub mod redact;
mod sarif;
mod text;

use std::io;

use crate::finding::{Exposure, Finding, Stats};

/// The output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics, rotation guidance and a summary line.
    Human,
    /// One JSON document (see DESIGN.md "JSON report").
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
}

/// How to write the report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub format: Format,
    /// Print secrets in full (`--show-secrets`); otherwise they are redacted.
    pub show_secrets: bool,
    /// ANSI colours in the human report.
    pub color: bool,
    /// No "nothing found" line; findings and guidance still print.
    pub quiet: bool,
    /// How far the secrets travelled: selects the rotation guidance.
    pub exposure: Exposure,
}

/// Writes the report for `findings` to `out` in `opts.format`.
pub fn write_report(
    out: &mut dyn io::Write,
    findings: &[Finding],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    match opts.format {
        Format::Human => human::write(out, findings, stats, opts),
        Format::Json => json::write(out, findings, stats, opts),
        Format::Sarif => sarif::write(out, findings, stats, opts),
    }
}

/// The process exit code for a report: 0 when nothing was found, 1 when
/// there are findings (the hook blocks). Errors (exit 2) are the caller's.
pub fn exit_code(findings: &[Finding]) -> u8 {
    if findings.is_empty() { 0 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::{Format, exit_code};
    use crate::finding::{Confidence, Finding, Kind};
    use clap::ValueEnum;

    #[test]
    fn exit_code_is_one_with_findings() {
        assert_eq!(exit_code(&[]), 0);
        let finding = Finding {
            rule_id: "intercom-access-token",
            kind: Kind::AccessToken,
            confidence: Confidence::High,
            path: b"a".to_vec(),
            line: None,
            column: None,
            commit: None,
            fingerprint: String::new(),
            secret: b"x".to_vec(),
            line_text: None,
            line_offset: 0,
            still_present: None,
        };
        assert_eq!(exit_code(&[finding]), 1);
    }

    #[test]
    fn formats_parse_from_the_command_line() {
        assert_eq!(Format::from_str("human", false), Ok(Format::Human));
        assert_eq!(Format::from_str("json", false), Ok(Format::Json));
        assert!(Format::from_str("xml", false).is_err());
    }
}
