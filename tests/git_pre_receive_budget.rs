//! The server's `time_budget`: a pre-receive hook that cannot check a push
//! in time stops with its own message before the host kills it (GitHub
//! Enterprise Server: 5 s), refusing the push, or letting it through with a
//! warning under `--fail-open`; within the budget nothing changes.

mod common;
mod support_push;

use common::{Repo, lines, token};
use support_push::{Server, fast_commits, push, remote_lines};

/// A work repository with one commit pushed to a server whose own
/// configuration (git config intercom-guard.config) sets `time_budget`.
fn setup(budget: &str, hook_args: &str) -> (Repo, Server) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);
    std::fs::write(
        server.path.join("guard.yaml"),
        lines(&[&format!("time_budget: {budget}")]),
    )
    .unwrap();
    let set = server.git(&repo, &["config", "intercom-guard.config", "guard.yaml"]);
    assert_eq!(set.code, 0, "{set:?}");
    server.install_hook(hook_args);
    (repo, server)
}

#[test]
fn a_push_that_outlasts_the_budget_is_refused_with_its_own_message() {
    let (repo, server) = setup("1ms", "");
    let before = server.rev(&repo, "refs/heads/main");
    fast_commits(&repo, 3000, |_| None);
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    let text = remote_lines(&run).join("\n");
    assert!(
        text.contains("could not be checked within the server's time budget of 0.001 s"),
        "{text}"
    );
    assert!(text.contains("push it in smaller parts"), "{text}");
    assert!(
        text.contains("guard.yaml:1"),
        "names where the budget is set: {text}"
    );
    assert_eq!(
        server.rev(&repo, "refs/heads/main"),
        before,
        "nothing landed"
    );
}

#[test]
fn fail_open_lets_an_unchecked_push_through_with_a_warning() {
    let (repo, server) = setup("1ms", "--fail-open");
    let tip = fast_commits(&repo, 3000, |_| None).pop().unwrap();
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = remote_lines(&run).join("\n");
    assert!(text.contains("NOT checked"), "{text}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(tip));
}

#[test]
fn within_the_budget_the_push_is_judged_as_always() {
    let (repo, server) = setup("60s", "");
    repo.write("src/app.js", "const ok = 1;\n");
    repo.commit_all("clean");
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);
    let secret = token();
    repo.write("src/app.js", format!("const t = '{secret}';\n"));
    repo.commit_all("leak");
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("PUSH REJECTED"), "{run:?}");
    assert!(!run.stderr.contains("time budget"), "{run:?}");
    assert!(!run.all().contains(&secret), "{run:?}");
    let _ = server;
}
