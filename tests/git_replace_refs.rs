//! Replacement objects (`git replace`, `refs/replace/*`) never hide a
//! secret: every mode reads the object stored under an id, as git does with
//! `GIT_NO_REPLACE_OBJECTS`, never what a replace ref says to show instead.
//! Real repositories, real `git replace`, real pushes.

mod common;
mod support_push;

use std::io::Write as _;
use std::process::Stdio;

use common::{Repo, Run, bin, token};
use support_push::{Server, push};

/// A blob written into the object database with `git hash-object -w`.
fn write_blob(repo: &Repo, content: &str) -> String {
    hash_blob(repo, content, true)
}

/// The id `content` has as a blob, written (`-w`) or not.
fn hash_blob(repo: &Repo, content: &str, write: bool) -> String {
    let mut args = vec!["hash-object", "--stdin"];
    if write {
        args.push("-w");
    }
    let mut child = repo
        .command("git")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn git hash-object");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(content.as_bytes())
        .expect("feed git hash-object");
    let out = child.wait_with_output().expect("git hash-object");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn leak(secret: &str) -> String {
    format!("INTERCOM_ACCESS_TOKEN={secret}\n")
}

/// The commit ids of the JSON findings of `run`.
fn commits(run: &Run) -> Vec<String> {
    run.findings()
        .iter()
        .map(|f| f["commit"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A repository whose committed leak is hidden behind a replacement of
/// its blob by a clean one: `git show HEAD:app.env` prints the clean text.
fn replaced_blob(secret: &str) -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.write("app.env", leak(secret));
    repo.commit_all("add env");
    let leaking = repo.git(&["rev-parse", "HEAD:app.env"]).trim().to_owned();
    let clean = write_blob(&repo, "INTERCOM_ACCESS_TOKEN=<set me>\n");
    repo.git(&["replace", &leaking, &clean]);
    assert!(
        !repo.git(&["show", "HEAD:app.env"]).contains(secret),
        "git itself now shows the clean blob"
    );
    repo
}

#[test]
fn history_reads_a_replaced_blob_itself() {
    let secret = token();
    let repo = replaced_blob(&secret);
    let head = repo.head();
    for args in [
        &["history", "--format", "json"][..],
        &["history", "--format", "json", "--all-objects"],
        &["history", "--format", "json", "HEAD~1..HEAD"],
    ] {
        let run = repo.guard(args);
        run.assert_code(1);
        assert_eq!(
            commits(&run),
            std::slice::from_ref(&head),
            "{args:?}: {run:?}"
        );
        assert!(!run.all().contains(&secret), "{run:?}");
    }
}

#[test]
fn history_reads_a_replaced_commit_itself_here_and_in_a_mirror() {
    let secret = token();
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let init = repo.head();
    repo.write("app.env", leak(&secret));
    repo.commit_all("add env");
    let leaking = repo.head();
    // A clean commit in its place: same parent, the tree of `init`.
    let tree = repo.git(&["rev-parse", "HEAD~1^{tree}"]).trim().to_owned();
    let clean = repo
        .git(&["commit-tree", &tree, "-p", &init, "-m", "add env"])
        .trim()
        .to_owned();
    repo.git(&["replace", &leaking, &clean]);
    assert!(
        repo.git(&["ls-tree", "-r", "HEAD"]).contains("README.md")
            && !repo.git(&["ls-tree", "-r", "HEAD"]).contains("app.env"),
        "git itself now shows the clean commit"
    );

    let run = repo.guard(&["history", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(commits(&run), std::slice::from_ref(&leaking), "{run:?}");

    // `git clone --mirror` copies `refs/replace/*` along.
    let mirror = repo.path().parent().unwrap().join("mirror.git");
    repo.git(&[
        "clone",
        "-q",
        "--mirror",
        repo.path().to_str().unwrap(),
        mirror.to_str().unwrap(),
    ]);
    let replace_refs = repo.git(&[
        "--git-dir",
        mirror.to_str().unwrap(),
        "for-each-ref",
        "refs/replace/",
    ]);
    assert!(replace_refs.contains(&leaking), "{replace_refs}");
    let run = repo.guard_with(&["history", "--format", "json"], |c| {
        c.current_dir(&mirror);
    });
    run.assert_code(1);
    assert_eq!(commits(&run), [leaking], "{run:?}");
}

#[test]
fn pre_commit_reads_the_staged_blob_not_its_replacement() {
    let secret = token();
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let leaking = hash_blob(&repo, &leak(&secret), false);
    let clean = write_blob(&repo, "INTERCOM_ACCESS_TOKEN=<set me>\n");
    // A replace ref may name an object the repository does not have yet.
    repo.git(&["update-ref", &format!("refs/replace/{leaking}"), &clean]);
    repo.stage("app.env", leak(&secret));
    assert_eq!(
        repo.git(&["ls-files", "-s", "app.env"])
            .split_whitespace()
            .nth(1),
        Some(leaking.as_str())
    );

    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(run.findings().len(), 1, "{run:?}");
    assert_eq!(run.findings()[0]["path"], "app.env");
}

#[test]
fn pre_push_reads_the_pushed_blob_not_its_replacement() {
    let secret = token();
    let repo = replaced_blob(&secret);
    let server = Server::new(&repo);
    repo.guard_with(&["install", "--hook", "pre-push"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    })
    .assert_code(0);
    let run = repo.git_run_with(&["push", "origin", "main"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    });
    assert_ne!(run.code, 0, "the push must be refused: {run:?}");
    assert!(!run.all().contains(&secret), "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None, "nothing lands");
}

#[test]
fn doctor_reads_the_files_at_head_not_their_replacements() {
    let secret = token();
    let repo = replaced_blob(&secret);
    let run = repo.guard(&["doctor", "--format", "json"]);
    let check = run.json()["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "secrets-at-head")
        .cloned()
        .expect("secrets-at-head check");
    assert_eq!(check["status"], "fail", "{run:?}");
    assert!(!run.all().contains(&secret), "{run:?}");
}

/// A pusher who first pushes `refs/replace/<id of a leaking blob>` (an id
/// anyone can compute before the blob exists) pointing at a clean blob,
/// then the leak itself: the server reads the pushed blob.
#[test]
fn pre_receive_reads_the_pushed_blob_not_a_pushed_replacement() {
    let secret = token();
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    server.install_hook("");
    push(&repo, &["origin", "main"]).assert_code(0);

    let leaking = hash_blob(&repo, &leak(&secret), false);
    let clean = write_blob(&repo, "INTERCOM_ACCESS_TOKEN=<set me>\n");
    let replace = format!("refs/replace/{leaking}");
    repo.git(&["update-ref", &replace, &clean]);
    push(&repo, &["origin", &format!("{replace}:{replace}")]).assert_code(0);
    assert_eq!(server.rev(&repo, &replace), Some(clean));

    repo.write("app.env", leak(&secret));
    repo.commit_all("add env");
    let before = server.rev(&repo, "refs/heads/main");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "the push must be refused: {run:?}");
    assert!(run.stderr.contains("PUSH REJECTED"), "{run:?}");
    assert!(!run.all().contains(&secret), "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), before);
}
