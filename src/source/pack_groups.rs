//! A pack cut into groups of whole delta families, each read into memory
//! for its traversal ([`super::objects::traverse_pack`]), so that reading
//! a pack of any size keeps about one group's bytes in the process.
//!
//! A family is a base stored whole and every delta rebuilt from it, however
//! deep; a delta tree can only be traversed a family at a time. Mapping the
//! whole pack instead would leave every page of it resident in the process
//! by the end (a 500 MB pack is 500 MB of RSS), however little of it is in
//! use at a time, since the families are spread over the whole file.
//!
//! [`plan`] reads every entry's header, links each delta to its family's
//! base, leaves out the blobs stored whole larger than a limit with their
//! deltas, and cuts the rest, in pack order of their bases, into groups of
//! about a given number of bytes. A pack no bigger than that is one group,
//! read through gix's mapping of it, as its pages are as few as a group's.
//! A bigger one has its headers read by buffered reads (a mapping would
//! fault in every page of the pack at once), and each group's entries read
//! into one buffer, reused from group to group ([`GroupBytes::read`]),
//! nearby entries in one read.
//!
//! gix builds a delta tree by reading the headers of its entries from the
//! pack file, and reads the first one at the pack's first entry (offset
//! 12) whatever its offset is. So a group that lacks the pack's first
//! entry gets it as well, served as an empty blob ([`STUB`]) and never
//! handed on ([`Group::stub`]).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use gix::odb::pack;

use super::objects::LeftOut;

/// Positions are `u32` (a pack index holds fewer than 2³² entries).
const NONE: u32 = u32::MAX;
/// Bytes read at a time by the header pass.
const CHUNK: usize = 1 << 20;
/// More than an entry header takes: type and size (10 bytes), then a
/// base offset (10) or a base id (32).
const MAX_HEADER: usize = 64;
/// Entries of a group closer than this are read in one read, with the
/// bytes between.
const GAP: u64 = 8 << 10;
/// Where a pack's first entry starts (after its 12-byte header).
const FIRST: u64 = 12;

/// An empty blob as a pack entry (header, then an empty zlib stream): what
/// a group holds in place of the pack's first entry.
pub(super) const STUB: &[u8] = &[0x30, 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];

/// What [`plan`] found.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub(super) groups: Vec<Group>,
    /// One group, to read through the pack's mapping.
    pub(super) mapped: bool,
    /// Left out, in pack order.
    pub(super) left: Vec<LeftOut>,
}

/// Whole families of a pack, to traverse together.
#[derive(Debug, Default)]
pub(super) struct Group {
    /// In pack order.
    pub(super) entries: Vec<pack::index::Entry>,
    /// The length in the pack of each entry.
    lens: Vec<u64>,
    /// The first entry is the pack's first entry, which belongs to another
    /// group or was left out: it is served as [`STUB`] and not handed on.
    pub(super) stub: bool,
}

