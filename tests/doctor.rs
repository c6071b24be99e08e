//! `intercom-guard doctor` on real repositories: one that fails every item,
//! one that passes them all, and the edges of each check.

mod common;

use common::{Repo, Run, lines, path_with_binary, token};
use serde_json::Value;

/// The status of each check, by name, from `--format json`.
fn statuses(run: &Run) -> Vec<(String, String)> {
    run.json()["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn status(run: &Run, check: &str) -> String {
    statuses(run)
        .into_iter()
        .find(|(c, _)| c == check)
        .unwrap_or_else(|| panic!("no {check} check: {run:?}"))
        .1
}

fn check_json(run: &Run, check: &str) -> Value {
    run.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .cloned()
        .unwrap()
}

const GITIGNORE: &str = ".env\n.env.local\n.env.*.local\n";

#[test]
fn a_repository_that_fails_every_item() {
    let repo = Repo::new();
    let live = token();
    let other = token();
    repo.write(".intercom-guard.yaml", "allow:\n  pathz: [docs]\n");
    repo.write(".gitignore", "target/\n");
    repo.write(".env", "INTERCOM_APP_ID=abc123\n");
    repo.write("config/settings.js", format!("const token = \"{live}\";\n"));
    repo.write(
        "src/client.py",
        format!("INTERCOM_ACCESS_TOKEN = '{other}'\n"),
    );
    repo.commit_all("everything wrong");

    let run = repo.guard_with(&["doctor", "--color", "never"], |c| {
        c.env("INTERCOM_ACCESS_TOKEN", &live);
    });
    run.assert_code(1);
    let out = &run.stdout;
    for line in [
        "FAIL  config:",
        "FAIL  gitignore:",
        "FAIL  tracked-env:",
        "FAIL  secrets-at-head: 2 Intercom secrets in the files at HEAD",
        "WARN  hook:",
        "FAIL  environment:",
        "6 checks: 0 passed, 5 failed, 1 warning",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    // Each failure says how to fix it.
    assert!(out.contains("fix: add these lines to .gitignore"), "{out}");
    assert!(out.contains("git rm --cached .env"), "{out}");
    assert!(out.contains(".intercom-guard.yaml:2:3"), "{out}");
    assert!(
        out.contains("$INTERCOM_ACCESS_TOKEN is written in config/settings.js:1"),
        "{out}"
    );
    assert!(out.contains("src/client.py:1"), "{out}");
    // Names only: neither secret is ever printed, not even in part.
    for secret in [&live, &other] {
        assert!(
            !run.all().contains(&secret[10..40]),
            "a secret leaked: {run:?}"
        );
    }

    let json = repo.guard_with(&["doctor", "--format", "json"], |c| {
        c.env("INTERCOM_ACCESS_TOKEN", &live);
    });
    json.assert_code(1);
    assert_eq!(json.json()["ok"], false);
    assert_eq!(
        statuses(&json),
        [
            ("config", "fail"),
            ("gitignore", "fail"),
            ("tracked-env", "fail"),
            ("secrets-at-head", "fail"),
            ("hook", "warn"),
            ("environment", "fail"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
}

#[test]
fn a_repository_that_passes_every_item() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.write(
        ".env.example",
        "INTERCOM_ACCESS_TOKEN=<your-token>\nINTERCOM_CLIENT_SECRET=changeme\n",
    );
    repo.write(
        ".intercom-guard.yaml",
        "allow:\n  paths: [\"tests/fixtures/**\"]\n",
    );
    repo.write("tests/fixtures/sample.env", format!("TOKEN={}\n", token()));
    repo.write(
        "src/app.js",
        "const token = process.env.INTERCOM_ACCESS_TOKEN;\n",
    );
    repo.commit_all("clean");
    repo.install_hook();
    // Local secrets exist but are ignored, as they should be.
    let live = token();
    repo.write(".env", format!("INTERCOM_ACCESS_TOKEN={live}\n"));
    repo.write(
        ".env.production.local",
        format!("INTERCOM_ACCESS_TOKEN={live}\n"),
    );

    let run = repo.guard_with(&["doctor", "--color", "never"], |c| {
        c.env("INTERCOM_ACCESS_TOKEN", &live);
    });
    run.assert_code(0);
    let out = &run.stdout;
    assert!(
        out.contains("6 checks: 6 passed, 0 failed, 0 warnings"),
        "{out}"
    );
    assert!(out.contains("(1 allowlisted paths)"), "{out}");
    assert!(
        out.contains("the credentials in the environment (INTERCOM_ACCESS_TOKEN) are not written"),
        "{out}"
    );
    assert!(!run.all().contains(&live[10..40]), "{run:?}");
    let json = repo.guard(&["doctor", "--format", "json"]);
    json.assert_code(0);
    assert!(statuses(&json).iter().all(|(_, s)| s == "pass"), "{json:?}");
}

#[test]
fn gitignore_is_asked_of_git_matching_not_of_strings() {
    let repo = Repo::new();
    // Patterns written differently from the names still cover them.
    repo.write(".gitignore", ".env*\n!.env.example\n");
    repo.commit_all("ignore");
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "gitignore"), "pass", "{run:?}");

    // A later negation re-includes a local file.
    repo.write(".gitignore", ".env*\n!.env.local\n");
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "gitignore"), "fail");
    let details = check_json(&run, "gitignore")["details"].to_string();
    assert!(
        details.contains(".env.local: re-included by `!.env.local`"),
        "{details}"
    );

    // `.env` in a comment is not a pattern.
    repo.write(".gitignore", "# .env\n# .env.local\n# .env.*.local\n");
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "gitignore"), "fail");

    // Ignored only in .git/info/exclude: not shared with the team.
    repo.write(".gitignore", "");
    std::fs::write(repo.path().join(".git/info/exclude"), GITIGNORE).unwrap();
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "gitignore"), "fail");
    assert!(
        check_json(&run, "gitignore")["details"]
            .to_string()
            .contains("not shared"),
        "{run:?}"
    );

    // A .gitignore in the root written with slashes works.
    repo.write(".gitignore", "/.env\n/.env.local\n/.env.*.local\n");
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "gitignore"), "pass");
}

