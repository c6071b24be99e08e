//! Memory per blob is bounded in every mode (DESIGN.md): a blob larger than
//! the engine's window is read in order and detected in overlapping
//! windows, never whole and never skipped. The tests set a small window
//! (`INTERCOM_GUARD_WINDOW`, the smallest it takes: 128 KiB, cores of
//! 64 KiB) so that blobs of a few hundred KiB are cut into many windows,
//! with secrets planted on both sides of core boundaries and across them,
//! and check the findings (path, line, column, fingerprint) against the
//! same run with the default window, where those blobs are read whole.
//! One test measures the peak memory of `scan -` over a stream far larger
//! than the window.

mod common;
mod support_push;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::{Repo, Run, Scratch, bin, token};
use support_push::{Server, fast_commits, push, remote_lines};

/// The smallest window the engine takes, and the core each window keeps.
const WINDOW: usize = 128 * 1024;
const CORE: usize = 64 * 1024;
const WINDOW_VAR: &str = "INTERCOM_GUARD_WINDOW";

/// A text of about `len` bytes of log lines with a secret on each side of
/// every core boundary and one across it, and where each secret is (its
/// 1-based line). Every secret is a distinct token.
struct Planted {
    text: Vec<u8>,
    lines: Vec<(String, usize)>,
}

fn planted(len: usize) -> Planted {
    let mut text = Vec::new();
    let mut lines = Vec::new();
    let mut line = 1;
    let mut n = 0;
    let push_line = |text: &mut Vec<u8>, s: &str, line: &mut usize| {
        text.extend_from_slice(s.as_bytes());
        text.push(b'\n');
        *line += 1;
    };
    while text.len() < len {
        let boundary = (text.len() / CORE + 1) * CORE;
        while text.len() + 300 < boundary {
            push_line(
                &mut text,
                &format!("INFO request {n} handled in 12 ms"),
                &mut line,
            );
            n += 1;
        }
        // Just before the boundary, across it, just after it.
        for (i, before) in [(0, 200), (1, 30), (2, 0)] {
            while text.len() + before < boundary && i < 2 {
                push_line(&mut text, "pad", &mut line);
            }
            if i == 2 {
                while text.len() <= boundary {
                    push_line(&mut text, "pad", &mut line);
                }
            }
            let tok = token();
            push_line(
                &mut text,
                &format!("Authorization: Bearer {tok}"),
                &mut line,
            );
            lines.push((tok, line - 1));
        }
    }
    Planted { text, lines }
}

