//! Writing a hook where git will run it, for `intercom-guard install`.
//!
//! The hook written is the shell script `hooks/<name>` of this repository,
//! with the binary that installed it recorded in its `installed_bin=''`
//! line. The script runs `$INTERCOM_GUARD_BIN` if set, else `intercom-guard`
//! on `PATH`, else that recorded binary: GUI and IDE git clients run hooks
//! with a short `PATH` (`/usr/bin:/bin`) that seldom holds it. `PATH` comes
//! first so that an upgrade on `PATH` is the one that runs; the recorded
//! path is only the fallback.
//!
//! An existing hook that is ours (it carries [`MARKER`]) is updated in place;
//! installing twice changes nothing. A hook that is not ours is never lost:
//!
//! - a hook manager's own hook (the pre-commit framework, husky, lefthook:
//!   [`hook_managers`]) is left untouched and `install` says how to add
//!   intercom-guard to that manager's configuration instead (exit 2): the
//!   manager would undo a chained hook on its next install, or run it under
//!   the wrong name;
//! - any other hook is kept and chained: it is renamed to
//!   `<hook>.intercom-guard-chained` next to ours, and our hook runs it
//!   first, with the same arguments and stdin; its failure still blocks;
//! - with `force`, either is moved aside to `<hook>.intercom-guard-backup`
//!   (or `...-backup.N`) and replaced, and not run.

use std::io;
use std::path::{Path, PathBuf};

use crate::source::hook_managers;
use crate::source::hooks::is_executable;

/// Which hook (`install --hook`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HookName {
    PreCommit,
    PrePush,
    PreReceive,
}

/// The line every hook we write carries; how `install` tells ours apart.
pub const MARKER: &str = "# intercom-guard: managed hook";

/// The line of each shipped script that `install` fills with the binary.
const RECORDED_LINE: &str = "installed_bin=''\n";

/// What a foreign hook is renamed to when ours chains it (`<hook>` + this).
pub const CHAINED_SUFFIX: &str = ".intercom-guard-chained";

mod guidance;

const PRE_COMMIT: &str = include_str!("../hooks/pre-commit");
const PRE_PUSH: &str = include_str!("../hooks/pre-push");
const PRE_RECEIVE: &str = include_str!("../hooks/pre-receive");

/// What can go wrong installing a hook. All are exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InstallError {
    #[error("{} is {manager}'s hook; it was left untouched", path.display())]
    #[diagnostic(code(intercom_guard::install::hook_manager), help("{guidance}"))]
    Managed {
        path: PathBuf,
        manager: &'static str,
        guidance: String,
    },

    #[error(
        "{} is not an intercom-guard hook, and {} already holds the hook it chains; both were left untouched",
        path.display(),
        chained.display()
    )]
    #[diagnostic(
        code(intercom_guard::install::chain_taken),
        help(
            "call intercom-guard from that hook yourself (add the line `{line}`),\nor merge the two hooks into {}, or re-run with --force to replace {} (it is kept as {})",
            chained.display(),
            path.display(),
            backup.display()
        )
    )]
    ChainTaken {
        path: PathBuf,
        chained: PathBuf,
        backup: PathBuf,
        line: &'static str,
    },

    #[error("cannot read the hooks path from the git configuration")]
    #[diagnostic(
        code(intercom_guard::install::hooks_path),
        help("`git config core.hooksPath` shows the value; fix or unset it")
    )]
    HooksPath {
        #[source]
        source: gix::Error,
    },

    #[error("cannot write {}", path.display())]
    #[diagnostic(
        code(intercom_guard::install::write),
        help("check that the folder exists and is writable")
    )]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl HookName {
    pub fn file_name(self) -> &'static str {
        match self {
            HookName::PreCommit => "pre-commit",
            HookName::PrePush => "pre-push",
            HookName::PreReceive => "pre-receive",
        }
    }

    /// The shipped script, with an empty recorded binary.
    pub fn script(self) -> &'static str {
        match self {
            HookName::PreCommit => PRE_COMMIT,
            HookName::PrePush => PRE_PUSH,
            HookName::PreReceive => PRE_RECEIVE,
        }
    }

    /// The script as `install` writes it: `recorded` (the installing
    /// binary) filled into its `installed_bin=''` line.
    pub fn rendered(self, recorded: Option<&Path>) -> Vec<u8> {
        let script = self.script();
        match (recorded, script.split_once(RECORDED_LINE)) {
            (Some(recorded), Some((head, tail))) => {
                let mut out = head.as_bytes().to_vec();
                out.extend_from_slice(b"installed_bin=");
                out.extend(shell_quote(&crate::source::path_bytes(&portable(recorded))));
                out.push(b'\n');
                out.extend_from_slice(tail.as_bytes());
                out
            }
            _ => script.as_bytes().to_vec(),
        }
    }

    /// The line a hook of the user's can call to run ours.
    fn call_line(self) -> &'static str {
        match self {
            HookName::PreCommit => "intercom-guard pre-commit || exit $?",
            HookName::PrePush => {
                "intercom-guard pre-push \"$@\" || exit $?   (stdin must reach it)"
            }
            HookName::PreReceive => "intercom-guard pre-receive || exit $?   (stdin must reach it)",
        }
    }
}

