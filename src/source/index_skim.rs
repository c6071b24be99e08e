//! The index read only as far as a staged diff needs it.
//!
//! gix decodes every entry of the index into fresh memory up front: for
//! 50,000 files that was two thirds of what `pre-commit` cost, though the
//! walk of [`super::cache_tree`] looks only at the directories a change
//! touches. Here the file is streamed once through a small buffer and
//! skimmed: each entry's length is worked out from its flags, its start is
//! recorded, its path is compared with the one before (the index must be
//! sorted) to learn which directories begin and end there, and nothing
//! else is kept. The cache-tree extension is decoded by gix. When the walk
//! asks for an entry's fields, the part of the file holding it is read
//! again, once, and kept.
//!
//! Only what is plainly index version 2 or 3 is skimmed. Anything else
//! (version 4, whose paths are prefix-compressed; a split index, which
//! names a shared index; a path of 4,095 bytes or more; entries out of
//! order; an unknown mandatory extension; any damage) is handed to gix
//! whole, which reads it or says what is wrong, as before. The two readers
//! agree entry by entry and walk to the same diff (tests here and in
//! `tests/staged_index.rs`, and the `index` fuzz target).

use std::cell::OnceCell;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;

use gix::ObjectId;
use gix::index::entry::{Mode, Stage};
use gix::index::extension::Tree as CacheTree;

/// The fields of an index entry the staged diff reads.
pub trait Entries {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The entry's path, relative to the repository root.
    fn path(&self, i: usize) -> &[u8];
    fn mode(&self, i: usize) -> Mode;
    fn id(&self, i: usize) -> ObjectId;
    fn stage(&self, i: usize) -> Stage;
    /// `git add -N`: the path is known, its content not staged.
    fn intent_to_add(&self, i: usize) -> bool;
    /// The cache-tree extension, if the index has one.
    fn cache_tree(&self) -> Option<&CacheTree>;
    /// The directory whose entries begin at entry `start`, one level below
    /// a directory whose path is `prefix_len` bytes long: its path (ending
    /// in `/`) and the end of its entries. `None` when not known without
    /// searching.
    fn dir_at(&self, start: usize, prefix_len: usize) -> Option<(&[u8], usize)> {
        let _ = (start, prefix_len);
        None
    }
}

impl Entries for gix::index::State {
    fn len(&self) -> usize {
        self.entries().len()
    }
    fn path(&self, i: usize) -> &[u8] {
        self.entries()[i].path(self).as_ref()
    }
    fn mode(&self, i: usize) -> Mode {
        self.entries()[i].mode
    }
    fn id(&self, i: usize) -> ObjectId {
        self.entries()[i].id
    }
    fn stage(&self, i: usize) -> Stage {
        self.entries()[i].stage()
    }
    fn intent_to_add(&self, i: usize) -> bool {
        self.entries()[i]
            .flags
            .contains(gix::index::entry::Flags::INTENT_TO_ADD)
    }
    fn cache_tree(&self) -> Option<&CacheTree> {
        self.tree()
    }
}

/// On-disk flag bits of an entry (git's `index-format.txt`).
const PATH_LEN: u16 = 0x0fff;
const STAGE_MASK: u16 = 0x3000;
const EXTENDED: u16 = 0x4000;
/// The extended flags git defines: intent-to-add and skip-worktree.
const EXTENDED_INTENT_TO_ADD: u16 = 1 << 13;
const EXTENDED_KNOWN: u16 = EXTENDED_INTENT_TO_ADD | (1 << 14);
/// Ten 32-bit stat and mode fields precede the object id.
const STAT_LEN: usize = 40;
const MODE_AT: usize = 24;
const HEADER_LEN: usize = 12;
/// The longest entry skimmed: fields, a SHA-256 id, both flag words, a
/// path of 4,094 bytes, and padding.
const MAX_ENTRY: usize = STAT_LEN + 32 + 4 + 4094 + 8;
/// The streaming buffer: small enough to stay in cache and to cost few
/// page faults, which on a large index cost more than the reading.
const STREAM_BUFFER: usize = 256 * 1024;
/// Entries are read again in blocks of this many bytes, each with the
/// next `MAX_ENTRY` bytes too, so an entry starting in a block lies in it.
const BLOCK: usize = 32 * 1024;

