//! The streaming report (`--format jsonl` on `history` and `sweep`): one
//! JSON object per line, each written (and flushed) as soon as it is
//! known, so a job's log is useful while it runs:
//!
//! ```text
//! {"type":"finding", ...the JSON report's finding fields...}
//! {"type":"problem","code":"...","message":"...","path":null,"object":"<id>"}
//! {"type":"stats","blobs":12,"bytes":48211,"elapsed_ms":3}
//! ```
//!
//! `stats` is always the last line. A finding and a problem have exactly
//! the fields of the JSON report's ([`super::json`]), with the same
//! redaction: a secret is never written in full without `--show-secrets`.
//! `sweep` adds `"repo"` (the repository's path as its list gives it) to
//! each finding and problem, and after each repository a
//! `{"type":"repo", ...}` line with its line of `summary.json`.

use std::io::{self, Write};

use serde::Serialize;

use super::json::{JsonFinding, JsonProblem, JsonStats};
use super::{Report, problems};
use crate::finding::{Finding, Problem, Stats};

#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    repo: Option<&'a str>,
    #[serde(flatten)]
    body: T,
}

fn line<T: Serialize>(kind: &'static str, repo: Option<&str>, body: T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(&Line { kind, repo, body }).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// A finding's line; `repo` for a sweep.
pub fn finding_line(finding: &Finding, show_secrets: bool, repo: Option<&str>) -> Vec<u8> {
    line("finding", repo, JsonFinding::new(finding, show_secrets))
}

/// A problem's line; `repo` for a sweep.
pub fn problem_line(problem: &Problem, repo: Option<&str>) -> Vec<u8> {
    line("problem", repo, JsonProblem::new(problem))
}

/// The last line.
pub fn stats_line(stats: &Stats) -> Vec<u8> {
    line(
        "stats",
        None,
        JsonStats {
            blobs: stats.blobs,
            bytes: stats.bytes,
            elapsed_ms: stats.elapsed_ms,
        },
    )
}

/// A line of another `type` (a sweep's `repo`) with `body`'s fields.
pub fn other_line<T: Serialize>(kind: &'static str, body: T) -> Vec<u8> {
    line(kind, None, body)
}

/// Every line of a whole run, written at once.
pub(super) fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    problems: &[Problem],
    stats: &Stats,
    show_secrets: bool,
) -> io::Result<()> {
    for problem in problems {
        out.write_all(&problem_line(problem, None))?;
    }
    for finding in findings {
        out.write_all(&finding_line(finding, show_secrets, None))?;
    }
    out.write_all(&stats_line(stats))?;
    out.flush()
}

/// The [`Report`] that writes each message to stdout as it comes (problems
/// are also shown on stderr, as every format shows them).
pub(super) struct Streaming {
    pub(super) show_secrets: bool,
    pub(super) problems: usize,
    /// The first write that failed (a closed pipe ends the output quietly).
    pub(super) failed: Option<io::Error>,
}

impl Streaming {
    fn emit(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        let mut out = io::stdout().lock();
        if let Err(err) = out.write_all(bytes).and_then(|()| out.flush()) {
            self.failed = Some(err);
        }
    }
}

impl Report for Streaming {
    fn finding(&mut self, finding: Finding) {
        self.emit(&finding_line(&finding, self.show_secrets, None));
    }

    fn problem(&mut self, problem: Problem) {
        let _ = problems::show(&mut io::stderr().lock(), &problem, self.problems, false);
        self.problems += 1;
        self.emit(&problem_line(&problem, None));
    }

    fn finish(&mut self, stats: &Stats) -> io::Result<()> {
        let _ = problems::show_rest(&mut io::stderr().lock(), self.problems);
        self.emit(&stats_line(stats));
        match self.failed.take() {
            Some(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(err),
            _ => Ok(()),
        }
    }
}
