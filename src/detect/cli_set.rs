//! Secrets set through a CLI, in a shell command whose lines may continue
//! (`\`, PowerShell's `` ` ``, cmd's `^`):
//!
//! - `NAME=VALUE` arguments: `heroku config:set`, `fly secrets set`,
//!   `dokku config:set`, `doppler secrets set`, `supabase secrets set`,
//!   `railway variables set`, `eb setenv`, `az ... appsettings set
//!   --settings`, `gcloud run deploy --set-env-vars A=1,B=2`;
//! - a name and a value flag: `gh secret set NAME --body V`, `aws ssm
//!   put-parameter --name /prod/intercom/webhook_secret --value V`, `aws
//!   secretsmanager create-secret --name N --secret-string V`, `az keyvault
//!   secret set --name N --value V`;
//! - a name and the value after it: `netlify env:set NAME V`, `travis env
//!   set NAME V`, `cf set-env APP NAME V`, `pulumi config set NAME V`;
//! - a name and the value on stdin: `echo V | vercel env add NAME`, `gh
//!   secret set`, `wrangler secret put`, `gcloud secrets create N
//!   --data-file=-`, `docker secret create N -`, and `<<< V`;
//! - a container named after Intercom and its keys: `kubectl create secret
//!   generic intercom --from-literal=token=V`, `vault kv put secret/intercom
//!   token=V`, a JSON `--secret-string` under an Intercom name;
//! - `curl -u APP_ID:API_KEY https://api.intercom.io/...`, the legacy API
//!   key of Intercom's old examples.
//!
//! A name counts when it names Intercom (`INTERCOM_ACCESS_TOKEN`,
//! `/prod/intercom/webhook_secret`); a key inside an Intercom container when
//! it is made of Intercom's credential words. The value is judged as any
//! named value.
//!
//! Bounds: a command is read once per haystack, at most [`MAX_LINES`]
//! physical lines and [`MAX_COMMAND`] bytes around the hit that led to it.

use super::context;
use super::names::{self, Assignment, Memo as NameMemo, classify, words};
use crate::finding::Kind;
use std::ops::Range;

/// Physical lines one command spans at most, on each side of a hit.
const MAX_LINES: usize = 24;
/// Bytes one command spans at most, on each side of a hit.
pub(super) const MAX_COMMAND: usize = 4096;

/// What the CLI look-ups of one haystack share: the end of the last command
/// read, so that each command is read once however many hits it holds.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    done_until: usize,
}

/// The tools whose commands set secrets.
const TOOLS: &[&str] = &[
    "heroku", "fly", "flyctl", "dokku", "doppler", "supabase", "railway", "eb", "az", "gcloud",
    "gh", "aws", "netlify", "travis", "cf", "pulumi", "vercel", "wrangler", "docker", "kubectl",
    "vault", "curl",
];

/// The longest name in [`TOOLS`].
const LONGEST_TOOL: usize = 8;

/// The bytes that end a shell word wherever they stand, or start what ends
/// one (`<<<`, a line continuation `\`, `` ` ``, `^`).
const SPLITS_WORDS: [bool; 256] = {
    let mut t = [false; 256];
    let splitters = b" \t\r\n;|&<\\`^";
    let mut i = 0;
    while i < splitters.len() {
        t[splitters[i] as usize] = true;
        i += 1;
    }
    t
};

/// Whether `span` may hold a word that names one of [`TOOLS`]: a run of
/// bytes between word-splitting bytes equal to a tool's name. Every word
/// [`tokens`] makes of a command is such a run or lies inside one, so a
/// command without such a run sets nothing; this looks at each byte once,
/// before the command is split into words.
///
/// `name` (in `span`) holds no word-splitting byte (the identifier the hit
/// sits in): it is stepped over, not read.
fn may_name_a_tool(span: &[u8], name: Range<usize>) -> bool {
    let is_tool = |run: &[u8]| {
        (2..=LONGEST_TOOL).contains(&run.len())
            && run[0].is_ascii_lowercase()
            && TOOL_STARTS[run.len()] & (1 << (run[0] - b'a')) != 0
            && TOOLS.iter().any(|t| t.as_bytes() == run)
    };
    let mut run = 0;
    for part in [0..name.start, name.end..span.len()] {
        let base = part.start;
        for (k, &b) in span[part].iter().enumerate() {
            if SPLITS_WORDS[usize::from(b)] {
                let i = base + k;
                if is_tool(&span[run..i]) {
                    return true;
                }
                run = i + 1;
            }
        }
    }
    is_tool(&span[run..])
}

