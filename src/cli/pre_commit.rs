//! `intercom-guard pre-commit`: the lines added by the staged change.
//!
//! Reads the blobs the index changes relative to `HEAD`; the blobs they
//! replace (their own `HEAD` version and whatever the change deletes or
//! replaces elsewhere: moves and copies) are read only when the new one had
//! a hit, to drop secrets that sit on lines the change does not add. The human report goes to stderr (a
//! hook's stdout is often swallowed), JSON to stdout.

use std::path::Path;
use std::time::Instant;

use super::{CliError, CommonArgs, Sink, pipeline, settings};
use crate::finding::{Exposure, Stats};
use crate::policy::Mode;
use crate::report::Format;
use crate::source::StagedChange;

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
        stats.blobs += 1;
        stats.bytes += data.len() as u64;
        let olds = || staged.olds(entry);
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
