//! `intercom-guard sweep`: many real repositories made in a temp folder,
//! swept whole and in shards, killed midway and resumed, swept again
//! incrementally, one broken among them.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, Scratch, bin, token};
use serde_json::Value;

/// A folder of repositories and their list.
struct Org {
    scratch: Scratch,
    repos: Vec<PathBuf>,
}

impl Org {
    /// `n` repositories under `mirrors/acme/`; every third one leaks a token
    /// (every sixth leaks two, in two commits). Half are bare mirrors.
    fn new(n: usize) -> Org {
        let scratch = Scratch::new();
        let mut repos = Vec::new();
        for i in 0..n {
            let work = scratch.path().join(format!("src/repo-{i}"));
            std::fs::create_dir_all(&work).expect("mkdir");
            let git = |args: &[&str]| git_in(&scratch, &work, args);
            git(&["init", "-q", "-b", "main"]);
            std::fs::write(work.join("README.md"), format!("repo {i}\n")).expect("write");
            git(&["add", "-A"]);
            git(&["commit", "-q", "-m", "init"]);
            if i % 3 == 0 {
                std::fs::write(
                    work.join(".env.production"),
                    format!("INTERCOM_ACCESS_TOKEN={}\n", token()),
                )
                .expect("write");
                git(&["add", "-A"]);
                git(&["commit", "-q", "-m", "config"]);
            }
            if i % 6 == 0 {
                std::fs::write(
                    work.join("deploy.env"),
                    format!("INTERCOM_ACCESS_TOKEN={}\n", token()),
                )
                .expect("write");
                git(&["add", "-A"]);
                git(&["commit", "-q", "-m", "deploy"]);
            }
            let repo = if i % 2 == 0 {
                let mirror = scratch.path().join(format!("mirrors/acme/repo-{i}.git"));
                git_in(
                    &scratch,
                    &scratch.path(),
                    &[
                        "clone",
                        "-q",
                        "--mirror",
                        &work.display().to_string(),
                        &mirror.display().to_string(),
                    ],
                );
                mirror
            } else {
                work
            };
            repos.push(repo);
        }
        Org { scratch, repos }
    }

    fn list(&self, extra: &[&str]) -> PathBuf {
        let mut text: String = self
            .repos
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect();
        for line in extra {
            text.push_str(line);
            text.push('\n');
        }
        let path = self.scratch.root().join("repos.txt");
        std::fs::write(&path, text).expect("write list");
        path
    }

    fn sweep(&self, list: &Path, out: &Path, args: &[&str]) -> Run {
        let list = list.display().to_string();
        let out = out.display().to_string();
        let mut all = vec!["sweep", "--repos", &list, "--out", &out];
        all.extend_from_slice(args);
        self.scratch.guard(&all)
    }

    fn out(&self, name: &str) -> PathBuf {
        self.scratch.root().join(name)
    }
}

