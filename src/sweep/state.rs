//! The state of an incremental sweep (`history --state FILE`, and one
//! `<slug>.state.json` per repository in a sweep's folder): what was swept,
//! so the next run reads only what it has not judged yet.
//!
//! ```json
//! {"format": "intercom-guard-state", "version": 1, "tool": "0.1.0+detect.1",
//!  "settings": "<sha256 hex>", "object_hash": "sha1",
//!  "tips": {"HEAD": "<id>", "refs/heads/main": "<id>"},
//!  "clean": ["<blob id>"], "clean_intercom": ["<blob id>"],
//!  "hits": ["<blob id>"], "hits_intercom": ["<blob id>"],
//!  "hit_messages": ["<commit or tag id>"], "findings": ["<sha256 hex>"],
//!  "unread": ["<object id>"]}
//! ```
//!
//! What "seen" means, so that nothing is missed:
//!
//! - `clean` holds the blobs read and judged with no match by the plain
//!   detector, `clean_intercom` those judged with no match as a file at a
//!   path that names Intercom (a whole Intercom context, a stricter
//!   judge). The detector's verdict on a blob depends only on its bytes
//!   and on which of the two it ran as, so a clean blob is clean at every
//!   path of the same kind: a later run skips it there, and reads it again
//!   when it newly appears at a path that names Intercom and was never
//!   judged so.
//! - A blob that matched (`hits`, `hits_intercom`) is never skipped: what
//!   becomes a finding depends on its path (allowlisted paths, whether the
//!   line is added there), so it is read again wherever it appears anew.
//!   `hit_messages` are the commits and tags whose message matched
//!   (`--all-findings` reports them again).
//! - `findings` are the findings already reported, each as the sha256 of
//!   its fingerprint, a NUL and its path (and, for a commit or tag message,
//!   a NUL and that object's id): a later run reports a secret again only
//!   at a new path (or in a new message).
//! - `settings` is a digest of everything the verdicts depend on (the
//!   detector's options, the policy's accepted fingerprints, baseline,
//!   allowlisted paths and markers); `tool` is the version and detection
//!   revision ([`crate::catalog::DETECTION_REVISION`]) that wrote the file. A run under other settings, another version or another object
//!   format does not trust the file: it says so on stderr and sweeps
//!   everything again.
//! - `unread` are the objects a run could not read (missing from a partial
//!   mirror, damaged): never clean. The next run checks them first: while
//!   none of them can be read, it goes on incrementally and reports each
//!   again as a problem (the repository is still incomplete: exit 2); once
//!   one can be read, it sweeps everything again. A run that met a problem
//!   naming no object (a walk that broke, a pack that cannot be listed)
//!   does not write the state at all.
//!
//! The file holds no secret: object ids, ref names and digests only. It is
//! validated on read: a file that is not a state file, of another version,
//! or damaged is an error (exit 2), never taken as empty.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// The `"format"` of a state file.
pub const FORMAT: &str = "intercom-guard-state";
/// The schema version in `"version"`.
pub const VERSION: u32 = 1;

/// Why a state file cannot be used. Exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StateError {
    #[error("cannot read the state file {}", path.display())]
    #[diagnostic(
        code(intercom_guard::state::read),
        help(
            "check that the file is readable, or give another `--state FILE` (a missing file starts a new state)"
        )
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not an intercom-guard state file: {reason}", path.display())]
    #[diagnostic(
        code(intercom_guard::state::foreign),
        help(
            "`--state` names the file intercom-guard keeps between runs; give a new path (it is created) rather than another file"
        )
    )]
    Foreign { path: PathBuf, reason: String },

    #[error("the state file {} is version {found}; this intercom-guard reads version {VERSION}", path.display())]
    #[diagnostic(
        code(intercom_guard::state::version),
        help(
            "delete it (the next run sweeps everything and writes a new one), or use the intercom-guard that wrote it"
        )
    )]
    Version { path: PathBuf, found: u64 },

    #[error("the state file {} is damaged: {reason}", path.display())]
    #[diagnostic(
        code(intercom_guard::state::corrupt),
        help("delete it: the next run sweeps everything again and writes a new one")
    )]
    Corrupt { path: PathBuf, reason: String },

    #[error("cannot write the state file {}", path.display())]
    #[diagnostic(
        code(intercom_guard::state::write),
        help("check that the folder exists and is writable")
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The state as a program uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub tool: String,
    pub settings: String,
    pub object_hash: gix::hash::Kind,
    /// Every ref (and `HEAD`) and the object it points at.
    pub tips: BTreeMap<String, ObjectId>,
    pub clean: HashSet<ObjectId>,
    pub clean_intercom: HashSet<ObjectId>,
    pub hits: HashSet<ObjectId>,
    pub hits_intercom: HashSet<ObjectId>,
    pub hit_messages: HashSet<ObjectId>,
    pub findings: HashSet<String>,
    /// Objects the runs could not read (missing, damaged).
    pub unread: HashSet<ObjectId>,
}

