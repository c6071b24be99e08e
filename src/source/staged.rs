//! The staged change for `pre-commit`: the index compared with `HEAD`.
//!
//! The repository is discovered from a directory with git's environment
//! honoured (`GIT_DIR`, and above all `GIT_INDEX_FILE`, which `git commit -a`
//! and `git commit PATH` point at a temporary index). The index content is
//! read, never the work tree. Each added, modified, renamed or copied blob
//! is yielded with the blob it replaces (the `HEAD` blob at the same path,
//! or the rename/copy source), so the caller can read the old blob only
//! when the new one had a hit.
//!
//! Skipped: deletions, submodules (commit entries), symbolic links,
//! intent-to-add entries and unmerged (conflicted) entries of a merge in
//! progress.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::BStr;
use gix::diff::index::ChangeRef;
use gix::index::entry::{Mode, Stage};
use gix::status::tree_index::TrackRenames;

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

    #[error("cannot compare the index with HEAD")]
    #[diagnostic(
        code(intercom_guard::git::compare),
        help("the repository may be damaged: `git fsck` names the broken objects")
    )]
    Compare {
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

/// How a staged blob relates to `HEAD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    /// Renamed from the given path of `HEAD`.
    Renamed {
        from: Vec<u8>,
    },
    /// Copied from the given path of `HEAD`.
    Copied {
        from: Vec<u8>,
    },
}

/// One staged blob to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedEntry {
    /// Path relative to the repository root, as git stores it.
    pub path: Vec<u8>,
    /// The staged blob.
    pub id: ObjectId,
    /// The blob it replaces: `HEAD`'s blob at the same path, or the
    /// rename/copy source. `None` for an added file: every line is new.
    pub old_id: Option<ObjectId>,
    pub change: Change,
}

/// The staged change of one repository.
pub struct StagedChange {
    repo: gix::Repository,
    entries: Vec<StagedEntry>,
}

impl std::fmt::Debug for StagedChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedChange")
            .field("git_dir", &self.repo.git_dir())
            .field("entries", &self.entries)
            .finish()
    }
}

impl StagedChange {
    /// Discover the repository from `dir` (git's environment honoured) and
    /// compare its index with `HEAD` (or the empty tree on an unborn branch).
    pub fn discover(dir: &Path) -> Result<StagedChange, GitError> {
        let repo = open(dir)?;
        let entries = staged_entries(&repo)?;
        Ok(StagedChange { repo, entries })
    }

    /// The staged blobs, sorted by path.
    pub fn entries(&self) -> &[StagedEntry] {
        &self.entries
    }

