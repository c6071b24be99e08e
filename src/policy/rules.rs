//! The policy every mode applies after detection: allowlisted paths
//! (gitignore globs), accepted fingerprints (config and baseline), and inline
//! `intercom-guard:allow` markers (on laptops; on a server only when the
//! server's own config turns them on).
//!
//! Nothing is dropped silently: every skip or suppression is counted in
//! [`Stats`] so the summary can show it.

use std::collections::HashSet;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::inline;
use crate::detect::Match;
use crate::finding::Stats;

/// A glob in `allow.paths` that does not parse.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("invalid path glob {glob:?} in allow.paths")]
#[diagnostic(
    code(intercom_guard::config::glob),
    help("allow.paths takes gitignore-style globs, such as \"tests/fixtures/**\"")
)]
pub struct GlobError {
    pub glob: String,
    #[source]
    pub source: ignore::Error,
}

/// What is exempt, and whether inline markers count.
#[derive(Debug, Clone)]
pub struct Policy {
    allow_paths: Option<Gitignore>,
    accepted: HashSet<String>,
    inline_allow: bool,
}

impl Policy {
    /// A policy with nothing allowlisted.
    pub fn new(inline_allow: bool) -> Policy {
        Policy {
            allow_paths: None,
            accepted: HashSet::new(),
            inline_allow,
        }
    }

    /// The default on a laptop: inline markers honoured.
    pub fn laptop() -> Policy {
        Policy::new(true)
    }

    /// The default on a server: a push must not be able to allowlist itself,
    /// so inline markers are ignored.
    pub fn server() -> Policy {
        Policy::new(false)
    }

    /// Allowlist paths by gitignore-style globs, relative to the repository
    /// root (or to the scanned folder).
    pub fn with_allowed_paths(mut self, globs: &[String]) -> Result<Policy, GlobError> {
        if globs.is_empty() {
            return Ok(self);
        }
        let mut b = GitignoreBuilder::new("");
        for g in globs {
            b.add_line(None, g).map_err(|source| GlobError {
                glob: g.clone(),
                source,
            })?;
        }
        let set = b.build().map_err(|source| GlobError {
            glob: globs.join(", "),
            source,
        })?;
        self.allow_paths = Some(set);
        Ok(self)
    }

    /// Accept findings by fingerprint (allowlisted fingerprints, baseline).
    pub fn with_accepted(mut self, fingerprints: impl IntoIterator<Item = String>) -> Policy {
        self.accepted
            .extend(fingerprints.into_iter().map(|f| f.to_ascii_lowercase()));
        self
    }

    pub fn inline_allow(&self) -> bool {
        self.inline_allow
    }

    /// Whether a blob at `path` is scanned at all; an allowlisted path is
    /// counted in `stats.allowlisted_paths` instead.
    pub fn admits_path(&self, path: &[u8], stats: &mut Stats) -> bool {
        let allowed = self.allowlists(path);
        if allowed {
            stats.allowlisted_paths += 1;
        }
        !allowed
    }

    /// Whether `path` matches `allow.paths` (nothing is counted).
    pub fn allowlists(&self, path: &[u8]) -> bool {
        let Some(set) = &self.allow_paths else {
            return false;
        };
        let path = String::from_utf8_lossy(path);
        let path = path.trim_start_matches("./");
        set.matched_path_or_any_parents(path, false).is_ignore()
    }

    /// Drop the matches that are suppressed inline (when markers count) or
    /// accepted by fingerprint, counting both.
    pub fn filter(&self, data: &[u8], matches: Vec<Match>, stats: &mut Stats) -> Vec<Match> {
        let mut markers = inline::Markers::new(data);
        self.filter_by(matches, |m| markers.suppresses(m), stats)
    }

    /// [`Policy::filter`], with `marked` saying whether a match sits on a
    /// line carrying the inline marker (asked only when markers count, in
    /// the order of `matches`).
    pub fn filter_by(
        &self,
        matches: Vec<Match>,
        mut marked: impl FnMut(&Match) -> bool,
        stats: &mut Stats,
    ) -> Vec<Match> {
        let mut kept = Vec::with_capacity(matches.len());
        for m in matches {
            if self.inline_allow && marked(&m) {
                stats.suppressed_inline += 1;
            } else if self.accepted.contains(&m.fingerprint) {
                stats.accepted += 1;
            } else {
                kept.push(m);
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Confidence, Kind};

    fn m(data: &[u8], needle: &[u8], fingerprint: &str) -> Match {
        let start = data
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap();
        Match {
            start,
            end: start + needle.len(),
            kind: Kind::AccessToken,
            confidence: Confidence::High,
            rule_id: "t",
            fingerprint: fingerprint.to_string(),
        }
    }

    #[test]
    fn paths_match_exactly_the_globs() {
        let p = Policy::laptop()
            .with_allowed_paths(&["tests/fixtures/**".into(), "docs/*.md".into()])
            .unwrap();
        let mut st = Stats::default();
        assert!(!p.admits_path(b"tests/fixtures/a/b.env", &mut st));
        assert!(!p.admits_path(b"docs/readme.md", &mut st));
        assert!(p.admits_path(b"docs/deep/readme.md", &mut st));
        assert!(p.admits_path(b"src/tests/fixtures.rs", &mut st));
        assert!(p.admits_path(b"tests/fixture.env", &mut st));
        assert_eq!(st.allowlisted_paths, 2);
    }

    #[test]
    fn markers_count_only_when_enabled() {
        let data = b"a = SECRET # intercom-guard:allow\n";
        let mut st = Stats::default();
        assert!(
            Policy::laptop()
                .filter(data, vec![m(data, b"SECRET", "f")], &mut st)
                .is_empty()
        );
        assert_eq!(st.suppressed_inline, 1);
        let kept = Policy::server().filter(data, vec![m(data, b"SECRET", "f")], &mut st);
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn accepted_fingerprints_are_counted() {
        let data = b"a = SECRET\nb = OTHER\n";
        let p = Policy::server().with_accepted(["ABC".to_string()]);
        let mut st = Stats::default();
        let kept = p.filter(
            data,
            vec![m(data, b"SECRET", "abc"), m(data, b"OTHER", "def")],
            &mut st,
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(st.accepted, 1);
    }
}
