//! The identity secret by its use: a literal that is the key of the HMAC
//! whose digest becomes Intercom's `user_hash`, whatever the key's name
//! (`hash_hmac('sha256', $userId, SOME_KEY)`, `OpenSSL::HMAC.hexdigest('sha256',
//! KEY, id)`, `crypto.createHmac('sha256', KEY)`, `hmac.new(b"...", ...)`,
//! `CryptoJS.HmacSHA256(id, KEY)`, `hmac.New(sha256.New, []byte(KEY))`,
//! `new SecretKeySpec(KEY.getBytes(), ...)`, `new HMACSHA256(...)`).
//!
//! An HMAC call counts when a `user_hash` (`userHash`, `USER_HASH`) is
//! within [`USE_WINDOW`] bytes of it and `intercom` within
//! [`INTERCOM_WINDOW`] bytes of that: a `user_hash` of some other system is
//! no Intercom secret. A key given by name (`SOME_KEY`, `$secret`) is looked
//! up where that name is assigned a literal, at most [`RESOLVE_WINDOW`]
//! bytes before the call (the nearest assignment decides).
//!
//! Runs once per haystack after the automaton pass ([`finish`]): windows are
//! read once (each starts where the last ended), and name look-ups share a
//! budget of twice the haystack, so the cost stays linear.

use std::collections::HashMap;
use std::ops::Range;

use super::names::{Assignment, Memo as NameMemo, assignment_value_start, literal};
use crate::finding::Kind;

/// How Intercom's term for the value is written in code.
pub(crate) const TRIGGERS: &[&str] = &[
    "user_hash",
    "userHash",
    "UserHash",
    "USER_HASH",
    "user-hash",
];

/// An HMAC call is this close to a `user_hash`, in bytes, on either side.
pub(super) const USE_WINDOW: usize = 1024;
/// `intercom` is this close to the `user_hash`.
pub(super) const INTERCOM_WINDOW: usize = 4096;
/// A key's name is assigned at most this far before the call.
pub(super) const RESOLVE_WINDOW: usize = 8192;
/// An HMAC call's arguments span at most this many bytes.
const MAX_ARGS: usize = 256;

/// Where `user_hash` and `intercom` were hit, in order.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    user_hash: Vec<usize>,
    /// The `intercom` hits as runs `(first, last)` of hits at most
    /// `2 * INTERCOM_WINDOW` apart: a window that long around a position
    /// meets a run exactly when it holds one of the run's hits, so text
    /// dense with the name keeps a run, not every hit.
    intercom: Vec<(usize, usize)>,
}

impl Memo {
    /// A `user_hash` hit at `at`.
    pub(crate) fn user_hash(&mut self, at: usize) {
        self.user_hash.push(at);
    }

    /// An `intercom` hit at `at`.
    pub(super) fn intercom_at(&mut self, at: usize) {
        match self.intercom.last_mut() {
            Some(run) if at <= run.1 + 2 * INTERCOM_WINDOW => run.1 = run.1.max(at),
            _ => self.intercom.push((at, at)),
        }
    }

    /// Whether an `intercom` hit lies within `INTERCOM_WINDOW` of `at`.
    fn intercom_near(&self, at: usize) -> bool {
        let i = self
            .intercom
            .partition_point(|&(_, last)| last + INTERCOM_WINDOW < at);
        self.intercom
            .get(i)
            .is_some_and(|&(first, _)| first <= at + INTERCOM_WINDOW)
    }
}

/// HMAC calls, and which argument (0-based) holds the key.
const CALLS: &[(&str, usize)] = &[
    ("hash_hmac(", 2),
    ("createHmac(", 1),
    ("HMAC.hexdigest(", 1),
    ("HMAC.digest(", 1),
    ("HMAC.base64digest(", 1),
    ("hmac.new(", 0),
    ("HmacSHA256(", 1),
    ("hmacSHA256(", 1),
    ("hmac.New(", 1),
    ("SecretKeySpec(", 0),
    ("HMACSHA256(", 0),
    ("new_from_slice(", 0),
    (":crypto.mac(", 2),
    (":crypto.hmac(", 1),
];

