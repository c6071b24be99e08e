//! The verify layer (`--verify`, or `verify: true` in the configuration):
//! after the engine has the findings and before the report, ask Intercom's
//! API whether each access token found still works, and whose it is.
//!
//! source → engine → **verify** → report. Every distinct token (by
//! structure, or a value named as an access token) is sent once per run,
//! in `Authorization: Bearer` only, with `GET {base}/me` ([`client`]), to
//! the US, then the EU and AU bases when the one before answers 401, or to
//! the bases `INTERCOM_GUARD_API_URL` names ([`endpoint`]). The outcome
//! ([`check`]) is `live` (an admin answered), `revoked` (401 everywhere) or
//! `unknown` with the reason: rate limits, server errors, timeouts, the
//! network, and the kinds no API checks (webhook, identity and client
//! secrets, API keys). Each request has a timeout, the run a time budget,
//! and a few requests run at once.
//!
//! Verification never fails a run and never changes its exit code: what it
//! could not learn is `unknown`. It is off unless asked, since it sends
//! the secrets found over the network (to Intercom, and nowhere else).

pub mod check;
pub mod client;
pub mod endpoint;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use check::Limits;
use client::Client;
use endpoint::Endpoints;

use crate::detect;
use crate::finding::{Confidence, Finding, Kind, Verification};

/// How long one request may take, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long verification may take for the whole run, by default.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(15);
/// Requests in flight at once.
pub const CONCURRENCY: usize = 4;
/// Milliseconds one request may take (for tests and slow links).
pub const TIMEOUT_ENV: &str = "INTERCOM_GUARD_VERIFY_TIMEOUT_MS";
/// Milliseconds verification may take for the run.
pub const BUDGET_ENV: &str = "INTERCOM_GUARD_VERIFY_BUDGET_MS";
/// The longest value sent: a token is 60 characters.
const MAX_TOKEN: usize = 1024;

/// How a run verifies.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where tokens go, or why nothing can be sent.
    pub endpoints: Result<Endpoints, String>,
    pub timeout: Duration,
    pub budget: Duration,
    pub concurrency: usize,
}

impl Options {
    /// Intercom's bases (or `INTERCOM_GUARD_API_URL`'s), the timeout and
    /// budget of [`TIMEOUT_ENV`] and [`BUDGET_ENV`] when they hold a
    /// number of milliseconds above 0, else the defaults.
    pub fn from_env() -> Options {
        let millis = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|&ms| ms > 0)
                .map(Duration::from_millis)
        };
        Options {
            endpoints: Endpoints::from_env(),
            timeout: millis(TIMEOUT_ENV).unwrap_or(DEFAULT_TIMEOUT),
            budget: millis(BUDGET_ENV).unwrap_or(DEFAULT_BUDGET),
            concurrency: CONCURRENCY,
        }
    }

    /// The same, done within `left` at most (a server hook's time budget).
    pub fn within(mut self, left: Duration) -> Options {
        self.budget = self.budget.min(left);
        self
    }
}

/// What to ask for one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Send this token.
    Token(String),
    /// Nothing to send, for this reason.
    Skip(String),
}

/// Give every finding its [`Verification`], asking the API once per
/// distinct token.
pub fn verify(findings: &mut [Finding], options: &Options) {
    let deadline = Instant::now() + options.budget;
    let targets: Vec<Target> = findings.iter().map(target).collect();
    let mut tokens: Vec<&str> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for t in &targets {
        if let Target::Token(token) = t {
            index.entry(token).or_insert_with(|| {
                tokens.push(token);
                tokens.len() - 1
            });
        }
    }
    let answers = match &options.endpoints {
        Ok(endpoints) => {
            let limits = Limits {
                timeout: options.timeout,
                deadline,
            };
            check_all(&tokens, endpoints, limits, options.concurrency)
        }
        Err(why) => vec![Verification::unknown(format!("not sent: {why}")); tokens.len()],
    };
    for (finding, target) in findings.iter_mut().zip(&targets) {
        finding.verification = Some(match target {
            Target::Token(token) => answers[index[token.as_str()]].clone(),
            Target::Skip(reason) => Verification::unknown(reason.clone()),
        });
    }
}

/// Each token checked once, a few at a time; in `tokens`' order.
fn check_all(
    tokens: &[&str],
    endpoints: &Endpoints,
    limits: Limits,
    concurrency: usize,
) -> Vec<Verification> {
    if tokens.is_empty() {
        return Vec::new();
    }
    let client = Client::new(!endpoints.overridden);
    let next = AtomicUsize::new(0);
    let answers: Vec<Mutex<Option<Verification>>> =
        tokens.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..concurrency.clamp(1, tokens.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(token) = tokens.get(i) else {
                        break;
                    };
                    let answer = check::check(&client, endpoints, token, limits);
                    *answers[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
                }
            });
        }
    });
    answers
        .into_iter()
        .map(|a| {
            a.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Verification::unknown("not checked"))
        })
        .collect()
}

