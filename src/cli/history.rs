//! `intercom-guard history [REV...] [--all-objects]`: every secret ever
//! committed, where it entered, by whom, and whether it is still at the tip.
//!
//! 1. The source lists the blobs (every object, or the range's changes) and
//!    reads each once, in parallel; the detector and the policy's inline
//!    markers and accepted fingerprints run on each blob as it is read.
//! 2. Only for the blobs that matched, the source finds the commits that
//!    put them at a path, with the parents' versions of that path; a match
//!    counts where its line is absent from every parent ("added").
//! 3. Each secret is reported once per path, at the earliest commit that
//!    added it there (committer time, then generation); findings are grouped
//!    by secret, newest first.
//!
//! Unreadable objects are reported, skipped, and make the exit code 2 after
//! the report. An empty repository (no commit) is a note and exit 0.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use gix::ObjectId;

use super::progress::Progress;
use super::{CliError, CommonArgs, Sink, settings};
use crate::detect::Match;
use crate::finding::{CommitMeta, Exposure, Finding, Stats};
use crate::policy::{Mode, added_lines, locate};
use crate::report::{self, Format, ReportOptions};
use crate::source::history::{
    Appearance, CommitInfo, History, HistoryError, Placement, Plan, Selection,
};

/// At most this many unreadable objects are described one by one.
const MAX_PROBLEMS_SHOWN: usize = 20;

/// What `history` was asked.
#[derive(Debug, Clone)]
pub(crate) struct HistoryArgs<'a> {
    pub(crate) revs: &'a [String],
    pub(crate) all_objects: bool,
    pub(crate) baseline_out: Option<&'a Path>,
}

pub(super) fn run(args: &HistoryArgs<'_>, common: &CommonArgs) -> Result<u8, CliError> {
    let started = Instant::now();
    let history = History::discover(Path::new("."))?;
    let repo = history.repo();
    let work_tree = repo.workdir().is_some();
    let loaded = settings::load(Mode::History { work_tree }, common, Some(&repo))?;
    let (detector, policy) = (&loaded.detector, &loaded.policy);

    let selection = if args.all_objects {
        Selection::AllObjects
    } else if args.revs.is_empty() {
        Selection::AllRefs
    } else {
        Selection::Revs(args.revs.to_vec())
    };
    if selection != Selection::AllObjects && history.is_empty()? {
        note(
            common,
            "the repository has no commits yet: nothing to sweep (`--all-objects` also reads objects no commit holds)",
        );
        return super::finish(
            &[],
            &Stats::default(),
            common,
            Sink::Stdout,
            Exposure::Published,
        );
    }
    if history.is_shallow() {
        note(
            common,
            "this is a shallow clone: only the commits it has are swept, and a secret older than \
             its boundary is reported at the boundary commit (`git fetch --unshallow` for the rest)",
        );
    }

    let timings = Timings::from_env();
    let plan = history.plan(selection)?;
    timings.mark("plan");
    let mut problems: Vec<HistoryError> = Vec::new();
    let mut stats = Stats::default();

    // Phase 2: every blob once, in parallel, with the detector and the
    // policy (inline markers, accepted fingerprints) applied as it is read.
    let total = if plan.whole_database {
        history.object_count()
    } else {
        plan.blobs.len() as u64
    };
    let progress = Progress::blobs(total, !common.quiet);
    let suppressed = AtomicU64::new(0);
    let accepted = AtomicU64::new(0);
    let mut outcome = history.scan(
        &plan,
        |_, data| {
            let matches = detector.find(data);
            if matches.is_empty() {
                return None;
            }
            let mut local = Stats::default();
            let kept = policy.filter(data, matches, &mut local);
            suppressed.fetch_add(local.suppressed_inline, Ordering::Relaxed);
            accepted.fetch_add(local.accepted, Ordering::Relaxed);
            (!kept.is_empty()).then_some(kept)
        },
        |bytes| progress.blob(bytes),
    );
    timings.mark("scan");
    stats.blobs = outcome.blobs;
    stats.bytes = outcome.bytes;
    stats.suppressed_inline = suppressed.into_inner();
    stats.accepted = accepted.into_inner();
    let Plan {
        problems: plan_problems,
        ..
    } = &plan;
    let hits: HashMap<ObjectId, Vec<Match>> =
        std::mem::take(&mut outcome.hits).into_iter().collect();

    // Phase 3: only for what matched.
    progress.phase("placing the matches in commits");
    let matched: HashSet<ObjectId> = hits.keys().copied().collect();
    let placement = history.appearances(&plan, &outcome, &matched)?;
    timings.mark("place");
    let tip_blobs = history.at_tip(&matched);
    progress.finish();

    let mut findings = place(
        &history,
        &hits,
        &placement,
        policy,
        &mut stats,
        &mut problems,
    );
    if let Some(tip_blobs) = tip_blobs {
        let at_tip: HashSet<&str> = tip_blobs
            .iter()
            .filter_map(|id| hits.get(id))
            .flatten()
            .map(|m| m.fingerprint.as_str())
            .collect();
        for f in &mut findings {
            f.still_present = Some(at_tip.contains(f.fingerprint.as_str()));
        }
    }
    let times: HashMap<String, i64> = placement
        .commits
        .iter()
        .map(|c| (c.id.to_string(), c.time))
        .collect();
    sort_newest_first(&mut findings, |f| {
        f.commit.as_ref().and_then(|c| times.get(&c.id).copied())
    });

    let mut all_problems: Vec<&HistoryError> = plan_problems.iter().collect();
    all_problems.extend(outcome.problems.iter());
    all_problems.extend(placement.problems.iter());
    all_problems.extend(problems.iter());
    report_problems(&all_problems);

    stats.elapsed_ms = super::elapsed_ms(started);
    let code = match args.baseline_out {
        Some(path) => write_baseline(path, &findings, &stats, common)?,
        None => super::finish(&findings, &stats, common, Sink::Stdout, Exposure::Published)?,
    };
    if !all_problems.is_empty() {
        return Err(CliError::Incomplete {
            failed: all_problems.len(),
        });
    }
    Ok(code)
}

