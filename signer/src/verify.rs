//! Verification: parse the signature of a received request (from the
//! `Authorization` header or a presigned query) strictly, look up the
//! secret, recompute with the same stages the signer uses, compare in
//! constant time, and check the scope, the clock and the expiry.
//!
//! [`verify_into`] does the work on borrowed data: the parse is slices of
//! the request (a presigned query's parameters are decoded into a buffer
//! of the [`VerifyScratch`]), the key is borrowed from the caller, and the
//! canonical request and string to sign are written into the scratch's
//! strings, each once at (a bound of) its final size. Once a scratch has
//! verified a request of the same shape, verifying allocates nothing;
//! errors allocate freely. [`verify`] wraps it and returns owned strings.
//!
//! Both take the request as received (method, path and query exactly as on
//! the request line, headers in wire order, body), a [`VerifyPolicy`] (the
//! endpoint's region and service, the current time and the allowed clock
//! skew), a lookup from access key id to [`KnownKeyRef`] (the secret and,
//! for temporary credentials, the session token the request must carry;
//! `None` for an unknown id), and a [`KeyCache`] the derived keys are kept
//! in.
//!
//! # Example
//! A request signed by [`sign_headers`](crate::sign_headers), verified
//! with [`verify`], then with [`verify_into`] and a reused
//! [`VerifyScratch`]:
//! ```
//! use std::collections::HashMap;
//! use sigv4_signer::verify::{
//!     verify, verify_into, KnownKey, VerifyError, VerifyPolicy, VerifyScratch,
//! };
//! use sigv4_signer::{
//!     sign_headers, Credentials, KeyCache, Request, Settings, SigningParams, SigningTime,
//!     UriOptions,
//! };
//!
//! // The client signs.
//! let time = SigningTime::parse("2015-08-30T12:36:00Z")?;
//! let params = SigningParams {
//!     credentials: Credentials {
//!         access_key_id: "AKIDEXAMPLE",
//!         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!         session_token: None,
//!     },
//!     region: "us-east-1",
//!     service: "service",
//!     time,
//!     settings: Settings::default(),
//! };
//! let request = Request {
//!     method: "POST",
//!     path: "/pets",
//!     query: "limit=10",
//!     headers: &[("Host", "example.amazonaws.com"), ("Content-Type", "application/json")],
//!     body: br#"{"name":"Rex"}"#,
//! };
//! let signed = sign_headers(&request, &params)?;
//!
//! // The server receives it: the headers as sent, `Authorization` included.
//! let headers: Vec<(&str, &str)> = signed
//!     .request
//!     .headers
//!     .iter()
//!     .map(|(name, value)| (name.as_str(), value.as_str()))
//!     .collect();
//! let received = Request {
//!     method: &signed.request.method,
//!     path: &signed.request.path,
//!     query: &signed.request.query,
//!     headers: &headers,
//!     body: request.body,
//! };
//!
//! // The server's secrets, and the lookup the verifier calls with the
//! // request's access key id.
//! let keys = HashMap::from([(
//!     "AKIDEXAMPLE".to_owned(),
//!     KnownKey {
//!         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
//!         session_token: None,
//!     },
//! )]);
//! let lookup = |access_key_id: &str| keys.get(access_key_id).map(KnownKey::borrowed);
//! let policy = VerifyPolicy {
//!     region: "us-east-1",
//!     service: "service",
//!     // In a server: `SigningTime::now()`.
//!     now: time,
//!     max_skew_seconds: 15 * 60,
//!     uri: UriOptions::default(),
//!     presigned_unsigned_payload: false,
//!     session_token_unsigned: false,
//!     unsigned_payload_header: false,
//! };
//! let cache = KeyCache::new();
//!
//! let verified = verify(&received, &policy, lookup, &cache).expect("verifies");
//! assert_eq!(verified.access_key_id, "AKIDEXAMPLE");
//! assert_eq!(verified.canonical_request, signed.canonical_request);
//! assert_eq!(verified.string_to_sign, signed.string_to_sign);
//!
//! // Many requests: one scratch, reused.
//! let mut scratch = VerifyScratch::new();
//! for _ in 0..2 {
//!     let verified = verify_into(&received, &policy, lookup, &cache, &mut scratch)
//!         .expect("verifies");
//!     assert_eq!(verified.signature.signature, signed.signature);
//! }
//!
//! // Another body under the same signature does not verify.
//! let tampered = Request { body: br#"{"name":"Max"}"#, ..received };
//! assert!(matches!(
//!     verify(&tampered, &policy, lookup, &cache),
//!     Err(VerifyError::SignatureMismatch(_))
//! ));
//! // Nor does an unknown access key.
//! assert!(matches!(
//!     verify(&received, &policy, |_: &str| None, &cache),
//!     Err(VerifyError::UnknownAccessKey { .. })
//! ));
//! # Ok::<(), sigv4_signer::Error>(())
//! ```

use crate::encode::{escape_at, hex32, push_hex32, with_scratch};
use crate::error::excerpt;
use crate::headers::{check_header, HEADERS_ON_STACK};
use crate::key::{sha256, sha256_remembering, FirstBlockMemo, RecentKey};
use crate::query::{fill_wire_params, wire_param_count, Param, PARAMS_ON_STACK};
use crate::scan::same_bytes;
use crate::sign::{
    write_string_to_sign_head, ALGORITHM, EMPTY_BODY_HASH, SCOPE_TERMINATOR, UNSIGNED_PAYLOAD,
};
use crate::uri::UriOptions;
use crate::{KeyCache, Request, SigningTime};
use std::fmt;

/// Where a received signature was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureLocation {
    /// The `Authorization` header.
    Header,
    /// A presigned URL's query.
    Query,
}

/// The credential scope, `date/region/service/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `YYYYMMDD`.
    pub date: String,
    /// The region.
    pub region: String,
    /// The service.
    pub service: String,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// The signature of a received request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSignature {
    /// Header or query.
    pub location: SignatureLocation,
    /// The access key id of the `Credential`.
    pub access_key_id: String,
    /// The scope of the `Credential`.
    pub scope: Scope,
    /// The signed header names, lower case, sorted, unique.
    pub signed_headers: Vec<String>,
    /// The signature, 64 lower-case hex digits.
    pub signature: String,
    /// `X-Amz-Date` (query: the parameter; header: filled in by
    /// [`verify`] from the `X-Amz-Date` header).
    pub amz_date: Option<String>,
    /// `X-Amz-Expires` (query only).
    pub expires: Option<u64>,
    /// `X-Amz-Security-Token` (query only; header: read by [`verify`]).
    pub security_token: Option<String>,
}

/// The credential scope, borrowed from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeRef<'a> {
    /// `YYYYMMDD`.
    pub date: &'a str,
    /// The region.
    pub region: &'a str,
    /// The service.
    pub service: &'a str,
    /// The whole scope as received, `date/region/service/aws4_request`.
    pub whole: &'a str,
}

impl ScopeRef<'_> {
    /// The owned scope.
    pub fn to_scope(&self) -> Scope {
        Scope {
            date: self.date.to_owned(),
            region: self.region.to_owned(),
            service: self.service.to_owned(),
        }
    }
}

impl fmt::Display for ScopeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.whole)
    }
}

/// The signature of a received request, parsed, borrowed from the request
/// (or, for a presigned query, from the decoded parameters in a
/// [`VerifyScratch`]). [`ParsedSignatureRef::to_parsed`] gives the owned
/// [`ParsedSignature`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedSignatureRef<'a> {
    /// Header or query.
    pub location: SignatureLocation,
    /// The access key id of the `Credential`.
    pub access_key_id: &'a str,
    /// The scope of the `Credential`.
    pub scope: ScopeRef<'a>,
    /// The `;`-separated signed header names, checked to be lower case,
    /// sorted and unique; [`ParsedSignatureRef::signed_header_names`]
    /// iterates them.
    pub signed_headers: &'a str,
    /// The signature, 64 lower-case hex digits.
    pub signature: &'a str,
    /// `X-Amz-Date`, as for [`ParsedSignature::amz_date`].
    pub amz_date: Option<&'a str>,
    /// `X-Amz-Expires` (query only).
    pub expires: Option<u64>,
    /// `X-Amz-Security-Token`, as for [`ParsedSignature::security_token`].
    pub security_token: Option<&'a str>,
}

impl<'a> ParsedSignatureRef<'a> {
    /// The signed header names, in order.
    pub fn signed_header_names(&self) -> impl Iterator<Item = &'a str> + 'a {
        split_byte(self.signed_headers, b';')
    }

    /// The owned form.
    pub fn to_parsed(&self) -> ParsedSignature {
        // Sized up front: collecting a `split` would grow the vector.
        let mut signed_headers =
            Vec::with_capacity(self.signed_headers.bytes().filter(|&b| b == b';').count() + 1);
        signed_headers.extend(self.signed_header_names().map(str::to_owned));
        ParsedSignature {
            location: self.location,
            access_key_id: self.access_key_id.to_owned(),
            scope: self.scope.to_scope(),
            signed_headers,
            signature: self.signature.to_owned(),
            amz_date: self.amz_date.map(str::to_owned),
            expires: self.expires,
            security_token: self.security_token.map(str::to_owned),
        }
    }
}