/// For each length, the first letters of the [`TOOLS`] of that length (bit
/// `c - b'a'`): most words are told apart from every tool by these two
/// alone, before any comparison.
const TOOL_STARTS: [u32; LONGEST_TOOL + 1] = {
    let mut t = [0u32; LONGEST_TOOL + 1];
    let mut i = 0;
    while i < TOOLS.len() {
        let name = TOOLS[i].as_bytes();
        t[name.len()] |= 1 << (name[0] - b'a');
        i += 1;
    }
    t
};

/// One shell word: its raw span, and what it is when it is an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Word(usize, usize),
    /// `|`: the next command reads this one's output.
    Pipe,
    /// `<<<`: the next word is the command's stdin.
    HereString,
    /// `;`, `&&`, `||`, `&`, or the end of a line that does not continue.
    End,
}

#[inline]
fn blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A line continuation at `i`: `\`, `` ` `` or `^` then the line's end.
fn continuation(hay: &[u8], i: usize, end: usize) -> Option<usize> {
    if !matches!(hay[i], b'\\' | b'`' | b'^') {
        return None;
    }
    let mut j = i + 1;
    while j < end && blank(hay[j]) {
        j += 1;
    }
    if j < end && hay[j] == b'\r' {
        j += 1;
    }
    (j < end && hay[j] == b'\n').then_some(j + 1)
}

/// Whether the line ending at `le` (its `\n` or the end) continues.
fn continues(hay: &[u8], ls: usize, le: usize) -> bool {
    let line = &hay[ls..le];
    let t = line
        .iter()
        .rposition(|&b| !blank(b) && b != b'\r')
        .map(|p| line[p]);
    matches!(t, Some(b'\\' | b'`' | b'^'))
}

/// The command around `at`: from the first line of its continuation group
/// (not before `floor`) to the end of its last line, bounded.
fn command_span(hay: &[u8], at: usize, floor: usize, m: &mut NameMemo) -> Range<usize> {
    let lo = at.saturating_sub(MAX_COMMAND).max(floor);
    let mut start = names::line_start_from(hay, lo, at, m);
    // The start of the line being read forward: `at`'s, then each next one.
    let mut ls = start;
    for _ in 0..MAX_LINES {
        if start <= lo + 1 || start == 0 {
            break;
        }
        let prev_end = start - 1;
        // The previous line continues when its last byte that is not blank
        // is a continuation mark; its `\n` (or `lo`) first, it does not.
        let mut j = prev_end;
        while j > lo && (blank(hay[j - 1]) || hay[j - 1] == b'\r') {
            j -= 1;
        }
        if !(j > lo && matches!(hay[j - 1], b'\\' | b'`' | b'^')) {
            break;
        }
        start = memchr::memrchr(b'\n', &hay[lo..prev_end]).map_or(lo, |p| lo + p + 1);
    }
    let hi = (at + MAX_COMMAND).min(hay.len());
    let mut end = at;
    for _ in 0..MAX_LINES {
        let le = memchr::memchr(b'\n', &hay[end..hi]).map_or(hi, |p| end + p);
        end = le;
        if le >= hi || !continues(hay, ls, le) {
            break;
        }
        end = le + 1;
        ls = end;
    }
    start..end.min(hi)
}

