//! The staged set the source layer yields, checked against git's own answer
//! (`git diff --cached --raw --no-renames`) rather than a hand-written list:
//! the added and modified regular files and symbolic links with their new
//! and old blobs, and the `HEAD` blobs the change deletes or replaces
//! (where moved and copied lines come from). Each scenario is checked with the index as git left
//! it (cache-tree valid except above the staged paths), with a fully valid
//! cache-tree that differs from `HEAD` (`git write-tree`), and with no
//! cache-tree at all; and in every format git writes the index in
//! (versions 2, 3 and 4, and split), where versions 2 and 3 are skimmed
//! and must hold, entry by entry, what gix decodes.

mod common;

use std::collections::BTreeSet;

use common::{Repo, lines};
use intercom_guard::source::StagedChange;
use intercom_guard::source::index_skim::{Entries, Skim};

/// (path, new blob, `HEAD` blob at the same path, is a symbolic link)
type Entry = (String, String, Option<String>, bool);
/// (path in `HEAD`, blob)
type Replaced = (String, String);

#[derive(Debug, PartialEq, Eq)]
struct Set {
    entries: BTreeSet<Entry>,
    replaced: BTreeSet<Replaced>,
}

/// A regular file, or a symbolic link (its blob is the target).
fn is_blob(mode: &str) -> bool {
    mode == "100644" || mode == "100755" || mode == "120000"
}

/// What git says: regular files and symbolic links added or modified in
/// content (no deletions, gitlinks, mode-only changes or unmerged paths),
/// and the blobs of `HEAD` deleted or replaced. A file whose blob is one of
/// those (a pure move or copy) is listed too: the engine, which knows the
/// allowlist, drops it.
fn git_expected(repo: &Repo) -> Set {
    let raw = repo.git(&["diff", "--cached", "--raw", "--no-abbrev", "--no-renames"]);
    let mut entries = BTreeSet::new();
    let mut replaced = BTreeSet::new();
    for line in raw.lines() {
        let (meta, path) = line.split_once('\t').expect("raw line has a tab");
        let fields: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let (old_mode, new_mode, old_id, new_id, status) =
            (fields[0], fields[1], fields[2], fields[3], fields[4]);
        let path = path.to_owned();
        match status {
            "U" => continue,
            "A" | "M" | "T" | "D" => {}
            other => panic!("unexpected status {other} in {line}"),
        }
        let old = (status != "A" && is_blob(old_mode)).then(|| old_id.to_owned());
        let new = (status != "D" && is_blob(new_mode)).then(|| new_id.to_owned());
        if old.is_some() && old == new {
            continue;
        }
        if let Some(old) = &old {
            replaced.insert((path.clone(), old.clone()));
        }
        if let Some(new) = new {
            entries.insert((path, new, old, new_mode == "120000"));
        }
    }
    Set { entries, replaced }
}

fn ours(repo: &Repo) -> Set {
    let staged = StagedChange::discover(&repo.path()).expect("staged change");
    let text = |p: &[u8]| String::from_utf8(p.to_vec()).expect("UTF-8 path");
    let entries = staged
        .entries()
        .iter()
        .map(|e| {
            (
                text(&e.path),
                e.id.to_string(),
                e.old_id.map(|id| id.to_string()),
                e.symlink,
            )
        })
        .collect();
    let replaced = staged
        .replaced()
        .iter()
        .map(|r| (text(&r.path), r.id.to_string()))
        .collect();
    Set { entries, replaced }
}

fn index_path(repo: &Repo) -> std::path::PathBuf {
    repo.path().join(".git/index")
}

/// The index skimmed, if the skim takes it.
fn skim(repo: &Repo) -> Option<Skim> {
    let file = std::fs::File::open(index_path(repo)).expect("open the index");
    Skim::open(file, gix::hash::Kind::Sha1).expect("read the index")
}

/// Every field the diff reads, per entry, and the cache-tree.
fn entries_of(index: &impl Entries) -> Vec<(Vec<u8>, u32, String, u32, bool)> {
    (0..index.len())
        .map(|i| {
            (
                index.path(i).to_vec(),
                index.mode(i).bits(),
                index.id(i).to_string(),
                index.stage(i) as u32,
                index.intent_to_add(i),
            )
        })
        .collect()
}

