//! Rotation guidance: what to do now, printed once per kind of finding after
//! the findings, tuned to how far the secret travelled ([`Exposure`]) and to
//! what leaked where ([`Where`]).
//!
//! Every variant carries the rotation steps (regenerate, update the secret
//! manager, verify, deploy, revoke, keep `.env` files ignored), since a
//! value that reached a file has usually also been in a chat, a paste or a CI
//! log. A laptop hook's report names them by the command that prints them
//! ([`Detail::Short`]: `intercom-guard explain KIND`), so a refused commit
//! fits a terminal; the other reports print them in full.
//!
//! What differs is the urgency and the first steps: unstage the file, rewrite
//! the unpushed commits (from the first commit that has the secret, which
//! works with or without an upstream), or rotate at once and purge history.
//! A secret in a `.env` file is fixed by untracking and ignoring the file,
//! not by moving the value "to a .env". A legacy 40-hex API key no longer
//! works (Intercom disabled API keys in 2018): the steps say what to do
//! instead of rotating it.
//!
//! Guidance is a [`Block`]: a heading and steps, rendered to a width. Prose
//! wraps at word boundaries; commands are never wrapped, so they paste.

use super::path::{shell_word, shown};
use super::width::{len, wrap};
use crate::env_file;
use crate::finding::{Exposure, Kind};

/// The line a `git filter-repo --replace-text` file needs for access tokens:
/// matches every token by its structure, so the file never holds a secret.
pub const TOKEN_REPLACEMENT: &str = "regex:dG9rO[A-Za-z0-9+/_-]+(=|%3D)*==>REDACTED";

/// The check that an access token works: `/me` answers `"type": "admin"`.
pub const VERIFY_TOKEN: &str =
    r#"curl -s https://api.intercom.io/me -H "Authorization: Bearer $INTERCOM_ACCESS_TOKEN""#;

/// At most this many paths or commits are named; the rest are counted.
const MAX_NAMED: usize = 5;

/// The year Intercom disabled API keys (access tokens replaced them).
pub const API_KEYS_DISABLED: &str = "2018";

/// Where the findings of one kind are, for naming them in commands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Where {
    /// Distinct paths, as found (raw bytes), in report order.
    pub paths: Vec<Vec<u8>>,
    /// Distinct short commit ids, in report order (empty when unknown). A
    /// push lists the oldest first: the first is where a rewrite starts.
    pub commits: Vec<String>,
    /// The first of `commits` has no parent (`git rebase -i --root`).
    pub first_is_root: bool,
    /// Every secret of this kind is a legacy API key (40 hexadecimal
    /// characters), which Intercom no longer accepts.
    pub legacy_api_key: bool,
}

impl Where {
    /// Every path is a `.env` file with real values (not a template).
    fn in_env_files(&self) -> bool {
        !self.paths.is_empty() && self.paths.iter().all(|p| env_file::holds_secrets(p))
    }
}

/// Whether a value is a legacy Intercom API key: 40 hexadecimal characters.
pub fn is_legacy_api_key(secret: &[u8]) -> bool {
    secret.len() == 40 && secret.iter().all(u8::is_ascii_hexdigit)
}

/// How much of the rotation steps a block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every step (scan, history, the server's report, doctor, SARIF).
    Full,
    /// The first steps in full, the rotation steps one command away
    /// (`intercom-guard explain KIND`): a laptop hook's report.
    Short,
}

/// One step: its text wraps under `lead`; its command never wraps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What the first line starts with: `  1. `, `     - `.
    pub lead: String,
    pub text: String,
    /// A command: after the text when the line has room, else on a line of
    /// its own below it.
    pub command: Option<String>,
}

impl Step {
    /// A step of prose.
    pub fn new(lead: &str, text: impl Into<String>) -> Step {
        Step {
            lead: lead.to_owned(),
            text: text.into(),
            command: None,
        }
    }