/// The command's tokens.
fn tokens(hay: &[u8], span: Range<usize>) -> Vec<Token> {
    let end = span.end;
    let mut out = Vec::new();
    let mut i = span.start;
    while i < end {
        let b = hay[i];
        if blank(b) || b == b'\r' {
            i += 1;
            continue;
        }
        if let Some(next) = continuation(hay, i, end) {
            i = next;
            continue;
        }
        match b {
            b'\n' | b';' => {
                out.push(Token::End);
                i += 1;
                continue;
            }
            b'|' | b'&' => {
                let twice = hay.get(i + 1) == Some(&b);
                out.push(if b == b'|' && !twice {
                    Token::Pipe
                } else {
                    Token::End
                });
                i += if twice { 2 } else { 1 };
                continue;
            }
            b'<' if hay[i..end].starts_with(b"<<<") => {
                out.push(Token::HereString);
                i += 3;
                continue;
            }
            b'#' => {
                // A comment runs to the end of its line.
                i += memchr::memchr(b'\n', &hay[i..end]).unwrap_or(end - i);
                continue;
            }
            _ => {}
        }
        let start = i;
        while i < end {
            let c = hay[i];
            if c == b'"' || c == b'\'' {
                let close = memchr::memchr(c, &hay[i + 1..end]).map_or(end, |p| i + 1 + p);
                i = (close + 1).min(end);
                continue;
            }
            if blank(c) || matches!(c, b'\r' | b'\n' | b';' | b'|' | b'&') {
                break;
            }
            if continuation(hay, i, end).is_some() {
                break;
            }
            i += 1;
        }
        out.push(Token::Word(start, i.max(start + 1).min(end)));
        i = i.max(start + 1);
    }
    out
}

/// A word's text without its quotes: `(start, end, quoted)`.
fn unquote(hay: &[u8], s: usize, e: usize) -> (usize, usize, bool) {
    if e >= s + 2 && matches!(hay[s], b'"' | b'\'') && hay[e - 1] == hay[s] {
        (s + 1, e - 1, true)
    } else {
        (s, e, false)
    }
}

fn text(hay: &[u8], w: (usize, usize)) -> &[u8] {
    &hay[w.0..w.1]
}

/// What a tool's command holds its secret in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `NAME=VALUE` arguments (and `--flag NAME=VALUE,NAME=VALUE`).
    Pairs,
    /// The name is the first operand (or `--name`'s value); the value a
    /// flag's, the next operand, or stdin.
    Named {
        name_flags: &'static [&'static str],
        value_flags: &'static [&'static str],
        /// The operand after the name is the value.
        next_operand: bool,
        /// The name is not the first operand but this one (`cf set-env APP NAME V`).
        name_operand: usize,
    },
    /// A container (`kubectl create secret generic NAME`, `vault kv put
    /// PATH`) holding `KEY=VALUE` arguments (`--from-literal=KEY=VALUE`).
    Container,
    /// `curl`: `-u USER:PASSWORD` for an Intercom URL.
    Curl,
}

const NO_FLAGS: &[&str] = &[];

