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

/// Builds an input of `n` bytes.
type Build = Box<dyn Fn(usize) -> Vec<u8>>;

/// Inputs built to make validators repeat work: each is a short pattern
/// repeated (or a prefix and a long run) to `n` bytes.
fn hostile_shapes() -> Vec<(&'static str, Build)> {
    use base64::Engine as _;
    fn repeat(unit: &str, n: usize) -> Vec<u8> {
        unit.bytes().cycle().take(n).collect()
    }
    fn shape(f: impl Fn(usize) -> Vec<u8> + 'static) -> Build {
        Box::new(f)
    }
    let staircase: String = (0..200)
        .map(|i| format!("{}intercom:\n", " ".repeat(i)))
        .collect();
    vec![
        // The reproduction: every few characters a wrapped-token
        // prefix whose inner `dG9rO` is not a token.
        (
            "base64 of dG9rO repeated",
            shape(|n| {
                let inner = "dG9rO".repeat(n * 3 / 4 / 5 + 1);
                base64::engine::general_purpose::STANDARD
                    .encode(inner)
                    .into_bytes()[..n]
                    .to_vec()
            }),
        ),
        ("dG9rO repeated", shape(|n| repeat("dG9rO", n))),
        (
            "dG9rO then a base64 run",
            shape(|n| [b"dG9rO".to_vec(), repeat("Ab9+", n - 5)].concat()),
        ),
        (
            "wrapped prefix then a base64 run",
            shape(|n| [b"ZEc5ck".to_vec(), repeat("Ab9+", n - 6)].concat()),
        ),
        ("tok: repeated", shape(|n| repeat("tok:", n))),
        ("%3D repeated", shape(|n| repeat("%3D", n))),
        (
            "tokens glued to tokens",
            shape(|n| {
                repeat(
                    "dG9rOjhkMjJhZDg5X2VlZDJfNDFlNF85YzhjX2E1MGEyNWY1YzEyMzoxOjA",
                    n,
                )
            }),
        ),
        (
            "secret names on one line",
            shape(|n| repeat("intercom_token=Kiy8vwkqQRKHn8eh85 ", n)),
        ),
        (
            "names assigned names",
            shape(|n| repeat("INTERCOM_TOKEN=", n)),
        ),
        ("one endless identifier", shape(|n| repeat("intercom", n))),
        ("nested JSON sections", shape(|n| repeat("intercom:{", n))),
        (
            "nested sections with keys",
            shape(|n| repeat("intercom:{token:x,", n)),
        ),
        (
            "nested quoted sections",
            shape(|n| repeat("\"intercom\": {\"token\": \"x\", ", n)),
        ),
        (
            "nested client calls",
            shape(|n| repeat("Intercom::Client.new(", n)),
        ),
        (
            "nested YAML sections",
            shape(move |n| repeat(&staircase, n)),
        ),
        (
            "YAML section of keys",
            shape(|n| repeat(&format!("intercom:\n{}", "  api_token: x\n".repeat(300)), n)),
        ),
        (
            "Terraform blocks",
            shape(|n| repeat("variable \"intercom_token\" {", n)),
        ),
        (
            "plist keys",
            shape(|n| repeat("<key>IntercomApiKey</key>", n)),
        ),
        (
            "name/value pairs",
            shape(|n| repeat("- name: INTERCOM_TOKEN\n", n)),
        ),
        (
            "quotes in a section",
            shape(|n| [b"intercom:{".to_vec(), repeat("\"'", n - 10)].concat()),
        ),
        (
            "JSON.stringify nested",
            shape(|n| {
                [
                    b"INTERCOM_TOKEN = ".to_vec(),
                    repeat("JSON.stringify(", n - 17),
                ]
                .concat()
            }),
        ),
    ]
}

/// At most this many bytes read by the validators per input byte, for any
/// input (the densest shapes above read about 160).
const MAX_WORK_PER_BYTE: u64 = 256;

#[test]
fn hostile_inputs_cost_work_linear_in_their_size() {
    let detector = Detector::new(&DetectOptions::default());
    let mut failures = Vec::new();
    for (name, build) in hostile_shapes() {
        let mut previous: Option<(usize, u64)> = None;
        for n in [4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10] {
            let hay = build(n);
            assert_eq!(hay.len(), n, "{name}");
            check(&detector, &hay);
            let work = detector.find_measured(&hay).1.bytes_read;
            if work > MAX_WORK_PER_BYTE * n as u64 {
                failures.push(format!("{name}: {work} bytes read for {n} bytes of input"));
            }
            if let Some((m, w)) = previous
                && work > w * 5 / 2 + 1024
            {
                failures.push(format!(
                    "{name}: {m} → {n} bytes of input, work {w} → {work}"
                ));
            }
            previous = Some((n, work));
        }
    }
    assert!(
        failures.is_empty(),
        "superlinear work:\n{}",
        failures.join("\n")
    );
}
