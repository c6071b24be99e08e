//! The files at `HEAD`: Intercom secrets through the policy, and the
//! environment's credentials anywhere (an allowlisted path or an accepted
//! fingerprint does not make a live credential in the repository fine).
//!
//! The secrets go through the engine like every mode's (the source is
//! every file of HEAD's tree, with no "before"); the environment's
//! credentials are looked for in a pass of their own, only when the
//! environment holds one.

use aho_corasick::AhoCorasick;

use super::environment::{self, EnvSecret};
use super::{Item, MAX_LISTED, Status};
use crate::detect::Detector;
use crate::engine::{Engine, Judged, Outcome, Placement};
use crate::policy::Policy;
use crate::source::blob::{Blob, Reader as _, Source as _};
use crate::source::tree_files::{NoTree, TreeFiles};

/// The id of the "no secret in the files at HEAD" check.
const CHECK: &str = "secrets-at-head";

/// The `secrets-at-head` and `environment` items.
pub(super) fn head_items(
    repo: &gix::Repository,
    policy: &Policy,
    detector: &Detector,
    env: &[EnvSecret],
) -> (Item, Item) {
    let (files, blobs) = match TreeFiles::at_head(repo) {
        Ok(found) => found,
        Err(NoTree::Unborn) => {
            return (
                Item::pass(CHECK, "no commit yet: nothing at HEAD"),
                environment::item(env, Vec::new()),
            );
        }
        Err(NoTree::Unreadable(cause)) => {
            return (unreadable_head(cause), environment::item(env, Vec::new()));
        }
    };
    let env_hits = env_hits(&files, &blobs, detector, env);
    let outcome =
        Engine::new(detector, policy).run(&files, blobs, &Judged::default(), Placement::AsListed);
    (secrets_item(&outcome), environment::item(env, env_hits))
}

/// `(index into env, "path:line")` of each of `env`'s credentials wherever
/// it is written at HEAD, as is or in another spelling (same fingerprint),
/// before the policy: an allowlisted path or an accepted fingerprint does
/// not make a live credential in the repository fine. Reads every file
/// (a second time), only when the environment holds a credential.
fn env_hits(
    files: &TreeFiles,
    blobs: &[Blob],
    detector: &Detector,
    env: &[EnvSecret],
) -> Vec<(usize, String)> {
    let Some(matcher) = (!env.is_empty())
        .then(|| AhoCorasick::new(env.iter().map(|e| e.value.as_slice())).ok())
        .flatten()
    else {
        return Vec::new();
    };
    let mut reader = files.reader();
    let mut hits = Vec::new();
    for blob in blobs {
        let path = &blob.occurrences[0].path;
        // An unreadable file is the secrets check's problem to report.
        let Ok(data) = reader.read(&blob.id, path) else {
            continue;
        };
        let shown = String::from_utf8_lossy(path).into_owned();
        let line = |at: usize| data[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        for m in matcher.find_iter(&data) {
            hits.push((
                m.pattern().as_usize(),
                format!("{shown}:{}", line(m.start())),
            ));
        }
        for m in detector.find(&data) {
            if let Some(i) = env.iter().position(|e| e.fingerprint == m.fingerprint) {
                hits.push((i, format!("{shown}:{}", line(m.start))));
            }
        }
    }
    hits
}

fn secrets_item(found: &Outcome) -> Item {
    let Outcome {
        findings,
        problems,
        stats,
    } = found;
    let unreadable: Vec<String> = problems
        .iter()
        .map(|p| {
            let path = p.path.as_deref().unwrap_or_default();
            format!(
                "{}: {}",
                String::from_utf8_lossy(path).into_owned(),
                p.message()
            )
        })
        .collect();
    if !findings.is_empty() || !unreadable.is_empty() {
        let mut details: Vec<String> = findings
            .iter()
            .take(MAX_LISTED)
            .map(|f| {
                format!(
                    "{}:{} {} (fingerprint {})",
                    String::from_utf8_lossy(&f.path),
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
        let mut item = Item::problem(
            CHECK,
            Status::Fail,
            format!(
                "{} Intercom secret{} in the files at HEAD",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            ),
            details,
            "these are committed: the steps below take them out of the commits and rotate \
             them; a known false positive goes to allow.fingerprints or allow.paths in \
             .intercom-guard.yaml",
        );
        item.secrets = findings.iter().map(|f| (f.kind, f.path.clone())).collect();
        return item;
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
