//! The verifier against the signer: every vector, signed by the reference
//! in both locations, verifies; each kind of tampering is refused with its
//! own error.

use sigv4_conformance::cases::sign_message;
use sigv4_conformance::reference;
use sigv4_signer::verify::{verify, KnownKeyRef, VerifyError, VerifyPolicy};
use sigv4_signer::{KeyCache, Request, Signer, SigningTime, UriOptions};
use sigv4_vectors::{Case, PayloadKind};

struct Received {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn received(case: &Case) -> Received {
    let signed = reference::sign(&Signer::new(), &sign_message(case)).expect("signs");
    Received {
        method: signed.request.method,
        path: signed.request.path,
        query: signed.request.query,
        headers: signed.request.headers,
        body: case.request.body.clone(),
    }
}

fn check(case: &Case, r: &Received, now_offset: i64) -> Result<(), VerifyError> {
    let c = &case.context;
    let headers: Vec<(&str, &str)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = Request {
        method: &r.method,
        path: &r.path,
        query: &r.query,
        headers: &headers,
        body: &r.body,
    };
    let time = SigningTime::parse(&c.time).expect("time");
    let policy = VerifyPolicy {
        region: &c.region,
        service: &c.service,
        now: SigningTime::from_unix(time.unix_seconds() + now_offset).expect("time"),
        max_skew_seconds: 900,
        uri: UriOptions {
            normalize: c.options.normalize_path,
            double_encode: c.options.double_encode_path,
        },
        presigned_unsigned_payload: c.options.payload == PayloadKind::Unsigned,
        session_token_unsigned: !c.options.sign_session_token,
        unsigned_payload_header: c.options.payload == PayloadKind::Unsigned,
    };
    let credentials = &c.credentials;
    verify(
        &request,
        &policy,
        |akid| {
            (akid == credentials.access_key_id).then(|| KnownKeyRef {
                secret_access_key: &credentials.secret_access_key,
                session_token: credentials.session_token.as_deref(),
            })
        },
        &KeyCache::new(),
    )
    .map(|_| ())
}

fn cases() -> Vec<Case> {
    sigv4_vectors::embedded().expect("vectors")
}

#[test]
fn everything_the_reference_signs_verifies() {
    for case in cases() {
        let r = received(&case);
        if let Err(e) = check(&case, &r, 0) {
            panic!("{}: {e}", case.id);
        }
        // Still inside the skew window, and a presigned URL's lifetime.
        let lifetime = if r.query.contains("X-Amz-Signature=") {
            i64::try_from(case.context.options.expires_in).unwrap_or(i64::MAX)
        } else {
            i64::MAX
        };
        assert_eq!(check(&case, &r, 899.min(lifetime)), Ok(()), "{}", case.id);
    }
}

#[test]
fn tampering_is_refused_with_the_right_reason() {
    for case in cases() {
        let r = received(&case);
        let query_auth = r.query.contains("X-Amz-Signature=");
        // A changed path, query, signed header, or body.
        let mut t = received(&case);
        t.path.push('x');
        assert!(
            matches!(check(&case, &t, 0), Err(VerifyError::SignatureMismatch(_))),
            "{} path",
            case.id
        );
        let mut t = received(&case);
        t.query = if t.query.is_empty() {
            "extra=1".into()
        } else {
            format!("{}&extra=1", t.query)
        };
        assert!(
            matches!(check(&case, &t, 0), Err(VerifyError::SignatureMismatch(_))),
            "{} query",
            case.id
        );
        let mut t = received(&case);
        if let Some(h) = t
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
            h.1.push_str(".evil");
        }
        assert!(
            matches!(check(&case, &t, 0), Err(VerifyError::SignatureMismatch(_))),
            "{} host",
            case.id
        );
        if case.context.options.payload == PayloadKind::Signed {
            let mut t = received(&case);
            t.body.push(b'!');
            let result = check(&case, &t, 0);
            assert!(
                matches!(
                    result,
                    Err(VerifyError::SignatureMismatch(_) | VerifyError::PayloadHash { .. })
                ),
                "{} body: {result:?}",
                case.id
            );
        }
        // Time: too late (header) or expired (query); too early (both).
        let late = check(&case, &r, 3601 + 900);
        if query_auth {
            assert!(
                matches!(late, Err(VerifyError::Expired { .. })),
                "{}: {late:?}",
                case.id
            );
        } else {
            assert!(
                matches!(late, Err(VerifyError::Skew { .. })),
                "{}: {late:?}",
                case.id
            );
        }
        assert!(
            matches!(check(&case, &r, -901), Err(VerifyError::Skew { .. })),
            "{}",
            case.id
        );
    }
}

#[test]
fn wrong_key_scope_and_missing_parts_have_their_own_errors() {
    let case = cases()
        .into_iter()
        .find(|c| c.id == "aws-v4/get-vanilla-query-order-key-case/header")
        .expect("case");
    let r = received(&case);
    let with = |f: &dyn Fn(&mut Received)| {
        let mut t = received(&case);
        f(&mut t);
        check(&case, &t, 0)
    };
    let auth = |t: &mut Received, from: &str, to: &str| {
        for h in t.headers.iter_mut().filter(|(n, _)| n == "Authorization") {
            h.1 = h.1.replace(from, to);
        }
    };
    assert_eq!(check(&case, &r, 0), Ok(()));
    assert!(matches!(
        with(&|t| auth(t, "AKIDEXAMPLE", "AKIDOTHER")),
        Err(VerifyError::UnknownAccessKey { .. })
    ));
    assert!(matches!(
        with(&|t| auth(t, "/us-east-1/", "/us-west-2/")),
        Err(VerifyError::Region { .. })
    ));
    assert!(matches!(
        with(&|t| auth(t, "/service/", "/s3/")),
        Err(VerifyError::Service { .. })
    ));
    assert!(matches!(
        with(&|t| auth(t, "20150830/", "20150831/")),
        Err(VerifyError::ScopeDate { .. })
    ));
    assert!(matches!(
        with(&|t| auth(t, "host;x-amz-date", "x-amz-date")),
        Err(VerifyError::HostNotSigned)
    ));
    assert!(matches!(
        with(&|t| auth(t, "host;x-amz-date", "host;my-header;x-amz-date")),
        Err(VerifyError::SignedHeaderMissing { .. })
    ));
    assert!(matches!(
        with(&|t| t.headers.retain(|(n, _)| n != "Authorization")),
        Err(VerifyError::MissingAuthentication)
    ));
    assert!(matches!(
        with(&|t| t.headers.retain(|(n, _)| n != "X-Amz-Date")),
        Err(VerifyError::MissingDate)
    ));
    // One wrong hex digit: a mismatch that carries what the server computed.
    let last = r
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let flipped = format!(
        "{}{}",
        &last[..last.len() - 1],
        if last.ends_with('0') { '1' } else { '0' }
    );
    match with(&|t| auth(t, &last, &flipped)) {
        Err(VerifyError::SignatureMismatch(recomputed)) => {
            assert!(recomputed.canonical_request.starts_with("GET\n/\n"));
        }
        other => panic!("{other:?}"),
    }
}
