//! One tree diff for every git source: what a commit's tree changes against
//! one parent's, at the level of blobs: regular and executable files, and
//! symbolic links (whose blob is the link's target); submodules hold no
//! blob. Push and history each build their own occurrences from it.

use gix::ObjectId;
use gix::bstr::BString;
use gix::objs::FindExt as _;

/// A file or link a tree diff found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileChange {
    /// The path now holds this blob; `old` is the blob (file or link) it
    /// held before, or `None` (new path, or a submodule turned into a
    /// file); `symlink`: the path is a symbolic link now.
    Changed {
        path: BString,
        id: ObjectId,
        old: Option<ObjectId>,
        symlink: bool,
    },
    /// A blob the new tree no longer has at its path.
    Deleted { id: ObjectId, path: BString },
}

/// Why a diff failed.
#[derive(Debug)]
pub(crate) enum DiffError {
    /// A tree could not be read.
    Tree { id: ObjectId, source: gix::Error },
    /// The trees could not be compared (a subtree is missing or damaged).
    Compare(gix::diff::tree::Error),
}

/// Diffs trees, reusing its buffers and state.
#[derive(Default)]
pub(crate) struct TreeDiff {
    state: gix::diff::tree::State,
    old_buf: Vec<u8>,
    new_buf: Vec<u8>,
}

impl TreeDiff {
    /// The files of `new` that differ from `old` (`None`: the empty tree),
    /// and the files `old` had that `new` lost.
    pub(crate) fn files(
        &mut self,
        objects: &impl gix::objs::Find,
        hash: gix::hash::Kind,
        old: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<Vec<FileChange>, DiffError> {
        if old == Some(new) {
            return Ok(Vec::new());
        }
        let read = |id: ObjectId, buf: &mut Vec<u8>| {
            objects
                .find_tree_iter(&id, buf)
                .map(|_| ())
                .map_err(|source| DiffError::Tree { id, source })
        };
        self.old_buf.clear();
        if let Some(old) = old {
            read(old, &mut self.old_buf)?;
        }
        read(new, &mut self.new_buf)?;
        let mut recorder = gix::diff::tree::Recorder::default();
        gix::diff::tree(
            gix::objs::TreeRefIter::from_bytes(&self.old_buf, hash),
            gix::objs::TreeRefIter::from_bytes(&self.new_buf, hash),
            &mut self.state,
            objects,
            &mut recorder,
        )
        .map_err(DiffError::Compare)?;

        use gix::diff::tree::recorder::Change;
        let mut files = Vec::new();
        for change in recorder.records {
            match change {
                Change::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if entry_mode.is_blob_or_symlink() => files.push(FileChange::Changed {
                    path,
                    id: oid,
                    old: None,
                    symlink: entry_mode.is_link(),
                }),
                Change::Deletion {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if entry_mode.is_blob_or_symlink() => {
                    files.push(FileChange::Deleted { id: oid, path })
                }
                Change::Modification {
                    previous_entry_mode,
                    previous_oid,
                    entry_mode,
                    oid,
                    path,
                } if entry_mode.is_blob_or_symlink() => {
                    let old = previous_entry_mode
                        .is_blob_or_symlink()
                        .then_some(previous_oid);
                    if old != Some(oid) {
                        files.push(FileChange::Changed {
                            path,
                            id: oid,
                            old,
                            symlink: entry_mode.is_link(),
                        });
                    }
                }
                _ => {}
            }
        }
        Ok(files)
    }
}
