//! `intercom-guard history` against real repositories built with git: leaks
//! placed on purpose, each expected once where it entered, with git itself
//! (`git log -S`, `git rev-parse`) as the oracle for the commit.

mod common;

use std::collections::BTreeSet;

use common::{Repo, Scratch, lines, token};
use serde_json::Value;

/// Commit everything staged as `name`, at `date` (author and committer).
fn commit_as(repo: &Repo, name: &str, date: &str, message: &str) -> String {
    let email = format!("{}@example.com", name.to_lowercase());
    repo.git_run_with(
        &[
            "commit",
            "-q",
            "--no-verify",
            "--allow-empty",
            "-m",
            message,
        ],
        |c| {
            c.env("GIT_AUTHOR_NAME", name)
                .env("GIT_AUTHOR_EMAIL", &email)
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date);
        },
    );
    repo.head()
}

fn add_commit(repo: &Repo, rel: &str, content: &str, name: &str, date: &str) -> String {
    repo.stage(rel, content);
    commit_as(repo, name, date, &format!("add {rel}"))
}

/// The first commit that added `needle`, according to git (`log -S`).
fn git_introduced(repo: &Repo, needle: &str) -> String {
    let out = repo.git(&[
        "log",
        "--all",
        "--reverse",
        "--format=%H",
        &format!("-S{needle}"),
    ]);
    out.lines().next().expect("git finds the commit").to_owned()
}

/// The leaks of [`story`], by name.
struct Story {
    repo: Repo,
    deleted: String,
    side: String,
    dup: String,
    orphan: String,
    tagged: String,
    lost: String,
    /// Commit ids, by the name of the step.
    c_deleted: String,
    c_side: String,
    c_dup_a: String,
    c_dup_b: String,
    c_orphan: String,
    c_tagged: String,
    c_lost: String,
    c_before_side: String,
}

/// A history with one leak of each shape:
/// - `deleted`: added to `config/old.env` (line 2), deleted in the next commit;
/// - `side`: on branch `feature` (`src/feature.js` line 3), merged later;
/// - `dup`: `a/dup.env`, then copied to `b/dup.env` in a later commit;
/// - `orphan`: on an orphan branch (`creds.txt`);
/// - `tagged`: in a commit only a tag points at (`tagged.txt`);
/// - `lost`: in a commit nothing points at (`lost.txt`).
fn story() -> Story {
    let repo = Repo::new();
    let (deleted, side, dup, orphan, tagged, lost) =
        (token(), token(), token(), token(), token(), token());
    add_commit(
        &repo,
        "README.md",
        "hello\n",
        "Root",
        "2023-01-01T00:00:00Z",
    );
    let c_deleted = add_commit(
        &repo,
        "config/old.env",
        &lines(&["DEBUG=1", &format!("INTERCOM_ACCESS_TOKEN={deleted}")]),
        "Alice",
        "2023-01-02T00:00:00Z",
    );
    repo.git(&["rm", "-q", "config/old.env"]);
    let c_before_side = commit_as(
        &repo,
        "Alice",
        "2023-02-01T00:00:00Z",
        "remove the env file",
    );

    repo.git(&["checkout", "-q", "-b", "feature"]);
    let c_side = add_commit(
        &repo,
        "src/feature.js",
        &lines(&[
            "const client = require('./client');",
            "",
            &format!("client.token = '{side}';"),
        ]),
        "Bob",
        "2023-03-01T00:00:00Z",
    );
    repo.git(&["checkout", "-q", "main"]);
    let c_dup_a = add_commit(
        &repo,
        "a/dup.env",
        &lines(&[&format!("INTERCOM_ACCESS_TOKEN={dup}")]),
        "Carol",
        "2023-04-01T00:00:00Z",
    );
    repo.git_run_with(&["merge", "-q", "--no-ff", "--no-edit", "feature"], |c| {
        c.env("GIT_AUTHOR_DATE", "2023-05-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2023-05-01T00:00:00Z");
    });
    std::fs::create_dir_all(repo.path().join("b")).unwrap();
    std::fs::copy(repo.path().join("a/dup.env"), repo.path().join("b/dup.env")).unwrap();
    repo.git(&["add", "b/dup.env"]);
    let c_dup_b = commit_as(&repo, "Dave", "2023-06-01T00:00:00Z", "copy");

    repo.git(&["checkout", "-q", "--orphan", "secrets"]);
    repo.git(&["rm", "-rq", "--cached", "."]);
    for f in ["README.md", "src/feature.js", "a/dup.env", "b/dup.env"] {
        repo.remove(f);
    }
    let c_orphan = add_commit(
        &repo,
        "creds.txt",
        &format!("{orphan}\n"),
        "Eve",
        "2023-07-01T00:00:00Z",
    );
    repo.git(&["checkout", "-q", "-f", "main"]);

    repo.git(&["checkout", "-q", "--detach"]);
    let c_tagged = add_commit(
        &repo,
        "tagged.txt",
        &format!("token: {tagged}\n"),
        "Frank",
        "2023-08-01T00:00:00Z",
    );
    repo.git(&["tag", "-a", "-m", "release", "v-leak"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "--detach"]);
    let c_lost = add_commit(
        &repo,
        "lost.txt",
        &format!("token: {lost}\n"),
        "Grace",
        "2023-09-01T00:00:00Z",
    );
    repo.git(&["checkout", "-q", "main"]);
    Story {
        repo,
        deleted,
        side,
        dup,
        orphan,
        tagged,
        lost,
        c_deleted,
        c_side,
        c_dup_a,
        c_dup_b,
        c_orphan,
        c_tagged,
        c_lost,
        c_before_side,
    }
}