/// The shape of a command whose words (after the tool) start with `sub`.
fn shape(tool: &[u8], sub: &[&[u8]]) -> Option<(Shape, usize)> {
    let is = |n: usize, w: &str| sub.get(n).is_some_and(|s| *s == w.as_bytes());
    let named = |name_flags, value_flags, next_operand| Shape::Named {
        name_flags,
        value_flags,
        next_operand,
        name_operand: 0,
    };
    let s = match tool {
        b"heroku" if is(0, "config:set") || is(0, "config:add") => (Shape::Pairs, 1),
        b"dokku" if is(0, "config:set") => (Shape::Pairs, 1),
        b"fly" | b"flyctl" if is(0, "secrets") && (is(1, "set") || is(1, "import")) => {
            (Shape::Pairs, 2)
        }
        b"doppler" | b"supabase" if is(0, "secrets") && is(1, "set") => (Shape::Pairs, 2),
        b"railway" if is(0, "variables") => (Shape::Pairs, 1),
        b"eb" if is(0, "setenv") => (Shape::Pairs, 1),
        b"az" if is(0, "keyvault") && is(1, "secret") && is(2, "set") => {
            (named(&["--name", "-n"], &["--value"], false), 3)
        }
        b"az" if sub.contains(&&b"appsettings"[..]) => (Shape::Pairs, 1),
        b"gcloud" if is(0, "secrets") && (is(1, "create") || is(1, "versions")) => {
            let at = if is(1, "versions") { 3 } else { 2 };
            (named(NO_FLAGS, NO_FLAGS, false), at)
        }
        b"gcloud" => (Shape::Pairs, 1),
        b"gh" if (is(0, "secret") || is(0, "variable")) && is(1, "set") => {
            (named(NO_FLAGS, &["--body", "-b"], false), 2)
        }
        b"aws" if is(0, "ssm") && is(1, "put-parameter") => {
            (named(&["--name"], &["--value"], false), 2)
        }
        b"aws" if is(0, "secretsmanager") => (
            named(&["--name", "--secret-id"], &["--secret-string"], false),
            2,
        ),
        b"netlify" if is(0, "env:set") => (named(NO_FLAGS, NO_FLAGS, true), 1),
        b"travis" if is(0, "env") && is(1, "set") => (named(NO_FLAGS, NO_FLAGS, true), 2),
        b"cf" if is(0, "set-env") => (
            Shape::Named {
                name_flags: NO_FLAGS,
                value_flags: NO_FLAGS,
                next_operand: true,
                name_operand: 1,
            },
            1,
        ),
        b"pulumi" if is(0, "config") && is(1, "set") => (named(NO_FLAGS, NO_FLAGS, true), 2),
        b"vercel" if is(0, "env") && is(1, "add") => (named(NO_FLAGS, NO_FLAGS, false), 2),
        b"wrangler" if is(0, "secret") && is(1, "put") => (named(NO_FLAGS, NO_FLAGS, false), 2),
        b"docker" if is(0, "secret") && is(1, "create") => (named(NO_FLAGS, NO_FLAGS, false), 2),
        b"kubectl" if is(0, "create") && is(1, "secret") => (Shape::Container, 3),
        b"vault" if is(0, "kv") && (is(1, "put") || is(1, "patch")) => (Shape::Container, 2),
        b"vault" if is(0, "write") => (Shape::Container, 1),
        b"curl" => (Shape::Curl, 0),
        _ => return None,
    };
    Some(s)
}

/// At an `intercom` hit: reads the command around it, once, and pushes the
/// secrets it sets.
pub(super) fn at(
    hay: &[u8],
    hs: usize,
    name: Range<usize>,
    out: &mut Vec<Assignment>,
    m: &mut NameMemo,
) {
    if hs < m.cli.done_until {
        return;
    }
    let span = command_span(hay, hs, m.cli.done_until, m);
    m.work
        .charge(2 * (span.end - span.start) + (hs - span.start.min(hs)));
    m.cli.done_until = span.end.max(hs + 1);
    // The identifier, clamped to the span and made relative to it.
    let ns = name.start.clamp(span.start, span.end);
    let ne = name.end.clamp(ns, span.end);
    let name = ns - span.start..ne - span.start;
    if !may_name_a_tool(&hay[span.clone()], name) {
        return;
    }
    let all = tokens(hay, span);
    // Commands, each a list of pipeline stages.
    let mut stage_start = 0;
    let mut stdin: Option<(usize, usize)> = None;
    for (i, t) in all.iter().enumerate() {
        let last = i + 1 == all.len();
        let ends = matches!(t, Token::Pipe | Token::End);
        if !ends && !last {
            continue;
        }
        let stage_end = if ends { i } else { i + 1 };
        let stage = &all[stage_start..stage_end];
        let echoed = stdin.take();
        set_in_stage(hay, stage, echoed, out, m);
        stdin = if *t == Token::Pipe {
            echo_value(hay, stage)
        } else {
            None
        };
        stage_start = i + 1;
    }
}

