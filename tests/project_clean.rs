//! The README's "run it" on this very repository: `scan .` finds nothing
//! (its test data is accepted by the shipped `.intercom-guard.yaml`), and
//! `doctor` passes the checks about secrets and `.env` files. A hook need
//! not be installed in the clone, so that check is not asked about.
//!
//! When this fails after adding a test vector, the report names it and its
//! fingerprint: accept it in `.intercom-guard.yaml` (see the comments
//! there).

use std::path::Path;
use std::process::{Command, Stdio};

/// The binary run at the root of this repository, with a clean
/// environment (no user configuration, no credentials of the shell).
fn guard_here(args: &[&str], home: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_intercom-guard"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run intercom-guard")
}

#[test]
fn scan_of_the_project_itself_finds_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = guard_here(&["scan", ".", "--color", "never"], home.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "`scan .` on the project finds something; accept test data in \
         .intercom-guard.yaml:\n{stdout}{stderr}"
    );
    assert!(stdout.starts_with("no Intercom secrets found"), "{stdout}");
    assert!(stdout.contains("allowlisted path"), "{stdout}");
}

#[test]
fn doctor_on_the_project_passes_the_secret_and_env_checks() {
    let home = tempfile::tempdir().unwrap();
    let out = guard_here(&["doctor", "--format", "json"], home.path());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor wrote no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let checks = doc["checks"].as_array().expect("checks");
    for id in [
        "config",
        "gitignore",
        "tracked-env",
        "secrets-at-head",
        "environment",
    ] {
        let check = checks
            .iter()
            .find(|c| c["check"] == id)
            .unwrap_or_else(|| panic!("no {id} check: {doc}"));
        assert_eq!(check["status"], "pass", "{id}: {check}");
    }
}

/// The project's configuration is the project's: run from a folder outside
/// it (as every other test runs the binary, in a temporary repository), the
/// same test data is reported, so no test picks up this repository's
/// allowlist by accident.
#[test]
fn the_project_configuration_applies_only_inside_the_project() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let out = Command::new(env!("CARGO_BIN_EXE_intercom-guard"))
        .args(["scan", "--format", "json"])
        .arg(&examples)
        .current_dir(elsewhere.path())
        .env("HOME", home.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", elsewhere.path())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .output()
        .expect("run intercom-guard");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        doc["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "{doc}"
    );
}
