//! The engine never panics and never reports a span outside its input, on
//! every prefix and suffix of every example, and on example text mutated
//! with hostile bytes (NUL, quotes, brackets, escapes, invalid UTF-8).

use std::path::Path;

use intercom_guard::detect::{DetectOptions, Detector};

#[derive(serde::Deserialize)]
struct Case {
    text: String,
}

/// The text of every example case (each a few hundred bytes).
fn example_texts() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("tests/examples") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "yaml") {
            let yaml = std::fs::read_to_string(&path).expect("readable");
            let cases: Vec<Case> = serde_saphyr::from_str(&yaml).expect("example file parses");
            out.extend(cases.into_iter().map(|c| c.text.into_bytes()));
        }
    }
    assert!(out.len() > 100);
    out
}

fn check(detector: &Detector, hay: &[u8]) {
    for m in detector.find(hay) {
        assert!(
            m.start < m.end && m.end <= hay.len(),
            "span {m:?} outside {} bytes",
            hay.len()
        );
        assert_eq!(m.fingerprint.len(), 64);
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn every_prefix_and_suffix_of_every_example() {
    let strict = Detector::new(&DetectOptions {
        strict: true,
        extra_names: vec!["ACME_SUPPORT_CHAT_KEY".into()],
        ..DetectOptions::default()
    });
    for text in example_texts() {
        for cut in 0..=text.len() {
            check(&strict, &text[..cut]);
            check(&strict, &text[cut..]);
        }
    }
}

#[test]
fn hostile_mutations_do_not_panic() {
    let detector = Detector::new(&DetectOptions::default());
    let hostile: &[&[u8]] = &[
        b"\0",
        b"\"",
        b"'",
        b"`",
        b"\\",
        b"\\\"",
        b"{",
        b"}",
        b"(",
        b")",
        b"[",
        b"]",
        b"=",
        b":",
        b"\n",
        b"\r\n",
        b"\xff",
        b"\xc3",
        b"%3D",
        b"\\u003d",
        b"intercom",
        b"INTERCOM_TOKEN=",
        b"dG9rO",
        b"tok:",
        b"ZEc5ck",
        b"- name: ",
        b"value: ",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for text in example_texts() {
        for _ in 0..60 {
            let mut t = text.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(t.len() + 1);
                match rng.below(3) {
                    0 => {
                        let h = hostile[rng.below(hostile.len())];
                        t.splice(at..at, h.iter().copied());
                    }
                    1 if at < t.len() => {
                        let end = (at + 1 + rng.below(16)).min(t.len());
                        t.drain(at..end);
                    }
                    _ => t.insert(at, rng.next() as u8),
                }
            }
            check(&detector, &t);
        }
    }
}

#[test]
fn degenerate_inputs() {
    let detector = Detector::new(&DetectOptions::default());
    let long_b64 = "dG9rO".repeat(4_000);
    let many_names = "intercom_token=".repeat(4_000);
    let deep = format!("intercom = {}", "{(".repeat(50_000));
    for hay in [
        &b""[..],
        b"dG9rO",
        b"tok:",
        b"intercom",
        b"INTERCOM_ACCESS_TOKEN=",
        long_b64.as_bytes(),
        many_names.as_bytes(),
        deep.as_bytes(),
        &[0u8; 4096][..],
    ] {
        check(&detector, hay);
    }
}
