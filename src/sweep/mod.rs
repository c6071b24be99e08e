//! `intercom-guard sweep`: many repositories, each an independent unit of
//! work, so the fan-out belongs to the engines teams already run (a
//! Kubernetes Indexed Job, a CI matrix): this module shards the list, runs
//! each repository's history sweep ([`crate::history_pass`]) on a few
//! threads, and keeps the results in a folder from which a rerun resumes.
//!
//! - [`list`]: the list of repositories (`--repos LIST`);
//! - [`shard`]: which of them a shard takes (a documented stable hash);
//! - [`slug`]: the readable file names of their results;
//! - [`run`]: the repositories of a shard on `--jobs` threads, the summary
//!   rewritten as each finishes;
//! - [`results`]: the files of one repository in the folder, written
//!   atomically, and what a finished one said (for a rerun that skips it);
//! - [`summary`]: `summary.json` and the exit code;
//! - [`state`]: what an incremental sweep records between runs;
//! - [`atomic`]: temp file + rename.

pub mod atomic;
pub mod list;
pub mod results;
pub mod run;
pub mod shard;
pub mod slug;
pub mod state;
pub mod summary;
