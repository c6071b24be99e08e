//! What each subcommand lists in its `--help`, its completions and the man
//! page: its own options, and those of the common flags it takes.
//!
//! The common flags are global (they go before or after the subcommand),
//! so clap would list every one of them under every subcommand: `--strict`
//! and `--baseline` under `install`, `sarif` as a format of `doctor`.
//! [`command`] gives each subcommand its own copy of every common flag
//! (clap then propagates nothing more to it), hidden where the subcommand
//! does not use it, and with `--format` offering only the formats the
//! subcommand writes ([`Command::formats`], the one table of those). A
//! hidden flag is still accepted, so a shared argument list keeps working.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
use clap::{Arg, CommandFactory as _, Parser as _, ValueEnum as _};

use super::args::{Cli, Command};
use crate::report::Format;

/// Every common flag, by its id.
const ALL: &[&str] = &[
    "format",
    "show_secrets",
    "quiet",
    "verbose",
    "color",
    "strict",
    "config",
    "baseline",
    "verify",
];

/// The scans other than the laptop hooks: every common flag but
/// `--verbose` (only a laptop hook is silent when clean).
const SCANS: &[&str] = &[
    "format",
    "show_secrets",
    "quiet",
    "color",
    "strict",
    "config",
    "baseline",
    "verify",
];

/// The server's hook: the scans' flags but `--verify` (only the server's
/// configuration turns verification on there).
const SERVER: &[&str] = &[
    "format",
    "show_secrets",
    "quiet",
    "color",
    "strict",
    "config",
    "baseline",
];

/// The common flags each subcommand takes (reads), by its name.
const TAKES: &[(&str, &[&str])] = &[
    ("scan", SCANS),
    ("pre-commit", ALL),
    ("history", SCANS),
    // Like `history`, without `--verify` (the server's set): a sweep of
    // many repositories does not send every token it meets to Intercom.
    ("sweep", SERVER),
    ("pre-receive", SERVER),
    ("pre-push", ALL),
    // The report is one line; `--color` is for a diagnostic.
    ("install", &["format", "color"]),
    // Settings (config, baseline, strict) and the report; no secret is
    // printed, and every item prints.
    (
        "doctor",
        &["format", "color", "strict", "config", "baseline"],
    ),
    (
        "config",
        &["format", "color", "strict", "config", "baseline"],
    ),
    ("completions", &[]),
    ("man", &[]),
    ("explain", &[]),
];

/// The command line as it is parsed and documented.
pub(super) fn command() -> clap::Command {
    shaped(Cli::command(), true)
}

/// The command line for completion scripts: a common flag a subcommand
/// does not take is not there at all (bash's script from clap_complete
/// would offer a hidden one), and the top level's flags are not global.
pub(super) fn for_completions() -> clap::Command {
    shaped(Cli::command(), false).mut_args(|a| a.global(false))
}

/// Each subcommand gets its own copy of every common flag it takes, and a
/// hidden copy of the others when `keep_hidden`.
fn shaped(mut cmd: clap::Command, keep_hidden: bool) -> clap::Command {
    let common: Vec<Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let Some(takes) = takes(&name) else {
            continue;
        };
        let formats = cmd
            .find_subcommand(&name)
            .map_or(ALL_FORMATS, |sub| formats_of(&cmd, sub));
        cmd = cmd.mut_subcommand(&name, |mut sub| {
            for arg in &common {
                let id = arg.get_id().as_str();
                let arg = if !takes.contains(&id) {
                    if !keep_hidden {
                        continue;
                    }
                    arg.clone().hide(true)
                } else if id == "format" {
                    offering(arg.clone(), formats)
                } else {
                    arg.clone()
                };
                sub = sub.arg(arg);
            }
            sub
        });
    }
    cmd
}

const ALL_FORMATS: &[Format] = &[Format::Human, Format::Json, Format::Sarif, Format::Jsonl];

/// The common flags `subcommand` takes; `None` for one not in the table
/// (clap's `help`), which keeps them all.
fn takes(subcommand: &str) -> Option<&'static [&'static str]> {
    TAKES
        .iter()
        .find(|(name, _)| *name == subcommand)
        .map(|(_, takes)| *takes)
}

/// `--format` offering only `formats`: listed in the help, completed, and
/// a usage error for any other (after the subcommand; before it, the parser
/// of the top level reads it and [`Cli::try_parse_checked_from`] refuses it).
fn offering(arg: Arg, formats: &'static [Format]) -> Arg {
    let values: Vec<PossibleValue> = formats
        .iter()
        .filter_map(|f| f.to_possible_value())
        .collect();
    arg.value_parser(PossibleValuesParser::new(values).try_map(|s| Format::from_str(&s, false)))
        .help("Report format")
        .long_help(None::<&str>)
}

