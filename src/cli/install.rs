//! `intercom-guard install [--hook pre-commit|pre-push|pre-receive] [--force]`:
//! write the hook where git will run it.
//!
//! The hooks folder is the one git runs hooks from ([`hooks::hooks_dir`]:
//! `core.hooksPath` when set, else `hooks/` in the git directory), the same
//! folder `doctor` looks in.
//! The hook written is the same shell script as `hooks/<name>` in this
//! repository: it finds the binary through `$INTERCOM_GUARD_BIN` or `PATH`.
//!
//! An existing hook that is ours (it carries [`MARKER`]) is updated in place;
//! installing twice changes nothing. A hook that is not ours is never lost:
//! without `--force` the command refuses (exit 2) and names the file; with
//! `--force` the old file is first moved aside to `<hook>.intercom-guard-backup`
//! (or `...-backup.N`), then replaced.

use std::io::{self, Write as _};
use std::path::Path;

use crate::install::{HookName, InstallError, Installed, install};
use crate::source::hooks::{self, is_executable};

pub(super) fn run(hook: Option<HookName>, force: bool) -> Result<u8, super::CliError> {
    let repo = crate::source::repo::open(Path::new("."))?;
    let hook = hook.unwrap_or(if repo.is_bare() {
        HookName::PreReceive
    } else {
        HookName::PreCommit
    });
    let dir = hooks::hooks_dir(&repo).map_err(|source| InstallError::HooksPath { source })?;
    let done = install(&dir, hook, force)?;
    let mut out = io::stdout().lock();
    let _ = match &done {
        Installed::Created(p) => writeln!(
            out,
            "installed the {} hook: {}",
            hook.file_name(),
            p.display()
        ),
        Installed::Updated(p) => writeln!(
            out,
            "updated the {} hook: {}",
            hook.file_name(),
            p.display()
        ),
        Installed::Unchanged(p) => writeln!(
            out,
            "the {} hook is already installed: {}",
            hook.file_name(),
            p.display()
        ),
        Installed::Replaced(p, backup) => writeln!(
            out,
            "installed the {} hook: {} (the previous hook is kept as {})",
            hook.file_name(),
            p.display(),
            backup.display()
        ),
    };
    if std::env::var_os("INTERCOM_GUARD_BIN").is_none() && !on_path("intercom-guard") {
        let _ = writeln!(
            io::stderr().lock(),
            "note: intercom-guard is not on PATH; the hook refuses to run until it is, or until INTERCOM_GUARD_BIN names the binary"
        );
    }
    Ok(super::EXIT_CLEAN)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| is_executable(&dir.join(program)))
    })
}
