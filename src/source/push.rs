//! Pushed ranges for `pre-receive` (on the server) and `pre-push` (on the
//! laptop).
//!
//! 1. Parse what git hands the hook on stdin ([`parse_pre_receive`],
//!    [`parse_pre_push`]) into ref updates, with an error naming the line.
//! 2. The new commits are those reachable from the new tips and from none of
//!    the `hidden` commits (for `pre-receive`: every ref as it was before the
//!    push, peeled to a commit), the set `git rev-list NEW --not --all`
//!    prints in a `pre-receive` hook ([`Pushed::collect`]).
//! 3. Each new commit is compared with each parent (a root commit with the
//!    empty tree). A path counts when its content differs from every parent
//!    (a merge that takes a file from one side adds nothing). Each changed
//!    blob comes with the versions it replaces: the parents' blobs at that
//!    path, or, for a path a parent does not have, the blobs that the same
//!    commit deleted (rename and move sources).
//! 4. Occurrences are grouped by blob id: each distinct blob is read and
//!    scanned once however many commits and paths carry it.
//!
//! A ref may also point straight at a tree or a blob (`git tag x <blob>`):
//! those are scanned whole. Submodule entries and symbolic links are skipped.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use gix::ObjectId;
use gix::bstr::BString;
use gix::objs::FindExt as _;

use super::blob::{Blob, BlobId, GitReader, Occurrence, Old, Source};
use super::quarantine::QuarantineError;
use super::tree_diff::{DiffError, FileChange, TreeDiff};
use super::repo::GitError;
use crate::finding::CommitMeta;

/// What can go wrong reading a push. All are exit 2 (the push is refused
/// unless `--fail-open`).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PushError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] GitError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Quarantine(#[from] QuarantineError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Stdin(#[from] StdinError),

    #[error("cannot read stdin")]
    #[diagnostic(code(intercom_guard::stdin::read))]
    ReadStdin(#[source] std::io::Error),

    #[error("cannot list the repository's references")]
    #[diagnostic(
        code(intercom_guard::git::refs),
        help(
            "`git for-each-ref` shows whether git can read them; `git pack-refs` may repair packed-refs"
        )
    )]
    Refs {
        #[source]
        source: gix::Error,
    },

    #[error("cannot walk the commits of the push from {tip}")]
    #[diagnostic(
        code(intercom_guard::git::walk),
        help("an object of the push is missing or damaged: `git fsck` names it")
    )]
    Walk {
        tip: ObjectId,
        #[source]
        source: gix::Error,
    },

    #[error("cannot read {what} {id}")]
    #[diagnostic(
        code(intercom_guard::git::read_object),
        help(
            "`git cat-file -p {id}` shows whether git can read it; `git fsck` names damaged objects"
        )
    )]
    Object {
        what: &'static str,
        id: ObjectId,
        #[source]
        source: gix::Error,
    },

    #[error("cannot resolve `{spec}` to a commit")]
    #[diagnostic(
        code(intercom_guard::git::revision),
        help("`git rev-parse {spec}` shows what git makes of it")
    )]
    Revision {
        spec: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error("cannot compare commit {commit} with its parent {parent}")]
    #[diagnostic(
        code(intercom_guard::git::tree_diff),
        help("one of their trees is missing or damaged: `git fsck` names it")
    )]
    TreeDiff {
        commit: ObjectId,
        parent: ObjectId,
        #[source]
        source: gix::diff::tree::Error,
    },
}

/// A line of hook input that is not what git sends.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("line {line} of the {hook} input is malformed: {reason}")]
#[diagnostic(
    code(intercom_guard::stdin::malformed),
    help(
        "{expected}\ngit feeds this on stdin to the hook; run the command from a {hook} hook, not by hand"
    )
)]
pub struct StdinError {
    pub hook: &'static str,
    /// 1-based.
    pub line: usize,
    pub reason: String,
    pub expected: &'static str,
}

/// One `<old> <new> <ref>` line of `pre-receive` input. A null id (all
/// zeros) is `None`: `old` for a creation, `new` for a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
    pub name: BString,
}

