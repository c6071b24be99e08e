//! One `GET {base}/me` with a token, and what the answer means.
//!
//! The token goes in the `Authorization` header only, never in a URL, a
//! log or a message. Nothing follows a redirect (the token would go with it
//! to another host), no cookie is kept, and the answer read is capped. For
//! Intercom's own bases the connection is HTTPS only (rustls, with the
//! Mozilla roots built in), through the proxy the environment names
//! (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), which then only tunnels the
//! TLS connection and never sees the token; `INTERCOM_GUARD_API_URL`'s
//! bases are reached directly.

use std::time::Duration;

use serde_json::Value;

use super::endpoint::Base;
use crate::finding::Region;

/// The API version every request pins (`Intercom-Version`), so an app's
/// own default version never changes the answer's shape.
pub const INTERCOM_VERSION: &str = "2.14";

/// The most of an answer read: `/me` is well under a kilobyte.
const MAX_BODY: u64 = 64 * 1024;
/// The longest text kept from an answer (a name, an e-mail address).
const MAX_FIELD: usize = 200;

/// What one request learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 200 with `"type": "admin"`: the token works.
    Admin(Admin),
    /// 401: this base does not know the token.
    Unauthorized,
    /// 429: try again after this long (when the answer said).
    RateLimited(Option<Duration>),
    /// Anything else: a status that says nothing of the token, a server
    /// error, a timeout, TLS or the network; the reason, in a few words.
    Unclear(String),
}

/// The admin and workspace a live token acts for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admin {
    pub name: Option<String>,
    pub email: Option<String>,
    pub workspace: Option<String>,
    pub app_id: Option<String>,
    pub region: Option<Region>,
}

/// The HTTP agent of one run (its connections are reused).
pub struct Client {
    agent: ureq::Agent,
}

impl Client {
    /// An agent for `bases_are_intercoms` (HTTPS only, the environment's
    /// proxy) or for `INTERCOM_GUARD_API_URL`'s bases (direct).
    pub fn new(bases_are_intercoms: bool) -> Client {
        let proxy = if bases_are_intercoms {
            ureq::Proxy::try_from_env()
        } else {
            None
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(bases_are_intercoms)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(proxy)
            .user_agent(format!("intercom-guard/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: config.into(),
        }
    }

    /// `GET {base}/me` with `token`, answered within `timeout`.
    pub fn me(&self, base: &Base, token: &str, timeout: Duration) -> Answer {
        let sent = self
            .agent
            .get(base.me())
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Authorization", format!("Bearer {token}"))
            .header("Accept", "application/json")
            .header("Intercom-Version", INTERCOM_VERSION)
            .call();
        let mut response = match sent {
            Ok(response) => response,
            Err(err) => return Answer::Unclear(failure(&err, timeout)),
        };
        let status = response.status().as_u16();
        match status {
            200 => {
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_BODY)
                    .read_to_string();
                match body {
                    Ok(text) => admin(&text),
                    Err(err) => Answer::Unclear(format!(
                        "200, but the answer could not be read ({})",
                        failure(&err, timeout)
                    )),
                }
            }
            401 => Answer::Unauthorized,
            429 => Answer::RateLimited(retry_after(
                response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()),
            )),
            500..=599 => Answer::Unclear(format!("server error {status}")),
            _ => Answer::Unclear(format!(
                "answered {status}, which says nothing of the token"
            )),
        }
    }
}

/// A 200's body: an admin, or an answer that is not one.
fn admin(body: &str) -> Answer {
    let Ok(doc) = serde_json::from_str::<Value>(body) else {
        return Answer::Unclear("200, but the answer is not JSON".to_owned());
    };
    if doc.get("type").and_then(Value::as_str) != Some("admin") {
        return Answer::Unclear("200, but the answer is not an admin".to_owned());
    }
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).and_then(clean);
    let app = doc.get("app").unwrap_or(&Value::Null);
    Answer::Admin(Admin {
        name: text(&doc, "name"),
        email: text(&doc, "email"),
        workspace: text(app, "name"),
        app_id: text(app, "id_code"),
        region: text(app, "region").as_deref().and_then(Region::parse),
    })
}

/// Text from an answer, fit to print: control characters dropped, cut to
/// [`MAX_FIELD`] characters; `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FIELD)
        .collect();
    let kept = kept.trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}

/// `Retry-After` in seconds (an HTTP date is not honoured: `None`).
fn retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Why a request got no answer, in a few words (never the request itself).
fn failure(err: &ureq::Error, timeout: Duration) -> String {
    use ureq::Error as E;
    match err {
        E::Timeout(_) => format!("no answer within {}", seconds(timeout)),
        E::HostNotFound => "the host name did not resolve".to_owned(),
        E::Io(io) => format!("network error ({})", io.kind()),
        E::ConnectionFailed => "could not connect".to_owned(),
        E::Tls(why) => format!("TLS error ({why})"),
        E::Rustls(tls) => format!("TLS error ({tls})"),
        E::ConnectProxyFailed(_) | E::InvalidProxyUrl => "the proxy refused or failed".to_owned(),
        E::RequireHttpsOnly(_) | E::TlsRequired => "refused: not HTTPS".to_owned(),
        E::Protocol(_) | E::LargeResponseHeader(..) | E::BodyStalled => {
            "the answer was not valid HTTP".to_owned()
        }
        E::BodyExceedsLimit(_) => "the answer was too large".to_owned(),
        _ => "the request failed".to_owned(),
    }
}

/// `5 s`, `0.3 s`.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_answer_names_the_admin_and_the_workspace() {
        let body = r#"{"type":"admin","id":"1","name":"Jane Doe","email":"jane@acme.test",
            "app":{"type":"app","id_code":"abc123","name":"Acme","region":"Europe"}}"#;
        assert_eq!(
            admin(body),
            Answer::Admin(Admin {
                name: Some("Jane Doe".to_owned()),
                email: Some("jane@acme.test".to_owned()),
                workspace: Some("Acme".to_owned()),
                app_id: Some("abc123".to_owned()),
                region: Some(Region::Eu),
            })
        );
        assert_eq!(
            admin(r#"{"type":"admin"}"#),
            Answer::Admin(Admin::default())
        );
    }

    #[test]
    fn a_200_that_is_not_an_admin_is_unclear() {
        assert!(matches!(admin("<html>"), Answer::Unclear(_)));
        assert!(matches!(admin(r#"{"type":"user"}"#), Answer::Unclear(_)));
        assert!(matches!(admin("[]"), Answer::Unclear(_)));
    }

    #[test]
    fn text_from_the_answer_is_fit_to_print() {
        assert_eq!(clean("Acme\u{1b}[2J Inc"), Some("Acme[2J Inc".to_owned()));
        assert_eq!(clean("  \n"), None);
        assert_eq!(clean(&"x".repeat(500)).map(|s| s.len()), Some(MAX_FIELD));
    }

    #[test]
    fn retry_after_is_seconds() {
        assert_eq!(retry_after(Some("2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some(" 0 ")), Some(Duration::ZERO));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(None), None);
    }

    #[test]
    fn seconds_read_well() {
        assert_eq!(seconds(Duration::from_secs(5)), "5 s");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3 s");
    }
}
