//! `intercom-guard pre-push REMOTE URL`: the commits about to be pushed.
//!
//! Reads git's `<local ref> <local id> <remote ref> <remote id>` lines on
//! stdin. The commits to scan are those reachable from the local ids and not
//! from what the remote is known to have: the remote ids that exist locally,
//! and every remote-tracking ref of REMOTE (`refs/remotes/REMOTE/*`), the
//! union of `local --not remote` and `local --not --remotes=REMOTE`.
//! Deletions scan nothing.
//!
//! Under the pre-commit framework's pre-push stage, stdin is the
//! framework's: `PRE_COMMIT_TO_REF` is the tip and `PRE_COMMIT_FROM_REF`
//! what the remote has; when the framework pushes a whole new history it
//! sets neither, and `PRE_COMMIT_LOCAL_BRANCH` is the tip.
//!
//! The configuration is the laptop's (`--config`, or `.intercom-guard.yaml`
//! at the root of the work tree). The report is the laptop's: human on
//! stderr, JSON on stdout, with the "committed, not yet pushed" guidance.

use std::io::{self, IsTerminal as _, Read as _};
use std::path::Path;
use std::time::Instant;

use super::{CliError, CommonArgs, settings};
use crate::engine::{Judged, Outcome, Placement};
use crate::finding::Exposure;
use crate::policy::Mode;
use crate::report::Surface;
use crate::source::push::{self, PushError, PushSource, Pushed, Range};
use crate::source::quarantine;

/// What the pre-commit framework tells a pre-push stage hook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FrameworkEnv {
    pub(crate) from_ref: Option<String>,
    pub(crate) to_ref: Option<String>,
    pub(crate) remote_name: Option<String>,
    pub(crate) local_branch: Option<String>,
}

impl FrameworkEnv {
    fn from_env() -> FrameworkEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        FrameworkEnv {
            from_ref: var("PRE_COMMIT_FROM_REF"),
            to_ref: var("PRE_COMMIT_TO_REF"),
            remote_name: var("PRE_COMMIT_REMOTE_NAME"),
            local_branch: var("PRE_COMMIT_LOCAL_BRANCH"),
        }
    }

    /// Whether the framework is driving this run (then stdin is not git's).
    fn active(&self) -> bool {
        self.to_ref.is_some() || self.remote_name.is_some()
    }
}

pub(super) fn run(
    common: &CommonArgs,
    remote: Option<&str>,
    _url: Option<&str>,
) -> Result<u8, CliError> {
    let started = Instant::now();
    let hook = quarantine::open(Path::new("."))?;
    let repo = &hook.repo;
    let framework = FrameworkEnv::from_env();
    let range = if framework.active() {
        framework_range(repo, &framework, remote)?
    } else {
        stdin_range(repo, remote)?
    };

    let mut outcome = Outcome::default();
    if !range.tips.is_empty() {
        let loaded = settings::load(Mode::Laptop, common, Some(repo))?;
        let pushed = Pushed::collect(repo, &range)?;
        let source = PushSource {
            repo,
            commits: pushed.commits,
        };
        outcome = loaded.engine().run(
            &source,
            pushed.blobs,
            &Judged::default(),
            Placement::ByCommit,
        );
    }
    outcome.stats.elapsed_ms = super::elapsed_ms(started);
    super::finish(outcome, common, Surface::Hook, Exposure::Committed)
}

fn stdin_range(repo: &gix::Repository, remote: Option<&str>) -> Result<Range, PushError> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return Err(push::StdinError {
            hook: "pre-push",
            line: 0,
            reason: "stdin is a terminal, not git's list of refs being pushed".into(),
            expected: "git runs `intercom-guard pre-push REMOTE URL` with one line per ref on stdin: `<local-ref> <local-id> <remote-ref> <remote-id>`",
        }
        .into());
    }
    let mut input = Vec::new();
    stdin
        .lock()
        .read_to_end(&mut input)
        .map_err(PushError::ReadStdin)?;
    let updates = push::parse_pre_push(&input, repo.object_hash())?;
    let mut range = Range::default();
    for update in &updates {
        let Some(local) = update.local else {
            continue; // a deletion adds nothing
        };
        if update.remote == Some(local) {
            continue;
        }
        range.tips.push(local);
        if let Some(remote_id) = update.remote
            && repo.find_header(remote_id).is_ok()
        {
            range.hidden.push(remote_id);
        }
    }
    if !range.tips.is_empty() {
        range.hidden.extend(remote_tracking(repo, remote)?);
    }
    Ok(range)
}

fn framework_range(
    repo: &gix::Repository,
    env: &FrameworkEnv,
    remote: Option<&str>,
) -> Result<Range, PushError> {
    let mut range = Range::default();
    let tip = env
        .to_ref
        .as_deref()
        .or(env.local_branch.as_deref())
        .unwrap_or("HEAD");
    range.tips.push(resolve(repo, tip)?);
    if let Some(from) = env.from_ref.as_deref()
        && let Ok(id) = resolve(repo, from)
    {
        range.hidden.push(id);
    }
    range.hidden.extend(remote_tracking(
        repo,
        env.remote_name.as_deref().or(remote),
    )?);
    Ok(range)
}

/// Every remote-tracking ref of `remote`, peeled to commits.
fn remote_tracking(
    repo: &gix::Repository,
    remote: Option<&str>,
) -> Result<Vec<gix::ObjectId>, PushError> {
    match remote {
        // A URL or path (`git push https://...`) has no remote-tracking refs.
        Some(name)
            if !name.is_empty() && !name.contains(':') && !name.starts_with(['/', '.', '\\']) =>
        {
            // A name that cannot form a ref prefix has no refs either; not
            // hiding anything only makes the scan wider.
            Ok(
                push::existing_commits_under(repo, Some(&format!("refs/remotes/{name}/")))
                    .unwrap_or_default(),
            )
        }
        _ => Ok(Vec::new()),
    }
}

fn resolve(repo: &gix::Repository, spec: &str) -> Result<gix::ObjectId, PushError> {
    repo.rev_parse_single(spec)
        .map(|id| id.detach())
        .map_err(|source| PushError::Revision {
            spec: spec.to_owned(),
            source: Box::new(source),
        })
}
