//! Intercom context: the places where the usual secret names (`api_key`,
//! `api_secret`, `secret`, `token`, `client_secret`, `hmac_secret`, ...)
//! are Intercom's, although they do not say so.
//!
//! - A section that configures Intercom: a YAML block, a JSON or JS object,
//!   a TOML or INI table, a PHP array (`intercom:`, `"Intercom": {`,
//!   `'intercom' => [`, `[services.intercom]`, `const intercomConfig = {`).
//! - A call that builds an Intercom client (`Intercom::Client.new(token: ...)`,
//!   `intercom = Client(api_key=...)`).
//! - A block the name opens: Ruby `IntercomRails.config do |config|` (with
//!   `config.api_secret = "..."` inside), `module Intercom`, `class
//!   IntercomService`, Python `class IntercomSettings:`.
//! - A file whose path names Intercom (`lib/intercom/settings.py`): the
//!   whole file ([`whole`]).
//!
//! Inside a context only names made of Intercom's credential words count
//! ([`is_context_name`]): `cache_key`, `idempotency_key`, `stripe_key` or
//! `github_token` under an `intercom` section name something else.
//!
//! Sections are bounded: a bracket that does not close within
//! [`SECTION_WINDOW`] bytes, a YAML or Ruby block, a TOML table end there.
//! Every position of a haystack is stepped on once however sections nest
//! ([`Memo`]'s `scanned`), so the cost stays linear.

use std::collections::{BTreeMap, VecDeque};
use std::hash::Hasher;

use super::cli_set;
use super::names::{
    Assignment, Memo, QUALIFIERS, SECTION_WINDOW, classify, is_name_byte, is_quote, line_end,
    line_start, push_value, skip_blanks, trim_ascii, words,
};
use super::work::Work;
use crate::finding::Kind;

/// The words an Intercom credential's name is made of (besides qualifiers
/// such as `prod` and digits): inside a context, a key is a secret of
/// Intercom's only when every word of its name is one of these.
const CONTEXT_WORDS: &[&str] = &[
    "intercom",
    "api",
    "app",
    "rest",
    "client",
    "access",
    "secret",
    "secrets",
    "key",
    "token",
    "pat",
    "personal",
    "auth",
    "oauth",
    "bearer",
    "private",
    "admin",
    "workspace",
    "hmac",
    "hash",
    "identity",
    "verification",
    "verify",
    "secure",
    "mode",
    "jwt",
    "messenger",
    "web",
    "webhook",
    "hub",
    "signing",
    "sign",
    "signature",
    "shared",
    "consumer",
];

/// Words that, after `intercom`, make a name a container of settings:
/// `intercomConfig = {`, `INTERCOM_SETTINGS = {`, `intercomClient = new Client({`.
const CONTAINER_WORDS: &[&str] = &[
    "config",
    "configuration",
    "conf",
    "cfg",
    "settings",
    "setting",
    "options",
    "opts",
    "credentials",
    "creds",
    "secrets",
    "keys",
    "auth",
    "params",
    "env",
    "vars",
    "variables",
    "props",
    "integration",
    "client",
    "api",
    "service",
];

