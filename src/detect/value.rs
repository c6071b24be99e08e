//! Judging a literal assigned to a secret name: is it a real secret, or a
//! reference, a placeholder, an encrypted value or a low-entropy word?

use crate::finding::Confidence;

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Shortest value that can be a secret.
const MIN_LEN: usize = 10;
/// Longest: Intercom's secrets are tens of characters; a longer run is a
/// blob, a certificate or minified code. Checked first, so a long line of
/// names costs little.
pub(crate) const MAX_LEN: usize = 256;

/// Prefixes of values that point at a secret instead of holding one:
/// variable references, templating, secret managers, encrypted blobs.
const REFERENCE_PREFIXES: &[&[u8]] = &[
    b"$",
    b"%",
    b"{{",
    b"{%",
    b"#{",
    b"@{",
    b"<%",
    b"!Ref",
    b"!Sub",
    b"!GetAtt",
    b"!vault",
    b"ENC[",
    b"vault:",
    b"op://",
    b"sm://",
    b"ssm:",
    b"arn:",
    b"secret://",
    b"secrets.",
    b"env.",
    b"ENV[",
    b"ENV.",
    b"process.env",
    b"import.meta.env",
    b"os.environ",
    b"os.getenv",
    b"System.getenv",
    b"getenv(",
    b"Environment.",
    b"config.",
    b"settings.",
    b"projects/",
    b"http://",
    b"https://",
    b"file:",
    b"/",
    b"./",
    b"~/",
];

/// Marks that make any value a placeholder, wherever they are in it: a
/// masked or cut value, a signature header's algorithm.
const PLACEHOLDER_MARKS: &[&[u8]] = &[b"***", b"...", "\u{2026}".as_bytes(), b"sha1=", b"sha256="];

/// Words that make a value a placeholder when they are the value or its
/// template form (`your-api-key-here`, `xxxxxxxx`, `test_token_123`), matched
/// case-insensitively; not when they happen to occur inside random text
/// (`...Xxx...`, `...test...` in a 32-character key).
const PLACEHOLDER_WORDS: &[&[u8]] = &[
    b"your",
    b"xxx",
    b"changeme",
    b"change_me",
    b"change-me",
    b"replace",
    b"placeholder",
    b"example",
    b"dummy",
    b"fake",
    b"sample",
    b"todo",
    b"fixme",
    b"insert",
    b"redacted",
    b"here",
    b"test",
    b"mock",
    b"secret",
    b"token",
    b"intercom",
    b"password",
    b"undefined",
    b"null",
    b"none",
    b"0000",
    b"1234",
    b"abcd",
    b"aaaa",
    b"qwerty",
    b"asdf",
    b"lorem",
    b"ipsum",
    b"foobar",
    b"hunter2",
    b"s3cr3t",
    b"passw0rd",
    b"p4ssw0rd",
    b"default",
    b"invalid",
    b"sandbox",
];

/// Digests of the empty string, which documentation uses as sample keys
/// (Intercom's old `curl -u APP_ID:API_KEY` examples among them).
const EMPTY_DIGESTS: &[&[u8]] = &[
    b"da39a3ee5e6b4b0d3255bfef95601890afd80709",
    b"d41d8cd98f00b204e9800998ecf8427e",
    b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
];

/// Below this many letters and digits, what a value holds besides its
/// placeholder words is a template's filler (`-api-key-`, `_123`).
const RANDOM_REST_MIN: usize = 16;
/// ... and below this entropy (bits per character).
const RANDOM_REST_ENTROPY: f64 = 3.3;

/// Whether a value is a placeholder: it has a [`PLACEHOLDER_MARKS`] mark,
/// or [`PLACEHOLDER_WORDS`] and little else. With every placeholder word
/// taken out, what is left must not look random: a long random secret
/// that happens to hold `xXx` or `test` is a secret.
fn is_placeholder(v: &[u8]) -> bool {
    if PLACEHOLDER_MARKS.iter().any(|w| contains_ignore_case(v, w)) {
        return true;
    }
    let mut rest: Vec<u8> = Vec::with_capacity(v.len());
    let mut found = false;
    let mut i = 0;
    while i < v.len() {
        let word = PLACEHOLDER_WORDS
            .iter()
            .filter(|w| v.len() - i >= w.len() && v[i..i + w.len()].eq_ignore_ascii_case(w))
            .map(|w| w.len())
            .max();
        match word {
            Some(len) => {
                found = true;
                i += len;
            }
            None => {
                if v[i].is_ascii_alphanumeric() {
                    rest.push(v[i]);
                }
                i += 1;
            }
        }
    }
    found
        && (rest.len() < RANDOM_REST_MIN || entropy(&rest) < RANDOM_REST_ENTROPY || is_wordy(&rest))
}

