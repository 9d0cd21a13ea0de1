//! Assembling the stages into a signature, for the two places a SigV4
//! signature travels: the `Authorization` header and a presigned URL.

use crate::headers::{canonical_headers, is_token};
use crate::key::{KeyCache, SigningKey};
use crate::query::canonical_query;
use crate::uri::{canonical_uri, UriOptions};
use crate::{Error, SigningTime};
use sha2::{Digest, Sha256};

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
    /// it).
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
/// // The published signature of the `get-vanilla-query` vector.
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
/// # Errors
/// Any [`Error`] naming the malformed part of the request or parameters.
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

fn derive_key(params: &SigningParams<'_>) -> SigningKey {
    SigningKey::derive(
        params.credentials.secret_access_key,
        params.time.scope_date(),
        params.region,
        params.service,
    )
}

/// A signer with a cache of derived signing keys, for signing many
/// requests.
#[derive(Debug, Default)]
pub struct Signer {
    cache: KeyCache,
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
        sign_at(request, params, location, |params| {
            self.cache.get(
                params.credentials.secret_access_key,
                params.time.scope_date(),
                params.region,
                params.service,
            )
        })
    }
}

/// `date/region/service/aws4_request`.
pub fn credential_scope(time: &SigningTime, region: &str, service: &str) -> String {
    format!("{}/{region}/{service}/aws4_request", time.scope_date())
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
    let digest = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{}\n{scope}\n{digest}", time.amz_date())
}

/// The hex SHA-256 of `body`.
pub fn payload_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Checks the parts of the parameters that end up in the scope or the
/// `Credential`, where a stray `/` or `,` would change their meaning.
pub(crate) fn check_params(params: &SigningParams<'_>) -> Result<(), Error> {
    let scope_part_ok = |value: &str| {
        !value.is_empty()
            && value
                .bytes()
                .all(|b| b != b'/' && !b.is_ascii_whitespace() && !b.is_ascii_control())
    };
    for (part, value) in [("region", params.region), ("service", params.service)] {
        if !scope_part_ok(value) {
            return Err(Error::Scope {
                part,
                value: value.to_owned(),
            });
        }
    }
    let key_id = params.credentials.access_key_id;
    if !scope_part_ok(key_id) || key_id.contains([',', '=']) {
        return Err(Error::AccessKeyId);
    }
    if let Some(token) = params.credentials.session_token {
        if token.bytes().any(|b| b.is_ascii_control()) {
            return Err(Error::SessionToken);
        }
    }
    Ok(())
}

fn resolve_payload_hash(payload: Payload<'_>, body: &[u8]) -> Result<String, Error> {
    match payload {
        Payload::Body => Ok(payload_hash(body)),
        Payload::Unsigned => Ok(UNSIGNED_PAYLOAD.to_owned()),
        Payload::Precomputed(hash) => {
            if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_graphic()) {
                Ok(hash.to_owned())
            } else {
                Err(Error::PayloadHash {
                    value: hash.to_owned(),
                })
            }
        }
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
    signing_key: impl FnOnce(&SigningParams<'_>) -> SigningKey,
) -> Result<Signed, Error> {
    if !is_token(request.method) {
        return Err(Error::Method {
            method: request.method.to_owned(),
        });
    }
    check_params(params)?;
    let settings = &params.settings;
    let payload_hash = resolve_payload_hash(settings.payload, request.body)?;
    let amz_date = params.time.amz_date();
    let token = params.credentials.session_token;

    // Headers as sent: the caller's, then what the signer adds.
    let mut sent: Vec<(&str, &str)> = request
        .headers
        .iter()
        .copied()
        .filter(|(name, _)| !is_owned_by_signer(name, params, location))
        .collect();
    if !sent
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        return Err(Error::MissingHost);
    }
    if location == Location::Header {
        if let Some(token) = token {
            sent.push(("X-Amz-Security-Token", token));
        }
        sent.push(("X-Amz-Date", amz_date));
        if settings.content_sha256_header {
            sent.push(("x-amz-content-sha256", &payload_hash));
        }
    }
    let unsigned_token = !settings.sign_session_token && location == Location::Header;
    let signed: Vec<(&str, &str)> = sent
        .iter()
        .copied()
        .filter(|(name, _)| !(unsigned_token && name.eq_ignore_ascii_case("x-amz-security-token")))
        .collect();
    let (mut headers_block, mut signed_headers) = (String::new(), String::new());
    canonical_headers(&signed, &mut headers_block, &mut signed_headers)?;

    let credential_scope = credential_scope(&params.time, params.region, params.service);
    let credential = format!("{}/{credential_scope}", params.credentials.access_key_id);
    let expires;
    let mut presign_params: Vec<(&str, &str)> = Vec::new();
    if let Location::Query(expiry) = location {
        expires = expiry.as_secs().to_string();
        presign_params.extend([
            ("X-Amz-Algorithm", ALGORITHM),
            ("X-Amz-Credential", credential.as_str()),
            ("X-Amz-Date", amz_date),
            ("X-Amz-SignedHeaders", signed_headers.as_str()),
            ("X-Amz-Expires", expires.as_str()),
        ]);
        if let Some(token) = token {
            presign_params.push(("X-Amz-Security-Token", token));
        }
    }
    // The parameters that are signed: all but an unsigned token.
    let signed_param_count = presign_params.len()
        - usize::from(
            token.is_some() && !settings.sign_session_token && !presign_params.is_empty(),
        );

    let mut uri = String::with_capacity(request.path.len() + 8);
    canonical_uri(request.path, settings.uri, &mut uri)?;
    let mut query = String::with_capacity(request.query.len() + 256);
    canonical_query(
        request.query,
        &presign_params[..signed_param_count],
        &mut query,
    );
    let canonical_request = canonical_request(
        request.method,
        &uri,
        &query,
        &headers_block,
        &signed_headers,
        &payload_hash,
    );
    let string_to_sign = string_to_sign(&params.time, &credential_scope, &canonical_request);
    let signing_key = signing_key(params);
    let signature = signing_key.sign(&string_to_sign);

    let mut out_query = request.query.to_owned();
    let mut out_headers: Vec<(String, String)> = sent
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let authorization = match location {
        Location::Header => {
            let value = format!(
                "{ALGORITHM} Credential={credential}, SignedHeaders={signed_headers}, \
                 Signature={signature}"
            );
            out_headers.push(("Authorization".to_owned(), value.clone()));
            Some(value)
        }
        Location::Query(_) => {
            presign_params.push(("X-Amz-Signature", &signature));
            for (name, value) in &presign_params {
                if !out_query.is_empty() {
                    out_query.push('&');
                }
                crate::encode::uri_encode(name.as_bytes(), false, &mut out_query);
                out_query.push('=');
                crate::encode::uri_encode(value.as_bytes(), false, &mut out_query);
            }
            None
        }
    };
    Ok(Signed {
        credential_scope,
        canonical_request,
        string_to_sign,
        signing_key,
        signature,
        signed_headers,
        payload_hash,
        authorization,
        request: SignedRequest {
            method: request.method.to_owned(),
            path: request.path.to_owned(),
            query: out_query,
            headers: out_headers,
        },
    })
}
