//! Shared helpers for the integration tests: real repositories built with
//! the real `git` in temporary folders, isolated from the user's and the
//! system's configuration, and the built binary run against them.

#![allow(dead_code)] // each test binary uses a subset

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;

/// The binary under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_intercom-guard")
}

/// A fresh, real-looking Intercom access token: base64 of `tok:` + a random
/// UUID written with `_` + `:1:0` (60 characters, ends in `=`).
pub(crate) fn token() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("tok:{}:1:0", uuid_underscored()))
}

/// A random version-4 UUID with `_` in place of `-`.
pub(crate) fn uuid_underscored() -> String {
    let hi = random_u64();
    let lo = random_u64();
    let hex = format!("{hi:016x}{lo:016x}");
    let mut b = hex.into_bytes();
    b[12] = b'4'; // version
    b[16] = b"89ab"[(lo % 4) as usize]; // variant
    let h = String::from_utf8(b).expect("hex is ASCII");
    format!(
        "{}_{}_{}_{}_{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn random_u64() -> u64 {
    use std::hash::BuildHasher;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::collections::hash_map::RandomState::new().hash_one((n, nanos, std::process::id()))
}

/// Remove everything from the environment that could point a command at
/// another repository or pull in the user's configuration.
pub(crate) fn isolate(cmd: &mut Command, home: &Path) {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_PREFIX",
        "GIT_NAMESPACE",
        "GIT_QUARANTINE_PATH",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
        "NO_COLOR",
        "INTERCOM_GUARD_WINDOW",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
        .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z")
        .env("LC_ALL", "C");
}

/// A `PATH` of one new folder under `root` holding links to `tools`, as
/// found on this process's `PATH` (`git`, `cat`, ...), and nothing else: the
/// short `PATH` of a GUI git client, without an `intercom-guard` whatever
/// the machine has installed.
pub(crate) fn short_path(root: &Path, tools: &[&str]) -> std::ffi::OsString {
    let dir = root.join("short-path-bin");
    std::fs::create_dir_all(&dir).expect("short PATH folder");
    let path = std::env::var_os("PATH").unwrap_or_default();
    for tool in tools {
        let found = std::env::split_paths(&path)
            .map(|d| d.join(tool))
            .find(|c| c.is_file())
            .unwrap_or_else(|| panic!("this test needs `{tool}` on PATH"));
        let link = dir.join(tool);
        if !link.exists() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(&found, &link).expect("link a tool");
            #[cfg(not(unix))]
            std::fs::copy(&found, &link).expect("copy a tool");
        }
    }
    assert!(!dir.join("intercom-guard").exists());
    dir.into_os_string()
}

/// This process's `PATH` with a folder under `root` first that holds
/// `intercom-guard`, linked to the binary under test (as `pipx` or `cargo
/// install` would put it on `PATH`).
pub(crate) fn path_with_binary(root: &Path) -> std::ffi::OsString {
    let dir = root.join("path-bin");
    std::fs::create_dir_all(&dir).expect("PATH folder");
    let link = dir.join("intercom-guard");
    if !link.exists() {
        #[cfg(unix)]
        std::os::unix::fs::symlink(bin(), &link).expect("link the binary");
        #[cfg(not(unix))]
        std::fs::copy(bin(), &link).expect("copy the binary");
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![dir];
    dirs.extend(std::env::split_paths(&path));
    std::env::join_paths(dirs).expect("PATH")
}

/// What a run of the binary (or git) produced.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// stdout and stderr together, for "never printed anywhere" checks.
    pub(crate) fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The JSON report on stdout.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// The findings of the JSON report.
    pub(crate) fn findings(&self) -> Vec<serde_json::Value> {
        self.json()["findings"]
            .as_array()
            .expect("findings is an array")
            .clone()
    }

    /// No panic message, no Rust backtrace hint.
    pub(crate) fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "the binary panicked: {self:?}"
        );
    }

    pub(crate) fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code: {self:?}");
        self.assert_no_panic();
        self
    }
}

