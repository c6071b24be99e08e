//! The detection engine: one Aho-Corasick pass over raw bytes, then
//! validators. `&[u8]` in, [`Match`]es out. No I/O, and no allocation on the
//! path where nothing matched.

mod b64;
mod cli_set;
mod context;
mod hmac_key;
pub mod mask;
mod name_cache;
mod names;
mod public_env;
mod token;
mod userinfo;
mod value;
mod work;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, Span, packed};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::catalog;
use crate::finding::{Confidence, Kind};

pub use context::path_names_intercom;
pub use work::Work;

/// No match is longer than this many bytes: a doubly encoded token spans at
/// most 4096 base64 characters before the group holding its inner token and
/// 4096 after it, plus two escaped paddings; a plain token is at most 512
/// characters and a named value at most a line window. What reads a blob in
/// pieces (the engine's windows) relies on it.
pub const LONGEST_MATCH: usize = 2 * token::MAX_WRAPPED_CHARS + 64;

/// How far from a match the detector reads to decide it, at most, in
/// either direction (the longest match, the `intercom` section a key sits
/// in, the name before a value and the lines around it, the shell command a
/// CLI sets it in, and, for the identity secret found by its use, the HMAC
/// call, its `user_hash` and `intercom` near that: 13 KiB), with room to
/// spare; only a `name:` line followed by its `value:` line after a run of
/// blank lines reaches further. The engine's windows overlap by more. A
/// file whose path names Intercom is a context as a whole, in every window.
pub const REACH: usize = 16 * 1024;
const _: () =
    assert!(hmac_key::RESOLVE_WINDOW + hmac_key::USE_WINDOW + hmac_key::INTERCOM_WINDOW < REACH);

/// What the engine is tuned with (from the config file and flags).
#[derive(Debug, Clone)]
pub struct DetectOptions {
    /// Also report short, documentation-example tokens (confidence `low`).
    pub strict: bool,
    /// Minimum Shannon entropy (bits per character) of a secret's value.
    pub min_entropy: f64,
    /// More secret variable names, matched in the same syntaxes as the built-in ones.
    pub extra_names: Vec<String>,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            strict: false,
            min_entropy: 3.0,
            extra_names: Vec::new(),
        }
    }
}

/// One secret occurrence in a haystack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Byte range of the secret as written in the haystack.
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub confidence: Confidence,
    /// The id of the [`catalog`] rule that found it.
    pub rule_id: &'static str,
    /// sha256 hex of the canonical secret (see DESIGN.md "Precise rules").
    pub fingerprint: String,
}

/// What an automaton pattern stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    /// `dG9rO`: the start of a token.
    Token,
    /// A token encoded once more; the inner token's 4-character group starts
    /// this many bytes before the hit.
    Wrapped(usize),
    /// `tok:` as debug logs print a decoded token.
    Decoded,
    /// `intercom` inside a secret name.
    Name,
    /// The first word of a configured extra secret name.
    Extra,
    /// Intercom's own term for the identity secret (`IDENTITY_VERIFICATION`).
    Term,
    /// `user_hash`: an HMAC nearby may be keyed with the identity secret.
    UserHash,
}

/// The compiled engine. Build once, share across threads.
#[derive(Debug, Clone)]
pub struct Detector {
    automaton: AhoCorasick,
    /// The same literals as one packed (SIMD) searcher, where the machine
    /// has one: it reports the same leftmost-first matches as `automaton`
    /// without running the automaton over each candidate, which text dense
    /// with hits (one or two a line) pays for at every hit.
    packed: Option<packed::Searcher>,
    /// The automaton's literals (shared by clones), and what each stands for.
    literals: std::sync::Arc<[Vec<u8>]>,
    patterns: Vec<Pattern>,
    extra_names: Vec<Vec<u8>>,
    opts: DetectOptions,
    /// Every haystack is a file whose path names Intercom: a whole Intercom
    /// context ([`Detector::for_intercom_file`]).
    intercom_file: bool,
}

