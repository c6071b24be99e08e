//! The configuration in the push modes: a baseline and allowlists in
//! `pre-push` (the laptop's file) and `pre-receive` (only the server's file;
//! a pushed `.intercom-guard.yaml` cannot allowlist the push).

mod common;
mod support_push;

use common::{Repo, lines, token};
use support_push::{Server, push};

const ZERO: &str = "0000000000000000000000000000000000000000";

/// Run `pre-push origin URL` for pushing `main` to a new remote branch.
fn pre_push(repo: &Repo, extra: &[&str]) -> common::Run {
    let head = repo.head();
    let input = format!("refs/heads/main {head} refs/heads/main {ZERO}\n");
    let mut args = vec!["pre-push", "--format", "json"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["origin", "https://example.com/app.git"]);
    repo.guard_stdin(&args, input.as_bytes())
}

#[test]
fn pre_push_honours_the_baseline_and_allow_paths_of_the_work_tree() {
    let repo = Repo::new();
    let old = token();
    repo.write("config.env", format!("INTERCOM_ACCESS_TOKEN={old}\n"));
    repo.write("tests/fixtures/t.env", format!("TOKEN={}\n", token()));
    repo.commit_all("old secrets");

    let run = pre_push(&repo, &[]);
    run.assert_code(1);
    assert_eq!(run.findings().len(), 2, "{run:?}");
    // The report of this push becomes the baseline (a history sweep's
    // report works the same way).
    repo.write(".guard/baseline.json", &run.stdout);
    pre_push(&repo, &["--baseline", ".guard/baseline.json"]).assert_code(0);

    repo.write(
        ".intercom-guard.yaml",
        "allow:\n  paths: [\"tests/fixtures/**\"]\n",
    );
    let run = pre_push(&repo, &[]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["path"], "config.env");

    repo.write(
        ".intercom-guard.yaml",
        "allow:\n  paths: [\"tests/fixtures/**\"]\nbaseline: .guard/baseline.json\n",
    );
    pre_push(&repo, &[]).assert_code(0);

    // A new secret still blocks.
    repo.write("b.env", format!("INTERCOM_CLIENT_SECRET={}\n", token()));
    repo.commit_all("new");
    let run = pre_push(&repo, &[]);
    run.assert_code(1);
    assert_eq!(run.findings().len(), 1);
}

#[test]
fn pre_receive_uses_the_servers_baseline_and_never_the_pushed_config() {
    let repo = Repo::new();
    let server = Server::new(&repo);
    server.install_hook("");
    repo.write("README.md", "app\n");
    repo.commit_all("init");
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);

    // The push tries to allowlist itself: refused all the same.
    let old = token();
    repo.write(
        ".intercom-guard.yaml",
        lines(&["allow:", "  paths: [\"**\"]", "inline_allow: true"]),
    );
    repo.write(
        "app.env",
        format!("INTERCOM_ACCESS_TOKEN={old}  # intercom-guard:allow\n"),
    );
    repo.commit_all("self-allowlisted");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");

    // The server accepts it once its own baseline lists it.
    let report = repo.guard(&["scan", "app.env", "--format", "json"]);
    report.assert_code(0); // the laptop honours the marker…
    let report = repo.guard(&[
        "scan",
        "app.env",
        "--format",
        "json",
        "--config",
        "/dev/null",
    ]);
    report.assert_code(0); // …even with an empty configuration
    std::fs::write(repo.path().join("strict.yaml"), "inline_allow: false\n").unwrap();
    let report = repo.guard(&[
        "scan",
        "app.env",
        "--format",
        "json",
        "--config",
        "strict.yaml",
    ]);
    report.assert_code(1);
    std::fs::write(server.path.join("accepted.json"), &report.stdout).unwrap();
    std::fs::write(
        server.path.join("guard.yaml"),
        "# the server's policy\nbaseline: accepted.json\n",
    )
    .unwrap();
    assert_eq!(
        server
            .git(&repo, &["config", "intercom-guard.config", "guard.yaml"])
            .code,
        0
    );
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");

    // Another secret in the next push is refused.
    repo.write("b.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.commit_all("new secret");
    assert_ne!(push(&repo, &["origin", "main"]).code, 0);
}

#[test]
fn history_reads_the_work_tree_file_or_only_config_on_a_bare_repository() {
    let repo = Repo::new();
    repo.write(
        ".intercom-guard.yaml",
        "allow:\n  paths: [\"fixtures/**\"]\n",
    );
    repo.write(
        "fixtures/a.env",
        format!("INTERCOM_ACCESS_TOKEN={}\n", token()),
    );
    repo.write("src/b.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.commit_all("two secrets");
    let run = repo.guard(&["history", "--format", "json"]);
    run.assert_code(1);
    let paths: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths, ["src/b.env"]);

    // A bare mirror has no work tree: the committed file is not read…
    let mirror = repo.path().parent().unwrap().join("mirror.git");
    repo.git(&["clone", "-q", "--bare", ".", mirror.to_str().unwrap()]);
    let in_mirror = |args: &[&str]| {
        repo.guard_with(args, |c| {
            c.current_dir(&mirror);
        })
    };
    let run = in_mirror(&["history", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(run.findings().len(), 2, "{run:?}");
    // …only `--config` is.
    let config = repo.path().join(".intercom-guard.yaml");
    let run = in_mirror(&[
        "history",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]);
    run.assert_code(1);
    assert_eq!(run.findings().len(), 1, "{run:?}");
}
