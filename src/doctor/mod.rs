//! The repository against the security checklist (`intercom-guard doctor`):
//! each check looks at the repository and returns an [`Item`], data only.
//! Nothing here prints; `report::doctor` renders the items and decides the
//! exit code.
//!
//! Each item is `pass`, `warn` or `fail`, with the fix:
//!
//! - the configuration parses ([`Config`]);
//! - `.gitignore` ignores `.env`, `.env.local` and `.env.*.local` (asked of
//!   gix's exclude matching, as git would answer `git check-ignore`; a
//!   pattern only in `.git/info/exclude` or a global excludes file is not
//!   shared with the team, so it does not count);
//! - no `.env`-style file is tracked (templates such as `.env.example` are
//!   fine);
//! - no Intercom secret in the files at `HEAD` (the detector, through the
//!   policy);
//! - an intercom-guard hook, or the pre-commit framework (or husky, or
//!   lefthook) running ours, is installed (a warning only);
//! - no credential of the current environment (a variable the detector
//!   reports as a secret, such as `INTERCOM_ACCESS_TOKEN`) is written in a
//!   file at `HEAD`. Only the variable's name is kept, never its value.

mod environment;
mod gitignore;
mod head;
mod hook;

use std::ffi::OsString;

use crate::detect::Detector;
use crate::finding::Kind;
use crate::policy::{Policy, Settings};

/// At most this many places are listed under one item.
const MAX_LISTED: usize = 20;

/// How an item came out; ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    /// The name in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The check's id (`config`, `gitignore`, ...).
    pub check: &'static str,
    pub status: Status,
    /// One line saying what was found.
    pub message: String,
    /// The places or causes behind the message, one per line.
    pub details: Vec<String>,
    /// How to fix it; `None` when the item passes.
    pub fix: Option<String>,
    /// The secrets found, as (kind, path): the report adds the rotation
    /// guidance for committed secrets, once per kind.
    pub secrets: Vec<(Kind, Vec<u8>)>,
}

impl Item {
    fn pass(check: &'static str, message: impl Into<String>) -> Item {
        Item {
            check,
            status: Status::Pass,
            message: message.into(),
            details: Vec::new(),
            fix: None,
            secrets: Vec::new(),
        }
    }

    fn problem(
        check: &'static str,
        status: Status,
        message: impl Into<String>,
        details: Vec<String>,
        fix: impl Into<String>,
    ) -> Item {
        Item {
            check,
            status,
            message: message.into(),
            details,
            fix: Some(fix.into()),
            secrets: Vec::new(),
        }
    }
}

/// What loading the configuration gave.
#[derive(Debug)]
pub enum Config<'a> {
    /// The settings in effect.
    Parsed(&'a Settings),
    /// It does not parse: the diagnostic, one line per entry. The other
    /// checks then run with the defaults.
    Invalid(Vec<String>),
}

/// Every check, in the order they are reported. `policy` and `detector` are
/// the configuration's (or the defaults' when it does not parse); `env` is
/// the environment whose credentials must not be written in the repository
/// (`std::env::vars_os()`).
pub fn checklist(
    repo: &gix::Repository,
    config: &Config<'_>,
    policy: &Policy,
    detector: &Detector,
    env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<Item> {
    let index = repo.index_or_empty().ok();
    let state: Option<&gix::index::State> = index.as_ref().map(|i| -> &gix::index::State { i });
    let env_secrets = environment::secrets(detector, env);
    let (head_item, env_item) = head::head_items(repo, policy, detector, &env_secrets);
    vec![
        config_item(config),
        gitignore::gitignore_item(repo, state),
        gitignore::tracked_env_item(state),
        head_item,
        hook::hook_item(repo),
        env_item,
    ]
}

fn config_item(config: &Config<'_>) -> Item {
    const CHECK: &str = "config";
    match config {
        Config::Parsed(settings) => match &settings.config {
            Some((path, source)) => Item::pass(
                CHECK,
                format!("the configuration {} ({source}) parses", path.display()),
            ),
            None => Item::pass(
                CHECK,
                "no .intercom-guard.yaml: the defaults apply (`intercom-guard config` shows them)",
            ),
        },
        Config::Invalid(diagnostic) => Item::problem(
            CHECK,
            Status::Fail,
            "the configuration does not parse (the other checks use the defaults)",
            diagnostic.clone(),
            "correct the file at the line shown; `intercom-guard config` prints what is in effect",
        ),
    }
}
