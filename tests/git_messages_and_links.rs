//! What git modes scan besides file content, through the real binary and
//! real git: the target of a symbolic link (a `120000` entry, whose blob is
//! the target), the message of a commit and the message of an annotated
//! tag. Each is reported where it is (`<commit message>`, `<tag NAME>`, the
//! link's own path) with a `source` in JSON and SARIF, in pre-commit (link
//! targets), pre-push, pre-receive (small pushes, and large ones scanned
//! object by object first) and history.

mod common;
mod support_push;

use common::{Repo, bin, token};
use serde_json::Value;
use support_push::{Server, fast_commits, push, remote_lines};

/// A symbolic link at `path` pointing at `target`, committed with
/// `message`.
#[cfg(unix)]
fn commit_link(repo: &Repo, path: &str, target: &str, message: &str) -> String {
    let link = repo.path().join(path);
    std::fs::create_dir_all(link.parent().expect("a parent")).expect("parent dirs");
    std::os::unix::fs::symlink(target, link).expect("symlink");
    repo.commit_all(message);
    repo.head()
}

/// A commit that changes nothing but says `message`.
fn commit_message(repo: &Repo, message: &str) -> String {
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "--allow-empty",
        "-m",
        message,
    ]);
    repo.head()
}

/// The one finding at `path`.
fn at<'a>(findings: &'a [Value], path: &str) -> &'a Value {
    let found: Vec<&Value> = findings.iter().filter(|f| f["path"] == path).collect();
    assert_eq!(found.len(), 1, "one finding at {path}: {findings:?}");
    found[0]
}

fn assert_never_printed(run: &common::Run, secret: &str) {
    assert!(!run.all().contains(secret), "printed in full: {run:?}");
}

// --- pre-commit -------------------------------------------------------

#[cfg(unix)]
#[test]
fn pre_commit_scans_a_staged_symlink_target() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let tok = token();
    std::os::unix::fs::symlink(&tok, repo.path().join("creds")).unwrap();
    repo.git(&["add", "creds"]);
    let raw = repo.git(&["diff", "--cached", "--raw"]);
    assert!(raw.contains("120000"), "git stages a symlink: {raw}");

    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_never_printed(&run, &tok);
    let findings = run.findings();
    let f = at(&findings, "creds");
    assert_eq!(f["source"], "symlink", "{f}");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(1))
    );

    // Human output names the link by its path; the real hook blocks.
    let human = repo.guard(&["pre-commit", "--color", "never"]);
    human.assert_code(1);
    assert!(human.stderr.contains("creds"), "{human:?}");
    assert_never_printed(&human, &tok);
    repo.install_hook();
    let commit = repo.git_run(&["commit", "-q", "-m", "a link"]);
    assert_ne!(commit.code, 0, "the hook blocks the commit: {commit:?}");

    // A file's finding carries no `source`.
    repo.git(&["rm", "-q", "--cached", "creds"]);
    repo.stage("app.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    let run = repo.pre_commit_json();
    run.assert_code(1);
    let findings = run.findings();
    assert!(at(&findings, "app.env").get("source").is_none(), "{run:?}");
}

#[cfg(unix)]
#[test]
fn pre_commit_judges_a_symlink_against_its_old_target() {
    let repo = Repo::new();
    let tok = token();
    commit_link(&repo, "creds", &tok, "a link from before the hook");
    // Retargeted: the new target is clean.
    std::fs::remove_file(repo.path().join("creds")).unwrap();
    std::os::unix::fs::symlink("README.md", repo.path().join("creds")).unwrap();
    repo.git(&["add", "creds"]);
    let run = repo.pre_commit_json();
    run.assert_code(0);
    assert_eq!(run.json()["stats"]["blobs"], 1, "the new target is read");
    // A rename keeps the old target: nothing is added.
    repo.git(&["reset", "-q", "--hard"]);
    repo.git(&["mv", "creds", "moved"]);
    repo.pre_commit_json().assert_code(0);
}

// --- pre-receive ------------------------------------------------------

