//! One commit against its parents, for the sweep: the files and symbolic
//! links it adds or changes against its first parent (through the shared
//! tree diff), with the blob every parent had at each path, and the
//! commit's metadata.

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::{CommitRef, Find, FindExt};

use super::{HistoryError, object_error};
use crate::finding::{CommitMeta, SourceKind};
use crate::source::tree_diff::{DiffError, FileChange, TreeDiff};

/// One commit's file changes against its first parent.
pub(super) struct CommitChanges {
    pub(super) id: ObjectId,
    pub(super) info: CommitMeta,
    pub(super) parents: Vec<ObjectId>,
    pub(super) changes: Vec<Change>,
}

/// A file or link the commit added or changed.
pub(super) struct Change {
    pub(super) path: Vec<u8>,
    pub(super) new: ObjectId,
    /// The blob at `path` in each parent (empty for a root commit).
    pub(super) parent_blobs: Vec<Option<ObjectId>>,
    pub(super) source: SourceKind,
}

/// Diffs commits with their first parent, reusing buffers.
pub(super) struct Differ {
    repo: gix::Repository,
    commit_buf: Vec<u8>,
    parent_buf: Vec<u8>,
    diff: TreeDiff,
}

impl Differ {
    pub(super) fn new(repo: gix::Repository) -> Differ {
        Differ {
            repo,
            commit_buf: Vec::new(),
            parent_buf: Vec::new(),
            diff: TreeDiff::default(),
        }
    }

    /// The files and links `id` adds or changes (not submodules) whose new
    /// blob satisfies `keep`, with the parents' blobs at each path. A
    /// missing parent (shallow clone) counts as an empty tree.
    pub(super) fn changes(
        &mut self,
        id: &ObjectId,
        keep: impl Fn(&ObjectId) -> bool,
    ) -> Result<CommitChanges, HistoryError> {
        let (tree, parents, info) = {
            let commit = self
                .repo
                .objects
                .find_commit(id, &mut self.commit_buf)
                .map_err(|source| object_error("commit", *id, source))?;
            let parents: Vec<ObjectId> = commit.parents().collect();
            (commit.tree(), parents, commit_info(*id, &commit))
        };

        let first_parent_tree = match parents.first() {
            Some(p) => self.parent_tree(p)?,
            None => None,
        };
        let files = self
            .diff
            .files(
                &self.repo.objects,
                self.repo.object_hash(),
                first_parent_tree,
                tree,
            )
            .map_err(|err| match err {
                DiffError::Tree { id, source } => object_error("tree", id, source),
                DiffError::Compare(err) => HistoryError::CorruptObject {
                    what: "tree of commit",
                    id: *id,
                    source: gix::Error::from_error(err),
                },
            })?;

        let mut changes = Vec::new();
        for file in files {
            let FileChange::Changed {
                path,
                id: new,
                old,
                symlink,
            } = file
            else {
                continue;
            };
            if !keep(&new) {
                continue;
            }
            let mut parent_blobs = Vec::with_capacity(parents.len());
            if !parents.is_empty() {
                parent_blobs.push(old);
            }
            for p in parents.iter().skip(1) {
                parent_blobs.push(self.blob_at(p, path.as_ref())?);
            }
            changes.push(Change {
                path: path.into(),
                new,
                parent_blobs,
                source: if symlink {
                    SourceKind::Symlink
                } else {
                    SourceKind::File
                },
            });
        }
        Ok(CommitChanges {
            id: *id,
            info,
            parents,
            changes,
        })
    }

    /// A commit's metadata and parents, without comparing trees (for its
    /// message when its trees cannot be compared).
    pub(super) fn meta(
        &mut self,
        id: &ObjectId,
    ) -> Result<(CommitMeta, Vec<ObjectId>), HistoryError> {
        let commit = self
            .repo
            .objects
            .find_commit(id, &mut self.commit_buf)
            .map_err(|source| object_error("commit", *id, source))?;
        Ok((commit_info(*id, &commit), commit.parents().collect()))
    }

    /// The tree of a parent commit; `None` when the parent is not in the
    /// database (the boundary of a shallow clone).
    fn parent_tree(&mut self, parent: &ObjectId) -> Result<Option<ObjectId>, HistoryError> {
        match self.repo.objects.try_find(parent, &mut self.parent_buf) {
            Ok(Some(data)) => {
                let commit = CommitRef::from_bytes(data.data, self.repo.object_hash()).map_err(
                    |source| HistoryError::CorruptObject {
                        what: "commit",
                        id: *parent,
                        source,
                    },
                )?;
                Ok(Some(commit.tree()))
            }
            Ok(None) => Ok(None),
            Err(source) => Err(object_error("commit", *parent, source)),
        }
    }

    /// The blob at `path` in commit `parent`, if it holds a file there.
    fn blob_at(
        &mut self,
        parent: &ObjectId,
        path: &BStr,
    ) -> Result<Option<ObjectId>, HistoryError> {
        let Some(tree) = self.parent_tree(parent)? else {
            return Ok(None);
        };
        let tree = self
            .repo
            .find_tree(tree)
            .map_err(|source| object_error("tree", tree, source))?;
        let entry = tree
            .lookup_entry(path.split(|&b| b == b'/'))
            .map_err(|source| object_error("tree", tree.id, source))?;
        Ok(entry
            .filter(|e| e.mode().is_blob_or_symlink())
            .map(|e| e.object_id()))
    }
}

fn commit_info(id: ObjectId, commit: &CommitRef<'_>) -> CommitMeta {
    let (author, date) = match commit.author() {
        Ok(sig) => {
            let sig = sig.trim();
            let date = sig
                .time()
                .map(|t| t.format_or_unix(gix::date::time::format::ISO8601_STRICT))
                .unwrap_or_default();
            (
                format!("{} <{}>", sig.name.to_str_lossy(), sig.email.to_str_lossy()),
                date,
            )
        }
        Err(_) => (String::new(), String::new()),
    };
    let time = commit.committer().map(|s| s.seconds()).unwrap_or(0);
    CommitMeta {
        id: id.to_string(),
        author,
        date,
        time,
        generation: 0,
        root: commit.parents().next().is_none(),
    }
}
