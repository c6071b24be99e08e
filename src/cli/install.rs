//! `intercom-guard install [--hook pre-commit|pre-push|pre-receive] [--force]`:
//! write the hook where git will run it ([`crate::install`] says what
//! happens to a hook that is already there).
//!
//! The hooks folder is the one git runs hooks from ([`hooks::hooks_dir`]:
//! `core.hooksPath` when set, else `hooks/` in the git directory), the same
//! folder `doctor` looks in.
//!
//! The hook records this binary, for git clients whose `PATH` lacks it:
//! the `intercom-guard` on `PATH` when that is this very file (its stable
//! name: `~/.local/bin/intercom-guard` rather than the pipx venv it links
//! to, `/opt/homebrew/bin/...` rather than a versioned cellar), else
//! [`std::env::current_exe`]. A build under cargo's `target/` is recorded
//! too, with a note: `cargo clean` removes it.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::install::{HookName, InstallError, Installed, Target, chained_path, install};
use crate::source::hooks::{self, is_executable};

const PROGRAM: &str = if cfg!(windows) {
    "intercom-guard.exe"
} else {
    "intercom-guard"
};

pub(super) fn run(hook: Option<HookName>, force: bool) -> Result<u8, super::CliError> {
    let repo = crate::source::repo::open(Path::new("."))?;
    let hook = hook.unwrap_or(if repo.is_bare() {
        HookName::PreReceive
    } else {
        HookName::PreCommit
    });
    let dir = hooks::hooks_dir(&repo).map_err(|source| InstallError::HooksPath { source })?;
    // Messages name the files absolutely, as the hook's note does.
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let on_path = find_on_path();
    let recorded = recorded_binary(on_path.as_deref());
    let target = Target {
        dir: &dir,
        hook,
        recorded: recorded.as_deref(),
        workdir: repo.workdir(),
    };
    let done = install(&target, force)?;
    let name = hook.file_name();
    let mut out = io::stdout().lock();
    let path = match &done {
        Installed::Created(p) => {
            let _ = writeln!(out, "installed the {name} hook: {}", p.display());
            p
        }
        Installed::Updated(p) => {
            let _ = writeln!(out, "updated the {name} hook: {}", p.display());
            p
        }
        Installed::Unchanged(p) => {
            let _ = writeln!(out, "the {name} hook is already installed: {}", p.display());
            p
        }
        Installed::Chained { path, chained } => {
            let _ = writeln!(
                out,
                "installed the {name} hook: {}\nthe hook that was there is kept as {} and runs first; when it fails, git stops as before",
                path.display(),
                chained.display()
            );
            path
        }
        Installed::Replaced { path, backup } => {
            let _ = writeln!(
                out,
                "installed the {name} hook: {} (the previous hook is kept as {} and no longer runs)",
                path.display(),
                backup.display()
            );
            path
        }
    };
    let chained = chained_path(path);
    if !matches!(done, Installed::Chained { .. }) && is_executable(&chained) {
        let _ = writeln!(out, "it also runs {} first", chained.display());
    }
    drop(out);
    notes(
        &mut io::stderr().lock(),
        on_path.as_deref(),
        recorded.as_deref(),
    );
    Ok(super::EXIT_CLEAN)
}

/// What the user should know about how the hook finds the binary.
fn notes(err: &mut dyn io::Write, on_path: Option<&Path>, recorded: Option<&Path>) {
    if std::env::var_os("INTERCOM_GUARD_BIN").is_some() {
        return;
    }
    match (on_path, recorded) {
        (None, Some(recorded)) => {
            let _ = writeln!(
                err,
                "note: intercom-guard is not on PATH; the hook runs {} instead",
                recorded.display()
            );
        }
        (None, None) => {
            let _ = writeln!(
                err,
                "note: intercom-guard is not on PATH; the hook refuses to run until it is, or until INTERCOM_GUARD_BIN names the binary"
            );
        }
        (Some(_), _) => {}
    }
    if let Some(recorded) = recorded.filter(|r| is_cargo_build(r)) {
        let _ = writeln!(
            err,
            "note: {} is a cargo build output, which `cargo clean` removes; once intercom-guard is installed (cargo install --path .), run `intercom-guard install` again",
            recorded.display()
        );
    }
}

/// The first `intercom-guard` on `PATH` (an absolute entry only: a
/// relative one means another file in every folder).
fn find_on_path() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(PROGRAM))
        .find(|candidate| is_executable(candidate))
}

/// The binary the hook falls back to: this one, by its name on `PATH` when
/// that name leads here.
fn recorded_binary(on_path: Option<&Path>) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe = exe.canonicalize().unwrap_or(exe);
    if let Some(named) = on_path
        && named.canonicalize().is_ok_and(|c| c == exe)
    {
        return Some(named.to_owned());
    }
    Some(exe)
}

/// Whether `path` is a cargo build output: its folder is a profile folder
/// of a cargo target folder (`target/debug/`, `target/<triple>/release/`,
/// `$CARGO_TARGET_DIR/...`), which holds cargo's `.fingerprint/` and `deps/`.
fn is_cargo_build(path: &Path) -> bool {
    path.parent()
        .is_some_and(|dir| dir.join(".fingerprint").is_dir() && dir.join("deps").is_dir())
}
