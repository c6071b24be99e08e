//! Pushed ranges for `pre-receive` (on the server) and `pre-push` (on the
//! laptop).
//!
//! 1. Parse what git hands the hook on stdin ([`parse_pre_receive`],
//!    [`parse_pre_push`], from [`super::hook_input`]) into ref updates.
//! 2. The new commits are those reachable from the new tips and from none of
//!    the `hidden` commits (for `pre-receive`: every ref as it was before the
//!    push, peeled to a commit), the set `git rev-list NEW --not --all`
//!    prints in a `pre-receive` hook ([`Pushed::collect`]; the walk is in
//!    `walk.rs`; on the server, `server.rs` answers from the old values of
//!    the updated refs when git's quarantine shows that is enough).
//! 3. Each new commit is compared with each parent (a root commit with the
//!    empty tree). A path counts when its content differs from every parent
//!    (a merge that takes a file from one side adds nothing). Each changed
//!    blob comes with the versions it replaces: the parents' blobs at that
//!    path, or, for a path a parent does not have, the blobs that the same
//!    commit deleted (rename and move sources); the diffs are in
//!    `changes.rs`.
//! 4. Occurrences are grouped by blob id, in the blob vocabulary: the
//!    engine reads and scans each distinct blob once however many commits
//!    and paths carry it ([`PushSource`]).
//! 5. Besides the files: the target of every symbolic link a commit adds
//!    or changes (judged against the old target like a file), the message
//!    of every new commit, and the message of every annotated tag a pushed
//!    ref names (each tag of a chain), whole.
//!
//! A ref may also point straight at a tree or a blob (`git tag x <blob>`):
//! those are scanned whole. Submodule entries are skipped.

mod changes;
mod laptop;
mod server;
mod walk;

use std::collections::HashMap;

use gix::ObjectId;
use gix::bstr::BString;

use super::blob::{self, Blob, BlobId, GitReader, Occurrence, Old, Source};
use super::repo::GitError;
use crate::finding::{CommitMeta, SourceKind};

pub use super::hook_input::{PushUpdate, RefUpdate, StdinError, parse_pre_push, parse_pre_receive};
use changes::{changed_blobs_of, whole_object};
pub use laptop::pre_push_range;
pub use server::{Answered, walk_pre_receive};
use walk::peel_collecting;
pub use walk::{TagObject, new_commits};

/// What can go wrong reading a push. All are exit 2 (the push is refused
/// unless `--fail-open`).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PushError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] GitError),

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
    /// The annotated tags the tips name (every tag of a chain), each once.
    pub tags: Vec<TagObject>,
}

impl Walked {
    /// Peel the tips of `range` and list its new commits.
    pub fn walk(repo: &gix::Repository, range: &Range) -> Result<Walked, PushError> {
        let mut commit_tips = Vec::new();
        let mut direct = Vec::new();
        let mut tags = Vec::new();
        for &tip in &range.tips {
            match peel_collecting(repo, tip, &mut tags)? {
                (id, gix::object::Kind::Commit) => commit_tips.push(id),
                (id, kind) => direct.push((tip, id, kind)),
            }
        }
        commit_tips.sort();
        commit_tips.dedup();
        let mut seen = std::collections::HashSet::new();
        tags.retain(|t| seen.insert(t.id));
        let commits = new_commits(repo, &commit_tips, &range.hidden)?;
        Ok(Walked {
            commits,
            direct,
            tags,
        })
    }

    /// The trees and blobs that refs point at directly (tags peeled), and
    /// the annotated tags on the way: the objects, besides the commits,
    /// whose bytes a push scans whole.
    pub fn direct_objects(&self) -> Vec<ObjectId> {
        self.direct
            .iter()
            .map(|&(_, id, _)| id)
            .chain(self.tags.iter().map(|t| t.id))
            .collect()
    }
}

impl Pushed {
    /// Walk `range` in `repo` and collect every changed blob.
    pub fn collect(repo: &gix::Repository, range: &Range) -> Result<Pushed, PushError> {
        Pushed::diff(repo, Walked::walk(repo, range)?, None)
    }

    /// Compare each walked commit with its parents and collect every
    /// changed blob, and the blobs of what refs point at directly;
    /// `decoded` trees and commits are read from memory first.
    pub fn diff(
        repo: &gix::Repository,
        walked: Walked,
        decoded: Option<&crate::source::overlay::Decoded>,
    ) -> Result<Pushed, PushError> {
        let Walked {
            commits,
            direct,
            tags,
        } = walked;
        let mut pushed = Pushed {
            commits,
            blobs: Vec::new(),
        };
        let mut groups: HashMap<ObjectId, usize> = HashMap::new();
        for (idx, changed) in changed_blobs_of(repo, &pushed.commits, decoded)? {
            for (path, blob, olds, source) in changed {
                pushed.add(&mut groups, blob, Some(idx), path, olds, source);
            }
        }
        for (tip, id, kind) in direct {
            for (path, blob, source) in whole_object(repo, tip, id, kind)? {
                pushed.add(&mut groups, blob, None, path, Vec::new(), source);
            }
        }
        // Messages: each new commit's, each pushed tag's; new, so whole.
        for (idx, &id) in pushed.commits.iter().enumerate() {
            let occurrence = Occurrence::message(blob::COMMIT_MESSAGE.to_vec(), Some(idx));
            pushed.blobs.push(Blob {
                id: BlobId::Message(id),
                occurrences: vec![occurrence],
            });
        }
        for tag in tags {
            pushed.blobs.push(Blob {
                id: BlobId::Message(tag.id),
                occurrences: vec![Occurrence::message(blob::tag_path(&tag.name), None)],
            });
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
        source: SourceKind,
    ) {
        let occurrence = Occurrence {
            commit,
            olds,
            source,
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
        root: commit.parent_ids().next().is_none(),
        ..CommitMeta::default()
    })
}