/// A directory of the index: the entries under it, and its path (ending
/// in `/`) in [`Skim::dir_paths`].
#[derive(Debug, Clone)]
struct Dir {
    entries: Range<u32>,
    path: Range<u32>,
}

/// A skimmed index.
pub struct Skim {
    file: File,
    file_len: usize,
    hash_len: usize,
    /// Where each entry starts in the file.
    starts: Vec<u32>,
    /// Every directory with entries, ordered by first entry, then by depth.
    dirs: Vec<Dir>,
    dir_paths: Vec<u8>,
    tree: Option<CacheTree>,
    blocks: Vec<OnceCell<Box<[u8]>>>,
    /// The first error reading a block again: the walk's answer is void.
    failure: OnceCell<io::Error>,
}

impl std::fmt::Debug for Skim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Skim")
            .field("entries", &self.starts.len())
            .field("dirs", &self.dirs.len())
            .finish_non_exhaustive()
    }
}

/// The file's bytes as they stream past.
struct Stream {
    file: File,
    buf: Vec<u8>,
    /// The bytes of `buf` read and not yet consumed.
    at: usize,
    filled: usize,
    /// Where `buf[0]` is in the file.
    offset: usize,
    eof: bool,
}

impl Stream {
    /// At least `n` bytes after `at` in the buffer (fewer only at the end
    /// of the file).
    #[inline]
    fn fill(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.filled - self.at < n && !self.eof {
            self.refill(n)?;
        }
        Ok(&self.buf[self.at..self.filled])
    }

