//! Secrets by name: a literal assigned to an Intercom secret name, in the
//! syntaxes of .env, shell, YAML, JSON, TOML, INI, properties, XML,
//! Dockerfile, Terraform and code, plus `name:`/`value:` pairs on consecutive
//! lines. What a name hit leads to elsewhere has a file of its own: keys
//! nested in an Intercom context ([`super::context`]), names a web framework
//! ships to the browser ([`super::public_env`]), secrets set through a CLI
//! ([`super::cli_set`]), credentials in a URL ([`super::userinfo`]), and the
//! identity secret found by its use ([`super::hmac_key`]).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::context::{self, Brackets, PositionHasher};
use super::name_cache::NameCache;
use super::work::Work;
use super::{cli_set, hmac_key, public_env, userinfo, value};
use crate::finding::{Confidence, Kind};

/// How far the parser looks around a name, in bytes.
pub(super) const NAME_WINDOW: usize = 128;
const VALUE_WINDOW: usize = 512;
/// No value spans more than this: a line window, or the next line's for a
/// YAML block scalar.
pub(crate) const MAX_VALUE_SPAN: usize = 2 * VALUE_WINDOW + 2;
const LOOKBACK: usize = 256;
pub(super) const SECTION_WINDOW: usize = 4096;

/// What the name hits of one haystack share, so that overlapping windows
/// (sections nested in sections, brackets inside brackets) are read once and
/// a haystack costs time linear in its size, however its sections nest.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// The key scan of sections: from a position some scan stepped on, where
    /// that scan stopped. Every key between the two was pushed already; a
    /// step never depends on where its section ends, so a scan that reaches
    /// a position another scan stepped on goes on from where that one stopped.
    pub(super) scanned: HashMap<usize, usize, BuildHasherDefault<PositionHasher>>,
    /// The positions one key scan stepped on (a buffer kept for the next).
    pub(super) trail: Vec<usize>,
    /// The farthest stop in `scanned`: no scan stepped on a position at or
    /// after it.
    pub(super) scanned_stop: usize,
    /// `scanned` is pruned when it holds more entries than this.
    pub(super) prune_at: usize,
    /// The last name hit: every key scan to come starts at most
    /// [`cli_set::MAX_COMMAND`] bytes before it.
    pub(super) last_hit: usize,
    /// A scan of the whole haystack is to come ([`context::whole`]): every
    /// entry of `scanned` may serve it.
    pub(super) whole_to_come: bool,
    /// The last [`line_end`] that found the line's end: from where it
    /// looked, and the `\n` or `\r` it found.
    last_end: Option<(usize, usize)>,
    /// The last line start a look back found: the bytes `start..upto`
    /// hold no `\n`, and `start` is 0 or follows one.
    last_start: Option<(usize, usize)>,
    pub(super) brackets: Brackets,
    defaults: Defaults,
    /// The shell command the last CLI look-up read.
    pub(super) cli: cli_set::Memo,
    /// The identity secret by its use: where `user_hash` and `intercom` are.
    pub(super) hmac: hmac_key::Memo,
    /// Verdicts on the names hits sit in, and on the names holding a term.
    names: NameCache<NameVerdict>,
    terms: NameCache<Option<Kind>>,
    /// Verdicts on the keys of Intercom sections ([`context`]).
    pub(super) keys: NameCache<Option<Kind>>,
    pub(crate) work: Work,
}

impl Memo {
    /// The memo of one haystack; `whole_to_come` when the whole of it is
    /// an Intercom context, scanned once every hit is known.
    pub(crate) fn for_haystack(whole_to_come: bool) -> Memo {
        Memo {
            whole_to_come,
            ..Memo::default()
        }
    }
}

/// Where `default` next occurs, for Terraform variable blocks: one forward
/// search shared by every block of a haystack.
#[derive(Debug, Default)]
struct Defaults {
    /// Every position in `[from, upto)` was looked at; `first` is the first
    /// of them where `default` starts.
    from: usize,
    upto: usize,
    first: Option<usize>,
}

