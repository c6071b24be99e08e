//! The rule catalog: every rule the detector reports, once. Each [`Rule`]
//! holds its id (the `rule_id` of a finding), the [`Kind`] of secret it
//! finds, a one-line description, a full description and a help text.
//! Detection takes its rule ids from these entries, the SARIF report lists
//! them as `tool.driver.rules`, and the rule table in README.md ("What is
//! detected") is generated from them (`tests/rule_catalog.rs` fails when the
//! committed table is stale).
//!
//! This is where a new rule is added:
//! 1. a `Rule` const below, listed in [`RULES`] (ids are public: users and
//!    baselines match on them, so an id never changes once released);
//! 2. the detector (`src/detect/`) emits `THE_RULE.id`;
//! 3. positive and negative examples under `tests/examples/*.yaml` (every
//!    catalog rule needs an example that emits it);
//! 4. `INTERCOM_GUARD_BLESS=1 cargo test --test rule_catalog` rewrites the
//!    README table;
//! 5. [`DETECTION_REVISION`] goes up by one.
//!
//! The catalog is vocabulary, like [`crate::finding`]: `detect` and `report`
//! both read it, and it knows nothing of either.

/// The revision of what the detector finds. A recorded sweep
/// (`history --state`, `sweep`) is trusted only by a build of the same
/// version and revision: the blobs it judged clean are read again by a
/// detector that may find more. Goes up by one with every change to the
/// detector that changes a verdict (a new rule, a validator that accepts or
/// refuses other values), even between releases.
pub const DETECTION_REVISION: u32 = 1;

use crate::finding::Kind;

/// One rule: what a finding's `rule_id` stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The rule id, as reports print it (`rule_id`, SARIF `ruleId`).
    pub id: &'static str,
    /// The kind of secret a finding of this rule is, unless the secret name
    /// it is assigned to says more (DESIGN.md "Precise rules": a token
    /// assigned to `INTERCOM_WEBHOOK_SECRET` is a webhook secret).
    pub kind: Kind,
    /// One line: what the rule finds (SARIF `shortDescription`, README).
    pub short: &'static str,
    /// What the rule finds, how, and why it matters (SARIF `fullDescription`).
    pub full: &'static str,
    /// What to do about a finding, before the rotation steps (SARIF `help`).
    pub help: &'static str,
}

/// An access token found by its structure.
pub const ACCESS_TOKEN: Rule = Rule {
    id: "intercom-access-token",
    kind: Kind::AccessToken,
    short: "Intercom access token (matched by its structure)",
    full: "An Intercom access token, found by its structure: base64 of \"tok:\", a UUID written \
           with \"_\" and \":1:0\", 60 characters that start \"dG9rO\", in either base64 \
           alphabet and with its \"=\" escaped or not. It is a live credential for the Intercom \
           workspace: rotate it.",
    help: "Take the token out of the file and read it from the environment or a secret manager, \
           then rotate it. A revoked token kept on purpose (a test vector) is accepted by its \
           fingerprint under allow.fingerprints in .intercom-guard.yaml.",
};

/// An access token encoded once more in base64.
pub const ACCESS_TOKEN_BASE64: Rule = Rule {
    id: "intercom-access-token-base64",
    kind: Kind::AccessToken,
    short: "Intercom access token encoded once more in base64",
    full: "An Intercom access token encoded a second time in base64, as Kubernetes Secret.data, \
           CI variables and Authorization: Basic headers hold it; found by the fixed prefixes of \
           the doubly encoded \"dG9rO\" and decoded twice. It is a live credential for the \
           Intercom workspace: rotate it.",
    help: "Encoding is not encryption: the value decodes to the token. Keep the manifest or \
           variable out of git (a sealed or external secret, the CI's secret store), then rotate \
           the token.",
};

/// An access token in its decoded form, as debug logs print it.
pub const ACCESS_TOKEN_DECODED: Rule = Rule {
    id: "intercom-access-token-decoded",
    kind: Kind::AccessToken,
    short: "Intercom access token in its decoded form (tok:<uuid>:1:0)",
    full: "An Intercom access token in its decoded form, tok:<uuid>:1:0, as debug logs and dumps \
           print it. It is the same credential as the base64 token: rotate it.",
    help: "Remove the log or dump from the repository and keep such files ignored, stop logging \
           the token, then rotate it.",
};

/// A value assigned to an access token name that is not a token by structure.
pub const ACCESS_TOKEN_NAMED: Rule = Rule {
    id: "intercom-access-token-named",
    kind: Kind::AccessToken,
    short: "Intercom access token assigned to a secret name",
    full: "A literal value assigned to an Intercom access token name (INTERCOM_ACCESS_TOKEN, \
           intercomAccessToken, a client constructor's token argument, ...) in .env, shell, YAML, \
           JSON, TOML, INI, Dockerfile or code syntax. References and placeholders are not \
           reported. It is a live credential for the Intercom workspace: rotate it.",
    help: NAMED_HELP,
};

/// A webhook signing secret assigned to a secret name.
pub const WEBHOOK_SECRET: Rule = Rule {
    id: "intercom-webhook-secret",
    kind: Kind::WebhookSecret,
    short: "Intercom webhook signing secret assigned to a secret name",
    full: "A literal value assigned to an Intercom webhook secret name (INTERCOM_WEBHOOK_SECRET, \
           intercom.webhook_secret, ...) in .env, shell, YAML, JSON, TOML, INI, Dockerfile or \
           code syntax. References and placeholders are not reported. It is a live credential \
           for the Intercom workspace: rotate it.",
    help: NAMED_HELP,
};