/// The skim holds what gix decodes, and knows each directory's entries:
/// for every directory, `dir_at` at its first entry, one level below its
/// parent, answers with its path and the end of its entries.
fn check_skim_against_gix(repo: &Repo, skim: &Skim) {
    let options = gix::index::decode::Options::default();
    let decoded = gix::index::File::at(index_path(repo), gix::hash::Kind::Sha1, true, options)
        .expect("gix reads the index");
    assert_eq!(entries_of(skim), entries_of(&*decoded));
    assert_eq!(skim.cache_tree(), decoded.tree());
    let paths: Vec<&[u8]> = (0..skim.len()).map(|i| skim.path(i)).collect();
    for (i, path) in paths.iter().enumerate() {
        let slashes: Vec<usize> = (0..path.len().saturating_sub(1))
            .filter(|&at| path[at] == b'/')
            .collect();
        let mut parent = 0;
        for at in slashes {
            let dir = &path[..=at];
            if i == 0 || !paths[i - 1].starts_with(dir) {
                let end = (i..paths.len())
                    .find(|&j| !paths[j].starts_with(dir))
                    .unwrap_or(paths.len());
                assert_eq!(
                    skim.dir_at(i, parent),
                    Some((dir, end)),
                    "{}",
                    String::from_utf8_lossy(dir)
                );
            }
            parent = at + 1;
        }
    }
}

/// The version in the index's header.
fn index_version(repo: &Repo) -> u8 {
    let header = std::fs::read(index_path(repo)).expect("read the index");
    assert_eq!(header[..7], [b'D', b'I', b'R', b'C', 0, 0, 0]);
    header[7]
}

/// git's answer with the index in each format git writes: versions 2 and 3
/// (skimmed), 4 and a split index (decoded whole by gix). git writes 3
/// for 2 or 3 when an entry has extended flags, else 2. Leaves it at 2.
fn check_index_formats(repo: &Repo, expected: &Set) {
    for version in [2u8, 3, 4] {
        repo.git(&["update-index", "--index-version", &version.to_string()]);
        let written = index_version(repo);
        assert!(
            written == version || (version < 4 && (2..4).contains(&written)),
            "asked for {version}, git wrote {written}"
        );
        match skim(repo) {
            Some(skim) => {
                assert_ne!(version, 4, "version 4 is left to gix");
                check_skim_against_gix(repo, &skim);
            }
            None => assert_eq!(version, 4, "version {version} is skimmed"),
        }
        assert_eq!(ours(repo), *expected, "index version {version}");
    }
    repo.git(&["update-index", "--index-version", "2"]);
    repo.git(&["update-index", "--split-index"]);
    assert!(skim(repo).is_none(), "a split index is left to gix");
    assert_eq!(ours(repo), *expected, "split index");
    repo.git(&["update-index", "--no-split-index"]);
    assert!(skim(repo).is_some());
}

/// Compare with git as the index stands (in each format), then with a
/// fully valid cache-tree, then with none. Returns git's answer.
fn check_all_index_states(repo: &Repo) -> Set {
    let expected = git_expected(repo);
    assert_eq!(ours(repo), expected, "index as staged");
    check_index_formats(repo, &expected);
    assert_eq!(git_expected(repo), expected);

    // `git write-tree` validates every cache-tree node (ids differ from HEAD
    // where the change is).
    repo.git(&["write-tree"]);
    assert_eq!(git_expected(repo), expected);
    assert_eq!(ours(repo), expected, "fully valid cache-tree");

    // An index rebuilt entry by entry has no cache-tree extension.
    let listed = repo.git(&["ls-files", "-s"]);
    let fresh = repo.path().join(".git/index.fresh");
    let mut cmd = repo.command("git");
    cmd.args(["update-index", "--index-info"])
        .env("GIT_INDEX_FILE", &fresh)
        .stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn git update-index");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(listed.as_bytes())
            .expect("write index info");
    }
    assert!(child.wait().expect("git update-index").success());
    std::fs::rename(&fresh, repo.path().join(".git/index")).expect("replace index");
    assert_eq!(git_expected(repo), expected);
    assert_eq!(ours(repo), expected, "no cache-tree");
    expected
}