/// The HMAC calls in `hay[lo..hi]`, in order: where each starts, where it
/// ends (after its `(`) and its index in [`CALLS`]. Every call holds its
/// only `(` at its end and none is a suffix of another (a test holds both),
/// so no two occurrences overlap and each `(` ends at most one call: looking
/// back from each `(` finds every occurrence, in the order an automaton
/// over [`CALLS`] reports them, at the cost of a `memchr`.
fn calls_in(hay: &[u8], lo: usize, hi: usize) -> impl Iterator<Item = (usize, usize, usize)> {
    let before = &hay[lo..hi];
    memchr::memchr_iter(b'(', before).filter_map(move |p| {
        let head = &before[..=p];
        // The byte before the `(` first: most parens end no call.
        let last = *head.get(head.len().checked_sub(2)?)?;
        let i = CALLS.iter().position(|(c, _)| {
            let c = c.as_bytes();
            c[c.len() - 2] == last && head.ends_with(c)
        })?;
        Some((lo + p + 1 - CALLS[i].0.len(), lo + p + 1, i))
    })
}

/// Pushes the identity secrets that key an HMAC near a `user_hash`.
pub(super) fn finish(hay: &[u8], out: &mut Vec<Assignment>, m: &mut NameMemo) {
    if m.hmac.user_hash.is_empty() || m.hmac.intercom.is_empty() {
        return;
    }
    let hits = std::mem::take(&mut m.hmac.user_hash);
    let mut scanned_to = 0;
    let mut resolved: HashMap<Vec<u8>, Resolved> = HashMap::new();
    let mut budget = 2 * hay.len() + 4096;
    for p in hits {
        if !m.hmac.intercom_near(p) {
            continue;
        }
        let lo = p.saturating_sub(USE_WINDOW).max(scanned_to);
        let hi = (p + USE_WINDOW).min(hay.len());
        if lo >= hi {
            continue;
        }
        scanned_to = hi;
        m.work.charge(hi - lo);
        for (call_start, call_end, call) in calls_in(hay, lo, hi) {
            let key_arg = CALLS[call].1;
            let open = call_end;
            let Some(arg) = argument(hay, open, key_arg, m) else {
                continue;
            };
            let key = match key_literal(hay, arg.clone(), m) {
                Key::Literal(r) => Some(r),
                Key::Name(name) => {
                    let name = hay[name].to_vec();
                    let at = call_start;
                    let before = resolved.get(&name).copied();
                    let found = resolve(hay, &name, at, before, &mut budget, m);
                    resolved.insert(name, found);
                    found.value(at)
                }
                Key::None => None,
            };
            if let Some(r) = key {
                out.push(Assignment::value(
                    r.start,
                    r.end,
                    Kind::IdentitySecret,
                    true,
                ));
            }
        }
    }
}

