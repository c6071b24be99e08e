//! One history sweep of one repository, as `history` and `sweep` both run
//! it: source (plan, scan, the files named after Intercom again, placing
//! the matches) → engine → an [`Outcome`], and, when incremental
//! (`--state`), the state to record for the next run
//! ([`crate::sweep::state`]). It never prints: notes for the user come back
//! in [`Pass::notes`], progress goes to a [`Watch`].

use std::collections::HashSet;
use std::io;

use gix::ObjectId;

use crate::engine::{Engine, Judged, Outcome, Placement};
use crate::finding::{SourceKind, Stats};
use crate::policy::Settings;
use crate::source::history::{History, HistoryError, Judges, Plan, Selection, Since};
use crate::sweep::state::{self, State};

/// Where a pass reports its progress (a progress bar, phase timings).
pub trait Watch: Sync {
    /// The scan is about to read `total` objects.
    fn start(&self, _total: u64) {}
    /// One object of `bytes` bytes is read.
    fn blob(&self, _bytes: u64) {}
    /// A step without a count begins.
    fn phase(&self, _text: &str) {}
    /// The named step is over (`INTERCOM_GUARD_TIMINGS`).
    fn done(&self, _step: &str) {}
}

/// A [`Watch`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unwatched;

impl Watch for Unwatched {}

/// What to sweep, and whether incrementally.
#[derive(Debug)]
pub struct Request {
    pub selection: Selection,
    /// `--state`: the previous state (`None` for the first run) and the
    /// digest of this run's settings ([`settings_digest`]).
    pub incremental: Option<Incremental>,
}

/// An incremental sweep.
#[derive(Debug)]
pub struct Incremental {
    pub previous: Option<State>,
    pub settings: String,
    /// Report the findings known from previous runs too.
    pub all_findings: bool,
}

/// What a pass found.
#[derive(Debug, Default)]
pub struct Pass {
    pub outcome: Outcome,
    /// Incremental runs: the state to write (`None` when the run was not
    /// whole: the previous state stays).
    pub state: Option<State>,
    /// Things the user should know (a shallow clone, a state not trusted).
    pub notes: Vec<String>,
    /// Nothing changed since the recorded state: no object was read.
    pub unchanged: bool,
}

/// The digest of what the detector's and the policy's verdicts depend on.
pub fn settings_digest(settings: &Settings) -> String {
    let baseline: Vec<&String> = settings
        .baseline
        .iter()
        .flat_map(|b| &b.value.fingerprints)
        .collect();
    state::digest(&format!(
        "allow_paths={:?}\nfingerprints={:?}\nbaseline={baseline:?}\nextra_names={:?}\nmin_entropy={:?}\nstrict={:?}\ninline_allow={:?}\n",
        settings.allow_paths.value,
        settings.fingerprints.value,
        settings.extra_names.value,
        settings.min_entropy.value,
        settings.strict.value,
        settings.inline_allow.value,
    ))
}