    #[inline(never)]
    fn refill(&mut self, n: usize) -> io::Result<()> {
        {
            self.buf.copy_within(self.at..self.filled, 0);
            self.offset += self.at;
            self.filled -= self.at;
            self.at = 0;
            while self.filled < n.max(self.buf.len() / 2) {
                match self.file.read(&mut self.buf[self.filled..]) {
                    Ok(0) => {
                        self.eof = true;
                        break;
                    }
                    Ok(read) => self.filled += read,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    fn position(&self) -> usize {
        self.offset + self.at
    }
}

/// Why a file is not skimmed.
enum Skip {
    /// Not a plain version 2 or 3 index: gix reads it.
    Unplain,
    Io(io::Error),
}

impl From<io::Error> for Skip {
    fn from(e: io::Error) -> Skip {
        Skip::Io(e)
    }
}

impl Skim {
    /// Skim the index file `file`. `Ok(None)` when it is not plainly a
    /// version 2 or 3 index this reader takes (gix reads those).
    pub fn open(file: File, hash: gix::hash::Kind) -> io::Result<Option<Skim>> {
        match Skim::read(file, hash) {
            Ok(skim) => Ok(Some(skim)),
            Err(Skip::Unplain) => Ok(None),
            Err(Skip::Io(e)) => Err(e),
        }
    }

    fn read(file: File, hash: gix::hash::Kind) -> Result<Skim, Skip> {
        let hash_len = hash.len_in_bytes();
        let size = usize::try_from(file.metadata()?.len()).map_err(|_| Skip::Unplain)?;
        let mut stream = Stream {
            file,
            buf: vec![0; STREAM_BUFFER],
            at: 0,
            filled: 0,
            offset: 0,
            eof: false,
        };
        let header = stream.fill(HEADER_LEN)?;
        if header.len() < HEADER_LEN || &header[..4] != b"DIRC" {
            return Err(Skip::Unplain);
        }
        let version = be_u32(header, 4).ok_or(Skip::Unplain)?;
        let count = be_u32(header, 8).ok_or(Skip::Unplain)? as usize;
        if version != 2 && version != 3 {
            return Err(Skip::Unplain);
        }
        stream.at = HEADER_LEN;
        let fixed = STAT_LEN + hash_len + 2;
        // Every entry takes at least its fields and 8 bytes of path.
        let mut starts = Vec::with_capacity(count.min(size / (fixed + 8)));
        let mut dirs = Dirs::default();
        let mut prev: Vec<u8> = Vec::new();
        let mut prev_stage = 0;
        for i in 0..count {
            let position = stream.position();
            let data = stream.fill(MAX_ENTRY)?;
            let flags = be_u16(data, fixed - 2).ok_or(Skip::Unplain)?;
            let mut path_at = fixed;
            if flags & EXTENDED != 0 {
                let extended = be_u16(data, path_at).ok_or(Skip::Unplain)?;
                if extended & !EXTENDED_KNOWN != 0 {
                    return Err(Skip::Unplain);
                }
                path_at += 2;
            }
            let path_len = usize::from(flags & PATH_LEN);
            if path_len == usize::from(PATH_LEN) {
                // A path too long for its length field: left to gix.
                return Err(Skip::Unplain);
            }
            // The path and 1 to 8 NULs, to a multiple of 8 from the start
            // (gix does not look at the padding either).
            let len = (path_at + path_len + 8) & !7;
            let path = data.get(path_at..path_at + path_len).ok_or(Skip::Unplain)?;
            if data.len() < len {
                return Err(Skip::Unplain);
            }
            let stage = (flags & STAGE_MASK) >> 12;
            let common = common_prefix(&prev, path);
            // git keeps entries sorted by path, then stage.
            let order = match (prev.get(common), path.get(common)) {
                (Some(a), Some(b)) => a.cmp(b),
                (a, b) => a.is_some().cmp(&b.is_some()).then(prev_stage.cmp(&stage)),
            };
            if i > 0 && order != std::cmp::Ordering::Less {
                return Err(Skip::Unplain);
            }
            dirs.entry(i as u32, common, path);
            starts.push(u32::try_from(position).map_err(|_| Skip::Unplain)?);
            prev.clear();
            prev.extend_from_slice(path);
            prev_stage = stage;
            stream.at += len;
        }
        dirs.close_all(count as u32);
        // The rest is extensions and the checksum.
        let mut rest = stream.fill(0)?.to_vec();
        let entries_end = stream.position();
        stream.file.read_to_end(&mut rest)?;
        let file_len = entries_end + rest.len();
        let extensions_len = rest.len().checked_sub(hash_len).ok_or(Skip::Unplain)?;
        let tree = extensions(&rest[..extensions_len], hash).ok_or(Skip::Unplain)?;
        let blocks = (0..file_len.div_ceil(BLOCK))
            .map(|_| OnceCell::new())
            .collect();
        Ok(Skim {
            file: stream.file,
            file_len,
            hash_len,
            starts,
            dirs: dirs.dirs,
            dir_paths: dirs.paths,
            tree,
            blocks,
            failure: OnceCell::new(),
        })
    }

    /// The error met reading the file again during the walk, if any: the
    /// walk's answer is then void.
    pub fn failure(self) -> Option<io::Error> {
        self.failure.into_inner()
    }

    /// The bytes of entry `i` (and what follows it in its block).
    fn entry(&self, i: usize) -> &[u8] {
        static NOTHING: [u8; MAX_ENTRY] = [0; MAX_ENTRY];
        let start = self.starts[i] as usize;
        let block = start / BLOCK;
        let bytes = self.blocks[block].get_or_init(|| {
            let from = block * BLOCK;
            let to = self.file_len.min(from + BLOCK + MAX_ENTRY);
            let mut bytes = vec![0; to - from].into_boxed_slice();
            if let Err(e) = read_at(&self.file, &mut bytes, from as u64) {
                let _ = self.failure.set(e);
                return Box::new([]);
            }
            bytes
        });
        bytes.get(start - block * BLOCK..).unwrap_or(&NOTHING)
    }

    fn flags(&self, entry: &[u8]) -> u16 {
        be_u16(entry, STAT_LEN + self.hash_len).unwrap_or(0)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

impl Entries for Skim {
    fn len(&self) -> usize {
        self.starts.len()
    }
    fn path(&self, i: usize) -> &[u8] {
        let entry = self.entry(i);
        let flags = self.flags(entry);
        let mut at = STAT_LEN + self.hash_len + 2;
        if flags & EXTENDED != 0 {
            at += 2;
        }
        entry
            .get(at..at + usize::from(flags & PATH_LEN))
            .unwrap_or_default()
    }
    fn mode(&self, i: usize) -> Mode {
        Mode::from_bits_truncate(be_u32(self.entry(i), MODE_AT).unwrap_or(0))
    }
    fn id(&self, i: usize) -> ObjectId {
        let id = self
            .entry(i)
            .get(STAT_LEN..STAT_LEN + self.hash_len)
            .and_then(|bytes| ObjectId::try_from(bytes).ok());
        id.unwrap_or_else(|| ObjectId::null(gix::hash::Kind::Sha1))
    }
    fn stage(&self, i: usize) -> Stage {
        match (self.flags(self.entry(i)) & STAGE_MASK) >> 12 {
            0 => Stage::Unconflicted,
            1 => Stage::Base,
            2 => Stage::Ours,
            _ => Stage::Theirs,
        }
    }
    fn intent_to_add(&self, i: usize) -> bool {
        let entry = self.entry(i);
        if self.flags(entry) & EXTENDED == 0 {
            return false;
        }
        let extended = be_u16(entry, STAT_LEN + self.hash_len + 2).unwrap_or(0);
        extended & EXTENDED_INTENT_TO_ADD != 0
    }
    fn cache_tree(&self) -> Option<&CacheTree> {
        self.tree.as_ref()
    }
    fn dir_at(&self, start: usize, prefix_len: usize) -> Option<(&[u8], usize)> {
        let start = u32::try_from(start).ok()?;
        let first = self.dirs.partition_point(|d| d.entries.start < start);
        let dir = self.dirs[first..]
            .iter()
            .take_while(|d| d.entries.start == start)
            .find(|d| d.path.len() > prefix_len)?;
        let path = &self.dir_paths[dir.path.start as usize..dir.path.end as usize];
        Some((path, dir.entries.end as usize))
    }
}

/// The directories met while skimming, and those still open.
#[derive(Default)]
struct Dirs {
    dirs: Vec<Dir>,
    paths: Vec<u8>,
    /// Indices into `dirs` of the directories holding the last entry,
    /// outermost first.
    open: Vec<usize>,
}

impl Dirs {
    /// Entry `i` at `path`, whose first `common` bytes are those of the
    /// entry before: the directories of that entry `path` is not in end
    /// here, and those of `path` it was not in begin. A path ending in `/` (a sparse directory
    /// entry) is an entry of its parent.
    fn entry(&mut self, i: u32, common: usize, path: &[u8]) {
        while let Some(&last) = self.open.last() {
            if self.dirs[last].path.len() <= common {
                break;
            }
            self.dirs[last].entries.end = i;
            self.open.pop();
        }
        // A `/` before `common - 1` ends a directory of the entry before,
        // still open (at `common - 1` it may end that entry itself, a
        // sparse directory entry). What is left is mostly a file name.
        let from = self.open.last().map_or(0, |&d| self.dirs[d].path.len());
        let from = from.max(common.saturating_sub(1));
        for at in (from..path.len().saturating_sub(1)).filter(|&at| path[at] == b'/') {
            let start = self.paths.len() as u32;
            self.paths.extend_from_slice(&path[..=at]);
            self.open.push(self.dirs.len());
            self.dirs.push(Dir {
                entries: i..i,
                path: start..self.paths.len() as u32,
            });
        }
    }

    fn close_all(&mut self, end: u32) {
        for d in self.open.drain(..) {
            self.dirs[d].entries.end = end;
        }
    }
}

/// The extensions after the entries: the cache-tree, decoded by gix, or
/// `None` (the whole index goes to gix) for a split index, a mandatory
/// extension this reader does not know, or bytes that are no extensions.
fn extensions(mut data: &[u8], hash: gix::hash::Kind) -> Option<Option<CacheTree>> {
    let mut tree = None;
    while !data.is_empty() {
        let signature: [u8; 4] = data.get(..4)?.try_into().ok()?;
        let len = be_u32(data, 4)? as usize;
        let body = data.get(8..8usize.checked_add(len)?)?;
        match &signature {
            b"TREE" => {
                tree = gix::index::extension::tree::decode(body, hash, None);
                tree.as_ref()?;
            }
            // The sparse-index marker: directories are entries of mode
            // 040000, which the walk compares tree against tree.
            b"sdir" if body.is_empty() => {}
            mandatory if mandatory[0].is_ascii_lowercase() => return None,
            _optional => {}
        }
        data = &data[8 + len..];
    }
    Some(tree)
}

/// How many bytes `a` and `b` begin with in common.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= n {
        let x = u64::from_le_bytes(a[at..at + 8].try_into().unwrap_or_default());
        let y = u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
        if x != y {
            return at + ((x ^ y).trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + a[at..n]
        .iter()
        .zip(&b[at..n])
        .take_while(|(x, y)| x == y)
        .count()
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes(bytes.try_into().ok()?))
}
