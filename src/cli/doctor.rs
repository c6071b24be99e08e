//! `intercom-guard doctor`: the repository against the security checklist.
//!
//! Each item is `pass`, `warn` or `fail`, with the fix:
//!
//! - the configuration parses;
//! - `.gitignore` ignores `.env`, `.env.local` and `.env.*.local` (asked of
//!   gix's exclude matching, as git would answer `git check-ignore`; a
//!   pattern only in `.git/info/exclude` or a global excludes file is not
//!   shared with the team, so it does not count);
//! - no `.env`-style file is tracked (templates such as `.env.example` are
//!   fine);
//! - no Intercom secret in the files at `HEAD` (the engine, through the
//!   policy);
//! - an intercom-guard hook, or the pre-commit framework (or husky, or
//!   lefthook) running ours, is installed (a warning only);
//! - no credential of the current environment (a variable the engine
//!   reports as a secret, such as `INTERCOM_ACCESS_TOKEN`) is written in a
//!   file at `HEAD`. Only the variable's name is printed, never its value.
//!
//! Exit 1 when an item fails, 0 when only warnings remain, 2 outside a
//! repository.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use serde_json::json;

use super::{CliError, CommonArgs, settings};
use crate::detect::Detector;
use crate::finding::{Finding, Stats};
use crate::policy::{Mode, Policy, Settings, locate};
use crate::report::Format;
use crate::report::redact::sanitize;
use crate::source::hooks::{self, is_executable};

/// The names `.gitignore` must ignore; the last stands for `.env.*.local`.
const ENV_NAMES: [&str; 3] = [".env", ".env.local", ".env.development.local"];
/// Suffixes of `.env.<suffix>` files that are templates, fine to track.
const TEMPLATES: [&str; 8] = [
    "example", "sample", "template", "tpl", "dist", "defaults", "schema", "tmpl",
];
/// At most this many places are listed under one item.
const MAX_LISTED: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

#[derive(Debug)]
struct Item {
    check: &'static str,
    status: Status,
    message: String,
    details: Vec<String>,
    fix: Option<String>,
}

impl Item {
    fn pass(check: &'static str, message: impl Into<String>) -> Item {
        Item {
            check,
            status: Status::Pass,
            message: message.into(),
            details: Vec::new(),
            fix: None,
        }
    }

    fn problem(
        check: &'static str,
        status: Status,
        message: impl Into<String>,
        details: Vec<String>,
        fix: impl Into<String>,
    ) -> Item {
        Item {
            check,
            status,
            message: message.into(),
            details,
            fix: Some(fix.into()),
        }
    }
}

pub(super) fn run(common: &CommonArgs) -> Result<u8, CliError> {
    let repo = settings::open_repo()?;
    let mut items = Vec::new();

    let (settings, policy, detector) = match settings::load(Mode::Laptop, common, Some(&repo)) {
        Ok(loaded) => {
            items.push(config_item(&loaded.settings));
            (loaded.settings, loaded.policy, loaded.detector)
        }
        Err(err) => {
            let rendered = render_diagnostic(err);
            items.push(Item::problem(
                "config",
                Status::Fail,
                "the configuration does not parse (the other checks use the defaults)",
                rendered.lines().map(str::to_owned).collect(),
                "correct the file at the line shown; `intercom-guard config` prints what is in effect",
            ));
            let settings = Settings::defaults(Mode::Laptop);
            let detector = Detector::new(&settings.detect_options());
            (settings, Policy::laptop(), detector)
        }
    };

    let index = repo.index_or_empty().ok();
    let state: Option<&gix::index::State> = index.as_ref().map(|i| -> &gix::index::State { i });
    items.push(gitignore_item(&repo, state));
    items.push(tracked_env_item(state));
    let env_secrets = environment_secrets(&detector);
    let (head_item, env_item) = head_items(&repo, &policy, &detector, &env_secrets);
    items.push(head_item);
    items.push(hook_item(&repo));
    items.push(env_item);
    drop(settings);

    let failed = items.iter().any(|i| i.status == Status::Fail);
    let mut out = io::stdout().lock();
    let written = if common.format == Format::Json {
        writeln!(out, "{}", to_json(&items, failed))
    } else {
        write_human(&mut out, &repo, &items)
    };
    if let Err(err) = written
        && err.kind() != io::ErrorKind::BrokenPipe
    {
        return Err(CliError::Output(err));
    }
    Ok(if failed {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    })
}

