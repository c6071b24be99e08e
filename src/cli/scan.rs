//! `intercom-guard scan PATH... | -`: files, folders (honouring .gitignore)
//! and stdin. Every line counts (there is no "before"); inline markers apply.

use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Instant;

use super::{CliError, CommonArgs, Sink, pipeline};
use crate::finding::{Exposure, Stats};
use crate::policy::Policy;
use crate::source::files;

pub(super) fn run(paths: &[PathBuf], common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let detector = super::detector(common);
    let mut findings = Vec::new();
    let mut stats = Stats::default();
    let mut failed = 0usize;
    let policy = Policy::laptop();

    files::for_each(paths, |blob| match blob {
        Err(err) => {
            failed += 1;
            super::print_diagnostic(err);
        }
        Ok(blob) => {
            if !policy.admits_path(&blob.path, &mut stats) {
                return;
            }
            let no_olds = || Ok::<_, Infallible>(Vec::new());
            let Ok(found) = pipeline::scan_changed_blob(
                &detector, &policy, &blob.path, &blob.data, no_olds, None, &mut stats,
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
