//! Assembling the stages into a signature, for the two places a SigV4
//! signature travels: the `Authorization` header and a presigned URL.

use crate::encode::{push_hex32, uri_encode_str, uri_encoded_len, with_scratch, Form};
use crate::headers::{
    check_header, is_token, sort_headers, write_header_block, write_signed_names, HEADERS_ON_STACK,
};
use crate::key::{
    sha256, sha256_remembering, FirstBlockMemo, KeyCache, PreparedKey, RecentKey, SigningKey,
};
use crate::query::{
    canonical_query_len, fill_wire_params, wire_param_count, write_canonical_query, Param,
    PARAMS_ON_STACK,
};
use crate::scan::{any_word, has_byte, has_byte_below};
use crate::uri::{canonical_uri, canonical_uri_len_bound, UriOptions};
use crate::{Error, SigningTime};

/// The algorithm name of SigV4 with HMAC-SHA256.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The payload hash of a request whose body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// A request to sign, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The HTTP method, e.g. `GET`.
    pub method: &'a str,
    /// The path exactly as on the request line (not yet canonicalized).
    pub path: &'a str,
    /// The query exactly as on the request line, without `?`.
    pub query: &'a str,
    /// Header name and value pairs in wire order; duplicates are kept, a
    /// folded value keeps its line breaks. Every header given is signed,
    /// except those the signer sets itself: `Authorization` and
    /// `X-Amz-Date` are dropped, and `X-Amz-Security-Token` and
    /// `x-amz-content-sha256` are replaced when the signer adds them.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body, hashed when the payload is [`Payload::Body`].
    pub body: &'a [u8],
}

/// AWS credentials.
///
/// Safe to log: `Debug` shows the access key id and hides both the secret
/// access key and the session token as `".."` (unlike the `Debug` of
/// [`Signed`], which shows the token).
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// The access key id, e.g. `AKIDEXAMPLE`.
    pub access_key_id: &'a str,
    /// The secret access key. Never printed by this crate.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials.
    pub session_token: Option<&'a str>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"..")
            .field("session_token", &self.session_token.map(|_| ".."))
            .finish()
    }
}

/// What the canonical request's last line, the payload hash, is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The lower-case hex SHA-256 of the body.
    Body,
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// A hash (or sentinel such as `STREAMING-UNSIGNED-PAYLOAD-TRAILER`)
    /// computed by the caller.
    Precomputed(&'a str),
}

/// The rules that differ between services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings<'a> {
    /// Path normalization and double encoding (both off for S3).
    pub uri: UriOptions,
    /// The payload hash.
    pub payload: Payload<'a>,
    /// Add and sign `x-amz-content-sha256` (header signing only; S3 needs
    /// it). A header signature over another payload hash than the body's
    /// (`UNSIGNED-PAYLOAD`) needs it, or the caller's own header: a server
    /// cannot know the hash otherwise ([`Error::PayloadHashNotSent`]).
    pub content_sha256_header: bool,
    /// Sign the session token; when false it is added after signing, as
    /// some services (IoT websockets) want.
    pub sign_session_token: bool,
}

impl Default for Settings<'_> {
    fn default() -> Self {
        Settings {
            uri: UriOptions::default(),
            payload: Payload::Body,
            content_sha256_header: false,
            sign_session_token: true,
        }
    }
}

impl Settings<'_> {
    /// S3's rules, as its SDKs sign: the path neither normalized nor
    /// encoded a second time, and `x-amz-content-sha256` sent and signed
    /// with a header signature. A presigned URL for S3 signs
    /// `UNSIGNED-PAYLOAD`: `Settings { payload: Payload::Unsigned,
    /// ..Settings::s3() }` (and a verifier takes it with
    /// `VerifyPolicy::presigned_unsigned_payload`).
    ///
    /// ```
    /// use sigv4_signer::{sign_headers, Credentials, Request, Settings, SigningParams, SigningTime};
    ///
    /// let headers = [("Host", "my-bucket.s3.amazonaws.com")];
    /// let request = Request {
    ///     method: "GET",
    ///     path: "/photos//2015/../a%2Bb.jpg",
    ///     query: "",
    ///     headers: &headers,
    ///     body: b"",
    /// };
    /// let params = SigningParams {
    ///     credentials: Credentials {
    ///         access_key_id: "AKIDEXAMPLE",
    ///         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ///         session_token: None,
    ///     },
    ///     region: "us-east-1",
    ///     service: "s3",
    ///     time: SigningTime::parse("2015-08-30T12:36:00Z")?,
    ///     settings: Settings::s3(),
    /// };
    /// let signed = sign_headers(&request, &params)?;
    /// // The key's path as sent: `//` and `..` kept, `%2B` not encoded again.
    /// assert!(signed.canonical_request.starts_with("GET\n/photos//2015/../a%2Bb.jpg\n"));
    /// assert_eq!(signed.signed_headers, "host;x-amz-content-sha256;x-amz-date");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn s3() -> Self {
        Settings {
            uri: UriOptions {
                normalize: false,
                double_encode: false,
            },
            content_sha256_header: true,
            ..Settings::default()
        }
    }
}

/// Everything besides the request that a signature depends on.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// Who signs.
    pub credentials: Credentials<'a>,
    /// The region of the scope, e.g. `us-east-1`.
    pub region: &'a str,
    /// The service of the scope, e.g. `execute-api`.
    pub service: &'a str,
    /// The signing instant.
    pub time: SigningTime,
    /// Service-specific rules.
    pub settings: Settings<'a>,
}

/// The lifetime of a presigned URL, checked to be 1..=604800 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry(u32);

impl Expiry {
    /// The longest lifetime AWS accepts: 7 days.
    pub const MAX_SECONDS: u64 = 604_800;

    /// # Errors
    /// [`Error::Expiry`] outside 1..=604800.
    pub fn from_secs(seconds: u64) -> Result<Expiry, Error> {
        match u32::try_from(seconds) {
            Ok(secs) if (1..=Expiry::MAX_SECONDS).contains(&seconds) => Ok(Expiry(secs)),
            _ => Err(Error::Expiry { seconds }),
        }
    }

    /// The lifetime in seconds.
    pub fn as_secs(self) -> u32 {
        self.0
    }
}

/// A signed request and every intermediate that produced it.
///
/// Its `Debug` form never shows the secret access key or the signing key
/// (`SigningKey(..)`), but it does show a session token, as it is sent (in
/// the request to send and, when signed, in the canonical request): the
/// token travels on the wire anyway.
#[derive(Debug, Clone)]
pub struct Signed {
    /// `date/region/service/aws4_request`.
    pub credential_scope: String,
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The derived signing key.
    pub signing_key: SigningKey,
    /// The signature, lower-case hex.
    pub signature: String,
    /// The `;`-separated signed header names.
    pub signed_headers: String,
    /// The last line of the canonical request.
    pub payload_hash: String,
    /// The `Authorization` header value (header signing only).
    pub authorization: Option<String>,
    /// The request as it is to be sent.
    pub request: SignedRequest,
    /// The key cache entry of the last [`Signer::sign_into`] into this
    /// value: the next signature for the same scope skips the lookup.
    recent_key: RecentKey,
    /// The hash state after the canonical request's first block, of the
    /// last [`Signer::sign_into`] into this value: the next request to the
    /// same endpoint skips that block's compression.
    canonical_request_memo: FirstBlockMemo,
    /// The HMAC state after the string to sign's first block, of the last
    /// [`Signer::sign_into`] into this value: the next signature in the
    /// same second for the same scope skips that block's compression.
    string_to_sign_memo: FirstBlockMemo,
}