/// A bare word that reads as a name in code (`computeHmacKey256`,
/// `API_KEY_PREFIX`): an identifier made of a few whole words, with digits
/// only at its end. Random keys switch case and mix digits throughout.
pub(crate) fn looks_like_identifier(v: &[u8]) -> bool {
    let first_ok = v
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
    if !first_ok || !v.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return false;
    }
    let body = v
        .iter()
        .rposition(|c| !c.is_ascii_digit())
        .map_or(v, |i| &v[..=i]);
    if body.iter().any(u8::is_ascii_digit) {
        return false;
    }
    let (mut count, mut short) = (0, false);
    super::names::for_each_word(body, |w| {
        count += 1;
        short |= w.len() < 2;
    });
    !short && count * 3 <= body.len()
}

/// Intercom's mobile SDK keys (`ios_sdk-...`, `android_sdk-...`) are meant
/// to ship inside apps, like the app id: public, never a finding.
fn is_public_sdk_key(v: &[u8]) -> bool {
    v.starts_with(b"ios_sdk-") || v.starts_with(b"android_sdk-")
}

/// Whether a value refers to a secret elsewhere instead of holding one.
pub(crate) fn is_reference(v: &[u8]) -> bool {
    let Some(&first) = v.first() else {
        return false;
    };
    // Each prefix is compared only when its first byte is the value's.
    REFERENCE_PREFIXES
        .iter()
        .any(|p| p[0] == first && v.starts_with(p))
        // `${` and `{{`: found at each `{`, which few values hold.
        || memchr::memchr_iter(b'{', v).any(|i| i > 0 && matches!(v[i - 1], b'$' | b'{'))
        || (first == b'<' && v.last() == Some(&b'>'))
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Ansible-vault, SOPS and sealed-secrets values are safe to commit.
fn is_encrypted(v: &[u8]) -> bool {
    v.starts_with(b"ENC[")
        || v.starts_with(b"$ANSIBLE_VAULT")
        || (v.len() >= 100
            && v.starts_with(b"Ag")
            && v.iter().all(|&c| super::b64::is_alphabet(c) || c == b'='))
}

/// Sequences (`abcdef`, `123456`, `a1b2c3d4`), repeats (`aaaaa`),
/// repeated blocks (`deadbeefdeadbeef`) and typing by hand mark made-up
/// values.
fn looks_made_up(v: &[u8]) -> bool {
    sequential(v)
        || sequential_within(v, u8::is_ascii_alphabetic)
        || sequential_within(v, u8::is_ascii_digit)
        || periodic(v)
        || typed_by_hand(v)
}

/// A value typed by hand (`983th8fj98hgh98dj09gj08g4w` in a README) repeats
/// itself: its pairs of adjacent characters collide far more often than
/// those of a random string over the same alphabet. At least 3 colliding
/// pairs and 8 times (plus 2) the number a random string expects: random
/// values of 16 to 64 characters (hex, base36, base62) trip it about once
/// in 2,000.
fn typed_by_hand(v: &[u8]) -> bool {
    if v.len() < 8 || v.len() > MAX_LEN {
        return false;
    }
    let mut seen: Vec<[u8; 2]> = v.windows(2).map(|w| [w[0], w[1]]).collect();
    seen.sort_unstable();
    let mut collisions = 0usize;
    let mut run = 1usize;
    for i in 1..=seen.len() {
        if i < seen.len() && seen[i] == seen[i - 1] {
            run += 1;
        } else {
            collisions += run * (run - 1) / 2;
            run = 1;
        }
    }
    let hex_only = v
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b) || (b'A'..=b'F').contains(b));
    let mut alphabet = 0usize;
    if v.iter().any(u8::is_ascii_digit) {
        alphabet += 10;
    }
    if v.iter().any(u8::is_ascii_lowercase) {
        alphabet += if hex_only { 6 } else { 26 };
    }
    if v.iter().any(u8::is_ascii_uppercase) {
        alphabet += if hex_only { 6 } else { 26 };
    }
    alphabet += v
        .iter()
        .filter(|b| !b.is_ascii_alphanumeric())
        .count()
        .min(8);
    let n = (v.len() - 1) as f64;
    let expected = n * (n - 1.0) / 2.0 / (alphabet.max(1) * alphabet.max(1)) as f64;
    collisions >= 3 && collisions as f64 >= 8.0 * expected + 2.0
}

