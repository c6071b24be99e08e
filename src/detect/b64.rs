//! Lenient base64 for validators: both alphabets, padding optional, decoding
//! into a caller's stack buffer so the engine does not allocate per hit.

/// Value of a base64 character in either the standard or url-safe alphabet.
#[inline]
pub(crate) fn value(b: u8) -> Option<u8> {
    let v = VALUES[usize::from(b)];
    (v != NONE).then_some(v)
}

/// [`value`] of every byte, [`NONE`] for a byte outside both alphabets.
const VALUES: [u8; 256] = {
    let mut t = [NONE; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => NONE,
        };
        b += 1;
    }
    t
};
const NONE: u8 = 0xff;

#[inline]
pub(crate) fn is_alphabet(b: u8) -> bool {
    VALUES[usize::from(b)] != NONE
}

/// Decodes `input` (alphabet characters only, no padding) into `out`,
/// returning the number of whole bytes written. Stops early when `out` is
/// full. A trailing single character (6 bits) carries no whole byte.
pub(crate) fn decode_into(input: &[u8], out: &mut [u8]) -> usize {
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut n = 0;
    for &c in input {
        let Some(v) = value(c) else { break };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            if n == out.len() {
                return n;
            }
            out[n] = (acc >> bits) as u8;
            n += 1;
            acc &= (1 << bits) - 1;
        }
    }
    n
}

/// Number of base64 characters that carry `bytes` bytes (without padding).
#[inline]
pub(crate) fn encoded_len(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_has_its_alphabet_value() {
        let standard = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for b in 0..=255u8 {
            let want = standard
                .iter()
                .position(|&c| c == b)
                .or(match b {
                    b'-' => Some(62),
                    b'_' => Some(63),
                    _ => None,
                })
                .map(|v| v as u8);
            assert_eq!(value(b), want, "{b}");
            assert_eq!(is_alphabet(b), want.is_some(), "{b}");
        }
    }

    #[test]
    fn decodes_both_alphabets_without_padding() {
        let mut buf = [0u8; 64];
        let n = decode_into(b"dG9rOmFiY2RlZmdoaQ", &mut buf);
        assert_eq!(&buf[..n], b"tok:abcdefghi");
        let n = decode_into(b"-_-_", &mut buf);
        assert_eq!(&buf[..n], &[0xfb, 0xff, 0xbf]);
        let n = decode_into(b"+/+/", &mut buf);
        assert_eq!(&buf[..n], &[0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn stops_when_the_buffer_is_full() {
        let mut buf = [0u8; 2];
        assert_eq!(decode_into(b"dG9rOmFi", &mut buf), 2);
        assert_eq!(&buf, b"to");
    }

    #[test]
    fn encoded_length() {
        assert_eq!(encoded_len(44), 59);
        assert_eq!(encoded_len(3), 4);
        assert_eq!(encoded_len(0), 0);
    }
}
