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
//!    not read again. A blob larger than the [`Window`] is read in order
//!    and detected in overlapping windows ([`window`]), its matches located
//!    on the way; no mode holds more of a blob than that.
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
mod sides;
mod text;
pub mod window;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;

use crate::detect::{Detector, Match};
use crate::finding::{CommitMeta, Finding, Problem, Stats};
use crate::policy::located::Located;
use crate::policy::{Policy, locate};
use crate::source::blob::{Blob, BlobId, Content, PolicyPath, Reader, Source, Stream};

pub use place::Placement;
pub use window::Window;

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
    /// How much of a blob is at hand at once.
    window: Window,
}

/// A blob that had a hit: its index in the listing, its matches, and the
/// text they were found in when it is at hand.
struct Hit {
    index: usize,
    matches: Vec<Match>,
    text: Option<Text>,
}

/// The text a blob's matches were found in.
enum Text {
    /// In memory: the blob's bytes, or their UTF-16 decoding.
    Whole(Vec<u8>),
    /// Read in windows: the matches, located on the way.
    Located(Located),
}

/// What reading one blob and detecting it gave.
struct Scanned {
    bytes: u64,
    found: Option<(Vec<Match>, Text)>,
    /// Reading stopped early (what was read before is judged).
    problem: Option<Problem>,
}

/// At most this many blobs are read on one thread before the work is spread.
const SPREAD_FROM: usize = 256;

