//! The human report through the public API: diagnostics, redaction,
//! guidance once per kind, summary.

use intercom_guard::finding::{CommitMeta, Confidence, Exposure, Finding, Kind, SourceKind, Stats};
use intercom_guard::report::redact::redact;
use intercom_guard::report::{Format, ReportOptions, Surface, write_report};

const TOKEN: &str = "dG9rOjEyMzQ1Njc4XzkwYWJfY2RlZl8xMjM0XzU2Nzg5MGFiY2RlZjoxOjA=";
const WEBHOOK: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

fn opts(exposure: Exposure) -> ReportOptions {
    ReportOptions {
        format: Format::Human,
        show_secrets: false,
        color: false,
        quiet: false,
        verbose: false,
        exposure,
        surface: Surface::Terminal,
        // Wide, so that phrases are found on one line; the widths have
        // tests of their own.
        width: 200,
    }
}

fn line_finding(path: &str, line: u32, secret: &str) -> Finding {
    let text = format!("const token = \"{secret}\"; // same again: {secret}");
    Finding {
        rule_id: "intercom-access-token",
        kind: Kind::AccessToken,
        confidence: Confidence::High,
        path: path.as_bytes().to_vec(),
        line: Some(line),
        column: Some(16),
        commit: None,
        fingerprint: "ab".repeat(32),
        secret: secret.as_bytes().to_vec(),
        line_text: Some(text.into_bytes()),
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
        path: b"assets/logo.bin".to_vec(),
        line: None,
        column: None,
        commit: Some(CommitMeta {
            id: "0123456789abcdef0123456789abcdef01234567".to_owned(),
            author: "Jane Doe <jane@example.com>".to_owned(),
            date: "2024-05-01T12:00:00+02:00".to_owned(),
            ..CommitMeta::default()
        }),
        fingerprint: "cd".repeat(32),
        secret: WEBHOOK.as_bytes().to_vec(),
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
        suppressed_inline: 0,
        ..Stats::default()
    }
}