/// The findings of a JSON report as (line, column, fingerprint, rule),
/// sorted.
fn placed(run: &Run) -> Vec<(u64, u64, String, String)> {
    let mut out: Vec<_> = run
        .findings()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().expect("a line"),
                f["column"].as_u64().expect("a column"),
                f["fingerprint"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The JSON report without its timing, to compare two runs.
fn without_elapsed(run: &Run) -> serde_json::Value {
    let mut json = run.json();
    json["stats"]["elapsed_ms"] = serde_json::Value::Null;
    json
}

fn assert_lines(run: &Run, planted: &Planted) {
    let lines: Vec<u64> = placed(run).iter().map(|p| p.0).collect();
    let mut expected: Vec<u64> = planted.lines.iter().map(|(_, l)| *l as u64).collect();
    expected.sort();
    assert_eq!(lines, expected, "every secret once, at its line: {run:?}");
    assert!(
        !run.all().contains(&planted.lines[0].0),
        "never printed in full"
    );
}

#[test]
fn a_file_larger_than_the_window_is_read_in_windows_with_exact_lines_and_no_duplicates() {
    let scratch = Scratch::new();
    let planted = planted(6 * WINDOW);
    scratch.write("big.log", &planted.text);
    let small = scratch.guard_with(&["scan", "--format", "json", "big.log"], |c| {
        c.env(WINDOW_VAR, WINDOW.to_string());
    });
    small.assert_code(1);
    assert_lines(&small, &planted);
    assert!(planted.lines.len() >= 15, "secrets at many boundaries");
    let whole = scratch.guard(&["scan", "--format", "json", "big.log"]);
    assert_eq!(without_elapsed(&small), without_elapsed(&whole));
    // The human report shows the same lines, redacted the same way.
    let human = |window: Option<usize>| {
        scratch.guard_with(&["scan", "--color", "never", "big.log"], |c| {
            if let Some(w) = window {
                c.env(WINDOW_VAR, w.to_string());
            }
        })
    };
    let (a, b) = (human(Some(WINDOW)), human(None));
    let strip = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.contains(" ms") && !l.contains("elapsed"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&a.stdout), strip(&b.stdout));
    assert_eq!(strip(&a.stderr), strip(&b.stderr));
}

#[test]
fn stdin_larger_than_the_window_reports_what_it_reports_whole() {
    let scratch = Scratch::new();
    let planted = planted(5 * WINDOW);
    let small = {
        let mut cmd = scratch.command(bin());
        cmd.env(WINDOW_VAR, WINDOW.to_string());
        run_with_stdin(cmd, &["scan", "--format", "json", "-"], &planted.text)
    };
    small.assert_code(1);
    assert_lines(&small, &planted);
    let whole = scratch.guard_stdin(&["scan", "--format", "json", "-"], &planted.text);
    assert_eq!(without_elapsed(&small), without_elapsed(&whole));
    assert_eq!(
        small.json()["stats"]["bytes"].as_u64(),
        Some(planted.text.len() as u64)
    );
}

#[test]
fn a_window_that_is_not_a_number_is_an_error() {
    let scratch = Scratch::new();
    scratch.write("a.txt", "hello\n");
    let run = scratch.guard_with(&["scan", "a.txt"], |c| {
        c.env(WINDOW_VAR, "lots");
    });
    run.assert_code(2);
    assert!(run.stderr.contains(WINDOW_VAR), "{run:?}");
}

fn run_with_stdin(mut cmd: Command, args: &[&str], input: &[u8]) -> Run {
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn intercom-guard");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    Run::from_output(out)
}

/// Make `server`'s hook run the binary with the small window.
fn small_window_hook(server: &Server) {
    let hook = server.path.join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\n{WINDOW_VAR}={WINDOW} exec '{}' pre-receive --color never\n",
            bin()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The lines of `path` a refused push relayed findings at
/// (`file    PATH  line N, column C`).
fn refused_at(run: &Run, path: &str) -> Vec<usize> {
    let mut lines: Vec<usize> = remote_lines(run)
        .iter()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("file")?.trim_start();
            let rest = rest
                .strip_prefix(path)?
                .trim_start()
                .strip_prefix("line ")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

#[test]
fn a_pushed_blob_larger_than_the_window_is_refused_at_each_secret_it_adds() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    small_window_hook(&server);
    let planted = planted(4 * WINDOW);
    repo.write("big.log", &planted.text);
    repo.commit_all("add a large log");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert!(run.stderr.contains("PUSH REJECTED"), "{run:?}");
    let expected: Vec<usize> = {
        let mut l: Vec<usize> = planted.lines.iter().map(|(_, l)| *l).collect();
        l.sort();
        l
    };
    assert_eq!(refused_at(&run, "big.log"), expected, "{run:?}");
    assert!(
        !run.all().contains(&planted.lines[0].0),
        "never printed in full"
    );
    assert!(!run.all().contains("panicked"), "{run:?}");
}

/// A push of hundreds of objects reaches the server as a pack, which the
/// hook reads first by its delta tree: the large blob is left out of the
/// tree and read in order from the pack, and the push refused at each line.
#[test]
fn a_large_push_holding_a_large_blob_is_scanned_first_and_refused_at_its_lines() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    small_window_hook(&server);
    let planted = planted(4 * WINDOW);
    let text = String::from_utf8(planted.text.clone()).unwrap();
    fast_commits(&repo, 200, |i| {
        (i == 150).then(|| ("logs/big.log".to_owned(), text.clone()))
    });
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    let mut expected: Vec<usize> = planted.lines.iter().map(|(_, l)| *l).collect();
    expected.sort();
    assert_eq!(refused_at(&run, "logs/big.log"), expected, "{run:?}");
    assert!(!run.all().contains("panicked"), "{run:?}");
}

#[test]
fn a_large_blob_changed_on_the_server_is_judged_by_its_added_lines_only() {
    let repo = Repo::new();
    let planted = planted(4 * WINDOW);
    repo.write("big.log", &planted.text);
    repo.commit_all("a large log with secrets already");
    // The server has the first version (pushed before the hook).
    let server = Server::new(&repo);
    repo.git(&["push", "-q", "origin", "main"]);
    small_window_hook(&server);
    // A new secret in the middle of the file, every old one untouched.
    let fresh = token();
    let mut text = planted.text.clone();
    let middle = text.len() / 2;
    let at = middle + text[middle..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let line = text[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    text.splice(at..at, format!("token = \"{fresh}\"\n").into_bytes());
    repo.write("big.log", &text);
    repo.commit_all("one more secret");
    let run = push(&repo, &["origin", "main"]);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert_eq!(refused_at(&run, "big.log"), vec![line], "{run:?}");
    assert_eq!(
        server.rev(&repo, "refs/heads/main").as_deref(),
        Some(repo.git(&["rev-parse", "HEAD~1"]).trim()),
        "nothing lands"
    );
}

#[test]
fn pre_commit_of_a_large_staged_file_blocks_at_its_lines() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let planted = planted(3 * WINDOW);
    repo.stage("big.log", &planted.text);
    let run = repo.guard_with(&["pre-commit", "--format", "json"], |c| {
        c.env(WINDOW_VAR, WINDOW.to_string());
    });
    run.assert_code(1);
    assert_lines(&run, &planted);
    let whole = repo.pre_commit_json();
    assert_eq!(without_elapsed(&run), without_elapsed(&whole));
}

#[test]
fn history_finds_secrets_in_a_large_blob_loose_or_packed() {
    let repo = Repo::new();
    let planted = planted(4 * WINDOW);
    repo.write("big.log", &planted.text);
    repo.commit_all("a large log");
    let history = |repo: &Repo| {
        repo.guard_with(&["history", "--format", "json"], |c| {
            c.env(WINDOW_VAR, WINDOW.to_string());
        })
    };
    let loose = history(&repo);
    loose.assert_code(1);
    assert_lines(&loose, &planted);
    let whole = repo.guard(&["history", "--format", "json"]);
    assert_eq!(without_elapsed(&loose), without_elapsed(&whole));
    // Packed (stored whole in the pack, as a first version is).
    repo.git(&["gc", "-q", "--aggressive"]);
    let packed = history(&repo);
    packed.assert_code(1);
    assert_eq!(without_elapsed(&packed), without_elapsed(&whole));
    // A range reads the blob through the per-blob path.
    let range = repo.guard_with(&["history", "--format", "json", "HEAD"], |c| {
        c.env(WINDOW_VAR, WINDOW.to_string());
    });
    range.assert_code(1);
    assert_lines(&range, &planted);

    // A second version, stored as a delta of the first once packed: read
    // whole (gix builds it), compared with its parent's version by lines.
    let fresh = token();
    let mut text = planted.text.clone();
    text.extend_from_slice(format!("late = \"{fresh}\"\n").as_bytes());
    repo.write("big.log", &text);
    repo.commit_all("one more");
    repo.git(&["gc", "-q", "--aggressive"]);
    let small = history(&repo);
    small.assert_code(1);
    let whole = repo.guard(&["history", "--format", "json"]);
    assert_eq!(without_elapsed(&small), without_elapsed(&whole));
    let lines = placed(&small).len();
    assert_eq!(
        lines,
        planted.lines.len() + 1,
        "each secret once, where it entered"
    );
}

/// Waits for `child` at most `secs` seconds, reading what it writes:
/// `None` when it had not finished by then (it is killed).
fn wait_at_most(child: std::process::Child, secs: u64) -> Option<Run> {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(out) => Some(Run::from_output(out.expect("output"))),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            None
        }
    }
}

