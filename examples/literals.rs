//! Prints the literals the detector's Aho-Corasick automaton searches for,
//! one a line, as `rg -F -f` takes them: `bench/engine.sh` measures the
//! engine against ripgrep searching the same set.
//!
//! `cargo run --release --example literals > literals.txt`

use std::io::Write;

use intercom_guard::detect::{DetectOptions, Detector};

fn main() -> std::io::Result<()> {
    let detector = Detector::new(&DetectOptions::default());
    let mut out = std::io::stdout().lock();
    for literal in detector.literals() {
        out.write_all(literal)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
