//! UTF-16 text (Windows `.reg` exports, PowerShell output) is searched in
//! its decoded form, in every mode: the finding's line and column are those
//! of the decoded text, and its fingerprint is the decoded secret's, the same
//! as for the UTF-8 spelling of the file.

mod common;

use common::{Repo, Scratch, token};
use serde_json::Value;

fn utf16le_with_mark(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn utf16be(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// A registry export holding a token on line 4, column 31.
fn reg_export(token: &str) -> String {
    [
        "Windows Registry Editor Version 5.00",
        "",
        "[HKEY_CURRENT_USER\\Software\\Acme\\Support]",
        &format!("\"Authorization\"=\"Bearer é… {token}\""),
        "\"Region\"=\"eu\"",
        "",
    ]
    .join("\r\n")
}

/// The token's column on line 4, in characters of the decoded text.
fn column() -> u64 {
    "\"Authorization\"=\"Bearer é… ".chars().count() as u64 + 1
}

/// The one finding of a JSON scan of `file`.
fn scan_one(scratch: &Scratch, file: &str) -> Value {
    let run = scratch.guard(&["scan", "--format", "json", file]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{run:?}");
    findings[0].clone()
}

#[test]
fn scan_finds_a_token_in_utf16_le_with_mark_and_be_without() {
    let s = Scratch::new();
    let tok = token();
    let text = reg_export(&tok);
    s.write("export.reg", utf16le_with_mark(&text));
    s.write("export-be.txt", utf16be(&text));
    s.write("export-utf8.reg", &text);
    let utf8 = scan_one(&s, "export-utf8.reg");
    for file in ["export.reg", "export-be.txt"] {
        let f = scan_one(&s, file);
        assert_eq!(f["path"], file);
        assert_eq!(f["line"], 4, "{f}");
        assert_eq!(f["column"], column(), "{f}");
        assert_eq!(f["rule_id"], "intercom-access-token");
        assert_eq!(
            f["fingerprint"], utf8["fingerprint"],
            "the decoded secret's"
        );
    }
    let human = s.guard(&["scan", "--color", "never", "export.reg"]);
    human.assert_code(1);
    assert!(human.all().contains("export.reg:4:"), "{human:?}");
    assert!(!human.all().contains(&tok), "redacted: {human:?}");
}

#[test]
fn a_stray_byte_order_mark_does_not_hide_an_ascii_token() {
    let s = Scratch::new();
    let mut data = vec![0xFF, 0xFE];
    data.extend_from_slice(format!("INTERCOM_TOKEN={}\n", token()).as_bytes());
    s.write("odd.env", data);
    let f = scan_one(&s, "odd.env");
    assert_eq!(f["line"], 1);
}

#[test]
fn pre_commit_blocks_a_staged_utf16_file() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.stage("settings.reg", utf16le_with_mark(&reg_export(&token())));
    let run = repo.pre_commit_json();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{run:?}");
    assert_eq!(findings[0]["path"], "settings.reg");
    assert_eq!(findings[0]["line"], 4);
    repo.guard(&["pre-commit"]).assert_code(1);
}

#[test]
fn pre_commit_compares_a_utf16_file_with_its_decoded_old_side() {
    let repo = Repo::new();
    let text = reg_export(&token());
    repo.write("settings.reg", utf16le_with_mark(&text));
    repo.commit_all("the token was already there");
    // Another line added: the token's line is not new.
    repo.stage(
        "settings.reg",
        utf16le_with_mark(&format!("{text}\"Theme\"=\"dark\"\r\n")),
    );
    repo.pre_commit_json().assert_code(0);
    // Re-encoded as UTF-8, same lines: nothing added either.
    repo.stage("settings.reg", &text);
    repo.pre_commit_json().assert_code(0);
}

#[test]
fn history_finds_a_committed_utf16_file() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.write("tools/export.ps1.txt", utf16be(&reg_export(&token())));
    repo.commit_all("add export");
    let run = repo.guard(&["history", "--format", "json"]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{run:?}");
    assert_eq!(findings[0]["path"], "tools/export.ps1.txt");
    assert_eq!(findings[0]["line"], 4);
    assert_eq!(findings[0]["commit"].as_str().map(str::len), Some(40));
}