/// One `<local ref> <local sha> <remote ref> <remote sha>` line of
/// `pre-push` input. `local` is `None` for a deletion, `remote` is `None`
/// when the remote does not have the ref yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushUpdate {
    pub local_ref: BString,
    pub local: Option<ObjectId>,
    pub remote_ref: BString,
    pub remote: Option<ObjectId>,
}

const PRE_RECEIVE_EXPECTED: &str =
    "each line must be `<old-id> <new-id> <ref-name>`, ids in full hex, a null id written as zeros";
const PRE_PUSH_EXPECTED: &str =
    "each line must be `<local-ref> <local-id> <remote-ref> <remote-id>`, ids in full hex";

/// Parse `pre-receive` (or `post-receive`) input.
pub fn parse_pre_receive(
    input: &[u8],
    hash: gix::hash::Kind,
) -> Result<Vec<RefUpdate>, StdinError> {
    let err = |line: usize, reason: String| StdinError {
        hook: "pre-receive",
        line,
        reason,
        expected: PRE_RECEIVE_EXPECTED,
    };
    let mut out = Vec::new();
    for (i, raw) in lines(input) {
        let fields: Vec<&[u8]> = raw.split(|&b| b == b' ').collect();
        if fields.len() != 3 {
            return Err(err(
                i,
                format!(
                    "expected 3 fields separated by single spaces, found {}",
                    fields.len()
                ),
            ));
        }
        let old = parse_id(fields[0], hash).map_err(|r| err(i, format!("old id: {r}")))?;
        let new = parse_id(fields[1], hash).map_err(|r| err(i, format!("new id: {r}")))?;
        let name = parse_ref(fields[2]).map_err(|r| err(i, r))?;
        out.push(RefUpdate { old, new, name });
    }
    Ok(out)
}

/// Parse `pre-push` input.
pub fn parse_pre_push(input: &[u8], hash: gix::hash::Kind) -> Result<Vec<PushUpdate>, StdinError> {
    let err = |line: usize, reason: String| StdinError {
        hook: "pre-push",
        line,
        reason,
        expected: PRE_PUSH_EXPECTED,
    };
    let mut out = Vec::new();
    for (i, raw) in lines(input) {
        let fields: Vec<&[u8]> = raw.split(|&b| b == b' ').collect();
        if fields.len() != 4 {
            return Err(err(
                i,
                format!(
                    "expected 4 fields separated by single spaces, found {}",
                    fields.len()
                ),
            ));
        }
        if fields[0].is_empty() {
            return Err(err(i, "the local ref is empty".into()));
        }
        let local = parse_id(fields[1], hash).map_err(|r| err(i, format!("local id: {r}")))?;
        let remote_ref = parse_ref(fields[2]).map_err(|r| err(i, r))?;
        let remote = parse_id(fields[3], hash).map_err(|r| err(i, format!("remote id: {r}")))?;
        out.push(PushUpdate {
            local_ref: fields[0].into(),
            local,
            remote_ref,
            remote,
        });
    }
    Ok(out)
}

/// Non-empty lines with their 1-based number, without `\n` / `\r\n`.
fn lines(input: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    input
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.is_empty())
}

fn parse_id(field: &[u8], hash: gix::hash::Kind) -> Result<Option<ObjectId>, String> {
    let shown = || printable(field);
    if field.len() != hash.len_in_hex() {
        return Err(format!(
            "`{}` is not a full {}-digit hex object id",
            shown(),
            hash.len_in_hex()
        ));
    }
    let id =
        ObjectId::from_hex(field).map_err(|_| format!("`{}` is not a hex object id", shown()))?;
    Ok((!id.is_null()).then_some(id))
}

fn parse_ref(field: &[u8]) -> Result<BString, String> {
    if field.is_empty() {
        return Err("the ref name is empty".into());
    }
    if field.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(format!(
            "the ref name `{}` holds control characters",
            printable(field)
        ));
    }
    Ok(field.into())
}

/// At most 80 characters of a field, printable.
fn printable(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    let mut shown: String = text
        .chars()
        .take(80)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().count() > 80 {
        shown.push('…');
    }
    shown
}

/// Where to start and where to stop.
#[derive(Debug, Clone, Default)]
pub struct Range {
    /// New tips, any object kind (tags are peeled).
    pub tips: Vec<ObjectId>,
    /// Commits the other side already has: never scanned, never crossed.
    pub hidden: Vec<ObjectId>,
}

