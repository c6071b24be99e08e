//! `intercom-guard pre-receive`: the commits a push brings to the server.
//!
//! Reads git's `<old> <new> <ref>` lines on stdin, opens the repository so
//! that the pushed objects (still in git's quarantine) are visible, and scans
//! every blob the new commits change, each distinct blob once. The commits
//! are those reachable from the new tips and from no ref the server had
//! before the push.
//!
//! Besides the files: the targets of symbolic links, the messages of the
//! new commits and those of the annotated tags pushed.
//!
//! A large push is scanned first and placed on hit: every object in the
//! quarantine is read once (packs by their delta tree, on every core) and
//! its blobs and messages go through the detector. When none matched and the pushed
//! commits and trees name nothing outside the quarantine, no commit can add
//! a secret and the push passes without comparing a single commit with its
//! parents. Otherwise the commits are compared with their parents as for a
//! small push, so what is reported is the same, and only the blobs the
//! scan did not read are read. The policy is the server's (`--config FILE`, or
//! `git config intercom-guard.config` relative to the git directory): never
//! read from the pushed tree, inline markers ignored unless the server's
//! configuration sets `inline_allow: true`.
//!
//! With `time_budget` in the server's configuration, a watchdog stops the
//! hook in time ([`super::budget`]) and refuses the push with its own
//! message (or lets it through with a warning under `--fail-open`, unless a
//! secret was already found).
//!
//! Output is written for git's `remote: ` prefix: the plain report on
//! stderr (JSON, with `--format json`, on stdout). Exit 1 refuses the push;
//! an internal error refuses it with exit 2, unless `--fail-open`, which lets
//! it through with a warning.

