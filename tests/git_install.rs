//! `intercom-guard install`: where the hook goes, that it finds the binary
//! under a GUI client's short PATH, that a hook which is not ours is kept
//! and still runs (and still blocks), that a hook manager's hook is left to
//! the manager, and that installing twice is harmless.
//!
//! Every hook here runs with a PATH the test chooses (no test depends on an
//! `intercom-guard` the machine may have): `short_path` holds only the
//! tools named, `path_with_binary` puts the binary under test first.

mod common;
mod support_push;

use std::path::Path;

use common::{Repo, Run, Scratch, bin, flat, path_with_binary, short_path, token};
use support_push::Server;

const PRE_COMMIT: &str = include_str!("../hooks/pre-commit");
const PRE_PUSH: &str = include_str!("../hooks/pre-push");
const PRE_RECEIVE: &str = include_str!("../hooks/pre-receive");

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The shipped script as `install` writes it when run as `binary`.
fn installed_by(script: &str, binary: &Path) -> String {
    let exe = std::fs::canonicalize(binary).unwrap();
    let line = format!("installed_bin='{}'\n", exe.display());
    assert!(script.contains("installed_bin=''\n"));
    script.replace("installed_bin=''\n", &line)
}

fn installed(script: &str) -> String {
    installed_by(script, Path::new(bin()))
}

/// `intercom-guard install ARGS` with no intercom-guard on PATH, so the
/// binary recorded is the one under test whatever the machine has.
fn install(repo: &Repo, args: &[&str]) -> Run {
    let mut all = vec!["install"];
    all.extend_from_slice(args);
    let path = short_path(&repo.root(), &[]);
    repo.guard_with(&all, |c| {
        c.env("PATH", path);
    })
}

/// `git ARGS` with `path` as PATH and no INTERCOM_GUARD_BIN.
fn git_with_path(repo: &Repo, args: &[&str], path: &std::ffi::OsStr) -> Run {
    repo.git_run_with(args, |c| {
        c.env("PATH", path).env_remove("INTERCOM_GUARD_BIN");
    })
}

#[test]
fn default_is_pre_commit_in_git_hooks_and_twice_is_harmless() {
    let repo = Repo::new();
    let hook = repo.path().join(".git/hooks/pre-commit");
    let first = install(&repo, &[]);
    first.assert_code(0);
    assert!(
        first.stdout.contains("installed the pre-commit hook"),
        "{first:?}"
    );
    assert!(
        first
            .stderr
            .contains("intercom-guard is not on PATH; the hook runs"),
        "{first:?}"
    );
    // The binary under test is cargo's build output: `cargo clean` removes it.
    assert!(
        first.stderr.contains("is a cargo build output"),
        "{first:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        installed(PRE_COMMIT)
    );
    assert!(is_executable(&hook));

    let second = install(&repo, &[]);
    second.assert_code(0);
    assert!(second.stdout.contains("already installed"), "{second:?}");
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        installed(PRE_COMMIT)
    );
    let entries = std::fs::read_dir(repo.path().join(".git/hooks"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("intercom-guard"))
        .count();
    assert_eq!(entries, 0, "no backups or temporary files left behind");

    // The installed hook works: a staged token blocks the commit.
    repo.stage("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let commit = git_with_path(
        &repo,
        &["commit", "-q", "-m", "leak"],
        &path_with_binary(&repo.root()),
    );
    assert_ne!(commit.code, 0, "{commit:?}");
    assert!(commit.stderr.contains("a.env"), "{commit:?}");
}