/// The new commits of a push and the blobs they change.
#[derive(Debug, Default)]
pub struct Pushed {
    /// New commits, in walk order (tips first).
    pub commits: Vec<ObjectId>,
    /// Distinct changed blobs, in order of first appearance.
    pub blobs: Vec<Blob>,
}

/// The new commits of a push, walked but not compared with their parents
/// yet.
#[derive(Debug, Default)]
pub struct Walked {
    /// New commits, in walk order (tips first).
    pub commits: Vec<ObjectId>,
    /// Tips that peel to a tree or a blob: (tip, object, kind).
    direct: Vec<(ObjectId, ObjectId, gix::object::Kind)>,
}

impl Walked {
    /// Peel the tips of `range` and list its new commits.
    pub fn walk(repo: &gix::Repository, range: &Range) -> Result<Walked, PushError> {
        let mut commit_tips = Vec::new();
        let mut direct = Vec::new();
        for &tip in &range.tips {
            match peel(repo, tip)? {
                (id, gix::object::Kind::Commit) => commit_tips.push(id),
                (id, kind) => direct.push((tip, id, kind)),
            }
        }
        commit_tips.sort();
        commit_tips.dedup();
        let commits = new_commits(repo, &commit_tips, &range.hidden)?;
        Ok(Walked { commits, direct })
    }

    /// The trees and blobs that refs point at directly (tags peeled).
    pub fn direct_objects(&self) -> Vec<ObjectId> {
        self.direct.iter().map(|&(_, id, _)| id).collect()
    }
}

impl Pushed {
    /// Walk `range` in `repo` and collect every changed blob.
    pub fn collect(repo: &gix::Repository, range: &Range) -> Result<Pushed, PushError> {
        Pushed::diff(repo, Walked::walk(repo, range)?)
    }

    /// Compare each walked commit with its parents and collect every
    /// changed blob, and the blobs of what refs point at directly.
    pub fn diff(repo: &gix::Repository, walked: Walked) -> Result<Pushed, PushError> {
        let Walked { commits, direct } = walked;
        let mut pushed = Pushed {
            commits,
            blobs: Vec::new(),
        };
        let mut groups: HashMap<ObjectId, usize> = HashMap::new();
        for (idx, changed) in changed_blobs_of(repo, &pushed.commits)? {
            for (path, blob, olds) in changed {
                pushed.add(&mut groups, blob, Some(idx), path, olds);
            }
        }
        for (tip, id, kind) in direct {
            for (path, blob) in whole_object(repo, tip, id, kind)? {
                pushed.add(&mut groups, blob, None, path, Vec::new());
            }
        }
        Ok(pushed)
    }

    fn add(
        &mut self,
        groups: &mut HashMap<ObjectId, usize>,
        blob: ObjectId,
        commit: Option<usize>,
        path: BString,
        olds: Vec<Old>,
    ) {
        let occurrence = Occurrence {
            commit,
            olds,
            ..Occurrence::whole(path.into())
        };
        match groups.get(&blob) {
            Some(&i) => self.blobs[i].occurrences.push(occurrence),
            None => {
                groups.insert(blob, self.blobs.len());
                self.blobs.push(Blob {
                    id: BlobId::Object(blob),
                    occurrences: vec![occurrence],
                });
            }
        }
    }
}

/// How many threads to spread work over: the machine's cores, at most 8.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// A push's changed blobs with the repository that holds them: the source
/// the engine reads (commit metadata only for the findings).
pub struct PushSource<'r> {
    pub repo: &'r gix::Repository,
    pub commits: Vec<ObjectId>,
}

impl Source for PushSource<'_> {
    type Reader = GitReader;

    fn reader(&self) -> GitReader {
        GitReader::new(self.repo.clone())
    }

    fn commit(&self, index: usize) -> Result<CommitMeta, crate::finding::Problem> {
        let id = self.commits[index];
        commit_meta(self.repo, id).map_err(|err| crate::finding::Problem::new(err).with_object(id))
    }
}