/// The finding for (`path`), which must be there exactly once.
fn at<'a>(findings: &'a [Value], path: &str) -> &'a Value {
    let hits: Vec<&Value> = findings.iter().filter(|f| f["path"] == path).collect();
    assert_eq!(hits.len(), 1, "one finding at {path}: {findings:#?}");
    hits[0]
}

fn paths(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| f["path"].as_str().expect("text path").to_owned())
        .collect()
}

fn json(repo: &Repo, args: &[&str]) -> common::Run {
    let mut all = vec!["history", "--format", "json"];
    all.extend_from_slice(args);
    repo.guard(&all)
}

#[test]
fn every_leak_is_reported_once_where_it_entered() {
    let s = story();
    let run = json(&s.repo, &[]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(
        paths(&findings),
        [
            "a/dup.env",
            "b/dup.env",
            "config/old.env",
            "creds.txt",
            "src/feature.js",
            "tagged.txt"
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        "{findings:#?}"
    );
    assert_eq!(findings.len(), 6, "each leak once: {findings:#?}");

    let deleted = at(&findings, "config/old.env");
    assert_eq!(deleted["commit"], s.c_deleted.as_str());
    assert_eq!(s.c_deleted, git_introduced(&s.repo, &s.deleted));
    assert_eq!(deleted["author"], "Alice <alice@example.com>");
    assert_eq!(deleted["date"], "2023-01-02T00:00:00+00:00");
    assert_eq!(deleted["line"], 2);
    assert_eq!(deleted["column"], "INTERCOM_ACCESS_TOKEN=".len() + 1);
    assert_eq!(deleted["still_present"], false);

    let side = at(&findings, "src/feature.js");
    assert_eq!(
        side["commit"],
        s.c_side.as_str(),
        "the side commit, not the merge"
    );
    assert_eq!(s.c_side, git_introduced(&s.repo, &s.side));
    assert_eq!(side["author"], "Bob <bob@example.com>");
    assert_eq!(side["line"], 3);
    assert_eq!(side["still_present"], true);

    let dup_a = at(&findings, "a/dup.env");
    let dup_b = at(&findings, "b/dup.env");
    assert_eq!(dup_a["commit"], s.c_dup_a.as_str());
    assert_eq!(
        dup_b["commit"],
        s.c_dup_b.as_str(),
        "a blob reused at another path"
    );
    assert_eq!(dup_b["author"], "Dave <dave@example.com>");
    assert_eq!(dup_a["fingerprint"], dup_b["fingerprint"]);
    assert_eq!(s.c_dup_a, git_introduced(&s.repo, &s.dup));

    let orphan = at(&findings, "creds.txt");
    assert_eq!(orphan["commit"], s.c_orphan.as_str());
    assert_eq!(s.c_orphan, git_introduced(&s.repo, &s.orphan));
    assert_eq!(orphan["line"], 1);
    assert_eq!(orphan["still_present"], false);

    let tagged = at(&findings, "tagged.txt");
    assert_eq!(tagged["commit"], s.c_tagged.as_str());
    assert_eq!(s.c_tagged, git_introduced(&s.repo, &s.tagged));
    assert_eq!(tagged["author"], "Frank <frank@example.com>");

    assert!(!run.all().contains(&s.lost), "never printed in full");
}

#[test]
fn unreachable_commit_only_with_all_objects() {
    let s = story();
    let default = json(&s.repo, &[]);
    assert!(
        default.findings().iter().all(|f| f["path"] != "lost.txt"),
        "an unreachable commit is not swept by default"
    );
    let run = json(&s.repo, &["--all-objects"]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 7, "{findings:#?}");
    let lost = at(&findings, "lost.txt");
    assert_eq!(lost["commit"], s.c_lost.as_str());
    assert_eq!(lost["author"], "Grace <grace@example.com>");
    assert_eq!(lost["date"], "2023-09-01T00:00:00+00:00");
    assert_eq!(at(&findings, "src/feature.js")["commit"], s.c_side.as_str());
}

#[test]
fn a_range_limits_the_sweep() {
    let s = story();
    let range = format!("{}..main", s.c_before_side);
    let run = json(&s.repo, &[&range]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(
        paths(&findings),
        ["a/dup.env", "b/dup.env", "src/feature.js"]
            .into_iter()
            .map(String::from)
            .collect(),
        "{findings:#?}"
    );
    // git's own view of the range.
    let listed = s.repo.git(&["rev-list", &range]);
    for f in &findings {
        let commit = f["commit"].as_str().unwrap();
        assert!(listed.contains(commit), "{commit} is in {range}");
    }
    // A range with no new secret: the last commit only copies... nothing new.
    let head_only = format!("{}..main", s.c_dup_b);
    json(&s.repo, &[&head_only]).assert_code(0);
    // `main~1..main` holds the copy to b/dup.env: a known blob at a new path.
    let last = json(&s.repo, &["main~1..main"]);
    last.assert_code(1);
    assert_eq!(
        paths(&last.findings()),
        ["b/dup.env"].into_iter().map(String::from).collect()
    );
    let bad = s.repo.guard(&["history", "no-such-branch..main"]);
    bad.assert_code(2);
    assert!(bad.stderr.contains("no-such-branch"), "{bad:?}");
}

#[test]
fn secrets_are_redacted_in_every_format_unless_show_secrets() {
    let s = story();
    let secrets = [&s.deleted, &s.side, &s.dup, &s.orphan, &s.tagged, &s.lost];
    for format in ["human", "json", "sarif"] {
        let run = s.repo.guard(&[
            "history",
            "--all-objects",
            "--format",
            format,
            "--color",
            "never",
        ]);
        run.assert_code(1);
        for secret in secrets {
            assert!(
                !run.all().contains(secret.as_str()),
                "{format} leaks a secret: {run:?}"
            );
        }
    }
    let shown = json(&s.repo, &["--show-secrets"]);
    assert!(shown.stdout.contains(s.side.as_str()));
}

#[test]
fn human_report_groups_by_secret_with_published_guidance() {
    let s = story();
    let run = s.repo.guard(&["history", "--color", "never"]);
    run.assert_code(1);
    let out = &run.stdout;
    for needle in [
        "a/dup.env",
        "b/dup.env",
        "src/feature.js",
        "Bob <bob@example.com>",
        &s.c_side[..12],
        "rotate it now",
        "git filter-repo --replace-text replacements.txt",
        "regex:dG9rO",
        "still present at the tip of the default branch",
        "no longer at the tip of the default branch",
    ] {
        assert!(
            out.contains(needle),
            "human report lacks {needle:?}:\n{out}"
        );
    }
    // Grouped by secret: the two dup.env entries are next to each other,
    // newest first (b/dup.env entered in June, a/dup.env in April).
    let a = out.find("a/dup.env").unwrap();
    let b = out.find("b/dup.env").unwrap();
    assert!(b < a, "newest first within the group:\n{out}");
    let between = &out[b..a];
    for other in ["src/feature.js", "config/old.env", "creds.txt"] {
        assert!(!between.contains(other), "group is contiguous:\n{out}");
    }
}

#[test]
fn sarif_is_valid_for_code_scanning() {
    let s = story();
    let run = s.repo.guard(&["history", "--format", "sarif"]);
    run.assert_code(1);
    let doc: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif"));
    let run0 = &doc["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "intercom-guard");
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], id);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].is_string());
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert_eq!(
            r["partialFingerprints"]["secretFingerprint/v1"]
                .as_str()
                .unwrap()
                .len(),
            64
        );
        assert_eq!(r["properties"]["commit"].as_str().unwrap().len(), 40);
    }
    let side = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/feature.js"
        })
        .expect("the side-branch leak");
    assert_eq!(
        side["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(side["properties"]["commit"], s.c_side.as_str());
}

#[test]
fn baseline_round_trips() {
    let s = story();
    let base = s.repo.home().join("baseline.json");
    let base = base.to_str().unwrap();
    let wrote = s.repo.guard(&["history", "--baseline-out", base]);
    wrote.assert_code(0);
    let text = std::fs::read_to_string(base).unwrap();
    let doc: Value = serde_json::from_str(&text).expect("the baseline is the JSON report");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 6);
    assert!(
        !text.contains(s.side.as_str()),
        "the baseline holds no secret"
    );

    let again = json(&s.repo, &["--baseline", base]);
    again.assert_code(0);
    assert!(again.findings().is_empty(), "nothing new: {again:?}");

    let fresh = token();
    add_commit(
        &s.repo,
        "new.env",
        &format!("INTERCOM_ACCESS_TOKEN={fresh}\n"),
        "Heidi",
        "2024-01-01T00:00:00Z",
    );
    let after = json(&s.repo, &["--baseline", base]);
    after.assert_code(1);
    let findings = after.findings();
    assert_eq!(
        paths(&findings),
        ["new.env".to_owned()].into_iter().collect()
    );
}

