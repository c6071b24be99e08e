//! `intercom-guard scan PATH... | -`: files, folders (honouring .gitignore)
//! and stdin. Every line counts (there is no "before"); inline markers apply.

use std::path::PathBuf;
use std::time::Instant;

use super::{CliError, CommonArgs, Sink};
use crate::finding::{Exposure, Stats};
use crate::policy::{inline, locate};
use crate::source::files;

pub(super) fn run(paths: &[PathBuf], common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let detector = super::detector(common);
    let mut findings = Vec::new();
    let mut stats = Stats::default();
    let mut failed = 0usize;

    files::for_each(paths, |blob| match blob {
        Err(err) => {
            failed += 1;
            super::print_diagnostic(err);
        }
        Ok(blob) => {
            stats.blobs += 1;
            stats.bytes += blob.data.len() as u64;
            let matches = detector.find(&blob.data);
            if matches.is_empty() {
                return;
            }
            let (kept, suppressed) = inline::drop_suppressed(&blob.data, matches);
            stats.suppressed_inline += suppressed;
            let origin = locate::Origin {
                path: &blob.path,
                commit: None,
            };
            findings.extend(locate::findings(&blob.data, &kept, origin));
        }
    });

    stats.elapsed_ms = super::elapsed_ms(started);
    let code = super::finish(&findings, &stats, common, Sink::Stdout, Exposure::Staged)?;
    if failed > 0 {
        return Err(CliError::Incomplete { failed });
    }
    Ok(code)
}
