//! Verification: parse the signature of a received request (from the
//! `Authorization` header or a presigned query) strictly, look up the
//! secret, recompute with the same stages the signer uses, compare in
//! constant time, and check the scope, the clock and the expiry.

use crate::encode::escape_at;
use crate::headers::canonical_headers;
use crate::query::canonical_query;
use crate::sign::{canonical_request, payload_hash, string_to_sign, ALGORITHM, UNSIGNED_PAYLOAD};
use crate::uri::{canonical_uri, UriOptions};
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

/// Why a request did not verify. Every variant names what was wrong.
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
    /// A header named in `SignedHeaders` is not in the request.
    SignedHeaderMissing {
        /// Its name.
        name: String,
    },
    /// The credentials need a session token the request does not carry, or
    /// carries another.
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
                write!(f, "unsupported algorithm {found:?}: only {ALGORITHM} is accepted")
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
            } => write!(
                f,
                "the request time {request_time} is more than {allowed_seconds} s from the server time {now}; check the client's clock (UTC)"
            ),
            E::Expired { expired_at, now } => {
                write!(f, "the presigned URL expired at {expired_at}; it is now {now}")
            }
            E::HostNotSigned => f.write_str("the host header is not signed; SigV4 requires it"),
            E::SignedHeaderMissing { name } => write!(
                f,
                "the header {name:?} is listed in SignedHeaders but not present in the request"
            ),
            E::SessionToken { reason } => write!(f, "session token: {reason}"),
            E::PayloadHash { claimed, actual } => write!(
                f,
                "x-amz-content-sha256 is {claimed} but the body received hashes to {actual}"
            ),
            E::Request(e) => write!(f, "the request cannot be canonicalized: {e}"),
            E::SignatureMismatch(_) => f.write_str(
                "the request signature does not match the signature computed from the request and the secret",
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

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
    let value = value.trim_matches(' ');
    let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(VerifyError::Algorithm {
            found: algorithm.to_owned(),
        });
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim_matches(' ');
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| VerifyError::Authorization {
                reason: format!("{part:?} is not key=value"),
            })?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => {
                return Err(VerifyError::Authorization {
                    reason: format!("unknown component {other:?}"),
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
        signed_headers: parse_signed_headers(signed.ok_or_else(|| missing("SignedHeaders"))?)?,
        signature: parse_signature(signature.ok_or_else(|| missing("Signature"))?)?,
        amz_date: None,
        expires: None,
        security_token: None,
    })
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
    const NAMES: [&str; 7] = PRESIGN_PARAMETERS;
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
            found: expires_text.clone(),
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
        return Err(fail(format!("{text:?} has an empty part")));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail(format!("the date {date:?} is not YYYYMMDD")));
    }
    if terminator != "aws4_request" {
        return Err(VerifyError::Terminator {
            found: terminator.to_owned(),
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
            return Err(fail(format!("{name:?} is not a header name")));
        }
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(fail(format!("{name:?} is not lower case")));
        }
    }
    if names.windows(2).any(|w| w[0] >= w[1]) {
        return Err(fail(format!("{text:?} is not sorted without repeats")));
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

impl fmt::Debug for KnownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KnownKey(..)")
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

/// Verifies `request` (path and query exactly as received) against
/// `policy`, with secrets from `lookup`. Derived keys come from `cache`.
///
/// # Errors
/// The first [`VerifyError`] found, checks in this order: parsing, key
/// lookup, scope, time, signed headers, token, payload hash, signature.
pub fn verify(
    request: &Request<'_>,
    policy: &VerifyPolicy<'_>,
    lookup: impl Fn(&str) -> Option<KnownKey>,
    cache: &KeyCache,
) -> Result<Verified, VerifyError> {
    let header = |name: &'static str| header_values(request.headers, name);
    let authorizations: Vec<&str> = header("authorization").collect();
    let presigned = request
        .query
        .split('&')
        .any(|p| p.split('=').next() == Some("X-Amz-Algorithm"));
    let mut parsed = match (authorizations.as_slice(), presigned) {
        ([], false) => return Err(VerifyError::MissingAuthentication),
        ([_, ..], true) => return Err(VerifyError::AmbiguousAuthentication),
        ([one], false) => parse_authorization(one)?,
        ([_, _, ..], false) => return Err(VerifyError::DuplicateAuthorization),
        ([], true) => parse_presigned(request.query)?,
    };
    if parsed.location == SignatureLocation::Header {
        let mut dates = header("x-amz-date");
        let date = dates.next().ok_or(VerifyError::MissingDate)?;
        parsed.amz_date = Some(date.trim_matches(' ').to_owned());
        parsed.security_token = header("x-amz-security-token")
            .next()
            .map(|t| t.trim_matches(' ').to_owned());
    }
    let amz_date = parsed.amz_date.clone().unwrap_or_default();
    let time = match SigningTime::parse(&amz_date) {
        Ok(time) if amz_date.len() == 16 => time,
        _ => return Err(VerifyError::Date { found: amz_date }),
    };
    let known = lookup(&parsed.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKey {
        access_key_id: parsed.access_key_id.clone(),
    })?;
    check_scope(&parsed.scope, time, policy)?;
    check_time(&parsed, time, policy)?;
    if !parsed.signed_headers.iter().any(|h| h == "host") {
        return Err(VerifyError::HostNotSigned);
    }
    match (&known.session_token, &parsed.security_token) {
        (Some(_), None) => {
            return Err(VerifyError::SessionToken {
                reason:
                    "these are temporary credentials; the request must carry X-Amz-Security-Token",
            })
        }
        // A header value loses its edge spaces on the way (HTTP strips
        // them), so the token may arrive trimmed (found by the round-trip
        // fuzzer); a presigned query carries it exactly.
        (Some(expected), Some(given))
            if !(constant_time_eq(expected.as_bytes(), given.as_bytes())
                || constant_time_eq(expected.trim_matches(' ').as_bytes(), given.as_bytes())) =>
        {
            return Err(VerifyError::SessionToken {
                reason: "X-Amz-Security-Token is not the token of these credentials",
            })
        }
        _ => {}
    }

    // The signed headers, as received.
    let mut signed: Vec<(&str, &str)> = Vec::new();
    for name in &parsed.signed_headers {
        let before = signed.len();
        signed.extend(
            request
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .copied(),
        );
        if signed.len() == before {
            return Err(VerifyError::SignedHeaderMissing { name: name.clone() });
        }
    }
    let payload = match parsed.location {
        SignatureLocation::Query if policy.presigned_unsigned_payload => {
            UNSIGNED_PAYLOAD.to_owned()
        }
        SignatureLocation::Query => payload_hash(request.body),
        SignatureLocation::Header => {
            let actual = payload_hash(request.body);
            match header("x-amz-content-sha256")
                .next()
                .map(|v| v.trim_matches(' '))
            {
                None => actual,
                Some(claimed)
                    if claimed.len() == 64 && claimed.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    if !claimed.eq_ignore_ascii_case(&actual) {
                        return Err(VerifyError::PayloadHash {
                            claimed: claimed.to_owned(),
                            actual,
                        });
                    }
                    claimed.to_owned()
                }
                // A sentinel such as UNSIGNED-PAYLOAD is signed as given.
                Some(sentinel) => sentinel.to_owned(),
            }
        }
    };
    let (mut headers_block, mut names) = (String::new(), String::new());
    canonical_headers(&signed, &mut headers_block, &mut names)?;
    let mut uri = String::new();
    canonical_uri(request.path, policy.uri, &mut uri)?;
    // The HMAC states of the cached key: no re-keying per request.
    let key = cache.get_prepared(
        &known.secret_access_key,
        &parsed.scope.date,
        &parsed.scope.region,
        &parsed.scope.service,
    );
    let provided = decode_signature(&parsed.signature);
    let scope = parsed.scope.to_string();
    let attempt = |excluded: &[&str]| {
        let mut query = String::new();
        if excluded.is_empty() {
            canonical_query(request.query, &[], &mut query);
        } else {
            let kept: Vec<&str> = request
                .query
                .split('&')
                .filter(|p| !excluded.contains(&p.split('=').next().unwrap_or("")))
                .collect();
            canonical_query(&kept.join("&"), &[], &mut query);
        }
        let creq = canonical_request(
            request.method,
            &uri,
            &query,
            &headers_block,
            &names,
            &payload,
        );
        let sts = string_to_sign(&time, &scope, &creq);
        let matches = constant_time_eq(&key.sign(sts.as_bytes()), &provided);
        (creq, sts, matches)
    };
    let (creq, sts, matches) = match parsed.location {
        SignatureLocation::Header => attempt(&[]),
        SignatureLocation::Query => {
            // Everything but the signature itself is signed; some services
            // (IoT) add the session token after signing, so a presigned URL
            // whose token is not covered is accepted too.
            let signed = attempt(&["X-Amz-Signature"]);
            if !signed.2 && parsed.security_token.is_some() {
                let unsigned_token = attempt(&["X-Amz-Signature", "X-Amz-Security-Token"]);
                if unsigned_token.2 {
                    unsigned_token
                } else {
                    signed
                }
            } else {
                signed
            }
        }
    };
    if !matches {
        return Err(VerifyError::SignatureMismatch(Box::new(Recomputed {
            canonical_request: creq,
            string_to_sign: sts,
            provided: parsed.signature,
        })));
    }
    Ok(Verified {
        access_key_id: parsed.access_key_id.clone(),
        signature: parsed,
        canonical_request: creq,
        string_to_sign: sts,
    })
}

