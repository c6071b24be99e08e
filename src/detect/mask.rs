//! Which byte ranges of any text hold a secret, for redacting text that is
//! not a scanned blob: a file name, an author, a quote of a configuration
//! file in a diagnostic, a command-line error.
//!
//! [`secrets`] runs the detector at its most suspicious (strict, no entropy
//! floor) with the built-in names only: a run's extra names are not known
//! where this is asked. [`opaque`] adds long values that look random, for
//! quoting files that should hold no secret at all (the configuration, a
//! baseline) where a pasted secret has no name the detector knows.

use std::ops::Range;
use std::sync::OnceLock;

use super::{DetectOptions, Detector};

/// Shortest run of value characters [`opaque`] considers.
const OPAQUE_MIN_LEN: usize = 24;
/// A run must switch between letters and digits at least this often...
const OPAQUE_MIN_SWITCHES: usize = 3;
/// ...and use at least this many distinct characters.
const OPAQUE_MIN_DISTINCT: usize = 10;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        Detector::new(&DetectOptions {
            strict: true,
            min_entropy: 0.0,
            extra_names: Vec::new(),
        })
    })
}

/// The byte ranges of `text` the detector calls a secret, and every other
/// place one of those secrets is written (glued to more text, it is no
/// match of its own), ordered by start.
pub fn secrets(text: &[u8]) -> Vec<Range<usize>> {
    let found: Vec<Range<usize>> = detector()
        .find(text)
        .into_iter()
        .filter(|m| !crate::catalog::reports_a_name(m.rule_id))
        .map(|m| m.start..m.end)
        .collect();
    let mut ranges = copies(text, &found);
    ranges.extend(found);
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges.dedup();
    ranges
}

/// Secrets shorter than this are not looked for elsewhere (redaction shows
/// nothing of them anyway, and short copies would hide ordinary words).
const MIN_COPIED: usize = 8;

/// Every place in `text` where the bytes of one of `secrets` (ranges of
/// `text`) are written, themselves included: one pass for all of them.
/// Unordered.
pub fn copies(text: &[u8], secrets: &[Range<usize>]) -> Vec<Range<usize>> {
    let needles: Vec<&[u8]> = secrets.iter().filter_map(|r| text.get(r.clone())).collect();
    copies_of(&needles, text)
}

/// Every place in `text` where one of `secrets` (of at least
/// [`MIN_COPIED`] bytes; shorter ones are left out) is written. Unordered.
pub fn copies_of(secrets: &[&[u8]], text: &[u8]) -> Vec<Range<usize>> {
    Copies::new(secrets).find(text)
}

/// [`copies_of`] for many texts and the same secrets: the search is built
/// once.
#[derive(Debug)]
pub struct Copies {
    automaton: Option<aho_corasick::AhoCorasick>,
    /// The secrets, when they are beyond what an automaton holds.
    needles: Vec<Vec<u8>>,
}

impl Copies {
    pub fn new(secrets: &[&[u8]]) -> Copies {
        let mut needles: Vec<&[u8]> = secrets
            .iter()
            .copied()
            .filter(|s| s.len() >= MIN_COPIED)
            .collect();
        needles.sort_unstable();
        needles.dedup();
        if needles.is_empty() {
            return Copies {
                automaton: None,
                needles: Vec::new(),
            };
        }
        match aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&needles)
        {
            Ok(automaton) => Copies {
                automaton: Some(automaton),
                needles: Vec::new(),
            },
            // Beyond what an automaton holds: one search per secret.
            Err(_) => Copies {
                automaton: None,
                needles: needles.iter().map(|n| n.to_vec()).collect(),
            },
        }
    }

    /// Every place in `text` where one of the secrets is written. Unordered.
    pub fn find(&self, text: &[u8]) -> Vec<Range<usize>> {
        match &self.automaton {
            Some(automaton) => automaton.find_iter(text).map(|m| m.range()).collect(),
            None => self
                .needles
                .iter()
                .flat_map(|s| memchr::memmem::find_iter(text, s).map(|at| at..at + s.len()))
                .collect(),
        }
    }
}

/// [`secrets`], and every long run of base64, hex or UUID characters (with
/// its `=` padding) that
/// mixes letters and digits like a random value does, except a fingerprint
/// (64 hex digits: what `allow.fingerprints` and a baseline hold, and no
/// secret). Ordered by start; ranges may overlap.
pub fn secrets_and_opaque(text: &[u8]) -> Vec<Range<usize>> {
    let mut ranges = secrets(text);
    ranges.extend(opaque(text));
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges
}

fn is_value_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-')
}

/// The runs of value characters that look random.
fn opaque(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if !is_value_byte(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && is_value_byte(text[i]) {
            i += 1;
        }
        // Base64 padding ends a value; `=` elsewhere separates a name.
        while i < text.len() && text[i] == b'=' {
            i += 1;
        }
        if looks_random(&text[start..i]) {
            out.push(start..i);
        }
    }
    out
}

fn looks_random(word: &[u8]) -> bool {
    if word.len() < OPAQUE_MIN_LEN {
        return false;
    }
    if word.len() == 64 && word.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let switches = word
        .windows(2)
        .filter(|w| {
            (w[0].is_ascii_digit() && w[1].is_ascii_alphabetic())
                || (w[0].is_ascii_alphabetic() && w[1].is_ascii_digit())
        })
        .count();
    let mut seen = [false; 256];
    for &b in word {
        seen[usize::from(b)] = true;
    }
    let distinct = seen.iter().filter(|&&s| s).count();
    switches >= OPAQUE_MIN_SWITCHES && distinct >= OPAQUE_MIN_DISTINCT
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "dG9rOjhmMTRlNDVmX2NlZWFfNDY3Zl9hMGU2X2IxYzZiNWUzYTJkOToxOjA=";

    #[test]
    fn finds_a_token_anywhere() {
        let text = format!("config/{TOKEN}.txt");
        let ranges = secrets(text.as_bytes());
        assert_eq!(ranges, vec![7..7 + TOKEN.len()]);
        assert!(secrets(b"src/app.js").is_empty());
    }

    #[test]
    fn copies_of_a_secret_are_masked_where_they_are_glued() {
        // Glued to `x`, the second copy is no match of its own.
        let text = format!("a={TOKEN} b=x{TOKEN}y");
        let second = 2 + TOKEN.len() + 4;
        assert_eq!(
            secrets(text.as_bytes()),
            vec![2..2 + TOKEN.len(), second..second + TOKEN.len()]
        );
    }

    #[test]
    fn opaque_values_but_not_words_paths_or_fingerprints() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
        let text = format!("fingerprints: [{hex}]");
        assert_eq!(
            secrets_and_opaque(text.as_bytes()),
            vec![15..15 + hex.len()]
        );
        let uuid = "8f14e45f_ceea_467f_a0e6_b1c6b5e3a2d9";
        assert_eq!(opaque(uuid.as_bytes()), vec![0..uuid.len()]);
        let fingerprint = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        for plain in [
            fingerprint,
            "tests/fixtures/2024/intercom_v1_responses/**",
            "ACME_SUPPORT_CHAT_KEY_FOR_THE_WHOLE_COMPANY",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(opaque(plain.as_bytes()).is_empty(), "{plain}");
        }
    }
}
