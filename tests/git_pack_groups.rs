//! A pack read a group of whole delta families at a time
//! (`source::objects::traverse_pack_by`), checked against git's own view of
//! the pack (`git verify-pack -v`: every object, its type, its size, its
//! offset and its delta base): every object is visited once with its bytes
//! (hashed again to its id), whatever the size of the groups, including
//! groups that lack the pack's first entry; blobs stored whole over the
//! limit, and every delta on top of one, are left out; and a pack whose
//! very first entry is left out reads the same.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use common::Repo;
use gix::ObjectId;
use gix::odb::pack;
use intercom_guard::source::objects::{LeftOut, traverse_pack_by};

/// One object as `git verify-pack -v` lists it.
#[derive(Debug, Clone)]
struct Listed {
    kind: String,
    size: u64,
    offset: u64,
    base: Option<ObjectId>,
}

/// The objects of the pack at `idx`, by git.
fn listed(repo: &Repo, idx: &std::path::Path) -> BTreeMap<ObjectId, Listed> {
    let out = repo.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    let mut objects = BTreeMap::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 5 || f[0].len() != 40 {
            continue;
        }
        let id = ObjectId::from_hex(f[0].as_bytes()).unwrap();
        objects.insert(
            id,
            Listed {
                kind: f[1].to_owned(),
                size: f[2].parse().unwrap(),
                offset: f[4].parse().unwrap(),
                base: f.get(6).map(|b| ObjectId::from_hex(b.as_bytes()).unwrap()),
            },
        );
    }
    assert!(!objects.is_empty(), "{out}");
    objects
}

/// The pack index of a repository with a single pack.
fn only_pack(repo: &Repo) -> PathBuf {
    let dir = repo.path().join(".git/objects/pack");
    let idx: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    assert_eq!(idx.len(), 1, "{idx:?}");
    idx.into_iter().next().unwrap()
}

/// How often each object was visited, each visit's bytes hashed again to
/// the id it came with; and what was left out.
fn traverse(
    idx: &std::path::Path,
    limit: u64,
    group_bytes: u64,
) -> (BTreeMap<ObjectId, usize>, Vec<LeftOut>) {
    let bundle = pack::Bundle::at(idx, gix::hash::Kind::Sha1).unwrap();
    let seen = Mutex::new(BTreeMap::<ObjectId, usize>::new());
    let left = traverse_pack_by(&bundle, limit, group_bytes, |kind, id, data| {
        let again = gix::objs::compute_hash(gix::hash::Kind::Sha1, kind, data).unwrap();
        assert_eq!(&again, id, "the bytes of {id} ({kind}) hash to {again}");
        *seen.lock().unwrap().entry(*id).or_default() += 1;
    })
    .unwrap_or_else(|e| panic!("groups of {group_bytes}: {e:?}"));
    (seen.into_inner().unwrap(), left)
}

/// A history in which files change a little at each commit (so that the
/// pack holds delta chains), one file of them large.
fn repo_with_deltas() -> Repo {
    let repo = Repo::new();
    let mut big = String::new();
    for i in 0..3000 {
        big.push_str(&format!("line {i} of a large file that changes a little\n"));
    }
    for round in 0..12 {
        for file in 0..5 {
            let mut text = String::new();
            for line in 0..(40 + round * 3) {
                text.push_str(&format!(
                    "file {file} line {line} round {}\n",
                    line % (round + 1)
                ));
            }
            repo.write(format!("src/f{file}.txt"), text);
        }
        big.push_str(&format!("appended in round {round}\n"));
        repo.write("big.txt", &big);
        repo.commit_all(&format!("round {round}"));
    }
    repo.git(&["repack", "-a", "-d", "-f", "--depth=20", "--window=20"]);
    repo
}

