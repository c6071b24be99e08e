//! Files, folders and stdin for `scan PATH... | -`.
//!
//! Folders are walked with the `ignore` crate: `.gitignore` (and
//! `.git/info/exclude`, the global excludes file) are honoured, hidden files
//! such as `.env` are scanned, `.git` folders are skipped and symbolic links
//! are not followed. A file named explicitly is always scanned, even when a
//! `.gitignore` would skip it. Paths are reported as given: `scan ./src`
//! reports `./src/app.js`.
//!
//! [`Files::list`] walks the inputs into the blob vocabulary; the engine
//! then reads the files and stdin through [`FileReader`]s. A file or a
//! stdin larger than the engine's window is handed out as a stream, read
//! once in order (stdin is never held whole); stdin is read once, by the
//! first reader that asks.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::blob::{Blob, BlobId, Content, Occurrence, PolicyPath, Reader, Source, Stream};
use crate::finding::Problem;

/// How stdin is named in reports.
pub const STDIN_NAME: &str = "<stdin>";

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

/// The files and stdin of one `scan`, as a source.
#[derive(Debug)]
pub struct Files {
    /// Stdin was handed out already (a second `-` reads nothing).
    stdin_taken: Arc<AtomicBool>,
}

impl Files {
    /// Every file reachable from `inputs`, in order, as blobs to scan; the
    /// walk's errors as problems. Allowlists match a path relative to
    /// `root` (the work tree's root, or the current folder) when it lies
    /// inside it; stdin is never allowlisted.
    pub fn list(inputs: &[PathBuf], root: Option<&Path>) -> (Files, Vec<Blob>, Vec<Problem>) {
        let mut blobs = Vec::new();
        let mut problems = Vec::new();
        let file = |path: &Path| {
            let shown = super::path_bytes(path);
            let relative = relative_to_root(&shown, root);
            let policy_path = if relative == shown {
                PolicyPath::Same
            } else {
                PolicyPath::Other(relative)
            };
            Blob {
                id: BlobId::File(path.to_owned()),
                occurrences: vec![Occurrence {
                    policy_path,
                    ..Occurrence::whole(shown)
                }],
            }
        };
        for input in inputs {
            if is_stdin(input) {
                let occurrence = Occurrence {
                    policy_path: PolicyPath::Exempt,
                    ..Occurrence::whole(STDIN_NAME.as_bytes().to_vec())
                };
                blobs.push(Blob {
                    id: BlobId::Stdin,
                    occurrences: vec![occurrence],
                });
                continue;
            }
            match std::fs::metadata(input) {
                Err(source) => problems.push(
                    Problem::new(FilesError::Read {
                        path: input.clone(),
                        source,
                    })
                    .with_path(super::path_bytes(input)),
                ),
                Ok(meta) if meta.is_dir() => {
                    for entry in walker(input) {
                        match entry {
                            Err(source) => problems.push(Problem::new(FilesError::Walk { source })),
                            Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                                blobs.push(file(entry.path()))
                            }
                            Ok(_) => {}
                        }
                    }
                }
                Ok(_) => blobs.push(file(input)),
            }
        }
        let files = Files {
            stdin_taken: Arc::new(AtomicBool::new(false)),
        };
        (files, blobs, problems)
    }
}

impl Source for Files {
    type Reader = FileReader;

    fn reader(&self) -> FileReader {
        FileReader {
            stdin_taken: Arc::clone(&self.stdin_taken),
        }
    }
}

/// Reads files from disk, and stdin once.
#[derive(Debug)]
pub struct FileReader {
    stdin_taken: Arc<AtomicBool>,
}

impl FileReader {
    /// Whether this reader is the one to read stdin.
    fn takes_stdin(&self) -> bool {
        !self.stdin_taken.swap(true, Ordering::SeqCst)
    }
}

impl Reader for FileReader {
    fn read(&mut self, id: &BlobId, path: &[u8]) -> Result<Vec<u8>, Problem> {
        match id {
            BlobId::File(file) => read_file(file).map_err(|err| Problem::new(err).with_path(path)),
            BlobId::Stdin if self.takes_stdin() => read_stdin(),
            BlobId::Stdin => Ok(Vec::new()),
            BlobId::Object(_) | BlobId::Message(_) => Err(not_a_file(path)),
        }
    }

    fn open(&mut self, id: &BlobId, path: &[u8], window: usize) -> Result<Content<'_>, Problem> {
        match id {
            BlobId::File(file) => open_file(file, path, window),
            BlobId::Stdin if self.takes_stdin() => open_stdin(window),
            BlobId::Stdin => Ok(Content::Whole(Vec::new())),
            BlobId::Object(_) | BlobId::Message(_) => Err(not_a_file(path)),
        }
    }
}

