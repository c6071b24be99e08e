//! The detector and the whole engine on arbitrary bytes.
//!
//! Input: a settings byte, then the blob. Bit 0 turns on `--strict`, bit 1
//! adds an extra secret name, bit 2 makes the second part of the blob its
//! old side (cut where the second byte says) so the added-lines check runs,
//! bit 3 uses the server's policy (inline markers ignored), bit 4 puts the
//! blob at a path that names Intercom (the whole blob is an Intercom
//! context).
//!
//! Checked: nothing panics; every match lies inside the blob and the
//! detector reads at most a fixed number of bytes per input byte (time
//! linear in the input); every finding's secret sits where its line text
//! says; and no secret of ten bytes or more appears in the human, plain,
//! JSON or SARIF report unless `--show-secrets` (a secret's name shipped to
//! the browser is a name, shown on purpose: it is checked to be one).

#![no_main]

use std::sync::{Arc, OnceLock};

use intercom_guard::detect::{DetectOptions, Detector};
use intercom_guard::engine::{Engine, Judged, Placement};
use intercom_guard::finding::{Exposure, Finding, Problem, Stats};
use intercom_guard::policy::Policy;
use intercom_guard::redact::sanitize;
use intercom_guard::report::{self, Format, ReportOptions, Surface};
use intercom_guard::source::blob::{Blob, BlobId, Occurrence, Old, Reader, Source};
use libfuzzer_sys::fuzz_target;

/// Bytes the validators may read per byte of input (as the robustness test
/// holds them to), plus a little for tiny inputs.
const MAX_WORK_PER_BYTE: u64 = 256;

/// The detectors for the four combinations of bits 0 and 1.
fn detectors() -> &'static [Detector] {
    static DETECTORS: OnceLock<Vec<Detector>> = OnceLock::new();
    DETECTORS.get_or_init(|| {
        (0..4)
            .map(|bits| {
                Detector::new(&DetectOptions {
                    strict: bits & 1 != 0,
                    extra_names: if bits & 2 != 0 {
                        vec!["ACME_SUPPORT_CHAT_KEY".into()]
                    } else {
                        Vec::new()
                    },
                    ..DetectOptions::default()
                })
            })
            .collect()
    })
}

/// One blob in memory, and its old side.
struct Memory(Arc<(Vec<u8>, Vec<u8>)>);

impl Source for Memory {
    type Reader = Memory;
    fn reader(&self) -> Memory {
        Memory(Arc::clone(&self.0))
    }
}

impl Reader for Memory {
    fn read(&mut self, id: &BlobId, _path: &[u8]) -> Result<Vec<u8>, Problem> {
        Ok(match id {
            BlobId::Object(_) => self.0.1.clone(),
            _ => self.0.0.clone(),
        })
    }
}

fn check_matches(detector: &Detector, hay: &[u8], intercom_file: bool) {
    let (matches, work) = detector.find_scoped(hay, intercom_file);
    let mut last = 0;
    for m in &matches {
        assert!(
            m.start < m.end && m.end <= hay.len(),
            "{m:?} outside {} bytes",
            hay.len()
        );
        assert!(m.start >= last, "matches are ordered by start");
        last = m.start;
        assert_eq!(m.fingerprint.len(), 64);
    }
    let bound = MAX_WORK_PER_BYTE * (hay.len() as u64 + 64);
    assert!(
        work.bytes_read <= bound,
        "{} bytes read for {} bytes",
        work.bytes_read,
        hay.len()
    );
}

fn check_finding(f: &Finding) {
    assert!(!f.secret.is_empty());
    if let Some(text) = &f.line_text {
        let at = text.get(f.line_offset..f.line_offset + f.secret.len());
        assert_eq!(at, Some(&f.secret[..]), "the secret sits at line_offset");
        for r in &f.mask {
            assert!(
                r.start < r.end && r.end <= text.len(),
                "mask {r:?} in {} bytes",
                text.len()
            );
        }
    }
}

/// Every report the findings can be shown in, without `--show-secrets`.
fn rendered(findings: &[Finding], stats: &Stats) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for format in [Format::Human, Format::Json, Format::Sarif] {
        let opts = ReportOptions {
            format,
            show_secrets: false,
            color: false,
            quiet: false,
            verbose: false,
            exposure: Exposure::Staged,
            surface: Surface::Terminal,
            width: 80,
        };
        let mut buf = Vec::new();
        report::write_report(&mut buf, findings, stats, &opts).expect("a buffer takes a report");
        out.push((format!("{format:?}"), buf));
    }
    let opts = ReportOptions {
        format: Format::Human,
        show_secrets: false,
        color: false,
        quiet: false,
        verbose: false,
        exposure: Exposure::Committed,
        surface: Surface::Terminal,
        width: 80,
    };
    let mut buf = Vec::new();
    report::plain::write(&mut buf, findings, stats, &opts).expect("a buffer takes a report");
    out.push(("plain".to_owned(), buf));
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(hay, needle).is_some()
}

fuzz_target!(|data: &[u8]| {
    let Some((&settings, rest)) = data.split_first() else {
        return;
    };
    let detector = &detectors()[usize::from(settings & 3)];
    let (new, old) = match rest.split_first() {
        Some((&cut, rest)) if settings & 4 != 0 => {
            let at = rest.len() * usize::from(cut) / 255;
            (rest[..at].to_vec(), Some(rest[at..].to_vec()))
        }
        _ => (rest.to_vec(), None),
    };
    let intercom_file = settings & 16 != 0;
    check_matches(detector, &new, intercom_file);

    let policy = if settings & 8 != 0 {
        Policy::server()
    } else {
        Policy::laptop()
    };
    let path: &[u8] = if intercom_file {
        b"lib/intercom/fuzz.py"
    } else {
        b"fuzz.txt"
    };
    let mut occurrence = Occurrence::whole(path.to_vec());
    if old.is_some() {
        occurrence.olds = vec![Old::Blob(gix::ObjectId::null(gix::hash::Kind::Sha1))];
    }
    let blob = Blob {
        id: BlobId::Stdin,
        occurrences: vec![occurrence],
    };
    let source = Memory(Arc::new((new, old.unwrap_or_default())));
    let outcome = Engine::new(detector, &policy).run(
        &source,
        vec![blob],
        &Judged::default(),
        Placement::AsListed,
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    for f in &outcome.findings {
        check_finding(f);
    }
    if outcome.findings.is_empty() {
        return;
    }
    for f in &outcome.findings {
        if intercom_guard::catalog::reports_a_name(f.rule_id) {
            assert!(
                f.secret
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_'),
                "a public-env finding is a variable's name: {:?}",
                String::from_utf8_lossy(&f.secret)
            );
        }
    }
    let secrets = outcome
        .findings
        .iter()
        .filter(|f| f.secret.len() >= 10 && !intercom_guard::catalog::reports_a_name(f.rule_id));
    for (format, text) in rendered(&outcome.findings, &outcome.stats) {
        for f in secrets.clone() {
            let lossy = String::from_utf8_lossy(&f.secret);
            let shown = sanitize(&lossy);
            let escaped = serde_json::to_string(&*lossy).expect("a string serializes");
            let escaped = escaped.trim_matches('"');
            for form in [&f.secret[..], shown.as_bytes(), escaped.as_bytes()] {
                assert!(
                    !contains(&text, form),
                    "the {format} report shows the secret {lossy:?}:\n{}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }
});
