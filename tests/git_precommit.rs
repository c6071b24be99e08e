//! `intercom-guard pre-commit` against real repositories built with git.

mod common;

use common::{Repo, Scratch, lines, token};
use serde_json::Value;

fn paths(findings: &[Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f["path"].as_str().expect("text path").to_owned())
        .collect()
}

fn app_js(secret: &str) -> String {
    lines(&[
        "const client = require('./client');",
        "",
        &format!("client.headers = {{ Authorization: 'Bearer {secret}' }};"),
    ])
}

#[test]
fn staged_token_blocks_with_path_and_line() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let tok = token();
    repo.stage("src/app.js", app_js(&tok));

    let human = repo.guard(&["pre-commit", "--color", "never"]);
    human.assert_code(1);
    assert!(
        human.stderr.contains("src/app.js:3:"),
        "human report names path and line on stderr: {human:?}"
    );
    assert!(human.stdout.is_empty(), "human report goes to stderr");

    let json = repo.pre_commit_json();
    json.assert_code(1);
    let findings = json.findings();
    assert_eq!(paths(&findings), ["src/app.js"]);
    assert_eq!(findings[0]["line"], 3);
    let column = "client.headers = { Authorization: 'Bearer ".len() + 1;
    assert_eq!(findings[0]["column"], column);
    assert_eq!(findings[0]["kind"], "access_token");
    assert_eq!(findings[0]["commit"], Value::Null);
}

#[test]
fn clean_change_passes() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.stage("src/app.js", app_js("<your-token>"));
    repo.stage("README.md", "hello\nworld\n");

    let run = repo.guard(&["pre-commit"]);
    run.assert_code(0);
    let json = repo.pre_commit_json();
    json.assert_code(0);
    assert!(json.findings().is_empty());
    assert_eq!(json.json()["stats"]["blobs"], 2, "both staged blobs read");
    assert!(json.stderr.is_empty(), "JSON goes to stdout only: {json:?}");
    let quiet = repo.guard(&["pre-commit", "--quiet"]);
    quiet.assert_code(0);
    assert_eq!(quiet.all(), "", "--quiet prints nothing when clean");
}

#[test]
fn nothing_staged_passes() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", token()));
    repo.commit_all("init");
    let run = repo.pre_commit_json();
    run.assert_code(0);
    assert_eq!(run.json()["stats"]["blobs"], 0);
}

#[test]
fn old_token_on_an_untouched_line_does_not_block() {
    let repo = Repo::new();
    let old = token();
    repo.write(
        "config.js",
        lines(&[
            "// config",
            &format!("const t = '{old}';"),
            "module.exports = t;",
        ]),
    );
    repo.commit_all("init with a token already in history");

    // An unrelated edit to the same file: the token line is untouched.
    repo.stage(
        "config.js",
        lines(&[
            "// config, now documented",
            &format!("const t = '{old}';"),
            "module.exports = t;",
            "// end",
        ]),
    );
    repo.pre_commit_json().assert_code(0);

    // The same file gaining a new token: only the new line is reported.
    let new = token();
    repo.stage(
        "config.js",
        lines(&[
            "// config",
            &format!("const t = '{old}';"),
            &format!("const u = '{new}';"),
            "module.exports = t;",
        ]),
    );
    let run = repo.pre_commit_json();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "only the added line: {run:?}");
    assert_eq!(findings[0]["line"], 3);
}

#[test]
fn moved_token_line_is_not_added() {
    let repo = Repo::new();
    let tok = token();
    repo.write("a.env", lines(&["A=1", &format!("TOKEN={tok}"), "B=2"]));
    repo.commit_all("init");
    repo.stage("a.env", lines(&[&format!("TOKEN={tok}"), "B=2", "A=1"]));
    repo.pre_commit_json().assert_code(0);
}

#[test]
fn token_only_in_the_work_tree_passes() {
    let repo = Repo::new();
    repo.write("app.js", "let a = 1;\n");
    repo.commit_all("init");
    repo.stage("app.js", "let a = 2;\n");
    // Not staged: the commit would not contain it.
    repo.write("app.js", app_js(&token()));
    repo.pre_commit_json().assert_code(0);
}

