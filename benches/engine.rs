//! Throughput of the detection engine, `Detector::find`, on generated text.
//!
//! - `clean_source`: ~100 MiB of deterministic pseudo source code
//!   (identifiers, string literals, comments, base64-ish blobs) with no token
//!   in it: the common case, where the engine must do one fast pass.
//! - `near_misses`: text dense with things that look Intercom-ish but are
//!   not findings (`intercom`, `INTERCOM_APP_ID=...`, the documentation
//!   example `dG9rOmFiY2RlZmdoaQ==`, bare `tok:`, references and
//!   placeholders): every one wakes a validator that must say no.
//!
//! `cargo bench --bench engine` measures on 100 MiB (set
//! `INTERCOM_GUARD_BENCH_MIB` to change it). Under `cargo test --all-targets`
//! criterion runs each benchmark once ("test mode"), on 1 MiB, so the suite
//! stays fast in debug builds.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use intercom_guard::detect::{DetectOptions, Detector};

/// A small deterministic generator (splitmix64): same text on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const WORDS: &[&str] = &[
    "user",
    "account",
    "session",
    "request",
    "response",
    "client",
    "server",
    "config",
    "value",
    "handler",
    "message",
    "conversation",
    "contact",
    "admin",
    "team",
    "event",
    "payload",
    "status",
    "result",
    "error",
    "index",
    "buffer",
    "reader",
    "writer",
    "cache",
    "token_count",
    "retry",
    "timeout",
    "limit",
    "offset",
    "page",
    "cursor",
    "body",
    "header",
    "query",
    "state",
];
const KEYWORDS: &[&str] = &[
    "let", "const", "var", "fn", "def", "return", "if", "else", "for", "while", "match", "pub",
    "async", "await", "import", "from", "class", "struct", "impl", "self",
];
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn ident(rng: &mut Rng, out: &mut String) {
    out.push_str(rng.pick(WORDS));
    if rng.below(2) == 0 {
        out.push('_');
        out.push_str(rng.pick(WORDS));
    }
}

fn base64_blob(rng: &mut Rng, out: &mut String) {
    let len = 16 + rng.below(72);
    let start = out.len();
    for _ in 0..len {
        out.push(B64[rng.below(64)] as char);
    }
    // Never let chance produce the token prefix: this text must be clean.
    while out[start..].contains("dG9rO") {
        let at = start + out[start..].find("dG9rO").unwrap_or(0);
        out.replace_range(at..at + 1, "Z");
    }
    if rng.below(3) == 0 {
        out.push_str("==");
    }
}

/// One line of source-like text, no secrets.
fn clean_line(rng: &mut Rng, out: &mut String) {
    let indent = rng.below(4) * 4;
    out.extend(std::iter::repeat_n(' ', indent));
    match rng.below(10) {
        0 => {
            out.push_str("// ");
            for _ in 0..(3 + rng.below(9)) {
                out.push_str(rng.pick(WORDS));
                out.push(' ');
            }
        }
        1 => {
            out.push_str("const ");
            ident(rng, out);
            out.push_str(" = \"");
            base64_blob(rng, out);
            out.push_str("\";");
        }
        2 => {
            out.push_str(rng.pick(KEYWORDS));
            out.push(' ');
            ident(rng, out);
            out.push_str(" = \"");
            for _ in 0..(1 + rng.below(6)) {
                out.push_str(rng.pick(WORDS));
                out.push(' ');
            }
            out.push_str("\";");
        }
        3 => {
            out.push_str("if ");
            ident(rng, out);
            out.push_str(" > ");
            out.push_str(&rng.below(10_000).to_string());
            out.push_str(" {");
        }
        4 => out.push('}'),
        5 => {
            out.push('"');
            ident(rng, out);
            out.push_str("\": \"");
            ident(rng, out);
            out.push_str("\",");
        }
        _ => {
            out.push_str(rng.pick(KEYWORDS));
            out.push(' ');
            ident(rng, out);
            out.push_str(" = ");
            ident(rng, out);
            out.push('(');
            ident(rng, out);
            out.push_str(", ");
            out.push_str(&rng.below(1000).to_string());
            out.push_str(");");
        }
    }
    out.push('\n');
}

/// Lines that look like Intercom credentials but are none.
const NEAR_MISSES: &[&str] = &[
    "// talk to the intercom API here",
    "INTERCOM_APP_ID=abc12345",
    "export INTERCOM_APP_ID=\"q1w2e3r4\"",
    "const example = \"dG9rOmFiY2RlZmdoaQ==\"; // tok:abcdefghi from the docs",
    "token = \"tok:\" + uuid",
    "INTERCOM_ACCESS_TOKEN=${INTERCOM_ACCESS_TOKEN}",
    "const token = process.env.INTERCOM_ACCESS_TOKEN;",
    "token = os.environ[\"INTERCOM_ACCESS_TOKEN\"]",
    "intercom.client_secret: <your-token>",
    "INTERCOM_WEBHOOK_SECRET=your-webhook-signing-secret",
    "INTERCOM_CLIENT_SECRET=changeme",
    "intercom_api_key: xxx",
    "  access_token: ${{ secrets.INTERCOM_ACCESS_TOKEN }}",
    "Authorization: Bearer dG9rO",
    "dG9rOmFiY2RlZmdoaQ%3D%3D",
    "import Intercom from '@intercom/messenger-js-sdk';",
    "window.intercomSettings = { app_id: APP_ID };",
    "INTERCOM_IDENTITY_SECRET=",
    "- name: INTERCOM_ACCESS_TOKEN\n  valueFrom:\n    secretKeyRef: {name: intercom, key: token}",
];

fn near_miss_text(bytes: usize) -> Vec<u8> {
    let mut rng = Rng(0x1c0d_e5ec);
    let mut out = String::with_capacity(bytes + 256);
    while out.len() < bytes {
        if rng.below(3) == 0 {
            clean_line(&mut rng, &mut out);
        } else {
            out.push_str(rng.pick(NEAR_MISSES));
            out.push('\n');
        }
    }
    out.into_bytes()
}

fn clean_text(bytes: usize) -> Vec<u8> {
    let mut rng = Rng(0x5eed);
    let mut out = String::with_capacity(bytes + 256);
    while out.len() < bytes {
        clean_line(&mut rng, &mut out);
    }
    out.into_bytes()
}

/// Full size only when benchmarking (`--bench` without `--test`, criterion's
/// own rule), 1 MiB in test mode.
fn input_size() -> usize {
    let args: Vec<String> = std::env::args().collect();
    let benchmarking = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let mib = if benchmarking {
        std::env::var("INTERCOM_GUARD_BENCH_MIB")
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(100)
    } else {
        1
    };
    mib << 20
}

fn engine(c: &mut Criterion) {
    let size = input_size();
    let detector = Detector::new(&DetectOptions::default());
    let inputs = [
        ("clean_source", clean_text(size)),
        ("near_misses", near_miss_text(size)),
    ];
    let mut group = c.benchmark_group("engine");
    for (name, hay) in &inputs {
        // A sanity check on the first MiB: this text is meant to hold no
        // finding, so a match here is a false positive worth a look.
        let head = &hay[..hay.len().min(1 << 20)];
        let found = detector.find(head).len();
        if found != 0 {
            eprintln!("note: engine/{name}: {found} matches in text meant to hold no finding");
        }
        group.throughput(Throughput::Bytes(hay.len() as u64));
        group.bench_function(*name, |b| b.iter(|| detector.find(black_box(hay))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    targets = engine
}
criterion_main!(benches);