/// The `n`th argument of the call whose `(` ends at `open` (trimmed), or a
/// `key=` keyword argument.
fn argument(hay: &[u8], open: usize, n: usize, m: &mut NameMemo) -> Option<Range<usize>> {
    let end = (open + MAX_ARGS).min(hay.len());
    let mut args: Vec<Range<usize>> = Vec::new();
    let mut depth = 0usize;
    let mut start = open;
    let mut i = open;
    let mut closed = false;
    while i < end {
        match hay[i] {
            b'"' | b'\'' | b'`' => {
                let q = hay[i];
                let mut j = i + 1;
                while j < end && hay[j] != q {
                    j += if hay[j] == b'\\' { 2 } else { 1 };
                }
                i = j;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            b')' | b']' | b'}' => {
                args.push(start..i);
                closed = true;
                break;
            }
            b',' if depth == 0 => {
                args.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    m.work.charge(i.min(end) - open);
    if !closed {
        return None;
    }
    let trim = |r: Range<usize>| {
        let t = &hay[r.clone()];
        let s = t.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let e = t
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        r.start + s..(r.end - e).max(r.start + s)
    };
    let args: Vec<Range<usize>> = args.into_iter().map(trim).collect();
    if let Some(kw) = args.iter().find(|a| hay[(*a).clone()].starts_with(b"key=")) {
        return Some(kw.start + 4..kw.end);
    }
    args.get(n).cloned().filter(|a| !a.is_empty())
}

/// What an HMAC's key argument is.
enum Key {
    /// A string literal's content.
    Literal(Range<usize>),
    /// A name to look up (`SOME_KEY`, `$secret`, `self::KEY`'s `KEY`).
    Name(Range<usize>),
    None,
}

/// Wrappers that turn a string into the key's bytes, around the string.
const WRAPPERS: &[&str] = &[
    "Buffer.from(",
    "new Buffer(",
    "[]byte(",
    "GetBytes(",
    "bytes(",
    "encode(",
    "utf8.encode(",
    "TextEncoder().encode(",
];

/// The literal or the name an argument holds, through wrappers
/// (`Buffer.from(X, 'utf8')`, `[]byte(X)`, `X.getBytes()`, `X.encode()`).
fn key_literal(hay: &[u8], arg: Range<usize>, m: &mut NameMemo) -> Key {
    let mut arg = arg;
    for _ in 0..2 {
        let t = &hay[arg.clone()];
        let Some(w) = WRAPPERS
            .iter()
            .find(|w| t.ends_with(b")") && t.windows(w.len()).any(|x| x == w.as_bytes()))
        else {
            break;
        };
        let at = t
            .windows(w.len())
            .position(|x| x == w.as_bytes())
            .unwrap_or(0);
        let inner = arg.start + at + w.len();
        match argument(hay, inner, 0, m) {
            Some(a) => arg = a,
            None => return Key::None,
        }
    }
    let t = &hay[arg.clone()];
    // `"...".getBytes(UTF_8)`, `'...'.encode()`, `"...".as_bytes()`.
    let receiver_end = [".getBytes(", ".encode(", ".as_bytes(", ".toByteArray("]
        .iter()
        .filter_map(|s| t.windows(s.len()).position(|x| x == s.as_bytes()))
        .min();
    let arg = match receiver_end {
        Some(e) => arg.start..arg.start + e,
        None => arg,
    };
    let t = &hay[arg.clone()];
    let Some(&first) = t.first() else {
        return Key::None;
    };
    if matches!(first, b'"' | b'\'' | b'`')
        || (t.len() > 1 && matches!(first, b'b' | b'r' | b'@') && matches!(t[1], b'"' | b'\''))
    {
        return match literal(hay, arg.start, m) {
            Some((s, e, true)) if e > s && e <= arg.end => Key::Literal(s..e),
            _ => Key::None,
        };
    }
    // A name: `SOME_KEY`, `$secret`, `self::KEY`; not a member access or a call.
    let name_start = t.iter().rposition(|&b| b == b':').map_or(0, |p| p + 1);
    let name = &t[name_start..];
    let ident = !name.is_empty()
        && name
            .iter()
            .enumerate()
            .all(|(i, &b)| b.is_ascii_alphanumeric() || b == b'_' || (i == 0 && b == b'$'))
        && !name[0].is_ascii_digit();
    if ident {
        Key::Name(arg.start + name_start..arg.end)
    } else {
        Key::None
    }
}

/// What a look-up of a name found: where it looked up to, and the nearest
/// assignment before that (its position, and its literal's content unless
/// the value is computed).
#[derive(Debug, Clone, Copy)]
struct Resolved {
    upto: usize,
    nearest: Option<(usize, Option<(usize, usize)>)>,
}

impl Resolved {
    /// The literal assigned at most [`RESOLVE_WINDOW`] before `at`.
    fn value(self, at: usize) -> Option<Range<usize>> {
        let lo = at.saturating_sub(RESOLVE_WINDOW);
        match self.nearest {
            Some((pos, Some((s, e)))) if pos >= lo => Some(s..e),
            _ => None,
        }
    }
}

/// The assignment of `name` nearest before `at` (within
/// [`RESOLVE_WINDOW`]), charged to `budget`. `before` is what the look-up
/// for an earlier call found: only the bytes since are read again, so each
/// name costs a haystack's bytes once however often it is used.
fn resolve(
    hay: &[u8],
    name: &[u8],
    at: usize,
    before: Option<Resolved>,
    budget: &mut usize,
    m: &mut NameMemo,
) -> Resolved {
    let window = at.saturating_sub(RESOLVE_WINDOW);
    let (lo, fallback) = match before {
        Some(b) if b.upto <= at && b.upto >= window => (b.upto, b.nearest),
        _ => (window, None),
    };
    let none = Resolved {
        upto: at,
        nearest: None,
    };
    if *budget < at - lo {
        return none;
    }
    *budget -= at - lo;
    m.work.charge(at - lo);
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let finder = memchr::memmem::FinderRev::new(name);
    let mut hi = at;
    // An occurrence may begin before `lo` and end after it: look from a
    // name's length earlier.
    let from = lo.saturating_sub(name.len()).max(window);
    while let Some(p) = finder.rfind(&hay[from..hi]) {
        let s = from + p;
        let e = s + name.len();
        hi = s;
        let bounded = (s == 0 || !is_ident(hay[s - 1])) && hay.get(e).is_none_or(|&b| !is_ident(b));
        if !bounded {
            continue;
        }
        let Some(v) = assignment_value_start(hay, s, e, m) else {
            continue;
        };
        // The nearest assignment decides: a computed value is no literal.
        let value = match literal(hay, v, m) {
            Some((vs, ve, true)) if ve > vs => Some((vs, ve)),
            _ => None,
        };
        return Resolved {
            upto: at,
            nearest: Some((s, value)),
        };
    }
    Resolved {
        upto: at,
        nearest: fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::{CALLS, INTERCOM_WINDOW, Memo, calls_in};

    #[test]
    fn intercom_is_near_exactly_when_a_hit_is_within_the_window() {
        let w = INTERCOM_WINDOW;
        // Hits in clusters and alone, with gaps on both sides of 2 * w.
        let hits = [
            5,
            10,
            10 + 2 * w,
            10 + 4 * w + 1,
            20 * w,
            20 * w + 3,
            40 * w,
        ];
        let mut memo = Memo::default();
        for &h in &hits {
            memo.intercom_at(h);
        }
        for at in (0..45 * w).step_by(7).chain(hits.iter().flat_map(|&h| {
            [
                h.saturating_sub(w + 1),
                h.saturating_sub(w),
                h + w,
                h + w + 1,
            ]
        })) {
            let want = hits.iter().any(|&h| h + w >= at && h <= at + w);
            assert_eq!(memo.intercom_near(at), want, "{at}");
        }
    }

    #[test]
    fn calls_hold_their_only_paren_at_their_end_and_none_ends_another() {
        for (c, _) in CALLS {
            assert_eq!(c.find('('), Some(c.len() - 1), "{c}");
            for (d, _) in CALLS {
                assert!(c == d || !c.ends_with(d), "{d} ends {c}");
            }
        }
    }

    #[test]
    fn calls_are_found_as_an_automaton_over_them_finds_them() {
        let mut hay = String::from("((x(");
        for (i, (c, _)) in CALLS.iter().enumerate() {
            hay.push_str(c);
            hay.push_str(if i % 2 == 0 { "" } else { "a, b) (" });
            hay.push_str(&c[1..]);
            hay.push_str(&c[..c.len() - 1]);
        }
        let hay = hay.as_bytes();
        let automaton = aho_corasick::AhoCorasick::new(CALLS.iter().map(|(c, _)| c))
            .unwrap_or_else(|e| panic!("{e}"));
        for lo in [0, 1, 5, 17] {
            for hi in [hay.len(), hay.len() - 3, hay.len() / 2] {
                let want: Vec<(usize, usize, usize)> = automaton
                    .find_iter(&hay[lo..hi])
                    .map(|m| (lo + m.start(), lo + m.end(), m.pattern().as_usize()))
                    .collect();
                let got: Vec<(usize, usize, usize)> = calls_in(hay, lo, hi).collect();
                assert_eq!(got, want, "{lo}..{hi}");
                assert!(!got.is_empty());
            }
        }
    }
}
