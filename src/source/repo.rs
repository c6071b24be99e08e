//! Opening the repository (git's environment honoured) and the git error
//! type every source shares, with the one mapping from gix's error classes
//! to diagnostic codes.
//!
//! Every repository is opened the same way, for every mode:
//!
//! - `GIT_DIR`, when set, names the git directory itself, as git means it
//!   (made absolute first: a server runs `pre-receive` inside a non-bare
//!   repository's `.git` with `GIT_DIR=.`); otherwise the repository is
//!   discovered upwards from the directory given.
//! - Replacement objects (`refs/replace/*`) are ignored, as with
//!   `GIT_NO_REPLACE_OBJECTS`: a secret sweep reads the objects as they are
//!   stored, never what a replace ref says to show instead, so
//!   `git replace <leaking blob> <clean blob>` hides nothing.
//! - A repository whose refs are not in the `files` backend (reftable) is
//!   refused: gix cannot read those refs, and a sweep or a push check that
//!   sees no refs would pass what it never looked at.

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

    #[error(
        "the repository at {} keeps its refs in `{format}` format, which intercom-guard cannot read",
        git_dir.display()
    )]
    #[diagnostic(
        code(intercom_guard::git::reftable),
        help(
            "intercom-guard reads refs from git's `files` backend only, and refuses rather than check without refs; convert the repository with `git refs migrate --ref-format=files` (git 2.46 or later), then run it again"
        )
    )]
    RefStorage { git_dir: PathBuf, format: String },

    #[error(
        "`intercom-guard {mode}` cannot run in a bare repository ({}): it has no index and no work tree to commit from",
        git_dir.display()
    )]
    #[diagnostic(
        code(intercom_guard::git::bare),
        help(
            "run it in a work tree (git runs the pre-commit hook there); a bare repository receives pushes: `intercom-guard install` gives it the pre-receive hook, and `intercom-guard history` sweeps it"
        )
    )]
    Bare {
        git_dir: PathBuf,
        mode: &'static str,
    },

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
    /// The index at `path` could not be read.
    pub(crate) fn index_io(path: &Path, source: std::io::Error) -> GitError {
        GitError::Index {
            path: path.to_owned(),
            source: gix::Error::from_error(source),
        }
    }

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

/// The environment variable naming the git directory.
const GIT_DIR: &str = "GIT_DIR";

/// Configuration every repository is opened with: replacement objects off
/// (git's `GIT_NO_REPLACE_OBJECTS`), so every object id reads the object
/// stored under it.
const OVERRIDES: [&str; 1] = ["core.useReplaceRefs=false"];

/// Open the repository for a mode that reads its refs and objects: `GIT_DIR`
/// when git's environment sets it, else discovered upwards from `dir`
/// (`GIT_INDEX_FILE`, `GIT_WORK_TREE` and the rest of git's environment
/// honoured). Replacement objects are ignored; a reftable repository is
/// refused ([`GitError::RefStorage`]).
pub(crate) fn open(dir: &Path) -> Result<gix::Repository, GitError> {
    let repo = open_for_config(dir)?;
    refuse_unreadable_refs(&repo)?;
    Ok(repo)
}

/// Open the repository as [`open`] does, without looking at how its refs
/// are stored: for the modes that read its configuration and work tree
/// only (`scan`, `config`).
pub(crate) fn open_for_config(dir: &Path) -> Result<gix::Repository, GitError> {
    let opened = match std::env::var_os(GIT_DIR).filter(|v| !v.is_empty()) {
        Some(git_dir) => open_git_dir(&lexically_absolute(Path::new(&git_dir))),
        None => gix::ThreadSafeRepository::discover_with_environment_overrides_opts(
            dir,
            Default::default(),
            options_by_trust(),
        )
        .map_err(|source| {
            let path = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
            if is_not_a_repository(&source) {
                GitError::NotARepository { path }
            } else {
                GitError::Open { path, source }
            }
        }),
    };
    opened.map(|repo| repo.to_thread_local())
}

/// Open `git_dir` (absolute) as the git directory, the way gix opens
/// `GIT_DIR` for hooks, with its trust worked out from who owns it.
fn open_git_dir(git_dir: &Path) -> Result<gix::ThreadSafeRepository, GitError> {
    let not_a_repository = || GitError::NotARepository {
        path: git_dir.to_owned(),
    };
    let failed = |source: gix::Error| GitError::Open {
        path: git_dir.to_owned(),
        source,
    };
    let kind = gix::discover::is_git(git_dir).map_err(|_| not_a_repository())?;
    let cwd = std::env::current_dir().map_err(|err| failed(gix::Error::from_error(err)))?;
    let (repo_dir, work_dir) =
        gix::discover::repository::Path::from_dot_git_dir(git_dir.to_owned(), kind, &cwd)
            .ok_or_else(not_a_repository)?
            .into_repository_and_work_tree_directories();
    let trust =
        gix::discover::repository::trust(&repo_dir, work_dir.as_deref(), &cwd, (git_dir, None))
            .map_err(failed)?;
    let options = options_by_trust()
        .into_value_by_level(trust)
        .with(trust)
        .open_path_as_is(true);
    gix::ThreadSafeRepository::open_opts(git_dir, options).map_err(failed)
}

/// gix's options for each trust level, with [`OVERRIDES`].
fn options_by_trust() -> gix::sec::trust::Mapping<gix::open::Options> {
    use gix::sec::Trust;
    use gix::sec::trust::DefaultForLevel as _;
    let options = |level| gix::open::Options::default_for_level(level).config_overrides(OVERRIDES);
    gix::sec::trust::Mapping {
        full: options(Trust::Full),
        reduced: options(Trust::Reduced),
    }
}

/// `path` made absolute against the current directory, with its `.`
/// components dropped (`GIT_DIR=.` is the current directory itself, not a
/// work tree whose `.git` is in it).
fn lexically_absolute(path: &Path) -> PathBuf {
    let joined = match std::env::current_dir() {
        Ok(cwd) => cwd.join(path),
        Err(_) => path.to_owned(),
    };
    joined.components().collect()
}

/// Refuse a repository whose refs gix cannot read (`extensions.refStorage`
/// other than `files`, that is reftable): with no refs in sight a sweep
/// finds nothing and a push looks like the first one.
fn refuse_unreadable_refs(repo: &gix::Repository) -> Result<(), GitError> {
    let config = repo.config_snapshot();
    match config.string("extensions.refStorage") {
        Some(format) if !format.eq_ignore_ascii_case(b"files") => Err(GitError::RefStorage {
            git_dir: std::path::absolute(repo.git_dir())
                .unwrap_or_else(|_| repo.git_dir().to_owned()),
            format: format
                .to_string()
                .chars()
                .take(40)
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                .collect(),
        }),
        _ => Ok(()),
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
