//! `intercom-guard pre-commit`: the lines added by the staged change.
//!
//! Reads the blobs the index changes relative to `HEAD`; the blob they
//! replace is read only when the new one had a hit, to drop secrets that sit
//! on lines the change does not add. The human report goes to stderr (a
//! hook's stdout is often swallowed), JSON to stdout.

use std::path::Path;
use std::time::Instant;

use super::{CliError, CommonArgs, Sink, pipeline, settings};
use crate::finding::{Exposure, Stats};
use crate::policy::Mode;
use crate::report::Format;
use crate::source::staged::Change;
use crate::source::{GitError, StagedChange};

pub(super) fn run(common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let repo = settings::open_repo()?;
    let loaded = settings::load(Mode::Laptop, common, Some(&repo))?;
    let (detector, policy) = (&loaded.detector, &loaded.policy);
    let staged = StagedChange::discover(Path::new("."))?;
    let mut findings = Vec::new();
    let mut stats = Stats::default();

    for entry in staged.entries() {
        if !policy.admits_path(&entry.path, &mut stats) {
            continue;
        }
        let data = staged.read_blob(&entry.id, &entry.path)?;
        let olds = || -> Result<Vec<Vec<u8>>, GitError> {
            let Some(old_id) = entry.old_id else {
                return Ok(Vec::new());
            };
            let old_path = match &entry.change {
                Change::Renamed { from } | Change::Copied { from } => from,
                Change::Added | Change::Modified => &entry.path,
            };
            Ok(vec![staged.read_blob(&old_id, old_path)?])
        };
        findings.extend(pipeline::scan_changed_blob(
            detector,
            policy,
            &entry.path,
            &data,
            olds,
            None,
            &mut stats,
        )?);
    }

    stats.elapsed_ms = super::elapsed_ms(started);
    let sink = match common.format {
        Format::Human => Sink::Stderr,
        Format::Json | Format::Sarif => Sink::Stdout,
    };
    super::finish(&findings, &stats, common, sink, Exposure::Staged)
}
