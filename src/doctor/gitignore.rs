//! The work tree's `.env` files: `.gitignore` must ignore the local ones,
//! and none of them may be tracked (templates such as `.env.example` are
//! fine; another `.env.*` file is a warning).

use std::path::{Path, PathBuf};

use super::{Item, Status};
use crate::env_file::{EnvFile, env_file_kind};

/// The names `.gitignore` must ignore; the last stands for `.env.*.local`.
const ENV_NAMES: [&str; 3] = [".env", ".env.local", ".env.development.local"];

/// `.gitignore` must ignore `.env`, `.env.local` and `.env.*.local`.
pub(super) fn gitignore_item(repo: &gix::Repository, index: Option<&gix::index::State>) -> Item {
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

pub(super) fn tracked_env_item(index: Option<&gix::index::State>) -> Item {
    const CHECK: &str = "tracked-env";
    let Some(index) = index else {
        return Item::pass(CHECK, "no index: nothing is tracked");
    };
    let mut local = Vec::new();
    let mut other = Vec::new();
    for entry in index.entries() {
        let path = entry.path(index);
        match env_file_kind(path) {
            Some(EnvFile::Local) => local.push(path.to_string()),
            Some(EnvFile::Other) => other.push(path.to_string()),
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
