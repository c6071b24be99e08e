//! Repositories whose refs are stored in reftable (`git init
//! --ref-format=reftable`): gix reads refs from the `files` backend only,
//! so every git mode refuses them with exit 2 and a diagnostic naming
//! reftable, never a silent pass over refs it cannot see. `scan`, which
//! reads no ref, still works there.

mod common;
mod support_push;

use common::{Repo, Run, bin, token};
use support_push::{Server, push, remote_lines};

const CODE: &str = "intercom_guard::git::reftable";

fn reftable_repo() -> Repo {
    let repo = Repo::init(&["--ref-format=reftable"]);
    assert_eq!(
        repo.git(&["rev-parse", "--show-ref-format"]).trim(),
        "reftable"
    );
    repo
}

fn leak(secret: &str) -> String {
    format!("INTERCOM_ACCESS_TOKEN={secret}\n")
}

fn assert_refused(run: &Run, secret: &str) {
    run.assert_code(2);
    assert!(run.stderr.contains(CODE), "{run:?}");
    assert!(run.stderr.contains("reftable"), "{run:?}");
    assert!(!run.all().contains("no Intercom secrets"), "{run:?}");
    assert!(!run.all().contains(secret), "{run:?}");
}

#[test]
fn history_refuses_instead_of_finding_nothing() {
    let secret = token();
    let repo = reftable_repo();
    repo.write("app.env", leak(&secret));
    repo.commit_all("add env");
    for args in [
        &["history"][..],
        &["history", "--format", "json"],
        &["history", "--all-objects"],
        &["history", "HEAD"],
    ] {
        let run = repo.guard(args);
        assert_refused(&run, &secret);
    }
}

#[test]
fn pre_commit_refuses_and_names_reftable() {
    let secret = token();
    let repo = reftable_repo();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.stage("app.env", leak(&secret));
    let run = repo.guard(&["pre-commit"]);
    assert_refused(&run, &secret);
    assert!(!run.stderr.contains("damaged"), "{run:?}");
}

#[test]
fn doctor_refuses_and_names_reftable() {
    let secret = token();
    let repo = reftable_repo();
    repo.write("app.env", leak(&secret));
    repo.commit_all("add env");
    assert_refused(&repo.guard(&["doctor"]), &secret);
}

#[test]
fn pre_push_refuses_the_push() {
    let secret = token();
    let repo = reftable_repo();
    repo.write("app.env", leak(&secret));
    repo.commit_all("add env");
    let server = Server::new(&repo);
    // The hook, written by hand: `install` refuses this repository too.
    let hook = repo.path().join(".git/hooks/pre-push");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' pre-push \"$@\"\n", bin()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = repo.git_run(&["push", "origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(CODE), "{run:?}");
    assert!(!run.all().contains(&secret), "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None, "nothing lands");

    assert_refused(
        &repo.guard(&["install", "--hook", "pre-push", "--force"]),
        &secret,
    );
}

#[test]
fn pre_receive_refuses_every_push_into_a_reftable_server() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::init(&repo, &["--ref-format=reftable"]);
    server.install_hook("");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "a push it cannot check is refused: {run:?}");
    let relayed = remote_lines(&run).join("\n");
    assert!(relayed.contains(CODE), "{run:?}");
    assert!(relayed.contains("refused"), "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
}

#[test]
fn scan_reads_no_ref_and_still_works() {
    let secret = token();
    let repo = reftable_repo();
    repo.write("app.env", leak(&secret));
    let run = repo.guard(&["scan", "--format", "json", "app.env"]);
    run.assert_code(1);
    assert_eq!(run.findings().len(), 1, "{run:?}");
    repo.guard(&["config"]).assert_code(0);
}
