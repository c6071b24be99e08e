//! The baseline parser (`policy::baseline`) on arbitrary bytes: never a
//! panic; what it accepts are fingerprints (64 lowercase hex digits, no
//! duplicates); an error quotes no secret of the file.

#![no_main]

use std::path::Path;

use intercom_guard::policy::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

#[path = "shown.rs"]
mod shown;

fuzz_target!(|data: &[u8]| {
    match Baseline::parse(Path::new("baseline.json"), data) {
        Ok(baseline) => {
            let mut seen = std::collections::HashSet::new();
            for fp in &baseline.fingerprints {
                assert_eq!(fp.len(), 64, "{fp:?}");
                assert!(
                    fp.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
                    "{fp:?}"
                );
                assert!(seen.insert(fp), "{fp} twice");
            }
        }
        Err(err) => shown::assert_no_secret(data, &shown::rendered(err)),
    }
});
