//! What a person sees when a laptop hook runs, through real commits and
//! pushes whose hooks run the built binary: a blocked commit with one
//! finding fits an 80x24 terminal (headline first, the place last, the
//! rotation steps one command away), `COLUMNS` sets the width, a clean
//! commit goes through in silence (`--verbose` says so), and a first push
//! without an upstream is told a rewrite command that works.

mod common;
mod support_push;

use common::{Repo, Run, bin, lines, token};
use support_push::Server;

/// A repository with one commit and, staged, `app.js` whose line 3 holds
/// a fresh token.
fn leaking_repo() -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.stage(
        "app.js",
        lines(&[
            "import Intercom from 'intercom-client';",
            "",
            &format!("const client = new Intercom({{ token: \"{}\" }});", token()),
        ]),
    );
    repo
}

/// `git commit` with the one-line pre-commit hook running the binary.
fn commit_hooked(repo: &Repo, setup: impl FnOnce(&mut std::process::Command)) -> Run {
    repo.install_hook();
    repo.git_run_with(&["commit", "-q", "-m", "add the client"], setup)
}

/// The lines of `text` wider than `width` columns that are more than one
/// word (a word longer than the room, such as a fingerprint, stays whole).
fn too_wide(text: &str, width: usize) -> Vec<&str> {
    text.lines()
        .filter(|l| l.chars().count() > width && l.trim().contains(' '))
        .collect()
}

#[test]
fn a_blocked_commit_with_one_finding_fits_80_by_24() {
    let repo = leaking_repo();
    let run = commit_hooked(&repo, |c| {
        c.env_remove("COLUMNS");
    });
    assert_eq!(run.code, 1, "the commit is refused: {run:?}");
    run.assert_no_panic();
    assert!(
        repo.git_run(&["rev-parse", "HEAD~1"]).code != 0,
        "nothing committed"
    );
    let text = &run.stderr;
    let all: Vec<&str> = text.lines().collect();

    assert!(all.len() <= 24, "{} lines:\n{text}", all.len());
    for line in &all {
        assert!(
            line.chars().count() <= 80,
            "wider than 80: {line:?}\n{text}"
        );
    }
    // The headline says what was blocked and why.
    assert!(
        all[0].contains("blocked this commit") && all[0].contains("Intercom access token"),
        "headline: {:?}\n{text}",
        all[0]
    );
    // The place is in the last lines, where the eye lands.
    let tail = all[all.len() - 2..].join("\n");
    assert!(tail.contains("app.js:3:"), "last lines: {tail}\n{text}");
    // The rotation steps are one command away, false positives one line.
    assert!(
        text.contains("intercom-guard explain access_token"),
        "{text}"
    );
    assert!(!text.contains("AWS Secrets Manager"), "{text}");
    assert_eq!(
        all.iter()
            .filter(|l| l.contains("intercom-guard:allow") && l.contains("allow.fingerprints"))
            .count(),
        1,
        "{text}"
    );
    // The pre-commit variant knows the file is staged.
    assert!(text.contains("git restore --staged app.js"), "{text}");
    assert!(!text.to_lowercase().contains("if it is staged"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour: {text:?}");
}

#[test]
fn columns_sets_the_width() {
    for width in [60usize, 100, 132] {
        let repo = leaking_repo();
        let run = repo.guard_with(&["pre-commit", "--color", "never"], |c| {
            c.env("COLUMNS", width.to_string());
        });
        run.assert_code(1);
        let text = &run.stderr;
        if width >= 80 {
            assert!(text.lines().count() <= 24, "{width}: {text}");
        }
        assert_eq!(
            too_wide(text, width),
            Vec::<&str>::new(),
            "{width}:\n{text}"
        );
        assert!(text.lines().last().unwrap().contains("app.js:3:"), "{text}");
        if width >= 100 {
            // Room for the fingerprint on the help line.
            assert!(text.contains("help: fingerprint "), "{width}: {text}");
        }
    }
}

#[test]
fn a_clean_commit_is_silent_unless_verbose() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.stage("app.js", "console.log('no secret here');\n");

    let quiet = repo.guard(&["pre-commit"]);
    quiet.assert_code(0);
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), ("", ""));
    let verbose = repo.guard(&["pre-commit", "--verbose"]);
    verbose.assert_code(0);
    assert!(
        verbose.stderr.contains("no Intercom secrets found"),
        "{verbose:?}"
    );
    // Through git too: the commit goes through and says nothing.
    let run = commit_hooked(&repo, |_| {});
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");

    // The same for pre-push.
    let _server = Server::new(&repo);
    let quiet = repo.guard_stdin(&["pre-push", "origin", "url"], b"");
    quiet.assert_code(0);
    assert_eq!((quiet.stdout.as_str(), quiet.stderr.as_str()), ("", ""));
    let verbose = repo.guard_stdin(&["pre-push", "-v", "origin", "url"], b"");
    verbose.assert_code(0);
    assert!(
        verbose.stderr.contains("no Intercom secrets found"),
        "{verbose:?}"
    );
    // A run by hand still says what it scanned.
    let scan = repo.guard(&["scan", "app.js"]);
    scan.assert_code(0);
    assert!(
        scan.stdout.contains("no Intercom secrets found"),
        "{scan:?}"
    );
}

