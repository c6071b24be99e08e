//! What `--verify` learned, as every report shows it: a line on each
//! finding (`LIVE — admin Jane Doe <jane@acme.test> of workspace "Acme"
//! (app abc123, eu)`), the `verification` object of the JSON report and of
//! SARIF's properties, and the guidance that follows from it: a live token
//! is rotated now, in its workspace's Developer Hub; a revoked one still
//! has to be purged, and the places it went looked through.
//!
//! Everything the API answered (names, e-mail addresses, workspace names)
//! is shown printable, with any secret in it redacted.

use std::collections::BTreeMap;

use serde::Serialize;

use super::guidance::{Block, Step};
use super::redact::display;
use crate::finding::{Exposure, Finding, Region, Verification, VerifyStatus};

/// The `verification` object (JSON report, SARIF properties).
#[derive(Debug, Serialize)]
pub(super) struct JsonVerification {
    status: &'static str,
    reason: String,
    admin: Option<String>,
    workspace: Option<String>,
    app_id: Option<String>,
    region: Option<&'static str>,
}

impl JsonVerification {
    pub(super) fn new(v: &Verification) -> JsonVerification {
        let opt = |s: &Option<String>| s.as_deref().map(shown);
        JsonVerification {
            status: v.status.as_str(),
            reason: shown(&v.reason),
            admin: opt(&v.admin),
            workspace: opt(&v.workspace),
            app_id: opt(&v.app_id),
            region: v.region.map(Region::as_str),
        }
    }
}

fn shown(text: &str) -> String {
    display(text.as_bytes())
}

/// The line a finding carries: `LIVE — admin … of workspace "…" (app …, eu)`,
/// `REVOKED — …`, `UNKNOWN — …`.
pub(super) fn status_line(v: &Verification) -> String {
    match v.status {
        VerifyStatus::Live => {
            let mut line = "LIVE —".to_owned();
            if let Some(admin) = &v.admin {
                line.push_str(&format!(" admin {}", shown(admin)));
            }
            if let Some(workspace) = &v.workspace {
                let of = if v.admin.is_some() { " of" } else { "" };
                line.push_str(&format!("{of} workspace \"{}\"", shown(workspace)));
            }
            let place: Vec<String> = v
                .app_id
                .iter()
                .map(|id| format!("app {}", shown(id)))
                .chain(v.region.map(|r| r.as_str().to_owned()))
                .collect();
            if !place.is_empty() {
                line.push_str(&format!(" ({})", place.join(", ")));
            }
            if line == "LIVE —" {
                line.push_str(&format!(" {}", shown(&v.reason)));
            }
            line
        }
        VerifyStatus::Revoked => format!("REVOKED — {}: it no longer works", shown(&v.reason)),
        VerifyStatus::Unknown => format!("UNKNOWN — {}", shown(&v.reason)),
    }
}

/// The Developer Hub of a workspace, in its region's Intercom.
pub(super) fn developer_hub(app_id: &str, region: Option<Region>) -> String {
    let host = match region {
        Some(Region::Eu) => "app.eu.intercom.com",
        Some(Region::Au) => "app.au.intercom.com",
        Some(Region::Us) | None => "app.intercom.com",
    };
    format!("https://{host}/a/apps/{}/developer-hub", shown(app_id))
}