#[test]
fn history_streams_large_blobs_on_every_thread_of_a_small_pool() {
    // A window of 16 MiB takes two pieces of 4 MiB at a time: the pieces
    // of a blob are detected side by side, from a thread of the pool that
    // also reads the blobs. With one thread, or two and two large blobs,
    // every thread of the pool is inside a blob: none may wait on the pool.
    const BIG_WINDOW: usize = 16 * 1024 * 1024;
    let repo = Repo::new();
    let first = planted(BIG_WINDOW + BIG_WINDOW / 4);
    let second = planted(BIG_WINDOW + BIG_WINDOW / 3);
    repo.write("a.log", &first.text);
    repo.write("b.log", &second.text);
    repo.commit_all("two large logs");
    let whole = repo.guard(&["history", "--format", "json"]);
    whole.assert_code(1);
    assert_eq!(
        whole.findings().len(),
        first.lines.len() + second.lines.len()
    );
    for threads in ["1", "2"] {
        let child = repo
            .command(bin())
            .args(["history", "--format", "json"])
            .env(WINDOW_VAR, BIG_WINDOW.to_string())
            .env("RAYON_NUM_THREADS", threads)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn intercom-guard");
        let run = wait_at_most(child, 120)
            .unwrap_or_else(|| panic!("history with {threads} threads never finished"));
        run.assert_code(1);
        assert_eq!(without_elapsed(&run), without_elapsed(&whole), "{threads}");
    }
}