/// What to send for `finding`: a token by structure (any kind: a token
/// named as a webhook secret is still a token), or a value named as an
/// access token; nothing for the kinds no API checks.
fn target(finding: &Finding) -> Target {
    if let Some(token) = detect::canonical_token(&finding.secret)
        && detect::fingerprint(token.as_bytes()) == finding.fingerprint
    {
        if finding.confidence == Confidence::Low {
            return Target::Skip(
                "a documentation example (no UUID after tok:); not sent".to_owned(),
            );
        }
        return Target::Token(token);
    }
    let skip = |why: &str| Target::Skip(why.to_owned());
    match finding.kind {
        Kind::AccessToken => match header_safe(&finding.secret) {
            Some(value) => Target::Token(value.to_owned()),
            None => skip("not sent: the value holds characters an HTTP header cannot carry"),
        },
        Kind::WebhookSecret => skip("a webhook signing secret: no API checks one"),
        Kind::IdentitySecret => skip("an identity verification secret: no API checks one"),
        Kind::ClientSecret => skip("an OAuth client secret: no API checks one"),
        Kind::ApiKey => skip("an API key: Intercom disabled API keys in 2018, no API checks one"),
    }
}

/// `value` as header text: printable ASCII without spaces, not too long.
fn header_safe(value: &[u8]) -> Option<&str> {
    let ok = !value.is_empty()
        && value.len() <= MAX_TOKEN
        && value.iter().all(|b| (0x21..0x7f).contains(b));
    ok.then(|| std::str::from_utf8(value).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{SourceKind, VerifyStatus};

    const TOKEN: &str = "dG9rOjhkMjJhZDg5X2VlZDJfNDFlNF85YzhjX2E1MGEyNWY1YzEyMzoxOjA=";

    fn finding(kind: Kind, confidence: Confidence, secret: &str) -> Finding {
        let canonical = detect::canonical_token(secret.as_bytes());
        Finding {
            rule_id: "r",
            kind,
            confidence,
            path: b"a".to_vec(),
            line: None,
            column: None,
            commit: None,
            fingerprint: detect::fingerprint(canonical.as_deref().unwrap_or(secret).as_bytes()),
            secret: secret.as_bytes().to_vec(),
            line_text: None,
            line_offset: 0,
            mask: Vec::new(),
            still_present: None,
            source: SourceKind::File,
            verification: None,
        }
    }

    #[test]
    fn tokens_are_sent_in_their_canonical_form_whatever_the_name_says() {
        let escaped = TOKEN.replace('=', "%3D");
        for kind in [Kind::AccessToken, Kind::WebhookSecret, Kind::ApiKey] {
            assert_eq!(
                target(&finding(kind, Confidence::High, &escaped)),
                Target::Token(TOKEN.to_owned())
            );
        }
        let named = finding(
            Kind::AccessToken,
            Confidence::Medium,
            "opaque-token_4f9a8b7c6d5e",
        );
        assert_eq!(
            target(&named),
            Target::Token("opaque-token_4f9a8b7c6d5e".to_owned())
        );
    }

    #[test]
    fn what_no_api_checks_is_not_sent() {
        for kind in [
            Kind::WebhookSecret,
            Kind::IdentitySecret,
            Kind::ClientSecret,
            Kind::ApiKey,
        ] {
            let t = target(&finding(kind, Confidence::High, "4f9a8b7c6d5e4f9a8b7c6d5e"));
            assert!(
                matches!(t, Target::Skip(ref why) if why.contains("no API")),
                "{kind:?}: {t:?}"
            );
        }
        let example = finding(Kind::AccessToken, Confidence::Low, "dG9rOmFiY2RlZmdoaQ==");
        assert!(matches!(target(&example), Target::Skip(_)));
        let spaced = finding(Kind::AccessToken, Confidence::Medium, "two words");
        assert!(matches!(target(&spaced), Target::Skip(_)));
    }

    #[test]
    fn a_bad_base_leaves_every_token_unknown_and_sends_nothing() {
        let mut findings = vec![
            finding(Kind::AccessToken, Confidence::High, TOKEN),
            finding(
                Kind::WebhookSecret,
                Confidence::High,
                "4f9a8b7c6d5e4f9a8b7c6d5e",
            ),
        ];
        let options = Options {
            endpoints: Endpoints::from_value(Some("http://example.test")),
            timeout: DEFAULT_TIMEOUT,
            budget: DEFAULT_BUDGET,
            concurrency: 1,
        };
        verify(&mut findings, &options);
        let v = findings[0].verification.as_ref().unwrap();
        assert_eq!(v.status, VerifyStatus::Unknown);
        assert!(
            v.reason.starts_with("not sent: INTERCOM_GUARD_API_URL"),
            "{}",
            v.reason
        );
        let w = findings[1].verification.as_ref().unwrap();
        assert!(w.reason.contains("webhook"), "{}", w.reason);
    }
}
