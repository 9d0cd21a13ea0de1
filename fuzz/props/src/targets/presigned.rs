//! Presigned-URL parsing (`verify::parse_presigned`).
//!
//! Properties: never panics; whatever parses, rendered again as a query,
//! parses to the same value; a query built from clean parts, among other
//! parameters, in any order, with `/` raw or escaped and escapes in either
//! case, parses to exactly those parts; a lifetime outside 1..=604800 is
//! refused.

use crate::model::{self, Rng};
use crate::text::Text;
use sigv4_signer::verify::{parse_presigned, ParsedSignature, Scope, SignatureLocation};

crate::input! {
    /// A raw query, and the parts of a constructed one.
    pub struct Input {
        pub raw: Text,
        pub other: Vec<(Text, Text)>,
        pub access_key_id: Text,
        pub date: Text,
        pub region: Text,
        pub service: Text,
        pub amz_date: Text,
        pub signed_headers: Vec<Text>,
        pub signature: Text,
        pub token: Option<Text>,
        pub expires: u32,
        pub shuffle: u32,
        pub style: u8,
    }
}

// Written out here, not taken from `verify::PRESIGN_PARAMETERS`: the
// target checks the parser against an independent list.
const NAMES: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

/// Encodes a value. `style` bit 0: keep `/` raw; bit 1: lower-case hex.
fn enc(value: &str, style: u8) -> String {
    let out = model::encode(value.as_bytes(), style & 1 != 0);
    if style & 2 == 0 {
        return out;
    }
    let mut bytes = out.into_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            bytes[at + 1] = bytes[at + 1].to_ascii_lowercase();
            bytes[at + 2] = bytes[at + 2].to_ascii_lowercase();
            at += 3;
        } else {
            at += 1;
        }
    }
    String::from_utf8(bytes).expect("ASCII")
}

/// The presign parameters of a parsed value, rendered.
pub fn render_parsed(p: &ParsedSignature, style: u8) -> Vec<String> {
    let mut params = vec![
        format!("X-Amz-Algorithm={}", enc("AWS4-HMAC-SHA256", style)),
        format!(
            "X-Amz-Credential={}",
            enc(&format!("{}/{}", p.access_key_id, p.scope), style)
        ),
        format!(
            "X-Amz-Date={}",
            enc(p.amz_date.as_deref().unwrap_or_default(), style)
        ),
        format!("X-Amz-Expires={}", p.expires.unwrap_or_default()),
        format!(
            "X-Amz-SignedHeaders={}",
            enc(&p.signed_headers.join(";"), style)
        ),
        format!("X-Amz-Signature={}", enc(&p.signature, style)),
    ];
    if let Some(token) = &p.security_token {
        params.push(format!("X-Amz-Security-Token={}", enc(token, style)));
    }
    params
}

fn clean_part(s: &str) -> bool {
    !s.is_empty() && !s.contains('/')
}

/// Checks every property for `input`; panics on a violation.
pub fn check(input: &Input) {
    if let Ok(parsed) = parse_presigned(&input.raw) {
        assert_eq!(parsed.location, SignatureLocation::Query);
        let again = render_parsed(&parsed, input.style).join("&");
        assert_eq!(
            parse_presigned(&again),
            Ok(parsed.clone()),
            "the re-rendered query {again:?} parses differently"
        );
    }

    let parsed = ParsedSignature {
        location: SignatureLocation::Query,
        access_key_id: input.access_key_id.0.clone(),
        scope: Scope {
            date: input.date.0.clone(),
            region: input.region.0.clone(),
            service: input.service.0.clone(),
        },
        signed_headers: input.signed_headers.iter().map(|h| h.0.clone()).collect(),
        signature: input.signature.0.clone(),
        amz_date: Some(input.amz_date.0.clone()),
        expires: Some(u64::from(input.expires)),
        security_token: input.token.as_ref().map(|t| t.0.clone()),
    };
    let mut params = render_parsed(&parsed, input.style);
    // Other parameters, unless they decode to one of the presign names.
    params.extend(
        input
            .other
            .iter()
            .map(|(k, v)| format!("{}={}", k.as_str(), v.as_str()))
            .filter(|p| {
                let name = p.split('=').next().unwrap_or("");
                let decoded = String::from_utf8_lossy(&model::percent_decode(name)).into_owned();
                !NAMES.contains(&decoded.as_str()) && !p.starts_with('&')
            }),
    );
    Rng(u64::from(input.shuffle)).shuffle(&mut params);
    let query = params.join("&");
    let result = parse_presigned(&query);
    if !(clean_part(&input.access_key_id)
        && clean_part(&input.region)
        && clean_part(&input.service))
        || input
            .other
            .iter()
            .any(|(k, v)| k.contains('&') || v.contains('&'))
    {
        return;
    }
    let date_ok = input.date.len() == 8 && input.date.bytes().all(|b| b.is_ascii_digit());
    let joined = parsed.signed_headers.join(";");
    let headers: Vec<&str> = joined.split(';').collect();
    let headers_ok = !joined.is_empty()
        && headers
            .iter()
            .all(|h| model::is_token(h) && !h.bytes().any(|b| b.is_ascii_uppercase()))
        && headers.windows(2).all(|w| w[0] < w[1]);
    let signature_ok = input.signature.len() == 64
        && input
            .signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let expires_ok = (1..=604_800).contains(&input.expires);
    if date_ok && headers_ok && signature_ok && expires_ok {
        let parsed = ParsedSignature {
            signed_headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            ..parsed
        };
        assert_eq!(result, Ok(parsed), "{query:?}");
    } else {
        assert!(result.is_err(), "{query:?} must be refused: {result:?}");
    }
}
