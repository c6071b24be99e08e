//! Guidance that fits the case, through the binary in real repositories:
//! doctor's committed secrets get the committed steps, a secret in `.env`
//! itself is fixed by untracking and ignoring the file (and the command
//! given does it), a legacy 40-hex API key is said to be disabled since
//! 2018, and SARIF rules carry the steps of their kind rather than one
//! run's.

mod common;

use common::{Repo, Scratch, lines, token};

/// A random 40-hex value, as legacy Intercom API keys were.
fn legacy_key() -> String {
    let t = token();
    let hex: String = t
        .bytes()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .map(char::from)
        .collect();
    hex[hex.len() - 40..].to_owned()
}

#[test]
fn doctor_gives_committed_secrets_the_committed_steps() {
    let repo = Repo::new();
    repo.write(".gitignore", lines(&[".env", ".env.local", ".env.*.local"]));
    repo.write("src/app.js", format!("const t = \"{}\";\n", token()));
    repo.commit_all("init");
    let run = repo.guard(&["doctor", "--color", "never"]);
    run.assert_code(1);
    let text = &run.stdout;
    assert!(text.contains("FAIL  secrets-at-head"), "{text}");
    assert!(
        text.contains("Intercom access token committed in 1 file"),
        "{text}"
    );
    assert!(text.contains("git commit --amend"), "{text}");
    assert!(text.contains("git rebase -i"), "{text}");
    assert!(text.contains("revoke the old one"), "{text}");
    for wrong in ["not committed yet", "staged", "git restore --staged"] {
        assert!(!text.contains(wrong), "{wrong:?} in {text}");
    }
}

#[test]
fn a_secret_in_a_env_file_is_untracked_and_ignored_not_moved_to_a_env() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.stage(
        "deploy/.env",
        format!("INTERCOM_ACCESS_TOKEN={}\n", token()),
    );
    let run = repo.guard_with(&["pre-commit", "--color", "never"], |c| {
        c.env("COLUMNS", "80");
    });
    run.assert_code(1);
    let text = &run.stderr;
    assert!(!text.contains("Move the value"), "{text}");
    assert!(!text.contains("move it to"), "{text}");
    assert!(text.contains(".gitignore"), "{text}");
    let command = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("git rm --cached"))
        .unwrap_or_else(|| panic!("no untrack command in {text}"));
    assert_eq!(command, "git rm --cached deploy/.env");
    // The command does what it says: the file is no longer staged, and
    // still on disk.
    let words: Vec<&str> = command.split_whitespace().collect();
    repo.git(&words[1..]);
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), "");
    assert!(repo.path().join("deploy/.env").is_file());

    // Scanning the file by hand gives the same advice, not the staged one.
    let scan = repo.guard(&["scan", "deploy/.env", "--color", "never"]);
    scan.assert_code(1);
    assert!(
        scan.stdout.contains("git rm --cached deploy/.env"),
        "{scan:?}"
    );
    assert!(!scan.stdout.contains("Move the value"), "{scan:?}");
    assert!(!scan.stdout.contains("git restore --staged"), "{scan:?}");
}

#[test]
fn a_legacy_api_key_is_said_to_be_disabled_since_2018() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let key = legacy_key();
    repo.stage(
        "config/settings.py",
        format!("INTERCOM_API_KEY = \"{key}\"\n"),
    );
    let run = repo.guard_with(&["pre-commit", "--color", "never"], |c| {
        c.env("COLUMNS", "80");
    });
    run.assert_code(1);
    let text = &run.stderr;
    assert!(!text.contains(&key), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Intercom disabled API keys in 2018"),
        "{text}"
    );
    assert!(text.contains("intercom-guard explain api_key"), "{text}");
    // Scanned by hand: the steps in full, saying what to do instead.
    let scan = repo.guard(&["scan", "config/settings.py", "--color", "never"]);
    scan.assert_code(1);
    let flat = scan.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Intercom disabled API keys in 2018"),
        "{scan:?}"
    );
    assert!(flat.contains("access token instead"), "{scan:?}");
    assert!(!flat.contains("regenerate it:"), "{scan:?}");

    // An API key of another shape gets the usual steps.
    let other = format!("sk_{}", &token()[8..40]);
    let s = Scratch::new();
    let run = s.guard_stdin(
        &["scan", "-", "--color", "never"],
        format!("INTERCOM_API_KEY={other}\n").as_bytes(),
    );
    run.assert_code(1);
    let flat = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!flat.contains("disabled API keys"), "{run:?}");
    assert!(flat.contains("regenerate it:"), "{run:?}");
}

#[test]
fn sarif_rules_carry_their_kind_s_steps_not_one_run_s() {
    let s = Scratch::new();
    for args in [
        &["scan", "-", "--format", "sarif"][..],
        &["pre-commit", "--format", "sarif"],
    ] {
        let run = if args[0] == "scan" {
            s.guard_stdin(args, format!("t = \"{}\"\n", token()).as_bytes())
        } else {
            let repo = Repo::new();
            repo.stage("app.js", format!("t = \"{}\"\n", token()));
            repo.guard(args)
        };
        run.assert_code(1);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF");
        let rules = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert!(!rules.is_empty());
        for rule in rules {
            let texts = [
                &rule["shortDescription"]["text"],
                &rule["fullDescription"]["text"],
                &rule["help"]["text"],
                &rule["help"]["markdown"],
            ];
            for text in texts {
                let text = text.as_str().unwrap();
                for wrong in ["0 files", "A Intercom", "a Intercom", "<path>"] {
                    assert!(!text.contains(wrong), "{wrong:?} in {}: {text}", rule["id"]);
                }
            }
            let help = rule["help"]["text"].as_str().unwrap();
            assert!(help.contains("regenerate it:"), "{help}");
            assert!(help.contains("git filter-repo"), "{help}");
        }
    }
}
