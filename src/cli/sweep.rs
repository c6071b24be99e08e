//! `intercom-guard sweep --repos LIST --out DIR [--shard I/N] [--jobs J]`
//! and `sweep --list-shard I/N --repos LIST`: the glue. The list, shards,
//! slugs, result files, summary and state are [`crate::sweep`]'s; each
//! repository is one [`crate::history_pass`], under the settings `history`
//! would use there (`--config` for all of them, else each work tree's
//! `.intercom-guard.yaml`; a bare mirror has none).
//!
//! stdout: `--format human` one line per repository as it finishes and a
//! closing line; `json` the summary document at the end; `jsonl` each
//! finding and problem (with `"repo"`) and a `repo` line as each repository
//! finishes, and the totals (`stats`) last.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use super::{CliError, CommonArgs, settings};
use crate::engine::Outcome;
use crate::finding::Stats;
use crate::history_pass::{self, Incremental, Request, Unwatched};
use crate::policy::Mode;
use crate::report::{Format, jsonl};
use crate::source::history::{History, Selection};
use crate::sweep::list;
use crate::sweep::results::{self, Files};
use crate::sweep::run::{self as sweep_run, Target};
use crate::sweep::shard::Shard;
use crate::sweep::state::State;
use crate::sweep::summary::{RepoSummary, Status};

/// What `sweep` was asked.
#[derive(Debug, Clone)]
pub(crate) struct SweepArgs<'a> {
    pub(crate) repos: &'a Path,
    pub(crate) out: Option<&'a Path>,
    pub(crate) shard: Option<Shard>,
    pub(crate) list_shard: Option<Shard>,
    pub(crate) jobs: usize,
    pub(crate) all_findings: bool,
}

/// What one repository's sweep hands to the output.
struct Swept {
    outcome: Option<Outcome>,
    notes: Vec<String>,
}

pub(super) fn run(args: &SweepArgs<'_>, common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let entries = list::read(args.repos)?;
    if let Some(shard) = args.list_shard {
        let mut out = io::stdout().lock();
        for target in sweep_run::targets(&entries, shard) {
            if let Err(err) = writeln!(out, "{}", target.entry.as_line()) {
                return broken_pipe_ok(err);
            }
        }
        return Ok(super::EXIT_CLEAN);
    }
    let Some(dir) = args.out else {
        return Err(CliError::SweepNoOut);
    };
    std::fs::create_dir_all(dir).map_err(|source| CliError::SweepOut {
        path: dir.to_owned(),
        source,
    })?;
    let shard = args.shard.unwrap_or(Shard::ALL);
    let targets = sweep_run::targets(&entries, shard);
    if targets.is_empty() {
        note(
            common,
            &format!(
                "shard {shard} takes none of the {} repositories of the list",
                entries.len()
            ),
        );
    }
    let totals = Mutex::new(Stats::default());
    let output = Mutex::new(None::<io::Error>);
    let (summary, summary_error) = sweep_run::run(
        &targets,
        args.jobs,
        dir,
        |target| sweep_one(target, dir, args.all_findings, common),
        |line, swept: Swept| {
            {
                let mut totals = totals.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(outcome) = &swept.outcome {
                    totals.add(&outcome.stats);
                }
            }
            for text in &swept.notes {
                note(common, &format!("{}: {text}", line.path));
            }
            let written = show(line, &swept, common);
            if let Err(err) = written {
                output
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(err);
            }
        },
    );
    if let Some(source) = summary_error {
        return Err(CliError::SweepOut {
            path: sweep_run::summary_path(dir),
            source,
        });
    }
    let mut totals = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    totals.elapsed_ms = super::elapsed_ms(started);
    let mut out = io::stdout().lock();
    let closing = match common.format {
        Format::Jsonl => out.write_all(&jsonl::stats_line(&totals)),
        Format::Json => out.write_all(&summary.to_json()),
        _ => {
            let count = |s: Status| summary.repos.iter().filter(|r| r.status == s).count();
            if common.quiet && summary.exit_code() == 0 {
                Ok(())
            } else {
                writeln!(
                    out,
                    "swept {} repositories: {} with findings, {} in error; results in {}",
                    summary.repos.len(),
                    count(Status::Findings),
                    count(Status::Error),
                    dir.display()
                )
            }
        }
    };
    let failed = output.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(err) = failed.or(closing.and_then(|()| out.flush()).err()) {
        broken_pipe_ok(err)?;
    }
    let errors = summary
        .repos
        .iter()
        .filter(|r| r.status == Status::Error)
        .count();
    if errors > 0 {
        return Err(CliError::SweepIncomplete {
            failed: errors,
            total: summary.repos.len(),
        });
    }
    Ok(summary.exit_code())
}