/// Whether a name found inside an Intercom context names one of its
/// credentials: made of [`CONTEXT_WORDS`] only (qualifiers and numbers
/// aside). The receiver of a member (`config.` in `config.api_key`) does not
/// count.
pub(super) fn is_context_name(words: &[String]) -> bool {
    !words.is_empty()
        && words.iter().all(|w| {
            CONTEXT_WORDS.contains(&w.as_str())
                || QUALIFIERS.contains(&w.as_str())
                || w.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Whether the words of a name holding `intercom` name a container of its
/// settings (`intercom`, `intercomConfig`, `INTERCOM_SETTINGS`).
pub(super) fn is_container(words: &[String]) -> bool {
    words.iter().any(|w| w == "intercom")
        && words
            .iter()
            .all(|w| w == "intercom" || CONTAINER_WORDS.contains(&w.as_str()))
}

/// Whether a path names Intercom: one of its components holds the word
/// (`lib/intercom/settings.py`, `config/initializers/intercom.rb`,
/// `app/services/IntercomSync.php`).
pub fn path_names_intercom(path: &[u8]) -> bool {
    path.windows(8).any(|w| w.eq_ignore_ascii_case(b"intercom"))
}

/// The whole haystack is an Intercom context (its path names Intercom).
/// Runs after every section of the haystack was scanned.
pub(super) fn whole(hay: &[u8], out: &mut Vec<Assignment>, m: &mut Memo) {
    scan_keys(hay, 0, hay.len(), Scope::File, out, m);
}

/// How a context was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A section, a client call, a block: it configures Intercom.
    Section,
    /// A whole file, by its path: it also configures its framework.
    File,
}

/// Settings a web framework keeps for itself, which a settings file named
/// after Intercom (a Django project called `webhook_intercom`) holds too:
/// Django's and Flask's `SECRET_KEY`, Rails' `secret_key_base`, Laravel's
/// `APP_KEY`. Written so, they are the framework's, not Intercom's.
const FRAMEWORK_NAMES: &[&[u8]] = &[
    b"SECRET_KEY",
    b"SECRET_KEY_BASE",
    b"secret_key_base",
    b"APP_KEY",
];

/// `start..end` is an Intercom context (a JSON value stored under an
/// Intercom name).
pub(super) fn keys_in(
    hay: &[u8],
    start: usize,
    end: usize,
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) {
    scan_keys(hay, start, end, Scope::Section, out, m);
}

/// Hashes a byte position with one multiplication: positions are not chosen
/// by an adversary who sees the hash, and SipHash would cost more than the
/// scan it saves.
#[derive(Debug, Default)]
pub(super) struct PositionHasher(u64);

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
pub(super) struct Brackets {
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
    ///
    /// The pass reads on only until the bracket at `open` closes (where it
    /// closes depends on the bytes after it alone), so a section that
    /// closes soon costs its own bytes, not the window's.
    pub(super) fn close_of(&mut self, hay: &[u8], open: usize, work: &mut Work) -> usize {
        let cap = (open + SECTION_WINDOW).min(hay.len());
        if open < self.from || open > self.to {
            // Afresh, keeping what was allocated.
            self.open.clear();
            self.closes.clear();
            self.from = open;
            self.to = open;
        }
        // Later questions come at `open` or after: forget what lies before.
        let before = self.open.partition_point(|&o| o < open);
        self.open.drain(..before);
        if self.closes.len() > 256 {
            self.closes = self.closes.split_off(&open);
        }
        self.from = open;
        let from = self.to;
        if !self.closes.contains_key(&open) && self.to < cap {
            let start = self.to;
            self.to = cap;
            for (k, &b) in hay[start..cap].iter().enumerate() {
                let at = start + k;
                match b {
                    b'{' | b'(' | b'[' => self.open.push_back(at),
                    b'}' | b')' | b']' => {
                        if let Some(o) = self.open.pop_back() {
                            self.closes.insert(o, at);
                            if o == open {
                                self.to = at + 1;
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        work.charge(self.to - from);
        let close = self.closes.get(&open).copied().filter(|&c| c < cap);
        close.unwrap_or(cap)
    }
}

/// An `intercom` section (YAML block, JSON/JS object, TOML/INI table), a
/// call that builds an Intercom client (`Intercom::Client.new(token: ...)`,
/// `intercom = Client(api_key=...)`) or a block the name opens: the
/// secret-like keys inside are Intercom's. `container` says the name is
/// `intercom` or names its settings ([`is_container`]).
///
/// Sections nest (`intercom: {intercom: {...}}`) and overlap; each position
/// is stepped on once per haystack (see [`Memo`]), so a thousand nested
/// sections cost what one does.
pub(super) fn section(
    hay: &[u8],
    ns: usize,
    ne: usize,
    container: bool,
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) {
    if let Some((start, end)) = section_body(hay, ns, ne, container, m) {
        scan_keys(hay, start, end, Scope::Section, out, m);
    }
}

/// Pushes what the secret keys in `start..end` are assigned.
fn scan_keys(
    hay: &[u8],
    start: usize,
    end: usize,
    scope: Scope,
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) {
    // The memo's buffer, reused (a scan nested in a step takes a new one).
    let mut trail = std::mem::take(&mut m.trail);
    trail.clear();
    let mut i = start;
    while i < end {
        trail.push(i);
        let known = if i < m.scanned_stop {
            m.scanned.get(&i).copied()
        } else {
            None
        };
        i = match known {
            Some(stop) => stop,
            None => section_step(hay, i, scope, out, m),
        };
    }
    for &at in &trail {
        m.scanned.insert(at, i);
    }
    m.trail = trail;
    m.scanned_stop = m.scanned_stop.max(i);
    // Scans to come start at most `MAX_COMMAND` before the last hit: an
    // entry that stops before that serves none of them (unless the whole
    // haystack is to be scanned).
    if !m.whole_to_come && m.scanned.len() > m.prune_at {
        let floor = m.last_hit.saturating_sub(cli_set::MAX_COMMAND);
        m.scanned.retain(|_, stop| *stop > floor);
        m.prune_at = (2 * m.scanned.len()).max(PRUNE_MIN);
    }
}

/// `scanned` is not pruned while it holds fewer entries.
const PRUNE_MIN: usize = 1024;

/// Whether a key (a bare name) starts at `i`.
fn starts_key(hay: &[u8], i: usize) -> bool {
    is_name_byte(hay[i])
        && hay[i] != b'.'
        && hay[i] != b'-'
        && (i == 0 || !is_name_byte(hay[i - 1]))
}

/// What a key inside a context names: its kind, when it is a credential of
/// Intercom's. A member's receiver (`config.` of `config.api_secret`) is
/// not part of the name.
fn context_kind(key: &[u8]) -> Option<Kind> {
    let last = key.rsplit(|&b| b == b'.').next().unwrap_or(key);
    let w = words(last);
    if !is_context_name(&w) {
        return None;
    }
    classify(&w)
}

/// One step of the key scan of a section, from `i`: a quoted string (a key
/// when an operator follows it, else a value skipped whole), a bare key, or
/// the bytes up to the next of those. Pushes what the keys that name
/// secrets are assigned. Returns where the step ends, which depends only on
/// `i`, never on where the section ends.
fn section_step(
    hay: &[u8],
    i: usize,
    scope: Scope,
    out: &mut Vec<Assignment>,
    m: &mut Memo,
) -> usize {
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
                && let Some(kind) = m
                    .keys
                    .get_or(&hay[i + 1..close], || context_kind(&hay[i + 1..close]))
            {
                push_value(hay, i + 1, close, kind, out, m);
            }
        }
        return close + 1;
    }
    if starts_key(hay, i) {
        let len = hay[i..].iter().take_while(|&&b| is_name_byte(b)).count();
        m.work.charge(len);
        let key = &hay[i..i + len];
        // `<add key="..." value="..."/>`: the attribute named `key` holds a
        // name, whose value is the next attribute's.
        let attribute = key.eq_ignore_ascii_case(b"key") && hay[i + len..].starts_with(b"=\"");
        let framework = scope == Scope::File && FRAMEWORK_NAMES.contains(&key);
        if len <= SECTION_WINDOW
            && !attribute
            && !framework
            && let Some(kind) = m.keys.get_or(key, || context_kind(key))
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

/// The byte range a section, client call or block spans.
fn section_body(
    hay: &[u8],
    ns: usize,
    ne: usize,
    container: bool,
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
    if container && before.ends_with(b"[") && hay.get(op) == Some(&b']') {
        let header = before.iter().all(|&b| is_name_byte(b) || b == b'[');
        let rest = trim_ascii(&hay[op + 1..le]);
        if header && (rest.is_empty() || rest[0] == b'#' || rest[0] == b';') {
            return Some(toml_table(hay, le, m));
        }
        return None;
    }
    // A class or module named after the vendor: Python `class
    // IntercomSettings(Base):`, Ruby `module Intercom`, JS `class
    // IntercomService {`.
    let keyword = before
        .rsplit(|&b| b == b' ' || b == b'\t')
        .next()
        .unwrap_or(b"");
    if matches!(keyword, b"class" | b"module") {
        let rest = trim_ascii(&hay[at..le]);
        if let Some(open) = hay[at..le].iter().position(|&b| b == b'{') {
            return Some(balanced(hay, at + open, m));
        }
        let python = rest.last() == Some(&b':');
        let ruby = keyword == b"module" || rest.is_empty() || rest.starts_with(b"<");
        return (python || ruby).then(|| indented_block(hay, ls, le, m));
    }
    // A call right after the name: `Intercom::Client.new(`, `IntercomClient(`;
    // a Ruby block: `IntercomRails.config do |config|`.
    let chain = call_chain(hay, at, le, m);
    if hay.get(chain) == Some(&b'(') {
        return Some(balanced(hay, chain, m));
    }
    let rest = trim_ascii(&hay[chain..le]);
    if rest == b"do" || rest.starts_with(b"do |") || rest.starts_with(b"do|") {
        return Some(indented_block(hay, ls, le, m));
    }
    if !container || !matches!(hay.get(op), Some(b':') | Some(b'=')) {
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
        return bare_key.then(|| indented_block(hay, ls, le, m));
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
pub(super) fn balanced(hay: &[u8], open: usize, m: &mut Memo) -> (usize, usize) {
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

/// A YAML block, or a Ruby or Python block: from the end of the line
/// starting at `ls` (which ends at `le`), the lines indented deeper than
/// it (comments at any depth included), at most [`SECTION_WINDOW`] bytes.
fn indented_block(hay: &[u8], ls: usize, le: usize, m: &mut Memo) -> (usize, usize) {
    let indent = hay[ls..le]
        .iter()
        .take_while(|b| matches!(**b, b' ' | b'\t' | b'-'))
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
        let ind = hay[s..e]
            .iter()
            .take_while(|b| matches!(**b, b' ' | b'\t'))
            .count();
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
