//! Writing a hook where git will run it, for `intercom-guard install`.
//!
//! The hook written is the same shell script as `hooks/<name>` in this
//! repository: it finds the binary through `$INTERCOM_GUARD_BIN` or `PATH`.
//! An existing hook that is ours (it carries [`MARKER`]) is updated in place;
//! installing twice changes nothing. A hook that is not ours is never lost:
//! without `force` it is refused (exit 2, naming the file); with `force` the
//! old file is first moved aside to `<hook>.intercom-guard-backup` (or
//! `...-backup.N`), then replaced.

use std::io;
use std::path::{Path, PathBuf};

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

const PRE_COMMIT: &str = include_str!("../hooks/pre-commit");
const PRE_PUSH: &str = include_str!("../hooks/pre-push");
const PRE_RECEIVE: &str = include_str!("../hooks/pre-receive");

/// What can go wrong installing a hook. All are exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InstallError {
    #[error("{} already exists and is not an intercom-guard hook; it was left untouched", path.display())]
    #[diagnostic(
        code(intercom_guard::install::foreign_hook),
        help(
            "either call intercom-guard from that hook yourself (add the line `{line}`),\nor re-run with --force to replace it: the old hook is kept as {}",
            backup.display()
        )
    )]
    ForeignHook {
        path: PathBuf,
        backup: PathBuf,
        line: String,
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

    fn script(self) -> &'static str {
        match self {
            HookName::PreCommit => PRE_COMMIT,
            HookName::PrePush => PRE_PUSH,
            HookName::PreReceive => PRE_RECEIVE,
        }
    }

    /// The command line a foreign hook can call to chain us.
    fn chain_line(self) -> &'static str {
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
    /// Replaced a foreign hook, kept at the second path.
    Replaced(PathBuf, PathBuf),
}

/// Write `hook` into `dir`, never losing a hook that is not ours.
pub fn install(dir: &Path, hook: HookName, force: bool) -> Result<Installed, InstallError> {
    let path = dir.join(hook.file_name());
    let script = hook.script();
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |source| InstallError::Write { path, source }
    };
    let existing = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(write_err(&path)(e)),
    };
    let mut backup = None;
    let outcome = match &existing {
        None => Installed::Created(path.clone()),
        Some(bytes) if bytes == script.as_bytes() && is_executable(&path) => {
            return Ok(Installed::Unchanged(path));
        }
        Some(bytes) if contains(bytes, MARKER.as_bytes()) => Installed::Updated(path.clone()),
        Some(_) => {
            let aside = backup_path(&path);
            if !force {
                return Err(InstallError::ForeignHook {
                    path,
                    backup: aside,
                    line: hook.chain_line().to_owned(),
                });
            }
            std::fs::rename(&path, &aside).map_err(write_err(&aside))?;
            backup = Some(aside.clone());
            Installed::Replaced(path.clone(), aside)
        }
    };
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    // Write next to the target, then rename: git never runs a half-written hook.
    let tmp = dir.join(format!(".{}.intercom-guard-tmp", hook.file_name()));
    let written = (|| -> io::Result<()> {
        std::fs::write(&tmp, script)?;
        set_executable(&tmp)?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        if let Some(aside) = backup {
            // Put the user's hook back where it was.
            let _ = std::fs::rename(&aside, &path);
        }
        return Err(InstallError::Write { path, source });
    }
    Ok(outcome)
}

/// `<hook>.intercom-guard-backup`, or `...-backup.N` when that is taken.
fn backup_path(path: &Path) -> PathBuf {
    let base = format!("{}.intercom-guard-backup", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 1;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}.{n}"));
        n += 1;
    }
    candidate
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

    #[test]
    fn every_shipped_hook_carries_the_marker_and_runs_its_mode() {
        for (hook, mode) in [
            (HookName::PreCommit, "pre-commit"),
            (HookName::PrePush, "pre-push"),
            (HookName::PreReceive, "pre-receive"),
        ] {
            let script = hook.script();
            assert!(script.starts_with("#!/bin/sh\n"), "{mode}");
            assert!(script.contains(MARKER), "{mode} lacks the marker");
            assert!(script.contains(&format!("exec \"$bin\" {mode}")), "{mode}");
            assert!(script.contains("INTERCOM_GUARD_BIN"), "{mode}");
        }
    }

    #[test]
    fn installs_updates_and_never_loses_a_foreign_hook() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("hooks");
        let path = hooks.join("pre-push");
        assert_eq!(
            install(&hooks, HookName::PrePush, false).unwrap(),
            Installed::Created(path.clone())
        );
        assert!(is_executable(&path));
        assert_eq!(
            install(&hooks, HookName::PrePush, false).unwrap(),
            Installed::Unchanged(path.clone())
        );
        std::fs::write(&path, format!("#!/bin/sh\n{MARKER}\nold version\n")).unwrap();
        assert_eq!(
            install(&hooks, HookName::PrePush, false).unwrap(),
            Installed::Updated(path.clone())
        );

        std::fs::write(&path, "#!/bin/sh\necho mine\n").unwrap();
        let err = install(&hooks, HookName::PrePush, false).unwrap_err();
        assert!(matches!(err, InstallError::ForeignHook { .. }));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "#!/bin/sh\necho mine\n"
        );
        let done = install(&hooks, HookName::PrePush, true).unwrap();
        let Installed::Replaced(_, backup) = done else {
            panic!("expected a replacement: {done:?}");
        };
        assert_eq!(
            std::fs::read_to_string(&backup).unwrap(),
            "#!/bin/sh\necho mine\n"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), PRE_PUSH);
    }
}
