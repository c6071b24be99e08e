//! `pre-receive` in a non-bare server repository: git runs the hook inside
//! `.git` with `GIT_DIR=.`, and the hook opens that directory (not a
//! `.git` inside it). Real pushes, into the checked-out branch
//! (`receive.denyCurrentBranch=updateInstead`) and into another one.

mod common;

use std::path::PathBuf;

use common::{Repo, Run, bin, token};

/// A non-bare repository next to `repo`'s work tree, with one commit, our
/// hook as `.git/hooks/pre-receive`, and `origin` of `repo`.
fn non_bare_server(repo: &Repo) -> PathBuf {
    let path = repo.path().parent().unwrap().join("server");
    let dir = path.to_str().unwrap();
    repo.git(&["init", "-q", "-b", "main", dir]);
    repo.git(&[
        "-C",
        dir,
        "config",
        "receive.denyCurrentBranch",
        "updateInstead",
    ]);
    std::fs::write(path.join("README.md"), "hello\n").unwrap();
    repo.git(&["-C", dir, "add", "README.md"]);
    repo.git(&["-C", dir, "commit", "-q", "-m", "init"]);
    let hook = path.join(".git/hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!("#!/bin/sh\nexec '{}' pre-receive --color never\n", bin()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    repo.git(&["remote", "add", "origin", dir]);
    repo.git(&["fetch", "-q", "origin"]);
    repo.git(&["reset", "-q", "--hard", "origin/main"]);
    path
}

fn server_rev(repo: &Repo, server: &std::path::Path, reference: &str) -> Option<String> {
    let run = repo.git_run(&[
        "-C",
        server.to_str().unwrap(),
        "rev-parse",
        "--verify",
        "-q",
        reference,
    ]);
    (run.code == 0).then(|| run.stdout.trim().to_owned())
}

fn push(repo: &Repo, refspec: &str) -> Run {
    repo.git_run(&["push", "--porcelain", "origin", refspec])
}

fn assert_refused(run: &Run, secret: &str) {
    assert_ne!(run.code, 0, "the push must be refused: {run:?}");
    assert!(run.stderr.contains("PUSH REJECTED"), "{run:?}");
    assert!(!run.all().contains(secret), "{run:?}");
    assert!(!run.stderr.contains("cannot open"), "{run:?}");
}

#[test]
fn pushes_into_the_checked_out_branch_are_checked() {
    let repo = Repo::new();
    let server = non_bare_server(&repo);

    repo.write("src/app.js", "const token = process.env.TOKEN;\n");
    repo.commit_all("clean");
    let run = push(&repo, "main");
    assert_eq!(run.code, 0, "a clean push is accepted: {run:?}");
    assert_eq!(server_rev(&repo, &server, "main"), Some(repo.head()));
    assert!(
        server.join("src/app.js").is_file(),
        "updateInstead checked it out"
    );

    let secret = token();
    repo.write("app.env", format!("INTERCOM_ACCESS_TOKEN={secret}\n"));
    repo.commit_all("leak");
    let before = server_rev(&repo, &server, "main");
    let run = push(&repo, "main");
    assert_refused(&run, &secret);
    assert_eq!(server_rev(&repo, &server, "main"), before, "nothing lands");
    assert!(!server.join("app.env").exists());
}

#[test]
fn pushes_into_another_branch_are_checked() {
    let repo = Repo::new();
    let server = non_bare_server(&repo);
    repo.git(&["switch", "-q", "-c", "feature"]);

    repo.write("notes.txt", "nothing secret\n");
    repo.commit_all("clean");
    let run = push(&repo, "feature");
    assert_eq!(run.code, 0, "a clean push is accepted: {run:?}");
    assert_eq!(server_rev(&repo, &server, "feature"), Some(repo.head()));

    let secret = token();
    repo.write("app.env", format!("INTERCOM_ACCESS_TOKEN={secret}\n"));
    repo.commit_all("leak");
    let before = server_rev(&repo, &server, "feature");
    let run = push(&repo, "feature");
    assert_refused(&run, &secret);
    assert_eq!(server_rev(&repo, &server, "feature"), before);
}