fn git_in(scratch: &Scratch, dir: &Path, args: &[&str]) {
    let out = scratch
        .command("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn summary(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("summary.json: {e}: {text}"))
}

fn repos(summary: &Value) -> Vec<Value> {
    summary["repos"].as_array().expect("repos").clone()
}

/// Every finding of every report in `out`: (repo path, finding path, fingerprint).
fn findings(out: &Path) -> BTreeSet<(String, String, String)> {
    let mut all = BTreeSet::new();
    for repo in repos(&summary(out)) {
        let slug = repo["slug"].as_str().expect("slug");
        let report: Value = serde_json::from_slice(
            &std::fs::read(out.join(format!("{slug}.json"))).expect("report"),
        )
        .expect("report is JSON");
        let sarif: Value = serde_json::from_slice(
            &std::fs::read(out.join(format!("{slug}.sarif"))).expect("sarif"),
        )
        .expect("sarif is JSON");
        assert_eq!(sarif["version"], "2.1.0");
        let list = report["findings"].as_array().expect("findings");
        assert_eq!(repo["findings"].as_u64(), Some(list.len() as u64), "{repo}");
        for f in list {
            all.insert((
                repo["path"].as_str().expect("path").to_owned(),
                f["path"].as_str().expect("path").to_owned(),
                f["fingerprint"].as_str().expect("fingerprint").to_owned(),
            ));
        }
    }
    all
}

#[test]
fn the_shards_are_disjoint_and_together_find_what_one_sweep_finds() {
    let org = Org::new(12);
    let list = org.list(&[]);
    let whole = org.out("whole");
    let run = org.sweep(&list, &whole, &["--jobs", "2"]);
    run.assert_code(1);
    let expected = findings(&whole);
    // 4 repositories leak one token in a file, 2 of them a second one; each
    // token is also in no message: 6 findings in files.
    assert_eq!(expected.len(), 6, "{expected:?}");
    let doc = summary(&whole);
    assert_eq!(doc["version"], 1);
    assert_eq!(repos(&doc).len(), 12);
    for repo in repos(&doc) {
        let keys: BTreeSet<&str> = repo
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "path", "slug", "status", "findings", "blobs", "bytes", "seconds", "problem"
            ])
        );
        let want = if repo["findings"].as_u64() > Some(0) {
            "findings"
        } else {
            "ok"
        };
        assert_eq!(repo["status"], want);
        assert!(repo["problem"].is_null());
    }

    let list_arg = list.display().to_string();
    let mut listed = Vec::new();
    let mut union = BTreeSet::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let run = org
            .scratch
            .guard(&["sweep", "--list-shard", &shard, "--repos", &list_arg]);
        run.assert_code(0);
        listed.extend(run.stdout.lines().map(str::to_owned));
        let out = org.out(&format!("shard-{i}"));
        let run = org.sweep(&list, &out, &["--shard", &shard]);
        assert!(run.code == 0 || run.code == 1, "{run:?}");
        let swept: Vec<String> = repos(&summary(&out))
            .iter()
            .map(|r| r["path"].as_str().expect("path").to_owned())
            .collect();
        let printed: Vec<String> = run_lines(&org, &shard, &list_arg);
        assert_eq!(swept, printed, "the shard sweeps what --list-shard prints");
        union.extend(findings(&out));
    }
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        listed.len(),
        "a repository in two shards: {listed:?}"
    );
    let mut all: Vec<String> = org.repos.iter().map(|p| p.display().to_string()).collect();
    all.sort();
    assert_eq!(sorted, all, "the shards' union is the list");
    assert_eq!(union, expected);
}

fn run_lines(org: &Org, shard: &str, list: &str) -> Vec<String> {
    org.scratch
        .guard(&["sweep", "--list-shard", shard, "--repos", list])
        .stdout
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_killed_sweep_resumes_and_skips_what_it_finished() {
    let org = Org::new(40);
    let list = org.list(&[]);
    let out = org.out("out");
    let mut child = Command::new(bin());
    common::isolate(&mut child, &org.scratch.home());
    let mut child = child
        .current_dir(org.scratch.path())
        .args(["sweep", "--repos"])
        .arg(&list)
        .arg("--out")
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sweep");
    // Kill it as soon as a first repository is done.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = std::fs::read(out.join("summary.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .map_or(0, |s| repos(&s).len());
        if done >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no repository finished");
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the sweep ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill");
    child.wait().expect("reap");

    // What the killed run left is whole: a summary that parses, and a
    // complete result for each repository it lists.
    let before = repos(&summary(&out));
    assert!(
        !before.is_empty() && before.len() < 40,
        "{} done",
        before.len()
    );
    let inode = |slug: &str| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(out.join(format!("{slug}.json")))
            .expect("report")
            .ino()
    };
    let finished: Vec<(String, u64)> = before
        .iter()
        .map(|r| {
            let slug = r["slug"].as_str().expect("slug").to_owned();
            let ino = inode(&slug);
            (slug, ino)
        })
        .collect();

    let run = org.sweep(&list, &out, &["--jobs", "2"]);
    run.assert_code(1);
    let after = repos(&summary(&out));
    assert_eq!(after.len(), 40);
    for (slug, ino) in &finished {
        assert_eq!(inode(slug), *ino, "{slug} was swept again");
        assert!(run.stdout.contains(&format!("{slug}  ")), "{}", run.stdout);
    }
    // (A repository whose state was written just before the kill, and its
    // line of the summary not yet, is kept too.)
    let kept = run.stdout.matches("(up to date: kept)").count();
    assert!(
        kept >= finished.len() && kept < 40,
        "{kept} kept:\n{}",
        run.stdout
    );
    let whole = org.out("whole");
    org.sweep(&list, &whole, &[]).assert_code(1);
    assert_eq!(findings(&out), findings(&whole));
}

