//! The command line (clap derive). Only parsing lives here; see
//! [`super::run`] for what each subcommand does.
//!
//! `--format` is a global flag (it goes before or after the subcommand), and
//! [`Command::formats`] is the one table of the formats each subcommand
//! writes: [`Cli::try_parse_checked_from`] refuses any other as a usage
//! error (exit 2), so no report is ever silently written in another format.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::redact::scrub_quote;
pub use crate::report::ColorChoice;
use crate::report::Format;

/// Keeps Intercom credentials out of git.
///
/// Exit status: 0 nothing found, 1 findings (a hook blocks), 2 usage,
/// configuration or git error.
#[derive(Debug, Parser)]
#[command(name = "intercom-guard", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, folders (honouring .gitignore) or stdin (`-`).
    Scan {
        /// Files or folders to scan; `-` reads stdin.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Scan the lines added by the staged change (index vs HEAD); for a
    /// pre-commit hook.
    PreCommit,
    /// Sweep the history: every blob reachable from any ref (branches,
    /// tags, remotes, notes, stash), read once; each secret is reported
    /// where it entered (commit, author, date, path, line) and whether it
    /// is still at the tip of the default branch.
    History {
        /// Limit the sweep to commits as `git rev-list` selects them:
        /// `main~10..main`, `v1.0..`, `A...B`, `^A B`.
        #[arg(value_name = "REV", conflicts_with = "all_objects")]
        revs: Vec<String>,
        /// Read every object of the database, reachable or not (dangling
        /// commits stay fetchable by id on many hosts).
        #[arg(long)]
        all_objects: bool,
        /// Write the findings as a baseline (the JSON report, secrets
        /// redacted) to FILE and exit 0; `--baseline FILE` then accepts them.
        #[arg(long, value_name = "FILE")]
        baseline_out: Option<PathBuf>,
        /// Incremental: read the state FILE (if there) and read only what
        /// is new since it (the commits its tips do not reach, the blobs it
        /// did not judge), report only new findings, then record the new
        /// state there. A file that is not a state file is an error.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["revs", "all_objects", "baseline_out"])]
        state: Option<PathBuf>,
        /// With `--state`: also report the findings known from previous runs.
        #[arg(long, requires = "state")]
        all_findings: bool,
    },
    /// Sweep many repositories: the history of each repository of LIST
    /// (one local clone or mirror per line, optionally a tab and a name),
    /// its reports and incremental state in DIR, and DIR/summary.json. A
    /// rerun skips the repositories whose refs did not move and reads only
    /// what is new in the others.
    Sweep {
        /// The list of repositories: one path per line, or PATH<TAB>NAME
        /// (the name is what shards and slugs are made of); `#` comments.
        #[arg(long, value_name = "LIST")]
        repos: PathBuf,
        /// The folder for the results (created if missing); needed unless
        /// `--list-shard`.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Sweep only shard I of N (I from 0, as Kubernetes'
        /// JOB_COMPLETION_INDEX): the repositories whose stable hash of the
        /// name (or path) falls in slot I.
        #[arg(long, value_name = "I/N", value_parser = parse_shard)]
        shard: Option<crate::sweep::shard::Shard>,
        /// Print the lines of LIST that shard I of N takes, and exit (the
        /// repositories a job must mirror first).
        #[arg(long, value_name = "I/N", value_parser = parse_shard, conflicts_with_all = ["shard", "out", "jobs", "all_findings"])]
        list_shard: Option<crate::sweep::shard::Shard>,
        /// How many repositories to sweep at once (each spreads its scan
        /// over every core).
        #[arg(long, value_name = "J", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        jobs: u16,
        /// Report the findings known from previous runs too (each
        /// repository's report then lists all of them).
        #[arg(long)]
        all_findings: bool,
    },
    /// Scan the commits a push brings that the server does not have yet;
    /// for a server's pre-receive hook (reads git's stdin).
    PreReceive {
        /// When the check itself fails (unreadable object, bad stdin), let
        /// the push through with a warning instead of refusing it (exit 2).
        #[arg(long)]
        fail_open: bool,
    },
    /// Scan the commits about to be pushed that the remote does not have;
    /// for a pre-push hook (reads git's stdin, or the pre-commit
    /// framework's PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF).
    PrePush {
        /// The remote's name, as git passes it to the hook.
        #[arg(value_name = "REMOTE")]
        remote: Option<String>,
        /// The remote's URL, as git passes it to the hook.
        #[arg(value_name = "URL")]
        url: Option<String>,
    },
    /// Write a hook into the repository's hooks folder (core.hooksPath when
    /// set); a hook already there is kept and runs first, a hook manager's
    /// is left alone (add intercom-guard to its configuration instead).
    ///
    /// The hook runs $INTERCOM_GUARD_BIN if set, else intercom-guard on
    /// PATH, else this binary (its path is recorded in the hook), for git
    /// clients whose PATH is short.
    Install {
        /// Which hook; default: pre-commit, or pre-receive in a bare
        /// repository.
        #[arg(long, value_enum)]
        hook: Option<HookName>,
        /// Replace an existing hook that is not intercom-guard's instead of
        /// running it first (it is moved aside to
        /// `<hook>.intercom-guard-backup` and no longer runs).
        #[arg(long)]
        force: bool,
    },
    /// Check the repository against the security checklist: .gitignore,
    /// tracked .env files, secrets at HEAD, hooks, configuration, and
    /// credentials of the environment written into the repository.
    Doctor,
    /// Print the effective configuration and where each value came from.
    Config {
        /// Whose configuration to show: `laptop` (scan, pre-commit,
        /// pre-push), `server` (pre-receive) or `history`.
        #[arg(long, value_enum, default_value = "laptop")]
        mode: ConfigMode,
    },
    /// Print a shell completion script, generated from this command line.
    ///
    /// bash: `intercom-guard completions bash >
    /// ~/.local/share/bash-completion/completions/intercom-guard`; zsh: into
    /// a folder of `$fpath` as `_intercom-guard`; fish: `intercom-guard
    /// completions fish > ~/.config/fish/completions/intercom-guard.fish`;
    /// PowerShell: `intercom-guard completions powershell | Out-String |
    /// Invoke-Expression` in `$PROFILE`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from this command line.
    ///
    /// `intercom-guard man > ~/.local/share/man/man1/intercom-guard.1`, then
    /// `man intercom-guard`.
    Man,
    /// Print everything to do about one kind of secret: the first steps for
    /// wherever it leaked, the rotation steps in full, and how to accept a
    /// finding that is no secret.
    Explain {
        /// The kind, as reports name it: access_token, webhook_secret,
        /// identity_secret, client_secret or api_key (or a rule id).
        #[arg(value_name = "KIND")]
        kind: String,
    },
}

