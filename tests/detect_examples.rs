//! Rules as tested data: every file under tests/examples/ holds cases, each a
//! text and exactly what the engine must find in it (nothing, for a near
//! miss). A detector change that breaks one example fails here, with every
//! broken example listed.

use std::path::Path;

use intercom_guard::catalog;
use intercom_guard::detect::{DetectOptions, Detector};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    text: String,
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    extra_names: Vec<String>,
    find: Vec<Expected>,
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
            .find(case.text.as_bytes())
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
        for m in detector.find(text) {
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
