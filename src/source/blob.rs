//! The one vocabulary every source yields, whatever the mode: a [`Blob`] to
//! scan (how to read it), every [`Occurrence`] of it (path, commit, what it
//! is) and, per occurrence, the [`Old`] sides its lines are judged against
//! ("only what the change adds"). Files and stdin, the staged change, a
//! pushed range, a history sweep and the tree at `HEAD` all speak it; the
//! engine never asks which one it is talking to.
//!
//! Not everything a git mode scans is a file's content: the target of a
//! symbolic link is a blob like any other (its occurrence says
//! [`SourceKind::Symlink`] and keeps its path), and the message of a commit
//! or of an annotated tag is read from its object ([`BlobId::Message`],
//! [`message`]) and reported at [`COMMIT_MESSAGE`] or [`tag_path`]. A
//! message has no old side: it is new with its object.
//!
//! Bytes are read through a [`Reader`], one per worker thread, that the
//! [`Source`] hands out; for git objects that is a [`GitReader`] on its own
//! repository handle.

use std::path::PathBuf;
use std::sync::Arc;

use gix::ObjectId;

use super::git_stream::{Inflating, ObjectFiles, Stored};
use super::repo::GitError;
use crate::finding::{CommitMeta, Problem, SourceKind};

/// How a blob's bytes are found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobId {
    /// A git blob.
    Object(ObjectId),
    /// The message of a git commit or annotated tag ([`message`]).
    Message(ObjectId),
    /// A file on disk (`scan PATH`).
    File(PathBuf),
    /// Standard input (`scan -`), read once.
    Stdin,
}

impl BlobId {
    /// The git object the bytes come from (a blob, or the commit or tag of
    /// a message): what whole-database passes judge them by.
    pub fn object(&self) -> Option<ObjectId> {
        match self {
            BlobId::Object(id) | BlobId::Message(id) => Some(*id),
            BlobId::File(_) | BlobId::Stdin => None,
        }
    }
}

/// The path a commit message is reported at.
pub const COMMIT_MESSAGE: &[u8] = b"<commit message>";

/// The path an annotated tag's message is reported at: `<tag NAME>`.
pub fn tag_path(name: &[u8]) -> Vec<u8> {
    let mut path = b"<tag ".to_vec();
    path.extend_from_slice(name);
    path.push(b'>');
    path
}

/// The message of a commit or tag object, given the object's bytes:
/// everything after the first empty line, which ends the headers (a
/// multi-line header such as `gpgsig` continues with lines starting with a
/// space, never with an empty one). Every pass slices messages here, so
/// the offsets of a match found in one are right in another.
pub fn message(object: &[u8]) -> &[u8] {
    if object.starts_with(b"\n") {
        return &object[1..];
    }
    object
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(&[], |i| &object[i + 2..])
}

/// A version a blob's occurrence replaces, read only when the blob had a
/// hit: a line found in any of them is not added by the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Old {
    /// The blob the occurrence's own path held before (a parent's, or
    /// `HEAD`'s): judged by that same path.
    Blob(ObjectId),
    /// Blobs the same change deleted or replaced elsewhere, where a moved
    /// or copied line may come from, each with its own path; shared by
    /// every occurrence of the change. One at an allowlisted path is no
    /// source of a line (the engine drops it): moved out of an allowlisted
    /// path, a secret counts as added at its new path.
    AnyOf(Arc<[Elsewhere]>),
}

/// A blob at another path that a change deleted or replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elsewhere {
    pub id: ObjectId,
    /// Where it was, relative to the repository root.
    pub path: Vec<u8>,
}

/// What path allowlists (`allow.paths`) match an occurrence by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyPath {
    /// The occurrence's own path.
    Same,
    /// Another spelling of it (`scan /abs/repo/src/a.js` matches `src/a.js`).
    Other(Vec<u8>),
    /// Not matched by path at all (stdin has none).
    Exempt,
}

/// One place where a blob appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The path to report: relative to the repository root, or as given to
    /// `scan`; raw bytes, since git paths need not be UTF-8.
    pub path: Vec<u8>,
    /// Index of the commit in the source's own list ([`Source::commit`]);
    /// `None` where no commit is known.
    pub commit: Option<usize>,
    /// What the lines are judged against; empty: every line is added.
    pub olds: Vec<Old>,
    pub policy_path: PolicyPath,
    /// What the bytes are here: a file, a link's target, a message.
    pub source: SourceKind,
}

