//! Git blobs read in order, without holding them whole: a loose object, or
//! an entry of a pack that is stored whole (not as a delta), is inflated as
//! it is read, straight from its file. A deltified entry can only be had
//! whole: gix builds it in memory once, and it is searched there.
//!
//! Only blobs larger than the window come here (their size is known from
//! the object header); the others are read whole through gix, as always.
//! The files are read with plain reads, not mapped, so what is read does
//! not stay resident.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::odb::pack;

/// Buffer of the compressed bytes read from a file (small enough to come
/// from the allocator's arenas: small loose objects are read this way too).
const READ_BUFFER: usize = 64 * 1024;

/// The object files of a repository: its objects folder and alternates,
/// and their packs (opened when first needed, index and data mapped).
pub struct ObjectFiles {
    dirs: Vec<PathBuf>,
    hash: gix::hash::Kind,
    packs: Option<Vec<Pack>>,
}

impl std::fmt::Debug for ObjectFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectFiles")
            .field("dirs", &self.dirs)
            .finish_non_exhaustive()
    }
}

struct Pack {
    index: pack::index::File,
    data: pack::data::File,
}

/// How an object is stored, as far as reading a large blob in order goes.
#[derive(Debug)]
pub enum Stored {
    /// A loose object, open: its kind, and its bytes as they are inflated.
    Loose(gix::object::Kind, Inflating),
    /// A blob stored whole in a pack, of `size` bytes.
    Packed { size: u64, pack: usize, offset: u64 },
    /// Anything else of a pack (a delta, which only gix can rebuild, or an
    /// object that is no blob).
    Other,
}

impl ObjectFiles {
    /// The object folders `repo` reads (its own, then its alternates).
    pub fn of(repo: &gix::Repository) -> ObjectFiles {
        let objects = repo.objects.store_ref().path().to_owned();
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut dirs = vec![objects.clone()];
        dirs.extend(gix::odb::alternate::resolve(objects, &cwd).unwrap_or_default());
        ObjectFiles {
            dirs,
            hash: repo.object_hash(),
            packs: None,
        }
    }