fn render_diagnostic(err: settings::SettingsError) -> String {
    let report = miette::Report::new(err);
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut text = String::new();
    if handler.render_report(&mut text, report.as_ref()).is_err() {
        text = report.to_string();
    }
    text
}

fn config_item(settings: &Settings) -> Item {
    match &settings.config {
        Some((path, source)) => Item::pass(
            "config",
            format!("the configuration {} ({source}) parses", path.display()),
        ),
        None => Item::pass(
            "config",
            "no .intercom-guard.yaml: the defaults apply (`intercom-guard config` shows them)",
        ),
    }
}

/// `.gitignore` must ignore `.env`, `.env.local` and `.env.*.local`.
fn gitignore_item(repo: &gix::Repository, index: Option<&gix::index::State>) -> Item {
    const CHECK: &str = "gitignore";
    let fix = "add these lines to .gitignore and commit it:\n  .env\n  .env.local\n  .env.*.local";
    let Some(workdir) = repo.workdir().map(Path::to_owned) else {
        return Item::pass(CHECK, "bare repository: no work tree to protect");
    };
    let empty;
    let index = match index {
        Some(i) => i,
        None => {
            empty = gix::index::State::new(repo.object_hash());
            &empty
        }
    };
    let mut stack = match repo.excludes(
        index,
        None,
        gix::worktree::stack::state::ignore::Source::WorktreeThenIdMappingIfNotSkipped,
    ) {
        Ok(s) => s,
        Err(err) => {
            return Item::problem(
                CHECK,
                Status::Fail,
                "cannot read the ignore files",
                vec![err.to_string()],
                fix,
            );
        }
    };
    let mut missing = Vec::new();
    for name in ENV_NAMES {
        let shown = if name == ENV_NAMES[2] {
            format!("{name} (for .env.*.local)")
        } else {
            name.to_owned()
        };
        let platform = match stack.at_path(name, Some(gix::index::entry::Mode::FILE)) {
            Ok(p) => p,
            Err(err) => {
                missing.push(format!("{shown}: cannot be checked ({err})"));
                continue;
            }
        };
        match platform.matching_exclude_pattern() {
            Some(m) if !m.pattern.is_negative() => {
                let shared = m.source.is_some_and(|src| {
                    src.file_name().is_some_and(|f| f == ".gitignore")
                        && absolute(src).starts_with(&workdir)
                });
                if !shared {
                    let from = m
                        .source
                        .map_or_else(|| "a built-in rule".to_owned(), |s| s.display().to_string());
                    missing.push(format!(
                        "{shown}: ignored only by {from}, which is not shared with the team"
                    ));
                }
            }
            Some(m) => missing.push(format!(
                "{shown}: re-included by `{}` in {}",
                m.pattern,
                m.source
                    .map_or_else(String::new, |s| s.display().to_string())
            )),
            None => missing.push(format!("{shown}: not ignored")),
        }
    }
    if missing.is_empty() {
        Item::pass(
            CHECK,
            ".gitignore ignores .env, .env.local and .env.*.local",
        )
    } else {
        Item::problem(
            CHECK,
            Status::Fail,
            ".gitignore does not ignore every local .env file",
            missing,
            fix,
        )
    }
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_owned())
}

/// What a tracked file named like an env file is.
#[derive(Debug, PartialEq, Eq)]
enum EnvFile {
    /// `.env`, `.env.local`, `.env.*.local`: local secrets.
    Local,
    /// `.env.<something>` that is not a template: may hold real values.
    Other,
    Template,
}

fn env_file_kind(path: &[u8]) -> Option<EnvFile> {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let name = std::str::from_utf8(name).ok()?;
    if name == ".env" || name == ".env.local" {
        return Some(EnvFile::Local);
    }
    let rest = name.strip_prefix(".env.")?;
    if rest.ends_with(".local") {
        return Some(EnvFile::Local);
    }
    let lower = rest.to_ascii_lowercase();
    if lower.split('.').any(|part| TEMPLATES.contains(&part)) {
        Some(EnvFile::Template)
    } else {
        Some(EnvFile::Other)
    }
}