#[test]
fn token_staged_then_removed_from_the_work_tree_blocks() {
    let repo = Repo::new();
    repo.write("app.js", "let a = 1;\n");
    repo.commit_all("init");
    repo.stage("app.js", app_js(&token()));
    // The work tree no longer shows it, but the index (the commit) does.
    repo.write("app.js", "let a = 1;\n");
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["app.js"]);
}

#[test]
fn first_commit_without_head() {
    let repo = Repo::new();
    // Unborn branch, empty index.
    repo.pre_commit_json().assert_code(0);

    repo.stage("README.md", "hello\n");
    repo.pre_commit_json().assert_code(0);

    repo.stage(".env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), [".env"]);
    assert_eq!(run.findings()[0]["line"], 1);
}

#[test]
fn rename_of_a_file_that_already_had_a_token_does_not_block() {
    let repo = Repo::new();
    let tok = token();
    let body: Vec<String> = (0..20).map(|i| format!("line {i}")).collect();
    let mut content: Vec<&str> = body.iter().map(String::as_str).collect();
    let tok_line = format!("token: {tok}");
    content.insert(10, &tok_line);
    repo.write("old/settings.yaml", lines(&content));
    repo.commit_all("init");

    // A pure rename.
    repo.git(&["mv", "old/settings.yaml", "old/config.yaml"]);
    let status = repo.git(&["diff", "--cached", "--name-status", "-M"]);
    assert!(status.starts_with('R'), "git sees a rename: {status}");
    repo.pre_commit_json().assert_code(0);

    // A rename with an unrelated edit.
    content.push("line added after the move");
    repo.stage("old/config.yaml", lines(&content));
    let status = repo.git(&["diff", "--cached", "--name-status", "-M"]);
    assert!(status.starts_with('R'), "git still sees a rename: {status}");
    repo.pre_commit_json().assert_code(0);
}

#[test]
fn copy_of_a_modified_file_keeps_its_old_lines() {
    let repo = Repo::new();
    let tok = token();
    let body: Vec<String> = (0..20).map(|i| format!("setting_{i} = {i}")).collect();
    let mut content: Vec<&str> = body.iter().map(String::as_str).collect();
    let tok_line = format!("token = \"{tok}\"");
    content.insert(5, &tok_line);
    repo.write("a.toml", lines(&content));
    repo.commit_all("init");

    // Modify the source and copy it: git sees a copy with -C.
    let mut modified = content.clone();
    modified.push("extra = 1");
    repo.stage("a.toml", lines(&modified));
    repo.stage("b.toml", lines(&content));
    let status = repo.git(&["diff", "--cached", "--name-status", "-C"]);
    assert!(
        status.contains("C100\ta.toml\tb.toml"),
        "git sees a copy: {status}"
    );
    repo.pre_commit_json().assert_code(0);
}

#[test]
fn commit_dash_a_through_a_real_hook_is_refused() {
    let repo = Repo::new();
    repo.write("app.js", "let a = 1;\n");
    repo.commit_all("init");
    repo.install_hook();
    let before = repo.head();

    // A clean change goes through the hook.
    repo.write("app.js", "let a = 2;\n");
    let ok = repo.git_run(&["commit", "-q", "-am", "clean"]);
    assert_eq!(ok.code, 0, "a clean commit passes the hook: {ok:?}");
    assert_ne!(repo.head(), before);
    let before = repo.head();

    // The token is only in the work tree: `git commit -a` stages it into a
    // temporary index (GIT_INDEX_FILE), which the hook must read.
    let tok = token();
    repo.write("app.js", app_js(&tok));
    let refused = repo.git_run(&["commit", "-q", "-am", "leak"]);
    assert_ne!(refused.code, 0, "the hook refuses the commit: {refused:?}");
    assert!(refused.stderr.contains("app.js:3:"), "{refused:?}");
    assert!(!refused.all().contains(&tok), "the token is redacted");
    assert_eq!(repo.head(), before, "no commit was made");

    // `git commit PATH` uses another temporary index.
    let refused = repo.git_run(&["commit", "-q", "-m", "leak", "--", "app.js"]);
    assert_ne!(
        refused.code, 0,
        "the hook refuses `commit PATH`: {refused:?}"
    );
    assert_eq!(repo.head(), before, "no commit was made");
}

#[test]
fn honours_git_index_file() {
    let repo = Repo::new();
    repo.write("app.js", "let a = 1;\n");
    repo.commit_all("init");
    let alt = repo.path().join(".git/alt-index");
    std::fs::copy(repo.path().join(".git/index"), &alt).expect("copy index");
    repo.write("app.js", app_js(&token()));
    let add = repo.git_run_with(&["add", "app.js"], |c| {
        c.env("GIT_INDEX_FILE", &alt);
    });
    assert_eq!(add.code, 0, "{add:?}");

    // The default index has nothing staged; the alternate one has the token.
    repo.pre_commit_json().assert_code(0);
    let run = repo.guard_with(&["pre-commit", "--format", "json"], |c| {
        c.env("GIT_INDEX_FILE", &alt);
    });
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["app.js"]);
}

