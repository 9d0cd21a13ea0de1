//! From a received request to an answer: verify the signature, find the
//! caller, evaluate the policies, and say plainly what went wrong. No
//! network here, so every answer can be tested directly.

use crate::diagnose::{diagnose, Evidence};
use crate::protocol::{
    Location, PayloadKind, SignMessage, WireCredentials, WireOptions, WireRequest,
};
use crate::serve::identity::CredentialStore;
use crate::serve::policy::{Decision, Policies};
use crate::serve::resource;
use base64::Engine;
use serde_json::{json, Value};
use sigv4_signer::verify::{verify, ParsedSignature, SignatureLocation, VerifyError, VerifyPolicy};
use sigv4_signer::{KeyCache, Request, SigningTime, UriOptions};

/// Everything the endpoint needs to answer.
#[derive(Debug)]
pub struct Endpoint {
    /// Known credentials.
    pub credentials: CredentialStore,
    /// The statements of the `--policy` files, which alone decide (none
    /// at all: everything is denied, as in IAM); `None` when no `--policy`
    /// was given: every known caller is allowed.
    pub policies: Option<Policies>,
    /// Region of the scope.
    pub region: String,
    /// Service of the scope.
    pub service: String,
    /// API stage, the first path segment (API Gateway style), if any.
    pub stage: Option<String>,
    /// Account id used in resource ARNs.
    pub account: String,
    /// API id used in resource ARNs.
    pub api_id: String,
    /// A pinned clock (`--time`), or the system clock when `None`.
    pub pinned_time: Option<SigningTime>,
    /// Allowed clock skew, seconds.
    pub max_skew_seconds: u64,
    /// Path rules.
    pub uri: UriOptions,
    /// Derived-key cache.
    pub cache: KeyCache,
}

/// A request as received, path and query exactly as on the wire.
#[derive(Debug, Clone)]
pub struct Received {
    /// Method.
    pub method: String,
    /// Path, raw.
    pub path: String,
    /// Query, raw, without `?`.
    pub query: String,
    /// Headers in arrival order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// A path whose first segment is not the endpoint's stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongStage {
    /// The `--stage`.
    pub expected: String,
    /// The path's first segment, as a policy would see it; `None` for `/`.
    pub found: Option<String>,
}

impl std::fmt::Display for WrongStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.found {
            Some(found) => write!(
                f,
                "no stage {found:?} here: the path must start with the stage, /{}/",
                self.expected
            ),
            None => write!(
                f,
                "the path names no stage: it must start with the stage, /{}/",
                self.expected
            ),
        }
    }
}

/// An answer and what to log about it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
    /// `x-amzn-ErrorType`, for failures.
    pub error_type: Option<&'static str>,
    /// The caller's access key id, when known.
    pub access_key_id: Option<String>,
    /// A short outcome for the log line (never a secret).
    pub outcome: String,
}

fn deny(error_type: &'static str, message: String, extra: Value, akid: Option<String>) -> Answer {
    let mut body = json!({"message": message, "reason": error_type});
    if let (Some(map), Value::Object(more)) = (body.as_object_mut(), extra) {
        map.extend(more);
    }
    Answer {
        status: 403,
        body,
        error_type: Some(error_type),
        access_key_id: akid,
        outcome: format!("{error_type}: {message}"),
    }
}

impl Endpoint {
    /// Whether this endpoint stands in for S3 (`--service s3`): S3's rules
    /// for presigned payloads and `x-amz-content-sha256`, and S3's error
    /// codes and answer shape.
    pub fn is_s3(&self) -> bool {
        self.service == "s3"
    }

    /// Whether presigned URLs carry the session token outside the
    /// signature: IoT's websocket URLs (`--service iotdevicegateway`) are
    /// made so; S3 and API Gateway sign it with the other parameters.
    fn adds_token_after_signing(&self) -> bool {
        self.service == "iotdevicegateway"
    }

    fn now(&self) -> SigningTime {
        self.pinned_time.unwrap_or_else(SigningTime::now)
    }

    /// The API Gateway resource ARN of a request:
    /// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH`, where
    /// `PATH` is the path as [`resource::segments`] spells it: decoded and
    /// normalized, so that every spelling of one path is one resource.
    ///
    /// With a stage, the path's first segment must be that stage and the
    /// rest is `PATH`. Without one, the whole path is `PATH` and `STAGE` is
    /// a literal `*`.
    ///
    /// # Errors
    /// [`WrongStage`] when the first segment is not the stage.
    pub fn resource_arn(&self, method: &str, path: &str) -> Result<String, WrongStage> {
        let segments = resource::segments(path);
        let (stage, rest) = match &self.stage {
            Some(stage) => match segments.split_first() {
                Some((first, rest)) if first == stage => (stage.as_str(), rest),
                found => {
                    return Err(WrongStage {
                        expected: stage.clone(),
                        found: found.map(|(first, _)| first.clone()),
                    })
                }
            },
            None => ("*", segments.as_slice()),
        };
        Ok(format!(
            "arn:aws:execute-api:{}:{}:{}/{stage}/{method}/{}",
            self.region,
            self.account,
            self.api_id,
            rest.join("/")
        ))
    }

