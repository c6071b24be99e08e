//! The source layer: where the bytes to scan come from.
//!
//! - [`files`]: paths and folders given to `scan` (honouring `.gitignore`),
//!   and stdin.
//! - [`staged`]: the staged change for `pre-commit` (index vs `HEAD`), read
//!   through gix, never through a `git` subprocess; [`cache_tree`] walks
//!   only the directories the change touches.
//! - [`history`]: every blob of the history (or a range, or every object),
//!   read once in parallel, and where the matched ones entered.
//! - [`objects`]: a whole object directory read the fast way (each pack by
//!   its delta tree, on every core), for `history` and for the quarantine
//!   of a push.
//! - [`push`]: the commits and blobs a push adds, for `pre-receive` and
//!   `pre-push`; [`quarantine`] opens the repository so that the objects of
//!   a push still in git's quarantine are visible.
//! - [`hooks`]: the folder git runs hooks from, for `install` and `doctor`.
//!
//! This layer knows nothing of patterns: it hands out blobs and their origin.

mod cache_tree;
pub mod files;
pub mod history;
pub mod hooks;
pub mod objects;
pub mod push;
pub mod quarantine;
pub mod staged;

pub use files::{FileBlob, FilesError};
pub use staged::{GitError, ReplacedBlob, StagedChange, StagedEntry};

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