#[test]
fn a_second_sweep_reads_only_what_is_new() {
    let org = Org::new(4);
    let list = org.list(&[]);
    let out = org.out("out");
    org.sweep(&list, &out, &[]).assert_code(1);
    let before = findings(&out);

    // Nothing moved: every repository kept, no blob read.
    let run = org.sweep(&list, &out, &["--format", "jsonl"]);
    run.assert_code(1);
    let lines = jsonl(&run);
    let last = lines.last().expect("lines");
    assert_eq!(last["type"], "stats");
    assert_eq!(last["blobs"], 0, "{}", run.stdout);
    assert_eq!(findings(&out), before);

    // A new leak in repository 1 (a work tree): only that one is read, and
    // its report lists exactly the new finding.
    let work = &org.repos[1];
    let secret = token();
    std::fs::write(
        work.join("late.env"),
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    )
    .expect("write");
    git_in(&org.scratch, work, &["add", "-A"]);
    git_in(&org.scratch, work, &["commit", "-q", "-m", "late"]);
    let run = org.sweep(&list, &out, &["--format", "jsonl"]);
    run.assert_code(1);
    let lines = jsonl(&run);
    let found: Vec<&Value> = lines.iter().filter(|l| l["type"] == "finding").collect();
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(found[0]["path"], "late.env");
    assert_eq!(found[0]["repo"], work.display().to_string());
    assert_eq!(lines.last().expect("stats")["blobs"], 1, "{}", run.stdout);
    let repo1 = repos(&summary(&out))
        .into_iter()
        .find(|r| r["path"] == work.display().to_string())
        .expect("repo 1");
    assert_eq!(repo1["findings"], 1);
    assert_eq!(repo1["status"], "findings");

    // --all-findings: every report lists the known ones again.
    let run = org.sweep(&list, &out, &["--all-findings"]);
    run.assert_code(1);
    assert_eq!(findings(&out).len(), before.len() + 1);
}