    /// The answer to `received`.
    pub fn respond(&self, received: &Received) -> Answer {
        // API Gateway routes before it authenticates: a path outside the
        // stage is not found, whoever signed it.
        let resource = match self.resource_arn(&received.method, &received.path) {
            Ok(resource) => resource,
            Err(wrong_stage) => {
                let akid = parsed_signature(received).map(|p| p.access_key_id);
                return Answer {
                    status: 404,
                    ..deny(
                        "NotFoundException",
                        wrong_stage.to_string(),
                        json!({}),
                        akid,
                    )
                };
            }
        };
        if let Some(refused) = self.s3_content_sha256_problem(received) {
            return refused;
        }
        let headers: Vec<(&str, &str)> = received
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = Request {
            method: &received.method,
            path: &received.path,
            query: &received.query,
            headers: &headers,
            body: &received.body,
        };
        let now = self.now();
        let policy = VerifyPolicy {
            region: &self.region,
            service: &self.service,
            now,
            max_skew_seconds: self.max_skew_seconds,
            uri: self.uri,
            presigned_unsigned_payload: self.is_s3(),
            session_token_unsigned: self.adds_token_after_signing(),
            unsigned_payload_header: self.is_s3(),
        };
        let verified = verify(
            &request,
            &policy,
            |akid| self.credentials.known_key(akid),
            &self.cache,
        );
        let verified = match verified {
            Ok(v) => v,
            Err(error) => return self.refusal(received, error),
        };
        let akid = verified.access_key_id.clone();
        let Some(caller) = self.credentials.get(&akid) else {
            return deny(
                "UnrecognizedClientException",
                "unknown caller".into(),
                json!({}),
                Some(akid),
            );
        };
        let decision = match &self.policies {
            Some(policies) => policies.decide(&caller.arn, "execute-api:Invoke", &resource),
            None => Decision::Allowed,
        };
        match decision {
            Decision::Allowed => Answer {
                status: 200,
                body: json!({
                    "identity": {"arn": caller.arn, "accessKeyId": akid},
                    "method": received.method,
                    "path": received.path,
                    "query": received.query,
                    "resource": resource,
                    "body": String::from_utf8_lossy(&received.body),
                    "bodyBase64": base64::engine::general_purpose::STANDARD.encode(&received.body),
                }),
                error_type: None,
                access_key_id: Some(akid),
                outcome: "allowed".into(),
            },
            Decision::ExplicitDeny { sid } => deny(
                "AccessDeniedException",
                format!(
                    "User: {} is not authorized to perform: execute-api:Invoke on resource: {resource} with an explicit deny{}",
                    caller.arn,
                    sid.map(|s| format!(" (statement {s})")).unwrap_or_default()
                ),
                json!({"resource": resource}),
                Some(akid),
            ),
            Decision::ImplicitDeny => deny(
                "AccessDeniedException",
                format!(
                    "User: {} is not authorized to perform: execute-api:Invoke on resource: {resource} (no policy statement allows it)",
                    caller.arn
                ),
                json!({"resource": resource}),
                Some(akid),
            ),
        }
    }

    /// What S3 checks of `x-amz-content-sha256` before the signature: a
    /// request signed in its `Authorization` header must carry it, and its
    /// value must be a hex SHA-256, `UNSIGNED-PAYLOAD` or a `STREAMING-`
    /// mode. A client that gets this wrong works nowhere on S3, so it is
    /// not let through here either. The streaming modes (an `aws-chunked`
    /// body with a signature per chunk) are refused as not supported:
    /// this server does not decode them.
    fn s3_content_sha256_problem(&self, received: &Received) -> Option<Answer> {
        if !self.is_s3() {
            return None;
        }
        let header = |name: &str| {
            received
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        };
        let akid = || parsed_signature(received).map(|p| p.access_key_id);
        let refuse = |status, error_type, message: String| {
            Some(Answer {
                status,
                ..deny(error_type, message, json!({}), akid())
            })
        };
        let value = match (header("authorization"), header("x-amz-content-sha256")) {
            (None, None) => return None,
            (Some(_), None) => {
                return refuse(
                    400,
                    "InvalidRequest",
                    "Missing required header for this request: x-amz-content-sha256 (S3 wants \
                     it on every request signed in the Authorization header: the body's hex \
                     SHA-256, or UNSIGNED-PAYLOAD; sign it too)"
                        .into(),
                )
            }
            (_, Some(value)) => value,
        };
        let is_hex_sha256 = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
        // Shown in the answer: at most a line's worth.
        let shown: String = crate::diff::visible(value).chars().take(80).collect();
        if is_hex_sha256 || value == "UNSIGNED-PAYLOAD" {
            return None;
        }
        if value.starts_with("STREAMING-") {
            return refuse(
                501,
                "NotImplemented",
                format!(
                    "x-amz-content-sha256 is {shown:?}: an aws-chunked body signed chunk by \
                     chunk, which S3 accepts but this server does not decode; sign the whole \
                     body (its hex SHA-256) or send UNSIGNED-PAYLOAD"
                ),
            );
        }
        refuse(
            400,
            "InvalidArgument",
            format!(
                "x-amz-content-sha256 is {shown:?}: S3 accepts the body's hex SHA-256, \
                 UNSIGNED-PAYLOAD or a STREAMING- mode"
            ),
        )
    }

