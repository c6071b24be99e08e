//! The effective settings of a run: the mode's defaults, then the
//! configuration file, then the command-line flags, each value remembering
//! where it came from (for `intercom-guard config`). From them come the
//! [`Policy`] and the [`DetectOptions`] every mode uses.
//!
//! Finding the configuration file (work tree, `--config`, git config) is the
//! caller's job (`cli::settings`); this module gets the parsed file.

use std::fmt;
use std::path::{Path, PathBuf};

use super::baseline::{Baseline, BaselineError};
use super::config::{Config, Located};
use super::rules::{GlobError, Policy};
use crate::detect::DetectOptions;

/// Which defaults apply, and where the configuration may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `scan`, `pre-commit`, `pre-push`, `doctor`: the work tree's
    /// `.intercom-guard.yaml` or `--config`; inline markers honoured.
    Laptop,
    /// `pre-receive`: only the server's `--config` or
    /// `git config intercom-guard.config`; inline markers ignored unless
    /// that configuration turns them on.
    Server,
    /// `history`: the work tree's file when there is one, else `--config`
    /// only. On a bare repository inline markers are off by default, as on
    /// a server.
    History { work_tree: bool },
}

impl Mode {
    fn inline_default(self) -> bool {
        match self {
            Mode::Laptop => true,
            Mode::Server => false,
            Mode::History { work_tree } => work_tree,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Laptop => "laptop",
            Mode::Server => "server",
            Mode::History { work_tree: true } => "history",
            Mode::History { work_tree: false } => "history (bare)",
        }
    }
}

/// How the configuration file was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// `.intercom-guard.yaml` at the root of the work tree.
    WorkTree,
    /// `--config FILE`.
    Flag,
    /// `git config intercom-guard.config`.
    GitConfig,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigSource::WorkTree => "found at the root of the work tree",
            ConfigSource::Flag => "given with --config",
            ConfigSource::GitConfig => "named by git config intercom-guard.config",
        })
    }
}

/// Where one effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default (for this mode).
    Default,
    /// A line of the configuration file.
    File { path: PathBuf, line: u64 },
    /// A command-line flag.
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Flag(flag) => f.write_str(flag),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    fn default(value: T) -> Sourced<T> {
        Sourced {
            value,
            origin: Origin::Default,
        }
    }
}

/// Flags of the command line that override the configuration.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--strict`: on when given (there is no flag to turn it off).
    pub strict: bool,
    /// `--baseline FILE`: replaces the configuration's `baseline`.
    pub baseline: Option<PathBuf>,
    /// `--verify`: on when given, in every mode but the server's (whose
    /// own configuration alone decides).
    pub verify: bool,
}

/// A baseline named by the configuration or `--baseline` that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot use the baseline named by {named_by}")]
#[diagnostic(code(intercom_guard::baseline::named))]
pub struct NamedBaselineError {
    pub named_by: String,
    #[source]
    #[diagnostic_source]
    pub source: BaselineError,
}

/// The effective settings of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    /// The configuration file used, if any, and how it was found.
    pub config: Option<(PathBuf, ConfigSource)>,
    pub allow_paths: Sourced<Vec<String>>,
    pub fingerprints: Sourced<Vec<String>>,
    pub baseline: Option<Sourced<Baseline>>,
    pub extra_names: Sourced<Vec<String>>,
    pub min_entropy: Sourced<f64>,
    pub strict: Sourced<bool>,
    pub inline_allow: Sourced<bool>,
    /// How long a server hook may run (`time_budget`); `None`: no limit.
    pub time_budget: Sourced<Option<std::time::Duration>>,
    /// Ask Intercom's API whether each token found works (`verify`,
    /// `--verify`).
    pub verify: Sourced<bool>,
}

impl Settings {
    /// The defaults of `mode` with no configuration and no flags.
    pub fn defaults(mode: Mode) -> Settings {
        let d = DetectOptions::default();
        Settings {
            mode,
            config: None,
            allow_paths: Sourced::default(Vec::new()),
            fingerprints: Sourced::default(Vec::new()),
            baseline: None,
            extra_names: Sourced::default(d.extra_names),
            min_entropy: Sourced::default(d.min_entropy),
            strict: Sourced::default(d.strict),
            inline_allow: Sourced::default(mode.inline_default()),
            time_budget: Sourced::default(None),
            verify: Sourced::default(false),
        }
    }

