//! Diagnostics quote no secret and never panic: configuration and baseline
//! errors show the lines around the error with secrets (and long random
//! values) redacted, in the message too, in every mode that loads them
//! (scan, doctor's configuration item, a server's `remote:` lines); a line
//! of 100 kB or more is cut around the error instead of reaching miette's
//! renderer (which panics past column 65,535).

mod common;
mod support_push;

use common::{Repo, Run, Scratch, token};
use support_push::{Server, push, remote_lines};

/// A 40-hex value, as an unnamed webhook or identity secret looks.
const HEX_SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";

fn assert_no(run: &Run, secrets: &[&str]) {
    run.assert_no_panic();
    for secret in secrets {
        assert!(
            !run.all().contains(secret),
            "{secret} printed in full: {run:?}"
        );
    }
}

fn scan_with_config(config: &str) -> (Scratch, Run) {
    let scratch = Scratch::new();
    scratch.write("guard.yaml", config);
    scratch.write("clean.txt", "nothing here\n");
    let run = scratch.guard(&[
        "scan",
        "clean.txt",
        "--config",
        "guard.yaml",
        "--color",
        "never",
    ]);
    (scratch, run)
}

#[test]
fn a_token_pasted_into_the_configuration_is_not_quoted() {
    let tok = token();
    for config in [
        format!("allow:\n  fingerprints: [{tok}]\n"),
        format!("allow:\n  fingerprints: [\"{HEX_SECRET}\"]\n"),
        format!("detect:\n  extra_names: [\"{tok}\"]\n"),
        format!("inline_allow: {tok}\n"),
        format!("allow:\n  paths: [\"!{tok}\"]\n"),
    ] {
        let (_, run) = scan_with_config(&config);
        run.assert_code(2);
        assert_no(&run, &[&tok, HEX_SECRET]);
        assert!(run.all().contains("guard.yaml:"), "names the file: {run:?}");
        assert!(run.all().contains(" │ "), "quotes the line: {run:?}");
    }
}

#[test]
fn a_configuration_pointed_at_a_secrets_file_is_not_quoted() {
    let (t1, t2) = (token(), token());
    let (_, run) = scan_with_config(&format!(
        "# deploy settings\nA={t1} B={t2}\nINTERCOM_CLIENT_SECRET={HEX_SECRET}\n"
    ));
    run.assert_code(2);
    assert_no(&run, &[&t1, &t2, HEX_SECRET]);
    assert!(run.all().contains("A=dG9rO"), "the line is quoted: {run:?}");
}

#[test]
fn a_baseline_holding_a_token_is_not_quoted() {
    let tok = token();
    let scratch = Scratch::new();
    scratch.write("clean.txt", "nothing here\n");
    for (name, baseline) in [
        (
            "fingerprint.json",
            format!(
                "{{\"version\": 1,\n \"findings\": [{{\"fingerprint\": \"{tok}\", \"path\": \"a.env\"}}]}}\n"
            ),
        ),
        (
            "shape.json",
            format!("{{\"version\": 1, \"findings\": \"{tok}\"}}\n"),
        ),
        (
            "version.json",
            format!("{{\"version\": \"{tok}\", \"findings\": []}}\n"),
        ),
    ] {
        scratch.write(name, &baseline);
        let run = scratch.guard(&["scan", "clean.txt", "--baseline", name, "--color", "never"]);
        run.assert_code(2);
        assert_no(&run, &[&tok]);
        assert!(run.all().contains(name), "names the file: {run:?}");
    }
}

#[test]
fn doctor_quotes_no_secret_of_an_invalid_configuration() {
    let tok = token();
    let repo = Repo::new();
    repo.write(
        ".intercom-guard.yaml",
        format!("detect:\n  extra_names: [\"{tok}\"]\n"),
    );
    let run = repo.guard(&["doctor", "--color", "never"]);
    assert_no(&run, &[&tok]);
    assert!(run.stdout.contains("extra_names"), "{run:?}");
    let json = repo.guard(&["doctor", "--format", "json"]);
    assert_no(&json, &[&tok]);
}

#[test]
fn a_server_configuration_error_shows_no_secret_to_the_pusher() {
    let tok = token();
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    let config = server.path.join("guard.yaml");
    std::fs::write(&config, format!("detect:\n  extra_names: [\"{tok}\"]\n")).unwrap();
    server
        .git(
            &repo,
            &["config", "intercom-guard.config", config.to_str().unwrap()],
        )
        .assert_code(0);
    server.install_hook("");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_no(&run, &[&tok]);
    let relayed = remote_lines(&run).join("\n");
    assert!(relayed.contains("extra_names"), "{run:?}");
}

/// A run's output stays small: the long line was cut.
fn assert_bounded(run: &Run) {
    assert!(
        run.all().len() < 8 * 1024,
        "{} bytes of output",
        run.all().len()
    );
}

#[test]
fn huge_configuration_lines_are_cut_and_never_panic() {
    for config in [
        // An error past column 65,535 of a one-line document.
        format!("{{allow: {{paths: [a]}}, {}x: 1}}\n", " ".repeat(100_000)),
        // A 200k-character value where a mapping is expected.
        format!("allow: '{}'\n", "a".repeat(200_000)),
        // A long line above the error.
        format!("# {}\ninline_allow: 3\n", "b".repeat(100_000)),
    ] {
        let (_, run) = scan_with_config(&config);
        run.assert_code(2);
        assert_bounded(&run);
        assert!(run.all().contains("guard.yaml:"), "{run:?}");
    }
}

#[test]
fn a_huge_one_line_baseline_is_cut_and_never_panics() {
    let fingerprint = "0123456789abcdef".repeat(4);
    let entries = format!("{{\"fingerprint\": \"{fingerprint}\"}}, ").repeat(1500);
    let scratch = Scratch::new();
    scratch.write("clean.txt", "nothing here\n");
    scratch.write(
        "base.json",
        format!("{{\"version\": 1, \"findings\": [{entries}{{\"fingerprint\": 3}}]}}"),
    );
    let run = scratch.guard(&[
        "scan",
        "clean.txt",
        "--baseline",
        "base.json",
        "--color",
        "never",
    ]);
    run.assert_code(2);
    assert_bounded(&run);
    assert!(run.all().contains("base.json:1:"), "{run:?}");
}

#[test]
fn config_shows_a_secret_pasted_as_a_value_redacted() {
    let repo = Repo::new();
    let secret = token();
    // A valid glob and a valid name: the file loads, and `config` prints it.
    repo.write(
        ".intercom-guard.yaml",
        format!("allow:\n  paths: [\"{secret}\"]\n"),
    );
    for format in ["human", "json"] {
        let run = repo.guard(&["config", "--format", format]);
        run.assert_code(0);
        assert!(run.stdout.contains("allow.paths"), "{run:?}");
        assert_no(&run, &[&secret]);
    }
}
