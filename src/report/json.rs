//! The JSON report (`--format json`), exactly as DESIGN.md specifies it:
//!
//! ```json
//! {"version": 1,
//!  "findings": [{"rule_id": "intercom-access-token", "kind": "access_token",
//!    "confidence": "high", "path": "src/app.js", "line": 3, "column": 31,
//!    "commit": null, "author": null, "date": null,
//!    "fingerprint": "sha256 hex of the secret", "redacted": "dG9rOj…OjA="}],
//!  "problems": [{"code": "intercom_guard::git::missing_object",
//!    "message": "...", "path": null, "object": "<hex id>"}],
//!  "stats": {"blobs": 12, "bytes": 48211, "elapsed_ms": 3}}
//! ```
//!
//! `problems` is always present (empty when the run was whole). A finding
//! that is not in a file's content carries `"source": "commit_message" |
//! "tag_message" | "symlink"` (absent for ordinary file content). With
//! `--verify` each finding carries `"verification": {"status": "live" |
//! "revoked" | "unknown", "reason", "admin", "workspace", "app_id",
//! "region"}` (absent without it).
//!
//! Paths are written exactly as they are (tools match on them); a secret
//! in an author or a problem's message is redacted. A path that is not
//! UTF-8 is written as `{"bytes": "<base64>"}`. With
//! `--show-secrets` each finding also carries `"secret"` (lossy UTF-8). The
//! document is written on one line and ends with a newline.

use std::io::{self, Write};

use base64::Engine as _;
use serde::Serialize;

use super::ReportOptions;
use super::redact::{redacted, scrub};
use super::verification::JsonVerification;
use crate::finding::{Confidence, Finding, Kind, Problem, Stats};

/// The schema version in `"version"`.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    problems: Vec<JsonProblem<'a>>,
    stats: JsonStats,
}

/// A problem as the JSON report lists it.
#[derive(Serialize)]
pub(super) struct JsonProblem<'a> {
    pub(super) code: String,
    pub(super) message: String,
    pub(super) path: Option<JsonPath<'a>>,
    pub(super) object: Option<&'a str>,
}

impl<'a> JsonProblem<'a> {
    pub(super) fn new(problem: &'a Problem) -> JsonProblem<'a> {
        JsonProblem {
            code: problem.code(),
            message: scrub(&problem.message()),
            path: problem.path.as_deref().map(JsonPath::new),
            object: problem.object.as_deref(),
        }
    }
}

#[derive(Serialize)]
pub(super) struct JsonFinding<'a> {
    rule_id: &'a str,
    kind: Kind,
    confidence: Confidence,
    path: JsonPath<'a>,
    line: Option<u32>,
    column: Option<u32>,
    commit: Option<&'a str>,
    author: Option<String>,
    date: Option<&'a str>,
    fingerprint: &'a str,
    redacted: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    /// History mode only: whether the secret is still at the tip of the
    /// default branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    still_present: Option<bool>,
    /// What the secret is in when not a file's content: a commit or tag
    /// message, a symbolic link's target.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'static str>,
    /// `--verify`: what Intercom's API said of the secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<JsonVerification>,
}

/// A path as text when it is UTF-8, else its bytes in base64 (like ripgrep).
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum JsonPath<'a> {
    Text(&'a str),
    Bytes { bytes: String },
}

impl<'a> JsonPath<'a> {
    pub(super) fn new(path: &'a [u8]) -> JsonPath<'a> {
        match std::str::from_utf8(path) {
            Ok(text) => JsonPath::Text(text),
            Err(_) => JsonPath::Bytes {
                bytes: base64::engine::general_purpose::STANDARD.encode(path),
            },
        }
    }
}

#[derive(Serialize)]
pub(super) struct JsonStats {
    pub(super) blobs: u64,
    pub(super) bytes: u64,
    pub(super) elapsed_ms: u64,
}

impl<'a> JsonFinding<'a> {
    pub(super) fn new(finding: &'a Finding, show_secrets: bool) -> JsonFinding<'a> {
        let commit = finding.commit.as_ref();
        JsonFinding {
            rule_id: finding.rule_id,
            kind: finding.kind,
            confidence: finding.confidence,
            path: JsonPath::new(&finding.path),
            line: finding.line,
            column: finding.column,
            commit: commit.map(|c| c.id.as_str()),
            author: commit.map(|c| scrub(&c.author)),
            date: commit.map(|c| c.date.as_str()),
            fingerprint: &finding.fingerprint,
            redacted: redacted(finding.rule_id, &finding.secret),
            secret: show_secrets.then(|| String::from_utf8_lossy(&finding.secret).into_owned()),
            still_present: finding.still_present,
            source: finding.source.as_str(),
            verification: finding.verification.as_ref().map(JsonVerification::new),
        }
    }
}

/// Writes the whole report as one JSON document followed by a newline.
pub(crate) fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    problems: &[Problem],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    let document = Document {
        problems: problems.iter().map(JsonProblem::new).collect(),
        version: VERSION,
        findings: findings
            .iter()
            .map(|f| JsonFinding::new(f, opts.show_secrets))
            .collect(),
        stats: JsonStats {
            blobs: stats.blobs,
            bytes: stats.bytes,
            elapsed_ms: stats.elapsed_ms,
        },
    };
    serde_json::to_writer(&mut *out, &document).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::JsonPath;

    #[test]
    fn utf8_path_is_text_else_bytes() {
        let text = serde_json::to_value(JsonPath::new(b"src/app.js")).unwrap();
        assert_eq!(text, serde_json::json!("src/app.js"));
        let bytes = serde_json::to_value(JsonPath::new(b"caf\xe9.env")).unwrap();
        assert_eq!(bytes, serde_json::json!({"bytes": "Y2Fm6S5lbnY="}));
    }
}
