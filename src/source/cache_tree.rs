//! `HEAD`'s tree and the index walked together, the way git computes
//! `git diff --cached`: the cost follows the change, not the repository.
//!
//! The index's cache-tree extension (`TREE`) records, for every directory
//! whose entries have not changed since the tree was last written, the id
//! of the tree those entries make. Where that node is valid and names the
//! same tree as `HEAD`'s subtree, the whole directory is skipped without
//! reading its tree object. Elsewhere the directory's tree is read and its
//! entries compared with the index entries under it, recursing into
//! subdirectories. A missing or partly invalid cache-tree (`git add`
//! invalidates the ancestors of the paths it stages) only means more
//! directories are compared.
//!
//! A sparse index (`index.sparse`) holds whole directories outside the
//! sparse-checkout cone as one entry with the directory's tree id; such a
//! directory is compared tree against tree.

use std::cmp::Ordering;

use gix::ObjectId;
use gix::index::entry::{Mode, Stage};
use gix::index::extension::Tree as CacheTree;
use gix::objs::tree::EntryKind;

use super::index_skim::Entries;
use super::repo::GitError;
use super::staged::{Change, ReplacedBlob, StagedEntry};

/// What the index changes relative to `HEAD`, restricted to what a scan
/// needs.
#[derive(Debug, Default)]
pub(crate) struct Diff {
    /// Regular files and symbolic links the index adds or modifies
    /// (content, not mode only), sorted by path.
    pub(crate) changed: Vec<StagedEntry>,
    /// `HEAD`'s blobs (files and links) the index deletes or replaces,
    /// sorted by path: where a moved or copied line may come from.
    pub(crate) replaced: Vec<ReplacedBlob>,
}

/// Compare the index with `head` (a tree id; `None` on an unborn branch).
pub(crate) fn diff<E: Entries>(
    repo: &gix::Repository,
    head: Option<ObjectId>,
    index: &E,
) -> Result<Diff, GitError> {
    let mut walk = Walk {
        repo,
        index,
        out: Diff::default(),
    };
    let mut prefix = Vec::new();
    walk.dir(&mut prefix, head, 0..index.len(), index.cache_tree())?;
    Ok(walk.out)
}

/// One entry of a tree object, owned so the walk can recurse freely.
struct TreeEntry {
    name: Vec<u8>,
    kind: EntryKind,
    id: ObjectId,
}

impl TreeEntry {
    fn is_dir(&self) -> bool {
        self.kind == EntryKind::Tree
    }
}

/// What one name of a directory holds in the index.
enum Slot {
    /// Entries of one path (stages of a conflict, or a single stage 0).
    File,
    /// Entries under `name/`.
    Dir,
    /// A sparse-index directory entry: the whole subtree as a tree id.
    SparseDir(ObjectId),
}

/// A run of index entries sharing one name in the directory being walked.
struct Group<'i> {
    name: &'i [u8],
    slot: Slot,
    range: std::ops::Range<usize>,
}

struct Walk<'a, E> {
    repo: &'a gix::Repository,
    index: &'a E,
    out: Diff,
}

/// A regular or executable file, or a symbolic link (whose blob is its
/// target): the entries holding bytes to scan.
fn is_blob_mode(mode: Mode) -> bool {
    mode == Mode::FILE || mode == Mode::FILE_EXECUTABLE || mode == Mode::SYMLINK
}

fn is_blob_kind(kind: EntryKind) -> bool {
    matches!(
        kind,
        EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link
    )
}

/// Order names as git orders tree entries: a directory sorts as if its
/// name ended in `/`, which is also where the index's paths put it.
fn cmp_names(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> Ordering {
    let slash: &[u8] = b"/";
    let a = a.iter().chain(if a_dir { slash } else { &[] });
    let b = b.iter().chain(if b_dir { slash } else { &[] });
    a.cmp(b)
}

/// The first index in `range` where `pred` stops holding (it holds for a
/// prefix of the range, as for the entries under one directory of a sorted
/// index).
fn partition_point(range: std::ops::Range<usize>, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (range.start, range.end);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The children of a cache-tree node, sorted by name for lookup (git
/// stores them ordered by name length first).
fn sorted_children(node: Option<&CacheTree>) -> Vec<&CacheTree> {
    let mut children: Vec<&CacheTree> = node
        .map(|n| n.children.iter().collect())
        .unwrap_or_default();
    children.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    children
}

/// The cache-tree node of the child directory `name`.
fn cache_child<'t>(children: &[&'t CacheTree], name: &[u8]) -> Option<&'t CacheTree> {
    children
        .binary_search_by(|c| c.name.as_slice().cmp(name))
        .ok()
        .map(|i| children[i])
}

