//! The blobs a push can bring back from what the server already had.
//!
//! A push's new trees name old objects: the files and folders a commit did
//! not touch, and whatever it copied or moved from older commits. Any of
//! those blobs could sit at a new path in a new commit, and every blob of
//! an old folder could. A push adds no secret when no blob of its own and
//! none of these matched the detector at all, whatever their paths; this
//! lists the latter so the quarantine scan can say so without comparing a
//! single commit with its parents. It gives up (`None`) when that would
//! read more than its budget, and the commits are compared as usual.

use gix::ObjectId;
use gix::hashtable::HashSet;
use gix::objs::FindExt as _;

use super::quarantine::Outside;

/// At most this many trees are read to list what the old folders hold.
pub const MAX_TREES: usize = 20_000;
/// At most this many distinct old blobs are listed.
pub const MAX_BLOBS: usize = 100_000;

/// The distinct blobs that `outside` names or holds (every blob under its
/// trees, submodules aside), sorted; `None` when a tree cannot be read or
/// parsed, a quarantine object did not parse, or the budget is spent.
pub fn blobs_under(repo: &gix::Repository, outside: &Outside) -> Option<Vec<ObjectId>> {
    if outside.unparsable {
        return None;
    }
    let mut blobs: HashSet<ObjectId> = outside.blobs.clone();
    let mut seen: HashSet<ObjectId> = HashSet::default();
    let mut stack: Vec<ObjectId> = outside.trees.iter().copied().collect();
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if seen.len() > MAX_TREES {
            return None;
        }
        let tree = repo.objects.find_tree_iter(&id, &mut buf).ok()?;
        for entry in tree {
            let entry = entry.ok()?;
            if entry.mode.is_commit() {
                continue;
            }
            if entry.mode.is_tree() {
                stack.push(entry.oid.to_owned());
            } else {
                blobs.insert(entry.oid.to_owned());
                if blobs.len() > MAX_BLOBS {
                    return None;
                }
            }
        }
    }
    let mut blobs: Vec<ObjectId> = blobs.into_iter().collect();
    blobs.sort();
    Some(blobs)
}

/// Read each of `ids` (on every core) and hand its bytes to `judge`: each
/// id with `judge`'s answer, in the order of `ids`; `None` when one cannot
/// be read.
pub fn judge_each<T, J>(
    repo: &gix::Repository,
    ids: &[ObjectId],
    judge: J,
) -> Option<Vec<(ObjectId, Option<T>)>>
where
    T: Send,
    J: Fn(&[u8]) -> Option<T> + Sync,
{
    let parts = crate::parallel::in_chunks(
        ids,
        64,
        || repo.clone(),
        |repo, _, part| {
            let mut buf = Vec::new();
            part.iter()
                .map(|id| {
                    let data = repo.objects.find_blob(id, &mut buf).ok()?;
                    Some((*id, judge(data.data)))
                })
                .collect::<Option<Vec<_>>>()
        },
    );
    let mut out = Vec::with_capacity(ids.len());
    for part in parts {
        out.extend(part?);
    }
    Some(out)
}
