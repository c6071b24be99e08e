//! The last step of the engine: which findings are reported, in what order.
//!
//! - [`Placement::AsListed`]: every finding, in the order the source listed
//!   its blobs (files, the staged change, the tree at `HEAD`);
//! - [`Placement::ByCommit`]: every finding, the oldest commit first (a
//!   push: walk order is newest first, so a larger index is older), then
//!   path, line and column;
//! - [`Placement::Earliest`]: history: each secret once per path, at the
//!   earliest commit that added it there (committer time, then generation,
//!   then id; no commit last), marked with whether it is still at the tip,
//!   grouped by secret with the newest group first.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::Judged;
use crate::finding::{CommitMeta, Finding};

/// How the findings of a run are chosen and ordered.
#[derive(Debug, Clone)]
pub enum Placement {
    AsListed,
    ByCommit,
    Earliest {
        /// The matched blobs in the tree at the tip of the default branch;
        /// `None` when there is no tip to ask about.
        tip: Option<HashSet<ObjectId>>,
    },
}

/// A finding with what placement orders it by.
#[derive(Debug)]
pub(super) struct Placed {
    pub(super) commit_index: Option<usize>,
    pub(super) finding: Finding,
}

impl Placement {
    pub(super) fn place(self, mut found: Vec<Placed>, judged: &Judged) -> Vec<Finding> {
        match self {
            Placement::AsListed => found.into_iter().map(|p| p.finding).collect(),
            Placement::ByCommit => {
                let age = |p: &Placed| p.commit_index.map_or(-1, |i| i as i64);
                found.sort_by(|a, b| {
                    age(b)
                        .cmp(&age(a))
                        .then_with(|| a.finding.path.cmp(&b.finding.path))
                        .then_with(|| a.finding.line.cmp(&b.finding.line))
                        .then_with(|| a.finding.column.cmp(&b.finding.column))
                });
                found.into_iter().map(|p| p.finding).collect()
            }
            Placement::Earliest { tip } => {
                let mut findings = earliest(found);
                if let Some(tip) = tip {
                    let at_tip: HashSet<&str> = tip
                        .iter()
                        .filter_map(|id| judged.hits.get(id))
                        .flatten()
                        .map(|m| m.fingerprint.as_str())
                        .collect();
                    for f in &mut findings {
                        f.still_present = Some(at_tip.contains(f.fingerprint.as_str()));
                    }
                }
                sort_newest_first(&mut findings);
                findings
            }
        }
    }
}

/// Per (secret, path), the finding at the earliest commit.
fn earliest(found: Vec<Placed>) -> Vec<Finding> {
    let mut best: HashMap<(String, Vec<u8>), (Order, Finding)> = HashMap::new();
    for Placed { finding, .. } in found {
        let order = Order::of(finding.commit.as_ref());
        let key = (finding.fingerprint.clone(), finding.path.clone());
        match best.get(&key) {
            Some((o, _)) if *o <= order => {}
            _ => {
                best.insert(key, (order, finding));
            }
        }
    }
    best.into_values().map(|(_, f)| f).collect()
}

/// "Earlier" for commits: committer time, then generation, then id; a
/// finding without a commit comes last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Order(bool, Option<(i64, u32, String)>);

impl Order {
    fn of(commit: Option<&CommitMeta>) -> Order {
        match commit {
            Some(c) => Order(false, Some((c.time, c.generation, c.id.clone()))),
            None => Order(true, None),
        }
    }
}

/// Grouped by secret, the group with the newest entry first; newest first
/// within a group. Entries without a commit go last.
fn sort_newest_first(findings: &mut [Finding]) {
    let time = |f: &Finding| f.commit.as_ref().map(|c| c.time);
    let mut newest: HashMap<String, Option<i64>> = HashMap::new();
    for f in findings.iter() {
        let t = time(f);
        let entry = newest.entry(f.fingerprint.clone()).or_insert(None);
        if t > *entry {
            *entry = t;
        }
    }
    findings.sort_by(|a, b| {
        let group_a = &newest[&a.fingerprint];
        let group_b = &newest[&b.fingerprint];
        group_b
            .cmp(group_a)
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
            .then_with(|| time(b).cmp(&time(a)))
            .then_with(|| a.path.cmp(&b.path))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Kind};

    fn finding(fp: &str, time: i64, path: &str) -> Finding {
        Finding {
            rule_id: "t",
            kind: Kind::AccessToken,
            confidence: Confidence::High,
            path: path.as_bytes().to_vec(),
            line: Some(1),
            column: Some(1),
            commit: Some(CommitMeta {
                id: "0".repeat(40),
                author: "A <a@example.com>".into(),
                date: String::new(),
                time,
                generation: 0,
                root: false,
            }),
            fingerprint: fp.into(),
            secret: b"s".to_vec(),
            line_text: None,
            line_offset: 0,
            mask: Vec::new(),
            still_present: None,
            source: crate::finding::SourceKind::File,
            verification: None,
        }
    }

    #[test]
    fn groups_by_secret_newest_first() {
        let mut f = vec![
            finding("a", 2020, "x"),
            finding("b", 2021, "y"),
            finding("a", 2022, "z"),
        ];
        sort_newest_first(&mut f);
        let order: Vec<(&str, &[u8])> = f
            .iter()
            .map(|f| (f.fingerprint.as_str(), f.path.as_slice()))
            .collect();
        assert_eq!(
            order,
            [("a", &b"z"[..]), ("a", &b"x"[..]), ("b", &b"y"[..])]
        );
    }

    #[test]
    fn earlier_commits_order_first_and_no_commit_last() {
        let c = |time, generation| CommitMeta {
            id: "0".repeat(40),
            time,
            generation,
            ..CommitMeta::default()
        };
        assert!(Order::of(Some(&c(1, 5))) < Order::of(Some(&c(2, 0))));
        assert!(Order::of(Some(&c(1, 0))) < Order::of(Some(&c(1, 1))));
        assert!(Order::of(Some(&c(9, 9))) < Order::of(None));
    }

    #[test]
    fn earliest_keeps_one_finding_per_secret_and_path() {
        let placed = |fp, time, path| Placed {
            commit_index: None,
            finding: finding(fp, time, path),
        };
        let kept = earliest(vec![
            placed("a", 5, "x"),
            placed("a", 3, "x"),
            placed("a", 4, "y"),
        ]);
        let mut got: Vec<(i64, Vec<u8>)> = kept
            .iter()
            .map(|f| (f.commit.as_ref().unwrap().time, f.path.clone()))
            .collect();
        got.sort();
        assert_eq!(got, [(3, b"x".to_vec()), (4, b"y".to_vec())]);
    }
}
