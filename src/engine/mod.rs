//! The engine: the per-blob sequence every mode runs, once, between a
//! source and a report (DESIGN.md "Shape of the code").
//!
//! 1. **Admit**: occurrences whose path is allowlisted are dropped (and
//!    counted), and so are the old sides at allowlisted paths (every
//!    occurrence is judged by its own path: moved out of an allowlisted
//!    path, a secret counts as added at its new path); an occurrence whose
//!    own blob is among its old sides adds nothing (a pure move or copy)
//!    and is dropped too; a blob with no occurrence left is never read.
//! 2. **Detect**: each distinct blob is read once and run through the
//!    detector (UTF-16 text decoded, see [`text`]), over every core
//!    (contiguous chunks, so neighbouring blobs share a thread's object
//!    caches). Blobs a whole-database pass already judged ([`Judged`]) are
//!    not read again.
//! 3. **On a hit only**: for each occurrence, the old sides are read and the
//!    matches kept that sit on a line the change adds; the policy (inline
//!    markers, accepted fingerprints) judges them once per blob; each kept
//!    match becomes a finding at its occurrence's path and commit.
//! 4. **Place** ([`place`]): as listed, by commit (oldest first), or once
//!    per secret and path at the earliest commit that added it (history).
//!
//! A blob or an old side that cannot be read is a [`Problem`]: the run goes
//! on, and a hit whose old sides are unreadable is reported whole (a gate
//! never drops a secret because it could not prove the line old). The
//! engine knows nothing of formats or flags, and never prints.

mod olds;
pub mod place;
mod text;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;

use crate::detect::{Detector, Match};
use crate::finding::{CommitMeta, Finding, Problem, Stats};
use crate::policy::{Policy, added_lines, locate};
use crate::source::blob::{Blob, BlobId, PolicyPath, Reader, Source};

pub use place::Placement;

/// Blobs a pass over whole object databases (history, a push's quarantine)
/// has already read: their matches, or that they are clean.
#[derive(Debug, Default)]
pub struct Judged {
    pub hits: gix::hashtable::HashMap<ObjectId, Vec<Match>>,
    pub clean: gix::hashtable::HashSet<ObjectId>,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub stats: Stats,
}

impl Outcome {
    /// Another run's findings, problems and counters, added to these.
    pub fn absorb(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.problems.extend(other.problems);
        self.stats.add(&other.stats);
    }
}

/// The detector and the policy of a run.
#[derive(Debug, Clone, Copy)]
pub struct Engine<'a> {
    pub detector: &'a Detector,
    pub policy: &'a Policy,
    /// Set when any blob had a hit (a server hook that runs out of time
    /// must not let a push through once something was found).
    hit: Option<&'a AtomicBool>,
}

/// A blob that had a hit: its index in the listing, its matches, and the
/// text they were found in (its bytes, or its UTF-16 decoded) when it is at
/// hand.
struct Hit {
    index: usize,
    matches: Vec<Match>,
    data: Option<Vec<u8>>,
}

/// At most this many blobs are read on one thread before the work is spread.
const SPREAD_FROM: usize = 256;