use std::io::{self, Read as _, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::budget::Watchdog;
use super::{CliError, CommonArgs, settings};
use crate::engine::{Judged, Outcome, Placement};
use crate::finding::Exposure;
use crate::policy::Mode;
use crate::report::Surface;
use crate::source::objects;
use crate::source::push::{self, PushError, PushSource, Pushed};
use crate::source::{outside, quarantine};

/// The administrator's switch, in the server repository's own git
/// configuration file (`git config intercom-guard.bypass true` there): the
/// hook lets every push through without scanning and says so. It is the
/// only bypass, and only that file counts. There is no environment switch,
/// and the global and system files do not count, since a push to a local
/// path hands the pusher's environment to the hook, and with it `HOME`,
/// `GIT_CONFIG_GLOBAL` and `GIT_CONFIG_SYSTEM`.
pub(super) const BYPASS_CONFIG: &str = "intercom-guard.bypass";

/// Whether the server repository's own configuration file turns the
/// bypass on (a value that is not a boolean does not).
fn bypassed(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    let own_file = |meta: &gix::config::file::Metadata| meta.source == gix::config::Source::Local;
    config
        .plumbing()
        .boolean_filter(BYPASS_CONFIG, own_file)
        .ok()
        .flatten()
        == Some(true)
}

pub(super) fn run(common: &CommonArgs, fail_open: bool) -> Result<u8, CliError> {
    let started = Instant::now();
    if common.verify {
        let _ = writeln!(
            io::stderr().lock(),
            "intercom-guard: note: pre-receive ignores --verify; `verify: true` in the server's configuration turns verification on"
        );
    }
    let mut run = Run {
        started,
        fail_open,
        hit: Arc::new(AtomicBool::new(false)),
        watchdog: None,
    };
    let scanned = scan(common, &mut run);
    // From here on the report is written whole, however long it takes.
    drop(run.watchdog.take());
    match scanned {
        Ok(Some(outcome)) => report(outcome, common, fail_open),
        Ok(None) => {
            let _ = writeln!(
                io::stderr().lock(),
                "intercom-guard: WARNING: `{BYPASS_CONFIG}` is set in this server repository; this push was NOT checked"
            );
            Ok(super::EXIT_CLEAN)
        }
        Err(err) => Ok(internal_error(&err, fail_open)),
    }
}

/// Pushes whose quarantine holds at least this many objects are scanned
/// object by object first ("scan first, place on hit"); smaller ones go
/// straight to the commit walk and tree diffs. Measured on top of a
/// 20,000-commit repository, both ways cost the same up to ~150 commits
/// (~600 objects: 2 ms for 1 commit, 23 ms for 150), and the object scan
/// pulls ahead above (160 against 290 ms for 2,000 commits).
const SCAN_FIRST_MIN_OBJECTS: u64 = 500;

/// What the push holds, or `None` when the administrator's bypass is on.
type Scanned = Option<Outcome>;

/// One run of the hook: when it started, how it fails, and its time budget.
struct Run {
    started: Instant,
    fail_open: bool,
    /// Raised by the engine on the first hit.
    hit: Arc<AtomicBool>,
    watchdog: Option<Watchdog>,
}

impl Run {
    /// Arm the server's `time_budget`, if it set one.
    fn arm(&mut self, settings: &crate::policy::Settings) {
        let Some(budget) = settings.time_budget.value else {
            return;
        };
        let origin = settings.time_budget.origin.to_string();
        let (fail_open, hit) = (self.fail_open, Arc::clone(&self.hit));
        self.watchdog = Some(Watchdog::start(self.started, budget, move || {
            out_of_time(budget, &origin, fail_open, hit.load(Ordering::Relaxed))
        }));
    }
}

/// What a hook out of time says, and its exit code: a push with a secret
/// found is refused (1); an unchecked one is refused (2), or let through
/// with `--fail-open` (0).
fn out_of_time(budget: Duration, origin: &str, fail_open: bool, hit: bool) -> (String, u8) {
    let budget = format!("{} s", budget.as_secs_f64());
    let why = format!(
        "intercom-guard: the push could not be checked within the server's time budget of {budget} (time_budget, {origin})"
    );
    if hit {
        return (
            format!(
                "{why}, and an Intercom secret was already found in it: the push was refused\n\
                 intercom-guard: remove the secret from the commits (rewrite them), rotate it, and push in smaller parts"
            ),
            super::EXIT_FINDINGS,
        );
    }
    if fail_open {
        return (
            format!(
                "{why}\nintercom-guard: WARNING: the push was NOT checked for Intercom secrets; --fail-open lets it through"
            ),
            super::EXIT_CLEAN,
        );
    }
    (
        format!(
            "{why}: the push was refused\n\
             intercom-guard: push it in smaller parts, a few commits at a time: git push <remote> <commit>:<branch>\n\
             intercom-guard: an administrator can raise time_budget in the server's configuration, or let pushes through for a while with `git config intercom-guard.bypass true` (and unset it after)"
        ),
        super::EXIT_ERROR,
    )
}

fn scan(common: &CommonArgs, run: &mut Run) -> Result<Scanned, CliError> {
    let started = run.started;
    let mut input = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut input)
        .map_err(PushError::ReadStdin)?;
    let hook = quarantine::open(Path::new("."))?;
    let repo = &hook.repo;
    if bypassed(repo) {
        return Ok(None);
    }
    let updates = push::parse_pre_receive(&input, repo.object_hash()).map_err(PushError::from)?;
    let mut outcome = Outcome::default();
    if !updates.iter().any(|u| u.new.is_some() && u.new != u.old) {
        outcome.stats.elapsed_ms = super::elapsed_ms(started);
        return Ok(Some(outcome));
    }
    // The server's own configuration: `--config` or `git config
    // intercom-guard.config`, never a file of the pushed commits.
    let loaded = settings::load(Mode::Server, common, Some(repo))?;
    run.arm(&loaded.settings);
    let engine = loaded.engine().with_hit_flag(&run.hit);
    let (walked, _) = push::walk_pre_receive(repo, hook.known.as_ref(), &updates)?;

    // Scan first: a large push has every object it brings read straight
    // from the quarantine, each pack by its delta tree on every core. When
    // no blob matched, nor any old blob that the pushed trees name or hold
    // (`source/outside.rs`), no commit can add a secret: done, without one
    // tree diff.
    let mut judged = Judged::default();
    let mut decoded = None;
    if let Some(dir) = hook.quarantine.as_deref()
        && objects::count(dir, repo.object_hash()) >= SCAN_FIRST_MIN_OBJECTS
        // An unreadable object is named by the exact path below.
        && let Ok(objects) = quarantine::scan_objects(
            dir,
            repo.object_hash(),
            engine.window().bytes() as u64,
            |data| engine.judge(data),
            |bytes| engine.judge_reader(bytes),
        )
    {
        outcome.stats.blobs += objects.blobs.len() as u64;
        outcome.stats.bytes += objects.bytes;
        if objects.clean_but_outside(&walked.commits, &walked.direct_objects()) {
            // The old blobs the new trees can bring back, whatever their
            // paths: when none matches either, no commit adds a secret.
            let old = if objects.outside.is_empty() {
                Some(Vec::new())
            } else {
                // Judged without the hit flag: an old blob that matches is
                // not yet a secret this push adds, and a push out of time
                // must not be refused as if it were.
                let old_engine = loaded.engine();
                outside::blobs_under(repo, &objects.outside)
                    .and_then(|ids| outside::judge_each(repo, &ids, |data| old_engine.judge(data)))
            };
            if let Some(old) = old {
                if old.iter().all(|(_, hit)| hit.is_none()) {
                    outcome.stats.elapsed_ms = super::elapsed_ms(started);
                    return Ok(Some(outcome));
                }
                for (id, hit) in old {
                    match hit {
                        Some(hit) => {
                            judged.hits.insert(id, hit);
                        }
                        None => {
                            judged.clean.insert(id);
                        }
                    }
                }
            }
        }
        judged.clean.extend(
            objects
                .blobs
                .iter()
                .chain(&objects.messages)
                .filter(|id| !objects.hits.contains_key(*id))
                .copied(),
        );
        judged.hits.extend(objects.hits);
        decoded = Some(objects.decoded);
    }

    // Place on hit: the commits are compared with their parents, and the
    // blobs the scan already judged are not read again.
    let pushed = Pushed::diff(repo, walked, decoded.as_ref())?;
    let source = PushSource {
        repo,
        commits: pushed.commits,
    };
    outcome.absorb(engine.run(&source, pushed.blobs, &judged, Placement::ByCommit));
    // Only the server's configuration turns verification on here; within a
    // time budget it keeps a quarter of it for the report.
    let within = loaded
        .settings
        .time_budget
        .value
        .map(|budget| (budget * 3 / 4).saturating_sub(started.elapsed()));
    super::verify(&mut outcome, &loaded.settings, within);
    outcome.stats.elapsed_ms = super::elapsed_ms(started);
    Ok(Some(outcome))
}