    /// A step with a command.
    pub fn with(lead: &str, text: impl Into<String>, command: impl Into<String>) -> Step {
        Step {
            lead: lead.to_owned(),
            text: text.into(),
            command: Some(command.into()),
        }
    }
}

/// A heading and its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub heading: String,
    pub steps: Vec<Step>,
}

impl Block {
    /// The block as lines no wider than `width` (but for a command or a
    /// word longer than the room), heading first.
    pub fn lines(&self, width: usize) -> Vec<String> {
        let mut out = Vec::new();
        if !self.heading.is_empty() {
            out.extend(wrap(&self.heading, width, "", ""));
        }
        for step in &self.steps {
            let hang = " ".repeat(len(&step.lead));
            match &step.command {
                None => out.extend(wrap(&step.text, width, &step.lead, &hang)),
                Some(command) if step.text.is_empty() => {
                    out.push(format!("{}{command}", step.lead));
                }
                Some(command) => {
                    let one = format!("{}{}  {command}", step.lead, step.text);
                    if len(&one) <= width {
                        out.push(one);
                    } else {
                        out.extend(wrap(&step.text, width, &step.lead, &hang));
                        out.push(format!("{hang}  {command}"));
                    }
                }
            }
        }
        out
    }

    /// [`Block::lines`] joined, each ending with a newline.
    pub fn text(&self, width: usize) -> String {
        self.lines(width)
            .into_iter()
            .fold(String::new(), |mut s, l| {
                s.push_str(&l);
                s.push('\n');
                s
            })
    }
}

/// The guidance for one kind of secret at one exposure.
pub fn guidance(kind: Kind, exposure: Exposure, at: &Where, detail: Detail) -> Block {
    let c = Case {
        kind,
        what: kind.describe(),
        at,
        detail,
        env: at.in_env_files(),
    };
    match exposure {
        Exposure::OnDisk => c.on_disk(),
        Exposure::Staged => c.staged(),
        Exposure::Committed => c.committed(),
        Exposure::Published => c.published(),
    }
}

/// The rotation steps of `kind`, under `lead` (a legacy API key's: what to
/// do instead, since there is nothing left to rotate).
pub fn rotation_steps(kind: Kind, legacy_api_key: bool, lead: &str) -> Vec<Step> {
    if kind == Kind::ApiKey && legacy_api_key {
        return vec![
            Step::new(
                lead,
                format!(
                    "Intercom disabled API keys in {API_KEYS_DISABLED}: this key no longer \
                     works, and there is none to regenerate. Whatever still uses it has failed \
                     since then."
                ),
            ),
            Step::new(
                lead,
                "give it an access token instead: Intercom Settings > Developer Hub > your app \
                 > Authentication",
            ),
            Step::new(
                lead,
                "keep the token in your secret manager (AWS Secrets Manager, GCP Secret \
                 Manager, Vault)",
            ),
            Step::with(
                lead,
                "verify the token answers \"type\": \"admin\":",
                VERIFY_TOKEN,
            ),
            Step::new(lead, "deploy everything that used the key"),
            Step::new(
                lead,
                "delete the old key from every file, CI variable and secret store (there is \
                 nothing to revoke at Intercom)",
            ),
        ];
    }
    let mut steps = vec![
        Step::new(lead, format!("regenerate it: {}", regenerate_where(kind))),
        Step::new(
            lead,
            "update your secret manager (AWS Secrets Manager, GCP Secret Manager, Vault)",
        ),
    ];
    let verify = match kind {
        Kind::AccessToken | Kind::ApiKey => {
            "verify the new token answers \"type\": \"admin\":".to_owned()
        }
        Kind::WebhookSecret | Kind::ClientSecret | Kind::IdentitySecret => format!(
            "verify: {}; and the app's token still answers \"type\": \"admin\":",
            verify_other(kind)
        ),
    };
    steps.push(Step::with(lead, verify, VERIFY_TOKEN));
    steps.push(Step::new(lead, "deploy everything that uses it"));
    steps.push(Step::new(
        lead,
        "revoke the old one, and check it no longer works",
    ));
    steps
}

