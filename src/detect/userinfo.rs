//! Credentials in a URL's user information: the legacy API key of
//! `https://<app_id>:<api_key>@api.intercom.io/users`, and an access token
//! given as the user name (`https://<token>:@api.intercom.io/`).

use super::names::{Assignment, Memo};
use crate::finding::Kind;

/// The longest user information looked at before `@`.
const MAX_USERINFO: usize = 256;

/// Characters of a URL's user information (RFC 3986, `%` escapes included).
fn is_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'%'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
        )
}

/// At an `intercom` hit `[hs, he)` inside a host (`api.intercom.io`,
/// `api.eu.intercom.io`) right after `user:password@`: pushes the secret of
/// the user information. Returns whether the hit was such a host.
#[inline]
pub(super) fn at(
    hay: &[u8],
    hs: usize,
    he: usize,
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) -> bool {
    let tail = &hay[he..];
    if !tail.starts_with(b".io") && !tail.starts_with(b".com") {
        return false;
    }
    // The host starts after `@` and runs over labels to the hit.
    let host_start = hs
        - hay[..hs]
            .iter()
            .rev()
            .take(64)
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            .count();
    if host_start == 0 || hay[host_start - 1] != b'@' {
        return false;
    }
    let at = host_start - 1;
    let info_len = hay[..at]
        .iter()
        .rev()
        .take(MAX_USERINFO + 1)
        .take_while(|&&b| is_userinfo_byte(b))
        .count();
    m.work.charge(hs - host_start + info_len + 2);
    let start = at - info_len;
    if info_len == 0 || info_len > MAX_USERINFO || !hay[..start].ends_with(b"//") {
        return false;
    }
    let info = &hay[start..at];
    let (user, password) = match info.iter().position(|&b| b == b':') {
        Some(colon) => (start..start + colon, start + colon + 1..at),
        None => (start..at, at..at),
    };
    let (range, kind) = if password.is_empty() {
        (user, Kind::AccessToken)
    } else {
        (password, Kind::ApiKey)
    };
    if !range.is_empty() {
        // Quoted: the value is a literal whatever its shape.
        out.push(Assignment::value(range.start, range.end, kind, true));
    }
    true
}
