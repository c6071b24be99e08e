//! One token, checked: each base in region order until one knows it, a 429
//! waited out within a small bound, and every request within the run's
//! deadline. The outcome is never a guess: `live` needs an admin in a 200,
//! `revoked` a 401 from every base, and anything else is `unknown` with
//! what happened.

use std::time::{Duration, Instant};

use super::client::{Admin, Answer, Client, seconds};
use super::endpoint::{Base, Endpoints};
use crate::finding::{Verification, VerifyStatus};

/// The longest `Retry-After` waited for; a longer one is `unknown`.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);
/// The wait after a 429 that names none.
const DEFAULT_RETRY_WAIT: Duration = Duration::from_secs(1);
/// Retries of one base after a 429.
const MAX_RETRIES: usize = 2;

/// How long each request and the whole run may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub deadline: Instant,
}

/// Check `token` against `endpoints`.
pub fn check(client: &Client, endpoints: &Endpoints, token: &str, limits: Limits) -> Verification {
    let mut refused = Vec::new();
    for base in &endpoints.bases {
        match ask(client, base, token, limits) {
            Ok(Some(admin)) => return live(admin, base),
            Ok(None) => refused.push(base.name()),
            Err(reason) => {
                let before = if refused.is_empty() {
                    String::new()
                } else {
                    format!("401 from {}; ", refused.join(", "))
                };
                return Verification::unknown(format!("{before}{}: {reason}", base.name()));
            }
        }
    }
    let from = if endpoints.bases.len() == 1 {
        format!("401 from {}", endpoints.bases[0].name())
    } else {
        format!("401 from every region ({})", refused.join(", "))
    };
    Verification {
        status: VerifyStatus::Revoked,
        reason: from,
        ..Verification::unknown("")
    }
}

/// One base: `Ok(Some)` an admin, `Ok(None)` a 401, `Err` why there is no
/// clear answer.
fn ask(client: &Client, base: &Base, token: &str, limits: Limits) -> Result<Option<Admin>, String> {
    let mut retries = 0;
    loop {
        let left = limits.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("the time --verify has for the run ran out".to_owned());
        }
        match client.me(base, token, limits.timeout.min(left)) {
            Answer::Admin(admin) => return Ok(Some(admin)),
            Answer::Unauthorized => return Ok(None),
            Answer::Unclear(reason) => return Err(reason),
            Answer::RateLimited(after) => {
                let wait = after.unwrap_or(DEFAULT_RETRY_WAIT);
                if retries == MAX_RETRIES {
                    return Err(format!("rate limited (429), {} times", retries + 1));
                }
                if wait > MAX_RETRY_WAIT {
                    return Err(format!(
                        "rate limited (429): Retry-After {}, more than the {} --verify waits",
                        seconds(wait),
                        seconds(MAX_RETRY_WAIT)
                    ));
                }
                if Instant::now() + wait >= limits.deadline {
                    return Err(format!(
                        "rate limited (429): Retry-After {} would pass the run's time for --verify",
                        seconds(wait)
                    ));
                }
                std::thread::sleep(wait);
                retries += 1;
            }
        }
    }
}

fn live(admin: Admin, base: &Base) -> Verification {
    let who = match (&admin.name, &admin.email) {
        (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
        (Some(name), None) => Some(name.clone()),
        (None, Some(email)) => Some(format!("<{email}>")),
        (None, None) => None,
    };
    Verification {
        status: VerifyStatus::Live,
        reason: format!("200 from {}: an admin", base.name()),
        admin: who,
        workspace: admin.workspace,
        app_id: admin.app_id,
        // The workspace's own word first, else the region that answered.
        region: admin.region.or(base.region),
    }
}