/// GUI and IDE clients run hooks with a PATH such as `/usr/bin:/bin`: the
/// hook falls back to the binary that installed it. Without that fallback
/// (the shipped script, copied by hand) the same commit is refused
/// unchecked, which is what every commit from such a client used to get.
#[test]
fn under_a_short_path_the_hook_runs_the_binary_that_installed_it() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    install(&repo, &[]).assert_code(0);
    let short = short_path(&repo.root(), &["git"]);

    let tok = token();
    repo.stage("config/app.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    let leak = git_with_path(&repo, &["commit", "-q", "-m", "leak"], &short);
    assert_ne!(leak.code, 0, "{leak:?}");
    assert!(leak.stderr.contains("config/app.env"), "{leak:?}");
    assert!(!leak.all().contains(&tok));
    assert!(!leak.stderr.contains("NOT checked"), "{leak:?}");

    repo.git(&["rm", "-q", "--cached", "config/app.env"]);
    repo.stage("notes.md", "nothing secret\n");
    let clean = git_with_path(&repo, &["commit", "-q", "-m", "clean"], &short);
    assert_eq!(clean.code, 0, "{clean:?}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "clean");

    // The same hook without a recorded binary refuses, unchecked.
    write_executable(&repo.path().join(".git/hooks/pre-commit"), PRE_COMMIT);
    repo.stage("more.md", "still nothing\n");
    let unchecked = git_with_path(&repo, &["commit", "-q", "-m", "unchecked"], &short);
    assert_ne!(unchecked.code, 0, "{unchecked:?}");
    assert!(unchecked.stderr.contains("NOT checked"), "{unchecked:?}");
    assert!(
        unchecked.stderr.contains("was not found on PATH"),
        "{unchecked:?}"
    );
}

/// PATH comes first: the intercom-guard a user upgrades on PATH is the one
/// that runs, not the one recorded at install time.
#[test]
fn an_intercom_guard_on_path_wins_over_the_recorded_one() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    install(&repo, &[]).assert_code(0);
    let upgraded = repo.root().join("upgraded");
    write_executable(
        &upgraded.join("intercom-guard"),
        &format!(
            "#!/bin/sh\necho \"upgraded $*\" > '{}'\nexit 0\n",
            repo.root().join("upgraded.log").display()
        ),
    );
    let short = short_path(&repo.root(), &["git"]);
    let mut path = std::ffi::OsString::from(&upgraded);
    path.push(":");
    path.push(&short);
    repo.stage("a.md", "x\n");
    git_with_path(&repo, &["commit", "-q", "-m", "x"], &path).assert_code(0);
    assert_eq!(
        std::fs::read_to_string(repo.root().join("upgraded.log")).unwrap(),
        "upgraded pre-commit\n"
    );
}

/// Installed through a link on PATH (as pipx links `~/.local/bin` into its
/// venv), the hook records the link: the name that survives an upgrade.
#[test]
fn the_recorded_binary_is_its_name_on_path_when_that_leads_to_it() {
    let repo = Repo::new();
    let path = path_with_binary(&repo.root());
    let run = repo.guard_with(&["install"], |c| {
        c.env("PATH", &path);
    });
    run.assert_code(0);
    assert!(!run.stderr.contains("not on PATH"), "{run:?}");
    let link = repo.root().join("path-bin/intercom-guard");
    let hook = std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(
        hook.contains(&format!("\ninstalled_bin='{}'\n", link.display())),
        "{hook}"
    );
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    install(&repo, &["--hook", "pre-push"]).assert_code(0);
    let hook = repo.path().join(".githooks/pre-push");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), installed(PRE_PUSH));
    assert!(is_executable(&hook));
    assert!(!repo.path().join(".git/hooks/pre-push").exists());

    let elsewhere = repo.path().parent().unwrap().join("shared-hooks");
    repo.git(&["config", "core.hooksPath", elsewhere.to_str().unwrap()]);
    // From a subfolder too: the hooks path does not depend on the cwd.
    repo.write("sub/x.txt", "x\n");
    let path = short_path(&repo.root(), &[]);
    repo.guard_with(&["install", "--hook", "pre-commit"], |c| {
        c.current_dir(repo.path().join("sub")).env("PATH", path);
    })
    .assert_code(0);
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("pre-commit")).unwrap(),
        installed(PRE_COMMIT)
    );
}

#[test]
fn bare_repository_gets_pre_receive_which_refuses_a_leaking_push() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    let path = short_path(&repo.root(), &[]);
    let run = repo.guard_with(&["install"], |c| {
        c.current_dir(&server.path).env("PATH", &path);
    });
    run.assert_code(0);
    let hook = server.path.join("hooks/pre-receive");
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        installed(PRE_RECEIVE)
    );
    assert!(is_executable(&hook));

    let tok = token();
    repo.write("x.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("leak");
    // A local push runs the server's hook with the pusher's environment.
    let push = git_with_path(
        &repo,
        &["push", "origin", "main"],
        &short_path(&repo.root(), &["git"]),
    );
    assert_ne!(push.code, 0, "{push:?}");
    assert!(
        push.stderr
            .contains("remote: intercom-guard: PUSH REJECTED"),
        "{push:?}"
    );
    assert!(!push.all().contains(&tok));
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
}