fn jsonl(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn a_broken_repository_is_recorded_and_the_others_are_swept() {
    let org = Org::new(3);
    let not_a_repo = org.scratch.root().join("plain-folder");
    std::fs::create_dir_all(&not_a_repo).expect("mkdir");
    let missing = org.scratch.root().join("gone/repo.git");
    let list = org.list(&[
        &not_a_repo.display().to_string(),
        &missing.display().to_string(),
    ]);
    let out = org.out("out");
    let run = org.sweep(&list, &out, &["--format", "jsonl"]);
    run.assert_code(2);
    let lines = jsonl(&run);
    assert_eq!(lines.last().expect("lines")["type"], "stats");
    let all = repos(&summary(&out));
    assert_eq!(all.len(), 5);
    for repo in &all {
        let path = repo["path"].as_str().expect("path");
        let broken =
            path == not_a_repo.display().to_string() || path == missing.display().to_string();
        if broken {
            assert_eq!(repo["status"], "error", "{repo}");
            assert!(
                repo["problem"].as_str().is_some_and(|p| !p.is_empty()),
                "{repo}"
            );
        } else {
            assert_ne!(repo["status"], "error", "{repo}");
            let slug = repo["slug"].as_str().expect("slug");
            assert!(out.join(format!("{slug}.json")).is_file());
            assert!(out.join(format!("{slug}.sarif")).is_file());
        }
    }
    assert!(
        run.stderr.contains("intercom_guard::sweep::incomplete"),
        "{}",
        run.stderr
    );
    // A rerun tries the broken ones again (and still fails on them).
    org.sweep(&list, &out, &[]).assert_code(2);
}

/// A partial mirror (a blob missing) is in error, and stays so on a rerun
/// without being read again, until the blob is back.
#[test]
fn an_incomplete_repository_stays_in_error_without_being_read_again() {
    let org = Org::new(2);
    let work = &org.repos[1];
    let out_of = |args: &[&str]| {
        let out = org
            .scratch
            .command("git")
            .arg("-C")
            .arg(work)
            .args(args)
            .output()
            .expect("git");
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    };
    let id = out_of(&["rev-parse", "HEAD:README.md"]);
    let loose = work.join(".git/objects").join(&id[..2]).join(&id[2..]);
    let saved = std::fs::read(&loose).expect("loose blob");
    std::fs::remove_file(&loose).expect("remove");
    let list = org.list(&[]);
    let out = org.out("out");
    org.sweep(&list, &out, &[]).assert_code(2);
    let line = |summary: &Value| {
        repos(summary)
            .into_iter()
            .find(|r| r["path"] == work.display().to_string())
            .expect("the repository")
    };
    let first = line(&summary(&out));
    assert_eq!(first["status"], "error");
    assert!(
        first["problem"].as_str().is_some_and(|p| p.contains(&id)),
        "{first}"
    );

    let run = org.sweep(&list, &out, &["--format", "jsonl"]);
    run.assert_code(2);
    assert_eq!(
        jsonl(&run).last().expect("stats")["blobs"],
        0,
        "{}",
        run.stdout
    );
    assert_eq!(line(&summary(&out))["status"], "error");

    std::fs::write(&loose, saved).expect("restore");
    let run = org.sweep(&list, &out, &[]);
    run.assert_code(1); // repository 0 leaks
    assert_eq!(line(&summary(&out))["status"], "ok");
}

#[test]
fn slugs_are_readable_and_a_tie_gets_a_suffix() {
    let scratch = Scratch::new();
    let list = scratch.root().join("l.txt");
    std::fs::write(
        &list,
        "/m/acme/billing.git\n/n/acme/billing\n/m/acme/web.git\tacme/website\n",
    )
    .expect("write");
    let out = scratch.root().join("out");
    let run = scratch.guard(&[
        "sweep",
        "--repos",
        &list.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--format",
        "json",
    ]);
    run.assert_code(2);
    let slugs: Vec<String> = repos(&run.json())
        .iter()
        .map(|r| r["slug"].as_str().expect("slug").to_owned())
        .collect();
    assert_eq!(slugs.len(), 3);
    assert!(slugs[0].starts_with("acme-billing-") && slugs[1].starts_with("acme-billing-"));
    assert_ne!(slugs[0], slugs[1]);
    assert_eq!(slugs[2], "acme-website");
    assert_eq!(run.json(), summary(&out));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let scratch = Scratch::new();
    let list = scratch.root().join("l.txt");
    std::fs::write(&list, "/m/a\n").expect("write");
    let list = list.display().to_string();
    for args in [
        &["sweep", "--repos", &list, "--out", "o", "--shard", "3/3"][..],
        &["sweep", "--repos", &list, "--out", "o", "--shard", "x"],
        &["sweep", "--repos", &list, "--list-shard", "0/0"],
        &["sweep", "--repos", &list, "--out", "o", "--jobs", "0"],
        &["sweep", "--repos", &list],
        &["sweep", "--repos", "/nonexistent/list", "--out", "o"],
        &["sweep", "--repos", &list, "--out", "o", "--format", "sarif"],
    ] {
        let run = scratch.guard(args);
        run.assert_code(2);
    }
}
