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
//!    hands the bytes to the caller's detector. Blobs above
//!    [`BIG_BLOB`] are read one at a time after the others, so at most one
//!    of them is in memory; blobs above [`MAX_BLOB`] are skipped and
//!    reported.
//! 3. [`History::appearances`] runs only when something matched: it walks
//!    the commits (every ref, the range, or every commit object) and diffs
//!    each with its first parent, keeping the changes whose new blob
//!    matched, with the blob the path had in every parent. The policy layer
//!    then decides which lines each commit added.
//!
//! This layer knows nothing of patterns: it hands out blob ids, bytes and
//! where they appear. Problems with single objects (missing, corrupt) are
//! collected as [`HistoryError`]s so the sweep goes on; the caller reports
//! them and exits 2 at the end.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::{CommitRef, Find, FindExt};
use rayon::prelude::*;

use super::blob::{Blob, BlobId, GitReader, Occurrence, Old, Source};
use super::objects;
use super::tree_diff::{DiffError, FileChange, TreeDiff};
use crate::finding::{CommitMeta, Problem};

/// Blobs larger than this are read one at a time, after the others.
pub const BIG_BLOB: u64 = 64 * 1024 * 1024;
/// Blobs larger than this are not read at all (and reported).
pub const MAX_BLOB: u64 = 1024 * 1024 * 1024;

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

    #[error("blob {id} is {size} bytes, more than the {max} bytes read at most; skipped")]
    #[diagnostic(
        code(intercom_guard::history::blob_too_big),
        help("scan it on its own: `git cat-file blob {id} | intercom-guard scan -`")
    )]
    TooBig { id: ObjectId, size: u64, max: u64 },
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

/// A blob to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobToScan {
    pub id: ObjectId,
    /// From the object header; 0 when unknown.
    pub size: u64,
}

/// What phase 1 found: the blobs to read, and what phase 3 will walk.
#[derive(Debug)]
pub struct Plan {
    pub selection: Selection,
    /// Distinct blobs, in the order they are best read; empty when the
    /// whole database is read ([`Plan::whole_database`]).
    pub blobs: Vec<BlobToScan>,
    /// Every ref and `--all-objects`: the scan traverses every pack by its
    /// delta tree and every loose object, and learns the blobs and commits
    /// as it goes.
    pub whole_database: bool,
    /// Commits to place matches in: the range's (`Revs`), every commit
    /// object (`AllObjects`); empty for `AllRefs`, whose commits are walked
    /// only when something matched.
    commits: Vec<ObjectId>,
    /// Objects that could not be listed or read while planning.
    pub problems: Vec<HistoryError>,
}

/// A matched blob at a path: a commit made it the content of `path`
/// (added or changed it there), or a ref points at it without a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appearance {
    pub blob: ObjectId,
    /// Path relative to the repository root; for a blob no tree names, a
    /// description such as `(ref refs/tags/x)` or `(dangling blob <id>)`.
    pub path: Vec<u8>,
    /// Index into [`Appearances::commits`]; `None` when no commit holds it.
    pub commit: Option<usize>,
    /// The blob at `path` in each parent of the commit (`None`: the path
    /// did not hold a file there). Empty for a root commit.
    pub parent_blobs: Vec<Option<ObjectId>>,
}

/// What phase 3 found.
#[derive(Debug, Default)]
pub struct Appearances {
    pub appearances: Vec<Appearance>,
    pub commits: Vec<CommitMeta>,
    pub problems: Vec<HistoryError>,
}

/// What phase 2 read.
#[derive(Debug)]
pub struct ScanOutcome<T> {
    /// The caller's result for each blob it returned `Some` for.
    pub hits: Vec<(ObjectId, T)>,
    pub blobs: u64,
    pub bytes: u64,
    pub problems: Vec<HistoryError>,
    /// Whole-database scans: every blob id met (read or not).
    pub seen_blobs: Vec<ObjectId>,
    /// Whole-database scans: every commit id met.
    pub seen_commits: Vec<ObjectId>,
}

impl<T> Default for ScanOutcome<T> {
    fn default() -> Self {
        ScanOutcome {
            hits: Vec::new(),
            blobs: 0,
            bytes: 0,
            problems: Vec::new(),
            seen_blobs: Vec::new(),
            seen_commits: Vec::new(),
        }
    }
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

    /// Phase 1: the blobs to read for `selection`.
    pub fn plan(&self, selection: Selection) -> Result<Plan, HistoryError> {
        let repo = self.repo.to_thread_local();
        let mut problems = Vec::new();
        let (blobs, commits) = match &selection {
            Selection::AllRefs | Selection::AllObjects => (Vec::new(), Vec::new()),
            Selection::Revs(revs) => {
                let commits = walk(&repo, revs)?;
                let blobs = self.changed_blobs(&commits, &mut problems);
                (blobs, commits)
            }
        };
        let whole_database = !matches!(selection, Selection::Revs(_));
        Ok(Plan {
            selection,
            whole_database,
            blobs,
            commits,
            problems,
        })
    }

