//! The history sweep's source: which blobs to scan, reading each distinct
//! blob once in parallel, and, for the blobs that matched only, where they
//! appear in commits.
//!
//! Three phases, in the order the caller runs them:
//!
//! 1. [`History::plan`] lists the blobs to read.
//!    - Every ref (the default) and `--all-objects`: every blob of the object
//!      database, in pack order (`PackAscendingOffsetThenLooseLexicographical`,
//!      kind and size from `find_header`), so delta bases are still in the
//!      pack cache when their deltas are read. Working out first which blobs
//!      are reachable would inflate every tree of every commit; reading the
//!      few unreachable blobs costs less, and phase 3 reports only what a
//!      reachable commit holds (unless `--all-objects`).
//!    - `REV...`: the commits of the range (as `git rev-list REV...` selects
//!      them), and the blobs those commits add or change (diff with the
//!      first parent).
//! 2. [`History::scan`] reads each blob once, on every core (rayon), each
//!    worker with its own thread-local repository handle and pack cache, and
//!    hands the bytes to the caller's detector. Loose blobs larger than the
//!    caller's window are read one at a time after the others, each in
//!    order, never whole ([`Judges`]); none is skipped. (A packed blob is
//!    inflated by the pack's traversal, whole, once.)
//! 3. [`History::appearances`] runs only when something matched: it walks
//!    the commits (every ref, the range, or every commit object) and diffs
//!    each with its first parent, keeping the changes whose new blob
//!    matched, with the blob the path had in every parent. The policy layer
//!    then decides which lines each commit added. A walk that breaks (a
//!    damaged commit) does not lose what phase 2 found: it is placed in the
//!    other commits the scan met, or reported unplaced.
//!
//! Symbolic links are blobs like files (their target); the messages of
//! commits and annotated tags are scanned in phase 2 (the whole-database
//! traversal meets every commit and tag object) and placed at their commit
//! (`<commit message>`) or tag (`<tag NAME>`).
//!
//! This layer knows nothing of patterns: it hands out blob ids, bytes and
//! where they appear. Problems with single objects (missing, corrupt) are
//! collected as [`HistoryError`]s so the sweep goes on; the caller reports
//! them and exits 2 at the end.

mod commits;
mod diff;
mod links;
mod place;
mod scan;
mod scoped;
mod since;

use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::Find;

use crate::finding::Problem;

pub use place::{Appearance, Appearances, HistorySource};
pub use scan::{BlobToScan, Judges, Plan, ScanOutcome, Streamed};
pub use since::Since;

/// What can go wrong in a history sweep. Opening the repository, reading
/// refs or parsing a revision stop the sweep; an unreadable object is
/// reported and skipped.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HistoryError {
    #[error("cannot read the refs of the repository")]
    #[diagnostic(
        code(intercom_guard::history::refs),
        help("`git for-each-ref` shows whether git can read them")
    )]
    Refs {
        #[source]
        source: gix::Error,
    },

    #[error("`{rev}` is not a revision or range of this repository")]
    #[diagnostic(
        code(intercom_guard::history::revision),
        help(
            "give revisions as git does: `main~10..main`, `v1.0..`, `A...B`, a branch, a tag or a commit id; `git rev-parse {rev}` shows what git makes of it"
        )
    )]
    Revision {
        rev: String,
        #[source]
        source: gix::Error,
    },

    #[error("cannot list the objects of the repository")]
    #[diagnostic(
        code(intercom_guard::history::objects),
        help("the object database may be damaged: `git fsck` names the broken objects")
    )]
    Objects {
        #[source]
        source: gix::Error,
    },

    #[error("cannot walk the commits of the repository")]
    #[diagnostic(
        code(intercom_guard::history::walk),
        help("a commit may be missing or damaged: `git fsck` names it")
    )]
    Walk {
        #[source]
        source: gix::Error,
    },

    #[error("{what} {id} is missing from the object database; skipped")]
    #[diagnostic(
        code(intercom_guard::history::missing_object),
        help(
            "the repository is incomplete: `git fsck` lists what is missing; fetch it again or restore it"
        )
    )]
    MissingObject { what: &'static str, id: ObjectId },

    #[error("object {id} could not be read by the previous run and still cannot; skipped")]
    #[diagnostic(
        code(intercom_guard::history::still_unreadable),
        help(
            "the incremental state (`--state`) remembers what could not be read: `git fsck` names the damage; once the object is there again, the next run sweeps everything"
        )
    )]
    StillUnreadable { id: ObjectId },

    #[error("{what} {id} cannot be read; skipped")]
    #[diagnostic(
        code(intercom_guard::history::corrupt_object),
        help(
            "`git cat-file -p {id}` shows whether git can read it; `git fsck` confirms the damage"
        )
    )]
    CorruptObject {
        what: &'static str,
        id: ObjectId,
        #[source]
        source: gix::Error,
    },
}