fn numbered(prefix: &str, n: usize) -> String {
    let body: Vec<String> = (0..n).map(|i| format!("{prefix} line {i}")).collect();
    let refs: Vec<&str> = body.iter().map(String::as_str).collect();
    lines(&refs)
}

#[test]
fn staged_set_matches_git_diff_cached() {
    let repo = Repo::new();
    repo.write("a.txt", numbered("a", 5));
    repo.write("c.txt", numbered("c", 5));
    repo.write("d.txt", numbered("d", 20));
    repo.write("e.sh", "echo hi\n");
    repo.write("f.txt", numbered("f", 20));
    repo.write("same.txt", numbered("same", 10));
    repo.commit_all("init");

    repo.write("a.txt", numbered("a", 6)); // modified
    repo.write("new.txt", "brand new\n"); // added
    repo.remove("c.txt"); // deleted
    repo.git(&["add", "-A"]);
    repo.git(&["mv", "d.txt", "d2.txt"]); // renamed with an edit
    let mut d = numbered("d", 20);
    d.push_str("one more\n");
    repo.stage("d2.txt", d);
    repo.git(&["update-index", "--chmod=+x", "e.sh"]); // mode only
    repo.stage("f.txt", numbered("f", 21)); // modified and copied with an edit
    let mut g = numbered("f", 20);
    g.push_str("the copy differs\n");
    repo.stage("g.txt", g);
    repo.git(&["mv", "same.txt", "moved.txt"]); // exact rename
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("a.txt", repo.path().join("link")).expect("symlink");
        repo.git(&["add", "link"]);
    }
    let head = repo.head();
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},sub"),
    ]);

    let expected = check_all_index_states(&repo);
    let paths: Vec<&str> = expected.entries.iter().map(|e| e.0.as_str()).collect();
    let mut want = vec!["a.txt", "d2.txt", "f.txt", "g.txt", "moved.txt", "new.txt"];
    if cfg!(unix) {
        want.insert(4, "link");
    }
    assert_eq!(paths, want);
    assert!(
        expected.entries.iter().all(|e| e.3 == (e.0 == "link")),
        "only the link is one: {expected:?}"
    );
    let replaced: Vec<&str> = expected.replaced.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(replaced, ["a.txt", "c.txt", "d.txt", "f.txt", "same.txt"]);
}

/// Nested directories, most of them untouched: the walk must skip those
/// and still find every change below the ones it enters, including
/// directories added, deleted, turned into files and back.
#[test]
fn nested_directories_match_git() {
    let repo = Repo::new();
    for d in [
        "a",
        "a/b",
        "a/b/c",
        "a/b-c",
        "a.d",
        "z",
        "z/y",
        "keep/deep/er",
    ] {
        for f in ["one.txt", "two.txt"] {
            repo.write(format!("{d}/{f}"), format!("{d}/{f}\n"));
        }
    }
    repo.write("top.txt", "top\n");
    repo.write("x", "x was a file\n");
    repo.write("w/inner.txt", "w was a folder\n");
    repo.commit_all("init");

    repo.stage("a/b/c/one.txt", "changed deep\n");
    repo.stage("a/b/c/new/three.txt", "new folder below a changed one\n");
    repo.stage("a/b-c/one.txt", "a sibling whose name sorts around a/b/\n");
    repo.stage("a.d/extra.txt", "added next to an untouched file\n");
    repo.git(&["rm", "-rq", "z"]); // a whole folder deleted
    repo.git(&["rm", "-q", "x"]); // a file becomes a folder
    repo.stage("x/now.txt", "x is a folder now\n");
    repo.git(&["rm", "-rq", "w"]); // a folder becomes a file
    repo.stage("w", "w is a file now\n");
    repo.stage("fresh/dir/file.txt", "a new tree\n");
    let expected = check_all_index_states(&repo);
    assert!(expected.entries.len() >= 7, "{expected:?}");
    assert!(
        expected.replaced.iter().any(|r| r.0 == "z/y/two.txt"),
        "{expected:?}"
    );

    // Nothing staged: the root's cache-tree names HEAD's tree.
    repo.git(&["commit", "-q", "--no-verify", "-m", "second"]);
    let empty = Set {
        entries: BTreeSet::new(),
        replaced: BTreeSet::new(),
    };
    assert_eq!(check_all_index_states(&repo), empty);
}