fn tracked_env_item(index: Option<&gix::index::State>) -> Item {
    const CHECK: &str = "tracked-env";
    let Some(index) = index else {
        return Item::pass(CHECK, "no index: nothing is tracked");
    };
    let mut local = Vec::new();
    let mut other = Vec::new();
    for entry in index.entries() {
        let path = entry.path(index);
        match env_file_kind(path) {
            Some(EnvFile::Local) => local.push(sanitize(&path.to_string())),
            Some(EnvFile::Other) => other.push(sanitize(&path.to_string())),
            _ => {}
        }
    }
    if !local.is_empty() {
        let rm = local.join(" ");
        Item::problem(
            CHECK,
            Status::Fail,
            "a local .env file is tracked by git",
            local,
            format!(
                "untrack it and keep the file: `git rm --cached {rm}`, commit, and rotate any \
                 secret it held (it stays in history: purge with `git filter-repo`); commit a \
                 template such as .env.example instead"
            ),
        )
    } else if !other.is_empty() {
        Item::problem(
            CHECK,
            Status::Warn,
            "a .env-style file is tracked; check that it holds no real values",
            other,
            "rename it to a template (.env.example) with placeholders, or untrack it with `git rm --cached`",
        )
    } else {
        Item::pass(CHECK, "no .env, .env.local or .env.*.local file is tracked")
    }
}

/// A variable of the environment whose value the engine reports as a secret.
struct EnvSecret {
    name: String,
    value: Vec<u8>,
    fingerprint: String,
}