/// The value `echo V` or `printf V` writes, for the next stage's stdin.
fn echo_value(hay: &[u8], stage: &[Token]) -> Option<(usize, usize)> {
    let words: Vec<(usize, usize)> = stage
        .iter()
        .filter_map(|t| match t {
            Token::Word(s, e) => Some((*s, *e)),
            _ => None,
        })
        .collect();
    let first = text(hay, *words.first()?);
    if first != b"echo" && first != b"printf" {
        return None;
    }
    let operands: Vec<(usize, usize)> = words[1..]
        .iter()
        .copied()
        .filter(|w| !text(hay, *w).starts_with(b"-"))
        .collect();
    // `printf '%s' V`: the last operand.
    operands.last().copied()
}

/// The secrets one pipeline stage sets. `stdin` is what the stage before
/// echoed into it.
fn set_in_stage(
    hay: &[u8],
    stage: &[Token],
    stdin: Option<(usize, usize)>,
    out: &mut Vec<Assignment>,
    m: &mut NameMemo,
) {
    let mut here: Option<(usize, usize)> = None;
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut iter = stage.iter().peekable();
    while let Some(t) = iter.next() {
        match t {
            Token::Word(s, e) => words.push((*s, *e)),
            Token::HereString => {
                if let Some(Token::Word(s, e)) = iter.next() {
                    here = Some((*s, *e));
                }
            }
            _ => {}
        }
    }
    // `sudo`, `npx`, `env X=1` and the like before the tool.
    let Some(tool_at) = words.iter().position(|w| {
        let t = text(hay, *w);
        TOOLS.iter().any(|name| t == name.as_bytes())
    }) else {
        return;
    };
    let tool = text(hay, words[tool_at]);
    let rest = &words[tool_at + 1..];
    let sub: Vec<&[u8]> = rest.iter().take(4).map(|w| text(hay, *w)).collect();
    let Some((shape, skip)) = shape(tool, &sub) else {
        return;
    };
    let args = &rest[skip.min(rest.len())..];
    let stdin = stdin.or(here);
    match shape {
        Shape::Pairs => {
            // Only gcloud joins pairs with commas (`--set-env-vars A=1,B=2`).
            let commas = tool == b"gcloud";
            for w in args {
                pairs(hay, *w, None, commas, out, m);
            }
        }
        Shape::Container => {
            let operands: Vec<(usize, usize)> = args
                .iter()
                .copied()
                .filter(|w| !text(hay, *w).starts_with(b"-"))
                .collect();
            let container = operands
                .first()
                .is_some_and(|w| names_intercom(text(hay, *w)));
            for w in args {
                pairs(hay, *w, Some(container), false, out, m);
            }
        }
        Shape::Named {
            name_flags,
            value_flags,
            next_operand,
            name_operand,
        } => named(
            hay,
            args,
            (name_flags, value_flags, next_operand, name_operand),
            stdin,
            out,
            m,
        ),
        Shape::Curl => curl(hay, args, out),
    }
}

fn names_intercom(t: &[u8]) -> bool {
    t.windows(8).any(|w| w.eq_ignore_ascii_case(b"intercom"))
}

/// The kind a CLI's secret name says: an Intercom name, the last segments
/// of a path (`/prod/intercom/webhook_secret`).
fn name_kind(name: &[u8]) -> Option<Kind> {
    names_intercom(name)
        .then(|| classify(&words(name)))
        .flatten()
}

/// Pushes `value` as a secret of `kind`.
fn push(hay: &[u8], value: (usize, usize), kind: Kind, out: &mut Vec<Assignment>) {
    let (s, e, quoted) = unquote(hay, value.0, value.1);
    if e > s {
        out.push(Assignment::value(s, e, kind, quoted));
    }
}