/// Which part of the history to sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Everything reachable from any ref (branches, tags, remotes, notes,
    /// stash) or `HEAD`.
    AllRefs,
    /// The commits `git rev-list REV...` selects.
    Revs(Vec<String>),
    /// Every object of the database, reachable or not.
    AllObjects,
}

/// A repository opened for a history sweep.
pub struct History {
    repo: gix::ThreadSafeRepository,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("git_dir", &self.repo.git_dir())
            .finish()
    }
}

impl History {
    /// Discover the repository from `dir` (a work tree or a bare mirror;
    /// git's environment honoured).
    pub fn discover(dir: &Path) -> Result<History, super::GitError> {
        let repo = super::repo::open(dir)?;
        Ok(History {
            repo: repo.into_sync(),
        })
    }

    /// A thread-local handle on the repository.
    pub fn repo(&self) -> gix::Repository {
        self.repo.to_thread_local()
    }

    /// The git directory.
    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// The work tree, when the repository has one.
    pub fn work_dir(&self) -> Option<PathBuf> {
        self.repo.to_thread_local().workdir().map(Path::to_owned)
    }

    /// Whether the repository is a shallow clone (history is cut).
    pub fn is_shallow(&self) -> bool {
        self.repo.to_thread_local().is_shallow().unwrap_or(false)
    }

    /// Whether the repository has no commit at all (no ref, unborn `HEAD`).
    pub fn is_empty(&self) -> Result<bool, HistoryError> {
        let repo = self.repo.to_thread_local();
        if repo.head_id().is_ok() {
            return Ok(false);
        }
        let refs = repo
            .references()
            .map_err(|source| HistoryError::Refs { source })?;
        let mut all = refs.all().map_err(|source| HistoryError::Refs { source })?;
        Ok(all.next().is_none())
    }

    /// The name of the default branch (what `HEAD` points at), for notes.
    pub fn default_branch(&self) -> Option<String> {
        let repo = self.repo.to_thread_local();
        let name = repo.head_name().ok()??;
        Some(name.shorten().to_str_lossy().into_owned())
    }

    /// Read a blob whole (a parent's version of a matched file).
    /// Read a blob whole (a parent's version of a matched file).
    pub fn read_blob(&self, id: &ObjectId) -> Result<Vec<u8>, HistoryError> {
        let repo = self.repo.to_thread_local();
        let mut buf = Vec::new();
        match repo.objects.try_find(id, &mut buf) {
            Ok(Some(data)) if data.kind == gix::object::Kind::Blob => Ok(data.data.to_vec()),
            Ok(Some(_)) | Ok(None) => Err(HistoryError::MissingObject {
                what: "blob",
                id: *id,
            }),
            Err(source) => Err(object_error("blob", *id, source)),
        }
    }
}

impl HistoryError {
    /// The object the problem is about, when it is about one.
    pub fn object(&self) -> Option<ObjectId> {
        match self {
            HistoryError::MissingObject { id, .. }
            | HistoryError::CorruptObject { id, .. }
            | HistoryError::StillUnreadable { id } => Some(*id),
            _ => None,
        }
    }

    /// As a problem of the run, naming its object.
    pub fn into_problem(self) -> Problem {
        let object = self.object();
        let problem = Problem::new(self);
        match object {
            Some(id) => problem.with_object(id),
            None => problem,
        }
    }
}

fn object_error(what: &'static str, id: ObjectId, source: gix::Error) -> HistoryError {
    match super::repo::ErrorClass::of(&source) {
        super::repo::ErrorClass::NotFound => HistoryError::MissingObject { what, id },
        super::repo::ErrorClass::Corrupt | super::repo::ErrorClass::Other => {
            HistoryError::CorruptObject { what, id, source }
        }
    }
}

/// Work in contiguous chunks (pack order stays together; each chunk gets one
/// repository handle and its caches), a few per thread to balance load.
fn chunk_len(n: usize) -> usize {
    let parts = rayon::current_num_threads().max(1) * 8;
    n.div_ceil(parts).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_never_empty() {
        assert_eq!(chunk_len(0), 1);
        assert!(chunk_len(1_000_000) >= 1);
    }
}
