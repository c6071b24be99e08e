//! What `install` says instead of touching a hook manager's hook: the
//! configuration that runs intercom-guard from that manager.

use std::path::Path;

use super::HookName;
use crate::source::hook_managers::{LEFTHOOK_CONFIGS, Manager, PRE_COMMIT_CONFIGS};

/// How to run `hook` from `manager`'s configuration (in `workdir`).
pub(super) fn for_manager(hook: HookName, manager: &Manager, workdir: Option<&Path>) -> String {
    let name = hook.file_name();
    let command = match hook {
        HookName::PreCommit => "intercom-guard pre-commit",
        HookName::PrePush => "intercom-guard pre-push \"$@\"",
        HookName::PreReceive => "intercom-guard pre-receive",
    };
    let force = "or re-run with --force to replace the manager's hook with intercom-guard's \
                 (it is moved aside, and no longer runs)";
    match manager {
        Manager::PreCommit => {
            let config = workdir
                .and_then(|w| {
                    PRE_COMMIT_CONFIGS
                        .iter()
                        .map(|c| w.join(c))
                        .find(|c| c.is_file())
                })
                .map_or_else(
                    || ".pre-commit-config.yaml".to_owned(),
                    |c| c.display().to_string(),
                );
            let (stage, then) = match hook {
                HookName::PrePush => ("pre-push", "pre-commit install --hook-type pre-push"),
                _ => ("pre-commit", "pre-commit install"),
            };
            format!(
                "add intercom-guard to {config} instead, then run `{then}`; it runs the \
                 intercom-guard on PATH:\n\
                 repos:\n  \
                 - repo: local\n    \
                   hooks:\n      \
                     - id: intercom-guard\n        \
                       name: intercom-guard\n        \
                       entry: intercom-guard {stage}\n        \
                       language: system\n        \
                       pass_filenames: false\n        \
                       always_run: true\n        \
                       stages: [{stage}]\n\
                 {force}"
            )
        }
        Manager::HuskyV9 { script } => format!(
            "add the line `{command}` to {} (husky runs it with sh -e), and commit it;\n{force}",
            script.display()
        ),
        Manager::Husky => format!(
            "add the line `{command}` to this file (husky's {name} script), and commit it;\n{force}"
        ),
        Manager::Lefthook => {
            let config = workdir
                .and_then(|w| {
                    LEFTHOOK_CONFIGS
                        .iter()
                        .map(|c| w.join(c))
                        .find(|c| c.is_file())
                })
                .map_or_else(|| "lefthook.yml".to_owned(), |c| c.display().to_string());
            let run = match hook {
                // lefthook hands git's stdin only to a command that asks.
                HookName::PrePush => "intercom-guard pre-push {1} {2}\n      use_stdin: true",
                _ => command,
            };
            format!(
                "add intercom-guard to {config} instead, then run `lefthook install`:\n\
                 {name}:\n  \
                 commands:\n    \
                   intercom-guard:\n      \
                     run: {run}\n\
                 {force}"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The YAML block of a guidance text: from `repos:` (or the hook's
    /// name) up to the `--force` line.
    fn yaml(text: &str, first: &str) -> serde_json::Value {
        let start = text.find(first).expect("a configuration");
        let end = text
            .find("\nor re-run with --force")
            .expect("the --force way");
        serde_saphyr::from_str(&text[start..end]).expect("valid YAML")
    }

    #[test]
    fn the_pre_commit_framework_gets_a_local_hook_for_its_stage() {
        for (hook, stage, then) in [
            (HookName::PreCommit, "pre-commit", "`pre-commit install`"),
            (
                HookName::PrePush,
                "pre-push",
                "`pre-commit install --hook-type pre-push`",
            ),
        ] {
            let text = for_manager(hook, &Manager::PreCommit, None);
            assert!(text.contains(then), "{text}");
            let config = yaml(&text, "repos:");
            let entry = &config["repos"][0];
            assert_eq!(entry["repo"], "local");
            let ours = &entry["hooks"][0];
            assert_eq!(ours["entry"], format!("intercom-guard {stage}"));
            assert_eq!(ours["language"], "system");
            assert_eq!(ours["pass_filenames"], false);
            assert_eq!(ours["stages"][0], stage);
        }
    }

    #[test]
    fn lefthook_gets_a_command_and_stdin_for_pre_push() {
        let text = for_manager(HookName::PrePush, &Manager::Lefthook, None);
        let config = yaml(&text, "pre-push:");
        let ours = &config["pre-push"]["commands"]["intercom-guard"];
        assert_eq!(ours["run"], "intercom-guard pre-push {1} {2}");
        assert_eq!(ours["use_stdin"], true);
        let text = for_manager(HookName::PreCommit, &Manager::Lefthook, None);
        let config = yaml(&text, "pre-commit:");
        assert_eq!(
            config["pre-commit"]["commands"]["intercom-guard"]["run"],
            "intercom-guard pre-commit"
        );
    }

    #[test]
    fn husky_gets_the_line_and_the_file() {
        let script = Path::new("/r/.husky/pre-push");
        let text = for_manager(
            HookName::PrePush,
            &Manager::HuskyV9 {
                script: script.to_owned(),
            },
            None,
        );
        assert!(
            text.starts_with("add the line `intercom-guard pre-push \"$@\"` to /r/.husky/pre-push"),
            "{text}"
        );
    }
}