/// Sweep `history` as `request` asks.
pub fn run(
    history: &History,
    engine: Engine<'_>,
    request: Request,
    watch: &dyn Watch,
) -> Result<Pass, HistoryError> {
    let mut pass = Pass::default();
    let object_hash = history.repo().object_hash();
    let Request {
        selection,
        incremental,
    } = request;

    // What the previous state lets this run skip.
    let mut recording: Option<(State, bool)> = None;
    let mut plan: Option<Plan> = None;
    let mut carried: Vec<HistoryError> = Vec::new();
    if let Some(inc) = &incremental {
        let tips = history.ref_tips()?;
        let previous = match &inc.previous {
            Some(prev) if prev.fits(&inc.settings, object_hash) => Some(prev),
            Some(_) => {
                pass.notes.push(
                    "the state was recorded by another version of intercom-guard or under other \
                     settings (configuration, --strict, --baseline): sweeping everything again"
                        .to_owned(),
                );
                None
            }
            None => None,
        };
        // Objects a previous run could not read: while none can be read,
        // they are problems again; once one can, everything is swept again.
        let previous = match previous {
            Some(prev) if prev.unread.iter().any(|id| history.can_read(id)) => {
                pass.notes.push(
                    "objects the previous run could not read are readable now: sweeping everything again"
                        .to_owned(),
                );
                None
            }
            other => other,
        };
        if let Some(prev) = previous {
            let mut unread: Vec<ObjectId> = prev.unread.iter().copied().collect();
            unread.sort();
            carried = unread
                .into_iter()
                .map(|id| HistoryError::StillUnreadable { id })
                .collect();
            if prev.tips == tips && !inc.all_findings {
                pass.unchanged = true;
                pass.state = Some(prev.clone());
                pass.outcome.problems = std::mem::take(&mut carried)
                    .into_iter()
                    .map(HistoryError::into_problem)
                    .collect();
                return Ok(pass);
            }
            let since = Since {
                tips: &prev.tips,
                clean: &prev.clean,
                clean_intercom: &prev.clean_intercom,
                again: inc.all_findings.then_some((
                    &prev.hits,
                    &prev.hits_intercom,
                    &prev.hit_messages,
                )),
            };
            match history.plan_since(&since)? {
                Some(p) => {
                    plan = Some(p);
                    let mut next = prev.clone();
                    next.tips = tips.clone();
                    recording = Some((next, true));
                }
                None => {
                    // The whole sweep meets what could not be read itself.
                    carried.clear();
                    pass.notes.push(
                        "a new ref points at a tree or a blob: sweeping everything again"
                            .to_owned(),
                    );
                }
            }
        }
        if recording.is_none() {
            let mut fresh = State::new(inc.settings.clone(), object_hash);
            fresh.tips = tips;
            recording = Some((fresh, false));
        }
    }
    let selection = if recording.as_ref().is_some_and(|(_, since)| !since) {
        Selection::AllRefs
    } else {
        selection
    };

    if plan.is_none() && selection != Selection::AllObjects && history.is_empty()? {
        pass.notes.push(
            "the repository has no commits yet: nothing to sweep (`--all-objects` also reads objects no commit holds)"
                .to_owned(),
        );
        pass.state = recording.map(|(s, _)| s);
        return Ok(pass);
    }
    if history.is_shallow() {
        pass.notes.push(
            "this is a shallow clone: only the commits it has are swept, and a secret older than \
             its boundary is reported at the boundary commit (`git fetch --unshallow` for the rest)"
                .to_owned(),
        );
    }
    let incremental_plan = plan.is_some();
    let plan = match plan {
        Some(plan) => plan,
        None => history.plan(selection)?,
    };
    watch.done("plan");

    let total = if plan.whole_database {
        history.object_count()
    } else {
        (plan.blobs.len() + plan.messages.len()) as u64
    };
    watch.start(total);
    // One set of judges for both passes (`intercom`: the blob is a file
    // whose path names Intercom), so the scan is built once.
    let judges = |intercom: bool| Judges {
        window: engine.window().bytes() as u64,
        bytes: move |_: &ObjectId, data: &[u8]| {
            if intercom {
                engine.judge_intercom_file(data)
            } else {
                engine.judge(data)
            }
        },
        stream: move |_: &ObjectId, bytes: &mut dyn io::Read| {
            if intercom {
                engine.judge_intercom_reader(bytes)
            } else {
                engine.judge_reader(bytes)
            }
        },
    };
    let tick = |bytes: u64| watch.blob(bytes);
    let mut scanned = history.scan(&plan, judges(false), tick);
    watch.done("scan");
    // What the plain judge read, and what it found in blobs (not messages).
    let messages_hit: HashSet<ObjectId> = scanned.messages.iter().map(|(id, _)| *id).collect();
    let plain_read: Vec<ObjectId> = if plan.whole_database {
        scanned.seen_blobs.clone()
    } else {
        plan.blobs.iter().map(|b| b.id).collect()
    };
    let mut judged = Judged {
        hits: std::mem::take(&mut scanned.hits).into_iter().collect(),
        ..Judged::default()
    };
    let plain_hits: HashSet<ObjectId> = judged
        .hits
        .keys()
        .filter(|id| !messages_hit.contains(*id))
        .copied()
        .collect();
    // Files at a path that names Intercom are Intercom contexts as a whole:
    // read them again as such (they were counted once already).
    let intercom_plan = history.intercom_plan(&plan, &scanned);
    let intercom = if intercom_plan.blobs.is_empty() {
        Default::default()
    } else {
        watch.phase("reading the files named after Intercom again");
        history.scan(&intercom_plan, judges(true), tick)
    };
    let intercom_hits: HashSet<ObjectId> = intercom.hits.iter().map(|(id, _)| *id).collect();
    scanned.problems.extend(intercom_plan.problems);
    scanned.problems.extend(intercom.problems);
    judged.hits.extend(intercom.hits);
    watch.done("intercom files");

    // Only for what matched: where it appears, and what the parents had.
    watch.phase("placing the matches in commits");
    if incremental_plan {
        // Only the new commits' objects were read: no whole-database check
        // of what the commits name.
        scanned.missing_named.get_or_insert_with(Vec::new);
    }
    let matched: HashSet<ObjectId> = judged.hits.keys().copied().collect();
    let found = history.appearances(&plan, &scanned, &matched)?;
    watch.done("place");
    let tip = history.at_tip(&matched);

    let placed = engine.run(
        &found.source(history),
        found.blobs(),
        &judged,
        Placement::Earliest { tip },
    );
    let mut outcome = Outcome {
        stats: Stats {
            blobs: scanned.blobs,
            bytes: scanned.bytes,
            ..Stats::default()
        },
        ..Outcome::default()
    };
    if incremental_plan {
        // The files named after Intercom that the plain pass did not read.
        outcome.stats.blobs += intercom.blobs;
        outcome.stats.bytes += intercom.bytes;
    }
    let problems: Vec<HistoryError> = plan
        .problems
        .into_iter()
        .chain(scanned.problems)
        .chain(found.problems)
        .chain(carried)
        .collect();
    // What could not be read, when every problem names its object.
    let unread: Option<Vec<ObjectId>> = problems.iter().map(HistoryError::object).collect();
    outcome.problems = problems
        .into_iter()
        .map(HistoryError::into_problem)
        .collect();
    outcome.absorb(placed);

    if let Some((mut next, _)) = recording {
        let all_findings = incremental.as_ref().is_some_and(|i| i.all_findings);
        let known = std::mem::take(&mut next.findings);
        let keys: Vec<String> = outcome
            .findings
            .iter()
            .map(|f| {
                // A message's finding is its commit's (or tag's): the same
                // secret in another message is another finding.
                let commit = match f.source {
                    SourceKind::File | SourceKind::Symlink => None,
                    _ => f.commit.as_ref().map(|c| c.id.as_str()),
                };
                State::finding_key(&f.fingerprint, &f.path, commit)
            })
            .collect();
        if !all_findings {
            let mut keep = keys.iter().map(|k| !known.contains(k));
            outcome.findings.retain(|_| keep.next().unwrap_or(true));
        }
        next.findings = known;
        next.findings.extend(keys);
        next.clean
            .extend(plain_read.into_iter().filter(|id| !plain_hits.contains(id)));
        next.clean_intercom.extend(
            intercom_plan
                .blobs
                .iter()
                .map(|b| b.id)
                .filter(|id| !intercom_hits.contains(id)),
        );
        // A clean verdict that a hit contradicts (the same blob read in
        // another context) is dropped: a hit is always read again.
        for id in &plain_hits {
            next.clean.remove(id);
        }
        for id in &intercom_hits {
            next.clean_intercom.remove(id);
        }
        next.hits.extend(plain_hits);
        next.hits_intercom.extend(intercom_hits);
        next.hit_messages.extend(messages_hit);
        match unread {
            Some(unread) => {
                // Never clean: read again once they can be.
                for id in &unread {
                    next.clean.remove(id);
                    next.clean_intercom.remove(id);
                }
                next.unread.extend(unread);
                pass.state = Some(next);
            }
            None => pass.notes.push(
                "the sweep was not whole: the state is not updated, so the next run reads again what this one could not"
                    .to_owned(),
            ),
        }
    }
    pass.outcome = outcome;
    Ok(pass)
}
