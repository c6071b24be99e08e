//! The staged change for `pre-commit`: the index compared with `HEAD`.
//!
//! The repository is discovered from a directory with git's environment
//! honoured (`GIT_DIR`, and above all `GIT_INDEX_FILE`, which `git commit -a`
//! and `git commit PATH` point at a temporary index). The index content is
//! read, never the work tree, and only the directories the change touches
//! (see [`super::cache_tree`]). Each added or modified regular file or
//! symbolic link (whose blob is its target) is yielded with `HEAD`'s blob
//! at the same path; besides, every `HEAD` blob the change deletes or
//! replaces is kept, with its path, as a possible source of moved or
//! copied lines ("a moved or copied line is not added"), read only when a
//! new blob had a hit. This covers what `git diff --cached -M -C` calls
//! renames and copies (and more) without pairing paths. A file whose blob
//! is one the change deletes or replaces (a pure move or copy) is listed
//! too: the engine drops it unread, unless its old place was an
//! allowlisted path (then it counts as added at its new path).
//!
//! Skipped: deletions, submodules (commit entries), mode-only changes,
//! intent-to-add entries, and unmerged (conflicted) entries of a merge in
//! progress.

use std::path::Path;
use std::sync::Arc;

use gix::ObjectId;

use super::blob::{Blob, BlobId, Elsewhere, GitReader, Occurrence, Old, Source};
use super::index_skim::Skim;
use super::repo::{GitError, open};
use crate::finding::SourceKind;

/// How a staged blob relates to `HEAD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `HEAD` has nothing at this path.
    Added,
    /// `HEAD` has something else at this path (a file or a link, or a
    /// submodule the index turns into one).
    Modified,
}

/// One staged blob to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedEntry {
    /// Path relative to the repository root, as git stores it.
    pub path: Vec<u8>,
    /// The staged blob.
    pub id: ObjectId,
    /// `HEAD`'s blob (a file or a link) at the same path, if there is one.
    pub old_id: Option<ObjectId>,
    /// The entry is a symbolic link: its blob is the link's target.
    pub symlink: bool,
    pub change: Change,
}

/// A `HEAD` blob (a file or a link) the change deletes or replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacedBlob {
    /// Its path in `HEAD`.
    pub path: Vec<u8>,
    pub id: ObjectId,
}

/// The staged change of one repository.
pub struct StagedChange {
    repo: gix::Repository,
    entries: Vec<StagedEntry>,
    replaced: Vec<ReplacedBlob>,
}

impl std::fmt::Debug for StagedChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedChange")
            .field("git_dir", &self.repo.git_dir())
            .field("entries", &self.entries)
            .field("replaced", &self.replaced)
            .finish()
    }
}

impl StagedChange {
    /// Discover the repository from `dir` (git's environment honoured) and
    /// compare its index with `HEAD` (or the empty tree on an unborn branch).
    pub fn discover(dir: &Path) -> Result<StagedChange, GitError> {
        StagedChange::of(open(dir)?)
    }

    /// The staged change of a repository already opened (git's environment
    /// honoured, as [`super::repo::open`] does).
    pub fn of(repo: gix::Repository) -> Result<StagedChange, GitError> {
        let index = StagedIndex::read(&repo.index_path(), repo.object_hash())?;
        StagedChange::with_index(repo, index)
    }

    /// The staged change of `repo`, whose index was read already (by
    /// [`StagedIndex::read`], which may run on another thread while the
    /// caller does something else).
    pub fn with_index(repo: gix::Repository, index: StagedIndex) -> Result<StagedChange, GitError> {
        let diff = staged_diff(&repo, index)?;
        Ok(StagedChange {
            repo,
            entries: diff.changed,
            replaced: diff.replaced,
        })
    }

    /// The staged blobs to scan, sorted by path.
    pub fn entries(&self) -> &[StagedEntry] {
        &self.entries
    }

