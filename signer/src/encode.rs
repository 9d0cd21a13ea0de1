//! Percent-encoding as SigV4 defines it: RFC 3986 unreserved characters
//! (`A-Z a-z 0-9 - . _ ~`) stay as they are, every other byte becomes `%XX`
//! with upper-case hex. Written here rather than borrowed because it is the
//! part of SigV4 that implementations most often get subtly wrong.

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether SigV4 leaves `byte` unencoded (RFC 3986 section 2.3).
#[inline]
pub fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Appends `%XX` for `byte`, upper-case hex.
#[inline]
pub(crate) fn push_escape(out: &mut String, byte: u8) {
    out.push('%');
    out.push(UPPER_HEX[usize::from(byte >> 4)] as char);
    out.push(UPPER_HEX[usize::from(byte & 0x0f)] as char);
}

/// Appends `input` with every byte outside the unreserved set escaped.
/// With `keep_slash`, `/` is kept too (path segments).
pub fn uri_encode(input: &[u8], keep_slash: bool, out: &mut String) {
    for &byte in input {
        if is_unreserved(byte) || (keep_slash && byte == b'/') {
            out.push(byte as char);
        } else {
            push_escape(out, byte);
        }
    }
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
    let mut at = 0;
    while at < input.len() {
        let (byte, width) = match escape_at(input, at) {
            Some(decoded) => (decoded, 3),
            None => (input[at], 1),
        };
        if is_unreserved(byte) {
            out.push(byte as char);
        } else {
            push_escape(out, byte);
        }
        at += width;
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
