//! proptest properties of canonicalization, over strategies biased to the
//! hard inputs: reserved and unreserved characters, percent escapes (valid
//! and broken), UTF-8, dot segments, repeated slashes, repeated names,
//! whitespace runs, folded lines.

use proptest::prelude::*;
use sigv4_signer::{
    canonical_headers, canonical_query, canonical_uri, sign_headers, Credentials, Request,
    Settings, SigningParams, SigningTime, UriOptions,
};

/// Characters that matter to SigV4 canonicalization.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(vec!['a', 'Z', '0', '-', '.', '_', '~']),
        3 => prop::sample::select(vec![' ', '+', '%', '/', '=', '&', '?', '#', '*', '@', ':', '!', '\'', '(', ')', ',', ';', '$']),
        1 => prop::sample::select(vec!['é', 'ሴ', '😀', '\u{7f}']),
    ]
}

fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(tricky_char(), 0..max).prop_map(|c| c.into_iter().collect()),
        1 => prop::collection::vec(prop::sample::select(vec!["%2F", "%2f", "%20", "%E1%88%B4", "%zz", "%4", "+", "%25"]), 0..4)
            .prop_map(|parts| parts.concat()),
    ]
}

fn query_param() -> impl Strategy<Value = String> {
    (tricky_text(6), prop::option::of(tricky_text(6))).prop_map(|(k, v)| {
        let k = k.replace(['&', '=', '#'], "");
        match v {
            Some(v) => format!("{k}={}", v.replace(['&', '#'], "")),
            None => k,
        }
    })
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => tricky_text(5).prop_map(|s| s.replace(['/', '?', '#'], "")),
            1 => Just(".".to_owned()),
            1 => Just("..".to_owned()),
            1 => Just(String::new()),
        ],
        0..6,
    )
    .prop_map(|segments| format!("/{}", segments.join("/")))
}

fn header_value() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(vec!["a", "B", "1", "\"q\"", ",", "é"]).prop_map(str::to_owned),
            2 => prop::sample::select(vec![" ", "   ", "\t"]).prop_map(str::to_owned),
            1 => prop::sample::select(vec!["\n  ", "\r\n\t"]).prop_map(str::to_owned),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn header_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        // Not `Host`: every request has one, and a second is refused.
        "X-Forwarded-Host",
        "x-amz-meta-a",
        "X-Amz-Meta-A-B",
        "my-header",
        "Content-Type",
        "a",
    ])
    .prop_map(str::to_owned)
}

fn canonical_query_of(query: &str) -> String {
    let mut out = String::new();
    canonical_query(query, &[], &mut out);
    out
}

fn headers_of(headers: &[(String, String)]) -> (String, String) {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (mut c, mut s) = (String::new(), String::new());
    canonical_headers(&pairs, &mut c, &mut s).expect("generated headers are valid");
    (c, s)
}

