//! The binary's glue: parse the command line, wire source → detect → policy
//! → report for the chosen mode, and turn the outcome into an exit code.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod args;
mod budget;
mod config_cmd;
mod doctor;
mod explain;
mod generate;
mod help;
mod history;
mod install;
mod pre_commit;
mod pre_push;
mod pre_receive;
mod progress;
mod scan;
pub mod settings;
mod sweep;

use std::io::{self, IsTerminal};

pub use args::{Cli, ColorChoice, Command, CommonArgs};

use crate::engine::Outcome;
use crate::finding::Exposure;
use crate::report::{self, Choice, Report, Surface};
use crate::source::{FilesError, GitError};

/// Exit code when nothing was found.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code when something was found: the hook blocks.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code for usage, configuration and git errors.
pub const EXIT_ERROR: u8 = 2;

/// Everything that ends a run with exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] GitError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Files(#[from] FilesError),

    #[error("the run was not whole: {failed} problem(s); the report covers only the rest")]
    #[diagnostic(
        code(intercom_guard::incomplete),
        help("the problems are listed above; fix them (or leave those paths out) and run again")
    )]
    Incomplete { failed: usize },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Settings(#[from] settings::SettingsError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Push(#[from] crate::source::push::PushError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Quarantine(#[from] crate::source::quarantine::QuarantineError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Install(#[from] crate::install::InstallError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    History(#[from] crate::source::history::HistoryError),

    #[error("cannot write the baseline {}", path.display())]
    #[diagnostic(
        code(intercom_guard::history::baseline_out),
        help("check that the folder exists and is writable")
    )]
    BaselineOut {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Explain(#[from] explain::UnknownKind),

    #[error(transparent)]
    #[diagnostic(transparent)]
    State(#[from] crate::sweep::state::StateError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    List(#[from] crate::sweep::list::ListError),

    #[error("cannot write the sweep's results in {}", path.display())]
    #[diagnostic(
        code(intercom_guard::sweep::out),
        help("check that the folder can be created and written")
    )]
    SweepOut {
        path: std::path::PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("`sweep` needs `--out DIR` (or `--list-shard I/N` to list a shard's repositories)")]
    #[diagnostic(
        code(intercom_guard::sweep::no_out),
        help(
            "`intercom-guard sweep --repos LIST --out DIR`: each repository's reports and state go to DIR"
        )
    )]
    SweepNoOut,

    #[error(
        "{failed} of {total} repositories could not be swept whole; summary.json names them and why"
    )]
    #[diagnostic(
        code(intercom_guard::sweep::incomplete),
        help(
            "the other repositories' results are in the folder; fix these and run the sweep again: it skips what is done"
        )
    )]
    SweepIncomplete { failed: usize, total: usize },

    #[error("cannot write the report")]
    #[diagnostic(code(intercom_guard::output))]
    Output(#[source] io::Error),
}

/// Run the parsed command line; the exit code on success (0 or 1).
pub fn run(cli: &Cli) -> Result<u8, CliError> {
    match &cli.command {
        Command::Scan { paths } => scan::run(paths, &cli.common),
        Command::PreCommit => pre_commit::run(&cli.common),
        Command::History {
            revs,
            all_objects,
            baseline_out,
            state,
            all_findings,
        } => history::run(
            &history::HistoryArgs {
                revs,
                all_objects: *all_objects,
                baseline_out: baseline_out.as_deref(),
                state: state.as_deref(),
                all_findings: *all_findings,
            },
            &cli.common,
        ),
        Command::Sweep {
            repos,
            out,
            shard,
            list_shard,
            jobs,
            all_findings,
        } => sweep::run(
            &sweep::SweepArgs {
                repos,
                out: out.as_deref(),
                shard: *shard,
                list_shard: *list_shard,
                jobs: usize::from(*jobs),
                all_findings: *all_findings,
            },
            &cli.common,
        ),
        Command::PreReceive { fail_open } => pre_receive::run(&cli.common, *fail_open),
        Command::PrePush { remote, url } => {
            pre_push::run(&cli.common, remote.as_deref(), url.as_deref())
        }
        Command::Install { hook, force } => install::run(*hook, *force),
        Command::Doctor => doctor::run(&cli.common),
        Command::Config { mode } => config_cmd::run(*mode, &cli.common),
        Command::Completions { shell } => generate::completions(*shell),
        Command::Man => generate::man(),
        Command::Explain { kind } => explain::run(kind),
    }
}

/// Make miette render diagnostics on stderr in colour or not, per `--color`.
/// On a terminal they wrap at its width (or `COLUMNS`); anywhere else (a
/// pipe, a log, a hook's captured stderr) they do not wrap at all, so a
/// path or a command is never split across lines.
pub fn install_diagnostic_hook(common: &CommonArgs) {
    let terminal = io::stderr().is_terminal();
    let color = common
        .color
        .enabled(terminal, std::env::var_os("NO_COLOR").as_deref());
    let width = report::width::columns(
        std::env::var_os("COLUMNS").as_deref(),
        terminal_size::terminal_size_of(io::stderr()).map(|(w, _)| usize::from(w.0)),
    );
    // Only fails if a hook is already installed, which keeps that one.
    let _ = miette::set_hook(Box::new(move |_| {
        let opts = miette::MietteHandlerOpts::new().color(color);
        let opts = if terminal {
            opts.width(width).break_words(false)
        } else {
            opts.wrap_lines(false)
        };
        Box::new(opts.build())
    }));
}

/// The report a mode's flags and surface choose.
fn open_report(common: &CommonArgs, surface: Surface, exposure: Exposure) -> Box<dyn Report> {
    report::open(Choice {
        format: common.format,
        surface,
        color: common.color,
        show_secrets: common.show_secrets,
        quiet: common.quiet,
        verbose: common.verbose,
        exposure,
    })
}

/// Hand a run's outcome to its report; the exit code: 1 with findings, 0
/// without, and an error (exit 2) after the report when the run met a
/// problem.
fn finish(
    outcome: Outcome,
    common: &CommonArgs,
    surface: Surface,
    exposure: Exposure,
) -> Result<u8, CliError> {
    let mut report = open_report(common, surface, exposure);
    let code = report::exit_code(&outcome.findings);
    let failed = outcome.problems.len();
    report::send(
        &mut *report,
        outcome.findings,
        outcome.problems,
        &outcome.stats,
    )
    .map_err(CliError::Output)?;
    if failed > 0 {
        return Err(CliError::Incomplete { failed });
    }
    Ok(code)
}

/// The verify step of the pipeline (source → engine → verify → report):
/// with `--verify` or `verify: true`, every finding gets what Intercom's API
/// says of it, within `within` at most (a server hook's time budget).
fn verify(
    outcome: &mut Outcome,
    settings: &crate::policy::Settings,
    within: Option<std::time::Duration>,
) {
    if !settings.verify.value || outcome.findings.is_empty() {
        return;
    }
    let mut options = crate::verify::Options::from_env();
    if let Some(left) = within {
        options = options.within(left);
    }
    crate::verify::verify(&mut outcome.findings, &options);
}

fn elapsed_ms(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
