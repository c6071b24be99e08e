//! Helpers for driving the real pre-commit framework (from PyPI) and git in
//! end-to-end tests.
//!
//! Everything the tests need is installed by the tests themselves, under
//! `target/` so it is cached between runs:
//!
//! - `target/precommit-venv`: a Python venv with `pre-commit>=3.2,<5`;
//! - `target/precommit-home`: `PRE_COMMIT_HOME`, the framework's clones and
//!   hook environments;
//! - `target/precommit-install`: `CARGO_TARGET_DIR` for the framework's
//!   `cargo install --path .` of this crate, so a new commit rebuilds
//!   incrementally.
//!
//! A missing prerequisite (python3, venv, pip, git) fails the test with the
//! reason: these tests never skip silently.

#![allow(dead_code, unreachable_pub)]

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What `pip install` is given; bump the marker below when it changes.
pub const PRE_COMMIT_REQUIREMENT: &str = "pre-commit>=3.2,<5";
const VENV_MARKER: &str = ".intercom-guard-ready";

/// The output of one finished command.
#[derive(Debug)]
pub struct Output {
    pub what: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    /// stdout and stderr together, as a person at a terminal would see them.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Panics with the full output unless the command succeeded.
    pub fn expect_success(self) -> Output {
        if !self.success() {
            panic!("`{}` failed ({}):\n{}", self.what, self.status, self.all());
        }
        self
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "$ {}  [{}, {:.1}s]",
            self.what,
            self.status,
            self.elapsed.as_secs_f64()
        )?;
        write!(f, "{}", self.all())
    }
}

