//! Opening the repository (git's environment honoured) and the git error
//! type every source shares, with the one mapping from gix's error classes
//! to diagnostic codes.

use std::path::{Path, PathBuf};

use gix::ObjectId;

/// What can go wrong opening a repository or reading its objects. All are
/// exit 2 (in a hook: the commit or push is refused).
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
        match ErrorClass::of(&source) {
            ErrorClass::NotFound => GitError::MissingObject { id, path, source },
            ErrorClass::Corrupt => GitError::CorruptObject { id, path, source },
            ErrorClass::Other => GitError::ReadObject { id, path, source },
        }
    }
}

/// What kind of failure a gix error is, for choosing a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// The object (or ref) is not there.
    NotFound,
    /// It is there but does not decode.
    Corrupt,
    /// Anything else (I/O, permissions, ...).
    Other,
}

impl ErrorClass {
    pub(crate) fn of(err: &gix::Error) -> ErrorClass {
        if err.is_not_found() {
            ErrorClass::NotFound
        } else if err.is_corrupted() {
            ErrorClass::Corrupt
        } else {
            ErrorClass::Other
        }
    }
}

/// Discover the repository from `dir`, honouring `GIT_DIR`, `GIT_INDEX_FILE`
/// and the rest of git's environment.
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
