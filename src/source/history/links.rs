//! What the objects of a whole-database scan name, checked against what the
//! database holds: the cheap answer to "was every reachable blob read?".
//!
//! A sweep of every ref reads every object of the database, so the only
//! blobs it can miss are those that a tree names and the database lacks (a
//! mirror or a partial clone without its blobs). Walking every commit and
//! diffing every tree to find them costs more than the scan itself. Instead
//! the scan records, as it inflates each commit, tree and tag anyway, every
//! id that object names (a commit's tree and parents, a tree's entries but
//! submodule commits, a tag's target), and afterwards looks each distinct
//! one up in the database: what is not there is what the sweep reports
//! missing, without a walk. Like `git fsck`, this also names an object that
//! only an unreachable object names. When the record is incomplete (an
//! object could not be parsed, or a pack had to be read object by object),
//! the walk runs as before.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;
use gix::hashtable::HashMap;
use gix::objs::Exists as _;
use rayon::prelude::*;

/// Shards of the set of named ids, by the id's first byte, so that workers
/// rarely wait for each other.
const SHARDS: usize = 64;

/// The ids named by the objects seen so far.
pub(super) struct Links {
    hash: gix::hash::Kind,
    /// Whether a commit's parents count: not in a shallow repository, whose
    /// boundary commits name parents it does not have.
    parents: bool,
    shards: Vec<Mutex<HashMap<ObjectId, Named>>>,
    /// Cleared when some object was not recorded (unparsable, or read
    /// without its bytes): the answer is then unknown.
    complete: AtomicBool,
    /// The entries of trees whose name names Intercom (`intercom/`,
    /// `intercom.rb`): where a file is an Intercom context (`scoped.rs`).
    intercom: Mutex<Vec<(ObjectId, Named)>>,
}

impl Links {
    pub(super) fn new(hash: gix::hash::Kind, shallow: bool) -> Links {
        Links {
            hash,
            parents: !shallow,
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::default()))
                .collect(),
            complete: AtomicBool::new(true),
            intercom: Mutex::new(Vec::new()),
        }
    }

    /// Record what an object of `kind` with bytes `data` names.
    pub(super) fn object(&self, kind: gix::object::Kind, data: &[u8]) {
        let mut named = Vec::new();
        let parsed = match kind {
            gix::object::Kind::Tree => tree_names(data, self.hash, &mut named),
            gix::object::Kind::Commit => commit_names(data, self.hash, self.parents, &mut named),
            gix::object::Kind::Tag => tag_names(data, self.hash, &mut named),
            gix::object::Kind::Blob => true,
        };
        if !parsed {
            self.incomplete();
        }
        if kind == gix::object::Kind::Tree {
            let mut named = Vec::new();
            intercom_entries(data, self.hash, &mut named);
            if !named.is_empty() {
                self.intercom
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(named);
            }
        }
        for (id, what) in named {
            let shard = usize::from(id.as_slice()[0]) % SHARDS;
            self.shards[shard]
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(id)
                .or_insert(what);
        }
    }

    /// The entries named after Intercom that the trees seen so far hold.
    pub(super) fn intercom_named(&self) -> Vec<(ObjectId, Named)> {
        self.intercom
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Some object was not recorded.
    pub(super) fn incomplete(&self) {
        self.complete.store(false, Ordering::Relaxed);
    }

    /// The named ids that `repo`'s database lacks, sorted, each with what
    /// it was named as; `None` when the record is incomplete.
    pub(super) fn missing(
        self,
        repo: &gix::ThreadSafeRepository,
    ) -> Option<Vec<(ObjectId, Named)>> {
        if !self.complete.load(Ordering::Relaxed) {
            return None;
        }
        let mut missing: Vec<(ObjectId, Named)> = self
            .shards
            .into_par_iter()
            .flat_map_iter(|shard| {
                let repo = repo.to_thread_local();
                let ids = shard.into_inner().unwrap_or_else(|e| e.into_inner());
                ids.into_iter()
                    .filter(move |(id, _)| !repo.objects.exists(id))
                    .collect::<Vec<_>>()
            })
            .collect();
        missing.sort();
        Some(missing)
    }
}

/// What an object names another as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Named {
    Blob,
    Tree,
    Commit,
    /// A tag's target, of any kind.
    Object,
}

impl Named {
    pub fn as_str(self) -> &'static str {
        match self {
            Named::Blob => "blob",
            Named::Tree => "tree",
            Named::Commit => "commit",
            Named::Object => "object",
        }
    }
}

/// The entries of a tree whose name holds `intercom` (any case): a cheap
/// test of the tree's bytes first, since names are written there as they are.
fn intercom_entries(data: &[u8], hash: gix::hash::Kind, out: &mut Vec<(ObjectId, Named)>) {
    if !super::scoped::mentions_intercom(data) {
        return;
    }
    for entry in gix::objs::TreeRefIter::from_bytes(data, hash).flatten() {
        if !crate::detect::path_names_intercom(entry.filename) || entry.mode.is_commit() {
            continue;
        }
        let what = if entry.mode.is_tree() {
            Named::Tree
        } else {
            Named::Blob
        };
        out.push((entry.oid.to_owned(), what));
    }
}

fn tree_names(data: &[u8], hash: gix::hash::Kind, out: &mut Vec<(ObjectId, Named)>) -> bool {
    for entry in gix::objs::TreeRefIter::from_bytes(data, hash) {
        let Ok(entry) = entry else {
            return false;
        };
        if entry.mode.is_tree() {
            out.push((entry.oid.to_owned(), Named::Tree));
        } else if !entry.mode.is_commit() {
            out.push((entry.oid.to_owned(), Named::Blob));
        }
    }
    true
}

fn commit_names(
    data: &[u8],
    hash: gix::hash::Kind,
    parents: bool,
    out: &mut Vec<(ObjectId, Named)>,
) -> bool {
    let mut iter = gix::objs::CommitRefIter::from_bytes(data, hash);
    let Ok(tree) = iter.tree_id() else {
        return false;
    };
    out.push((tree, Named::Tree));
    if parents {
        out.extend(
            gix::objs::CommitRefIter::from_bytes(data, hash)
                .parent_ids()
                .map(|id| (id, Named::Commit)),
        );
    }
    true
}

fn tag_names(data: &[u8], hash: gix::hash::Kind, out: &mut Vec<(ObjectId, Named)>) -> bool {
    match gix::objs::TagRefIter::from_bytes(data, hash).target_id() {
        Ok(target) => {
            out.push((target, Named::Object));
            true
        }
        Err(_) => false,
    }
}