impl Occurrence {
    /// An occurrence where every line counts (a file, a new blob).
    pub fn whole(path: Vec<u8>) -> Occurrence {
        Occurrence {
            path,
            commit: None,
            olds: Vec::new(),
            policy_path: PolicyPath::Same,
            source: SourceKind::File,
        }
    }

    /// The message of a commit (`commit`: its index in the source) or of
    /// an annotated tag (`None`, reported at `path`).
    pub fn message(path: Vec<u8>, commit: Option<usize>) -> Occurrence {
        Occurrence {
            commit,
            source: if commit.is_some() {
                SourceKind::CommitMessage
            } else {
                SourceKind::TagMessage
            },
            ..Occurrence::whole(path)
        }
    }

    /// The distinct old blobs, in order.
    pub fn old_ids(&self) -> Vec<ObjectId> {
        let mut ids: Vec<ObjectId> = Vec::new();
        for old in &self.olds {
            match old {
                Old::Blob(id) => ids.push(*id),
                Old::AnyOf(list) => ids.extend(list.iter().map(|e| e.id)),
            }
        }
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(*id));
        ids
    }
}

/// A distinct blob and everywhere it appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub id: BlobId,
    pub occurrences: Vec<Occurrence>,
}

/// What the engine asks of a source besides its blobs. Readers are made on
/// the calling thread and sent to the workers, so a source need not be
/// shared between threads itself.
pub trait Source {
    /// A reader for one worker thread.
    type Reader: Reader + Send;

    fn reader(&self) -> Self::Reader;

    /// The commit an occurrence names by index; asked only for findings.
    fn commit(&self, index: usize) -> Result<CommitMeta, Problem> {
        Err(Problem::new(UnknownCommit { index }))
    }
}

/// A source was asked for a commit it never listed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("internal error: commit #{index} was never listed by this source")]
#[diagnostic(code(intercom_guard::internal::commit))]
pub struct UnknownCommit {
    pub(crate) index: usize,
}

/// Reads blobs for one thread.
pub trait Reader {
    /// The bytes of `id`, whole; `path` names it in a problem.
    fn read(&mut self, id: &BlobId, path: &[u8]) -> Result<Vec<u8>, Problem>;

    /// The bytes of `id` to scan: whole when they fit in `window` bytes (or
    /// can only be had whole), else a [`Stream`] of them, read once, in
    /// order.
    fn open(&mut self, id: &BlobId, path: &[u8], window: usize) -> Result<Content<'_>, Problem> {
        let _ = window;
        self.read(id, path).map(Content::Whole)
    }
}

/// A blob's bytes as a [`Reader`] hands them out.
pub enum Content<'r> {
    /// All of them.
    Whole(Vec<u8>),
    /// More than the window asked for, in order.
    Stream(Stream<'r>),
}

/// The bytes of a blob larger than the window: `head`, already read, then
/// the rest from `rest`.
pub struct Stream<'r> {
    pub head: Vec<u8>,
    pub rest: Box<dyn std::io::Read + 'r>,
    /// The problem to report when reading `rest` fails.
    pub fail: Box<dyn Fn(std::io::Error) -> Problem + 'r>,
}

impl std::fmt::Debug for Content<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Content::Whole(data) => write!(f, "Whole({} bytes)", data.len()),
            Content::Stream(s) => write!(f, "Stream({} bytes, then more)", s.head.len()),
        }
    }
}

/// A reader of git blobs on its own repository handle (and caches).
pub struct GitReader {
    repo: gix::Repository,
    /// Where large blobs are streamed from; found when first needed.
    files: Option<ObjectFiles>,
}

impl GitReader {
    pub fn new(repo: gix::Repository) -> GitReader {
        GitReader { repo, files: None }
    }
}

impl Reader for GitReader {
    fn read(&mut self, id: &BlobId, path: &[u8]) -> Result<Vec<u8>, Problem> {
        match id {
            BlobId::Object(id) => read_git_blob(&self.repo, *id, path),
            BlobId::Message(id) => read_git_message(&self.repo, *id, path),
            BlobId::File(_) | BlobId::Stdin => {
                Err(not_a_git_blob(self.repo.object_hash(), id, path))
            }
        }
    }

