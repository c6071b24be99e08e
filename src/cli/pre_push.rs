//! `intercom-guard pre-push REMOTE URL`: the commits about to be pushed.
//!
//! Reads git's `<local ref> <local id> <remote ref> <remote id>` lines on
//! stdin. The commits to scan are those reachable from the local ids and not
//! from what the remote is known to have: the remote ids that exist locally,
//! and every remote-tracking ref of REMOTE (`refs/remotes/REMOTE/*`), the
//! union of `local --not remote` and `local --not --remotes=REMOTE`.
//! Deletions scan nothing. Besides the files: the targets of symbolic links,
//! the messages of the new commits and of the annotated tags pushed.
//!
//! Under the pre-commit framework's pre-push stage, stdin is the
//! framework's: `PRE_COMMIT_TO_REF` is the tip and `PRE_COMMIT_FROM_REF`
//! what the remote has; when the framework pushes a whole new history it
//! sets neither, and `PRE_COMMIT_LOCAL_BRANCH` is the tip.
//!
//! The configuration is the laptop's (`--config`, or `.intercom-guard.yaml`
//! at the root of the work tree). The report is the laptop's: human on
//! stderr, JSON on stdout, with the "committed, not yet pushed" guidance.

use std::path::Path;
use std::time::Instant;

use super::{CliError, CommonArgs, settings};
use crate::engine::{Judged, Outcome, Placement};
use crate::finding::Exposure;
use crate::policy::Mode;
use crate::report::Surface;
use crate::source::push::{PushSource, Pushed, pre_push_range};
use crate::source::quarantine;

pub(super) fn run(
    common: &CommonArgs,
    remote: Option<&str>,
    _url: Option<&str>,
) -> Result<u8, CliError> {
    let started = Instant::now();
    let hook = quarantine::open(Path::new("."))?;
    let repo = &hook.repo;
    let range = pre_push_range(repo, remote)?;

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
        super::verify(&mut outcome, &loaded.settings, None);
    }
    outcome.stats.elapsed_ms = super::elapsed_ms(started);
    super::finish(outcome, common, Surface::Hook, Exposure::Committed)
}
