//! Differential: our signer against crates.io `aws-sigv4` (1.3.8, the
//! Rust SDK's signer) as an independent oracle.
//!
//! Property: for every request both signers accept, outside the documented
//! legitimate differences ([`Exclusion`], also listed in
//! `fuzz/README.md`), the two signatures are equal. On a mismatch the
//! panic shows our canonical request and aws-sigv4's string to sign.

use crate::request::{header_pairs, model_sign, SignInput};
use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign as aws_sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use sigv4_signer::sign;
use std::borrow::Cow;
use std::time::{Duration, SystemTime};

/// The input type.
pub type Input = SignInput;

/// The host of the URI handed to aws-sigv4 (the signed `Host` is the
/// request's own header).
pub const URI_HOST: &str = "example.amazonaws.com";

/// A legitimate difference between the two signers: inputs on which they
/// are allowed to disagree, and so are not compared. Each is written down
/// in `fuzz/README.md` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// Our signer refuses the input (it validates the method, the scope
    /// parts, the access key id, the session token, header names and
    /// values, `Host`, the path and the presign lifetime; aws-sigv4 signs
    /// whatever it is given). The `sign` target checks the refusals.
    RefusedByOurs,
    /// The request line cannot be given to aws-sigv4: it takes a URI and
    /// parses it as `http::Uri`, which refuses raw spaces, non-ASCII and
    /// several other characters. (A `?` or `#` in the path, which would
    /// move the query or cut the URI, our signer refuses.)
    NotAUri,
    /// A raw `+` in the query: aws-sigv4 form-decodes the query
    /// (`form_urlencoded`), so `+` is a space (`%20`); SigV4, our signer and
    /// the authored vector `query-raw-plus` keep it as a literal `%2B`.
    RawPlusInQuery,
    /// A query name or value whose percent-decoding is not UTF-8:
    /// aws-sigv4 decodes to `str` lossily (U+FFFD, `%EF%BF%BD`), we keep
    /// the bytes.
    QueryEscapeNotUtf8,
    /// Single encoding (S3) of a path with bytes other than unreserved
    /// characters, `/` and valid escapes: aws-sigv4 takes the URI path as
    /// already encoded and signs it verbatim, we encode those bytes
    /// (vector `authored/s3-path-raw-reserved`).
    SingleEncodedPathNotEncoded,
    /// A header value with a line break (a folded value, vectors
    /// `get-header-value-multiline`): aws-sigv4 builds `http::HeaderValue`,
    /// which refuses it.
    HeaderValueLineBreak,
    /// A header that the signer sets itself (`Authorization`,
    /// `X-Amz-Date`, and `X-Amz-Security-Token` / `x-amz-content-sha256`
    /// when it adds them), given by the caller with a control character in
    /// its value: we drop the caller's copy unread; aws-sigv4 first builds
    /// an `http::HeaderValue` of every header given, and refuses it.
    InvalidValueInReplacedHeader,
    /// Presigning a request that carries its own `X-Amz-Date` (or, with
    /// a session token, `X-Amz-Security-Token`) header: we drop the
    /// caller's copy of a header the signer owns; aws-sigv4 replaces it
    /// only when signing in headers, and signs it as given when presigning.
    OwnedHeaderWhenPresigning,
    /// Presigning a request with `x-amz-user-agent` or
    /// `x-amz-checksum-mode`: aws-sigv4 never signs those in a presigned
    /// URL; we sign every header given.
    HeaderAwsDoesNotPresign,
    /// Header signing with a session token that has leading, trailing or
    /// repeated spaces: aws-sigv4 inserts its `x-amz-security-token`
    /// header without the canonical trimming it applies to the caller's
    /// headers, we canonicalize every signed header alike (as a server
    /// does with the header it receives). Real tokens have no spaces.
    SessionTokenSpaces,
    /// Presigning a request that carries its own `X-Amz-Security-Token`
    /// header, with `sign_session_token` off: aws-sigv4's
    /// `SessionTokenMode::Exclude` leaves every header of that name
    /// unsigned; we leave it out only when signing in headers and sign it
    /// like any header of the caller's when presigning (found by libFuzzer
    /// in the campaign; input kept in `regressions/differential/`).
    CallerTokenHeaderWhenTokenUnsigned,
}

