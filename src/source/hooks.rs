//! The hooks folder: where git looks for hooks, and whether git will run a
//! file there. `install` writes into it and `doctor` reads it, through this
//! one resolver, so the two can never disagree about where a hook belongs.
//!
//! As git does it: `core.hooksPath` when set (interpolated like any path
//! value: `~/`, `~user/`; a relative path is taken from the root of the work
//! tree, or from the git directory of a bare repository, which is where git
//! runs hooks), else `hooks/` in the repository's common git directory (so a
//! linked worktree shares the main repository's hooks).

use std::path::{Path, PathBuf};

/// The folder git runs hooks from. An error means `core.hooksPath` is set
/// but cannot be read as a path (for example `~user/` of an unknown user).
pub fn hooks_dir(repo: &gix::Repository) -> Result<PathBuf, gix::Error> {
    let configured = repo.config_snapshot().trusted_path("core.hooksPath")?;
    Ok(match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or_else(|| repo.git_dir()).join(path),
        None => repo.common_dir().join("hooks"),
    })
}

/// Whether git would run `path` as a hook (or a program on `PATH`): an
/// executable file. Outside Unix, any file.
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn hooks_path_is_taken_from_the_work_tree_or_the_git_dir() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        git(&work, &["init", "-q"]);
        let open = |p: &Path| gix::open(p).unwrap();
        let default = hooks_dir(&open(&work)).unwrap();
        assert_eq!(default, open(&work).common_dir().join("hooks"));

        git(&work, &["config", "core.hooksPath", "githooks"]);
        let repo = open(&work);
        assert_eq!(
            hooks_dir(&repo).unwrap(),
            repo.workdir().unwrap().join("githooks")
        );

        let elsewhere = dir.path().join("shared-hooks");
        git(
            &work,
            &["config", "core.hooksPath", elsewhere.to_str().unwrap()],
        );
        assert_eq!(hooks_dir(&open(&work)).unwrap(), elsewhere);

        let bare = dir.path().join("bare.git");
        git(
            dir.path(),
            &["init", "-q", "--bare", bare.to_str().unwrap()],
        );
        git(&bare, &["config", "core.hooksPath", "custom"]);
        let repo = open(&bare);
        assert_eq!(hooks_dir(&repo).unwrap(), repo.git_dir().join("custom"));
    }

    #[test]
    fn only_an_executable_file_runs() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hook");
        assert!(!is_executable(&file), "missing");
        std::fs::write(&file, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert!(!is_executable(&file), "0644");
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
            assert!(is_executable(&file));
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            assert!(!is_executable(dir.path()), "a folder is not a hook");
        }
    }
}
