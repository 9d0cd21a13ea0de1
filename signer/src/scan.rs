//! Byte-class tests eight bytes at a time, in a `u64`.
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
fn has_byte_below(word: u64, bound: u8) -> bool {
    (word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGHS) != 0
}

/// Whether `bytes` holds a byte at or below the space: a space, a tab, a
/// line break or another control character.
pub(crate) fn has_space_or_control(bytes: &[u8]) -> bool {
    let word = |eight: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        u64::from_le_bytes(word)
    };
    let low = |word: u64| has_byte_below(word, 0x21);
    if bytes.len() < 8 {
        // One byte at a time: copying fewer than eight bytes into a word
        // would be a call to `memcpy`.
        return bytes.iter().fold(false, |found, &b| found | (b <= b' '));
    }
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    let found = chunks.fold(false, |found, chunk| found | low(word(chunk)));
    // A tail shorter than a word is read as the last eight bytes,
    // overlapping the word before: a second look changes no "any".
    found || (!tail.is_empty() && low(word(&bytes[bytes.len() - 8..])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_byte_by_byte_tests() {
        // Every byte value at every position of inputs up to 17 bytes long
        // (shorter than a word; two words and an overlapping tail), against
        // a background of plain letters and of high (UTF-8) bytes, which
        // must not mask a match.
        for background in [b'x', 0xc3, 0x80, 0xff, 0x21, 0x7e] {
            for len in 1..=17 {
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
