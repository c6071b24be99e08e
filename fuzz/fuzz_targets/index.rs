//! The index skim (`source::index_skim`) on arbitrary bytes, for SHA-1 and
//! SHA-256: never a panic; whatever it takes, gix decodes too, to the same
//! entries and cache-tree; every directory it reports lies inside the
//! index and is a prefix of the path of its first entry.

#![no_main]

use gix::hash::Kind;
use intercom_guard::source::index_skim::{Entries, Skim};
use libfuzzer_sys::fuzz_target;

fn fields(index: &impl Entries) -> Vec<(Vec<u8>, u32, gix::ObjectId, u32, bool)> {
    (0..index.len())
        .map(|i| {
            (
                index.path(i).to_vec(),
                index.mode(i).bits(),
                index.id(i),
                index.stage(i) as u32,
                index.intent_to_add(i),
            )
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let path =
        std::env::temp_dir().join(format!("intercom-guard-fuzz-index-{}", std::process::id()));
    std::fs::write(&path, data).expect("write the input");
    for kind in [Kind::Sha1, Kind::Sha256] {
        let file = std::fs::File::open(&path).expect("open the input");
        let Some(skim) = Skim::open(file, kind).expect("a file that can be read") else {
            continue;
        };
        let options = gix::index::decode::Options {
            thread_limit: Some(1),
            ..Default::default()
        };
        let decoded = gix::index::File::at(&path, kind, true, options)
            .expect("what the skim takes, gix decodes");
        assert_eq!(fields(&skim), fields(&*decoded));
        assert_eq!(skim.cache_tree(), decoded.tree());
        for i in 0..skim.len() {
            let own = skim.path(i).to_vec();
            for prefix in std::iter::once(0).chain(
                (0..own.len())
                    .filter(|&at| own[at] == b'/')
                    .map(|at| at + 1),
            ) {
                if let Some((dir, end)) = skim.dir_at(i, prefix) {
                    assert!(dir.len() > prefix && dir.ends_with(b"/"));
                    assert!(own.starts_with(dir));
                    assert!(end > i && end <= skim.len());
                    assert!((i..end).all(|j| skim.path(j).starts_with(dir)));
                }
            }
        }
        assert!(skim.failure().is_none());
    }
});