/// The formats `sub` writes, asked of [`Command::formats`] for the
/// subcommand parsed with placeholder values for its required arguments
/// (the first possible value where it has some), so that table stays the
/// only one.
fn formats_of(cli: &clap::Command, sub: &clap::Command) -> &'static [Format] {
    let mut argv = vec![cli.get_name().to_owned(), sub.get_name().to_owned()];
    for arg in sub.get_arguments().filter(|a| a.is_required_set()) {
        if let Some(long) = arg.get_long() {
            argv.push(format!("--{long}"));
        }
        if arg.get_action().takes_values() {
            let value = arg
                .get_possible_values()
                .first()
                .map_or_else(|| "x".to_owned(), |v| v.get_name().to_owned());
            argv.push(value);
        }
    }
    Cli::try_parse_from(argv).map_or(ALL_FORMATS, |cli| Command::formats(&cli.command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shaped_command_line_is_consistent() {
        command().debug_assert();
        for_completions().debug_assert();
    }

    #[test]
    fn every_subcommand_has_a_row_of_the_common_flags_it_takes() {
        for sub in Cli::command().get_subcommands() {
            let name = sub.get_name();
            let takes = takes(name).unwrap_or_else(|| panic!("`{name}` is not in TAKES"));
            assert!(takes.iter().all(|id| ALL.contains(id)), "{name}: {takes:?}");
        }
        let ids: Vec<String> = Cli::command()
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().to_string())
            .collect();
        assert_eq!(ids, ALL, "ALL lists every common flag");
    }

    fn help_of(name: &str) -> String {
        let mut cmd = command();
        cmd.build();
        cmd.find_subcommand_mut(name)
            .unwrap()
            .render_long_help()
            .to_string()
    }

    #[test]
    fn a_subcommand_lists_the_flags_and_formats_it_takes_only() {
        let install = help_of("install");
        assert!(install.contains("--hook"), "{install}");
        assert!(install.contains("--format"), "{install}");
        assert!(install.contains("--color"), "{install}");
        for other in [
            "--strict",
            "--baseline",
            "--show-secrets",
            "--quiet",
            "--config",
        ] {
            assert!(
                !install.contains(other),
                "install lists {other}:\n{install}"
            );
        }
        assert!(
            !install.contains("sarif") && !install.contains("json"),
            "{install}"
        );

        let doctor = help_of("doctor");
        assert!(
            doctor.contains("json") && !doctor.contains("sarif"),
            "{doctor}"
        );
        assert!(doctor.contains("--config") && !doctor.contains("--show-secrets"));

        let scan = help_of("scan");
        for flag in [
            "--format",
            "--show-secrets",
            "--quiet",
            "--color",
            "--strict",
            "--baseline",
        ] {
            assert!(scan.contains(flag), "scan lacks {flag}:\n{scan}");
        }
        assert!(scan.contains("sarif"), "{scan}");

        let man = help_of("man");
        assert!(
            !man.contains("--format") && !man.contains("--color"),
            "{man}"
        );
    }

    #[test]
    fn the_formats_offered_are_those_each_subcommand_writes() {
        let cli = Cli::command();
        let of = |name: &str| formats_of(&cli, cli.find_subcommand(name).unwrap());
        assert_eq!(
            of("scan"),
            [Format::Human, Format::Json, Format::Sarif],
            "a required PATH is filled in"
        );
        assert_eq!(of("history"), ALL_FORMATS);
        assert_eq!(
            of("sweep"),
            [Format::Human, Format::Json, Format::Jsonl],
            "a required LIST is filled in"
        );
        assert_eq!(of("install"), [Format::Human]);
        assert_eq!(of("doctor"), [Format::Human, Format::Json]);
        assert_eq!(
            of("completions"),
            [Format::Human],
            "a required SHELL is filled in"
        );
    }

    #[test]
    fn a_hidden_flag_is_still_accepted_and_a_format_not_written_is_refused() {
        let parse = |args: &[&str]| Cli::try_parse_checked_from(args.iter().copied());
        assert!(parse(&["ig", "install", "--quiet"]).is_ok());
        let err = parse(&["ig", "install", "--format", "json"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        assert_eq!(err.exit_code(), 2);
        let cli = parse(&["ig", "scan", "-", "--format", "sarif"]).unwrap();
        assert_eq!(cli.common.format, Format::Sarif);
        let cli = parse(&["ig", "doctor", "--format", "json"]).unwrap();
        assert_eq!(cli.common.format, Format::Json);
    }
}
