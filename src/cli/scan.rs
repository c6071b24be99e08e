//! `intercom-guard scan PATH... | -`: files, folders (honouring .gitignore)
//! and stdin. Every line counts (there is no "before"); inline markers apply.

use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Instant;

use super::{CliError, CommonArgs, Sink, pipeline, settings};
use crate::finding::{Exposure, Stats};
use crate::policy::Mode;
use crate::source::files;

pub(super) fn run(paths: &[PathBuf], common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    // Inside a repository the work tree's configuration applies; outside
    // one, the current folder's. `scan` itself never needs the repository.
    let repo = settings::open_repo().ok();
    let loaded = settings::load(Mode::Laptop, common, repo.as_ref())?;
    let (detector, policy) = (&loaded.detector, &loaded.policy);
    let mut findings = Vec::new();
    let mut stats = Stats::default();
    let mut failed = 0usize;

    files::for_each(paths, |blob| match blob {
        Err(err) => {
            failed += 1;
            super::print_diagnostic(err);
        }
        Ok(blob) => {
            let is_stdin = blob.path == files::STDIN_NAME.as_bytes();
            let rel = settings::relative_to_root(&blob.path, loaded.root.as_deref());
            if !is_stdin && !policy.admits_path(&rel, &mut stats) {
                return;
            }
            stats.blobs += 1;
            stats.bytes += blob.data.len() as u64;
            let no_olds = || Ok::<_, Infallible>(Vec::new());
            let Ok(found) = pipeline::scan_changed_blob(
                detector, policy, &blob.path, &blob.data, no_olds, None, &mut stats,
            );
            findings.extend(found);
        }
    });

    stats.elapsed_ms = super::elapsed_ms(started);
    let code = super::finish(&findings, &stats, common, Sink::Stdout, Exposure::Staged)?;
    if failed > 0 {
        return Err(CliError::Incomplete { failed });
    }
    Ok(code)
}
