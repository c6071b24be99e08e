//! Step 3's first half: the old sides of a hit, read to keep, for each
//! occurrence, the matches on lines it adds ([`added_lines`]).
//!
//! Old sides that fit in the window are read whole (decoded when UTF-16)
//! and compared line by line, as always. One larger than the window is
//! read in order, never whole: only the lines the matches sit on are
//! looked for in it, by [`LineKey`], and a blob read in windows has only
//! keys of its lines to compare, so any of its old sides is compared that
//! way. Each old side is read once per blob, however many occurrences
//! share it.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::{Text, Window, text};
use crate::detect::Match;
use crate::finding::Problem;
use crate::policy::added_lines::{self, FindLines, LineKey};
use crate::source::blob::{Blob, BlobId, Content, Reader, Stream};

/// An old side as read.
enum Side {
    /// In memory (decoded when UTF-16).
    Text(Vec<u8>),
    /// Larger than the window: which of the wanted lines it holds.
    Found(HashSet<LineKey>),
    /// It could not be read: every match of the occurrence counts.
    Unreadable,
}

/// The lines the matches of a hit sit on, by key: per match, and all.
struct Wanted {
    spanned: Vec<Vec<LineKey>>,
    all: HashSet<LineKey>,
}

impl Wanted {
    fn of(new: &Text, matches: &[Match]) -> Wanted {
        let spanned = match new {
            Text::Whole(data) => added_lines::spanned_keys(data, matches),
            Text::Located(located) => located.spanned_keys(),
        };
        let all = spanned.iter().flatten().copied().collect();
        Wanted { spanned, all }
    }
}

/// Per occurrence of `blob`, its matches on lines none of its old sides
/// holds (all of them when it has no old side, or one cannot be read).
pub(super) fn added<R: Reader>(
    reader: &mut R,
    window: Window,
    blob: &Blob,
    new: &Text,
    matches: &[Match],
    problems: &mut Vec<Problem>,
) -> Vec<Vec<Match>> {
    let mut sides: HashMap<ObjectId, Side> = HashMap::new();
    let mut wanted: Option<Wanted> = None;
    // What the sides in memory hold of the wanted lines, once asked by key.
    let mut in_text: HashMap<ObjectId, HashSet<LineKey>> = HashMap::new();
    blob.occurrences
        .iter()
        .map(|o| {
            let ids = o.old_ids();
            if ids.is_empty() {
                return matches.to_vec();
            }
            for id in &ids {
                if !sides.contains_key(id) {
                    let side = read(
                        reader,
                        window,
                        *id,
                        &o.path,
                        new,
                        matches,
                        &mut wanted,
                        problems,
                    );
                    sides.insert(*id, side);
                }
            }
            let got: Vec<&Side> = ids.iter().filter_map(|id| sides.get(id)).collect();
            if got.iter().any(|s| matches!(s, Side::Unreadable)) {
                return matches.to_vec();
            }
            let texts: Vec<&[u8]> = got
                .iter()
                .filter_map(|s| match s {
                    Side::Text(t) => Some(t.as_slice()),
                    _ => None,
                })
                .collect();
            if let Text::Whole(data) = new
                && texts.len() == got.len()
            {
                return added_lines::keep_added(&texts, data, matches.to_vec());
            }
            let wanted = wanted.get_or_insert_with(|| Wanted::of(new, matches));
            for id in &ids {
                if let Some(Side::Text(t)) = sides.get(id) {
                    in_text.entry(*id).or_insert_with(|| {
                        let mut find = FindLines::new(&wanted.all);
                        find.feed(t);
                        find.finish()
                    });
                }
            }
            let found: Vec<&HashSet<LineKey>> = ids
                .iter()
                .filter_map(|id| match sides.get(id) {
                    Some(Side::Found(f)) => Some(f),
                    Some(Side::Text(_)) => in_text.get(id),
                    _ => None,
                })
                .collect();
            added_lines::keep_added_by_keys(Some(&found), &wanted.spanned, matches)
        })
        .collect()
}

/// Read the old side `id` (at `path`).
#[allow(clippy::too_many_arguments)]
fn read<R: Reader>(
    reader: &mut R,
    window: Window,
    id: ObjectId,
    path: &[u8],
    new: &Text,
    matches: &[Match],
    wanted: &mut Option<Wanted>,
    problems: &mut Vec<Problem>,
) -> Side {
    match reader.open(&BlobId::Object(id), path, window.bytes()) {
        Ok(Content::Whole(data)) if window.holds(data.len() as u64) => {
            Side::Text(text::old_side(data))
        }
        Ok(content) => {
            let wanted = wanted.get_or_insert_with(|| Wanted::of(new, matches));
            match lines_found(content, &wanted.all) {
                Ok(found) => Side::Found(found),
                Err(problem) => {
                    problems.push(problem);
                    Side::Unreadable
                }
            }
        }
        Err(problem) => {
            problems.push(problem);
            Side::Unreadable
        }
    }
}

/// Bytes of an old side read (and decoded) at a time.
const PIECE: usize = 1024 * 1024;

/// Which of `wanted` are lines of an old side too large for the window,
/// read in pieces (decoded when UTF-16, as [`text::old_side`] decodes).
fn lines_found(
    content: Content<'_>,
    wanted: &HashSet<LineKey>,
) -> Result<HashSet<LineKey>, Problem> {
    let mut find = FindLines::new(wanted);
    match content {
        Content::Whole(data) => {
            let mut feed = Feed::new(&data);
            for piece in data.chunks(PIECE) {
                feed.piece(piece, &mut find);
            }
            feed.finish(&mut find);
        }
        Content::Stream(Stream {
            head,
            mut rest,
            fail,
        }) => {
            use std::io::Read;
            let mut piece = head;
            // Enough of the start to tell UTF-16 from the rest.
            let sniff = text::SNIFF_BYTES as u64;
            if (piece.len() as u64) < sniff {
                let more = sniff - piece.len() as u64;
                Read::take(&mut rest, more)
                    .read_to_end(&mut piece)
                    .map_err(&fail)?;
            }
            let mut feed = Feed::new(&piece);
            loop {
                feed.piece(&piece, &mut find);
                piece.clear();
                let n = Read::take(&mut rest, PIECE as u64)
                    .read_to_end(&mut piece)
                    .map_err(&fail)?;
                if n == 0 {
                    break;
                }
            }
            feed.finish(&mut find);
        }
    }
    Ok(find.finish())
}

/// Hands an old side's pieces to [`FindLines`], decoded when it is UTF-16.
struct Feed {
    decoder: Option<text::Utf16Decoder>,
    decoded: Vec<u8>,
}

impl Feed {
    /// For a side that starts with `first`.
    fn new(first: &[u8]) -> Feed {
        Feed {
            decoder: text::utf16_order(first)
                .map(|(order, from)| text::Utf16Decoder::new(order, from)),
            decoded: Vec::new(),
        }
    }

    fn piece(&mut self, piece: &[u8], find: &mut FindLines<'_>) {
        match &mut self.decoder {
            Some(decoder) => {
                self.decoded.clear();
                decoder.feed(piece, &mut self.decoded);
                find.feed(&self.decoded);
            }
            None => find.feed(piece),
        }
    }

    fn finish(&mut self, find: &mut FindLines<'_>) {
        if let Some(decoder) = &mut self.decoder {
            self.decoded.clear();
            decoder.finish(&mut self.decoded);
            find.feed(&self.decoded);
        }
    }
}
