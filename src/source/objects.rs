//! Reading an object directory wholesale, the fast way: every pack traversed
//! by its delta tree (each base inflated once, on every core), then the
//! loose objects. Blobs larger than the engine's window, which a delta tree
//! would inflate whole, are left out of it and read one at a time, in
//! order.
//!
//! Used by the history sweep (the whole object database) and by
//! `pre-receive` (the objects of a push, in git's quarantine directory).
//! Nothing here writes: packs are mapped read-only (a big one is read a
//! group at a time instead, `pack_groups`) and loose objects are
//! read as files.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::ObjectId;
use gix::odb::pack;

use super::pack_groups::{self, Bytes, Group, GroupBytes};

/// The pack index files (`pack/*.idx`) of an objects folder, sorted.
pub fn pack_indices(objects_dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(objects_dir.join("pack"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "idx"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The loose objects of an objects folder (`xx/yyyy…` files), in
/// lexicographical order; an entry that cannot be listed is an error item.
pub fn loose_ids(
    objects_dir: &Path,
    hash: gix::hash::Kind,
) -> impl Iterator<Item = Result<ObjectId, gix::Error>> {
    gix::odb::loose::Store::at(objects_dir.to_owned(), hash)
        .iter()
        .map(|id| id.map_err(gix::Error::from_error))
}

/// How many objects an objects folder holds: the entries of its pack
/// indices and its loose objects. Unreadable indices count as empty.
pub fn count(objects_dir: &Path, hash: gix::hash::Kind) -> u64 {
    let packed: u64 = pack_indices(objects_dir)
        .iter()
        .filter_map(|idx| pack::index::File::at(idx, hash).ok())
        .map(|i| u64::from(i.num_objects()))
        .sum();
    packed + loose_ids(objects_dir, hash).count() as u64
}

/// An object a traversal left out, to be read on its own: a blob stored
/// whole that is larger than the limit, or a delta on top of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeftOut {
    pub id: ObjectId,
    /// Where its entry starts in the pack.
    pub offset: u64,
    /// A blob stored whole (else a delta, which only gix can rebuild).
    pub whole_blob: bool,
}

/// Pack bytes a traversal holds at a time: a bigger pack is traversed a
/// group of whole delta families at a time, each group read into memory
/// ([`super::pack_groups`]).
const GROUP_BYTES: u64 = 96 << 20;

/// Traverse one pack by its delta tree on every core of rayon's pool:
/// `visit` gets each object's kind, id and inflated bytes, once, on some
/// worker thread, in no particular order. Blobs stored whole that are
/// larger than `limit` bytes, and the deltas on top of them, are left out
/// (a delta tree inflates every object it holds whole) and returned, to be
/// read one at a time. The pack is read a group of about `GROUP_BYTES`
/// at a time. Fails when the pack cannot be traversed (damaged or
/// incomplete); some objects may have been visited.
pub fn traverse_pack<F>(
    bundle: &pack::Bundle,
    limit: u64,
    visit: F,
) -> Result<Vec<LeftOut>, gix::Error>
where
    F: Fn(gix::object::Kind, &ObjectId, &[u8]) + Sync,
{
    traverse_pack_by(bundle, limit, GROUP_BYTES, visit)
}

/// [`traverse_pack`] in groups of about `group_bytes` bytes of the pack.
pub fn traverse_pack_by<F>(
    bundle: &pack::Bundle,
    limit: u64,
    group_bytes: u64,
    visit: F,
) -> Result<Vec<LeftOut>, gix::Error>
where
    F: Fn(gix::object::Kind, &ObjectId, &[u8]) + Sync,
{
    let plan = pack_groups::plan(bundle, limit, group_bytes)?;
    let mut read = GroupBytes::default();
    for group in plan.groups {
        if plan.mapped {
            traverse_group(bundle, group, Bytes::Mapped(&bundle.pack), &visit)?;
        } else {
            read.read(bundle.pack.path(), &group)?;
            traverse_group(bundle, group, Bytes::Read(&read), &visit)?;
        }
    }
    Ok(plan.left)
}

/// The delta tree of one group, over its bytes.
fn traverse_group<F>(
    bundle: &pack::Bundle,
    group: Group,
    bytes: Bytes<'_>,
    visit: &F,
) -> Result<(), gix::Error>
where
    F: Fn(gix::object::Kind, &ObjectId, &[u8]) + Sync,
{
    let interrupt = AtomicBool::new(false);
    let index = &bundle.index;
    let stub = group.stub.then(|| group.entries[0].pack_offset);
    let tree = pack::cache::delta::Tree::from_offsets_in_pack(
        bundle.pack.path(),
        group.entries.into_iter(),
        &|e: &pack::index::Entry| e.pack_offset,
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        &interrupt,
        index.object_hash(),
    )?;
    tree.traverse(
        move |range, bytes: &Bytes<'_>| bytes.entry(range, stub),
        &bytes,
        bundle.pack.pack_end() as u64,
        move |entry: &mut pack::index::Entry,
              _: &dyn gix::Progress,
              ctx: pack::cache::delta::traverse::Context<'_>| {
            if stub == Some(entry.pack_offset) {
                return Ok(());
            }
            if let Some(kind) = ctx.entry.header.as_kind() {
                visit(kind, &entry.oid, ctx.decompressed);
            }
            Ok(())
        },
        pack::cache::delta::traverse::Options {
            object_progress: Box::new(gix::progress::Discard),
            size_progress: &mut gix::progress::Discard,
            thread_limit: Some(rayon::current_num_threads()),
            should_interrupt: &interrupt,
            object_hash: index.object_hash(),
            alloc_limit_bytes: None,
        },
    )?;
    Ok(())
}