/// What `intercom-guard explain` is given for the steps about a secret's
/// name shipped to the browser (the rule id works too).
pub const PUBLIC_ENV_TOPIC: &str = "public-env";

/// The guidance for secrets' names that a web framework ships to the
/// browser (`names`, at `at`): why (every visitor gets the value, and the
/// identity secret must stay on the server), and what to do (compute
/// `user_hash` on the server, rename the variable, rotate the secret).
pub fn public_env(names: &[String], exposure: Exposure, at: &Where, detail: Detail) -> Block {
    let first: Vec<String> = names.iter().take(MAX_NAMED).cloned().collect();
    let more = names.len().saturating_sub(MAX_NAMED);
    let mut listed = first.join(", ");
    if more > 0 {
        listed.push_str(&format!(" and {more} more"));
    }
    let heading = format!(
        "An Intercom secret in a variable shipped to the browser ({listed}, in {}): every \
         visitor of the site can read its value.",
        named(&at.paths, shown)
    );
    let mut steps = public_env_steps("  1. ", "  2. ");
    let rotate = match exposure {
        Exposure::OnDisk | Exposure::Staged => {
            "If a build or a deploy ever ran with it set, the secret is published: rotate it."
        }
        Exposure::Committed | Exposure::Published => {
            "Rotate the secret: every build that inlined it published it."
        }
    };
    match detail {
        Detail::Full => {
            steps.push(Step::new("  3. ", rotate));
            steps.extend(rotation_steps(Kind::IdentitySecret, false, "     - "));
        }
        Detail::Short => steps.push(Step::with(
            "  3. ",
            format!("{}; this prints the steps:", rotate.trim_end_matches('.')),
            format!("intercom-guard explain {PUBLIC_ENV_TOPIC}"),
        )),
    }
    Block { heading, steps }
}

/// The first two steps about a secret shipped to the browser.
pub fn public_env_steps(first: &str, second: &str) -> Vec<Step> {
    vec![
        Step::new(
            first,
            "The identity verification secret must stay on the server (step 3 of setting up \
             identity verification): compute user_hash, the HMAC-SHA256 of the user's id with \
             the secret, on the server (or sign the Messenger JWT there) and hand the page only \
             the result. No other Intercom secret belongs in the browser either.",
        ),
        Step::new(
            second,
            "Rename the variable without the framework's public prefix \
             (NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET becomes INTERCOM_IDENTITY_SECRET), read it \
             in server code only, and remove the browser code that reads it.",
        ),
    ]
}

/// The command that prints the full steps for `kind`.
pub fn explain_command(kind: Kind) -> String {
    format!("intercom-guard explain {}", kind.as_str())
}

/// The line on handling a finding that is no secret.
pub const FALSE_POSITIVE: &str =
    "Not a secret? intercom-guard:allow on the line, or allow.fingerprints in config";

/// What one guidance block is about.
struct Case<'a> {
    kind: Kind,
    what: &'static str,
    at: &'a Where,
    detail: Detail,
    /// Every path is a `.env` file.
    env: bool,
}