/// `config --mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigMode {
    Laptop,
    Server,
    History,
}

/// Flags every subcommand takes, before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Report format. `doctor` and `config` write human or json,
    /// `install` only human.
    #[arg(long, value_enum, default_value = "human", global = true)]
    pub format: Format,

    /// Print secrets in full instead of redacted.
    #[arg(long, global = true)]
    pub show_secrets: bool,

    /// Print nothing when nothing is found.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// In a laptop hook (pre-commit, pre-push), also say when nothing is
    /// found; a hook is silent then by default.
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,

    /// When to use colours: `auto` means on a terminal, unless NO_COLOR is set.
    #[arg(long, value_enum, default_value = "auto", global = true)]
    pub color: ColorChoice,

    /// Also report documentation-example tokens (low confidence).
    #[arg(long, global = true)]
    pub strict: bool,

    /// Configuration file to use instead of `.intercom-guard.yaml` at the
    /// root of the work tree (on a server: instead of
    /// `git config intercom-guard.config`).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Accept the findings of this JSON report (a baseline), by
    /// fingerprint; replaces the configuration's `baseline`.
    #[arg(long, value_name = "FILE", global = true)]
    pub baseline: Option<PathBuf>,

    /// Ask Intercom's API whether each access token found still works, and
    /// whose it is (`GET /me`, the token sent to Intercom only, once per
    /// run); the report and the guidance say live, revoked or unknown. Never
    /// changes the exit code. `pre-receive` verifies only when the server's
    /// configuration sets `verify: true`.
    #[arg(long, global = true)]
    pub verify: bool,
}

pub use crate::install::HookName;

