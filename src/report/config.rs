//! The `config` report: the effective settings of a mode, one row per key
//! with its value and where it came from (a line of the file, a flag, or
//! the default), as aligned text or as one JSON document.
//!
//! JSON: `{"mode", "config": {"path", "source"} | null, "values": {KEY:
//! {"value", "from"}}}`.

use std::io::{self, Write};

use serde_json::json;

use super::Format;
use crate::policy::settings::{Settings, Sourced};
use crate::redact::scrub;

/// Writes the report for `settings` in `format`.
pub fn write(out: &mut dyn Write, format: Format, settings: &Settings) -> io::Result<()> {
    match format {
        Format::Human => write_human(out, settings),
        Format::Json => writeln!(out, "{}", to_json(settings)),
        Format::Sarif | Format::Jsonl => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "config has no SARIF report",
        )),
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
        row(
            "time_budget",
            &s.time_budget,
            s.time_budget
                .value
                .map_or_else(|| "none".to_owned(), |d| format!("{}s", d.as_secs_f64())),
            json!(s.time_budget.value.map(|d| d.as_secs_f64())),
        ),
        row(
            "verify",
            &s.verify,
            s.verify.value.to_string(),
            json!(s.verify.value),
        ),
    ]);
    rows
}

fn write_human(out: &mut dyn Write, s: &Settings) -> io::Result<()> {
    writeln!(out, "mode: {}", s.mode.name())?;
    match &s.config {
        Some((path, source)) => writeln!(
            out,
            "config file: {} ({source})",
            scrub(&path.display().to_string())
        )?,
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
    // A value or a path can hold a pasted secret: never shown in full.
    for (key, text, _, origin) in rows {
        let (text, origin) = (scrub(&text), scrub(&origin));
        writeln!(out, "{key:key_width$}  {text:value_width$}  from {origin}")?;
    }
    out.flush()
}

fn to_json(s: &Settings) -> serde_json::Value {
    let mut values = serde_json::Map::new();
    for (key, _, value, origin) in rows(s) {
        values.insert(
            key.to_owned(),
            json!({"value": scrub_json(value), "from": scrub(&origin)}),
        );
    }
    json!({
        "mode": s.mode.name(),
        "config": s.config.as_ref().map(|(path, source)| json!({
            "path": scrub(&path.display().to_string()),
            "source": source.to_string(),
        })),
        "values": values,
    })
}

/// Every string in `value` with the secrets the detector sees redacted.
fn scrub_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => Value::String(scrub(&text)),
        Value::Array(items) => Value::Array(items.into_iter().map(scrub_json).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, scrub_json(v))).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Mode;

    fn render(format: Format, settings: &Settings) -> String {
        let mut out = Vec::new();
        write(&mut out, format, settings).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_defaults_as_aligned_rows() {
        let text = render(Format::Human, &Settings::defaults(Mode::Laptop));
        assert!(
            text.starts_with("mode: laptop\nconfig file: none (defaults)\n\n"),
            "{text}"
        );
        assert!(
            text.contains("\nbaseline            none   from default\n"),
            "{text}"
        );
        assert!(
            text.contains("\ninline_allow        true   from default\n"),
            "{text}"
        );
        assert!(
            text.contains("\ntime_budget         none   from default\n"),
            "{text}"
        );
        assert!(
            text.ends_with("\nverify              false  from default\n"),
            "{text}"
        );
    }

    #[test]
    fn the_defaults_as_json() {
        let doc: serde_json::Value =
            serde_json::from_str(&render(Format::Json, &Settings::defaults(Mode::Server))).unwrap();
        assert_eq!(doc["mode"], Mode::Server.name());
        assert_eq!(doc["config"], serde_json::Value::Null);
        assert_eq!(doc["values"]["baseline"]["value"], serde_json::Value::Null);
        assert_eq!(doc["values"]["detect.strict"]["from"], "default");
        assert_eq!(
            doc["values"]["time_budget"]["value"],
            serde_json::Value::Null
        );
        assert_eq!(doc["values"]["verify"]["value"], false);
        assert_eq!(doc["values"].as_object().unwrap().len(), 9);
    }

    #[test]
    fn sarif_is_refused_not_written_as_something_else() {
        let mut out = Vec::new();
        let settings = Settings::defaults(Mode::Laptop);
        assert!(write(&mut out, Format::Sarif, &settings).is_err());
        assert!(out.is_empty());
    }
}