/// When neither PATH nor the recorded binary has one (the binary that
/// installed the hook is gone), the hook refuses, unchecked: it fails
/// closed, and says where it looked.
#[test]
fn a_recorded_binary_that_is_gone_fails_closed() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    let gone = repo.root().join("gone/intercom-guard");
    std::fs::create_dir_all(gone.parent().unwrap()).unwrap();
    std::fs::copy(bin(), &gone).unwrap();
    let path = short_path(&repo.root(), &[]);
    let out = repo
        .command(&gone)
        .arg("install")
        .current_dir(&server.path)
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(!note.contains("cargo build output"), "{note}");
    let hook = server.path.join("hooks/pre-receive");
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        installed_by(PRE_RECEIVE, &gone)
    );
    let gone = std::fs::canonicalize(&gone).unwrap();
    std::fs::remove_file(&gone).unwrap();

    repo.write("notes.md", "nothing secret\n");
    repo.commit_all("clean");
    let push = git_with_path(
        &repo,
        &["push", "origin", "main"],
        &short_path(&repo.root(), &["git"]),
    );
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("NOT checked"), "{push:?}");
    assert!(
        push.stderr.contains(&gone.display().to_string()),
        "names the recorded binary: {push:?}"
    );
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
}

/// A foreign pre-commit hook that logs each run and fails while `flag`
/// exists.
fn foreign_hook(log: &Path, flag: &Path) -> String {
    format!(
        "#!/bin/sh\necho \"foreign ran\" >> '{}'\nif [ -f '{}' ]; then echo 'foreign check failed' >&2; exit 3; fi\nexit 0\n",
        log.display(),
        flag.display()
    )
}

#[test]
fn an_existing_hook_is_kept_and_chained_and_its_failure_still_blocks() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let hooks = repo.path().join(".git/hooks");
    let hook = hooks.join("pre-commit");
    let chained = hooks.join("pre-commit.intercom-guard-chained");
    let log = repo.root().join("foreign.log");
    let flag = repo.root().join("fail-foreign");
    let mine = foreign_hook(&log, &flag);
    write_executable(&hook, &mine);

    let run = install(&repo, &[]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("pre-commit.intercom-guard-chained and runs first"),
        "{run:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        installed(PRE_COMMIT)
    );
    assert_eq!(std::fs::read_to_string(&chained).unwrap(), mine, "kept");
    assert!(is_executable(&chained));

    // Installing again changes nothing and chains nothing more.
    let again = install(&repo, &[]);
    again.assert_code(0);
    assert!(again.stdout.contains("already installed"), "{again:?}");
    assert!(again.stdout.contains("it also runs"), "{again:?}");
    assert_eq!(std::fs::read_to_string(&chained).unwrap(), mine);
    let ours = std::fs::read_dir(&hooks)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("intercom-guard"))
        .count();
    assert_eq!(ours, 1, "only the chained hook");

    let path = path_with_binary(&repo.root());
    let commit = |message: &str| git_with_path(&repo, &["commit", "-q", "-m", message], &path);

    // The foreign hook fails: the clean commit is refused.
    std::fs::write(&flag, "").unwrap();
    repo.stage("clean.md", "nothing secret\n");
    let refused = commit("foreign fails");
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused.stderr.contains("foreign check failed"),
        "{refused:?}"
    );
    assert!(refused.stderr.contains("failed with exit 3"), "{refused:?}");

    // It passes, and ours finds nothing: the commit goes through.
    std::fs::remove_file(&flag).unwrap();
    commit("both pass").assert_code(0);
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "both pass");

    // It passes, and ours finds a token: refused all the same.
    let tok = token();
    repo.stage("a.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    let leak = commit("leak");
    assert_ne!(leak.code, 0, "{leak:?}");
    assert!(leak.stderr.contains("a.env"), "{leak:?}");
    assert!(!leak.all().contains(&tok));
    assert_eq!(
        std::fs::read_to_string(&log).unwrap().lines().count(),
        3,
        "the foreign hook ran on every commit"
    );

    // --force replaces instead: the chained hook keeps running (it is
    // the user's), a new foreign hook is moved aside and does not run.
    let other = "#!/bin/sh\necho other\nexit 9\n";
    write_executable(&hook, other);
    let taken = install(&repo, &["--color", "never"]);
    taken.assert_code(2);
    let said = flat(&taken.stderr);
    assert!(said.contains("already holds the hook it chains"), "{said}");
    assert!(said.contains("re-run with --force"), "{said}");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), other, "untouched");
    let forced = install(&repo, &["--force"]);
    forced.assert_code(0);
    let backup = hooks.join("pre-commit.intercom-guard-backup");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), other);
    assert!(forced.stdout.contains("no longer runs"), "{forced:?}");
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        installed(PRE_COMMIT)
    );
}

