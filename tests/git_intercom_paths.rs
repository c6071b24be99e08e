//! A file whose path names Intercom is an Intercom context as a whole:
//! `SECRET = '...'` in `lib/intercom/settings.py` is Intercom's, the same
//! line in `lib/billing/settings.py` is nobody's. Every mode knows the path
//! of what it reads, or finds it: `scan`, `pre-commit`, and `history`, whose
//! whole-database pass reads blobs without their paths (the trees named
//! after Intercom are read again for the blobs they hold) and whose ranges
//! know the paths from their diffs.

mod common;

use common::Repo;
use serde_json::Value;

const INTERCOM_SECRET: &str = "mQ7vK2xR9tLp4ZcW8nB3hJ6dF1sG5yAe";
const NESTED_TOKEN: &str = "Tz4Wq8Lm2Xv6Nc9Rb3Kp7Hd1Jf5Gs0Ya";
const BILLING_SECRET: &str = "Pd3Kx8Wm5Rq2Zt7Nv4Lc9Bh6Jy1Fs0Ga";

fn settings(secret: &str) -> String {
    format!("APP_ID = \"abc12def\"\nSECRET = '{secret}'\nTIMEOUT = 10\n")
}

/// A repository with the three files, each in a commit of its own, then the
/// Intercom folder renamed away (its files stay in history).
fn story() -> Repo {
    let repo = Repo::new();
    repo.stage("lib/billing/settings.py", settings(BILLING_SECRET));
    repo.commit_all("billing");
    repo.stage("lib/intercom/settings.py", settings(INTERCOM_SECRET));
    repo.commit_all("intercom settings");
    repo.stage(
        "services/Intercom/clients/support.py",
        format!("TOKEN = \"{NESTED_TOKEN}\"\n"),
    );
    repo.commit_all("nested client");
    repo.git(&["mv", "lib/intercom", "lib/support"]);
    repo.commit_all("rename");
    repo
}

/// `(path, secret)` of each finding, sorted.
fn found(findings: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("a UTF-8 path").to_owned(),
                f["secret"].as_str().expect("--show-secrets").to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The Intercom file, the same blob where the rename moved it (a blob's
/// secrets are its own wherever it is), and the nested file; never the
/// billing settings.
fn expected() -> Vec<(String, String)> {
    vec![
        (
            "lib/intercom/settings.py".to_owned(),
            INTERCOM_SECRET.to_owned(),
        ),
        (
            "lib/support/settings.py".to_owned(),
            INTERCOM_SECRET.to_owned(),
        ),
        (
            "services/Intercom/clients/support.py".to_owned(),
            NESTED_TOKEN.to_owned(),
        ),
    ]
}

#[test]
fn history_finds_generic_names_in_files_named_after_intercom() {
    let repo = story();
    let run = repo.guard(&["history", "--format", "json", "--show-secrets"]);
    run.assert_code(1);
    assert_eq!(found(&run.findings()), expected(), "{}", run.stdout);
    let mut kinds: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["access_token", "client_secret", "client_secret"]);
}

#[test]
fn a_history_range_knows_the_paths_from_its_diffs() {
    let repo = story();
    let run = repo.guard(&[
        "history",
        "HEAD~3..HEAD",
        "--format",
        "json",
        "--show-secrets",
    ]);
    run.assert_code(1);
    assert_eq!(found(&run.findings()), expected(), "{}", run.stdout);
}

#[test]
fn scan_and_pre_commit_judge_a_file_by_its_path() {
    let repo = Repo::new();
    repo.write("lib/billing/settings.py", settings(BILLING_SECRET));
    repo.write("lib/intercom/settings.py", settings(INTERCOM_SECRET));
    let run = repo.guard(&["scan", ".", "--format", "json", "--show-secrets"]);
    run.assert_code(1);
    let paths: Vec<(String, String)> = found(&run.findings())
        .into_iter()
        .map(|(p, s)| (p.trim_start_matches("./").to_owned(), s))
        .collect();
    assert_eq!(
        paths,
        [(
            "lib/intercom/settings.py".to_owned(),
            INTERCOM_SECRET.to_owned()
        )]
    );

    repo.git(&["add", "lib/billing/settings.py"]);
    repo.guard(&["pre-commit", "--format", "json"])
        .assert_code(0);
    repo.git(&["add", "lib/intercom/settings.py"]);
    let run = repo.guard(&["pre-commit", "--format", "json", "--show-secrets"]);
    run.assert_code(1);
    assert_eq!(
        found(&run.findings()),
        [(
            "lib/intercom/settings.py".to_owned(),
            INTERCOM_SECRET.to_owned()
        )]
    );
}

mod support_push;

/// A large push is judged in one pass over the quarantine, without paths,
/// and passes at once when nothing matched; a tree that names an entry after
/// Intercom keeps it from passing, and the file is judged with its path.
#[test]
fn pre_receive_refuses_a_secret_in_a_file_named_after_intercom() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = support_push::Server::new(&repo);
    server.install_hook("");
    support_push::fast_commits(&repo, 300, |i| {
        (i == 100).then(|| {
            (
                "lib/billing/settings.py".to_owned(),
                settings(BILLING_SECRET),
            )
        })
    });
    let run = support_push::push(&repo, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");

    support_push::fast_commits(&repo, 300, |i| {
        (i == 150).then(|| {
            (
                "lib/intercom/settings.py".to_owned(),
                settings(INTERCOM_SECRET),
            )
        })
    });
    let run = support_push::push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("PUSH REJECTED"), "{run:?}");
    assert!(run.stderr.contains("lib/intercom/settings.py"), "{run:?}");
    assert!(!run.all().contains(INTERCOM_SECRET), "{run:?}");
}

/// A file named after Intercom larger than the window is read in order
/// when it is judged again, and still found (`INTERCOM_GUARD_WINDOW` makes
/// the window small).
#[test]
fn a_large_file_named_after_intercom_is_judged_in_windows() {
    let repo = Repo::new();
    let mut text = String::new();
    for n in 0..20_000 {
        text.push_str(&format!("FILLER_{n} = {n}\n"));
    }
    text.push_str(&settings(INTERCOM_SECRET));
    assert!(text.len() > 3 * 128 * 1024);
    repo.stage("lib/intercom/generated.py", &text);
    repo.commit_all("large");
    let run = repo.guard_with(&["history", "--format", "json", "--show-secrets"], |c| {
        c.env("INTERCOM_GUARD_WINDOW", "131072");
    });
    run.assert_code(1);
    assert_eq!(
        found(&run.findings()),
        [(
            "lib/intercom/generated.py".to_owned(),
            INTERCOM_SECRET.to_owned()
        )]
    );
}