/// The exclusion that applies to `input`, if any (before asking
/// aws-sigv4).
pub fn exclusion(input: &SignInput) -> Option<Exclusion> {
    if model_sign(input).is_none() {
        return Some(Exclusion::RefusedByOurs);
    }
    if input.query.contains('+') {
        return Some(Exclusion::RawPlusInQuery);
    }
    let not_utf8 = input.query.split('&').any(|p| {
        p.split('=')
            .any(|part| std::str::from_utf8(&crate::model::percent_decode(part)).is_err())
    });
    if not_utf8 {
        return Some(Exclusion::QueryEscapeNotUtf8);
    }
    if !input.double_encode_path {
        let b = input.path.as_bytes();
        let mut at = 0;
        while at < b.len() {
            if crate::model::escape_at(b, at).is_some() {
                at += 3;
            } else if crate::model::unreserved(b[at]) || b[at] == b'/' {
                at += 1;
            } else {
                return Some(Exclusion::SingleEncodedPathNotEncoded);
            }
        }
    }
    if input
        .headers
        .iter()
        .any(|(n, v)| !input.owned_by_signer(n) && v.contains(['\r', '\n']))
    {
        return Some(Exclusion::HeaderValueLineBreak);
    }
    if input.headers.iter().any(|(n, v)| {
        input.owned_by_signer(n) && v.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
    }) {
        return Some(Exclusion::InvalidValueInReplacedHeader);
    }
    if !input.presign
        && input.sign_session_token
        && input
            .session_token
            .as_ref()
            .is_some_and(|t| t.starts_with(' ') || t.ends_with(' ') || t.contains("  "))
    {
        return Some(Exclusion::SessionTokenSpaces);
    }
    if input.presign
        && !input.sign_session_token
        && input
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
    {
        return Some(Exclusion::CallerTokenHeaderWhenTokenUnsigned);
    }
    if input.presign {
        for (name, _) in &input.headers {
            let n = name.to_ascii_lowercase();
            if n == "x-amz-date" || (n == "x-amz-security-token" && input.session_token.is_some()) {
                return Some(Exclusion::OwnedHeaderWhenPresigning);
            }
            if n == "x-amz-user-agent" || n == "x-amz-checksum-mode" {
                return Some(Exclusion::HeaderAwsDoesNotPresign);
            }
        }
    }
    None
}

/// The URI handed to aws-sigv4.
pub fn uri(input: &SignInput) -> String {
    let mut uri = format!("https://{URI_HOST}{}", input.path.as_str());
    if !input.query.is_empty() {
        uri.push('?');
        uri.push_str(&input.query);
    }
    uri
}

/// aws-sigv4's signature of `input`, or its error.
pub fn aws_signature(input: &SignInput) -> Result<String, String> {
    let identity: Identity = AwsCredentials::new(
        input.access_key_id.as_str(),
        input.secret_access_key.as_str(),
        input.session_token.as_ref().map(|t| t.0.clone()),
        None,
        "fuzz",
    )
    .into();
    let mut settings = SigningSettings::default();
    // Sign every header given, as we do (the default leaves out
    // user-agent, x-amzn-trace-id and transfer-encoding); we drop a
    // caller's Authorization, aws-sigv4 leaves it unsigned: the same.
    settings.excluded_headers = Some(vec![Cow::Borrowed("authorization")]);
    settings.percent_encoding_mode = if input.double_encode_path {
        PercentEncodingMode::Double
    } else {
        PercentEncodingMode::Single
    };
    settings.uri_path_normalization_mode = if input.normalize_path {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    settings.payload_checksum_kind = if input.content_sha256_header && !input.presign {
        PayloadChecksumKind::XAmzSha256
    } else {
        PayloadChecksumKind::NoHeader
    };
    settings.session_token_mode = if input.sign_session_token {
        SessionTokenMode::Include
    } else {
        SessionTokenMode::Exclude
    };
    if input.presign {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(u64::from(input.expires_in)));
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&input.region)
        .name(&input.service)
        .time(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(input.time)))
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let body = if input.unsigned_payload {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(input.body.as_bytes())
    };
    let headers = header_pairs(input);
    let request = SignableRequest::new(&input.method, uri(input), headers.into_iter(), body)
        .map_err(|e| format!("{e:?}"))?;
    let (_, signature) = aws_sign(request, &params)
        .map_err(|e| format!("{e:?}"))?
        .into_parts();
    Ok(signature)
}

/// What happened to one input (for statistics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not compared, for this documented reason.
    Excluded(Exclusion),
    /// Both signed, same signature.
    Agreed,
}

/// Compares the two signers on `input`; panics on a disagreement.
pub fn compare(input: &Input) -> Outcome {
    if let Some(reason) = exclusion(input) {
        return Outcome::Excluded(reason);
    }
    let headers = header_pairs(input);
    let location = input.location().expect("checked by the model");
    let ours = sign(&input.request(&headers), &input.params(), location)
        .expect("the model says our signer accepts it");
    let theirs = match aws_signature(input) {
        Ok(signature) => signature,
        Err(e) if e.contains("InvalidUri") || e.contains("invalid uri") || e.contains("Uri") => {
            return Outcome::Excluded(Exclusion::NotAUri)
        }
        Err(e) => panic!(
            "aws-sigv4 refuses a request we sign ({e}); if legitimate, add an Exclusion\n\
             our canonical request:\n{}",
            ours.canonical_request
        ),
    };
    assert_eq!(
        ours.signature, theirs,
        "the signers disagree\nour canonical request:\n{}\nour string to sign:\n{}",
        ours.canonical_request, ours.string_to_sign
    );
    Outcome::Agreed
}

/// Checks the property for `input`; panics on a disagreement.
pub fn check(input: &Input) {
    compare(input);
}
