//! Each key of `.intercom-guard.yaml` takes effect, through the real binary
//! on real repositories and files: `allow.paths`, `allow.fingerprints`,
//! `detect.extra_names`, `detect.min_entropy`, `detect.strict`,
//! `inline_allow`, `baseline` (and `--baseline`), and `--config`.
//! (Mistakes in each key: `config_invalid.rs`.)

mod common;

use std::collections::BTreeSet;

use common::{Repo, Run, Scratch, lines, token};
use serde_json::Value;

/// The documentation example (`tok:abcdefghi`): only `--strict` reports it.
const DOC_TOKEN: &str = "dG9rOmFiY2RlZmdoaQ==";

fn paths(run: &Run) -> BTreeSet<String> {
    run.findings()
        .iter()
        .map(|f| f["path"].as_str().expect("text path").to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// 40 random hex digits: a secret-looking value that is not a token.
/// 40 hex digits, a fresh order each run, each digit 2 or 3 times: its
/// entropy is near hex's 4 bits whatever the draw (a plain random draw can
/// fall below the default threshold now and then, or hit a run of zeros).
fn hex_secret() -> String {
    use std::hash::BuildHasher as _;
    let order = std::collections::hash_map::RandomState::new();
    let mut digits: Vec<(u64, char)> = "0123456789abcdef"
        .repeat(3)
        .chars()
        .take(40)
        .enumerate()
        .map(|(i, c)| (order.hash_one(i), c))
        .collect();
    digits.sort();
    digits.into_iter().map(|(_, c)| c).collect()
}

fn fingerprints(run: &Run) -> Vec<String> {
    run.findings()
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_owned())
        .collect()
}

// ---------------------------------------------------------------- allow.paths

/// Files with one token each, to test which paths the globs exempt.
const PATHS: [&str; 7] = [
    "tests/fixtures/a.env",
    "tests/fixtures/deep/b.env",
    "docs/readme.md",
    "docs/deep/readme.md",
    "src/tests/fixtures.rs",
    "tests/fixture.env",
    "src/app.js",
];
const NOT_EXEMPT: [&str; 4] = [
    "docs/deep/readme.md",
    "src/tests/fixtures.rs",
    "tests/fixture.env",
    "src/app.js",
];
const GLOBS: &str = "allow:\n  paths: [\"tests/fixtures/**\", \"docs/*.md\"]\n";

#[test]
fn allow_paths_exempt_exactly_the_globs_in_scan() {
    let repo = Repo::new();
    for p in PATHS {
        repo.write(p, format!("TOKEN={}\n", token()));
    }
    let before = repo.guard(&["scan", ".", "--format", "json"]);
    before.assert_code(1);
    assert_eq!(paths(&before).len(), PATHS.len());

    repo.write(".intercom-guard.yaml", GLOBS);
    let run = repo.guard(&["scan", ".", "--format", "json"]);
    run.assert_code(1);
    let given: Vec<String> = NOT_EXEMPT.iter().map(|p| format!("./{p}")).collect();
    let given: Vec<&str> = given.iter().map(String::as_str).collect();
    assert_eq!(paths(&run), set(&given));

    // Paths are matched relative to the repository root, wherever scan runs.
    let from_src = repo.guard_with(&["scan", "../tests", "--format", "json"], |c| {
        c.current_dir(repo.path().join("src"));
    });
    assert_eq!(paths(&from_src), set(&["../tests/fixture.env"]));

    let human = repo.guard(&["scan", ".", "--color", "never"]);
    assert!(
        human
            .stdout
            .contains("3 allowlisted paths not scanned (allow.paths)"),
        "{human:?}"
    );
}

#[test]
fn allow_paths_exempt_exactly_the_globs_in_pre_commit() {
    let repo = Repo::new();
    repo.stage(".intercom-guard.yaml", GLOBS);
    for p in PATHS {
        repo.stage(p, format!("TOKEN={}\n", token()));
    }
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run), set(&NOT_EXEMPT));
}

// ---------------------------------------------------------- allow.fingerprints