#[test]
fn tracked_env_files_fail_templates_pass_others_warn() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.write(".env.example", "INTERCOM_ACCESS_TOKEN=\n");
    repo.write("web/.env.sample", "INTERCOM_ACCESS_TOKEN=\n");
    repo.commit_all("templates");
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "tracked-env"), "pass");

    repo.write(".env.production", "INTERCOM_APP_ID=abc\n");
    repo.git(&["add", ".env.production"]);
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "tracked-env"), "warn");

    // Force-added past .gitignore: tracked all the same.
    repo.write("api/.env.staging.local", "X=1\n");
    repo.git(&["add", "-f", "api/.env.staging.local"]);
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "tracked-env"), "fail");
    let item = check_json(&run, "tracked-env");
    assert_eq!(
        item["details"],
        serde_json::json!(["api/.env.staging.local"])
    );
    run.assert_code(1);
}

#[test]
fn secrets_at_head_go_through_the_policy() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    let t = token();
    repo.write("app.rb", format!("TOKEN = '{t}'\n"));
    repo.commit_all("secret");
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "secrets-at-head"), "fail");
    let fp = check_json(&run, "secrets-at-head")["details"][0]
        .as_str()
        .unwrap()
        .rsplit("fingerprint ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_owned();
    assert_eq!(fp.len(), 64, "{fp}");

    // Only HEAD counts: a staged secret is the hook's business.
    repo.write(
        ".intercom-guard.yaml",
        format!("allow:\n  fingerprints: [{fp}]\n"),
    );
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "secrets-at-head"), "pass", "{run:?}");
    assert!(
        check_json(&run, "secrets-at-head")["message"]
            .as_str()
            .unwrap()
            .contains("1 accepted")
    );
    // …but an accepted secret that is the live credential still fails.
    let run = repo.guard_with(&["doctor", "--format", "json"], |c| {
        c.env("INTERCOM_ACCESS_TOKEN", &t);
    });
    assert_eq!(status(&run, "environment"), "fail");
    run.assert_code(1);
}

