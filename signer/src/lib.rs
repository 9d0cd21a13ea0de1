//! A minimal, exact AWS Signature Version 4 (`AWS4-HMAC-SHA256`) signer
//! that exposes every intermediate: canonical URI, query and headers,
//! canonical request, string to sign, signing key and signature.
//!
//! Each stage is a public function over borrowed input, so tests, fuzz
//! targets and the conformance harness call exactly what the signer calls.
//! [`sign_headers`] and [`presign`] assemble them. Malformed input gives an
//! [`Error`] naming the bad part; nothing here panics on input.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod encode;
mod error;
mod headers;
mod key;
mod query;
mod scan;
mod sign;
mod time;
mod uri;
pub mod verify;

pub use encode::{is_unreserved, reencode, uri_encode};
pub use error::Error;
pub use headers::canonical_headers;
pub use key::{KeyCache, SigningKey};
pub use query::canonical_query;
pub use sign::{
    canonical_request, credential_scope, payload_hash, presign, sign, sign_headers, sign_into,
    string_to_sign, Credentials, Expiry, Location, Payload, Request, Settings, Signed,
    SignedRequest, Signer, SigningParams, ALGORITHM, UNSIGNED_PAYLOAD,
};
pub use time::SigningTime;
pub use uri::{canonical_uri, UriOptions};
