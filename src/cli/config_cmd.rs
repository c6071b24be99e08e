//! `intercom-guard config [--mode laptop|server|history]`: load the
//! settings of a mode and hand them to the report ([`crate::report::config`]),
//! which shows each value and where it came from. Exits 2 when the
//! configuration is invalid, like every mode would.

use std::io;

use super::args::ConfigMode;
use super::{CliError, CommonArgs, settings};
use crate::policy::Mode;
use crate::report;

pub(super) fn run(mode: ConfigMode, common: &CommonArgs) -> Result<u8, CliError> {
    let repo = settings::open_repo_for_config().ok();
    let mode = match mode {
        ConfigMode::Laptop => Mode::Laptop,
        ConfigMode::Server => Mode::Server,
        ConfigMode::History => Mode::History {
            work_tree: repo.as_ref().is_none_or(|r| r.workdir().is_some()),
        },
    };
    let loaded = settings::load(mode, common, repo.as_ref())?;
    let written = report::config::write(&mut io::stdout().lock(), common.format, &loaded.settings);
    match written {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(err)),
        _ => Ok(super::EXIT_CLEAN),
    }
}
