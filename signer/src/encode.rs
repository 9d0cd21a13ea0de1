//! Percent-encoding as SigV4 defines it: RFC 3986 unreserved characters
//! (`A-Z a-z 0-9 - . _ ~`) stay as they are, every other byte becomes `%XX`
//! with upper-case hex. Written here rather than borrowed because it is the
//! part of SigV4 that implementations most often get subtly wrong.
//!
//! The encoders copy runs of bytes that need no escaping with one
//! `push_str` each, rather than a character at a time.

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `UNRESERVED[b]` is true for the RFC 3986 unreserved bytes.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// Whether SigV4 leaves `byte` unencoded (RFC 3986 section 2.3).
#[inline]
pub fn is_unreserved(byte: u8) -> bool {
    UNRESERVED[usize::from(byte)]
}

/// Appends `%XX` for `byte`, upper-case hex.
#[inline]
pub(crate) fn push_escape(out: &mut String, byte: u8) {
    out.push('%');
    out.push(UPPER_HEX[usize::from(byte >> 4)] as char);
    out.push(UPPER_HEX[usize::from(byte & 0x0f)] as char);
}

/// Appends bytes known to be ASCII (runs of unreserved bytes, hex digits).
#[inline]
pub(crate) fn push_ascii(out: &mut String, ascii: &[u8]) {
    match std::str::from_utf8(ascii) {
        Ok(text) => out.push_str(text),
        // Not reached: callers pass ASCII only. Stay correct regardless.
        Err(_) => out.extend(ascii.iter().map(|&b| char::from(b))),
    }
}

/// The lower-case hex digit of a nibble (`0..=15`), without a table or a
/// branch, so that [`hex32`]'s loops vectorize.
#[inline(always)]
fn lower_hex_digit(nibble: u8) -> u8 {
    let letter_gap = if nibble > 9 { b'a' - b'9' - 1 } else { 0 };
    nibble + b'0' + letter_gap
}

/// The lower-case hex of a SHA-256 digest (or any 32 bytes).
///
/// Written as two plain loops (digits, then interleaving) because the
/// compiler turns them into a few dozen SIMD instructions, about a third of
/// what a 256-entry pair table costs (checked in the generated code).
#[inline]
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut high = [0u8; 32];
    let mut low = [0u8; 32];
    for ((high, low), &byte) in high.iter_mut().zip(&mut low).zip(bytes) {
        *high = lower_hex_digit(byte >> 4);
        *low = lower_hex_digit(byte & 0x0f);
    }
    let mut out = [0u8; 64];
    for ((pair, &high), &low) in out.chunks_exact_mut(2).zip(&high).zip(&low) {
        pair[0] = high;
        pair[1] = low;
    }
    out
}

/// Appends the lower-case hex of 32 bytes.
#[inline]
pub(crate) fn push_hex32(out: &mut String, bytes: &[u8; 32]) {
    push_ascii(out, &hex32(bytes));
}

/// Appends `input` with every byte outside the unreserved set escaped.
/// With `keep_slash`, `/` is kept too (path segments).
pub fn uri_encode(input: &[u8], keep_slash: bool, out: &mut String) {
    match std::str::from_utf8(input) {
        Ok(text) => uri_encode_str(text, keep_slash, out),
        Err(_) => uri_encode_bytes(input, keep_slash, out),
    }
}

/// [`uri_encode`] of text: runs of unreserved characters are copied as
/// slices of `input`, with no further UTF-8 check.
pub(crate) fn uri_encode_str(input: &str, keep_slash: bool, out: &mut String) {
    let bytes = input.as_bytes();
    let mut run = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if is_unreserved(byte) || (keep_slash && byte == b'/') {
            continue;
        }
        out.push_str(input.get(run..at).unwrap_or_default());
        push_escape(out, byte);
        run = at + 1;
    }
    out.push_str(input.get(run..).unwrap_or_default());
}