/// The request as it is to be sent, with the signature in a header or in
/// the query. The body is the caller's and is not copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The method.
    pub method: String,
    /// The path, as given.
    pub path: String,
    /// The query, without `?`.
    pub query: String,
    /// Headers in the order to send them.
    pub headers: Vec<(String, String)>,
}

/// Where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// The `Authorization` header.
    Header,
    /// The query of a presigned URL valid for the given lifetime.
    Query(Expiry),
}

/// Signs with the signature in the `Authorization` header.
///
/// # Errors
/// Any [`Error`] naming the malformed part of the request or parameters.
///
/// # Example
/// ```
/// use sigv4_signer::{sign_headers, Credentials, Request, SigningParams, SigningTime, Settings};
/// let request = Request {
///     method: "GET",
///     path: "/",
///     query: "Param2=value2&Param1=value1",
///     headers: &[("Host", "example.amazonaws.com")],
///     body: b"",
/// };
/// let params = SigningParams {
///     credentials: Credentials {
///         access_key_id: "AKIDEXAMPLE",
///         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///         session_token: None,
///     },
///     region: "us-east-1",
///     service: "service",
///     time: SigningTime::parse("2015-08-30T12:36:00Z")?,
///     settings: Settings::default(),
/// };
/// let signed = sign_headers(&request, &params)?;
/// // The published header signature of the `get-vanilla-query-order-key-case`
/// // vector (vectors/data/aws-v4/get-vanilla-query-order-key-case/).
/// assert_eq!(
///     signed.signature,
///     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
/// );
/// # Ok::<(), sigv4_signer::Error>(())
/// ```
pub fn sign_headers(request: &Request<'_>, params: &SigningParams<'_>) -> Result<Signed, Error> {
    sign_at(request, params, Location::Header, derive_key)
}

/// Signs as a presigned URL valid for `expiry`.
///
/// The `X-Amz-*` parameters and the signature are appended to the query
/// as sent (`signed.request.query`); no header is added and
/// [`Signed::authorization`] is `None`.
///
/// # Errors
/// Any [`Error`] naming the malformed part of the request or parameters.
///
/// # Example
/// ```
/// use sigv4_signer::{presign, Credentials, Expiry, Request, SigningParams, SigningTime, Settings};
/// let request = Request {
///     method: "GET",
///     path: "/",
///     query: "Param2=value2&Param1=value1",
///     headers: &[("Host", "example.amazonaws.com")],
///     body: b"",
/// };
/// let params = SigningParams {
///     credentials: Credentials {
///         access_key_id: "AKIDEXAMPLE",
///         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///         session_token: None,
///     },
///     region: "us-east-1",
///     service: "service",
///     time: SigningTime::parse("2015-08-30T12:36:00Z")?,
///     settings: Settings::default(),
/// };
/// // The vector's `expires_in`: one hour.
/// let signed = presign(&request, &params, Expiry::from_secs(3600)?)?;
/// // The published query signature and signed request of the
/// // `get-vanilla-query-order-key-case` vector
/// // (vectors/data/aws-v4/get-vanilla-query-order-key-case/).
/// assert_eq!(
///     signed.signature,
///     "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5"
/// );
/// assert_eq!(
///     signed.request.query,
///     concat!(
///         "Param2=value2&Param1=value1",
///         "&X-Amz-Algorithm=AWS4-HMAC-SHA256",
///         "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request",
///         "&X-Amz-Date=20150830T123600Z",
///         "&X-Amz-SignedHeaders=host",
///         "&X-Amz-Expires=3600",
///         "&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5",
///     )
/// );
/// assert_eq!(signed.authorization, None);
/// # Ok::<(), sigv4_signer::Error>(())
/// ```
pub fn presign(
    request: &Request<'_>,
    params: &SigningParams<'_>,
    expiry: Expiry,
) -> Result<Signed, Error> {
    sign_at(request, params, Location::Query(expiry), derive_key)
}

/// Signs at `location`, deriving the signing key afresh.
///
/// # Errors
/// Any [`Error`] naming the malformed part of the request or parameters.
pub fn sign(
    request: &Request<'_>,
    params: &SigningParams<'_>,
    location: Location,
) -> Result<Signed, Error> {
    sign_at(request, params, location, derive_key)
}

/// Like [`sign`], writing into `signed` and reusing its strings' memory, as
/// [`Signer::sign_into`] does, with the signing key derived afresh: for a
/// stream of signatures that must not keep derived keys between requests.
///
/// # Errors
/// Any [`Error`] naming the malformed part of the request or parameters.
pub fn sign_into(
    request: &Request<'_>,
    params: &SigningParams<'_>,
    location: Location,
    signed: &mut Signed,
) -> Result<(), Error> {
    // Keeps no key, nor state derived from one: what a cached signer left
    // behind is let go.
    signed.recent_key = RecentKey::default();
    signed.canonical_request_memo = FirstBlockMemo::default();
    signed.string_to_sign_memo = FirstBlockMemo::default();
    sign_into_at(
        request,
        params,
        location,
        derive_key,
        Remember::Nothing,
        signed,
    )
}

fn derive_key(params: &SigningParams<'_>, scope_date: &str) -> PreparedKey {
    PreparedKey::new(SigningKey::derive(
        params.credentials.secret_access_key,
        scope_date,
        params.region,
        params.service,
    ))
}

/// A signer with a cache of derived signing keys, for signing many
/// requests.
#[derive(Debug, Default)]
pub struct Signer {
    pub(crate) cache: KeyCache,
}

impl Signer {
    /// A signer with an empty key cache.
    pub fn new() -> Signer {
        Signer::default()
    }

    /// Like [`sign`], with the key from the cache.
    ///
    /// # Errors
    /// Any [`Error`] naming the malformed part of the request or parameters.
    pub fn sign(
        &self,
        request: &Request<'_>,
        params: &SigningParams<'_>,
        location: Location,
    ) -> Result<Signed, Error> {
        // The result is new: the cache is looked up, nothing remembered
        // (remembering would cost the entry's reference count twice).
        let mut signed = Signed::default();
        sign_into_at(
            request,
            params,
            location,
            |params, scope_date| {
                self.cache.get_prepared(
                    params.credentials.secret_access_key,
                    scope_date,
                    params.region,
                    params.service,
                )
            },
            Remember::Nothing,
            &mut signed,
        )?;
        Ok(signed)
    }