    /// Every `HEAD` blob the change deletes or replaces, sorted by path.
    pub fn replaced(&self) -> &[ReplacedBlob] {
        &self.replaced
    }

    /// The staged blobs as the engine takes them: each with its own `HEAD`
    /// version and every other blob the change deletes or replaces as the
    /// sides its lines are judged against (a line found in any of them is
    /// moved or copied, not added).
    pub fn blobs(&self) -> Vec<Blob> {
        let replaced: Arc<[Elsewhere]> = self
            .replaced
            .iter()
            .map(|r| Elsewhere {
                id: r.id,
                path: r.path.clone(),
            })
            .collect();
        self.entries
            .iter()
            .map(|entry| {
                let mut olds: Vec<Old> = entry.old_id.map(Old::Blob).into_iter().collect();
                if !replaced.is_empty() {
                    olds.push(Old::AnyOf(Arc::clone(&replaced)));
                }
                Blob {
                    id: BlobId::Object(entry.id),
                    occurrences: vec![Occurrence {
                        olds,
                        source: if entry.symlink {
                            SourceKind::Symlink
                        } else {
                            SourceKind::File
                        },
                        ..Occurrence::whole(entry.path.clone())
                    }],
                }
            })
            .collect()
    }
}

impl Source for StagedChange {
    type Reader = GitReader;

    fn reader(&self) -> GitReader {
        GitReader::new(self.repo.clone())
    }
}

/// The index as read for the diff: skimmed when it is a plain version 2
/// or 3 index (see [`super::index_skim`]), else decoded whole by gix.
#[allow(clippy::large_enum_variant)] // One, moved once.
pub enum StagedIndex {
    Skimmed(Skim),
    Decoded(gix::index::File),
}

impl std::fmt::Debug for StagedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StagedIndex::Skimmed(skim) => skim.fmt(f),
            StagedIndex::Decoded(file) => f
                .debug_struct("Decoded")
                .field("entries", &file.entries().len())
                .finish(),
        }
    }
}

impl StagedIndex {
    /// The index file at `path` (`GIT_INDEX_FILE` honoured by the caller;
    /// none is an empty index), read as git reads it: without hashing the
    /// whole file to verify its trailing checksum, which git leaves to
    /// `git fsck` and which took half the time of reading a large index.
    /// Structural damage is still an error (gix's, when the skim hands the
    /// file over).
    pub fn read(path: &Path, hash: gix::hash::Kind) -> Result<StagedIndex, GitError> {
        let io_error = |e| GitError::index_io(path, e);
        match std::fs::File::open(path) {
            Ok(file) => {
                if let Some(skim) = Skim::open(file, hash).map_err(io_error)? {
                    return Ok(StagedIndex::Skimmed(skim));
                }
            }
            // None is an empty index, which gix makes.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(e)),
        }
        let options = gix::index::decode::Options {
            thread_limit: Some(1),
            ..Default::default()
        };
        gix::index::File::at_or_default(path, hash, true, options)
            .map(StagedIndex::Decoded)
            .map_err(|source| GitError::Index {
                path: path.to_owned(),
                source,
            })
    }
}

fn staged_diff(
    repo: &gix::Repository,
    index: StagedIndex,
) -> Result<super::cache_tree::Diff, GitError> {
    let head = repo
        .head_tree_id_or_empty()
        .map_err(|source| GitError::Head { source })?
        .detach();
    let head = (head != ObjectId::empty_tree(repo.object_hash())).then_some(head);
    match index {
        StagedIndex::Skimmed(skim) => {
            let diff = super::cache_tree::diff(repo, head, &skim);
            match skim.failure() {
                // The index could not be read again: what the walk saw is
                // not the index.
                Some(e) => Err(GitError::index_io(&repo.index_path(), e)),
                None => diff,
            }
        }
        StagedIndex::Decoded(file) => super::cache_tree::diff(repo, head, &*file),
    }
}
