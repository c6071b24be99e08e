//! What each new commit changes: a tree diff against every parent (a path
//! counts when it differs from all of them), and the blobs of a tree or
//! blob a ref points at directly. Symbolic links count like files (their
//! blob is the target).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use gix::ObjectId;
use gix::bstr::BString;
use gix::objs::FindExt as _;

use super::PushError;
use crate::finding::SourceKind;
use crate::source::blob::{Elsewhere, Old};
use crate::source::overlay::{Decoded, Overlay};
use crate::source::tree_diff::{DiffError, FileChange, TreeDiff};

/// The changed blobs of each commit, in commit order. Commits are split in
/// contiguous chunks over [`crate::parallel::threads`] (each with its own object caches), so
/// neighbouring commits, which share trees, stay on one thread.
///
/// `decoded`: trees and commits already inflated (by the quarantine scan),
/// read from memory before the object database.
pub(super) fn changed_blobs_of(
    repo: &gix::Repository,
    commits: &[ObjectId],
    decoded: Option<&Decoded>,
) -> Result<Vec<(usize, Vec<Changed>)>, PushError> {
    // Neighbouring commits share trees: each chunk keeps its own caches.
    let results = crate::parallel::in_chunks(
        commits,
        64,
        || repo.clone(),
        |repo, offset, part| {
            let mut walker = TreeDiffer::new(&repo, decoded);
            part.iter()
                .enumerate()
                .map(|(i, &id)| Ok((offset + i, walker.changed_blobs(id)?)))
                .collect::<Result<Vec<NumberedChanges>, PushError>>()
        },
    );
    let mut out = Vec::with_capacity(commits.len());
    for part in results {
        out.extend(part?);
    }
    Ok(out)
}

/// A changed blob of one commit: path, new id, the versions it replaces,
/// and whether it is a file or a link.
pub(super) type Changed = (BString, ObjectId, Vec<Old>, SourceKind);

/// A path's new blob, the versions it replaces so far, what it is.
type Versions = (ObjectId, Vec<Old>, SourceKind);

/// The changed blobs of the commit at an index of the walk.
type NumberedChanges = (usize, Vec<Changed>);

/// Tree diffs of commits against their parents, reusing buffers.
struct TreeDiffer<'repo> {
    repo: &'repo gix::Repository,
    decoded: Option<&'repo Decoded>,
    diff: TreeDiff,
    commit_buf: Vec<u8>,
}

/// A path's content against one parent.
struct PerParent {
    id: ObjectId,
    old: Old,
    source: SourceKind,
}

