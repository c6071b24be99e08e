//! Helpers for real pushes: a bare "server" repository in the same scratch
//! folder as the work repository, whose `hooks/pre-receive` runs the built
//! binary, and a fast way to make many commits (`git fast-import`).

#![allow(dead_code, unreachable_pub)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::{Repo, Run, bin};

/// A bare repository next to `repo`'s work tree, added as remote `origin`.
pub struct Server {
    pub path: PathBuf,
}

impl Server {
    /// `git init --bare` next to the work tree, as `origin` of `repo`.
    pub fn new(repo: &Repo) -> Server {
        Server::init(repo, &[])
    }

    /// The same, with `args` added to `git init` (`--object-format=sha256`,
    /// `--ref-format=reftable`).
    pub fn init(repo: &Repo, args: &[&str]) -> Server {
        let path = repo
            .path()
            .parent()
            .expect("scratch root")
            .join("server.git");
        let mut init = vec!["init", "-q", "--bare", "-b", "main"];
        init.extend_from_slice(args);
        init.push(path.to_str().expect("utf-8 path"));
        repo.git(&init);
        repo.git(&[
            "remote",
            "add",
            "origin",
            path.to_str().expect("utf-8 path"),
        ]);
        Server { path }
    }

    /// Install `hooks/pre-receive` running the binary with `args` after
    /// `pre-receive` (and `--color never`).
    pub fn install_hook(&self, args: &str) {
        self.write_hook(&format!(
            "#!/bin/sh\nexec '{}' pre-receive --color never {args}\n",
            bin()
        ));
    }

    /// A hook that records git's own answer first: `git rev-list NEW --not
    /// --all` for every pushed ref (inside the quarantine, as the hook sees
    /// it) into `expected-commits`, then runs the binary with the JSON
    /// report into `report.json`; the exit code is the binary's.
    pub fn install_recording_hook(&self) {
        let dir = self.path.display();
        self.write_hook(&format!(
            r#"#!/bin/sh
input=$(cat)
: > '{dir}/expected-commits'
printf '%s\n' "$input" | while read -r old new ref; do
    case $new in
        0000000000000000000000000000000000000000) ;;
        *) git rev-list "$new" --not --all >> '{dir}/expected-commits' ;;
    esac
done
printf '%s\n' "$input" | '{bin}' pre-receive --format json > '{dir}/report.json'
"#,
            bin = bin()
        ));
    }

    pub fn remove_hook(&self) {
        let _ = std::fs::remove_file(self.path.join("hooks/pre-receive"));
    }

    fn write_hook(&self, script: &str) {
        let hooks = self.path.join("hooks");
        std::fs::create_dir_all(&hooks).expect("hooks dir");
        let hook = hooks.join("pre-receive");
        std::fs::write(&hook, script).expect("write hook");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
                .expect("chmod hook");
        }
    }

    /// `git rev-parse REF` in the server; `None` when the ref does not exist.
    pub fn rev(&self, repo: &Repo, reference: &str) -> Option<String> {
        let run = self.git(repo, &["rev-parse", "--verify", "-q", reference]);
        (run.code == 0).then(|| run.stdout.trim().to_owned())
    }

    /// Run git in the server repository.
    pub fn git(&self, repo: &Repo, args: &[&str]) -> Run {
        let path = self.path.to_str().expect("utf-8").to_owned();
        let mut all = vec!["--git-dir", path.as_str()];
        all.extend_from_slice(args);
        repo.git_run(&all)
    }

    /// The commits git listed in the recording hook, sorted.
    pub fn expected_commits(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.path.join("expected-commits")).unwrap_or_default();
        let mut ids: Vec<String> = text.lines().map(str::to_owned).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The JSON report of the recording hook.
    pub fn report(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.path.join("report.json")).expect("report.json");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("report is not JSON ({e}): {text}"))
    }
}

/// `git push` with `args`, from the work repository.
pub fn push(repo: &Repo, args: &[&str]) -> Run {
    let mut all = vec!["push", "--porcelain"];
    all.extend_from_slice(args);
    repo.git_run(&all)
}

/// Make `n` commits on the current branch quickly with `git fast-import`:
/// commit `i` (1-based) writes `files/f{i % 50}.txt` with `line(i)`
/// appended to a few lines of filler. Returns the new commit ids, oldest
/// first.
pub fn fast_commits(
    repo: &Repo,
    n: usize,
    mut extra: impl FnMut(usize) -> Option<(String, String)>,
) -> Vec<String> {
    let branch = repo.git(&["symbolic-ref", "HEAD"]).trim().to_owned();
    let parent = repo.git_run(&["rev-parse", "--verify", "-q", "HEAD"]);
    let mut stream = Vec::new();
    for i in 1..=n {
        let _ = writeln!(stream, "commit {branch}");
        let _ = writeln!(stream, "mark :{i}");
        let _ = writeln!(
            stream,
            "author Test Author <author@example.com> 1704164645 +0000"
        );
        let _ = writeln!(
            stream,
            "committer Test Committer <committer@example.com> 1704164645 +0000"
        );
        let msg = format!("commit {i}\n");
        let _ = write!(stream, "data {}\n{msg}", msg.len());
        if i == 1 && parent.code == 0 {
            let _ = writeln!(stream, "from {}", parent.stdout.trim());
        }
        let content = format!(
            "file {} version {i}\nsome filler text for commit {i}\n",
            i % 50
        );
        let _ = writeln!(stream, "M 100644 inline files/f{}.txt", i % 50);
        let _ = write!(stream, "data {}\n{content}\n", content.len());
        if let Some((path, data)) = extra(i) {
            let _ = writeln!(stream, "M 100644 inline {path}");
            let _ = write!(stream, "data {}\n{data}\n", data.len());
        }
    }
    let _ = writeln!(stream, "done");
    let mut child = repo
        .command("git")
        .args(["fast-import", "--quiet", "--done", "--force"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&stream)
        .expect("feed fast-import");
    let out = child.wait_with_output().expect("fast-import");
    assert!(
        out.status.success(),
        "fast-import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    repo.git(&["reset", "-q", "--hard"]);
    let ids = repo.git(&["rev-list", "--reverse", &format!("-{n}"), "HEAD"]);
    ids.lines().map(str::to_owned).collect()
}

/// The lines git relayed from the server's hook, without `remote: `.
pub fn remote_lines(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter_map(|l| {
            l.strip_prefix("remote: ")
                .or_else(|| (l == "remote:").then_some(""))
        })
        .map(str::to_owned)
        .collect()
}

/// Run the binary in `dir` with `input` on stdin (for the one test that
/// feeds hook input by hand).
pub fn guard_in(repo: &Repo, dir: &std::path::Path, args: &[&str], input: &[u8]) -> Run {
    let mut child: std::process::Child = {
        let mut cmd: Command = repo.command(bin());
        cmd.current_dir(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().expect("spawn intercom-guard")
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    Run::from_output(out)
}