/// The name rule for a kind of secret.
fn named_rule(kind: Kind) -> &'static str {
    match kind {
        Kind::AccessToken => catalog::ACCESS_TOKEN_NAMED.id,
        Kind::WebhookSecret => catalog::WEBHOOK_SECRET.id,
        Kind::IdentitySecret => catalog::IDENTITY_SECRET.id,
        Kind::ClientSecret => catalog::CLIENT_SECRET.id,
        Kind::ApiKey => catalog::API_KEY.id,
    }
}

impl Detector {
    pub fn new(opts: &DetectOptions) -> Detector {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut patterns = Vec::new();
        let mut add = |lit: &[u8], p: Pattern| {
            literals.push(lit.to_vec());
            patterns.push(p);
        };
        add(b"dG9rO", Pattern::Token);
        add(b"ZEc5ck", Pattern::Wrapped(0));
        add(b"RHOXJP", Pattern::Wrapped(2));
        add(b"kRzlyT", Pattern::Wrapped(3));
        add(b"tok:", Pattern::Decoded);
        // The automaton is case-sensitive so that its SIMD prefilter works;
        // names are searched in the spellings code and config use.
        for w in case_variants("intercom") {
            add(w.as_bytes(), Pattern::Name);
        }
        for w in names::TERMS {
            add(w.as_bytes(), Pattern::Term);
        }
        for w in hmac_key::TRIGGERS {
            add(w.as_bytes(), Pattern::UserHash);
        }
        // Extra names are matched by their first word, then compared whole
        // (normalized) by the name parser, so every spelling is found.
        let extra_names: Vec<Vec<u8>> = opts
            .extra_names
            .iter()
            .map(|n| names::normalize(n.as_bytes()))
            .filter(|n| !n.is_empty())
            .collect();
        let mut first_words: Vec<String> = opts
            .extra_names
            .iter()
            .filter_map(|n| names::words(n.as_bytes()).into_iter().next())
            .filter(|w| w != "intercom")
            .collect();
        first_words.sort();
        first_words.dedup();
        for w in first_words.iter().flat_map(|w| case_variants(w)) {
            add(w.as_bytes(), Pattern::Extra);
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&literals)
            .expect("a handful of short literals always builds");
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&literals)
            .build();
        Detector {
            intercom_file: false,
            automaton,
            packed,
            literals: literals.into(),
            patterns,
            extra_names,
            opts: opts.clone(),
        }
    }

    /// The literals the automaton searches for, case-sensitive: every
    /// validator starts at one of them (`bench/engine.sh` gives them to
    /// `rg -F -f` as the floor the engine is measured against).
    pub fn literals(&self) -> &[Vec<u8>] {
        &self.literals
    }

    /// Every secret in `hay`, ordered by `start`.
    pub fn find(&self, hay: &[u8]) -> Vec<Match> {
        self.find_measured(hay).0
    }

    /// Every secret in the file at `path` holding `hay`: a path that names
    /// Intercom (`lib/intercom/settings.py`) makes the whole file an
    /// Intercom context, where `SECRET = '...'` is Intercom's.
    pub fn find_in_file(&self, hay: &[u8], path: &[u8]) -> Vec<Match> {
        let whole = self.intercom_file || path_names_intercom(path);
        self.find_scoped(hay, whole).0
    }

    /// This detector for files whose path names Intercom: every haystack
    /// it is given is a whole Intercom context. (A clone: the automaton is
    /// shared.)
    pub fn for_intercom_file(&self) -> Detector {
        Detector {
            intercom_file: true,
            ..self.clone()
        }
    }

    /// [`Detector::find`], and how much the validators read to get there: a
    /// deterministic measure of the cost, which tests hold linear in the
    /// size of the input.
    pub fn find_measured(&self, hay: &[u8]) -> (Vec<Match>, Work) {
        self.find_scoped(hay, self.intercom_file)
    }

    /// [`Detector::find_measured`]; `intercom_file` makes the whole of
    /// `hay` an Intercom context.
    pub fn find_scoped(&self, hay: &[u8], intercom_file: bool) -> (Vec<Match>, Work) {
        let mut tokens: Vec<(token::TokenHit, &'static str)> = Vec::new();
        let mut assignments: Vec<names::Assignment> = Vec::new();
        let mut memo = names::Memo::for_haystack(intercom_file);
        let mut work = Work::default();
        let mut covered_until = 0;
        let mut at = 0;
        while let Some((s, e, id)) = self.next_hit(hay, at) {
            at = e;
            let pattern = self.patterns[id];
            if s < covered_until && !matches!(pattern, Pattern::Name | Pattern::UserHash) {
                continue;
            }
            let hit = match pattern {
                Pattern::Token => token::plain_for(hay, s, self.opts.strict, &mut work)
                    .map(|t| (t, catalog::ACCESS_TOKEN.id)),
                Pattern::Wrapped(back) => token::wrapped(hay, s, back, covered_until, &mut work)
                    .map(|t| (t, catalog::ACCESS_TOKEN_BASE64.id)),
                Pattern::Decoded => token::decoded_form(hay, s, &mut work)
                    .map(|t| (t, catalog::ACCESS_TOKEN_DECODED.id)),
                Pattern::Name | Pattern::Extra => {
                    let out = &mut assignments;
                    names::at_name(hay, s, e, &self.extra_names, out, &mut memo);
                    None
                }
                Pattern::Term => {
                    names::at_term(hay, s, e, &mut assignments, &mut memo);
                    None
                }
                Pattern::UserHash => {
                    memo.hmac.user_hash(s);
                    None
                }
            };
            if let Some((t, rule)) = hit {
                covered_until = t.end;
                tokens.push((t, rule));
            }
        }
        names::finish(hay, intercom_file, &mut assignments, &mut memo);
        work.charge(memo.work.bytes_read as usize);
        if tokens.is_empty() && assignments.is_empty() {
            return (Vec::new(), work);
        }
        let found = self.merge(hay, tokens, assignments, &mut work);
        (found, work)
    }

    /// The leftmost-first literal at `at` or after: `(start, end, pattern)`.
    /// No literal is empty, so the search goes on from the end of the last.
    fn next_hit(&self, hay: &[u8], at: usize) -> Option<(usize, usize, usize)> {
        let span = Span::from(at..hay.len());
        match &self.packed {
            Some(p) => p
                .find_in(hay, span)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize())),
            None => self
                .automaton
                .find(aho_corasick::Input::new(hay).span(span))
                .map(|m| (m.start(), m.end(), m.pattern().as_usize())),
        }
    }

    /// One secret occurrence, one finding: a token assigned to a name takes
    /// the name's kind when the name says more; a named value that is a
    /// token (or starts like one) is judged by structure alone.
    fn merge(
        &self,
        hay: &[u8],
        tokens: Vec<(token::TokenHit, &'static str)>,
        mut assignments: Vec<names::Assignment>,
        work: &mut Work,
    ) -> Vec<Match> {
        assignments.sort_by_key(|a| (a.start, a.end));
        assignments.dedup_by_key(|a| (a.start, a.end));
        // Tokens come sorted and never overlap each other, so their ends are
        // sorted too; a value spans at most a line window. Both lookups are
        // binary searches: dense near-miss text stays linear.
        let token_overlapping = |a: &names::Assignment| {
            let i = tokens.partition_point(|(t, _)| t.end <= a.start);
            tokens.get(i).is_some_and(|(t, _)| t.start < a.end)
        };
        let name_of = |s: usize, e: usize| {
            let from = assignments.partition_point(|a| a.start + names::MAX_VALUE_SPAN < s);
            assignments[from..]
                .iter()
                .take_while(|a| a.start < e)
                .find(|a| s < a.end)
                .map(|a| a.kind)
        };
        let mut out = Vec::new();
        for (t, rule) in &tokens {
            if t.confidence == Confidence::Low && !self.opts.strict {
                continue;
            }
            let kind = name_of(t.start, t.end).unwrap_or(Kind::AccessToken);
            let canonical = base64::engine::general_purpose::STANDARD.encode(&t.decoded);
            out.push(Match {
                start: t.start,
                end: t.end,
                kind,
                confidence: t.confidence,
                rule_id: rule,
                fingerprint: fingerprint(canonical.as_bytes()),
            });
        }
        for a in &assignments {
            let v = &hay[a.start..a.end];
            work.charge(v.len());
            if a.public_name {
                out.push(public_env::found(a, v));
                continue;
            }
            if v.starts_with(b"dG9rO") || token_overlapping(a) {
                continue;
            }
            if let Some(confidence) = names::judge_value(a, hay, self.opts.min_entropy) {
                out.push(Match {
                    start: a.start,
                    end: a.end,
                    kind: a.kind,
                    confidence,
                    rule_id: named_rule(a.kind),
                    fingerprint: fingerprint(v),
                });
            }
        }
        out.sort_by_key(|m| (m.start, m.end));
        out
    }
}

