//! Reading an object directory wholesale, the fast way: every pack traversed
//! by its delta tree (each base inflated once, on every core), then the
//! loose objects.
//!
//! Used by the history sweep (the whole object database) and by
//! `pre-receive` (the objects of a push, in git's quarantine directory).
//! Nothing here writes: packs are mapped read-only and loose objects are
//! read as files.

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

/// Traverse one pack by its delta tree on every core of rayon's pool:
/// `visit` gets each object's kind, id and inflated bytes, once, on some
/// worker thread, in no particular order. Fails when the pack cannot be
/// traversed (damaged or incomplete); some objects may have been visited.
pub fn traverse_pack<F>(bundle: &pack::Bundle, visit: F) -> Result<(), gix::Error>
where
    F: Fn(gix::object::Kind, &ObjectId, &[u8]) + Sync,
{
    use pack::index::traverse;
    let visit = &visit;
    let processor = move |kind: gix::object::Kind,
                          data: &[u8],
                          entry: &pack::index::Entry,
                          _: &dyn gix::Progress|
          -> gix::Result<()> {
        visit(kind, &entry.oid, data);
        Ok(())
    };
    let interrupt = AtomicBool::new(false);
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
    Ok(())
}