/// A work repository with one commit, and a server recording its hook's
/// JSON report (`Server::report`).
fn server_setup() -> (Repo, Server) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    server.install_recording_hook();
    (repo, server)
}

#[test]
fn pre_receive_refuses_a_leak_in_a_commit_message() {
    let (repo, server) = server_setup();
    let tok = token();
    let leaking = commit_message(
        &repo,
        &format!("deploy\n\nused INTERCOM_TOKEN={tok} to test"),
    );
    commit_message(&repo, "a later, clean commit");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None, "nothing lands");
    assert_never_printed(&run, &tok);
    let report = server.report();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let f = &findings[0];
    assert_eq!(f["path"], "<commit message>");
    assert_eq!(f["source"], "commit_message");
    assert_eq!(f["commit"], leaking.as_str());
    assert_eq!(f["line"], 3, "line of the message: {f}");
    assert_eq!(f["author"], "Test Author <author@example.com>");
}

#[test]
fn pre_receive_refuses_a_leak_in_an_annotated_tag_message() {
    let (repo, server) = server_setup();
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);
    let tok = token();
    repo.git(&[
        "tag",
        "-a",
        "v1.2",
        "-m",
        &format!("release\n\ntoken {tok}"),
    ]);
    // A lightweight tag and a clean annotated one pass.
    repo.git(&["tag", "light"]);
    repo.git(&["tag", "-a", "v1.1", "-m", "clean"]);
    assert_eq!(push(&repo, &["origin", "light", "v1.1"]).code, 0);

    let run = push(&repo, &["origin", "v1.2"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_eq!(server.rev(&repo, "refs/tags/v1.2"), None);
    assert_never_printed(&run, &tok);
    let report = server.report();
    let f = at(report["findings"].as_array().unwrap(), "<tag v1.2>");
    assert_eq!(f["source"], "tag_message");
    assert_eq!(f["line"], 3);
    assert_eq!(f["commit"], Value::Null);
}

#[cfg(unix)]
#[test]
fn pre_receive_refuses_a_leak_in_a_symlink_target_and_compares_with_the_old_one() {
    let (repo, server) = server_setup();
    let tok = token();
    let leaking = commit_link(&repo, "config/creds", &tok, "a link");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_never_printed(&run, &tok);
    let report = server.report();
    let f = at(report["findings"].as_array().unwrap(), "config/creds");
    assert_eq!(f["source"], "symlink");
    assert_eq!(f["commit"], leaking.as_str());

    // A link the server already has, moved: its target is not new.
    server.remove_hook();
    assert_eq!(push(&repo, &["-q", "origin", "main"]).code, 0);
    server.install_recording_hook();
    repo.git(&["mv", "config/creds", "creds"]);
    repo.commit_all("moved");
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
}

// --- pre-receive, scan first ------------------------------------------

/// A server whose pushes stay packed (`unpackLimit` 1) and whose hook
/// relays the JSON report.
fn large_setup() -> (Repo, Server) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    for key in ["receive.unpackLimit", "transfer.unpackLimit"] {
        assert_eq!(server.git(&repo, &["config", key, "1"]).code, 0);
    }
    server.install_hook("--format json");
    (repo, server)
}

fn relayed_report(run: &common::Run) -> Value {
    let line = remote_lines(run)
        .into_iter()
        .find(|l| l.starts_with("{\"version\""))
        .unwrap_or_else(|| panic!("no JSON report relayed: {run:?}"));
    serde_json::from_str(&line).expect("JSON report")
}

#[test]
fn a_large_push_whose_only_leak_is_a_commit_message_is_refused() {
    let (repo, server) = large_setup();
    fast_commits(&repo, 200, |_| None);
    let tok = token();
    let leaking = commit_message(&repo, &format!("INTERCOM_ACCESS_TOKEN={tok}"));
    fast_commits(&repo, 10, |_| None);
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
    assert_never_printed(&run, &tok);
    let report = relayed_report(&run);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["path"], "<commit message>");
    assert_eq!(findings[0]["source"], "commit_message");
    assert_eq!(findings[0]["commit"], leaking.as_str());
}

