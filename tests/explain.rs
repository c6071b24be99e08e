//! `intercom-guard explain KIND`: the full steps for every kind of the
//! catalog (exit 0); an unknown kind is a usage error (exit 2) that lists
//! the kinds, without echoing a secret given in its place.

mod common;

use common::{Scratch, token};
use intercom_guard::catalog::RULES;
use intercom_guard::finding::Kind;
use intercom_guard::report::guidance::{TOKEN_REPLACEMENT, VERIFY_TOKEN};

#[test]
fn every_kind_of_the_catalog_is_explained_in_full() {
    let s = Scratch::new();
    let mut kinds: Vec<Kind> = RULES.iter().map(|r| r.kind).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), Kind::ALL.len(), "every kind has a rule");
    for kind in kinds {
        let run = s.guard_with(&["explain", kind.as_str()], |c| {
            c.env("COLUMNS", "80");
        });
        run.assert_code(0);
        let text = &run.stdout;
        for needle in [
            kind.describe(),
            "regenerate it: Intercom Settings > ",
            "update your secret manager (AWS Secrets Manager, GCP Secret Manager, Vault)",
            VERIFY_TOKEN,
            "deploy everything that uses it",
            "revoke the old one, and check it no longer works",
            "git restore --staged PATH",
            "git commit --amend",
            "git rebase -i",
            "git filter-repo --replace-text replacements.txt",
            "git rm --cached PATH",
            ".env, .env.local and .env.*.local in .gitignore",
            "intercom-guard:allow",
            "fingerprints: [\"<fingerprint>\"]",
        ] {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let needle_flat = needle.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(&needle_flat),
                "{kind:?} lacks {needle:?}:\n{text}"
            );
        }
        for rule in RULES.iter().filter(|r| r.kind == kind) {
            assert!(
                text.contains(rule.id),
                "{kind:?} lacks {}:\n{text}",
                rule.id
            );
        }
        for line in text.lines().filter(|l| !l.contains(VERIFY_TOKEN)) {
            assert!(line.chars().count() <= 80, "too wide: {line:?}\n{text}");
        }
        assert!(run.stderr.is_empty(), "{run:?}");
    }
    let token = s.guard(&["explain", "access_token"]).stdout;
    assert!(token.contains(TOKEN_REPLACEMENT), "{token}");
    let key = s.guard(&["explain", "api_key"]).stdout;
    assert!(key.contains("Intercom disabled API keys in 2018"), "{key}");
}

#[test]
fn kinds_are_also_named_with_dashes_or_by_rule_id() {
    let s = Scratch::new();
    let by_kind = s.guard(&["explain", "webhook_secret"]);
    by_kind.assert_code(0);
    for other in ["webhook-secret", "intercom-webhook-secret"] {
        let run = s.guard(&["explain", other]);
        run.assert_code(0);
        assert_eq!(run.stdout, by_kind.stdout, "{other}");
    }
    let named = s.guard(&["explain", "intercom-access-token-named"]);
    named.assert_code(0);
    assert!(
        named.stdout.starts_with("Intercom access token"),
        "{named:?}"
    );
}

#[test]
fn an_unknown_kind_exits_2_with_the_list_of_kinds() {
    let s = Scratch::new();
    let run = s.guard(&["explain", "password"]);
    run.assert_code(2);
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("unknown kind `password`"), "{run:?}");
    for kind in Kind::ALL {
        assert!(run.stderr.contains(kind.as_str()), "{kind:?}: {run:?}");
    }
    // A token pasted as the kind is not echoed.
    let tok = token();
    let run = s.guard(&["explain", &tok]);
    run.assert_code(2);
    assert!(!run.all().contains(&tok), "{run:?}");
    // No kind at all is clap's usage error.
    s.guard(&["explain"]).assert_code(2);
}
