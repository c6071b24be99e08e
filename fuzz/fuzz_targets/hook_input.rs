//! The hook stdin parsers (`source::hook_input`) on arbitrary bytes, for
//! SHA-1 and SHA-256: never a panic; what parses, written back the way git
//! writes it, parses to the same updates; an error quotes no secret of
//! the input.

#![no_main]

use gix::hash::Kind;
use intercom_guard::source::hook_input::{parse_pre_push, parse_pre_receive};
use libfuzzer_sys::fuzz_target;

#[path = "shown.rs"]
mod shown;

fn hex(id: Option<gix::ObjectId>, kind: Kind) -> String {
    id.unwrap_or_else(|| gix::ObjectId::null(kind)).to_string()
}

fuzz_target!(|data: &[u8]| {
    for kind in [Kind::Sha1, Kind::Sha256] {
        match parse_pre_receive(data, kind) {
            Ok(updates) => {
                let mut again = Vec::new();
                for u in &updates {
                    again.extend(format!("{} {} ", hex(u.old, kind), hex(u.new, kind)).bytes());
                    again.extend_from_slice(&u.name);
                    again.push(b'\n');
                }
                assert_eq!(parse_pre_receive(&again, kind).ok(), Some(updates));
            }
            Err(err) => shown::assert_no_secret(data, &shown::rendered(err)),
        }
        match parse_pre_push(data, kind) {
            Ok(updates) => {
                let mut again = Vec::new();
                for u in &updates {
                    again.extend_from_slice(&u.local_ref);
                    again.extend(format!(" {} ", hex(u.local, kind)).bytes());
                    again.extend_from_slice(&u.remote_ref);
                    again.extend(format!(" {}\n", hex(u.remote, kind)).bytes());
                }
                assert_eq!(parse_pre_push(&again, kind).ok(), Some(updates));
            }
            Err(err) => shown::assert_no_secret(data, &shown::rendered(err)),
        }
    }
});
