//! `intercom-guard explain KIND`: print what to do about one kind of secret
//! ([`crate::report::explain`]) on stdout, fitted to the terminal. KIND is
//! a kind as the reports name it (`access_token`, also `access-token`), a
//! rule id of the catalog (`intercom-access-token-named`), or `public-env`
//! (also the rule id `intercom-secret-public-env`) for a secret's name
//! shipped to the browser; anything else is a usage error (exit 2) that
//! lists the kinds.

use std::io::{self, IsTerminal as _, Write as _};

use super::CliError;
use crate::report::{explain, width};

/// KIND is not a kind or a rule id.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown kind `{given}`")]
#[diagnostic(
    code(intercom_guard::explain::unknown_kind),
    help("the kinds are: {kinds}")
)]
pub struct UnknownKind {
    given: String,
    kinds: String,
}

pub(super) fn run(given: &str) -> Result<u8, CliError> {
    let topic = explain::Topic::from_name(given).ok_or_else(|| UnknownKind {
        given: given.to_owned(),
        kinds: explain::kinds_list(),
    })?;
    let stdout = io::stdout();
    let terminal = stdout
        .is_terminal()
        .then(|| terminal_size::terminal_size_of(io::stdout()))
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    let columns = width::columns(std::env::var_os("COLUMNS").as_deref(), terminal);
    let text = explain::topic_text(topic, columns);
    match stdout.lock().write_all(text.as_bytes()) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(err)),
        _ => Ok(super::EXIT_CLEAN),
    }
}
