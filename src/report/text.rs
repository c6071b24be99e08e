//! Text helpers the human and plain reports share: counts, sizes, paths,
//! short commit ids, and where each kind of finding is (for the guidance).

use std::collections::BTreeMap;
use std::ops::Range;

use super::guidance::{Where, is_legacy_api_key};
use super::path;
use super::redact::ELLIPSIS;
use crate::finding::{Finding, Kind, Stats};

/// Characters of a commit id shown as the short id.
pub(crate) const SHORT_COMMIT: usize = 12;

/// `1 finding`, `3 findings`.
pub(crate) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `512 bytes`, `47.1 KiB`, `3.2 MiB`, `1.5 GiB`.
pub(crate) fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return plural(bytes, "byte");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A path as printable text, every secret the detector sees in it
/// redacted, and quoted as git quotes it when it is not plain UTF-8
/// ([`path::shown`]): the human and plain reports name files this way
/// everywhere (headers, guidance); commands use [`path::shell_word`].
pub(crate) fn display_path(path: &[u8]) -> String {
    path::shown(path)
}

/// Where a finding is, as one word an editor opens: `path:line:column`,
/// `path (binary)`, and the commit when there is one.
pub(crate) fn location(finding: &Finding) -> String {
    let path = display_path(&finding.path);
    let mut at = match (finding.line, finding.column) {
        (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
        (Some(line), None) => format!("{path}:{line}"),
        _ => format!("{path} (binary)"),
    };
    if let Some(commit) = &finding.commit {
        at.push_str(&format!("  commit {}", short_commit(&commit.id)));
    }
    at
}

/// The ranges a finding's line hides: its mask (every secret the detector
/// matched on the line) and every copy of its own secret.
pub(crate) fn hidden_ranges(
    line: &[u8],
    secret: &[u8],
    mask: &[Range<usize>],
) -> Vec<Range<usize>> {
    let mut ranges = mask.to_vec();
    if !secret.is_empty() {
        let mut from = 0;
        while let Some(at) = line.get(from..).and_then(|rest| find(rest, secret)) {
            ranges.push(from + at..from + at + secret.len());
            from += at + secret.len();
        }
    }
    ranges
}

pub(crate) fn short_commit(id: &str) -> &str {
    id.get(..SHORT_COMMIT).unwrap_or(id)
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where each kind of finding is, in kind order: guidance is printed once
/// per kind.
pub(crate) fn by_kind(findings: &[Finding]) -> BTreeMap<Kind, Where> {
    let mut kinds: BTreeMap<Kind, Where> = BTreeMap::new();
    // Secrets' names shipped to the browser have guidance of their own.
    for finding in findings
        .iter()
        .filter(|f| !crate::catalog::reports_a_name(f.rule_id))
    {
        let fresh = !kinds.contains_key(&finding.kind);
        let at = kinds.entry(finding.kind).or_default();
        if fresh {
            at.legacy_api_key = true;
        }
        at.legacy_api_key &= finding.kind == Kind::ApiKey && is_legacy_api_key(&finding.secret);
        record(at, finding);
    }
    kinds
}

/// Adds the finding's path and commit to `at`, each once, in report order.
fn record(at: &mut Where, finding: &Finding) {
    if !at.paths.contains(&finding.path) {
        at.paths.push(finding.path.clone());
    }
    if let Some(commit) = &finding.commit {
        let short = short_commit(&commit.id).to_owned();
        if at.commits.is_empty() {
            at.first_is_root = commit.root;
        }
        if !at.commits.contains(&short) {
            at.commits.push(short);
        }
    }
}

/// Where the secrets' names shipped to the browser are (their paths and
/// commits), and the names, distinct, in report order; `None` without one.
pub(crate) fn public_names(findings: &[Finding]) -> Option<(Where, Vec<String>)> {
    let mut at = Where::default();
    let mut names: Vec<String> = Vec::new();
    for finding in findings
        .iter()
        .filter(|f| crate::catalog::reports_a_name(f.rule_id))
    {
        let name = super::redact::reveal(&finding.secret);
        if !names.contains(&name) {
            names.push(name);
        }
        record(&mut at, finding);
    }
    (!names.is_empty()).then_some((at, names))
}

/// How many distinct commits the findings were made in.
pub(crate) fn commit_count(findings: &[Finding]) -> usize {
    let mut commits: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.commit.as_ref().map(|c| c.id.as_str()))
        .collect();
    commits.sort_unstable();
    commits.dedup();
    commits.len()
}

/// The closing line: findings, files, what was scanned, and what the policy
/// let through.
pub(crate) fn summary(findings: &[Finding], stats: &Stats) -> String {
    summary_parts(findings, stats).join(" · ")
}

/// The parts of [`summary`], which a report may put on several lines.
pub(crate) fn summary_parts(findings: &[Finding], stats: &Stats) -> Vec<String> {
    let mut paths: Vec<&[u8]> = findings.iter().map(|f| f.path.as_slice()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut parts = vec![
        format!(
            "{} in {}",
            plural(findings.len() as u64, "finding"),
            plural(paths.len() as u64, "file"),
        ),
        format!(
            "{}, {} scanned in {} ms",
            plural(stats.blobs, "blob"),
            size(stats.bytes),
            stats.elapsed_ms
        ),
    ];
    parts.extend(policy_notes(stats));
    parts
}

/// What the policy let through, so suppressions stay visible: inline
/// markers, accepted fingerprints (config or baseline), allowlisted paths.
pub(crate) fn policy_notes(stats: &Stats) -> Vec<String> {
    let mut notes = Vec::new();
    if stats.suppressed_inline > 0 {
        notes.push(suppressed(stats.suppressed_inline));
    }
    if stats.accepted > 0 {
        notes.push(format!(
            "{} accepted (allow.fingerprints or baseline)",
            plural(stats.accepted, "finding")
        ));
    }
    if stats.allowlisted_paths > 0 {
        notes.push(format!(
            "{} not scanned (allow.paths)",
            plural(stats.allowlisted_paths, "allowlisted path")
        ));
    }
    notes
}
fn suppressed(n: u64) -> String {
    format!(
        "{} suppressed by intercom-guard:allow",
        plural(n, "finding")
    )
}
/// Cuts a line longer than `max_line` characters to `keep` characters on
/// each side of `start..end`, marking each cut with `…`. Returns the text
/// and the moved range.
pub(crate) fn window(
    text: String,
    start: usize,
    end: usize,
    max_line: usize,
    keep: usize,
) -> (String, usize, usize) {
    if text.chars().count() <= max_line {
        return (text, start, end);
    }
    cut_around(text, start, end, keep, keep)
}

/// Keeps `left` characters before `start..end` and `right` after it,
/// marking each cut with `…`. Returns the text and the moved range.
pub(crate) fn cut_around(
    text: String,
    start: usize,
    end: usize,
    left: usize,
    right: usize,
) -> (String, usize, usize) {
    let from = match left {
        0 => start,
        _ => text[..start]
            .char_indices()
            .rev()
            .nth(left - 1)
            .map_or(0, |(i, _)| i),
    };
    let to = text[end..]
        .char_indices()
        .nth(right)
        .map_or(text.len(), |(i, _)| end + i);
    let mut cut = String::with_capacity(to - from + 2 * ELLIPSIS.len_utf8());
    if from > 0 {
        cut.push(ELLIPSIS);
    }
    let shift = cut.len();
    cut.push_str(&text[from..to]);
    if to < text.len() {
        cut.push(ELLIPSIS);
    }
    (cut, start - from + shift, end - from + shift)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_what_the_policy_let_through() {
        let stats = Stats {
            blobs: 3,
            bytes: 2048,
            elapsed_ms: 4,
            suppressed_inline: 1,
            accepted: 2,
            allowlisted_paths: 5,
        };
        let line = summary(&[], &stats);
        assert!(line.starts_with("0 findings in 0 files · 3 blobs, 2.0 KiB scanned in 4 ms"));
        assert!(
            line.contains("1 finding suppressed by intercom-guard:allow"),
            "{line}"
        );
        assert!(line.contains("2 findings accepted"), "{line}");
        assert!(line.contains("5 allowlisted paths not scanned"), "{line}");
    }

    #[test]
    fn sizes_and_counts() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(48211), "47.1 KiB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MiB");
        assert_eq!(plural(2, "blob"), "2 blobs");
        assert_eq!(short_commit("0123456789abcdef"), "0123456789ab");
        assert_eq!(short_commit("abc"), "abc");
    }
}