fn not_a_file(path: &[u8]) -> Problem {
    Problem::new(FilesError::Read {
        path: PathBuf::from(String::from_utf8_lossy(path).into_owned()),
        source: std::io::Error::other("a git object is not a file"),
    })
}

/// A file: whole when it fits in `window` bytes, else a stream of it (a
/// file that is not a regular one, such as a named pipe, is read like
/// stdin: its size is known only at its end).
fn open_file(file: &Path, shown: &[u8], window: usize) -> Result<Content<'static>, Problem> {
    let path = file.to_owned();
    let shown = shown.to_vec();
    let problem = move |source| {
        Problem::new(FilesError::Read {
            path: path.clone(),
            source,
        })
        .with_path(shown.clone())
    };
    let handle = std::fs::File::open(file).map_err(&problem)?;
    let meta = handle.metadata().map_err(&problem)?;
    if meta.is_file() && meta.len() <= window as u64 {
        let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        let mut handle = handle;
        handle.read_to_end(&mut data).map_err(&problem)?;
        return Ok(Content::Whole(data));
    }
    open_read(handle, window, Box::new(problem))
}

/// Stdin: whole when it ends within `window` bytes, else its first bytes
/// and a stream of the rest.
fn open_stdin(window: usize) -> Result<Content<'static>, Problem> {
    let problem = |source| Problem::new(FilesError::Stdin { source }).with_path(STDIN_NAME);
    open_read(std::io::stdin().lock(), window, Box::new(problem))
}

/// Bytes of unknown length: whole when they end within `window` bytes,
/// else the first of them and a stream of the rest.
fn open_read(
    mut input: impl Read + 'static,
    window: usize,
    fail: Box<dyn Fn(std::io::Error) -> Problem>,
) -> Result<Content<'static>, Problem> {
    let mut head = Vec::new();
    let limit = window as u64 + 1;
    let n = Read::take(&mut input, limit)
        .read_to_end(&mut head)
        .map_err(&fail)?;
    if (n as u64) < limit {
        return Ok(Content::Whole(head));
    }
    Ok(Content::Stream(Stream {
        head,
        rest: Box::new(input),
        fail,
    }))
}

/// A path to match against `allow.paths`: relative to `root` when it lies
/// inside it (as `scan` reports paths as given, `scan ./src` or
/// `scan /abs/repo/src`), else as given.
pub fn relative_to_root(path: &[u8], root: Option<&Path>) -> Vec<u8> {
    let Some(root) = root else {
        return path.to_vec();
    };
    let Ok(text) = std::str::from_utf8(path) else {
        return path.to_vec();
    };
    let given = Path::new(text);
    let absolute = match std::path::absolute(given) {
        Ok(p) => p,
        Err(_) => return path.to_vec(),
    };
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    // Resolve the folder (not the file: a symbolic link is reported as itself).
    let resolved = match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map(|d| d.join(name))
            .unwrap_or(absolute.clone()),
        _ => absolute.clone(),
    };
    for candidate in [&resolved, &absolute] {
        for base in [&canonical_root, &root.to_owned()] {
            if let Ok(rel) = candidate.strip_prefix(base) {
                return super::path_bytes(rel);
            }
        }
    }
    path.to_vec()
}

/// A folder's walk: `.gitignore` honoured, hidden files kept, `.git`
/// skipped, links not followed, in file-name order.
fn walker(root: &Path) -> ignore::Walk {
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .ignore(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
}

fn read_file(path: &Path) -> Result<Vec<u8>, FilesError> {
    std::fs::read(path).map_err(|source| FilesError::Read {
        path: path.to_owned(),
        source,
    })
}

fn read_stdin() -> Result<Vec<u8>, Problem> {
    let mut data = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut data)
        .map_err(|source| Problem::new(FilesError::Stdin { source }).with_path(STDIN_NAME))?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's reported path and bytes.
    struct Read {
        path: Vec<u8>,
        data: Vec<u8>,
    }

    fn collect(inputs: &[PathBuf]) -> (Vec<Read>, usize) {
        let (files, blobs, problems) = Files::list(inputs, None);
        let mut reader = files.reader();
        let mut errors = problems.len();
        let mut read = Vec::new();
        for blob in blobs {
            let path = blob.occurrences[0].path.clone();
            match reader.read(&blob.id, &path) {
                Ok(data) => read.push(Read { path, data }),
                Err(_) => errors += 1,
            }
        }
        (read, errors)
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
