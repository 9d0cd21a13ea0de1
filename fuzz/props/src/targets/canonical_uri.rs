//! Canonical URI: normalization, single and double encoding.
//!
//! Properties: never panics; an error exactly for a non-empty path without
//! a leading `/`; the result equals an independent model (stack-based dot
//! segment removal, then encoding); only unreserved characters, `/` and
//! `%XX` escapes (upper case when double encoding); once normalized, no
//! empty, `.` or `..` segment (no `//`, `/./`, `/../`); with double
//! encoding, decoding the result once gives back the (normalized) path;
//! with single encoding, canonicalizing the result again changes nothing.

use crate::model;
use crate::text::Text;
use sigv4_signer::{canonical_uri, Error, UriOptions};

crate::input! {
    /// A path as on the request line and the two path options.
    pub struct Input {
        pub path: Text,
        pub normalize: bool,
        pub double_encode: bool,
    }
}

fn canonical(path: &str, normalize: bool, double_encode: bool) -> Result<String, Error> {
    let mut out = String::new();
    canonical_uri(
        path,
        UriOptions {
            normalize,
            double_encode,
        },
        &mut out,
    )
    .map(|()| out)
}

/// Checks every property for `input`; panics on a violation.
pub fn check(input: &Input) {
    let path = input.path.as_str();
    let result = canonical(path, input.normalize, input.double_encode);
    if !path.is_empty() && !path.starts_with('/') {
        assert!(
            matches!(result, Err(Error::Path { .. })),
            "a relative path must be refused: {result:?}"
        );
        return;
    }
    let out = result.expect("an absolute path is always accepted");
    assert!(out.starts_with('/'), "{out:?} does not start with /");
    assert_eq!(
        out,
        model::canonical_uri(path, input.normalize, input.double_encode),
        "differs from the model"
    );
    let bytes = out.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b == b'%' {
            let hex = &out[at + 1..at + 3];
            assert!(
                hex.bytes().all(|h| h.is_ascii_hexdigit()),
                "{out:?}: a % that is not an escape"
            );
            if input.double_encode {
                assert!(
                    !hex.bytes().any(|h| h.is_ascii_lowercase()),
                    "{out:?}: lower-case hex"
                );
            }
            at += 3;
        } else {
            assert!(
                model::unreserved(b) || b == b'/',
                "{out:?}: byte {b:#04x} is not encoded"
            );
            at += 1;
        }
    }
    if input.normalize {
        let segments: Vec<&str> = out[1..].split('/').collect();
        let last = segments.len() - 1;
        for (i, segment) in segments.iter().enumerate() {
            assert!(
                *segment != "." && *segment != "..",
                "{out:?}: a dot segment survived normalization"
            );
            assert!(
                !segment.is_empty() || i == last,
                "{out:?}: an empty segment survived normalization"
            );
        }
    }
    if input.double_encode {
        let source = if input.normalize {
            model::normalize(path)
        } else if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        };
        assert_eq!(
            model::percent_decode(&out),
            source.as_bytes(),
            "decoding the double-encoded path once does not give the path"
        );
    } else {
        let again = canonical(&out, input.normalize, false).expect("absolute");
        assert_eq!(again, out, "single encoding is not idempotent");
    }
}