/// The letters (or digits) of a value, taken alone, mostly count up.
fn sequential_within(v: &[u8], class: fn(&u8) -> bool) -> bool {
    let sub: Vec<u8> = v.iter().copied().filter(class).collect();
    if sub.len() < 4 {
        return false;
    }
    let steps = sub
        .windows(2)
        .filter(|w| w[1] == w[0].wrapping_add(1))
        .count();
    steps * 10 >= (sub.len() - 1) * 6
}

/// A value made of one block repeated (`abcXYZ12abcXYZ12`).
fn periodic(v: &[u8]) -> bool {
    (1..=v.len() / 2).any(|p| v.len().is_multiple_of(p) && v.chunks(p).all(|c| c == &v[..p]))
}

fn sequential(v: &[u8]) -> bool {
    longest_runs(v).0 >= 5 || longest_runs(v).1 >= 5 || {
        let steps = v
            .windows(2)
            .filter(|w| w[1] == w[0].wrapping_add(1))
            .count();
        steps * 3 > v.len()
    }
}

/// The longest run of counting-up bytes and of one repeated byte.
fn longest_runs(v: &[u8]) -> (usize, usize) {
    let (mut seq, mut rep, mut max_seq, mut max_rep) = (1, 1, 1, 1);
    for w in v.windows(2) {
        seq = if w[1] == w[0].wrapping_add(1) {
            seq + 1
        } else {
            1
        };
        rep = if w[1] == w[0] { rep + 1 } else { 1 };
        max_seq = max_seq.max(seq);
        max_rep = max_rep.max(rep);
    }
    (max_seq, max_rep)
}

/// A UUID someone typed rather than generated: `12345678-1234-...`,
/// all zeros, `deadbeef` repeated: a run of equal or counting-up digits,
/// or one block repeated. A random version-4 UUID (version digit `4`,
/// variant `8` to `b`: what Intercom's tokens hold) has a run of six once
/// in about 31,000 draws, too often for a gate to let through: it counts as
/// typed only with a run of eight (once in about ten million). A UUID of
/// another shape is typed with a run of six.
pub(crate) fn made_up_uuid(hex: &[u8]) -> bool {
    let (seq, rep) = longest_runs(hex);
    let run = if is_v4(hex) { 8 } else { 6 };
    seq >= run || rep >= run || periodic(hex)
}

/// The 32 digits of a version-4 UUID (RFC 9562): `4` at 12, `8`-`b` at 16.
fn is_v4(hex: &[u8]) -> bool {
    hex.len() == 32
        && hex[12] == b'4'
        && matches!(hex[16].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

/// A literal made of words only (`my-super-secret-value`) is prose, not a key.
fn is_wordy(v: &[u8]) -> bool {
    let letters_and_seps = v
        .iter()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, b'-' | b'_' | b'.' | b' '));
    if !letters_and_seps {
        return false;
    }
    let has_sep = v.iter().any(|c| !c.is_ascii_alphabetic());
    let mixed_case = v.iter().any(u8::is_ascii_uppercase) && v.iter().any(u8::is_ascii_lowercase);
    has_sep || !mixed_case || v.len() < 16
}

/// Judges a literal value: `Some(confidence)` when it is a secret.
pub(crate) fn judge(v: &[u8], min_entropy: f64) -> Option<Confidence> {
    if v.len() > MAX_LEN {
        return None;
    }
    // Kubernetes `Secret.data` and CI variables hold values base64-encoded:
    // `Y2hhbmdlbWU=` is `changeme`. Judge what the encoding hides.
    if let Some(inner) = printable_base64(v) {
        return judge_literal(&inner, min_entropy);
    }
    judge_literal(v, min_entropy)
}

