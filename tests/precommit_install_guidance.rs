//! `intercom-guard install` in a repository whose hook the real pre-commit
//! framework wrote (`pre-commit install`, the framework from PyPI in
//! `target/precommit-venv`): the framework's hook is left untouched, and
//! the configuration `install` prints instead works as printed: added to
//! `.pre-commit-config.yaml`, it refuses a leaking commit and passes a
//! clean one, running the intercom-guard on PATH.

mod support_precommit;

use std::path::PathBuf;
use std::time::Duration;

use support_precommit::{Framework, Output, TempRepo, fake_access_token, run};

const LIMIT: Duration = Duration::from_secs(5 * 60);

/// The YAML block of `install`'s guidance: from `repos:` to `stages:`,
/// without the diagnostic's indentation.
fn yaml_of(guidance: &str) -> String {
    let lines: Vec<&str> = guidance.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end().ends_with("repos:"))
        .unwrap_or_else(|| panic!("no configuration in:\n{guidance}"));
    let indent = lines[start].len() - "repos:".len();
    let mut yaml = String::new();
    for line in &lines[start..] {
        let text = line.get(indent..).unwrap_or_default();
        yaml.push_str(text.trim_end());
        yaml.push('\n');
        if text.trim_start().starts_with("stages:") {
            break;
        }
    }
    yaml
}

/// miette's wrapped text on one line (it wraps at 80 columns, also after
/// a hyphen or a slash), for looking up phrases.
fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
        .replace("- ", "-")
        .replace("/ ", "/")
}

#[test]
fn the_frameworks_hook_is_kept_and_the_printed_configuration_works() {
    let fw = Framework::ready();
    let tmp = tempfile::tempdir().expect("temp dir");
    let bin_dir = tmp.path().join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_intercom-guard"),
        bin_dir.join("intercom-guard"),
    )
    .expect("link the binary");
    let path: Vec<PathBuf> = [bin_dir, fw.venv.join("bin")]
        .into_iter()
        .chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ))
        .collect();
    let path = std::env::join_paths(path).unwrap();
    let cmd = |repo: &TempRepo, program: &std::path::Path, args: &[&str]| -> Output {
        let mut cmd = repo.command(&fw, program);
        cmd.env("PATH", &path).args(args);
        let out = run(cmd, LIMIT, &fw.scratch);
        eprintln!("{out}");
        out
    };

    let repo = TempRepo::new();
    cmd(&repo, "git".as_ref(), &["init", "--quiet"]).expect_success();
    cmd(&repo, &fw.pre_commit_bin(), &["install"]).expect_success();
    let hook = repo.work.join(".git/hooks/pre-commit");
    let framework_hook = std::fs::read(&hook).expect("the framework wrote its hook");

    let refused = cmd(
        &repo,
        env!("CARGO_BIN_EXE_intercom-guard").as_ref(),
        &["install", "--color", "never"],
    );
    assert_eq!(refused.status.code(), Some(2), "{refused}");
    let said = flat(&refused.stderr);
    assert!(
        said.contains("is the pre-commit framework's hook"),
        "{said}"
    );
    assert!(
        said.contains("add intercom-guard to .pre-commit-config.yaml"),
        "{said}"
    );
    assert!(said.contains("then run `pre-commit install`"), "{said}");
    assert_eq!(std::fs::read(&hook).unwrap(), framework_hook, "untouched");
    assert!(
        !repo
            .work
            .join(".git/hooks/pre-commit.intercom-guard-chained")
            .exists()
    );

    // Do as it says.
    let yaml = yaml_of(&refused.stderr);
    repo.write(".pre-commit-config.yaml", &yaml);
    cmd(&repo, &fw.pre_commit_bin(), &["install"]).expect_success();

    let token = fake_access_token();
    repo.write("app.env", &format!("INTERCOM_ACCESS_TOKEN={token}\n"));
    cmd(&repo, "git".as_ref(), &["add", "--all"]).expect_success();
    let leak = cmd(&repo, "git".as_ref(), &["commit", "-m", "leak"]);
    assert!(!leak.success(), "a leaking commit went through:\n{leak}");
    assert!(
        leak.all().contains("app.env"),
        "intercom-guard did not run:\n{leak}"
    );
    assert!(!leak.all().contains(&token));
    assert_eq!(repo.commit_count(&fw), 0);

    cmd(
        &repo,
        "git".as_ref(),
        &["rm", "--cached", "--quiet", "app.env"],
    )
    .expect_success();
    std::fs::remove_file(repo.work.join("app.env")).unwrap();
    repo.write("notes.md", "nothing secret\n");
    cmd(&repo, "git".as_ref(), &["add", "--all"]).expect_success();
    let clean = cmd(&repo, "git".as_ref(), &["commit", "-m", "clean"]);
    assert!(clean.success(), "a clean commit was refused:\n{clean}");
    assert!(
        clean.all().contains("intercom-guard"),
        "the hook did not run:\n{clean}"
    );
    assert_eq!(repo.commit_count(&fw), 1);
}