/// The file, as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: String,
    version: u64,
    tool: String,
    settings: String,
    object_hash: String,
    tips: BTreeMap<String, String>,
    clean: Vec<String>,
    clean_intercom: Vec<String>,
    hits: Vec<String>,
    hits_intercom: Vec<String>,
    hit_messages: Vec<String>,
    findings: Vec<String>,
    unread: Vec<String>,
}

impl State {
    /// An empty state for a run of this tool under `settings`.
    pub fn new(settings: String, object_hash: gix::hash::Kind) -> State {
        State {
            tool: tool(),
            settings,
            object_hash,
            tips: BTreeMap::new(),
            clean: HashSet::new(),
            clean_intercom: HashSet::new(),
            hits: HashSet::new(),
            hits_intercom: HashSet::new(),
            hit_messages: HashSet::new(),
            findings: HashSet::new(),
            unread: HashSet::new(),
        }
    }

    /// Whether a run of this tool under `settings` on a repository of
    /// `object_hash` may trust this state.
    pub fn fits(&self, settings: &str, object_hash: gix::hash::Kind) -> bool {
        self.tool == tool() && self.settings == settings && self.object_hash == object_hash
    }

    /// The key of a finding in [`State::findings`].
    /// A message's finding (`commit`: its commit or tag) is keyed by that
    /// object too.
    pub fn finding_key(fingerprint: &str, path: &[u8], commit: Option<&str>) -> String {
        let mut hash = sha2::Sha256::new();
        hash.update(fingerprint.as_bytes());
        hash.update([0]);
        hash.update(path);
        if let Some(commit) = commit {
            hash.update([0]);
            hash.update(commit.as_bytes());
        }
        hex(&hash.finalize())
    }

    /// The state at `path`; `None` when there is no file there.
    pub fn load(path: &Path) -> Result<Option<State>, StateError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        parse(&bytes, path).map(Some)
    }

    /// Write the state to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        super::atomic::write(path, &self.to_json()).map_err(|source| StateError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// The file's bytes (sorted, so equal states are equal files).
    pub fn to_json(&self) -> Vec<u8> {
        let ids = |set: &HashSet<ObjectId>| {
            let mut v: Vec<String> = set.iter().map(ObjectId::to_string).collect();
            v.sort();
            v
        };
        let mut findings: Vec<String> = self.findings.iter().cloned().collect();
        findings.sort();
        let file = File {
            format: FORMAT.to_owned(),
            version: u64::from(VERSION),
            tool: self.tool.clone(),
            settings: self.settings.clone(),
            object_hash: hash_name(self.object_hash).to_owned(),
            tips: self
                .tips
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            clean: ids(&self.clean),
            clean_intercom: ids(&self.clean_intercom),
            hits: ids(&self.hits),
            hits_intercom: ids(&self.hits_intercom),
            hit_messages: ids(&self.hit_messages),
            findings,
            unread: ids(&self.unread),
        };
        let mut bytes = serde_json::to_vec(&file).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

fn parse(bytes: &[u8], path: &Path) -> Result<State, StateError> {
    let corrupt = |reason: String| StateError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    // First what the file says it is, so a foreign file is named as such.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|err| StateError::Foreign {
            path: path.to_owned(),
            reason: format!("not JSON ({})", err_line(&err)),
        })?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        _ => {
            return Err(StateError::Foreign {
                path: path.to_owned(),
                reason: format!("no \"format\": \"{FORMAT}\""),
            });
        }
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(found) => {
            return Err(StateError::Version {
                path: path.to_owned(),
                found,
            });
        }
        None => return Err(corrupt("no \"version\" number".to_owned())),
    }
    let file: File = serde_json::from_value(value).map_err(|err| {
        // serde's message may quote a value of the file: keep its shape only.
        corrupt(crate::redact::scrub(&err.to_string()))
    })?;
    let object_hash = match file.object_hash.as_str() {
        "sha1" => gix::hash::Kind::Sha1,
        "sha256" => gix::hash::Kind::Sha256,
        other => {
            return Err(corrupt(format!(
                "\"object_hash\" is {:?}, not sha1 or sha256",
                crate::redact::scrub(other)
            )));
        }
    };
    let id = |text: &str, what: &str| -> Result<ObjectId, StateError> {
        match ObjectId::from_hex(text.as_bytes()) {
            Ok(id) if id.kind() == object_hash => Ok(id),
            _ => Err(corrupt(format!(
                "an entry of \"{what}\" is not a {} object id",
                hash_name(object_hash)
            ))),
        }
    };
    let set = |list: &[String], what: &str| -> Result<HashSet<ObjectId>, StateError> {
        list.iter().map(|t| id(t, what)).collect()
    };
    if !is_sha256_hex(&file.settings) {
        return Err(corrupt("\"settings\" is not a sha256 digest".to_owned()));
    }
    if let Some(bad) = file.findings.iter().find(|k| !is_sha256_hex(k)) {
        let _ = bad;
        return Err(corrupt(
            "an entry of \"findings\" is not a sha256 digest".to_owned(),
        ));
    }
    let mut tips = BTreeMap::new();
    for (name, target) in &file.tips {
        tips.insert(name.clone(), id(target, "tips")?);
    }
    Ok(State {
        tool: file.tool,
        settings: file.settings,
        object_hash,
        tips,
        clean: set(&file.clean, "clean")?,
        clean_intercom: set(&file.clean_intercom, "clean_intercom")?,
        hits: set(&file.hits, "hits")?,
        hits_intercom: set(&file.hits_intercom, "hits_intercom")?,
        hit_messages: set(&file.hit_messages, "hit_messages")?,
        findings: file.findings.into_iter().collect(),
        unread: set(&file.unread, "unread")?,
    })
}

