//! The source layer: where the bytes to scan come from.
//!
//! - [`files`]: paths and folders given to `scan` (honouring `.gitignore`),
//!   and stdin.
//! - [`staged`]: the staged change for `pre-commit` (index vs `HEAD`), read
//!   through gix, never through a `git` subprocess; [`cache_tree`] walks
//!   only the directories the change touches, and [`index_skim`] reads of
//!   the index only the entries that walk asks for.
//! - [`history`]: every blob of the history (or a range, or every object),
//!   read once in parallel, and where the matched ones entered.
//! - [`objects`]: a whole object directory read the fast way (each pack by
//!   its delta tree, on every core), for `history` and for the quarantine
//!   of a push; `pack_groups` cuts a pack into groups of whole delta
//!   families, read into memory one group at a time.
//! - [`push`]: the commits and blobs a push adds, for `pre-receive` and
//!   `pre-push` (its walk and its tree diffs in submodules);
//!   [`hook_input`] parses what git hands the hook on stdin;
//!   [`quarantine`] opens the repository so that the objects of a push
//!   still in git's quarantine are visible.
//! - `tree_diff`: the one tree diff push and history share;
//!   [`tree_files`]: every file of the tree at `HEAD` (for `doctor`).
//! - [`repo`]: opening the repository, and the git error type.
//! - [`blob`]: the one vocabulary every source yields: blobs, where they
//!   occur (path, commit) and the old sides they are judged against, and
//!   the [`blob::Source`] / [`blob::Reader`] traits the engine reads by;
//!   [`git_stream`]: git blobs larger than the engine's window, inflated as
//!   they are read.
//! - [`hooks`]: the folder git runs hooks from, for `install` and `doctor`;
//!   [`hook_managers`]: which hook manager (the pre-commit framework,
//!   husky, lefthook) wrote a hook there, and where it keeps its commands.
//!
//! This layer knows nothing of patterns: it hands out blobs and their origin.

pub mod blob;
mod cache_tree;
pub mod files;
pub mod git_stream;
pub mod history;
pub mod hook_input;
pub mod hook_managers;
pub mod hooks;
pub mod index_skim;
pub mod objects;
pub mod outside;
pub mod overlay;
mod pack_groups;
pub mod push;
pub mod quarantine;
pub mod repo;
pub mod staged;
mod tree_diff;
pub mod tree_files;

pub use files::FilesError;
pub use repo::GitError;
pub use staged::{ReplacedBlob, StagedChange, StagedEntry, StagedIndex};

/// Path bytes as the user or git wrote them; not lossy for non-UTF-8 names.
pub(crate) fn path_bytes(path: &std::path::Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned().into_bytes()
    }
}