/// The spellings a name word takes in code and config: `intercom`,
/// `Intercom`, `INTERCOM`, and `InterCom` for the brand.
fn case_variants(word: &str) -> Vec<String> {
    let lower = word.to_ascii_lowercase();
    let mut capital = lower.clone();
    capital[..1].make_ascii_uppercase();
    let mut v = vec![lower.clone(), capital, lower.to_ascii_uppercase()];
    if lower == "intercom" {
        v.push("InterCom".to_string());
    }
    v.dedup();
    v
}

/// The access token a secret found by structure stands for, as Intercom's
/// API takes it: its `tok:` bytes in standard base64 with padding, whether
/// it was written plain, with escaped padding or the url-safe alphabet,
/// base64-encoded once more, or decoded (`tok:<uuid>:1:0`). Its
/// [`fingerprint`] is the finding's. `None` when `secret` is not a token by
/// structure.
pub fn canonical_token(secret: &[u8]) -> Option<String> {
    let mut work = Work::default();
    let hit = if secret.starts_with(b"tok:") {
        token::decoded_form(secret, 0, &mut work)
    } else if secret.starts_with(b"dG9rO") {
        token::plain(secret, 0, &mut work)
    } else {
        [(&b"ZEc5ck"[..], 0), (b"RHOXJP", 2), (b"kRzlyT", 3)]
            .into_iter()
            .find_map(|(prefix, back)| {
                let at = memchr::memmem::find(secret, prefix)?;
                token::wrapped(secret, at, back, 0, &mut work)
            })
    }?;
    Some(base64::engine::general_purpose::STANDARD.encode(&hit.decoded))
}

