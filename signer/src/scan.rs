//! Byte-class tests eight bytes at a time, in a `u64`.
//!
//! Every signature checks each header value for control characters and
//! for spaces to trim. Written as a loop over bytes with several
//! comparisons each, the test compiled to scalar code in a default
//! (x86-64 baseline) build, a few instructions per byte; these cost a
//! few per eight bytes. No `unsafe`: words are read with
//! `u64::from_le_bytes`.

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Whether `test` holds for some word of eight bytes of `bytes`. A tail
/// shorter than eight bytes is read as the last eight bytes, overlapping
/// the word before (a second look at a byte does not change an "any"); a
/// whole input shorter than eight is tested one byte at a time, each in a
/// word of `pad`, a byte `test` does not look for. No variable-length
/// copy: that would be a call to `memcpy`.
fn any_word(bytes: &[u8], pad: u8, test: impl Fn(u64) -> bool) -> bool {
    let word = |eight: &[u8]| {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        u64::from_le_bytes(word)
    };
    if bytes.len() < 8 {
        let padding = (ONES * u64::from(pad)) & !0xff;
        return bytes
            .iter()
            .fold(false, |found, &b| found | test(padding | u64::from(b)));
    }
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    let mut found = chunks.fold(false, |found, chunk| found | test(word(chunk)));
    if !tail.is_empty() {
        found |= test(word(&bytes[bytes.len() - 8..]));
    }
    found
}

/// Whether some byte of `word` is below `bound` (at most 0x80). Exact as
/// a yes or no: a borrow can set the flag of a byte above a matching one,
/// never without one.
fn has_byte_below(word: u64, bound: u8) -> bool {
    (word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGHS) != 0
}

/// Whether some byte of `word` is `byte`.
fn has_byte(word: u64, byte: u8) -> bool {
    has_byte_below(word ^ (ONES * u64::from(byte)), 1)
}

/// Whether `bytes` holds a control character: below 0x20, or DEL.
pub(crate) fn has_control(bytes: &[u8]) -> bool {
    any_word(bytes, b'a', |word| {
        has_byte_below(word, 0x20) | has_byte(word, 0x7f)
    })
}

/// Whether `bytes` holds a byte at or below the space: a space, a tab, a
/// line break or another control character.
pub(crate) fn has_space_or_control(bytes: &[u8]) -> bool {
    any_word(bytes, b'a', |word| has_byte_below(word, 0x21))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_byte_by_byte_tests() {
        // Every byte value at every position of inputs up to 17 bytes long
        // (two words and a padded tail), against a background of plain
        // letters and of high (UTF-8) bytes, which must not mask a match.
        for background in [b'x', 0xc3, 0x80, 0xff, 0x21, 0x7e] {
            for len in 1..=17 {
                for at in 0..len {
                    for byte in 0..=255u8 {
                        let mut input = vec![background; len];
                        input[at] = byte;
                        let control = input.iter().any(|&b| b < 0x20 || b == 0x7f);
                        let space = input.iter().any(|&b| b <= 0x20);
                        assert_eq!(has_control(&input), control, "{input:?}");
                        assert_eq!(has_space_or_control(&input), space, "{input:?}");
                    }
                }
            }
        }
        assert!(!has_control(b""));
        assert!(!has_space_or_control(b""));
    }
}