    /// The distinct blobs the `commits` add or change (against their first
    /// parent), in the order first met.
    fn changed_blobs(
        &self,
        commits: &[ObjectId],
        problems: &mut Vec<HistoryError>,
    ) -> Vec<BlobToScan> {
        let per_chunk: Vec<(Vec<ObjectId>, Vec<HistoryError>)> = commits
            .par_chunks(chunk_len(commits.len()))
            .map(|chunk| {
                let mut diff = Differ::new(self.repo.to_thread_local());
                let mut ids = Vec::new();
                let mut errors = Vec::new();
                for id in chunk {
                    match diff.changes(id, |_| true) {
                        Ok(commit) => ids.extend(commit.changes.into_iter().map(|c| c.new)),
                        Err(err) => errors.push(err),
                    }
                }
                (ids, errors)
            })
            .collect();
        let mut seen = HashSet::new();
        let mut blobs = Vec::new();
        for (ids, errors) in per_chunk {
            problems.extend(errors);
            for id in ids {
                if seen.insert(id) {
                    blobs.push(BlobToScan { id, size: 0 });
                }
            }
        }
        blobs
    }

    /// Phase 2: read every planned blob once, in parallel, and call `scan`
    /// with its bytes; `progress` is called after each blob with its size.
    /// Keeps `scan`'s `Some` results.
    pub fn scan<T, S, P>(&self, plan: &Plan, scan: S, progress: P) -> ScanOutcome<T>
    where
        T: Send,
        S: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        P: Fn(u64) + Sync,
    {
        let outcome = Mutex::new(ScanOutcome::default());
        let mut loose = Vec::new();
        let blobs: &[BlobToScan] = if plan.whole_database {
            match self.scan_packs(&scan, &progress, &outcome) {
                Ok(blobs) => {
                    loose = blobs;
                    &loose
                }
                Err(err) => {
                    merge(
                        &outcome,
                        ScanOutcome {
                            problems: vec![err],
                            ..ScanOutcome::default()
                        },
                    );
                    &loose
                }
            }
        } else {
            &plan.blobs
        };
        let (big, small): (Vec<BlobToScan>, Vec<BlobToScan>) =
            blobs.iter().partition(|b| b.size > BIG_BLOB);
        let read_failed = AtomicBool::new(false);
        small.par_chunks(chunk_len(small.len())).for_each(|chunk| {
            let mut repo = self.repo.to_thread_local();
            // Each blob is read once: an object cache would only cost memory.
            repo.object_cache_size(0);
            let mut local = ScanOutcome::default();
            let mut buf = Vec::new();
            for blob in chunk {
                read_one(&repo, blob, &mut buf, &scan, &mut local);
                progress(buf.len() as u64);
            }
            if !local.problems.is_empty() {
                read_failed.store(true, Ordering::Relaxed);
            }
            merge(&outcome, local);
        });
        // One big blob at a time: memory holds at most one of them.
        let mut repo = self.repo.to_thread_local();
        repo.object_cache_size(0);
        let mut local = ScanOutcome::default();
        for blob in &big {
            if blob.size > MAX_BLOB {
                local.problems.push(HistoryError::TooBig {
                    id: blob.id,
                    size: blob.size,
                    max: MAX_BLOB,
                });
                progress(0);
                continue;
            }
            let mut buf = Vec::new();
            read_one(&repo, blob, &mut buf, &scan, &mut local);
            progress(buf.len() as u64);
        }
        merge(&outcome, local);
        outcome.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// The number of objects a whole-database scan meets (packed entries
    /// and loose objects), for a progress bar.
    pub fn object_count(&self) -> u64 {
        let hash = self.repo.to_thread_local().object_hash();
        self.object_dirs()
            .iter()
            .flat_map(|dir| objects::pack_indices(dir))
            .filter_map(|idx| gix::odb::pack::index::File::at(idx, hash).ok())
            .map(|i| u64::from(i.num_objects()))
            .sum()
    }

    /// The objects folder and its alternates.
    fn object_dirs(&self) -> Vec<PathBuf> {
        let repo = self.repo.to_thread_local();
        let objects_dir = repo.objects.store_ref().path().to_owned();
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut dirs = vec![objects_dir.clone()];
        dirs.extend(gix::odb::alternate::resolve(objects_dir, &cwd).unwrap_or_default());
        dirs
    }

    /// Whole-database scan, packed part: each pack traversed by its delta
    /// tree (every base inflated once, on every core), blobs handed to
    /// `scan`, blob and commit ids recorded. Returns the loose objects still
    /// to read (blobs, with their size); loose commits are recorded here.
    /// A pack that cannot be traversed is read object by object instead.
    fn scan_packs<T, S, P>(
        &self,
        scan: &S,
        progress: &P,
        outcome: &Mutex<ScanOutcome<T>>,
    ) -> Result<Vec<BlobToScan>, HistoryError>
    where
        T: Send,
        S: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        P: Fn(u64) + Sync,
    {
        use gix::odb::pack;
        let repo = self.repo.to_thread_local();
        let hash = repo.object_hash();
        let mut loose_ids: Vec<ObjectId> = Vec::new();
        for dir in &self.object_dirs() {
            for idx in objects::pack_indices(dir) {
                let bundle = match pack::Bundle::at(&idx, hash) {
                    Ok(bundle) => bundle,
                    Err(source) => {
                        merge(
                            outcome,
                            ScanOutcome {
                                problems: vec![HistoryError::Objects { source }],
                                ..ScanOutcome::default()
                            },
                        );
                        continue;
                    }
                };
                let traversed = self.traverse_pack(&bundle, scan, progress, outcome);
                if traversed.is_err() {
                    // Read what can be read, one object at a time, naming
                    // each one that cannot.
                    let ids: Vec<ObjectId> = bundle.index.iter().map(|e| e.oid).collect();
                    self.scan_each(&ids, scan, progress, outcome);
                }
            }
            for id in objects::loose_ids(dir, hash) {
                match id {
                    Ok(id) => loose_ids.push(id),
                    Err(source) => merge(
                        outcome,
                        ScanOutcome {
                            problems: vec![HistoryError::Objects { source }],
                            ..ScanOutcome::default()
                        },
                    ),
                }
            }
        }
        let mut local = ScanOutcome::<T>::default();
        let mut blobs = Vec::new();
        for id in loose_ids {
            match repo.find_header(id) {
                Ok(h) if h.kind() == gix::object::Kind::Blob => {
                    local.seen_blobs.push(id);
                    blobs.push(BlobToScan { id, size: h.size() });
                }
                Ok(h) if h.kind() == gix::object::Kind::Commit => local.seen_commits.push(id),
                Ok(_) => {}
                Err(source) => {
                    local.seen_blobs.push(id);
                    local.problems.push(object_error("object", id, source));
                }
            }
        }
        merge(outcome, local);
        Ok(blobs)
    }

    /// One pack by its delta tree, in parallel.
    fn traverse_pack<T, S, P>(
        &self,
        bundle: &gix::odb::pack::Bundle,
        scan: &S,
        progress: &P,
        outcome: &Mutex<ScanOutcome<T>>,
    ) -> Result<(), gix::Error>
    where
        T: Send,
        S: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        P: Fn(u64) + Sync,
    {
        objects::traverse_pack(bundle, |kind, id, data| {
            let mut local = ScanOutcome::default();
            match kind {
                gix::object::Kind::Blob => {
                    local.seen_blobs.push(*id);
                    local.blobs += 1;
                    local.bytes += data.len() as u64;
                    if let Some(result) = scan(id, data) {
                        local.hits.push((*id, result));
                    }
                    progress(data.len() as u64);
                }
                gix::object::Kind::Commit => {
                    local.seen_commits.push(*id);
                    progress(0);
                }
                _ => progress(0),
            }
            merge(outcome, local);
        })
    }

    /// Read `ids` one at a time (kind from the header), reporting each that
    /// cannot be read.
    fn scan_each<T, S, P>(
        &self,
        ids: &[ObjectId],
        scan: &S,
        progress: &P,
        outcome: &Mutex<ScanOutcome<T>>,
    ) where
        T: Send,
        S: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        P: Fn(u64) + Sync,
    {
        let repo = self.repo.to_thread_local();
        let mut local = ScanOutcome::default();
        let mut buf = Vec::new();
        for &id in ids {
            match repo.find_header(id) {
                Ok(h) if h.kind() == gix::object::Kind::Blob => {
                    local.seen_blobs.push(id);
                    let blob = BlobToScan { id, size: h.size() };
                    read_one(&repo, &blob, &mut buf, scan, &mut local);
                    progress(buf.len() as u64);
                }
                Ok(h) if h.kind() == gix::object::Kind::Commit => {
                    local.seen_commits.push(id);
                    progress(0);
                }
                Ok(_) => progress(0),
                Err(source) => {
                    local.seen_blobs.push(id);
                    local.problems.push(object_error("object", id, source));
                    progress(0);
                }
            }
        }
        merge(outcome, local);
    }

    /// Phase 3: where the `matched` blobs appear, each with the commit that
    /// put it at its path and the blobs the parents had there.
    ///
    /// When the plan read the whole object database (every ref,
    /// `--all-objects`), this walk also runs with nothing matched: it is how
    /// a blob that a commit names but the database lacks is found and
    /// reported.
    pub fn appearances<T>(
        &self,
        plan: &Plan,
        scanned: &ScanOutcome<T>,
        matched: &HashSet<ObjectId>,
    ) -> Result<Appearances, HistoryError> {
        let mut placement = Appearances::default();
        let verify = matches!(plan.selection, Selection::AllRefs | Selection::AllObjects);
        if matched.is_empty() && !verify {
            return Ok(placement);
        }
        let repo = self.repo.to_thread_local();
        let mut ref_blobs = Vec::new();
        let commits = match plan.selection {
            Selection::AllRefs => {
                let tips = tips(&repo, &mut ref_blobs)?;
                let shallow = repo.is_shallow().unwrap_or(false);
                reachable_commits(&repo, tips, shallow, &mut placement.problems)
            }
            Selection::AllObjects => {
                let mut commits = scanned.seen_commits.clone();
                commits.sort();
                commits.dedup();
                commits
            }
            Selection::Revs(_) => plan.commits.clone(),
        };
        let known: HashSet<ObjectId> = if verify {
            scanned.seen_blobs.iter().copied().collect()
        } else {
            HashSet::new()
        };
        let empty_blob = ObjectId::empty_blob(repo.object_hash());
        let missing_blobs: Mutex<HashSet<ObjectId>> = Mutex::new(HashSet::new());
        let keep = |new: &ObjectId| {
            if verify && !known.contains(new) && *new != empty_blob {
                missing_blobs
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(*new);
            }
            matched.contains(new)
        };

        // One chunk per thread: consecutive commits share most trees, so a
        // long-lived object cache per chunk pays.
        let threads = rayon::current_num_threads().max(1);
        let per_chunk: Vec<ChunkPlacement> = commits
            .par_chunks(commits.len().div_ceil(threads).max(1))
            .map(|chunk| {
                let mut repo = self.repo.to_thread_local();
                repo.object_cache_size_if_unset(64 * 1024 * 1024);
                let mut diff = Differ::new(repo);
                let mut out = ChunkPlacement::default();
                for id in chunk {
                    match diff.changes(id, keep) {
                        Ok(commit) => out.push(commit),
                        Err(err) => out.problems.push(err),
                    }
                }
                out
            })
            .collect();

        let mut missing: Vec<ObjectId> = missing_blobs
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .collect();
        missing.sort();
        placement.problems.extend(
            missing
                .into_iter()
                .map(|id| HistoryError::MissingObject { what: "blob", id }),
        );
        let mut nodes: HashMap<ObjectId, Vec<ObjectId>> = HashMap::new();
        let mut infos: Vec<(ObjectId, CommitMeta)> = Vec::new();
        let mut index_of: HashMap<ObjectId, usize> = HashMap::new();
        for chunk in per_chunk {
            placement.problems.extend(chunk.problems);
            nodes.extend(chunk.parents);
            for (id, info, appearances) in chunk.found {
                let index = *index_of.entry(id).or_insert_with(|| {
                    infos.push((id, info));
                    infos.len() - 1
                });
                for mut a in appearances {
                    a.commit = Some(index);
                    placement.appearances.push(a);
                }
            }
        }
        let generations = generations(&nodes);
        placement.commits = infos
            .into_iter()
            .map(|(id, mut info)| {
                info.generation = generations.get(&id).copied().unwrap_or(0);
                info
            })
            .collect();

        // Matched blobs that refs point at without a commit: a tag on a blob,
        // a ref on a tree.
        for (name, id) in ref_blobs {
            let mut found = Vec::new();
            match repo.find_object(id) {
                Ok(object) if object.kind == gix::object::Kind::Blob => {
                    if matched.contains(&id) {
                        found.push((format!("(ref {name})").into_bytes(), id));
                    }
                }
                Ok(object) if object.kind == gix::object::Kind::Tree => {
                    tree_blobs(&repo, id, matched, &mut found, &mut placement.problems);
                }
                Ok(_) => {}
                Err(source) => placement.problems.push(object_error("object", id, source)),
            }
            placement
                .appearances
                .extend(found.into_iter().map(|(path, blob)| Appearance {
                    blob,
                    path,
                    commit: None,
                    parent_blobs: Vec::new(),
                }));
        }

        // `--all-objects`: a matched blob no commit holds is reported as is.
        if plan.selection == Selection::AllObjects {
            let placed: HashSet<ObjectId> = placement.appearances.iter().map(|a| a.blob).collect();
            let mut dangling: Vec<&ObjectId> =
                matched.iter().filter(|id| !placed.contains(*id)).collect();
            dangling.sort();
            for id in dangling {
                placement.appearances.push(Appearance {
                    blob: *id,
                    path: format!("(dangling blob {id})").into_bytes(),
                    commit: None,
                    parent_blobs: Vec::new(),
                });
            }
        }
        Ok(placement)
    }

    /// The matched blobs in the tree at the tip of the default branch
    /// (`HEAD`); `None` when `HEAD` has no commit.
    pub fn at_tip(&self, matched: &HashSet<ObjectId>) -> Option<HashSet<ObjectId>> {
        let repo = self.repo.to_thread_local();
        let tree = repo.head_commit().ok()?.tree_id().ok()?.detach();
        let mut found = Vec::new();
        let mut problems = Vec::new();
        tree_blobs(&repo, tree, matched, &mut found, &mut problems);
        Some(found.into_iter().map(|(_, id)| id).collect())
    }

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

impl Appearances {
    /// The appearances in the engine's vocabulary: each matched blob once,
    /// with every path and commit it appears at and, as the sides its lines
    /// are judged against, the blobs the parents had at that path.
    pub fn blobs(&self) -> Vec<Blob> {
        let mut blobs: Vec<Blob> = Vec::new();
        let mut index: HashMap<ObjectId, usize> = HashMap::new();
        for a in &self.appearances {
            let occurrence = Occurrence {
                commit: a.commit,
                olds: a
                    .parent_blobs
                    .iter()
                    .flatten()
                    .map(|id| Old::Blob(*id))
                    .collect(),
                ..Occurrence::whole(a.path.clone())
            };
            match index.get(&a.blob) {
                Some(&i) => blobs[i].occurrences.push(occurrence),
                None => {
                    index.insert(a.blob, blobs.len());
                    blobs.push(Blob {
                        id: BlobId::Object(a.blob),
                        occurrences: vec![occurrence],
                    });
                }
            }
        }
        blobs
    }

    /// The source the engine reads the matched blobs and their parents'
    /// versions from, with these commits.
    pub fn source<'h>(&'h self, history: &'h History) -> HistorySource<'h> {
        HistorySource {
            history,
            commits: &self.commits,
        }
    }
}

/// A history's matched blobs, as the engine reads them.
pub struct HistorySource<'h> {
    history: &'h History,
    commits: &'h [CommitMeta],
}

impl Source for HistorySource<'_> {
    type Reader = GitReader;

