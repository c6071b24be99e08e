//! `intercom-guard pre-receive` through real pushes into a bare repository
//! whose `hooks/pre-receive` runs the built binary. The pushed objects sit in
//! git's quarantine while the hook runs, so every test here also proves that
//! the quarantine is read.

mod common;
mod support_push;

use common::{Repo, lines, token};
use support_push::{Server, fast_commits, guard_in, push, remote_lines};

fn app_js(secret: &str) -> String {
    lines(&[
        "const client = require('./client');",
        "",
        &format!("client.headers = {{ Authorization: 'Bearer {secret}' }};"),
    ])
}

/// A work repository with one clean commit, and a server with the hook.
fn setup(hook_args: &str) -> (Repo, Server) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    server.install_hook(hook_args);
    (repo, server)
}

fn assert_refused(run: &common::Run, secret: &str) {
    assert_ne!(run.code, 0, "the push must be refused: {run:?}");
    assert!(
        run.stderr.contains("PUSH REJECTED"),
        "the pusher sees why: {run:?}"
    );
    assert!(
        !run.all().contains(secret),
        "the secret is never printed in full: {run:?}"
    );
    assert!(!run.all().contains("panicked"), "{run:?}");
}

#[test]
fn clean_push_passes_and_lands() {
    let (repo, server) = setup("");
    repo.write("src/app.js", app_js("<your-token>"));
    repo.commit_all("clean");
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));
    let relayed = remote_lines(&run).join("\n");
    assert!(
        relayed.contains("no Intercom secrets in the pushed commits"),
        "{run:?}"
    );
}

#[test]
fn leak_in_the_tip_is_refused_with_commit_author_path_and_line() {
    let (repo, server) = setup("");
    repo.git(&["push", "-q", "origin", "main"]);
    let before = server.rev(&repo, "refs/heads/main");
    let tok = token();
    repo.write("src/app.js", app_js(&tok));
    repo.commit_all("add client");
    let head = repo.head();

    let run = push(&repo, &["origin", "main"]);
    assert_refused(&run, &tok);
    assert_eq!(
        server.rev(&repo, "refs/heads/main"),
        before,
        "nothing lands"
    );
    assert_ne!(
        server.git(&repo, &["cat-file", "-e", &head]).code,
        0,
        "the quarantined objects are gone"
    );

    let relayed = remote_lines(&run);
    let text = relayed.join("\n");
    assert!(text.contains(&head[..12]), "short id: {text}");
    assert!(text.contains(&head), "full id: {text}");
    assert!(
        text.contains("Test Author <author@example.com>"),
        "author: {text}"
    );
    assert!(
        text.contains("src/app.js  line 3, column"),
        "path and line: {text}"
    );
    assert!(
        text.contains("'Bearer dG9rO") && text.contains("…OjA=' };"),
        "the line is shown with the token redacted: {text}"
    );
    assert!(
        text.contains("not published yet"),
        "the committed-not-pushed guidance: {text}"
    );
    assert!(!run.stderr.contains('\u{1b}'), "no colour: {run:?}");
    for c in ['│', '╭', '╰', '×'] {
        assert!(!text.contains(c), "no box drawing ({c}): {text}");
    }
    for line in &relayed {
        assert!(
            line.chars().count() <= 110,
            "too wide behind `remote: `: {line}"
        );
    }
}

#[test]
fn json_report_names_the_commit_author_and_date() {
    let (repo, server) = setup("--format json");
    let tok = token();
    repo.write("config/.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("env");
    let head = repo.head();
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
    let json_line = remote_lines(&run)
        .into_iter()
        .find(|l| l.starts_with("{\"version\""))
        .unwrap_or_else(|| panic!("no JSON report relayed: {run:?}"));
    let report: serde_json::Value = serde_json::from_str(&json_line).expect("JSON");
    let f = &report["findings"][0];
    assert_eq!(f["path"], "config/.env");
    assert_eq!(f["line"], 1);
    assert_eq!(f["commit"], head.as_str());
    assert_eq!(f["author"], "Test Author <author@example.com>");
    assert_eq!(f["date"], "2024-01-02T03:04:05+00:00");
    assert!(!json_line.contains(&tok));
}

#[test]
fn leak_deep_in_a_300_commit_push_is_refused() {
    let (repo, server) = setup("--format json");
    let tok = token();
    let ids = fast_commits(&repo, 300, |i| {
        (i == 37).then(|| {
            (
                "deploy/secrets.env".to_owned(),
                format!("INTERCOM_TOKEN={tok}\n"),
            )
        })
    });
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&tok));
    assert_eq!(server.rev(&repo, "refs/heads/main"), None, "nothing lands");
    let json_line = remote_lines(&run)
        .into_iter()
        .find(|l| l.starts_with("{\"version\""))
        .expect("JSON report");
    let report: serde_json::Value = serde_json::from_str(&json_line).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["commit"], ids[36].as_str());
    assert_eq!(findings[0]["path"], "deploy/secrets.env");
    // Each distinct blob once: 300 versions of the 50 files, the secret
    // file, and README.md of the first commit.
    assert_eq!(report["stats"]["blobs"], 302, "{report}");
}

