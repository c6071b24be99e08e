//! The file names of a repository's results in the sweep's folder: a
//! readable slug made from the last two components of its name (or path),
//! such as `acme-billing` for `/srv/mirrors/acme/billing.git`, lowercase
//! ASCII letters, digits, `.`, `_` and `-`. Only when two repositories of
//! the list would get the same slug do both get a short suffix: the first
//! 8 hex digits of the FNV-1a hash ([`super::shard::fnv1a64`]) of their
//! key, so the slug of a repository depends on the whole list, never on
//! the shard or the order of the run.

use std::collections::HashMap;

use super::list::Entry;
use super::shard::fnv1a64;

/// The slug of every entry, in the list's order.
pub fn slugs(entries: &[Entry]) -> Vec<String> {
    let bases: Vec<String> = entries.iter().map(|e| base(e.key())).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for b in &bases {
        *count.entry(b.as_str()).or_default() += 1;
    }
    entries
        .iter()
        .zip(&bases)
        .map(|(entry, base)| {
            if count[base.as_str()] > 1 {
                let hash = fnv1a64(entry.key().as_bytes());
                format!("{base}-{:08x}", hash >> 32)
            } else {
                base.clone()
            }
        })
        .collect()
}

/// The readable part: the last two components, `.git` dropped.
fn base(key: &str) -> String {
    // A URL's scheme and host are not components worth keeping apart.
    let key = key.trim_end_matches(['/', '\\']);
    let mut parts: Vec<&str> = key
        .split(['/', '\\', ':'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    if parts.last() == Some(&".git") {
        parts.pop();
    }
    let start = parts.len().saturating_sub(2);
    let joined = parts[start..]
        .iter()
        .map(|p| p.strip_suffix(".git").unwrap_or(p))
        .collect::<Vec<_>>()
        .join("-");
    let mut slug = String::with_capacity(joined.len());
    for c in joined.chars() {
        let c = c.to_ascii_lowercase();
        let keep = c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let c = if keep { c } else { '-' };
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    let slug = slug.trim_matches(['-', '.']).to_owned();
    // `summary` is the sweep's own file.
    match slug.as_str() {
        "" => "repo".to_owned(),
        "summary" => "summary-repo".to_owned(),
        _ => slug,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, name: Option<&str>) -> Entry {
        Entry {
            path: path.to_owned(),
            name: name.map(str::to_owned),
            line: 1,
        }
    }

    #[test]
    fn readable_from_the_last_two_components() {
        assert_eq!(base("/srv/mirrors/acme/billing.git"), "acme-billing");
        assert_eq!(base("/home/me/Acme/Web App/.git"), "acme-web-app");
        assert_eq!(base("https://github.com/acme/billing.git"), "acme-billing");
        assert_eq!(base("repo"), "repo");
        assert_eq!(base("/"), "repo");
        assert_eq!(base("x/summary"), "x-summary");
        assert_eq!(base("summary"), "summary-repo");
    }

    #[test]
    fn only_a_tie_gets_a_suffix() {
        let list = [
            entry("/a/acme/billing.git", None),
            entry("/b/acme/billing", None),
            entry("/b/acme/web", None),
        ];
        let slugs = slugs(&list);
        assert_eq!(slugs[2], "acme-web");
        assert!(slugs[0].starts_with("acme-billing-") && slugs[0].len() == 21);
        assert!(slugs[1].starts_with("acme-billing-"));
        assert_ne!(slugs[0], slugs[1]);
    }

    #[test]
    fn the_name_column_names_the_slug() {
        let slugs = slugs(&[entry("/tmp/x/1", Some("acme/billing"))]);
        assert_eq!(slugs, ["acme-billing"]);
    }
}
