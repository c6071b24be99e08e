//! Rules as tested data: every file under tests/examples/ holds cases, each a
//! text and exactly what the engine must find in it (nothing, for a near
//! miss). A detector change that breaks one example fails here, with every
//! broken example listed. Each case runs through the detector and through
//! the whole engine (as the file at its `path`), and both must find it.
//!
//! A case is tagged with the rule it exercises (`rule`: what its findings
//! are reported as, or, for a near miss, the rule that must stay silent)
//! and the syntax it is written in (`syntax`). The files older than the
//! tags ([`UNTAGGED`]) may leave them out; every other case carries both.

use std::path::Path;
use std::sync::Arc;

use intercom_guard::catalog;
use intercom_guard::detect::{DetectOptions, Detector};
use intercom_guard::engine::{Engine, Judged, Placement};
use intercom_guard::finding::Problem;
use intercom_guard::policy::Policy;
use intercom_guard::source::blob::{Blob, BlobId, Occurrence, Reader, Source};
use serde::Deserialize;

/// The example files written before cases were tagged.
const UNTAGGED: &[&str] = &[
    "contexts.yaml",
    "names.yaml",
    "placeholders.yaml",
    "tokens.yaml",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    text: String,
    /// The rule the case exercises (a catalog id), or the rules, when a
    /// case's findings are of more than one.
    #[serde(default)]
    rule: Option<OneOrMany>,
    /// The syntax the text is written in (`dotenv`, `ruby`, `shell`, ...).
    #[serde(default)]
    syntax: Option<String>,
    /// Where the text is, for the engine (`example.txt` by default).
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    extra_names: Vec<String>,
    find: Vec<Expected>,
}

/// A string, or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn all(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl Case {
    fn path(&self) -> &str {
        self.path.as_deref().unwrap_or("example.txt")
    }
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Expected {
    secret: String,
    kind: String,
    confidence: String,
}

fn load(dir: &Path) -> Vec<(String, Case)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/examples exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("example file is UTF-8");
        let parsed: Vec<Case> =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let file = f.file_name().unwrap().to_string_lossy().into_owned();
        cases.extend(parsed.into_iter().map(|c| (file.clone(), c)));
    }
    cases
}

fn opts_of(case: &Case) -> DetectOptions {
    DetectOptions {
        strict: case.strict,
        extra_names: case.extra_names.clone(),
        ..DetectOptions::default()
    }
}

/// One blob in memory, for the engine.
struct Memory(Arc<Vec<u8>>);

impl Source for Memory {
    type Reader = Memory;
    fn reader(&self) -> Memory {
        Memory(Arc::clone(&self.0))
    }
}

impl Reader for Memory {
    fn read(&mut self, _id: &BlobId, _path: &[u8]) -> Result<Vec<u8>, Problem> {
        Ok(self.0.to_vec())
    }
}

/// What the whole engine (laptop policy, every line added) reports for the
/// case's text at its path.
fn through_engine(case: &Case) -> Vec<Expected> {
    let detector = Detector::new(&opts_of(case));
    let policy = Policy::laptop();
    let blob = Blob {
        id: BlobId::Stdin,
        occurrences: vec![Occurrence::whole(case.path().as_bytes().to_vec())],
    };
    let source = Memory(Arc::new(case.text.as_bytes().to_vec()));
    let outcome = Engine::new(&detector, &policy).run(
        &source,
        vec![blob],
        &Judged::default(),
        Placement::AsListed,
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let mut found: Vec<(usize, Expected)> = outcome
        .findings
        .into_iter()
        .map(|f| {
            let line_start = case
                .text
                .split_inclusive('\n')
                .take(f.line.map_or(0, |l| l as usize - 1))
                .map(str::len)
                .sum::<usize>();
            let at = line_start + f.line_text.as_ref().map_or(0, |_| f.line_offset);
            (
                at,
                Expected {
                    secret: String::from_utf8_lossy(&f.secret).into_owned(),
                    kind: f.kind.as_str().to_string(),
                    confidence: f.confidence.as_str().to_string(),
                },
            )
        })
        .collect();
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, e)| e).collect()
}

