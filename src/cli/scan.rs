//! `intercom-guard scan PATH... | -`: files, folders (honouring .gitignore)
//! and stdin. Every line counts (there is no "before"); inline markers apply.

use std::path::PathBuf;
use std::time::Instant;

use super::{CliError, CommonArgs, settings};
use crate::engine::{Judged, Placement};
use crate::finding::Exposure;
use crate::policy::Mode;
use crate::report::Surface;
use crate::source::files::Files;

pub(super) fn run(paths: &[PathBuf], common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    // Inside a repository the work tree's configuration applies; outside
    // one, the current folder's. `scan` itself never needs the repository.
    let repo = settings::open_repo_for_config().ok();
    let loaded = settings::load(Mode::Laptop, common, repo.as_ref())?;
    let (files, blobs, problems) = Files::list(paths, loaded.root.as_deref());
    let mut outcome = loaded
        .engine()
        .run(&files, blobs, &Judged::default(), Placement::AsListed);
    outcome.problems.splice(0..0, problems);
    super::verify(&mut outcome, &loaded.settings, None);
    outcome.stats.elapsed_ms = super::elapsed_ms(started);
    super::finish(outcome, common, Surface::Terminal, Exposure::OnDisk)
}