/// Turn appearances into findings: per (secret, path), the earliest commit
/// whose change added the secret's line there.
fn place(
    history: &History,
    hits: &HashMap<ObjectId, Vec<Match>>,
    placement: &Placement,
    policy: &crate::policy::Policy,
    stats: &mut Stats,
    problems: &mut Vec<HistoryError>,
) -> Vec<Finding> {
    let mut blobs = BlobCache::default();
    let mut best: HashMap<(String, Vec<u8>), (Order, Finding)> = HashMap::new();
    let mut admitted: HashMap<Vec<u8>, bool> = HashMap::new();
    for appearance in &placement.appearances {
        let Some(matches) = hits.get(&appearance.blob) else {
            continue;
        };
        let admit = *admitted
            .entry(appearance.path.clone())
            .or_insert_with(|| policy.admits_path(&appearance.path, stats));
        if !admit {
            continue;
        }
        let kept = match added(history, &mut blobs, appearance, matches) {
            Ok(kept) => kept,
            Err(err) => {
                problems.push(err);
                continue;
            }
        };
        if kept.is_empty() {
            continue;
        }
        let commit = appearance.commit.map(|i| &placement.commits[i]);
        let order = Order::of(commit);
        let meta = commit.map(meta);
        let data = match blobs.get(history, &appearance.blob) {
            Ok(data) => data,
            Err(err) => {
                problems.push(err);
                continue;
            }
        };
        let origin = locate::Origin {
            path: &appearance.path,
            commit: meta.as_ref(),
        };
        for finding in locate::findings(data, &kept, origin) {
            let key = (finding.fingerprint.clone(), appearance.path.clone());
            match best.get(&key) {
                Some((o, _)) if *o <= order => {}
                _ => {
                    best.insert(key, (order.clone(), finding));
                }
            }
        }
    }
    best.into_values().map(|(_, f)| f).collect()
}

/// The matches of `appearance`'s blob whose line is absent from every
/// parent's version of the path.
fn added(
    history: &History,
    blobs: &mut BlobCache,
    appearance: &Appearance,
    matches: &[Match],
) -> Result<Vec<Match>, HistoryError> {
    let parents: Vec<ObjectId> = appearance.parent_blobs.iter().flatten().copied().collect();
    if parents.is_empty() {
        return Ok(matches.to_vec());
    }
    for id in parents.iter().chain(std::iter::once(&appearance.blob)) {
        blobs.load(history, id)?;
    }
    let olds: Vec<&[u8]> = parents.iter().filter_map(|id| blobs.peek(id)).collect();
    let new = blobs.peek(&appearance.blob).unwrap_or_default();
    Ok(added_lines::keep_added(&olds, new, matches.to_vec()))
}

/// Blobs read again after the sweep (matched blobs and their parents'
/// versions): few, so kept whole.
#[derive(Default)]
struct BlobCache {
    blobs: HashMap<ObjectId, Vec<u8>>,
}

impl BlobCache {
    fn load(&mut self, history: &History, id: &ObjectId) -> Result<(), HistoryError> {
        if !self.blobs.contains_key(id) {
            let data = history.read_blob(id)?;
            self.blobs.insert(*id, data);
        }
        Ok(())
    }

    fn get(&mut self, history: &History, id: &ObjectId) -> Result<&[u8], HistoryError> {
        self.load(history, id)?;
        Ok(self.peek(id).unwrap_or_default())
    }

    fn peek(&self, id: &ObjectId) -> Option<&[u8]> {
        self.blobs.get(id).map(Vec::as_slice)
    }
}

/// "Earlier" for commits: committer time, then generation, then id; an
/// appearance without a commit comes last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Order(bool, Option<(i64, u32, ObjectId)>);

impl Order {
    fn of(commit: Option<&CommitInfo>) -> Order {
        match commit {
            Some(c) => Order(false, Some((c.time, c.generation, c.id))),
            None => Order(true, None),
        }
    }
}

