//! The per-blob step every git mode shares: detect, and only on a hit read
//! the old version(s), keep what the change adds, apply the policy, and
//! place the findings.

use crate::detect::Detector;
use crate::finding::{CommitMeta, Finding, Stats};
use crate::policy::{Policy, added_lines, locate};

/// Scan one blob that a change adds or modifies. `olds` is called only when
/// the blob had a hit; it returns the versions it replaces (one per parent,
/// the rename or copy source, or none for a new file). Counting blobs and
/// bytes read is the caller's: it knows when a blob is read once for several
/// paths.
pub(crate) fn scan_changed_blob<E>(
    detector: &Detector,
    policy: &Policy,
    path: &[u8],
    data: &[u8],
    olds: impl FnOnce() -> Result<Vec<Vec<u8>>, E>,
    commit: Option<&CommitMeta>,
    stats: &mut Stats,
) -> Result<Vec<Finding>, E> {
    let matches = detector.find(data);
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    let olds = olds()?;
    let olds: Vec<&[u8]> = olds.iter().map(Vec::as_slice).collect();
    let matches = added_lines::keep_added(&olds, data, matches);
    let kept = policy.filter(data, matches, stats);
    Ok(locate::findings(
        data,
        &kept,
        locate::Origin { path, commit },
    ))
}