/// The decoded text of a value that is padded standard base64 of printable
/// ASCII, or `None`. Random keys decode to binary and stay as written.
fn printable_base64(v: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    if v.len() < 8 || !v.len().is_multiple_of(4) {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
    decoded
        .iter()
        .all(|b| (0x20..0x7f).contains(b))
        .then_some(decoded)
}

fn judge_literal(v: &[u8], min_entropy: f64) -> Option<Confidence> {
    if v.len() < MIN_LEN
        || v.len() > MAX_LEN
        || v.iter()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        || is_reference(v)
        || is_encrypted(v)
        || is_public_sdk_key(v)
        || is_wordy(v)
        || looks_made_up(v)
        || v.iter().all(u8::is_ascii_digit)
        || EMPTY_DIGESTS.iter().any(|d| v.eq_ignore_ascii_case(d))
        || is_placeholder(v)
    {
        return None;
    }
    let e = entropy(v);
    if e < min_entropy {
        return None;
    }
    if v.len() >= 24 && e >= 3.2 {
        Some(Confidence::High)
    } else {
        Some(Confidence::Medium)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_v4_uuid_with_a_short_run_is_not_taken_for_typed() {
        // Version 4 (`4` at 12, `a` at 16) with a run of six and of seven,
        // equal or counting up: what one random token in ~31,000 holds.
        for hex in [
            "8d22ad89eed241e49c8ca50a25000000",
            "8d22ad89eed241e49c8ca50a25f56789",
            "8d22ad89eed241e4ac8c0000000f5c12",
            "8d22ad89eed241e4ac8c3456789f5c12",
        ] {
            assert!(is_v4(hex.as_bytes()), "{hex}");
            assert!(!made_up_uuid(hex.as_bytes()), "{hex}");
        }
        // A run of eight, or a repeated block, is typed even in version 4.
        assert!(made_up_uuid(b"8d22ad89eed241e4ac8c00000000f5c1"));
        assert!(made_up_uuid(b"8d22ad89eed241e4ac8c12345678f5c1"));
        // Typed examples: not version 4, a run of six is enough.
        for hex in [
            "12345678123412341234123456789012",
            "00000000000000000000000000000000",
            "deadbeefdeadbeefdeadbeefdeadbeef",
            "8d22ad89eed211e49c8ca50a25000000",
        ] {
            assert!(!is_v4(hex.as_bytes()), "{hex}");
            assert!(made_up_uuid(hex.as_bytes()), "{hex}");
        }
    }

    #[test]
    fn identifiers_and_random_words() {
        assert!(looks_like_identifier(b"computeHmacKey256"));
        assert!(looks_like_identifier(b"API_KEY_PREFIX"));
        assert!(looks_like_identifier(b"ReadTokenFromVaultInProduction"));
        assert!(!looks_like_identifier(b"GXkPvCYUCJRpMGmwUccwDKKtxNhAi"));
        assert!(!looks_like_identifier(b"Kiy8vwkqQRKHn8eh85BDLw1XEx8cLN1y"));
        assert!(!looks_like_identifier(b"GXkPvCYUCJRpMG8mwUccwDK1KtxNhA1i"));
        assert!(!looks_like_identifier(b"9f8e7d6c5b4a39281706"));
    }

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn secrets_and_non_secrets() {
        assert_eq!(
            judge(b"9f8e7d6c5b4a39281706f5e4d3c2b1a0", 3.0),
            Some(Confidence::High)
        );
        assert_eq!(judge(b"kR2v9QzLmW4tXp8s", 3.0), Some(Confidence::Medium));
        for v in [
            &b"changeme"[..],
            b"your-webhook-signing-secret",
            b"${INTERCOM_TOKEN}",
            b"process.env.INTERCOM_TOKEN",
            b"<your-token>",
            b"xxxxxxxxxxxxxxxx",
            b"1234567890abcdef",
            b"ENC[AES256_GCM,data:abc,iv:def]",
            b"supersecretvalue",
            b"abcdefghijklmnop",
            b"a1b2c3d4e5f6g7h8",
            b"deadbeefdeadbeef",
            b"Xy7Xy7Xy7Xy7Xy7Xy7",
            b"sample-api-key-0000",
            b"mock_webhook_secret_123",
            b"sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            b"da39a3ee5e6b4b0d3255bfef95601890afd80709",
            b"983th8fj98hgh98dj09gj08g4w",
        ] {
            assert_eq!(judge(v, 3.0), None, "{}", String::from_utf8_lossy(v));
        }
    }

    #[test]
    fn placeholder_words_inside_random_values_do_not_hide_them() {
        for v in [
            &b"Kiy8vwkqQRKHxXx8eh85BDLw1XEx8cLN"[..],
            b"9f8e7d6c5b4atest39281706f5e4d3c2b1a0",
            b"GXkPvCYUCJRpMG8mwUcHerecDK1KtxNhA1i",
        ] {
            assert_eq!(
                judge(v, 3.0),
                Some(Confidence::High),
                "{}",
                String::from_utf8_lossy(v)
            );
        }
    }
}