    /// Like [`Signer::sign`], writing into `signed` and reusing its strings'
    /// memory: once `signed` has held a signature of a request of the same
    /// shape, signing allocates nothing. The result is exactly what
    /// [`Signer::sign`] returns. On error, `signed` holds nothing to send
    /// (no headers, no query, no `authorization`, no signature), so the
    /// previous request's signature cannot be sent by mistake; its other
    /// contents are unspecified.
    ///
    /// `signed` also remembers the cache entry of the key it was signed
    /// with (its copy of the secret included, as the cache's), so a stream
    /// of signatures for one scope skips the cache's lock; the hash state
    /// after the canonical request's first 64 bytes (the method, the path
    /// and what follows), so the next request that starts the same (to the
    /// same endpoint) skips that block's compression; and the HMAC state
    /// after the string to sign's first block (the algorithm, the time to
    /// the second, the start of the scope), so the next signature in the
    /// same second for the same scope skips that block's compression.
    ///
    /// # Errors
    /// Any [`Error`] naming the malformed part of the request or parameters.
    ///
    /// # Example
    /// One [`Signed`] reused for two requests; start from
    /// [`Signed::default`], which allocates nothing.
    /// ```
    /// use sigv4_signer::{
    ///     Credentials, Location, Request, Settings, Signed, Signer, SigningParams, SigningTime,
    /// };
    /// let params = SigningParams {
    ///     credentials: Credentials {
    ///         access_key_id: "AKIDEXAMPLE",
    ///         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ///         session_token: None,
    ///     },
    ///     region: "us-east-1",
    ///     service: "service",
    ///     time: SigningTime::parse("2015-08-30T12:36:00Z")?,
    ///     settings: Settings::default(),
    /// };
    /// let signer = Signer::new();
    /// let mut signed = Signed::default();
    /// // The published header signatures of the `get-vanilla` and
    /// // `get-vanilla-query-order-key-case` vectors (vectors/data/aws-v4/).
    /// for (query, expected) in [
    ///     ("", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ///     (
    ///         "Param2=value2&Param1=value1",
    ///         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ///     ),
    /// ] {
    ///     let request = Request {
    ///         method: "GET",
    ///         path: "/",
    ///         query,
    ///         headers: &[("Host", "example.amazonaws.com")],
    ///         body: b"",
    ///     };
    ///     signer.sign_into(&request, &params, Location::Header, &mut signed)?;
    ///     assert_eq!(signed.signature, expected);
    ///     // Exactly what `Signer::sign` returns.
    ///     let fresh = signer.sign(&request, &params, Location::Header)?;
    ///     assert_eq!(signed.authorization, fresh.authorization);
    ///     assert_eq!(signed.request, fresh.request);
    /// }
    /// assert_eq!(
    ///     signed.authorization.as_deref(),
    ///     Some(concat!(
    ///         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ",
    ///         "SignedHeaders=host;x-amz-date, ",
    ///         "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ///     ))
    /// );
    /// # Ok::<(), sigv4_signer::Error>(())
    /// ```
    pub fn sign_into(
        &self,
        request: &Request<'_>,
        params: &SigningParams<'_>,
        location: Location,
        signed: &mut Signed,
    ) -> Result<(), Error> {
        // Out of `signed` for the call, which borrows `signed` whole.
        let mut recent_key = std::mem::take(&mut signed.recent_key);
        let result = sign_into_at(
            request,
            params,
            location,
            |params, scope_date| {
                recent_key.get(
                    &self.cache,
                    params.credentials.secret_access_key,
                    scope_date,
                    params.region,
                    params.service,
                )
            },
            Remember::FirstBlocks,
            signed,
        );
        signed.recent_key = recent_key;
        result
    }
}

impl Signed {
    /// Empties what would be sent: the headers, the query, the
    /// `Authorization` value and the signature, so that an output reused
    /// after an error cannot send the previous request's signature. Only
    /// on an error: the headers' memory goes with them.
    fn clear_what_is_sent(&mut self) {
        self.request.headers.clear();
        self.request.query.clear();
        self.authorization = None;
        self.signature.clear();
    }
}

impl Default for Signed {
    /// Empty strings (no allocation) and an all-zero key: a value to hand
    /// to [`Signer::sign_into`].
    fn default() -> Signed {
        Signed {
            credential_scope: String::new(),
            canonical_request: String::new(),
            string_to_sign: String::new(),
            signing_key: SigningKey::from_bytes([0; 32]),
            signature: String::new(),
            signed_headers: String::new(),
            payload_hash: String::new(),
            authorization: None,
            request: SignedRequest {
                method: String::new(),
                path: String::new(),
                query: String::new(),
                headers: Vec::new(),
            },
            recent_key: RecentKey::default(),
            canonical_request_memo: FirstBlockMemo::default(),
            string_to_sign_memo: FirstBlockMemo::default(),
        }
    }
}

/// `date/region/service/aws4_request`, written as given: like the other
/// stage functions it formats and does not check. The signing functions
/// refuse a region or service that is empty or holds `/`, `,`, whitespace
/// or control characters ([`Error::Scope`]) before they get here.
pub fn credential_scope(time: &SigningTime, region: &str, service: &str) -> String {
    let mut scope = String::new();
    write_credential_scope(time.scope_date(), region, service, &mut scope);
    scope
}

pub(crate) const SCOPE_TERMINATOR: &str = "aws4_request";

pub(crate) fn write_credential_scope(
    scope_date: &str,
    region: &str,
    service: &str,
    out: &mut String,
) {
    out.clear();
    out.reserve(8 + region.len() + service.len() + SCOPE_TERMINATOR.len() + 3);
    for part in [scope_date, "/", region, "/", service, "/", SCOPE_TERMINATOR] {
        out.push_str(part);
    }
}

/// Joins the six parts of the canonical request. `canonical_headers` ends
/// with its own line break, so a blank line follows it.
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    [
        method,
        "\n",
        canonical_uri,
        "\n",
        canonical_query,
        "\n",
        canonical_headers,
        "\n",
        signed_headers,
        "\n",
        payload_hash,
    ]
    .concat()
}

/// `AWS4-HMAC-SHA256`, the time, the scope and the hex SHA-256 of the
/// canonical request, one per line.
pub fn string_to_sign(time: &SigningTime, scope: &str, canonical_request: &str) -> String {
    let mut out = String::new();
    write_string_to_sign(time.amz_date(), scope, canonical_request, &mut out);
    out
}

/// Writes the string to sign into `out`, reusing its memory (the signer
/// and the verifier both write theirs here).
pub(crate) fn write_string_to_sign(
    amz_date: &str,
    scope: &str,
    canonical_request: &str,
    out: &mut String,
) {
    let digest = sha256(canonical_request.as_bytes());
    write_string_to_sign_head(amz_date, scope, out);
    push_hex32(out, &digest);
}

/// Writes the string to sign up to the canonical request's digest, which
/// the caller appends: the head does not depend on the digest, so it can
/// be written while the digest is computed.
pub(crate) fn write_string_to_sign_head(amz_date: &str, scope: &str, out: &mut String) {
    out.clear();
    out.reserve(ALGORITHM.len() + amz_date.len() + scope.len() + 64 + 3);
    for part in [ALGORITHM, "\n", amz_date, "\n", scope, "\n"] {
        out.push_str(part);
    }
}

/// The hex SHA-256 of `body`.
pub fn payload_hash(body: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_body_hash(body, &mut out);
    out
}

