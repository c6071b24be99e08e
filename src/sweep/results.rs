//! One repository's files in a sweep's folder: `<slug>.json` and
//! `<slug>.sarif` (the reports `history --format json|sarif` writes) and
//! `<slug>.state.json` (its incremental state), each written atomically,
//! the state last: a sweep killed at any point leaves either a repository's
//! complete result or the previous one.
//!
//! A rerun skips a repository whose recorded tips are its refs' tips now
//! (nothing was pushed since), taking its line of the summary from the
//! report it left ([`previous`]); one that was incomplete (objects missing)
//! stays in error until those objects can be read.

use std::path::{Path, PathBuf};

use super::run::Target;
use super::summary::{RepoSummary, Status};
use crate::finding::{Exposure, Finding, Problem, Stats};
use crate::report::{self, Format, ReportOptions};

/// Where one repository's results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub json: PathBuf,
    pub sarif: PathBuf,
    pub state: PathBuf,
}

impl Files {
    pub fn of(dir: &Path, slug: &str) -> Files {
        Files {
            json: dir.join(format!("{slug}.json")),
            sarif: dir.join(format!("{slug}.sarif")),
            state: dir.join(format!("{slug}.state.json")),
        }
    }

    /// Both reports are there.
    pub fn reports_exist(&self) -> bool {
        self.json.is_file() && self.sarif.is_file()
    }

    /// Write both reports (secrets redacted unless `show_secrets`).
    pub fn write_reports(
        &self,
        findings: &[Finding],
        problems: &[Problem],
        stats: &Stats,
        show_secrets: bool,
    ) -> std::io::Result<()> {
        for (format, path) in [(Format::Json, &self.json), (Format::Sarif, &self.sarif)] {
            let opts = ReportOptions {
                show_secrets,
                quiet: true,
                ..ReportOptions::new(format, Exposure::Published)
            };
            let mut bytes = Vec::new();
            report::write_with_problems(&mut bytes, findings, problems, stats, &opts)?;
            super::atomic::write(path, &bytes)?;
        }
        Ok(())
    }
}

/// A repository's line of the summary for a run that found `findings` and
/// met `problems`.
pub fn line(
    target: &Target,
    findings: usize,
    problems: &[Problem],
    stats: &Stats,
    seconds: f64,
) -> RepoSummary {
    let status = if !problems.is_empty() {
        Status::Error
    } else if findings > 0 {
        Status::Findings
    } else {
        Status::Ok
    };
    RepoSummary {
        path: target.entry.path.clone(),
        slug: target.slug.clone(),
        status,
        findings: findings as u64,
        blobs: stats.blobs,
        bytes: stats.bytes,
        seconds,
        problem: problem_text(problems),
    }
}

/// A repository that could not be swept at all.
pub fn failed(target: &Target, problem: String, seconds: f64) -> RepoSummary {
    RepoSummary {
        path: target.entry.path.clone(),
        slug: target.slug.clone(),
        status: Status::Error,
        findings: 0,
        blobs: 0,
        bytes: 0,
        seconds,
        problem: Some(crate::redact::scrub(&problem)),
    }
}

/// The first problem in one line (redacted), and how many more there are.
fn problem_text(problems: &[Problem]) -> Option<String> {
    let first = problems.first()?;
    let mut text = crate::redact::scrub(&first.message());
    if problems.len() > 1 {
        text.push_str(&format!(" (and {} more)", problems.len() - 1));
    }
    Some(text)
}

/// The line a finished repository's report gives, for a rerun that skips
/// it: `None` when the report is missing or not one of ours.
pub fn previous(target: &Target, files: &Files) -> Option<RepoSummary> {
    let bytes = std::fs::read(&files.json).ok()?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let findings = doc.get("findings")?.as_array()?.len();
    let problems = doc.get("problems")?.as_array()?;
    let stats = doc.get("stats")?;
    let stats = Stats {
        blobs: stats.get("blobs")?.as_u64()?,
        bytes: stats.get("bytes")?.as_u64()?,
        elapsed_ms: stats.get("elapsed_ms")?.as_u64()?,
        ..Stats::default()
    };
    let seconds = stats.elapsed_ms as f64 / 1000.0;
    let mut kept = line(target, findings, &[], &stats, seconds);
    // A repository still incomplete stays in error, with its first problem.
    if let Some(first) = problems.first() {
        let mut text = first.get("message")?.as_str()?.to_owned();
        if problems.len() > 1 {
            text.push_str(&format!(" (and {} more)", problems.len() - 1));
        }
        kept.status = Status::Error;
        kept.problem = Some(crate::redact::scrub(&text));
    }
    Some(kept)
}
