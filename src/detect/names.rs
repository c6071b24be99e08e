//! Secrets by name: a literal assigned to an Intercom secret name, in the
//! syntaxes of .env, shell, YAML, JSON, TOML, INI, properties, XML,
//! Dockerfile, Terraform and code, plus `name:`/`value:` pairs on consecutive
//! lines and keys nested under an `intercom` section.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use super::value;
use super::work::Work;
use crate::finding::{Confidence, Kind};

/// How far the parser looks around a name, in bytes.
const NAME_WINDOW: usize = 128;
const VALUE_WINDOW: usize = 512;
/// No value spans more than this: a line window, or the next line's for a
/// YAML block scalar.
pub(crate) const MAX_VALUE_SPAN: usize = 2 * VALUE_WINDOW + 2;
const LOOKBACK: usize = 256;
const SECTION_WINDOW: usize = 4096;

/// What the name hits of one haystack share, so that overlapping windows
/// (sections nested in sections, brackets inside brackets) are read once and
/// a haystack costs time linear in its size, however its sections nest.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// The key scan of sections: from a position some scan stepped on, where
    /// that scan stopped. Every key between the two was pushed already; a
    /// step never depends on where its section ends, so a scan that reaches
    /// a position another scan stepped on goes on from where that one stopped.
    scanned: HashMap<usize, usize, BuildHasherDefault<PositionHasher>>,
    brackets: Brackets,
    defaults: Defaults,
    pub(crate) work: Work,
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

/// Hashes a byte position with one multiplication: positions are not chosen
/// by an adversary who sees the hash, and SipHash would cost more than the
/// scan it saves.
#[derive(Debug, Default)]
struct PositionHasher(u64);

impl Hasher for PositionHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(26);
    }
}

/// Matching brackets, found by one forward pass that every section of a
/// haystack shares (asked in increasing order, as name hits come).
#[derive(Debug, Default)]
struct Brackets {
    /// Positions in `[from, to)` have been read.
    from: usize,
    to: usize,
    /// Opening brackets read and not closed yet, in order.
    open: VecDeque<usize>,
    /// Opening bracket → its closing bracket, for those closed.
    closes: BTreeMap<usize, usize>,
}

impl Brackets {
    /// The position of the bracket closing the one at `open`, or
    /// `open + SECTION_WINDOW` (or the end) when it does not close sooner.
    fn close_of(&mut self, hay: &[u8], open: usize, work: &mut Work) -> usize {
        let cap = (open + SECTION_WINDOW).min(hay.len());
        if open < self.from || open > self.to {
            *self = Brackets {
                from: open,
                to: open,
                ..Brackets::default()
            };
        }
        work.charge(cap.saturating_sub(self.to));
        while self.to < cap {
            match hay[self.to] {
                b'{' | b'(' | b'[' => self.open.push_back(self.to),
                b'}' | b')' | b']' => {
                    if let Some(o) = self.open.pop_back() {
                        self.closes.insert(o, self.to);
                    }
                }
                _ => {}
            }
            self.to += 1;
        }
        let close = self.closes.get(&open).copied().filter(|&c| c < cap);
        // Later questions come at `open` or after: forget what lies before.
        self.closes = self.closes.split_off(&open);
        let before = self.open.partition_point(|&o| o < open);
        self.open.drain(..before);
        self.from = open;
        close.unwrap_or(cap)
    }
}

/// A value assigned to a secret name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// Byte range of the value, inside its quotes.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
    /// The value was a quoted string literal (not a bare word).
    pub(crate) quoted: bool,
}

#[inline]
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Splits an identifier into lowercase words: at separators and at camelCase
/// boundaries (`intercomAPIKey` → intercom, api, key).
pub(crate) fn words(name: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &b) in name.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = if i > 0 { name[i - 1] } else { b'_' };
        let next = name.get(i + 1).copied().unwrap_or(b'_');
        let boundary = b.is_ascii_uppercase()
            && (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_ascii_lowercase()));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(b.to_ascii_lowercase() as char);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    // `intercomtoken` written without separators: split off the brand.
    let mut split = Vec::with_capacity(out.len() + 1);
    for w in out {
        match w.strip_prefix("intercom") {
            Some(rest) if !rest.is_empty() => {
                split.push("intercom".to_string());
                split.push(rest.to_string());
            }
            _ => split.push(w),
        }
    }
    split
}