/// Why a request did not verify. Every variant names what was wrong; text
/// taken from the request is kept to its first 64 characters (marked `…`
/// when cut), so an answer or a log line quoting it stays short.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// Neither an `Authorization` header nor an `X-Amz-Algorithm`
    /// parameter.
    MissingAuthentication,
    /// Both an `Authorization` header and presigned parameters.
    AmbiguousAuthentication,
    /// More than one `Authorization` header.
    DuplicateAuthorization,
    /// The algorithm is not `AWS4-HMAC-SHA256`.
    Algorithm {
        /// What was given.
        found: String,
    },
    /// The `Authorization` header is not `AWS4-HMAC-SHA256
    /// Credential=..., SignedHeaders=..., Signature=...`.
    Authorization {
        /// What is wrong.
        reason: String,
    },
    /// The credential is not `AKID/date/region/service/aws4_request`.
    Credential {
        /// What is wrong.
        reason: String,
    },
    /// The signed headers are empty, not lower case, unsorted or repeated.
    SignedHeaders {
        /// What is wrong.
        reason: String,
    },
    /// The signature is not 64 lower-case hex digits.
    SignatureFormat,
    /// A presigned parameter is missing.
    MissingParameter {
        /// Its name.
        name: &'static str,
    },
    /// A presigned parameter appears twice.
    DuplicateParameter {
        /// Its name.
        name: &'static str,
    },
    /// No `X-Amz-Date` header (header signatures).
    MissingDate,
    /// `X-Amz-Date` is not `YYYYMMDDTHHMMSSZ`.
    Date {
        /// What was given.
        found: String,
    },
    /// `X-Amz-Expires` is not a whole number of seconds in 1..=604800.
    Expires {
        /// What was given.
        found: String,
    },
    /// The access key id is not known.
    UnknownAccessKey {
        /// The access key id.
        access_key_id: String,
    },
    /// The scope date is not the date of `X-Amz-Date`.
    ScopeDate {
        /// The scope's date.
        scope_date: String,
        /// `X-Amz-Date`.
        amz_date: String,
    },
    /// The scope names another region.
    Region {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The scope names another service.
    Service {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// The scope does not end with `aws4_request`.
    Terminator {
        /// Found.
        found: String,
    },
    /// The request time is too far from now.
    Skew {
        /// `X-Amz-Date`.
        request_time: String,
        /// The verifier's now.
        now: String,
        /// Allowed difference, seconds.
        allowed_seconds: u64,
        /// Whether the request time is ahead of the verifier's (AWS: "not
        /// yet current") rather than behind it ("expired").
        ahead: bool,
    },
    /// A presigned URL used after its expiry.
    Expired {
        /// When it expired.
        expired_at: String,
        /// The verifier's now.
        now: String,
    },
    /// `host` is not among the signed headers.
    HostNotSigned,
    /// More headers, or signed header names, than the verifier takes: it
    /// matches each signed name against every header, so an unbounded
    /// count would let one request cost quadratic time.
    TooManyHeaders {
        /// The larger of the two counts.
        count: usize,
        /// [`MAX_HEADERS`].
        limit: usize,
    },
    /// A header named in `SignedHeaders` is not in the request.
    SignedHeaderMissing {
        /// Its name.
        name: String,
    },
    /// The credentials need a session token the request does not carry,
    /// or the request carries another, or one the credentials do not have.
    SessionToken {
        /// What is wrong.
        reason: &'static str,
    },
    /// `x-amz-content-sha256` does not match the body.
    PayloadHash {
        /// The header's value.
        claimed: String,
        /// The hash of the body received.
        actual: String,
    },
    /// `x-amz-content-sha256` holds a value this endpoint does not take.
    ContentSha256 {
        /// The header's value (at most 64 characters of it).
        value: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The request cannot be canonicalized.
    Request(crate::Error),
    /// Everything parsed, but the signature is not the one computed.
    SignatureMismatch(Box<Recomputed>),
}

/// What the verifier computed when the signature did not match, for a
/// helpful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recomputed {
    /// The canonical request the verifier built.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature the request carries.
    pub provided: String,
}

/// The most headers, and signed header names, a request may carry: far
/// above what HTTP servers accept (often 100 headers), low enough that
/// matching names against headers stays under a millisecond.
pub const MAX_HEADERS: usize = 512;

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use VerifyError as E;
        match self {
            E::MissingAuthentication => f.write_str(
                "missing authentication: no Authorization header and no X-Amz-Algorithm query parameter",
            ),
            E::AmbiguousAuthentication => f.write_str(
                "the request carries both an Authorization header and presigned query parameters",
            ),
            E::DuplicateAuthorization => f.write_str("the request carries two Authorization headers"),
            E::Algorithm { found } => {
                write!(f, "unsupported algorithm {found:?}: only {ALGORITHM} is accepted")?;
                if found == "AWS" {
                    // `AWS AKID:signature` is Signature Version 2.
                    f.write_str(" (\"AWS KEY:SIGNATURE\" is Signature Version 2; sign with Version 4)")?;
                }
                Ok(())
            }
            E::Authorization { reason } => write!(f, "malformed Authorization header: {reason}"),
            E::Credential { reason } => write!(f, "malformed credential: {reason}"),
            E::SignedHeaders { reason } => write!(f, "malformed signed headers: {reason}"),
            E::SignatureFormat => f.write_str("the signature is not 64 lower-case hex digits"),
            E::MissingParameter { name } => write!(f, "missing query parameter {name}"),
            E::DuplicateParameter { name } => write!(f, "query parameter {name} appears twice"),
            E::MissingDate => f.write_str("missing X-Amz-Date header"),
            E::Date { found } => write!(f, "X-Amz-Date {found:?} is not YYYYMMDDTHHMMSSZ"),
            E::Expires { found } => write!(
                f,
                "X-Amz-Expires {found:?} is not a number of seconds in 1..=604800 (7 days)"
            ),
            E::UnknownAccessKey { access_key_id } => {
                write!(f, "the access key id {access_key_id:?} is not known")
            }
            E::ScopeDate {
                scope_date,
                amz_date,
            } => write!(
                f,
                "the credential scope date {scope_date} is not the date of X-Amz-Date {amz_date}"
            ),
            E::Region { expected, found } => write!(
                f,
                "the credential scope names region {found:?}; this endpoint is in {expected:?}"
            ),
            E::Service { expected, found } => write!(
                f,
                "the credential scope names service {found:?}; this endpoint is {expected:?}"
            ),
            E::Terminator { found } => write!(
                f,
                "the credential scope ends with {found:?}; it must end with aws4_request"
            ),
            E::Skew {
                request_time,
                now,
                allowed_seconds,
                ahead,
            } => write!(
                f,
                "the request time {request_time} is more than {allowed_seconds} s {} the server \
                 time {now}; check the client's clock (UTC)",
                if *ahead { "ahead of" } else { "behind" }
            ),
            E::Expired { expired_at, now } => {
                write!(f, "the presigned URL expired at {expired_at}; it is now {now}")
            }
            E::HostNotSigned => f.write_str("the host header is not signed; SigV4 requires it"),
            E::TooManyHeaders { count, limit } => write!(
                f,
                "the request carries {count} headers or signed header names; at most {limit} \
                 are accepted"
            ),
            E::SignedHeaderMissing { name } => write!(
                f,
                "the header {name:?} is listed in SignedHeaders but not present in the request"
            ),
            E::SessionToken { reason } => write!(f, "session token: {reason}"),
            E::PayloadHash { claimed, actual } => write!(
                f,
                "x-amz-content-sha256 is {claimed} but the body received hashes to {actual}"
            ),
            E::ContentSha256 { value, reason } => {
                write!(f, "x-amz-content-sha256 is {value:?}: {reason}")
            }
            E::Request(e) => write!(f, "the request cannot be canonicalized: {e}"),
            E::SignatureMismatch(_) => f.write_str(
                "the request signature does not match the signature computed from the request and the secret",
            ),
        }
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VerifyError::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::Error> for VerifyError {
    fn from(e: crate::Error) -> Self {
        VerifyError::Request(e)
    }
}

/// Parses an `Authorization` header value.
///
/// # Errors
/// A [`VerifyError`] naming the malformed part.
pub fn parse_authorization(value: &str) -> Result<ParsedSignature, VerifyError> {
    parse_authorization_ref(value).map(|parsed| parsed.to_parsed())
}

fn parse_authorization_ref(value: &str) -> Result<ParsedSignatureRef<'_>, VerifyError> {
    let value = trim_spaces(value);
    if let Some(parsed) = parse_authorization_as_signers_write_it(value) {
        return Ok(parsed);
    }
    let (algorithm, rest) = split_once_byte(value, b' ').unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(VerifyError::Algorithm {
            found: excerpt(algorithm),
        });
    }
    // `;` between the parts would otherwise read as a credential scope
    // running on into the next part.
    if find_byte(rest.as_bytes(), b',').is_none()
        && [
            ";SignedHeaders=",
            "; SignedHeaders=",
            ";Signature=",
            "; Signature=",
        ]
        .iter()
        .any(|joint| rest.contains(joint))
    {
        return Err(VerifyError::Authorization {
            reason: "its parts are separated by ';'; separate Credential=, SignedHeaders= and \
                     Signature= with ','"
                .to_owned(),
        });
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in split_byte(rest, b',') {
        let part = trim_spaces(part);
        let (key, value) =
            split_once_byte(part, b'=').ok_or_else(|| VerifyError::Authorization {
                reason: format!("{:?} is not key=value", excerpt(part)),
            })?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => {
                return Err(VerifyError::Authorization {
                    reason: format!("unknown component {:?}", excerpt(other)),
                })
            }
        };
        if slot.replace(value).is_some() {
            return Err(VerifyError::Authorization {
                reason: format!("{key} appears twice"),
            });
        }
    }
    let missing = |name: &str| VerifyError::Authorization {
        reason: format!("no {name}="),
    };
    let (access_key_id, scope) =
        parse_credential(credential.ok_or_else(|| missing("Credential"))?)?;
    Ok(ParsedSignatureRef {
        location: SignatureLocation::Header,
        access_key_id,
        scope,
        signed_headers: parse_signed_headers(signed.ok_or_else(|| missing("SignedHeaders"))?)?,
        signature: parse_signature(signature.ok_or_else(|| missing("Signature"))?)?,
        amz_date: None,
        expires: None,
        security_token: None,
    })
}

/// The `Authorization` value in the layout every SDK writes,
/// `AWS4-HMAC-SHA256 Credential=C, SignedHeaders=S, Signature=G`, parsed
/// with two prefix checks and two searches for `,` instead of the general
/// component loop. `None` for anything else, valid or not: the general
/// parser then decides, and reports the error. Whenever this succeeds the
/// general parser gives the same result: `C` and `S` are cut at the first
/// `,`s, so neither holds one; `S` and `G` are checked as the general
/// parser checks them, which rejects spaces, and `C` is given exactly as
/// the general parser would give it (after its first `=`, untrimmed at the
/// start, which the credential check sees either way).
fn parse_authorization_as_signers_write_it(value: &str) -> Option<ParsedSignatureRef<'_>> {
    const CREDENTIAL: &str = "AWS4-HMAC-SHA256 Credential=";
    const SIGNED_HEADERS: &str = ", SignedHeaders=";
    const SIGNATURE: &str = ", Signature=";
    let rest = value.strip_prefix(CREDENTIAL)?;
    let (credential, rest) = rest.split_at_checked(find_byte(rest.as_bytes(), b',')?)?;
    let rest = rest.strip_prefix(SIGNED_HEADERS)?;
    let (signed, rest) = rest.split_at_checked(find_byte(rest.as_bytes(), b',')?)?;
    let signature = rest.strip_prefix(SIGNATURE)?;
    // A trailing space before a `,` is trimmed by the general parser.
    if credential.ends_with(' ') {
        return None;
    }
    let (access_key_id, scope) = parse_credential(credential).ok()?;
    Some(ParsedSignatureRef {
        location: SignatureLocation::Header,
        access_key_id,
        scope,
        signed_headers: parse_signed_headers(signed).ok()?,
        signature: parse_signature(signature).ok()?,
        amz_date: None,
        expires: None,
        security_token: None,
    })
}

/// The parse of the last `Authorization` value a reused [`VerifyScratch`]
/// verified. A stream of requests from one client repeats everything in
/// that value but the signature: `AWS4-HMAC-SHA256 Credential=…,
/// SignedHeaders=…, Signature=` then 64 hex digits. A value that starts
/// with the remembered head and ends with 64 lower-case hex digits is
/// parsed exactly as that head was, with its own signature: the parse
/// (the credential's five parts, the date's digits, the signed names'
/// order) becomes one comparison.
///
/// Exact for any value, because the head decides the parse: a signature
/// of lower-case hex digits holds no `,`, `=` or space, so with any such
/// signature after the same head every parser cuts the same components,
/// and only a parse whose signature is the value's last 64 bytes is
/// remembered. Anything else is parsed afresh.
#[derive(Default)]
struct RecentAuthorization {
    /// The trimmed value without its last 64 bytes; empty when nothing is
    /// remembered.
    head: String,
    /// Where the parts are in `head`: the access key id, the scope's date,
    /// region and service, the whole scope and the signed header names.
    spans: [(usize, usize); 6],
}

impl RecentAuthorization {
    /// `value`, an `Authorization` header's value, parsed as
    /// [`parse_authorization_ref`] parses it; remembered for the next.
    fn parse<'v>(&mut self, value: &'v str) -> Result<ParsedSignatureRef<'v>, VerifyError> {
        let trimmed = trim_spaces(value);
        if !self.head.is_empty() {
            if let Some((head, signature)) = trimmed.split_at_checked(self.head.len()) {
                if same_bytes(head.as_bytes(), self.head.as_bytes()) {
                    if let Ok(signature) = parse_signature(signature) {
                        let part =
                            |(start, end): (usize, usize)| head.get(start..end).unwrap_or_default();
                        let [key, date, region, service, whole, signed] = self.spans;
                        return Ok(ParsedSignatureRef {
                            location: SignatureLocation::Header,
                            access_key_id: part(key),
                            scope: ScopeRef {
                                date: part(date),
                                region: part(region),
                                service: part(service),
                                whole: part(whole),
                            },
                            signed_headers: part(signed),
                            signature,
                            amz_date: None,
                            expires: None,
                            security_token: None,
                        });
                    }
                }
            }
        }
        let parsed = parse_authorization_ref(value)?;
        self.remember(trimmed, &parsed);
        Ok(parsed)
    }

    fn remember(&mut self, trimmed: &str, parsed: &ParsedSignatureRef<'_>) {
        self.head.clear();
        let head_len = trimmed.len().saturating_sub(64);
        let Some(head) = trimmed.get(..head_len) else {
            return;
        };
        // Only a signature that ends the value leaves the rest to the head.
        if span_in(trimmed, parsed.signature) != Some((head_len, trimmed.len())) {
            return;
        }
        let scope = &parsed.scope;
        let parts = [
            parsed.access_key_id,
            scope.date,
            scope.region,
            scope.service,
            scope.whole,
            parsed.signed_headers,
        ];
        for (span, part) in self.spans.iter_mut().zip(parts) {
            match span_in(head, part) {
                Some(found) => *span = found,
                None => return,
            }
        }
        self.head.push_str(head);
    }
}

/// Where `part`, a slice of `whole`, lies in it: `None` if it is not one.
fn span_in(whole: &str, part: &str) -> Option<(usize, usize)> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start + part.len();
    (end <= whole.len()).then_some((start, end))
}