/// What `install` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    Created(PathBuf),
    Updated(PathBuf),
    Unchanged(PathBuf),
    /// Kept the foreign hook at `chained`; ours runs it first.
    Chained {
        path: PathBuf,
        chained: PathBuf,
    },
    /// Replaced a foreign hook (`--force`), kept at `backup`; it no longer runs.
    Replaced {
        path: PathBuf,
        backup: PathBuf,
    },
}

/// Where `install` writes, and what the hook falls back to.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The folder git runs hooks from.
    pub dir: &'a Path,
    pub hook: HookName,
    /// The binary recorded in the hook, run when none is on `PATH`.
    pub recorded: Option<&'a Path>,
    /// The work tree, where hook managers keep their configuration.
    pub workdir: Option<&'a Path>,
}

/// Write the hook, never losing a hook that is not ours.
pub fn install(target: &Target<'_>, force: bool) -> Result<Installed, InstallError> {
    let hook = target.hook;
    let dir = target.dir;
    let path = dir.join(hook.file_name());
    let chained = chained_path(&path);
    let script = hook.rendered(target.recorded);
    let existing = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(write_error(&path)(e)),
    };
    // The old hook, and where it goes before ours is written.
    let mut moved = None;
    let outcome = match &existing {
        None => Installed::Created(path.clone()),
        Some(bytes) if *bytes == script && is_executable(&path) => {
            return Ok(Installed::Unchanged(path));
        }
        Some(bytes) if contains(bytes, MARKER.as_bytes()) => Installed::Updated(path.clone()),
        Some(_) if force => {
            let backup = backup_path(&path);
            moved = Some(backup.clone());
            Installed::Replaced {
                path: path.clone(),
                backup,
            }
        }
        Some(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            if let Some(manager) = hook_managers::manager_of(&path, &text) {
                return Err(InstallError::Managed {
                    guidance: guidance::for_manager(hook, &manager, target.workdir),
                    manager: manager.name(),
                    path,
                });
            }
            if std::fs::symlink_metadata(&chained).is_ok() {
                return Err(InstallError::ChainTaken {
                    backup: backup_path(&path),
                    line: hook.call_line(),
                    path,
                    chained,
                });
            }
            moved = Some(chained.clone());
            Installed::Chained {
                path: path.clone(),
                chained: chained.clone(),
            }
        }
    };
    std::fs::create_dir_all(dir).map_err(write_error(dir))?;
    if let Some(aside) = &moved {
        std::fs::rename(&path, aside).map_err(write_error(aside))?;
    }
    // Write next to the target, then rename: git never runs a half-written hook.
    let tmp = dir.join(format!(".{}.intercom-guard-tmp", hook.file_name()));
    let written = (|| -> io::Result<()> {
        std::fs::write(&tmp, &script)?;
        set_executable(&tmp)?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        if let Some(aside) = moved {
            // Put the user's hook back where it was.
            let _ = std::fs::rename(&aside, &path);
        }
        return Err(InstallError::Write { path, source });
    }
    Ok(outcome)
}

