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
//!
//! With `--state FILE` the sweep is incremental ([`crate::history_pass`],
//! [`crate::sweep::state`]): only what is new since the recorded state is
//! read and reported (`--all-findings`: the known findings too).

use std::io::{self, Write};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use super::progress::Progress;
use super::{CliError, CommonArgs, settings};
use crate::engine::Outcome;
use crate::finding::Exposure;
use crate::history_pass::{self, Incremental, Request, Watch};
use crate::policy::Mode;
use crate::report::{self, Format, ReportOptions, Surface};
use crate::source::history::{History, Selection};
use crate::sweep::state::State;

/// What `history` was asked.
#[derive(Debug, Clone)]
pub(crate) struct HistoryArgs<'a> {
    pub(crate) revs: &'a [String],
    pub(crate) all_objects: bool,
    pub(crate) baseline_out: Option<&'a Path>,
    /// `--state FILE`: incremental.
    pub(crate) state: Option<&'a Path>,
    pub(crate) all_findings: bool,
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
    let incremental = match args.state {
        Some(path) => Some(Incremental {
            previous: State::load(path)?,
            settings: history_pass::settings_digest(&loaded.settings),
            all_findings: args.all_findings,
        }),
        None => None,
    };
    let watch = Watching::new(!common.quiet);
    let pass = history_pass::run(
        &history,
        engine,
        Request {
            selection,
            incremental,
        },
        &watch,
    )?;
    watch.finish();
    for text in &pass.notes {
        note(common, text);
    }
    if let (Some(path), Some(state)) = (args.state, &pass.state) {
        state.save(path)?;
    }
    let mut outcome = pass.outcome;

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

/// The progress bar (made once the total is known) and the phase timings.
pub(super) struct Watching {
    show: bool,
    bar: OnceLock<Progress>,
    timings: Timings,
}

impl Watching {
    pub(super) fn new(show: bool) -> Watching {
        Watching {
            show,
            bar: OnceLock::new(),
            timings: Timings::from_env(),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish();
        }
    }
}

impl Watch for Watching {
    fn start(&self, total: u64) {
        let _ = self.bar.set(Progress::blobs(total, self.show));
    }

    fn blob(&self, bytes: u64) {
        if let Some(bar) = self.bar.get() {
            bar.blob(bytes);
        }
    }

    fn phase(&self, text: &str) {
        if let Some(bar) = self.bar.get() {
            bar.phase(text);
        }
    }

    fn done(&self, step: &str) {
        self.timings.mark(step);
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
    last: Option<Mutex<Instant>>,
}

impl Timings {
    fn from_env() -> Timings {
        let on = std::env::var_os("INTERCOM_GUARD_TIMINGS").is_some_and(|v| v == "1");
        Timings {
            last: on.then(|| Mutex::new(Instant::now())),
        }
    }

    fn mark(&self, phase: &str) {
        if let Some(last) = &self.last {
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let _ = writeln!(
                io::stderr().lock(),
                "timing: {phase} {:.3} s",
                (now - *last).as_secs_f64()
            );
            *last = now;
        }
    }
}

pub(super) fn note(common: &CommonArgs, text: &str) {
    if !common.quiet {
        let _ = writeln!(io::stderr().lock(), "note: {text}");
    }
}