/// The peak resident memory (VmHWM, KiB) of process `pid` so far, while it
/// runs.
#[cfg(target_os = "linux")]
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `cmd` with `feed` writing its stdin, watching its peak resident
/// memory from /proc while it runs (VmHWM only grows, so the last reading
/// is the peak up to then; a run's last moments only write its report).
#[cfg(target_os = "linux")]
fn watched(
    mut cmd: Command,
    feed: impl FnOnce(&mut dyn std::io::Write) + Send + 'static,
) -> (Run, u64) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn intercom-guard");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || feed(&mut stdin));
    let (mut peak, mut readings) = (0, 0);
    while child.try_wait().expect("wait").is_none() {
        if let Some(kib) = peak_kib(pid) {
            peak = peak.max(kib);
            readings += 1;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    writer.join().expect("writer");
    let out = child.wait_with_output().expect("output");
    assert!(
        readings > 10,
        "the run was watched while it ran ({readings})"
    );
    let run = Run::from_output(out);
    (run, peak)
}

/// For the memory tests: a window of 1 MiB, blobs of 40 MiB (the debug
/// build the tests run is slow: the ratio is what counts). Whole, such a
/// blob costs its 40 MiB and more; in windows, the binary's own ~16 MiB
/// and a few windows.
const BIG_WINDOW: usize = 1024 * 1024;
const BIG_BLOB: usize = 40 * 1024 * 1024;
const BOUND_KIB: u64 = 36 * 1024;

const LOG_LINE: &[u8] =
    b"INFO 2024-01-02T03:04:05Z request handled in 12 ms, user=42 path=/api/v1/items\n";

/// Write `lines` log lines, then `last`.
fn log_lines(out: &mut dyn std::io::Write, lines: usize, last: &str) {
    let block: Vec<u8> = LOG_LINE.repeat(4096);
    let mut written = 0;
    while written + 4096 <= lines {
        out.write_all(&block).expect("write");
        written += 4096;
    }
    for _ in written..lines {
        out.write_all(LOG_LINE).expect("write");
    }
    writeln!(out, "{last}").expect("write");
}

/// `scan -` of a stream forty times the window holds a few windows at
/// most, far below the stream's size: stdin is never read whole. The
/// stream is generated here and piped, never stored.
#[cfg(target_os = "linux")]
#[test]
fn scan_stdin_of_a_stream_forty_times_the_window_stays_within_the_bound() {
    let scratch = Scratch::new();
    let tok = token();
    let lines = BIG_BLOB / LOG_LINE.len();
    let mut cmd = scratch.command(bin());
    cmd.args(["scan", "--format", "json", "-"])
        .env(WINDOW_VAR, BIG_WINDOW.to_string());
    let last = format!("Authorization: Bearer {tok}");
    let (run, peak) = watched(cmd, move |stdin| log_lines(stdin, lines, &last));
    run.assert_code(1);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{run:?}");
    assert_eq!(found[0]["line"].as_u64(), Some(lines as u64 + 1));
    assert!(
        peak < BOUND_KIB,
        "peak RSS {peak} KiB for a {} MiB stream, bound {BOUND_KIB} KiB",
        BIG_BLOB >> 20
    );
}

/// A staged file forty times the window: `pre-commit` inflates its loose
/// object as it reads it, never whole; `history` does the same, and once
/// the blob is packed (whole, as a first version is), its sweep leaves it
/// out of the pack's delta tree and inflates it from the pack as it reads.
#[cfg(target_os = "linux")]
#[test]
fn a_large_blob_loose_or_packed_is_inflated_in_windows_by_pre_commit_and_history() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let tok = token();
    let lines = BIG_BLOB / LOG_LINE.len();
    let mut file = std::fs::File::create(repo.path().join("big.log")).unwrap();
    log_lines(&mut file, lines, &format!("token = \"{tok}\""));
    drop(file);
    repo.git(&["add", "big.log"]);
    let at = |args: &[&str]| {
        let mut cmd = repo.command(bin());
        cmd.args(args).env(WINDOW_VAR, BIG_WINDOW.to_string());
        let (run, peak) = watched(cmd, |_| {});
        run.assert_code(1);
        let found = run.findings();
        assert_eq!(found.len(), 1, "{run:?}");
        assert_eq!(found[0]["line"].as_u64(), Some(lines as u64 + 1));
        assert!(
            peak < BOUND_KIB,
            "{args:?}: peak RSS {peak} KiB for a {} MiB blob, bound {BOUND_KIB} KiB",
            BIG_BLOB >> 20
        );
    };
    at(&["pre-commit", "--format", "json"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "a large log"]);
    at(&["history", "--format", "json"]);
    repo.git(&["gc", "-q"]);
    assert!(
        repo.git(&["count-objects", "-v"]).starts_with("count: 0\n"),
        "everything is packed"
    );
    at(&["history", "--format", "json"]);
}
