//! Phases 1 and 2 of the sweep: which blobs to read, and reading each
//! once, in parallel (every pack by its delta tree, loose objects after,
//! big blobs one at a time). The messages of commits and annotated tags
//! are scanned on the way: a whole-database scan meets every commit and
//! tag object in the same traversal; a range reads the messages of its
//! commits and of the tags that point into it.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;
use gix::objs::Find;
use rayon::prelude::*;

use super::commits::{tag_chains, walk};
use super::diff::Differ;
use super::links::{Links, Named};
use super::{History, HistoryError, Selection, chunk_len, object_error};
use crate::source::git_stream::ObjectFiles;
use crate::source::{blob, objects};

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
    pub(super) commits: Vec<ObjectId>,
    /// `Revs`: the commits and annotated tags whose messages to read (a
    /// whole-database scan meets them all by itself).
    pub messages: Vec<ObjectId>,
    /// `Revs`: the blobs the range adds at a path that names Intercom.
    pub(super) intercom_blobs: Vec<ObjectId>,
    /// Objects that could not be listed or read while planning.
    pub problems: Vec<HistoryError>,
}

/// How phase 2 judges a blob: `bytes` gets a blob read whole; a blob
/// larger than `window` bytes is read in order and handed to `stream`,
/// which answers with its result, how many bytes it read, and the error
/// that stopped it early.
#[derive(Debug, Clone, Copy)]
pub struct Judges<B, S> {
    pub window: u64,
    pub bytes: B,
    pub stream: S,
}

/// The answer of [`Judges::stream`].
pub type Streamed<T> = (Option<T>, u64, Option<std::io::Error>);

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
    /// The commits and tags whose message matched (their results are in
    /// [`ScanOutcome::hits`]), with their kind.
    pub messages: Vec<(ObjectId, gix::object::Kind)>,
    /// Whole-database scans: the ids that a commit, tree or tag of the
    /// database names and the database lacks (`links.rs`), with what they
    /// were named as; `None` when unknown (then phase 3 walks to find them).
    pub missing_named: Option<Vec<(ObjectId, Named)>>,
    /// Whole-database scans: the trees and blobs that a tree names after
    /// Intercom (`scoped.rs`).
    pub intercom_named: Vec<(ObjectId, Named)>,
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
            messages: Vec::new(),
            missing_named: None,
            intercom_named: Vec::new(),
        }
    }
}

impl History {
    /// Phase 1: the blobs to read for `selection`.
    pub fn plan(&self, selection: Selection) -> Result<Plan, HistoryError> {
        let repo = self.repo.to_thread_local();
        let mut problems = Vec::new();
        let (blobs, commits, messages, intercom_blobs) = match &selection {
            Selection::AllRefs | Selection::AllObjects => {
                (Vec::new(), Vec::new(), Vec::new(), Vec::new())
            }
            Selection::Revs(revs) => {
                let commits = walk(&repo, revs)?;
                let (blobs, intercom) = self.changed_blobs(&commits, &mut problems);
                // The range's commits, and the annotated tags on them.
                let in_range: HashSet<ObjectId> = commits.iter().copied().collect();
                let mut messages = commits.clone();
                let tags = tag_chains(&repo, Some("refs/tags/"), &mut problems)?;
                let mut seen = HashSet::new();
                messages.extend(
                    tags.into_iter()
                        .filter(|(_, peeled)| in_range.contains(peeled))
                        .map(|(tag, _)| tag)
                        .filter(|tag| seen.insert(*tag)),
                );
                (blobs, commits, messages, intercom)
            }
        };
        let whole_database = !matches!(selection, Selection::Revs(_));
        Ok(Plan {
            selection,
            whole_database,
            blobs,
            commits,
            messages,
            intercom_blobs,
            problems,
        })
    }

