//! The path a policy sees. API Gateway matches resources, and IAM matches
//! `execute-api` ARNs, on the decoded, normalized path, not on the bytes of
//! the request line. Policies must see the same: otherwise `/prod/./secret`,
//! `/prod/x/../secret` or `/prod/%73ecret` name the resource that a Deny on
//! `*/prod/GET/secret` protects, yet escape it.

/// The segments of `path` (as on the request line, without the query) as a
/// policy sees them, in one canonical spelling per segment:
///
/// - each segment is percent-decoded; a decoded byte that is visible ASCII
///   (`!` to `~`) stands for itself, except `/` and `%`;
/// - `/`, `%`, spaces, control bytes and non-ASCII bytes are spelled
///   `%XX`, upper-case, however they were sent. So `%2F` never becomes a
///   segment boundary, and `%2f`, `%2F` are the same resource;
/// - then, as RFC 3986 section 5.2.4 and the signature's normalization do,
///   empty segments and `.` are dropped and `..` drops the segment before
///   it. This happens after decoding: `%2E%2E` is `..` here, as it is to a
///   backend that decodes the path before it resolves it.
///
/// Every spelling of one path therefore gives one list of segments, and a
/// segment never holds `/`.
pub fn segments(path: &str) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for raw in path.split('/') {
        let segment = decode_segment(raw.as_bytes());
        match segment.as_str() {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            _ => kept.push(segment),
        }
    }
    kept
}

/// One segment in the spelling [`segments`] describes.
fn decode_segment(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut at = 0;
    while let Some(&byte) = raw.get(at) {
        let (decoded, width) = match escape_at(raw, at) {
            Some(decoded) => (decoded, 3),
            None => (byte, 1),
        };
        if decoded.is_ascii_graphic() && decoded != b'/' && decoded != b'%' {
            out.push(char::from(decoded));
        } else {
            out.push_str(&format!("%{decoded:02X}"));
        }
        at += width;
    }
    out
}

/// The byte of the `%XX` escape at `raw[at]`, if one is there.
fn escape_at(raw: &[u8], at: usize) -> Option<u8> {
    if raw.get(at) != Some(&b'%') {
        return None;
    }
    let hex = std::str::from_utf8(raw.get(at + 1..at + 3)?).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::segments;

    fn joined(path: &str) -> String {
        segments(path).join("/")
    }

    #[test]
    fn dot_segments_and_empty_segments_are_resolved() {
        assert_eq!(joined("/prod/pets/1"), "prod/pets/1");
        assert_eq!(joined("/prod/./secret"), "prod/secret");
        assert_eq!(joined("/prod/x/../secret"), "prod/secret");
        assert_eq!(joined("/prod//pets///1/"), "prod/pets/1");
        assert_eq!(joined("/prod/../../../secret"), "secret");
        assert_eq!(joined("/"), "");
        assert_eq!(joined(""), "");
    }

    #[test]
    fn escapes_are_decoded_to_one_spelling() {
        assert_eq!(joined("/prod/%73ecret"), "prod/secret");
        assert_eq!(joined("/prod/%2e%2E/secret"), "secret");
        assert_eq!(joined("/prod/pets%3Asearch"), "prod/pets:search");
        assert_eq!(joined("/prod/a%20b%C3%A9"), "prod/a%20b%C3%A9");
        assert_eq!(joined("/prod/100%"), "prod/100%25");
        assert_eq!(joined("/prod/100%25"), "prod/100%25");
        assert_eq!(joined("/prod/%zz"), "prod/%25zz");
    }

    #[test]
    fn an_encoded_slash_never_splits_a_segment() {
        assert_eq!(
            segments("/prod/x%2F..%2Fsecret"),
            ["prod", "x%2F..%2Fsecret"]
        );
        assert_eq!(segments("/prod/a%2fb"), ["prod", "a%2Fb"]);
        assert_eq!(segments("/prod/%2F"), ["prod", "%2F"]);
    }
}