    /// How `id` is stored: looked up in the pack indices and read from its
    /// entry's header (no inflating), else opened as a loose object. `None`
    /// when it is in none of these files.
    pub fn find(&mut self, id: &ObjectId) -> io::Result<Option<Stored>> {
        let hash = self.hash;
        let dirs = &self.dirs;
        let packs = self.packs.get_or_insert_with(|| {
            dirs.iter()
                .flat_map(|dir| super::objects::pack_indices(dir))
                .filter_map(|idx| {
                    let index = pack::index::File::at(&idx, hash).ok()?;
                    let data = pack::data::File::at(idx.with_extension("pack"), hash).ok()?;
                    Some(Pack { index, data })
                })
                .collect()
        });
        for (n, p) in packs.iter().enumerate() {
            if let Some(entry) = p.index.lookup(id) {
                let offset = p.index.pack_offset_at_index(entry);
                let entry = p.data.entry(offset).map_err(io::Error::other)?;
                return Ok(Some(match entry.header {
                    pack::data::entry::Header::Blob => Stored::Packed {
                        size: entry.decompressed_size,
                        pack: n,
                        offset,
                    },
                    _ => Stored::Other,
                }));
            }
        }
        for dir in &self.dirs {
            match open_loose(dir, id) {
                Ok((kind, object)) => return Ok(Some(Stored::Loose(kind, object))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// The bytes of a blob [`ObjectFiles::find`] found stored whole in a
    /// pack, inflated from the pack file as they are read.
    pub fn packed(&self, pack: usize, offset: u64) -> io::Result<Inflating> {
        let p = self
            .packs
            .as_ref()
            .and_then(|packs| packs.get(pack))
            .ok_or_else(|| io::Error::other("no such pack"))?;
        Inflating::packed(p.data.path(), offset, self.hash)?
            .ok_or_else(|| corrupt("the pack entry is no longer a blob"))
    }

    /// The blob `id` as a stream of its bytes, when it is a loose object or
    /// a whole entry of a pack; `None` when it is stored as a delta (or not
    /// found here).
    pub fn open(&mut self, id: &ObjectId) -> io::Result<Option<Inflating>> {
        match self.find(id)? {
            Some(Stored::Loose(gix::object::Kind::Blob, blob)) => Ok(Some(blob)),
            Some(Stored::Loose(kind, _)) => {
                Err(corrupt(format!("a {kind} where a blob was expected")))
            }
            Some(Stored::Packed { pack, offset, .. }) => self.packed(pack, offset).map(Some),
            Some(Stored::Other) | None => Ok(None),
        }
    }
}

/// The blob stored whole at `offset` of the pack file `path`, inflated as
/// it is read.
pub fn packed_blob(path: &Path, offset: u64, hash: gix::hash::Kind) -> io::Result<Inflating> {
    Inflating::packed(path, offset, hash)?
        .ok_or_else(|| corrupt("the pack entry is not a blob stored whole"))
}

/// The loose object `id` of the objects folder `dir`: its kind, and its
/// bytes as they are inflated (an error of kind `NotFound` when it is not
/// there).
pub fn open_loose(dir: &Path, id: &ObjectId) -> io::Result<(gix::object::Kind, Inflating)> {
    let hex = id.to_hex().to_string();
    let file = File::open(dir.join(&hex[..2]).join(&hex[2..]))?;
    Inflating::loose(file)
}

/// The bytes of an object, inflated from its file as they are read.
pub struct Inflating {
    input: BufReader<File>,
    state: gix::zlib::Decompress,
    /// Bytes of the blob inflated already but not handed out (a loose
    /// object's header comes with the first of them).
    pending: Vec<u8>,
    /// Bytes of the blob not handed out yet.
    left: u64,
    size: u64,
}

impl std::fmt::Debug for Inflating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inflating")
            .field("size", &self.size)
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

fn corrupt(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

impl Inflating {
    /// A loose object: zlib of `<kind> <size>\0` and the bytes.
    fn loose(file: File) -> io::Result<(gix::object::Kind, Inflating)> {
        let mut input = BufReader::with_capacity(READ_BUFFER, file);
        let mut state = gix::zlib::Decompress::new();
        let mut header = [0u8; 64];
        let n = gix::zlib::stream::inflate::read(&mut input, &mut state, &mut header)?;
        let (kind, size, header_len) = gix::objs::decode::loose_header(&header[..n])
            .map_err(|e| corrupt(format!("not a loose object: {e}")))?;
        let pending = header[header_len..n].to_vec();
        if pending.len() as u64 > size {
            return Err(corrupt("the loose object is longer than its header says"));
        }
        let object = Inflating {
            input,
            state,
            pending,
            left: size,
            size,
        };
        Ok((kind, object))
    }

    /// The pack entry at `offset` of the pack file `path`, when it is a
    /// blob stored whole.
    fn packed(path: &Path, offset: u64, hash: gix::hash::Kind) -> io::Result<Option<Inflating>> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(offset))?;
        let mut input = BufReader::with_capacity(READ_BUFFER, file);
        let entry = pack::data::Entry::from_read(&mut input, offset, hash.len_in_bytes())?;
        if !matches!(entry.header, pack::data::entry::Header::Blob) {
            return Ok(None);
        }
        // `from_read` consumed exactly the entry's header: the compressed
        // bytes follow.
        Ok(Some(Inflating {
            input,
            state: gix::zlib::Decompress::new(),
            pending: Vec::new(),
            left: entry.decompressed_size,
            size: entry.decompressed_size,
        }))
    }

    /// The size of the object.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// All of it, into `out` (cleared first).
    pub fn read_all(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        out.clear();
        out.reserve(usize::try_from(self.size).unwrap_or(0));
        self.read_to_end(out)?;
        Ok(())
    }
}

impl Read for Inflating {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || out.is_empty() {
            return Ok(0);
        }
        let room = out
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        if !self.pending.is_empty() {
            let n = self.pending.len().min(room);
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            self.left -= n as u64;
            return Ok(n);
        }
        let n =
            gix::zlib::stream::inflate::read(&mut self.input, &mut self.state, &mut out[..room])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the object ends after {} of its {} bytes",
                    self.size - self.left,
                    self.size
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