impl Case<'_> {
    fn files(&self) -> String {
        count(self.at.paths.len(), "file")
    }

    /// The paths for prose, as a person reads them.
    fn shown_paths(&self) -> String {
        named(&self.at.paths, shown)
    }

    /// The paths as shell words, for commands.
    fn shell_paths(&self) -> String {
        named(&self.at.paths, shell_word)
    }

    /// `the file` / `the files`.
    fn the_files(&self) -> &'static str {
        if self.at.paths.len() == 1 {
            "the file"
        } else {
            "the files"
        }
    }

    /// The rotation steps under `number`'s text, in full or one command away.
    fn rotate(&self, steps: &mut Vec<Step>, number: &str, text: &str) {
        match self.detail {
            Detail::Full => {
                steps.push(Step::new(number, text));
                steps.extend(rotation_steps(self.kind, self.at.legacy_api_key, "     - "));
            }
            Detail::Short => {
                let text = if self.kind == Kind::ApiKey && self.at.legacy_api_key {
                    format!(
                        "Intercom disabled API keys in {API_KEYS_DISABLED}: this one no longer \
                         works; what to do instead:"
                    )
                } else {
                    format!("{}; this prints the steps:", text.trim_end_matches(':'))
                };
                steps.push(Step::with(number, text, explain_command(self.kind)));
            }
        }
    }

    fn move_to_env(&self, number: &str) -> Step {
        Step::new(
            number,
            "Move the value to a gitignored .env and read it from the environment; keep .env, \
             .env.local and .env.*.local in .gitignore.",
        )
    }

    fn ignore_env(&self, number: &str) -> Step {
        Step::new(
            number,
            "Keep it out of git: add .env, .env.local and .env.*.local to .gitignore, and \
             commit a template with placeholders (.env.example) instead.",
        )
    }

    fn on_disk(&self) -> Block {
        let mut steps = Vec::new();
        let heading;
        if self.env {
            heading = format!(
                "{} in {} ({}): a .env file stays out of git.",
                self.what,
                self.files(),
                self.shown_paths()
            );
            steps.push(self.ignore_env("  1. "));
            steps.push(Step::with(
                "     ",
                format!("If git tracks {} already, untrack it:", self.the_files()),
                format!("git rm --cached {}", self.shell_paths()),
            ));
        } else {
            heading = format!("{} in {}: keep it out of git.", self.what, self.files());
            steps.push(Step::new(
                "  1. ",
                format!(
                    "Take the value out of {}: move it to a gitignored .env and read it from \
                     the environment; keep .env, .env.local and .env.*.local in .gitignore.",
                    self.shown_paths()
                ),
            ));
        }
        steps.push(Step::with(
            "  2. ",
            "If it was ever committed, this finds every commit that holds it:",
            "intercom-guard history",
        ));
        self.rotate(
            &mut steps,
            "  3. ",
            "If it was committed or shared (chat, paste, CI log, another repository), rotate it:",
        );
        Block { heading, steps }
    }

    fn staged(&self) -> Block {
        let mut steps = Vec::new();
        let heading;
        if self.env {
            heading = format!(
                "{} in {}, staged: a .env file stays out of git.",
                self.what,
                self.shown_paths()
            );
            steps.push(Step::with(
                "  1. ",
                format!(
                    "Unstage {} and stop tracking it (it stays on disk):",
                    self.the_files()
                ),
                format!("git rm --cached {}", self.shell_paths()),
            ));
            steps.push(self.ignore_env("  2. "));
        } else {
            heading = format!(
                "{} staged in {}: keep it out of the commit.",
                self.what,
                self.files()
            );
            steps.push(Step::with(
                "  1. ",
                format!("Unstage {}:", self.the_files()),
                format!("git restore --staged {}", self.shell_paths()),
            ));
            steps.push(self.move_to_env("  2. "));
        }
        self.rotate(
            &mut steps,
            "  3. ",
            "If the value was ever shared (chat, paste, CI log, another repository), rotate it:",
        );
        Block { heading, steps }
    }

    fn committed(&self) -> Block {
        let commits = &self.at.commits;
        let in_commits = if commits.is_empty() {
            String::new()
        } else {
            format!(" ({})", name_list(commits, "commit"))
        };
        let heading = if commits.is_empty() {
            format!(
                "{} committed in {}: take it out before it is pushed.",
                self.what,
                self.files()
            )
        } else {
            format!(
                "{} committed in {}{in_commits}, not published yet: do not push it.",
                self.what,
                self.files()
            )
        };
        let mut steps = Vec::new();
        if self.env {
            steps.push(Step::with(
                "  1. ",
                format!("Stop tracking {} (it stays on disk):", self.the_files()),
                format!("git rm --cached {}", self.shell_paths()),
            ));
        } else {
            steps.push(Step::new(
                "  1. ",
                format!(
                    "Take the value out of {} and `git add` it.",
                    self.shown_paths()
                ),
            ));
        }
        let rewrite = "Rewrite the commits: `git commit --amend` when only the last one has it, \
                       else mark each commit that has it `edit` in:";
        match commits.first() {
            Some(first) => {
                let rebase = if self.at.first_is_root {
                    "git rebase -i --root".to_owned()
                } else {
                    format!("git rebase -i {first}~1")
                };
                steps.push(Step::with("  2. ", rewrite, rebase));
            }
            None => steps.push(Step::with(
                "  2. ",
                "Rewrite the commits: `git commit --amend` when only the last one has it, else \
                 `git rebase -i` from the first one that has it; this names them:",
                "intercom-guard history",
            )),
        }
        if self.env {
            steps.push(self.ignore_env("  3. "));
        } else {
            steps.push(self.move_to_env("  3. "));
        }
        self.rotate(
            &mut steps,
            "  4. ",
            "Rotate it: it has left your editor (CI logs, chats and pastes keep copies):",
        );
        if commits.is_empty() {
            steps.push(Step::with(
                "  5. ",
                "If those commits were pushed, the secret is published: rotate it first, \
                 then purge history; this prints how:",
                explain_command(self.kind),
            ));
        }
        Block { heading, steps }
    }

    fn published(&self) -> Block {
        let heading = format!(
            "{} in published history ({}): rotate it now, anyone with a clone has it.",
            self.what,
            self.files()
        );
        let mut steps = Vec::new();
        self.rotate(
            &mut steps,
            "  1. ",
            "Rotate first (purging history does not take it back):",
        );
        steps.extend(purge_steps(
            self.kind,
            "  2. ",
            "Then purge it from history, in a fresh clone:",
            "     ",
        ));
        if self.env {
            steps.push(Step::with(
                "  3. ",
                format!("Stop tracking {} (it stays on disk):", self.the_files()),
                format!("git rm --cached {}", self.shell_paths()),
            ));
            steps.push(self.ignore_env("     "));
        } else {
            steps.push(self.move_to_env("  3. "));
        }
        Block { heading, steps }
    }
}