/// pre-push and pre-receive hooks read git's ref lines on stdin: the
/// chained hook and ours both get them, and its arguments.
#[test]
fn a_chained_pre_push_hook_and_ours_both_read_the_pushed_refs() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    let seen = repo.root().join("seen");
    let hook = repo.path().join(".git/hooks/pre-push");
    write_executable(
        &hook,
        &format!(
            "#!/bin/sh\n{{ echo \"args $1 $2\"; cat; }} > '{}'\nexit 0\n",
            seen.display()
        ),
    );
    install(&repo, &["--hook", "pre-push"]).assert_code(0);
    assert!(
        repo.path()
            .join(".git/hooks/pre-push.intercom-guard-chained")
            .is_file()
    );

    let tok = token();
    repo.write("x.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("leak");
    let head = repo.head();
    let push = git_with_path(
        &repo,
        &["push", "origin", "main"],
        &path_with_binary(&repo.root()),
    );
    assert_ne!(push.code, 0, "ours read the refs and refused: {push:?}");
    assert!(push.stderr.contains("x.env"), "{push:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert!(
        seen.starts_with(&format!("args origin {}\n", server.path.display())),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("refs/heads/main {head} refs/heads/main ")),
        "the chained hook read the refs: {seen}"
    );
}

/// husky v9 owns `core.hooksPath=.husky/_` and rewrites it on every
/// install: ours belongs in `.husky/pre-commit`, and `install` says so
/// rather than chaining husky's hook.
#[test]
fn a_husky_hook_is_left_to_husky_with_the_line_to_add() {
    let repo = Repo::new();
    let underscore = repo.path().join(".husky/_");
    husky_v9_layout(&underscore);
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let before = std::fs::read_to_string(underscore.join("pre-commit")).unwrap();

    let run = install(&repo, &["--color", "never"]);
    run.assert_code(2);
    let said = flat(&run.stderr);
    assert!(
        said.contains("is husky's hook; it was left untouched"),
        "{said}"
    );
    let script = repo.path().join(".husky/pre-commit");
    assert!(
        said.contains(&format!(
            "add the line `intercom-guard pre-commit` to {}",
            script.display()
        )),
        "names the line and the file: {said}"
    );
    assert_eq!(
        std::fs::read_to_string(underscore.join("pre-commit")).unwrap(),
        before,
        "untouched"
    );
    assert!(
        !underscore
            .join("pre-commit.intercom-guard-chained")
            .exists()
    );
}

/// The folder husky v9 writes, made by hand: a runner `h` and one hook per
/// name that sources it; `h` runs `.husky/<name>` with `sh -e`.
fn husky_v9_layout(underscore: &Path) {
    write_executable(
        &underscore.join("h"),
        "#!/usr/bin/env sh\n# husky's runner, as husky v9 lays it out (written for this test)\nname=${0##*/}\nscript=${0%/*}/../$name\n[ -f \"$script\" ] || exit 0\nsh -e \"$script\" \"$@\"\n",
    );
    for hook in ["pre-commit", "pre-push"] {
        write_executable(
            &underscore.join(hook),
            "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"",
        );
    }
    std::fs::write(underscore.join(".gitignore"), "*").unwrap();
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
    install(&repo, &["--format", "human"]).assert_code(0);
}
