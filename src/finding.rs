//! The vocabulary every layer shares: what kind of secret, how sure we are,
//! where it was found, and the finding that the report prints.

use serde::Serialize;

/// What a secret is, as named in the JSON report (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    AccessToken,
    WebhookSecret,
    IdentitySecret,
    ClientSecret,
    ApiKey,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 5] = [
        Kind::AccessToken,
        Kind::WebhookSecret,
        Kind::IdentitySecret,
        Kind::ClientSecret,
        Kind::ApiKey,
    ];

    /// The kind named `name`: its JSON name (`access_token`), also written
    /// with `-` (`access-token`).
    pub fn from_name(name: &str) -> Option<Kind> {
        let name = name.replace('-', "_");
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AccessToken => "access_token",
            Kind::WebhookSecret => "webhook_secret",
            Kind::IdentitySecret => "identity_secret",
            Kind::ClientSecret => "client_secret",
            Kind::ApiKey => "api_key",
        }
    }

    /// Human wording, for diagnostics and guidance.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::AccessToken => "Intercom access token",
            Kind::WebhookSecret => "Intercom webhook signing secret",
            Kind::IdentitySecret => "Intercom identity verification secret",
            Kind::ClientSecret => "Intercom OAuth client secret",
            Kind::ApiKey => "Intercom API key",
        }
    }
}

/// How sure the detector is (`confidence` in the JSON report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Only reported with `--strict`: documentation-example tokens.
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// A commit, as every layer knows it: the one commit-metadata type of the
/// project (sources fill it, the engine orders by it, reports print it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitMeta {
    /// Full hex object id: 40 digits (SHA-1) or 64 (SHA-256), as the
    /// repository has it.
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// Committer time, seconds since the epoch: orders "earliest" (0 where
    /// no order is asked).
    pub time: i64,
    /// Length of the longest parent chain below the commit (0 for a root);
    /// breaks ties of `time`, since a parent always comes first.
    pub generation: u32,
    /// The commit has no parent: rewriting it takes `git rebase -i --root`.
    pub root: bool,
}

/// How far the secret travelled: selects the rotation guidance variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// In a file on disk, whether git has it or not (scan).
    OnDisk,
    /// In the index, not committed (pre-commit).
    Staged,
    /// Committed locally, not yet on the server (pre-push, pre-receive).
    Committed,
    /// Already in published history (history sweep).
    Published,
}

/// What a secret was found in, when it is not a file's content: `source`
/// in the JSON report (absent for [`SourceKind::File`]) and in SARIF's
/// properties. Human and plain output say it through the path
/// (`<commit message>`, `<tag v1.2>`; a symbolic link keeps its path).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A file's content (or stdin's).
    #[default]
    File,
    /// The message of a commit.
    CommitMessage,
    /// The message of an annotated tag.
    TagMessage,
    /// The target of a symbolic link (a `120000` entry).
    Symlink,
}

impl SourceKind {
    /// The report's `source` value; `None` for file content.
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            SourceKind::File => None,
            SourceKind::CommitMessage => Some("commit_message"),
            SourceKind::TagMessage => Some("tag_message"),
            SourceKind::Symlink => Some("symlink"),
        }
    }
}

/// One secret occurrence, ready to be reported.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: &'static str,
    pub kind: Kind,
    pub confidence: Confidence,
    /// Path relative to the repository root (or as given to `scan`); raw bytes
    /// because git paths need not be UTF-8.
    pub path: Vec<u8>,
    /// 1-based; `None` for a binary blob.
    pub line: Option<u32>,
    /// 1-based, in characters of the line; `None` for a binary blob.
    pub column: Option<u32>,
    pub commit: Option<CommitMeta>,
    /// sha256 hex of the canonical secret.
    pub fingerprint: String,
    /// The secret exactly as written in the blob. Never printed unless
    /// `--show-secrets`: the report layer redacts it.
    pub secret: Vec<u8>,
    /// The whole line holding the secret (without its line ending), for the
    /// human report; `None` for a binary blob. Contains the secret in full.
    pub line_text: Option<Vec<u8>>,
    /// Byte offset of the secret within `line_text`.
    pub line_offset: usize,
    /// Byte ranges within `line_text` of every secret the detector matched
    /// on that line, this one included, whether or not those others are
    /// reported (accepted, suppressed, not added): a shown line hides them
    /// all. Empty without `line_text`.
    pub mask: Vec<std::ops::Range<usize>>,
    /// History mode: whether the secret is still in the tree at the tip of
    /// the default branch. `None` where that is not asked (hook modes, scan).
    pub still_present: Option<bool>,
    /// What the secret was found in: a file, a message, a link's target.
    pub source: SourceKind,
    /// What Intercom's API said of the secret (`--verify`); `None` when
    /// verification was not asked.
    pub verification: Option<Verification>,
}

