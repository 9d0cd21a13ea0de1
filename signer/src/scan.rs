//! Byte-class tests and comparisons eight bytes at a time, in a `u64`.
//!
//! Every signature looks for spaces and line breaks to trim in each header
//! value. Written as a loop over bytes with three comparisons each, that
//! test compiled to scalar code in a default (x86-64 baseline) build, a
//! few instructions per byte; this costs a few per eight bytes (callgrind:
//! 1,194 instructions to 472 for the five headers of the bench's POST).
//! No `unsafe`: words are read with `u64::from_le_bytes`.

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Whether some byte of `word` is below `bound` (at most 0x80). Exact as
/// a yes or no: a borrow can set the flag of a byte above a matching one,
/// never without one.
pub(crate) fn has_byte_below(word: u64, bound: u8) -> bool {
    (word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGHS) != 0
}

/// Whether `bytes` holds a byte at or below the space: a space, a tab, a
/// line break or another control character.
pub(crate) fn has_space_or_control(bytes: &[u8]) -> bool {
    any_word(bytes, |word| has_byte_below(word, 0x21))
}

/// Whether some byte of `word` is `byte` (below 0x80).
pub(crate) fn has_byte(word: u64, byte: u8) -> bool {
    has_byte_below(word ^ (ONES * u64::from(byte)), 1)
}

/// Whether `test`, a test of "some byte is ...", holds for some word of
/// `bytes`: words that together cover every byte of `bytes` and nothing
/// else, some bytes twice, which changes no "some".
///
/// Up to 32 bytes, the words are read without a loop (the last overlapping
/// the one before; below eight bytes, two overlapping halves, or the
/// first, middle and last byte). A loop over a short input ends with a
/// mispredicted branch in nearly every signature, so the signature's many
/// short checks paid one each: with the header values' search for spaces
/// to trim and the scope parts' check done this way, the POST of the
/// bench signs about 14 ns faster (in one process, both versions in the
/// same binary).
#[inline]
pub(crate) fn any_word(bytes: &[u8], test: impl Fn(u64) -> bool) -> bool {
    let len = bytes.len();
    let word = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    if len >= 8 {
        let last = test(word(len - 8));
        if len <= 16 {
            return test(word(0)) | last;
        }
        if len <= 32 {
            // Words at 0, 8 and 16 (or less, overlapping the last).
            return test(word(0)) | test(word(8)) | test(word(16.min(len - 8))) | last;
        }
        return bytes.chunks_exact(8).fold(last, |found, chunk| {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            found | test(u64::from_le_bytes(word))
        });
    }
    if len >= 4 {
        let half = |at: usize| {
            let mut half = [0u8; 4];
            half.copy_from_slice(&bytes[at..at + 4]);
            u64::from(u32::from_le_bytes(half))
        };
        return test(half(0) | half(len - 4) << 32);
    }
    match bytes {
        [] => false,
        [first, ..] => {
            // The first byte, the middle and the last; the first again in
            // the rest of the word.
            let (first, middle, last) = (u64::from(*first), bytes[len / 2], bytes[len - 1]);
            let word = (ONES * first) & !0xff_ffff
                | first
                | u64::from(middle) << 8
                | u64::from(last) << 16;
            test(word)
        }
    }
}

/// Whether `a` and `b` are the same bytes, for the short strings compared
/// on every cached signature (the cache entry's date, region, service and
/// secret; the remembered first blocks and key).
///
/// Not `a == b`, which calls `memcmp`: its branches that pick a method by
/// length are shared by every caller, whose lengths differ (8, 9, 3, 40,
/// 64, ...), and the processor mispredicts them. Here, inlined, the
/// length's branches are each caller's own, and the bytes are compared
/// without a branch: whole words (the last overlapping the one before),
/// or single bytes below eight. Measured in one process, both versions in
/// the same binary: cached signatures 8 to 10 ns faster (GET and POST).
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let len = a.len();
    if len < 8 {
        return a.iter().zip(b).fold(0, |diff, (x, y)| diff | (x ^ y)) == 0;
    }
    let word = |bytes: &[u8], at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(word)
    };
    let last = word(a, len - 8) ^ word(b, len - 8);
    let words = a.chunks_exact(8).zip(b.chunks_exact(8));
    words.fold(last, |diff, (x, y)| diff | (word(x, 0) ^ word(y, 0))) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_agrees_with_equality() {
        // Every length to three words and a bit, a difference at every
        // position, of every bit; and a length apart.
        for len in 0..=27 {
            let a: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert!(same_bytes(&a, &a.clone()), "{len}");
            for at in 0..len {
                for bit in 0..8 {
                    let mut b = a.clone();
                    b[at] ^= 1 << bit;
                    assert!(!same_bytes(&a, &b), "{len} {at} {bit}");
                }
            }
            let mut longer = a.clone();
            longer.push(0);
            assert!(!same_bytes(&a, &longer), "{len}");
        }
    }

    #[test]
    fn agrees_with_the_byte_by_byte_tests() {
        // Every byte value at every position of inputs up to 41 bytes long
        // (every way `any_word` reads: three bytes, two halves, two, four
        // and more words), against
        // a background of plain letters and of high (UTF-8) bytes, which
        // must not mask a match.
        for background in [b'x', 0xc3, 0x80, 0xff, 0x21, 0x7e] {
            for len in 1..=41 {
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut input = vec![background; len];
                        input[at] = byte;
                        let space = input.iter().any(|&b| b <= 0x20);
                        assert_eq!(has_space_or_control(&input), space, "{input:?}");
                    }
                }
            }
        }
        assert!(!has_space_or_control(b""));
    }
}