    fn reader(&self) -> GitReader {
        GitReader::new(self.history.repo())
    }

    fn commit(&self, index: usize) -> Result<CommitMeta, Problem> {
        self.commits
            .get(index)
            .cloned()
            .ok_or_else(|| Problem::new(super::blob::UnknownCommit { index }))
    }
}

impl HistoryError {
    /// As a problem of the run, naming its object.
    pub fn into_problem(self) -> Problem {
        let object = match &self {
            HistoryError::MissingObject { id, .. }
            | HistoryError::CorruptObject { id, .. }
            | HistoryError::TooBig { id, .. } => Some(*id),
            _ => None,
        };
        let problem = Problem::new(self);
        match object {
            Some(id) => problem.with_object(id),
            None => problem,
        }
    }
}

#[derive(Default)]
struct ChunkPlacement {
    found: Vec<(ObjectId, CommitMeta, Vec<Appearance>)>,
    parents: Vec<(ObjectId, Vec<ObjectId>)>,
    problems: Vec<HistoryError>,
}

impl ChunkPlacement {
    fn push(&mut self, commit: CommitChanges) {
        self.parents.push((commit.id, commit.parents.clone()));
        if commit.changes.is_empty() {
            return;
        }
        let appearances = commit
            .changes
            .into_iter()
            .map(|c| Appearance {
                blob: c.new,
                path: c.path,
                commit: None,
                parent_blobs: c.parent_blobs,
            })
            .collect();
        self.found.push((commit.id, commit.info, appearances));
    }
}