/// Whether `value` may be a region, service or access key id: not empty,
/// and no `/` (it separates the scope), `,` (it separates the
/// Authorization header's components; found by the round-trip fuzzer),
/// whitespace, control character or `also_bad`. Bytes above ASCII are
/// allowed. Read a word at a time, without a loop for the usual lengths
/// ([`any_word`]).
fn is_scope_part(value: &str, also_bad: u8) -> bool {
    !value.is_empty()
        && !any_word(value.as_bytes(), |word| {
            // Every ASCII whitespace byte is below 0x21, like the controls
            // but DEL.
            has_byte_below(word, 0x21)
                | has_byte(word, 0x7f)
                | has_byte(word, b'/')
                | has_byte(word, b',')
                | has_byte(word, also_bad)
        })
}

/// The hex SHA-256 of the empty body, the payload hash of most `GET`s.
pub(crate) const EMPTY_BODY_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Appends the hex SHA-256 of `body`.
fn push_body_hash(body: &[u8], out: &mut String) {
    if body.is_empty() {
        out.push_str(EMPTY_BODY_HASH);
    } else {
        push_hex32(out, &sha256(body));
    }
}

/// Checks the parts of the parameters that end up in the scope or the
/// `Credential`, where a stray `/` or `,` would change their meaning.
pub(crate) fn check_params(params: &SigningParams<'_>) -> Result<(), Error> {
    for (part, value) in [("region", params.region), ("service", params.service)] {
        if !is_scope_part(value, b'/') {
            return Err(Error::Scope {
                part,
                value: crate::error::excerpt(value),
            });
        }
    }
    let key_id = params.credentials.access_key_id;
    if !is_scope_part(key_id, b'=') {
        return Err(Error::AccessKeyId);
    }
    if params.credentials.secret_access_key.is_empty() {
        return Err(Error::SecretAccessKey);
    }
    if let Some(token) = params.credentials.session_token {
        // Tokens run to hundreds of bytes: no early exit, whole vectors.
        if token.is_empty()
            || token
                .bytes()
                .fold(false, |bad, b| bad | (b < b' ') | (b == 0x7f))
        {
            return Err(Error::SessionToken);
        }
    }
    Ok(())
}

/// Writes the payload hash (the last line of the canonical request).
fn write_payload_hash(payload: Payload<'_>, body: &[u8], out: &mut String) -> Result<(), Error> {
    match payload {
        Payload::Body => {
            out.clear();
            out.reserve(64);
            push_body_hash(body, out);
        }
        Payload::Unsigned => {
            out.clear();
            out.push_str(UNSIGNED_PAYLOAD);
        }
        Payload::Precomputed(hash) => {
            if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::PayloadHash {
                    value: crate::error::excerpt(hash),
                });
            }
            out.clear();
            out.push_str(hash);
        }
    }
    Ok(())
}

/// Whether a query parameter is one the signer writes: every `X-Amz-*`
/// parameter of a presigned URL, or, signing in the header, those that
/// would make the request a presigned one too.
fn is_written_by_signer(name: &str, location: Location, has_token: bool) -> bool {
    // Only a name that starts with `X` or an escape can be one of them;
    // most parameters are ruled out by their first byte.
    if !matches!(name.as_bytes().first(), Some(b'X' | b'%')) {
        return false;
    }
    if name.contains('%') {
        // A verifier decodes the names before it looks for its own, so
        // `X-Amz-%53ignature` is `X-Amz-Signature` to it.
        return decoded_name(name).is_some_and(|decoded| {
            std::str::from_utf8(decoded.as_slice())
                .is_ok_and(|decoded| is_signer_name(decoded, location, has_token))
        });
    }
    is_signer_name(name, location, has_token)
}

/// [`is_written_by_signer`] for a name as the verifier reads it.
fn is_signer_name(name: &str, location: Location, has_token: bool) -> bool {
    let Some(rest) = name.strip_prefix("X-Amz-") else {
        return false;
    };
    match location {
        Location::Query(_) => {
            matches!(
                rest,
                "Algorithm" | "Credential" | "Date" | "SignedHeaders" | "Expires" | "Signature"
            ) || (has_token && rest == "Security-Token")
        }
        Location::Header => matches!(
            rest,
            "Algorithm" | "Credential" | "SignedHeaders" | "Signature"
        ),
    }
}

/// A query parameter's name with its `%XX` escapes decoded, when that is
/// short enough to be one of the signer's own names (the longest,
/// `X-Amz-Security-Token`, has 20 bytes).
fn decoded_name(name: &str) -> Option<DecodedName> {
    let bytes = name.as_bytes();
    let mut decoded = DecodedName {
        bytes: [0; 24],
        len: 0,
    };
    let mut at = 0;
    while at < bytes.len() {
        let (byte, width) = match crate::encode::escape_at(bytes, at) {
            Some(byte) => (byte, 3),
            None => (bytes[at], 1),
        };
        *decoded.bytes.get_mut(decoded.len)? = byte;
        decoded.len += 1;
        at += width;
    }
    Some(decoded)
}

struct DecodedName {
    bytes: [u8; 24],
    len: usize,
}

impl DecodedName {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Header names the signer sets itself and so drops from the input.
fn is_owned_by_signer(name: &str, params: &SigningParams<'_>, location: Location) -> bool {
    let eq = |other: &str| name.eq_ignore_ascii_case(other);
    eq("authorization")
        || eq("x-amz-date")
        || (eq("x-amz-security-token") && params.credentials.session_token.is_some())
        || (eq("x-amz-content-sha256")
            && location == Location::Header
            && params.settings.content_sha256_header)
}

fn sign_at(
    request: &Request<'_>,
    params: &SigningParams<'_>,
    location: Location,
    signing_key: impl FnOnce(&SigningParams<'_>, &str) -> PreparedKey,
) -> Result<Signed, Error> {
    // Every string is written once into memory reserved at its final size:
    // one allocation per returned string, none besides.
    let mut signed = Signed::default();
    sign_into_at(
        request,
        params,
        location,
        signing_key,
        Remember::Nothing,
        &mut signed,
    )?;
    Ok(signed)
}

/// Sets `slot` to `(name, value)`, reusing its strings' memory.
fn set_pair(slot: &mut (String, String), name: &str, value: &str) {
    slot.0.clear();
    slot.0.push_str(name);
    slot.1.clear();
    slot.1.push_str(value);
}

/// The headers to send, written into a reused vector's strings, with the
/// sizes that the signed ones take in the canonical request, counted as
/// they are copied (separate passes over the headers each ended with a
/// mispredicted branch: the POST of the bench signs 5 ns faster).
struct SentHeaders<'a> {
    headers: &'a mut Vec<(String, String)>,
    len: usize,
    /// Bytes of the signed headers' canonical block, at most.
    block_len: usize,
    /// Bytes of the signed names with their separators, at most.
    names_len: usize,
    /// How many are signed.
    signed: usize,
}

impl SentHeaders<'_> {
    /// Appends a header, counted if `signed`.
    fn push_signed(&mut self, name: &str, value: &str, signed: bool) {
        if signed {
            self.block_len += name.len() + value.len() + 2;
            self.names_len += name.len() + 1;
            self.signed += 1;
        }
        self.push(name, value);
    }