#[test]
fn allow_fingerprints_accept_one_secret_and_say_so() {
    let repo = Repo::new();
    let (kept, accepted) = (token(), token());
    repo.stage(
        "app.env",
        lines(&[
            &format!("INTERCOM_ACCESS_TOKEN={accepted}"),
            &format!("OTHER={kept}"),
        ]),
    );
    let run = repo.pre_commit_json();
    let fps = fingerprints(&run);
    assert_eq!(fps.len(), 2);
    let accepted_fp = run
        .findings()
        .iter()
        .find(|f| f["line"] == 1)
        .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
        .unwrap();

    // Upper case is accepted too: the JSON report is copied by hand.
    repo.write(
        ".intercom-guard.yaml",
        format!(
            "allow:\n  fingerprints:\n    - {}  # test fixture\n",
            accepted_fp.to_ascii_uppercase()
        ),
    );
    let run = repo.pre_commit_json();
    run.assert_code(1);
    let left = run.findings();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["line"], 2);

    let human = repo.guard(&["pre-commit", "--color", "never"]);
    human.assert_code(1);
    assert!(
        human
            .stderr
            .contains("1 finding accepted (allow.fingerprints or baseline)"),
        "{human:?}"
    );

    // Moving the line does not break the fingerprint.
    repo.stage(
        "app.env",
        lines(&["# moved", "", &format!("INTERCOM_ACCESS_TOKEN={accepted}")]),
    );
    repo.pre_commit_json().assert_code(0);
}

// ----------------------------------------------------------- detect.extra_names

#[test]
fn extra_names_add_secret_names() {
    let s = Scratch::new();
    let value = hex_secret();
    s.write(
        "deploy.sh",
        lines(&[
            &format!("export ACME_SUPPORT_CHAT_KEY={value}"),
            &format!("acmeSupportChatKey: \"{value}\""),
        ]),
    );
    s.guard(&["scan", "deploy.sh", "--format", "json"])
        .assert_code(0);
    s.write(
        ".intercom-guard.yaml",
        "detect:\n  extra_names: [ACME_SUPPORT_CHAT_KEY]\n",
    );
    let run = s.guard(&["scan", "deploy.sh", "--format", "json"]);
    run.assert_code(1);
    let lines: Vec<Value> = run.findings().iter().map(|f| f["line"].clone()).collect();
    assert_eq!(lines, [Value::from(1), Value::from(2)], "{run:?}");
    // A placeholder under the extra name is still not a finding.
    s.write(
        "deploy.sh",
        "export ACME_SUPPORT_CHAT_KEY=${ACME_SUPPORT_CHAT_KEY}\n",
    );
    s.guard(&["scan", "deploy.sh"]).assert_code(0);
}

// ----------------------------------------------------------- detect.min_entropy

#[test]
fn min_entropy_sets_the_threshold_of_named_values() {
    let s = Scratch::new();
    // Hex has at most 4 bits of entropy per character.
    s.write("app.env", format!("INTERCOM_API_KEY={}\n", hex_secret()));
    s.guard(&["scan", "app.env"]).assert_code(1);
    s.write(".intercom-guard.yaml", "detect:\n  min_entropy: 4.5\n");
    s.guard(&["scan", "app.env"]).assert_code(0);
    s.write(".intercom-guard.yaml", "detect:\n  min_entropy: 2\n");
    s.guard(&["scan", "app.env"]).assert_code(1);
}

// ---------------------------------------------------------------- detect.strict

#[test]
fn strict_reports_documentation_tokens() {
    let repo = Repo::new();
    repo.stage(
        "docs.md",
        format!("curl -H 'Authorization: Bearer {DOC_TOKEN}'\n"),
    );
    repo.pre_commit_json().assert_code(0);
    repo.write(".intercom-guard.yaml", "detect:\n  strict: true\n");
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(run.findings()[0]["confidence"], "low");
    // The flag turns it on too; the file cannot turn the flag off.
    repo.write(".intercom-guard.yaml", "detect:\n  strict: false\n");
    repo.pre_commit_json().assert_code(0);
    repo.guard(&["pre-commit", "--strict"]).assert_code(1);
}