fn merge<T>(outcome: &Mutex<ScanOutcome<T>>, local: ScanOutcome<T>) {
    let mut all = outcome.lock().unwrap_or_else(|e| e.into_inner());
    all.hits.extend(local.hits);
    all.blobs += local.blobs;
    all.bytes += local.bytes;
    all.problems.extend(local.problems);
    all.seen_blobs.extend(local.seen_blobs);
    all.seen_commits.extend(local.seen_commits);
}

/// Read one blob into `buf` and hand it to `scan`; a failure is recorded.
fn read_one<T, S>(
    repo: &gix::Repository,
    blob: &BlobToScan,
    buf: &mut Vec<u8>,
    scan: &S,
    out: &mut ScanOutcome<T>,
) where
    S: Fn(&ObjectId, &[u8]) -> Option<T>,
{
    match repo.objects.try_find(&blob.id, buf) {
        Ok(Some(data)) => {
            out.blobs += 1;
            out.bytes += data.data.len() as u64;
            if let Some(result) = scan(&blob.id, data.data) {
                out.hits.push((blob.id, result));
            }
        }
        Ok(None) => {
            buf.clear();
            out.problems.push(HistoryError::MissingObject {
                what: "blob",
                id: blob.id,
            });
        }
        Err(source) => {
            buf.clear();
            out.problems.push(object_error("blob", blob.id, source));
        }
    }
}