    fn push(&mut self, name: &str, value: &str) {
        match self.headers.get_mut(self.len) {
            Some(slot) => set_pair(slot, name, value),
            None => self.headers.push((name.to_owned(), value.to_owned())),
        }
        self.len += 1;
    }
}

/// The decimal digits of `n`.
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// The name of a presigned URL's session token parameter.
pub(crate) const TOKEN_PARAM: &str = "X-Amz-Security-Token";

/// What a signature leaves in its output for the next one.
#[derive(Clone, Copy)]
pub(crate) enum Remember {
    /// Nothing: a new output, or a caller who wants no key kept.
    Nothing,
    /// The hash states after the canonical request's and the string to
    /// sign's first blocks.
    FirstBlocks,
}

/// Signs into `out`, reusing the memory its strings hold. On an error,
/// `out` is left with nothing to send (see [`Signed::clear_what_is_sent`]).
fn sign_into_at(
    request: &Request<'_>,
    params: &SigningParams<'_>,
    location: Location,
    signing_key: impl FnOnce(&SigningParams<'_>, &str) -> PreparedKey,
    remember: Remember,
    out: &mut Signed,
) -> Result<(), Error> {
    let result = write_signature(request, params, location, signing_key, remember, out);
    if result.is_err() {
        out.clear_what_is_sent();
    }
    result
}

/// [`sign_into_at`], leaving `out` half written on an error.
fn write_signature(
    request: &Request<'_>,
    params: &SigningParams<'_>,
    location: Location,
    signing_key: impl FnOnce(&SigningParams<'_>, &str) -> PreparedKey,
    remember: Remember,
    out: &mut Signed,
) -> Result<(), Error> {
    let (amz_date, scope_date) = check_and_hash_payload(request, params, &mut out.payload_hash)?;
    let settings = &params.settings;
    let token = params.credentials.session_token;
    let unsigned_token = is_token_unsigned(params, location);
    let added = added_header_count(params, location);
    let headers = &mut out.request.headers;
    if headers.capacity() < request.headers.len() + added {
        headers.reserve_exact(request.headers.len() + added - headers.len());
    }
    let mut sent = SentHeaders {
        headers,
        len: 0,
        block_len: 0,
        names_len: 0,
        signed: 0,
    };
    // The caller's headers are copied into the headers to send as they
    // are checked (on an error `sign_into_at` empties them again).
    check_request(
        request,
        params,
        location,
        &out.payload_hash,
        |name, value, signed| sent.push_signed(name, value, signed),
    )?;
    // Then the headers the signer adds. (What can still fail: the signer's
    // own parameters in the query, and the canonical URI's path.)
    added_headers(
        params,
        location,
        amz_date,
        &out.payload_hash,
        |name, value, signed| sent.push_signed(name, value, signed),
    );
    let sent_len = sent.len;
    let (block_len, names_len, signed_count) = (sent.block_len, sent.names_len, sent.signed);

    write_credential_scope(
        scope_date,
        params.region,
        params.service,
        &mut out.credential_scope,
    );
    let scope = out.credential_scope.as_str();
    let key_id = params.credentials.access_key_id;

    let sent_headers = &out.request.headers[..sent_len];
    let is_signed = |name: &str| is_signed_header(name, unsigned_token);
    with_scratch::<u32, HEADERS_ON_STACK, _>(signed_count, |order| {
        sort_headers(sent_headers, is_signed, order);
        out.signed_headers.clear();
        out.signed_headers.reserve(names_len);
        write_signed_names(sent_headers, order, &mut out.signed_headers);

        // The query as sent, and the X-Amz-* parameters of a presigned
        // URL: their encoded forms in the query as sent are exactly their
        // canonical forms, so the canonical query takes them from there.
        let query = &mut out.request.query;
        query.clear();
        let mut presigned = [(0usize, 0usize, 0usize); 6];
        let mut presigned_count = 0;
        if let Location::Query(expiry) = location {
            let mut expires_buf = [0u8; 10];
            let expires = decimal(expiry.as_secs(), &mut expires_buf);
            let names = out.signed_headers.as_str();
            query.reserve(
                request.query.len()
                    + PRESIGN_NAMES_LEN
                    + ALGORITHM.len()
                    + uri_encoded_len(key_id.as_bytes())
                    + 3
                    + uri_encoded_len(scope.as_bytes())
                    + amz_date.len()
                    + uri_encoded_len(names.as_bytes())
                    + expires.len()
                    + token.map_or(0, |t| TOKEN_PARAM.len() + 2 + uri_encoded_len(t.as_bytes()))
                    + SIGNATURE_PARAM.len()
                    + 64,
            );
            query.push_str(request.query);
            let mut param = |query: &mut String, name: &str, value: &mut dyn FnMut(&mut String)| {
                if !query.is_empty() {
                    query.push('&');
                }
                let start = query.len();
                query.push_str(name);
                let equals = query.len();
                query.push('=');
                value(query);
                presigned[presigned_count] = (start, equals, query.len());
                presigned_count += 1;
            };
            param(query, "X-Amz-Algorithm", &mut |q| q.push_str(ALGORITHM));
            param(query, "X-Amz-Credential", &mut |q| {
                uri_encode_str(key_id, false, q);
                q.push_str("%2F");
                uri_encode_str(scope, false, q);
            });
            param(query, "X-Amz-Date", &mut |q| q.push_str(amz_date));
            param(query, "X-Amz-SignedHeaders", &mut |q| {
                uri_encode_str(names, false, q)
            });
            param(query, "X-Amz-Expires", &mut |q| {
                q.extend(expires.iter().map(|&b| char::from(b)))
            });
            if let Some(token) = token {
                param(query, TOKEN_PARAM, &mut |q| uri_encode_str(token, false, q));
            }
        } else {
            query.push_str(request.query);
        }
        // The parameters that are signed: all but an unsigned token.
        let signed_extra = presigned_count
            - usize::from(token.is_some() && !settings.sign_session_token && presigned_count > 0);
        let sent_query = out.request.query.as_str();
        let param_count = wire_param_count(request.query) + signed_extra;
        with_scratch::<Param<'_>, PARAMS_ON_STACK, _>(param_count, |params| {
            let mut filled = fill_request_params(request.query, location, token.is_some(), params)?;
            for (slot, &(start, equals, end)) in
                params[filled..].iter_mut().zip(&presigned[..signed_extra])
            {
                *slot = Param {
                    name: sent_query.get(start..equals).unwrap_or_default(),
                    value: sent_query.get(equals + 1..end).unwrap_or_default(),
                    form: Form::Canonical,
                };
                filled += 1;
            }
            write_canonical_request(
                &CanonicalParts {
                    method: request.method,
                    path: request.path,
                    uri: settings.uri,
                    headers: sent_headers,
                    order,
                    block_len,
                    signed_names: &out.signed_headers,
                    payload_hash: &out.payload_hash,
                },
                &mut params[..filled],
                &mut out.canonical_request,
            )
        })
    })?;

    // The key before the hash: a cache lookup takes a lock, a locked
    // instruction, which waits for the instructions before it, so after
    // the hash it would wait for the compressions. (Taken before the
    // canonical request is written it measured slower still.)
    let key = signing_key(params, scope_date);
    let creq_digest = hash_canonical_request(
        &out.canonical_request,
        remember,
        &mut out.canonical_request_memo,
    );

    // What does not depend on the hash comes before the HMAC, in case the
    // processor can run it beside the compressions (measured, the gain is
    // within the noise; see docs/performance.md).
    write_string_to_sign_head(amz_date, scope, &mut out.string_to_sign);
    let mut authorization = out.authorization.take().unwrap_or_default();
    authorization.clear();
    if location == Location::Header {
        write_authorization_head(key_id, scope, &out.signed_headers, &mut authorization);
    }
    out.request.method.clear();
    out.request.method.push_str(request.method);
    out.request.path.clear();
    out.request.path.push_str(request.path);
    out.signing_key = key.key().clone();

    let signature = sign_string_to_sign(
        &key,
        &creq_digest,
        remember,
        &mut out.string_to_sign_memo,
        &mut out.string_to_sign,
    );
    out.signature.clear();
    out.signature.reserve(64);
    push_hex32(&mut out.signature, &signature);

    match location {
        Location::Header => {
            authorization.push_str(&out.signature);
            let mut sent = SentHeaders {
                headers: &mut out.request.headers,
                len: sent_len,
                block_len: 0,
                names_len: 0,
                signed: 0,
            };
            sent.push("Authorization", &authorization);
            out.request.headers.truncate(sent_len + 1);
            out.authorization = Some(authorization);
        }
        Location::Query(_) => {
            // The query already ends with a parameter, so `&` follows.
            out.request.query.push_str(SIGNATURE_PARAM);
            out.request.query.push_str(&out.signature);
            out.request.headers.truncate(sent_len);
            out.authorization = None;
        }
    }
    Ok(())
}

