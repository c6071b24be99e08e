//! The SARIF report (`--format sarif`): SARIF 2.1.0 as GitHub code scanning
//! accepts it (`github/codeql-action/upload-sarif`).
//!
//! - `runs[0].tool.driver` names the tool and lists every rule of the
//!   [`catalog`], each with its short and full descriptions,
//!   its help followed by the steps `intercom-guard explain KIND` prints
//!   (the same for every run), and a `security-severity`, so
//!   code scanning files the results as security alerts.
//! - One result per finding: `ruleId`/`ruleIndex`, `level` from the
//!   confidence (high → `error`, medium → `warning`, low → `note`), a
//!   message naming the kind, the redacted secret and the commit, and a
//!   physical location (the path as a relative URI, percent-encoded where it
//!   is not plain ASCII, with `startLine`/`startColumn`/`endColumn` when the
//!   blob has lines).
//! - `partialFingerprints` carry the secret's fingerprint (alone and with
//!   the path), so an alert survives the line moving.
//! - `properties` carry commit, author, date, `source` for a secret that is
//!   not in a file's content (`commit_message`, `tag_message`, `symlink`)
//!   and, in history mode, whether the secret is still at the tip of the
//!   default branch; with `--verify`, `verification` as in the JSON report.
//!
//! The secret itself appears only with `--show-secrets` (`properties.secret`).
//! Paths are exact (code scanning matches on them); a secret in an author
//! or a problem's message is redacted.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::ReportOptions;
use super::explain;
use super::redact::{display, redacted, scrub};
use super::verification::JsonVerification;
use crate::catalog::{self, Rule};
use crate::finding::{Confidence, Finding, Problem, Stats};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/intercom-guard/intercom-guard";

/// Writes the whole report as one SARIF document followed by a newline.
pub(crate) fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    problems: &[Problem],
    stats: &Stats,
    opts: &ReportOptions,
) -> io::Result<()> {
    let mut rules: Vec<Rule> = catalog::RULES.to_vec();
    // A rule id the catalog does not know still gets a rule (GitHub rejects a
    // result whose rule is missing).
    for f in findings {
        if !rules.iter().any(|r| r.id == f.rule_id) {
            rules.push(Rule {
                id: f.rule_id,
                kind: f.kind,
                short: f.kind.describe(),
                full: f.kind.describe(),
                help: "",
            });
        }
    }
    let rule_objects: Vec<Value> = rules.iter().map(rule).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| r.id == f.rule_id);
            result(f, index, opts.show_secrets)
        })
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "intercom-guard",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rule_objects,
            }},
            "results": results,
            "invocations": [invocation(problems)],
            "properties": {
                "blobs": stats.blobs,
                "bytes": stats.bytes,
                "elapsed_ms": stats.elapsed_ms,
            },
        }],
    });
    serde_json::to_writer(&mut *out, &document).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The run's invocation: successful unless a problem kept it from being
/// whole; each problem is a tool execution notification.
fn invocation(problems: &[Problem]) -> Value {
    let notifications: Vec<Value> = problems
        .iter()
        .map(|p| {
            let mut n = json!({
                "level": "error",
                "message": {"text": scrub(&p.message())},
                "descriptor": {"id": p.code()},
            });
            if let Some(path) = &p.path {
                n["locations"] = json!([{"physicalLocation": {"artifactLocation": {
                    "uri": uri(path),
                }}}]);
            }
            if let Some(object) = &p.object {
                n["properties"] = json!({"object": object});
            }
            n
        })
        .collect();
    json!({
        "executionSuccessful": problems.is_empty(),
        "toolExecutionNotifications": notifications,
    })
}

/// A rule: its catalog entry, its help followed by what `explain` says of
/// its kind (every way the secret can have travelled, not one run's).
fn rule(r: &Rule) -> Value {
    let topic = explain::Topic::from_name(r.id).unwrap_or(explain::Topic::Kind(r.kind));
    let steps = explain::topic_text(topic, usize::MAX);
    let before = if r.help.is_empty() {
        String::new()
    } else {
        format!("{}\n\n", r.help)
    };
    json!({
        "id": r.id,
        "name": camel(r.id),
        "shortDescription": {"text": r.short},
        "fullDescription": {"text": r.full},
        "help": {"text": format!("{before}{steps}"), "markdown": format!("{before}```\n{steps}```")},
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "secret", "intercom"],
            "precision": "high",
            "security-severity": "9.0",
        },
    })
}

fn result(f: &Finding, rule_index: Option<usize>, show_secrets: bool) -> Value {
    let uri = uri(&f.path);
    let mut message = format!(
        "{} ({} confidence): {}",
        f.kind.describe(),
        f.confidence.as_str(),
        redacted(f.rule_id, &f.secret)
    );
    if let Some(c) = &f.commit {
        message.push_str(&format!(
            ", introduced in commit {} by {} on {}",
            c.id,
            display(c.author.as_bytes()),
            c.date
        ));
    }
    match f.still_present {
        Some(true) => message.push_str("; still present at the tip of the default branch"),
        Some(false) => message.push_str("; no longer at the tip, but still in history"),
        None => {}
    }
    let mut physical = json!({
        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
    });
    if let Some(line) = f.line {
        let column = f.column.unwrap_or(1);
        let mut region = json!({"startLine": line, "startColumn": column});
        if let Some(end) = end_column(f, column) {
            region["endColumn"] = json!(end);
        }
        physical["region"] = region;
    }
    let mut properties = json!({
        "kind": f.kind.as_str(),
        "confidence": f.confidence.as_str(),
        "fingerprint": f.fingerprint,
        "redacted": redacted(f.rule_id, &f.secret),
    });
    if let Some(c) = &f.commit {
        properties["commit"] = json!(c.id);
        properties["author"] = json!(scrub(&c.author));
        properties["date"] = json!(c.date);
    }
    if let Some(present) = f.still_present {
        properties["still_present"] = json!(present);
    }
    if let Some(source) = f.source.as_str() {
        properties["source"] = json!(source);
    }
    if let Some(v) = &f.verification {
        properties["verification"] = json!(JsonVerification::new(v));
    }
    if show_secrets {
        properties["secret"] = json!(String::from_utf8_lossy(&f.secret));
    }
    let mut result = json!({
        "ruleId": f.rule_id,
        "level": level(f.confidence),
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {
            "secretFingerprint/v1": f.fingerprint,
            "secretAtPath/v1": format!("{}:{uri}", f.fingerprint),
        },
        "properties": properties,
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

/// The column just past the secret, when the secret sits on one line.
fn end_column(f: &Finding, start: u32) -> Option<u32> {
    if f.secret.contains(&b'\n') {
        return None;
    }
    let width = std::str::from_utf8(&f.secret).map_or(f.secret.len(), |s| s.chars().count());
    start.checked_add(u32::try_from(width).ok()?)
}

fn level(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "error",
        Confidence::Medium => "warning",
        Confidence::Low => "note",
    }
}

/// `intercom-access-token` → `IntercomAccessToken`.
fn camel(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// A repository-relative path as a relative URI reference: unreserved
/// characters and `/` as they are, every other byte percent-encoded (so
/// non-UTF-8 paths survive).
fn uri(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{camel, uri};

    #[test]
    fn paths_become_relative_uris() {
        assert_eq!(uri(b"src/app.js"), "src/app.js");
        assert_eq!(uri(b"my dir/caf\xe9.env"), "my%20dir/caf%E9.env");
        assert_eq!(uri("é".as_bytes()), "%C3%A9");
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(camel("intercom-access-token"), "IntercomAccessToken");
    }
}
