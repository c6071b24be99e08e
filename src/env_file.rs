//! Which file names are `.env` files: the doctor checks that none is
//! tracked, and the rotation guidance tells someone who staged one to stop
//! tracking it rather than to "move the value to a .env".
//!
//! Vocabulary like [`crate::finding`]: a path in, a name's kind out.

/// Suffixes of `.env.<suffix>` files that are templates, fine to track.
const TEMPLATES: [&str; 8] = [
    "example", "sample", "template", "tpl", "dist", "defaults", "schema", "tmpl",
];

/// What a file named like an env file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFile {
    /// `.env`, `.env.local`, `.env.*.local`: local secrets.
    Local,
    /// `.env.<something>` that is not a template: may hold real values.
    Other,
    /// `.env.example` and the like: placeholders, fine to track.
    Template,
}

/// The kind of env file `path` (relative, `/`-separated) names, by its last
/// component; `None` when it is no env file.
pub fn env_file_kind(path: &[u8]) -> Option<EnvFile> {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let name = std::str::from_utf8(name).ok()?;
    if name == ".env" || name == ".env.local" {
        return Some(EnvFile::Local);
    }
    let rest = name.strip_prefix(".env.")?;
    if rest.ends_with(".local") {
        return Some(EnvFile::Local);
    }
    let lower = rest.to_ascii_lowercase();
    if lower.split('.').any(|part| TEMPLATES.contains(&part)) {
        Some(EnvFile::Template)
    } else {
        Some(EnvFile::Other)
    }
}

/// Whether `path` is an env file that holds real values (not a template).
pub fn holds_secrets(path: &[u8]) -> bool {
    matches!(env_file_kind(path), Some(EnvFile::Local | EnvFile::Other))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_names() {
        assert_eq!(env_file_kind(b".env"), Some(EnvFile::Local));
        assert_eq!(env_file_kind(b"app/.env.local"), Some(EnvFile::Local));
        assert_eq!(
            env_file_kind(b".env.production.local"),
            Some(EnvFile::Local)
        );
        assert_eq!(env_file_kind(b".env.example"), Some(EnvFile::Template));
        assert_eq!(env_file_kind(b"x/.env.sample"), Some(EnvFile::Template));
        assert_eq!(env_file_kind(b".env.production"), Some(EnvFile::Other));
        assert_eq!(env_file_kind(b"env"), None);
        assert_eq!(env_file_kind(b".envrc"), None);
        assert_eq!(env_file_kind(b"src/.environment"), None);
        assert!(holds_secrets(b"deploy/.env") && holds_secrets(b".env.production"));
        assert!(!holds_secrets(b".env.example") && !holds_secrets(b"app.js"));
    }
}
