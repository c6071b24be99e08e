//! `history --state FILE`: an incremental sweep. The first run sweeps
//! everything and records the tips and the blobs it judged; the next reads
//! only what is new, reports only new findings (`--all-findings`: the known
//! ones too), and an unchanged repository reads no blob at all. A state
//! file that is not ours is an error, never taken as empty.

mod common;

use common::{Repo, Run, token};
use serde_json::Value;

fn history_state(repo: &Repo, state: &str, extra: &[&str]) -> Run {
    let mut args = vec!["history", "--state", state, "--format", "json"];
    args.extend_from_slice(extra);
    repo.guard(&args)
}

fn blobs(run: &Run) -> u64 {
    run.json()["stats"]["blobs"].as_u64().expect("stats.blobs")
}

fn paths(run: &Run) -> Vec<String> {
    let mut paths: Vec<String> = run
        .findings()
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_owned())
        .collect();
    paths.sort();
    paths
}

fn state_path(repo: &Repo) -> String {
    repo.root().join("state.json").display().to_string()
}

#[test]
fn an_unchanged_repository_reads_no_blob_and_a_new_leak_is_the_one_finding() {
    let repo = Repo::new();
    let first = token();
    repo.write("README.md", "hello\n");
    repo.write(
        ".env.production",
        format!("INTERCOM_ACCESS_TOKEN={first}\n"),
    );
    repo.commit_all("first leak");
    let state = state_path(&repo);

    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), [".env.production"]);
    assert!(blobs(&run) >= 2, "{}", run.stdout);

    // Nothing moved: not one blob read, nothing reported, exit 0.
    let run = history_state(&repo, &state, &[]);
    run.assert_code(0);
    assert!(run.findings().is_empty(), "{}", run.stdout);
    assert_eq!(
        blobs(&run),
        0,
        "an unchanged repository read blobs: {}",
        run.stdout
    );

    // The known finding, on request.
    let run = history_state(&repo, &state, &["--all-findings"]);
    run.assert_code(1);
    assert_eq!(paths(&run), [".env.production"]);

    // One clean commit, then one leaking commit: exactly the new finding,
    // and only the new blobs read.
    repo.write("notes.txt", "nothing secret\n");
    repo.commit_all("clean");
    let run = history_state(&repo, &state, &[]);
    run.assert_code(0);
    assert_eq!(blobs(&run), 1, "{}", run.stdout);

    let second = token();
    repo.write(
        "deploy/app.env",
        format!("INTERCOM_ACCESS_TOKEN={second}\n"),
    );
    repo.write("notes.txt", "still nothing secret\n");
    repo.commit_all("second leak");
    let run = history_state(&repo, &state, &["--show-secrets"]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["path"], "deploy/app.env");
    assert_eq!(findings[0]["secret"], second.as_str());
    assert_eq!(findings[0]["commit"], repo.head().as_str());
    assert_eq!(blobs(&run), 2, "only the two new blobs: {}", run.stdout);

    // And both, with --all-findings.
    let run = history_state(&repo, &state, &["--all-findings"]);
    run.assert_code(1);
    assert_eq!(paths(&run), [".env.production", "deploy/app.env"]);
}

#[test]
fn a_known_secret_at_a_new_path_is_a_new_finding() {
    let repo = Repo::new();
    let secret = token();
    repo.write(
        ".env.production",
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    repo.commit_all("leak");
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(1);

    // The same blob copied: it matched before, so it is read again, and
    // counts where it is new.
    repo.git(&["checkout", "-q", "-b", "copy"]);
    std::fs::copy(
        repo.path().join(".env.production"),
        repo.path().join("backup.env"),
    )
    .expect("copy");
    repo.commit_all("copy");
    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), ["backup.env"]);
}