fn uri_encode_bytes(input: &[u8], keep_slash: bool, out: &mut String) {
    let mut run = 0;
    for (at, &byte) in input.iter().enumerate() {
        if is_unreserved(byte) || (keep_slash && byte == b'/') {
            continue;
        }
        push_ascii(out, &input[run..at]);
        push_escape(out, byte);
        run = at + 1;
    }
    push_ascii(out, &input[run..]);
}

/// The length of `uri_encode(input, false, ..)`'s output.
pub(crate) fn uri_encoded_len(input: &[u8]) -> usize {
    input
        .iter()
        .map(|&b| if is_unreserved(b) { 1 } else { 3 })
        .sum()
}

/// Value of an ASCII hex digit.
#[inline]
pub(crate) fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes the `%XX` escape starting at `input[at]`, if there is a valid one.
#[inline]
pub(crate) fn escape_at(input: &[u8], at: usize) -> Option<u8> {
    if input.get(at) != Some(&b'%') {
        return None;
    }
    let high = hex_digit(*input.get(at + 1)?)?;
    let low = hex_digit(*input.get(at + 2)?)?;
    Some(high << 4 | low)
}

/// Appends `input` percent-decoded then re-encoded with the unreserved set,
/// in one pass. A `%` that does not start a valid escape is a literal `%`
/// (encoded as `%25`); `+` is a literal plus, never a space.
pub fn reencode(input: &[u8], out: &mut String) {
    match std::str::from_utf8(input) {
        Ok(text) => reencode_str(text, out),
        Err(_) => reencode_bytes(input, out),
    }
}

/// [`reencode`] of text: runs of unreserved characters are copied as
/// slices of `input`, with no further UTF-8 check.
pub(crate) fn reencode_str(input: &str, out: &mut String) {
    let bytes = input.as_bytes();
    let mut run = 0;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if is_unreserved(byte) {
            at += 1;
            continue;
        }
        out.push_str(input.get(run..at).unwrap_or_default());
        at += reencode_one(bytes, at, out);
        run = at;
    }
    out.push_str(input.get(run..).unwrap_or_default());
}

fn reencode_bytes(input: &[u8], out: &mut String) {
    // `run..at` is a run of unreserved bytes, copied as they are.
    let mut run = 0;
    let mut at = 0;
    while at < input.len() {
        if is_unreserved(input[at]) {
            at += 1;
            continue;
        }
        push_ascii(out, &input[run..at]);
        at += reencode_one(input, at, out);
        run = at;
    }
    push_ascii(out, &input[run..]);
}

/// Re-encodes the reserved byte or escape at `input[at]`; returns its
/// width in `input`.
#[inline]
fn reencode_one(input: &[u8], at: usize, out: &mut String) -> usize {
    match escape_at(input, at) {
        Some(decoded) if is_unreserved(decoded) => {
            out.push(char::from(decoded));
            3
        }
        Some(decoded) => {
            push_escape(out, decoded);
            3
        }
        None => {
            push_escape(out, input[at]);
            1
        }
    }
}

/// How the bytes of a query parameter's name or value become their
/// canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Form {
    /// As on the wire: decoded, then encoded ([`reencode`]).
    #[default]
    Wire,
    /// Not yet encoded ([`uri_encode`] without `keep_slash`).
    Plain,
    /// Already canonical: copied as it is.
    Canonical,
}

/// The canonical bytes of `input` in `form`, one at a time, without
/// writing them anywhere: for comparing parameters without a buffer.
#[derive(Clone)]
pub(crate) struct Encoded<'a> {
    input: &'a [u8],
    at: usize,
    form: Form,
    /// The rest of an escape being produced, last byte first.
    pending: [u8; 2],
    pending_len: u8,
}

