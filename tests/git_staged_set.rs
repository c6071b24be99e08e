//! The staged set the source layer yields, checked against git's own answer
//! (`git diff --cached --raw -M -C`) rather than a hand-written list.

mod common;

use std::collections::BTreeSet;

use common::{Repo, lines};
use intercom_guard::source::StagedChange;

type Entry = (String, String, Option<String>);

/// What git says should be scanned: added, modified, renamed and copied
/// regular files, with the blob they replace; no deletions, symlinks,
/// gitlinks, mode-only changes or exact renames/copies.
fn git_expected(repo: &Repo) -> BTreeSet<Entry> {
    let raw = repo.git(&["diff", "--cached", "--raw", "--no-abbrev", "-M", "-C"]);
    let mut expected = BTreeSet::new();
    for line in raw.lines() {
        let (meta, paths) = line.split_once('\t').expect("raw line has a tab");
        let fields: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let (old_mode, new_mode, old_id, new_id, status) =
            (fields[0], fields[1], fields[2], fields[3], fields[4]);
        let is_file = |mode: &str| mode == "100644" || mode == "100755";
        let path = paths.rsplit('\t').next().expect("a path").to_owned();
        match &status[..1] {
            "D" | "U" => continue,
            _ if !is_file(new_mode) => continue,
            "A" => {
                expected.insert((path, new_id.to_owned(), None));
            }
            "M" | "R" | "C" | "T" => {
                if is_file(old_mode) && old_id == new_id {
                    continue;
                }
                let old = is_file(old_mode).then(|| old_id.to_owned());
                expected.insert((path, new_id.to_owned(), old));
            }
            other => panic!("unexpected status {other} in {line}"),
        }
    }
    expected
}

fn ours(repo: &Repo) -> BTreeSet<Entry> {
    let staged = StagedChange::discover(&repo.path()).expect("staged change");
    staged
        .entries()
        .iter()
        .map(|e| {
            (
                String::from_utf8(e.path.clone()).expect("UTF-8 path"),
                e.id.to_string(),
                e.old_id.map(|id| id.to_string()),
            )
        })
        .collect()
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

    let expected = git_expected(&repo);
    assert!(
        expected
            .iter()
            .any(|(p, _, old)| p == "d2.txt" && old.is_some()),
        "git sees the rename: {expected:?}"
    );
    assert!(
        expected
            .iter()
            .any(|(p, _, old)| p == "g.txt" && old.is_some()),
        "git sees the copy: {expected:?}"
    );
    assert_eq!(ours(&repo), expected);
}

#[test]
fn unborn_branch_compares_with_the_empty_tree() {
    let repo = Repo::new();
    repo.stage("a.txt", "a\n");
    repo.stage("dir/b.txt", "b\n");
    let ours = ours(&repo);
    let listed = repo.git(&["ls-files", "-s"]);
    let expected: BTreeSet<Entry> = listed
        .lines()
        .map(|l| {
            let (meta, path) = l.split_once('\t').expect("tab");
            let id = meta.split(' ').nth(1).expect("id");
            (path.to_owned(), id.to_owned(), None)
        })
        .collect();
    assert_eq!(ours, expected);
}
