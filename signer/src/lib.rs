//! A minimal, exact AWS Signature Version 4 (`AWS4-HMAC-SHA256`) signer
//! that exposes every intermediate: canonical URI, query and headers,
//! canonical request, string to sign, signing key and signature.
//!
//! Each stage is a public function over borrowed input, so tests, fuzz
//! targets and the conformance harness call exactly what the signer calls.
//! The functions below assemble them. Malformed input gives an [`Error`]
//! (or, verifying, a [`verify::VerifyError`]) naming the bad part; nothing
//! here panics on input.
//!
//! # Which function to use
//!
//! Every signing function takes a [`Request`] and [`SigningParams`] and
//! gives a [`Signed`]: the request to send and every intermediate. They
//! differ only in where the signature goes, whether derived signing keys
//! are kept, and whether the output's memory is reused. The lean form,
//! [`SigningHeaders`], gives only the headers to set on the request
//! (`X-Amz-Date`, `Authorization` and the like), with the intermediates
//! read through its accessors; nothing of the request is copied.
//!
//! | To | Use | Signing key | Output memory |
//! |---|---|---|---|
//! | sign one request in the `Authorization` header | [`sign_headers`] | derived each call | a new [`Signed`] |
//! | make a presigned URL | [`presign`], with an [`Expiry`] | derived each call | a new [`Signed`] |
//! | choose the [`Location`] at run time | [`sign()`] | derived each call | a new [`Signed`] |
//! | sign many requests | [`Signer::sign`] | kept in the [`Signer`]'s [`KeyCache`] | a new [`Signed`] |
//! | sign many requests without allocating | [`Signer::sign_into`] | kept in the cache | reused: once the [`Signed`] has held a request of the same shape, signing allocates nothing |
//! | add only the signing headers to a request you hold, fastest | [`Signer::signing_headers_into`] | kept in the cache | a reused [`SigningHeaders`] instead of a [`Signed`]: once it has held a request of the same shape, signing allocates nothing ([`Signer::signing_headers`] returns a new one) |
//! | reuse memory but keep no key between requests | [`sign_into()`] | derived each call, none kept | reused, as [`Signer::sign_into`] |
//! | verify a received request | [`verify::verify`] | kept in a [`KeyCache`] you pass | a new [`verify::Verified`] |
//! | verify many requests without allocating | [`verify::verify_into`], with a reused [`verify::VerifyScratch`] | kept in the cache | reused: once the scratch has verified a request of the same shape (with a warm cache and a lookup that does not allocate), verifying allocates nothing |
//!
//! The functions that return a new [`Signed`] allocate only the strings it
//! holds. Beyond that, in every row: a key's first use in a [`KeyCache`]
//! adds an entry to it, and a request with more than 32 headers or 16
//! query parameters (a presigned URL's `X-Amz-*` ones included) is sorted
//! in a scratch buffer on the heap.
//!
//! The key cache is looked up by the exact secret, date, region and
//! service, so a rotated secret never reuses a stale key; it keeps 32
//! entries, evicting the oldest. A `Signed` passed to
//! [`Signer::sign_into`] also remembers the cache entry and hash states of
//! its last signature, so the next one for the same scope (and endpoint,
//! and second) does less work; the free [`sign_into()`] clears them.
//!
//! Examples with published values: [`sign_headers`], [`presign`],
//! [`Signer::sign_into`], [`Signer::signing_headers_into`], and [`verify`]
//! (a round trip).
//!
//! # What is safe to log
//!
//! The secret access key and the signing key never appear in a `Debug`
//! form: [`Credentials`] shows `..` for the secret and for the session
//! token, [`SigningKey`] shows `SigningKey(..)`, and [`KeyCache`],
//! [`verify::KnownKey`], [`verify::KnownKeyRef`] and
//! [`verify::VerifyScratch`] show no key material, nor does
//! [`SigningHeaders`]. A session token, however, does appear in the `Debug`
//! form of [`Signed`] and [`SigningHeaders`] (in the request or headers
//! to send and, when signed, the canonical request) and of the verifier's
//! results ([`verify::Verified`], [`verify::VerifiedRef`], and the
//! recomputed canonical request of
//! [`verify::VerifyError::SignatureMismatch`]): it travels on the wire
//! anyway, but log those as you would log the request itself.
//!
//! ```
//! use sigv4_signer::{sign_headers, Credentials, Request, Settings, SigningParams, SigningTime};
//! let credentials = Credentials {
//!     access_key_id: "AKIDEXAMPLE",
//!     secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!     session_token: Some("TOKEN"),
//! };
//! assert!(!format!("{credentials:?}").contains("TOKEN"));
//! let params = SigningParams {
//!     credentials,
//!     region: "us-east-1",
//!     service: "service",
//!     time: SigningTime::parse("2015-08-30T12:36:00Z")?,
//!     settings: Settings::default(),
//! };
//! let request = Request {
//!     method: "GET",
//!     path: "/",
//!     query: "",
//!     headers: &[("Host", "example.amazonaws.com")],
//!     body: b"",
//! };
//! let signed = sign_headers(&request, &params)?;
//! let shown = format!("{signed:?}");
//! assert!(!shown.contains(credentials.secret_access_key));
//! assert!(!shown.contains(&signed.signing_key.to_hex()));
//! assert!(shown.contains("TOKEN"));
//! // The lean form too, with the key cache's entry it remembers.
//! let headers = sigv4_signer::Signer::new().signing_headers(&request, &params)?;
//! let shown = format!("{headers:?}");
//! assert!(!shown.contains(credentials.secret_access_key));
//! assert!(!shown.contains(&signed.signing_key.to_hex()));
//! assert!(shown.contains("TOKEN"));
//! # Ok::<(), sigv4_signer::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod encode;
mod error;
mod headers;
mod key;
mod query;
mod scan;
mod sign;
mod signing_headers;
#[cfg(test)]
mod test_rng;
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
pub use signing_headers::SigningHeaders;
pub use time::SigningTime;
pub use uri::{canonical_uri, UriOptions};

// The README's example is compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;
