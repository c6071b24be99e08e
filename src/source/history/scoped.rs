//! Which blobs of a sweep sit at a path that names Intercom
//! (`lib/intercom/settings.py`): the detector reads such a file whole as an
//! Intercom context, where `SECRET = '...'` is Intercom's. Phase 2 reads
//! every blob without its path, so the blobs are found afterwards, by name.
//!
//! - A whole-database scan records, as it inflates each tree anyway, the
//!   entries named after Intercom (`links.rs`); here the trees among them
//!   are read again, with their subtrees, for the blobs they hold.
//! - A range knows each changed blob's path from its diffs (`scan.rs`).
//!
//! The caller judges those blobs again, as Intercom files, through
//! [`History::scan`] with the plan [`History::intercom_plan`] makes (a
//! large blob is read in order, as any other).

use std::collections::HashSet;

use gix::ObjectId;
use gix::objs::FindExt as _;

use super::links::Named;
use super::scan::{BlobToScan, Plan, ScanOutcome};
use super::{History, HistoryError, object_error};

/// Whether bytes (a tree's) hold `intercom` in any case: a cheap test
/// before a tree is parsed for its names.
pub(super) fn mentions_intercom(data: &[u8]) -> bool {
    crate::detect::path_names_intercom(data)
}

impl History {
    /// A plan that reads the blobs at a path that names Intercom (and no
    /// message); its problems are the trees that could not be read on the
    /// way.
    pub fn intercom_plan<T>(&self, plan: &Plan, scanned: &ScanOutcome<T>) -> Plan {
        let (ids, problems) = self.intercom_blobs(plan, scanned);
        let repo = self.repo.to_thread_local();
        let mut blobs: Vec<BlobToScan> = ids
            .into_iter()
            .map(|id| BlobToScan {
                id,
                size: repo.find_header(id).map_or(0, |h| h.size()),
            })
            .collect();
        blobs.sort_by_key(|b| b.id);
        Plan {
            selection: plan.selection.clone(),
            blobs,
            whole_database: false,
            commits: Vec::new(),
            messages: Vec::new(),
            intercom_blobs: Vec::new(),
            problems,
        }
    }

    /// The blobs at a path that names Intercom, distinct, in no particular
    /// order; and the trees that could not be read on the way.
    fn intercom_blobs<T>(
        &self,
        plan: &Plan,
        scanned: &ScanOutcome<T>,
    ) -> (Vec<ObjectId>, Vec<HistoryError>) {
        if !plan.whole_database {
            return (plan.intercom_blobs.clone(), Vec::new());
        }
        let repo = self.repo.to_thread_local();
        let mut problems = Vec::new();
        let mut blobs: HashSet<ObjectId> = HashSet::new();
        let mut trees: Vec<ObjectId> = Vec::new();
        let mut seen_trees: HashSet<ObjectId> = HashSet::new();
        for (id, what) in &scanned.intercom_named {
            match what {
                Named::Tree => {
                    if seen_trees.insert(*id) {
                        trees.push(*id);
                    }
                }
                _ => {
                    blobs.insert(*id);
                }
            }
        }
        let mut buf = Vec::new();
        while let Some(tree) = trees.pop() {
            let entries = match repo.objects.find_tree_iter(&tree, &mut buf) {
                Ok(iter) => iter
                    .filter_map(Result::ok)
                    .filter(|e| !e.mode.is_commit())
                    .map(|e| (e.oid.to_owned(), e.mode.is_tree()))
                    .collect::<Vec<_>>(),
                Err(source) => {
                    problems.push(object_error("tree", tree, source));
                    continue;
                }
            };
            for (id, is_tree) in entries {
                if is_tree {
                    if seen_trees.insert(id) {
                        trees.push(id);
                    }
                } else {
                    blobs.insert(id);
                }
            }
        }
        (blobs.into_iter().collect(), problems)
    }
}
