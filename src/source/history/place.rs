//! Phase 3 of the sweep, only for the blobs that matched: the commits that
//! put them at a path, with the blobs the parents had there; handed to the
//! engine as the blob vocabulary ([`Appearances::blobs`]).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use gix::ObjectId;
use gix::objs::{Find, FindExt};
use rayon::prelude::*;

use super::commits::{generations, reachable_commits, tag_chains, tips};
use super::diff::{CommitChanges, Differ};
use super::scan::{Plan, ScanOutcome};
use super::{History, HistoryError, Selection, object_error};
use crate::finding::{CommitMeta, Problem, SourceKind};
use crate::source::blob::{self, Blob, BlobId, GitReader, Occurrence, Old, Source};

/// A matched blob at a path: a commit made it the content of `path`
/// (added or changed it there), or a ref points at it without a commit; or
/// a matched message, of a commit or an annotated tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appearance {
    /// The blob; for a message, the commit or tag object.
    pub blob: ObjectId,
    /// Path relative to the repository root; for a blob no tree names, a
    /// description such as `(ref refs/tags/x)` or `(dangling blob <id>)`.
    pub path: Vec<u8>,
    /// Index into [`Appearances::commits`]; `None` when no commit holds it.
    pub commit: Option<usize>,
    /// The blob at `path` in each parent of the commit (`None`: the path
    /// did not hold a file there). Empty for a root commit.
    pub parent_blobs: Vec<Option<ObjectId>>,
    /// A file, a link's target, or a message.
    pub source: SourceKind,
}

/// What phase 3 found.
#[derive(Debug, Default)]
pub struct Appearances {
    pub appearances: Vec<Appearance>,
    pub commits: Vec<CommitMeta>,
    pub problems: Vec<HistoryError>,
}

impl History {
    /// Phase 3: where the `matched` blobs and messages appear, each blob
    /// with the commit that put it at its path and the blobs the parents
    /// had there, each message with its commit (or its tag's name).
    ///
    /// When the plan read the whole object database (every ref,
    /// `--all-objects`), this walk also runs with nothing matched: it is how
    /// a blob that a commit names but the database lacks is found and
    /// reported.
    ///
    /// When the walk breaks (a commit or tree that cannot be read), what
    /// was found is still reported: the matches not placed yet are looked
    /// for in every other commit the scan met (every ref), and what is
    /// still not placed is reported as `(unplaced blob <id>)` (or
    /// `(unplaced commit <id>)` for a message) without a commit.
    pub fn appearances<T>(
        &self,
        plan: &Plan,
        scanned: &ScanOutcome<T>,
        matched: &HashSet<ObjectId>,
    ) -> Result<Appearances, HistoryError> {
        let mut placement = Appearances::default();
        // A whole-database scan knows what the database's objects name and
        // the database lacks; the walk finds it only when the scan could not
        // tell (`links.rs`).
        let verify = matches!(plan.selection, Selection::AllRefs | Selection::AllObjects)
            && scanned.missing_named.is_none();
        if let Some(missing) = &scanned.missing_named {
            placement.problems.extend(missing.iter().map(|&(id, what)| {
                HistoryError::MissingObject {
                    what: what.as_str(),
                    id,
                }
            }));
        }
        if matched.is_empty() && !verify {
            return Ok(placement);
        }
        let messages: HashMap<ObjectId, gix::object::Kind> =
            scanned.messages.iter().copied().collect();
        let commit_messages: HashSet<ObjectId> = messages
            .iter()
            .filter(|(_, kind)| **kind == gix::object::Kind::Commit)
            .map(|(id, _)| *id)
            .collect();
        let mut tag_messages: Vec<ObjectId> = messages
            .iter()
            .filter(|(_, kind)| **kind == gix::object::Kind::Tag)
            .map(|(id, _)| *id)
            .collect();
        tag_messages.sort();
        let blob_hits: HashSet<ObjectId> = matched
            .iter()
            .filter(|id| !messages.contains_key(*id))
            .copied()
            .collect();

        let repo = self.repo.to_thread_local();
        let mut ref_blobs = Vec::new();
        let mut broken = false;
        let commits = match plan.selection {
            Selection::AllRefs => {
                let tips = tips(&repo, &mut ref_blobs)?;
                let shallow = repo.is_shallow().unwrap_or(false);
                let before = placement.problems.len();
                let commits = reachable_commits(&repo, tips, shallow, &mut placement.problems);
                broken = placement.problems.len() > before;
                commits
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
            blob_hits.contains(new)
        };
        let mut chunks = self.place_in(&commits, &keep, &commit_messages);
        broken |= chunks.iter().any(|c| !c.problems.is_empty());

        // A broken walk: look for what is not placed yet in the commits the
        // walk did not reach (every ref: the scan met every commit object).
        if broken && plan.selection == Selection::AllRefs {
            let placed = placed_ids(&chunks);
            let blobs: HashSet<ObjectId> = blob_hits.difference(&placed).copied().collect();
            let messages: HashSet<ObjectId> =
                commit_messages.difference(&placed).copied().collect();
            if !blobs.is_empty() || !messages.is_empty() {
                let walked: HashSet<ObjectId> = commits.iter().copied().collect();
                let mut rest: Vec<ObjectId> = scanned
                    .seen_commits
                    .iter()
                    .filter(|id| !walked.contains(*id))
                    .copied()
                    .collect();
                rest.sort();
                rest.dedup();
                let keep = |new: &ObjectId| blobs.contains(new);
                chunks.extend(self.place_in(&rest, &keep, &messages));
            }
        }

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
        for chunk in chunks {
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
                    if blob_hits.contains(&id) {
                        found.push((format!("(ref {name})").into_bytes(), id, SourceKind::File));
                    }
                }
                Ok(object) if object.kind == gix::object::Kind::Tree => {
                    tree_blobs(&repo, id, &blob_hits, &mut found, &mut placement.problems);
                }
                Ok(_) => {}
                Err(source) => placement.problems.push(object_error("object", id, source)),
            }
            placement
                .appearances
                .extend(found.into_iter().map(|(path, blob, source)| Appearance {
                    blob,
                    path,
                    commit: None,
                    parent_blobs: Vec::new(),
                    source,
                }));
        }