/// The query parameters of a presigned URL.
pub const PRESIGN_PARAMETERS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

/// Parses the presigned parameters of a raw query (without `?`).
///
/// # Errors
/// A [`VerifyError`] naming the missing, repeated or malformed parameter.
pub fn parse_presigned(query: &str) -> Result<ParsedSignature, VerifyError> {
    let mut decoded = String::new();
    let spans = decode_presigned(query, &mut decoded)?;
    parse_presigned_spans(&decoded, spans).map(|parsed| parsed.to_parsed())
}

/// Where each of the [`PRESIGN_PARAMETERS`] that a query carries sits,
/// percent-decoded, in a buffer: `start..end`.
type PresignedSpans = [Option<(usize, usize)>; 7];

/// Decodes the values of the presigned parameters of `query` into
/// `decoded`, one after the other, reusing its memory.
fn decode_presigned(query: &str, decoded: &mut String) -> Result<PresignedSpans, VerifyError> {
    // Decoded bytes are checked to be UTF-8 per value, so the buffer is
    // worked on as bytes and turned back into a `String` without a copy.
    let mut buffer = std::mem::take(decoded).into_bytes();
    buffer.clear();
    // Decoding never lengthens (an invalid escape of three characters
    // becomes one U+FFFD of three bytes): one reservation, no regrowth.
    buffer.reserve(query.len());
    let spans = decode_presigned_bytes(query, &mut buffer);
    *decoded = String::from_utf8(buffer)
        // Not reached: every value appended is UTF-8.
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    spans
}

fn decode_presigned_bytes(
    query: &str,
    buffer: &mut Vec<u8>,
) -> Result<PresignedSpans, VerifyError> {
    const NAMES: [&str; 7] = PRESIGN_PARAMETERS;
    let mut spans = PresignedSpans::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(index) = presign_parameter_index(name, buffer) else {
            continue;
        };
        if spans[index].is_some() {
            return Err(VerifyError::DuplicateParameter { name: NAMES[index] });
        }
        let start = buffer.len();
        push_decoded(value, buffer);
        spans[index] = Some((start, buffer.len()));
    }
    Ok(spans)
}

/// Which of the [`PRESIGN_PARAMETERS`] the wire name `name` is, once
/// decoded. `buffer` lends room to decode it and is left as it was.
fn presign_parameter_index(name: &str, buffer: &mut Vec<u8>) -> Option<usize> {
    if !name.contains('%') {
        return PRESIGN_PARAMETERS.iter().position(|n| *n == name);
    }
    // The names are ASCII: a decoded name that is not UTF-8 matches none,
    // as its lossy decoding would not.
    let start = buffer.len();
    push_decoded_bytes(name, buffer);
    let index = buffer.get(start..).and_then(|decoded| {
        PRESIGN_PARAMETERS
            .iter()
            .position(|n| n.as_bytes() == decoded)
    });
    buffer.truncate(start);
    index
}

/// Appends the bytes `text` decodes to, `%XX` escapes decoded.
fn push_decoded_bytes(text: &str, buffer: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match escape_at(bytes, at) {
            Some(byte) => {
                buffer.push(byte);
                at += 3;
            }
            None => {
                buffer.push(bytes[at]);
                at += 1;
            }
        }
    }
}

/// Appends `text` decoded as [`percent_decode`] decodes it.
fn push_decoded(text: &str, buffer: &mut Vec<u8>) {
    let start = buffer.len();
    if !text.contains('%') {
        buffer.extend_from_slice(text.as_bytes());
        return;
    }
    push_decoded_bytes(text, buffer);
    let tail = buffer.get(start..).unwrap_or_default();
    if std::str::from_utf8(tail).is_err() {
        // Rare: only an escape of invalid UTF-8 gets here.
        let lossy = String::from_utf8_lossy(tail).into_owned();
        buffer.truncate(start);
        buffer.extend_from_slice(lossy.as_bytes());
    }
}

/// The presigned parameters decoded into `decoded` at `spans`, checked in
/// the order their errors take precedence.
fn parse_presigned_spans(
    decoded: &str,
    spans: PresignedSpans,
) -> Result<ParsedSignatureRef<'_>, VerifyError> {
    let [algorithm, credential, date, expires, signed, signature, token] =
        spans.map(|span| span.map(|(start, end)| decoded.get(start..end).unwrap_or_default()));
    fn take<'v>(value: Option<&'v str>, name: &'static str) -> Result<&'v str, VerifyError> {
        value.ok_or(VerifyError::MissingParameter { name })
    }
    let algorithm = take(algorithm, "X-Amz-Algorithm")?;
    if algorithm != ALGORITHM {
        return Err(VerifyError::Algorithm {
            found: excerpt(algorithm),
        });
    }
    let (access_key_id, scope) = parse_credential(take(credential, "X-Amz-Credential")?)?;
    let date = take(date, "X-Amz-Date")?;
    let expires_text = take(expires, "X-Amz-Expires")?;
    let expires = expires_text
        .parse::<u64>()
        .ok()
        .filter(|s| (1..=604_800).contains(s) && !expires_text.starts_with('+'))
        .ok_or_else(|| VerifyError::Expires {
            found: excerpt(expires_text),
        })?;
    Ok(ParsedSignatureRef {
        location: SignatureLocation::Query,
        access_key_id,
        scope,
        signed_headers: parse_signed_headers(take(signed, "X-Amz-SignedHeaders")?)?,
        signature: parse_signature(take(signature, "X-Amz-Signature")?)?,
        amz_date: Some(date),
        expires: Some(expires),
        security_token: token,
    })
}

fn parse_credential(text: &str) -> Result<(&str, ScopeRef<'_>), VerifyError> {
    let mut parts = [""; 5];
    let mut count = 0;
    for part in split_byte(text, b'/') {
        if let Some(slot) = parts.get_mut(count) {
            *slot = part;
        }
        count += 1;
    }
    let fail = |reason: String| VerifyError::Credential { reason };
    if count != parts.len() {
        return Err(fail(format!(
            "{:?} has {count} parts; expected AKID/YYYYMMDD/region/service/aws4_request",
            excerpt(text)
        )));
    }
    let [key, date, region, service, terminator] = parts;
    if key.is_empty() || region.is_empty() || service.is_empty() {
        return Err(fail(format!("{:?} has an empty part", excerpt(text))));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail(format!(
            "the date {:?} is not YYYYMMDD",
            excerpt(date)
        )));
    }
    if terminator != SCOPE_TERMINATOR {
        return Err(VerifyError::Terminator {
            found: excerpt(terminator),
        });
    }
    // Five parts checked: after the key and its `/`, the text is the
    // scope exactly, `date/region/service/aws4_request`.
    let whole = text.get(key.len() + 1..).unwrap_or_default();
    Ok((
        key,
        ScopeRef {
            date,
            region,
            service,
            whole,
        },
    ))
}

/// Checks the `;`-separated list `text`: every name first, then the order.
/// `PLAIN_LIST_BYTE[b]`: whether `b` may appear in a signed-header list of
/// plain names: a `tchar` but an upper-case letter, or `;`. One lookup a
/// byte where the three tests were: the owned POST verification 21 ns
/// faster (in one process).
static PLAIN_LIST_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = (crate::headers::TCHAR[b] && !c.is_ascii_uppercase()) || c == b';';
        b += 1;
    }
    table
};

fn parse_signed_headers(text: &str) -> Result<&str, VerifyError> {
    let fail = |reason: String| VerifyError::SignedHeaders { reason };
    if text.is_empty() {
        return Err(fail("the list is empty".into()));
    }
    // Almost every list is lower-case tokens between single `;`s: one
    // pass over the bytes, without a branch per byte, leaves only the
    // order to check. Anything else takes the loop below, which finds the
    // first bad name to report.
    let plain_bytes = text
        .bytes()
        .fold(true, |ok, b| ok & PLAIN_LIST_BYTE[usize::from(b)]);
    if plain_bytes {
        let mut names = split_byte(text, b';');
        let mut previous = names.next().unwrap_or_default();
        let (mut empty, mut sorted) = (previous.is_empty(), true);
        for name in names {
            empty |= name.is_empty();
            sorted &= previous < name;
            previous = name;
        }
        if !empty {
            return if sorted {
                Ok(text)
            } else {
                Err(fail(format!(
                    "{:?} is not sorted without repeats",
                    excerpt(text)
                )))
            };
        }
    }
    // Every name is checked before the order: a bad name is the error
    // reported even when the list is also unsorted.
    let (mut previous, mut sorted) = (None, true);
    for name in split_byte(text, b';') {
        if name.is_empty() || !crate::headers::is_token(name) {
            return Err(fail(format!("{:?} is not a header name", excerpt(name))));
        }
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(fail(format!("{:?} is not lower case", excerpt(name))));
        }
        sorted &= previous.map_or(true, |p| p < name);
        previous = Some(name);
    }
    if !sorted {
        return Err(fail(format!(
            "{:?} is not sorted without repeats",
            excerpt(text)
        )));
    }
    Ok(text)
}

fn parse_signature(text: &str) -> Result<&str, VerifyError> {
    // Without an early exit: no branch per byte, and it vectorizes.
    let lower_hex =
        |ok: bool, b: u8| ok & ((b.wrapping_sub(b'0') < 10) | (b.wrapping_sub(b'a') < 6));
    if text.len() == 64 && text.bytes().fold(true, lower_hex) {
        Ok(text)
    } else {
        Err(VerifyError::SignatureFormat)
    }
}

/// Decodes `%XX` escapes (a `%` that starts no valid escape stays); bytes
/// that do not form UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match escape_at(bytes, at) {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A known access key: its secret and, for temporary credentials, the
/// session token the request must carry.
#[derive(Clone)]
pub struct KnownKey {
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token, for temporary credentials.
    pub session_token: Option<String>,
}

impl KnownKey {
    /// The key borrowed, as a verifier's lookup returns it.
    pub fn borrowed(&self) -> KnownKeyRef<'_> {
        KnownKeyRef {
            secret_access_key: &self.secret_access_key,
            session_token: self.session_token.as_deref(),
        }
    }
}

impl fmt::Debug for KnownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KnownKey(..)")
    }
}

/// A known access key borrowed from wherever the verifier keeps its
/// secrets, so that a lookup copies no secret.
#[derive(Clone, Copy)]
pub struct KnownKeyRef<'k> {
    /// The secret access key.
    pub secret_access_key: &'k str,
    /// The session token, for temporary credentials.
    pub session_token: Option<&'k str>,
}

impl<'k> From<&'k KnownKey> for KnownKeyRef<'k> {
    fn from(key: &'k KnownKey) -> KnownKeyRef<'k> {
        key.borrowed()
    }
}

impl fmt::Debug for KnownKeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KnownKeyRef(..)")
    }
}

/// What a verifier expects of requests.
#[derive(Debug, Clone, Copy)]
pub struct VerifyPolicy<'a> {
    /// The region of this endpoint.
    pub region: &'a str,
    /// The service of this endpoint.
    pub service: &'a str,
    /// The verifier's current time.
    pub now: SigningTime,
    /// The largest accepted difference between the request time and now
    /// (AWS: 15 minutes).
    pub max_skew_seconds: u64,
    /// Path rules (S3: both off).
    pub uri: UriOptions,
    /// The payload hash of presigned requests: the body's hash when false,
    /// `UNSIGNED-PAYLOAD` when true (S3).
    pub presigned_unsigned_payload: bool,
    /// Accept a presigned URL whose `X-Amz-Security-Token` was added after
    /// signing, outside the signature, as IoT's websocket URLs are made.
    /// False for S3 and API Gateway, which sign every query parameter but
    /// `X-Amz-Signature`: such a URL is then refused with a
    /// [`VerifyError::SessionToken`] that says so.
    pub session_token_unsigned: bool,
    /// Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD` or a `STREAMING-`
    /// mode on a header signature: the value is signed as given and the
    /// body is not checked against it (S3, and the few services that take
    /// an unsigned payload). When false such a request is refused with
    /// [`VerifyError::ContentSha256`]: the body is always hashed. A value
    /// that is none of these nor a hex SHA-256 is refused either way.
    pub unsigned_payload_header: bool,
}

