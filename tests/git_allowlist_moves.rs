//! Path allowlists judge every occurrence by its own path (DESIGN.md,
//! "Precise rules"): a secret accepted at an allowlisted path counts as
//! added when it is moved or copied to a path that is not allowlisted, and
//! its old place is no source of the line. Through the real binary and real
//! git: pre-commit, pre-receive (real pushes) and history.

mod common;
mod support_push;

use common::{Repo, lines, token};
use support_push::{Server, push};

const POLICY: &str = "allow:\n  paths: [\"fixtures/**\"]\n";

/// A repository whose policy allowlists `fixtures/`, with a token in
/// `fixtures/allowed.env` (line 2) and a clean `src/config.env`, committed.
fn allowlisted_secret() -> (Repo, String) {
    let repo = Repo::new();
    let tok = token();
    repo.write(".intercom-guard.yaml", POLICY);
    repo.write(
        "fixtures/allowed.env",
        lines(&[
            "# test fixture",
            &format!("INTERCOM_ACCESS_TOKEN={tok}"),
            "REGION=eu",
        ]),
    );
    repo.write("src/config.env", lines(&["REGION=us", "DEBUG=0"]));
    repo.write("src/other.env", lines(&["A=1"]));
    repo.commit_all("init");
    (repo, tok)
}

fn paths(findings: &[serde_json::Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f["path"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn pre_commit_a_rename_out_of_an_allowlisted_path_is_added() {
    let (repo, tok) = allowlisted_secret();
    repo.pre_commit_json().assert_code(0);
    repo.git(&["mv", "fixtures/allowed.env", "app.env"]);
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert!(!run.all().contains(&tok), "{run:?}");
    let findings = run.findings();
    assert_eq!(paths(&findings), ["app.env"]);
    assert_eq!(findings[0]["line"], 2);

    // A copy too, while the allowlisted file stays.
    repo.git(&["reset", "-q", "--hard"]);
    let copy = std::fs::read(repo.path().join("fixtures/allowed.env")).unwrap();
    repo.stage("deploy/app.env", copy);
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["deploy/app.env"]);

    // Within the allowlist, a move adds nothing.
    repo.git(&["reset", "-q", "--hard"]);
    repo.git(&["mv", "fixtures/allowed.env", "fixtures/moved.env"]);
    repo.pre_commit_json().assert_code(0);
}

#[test]
fn pre_commit_a_line_moved_out_of_an_allowlisted_file_is_added() {
    let (repo, tok) = allowlisted_secret();
    let line = format!("INTERCOM_ACCESS_TOKEN={tok}");
    repo.stage(
        "fixtures/allowed.env",
        lines(&["# test fixture", "REGION=eu"]),
    );
    repo.stage("src/config.env", lines(&["REGION=us", &line, "DEBUG=0"]));
    let run = repo.pre_commit_json();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(paths(&findings), ["src/config.env"]);
    assert_eq!(findings[0]["line"], 2);

    // The same line moved between two files that are not allowlisted is
    // not added (the old place was judged, and let through, before).
    repo.commit_all("moved it, --no-verify");
    repo.stage("src/config.env", lines(&["REGION=us", "DEBUG=0"]));
    repo.stage("src/other.env", lines(&["A=1", &line]));
    repo.pre_commit_json().assert_code(0);
}

/// A server whose own policy allowlists `fixtures/`, with the hook.
fn server_with_policy(repo: &Repo) -> Server {
    let server = Server::new(repo);
    std::fs::write(server.path.join("guard.yaml"), POLICY).unwrap();
    let set = server.git(repo, &["config", "intercom-guard.config", "guard.yaml"]);
    assert_eq!(set.code, 0, "{set:?}");
    server.install_recording_hook();
    server
}

#[test]
fn pre_receive_a_rename_out_of_an_allowlisted_path_is_refused() {
    let (repo, tok) = allowlisted_secret();
    let server = server_with_policy(&repo);
    // Accepted where the server's policy allowlists it.
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");

    repo.git(&["mv", "fixtures/allowed.env", "app.env"]);
    repo.commit_all("out of the fixtures");
    let renamed = repo.head();
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert!(!run.all().contains(&tok), "{run:?}");
    assert_ne!(server.rev(&repo, "refs/heads/main"), Some(renamed.clone()));
    let report = server.report();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(paths(findings), ["app.env"], "{report}");
    assert_eq!(findings[0]["commit"], renamed.as_str());

    // A line moved out of the allowlisted file into another one, too.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.write(
        "fixtures/allowed.env",
        lines(&["# test fixture", "REGION=eu"]),
    );
    repo.write(
        "src/config.env",
        lines(&["REGION=us", &format!("INTERCOM_ACCESS_TOKEN={tok}")]),
    );
    repo.commit_all("moved the line");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_eq!(
        paths(server.report()["findings"].as_array().unwrap()),
        ["src/config.env"]
    );
}

#[test]
fn history_reports_a_secret_moved_out_of_an_allowlisted_path_at_its_new_path() {
    let (repo, _) = allowlisted_secret();
    repo.git(&["mv", "fixtures/allowed.env", "app.env"]);
    repo.commit_all("renamed");
    let renamed = repo.head();
    let run = repo.guard(&["history", "--format", "json"]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(paths(&findings), ["app.env"], "{run:?}");
    assert_eq!(findings[0]["commit"], renamed.as_str());
}
