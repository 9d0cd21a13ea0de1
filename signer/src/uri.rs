//! The canonical URI: the path, optionally normalized, then URI-encoded
//! once (S3) or twice (every other service).

use crate::encode::{escape_at, is_unreserved, push_ascii, push_escape};
use crate::Error;

/// How the path is canonicalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UriOptions {
    /// Remove `.` and `..` segments and collapse repeated slashes (every
    /// service but S3).
    pub normalize: bool,
    /// Encode the wire path as a whole, so an escape such as `%3A` becomes
    /// `%253A` (every service but S3). When false the path is encoded once:
    /// valid escapes are kept as sent and only bytes that are not yet encoded
    /// are escaped.
    pub double_encode: bool,
}

impl Default for UriOptions {
    fn default() -> Self {
        UriOptions {
            normalize: true,
            double_encode: true,
        }
    }
}

/// Appends the canonical URI of `path` (as on the request line, without
/// the query) to `out`. An empty path is `/`.
///
/// # Errors
/// [`Error::Path`] when a non-empty path does not start with `/`.
pub fn canonical_uri(path: &str, options: UriOptions, out: &mut String) -> Result<(), Error> {
    if path.is_empty() {
        out.push('/');
        return Ok(());
    }
    if !path.starts_with('/') {
        return Err(Error::Path {
            path: crate::error::excerpt(path),
        });
    }
    if !options.normalize {
        encode_path(path.as_bytes(), options.double_encode, out);
        return Ok(());
    }
    // RFC 3986 section 5.2.4 dot-segment removal, plus collapsing of empty
    // segments, written straight into `out`: `..` truncates what was written.
    let start = out.len();
    let mut ends_with_slash = false;
    for segment in path[1..].split('/') {
        ends_with_slash = matches!(segment, "" | "." | "..");
        match segment {
            "" | "." => {}
            ".." => {
                let parent = out[start..].rfind('/').unwrap_or(0);
                out.truncate(start + parent);
            }
            _ => {
                out.push('/');
                encode_path(segment.as_bytes(), options.double_encode, out);
            }
        }
    }
    if out.len() == start || ends_with_slash {
        out.push('/');
    }
    Ok(())
}

fn encode_path(path: &[u8], double_encode: bool, out: &mut String) {
    // `run..at` is a run of bytes kept as they are, copied with one push.
    let mut run = 0;
    let mut at = 0;
    while at < path.len() {
        let byte = path[at];
        if is_unreserved(byte) || byte == b'/' {
            at += 1;
            continue;
        }
        if !double_encode && escape_at(path, at).is_some() {
            // A valid escape is kept as sent (single encoding).
            at += 3;
            continue;
        }
        push_ascii(out, &path[run..at]);
        push_escape(out, byte);
        at += 1;
        run = at;
    }
    push_ascii(out, &path[run..]);
}

/// An upper bound of the length of `canonical_uri(path, ..)`'s output.
pub(crate) fn canonical_uri_len_bound(path: &str) -> usize {
    // Every byte becomes at most three; `/` may be added at either end.
    3 * path.len() + 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(path: &str, normalize: bool, double_encode: bool) -> String {
        let mut out = String::new();
        canonical_uri(
            path,
            UriOptions {
                normalize,
                double_encode,
            },
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn normalization_removes_dot_segments_and_repeated_slashes() {
        for (path, expected) in [
            ("", "/"),
            ("/", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/b/..", "/a/"),
            ("/a/./b/.", "/a/b/"),
            ("/../../a", "/a"),
            ("/a/...", "/a/..."),
        ] {
            assert_eq!(canonical(path, true, true), expected, "{path}");
        }
    }

    #[test]
    fn unnormalized_paths_are_kept() {
        assert_eq!(canonical("//a/./b/../", false, true), "//a/./b/../");
    }

    #[test]
    fn double_encoding_encodes_escapes_again() {
        assert_eq!(canonical("/a%3Ab c", true, true), "/a%253Ab%20c");
        assert_eq!(canonical("/a%3Ab c", false, false), "/a%3Ab%20c");
        assert_eq!(canonical("/100%", false, false), "/100%25");
    }

    #[test]
    fn a_path_without_leading_slash_is_an_error() {
        let mut out = String::new();
        let err = canonical_uri("a/b", UriOptions::default(), &mut out).unwrap_err();
        assert!(matches!(err, Error::Path { .. }));
        // As every error, it quotes at most 64 characters of the input.
        let long = "x".repeat(1 << 20);
        let err = canonical_uri(&long, UriOptions::default(), &mut out).unwrap_err();
        assert_eq!(
            err,
            Error::Path {
                path: format!("{}…", "x".repeat(64))
            }
        );
    }
}