/// A request that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Who signed.
    pub access_key_id: String,
    /// The parsed signature.
    pub signature: ParsedSignature,
    /// The canonical request computed.
    pub canonical_request: String,
    /// The string to sign computed.
    pub string_to_sign: String,
}

/// A request that verified, borrowed from the request and from the
/// [`VerifyScratch`] that [`verify_into`] wrote into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedRef<'a> {
    /// Who signed.
    pub access_key_id: &'a str,
    /// The parsed signature.
    pub signature: ParsedSignatureRef<'a>,
    /// The canonical request computed.
    pub canonical_request: &'a str,
    /// The string to sign computed.
    pub string_to_sign: &'a str,
}

impl VerifiedRef<'_> {
    /// The owned form, as [`verify`] returns it.
    pub fn to_verified(&self) -> Verified {
        Verified {
            access_key_id: self.access_key_id.to_owned(),
            signature: self.signature.to_parsed(),
            canonical_request: self.canonical_request.to_owned(),
            string_to_sign: self.string_to_sign.to_owned(),
        }
    }
}

/// Memory that [`verify_into`] reuses from one verification to the next:
/// the canonical request, the string to sign, and a presigned query's
/// decoded parameters.
#[derive(Default)]
pub struct VerifyScratch {
    canonical_request: String,
    string_to_sign: String,
    decoded: String,
    /// The key cache entry of the last verification: the next one for
    /// the same scope skips the lookup.
    recent_key: RecentKey,
    /// The hash state after the canonical request's first block: the next
    /// request to the same endpoint skips that block's compression.
    canonical_request_memo: FirstBlockMemo,
    /// The HMAC state after the string to sign's first block: the next
    /// verification in the same second for the same scope skips that
    /// block's compression.
    string_to_sign_memo: FirstBlockMemo,
    /// The `X-Amz-Date` of the last verification, parsed: the next request
    /// signed in the same second skips the parse (its calendar checks and
    /// its arithmetic).
    recent_time: Option<SigningTime>,
    /// The parse of the last `Authorization` value: the next one with the
    /// same head (all but the signature) skips the parse.
    recent_authorization: RecentAuthorization,
}

impl VerifyScratch {
    /// Empty buffers (no allocation until the first verification).
    pub fn new() -> VerifyScratch {
        VerifyScratch::default()
    }
}

impl fmt::Debug for VerifyScratch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The contents are the last request's; only the sizes matter here.
        f.debug_struct("VerifyScratch")
            .field(
                "canonical_request_capacity",
                &self.canonical_request.capacity(),
            )
            .field("string_to_sign_capacity", &self.string_to_sign.capacity())
            .field("decoded_capacity", &self.decoded.capacity())
            .finish()
    }
}

/// Verifies `request` (path and query exactly as received) against
/// `policy`, with secrets from `lookup`. Derived keys come from `cache`.
///
/// [`verify_into`] without the scratch, returning owned strings: it
/// allocates the strings of the returned [`Verified`] once each and, for a
/// presigned request, one buffer of decoded parameters.
///
/// # Errors
/// The first [`VerifyError`] found, checks in this order: parsing, key
/// lookup, scope, time, signed headers, token, payload hash, signature.
pub fn verify<'k>(
    request: &Request<'_>,
    policy: &VerifyPolicy<'_>,
    lookup: impl Fn(&str) -> Option<KnownKeyRef<'k>>,
    cache: &KeyCache,
) -> Result<Verified, VerifyError> {
    let mut scratch = VerifyScratch::new();
    let (access_key_id, signature) = {
        // The scratch is new: the cache is looked up, nothing remembered.
        let verified = verify_into_at(request, policy, lookup, cache, false, &mut scratch)?;
        (
            verified.access_key_id.to_owned(),
            verified.signature.to_parsed(),
        )
    };
    // The scratch's strings are the results: moved, not copied.
    Ok(Verified {
        access_key_id,
        signature,
        canonical_request: std::mem::take(&mut scratch.canonical_request),
        string_to_sign: std::mem::take(&mut scratch.string_to_sign),
    })
}

/// Like [`verify`], writing into `scratch` and returning the result
/// borrowed from it and from `request`: once `scratch` has verified a
/// request of the same shape, verifying allocates nothing (with a warm
/// `cache` and a `lookup` that does not allocate). The result is exactly
/// what [`verify`] returns.
///
/// `scratch` also remembers the cache entry of the key it verified with
/// (its copy of the secret included, as the cache's), so a stream of
/// requests for one scope skips the cache's lock; the hash state after
/// the canonical request's first 64 bytes, so the next request that starts
/// the same (to the same endpoint) skips that block's compression; the
/// HMAC state after the string to sign's first block and the parsed
/// `X-Amz-Date`, so the next request signed in the same second for the
/// same scope skips that block's compression and the date's parse; and
/// the parse of the
/// `Authorization` value, so the next one that differs only in its
/// signature (a stream from one client) is not parsed again.
///
/// # Errors
/// As [`verify`]: the first [`VerifyError`] found, in the same order.
pub fn verify_into<'a, 'k>(
    request: &Request<'a>,
    policy: &VerifyPolicy<'_>,
    lookup: impl Fn(&str) -> Option<KnownKeyRef<'k>>,
    cache: &KeyCache,
    scratch: &'a mut VerifyScratch,
) -> Result<VerifiedRef<'a>, VerifyError> {
    verify_into_at(request, policy, lookup, cache, true, scratch)
}

/// [`verify_into`]. With `remember`, `scratch` is a reused one: what it
/// remembers of the last request (the key's cache entry, the first
/// blocks' hash states, the parsed `X-Amz-Date`, the parsed
/// `Authorization`) is used and kept; without, it is new and the cache is
/// looked up.
fn verify_into_at<'a, 'k>(
    request: &Request<'a>,
    policy: &VerifyPolicy<'_>,
    lookup: impl Fn(&str) -> Option<KnownKeyRef<'k>>,
    cache: &KeyCache,
    remember: bool,
    scratch: &'a mut VerifyScratch,
) -> Result<VerifiedRef<'a>, VerifyError> {
    let VerifyScratch {
        canonical_request: creq,
        string_to_sign: sts,
        decoded,
        recent_key,
        canonical_request_memo,
        string_to_sign_memo,
        recent_time,
        recent_authorization,
    } = scratch;
    let headers: &'a [(&'a str, &'a str)] = request.headers;
    let special = SpecialHeaders::find(headers);
    let presigned = has_wire_param(request.query, "X-Amz-Algorithm");
    let mut parsed = match (special.authorization, presigned) {
        (None, false) => return Err(VerifyError::MissingAuthentication),
        (Some(_), true) => return Err(VerifyError::AmbiguousAuthentication),
        (Some(_), false) if special.several_authorizations => {
            return Err(VerifyError::DuplicateAuthorization)
        }
        (Some(one), false) if remember => recent_authorization.parse(one)?,
        (Some(one), false) => parse_authorization_ref(one)?,
        (None, true) => {
            let spans = decode_presigned(request.query, decoded)?;
            let decoded: &'a str = decoded;
            parse_presigned_spans(decoded, spans)?
        }
    };
    if parsed.location == SignatureLocation::Header {
        let date = special.date.ok_or(VerifyError::MissingDate)?;
        parsed.amz_date = Some(trim_spaces(date));
        parsed.security_token = special.security_token.map(trim_spaces);
    }
    let amz_date = parsed.amz_date.unwrap_or_default();
    let time = match recent_time {
        // The same text as the last request's: the same instant, already
        // checked.
        Some(time) if remember && time.amz_date_bytes() == amz_date.as_bytes() => *time,
        _ => match SigningTime::parse(amz_date) {
            Ok(time) if amz_date.len() == 16 => {
                if remember {
                    *recent_time = Some(time);
                }
                time
            }
            _ => {
                return Err(VerifyError::Date {
                    found: excerpt(amz_date),
                })
            }
        },
    };
    let known = lookup(parsed.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKey {
        access_key_id: excerpt(parsed.access_key_id),
    })?;
    check_scope(&parsed.scope, time, policy)?;
    check_time(parsed.expires, time, policy)?;
    // Each signed name is looked for among all the headers: both counts
    // are bounded, so one request cannot cost quadratic time.
    let names = parsed.signed_headers.bytes().filter(|&b| b == b';').count() + 1;
    let count = headers.len().max(names);
    if count > MAX_HEADERS {
        return Err(VerifyError::TooManyHeaders {
            count,
            limit: MAX_HEADERS,
        });
    }
    // Each header matches at most one signed name: as many slots as
    // headers hold the signed ones.
    let matches = with_scratch::<u32, HEADERS_ON_STACK, _>(headers.len(), |slots| {
        // One pass over the signed names finds what the next checks need (their
        // errors are reported in their order below) and the signed headers in
        // canonical order: by (sorted) name, repeats in arrival order.
        let (mut host_signed, mut host_twice, mut first_missing, mut filled) =
            (false, false, None, 0);
        for name in parsed.signed_header_names() {
            let is_host = name == "host";
            host_signed |= is_host;
            let before = filled;
            for (index, (header_name, _)) in (0u32..).zip(headers) {
                if eq_lowercase(header_name, name) {
                    if let Some(slot) = slots.get_mut(filled) {
                        *slot = index;
                    }
                    filled += 1;
                }
            }
            if filled == before {
                first_missing = first_missing.or(Some(name));
            }
            // Two Host headers, both signed: a server routes by one of them.
            host_twice |= is_host && filled - before > 1;
        }
        let order = slots.get(..filled).unwrap_or_default();
        if !host_signed {
            return Err(VerifyError::HostNotSigned);
        }
        if host_twice {
            return Err(VerifyError::Request(crate::Error::Host {
                reason: "it is given twice",
            }));
        }
        match (known.session_token, parsed.security_token) {
            (Some(_), None) => return Err(VerifyError::SessionToken {
                reason:
                    "these are temporary credentials; the request must carry X-Amz-Security-Token",
            }),
            // A header value loses its edge spaces on the way (HTTP strips
            // them), so the token may arrive trimmed (found by the round-trip
            // fuzzer); a presigned query carries it exactly.
            (Some(expected), Some(given))
                if !(constant_time_eq(expected.as_bytes(), given.as_bytes())
                    || constant_time_eq(
                        expected.trim_matches(' ').as_bytes(),
                        given.as_bytes(),
                    )) =>
            {
                return Err(VerifyError::SessionToken {
                    reason: "X-Amz-Security-Token is not the token of these credentials",
                })
            }
            // AWS refuses a token sent with long-term credentials too.
            (None, Some(_)) => {
                return Err(VerifyError::SessionToken {
                    reason: "these are long-term credentials, which have no session token, but \
                             the request carries X-Amz-Security-Token",
                })
            }
            _ => {}
        }

        // The signed headers, as received: every name must be there.
        if let Some(name) = first_missing {
            return Err(VerifyError::SignedHeaderMissing {
                name: excerpt(name),
            });
        }
        let mut hash_hex = [0u8; 64];
        let payload = match parsed.location {
            SignatureLocation::Query if policy.presigned_unsigned_payload => UNSIGNED_PAYLOAD,
            SignatureLocation::Query => body_hash(request.body, &mut hash_hex),
            SignatureLocation::Header => match special.content_sha256.map(trim_spaces) {
                None => body_hash(request.body, &mut hash_hex),
                Some(claimed)
                    if claimed.len() == 64 && claimed.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    let actual = body_hash(request.body, &mut hash_hex);
                    if !claimed.eq_ignore_ascii_case(actual) {
                        return Err(VerifyError::PayloadHash {
                            claimed: claimed.to_owned(),
                            actual: actual.to_owned(),
                        });
                    }
                    claimed
                }
                // A sentinel is signed as given, where the policy allows.
                Some(sentinel)
                    if sentinel == UNSIGNED_PAYLOAD || sentinel.starts_with("STREAMING-") =>
                {
                    if !policy.unsigned_payload_header {
                        return Err(VerifyError::ContentSha256 {
                            value: excerpt(sentinel),
                            reason: "this endpoint signs the body; send the body's SHA-256 in \
                                     lower-case hex, or leave the header out",
                        });
                    }
                    sentinel
                }
                Some(other) => {
                    return Err(VerifyError::ContentSha256 {
                        value: excerpt(other),
                        reason: "it is neither the body's SHA-256 in hex, UNSIGNED-PAYLOAD \
                                 nor a STREAMING- mode",
                    })
                }
            },
        };

        for &index in order.iter() {
            if let Some((name, value)) = headers.get(index as usize) {
                check_header(name, value)?;
            }
        }
        let canonical = CanonicalParts {
            request,
            uri: policy.uri,
            headers,
            order,
            signed_headers: parsed.signed_headers,
            payload,
        };
        // Everything but the signature itself is signed. Some services
        // (IoT) add the session token after signing: a presigned URL whose
        // token is not covered is tried that way too, accepted when the
        // policy allows it and otherwise named as the reason it failed.
        let excluded: &[&str] = match parsed.location {
            SignatureLocation::Header => &[],
            SignatureLocation::Query => &[SIGNATURE_PARAM],
        };
        canonical.write(excluded, creq)?;
        // The HMAC states of the cached key: no re-keying per request.
        // Looked up before the canonical request is hashed, as the signer
        // does: the lock would wait for the compressions.
        let (secret, scope) = (known.secret_access_key, &parsed.scope);
        let key = if remember {
            recent_key.get(cache, secret, scope.date, scope.region, scope.service)
        } else {
            cache.get_prepared(secret, scope.date, scope.region, scope.service)
        };
        let amz_date = time.amz_date();
        let mut check = |creq: &str, sts: &mut String| {
            let digest = if remember {
                sha256_remembering(creq.as_bytes(), canonical_request_memo)
            } else {
                sha256(creq.as_bytes())
            };
            write_string_to_sign_head(amz_date, parsed.scope.whole, sts);
            push_hex32(sts, &digest);
            let mac = if remember {
                key.sign_remembering(sts.as_bytes(), string_to_sign_memo)
            } else {
                key.sign(sts.as_bytes())
            };
            // Both lower-case hex: equal exactly when the MACs are.
            constant_time_eq(&hex32(&mac), parsed.signature.as_bytes())
        };
        let mut matches = check(creq, sts);
        let mut token_added_after_signing = false;
        if !matches
            && parsed.location == SignatureLocation::Query
            && parsed.security_token.is_some()
        {
            canonical.write(&[SIGNATURE_PARAM, TOKEN_PARAM], creq)?;
            if check(creq, sts) {
                matches = policy.session_token_unsigned;
                token_added_after_signing = !matches;
            }
            if !matches {
                // The answer reports the attempt with the token signed.
                canonical.write(excluded, creq)?;
                check(creq, sts);
            }
        }
        if token_added_after_signing {
            return Err(VerifyError::SessionToken {
                reason: "X-Amz-Security-Token was added to the URL after signing; this \
                         endpoint signs it: add it to the query before computing the signature",
            });
        }
        Ok::<bool, VerifyError>(matches)
    })?;
    if !matches {
        return Err(VerifyError::SignatureMismatch(Box::new(Recomputed {
            canonical_request: creq.clone(),
            string_to_sign: sts.clone(),
            provided: parsed.signature.to_owned(),
        })));
    }
    let (creq, sts): (&'a String, &'a String) = (creq, sts);
    Ok(VerifiedRef {
        access_key_id: parsed.access_key_id,
        signature: parsed,
        canonical_request: creq,
        string_to_sign: sts,
    })
}

