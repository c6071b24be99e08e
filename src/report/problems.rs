//! Problems on stderr, as they come: a miette diagnostic for a person at a
//! terminal, plain lines for git's `remote:` prefix. At most
//! [`MAX_SHOWN`] are shown one by one; the machine formats list them all.

use std::io::{self, Write};
use std::sync::Arc;

use crate::finding::Problem;

/// At most this many problems are described one by one.
pub(crate) const MAX_SHOWN: usize = 20;

/// Show `problem`, the `shown`-th of the run (0-based).
pub(super) fn show(
    out: &mut dyn Write,
    problem: &Problem,
    shown: usize,
    plain: bool,
) -> io::Result<()> {
    if shown >= MAX_SHOWN {
        return Ok(());
    }
    if plain {
        writeln!(out, "{}", super::plain::error_lines(&*problem.diagnostic))
    } else {
        let report = miette::Report::new(Shared(Arc::clone(&problem.diagnostic)));
        writeln!(out, "{report:?}")
    }
}

/// After the last problem: how many were not shown.
pub(super) fn show_rest(out: &mut dyn Write, total: usize) -> io::Result<()> {
    if total > MAX_SHOWN {
        writeln!(
            out,
            "… and {} more problems (`git fsck` lists unreadable objects)",
            total - MAX_SHOWN
        )?;
    }
    Ok(())
}

/// A shared diagnostic that miette can own.
struct Shared(Arc<dyn miette::Diagnostic + Send + Sync>);

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl std::error::Error for Shared {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl miette::Diagnostic for Shared {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        self.0.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.0.diagnostic_source()
    }
}
