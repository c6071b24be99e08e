//! The JSON report against the DESIGN.md schema, through the public API.

use intercom_guard::finding::{CommitMeta, Confidence, Exposure, Finding, Kind, SourceKind, Stats};
use intercom_guard::report::{Format, ReportOptions, Surface, exit_code, write_report};
use serde_json::Value;

const TOKEN: &str = "dG9rOjEyMzQ1Njc4XzkwYWJfY2RlZl8xMjM0XzU2Nzg5MGFiY2RlZjoxOjA=";

fn opts(show_secrets: bool) -> ReportOptions {
    ReportOptions {
        format: Format::Json,
        show_secrets,
        color: false,
        quiet: false,
        verbose: false,
        exposure: Exposure::Published,
        surface: Surface::Terminal,
        width: 80,
    }
}

fn line_finding() -> Finding {
    let line = format!("const token = \"{TOKEN}\";");
    Finding {
        rule_id: "intercom-access-token",
        kind: Kind::AccessToken,
        confidence: Confidence::High,
        path: b"src/app.js".to_vec(),
        line: Some(3),
        column: Some(16),
        commit: None,
        fingerprint: "ab".repeat(32),
        secret: TOKEN.as_bytes().to_vec(),
        line_text: Some(line.into_bytes()),
        line_offset: 15,
        mask: Vec::new(),
        still_present: None,
        source: SourceKind::File,
        verification: None,
    }
}

fn binary_finding() -> Finding {
    Finding {
        rule_id: "intercom-webhook-secret",
        kind: Kind::WebhookSecret,
        confidence: Confidence::Medium,
        path: b"assets/caf\xe9.bin".to_vec(),
        line: None,
        column: None,
        commit: Some(CommitMeta {
            id: "0123456789abcdef0123456789abcdef01234567".to_owned(),
            author: "Jane Doe <jane@example.com>".to_owned(),
            date: "2024-05-01T12:00:00+02:00".to_owned(),
            ..CommitMeta::default()
        }),
        fingerprint: "cd".repeat(32),
        secret: b"9f8e7d6c5b4a39281706f5e4d3c2b1a0".to_vec(),
        line_text: None,
        line_offset: 0,
        mask: Vec::new(),
        still_present: None,
        source: SourceKind::File,
        verification: None,
    }
}

fn stats() -> Stats {
    Stats {
        blobs: 12,
        bytes: 48211,
        elapsed_ms: 3,
        suppressed_inline: 2,
        ..Stats::default()
    }
}

fn render(findings: &[Finding], show_secrets: bool) -> String {
    let mut out = Vec::new();
    write_report(&mut out, findings, &stats(), &opts(show_secrets)).unwrap();
    String::from_utf8(out).unwrap()
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn document_has_exactly_the_schema_keys() {
    let text = render(&[line_finding(), binary_finding()], false);
    assert!(text.ends_with('\n'));
    assert_eq!(text.matches('\n').count(), 1, "one document on one line");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(keys(&doc), ["findings", "problems", "stats", "version"]);
    assert_eq!(doc["version"], 1);
    // `problems` is always present, empty when the run was whole.
    assert_eq!(doc["problems"], serde_json::json!([]));
    assert_eq!(keys(&doc["stats"]), ["blobs", "bytes", "elapsed_ms"]);
    assert_eq!(doc["stats"]["blobs"], 12);
    assert_eq!(doc["stats"]["bytes"], 48211);
    assert_eq!(doc["stats"]["elapsed_ms"], 3);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    for finding in findings {
        assert_eq!(
            keys(finding),
            [
                "author",
                "column",
                "commit",
                "confidence",
                "date",
                "fingerprint",
                "kind",
                "line",
                "path",
                "redacted",
                "rule_id"
            ]
        );
    }
}

#[test]
fn line_finding_values() {
    let doc: Value = serde_json::from_str(&render(&[line_finding()], false)).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["rule_id"], "intercom-access-token");
    assert_eq!(f["kind"], "access_token");
    assert_eq!(f["confidence"], "high");
    assert_eq!(f["path"], "src/app.js");
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 16);
    assert_eq!(f["commit"], Value::Null);
    assert_eq!(f["author"], Value::Null);
    assert_eq!(f["date"], Value::Null);
    assert_eq!(f["fingerprint"], "ab".repeat(32));
    assert_eq!(f["redacted"], "dG9rOj…OjA=");
}

#[test]
fn binary_finding_with_commit_and_non_utf8_path() {
    let doc: Value = serde_json::from_str(&render(&[binary_finding()], false)).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["kind"], "webhook_secret");
    assert_eq!(f["confidence"], "medium");
    assert_eq!(
        f["path"],
        serde_json::json!({"bytes": "YXNzZXRzL2NhZukuYmlu"})
    );
    assert_eq!(f["line"], Value::Null);
    assert_eq!(f["column"], Value::Null);
    assert_eq!(f["commit"], "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(f["author"], "Jane Doe <jane@example.com>");
    assert_eq!(f["date"], "2024-05-01T12:00:00+02:00");
    assert_eq!(f["redacted"], "9f8e7d…b1a0");
}

#[test]
fn secrets_are_redacted_unless_asked() {
    let findings = [line_finding(), binary_finding()];
    let hidden = render(&findings, false);
    assert!(!hidden.contains(TOKEN));
    assert!(!hidden.contains("9f8e7d6c5b4a39281706f5e4d3c2b1a0"));
    assert!(!hidden.contains("\"secret\""));

    let shown: Value = serde_json::from_str(&render(&findings, true)).unwrap();
    assert_eq!(shown["findings"][0]["secret"], TOKEN);
    assert_eq!(shown["findings"][0]["redacted"], "dG9rOj…OjA=");
    assert_eq!(
        shown["findings"][1]["secret"],
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    );
}

#[test]
fn no_findings_is_still_a_document() {
    let text = render(&[], false);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["findings"], serde_json::json!([]));
    assert_eq!(exit_code(&[]), 0);
    assert_eq!(exit_code(&[line_finding()]), 1);
}

#[test]
fn redacted_field_never_holds_the_secret() {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for len in 1..=80 {
        let secret: String = (0..len)
            .map(|i| alphabet[(i * 13 + 1) % alphabet.len()] as char)
            .collect();
        let mut finding = line_finding();
        finding.secret = secret.clone().into_bytes();
        let doc: Value = serde_json::from_str(&render(&[finding], false)).unwrap();
        let redacted = doc["findings"][0]["redacted"].as_str().unwrap();
        assert!(!redacted.contains(&secret), "len {len}: {redacted}");
        assert!(redacted.contains('…'), "len {len}: {redacted}");
        let shown = redacted.chars().filter(|&c| c != '…').count();
        assert!(shown * 2 <= len, "len {len} shows {shown}: {redacted}");
    }
}
