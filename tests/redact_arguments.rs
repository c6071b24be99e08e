//! A token given as a command-line argument is not echoed: clap's usage
//! errors (an invalid value, an unknown flag) and the errors of a run (a
//! `--config` or a path that cannot be read) show it redacted, and still
//! exit 2.

mod common;

use common::{Scratch, token};

/// A 40-hex value, as an unnamed webhook or identity secret looks.
const HEX_SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";

#[test]
fn usage_errors_do_not_echo_a_token() {
    let tok = token();
    let scratch = Scratch::new();
    scratch.write("a.txt", "clean\n");
    let flag = format!("--{tok}");
    let config = format!("{tok}.yaml");
    for args in [
        vec!["install", "--hook", tok.as_str()],
        vec!["install", "--hook", HEX_SECRET],
        vec!["--format", tok.as_str(), "scan", "a.txt"],
        vec!["scan", "a.txt", "--color", tok.as_str()],
        vec!["scan", "a.txt", flag.as_str()],
        vec!["config", "--mode", tok.as_str()],
        vec![tok.as_str()],
        vec!["scan", "a.txt", "--config", config.as_str()],
    ] {
        let run = scratch.guard(&args);
        run.assert_code(2);
        for secret in [tok.as_str(), HEX_SECRET] {
            assert!(!run.all().contains(secret), "{args:?} echoes it: {run:?}");
        }
        assert!(
            run.stderr.contains("error") || run.stderr.contains("×"),
            "{args:?} still says what is wrong: {run:?}"
        );
    }
}

#[test]
fn ordinary_usage_errors_are_unchanged() {
    let run = Scratch::new().guard(&["install", "--hook", "pre-comit"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("invalid value 'pre-comit' for '--hook <HOOK>'"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("'pre-commit'"),
        "the suggestion: {run:?}"
    );
    let help = Scratch::new().guard(&["--help"]);
    help.assert_code(0);
    assert!(help.stdout.contains("Usage:"), "{help:?}");
}