/// `<hook>.intercom-guard-chained`: the user's hook that ours runs first.
pub fn chained_path(hook: &Path) -> PathBuf {
    let mut name = hook.as_os_str().to_owned();
    name.push(CHAINED_SUFFIX);
    PathBuf::from(name)
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> InstallError + use<> {
    let path = path.to_owned();
    move |source| InstallError::Write { path, source }
}

/// `<hook>.intercom-guard-backup`, or `...-backup.N` when that is taken.
fn backup_path(path: &Path) -> PathBuf {
    let base = format!("{}.intercom-guard-backup", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 1;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        candidate = PathBuf::from(format!("{base}.{n}"));
        n += 1;
    }
    candidate
}

/// `bytes` as one single-quoted word of the POSIX shell.
fn shell_quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in bytes {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// The path as the hook's shell reads it: on Windows, git's sh takes
/// `C:/...` where Windows writes `C:\...`.
fn portable(path: &Path) -> PathBuf {
    #[cfg(windows)]
    {
        PathBuf::from(path.to_string_lossy().replace('\\', "/"))
    }
    #[cfg(not(windows))]
    {
        path.to_owned()
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(unix)]
fn set_executable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOOKS: [(HookName, &str); 3] = [
        (HookName::PreCommit, "pre-commit"),
        (HookName::PrePush, "pre-push"),
        (HookName::PreReceive, "pre-receive"),
    ];

    #[test]
    fn every_shipped_hook_carries_the_marker_the_fallback_and_the_chain() {
        for (hook, mode) in HOOKS {
            let script = hook.script();
            assert!(script.starts_with("#!/bin/sh\n"), "{mode}");
            assert!(script.contains(MARKER), "{mode} lacks the marker");
            assert!(script.contains(&format!("exec \"$bin\" {mode}")), "{mode}");
            assert!(script.contains("INTERCOM_GUARD_BIN"), "{mode}");
            assert_eq!(script.matches(RECORDED_LINE).count(), 1, "{mode}");
            assert!(
                script.contains(&format!("{mode}{CHAINED_SUFFIX}")),
                "{mode} does not run a chained hook"
            );
        }
    }

    #[test]
    fn the_recorded_binary_is_one_shell_word() {
        let script = HookName::PrePush.rendered(Some(Path::new("/opt/it's here/intercom-guard")));
        let text = String::from_utf8(script).unwrap();
        assert!(
            text.contains("\ninstalled_bin='/opt/it'\\''s here/intercom-guard'\n"),
            "{text}"
        );
        assert!(!text.contains(RECORDED_LINE));
        assert_eq!(
            HookName::PrePush.rendered(None),
            HookName::PrePush.script().as_bytes()
        );
    }

    fn target(dir: &Path, hook: HookName) -> Target<'_> {
        Target {
            dir,
            hook,
            recorded: Some(Path::new("/usr/local/bin/intercom-guard")),
            workdir: None,
        }
    }

    #[test]
    fn installs_updates_chains_and_never_loses_a_foreign_hook() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("hooks");
        let path = hooks.join("pre-push");
        let chained = hooks.join("pre-push.intercom-guard-chained");
        let t = target(&hooks, HookName::PrePush);
        assert_eq!(
            install(&t, false).unwrap(),
            Installed::Created(path.clone())
        );
        assert!(is_executable(&path));
        assert_eq!(
            install(&t, false).unwrap(),
            Installed::Unchanged(path.clone())
        );
        // Another binary installing: the recorded path follows it.
        let other = Target {
            recorded: Some(Path::new("/home/me/.cargo/bin/intercom-guard")),
            ..t.clone()
        };
        assert_eq!(
            install(&other, false).unwrap(),
            Installed::Updated(path.clone())
        );
        std::fs::write(&path, format!("#!/bin/sh\n{MARKER}\nold version\n")).unwrap();
        assert_eq!(
            install(&t, false).unwrap(),
            Installed::Updated(path.clone())
        );

        let mine = "#!/bin/sh\necho mine\n";
        std::fs::write(&path, mine).unwrap();
        assert_eq!(
            install(&t, false).unwrap(),
            Installed::Chained {
                path: path.clone(),
                chained: chained.clone()
            }
        );
        assert_eq!(std::fs::read_to_string(&chained).unwrap(), mine);
        assert_eq!(std::fs::read(&path).unwrap(), t.hook.rendered(t.recorded));
        assert_eq!(
            install(&t, false).unwrap(),
            Installed::Unchanged(path.clone())
        );

        // A second foreign hook while the first is chained: both are kept.
        std::fs::write(&path, "#!/bin/sh\necho another\n").unwrap();
        let err = install(&t, false).unwrap_err();
        assert!(matches!(err, InstallError::ChainTaken { .. }), "{err:?}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "#!/bin/sh\necho another\n"
        );
        assert_eq!(std::fs::read_to_string(&chained).unwrap(), mine);

        let done = install(&t, true).unwrap();
        let Installed::Replaced { backup, .. } = done else {
            panic!("expected a replacement: {done:?}");
        };
        assert_eq!(
            std::fs::read_to_string(&backup).unwrap(),
            "#!/bin/sh\necho another\n"
        );
        assert_eq!(std::fs::read(&path).unwrap(), t.hook.rendered(t.recorded));
    }

    #[test]
    fn a_hook_managers_hook_is_left_alone_with_the_way_to_add_ours() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("hooks");
        std::fs::create_dir_all(&hooks).unwrap();
        let path = hooks.join("pre-commit");
        let framework = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n# ID: 138fd403232d2ddd5efb44317e38bf03\n";
        std::fs::write(&path, framework).unwrap();
        let t = target(&hooks, HookName::PreCommit);
        let err = install(&t, false).unwrap_err();
        let InstallError::Managed { guidance, .. } = &err else {
            panic!("{err:?}");
        };
        assert!(
            guidance.contains("entry: intercom-guard pre-commit"),
            "{guidance}"
        );
        assert!(guidance.contains("pre-commit install"), "{guidance}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), framework);
        assert!(!chained_path(&path).exists());
        assert!(matches!(
            install(&t, true).unwrap(),
            Installed::Replaced { .. }
        ));
    }
}