/// Purging a secret from published history: the step `lead` + `text` with
/// the `git filter-repo` command, and what the replacements file holds,
/// under `hang`.
pub fn purge_steps(kind: Kind, lead: &str, text: &str, hang: &str) -> Vec<Step> {
    let mut steps = vec![Step::with(
        lead,
        text,
        "git filter-repo --replace-text replacements.txt",
    )];
    let (holding, line) = if kind == Kind::AccessToken {
        (
            "with replacements.txt holding (it matches every token, the file holds no secret):",
            TOKEN_REPLACEMENT,
        )
    } else {
        (
            "with replacements.txt holding the old value (kept outside the repository, deleted \
             after):",
            "literal:<the old value>==>REDACTED",
        )
    };
    steps.push(Step::new(hang, holding));
    steps.push(Step::with(&format!("{hang}  "), "", line));
    steps.push(Step::new(
        hang,
        "then force-push every branch and tag, and have every clone and fork re-cloned.",
    ));
    steps
}

fn regenerate_where(kind: Kind) -> &'static str {
    match kind {
        Kind::AccessToken | Kind::ApiKey => {
            "Intercom Settings > Developer Hub > your app > Authentication"
        }
        Kind::WebhookSecret => {
            "Intercom Settings > Developer Hub > your app > Basic information / Webhooks \
             (the client secret signs webhooks)"
        }
        Kind::ClientSecret => {
            "Intercom Settings > Developer Hub > your app > Basic information (client secret)"
        }
        Kind::IdentitySecret => "Intercom Settings > Security > Identity verification",
    }
}