impl Defaults {
    /// The first `default` that starts at `start` or after and ends by `end`.
    fn find(&mut self, hay: &[u8], start: usize, end: usize, work: &mut Work) -> Option<usize> {
        const WORD: &[u8] = b"default";
        let stale = start < self.from || start > self.upto;
        if stale || self.first.is_some_and(|p| p < start) {
            *self = Defaults {
                from: start,
                upto: start,
                first: None,
            };
        }
        if self.first.is_none() && self.upto + WORD.len() <= end {
            let found = memchr::memmem::find(&hay[self.upto..end], WORD);
            work.charge(end - self.upto);
            self.first = found.map(|p| self.upto + p);
            self.upto = end + 1 - WORD.len();
        }
        self.first.filter(|&p| p + WORD.len() <= end)
    }
}

/// A value assigned to a secret name, or a secret's name that a web
/// framework ships to the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// Byte range of the value, inside its quotes (of the name, for a
    /// public name).
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
    /// The value was a quoted string literal (not a bare word).
    pub(crate) quoted: bool,
    /// The range is a secret's name with a framework's public prefix
    /// (`NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET`), reported as it is.
    pub(crate) public_name: bool,
}

impl Assignment {
    pub(super) fn value(start: usize, end: usize, kind: Kind, quoted: bool) -> Assignment {
        Assignment {
            start,
            end,
            kind,
            quoted,
            public_name: false,
        }
    }
}

/// The bytes of an identifier: ASCII letters and digits, `_`, `.` and `-`.
const NAME_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
        b += 1;
    }
    t
};

#[inline]
pub(super) fn is_name_byte(b: u8) -> bool {
    NAME_BYTES[usize::from(b)]
}

/// Splits an identifier into lowercase words: at separators and at camelCase
/// boundaries (`intercomAPIKey` → intercom, api, key).
pub(crate) fn words(name: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(name, |w| {
        out.push(
            w.iter()
                .map(|b| char::from(b.to_ascii_lowercase()))
                .collect(),
        );
    });
    out
}

/// Calls `f` on each word of `name` as [`words`] splits it, in its own
/// case, without allocating.
pub(crate) fn for_each_word(name: &[u8], mut f: impl FnMut(&[u8])) {
    // `intercomtoken` written without separators: split off the brand.
    let mut emit = |w: &[u8]| {
        if w.len() > 8 && w[..8].eq_ignore_ascii_case(b"intercom") {
            f(&w[..8]);
            f(&w[8..]);
        } else {
            f(w);
        }
    };
    let mut start: Option<usize> = None;
    for (i, &b) in name.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if let Some(s) = start.take() {
                emit(&name[s..i]);
            }
            continue;
        }
        let prev = if i > 0 { name[i - 1] } else { b'_' };
        let next = name.get(i + 1).copied().unwrap_or(b'_');
        let boundary = b.is_ascii_uppercase()
            && (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_ascii_lowercase()));
        match start {
            Some(s) if boundary => {
                emit(&name[s..i]);
                start = Some(i);
            }
            Some(_) => {}
            None => start = Some(i),
        }
    }
    if let Some(s) = start {
        emit(&name[s..]);
    }
}

/// Trailing words that name a deployment, not what the value is.
pub(super) const QUALIFIERS: &[&str] = &[
    "prod",
    "production",
    "dev",
    "development",
    "staging",
    "stage",
    "live",
    "test",
    "sandbox",
    "local",
    "us",
    "eu",
    "au",
    "new",
    "old",
    "primary",
    "secondary",
    "backup",
    "value",
    "val",
    "default",
    "b64",
    "base64",
    "v1",
    "v2",
    "v3",
];

/// Words that make a name a ciphertext (or a part of one), not a credential.
const CIPHERTEXT_WORDS: &[&str] = &["encrypted", "ciphertext", "cipher", "crypted", "enc"];

/// Words before a final `key` or `token` that say it is something else: a
/// cache, database or storage key, a request's idempotency key, a page
/// cursor, a CSRF or a device push token. (Not words an app may name its
/// Intercom token after: `sync`, `event`, `job`.)
const OTHER_KEYS: &[&str] = &[
    "cache",
    "idempotency",
    "idempotence",
    "dedup",
    "dedupe",
    "deduplication",
    "primary",
    "foreign",
    "unique",
    "composite",
    "sort",
    "partition",
    "range",
    "row",
    "column",
    "table",
    "index",
    "lookup",
    "storage",
    "store",
    "redis",
    "memcache",
    "s3",
    "object",
    "bucket",
    "blob",
    "file",
    "upload",
    "asset",
    "image",
    "translation",
    "i18n",
    "locale",
    "label",
    "setting",
    "feature",
    "flag",
    "namespace",
    "meta",
    "map",
    "dict",
    "attribute",
    "attr",
    "field",
    "entity",
    "record",
    "item",
    "list",
    "group",
    "lock",
    "routing",
    "version",
    "schema",
    "state",
    "cookie",
    "query",
    "param",
    "form",
    "prop",
    "react",
    "rate",
    "throttle",
    "hotkey",
    "shortcut",
    "keyboard",
    "sequence",
    "cursor",
    "page",
    "next",
    "pagination",
    "continuation",
    "csrf",
    "xsrf",
    "cancel",
    "cancellation",
    "device",
    "push",
    "fcm",
    "apns",
    "registration",
];