// ----------------------------------------------------------------- inline_allow

#[test]
fn inline_allow_false_ignores_markers() {
    let repo = Repo::new();
    repo.stage(
        "test.py",
        format!("TOKEN = '{}'  # intercom-guard:allow\n", token()),
    );
    let human = repo.guard(&["pre-commit", "--color", "never"]);
    human.assert_code(0);
    assert!(
        human
            .stdout
            .contains("1 finding suppressed by intercom-guard:allow")
            || human
                .stderr
                .contains("1 finding suppressed by intercom-guard:allow"),
        "{human:?}"
    );
    repo.write(".intercom-guard.yaml", "inline_allow: false\n");
    repo.pre_commit_json().assert_code(1);
    repo.guard(&["scan", "test.py"]).assert_code(1);
    repo.write(".intercom-guard.yaml", "inline_allow: true\n");
    repo.guard(&["scan", "test.py"]).assert_code(0);
}

// --------------------------------------------------------------------- baseline

#[test]
fn baseline_accepts_the_findings_of_a_report_in_scan() {
    let s = Scratch::new();
    s.write("old.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let report = s.guard(&["scan", "old.env", "--format", "json"]);
    report.assert_code(1);
    s.write("baseline.json", &report.stdout);

    s.guard(&["scan", "old.env", "--baseline", "baseline.json"])
        .assert_code(0);
    s.write(".intercom-guard.yaml", "baseline: baseline.json\n");
    let human = s.guard(&["scan", "old.env", "--color", "never"]);
    human.assert_code(0);
    assert!(human.stdout.contains("1 finding accepted"), "{human:?}");

    // A new secret is still found.
    s.write(
        "old.env",
        lines(&[
            &format!("INTERCOM_ACCESS_TOKEN={}", token()),
            "",
            &String::from_utf8(std::fs::read(s.path().join("old.env")).unwrap()).unwrap(),
        ]),
    );
    let run = s.guard(&["scan", "old.env", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(run.findings().len(), 1);
    assert_eq!(run.findings()[0]["line"], 1);
}

#[test]
fn baseline_in_pre_commit_is_relative_to_the_config_file() {
    let repo = Repo::new();
    let old = token();
    repo.stage("a.env", format!("INTERCOM_ACCESS_TOKEN={old}\n"));
    let report = repo.pre_commit_json();
    report.assert_code(1);
    repo.write("security/baseline.json", &report.stdout);
    repo.write(
        "security/guard.yaml",
        "baseline: baseline.json   # next to this file\n",
    );
    // `--config` names the file; its baseline is found next to it.
    repo.guard(&["pre-commit", "--config", "security/guard.yaml"])
        .assert_code(0);
    // `--baseline` from the command line works on its own too.
    repo.guard(&["pre-commit", "--baseline", "security/baseline.json"])
        .assert_code(0);
    // The same secret in another file is the same fingerprint.
    repo.stage("b/copy.yaml", format!("intercom:\n  access_token: {old}\n"));
    repo.guard(&["pre-commit", "--baseline", "security/baseline.json"])
        .assert_code(0);
}

// ------------------------------------------------------------------- --config

#[test]
fn config_flag_replaces_the_work_tree_file() {
    let repo = Repo::new();
    repo.stage("docs.md", format!("Bearer {DOC_TOKEN}\n"));
    repo.write(".intercom-guard.yaml", "detect:\n  strict: true\n");
    repo.guard(&["pre-commit"]).assert_code(1);
    repo.write("other.yaml", "detect:\n  strict: false\n");
    repo.guard(&["pre-commit", "--config", "other.yaml"])
        .assert_code(0);
}

#[test]
fn config_subcommand_shows_values_and_their_origins() {
    let repo = Repo::new();
    repo.write(
        ".intercom-guard.yaml",
        "# team policy\nallow:\n  paths: [\"tests/fixtures/**\"]\ndetect:\n  min_entropy: 3.5\n",
    );
    let run = repo.guard(&["config", "--strict"]);
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("mode: laptop"), "{out}");
    assert!(
        out.contains(".intercom-guard.yaml (found at the root of the work tree)"),
        "{out}"
    );
    let row = |key: &str| -> String {
        out.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key} row: {out}"))
            .to_owned()
    };
    assert!(row("allow.paths").contains("tests/fixtures/**"), "{out}");
    assert!(
        row("allow.paths").ends_with(".intercom-guard.yaml:3"),
        "{out}"
    );
    assert!(
        row("detect.min_entropy").ends_with(".intercom-guard.yaml:5"),
        "{out}"
    );
    assert!(row("detect.strict").ends_with("from --strict"), "{out}");
    assert!(row("inline_allow").ends_with("from default"), "{out}");

    let json = repo.guard(&["config", "--format", "json"]).json();
    assert_eq!(json["values"]["detect.min_entropy"]["value"], 3.5);
    assert_eq!(json["values"]["detect.strict"]["from"], "default");
    assert_eq!(json["values"]["inline_allow"]["value"], true);
}

#[test]
fn the_server_never_reads_the_work_tree_file() {
    let repo = Repo::new();
    repo.write(".intercom-guard.yaml", "inline_allow: true\n");
    let run = repo.guard(&["config", "--mode", "server", "--format", "json"]);
    run.assert_code(0);
    let json = run.json();
    assert_eq!(json["config"], Value::Null, "{json}");
    assert_eq!(json["values"]["inline_allow"]["value"], false);

    // `git config intercom-guard.config`, relative to the git directory.
    std::fs::write(
        repo.path().join(".git/guard.yaml"),
        "inline_allow: true\ndetect:\n  strict: true\n",
    )
    .unwrap();
    repo.git(&["config", "intercom-guard.config", "guard.yaml"]);
    let json = repo
        .guard(&["config", "--mode", "server", "--format", "json"])
        .json();
    assert_eq!(json["values"]["inline_allow"]["value"], true, "{json}");
    assert!(
        json["config"]["path"]
            .as_str()
            .unwrap()
            .ends_with(".git/guard.yaml"),
        "{json}"
    );
    assert_eq!(
        json["config"]["source"],
        "named by git config intercom-guard.config"
    );

    // A file named by git config that is missing refuses to run.
    repo.git(&["config", "intercom-guard.config", "missing.yaml"]);
    let run = repo.guard(&["config", "--mode", "server"]);
    run.assert_code(2);
    assert!(run.stderr.contains("intercom-guard.config"), "{run:?}");
}

#[test]
fn config_json_is_one_document() {
    let repo = Repo::new();
    repo.write(".intercom-guard.yaml", "detect:\n  strict: true\n");
    for args in [
        &["config", "--format", "json"][..],
        &["--format", "json", "config", "--mode", "history"][..],
    ] {
        let run = repo.guard(args);
        run.assert_code(0);
        assert_eq!(run.stderr, "", "{run:?}");
        let doc = run.json();
        assert!(doc["mode"].is_string(), "{doc}");
        assert!(
            doc["config"]["path"]
                .as_str()
                .unwrap()
                .ends_with(".intercom-guard.yaml"),
            "{doc}"
        );
        let values = doc["values"].as_object().expect("values");
        assert!(values.contains_key("allow.paths"), "{doc}");
        for (key, v) in values {
            assert!(
                v.get("value").is_some() && v["from"].is_string(),
                "{key}: {v}"
            );
        }
        assert_eq!(values["detect.strict"]["value"], true);
    }
}

/// `config` writes no SARIF: the parser refuses it (exit 2, nothing on
/// stdout) rather than printing the human table.
#[test]
fn config_refuses_sarif_at_the_parser() {
    let repo = Repo::new();
    for args in [
        &["config", "--format", "sarif"][..],
        &["--format", "sarif", "config", "--mode", "server"][..],
    ] {
        let run = repo.guard(args);
        run.assert_code(2);
        assert_eq!(run.stdout, "", "{run:?}");
        assert!(
            run.stderr
                .starts_with("error: invalid value 'sarif' for '--format <FORMAT>'"),
            "{run:?}"
        );
        assert!(
            run.stderr.contains("[possible values: human, json]"),
            "{run:?}"
        );
    }
}