/// Runs `cmd` with stdin closed and stdout/stderr captured through files (no
/// pipe can fill up), killing it after `limit`.
pub fn run(mut cmd: Command, limit: Duration, scratch: &Path) -> Output {
    let what = describe(&cmd);
    fs::create_dir_all(scratch).expect("create scratch dir");
    let unique = format!("{}-{:016x}", std::process::id(), rand_u64());
    let out_path = scratch.join(format!("out-{unique}"));
    let err_path = scratch.join(format!("err-{unique}"));
    let out_file = fs::File::create(&out_path).expect("create stdout file");
    let err_file = fs::File::create(&err_path).expect("create stderr file");
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out_file))
        .stderr(Stdio::from(err_file));
    let start = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => panic!("could not start `{what}`: {e}"),
    };
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let so = fs::read_to_string(&out_path).unwrap_or_default();
            let se = fs::read_to_string(&err_path).unwrap_or_default();
            panic!(
                "`{what}` did not finish within {}s; killed.\n{so}{se}",
                limit.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&fs::read(&out_path).unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&fs::read(&err_path).unwrap_or_default()).into_owned();
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    Output {
        what,
        status,
        stdout,
        stderr,
        elapsed,
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// 64 random bits from the standard library's per-process random hash keys
/// (no `rand` dependency needed for test data).
pub fn rand_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// A random version-4 UUID, lower-case, in the usual 8-4-4-4-12 form.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rand_u64().to_le_bytes());
    b[8..].copy_from_slice(&rand_u64().to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A real-looking Intercom access token: base64("tok:" + UUID with `_` for
/// `-` + ":1:0"), 60 characters ending in `=`. Fresh on every call, so it
/// can never be an allowlisted fingerprint.
pub fn fake_access_token() -> String {
    use base64::Engine as _;
    let body = format!("tok:{}:1:0", random_uuid().replace('-', "_"));
    let token = base64::engine::general_purpose::STANDARD.encode(body.as_bytes());
    assert_eq!(token.len(), 60, "token shape: {token}");
    assert!(token.starts_with("dG9rO") && token.ends_with('='));
    token
}

/// This crate's folder (a git work tree).
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the cached venv, framework home and install target live.
pub fn cache_root() -> PathBuf {
    crate_dir().join("target")
}

/// The pre-commit framework, installed in a cached venv.
pub struct Framework {
    pub venv: PathBuf,
    pub home: PathBuf,
    pub install_target: PathBuf,
    pub scratch: PathBuf,
}

impl Framework {
    /// Makes sure the venv with pre-commit exists (creating it if needed)
    /// and returns the paths the tests use. Fails, never skips, when Python
    /// or pip is not usable.
    pub fn ready() -> Framework {
        let root = cache_root();
        let fw = Framework {
            venv: root.join("precommit-venv"),
            home: root.join("precommit-home"),
            install_target: root.join("precommit-install"),
            scratch: root.join("precommit-scratch"),
        };
        fs::create_dir_all(&fw.scratch).expect("create target/precommit-scratch");
        ensure_venv(&fw.venv, &[PRE_COMMIT_REQUIREMENT], &fw.scratch);
        let version = fw.command_in(&fw.pre_commit_bin(), &crate_dir());
        let mut version = version;
        version.arg("--version");
        let out = run(version, Duration::from_secs(120), &fw.scratch).expect_success();
        eprintln!("using {}", out.stdout.trim());
        fw
    }

    pub fn pre_commit_bin(&self) -> PathBuf {
        self.venv.join("bin").join("pre-commit")
    }

    /// A command with a clean git and pre-commit environment: no inherited
    /// `GIT_*` variables (a test run from inside a hook must not touch the
    /// outer repository), git configuration isolated to `gitconfig` if given,
    /// the framework's caches under `target/`.
    pub fn command_in(&self, program: &Path, cwd: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("GIT_") || k.starts_with("PRE_COMMIT") || k == "SKIP" {
                cmd.env_remove(k);
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.venv.join("bin")];
        paths.extend(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(paths).expect("PATH"));
        cmd.env("PRE_COMMIT_HOME", &self.home)
            .env("CARGO_TARGET_DIR", &self.install_target)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0");
        cmd
    }
}

/// The Python that venvs are made with: `$INTERCOM_GUARD_PYTHON`, else
/// `python3` from PATH.
pub fn python() -> OsString {
    std::env::var_os("INTERCOM_GUARD_PYTHON").unwrap_or_else(|| "python3".into())
}

/// Makes sure `dir` is a Python venv with `requirements` installed from PyPI
/// with pip, creating it (or recreating a stale one) when its marker file does
/// not list exactly these requirements. Fails, never skips, when Python, venv
/// or pip is not usable.
pub fn ensure_venv(dir: &Path, requirements: &[&str], scratch: &Path) {
    let marker = dir.join(VENV_MARKER);
    let wanted = requirements.join("\n");
    let python_bin = dir.join("bin").join("python");
    if fs::read_to_string(&marker).is_ok_and(|s| s.trim() == wanted) && python_bin.is_file() {
        return;
    }
    if dir.exists() {
        fs::remove_dir_all(dir)
            .unwrap_or_else(|e| panic!("remove stale venv {}: {e}", dir.display()));
    }
    let python = python();
    let mut probe = Command::new(&python);
    probe.arg("--version");
    probe.stdin(Stdio::null());
    if let Err(e) = probe.output() {
        panic!(
            "this test needs Python 3 (with venv and pip) to install {} from PyPI, but `{}` \
             could not be started: {e}. Install python3 (Debian: apt-get install python3 \
             python3-venv) or set INTERCOM_GUARD_PYTHON.",
            requirements.join(", "),
            python.to_string_lossy()
        );
    }
    let mut venv = Command::new(&python);
    venv.args(["-m", "venv"]).arg(dir);
    let out = run(venv, Duration::from_secs(300), scratch);
    if !out.success() {
        panic!(
            "could not create the Python venv {} (Debian needs the python3-venv package):\n{out}",
            dir.display()
        );
    }
    let mut pip = Command::new(&python_bin);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
    ])
    .args(requirements);
    let out = run(pip, Duration::from_secs(600), scratch);
    if !out.success() {
        panic!(
            "could not install {} from PyPI with pip:\n{out}",
            requirements.join(", ")
        );
    }
    fs::write(&marker, wanted).expect("write venv marker");
}

/// Where `name` would be found on `path` (a `PATH` value), if anywhere.
pub fn find_on_path(name: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A throw-away git repository with its own git configuration.
pub struct TempRepo {
    _tmp: tempfile::TempDir,
    pub work: PathBuf,
    pub gitconfig: PathBuf,
}

impl TempRepo {
    pub fn new() -> TempRepo {
        let tmp = tempfile::Builder::new()
            .prefix("intercom-guard-e2e-")
            .tempdir()
            .expect("create temp dir");
        let gitconfig = tmp.path().join("gitconfig");
        fs::write(
            &gitconfig,
            "[user]\n\tname = Test User\n\temail = test@example.com\n\
             [commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n\
             [init]\n\tdefaultBranch = main\n[core]\n\tautocrlf = false\n",
        )
        .expect("write gitconfig");
        let work = tmp.path().join("work");
        fs::create_dir_all(&work).expect("create work dir");
        TempRepo {
            _tmp: tmp,
            work,
            gitconfig,
        }
    }

    /// `program` run in the work tree with the framework's environment and
    /// this repository's isolated git configuration.
    pub fn command(&self, fw: &Framework, program: impl AsRef<Path>) -> Command {
        let mut cmd = fw.command_in(program.as_ref(), &self.work);
        cmd.env("GIT_CONFIG_GLOBAL", &self.gitconfig);
        cmd
    }

    pub fn git(&self, fw: &Framework, args: &[&str]) -> Output {
        let mut cmd = self.command(fw, "git");
        cmd.args(args);
        run(cmd, Duration::from_secs(300), &fw.scratch)
    }

    pub fn write(&self, rel: &str, contents: &str) {
        let p = self.work.join(rel);
        if let Some(dir) = p.parent() {
            fs::create_dir_all(dir).expect("create parent dir");
        }
        fs::write(p, contents).expect("write file");
    }

    pub fn commit_count(&self, fw: &Framework) -> usize {
        let out = self.git(fw, &["rev-list", "--count", "--all"]);
        if !out.success() {
            return 0; // no commit yet
        }
        out.stdout.trim().parse().expect("rev-list --count")
    }
}

/// The commit of this crate's repository that the framework will install.
pub fn crate_head() -> String {
    let out = Command::new("git")
        .args(["rev-parse", "--verify", "HEAD^{commit}"])
        .current_dir(crate_dir())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("this test needs git on PATH: {e}"));
    assert!(
        out.status.success(),
        "{} is not a git repository with a commit; the pre-commit framework installs hooks \
         from a commit:\n{}",
        crate_dir().display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 commit id")
        .trim()
        .to_owned()
}

/// Files that differ from HEAD in this crate's work tree (they are not what
/// the framework installs: it installs the commit).
pub fn crate_uncommitted_changes() -> String {
    Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(crate_dir())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// A YAML single-quoted scalar.
pub fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