fn object_error(what: &'static str, id: ObjectId, source: gix::Error) -> HistoryError {
    if source.is_not_found() {
        HistoryError::MissingObject { what, id }
    } else {
        HistoryError::CorruptObject { what, id, source }
    }
}

/// Work in contiguous chunks (pack order stays together; each chunk gets one
/// repository handle and its caches), a few per thread to balance load.
fn chunk_len(n: usize) -> usize {
    let parts = rayon::current_num_threads().max(1) * 8;
    n.div_ceil(parts).max(1)
}

/// Every ref (and `HEAD`) peeled: commits are returned as tips; refs that
/// end at a tree or a blob are added to `others` with their name.
fn tips(
    repo: &gix::Repository,
    others: &mut Vec<(String, ObjectId)>,
) -> Result<Vec<ObjectId>, HistoryError> {
    let mut tips = Vec::new();
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    let platform = repo
        .references()
        .map_err(|source| HistoryError::Refs { source })?;
    let all = platform
        .all()
        .map_err(|source| HistoryError::Refs { source })?;
    for reference in all {
        let Ok(mut reference) = reference else {
            continue;
        };
        let name = reference.name().as_bstr().to_str_lossy().into_owned();
        let Ok(id) = reference.peel_to_id() else {
            continue;
        };
        let id = id.detach();
        match repo.find_header(id).map(|h| h.kind()) {
            Ok(gix::object::Kind::Commit) => tips.push(id),
            Ok(gix::object::Kind::Tree | gix::object::Kind::Blob) => others.push((name, id)),
            _ => {}
        }
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// The commits `git rev-list REVS...` lists.
fn walk(repo: &gix::Repository, revs: &[String]) -> Result<Vec<ObjectId>, HistoryError> {
    use gix::revision::plumbing::Spec;
    let mut include = Vec::new();
    let mut hide = Vec::new();
    for rev in revs {
        let spec = repo
            .rev_parse(BStr::new(rev.as_bytes()))
            .map_err(|source| HistoryError::Revision {
                rev: rev.clone(),
                source,
            })?
            .detach();
        match spec {
            Spec::Include(id) => include.push(id),
            Spec::Exclude(id) => hide.push(id),
            Spec::Range { from, to } => {
                hide.push(from);
                include.push(to);
            }
            Spec::Merge { theirs, ours } => {
                include.push(theirs);
                include.push(ours);
                if let Ok(Some(base)) = repo.merge_base(theirs, ours) {
                    hide.push(base.detach());
                }
            }
            Spec::IncludeOnlyParents(id) => {
                let commit = repo
                    .find_commit(id)
                    .map_err(|source| HistoryError::Walk { source })?;
                include.extend(commit.parent_ids().map(|p| p.detach()));
            }
            Spec::ExcludeParents(id) => {
                include.push(id);
                let commit = repo
                    .find_commit(id)
                    .map_err(|source| HistoryError::Walk { source })?;
                hide.extend(commit.parent_ids().map(|p| p.detach()));
            }
        }
    }
    let include = peel_to_commits(repo, include)?;
    let hide = peel_to_commits(repo, hide)?;
    walk_ids(repo, include, hide)
}

/// Annotated tags given as revisions stand for their commits.
fn peel_to_commits(
    repo: &gix::Repository,
    ids: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, HistoryError> {
    ids.into_iter()
        .map(|id| {
            repo.find_object(id)
                .and_then(|o| o.peel_to_kind(gix::object::Kind::Commit))
                .map(|o| o.id)
                .map_err(|source| HistoryError::Walk { source })
        })
        .collect()
}

fn walk_ids(
    repo: &gix::Repository,
    include: Vec<ObjectId>,
    hide: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, HistoryError> {
    if include.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(include)
        .with_hidden(hide)
        .all()
        .map_err(|source| HistoryError::Walk { source })?;
    let mut ids = Vec::new();
    for info in walk {
        match info {
            Ok(info) => ids.push(info.id),
            Err(source) => return Err(HistoryError::Walk { source }),
        }
    }
    Ok(ids)
}

/// Every commit reachable from `tips`. A missing parent is the boundary of
/// a shallow clone, or else a missing object (reported, and the walk goes
/// on with the rest).
fn reachable_commits(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    shallow: bool,
    problems: &mut Vec<HistoryError>,
) -> Vec<ObjectId> {
    let hash = repo.object_hash();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut out = Vec::new();
    let mut stack: Vec<(ObjectId, bool)> = tips.into_iter().map(|t| (t, true)).collect();
    let mut buf = Vec::new();
    while let Some((id, is_tip)) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data)) if data.kind == gix::object::Kind::Commit => {
                out.push(id);
                for parent in gix::objs::CommitRefIter::from_bytes(data.data, hash).parent_ids() {
                    if !seen.contains(&parent) {
                        stack.push((parent, false));
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) if shallow && !is_tip => {}
            Ok(None) => problems.push(HistoryError::MissingObject { what: "commit", id }),
            Err(source) => problems.push(object_error("commit", id, source)),
        }
    }
    out
}

/// Generation numbers (longest parent chain below each commit) of the
/// commits in `parents`; parents outside the map count as roots.
fn generations(parents: &HashMap<ObjectId, Vec<ObjectId>>) -> HashMap<ObjectId, u32> {
    let mut generation: HashMap<ObjectId, u32> = HashMap::with_capacity(parents.len());
    for &start in parents.keys() {
        if generation.contains_key(&start) {
            continue;
        }
        // Iterative post-order: a commit is numbered once all its parents are.
        let mut stack = vec![start];
        while let Some(&id) = stack.last() {
            if generation.contains_key(&id) {
                stack.pop();
                continue;
            }
            let ps = parents.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            let pending: Vec<ObjectId> = ps
                .iter()
                .filter(|p| parents.contains_key(*p) && !generation.contains_key(*p))
                .copied()
                .collect();
            if pending.is_empty() {
                let g = ps
                    .iter()
                    .filter_map(|p| generation.get(p))
                    .map(|g| g + 1)
                    .max()
                    .unwrap_or(0);
                generation.insert(id, g);
                stack.pop();
            } else {
                stack.extend(pending);
            }
        }
    }
    generation
}

/// Every blob of `tree` (recursively) in `wanted`, with its path.
fn tree_blobs(
    repo: &gix::Repository,
    tree: ObjectId,
    wanted: &HashSet<ObjectId>,
    out: &mut Vec<(Vec<u8>, ObjectId)>,
    problems: &mut Vec<HistoryError>,
) {
    let mut stack: Vec<(Vec<u8>, ObjectId)> = vec![(Vec::new(), tree)];
    let mut buf = Vec::new();
    while let Some((prefix, id)) = stack.pop() {
        let entries = match repo.objects.find_tree_iter(&id, &mut buf) {
            Ok(iter) => iter,
            Err(source) => {
                problems.push(object_error("tree", id, source));
                continue;
            }
        };
        for entry in entries {
            let Ok(entry) = entry else {
                problems.push(HistoryError::MissingObject { what: "tree", id });
                break;
            };
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                stack.push((path, entry.oid.to_owned()));
            } else if entry.mode.is_blob() && wanted.contains(entry.oid) {
                out.push((path, entry.oid.to_owned()));
            }
        }
    }
}

/// One commit's file changes against its first parent.
struct CommitChanges {
    id: ObjectId,
    info: CommitMeta,
    parents: Vec<ObjectId>,
    changes: Vec<Change>,
}

/// A file the commit added or changed.
struct Change {
    path: Vec<u8>,
    new: ObjectId,
    /// The file at `path` in each parent (empty for a root commit).
    parent_blobs: Vec<Option<ObjectId>>,
}

/// Diffs commits with their first parent, reusing buffers.
struct Differ {
    repo: gix::Repository,
    commit_buf: Vec<u8>,
    parent_buf: Vec<u8>,
    diff: TreeDiff,
}

impl Differ {
    fn new(repo: gix::Repository) -> Differ {
        Differ {
            repo,
            commit_buf: Vec::new(),
            parent_buf: Vec::new(),
            diff: TreeDiff::default(),
        }
    }

    /// The files `id` adds or changes (blobs only: not links or
    /// submodules) whose new blob satisfies `keep`, with the parents'
    /// blobs at each path. A missing parent (shallow clone) counts as an
    /// empty tree.
    fn changes(
        &mut self,
        id: &ObjectId,
        keep: impl Fn(&ObjectId) -> bool,
    ) -> Result<CommitChanges, HistoryError> {
        let (tree, parents, info) = {
            let commit = self
                .repo
                .objects
                .find_commit(id, &mut self.commit_buf)
                .map_err(|source| object_error("commit", *id, source))?;
            let parents: Vec<ObjectId> = commit.parents().collect();
            (commit.tree(), parents, commit_info(*id, &commit))
        };

        let first_parent_tree = match parents.first() {
            Some(p) => self.parent_tree(p)?,
            None => None,
        };
        let files = self
            .diff
            .files(&self.repo, first_parent_tree, tree)
            .map_err(|err| match err {
                DiffError::Tree { id, source } => object_error("tree", id, source),
                DiffError::Compare(err) => HistoryError::CorruptObject {
                    what: "tree of commit",
                    id: *id,
                    source: gix::Error::from_error(err),
                },
            })?;

        let mut changes = Vec::new();
        for file in files {
            let FileChange::Changed { path, id: new, old } = file else {
                continue;
            };
            if !keep(&new) {
                continue;
            }
            let mut parent_blobs = Vec::with_capacity(parents.len());
            if !parents.is_empty() {
                parent_blobs.push(old);
            }
            for p in parents.iter().skip(1) {
                parent_blobs.push(self.blob_at(p, path.as_ref())?);
            }
            changes.push(Change {
                path: path.into(),
                new,
                parent_blobs,
            });
        }
        Ok(CommitChanges {
            id: *id,
            info,
            parents,
            changes,
        })
    }

    /// The tree of a parent commit; `None` when the parent is not in the
    /// database (the boundary of a shallow clone).
    fn parent_tree(&mut self, parent: &ObjectId) -> Result<Option<ObjectId>, HistoryError> {
        match self.repo.objects.try_find(parent, &mut self.parent_buf) {
            Ok(Some(data)) => {
                let commit = CommitRef::from_bytes(data.data, self.repo.object_hash()).map_err(
                    |source| HistoryError::CorruptObject {
                        what: "commit",
                        id: *parent,
                        source,
                    },
                )?;
                Ok(Some(commit.tree()))
            }
            Ok(None) => Ok(None),
            Err(source) => Err(object_error("commit", *parent, source)),
        }
    }

    /// The blob at `path` in commit `parent`, if it holds a file there.
    fn blob_at(
        &mut self,
        parent: &ObjectId,
        path: &BStr,
    ) -> Result<Option<ObjectId>, HistoryError> {
        let Some(tree) = self.parent_tree(parent)? else {
            return Ok(None);
        };
        let tree = self
            .repo
            .find_tree(tree)
            .map_err(|source| object_error("tree", tree, source))?;
        let entry = tree
            .lookup_entry(path.split(|&b| b == b'/'))
            .map_err(|source| object_error("tree", tree.id, source))?;
        Ok(entry.filter(|e| e.mode().is_blob()).map(|e| e.object_id()))
    }
}

fn commit_info(id: ObjectId, commit: &CommitRef<'_>) -> CommitMeta {
    let (author, date) = match commit.author() {
        Ok(sig) => {
            let sig = sig.trim();
            let date = sig
                .time()
                .map(|t| t.format_or_unix(gix::date::time::format::ISO8601_STRICT))
                .unwrap_or_default();
            (
                format!("{} <{}>", sig.name.to_str_lossy(), sig.email.to_str_lossy()),
                date,
            )
        }
        Err(_) => (String::new(), String::new()),
    };
    let time = commit.committer().map(|s| s.seconds()).unwrap_or(0);
    CommitMeta {
        id: id.to_string(),
        author,
        date,
        time,
        generation: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    #[test]
    fn generations_count_the_longest_chain() {
        // 1 <- 2 <- 3, 1 <- 4, merge 5 of 3 and 4; 9 is outside the map.
        let parents: HashMap<ObjectId, Vec<ObjectId>> = [
            (id(1), vec![id(9)]),
            (id(2), vec![id(1)]),
            (id(3), vec![id(2)]),
            (id(4), vec![id(1)]),
            (id(5), vec![id(3), id(4)]),
        ]
        .into_iter()
        .collect();
        let g = generations(&parents);
        assert_eq!(g[&id(1)], 0);
        assert_eq!(g[&id(3)], 2);
        assert_eq!(g[&id(4)], 1);
        assert_eq!(g[&id(5)], 3);
    }

    #[test]
    fn chunks_are_never_empty() {
        assert_eq!(chunk_len(0), 1);
        assert!(chunk_len(1_000_000) >= 1);
    }
}