/// A scratch folder (not a repository) with its own `HOME`.
pub(crate) struct Scratch {
    dir: tempfile::TempDir,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

impl Scratch {
    pub(crate) fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("home")).expect("home dir");
        std::fs::create_dir(dir.path().join("work")).expect("work dir");
        Scratch { dir }
    }

    /// The folder to work in.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub(crate) fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The scratch folder itself, above [`Self::path`] and [`Self::home`].
    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    pub(crate) fn write(&self, rel: impl AsRef<Path>, content: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent dirs");
        }
        std::fs::write(&path, content).expect("write file");
    }

    pub(crate) fn remove(&self, rel: impl AsRef<Path>) {
        std::fs::remove_file(self.path().join(rel)).expect("remove file");
    }

    /// A command run in [`Self::path`] with an isolated environment.
    pub(crate) fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.path());
        isolate(&mut cmd, &self.home());
        // Nothing above the scratch folder is a repository to discover.
        cmd.env("GIT_CEILING_DIRECTORIES", self.dir.path());
        cmd
    }

    /// Run the binary with `args` in [`Self::path`].
    pub(crate) fn guard(&self, args: &[&str]) -> Run {
        self.guard_with(args, |_| {})
    }

    /// Run the binary, letting `setup` adjust the command first.
    pub(crate) fn guard_with(&self, args: &[&str], setup: impl FnOnce(&mut Command)) -> Run {
        let mut cmd = self.command(bin());
        cmd.args(args).stdin(Stdio::null());
        setup(&mut cmd);
        Run::from_output(cmd.output().expect("run intercom-guard"))
    }

    /// Run the binary with `input` on stdin.
    pub(crate) fn guard_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        let mut child = self
            .command(bin())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn intercom-guard");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input).expect("write stdin");
        drop(stdin);
        Run::from_output(child.wait_with_output().expect("wait"))
    }
}

/// A real repository made by `git init`, on branch `main`.
pub(crate) struct Repo {
    scratch: Scratch,
}

impl std::ops::Deref for Repo {
    type Target = Scratch;
    fn deref(&self) -> &Scratch {
        &self.scratch
    }
}

impl Default for Repo {
    fn default() -> Self {
        Repo::new()
    }
}

impl Repo {
    pub(crate) fn new() -> Repo {
        Repo::init(&[])
    }

    /// `git init` with `args` added (`--object-format=sha256`,
    /// `--ref-format=reftable`).
    pub(crate) fn init(args: &[&str]) -> Repo {
        let repo = Repo {
            scratch: Scratch::new(),
        };
        let mut init = vec!["init", "-q", "-b", "main"];
        init.extend_from_slice(args);
        repo.git(&init);
        for (key, value) in [
            ("user.name", "Test Author"),
            ("user.email", "author@example.com"),
            ("commit.gpgsign", "false"),
            ("tag.gpgsign", "false"),
            ("core.autocrlf", "false"),
        ] {
            repo.git(&["config", key, value]);
        }
        repo
    }

    /// Run git and return its stdout; panics (with stderr) when git fails.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        let run = self.git_run(args);
        assert_eq!(run.code, 0, "git {args:?} failed: {run:?}");
        run.stdout
    }

    /// Run git and return whatever happened.
    pub(crate) fn git_run(&self, args: &[&str]) -> Run {
        self.git_run_with(args, |_| {})
    }

    pub(crate) fn git_run_with(&self, args: &[&str], setup: impl FnOnce(&mut Command)) -> Run {
        let mut cmd = self.command("git");
        cmd.args(args).stdin(Stdio::null());
        setup(&mut cmd);
        Run::from_output(cmd.output().expect("run git"))
    }

    /// Stage everything and commit it (no hooks run).
    pub(crate) fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }

    /// Write `content` to `rel` and stage it.
    pub(crate) fn stage(&self, rel: &str, content: impl AsRef<[u8]>) {
        self.write(rel, content);
        self.git(&["add", "--", rel]);
    }

    /// Install a `.git/hooks/pre-commit` that execs the binary, the way a
    /// user's one-line hook does.
    pub(crate) fn install_hook(&self) {
        let hooks = self.path().join(".git/hooks");
        std::fs::create_dir_all(&hooks).expect("hooks dir");
        let hook = hooks.join("pre-commit");
        std::fs::write(
            &hook,
            format!("#!/bin/sh\nexec '{}' pre-commit --color never\n", bin()),
        )
        .expect("write hook");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
                .expect("chmod hook");
        }
    }

    /// The id HEAD points at.
    pub(crate) fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Run `pre-commit` with the JSON report.
    pub(crate) fn pre_commit_json(&self) -> Run {
        self.guard(&["pre-commit", "--format", "json"])
    }
}

/// miette's wrapped text on one line (it wraps at 80 columns behind a `│`,
/// also after a hyphen or a slash), for looking up phrases.
pub(crate) fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
        .replace("- ", "-")
        .replace("/ ", "/")
}

/// `lines` joined with `\n`, with a final newline.
pub(crate) fn lines(lines: &[&str]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}
