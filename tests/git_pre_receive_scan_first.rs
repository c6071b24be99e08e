//! `intercom-guard pre-receive` on large pushes, through real pushes: the
//! objects in git's quarantine are scanned first (packs by their delta
//! tree, loose objects after), and commits are walked and compared with
//! their parents only when something matched. What is reported must be
//! exactly what the commit-by-commit scan reports.

mod common;
mod support_push;

use common::{Repo, token};
use support_push::{Server, fast_commits, push, remote_lines};

/// A work repository with one commit, and a server whose hook first lists
/// the quarantine (`GIT_OBJECT_DIRECTORY`) into `quarantine.txt`, then runs
/// the binary with the JSON report. `unpack_limit` is git's
/// `receive.unpackLimit`: 1 keeps every push as a pack, a large value
/// makes git unpack it into loose objects.
fn setup(unpack_limit: u32) -> (Repo, Server) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    for key in ["receive.unpackLimit", "transfer.unpackLimit"] {
        let limit = unpack_limit.to_string();
        assert_eq!(server.git(&repo, &["config", key, &limit]).code, 0);
    }
    // The server's own policy allowlists `vendor/` (see `add_vendored`).
    std::fs::write(
        server.path.join("guard.yaml"),
        "allow:\n  paths: [\"vendor/**\"]\n",
    )
    .unwrap();
    let config = server.git(&repo, &["config", "intercom-guard.config", "guard.yaml"]);
    assert_eq!(config.code, 0);
    install_listing_hook(&server);
    (repo, server)
}

fn install_listing_hook(server: &Server) {
    let dir = server.path.display();
    let script = format!(
        r#"#!/bin/sh
(cd "$GIT_OBJECT_DIRECTORY" && find . -type f | sort) > '{dir}/quarantine.txt'
exec '{bin}' pre-receive --format json
"#,
        bin = common::bin()
    );
    let hook = server.path.join("hooks/pre-receive");
    std::fs::create_dir_all(server.path.join("hooks")).unwrap();
    std::fs::write(&hook, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Packs and loose objects the quarantine held while the hook ran.
fn quarantine(server: &Server) -> (usize, usize) {
    let text = std::fs::read_to_string(server.path.join("quarantine.txt")).unwrap();
    let packs = text.lines().filter(|l| l.ends_with(".pack")).count();
    let loose = text
        .lines()
        .filter(|l| {
            let parts: Vec<&str> = l.trim_start_matches("./").split('/').collect();
            parts.len() == 2 && parts[0].len() == 2 && parts[1].len() == 38
        })
        .count();
    (packs, loose)
}

fn report(run: &common::Run) -> serde_json::Value {
    let line = remote_lines(run)
        .into_iter()
        .find(|l| l.starts_with("{\"version\""))
        .unwrap_or_else(|| panic!("no JSON report relayed: {run:?}"));
    serde_json::from_str(&line).expect("JSON report")
}

/// A file at a path the server allowlists: a blob no commit-by-commit scan
/// reads, but the quarantine scan does (it reads every object before any
/// path is known), so it shows which scan ran.
fn add_vendored(repo: &Repo) {
    repo.write("vendor/lib.txt", "vendored\n");
    repo.commit_all("vendored");
}

#[test]
fn a_large_clean_push_kept_as_a_pack_passes_on_the_object_scan() {
    let (repo, server) = setup(1);
    fast_commits(&repo, 200, |_| None);
    add_vendored(&repo);
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));
    let (packs, loose) = quarantine(&server);
    assert_eq!((packs, loose), (1, 0), "git kept the push as one pack");
    let report = report(&run);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    // README.md, 200 versions of the 50 files, and the vendored file, which
    // only the quarantine scan reads.
    assert_eq!(report["stats"]["blobs"], 202, "{report}");
}

#[test]
fn a_deep_leak_in_a_large_packed_push_is_placed_at_its_commit_path_and_line() {
    let (repo, server) = setup(1);
    let tok = token();
    let ids = fast_commits(&repo, 240, |i| match i {
        120 => Some((
            "deploy/secrets.env".to_owned(),
            format!("# deploy\nREGION=eu\nINTERCOM_TOKEN={tok}\n"),
        )),
        // Removed again later in the same push: history keeps it.
        180 => Some(("deploy/secrets.env".to_owned(), "# deploy\n".to_owned())),
        _ => None,
    });
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&tok), "never printed in full");
    assert_eq!(server.rev(&repo, "refs/heads/main"), None, "nothing lands");
    assert_eq!(quarantine(&server), (1, 0));
    let report = report(&run);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["commit"], ids[119].as_str());
    assert_eq!(findings[0]["path"], "deploy/secrets.env");
    assert_eq!(findings[0]["line"], 3);
    assert_eq!(findings[0]["author"], "Test Author <author@example.com>");
}