const SIGNATURE_PARAM: &str = "X-Amz-Signature";
const TOKEN_PARAM: &str = "X-Amz-Security-Token";

/// What the canonical request of a received request is made of.
struct CanonicalParts<'r, 'o> {
    request: &'r Request<'r>,
    uri: UriOptions,
    headers: &'r [(&'r str, &'r str)],
    /// The signed headers, as indices into `headers` in canonical order.
    order: &'o [u32],
    signed_headers: &'r str,
    payload: &'r str,
}

impl CanonicalParts<'_, '_> {
    /// Writes the canonical request into `out`, reusing its memory; the
    /// query parameters named in `excluded` (as on the wire) are left out.
    fn write(&self, excluded: &[&str], out: &mut String) -> Result<(), VerifyError> {
        let query = self.request.query;
        with_scratch::<Param<'_>, PARAMS_ON_STACK, _>(wire_param_count(query), |params| {
            let filled = fill_wire_params(query, params);
            let mut kept = 0;
            for at in 0..filled {
                if !excluded.contains(&params[at].name) {
                    params.swap(kept, at);
                    kept += 1;
                }
            }
            let params = &mut params[..kept];
            let block_len: usize = self
                .order
                .iter()
                .filter_map(|&i| self.headers.get(i as usize))
                .map(|(name, value)| name.len() + value.len() + 2)
                .sum();
            // The names as received are exactly the canonical names: each
            // header was matched to one of them, which are checked to be
            // lower case, sorted and unique. The block takes its names from
            // them too.
            let parts = crate::sign::CanonicalParts {
                method: self.request.method,
                path: self.request.path,
                uri: self.uri,
                headers: self.headers,
                order: self.order,
                block_len,
                signed_names: self.signed_headers,
                payload_hash: self.payload,
            };
            Ok(crate::sign::write_canonical_request(&parts, params, out)?)
        })
    }
}

/// The hex SHA-256 of `body`, written into `buffer`.
fn body_hash<'b>(body: &[u8], buffer: &'b mut [u8; 64]) -> &'b str {
    if body.is_empty() {
        return EMPTY_BODY_HASH;
    }
    *buffer = hex32(&sha256(body));
    ascii(buffer)
}

/// Bytes known to be ASCII (hex digits) as text.
fn ascii(bytes: &[u8]) -> &str {
    // Not reached with anything but ASCII; stay correct regardless.
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Whether `name` equals `lower`, a lower-case name, ignoring ASCII case.
///
/// Inlined, so that the comparison of lengths, which decides most calls
/// (each signed name is looked for among all the headers, and
/// [`SpecialHeaders::find`] tries four names on each), is made where it
/// is called, with no call: the POST of the bench verifies 38 ns
/// (`verify_into`) to 58 ns (`verify`) faster, the GET's `verify` 19 ns
/// (in one process, both versions in the same binary).
#[inline(always)]
fn eq_lowercase(name: &str, lower: &str) -> bool {
    name.len() == lower.len() && same_but_case(name, lower)
}

/// Whether `name` lower-cased is `lower`, for names of the same length.
fn same_but_case(name: &str, lower: &str) -> bool {
    name.bytes()
        .zip(lower.bytes())
        .all(|(a, b)| a.to_ascii_lowercase() == b)
}

/// The first value of each header the verifier reads, found in one pass.
struct SpecialHeaders<'a> {
    authorization: Option<&'a str>,
    several_authorizations: bool,
    date: Option<&'a str>,
    security_token: Option<&'a str>,
    content_sha256: Option<&'a str>,
}