fn header_values<'a>(
    headers: &'a [(&'a str, &'a str)],
    name: &'static str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fn check_scope(
    scope: &Scope,
    time: SigningTime,
    policy: &VerifyPolicy<'_>,
) -> Result<(), VerifyError> {
    if scope.date != time.scope_date() {
        return Err(VerifyError::ScopeDate {
            scope_date: scope.date.clone(),
            amz_date: time.amz_date().to_owned(),
        });
    }
    if scope.region != policy.region {
        return Err(VerifyError::Region {
            expected: policy.region.to_owned(),
            found: scope.region.clone(),
        });
    }
    if scope.service != policy.service {
        return Err(VerifyError::Service {
            expected: policy.service.to_owned(),
            found: scope.service.clone(),
        });
    }
    Ok(())
}

fn check_time(
    parsed: &ParsedSignature,
    time: SigningTime,
    policy: &VerifyPolicy<'_>,
) -> Result<(), VerifyError> {
    let now = policy.now.unix_seconds();
    let signed_at = time.unix_seconds();
    let skew = policy.max_skew_seconds as i64;
    let show = |t: i64| SigningTime::from_unix(t).map_or_else(|| t.to_string(), |t| t.to_string());
    let too_early = signed_at - now > skew;
    match parsed.expires {
        None if too_early || now - signed_at > skew => Err(VerifyError::Skew {
            request_time: time.to_string(),
            now: policy.now.to_string(),
            allowed_seconds: policy.max_skew_seconds,
        }),
        Some(_) if too_early => Err(VerifyError::Skew {
            request_time: time.to_string(),
            now: policy.now.to_string(),
            allowed_seconds: policy.max_skew_seconds,
        }),
        Some(expires) if now > signed_at + expires as i64 => Err(VerifyError::Expired {
            expired_at: show(signed_at + expires as i64),
            now: policy.now.to_string(),
        }),
        _ => Ok(()),
    }
}

/// The 32 bytes of a signature already checked to be 64 lower-case hex
/// digits.
fn decode_signature(hex_text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let digits = hex_text.as_bytes();
    for (i, byte) in out.iter_mut().enumerate() {
        let digit = |at: usize| {
            crate::encode::hex_digit(digits.get(at).copied().unwrap_or(b'0')).unwrap_or(0)
        };
        *byte = digit(2 * i) << 4 | digit(2 * i + 1);
    }
    out
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

    #[test]
    fn constant_time_eq_is_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
