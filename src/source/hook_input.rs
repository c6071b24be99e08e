//! What git hands a hook on stdin: `pre-receive` (and `post-receive`)
//! lines `<old> <new> <ref>`, `pre-push` lines `<local ref> <local id>
//! <remote ref> <remote id>`, parsed into ref updates, with an error naming
//! the line that is not what git sends.

use gix::ObjectId;
use gix::bstr::BString;

/// A line of hook input that is not what git sends.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("line {line} of the {hook} input is malformed: {reason}")]
#[diagnostic(
    code(intercom_guard::stdin::malformed),
    help(
        "{expected}\ngit feeds this on stdin to the hook; run the command from a {hook} hook, not by hand"
    )
)]
pub struct StdinError {
    pub hook: &'static str,
    /// 1-based.
    pub line: usize,
    pub reason: String,
    pub expected: &'static str,
}

/// One `<old> <new> <ref>` line of `pre-receive` input. A null id (all
/// zeros) is `None`: `old` for a creation, `new` for a deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
    pub name: BString,
}

/// One `<local ref> <local sha> <remote ref> <remote sha>` line of
/// `pre-push` input. `local` is `None` for a deletion, `remote` is `None`
/// when the remote does not have the ref yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushUpdate {
    pub local_ref: BString,
    pub local: Option<ObjectId>,
    pub remote_ref: BString,
    pub remote: Option<ObjectId>,
}

const PRE_RECEIVE_EXPECTED: &str =
    "each line must be `<old-id> <new-id> <ref-name>`, ids in full hex, a null id written as zeros";
const PRE_PUSH_EXPECTED: &str =
    "each line must be `<local-ref> <local-id> <remote-ref> <remote-id>`, ids in full hex";

/// Parse `pre-receive` (or `post-receive`) input.
pub fn parse_pre_receive(
    input: &[u8],
    hash: gix::hash::Kind,
) -> Result<Vec<RefUpdate>, StdinError> {
    let err = |line: usize, reason: String| StdinError {
        hook: "pre-receive",
        line,
        // A field is quoted: without any secret the input holds.
        reason: crate::redact::scrub_about(&reason, input),
        expected: PRE_RECEIVE_EXPECTED,
    };
    let mut out = Vec::new();
    for (i, raw) in lines(input) {
        let fields: Vec<&[u8]> = raw.split(|&b| b == b' ').collect();
        if fields.len() != 3 {
            return Err(err(
                i,
                format!(
                    "expected 3 fields separated by single spaces, found {}",
                    fields.len()
                ),
            ));
        }
        let old = parse_id(fields[0], hash).map_err(|r| err(i, format!("old id: {r}")))?;
        let new = parse_id(fields[1], hash).map_err(|r| err(i, format!("new id: {r}")))?;
        let name = parse_ref(fields[2]).map_err(|r| err(i, r))?;
        out.push(RefUpdate { old, new, name });
    }
    Ok(out)
}

/// Parse `pre-push` input.
pub fn parse_pre_push(input: &[u8], hash: gix::hash::Kind) -> Result<Vec<PushUpdate>, StdinError> {
    let err = |line: usize, reason: String| StdinError {
        hook: "pre-push",
        line,
        // A field is quoted: without any secret the input holds.
        reason: crate::redact::scrub_about(&reason, input),
        expected: PRE_PUSH_EXPECTED,
    };
    let mut out = Vec::new();
    for (i, raw) in lines(input) {
        let fields: Vec<&[u8]> = raw.split(|&b| b == b' ').collect();
        if fields.len() != 4 {
            return Err(err(
                i,
                format!(
                    "expected 4 fields separated by single spaces, found {}",
                    fields.len()
                ),
            ));
        }
        if fields[0].is_empty() {
            return Err(err(i, "the local ref is empty".into()));
        }
        let local = parse_id(fields[1], hash).map_err(|r| err(i, format!("local id: {r}")))?;
        let remote_ref = parse_ref(fields[2]).map_err(|r| err(i, r))?;
        let remote = parse_id(fields[3], hash).map_err(|r| err(i, format!("remote id: {r}")))?;
        out.push(PushUpdate {
            local_ref: fields[0].into(),
            local,
            remote_ref,
            remote,
        });
    }
    Ok(out)
}

/// Non-empty lines with their 1-based number, without `\n` / `\r\n`.
fn lines(input: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    input
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.is_empty())
}

fn parse_id(field: &[u8], hash: gix::hash::Kind) -> Result<Option<ObjectId>, String> {
    let shown = || printable(field);
    if field.len() != hash.len_in_hex() {
        return Err(format!(
            "`{}` is not a full {}-digit hex object id",
            shown(),
            hash.len_in_hex()
        ));
    }
    let id =
        ObjectId::from_hex(field).map_err(|_| format!("`{}` is not a hex object id", shown()))?;
    Ok((!id.is_null()).then_some(id))
}