#[test]
fn secret_added_then_removed_in_the_same_push_is_still_refused() {
    let (repo, server) = setup("--format json");
    repo.git(&["push", "-q", "origin", "main"]);
    let tok = token();
    repo.write("src/app.js", app_js(&tok));
    repo.commit_all("oops");
    let leaking = repo.head();
    repo.write("src/app.js", app_js("process.env.INTERCOM_ACCESS_TOKEN"));
    repo.commit_all("remove the token");
    let before = server.rev(&repo, "refs/heads/main");

    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "history keeps it: {run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), before);
    let json_line = remote_lines(&run)
        .into_iter()
        .find(|l| l.starts_with("{\"version\""))
        .expect("JSON report");
    assert!(json_line.contains(&leaking), "{json_line}");
    assert!(!run.all().contains(&tok));
}

#[test]
fn force_push_of_a_rewritten_leaking_branch_is_refused() {
    let (repo, server) = setup("");
    repo.write("a.txt", "one\n");
    repo.commit_all("one");
    repo.git(&["push", "-q", "origin", "main"]);
    let before = server.rev(&repo, "refs/heads/main");
    let tok = token();
    repo.write("a.txt", format!("one\nkey: {tok}\n"));
    repo.git(&["add", "a.txt"]);
    repo.git(&["commit", "-q", "--amend", "--no-edit", "--no-verify"]);
    let run = push(&repo, &["--force", "origin", "main"]);
    assert_refused(&run, &tok);
    assert_eq!(server.rev(&repo, "refs/heads/main"), before);
}

