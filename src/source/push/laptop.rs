//! What a laptop is about to push (`pre-push`): git's `<local ref> <local
//! id> <remote ref> <remote id>` lines on stdin, or, under the pre-commit
//! framework's pre-push stage, its `PRE_COMMIT_*` variables; and what the
//! remote is known to have: the remote ids that exist locally and every
//! remote-tracking ref of the remote (`refs/remotes/REMOTE/*`). Deletions
//! push nothing.

use std::io::{self, IsTerminal as _, Read as _};

use super::{PushError, Range, StdinError, existing_commits_under, parse_pre_push};

/// The range `pre-push` scans: from the framework's variables when it
/// drives the hook, else from git's stdin.
pub fn pre_push_range(repo: &gix::Repository, remote: Option<&str>) -> Result<Range, PushError> {
    let framework = FrameworkEnv::from_env();
    if framework.active() {
        framework_range(repo, &framework, remote)
    } else {
        stdin_range(repo, remote)
    }
}

/// What the pre-commit framework tells a pre-push stage hook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct FrameworkEnv {
    from_ref: Option<String>,
    to_ref: Option<String>,
    remote_name: Option<String>,
    local_branch: Option<String>,
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

fn stdin_range(repo: &gix::Repository, remote: Option<&str>) -> Result<Range, PushError> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return Err(StdinError {
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
    let updates = parse_pre_push(&input, repo.object_hash())?;
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
                existing_commits_under(repo, Some(&format!("refs/remotes/{name}/")))
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
