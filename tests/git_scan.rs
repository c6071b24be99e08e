//! `intercom-guard scan PATH... | -` on files, folders and stdin, and the
//! command-line contract shared by every mode (exit codes, usage errors).

mod common;

use std::io::Read;
use std::process::Stdio;

use common::{Repo, Scratch, lines, token};
use serde_json::Value;

fn paths(findings: &[Value]) -> Vec<String> {
    let mut p: Vec<String> = findings
        .iter()
        .map(|f| f["path"].as_str().expect("text path").to_owned())
        .collect();
    p.sort();
    p
}

#[test]
fn folder_scan_honours_gitignore_like_git() {
    let repo = Repo::new();
    repo.write(".gitignore", lines(&["*.local", "build/"]));
    repo.write("src/app.js", format!("const t = '{}';\n", token()));
    repo.write(".env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.write(".env.local", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    repo.write("build/bundle.js", format!("var t=\"{}\";\n", token()));
    repo.write("docs/README.md", "nothing here\n");
    repo.commit_all("init");
    // The .git folder is never scanned, whatever it holds.
    repo.write(".git/stray", format!("{}\n", token()));

    let run = repo.guard(&["scan", ".", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["./.env", "./src/app.js"]);

    // The files scanned are exactly those git does not ignore.
    let listed = repo.git(&["ls-files", "--cached", "--others", "--exclude-standard"]);
    assert_eq!(
        run.json()["stats"]["blobs"].as_u64(),
        Some(listed.lines().count() as u64),
        "git lists: {listed}"
    );
}

#[test]
fn folder_scan_honours_gitignore_outside_a_repository() {
    let dir = Scratch::new();
    dir.write(".gitignore", "secret.txt\n");
    dir.write("secret.txt", format!("{}\n", token()));
    dir.write("sub/app.py", format!("TOKEN = '{}'\n", token()));
    let run = dir.guard(&["scan", "sub", ".", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["./sub/app.py", "sub/app.py"]);
}

#[test]
fn an_explicit_file_is_scanned_even_if_ignored() {
    let dir = Scratch::new();
    dir.write(".gitignore", "secret.txt\n");
    dir.write("secret.txt", format!("{}\n", token()));
    let run = dir.guard(&["scan", "secret.txt", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(paths(&run.findings()), ["secret.txt"]);
}

#[test]
fn stdin_is_scanned() {
    let dir = Scratch::new();
    let tok = token();
    let input = lines(&[
        "curl https://api.intercom.io/me \\",
        &format!("  -H 'Authorization: Bearer {tok}'"),
    ]);
    let run = dir.guard_stdin(&["scan", "-", "--format", "json"], input.as_bytes());
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(paths(&findings), ["<stdin>"]);
    assert_eq!(findings[0]["line"], 2);
    assert!(!run.all().contains(&tok));

    let clean = dir.guard_stdin(&["scan", "-"], b"nothing to see\n");
    clean.assert_code(0);
}

#[test]
fn human_report_goes_to_stdout_and_is_redacted() {
    let dir = Scratch::new();
    let tok = token();
    dir.write(
        "config/app.yaml",
        lines(&["intercom:", &format!("  access_token: {tok}")]),
    );
    let run = dir.guard(&["scan", "config", "--color", "never"]);
    run.assert_code(1);
    assert!(run.stdout.contains("config/app.yaml:2:"), "{run:?}");
    assert!(!run.all().contains(&tok));
    let shown = dir.guard(&["scan", "config", "--color", "never", "--show-secrets"]);
    shown.assert_code(1);
    assert!(shown.stdout.contains(&tok));
}

#[test]
fn non_utf8_path_and_content() {
    #[cfg(unix)]
    {
        use base64::Engine as _;
        use std::os::unix::ffi::OsStrExt;
        let dir = Scratch::new();
        let name = std::ffi::OsStr::from_bytes(b"r\xe9glages.env");
        let mut content = b"# r\xe9glages\n".to_vec();
        content.extend_from_slice(format!("é = {}\n", token()).as_bytes());
        std::fs::write(dir.path().join(name), content).expect("write");
        let run = dir.guard(&["scan", ".", "--format", "json"]);
        run.assert_code(1);
        let findings = run.findings();
        assert_eq!(findings.len(), 1, "{run:?}");
        let expected = base64::engine::general_purpose::STANDARD.encode(b"./r\xe9glages.env");
        assert_eq!(findings[0]["path"]["bytes"], expected.as_str());
        assert_eq!(findings[0]["line"], 2);
        // "é = " is 4 characters (the line is UTF-8).
        assert_eq!(findings[0]["column"], 5);
        let human = dir.guard(&["scan", ".", "--color", "never"]);
        human.assert_code(1);
    }
}

#[test]
fn binary_file_finding_has_no_line() {
    let dir = Scratch::new();
    let mut content = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
    content.extend_from_slice(token().as_bytes());
    content.push(0);
    dir.write("app.bin", &content);
    let run = dir.guard(&["scan", "app.bin", "--format", "json"]);
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings[0]["line"], Value::Null);
    assert_eq!(findings[0]["column"], Value::Null);
    dir.guard(&["scan", "app.bin", "--color", "never"])
        .assert_code(1);
}

#[test]
fn inline_marker_suppresses_and_is_counted() {
    let dir = Scratch::new();
    dir.write(
        "fixture.js",
        format!("const t = '{}'; // intercom-guard:allow\n", token()),
    );
    let run = dir.guard(&["scan", "fixture.js", "--color", "never"]);
    run.assert_code(0);
    assert!(run.stdout.contains("suppressed"), "{run:?}");
}

#[test]
fn quiet_prints_nothing_when_clean() {
    let dir = Scratch::new();
    dir.write("a.txt", "clean\n");
    let run = dir.guard(&["scan", "a.txt", "--quiet"]);
    run.assert_code(0);
    assert_eq!(run.all(), "");
}

#[test]
fn unreadable_input_exits_2_but_the_rest_is_reported() {
    let dir = Scratch::new();
    dir.write("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let run = dir.guard(&["scan", "missing.txt", "a.env", "--format", "json"]);
    run.assert_code(2);
    assert!(run.stderr.contains("missing.txt"), "{run:?}");
    assert_eq!(paths(&run.findings()), ["a.env"]);
}

#[test]
fn usage_errors_exit_2() {
    let dir = Scratch::new();
    for args in [
        &["scan"][..],
        &["scan", "-", "--format", "xml"][..],
        &["scan", "-", "--color", "sometimes"][..],
        &["pre-commit", "extra-argument"][..],
        &["no-such-command"][..],
        &[][..],
    ] {
        let run = dir.guard(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
    }
    let help = dir.guard(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("pre-commit") && help.stdout.contains("scan"));
}

#[test]
fn closed_stdout_is_not_an_error() {
    let dir = Scratch::new();
    // Enough findings that the report outgrows any pipe buffer.
    let body: String = (0..3000).map(|_| format!("t = {}\n", token())).collect();
    dir.write("many.env", body);
    let mut child = dir
        .command(common::bin())
        .args(["scan", "many.env", "--format", "json", "--show-secrets"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