#[test]
fn annotated_and_lightweight_tags_are_scanned() {
    let (repo, server) = setup("");
    repo.git(&["push", "-q", "origin", "main"]);
    // A tag on a leaking commit that no branch carries.
    repo.git(&["checkout", "-q", "-b", "side"]);
    let tok = token();
    repo.write("side.yaml", format!("intercom:\n  token: {tok}\n"));
    repo.commit_all("side");
    repo.git(&["tag", "-a", "-m", "release", "v1"]);
    repo.git(&["tag", "light"]);
    repo.git(&["checkout", "-q", "main"]);

    let run = push(&repo, &["origin", "refs/tags/v1"]);
    assert_refused(&run, &tok);
    assert_eq!(server.rev(&repo, "refs/tags/v1"), None);
    let run = push(&repo, &["origin", "refs/tags/light"]);
    assert_refused(&run, &tok);
    assert_eq!(server.rev(&repo, "refs/tags/light"), None);

    // A clean annotated tag on a commit the server has passes.
    repo.git(&["tag", "-a", "-m", "clean", "v0", "main"]);
    let run = push(&repo, &["origin", "refs/tags/v0"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(server.rev(&repo, "refs/tags/v0").is_some());
}

#[test]
fn a_tag_pointing_at_a_leaking_blob_is_refused() {
    let (repo, server) = setup("");
    repo.git(&["push", "-q", "origin", "main"]);
    let tok = token();
    repo.write("loose.txt", format!("token={tok}\n"));
    let blob = repo
        .git(&["hash-object", "-w", "loose.txt"])
        .trim()
        .to_owned();
    repo.remove("loose.txt");
    repo.git(&["tag", "blobtag", &blob]);
    let run = push(&repo, &["origin", "refs/tags/blobtag"]);
    assert_refused(&run, &tok);
    assert_eq!(server.rev(&repo, "refs/tags/blobtag"), None);
}

#[test]
fn deletion_and_several_refs_at_once() {
    let (repo, server) = setup("");
    repo.git(&["branch", "feature"]);
    repo.git(&["push", "-q", "origin", "main", "feature"]);
    let run = push(&repo, &["origin", ":feature"]);
    assert_eq!(run.code, 0, "a deletion scans nothing: {run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/feature"), None);

    // Two refs in one push, one of them leaking: neither lands.
    repo.git(&["checkout", "-q", "-b", "clean"]);
    repo.write("ok.txt", "fine\n");
    repo.commit_all("clean");
    repo.git(&["checkout", "-q", "-b", "dirty", "main"]);
    let tok = token();
    repo.write("bad.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("dirty");
    let run = push(&repo, &["origin", "clean", "dirty"]);
    assert_refused(&run, &tok);
    assert_eq!(server.rev(&repo, "refs/heads/clean"), None);
    assert_eq!(server.rev(&repo, "refs/heads/dirty"), None);

    // Several clean refs at once land together.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-f", "dirty", "clean"]);
    let run = push(&repo, &["origin", "clean", "dirty", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(server.rev(&repo, "refs/heads/clean").is_some());
    assert!(server.rev(&repo, "refs/heads/dirty").is_some());
}

#[test]
fn a_pushed_config_cannot_allowlist_its_own_secret() {
    let (repo, server) = setup("");
    repo.git(&["push", "-q", "origin", "main"]);
    let before = server.rev(&repo, "refs/heads/main");
    let tok = token();
    repo.write(
        ".intercom-guard.yaml",
        lines(&["allow:", "  paths: [\"**\"]", "inline_allow: true"]),
    );
    repo.write(
        "src/app.js",
        format!("const t = '{tok}'; // intercom-guard:allow\n"),
    );
    repo.commit_all("try to wave it through");
    let run = push(&repo, &["origin", "main"]);
    assert_refused(&run, &tok);
    assert!(remote_lines(&run).join("\n").contains("src/app.js"));
    assert_eq!(server.rev(&repo, "refs/heads/main"), before);
}

#[test]
fn a_new_branch_over_commits_the_server_has_scans_nothing() {
    let repo = Repo::new();
    let tok = token();
    repo.write("old.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("history from before the hook");
    repo.write("README.md", "more\n");
    repo.commit_all("more");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);
    server.install_hook("--format json");

    let run = push(
        &repo,
        &["origin", "main:refs/heads/copy", "HEAD~1:refs/heads/older"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let json_line = remote_lines(&run)
        .into_iter()
        .find(|l| l.starts_with("{\"version\""))
        .expect("JSON report");
    let report: serde_json::Value = serde_json::from_str(&json_line).unwrap();
    assert_eq!(report["stats"]["blobs"], 0, "nothing scanned: {report}");
    assert!(server.rev(&repo, "refs/heads/copy").is_some());
}

#[test]
fn an_old_secret_on_an_untouched_line_does_not_block_a_new_commit() {
    let repo = Repo::new();
    let tok = token();
    repo.write(
        "conf.env",
        lines(&["A=1", &format!("INTERCOM_ACCESS_TOKEN={tok}")]),
    );
    repo.commit_all("old");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);
    server.install_hook("");
    repo.write(
        "conf.env",
        lines(&["A=2", &format!("INTERCOM_ACCESS_TOKEN={tok}"), "B=3"]),
    );
    repo.git(&["mv", "conf.env", "settings.env"]);
    repo.commit_all("edit and rename");
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn scanned_commits_match_git_rev_list_new_not_all() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);
    server.install_recording_hook();

    // Every new commit adds a token of its own, so the commits of the
    // findings are exactly the commits scanned.
    let leak = |repo: &Repo, msg: &str| {
        repo.write(
            format!("{msg}.env"),
            format!("INTERCOM_ACCESS_TOKEN={}\n", token()),
        );
        repo.commit_all(msg);
    };
    leak(&repo, "m1");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    leak(&repo, "t1");
    leak(&repo, "t2");
    repo.git(&["checkout", "-q", "main"]);
    leak(&repo, "m2");
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "topic"]);
    repo.write("merge.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "merge with its own leak",
    ]);
    repo.git(&["checkout", "-q", "-b", "other", "topic~1"]);
    leak(&repo, "o1");
    repo.git(&["tag", "-a", "-m", "t", "vtag", "topic"]);

    let run = push(
        &repo,
        &["origin", "main", "topic", "other", "refs/tags/vtag"],
    );
    assert_ne!(run.code, 0, "{run:?}");
    let expected = server.expected_commits();
    assert_eq!(expected.len(), 6, "{expected:?}");
    let report = server.report();
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["commit"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    found.dedup();
    assert_eq!(found, expected);
    assert_eq!(report["findings"].as_array().unwrap().len(), 6);
}

#[test]
fn malformed_stdin_exits_2_and_fail_open_lets_it_through() {
    let (repo, server) = setup("");
    let bad = guard_in(&repo, &server.path, &["pre-receive"], b"not a ref update\n");
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("line 1"), "{bad:?}");
    assert!(
        bad.stderr.contains("<old-id> <new-id> <ref-name>"),
        "{bad:?}"
    );
    assert!(!bad.stderr.contains("panicked"));
    let open = guard_in(
        &repo,
        &server.path,
        &["pre-receive", "--fail-open"],
        b"not a ref update\n",
    );
    assert_eq!(open.code, 0, "{open:?}");
    assert!(open.stderr.contains("NOT checked"), "{open:?}");
}

#[test]
fn admin_bypass_lets_a_push_through_with_a_warning() {
    let (repo, server) = setup("");
    let tok = token();
    repo.write("a.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("leak");
    assert!(
        server
            .git(&repo, &["config", "intercom-guard.bypass", "true"])
            .code
            == 0
    );
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("NOT checked"), "{run:?}");
    assert!(!run.all().contains(&tok));
    server.git(&repo, &["config", "--unset", "intercom-guard.bypass"]);
    repo.write("b.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.commit_all("leak again");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "bypass off again: {run:?}");
}

#[test]
fn the_servers_own_config_from_git_config_is_honoured() {
    let (repo, server) = setup("");
    repo.git(&["push", "-q", "origin", "main"]);
    // Relative to the server's git directory.
    std::fs::write(
        server.path.join("guard.yaml"),
        lines(&["allow:", "  paths: [\"fixtures/**\"]", "inline_allow: true"]),
    )
    .unwrap();
    assert_eq!(
        server
            .git(&repo, &["config", "intercom-guard.config", "guard.yaml"])
            .code,
        0
    );
    repo.write(
        "fixtures/sample.env",
        format!("INTERCOM_ACCESS_TOKEN={}\n", token()),
    );
    repo.write(
        "src/doc.js",
        format!("const t = '{}'; // intercom-guard:allow\n", token()),
    );
    repo.commit_all("allowed by the server");
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");

    // A configured file that disappears refuses pushes (exit 2), never
    // silently accepts them.
    std::fs::remove_file(server.path.join("guard.yaml")).unwrap();
    repo.write("b.txt", "clean\n");
    repo.commit_all("clean");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    let text = remote_lines(&run).join("\n");
    assert!(text.contains("intercom-guard.config"), "{text}");
    assert!(text.contains("could not be checked"), "{text}");
}

#[test]
fn scanned_commits_match_git_with_old_tags_and_skewed_clocks() {
    let repo = Repo::new();
    let commit_at = |repo: &Repo, msg: &str, date: &str| {
        repo.git(&["add", "-A"]);
        repo.git_run_with(&["commit", "-q", "--no-verify", "-m", msg], |c| {
            c.env("GIT_COMMITTER_DATE", date)
                .env("GIT_AUTHOR_DATE", date);
        });
    };
    for i in 0..30 {
        repo.write("history.txt", format!("line {i}\n"));
        commit_at(
            &repo,
            &format!("h{i}"),
            &format!("2024-02-{:02}T00:00:00Z", i % 28 + 1),
        );
        if i % 7 == 0 {
            repo.git(&["tag", &format!("old{i}")]);
        }
    }
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    server.install_recording_hook();

    // New commits dated long before the server's: one on main, one on a
    // branch from an old tag, and a merge of that branch.
    repo.write("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    commit_at(&repo, "skewed on main", "2001-01-01T00:00:00Z");
    repo.git(&["checkout", "-q", "-b", "from-old", "old7"]);
    repo.write("b.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    commit_at(&repo, "skewed on an old tag", "2030-01-01T00:00:00Z");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "from-old"]);
    repo.write("c.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    commit_at(&repo, "merge", "1999-01-01T00:00:00Z");

    let run = push(
        &repo,
        &["origin", "main", "from-old", "old14:refs/heads/old-again"],
    );
    assert_ne!(run.code, 0, "{run:?}");
    let expected = server.expected_commits();
    assert_eq!(expected.len(), 3, "{expected:?}");
    let report = server.report();
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["commit"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    found.dedup();
    assert_eq!(found, expected);
}
