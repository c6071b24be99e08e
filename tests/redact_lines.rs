//! Every secret on a shown line is redacted, in every mode and format: two
//! reported secrets on one line, and a reported secret next to one the
//! policy accepted (an allowlisted fingerprint), through the real binary and
//! real git (a real `git commit` with the pre-commit hook, a real `git push`
//! with the pre-push hook, a real push into a server whose pre-receive hook
//! is the binary).

mod common;
mod support_push;

use common::{Repo, Run, Scratch, bin, token};
use support_push::{Server, push, remote_lines};

/// Four tokens: `a.env` holds the first two on one line (both reported),
/// `b.env` the last two (the third is accepted by its fingerprint).
struct Leaks {
    tokens: [String; 4],
    /// `.intercom-guard.yaml` accepting the third token.
    config: String,
}

impl Leaks {
    fn new() -> Leaks {
        let tokens = [token(), token(), token(), token()];
        let config = format!(
            "allow:\n  fingerprints: [\"{}\"]\n",
            fingerprint_of(&tokens[2])
        );
        Leaks { tokens, config }
    }

    fn write(&self, at: &Scratch) {
        let [t1, t2, t3, t4] = &self.tokens;
        at.write("a.env", format!("A={t1} B={t2}\n"));
        at.write("b.env", format!("C={t3} D={t4}\n"));
    }

    /// None of the four tokens is printed whole anywhere; the lines were
    /// shown in `shown` (their starts are).
    fn assert_hidden(&self, run: &Run, shown: &str) {
        for (i, tok) in self.tokens.iter().enumerate() {
            assert!(
                !run.all().contains(tok.as_str()),
                "token {} printed in full: {run:?}",
                i + 1
            );
        }
        assert!(shown.contains("A=dG9rO"), "a.env's line is shown: {run:?}");
        assert!(shown.contains("C=dG9rO"), "b.env's line is shown: {run:?}");
    }
}

/// The fingerprint the JSON report gives `tok`.
fn fingerprint_of(tok: &str) -> String {
    let scratch = Scratch::new();
    let run = scratch.guard_stdin(&["scan", "-", "--format", "json"], tok.as_bytes());
    run.assert_code(1);
    run.findings()[0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_owned()
}

#[test]
fn scan_hides_every_secret_of_the_line_in_every_format() {
    let leaks = Leaks::new();
    let scratch = Scratch::new();
    leaks.write(&scratch);
    scratch.write(".intercom-guard.yaml", &leaks.config);
    let human = scratch.guard(&["scan", "a.env", "b.env", "--color", "never"]);
    human.assert_code(1);
    leaks.assert_hidden(&human, &human.all());
    assert!(
        human.stdout.contains("3 findings"),
        "the two of a.env and the fourth token: {human:?}"
    );
    for format in ["json", "sarif"] {
        let run = scratch.guard(&["scan", "a.env", "b.env", "--format", format]);
        run.assert_code(1);
        for tok in &leaks.tokens {
            assert!(!run.all().contains(tok.as_str()), "{format}: {run:?}");
        }
    }
    // The line is what is hidden: with --show-secrets it is printed whole.
    let shown = scratch.guard(&["scan", "a.env", "--color", "never", "--show-secrets"]);
    for tok in &leaks.tokens[..2] {
        assert!(shown.stdout.contains(tok.as_str()), "{shown:?}");
    }
}

#[test]
fn pre_commit_hides_every_secret_of_the_line() {
    let leaks = Leaks::new();
    let repo = Repo::new();
    repo.write(".intercom-guard.yaml", &leaks.config);
    repo.commit_all("config");
    repo.install_hook();
    leaks.write(&repo);
    repo.git(&["add", "a.env", "b.env"]);
    let run = repo.git_run(&["commit", "-m", "leak"]);
    assert_ne!(run.code, 0, "the commit is refused: {run:?}");
    leaks.assert_hidden(&run, &run.all());
}

#[test]
fn pre_push_hides_every_secret_of_the_line() {
    let leaks = Leaks::new();
    let repo = Repo::new();
    repo.write(".intercom-guard.yaml", &leaks.config);
    repo.commit_all("config");
    let server = Server::new(&repo);
    repo.guard_with(&["install", "--hook", "pre-push"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    })
    .assert_code(0);
    leaks.write(&repo);
    repo.commit_all("leak");
    let run = repo.git_run_with(&["push", "origin", "main"], |c| {
        c.env("INTERCOM_GUARD_BIN", bin());
    });
    assert_ne!(run.code, 0, "the push is refused: {run:?}");
    leaks.assert_hidden(&run, &run.all());
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
}

#[test]
fn history_hides_every_secret_of_the_line() {
    let leaks = Leaks::new();
    let repo = Repo::new();
    repo.write(".intercom-guard.yaml", &leaks.config);
    leaks.write(&repo);
    repo.commit_all("leak");
    let run = repo.guard(&["history", "--color", "never"]);
    run.assert_code(1);
    leaks.assert_hidden(&run, &run.all());
}

#[test]
fn pre_receive_hides_every_secret_of_the_line_in_remote_lines() {
    let leaks = Leaks::new();
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    let config = server.path.join("guard.yaml");
    std::fs::write(&config, &leaks.config).expect("server config");
    server
        .git(
            &repo,
            &["config", "intercom-guard.config", config.to_str().unwrap()],
        )
        .assert_code(0);
    server.install_hook("");
    leaks.write(&repo);
    repo.commit_all("leak");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "the push is refused: {run:?}");
    leaks.assert_hidden(&run, &remote_lines(&run).join("\n"));
    assert_eq!(server.rev(&repo, "refs/heads/main"), None);
}
