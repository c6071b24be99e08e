//! Files, folders and stdin for `scan PATH... | -`.
//!
//! Folders are walked with the `ignore` crate: `.gitignore` (and
//! `.git/info/exclude`, the global excludes file) are honoured, hidden files
//! such as `.env` are scanned, `.git` folders are skipped and symbolic links
//! are not followed. A file named explicitly is always scanned, even when a
//! `.gitignore` would skip it. Paths are reported as given: `scan ./src`
//! reports `./src/app.js`.

use std::io::Read;
use std::path::{Path, PathBuf};

/// How stdin is named in reports.
pub const STDIN_NAME: &str = "<stdin>";

/// One file's bytes and the path to report for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileBlob {
    /// The path as given (or reached from what was given); raw bytes, as
    /// names need not be UTF-8. [`STDIN_NAME`] for stdin.
    pub path: Vec<u8>,
    pub data: Vec<u8>,
}

/// What can go wrong reading files. Each error concerns one input; the walk
/// goes on with the others.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FilesError {
    #[error("cannot read `{}`", path.display())]
    #[diagnostic(
        code(intercom_guard::scan::unreadable),
        help("check that the path exists and that you may read it")
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot walk a folder")]
    #[diagnostic(
        code(intercom_guard::scan::walk),
        help("check the permissions of the folder, or name the files to scan")
    )]
    Walk {
        #[source]
        source: ignore::Error,
    },
    #[error("cannot read stdin")]
    #[diagnostic(code(intercom_guard::scan::stdin))]
    Stdin {
        #[source]
        source: std::io::Error,
    },
}

/// Whether a command-line argument names stdin.
pub fn is_stdin(arg: &Path) -> bool {
    arg.as_os_str() == "-"
}

/// Visit every file reachable from `inputs`, in order: a file as given, a
/// folder walked in file-name order, `-` as stdin. Errors are handed to
/// `visit` too, so one unreadable file does not hide the others.
pub fn for_each(inputs: &[PathBuf], mut visit: impl FnMut(Result<FileBlob, FilesError>)) {
    for input in inputs {
        if is_stdin(input) {
            visit(read_stdin());
            continue;
        }
        match std::fs::metadata(input) {
            Err(source) => visit(Err(FilesError::Read {
                path: input.clone(),
                source,
            })),
            Ok(meta) if meta.is_dir() => walk_dir(input, &mut visit),
            Ok(_) => visit(read_file(input)),
        }
    }
}

fn walk_dir(root: &Path, visit: &mut impl FnMut(Result<FileBlob, FilesError>)) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .ignore(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Err(source) => visit(Err(FilesError::Walk { source })),
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    visit(read_file(entry.path()));
                }
            }
        }
    }
}

fn read_file(path: &Path) -> Result<FileBlob, FilesError> {
    let data = std::fs::read(path).map_err(|source| FilesError::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(FileBlob {
        path: super::path_bytes(path),
        data,
    })
}

fn read_stdin() -> Result<FileBlob, FilesError> {
    let mut data = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut data)
        .map_err(|source| FilesError::Stdin { source })?;
    Ok(FileBlob {
        path: STDIN_NAME.as_bytes().to_vec(),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(inputs: &[PathBuf]) -> (Vec<FileBlob>, usize) {
        let mut blobs = Vec::new();
        let mut errors = 0;
        for_each(inputs, |r| match r {
            Ok(b) => blobs.push(b),
            Err(_) => errors += 1,
        });
        (blobs, errors)
    }

    #[test]
    fn walks_folders_honouring_gitignore_and_keeps_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join(".gitignore"), "ignored.txt\nbuild/\n").unwrap();
        std::fs::write(root.join("ignored.txt"), "x").unwrap();
        std::fs::write(root.join(".env"), "A=1").unwrap();
        std::fs::create_dir(root.join("build")).unwrap();
        std::fs::write(root.join("build/out.js"), "x").unwrap();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), "x").unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/app.js"), "y").unwrap();

        let (blobs, errors) = collect(&[root.to_path_buf()]);
        assert_eq!(errors, 0);
        let mut names: Vec<String> = blobs
            .iter()
            .map(|b| {
                let p = PathBuf::from(String::from_utf8(b.path.clone()).unwrap());
                p.strip_prefix(root).unwrap().to_string_lossy().into_owned()
            })
            .collect();
        names.sort();
        assert_eq!(names, [".env", ".gitignore", "src/app.js"]);
    }

    #[test]
    fn explicit_file_is_scanned_even_if_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "secret.txt\n").unwrap();
        let file = dir.path().join("secret.txt");
        std::fs::write(&file, "data").unwrap();
        let (blobs, errors) = collect(std::slice::from_ref(&file));
        assert_eq!(errors, 0);
        assert_eq!(blobs.len(), 1);
        assert_eq!(blobs[0].data, b"data");
    }

    #[test]
    fn missing_path_is_an_error_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "a").unwrap();
        let (blobs, errors) = collect(&[dir.path().join("missing"), file]);
        assert_eq!(errors, 1);
        assert_eq!(blobs.len(), 1);
    }
}