/// The changed blobs of each commit, in commit order. Commits are split in
/// contiguous chunks over [`threads`] (each with its own object caches), so
/// neighbouring commits, which share trees, stay on one thread.
fn changed_blobs_of(
    repo: &gix::Repository,
    commits: &[ObjectId],
) -> Result<Vec<(usize, Vec<Changed>)>, PushError> {
    let threads = threads();
    if threads < 2 || commits.len() < 64 {
        let mut walker = TreeDiffer::new(repo);
        return commits
            .iter()
            .enumerate()
            .map(|(idx, &id)| Ok((idx, walker.changed_blobs(id)?)))
            .collect();
    }
    let chunk = commits.len().div_ceil(threads);
    let results: Vec<Result<Vec<NumberedChanges>, PushError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = commits
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let repo = repo.clone();
                scope.spawn(move || {
                    let mut walker = TreeDiffer::new(&repo);
                    part.iter()
                        .enumerate()
                        .map(|(i, &id)| Ok((n * chunk + i, walker.changed_blobs(id)?)))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(commits.len());
    for part in results {
        out.extend(part?);
    }
    Ok(out)
}

/// Follow annotated tags: the final object and its kind.
fn peel(repo: &gix::Repository, id: ObjectId) -> Result<(ObjectId, gix::object::Kind), PushError> {
    let mut id = id;
    // Tag chains are short; the bound only guards against a cycle.
    for _ in 0..64 {
        let object = repo.find_object(id).map_err(|source| PushError::Object {
            what: "pushed object",
            id,
            source,
        })?;
        if object.kind != gix::object::Kind::Tag {
            return Ok((id, object.kind));
        }
        id = object
            .into_tag()
            .target_id()
            .map_err(|source| PushError::Object {
                what: "tag",
                id,
                source,
            })?
            .detach();
    }
    Ok((id, gix::object::Kind::Tag))
}

/// Every commit reachable from `tips` and from none of `hidden`, newest
/// first: what `git rev-list TIPS --not HIDDEN` prints.
///
/// The walk is git's own (`limit_list` in revision.c): one queue ordered by
/// committer date, newest first, where hidden commits paint their ancestors
/// uninteresting; it stops once every queued commit is uninteresting (after
/// a few more steps, git's "slop", for clock skew). It never walks the
/// hidden history below the point where the new commits join it, so a
/// one-commit push costs a handful of object reads however large the
/// repository and however many old tags it has. (gix's `with_hidden` paints
/// until every hidden-only commit is exhausted, which walks the whole
/// history when a tag points deep into it.)
pub fn new_commits(
    repo: &gix::Repository,
    tips: &[ObjectId],
    hidden: &[ObjectId],
) -> Result<Vec<ObjectId>, PushError> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let mut walk = Walk {
        repo,
        nodes: HashMap::new(),
        queue: std::collections::BinaryHeap::new(),
        seq: 0,
        interesting_queued: 0,
        buf: Vec::new(),
    };
    for &id in hidden {
        walk.mark_uninteresting(id)?;
    }
    for &id in tips {
        if !walk.nodes.contains_key(&id) {
            walk.enqueue(id, false)?;
        }
    }
    const SLOP: u32 = 5;
    let mut slop = SLOP;
    let mut out = Vec::new();
    while let Some(Queued { id, .. }) = walk.queue.pop() {
        let node = walk.nodes.get_mut(&id).expect("queued commits are known");
        node.queued = false;
        node.done = true;
        let uninteresting = node.uninteresting;
        let parents = node.parents.clone();
        if uninteresting {
            for parent in parents {
                walk.mark_uninteresting(parent)?;
            }
        } else {
            walk.interesting_queued -= 1;
            out.push(id);
            for parent in parents {
                if !walk.nodes.contains_key(&parent) {
                    walk.enqueue(parent, false)?;
                }
            }
        }
        if walk.interesting_queued == 0 {
            slop -= 1;
            if slop == 0 {
                break;
            }
        } else {
            slop = SLOP;
        }
    }
    out.retain(|id| !walk.nodes[id].uninteresting);
    Ok(out)
}

/// A commit the walk has seen.
struct Node {
    parents: Vec<ObjectId>,
    uninteresting: bool,
    queued: bool,
    /// Popped: its parents were queued.
    done: bool,
}

/// A queue entry: newest committer date first, then first queued first.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Queued {
    time: i64,
    seq: std::cmp::Reverse<u64>,
    id: ObjectId,
}

