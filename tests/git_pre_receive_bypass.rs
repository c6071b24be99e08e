//! The server's bypass is the server repository's own git configuration
//! only. A push to a local path runs the hook with the pusher's
//! environment: neither `INTERCOM_GUARD_BYPASS=1` nor a global or system
//! git configuration the pusher points at lets a leak through. Real pushes.

mod common;
mod support_push;

use common::{Repo, token};
use support_push::{Server, push};

fn leaking_push() -> (Repo, Server, String) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    server.install_hook("");
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);
    let secret = token();
    repo.write("app.env", format!("INTERCOM_ACCESS_TOKEN={secret}\n"));
    repo.commit_all("leak");
    (repo, server, secret)
}

fn assert_refused(run: &common::Run, secret: &str) {
    assert_ne!(run.code, 0, "the push must be refused: {run:?}");
    assert!(run.stderr.contains("PUSH REJECTED"), "{run:?}");
    assert!(!run.stderr.contains("NOT checked"), "{run:?}");
    assert!(!run.all().contains(secret), "{run:?}");
}

#[test]
fn the_pushers_environment_switch_lets_nothing_through() {
    let (repo, server, secret) = leaking_push();
    let before = server.rev(&repo, "refs/heads/main");
    let run = repo.git_run_with(&["push", "origin", "main"], |c| {
        c.env("INTERCOM_GUARD_BYPASS", "1");
    });
    assert_refused(&run, &secret);
    assert_eq!(
        server.rev(&repo, "refs/heads/main"),
        before,
        "nothing lands"
    );
}

#[test]
fn the_pushers_global_and_system_config_let_nothing_through() {
    let (repo, server, secret) = leaking_push();
    let before = server.rev(&repo, "refs/heads/main");
    let config = repo.path().parent().unwrap().join("pusher.gitconfig");
    std::fs::write(&config, "[intercom-guard]\n\tbypass = true\n").unwrap();
    for var in ["GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"] {
        let run = repo.git_run_with(&["push", "origin", "main"], |c| {
            c.env(var, &config).env_remove("GIT_CONFIG_NOSYSTEM");
        });
        assert_refused(&run, &secret);
        assert_eq!(server.rev(&repo, "refs/heads/main"), before, "{var}");
    }
    // `HOME` too: the pusher's `~/.gitconfig`.
    let home = repo.path().parent().unwrap().join("pusher-home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::copy(&config, home.join(".gitconfig")).unwrap();
    let run = repo.git_run_with(&["push", "origin", "main"], |c| {
        c.env("HOME", &home).env_remove("GIT_CONFIG_GLOBAL");
    });
    assert_refused(&run, &secret);

    // The server repository's own file is the administrator's switch.
    server.git(&repo, &["config", "intercom-guard.bypass", "true"]);
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("NOT checked"), "{run:?}");
}