/// The first checks, in the order their errors take precedence (the
/// method, the parameters, a precomputed payload hash), and the payload
/// hash written into `payload_hash`. Returns the `X-Amz-Date` and the
/// scope's date, taken from the time once: each call validates the digits
/// as text.
pub(crate) fn check_and_hash_payload<'t>(
    request: &Request<'_>,
    params: &'t SigningParams<'_>,
    payload_hash: &mut String,
) -> Result<(&'t str, &'t str), Error> {
    if !is_token(request.method) {
        return Err(Error::Method {
            method: crate::error::excerpt(request.method),
        });
    }
    check_params(params)?;
    write_payload_hash(params.settings.payload, request.body, payload_hash)?;
    let amz_date = params.time.amz_date();
    Ok((amz_date, amz_date.get(..8).unwrap_or_default()))
}

/// Whether `text` is a SHA-256 in hex, as a body's payload hash is.
fn is_hex_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a session token is sent unsigned: a header left out of the
/// signature when [`Settings::sign_session_token`] is off.
pub(crate) fn is_token_unsigned(params: &SigningParams<'_>, location: Location) -> bool {
    !params.settings.sign_session_token && location == Location::Header
}

/// Whether a header sent is signed: all but an unsigned session token.
pub(crate) fn is_signed_header(name: &str, unsigned_token: bool) -> bool {
    !(unsigned_token && name.eq_ignore_ascii_case(TOKEN_PARAM))
}

/// Checks the caller's headers, path and query, in the order their errors
/// take precedence, and hands `keep` each of the caller's headers that the
/// signer does not set itself, with whether it is signed. A missing `Host`
/// is reported before a malformed header; `keep` may have been handed
/// some headers when an error is returned.
pub(crate) fn check_request<'r>(
    request: &Request<'r>,
    params: &SigningParams<'_>,
    location: Location,
    payload_hash: &str,
    mut keep: impl FnMut(&'r str, &'r str, bool),
) -> Result<(), Error> {
    let token = params.credentials.session_token;
    let in_header = location == Location::Header;
    let unsigned_token = is_token_unsigned(params, location);
    let mut has_host = false;
    let mut malformed = Ok(());
    for &(name, value) in request.headers {
        if is_owned_by_signer(name, params, location) {
            continue;
        }
        if name.eq_ignore_ascii_case("host") {
            if has_host {
                malformed = malformed.and(Err(Error::Host {
                    reason: "it is given twice",
                }));
            } else if value.trim_matches(' ').is_empty() {
                malformed = malformed.and(Err(Error::Host {
                    reason: "it is empty",
                }));
            }
            has_host = true;
        } else if name.eq_ignore_ascii_case("x-amz-content-sha256")
            && value.trim_matches(' ') != payload_hash
        {
            malformed = malformed.and(Err(Error::ContentSha256 {
                header: crate::error::excerpt(value),
                payload_hash: payload_hash.to_owned(),
            }));
        }
        let signed = is_signed_header(name, unsigned_token);
        if malformed.is_ok() && signed {
            malformed = check_header(name, value);
        }
        keep(name, value, signed);
    }
    if !has_host {
        return Err(Error::MissingHost);
    }
    malformed?;
    if in_header {
        if let Some(token) = token {
            if !unsigned_token {
                check_header(TOKEN_PARAM, token)?;
            }
        }
        if params.settings.content_sha256_header {
            check_header("x-amz-content-sha256", payload_hash)?;
        } else if !matches!(params.settings.payload, Payload::Body)
            && !is_hex_sha256(payload_hash)
            && !request
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("x-amz-content-sha256"))
        {
            // A server hashes the body unless this header tells it
            // otherwise: without it the signature can never match.
            return Err(Error::PayloadHashNotSent {
                payload_hash: crate::error::excerpt(payload_hash),
            });
        }
    }
    if !request.path.is_empty() && !request.path.starts_with('/') {
        return Err(Error::Path {
            path: crate::error::excerpt(request.path),
        });
    }
    // The path and query are sent as given: a CR or LF there would split
    // the request line, a `?` in the path would start the query and a `#`
    // a fragment, which is never sent (a raw space or UTF-8 is left to
    // the caller: some published cases carry them).
    let control = |word: u64| has_byte_below(word, 0x20) | has_byte(word, 0x7f);
    if any_word(request.path.as_bytes(), |word| {
        control(word) | has_byte(word, b'?') | has_byte(word, b'#')
    }) {
        return Err(request_line_error("path", request.path));
    }
    if any_word(request.query.as_bytes(), |word| {
        control(word) | has_byte(word, b'#')
    }) {
        return Err(request_line_error("query", request.query));
    }
    Ok(())
}

/// What is wrong with a path or query that holds a byte a request line
/// cannot carry as it is: the first such byte decides.
fn request_line_error(part: &'static str, text: &str) -> Error {
    let first = text
        .bytes()
        .find(|&b| b < 0x20 || b == 0x7f || b == b'#' || (part == "path" && b == b'?'));
    match first {
        Some(delimiter @ (b'?' | b'#')) => Error::Delimiter {
            part,
            delimiter: char::from(delimiter),
        },
        _ => Error::ControlCharacter { part },
    }
}