/// "Seen" is per context: a blob judged clean at an ordinary path is
/// judged again when it appears at a path that names Intercom, where the
/// whole file is an Intercom context and its generic `SECRET` is one.
#[test]
fn a_clean_blob_newly_at_a_path_naming_intercom_is_judged_again() {
    let settings =
        "APP_ID = \"abc12def\"\nSECRET = 'mQ7vK2xR9tLp4ZcW8nB3hJ6dF1sG5yAe'\nTIMEOUT = 10\n";
    let repo = Repo::new();
    repo.write("lib/billing/settings.py", settings);
    repo.commit_all("billing");
    let state = state_path(&repo);
    let run = history_state(&repo, &state, &[]);
    run.assert_code(0);

    repo.write("lib/intercom/settings.py", settings);
    repo.commit_all("the same file for intercom");
    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), ["lib/intercom/settings.py"]);
    // That run judged it as an Intercom file: unchanged now, nothing read.
    let run = history_state(&repo, &state, &[]);
    run.assert_code(0);
    assert_eq!(blobs(&run), 0);
}

#[test]
fn a_rewritten_branch_is_swept_from_what_is_left() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("a");
    repo.write("b.txt", "b\n");
    repo.commit_all("b");
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(0);

    // Amend the tip away (and drop it from the database): the recorded tip
    // is gone, the new commit is swept.
    let secret = token();
    repo.write("b.txt", format!("INTERCOM_ACCESS_TOKEN={secret}\n"));
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--amend", "--no-verify", "-m", "b again"]);
    repo.git(&["reflog", "expire", "--expire=now", "--all"]);
    repo.git(&["gc", "-q", "--prune=now"]);
    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), ["b.txt"]);
}