fn render(findings: &[Finding], stats: &Stats, opts: &ReportOptions) -> String {
    let mut out = Vec::new();
    write_report(&mut out, findings, stats, opts).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn line_finding_shows_location_and_redacted_line() {
    let text = render(
        &[line_finding("src/app.js", 3, TOKEN)],
        &stats(),
        &opts(Exposure::Staged),
    );
    assert!(text.contains("src/app.js:3:16"), "{text}");
    assert!(text.contains("const token = \"dG9rOj…OjA=\""), "{text}");
    assert!(text.contains("intercom-access-token"), "{text}");
    assert!(text.contains("Intercom access token"), "{text}");
    assert!(text.contains("high confidence"), "{text}");
    assert!(text.contains(&"ab".repeat(32)), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("1 finding in 1 file"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour asked: {text}");
}

#[test]
fn binary_finding_has_no_snippet() {
    let text = render(&[binary_finding()], &stats(), &opts(Exposure::Published));
    assert!(text.contains("binary file assets/logo.bin"), "{text}");
    assert!(text.contains("9f8e7d…b1a0"), "{text}");
    assert!(text.contains("0123456789ab"), "{text}");
    assert!(text.contains("Jane Doe <jane@example.com>"), "{text}");
    assert!(!text.contains(WEBHOOK), "{text}");
    assert!(!text.contains('╭'), "no snippet frame: {text}");
}

#[test]
fn secrets_of_every_length_stay_hidden() {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for len in 8..=80 {
        let secret: String = (0..len)
            .map(|i| alphabet[(i * 11 + 5) % alphabet.len()] as char)
            .collect();
        let text = render(
            &[line_finding("a.env", 1, &secret)],
            &stats(),
            &opts(Exposure::Staged),
        );
        assert!(!text.contains(&secret), "len {len}: {text}");
        assert!(
            text.contains(&redact(secret.as_bytes())),
            "len {len}: {text}"
        );
    }
}

#[test]
fn very_short_secrets_show_nothing() {
    // Letters that appear nowhere else in the report.
    let alphabet: Vec<char> = "αβγδεζηθικλμ".chars().collect();
    for len in 1..8 {
        let secret: String = alphabet[..len].iter().collect();
        let text = render(
            &[line_finding("a.env", 1, &secret)],
            &stats(),
            &opts(Exposure::Staged),
        );
        assert!(!text.contains(alphabet[0]), "len {len}: {text}");
        assert!(text.contains("const token = \"…\""), "len {len}: {text}");
    }
}

#[test]
fn show_secrets_shows_them() {
    let mut options = opts(Exposure::Staged);
    options.show_secrets = true;
    let text = render(
        &[line_finding("src/app.js", 3, TOKEN), binary_finding()],
        &stats(),
        &options,
    );
    assert!(text.contains(TOKEN), "{text}");
    assert!(text.contains(WEBHOOK), "{text}");
}

#[test]
fn guidance_once_per_kind_and_per_exposure() {
    let findings = [
        line_finding("src/app.js", 3, TOKEN),
        line_finding("src/other.js", 9, TOKEN),
        binary_finding(),
    ];
    let staged = render(&findings, &stats(), &opts(Exposure::Staged));
    let committed = render(&findings, &stats(), &opts(Exposure::Committed));
    let published = render(&findings, &stats(), &opts(Exposure::Published));
    for text in [&staged, &committed, &published] {
        assert_eq!(text.matches("- regenerate it:").count(), 2, "{text}");
        assert_eq!(
            text.matches("Developer Hub > your app > Authentication")
                .count(),
            1,
            "{text}"
        );
        assert_eq!(text.matches("Basic information").count(), 1, "{text}");
        assert!(text.contains("3 findings in 3 files"), "{text}");
    }
    assert!(
        staged.contains("git restore --staged src/app.js src/other.js"),
        "{staged}"
    );
    assert!(committed.contains("git commit --amend"), "{committed}");
    assert!(
        published.contains("git filter-repo --replace-text replacements.txt"),
        "{published}"
    );
    assert!(
        published.contains("regex:dG9rO[A-Za-z0-9+/_-]+(=|%3D)*==>REDACTED"),
        "{published}"
    );
    assert_ne!(staged, committed);
    assert_ne!(committed, published);
}

#[test]
fn nothing_found_line_unless_quiet() {
    let text = render(&[], &stats(), &opts(Exposure::Staged));
    assert_eq!(text, "no Intercom secrets found (12 blobs, 47.1 KiB)\n");
    let mut quiet = opts(Exposure::Staged);
    quiet.quiet = true;
    assert_eq!(render(&[], &stats(), &quiet), "");
    let text = render(&[line_finding("a.js", 1, TOKEN)], &stats(), &quiet);
    assert!(
        text.contains("a.js:1:16") && text.contains("- regenerate it:"),
        "{text}"
    );
}

#[test]
fn suppressed_markers_are_mentioned() {
    let mut stats = stats();
    stats.suppressed_inline = 2;
    let none = render(&[], &stats, &opts(Exposure::Staged));
    assert!(
        none.contains("2 findings suppressed by intercom-guard:allow"),
        "{none}"
    );
    let some = render(
        &[line_finding("a.js", 1, TOKEN)],
        &stats,
        &opts(Exposure::Staged),
    );
    assert!(
        some.contains("2 findings suppressed by intercom-guard:allow"),
        "{some}"
    );
}

#[test]
fn colour_only_when_asked() {
    let mut options = opts(Exposure::Staged);
    options.color = true;
    let text = render(&[line_finding("a.js", 1, TOKEN)], &stats(), &options);
    assert!(text.contains('\u{1b}'), "{text}");
    assert!(!text.contains(TOKEN));
}

#[test]
fn hostile_bytes_are_printed_safely() {
    let mut finding = line_finding("a.js", 1, TOKEN);
    finding.path = b"evil\x1b[2J\xff.js".to_vec();
    let mut line = b"\x1b]0;title\x07 x=\xfe\"".to_vec();
    let offset = line.len();
    line.extend_from_slice(TOKEN.as_bytes());
    line.push(b'"');
    finding.line_text = Some(line);
    finding.line_offset = offset;
    let text = render(&[finding], &stats(), &opts(Exposure::Staged));
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("dG9rOj…OjA="), "{text}");
    assert!(!text.contains(TOKEN));
}

#[test]
#[ignore = "prints a sample report: cargo test --test report_human -- --ignored --nocapture"]
fn sample() {
    let mut commit = line_finding("src/app.js", 3, TOKEN);
    commit.commit = binary_finding().commit;
    let findings = [
        line_finding("src/app.js", 3, TOKEN),
        commit,
        binary_finding(),
    ];
    let mut options = opts(Exposure::Committed);
    options.color = std::env::var_os("COLOR").is_some();
    print!("{}", render(&findings, &stats(), &options));
}

#[test]
fn tabs_and_long_lines_keep_the_label_under_the_secret() {
    let mut tabbed = line_finding("a.env", 2, TOKEN);
    let line = format!("\tTOKEN=\t{TOKEN}");
    tabbed.line_offset = line.find(TOKEN).unwrap();
    tabbed.column = Some(9);
    tabbed.line_text = Some(line.into_bytes());
    let mut long = line_finding("dist/app.min.js", 1, TOKEN);
    let line = format!("{}{TOKEN}{}", "var a=1;".repeat(500), "b();".repeat(500));
    long.line_offset = 4000;
    long.column = Some(4001);
    long.line_text = Some(line.into_bytes());
    let mut options = opts(Exposure::Staged);
    options.width = 80;
    let text = render(&[tabbed, long], &stats(), &options);
    if std::env::var_os("SHOW").is_some() {
        print!("{text}");
    }
    assert!(text.contains("[a.env:2:9]"), "{text}");
    assert!(text.contains("[dist/app.min.js:1:4001]"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("│ …") && l.contains("OjA=b();") && l.ends_with('…')),
        "{text}"
    );
    // The label ends within the width too: it is drawn from the middle of
    // the underline.
    let verify = intercom_guard::report::guidance::VERIFY_TOKEN;
    for line in text.lines().filter(|l| !l.contains(verify)) {
        assert!(line.chars().count() <= 80, "too wide: {line:?}\n{text}");
    }
    assert!(!text.contains(TOKEN));
}
