//! Whole-request signing.
//!
//! Properties: never panics; accepts exactly the requests an independent
//! model of the signer's rules accepts; then the canonical request, the
//! string to sign, the signature, the signed headers, the `Authorization`
//! header or presigned query and the headers as sent all equal the model's
//! (built from `model.rs`, HMAC and SHA-256 computed afresh); the
//! canonical request has the spec shape (method, URI, query, one
//! `name:value` line per signed header, a blank line, the signed header
//! list, the payload hash); `sign_headers`, `presign` and a key-caching
//! `Signer` (twice: cold and warm cache) give identical results, and so
//! does `Signer::sign_into` into one result reused across inputs (twice
//! per input, so that its memos serve the next); in the header, the lean
//! `Signer::signing_headers_into` (reused across inputs too) refuses with
//! the same error or gives the same intermediates, and the caller's
//! headers with its headers set on them are the headers as sent.

use crate::request::{header_pairs, model_sign, SignInput};
use sigv4_signer::{
    presign, sign, sign_headers, Error, Location, Request, Signed, Signer, SigningHeaders,
};
use std::cell::RefCell;

/// The input type.
pub type Input = SignInput;

fn same(a: &Signed, b: &Signed, what: &str) {
    assert_eq!(
        a.canonical_request, b.canonical_request,
        "{what}: canonical request"
    );
    assert_eq!(a.string_to_sign, b.string_to_sign, "{what}: string to sign");
    assert_eq!(a.signature, b.signature, "{what}: signature");
    assert_eq!(a.request, b.request, "{what}: request");
    assert_eq!(a.authorization, b.authorization, "{what}: authorization");
}

/// Checks every property for `input`; panics on a violation.
pub fn check(input: &Input) {
    let headers = header_pairs(input);
    let request = input.request(&headers);
    let params = input.params();
    let expected = model_sign(input);
    let Some(location) = input.location() else {
        assert!(expected.is_none());
        return;
    };
    let result = sign(&request, &params, location);
    if location == Location::Header {
        LEAN.with(|lean| {
            let (signer, into) = &mut *lean.borrow_mut();
            let lean_result = signer.signing_headers_into(&request, &params, into);
            same_as_lean(&result, lean_result, into, &request);
        });
    }
    let signed = match (result, expected) {
        (Err(_), None) => return,
        (Err(e), Some(_)) => panic!("the signer refuses a valid request: {e}"),
        (Ok(s), None) => panic!(
            "the signer accepts a request it must refuse: {:?}",
            s.canonical_request
        ),
        (Ok(s), Some(expected)) => {
            assert_eq!(
                s.canonical_request, expected.canonical_request,
                "canonical request"
            );
            assert_eq!(s.string_to_sign, expected.string_to_sign, "string to sign");
            assert_eq!(s.signature, expected.signature, "signature");
            assert_eq!(s.signed_headers, expected.signed_headers, "signed headers");
            assert_eq!(s.credential_scope, expected.scope, "scope");
            assert_eq!(s.payload_hash, input.payload_hash(), "payload hash");
            let mut sent = expected.sent.clone();
            match location {
                Location::Header => {
                    let authorization = format!(
                        "AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
                        input.access_key_id.as_str(),
                        expected.scope,
                        expected.signed_headers,
                        expected.signature
                    );
                    assert_eq!(s.authorization.as_deref(), Some(authorization.as_str()));
                    sent.push(("Authorization".into(), authorization));
                    assert_eq!(s.request.query, input.query.as_str(), "query changed");
                }
                Location::Query(_) => {
                    assert_eq!(s.authorization, None);
                    let mut query = input.query.0.clone();
                    for (name, value) in &expected.presign_params {
                        if !query.is_empty() {
                            query.push('&');
                        }
                        query.push_str(&format!(
                            "{}={}",
                            crate::model::encode(name.as_bytes(), false),
                            crate::model::encode(value.as_bytes(), false)
                        ));
                    }
                    assert_eq!(s.request.query, query, "presigned query");
                }
            }
            assert_eq!(s.request.headers, sent, "headers as sent");
            assert_eq!(s.request.method, input.method.as_str());
            assert_eq!(s.request.path, input.path.as_str());
            s
        }
    };

    // The spec shape, read back from the text alone.
    let lines: Vec<&str> = signed.canonical_request.split('\n').collect();
    let n = lines.len();
    assert!(n >= 7, "too few lines");
    assert_eq!(lines[0], input.method.as_str());
    assert!(lines[1].starts_with('/'));
    assert_eq!(lines[n - 3], "", "no blank line before the signed headers");
    let names: Vec<&str> = lines[3..n - 3]
        .iter()
        .map(|l| l.split_once(':').expect("name:value").0)
        .collect();
    assert_eq!(
        names.join(";"),
        lines[n - 2],
        "header lines vs signed headers"
    );
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "not sorted and unique"
    );
    assert!(names.contains(&"host"), "host is not signed");
    let payload = lines[n - 1];
    assert!(
        payload == "UNSIGNED-PAYLOAD"
            || (payload.len() == 64
                && payload
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))),
        "payload hash {payload:?}"
    );

    // The other entry points agree.
    let other = match location {
        Location::Header => sign_headers(&request, &params),
        Location::Query(expiry) => presign(&request, &params, expiry),
    }
    .expect("same input");
    same(&signed, &other, "sign_headers/presign");
    let signer = Signer::new();
    for round in ["cold cache", "warm cache"] {
        let cached = signer
            .sign(&request, &params, location)
            .expect("same input");
        same(&signed, &cached, round);
    }
    // Into one `Signed` kept across every input, with one signer: what it
    // remembers of one input (the key's entry, the hash states after the
    // canonical request's and the string to sign's first blocks) must
    // never change the next one's result. Twice: a first block's state is
    // made the second time in a row it is seen, so the next input that
    // starts the same (a mutation of this one's tail) is served it.
    REUSED.with(|reused| {
        let (signer, into) = &mut *reused.borrow_mut();
        for time in ["first", "second"] {
            signer
                .sign_into(&request, &params, location, into)
                .expect("same input");
            same(
                &signed,
                into,
                &format!("sign_into, reused across inputs, {time} time"),
            );
        }
    });
}

/// The lean form's outcome is the full one's: the same error, or the same
/// intermediates and the same headers as sent.
fn same_as_lean(
    full: &Result<Signed, Error>,
    lean: Result<(), Error>,
    headers: &SigningHeaders,
    request: &Request<'_>,
) {
    let full = match (full, lean) {
        (Ok(full), Ok(())) => full,
        (Err(full), Err(lean)) => {
            assert_eq!(*full, lean, "the lean form's error");
            return;
        }
        (full, lean) => panic!("sign gave {full:?}, the lean form {lean:?}"),
    };
    assert_eq!(
        headers.canonical_request(),
        full.canonical_request,
        "lean: canonical request"
    );
    assert_eq!(
        headers.string_to_sign(),
        full.string_to_sign,
        "lean: string to sign"
    );
    assert_eq!(
        Some(headers.authorization()),
        full.authorization.as_deref(),
        "lean: authorization"
    );
    let set: Vec<(&str, &str)> = headers.iter().collect();
    let sent: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(name, _)| !set.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        .chain(&set)
        .map(|&(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(sent, full.request.headers, "lean: headers as sent");
}

thread_local! {
    static REUSED: RefCell<(Signer, Signed)> = RefCell::new((Signer::new(), Signed::default()));
    static LEAN: RefCell<(Signer, SigningHeaders)> =
        RefCell::new((Signer::new(), SigningHeaders::default()));
}