#[test]
fn every_object_is_visited_once_whatever_the_groups() {
    let repo = repo_with_deltas();
    let idx = only_pack(&repo);
    let objects = listed(&repo, &idx);
    assert!(
        objects.values().filter(|o| o.base.is_some()).count() >= 20,
        "the pack should hold deltas: {objects:?}"
    );
    let all: BTreeSet<ObjectId> = objects.keys().copied().collect();
    // One group; groups of one family each (every group but the first's
    // lacks the pack's first entry); groups in between.
    for group_bytes in [u64::MAX, 1, 2048] {
        let (seen, left) = traverse(&idx, u64::MAX, group_bytes);
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(
            seen.keys().copied().collect::<BTreeSet<_>>(),
            all,
            "groups of {group_bytes}"
        );
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
        assert!(
            twice.is_empty(),
            "groups of {group_bytes}: visited more than once: {twice:?}"
        );
    }
}

#[test]
fn large_blobs_and_their_deltas_are_left_out() {
    let repo = repo_with_deltas();
    let idx = only_pack(&repo);
    let objects = listed(&repo, &idx);
    // Between the small files and the large one.
    let limit = 50_000;
    let mut expected: BTreeSet<ObjectId> = objects
        .iter()
        .filter(|(_, o)| o.kind == "blob" && o.base.is_none() && o.size > limit)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        !expected.is_empty(),
        "a large blob stored whole: {objects:?}"
    );
    loop {
        let more: Vec<ObjectId> = objects
            .iter()
            .filter(|(id, o)| {
                !expected.contains(*id) && o.base.is_some_and(|b| expected.contains(&b))
            })
            .map(|(id, _)| *id)
            .collect();
        if more.is_empty() {
            break;
        }
        expected.extend(more);
    }
    for group_bytes in [u64::MAX, 1] {
        let (seen, left) = traverse(&idx, limit, group_bytes);
        let left_ids: BTreeSet<ObjectId> = left.iter().map(|l| l.id).collect();
        assert_eq!(left_ids, expected, "groups of {group_bytes}");
        for l in &left {
            let o = &objects[&l.id];
            assert_eq!(l.offset, o.offset, "{l:?}");
            assert_eq!(l.whole_blob, o.base.is_none(), "{l:?}");
        }
        let seen_ids: BTreeSet<ObjectId> = seen.keys().copied().collect();
        assert!(seen_ids.is_disjoint(&left_ids));
        assert_eq!(
            seen_ids.len() + left_ids.len(),
            objects.len(),
            "groups of {group_bytes}"
        );
    }
}

#[test]
fn a_pack_whose_first_entry_is_left_out_reads_the_same() {
    let repo = Repo::new();
    let big = "a large blob stored whole, first in its pack\n".repeat(4000);
    repo.write("big.txt", &big);
    repo.write("a.txt", "one small file\n");
    repo.write("b.txt", "another small file\n");
    repo.commit_all("files");
    let id = |path: &str| {
        repo.git(&["rev-parse", &format!("HEAD:{path}")])
            .trim()
            .to_owned()
    };
    // A pack of blobs alone, in the order given: the large one first.
    let ids = [id("big.txt"), id("a.txt"), id("b.txt")];
    let base = repo.path().join("blobs");
    let mut child = std::process::Command::new("git")
        .current_dir(repo.path())
        .args(["pack-objects", "--window=0"])
        .arg(&base)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(format!("{}\n", ids.join("\n")).as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let name = String::from_utf8(out.stdout).unwrap();
    let idx = repo.path().join(format!("blobs-{}.idx", name.trim()));
    let objects = listed(&repo, &idx);
    let big_id = ObjectId::from_hex(ids[0].as_bytes()).unwrap();
    assert_eq!(objects[&big_id].offset, 12, "{objects:?}");
    for group_bytes in [u64::MAX, 1] {
        let (seen, left) = traverse(&idx, 10_000, group_bytes);
        assert_eq!(
            left,
            [LeftOut {
                id: big_id,
                offset: 12,
                whole_blob: true
            }]
        );
        let seen: BTreeSet<String> = seen.keys().map(|id| id.to_string()).collect();
        assert_eq!(seen, BTreeSet::from([ids[1].clone(), ids[2].clone()]));
    }
}