fn verify_other(kind: Kind) -> &'static str {
    match kind {
        Kind::WebhookSecret => {
            "send a test notification from the Webhooks page; its X-Hub-Signature must verify"
        }
        Kind::ClientSecret => "complete one OAuth install with the new secret",
        Kind::IdentitySecret => {
            "open the Messenger as a signed-in user and check the new user hash is accepted"
        }
        Kind::AccessToken | Kind::ApiKey => "call /me with the new token",
    }
}

/// `1 file`, `3 files`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Paths through `show`, at most [`MAX_NAMED`], joined by spaces.
fn named(paths: &[Vec<u8>], show: fn(&[u8]) -> String) -> String {
    if paths.is_empty() {
        return "<path>".to_owned();
    }
    let mut words: Vec<String> = paths.iter().take(MAX_NAMED).map(|p| show(p)).collect();
    if paths.len() > MAX_NAMED {
        words.push(format!("(and {} more)", paths.len() - MAX_NAMED));
    }
    words.join(" ")
}

/// `commit 1a2b3c4d`, `commits 1a2b3c4d, 5e6f7a8b`.
fn name_list(items: &[String], noun: &str) -> String {
    let mut named = items
        .iter()
        .take(MAX_NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > MAX_NAMED {
        named.push_str(&format!(" and {} more", items.len() - MAX_NAMED));
    }
    let noun = if items.len() == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    };
    format!("{noun} {named}")
}

#[cfg(test)]
mod tests {
    use super::{Detail, TOKEN_REPLACEMENT, VERIFY_TOKEN, Where, guidance, is_legacy_api_key};
    use crate::finding::{Exposure, Kind};

    const EXPOSURES: [Exposure; 4] = [
        Exposure::OnDisk,
        Exposure::Staged,
        Exposure::Committed,
        Exposure::Published,
    ];

    fn at() -> Where {
        Where {
            paths: vec![b"src/app.js".to_vec(), b"config/my env.yaml".to_vec()],
            commits: vec!["1a2b3c4d5e6f".to_owned()],
            ..Where::default()
        }
    }

    fn text(kind: Kind, exposure: Exposure, at: &Where) -> String {
        guidance(kind, exposure, at, Detail::Full).text(usize::MAX)
    }