/// An identity verification secret assigned to a secret name.
pub const IDENTITY_SECRET: Rule = Rule {
    id: "intercom-identity-secret",
    kind: Kind::IdentitySecret,
    short: "Intercom identity verification secret assigned to a secret name",
    full: "A literal value assigned to an Intercom identity verification secret name \
           (INTERCOM_IDENTITY_SECRET, INTERCOM_SECRET_KEY, ...) in .env, shell, YAML, JSON, \
           TOML, INI, Dockerfile or code syntax. References and placeholders are not reported. \
           It is a live credential for the Intercom workspace: rotate it.",
    help: NAMED_HELP,
};

/// An OAuth client secret assigned to a secret name.
pub const CLIENT_SECRET: Rule = Rule {
    id: "intercom-client-secret",
    kind: Kind::ClientSecret,
    short: "Intercom OAuth client secret assigned to a secret name",
    full: "A literal value assigned to an Intercom OAuth client secret name \
           (INTERCOM_CLIENT_SECRET, intercom.client_secret, ..., and a configured extra name \
           that says no other kind) in .env, shell, YAML, JSON, TOML, INI, Dockerfile or code syntax. \
           References and placeholders are not reported. It is a live credential for the \
           Intercom workspace: rotate it.",
    help: NAMED_HELP,
};

/// An API key assigned to a secret name.
pub const API_KEY: Rule = Rule {
    id: "intercom-api-key",
    kind: Kind::ApiKey,
    short: "Intercom API key assigned to a secret name",
    full: "A literal value assigned to an Intercom API key name (INTERCOM_API_KEY, \
           intercomApiKey, ...) in .env, shell, YAML, JSON, TOML, INI, Dockerfile or code \
           syntax. References and placeholders are not reported. It is a live credential for \
           the Intercom workspace: rotate it.",
    help: NAMED_HELP,
};

/// An Intercom secret's name with the prefix a web framework inlines into
/// the browser bundle: the finding is the name, wherever it is written.
pub const SECRET_PUBLIC_ENV: Rule = Rule {
    id: "intercom-secret-public-env",
    kind: Kind::IdentitySecret,
    short: "Intercom secret in a variable a web framework ships to the browser",
    full: "An Intercom secret's variable name with a prefix that a web framework inlines into \
           the client bundle at build time (NEXT_PUBLIC_, VITE_, REACT_APP_, EXPO_PUBLIC_, \
           NUXT_PUBLIC_, GATSBY_, VUE_APP_, SvelteKit's PUBLIC_, ...), such as \
           NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET. Whatever value it is given is published to \
           every visitor of the site, so the name is reported wherever it is written, even \
           where the file only reads it (process.env.NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET in a \
           component that computes user_hash in the browser). The kind is the one the name \
           says; names of public values (NEXT_PUBLIC_INTERCOM_APP_ID) are not reported.",
    help: "The identity verification secret must stay on the server (Intercom's setup, step \
           3): compute user_hash (or sign the Messenger JWT) on the server and hand the browser \
           only the result. Rename the variable without the public prefix, read it in server \
           code only, then rotate the secret: every build that inlined it has published it.",
};

/// The help of every rule that finds a secret by its name.
const NAMED_HELP: &str = "Take the value out of the file and read it from the environment or a \
    secret manager (a reference such as ${NAME} or process.env.NAME is not a finding), then \
    rotate it. A value that is no secret is accepted by its fingerprint under \
    allow.fingerprints in .intercom-guard.yaml.";

/// Every rule, in the order reports list them.
pub const RULES: &[Rule] = &[
    ACCESS_TOKEN,
    ACCESS_TOKEN_BASE64,
    ACCESS_TOKEN_DECODED,
    ACCESS_TOKEN_NAMED,
    WEBHOOK_SECRET,
    IDENTITY_SECRET,
    CLIENT_SECRET,
    API_KEY,
    SECRET_PUBLIC_ENV,
];

/// Whether a rule's findings are a variable's name, not a secret's value:
/// reports show them in full, and redaction leaves them alone.
pub fn reports_a_name(rule_id: &str) -> bool {
    rule_id == SECRET_PUBLIC_ENV.id
}

/// The rule with this id, if the catalog has one.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::{RULES, rule};

    #[test]
    fn ids_are_unique_and_found_by_lookup() {
        for r in RULES {
            assert_eq!(
                RULES.iter().filter(|o| o.id == r.id).count(),
                1,
                "{} is listed twice",
                r.id
            );
            assert_eq!(rule(r.id), Some(r));
        }
        assert_eq!(rule("intercom-no-such-rule"), None);
    }

    #[test]
    fn every_rule_is_described() {
        for r in RULES {
            assert!(r.id.starts_with("intercom-"), "{}", r.id);
            for (field, text) in [("short", r.short), ("full", r.full), ("help", r.help)] {
                assert!(!text.trim().is_empty(), "{}: empty {field}", r.id);
                assert!(!text.contains('\n'), "{}: {field} is one line", r.id);
            }
            assert!(!r.short.ends_with('.'), "{}: short is a phrase", r.id);
        }
    }
}
