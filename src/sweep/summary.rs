//! `DIR/summary.json`: one line per repository of the shard that is done,
//! in the list's order, rewritten (atomically) each time a repository
//! finishes, so a job killed midway leaves a summary of what it finished:
//!
//! ```json
//! {"version": 1, "repos": [{"path": "/m/acme/billing.git", "slug": "acme-billing",
//!   "status": "findings", "findings": 2, "blobs": 812, "bytes": 5301120,
//!   "seconds": 0.41, "problem": null}]}
//! ```
//!
//! `status` is `ok` (nothing found), `findings` or `error` (the repository
//! could not be swept whole: `problem` says why, in one line without
//! secrets). A repository skipped because its result was up to date keeps
//! the figures of the run that wrote that result.

use serde::{Deserialize, Serialize};

/// The schema version in `"version"`.
pub const VERSION: u32 = 1;

/// How one repository's sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Findings,
    Error,
}

/// One repository's line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSummary {
    pub path: String,
    pub slug: String,
    pub status: Status,
    pub findings: u64,
    pub blobs: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub problem: Option<String>,
}

/// The whole summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub version: u32,
    pub repos: Vec<RepoSummary>,
}

impl Summary {
    /// The sweep's exit code: 2 if any repository is in error, else 1 if
    /// any has findings, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.repos.iter().any(|r| r.status == Status::Error) {
            2
        } else if self.repos.iter().any(|r| r.status == Status::Findings) {
            1
        } else {
            0
        }
    }

    /// The document, on one line, ending with a newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(status: Status) -> RepoSummary {
        RepoSummary {
            path: "p".into(),
            slug: "s".into(),
            status,
            findings: 0,
            blobs: 0,
            bytes: 0,
            seconds: 0.0,
            problem: None,
        }
    }

    #[test]
    fn exit_code_errors_first_then_findings() {
        let of = |s: &[Status]| {
            Summary {
                version: VERSION,
                repos: s.iter().map(|&s| repo(s)).collect(),
            }
            .exit_code()
        };
        assert_eq!(of(&[]), 0);
        assert_eq!(of(&[Status::Ok]), 0);
        assert_eq!(of(&[Status::Ok, Status::Findings]), 1);
        assert_eq!(of(&[Status::Findings, Status::Error]), 2);
    }

    #[test]
    fn the_document_has_exactly_the_specified_fields() {
        let doc = Summary {
            version: VERSION,
            repos: vec![repo(Status::Findings)],
        };
        let value: serde_json::Value = serde_json::from_slice(&doc.to_json()).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"version": 1, "repos": [{"path": "p", "slug": "s",
                "status": "findings", "findings": 0, "blobs": 0, "bytes": 0,
                "seconds": 0.0, "problem": null}]})
        );
    }
}