#[test]
fn a_large_push_unpacked_into_loose_objects_is_scanned_first_too() {
    let (repo, server) = setup(1_000_000);
    fast_commits(&repo, 160, |_| None);
    add_vendored(&repo);
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let (packs, loose) = quarantine(&server);
    assert_eq!(packs, 0, "git unpacked the push");
    assert!(loose >= 500, "{loose} loose objects");
    // README.md, 160 file versions and the vendored file (read by the
    // object scan only).
    assert_eq!(report(&run)["stats"]["blobs"], 162);

    let tok = token();
    let ids = fast_commits(&repo, 160, |i| {
        (i == 77).then(|| ("src/client.js".to_owned(), format!("const t = '{tok}';\n")))
    });
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&tok));
    assert_eq!(quarantine(&server).0, 0);
    let report = report(&run);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["commit"], ids[76].as_str());
    assert_eq!(findings[0]["path"], "src/client.js");
    assert_eq!(findings[0]["line"], 1);
}

#[test]
fn a_large_push_that_brings_back_a_leaking_blob_the_server_has_is_refused() {
    // The server already holds a leaking blob (pushed before the hook, then
    // removed). A large push restores the file: the blob is not in the
    // quarantine, yet the commit adds the line again.
    let repo = Repo::new();
    let tok = token();
    let leaking = format!("INTERCOM_ACCESS_TOKEN={tok}\n");
    repo.write("old.env", &leaking);
    repo.commit_all("from before the hook");
    repo.remove("old.env");
    repo.commit_all("removed");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);
    for key in ["receive.unpackLimit", "transfer.unpackLimit"] {
        assert_eq!(server.git(&repo, &["config", key, "1"]).code, 0);
    }
    install_listing_hook(&server);
    let before = server.rev(&repo, "refs/heads/main");

    let ids = fast_commits(&repo, 200, |i| {
        (i == 150).then(|| ("old.env".to_owned(), leaking.clone()))
    });
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&tok));
    assert_eq!(server.rev(&repo, "refs/heads/main"), before);
    assert_eq!(quarantine(&server).0, 1);
    let report = report(&run);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["commit"], ids[149].as_str());
    assert_eq!(findings[0]["path"], "old.env");
}

/// A server that holds a leaking file from before the hook, still at its
/// tip (`legacy/old.env`), and a work repository that has pushed it.
fn server_with_an_old_leak() -> (Repo, Server, String) {
    let repo = Repo::new();
    let tok = token();
    repo.write("legacy/old.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.write("legacy/notes.txt", "notes\n");
    repo.write("README.md", "hello\n");
    repo.commit_all("from before the hook");
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);
    for key in ["receive.unpackLimit", "transfer.unpackLimit"] {
        assert_eq!(server.git(&repo, &["config", key, "1"]).code, 0);
    }
    install_listing_hook(&server);
    (repo, server, tok)
}

#[test]
fn a_large_push_on_top_of_an_old_leak_it_does_not_touch_passes() {
    // The new trees name the old folder, whose blob matches: that alone
    // adds nothing, so the commits are compared and nothing is reported.
    let (repo, server, tok) = server_with_an_old_leak();
    fast_commits(&repo, 200, |_| None);
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&tok));
    assert_eq!(quarantine(&server).0, 1);
    assert_eq!(report(&run)["findings"].as_array().unwrap().len(), 0);
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));
}

#[test]
fn a_large_push_that_copies_an_old_leaking_folder_is_refused_at_the_new_path() {
    // The copy is the old folder's tree, unchanged, at a new path: no blob
    // of the push matches, the old blob under it does. (A pure move adds
    // nothing: the blob leaves the path it had.)
    let (repo, server, tok) = server_with_an_old_leak();
    fast_commits(&repo, 200, |_| None);
    for file in ["old.env", "notes.txt"] {
        let text = std::fs::read_to_string(repo.path().join("legacy").join(file)).unwrap();
        repo.write(format!("copied/{file}"), text);
    }
    repo.commit_all("copy the legacy folder");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.all().contains(&tok));
    let report = report(&run);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["path"], "copied/old.env");
    assert_eq!(findings[0]["commit"], repo.head().as_str());
    assert_eq!(quarantine(&server).0, 1, "git kept the push as one pack");
}

#[test]
fn a_large_clean_push_on_top_of_existing_history_passes() {
    let (repo, server) = setup(1);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.write("docs/guide.md", "a guide\n");
    repo.commit_all("docs");
    fast_commits(&repo, 200, |_| None);
    let run = push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(quarantine(&server).0, 1);
    assert_eq!(report(&run)["findings"].as_array().unwrap().len(), 0);
    assert_eq!(server.rev(&repo, "refs/heads/main"), Some(repo.head()));
}