    /// The distinct blobs the `commits` add or change (against their first
    /// parent), in the order first met, and those of them added at a path
    /// that names Intercom.
    pub(super) fn changed_blobs(
        &self,
        commits: &[ObjectId],
        problems: &mut Vec<HistoryError>,
    ) -> (Vec<BlobToScan>, Vec<ObjectId>) {
        // Each changed blob, and whether its path names Intercom.
        type Changed = Vec<(ObjectId, bool)>;
        let per_chunk: Vec<(Changed, Vec<HistoryError>)> = commits
            .par_chunks(chunk_len(commits.len()))
            .map(|chunk| {
                let mut diff = Differ::new(self.repo.to_thread_local());
                let mut ids = Vec::new();
                let mut errors = Vec::new();
                for id in chunk {
                    match diff.changes(id, |_| true) {
                        Ok(commit) => ids.extend(
                            commit
                                .changes
                                .into_iter()
                                .map(|c| (c.new, crate::detect::path_names_intercom(&c.path))),
                        ),
                        Err(err) => errors.push(err),
                    }
                }
                (ids, errors)
            })
            .collect();
        let mut seen = HashSet::new();
        let mut blobs = Vec::new();
        let mut intercom = HashSet::new();
        for (ids, errors) in per_chunk {
            problems.extend(errors);
            for (id, named) in ids {
                if named {
                    intercom.insert(id);
                }
                if seen.insert(id) {
                    blobs.push(BlobToScan { id, size: 0 });
                }
            }
        }
        (blobs, intercom.into_iter().collect())
    }

