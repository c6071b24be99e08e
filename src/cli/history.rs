//! `intercom-guard history [REV...] [--all-objects]`: every secret ever
//! committed, where it entered, by whom, and whether it is still at the tip.
//!
//! 1. The source lists the blobs (every object, or the range's changes) and
//!    reads each once, in parallel; the detector and the policy's inline
//!    markers and accepted fingerprints run on each blob as it is read.
//! 2. Only for the blobs that matched, the source finds the commits that
//!    put them at a path, with the parents' versions of that path; a match
//!    counts where its line is absent from every parent ("added"). Symbolic
//!    links' targets count like files; the messages of commits and
//!    annotated tags are scanned too, each at its commit (or tag).
//! 3. Each secret is reported once per path, at the earliest commit that
//!    added it there (committer time, then generation); findings are grouped
//!    by secret, newest first.
//!
//! Unreadable objects are reported, skipped, and make the exit code 2 after
//! the report. An empty repository (no commit) is a note and exit 0.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use gix::ObjectId;

use super::progress::Progress;
use super::{CliError, CommonArgs, settings};
use crate::engine::{Judged, Outcome, Placement};
use crate::finding::{Exposure, Stats};
use crate::policy::Mode;
use crate::report::{self, Format, ReportOptions, Surface};
use crate::source::history::{History, HistoryError, Judges, Selection};

/// What `history` was asked.
#[derive(Debug, Clone)]
pub(crate) struct HistoryArgs<'a> {
    pub(crate) revs: &'a [String],
    pub(crate) all_objects: bool,
    pub(crate) baseline_out: Option<&'a Path>,
}

pub(super) fn run(args: &HistoryArgs<'_>, common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let history = History::discover(Path::new("."))?;
    let repo = history.repo();
    let work_tree = repo.workdir().is_some();
    let loaded = settings::load(Mode::History { work_tree }, common, Some(&repo))?;
    let engine = loaded.engine();

    let selection = if args.all_objects {
        Selection::AllObjects
    } else if args.revs.is_empty() {
        Selection::AllRefs
    } else {
        Selection::Revs(args.revs.to_vec())
    };
    if selection != Selection::AllObjects && history.is_empty()? {
        note(
            common,
            "the repository has no commits yet: nothing to sweep (`--all-objects` also reads objects no commit holds)",
        );
        return super::finish(
            Outcome::default(),
            common,
            Surface::Terminal,
            Exposure::Published,
        );
    }
    if history.is_shallow() {
        note(
            common,
            "this is a shallow clone: only the commits it has are swept, and a secret older than \
             its boundary is reported at the boundary commit (`git fetch --unshallow` for the rest)",
        );
    }

    let timings = Timings::from_env();
    let plan = history.plan(selection)?;
    timings.mark("plan");

    // Every blob once, in parallel, through the detector.
    let total = if plan.whole_database {
        history.object_count()
    } else {
        (plan.blobs.len() + plan.messages.len()) as u64
    };
    let progress = Progress::blobs(total, !common.quiet);
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
    let tick = |bytes: u64| progress.blob(bytes);
    let mut scanned = history.scan(&plan, judges(false), tick);
    timings.mark("scan");
    let mut judged = Judged {
        hits: std::mem::take(&mut scanned.hits).into_iter().collect(),
        ..Judged::default()
    };
    // Files at a path that names Intercom are Intercom contexts as a whole:
    // read them again as such (they were counted once already).
    let intercom_plan = history.intercom_plan(&plan, &scanned);
    let intercom = if intercom_plan.blobs.is_empty() {
        Default::default()
    } else {
        progress.phase("reading the files named after Intercom again");
        history.scan(&intercom_plan, judges(true), tick)
    };
    scanned.problems.extend(intercom_plan.problems);
    scanned.problems.extend(intercom.problems);
    judged.hits.extend(intercom.hits);
    timings.mark("intercom files");

    // Only for what matched: where it appears, and what the parents had.
    progress.phase("placing the matches in commits");
    let matched: HashSet<ObjectId> = judged.hits.keys().copied().collect();
    let found = history.appearances(&plan, &scanned, &matched)?;
    timings.mark("place");
    let tip = history.at_tip(&matched);
    progress.finish();

    let placed = engine.run(
        &found.source(&history),
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
    let problems = plan.problems.into_iter();
    let problems = problems.chain(scanned.problems).chain(found.problems);
    outcome.problems = problems.map(HistoryError::into_problem).collect();
    outcome.absorb(placed);

    match args.baseline_out {
        Some(path) => {
            outcome.stats.elapsed_ms = super::elapsed_ms(started);
            write_baseline(path, outcome, common)
        }
        None => {
            super::verify(&mut outcome, &loaded.settings, None);
            outcome.stats.elapsed_ms = super::elapsed_ms(started);
            super::finish(outcome, common, Surface::Terminal, Exposure::Published)
        }
    }
}

/// `--baseline-out FILE`: the findings as the JSON report (secrets
/// redacted), accepted by `--baseline FILE` in every mode. Exit 0.
fn write_baseline(path: &Path, outcome: Outcome, common: &CommonArgs) -> Result<u8, CliError> {
    let Outcome {
        findings,
        problems,
        stats,
    } = outcome;
    let opts = ReportOptions {
        quiet: true,
        ..ReportOptions::new(Format::Json, Exposure::Published)
    };
    let write = || -> io::Result<()> {
        let mut out = io::BufWriter::new(std::fs::File::create(path)?);
        report::write_with_problems(&mut out, &findings, &problems, &stats, &opts)?;
        out.flush()
    };
    write().map_err(|source| CliError::BaselineOut {
        path: path.to_owned(),
        source,
    })?;
    note(
        common,
        &format!(
            "wrote {} finding{} to the baseline {}; `--baseline {}` accepts them",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            path.display(),
            path.display()
        ),
    );
    // The problems go to stderr too; the file lists them.
    let mut report = super::open_report(common, Surface::Terminal, Exposure::Published);
    for problem in &problems {
        report.problem(problem.clone());
    }
    if !problems.is_empty() {
        return Err(CliError::Incomplete {
            failed: problems.len(),
        });
    }
    Ok(super::EXIT_CLEAN)
}

/// `INTERCOM_GUARD_TIMINGS=1`: the time each phase took, on stderr (for
/// `bench/history.sh`).
struct Timings {
    last: Option<std::cell::Cell<Instant>>,
}

impl Timings {
    fn from_env() -> Timings {
        let on = std::env::var_os("INTERCOM_GUARD_TIMINGS").is_some_and(|v| v == "1");
        Timings {
            last: on.then(|| std::cell::Cell::new(Instant::now())),
        }
    }

    fn mark(&self, phase: &str) {
        if let Some(last) = &self.last {
            let now = Instant::now();
            let _ = writeln!(
                io::stderr().lock(),
                "timing: {phase} {:.3} s",
                (now - last.get()).as_secs_f64()
            );
            last.set(now);
        }
    }
}

fn note(common: &CommonArgs, text: &str) {
    if !common.quiet {
        let _ = writeln!(io::stderr().lock(), "note: {text}");
    }
}