impl<'a, E: Entries> Walk<'a, E> {
    fn path(&self, i: usize) -> &'a [u8] {
        let index: &'a E = self.index;
        index.path(i)
    }

    /// The group of index entries starting at `start` (below `end`) in the
    /// directory whose path prefix is `prefix_len` bytes long.
    fn group(&self, start: usize, end: usize, prefix_len: usize) -> Group<'a> {
        let index: &'a E = self.index;
        if let Some((dir, stop)) = index.dir_at(start, prefix_len)
            && let Some(name) = dir.get(prefix_len..dir.len() - 1)
            && !name.contains(&b'/')
            && stop > start
            && stop <= end
        {
            return Group {
                name,
                slot: Slot::Dir,
                range: start..stop,
            };
        }
        let path = self.path(start);
        // Paths under this directory are longer than its prefix; a damaged
        // index may break that, and makes a nameless file here.
        let rel = path.get(prefix_len..).unwrap_or_default();
        match rel.iter().position(|&b| b == b'/') {
            None => {
                let mut stop = start + 1;
                while stop < end && self.path(stop) == path {
                    stop += 1;
                }
                Group {
                    name: rel,
                    slot: Slot::File,
                    range: start..stop,
                }
            }
            Some(slash) => {
                let name = &rel[..slash];
                if slash + 1 == rel.len() && self.index.mode(start) == Mode::DIR {
                    return Group {
                        name,
                        slot: Slot::SparseDir(self.index.id(start)),
                        range: start..start + 1,
                    };
                }
                let dir_prefix = &path[..prefix_len + slash + 1];
                let stop = partition_point(start..end, |i| self.path(i).starts_with(dir_prefix));
                Group {
                    name,
                    slot: Slot::Dir,
                    range: start..stop,
                }
            }
        }
    }

    /// Compare the directory `prefix` (empty for the root, else ending in
    /// `/`): `head` is its tree in `HEAD`, `range` its index entries,
    /// `cache` its cache-tree node.
    fn dir(
        &mut self,
        prefix: &mut Vec<u8>,
        head: Option<ObjectId>,
        range: std::ops::Range<usize>,
        cache: Option<&CacheTree>,
    ) -> Result<(), GitError> {
        if let (Some(head), Some(node)) = (head, cache)
            && node.num_entries.is_some()
            && node.id == head
        {
            // The index's entries here make exactly HEAD's tree.
            return Ok(());
        }
        let head_entries = match head {
            Some(id) => self.read_tree(id, prefix)?,
            None => Vec::new(),
        };
        let children = sorted_children(cache);
        let mut heads = head_entries.into_iter().peekable();
        let mut next = range.start;
        loop {
            let group = (next < range.end).then(|| self.group(next, range.end, prefix.len()));
            let order = match (heads.peek(), &group) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(h), Some(g)) => {
                    cmp_names(&h.name, h.is_dir(), g.name, !matches!(g.slot, Slot::File))
                }
            };
            let head_entry = match order {
                Ordering::Greater => None,
                Ordering::Less | Ordering::Equal => heads.next(),
            };
            let group = match order {
                Ordering::Less => None,
                Ordering::Greater | Ordering::Equal => group,
            };
            if let Some(g) = &group {
                next = g.range.end;
            }
            let len = prefix.len();
            let name = match (&head_entry, &group) {
                (_, Some(g)) => g.name,
                (Some(h), None) => &h.name,
                (None, None) => unreachable!("one side has an entry"),
            };
            prefix.extend_from_slice(name);
            let result = self.entry(prefix, head_entry, group, &children);
            prefix.truncate(len);
            result?;
        }
        Ok(())
    }

    /// One name of a directory: `path` is its full path, `head` what HEAD
    /// holds there, `group` what the index holds there (the two are of the
    /// same kind, directory or not, or one of them is absent).
    fn entry(
        &mut self,
        path: &mut Vec<u8>,
        head: Option<TreeEntry>,
        group: Option<Group<'a>>,
        children: &[&CacheTree],
    ) -> Result<(), GitError> {
        let Some(group) = group else {
            // The caller pairs names from both sides, so HEAD has this one.
            return match head {
                Some(head) => self.removed(path, head.kind, head.id),
                None => Ok(()),
            };
        };
        let head_tree = head.as_ref().filter(|h| h.is_dir()).map(|h| h.id);
        match group.slot {
            Slot::Dir => {
                let cache = cache_child(children, group.name);
                path.push(b'/');
                self.dir(path, head_tree, group.range, cache)
            }
            Slot::SparseDir(id) => {
                if head_tree == Some(id) {
                    return Ok(());
                }
                path.push(b'/');
                self.trees(path, head_tree, Some(id))
            }
            Slot::File => {
                let head = head.map(|h| (h.kind, h.id));
                self.file(path, head, group.range);
                Ok(())
            }
        }
    }

    /// A path that is a file (or symlink, or gitlink) in the index.
    fn file(
        &mut self,
        path: &[u8],
        head: Option<(EntryKind, ObjectId)>,
        range: std::ops::Range<usize>,
    ) {
        let index = self.index;
        let Some(i) = range
            .into_iter()
            .find(|&i| index.stage(i) == Stage::Unconflicted)
        else {
            // Unmerged (a conflict of a merge in progress): not settled yet.
            return;
        };
        if index.intent_to_add(i) {
            // `git add -N`: no content is staged.
            return;
        }
        let mode = index.mode(i);
        let new = is_blob_mode(mode).then_some((index.id(i), mode == Mode::SYMLINK));
        self.change(path, head, new);
    }

    /// Record what happens to one path: `head` is HEAD's entry there, `new`
    /// the blob the index holds there (if any) and whether it is a link.
    fn change(
        &mut self,
        path: &[u8],
        head: Option<(EntryKind, ObjectId)>,
        new: Option<(ObjectId, bool)>,
    ) {
        let old = head.filter(|(kind, _)| is_blob_kind(*kind)).map(|h| h.1);
        if old.is_some() && old == new.map(|n| n.0) {
            // Unchanged content (at most a mode change): nothing is new.
            return;
        }
        if let Some(old) = old {
            self.out.replaced.push(ReplacedBlob {
                path: path.to_vec(),
                id: old,
            });
        }
        if let Some((id, symlink)) = new {
            self.out.changed.push(StagedEntry {
                path: path.to_vec(),
                id,
                old_id: old,
                symlink,
                change: if head.is_some() {
                    Change::Modified
                } else {
                    Change::Added
                },
            });
        }
    }

    /// Something of HEAD the index no longer holds: its files and links are
    /// replaced blobs.
    fn removed(
        &mut self,
        path: &mut Vec<u8>,
        kind: EntryKind,
        id: ObjectId,
    ) -> Result<(), GitError> {
        match kind {
            EntryKind::Tree => {
                path.push(b'/');
                self.trees(path, Some(id), None)
            }
            _ => {
                self.change(path, Some((kind, id)), None);
                Ok(())
            }
        }
    }

    /// Compare two trees (`prefix` ends in `/`): a directory deleted from
    /// the index, or one a sparse index holds as a tree.
    fn trees(
        &mut self,
        prefix: &mut Vec<u8>,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> Result<(), GitError> {
        if old == new {
            return Ok(());
        }
        let read = |walk: &Self, id: Option<ObjectId>, prefix: &[u8]| match id {
            Some(id) => walk.read_tree(id, prefix),
            None => Ok(Vec::new()),
        };
        let mut olds = read(self, old, prefix)?.into_iter().peekable();
        let mut news = read(self, new, prefix)?.into_iter().peekable();
        loop {
            let order = match (olds.peek(), news.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(o), Some(n)) => cmp_names(&o.name, o.is_dir(), &n.name, n.is_dir()),
            };
            let o = match order {
                Ordering::Greater => None,
                Ordering::Less | Ordering::Equal => olds.next(),
            };
            let n = match order {
                Ordering::Less => None,
                Ordering::Greater | Ordering::Equal => news.next(),
            };
            let len = prefix.len();
            let name = match (&o, &n) {
                (_, Some(n)) => &n.name,
                (Some(o), None) => &o.name,
                (None, None) => unreachable!("one side has an entry"),
            };
            prefix.extend_from_slice(name);
            let result = match (o, n) {
                (o, Some(n)) if n.is_dir() => {
                    prefix.push(b'/');
                    self.trees(prefix, o.map(|o| o.id), Some(n.id))
                }
                (Some(o), n) if o.is_dir() => {
                    // Same kinds share a name; a directory meets no file.
                    debug_assert!(n.is_none());
                    prefix.push(b'/');
                    self.trees(prefix, Some(o.id), None)
                }
                (o, n) => {
                    let new = n
                        .filter(|n| is_blob_kind(n.kind))
                        .map(|n| (n.id, n.kind == EntryKind::Link));
                    self.change(prefix, o.map(|o| (o.kind, o.id)), new);
                    Ok(())
                }
            };
            prefix.truncate(len);
            result?;
        }
        Ok(())
    }

    /// The entries of tree `id` (at `path`, named in errors), in git's order.
    fn read_tree(&self, id: ObjectId, path: &[u8]) -> Result<Vec<TreeEntry>, GitError> {
        let tree = self
            .repo
            .find_tree(id)
            .map_err(|source| GitError::object(id, path, source))?;
        let decoded = tree
            .decode()
            .map_err(|source| GitError::object(id, path, source))?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| TreeEntry {
                name: e.filename.to_vec(),
                kind: e.mode.kind(),
                id: e.oid.to_owned(),
            })
            .collect())
    }
}