#[test]
fn other_settings_sweep_everything_again_and_say_so() {
    let repo = Repo::new();
    let secret = token();
    repo.write(
        ".env.production",
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    repo.commit_all("leak");
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(1);

    let run = history_state(&repo, &state, &["--strict"]);
    run.assert_code(1);
    assert_eq!(paths(&run), [".env.production"]);
    assert!(
        common::flat(&run.stderr).contains("sweeping everything again"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_state_from_another_build_sweeps_everything_again() {
    // A build whose detector may find more (another version or detection
    // revision) does not trust what an older one judged clean.
    let repo = Repo::new();
    let secret = token();
    repo.write(
        ".env.production",
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    repo.commit_all("leak");
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(1);
    let text = std::fs::read_to_string(&state).expect("state written");
    let mut doc: Value = serde_json::from_str(&text).expect("state is JSON");
    let tool = doc["tool"].as_str().expect("tool recorded").to_owned();
    assert!(tool.contains("+detect."), "{tool}");
    doc["tool"] = Value::from("0.0.1+detect.0");
    std::fs::write(&state, serde_json::to_string(&doc).unwrap()).unwrap();

    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), [".env.production"]);
    assert!(
        common::flat(&run.stderr).contains("sweeping everything again"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_state_holds_no_secret_and_no_path() {
    let repo = Repo::new();
    let secret = token();
    repo.write(
        "config/intercom-prod.env",
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    repo.commit_all("leak");
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(1);
    let text = std::fs::read_to_string(&state).expect("state written");
    let doc: Value = serde_json::from_str(&text).expect("state is JSON");
    assert_eq!(doc["format"], "intercom-guard-state");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tips"]["refs/heads/main"], repo.head().as_str());
    assert!(!text.contains(&secret[..20]), "{text}");
    assert!(!text.contains("intercom-prod"), "{text}");
}

#[test]
fn a_state_file_that_is_not_ours_is_an_error_and_stays_as_it_was() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("a");
    let state = state_path(&repo);
    for (content, code) in [
        (
            "INTERCOM_ACCESS_TOKEN=abc\n",
            "intercom_guard::state::foreign",
        ),
        (
            "{\"format\": \"something-else\", \"version\": 1}",
            "intercom_guard::state::foreign",
        ),
        (
            "{\"format\": \"intercom-guard-state\", \"version\": 9}",
            "intercom_guard::state::version",
        ),
        (
            "{\"format\": \"intercom-guard-state\", \"version\": 1, \"tips\": 3}",
            "intercom_guard::state::corrupt",
        ),
        ("", "intercom_guard::state::foreign"),
    ] {
        std::fs::write(&state, content).expect("write state");
        let run = history_state(&repo, &state, &[]);
        run.assert_code(2);
        assert!(run.stderr.contains(code), "{content:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert_eq!(std::fs::read_to_string(&state).expect("state"), content);
    }
}

#[test]
fn state_needs_the_whole_history() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("a");
    for args in [
        &["history", "--state", "s.json", "HEAD"][..],
        &["history", "--state", "s.json", "--all-objects"],
        &["history", "--all-findings"],
    ] {
        repo.guard(args).assert_code(2);
    }
}

#[test]
fn jsonl_is_one_object_per_line_redacted_with_stats_last() {
    let repo = Repo::new();
    let secret = token();
    repo.write(
        ".env.production",
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    repo.commit_all(&format!("add the token {secret}"));
    let run = repo.guard(&["history", "--format", "jsonl"]);
    run.assert_code(1);
    assert!(
        !run.all().contains(&secret),
        "a secret in full: {}",
        run.all()
    );
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let (last, rest) = lines.split_last().expect("lines");
    assert_eq!(last["type"], "stats");
    assert!(last["blobs"].as_u64().is_some_and(|b| b >= 1));
    assert_eq!(rest.len(), 2, "{}", run.stdout);
    assert!(rest.iter().all(|l| l["type"] == "finding"));

    // The same fields as the JSON report's findings.
    let json = repo.guard(&["history", "--format", "json"]);
    let mut from_json = json.findings();
    let mut from_lines: Vec<Value> = rest
        .iter()
        .map(|l| {
            let mut l = l.clone();
            l.as_object_mut().expect("object").remove("type");
            l
        })
        .collect();
    let key = |v: &Value| v["path"].to_string();
    from_json.sort_by_key(key);
    from_lines.sort_by_key(key);
    assert_eq!(from_lines, from_json);

    let shown = repo.guard(&["history", "--format", "jsonl", "--show-secrets"]);
    assert!(shown.stdout.contains(&secret));
}

#[test]
fn a_sha256_repository_keeps_its_state_too() {
    let repo = Repo::init(&["--object-format=sha256"]);
    let secret = token();
    repo.write(
        ".env.production",
        format!("INTERCOM_ACCESS_TOKEN={secret}\n"),
    );
    repo.commit_all("leak");
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(1);
    let text = std::fs::read_to_string(&state).expect("state");
    assert!(text.contains("\"object_hash\":\"sha256\""), "{text}");
    let run = history_state(&repo, &state, &[]);
    run.assert_code(0);
    assert_eq!(blobs(&run), 0);
    repo.write("b.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.commit_all("leak again");
    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), ["b.env"]);
}

#[test]
fn a_new_annotated_tag_on_an_old_commit_has_its_message_read() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("a");
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(0);
    let secret = token();
    repo.git(&["tag", "-a", "v1", "-m", &format!("release, token {secret}")]);
    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["source"], "tag_message");
    assert_eq!(blobs(&run), 0, "a tag is no blob: {}", run.stdout);
}

/// A partial mirror: an object the first run could not read is recorded;
/// while it stays unreadable each run names it again (exit 2) and goes on
/// incrementally; once it is back, everything is swept again.
#[test]
fn an_object_that_could_not_be_read_is_named_until_it_is_back() {
    let repo = Repo::new();
    let secret = token();
    repo.write("README.md", "hello\n");
    repo.commit_all("readme");
    let content = format!("INTERCOM_ACCESS_TOKEN={secret}\n");
    repo.write(".env.production", &content);
    repo.commit_all("leak");
    let id = repo
        .git(&["rev-parse", "HEAD:.env.production"])
        .trim()
        .to_owned();
    let loose = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    let saved = std::fs::read(&loose).expect("the blob is loose");
    std::fs::remove_file(&loose).expect("remove the blob");
    let state = state_path(&repo);

    let run = history_state(&repo, &state, &[]);
    run.assert_code(2);
    assert!(run.stdout.contains(&id), "{}", run.stdout);
    let text = std::fs::read_to_string(&state).expect("state written");
    let doc: Value = serde_json::from_str(&text).expect("state");
    assert_eq!(doc["unread"], serde_json::json!([id]));
    assert!(
        !doc["clean"]
            .as_array()
            .expect("clean")
            .contains(&Value::from(id.clone()))
    );

    // Unchanged and still missing: named again, nothing read.
    let run = history_state(&repo, &state, &[]);
    run.assert_code(2);
    assert_eq!(blobs(&run), 0);
    let problems = run.json()["problems"].clone();
    assert_eq!(
        problems[0]["code"],
        "intercom_guard::history::still_unreadable"
    );
    assert_eq!(problems[0]["object"], id.as_str());

    // A new commit, made with plumbing (git's porcelain refuses an index
    // whose blob is missing): read incrementally, the old object still
    // named.
    std::fs::write(repo.root().join("notes.txt"), "notes\n").expect("write");
    let blob = repo
        .git(&[
            "hash-object",
            "-w",
            &repo.root().join("notes.txt").display().to_string(),
        ])
        .trim()
        .to_owned();
    let mut listing = repo.git(&["ls-tree", "HEAD"]);
    listing.push_str(&format!("100644 blob {blob}\tnotes.txt\n"));
    std::fs::write(repo.root().join("tree.txt"), &listing).expect("write");
    let mut mktree = repo.command("git");
    mktree
        .args(["mktree", "--missing"])
        .stdin(std::fs::File::open(repo.root().join("tree.txt")).expect("open"));
    let tree = String::from_utf8(mktree.output().expect("mktree").stdout).expect("utf-8");
    let head = repo.head();
    let commit = repo
        .git(&["commit-tree", tree.trim(), "-p", &head, "-m", "notes"])
        .trim()
        .to_owned();
    repo.git(&["update-ref", "refs/heads/main", &commit]);
    assert_ne!(
        repo.git_run(&["cat-file", "-e", &id]).code,
        0,
        "the blob is back"
    );
    let run = history_state(&repo, &state, &[]);
    run.assert_code(2);
    assert_eq!(blobs(&run), 1);

    // The object is back: everything is swept, the secret found.
    std::fs::write(&loose, saved).expect("restore the blob");
    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), [".env.production"]);
    assert!(
        common::flat(&run.stderr).contains("sweeping everything again"),
        "{}",
        run.stderr
    );
    let run = history_state(&repo, &state, &[]);
    run.assert_code(0);
    assert_eq!(blobs(&run), 0);
}

/// A ref at a blob (git.git tags its maintainer's key so) is covered by a
/// whole sweep: while it stays as recorded the runs stay incremental; a new
/// one sweeps everything again.
#[test]
fn a_ref_at_a_blob_is_swept_whole_once() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("a");
    let key = repo.git(&["rev-parse", "HEAD:a.txt"]).trim().to_owned();
    repo.git(&["tag", "key", &key]);
    let state = state_path(&repo);
    history_state(&repo, &state, &[]).assert_code(0);

    repo.write("b.txt", "b\n");
    repo.commit_all("b");
    let run = history_state(&repo, &state, &[]);
    run.assert_code(0);
    assert_eq!(blobs(&run), 1, "{}", run.stdout);
    assert!(
        !run.stderr.contains("sweeping everything"),
        "{}",
        run.stderr
    );

    let secret = token();
    let blob = repo
        .git_run_with(&["hash-object", "-w", "--stdin"], |cmd| {
            let path = repo.root().join("loose.env");
            std::fs::write(&path, format!("INTERCOM_ACCESS_TOKEN={secret}\n")).expect("write");
            cmd.stdin(std::fs::File::open(path).expect("open"));
        })
        .stdout
        .trim()
        .to_owned();
    repo.git(&["tag", "leaked", &blob]);
    let run = history_state(&repo, &state, &[]);
    run.assert_code(1);
    assert_eq!(paths(&run), ["(ref refs/tags/leaked)"]);
    assert!(
        common::flat(&run.stderr).contains("sweeping everything again"),
        "{}",
        run.stderr
    );
}
