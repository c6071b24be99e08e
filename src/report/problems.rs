//! Problems on stderr, as they come: a miette diagnostic for a person at a
//! terminal, plain lines for git's `remote:` prefix, secrets in their text
//! redacted ([`Scrubbed`]). At most
//! [`MAX_SHOWN`] are shown one by one; the machine formats list them all.

use std::io::{self, Write};
use std::sync::Arc;

use super::scrubbed::Scrubbed;
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
        let report = miette::Report::new(Scrubbed::shared(Arc::clone(&problem.diagnostic)));
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
