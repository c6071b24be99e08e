//! The report layer: turns findings and problems into a human report
//! (miette diagnostics and rotation guidance), git's `remote:` lines, a JSON
//! or a SARIF document, and decides the exit code.
//!
//! It knows nothing of git or of where the bytes came from. A run hands it
//! messages through the [`Report`] interface (a finding, a problem, then the
//! summary); [`open`] chooses the one implementation for the format and the
//! surface (terminal, a laptop hook's stderr, a server hook). Each format is
//! one module; [`write_report`] writes a whole report to any
//! [`std::io::Write`], so tests capture a buffer. Secrets are redacted
//! ([`redact::redact`]) unless `show_secrets`.

pub mod config;
pub mod doctor;
pub mod explain;
pub mod guidance;
mod human;
mod json;
pub mod jsonl;
mod path;
pub mod plain;
mod problems;
/// How a secret is shown (the shared [`crate::redact`], under its old name).
pub use crate::redact;
mod sarif;
pub mod scrubbed;
mod text;
mod verification;
pub mod width;

use std::io::{self, IsTerminal as _, Write as _};

use crate::finding::{Exposure, Finding, Problem, Stats};
use width::Stream;

/// The output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics, rotation guidance and a summary line.
    Human,
    /// One JSON document: findings, problems and stats.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// One JSON object per line, each as soon as it is known (`history`,
    /// `sweep`).
    Jsonl,
}

/// How to write the report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub format: Format,
    /// Print secrets in full (`--show-secrets`); otherwise they are redacted.
    pub show_secrets: bool,
    /// ANSI colours in the human report.
    pub color: bool,
    /// No "nothing found" line; findings and guidance still print.
    pub quiet: bool,
    /// A laptop hook's "nothing found" line (`--verbose`): without it, a
    /// hook that finds nothing says so only when the policy let something
    /// through (a marker, an accepted fingerprint, an allowlisted path).
    pub verbose: bool,
    /// How far the secrets travelled: selects the rotation guidance.
    pub exposure: Exposure,
    /// Where the report is read: a laptop hook gets the short human report.
    pub surface: Surface,
    /// Columns the human report fits in ([`width::columns`]).
    pub width: usize,
}

impl ReportOptions {
    /// The options for `format` and `exposure` at a terminal of
    /// [`width::DEFAULT`] columns: redacted, no colour, not quiet.
    pub fn new(format: Format, exposure: Exposure) -> ReportOptions {
        ReportOptions {
            format,
            show_secrets: false,
            color: false,
            quiet: false,
            verbose: false,
            exposure,
            surface: Surface::Terminal,
            width: width::DEFAULT,
        }
    }
}

/// Writes the report for `findings` to `out` in `opts.format`.
pub fn write_report(
    out: &mut dyn io::Write,
    findings: &[Finding],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    write_with_problems(out, findings, &[], stats, opts)
}

/// [`write_report`], with the problems the run met (the machine formats
/// list them; the human one has printed them as they came).
pub fn write_with_problems(
    out: &mut dyn io::Write,
    findings: &[Finding],
    problems: &[Problem],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    match opts.format {
        Format::Human => human::write(out, findings, stats, opts),
        Format::Json => json::write(out, findings, problems, stats, opts),
        Format::Sarif => sarif::write(out, findings, problems, stats, opts),
        Format::Jsonl => jsonl::write(out, findings, problems, stats, opts.show_secrets),
    }
}

/// When to use colours: `auto` means on a terminal, unless NO_COLOR is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream, given whether it is a terminal and the
    /// value of `NO_COLOR` (set and non-empty turns colour off in `auto`).
    pub fn enabled(self, is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }

    fn for_stderr(self) -> bool {
        self.enabled(
            io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        )
    }

    fn for_stdout(self) -> bool {
        self.enabled(
            io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        )
    }
}

/// Where the report is read, which with the format decides how it is
/// written and to which stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// A command run by hand: everything on stdout.
    Terminal,
    /// A laptop hook (pre-commit, pre-push): the human report on stderr,
    /// since a hook's stdout is often swallowed; JSON and SARIF on stdout.
    /// The human report is the short one (it fits a terminal), and a run
    /// that finds nothing is silent unless `--verbose`.
    Hook,
    /// A server hook: git's `remote:` lines (the plain report) on stderr;
    /// JSON and SARIF on stdout.
    Server,
}

/// The messages a run sends to its report.
pub trait Report {
    /// One finding, in the order the run places them.
    fn finding(&mut self, finding: Finding);
    /// Something that kept the run from being whole; shown on stderr at
    /// once (without secrets), and listed by the machine formats.
    fn problem(&mut self, problem: Problem);
    /// The end of the run: write the report. A closed stdout (`| head`) is
    /// not an error.
    fn finish(&mut self, stats: &Stats) -> io::Result<()>;
}

/// What [`open`] needs to choose and configure the report.
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub format: Format,
    pub surface: Surface,
    pub color: ColorChoice,
    pub show_secrets: bool,
    pub quiet: bool,
    /// Say "nothing found" in a laptop hook too; a hook is silent when
    /// nothing is found unless asked.
    pub verbose: bool,
    pub exposure: Exposure,
}

