//! `intercom-guard doctor`: open the repository, load its settings, run the
//! checklist ([`crate::doctor`]) and hand the items to the report
//! ([`crate::report::doctor`]).
//!
//! Exit 1 when an item fails, 0 when only warnings remain, 2 outside a
//! repository.

use std::io;

use super::{CliError, CommonArgs, settings};
use crate::detect::Detector;
use crate::doctor::{self, Config};
use crate::policy::{Mode, Policy, Settings};
use crate::report;

pub(super) fn run(common: &CommonArgs) -> Result<u8, CliError> {
    let repo = settings::open_repo()?;
    let (settings, policy, detector, invalid) =
        match settings::load(Mode::Laptop, common, Some(&repo)) {
            Ok(loaded) => (loaded.settings, loaded.policy, loaded.detector, None),
            Err(err) => {
                // The other checks still run, with the defaults.
                let defaults = Settings::defaults(Mode::Laptop);
                let detector = Detector::new(&defaults.detect_options());
                let diagnostic = report::doctor::diagnostic_lines(err);
                (defaults, Policy::laptop(), detector, Some(diagnostic))
            }
        };
    let config = match invalid {
        None => Config::Parsed(&settings),
        Some(diagnostic) => Config::Invalid(diagnostic),
    };
    let items = doctor::checklist(&repo, &config, &policy, &detector, std::env::vars_os());

    let place = repo.workdir().unwrap_or_else(|| repo.git_dir());
    let written = report::doctor::write(&mut io::stdout().lock(), common.format, place, &items);
    match written {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(err)),
        _ => Ok(report::doctor::exit_code(&items)),
    }
}
