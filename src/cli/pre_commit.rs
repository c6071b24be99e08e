//! `intercom-guard pre-commit`: the lines added by the staged change (files,
//! and the targets of symbolic links).
//!
//! The source lists the blobs the index changes relative to `HEAD`, each
//! with the blobs it replaces (its own `HEAD` version and whatever the
//! change deletes or replaces elsewhere: moves and copies); the engine reads
//! those only when the new blob had a hit, to drop secrets on lines the
//! change does not add. The human report goes to stderr (a hook's stdout is
//! often swallowed), JSON to stdout.

use std::time::Instant;

use super::{CliError, CommonArgs, settings};
use crate::engine::{Judged, Placement};
use crate::finding::Exposure;
use crate::policy::Mode;
use crate::report::Surface;
use crate::source::{GitError, StagedChange, StagedIndex};

pub(super) fn run(common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let repo = settings::open_repo()?;
    if repo.is_bare() {
        // An empty index against HEAD would read as "everything deleted",
        // which adds nothing: a pass for a check that never ran.
        return Err(GitError::Bare {
            git_dir: repo.git_dir().to_owned(),
            mode: "pre-commit",
        }
        .into());
    }
    // The index is read on a second thread while the settings are loaded
    // and the detector built; one opening of the repository serves both.
    let (index_path, hash) = (repo.index_path(), repo.object_hash());
    let (loaded, index) = std::thread::scope(|scope| {
        let index = scope.spawn(|| StagedIndex::read(&index_path, hash));
        let loaded = settings::load(Mode::Laptop, common, Some(&repo));
        let index = index
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, index)
    });
    let loaded = loaded?;
    let staged = StagedChange::with_index(repo, index?)?;
    let mut outcome = loaded.engine().run(
        &staged,
        staged.blobs(),
        &Judged::default(),
        Placement::AsListed,
    );
    super::verify(&mut outcome, &loaded.settings, None);
    outcome.stats.elapsed_ms = super::elapsed_ms(started);
    super::finish(outcome, common, Surface::Hook, Exposure::Staged)
}