struct Walk<'repo> {
    repo: &'repo gix::Repository,
    nodes: HashMap<ObjectId, Node>,
    queue: std::collections::BinaryHeap<Queued>,
    seq: u64,
    interesting_queued: usize,
    buf: Vec<u8>,
}

impl Walk<'_> {
    /// Read a commit and queue it.
    fn enqueue(&mut self, id: ObjectId, uninteresting: bool) -> Result<(), PushError> {
        let err = |source: gix::Error| PushError::Walk { tip: id, source };
        let iter = self
            .repo
            .objects
            .find_commit_iter(&id, &mut self.buf)
            .map_err(err)?;
        let parents: Vec<ObjectId> = iter.parent_ids().collect();
        let time = iter
            .committer()
            .ok()
            .and_then(|c| c.time().ok())
            .map_or(0, |t| t.seconds);
        self.nodes.insert(
            id,
            Node {
                parents,
                uninteresting,
                queued: true,
                done: false,
            },
        );
        if !uninteresting {
            self.interesting_queued += 1;
        }
        self.seq += 1;
        self.queue.push(Queued {
            time,
            seq: std::cmp::Reverse(self.seq),
            id,
        });
        Ok(())
    }

    /// Mark `id` uninteresting; a commit already walked passes it on to
    /// the ancestors it queued. A hidden id that is not a readable commit
    /// only makes the scan wider and is skipped.
    fn mark_uninteresting(&mut self, id: ObjectId) -> Result<(), PushError> {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            match self.nodes.get_mut(&id) {
                None => match self.repo.find_header(id).map(|h| h.kind()) {
                    Ok(gix::object::Kind::Commit) => self.enqueue(id, true)?,
                    Ok(gix::object::Kind::Tag) => {
                        if let Ok((target, gix::object::Kind::Commit)) = peel(self.repo, id) {
                            stack.push(target);
                        }
                    }
                    _ => {}
                },
                Some(node) if node.uninteresting => {}
                Some(node) => {
                    node.uninteresting = true;
                    if node.queued {
                        self.interesting_queued -= 1;
                    }
                    if node.done {
                        stack.extend(node.parents.iter().copied());
                    }
                }
            }
        }
        Ok(())
    }
}

/// Every ref of `repo` (and `HEAD`) peeled to a commit: what the server has
/// before the push. Refs that cannot be peeled or that name something other
/// than a commit are left out, which can only make the scan wider.
pub fn existing_commits(repo: &gix::Repository) -> Result<Vec<ObjectId>, PushError> {
    existing_commits_under(repo, None)
}

/// Like [`existing_commits`], for the refs under `prefix` only (such as
/// `refs/remotes/origin/`), without `HEAD`.
pub fn existing_commits_under(
    repo: &gix::Repository,
    prefix: Option<&str>,
) -> Result<Vec<ObjectId>, PushError> {
    let refs_err = |source| PushError::Refs { source };
    let platform = repo.references().map_err(refs_err)?;
    let iter = match prefix {
        Some(prefix) => platform.prefixed(prefix).map_err(refs_err)?,
        None => platform.all().map_err(refs_err)?,
    };
    let mut ids: Vec<ObjectId> = Vec::new();
    for reference in iter {
        let Ok(mut reference) = reference else {
            continue;
        };
        if let Ok(id) = reference.peel_to_id() {
            ids.push(id.detach());
        }
    }
    if prefix.is_none()
        && let Ok(id) = repo.head_id()
    {
        ids.push(id.detach());
    }
    ids.sort();
    ids.dedup();
    Ok(ids
        .into_iter()
        .filter(|id| {
            repo.find_header(*id)
                .is_ok_and(|h| h.kind() == gix::object::Kind::Commit)
        })
        .collect())
}

/// `Name <email>`, and the author date in RFC 3339, of a commit.
pub fn commit_meta(repo: &gix::Repository, id: ObjectId) -> Result<CommitMeta, PushError> {
    let err = |source| PushError::Object {
        what: "commit",
        id,
        source,
    };
    let commit = repo.find_commit(id).map_err(err)?;
    let author = commit.author().map_err(err)?;
    let date = author
        .time()
        .ok()
        .and_then(|t| t.format(gix::date::time::format::ISO8601_STRICT).ok())
        .unwrap_or_default();
    Ok(CommitMeta {
        id: id.to_string(),
        author: format!("{} <{}>", author.name, author.email),
        date,
        ..CommitMeta::default()
    })
}

