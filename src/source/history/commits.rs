//! The commits a sweep walks: every ref's tips, a range as `git rev-list`
//! selects it, everything reachable (shallow boundaries and missing
//! parents reported), and generation numbers to order commits of the same
//! time.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::Find;

use super::{HistoryError, object_error};

/// Every ref (and `HEAD`) peeled: commits are returned as tips; refs that
/// end at a tree or a blob are added to `others` with their name. A ref
/// whose object cannot be read or peeled is a tip too: the walk then names
/// what is damaged (never a ref silently left out, with what lies below).
pub(super) fn tips(
    repo: &gix::Repository,
    others: &mut Vec<(String, ObjectId)>,
) -> Result<Vec<ObjectId>, HistoryError> {
    let mut tips = Vec::new();
    match repo.head_id() {
        Ok(head) => tips.push(head.detach()),
        Err(_) => tips.extend(repo.head().ok().and_then(|h| h.id()).map(|id| id.detach())),
    }
    let platform = repo
        .references()
        .map_err(|source| HistoryError::Refs { source })?;
    let all = platform
        .all()
        .map_err(|source| HistoryError::Refs { source })?;
    for reference in all {
        let Ok(mut reference) = reference else {
            continue;
        };
        let name = reference.name().as_bstr().to_str_lossy().into_owned();
        let direct = reference.try_id().map(|id| id.detach());
        let id = match reference.peel_to_id() {
            Ok(id) => id.detach(),
            Err(_) => {
                tips.extend(direct);
                continue;
            }
        };
        match repo.find_header(id).map(|h| h.kind()) {
            Ok(gix::object::Kind::Commit) | Err(_) => tips.push(id),
            Ok(gix::object::Kind::Tree | gix::object::Kind::Blob) => others.push((name, id)),
            Ok(gix::object::Kind::Tag) => {}
        }
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// Every annotated tag that a ref (all refs, or those under `prefix`)
/// names, each tag of a chain, with the object the chain ends at: (tag,
/// peeled). A tag that cannot be read is a problem and ends its chain.
pub(super) fn tag_chains(
    repo: &gix::Repository,
    prefix: Option<&str>,
    problems: &mut Vec<HistoryError>,
) -> Result<Vec<(ObjectId, ObjectId)>, HistoryError> {
    let refs_err = |source| HistoryError::Refs { source };
    let platform = repo.references().map_err(refs_err)?;
    let all = match prefix {
        Some(prefix) => platform.prefixed(prefix).map_err(refs_err)?,
        None => platform.all().map_err(refs_err)?,
    };
    let hash = repo.object_hash();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for reference in all {
        let Some(mut id) = reference
            .ok()
            .and_then(|r| r.try_id().map(|id| id.detach()))
        else {
            continue;
        };
        let mut chain = Vec::new();
        // Tag chains are short; the bound only guards against a cycle.
        for _ in 0..64 {
            if !repo
                .find_header(id)
                .is_ok_and(|h| h.kind() == gix::object::Kind::Tag)
            {
                break;
            }
            let target = match repo.objects.try_find(&id, &mut buf) {
                Ok(Some(data)) => gix::objs::TagRefIter::from_bytes(data.data, hash).target_id(),
                Ok(None) => {
                    problems.push(HistoryError::MissingObject { what: "tag", id });
                    break;
                }
                Err(source) => {
                    problems.push(object_error("tag", id, source));
                    break;
                }
            };
            chain.push(id);
            match target {
                Ok(target) => id = target,
                Err(source) => {
                    problems.push(HistoryError::CorruptObject {
                        what: "tag",
                        id,
                        source: gix::Error::from_error(source),
                    });
                    break;
                }
            }
        }
        out.extend(chain.into_iter().map(|tag| (tag, id)));
    }
    Ok(out)
}

/// The commits `git rev-list REVS...` lists.
pub(super) fn walk(repo: &gix::Repository, revs: &[String]) -> Result<Vec<ObjectId>, HistoryError> {
    use gix::revision::plumbing::Spec;
    let mut include = Vec::new();
    let mut hide = Vec::new();
    for rev in revs {
        let spec = repo
            .rev_parse(BStr::new(rev.as_bytes()))
            .map_err(|source| HistoryError::Revision {
                rev: rev.clone(),
                source,
            })?
            .detach();
        match spec {
            Spec::Include(id) => include.push(id),
            Spec::Exclude(id) => hide.push(id),
            Spec::Range { from, to } => {
                hide.push(from);
                include.push(to);
            }
            Spec::Merge { theirs, ours } => {
                include.push(theirs);
                include.push(ours);
                if let Ok(Some(base)) = repo.merge_base(theirs, ours) {
                    hide.push(base.detach());
                }
            }
            Spec::IncludeOnlyParents(id) => {
                let commit = repo
                    .find_commit(id)
                    .map_err(|source| HistoryError::Walk { source })?;
                include.extend(commit.parent_ids().map(|p| p.detach()));
            }
            Spec::ExcludeParents(id) => {
                include.push(id);
                let commit = repo
                    .find_commit(id)
                    .map_err(|source| HistoryError::Walk { source })?;
                hide.extend(commit.parent_ids().map(|p| p.detach()));
            }
        }
    }
    let include = peel_to_commits(repo, include)?;
    let hide = peel_to_commits(repo, hide)?;
    walk_ids(repo, include, hide)
}

/// Annotated tags given as revisions stand for their commits.
fn peel_to_commits(
    repo: &gix::Repository,
    ids: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, HistoryError> {
    ids.into_iter()
        .map(|id| {
            repo.find_object(id)
                .and_then(|o| o.peel_to_kind(gix::object::Kind::Commit))
                .map(|o| o.id)
                .map_err(|source| HistoryError::Walk { source })
        })
        .collect()
}

pub(super) fn walk_ids(
    repo: &gix::Repository,
    include: Vec<ObjectId>,
    hide: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, HistoryError> {
    if include.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(include)
        .with_hidden(hide)
        .all()
        .map_err(|source| HistoryError::Walk { source })?;
    let mut ids = Vec::new();
    for info in walk {
        match info {
            Ok(info) => ids.push(info.id),
            Err(source) => return Err(HistoryError::Walk { source }),
        }
    }
    Ok(ids)
}

/// Every commit reachable from `tips`. A missing parent is the boundary of
/// a shallow clone, or else a missing object (reported, and the walk goes
/// on with the rest).
pub(super) fn reachable_commits(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    shallow: bool,
    problems: &mut Vec<HistoryError>,
) -> Vec<ObjectId> {
    let hash = repo.object_hash();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut out = Vec::new();
    let mut stack: Vec<(ObjectId, bool)> = tips.into_iter().map(|t| (t, true)).collect();
    let mut buf = Vec::new();
    while let Some((id, is_tip)) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data)) if data.kind == gix::object::Kind::Commit => {
                out.push(id);
                for parent in gix::objs::CommitRefIter::from_bytes(data.data, hash).parent_ids() {
                    if !seen.contains(&parent) {
                        stack.push((parent, false));
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) if shallow && !is_tip => {}
            Ok(None) => problems.push(HistoryError::MissingObject { what: "commit", id }),
            Err(source) => problems.push(object_error("commit", id, source)),
        }
    }
    out
}

/// Generation numbers (longest parent chain below each commit) of the
/// commits in `parents`; parents outside the map count as roots.
pub(super) fn generations(parents: &HashMap<ObjectId, Vec<ObjectId>>) -> HashMap<ObjectId, u32> {
    let mut generation: HashMap<ObjectId, u32> = HashMap::with_capacity(parents.len());
    for &start in parents.keys() {
        if generation.contains_key(&start) {
            continue;
        }
        // Iterative post-order: a commit is numbered once all its parents are.
        let mut stack = vec![start];
        while let Some(&id) = stack.last() {
            if generation.contains_key(&id) {
                stack.pop();
                continue;
            }
            let ps = parents.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            let pending: Vec<ObjectId> = ps
                .iter()
                .filter(|p| parents.contains_key(*p) && !generation.contains_key(*p))
                .copied()
                .collect();
            if pending.is_empty() {
                let g = ps
                    .iter()
                    .filter_map(|p| generation.get(p))
                    .map(|g| g + 1)
                    .max()
                    .unwrap_or(0);
                generation.insert(id, g);
                stack.pop();
            } else {
                stack.extend(pending);
            }
        }
    }
    generation
}

#[cfg(test)]
mod tests {
    use super::*;
    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    #[test]
    fn generations_count_the_longest_chain() {
        // 1 <- 2 <- 3, 1 <- 4, merge 5 of 3 and 4; 9 is outside the map.
        let parents: HashMap<ObjectId, Vec<ObjectId>> = [
            (id(1), vec![id(9)]),
            (id(2), vec![id(1)]),
            (id(3), vec![id(2)]),
            (id(4), vec![id(1)]),
            (id(5), vec![id(3), id(4)]),
        ]
        .into_iter()
        .collect();
        let g = generations(&parents);
        assert_eq!(g[&id(1)], 0);
        assert_eq!(g[&id(3)], 2);
        assert_eq!(g[&id(4)], 1);
        assert_eq!(g[&id(5)], 3);
    }
}