/// What a (lowercase-word) secret name holds, or `None` when it does not
/// name a secret (`INTERCOM_APP_ID`, `INTERCOM_TOKEN_URL`, ...).
pub(crate) fn classify(words: &[String]) -> Option<Kind> {
    let mut end = words.len();
    while end > 1
        && (QUALIFIERS.contains(&words[end - 1].as_str())
            || words[end - 1].bytes().all(|b| b.is_ascii_digit()))
    {
        end -= 1;
    }
    let words = &words[..end];
    let joined: String = words
        .iter()
        .filter(|w| *w != "intercom")
        .map(String::as_str)
        .collect();
    let has = |w: &str| joined.contains(w);
    let has_word = |w: &str| words.iter().any(|x| x == w);
    if has("public") || has("publishable") {
        return None;
    }
    // A ciphertext and its parts (`encrypted_api_key` beside its
    // `encrypted_api_key_iv`) are safe to store: no credential.
    if words.iter().any(|w| CIPHERTEXT_WORDS.contains(&w.as_str())) {
        return None;
    }
    // The last word says what the value is: `...token`, `...secret`, and
    // `key` / `pat` only as whole words (`monkey`, `appcompat` are not).
    let last = words.last().map_or("", String::as_str);
    let secretish = last.ends_with("token")
        || last.ends_with("secret")
        || last.ends_with("apikey")
        || last.ends_with("secretkey")
        || last == "key"
        || last == "pat";
    if !secretish {
        return None;
    }
    // `cache_key`, `idempotency_key`, `primary_key`, `csrf_token`: the word
    // before says what else the key or token is.
    if words.len() >= 2 && OTHER_KEYS.contains(&words[words.len() - 2].as_str()) {
        return None;
    }
    let kind = if has("webhook") || has("signing") || has_word("hub") {
        Kind::WebhookSecret
    } else if has("identity")
        || has("hmac")
        || has("verification")
        || has("secure")
        || has_word("jwt")
        || joined.ends_with("secretkey")
        || joined.ends_with("apisecret")
    {
        // `api_secret` is intercom-rails' name for it, "secure mode" its
        // old name, and a Messenger JWT is signed with it.
        Kind::IdentitySecret
    } else if has("client") || has("oauth") || has("consumer") || joined.ends_with("appsecret") {
        Kind::ClientSecret
    } else if joined.ends_with("key") {
        Kind::ApiKey
    } else if joined.ends_with("secret") {
        Kind::ClientSecret
    } else {
        Kind::AccessToken
    };
    Some(kind)
}

/// The identifier around `[hs, he)`: `(start, end)`. `None` inside a run of
/// name bytes longer than the window on both sides: that is data (base64,
/// minified code, a hex dump), not a name, and it must not cost every hit
/// in it the whole window.
pub(super) fn identifier(hay: &[u8], hs: usize, he: usize, m: &mut Memo) -> Option<(usize, usize)> {
    let before = &hay[hs.saturating_sub(NAME_WINDOW)..hs];
    let left = before
        .iter()
        .rev()
        .position(|&b| !is_name_byte(b))
        .unwrap_or(before.len());
    let after = &hay[he..(he + NAME_WINDOW).min(hay.len())];
    let right = after
        .iter()
        .position(|&b| !is_name_byte(b))
        .unwrap_or(after.len());
    m.work.charge(left + right + 2);
    if left == NAME_WINDOW && right == NAME_WINDOW {
        return None;
    }
    let (mut s, mut e) = (hs - left, he + right);
    while e > he && matches!(hay[e - 1], b'.' | b'-') {
        e -= 1;
    }
    while s < hs && matches!(hay[s], b'.' | b'-') {
        s += 1;
    }
    Some((s, e))
}