    fn refusal(&self, received: &Received, error: VerifyError) -> Answer {
        let message = error.to_string();
        let akid = parsed_signature(received).map(|p| p.access_key_id);
        // S3's codes where its clients look for them; API Gateway's else.
        let s3 = self.is_s3();
        match error {
            VerifyError::MissingAuthentication => deny(
                "MissingAuthenticationTokenException",
                format!(
                    "Missing Authentication Token: {message}{}",
                    signature_v2_hint(received)
                ),
                json!({}),
                None,
            ),
            VerifyError::UnknownAccessKey { .. } => deny(
                "UnrecognizedClientException",
                format!("The security token included in the request is invalid: {message}"),
                json!({}),
                akid,
            ),
            // AWS's words for a token that does not belong to the key
            // (or is missing for temporary credentials); ours say which.
            VerifyError::SessionToken { .. } => deny(
                "UnrecognizedClientException",
                format!("The security token included in the request is invalid: {message}"),
                json!({}),
                akid,
            ),
            VerifyError::Skew { .. } | VerifyError::Expired { .. } => deny(
                match error {
                    VerifyError::Skew { .. } if s3 => "RequestTimeTooSkewed",
                    VerifyError::Expired { .. } if s3 => "AccessDenied",
                    _ => "InvalidSignatureException",
                },
                // AWS's words for a request from the future differ.
                match error {
                    VerifyError::Skew { ahead: true, .. } => {
                        format!("Signature not yet current: {message}")
                    }
                    _ => format!("Signature expired: {message}"),
                },
                json!({}),
                akid,
            ),
            // S3's answer to a scope in another region, which its clients
            // read to find the bucket's region.
            VerifyError::Region {
                ref expected,
                ref found,
            } if s3 => {
                let presigned = parsed_signature(received)
                    .is_some_and(|p| p.location == SignatureLocation::Query);
                let (code, what) = if presigned {
                    (
                        "AuthorizationQueryParametersError",
                        "Error parsing the X-Amz-Credential parameter",
                    )
                } else {
                    (
                        "AuthorizationHeaderMalformed",
                        "The authorization header is malformed",
                    )
                };
                Answer {
                    status: 400,
                    ..deny(
                        code,
                        format!("{what}; the region '{found}' is wrong; expecting '{expected}'"),
                        json!({ "region": expected }),
                        akid,
                    )
                }
            }
            VerifyError::SignatureMismatch(recomputed) => {
                let diagnosis = self.diagnose_mismatch(received, &recomputed.provided);
                let hint = match diagnosis.first() {
                    Some(d) => format!("Proven cause: {} ({}).", d.explanation, d.fault),
                    None => format!(
                        "No catalogued signing mistake reproduces your signature: check the \
                         secret access key and whether something changed the request after \
                         signing (method, body, signed headers, path, query), then compare your \
                         canonical request and string to sign with this server's ({}).",
                        if s3 {
                            "CanonicalRequest and StringToSign"
                        } else {
                            "canonicalRequest and stringToSign"
                        }
                    ),
                };
                deny(
                    if s3 {
                        "SignatureDoesNotMatch"
                    } else {
                        "InvalidSignatureException"
                    },
                    format!(
                        "The request signature we calculated does not match the signature you \
                         provided. {hint}"
                    ),
                    json!({
                        "canonicalRequest": recomputed.canonical_request,
                        "stringToSign": recomputed.string_to_sign,
                        "diagnosis": diagnosis,
                    }),
                    akid,
                )
            }
            VerifyError::PayloadHash { .. } if s3 => {
                deny("XAmzContentSHA256Mismatch", message, json!({}), akid)
            }
            other => deny(
                "IncompleteSignatureException",
                other.to_string(),
                json!({}),
                akid,
            ),
        }
    }

