//! `intercom-guard pre-commit`: the lines added by the staged change.
//!
//! Reads the blobs the index changes relative to `HEAD`; the blob they
//! replace is read only when the new one had a hit, to drop secrets that sit
//! on lines the change does not add. The human report goes to stderr (a
//! hook's stdout is often swallowed), JSON to stdout.

use std::path::Path;
use std::time::Instant;

use super::{CliError, CommonArgs, Sink};
use crate::finding::{Exposure, Stats};
use crate::policy::{added_lines, inline, locate};
use crate::report::Format;
use crate::source::StagedChange;
use crate::source::staged::Change;

pub(super) fn run(common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let detector = super::detector(common);
    let staged = StagedChange::discover(Path::new("."))?;
    let mut findings = Vec::new();
    let mut stats = Stats::default();

    for entry in staged.entries() {
        let data = staged.read_blob(&entry.id, &entry.path)?;
        stats.blobs += 1;
        stats.bytes += data.len() as u64;
        let matches = detector.find(&data);
        if matches.is_empty() {
            continue;
        }
        let old = match entry.old_id {
            Some(old_id) => {
                let old_path = match &entry.change {
                    Change::Renamed { from } | Change::Copied { from } => from,
                    Change::Added | Change::Modified => &entry.path,
                };
                Some(staged.read_blob(&old_id, old_path)?)
            }
            None => None,
        };
        let matches = added_lines::keep_added(old.as_deref(), &data, matches);
        let (kept, suppressed) = inline::drop_suppressed(&data, matches);
        stats.suppressed_inline += suppressed;
        let origin = locate::Origin {
            path: &entry.path,
            commit: None,
        };
        findings.extend(locate::findings(&data, &kept, origin));
    }

    stats.elapsed_ms = super::elapsed_ms(started);
    let sink = match common.format {
        Format::Human => Sink::Stderr,
        Format::Json => Sink::Stdout,
    };
    super::finish(&findings, &stats, common, sink, Exposure::Staged)
}
