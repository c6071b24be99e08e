//! The `intercom-guard` binary: parse, run, print errors, exit.
//! Exit 0 nothing found, 1 findings, 2 usage or git error (clap's usage
//! errors already exit 2).

use std::io::Write;
use std::process::ExitCode;

use intercom_guard::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse_checked();
    cli::install_diagnostic_hook(&cli.common);
    match cli::run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let _ = writeln!(std::io::stderr().lock(), "{:?}", miette::Report::new(err));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
