//! The staged change for `pre-commit`: the index compared with `HEAD`.
//!
//! The repository is discovered from a directory with git's environment
//! honoured (`GIT_DIR`, and above all `GIT_INDEX_FILE`, which `git commit -a`
//! and `git commit PATH` point at a temporary index). The index content is
//! read, never the work tree, and only the directories the change touches
//! (see [`super::cache_tree`]). Each added or modified regular file is
//! yielded with `HEAD`'s blob at the same path; besides, every `HEAD` blob
//! the change deletes or replaces is kept as a possible source of moved or
//! copied lines ("a moved or copied line is not added"), read only when a
//! new blob had a hit. This covers what `git diff --cached -M -C` calls
//! renames and copies (and more) without pairing paths.
//!
//! Skipped: deletions, submodules (commit entries), symbolic links,
//! mode-only changes, intent-to-add entries, unmerged (conflicted) entries
//! of a merge in progress, and files whose blob is one the change deletes
//! or replaces (a pure move or copy).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use gix::ObjectId;

/// What can go wrong reading the staged change. All are exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    #[error("not a git repository (or any of the parent directories): {}", path.display())]
    #[diagnostic(
        code(intercom_guard::git::not_a_repository),
        help(
            "run this inside a git work tree (a hook runs there by itself), or use `intercom-guard scan PATH...` for plain files"
        )
    )]
    NotARepository { path: PathBuf },

    #[error("cannot open the git repository at {}", path.display())]
    #[diagnostic(
        code(intercom_guard::git::open),
        help("check that `git status` works in this directory")
    )]
    Open {
        path: PathBuf,
        #[source]
        source: gix::Error,
    },

    #[error("cannot read the tree of HEAD")]
    #[diagnostic(
        code(intercom_guard::git::head),
        help("the repository may be damaged: `git fsck` names the broken objects")
    )]
    Head {
        #[source]
        source: gix::Error,
    },

    #[error("cannot read the index {}", path.display())]
    #[diagnostic(
        code(intercom_guard::git::index),
        help("the index may be damaged: `git status` shows whether git can read it")
    )]
    Index {
        path: PathBuf,
        #[source]
        source: gix::Error,
    },

    #[error("object {id} (`{path}`) is missing from the object database")]
    #[diagnostic(
        code(intercom_guard::git::missing_object),
        help(
            "the repository is incomplete: `git fsck` lists what is missing; fetch it again or restore it"
        )
    )]
    MissingObject {
        id: ObjectId,
        path: String,
        #[source]
        source: gix::Error,
    },

    #[error("object {id} (`{path}`) is corrupt")]
    #[diagnostic(
        code(intercom_guard::git::corrupt_object),
        help("`git fsck` confirms the damage; restore the object from another clone")
    )]
    CorruptObject {
        id: ObjectId,
        path: String,
        #[source]
        source: gix::Error,
    },

    #[error("cannot read object {id} (`{path}`)")]
    #[diagnostic(
        code(intercom_guard::git::read_object),
        help("`git cat-file -p {id}` shows whether git can read it")
    )]
    ReadObject {
        id: ObjectId,
        path: String,
        #[source]
        source: gix::Error,
    },
}

impl GitError {
    /// The error reading object `id` (at `path`) with gix.
    pub(crate) fn object(id: ObjectId, path: &[u8], source: gix::Error) -> GitError {
        let path = String::from_utf8_lossy(path).into_owned();
        if source.is_not_found() {
            GitError::MissingObject { id, path, source }
        } else if source.is_corrupted() {
            GitError::CorruptObject { id, path, source }
        } else {
            GitError::ReadObject { id, path, source }
        }
    }
}

/// How a staged blob relates to `HEAD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `HEAD` has nothing at this path.
    Added,
    /// `HEAD` has something else at this path (a file, or a symlink or
    /// submodule the index turns into a file).
    Modified,
}

/// One staged blob to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedEntry {
    /// Path relative to the repository root, as git stores it.
    pub path: Vec<u8>,
    /// The staged blob.
    pub id: ObjectId,
    /// `HEAD`'s regular-file blob at the same path, if there is one.
    pub old_id: Option<ObjectId>,
    pub change: Change,
}

/// A `HEAD` blob of a regular file the change deletes or replaces.
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
        let repo = open(dir)?;
        let diff = staged_diff(&repo)?;
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

    /// The versions a staged blob's lines may come from, read for a blob
    /// that had a hit: its own `HEAD` version and every other blob the
    /// change deletes or replaces (each distinct blob once). A line found in
    /// any of them is moved or copied, not added.
    pub fn olds(&self, entry: &StagedEntry) -> Result<Vec<Vec<u8>>, GitError> {
        let own = entry.old_id.map(|id| (id, entry.path.as_slice()));
        let others = self.replaced.iter().map(|r| (r.id, r.path.as_slice()));
        let mut seen = HashSet::new();
        own.into_iter()
            .chain(others)
            .filter(|(id, _)| seen.insert(*id))
            .map(|(id, path)| self.read_blob(&id, path))
            .collect()
    }

    /// Read a blob's bytes; `path` only names it in errors.
    pub fn read_blob(&self, id: &gix::oid, path: &[u8]) -> Result<Vec<u8>, GitError> {
        match self.repo.find_blob(id) {
            Ok(mut blob) => Ok(blob.take_data()),
            Err(source) => Err(GitError::object(id.to_owned(), path, source)),
        }
    }
}

pub(crate) fn open(dir: &Path) -> Result<gix::Repository, GitError> {
    match gix::ThreadSafeRepository::discover_with_environment_overrides(dir) {
        Ok(repo) => Ok(repo.to_thread_local()),
        Err(source) => {
            let path = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
            if is_not_a_repository(&source) {
                Err(GitError::NotARepository { path })
            } else {
                Err(GitError::Open { path, source })
            }
        }
    }
}

fn is_not_a_repository(err: &gix::Error) -> bool {
    use gix::discover::upwards::Error as Upwards;
    matches!(
        err.downcast_any_ref::<Upwards>(),
        Some(
            Upwards::NoGitRepository { .. }
                | Upwards::NoGitRepositoryWithinCeiling { .. }
                | Upwards::NoGitRepositoryWithinFs { .. }
        )
    )
}

/// The index (`GIT_INDEX_FILE` honoured; none is an empty index), read as
/// git reads it: without hashing the whole file to verify its trailing
/// checksum, which git leaves to `git fsck` and which took half the time of
/// reading a large index. Structural damage is still an error.
fn read_index(repo: &gix::Repository) -> Result<gix::index::File, GitError> {
    let path = repo.index_path();
    let options = gix::index::decode::Options {
        thread_limit: Some(1),
        ..Default::default()
    };
    gix::index::File::at_or_default(&path, repo.object_hash(), true, options)
        .map_err(|source| GitError::Index { path, source })
}

fn staged_diff(repo: &gix::Repository) -> Result<super::cache_tree::Diff, GitError> {
    let head = repo
        .head_tree_id_or_empty()
        .map_err(|source| GitError::Head { source })?
        .detach();
    let head = (head != ObjectId::empty_tree(repo.object_hash())).then_some(head);
    let index = read_index(repo)?;
    let mut diff = super::cache_tree::diff(repo, head, &index)?;
    // A file whose blob is one the change deletes or replaces is a pure
    // move or copy of it: every line already existed.
    let replaced: HashSet<ObjectId> = diff.replaced.iter().map(|r| r.id).collect();
    diff.changed.retain(|e| !replaced.contains(&e.id));
    Ok(diff)
}
