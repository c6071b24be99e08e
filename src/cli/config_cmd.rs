//! `intercom-guard config [--mode laptop|server|history]`: the effective
//! configuration of a mode and where each value came from (a line of the
//! file, a flag, or the default). Exits 2 when the configuration is invalid,
//! like every mode would.

use std::io::{self, Write};

use serde_json::json;

use super::args::ConfigMode;
use super::{CliError, CommonArgs, settings};
use crate::policy::Mode;
use crate::policy::settings::{Settings, Sourced};
use crate::report::Format;

pub(super) fn run(mode: ConfigMode, common: &CommonArgs) -> Result<u8, CliError> {
    let repo = settings::open_repo().ok();
    let mode = match mode {
        ConfigMode::Laptop => Mode::Laptop,
        ConfigMode::Server => Mode::Server,
        ConfigMode::History => Mode::History {
            work_tree: repo.as_ref().is_none_or(|r| r.workdir().is_some()),
        },
    };
    let loaded = settings::load(mode, common, repo.as_ref())?;
    let mut out = io::stdout().lock();
    let written = if common.format == Format::Json {
        writeln!(out, "{}", to_json(&loaded.settings))
    } else {
        write_human(&mut out, &loaded.settings)
    };
    match written {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(err)),
        _ => Ok(super::EXIT_CLEAN),
    }
}

/// One row per key: name, value as text, value as JSON, origin.
fn rows(s: &Settings) -> Vec<(&'static str, String, serde_json::Value, String)> {
    fn list(v: &[String]) -> String {
        if v.is_empty() {
            "[]".to_owned()
        } else {
            format!("[{}]", v.join(", "))
        }
    }
    fn row<T>(
        key: &'static str,
        s: &Sourced<T>,
        text: String,
        value: serde_json::Value,
    ) -> (&'static str, String, serde_json::Value, String) {
        (key, text, value, s.origin.to_string())
    }
    let mut rows = vec![
        row(
            "allow.paths",
            &s.allow_paths,
            list(&s.allow_paths.value),
            json!(s.allow_paths.value),
        ),
        row(
            "allow.fingerprints",
            &s.fingerprints,
            list(&s.fingerprints.value),
            json!(s.fingerprints.value),
        ),
    ];
    match &s.baseline {
        Some(b) => rows.push(row(
            "baseline",
            b,
            format!(
                "{} ({} fingerprint{})",
                b.value.path.display(),
                b.value.fingerprints.len(),
                if b.value.fingerprints.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            json!({"path": b.value.path.display().to_string(), "fingerprints": b.value.fingerprints.len()}),
        )),
        None => rows.push((
            "baseline",
            "none".to_owned(),
            serde_json::Value::Null,
            "default".to_owned(),
        )),
    }
    rows.extend([
        row(
            "detect.extra_names",
            &s.extra_names,
            list(&s.extra_names.value),
            json!(s.extra_names.value),
        ),
        row(
            "detect.min_entropy",
            &s.min_entropy,
            format!("{:?}", s.min_entropy.value),
            json!(s.min_entropy.value),
        ),
        row(
            "detect.strict",
            &s.strict,
            s.strict.value.to_string(),
            json!(s.strict.value),
        ),
        row(
            "inline_allow",
            &s.inline_allow,
            s.inline_allow.value.to_string(),
            json!(s.inline_allow.value),
        ),
    ]);
    rows
}

fn write_human(out: &mut dyn Write, s: &Settings) -> io::Result<()> {
    writeln!(out, "mode: {}", s.mode.name())?;
    match &s.config {
        Some((path, source)) => writeln!(out, "config file: {} ({source})", path.display())?,
        None => writeln!(out, "config file: none (defaults)")?,
    }
    writeln!(out)?;
    let rows = rows(s);
    let key_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let value_width = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    for (key, text, _, origin) in rows {
        writeln!(out, "{key:key_width$}  {text:value_width$}  from {origin}")?;
    }
    out.flush()
}

fn to_json(s: &Settings) -> serde_json::Value {
    let mut values = serde_json::Map::new();
    for (key, _, value, origin) in rows(s) {
        values.insert(key.to_owned(), json!({"value": value, "from": origin}));
    }
    json!({
        "mode": s.mode.name(),
        "config": s.config.as_ref().map(|(path, source)| json!({
            "path": path.display().to_string(),
            "source": source.to_string(),
        })),
        "values": values,
    })
}
