//! `intercom-guard pre-push` through real pushes: the hook is written by
//! `intercom-guard install --hook pre-push` (the shipped shell script, which
//! finds the binary through INTERCOM_GUARD_BIN), and the remote is a bare
//! repository without hooks.

mod common;
mod support_push;

use common::{Repo, bin, token};
use support_push::Server;

fn with_pre_push(repo: &Repo) {
    repo.guard_with(&["install", "--hook", "pre-push"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    })
    .assert_code(0);
}

/// `git push` with the hook finding the binary.
fn push_hooked(repo: &Repo, args: &[&str]) -> common::Run {
    let mut all = vec!["push"];
    all.extend_from_slice(args);
    repo.git_run_with(&all, |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    })
}

/// The same push, with the hook's JSON report written to `report.json`.
fn push_json(repo: &Repo, args: &[&str]) -> (common::Run, serde_json::Value) {
    let hook = repo.path().join(".git/hooks/pre-push");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    let report = repo.path().join("../report.json");
    let _ = std::fs::remove_file(&report);
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec '{}' pre-push --format json \"$@\" > '{}'\n",
            bin(),
            report.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = push_hooked(repo, args);
    let text = std::fs::read_to_string(&report).expect("report written");
    (run, serde_json::from_str(&text).expect("JSON report"))
}

#[test]
fn a_leaking_commit_does_not_reach_the_remote() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    with_pre_push(&repo);
    assert_eq!(push_hooked(&repo, &["-q", "origin", "main"]).code, 0);

    let tok = token();
    repo.write("deploy/.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("leak");
    let leaking = repo.head();
    repo.write("README.md", "hi again\n");
    repo.commit_all("later");
    let run = push_hooked(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("deploy/.env"), "{run:?}");
    assert!(
        run.stderr.contains(&leaking[..12]),
        "names the commit: {run:?}"
    );
    // Prose wraps at the width; compare it with its line breaks undone.
    let prose = run.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        prose.contains("not published yet"),
        "committed-not-pushed guidance: {run:?}"
    );
    assert!(!run.all().contains(&tok), "redacted: {run:?}");
    assert_ne!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));
    assert_eq!(
        server.git(&repo, &["cat-file", "-e", &leaking]).code,
        1,
        "the commit never reached the remote"
    );
}

#[test]
fn only_commits_the_remote_lacks_are_scanned() {
    let repo = Repo::new();
    let old = token();
    repo.write("old.env", format!("INTERCOM_ACCESS_TOKEN={old}\n"));
    repo.commit_all("from before the hook");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);

    repo.write("a.txt", "clean\n");
    repo.commit_all("clean");
    let (run, report) = push_json(&repo, &["-q", "origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(report["stats"]["blobs"], 1, "only a.txt: {report}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));

    // A new branch over commits the remote has (origin/main): nothing new.
    repo.git(&["branch", "topic", "HEAD~1"]);
    let (run, report) = push_json(&repo, &["-q", "origin", "topic"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(report["stats"]["blobs"], 0, "{report}");

    // A new branch with one new commit: that commit only.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let tok = token();
    repo.write("f.yaml", format!("intercom_client_secret: \"{tok}\"\n"));
    repo.commit_all("feature");
    let (run, report) = push_json(&repo, &["-q", "origin", "feature"]);
    assert_ne!(run.code, 0, "{run:?}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["commit"], repo.head().as_str());
    assert_eq!(findings[0]["author"], "Test Author <author@example.com>");
    assert_eq!(server.rev(&repo, "refs/heads/feature"), None);

    // Deleting a branch scans nothing and passes.
    let (run, report) = push_json(&repo, &["-q", "origin", ":topic"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(report["stats"]["blobs"], 0);
    assert_eq!(server.rev(&repo, "refs/heads/topic"), None);
}

#[test]
fn pre_commit_framework_range_from_the_environment() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("base");
    let base = repo.head();
    let tok = token();
    repo.write("b.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("leak");
    let leak = repo.head();
    repo.write("c.txt", "c\n");
    repo.commit_all("after");
    let tip = repo.head();

    // As the framework runs a pre-push stage hook: no stdin of git's, the
    // range in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF.
    let run = repo.guard_with(&["pre-push", "--format", "json"], |c| {
        c.env("PRE_COMMIT_FROM_REF", &base)
            .env("PRE_COMMIT_TO_REF", &tip)
            .env("PRE_COMMIT_REMOTE_NAME", "origin");
    });
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["commit"], leak.as_str());
    assert_eq!(run.json()["stats"]["blobs"], 2, "b.env and c.txt");

    let clean = repo.guard_with(&["pre-push", "--format", "json"], |c| {
        c.env("PRE_COMMIT_FROM_REF", &leak)
            .env("PRE_COMMIT_TO_REF", &tip);
    });
    clean.assert_code(0);
    assert_eq!(clean.json()["stats"]["blobs"], 1);
}

#[test]
fn pushing_to_a_url_without_remote_tracking_refs_scans_the_new_history() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("base");
    let server = Server::new(&repo);
    with_pre_push(&repo);
    let url = server.path.to_str().unwrap().to_owned();
    let tok = token();
    repo.write("x.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("leak");
    // Without INTERCOM_GUARD_BIN and with none on PATH, the hook runs the
    // binary that installed it: refused all the same.
    let short = common::short_path(&repo.root(), &["git"]);
    let run = repo.git_run_with(&["push", &url, "main"], |c| {
        c.env("PATH", &short);
    });
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("x.env"),
        "checked, not refused unchecked: {run:?}"
    );
    let run = push_hooked(&repo, &[&url, "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&tok));
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
}