impl<'a> SpecialHeaders<'a> {
    fn find(headers: &'a [(&'a str, &'a str)]) -> SpecialHeaders<'a> {
        let mut found = SpecialHeaders {
            authorization: None,
            several_authorizations: false,
            date: None,
            security_token: None,
            content_sha256: None,
        };
        for &(name, value) in headers {
            let is = |lower: &str| eq_lowercase(name, lower);
            let slot = if is("authorization") {
                found.several_authorizations |= found.authorization.is_some();
                &mut found.authorization
            } else if is("x-amz-date") {
                &mut found.date
            } else if is("x-amz-security-token") {
                &mut found.security_token
            } else if is("x-amz-content-sha256") {
                &mut found.content_sha256
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        found
    }
}

fn check_scope(
    scope: &ScopeRef<'_>,
    time: SigningTime,
    policy: &VerifyPolicy<'_>,
) -> Result<(), VerifyError> {
    if scope.date != time.scope_date() {
        return Err(VerifyError::ScopeDate {
            scope_date: scope.date.to_owned(),
            amz_date: time.amz_date().to_owned(),
        });
    }
    if scope.region != policy.region {
        return Err(VerifyError::Region {
            expected: policy.region.to_owned(),
            found: excerpt(scope.region),
        });
    }
    if scope.service != policy.service {
        return Err(VerifyError::Service {
            expected: policy.service.to_owned(),
            found: excerpt(scope.service),
        });
    }
    Ok(())
}

fn check_time(
    expires: Option<u64>,
    time: SigningTime,
    policy: &VerifyPolicy<'_>,
) -> Result<(), VerifyError> {
    let now = policy.now.unix_seconds();
    let signed_at = time.unix_seconds();
    // Saturated: a huge window (`u64::MAX`, "no skew check") must not wrap
    // to a negative one that refuses everything.
    let skew = i64::try_from(policy.max_skew_seconds).unwrap_or(i64::MAX);
    let show = |t: i64| SigningTime::from_unix(t).map_or_else(|| t.to_string(), |t| t.to_string());
    let too_early = signed_at - now > skew;
    let skewed = || VerifyError::Skew {
        request_time: time.to_string(),
        now: policy.now.to_string(),
        allowed_seconds: policy.max_skew_seconds,
        ahead: too_early,
    };
    match expires {
        None if too_early || now - signed_at > skew => Err(skewed()),
        Some(_) if too_early => Err(skewed()),
        Some(expires) if now > signed_at + expires as i64 => Err(VerifyError::Expired {
            expired_at: show(signed_at + expires as i64),
            now: policy.now.to_string(),
        }),
        _ => Ok(()),
    }
}

/// `text` split at the first `separator`, as `str::split_once` splits it.
fn split_once_byte(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = find_byte(text.as_bytes(), separator)?;
    // `separator` is ASCII: both ends are character boundaries.
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// The index of the first `needle` in `haystack`, eight bytes at a time.
/// The strings split here are short (an `Authorization` value is about
/// 200 bytes): a word-at-a-time loop without set-up beats both a byte loop
/// and the `memchr` behind a `char` pattern.
fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let pattern = ONES * u64::from(needle);
    let mut chunks = haystack.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // A zero byte of `x` is a byte equal to the needle; the lowest
        // flagged byte is always a true match.
        let x = u64::from_le_bytes(word) ^ pattern;
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let tail = chunks.remainder();
    tail.iter().position(|&b| b == needle).map(|at| offset + at)
}

/// `text` split at every `separator` (ASCII), as `str::split` splits it.
fn split_byte(text: &str, separator: u8) -> SplitByte<'_> {
    SplitByte {
        rest: Some(text),
        separator,
    }
}

struct SplitByte<'a> {
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> Iterator for SplitByte<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once_byte(rest, self.separator) {
            Some((part, tail)) => {
                self.rest = Some(tail);
                Some(part)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// `text` without leading and trailing spaces (only U+0020, as
/// `trim_matches(' ')`).
fn trim_spaces(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |last| last + 1);
    text.get(start..end).unwrap_or_default()
}

/// Whether a parameter of the wire query `query` is named `name` as sent
/// (before the first `=`, not decoded).
fn has_wire_param(query: &str, name: &str) -> bool {
    let mut pairs = query.as_bytes();
    loop {
        // The first byte before the whole name: most parameters differ
        // there, and that costs no call.
        if pairs.first() == name.as_bytes().first()
            && pairs.starts_with(name.as_bytes())
            && matches!(pairs.get(name.len()), None | Some(b'=' | b'&'))
        {
            return true;
        }
        match find_byte(pairs, b'&') {
            Some(at) => pairs = pairs.get(at + 1..).unwrap_or_default(),
            None => return false,
        }
    }
}

/// Compares without an early exit, so timing does not reveal how many
/// leading bytes of a guessed signature were right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The owned parse as it was before the borrowed one, kept verbatim as
    /// an oracle: the borrowed parse must give exactly its results.
    mod oracle {
        use super::super::{
            percent_decode, ParsedSignature, Scope, SignatureLocation, VerifyError, ALGORITHM,
        };
        use crate::error::excerpt;

        /// Parses an `Authorization` header value.
        ///
        /// # Errors
        /// A [`VerifyError`] naming the malformed part.
        pub(super) fn parse_authorization(value: &str) -> Result<ParsedSignature, VerifyError> {
            let value = value.trim_matches(' ');
            let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
            if algorithm != ALGORITHM {
                return Err(VerifyError::Algorithm {
                    found: excerpt(algorithm),
                });
            }
            let (mut credential, mut signed, mut signature) = (None, None, None);
            for part in rest.split(',') {
                let part = part.trim_matches(' ');
                let (key, value) =
                    part.split_once('=')
                        .ok_or_else(|| VerifyError::Authorization {
                            reason: format!("{:?} is not key=value", excerpt(part)),
                        })?;
                let slot = match key {
                    "Credential" => &mut credential,
                    "SignedHeaders" => &mut signed,
                    "Signature" => &mut signature,
                    other => {
                        return Err(VerifyError::Authorization {
                            reason: format!("unknown component {:?}", excerpt(other)),
                        })
                    }
                };
                if slot.replace(value).is_some() {
                    return Err(VerifyError::Authorization {
                        reason: format!("{key} appears twice"),
                    });
                }
            }
            let missing = |name: &str| VerifyError::Authorization {
                reason: format!("no {name}="),
            };
            let (access_key_id, scope) =
                parse_credential(credential.ok_or_else(|| missing("Credential"))?)?;
            Ok(ParsedSignature {
                location: SignatureLocation::Header,
                access_key_id,
                scope,
                signed_headers: parse_signed_headers(
                    signed.ok_or_else(|| missing("SignedHeaders"))?,
                )?,
                signature: parse_signature(signature.ok_or_else(|| missing("Signature"))?)?,
                amz_date: None,
                expires: None,
                security_token: None,
            })
        }

        /// Parses the presigned parameters of a raw query (without `?`).
        ///
        /// # Errors
        /// A [`VerifyError`] naming the missing, repeated or malformed parameter.
        pub(super) fn parse_presigned(query: &str) -> Result<ParsedSignature, VerifyError> {
            const NAMES: [&str; 7] = super::PRESIGN_PARAMETERS;
            let mut values: [Option<String>; 7] = Default::default();
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let name = percent_decode(name);
                if let Some(index) = NAMES.iter().position(|n| *n == name) {
                    if values[index].replace(percent_decode(value)).is_some() {
                        return Err(VerifyError::DuplicateParameter { name: NAMES[index] });
                    }
                }
            }
            let [algorithm, credential, date, expires, signed, signature, token] = values;
            let take = |value: Option<String>, name: &'static str| {
                value.ok_or(VerifyError::MissingParameter { name })
            };
            let algorithm = take(algorithm, "X-Amz-Algorithm")?;
            if algorithm != ALGORITHM {
                return Err(VerifyError::Algorithm { found: algorithm });
            }
            let (access_key_id, scope) = parse_credential(&take(credential, "X-Amz-Credential")?)?;
            let date = take(date, "X-Amz-Date")?;
            let expires_text = take(expires, "X-Amz-Expires")?;
            let expires = expires_text
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=604_800).contains(s) && !expires_text.starts_with('+'))
                .ok_or(VerifyError::Expires {
                    found: excerpt(&expires_text),
                })?;
            Ok(ParsedSignature {
                location: SignatureLocation::Query,
                access_key_id,
                scope,
                signed_headers: parse_signed_headers(&take(signed, "X-Amz-SignedHeaders")?)?,
                signature: parse_signature(&take(signature, "X-Amz-Signature")?)?,
                amz_date: Some(date),
                expires: Some(expires),
                security_token: token,
            })
        }

        fn parse_credential(text: &str) -> Result<(String, Scope), VerifyError> {
            let parts: Vec<&str> = text.split('/').collect();
            let fail = |reason: String| VerifyError::Credential { reason };
            let [key, date, region, service, terminator] = parts[..] else {
                return Err(fail(format!(
                    "{text:?} has {} parts; expected AKID/YYYYMMDD/region/service/aws4_request",
                    parts.len()
                )));
            };
            if key.is_empty() || region.is_empty() || service.is_empty() {
                return Err(fail(format!("{:?} has an empty part", excerpt(text))));
            }
            if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fail(format!(
                    "the date {:?} is not YYYYMMDD",
                    excerpt(date)
                )));
            }
            if terminator != "aws4_request" {
                return Err(VerifyError::Terminator {
                    found: excerpt(terminator),
                });
            }
            Ok((
                key.to_owned(),
                Scope {
                    date: date.to_owned(),
                    region: region.to_owned(),
                    service: service.to_owned(),
                },
            ))
        }

        fn parse_signed_headers(text: &str) -> Result<Vec<String>, VerifyError> {
            let fail = |reason: String| VerifyError::SignedHeaders { reason };
            if text.is_empty() {
                return Err(fail("the list is empty".into()));
            }
            let names: Vec<&str> = text.split(';').collect();
            for name in &names {
                if name.is_empty() || !crate::headers::is_token(name) {
                    return Err(fail(format!("{:?} is not a header name", excerpt(name))));
                }
                if name.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Err(fail(format!("{:?} is not lower case", excerpt(name))));
                }
            }
            if names.windows(2).any(|w| w[0] >= w[1]) {
                return Err(fail(format!(
                    "{:?} is not sorted without repeats",
                    excerpt(text)
                )));
            }
            Ok(names.into_iter().map(str::to_owned).collect())
        }

        fn parse_signature(text: &str) -> Result<String, VerifyError> {
            if text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                Ok(text.to_owned())
            } else {
                Err(VerifyError::SignatureFormat)
            }
        }
    }

    #[test]
    fn a_remembered_authorization_parses_every_value_as_a_fresh_parse_does() {
        let head = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/\
                    aws4_request, SignedHeaders=host;x-amz-date, Signature=";
        let signature = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";
        let other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let with = |tail: &str| format!("{head}{tail}");
        let values = [
            with(signature),
            with(other),
            with(&signature.to_uppercase()),
            with(&signature[1..]),
            with(&format!("{signature}0")),
            with(&format!("a,{}", &signature[2..])),
            with(&format!("a {}", &signature[2..])),
            with(&format!("a={}", &signature[2..])),
            format!("  {}  ", with(signature)),
            head.replace("AKIDEXAMPLE", "AKIDOTHER") + signature,
            head.replace("host;x-amz-date", "host") + signature,
            head.replace("us-east-1", "eu-west-1") + other,
            head.replace(", ", ",") + signature,
            head.replace("/aws4_request", "") + signature,
            format!(
                "AWS4-HMAC-SHA256 Signature={signature}, \
                     Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                     SignedHeaders=host;x-amz-date"
            ),
            format!("{}, Signature={signature}", with(signature)),
            signature.to_owned(),
            String::new(),
        ];
        for first in &values {
            for second in &values {
                let mut recent = RecentAuthorization::default();
                let _ = recent.parse(first);
                for round in 0..2 {
                    assert_eq!(
                        format!("{:?}", recent.parse(second)),
                        format!("{:?}", parse_authorization_ref(second)),
                        "{first:?} then {second:?}, round {round}"
                    );
                }
            }
        }
    }

    #[test]
    fn parses_the_published_authorization() {
        let parsed = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        )
        .unwrap();
        assert_eq!(parsed.access_key_id, "AKIDEXAMPLE");
        assert_eq!(
            parsed.scope.to_string(),
            "20150830/us-east-1/service/aws4_request"
        );
        assert_eq!(parsed.signed_headers, ["host", "x-amz-date"]);
    }

    #[test]
    fn rejects_each_malformed_part() {
        let sig = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";
        let cases = [
            format!("AWS4-HMAC-SHA1 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/2015083/r/s/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws5_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=x;host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=Host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=, Signature={sig}"),
            "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature=XYZ".to_owned(),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature={sig}, Signature={sig}"),
            String::new(),
        ];
        for case in cases {
            assert!(parse_authorization(&case).is_err(), "{case}");
        }
    }

    #[test]
    fn presigned_parameters_are_checked() {
        let good = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";
        assert_eq!(parse_presigned(good).unwrap().expires, Some(3600));
        assert_eq!(
            parse_presigned(&good.replace("3600", "604801")),
            Err(VerifyError::Expires {
                found: "604801".into()
            })
        );
        assert_eq!(
            parse_presigned(&format!("{good}&X-Amz-Date=20150830T123600Z")),
            Err(VerifyError::DuplicateParameter { name: "X-Amz-Date" })
        );
        assert_eq!(
            parse_presigned(&good.replace("&X-Amz-SignedHeaders=host", "")),
            Err(VerifyError::MissingParameter {
                name: "X-Amz-SignedHeaders"
            })
        );
    }

    const SIGNATURE: &str = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";

    /// Authorization values: well formed, odd and malformed.
    fn authorization_inputs() -> Vec<String> {
        let sig = SIGNATURE;
        let mut inputs = vec![
            format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={sig}"),
            format!("  AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request,SignedHeaders=host,Signature={sig}  "),
            format!("AWS4-HMAC-SHA256 Signature={sig}, SignedHeaders=a;host, Credential=A/20150830/r/s/aws4_request"),
            format!("AWS4-HMAC-SHA256   Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA1 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/2015083/r/s/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws5_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request/x, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=/20150830/r/s/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/2015083x/r/s/aws4_request, SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=x;host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=b;a;X, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=b;a;a b, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=Host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=a;;host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=;host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=x;host;;, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host;x-amz-date;x-amz-date, Signature={sig}"),
            "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature=XYZ".to_owned(),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature={}", sig.to_uppercase()),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, Signature={sig}"),
            "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host".to_owned(),
            format!("AWS4-HMAC-SHA256 SignedHeaders=host, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature={sig}, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature={sig},"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Other=1, Signature={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature"),
            format!("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, Signature=={sig}"),
            format!("AWS4-HMAC-SHA256 Credential=Ä/20150830/ré/s€/aws4_request, SignedHeaders=host, Signature={sig}"),
            "AWS4-HMAC-SHA256".to_owned(),
            "AWS4-HMAC-SHA256 ".to_owned(),
            " ".to_owned(),
            String::new(),
        ];
        // Every prefix of a good value, cut at each byte that is a
        // character boundary.
        let good = inputs[0].clone();
        inputs.extend(
            (0..good.len())
                .filter_map(|at| good.get(..at))
                .map(str::to_owned),
        );
        // The good value with one byte removed, or one separator-like byte
        // added, at every place: the edges of the fast path for the usual
        // layout.
        for at in 0..good.len() {
            let (before, after) = good.split_at(at);
            inputs.push(format!("{before}{}", &after[1..]));
            for extra in [' ', ',', '=', '/', ';', 'A', 'a'] {
                inputs.push(format!("{before}{extra}{after}"));
            }
        }
        inputs
    }

    /// Presigned queries: well formed, odd and malformed.
    fn presigned_inputs() -> Vec<String> {
        let good = format!("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature={SIGNATURE}");
        let mut inputs = vec![
            good.clone(),
            format!("{good}&X-Amz-Security-Token=a%2Bb%20c"),
            format!("{good}&X-Amz-Security-Token=%FF%FEx"),
            format!("{good}&X-Amz-Security-Token=%E2%82"),
            format!("{good}&X-Amz-Security-Token=%E2%82%AC%zz%"),
            format!("{good}&X-Amz-Security-Token"),
            format!("{good}&X-Amz-Date=20150830T123600Z"),
            format!("{good}&X-Amz-%44ate=20150830T123600Z"),
            format!("{good}&X-Amz-%FFate=x"),
            format!("{good}&&&x=1&=2&X-Amz-Dat=3"),
            good.replace(
                "X-Amz-Credential=AKIDEXAMPLE%2F",
                "X-Amz-Credential=AKIDEXAMPLE/",
            ),
            good.replace("X-Amz-Algorithm", "X-Amz-%41lgorithm"),
            good.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
            good.replace("3600", "604801"),
            good.replace("3600", "+3600"),
            good.replace("3600", "0"),
            good.replace("3600", "abc"),
            good.replace("3600", ""),
            good.replace("=host", "=host%3Bx-amz-date"),
            good.replace("=host", "=x-amz-date%3Bhost"),
            good.replace("=host", "=Host"),
            good.replace("%2Faws4_request", "%2Faws5_request"),
            good.replace(SIGNATURE, "XYZ"),
            String::new(),
            "&".to_owned(),
        ];
        for name in PRESIGN_PARAMETERS {
            let without: Vec<&str> = good
                .split('&')
                .filter(|p| p.split('=').next() != Some(name))
                .collect();
            inputs.push(without.join("&"));
        }
        inputs
    }

    #[test]
    fn the_usual_layout_takes_the_fast_path_and_others_do_not() {
        let inputs = authorization_inputs();
        assert!(parse_authorization_as_signers_write_it(&inputs[0]).is_some());
        for other in &inputs[1..4] {
            assert!(
                parse_authorization_as_signers_write_it(other).is_none(),
                "{other:?}"
            );
        }
    }

    #[test]
    fn common_wrong_layouts_are_named() {
        let signature = "a".repeat(64);
        for separator in [";", "; "] {
            let value = format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request{separator}\
                 SignedHeaders=host{separator}Signature={signature}"
            );
            let error = parse_authorization(&value)
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(error.contains("its parts are separated by ';'"), "{error}");
        }
        let error = parse_authorization("AWS AKID:c2lnbmF0dXJl")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(error.contains("is Signature Version 2"), "{error}");
    }

    #[test]
    fn the_borrowed_parse_gives_what_the_owned_parse_gave() {
        for input in authorization_inputs() {
            if let Ok(parsed) = parse_authorization_ref(&input) {
                let scope = parsed.scope;
                assert_eq!(scope.whole, scope.to_scope().to_string(), "{input:?}");
            }
            assert_eq!(
                parse_authorization(&input),
                oracle::parse_authorization(&input),
                "{input:?}"
            );
        }
        for input in presigned_inputs() {
            assert_eq!(
                parse_presigned(&input),
                oracle::parse_presigned(&input),
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_scratch_decodes_each_query_afresh() {
        // A long query, then a short one: nothing carries over.
        let mut decoded = String::new();
        for input in presigned_inputs()
            .iter()
            .chain(presigned_inputs().iter().rev())
        {
            let parsed = decode_presigned(input, &mut decoded)
                .and_then(|spans| parse_presigned_spans(&decoded, spans).map(|p| p.to_parsed()));
            assert_eq!(parsed, oracle::parse_presigned(input), "{input:?}");
        }
    }

    #[test]
    fn byte_helpers_agree_with_std() {
        let texts = [
            "",
            " ",
            "  ",
            ",",
            "a",
            " a ",
            "a,b",
            ",a,,b,",
            "a b  ",
            "  a b",
            "ümlaut, é,",
            "0123456789abcdef,0123456789abcdef",
            "abcdefgh,",
            "abcdefghi,j",
            "abcdefg,",
            "a=b=c",
            "=",
            "x&y&&z&",
        ];
        for text in texts {
            for sep in [b',', b' ', b'=', b'&', b';'] {
                let c = char::from(sep);
                assert_eq!(
                    split_once_byte(text, sep),
                    text.split_once(c),
                    "{text:?} {c:?}"
                );
                assert_eq!(
                    split_byte(text, sep).collect::<Vec<_>>(),
                    text.split(c).collect::<Vec<_>>(),
                    "{text:?} {c:?}"
                );
                assert_eq!(
                    find_byte(text.as_bytes(), sep),
                    text.find(c),
                    "{text:?} {c:?}"
                );
            }
            assert_eq!(trim_spaces(text), text.trim_matches(' '), "{text:?}");
            for name in ["x", "X-Amz-Algorithm", "a"] {
                assert_eq!(
                    has_wire_param(text, name),
                    text.split('&').any(|p| p.split('=').next() == Some(name)),
                    "{text:?} {name:?}"
                );
            }
        }
        for query in [
            "X-Amz-Algorithm",
            "a=1&X-Amz-Algorithm=x",
            "X-Amz-Algorithms=1",
            "b&X-Amz-Algorithm&c",
        ] {
            assert_eq!(
                has_wire_param(query, "X-Amz-Algorithm"),
                query
                    .split('&')
                    .any(|p| p.split('=').next() == Some("X-Amz-Algorithm")),
                "{query:?}"
            );
        }
    }

    #[test]
    fn the_body_hash_is_the_payload_hash() {
        let mut buffer = [0u8; 64];
        for body in [&b""[..], b"a", &[7u8; 200]] {
            assert_eq!(body_hash(body, &mut buffer), crate::payload_hash(body));
        }
    }

    /// Requests signed every way the verifier accepts, as received.
    /// The policy the tests' requests, signed at 2015-08-30T12:36:00Z for
    /// us-east-1 and `service`, meet.
    fn test_policy() -> VerifyPolicy<'static> {
        VerifyPolicy {
            region: "us-east-1",
            service: "service",
            now: SigningTime::parse("2015-08-30T12:40:00Z").expect("time"),
            max_skew_seconds: 900,
            uri: UriOptions::default(),
            presigned_unsigned_payload: false,
            session_token_unsigned: false,
            unsigned_payload_header: false,
        }
    }

    #[test]
    fn a_huge_skew_window_accepts_any_time() {
        let far = SigningTime::parse("1999-01-01T00:00:00Z").expect("time");
        for max_skew_seconds in [u64::MAX, i64::MAX as u64 + 1, i64::MAX as u64] {
            let policy = VerifyPolicy {
                max_skew_seconds,
                ..test_policy()
            };
            assert_eq!(check_time(None, far, &policy), Ok(()), "{max_skew_seconds}");
        }
        assert!(check_time(None, far, &test_policy()).is_err());
    }

    /// The headers of a signed request as a server receives them.
    fn received_headers(signed: &crate::Signed) -> Vec<(&str, &str)> {
        signed
            .request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    /// The lookup of the tests below: `AKIDEXAMPLE`, secret `secret`.
    fn example_lookup(id: &str) -> Option<KnownKeyRef<'static>> {
        (id == "AKIDEXAMPLE").then_some(KnownKeyRef {
            secret_access_key: "secret",
            session_token: None,
        })
    }

    /// Parameters signing as [`example_lookup`]'s key on
    /// `us-east-1/service` at `instant`.
    fn example_params(instant: &str) -> crate::SigningParams<'static> {
        crate::SigningParams {
            credentials: crate::Credentials {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: "secret",
                session_token: None,
            },
            region: "us-east-1",
            service: "service",
            time: SigningTime::parse(instant).expect("time"),
            settings: crate::Settings::default(),
        }
    }

    /// A signed request as a server receives it.
    fn as_received<'a>(
        signed: &'a crate::Signed,
        headers: &'a [(&'a str, &'a str)],
        body: &'a [u8],
    ) -> Request<'a> {
        Request {
            method: &signed.request.method,
            path: &signed.request.path,
            query: &signed.request.query,
            headers,
            body,
        }
    }

    fn signed_requests() -> Vec<(String, crate::Signed, Option<&'static str>)> {
        use crate::{Credentials, Expiry, Location, Settings, SigningParams};
        let headers = [
            ("Host", "example.amazonaws.com"),
            ("X-Extra", " a  b "),
            ("x-extra", "c"),
        ];
        let request = Request {
            method: "GET",
            path: "/a/../b%2F",
            query: "b=%7e&a=x%2fy&c&=v&&d=1+2",
            headers: &headers,
            body: b"body",
        };
        let params = |token: Option<&'static str>, sign_session_token: bool| SigningParams {
            credentials: Credentials {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: "secret",
                session_token: token,
            },
            region: "us-east-1",
            service: "service",
            time: SigningTime::parse("2015-08-30T12:36:00Z").expect("time"),
            settings: Settings {
                sign_session_token,
                ..Settings::default()
            },
        };
        let expiry = Location::Query(Expiry::from_secs(3600).expect("expiry"));
        let mut out = Vec::new();
        for (name, token, sign_token, location) in [
            ("header", None, true, Location::Header),
            ("header token", Some("T K"), true, Location::Header),
            ("presigned", None, true, expiry),
            ("presigned token", Some("T/K"), true, expiry),
            ("presigned unsigned token", Some("T/K"), false, expiry),
        ] {
            let signed =
                crate::sign(&request, &params(token, sign_token), location).expect("signs");
            out.push((name.to_owned(), signed, token));
        }
        out
    }

    #[test]
    fn a_reused_scratch_reads_each_request_at_its_own_instant() {
        // The scratch remembers the last X-Amz-Date parsed (and the HMAC
        // state of the string to sign's first block): requests in the
        // same second, a second later, the next day, too old, and with a
        // malformed date in between each get what a fresh verification
        // gives.
        let policy = test_policy();
        let cache = KeyCache::new();
        let mut scratch = VerifyScratch::new();
        let lookup = example_lookup;
        let headers = [("Host", "example.amazonaws.com")];
        let request = Request {
            method: "GET",
            path: "/",
            query: "a=1",
            headers: &headers,
            body: b"",
        };
        let instants = [
            "2015-08-30T12:36:00Z",
            "2015-08-30T12:36:00Z",
            "2015-08-30T12:36:01Z",
            "2015-08-30T12:36:01Z",
            "2015-08-31T12:36:01Z",
            "2015-08-30T11:00:00Z",
            "2015-08-30T12:36:01Z",
        ];
        for (round, instant) in instants.iter().enumerate() {
            let params = example_params(instant);
            let signed = crate::sign(&request, &params, crate::Location::Header).expect("signs");
            let good = received_headers(&signed);
            // The same request with its date one digit off: malformed.
            let mut bad = good.clone();
            let bad_date = signed.request.headers[1].1.replacen('2', "x", 1);
            bad[1].1 = &bad_date;
            for headers in [&good, &bad, &good] {
                let received = as_received(&signed, headers, b"");
                let fresh = verify(&received, &policy, lookup, &cache);
                let reused = verify_into(&received, &policy, lookup, &cache, &mut scratch)
                    .map(|v| v.to_verified());
                assert_eq!(reused, fresh, "round {round}, {instant}, {headers:?}");
            }
        }
    }

    #[test]
    fn a_reused_scratch_never_serves_a_changed_first_block() {
        // The scratch remembers the hash state after the canonical
        // request's first 64 bytes. A request altered after signing in its
        // last byte, after requests whose first block was the original's,
        // must fail: served the original's state it would hash to the
        // original canonical request and match the signature. Each
        // request, good or altered, several times in a row and in turns.
        let policy = test_policy();
        let cache = KeyCache::new();
        let mut scratch = VerifyScratch::new();
        let lookup = example_lookup;
        let value = "v".repeat(60);
        let headers = [("Host", "example.amazonaws.com"), ("a", value.as_str())];
        let request = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: b"{}",
        };
        let params = example_params("2015-08-30T12:36:00Z");
        let signed = crate::sign(&request, &params, crate::Location::Header).expect("signs");
        // `POST\n/\n\na:` and the value: its character 53 is byte 63.
        assert_eq!(signed.canonical_request.find("a:v"), Some(8));
        let good = received_headers(&signed);
        let altered_value = format!("{}w{}", &value[..53], &value[54..]);
        let mut altered = good.clone();
        let at = altered
            .iter()
            .position(|(name, _)| *name == "a")
            .expect("the header");
        altered[at].1 = &altered_value;
        let order = [0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1];
        for (step, &which) in order.iter().enumerate() {
            let headers = [&good, &altered][which];
            let received = as_received(&signed, headers, b"{}");
            let fresh = verify(&received, &policy, lookup, &cache);
            assert_eq!(fresh.is_ok(), which == 0, "step {step}: {fresh:?}");
            let reused = verify_into(&received, &policy, lookup, &cache, &mut scratch)
                .map(|v| v.to_verified());
            assert_eq!(reused, fresh, "step {step}");
        }
    }

    /// A `GET /` with `headers`, signed in the header with the example key.
    fn signed_get(headers: &[(&str, &str)]) -> crate::Signed {
        let request = Request {
            method: "GET",
            path: "/",
            query: "",
            headers,
            body: b"",
        };
        let params = example_params("2015-08-30T12:36:00Z");
        crate::sign(&request, &params, crate::Location::Header).expect("signs")
    }

    #[test]
    fn too_many_headers_are_refused_before_matching() {
        let names: Vec<String> = (0..MAX_HEADERS).map(|i| format!("x-h{i:04}")).collect();
        let verify_with = |count: usize| {
            let mut headers = vec![("Host", "example.amazonaws.com")];
            headers.extend(names[..count].iter().map(|n| (n.as_str(), "v")));
            let signed = signed_get(&headers);
            let received = received_headers(&signed);
            let request = as_received(&signed, &received, b"");
            verify(&request, &test_policy(), example_lookup, &KeyCache::new()).map(|_| ())
        };
        // With Host, X-Amz-Date and Authorization: 3 more headers than
        // `count`.
        assert_eq!(verify_with(MAX_HEADERS - 3), Ok(()));
        assert_eq!(
            verify_with(MAX_HEADERS - 2),
            Err(VerifyError::TooManyHeaders {
                count: MAX_HEADERS + 1,
                limit: MAX_HEADERS
            })
        );
    }

    #[test]
    fn a_second_host_header_is_refused_even_if_signed() {
        // A client that signs `host:a,b` (two Host headers joined as the
        // rules say) would have a server route by one of them.
        let signed = signed_get(&[("Host", "example.amazonaws.com")]);
        let mut twice = received_headers(&signed);
        twice.push(("host", "evil.example"));
        let received = as_received(&signed, &twice, b"");
        let refused = verify(&received, &test_policy(), example_lookup, &KeyCache::new());
        assert_eq!(
            refused,
            Err(VerifyError::Request(crate::Error::Host {
                reason: "it is given twice"
            }))
        );
        let error = refused.expect_err("refused");
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn a_reused_scratch_parses_each_authorization_as_a_fresh_verification() {
        // The scratch remembers the last Authorization value's parse: a
        // stream of values that differ in the signature, the key id, the
        // signed names or the layout, each verified as a fresh scratch
        // would.
        let policy = test_policy();
        let cache = KeyCache::new();
        let mut scratch = VerifyScratch::new();
        let lookup = |id: &str| {
            (id == "AKIDEXAMPLE" || id == "AKIDOTHER").then_some(KnownKeyRef {
                secret_access_key: "secret",
                session_token: None,
            })
        };
        let (_, signed, _) = signed_requests()
            .into_iter()
            .find(|(_, signed, token)| signed.authorization.is_some() && token.is_none())
            .expect("a header-signed request");
        let good = signed.authorization.clone().expect("header signing");
        let mut flipped = good.clone();
        let last = if flipped.ends_with('0') { "1" } else { "0" };
        flipped.replace_range(flipped.len() - 1.., last);
        let values = [
            good.clone(),
            good.clone(),
            flipped,
            good.replace("AKIDEXAMPLE", "AKIDOTHER"),
            good.replace("SignedHeaders=", "SignedHeaders=content-type;"),
            good.replace(", ", ","),
            good.to_uppercase(),
            format!(" {good} "),
            good.clone(),
        ];
        for (round, value) in values.iter().enumerate() {
            let mut headers = received_headers(&signed);
            for header in headers.iter_mut() {
                if header.0.eq_ignore_ascii_case("authorization") {
                    header.1 = value;
                }
            }
            let received = as_received(&signed, &headers, b"body");
            let fresh = verify(&received, &policy, lookup, &cache);
            let reused = verify_into(&received, &policy, lookup, &cache, &mut scratch)
                .map(|v| v.to_verified());
            assert_eq!(reused, fresh, "round {round}: {value}");
            if round < 2 {
                assert!(fresh.is_ok(), "round {round}: {fresh:?}");
            }
        }
    }

    #[test]
    fn verify_into_gives_what_verify_gives_right_or_wrong() {
        let cache = KeyCache::new();
        let mut scratch = VerifyScratch::new();
        for (name, signed, token) in signed_requests() {
            let policy = VerifyPolicy {
                session_token_unsigned: name.contains("unsigned token"),
                ..test_policy()
            };
            let key = KnownKey {
                secret_access_key: "secret".into(),
                session_token: token.map(str::to_owned),
            };
            let lookup = |id: &str| (id == "AKIDEXAMPLE").then(|| key.borrowed());
            let headers = received_headers(&signed);
            let received = as_received(&signed, &headers, b"body");
            let verified = verify(&received, &policy, lookup, &cache).expect(&name);
            assert_eq!(
                verified.canonical_request, signed.canonical_request,
                "{name}"
            );
            assert_eq!(verified.string_to_sign, signed.string_to_sign, "{name}");
            let reused = verify_into(&received, &policy, lookup, &cache, &mut scratch)
                .map(|v| v.to_verified());
            assert_eq!(reused, Ok(verified), "{name}");

            // Each way of getting it wrong: the same error from both.
            let tampered_query = signed.request.query.replacen("d=1", "d=2", 1);
            let mut fewer = headers.clone();
            fewer.retain(|(n, _)| !n.eq_ignore_ascii_case("x-extra"));
            let mut wrong_hash = headers.clone();
            wrong_hash.push(("x-amz-content-sha256", EMPTY_BODY_HASH));
            let wrong = [
                Request {
                    query: &tampered_query,
                    ..received
                },
                Request {
                    headers: &fewer,
                    ..received
                },
                Request {
                    headers: &wrong_hash,
                    ..received
                },
                Request {
                    body: b"other",
                    ..received
                },
                Request {
                    path: "no-slash",
                    ..received
                },
            ];
            for (case, request) in wrong.iter().enumerate() {
                let owned = verify(request, &policy, lookup, &cache);
                // A presigned URL does not sign x-amz-content-sha256.
                let accepted = case == 2 && name.starts_with("presigned");
                assert_eq!(owned.is_ok(), accepted, "{name} #{case}");
                let reused = verify_into(request, &policy, lookup, &cache, &mut scratch)
                    .map(|v| v.to_verified());
                assert_eq!(reused, owned, "{name} #{case}");
            }
            // Another region, and an unknown key.
            let elsewhere = VerifyPolicy {
                region: "eu-west-1",
                ..policy
            };
            assert!(matches!(
                verify_into(&received, &elsewhere, lookup, &cache, &mut scratch),
                Err(VerifyError::Region { .. })
            ));
            assert!(matches!(
                verify_into(&received, &policy, |_| None, &cache, &mut scratch),
                Err(VerifyError::UnknownAccessKey { .. })
            ));
        }
    }

    #[test]
    fn an_unsigned_payload_header_is_taken_only_where_the_policy_allows_it() {
        use crate::{Payload, Settings, SigningParams};
        let cache = KeyCache::new();
        let lookup = example_lookup;
        let headers = [("Host", "example.amazonaws.com")];
        let request = Request {
            method: "POST",
            path: "/transfer",
            query: "",
            headers: &headers,
            body: br#"{"amount":1}"#,
        };
        let strict = test_policy();
        let lenient = VerifyPolicy {
            unsigned_payload_header: true,
            ..test_policy()
        };
        for (value, taken_by_lenient) in [
            ("UNSIGNED-PAYLOAD", true),
            ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", true),
            ("x", false),
            ("unsigned-payload", false),
        ] {
            let params = SigningParams {
                settings: Settings {
                    payload: Payload::Precomputed(value),
                    content_sha256_header: true,
                    ..Settings::default()
                },
                ..example_params("2015-08-30T12:36:00Z")
            };
            let signed = crate::sign_headers(&request, &params).expect("signs");
            let headers = received_headers(&signed);
            // Another body under the same signature.
            let received = as_received(&signed, &headers, br#"{"amount":1000000}"#);
            let refused = verify(&received, &strict, lookup, &cache);
            assert!(
                matches!(&refused, Err(VerifyError::ContentSha256 { value: v, .. }) if v == value),
                "{value}: {refused:?}"
            );
            let lenient_verdict = verify(&received, &lenient, lookup, &cache);
            assert_eq!(
                lenient_verdict.is_ok(),
                taken_by_lenient,
                "{value}: {lenient_verdict:?}"
            );
            let mut scratch = VerifyScratch::new();
            assert_eq!(
                verify_into(&received, &strict, lookup, &cache, &mut scratch)
                    .map(|v| v.to_verified()),
                refused,
                "{value}"
            );
        }
    }

    #[test]
    fn a_token_sent_with_long_term_credentials_is_refused() {
        let cache = KeyCache::new();
        let lookup = example_lookup;
        let policy = VerifyPolicy {
            session_token_unsigned: true,
            ..test_policy()
        };
        let mut tried = 0;
        for (name, signed, token) in signed_requests() {
            if token.is_none() {
                continue;
            }
            tried += 1;
            let headers = received_headers(&signed);
            let received = as_received(&signed, &headers, b"body");
            let verdict = verify(&received, &policy, lookup, &cache);
            assert!(
                matches!(verdict, Err(VerifyError::SessionToken { reason }) if reason.contains("long-term")),
                "{name}: {verdict:?}"
            );
        }
        assert_eq!(tried, 3);
    }

    #[test]
    fn a_token_added_after_signing_is_refused_and_named_unless_the_policy_allows_it() {
        let cache = KeyCache::new();
        let mut scratch = VerifyScratch::new();
        let (_, signed, token) = signed_requests()
            .into_iter()
            .find(|(name, _, _)| name == "presigned unsigned token")
            .expect("a presigned URL with its token added after signing");
        let key = KnownKey {
            secret_access_key: "secret".into(),
            session_token: token.map(str::to_owned),
        };
        let lookup = |id: &str| (id == "AKIDEXAMPLE").then(|| key.borrowed());
        let headers = received_headers(&signed);
        let received = as_received(&signed, &headers, b"body");
        let strict = test_policy();
        for verdict in [
            verify(&received, &strict, lookup, &cache).map(|_| ()),
            verify_into(&received, &strict, lookup, &cache, &mut scratch).map(|_| ()),
        ] {
            let Err(VerifyError::SessionToken { reason }) = verdict else {
                panic!("{verdict:?}");
            };
            assert!(
                reason.contains("added to the URL after signing"),
                "{reason}"
            );
        }
        let lenient = VerifyPolicy {
            session_token_unsigned: true,
            ..test_policy()
        };
        assert!(verify(&received, &lenient, lookup, &cache).is_ok());
        // A URL whose token was signed verifies under both.
        let (_, signed, _) = signed_requests()
            .into_iter()
            .find(|(name, _, _)| name == "presigned token")
            .expect("a presigned URL with its token signed");
        let headers = received_headers(&signed);
        let received = as_received(&signed, &headers, b"body");
        assert!(verify(&received, &strict, lookup, &cache).is_ok());
        assert!(verify(&received, &lenient, lookup, &cache).is_ok());
    }

    #[test]
    fn a_reused_scratch_follows_a_rotated_secret() {
        // The scratch remembers the key it verified with last; a new
        // secret under the same access key id must not be served it.
        let policy = test_policy();
        let signed_with = |secret: &str| {
            let params = crate::SigningParams {
                credentials: crate::Credentials {
                    access_key_id: "AKIDEXAMPLE",
                    secret_access_key: secret,
                    session_token: None,
                },
                region: "us-east-1",
                service: "service",
                time: SigningTime::parse("20150830T123600Z").expect("time"),
                settings: crate::Settings::default(),
            };
            let request = Request {
                method: "GET",
                path: "/",
                query: "a=1",
                headers: &[("Host", "example.amazonaws.com")],
                body: b"",
            };
            crate::sign(&request, &params, crate::Location::Header).expect("signs")
        };
        let (old, new) = (signed_with("old-secret"), signed_with("new-secret"));
        let cache = KeyCache::new();
        let mut scratch = VerifyScratch::new();
        for (current, accepted, rejected) in [
            ("old-secret", &old, &new),
            ("new-secret", &new, &old),
            ("old-secret", &old, &new),
        ] {
            let key = KnownKey {
                secret_access_key: current.into(),
                session_token: None,
            };
            let lookup = |id: &str| (id == "AKIDEXAMPLE").then(|| key.borrowed());
            for (signed, ok) in [(accepted, true), (rejected, false), (accepted, true)] {
                let headers = received_headers(signed);
                let received = as_received(signed, &headers, b"");
                let verdict = verify_into(&received, &policy, lookup, &cache, &mut scratch);
                assert_eq!(verdict.is_ok(), ok, "{current}: {verdict:?}");
            }
        }
        // Its debug form names no secret.
        let shown = format!("{scratch:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn a_mismatch_reports_the_attempt_with_the_token_signed() {
        let policy = test_policy();
        let (_, signed, _) = signed_requests()
            .into_iter()
            .find(|(name, ..)| name == "presigned token")
            .expect("case");
        let key = KnownKey {
            secret_access_key: "another secret".into(),
            session_token: Some("T/K".into()),
        };
        let headers = received_headers(&signed);
        let received = as_received(&signed, &headers, b"body");
        let error = verify(
            &received,
            &policy,
            |_| Some(key.borrowed()),
            &KeyCache::new(),
        );
        let Err(VerifyError::SignatureMismatch(recomputed)) = error else {
            panic!("{error:?}");
        };
        assert_eq!(recomputed.canonical_request, signed.canonical_request);
        assert_eq!(recomputed.string_to_sign, signed.string_to_sign);
        assert_eq!(recomputed.provided, signed.signature);
    }

    #[test]
    fn constant_time_eq_is_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