        // The messages of the annotated tags in scope: those a ref names
        // (every ref), every one that was read (a range's, every object).
        if !tag_messages.is_empty() {
            let in_scope: HashSet<ObjectId> = match plan.selection {
                Selection::AllRefs => tag_chains(&repo, None, &mut placement.problems)?
                    .into_iter()
                    .map(|(tag, _)| tag)
                    .collect(),
                Selection::AllObjects | Selection::Revs(_) => {
                    tag_messages.iter().copied().collect()
                }
            };
            for tag in tag_messages.iter().filter(|t| in_scope.contains(*t)) {
                placement.appearances.push(Appearance {
                    blob: *tag,
                    path: blob::tag_path(&tag_name(&repo, *tag)),
                    commit: None,
                    parent_blobs: Vec::new(),
                    source: SourceKind::TagMessage,
                });
            }
        }

        let placed: HashSet<ObjectId> = placement.appearances.iter().map(|a| a.blob).collect();
        let mut unplaced: Vec<&ObjectId> = blob_hits
            .iter()
            .filter(|id| !placed.contains(*id))
            .collect();
        unplaced.sort();
        // `--all-objects`: a matched blob no commit holds is reported as is;
        // after a broken walk, a matched blob not placed is reported too.
        let label = match plan.selection {
            Selection::AllObjects => Some("dangling"),
            _ if broken => Some("unplaced"),
            _ => None,
        };
        if let Some(label) = label {
            for id in unplaced {
                placement.appearances.push(Appearance {
                    blob: *id,
                    path: format!("({label} blob {id})").into_bytes(),
                    commit: None,
                    parent_blobs: Vec::new(),
                    source: SourceKind::File,
                });
            }
        }
        if broken {
            let mut unplaced: Vec<&ObjectId> = commit_messages
                .iter()
                .filter(|id| !placed.contains(*id))
                .collect();
            unplaced.sort();
            for id in unplaced {
                placement.appearances.push(Appearance {
                    blob: *id,
                    path: format!("(unplaced commit {id})").into_bytes(),
                    commit: None,
                    parent_blobs: Vec::new(),
                    source: SourceKind::CommitMessage,
                });
            }
        }
        Ok(placement)
    }

    /// Diff each of `commits` with its first parent, keeping the changes
    /// whose new blob `keep` wants, and the message of each commit in
    /// `messages` (even when its trees cannot be compared); in contiguous
    /// chunks, one per thread.
    fn place_in(
        &self,
        commits: &[ObjectId],
        keep: &(dyn Fn(&ObjectId) -> bool + Sync),
        messages: &HashSet<ObjectId>,
    ) -> Vec<ChunkPlacement> {
        // One chunk per thread: consecutive commits share most trees, so a
        // long-lived object cache per chunk pays.
        let threads = rayon::current_num_threads().max(1);
        commits
            .par_chunks(commits.len().div_ceil(threads).max(1))
            .map(|chunk| {
                let mut repo = self.repo.to_thread_local();
                repo.object_cache_size_if_unset(64 * 1024 * 1024);
                let mut diff = Differ::new(repo);
                let mut out = ChunkPlacement::default();
                for id in chunk {
                    let message = messages.contains(id);
                    match diff.changes(id, keep) {
                        Ok(commit) => out.push(commit, message),
                        Err(err) => {
                            out.problems.push(err);
                            if message && let Ok((info, parents)) = diff.meta(id) {
                                let commit = CommitChanges {
                                    id: *id,
                                    info,
                                    parents,
                                    changes: Vec::new(),
                                };
                                out.push(commit, true);
                            }
                        }
                    }
                }
                out
            })
            .collect()
    }

    /// The matched blobs in the tree at the tip of the default branch
    /// (`HEAD`); `None` when `HEAD` has no commit.
    pub fn at_tip(&self, matched: &HashSet<ObjectId>) -> Option<HashSet<ObjectId>> {
        let repo = self.repo.to_thread_local();
        let tree = repo.head_commit().ok()?.tree_id().ok()?.detach();
        let mut found = Vec::new();
        let mut problems = Vec::new();
        tree_blobs(&repo, tree, matched, &mut found, &mut problems);
        Some(found.into_iter().map(|(_, id, _)| id).collect())
    }
}

