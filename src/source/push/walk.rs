//! The new commits of a push: git's own `limit_list` walk, which stops
//! where the push joins the history the other side has.

use std::collections::HashMap;

use gix::ObjectId;
use gix::objs::FindExt as _;

use super::PushError;

/// An annotated tag met while peeling: its id and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagObject {
    pub id: ObjectId,
    pub name: Vec<u8>,
}

/// Follow annotated tags: the final object and its kind.
pub(super) fn peel(
    repo: &gix::Repository,
    id: ObjectId,
) -> Result<(ObjectId, gix::object::Kind), PushError> {
    peel_collecting(repo, id, &mut Vec::new())
}

/// Follow annotated tags, adding each tag object met to `tags`: the final
/// object and its kind.
pub(super) fn peel_collecting(
    repo: &gix::Repository,
    id: ObjectId,
    tags: &mut Vec<TagObject>,
) -> Result<(ObjectId, gix::object::Kind), PushError> {
    let mut id = id;
    // Tag chains are short; the bound only guards against a cycle.
    for _ in 0..64 {
        let object = repo.find_object(id).map_err(|source| PushError::Object {
            what: "pushed object",
            id,
            source,
        })?;
        if object.kind != gix::object::Kind::Tag {
            return Ok((id, object.kind));
        }
        let tag_err = |source| PushError::Object {
            what: "tag",
            id,
            source,
        };
        let tag = object.into_tag();
        let name = tag.decode().map_err(tag_err)?.name.to_vec();
        tags.push(TagObject { id, name });
        id = tag.target_id().map_err(tag_err)?.detach();
    }
    Ok((id, gix::object::Kind::Tag))
}

/// Every commit reachable from `tips` and from none of `hidden`, newest
/// first: what `git rev-list TIPS --not HIDDEN` prints.
///
/// The walk is git's own (`limit_list` in revision.c): one queue ordered by
/// committer date, newest first, where hidden commits paint their ancestors
/// uninteresting; it stops once every queued commit is uninteresting (after
/// a few more steps, git's "slop", for clock skew). It never walks the
/// hidden history below the point where the new commits join it, so a
/// one-commit push costs a handful of object reads however large the
/// repository and however many old tags it has. (gix's `with_hidden` paints
/// until every hidden-only commit is exhausted, which walks the whole
/// history when a tag points deep into it.)
pub fn new_commits(
    repo: &gix::Repository,
    tips: &[ObjectId],
    hidden: &[ObjectId],
) -> Result<Vec<ObjectId>, PushError> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let mut walk = Walk {
        repo,
        nodes: HashMap::new(),
        queue: std::collections::BinaryHeap::new(),
        seq: 0,
        interesting_queued: 0,
        buf: Vec::new(),
    };
    for &id in hidden {
        walk.mark_uninteresting(id)?;
    }
    for &id in tips {
        if !walk.nodes.contains_key(&id) {
            walk.enqueue(id, false)?;
        }
    }
    const SLOP: u32 = 5;
    let mut slop = SLOP;
    let mut out = Vec::new();
    while let Some(Queued { id, .. }) = walk.queue.pop() {
        let node = walk.nodes.get_mut(&id).expect("queued commits are known");
        node.queued = false;
        node.done = true;
        let uninteresting = node.uninteresting;
        let parents = node.parents.clone();
        if uninteresting {
            for parent in parents {
                walk.mark_uninteresting(parent)?;
            }
        } else {
            walk.interesting_queued -= 1;
            out.push(id);
            for parent in parents {
                if !walk.nodes.contains_key(&parent) {
                    walk.enqueue(parent, false)?;
                }
            }
        }
        if walk.interesting_queued == 0 {
            slop -= 1;
            if slop == 0 {
                break;
            }
        } else {
            slop = SLOP;
        }
    }
    out.retain(|id| !walk.nodes[id].uninteresting);
    Ok(out)
}

/// A commit the walk has seen.
struct Node {
    parents: Vec<ObjectId>,
    uninteresting: bool,
    queued: bool,
    /// Popped: its parents were queued.
    done: bool,
}

/// A queue entry: newest committer date first, then first queued first.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Queued {
    time: i64,
    seq: std::cmp::Reverse<u64>,
    id: ObjectId,
}

struct Walk<'repo> {
    repo: &'repo gix::Repository,
    nodes: HashMap<ObjectId, Node>,
    queue: std::collections::BinaryHeap<Queued>,
    seq: u64,
    interesting_queued: usize,
    buf: Vec<u8>,
}

impl Walk<'_> {
    /// Read a commit and queue it.
    fn enqueue(&mut self, id: ObjectId, uninteresting: bool) -> Result<(), PushError> {
        let err = |source: gix::Error| PushError::Walk { tip: id, source };
        let iter = self
            .repo
            .objects
            .find_commit_iter(&id, &mut self.buf)
            .map_err(err)?;
        let parents: Vec<ObjectId> = iter.parent_ids().collect();
        let time = iter
            .committer()
            .ok()
            .and_then(|c| c.time().ok())
            .map_or(0, |t| t.seconds);
        self.nodes.insert(
            id,
            Node {
                parents,
                uninteresting,
                queued: true,
                done: false,
            },
        );
        if !uninteresting {
            self.interesting_queued += 1;
        }
        self.seq += 1;
        self.queue.push(Queued {
            time,
            seq: std::cmp::Reverse(self.seq),
            id,
        });
        Ok(())
    }

    /// Mark `id` uninteresting; a commit already walked passes it on to
    /// the ancestors it queued. A hidden id that is not a readable commit
    /// only makes the scan wider and is skipped.
    fn mark_uninteresting(&mut self, id: ObjectId) -> Result<(), PushError> {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            match self.nodes.get_mut(&id) {
                None => match self.repo.find_header(id).map(|h| h.kind()) {
                    Ok(gix::object::Kind::Commit) => self.enqueue(id, true)?,
                    Ok(gix::object::Kind::Tag) => {
                        if let Ok((target, gix::object::Kind::Commit)) = peel(self.repo, id) {
                            stack.push(target);
                        }
                    }
                    _ => {}
                },
                Some(node) if node.uninteresting => {}
                Some(node) => {
                    node.uninteresting = true;
                    if node.queued {
                        self.interesting_queued -= 1;
                    }
                    if node.done {
                        stack.extend(node.parents.iter().copied());
                    }
                }
            }
        }
        Ok(())
    }
}
