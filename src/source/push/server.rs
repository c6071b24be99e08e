//! The new commits of a push on the server, at the cost of the push rather
//! than of the server's refs.
//!
//! What is new is what `git rev-list NEW --not --all` prints in the hook:
//! commits reachable from the new tips and from no ref the server had. Read
//! the naive way, that lists and peels every ref (tens of thousands on a
//! hosting platform, `refs/pull/*` among them) before a walk that stops
//! after a few steps.
//!
//! In git's quarantine the answer usually needs none of them:
//!
//! 1. Walk from the new tips, hiding only what certainly was a ref before
//!    the push: the old value of every updated ref (git hands them on
//!    stdin) and `HEAD`. That walk lists a superset of the new commits.
//! 2. Every commit the push brings is in the quarantine and not in the
//!    server's own object store ([`super::super::quarantine::HookRepo::known`]);
//!    a commit outside that store cannot be reachable from any ref the
//!    server had. So when every commit of step 1 is outside the store, step
//!    1 listed exactly the new commits.
//! 3. Otherwise (the push reaches commits the server had without passing
//!    an old value or `HEAD`: a merge of another branch, a branch started
//!    on another branch), the walk runs again hiding every ref, as before.
//!
//! Outside a quarantine (no `GIT_QUARANTINE_PATH`), step 3 is the only one.

use gix::ObjectId;
use gix::objs::Exists as _;

use super::{PushError, Range, RefUpdate, Walked, existing_commits};

/// Which walk answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Hiding the old values and `HEAD` was enough (step 2).
    ByOldValues,
    /// Every ref was listed (step 3).
    ByAllRefs,
}

/// The new commits of the ref updates `updates` in `repo`, with `known` the
/// server's object store as it was before the push (`None` outside a
/// quarantine).
pub fn walk_pre_receive(
    repo: &gix::Repository,
    known: Option<&gix::OdbHandle>,
    updates: &[RefUpdate],
) -> Result<(Walked, Answered), PushError> {
    let tips: Vec<ObjectId> = updates
        .iter()
        .filter(|u| u.new.is_some() && u.new != u.old)
        .filter_map(|u| u.new)
        .collect();
    if let Some(known) = known {
        let mut hidden: Vec<ObjectId> = updates.iter().filter_map(|u| u.old).collect();
        if let Ok(head) = repo.head_id() {
            hidden.push(head.detach());
        }
        let range = Range {
            tips: tips.clone(),
            hidden,
        };
        let walked = Walked::walk(repo, &range)?;
        if walked.commits.iter().all(|id| !known.exists(id)) {
            return Ok((walked, Answered::ByOldValues));
        }
    }
    let range = Range {
        tips,
        hidden: existing_commits(repo)?,
    };
    Ok((Walked::walk(repo, &range)?, Answered::ByAllRefs))
}
