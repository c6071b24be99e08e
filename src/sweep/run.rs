//! The repositories of one shard, `jobs` at a time. Each repository is
//! swept by the caller's `work` on one of `jobs` threads; its history scan
//! and placement spread over rayon's global pool (one thread per core),
//! which every job shares, so `--jobs 4` on a 2-core machine runs 4
//! repositories' serial phases (opening, planning, walking, writing) side
//! by side while their parallel phases share the 2 cores: no nested pools,
//! no oversubscription.
//!
//! As each repository finishes, `summary.json` is rewritten (atomically)
//! with every repository done so far, in the list's order, and `finished`
//! is called (one at a time, so output lines never interleave).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::list::Entry;
use super::shard::Shard;
use super::slug::slugs;
use super::summary::{RepoSummary, Summary, VERSION};

/// One repository of the shard, with its slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub entry: Entry,
    pub slug: String,
}

/// The repositories of `shard`, in the list's order, each with the slug
/// the whole list gives it.
pub fn targets(entries: &[Entry], shard: Shard) -> Vec<Target> {
    entries
        .iter()
        .zip(slugs(entries))
        .filter(|(entry, _)| shard.takes(entry.key().as_bytes()))
        .map(|(entry, slug)| Target {
            entry: entry.clone(),
            slug,
        })
        .collect()
}

/// The summary file of a sweep's folder.
pub fn summary_path(dir: &Path) -> PathBuf {
    dir.join("summary.json")
}

/// Sweep `targets` on `jobs` threads; `work` sweeps one and returns its
/// line of the summary and whatever `finished` wants of it. Returns the
/// summary, and the first error writing `summary.json`.
pub fn run<W, X, F>(
    targets: &[Target],
    jobs: usize,
    dir: &Path,
    work: W,
    finished: F,
) -> (Summary, Option<std::io::Error>)
where
    W: Fn(&Target) -> (RepoSummary, X) + Sync,
    F: Fn(&RepoSummary, X) + Sync,
    X: Send,
{
    let next = AtomicUsize::new(0);
    let done: Mutex<(Vec<Option<RepoSummary>>, Option<std::io::Error>)> =
        Mutex::new((vec![None; targets.len()], None));
    let summary_of = |slots: &[Option<RepoSummary>]| Summary {
        version: VERSION,
        repos: slots.iter().flatten().cloned().collect(),
    };
    let worker = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(target) = targets.get(i) else {
                break;
            };
            let (line, extra) = work(target);
            let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
            done.0[i] = Some(line.clone());
            let written = super::atomic::write(&summary_path(dir), &summary_of(&done.0).to_json());
            if let Err(err) = written {
                done.1.get_or_insert(err);
            }
            finished(&line, extra);
        }
    };
    let jobs = jobs.clamp(1, targets.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(worker);
        }
    });
    let (slots, error) = done.into_inner().unwrap_or_else(|e| e.into_inner());
    (summary_of(&slots), error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::summary::Status;

    fn entries(n: usize) -> Vec<Entry> {
        (0..n)
            .map(|i| Entry {
                path: format!("/m/org/r{i}"),
                name: None,
                line: i + 1,
            })
            .collect()
    }

    #[test]
    fn shards_partition_the_list() {
        let list = entries(50);
        let mut all: Vec<String> = (0..3)
            .flat_map(|index| targets(&list, Shard { index, count: 3 }))
            .map(|t| t.entry.path)
            .collect();
        all.sort();
        let mut want: Vec<String> = list.iter().map(|e| e.path.clone()).collect();
        want.sort();
        assert_eq!(all, want);
    }

    #[test]
    fn every_target_is_swept_once_and_the_summary_keeps_the_list_order() {
        let dir = tempfile::tempdir().unwrap();
        let list = targets(&entries(9), Shard::ALL);
        let count = AtomicUsize::new(0);
        let (summary, err) = run(
            &list,
            3,
            dir.path(),
            |t| {
                let line = RepoSummary {
                    path: t.entry.path.clone(),
                    slug: t.slug.clone(),
                    status: Status::Ok,
                    findings: 0,
                    blobs: 0,
                    bytes: 0,
                    seconds: 0.0,
                    problem: None,
                };
                (line, ())
            },
            |_, ()| {
                count.fetch_add(1, Ordering::Relaxed);
            },
        );
        assert!(err.is_none());
        assert_eq!(count.into_inner(), 9);
        let paths: Vec<&str> = summary.repos.iter().map(|r| r.path.as_str()).collect();
        let want: Vec<&str> = list.iter().map(|t| t.entry.path.as_str()).collect();
        assert_eq!(paths, want);
        let file: Summary =
            serde_json::from_slice(&std::fs::read(summary_path(dir.path())).unwrap()).unwrap();
        assert_eq!(file, summary);
    }
}