/// Whether a secret works, as Intercom's API answered (`--verify`): never a
/// guess, so anything short of a clear answer is [`VerifyStatus::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyStatus {
    /// `GET /me` answered 200 with `"type": "admin"`: the token works now.
    Live,
    /// Every region answered 401: the token no longer works.
    Revoked,
    /// No clear answer (rate limited, a server error, a timeout, the
    /// network), or a kind of secret no API checks.
    Unknown,
}

impl VerifyStatus {
    /// The report's `status` value.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyStatus::Live => "live",
            VerifyStatus::Revoked => "revoked",
            VerifyStatus::Unknown => "unknown",
        }
    }
}

/// An Intercom hosting region: each has its own API and its own app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Region {
    Us,
    Eu,
    Au,
}

impl Region {
    /// In the order `--verify` asks them.
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Au];

    /// The report's `region` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
        }
    }

    /// The region an API answer names (`"US"`, `"Europe"`, `"au"`...).
    pub fn parse(text: &str) -> Option<Region> {
        match text.trim().to_ascii_lowercase().as_str() {
            "us" | "usa" | "united states" => Some(Region::Us),
            "eu" | "europe" | "european union" => Some(Region::Eu),
            "au" | "australia" => Some(Region::Au),
            _ => None,
        }
    }
}

/// What `--verify` learned of one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status: VerifyStatus,
    /// Why, in a few words: what answered, or why nothing did.
    pub reason: String,
    /// `Name <email>` of the admin the token acts for (live tokens).
    pub admin: Option<String>,
    /// The workspace's name (`app.name`).
    pub workspace: Option<String>,
    /// The workspace's id (`app.id_code`), as in its Intercom URLs.
    pub app_id: Option<String>,
    /// Where the workspace is hosted.
    pub region: Option<Region>,
}

impl Verification {
    /// An answer that says nothing of whether the secret works.
    pub fn unknown(reason: impl Into<String>) -> Verification {
        Verification {
            status: VerifyStatus::Unknown,
            reason: reason.into(),
            admin: None,
            workspace: None,
            app_id: None,
            region: None,
        }
    }
}

/// Counters for the `stats` object of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub blobs: u64,
    pub bytes: u64,
    pub elapsed_ms: u64,
    /// Findings dropped by an `intercom-guard:allow` marker.
    pub suppressed_inline: u64,
    /// Findings accepted by an allowlisted fingerprint or the baseline.
    pub accepted: u64,
    /// Blobs not scanned because their path is allowlisted.
    pub allowlisted_paths: u64,
}

impl Stats {
    /// Add another run's counters (not its elapsed time) to these.
    pub fn add(&mut self, other: &Stats) {
        self.blobs += other.blobs;
        self.bytes += other.bytes;
        self.suppressed_inline += other.suppressed_inline;
        self.accepted += other.accepted;
        self.allowlisted_paths += other.allowlisted_paths;
    }
}

/// Something that kept the run from being whole: an unreadable object, a
/// missing blob, a file that could not be read, a walk that failed. The run
/// goes on; every report lists the problems, and the exit code is 2. The
/// findings that were found are still reported.
#[derive(Clone)]
pub struct Problem {
    /// The diagnostic, for the human report (miette renders it whole).
    pub diagnostic: std::sync::Arc<dyn miette::Diagnostic + Send + Sync>,
    /// The path concerned, when there is one.
    pub path: Option<Vec<u8>>,
    /// The object concerned (hex id), when there is one.
    pub object: Option<String>,
}

impl Problem {
    pub fn new(diagnostic: impl miette::Diagnostic + Send + Sync + 'static) -> Problem {
        Problem {
            diagnostic: std::sync::Arc::new(diagnostic),
            path: None,
            object: None,
        }
    }

    pub fn with_path(mut self, path: impl Into<Vec<u8>>) -> Problem {
        self.path = Some(path.into());
        self
    }

    pub fn with_object(mut self, id: impl std::fmt::Display) -> Problem {
        self.object = Some(id.to_string());
        self
    }

    /// The diagnostic code, such as `intercom_guard::git::missing_object`.
    pub fn code(&self) -> String {
        self.diagnostic
            .code()
            .map_or_else(|| "intercom_guard::error".to_owned(), |c| c.to_string())
    }

    /// The message, with its causes.
    pub fn message(&self) -> String {
        let mut text = self.diagnostic.to_string();
        let mut source = std::error::Error::source(&*self.diagnostic);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}

impl std::fmt::Debug for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Problem")
            .field("code", &self.code())
            .field("message", &self.diagnostic.to_string())
            .field(
                "path",
                &self.path.as_ref().map(|p| String::from_utf8_lossy(p)),
            )
            .field("object", &self.object)
            .finish()
    }
}