impl Command {
    /// The report formats this subcommand writes; `--format` must be one of
    /// them (`human`, the default, always is).
    pub fn formats(&self) -> &'static [Format] {
        match self {
            Command::History { .. } => &[Format::Human, Format::Json, Format::Sarif, Format::Jsonl],
            Command::Sweep { .. } => &[Format::Human, Format::Json, Format::Jsonl],
            Command::Scan { .. }
            | Command::PreCommit
            | Command::PreReceive { .. }
            | Command::PrePush { .. } => &[Format::Human, Format::Json, Format::Sarif],
            Command::Doctor | Command::Config { .. } => &[Format::Human, Format::Json],
            Command::Install { .. } | Command::Explain { .. } => &[Format::Human],
            Command::Completions { .. } | Command::Man => &[Format::Human],
        }
    }
}

/// `I/N` as a shard (clap's value parser).
fn parse_shard(text: &str) -> Result<crate::sweep::shard::Shard, String> {
    text.parse()
        .map_err(|e: crate::sweep::shard::ShardError| e.to_string())
}

impl Cli {
    /// Parse the process's arguments; on a usage error (including a
    /// `--format` the subcommand does not write) print it as clap does and
    /// exit 2, with any secret it quotes redacted ([`exit_redacted`]).
    pub fn parse_checked() -> Cli {
        Cli::try_parse_checked_from(std::env::args_os()).unwrap_or_else(|err| exit_redacted(&err))
    }

    /// [`Cli::try_parse_from`], then `--format` against [`Command::formats`].
    pub fn try_parse_checked_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        // The derived command accepts exactly what the shaped one accepts
        // (a hidden flag is still accepted; `--format` is checked against
        // the subcommand below): an argument list it takes is parsed at a
        // third of the cost, which every hook pays on every commit.
        let mut plain = <Cli as clap::CommandFactory>::command();
        if let Ok(matches) = plain.try_get_matches_from_mut(args.iter().cloned())
            && let Ok(cli) = Cli::from_arg_matches(&matches)
            && cli.command.formats().contains(&cli.common.format)
        {
            return Ok(cli);
        }
        // Help, a usage error or a refused format: the shaped command, where
        // each subcommand lists (and completes) only the common flags it
        // takes, says it.
        let mut cmd = super::help::command();
        let matches = cmd.try_get_matches_from_mut(args)?;
        let cli = Cli::from_arg_matches(&matches).map_err(|err| err.format(&mut cmd))?;
        let allowed = cli.command.formats();
        if allowed.contains(&cli.common.format) {
            return Ok(cli);
        }
        let name = matches.subcommand_name().unwrap_or_default();
        let sub = cmd.find_subcommand(name).unwrap_or(&cmd);
        Err(format_refused(sub, name, cli.common.format, allowed))
    }
}

/// Print clap's error and exit with its code (2 for a usage error, 0 for
/// `--help`). clap echoes the argument it refuses, which may be a pasted
/// token: when its text holds a secret or a long random-looking value
/// ([`scrub_quote`]), that text is printed, redacted and without colour;
/// otherwise clap prints it as usual.
fn exit_redacted(err: &clap::Error) -> ! {
    let plain = err.render().to_string();
    let shown = scrub_quote(&plain);
    if shown == plain {
        err.exit()
    }
    let _ = if err.use_stderr() {
        write!(std::io::stderr().lock(), "{shown}")
    } else {
        write!(std::io::stdout().lock(), "{shown}")
    };
    std::process::exit(err.exit_code())
}

