//! `intercom-guard explain KIND`: everything to do about one kind of secret,
//! whatever it leaked into: what the rules find, the first steps for each
//! way it can have travelled, the rotation steps in full, and how to accept
//! a finding that is no secret. A laptop hook's report names this command
//! instead of printing the rotation steps; SARIF rules carry the same text
//! as their help.

use super::guidance::{
    API_KEYS_DISABLED, Block, PUBLIC_ENV_TOPIC, Step, public_env_steps, purge_steps, rotation_steps,
};
use crate::catalog;
use crate::finding::Kind;

/// What `explain` explains: a kind of secret, or a secret's name shipped to
/// the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Kind(Kind),
    PublicEnv,
}

impl Topic {
    /// The topic named `given`: a kind (`access_token`, `access-token`), a
    /// rule id (its kind, but the public-env rule's own topic), or
    /// `public-env`.
    pub fn from_name(given: &str) -> Option<Topic> {
        if given == PUBLIC_ENV_TOPIC
            || given == "public_env"
            || given == catalog::SECRET_PUBLIC_ENV.id
        {
            return Some(Topic::PublicEnv);
        }
        Kind::from_name(given)
            .or_else(|| catalog::rule(given).map(|r| r.kind))
            .map(Topic::Kind)
    }
}

/// What to do about a secret's name that a web framework ships to the
/// browser, as blocks.
pub fn public_env_blocks() -> Vec<Block> {
    let rule = catalog::SECRET_PUBLIC_ENV;
    let mut out = vec![Block {
        heading: format!(
            "An Intercom secret in a variable shipped to the browser ({}): what to do",
            rule.id
        ),
        steps: vec![Step::new("  ", rule.full)],
    }];
    let mut steps = public_env_steps("  1. ", "  2. ");
    steps.push(Step::new(
        "  3. ",
        "Rotate the secret (every build that inlined it published it):",
    ));
    steps.extend(rotation_steps(Kind::IdentitySecret, false, "     - "));
    steps.extend(purge_steps(
        Kind::IdentitySecret,
        "  4. ",
        "If the value itself is in the repository (a .env file, a built bundle), take it out \
         of the history too, in a fresh clone:",
        "     ",
    ));
    out.push(Block {
        heading: "Fix it:".to_owned(),
        steps,
    });
    out.push(allow_block(
        "Not a secret's name (a variable that holds a public value)?",
        "accept its fingerprint (the report shows it: the name's, so the name is \
         accepted wherever it is written) in .intercom-guard.yaml:",
    ));
    out
}

/// The closing block: how to let a value through that is no secret, by a
/// marker or by its fingerprint (`accept` says which fingerprint, and where).
fn allow_block(heading: &str, accept: &str) -> Block {
    Block {
        heading: heading.to_owned(),
        steps: vec![
            Step::new(
                "  - ",
                "put intercom-guard:allow on its line, in a comment (laptops only: a server \
                 ignores markers unless its configuration allows them), or",
            ),
            Step::new("  - ", accept),
            Step::with("      ", "", "allow:"),
            Step::with("      ", "", "  fingerprints: [\"<fingerprint>\"]"),
        ],
    }
}

/// What `explain` prints for `topic`, `width` columns wide.
pub fn topic_text(topic: Topic, width: usize) -> String {
    match topic {
        Topic::Kind(kind) => text(kind, width),
        Topic::PublicEnv => public_env_blocks()
            .iter()
            .map(|b| b.text(width))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The explanation of `kind`, as blocks (heading and steps).
pub fn blocks(kind: Kind) -> Vec<Block> {
    let rules: Vec<Step> = catalog::RULES
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| Step::new("  - ", format!("{}: {}", r.id, r.short)))
        .collect();
    let mut out = vec![Block {
        heading: format!(
            "{} ({}): what to do when one has leaked",
            kind.describe(),
            kind.as_str()
        ),
        steps: rules,
    }];

    let mut first = vec![
        Step::new(
            "  - ",
            "Staged, not committed yet: unstage the file (git restore --staged PATH) and move \
             the value to a gitignored .env read from the environment; rotate it if it was \
             ever shared (chat, paste, CI log, another repository).",
        ),
        Step::new(
            "  - ",
            "Committed, not pushed: take the value out of the file, then rewrite the commits \
             (git commit --amend for the last one, else git rebase -i FIRST~1 from the first \
             commit that has it, or git rebase -i --root), and rotate it.",
        ),
    ];
    first.extend(purge_steps(
        kind,
        "  - ",
        "Pushed, or anywhere in history: rotate it now (anyone with a clone has it), then \
         purge it from history, in a fresh clone:",
        "    ",
    ));
    first.push(Step::new(
        "  - ",
        "In a .env file: stop tracking the file (git rm --cached PATH; it stays on disk), keep \
         .env, .env.local and .env.*.local in .gitignore, and commit a template with \
         placeholders (.env.example) instead.",
    ));
    out.push(Block {
        heading: "Where it went decides the first steps:".to_owned(),
        steps: first,
    });

    out.push(Block {
        heading: "Rotate it:".to_owned(),
        steps: rotation_steps(kind, false, "  - "),
    });
    if kind == Kind::ApiKey {
        out.push(Block {
            heading: format!(
                "A legacy API key (40 hexadecimal characters) no longer works: Intercom \
                 disabled API keys in {API_KEYS_DISABLED}. Instead of rotating it:"
            ),
            steps: rotation_steps(kind, true, "  - "),
        });
    }
    out.push(allow_block(
        "Not a secret (a revoked test vector, a documentation example)?",
        "accept its fingerprint (the report shows it; --format json has it too) in \
         .intercom-guard.yaml at the root of the repository:",
    ));
    out
}

/// The explanation of `kind` as text, `width` columns wide (commands and
/// long words stay whole), blocks separated by a blank line.
pub fn text(kind: Kind, width: usize) -> String {
    blocks(kind)
        .iter()
        .map(|b| b.text(width))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `explain` prints for a kind it does not know: the kinds it does.
pub fn kinds_list() -> String {
    Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .chain([PUBLIC_ENV_TOPIC])
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::text;
    use crate::finding::Kind;
    use crate::report::guidance::{TOKEN_REPLACEMENT, explain_command};

    #[test]
    fn every_kind_has_its_rules_and_every_step() {
        for kind in Kind::ALL {
            let text = text(kind, 80);
            for needle in [
                kind.describe(),
                "regenerate it:",
                "AWS Secrets Manager",
                "\"type\": \"admin\"",
                "deploy everything that uses it",
                "revoke the old one",
                "git filter-repo --replace-text replacements.txt",
                "git rm --cached PATH",
                "intercom-guard:allow",
                "fingerprints:",
            ] {
                assert!(text.contains(needle), "{kind:?} lacks {needle:?}:\n{text}");
            }
            for rule in crate::catalog::RULES.iter().filter(|r| r.kind == kind) {
                assert!(text.contains(rule.id), "{kind:?} lacks {}", rule.id);
            }
            assert!(!explain_command(kind).is_empty());
        }
        assert!(text(Kind::AccessToken, 80).contains(TOKEN_REPLACEMENT));
        assert!(text(Kind::ApiKey, 80).contains("disabled API keys in 2018"));
    }
}