/// The guidance from what the API said, before the rotation guidance (a
/// live token comes first):
/// `None` without `--verify`. Each distinct secret (by fingerprint) counts
/// once, however many places it was found in.
pub(super) fn guidance(findings: &[Finding], exposure: Exposure) -> Option<Block> {
    let mut seen = std::collections::HashSet::new();
    let verified: Vec<&Verification> = findings
        .iter()
        .filter(|f| seen.insert(f.fingerprint.as_str()))
        .filter_map(|f| f.verification.as_ref())
        .collect();
    if verified.is_empty() {
        return None;
    }
    let mut steps = Vec::new();
    // Live tokens, one step per workspace: the most urgent first.
    // Keyed by workspace and region: how many tokens, and one of them.
    type Workspace<'a> = (Option<&'a str>, Option<&'static str>);
    let mut live: BTreeMap<Workspace<'_>, (usize, &Verification)> = BTreeMap::new();
    for v in verified.iter().filter(|v| v.status == VerifyStatus::Live) {
        let key = (v.app_id.as_deref(), v.region.map(Region::as_str));
        live.entry(key).or_insert((0, v)).0 += 1;
    }
    for (n, v) in live.values() {
        let (what, it) = if *n == 1 {
            (String::new(), "it")
        } else {
            (format!(" ({n} access tokens)"), "them")
        };
        let whose = match (&v.workspace, &v.admin) {
            (Some(w), Some(a)) => format!(", in workspace \"{}\" as {}", shown(w), shown(a)),
            (Some(w), None) => format!(", in workspace \"{}\"", shown(w)),
            (None, Some(a)) => format!(", as {}", shown(a)),
            (None, None) => String::new(),
        };
        let text = format!(
            "LIVE{what}{whose}: rotate {it} now, before anything else, in the workspace's \
             Developer Hub (your app > Authentication):"
        );
        match &v.app_id {
            Some(id) => steps.push(Step::with("  - ", text, developer_hub(id, v.region))),
            None => steps.push(Step::new(
                "  - ",
                format!("{text} Intercom Settings > Developer Hub"),
            )),
        }
    }
    let revoked = count(&verified, VerifyStatus::Revoked);
    if revoked > 0 {
        let what = if revoked == 1 {
            "this access token no longer works".to_owned()
        } else {
            format!("{revoked} access tokens no longer work")
        };
        let out = match exposure {
            Exposure::OnDisk | Exposure::Staged => "take it out of the file and keep it out of git",
            Exposure::Committed => "take it out of the commits before you push (as below)",
            Exposure::Published => "purge it from history (git filter-repo, as below)",
        };
        steps.push(Step::new(
            "  - ",
            format!(
                "REVOKED: {what} (401 from Intercom): nothing to rotate. Still to do: {out}, \
                 and find where else it went (CI logs, chats, pastes, other repositories and \
                 forks): whatever replaced it may have gone the same way."
            ),
        ));
    }
    let unknown = count(&verified, VerifyStatus::Unknown);
    if unknown > 0 {
        let what = if unknown == 1 {
            "1 secret could not be checked".to_owned()
        } else {
            format!("{unknown} secrets could not be checked")
        };
        steps.push(Step::new(
            "  - ",
            format!(
                "UNKNOWN: {what} (each finding says why): treat it as live and rotate it as the \
                 steps below say."
            ),
        ));
    }
    Some(Block {
        heading: "What Intercom's API says (--verify):".to_owned(),
        steps,
    })
}

fn count(verified: &[&Verification], status: VerifyStatus) -> usize {
    verified.iter().filter(|v| v.status == status).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Verification {
        Verification {
            status: VerifyStatus::Live,
            reason: "200 from eu: an admin".to_owned(),
            admin: Some("Jane Doe <jane@acme.test>".to_owned()),
            workspace: Some("Acme".to_owned()),
            app_id: Some("abc123".to_owned()),
            region: Some(Region::Eu),
        }
    }

    #[test]
    fn a_live_token_names_its_admin_and_workspace() {
        assert_eq!(
            status_line(&live()),
            "LIVE — admin Jane Doe <jane@acme.test> of workspace \"Acme\" (app abc123, eu)"
        );
        let bare = Verification {
            admin: None,
            workspace: None,
            app_id: None,
            region: None,
            ..live()
        };
        assert_eq!(status_line(&bare), "LIVE — 200 from eu: an admin");
    }

    #[test]
    fn revoked_and_unknown_say_why() {
        let revoked = Verification {
            status: VerifyStatus::Revoked,
            reason: "401 from every region (us, eu, au)".to_owned(),
            ..Verification::unknown("")
        };
        assert_eq!(
            status_line(&revoked),
            "REVOKED — 401 from every region (us, eu, au): it no longer works"
        );
        assert_eq!(
            status_line(&Verification::unknown("us: server error 500")),
            "UNKNOWN — us: server error 500"
        );
    }

    #[test]
    fn what_the_api_answered_is_printable_and_hides_secrets() {
        let token = "dG9rOjhkMjJhZDg5X2VlZDJfNDFlNF85YzhjX2E1MGEyNWY1YzEyMzoxOjA=";
        let v = Verification {
            workspace: Some(format!("Acme\u{1b}[2J {token}")),
            ..live()
        };
        let line = status_line(&v);
        assert!(!line.contains('\u{1b}') && !line.contains(token), "{line}");
    }

    #[test]
    fn the_developer_hub_is_the_regions() {
        assert_eq!(
            developer_hub("abc123", Some(Region::Eu)),
            "https://app.eu.intercom.com/a/apps/abc123/developer-hub"
        );
        assert_eq!(
            developer_hub("abc123", None),
            "https://app.intercom.com/a/apps/abc123/developer-hub"
        );
        assert!(developer_hub("x", Some(Region::Au)).starts_with("https://app.au.intercom.com/"));
    }
}