/// The plain report (JSON with `--format json`) and the exit code: 1
/// refuses a push with findings; a problem refuses it with exit 2 (after
/// the findings that were found), unless `--fail-open`.
fn report(outcome: Outcome, common: &CommonArgs, fail_open: bool) -> Result<u8, CliError> {
    let found = !outcome.findings.is_empty();
    match super::finish(outcome, common, Surface::Server, Exposure::Committed) {
        // `--fail-open` lets an unchecked push through, never a found secret.
        Err(CliError::Incomplete { .. }) if fail_open && found => Ok(super::EXIT_FINDINGS),
        Err(CliError::Incomplete { .. }) => Ok(unchecked(fail_open)),
        other => other,
    }
}

/// Print an internal error for `remote: ` (no box drawing) and choose the
/// exit code: 2 refuses the push, 0 with `--fail-open` lets it through.
fn internal_error(err: &CliError, fail_open: bool) -> u8 {
    let _ = writeln!(
        io::stderr().lock(),
        "{}",
        crate::report::plain::error_lines(err)
    );
    unchecked(fail_open)
}

/// The closing lines of a push that could not be checked whole, and its
/// exit code: refused (2), or let through with `--fail-open` (0).
fn unchecked(fail_open: bool) -> u8 {
    let mut out = io::stderr().lock();
    if fail_open {
        let _ = writeln!(
            out,
            "intercom-guard: WARNING: the push was NOT checked for Intercom secrets; --fail-open lets it through"
        );
        super::EXIT_CLEAN
    } else {
        let _ = writeln!(
            out,
            "intercom-guard: the push was refused because it could not be checked; ask the server's administrator"
        );
        super::EXIT_ERROR
    }
}