/// A naive, obviously-correct canonical query: decode each part into
/// bytes, encode, collect, sort.
fn naive_canonical_query(query: &str) -> String {
    fn decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if b[i] == b'%' && i + 2 < b.len() {
                if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        out
    }
    fn encode(bytes: &[u8]) -> String {
        bytes
            .iter()
            .map(|&b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k)), encode(&decode(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn canonical_query_ignores_parameter_order(params in prop::collection::vec(query_param(), 0..6), seed in any::<u64>()) {
        let mut shuffled = params.clone();
        // A deterministic shuffle driven by the generated seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(canonical_query_of(&params.join("&")), canonical_query_of(&shuffled.join("&")));
    }

    #[test]
    fn canonical_query_is_idempotent(params in prop::collection::vec(query_param(), 0..6)) {
        let once = canonical_query_of(&params.join("&"));
        prop_assert_eq!(canonical_query_of(&once), once.clone());
    }

    #[test]
    fn canonical_query_agrees_with_a_naive_oracle(params in prop::collection::vec(query_param(), 0..6)) {
        let query = params.join("&");
        prop_assert_eq!(canonical_query_of(&query), naive_canonical_query(&query));
    }

    #[test]
    fn single_encoded_normalized_uri_is_idempotent(path in path()) {
        let options = UriOptions { normalize: true, double_encode: false };
        let mut once = String::new();
        canonical_uri(&path, options, &mut once).unwrap();
        let mut twice = String::new();
        canonical_uri(&once, options, &mut twice).unwrap();
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn canonical_uri_uses_only_unreserved_slash_and_escapes(path in path(), normalize in any::<bool>(), double_encode in any::<bool>()) {
        let mut out = String::new();
        canonical_uri(&path, UriOptions { normalize, double_encode }, &mut out).unwrap();
        prop_assert!(out.starts_with('/'));
        let bytes = out.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                prop_assert!(i + 2 < bytes.len() && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit(), "{}", out);
                i += 3;
            } else {
                prop_assert!(bytes[i].is_ascii_alphanumeric() || b"-._~/".contains(&bytes[i]), "{}", out);
                i += 1;
            }
        }
        if normalize {
            prop_assert!(!out.contains("//") && !out.contains("/./") && !out.contains("/../"), "{}", out);
        }
    }

    #[test]
    fn header_order_and_name_case_do_not_change_canonical_headers(
        headers in prop::collection::vec((header_name(), header_value()), 1..6),
        upper in any::<bool>(),
    ) {
        // Reverse the order of distinct names, keeping repeated names in
        // their relative order (their order is significant).
        let mut reordered: Vec<(String, String)> = Vec::new();
        let mut names: Vec<String> = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        names.dedup();
        let mut seen = std::collections::BTreeSet::new();
        names.retain(|n| seen.insert(n.clone()));
        for name in names.iter().rev() {
            for (n, v) in headers.iter().filter(|(n, _)| &n.to_ascii_lowercase() == name) {
                let n = if upper { n.to_ascii_uppercase() } else { n.to_ascii_lowercase() };
                reordered.push((n, v.clone()));
            }
        }
        prop_assert_eq!(headers_of(&headers), headers_of(&reordered));
    }

    #[test]
    fn canonical_header_values_are_trimmed_single_line(headers in prop::collection::vec((header_name(), header_value()), 1..6)) {
        let (canonical, signed) = headers_of(&headers);
        let lines: Vec<&str> = canonical.trim_end_matches('\n').split('\n').collect();
        let names: Vec<&str> = signed.split(';').collect();
        prop_assert_eq!(lines.len(), names.len());
        let mut sorted = names.clone();
        sorted.sort();
        prop_assert_eq!(&sorted, &names);
        for (line, name) in lines.iter().zip(&names) {
            let (n, value) = line.split_once(':').unwrap();
            prop_assert_eq!(n, *name);
            prop_assert!(!value.contains("  ") && !value.starts_with(' ') && !value.ends_with(' '), "{:?}", value);
            prop_assert!(!value.contains('\n') && !value.contains('\r'));
        }
    }

    #[test]
    fn canonical_request_has_the_spec_shape(
        path in path(),
        params in prop::collection::vec(query_param(), 0..4),
        headers in prop::collection::vec((header_name(), header_value()), 0..4),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut all: Vec<(&str, &str)> = vec![("Host", "example.amazonaws.com")];
        all.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        // No control character: it cannot be sent on a request line.
        let query = params.join("&").replace(|c: char| c.is_ascii_control(), "");
        let path = path.replace(|c: char| c.is_ascii_control(), "");
        let request = Request { method: "POST", path: &path, query: &query, headers: &all, body: &body };
        let signed = sign_headers(&request, &params_for_tests()).unwrap();
        let creq = &signed.canonical_request;
        let lines: Vec<&str> = creq.split('\n').collect();
        prop_assert_eq!(lines[0], "POST");
        prop_assert!(lines[1].starts_with('/'));
        prop_assert!(!lines[2].contains(' '));
        let blank = lines.iter().rposition(|l| l.is_empty()).unwrap();
        prop_assert_eq!(blank, lines.len() - 3);
        prop_assert_eq!(lines[lines.len() - 2], signed.signed_headers.as_str());
        let hash = lines[lines.len() - 1];
        prop_assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        prop_assert!(signed.signed_headers.split(';').any(|h| h == "host"));
        prop_assert!(signed.signed_headers.split(';').any(|h| h == "x-amz-date"));
        prop_assert_eq!(signed.signature.len(), 64);
    }

    #[test]
    fn signing_never_panics(
        method in ".{0,8}",
        path in ".{0,24}",
        query in ".{0,24}",
        headers in prop::collection::vec((".{0,8}", ".{0,16}"), 0..4),
        region in ".{0,8}",
        time in ".{0,24}",
    ) {
        let all: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let request = Request { method: &method, path: &path, query: &query, headers: &all, body: b"" };
        let mut params = params_for_tests();
        params.region = &region;
        if let Ok(t) = SigningTime::parse(&time) {
            params.time = t;
        }
        let _ = sign_headers(&request, &params);
        if let Ok(expiry) = sigv4_signer::Expiry::from_secs(60) {
            let _ = sigv4_signer::presign(&request, &params, expiry);
        }
    }
}

fn params_for_tests() -> SigningParams<'static> {
    SigningParams {
        credentials: Credentials {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            session_token: None,
        },
        region: "us-east-1",
        service: "service",
        time: SigningTime::parse("2015-08-30T12:36:00Z").expect("valid"),
        settings: Settings::default(),
    }
}