/// sha256 hex of a canonical secret.
pub fn fingerprint(canonical: &[u8]) -> String {
    let digest = Sha256::digest(canonical);
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        hex.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::{DetectOptions, Detector, canonical_token, fingerprint};
    use base64::Engine as _;

    const TOKEN: &str = "dG9rOjhkMjJhZDg5X2VlZDJfNDFlNF85YzhjX2E1MGEyNWY1YzEyMzoxOjA=";

    #[test]
    fn every_written_form_of_a_token_has_the_canonical_token() {
        let wrapped = base64::engine::general_purpose::STANDARD.encode(format!("Bearer {TOKEN}"));
        let forms = [
            TOKEN.to_owned(),
            TOKEN.replace('=', "%3D"),
            TOKEN.replace('=', "\\u003d"),
            base64::engine::general_purpose::STANDARD.encode(TOKEN),
            wrapped,
            "tok:8d22ad89_eed2_41e4_9c8c_a50a25f5c123:1:0".to_owned(),
        ];
        let detector = Detector::new(&DetectOptions::default());
        for form in forms {
            let hay = format!("x {form} y");
            let found = detector.find(hay.as_bytes());
            assert_eq!(found.len(), 1, "{form}");
            let secret = &hay.as_bytes()[found[0].start..found[0].end];
            let canonical = canonical_token(secret).unwrap_or_else(|| panic!("{form}"));
            assert_eq!(canonical, TOKEN, "{form}");
            assert_eq!(fingerprint(canonical.as_bytes()), found[0].fingerprint);
        }
    }

    #[test]
    fn a_value_that_is_no_token_has_none() {
        assert_eq!(
            canonical_token(b"0123456789abcdef0123456789abcdef01234567"),
            None
        );
        assert_eq!(canonical_token(b"dG9rO////"), None);
        assert_eq!(canonical_token(b""), None);
    }
}
