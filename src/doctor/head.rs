//! The files at `HEAD`: Intercom secrets through the policy, and the
//! environment's credentials anywhere (an allowlisted path or an accepted
//! fingerprint does not make a live credential in the repository fine).
//!
//! [`read_head`] is the walk (every file of HEAD's tree, read once);
//! [`head_items`] turns what it found into the two items.

use aho_corasick::AhoCorasick;

use super::environment::{self, EnvSecret};
use super::{Item, MAX_LISTED, Status};
use crate::detect::Detector;
use crate::finding::{Finding, Stats};
use crate::policy::{Policy, locate};
use crate::report::redact::sanitize;

/// The id of the "no secret in the files at HEAD" check.
const CHECK: &str = "secrets-at-head";

/// What reading the files at HEAD found.
#[derive(Debug, Default)]
struct AtHead {
    /// The secrets the policy keeps.
    findings: Vec<Finding>,
    /// `path: cause` of each file that could not be read.
    unreadable: Vec<String>,
    /// `(index into env, "path:line")` of each environment credential found.
    env_hits: Vec<(usize, String)>,
    /// What was read, accepted and suppressed.
    stats: Stats,
}

/// Why HEAD's files could not be read at all.
enum NoFiles {
    /// No commit yet.
    Unborn,
    /// HEAD or its tree is broken: the cause.
    Unreadable(String),
}

/// The `secrets-at-head` and `environment` items.
pub(super) fn head_items(
    repo: &gix::Repository,
    policy: &Policy,
    detector: &Detector,
    env: &[EnvSecret],
) -> (Item, Item) {
    match read_head(repo, policy, detector, env) {
        Ok(found) => (secrets_item(&found), environment::item(env, found.env_hits)),
        Err(NoFiles::Unborn) => (
            Item::pass(CHECK, "no commit yet: nothing at HEAD"),
            environment::item(env, Vec::new()),
        ),
        Err(NoFiles::Unreadable(cause)) => {
            (unreadable_head(cause), environment::item(env, Vec::new()))
        }
    }
}

/// Every regular file at HEAD, through the detector and the policy; and
/// each of `env`'s credentials wherever it is written, as is or in another
/// spelling (same fingerprint), before the policy.
fn read_head(
    repo: &gix::Repository,
    policy: &Policy,
    detector: &Detector,
    env: &[EnvSecret],
) -> Result<AtHead, NoFiles> {
    let tree = match repo.head_tree_id() {
        Ok(id) => id.detach(),
        Err(_) if repo.head().is_ok_and(|h| h.is_unborn()) => return Err(NoFiles::Unborn),
        Err(err) => return Err(NoFiles::Unreadable(err.to_string())),
    };
    let files = repo
        .index_from_tree(&tree)
        .map_err(|err| NoFiles::Unreadable(err.to_string()))?;
    let env_matcher = AhoCorasick::new(env.iter().map(|e| e.value.as_slice())).ok();
    let mut found = AtHead::default();
    for entry in files.entries() {
        if entry.mode != gix::index::entry::Mode::FILE
            && entry.mode != gix::index::entry::Mode::FILE_EXECUTABLE
        {
            continue;
        }
        let path = entry.path(&files).to_vec();
        let shown = sanitize(&String::from_utf8_lossy(&path));
        let data = match repo.find_blob(entry.id) {
            Ok(mut blob) => blob.take_data(),
            Err(err) => {
                found.unreadable.push(format!("{shown}: {err}"));
                continue;
            }
        };
        if let Some(ac) = &env_matcher {
            for m in ac.find_iter(&data) {
                let line = data[..m.start()].iter().filter(|&&b| b == b'\n').count() + 1;
                found
                    .env_hits
                    .push((m.pattern().as_usize(), format!("{shown}:{line}")));
            }
        }
        let matches = detector.find(&data);
        // The same credential written another way (encoded, escaped).
        for m in &matches {
            if let Some(i) = env.iter().position(|e| e.fingerprint == m.fingerprint) {
                let line = data[..m.start].iter().filter(|&&b| b == b'\n').count() + 1;
                found.env_hits.push((i, format!("{shown}:{line}")));
            }
        }
        if !policy.admits_path(&path, &mut found.stats) {
            continue;
        }
        found.stats.blobs += 1;
        found.stats.bytes += data.len() as u64;
        let kept = policy.filter(&data, matches, &mut found.stats);
        found.findings.extend(locate::findings(
            &data,
            &kept,
            locate::Origin {
                path: &path,
                commit: None,
            },
        ));
    }
    Ok(found)
}

fn secrets_item(found: &AtHead) -> Item {
    let AtHead {
        findings,
        unreadable,
        stats,
        ..
    } = found;
    if !findings.is_empty() || !unreadable.is_empty() {
        let mut details: Vec<String> = findings
            .iter()
            .take(MAX_LISTED)
            .map(|f| {
                format!(
                    "{}:{} {} (fingerprint {})",
                    sanitize(&String::from_utf8_lossy(&f.path)),
                    f.line
                        .map_or_else(|| "binary".to_owned(), |l| l.to_string()),
                    f.kind.describe(),
                    f.fingerprint
                )
            })
            .collect();
        if findings.len() > MAX_LISTED {
            details.push(format!("… and {} more", findings.len() - MAX_LISTED));
        }
        details.extend(unreadable.iter().map(|u| format!("unreadable: {u}")));
        return Item::problem(
            CHECK,
            Status::Fail,
            format!(
                "{} Intercom secret{} in the files at HEAD",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            ),
            details,
            "rotate each secret now (`intercom-guard scan .` prints the steps), remove it from the \
             files, and purge history with `git filter-repo --replace-text`; a known false \
             positive goes to allow.fingerprints or allow.paths in .intercom-guard.yaml",
        );
    }
    let mut message = format!(
        "no Intercom secret in the {} file{} at HEAD",
        stats.blobs,
        if stats.blobs == 1 { "" } else { "s" }
    );
    let mut notes = Vec::new();
    if stats.accepted > 0 {
        notes.push(format!("{} accepted", stats.accepted));
    }
    if stats.suppressed_inline > 0 {
        notes.push(format!(
            "{} suppressed by intercom-guard:allow",
            stats.suppressed_inline
        ));
    }
    if stats.allowlisted_paths > 0 {
        notes.push(format!("{} allowlisted paths", stats.allowlisted_paths));
    }
    if !notes.is_empty() {
        message.push_str(&format!(" ({})", notes.join(", ")));
    }
    Item::pass(CHECK, message)
}

/// The HEAD check when HEAD's tree cannot be read.
fn unreadable_head(cause: String) -> Item {
    Item::problem(
        CHECK,
        Status::Fail,
        "cannot read the tree of HEAD",
        vec![cause],
        "`git fsck` names the broken objects",
    )
}
