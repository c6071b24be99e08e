//! The `intercom-guard-system` hook of `.pre-commit-hooks.yaml`
//! (`language: system`): the real pre-commit framework runs the
//! intercom-guard already on PATH, building and installing nothing. The
//! binary is this crate's (`CARGO_BIN_EXE_intercom-guard`), on a PATH of only
//! its folder, the framework's venv and `/usr/bin:/bin`. Like
//! tests/precommit_framework.rs this tests the committed HEAD's hook file.

mod support_precommit;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support_precommit::{
    Framework, Output, TempRepo, crate_dir, crate_head, fake_access_token, find_on_path, run,
    yaml_quote,
};

const LIMIT: Duration = Duration::from_secs(5 * 60);

fn run_with_path(
    repo: &TempRepo,
    fw: &Framework,
    path: &[PathBuf],
    program: &Path,
    args: &[&str],
) -> Output {
    let mut cmd = repo.command(fw, program);
    cmd.env("PATH", std::env::join_paths(path).expect("PATH"));
    cmd.args(args);
    let out = run(cmd, LIMIT, &fw.scratch);
    eprintln!("{out}");
    out
}

#[test]
fn system_hook_runs_the_binary_on_path_and_refuses_when_there_is_none() {
    let fw = Framework::ready();
    let tmp = tempfile::tempdir().expect("temp dir");
    let bin_dir = tmp.path().join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_intercom-guard"),
        bin_dir.join("intercom-guard"),
    )
    .expect("link the binary");
    let system = vec![fw.venv.join("bin"), "/usr/bin".into(), "/bin".into()];
    let with_binary: Vec<PathBuf> = [bin_dir.clone()]
        .into_iter()
        .chain(system.clone())
        .collect();
    let short = std::env::join_paths(&system).unwrap();
    assert!(
        find_on_path("intercom-guard", &short).is_none() && find_on_path("cargo", &short).is_none(),
        "intercom-guard or cargo is in the system folders; this test needs them absent"
    );

    let repo = TempRepo::new();
    repo.git(&fw, &["init", "--quiet"]).expect_success();
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: intercom-guard-system\n",
            yaml_quote(&crate_dir().to_string_lossy()),
            crate_head()
        ),
    );
    run_with_path(&repo, &fw, &with_binary, &fw.pre_commit_bin(), &["install"]).expect_success();
    let git = Path::new("git");

    // A leak is refused by our binary (exit 1), a clean change accepted.
    let token = fake_access_token();
    repo.write("app.py", &format!("INTERCOM_TOKEN = \"{token}\"\n"));
    run_with_path(&repo, &fw, &with_binary, git, &["add", "--all"]).expect_success();
    let out = run_with_path(&repo, &fw, &with_binary, git, &["commit", "-m", "leak"]);
    assert!(!out.success(), "a commit with a token went through:\n{out}");
    assert!(
        out.all().contains("exit code: 1") && out.all().contains("app.py"),
        "intercom-guard did not run and name the file:\n{out}"
    );
    assert!(
        !out.all().contains(&token),
        "the full token was printed:\n{out}"
    );
    assert_eq!(repo.commit_count(&fw), 0);

    repo.write(
        "app.py",
        "import os\nINTERCOM_TOKEN = os.environ[\"INTERCOM_TOKEN\"]\n",
    );
    run_with_path(&repo, &fw, &with_binary, git, &["add", "--all"]).expect_success();
    let out = run_with_path(&repo, &fw, &with_binary, git, &["commit", "-m", "clean"]);
    assert!(out.success(), "a clean commit was refused:\n{out}");
    assert!(out.all().contains("Passed"), "the hook did not run:\n{out}");
    assert_eq!(repo.commit_count(&fw), 1);

    // With no intercom-guard on PATH the commit is refused, not let through.
    repo.write("notes.md", "nothing secret\n");
    run_with_path(&repo, &fw, &system, git, &["add", "--all"]).expect_success();
    let out = run_with_path(&repo, &fw, &system, git, &["commit", "-m", "unchecked"]);
    assert!(
        !out.success(),
        "a commit went through with no intercom-guard to check it:\n{out}"
    );
    assert!(
        out.all().contains("`intercom-guard` not found"),
        "the framework did not say the binary is missing:\n{out}"
    );
    assert_eq!(
        repo.commit_count(&fw),
        1,
        "the unchecked commit was created"
    );
}