fn parse_ref(field: &[u8]) -> Result<BString, String> {
    if field.is_empty() {
        return Err("the ref name is empty".into());
    }
    if field.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(format!(
            "the ref name `{}` holds control characters",
            printable(field)
        ));
    }
    Ok(field.into())
}

/// At most 80 characters of a field, printable.
fn printable(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    let mut shown: String = text
        .chars()
        .take(80)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().count() > 80 {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";
    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    fn id(hex: &str) -> ObjectId {
        ObjectId::from_hex(hex.as_bytes()).unwrap()
    }

    #[test]
    fn pre_receive_lines_parse_with_null_ids() {
        let input =
            format!("{Z} {A} refs/heads/new\n{A} {B} refs/heads/main\r\n\n{B} {Z} refs/tags/old\n");
        let updates = parse_pre_receive(input.as_bytes(), SHA1).unwrap();
        assert_eq!(
            updates,
            [
                RefUpdate {
                    old: None,
                    new: Some(id(A)),
                    name: "refs/heads/new".into()
                },
                RefUpdate {
                    old: Some(id(A)),
                    new: Some(id(B)),
                    name: "refs/heads/main".into()
                },
                RefUpdate {
                    old: Some(id(B)),
                    new: None,
                    name: "refs/tags/old".into()
                },
            ]
        );
        assert!(parse_pre_receive(b"", SHA1).unwrap().is_empty());
    }

    #[test]
    fn malformed_pre_receive_names_the_line() {
        let input = format!("{A} {B} refs/heads/main\n{A} refs/heads/x\n");
        let err = parse_pre_receive(input.as_bytes(), SHA1).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("3 fields"), "{err}");
        let short =
            parse_pre_receive(format!("{A} 1234 refs/heads/x").as_bytes(), SHA1).unwrap_err();
        assert!(short.reason.contains("new id"), "{short}");
        let bad = parse_pre_receive(
            format!("{A} zz22222222222222222222222222222222222222 refs/heads/x").as_bytes(),
            SHA1,
        )
        .unwrap_err();
        assert!(bad.reason.contains("hex"), "{bad}");
        let ctl = parse_pre_receive(format!("{A} {B} refs/\x1b[2J").as_bytes(), SHA1).unwrap_err();
        assert!(ctl.reason.contains("control"), "{ctl}");
        assert!(!ctl.to_string().contains('\x1b'));
    }

    #[test]
    fn sha256_ids_parse_by_the_repositorys_hash() {
        const SHA256: gix::hash::Kind = gix::hash::Kind::Sha256;
        let a = "a".repeat(64);
        let zero = "0".repeat(64);
        let input = format!("{zero} {a} refs/heads/new\n{a} {zero} refs/heads/gone\n");
        let updates = parse_pre_receive(input.as_bytes(), SHA256).unwrap();
        assert_eq!(updates[0].old, None, "64 zeros is the null id");
        assert_eq!(updates[0].new, Some(id(&a)));
        assert_eq!(updates[0].new.unwrap().kind(), SHA256);
        assert_eq!(updates[1].new, None);
        let pushed = parse_pre_push(format!("main {a} main {zero}").as_bytes(), SHA256).unwrap();
        assert_eq!(pushed[0].local, Some(id(&a)));
        assert_eq!(pushed[0].remote, None);
        // A SHA-1 id in a SHA-256 repository, and the other way round.
        let short =
            parse_pre_receive(format!("{A} {B} refs/heads/x").as_bytes(), SHA256).unwrap_err();
        assert!(short.reason.contains("64-digit"), "{short}");
        let long = parse_pre_receive(format!("{a} {a} refs/heads/x").as_bytes(), SHA1).unwrap_err();
        assert!(long.reason.contains("40-digit"), "{long}");
    }

    #[test]
    fn pre_push_lines_parse() {
        let input =
            format!("refs/heads/main {A} refs/heads/main {Z}\n(delete) {Z} refs/heads/gone {B}\n");
        let updates = parse_pre_push(input.as_bytes(), SHA1).unwrap();
        assert_eq!(updates[0].local, Some(id(A)));
        assert_eq!(updates[0].remote, None);
        assert_eq!(updates[1].local, None);
        assert_eq!(updates[1].remote_ref, "refs/heads/gone");
        let err = parse_pre_push(format!("main {A} main").as_bytes(), SHA1).unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(err.hook, "pre-push");
    }
}
