//! Which commits `pre-receive` takes for new, against git's own answer:
//! `git rev-list NEW --not --all`, run inside the same hook, in the same
//! quarantine. Every new commit here adds a secret, so the commits the
//! report names are the commits the hook took for new.
//!
//! The hook answers most pushes from the old values of the updated refs and
//! `HEAD`, without listing the server's refs; these pushes cover both ways:
//! answered that way (a fast-forward, a branch started on an ancestor of
//! `HEAD`, a force push), and needing every ref (a merge of another branch,
//! a branch started on another branch, commits the server holds but no ref
//! reaches, with and without `push.negotiate`).

mod common;
mod support_push;

use common::{Repo, token};
use support_push::{Server, push};

fn leak(repo: &Repo, name: &str) {
    repo.write(
        format!("{name}.env"),
        format!("INTERCOM_ACCESS_TOKEN={}\n", token()),
    );
    repo.commit_all(name);
}

/// A work repository with a history on `main` and `side`, every commit of
/// it leaking, pushed to the server before it had a hook (the server then
/// gets the recording hook): a hook that takes any of those for new reports
/// more commits than git lists.
fn setup() -> (Repo, Server) {
    let repo = Repo::new();
    for i in 0..5 {
        leak(&repo, &format!("main{i}"));
    }
    repo.git(&["checkout", "-q", "-b", "side", "main~2"]);
    for i in 0..3 {
        leak(&repo, &format!("side{i}"));
    }
    repo.git(&["checkout", "-q", "main"]);
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main", "side"]);
    server.install_recording_hook();
    (repo, server)
}

/// The commits the report's findings name, sorted, each once.
fn reported(server: &Server) -> Vec<String> {
    let report = server.report();
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["commit"].as_str().expect("commit").to_owned())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Push `args`, expect it refused, and the reported commits to be git's.
fn assert_same_as_git(repo: &Repo, server: &Server, args: &[&str], expected_len: usize) {
    let run = push(repo, args);
    assert_ne!(run.code, 0, "{run:?}");
    let expected = server.expected_commits();
    assert_eq!(expected.len(), expected_len, "git's answer: {expected:?}");
    assert_eq!(reported(server), expected, "{run:?}");
}

#[test]
fn fast_forward_of_the_default_branch() {
    let (repo, server) = setup();
    leak(&repo, "ff1");
    leak(&repo, "ff2");
    assert_same_as_git(&repo, &server, &["origin", "main"], 2);
}

#[test]
fn new_branch_started_on_an_old_commit_of_head() {
    let (repo, server) = setup();
    repo.git(&["checkout", "-q", "-b", "topic", "main~3"]);
    leak(&repo, "t1");
    assert_same_as_git(&repo, &server, &["origin", "topic"], 1);
}

#[test]
fn force_push_rewriting_the_tip() {
    let (repo, server) = setup();
    repo.git(&["reset", "-q", "--hard", "main~2"]);
    leak(&repo, "rewritten1");
    leak(&repo, "rewritten2");
    assert_same_as_git(&repo, &server, &["--force", "origin", "main"], 2);
}

#[test]
fn merge_of_another_branch_the_server_has() {
    let (repo, server) = setup();
    leak(&repo, "before-merge");
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "side"]);
    repo.write("merge.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "merge side"]);
    // The side commits are the server's: only the two new ones count.
    assert_same_as_git(&repo, &server, &["origin", "main"], 2);
}

#[test]
fn branch_started_on_another_branch() {
    let (repo, server) = setup();
    repo.git(&["checkout", "-q", "-b", "on-side", "side"]);
    leak(&repo, "s1");
    assert_same_as_git(&repo, &server, &["origin", "on-side"], 1);
}

/// Commits pushed while the hook was off, then their branch deleted: the
/// server still holds them, no ref reaches them, and git counts them new.
fn unreachable_on_the_server() -> (Repo, Server) {
    let (repo, server) = setup();
    server.remove_hook();
    repo.git(&["checkout", "-q", "-b", "gone", "main"]);
    leak(&repo, "g1");
    leak(&repo, "g2");
    repo.git(&["push", "-q", "origin", "gone"]);
    repo.git(&["push", "-q", "origin", ":gone"]);
    assert!(server.rev(&repo, "refs/heads/gone").is_none());
    assert_eq!(
        server
            .git(&repo, &["cat-file", "-t", &repo.head()])
            .stdout
            .trim(),
        "commit",
        "the server still holds the commit"
    );
    server.install_recording_hook();
    (repo, server)
}

#[test]
fn commits_the_server_holds_but_no_ref_reaches() {
    let (repo, server) = unreachable_on_the_server();
    assert_same_as_git(&repo, &server, &["origin", "gone:refs/heads/back"], 2);
}

#[test]
fn the_same_when_negotiation_keeps_them_out_of_the_push() {
    // With push.negotiate the server says it has those commits, so the
    // pack (and the quarantine) lacks them; they are still new to its refs.
    let (repo, server) = unreachable_on_the_server();
    repo.git(&["config", "push.negotiate", "true"]);
    leak(&repo, "g3");
    assert_same_as_git(&repo, &server, &["origin", "gone:refs/heads/back"], 3);
}