#[test]
fn an_environment_credential_is_found_in_another_spelling() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    let t = token();
    // URL-escaped padding: not the same bytes, the same fingerprint.
    let escaped = format!("{}%3D", t.trim_end_matches('='));
    repo.write("log.txt", format!("GET /me?token={escaped}\n"));
    repo.write(".intercom-guard.yaml", "allow:\n  paths: [log.txt]\n");
    repo.commit_all("log");
    let run = repo.guard_with(&["doctor", "--format", "json"], |c| {
        c.env("INTERCOM_ACCESS_TOKEN", &t)
            .env("INTERCOM_APP_ID", "abc12def")
            .env("INTERCOM_WEBHOOK_SECRET", "changeme");
    });
    assert_eq!(status(&run, "secrets-at-head"), "pass", "{run:?}");
    assert_eq!(status(&run, "environment"), "fail", "{run:?}");
    let item = check_json(&run, "environment");
    assert_eq!(
        item["details"],
        serde_json::json!(["$INTERCOM_ACCESS_TOKEN is written in log.txt:1"])
    );
    assert!(!run.all().contains(&t[10..40]));
}

#[test]
fn hooks_of_managers_count_and_a_broken_hook_warns() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit_all("init");
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("pre-commit");

    // The pre-commit framework's hook, with our hook in its config.
    std::fs::write(
        &hook,
        "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexec pre-commit hook-impl --hook-type=pre-commit\n",
    )
    .unwrap();
    set_mode(&hook, 0o755);
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "hook"), "warn", "framework without our hook");
    repo.write(
        ".pre-commit-config.yaml",
        lines(&[
            "repos:",
            "  - repo: https://example.com/intercom-guard",
            "    rev: v0.1.0",
            "    hooks:",
            "      - id: intercom-guard",
        ]),
    );
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "hook"), "pass", "{run:?}");
    run.assert_code(0);

    // Our own hook, not executable: git would skip it.
    std::fs::remove_file(repo.path().join(".pre-commit-config.yaml")).unwrap();
    std::fs::write(&hook, "#!/bin/sh\nexec intercom-guard pre-commit\n").unwrap();
    set_mode(&hook, 0o644);
    let run = repo.guard(&["doctor", "--format", "json"]);
    assert_eq!(status(&run, "hook"), "warn");
    assert!(
        check_json(&run, "hook")["fix"]
            .as_str()
            .unwrap()
            .starts_with("chmod +x")
    );
    run.assert_code(0);

    // core.hooksPath is where git looks.
    set_mode(&hook, 0o755);
    repo.git(&["config", "core.hooksPath", "githooks"]);
    assert_eq!(
        status(&repo.guard(&["doctor", "--format", "json"]), "hook"),
        "warn"
    );
    repo.write(
        "githooks/pre-push",
        "#!/bin/sh\nexec intercom-guard pre-push \"$@\"\n",
    );
    set_mode(&repo.path().join("githooks/pre-push"), 0o755);
    assert_eq!(
        status(&repo.guard(&["doctor", "--format", "json"]), "hook"),
        "pass"
    );
}

