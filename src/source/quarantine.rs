//! Opening the repository a push hook runs in, with git's object-directory
//! environment honoured.
//!
//! During `pre-receive`, git keeps the pushed objects in a quarantine
//! directory (`objects/incoming-XXXXXX`) and tells its hooks so through
//! `GIT_OBJECT_DIRECTORY` (the quarantine) and
//! `GIT_ALTERNATE_OBJECT_DIRECTORIES` (the repository's own object store).
//! gix does not read either variable, so a repository opened the usual way
//! cannot see a single pushed object.
//!
//! When either variable is set, the object database is rebuilt from a private
//! temporary directory, outside the quarantine, whose `info/alternates` lists
//! `GIT_OBJECT_DIRECTORY` (or the repository's own store when it is unset)
//! and then every `GIT_ALTERNATE_OBJECT_DIRECTORIES` entry; each of those
//! brings its own `info/alternates` along, as with git. The temporary
//! directory holds no objects and lives as long as the [`HookRepo`]. Nothing
//! is ever written into the quarantine directory: git deletes it, or moves
//! its objects into the repository, once the hook has answered.
//!
//! [`scan_objects`] reads every object of the quarantine once, for the
//! "scan first, place on hit" path of `pre-receive`: the bytes of every
//! blob (files and link targets alike) and the message of every commit and
//! annotated tag.

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gix::ObjectId;
use gix::hashtable::{HashMap, HashSet};

use super::overlay::Decoded;
use super::{blob, git_stream, objects};

/// The environment variable naming the primary object directory.
pub const OBJECT_DIRECTORY: &str = "GIT_OBJECT_DIRECTORY";
/// The environment variable listing more object directories to read from.
pub const ALTERNATE_OBJECT_DIRECTORIES: &str = "GIT_ALTERNATE_OBJECT_DIRECTORIES";
/// The environment variable git's `receive-pack` sets for its hooks when the
/// pushed objects sit in a quarantine directory (the same directory as
/// `GIT_OBJECT_DIRECTORY`).
pub const QUARANTINE_PATH: &str = "GIT_QUARANTINE_PATH";

/// What can go wrong opening the object database a hook must read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum QuarantineError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] super::GitError),

    #[error("{var} names {}, which is not a directory", path.display())]
    #[diagnostic(
        code(intercom_guard::git::object_directory),
        help(
            "git sets {var} for its hooks; outside a hook, unset it or point it at an object directory"
        )
    )]
    NotADirectory { var: &'static str, path: PathBuf },

    #[error("cannot prepare a view of the pushed objects in {}", dir.display())]
    #[diagnostic(
        code(intercom_guard::git::object_view),
        help(
            "intercom-guard writes one small file (info/alternates) into a private temporary directory; check that TMPDIR is writable"
        )
    )]
    TempDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot open the object database {}", dir.display())]
    #[diagnostic(
        code(intercom_guard::git::object_database),
        help("`git count-objects -v` shows whether git can read it")
    )]
    Open {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A repository opened for a hook, with the object view it needs.
pub struct HookRepo {
    pub repo: gix::Repository,
    /// `GIT_OBJECT_DIRECTORY` when git set it (made absolute): during
    /// `pre-receive`, the quarantine holding the objects of the push.
    pub quarantine: Option<PathBuf>,
    /// During `pre-receive` in git's quarantine (`GIT_QUARANTINE_PATH` set
    /// and naming `GIT_OBJECT_DIRECTORY`): the repository's own object
    /// store, with its alternates, as it was before the push. An object
    /// found there is one the server had; the objects of the push are not
    /// in it until the hooks have accepted them.
    pub known: Option<gix::OdbHandle>,
    /// The directory holding our `info/alternates`; removed on drop.
    _view: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for HookRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookRepo")
            .field("git_dir", &self.repo.git_dir())
            .field("quarantine", &self.quarantine)
            .field("known", &self.known.is_some())
            .field("quarantine_view", &self._view.as_ref().map(|d| d.path()))
            .finish()
    }
}