#[test]
fn deletion_symlink_and_submodule_entries_do_not_crash() {
    let repo = Repo::new();
    repo.write("gone.env", format!("TOKEN={}\n", token()));
    repo.write("keep.txt", "keep\n");
    repo.commit_all("init");
    let head = repo.head();

    repo.git(&["rm", "-q", "gone.env"]);
    #[cfg(unix)]
    {
        // A symlink's blob is its target: scanned like a file's content.
        std::os::unix::fs::symlink("keep.txt", repo.path().join("link")).expect("symlink");
        repo.git(&["add", "link"]);
    }
    // A submodule (gitlink) entry pointing at a commit.
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},vendor/lib"),
    ]);
    let raw = repo.git(&["diff", "--cached", "--raw"]);
    assert!(raw.contains("160000"), "git sees the gitlink: {raw}");

    let run = repo.pre_commit_json();
    run.assert_code(0);
    // Only the link's target is read: not the deletion, not the gitlink.
    let expected = if cfg!(unix) { 1 } else { 0 };
    assert_eq!(run.json()["stats"]["blobs"], expected, "{run:?}");
}

#[test]
fn merge_in_progress_with_a_conflict_does_not_crash() {
    let repo = Repo::new();
    repo.write("a.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("a.txt", "theirs\n");
    let tok = token();
    repo.write("b.env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));
    repo.commit_all("other side");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("a.txt", "ours\n");
    repo.commit_all("our side");

    let merge = repo.git_run(&["merge", "--no-edit", "other"]);
    assert_ne!(merge.code, 0, "the merge conflicts: {merge:?}");
    let unmerged = repo.git(&["diff", "--cached", "--name-only", "--diff-filter=U"]);
    assert_eq!(unmerged.trim(), "a.txt");

    // The conflicted entry is skipped; the other side's new file is staged.
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["b.env"]);

    // Once resolved, the merge commit's change is scanned as usual.
    repo.stage("a.txt", "resolved\n");
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["b.env"]);
}

