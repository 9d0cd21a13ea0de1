//! Sign, then verify (`verify::verify`).
//!
//! Properties: whatever `sign` or `presign` accepts, the verifier accepts
//! as received (same method, path, query, headers and body) under the
//! matching policy, recomputing the same canonical request and string to
//! sign (and `verify_into`, with a scratch reused across inputs, agrees);
//! and the same request with a different signature is refused with a
//! signature mismatch.
//!
//! Requests outside the verifier's documented model are not round-tripped;
//! each such precondition is listed in [`precondition`] and in
//! `fuzz/README.md`.

use crate::model;
use crate::request::{header_pairs, SignInput};
use sigv4_signer::verify::{
    verify, verify_into, KnownKeyRef, Verified, VerifyError, VerifyPolicy, VerifyScratch,
};
use sigv4_signer::{sign, KeyCache, Location, Request, Signed};
use std::cell::RefCell;

/// The input type.
pub type Input = SignInput;

/// Why an input that the signer accepts is not expected to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// Header signing with `UNSIGNED-PAYLOAD` and no
    /// `x-amz-content-sha256`: the verifier (like S3) learns an unsigned
    /// payload only from that header, so it hashes the body.
    UnsignedPayloadWithoutHeader,
    /// The caller's query already carries a parameter that decodes to one
    /// of the seven presign names: a presigned URL then has it twice.
    PresignNameInQuery,
    /// Header signing, and the query has an `X-Amz-Algorithm` parameter:
    /// the verifier sees both kinds of authentication and refuses.
    AlgorithmParameterInQuery,
    /// Header signing, and the caller sent its own `x-amz-content-sha256`
    /// that is not the payload hash signed: the verifier (like S3) takes
    /// that header as the payload hash.
    ContentSha256HeaderDisagrees,
}

/// The precondition `input` fails, if any.
pub fn precondition(input: &SignInput) -> Option<Precondition> {
    let params: Vec<String> = input
        .query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let name = p.split('=').next().unwrap_or("");
            String::from_utf8_lossy(&model::percent_decode(name)).into_owned()
        })
        .collect();
    if input.presign {
        if params
            .iter()
            .any(|p| sigv4_signer::verify::PRESIGN_PARAMETERS.contains(&p.as_str()))
        {
            return Some(Precondition::PresignNameInQuery);
        }
        return None;
    }
    if input.unsigned_payload && !input.content_sha256_header {
        return Some(Precondition::UnsignedPayloadWithoutHeader);
    }
    if input
        .query
        .split('&')
        .any(|p| p.split('=').next() == Some("X-Amz-Algorithm"))
    {
        return Some(Precondition::AlgorithmParameterInQuery);
    }
    if !input.content_sha256_header {
        let payload = input.payload_hash();
        if input
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-content-sha256"))
            .is_some_and(|(_, v)| v.trim_matches(' ') != payload)
        {
            return Some(Precondition::ContentSha256HeaderDisagrees);
        }
    }
    None
}

/// Verifies `signed` as the verifier would receive it, with `query` and
/// `headers` in place of the signed ones (to forge them), under the policy
/// and key matching `input`. The regression tests call this too.
pub fn verify_as_received(
    input: &SignInput,
    signed: &Signed,
    query: &str,
    headers: &[(String, String)],
) -> Result<Verified, VerifyError> {
    let received: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = Request {
        method: &signed.request.method,
        path: &signed.request.path,
        query,
        headers: &received,
        body: input.body.as_bytes(),
    };
    let policy = VerifyPolicy {
        region: &input.region,
        service: &input.service,
        now: input.signing_time(),
        max_skew_seconds: 900,
        uri: input.settings().uri,
        presigned_unsigned_payload: input.unsigned_payload,
        session_token_unsigned: !input.settings().sign_session_token,
        unsigned_payload_header: input.unsigned_payload,
    };
    let known = KnownKeyRef {
        secret_access_key: &input.secret_access_key.0,
        session_token: input.session_token.as_ref().map(|t| t.0.as_str()),
    };
    let lookup = |akid: &str| (akid == input.access_key_id.as_str()).then_some(known);
    let fresh = verify(&request, &policy, lookup, &KeyCache::new());
    // The same through one scratch and cache kept across every input:
    // what they remember of one (the key's entry, the hash states after
    // the canonical request's and the string to sign's first blocks, the
    // last X-Amz-Date, the last Authorization parse) must never change the
    // answer for the next. (Each input is verified twice, signed and
    // forged, so a first block's state is made and the next input that
    // starts the same is served it.)
    REUSED.with(|reused| {
        let (cache, scratch) = &mut *reused.borrow_mut();
        let again = verify_into(&request, &policy, lookup, cache, scratch).map(|v| v.to_verified());
        assert_eq!(
            again, fresh,
            "verify_into with a scratch reused across inputs"
        );
    });
    fresh
}

thread_local! {
    static REUSED: RefCell<(KeyCache, VerifyScratch)> =
        RefCell::new((KeyCache::new(), VerifyScratch::new()));
}

/// Checks every property for `input`; panics on a violation.
pub fn check(input: &Input) {
    let headers = header_pairs(input);
    let Some(location) = input.location() else {
        return;
    };
    let Ok(signed) = sign(&input.request(&headers), &input.params(), location) else {
        return;
    };
    if precondition(input).is_some() {
        return;
    }
    let verified = verify_as_received(input, &signed, &signed.request.query, &signed.request.headers)
        .unwrap_or_else(|e| {
            panic!(
                "the verifier refuses what the signer produced: {e}\n{e:?}\nsigned canonical request:\n{}",
                signed.canonical_request
            )
        });
    assert_eq!(verified.canonical_request, signed.canonical_request);
    assert_eq!(verified.string_to_sign, signed.string_to_sign);

    // Tampered: another (well-formed) signature is refused as a mismatch.
    let mut forged = signed.signature.clone();
    let first = if forged.starts_with('0') { "1" } else { "0" };
    forged.replace_range(..1, first);
    let (query, headers): (String, Vec<(String, String)>) = match location {
        Location::Header => (
            signed.request.query.clone(),
            signed
                .request
                .headers
                .iter()
                .map(|(n, v)| {
                    if n == "Authorization" {
                        (n.clone(), v.replace(&signed.signature, &forged))
                    } else {
                        (n.clone(), v.clone())
                    }
                })
                .collect(),
        ),
        Location::Query(_) => (
            signed.request.query.replace(
                &format!("X-Amz-Signature={}", signed.signature),
                &format!("X-Amz-Signature={forged}"),
            ),
            signed.request.headers.clone(),
        ),
    };
    let result = verify_as_received(input, &signed, &query, &headers);
    assert!(
        matches!(result, Err(VerifyError::SignatureMismatch(_))),
        "a forged signature is not refused as a mismatch: {result:?}"
    );
}