/// The start of the line holding `at`, looking back at most
/// [`LOOKBACK`] bytes (the keywords before a name are short).
pub(super) fn line_start(hay: &[u8], at: usize, m: &mut Memo) -> usize {
    let from = at.saturating_sub(LOOKBACK);
    let start = line_start_from(hay, from, at, m);
    m.work.charge(at - start + 1);
    start
}

/// The start of the line holding `at`, looked for back to `lo` at most:
/// `lo` when no line starts after it. The hits of one line (the CLI
/// look-up, the assignment, the section) ask for the same start: it is
/// looked for once.
pub(super) fn line_start_from(hay: &[u8], lo: usize, at: usize, m: &mut Memo) -> usize {
    // No `\n` in `start..at`, and one right before `start` (or the
    // haystack starts there): the last one in `lo..at` is that one, if any.
    if let Some((start, upto)) = m.last_start
        && start <= at
        && at <= upto
    {
        return start.max(lo);
    }
    match memchr::memrchr(b'\n', &hay[lo..at]) {
        Some(p) => {
            m.last_start = Some((lo + p + 1, at));
            lo + p + 1
        }
        None => {
            if lo == 0 {
                m.last_start = Some((0, at));
            }
            lo
        }
    }
}

pub(super) fn line_end(hay: &[u8], at: usize, m: &mut Memo) -> usize {
    let to = (at + VALUE_WINDOW).min(hay.len());
    // A look-up from `from` found the stop at `stop`, less than a window on:
    // from anywhere in between, the same stop is the first, within the window.
    let end = match m.last_end {
        Some((from, stop)) if from <= at && at <= stop => stop,
        _ => {
            let found = memchr::memchr2(b'\n', b'\r', &hay[at..to]).map(|p| at + p);
            m.last_end = found.map(|stop| (at, stop));
            found.unwrap_or(to)
        }
    };
    m.work.charge(end - at + 1);
    end
}

