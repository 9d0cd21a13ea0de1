//! The one error type of the signer. Every variant names the part of the
//! input that was wrong, so a caller can point a user at it.

use std::fmt;

/// Why a request could not be signed (or, for the verifier, checked).
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
    /// The session token holds control characters or line breaks.
    SessionToken,
    /// A caller-given payload hash is empty or holds characters that cannot
    /// appear on one line of the canonical request.
    PayloadHash {
        /// The value that was given.
        value: String,
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
                "invalid session token: it must not hold control characters or line breaks"
            ),
            Error::PayloadHash { value } => write!(
                f,
                "invalid payload hash {value:?}: it must be non-empty printable ASCII without \
                 spaces"
            ),
            Error::Expiry { seconds } => write!(
                f,
                "invalid presigned URL lifetime {seconds} s: it must be 1..=604800 (7 days)"
            ),
        }
    }
}

impl std::error::Error for Error {}
