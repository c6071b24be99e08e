//! What the binary says about itself: `--help` of each subcommand lists the
//! options it takes and points at nothing a user does not have,
//! `completions SHELL` prints a script for each shell, and `man` a roff
//! page, both generated from the parser, so every subcommand is in them.

mod common;

use common::{Run, Scratch};

/// The subcommands `intercom-guard --help` lists (clap's `help` aside).
fn subcommands(scratch: &Scratch) -> Vec<String> {
    let help = scratch.guard(&["--help"]);
    help.assert_code(0);
    let names: Vec<String> = help
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect();
    for expected in [
        "scan",
        "pre-commit",
        "install",
        "doctor",
        "completions",
        "man",
    ] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }
    names
}

/// Words in a help text that name a file of this repository (a checkout a
/// user installing the wheel never has).
fn repository_files(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || "()`'\",;".contains(c))
        .filter(|w| {
            w.ends_with(".md")
                || w.starts_with("hooks/")
                || w.starts_with("src/")
                || w.starts_with("tests/")
                || w.starts_with("packaging/")
        })
        .collect()
}

#[test]
fn help_points_at_no_file_of_the_repository_and_lists_what_each_takes() {
    let scratch = Scratch::new();
    let top = scratch.guard(&["--help"]);
    assert_eq!(repository_files(&top.stdout), Vec::<&str>::new());
    for name in subcommands(&scratch) {
        let help = scratch.guard(&[&name, "--help"]);
        help.assert_code(0);
        assert_eq!(
            repository_files(&help.stdout),
            Vec::<&str>::new(),
            "{name} --help"
        );
        assert!(help.stdout.contains("--help"), "{name}: {help:?}");
    }
    let install = scratch.guard(&["install", "--help"]).stdout;
    for takes in ["--hook", "--force", "--format", "--color"] {
        assert!(install.contains(takes), "install lacks {takes}:\n{install}");
    }
    for ignores in ["--strict", "--baseline", "--show-secrets", "--config"] {
        assert!(
            !install.contains(ignores),
            "install lists {ignores}:\n{install}"
        );
    }
    let doctor = scratch.guard(&["doctor", "--help"]).stdout;
    assert!(
        doctor.contains("json") && !doctor.contains("sarif"),
        "{doctor}"
    );
    let scan = scratch.guard(&["scan", "--help"]).stdout;
    for takes in [
        "--format",
        "--show-secrets",
        "--quiet",
        "--strict",
        "--baseline",
    ] {
        assert!(scan.contains(takes), "scan lacks {takes}:\n{scan}");
    }
}

fn completions(scratch: &Scratch, shell: &str) -> Run {
    let run = scratch.guard(&["completions", shell]);
    run.assert_code(0);
    assert!(!run.stdout.trim().is_empty(), "{shell}: empty");
    run
}

#[test]
fn completions_for_each_shell_offer_every_subcommand() {
    let scratch = Scratch::new();
    let names = subcommands(&scratch);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = completions(&scratch, shell).stdout;
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell} lacks {name}");
        }
    }
    let unknown = scratch.guard(&["completions", "tcsh"]);
    unknown.assert_code(2);
    assert!(unknown.stderr.contains("possible values"), "{unknown:?}");
}

/// bash reads the script (`bash -n`), and once sourced the function it
/// registers for `intercom-guard` (`complete -p`) offers the subcommands after `intercom-guard `, and only
/// install's own options after `intercom-guard install --`.
#[test]
fn the_bash_completion_script_is_valid_bash_and_completes() {
    let scratch = Scratch::new();
    let names = subcommands(&scratch);
    scratch.write("intercom-guard.bash", completions(&scratch, "bash").stdout);
    let syntax = scratch
        .command("bash")
        .args(["-n", "intercom-guard.bash"])
        .output()
        .expect("this test needs bash");
    assert!(syntax.status.success(), "{syntax:?}");

    let complete = |words: &str| -> Vec<String> {
        let script = format!(
            "source ./intercom-guard.bash\n\
             COMP_WORDS=({words})\n\
             COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
             COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
             COMP_POINT=${{#COMP_LINE}}\n\
             spec=$(complete -p intercom-guard)\n\
             spec=${{spec#*-F }}\n\
             \"${{spec%% *}}\" intercom-guard \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
        );
        let out = scratch
            .command("bash")
            .args(["--norc", "--noprofile", "-c", &script])
            .output()
            .expect("run bash");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let offered = complete("intercom-guard ''");
    for name in &names {
        assert!(offered.contains(name), "{name} not offered: {offered:?}");
    }
    let options = complete("intercom-guard install --");
    for takes in ["--hook", "--force", "--format", "--color"] {
        assert!(options.iter().any(|o| o == takes), "{takes}: {options:?}");
    }
    assert!(
        !options.iter().any(|o| o == "--strict"),
        "install does not take --strict: {options:?}"
    );
}

#[test]
fn man_prints_a_roff_page_with_every_subcommand() {
    let scratch = Scratch::new();
    let names = subcommands(&scratch);
    let run = scratch.guard(&["man"]);
    run.assert_code(0);
    let page = run.stdout;
    assert!(page.starts_with(".TH intercom-guard 1 "), "{page}");
    assert!(page.contains("\n.SH NAME\n"), "{page}");
    assert!(page.contains("\n.SH OPTIONS\n"), "{page}");
    for name in &names {
        assert!(
            page.contains(&format!("\n.SS \"intercom-guard {name}\"\n")),
            "no section for {name}"
        );
    }
    assert!(page.contains("\n.SH \"EXIT STATUS\"\n"), "{page}");
    // One page: no pointer to a page per subcommand.
    assert!(!page.contains("intercom\\-guard\\-install(1)"), "{page}");
    // Every line is roff text or a request, not a clap help screen.
    assert!(!page.contains("Usage:"), "{page}");
}
