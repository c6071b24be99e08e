//! The old sides of an occurrence as the admit step leaves them: every
//! occurrence is judged by its own path, so a blob at an allowlisted path
//! is no source of a line (moved out of an allowlisted path, a secret
//! counts as added at its new path); and an occurrence whose own blob is
//! one of its old sides adds nothing (a pure move or copy) and is never
//! read.
//!
//! A change's list of blobs deleted or replaced elsewhere ([`Old::AnyOf`])
//! is shared by all its occurrences, and may be long (a folder renamed):
//! each distinct list is judged once, and kept sorted by id so that asking
//! whether it holds a blob costs a binary search.

use std::collections::HashMap;
use std::sync::Arc;

use gix::ObjectId;

use crate::policy::Policy;
use crate::source::blob::{Elsewhere, Occurrence, Old};

/// Judges old sides by their paths, each distinct path and list once.
pub(super) struct OldSides<'p> {
    policy: &'p Policy,
    /// Path → whether a blob there may be a source of a line.
    verdicts: HashMap<Vec<u8>, bool>,
    /// By the address of a list as the source shared it: what is left of
    /// it.
    lists: HashMap<usize, Judged>,
}

/// A list as the source shared it (kept alive, so that its address is not
/// reused while it is a key) and what is left of it.
struct Judged {
    _shared: Arc<[Elsewhere]>,
    kept: Arc<[Elsewhere]>,
}

impl<'p> OldSides<'p> {
    pub(super) fn new(policy: &'p Policy) -> OldSides<'p> {
        OldSides {
            policy,
            verdicts: HashMap::new(),
            lists: HashMap::new(),
        }
    }

    /// Keep, of each list of blobs elsewhere, those at paths that are not
    /// allowlisted, sorted by id. (An [`Old::Blob`] is at the occurrence's
    /// own path, admitted with it.)
    pub(super) fn admit(&mut self, occurrence: &mut Occurrence) {
        for old in &mut occurrence.olds {
            if let Old::AnyOf(list) = old {
                *old = Old::AnyOf(self.sources(list));
            }
        }
    }

    fn sources(&mut self, list: &Arc<[Elsewhere]>) -> Arc<[Elsewhere]> {
        let key = Arc::as_ptr(list).cast::<Elsewhere>() as usize;
        if let Some(judged) = self.lists.get(&key) {
            return Arc::clone(&judged.kept);
        }
        let (policy, verdicts) = (self.policy, &mut self.verdicts);
        let mut kept: Vec<Elsewhere> = list
            .iter()
            .filter(|e| {
                *verdicts
                    .entry(e.path.clone())
                    .or_insert_with(|| !policy.allowlists(&e.path))
            })
            .cloned()
            .collect();
        kept.sort_by_key(|e| e.id);
        let kept: Arc<[Elsewhere]> = kept.into();
        let judged = Judged {
            _shared: Arc::clone(list),
            kept: Arc::clone(&kept),
        };
        self.lists.insert(key, judged);
        kept
    }
}

/// Whether `occurrence` of blob `id` adds nothing: `id` is one of its old
/// sides (after [`OldSides::admit`], which sorts the lists).
pub(super) fn adds_nothing(occurrence: &Occurrence, id: ObjectId) -> bool {
    occurrence.olds.iter().any(|old| match old {
        Old::Blob(old) => *old == id,
        Old::AnyOf(list) => list.binary_search_by(|e| e.id.cmp(&id)).is_ok(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    fn elsewhere(n: u8, path: &str) -> Elsewhere {
        Elsewhere {
            id: id(n),
            path: path.as_bytes().to_vec(),
        }
    }

    #[test]
    fn allowlisted_old_sides_are_no_source_and_lists_are_judged_once() {
        let policy = Policy::laptop()
            .with_allowed_paths(&["fixtures/**".to_owned()])
            .unwrap();
        let list: Arc<[Elsewhere]> = vec![
            elsewhere(3, "a.env"),
            elsewhere(1, "fixtures/x.env"),
            elsewhere(2, "b.env"),
        ]
        .into();
        let occurrence = |olds| Occurrence {
            olds,
            ..Occurrence::whole(b"new.env".to_vec())
        };
        let mut first = occurrence(vec![Old::Blob(id(9)), Old::AnyOf(Arc::clone(&list))]);
        let mut second = occurrence(vec![Old::AnyOf(Arc::clone(&list))]);
        let mut sides = OldSides::new(&policy);
        sides.admit(&mut first);
        sides.admit(&mut second);
        let (Old::AnyOf(a), Old::AnyOf(b)) = (&first.olds[1], &second.olds[0]) else {
            panic!("lists stay lists");
        };
        assert!(Arc::ptr_eq(a, b), "one judgement per shared list");
        let ids: Vec<ObjectId> = a.iter().map(|e| e.id).collect();
        assert_eq!(ids, [id(2), id(3)], "sorted, without the allowlisted one");

        assert!(adds_nothing(&first, id(9)), "its own path held it");
        assert!(adds_nothing(&first, id(3)), "moved from a.env");
        assert!(!adds_nothing(&first, id(1)), "moved out of fixtures/");
    }
}
