//! Every file under `tests/config/invalid/` is one misconfiguration (the
//! gitleaks pattern). Its first lines say what the error must show:
//!
//! ```yaml
//! # expect-line: 4
//! # expect-text: unknown field `pathz`
//! ```
//!
//! Each is run through the real binary, both as `--config FILE` and as the
//! work tree's `.intercom-guard.yaml`; it must exit 2 and name the file and
//! the line (`FILE:LINE:COLUMN`), with a source snippet.

mod common;

use std::path::{Path, PathBuf};

use common::{Repo, Run, Scratch};

struct Case {
    name: String,
    text: String,
    line: u64,
    expect: String,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/config/invalid");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/config/invalid")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected the invalid configs, found {paths:?}"
    );
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read case");
            let header = |key: &str| -> String {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("# {key}:")))
                    .unwrap_or_else(|| panic!("{} has no `# {key}:` line", path.display()))
                    .trim()
                    .to_owned()
            };
            Case {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                line: header("expect-line")
                    .parse()
                    .expect("expect-line is a number"),
                expect: header("expect-text"),
                text,
            }
        })
        .collect()
}

fn check(case: &Case, run: &Run, file_shown: &str) {
    run.assert_code(2);
    let err = &unwrap_lines(&run.stderr);
    let at = format!("{file_shown}:{}:", case.line);
    assert!(
        err.contains(&at),
        "{}: stderr does not point at {at}\n{err}",
        case.name
    );
    assert!(
        err.contains(&case.expect),
        "{}: stderr does not say {:?}\n{err}",
        case.name,
        case.expect
    );
    // The snippet shows the offending line with its number.
    let line_no = format!(" {} │", case.line);
    assert!(
        err.contains(&line_no),
        "{}: no snippet of line {}\n{err}",
        case.name,
        case.line
    );
    assert!(
        err.contains("intercom_guard::config::invalid"),
        "{}: {err}",
        case.name
    );
    assert!(run.stdout.is_empty(), "{}: {run:?}", case.name);
}

/// miette wraps the message at 80 columns behind a `│`; join it back.
fn unwrap_lines(stderr: &str) -> String {
    let mut out = String::new();
    for line in stderr.lines() {
        match line.trim_start().strip_prefix("│ ") {
            Some(rest) if !out.is_empty() => {
                out.push(' ');
                out.push_str(rest);
            }
            _ => {
                out.push('\n');
                out.push_str(line);
            }
        }
    }
    out
}

#[test]
fn each_invalid_config_is_reported_at_its_line_with_config_flag() {
    let s = Scratch::new();
    s.write("clean.txt", "nothing here\n");
    for case in cases() {
        s.write(&case.name, &case.text);
        let run = s.guard(&[
            "scan",
            "--color",
            "never",
            "--config",
            &case.name,
            "clean.txt",
        ]);
        check(&case, &run, &case.name);
    }
}

#[test]
fn each_invalid_config_is_reported_at_its_line_in_the_work_tree() {
    let repo = Repo::new();
    repo.stage("clean.txt", "nothing here\n");
    for case in cases() {
        repo.write(".intercom-guard.yaml", &case.text);
        let run = repo.guard(&["pre-commit", "--color", "never"]);
        check(&case, &run, ".intercom-guard.yaml");
    }
}

#[test]
fn a_bad_yaml_blocks_doctor_and_config_too() {
    let repo = Repo::new();
    repo.write(".intercom-guard.yaml", "detect:\n  strict: [\n");
    let run = repo.guard(&["config", "--color", "never"]);
    run.assert_code(2);
    assert!(run.stderr.contains(".intercom-guard.yaml:2:"), "{run:?}");
    let run = repo.guard(&["doctor", "--color", "never"]);
    run.assert_code(1);
    assert!(run.stdout.contains("FAIL  config"), "{run:?}");
    assert!(run.stdout.contains(".intercom-guard.yaml:2:"), "{run:?}");
}

#[test]
fn a_missing_config_flag_file_is_an_error_but_a_missing_work_tree_file_is_not() {
    let repo = Repo::new();
    repo.stage("clean.txt", "nothing here\n");
    repo.guard(&["pre-commit"]).assert_code(0);
    let run = repo.guard(&["pre-commit", "--config", "nope.yaml"]);
    run.assert_code(2);
    assert!(run.stderr.contains("nope.yaml"), "{run:?}");
    assert!(
        run.stderr.contains("cannot read the configuration file"),
        "{run:?}"
    );
}

#[test]
fn an_empty_config_is_the_defaults() {
    let repo = Repo::new();
    repo.write(".intercom-guard.yaml", "");
    repo.stage("clean.txt", "nothing here\n");
    repo.guard(&["pre-commit"]).assert_code(0);
    repo.write(".intercom-guard.yaml", "# only a comment\n");
    repo.guard(&["pre-commit"]).assert_code(0);
}

#[test]
fn a_missing_or_malformed_baseline_is_reported() {
    let s = Scratch::new();
    s.write("clean.txt", "nothing here\n");
    s.write(
        "c.yaml",
        "# baseline of accepted findings\nbaseline: missing.json\n",
    );
    let run = s.guard(&[
        "scan",
        "--color",
        "never",
        "--config",
        "c.yaml",
        "clean.txt",
    ]);
    run.assert_code(2);
    assert!(run.stderr.contains("c.yaml:2"), "{run:?}");
    assert!(run.stderr.contains("missing.json"), "{run:?}");
    assert!(run.stderr.contains("--baseline-out"), "{run:?}");

    s.write(
        "bad.json",
        "{\"version\": 1,\n \"findings\": [\n   {\"fingerprint\": 12}\n ]}\n",
    );
    let run = s.guard(&[
        "scan",
        "--color",
        "never",
        "--baseline",
        "bad.json",
        "clean.txt",
    ]);
    run.assert_code(2);
    assert!(run.stderr.contains("bad.json:3:"), "{run:?}");
    assert!(run.stderr.contains("--baseline"), "{run:?}");

    s.write("notjson.json", "fingerprint,path\nabc,x\n");
    let run = s.guard(&["scan", "--baseline", "notjson.json", "clean.txt"]);
    run.assert_code(2);
    assert!(run.stderr.contains("notjson.json:1:"), "{run:?}");
}
