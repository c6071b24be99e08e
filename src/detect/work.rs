//! A deterministic measure of how much the validators read: every loop that
//! looks at the haystack charges the bytes it looks at. The automaton's own
//! pass is not counted (it is linear by construction).
//!
//! Tests use it to prove that the cost of an input grows linearly with its
//! size (`Detector::find_measured`), without timing anything: a hostile input
//! twice as long must cost about twice as much, and never more than a fixed
//! number of bytes read per input byte.

/// Bytes the validators looked at while judging one haystack.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Work {
    pub bytes_read: u64,
}

impl Work {
    #[inline]
    pub(crate) fn charge(&mut self, bytes: usize) {
        self.bytes_read += bytes as u64;
    }
}