impl<'a> Engine<'a> {
    pub fn new(detector: &'a Detector, policy: &'a Policy) -> Engine<'a> {
        Engine {
            detector,
            policy,
            hit: None,
            window: Window::default(),
        }
    }

    /// Hold at most `window` of a blob at once.
    pub fn with_window(self, window: Window) -> Engine<'a> {
        Engine { window, ..self }
    }

    pub fn window(&self) -> Window {
        self.window
    }

    /// Raise `flag` on the first hit of the run.
    pub fn with_hit_flag(self, flag: &'a AtomicBool) -> Engine<'a> {
        Engine {
            hit: Some(flag),
            ..self
        }
    }

    /// The detector's verdict on one blob, for whole-database passes that
    /// read the bytes themselves (UTF-16 text is searched decoded; a blob
    /// larger than the window in windows of it).
    pub fn judge(&self, data: &[u8]) -> Option<Vec<Match>> {
        self.judge_with(self.detector, data)
    }

    /// [`Engine::judge`] for a blob at a path that names Intercom: the whole
    /// blob is an Intercom context.
    pub fn judge_intercom_file(&self, data: &[u8]) -> Option<Vec<Match>> {
        self.judge_with(&self.detector.for_intercom_file(), data)
    }

    /// [`Engine::judge_reader`] for a blob at a path that names Intercom.
    pub fn judge_intercom_reader(
        &self,
        bytes: &mut dyn std::io::Read,
    ) -> (Option<Vec<Match>>, u64, Option<std::io::Error>) {
        self.judge_reader_with(&self.detector.for_intercom_file(), bytes)
    }

    fn judge_with(&self, detector: &Detector, data: &[u8]) -> Option<Vec<Match>> {
        if self.window.holds(data.len() as u64) {
            return self.judge_text(detector, data).map(|(matches, _)| matches);
        }
        let located = window::judge_slice(detector, self.window, data)?;
        self.raise();
        Some(located.into_matches())
    }

    /// [`Engine::judge`] for a blob read in order from `bytes` (one larger
    /// than the window): its matches, how many bytes were read, and the
    /// error that stopped the reading early (what was read before is
    /// judged all the same).
    pub fn judge_reader(
        &self,
        bytes: &mut dyn std::io::Read,
    ) -> (Option<Vec<Match>>, u64, Option<std::io::Error>) {
        self.judge_reader_with(self.detector, bytes)
    }

    fn judge_reader_with(
        &self,
        detector: &Detector,
        bytes: &mut dyn std::io::Read,
    ) -> (Option<Vec<Match>>, u64, Option<std::io::Error>) {
        let streamed = window::judge_stream(detector, self.window, Vec::new(), bytes);
        if streamed.found.is_some() {
            self.raise();
        }
        let matches = streamed.found.map(Located::into_matches);
        (matches, streamed.bytes, streamed.error)
    }

    /// [`Engine::judge`] by `detector`, with the decoded text the matches
    /// are in when the blob is UTF-16 text (see [`text`]).
    fn judge_text(
        &self,
        detector: &Detector,
        data: &[u8],
    ) -> Option<(Vec<Match>, Option<Vec<u8>>)> {
        let found = text::judge(detector, data)?;
        self.raise();
        Some(found)
    }

    fn raise(&self) {
        if let Some(flag) = self.hit {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Detect one blob's bytes by `detector`: whole when they fit in the
    /// window, else in windows.
    fn scan(&self, detector: &Detector, content: Content<'_>) -> Scanned {
        match content {
            Content::Whole(data) if self.window.holds(data.len() as u64) => {
                let bytes = data.len() as u64;
                let found = self
                    .judge_text(detector, &data)
                    .map(|(matches, decoded)| (matches, Text::Whole(decoded.unwrap_or(data))));
                Scanned {
                    bytes,
                    found,
                    problem: None,
                }
            }
            Content::Whole(data) => {
                let found = window::judge_slice(detector, self.window, &data);
                self.located(data.len() as u64, found, None)
            }
            Content::Stream(Stream {
                head,
                mut rest,
                fail,
            }) => {
                let streamed = window::judge_stream(detector, self.window, head, &mut rest);
                let problem = streamed.error.map(fail);
                self.located(streamed.bytes, streamed.found, problem)
            }
        }
    }

    fn located(&self, bytes: u64, found: Option<Located>, problem: Option<Problem>) -> Scanned {
        if found.is_some() {
            self.raise();
        }
        Scanned {
            bytes,
            found: found.map(|l| (l.matches().to_vec(), Text::Located(l))),
            problem,
        }
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
                    text: None,
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
            let path = &blob.occurrences[0].path;
            // A blob at a path that names Intercom is an Intercom context.
            let intercom_file;
            let detector = if blob.occurrences.iter().any(names_intercom) {
                intercom_file = self.detector.for_intercom_file();
                &intercom_file
            } else {
                self.detector
            };
            let scanned = match reader.open(&blob.id, path, self.window.bytes()) {
                Ok(content) => self.scan(detector, content),
                Err(problem) => {
                    done.problems.push(problem);
                    continue;
                }
            };
            // A message is not a blob of the repository.
            if !matches!(blob.id, BlobId::Message(_)) {
                done.blobs += 1;
                done.bytes += scanned.bytes;
            }
            done.problems.extend(scanned.problem);
            if let Some((matches, text)) = scanned.found {
                done.hits.push(Hit {
                    index,
                    matches,
                    text: Some(text),
                });
            }
        }
        done
    }

    /// The text of a hit a whole-database pass judged: read again.
    fn read_again(&self, reader: &mut impl Reader, blob: &Blob, out: &mut Outcome) -> Option<Text> {
        let path = &blob.occurrences[0].path;
        match reader.open(&blob.id, path, self.window.bytes()) {
            Ok(Content::Whole(data)) if self.window.holds(data.len() as u64) => {
                Some(Text::Whole(text::searched(self.detector, data)))
            }
            Ok(content) => {
                let scanned = self.scan(self.detector, content);
                out.problems.extend(scanned.problem);
                scanned.found.map(|(_, text)| text)
            }
            Err(problem) => {
                out.problems.push(problem);
                None
            }
        }
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
            let Some(text) = hit.text.or_else(|| self.read_again(&mut reader, blob, out)) else {
                continue;
            };
            let matches = match &text {
                Text::Whole(_) => hit.matches,
                Text::Located(located) => located.matches().to_vec(),
            };
            let added = sides::added(
                &mut reader,
                self.window,
                blob,
                &text,
                &matches,
                &mut out.problems,
            );
            // The policy judges each match of the blob once, however many
            // occurrences add it.
            let added_somewhere: HashSet<(usize, usize)> =
                added.iter().flatten().map(span).collect();
            let any_added: Vec<Match> = matches
                .iter()
                .filter(|m| added_somewhere.contains(&span(m)))
                .cloned()
                .collect();
            let kept = match &text {
                Text::Whole(data) => self.policy.filter(data, any_added, &mut out.stats),
                Text::Located(located) => {
                    self.policy
                        .filter_by(any_added, |m| located.marked(m), &mut out.stats)
                }
            };
            let allowed: HashSet<(usize, usize)> = kept.iter().map(span).collect();
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
                let findings = match &text {
                    Text::Whole(data) => locate::findings(data, &kept, &matches, origin),
                    Text::Located(located) => located.findings(&kept, origin),
                };
                for finding in findings {
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