#[test]
fn not_a_repository_exits_2() {
    let dir = Scratch::new();
    let run = dir.guard(&["pre-commit", "--color", "never"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a git repository"), "{run:?}");
    let run = dir.guard(&["pre-commit", "--format", "json"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a git repository"), "{run:?}");
}

/// A bare repository has no index to commit from: an empty index against
/// HEAD would read as a clean change, so the hook says it cannot run.
#[test]
fn in_a_bare_repository_pre_commit_says_it_cannot_run_there() {
    let repo = Repo::new();
    repo.write("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.commit_all("leak in HEAD");
    let bare = repo.path().parent().unwrap().join("bare.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    for format in ["human", "json"] {
        let run = repo.guard_with(&["pre-commit", "--format", format], |c| {
            c.current_dir(&bare);
        });
        run.assert_code(2);
        assert!(run.stderr.contains("bare repository"), "{run:?}");
        assert!(run.stderr.contains("cannot run"), "{run:?}");
    }
}

#[test]
fn redacted_in_human_and_json_unless_show_secrets() {
    let repo = Repo::new();
    let tok = token();
    repo.stage(".env", format!("INTERCOM_ACCESS_TOKEN={tok}\n"));

    for args in [
        &["pre-commit", "--color", "never"][..],
        &["pre-commit", "--color", "always"][..],
        &["pre-commit", "--format", "json"][..],
    ] {
        let run = repo.guard(args);
        run.assert_code(1);
        assert!(!run.all().contains(&tok), "{args:?} leaks the token");
        // Nor a long piece of it.
        assert!(
            !run.all().contains(&tok[5..45]),
            "{args:?} leaks most of the token"
        );
    }
    let run = repo.guard(&["pre-commit", "--format", "json", "--show-secrets"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(&tok),
        "--show-secrets shows it: {run:?}"
    );
    let run = repo.guard(&["pre-commit", "--color", "never", "--show-secrets"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(&tok),
        "--show-secrets shows it: {run:?}"
    );
}

#[test]
fn inline_marker_suppresses_on_the_laptop() {
    let repo = Repo::new();
    let tok = token();
    repo.stage(
        "test/fixture.js",
        lines(&[&format!("const t = '{tok}'; // intercom-guard:allow")]),
    );
    let run = repo.pre_commit_json();
    run.assert_code(0);
    assert!(run.findings().is_empty());
}

#[test]
fn non_utf8_path_and_content() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let tok = token();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.env");
        let mut content = b"# caf\xe9 \xe9\xe9\n".to_vec();
        content.extend_from_slice(format!("X = {tok}\n").as_bytes());
        std::fs::write(repo.path().join(name), content).expect("write");
        repo.git(&["add", "-A"]);
        let run = repo.pre_commit_json();
        run.assert_code(1);
        let findings = run.findings();
        assert_eq!(findings.len(), 1, "{run:?}");
        use base64::Engine as _;
        let expected = base64::engine::general_purpose::STANDARD.encode(b"caf\xe9.env");
        assert_eq!(findings[0]["path"]["bytes"], expected.as_str());
        assert_eq!(findings[0]["line"], 2);
        assert_eq!(findings[0]["column"], 5);
    }
}

#[test]
fn binary_blob_finding_has_no_line() {
    let repo = Repo::new();
    let mut content = vec![0u8, 1, 2, 3, b'\n'];
    content.extend_from_slice(token().as_bytes());
    content.extend_from_slice(&[0, 0, 9]);
    repo.stage("blob.bin", content);
    let run = repo.pre_commit_json();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(paths(&findings), ["blob.bin"]);
    assert_eq!(findings[0]["line"], Value::Null);
    assert_eq!(findings[0]["column"], Value::Null);
}

#[test]
fn missing_object_is_an_error_not_a_panic() {
    let repo = Repo::new();
    repo.stage("app.js", "let a = 1;\n");
    let id = repo.git(&["rev-parse", ":app.js"]).trim().to_owned();
    let object = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    std::fs::remove_file(&object).expect("remove loose object");

    let run = repo.guard(&["pre-commit", "--color", "never"]);
    run.assert_code(2);
    assert!(run.stderr.contains(&id), "names the object: {run:?}");
    assert!(run.stderr.contains("missing"), "{run:?}");
}

#[test]
fn corrupt_object_is_an_error_not_a_panic() {
    let repo = Repo::new();
    repo.stage("app.js", "let a = 1;\n");
    let id = repo.git(&["rev-parse", ":app.js"]).trim().to_owned();
    let object = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    let mut perms = std::fs::metadata(&object).expect("object").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).expect("chmod");
    std::fs::write(&object, b"this is not zlib data").expect("corrupt");

    let run = repo.guard(&["pre-commit", "--color", "never"]);
    run.assert_code(2);
    assert!(run.stderr.contains(&id), "names the object: {run:?}");
}

#[test]
fn corrupt_index_is_an_error_not_a_panic() {
    let repo = Repo::new();
    repo.stage("app.js", "let a = 1;\n");
    std::fs::write(repo.path().join(".git/index"), b"DIRC garbage").expect("corrupt");
    let run = repo.guard(&["pre-commit", "--color", "never"]);
    run.assert_code(2);
    assert!(run.stderr.contains("index"), "{run:?}");
}

/// Regression: gix 0.90's copy tracking swallows the copy source's own
/// modification; a token added to that source must still block.
#[test]
fn token_added_to_the_source_of_a_copy_blocks() {
    let repo = Repo::new();
    let body: Vec<String> = (0..20).map(|i| format!("setting_{i} = {i}")).collect();
    let content: Vec<&str> = body.iter().map(String::as_str).collect();
    repo.write("a.toml", lines(&content));
    repo.commit_all("init");

    let tok_line = format!("token = \"{}\"", token());
    let mut modified = content.clone();
    modified.push(&tok_line);
    repo.stage("a.toml", lines(&modified));
    let mut copy = content.clone();
    copy.push("copy = true");
    repo.stage("b.toml", lines(&copy));
    let status = repo.git(&["diff", "--cached", "--name-status", "-C"]);
    assert!(
        status.contains("\ta.toml\tb.toml"),
        "git sees a copy: {status}"
    );

    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["a.toml"]);
    assert_eq!(run.findings()[0]["line"], 21);
}

/// A line moved from a deleted file into another, unrelated file (no
/// rename git would detect) already existed: it does not block. A new
/// token in the same change still does.
#[test]
fn token_line_moved_to_another_file_is_not_added() {
    let repo = Repo::new();
    let old = token();
    let body: Vec<String> = (0..20).map(|i| format!("OLD_SETTING_{i}={i}")).collect();
    let mut content: Vec<&str> = body.iter().map(String::as_str).collect();
    let old_line = format!("INTERCOM_ACCESS_TOKEN={old}");
    content.push(&old_line);
    repo.write("config/old.env", lines(&content));
    repo.write("deploy/app.env", lines(&["PORT=8080", "HOST=example.com"]));
    repo.commit_all("init");

    repo.git(&["rm", "-q", "config/old.env"]);
    repo.stage("deploy/app.env", lines(&["PORT=8080", &old_line, "HOST=x"]));
    let status = repo.git(&["diff", "--cached", "--name-status", "-M", "-C"]);
    assert!(!status.contains('R') && !status.contains('C'), "{status}");
    repo.pre_commit_json().assert_code(0);

    let new_line = format!("INTERCOM_ACCESS_TOKEN={}", token());
    repo.stage(
        "deploy/app.env",
        lines(&["PORT=8080", &old_line, &new_line]),
    );
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["deploy/app.env"]);
    assert_eq!(run.findings()[0]["line"], 3);
}

/// Deep in a tree of untouched folders, whatever state the index's
/// cache-tree is in: as `git add` leaves it, fully valid (`git write-tree`),
/// or valid for a commit that is not HEAD (`git reset --soft`).
#[test]
fn token_deep_in_a_large_tree_blocks_whatever_the_cache_tree() {
    let repo = Repo::new();
    for d in 0..20 {
        for f in 0..5 {
            repo.write(format!("src/m{d:02}/sub/f{f}.js"), format!("// {d} {f}\n"));
        }
    }
    repo.commit_all("init");
    let tok = token();
    repo.stage("src/m07/sub/f3.js", app_js(&tok));

    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["src/m07/sub/f3.js"]);
    assert_eq!(run.json()["stats"]["blobs"], 1);

    repo.git(&["write-tree"]);
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["src/m07/sub/f3.js"]);

    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]);
    repo.pre_commit_json().assert_code(0);
    repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["src/m07/sub/f3.js"]);
    assert_eq!(run.json()["stats"]["blobs"], 1);
}

#[test]
fn sparse_index_is_read() {
    let repo = Repo::new();
    repo.write("app/main.js", "let a = 1;\n");
    repo.write("vendor/lib/big.js", "let b = 2;\n");
    repo.commit_all("init");
    repo.git(&["sparse-checkout", "set", "--sparse-index", "app"]);
    let listed = repo.git(&["ls-files", "--sparse", "-s"]);
    assert!(listed.contains("040000"), "a sparse index: {listed}");

    repo.pre_commit_json().assert_code(0);
    repo.stage("app/main.js", app_js(&token()));
    let run = repo.pre_commit_json();
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["app/main.js"]);
}
