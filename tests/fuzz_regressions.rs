//! Inputs the fuzzers found, kept as tests. While a bug is open, its test
//! is `#[ignore = "bug: ..."]` and its input is excluded, by name, from the
//! target that found it (a `KnownBug*` precondition), so the fuzzers keep
//! looking for other bugs; the fix turns the test into a plain one and
//! removes the exclusion. Both bugs below are fixed.
//!
//! Raw inputs that reproduce a fixed bug go to `fuzz/regressions/<target>/`,
//! where `fuzz_replay` runs them on every `cargo test`.

use sigv4_fuzz_props::request::SignInput;
use sigv4_fuzz_props::targets::round_trip::verify_as_received;
use sigv4_signer::sign;

/// Signs `input` and verifies what was signed, as the `round_trip` target
/// does but without its preconditions.
fn round_trip(input: &SignInput) -> Result<(), String> {
    let headers = sigv4_fuzz_props::request::header_pairs(input);
    let location = input.location().expect("a valid location");
    let signed = sign(&input.request(&headers), &input.params(), location)
        .map_err(|e| format!("the signer refuses: {e}"))?;
    verify_as_received(
        input,
        &signed,
        &signed.request.query,
        &signed.request.headers,
    )
    .map(|_| ())
    .map_err(|e| format!("the verifier refuses what the signer produced: {e}"))
}

/// The `get-vanilla` request at header location, as the fuzzer prints it.
fn vanilla() -> SignInput {
    SignInput {
        method: "GET".into(),
        path: "/".into(),
        query: "".into(),
        headers: vec![("Host".into(), "example.amazonaws.com".into())],
        body: "".into(),
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        session_token: None,
        region: "us-east-1".into(),
        service: "service".into(),
        time: 1440938160,
        expires_in: 3600,
        presign: false,
        normalize_path: true,
        double_encode_path: true,
        unsigned_payload: false,
        content_sha256_header: false,
        sign_session_token: true,
    }
}

#[test]
fn the_vanilla_request_round_trips() {
    // The helper itself works: the known bugs below are the inputs' fault.
    round_trip(&vanilla()).expect("round trip");
}

/// Found by the `round_trip` property in the stable mutation replay
/// (`fuzz/props/src/bin/replay.rs`), in its first 0.1 s: a `,` in the region (or service) is accepted by the
/// signer, but the `Authorization` header it writes,
/// `Credential=AKIDEXAMPLE/20150830/us,east-1/service/aws4_request, ...`,
/// splits at that comma and the verifier refuses it:
/// `malformed Authorization header: "east-1/service/aws4_request" is not
/// key=value`. Either the signer refuses `,` in a scope part (as it does in
/// the access key id) or the verifier parses the credential up to
/// `aws4_request`.
/// Fixed: the signer now refuses a `,` in a scope part, with an error
/// naming the part.
#[test]
fn comma_in_region_is_refused_by_the_signer() {
    for input in [
        SignInput {
            region: "us,east-1".into(),
            ..vanilla()
        },
        SignInput {
            service: "serv,ice".into(),
            ..vanilla()
        },
    ] {
        let err = round_trip(&input).expect_err("refused");
        assert!(err.contains("without '/', ','"), "{err}");
    }
}

/// Found by the `round_trip` property in the stable mutation replay: a
/// session token with a leading (or trailing) space is accepted by the
/// signer and sent in `X-Amz-Security-Token`;
/// the verifier trims the received header value and compares it with the
/// known token untrimmed: `session token: X-Amz-Security-Token is not the
/// token of these credentials`. Either the signer refuses such a token or
/// the verifier compares the token as canonicalized on both sides.
/// Fixed: the verifier accepts the token as HTTP delivers it.
#[test]
fn session_token_with_edge_spaces_round_trips() {
    let input = SignInput {
        session_token: Some(" AQoDYXdzEPT//////////wEXAMPLE".into()),
        ..vanilla()
    };
    round_trip(&input).expect("round trip");
}