/// The blobs and messages the chunks placed.
fn placed_ids(chunks: &[ChunkPlacement]) -> HashSet<ObjectId> {
    chunks
        .iter()
        .flat_map(|c| c.found.iter())
        .flat_map(|(_, _, appearances)| appearances.iter().map(|a| a.blob))
        .collect()
}

/// The name an annotated tag gives itself; its id when it cannot be read.
fn tag_name(repo: &gix::Repository, id: ObjectId) -> Vec<u8> {
    let mut buf = Vec::new();
    match repo.objects.try_find(&id, &mut buf) {
        Ok(Some(data)) => gix::objs::TagRef::from_bytes(data.data, repo.object_hash())
            .map(|tag| tag.name.to_vec())
            .unwrap_or_else(|_| id.to_string().into_bytes()),
        _ => id.to_string().into_bytes(),
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
                source: a.source,
                ..Occurrence::whole(a.path.clone())
            };
            match index.get(&a.blob) {
                Some(&i) => blobs[i].occurrences.push(occurrence),
                None => {
                    index.insert(a.blob, blobs.len());
                    let id = match a.source {
                        SourceKind::CommitMessage | SourceKind::TagMessage => {
                            BlobId::Message(a.blob)
                        }
                        SourceKind::File | SourceKind::Symlink => BlobId::Object(a.blob),
                    };
                    blobs.push(Blob {
                        id,
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
            .ok_or_else(|| Problem::new(crate::source::blob::UnknownCommit { index }))
    }
}

#[derive(Default)]
struct ChunkPlacement {
    found: Vec<(ObjectId, CommitMeta, Vec<Appearance>)>,
    parents: Vec<(ObjectId, Vec<ObjectId>)>,
    problems: Vec<HistoryError>,
}

impl ChunkPlacement {
    /// A commit's matched changes, and its message when `message` (it
    /// matched).
    fn push(&mut self, commit: CommitChanges, message: bool) {
        self.parents.push((commit.id, commit.parents.clone()));
        let mut appearances: Vec<Appearance> = commit
            .changes
            .into_iter()
            .map(|c| Appearance {
                blob: c.new,
                path: c.path,
                commit: None,
                parent_blobs: c.parent_blobs,
                source: c.source,
            })
            .collect();
        if message {
            appearances.push(Appearance {
                blob: commit.id,
                path: blob::COMMIT_MESSAGE.to_vec(),
                commit: None,
                parent_blobs: Vec::new(),
                source: SourceKind::CommitMessage,
            });
        }
        if !appearances.is_empty() {
            self.found.push((commit.id, commit.info, appearances));
        }
    }
}

/// Every blob of `tree` (recursively, files and links) in `wanted`, with
/// its path.
fn tree_blobs(
    repo: &gix::Repository,
    tree: ObjectId,
    wanted: &HashSet<ObjectId>,
    out: &mut Vec<(Vec<u8>, ObjectId, SourceKind)>,
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
            } else if entry.mode.is_blob_or_symlink() && wanted.contains(entry.oid) {
                let source = if entry.mode.is_link() {
                    SourceKind::Symlink
                } else {
                    SourceKind::File
                };
                out.push((path, entry.oid.to_owned(), source));
            }
        }
    }
}