#[test]
fn every_example_finds_exactly_what_it_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let cases = load(&dir);
    assert!(
        cases.len() > 100,
        "expected a large example corpus, got {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let found: Vec<Expected> = Detector::new(&opts_of(case))
            .find_in_file(case.text.as_bytes(), case.path().as_bytes())
            .into_iter()
            .map(|m| Expected {
                secret: String::from_utf8_lossy(&case.text.as_bytes()[m.start..m.end]).into_owned(),
                kind: m.kind.as_str().to_string(),
                confidence: m.confidence.as_str().to_string(),
            })
            .collect();
        if found != case.find {
            failures.push(format!(
                "{file}: {}\n  expected: {:?}\n  found:    {:?}",
                case.name, case.find, found
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The engine finds what the detector finds: the path reaches the
/// detector, and redaction masks, policy and placement lose nothing.
#[test]
fn every_example_finds_the_same_through_the_engine() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let cases = load(&dir);
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let found = through_engine(case);
        if found != case.find {
            failures.push(format!(
                "{file}: {} (at {})\n  expected: {:?}\n  found:    {:?}",
                case.name,
                case.path(),
                case.find,
                found
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples failed through the engine:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every case of a tagged file names a catalog rule and a syntax, and a
/// case's findings are all of its rule.
#[test]
fn tagged_examples_name_their_rule_and_syntax_and_find_only_that_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let mut failures = Vec::new();
    for (file, case) in &load(&dir) {
        let tagged = !UNTAGGED.contains(&file.as_str());
        match (&case.rule, &case.syntax) {
            (Some(rules), Some(syntax)) => {
                for rule in rules.all() {
                    if catalog::rule(rule).is_none() {
                        failures.push(format!(
                            "{file}: {}: rule {rule:?} is not in the catalog",
                            case.name
                        ));
                    }
                }
                if syntax.trim().is_empty() {
                    failures.push(format!("{file}: {}: empty syntax", case.name));
                }
            }
            _ if tagged => failures.push(format!("{file}: {}: needs rule and syntax", case.name)),
            _ => {}
        }
        let Some(rules) = &case.rule else {
            continue;
        };
        let rules = rules.all();
        let detector = Detector::new(&opts_of(case));
        for m in detector.find_in_file(case.text.as_bytes(), case.path().as_bytes()) {
            if !rules.contains(&m.rule_id) {
                failures.push(format!(
                    "{file}: {}: tagged {rules:?} but found by {}",
                    case.name, m.rule_id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn both_positive_and_negative_examples_exist_in_every_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let cases = load(&dir);
    let mut files: Vec<&str> = cases.iter().map(|(f, _)| f.as_str()).collect();
    files.dedup();
    for f in files {
        let of_file = cases.iter().filter(|(g, _)| g == f);
        let (pos, neg): (Vec<_>, Vec<_>) = of_file.partition(|(_, c)| !c.find.is_empty());
        assert!(
            !pos.is_empty() && !neg.is_empty(),
            "{f} needs positive and negative examples"
        );
    }
}

/// Every rule id the detector emits on the examples is a catalog rule, and
/// the finding's kind is the rule's kind, or else the kind of the name the
/// secret is assigned to (DESIGN.md "Precise rules": a token assigned to
/// `INTERCOM_WEBHOOK_SECRET` is a webhook secret). In that case the bare
/// secret, without its name, must be found by the same rule with the rule's
/// own kind. And every catalog rule is emitted by some example.
#[test]
fn every_rule_found_is_in_the_catalog_with_its_kind() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples");
    let mut failures = Vec::new();
    let mut emitted: Vec<&str> = Vec::new();
    for (file, case) in load(&dir).iter().filter(|(_, c)| !c.find.is_empty()) {
        let detector = Detector::new(&opts_of(case));
        let text = case.text.as_bytes();
        for m in detector.find_in_file(text, case.path().as_bytes()) {
            emitted.push(m.rule_id);
            let Some(rule) = catalog::rule(m.rule_id) else {
                failures.push(format!(
                    "{file}: {}: rule {:?} is not in src/catalog.rs",
                    case.name, m.rule_id
                ));
                continue;
            };
            if m.kind == rule.kind {
                continue;
            }
            let secret = &text[m.start..m.end];
            // A public-env finding's kind is what its name says: the bare
            // name alone is the same finding.
            if catalog::reports_a_name(rule.id) {
                let bare = detector.find(secret);
                let same = bare.len() == 1
                    && (bare[0].start, bare[0].end) == (0, secret.len())
                    && bare[0].rule_id == rule.id
                    && bare[0].kind == m.kind;
                if !same {
                    failures.push(format!(
                        "{file}: {}: the bare name {:?} is not the same {} finding",
                        case.name,
                        String::from_utf8_lossy(secret),
                        rule.id
                    ));
                }
                continue;
            }
            let bare = detector.find(secret);
            let same = bare.len() == 1
                && (bare[0].start, bare[0].end) == (0, secret.len())
                && bare[0].rule_id == rule.id
                && bare[0].kind == rule.kind;
            if !same {
                failures.push(format!(
                    "{file}: {}: {} is a {} rule but found {:?} as {}, and the bare secret \
                     gives {:?}",
                    case.name,
                    rule.id,
                    rule.kind.as_str(),
                    String::from_utf8_lossy(secret),
                    m.kind.as_str(),
                    bare.iter()
                        .map(|b| (b.rule_id, b.kind.as_str()))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    for rule in catalog::RULES {
        if !emitted.contains(&rule.id) {
            failures.push(format!(
                "{}: no positive example under tests/examples emits this rule",
                rule.id
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
