//! The credentials of the current environment: which variables hold a value
//! the detector reports as a secret, and the item saying whether any of them
//! is written in the repository (names only, never values).

use std::ffi::OsString;

use super::{Item, MAX_LISTED, Status};
use crate::detect::Detector;

/// The id of the check.
const CHECK: &str = "environment";

/// A variable of the environment whose value the detector reports as a secret.
pub(super) struct EnvSecret {
    pub(super) name: String,
    /// The secret as written in the variable.
    pub(super) value: Vec<u8>,
    pub(super) fingerprint: String,
}

/// The variables of `env` that hold a secret, by name.
pub(super) fn secrets(
    detector: &Detector,
    env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<EnvSecret> {
    let mut out = Vec::new();
    for (name, value) in env {
        let (Some(name), Some(value)) = (name.to_str(), os_bytes(&value)) else {
            continue;
        };
        if value.len() < 8 || value.contains(&b'\n') {
            continue;
        }
        let mut line = format!("{name}=").into_bytes();
        let start = line.len();
        line.extend_from_slice(&value);
        line.push(b'\n');
        let found = detector
            .find(&line)
            .into_iter()
            .find(|m| m.start >= start && m.end <= start + value.len());
        if let Some(m) = found {
            out.push(EnvSecret {
                name: name.to_owned(),
                value: line[m.start..m.end].to_vec(),
                fingerprint: m.fingerprint,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn os_bytes(value: &OsString) -> Option<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(value.as_bytes().to_vec())
    }
    #[cfg(not(unix))]
    {
        value.to_str().map(|s| s.as_bytes().to_vec())
    }
}

/// The item for `env`, given where its credentials were found at HEAD:
/// `(index into env, "path:line")`.
pub(super) fn item(env: &[EnvSecret], mut hits: Vec<(usize, String)>) -> Item {
    if hits.is_empty() {
        return if env.is_empty() {
            Item::pass(
                CHECK,
                "no Intercom credential in the environment of this shell",
            )
        } else {
            Item::pass(
                CHECK,
                format!(
                    "the credentials in the environment ({}) are not written in any file at HEAD",
                    env.iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        };
    }
    hits.sort();
    hits.dedup();
    let mut details: Vec<String> = hits
        .iter()
        .take(MAX_LISTED)
        .map(|(i, at)| format!("${} is written in {at}", env[*i].name))
        .collect();
    if hits.len() > MAX_LISTED {
        details.push(format!("… and {} more", hits.len() - MAX_LISTED));
    }
    let mut names: Vec<&str> = hits.iter().map(|(i, _)| env[*i].name.as_str()).collect();
    names.dedup();
    Item::problem(
        CHECK,
        Status::Fail,
        format!(
            "a credential of this shell's environment is written in the repository ({})",
            names.join(", ")
        ),
        details,
        "the live credential is in git: rotate it in Developer Hub now, replace the value in \
         the file with a reference (`process.env.NAME`, `${NAME}`), and purge history with \
         `git filter-repo --replace-text`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::DetectOptions;

    #[test]
    fn only_variables_holding_a_secret_count_and_values_never_show() {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD
            .encode("tok:3f9c2a7e_51b4_4d08_9e6a_c2f17b8d40e5:1:0");
        let detector = Detector::new(&DetectOptions::default());
        let vars = [
            ("INTERCOM_ACCESS_TOKEN", token.clone()),
            ("INTERCOM_APP_ID", "abc12def".to_owned()),
            ("INTERCOM_WEBHOOK_SECRET", "changeme".to_owned()),
            ("PATH", "/usr/bin:/bin".to_owned()),
        ]
        .map(|(n, v)| (OsString::from(n), OsString::from(v)));
        let env = secrets(&detector, vars);
        let names: Vec<&str> = env.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["INTERCOM_ACCESS_TOKEN"]);

        let found = item(
            &env,
            vec![(0, "a.js:3".to_owned()), (0, "a.js:3".to_owned())],
        );
        assert_eq!(found.status, Status::Fail);
        assert_eq!(
            found.details,
            ["$INTERCOM_ACCESS_TOKEN is written in a.js:3"]
        );
        assert!(!format!("{found:?}").contains(&token[10..40]));
        assert_eq!(item(&env, Vec::new()).status, Status::Pass);
        assert_eq!(item(&[], Vec::new()).status, Status::Pass);
    }
}