/// The usage error for `--format` with a format `subcommand` does not write,
/// worded and shown like clap's own "invalid value" error.
fn format_refused(
    cmd: &clap::Command,
    subcommand: &str,
    format: Format,
    allowed: &[Format],
) -> clap::Error {
    let name = |f: &Format| {
        f.to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_owned())
    };
    let arg = cmd
        .get_arguments()
        .find(|a| a.get_id() == "format")
        .map_or_else(|| "--format <FORMAT>".to_owned(), ToString::to_string);
    let mut err = clap::Error::new(ErrorKind::InvalidValue).with_cmd(cmd);
    err.insert(ContextKind::InvalidArg, ContextValue::String(arg));
    err.insert(
        ContextKind::InvalidValue,
        ContextValue::String(name(&format)),
    );
    err.insert(
        ContextKind::ValidValue,
        ContextValue::Strings(allowed.iter().map(name).collect()),
    );
    err.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![
            format!(
                "`{subcommand}` writes its report as {}, not {}",
                allowed.iter().map(name).collect::<Vec<_>>().join(" or "),
                name(&format)
            )
            .into(),
        ]),
    );
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn common_flags_go_before_or_after_the_subcommand() {
        let cli =
            Cli::try_parse_from(["ig", "--format", "json", "scan", "-", "--show-secrets"]).unwrap();
        assert_eq!(cli.common.format, Format::Json);
        assert!(cli.common.show_secrets);
        assert!(
            matches!(cli.command, Command::Scan { ref paths } if paths == &[PathBuf::from("-")])
        );
    }

    #[test]
    fn scan_needs_a_path_and_pre_commit_takes_none() {
        assert!(Cli::try_parse_from(["ig", "scan"]).is_err());
        assert!(Cli::try_parse_from(["ig", "pre-commit", "file"]).is_err());
        assert!(Cli::try_parse_from(["ig", "pre-commit", "--strict", "--quiet"]).is_ok());
    }

    #[test]
    fn config_and_baseline_are_common_flags() {
        let cli = Cli::try_parse_from([
            "ig",
            "--config",
            "c.yaml",
            "pre-commit",
            "--baseline",
            "b.json",
        ])
        .unwrap();
        assert_eq!(cli.common.config, Some(PathBuf::from("c.yaml")));
        assert_eq!(cli.common.baseline, Some(PathBuf::from("b.json")));
        let cli = Cli::try_parse_from(["ig", "config", "--mode", "server"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Config {
                mode: ConfigMode::Server
            }
        ));
        assert!(Cli::try_parse_from(["ig", "doctor"]).is_ok());
    }

    #[test]
    fn a_format_the_subcommand_does_not_write_is_a_usage_error() {
        use clap::error::ErrorKind;
        let parse = |args: &[&str]| Cli::try_parse_checked_from(args.iter().copied());
        for args in [
            &["ig", "doctor", "--format", "sarif"][..],
            &["ig", "--format", "sarif", "doctor"],
            &["ig", "config", "--format", "sarif", "--mode", "server"],
            &["ig", "install", "--format", "json"],
            &["ig", "--format", "sarif", "install", "--hook", "pre-push"],
        ] {
            let err = parse(args).expect_err(&args.join(" "));
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{args:?}");
            assert_eq!(err.exit_code(), 2, "{args:?}");
            let text = err.to_string();
            assert!(text.contains("for '--format <FORMAT>'"), "{text}");
            assert!(text.contains("[possible values: human"), "{text}");
        }
        let err = parse(&["ig", "doctor", "--format", "sarif"]).unwrap_err();
        assert!(
            err.to_string().contains("[possible values: human, json]"),
            "{err}"
        );

        // What each subcommand writes is accepted, before or after it.
        for args in [
            &["ig", "doctor", "--format", "json"][..],
            &["ig", "--format", "json", "config"],
            &["ig", "install"],
            &["ig", "install", "--format", "human"],
            &["ig", "scan", "-", "--format", "sarif"],
            &["ig", "--format", "sarif", "history"],
            &["ig", "pre-commit", "--format", "sarif"],
            &["ig", "pre-push", "--format", "json"],
            &["ig", "pre-receive", "--format", "sarif"],
        ] {
            let cli = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(cli.command.formats().contains(&cli.common.format));
        }
        // Other usage errors are clap's, as before.
        assert_eq!(
            parse(&["ig", "doctor", "--format", "xml"])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidValue
        );
        assert!(parse(&["ig", "scan"]).is_err());
    }

    #[test]
    fn every_subcommand_writes_human() {
        for args in [
            &["ig", "scan", "-"][..],
            &["ig", "pre-commit"],
            &["ig", "history"],
            &["ig", "pre-receive"],
            &["ig", "pre-push"],
            &["ig", "install"],
            &["ig", "doctor"],
            &["ig", "config"],
            &["ig", "completions", "bash"],
            &["ig", "man"],
            &["ig", "explain", "access_token"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert_eq!(cli.common.format, Format::Human);
            assert!(cli.command.formats().contains(&Format::Human), "{args:?}");
        }
    }

    #[test]
    fn colour_follows_the_terminal_and_no_color() {
        use std::ffi::OsStr;
        assert!(ColorChoice::Auto.enabled(true, None));
        assert!(ColorChoice::Auto.enabled(true, Some(OsStr::new(""))));
        assert!(!ColorChoice::Auto.enabled(true, Some(OsStr::new("1"))));
        assert!(!ColorChoice::Auto.enabled(false, None));
        assert!(ColorChoice::Always.enabled(false, Some(OsStr::new("1"))));
        assert!(!ColorChoice::Never.enabled(true, None));
    }
}
