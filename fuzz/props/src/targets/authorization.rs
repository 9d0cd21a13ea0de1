//! `Authorization` header parsing (`verify::parse_authorization`).
//!
//! Properties: never panics; whatever parses, rendered again in the
//! canonical form, parses to the same value; a header rendered from clean
//! parts (in any component order, with any spacing around the commas)
//! parses to exactly those parts, and a malformed date, signed-header list
//! or signature is refused; and a request carrying the value verifies with
//! a scratch kept across inputs (which remembers the last value's parse) as
//! it does with a fresh one.

use crate::model;
use crate::text::Text;
use sigv4_signer::verify::{
    parse_authorization, verify, verify_into, KnownKeyRef, ParsedSignature, Scope,
    SignatureLocation, VerifyPolicy, VerifyScratch,
};
use sigv4_signer::{KeyCache, Request, SigningTime, UriOptions};
use std::cell::RefCell;

thread_local! {
    static REUSED: RefCell<(KeyCache, VerifyScratch)> =
        RefCell::new((KeyCache::new(), VerifyScratch::new()));
}

/// A request carrying `value` as its `Authorization` verifies with the
/// scratch kept across inputs exactly as with a fresh one: the remembered
/// parse of the last value is never served for a value that parses
/// otherwise.
fn verifies_alike_with_a_kept_scratch(value: &str) {
    let headers = [
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        ("Authorization", value),
    ];
    let request = Request {
        method: "GET",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    };
    let Ok(now) = SigningTime::parse("2015-08-30T12:36:00Z") else {
        return;
    };
    let policy = VerifyPolicy {
        region: "us-east-1",
        service: "service",
        now,
        max_skew_seconds: 900,
        uri: UriOptions::default(),
        presigned_unsigned_payload: false,
        session_token_unsigned: false,
        unsigned_payload_header: false,
    };
    let lookup = |_: &str| {
        Some(KnownKeyRef {
            secret_access_key: "secret",
            session_token: None,
        })
    };
    REUSED.with(|reused| {
        let (cache, scratch) = &mut *reused.borrow_mut();
        let fresh = verify(&request, &policy, lookup, cache);
        let kept = verify_into(&request, &policy, lookup, cache, scratch).map(|v| v.to_verified());
        assert_eq!(kept, fresh, "{value:?}");
    });
}

crate::input! {
    /// A raw header value, and the parts of a constructed one with a style
    /// (component order and spacing).
    pub struct Input {
        pub raw: Text,
        pub access_key_id: Text,
        pub date: Text,
        pub region: Text,
        pub service: Text,
        pub signed_headers: Vec<Text>,
        pub signature: Text,
        pub style: u8,
    }
}

/// Renders parts as an `Authorization` value. `style`: bits 0-2 the
/// component order, bits 3-4 the separator, bit 5 surrounding spaces, bit 6
/// two spaces after the algorithm.
pub fn render(credential: &str, signed_headers: &str, signature: &str, style: u8) -> String {
    let mut parts = [
        format!("Credential={credential}"),
        format!("SignedHeaders={signed_headers}"),
        format!("Signature={signature}"),
    ];
    match style % 6 {
        0 => {}
        1 => parts.swap(1, 2),
        2 => parts.swap(0, 1),
        3 => parts.rotate_left(1),
        4 => parts.rotate_right(1),
        _ => parts.swap(0, 2),
    }
    let separator = [", ", ",", " , ", ",  "][usize::from(style >> 3 & 3)];
    let gap = if style & 0x40 != 0 { "  " } else { " " };
    let value = format!("AWS4-HMAC-SHA256{gap}{}", parts.join(separator));
    if style & 0x20 != 0 {
        format!(" {value} ")
    } else {
        value
    }
}

/// The canonical rendering of a parsed value.
pub fn render_parsed(p: &ParsedSignature, style: u8) -> String {
    render(
        &format!("{}/{}", p.access_key_id, p.scope),
        &p.signed_headers.join(";"),
        &p.signature,
        style,
    )
}

fn clean_part(s: &str) -> bool {
    !s.is_empty() && !s.contains(['/', ','])
}

/// Checks every property for `input`; panics on a violation.
pub fn check(input: &Input) {
    verifies_alike_with_a_kept_scratch(&input.raw);
    if let Ok(parsed) = parse_authorization(&input.raw) {
        assert_eq!(parsed.location, SignatureLocation::Header);
        let again = render_parsed(&parsed, input.style);
        assert_eq!(
            parse_authorization(&again),
            Ok(parsed.clone()),
            "the re-rendered value {again:?} parses differently"
        );
    }

    let joined = input
        .signed_headers
        .iter()
        .map(|h| h.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let value = render(
        &format!(
            "{}/{}/{}/{}/aws4_request",
            input.access_key_id.as_str(),
            input.date.as_str(),
            input.region.as_str(),
            input.service.as_str()
        ),
        &joined,
        &input.signature,
        input.style,
    );
    let result = parse_authorization(&value);
    verifies_alike_with_a_kept_scratch(&value);
    if !(clean_part(&input.access_key_id)
        && clean_part(&input.region)
        && clean_part(&input.service))
        || joined.contains(',')
        || input.signature.contains(',')
    {
        return; // a `/` or `,` in a part changes how the value splits
    }
    // Spaces around the components are not part of them: a component's
    // value ends before the spaces that precede the next comma.
    let joined = joined.trim_end_matches(' ');
    let signature = input.signature.trim_end_matches(' ');
    let headers: Vec<&str> = joined.split(';').collect();
    let date_ok = input.date.len() == 8 && input.date.bytes().all(|b| b.is_ascii_digit());
    let headers_ok = !joined.is_empty()
        && headers
            .iter()
            .all(|h| model::is_token(h) && !h.bytes().any(|b| b.is_ascii_uppercase()))
        && headers.windows(2).all(|w| w[0] < w[1]);
    let signature_ok = signature.len() == 64
        && signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if date_ok && headers_ok && signature_ok {
        let expected = ParsedSignature {
            location: SignatureLocation::Header,
            access_key_id: input.access_key_id.0.clone(),
            scope: Scope {
                date: input.date.0.clone(),
                region: input.region.0.clone(),
                service: input.service.0.clone(),
            },
            signed_headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            signature: signature.to_owned(),
            amz_date: None,
            expires: None,
            security_token: None,
        };
        assert_eq!(result, Ok(expected), "{value:?}");
    } else {
        assert!(result.is_err(), "{value:?} must be refused: {result:?}");
    }
}
