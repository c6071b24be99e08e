//! The binary's glue: parse the command line, wire source → detect → policy
//! → report for the chosen mode, and turn the outcome into an exit code.

pub mod args;
mod config_cmd;
mod doctor;
mod history;
mod install;
mod pipeline;
mod pre_commit;
mod pre_push;
mod pre_receive;
mod progress;
mod scan;
pub mod settings;

use std::io::{self, IsTerminal, Write};

pub use args::{Cli, ColorChoice, Command, CommonArgs};

use crate::finding::{Exposure, Finding, Stats};
use crate::report::{self, Format, ReportOptions};
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

    #[error("{failed} of the inputs could not be read; the report covers only the others")]
    #[diagnostic(
        code(intercom_guard::scan::incomplete),
        help("the errors are listed above; fix them or leave those paths out")
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
    Install(#[from] install::InstallError),

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
        } => history::run(
            &history::HistoryArgs {
                revs,
                all_objects: *all_objects,
                baseline_out: baseline_out.as_deref(),
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
    }
}

/// Make miette render diagnostics on stderr in colour or not, per `--color`.
pub fn install_diagnostic_hook(common: &CommonArgs) {
    let color = stderr_color(common.color);
    // Only fails if a hook is already installed, which keeps that one.
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().color(color).build())
    }));
}

/// Print one diagnostic to stderr (soft errors that do not stop the run).
pub fn print_diagnostic(err: impl miette::Diagnostic + Send + Sync + 'static) {
    let _ = writeln!(io::stderr().lock(), "{:?}", miette::Report::new(err));
}

fn stderr_color(choice: ColorChoice) -> bool {
    choice.enabled(
        io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

fn stdout_color(choice: ColorChoice) -> bool {
    choice.enabled(
        io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// Where the report goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    Stdout,
    Stderr,
}

/// Write the report and return the exit code for it. A closed stdout
/// (`| head`) is not an error: the exit code still tells the outcome.
fn finish(
    findings: &[Finding],
    stats: &Stats,
    common: &CommonArgs,
    sink: Sink,
    exposure: Exposure,
) -> Result<u8, CliError> {
    let color = match (common.format, sink) {
        (Format::Json | Format::Sarif, _) => false,
        (Format::Human, Sink::Stdout) => stdout_color(common.color),
        (Format::Human, Sink::Stderr) => stderr_color(common.color),
    };
    let opts = ReportOptions {
        format: common.format,
        show_secrets: common.show_secrets,
        color,
        quiet: common.quiet,
        exposure,
    };
    let written = match sink {
        Sink::Stdout => write_to(&mut io::stdout().lock(), findings, stats, &opts),
        Sink::Stderr => write_to(&mut io::stderr().lock(), findings, stats, &opts),
    };
    match written {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(err)),
        _ => Ok(report::exit_code(findings)),
    }
}

fn write_to(
    out: &mut dyn Write,
    findings: &[Finding],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    report::write_report(&mut out, findings, stats, opts)?;
    out.flush()
}

fn elapsed_ms(started: std::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
