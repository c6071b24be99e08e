//! Reading an object directory wholesale, the fast way: every pack traversed
//! by its delta tree (each base inflated once, on every core), then the
//! loose objects. Blobs larger than the engine's window, which a delta tree
//! would inflate whole, are left out of it and read one at a time, in
//! order.
//!
//! Used by the history sweep (the whole object database) and by
//! `pre-receive` (the objects of a push, in git's quarantine directory).
//! Nothing here writes: packs are mapped read-only and loose objects are
//! read as files.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::ObjectId;
use gix::odb::pack;

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

/// Traverse one pack by its delta tree on every core of rayon's pool:
/// `visit` gets each object's kind, id and inflated bytes, once, on some
/// worker thread, in no particular order. Blobs stored whole that are
/// larger than `limit` bytes, and the deltas on top of them, are left out
/// (a delta tree inflates every object it holds whole) and returned, to be
/// read one at a time. Fails when the pack cannot be traversed (damaged or
/// incomplete); some objects may have been visited.
pub fn traverse_pack<F>(
    bundle: &pack::Bundle,
    limit: u64,
    visit: F,
) -> Result<Vec<LeftOut>, gix::Error>
where
    F: Fn(gix::object::Kind, &ObjectId, &[u8]) + Sync,
{
    use pack::index::traverse;
    let left = large_entries(bundle, limit)?;
    let visit = &visit;
    let interrupt = AtomicBool::new(false);
    if left.is_empty() {
        let processor = move |kind: gix::object::Kind,
                              data: &[u8],
                              entry: &pack::index::Entry,
                              _: &dyn gix::Progress|
              -> gix::Result<()> {
            visit(kind, &entry.oid, data);
            Ok(())
        };
        bundle
            .index
            .traverse(
                &bundle.pack,
                &mut gix::progress::Discard,
                &interrupt,
                processor,
                traverse::Options {
                    traversal: traverse::Algorithm::DeltaTreeLookup,
                    thread_limit: Some(rayon::current_num_threads()),
                    check: traverse::SafetyCheck::SkipFileAndObjectChecksumVerification,
                    alloc_limit_bytes: None,
                    make_pack_lookup_cache: || pack::cache::Never,
                },
            )
            .map_err(gix::Error::from_error)?;
        return Ok(left);
    }
    // The same traversal, over a delta tree of the other entries.
    let skip: HashSet<u64> = left.iter().map(|l| l.offset).collect();
    let mut entries: Vec<pack::index::Entry> = bundle
        .index
        .iter()
        .filter(|e| !skip.contains(&e.pack_offset))
        .collect();
    entries.sort_by_key(|e| e.pack_offset);
    let index = &bundle.index;
    let tree = pack::cache::delta::Tree::from_offsets_in_pack(
        bundle.pack.path(),
        entries.into_iter(),
        &|e: &pack::index::Entry| e.pack_offset,
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        &interrupt,
        bundle.index.object_hash(),
    )?;
    tree.traverse(
        |range, pack: &pack::data::File| pack.entry_slice(range),
        &bundle.pack,
        bundle.pack.pack_end() as u64,
        move |entry: &mut pack::index::Entry,
              _: &dyn gix::Progress,
              ctx: pack::cache::delta::traverse::Context<'_>| {
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
            object_hash: bundle.index.object_hash(),
            alloc_limit_bytes: None,
        },
    )?;
    Ok(left)
}

/// The entries of a pack a traversal leaves out ([`traverse_pack`]): each
/// entry's header is read (no inflating), blobs stored whole larger than
/// `limit` picked, then every delta whose base was picked.
fn large_entries(bundle: &pack::Bundle, limit: u64) -> Result<Vec<LeftOut>, gix::Error> {
    use pack::data::entry::Header;
    let index = &bundle.index;
    let mut left: HashMap<u64, LeftOut> = HashMap::new();
    for e in index.iter() {
        let entry = bundle.pack.entry(e.pack_offset)?;
        if matches!(entry.header, Header::Blob) && entry.decompressed_size > limit {
            left.insert(
                e.pack_offset,
                LeftOut {
                    id: e.oid,
                    offset: e.pack_offset,
                    whole_blob: true,
                },
            );
        }
    }
    if left.is_empty() {
        return Ok(Vec::new());
    }
    // (entry, base) of every delta, bases by offset.
    let mut by_offset: Vec<(pack::index::Entry, u64)> = Vec::new();
    for e in index.iter() {
        let entry = bundle.pack.entry(e.pack_offset)?;
        let base = match entry.header {
            Header::OfsDelta { base_distance } => entry.checked_base_pack_offset(base_distance),
            Header::RefDelta { base_id } => {
                index.lookup(base_id).map(|i| index.pack_offset_at_index(i))
            }
            _ => None,
        };
        if let Some(base) = base {
            by_offset.push((e, base));
        }
    }
    // Deltas on deltas, until no more is picked: in pack order, a base by
    // offset comes before its deltas, so one pass mostly does.
    by_offset.sort_by_key(|(e, _)| e.pack_offset);
    loop {
        let mut more = false;
        for (e, base) in &by_offset {
            if left.contains_key(base) && !left.contains_key(&e.pack_offset) {
                left.insert(
                    e.pack_offset,
                    LeftOut {
                        id: e.oid,
                        offset: e.pack_offset,
                        whole_blob: false,
                    },
                );
                more = true;
            }
        }
        if !more {
            break;
        }
    }
    let mut left: Vec<LeftOut> = left.into_values().collect();
    left.sort_by_key(|l| l.offset);
    Ok(left)
}