    fn open(&mut self, id: &BlobId, path: &[u8], window: usize) -> Result<Content<'_>, Problem> {
        match id {
            BlobId::Object(oid) => {
                let files = &mut self.files;
                open_git_blob(&self.repo, files, *oid, path, window)
            }
            _ => self.read(id, path).map(Content::Whole),
        }
    }
}

/// Open one git blob to scan: whole when it fits in `window` bytes, else
/// streamed from its loose object or pack entry ([`ObjectFiles`]), else
/// whole (a deltified entry, which only gix can rebuild). How it is stored
/// is looked up in the pack index and the entry's header, without
/// inflating anything; a loose object is read here, once, either way.
pub fn open_git_blob<'r>(
    repo: &gix::Repository,
    files: &'r mut Option<ObjectFiles>,
    id: ObjectId,
    path: &[u8],
    window: usize,
) -> Result<Content<'r>, Problem> {
    let files = files.get_or_insert_with(|| ObjectFiles::of(repo));
    match files.find(&id) {
        Ok(Some(Stored::Loose(gix::object::Kind::Blob, mut blob))) => {
            if blob.size() > window as u64 {
                return Ok(Content::Stream(git_stream(id, path, blob)));
            }
            let mut data = Vec::new();
            match blob.read_all(&mut data) {
                Ok(()) => Ok(Content::Whole(data)),
                // gix names what is wrong with it.
                Err(_) => read_git_blob(repo, id, path).map(Content::Whole),
            }
        }
        Ok(Some(Stored::Packed { size, pack, offset })) if size > window as u64 => {
            match files.packed(pack, offset) {
                Ok(blob) => Ok(Content::Stream(git_stream(id, path, blob))),
                Err(_) => read_git_blob(repo, id, path).map(Content::Whole),
            }
        }
        // Small, a delta, not a blob, not found, or unreadable here: gix.
        _ => read_git_blob(repo, id, path).map(Content::Whole),
    }
}

/// A blob being inflated, as a [`Stream`] whose failure names it.
pub fn git_stream<'r>(id: ObjectId, path: &[u8], stream: Inflating) -> Stream<'r> {
    let path = path.to_vec();
    Stream {
        head: Vec::new(),
        rest: Box::new(stream),
        fail: Box::new(move |source| {
            Problem::new(GitError::CorruptObject {
                id,
                path: String::from_utf8_lossy(&path).into_owned(),
                source: gix::Error::from_error(source),
            })
            .with_object(id)
            .with_path(path.clone())
        }),
    }
}

/// Read the message of a commit or tag object.
fn read_git_message(repo: &gix::Repository, id: ObjectId, path: &[u8]) -> Result<Vec<u8>, Problem> {
    let problem = |source: gix::Error| {
        Problem::new(GitError::object(id, path, source))
            .with_object(id)
            .with_path(path)
    };
    let object = repo.find_object(id).map_err(problem)?;
    match object.kind {
        gix::object::Kind::Commit | gix::object::Kind::Tag => Ok(message(&object.data).to_vec()),
        kind => Err(problem(gix::Error::from_error(std::io::Error::other(
            format!("a {kind} has no message"),
        )))),
    }
}

/// Read one git blob whole; a failure is a problem naming the object and
/// the path.
pub fn read_git_blob(
    repo: &gix::Repository,
    id: ObjectId,
    path: &[u8],
) -> Result<Vec<u8>, Problem> {
    match repo.find_blob(id) {
        Ok(mut blob) => Ok(blob.take_data()),
        Err(source) => Err(Problem::new(GitError::object(id, path, source))
            .with_object(id)
            .with_path(path)),
    }
}

fn not_a_git_blob(hash: gix::hash::Kind, id: &BlobId, path: &[u8]) -> Problem {
    Problem::new(GitError::ReadObject {
        id: ObjectId::null(hash),
        path: format!("{} ({id:?})", String::from_utf8_lossy(path)),
        source: gix::Error::from_error(std::io::Error::other("not a git object")),
    })
}