/// The report for `choice`: the one place a format and a surface become an
/// implementation and a stream.
pub fn open(choice: Choice) -> Box<dyn Report> {
    if choice.format == Format::Jsonl {
        return Box::new(jsonl::Streaming {
            show_secrets: choice.show_secrets,
            problems: 0,
            failed: None,
        });
    }
    let on_stderr = choice.format == Format::Human && choice.surface != Surface::Terminal;
    let color = match choice.format {
        Format::Json | Format::Sarif | Format::Jsonl => false,
        Format::Human if choice.surface == Surface::Server => false,
        Format::Human if on_stderr => choice.color.for_stderr(),
        Format::Human => choice.color.for_stdout(),
    };
    let stream = if on_stderr {
        Stream::Stderr
    } else {
        Stream::Stdout
    };
    let columns = std::env::var_os("COLUMNS");
    let opts = ReportOptions {
        format: choice.format,
        show_secrets: choice.show_secrets,
        color,
        quiet: choice.quiet,
        verbose: choice.verbose,
        exposure: choice.exposure,
        surface: choice.surface,
        width: width::columns(columns.as_deref(), width::terminal_width(stream)),
    };
    let kind = match (choice.format, choice.surface) {
        (Format::Human, Surface::Server) => Writer::Plain,
        (Format::Human, _) => Writer::Human,
        (Format::Json | Format::Sarif | Format::Jsonl, _) => Writer::Document,
    };
    let plain_problems = choice.surface == Surface::Server;
    Box::new(Collected {
        opts,
        stream,
        kind,
        plain_problems,
        findings: Vec::new(),
        problems: Vec::new(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writer {
    Human,
    Plain,
    Document,
}

/// The reports collect the findings (guidance and summaries follow them,
/// and the documents are written whole) and show problems as they come.
struct Collected {
    opts: ReportOptions,
    stream: Stream,
    kind: Writer,
    plain_problems: bool,
    findings: Vec<Finding>,
    problems: Vec<Problem>,
}

impl Report for Collected {
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn problem(&mut self, problem: Problem) {
        let shown = self.problems.len();
        let mut err = io::stderr().lock();
        let _ = problems::show(&mut err, &problem, shown, self.plain_problems);
        self.problems.push(problem);
    }

    fn finish(&mut self, stats: &Stats) -> io::Result<()> {
        let _ = problems::show_rest(&mut io::stderr().lock(), self.problems.len());
        let written = match self.stream {
            Stream::Stdout => self.write(&mut io::stdout().lock(), stats),
            Stream::Stderr => self.write(&mut io::stderr().lock(), stats),
        };
        match written {
            Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(err),
            _ => Ok(()),
        }
    }
}

impl Collected {
    fn write(&self, out: &mut dyn io::Write, stats: &Stats) -> io::Result<()> {
        let mut out = io::BufWriter::new(out);
        match self.kind {
            Writer::Human => human::write(&mut out, &self.findings, stats, &self.opts)?,
            Writer::Plain => {
                // A run that could not finish says so instead of "nothing
                // found"; what it did find is still shown.
                if !self.findings.is_empty() || self.problems.is_empty() {
                    plain::write(&mut out, &self.findings, stats, &self.opts)?;
                }
            }
            Writer::Document => {
                write_with_problems(&mut out, &self.findings, &self.problems, stats, &self.opts)?
            }
        }
        out.flush()
    }
}

/// The process exit code for a report: 0 when nothing was found, 1 when
/// there are findings (the hook blocks). Errors (exit 2) are the caller's.
pub fn exit_code(findings: &[Finding]) -> u8 {
    if findings.is_empty() { 0 } else { 1 }
}

/// Hand a run's findings and problems to `report`, then finish it.
pub fn send(
    report: &mut dyn Report,
    findings: Vec<Finding>,
    problems: Vec<Problem>,
    stats: &Stats,
) -> io::Result<()> {
    for problem in problems {
        report.problem(problem);
    }
    for finding in findings {
        report.finding(finding);
    }
    report.finish(stats)
}

#[cfg(test)]
mod tests {
    use super::{Format, exit_code};
    use crate::finding::{Confidence, Finding, Kind};
    use clap::ValueEnum;

    #[test]
    fn exit_code_is_one_with_findings() {
        assert_eq!(exit_code(&[]), 0);
        let finding = Finding {
            rule_id: "intercom-access-token",
            kind: Kind::AccessToken,
            confidence: Confidence::High,
            path: b"a".to_vec(),
            line: None,
            column: None,
            commit: None,
            fingerprint: String::new(),
            secret: b"x".to_vec(),
            line_text: None,
            line_offset: 0,
            mask: Vec::new(),
            still_present: None,
            source: crate::finding::SourceKind::File,
            verification: None,
        };
        assert_eq!(exit_code(&[finding]), 1);
    }

    #[test]
    fn formats_parse_from_the_command_line() {
        assert_eq!(Format::from_str("human", false), Ok(Format::Human));
        assert_eq!(Format::from_str("json", false), Ok(Format::Json));
        assert!(Format::from_str("xml", false).is_err());
    }
}