/// How many headers the signer adds to a request: the session token,
/// `X-Amz-Date`, `x-amz-content-sha256` and `Authorization` in the header
/// (see [`added_headers`]), none to a presigned one.
pub(crate) fn added_header_count(params: &SigningParams<'_>, location: Location) -> usize {
    match location {
        Location::Header => {
            usize::from(params.credentials.session_token.is_some())
                + 2
                + usize::from(params.settings.content_sha256_header)
        }
        Location::Query(_) => 0,
    }
}

/// Hands `keep` the headers the signer adds to a header-signed request,
/// in the order they are sent (before `Authorization`), with whether each
/// is signed: the session token, `X-Amz-Date`, `x-amz-content-sha256`.
pub(crate) fn added_headers<'a>(
    params: &SigningParams<'a>,
    location: Location,
    amz_date: &'a str,
    payload_hash: &'a str,
    mut keep: impl FnMut(&'a str, &'a str, bool),
) {
    if location != Location::Header {
        return;
    }
    if let Some(token) = params.credentials.session_token {
        keep(TOKEN_PARAM, token, !is_token_unsigned(params, location));
    }
    keep("X-Amz-Date", amz_date, true);
    if params.settings.content_sha256_header {
        keep("x-amz-content-sha256", payload_hash, true);
    }
}

/// The parameters of the caller's query, split into `params` (as many as
/// [`wire_param_count`] counts); how many were filled.
///
/// # Errors
/// [`Error::QueryParameter`] for a parameter the signer writes itself.
pub(crate) fn fill_request_params<'q>(
    query: &'q str,
    location: Location,
    has_token: bool,
    params: &mut [Param<'q>],
) -> Result<usize, Error> {
    let filled = fill_wire_params(query, params);
    match params[..filled]
        .iter()
        .find(|p| is_written_by_signer(p.name, location, has_token))
    {
        Some(param) => Err(Error::QueryParameter {
            name: crate::error::excerpt(param.name),
        }),
        None => Ok(filled),
    }
}

/// What the canonical request is written from, besides the query.
pub(crate) struct CanonicalParts<'p, N, V> {
    pub(crate) method: &'p str,
    pub(crate) path: &'p str,
    pub(crate) uri: UriOptions,
    /// The headers, of which those at `order` are signed, sorted.
    pub(crate) headers: &'p [(N, V)],
    pub(crate) order: &'p [u32],
    /// The signed headers' canonical block's length, at most.
    pub(crate) block_len: usize,
    /// The signed headers' names, as [`write_signed_names`] wrote them.
    pub(crate) signed_names: &'p str,
    pub(crate) payload_hash: &'p str,
}

