//! `intercom-guard completions SHELL` and `intercom-guard man`: the shell
//! completions (clap_complete) and the manual page (clap_mangen), generated
//! from the command line itself ([`super::help`]), so they list exactly
//! what the parser takes.
//!
//! The man page is one page: the common options, then a section per
//! subcommand with its synopsis, description and options (clap_mangen's
//! own layout would point at one page per subcommand, which nobody has).

use std::io::{self, Write as _};

use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use super::CliError;

const BIN: &str = "intercom-guard";

pub(super) fn completions(shell: Shell) -> Result<u8, CliError> {
    let mut cmd = super::help::for_completions();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut script);
    if shell == Shell::Bash {
        script = bash_labels_fixed(&script);
    }
    print(&script)
}

/// clap_complete (4.6.12) spells a subcommand's state two ways in bash when
/// the binary's name has a hyphen: the loop reaches
/// `intercom__guard__subcmd__install`, the `case` waits for
/// `intercom__subcmd__guard__subcmd__install`, so nothing after a
/// subcommand ever completed (clap-rs/clap#6421). Spell the labels as the
/// loop does; once clap_complete does, this changes nothing.
fn bash_labels_fixed(script: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let wrong = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", BIN.replace('-', "__"));
    text.replace(&wrong, &right).into_bytes()
}

pub(super) fn man() -> Result<u8, CliError> {
    let mut page = Vec::new();
    render_man(&mut page).map_err(CliError::Output)?;
    print(&page)
}

fn print(bytes: &[u8]) -> Result<u8, CliError> {
    match io::stdout().lock().write_all(bytes) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(err)),
        _ => Ok(super::EXIT_CLEAN),
    }
}

/// The whole manual page, in roff.
fn render_man(w: &mut Vec<u8>) -> io::Result<()> {
    let mut cmd = super::help::command().disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;

    Roff::new().control("SH", ["COMMANDS"]).to_writer(w)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
        Roff::new().control("SS", [name]).to_writer(w)?;
        // The common options are described once, above: here their names.
        let common: Vec<String> = sub
            .get_arguments()
            .filter(|a| a.is_global_set() && !a.is_hide_set())
            .map(common_name)
            .collect();
        let own = sub
            .clone()
            .mut_args(|a| if a.is_global_set() { a.hide(true) } else { a });
        let sub_man = Man::new(own.clone());
        let mut part = Vec::new();
        sub_man.render_synopsis_section(&mut part)?;
        sub_man.render_description_section(&mut part)?;
        if own
            .get_arguments()
            .any(|a| !a.is_hide_set() && a.get_id() != "help")
        {
            sub_man.render_options_section(&mut part)?;
        }
        // Inside this subsection: the section headings the parts bring
        // become paragraph breaks.
        for line in part.split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b".SH ") {
                w.extend_from_slice(b".PP\n");
            } else {
                w.extend_from_slice(line);
            }
        }
        let takes = if common.is_empty() {
            "Takes none of the common options.".to_owned()
        } else {
            format!("Common options: {}.", common.join(", "))
        };
        Roff::new()
            .control("PP", [])
            .text([roman(takes)])
            .to_writer(w)?;
    }

    let mut exit = Roff::new();
    exit.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "nothing was found"),
        ("1", "something was found: the hook blocks"),
        (
            "2",
            "usage, configuration or git error (a hook blocks too: nothing was checked)",
        ),
    ] {
        exit.control("TP", [])
            .text([roman(code)])
            .text([roman(meaning)]);
    }
    exit.to_writer(w)?;
    man.render_version_section(w)?;
    *w = title_first(w);
    Ok(())
}

/// A common option as a subcommand takes it: `--format (human, json)`.
fn common_name(arg: &clap::Arg) -> String {
    let long = arg.get_long().unwrap_or_else(|| arg.get_id().as_str());
    if arg.get_id() == "format" {
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_owned())
            .collect();
        format!("--{long} ({})", values.join(", "))
    } else {
        format!("--{long}")
    }
}

/// The page with its `.TH` line first, and once after it the preamble
/// that each rendered part repeats (the definition of the `Aq` string).
fn title_first(page: &[u8]) -> Vec<u8> {
    const PREAMBLE: [&[u8]; 2] = [b".ie \\n(.g .ds Aq", b".el .ds Aq"];
    let mut title = Vec::new();
    let mut preamble: Vec<&[u8]> = Vec::new();
    let mut body = Vec::new();
    for line in page.split_inclusive(|&b| b == b'\n') {
        if PREAMBLE.iter().any(|p| line.starts_with(p)) {
            if !preamble.contains(&line) {
                preamble.push(line);
            }
        } else if line.starts_with(b".TH ") && title.is_empty() {
            title.extend_from_slice(line);
        } else {
            body.extend_from_slice(line);
        }
    }
    [title, preamble.concat(), body].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_man_page_has_a_section_for_every_subcommand_and_no_page_links() {
        let mut page = Vec::new();
        render_man(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with(".TH "), "{page}");
        for sub in super::super::help::command().get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            assert!(
                page.contains(&format!(".SS \"intercom-guard {}\"\n", sub.get_name())),
                "no section for {}:\n{page}",
                sub.get_name()
            );
        }
        assert!(!page.contains("(1)"), "points at another page:\n{page}");
        assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
    }
}