#[test]
fn a_large_push_whose_only_leak_is_a_tag_message_is_refused() {
    let (repo, server) = large_setup();
    fast_commits(&repo, 200, |_| None);
    let tok = token();
    repo.git(&["tag", "-a", "v2", "-m", &format!("token {tok}")]);
    let run = push(&repo, &["origin", "main", "v2"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_eq!(server.rev(&repo, "refs/tags/v2"), None);
    assert_never_printed(&run, &tok);
    let report = relayed_report(&run);
    let f = at(report["findings"].as_array().unwrap(), "<tag v2>");
    assert_eq!(f["source"], "tag_message");
}

#[cfg(unix)]
#[test]
fn a_large_push_whose_only_leak_is_a_symlink_target_is_refused() {
    let (repo, server) = large_setup();
    fast_commits(&repo, 200, |_| None);
    let tok = token();
    let leaking = commit_link(&repo, "creds", &tok, "a link");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
    let report = relayed_report(&run);
    let f = at(report["findings"].as_array().unwrap(), "creds");
    assert_eq!(f["source"], "symlink");
    assert_eq!(f["commit"], leaking.as_str());
}

// --- pre-push ---------------------------------------------------------

/// `git push` with a pre-push hook writing the JSON report to
/// `report.json`.
fn push_with_pre_push(repo: &Repo, args: &[&str]) -> (common::Run, Value) {
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
    let mut all = vec!["push"];
    all.extend_from_slice(args);
    let run = repo.git_run(&all);
    let text = std::fs::read_to_string(&report).expect("report written");
    (run, serde_json::from_str(&text).expect("JSON report"))
}

#[test]
fn pre_push_blocks_leaks_in_commit_and_tag_messages() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);

    let tok = token();
    let leaking = commit_message(&repo, &format!("fix\n\nBearer {tok}"));
    let (run, report) = push_with_pre_push(&repo, &["-q", "origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert_ne!(server.rev(&repo, "refs/heads/main"), Some(leaking.clone()));
    let f = at(report["findings"].as_array().unwrap(), "<commit message>");
    assert_eq!(f["source"], "commit_message");
    assert_eq!(f["commit"], leaking.as_str());

    // Reworded: the push goes through; then a leaking tag does not.
    repo.git(&["commit", "-q", "--amend", "--allow-empty", "-m", "fix"]);
    let (run, _) = push_with_pre_push(&repo, &["-q", "origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let other = token();
    repo.git(&["tag", "-a", "v3", "-m", &other]);
    let (run, report) = push_with_pre_push(&repo, &["-q", "origin", "v3"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert_eq!(server.rev(&repo, "refs/tags/v3"), None);
    let f = at(report["findings"].as_array().unwrap(), "<tag v3>");
    assert_eq!(f["source"], "tag_message");
}

#[cfg(unix)]
#[test]
fn pre_push_blocks_a_leak_in_a_symlink_target() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);
    let tok = token();
    let leaking = commit_link(&repo, "creds", &tok, "a link");
    let (run, report) = push_with_pre_push(&repo, &["-q", "origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert_ne!(server.rev(&repo, "refs/heads/main"), Some(leaking.clone()));
    let f = at(report["findings"].as_array().unwrap(), "creds");
    assert_eq!(f["source"], "symlink");
    assert_eq!(f["commit"], leaking.as_str());
}

// --- history ----------------------------------------------------------

/// A history with one leak of each kind, and the commits that hold them.
struct Leaks {
    repo: Repo,
    secrets: Vec<String>,
    message_commit: String,
    link_commit: Option<String>,
}

fn leaks() -> Leaks {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let (in_message, in_tag, in_link) = (token(), token(), token());
    let message_commit =
        commit_message(&repo, &format!("wip\n\nINTERCOM_ACCESS_TOKEN={in_message}"));
    repo.git(&[
        "tag",
        "-a",
        "v1.2",
        "-m",
        &format!("release notes\n{in_tag}"),
    ]);
    #[cfg(unix)]
    let link_commit = Some(commit_link(&repo, "creds", &in_link, "a link"));
    #[cfg(not(unix))]
    let link_commit = None;
    repo.write("README.md", "hi again\n");
    repo.commit_all("clean");
    Leaks {
        repo,
        secrets: vec![in_message, in_tag, in_link],
        message_commit,
        link_commit,
    }
}

fn history_json(repo: &Repo, args: &[&str]) -> common::Run {
    let mut all = vec!["history", "--format", "json"];
    all.extend_from_slice(args);
    repo.guard(&all)
}

fn assert_every_leak(l: &Leaks, run: &common::Run) {
    run.assert_code(1);
    for secret in &l.secrets {
        assert_never_printed(run, secret);
    }
    let findings = run.findings();
    let m = at(&findings, "<commit message>");
    assert_eq!(m["source"], "commit_message");
    assert_eq!(m["commit"], l.message_commit.as_str());
    assert_eq!(m["line"], 3);
    assert_eq!(m["author"], "Test Author <author@example.com>");
    let t = at(&findings, "<tag v1.2>");
    assert_eq!(t["source"], "tag_message");
    assert_eq!(t["line"], 2);
    if let Some(link_commit) = &l.link_commit {
        let s = at(&findings, "creds");
        assert_eq!(s["source"], "symlink");
        assert_eq!(s["commit"], link_commit.as_str());
        assert_eq!(findings.len(), 3, "{findings:?}");
    }
}

#[test]
fn history_reports_messages_and_link_targets_loose_and_packed() {
    let l = leaks();
    assert_every_leak(&l, &history_json(&l.repo, &[]));
    assert_every_leak(&l, &history_json(&l.repo, &["--all-objects"]));

    // SARIF carries the source too; human output says where.
    let sarif = l.repo.guard(&["history", "--format", "sarif"]);
    sarif.assert_code(1);
    let doc: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let mut sources: Vec<String> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["source"].as_str().unwrap_or("").to_owned())
        .collect();
    sources.sort();
    let mut expected = vec!["commit_message", "tag_message"];
    if l.link_commit.is_some() {
        expected.insert(0, "symlink");
        expected.sort();
    }
    assert_eq!(sources, expected);
    let human = l.repo.guard(&["history", "--color", "never"]);
    human.assert_code(1);
    assert!(human.all().contains("<commit message>:3:23"), "{human:?}");
    assert!(human.all().contains("<tag v1.2>:2:1"), "{human:?}");

    // Packed: the sweep meets the commits and the tag in the pack.
    l.repo.git(&["gc", "-q"]);
    let packs = l.repo.git(&["count-objects", "-v"]);
    assert!(packs.contains("count: 0"), "all packed: {packs}");
    assert_every_leak(&l, &history_json(&l.repo, &[]));
}

#[test]
fn history_of_a_range_reads_its_commit_and_tag_messages_only() {
    let l = leaks();
    // The message commit and the tag on it are in the range.
    let from = format!("{}~1", l.message_commit);
    let run = history_json(&l.repo, &[&format!("{from}..{}", l.message_commit)]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(
        at(&findings, "<commit message>")["commit"],
        l.message_commit.as_str()
    );
    at(&findings, "<tag v1.2>");
    // Past it: neither.
    let run = history_json(&l.repo, &[&format!("{}..HEAD", l.message_commit)]);
    let findings = run.findings();
    assert!(
        findings.iter().all(|f| f["source"] == "symlink"),
        "{findings:?}"
    );
}

#[test]
fn a_message_of_an_unreachable_commit_needs_all_objects() {
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let tok = token();
    let tree = repo.git(&["write-tree"]).trim().to_owned();
    let dangling = repo
        .git(&["commit-tree", &tree, "-m", &format!("lost {tok}")])
        .trim()
        .to_owned();
    let run = history_json(&repo, &[]);
    run.assert_code(0);
    let run = history_json(&repo, &["--all-objects"]);
    run.assert_code(1);
    let f = at(&run.findings(), "<commit message>").clone();
    assert_eq!(f["commit"], dangling.as_str());
    assert_never_printed(&run, &tok);
}
