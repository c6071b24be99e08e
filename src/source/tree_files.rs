//! Every file of a commit's tree (the tree at `HEAD`, for `doctor`), as
//! blobs in the engine's vocabulary: each regular or executable file once
//! per path, every line counting (there is no "before").

use gix::ObjectId;

use super::blob::{Blob, BlobId, GitReader, Occurrence, Source};

/// The repository a tree's files are read from.
pub struct TreeFiles {
    repo: gix::Repository,
}

/// Why the files at `HEAD` cannot be listed.
#[derive(Debug)]
pub enum NoTree {
    /// No commit yet.
    Unborn,
    /// `HEAD` or its tree is broken: the cause.
    Unreadable(String),
}

impl TreeFiles {
    /// The files at `HEAD`.
    pub fn at_head(repo: &gix::Repository) -> Result<(TreeFiles, Vec<Blob>), NoTree> {
        let tree = match repo.head_tree_id() {
            Ok(id) => id.detach(),
            Err(_) if repo.head().is_ok_and(|h| h.is_unborn()) => return Err(NoTree::Unborn),
            Err(err) => return Err(NoTree::Unreadable(err.to_string())),
        };
        TreeFiles::of(repo, tree)
    }

    /// The files of `tree`, in path order.
    pub fn of(repo: &gix::Repository, tree: ObjectId) -> Result<(TreeFiles, Vec<Blob>), NoTree> {
        let files = repo
            .index_from_tree(&tree)
            .map_err(|err| NoTree::Unreadable(err.to_string()))?;
        let blobs = files
            .entries()
            .iter()
            .filter(|entry| {
                entry.mode == gix::index::entry::Mode::FILE
                    || entry.mode == gix::index::entry::Mode::FILE_EXECUTABLE
            })
            .map(|entry| Blob {
                id: BlobId::Object(entry.id),
                occurrences: vec![Occurrence::whole(entry.path(&files).to_vec())],
            })
            .collect();
        let source = TreeFiles { repo: repo.clone() };
        Ok((source, blobs))
    }
}

impl Source for TreeFiles {
    type Reader = GitReader;

    fn reader(&self) -> GitReader {
        GitReader::new(self.repo.clone())
    }
}
