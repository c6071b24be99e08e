//! A path that is not UTF-8 (a file named with the Latin-1 byte 0xE9) in a
//! real repository: the human report quotes it the way git does
//! (`"caf\351.js"`, the same text `git status` prints), and the command the
//! guidance gives names that very file, so running it unstages it.

#![cfg(unix)]

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;

use common::{Repo, token};

const NAME: &[u8] = b"caf\xe9.js";

fn repo_with_staged_leak() -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    repo.write(
        OsStr::from_bytes(NAME),
        format!("const t = \"{}\";\n", token()),
    );
    let run = repo.git_run_with(&["add", "--"], |c| {
        c.arg(OsStr::from_bytes(NAME));
    });
    assert_eq!(run.code, 0, "{run:?}");
    repo
}

/// The bytes a POSIX shell makes of an ANSI-C quoted word (`$'...'`) or a
/// plain one: octal escapes and the usual backslash letters.
fn shell_word_bytes(word: &str) -> Vec<u8> {
    let Some(body) = word.strip_prefix("$'").and_then(|w| w.strip_suffix('\'')) else {
        assert!(!word.contains(['\'', '"', '\\', ' ']), "unquoted: {word}");
        return word.as_bytes().to_vec();
    };
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let next = bytes[i + 1];
        match next {
            b'0'..=b'7' => {
                let digits = &body[i + 1..i + 4];
                out.push(u8::from_str_radix(digits, 8).expect("octal"));
                i += 4;
            }
            b't' | b'n' | b'r' | b'\\' | b'\'' | b'"' => {
                out.push(match next {
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'r' => b'\r',
                    other => other,
                });
                i += 2;
            }
            other => panic!("unexpected escape \\{} in {word}", char::from(other)),
        }
    }
    out
}

#[test]
fn a_non_utf8_path_is_quoted_as_git_quotes_it_and_the_command_works() {
    let repo = repo_with_staged_leak();
    // git's own quoting of the name (core.quotePath, its default).
    let git_shown = repo.git(&["diff", "--cached", "--name-only"]);
    let git_shown = git_shown.trim();
    assert_eq!(git_shown, r#""caf\351.js""#);

    let run = repo.guard_with(&["pre-commit", "--color", "never"], |c| {
        c.env("COLUMNS", "80");
    });
    run.assert_code(1);
    let text = &run.stderr;
    assert!(
        !text.contains('\u{fffd}'),
        "no replacement character: {text}"
    );
    assert!(text.contains(&format!("[{git_shown}:1:")), "{text}");
    let last = text.lines().last().unwrap();
    assert!(last.contains(&format!("{git_shown}:1:")), "{text}");

    // The suggested command names the file, as bytes.
    let line = text
        .lines()
        .find(|l| l.contains("git restore --staged"))
        .unwrap_or_else(|| panic!("no restore command: {text}"));
    let word = line
        .split("git restore --staged ")
        .nth(1)
        .expect("a path after the command")
        .trim();
    assert_eq!(word, r"$'caf\351.js'");
    let path = shell_word_bytes(word);
    assert_eq!(path, NAME);
    let run = repo.git_run_with(&["restore", "--staged", "--"], |c| {
        c.arg(OsStr::from_bytes(&path));
    });
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), "");

    // `scan` names it the same way (as given on the command line).
    let scan = repo.guard_with(&["scan", "--color", "never"], |c| {
        c.env("COLUMNS", "80").arg(OsStr::from_bytes(NAME));
    });
    scan.assert_code(1);
    assert!(
        scan.stdout.contains(&format!("[{git_shown}:1:")),
        "{scan:?}"
    );
    assert!(!scan.stdout.contains('\u{fffd}'), "{scan:?}");
}