/// `NAME=VALUE` in a word (after a `--flag=` or not; several joined by
/// `,` for `--set-env-vars`). In a container (`Some(true)` when it is named
/// after Intercom), a key counts when it is made of Intercom's credential
/// words.
fn pairs(
    hay: &[u8],
    w: (usize, usize),
    container: Option<bool>,
    commas: bool,
    out: &mut Vec<Assignment>,
    m: &mut NameMemo,
) {
    let (s, e, _) = unquote(hay, w.0, w.1);
    let mut from = s;
    // `--from-literal=KEY=VALUE`, `--settings=KEY=VALUE`.
    let t = &hay[s..e];
    if t.starts_with(b"-")
        && let Some(eq) = t.iter().position(|&b| b == b'=')
    {
        from = s + eq + 1;
    }
    let mut at = from;
    while at < e {
        let part_end = if commas {
            hay[at..e]
                .iter()
                .position(|&b| b == b',')
                .map_or(e, |p| at + p)
        } else {
            e
        };
        if let Some(eq) = hay[at..part_end].iter().position(|&b| b == b'=') {
            let (ks, ke, _) = unquote(hay, at, at + eq);
            let key = &hay[ks..ke];
            let kind = match container {
                Some(true) => {
                    let w = words(key);
                    if names_intercom(key) || context::is_context_name(&w) {
                        classify(&w)
                    } else {
                        None
                    }
                }
                _ => name_kind(key),
            };
            if let Some(kind) = kind {
                m.work.charge(part_end - at);
                push(hay, (at + eq + 1, part_end), kind, out);
            }
        }
        at = part_end + 1;
    }
}

/// A name and its value: `gh secret set NAME --body V`, `--name N --value
/// V`, `netlify env:set NAME V`, `echo V | vercel env add NAME`.
fn named(
    hay: &[u8],
    args: &[(usize, usize)],
    (name_flags, value_flags, next_operand, name_operand): (&[&str], &[&str], bool, usize),
    stdin: Option<(usize, usize)>,
    out: &mut Vec<Assignment>,
    m: &mut NameMemo,
) {
    let mut name: Option<(usize, usize)> = None;
    let mut value: Option<(usize, usize)> = None;
    let mut operands: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let w = args[i];
        let t = text(hay, w);
        let flag_value = |flags: &[&str]| -> Option<(Option<(usize, usize)>, bool)> {
            for f in flags {
                let f = f.as_bytes();
                if t == f {
                    return Some((args.get(i + 1).copied(), true));
                }
                if t.len() > f.len() && t.starts_with(f) && t[f.len()] == b'=' {
                    return Some((Some((w.0 + f.len() + 1, w.1)), false));
                }
                // `-bVALUE`: a short flag glued to its value.
                if f.len() == 2 && t.len() > 2 && t.starts_with(f) && !t.starts_with(b"--") {
                    return Some((Some((w.0 + 2, w.1)), false));
                }
            }
            None
        };
        if let Some((v, takes_next)) = flag_value(name_flags) {
            name = v.or(name);
            i += if takes_next { 2 } else { 1 };
            continue;
        }
        if let Some((v, takes_next)) = flag_value(value_flags) {
            value = v.or(value);
            i += if takes_next { 2 } else { 1 };
            continue;
        }
        if !t.starts_with(b"-") || t == b"-" {
            operands.push(w);
        }
        i += 1;
    }
    if name.is_none() {
        name = operands.get(name_operand).copied();
        if next_operand && value.is_none() {
            value = operands.get(name_operand + 1).copied();
        }
    }
    let Some(name) = name else {
        return;
    };
    let (ns, ne, _) = unquote(hay, name.0, name.1);
    let name_text = &hay[ns..ne];
    if !names_intercom(name_text) {
        return;
    }
    let Some(value) = value.or(stdin) else {
        return;
    };
    match name_kind(name_text) {
        Some(kind) => push(hay, value, kind, out),
        None => {
            // An Intercom container (`--name intercom`): JSON keys inside
            // the value, or the value itself as a token.
            let (s, e, _) = unquote(hay, value.0, value.1);
            if hay[s..e].first() == Some(&b'{') {
                context::keys_in(hay, s, e, out, m);
            } else {
                push(hay, value, Kind::AccessToken, out);
            }
        }
    }
}

