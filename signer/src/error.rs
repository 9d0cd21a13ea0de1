//! The one error type of the signer. Every variant names the part of the
//! input that was wrong, so a caller can point a user at it.

use std::fmt;

/// Why a request could not be signed (or, for the verifier, checked).
///
/// A field holding text from the input keeps at most its first 64
/// characters (marked `…` when cut), so a message stays short enough for a
/// log line or a server's answer whatever the input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The signing time is not an RFC 3339 UTC instant or an `X-Amz-Date`.
    Time {
        /// The text that was given.
        input: String,
    },
    /// The HTTP method is empty or holds characters outside an HTTP token.
    Method {
        /// The method that was given.
        method: String,
    },
    /// The path does not start with `/`.
    Path {
        /// The path that was given.
        path: String,
    },
    /// A header name is empty or holds characters outside an HTTP token.
    HeaderName {
        /// The name that was given.
        name: String,
    },
    /// A header value holds a control character, or a line break that is
    /// not a folded continuation line.
    HeaderValue {
        /// The header's name.
        name: String,
        /// What is wrong with the value.
        reason: &'static str,
    },
    /// The request has no `Host` header; SigV4 requires `host` to be signed.
    MissingHost,
    /// The `Host` header is empty, or given twice (a server would route by
    /// one of the two while both are signed).
    Host {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A caller's `x-amz-content-sha256` header disagrees with the payload
    /// hash the signature covers; a server takes the header's value as the
    /// payload hash, so the signature could never verify.
    ContentSha256 {
        /// The header's value.
        header: String,
        /// The payload hash of the canonical request.
        payload_hash: String,
    },
    /// The query already holds a parameter that the signer writes itself
    /// (the `X-Amz-*` parameters of a presigned URL).
    QueryParameter {
        /// The parameter's name.
        name: String,
    },
    /// The secret access key is empty.
    SecretAccessKey,
    /// The path or query holds a control character (CR, LF, NUL, DEL…),
    /// which cannot travel on a request line: written out as given, it
    /// would split the request.
    ControlCharacter {
        /// `"path"` or `"query"`.
        part: &'static str,
    },
    /// The path holds `?` or `#`, or the query holds `#`: on a request
    /// line a `?` starts the query, and a `#` starts a fragment, which is
    /// never sent, so the server would see another request than the one
    /// signed.
    Delimiter {
        /// `"path"` or `"query"`.
        part: &'static str,
        /// `'?'` or `'#'`.
        delimiter: char,
    },
    /// A scope part (region or service) is empty or holds `/`, `,`,
    /// whitespace or control characters, which would make the credential
    /// scope or the Authorization header ambiguous.
    Scope {
        /// `"region"` or `"service"`.
        part: &'static str,
        /// The value that was given.
        value: String,
    },
    /// The access key id is empty or holds `/`, `,`, `=`, whitespace or
    /// control characters, which would make the `Credential` ambiguous.
    AccessKeyId,
    /// The session token is empty or holds control characters or line
    /// breaks.
    SessionToken,
    /// A caller-given payload hash is empty or holds characters that cannot
    /// appear on one line of the canonical request.
    PayloadHash {
        /// The value that was given.
        value: String,
    },
    /// A header signature over a payload hash that is not the body's hash
    /// (`UNSIGNED-PAYLOAD`, a `STREAMING-` mode), with no
    /// `x-amz-content-sha256` header to tell the server so: it would hash
    /// the body, and the signature could never match.
    PayloadHashNotSent {
        /// The payload hash signed.
        payload_hash: String,
    },
    /// A presigned URL's lifetime is outside 1..=604800 seconds (7 days).
    Expiry {
        /// The number of seconds that was given.
        seconds: u64,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Time { input } => write!(
                f,
                "invalid signing time {input:?}: expected an RFC 3339 UTC instant such as \
                 2015-08-30T12:36:00Z, or 20150830T123600Z"
            ),
            Error::Method { method } => write!(f, "invalid HTTP method {method:?}"),
            Error::Path { path } => write!(f, "invalid path {path:?}: it must start with '/'"),
            Error::HeaderName { name } => write!(f, "invalid header name {name:?}"),
            Error::HeaderValue { name, reason } => {
                write!(f, "invalid value for header {name:?}: {reason}")
            }
            Error::MissingHost => write!(
                f,
                "the request has no Host header; SigV4 requires host to be signed"
            ),
            Error::Host { reason } => write!(f, "invalid Host header: {reason}"),
            Error::ContentSha256 {
                header,
                payload_hash,
            } => write!(
                f,
                "the request's x-amz-content-sha256 header is {header:?} but the signature \
                 covers the payload hash {payload_hash:?}; a server takes the header's value, so \
                 set Settings::payload to match it (Unsigned, or Precomputed) or drop the header"
            ),
            Error::QueryParameter { name } => write!(
                f,
                "the query already holds {name}, a parameter the signer writes itself; remove \
                 it (to sign a presigned URL again, start from the URL without its X-Amz-* \
                 parameters)"
            ),
            Error::SecretAccessKey => write!(f, "the secret access key is empty"),
            Error::ControlCharacter { part } => write!(
                f,
                "the {part} holds a control character, which cannot be sent on a request line; \
                 percent-encode it"
            ),
            Error::Delimiter { part, delimiter } => write!(
                f,
                "the {part} holds {delimiter:?}, which {} on a request line; percent-encode it \
                 ({})",
                if *delimiter == '?' {
                    "starts the query"
                } else {
                    "starts a fragment, never sent,"
                },
                if *delimiter == '?' { "%3F" } else { "%23" }
            ),
            Error::Scope { part, value } => write!(
                f,
                "invalid {part} {value:?}: it must be non-empty, without '/', ',', whitespace \
                 or control characters"
            ),
            Error::AccessKeyId => write!(
                f,
                "invalid access key id: it must be non-empty, without '/', ',', '=', whitespace \
                 or control characters"
            ),
            Error::SessionToken => write!(
                f,
                "invalid session token: it must be non-empty, without control characters or \
                 line breaks"
            ),
            Error::PayloadHash { value } => write!(
                f,
                "invalid payload hash {value:?}: it must be non-empty printable ASCII without \
                 spaces"
            ),
            Error::PayloadHashNotSent { payload_hash } => write!(
                f,
                "the payload hash is {payload_hash:?}, but no x-amz-content-sha256 header sends \
                 it: a server would hash the body and never match; set \
                 Settings::content_sha256_header (S3 and the services that take an unsigned \
                 payload want it)"
            ),
            Error::Expiry { seconds } => write!(
                f,
                "invalid presigned URL lifetime {seconds} s: it must be 1..=604800 (7 days)"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// At most the first 64 characters of `text`, marked `…` when cut: what
/// an error keeps of input that may be arbitrarily long (a message that
/// goes into a server's answer or log must stay short).
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn an_excerpt_keeps_64_characters_and_marks_a_cut() {
        assert_eq!(excerpt("short"), "short");
        let exact = "é".repeat(64);
        assert_eq!(excerpt(&exact), exact);
        let long = "é".repeat(1 << 20);
        assert_eq!(excerpt(&long), format!("{}…", "é".repeat(64)));
        let shown = crate::SigningTime::parse(&"x".repeat(1 << 20))
            .expect_err("not a time")
            .to_string();
        assert!(shown.len() < 300, "{}", shown.len());
    }
}
