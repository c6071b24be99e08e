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
