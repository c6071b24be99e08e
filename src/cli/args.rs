//! The command line (clap derive). Only parsing lives here; see
//! [`super::run`] for what each subcommand does.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// set); an existing hook that is not ours is never overwritten without
    /// --force, and then kept as a backup.
    Install {
        /// Which hook; default: pre-commit, or pre-receive in a bare
        /// repository.
        #[arg(long, value_enum)]
        hook: Option<HookName>,
        /// Replace an existing hook that is not intercom-guard's (it is
        /// moved aside to `<hook>.intercom-guard-backup`).
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
    /// Report format.
    #[arg(long, value_enum, default_value = "human", global = true)]
    pub format: Format,

    /// Print secrets in full instead of redacted.
    #[arg(long, global = true)]
    pub show_secrets: bool,

    /// Print nothing when nothing is found.
    #[arg(long, short, global = true)]
    pub quiet: bool,

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
}

/// `install --hook`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookName {
    PreCommit,
    PrePush,
    PreReceive,
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