    /// Read a blob's bytes; `path` only names it in errors.
    pub fn read_blob(&self, id: &gix::oid, path: &[u8]) -> Result<Vec<u8>, GitError> {
        match self.repo.find_blob(id) {
            Ok(mut blob) => Ok(blob.take_data()),
            Err(source) => {
                let id = id.to_owned();
                let path = String::from_utf8_lossy(path).into_owned();
                Err(if source.is_not_found() {
                    GitError::MissingObject { id, path, source }
                } else if source.is_corrupted() {
                    GitError::CorruptObject { id, path, source }
                } else {
                    GitError::ReadObject { id, path, source }
                })
            }
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

fn staged_entries(repo: &gix::Repository) -> Result<Vec<StagedEntry>, GitError> {
    let tree_id = repo
        .head_tree_id_or_empty()
        .map_err(|source| GitError::Head { source })?
        .detach();
    let index = repo.index_or_empty().map_err(|source| GitError::Index {
        path: repo.index_path(),
        source,
    })?;
    let rewrites = gix::diff::Rewrites {
        copies: Some(gix::diff::rewrites::Copies::default()),
        ..Default::default()
    };
    let mut entries = Vec::new();
    repo.tree_index_status(
        &tree_id,
        &index,
        None,
        TrackRenames::Given(rewrites),
        |change, head, index| {
            push_entries(&change, head, index, &mut entries);
            Ok(std::ops::ControlFlow::Continue(()))
        },
    )
    .map_err(|source| GitError::Compare { source })?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    // A copy source is re-derived in `push_entries`; never list a path twice.
    entries.dedup_by(|a, b| a.path == b.path);
    Ok(entries)
}

/// A regular or executable file: the only entries holding text to scan.
fn is_file(mode: Mode) -> bool {
    mode == Mode::FILE || mode == Mode::FILE_EXECUTABLE
}

/// The stage-0 entry of a regular file at `path`, if there is one.
fn file_entry<'a>(state: &'a gix::index::State, path: &BStr) -> Option<&'a gix::index::Entry> {
    state
        .entry_by_path_and_stage(path, Stage::Unconflicted)
        .filter(|e| is_file(e.mode))
}

/// Turn one change of the tree-vs-index diff into the entries to scan.
/// `head` is `HEAD`'s tree as an index, `index` the index being committed.
fn push_entries(
    change: &ChangeRef<'_, '_>,
    head: &gix::index::State,
    index: &gix::index::State,
    out: &mut Vec<StagedEntry>,
) {
    match change {
        ChangeRef::Addition {
            location,
            entry_mode,
            id,
            ..
        } => {
            if is_file(*entry_mode) {
                out.push(StagedEntry {
                    path: location.to_vec(),
                    id: id.as_ref().to_owned(),
                    old_id: None,
                    change: Change::Added,
                });
            }
        }
        ChangeRef::Deletion { .. } => {}
        ChangeRef::Modification {
            location,
            previous_entry_mode,
            previous_id,
            entry_mode,
            id,
            ..
        } => {
            if !is_file(*entry_mode) {
                return;
            }
            let old_is_file = is_file(*previous_entry_mode);
            if old_is_file && previous_id == id {
                // A mode change only: not one byte is new.
                return;
            }
            out.push(StagedEntry {
                path: location.to_vec(),
                id: id.as_ref().to_owned(),
                old_id: old_is_file.then(|| previous_id.as_ref().to_owned()),
                change: Change::Modified,
            });
        }
        ChangeRef::Rewrite {
            source_location,
            source_entry_mode,
            source_id,
            location,
            entry_mode,
            id,
            copy: false,
            ..
        } => {
            // A rename: the source is a deletion from HEAD, its id HEAD's blob.
            if !is_file(*entry_mode) {
                return;
            }
            let old_is_file = is_file(*source_entry_mode);
            if old_is_file && source_id == id {
                // A pure rename: every line already existed.
                return;
            }
            out.push(StagedEntry {
                path: location.to_vec(),
                id: id.as_ref().to_owned(),
                old_id: old_is_file.then(|| source_id.as_ref().to_owned()),
                change: Change::Renamed {
                    from: source_location.to_vec(),
                },
            });
        }
        ChangeRef::Rewrite {
            source_location,
            location,
            entry_mode,
            id,
            copy: true,
            ..
        } => {
            // A copy: the source is a file modified in the index. gix 0.90
            // hands its *new* id as `source_id` and does not report the
            // source's own modification, so both are re-derived here from
            // HEAD and the index, as `git diff --cached -C` reports them.
            let source: &BStr = source_location.as_ref();
            let head_source = file_entry(head, source);
            if let Some(staged_source) = file_entry(index, source)
                && head_source.is_none_or(|h| h.id != staged_source.id)
            {
                out.push(StagedEntry {
                    path: source.to_vec(),
                    id: staged_source.id,
                    old_id: head_source.map(|h| h.id),
                    change: Change::Modified,
                });
            }
            if !is_file(*entry_mode) {
                return;
            }
            let old_id = head_source.map(|h| h.id);
            if old_id
                .as_ref()
                .is_some_and(|old| old.as_ref() == id.as_ref())
            {
                // An exact copy of HEAD's version: every line already existed.
                return;
            }
            out.push(StagedEntry {
                path: location.to_vec(),
                id: id.as_ref().to_owned(),
                old_id,
                change: Change::Copied {
                    from: source.to_vec(),
                },
            });
        }
    }
}