/// Read the header of every entry of `bundle`'s pack and cut its families
/// into groups of about `group_bytes` bytes of the pack each (a family is
/// never split), leaving out the blobs stored whole larger than `limit`
/// bytes and every delta on top of one. Fails on a damaged pack: entries
/// that overlap, a delta whose base is no entry of the pack (a thin pack),
/// a cycle of deltas; and on a pack whose first entry is a delta of a blob
/// left out (which gix cannot build a tree without).
pub(super) fn plan(
    bundle: &pack::Bundle,
    limit: u64,
    group_bytes: u64,
) -> Result<Plan, gix::Error> {
    let index = &bundle.index;
    let mut entries: Vec<pack::index::Entry> = index.iter().collect();
    entries.sort_unstable_by_key(|e| e.pack_offset);
    let n = entries.len();
    if n == 0 {
        return Ok(Plan::default());
    }
    if u32::try_from(n).is_err() || entries[0].pack_offset != FIRST {
        return Err(damaged("its index does not start at its first entry"));
    }
    let hash = index.object_hash();
    // Searched for each delta's base: denser than the entries.
    let offsets: Vec<u64> = entries.iter().map(|e| e.pack_offset).collect();
    let position = |offset: u64| -> Result<u32, gix::Error> {
        offsets
            .binary_search(&offset)
            .map(|i| i as u32)
            .map_err(|_| damaged(&format!("a delta's base at offset {offset} is no entry")))
    };

    // Each entry's base (a position; NONE for a base itself), and whether
    // it is a blob stored whole larger than `limit`.
    let end = bundle.pack.pack_end() as u64;
    let mapped = end <= group_bytes;
    let mut reader = if mapped {
        None
    } else {
        Some(Chunked::open(bundle.pack.path())?)
    };
    let mut base = vec![NONE; n];
    let mut big = vec![false; n];
    let mut end_of_last = 0;
    for (i, e) in entries.iter().enumerate() {
        if e.pack_offset < end_of_last {
            return Err(damaged("entries overlap"));
        }
        let entry = match &mut reader {
            Some(reader) => {
                pack::data::Entry::from_bytes(reader.at(e.pack_offset)?, e.pack_offset, hash)
            }
            None => bundle.pack.entry(e.pack_offset),
        }
        .map_err(gix::Error::from_error)?;
        end_of_last = e.pack_offset + entry.header_size() as u64;
        use pack::data::entry::Header;
        let base_offset = match entry.header {
            Header::Blob => {
                big[i] = entry.decompressed_size > limit;
                continue;
            }
            Header::Tree | Header::Commit | Header::Tag => continue,
            Header::OfsDelta { base_distance } => entry
                .checked_base_pack_offset(base_distance)
                .ok_or_else(|| damaged("a delta's base is outside the pack"))?,
            Header::RefDelta { base_id } => index
                .lookup(base_id)
                .map(|k| index.pack_offset_at_index(k))
                .ok_or_else(|| damaged(&format!("the base {base_id} of a delta is not in it")))?,
        };
        base[i] = position(base_offset)?;
    }
    drop((reader, offsets));
    let root = roots(&base)?;

    // The length of each entry, and the bytes each family takes.
    let mut lens = vec![0u64; n];
    let mut family_bytes = vec![0u64; n];
    for i in 0..n {
        let next = entries.get(i + 1).map_or(end, |e| e.pack_offset);
        lens[i] = next
            .checked_sub(entries[i].pack_offset)
            .ok_or_else(|| damaged("an entry past its end"))?;
        family_bytes[root[i] as usize] += lens[i];
    }

    // A group without the pack's first entry gets it as a stub, which only
    // a base can be (gix reads its header from the pack); else one group.
    let first_is_base = base[0] == NONE;
    let group_bytes = if first_is_base && !mapped {
        group_bytes.max(1)
    } else {
        u64::MAX
    };
    let mut group_of = vec![NONE; n];
    let mut count = 0u32;
    let mut filled = 0u64;
    for i in 0..n {
        if root[i] as usize != i || big[i] {
            continue;
        }
        if count == 0 || filled >= group_bytes {
            count += 1;
            filled = 0;
        }
        group_of[i] = count - 1;
        filled += family_bytes[i];
    }
    drop(family_bytes);

    let mut plan = Plan {
        groups: (0..count).map(|_| Group::default()).collect(),
        mapped,
        left: Vec::new(),
    };
    let first = entries[0].clone();
    for (i, e) in entries.into_iter().enumerate() {
        let r = root[i] as usize;
        if big[r] {
            plan.left.push(LeftOut {
                id: e.oid,
                offset: e.pack_offset,
                whole_blob: r == i,
            });
        } else {
            let group = &mut plan.groups[group_of[r] as usize];
            group.entries.push(e);
            group.lens.push(lens[i]);
        }
    }
    for group in &mut plan.groups {
        if group.entries[0].pack_offset != FIRST {
            if !first_is_base {
                return Err(damaged("its first entry is a delta of a large blob"));
            }
            group.entries.insert(0, first.clone());
            group.lens.insert(0, 0);
            group.stub = true;
        }
    }
    Ok(plan)
}

/// Where a traversal takes the bytes of its entries from.
pub(super) enum Bytes<'a> {
    /// gix's mapping of the whole pack.
    Mapped(&'a pack::data::File),
    /// A group's entries, read.
    Read(&'a GroupBytes),
}

impl Bytes<'_> {
    /// The bytes of the entry `range` starts (they may run on past its
    /// end: inflating stops at the end of its stream); `stub`, the offset
    /// of the stand-in first entry of a group, gets [`STUB`].
    pub(super) fn entry(&self, range: pack::data::EntryRange, stub: Option<u64>) -> Option<&[u8]> {
        if stub == Some(range.start) {
            return Some(STUB);
        }
        match self {
            Bytes::Mapped(pack) => pack.entry_slice(range),
            Bytes::Read(group) => group.entry(range),
        }
    }
}

/// The bytes of a group's entries, read from the pack as runs of nearby
/// entries.
#[derive(Debug, Default)]
pub(super) struct GroupBytes {
    /// `(start, end)` in the pack of each run, and where it is in `buf`.
    runs: Vec<(u64, u64, usize)>,
    buf: Vec<u8>,
}

impl GroupBytes {
    /// Read `group`'s entries (but the stand-in first one) from the pack
    /// at `path` into `self`'s buffer, which keeps its memory from the
    /// group before: entries less than [`GAP`] apart in one read.
    pub(super) fn read(&mut self, path: &Path, group: &Group) -> Result<(), gix::Error> {
        self.runs.clear();
        self.buf.clear();
        let from = usize::from(group.stub);
        let mut total = 0u64;
        for (e, len) in group.entries[from..].iter().zip(&group.lens[from..]) {
            let (start, end) = (e.pack_offset, e.pack_offset + len);
            match self.runs.last_mut() {
                Some(run) if start <= run.1 + GAP => {
                    total += end - run.1;
                    run.1 = end;
                }
                _ => {
                    self.runs.push((start, end, total as usize));
                    total += end - start;
                }
            }
        }
        let total = usize::try_from(total).map_err(|_| damaged("a group larger than memory"))?;
        self.buf
            .try_reserve_exact(total)
            .map_err(|_| damaged("a group larger than memory"))?;
        let mut file = File::open(path).map_err(gix::Error::from_error)?;
        for &(start, end, _) in &self.runs {
            file.seek(SeekFrom::Start(start))
                .map_err(gix::Error::from_error)?;
            let read = (&mut file)
                .take(end - start)
                .read_to_end(&mut self.buf)
                .map_err(gix::Error::from_error)?;
            if read as u64 != end - start {
                return Err(damaged("it ends early"));
            }
        }
        Ok(())
    }

