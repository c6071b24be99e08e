//! Where `--verify` may send a token: Intercom's API in each hosting region
//! (US, then EU, then AU), over HTTPS; or, for tests and proxies, the bases
//! `INTERCOM_GUARD_API_URL` names instead of all three.
//!
//! `INTERCOM_GUARD_API_URL` holds one base, or up to three separated by
//! commas, tried in order as the US, EU and AU regions (so a test can stand
//! for "the US answers 401, the EU 200"). A base is `https://host[:port][/path]`;
//! plain `http://` is refused unless the host is this machine (`127.0.0.1`,
//! `[::1]`, `localhost`), so a token never crosses a network in clear.

use crate::finding::Region;
use crate::redact::scrub;

/// The environment variable that replaces Intercom's bases.
pub const ENV: &str = "INTERCOM_GUARD_API_URL";

/// Intercom's API, per region, in the order they are asked.
pub const INTERCOM: [(Region, &str); 3] = [
    (Region::Us, "https://api.intercom.io"),
    (Region::Eu, "https://api.eu.intercom.io"),
    (Region::Au, "https://api.au.intercom.io"),
];

/// One API base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// Scheme, host, port and path, without a trailing `/`.
    pub url: String,
    /// The region it serves; `None` for a lone `INTERCOM_GUARD_API_URL`.
    pub region: Option<Region>,
    /// Whether the connection is HTTPS.
    pub https: bool,
}

impl Base {
    /// The URL of `GET /me` under this base.
    pub fn me(&self) -> String {
        format!("{}/me", self.url)
    }

    /// How the base is named in a reason: its region, else its URL.
    pub fn name(&self) -> &str {
        match self.region {
            Some(region) => region.as_str(),
            None => &self.url,
        }
    }
}

/// The bases one run asks, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub bases: Vec<Base>,
    /// Set by `INTERCOM_GUARD_API_URL` rather than Intercom's own.
    pub overridden: bool,
}

impl Endpoints {
    /// Intercom's bases.
    pub fn intercom() -> Endpoints {
        Endpoints {
            bases: INTERCOM
                .iter()
                .map(|&(region, url)| Base {
                    url: url.to_owned(),
                    region: Some(region),
                    https: true,
                })
                .collect(),
            overridden: false,
        }
    }

    /// The bases for a value of `INTERCOM_GUARD_API_URL` (`None` or empty:
    /// Intercom's); an error says what is wrong with the value.
    pub fn from_value(value: Option<&str>) -> Result<Endpoints, String> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(Endpoints::intercom());
        };
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        if parts.len() > INTERCOM.len() {
            return Err(format!(
                "{ENV} names {} bases; it takes one, or up to three (US, EU, AU) separated by commas",
                parts.len()
            ));
        }
        let lone = parts.len() == 1;
        let bases = parts
            .iter()
            .zip(INTERCOM)
            .map(|(part, (region, _))| {
                let (url, https) = parse_base(part)?;
                Ok(Base {
                    url,
                    region: (!lone).then_some(region),
                    https,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Endpoints {
            bases,
            overridden: true,
        })
    }

    /// The bases `INTERCOM_GUARD_API_URL` sets, or Intercom's.
    pub fn from_env() -> Result<Endpoints, String> {
        match std::env::var(ENV) {
            Ok(value) => Endpoints::from_value(Some(&value)),
            Err(std::env::VarError::NotPresent) => Ok(Endpoints::intercom()),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!("{ENV} is not UTF-8")),
        }
    }
}

/// A base as written: its URL without a trailing `/`, and whether it is HTTPS.
fn parse_base(text: &str) -> Result<(String, bool), String> {
    let bad = |why: &str| format!("{ENV}: {:?} {why}", scrub(text));
    let lower = text.to_ascii_lowercase();
    let (https, rest) = if lower.starts_with("https://") {
        (true, &text["https://".len()..])
    } else if lower.starts_with("http://") {
        (false, &text["http://".len()..])
    } else {
        return Err(bad("is not an http:// or https:// URL"));
    };
    if rest.contains(['@', '?', '#']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(
            "must be scheme://host[:port][/path], without credentials, query or fragment",
        ));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host = host_of(authority).ok_or_else(|| bad("has no host"))?;
    if !https && !is_loopback(host) {
        return Err(bad(
            "is plain http to another machine; a token is sent in clear only to this machine (127.0.0.1, [::1], localhost)",
        ));
    }
    let scheme = if https { "https://" } else { "http://" };
    Ok((format!("{scheme}{}", rest.trim_end_matches('/')), https))
}

/// The host of `host[:port]` or `[v6]:port`; `None` when empty.
fn host_of(authority: &str) -> Option<&str> {
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_variable_the_bases_are_intercoms_in_region_order() {
        let e = Endpoints::from_value(None).unwrap();
        assert!(!e.overridden);
        let urls: Vec<&str> = e.bases.iter().map(|b| b.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://api.intercom.io",
                "https://api.eu.intercom.io",
                "https://api.au.intercom.io"
            ]
        );
        assert!(e.bases.iter().all(|b| b.https));
        assert_eq!(e.bases[1].me(), "https://api.eu.intercom.io/me");
        assert_eq!(Endpoints::from_value(Some("  ")).unwrap(), e);
    }

    #[test]
    fn one_base_replaces_all_three_and_a_list_stands_for_the_regions() {
        let one = Endpoints::from_value(Some("http://127.0.0.1:8080/")).unwrap();
        assert!(one.overridden);
        assert_eq!(one.bases.len(), 1);
        assert_eq!(one.bases[0].region, None);
        assert_eq!(one.bases[0].me(), "http://127.0.0.1:8080/me");
        assert_eq!(one.bases[0].name(), "http://127.0.0.1:8080");

        let list = Endpoints::from_value(Some(
            "http://127.0.0.1:1/us, http://[::1]:2/eu,https://proxy.test",
        ))
        .unwrap();
        let regions: Vec<Option<Region>> = list.bases.iter().map(|b| b.region).collect();
        assert_eq!(
            regions,
            [Some(Region::Us), Some(Region::Eu), Some(Region::Au)]
        );
        assert_eq!(list.bases[1].me(), "http://[::1]:2/eu/me");
        assert!(list.bases[2].https);
    }

    #[test]
    fn a_base_that_would_leak_the_token_is_refused() {
        for value in [
            "http://api.intercom.io",
            "http://10.0.0.1:80",
            "ftp://127.0.0.1",
            "127.0.0.1:8080",
            "https://user:pw@proxy.test",
            "https://proxy.test/?x=1",
            "https://",
            "http://127.0.0.1,http://127.0.0.2,http://127.0.0.3,http://127.0.0.4",
        ] {
            let err = Endpoints::from_value(Some(value)).expect_err(value);
            assert!(err.starts_with(ENV), "{err}");
        }
        assert!(Endpoints::from_value(Some("http://localhost:9")).is_ok());
        assert!(Endpoints::from_value(Some("HTTPS://Proxy.Test:8443/intercom")).is_ok());
    }
}