    /// Re-signs the received request with the catalogue's faulty rules to
    /// name the client's mistake.
    fn diagnose_mismatch(
        &self,
        received: &Received,
        provided: &str,
    ) -> Vec<crate::verdict::Diagnosis> {
        let Some(parsed) = parsed_signature(received) else {
            return Vec::new();
        };
        let Some(known) = self.credentials.get(&parsed.access_key_id) else {
            return Vec::new();
        };
        let header = |name: &str| {
            received
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        };
        let signed = |name: &str| parsed.signed_headers.iter().any(|h| h == name);
        let query_auth = parsed.location == SignatureLocation::Query;
        let amz_date = if query_auth {
            parsed.amz_date.clone()
        } else {
            header("x-amz-date")
        };
        let Some(time) = amz_date.as_deref().and_then(|d| SigningTime::parse(d).ok()) else {
            return Vec::new();
        };
        let content_sha = header("x-amz-content-sha256");
        let owned = [
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
        ];
        let headers: Vec<(String, String)> = received
            .headers
            .iter()
            .filter(|(n, _)| {
                let lower = n.to_ascii_lowercase();
                signed(&lower) && !owned.contains(&lower.as_str())
            })
            .cloned()
            .collect();
        let query: Vec<&str> = received
            .query
            .split('&')
            .filter(|p| !(query_auth && p.starts_with("X-Amz-")))
            .collect();
        let token_given = if query_auth {
            parsed.security_token.is_some()
        } else {
            header("x-amz-security-token").is_some()
        };
        let message = SignMessage {
            id: "received".into(),
            request: WireRequest {
                method: received.method.clone(),
                path: received.path.clone(),
                query: query.join("&"),
                headers,
                body_base64: Some(base64::engine::general_purpose::STANDARD.encode(&received.body)),
            },
            credentials: WireCredentials {
                access_key_id: parsed.access_key_id.clone(),
                secret_access_key: known.secret_access_key.clone(),
                session_token: if token_given {
                    known.session_token.clone()
                } else {
                    None
                },
            },
            region: self.region.clone(),
            service: self.service.clone(),
            time: time.to_string(),
            options: WireOptions {
                location: if query_auth {
                    Location::Query
                } else {
                    Location::Header
                },
                expires_in: parsed.expires.unwrap_or(3600),
                normalize_path: self.uri.normalize,
                double_encode_path: self.uri.double_encode,
                payload: if content_sha.as_deref() == Some("UNSIGNED-PAYLOAD")
                    || (query_auth && self.is_s3())
                {
                    PayloadKind::Unsigned
                } else {
                    PayloadKind::Signed
                },
                content_sha256_header: !query_auth && signed("x-amz-content-sha256"),
                sign_session_token: if query_auth {
                    true
                } else {
                    signed("x-amz-security-token")
                },
            },
        };
        let evidence = Evidence {
            amz_date,
            scope: Some(parsed.scope.to_string()),
        };
        let mut diagnosis = diagnose(&message, provided, None, &evidence);
        // A raw reserved byte in an S3 path is signed verbatim by the SDKs
        // and encoded once by this server: a contested case, not a plain
        // mistake (vectors/README.md, "Contested cases").
        let raw_reserved = received
            .path
            .bytes()
            .any(|b| !b.is_ascii_alphanumeric() && !b"-._~/%".contains(&b));
        if !self.uri.double_encode && raw_reserved {
            for d in diagnosis
                .iter_mut()
                .filter(|d| d.fault == "path-not-encoded")
            {
                d.explanation.push_str(
                    ". Contested for S3: SDKs such as botocore and aws-sigv4 sign an S3 path as \
                     it is sent, while this server, like the reference signer, encodes its raw \
                     reserved bytes once (`+` as `%2B`); sending the path percent-encoded works \
                     under both readings",
                );
            }
        }
        diagnosis
    }
}

/// A hint for a request that carries Signature Version 2 instead: a
/// presigned URL with `AWSAccessKeyId`, `Signature` and `Expires` (what
/// botocore writes for S3 unless told `signature_version="s3v4"`).
fn signature_v2_hint(received: &Received) -> &'static str {
    let has = |name: &str| {
        received
            .query
            .split('&')
            .any(|param| param.split('=').next() == Some(name))
    };
    if has("AWSAccessKeyId") && has("Signature") {
        " (this is a Signature Version 2 presigned URL, with AWSAccessKeyId and Signature: \
         sign with Signature Version 4; botocore: Config(signature_version=\"s3v4\"))"
    } else {
        ""
    }
}

/// The signature a received request carries, if it parses.
fn parsed_signature(received: &Received) -> Option<ParsedSignature> {
    let auth = received
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.as_str());
    match auth {
        Some(value) => sigv4_signer::verify::parse_authorization(value).ok(),
        None => sigv4_signer::verify::parse_presigned(&received.query).ok(),
    }
}
