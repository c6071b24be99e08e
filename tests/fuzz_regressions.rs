//! What the fuzz targets (fuzz/, see CONTRIBUTING.md "Fuzzing") found, each
//! kept here as a test through the real binary, named after what broke.

mod common;

use common::Scratch;

/// fuzz/artifacts/detector/crash-9d34fb18…: a secret (`A=`), a token
/// (`B=`), and on the same line a copy of the first secret glued to more
/// text, which is no match of its own. The second finding's snippet hid
/// its own secret and the first one where it was matched, but printed the
/// copy in full. (The crash's first secret was a token cut short by a byte
/// outside base64, which is no finding any more: a cut token cannot be
/// used. A named value stands for it.)
#[test]
fn a_copy_of_another_finding_s_secret_on_the_line_is_redacted() {
    let line: &[u8] = b"INTERCOM_API_KEY=Kiy8vwkqQRKHn8eh85BDLw1XEx8cLN1y \
        B=dG9rOjFmMGMzYjJhXzlkOGVfNGM3Yl9hNmY1X2U0ZDNjMmIxYTA5ODoxOjA= \
        # was Kiy8vwkqQRKHn8eh85BDLw1XEx8cLN1yQ2x\xfb\n";
    let s = Scratch::new();
    s.write("notes.txt", line);
    let json = s.guard(&["scan", "--format", "json", "notes.txt"]);
    json.assert_code(1);
    let findings = json.findings();
    assert_eq!(findings.len(), 2, "{json:?}");
    let secrets = [
        "Kiy8vwkqQRKHn8eh85BDLw1XEx8cLN1y",
        "dG9rOjFmMGMzYjJhXzlkOGVfNGM3Yl9hNmY1X2U0ZDNjMmIxYTA5ODoxOjA=",
    ];
    for format in ["human", "json", "sarif"] {
        let run = s.guard(&["scan", "--format", format, "--color", "never", "notes.txt"]);
        run.assert_code(1);
        for secret in secrets {
            assert!(
                !run.all().contains(secret),
                "{format} shows {secret}: {}",
                run.all()
            );
        }
    }
}

/// fuzz/artifacts/config/crash-9643deff…: a configuration error quoting a line that
/// holds a secret the detector sees (`dG9rOjhkMj`, strict) on its own and
/// again glued to more base64, where it is no match of its own: the quote
/// redacted the first and printed the second.
#[test]
fn a_config_error_redacts_every_copy_of_a_secret_it_quotes() {
    let s = Scratch::new();
    s.write(
        ".intercom-guard.yaml",
        "allow:\n  fingerprints: [\"dG9rOjhkMj\", \"123456789adG9rOjhkMj\"]\n  paths: [\n",
    );
    for format in ["human", "json"] {
        let run = s.guard(&["scan", "--format", format, "--color", "never", "."]);
        run.assert_code(2);
        assert!(run.all().contains("unclosed"), "{run:?}");
        assert!(!run.all().contains("dG9rOjhkMj"), "{format}: {}", run.all());
    }
}

/// fuzz/artifacts/config/crash-0adcba3d…: a configuration error whose message
/// quotes a key of the file (`unknown field …`); the key's bytes are a value
/// the file assigns to a secret name elsewhere, which the message alone
/// does not show. The message printed them.
#[test]
fn a_config_error_message_hides_what_the_file_holds_secret() {
    let s = Scratch::new();
    s.write(
        ".intercom-guard.yaml",
        "allow:\n  kR2v9QzLmW4tXp8s: 1\n# was: intercom_api_key: \"kR2v9QzLmW4tXp8s\"\n",
    );
    for format in ["human", "json"] {
        let run = s.guard(&["scan", "--format", format, "--color", "never", "."]);
        run.assert_code(2);
        assert!(run.all().contains("unknown field"), "{run:?}");
        assert!(
            !run.all().contains("kR2v9QzLmW4tXp8s"),
            "{format}: {}",
            run.all()
        );
    }
}

/// fuzz/artifacts/hook_input/crash-684ebfee…: pre-push input whose first field holds
/// a secret the detector sees (`dG9rOjhkMjJh`, strict) and whose id field
/// holds it again glued to digits. The error quoted the id field, secret
/// and all.
#[test]
fn a_hook_input_error_hides_a_secret_of_the_input_it_quotes() {
    let repo = common::Repo::new();
    let zeros = "0".repeat(40);
    let input = format!("dG9rOjhkMjJh) 11111111111dG9rOjhkMjJh refs/heads/main {zeros}\n");
    let run = repo.guard_stdin(
        &["pre-push", "origin", "https://example.com/x.git"],
        input.as_bytes(),
    );
    run.assert_code(2);
    assert!(run.all().contains("local id"), "{run:?}");
    assert!(!run.all().contains("dG9rOjhkMjJh"), "{}", run.all());
}

/// fuzz/artifacts/baseline/crash-2bd0c79d…: a baseline that is not UTF-8,
/// where `"kin` and the bytes after it, up to `s_{`, are what the detector
/// takes for a secret. The quote of the error's line showed those bytes as
/// U+FFFD, and the redaction, which ran on that lossy text, no longer saw
/// a secret there. A file that is not UTF-8 is now refused unquoted.
#[test]
fn a_baseline_that_is_not_utf8_is_refused_without_a_quote() {
    let s = Scratch::new();
    s.write("notes.txt", b"nothing here\n");
    s.write(
        "baseline.json",
        b"{\"version\":1,\"findings\":[{\"rule_]d\":\"intercom-access-token\",\"kin`\xde\xc5\xdd\x9e\x9c\x9c\x9a\x8cs_{\"version\":1}]}\n",
    );
    for format in ["human", "json"] {
        let run = s.guard(&[
            "scan",
            "--format",
            format,
            "--color",
            "never",
            "--baseline",
            "baseline.json",
            "notes.txt",
        ]);
        run.assert_code(2);
        assert!(
            run.all()
                .contains("baseline.json:1:66: the file is not UTF-8"),
            "{run:?}"
        );
        assert!(!run.all().contains("kin`"), "{format}: {}", run.all());
    }
}
