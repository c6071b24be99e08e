//! The `intercom-guard` binary: parse, run, print errors, exit.
//! Exit 0 nothing found, 1 findings, 2 usage or git error (clap's usage
//! errors already exit 2).

use std::io::Write;
use std::process::ExitCode;

use intercom_guard::cli::{self, Cli};
use intercom_guard::report::scrubbed::Scrubbed;

fn main() -> ExitCode {
    let cli = Cli::parse_checked();
    cli::install_diagnostic_hook(&cli.common);
    match cli::run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // Shown without any secret its text may hold (a path, an argument).
            let shown = miette::Report::new(Scrubbed::new(err));
            let _ = writeln!(std::io::stderr().lock(), "{shown:?}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