/// Push `main` to `origin` with no upstream set, through the pre-push hook.
fn first_push(repo: &Repo) -> Run {
    repo.guard_with(&["install", "--hook", "pre-push"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    })
    .assert_code(0);
    repo.git_run_with(&["push", "origin", "main"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin()).env("COLUMNS", "80");
    })
}

/// The command starting with `starts` that the report gives, from there to
/// the end of its line.
fn command_line<'a>(text: &'a str, starts: &str) -> &'a str {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.find(starts).map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("no `{starts}` command in:\n{text}"))
}

/// Run the rebase command the report gives, with an editor that keeps the
/// todo list as it is: it works (exit 0) in the repository as it is.
fn rebase_works(repo: &Repo, command: &str) {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&words[..3], ["git", "rebase", "-i"], "{command}");
    let run = repo.git_run_with(&words[1..], |c| {
        c.env("GIT_SEQUENCE_EDITOR", "true")
            .env("GIT_EDITOR", "true");
    });
    assert_eq!(run.code, 0, "`{command}` fails: {run:?}");
}

#[test]
fn a_first_push_without_upstream_gets_a_rewrite_command_that_works() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.write("app.js", format!("const t = \"{}\";\n", token()));
    repo.commit_all("add the client");
    repo.write("NOTES.md", "later\n");
    repo.commit_all("notes");
    let _server = Server::new(&repo);
    assert!(
        repo.git_run(&["rev-parse", "--abbrev-ref", "main@{upstream}"])
            .code
            != 0,
        "no upstream"
    );

    let run = first_push(&repo);
    assert_eq!(run.code, 1, "refused: {run:?}");
    let text = &run.stderr;
    assert!(
        text.lines().next().unwrap().contains("blocked this push"),
        "{text}"
    );
    assert!(!text.contains("@{upstream}"), "{text}");
    let leaking = repo.git(&["rev-parse", "--short=12", "HEAD~1"]);
    let command = command_line(text, "git rebase -i");
    assert_eq!(
        command,
        format!("git rebase -i {}~1", leaking.trim()),
        "{text}"
    );
    rebase_works(&repo, command);
    assert_eq!(too_wide(text, 80), Vec::<&str>::new(), "{text}");
}

#[test]
fn a_secret_in_the_first_commit_is_rewritten_from_the_root() {
    let repo = Repo::new();
    repo.write("app.js", format!("const t = \"{}\";\n", token()));
    repo.commit_all("first");
    let _server = Server::new(&repo);

    let run = first_push(&repo);
    assert_eq!(run.code, 1, "refused: {run:?}");
    let command = command_line(&run.stderr, "git rebase -i");
    assert_eq!(command, "git rebase -i --root", "{run:?}");
    rebase_works(&repo, command);
}