    /// The bytes from `range.start` to its end or its run's.
    fn entry(&self, range: pack::data::EntryRange) -> Option<&[u8]> {
        let k = self
            .runs
            .partition_point(|r| r.0 <= range.start)
            .checked_sub(1)?;
        let (start, end, at) = self.runs[k];
        if range.start >= end {
            return None;
        }
        let from = at + (range.start - start) as usize;
        let to = at + (range.end.min(end) - start) as usize;
        self.buf.get(from..to)
    }
}

/// A file read forward in chunks, for entry headers.
struct Chunked {
    file: File,
    /// Where `buf` starts in the file.
    start: u64,
    buf: Vec<u8>,
    /// The file ended within `buf`.
    eof: bool,
}

impl Chunked {
    fn open(path: &Path) -> Result<Chunked, gix::Error> {
        Ok(Chunked {
            file: File::open(path).map_err(gix::Error::from_error)?,
            start: 0,
            buf: Vec::with_capacity(CHUNK),
            eof: false,
        })
    }

    /// At least [`MAX_HEADER`] bytes from `offset` (fewer at the end of
    /// the file); offsets only grow.
    fn at(&mut self, offset: u64) -> Result<&[u8], gix::Error> {
        let in_buf =
            offset >= self.start && (offset - self.start) as usize + MAX_HEADER <= self.buf.len();
        // At the end of the file, what is left is all there is.
        let last = self.eof && offset >= self.start;
        if !(in_buf || last) {
            self.buf.clear();
            self.start = offset;
            self.file
                .seek(SeekFrom::Start(offset))
                .map_err(gix::Error::from_error)?;
            let read = (&mut self.file)
                .take(CHUNK as u64)
                .read_to_end(&mut self.buf)
                .map_err(gix::Error::from_error)?;
            self.eof = read < CHUNK;
        }
        self.buf
            .get((offset - self.start) as usize..)
            .filter(|b| !b.is_empty())
            .ok_or_else(|| damaged("it ends early"))
    }
}

/// The position of each entry's family base, given each entry's base
/// (`NONE` for a base itself). A cycle of deltas is an error.
fn roots(base: &[u32]) -> Result<Vec<u32>, gix::Error> {
    let mut root = vec![NONE; base.len()];
    let mut chain: Vec<u32> = Vec::new();
    for start in 0..base.len() {
        if root[start] != NONE {
            continue;
        }
        // Climb to a base, or to an entry whose base is known: every entry
        // is climbed over once.
        chain.clear();
        let mut at = start;
        let found = loop {
            if root[at] != NONE {
                break root[at];
            }
            if base[at] == NONE {
                break at as u32;
            }
            chain.push(at as u32);
            if chain.len() > base.len() {
                return Err(damaged("a cycle of deltas"));
            }
            at = base[at] as usize;
        };
        root[at] = found;
        for &c in &chain {
            root[c as usize] = found;
        }
    }
    Ok(root)
}

fn damaged(what: &str) -> gix::Error {
    gix::Error::from_error(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("the pack cannot be traversed: {what}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_follow_chains_in_any_order() {
        // 0 ← 1 ← 2, 3 alone, 4 → 5 (a base after its delta) ← 6.
        let base = [NONE, 0, 1, NONE, 5, NONE, 5];
        assert_eq!(roots(&base).unwrap(), [0, 0, 0, 3, 5, 5, 5]);
    }

    #[test]
    fn a_cycle_of_deltas_is_an_error() {
        let err = roots(&[NONE, 2, 1]).unwrap_err();
        assert!(err.to_string().contains("cycle"), "{err}");
    }

    #[test]
    fn chunked_reads_serve_every_offset_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        let len = 2 * CHUNK + 1000;
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut reader = Chunked::open(&path).unwrap();
        let mut offset = 0;
        while offset < len {
            let got = reader.at(offset as u64).unwrap();
            let want = &bytes[offset..];
            assert!(got.len() >= want.len().min(MAX_HEADER), "at {offset}");
            assert_eq!(
                &got[..want.len().min(MAX_HEADER)],
                &want[..want.len().min(MAX_HEADER)]
            );
            offset += 1 + offset % 997;
        }
        assert!(reader.at(len as u64).is_err(), "past the end");
    }

    #[test]
    fn the_stub_is_an_empty_blob() {
        let entry = pack::data::Entry::from_bytes(STUB, FIRST, gix::hash::Kind::Sha1).unwrap();
        assert_eq!(entry.header, pack::data::entry::Header::Blob);
        assert_eq!(entry.decompressed_size, 0);
    }
}