impl<'repo> TreeDiffer<'repo> {
    fn new(repo: &'repo gix::Repository, decoded: Option<&'repo Decoded>) -> TreeDiffer<'repo> {
        TreeDiffer {
            repo,
            decoded,
            diff: TreeDiff::default(),
            commit_buf: Vec::new(),
        }
    }

    /// (tree, parents) of a commit.
    fn commit(&mut self, id: ObjectId) -> Result<(ObjectId, Vec<ObjectId>), PushError> {
        let err = |source: gix::Error| PushError::Object {
            what: "commit",
            id,
            source,
        };
        let objects = Overlay {
            decoded: self.decoded,
            objects: &self.repo.objects,
        };
        let mut iter = objects
            .find_commit_iter(&id, &mut self.commit_buf)
            .map_err(err)?;
        let tree = iter.tree_id().map_err(err)?;
        let parents = iter.parent_ids().collect();
        Ok((tree, parents))
    }

    /// The blobs of commit `id` whose content differs from every parent.
    fn changed_blobs(&mut self, id: ObjectId) -> Result<Vec<Changed>, PushError> {
        let (tree, parents) = self.commit(id)?;
        if parents.is_empty() {
            let changes = self.diff(id, None, None, tree)?;
            return Ok(changes
                .into_iter()
                .map(|(path, p)| (path, p.id, Vec::new(), p.source))
                .collect());
        }
        let mut merged: Option<HashMap<BString, Versions>> = None;
        for parent in parents {
            let (parent_tree, _) = self.commit(parent)?;
            let changes = self.diff(id, Some(parent), Some(parent_tree), tree)?;
            merged = Some(match merged {
                None => changes
                    .into_iter()
                    .map(|(path, p)| (path, (p.id, vec![p.old], p.source)))
                    .collect(),
                Some(mut so_far) => {
                    // Keep only the paths that differ from this parent too.
                    let mut this: HashMap<BString, PerParent> = changes.into_iter().collect();
                    so_far.retain(|path, (_, olds, _)| match this.remove(path) {
                        Some(p) => {
                            olds.push(p.old);
                            true
                        }
                        None => false,
                    });
                    so_far
                }
            });
            if merged.as_ref().is_some_and(HashMap::is_empty) {
                break;
            }
        }
        let mut out: Vec<Changed> = merged
            .unwrap_or_default()
            .into_iter()
            .map(|(path, (id, olds, source))| (path, id, olds, source))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Blobs of `new_tree` whose content is not at the same path of
    /// `old_tree`, each with the old version to compare against: the blob
    /// the path held, or, for a new path, every blob the diff deleted
    /// (where a rename or a move came from), each with its path. A pure
    /// rename keeps its blob among those: the engine drops it unread,
    /// unless the old path was allowlisted.
    fn diff(
        &mut self,
        commit: ObjectId,
        parent: Option<ObjectId>,
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    ) -> Result<Vec<(BString, PerParent)>, PushError> {
        let objects = Overlay {
            decoded: self.decoded,
            objects: &self.repo.objects,
        };
        let files = self
            .diff
            .files(&objects, self.repo.object_hash(), old_tree, new_tree)
            .map_err(|err| match err {
                DiffError::Tree { id, source } => PushError::Object {
                    what: "tree",
                    id,
                    source,
                },
                DiffError::Compare(source) => PushError::TreeDiff {
                    commit,
                    parent: parent.unwrap_or_else(|| ObjectId::empty_tree(self.repo.object_hash())),
                    source,
                },
            })?;
        let mut deleted: Vec<Elsewhere> = Vec::new();
        let mut changed = Vec::new();
        for file in files {
            match file {
                FileChange::Changed {
                    path,
                    id,
                    old,
                    symlink,
                } => changed.push((path, id, old, symlink)),
                FileChange::Deleted { id, path } => deleted.push(Elsewhere {
                    id,
                    path: path.into(),
                }),
            }
        }
        let deleted: Arc<[Elsewhere]> = deleted.into();
        Ok(changed
            .into_iter()
            .map(|(path, id, old, symlink)| {
                let old = match old {
                    Some(old) => Old::Blob(old),
                    None => Old::AnyOf(Arc::clone(&deleted)),
                };
                let source = if symlink {
                    SourceKind::Symlink
                } else {
                    SourceKind::File
                };
                (path, PerParent { id, old, source })
            })
            .collect())
    }
}

/// The blobs of a tree (files and links) or blob that a ref points at
/// directly.
pub(super) fn whole_object(
    repo: &gix::Repository,
    tip: ObjectId,
    id: ObjectId,
    kind: gix::object::Kind,
) -> Result<Vec<(BString, ObjectId, SourceKind)>, PushError> {
    match kind {
        gix::object::Kind::Blob => Ok(vec![(format!("(blob {tip})").into(), id, SourceKind::File)]),
        gix::object::Kind::Tree => {
            let tree = repo.find_tree(id).map_err(|source| PushError::Object {
                what: "tree",
                id,
                source,
            })?;
            let mut recorder = gix::traverse::tree::Recorder::default();
            tree.traverse()
                .breadthfirst(&mut recorder)
                .map_err(|source| PushError::Object {
                    what: "tree",
                    id,
                    source,
                })?;
            let mut seen = HashSet::new();
            Ok(recorder
                .records
                .into_iter()
                .filter(|e| e.mode.is_blob_or_symlink() && seen.insert(e.oid))
                .map(|e| {
                    let source = if e.mode.is_link() {
                        SourceKind::Symlink
                    } else {
                        SourceKind::File
                    };
                    (e.filepath, e.oid, source)
                })
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}