/// Writes the canonical request into `creq`, in memory reserved at its
/// final size.
///
/// # Errors
/// [`Error::Path`] for a path the canonical URI refuses.
pub(crate) fn write_canonical_request<N: AsRef<str>, V: AsRef<str>>(
    parts: &CanonicalParts<'_, N, V>,
    params: &mut [Param<'_>],
    creq: &mut String,
) -> Result<(), Error> {
    creq.clear();
    creq.reserve(
        parts.method.len()
            + canonical_uri_len_bound(parts.path)
            + canonical_query_len(params)
            + parts.block_len
            + parts.signed_names.len()
            + parts.payload_hash.len()
            + 5,
    );
    creq.push_str(parts.method);
    creq.push('\n');
    canonical_uri(parts.path, parts.uri, creq)?;
    creq.push('\n');
    write_canonical_query(params, creq);
    creq.push('\n');
    write_header_block(parts.headers, parts.order, parts.signed_names, creq);
    creq.push('\n');
    creq.push_str(parts.signed_names);
    creq.push('\n');
    creq.push_str(parts.payload_hash);
    Ok(())
}

/// The SHA-256 of the canonical request, from `memo` when it remembers its
/// first block.
pub(crate) fn hash_canonical_request(
    creq: &str,
    remember: Remember,
    memo: &mut FirstBlockMemo,
) -> [u8; 32] {
    match remember {
        Remember::FirstBlocks => sha256_remembering(creq.as_bytes(), memo),
        Remember::Nothing => sha256(creq.as_bytes()),
    }
}

/// Appends the canonical request's hex digest to `string_to_sign` (written
/// up to it by [`write_string_to_sign_head`]) and returns its HMAC under
/// `key`, the signature.
pub(crate) fn sign_string_to_sign(
    key: &PreparedKey,
    creq_digest: &[u8; 32],
    remember: Remember,
    memo: &mut FirstBlockMemo,
    string_to_sign: &mut String,
) -> [u8; 32] {
    push_hex32(string_to_sign, creq_digest);
    match remember {
        Remember::FirstBlocks => key.sign_remembering(string_to_sign.as_bytes(), memo),
        Remember::Nothing => key.sign(string_to_sign.as_bytes()),
    }
}

/// Writes the `Authorization` value up to its signature, reserving room
/// for the 64 hex digits.
pub(crate) fn write_authorization_head(
    key_id: &str,
    scope: &str,
    signed_names: &str,
    out: &mut String,
) {
    let parts = [
        ALGORITHM,
        " Credential=",
        key_id,
        "/",
        scope,
        ", SignedHeaders=",
        signed_names,
        ", Signature=",
    ];
    out.clear();
    out.reserve(parts.iter().map(|p| p.len()).sum::<usize>() + 64);
    for part in parts {
        out.push_str(part);
    }
}

/// `&` and `=` around each `X-Amz-*` parameter name of a presigned URL
/// (the token and the signature counted apart).
const PRESIGN_NAMES_LEN: usize = "&X-Amz-Algorithm=&X-Amz-Credential=&X-Amz-Date=\
                                  &X-Amz-SignedHeaders=&X-Amz-Expires="
    .len();
const SIGNATURE_PARAM: &str = "&X-Amz-Signature=";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_result_remembers_its_key_without_showing_the_secret() {
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: "do-not-print-me",
                session_token: None,
            },
            region: "us-east-1",
            service: "service",
            time: SigningTime::from_unix(1_440_938_160).expect("time"),
            settings: Settings::default(),
        };
        let request = Request {
            method: "GET",
            path: "/",
            query: "",
            headers: &[("Host", "example.amazonaws.com")],
            body: b"",
        };
        let mut signed = Signed::default();
        Signer::new()
            .sign_into(&request, &params, Location::Header, &mut signed)
            .expect("signs");
        let shown = format!("{signed:?}");
        assert!(shown.contains("RecentKey(..)"), "{shown}");
        assert!(shown.contains("FirstBlockMemo(..)"), "{shown}");
        assert!(!shown.contains("do-not-print-me"), "{shown}");
        // Signing without a cache lets the remembered entry and state go.
        sign_into(&request, &params, Location::Header, &mut signed).expect("signs");
        let shown = format!("{signed:?}");
        assert!(shown.contains("RecentKey(None)"), "{shown}");
        assert!(shown.contains("FirstBlockMemo(None)"), "{shown}");
    }

    #[test]
    fn conflicting_or_empty_inputs_are_refused_with_their_own_errors() {
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                session_token: None,
            },
            region: "us-east-1",
            service: "service",
            time: SigningTime::from_unix(1_440_938_160).expect("time"),
            settings: Settings::default(),
        };
        let host = ("Host", "example.amazonaws.com");
        let presign = Location::Query(Expiry::from_secs(60).expect("expiry"));
        let attempt = |headers: &[(&str, &str)], query: &str, params: &SigningParams<'_>, at| {
            let request = Request {
                method: "PUT",
                path: "/",
                query,
                headers,
                body: b"data",
            };
            sign(&request, params, at).map(|_| ())
        };
        let signs =
            |headers: &[(&str, &str)], query: &str, at| attempt(headers, query, &params, at);

        let no_secret = SigningParams {
            credentials: Credentials {
                secret_access_key: "",
                ..params.credentials
            },
            ..params
        };
        assert_eq!(
            attempt(&[host], "", &no_secret, Location::Header),
            Err(Error::SecretAccessKey)
        );
        // UNSIGNED-PAYLOAD in a header signature, with nothing to tell the
        // server: refused. With the signer's header, the caller's, or
        // presigned (as S3's URLs are), signed.
        let unsigned = |content_sha256_header| SigningParams {
            settings: Settings {
                payload: Payload::Unsigned,
                content_sha256_header,
                ..Settings::default()
            },
            ..params
        };
        assert_eq!(
            attempt(&[host], "", &unsigned(false), Location::Header),
            Err(Error::PayloadHashNotSent {
                payload_hash: "UNSIGNED-PAYLOAD".into()
            })
        );
        let callers = [host, ("x-amz-content-sha256", "UNSIGNED-PAYLOAD")];
        for (headers, content_sha256_header, at) in [
            (&[host][..], true, Location::Header),
            (&callers[..], false, Location::Header),
            (&[host][..], false, presign),
        ] {
            let params = unsigned(content_sha256_header);
            assert_eq!(
                attempt(headers, "", &params, at),
                Ok(()),
                "{headers:?} {at:?}"
            );
        }
        let empty_token = SigningParams {
            credentials: Credentials {
                session_token: Some(""),
                ..params.credentials
            },
            ..params
        };
        assert_eq!(
            attempt(&[host], "", &empty_token, Location::Header),
            Err(Error::SessionToken)
        );

        let twice = Err(Error::Host {
            reason: "it is given twice",
        });
        assert_eq!(
            signs(&[host, ("host", "evil.example")], "", Location::Header),
            twice
        );
        let empty = Err(Error::Host {
            reason: "it is empty",
        });
        assert_eq!(signs(&[("Host", " ")], "", Location::Header), empty);

        // x-amz-content-sha256 must be the payload hash the signature covers.
        let body_hash = crate::payload_hash(b"data");
        assert_eq!(
            signs(
                &[host, ("x-amz-content-sha256", "UNSIGNED-PAYLOAD")],
                "",
                Location::Header
            ),
            Err(Error::ContentSha256 {
                header: "UNSIGNED-PAYLOAD".into(),
                payload_hash: body_hash.clone(),
            })
        );
        assert_eq!(
            signs(&[host, ("X-Amz-Content-SHA256", &body_hash)], "", presign),
            Ok(())
        );

        // The signer's own query parameters.
        let refused = |name: &str| Err(Error::QueryParameter { name: name.into() });
        for (query, location, name) in [
            ("a=1&X-Amz-Date=20150101T000000Z", presign, "X-Amz-Date"),
            ("X-Amz-Expires=10", presign, "X-Amz-Expires"),
            ("X-Amz-Signature=00", Location::Header, "X-Amz-Signature"),
            // Spelled with escapes, as a verifier decodes them.
            ("X-Amz-%53ignature=1", presign, "X-Amz-%53ignature"),
            (
                "%58-Amz-%41lgorithm=1",
                Location::Header,
                "%58-Amz-%41lgorithm",
            ),
        ] {
            assert_eq!(signs(&[host], query, location), refused(name), "{query}");
        }
        assert_eq!(
            signs(&[host], "X-Amz-%4deta=1&X-Amz-Date%=1&%", presign),
            Ok(())
        );
        // A control character on the request line.
        let path_with = |path| {
            let request = Request {
                method: "GET",
                path,
                query: "q=\r\n",
                headers: &[host],
                body: b"",
            };
            sign(&request, &params, Location::Header).map(|_| ())
        };
        let control = |part| Err(Error::ControlCharacter { part });
        assert_eq!(path_with("/a b\r\nX-Evil: 1"), control("path"));
        assert_eq!(path_with("/\u{7f}"), control("path"));
        assert_eq!(path_with("/a b/ü"), control("query"));
        // A delimiter that would end the path, or the query, on the wire.
        let delimiter = |part, delimiter| Err(Error::Delimiter { part, delimiter });
        let request_line = |path, query| {
            let request = Request {
                method: "GET",
                path,
                query,
                headers: &[host],
                body: b"",
            };
            sign(&request, &params, Location::Header).map(|_| ())
        };
        assert_eq!(request_line("/a?b=c", ""), delimiter("path", '?'));
        assert_eq!(request_line("/a#frag", ""), delimiter("path", '#'));
        assert_eq!(request_line("/a", "b=c#frag"), delimiter("query", '#'));
        assert_eq!(request_line("/a#\r", ""), delimiter("path", '#'));
        assert_eq!(request_line("/a\r#", ""), control("path"));
        assert_eq!(request_line("/a%3Fb%23c", "q=a?b"), Ok(()));
        // Harmless in the header, and other X-Amz-* names anywhere.
        assert_eq!(
            signs(&[host], "X-Amz-Date=1&X-Amz-Expires=2", Location::Header),
            Ok(())
        );
        assert_eq!(signs(&[host], "X-Amz-Meta=1&x-amz-date=2", presign), Ok(()));
        assert_eq!(signs(&[host], "X-Amz-Security-Token=t", presign), Ok(()));
    }

    #[test]
    fn scope_parts_are_checked_as_the_rule_says_at_every_length() {
        let allowed = |b: u8, also_bad: u8| {
            b != b'/'
                && b != b','
                && b != also_bad
                && !b.is_ascii_whitespace()
                && !b.is_ascii_control()
        };
        assert!(!is_scope_part("", b'='));
        // Every byte value at every position, each way the words are read
        // (three bytes, two halves, two, four and more words), against a
        // background of letters and of bytes above ASCII.
        for also_bad in [b'/', b'='] {
            for background in ["a", "é"] {
                for len in 1..=41 {
                    let base = background.repeat(len);
                    let base = &base.as_bytes()[..len];
                    for at in 0..len {
                        for byte in 0..=255u8 {
                            let mut value = base.to_vec();
                            value[at] = byte;
                            let expected = value.iter().all(|&b| allowed(b, also_bad));
                            // Text only: bytes that are not UTF-8 cannot
                            // reach the check.
                            if let Ok(text) = std::str::from_utf8(&value) {
                                assert_eq!(is_scope_part(text, also_bad), expected, "{value:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_empty_body_hash_is_the_sha256_of_nothing() {
        assert_eq!(EMPTY_BODY_HASH, hex::encode(sha256(b"")));
        assert_eq!(payload_hash(b""), EMPTY_BODY_HASH);
        assert_eq!(payload_hash(b"a"), hex::encode(sha256(b"a")));
    }
}
