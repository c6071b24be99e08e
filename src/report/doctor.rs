//! The doctor's report: renders the checklist's [`Item`]s as text (one
//! `PASS`/`WARN`/`FAIL` line per check, its details and fix, a summary) or
//! as one JSON document, and gives the exit code.
//!
//! JSON: `{"ok": bool, "checks": [{"check", "status", "message", "details",
//! "fix"}]}`.

use std::io::{self, Write};
use std::path::Path;

use serde_json::json;

use super::Format;
use super::guidance::{Detail, Where, guidance};
use super::redact::{sanitize, scrub};
use super::scrubbed::Scrubbed;
use crate::doctor::{Item, Status};
use crate::finding::{Exposure, Kind};

/// Writes the report for `items` in `format`; `place` is the repository
/// checked (its work tree, or the git directory of a bare repository).
pub fn write(out: &mut dyn Write, format: Format, place: &Path, items: &[Item]) -> io::Result<()> {
    match format {
        Format::Human => write_human(out, place, items),
        Format::Json => writeln!(out, "{}", to_json(items)),
        Format::Sarif | Format::Jsonl => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "doctor has no SARIF report",
        )),
    }
}

/// 1 when an item fails, 0 when only warnings (or nothing) remain.
pub fn exit_code(items: &[Item]) -> u8 {
    u8::from(failed(items))
}

fn failed(items: &[Item]) -> bool {
    items.iter().any(|i| i.status == Status::Fail)
}

/// A diagnostic as the lines a `details` list holds: miette's graphical
/// rendering without colour (the source snippet and its pointer included),
/// secrets redacted ([`Scrubbed`]).
pub fn diagnostic_lines(err: impl miette::Diagnostic + Send + Sync + 'static) -> Vec<String> {
    let report = miette::Report::new(Scrubbed::new(err));
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut text = String::new();
    if handler.render_report(&mut text, report.as_ref()).is_err() {
        text = report.to_string();
    }
    text.lines().map(str::to_owned).collect()
}

fn write_human(out: &mut dyn Write, place: &Path, items: &[Item]) -> io::Result<()> {
    writeln!(out, "intercom-guard doctor: {}", place.display())?;
    writeln!(out)?;
    for item in items {
        let mark = match item.status {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        };
        // Paths in the text are shown with control characters escaped and
        // secrets redacted.
        writeln!(out, "{mark}  {}: {}", item.check, shown(&item.message))?;
        for d in &item.details {
            writeln!(out, "        {}", shown(d))?;
        }
        if let Some(fix) = &item.fix {
            let mut lines = fix.lines();
            if let Some(first) = lines.next() {
                writeln!(out, "      fix: {first}")?;
            }
            for l in lines {
                writeln!(out, "      {l}")?;
            }
        }
        for (kind, at) in committed(&item.secrets) {
            let block = guidance(kind, Exposure::Committed, &at, Detail::Full);
            for line in block.lines(GUIDANCE_WIDTH) {
                writeln!(out, "      {line}")?;
            }
        }
    }
    let failed = items.iter().filter(|i| i.status == Status::Fail).count();
    let warned = items.iter().filter(|i| i.status == Status::Warn).count();
    writeln!(out)?;
    writeln!(
        out,
        "{} checks: {} passed, {failed} failed, {warned} warning{}",
        items.len(),
        items.len() - failed - warned,
        if warned == 1 { "" } else { "s" }
    )?;
    out.flush()
}

/// Columns of the guidance under an item (indented by 6).
const GUIDANCE_WIDTH: usize = 74;

/// The secrets an item found, grouped by kind for the guidance: they are
/// committed (at HEAD), so each kind gets the committed variant.
fn committed(secrets: &[(Kind, Vec<u8>)]) -> Vec<(Kind, Where)> {
    let mut kinds: Vec<(Kind, Where)> = Vec::new();
    for (kind, path) in secrets {
        let at = match kinds.iter().position(|(k, _)| k == kind) {
            Some(i) => &mut kinds[i].1,
            None => {
                kinds.push((*kind, Where::default()));
                &mut kinds.last_mut().expect("just pushed").1
            }
        };
        if !at.paths.contains(path) {
            at.paths.push(path.clone());
        }
    }
    kinds.sort_by_key(|(k, _)| *k);
    kinds
}

/// Text of an item as printed: control characters escaped, secrets (in a
/// path, say) redacted.
fn shown(text: &str) -> String {
    sanitize(&scrub(text))
}

fn to_json(items: &[Item]) -> serde_json::Value {
    json!({
        "ok": !failed(items),
        "checks": items.iter().map(|i| json!({
            "check": i.check,
            "status": i.status.as_str(),
            "message": scrub(&i.message),
            "details": i.details.iter().map(|d| scrub(d)).collect::<Vec<_>>(),
            "fix": i.fix,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<Item> {
        vec![
            Item {
                check: "gitignore",
                status: Status::Pass,
                message: "fine".to_owned(),
                details: Vec::new(),
                fix: None,
                secrets: Vec::new(),
            },
            Item {
                check: "hook",
                status: Status::Warn,
                message: "no hook".to_owned(),
                details: vec!["looked in .git/hooks".to_owned()],
                fix: Some("install one\nor another".to_owned()),
                secrets: Vec::new(),
            },
        ]
    }

    fn render(format: Format, items: &[Item]) -> String {
        let mut out = Vec::new();
        write(&mut out, format, Path::new("/repo"), items).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_lists_each_check_its_fix_and_a_summary() {
        assert_eq!(
            render(Format::Human, &items()),
            "intercom-guard doctor: /repo\n\n\
             PASS  gitignore: fine\n\
             WARN  hook: no hook\n\
             \x20       looked in .git/hooks\n\
             \x20     fix: install one\n\
             \x20     or another\n\
             \n2 checks: 1 passed, 0 failed, 1 warning\n"
        );
        assert_eq!(exit_code(&items()), 0);
    }

    #[test]
    fn json_has_ok_and_every_check() {
        let mut all = items();
        all[0].status = Status::Fail;
        let doc: serde_json::Value = serde_json::from_str(&render(Format::Json, &all)).unwrap();
        assert_eq!(doc["ok"], false);
        assert_eq!(doc["checks"][0]["status"], "fail");
        assert_eq!(doc["checks"][1]["fix"], "install one\nor another");
        assert_eq!(doc["checks"][1]["details"][0], "looked in .git/hooks");
        assert_eq!(doc["checks"][0]["fix"], serde_json::Value::Null);
        assert_eq!(exit_code(&all), 1);
    }

    #[test]
    fn sarif_is_refused_not_written_as_something_else() {
        let mut out = Vec::new();
        assert!(write(&mut out, Format::Sarif, Path::new("/repo"), &items()).is_err());
        assert!(out.is_empty());
    }
}