fn meta(c: &CommitInfo) -> CommitMeta {
    CommitMeta {
        id: c.id.to_string(),
        author: c.author.clone(),
        date: c.date.clone(),
    }
}

/// Grouped by secret, the group with the newest entry first; newest first
/// within a group. Entries without a commit go last.
fn sort_newest_first(findings: &mut [Finding], time: impl Fn(&Finding) -> Option<i64>) {
    let date = |f: &Finding| time(f);
    let mut newest: HashMap<String, Option<i64>> = HashMap::new();
    for f in findings.iter() {
        let d = date(f);
        let entry = newest.entry(f.fingerprint.clone()).or_insert(None);
        if d > *entry {
            *entry = d;
        }
    }
    findings.sort_by(|a, b| {
        let group_a = &newest[&a.fingerprint];
        let group_b = &newest[&b.fingerprint];
        group_b
            .cmp(group_a)
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
            .then_with(|| date(b).cmp(&date(a)))
            .then_with(|| a.path.cmp(&b.path))
    });
}

fn report_problems(problems: &[&HistoryError]) {
    let mut stderr = io::stderr().lock();
    for problem in problems.iter().take(MAX_PROBLEMS_SHOWN) {
        let _ = writeln!(stderr, "{:?}", miette::Report::msg(render(problem)));
    }
    if problems.len() > MAX_PROBLEMS_SHOWN {
        let _ = writeln!(
            stderr,
            "… and {} more unreadable objects (`git fsck` lists them all)",
            problems.len() - MAX_PROBLEMS_SHOWN
        );
    }
}

/// A problem as text with its help, for a diagnostic that does not own it.
fn render(problem: &HistoryError) -> String {
    use miette::Diagnostic;
    let mut text = problem.to_string();
    if let Some(help) = problem.help() {
        text.push_str(&format!("\n  help: {help}"));
    }
    text
}

/// `--baseline-out FILE`: the findings as the JSON report (secrets
/// redacted), accepted by `--baseline FILE` in every mode. Exit 0.
fn write_baseline(
    path: &Path,
    findings: &[Finding],
    stats: &Stats,
    common: &CommonArgs,
) -> Result<u8, CliError> {
    let opts = ReportOptions {
        format: Format::Json,
        show_secrets: false,
        color: false,
        quiet: true,
        exposure: Exposure::Published,
    };
    let write = || -> io::Result<()> {
        let mut out = io::BufWriter::new(std::fs::File::create(path)?);
        report::write_report(&mut out, findings, stats, &opts)?;
        out.flush()
    };
    write().map_err(|source| CliError::BaselineOut {
        path: path.to_owned(),
        source,
    })?;
    note(
        common,
        &format!(
            "wrote {} finding{} to the baseline {}; `--baseline {}` accepts them",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            path.display(),
            path.display()
        ),
    );
    Ok(super::EXIT_CLEAN)
}

/// `INTERCOM_GUARD_TIMINGS=1`: the time each phase took, on stderr (for
/// `bench/history.sh`).
struct Timings {
    last: Option<std::cell::Cell<Instant>>,
}

impl Timings {
    fn from_env() -> Timings {
        let on = std::env::var_os("INTERCOM_GUARD_TIMINGS").is_some_and(|v| v == "1");
        Timings {
            last: on.then(|| std::cell::Cell::new(Instant::now())),
        }
    }

    fn mark(&self, phase: &str) {
        if let Some(last) = &self.last {
            let now = Instant::now();
            let _ = writeln!(
                io::stderr().lock(),
                "timing: {phase} {:.3} s",
                (now - last.get()).as_secs_f64()
            );
            last.set(now);
        }
    }
}

fn note(common: &CommonArgs, text: &str) {
    if !common.quiet {
        let _ = writeln!(io::stderr().lock(), "note: {text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Kind};

    fn finding(fp: &str, date: &str, path: &str) -> Finding {
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
                date: date.into(),
            }),
            fingerprint: fp.into(),
            secret: b"s".to_vec(),
            line_text: None,
            line_offset: 0,
            still_present: None,
        }
    }

    #[test]
    fn groups_by_secret_newest_first() {
        let mut f = vec![
            finding("a", "2020-01-01T00:00:00+00:00", "x"),
            finding("b", "2021-01-01T00:00:00+00:00", "y"),
            finding("a", "2022-01-01T00:00:00+00:00", "z"),
        ];
        sort_newest_first(&mut f, |f| {
            f.commit
                .as_ref()
                .map(|c| c.date[..4].parse::<i64>().unwrap())
        });
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
        let c = |time, generation| CommitInfo {
            id: ObjectId::null(gix::hash::Kind::Sha1),
            author: String::new(),
            date: String::new(),
            time,
            generation,
        };
        assert!(Order::of(Some(&c(1, 5))) < Order::of(Some(&c(2, 0))));
        assert!(Order::of(Some(&c(1, 0))) < Order::of(Some(&c(1, 1))));
        assert!(Order::of(Some(&c(9, 9))) < Order::of(None));
    }
}
