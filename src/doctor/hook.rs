//! The hooks: is an intercom-guard hook installed where git runs hooks
//! (directly, or through the pre-commit framework, husky or lefthook with
//! ours in their configuration: [`hook_managers`]), and will git run it.
//! A warning at worst.

use std::path::{Path, PathBuf};

use super::{Item, Status};
use crate::source::hook_managers::{self, LEFTHOOK_CONFIGS, Manager, PRE_COMMIT_CONFIGS};
use crate::source::hooks::{self, is_executable};

const HOOKS: [&str; 3] = ["pre-commit", "pre-push", "pre-receive"];

/// Whether an intercom-guard hook (or a hook manager running ours) is installed.
pub(super) fn hook_item(repo: &gix::Repository) -> Item {
    const CHECK: &str = "hook";
    let fix = "install one: `intercom-guard install`, or add `- id: intercom-guard` to \
               .pre-commit-config.yaml and run `pre-commit install`";
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
    // husky v9 hooks whose script does not run ours: where to add it.
    let mut husky_scripts: Vec<PathBuf> = Vec::new();
    for hook in HOOKS {
        let path = hooks_dir.join(hook);
        let text = read(&path);
        if text.is_empty() {
            continue;
        }
        let via = match hook_managers::manager_of(&path, &text) {
            _ if text.contains("intercom-guard") => Some(String::new()),
            Some(Manager::PreCommit) => {
                in_tree(&PRE_COMMIT_CONFIGS).then(|| " through the pre-commit framework".to_owned())
            }
            Some(Manager::Lefthook) => {
                in_tree(&LEFTHOOK_CONFIGS).then(|| " through lefthook".to_owned())
            }
            Some(Manager::HuskyV9 { script }) => {
                if read(&script).contains("intercom-guard") {
                    Some(format!(" through husky: {}", script.display()))
                } else {
                    husky_scripts.push(script);
                    None
                }
            }
            // husky v4: package.json's hooks, run from .git/hooks; the
            // user's `.husky/<hook>` otherwise.
            Some(Manager::Husky) | None => (text.contains("husky")
                && in_tree(&[&format!(".husky/{hook}")]))
            .then(|| " through husky".to_owned()),
        };
        let Some(via) = via else {
            continue;
        };
        if is_executable(&path) {
            found.push(format!("{hook} ({}{via})", path.display()));
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
    } else if let Some(script) = husky_scripts.first() {
        Item::problem(
            CHECK,
            Status::Warn,
            "husky runs the hooks, but none of its scripts runs intercom-guard: secrets are only caught on the server, if at all",
            vec![format!(
                "core.hooksPath is {} (husky v9)",
                hooks_dir.display()
            )],
            format!(
                "add the line `intercom-guard pre-commit` to {} and commit it",
                script.with_file_name("pre-commit").display()
            ),
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