    /// Phase 2: read every planned blob once, in parallel, and judge it
    /// ([`Judges`]); `progress` is called after each blob with its size.
    /// Keeps the `Some` results.
    pub fn scan<T, B, S, P>(&self, plan: &Plan, judges: Judges<B, S>, progress: P) -> ScanOutcome<T>
    where
        T: Send,
        B: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        S: Fn(&ObjectId, &mut dyn std::io::Read) -> Streamed<T> + Sync,
        P: Fn(u64) + Sync,
    {
        let scan = &judges.bytes;
        let outcome = Mutex::new(ScanOutcome::default());
        let mut loose = Vec::new();
        let mut loose_messages = Vec::new();
        let links = plan.whole_database.then(|| {
            let repo = self.repo.to_thread_local();
            Links::new(repo.object_hash(), repo.is_shallow().unwrap_or(true))
        });
        let blobs: &[BlobToScan] = if let Some(links) = &links {
            match self.scan_packs(&judges, &progress, &outcome, links) {
                Ok((blobs, messages)) => {
                    loose = blobs;
                    loose_messages = messages;
                    &loose
                }
                Err(err) => {
                    links.incomplete();
                    add_problem(&outcome, err);
                    &loose
                }
            }
        } else {
            &plan.blobs
        };
        let (big, small): (Vec<BlobToScan>, Vec<BlobToScan>) =
            blobs.iter().partition(|b| b.size > judges.window);
        let read_failed = AtomicBool::new(false);
        small.par_chunks(chunk_len(small.len())).for_each(|chunk| {
            let mut repo = self.repo.to_thread_local();
            // Each blob is read once: an object cache would only cost memory.
            repo.object_cache_size(0);
            let mut local = ScanOutcome::default();
            let mut buf = Vec::new();
            for blob in chunk {
                read_one(&repo, blob, &mut buf, scan, &mut local);
                progress(buf.len() as u64);
            }
            if !local.problems.is_empty() {
                read_failed.store(true, Ordering::Relaxed);
            }
            merge(&outcome, local);
        });
        // Blobs larger than the window, one at a time, each read in order
        // (or, stored as a delta, whole: memory holds at most one of them).
        let mut repo = self.repo.to_thread_local();
        repo.object_cache_size(0);
        let mut files = ObjectFiles::of(&repo);
        let mut local = ScanOutcome::default();
        for blob in &big {
            let read = read_big(&repo, &mut files, blob, &judges, &mut local);
            progress(read);
        }
        merge(&outcome, local);
        let messages: &[ObjectId] = if plan.whole_database {
            &loose_messages
        } else {
            &plan.messages
        };
        messages
            .par_chunks(chunk_len(messages.len()))
            .for_each(|chunk| {
                let repo = self.repo.to_thread_local();
                let mut local = ScanOutcome::default();
                let mut buf = Vec::new();
                for id in chunk {
                    read_message(&repo, id, &mut buf, scan, &mut local);
                    progress(0);
                }
                merge(&outcome, local);
            });
        let mut outcome = outcome.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(links) = &links {
            outcome.intercom_named = links.intercom_named();
        }
        outcome.missing_named = links.and_then(|links| links.missing(&self.repo));
        outcome
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
    /// tree (every base inflated once, on every core), blobs and the
    /// messages of commits and tags handed to `scan`, blob and commit ids
    /// recorded. Returns the loose objects still to read: blobs, with their
    /// size, and commits and tags (for their messages); loose commits are
    /// recorded here. A pack that cannot be traversed is read object by
    /// object instead; so are the blobs larger than the window a delta
    /// tree would inflate whole (each read in order when it is stored
    /// whole).
    fn scan_packs<T, B, S, P>(
        &self,
        judges: &Judges<B, S>,
        progress: &P,
        outcome: &Mutex<ScanOutcome<T>>,
        links: &Links,
    ) -> Result<(Vec<BlobToScan>, Vec<ObjectId>), HistoryError>
    where
        T: Send,
        B: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        S: Fn(&ObjectId, &mut dyn std::io::Read) -> Streamed<T> + Sync,
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
                        links.incomplete();
                        add_problem(outcome, HistoryError::Objects { source });
                        continue;
                    }
                };
                match self.traverse_pack(&bundle, judges, progress, outcome, links) {
                    Ok(left) => {
                        let ids: Vec<ObjectId> = left.iter().map(|l| l.id).collect();
                        self.scan_each(&ids, judges, progress, outcome);
                    }
                    Err(_) => {
                        links.incomplete();
                        // Read what can be read, one object at a time,
                        // naming each one that cannot.
                        let ids: Vec<ObjectId> = bundle.index.iter().map(|e| e.oid).collect();
                        self.scan_each(&ids, judges, progress, outcome);
                    }
                }
            }
            for id in objects::loose_ids(dir, hash) {
                match id {
                    Ok(id) => loose_ids.push(id),
                    Err(source) => {
                        links.incomplete();
                        add_problem(outcome, HistoryError::Objects { source })
                    }
                }
            }
        }
        let mut local = ScanOutcome::<T>::default();
        let mut buf = Vec::new();
        let mut blobs = Vec::new();
        let mut messages = Vec::new();
        for id in loose_ids {
            let header = repo.find_header(id);
            // What a loose commit, tree or tag names (blobs name nothing).
            if let Ok(h) = &header
                && h.kind() != gix::object::Kind::Blob
            {
                match repo.objects.try_find(&id, &mut buf) {
                    Ok(Some(data)) => links.object(data.kind, data.data),
                    _ => links.incomplete(),
                }
            }
            match header {
                Ok(h) if h.kind() == gix::object::Kind::Blob => {
                    local.seen_blobs.push(id);
                    blobs.push(BlobToScan { id, size: h.size() });
                }
                Ok(h) if h.kind() == gix::object::Kind::Commit => {
                    local.seen_commits.push(id);
                    messages.push(id);
                }
                Ok(h) if h.kind() == gix::object::Kind::Tag => messages.push(id),
                Ok(_) => {}
                Err(source) => {
                    links.incomplete();
                    local.seen_blobs.push(id);
                    local.problems.push(object_error("object", id, source));
                }
            }
        }
        merge(outcome, local);
        Ok((blobs, messages))
    }

    /// One pack by its delta tree, in parallel; what it left out
    /// ([`objects::LeftOut`]) is to be read one at a time.
    fn traverse_pack<T, B, S, P>(
        &self,
        bundle: &gix::odb::pack::Bundle,
        judges: &Judges<B, S>,
        progress: &P,
        outcome: &Mutex<ScanOutcome<T>>,
        links: &Links,
    ) -> Result<Vec<objects::LeftOut>, gix::Error>
    where
        T: Send,
        B: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        P: Fn(u64) + Sync,
    {
        let scan = &judges.bytes;
        objects::traverse_pack(bundle, judges.window, |kind, id: &ObjectId, data: &[u8]| {
            links.object(kind, data);
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
                    scan_message(gix::object::Kind::Commit, id, data, scan, &mut local);
                    progress(0);
                }
                gix::object::Kind::Tag => {
                    scan_message(gix::object::Kind::Tag, id, data, scan, &mut local);
                    progress(0);
                }
                gix::object::Kind::Tree => progress(0),
            }
            merge(outcome, local);
        })
    }

    /// Read `ids` one at a time (kind from the header; a blob larger than
    /// the window in order), reporting each that cannot be read.
    fn scan_each<T, B, S, P>(
        &self,
        ids: &[ObjectId],
        judges: &Judges<B, S>,
        progress: &P,
        outcome: &Mutex<ScanOutcome<T>>,
    ) where
        T: Send,
        B: Fn(&ObjectId, &[u8]) -> Option<T> + Sync,
        S: Fn(&ObjectId, &mut dyn std::io::Read) -> Streamed<T> + Sync,
        P: Fn(u64) + Sync,
    {
        if ids.is_empty() {
            return;
        }
        let scan = &judges.bytes;
        let repo = self.repo.to_thread_local();
        let mut files: Option<ObjectFiles> = None;
        let mut local = ScanOutcome::default();
        let mut buf = Vec::new();
        for &id in ids {
            match repo.find_header(id) {
                Ok(h) if h.kind() == gix::object::Kind::Blob && h.size() > judges.window => {
                    local.seen_blobs.push(id);
                    let blob = BlobToScan { id, size: h.size() };
                    let files = files.get_or_insert_with(|| ObjectFiles::of(&repo));
                    progress(read_big(&repo, files, &blob, judges, &mut local));
                }
                Ok(h) if h.kind() == gix::object::Kind::Blob => {
                    local.seen_blobs.push(id);
                    let blob = BlobToScan { id, size: h.size() };
                    read_one(&repo, &blob, &mut buf, scan, &mut local);
                    progress(buf.len() as u64);
                }
                Ok(h) if h.kind() == gix::object::Kind::Commit => {
                    local.seen_commits.push(id);
                    read_message(&repo, &id, &mut buf, scan, &mut local);
                    progress(0);
                }
                Ok(h) if h.kind() == gix::object::Kind::Tag => {
                    read_message(&repo, &id, &mut buf, scan, &mut local);
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
}

fn merge<T>(outcome: &Mutex<ScanOutcome<T>>, local: ScanOutcome<T>) {
    let mut all = outcome.lock().unwrap_or_else(|e| e.into_inner());
    all.hits.extend(local.hits);
    all.blobs += local.blobs;
    all.bytes += local.bytes;
    all.problems.extend(local.problems);
    all.seen_blobs.extend(local.seen_blobs);
    all.seen_commits.extend(local.seen_commits);
    all.messages.extend(local.messages);
}

/// Record one problem the scan met.
fn add_problem<T>(outcome: &Mutex<ScanOutcome<T>>, problem: HistoryError) {
    let mut all = outcome.lock().unwrap_or_else(|e| e.into_inner());
    all.problems.push(problem);
}

/// Hand the message of a commit or tag object (its bytes) to `scan`.
fn scan_message<T, S>(
    kind: gix::object::Kind,
    id: &ObjectId,
    object: &[u8],
    scan: &S,
    out: &mut ScanOutcome<T>,
) where
    S: Fn(&ObjectId, &[u8]) -> Option<T>,
{
    if let Some(result) = scan(id, blob::message(object)) {
        out.hits.push((*id, result));
        out.messages.push((*id, kind));
    }
}

/// Read a commit or tag object and scan its message; a failure is
/// recorded.
fn read_message<T, S>(
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
    scan: &S,
    out: &mut ScanOutcome<T>,
) where
    S: Fn(&ObjectId, &[u8]) -> Option<T>,
{
    match repo.objects.try_find(id, buf) {
        Ok(Some(data))
            if matches!(
                data.kind,
                gix::object::Kind::Commit | gix::object::Kind::Tag
            ) =>
        {
            scan_message(data.kind, id, data.data, scan, out);
        }
        Ok(Some(_)) => {}
        Ok(None) => out.problems.push(HistoryError::MissingObject {
            what: "commit or tag",
            id: *id,
        }),
        Err(source) => out
            .problems
            .push(object_error("commit or tag", *id, source)),
    }
}

/// Read one blob larger than the window in order and hand it to
/// `judges.stream` (stored as a delta, it is read whole instead); a failure
/// is recorded. Returns how many bytes were read.
fn read_big<T, B, S>(
    repo: &gix::Repository,
    files: &mut ObjectFiles,
    blob: &BlobToScan,
    judges: &Judges<B, S>,
    out: &mut ScanOutcome<T>,
) -> u64
where
    B: Fn(&ObjectId, &[u8]) -> Option<T>,
    S: Fn(&ObjectId, &mut dyn std::io::Read) -> Streamed<T>,
{
    match files.open(&blob.id) {
        Ok(Some(mut stream)) => {
            let (hit, read, error) = (judges.stream)(&blob.id, &mut stream);
            out.blobs += 1;
            out.bytes += read;
            if let Some(hit) = hit {
                out.hits.push((blob.id, hit));
            }
            if let Some(error) = error {
                out.problems.push(HistoryError::CorruptObject {
                    what: "blob",
                    id: blob.id,
                    source: gix::Error::from_error(error),
                });
            }
            read
        }
        Ok(None) | Err(_) => {
            let mut buf = Vec::new();
            read_one(repo, blob, &mut buf, &judges.bytes, out);
            buf.len() as u64
        }
    }
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
