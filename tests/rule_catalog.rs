//! The rule catalog (src/catalog.rs) is the one list of rules: the README's
//! rule table is generated from it, and the SARIF report lists exactly its
//! rules. (That every rule the detector emits is in the catalog is checked
//! over the examples, in tests/detect_examples.rs.)

use std::path::Path;

use intercom_guard::catalog::{self, RULES};
use intercom_guard::finding::{Exposure, Stats};
use intercom_guard::report::explain;
use intercom_guard::report::{Format, ReportOptions, Surface, write_report};
use serde_json::Value;

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";
const BLESS: &str = "INTERCOM_GUARD_BLESS";

/// Text for a Markdown table cell: what Markdown would read as markup,
/// HTML (`<uuid>`) or a cell boundary is escaped.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The README's rule table, as the catalog says it.
fn table() -> String {
    let mut out = String::from(
        "<!-- Generated from src/catalog.rs: INTERCOM_GUARD_BLESS=1 cargo test --test rule_catalog -->\n\
         | rule id | kind | what it finds |\n\
         | --- | --- | --- |\n",
    );
    for r in RULES {
        out.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            r.id,
            r.kind.as_str(),
            cell(r.short)
        ));
    }
    out
}

#[test]
fn readme_rule_table_is_generated_from_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is UTF-8");
    assert_eq!(
        readme.matches(START).count(),
        1,
        "one {START:?} in README.md"
    );
    assert_eq!(readme.matches(END).count(), 1, "one {END:?} in README.md");
    let from = readme.find(START).unwrap() + START.len();
    let to = readme.find(END).unwrap();
    assert!(from <= to, "{START:?} comes before {END:?} in README.md");
    let fresh = table();
    if readme[from..to] == fresh {
        return;
    }
    if std::env::var_os(BLESS).is_some_and(|v| v == "1") {
        let blessed = format!("{}{fresh}{}", &readme[..from], &readme[to..]);
        std::fs::write(&path, blessed).expect("README.md is writable");
        eprintln!("README.md: rule table rewritten from src/catalog.rs");
        return;
    }
    panic!(
        "README.md's rule table is stale. Rerun with {BLESS}=1 to rewrite it, \
         or paste this between {START:?} and {END:?}:\n\n{fresh}"
    );
}

#[test]
fn markdown_cells_escape_html_and_cell_boundaries() {
    assert_eq!(cell("tok:<uuid>:1:0"), "tok:&lt;uuid&gt;:1:0");
    assert_eq!(cell("a | b_c"), "a \\| b\\_c");
}

#[test]
fn sarif_lists_exactly_the_catalog_rules() {
    let opts = ReportOptions {
        format: Format::Sarif,
        show_secrets: false,
        color: false,
        quiet: false,
        verbose: false,
        exposure: Exposure::Published,
        surface: Surface::Terminal,
        width: 80,
    };
    let mut out = Vec::new();
    write_report(&mut out, &[], &Stats::default(), &opts).unwrap();
    let doc: Value = serde_json::from_slice(&out).expect("SARIF is JSON");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("driver.rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let catalog_ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids, catalog_ids);
    for r in rules {
        let rule = catalog::rule(r["id"].as_str().unwrap()).unwrap();
        assert_eq!(r["shortDescription"]["text"], rule.short);
        assert_eq!(r["fullDescription"]["text"], rule.full);
        let topic = explain::Topic::from_name(rule.id).expect("a rule id is a topic");
        let steps = explain::topic_text(topic, usize::MAX);
        assert_eq!(r["help"]["text"], format!("{}\n\n{steps}", rule.help));
        assert_eq!(
            r["help"]["markdown"],
            format!("{}\n\n```\n{steps}```", rule.help)
        );
    }
}

/// A rule's help is about the kind, not about one run (which said "in 0
/// files, not committed yet"), and the articles agree with "Intercom".
#[test]
fn sarif_rule_texts_are_about_the_kind_not_a_run() {
    let opts = ReportOptions::new(Format::Sarif, Exposure::Staged);
    let mut out = Vec::new();
    write_report(&mut out, &[], &Stats::default(), &opts).unwrap();
    let doc: Value = serde_json::from_slice(&out).expect("SARIF is JSON");
    for r in doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        for text in [
            &r["shortDescription"]["text"],
            &r["fullDescription"]["text"],
            &r["help"]["text"],
            &r["help"]["markdown"],
        ] {
            let text = text.as_str().unwrap();
            for wrong in ["0 files", "in 0 ", "A Intercom", "a Intercom", "<path>"] {
                assert!(!text.contains(wrong), "{}: {wrong:?} in {text}", r["id"]);
            }
        }
        let help = r["help"]["text"].as_str().unwrap();
        assert!(help.contains("revoke the old one"), "{help}");
        assert!(help.contains("intercom-guard:allow"), "{help}");
    }
}
