//! Rotation guidance: what to do now, printed once per kind of finding after
//! the findings, tuned to how far the secret travelled ([`Exposure`]).
//!
//! Every variant carries the same rotation steps (regenerate, update the
//! secret manager, verify, deploy, revoke, keep `.env` files ignored), since a
//! value that reached a file has usually also been in a chat, a paste or a CI
//! log. What differs is the urgency and the first steps: unstage it, rewrite
//! the unpushed commits, or rotate at once and purge history.

use std::fmt::Write as _;

use crate::finding::{Exposure, Kind};

/// The line a `git filter-repo --replace-text` file needs for access tokens:
/// matches every token by its structure, so the file never holds a secret.
pub const TOKEN_REPLACEMENT: &str = "regex:dG9rO[A-Za-z0-9+/_-]+(=|%3D)*==>REDACTED";

/// The check that an access token works: `/me` answers `"type": "admin"`.
pub const VERIFY_TOKEN: &str =
    r#"curl -s https://api.intercom.io/me -H "Authorization: Bearer $INTERCOM_ACCESS_TOKEN""#;

/// At most this many paths or commits are named; the rest are counted.
const MAX_NAMED: usize = 5;

/// Where the findings of one kind are, for naming them in commands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Where {
    /// Distinct paths, as printable text, in report order.
    pub paths: Vec<String>,
    /// Distinct short commit ids, in report order (empty when unknown).
    pub commits: Vec<String>,
}

/// The guidance block for one kind of secret at one exposure: a heading line
/// and numbered steps, plain text ending with a newline.
pub fn guidance(kind: Kind, exposure: Exposure, at: &Where) -> String {
    let mut out = String::new();
    let what = kind.describe();
    let files = count(at.paths.len(), "file");
    let paths = name_paths(&at.paths);
    // Writing to a String cannot fail.
    let _ = match exposure {
        Exposure::Staged => staged(&mut out, kind, what, &files, &paths),
        Exposure::Committed => committed(&mut out, kind, what, &files, &paths, &at.commits),
        Exposure::Published => published(&mut out, kind, what, &files),
    };
    out
}

fn staged(out: &mut String, kind: Kind, what: &str, files: &str, paths: &str) -> std::fmt::Result {
    writeln!(
        out,
        "{what} in {files}, not committed yet: keep it out of the commit."
    )?;
    writeln!(
        out,
        "  1. Unstage it if it is staged:  git restore --staged {paths}"
    )?;
    move_to_env(out, "  2. ")?;
    writeln!(
        out,
        "  3. If the value was ever shared (chat, paste, CI log, another repository), rotate it:"
    )?;
    rotation_steps(out, kind, "     ")
}

fn committed(
    out: &mut String,
    kind: Kind,
    what: &str,
    files: &str,
    paths: &str,
    commits: &[String],
) -> std::fmt::Result {
    let in_commits = if commits.is_empty() {
        String::new()
    } else {
        format!(" ({})", name_list(commits, "commit"))
    };
    writeln!(
        out,
        "{what} committed in {files}{in_commits}, not published yet: do not push it."
    )?;
    writeln!(
        out,
        "  1. Take it out of every commit before pushing again: edit {paths}, `git add` it, then"
    )?;
    writeln!(
        out,
        "     `git commit --amend` for the last commit, or `git rebase -i @{{upstream}}` and mark"
    )?;
    writeln!(
        out,
        "     the older commits `edit`. Run intercom-guard again before you push."
    )?;
    move_to_env(out, "  2. ")?;
    writeln!(
        out,
        "  3. Rotate it: it has left your editor (CI logs, chats and pastes keep copies):"
    )?;
    rotation_steps(out, kind, "     ")
}

fn published(out: &mut String, kind: Kind, what: &str, files: &str) -> std::fmt::Result {
    writeln!(
        out,
        "{what} in published history ({files}): rotate it now, anyone with a clone has it."
    )?;
    writeln!(
        out,
        "  1. Rotate first (purging history does not take it back):"
    )?;
    rotation_steps(out, kind, "     ")?;
    writeln!(
        out,
        "  2. Then purge it from history, in a fresh clone:  git filter-repo --replace-text replacements.txt"
    )?;
    if matches!(kind, Kind::AccessToken) {
        writeln!(
            out,
            "     with replacements.txt holding (it matches every token, the file holds no secret):"
        )?;
        writeln!(out, "       {TOKEN_REPLACEMENT}")?;
    } else {
        writeln!(
            out,
            "     with replacements.txt holding the old value (kept outside the repository, deleted after):"
        )?;
        writeln!(out, "       literal:<the old value>==>REDACTED")?;
    }
    writeln!(
        out,
        "     then force-push every branch and tag, and have every clone and fork re-cloned."
    )?;
    move_to_env(out, "  3. ")
}