/// The object directories git's environment asks for, in lookup order;
/// `None` when neither variable is set (the repository's own store is right).
pub fn object_dirs_from_env(
    repo_objects: &Path,
    object_directory: Option<&OsStr>,
    alternates: Option<&OsStr>,
) -> Option<Vec<PathBuf>> {
    let object_directory = object_directory.filter(|v| !v.is_empty());
    let alternates = alternates.filter(|v| !v.is_empty());
    if object_directory.is_none() && alternates.is_none() {
        return None;
    }
    let mut dirs = vec![object_directory.map_or_else(|| repo_objects.to_owned(), PathBuf::from)];
    if let Some(list) = alternates {
        dirs.extend(split_alternates(list));
    }
    Some(dirs)
}

/// Split `GIT_ALTERNATE_OBJECT_DIRECTORIES` like git: entries separated by
/// `:` (`;` on Windows); an entry starting with `"` is C-quoted (so it may
/// hold the separator); empty entries are skipped.
pub fn split_alternates(list: &OsStr) -> Vec<PathBuf> {
    let sep = if cfg!(windows) { b';' } else { b':' };
    let bytes = os_bytes(list);
    let mut out = Vec::new();
    let mut rest: &[u8] = &bytes;
    while !rest.is_empty() {
        if rest[0] == b'"'
            && let Some((entry, after)) = unquote_c(&rest[1..])
        {
            out.push(entry);
            rest = after.strip_prefix(&[sep]).unwrap_or(after);
            continue;
        }
        let end = rest.iter().position(|&b| b == sep).unwrap_or(rest.len());
        if end > 0 {
            out.push(rest[..end].to_vec());
        }
        rest = rest.get(end + 1..).unwrap_or(&[]);
    }
    out.into_iter().map(bytes_path).collect()
}