/// husky v9: `git config core.hooksPath .husky/_`, where every hook is
/// `. "$(dirname "$0")/h"` and `h` runs the user's `.husky/<hook>` with
/// `sh -e`. The layout is made by hand here (no npm), and a real commit
/// through it shows it is wired as husky wires it.
#[test]
fn husky_v9_counts_when_its_script_runs_ours() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit_all("init");
    let underscore = repo.path().join(".husky/_");
    std::fs::create_dir_all(&underscore).unwrap();
    std::fs::write(
        underscore.join("h"),
        "#!/usr/bin/env sh\n# husky's runner, as husky v9 lays it out (written for this test)\nname=${0##*/}\nscript=${0%/*}/../$name\n[ -f \"$script\" ] || exit 0\nsh -e \"$script\" \"$@\"\n",
    )
    .unwrap();
    for hook in ["pre-commit", "pre-push"] {
        let path = underscore.join(hook);
        std::fs::write(&path, "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"").unwrap();
        set_mode(&path, 0o755);
    }
    std::fs::write(underscore.join(".gitignore"), "*").unwrap();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    repo.write(".husky/pre-commit", "npm test\n");

    let run = repo.guard(&["doctor", "--format", "json"]);
    run.assert_code(0);
    let hook = check_json(&run, "hook");
    assert_eq!(hook["status"], "warn", "{run:?}");
    let script = repo.path().join(".husky/pre-commit");
    assert_eq!(
        hook["fix"],
        format!(
            "add the line `intercom-guard pre-commit` to {} and commit it",
            script.display()
        ),
        "{run:?}"
    );

    repo.write(".husky/pre-commit", "intercom-guard pre-commit\n");
    let run = repo.guard(&["doctor", "--format", "json"]);
    let hook = check_json(&run, "hook");
    assert_eq!(hook["status"], "pass", "{run:?}");
    let message = hook["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("through husky: {}", script.display())),
        "{message}"
    );

    // git runs it as husky would: a staged token is refused.
    repo.stage("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let path = path_with_binary(&repo.root());
    let commit = repo.git_run_with(&["commit", "-q", "-m", "leak"], |c| {
        c.env("PATH", &path);
    });
    assert_ne!(commit.code, 0, "{commit:?}");
    assert!(commit.stderr.contains("a.env"), "{commit:?}");
}

/// `install` and `doctor` ask one resolver where the hooks go, so what one
/// writes the other finds, wherever `core.hooksPath` points.
#[test]
fn doctor_finds_the_hook_install_wrote() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit_all("init");
    for (hooks_path, folder) in [
        (None, repo.path().join(".git/hooks")),
        (Some("githooks"), repo.path().join("githooks")),
        (Some("~/shared-hooks"), repo.home().join("shared-hooks")),
    ] {
        if let Some(p) = hooks_path {
            repo.git(&["config", "core.hooksPath", p]);
        }
        let before = repo.guard(&["doctor", "--format", "json"]);
        assert_eq!(
            status(&before, "hook"),
            "warn",
            "{hooks_path:?}: {before:?}"
        );
        repo.guard(&["install", "--hook", "pre-push"])
            .assert_code(0);
        assert!(folder.join("pre-push").is_file(), "{hooks_path:?}");
        let after = repo.guard(&["doctor", "--format", "json"]);
        assert_eq!(status(&after, "hook"), "pass", "{hooks_path:?}: {after:?}");
    }
}

#[test]
fn doctor_json_is_one_document_with_every_check() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit_all("init");
    for args in [
        &["doctor", "--format", "json"][..],
        &["--format", "json", "doctor"][..],
    ] {
        let run = repo.guard(args);
        run.assert_code(0);
        assert_eq!(run.stderr, "", "{run:?}");
        let doc = run.json();
        assert_eq!(doc["ok"], true, "{doc}");
        let checks = doc["checks"].as_array().expect("checks");
        assert_eq!(
            checks
                .iter()
                .map(|c| c["check"].as_str().unwrap())
                .collect::<Vec<_>>(),
            [
                "config",
                "gitignore",
                "tracked-env",
                "secrets-at-head",
                "hook",
                "environment"
            ]
        );
        for c in checks {
            let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                ["check", "details", "fix", "message", "status"],
                "{c}"
            );
            assert!(c["message"].is_string() && c["details"].is_array(), "{c}");
        }
        assert_eq!(check_json(&run, "hook")["status"], "warn");
        assert!(check_json(&run, "hook")["fix"].is_string());
        assert_eq!(check_json(&run, "gitignore")["fix"], Value::Null);
    }
}

/// A format doctor cannot write is a usage error from the parser (exit 2,
/// nothing on stdout), never a human report under another name; before or
/// after the subcommand, and before doctor looks for a repository.
#[test]
fn doctor_refuses_sarif_at_the_parser() {
    let repo = Repo::new();
    let outside = common::Scratch::new();
    for (run, place) in [
        (repo.guard(&["doctor", "--format", "sarif"]), "repo"),
        (
            repo.guard(&["--format", "sarif", "doctor"]),
            "repo, flag first",
        ),
        (outside.guard(&["doctor", "--format", "sarif"]), "outside"),
    ] {
        run.assert_code(2);
        assert_eq!(run.stdout, "", "{place}: {run:?}");
        assert!(
            run.stderr
                .starts_with("error: invalid value 'sarif' for '--format <FORMAT>'"),
            "{place}: {run:?}"
        );
        assert!(
            run.stderr.contains("[possible values: human, json]"),
            "{place}: {run:?}"
        );
        assert!(!run.stderr.contains("not a git repository"), "{run:?}");
    }
}

#[test]
fn outside_a_repository_doctor_exits_2() {
    let s = common::Scratch::new();
    let run = s.guard(&["doctor"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a git repository"), "{run:?}");
}

fn set_mode(path: &std::path::Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