#[test]
fn not_a_repository_exits_2() {
    let scratch = Scratch::new();
    let run = scratch.guard(&["history"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a git repository"), "{run:?}");
}

#[test]
fn empty_repository_is_a_note_and_exit_0() {
    let repo = Repo::new();
    let run = repo.guard(&["history"]);
    run.assert_code(0);
    assert!(run.stderr.contains("no commits yet"), "{run:?}");
    let json = json(&repo, &[]);
    json.assert_code(0);
    assert!(json.findings().is_empty());
    // A staged blob is an object no commit holds: `--all-objects` reads it.
    let tok = token();
    repo.stage("x.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    let all = repo.guard(&["history", "--all-objects", "--format", "json"]);
    all.assert_code(1);
    let f = all.findings();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["commit"], Value::Null);
}

#[test]
fn missing_object_is_named_and_the_rest_is_reported() {
    let repo = Repo::new();
    let (kept, lost) = (token(), token());
    add_commit(
        &repo,
        "kept.env",
        &format!("T={kept}\n"),
        "A",
        "2023-01-01T00:00:00Z",
    );
    add_commit(
        &repo,
        "lost.env",
        &format!("T={lost}\n"),
        "B",
        "2023-01-02T00:00:00Z",
    );
    let blob = repo.git(&["rev-parse", "HEAD:lost.env"]).trim().to_owned();
    let object = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(object).expect("loose blob");
    let run = json(&repo, &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(&blob),
        "names the missing blob: {run:?}"
    );
    let findings = run.findings();
    assert_eq!(
        paths(&findings),
        ["kept.env".to_owned()].into_iter().collect()
    );

    // A corrupt object: garbage where a loose object should be.
    let kept_blob = repo.git(&["rev-parse", "HEAD:kept.env"]).trim().to_owned();
    let path = repo
        .path()
        .join(".git/objects")
        .join(&kept_blob[..2])
        .join(&kept_blob[2..]);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"not zlib at all").unwrap();
    let run = json(&repo, &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(&kept_blob),
        "names the corrupt blob: {run:?}"
    );
}

/// The ids `git fsck --connectivity-only` says are missing, sorted.
fn fsck_missing(repo: &Repo) -> Vec<String> {
    let run = repo.git_run(&["fsck", "--connectivity-only", "--no-dangling"]);
    let mut ids: Vec<String> = run
        .stdout
        .lines()
        .chain(run.stderr.lines())
        .filter_map(|l| l.strip_prefix("missing "))
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The ids of the sweep's missing-object problems, sorted.
fn reported_missing(run: &common::Run) -> Vec<String> {
    let mut ids: Vec<String> = run.json()["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["code"] == "intercom_guard::history::missing_object")
        .map(|p| p["object"].as_str().expect("object id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_clean_history_missing_objects_names_each_as_git_fsck_does() {
    // No secret anywhere, so nothing needs placing: the missing objects are
    // found by the scan itself, packed or loose.
    for packed in [false, true] {
        let repo = Repo::new();
        add_commit(&repo, "a.txt", "one\n", "A", "2023-01-01T00:00:00Z");
        add_commit(&repo, "dir/b.txt", "two\n", "B", "2023-01-02T00:00:00Z");
        add_commit(&repo, "c.txt", "three\n", "C", "2023-01-03T00:00:00Z");
        let blob = repo
            .git(&["rev-parse", "HEAD~1:dir/b.txt"])
            .trim()
            .to_owned();
        let tree = repo.git(&["rev-parse", "HEAD~2^{tree}"]).trim().to_owned();
        let objects = repo.path().join(".git/objects");
        if packed {
            // A pack of every object but the two.
            let all = repo.git(&[
                "cat-file",
                "--batch-all-objects",
                "--batch-check=%(objectname)",
            ]);
            let keep: String = all
                .lines()
                .filter(|id| *id != blob && *id != tree)
                .map(|id| format!("{id}\n"))
                .collect();
            let mut cmd = std::process::Command::new("git");
            cmd.current_dir(repo.path())
                .args(["pack-objects", "-q", ".git/objects/pack/pack"])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null());
            let mut child = cmd.spawn().expect("git pack-objects");
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(keep.as_bytes())
                .unwrap();
            assert!(child.wait().unwrap().success());
            repo.git(&["prune-packed"]);
            for id in [&blob, &tree] {
                let _ = std::fs::remove_file(objects.join(&id[..2]).join(&id[2..]));
            }
        } else {
            for id in [&blob, &tree] {
                std::fs::remove_file(objects.join(&id[..2]).join(&id[2..])).expect("loose object");
            }
        }
        let expected = fsck_missing(&repo);
        assert_eq!(expected, {
            let mut both = vec![blob.clone(), tree.clone()];
            both.sort();
            both
        });
        let run = json(&repo, &[]);
        run.assert_code(2);
        assert_eq!(
            reported_missing(&run),
            expected,
            "packed: {packed}: {run:?}"
        );
        assert!(run.findings().is_empty());
    }
}

#[test]
fn shallow_clone_sweeps_what_is_there() {
    let s = story();
    let clone = Scratch::new();
    let url = format!("file://{}", s.repo.path().display());
    let out = clone
        .command("git")
        .args([
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            &url,
            "shallow",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let run = clone.guard_with(&["history", "--format", "json"], |c| {
        c.current_dir(clone.path().join("shallow"));
    });
    run.assert_code(1);
    assert!(
        run.stderr.contains("shallow"),
        "notes the shallow clone: {run:?}"
    );
    // At depth 1 the tip of main holds the feature and both dup files.
    let found = paths(&run.findings());
    assert!(
        found.contains("src/feature.js") && found.contains("b/dup.env"),
        "{found:?}"
    );
}

#[test]
fn bare_mirror_and_non_utf8_paths() {
    let repo = Repo::new();
    let tok = token();
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.env");
    std::fs::write(repo.path().join(name), format!("T={tok}\n")).unwrap();
    repo.git(&["add", "-A"]);
    commit_as(&repo, "A", "2023-01-01T00:00:00Z", "latin-1 name");
    let mirror = Scratch::new();
    let url = format!("file://{}", repo.path().display());
    let out = mirror
        .command("git")
        .args(["clone", "-q", "--mirror", &url, "mirror.git"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let run = mirror.guard_with(&["history", "--format", "json"], |c| {
        c.current_dir(mirror.path().join("mirror.git"));
    });
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(
        findings[0]["path"],
        serde_json::json!({"bytes": "Y2Fm6S5lbnY="})
    );
    assert_eq!(findings[0]["commit"], repo.head().as_str());
}

#[test]
fn huge_blob_is_scanned_without_panic() {
    let repo = Repo::new();
    let tok = token();
    // ~80 MiB of text: above the size read in parallel, so read on its own.
    let line = "x".repeat(1023) + "\n";
    let mut content = line.repeat(80 * 1024);
    content.push_str(&format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    std::fs::write(repo.path().join("big.log"), content).unwrap();
    repo.git(&["add", "big.log"]);
    commit_as(&repo, "A", "2023-01-01T00:00:00Z", "big");
    let run = json(&repo, &[]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["line"], 80 * 1024 + 1);
}

#[test]
fn packed_history_gives_the_same_report() {
    let s = story();
    let loose = json(&s.repo, &[]);
    s.repo.git(&["repack", "-a", "-d", "-q"]);
    let packed = json(&s.repo, &[]);
    packed.assert_code(1);
    let key = |run: &common::Run| -> BTreeSet<(String, String, u64)> {
        run.findings()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["commit"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(key(&loose), key(&packed));
    assert_eq!(key(&packed).len(), 6);
    assert_eq!(
        at(&packed.findings(), "src/feature.js")["commit"],
        s.c_side.as_str()
    );
}

#[test]
fn damaged_commit_is_a_problem_and_the_findings_are_still_reported() {
    let repo = Repo::new();
    let leak = token();
    add_commit(
        &repo,
        "kept.env",
        &format!("T={leak}\n"),
        "A",
        "2023-01-01T00:00:00Z",
    );
    repo.git(&["checkout", "-q", "-b", "side"]);
    let damaged = add_commit(&repo, "clean.txt", "nothing\n", "B", "2023-01-02T00:00:00Z");
    let damaged = repo.git(&["rev-parse", &damaged]).trim().to_owned();
    repo.git(&["checkout", "-q", "-"]);
    let object = repo
        .path()
        .join(".git/objects")
        .join(&damaged[..2])
        .join(&damaged[2..]);
    let mut perms = std::fs::metadata(&object)
        .expect("loose commit")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"not zlib at all").unwrap();

    let run = json(&repo, &[]);
    run.assert_code(2);
    assert_eq!(
        paths(&run.findings()),
        ["kept.env".to_owned()].into_iter().collect(),
        "{run:?}"
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let problems = doc["problems"].as_array().expect("a problems array");
    assert!(
        problems.iter().any(|p| p["object"] == damaged.as_str()
            && p["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("intercom_guard::"))
            && p["message"].as_str().is_some_and(|m| m.contains(&damaged))),
        "a problem names the damaged commit {damaged}: {problems:?}"
    );

    let sarif = repo.guard(&["history", "--format", "sarif"]);
    sarif.assert_code(2);
    let doc: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let run0 = &doc["runs"][0];
    assert_eq!(run0["results"].as_array().map(Vec::len), Some(1));
    let invocation = &run0["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false, "{invocation}");
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(&damaged))),
        "{notes:?}"
    );

    // A whole run says so too.
    let clean = Repo::new();
    add_commit(&clean, "a.txt", "a\n", "A", "2023-01-01T00:00:00Z");
    let whole = clean.guard(&["history", "--format", "sarif"]);
    whole.assert_code(0);
    let doc: Value = serde_json::from_str(&whole.stdout).unwrap();
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    let whole = json(&clean, &[]);
    let doc: Value = serde_json::from_str(&whole.stdout).unwrap();
    assert_eq!(doc["problems"], serde_json::json!([]));
}

/// Overwrite the loose object `id` with bytes that are not zlib.
fn damage_loose(repo: &Repo, id: &str) {
    let object = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    let mut perms = std::fs::metadata(&object)
        .expect("loose object")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"not zlib at all").unwrap();
}

#[test]
fn a_damaged_commit_above_the_leak_does_not_hide_it() {
    // The only branch: the leak, then a commit git cannot read. The walk
    // from the tip stops at once; the leak is still reported, at its
    // commit (the sweep met it), with the problem.
    let repo = Repo::new();
    let leak = token();
    let leaking = add_commit(
        &repo,
        "kept.env",
        &format!("T={leak}\n"),
        "A",
        "2023-01-01T00:00:00Z",
    );
    let damaged = add_commit(&repo, "clean.txt", "nothing\n", "B", "2023-01-02T00:00:00Z");
    damage_loose(&repo, &damaged);

    let run = json(&repo, &[]);
    run.assert_code(2);
    assert!(!run.all().contains(&leak), "redacted: {run:?}");
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{run:?}");
    assert_eq!(findings[0]["path"], "kept.env");
    assert_eq!(findings[0]["commit"], leaking.as_str());
    assert_eq!(findings[0]["line"], 1);
    let problems = run.json()["problems"].as_array().unwrap().clone();
    assert!(
        problems.iter().any(|p| p["object"] == damaged.as_str()),
        "a problem names the damaged commit {damaged}: {problems:?}"
    );
    // The human report says so too, and not "no Intercom secrets found".
    let human = repo.guard(&["history", "--color", "never"]);
    human.assert_code(2);
    assert!(human.all().contains("kept.env"), "{human:?}");
    assert!(!human.all().contains("no Intercom secrets"), "{human:?}");
}

#[test]
fn a_leak_whose_commit_cannot_be_read_is_reported_unplaced() {
    // The leaking commit itself is damaged: its blob was read by the sweep,
    // but no readable commit holds it. It is reported with its blob id.
    let repo = Repo::new();
    let leak = token();
    let leaking = add_commit(
        &repo,
        "kept.env",
        &format!("T={leak}\n"),
        "A",
        "2023-01-01T00:00:00Z",
    );
    let blob = repo.git(&["rev-parse", "HEAD:kept.env"]).trim().to_owned();
    add_commit(&repo, "clean.txt", "nothing\n", "B", "2023-01-02T00:00:00Z");
    damage_loose(&repo, &leaking);

    let run = json(&repo, &[]);
    run.assert_code(2);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{run:?}");
    assert_eq!(findings[0]["path"], format!("(unplaced blob {blob})"));
    assert_eq!(findings[0]["commit"], Value::Null);
    assert_eq!(findings[0]["line"], 1);
    let problems = run.json()["problems"].as_array().unwrap().clone();
    assert!(
        problems.iter().any(|p| p["object"] == leaking.as_str()),
        "{problems:?}"
    );
}
