//! `intercom-guard install`: where the hook goes, that a hook which is not
//! ours is never lost, and that installing twice is harmless.

mod common;
mod support_push;

use common::{Repo, Scratch, bin, token};
use support_push::Server;

const PRE_COMMIT: &str = include_str!("../hooks/pre-commit");
const PRE_PUSH: &str = include_str!("../hooks/pre-push");
const PRE_RECEIVE: &str = include_str!("../hooks/pre-receive");

#[cfg(unix)]
fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &std::path::Path) -> bool {
    path.is_file()
}

#[test]
fn default_is_pre_commit_in_git_hooks_and_twice_is_harmless() {
    let repo = Repo::new();
    let hook = repo.path().join(".git/hooks/pre-commit");
    let first = repo.guard(&["install"]);
    first.assert_code(0);
    assert!(
        first.stdout.contains("installed the pre-commit hook"),
        "{first:?}"
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), PRE_COMMIT);
    assert!(is_executable(&hook));

    let second = repo.guard(&["install"]);
    second.assert_code(0);
    assert!(second.stdout.contains("already installed"), "{second:?}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), PRE_COMMIT);
    let entries = std::fs::read_dir(repo.path().join(".git/hooks"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("intercom-guard"))
        .count();
    assert_eq!(entries, 0, "no backups or temporary files left behind");

    // The installed hook works: a staged token blocks the commit.
    repo.stage("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let commit = repo.git_run_with(&["commit", "-q", "-m", "leak"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    });
    assert_eq!(commit.code, 1, "{commit:?}");
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.guard(&["install", "--hook", "pre-push"])
        .assert_code(0);
    let hook = repo.path().join(".githooks/pre-push");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), PRE_PUSH);
    assert!(is_executable(&hook));
    assert!(!repo.path().join(".git/hooks/pre-push").exists());

    let elsewhere = repo.path().parent().unwrap().join("shared-hooks");
    repo.git(&["config", "core.hooksPath", elsewhere.to_str().unwrap()]);
    // From a subfolder too: the hooks path does not depend on the cwd.
    repo.write("sub/x.txt", "x\n");
    repo.guard_with(&["install", "--hook", "pre-commit"], |c| {
        c.current_dir(repo.path().join("sub"));
    })
    .assert_code(0);
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("pre-commit")).unwrap(),
        PRE_COMMIT
    );
}

#[test]
fn bare_repository_gets_pre_receive_which_refuses_a_leaking_push() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    let run = repo.guard_with(&["install"], |c| {
        c.current_dir(&server.path);
    });
    run.assert_code(0);
    let hook = server.path.join("hooks/pre-receive");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), PRE_RECEIVE);
    assert!(is_executable(&hook));

    let tok = token();
    repo.write("x.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("leak");
    // A local push runs the server's hook with the pusher's environment.
    let push = repo.git_run_with(&["push", "origin", "main"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    });
    assert_ne!(push.code, 0, "{push:?}");
    assert!(
        push.stderr
            .contains("remote: intercom-guard: PUSH REJECTED"),
        "{push:?}"
    );
    assert!(!push.all().contains(&tok));
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);

    // Without the binary the server hook refuses too (fails closed).
    let push = repo.git_run(&["push", "origin", "main"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("NOT checked"), "{push:?}");
}

#[test]
fn an_existing_hook_that_is_not_ours_is_kept() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("pre-push");
    let mine = "#!/bin/sh\necho my own checks\n";
    std::fs::write(&hook, mine).unwrap();

    let refused = repo.guard(&["install", "--hook", "pre-push"]);
    refused.assert_code(2);
    assert!(refused.stderr.contains("pre-push"), "{refused:?}");
    assert!(refused.stderr.contains("--force"), "{refused:?}");
    assert!(
        refused.stderr.contains("not an intercom-guard hook"),
        "{refused:?}"
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), mine, "untouched");

    let forced = repo.guard(&["install", "--hook", "pre-push", "--force"]);
    forced.assert_code(0);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), PRE_PUSH);
    let backup = hooks.join("pre-push.intercom-guard-backup");
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        mine,
        "kept aside"
    );
    assert!(
        forced.stdout.contains("pre-push.intercom-guard-backup"),
        "{forced:?}"
    );

    // Ours now: installing again changes nothing, and needs no --force.
    repo.guard(&["install", "--hook", "pre-push"])
        .assert_code(0);
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), mine);
}

#[test]
fn outside_a_repository_install_says_so() {
    let scratch = Scratch::new();
    let run = scratch.guard(&["install"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a git repository"), "{run:?}");
}

/// `install` prints one human line: any other `--format` is a usage error
/// from the parser, and no hook is written.
#[test]
fn install_refuses_a_format_it_does_not_write() {
    let repo = Repo::new();
    for format in ["json", "sarif"] {
        let run = repo.guard(&["install", "--format", format]);
        run.assert_code(2);
        assert_eq!(run.stdout, "", "{run:?}");
        assert!(
            run.stderr.starts_with(&format!(
                "error: invalid value '{format}' for '--format <FORMAT>'"
            )),
            "{run:?}"
        );
        assert!(run.stderr.contains("[possible values: human]"), "{run:?}");
    }
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    repo.guard(&["install", "--format", "human"]).assert_code(0);
}