    #[test]
    fn every_full_variant_lists_the_rotation_steps() {
        for kind in Kind::ALL {
            for exposure in EXPOSURES {
                let text = text(kind, exposure, &at());
                for needle in [
                    "Settings > ",
                    "AWS Secrets Manager",
                    "GCP Secret Manager",
                    "Vault",
                    VERIFY_TOKEN,
                    "\"type\": \"admin\"",
                    "deploy",
                    "revoke the old one",
                    ".env, .env.local and .env.*.local in .gitignore",
                    kind.describe(),
                ] {
                    assert!(
                        text.contains(needle),
                        "{kind:?}/{exposure:?} lacks {needle:?}:\n{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn short_variants_name_the_explain_command() {
        for kind in Kind::ALL {
            for exposure in EXPOSURES {
                let text = guidance(kind, exposure, &at(), Detail::Short).text(80);
                let command = format!("intercom-guard explain {}", kind.as_str());
                assert!(text.contains(&command), "{kind:?}/{exposure:?}:\n{text}");
                assert!(!text.contains("AWS Secrets Manager"), "{text}");
            }
        }
    }

    #[test]
    fn first_steps_differ_per_exposure() {
        let staged = text(Kind::AccessToken, Exposure::Staged, &at());
        let committed = text(Kind::AccessToken, Exposure::Committed, &at());
        let published = text(Kind::AccessToken, Exposure::Published, &at());
        let on_disk = text(Kind::AccessToken, Exposure::OnDisk, &at());
        assert_ne!(staged, committed);
        assert_ne!(committed, published);
        assert!(staged.contains("git restore --staged src/app.js 'config/my env.yaml'"));
        assert!(!staged.contains("if it is staged"), "{staged}");
        assert!(committed.contains("git commit --amend"));
        assert!(
            committed.contains("git rebase -i 1a2b3c4d5e6f~1"),
            "{committed}"
        );
        assert!(!committed.contains("@{upstream}"), "{committed}");
        assert!(committed.contains("commit 1a2b3c4d5e6f"));
        assert!(published.contains("rotate it now"));
        assert!(published.contains("git filter-repo --replace-text replacements.txt"));
        assert!(published.contains(TOKEN_REPLACEMENT));
        assert!(!staged.contains("filter-repo") && !committed.contains("filter-repo"));
        assert!(on_disk.contains("intercom-guard history"), "{on_disk}");
        assert!(!on_disk.contains("git restore --staged"), "{on_disk}");
    }

    #[test]
    fn a_root_commit_is_rewritten_with_root() {
        let root = Where {
            first_is_root: true,
            ..at()
        };
        let committed = text(Kind::AccessToken, Exposure::Committed, &root);
        assert!(committed.contains("git rebase -i --root"), "{committed}");
    }

    #[test]
    fn a_secret_in_a_env_file_is_untracked_not_moved_to_a_env() {
        let env = Where {
            paths: vec![b"deploy/.env".to_vec()],
            ..at()
        };
        for exposure in EXPOSURES {
            let text = text(Kind::AccessToken, exposure, &env);
            assert!(
                text.contains("git rm --cached deploy/.env"),
                "{exposure:?}:\n{text}"
            );
            assert!(!text.contains("Move the value"), "{exposure:?}:\n{text}");
            assert!(text.contains(".env.example"), "{exposure:?}:\n{text}");
        }
    }

    #[test]
    fn a_legacy_api_key_says_it_was_disabled() {
        let legacy = Where {
            legacy_api_key: true,
            ..at()
        };
        for detail in [Detail::Full, Detail::Short] {
            let text = guidance(Kind::ApiKey, Exposure::Staged, &legacy, detail).text(80);
            assert!(
                text.contains("Intercom disabled API keys in 2018"),
                "{text}"
            );
            assert!(!text.contains("regenerate it:"), "{text}");
        }
        let full = text(Kind::ApiKey, Exposure::Staged, &legacy);
        assert!(full.contains("access token instead"), "{full}");
        assert!(is_legacy_api_key(
            b"0123456789abcdef0123456789ABCDEF01234567"
        ));
        assert!(!is_legacy_api_key(b"0123456789abcdef"));
        assert!(!is_legacy_api_key(
            b"0123456789abcdef0123456789abcdef0123456z"
        ));
    }

    #[test]
    fn regenerate_where_depends_on_kind() {
        let token = text(Kind::AccessToken, Exposure::Staged, &Where::default());
        assert!(token.contains("Developer Hub > your app > Authentication"));
        assert!(token.contains("git restore --staged <path>"));
        let webhook = text(Kind::WebhookSecret, Exposure::Published, &Where::default());
        assert!(webhook.contains("Basic information") && webhook.contains("Webhooks"));
        assert!(webhook.contains("literal:<the old value>==>REDACTED"));
        let identity = text(Kind::IdentitySecret, Exposure::Committed, &Where::default());
        assert!(identity.contains("Settings > Security > Identity verification"));
    }

    #[test]
    fn prose_wraps_and_commands_stay_whole() {
        let block = guidance(Kind::AccessToken, Exposure::Staged, &at(), Detail::Short);
        for line in block.lines(60) {
            assert!(line.chars().count() <= 60, "too wide: {line:?}");
        }
        let lines = block.lines(40);
        assert!(
            lines
                .iter()
                .any(|l| l.trim() == "git restore --staged src/app.js 'config/my env.yaml'"),
            "{lines:#?}"
        );
    }
}
