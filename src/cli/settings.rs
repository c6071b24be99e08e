//! Finding the configuration for a mode and turning it into the run's
//! [`Policy`] and [`Detector`] (DESIGN.md "Precise rules"):
//!
//! - `--config FILE` wins in every mode (relative to the current folder);
//! - laptop modes (`scan`, `pre-commit`, `pre-push`, `doctor`):
//!   `.intercom-guard.yaml` at the root of the work tree (outside a
//!   repository, `scan` looks in the current folder);
//! - server (`pre-receive`): `git config intercom-guard.config` (a relative
//!   path is relative to the git directory), never a file of the pushed
//!   tree;
//! - `history`: the work tree's file when there is one, else nothing.
//!
//! A missing `.intercom-guard.yaml` means the defaults; a missing file named
//! by `--config` or git config is an error (exit 2): a server whose policy
//! silently disappeared would accept what it was told to refuse.

use std::path::{Path, PathBuf};

use super::CommonArgs;
use crate::detect::Detector;
use crate::engine::Window;
use crate::policy::config::{Config, ConfigError, FILE_NAME};
use crate::policy::rules::GlobError;
use crate::policy::settings::{ConfigSource, Flags, NamedBaselineError};
use crate::policy::{Mode, Policy, Settings};
use crate::source::GitError;

/// The git configuration key naming the server's configuration file.
pub const GIT_CONFIG_KEY: &str = "intercom-guard.config";

/// The environment variable that sets how many bytes of a blob are at hand
/// at once ([`Window`]; 64 MiB by default, at least 128 KiB). Undocumented
/// for users: it is there for the tests, which need small windows to cut
/// small blobs into many (CONTRIBUTING.md).
pub const WINDOW_VAR: &str = "INTERCOM_GUARD_WINDOW";

/// Why the settings could not be loaded. Exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SettingsError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] NamedBaselineError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Glob(#[from] GlobError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] GitError),

    #[error("git config {GIT_CONFIG_KEY} names {}, which cannot be read", path.display())]
    #[diagnostic(
        code(intercom_guard::config::git_config),
        help(
            "a relative path is relative to the git directory ({}); fix it with `git config {GIT_CONFIG_KEY} /path/to/intercom-guard.yaml`",
            git_dir.display()
        )
    )]
    GitConfigFile {
        path: PathBuf,
        git_dir: PathBuf,
        #[source]
        #[diagnostic_source]
        source: ConfigError,
    },

    #[error("{WINDOW_VAR}={value:?} is not a number of bytes")]
    #[diagnostic(
        code(intercom_guard::config::window),
        help("unset it, or give a whole number of bytes such as 1048576")
    )]
    Window { value: String },
}

/// Everything a mode needs from the configuration.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    pub policy: Policy,
    pub detector: Detector,
    /// The folder allowlisted paths are relative to: the work tree's root,
    /// or the current folder outside a repository.
    pub root: Option<PathBuf>,
    pub window: Window,
}

impl Loaded {
    /// The engine of a run under these settings.
    pub fn engine(&self) -> crate::engine::Engine<'_> {
        crate::engine::Engine::new(&self.detector, &self.policy).with_window(self.window)
    }
}

/// The window [`WINDOW_VAR`] asks for, or the default.
fn window() -> Result<Window, SettingsError> {
    match std::env::var_os(WINDOW_VAR) {
        None => Ok(Window::default()),
        Some(value) => {
            let text = value.to_string_lossy();
            text.trim()
                .parse::<usize>()
                .map(Window::new)
                .map_err(|_| SettingsError::Window {
                    value: text.into_owned(),
                })
        }
    }
}

/// Load the settings of `mode`. `repo` is the repository the mode works on
/// (`None` for `scan` outside a repository).
pub fn load(
    mode: Mode,
    common: &CommonArgs,
    repo: Option<&gix::Repository>,
) -> Result<Loaded, SettingsError> {
    let located = locate(mode, common, repo)?;
    let config = match &located {
        Some((path, source)) => Some((read(path, source, repo)?, source.clone())),
        None => None,
    };
    let flags = Flags {
        strict: common.strict,
        baseline: common.baseline.clone(),
        verify: common.verify,
    };
    let settings = Settings::build(mode, config.as_ref().map(|(c, s)| (c, s.clone())), &flags)?;
    let policy = settings.policy()?;
    let detector = Detector::new(&settings.detect_options());
    let window = window()?;
    let root = match repo {
        Some(repo) => repo.workdir().map(Path::to_owned),
        None => std::env::current_dir().ok(),
    };
    Ok(Loaded {
        settings,
        policy,
        detector,
        root,
        window,
    })
}

/// Where the configuration of `mode` is, if there is one.
pub fn locate(
    mode: Mode,
    common: &CommonArgs,
    repo: Option<&gix::Repository>,
) -> Result<Option<(PathBuf, ConfigSource)>, SettingsError> {
    if let Some(path) = &common.config {
        return Ok(Some((path.clone(), ConfigSource::Flag)));
    }
    let work_tree_file = || -> Option<PathBuf> {
        let root = match repo {
            Some(repo) => repo.workdir()?.to_owned(),
            None => std::env::current_dir().ok()?,
        };
        let path = root.join(FILE_NAME);
        path.is_file().then_some(path)
    };
    Ok(match mode {
        Mode::Laptop | Mode::History { .. } => {
            if matches!(mode, Mode::History { .. }) && repo.is_some_and(|r| r.workdir().is_none()) {
                None
            } else {
                work_tree_file().map(|p| (p, ConfigSource::WorkTree))
            }
        }
        Mode::Server => repo
            .and_then(git_config_path)
            .map(|p| (p, ConfigSource::GitConfig)),
    })
}

/// `git config intercom-guard.config`, resolved against the git directory.
fn git_config_path(repo: &gix::Repository) -> Option<PathBuf> {
    let snapshot = repo.config_snapshot();
    let value = snapshot.string(GIT_CONFIG_KEY)?;
    let value = gix::path::from_bstr(value.as_ref() as &gix::bstr::BStr)
        .ok()?
        .into_owned();
    if value.as_os_str().is_empty() {
        return None;
    }
    Some(if value.is_absolute() {
        value
    } else {
        repo.git_dir().join(value)
    })
}

fn read(
    path: &Path,
    source: &ConfigSource,
    repo: Option<&gix::Repository>,
) -> Result<Config, SettingsError> {
    Config::load(path).map_err(|err| match (source, &err, repo) {
        (ConfigSource::GitConfig, ConfigError::Read { .. }, Some(repo)) => {
            SettingsError::GitConfigFile {
                path: path.to_owned(),
                git_dir: repo.git_dir().to_owned(),
                source: err,
            }
        }
        _ => SettingsError::Config(err),
    })
}

/// Open the repository around the current folder for a laptop mode.
pub fn open_repo() -> Result<gix::Repository, GitError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    crate::source::repo::open(&cwd)
}

/// Open the repository around the current folder for its configuration
/// and work tree only (`scan`, `config`): its refs are never read, so how
/// they are stored does not matter.
pub fn open_repo_for_config() -> Result<gix::Repository, GitError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    crate::source::repo::open_for_config(&cwd)
}