impl<'a> Engine<'a> {
    pub fn new(detector: &'a Detector, policy: &'a Policy) -> Engine<'a> {
        Engine {
            detector,
            policy,
            hit: None,
        }
    }

    /// Raise `flag` on the first hit of the run.
    pub fn with_hit_flag(self, flag: &'a AtomicBool) -> Engine<'a> {
        Engine {
            hit: Some(flag),
            ..self
        }
    }

    /// The detector's verdict on one blob, for whole-database passes that
    /// read the bytes themselves (UTF-16 text is searched decoded).
    pub fn judge(&self, data: &[u8]) -> Option<Vec<Match>> {
        self.judge_text(data, false).map(|(matches, _)| matches)
    }

    /// [`Engine::judge`] for a blob at a path that names Intercom: the whole
    /// blob is an Intercom context.
    pub fn judge_intercom_file(&self, data: &[u8]) -> Option<Vec<Match>> {
        self.judge_text(data, true).map(|(matches, _)| matches)
    }

    /// [`Engine::judge`], with the decoded text the matches are in when the
    /// blob is UTF-16 text (see [`text`]). `intercom_file`: a path of the
    /// blob names Intercom, which makes the whole blob an Intercom context.
    fn judge_text(
        &self,
        data: &[u8],
        intercom_file: bool,
    ) -> Option<(Vec<Match>, Option<Vec<u8>>)> {
        let found = text::judge(self.detector, data, intercom_file)?;
        if let Some(flag) = self.hit {
            flag.store(true, Ordering::Relaxed);
        }
        Some(found)
    }

    /// Run the whole sequence over `blobs`.
    pub fn run<S: Source>(
        &self,
        source: &S,
        blobs: Vec<Blob>,
        judged: &Judged,
        placement: Placement,
    ) -> Outcome {
        let mut out = Outcome::default();
        let blobs = self.admit(blobs, &mut out.stats);
        let hits = self.detect_all(source, &blobs, judged, &mut out);
        let found = self.findings(source, &blobs, hits, &mut out);
        out.findings = placement.place(found, judged);
        out
    }

    /// Drop the occurrences at allowlisted paths, the old sides at
    /// allowlisted paths, the occurrences that add nothing (their own blob
    /// is an old side: a pure move or copy), and the blobs left with none.
    /// Each distinct path is asked once (and counted once, when it is an
    /// occurrence's).
    fn admit(&self, blobs: Vec<Blob>, stats: &mut Stats) -> Vec<Blob> {
        let mut verdicts: HashMap<Vec<u8>, bool> = HashMap::new();
        let mut admits = |path: &[u8]| match verdicts.get(path) {
            Some(&verdict) => verdict,
            None => {
                let verdict = self.policy.admits_path(path, stats);
                verdicts.insert(path.to_vec(), verdict);
                verdict
            }
        };
        let mut old_sides = olds::OldSides::new(self.policy);
        blobs
            .into_iter()
            .filter_map(|mut blob| {
                blob.occurrences.retain(|o| match &o.policy_path {
                    PolicyPath::Same => admits(&o.path),
                    PolicyPath::Other(path) => admits(path),
                    PolicyPath::Exempt => true,
                });
                for occurrence in &mut blob.occurrences {
                    old_sides.admit(occurrence);
                }
                if let Some(id) = blob.id.object() {
                    blob.occurrences.retain(|o| !olds::adds_nothing(o, id));
                }
                (!blob.occurrences.is_empty()).then_some(blob)
            })
            .collect()
    }

    /// Read and detect every blob not judged already; the hits in listing
    /// order.
    fn detect_all<S: Source>(
        &self,
        source: &S,
        blobs: &[Blob],
        judged: &Judged,
        out: &mut Outcome,
    ) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut todo = Vec::new();
        for (index, blob) in blobs.iter().enumerate() {
            // A whole-database pass judged blobs without their paths: one at
            // a path that names Intercom is judged again as such.
            let scoped = blob.occurrences.iter().any(names_intercom);
            match blob.id.object() {
                Some(id) if judged.clean.contains(&id) && !scoped => {}
                Some(id) if judged.hits.contains_key(&id) && !scoped => hits.push(Hit {
                    index,
                    matches: judged.hits[&id].clone(),
                    data: None,
                }),
                _ => todo.push(index),
            }
        }
        let parts = crate::parallel::in_chunks(
            &todo,
            SPREAD_FROM,
            || source.reader(),
            |mut reader, _, part| self.detect_part(&mut reader, blobs, part),
        );
        for part in parts {
            hits.extend(part.hits);
            out.problems.extend(part.problems);
            out.stats.blobs += part.blobs;
            out.stats.bytes += part.bytes;
        }
        hits.sort_by_key(|h| h.index);
        hits
    }

    fn detect_part(&self, reader: &mut impl Reader, blobs: &[Blob], part: &[usize]) -> Detected {
        let mut done = Detected::default();
        for &index in part {
            let blob = &blobs[index];
            match reader.read(&blob.id, &blob.occurrences[0].path) {
                Ok(data) => {
                    // A message is not a blob of the repository.
                    if !matches!(blob.id, BlobId::Message(_)) {
                        done.blobs += 1;
                        done.bytes += data.len() as u64;
                    }
                    let scoped = blob.occurrences.iter().any(names_intercom);
                    if let Some((matches, decoded)) = self.judge_text(&data, scoped) {
                        done.hits.push(Hit {
                            index,
                            matches,
                            data: Some(decoded.unwrap_or(data)),
                        });
                    }
                }
                Err(problem) => done.problems.push(problem),
            }
        }
        done
    }

    /// Steps 3: what each occurrence of each hit adds, judged by the policy,
    /// as findings with their commit.
    fn findings<S: Source>(
        &self,
        source: &S,
        blobs: &[Blob],
        hits: Vec<Hit>,
        out: &mut Outcome,
    ) -> Vec<place::Placed> {
        let mut reader = source.reader();
        let mut commits: HashMap<usize, Option<CommitMeta>> = HashMap::new();
        let mut found = Vec::new();
        for hit in hits {
            let blob = &blobs[hit.index];
            let data = match hit.data {
                Some(data) => data,
                None => match reader.read(&blob.id, &blob.occurrences[0].path) {
                    Ok(data) => text::searched(self.detector, data),
                    Err(problem) => {
                        out.problems.push(problem);
                        continue;
                    }
                },
            };
            let mut olds: HashMap<ObjectId, Option<Vec<u8>>> = HashMap::new();
            let added: Vec<Vec<Match>> = blob
                .occurrences
                .iter()
                .map(|o| {
                    let ids = o.old_ids();
                    for id in &ids {
                        olds.entry(*id).or_insert_with(|| {
                            let blob_id = BlobId::Object(*id);
                            reader
                                .read(&blob_id, &o.path)
                                .map(text::old_side)
                                .map_err(|problem| out.problems.push(problem))
                                .ok()
                        });
                    }
                    let sides: Option<Vec<&[u8]>> = ids
                        .iter()
                        .map(|id| olds.get(id).and_then(|d| d.as_deref()))
                        .collect();
                    match sides {
                        Some(sides) => added_lines::keep_added(&sides, &data, hit.matches.clone()),
                        // An old side could not be read: every match counts.
                        None => hit.matches.clone(),
                    }
                })
                .collect();
            // The policy judges each match of the blob once, however many
            // occurrences add it.
            let added_somewhere: HashSet<(usize, usize)> =
                added.iter().flatten().map(span).collect();
            let any_added: Vec<Match> = hit
                .matches
                .iter()
                .filter(|m| added_somewhere.contains(&span(m)))
                .cloned()
                .collect();
            let allowed: HashSet<(usize, usize)> = self
                .policy
                .filter(&data, any_added, &mut out.stats)
                .iter()
                .map(span)
                .collect();
            for (occurrence, mut kept) in blob.occurrences.iter().zip(added) {
                kept.retain(|m| allowed.contains(&span(m)));
                if kept.is_empty() {
                    continue;
                }
                let commit = occurrence.commit.and_then(|index| {
                    commits
                        .entry(index)
                        .or_insert_with(|| {
                            source
                                .commit(index)
                                .map_err(|problem| out.problems.push(problem))
                                .ok()
                        })
                        .clone()
                });
                let origin = locate::Origin {
                    path: &occurrence.path,
                    commit: commit.as_ref(),
                    source: occurrence.source,
                };
                for finding in locate::findings(&data, &kept, &hit.matches, origin) {
                    found.push(place::Placed {
                        commit_index: occurrence.commit,
                        finding,
                    });
                }
            }
        }
        found
    }
}

/// Whether an occurrence's path names Intercom, below the root its
/// allowlists match against (a folder the repository sits in does not count).
fn names_intercom(o: &crate::source::blob::Occurrence) -> bool {
    let path = match &o.policy_path {
        PolicyPath::Same => &o.path,
        PolicyPath::Other(relative) => relative,
        PolicyPath::Exempt => return false,
    };
    let absolute = path.first() == Some(&b'/') || path.get(1) == Some(&b':');
    !absolute && crate::detect::path_names_intercom(path)
}

/// A match's place in its blob, which identifies it there.
fn span(m: &Match) -> (usize, usize) {
    (m.start, m.end)
}

/// What one thread's share of the detect step found.
#[derive(Default)]
struct Detected {
    hits: Vec<Hit>,
    problems: Vec<Problem>,
    blobs: u64,
    bytes: u64,
}
