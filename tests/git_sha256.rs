//! SHA-256 repositories (`git init --object-format=sha256`) in every git
//! mode, with the checks the SHA-1 tests make: pre-commit, pre-push, real
//! pushes into a SHA-256 bare server (small and "scan first" large ones),
//! and history, each commit id the full 64-hex id git gives.

mod common;
mod support_push;

use common::{Repo, Run, bin, token};
use support_push::{Server, fast_commits, push, remote_lines};

fn sha256_repo() -> Repo {
    let repo = Repo::init(&["--object-format=sha256"]);
    assert_eq!(
        repo.git(&["rev-parse", "--show-object-format"]).trim(),
        "sha256"
    );
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    assert_eq!(repo.head().len(), 64);
    repo
}

fn leak(secret: &str) -> String {
    format!("INTERCOM_ACCESS_TOKEN={secret}\n")
}

/// A SHA-256 work repository and a SHA-256 bare server with the hook.
fn setup(hook_args: &str) -> (Repo, Server) {
    let repo = sha256_repo();
    let server = Server::init(&repo, &["--object-format=sha256"]);
    server.install_hook(hook_args);
    (repo, server)
}

/// The JSON report the server's hook relayed.
fn relayed_json(run: &Run) -> serde_json::Value {
    let line = remote_lines(run)
        .into_iter()
        .find(|l| l.starts_with("{\"version\""))
        .unwrap_or_else(|| panic!("no JSON report relayed: {run:?}"));
    serde_json::from_str(&line).expect("JSON")
}

#[test]
fn pre_commit_blocks_a_staged_leak_and_passes_a_clean_change() {
    let secret = token();
    let repo = sha256_repo();
    repo.stage("src/app.js", "const token = process.env.TOKEN;\n");
    let run = repo.pre_commit_json();
    run.assert_code(0);
    assert_eq!(run.json()["stats"]["blobs"], 1, "{run:?}");

    repo.stage("app.env", leak(&secret));
    let run = repo.pre_commit_json();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{run:?}");
    assert_eq!(findings[0]["path"], "app.env");
    assert_eq!(findings[0]["line"], 1);
    assert!(!run.all().contains(&secret));
}

#[test]
fn pre_receive_refuses_a_leaking_push_and_accepts_a_clean_one() {
    let (repo, server) = setup("--format json");
    repo.write("src/app.js", "const token = process.env.TOKEN;\n");
    repo.commit_all("clean");
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "a clean push is accepted: {run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));

    let secret = token();
    repo.write("config/.env", leak(&secret));
    repo.commit_all("env");
    let head = repo.head();
    let before = server.rev(&repo, "refs/heads/main");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert_eq!(
        server.rev(&repo, "refs/heads/main"),
        before,
        "nothing lands"
    );
    let report = relayed_json(&run);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["path"], "config/.env");
    assert_eq!(findings[0]["commit"], head.as_str());
    assert!(!run.all().contains(&secret));

    // A new branch and a deletion: the null id is 64 zeros.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    push(&repo, &["origin", "main:refs/heads/side"]).assert_code(0);
    push(&repo, &["origin", ":refs/heads/side"]).assert_code(0);
    assert_eq!(server.rev(&repo, "refs/heads/side"), None);
}

#[test]
fn a_large_push_is_scanned_first_and_placed_on_hit() {
    let (repo, server) = setup("--format json");
    let secret = token();
    let ids = fast_commits(&repo, 300, |i| {
        (i == 37).then(|| ("deploy/secrets.env".to_owned(), leak(&secret)))
    });
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None, "nothing lands");
    let report = relayed_json(&run);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["commit"], ids[36].as_str());
    assert_eq!(ids[36].len(), 64);
    assert!(!run.all().contains(&secret));

    // The same history without the leak passes.
    let (clean, clean_server) = setup("");
    fast_commits(&clean, 300, |_| None);
    let run = push(&clean, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        clean_server.rev(&clean, "refs/heads/main"),
        Some(clean.head())
    );
}

#[test]
fn pre_push_blocks_a_leak_and_lets_a_clean_push_through() {
    let repo = sha256_repo();
    let server = Server::init(&repo, &["--object-format=sha256"]);
    repo.guard_with(&["install", "--hook", "pre-push"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    })
    .assert_code(0);
    let hooked = |args: &[&str]| {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        repo.git_run_with(&all, |c| {
            c.env("INTERCOM_GUARD_BIN", bin());
        })
    };
    let run = hooked(&["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));

    let secret = token();
    repo.write("app.env", leak(&secret));
    repo.commit_all("leak");
    let before = server.rev(&repo, "refs/heads/main");
    let run = hooked(&["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&secret));
    assert_eq!(server.rev(&repo, "refs/heads/main"), before);
}

#[test]
fn history_finds_a_leak_with_its_64_hex_commit() {
    let secret = token();
    let repo = sha256_repo();
    repo.write("app.env", leak(&secret));
    repo.commit_all("leak");
    let leaking = repo.head();
    repo.write("app.env", "INTERCOM_ACCESS_TOKEN=<set me>\n");
    repo.commit_all("remove");
    for args in [
        &["history", "--format", "json"][..],
        &["history", "--format", "json", "--all-objects"],
        &["history", "--format", "json", "HEAD~1..HEAD"],
        &["history", "--format", "json", "HEAD~2..HEAD"],
    ] {
        let run = repo.guard(args);
        if args.contains(&"HEAD~1..HEAD") {
            run.assert_code(0);
            continue;
        }
        run.assert_code(1);
        let findings = run.findings();
        assert_eq!(findings.len(), 1, "{args:?}: {run:?}");
        assert_eq!(findings[0]["commit"], leaking.as_str(), "{args:?}");
        assert_eq!(findings[0]["path"], "app.env");
        assert!(!run.all().contains(&secret));
    }
    let sarif = repo.guard(&["history", "--format", "sarif"]);
    sarif.assert_code(1);
    assert!(sarif.stdout.contains(&leaking), "{sarif:?}");
}