    /// Combine the mode's defaults, a configuration file and the flags. The
    /// baseline (from `--baseline`, else the file's `baseline`, relative to
    /// the file) is read here.
    pub fn build(
        mode: Mode,
        config: Option<(&Config, ConfigSource)>,
        flags: &Flags,
    ) -> Result<Settings, NamedBaselineError> {
        let mut s = Settings::defaults(mode);
        if let Some((config, source)) = config {
            let at = |line: u64| Origin::File {
                path: config.path.clone(),
                line,
            };
            s.config = Some((config.path.clone(), source));
            // A key set in the file replaces the default, remembering its line.
            fn set<T>(slot: &mut Sourced<T>, v: Option<Located<T>>, at: impl Fn(u64) -> Origin) {
                if let Some(v) = v {
                    *slot = Sourced {
                        value: v.value,
                        origin: at(v.line),
                    };
                }
            }
            set(&mut s.allow_paths, config.allow_paths(), at);
            set(&mut s.fingerprints, config.fingerprints(), at);
            set(&mut s.extra_names, config.extra_names(), at);
            set(&mut s.min_entropy, config.min_entropy(), at);
            set(&mut s.strict, config.strict(), at);
            set(&mut s.inline_allow, config.inline_allow(), at);
            set(&mut s.verify, config.verify(), at);
            let budget = config.time_budget().map(|b| Located {
                value: Some(b.value),
                line: b.line,
            });
            set(&mut s.time_budget, budget, at);
            if flags.baseline.is_none()
                && let Some(v) = config.baseline()
            {
                let path = config.dir().join(&v.value);
                let origin = at(v.line);
                let baseline = load_baseline(&path, &origin)?;
                s.baseline = Some(Sourced {
                    value: baseline,
                    origin,
                });
            }
        }
        if flags.strict {
            s.strict = Sourced {
                value: true,
                origin: Origin::Flag("--strict"),
            };
        }
        if flags.verify && mode != Mode::Server {
            s.verify = Sourced {
                value: true,
                origin: Origin::Flag("--verify"),
            };
        }
        if let Some(path) = &flags.baseline {
            let origin = Origin::Flag("--baseline");
            let baseline = load_baseline(path, &origin)?;
            s.baseline = Some(Sourced {
                value: baseline,
                origin,
            });
        }
        Ok(s)
    }

    /// The policy: allowlisted paths, accepted fingerprints (configuration
    /// and baseline) and whether inline markers count.
    pub fn policy(&self) -> Result<Policy, GlobError> {
        let accepted = self.fingerprints.value.iter().cloned().chain(
            self.baseline
                .iter()
                .flat_map(|b| b.value.fingerprints.iter().cloned()),
        );
        Ok(Policy::new(self.inline_allow.value)
            .with_allowed_paths(&self.allow_paths.value)?
            .with_accepted(accepted))
    }

    /// What the detector is tuned with.
    pub fn detect_options(&self) -> DetectOptions {
        DetectOptions {
            strict: self.strict.value,
            min_entropy: self.min_entropy.value,
            extra_names: self.extra_names.value.clone(),
        }
    }
}

fn load_baseline(path: &Path, origin: &Origin) -> Result<Baseline, NamedBaselineError> {
    Baseline::load(path).map_err(|source| NamedBaselineError {
        named_by: origin.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_mode() {
        assert!(Settings::defaults(Mode::Laptop).inline_allow.value);
        assert!(!Settings::defaults(Mode::Server).inline_allow.value);
        assert!(
            !Settings::defaults(Mode::History { work_tree: false })
                .inline_allow
                .value
        );
        assert!(
            Settings::defaults(Mode::History { work_tree: true })
                .inline_allow
                .value
        );
    }

    #[test]
    fn the_file_overrides_defaults_and_flags_override_the_file() {
        let c = Config::parse(
            Path::new("dir/c.yaml"),
            "detect:\n  strict: false\n  min_entropy: 2.0\ninline_allow: true\n",
        )
        .unwrap();
        let s = Settings::build(
            Mode::Server,
            Some((&c, ConfigSource::GitConfig)),
            &Flags {
                strict: true,
                baseline: None,
                verify: false,
            },
        )
        .unwrap();
        assert_eq!(s.strict.origin, Origin::Flag("--strict"));
        assert!(s.strict.value);
        assert_eq!(s.min_entropy.value, 2.0);
        assert_eq!(s.min_entropy.origin.to_string(), "dir/c.yaml:3");
        assert!(s.inline_allow.value);
        assert!(s.policy().unwrap().inline_allow());
        assert_eq!(s.detect_options().min_entropy, 2.0);
    }

    #[test]
    fn verify_is_off_unless_asked_and_only_the_servers_file_turns_it_on_there() {
        let flag = Flags {
            verify: true,
            ..Flags::default()
        };
        assert!(!Settings::defaults(Mode::Laptop).verify.value);
        let laptop = Settings::build(Mode::Laptop, None, &flag).unwrap();
        assert_eq!(laptop.verify.origin, Origin::Flag("--verify"));
        assert!(laptop.verify.value);
        let server = Settings::build(Mode::Server, None, &flag).unwrap();
        assert!(!server.verify.value, "--verify does not reach pre-receive");
        let c = Config::parse(Path::new("s.yaml"), "verify: true\n").unwrap();
        let server = Settings::build(
            Mode::Server,
            Some((&c, ConfigSource::GitConfig)),
            &Flags::default(),
        )
        .unwrap();
        assert!(server.verify.value);
        assert_eq!(server.verify.origin.to_string(), "s.yaml:1");
    }

    #[test]
    fn a_missing_baseline_names_who_asked_for_it() {
        let c = Config::parse(Path::new("/nonexistent/c.yaml"), "\nbaseline: b.json\n").unwrap();
        let e = Settings::build(
            Mode::Laptop,
            Some((&c, ConfigSource::Flag)),
            &Flags::default(),
        )
        .unwrap_err();
        assert_eq!(e.named_by, "/nonexistent/c.yaml:2");
        assert!(
            matches!(e.source, BaselineError::Read { ref path, .. } if path == Path::new("/nonexistent/b.json"))
        );
    }
}