impl<'a> Encoded<'a> {
    pub(crate) fn new(input: &'a [u8], form: Form) -> Encoded<'a> {
        Encoded {
            input,
            at: 0,
            form,
            pending: [0; 2],
            pending_len: 0,
        }
    }
}

impl Iterator for Encoded<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        if self.pending_len > 0 {
            self.pending_len -= 1;
            return Some(self.pending[usize::from(self.pending_len)]);
        }
        let byte = *self.input.get(self.at)?;
        let decoded = match self.form {
            Form::Canonical => {
                self.at += 1;
                return Some(byte);
            }
            Form::Wire => match escape_at(self.input, self.at) {
                Some(decoded) => {
                    self.at += 3;
                    decoded
                }
                None => {
                    self.at += 1;
                    byte
                }
            },
            Form::Plain => {
                self.at += 1;
                byte
            }
        };
        if is_unreserved(decoded) {
            return Some(decoded);
        }
        self.pending = [
            UPPER_HEX[usize::from(decoded & 0x0f)],
            UPPER_HEX[usize::from(decoded >> 4)],
        ];
        self.pending_len = 2;
        Some(b'%')
    }
}

/// Appends the canonical form of `input` in `form`.
#[inline]
pub(crate) fn push_encoded(input: &str, form: Form, out: &mut String) {
    match form {
        Form::Wire => reencode_str(input, out),
        Form::Plain => uri_encode_str(input, false, out),
        Form::Canonical => out.push_str(input),
    }
}

/// The length of the canonical form of `input` in `form`.
pub(crate) fn encoded_len(input: &[u8], form: Form) -> usize {
    match form {
        Form::Canonical => input.len(),
        Form::Plain => uri_encoded_len(input),
        Form::Wire => {
            let (mut at, mut len) = (0, 0);
            while at < input.len() {
                let (byte, width) = match escape_at(input, at) {
                    Some(decoded) => (decoded, 3),
                    None => (input[at], 1),
                };
                len += if is_unreserved(byte) { 1 } else { 3 };
                at += width;
            }
            len
        }
    }
}

/// Runs `f` on a scratch slice of `len` default values: on the stack when
/// `len <= N` (the common case: no heap allocation), on the heap otherwise.
pub(crate) fn with_scratch<T: Copy + Default, const N: usize, R>(
    len: usize,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    // Filling an array with defaults takes a store per word when `T` holds
    // a `&str` (an empty one's pointer is not zero, so no `memset`): 128
    // stores for 32 header pairs, 80 for 16 query parameters. Most requests
    // need far fewer, so a small array comes first: the GET of the bench
    // signs 54 ns faster in the lean form (two builds of each side).
    const SMALL: usize = 8;
    if len <= SMALL {
        let mut stack = [T::default(); SMALL];
        f(&mut stack[..len])
    } else if len <= N {
        let mut stack = [T::default(); N];
        f(&mut stack[..len])
    } else {
        let mut heap = vec![T::default(); len];
        f(&mut heap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(input: &str, keep_slash: bool) -> String {
        let mut out = String::new();
        uri_encode(input.as_bytes(), keep_slash, &mut out);
        out
    }

    fn reencoded(input: &str) -> String {
        let mut out = String::new();
        reencode(input.as_bytes(), &mut out);
        out
    }

    #[test]
    fn hex32_matches_the_hex_crate_for_every_byte_value() {
        for chunk in 0..8u8 {
            let bytes: [u8; 32] = std::array::from_fn(|i| chunk * 32 + i as u8);
            assert_eq!(hex32(&bytes), hex::encode(bytes).as_bytes());
        }
    }

    #[test]
    fn unreserved_characters_are_kept() {
        assert_eq!(encoded("AZaz09-._~", false), "AZaz09-._~");
    }

    #[test]
    fn reserved_characters_use_upper_case_hex() {
        assert_eq!(encoded("a b+c/d*ሴ", false), "a%20b%2Bc%2Fd%2A%E1%88%B4");
        assert_eq!(encoded("/a b/", true), "/a%20b/");
    }

    #[test]
    fn reencode_normalizes_escapes_and_keeps_plus() {
        assert_eq!(reencoded("a%2fb%7E+%20"), "a%2Fb~%2B%20");
        assert_eq!(reencoded("100%"), "100%25");
        assert_eq!(reencoded("%zz%4"), "%25zz%254");
    }
}
