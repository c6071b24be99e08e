//! The configuration parser (`policy::config`) on arbitrary text: never a
//! panic, and an error, rendered every way the binary shows one, quotes no
//! secret of the file.

#![no_main]

use std::path::Path;

use intercom_guard::policy::config::Config;
use libfuzzer_sys::fuzz_target;

#[path = "shown.rs"]
mod shown;

fuzz_target!(|data: &[u8]| {
    // The loader turns non-UTF-8 into an error of its own before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(Path::new(".intercom-guard.yaml"), text) {
        Ok(config) => {
            let _ = (
                config.allow_paths(),
                config.fingerprints(),
                config.extra_names(),
            );
            let _ = (config.min_entropy(), config.strict(), config.inline_allow());
            let _ = config.baseline();
        }
        Err(err) => shown::assert_no_secret(data, &shown::rendered(err)),
    }
});