/// `curl -u USER:PASSWORD` where a word names an Intercom host.
fn curl(hay: &[u8], args: &[(usize, usize)], out: &mut Vec<Assignment>) {
    let intercom_url = args.iter().any(|w| {
        let t = text(hay, *w);
        t.windows(12)
            .any(|x| x.eq_ignore_ascii_case(b"intercom.io/"))
            || t.windows(13)
                .any(|x| x.eq_ignore_ascii_case(b"intercom.com/"))
    });
    if !intercom_url {
        return;
    }
    for (i, w) in args.iter().enumerate() {
        let t = text(hay, *w);
        let user = if t == b"-u" || t == b"--user" {
            args.get(i + 1).copied()
        } else if let Some(rest) = t.strip_prefix(b"--user=") {
            Some((w.1 - rest.len(), w.1))
        } else if t.starts_with(b"-u") && t.len() > 2 && !t.starts_with(b"--") {
            Some((w.0 + 2, w.1))
        } else {
            None
        };
        let Some(user) = user else {
            continue;
        };
        let (s, e, quoted) = unquote(hay, user.0, user.1);
        let Some(colon) = hay[s..e].iter().position(|&b| b == b':') else {
            continue;
        };
        let (range, kind) = if s + colon + 1 < e {
            (s + colon + 1..e, Kind::ApiKey)
        } else {
            (s..s + colon, Kind::AccessToken)
        };
        if !range.is_empty() {
            out.push(Assignment::value(range.start, range.end, kind, quoted));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(text: &str) -> Vec<String> {
        let hay = text.as_bytes();
        tokens(hay, 0..hay.len())
            .into_iter()
            .map(|t| match t {
                Token::Word(s, e) => text[s..e].to_owned(),
                Token::Pipe => "|".to_owned(),
                Token::HereString => "<<<".to_owned(),
                Token::End => ";".to_owned(),
            })
            .collect()
    }

    #[test]
    fn every_tool_is_named_and_other_words_are_not() {
        let may_name_a_tool = |span: &[u8]| super::may_name_a_tool(span, 0..0);
        for tool in TOOLS {
            assert!(may_name_a_tool(tool.as_bytes()), "{tool}");
            assert!(
                may_name_a_tool(format!("x=1; {tool} y").as_bytes()),
                "{tool}"
            );
            let longer = format!("{tool}s");
            assert!(!may_name_a_tool(longer.as_bytes()), "{longer}");
            assert!(!may_name_a_tool(tool.to_uppercase().as_bytes()), "{tool}");
        }
        for text in ["export token=1", "api key here", "web az_x ghost", "a", ""] {
            assert!(!may_name_a_tool(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn the_identifier_stepped_over_stays_part_of_its_word() {
        let name = |text: &str| {
            let s = text.find("INTERCOM").unwrap_or(0);
            s..s + "INTERCOM_TOKEN".len()
        };
        for (text, found) in [
            ("INTERCOM_TOKEN=1 heroku", true),
            ("gh INTERCOM_TOKEN", true),
            ("ghINTERCOM_TOKEN", false),
            ("INTERCOM_TOKENaws", false),
            ("INTERCOM_TOKEN", false),
        ] {
            assert_eq!(
                may_name_a_tool(text.as_bytes(), name(text)),
                found,
                "{text}"
            );
        }
    }

    #[test]
    fn commands_are_split_into_words_across_continued_lines() {
        assert_eq!(
            words_of("aws ssm put-parameter --name \"/a b\" \\\n  --value 'x y' && echo ok"),
            [
                "aws",
                "ssm",
                "put-parameter",
                "--name",
                "\"/a b\"",
                "--value",
                "'x y'",
                ";",
                "echo",
                "ok"
            ]
        );
        assert_eq!(
            words_of("echo v | gh secret set N # note"),
            ["echo", "v", "|", "gh", "secret", "set", "N"]
        );
        assert_eq!(words_of("x <<< v"), ["x", "<<<", "v"]);
    }

    #[test]
    fn a_command_spans_its_continued_lines_only() {
        let hay = b"before\nheroku config:set \\\n  A=1 \\\n  B=2\nafter\n";
        let at = hay.windows(3).position(|w| w == b"B=2").expect("B");
        let span = command_span(hay, at, 0, &mut NameMemo::default());
        assert_eq!(&hay[span], &b"heroku config:set \\\n  A=1 \\\n  B=2"[..]);
    }
}