/// The step that keeps the value out of the next commit.
fn move_to_env(out: &mut String, number: &str) -> std::fmt::Result {
    writeln!(
        out,
        "{number}Move the value to a gitignored .env and read it from the environment;"
    )?;
    writeln!(
        out,
        "     keep .env, .env.local and .env.*.local in .gitignore."
    )
}

/// The rotation steps every variant lists, one per line under `indent`.
fn rotation_steps(out: &mut String, kind: Kind, indent: &str) -> std::fmt::Result {
    writeln!(out, "{indent}- regenerate it: {}", regenerate_where(kind))?;
    writeln!(
        out,
        "{indent}- update your secret manager (AWS Secrets Manager, GCP Secret Manager, Vault)"
    )?;
    match kind {
        Kind::AccessToken | Kind::ApiKey => {
            writeln!(
                out,
                "{indent}- verify the new token answers \"type\": \"admin\":"
            )?;
            writeln!(out, "{indent}    {VERIFY_TOKEN}")?;
        }
        Kind::WebhookSecret | Kind::ClientSecret | Kind::IdentitySecret => {
            writeln!(
                out,
                "{indent}- verify: {}; and the app's token still answers \"type\": \"admin\":",
                verify_other(kind)
            )?;
            writeln!(out, "{indent}    {VERIFY_TOKEN}")?;
        }
    }
    writeln!(out, "{indent}- deploy everything that uses it")?;
    writeln!(
        out,
        "{indent}- revoke the old one, and check it no longer works"
    )
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

/// Paths as shell words, at most [`MAX_NAMED`], for pasting into a command.
fn name_paths(paths: &[String]) -> String {
    if paths.is_empty() {
        return "<path>".to_owned();
    }
    let mut words: Vec<String> = paths
        .iter()
        .take(MAX_NAMED)
        .map(|p| shell_word(p))
        .collect();
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
        let _ = write!(named, " and {} more", items.len() - MAX_NAMED);
    }
    let noun = if items.len() == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    };
    format!("{noun} {named}")
}

/// `text` quoted for a POSIX shell when it needs quoting.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./@+,:%=".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::{TOKEN_REPLACEMENT, VERIFY_TOKEN, Where, guidance, shell_word};
    use crate::finding::{Exposure, Kind};

    const KINDS: [Kind; 5] = [
        Kind::AccessToken,
        Kind::WebhookSecret,
        Kind::IdentitySecret,
        Kind::ClientSecret,
        Kind::ApiKey,
    ];
    const EXPOSURES: [Exposure; 3] = [Exposure::Staged, Exposure::Committed, Exposure::Published];

    fn at() -> Where {
        Where {
            paths: vec!["src/app.js".to_owned(), "config/my env.yaml".to_owned()],
            commits: vec!["1a2b3c4d5e6f".to_owned()],
        }
    }

    #[test]
    fn every_variant_lists_the_rotation_steps() {
        for kind in KINDS {
            for exposure in EXPOSURES {
                let text = guidance(kind, exposure, &at());
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
    fn first_steps_differ_per_exposure() {
        let staged = guidance(Kind::AccessToken, Exposure::Staged, &at());
        let committed = guidance(Kind::AccessToken, Exposure::Committed, &at());
        let published = guidance(Kind::AccessToken, Exposure::Published, &at());
        assert_ne!(staged, committed);
        assert_ne!(committed, published);
        assert!(staged.contains("git restore --staged src/app.js 'config/my env.yaml'"));
        assert!(committed.contains("git commit --amend"));
        assert!(committed.contains("git rebase -i"));
        assert!(committed.contains("commit 1a2b3c4d5e6f"));
        assert!(published.contains("rotate it now"));
        assert!(published.contains("git filter-repo --replace-text replacements.txt"));
        assert!(published.contains(TOKEN_REPLACEMENT));
        assert!(!staged.contains("filter-repo") && !committed.contains("filter-repo"));
    }

    #[test]
    fn regenerate_where_depends_on_kind() {
        let token = guidance(Kind::AccessToken, Exposure::Staged, &Where::default());
        assert!(token.contains("Developer Hub > your app > Authentication"));
        assert!(token.contains("git restore --staged <path>"));
        let webhook = guidance(Kind::WebhookSecret, Exposure::Published, &Where::default());
        assert!(webhook.contains("Basic information") && webhook.contains("Webhooks"));
        assert!(webhook.contains("literal:<the old value>==>REDACTED"));
        let identity = guidance(Kind::IdentitySecret, Exposure::Committed, &Where::default());
        assert!(identity.contains("Settings > Security > Identity verification"));
    }

    #[test]
    fn paths_are_quoted_for_the_shell() {
        assert_eq!(shell_word("src/app.js"), "src/app.js");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