/// Trailing words that name a deployment, not what the value is.
const QUALIFIERS: &[&str] = &[
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
    let kind = if has("webhook") || has("signing") || has_word("hub") {
        Kind::WebhookSecret
    } else if has("identity") || has("hmac") || has("verification") || joined.ends_with("secretkey")
    {
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
fn identifier(hay: &[u8], hs: usize, he: usize, m: &mut Memo) -> Option<(usize, usize)> {
    let left = hay[..hs]
        .iter()
        .rev()
        .take(NAME_WINDOW)
        .take_while(|&&b| is_name_byte(b))
        .count();
    let right = hay[he..]
        .iter()
        .take(NAME_WINDOW)
        .take_while(|&&b| is_name_byte(b))
        .count();
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
fn line_start(hay: &[u8], at: usize, m: &mut Memo) -> usize {
    let from = at.saturating_sub(LOOKBACK);
    let start = memchr::memrchr(b'\n', &hay[from..at]).map_or(from, |p| from + p + 1);
    m.work.charge(at - start + 1);
    start
}

fn line_end(hay: &[u8], at: usize, m: &mut Memo) -> usize {
    let to = (at + VALUE_WINDOW).min(hay.len());
    let end = memchr::memchr2(b'\n', b'\r', &hay[at..to]).map_or(to, |p| at + p);
    m.work.charge(end - at + 1);
    end
}

fn skip_blanks(hay: &[u8], mut at: usize, end: usize) -> usize {
    while at < end && matches!(hay[at], b' ' | b'\t') {
        at += 1;
    }
    at
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Finds the value assigned to the name ending at `ne` (the name starts at
/// `ns`), in any syntax we know; returns the value's start position.
fn assignment_value_start(hay: &[u8], ns: usize, ne: usize, m: &mut Memo) -> Option<usize> {
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
            let (start, end) = balanced(hay, op, m);
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

fn trim_ascii(s: &[u8]) -> &[u8] {
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
    let key: Vec<u8> = key.iter().copied().filter(|&b| !is_quote(b)).collect();
    let key = trim_ascii(&key);
    let is_name_key = key.len() >= 5
        && key[..4].eq_ignore_ascii_case(b"name")
        && matches!(trim_ascii(&key[4..]), b":" | b"=");
    if !is_name_key {
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

/// Reads the literal starting at `at` (after blanks): `(start, end, quoted)`
/// of its content, or `None` when it is an expression rather than a literal.
fn literal(hay: &[u8], at: usize, m: &mut Memo) -> Option<(usize, usize, bool)> {
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
    let Some((ns, ne)) = identifier(hay, hs, he, m) else {
        return;
    };
    let name = &hay[ns..ne];
    let w = words(name);
    let extra = !extras.is_empty() && {
        let n = normalize(name);
        extras.iter().any(|x| n.ends_with(x))
    };
    let kind = match classify(&w) {
        Some(k) if extra || w.iter().any(|x| x == "intercom") => k,
        None if extra => Kind::ClientSecret,
        _ => {
            let single = w.last().is_some_and(|x| x == "intercom");
            section(hay, ns, ne, single, out, m);
            return;
        }
    };
    push_value(hay, ns, ne, kind, out, m);
}

fn push_value(
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
        out.push(Assignment {
            start,
            end,
            kind,
            quoted,
        });
    }
}

/// An `intercom` section (YAML block, JSON/JS object, TOML/INI table) or a
/// call that builds an Intercom client (`Intercom::Client.new(token: ...)`,
/// `intercom = Client(api_key=...)`): the secret-like keys inside are
/// Intercom's. `single` says the name is the bare word `intercom`.
///
/// Sections nest (`intercom: {intercom: {...}}`) and overlap; each position
/// is stepped on once per haystack (see [`Memo`]), so a thousand nested
/// sections cost what one does.
fn section(
    hay: &[u8],
    ns: usize,
    ne: usize,
    single: bool,
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) {
    let Some((start, end)) = section_body(hay, ns, ne, single, m) else {
        return;
    };
    let mut trail = Vec::new();
    let mut i = start;
    while i < end {
        trail.push(i);
        i = match m.scanned.get(&i) {
            Some(&stop) => stop,
            None => section_step(hay, i, out, m),
        };
    }
    for at in trail {
        m.scanned.insert(at, i);
    }
}

/// Whether a key (a bare name) starts at `i`.
fn starts_key(hay: &[u8], i: usize) -> bool {
    is_name_byte(hay[i])
        && hay[i] != b'.'
        && hay[i] != b'-'
        && (i == 0 || !is_name_byte(hay[i - 1]))
}

/// One step of the key scan of a section, from `i`: a quoted string (a key
/// when an operator follows it, else a value skipped whole), a bare key, or
/// the bytes up to the next of those. Pushes what the keys that name
/// secrets are assigned. Returns where the step ends, which depends only on
/// `i`, never on where the section ends.
fn section_step(hay: &[u8], i: usize, out: &mut Vec<Assignment>, m: &mut Memo) -> usize {
    if is_quote(hay[i]) {
        let q = hay[i];
        let close = hay[i + 1..]
            .iter()
            .position(|&b| b == q || b == b'\n')
            .map_or(hay.len(), |p| i + 1 + p);
        m.work.charge(close - i);
        if close < hay.len() && hay[close] == q && close - i <= SECTION_WINDOW {
            let line = line_end(hay, close, m);
            let after = skip_blanks(hay, close + 1, line);
            if matches!(hay.get(after), Some(b':' | b'='))
                && let Some(kind) = classify(&words(&hay[i + 1..close]))
            {
                push_value(hay, i + 1, close, kind, out, m);
            }
        }
        return close + 1;
    }
    if starts_key(hay, i) {
        let len = hay[i..].iter().take_while(|&&b| is_name_byte(b)).count();
        m.work.charge(len);
        if len <= SECTION_WINDOW
            && let Some(kind) = classify(&words(&hay[i..i + len]))
        {
            push_value(hay, i, i + len, kind, out, m);
        }
        return i + len;
    }
    let next = (i + 1..hay.len())
        .find(|&j| is_quote(hay[j]) || starts_key(hay, j))
        .unwrap_or(hay.len());
    m.work.charge(next - i);
    next
}

/// The byte range a section or client call spans.
fn section_body(
    hay: &[u8],
    ns: usize,
    ne: usize,
    single: bool,
    m: &mut Memo,
) -> Option<(usize, usize)> {
    let le = line_end(hay, ne, m);
    let ls = line_start(hay, ns, m);
    let mut at = ne;
    while at < le && (is_quote(hay[at]) || hay[at] == b'\\') {
        at += 1;
    }
    let op = skip_blanks(hay, at, le);
    let before = trim_ascii(&hay[ls..ns]);
    // A TOML / INI table header is a line of its own: `[intercom]`,
    // `[services.intercom]`; not a Markdown link `[Intercom](...)`.
    if single && before.ends_with(b"[") && hay.get(op) == Some(&b']') {
        let header = before.iter().all(|&b| is_name_byte(b) || b == b'[');
        let rest = trim_ascii(&hay[op + 1..le]);
        if header && (rest.is_empty() || rest[0] == b'#' || rest[0] == b';') {
            return Some(toml_table(hay, le, m));
        }
        return None;
    }
    // A call right after the name: `Intercom::Client.new(`, `IntercomClient(`.
    let chain = call_chain(hay, at, le, m);
    if hay.get(chain) == Some(&b'(') {
        return Some(balanced(hay, chain, m));
    }
    if !single || !matches!(hay.get(op), Some(b':') | Some(b'=')) {
        return None;
    }
    let mut v = skip_blanks(hay, op + 1, le);
    if hay.get(v) == Some(&b'>') {
        v = skip_blanks(hay, v + 1, le);
    }
    // A YAML key stands alone on its line (`class Intercom:` is Python).
    let bare_key = before
        .iter()
        .all(|&b| b == b'-' || b == b' ' || is_quote(b));
    if v >= le || hay[v] == b'#' {
        return bare_key.then(|| yaml_block(hay, ls, ns, le, m));
    }
    // `"intercom": {`, `intercom = new Intercom.Client({`, `intercom = Client(`,
    // PHP `'intercom' => [`.
    let v = call_chain(hay, v, le, m);
    matches!(hay.get(v), Some(b'{' | b'(' | b'[')).then(|| balanced(hay, v, m))
}

/// Skips `new `, `Some::Path.new`, `Client` before an opening bracket.
fn call_chain(hay: &[u8], at: usize, le: usize, m: &mut Memo) -> usize {
    let mut i = at;
    if hay[i..le].starts_with(b"new ") {
        i += 4;
    }
    while i < le && (hay[i].is_ascii_alphanumeric() || matches!(hay[i], b'_' | b':' | b'.')) {
        i += 1;
    }
    m.work.charge(i - at);
    i
}

/// From an opening bracket at `open` to its matching close (bounded).
fn balanced(hay: &[u8], open: usize, m: &mut Memo) -> (usize, usize) {
    let close = m.brackets.close_of(hay, open, &mut m.work);
    (open + 1, close)
}

/// TOML / INI: from after the header line to the next table header.
fn toml_table(hay: &[u8], le: usize, m: &mut Memo) -> (usize, usize) {
    let start = le;
    let mut end = start;
    while end < hay.len() && end - start < SECTION_WINDOW {
        let e = line_end(hay, end, m);
        let t = trim_ascii(&hay[end..e]);
        if t.first() == Some(&b'[') && end > start {
            break;
        }
        end = e + 1;
    }
    (start, end.min(hay.len()))
}

/// YAML block: the lines indented deeper than the key.
fn yaml_block(hay: &[u8], ls: usize, ns: usize, le: usize, m: &mut Memo) -> (usize, usize) {
    let indent = hay[ls..ns]
        .iter()
        .take_while(|b| **b == b' ' || **b == b'-')
        .count();
    let start = le;
    let mut end = start;
    while end < hay.len() && end - start < SECTION_WINDOW {
        let mut s = end;
        while s < hay.len() && matches!(hay[s], b'\r' | b'\n') {
            s += 1;
        }
        m.work.charge(s - end);
        let e = line_end(hay, s, m);
        let t = trim_ascii(&hay[s..e]);
        let ind = hay[s..e].iter().take_while(|b| **b == b' ').count();
        if !t.is_empty() && t[0] != b'#' && ind <= indent {
            break;
        }
        if e == s {
            break;
        }
        end = e;
    }
    (start, end)
}

/// Confidence for an assignment's value, or `None` when it is not a secret.
pub(crate) fn judge_value(a: &Assignment, hay: &[u8], min_entropy: f64) -> Option<Confidence> {
    let v = &hay[a.start..a.end];
    if v.len() > value::MAX_LEN {
        return None;
    }
    if !a.quoted && value::looks_like_identifier(v) {
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