/// A changed blob of one commit: path, new id, the versions it replaces.
type Changed = (BString, ObjectId, Vec<Old>);

/// The changed blobs of the commit at an index of the walk.
type NumberedChanges = (usize, Vec<Changed>);

/// Tree diffs of commits against their parents, reusing buffers.
struct TreeDiffer<'repo> {
    repo: &'repo gix::Repository,
    diff: TreeDiff,
    commit_buf: Vec<u8>,
}

/// A path's content against one parent.
struct PerParent {
    id: ObjectId,
    old: Old,
}

impl<'repo> TreeDiffer<'repo> {
    fn new(repo: &'repo gix::Repository) -> TreeDiffer<'repo> {
        TreeDiffer {
            repo,
            diff: TreeDiff::default(),
            commit_buf: Vec::new(),
        }
    }

    /// (tree, parents) of a commit.
    fn commit(&mut self, id: ObjectId) -> Result<(ObjectId, Vec<ObjectId>), PushError> {
        let err = |source: gix::Error| PushError::Object {
            what: "commit",
            id,
            source,
        };
        let mut iter = self
            .repo
            .objects
            .find_commit_iter(&id, &mut self.commit_buf)
            .map_err(err)?;
        let tree = iter.tree_id().map_err(err)?;
        let parents = iter.parent_ids().collect();
        Ok((tree, parents))
    }

    /// The blobs of commit `id` whose content differs from every parent.
    fn changed_blobs(&mut self, id: ObjectId) -> Result<Vec<Changed>, PushError> {
        let (tree, parents) = self.commit(id)?;
        if parents.is_empty() {
            let changes = self.diff(id, None, None, tree)?;
            return Ok(changes
                .into_iter()
                .map(|(path, p)| (path, p.id, Vec::new()))
                .collect());
        }
        let mut merged: Option<HashMap<BString, (ObjectId, Vec<Old>)>> = None;
        for parent in parents {
            let (parent_tree, _) = self.commit(parent)?;
            let changes = self.diff(id, Some(parent), Some(parent_tree), tree)?;
            merged = Some(match merged {
                None => changes
                    .into_iter()
                    .map(|(path, p)| (path, (p.id, vec![p.old])))
                    .collect(),
                Some(mut so_far) => {
                    // Keep only the paths that differ from this parent too.
                    let mut this: HashMap<BString, PerParent> = changes.into_iter().collect();
                    so_far.retain(|path, (_, olds)| match this.remove(path) {
                        Some(p) => {
                            olds.push(p.old);
                            true
                        }
                        None => false,
                    });
                    so_far
                }
            });
            if merged.as_ref().is_some_and(HashMap::is_empty) {
                break;
            }
        }
        let mut out: Vec<Changed> = merged
            .unwrap_or_default()
            .into_iter()
            .map(|(path, (id, olds))| (path, id, olds))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Blobs of `new_tree` whose content is not at the same path of
    /// `old_tree`, each with the old version to compare against: the blob
    /// the path held, or, for a new path, every blob the diff deleted
    /// (where a rename or a move came from).
    fn diff(
        &mut self,
        commit: ObjectId,
        parent: Option<ObjectId>,
        old_tree: Option<ObjectId>,
        new_tree: ObjectId,
    ) -> Result<Vec<(BString, PerParent)>, PushError> {
        let files = self
            .diff
            .files(self.repo, old_tree, new_tree)
            .map_err(|err| match err {
                DiffError::Tree { id, source } => PushError::Object {
                    what: "tree",
                    id,
                    source,
                },
                DiffError::Compare(source) => PushError::TreeDiff {
                    commit,
                    parent: parent.unwrap_or_else(|| ObjectId::empty_tree(self.repo.object_hash())),
                    source,
                },
            })?;
        let mut deleted: Vec<ObjectId> = Vec::new();
        let mut changed: Vec<(BString, ObjectId, Option<ObjectId>)> = Vec::new();
        for file in files {
            match file {
                FileChange::Changed { path, id, old } => changed.push((path, id, old)),
                FileChange::Deleted { id } => deleted.push(id),
            }
        }
        deleted.sort();
        deleted.dedup();
        let deleted: Arc<[ObjectId]> = deleted.into();
        Ok(changed
            .into_iter()
            .filter(|(_, id, old)| {
                // A pure rename or move keeps the same blob: nothing is new.
                old.is_some() || deleted.binary_search(id).is_err()
            })
            .map(|(path, id, old)| {
                let old = match old {
                    Some(old) => Old::Blob(old),
                    None => Old::AnyOf(Arc::clone(&deleted)),
                };
                (path, PerParent { id, old })
            })
            .collect())
    }
}

/// The blobs of a tree or blob that a ref points at directly.
fn whole_object(
    repo: &gix::Repository,
    tip: ObjectId,
    id: ObjectId,
    kind: gix::object::Kind,
) -> Result<Vec<(BString, ObjectId)>, PushError> {
    match kind {
        gix::object::Kind::Blob => Ok(vec![(format!("(blob {tip})").into(), id)]),
        gix::object::Kind::Tree => {
            let tree = repo.find_tree(id).map_err(|source| PushError::Object {
                what: "tree",
                id,
                source,
            })?;
            let mut recorder = gix::traverse::tree::Recorder::default();
            tree.traverse()
                .breadthfirst(&mut recorder)
                .map_err(|source| PushError::Object {
                    what: "tree",
                    id,
                    source,
                })?;
            let mut seen = HashSet::new();
            Ok(recorder
                .records
                .into_iter()
                .filter(|e| e.mode.is_blob() && seen.insert(e.oid))
                .map(|e| (e.filepath, e.oid))
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";
    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    fn id(hex: &str) -> ObjectId {
        ObjectId::from_hex(hex.as_bytes()).unwrap()
    }

    #[test]
    fn pre_receive_lines_parse_with_null_ids() {
        let input =
            format!("{Z} {A} refs/heads/new\n{A} {B} refs/heads/main\r\n\n{B} {Z} refs/tags/old\n");
        let updates = parse_pre_receive(input.as_bytes(), SHA1).unwrap();
        assert_eq!(
            updates,
            [
                RefUpdate {
                    old: None,
                    new: Some(id(A)),
                    name: "refs/heads/new".into()
                },
                RefUpdate {
                    old: Some(id(A)),
                    new: Some(id(B)),
                    name: "refs/heads/main".into()
                },
                RefUpdate {
                    old: Some(id(B)),
                    new: None,
                    name: "refs/tags/old".into()
                },
            ]
        );
        assert!(parse_pre_receive(b"", SHA1).unwrap().is_empty());
    }

    #[test]
    fn malformed_pre_receive_names_the_line() {
        let input = format!("{A} {B} refs/heads/main\n{A} refs/heads/x\n");
        let err = parse_pre_receive(input.as_bytes(), SHA1).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("3 fields"), "{err}");
        let short =
            parse_pre_receive(format!("{A} 1234 refs/heads/x").as_bytes(), SHA1).unwrap_err();
        assert!(short.reason.contains("new id"), "{short}");
        let bad = parse_pre_receive(
            format!("{A} zz22222222222222222222222222222222222222 refs/heads/x").as_bytes(),
            SHA1,
        )
        .unwrap_err();
        assert!(bad.reason.contains("hex"), "{bad}");
        let ctl = parse_pre_receive(format!("{A} {B} refs/\x1b[2J").as_bytes(), SHA1).unwrap_err();
        assert!(ctl.reason.contains("control"), "{ctl}");
        assert!(!ctl.to_string().contains('\x1b'));
    }

    #[test]
    fn pre_push_lines_parse() {
        let input =
            format!("refs/heads/main {A} refs/heads/main {Z}\n(delete) {Z} refs/heads/gone {B}\n");
        let updates = parse_pre_push(input.as_bytes(), SHA1).unwrap();
        assert_eq!(updates[0].local, Some(id(A)));
        assert_eq!(updates[0].remote, None);
        assert_eq!(updates[1].local, None);
        assert_eq!(updates[1].remote_ref, "refs/heads/gone");
        let err = parse_pre_push(format!("main {A} main").as_bytes(), SHA1).unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(err.hook, "pre-push");
    }
}
