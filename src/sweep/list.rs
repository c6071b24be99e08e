//! The list of repositories a sweep reads (`--repos LIST`): one local
//! repository (a clone or a bare mirror) per line, optionally followed by
//! a tab and a `name` (such as `acme/billing`, or the URL it is mirrored
//! from). Blank lines and lines starting with `#` are ignored. A relative
//! path is relative to the current folder.
//!
//! The name, when there is one, is what the shard hash and the slug are
//! made of, so a list whose paths differ from machine to machine (each pod
//! mirrors into its own volume) still shards the same way.

use std::path::{Path, PathBuf};

/// One repository of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path as written in the list (what the summary names).
    pub path: String,
    /// The second column, if any.
    pub name: Option<String>,
    /// 1-based line in the list.
    pub line: usize,
}

impl Entry {
    /// What the shard hash is taken of: the name, else the path.
    pub fn key(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.path)
    }

    /// Where the repository is on this machine.
    pub fn location(&self) -> PathBuf {
        PathBuf::from(&self.path)
    }

    /// The line as `--list-shard` prints it: the path, and the name after
    /// a tab when there is one.
    pub fn as_line(&self) -> String {
        match &self.name {
            Some(name) => format!("{}\t{name}", self.path),
            None => self.path.clone(),
        }
    }
}

/// Why a list cannot be used. Exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ListError {
    #[error("cannot read the list of repositories {}", path.display())]
    #[diagnostic(
        code(intercom_guard::sweep::list),
        help("give a file with one repository path per line (`--repos repos.txt`)")
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("line {line} of {} has more than two tab-separated columns", path.display())]
    #[diagnostic(
        code(intercom_guard::sweep::list_columns),
        help("each line is PATH, or PATH<TAB>NAME")
    )]
    Columns { path: PathBuf, line: usize },

    #[error("{} lists `{repo}` twice (lines {first} and {line})", path.display())]
    #[diagnostic(
        code(intercom_guard::sweep::list_duplicate),
        help("each repository once: its results would overwrite each other")
    )]
    Duplicate {
        path: PathBuf,
        repo: String,
        first: usize,
        line: usize,
    },

    #[error("{} lists no repository", path.display())]
    #[diagnostic(
        code(intercom_guard::sweep::list_empty),
        help("one repository path per line; `#` starts a comment")
    )]
    Empty { path: PathBuf },
}

/// Read and parse the list at `path`.
pub fn read(path: &Path) -> Result<Vec<Entry>, ListError> {
    let text = std::fs::read(path).map_err(|source| ListError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&String::from_utf8_lossy(&text), path)
}

/// Parse the text of a list (`path` names it in errors).
pub fn parse(text: &str, path: &Path) -> Result<Vec<Entry>, ListError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let trimmed = raw.trim_end_matches('\r');
        if trimmed.trim().is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let mut columns = trimmed.split('\t');
        let repo = columns.next().unwrap_or_default().trim().to_owned();
        let name = columns
            .next()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if columns.next().is_some() {
            return Err(ListError::Columns {
                path: path.to_owned(),
                line,
            });
        }
        if let Some(first) = seen.insert(repo.clone(), line) {
            return Err(ListError::Duplicate {
                path: path.to_owned(),
                repo,
                first,
                line,
            });
        }
        entries.push(Entry {
            path: repo,
            name,
            line,
        });
    }
    if entries.is_empty() {
        return Err(ListError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_names_comments_and_blank_lines() {
        let list = parse(
            "# mirrors\n/m/acme/billing.git\tacme/billing\n\n  \n/m/acme/web.git\r\n",
            Path::new("l"),
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].key(), "acme/billing");
        assert_eq!(list[0].as_line(), "/m/acme/billing.git\tacme/billing");
        assert_eq!(list[1].key(), "/m/acme/web.git");
        assert_eq!(list[1].line, 5);
    }

    #[test]
    fn duplicates_extra_columns_and_empty_lists_are_errors() {
        assert!(matches!(
            parse("a\nb\na\n", Path::new("l")),
            Err(ListError::Duplicate {
                first: 1,
                line: 3,
                ..
            })
        ));
        assert!(matches!(
            parse("a\tb\tc\n", Path::new("l")),
            Err(ListError::Columns { line: 1, .. })
        ));
        assert!(matches!(
            parse("# nothing\n", Path::new("l")),
            Err(ListError::Empty { .. })
        ));
    }
}