/// Undo C quoting up to the closing `"`; `None` when it is not closed (git
/// then takes the entry literally).
fn unquote_c(s: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => return Some((out, &s[i + 1..])),
            b'\\' => {
                let c = *s.get(i + 1)?;
                i += 2;
                match c {
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'v' => out.push(11),
                    b'0'..=b'3' => {
                        let digits = s.get(i..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        out.push(
                            ((c - b'0') << 6) | ((digits[0] - b'0') << 3) | (digits[1] - b'0'),
                        );
                        i += 2;
                    }
                    other => out.push(other),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

#[cfg(unix)]
fn os_bytes(s: &OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn os_bytes(s: &OsStr) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn bytes_path(b: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(OsString::from_vec(b))
}

#[cfg(not(unix))]
fn bytes_path(b: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&b).into_owned())
}

/// Give `repo` the object database that git's environment describes:
/// `dirs[0]` first, then the others, each with its own alternates. Returns
/// the temporary directory that must outlive the repository's object reads.
pub fn use_object_dirs(
    repo: &mut gix::Repository,
    dirs: &[PathBuf],
) -> Result<tempfile::TempDir, QuarantineError> {
    let cwd = std::env::current_dir().map_err(|source| QuarantineError::TempDir {
        dir: PathBuf::from("."),
        source,
    })?;
    let mut absolute = Vec::with_capacity(dirs.len());
    for (i, dir) in dirs.iter().enumerate() {
        let dir = cwd.join(dir);
        if !dir.is_dir() {
            // A missing alternate is skipped by git with a warning; a missing
            // primary directory is an error.
            if i == 0 {
                return Err(QuarantineError::NotADirectory {
                    var: OBJECT_DIRECTORY,
                    path: dir,
                });
            }
            continue;
        }
        absolute.push(dir);
    }

    let tmp_root = std::env::temp_dir();
    let view = tempfile::Builder::new()
        .prefix("intercom-guard-objects-")
        .tempdir_in(&tmp_root)
        .map_err(|source| QuarantineError::TempDir {
            dir: tmp_root.clone(),
            source,
        })?;
    let write = || -> std::io::Result<()> {
        let info = view.path().join("info");
        std::fs::create_dir(&info)?;
        let mut file = std::fs::File::create(info.join("alternates"))?;
        for dir in &absolute {
            file.write_all(&os_bytes(dir.as_os_str()))?;
            file.write_all(b"\n")?;
        }
        file.flush()
    };
    write().map_err(|source| QuarantineError::TempDir {
        dir: view.path().to_owned(),
        source,
    })?;

    // No replacements, as for every repository opened (`super::repo`):
    // each id reads the object stored under it.
    let store = gix::odb::at_opts(
        view.path(),
        repo.object_hash(),
        std::iter::empty(),
        gix::odb::store::init::Options {
            current_dir: Some(cwd),
            ..Default::default()
        },
    )
    .map_err(|source| QuarantineError::Open {
        dir: absolute.first().cloned().unwrap_or_default(),
        source,
    })?;
    // Cloning keeps the cache constructors git's configuration asked for.
    let mut objects = repo.objects.clone();
    **objects = store.into_inner();
    repo.objects = objects;
    Ok(view)
}

/// Open the repository for a hook from `dir` (as [`super::repo::open`]
/// does: the directory `GIT_DIR` names, `GIT_DIR=.` inside a non-bare
/// repository's `.git` included; replacement objects ignored; reftable
/// refused), with the quarantine's objects visible when git set the object
/// variables.
pub fn open(dir: &Path) -> Result<HookRepo, QuarantineError> {
    let mut repo = super::repo::open(dir)?;
    let own_objects = repo.objects.clone();
    let object_directory = std::env::var_os(OBJECT_DIRECTORY);
    let alternates = std::env::var_os(ALTERNATE_OBJECT_DIRECTORIES);
    let view = match object_dirs_from_env(
        repo.objects.store_ref().path(),
        object_directory.as_deref(),
        alternates.as_deref(),
    ) {
        Some(dirs) => Some(use_object_dirs(&mut repo, &dirs)?),
        None => None,
    };
    let quarantine =
        object_directory
            .filter(|dir| !dir.is_empty())
            .map(|dir| match std::env::current_dir() {
                Ok(cwd) => cwd.join(dir),
                Err(_) => PathBuf::from(dir),
            });
    let known = quarantined(
        quarantine.as_deref(),
        std::env::var_os(QUARANTINE_PATH).as_deref(),
    )
    .then_some(own_objects)
    .map(|mut known| {
        // It is asked mostly about objects it does not hold: never look on
        // disk for new packs after each miss (what the server had is on
        // disk already when the hook starts).
        known.refresh_never();
        known
    });
    // Commits and trees are read again and again across a push's commits,
    // and blobs come in delta chains: keep decoded bases around.
    repo.object_cache_size_if_unset(16 * 1024 * 1024);
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            64 * 1024 * 1024,
        ))
    });
    Ok(HookRepo {
        repo,
        quarantine,
        known,
        _view: view,
    })
}