/// Where a JSON error is, without quoting the file.
fn err_line(err: &serde_json::Error) -> String {
    format!("line {}, column {}", err.line(), err.column())
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn hash_name(kind: gix::hash::Kind) -> &'static str {
    match kind {
        gix::hash::Kind::Sha256 => "sha256",
        _ => "sha1",
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// This build, as a state records it: the version and the detection
/// revision (`0.1.0+detect.1`).
fn tool() -> String {
    format!(
        "{}+detect.{}",
        env!("CARGO_PKG_VERSION"),
        crate::catalog::DETECTION_REVISION
    )
}

/// The digest of `text` (a run's settings, as [`State::settings`] holds it).
pub fn digest(text: &str) -> String {
    hex(&sha2::Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        let mut state = State::new(digest("s"), gix::hash::Kind::Sha1);
        let id = ObjectId::empty_blob(gix::hash::Kind::Sha1);
        state.tips.insert("refs/heads/main".into(), id);
        state.clean.insert(id);
        state
            .findings
            .insert(State::finding_key("ab", b"a.env", None));
        state
    }

    #[test]
    fn a_state_reads_back_as_written() {
        let state = sample();
        let back = parse(&state.to_json(), Path::new("s")).unwrap();
        assert_eq!(back, state);
        assert!(back.fits(&digest("s"), gix::hash::Kind::Sha1));
        assert!(!back.fits(&digest("t"), gix::hash::Kind::Sha1));
    }

    #[test]
    fn foreign_other_versions_and_damaged_files_are_errors() {
        let p = Path::new("s");
        assert!(matches!(
            parse(b"KEY=value\n", p),
            Err(StateError::Foreign { .. })
        ));
        assert!(matches!(
            parse(br#"{"version": 1}"#, p),
            Err(StateError::Foreign { .. })
        ));
        let mut value: serde_json::Value = serde_json::from_slice(&sample().to_json()).unwrap();
        value["version"] = 2.into();
        let two = serde_json::to_vec(&value).unwrap();
        assert!(matches!(
            parse(&two, p),
            Err(StateError::Version { found: 2, .. })
        ));
        let mut value: serde_json::Value = serde_json::from_slice(&sample().to_json()).unwrap();
        value["clean"] = serde_json::json!(["not-an-id"]);
        let bad = serde_json::to_vec(&value).unwrap();
        assert!(matches!(parse(&bad, p), Err(StateError::Corrupt { .. })));
        let mut value: serde_json::Value = serde_json::from_slice(&sample().to_json()).unwrap();
        value["extra"] = 1.into();
        let extra = serde_json::to_vec(&value).unwrap();
        assert!(matches!(parse(&extra, p), Err(StateError::Corrupt { .. })));
    }

    #[test]
    fn a_missing_file_is_no_state() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(State::load(&dir.path().join("none.json")).unwrap(), None);
    }
}
