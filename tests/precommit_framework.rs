//! End to end with the real pre-commit framework (https://pre-commit.com),
//! installed from PyPI by the test itself into `target/precommit-venv`.
//!
//! A throw-away repository gets a `.pre-commit-config.yaml` that points at
//! this crate's own repository and its HEAD commit, exactly as a user's
//! config points at a published tag. The framework clones that commit,
//! builds it with `cargo install --path .` (`language: rust` in
//! `.pre-commit-hooks.yaml`) and runs `intercom-guard pre-commit` on every
//! `git commit`. So this tests what is committed, not the work tree.
//!
//! The first run builds the crate in release mode (minutes); later runs
//! reuse `target/precommit-home` and `target/precommit-install`.

mod support_precommit;

use std::time::{Duration, Instant};

use support_precommit::{
    Framework, Output, TempRepo, crate_dir, crate_head, crate_uncommitted_changes,
    fake_access_token, run, yaml_quote,
};

/// The framework's own build of the crate, in release, may take a while on
/// two cores with a cold cache.
const INSTALL_LIMIT: Duration = Duration::from_secs(45 * 60);
const COMMIT_LIMIT: Duration = Duration::from_secs(5 * 60);

fn commit(repo: &TempRepo, fw: &Framework, message: &str) -> Output {
    let mut cmd = repo.command(fw, "git");
    cmd.args(["commit", "-m", message]);
    let out = run(cmd, COMMIT_LIMIT, &fw.scratch);
    eprintln!("{out}");
    out
}

#[test]
fn framework_hook_blocks_a_token_commit_and_passes_a_clean_one() {
    let started = Instant::now();
    let fw = Framework::ready();
    let rev = crate_head();
    let dirty = crate_uncommitted_changes();
    if !dirty.is_empty() {
        eprintln!(
            "note: the framework installs commit {rev}; these uncommitted changes are not \
             tested:\n{dirty}"
        );
    }

    let repo = TempRepo::new();
    repo.git(&fw, &["init", "--quiet"]).expect_success();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: intercom-guard\n",
        yaml_quote(&crate_dir().to_string_lossy()),
        rev
    );
    repo.write(".pre-commit-config.yaml", &config);

    let mut install = repo.command(&fw, fw.pre_commit_bin());
    install.arg("install");
    let out = run(install, COMMIT_LIMIT, &fw.scratch).expect_success();
    eprintln!("{out}");

    // Build the hook environment up front so a build failure is reported as
    // such (with the framework's log), not as a puzzling commit failure.
    let mut hooks = repo.command(&fw, fw.pre_commit_bin());
    hooks.arg("install-hooks");
    let out = run(hooks, INSTALL_LIMIT, &fw.scratch);
    eprintln!("{out}");
    if !out.success() {
        let log = std::fs::read_to_string(fw.home.join("pre-commit.log")).unwrap_or_default();
        panic!("the framework could not install the intercom-guard hook:\n{out}\n{log}");
    }

    // 1. A clean first commit goes through, and the hook did run.
    repo.write(
        "README.md",
        "# demo\n\nIntercom app id lives in INTERCOM_APP_ID.\n",
    );
    repo.git(&fw, &["add", "README.md", ".pre-commit-config.yaml"])
        .expect_success();
    let out = commit(&repo, &fw, "initial");
    assert!(out.success(), "a clean commit was refused:\n{out}");
    assert!(
        out.all().contains("intercom-guard") && out.all().contains("Passed"),
        "the intercom-guard hook did not report running:\n{out}"
    );
    assert_eq!(repo.commit_count(&fw), 1);

    // 2. A commit adding a real-looking token is refused, says where, and
    //    does not print the token itself.
    let token = fake_access_token();
    repo.write(
        "src/intercom_client.js",
        &format!(
            "const headers = {{\n  Accept: 'application/json',\n  Authorization: 'Bearer {token}',\n}};\nmodule.exports = headers;\n"
        ),
    );
    repo.git(&fw, &["add", "src/intercom_client.js"])
        .expect_success();
    let out = commit(&repo, &fw, "add client");
    let all = out.all();
    assert!(!out.success(), "a commit with a token went through:\n{out}");
    assert_eq!(repo.commit_count(&fw), 1, "the refused commit was created");
    assert!(
        all.contains("intercom-guard") && all.contains("Failed"),
        "the framework did not report our hook failing:\n{out}"
    );
    assert!(
        all.contains("exit code: 1"),
        "intercom-guard should exit 1 (findings), not with an error:\n{out}"
    );
    assert!(
        all.contains("src/intercom_client.js"),
        "the report does not name the file:\n{out}"
    );
    let lower = all.to_lowercase();
    assert!(
        ["access token", "access_token", "access-token"]
            .iter()
            .any(|k| lower.contains(k)),
        "the report does not say it is an access token:\n{out}"
    );
    assert!(
        !all.contains(&token),
        "the full token was printed (secrets are redacted unless --show-secrets):\n{out}"
    );

    // 3. The same file reading the token from the environment is fine.
    repo.write(
        "src/intercom_client.js",
        "const headers = {\n  Accept: 'application/json',\n  Authorization: `Bearer ${process.env.INTERCOM_ACCESS_TOKEN}`,\n};\nmodule.exports = headers;\n",
    );
    repo.git(&fw, &["add", "src/intercom_client.js"])
        .expect_success();
    let out = commit(&repo, &fw, "add client");
    assert!(out.success(), "a clean commit was refused:\n{out}");
    assert_eq!(repo.commit_count(&fw), 2);

    // Drop the framework's clones and builds of older commits (each commit
    // of this crate gets its own); the one just used stays cached.
    let mut gc = repo.command(&fw, fw.pre_commit_bin());
    gc.arg("gc");
    eprintln!("{}", run(gc, COMMIT_LIMIT, &fw.scratch));

    eprintln!(
        "pre-commit framework end-to-end: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