/// Sweep one repository into `dir`: its line of the summary, and what the
/// output shows of it.
fn sweep_one(
    target: &Target,
    dir: &Path,
    all_findings: bool,
    common: &CommonArgs,
) -> (RepoSummary, Swept) {
    let started = Instant::now();
    let seconds = || started.elapsed().as_secs_f64();
    let files = Files::of(dir, &target.slug);
    let failed = |text: String| {
        (
            results::failed(target, text, seconds()),
            Swept {
                outcome: None,
                notes: Vec::new(),
            },
        )
    };
    let history = match History::discover(&target.entry.location()) {
        Ok(history) => history,
        Err(err) => return failed(diagnostic_text(&err)),
    };
    let repo = history.repo();
    let work_tree = repo.workdir().is_some();
    let loaded = match settings::load(Mode::History { work_tree }, common, Some(&repo)) {
        Ok(loaded) => loaded,
        Err(err) => return failed(diagnostic_text(&err)),
    };
    let previous = match State::load(&files.state) {
        Ok(previous) => previous,
        Err(err) => return failed(diagnostic_text(&err)),
    };
    // Without both reports there is nothing to keep: report everything.
    let reports = files.reports_exist();
    let request = |all_findings: bool, previous: Option<State>| Request {
        selection: Selection::AllRefs,
        incremental: Some(Incremental {
            previous,
            settings: history_pass::settings_digest(&loaded.settings),
            all_findings,
        }),
    };
    let pass = history_pass::run(
        &history,
        loaded.engine(),
        request(all_findings || !reports, previous.clone()),
        &Unwatched,
    );
    let pass = match pass {
        // Up to date: the result in the folder stands.
        Ok(pass) if pass.unchanged => match results::previous(target, &files) {
            Some(line) => {
                return (
                    line,
                    Swept {
                        outcome: None,
                        notes: pass.notes,
                    },
                );
            }
            None => history_pass::run(
                &history,
                loaded.engine(),
                request(true, previous),
                &Unwatched,
            ),
        },
        other => other,
    };
    let pass = match pass {
        Ok(pass) => pass,
        Err(err) => return failed(diagnostic_text(&err)),
    };
    let mut outcome = pass.outcome;
    outcome.stats.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let written = files.write_reports(
        &outcome.findings,
        &outcome.problems,
        &outcome.stats,
        common.show_secrets,
    );
    if let Err(err) = written {
        return failed(format!("cannot write {}: {err}", files.json.display()));
    }
    // The state last: a sweep killed before this line sweeps the
    // repository again, from the previous state.
    if let Some(state) = &pass.state
        && let Err(err) = state.save(&files.state)
    {
        return failed(diagnostic_text(&err));
    }
    let line = results::line(
        target,
        outcome.findings.len(),
        &outcome.problems,
        &outcome.stats,
        seconds(),
    );
    (
        line,
        Swept {
            outcome: Some(outcome),
            notes: pass.notes,
        },
    )
}

/// A diagnostic and its causes, in one line.
fn diagnostic_text(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// One finished repository on stdout, in the chosen format.
fn show(line: &RepoSummary, swept: &Swept, common: &CommonArgs) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match common.format {
        Format::Jsonl => {
            if let Some(outcome) = &swept.outcome {
                for problem in &outcome.problems {
                    out.write_all(&jsonl::problem_line(problem, Some(&line.path)))?;
                }
                for finding in &outcome.findings {
                    out.write_all(&jsonl::finding_line(
                        finding,
                        common.show_secrets,
                        Some(&line.path),
                    ))?;
                }
            }
            out.write_all(&jsonl::other_line("repo", line))?;
        }
        Format::Json => {}
        _ => {
            if common.quiet && line.status == Status::Ok {
                return Ok(());
            }
            let status = match line.status {
                Status::Ok => "ok",
                Status::Findings => "findings",
                Status::Error => "error",
            };
            let mut text = format!(
                "{status:<8} {}  {} finding{}, {} blobs, {:.2} s",
                line.slug,
                line.findings,
                if line.findings == 1 { "" } else { "s" },
                line.blobs,
                line.seconds
            );
            if swept.outcome.is_none() && line.status != Status::Error {
                text.push_str(" (up to date: kept)");
            }
            if let Some(problem) = &line.problem {
                text.push_str(&format!(": {problem}"));
            }
            writeln!(out, "{}", crate::redact::scrub(&text))?;
        }
    }
    out.flush()
}

fn broken_pipe_ok(err: io::Error) -> Result<u8, CliError> {
    if err.kind() == io::ErrorKind::BrokenPipe {
        Ok(super::EXIT_CLEAN)
    } else {
        Err(CliError::Output(err))
    }
}

fn note(common: &CommonArgs, text: &str) {
    super::history::note(common, text);
}
