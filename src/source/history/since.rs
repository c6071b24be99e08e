//! Phase 1 of an incremental sweep (`--state`): only what is new since a
//! previous run. The commits reachable from the refs now and not from the
//! tips the previous run recorded (as `git rev-list --all --not OLD...`
//! selects them; a recorded tip that is gone, after a force push and a
//! gc, hides nothing), the blobs those commits add or change against their
//! first parent, and the messages of those commits and of the annotated
//! tags that are new. Of those blobs, the ones the previous runs judged
//! clean in the same context are left out ([`Since`]); blobs that matched
//! before are read again, since what they report depends on their path.
//!
//! Refs that point at a tree or a blob without a commit are only covered
//! by a whole sweep: with one the previous run did not record (new, or
//! moved), [`History::plan_since`] answers `None` and the caller sweeps
//! everything.

use std::collections::{BTreeMap, HashSet};

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::commits::{tag_chains, tips, walk_ids};
use super::scan::{BlobToScan, Plan};
use super::{History, HistoryError, Selection};

/// What a previous run recorded, as [`History::plan_since`] needs it.
#[derive(Debug, Clone, Copy)]
pub struct Since<'a> {
    /// The objects the refs pointed at.
    pub tips: &'a BTreeMap<String, ObjectId>,
    /// Blobs judged clean by the plain detector.
    pub clean: &'a HashSet<ObjectId>,
    /// Blobs judged clean as a file at a path that names Intercom.
    pub clean_intercom: &'a HashSet<ObjectId>,
    /// `--all-findings`: the blobs (plain, Intercom-named) and messages
    /// that matched before, read again and placed in every commit, so the
    /// known findings are reported with the new ones.
    pub again: Option<(
        &'a HashSet<ObjectId>,
        &'a HashSet<ObjectId>,
        &'a HashSet<ObjectId>,
    )>,
}

impl History {
    /// Every ref and `HEAD`, with the object each points at (not peeled:
    /// an annotated tag's own id, so a moved tag counts as a change).
    pub fn ref_tips(&self) -> Result<BTreeMap<String, ObjectId>, HistoryError> {
        let repo = self.repo.to_thread_local();
        let mut out = BTreeMap::new();
        if let Ok(head) = repo.head_id() {
            out.insert("HEAD".to_owned(), head.detach());
        }
        let platform = repo
            .references()
            .map_err(|source| HistoryError::Refs { source })?;
        let all = platform
            .all()
            .map_err(|source| HistoryError::Refs { source })?;
        for reference in all {
            let mut reference = reference.map_err(|source| HistoryError::Refs {
                source: gix::Error::from_error(source),
            })?;
            let name = reference.name().as_bstr().to_str_lossy().into_owned();
            let id = match reference.try_id() {
                Some(id) => Some(id.detach()),
                None => reference.peel_to_id().ok().map(|id| id.detach()),
            };
            if let Some(id) = id {
                out.insert(name, id);
            }
        }
        Ok(out)
    }

    /// Whether the object can be read now (a previous run could not).
    pub fn can_read(&self, id: &ObjectId) -> bool {
        self.repo.to_thread_local().find_object(*id).is_ok()
    }

    /// Phase 1 for what is new since `since`; `None` when only a whole
    /// sweep covers the repository (a ref at a tree or a blob).
    pub fn plan_since(&self, since: &Since<'_>) -> Result<Option<Plan>, HistoryError> {
        let repo = self.repo.to_thread_local();
        let mut others = Vec::new();
        let include = tips(&repo, &mut others)?;
        let old: HashSet<ObjectId> = since.tips.values().copied().collect();
        // A ref at a tree or a blob that the previous run did not see.
        if others.iter().any(|(_, id)| !old.contains(id)) {
            return Ok(None);
        }
        let hide: Vec<ObjectId> = old
            .iter()
            .filter_map(|id| {
                repo.find_object(*id)
                    .ok()?
                    .peel_to_kind(gix::object::Kind::Commit)
                    .ok()
                    .map(|c| c.id)
            })
            .collect();
        let commits = walk_ids(&repo, include, hide)?;
        let mut problems = Vec::new();
        let (changed, intercom) = self.changed_blobs(&commits, &mut problems);

        let sized = |id: ObjectId| BlobToScan {
            id,
            size: repo.find_header(id).map_or(0, |h| h.size()),
        };
        let mut blobs: Vec<BlobToScan> = changed
            .into_iter()
            .filter(|b| !since.clean.contains(&b.id))
            .map(|b| sized(b.id))
            .collect();
        let mut intercom_blobs: Vec<ObjectId> = intercom
            .into_iter()
            .filter(|id| !since.clean_intercom.contains(id))
            .collect();

        // The messages of the new commits, and of the tags that are new
        // or point into them.
        let in_range: HashSet<ObjectId> = commits.iter().copied().collect();
        let mut messages = commits.clone();
        let mut listed = HashSet::new();
        for (tag, peeled) in tag_chains(&repo, None, &mut problems)? {
            if (in_range.contains(&peeled) || !old.contains(&tag)) && listed.insert(tag) {
                messages.push(tag);
            }
        }

        let selection = match since.again {
            None => Selection::Revs(Vec::new()),
            Some((hits, hits_intercom, hit_messages)) => {
                let planned: HashSet<ObjectId> = blobs.iter().map(|b| b.id).collect();
                blobs.extend(
                    hits.iter()
                        .filter(|id| !planned.contains(*id))
                        .map(|id| sized(*id)),
                );
                let planned: HashSet<ObjectId> = intercom_blobs.iter().copied().collect();
                intercom_blobs.extend(hits_intercom.iter().filter(|id| !planned.contains(*id)));
                let planned: HashSet<ObjectId> = messages.iter().copied().collect();
                messages.extend(hit_messages.iter().filter(|id| !planned.contains(*id)));
                // Placed in every commit, as a whole sweep places them.
                Selection::AllRefs
            }
        };
        Ok(Some(Plan {
            selection,
            blobs,
            whole_database: false,
            commits,
            messages,
            intercom_blobs,
            problems,
        }))
    }
}
