//! The command line (clap derive). Only parsing lives here; see
//! [`super::run`] for what each subcommand does.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

/// Keeps Intercom credentials out of git.
///
/// Exit status: 0 nothing found, 1 findings (a hook blocks), 2 usage or git
/// error.
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
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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
