//! The configuration file, `.intercom-guard.yaml`:
//!
//! ```yaml
//! allow:
//!   paths: ["tests/fixtures/**", "docs/examples/*.md"]   # gitignore-style globs
//!   fingerprints: ["<sha256 from the JSON report>"]
//! detect:
//!   extra_names: ["ACME_SUPPORT_CHAT_KEY"]
//!   min_entropy: 3.0
//!   strict: false
//! inline_allow: true
//! baseline: .intercom-guard-baseline.json
//! time_budget: 4.5s          # server hooks: stop and refuse in time
//! verify: false               # ask Intercom's API whether tokens found work
//! ```
//!
//! Read with serde-saphyr; unknown keys are refused (`deny_unknown_fields`)
//! so a misspelled key never silently weakens nothing or everything. Every
//! error, of syntax, of shape or of a value, is a [`ConfigError`]: a miette
//! diagnostic naming the file, the line and the column, with what was
//! expected. An empty file is a valid, empty configuration.
//!
//! This module only parses and validates; [`super::settings`] combines a
//! parsed file with the mode's defaults and the command-line flags.

use std::path::{Path, PathBuf};

use ignore::gitignore::GitignoreBuilder;
use miette::SourceSpan;
use serde::Deserialize;
use serde_saphyr::{DuplicateKeyPolicy, Location, Spanned};

use super::excerpt::Excerpt;
use crate::redact::scrub_quote_about;

/// The file name looked for at the root of the work tree.
pub const FILE_NAME: &str = ".intercom-guard.yaml";

/// Highest meaningful `detect.min_entropy`: bits per character of a byte string.
pub const MAX_ENTROPY: f64 = 8.0;

/// The file as written (every value keeps its location for errors and for
/// `intercom-guard config`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub allow: Option<Spanned<Allow>>,
    #[serde(default)]
    pub detect: Option<Spanned<Detect>>,
    #[serde(default)]
    pub inline_allow: Option<Spanned<bool>>,
    #[serde(default)]
    pub baseline: Option<Spanned<String>>,
    /// How long a server hook may take (`4.5s`, `4500ms`).
    #[serde(default)]
    pub time_budget: Option<Spanned<String>>,
    /// Ask Intercom's API whether each token found works (`--verify`); the
    /// only way to turn it on in `pre-receive`.
    #[serde(default)]
    pub verify: Option<Spanned<bool>>,
}

