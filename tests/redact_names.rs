//! A token in a file name or an author is redacted in the human and plain
//! reports (finding headers, guidance commands, problems, doctor's details,
//! commit lines, a server's `remote:` lines); JSON and SARIF keep paths
//! exact (tools match on them) and redact authors.

mod common;
mod support_push;

use common::{Repo, Run, Scratch, token};
use intercom_guard::redact::redact;
use support_push::{Server, push, remote_lines};

fn assert_no(run: &Run, text: &str, secrets: &[&str]) {
    run.assert_no_panic();
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} printed in full: {run:?}");
    }
}

/// Commit everything with `author` as the author's name.
fn commit_as(repo: &Repo, author: &str) {
    repo.git(&["add", "-A"]);
    let run = repo.git_run_with(&["commit", "-q", "--no-verify", "-m", "leak"], |c| {
        c.env("GIT_AUTHOR_NAME", author);
    });
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn scan_redacts_a_token_in_a_file_name_but_json_keeps_the_path() {
    let (name_tok, secret) = (token(), token());
    let scratch = Scratch::new();
    let path = format!("{name_tok}.env");
    scratch.write(&path, format!("INTERCOM_ACCESS_TOKEN={secret}\n"));
    let human = scratch.guard(&["scan", ".", "--color", "never"]);
    human.assert_code(1);
    assert_no(&human, &human.all(), &[&name_tok, &secret]);
    assert!(human.stdout.contains("dG9rO"), "{human:?}");
    let shown = format!("./{}.env", redact(name_tok.as_bytes()));
    assert!(
        human
            .stdout
            .contains(&format!("Take the value out of {shown}")),
        "the guidance names the file, redacted: {human:?}"
    );

    let json = scratch.guard(&["scan", ".", "--format", "json"]);
    json.assert_code(1);
    assert_eq!(json.findings()[0]["path"], format!("./{path}").as_str());
    let sarif = scratch.guard(&["scan", ".", "--format", "sarif"]);
    sarif.assert_code(1);
    // The URI percent-encodes the `=` padding.
    let uri = format!("{}%3D.env", name_tok.trim_end_matches('='));
    assert!(
        sarif.stdout.contains(&uri),
        "SARIF keeps the path: {sarif:?}"
    );
}

#[test]
fn problems_redact_a_token_in_a_path_but_json_keeps_it() {
    let name_tok = token();
    let scratch = Scratch::new();
    let missing = format!("{name_tok}.txt");
    let human = scratch.guard(&["scan", &missing, "--color", "never"]);
    human.assert_code(2);
    assert_no(&human, &human.all(), &[&name_tok]);
    assert!(human.stderr.contains("cannot read"), "{human:?}");

    let json = scratch.guard(&["scan", &missing, "--format", "json"]);
    json.assert_code(2);
    let problem = &json.json()["problems"][0];
    assert_eq!(problem["path"], missing.as_str(), "{json:?}");
    assert!(
        !problem["message"].as_str().unwrap().contains(&name_tok),
        "{json:?}"
    );
    assert_no(&json, &json.stderr, &[&name_tok]);
}

#[test]
fn pre_commit_redacts_a_token_in_a_file_name() {
    let (name_tok, secret) = (token(), token());
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    repo.install_hook();
    repo.stage(
        &format!("config/{name_tok}/app.yaml"),
        format!("intercom_access_token: {secret}\n"),
    );
    let run = repo.git_run(&["commit", "-m", "leak"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_no(&run, &run.all(), &[&name_tok, &secret]);
    assert!(run.stderr.contains("config/dG9rO"), "{run:?}");
}

#[test]
fn history_redacts_file_names_and_authors_json_keeps_the_path() {
    let (name_tok, author_tok, secret) = (token(), token(), token());
    let repo = Repo::new();
    let path = format!("{name_tok}.env");
    repo.write(&path, format!("INTERCOM_ACCESS_TOKEN={secret}\n"));
    commit_as(&repo, &author_tok);
    let human = repo.guard(&["history", "--color", "never"]);
    human.assert_code(1);
    assert_no(&human, &human.all(), &[&name_tok, &author_tok, &secret]);
    assert!(human.stdout.contains("by dG9rO"), "the author: {human:?}");

    let json = repo.guard(&["history", "--format", "json"]);
    json.assert_code(1);
    let finding = &json.findings()[0];
    assert_eq!(finding["path"], path.as_str());
    assert!(
        finding["author"]
            .as_str()
            .unwrap()
            .contains("<author@example.com>"),
        "{json:?}"
    );
    assert_no(&json, &json.all(), &[&author_tok, &secret]);
    let sarif = repo.guard(&["history", "--format", "sarif"]);
    assert_no(&sarif, &sarif.all(), &[&author_tok, &secret]);
}

#[test]
fn pre_receive_redacts_file_names_and_authors_in_remote_lines() {
    let (name_tok, author_tok, secret) = (token(), token(), token());
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    server.install_hook("");
    repo.write(
        format!("{name_tok}.env"),
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    commit_as(&repo, &author_tok);
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_no(&run, &run.all(), &[&name_tok, &author_tok, &secret]);
    let relayed = remote_lines(&run).join("\n");
    assert!(relayed.contains("author  dG9rO"), "{run:?}");
    assert!(relayed.contains("file    dG9rO"), "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
}

#[test]
fn doctor_redacts_a_token_in_a_file_name() {
    let (name_tok, secret) = (token(), token());
    let repo = Repo::new();
    repo.write(
        format!("{name_tok}.txt"),
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    repo.commit_all("leak");
    let run = repo.guard(&["doctor", "--color", "never"]);
    assert_eq!(run.code, 1, "the secret at HEAD fails: {run:?}");
    assert_no(&run, &run.all(), &[&name_tok, &secret]);
    assert!(run.stdout.contains("dG9rO"), "{run:?}");
}