#[test]
fn unborn_branch_compares_with_the_empty_tree() {
    let repo = Repo::new();
    repo.stage("a.txt", "a\n");
    repo.stage("dir/b.txt", "b\n");
    let expected = check_all_index_states(&repo);
    let listed = repo.git(&["ls-files", "-s"]);
    let all: BTreeSet<Entry> = listed
        .lines()
        .map(|l| {
            let (meta, path) = l.split_once('\t').expect("tab");
            let id = meta.split(' ').nth(1).expect("id");
            (path.to_owned(), id.to_owned(), None, false)
        })
        .collect();
    assert_eq!(expected.entries, all);
}

#[test]
fn intent_to_add_and_conflicts_are_skipped() {
    let repo = Repo::new();
    repo.write("a.txt", "base\n");
    repo.write("dir/b.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("a.txt", "theirs\n");
    repo.write("dir/c.txt", "theirs only\n");
    repo.commit_all("other side");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("a.txt", "ours\n");
    repo.commit_all("our side");
    let merge = repo.git_run(&["merge", "--no-edit", "other"]);
    assert_ne!(merge.code, 0, "the merge conflicts: {merge:?}");
    repo.write("dir/later.txt", "not yet\n");
    repo.git(&["add", "-N", "dir/later.txt"]);

    let expected = git_expected(&repo);
    assert_eq!(ours(&repo), expected);
    let paths: Vec<&str> = expected.entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(paths, ["dir/c.txt"]);
    // Conflict stages and the intent-to-add flag, skimmed: an entry with
    // extended flags makes git write version 3.
    assert_eq!(index_version(&repo), 3);
    let skimmed = skim(&repo).expect("skimmed");
    let stages: Vec<u32> = (0..skimmed.len())
        .map(|i| skimmed.stage(i) as u32)
        .collect();
    assert!(stages.contains(&1) && stages.contains(&3), "{stages:?}");
    assert!((0..skimmed.len()).any(|i| skimmed.intent_to_add(i)));
    check_skim_against_gix(&repo, &skimmed);
    check_index_formats(&repo, &expected);
}

#[test]
fn sparse_index_matches_git() {
    let repo = Repo::new();
    for d in ["in", "out", "out/deeper", "other"] {
        repo.write(format!("{d}/f.txt"), format!("{d}\n"));
    }
    repo.write("top.txt", "top\n");
    repo.commit_all("init");
    repo.git(&["sparse-checkout", "set", "--sparse-index", "in"]);
    let sparse = repo.git(&["ls-files", "--sparse", "-s"]);
    assert!(sparse.contains("040000"), "a sparse index: {sparse}");

    // A change inside the cone.
    repo.stage("in/f.txt", "changed in the cone\n");
    repo.stage("in/new.txt", "added in the cone\n");
    assert_eq!(ours(&repo), git_expected(&repo));

    // Directories outside the cone that differ from HEAD, held as trees:
    // commit a change to them (expanding the index), then move HEAD back.
    repo.git(&["commit", "-q", "--no-verify", "-m", "cone"]);
    repo.git(&["sparse-checkout", "disable"]);
    repo.stage("out/deeper/f.txt", "changed outside the cone\n");
    repo.stage("out/added.txt", "added outside the cone\n");
    repo.git(&["rm", "-q", "other/f.txt"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "outside"]);
    repo.git(&["sparse-checkout", "set", "--sparse-index", "in"]);
    repo.git(&["reset", "-q", "--soft", "HEAD~2"]);
    let sparse = repo.git(&["ls-files", "--sparse", "-s"]);
    assert!(sparse.contains("040000"), "still sparse: {sparse}");
    let expected = git_expected(&repo);
    let paths: Vec<&str> = expected.entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "in/f.txt",
            "in/new.txt",
            "out/added.txt",
            "out/deeper/f.txt"
        ]
    );
    assert_eq!(ours(&repo), expected);
    let skimmed = skim(&repo).expect("a sparse index is skimmed");
    check_skim_against_gix(&repo, &skimmed);
}