/// `allow:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// gitignore-style globs, relative to the repository root.
    #[serde(default)]
    pub paths: Option<Spanned<Vec<Spanned<String>>>>,
    /// sha256 fingerprints from the JSON report.
    #[serde(default)]
    pub fingerprints: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `detect:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    #[serde(default)]
    pub extra_names: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub min_entropy: Option<Spanned<f64>>,
    #[serde(default)]
    pub strict: Option<Spanned<bool>>,
}

/// A configuration file read from disk and validated.
#[derive(Debug)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    pub file: ConfigFile,
}

/// A value and the line of the configuration file that set it.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    /// 1-based line in the file.
    pub line: u64,
}

/// Anything wrong with a configuration file. Exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read the configuration file {}", path.display())]
    #[diagnostic(
        code(intercom_guard::config::read),
        help("check that the file exists and that you may read it")
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: the configuration file is not UTF-8 text", path.display())]
    #[diagnostic(code(intercom_guard::config::encoding), help("save it as UTF-8 YAML"))]
    NotUtf8 { path: PathBuf },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// A configuration that does not parse or holds a wrong value, located.
/// The message and the quoted lines show no secret ([`Excerpt`]): a token
/// pasted into the file is redacted.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{}", located_message(.file, *.line, *.column, .message))]
#[diagnostic(code(intercom_guard::config::invalid))]
pub struct InvalidConfig {
    /// The file as named in the message.
    pub file: String,
    /// 1-based; 0 when the parser knew no position.
    pub line: u64,
    pub column: u64,
    pub message: String,
    #[source_code]
    src: Excerpt,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

fn located_message(file: &str, line: u64, column: u64, message: &str) -> String {
    if line == 0 {
        format!("invalid configuration in {file}: {message}")
    } else {
        format!("invalid configuration in {file}:{line}:{column}: {message}")
    }
}

impl ConfigError {
    /// The 1-based line the error points at (0 when unknown).
    pub fn line(&self) -> Option<u64> {
        match self {
            ConfigError::Invalid(invalid) => Some(invalid.line),
            _ => None,
        }
    }
}

/// The help printed under every shape error: what the file may contain.
const SHAPE_HELP: &str = "expected keys: allow.paths (list of globs), allow.fingerprints (list of sha256 hex), \
detect.extra_names (list of names), detect.min_entropy (number), detect.strict (true/false), \
inline_allow (true/false), baseline (path to a JSON report), time_budget (duration), \
verify (true/false); see README \"Configuration\"";

/// Builds [`ConfigError::Invalid`] for one file's text.
struct Reporter<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Reporter<'_> {
    fn name(&self) -> String {
        crate::redact::scrub(&self.path.display().to_string())
    }

    /// The error, its quote of the file around `span` and the span moved
    /// into the quote.
    fn invalid(
        &self,
        (line, column): (u64, u64),
        message: String,
        span: Option<std::ops::Range<usize>>,
        label: &str,
        help: Option<String>,
    ) -> ConfigError {
        let (src, span) = Excerpt::new(&self.name(), self.text, span);
        ConfigError::Invalid(Box::new(InvalidConfig {
            file: self.name(),
            line,
            column,
            message: scrub_quote_about(&message, self.text.as_bytes()),
            src,
            span,
            label: label.to_owned(),
            help,
        }))
    }

    fn at(&self, loc: Location, message: String, label: &str, help: Option<String>) -> ConfigError {
        let (line, column) = (loc.line(), loc.column());
        let offset = loc
            .span()
            .byte_offset()
            .and_then(|o| usize::try_from(o).ok())
            .or_else(|| offset_of(self.text, line, column));
        let span = offset.map(|o| {
            let o = o.min(self.text.len());
            let len = loc
                .span()
                .byte_len()
                .and_then(|l| usize::try_from(l).ok())
                .filter(|&l| l > 0)
                .unwrap_or_else(|| token_len(&self.text[o..]));
            o..o + len
        });
        self.invalid((line, column), message, span, label, help)
    }

    fn parse_error(&self, err: &serde_saphyr::Error) -> ConfigError {
        let err = err.without_snippet();
        let message = explain(clean_message(&err.to_string()));
        let help = Some(hint_for(&message));
        match err.location() {
            Some(loc) if loc.line() > 0 => self.at(loc, message, "here", help),
            _ => self.invalid((0, 0), message, None, "", help),
        }
    }
}

/// The byte offset of a 1-based line and column (in characters).
fn offset_of(text: &str, line: u64, column: u64) -> Option<usize> {
    let line = usize::try_from(line).ok()?.checked_sub(1)?;
    let column = usize::try_from(column).ok()?.saturating_sub(1);
    let mut start = 0;
    for _ in 0..line {
        start += text[start..].find('\n')? + 1;
    }
    let rest = &text[start..];
    let end = rest.find('\n').unwrap_or(rest.len());
    Some(
        start
            + rest[..end]
                .char_indices()
                .nth(column)
                .map_or(end, |(i, _)| i),
    )
}

/// Length of the word at the start of `rest` (at least 1 unless at the end).
fn token_len(rest: &str) -> usize {
    let n = rest
        .find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}')
        .unwrap_or(rest.len());
    if n == 0 { rest.len().min(1) } else { n }
}

/// serde-saphyr appends " at line L column C"; the diagnostic shows that already.
fn clean_message(message: &str) -> String {
    let message = message.trim();
    let cut = message.rfind(" at line ").filter(|&i| {
        message[i + 9..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    match cut {
        Some(i) => message[..i].trim_end_matches(',').to_owned(),
        None => message.to_owned(),
    }
}

/// The parser's terse words, said as what the file should hold.
fn explain(message: String) -> String {
    const PLAIN: [(&str, &str); 6] = [
        (
            "expected sequence start",
            "expected a list (`[a, b]`, or one `- item` per line)",
        ),
        (
            "expected mapping start",
            "expected a mapping of keys (`key: value` lines)",
        ),
        ("invalid boolean", "expected true or false"),
        ("invalid floating point", "expected a number"),
        ("expected string scalar", "expected a string"),
        ("invalid integer", "expected a number"),
    ];
    for (terse, plain) in PLAIN {
        if message.starts_with(terse) {
            return format!("{plain} ({message})");
        }
    }
    message
}

fn hint_for(message: &str) -> String {
    if message.contains("unknown field") {
        format!("a misspelled or unsupported key; {SHAPE_HELP}")
    } else {
        SHAPE_HELP.to_owned()
    }
}

impl Config {
    /// Read and validate the configuration at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::NotUtf8 {
            path: path.to_owned(),
        })?;
        Config::parse(path, &text)
    }

    /// Parse and validate `text`, naming it `path` in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let reporter = Reporter { path, text };
        let file = if is_blank(text) {
            ConfigFile::default()
        } else {
            let options = serde_saphyr::options! {
                duplicate_keys: DuplicateKeyPolicy::Error,
                with_snippet: false,
            };
            // A document that is only `~` or `null` is empty too.
            serde_saphyr::from_str_with_options::<Option<ConfigFile>>(text, options)
                .map_err(|e| reporter.parse_error(&e))?
                .unwrap_or_default()
        };
        validate(&file, &reporter)?;
        Ok(Config {
            path: path.to_owned(),
            file,
        })
    }

    /// The folder relative paths in the file (the baseline) are resolved from.
    pub fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        }
    }

    pub fn allow_paths(&self) -> Option<Located<Vec<String>>> {
        let list = self.file.allow.as_ref()?.value.paths.as_ref()?;
        Some(located_list(list))
    }

    pub fn fingerprints(&self) -> Option<Located<Vec<String>>> {
        let list = self.file.allow.as_ref()?.value.fingerprints.as_ref()?;
        let mut l = located_list(list);
        for f in &mut l.value {
            *f = f.to_ascii_lowercase();
        }
        Some(l)
    }

    pub fn extra_names(&self) -> Option<Located<Vec<String>>> {
        let list = self.file.detect.as_ref()?.value.extra_names.as_ref()?;
        Some(located_list(list))
    }

    pub fn min_entropy(&self) -> Option<Located<f64>> {
        self.file
            .detect
            .as_ref()?
            .value
            .min_entropy
            .as_ref()
            .map(located)
    }

    pub fn strict(&self) -> Option<Located<bool>> {
        self.file
            .detect
            .as_ref()?
            .value
            .strict
            .as_ref()
            .map(located)
    }

    pub fn inline_allow(&self) -> Option<Located<bool>> {
        self.file.inline_allow.as_ref().map(located)
    }

    /// `baseline:` as written (resolve with [`Config::dir`]).
    pub fn baseline(&self) -> Option<Located<String>> {
        self.file.baseline.as_ref().map(located)
    }

    pub fn verify(&self) -> Option<Located<bool>> {
        self.file.verify.as_ref().map(located)
    }

    /// `time_budget:` (validated when the file was read).
    pub fn time_budget(&self) -> Option<Located<std::time::Duration>> {
        let s = self.file.time_budget.as_ref()?;
        Some(Located {
            value: parse_duration(&s.value)?,
            line: s.referenced.line(),
        })
    }
}

fn located<T: Clone>(s: &Spanned<T>) -> Located<T> {
    Located {
        value: s.value.clone(),
        line: s.referenced.line(),
    }
}

fn located_list(list: &Spanned<Vec<Spanned<String>>>) -> Located<Vec<String>> {
    Located {
        value: list.value.iter().map(|s| s.value.clone()).collect(),
        line: list.referenced.line(),
    }
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---" || l == "..."
    })
}

/// Value checks the types cannot express, each reported at its line.
fn validate(file: &ConfigFile, r: &Reporter<'_>) -> Result<(), ConfigError> {
    if let Some(allow) = &file.allow {
        for glob in allow.value.paths.iter().flat_map(|l| &l.value) {
            check_glob(glob, r)?;
        }
        for fp in allow.value.fingerprints.iter().flat_map(|l| &l.value) {
            if !is_fingerprint(&fp.value) {
                return Err(r.at(
                    fp.referenced,
                    format!(
                        "allow.fingerprints: {:?} is not a fingerprint",
                        shorten(&fp.value)
                    ),
                    "expected 64 hexadecimal characters",
                    Some(
                        "a fingerprint is the `fingerprint` of a finding in the JSON report \
                         (`--format json`): the sha256 of the secret, 64 hex characters; never the secret itself"
                            .to_owned(),
                    ),
                ));
            }
        }
    }
    if let Some(detect) = &file.detect {
        for name in detect.value.extra_names.iter().flat_map(|l| &l.value) {
            if !is_name(&name.value) {
                return Err(r.at(
                    name.referenced,
                    format!(
                        "detect.extra_names: {:?} is not a variable name",
                        name.value
                    ),
                    "expected a name such as ACME_SUPPORT_CHAT_KEY",
                    Some(
                        "a name is letters, digits, `_`, `-` or `.`, with at least one letter"
                            .to_owned(),
                    ),
                ));
            }
        }
        if let Some(e) = &detect.value.min_entropy
            && !(e.value.is_finite() && (0.0..=MAX_ENTROPY).contains(&e.value))
        {
            return Err(r.at(
                e.referenced,
                format!("detect.min_entropy: {} is out of range", e.value),
                "expected a number from 0 to 8",
                Some(
                    "min_entropy is the Shannon entropy in bits per character a named secret's value \
                     must reach (default 3.0); 0 reports every non-placeholder value"
                        .to_owned(),
                ),
            ));
        }
    }
    if let Some(t) = &file.time_budget
        && parse_duration(&t.value).is_none()
    {
        return Err(r.at(
            t.referenced,
            format!("time_budget: {:?} is not a duration", shorten(&t.value)),
            "expected a duration such as 4.5s or 4500ms",
            Some(format!(
                "time_budget is how long a server hook may run before it stops and refuses \
                 the push (more than 0, at most {} s); GitHub Enterprise Server kills hooks at 5 s",
                MAX_TIME_BUDGET.as_secs()
            )),
        ));
    }
    if let Some(b) = &file.baseline
        && b.value.trim().is_empty()
    {
        return Err(r.at(
            b.referenced,
            "baseline: the path is empty".to_owned(),
            "expected a file name",
            Some(
                "name the JSON report written by `intercom-guard history --baseline-out FILE`, \
                 relative to this file"
                    .to_owned(),
            ),
        ));
    }
    Ok(())
}

fn check_glob(glob: &Spanned<String>, r: &Reporter<'_>) -> Result<(), ConfigError> {
    let mut b = GitignoreBuilder::new("");
    let bad = match b.add_line(None, &glob.value) {
        Err(e) => Some(e.to_string()),
        Ok(_) => b.build().err().map(|e| e.to_string()),
    };
    if glob.value.trim().is_empty() {
        return Err(r.at(
            glob.referenced,
            "allow.paths: an empty glob".to_owned(),
            "expected a gitignore-style glob",
            Some("remove the empty entry".to_owned()),
        ));
    }
    if glob.value.starts_with('!') {
        return Err(r.at(
            glob.referenced,
            format!("allow.paths: {:?} is a negation", glob.value),
            "expected a glob that names paths to skip",
            Some("allow.paths only lists paths to skip; leave the others out".to_owned()),
        ));
    }
    match bad {
        None => Ok(()),
        Some(why) => Err(r.at(
            glob.referenced,
            format!("allow.paths: invalid glob {:?}: {why}", glob.value),
            "expected a gitignore-style glob",
            Some(
                "allow.paths takes gitignore-style globs, such as \"tests/fixtures/**\"".to_owned(),
            ),
        )),
    }
}

/// The longest `time_budget` taken.
pub const MAX_TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(3600);

/// A duration as `time_budget` takes it: a number of seconds (`4.5s`, or
/// bare) or of milliseconds (`4500ms`), more than 0 and at most
/// [`MAX_TIME_BUDGET`].
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let text = text.trim();
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1.0)
    };
    let number = number.trim();
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let seconds = number.parse::<f64>().ok()? * scale;
    let duration = std::time::Duration::try_from_secs_f64(seconds).ok()?;
    (duration > std::time::Duration::ZERO && duration <= MAX_TIME_BUDGET).then_some(duration)
}

/// 64 hexadecimal characters.
pub fn is_fingerprint(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A value shown in an error, cut so that a pasted secret is not echoed whole.
fn shorten(s: &str) -> String {
    if s.chars().count() <= 12 {
        s.to_owned()
    } else {
        let head: String = s.chars().take(8).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("cfg.yaml"), text)
    }

    fn err_line(text: &str) -> (u64, String) {
        let err = parse(text).expect_err("must fail");
        (err.line().unwrap_or(0), err.to_string())
    }

    #[test]
    fn empty_and_comment_only_files_are_empty_configs() {
        for text in ["", "\n", "# nothing\n", "---\n", "~\n", "null\n"] {
            let c = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
            assert!(c.allow_paths().is_none() && c.strict().is_none());
        }
    }

    #[test]
    fn every_key_is_read_with_its_line() {
        let text = "allow:\n  paths: [\"tests/**\"]\n  fingerprints:\n    - \"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789\"\n\
                    detect:\n  extra_names: [ACME_KEY]\n  min_entropy: 2.5\n  strict: true\ninline_allow: false\nbaseline: base.json\n";
        let c = parse(text).unwrap();
        assert_eq!(c.allow_paths().unwrap().value, ["tests/**"]);
        assert_eq!(c.allow_paths().unwrap().line, 2);
        let fps = c.fingerprints().unwrap();
        assert_eq!(fps.value[0], fps.value[0].to_ascii_lowercase());
        assert_eq!(c.extra_names().unwrap().value, ["ACME_KEY"]);
        assert_eq!(
            c.min_entropy().unwrap(),
            Located {
                value: 2.5,
                line: 7
            }
        );
        assert_eq!(
            c.strict().unwrap(),
            Located {
                value: true,
                line: 8
            }
        );
        assert_eq!(
            c.inline_allow().unwrap(),
            Located {
                value: false,
                line: 9
            }
        );
        assert_eq!(c.baseline().unwrap().value, "base.json");
    }

    #[test]
    fn an_integer_entropy_is_a_number() {
        let c = parse("detect:\n  min_entropy: 3\n").unwrap();
        assert_eq!(c.min_entropy().unwrap().value, 3.0);
    }

    #[test]
    fn mistakes_are_reported_at_their_line() {
        let (line, msg) = err_line("allow:\n  pathz: [a]\n");
        assert_eq!(line, 2, "{msg}");
        assert!(msg.contains("cfg.yaml:2:"), "{msg}");
        assert!(msg.contains("pathz"), "{msg}");
        assert_eq!(err_line("detect:\n  strict: maybe\n").0, 2);
        assert_eq!(err_line("detect:\n\n  min_entropy: 9.5\n").0, 3);
        assert_eq!(err_line("allow:\n  fingerprints: [abc]\n").0, 2);
        assert_eq!(
            err_line("allow:\n  paths:\n    - ok/**\n    - \"a/{b\"\n").0,
            4
        );
        assert_eq!(err_line("detect:\n  extra_names: [\"a b\"]\n").0, 2);
        assert_eq!(err_line("inline_allow: 3\n").0, 1);
        assert_eq!(err_line("allow: [a]\n").0, 1);
        assert_eq!(err_line("baseline: \"\"\n").0, 1);
        assert_eq!(err_line("inline_allow: true\ninline_allow: false\n").0, 2);
        assert_eq!(err_line("allow:\n  paths: [a\n").0, 2);
    }

    #[test]
    fn a_pasted_secret_is_not_echoed() {
        let (_, msg) =
            err_line("allow:\n  fingerprints: [dG9rOmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6]\n");
        assert!(!msg.contains("dG9rOmFiY2RlZmdoaWprbG1u"), "{msg}");
    }

    #[test]
    fn offsets_of_lines_and_columns() {
        let t = "ab\ncdé\nx";
        assert_eq!(offset_of(t, 1, 1), Some(0));
        assert_eq!(offset_of(t, 2, 3), Some(5));
        assert_eq!(offset_of(t, 3, 1), Some(8));
        assert_eq!(offset_of(t, 4, 1), None);
    }
}