pub(super) fn skip_blanks(hay: &[u8], mut at: usize, end: usize) -> usize {
    while at < end && matches!(hay[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

pub(super) fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Finds the value assigned to the name ending at `ne` (the name starts at
/// `ns`), in any syntax we know; returns the value's start position.
pub(super) fn assignment_value_start(
    hay: &[u8],
    ns: usize,
    ne: usize,
    m: &mut Memo,
) -> Option<usize> {
    let le = line_end(hay, ne, m);
    let ls = line_start(hay, ns, m);
    let before = &hay[ls..ns];
    // Uses of a variable are not assignments: `$X`, `${X}`, `%X%`.
    // Uses of a variable are not assignments: `${X}`, `%X%`; `$X` only
    // assigns in PHP and Perl style (`$x = "..."`).
    let dollar = before.last() == Some(&b'$');
    if before.last() == Some(&b'%') || before.ends_with(b"${") {
        return None;
    }
    let mut at = ne;
    // Closing quotes (maybe JSON-escaped) and an index bracket: `ENV["X"] =`.
    let mut quoted = false;
    for _ in 0..2 {
        if at < le && hay[at] == b'\\' && at + 1 < le && is_quote(hay[at + 1]) {
            at += 2;
            quoted = true;
        } else if at < le && is_quote(hay[at]) {
            at += 1;
            quoted = true;
        }
    }
    if at < le && hay[at] == b']' {
        at += 1;
    }
    let op = skip_blanks(hay, at, le);
    if op >= le {
        return name_value_pair(hay, ls, ns, le, m);
    }
    if dollar && hay[op] != b'=' {
        return None;
    }
    match hay[op] {
        b'=' => {
            let next = hay.get(op + 1).copied();
            if matches!(next, Some(b'=') | Some(b'~')) {
                return None;
            }
            let v = if next == Some(b'>') { op + 2 } else { op + 1 };
            Some(after_type_annotation(hay, v, le))
        }
        b':' => {
            if hay.get(op + 1) == Some(&b'=') {
                return Some(op + 2);
            }
            if hay.get(op + 1) == Some(&b':') {
                return None;
            }
            Some(after_type_annotation(hay, op + 1, le))
        }
        b'?' if hay.get(op + 1) == Some(&b'=') => Some(op + 2),
        // `<IntercomApiKey>v</...>`, and `<string name="intercom_api_key">v</string>`
        // (Android resources).
        b'>' if before.last() == Some(&b'<') || quoted => Some(op + 1),
        // plist: `<key>IntercomApiKey</key>` then `<string>v</string>`.
        b'<' if before.ends_with(b"<key>") => {
            let close = op + hay[op..le].windows(6).position(|w| w == b"</key>")? + 6;
            let mut v = close;
            while v < hay.len() && v - close < 256 && hay[v].is_ascii_whitespace() {
                v += 1;
            }
            hay[v..].starts_with(b"<string>").then_some(v + 8)
        }
        // Terraform: `variable "intercom_token" { default = "..." }`.
        b'{' if quoted => {
            let (start, end) = context::balanced(hay, op, m);
            let at = m.defaults.find(hay, start, end, &mut m.work)?;
            let eq = skip_blanks(hay, at + 7, end);
            (hay.get(eq) == Some(&b'=')).then_some(eq + 1)
        }
        b',' if quoted => {
            if skip_blanks(hay, op + 1, le) >= le {
                name_value_pair(hay, ls, ns, le, m)
            } else {
                Some(op + 1)
            }
        }
        _ => {
            // XML attribute pairs: key="IntercomToken" value="...".
            let rest = &hay[op..le];
            let rest = rest.strip_prefix(b"android:").unwrap_or(rest);
            let prefix = le - op - rest.len();
            if quoted && rest.len() > 6 && rest[..5].eq_ignore_ascii_case(b"value") {
                let eq = skip_blanks(hay, op + prefix + 5, le);
                if hay.get(eq) == Some(&b'=') {
                    return Some(eq + 1);
                }
            }
            // Whitespace-separated: `setenv X v`, `set -gx X v`, Dockerfile `ENV X v`.
            let lead = trim_ascii(before);
            let keyword = SPACE_ASSIGN_KEYWORDS.contains(&lead);
            (keyword && op > ne).then_some(op)
        }
    }
}

/// Commands that assign with a space: `setenv X v`, `set -gx X v`, `ENV X v`.
const SPACE_ASSIGN_KEYWORDS: &[&[u8]] = &[
    b"setenv", b"set -gx", b"set -x", b"set -Ux", b"set -U", b"ENV", b"env", b"#define",
];

pub(super) fn trim_ascii(s: &[u8]) -> &[u8] {
    let s = &s[s.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    let n = s
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    &s[..s.len() - n]
}

/// `intercomToken: string = "..."` and `INTERCOM_TOKEN: str = "..."`: skips
/// a type annotation when one stands between the colon and the `=`.
fn after_type_annotation(hay: &[u8], at: usize, le: usize) -> usize {
    let s = skip_blanks(hay, at, le);
    let is_type_byte = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'_' | b'.'
                    | b'<'
                    | b'>'
                    | b'['
                    | b']'
                    | b'?'
                    | b'|'
                    | b'&'
                    | b'\''
                    | b' '
                    | b','
                    | b'*'
            )
    };
    let ty = hay[s..le]
        .iter()
        .take(60)
        .take_while(|&&b| is_type_byte(b))
        .count();
    let starts_like_a_type = hay
        .get(s)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'&');
    // The type ends with a blank before `=`: a base64 value (`abc==`) has none.
    let eq = s + ty;
    if ty == 0 || !starts_like_a_type || hay[eq - 1] != b' ' {
        return at;
    }
    if hay.get(eq) == Some(&b'=') && hay.get(eq + 1) != Some(&b'=') {
        return eq + 1;
    }
    at
}

/// A `name: X` line followed by a `value: ...` line (Kubernetes env lists,
/// HAR headers): returns where the value starts.
fn name_value_pair(hay: &[u8], ls: usize, ns: usize, le: usize, m: &mut Memo) -> Option<usize> {
    let key = trim_ascii(&hay[ls..ns]);
    let key = key.strip_prefix(b"-").map_or(key, trim_ascii);
    if !is_name_key(key) {
        return None;
    }
    // The next line that is not blank or a comma.
    let mut at = le;
    while at < hay.len() && matches!(hay[at], b'\r' | b'\n' | b',' | b' ' | b'\t') {
        at += 1;
    }
    m.work.charge(at - le);
    let end = line_end(hay, at, m);
    let mut k = at;
    while k < end && is_quote(hay[k]) {
        k += 1;
    }
    if end - k < 5 || !hay[k..k + 5].eq_ignore_ascii_case(b"value") {
        return None;
    }
    k += 5;
    while k < end && is_quote(hay[k]) {
        k += 1;
    }
    let op = skip_blanks(hay, k, end);
    matches!(hay.get(op), Some(b':') | Some(b'=')).then_some(op + 1)
}

/// Whether `key`, its quotes taken out, is `name:` or `name=` (blanks
/// around each part): the key of a `name:`/`value:` pair.
fn is_name_key(key: &[u8]) -> bool {
    let mut bytes = key.iter().copied().filter(|&b| !is_quote(b));
    let mut b = bytes.find(|b| !b.is_ascii_whitespace());
    for want in *b"name" {
        if !b.is_some_and(|c| c.eq_ignore_ascii_case(&want)) {
            return false;
        }
        b = bytes.next();
    }
    while b.is_some_and(|c| c.is_ascii_whitespace()) {
        b = bytes.next();
    }
    if !matches!(b, Some(b':' | b'=')) {
        return false;
    }
    bytes.all(|c| c.is_ascii_whitespace())
}

/// Reads the literal starting at `at` (after blanks): `(start, end, quoted)`
/// of its content, or `None` when it is an expression rather than a literal.
pub(super) fn literal(hay: &[u8], at: usize, m: &mut Memo) -> Option<(usize, usize, bool)> {
    literal_in(hay, at, true, m)
}

/// [`literal`], looking inside one `JSON.stringify(...)` when `unwrap`.
fn literal_in(hay: &[u8], at: usize, unwrap: bool, m: &mut Memo) -> Option<(usize, usize, bool)> {
    let le = line_end(hay, at, m);
    let mut s = skip_blanks(hay, at, le);
    if s >= le {
        return None;
    }
    // YAML block scalar: the value is on the next line.
    if matches!(hay[s], b'|' | b'>')
        && trim_ascii(&hay[s + 1..le])
            .iter()
            .all(|b| matches!(b, b'-' | b'+'))
    {
        let mut n = le;
        while n < hay.len() && n - le < 2 && matches!(hay[n], b'\r' | b'\n') {
            n += 1;
        }
        let ne = line_end(hay, n, m);
        let t = skip_blanks(hay, n, ne);
        return (t < ne).then(|| (t, t + trim_ascii(&hay[t..ne]).len(), false));
    }
    // String prefixes: Python r"", b"", f"" and C# @"".
    let mut fstring = false;
    let pre = hay[s..le]
        .iter()
        .take(2)
        .take_while(|b| {
            matches!(
                b,
                b'r' | b'b' | b'u' | b'f' | b'R' | b'B' | b'U' | b'F' | b'@'
            )
        })
        .count();
    if pre > 0 && s + pre < le && (is_quote(hay[s + pre]) || hay[s + pre] == b'\\') {
        fstring = hay[s..s + pre].iter().any(|b| matches!(b, b'f' | b'F'));
        s += pre;
    }
    let escaped = hay[s] == b'\\' && s + 1 < le && is_quote(hay[s + 1]);
    if escaped || is_quote(hay[s]) {
        let q = if escaped { hay[s + 1] } else { hay[s] };
        let start = s + if escaped { 2 } else { 1 };
        let mut i = start;
        while i < le {
            if escaped && hay[i] == b'\\' && hay.get(i + 1) == Some(&q) {
                break;
            }
            if !escaped && hay[i] == b'\\' {
                i += 2;
                continue;
            }
            if !escaped && hay[i] == q {
                break;
            }
            i += 1;
        }
        let i = i.min(le);
        m.work.charge(i - start);
        if fstring && hay[start..i].contains(&b'{') {
            return None;
        }
        return Some((start, i, true));
    }
    let end = s + hay[s..le]
        .iter()
        .take_while(|&&b| {
            !b.is_ascii_whitespace()
                && !matches!(
                    b,
                    b';' | b','
                        | b')'
                        | b'}'
                        | b']'
                        | b'<'
                        | b'"'
                        | b'\''
                        | b'`'
                        | b'&'
                        | b'('
                        | b'['
                        | b'{'
                )
        })
        .count();
    m.work.charge(end - s);
    // `config.get(...)`, `settings.INTERCOM_TOKEN`, `getToken()`: expressions.
    // A bare word ending in `:` is the next key, not a value.
    let word = &hay[s..end];
    // Webpack's DefinePlugin: `"process.env.X": JSON.stringify("v")`.
    if hay.get(end) == Some(&b'(') && word == b"JSON.stringify" {
        if !unwrap {
            return None;
        }
        return literal_in(hay, end + 1, false, m).filter(|&(_, _, quoted)| quoted);
    }
    if matches!(hay.get(end), Some(b'(' | b'[' | b'{'))
        || is_dotted_path(word)
        || word.last() == Some(&b':')
    {
        return None;
    }
    Some((s, end, false))
}

/// `a.b.c` made of identifiers: a member access, not a secret.
fn is_dotted_path(v: &[u8]) -> bool {
    v.contains(&b'.')
        && v.split(|&b| b == b'.').all(|seg| {
            seg.len() >= 2
                && (seg[0].is_ascii_alphabetic() || seg[0] == b'_')
                && seg.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
}

/// A name reduced to lowercase letters and digits, so that
/// `ACME_SUPPORT_CHAT_KEY`, `acmeSupportChatKey` and `acme.support.chat-key`
/// compare equal.
pub(crate) fn normalize(name: &[u8]) -> Vec<u8> {
    name.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_lowercase)
        .collect()
}

/// Called for each automaton hit on a name (`intercom`, or the first word of
/// an extra name, at `[hs, he)`); pushes what is assigned to it. `extras`
/// are the configured extra names, normalized.
pub(crate) fn at_name(
    hay: &[u8],
    hs: usize,
    he: usize,
    extras: &[Vec<u8>],
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) {
    m.last_hit = hs;
    let brand = is_brand(&hay[hs..he]);
    if brand {
        m.hmac.intercom_at(hs);
        public_env::at(hay, hs, he, out, m);
        if userinfo::at(hay, hs, he, out, m) {
            return;
        }
    }
    let Some((ns, ne)) = identifier(hay, hs, he, m) else {
        return;
    };
    let name = &hay[ns..ne];
    let verdict = m.names.get_or(name, || name_verdict(name, extras));
    if brand {
        cli_set::at(hay, hs, ns..ne, out, m);
    }
    match verdict {
        NameVerdict::Secret(kind) => push_value(hay, ns, ne, kind, out, m),
        NameVerdict::Section { container } => context::section(hay, ns, ne, container, out, m),
    }
}

/// Whether `w` is `intercom` in any case, compared as one word: every byte
/// of `intercom` is a letter, which `| 0x20` makes lowercase and no other
/// byte turns into.
fn is_brand(w: &[u8]) -> bool {
    const BRAND: u64 = u64::from_le_bytes(*b"intercom");
    w.first_chunk::<8>()
        .is_some_and(|c| w.len() == 8 && u64::from_le_bytes(*c) | 0x2020_2020_2020_2020 == BRAND)
}

/// What a name holding a hit stands for.
#[derive(Debug, Clone, Copy)]
pub(super) enum NameVerdict {
    /// A secret's name: its value is a secret of this kind.
    Secret(Kind),
    /// No secret's name, maybe an Intercom section's: `container` when the
    /// name is `intercom` or names its settings ([`context::is_container`]).
    Section { container: bool },
}

/// The verdict on a name holding an `intercom` (or extra name) hit; a
/// function of the name's bytes alone (and the configured extra names).
fn name_verdict(name: &[u8], extras: &[Vec<u8>]) -> NameVerdict {
    let w = public_env::strip(words(name));
    let extra = !extras.is_empty() && {
        let n = normalize(name);
        extras.iter().any(|x| n.ends_with(x))
    };
    match classify(&w) {
        Some(k) if extra || w.iter().any(|x| x == "intercom") => NameVerdict::Secret(k),
        None if extra => NameVerdict::Secret(Kind::ClientSecret),
        _ => {
            // `window.intercomConfig`: the member's own name says.
            let member = name.rsplit(|&b| b == b'.').next().unwrap_or(name);
            let container =
                w.last().is_some_and(|x| x == "intercom") || context::is_container(&words(member));
            NameVerdict::Section { container }
        }
    }
}

/// The words of Intercom's own term for the identity secret, in the
/// spellings code and config use: a name built on it (`IDENTITY_VERIFICATION_SECRET`,
/// `identityVerificationSecret`) is Intercom's identity secret without an
/// `intercom` in it.
pub(crate) const TERMS: &[&str] = &[
    "identity_verification",
    "IDENTITY_VERIFICATION",
    "identityVerification",
    "IdentityVerification",
    "identity-verification",
    "identity.verification",
];

/// Called for each automaton hit on one of [`TERMS`] at `[hs, he)`.
pub(crate) fn at_term(hay: &[u8], hs: usize, he: usize, out: &mut Vec<Assignment>, m: &mut Memo) {
    let Some((ns, ne)) = identifier(hay, hs, he, m) else {
        return;
    };
    let kind = m.terms.get_or(&hay[ns..ne], || {
        let w = words(&hay[ns..ne]);
        // An `intercom` name has a hit of its own.
        if w.iter().any(|x| x == "intercom") {
            return None;
        }
        classify(&w)
    });
    if let Some(kind) = kind {
        push_value(hay, ns, ne, kind, out, m);
    }
}

/// What every hit of a haystack leads to once all are known: the identity
/// secret by its use ([`hmac_key`]) and, for a file whose path names
/// Intercom, the whole file as an Intercom context.
pub(crate) fn finish(hay: &[u8], whole: bool, out: &mut Vec<Assignment>, m: &mut Memo) {
    hmac_key::finish(hay, out, m);
    if whole {
        context::whole(hay, out, m);
    }
}

pub(super) fn push_value(
    hay: &[u8],
    ns: usize,
    ne: usize,
    kind: Kind,
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) {
    let Some(v) = assignment_value_start(hay, ns, ne, m) else {
        return;
    };
    let Some((start, end, quoted)) = literal(hay, v, m) else {
        return;
    };
    if end > start {
        out.push(Assignment::value(start, end, kind, quoted));
    }
}

/// Confidence for an assignment's value, or `None` when it is not a secret.
pub(crate) fn judge_value(a: &Assignment, hay: &[u8], min_entropy: f64) -> Option<Confidence> {
    let v = &hay[a.start..a.end];
    if v.len() > value::MAX_LEN {
        return None;
    }
    // A name in code (`computeHmacKey256`, `"ClientValidationEnabled"`):
    // random keys switch case and mix in digits throughout.
    if value::looks_like_identifier(v) {
        return None;
    }
    value::judge(v, min_entropy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(name: &str) -> Option<Kind> {
        classify(&words(name.as_bytes()))
    }

    #[test]
    fn names_are_split_into_words() {
        assert_eq!(words(b"intercomAPIKey"), ["intercom", "api", "key"]);
        assert_eq!(
            words(b"INTERCOM_ACCESS_TOKEN"),
            ["intercom", "access", "token"]
        );
        assert_eq!(words(b"intercomtoken"), ["intercom", "token"]);
        assert_eq!(
            words(b"spring.intercom.client-secret"),
            ["spring", "intercom", "client", "secret"]
        );
    }

    #[test]
    fn names_are_classified() {
        assert_eq!(kind_of("INTERCOM_ACCESS_TOKEN"), Some(Kind::AccessToken));
        assert_eq!(
            kind_of("INTERCOM_WEBHOOK_SECRET"),
            Some(Kind::WebhookSecret)
        );
        assert_eq!(
            kind_of("INTERCOM_IDENTITY_SECRET"),
            Some(Kind::IdentitySecret)
        );
        assert_eq!(kind_of("INTERCOM_SECRET_KEY"), Some(Kind::IdentitySecret));
        assert_eq!(kind_of("intercom.client_secret"), Some(Kind::ClientSecret));
        assert_eq!(kind_of("INTERCOM_API_KEY"), Some(Kind::ApiKey));
        assert_eq!(kind_of("intercomAccessToken"), Some(Kind::AccessToken));
        assert_eq!(
            kind_of("INTERCOM_ACCESS_TOKEN_PROD"),
            Some(Kind::AccessToken)
        );
        assert_eq!(kind_of("INTERCOM_APP_ID"), None);
        assert_eq!(kind_of("INTERCOM_TOKEN_URL"), None);
        assert_eq!(kind_of("intercom"), None);
        assert_eq!(kind_of("intercomapikey"), Some(Kind::ApiKey));
        assert_eq!(kind_of("intercom.monkey"), None);
        assert_eq!(kind_of("androidx.appcompat"), None);
        assert_eq!(kind_of("INTERCOM_PAT"), Some(Kind::AccessToken));
    }
}
