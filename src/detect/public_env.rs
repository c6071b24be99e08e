//! Secrets shipped to the browser: an Intercom secret's name with the prefix
//! a web framework inlines into the client bundle at build time
//! (`NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`, `EXPO_PUBLIC_`, `NUXT_PUBLIC_`,
//! `GATSBY_`, SvelteKit's and Astro's `PUBLIC_`, ...). Whatever value such a
//! variable is given is published to every visitor, so the name is the
//! finding, wherever it is written: a `.env` line, a
//! `process.env.NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET` in a component that
//! computes `user_hash` in the browser, a type declaration.
//!
//! Names of what is public by design stay silent: `NEXT_PUBLIC_INTERCOM_APP_ID`
//! names no secret, and the mobile SDKs' keys (`EXPO_PUBLIC_INTERCOM_IOS_API_KEY`)
//! are meant to ship inside apps.

use super::names::{Assignment, Memo, NAME_WINDOW, classify, normalize, words};
use super::{Match, fingerprint};
use crate::catalog;
use crate::finding::{Confidence, Kind};

/// The prefixes web frameworks inline into client code, as the frameworks
/// spell them (environment names are upper case).
const PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "NUXT_ENV_",
    "GATSBY_",
    "VUE_APP_",
    "REDWOOD_ENV_",
    "SNOWPACK_PUBLIC_",
    "STORYBOOK_",
    "PUBLIC_",
];

/// The same prefixes as lowercase words, longest first.
const PREFIX_WORDS: &[&[&str]] = &[
    &["next", "public"],
    &["expo", "public"],
    &["nuxt", "public"],
    &["nuxt", "env"],
    &["react", "app"],
    &["vue", "app"],
    &["redwood", "env"],
    &["snowpack", "public"],
    &["vite"],
    &["gatsby"],
    &["storybook"],
    &["public"],
];

/// Words of a mobile SDK's key: public by design.
const MOBILE_WORDS: &[&str] = &["ios", "android", "sdk", "mobile", "native", "rn"];

/// The bytes of an environment variable's name: ASCII letters, digits, `_`.
const ENV_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

#[inline]
fn is_env_byte(b: u8) -> bool {
    ENV_BYTES[usize::from(b)]
}

/// The prefix a variable name starts with, if it is a framework's public one.
fn prefix_of(name: &[u8]) -> Option<&'static str> {
    PREFIXES
        .iter()
        .copied()
        .find(|p| name.starts_with(p.as_bytes()))
}

/// `words` of a name without its framework prefix (`next public intercom
/// identity secret` is an identity secret's name, whatever `public` says).
pub(super) fn strip(mut words: Vec<String>) -> Vec<String> {
    let found = PREFIX_WORDS
        .iter()
        .find(|p| p.len() < words.len() && words.iter().zip(p.iter()).all(|(w, p)| w == p));
    if let Some(p) = found {
        words.drain(..p.len());
    }
    words
}

/// At an `intercom` hit `[hs, he)`: pushes the variable name holding it when
/// that name has a public prefix and names a secret.
pub(super) fn at(hay: &[u8], hs: usize, he: usize, out: &mut Vec<Assignment>, m: &mut Memo) {
    let left = hay[..hs]
        .iter()
        .rev()
        .take(NAME_WINDOW)
        .take_while(|&&b| is_env_byte(b))
        .count();
    if left == 0 {
        m.work.charge(1);
        return;
    }
    let right = hay[he..]
        .iter()
        .take(NAME_WINDOW)
        .take_while(|&&b| is_env_byte(b))
        .count();
    m.work.charge(left + right + 2);
    let (start, end) = (hs - left, he + right);
    // A whole name: a longer run is data, and a name glued to more name
    // bytes on the left (`MY_NEXT_PUBLIC_...`) has no such prefix.
    if left == NAME_WINDOW || right == NAME_WINDOW || left == 0 {
        return;
    }
    let name = &hay[start..end];
    let Some(prefix) = prefix_of(name) else {
        return;
    };
    let w = words(&name[prefix.len()..]);
    if !w.iter().any(|x| x == "intercom") || w.iter().any(|x| MOBILE_WORDS.contains(&x.as_str())) {
        return;
    }
    // An "API key" in the browser is the app id under another name, or a
    // legacy key Intercom disabled in 2018: no secret to ship.
    if let Some(kind) = classify(&w).filter(|k| *k != Kind::ApiKey) {
        out.push(Assignment {
            start,
            end,
            kind,
            quoted: true,
            public_name: true,
        });
    }
}

/// The finding for a public name `name` found as `a`: the name is what is
/// reported, and its fingerprint is the normalised name's
/// (`nextpublicintercomidentitysecret`), so accepting it accepts it
/// wherever and however it is written.
pub(super) fn found(a: &Assignment, name: &[u8]) -> Match {
    Match {
        start: a.start,
        end: a.end,
        kind: a.kind,
        confidence: Confidence::High,
        rule_id: catalog::SECRET_PUBLIC_ENV.id,
        fingerprint: fingerprint(&normalize(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let hay = text.as_bytes();
        let mut out = Vec::new();
        let mut m = Memo::default();
        let mut from = 0;
        while let Some(at) = memchr::memmem::find(&hay[from..], b"INTERCOM") {
            at_hit(hay, from + at, &mut out, &mut m);
            from += at + 8;
        }
        out.iter()
            .map(|a| format!("{}:{}", &text[a.start..a.end], a.kind.as_str()))
            .collect()
    }

    fn at_hit(hay: &[u8], hs: usize, out: &mut Vec<Assignment>, m: &mut Memo) {
        at(hay, hs, hs + 8, out, m);
    }

    #[test]
    fn prefixed_secret_names_are_found_public_names_are_not() {
        assert_eq!(
            found("const s = process.env.NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET;"),
            ["NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET:identity_secret"]
        );
        assert_eq!(
            found("VITE_INTERCOM_CLIENT_SECRET=\nREACT_APP_INTERCOM_ACCESS_TOKEN="),
            [
                "VITE_INTERCOM_CLIENT_SECRET:client_secret",
                "REACT_APP_INTERCOM_ACCESS_TOKEN:access_token"
            ]
        );
        for silent in [
            "NEXT_PUBLIC_INTERCOM_APP_ID=abc12def",
            "NEXT_PUBLIC_INTERCOM_API_KEY=abc12def",
            "EXPO_PUBLIC_INTERCOM_IOS_API_KEY=ios_sdk-x",
            "INTERCOM_IDENTITY_SECRET=x",
            "MY_NEXT_PUBLIC_INTERCOM_SECRET=x",
            "NEXT_PUBLIC_INTERCOM_WIDGET_COLOR=x",
        ] {
            assert!(found(silent).is_empty(), "{silent}");
        }
    }

    #[test]
    fn the_prefix_is_no_part_of_what_the_name_says() {
        let w = |s: &str| strip(words(s.as_bytes()));
        assert_eq!(w("NEXT_PUBLIC_INTERCOM_SECRET"), ["intercom", "secret"]);
        assert_eq!(w("VITE_INTERCOM_API_KEY"), ["intercom", "api", "key"]);
        assert_eq!(w("INTERCOM_PUBLIC_KEY"), ["intercom", "public", "key"]);
    }
}