/// Whether git runs the hook with the push in quarantine: it then sets
/// `GIT_QUARANTINE_PATH` to the directory it also names in
/// `GIT_OBJECT_DIRECTORY`. Anything else (a variable missing, or the two
/// naming different directories) is not taken for a quarantine, so the
/// repository's own store is never mistaken for what the server had before
/// a push whose objects are already in it.
fn quarantined(object_directory: Option<&Path>, quarantine_path: Option<&OsStr>) -> bool {
    let (Some(objects), Some(path)) = (object_directory, quarantine_path) else {
        return false;
    };
    if path.is_empty() {
        return false;
    }
    let path = match std::env::current_dir() {
        Ok(cwd) => cwd.join(path),
        Err(_) => PathBuf::from(path),
    };
    match (objects.canonicalize(), path.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The objects of a push as they sit in git's quarantine, each read once
/// (packs by their delta tree, loose objects after, on every core), blobs
/// handed to a scan.
#[derive(Debug, Default)]
pub struct PushedObjects<T> {
    /// Every object in the quarantine directory.
    pub ids: HashSet<ObjectId>,
    /// Every blob read.
    pub blobs: HashSet<ObjectId>,
    /// Every commit and tag whose message was read.
    pub messages: HashSet<ObjectId>,
    /// The blobs and messages (by their commit or tag) the scan answered
    /// `Some` for, with its answer.
    pub hits: HashMap<ObjectId, T>,
    /// Bytes of the blobs read.
    pub bytes: u64,
    /// What the quarantine's trees and commits name outside it: objects
    /// the server already had. While it is empty, every blob a pushed
    /// commit can add is in [`PushedObjects::blobs`].
    pub outside: Outside,
    /// A tree of the push names an entry after Intercom: the files under it
    /// are Intercom contexts, judged with their paths (the scan had none).
    pub names_intercom: bool,
    /// The trees and commits read once something matched, as far as
    /// [`DECODED_BUDGET`] allows: the tree diffs that place a hit read them
    /// from here (a clean push never needs them).
    pub decoded: Decoded,
}

/// What the quarantine's trees and commits name outside the quarantine.
#[derive(Debug, Default)]
pub struct Outside {
    /// Blobs (files and link targets) the server already had.
    pub blobs: HashSet<ObjectId>,
    /// Trees the server already had: everything under them, too.
    pub trees: HashSet<ObjectId>,
    /// A tree or commit of the quarantine did not parse.
    pub unparsable: bool,
}

impl Outside {
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty() && self.trees.is_empty() && !self.unparsable
    }

    fn add(&mut self, named: Named) {
        match named {
            Named::Nothing => {}
            Named::Blob(id) => {
                self.blobs.insert(id);
            }
            Named::Tree(id) => {
                self.trees.insert(id);
            }
            Named::Unparsable => self.unparsable = true,
        }
    }
}

/// One reference out of the quarantine.
enum Named {
    Nothing,
    Blob(ObjectId),
    Tree(ObjectId),
    Unparsable,
}

/// At most this many bytes of a push's trees and commits are kept in memory
/// after the scan, for the tree diffs that run only when something matched
/// (a push of 200,000 commits on top of tokio brings ~250 MiB of trees; a
/// map of them all would double the hook's memory).
pub const DECODED_BUDGET: u64 = 64 * 1024 * 1024;

impl<T> PushedObjects<T> {
    /// Whether every blob that `commits` (objects of the push) can add or
    /// change, each of `direct` (what refs point at directly, and the tags
    /// on the way), and every message of those, was read here, with no hit.
    pub fn all_clean(&self, commits: &[ObjectId], direct: &[ObjectId]) -> bool {
        self.outside.is_empty() && self.clean_but_outside(commits, direct)
    }

    /// [`PushedObjects::all_clean`] but for the old objects the quarantine
    /// names ([`PushedObjects::outside`]), which are still to judge.
    pub fn clean_but_outside(&self, commits: &[ObjectId], direct: &[ObjectId]) -> bool {
        self.hits.is_empty()
            && !self.names_intercom
            && commits.iter().all(|id| self.ids.contains(id))
            && direct.iter().all(|id| self.ids.contains(id))
    }
}

/// Read every object of the quarantine directory `dir` once and call
/// `scan` with the bytes of each blob and with the message
/// ([`blob::message`]) of each commit and tag; a loose blob larger than
/// `window` bytes is read in order and handed to `stream` instead (which
/// answers with its result, the bytes read and the error that stopped it).
/// Trees and commits are parsed to count their references outside the
/// quarantine ([`PushedObjects::outside`]). Nothing is written. Fails when
/// a pack or a loose object cannot be read; the caller then takes the slow
/// path, which names the object.
pub fn scan_objects<T, S, R>(
    dir: &Path,
    hash: gix::hash::Kind,
    window: u64,
    scan: S,
    stream: R,
) -> Result<PushedObjects<T>, gix::Error>
where
    T: Send,
    S: Fn(&[u8]) -> Option<T> + Sync,
    R: Fn(&mut dyn std::io::Read) -> (Option<T>, u64, Option<std::io::Error>) + Sync,
{
    use gix::object::Kind;
    use rayon::prelude::*;

    let mut bundles = Vec::new();
    let mut ids: HashSet<ObjectId> = HashSet::default();
    for idx in objects::pack_indices(dir) {
        let bundle = gix::odb::pack::Bundle::at(&idx, hash).map_err(gix::Error::from_error)?;
        ids.extend(bundle.index.iter().map(|e| e.oid));
        bundles.push(bundle);
    }
    let loose: Vec<ObjectId> = objects::loose_ids(dir, hash).collect::<Result<_, _>>()?;
    ids.extend(loose.iter().copied());

    let empty_tree = ObjectId::empty_tree(hash);
    let empty_blob = ObjectId::empty_blob(hash);
    let known = |id: &gix::hash::oid| ids.contains(id) || id == empty_tree || id == empty_blob;
    struct Found<T> {
        blobs: HashSet<ObjectId>,
        messages: HashSet<ObjectId>,
        hits: HashMap<ObjectId, T>,
        bytes: u64,
        outside: Outside,
        names_intercom: bool,
        decoded: Decoded,
    }
    let found = Mutex::new(Found {
        blobs: HashSet::default(),
        messages: HashSet::default(),
        hits: HashMap::default(),
        bytes: 0,
        outside: Outside::default(),
        names_intercom: false,
        decoded: Decoded::with_budget(DECODED_BUDGET),
    });
    let message = |kind: Kind, id: &ObjectId, data: &[u8], outside: Named| {
        let hit = scan(blob::message(data));
        let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
        found.outside.add(outside);
        if kind == Kind::Commit && !found.hits.is_empty() {
            found.decoded.keep(*id, kind, data);
        }
        if found.messages.insert(*id)
            && let Some(hit) = hit
        {
            found.hits.insert(*id, hit);
        }
    };
    let blob = |id: &ObjectId, hit: Option<T>, bytes: u64| {
        let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
        if found.blobs.insert(*id) {
            found.bytes += bytes;
            if let Some(hit) = hit {
                found.hits.insert(*id, hit);
            }
        }
    };
    let visit = |kind: Kind, id: &ObjectId, data: &[u8]| match kind {
        Kind::Blob => blob(id, scan(data), data.len() as u64),
        Kind::Tree => {
            let mut outside = Vec::new();
            let mut names_intercom = false;
            for entry in gix::objs::TreeRefIter::from_bytes(data, hash) {
                if let Ok(entry) = &entry {
                    names_intercom |= crate::detect::path_names_intercom(entry.filename);
                }
                match entry {
                    Ok(entry) if entry.mode.is_commit() => {}
                    Ok(entry) if known(entry.oid) => {}
                    Ok(entry) if entry.mode.is_tree() => {
                        outside.push(Named::Tree(entry.oid.to_owned()));
                    }
                    Ok(entry) => outside.push(Named::Blob(entry.oid.to_owned())),
                    Err(_) => outside.push(Named::Unparsable),
                }
            }
            let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
            found.names_intercom |= names_intercom;
            for named in outside {
                found.outside.add(named);
            }
            if !found.hits.is_empty() {
                found.decoded.keep(*id, kind, data);
            }
        }
        Kind::Commit => {
            let outside = match gix::objs::CommitRefIter::from_bytes(data, hash).tree_id() {
                Ok(tree) if known(&tree) => Named::Nothing,
                Ok(tree) => Named::Tree(tree),
                Err(_) => Named::Unparsable,
            };
            message(kind, id, data, outside);
        }
        Kind::Tag => message(kind, id, data, Named::Nothing),
    };
    for bundle in &bundles {
        // What the traversal leaves out (blobs larger than the window) is
        // read in order, one at a time; a delta on top of one takes the
        // slow path, which reads it through gix.
        for left in objects::traverse_pack(bundle, window, visit)? {
            if !left.whole_blob {
                return Err(gix::Error::from_error(std::io::Error::other(format!(
                    "object {} is a delta of a large blob",
                    left.id
                ))));
            }
            let mut object = git_stream::packed_blob(bundle.pack.path(), left.offset, hash)
                .map_err(gix::Error::from_error)?;
            let (hit, bytes, error) = stream(&mut object);
            if let Some(error) = error {
                return Err(gix::Error::from_error(error));
            }
            blob(&left.id, hit, bytes);
        }
    }
    let chunk = loose
        .len()
        .div_ceil(rayon::current_num_threads().max(1) * 4)
        .max(1);
    loose.par_chunks(chunk).try_for_each(|part| {
        let mut buf = Vec::new();
        for id in part {
            let (kind, mut object) = git_stream::open_loose(dir, id).map_err(|err| {
                gix::Error::from_error(std::io::Error::new(
                    err.kind(),
                    format!("loose object {id} of the quarantine: {err}"),
                ))
            })?;
            if kind == Kind::Blob && object.size() > window {
                let (hit, bytes, error) = stream(&mut object);
                if let Some(error) = error {
                    return Err(gix::Error::from_error(error));
                }
                blob(id, hit, bytes);
                continue;
            }
            object.read_all(&mut buf).map_err(gix::Error::from_error)?;
            visit(kind, id, &buf);
        }
        Ok(())
    })?;
    let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(PushedObjects {
        ids,
        blobs: found.blobs,
        messages: found.messages,
        hits: found.hits,
        bytes: found.bytes,
        outside: found.outside,
        names_intercom: found.names_intercom,
        decoded: found.decoded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarantine_is_git_quarantine_path_naming_the_object_directory() {
        let dir = tempfile::tempdir().unwrap();
        let incoming = dir.path().join("incoming-x");
        let other = dir.path().join("other");
        std::fs::create_dir(&incoming).unwrap();
        std::fs::create_dir(&other).unwrap();
        let via_dots = dir.path().join("other/../incoming-x");
        assert!(quarantined(Some(&incoming), Some(via_dots.as_os_str())));
        assert!(!quarantined(Some(&incoming), Some(other.as_os_str())));
        assert!(!quarantined(Some(&incoming), None));
        assert!(!quarantined(Some(&incoming), Some(OsStr::new(""))));
        assert!(!quarantined(None, Some(incoming.as_os_str())));
        let missing = dir.path().join("missing");
        assert!(!quarantined(Some(&missing), Some(missing.as_os_str())));
    }

    #[test]
    fn nothing_set_means_the_repository_store() {
        assert_eq!(
            object_dirs_from_env(Path::new("/r/objects"), None, None),
            None
        );
        assert_eq!(
            object_dirs_from_env(Path::new("/r/objects"), Some(OsStr::new("")), None),
            None
        );
    }

    #[test]
    fn quarantine_comes_first_then_alternates() {
        let dirs = object_dirs_from_env(
            Path::new("/r/objects"),
            Some(OsStr::new("/r/objects/incoming-x")),
            Some(OsStr::new("/r/objects:/shared/objects")),
        )
        .unwrap();
        assert_eq!(
            dirs,
            [
                PathBuf::from("/r/objects/incoming-x"),
                PathBuf::from("/r/objects"),
                PathBuf::from("/shared/objects"),
            ]
        );
        let only_alternates =
            object_dirs_from_env(Path::new("/r/objects"), None, Some(OsStr::new("/a"))).unwrap();
        assert_eq!(
            only_alternates,
            [PathBuf::from("/r/objects"), PathBuf::from("/a")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn alternates_split_like_git() {
        let split = split_alternates(OsStr::new(r#"/a::"/b:c\"d\n":/e"#));
        assert_eq!(
            split,
            [
                PathBuf::from("/a"),
                PathBuf::from("/b:c\"d\n"),
                PathBuf::from("/e")
            ]
        );
        // An unclosed quote is taken literally.
        assert_eq!(
            split_alternates(OsStr::new("\"/x")),
            [PathBuf::from("\"/x")]
        );
        assert_eq!(
            split_alternates(OsStr::new(r#""\101""#)),
            [PathBuf::from("A")]
        );
    }
}