fn environment_secrets(detector: &Detector) -> Vec<EnvSecret> {
    let mut out = Vec::new();
    for (name, value) in std::env::vars_os() {
        let (Some(name), Some(value)) = (name.to_str(), os_bytes(&value)) else {
            continue;
        };
        if value.len() < 8 || value.contains(&b'\n') {
            continue;
        }
        let mut line = format!("{name}=").into_bytes();
        let start = line.len();
        line.extend_from_slice(&value);
        line.push(b'\n');
        let found = detector
            .find(&line)
            .into_iter()
            .find(|m| m.start >= start && m.end <= start + value.len());
        if let Some(m) = found {
            out.push(EnvSecret {
                name: name.to_owned(),
                value: line[m.start..m.end].to_vec(),
                fingerprint: m.fingerprint,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn os_bytes(value: &OsString) -> Option<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(value.as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    {
        value.to_str().map(|s| s.as_bytes().to_vec())
    }
}

/// The files at `HEAD`: secrets through the policy, and the environment's
/// credentials anywhere (an allowlisted path or an accepted fingerprint
/// does not make a live credential in the repository fine).
/// The id of the "no secret in the files at HEAD" check.
const HEAD: &str = "secrets-at-head";

fn head_items(
    repo: &gix::Repository,
    policy: &Policy,
    detector: &Detector,
    env: &[EnvSecret],
) -> (Item, Item) {
    const ENV: &str = "environment";
    let env_names = || {
        env.iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let env_pass = || {
        if env.is_empty() {
            Item::pass(
                ENV,
                "no Intercom credential in the environment of this shell",
            )
        } else {
            Item::pass(
                ENV,
                format!(
                    "the credentials in the environment ({}) are not written in any file at HEAD",
                    env_names()
                ),
            )
        }
    };
    let tree = match repo.head_tree_id() {
        Ok(id) => id.detach(),
        Err(_) if repo.head().is_ok_and(|h| h.is_unborn()) => {
            return (
                Item::pass(HEAD, "no commit yet: nothing at HEAD"),
                env_pass(),
            );
        }
        Err(err) => return (unreadable_head(err.to_string()), env_pass()),
    };
    let files = match repo.index_from_tree(&tree) {
        Ok(f) => f,
        Err(err) => return (unreadable_head(err.to_string()), env_pass()),
    };
    let env_matcher = AhoCorasick::new(env.iter().map(|e| e.value.as_slice())).ok();
    let mut stats = Stats::default();
    let mut findings: Vec<Finding> = Vec::new();
    let mut unreadable = Vec::new();
    // (variable name, where) for each environment credential found.
    let mut env_hits: Vec<(usize, String)> = Vec::new();
    for entry in files.entries() {
        if entry.mode != gix::index::entry::Mode::FILE
            && entry.mode != gix::index::entry::Mode::FILE_EXECUTABLE
        {
            continue;
        }
        let path = entry.path(&files).to_vec();
        let shown = sanitize(&String::from_utf8_lossy(&path));
        let data = match repo.find_blob(entry.id) {
            Ok(mut blob) => blob.take_data(),
            Err(err) => {
                unreadable.push(format!("{shown}: {err}"));
                continue;
            }
        };
        if let Some(ac) = &env_matcher {
            for m in ac.find_iter(&data) {
                let line = data[..m.start()].iter().filter(|&&b| b == b'\n').count() + 1;
                env_hits.push((m.pattern().as_usize(), format!("{shown}:{line}")));
            }
        }
        let matches = detector.find(&data);
        // The same credential written another way (encoded, escaped).
        for m in &matches {
            if let Some(i) = env.iter().position(|e| e.fingerprint == m.fingerprint) {
                let line = data[..m.start].iter().filter(|&&b| b == b'\n').count() + 1;
                env_hits.push((i, format!("{shown}:{line}")));
            }
        }
        if !policy.admits_path(&path, &mut stats) {
            continue;
        }
        stats.blobs += 1;
        stats.bytes += data.len() as u64;
        let kept = policy.filter(&data, matches, &mut stats);
        findings.extend(locate::findings(
            &data,
            &kept,
            locate::Origin {
                path: &path,
                commit: None,
            },
        ));
    }

    let head_item = if !findings.is_empty() || !unreadable.is_empty() {
        let mut details: Vec<String> = findings
            .iter()
            .take(MAX_LISTED)
            .map(|f| {
                format!(
                    "{}:{} {} (fingerprint {})",
                    sanitize(&String::from_utf8_lossy(&f.path)),
                    f.line
                        .map_or_else(|| "binary".to_owned(), |l| l.to_string()),
                    f.kind.describe(),
                    f.fingerprint
                )
            })
            .collect();
        if findings.len() > MAX_LISTED {
            details.push(format!("… and {} more", findings.len() - MAX_LISTED));
        }
        details.extend(unreadable.iter().map(|u| format!("unreadable: {u}")));
        Item::problem(
            HEAD,
            Status::Fail,
            format!(
                "{} Intercom secret{} in the files at HEAD",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            ),
            details,
            "rotate each secret now (`intercom-guard scan .` prints the steps), remove it from the \
             files, and purge history with `git filter-repo --replace-text`; a known false \
             positive goes to allow.fingerprints or allow.paths in .intercom-guard.yaml",
        )
    } else {
        let mut message = format!(
            "no Intercom secret in the {} file{} at HEAD",
            stats.blobs,
            if stats.blobs == 1 { "" } else { "s" }
        );
        let mut notes = Vec::new();
        if stats.accepted > 0 {
            notes.push(format!("{} accepted", stats.accepted));
        }
        if stats.suppressed_inline > 0 {
            notes.push(format!(
                "{} suppressed by intercom-guard:allow",
                stats.suppressed_inline
            ));
        }
        if stats.allowlisted_paths > 0 {
            notes.push(format!("{} allowlisted paths", stats.allowlisted_paths));
        }
        if !notes.is_empty() {
            message.push_str(&format!(" ({})", notes.join(", ")));
        }
        Item::pass(HEAD, message)
    };

    let env_item = if env_hits.is_empty() {
        env_pass()
    } else {
        env_hits.sort();
        env_hits.dedup();
        let mut details: Vec<String> = env_hits
            .iter()
            .take(MAX_LISTED)
            .map(|(i, at)| format!("${} is written in {at}", env[*i].name))
            .collect();
        if env_hits.len() > MAX_LISTED {
            details.push(format!("… and {} more", env_hits.len() - MAX_LISTED));
        }
        let mut names: Vec<&str> = env_hits
            .iter()
            .map(|(i, _)| env[*i].name.as_str())
            .collect();
        names.dedup();
        Item::problem(
            ENV,
            Status::Fail,
            format!(
                "a credential of this shell's environment is written in the repository ({})",
                names.join(", ")
            ),
            details,
            "the live credential is in git: rotate it in Developer Hub now, replace the value in \
             the file with a reference (`process.env.NAME`, `${NAME}`), and purge history with \
             `git filter-repo --replace-text`",
        )
    };
    (head_item, env_item)
}

/// Whether an intercom-guard hook (or a hook manager running ours) is installed.
fn hook_item(repo: &gix::Repository) -> Item {
    const CHECK: &str = "hook";
    let fix = "install one: `intercom-guard install` (or copy hooks/pre-commit), or add \
               `- id: intercom-guard` to .pre-commit-config.yaml and run `pre-commit install`";
    let workdir = repo.workdir().map(Path::to_owned);
    let hooks_dir = match hooks::hooks_dir(repo) {
        Ok(dir) => dir,
        Err(err) => {
            return Item::problem(
                CHECK,
                Status::Warn,
                "cannot tell where git looks for hooks: core.hooksPath cannot be read",
                vec![err.to_string()],
                "`git config core.hooksPath` shows the value; fix or unset it",
            );
        }
    };
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let in_tree = |names: &[&str]| -> bool {
        workdir.as_ref().is_some_and(|w| {
            names
                .iter()
                .any(|n| read(&w.join(n)).contains("intercom-guard"))
        })
    };
    let mut found = Vec::new();
    let mut not_executable = Vec::new();
    for hook in ["pre-commit", "pre-push", "pre-receive"] {
        let path = hooks_dir.join(hook);
        let text = read(&path);
        if text.is_empty() {
            continue;
        }
        let ours = text.contains("intercom-guard")
            || (text.contains("pre-commit") && text.contains("File generated by pre-commit")
                || text.contains("pre_commit"))
                && in_tree(&[".pre-commit-config.yaml", ".pre-commit-config.yml"])
            || text.contains("lefthook")
                && in_tree(&[
                    "lefthook.yml",
                    "lefthook.yaml",
                    ".lefthook.yml",
                    ".lefthook.yaml",
                ])
            || text.contains("husky") && in_tree(&[&format!(".husky/{hook}")]);
        if !ours {
            continue;
        }
        if is_executable(&path) {
            found.push(format!("{hook} ({})", path.display()));
        } else {
            not_executable.push(path.display().to_string());
        }
    }
    if !found.is_empty() {
        Item::pass(
            CHECK,
            format!("intercom-guard runs as {}", found.join(", ")),
        )
    } else if !not_executable.is_empty() {
        Item::problem(
            CHECK,
            Status::Warn,
            "an intercom-guard hook is installed but git will not run it: it is not executable",
            not_executable.clone(),
            format!("chmod +x {}", not_executable.join(" ")),
        )
    } else {
        Item::problem(
            CHECK,
            Status::Warn,
            "no intercom-guard hook is installed: secrets are only caught on the server, if at all",
            vec![format!("looked in {}", hooks_dir.display())],
            fix,
        )
    }
}

fn write_human(out: &mut dyn Write, repo: &gix::Repository, items: &[Item]) -> io::Result<()> {
    let place = repo.workdir().unwrap_or_else(|| repo.git_dir());
    writeln!(out, "intercom-guard doctor: {}", place.display())?;
    writeln!(out)?;
    for item in items {
        let mark = match item.status {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        };
        writeln!(out, "{mark}  {}: {}", item.check, item.message)?;
        for d in &item.details {
            writeln!(out, "        {d}")?;
        }
        if let Some(fix) = &item.fix {
            let mut lines = fix.lines();
            if let Some(first) = lines.next() {
                writeln!(out, "      fix: {first}")?;
            }
            for l in lines {
                writeln!(out, "      {l}")?;
            }
        }
    }
    let failed = items.iter().filter(|i| i.status == Status::Fail).count();
    let warned = items.iter().filter(|i| i.status == Status::Warn).count();
    writeln!(out)?;
    writeln!(
        out,
        "{} checks: {} passed, {failed} failed, {warned} warning{}",
        items.len(),
        items.len() - failed - warned,
        if warned == 1 { "" } else { "s" }
    )?;
    out.flush()
}

fn to_json(items: &[Item], failed: bool) -> serde_json::Value {
    json!({
        "ok": !failed,
        "checks": items.iter().map(|i| json!({
            "check": i.check,
            "status": i.status.as_str(),
            "message": i.message,
            "details": i.details,
            "fix": i.fix,
        })).collect::<Vec<_>>(),
    })
}

/// The HEAD check when HEAD's tree cannot be read.
fn unreadable_head(cause: String) -> Item {
    Item::problem(
        HEAD,
        Status::Fail,
        "cannot read the tree of HEAD",
        vec![cause],
        "`git fsck` names the broken objects",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_names() {
        assert_eq!(env_file_kind(b".env"), Some(EnvFile::Local));
        assert_eq!(env_file_kind(b"app/.env.local"), Some(EnvFile::Local));
        assert_eq!(
            env_file_kind(b".env.production.local"),
            Some(EnvFile::Local)
        );
        assert_eq!(env_file_kind(b".env.example"), Some(EnvFile::Template));
        assert_eq!(env_file_kind(b"x/.env.sample"), Some(EnvFile::Template));
        assert_eq!(env_file_kind(b".env.production"), Some(EnvFile::Other));
        assert_eq!(env_file_kind(b"env"), None);
        assert_eq!(env_file_kind(b".envrc"), None);
        assert_eq!(env_file_kind(b"src/.environment"), None);
    }
}
