//! proptest strategies for `sign` messages, biased to the parts of SigV4
//! that signers get wrong: reserved and unreserved characters, percent
//! escapes (valid, lower-case, broken), encoded UTF-8, dot segments and
//! repeated slashes, repeated query parameters and headers, valueless and
//! empty parameters, runs of spaces, folded and empty header values,
//! bodies, and every option (location, path rules, payload, session token,
//! `x-amz-content-sha256`).
//!
//! Every generated request can be carried by a real request line and by
//! the vector format (`vectors/README.md`): the path holds no `?`, `#`,
//! space or raw non-ASCII byte and the header values no tab (unless
//! `contested` is asked for), header values hold no carriage return, and
//! the reference signer accepts it.
//! Alternatives are listed simplest first, so shrinking moves towards the
//! plain case.

use crate::protocol::{
    Location, PayloadKind, SignMessage, WireCredentials, WireOptions, WireRequest,
};
use base64::Engine;
use proptest::prelude::*;
use proptest::sample::select;

/// What the adapter supports, and whether to generate contested requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Presigned URLs (`query` feature).
    pub query: bool,
    /// Header signing (`header` feature).
    pub header: bool,
    /// Session tokens.
    pub session_token: bool,
    /// Session tokens added after signing.
    pub token_after_signing: bool,
    /// S3 path rules: no normalization.
    pub no_normalize_path: bool,
    /// S3 path rules: single encoding.
    pub no_double_encode: bool,
    /// `x-amz-content-sha256`.
    pub content_sha256_header: bool,
    /// `UNSIGNED-PAYLOAD`.
    pub unsigned_payload: bool,
    /// Raw spaces and UTF-8 in the path, tabs in header values (contested
    /// cases).
    pub contested: bool,
}

impl Scope {
    /// The scope of an adapter that declares `features`.
    pub fn of_features(features: &[String], contested: bool) -> Scope {
        let has = |f: &str| features.iter().any(|x| x == f);
        Scope {
            query: has("query"),
            header: has("header"),
            session_token: has("session-token"),
            token_after_signing: has("token-after-signing"),
            no_normalize_path: has("no-normalize-path"),
            no_double_encode: has("no-double-encode"),
            content_sha256_header: has("content-sha256-header"),
            unsigned_payload: has("unsigned-payload"),
            contested,
        }
    }
}

fn hex_escape() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "%2F", "%20", "%3A", "%25", "%2B", "%3D", "%26", "%7E", "%41", "%2E"
        ])
        .prop_map(str::to_owned),
        select(vec!["%2f", "%3a", "%e1%88%b4", "%7e"]).prop_map(str::to_owned),
        select(vec!["%E1%88%B4", "%C3%A9", "%F0%9F%98%80"]).prop_map(str::to_owned),
        any::<u8>().prop_map(|b| format!("%{b:02X}")),
    ]
}

fn broken_escape() -> impl Strategy<Value = String> {
    select(vec!["%", "%z", "%4", "%zz", "%%", "%g0"]).prop_map(str::to_owned)
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{1,3}|[A-Za-z0-9]{1,6}|[A-Za-z0-9._~-]{1,6}"
}

fn path_segment(contested: bool) -> BoxedStrategy<String> {
    let atom = prop_oneof![
        6 => word(),
        2 => select(vec!["!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@"])
            .prop_map(str::to_owned),
        3 => hex_escape(),
        1 => broken_escape(),
    ];
    let segment = prop::collection::vec(atom, 1..4).prop_map(|parts| parts.concat());
    let segment = if contested {
        prop_oneof![
            8 => segment,
            1 => select(vec![" ", "a b", "é", "ሴ", "😀"]).prop_map(str::to_owned),
        ]
        .boxed()
    } else {
        segment.boxed()
    };
    prop_oneof![
        6 => segment,
        1 => Just(".".to_owned()),
        1 => Just("..".to_owned()),
        1 => Just(String::new()),
        1 => Just("...".to_owned()),
    ]
    .boxed()
}

fn path(contested: bool) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(path_segment(contested), 0..5),
        any::<bool>(),
    )
        .prop_map(|(segments, trailing)| {
            let mut path = format!("/{}", segments.join("/"));
            if trailing && !path.ends_with('/') {
                path.push('/');
            }
            path
        })
}

fn query_text() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        6 => word(),
        3 => hex_escape(),
        1 => broken_escape(),
        2 => select(vec!["+", "~", "-", "!", "*", "'", "(", ")", ",", ";", ":", "@", "/", "?", "$"])
            .prop_map(str::to_owned),
    ];
    prop::collection::vec(atom, 0..3).prop_map(|parts| parts.concat())
}

fn query() -> impl Strategy<Value = String> {
    // Few names, so that repeated names are common.
    let name = prop_oneof![
        4 => select(vec!["a", "b", "A", "Param1", "Param2", "x-id", "key"]).prop_map(str::to_owned),
        2 => query_text(),
    ];
    let param = prop_oneof![
        4 => (name.clone(), query_text()).prop_map(|(k, v)| format!("{k}={v}")),
        1 => name.clone(),
        1 => (name.clone(), query_text()).prop_map(|(k, v)| format!("{k}={v}={v}")),
        1 => Just(String::new()),
    ];
    prop::collection::vec(param, 0..5).prop_map(|params| params.join("&"))
}

fn header_name() -> impl Strategy<Value = String> {
    let base = select(vec![
        "My-Header1",
        "X-Amz-Meta-Test",
        "Content-Type",
        "x-amz-meta-a",
        "x-amz-meta-a-b",
        "X-Custom",
        "Accept",
    ]);
    (base, any::<u8>()).prop_map(|(name, case)| match case % 4 {
        0 => name.to_owned(),
        1 => name.to_ascii_lowercase(),
        2 => name.to_ascii_uppercase(),
        _ => name
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect(),
    })
}

/// A header value. Tabs come only with `contested`: signers disagree on
/// whether a tab is whitespace to trim and collapse (see
/// `vector::contested_reason`).
fn header_value(contested: bool) -> impl Strategy<Value = String> {
    let word = prop_oneof![
        4 => "[A-Za-z0-9]{1,8}",
        1 => select(vec!["\"a   b\"", ",", "value1", "é", "ሴ", "a=b", ";", "/", "text/plain"])
            .prop_map(str::to_owned),
    ];
    let (tab, folded_with_tab) = if contested {
        (" \t ", "\n\t")
    } else {
        (" ", "\n ")
    };
    let space = prop_oneof![
        4 => Just(" ".to_owned()),
        2 => Just("   ".to_owned()),
        1 => Just(tab.to_owned()),
        1 => Just("\n  ".to_owned()),
        1 => Just(folded_with_tab.to_owned()),
    ];
    (
        select(vec!["", " ", "   "]),
        prop::collection::vec((word, space), 0..4),
        "[a-z0-9]{0,6}",
        select(vec!["", " ", "  "]),
    )
        .prop_map(|(lead, parts, last, trail)| {
            let mut value = lead.to_owned();
            for (w, s) in parts {
                value.push_str(&w);
                value.push_str(&s);
            }
            value.push_str(&last);
            value.push_str(trail);
            value
        })
}

fn headers(contested: bool) -> impl Strategy<Value = Vec<(String, String)>> {
    (
        select(vec![
            "example.amazonaws.com",
            "example.amazonaws.com:8443",
            "bucket.s3.amazonaws.com",
        ]),
        prop::collection::vec((header_name(), header_value(contested)), 0..5),
        0..6usize,
    )
        .prop_map(|(host, mut rest, at)| {
            let at = at.min(rest.len());
            rest.insert(at, ("Host".to_owned(), host.to_owned()));
            rest
        })
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        2 => "[ -~]{1,40}",
        1 => Just("Param1=value1".to_owned()),
        1 => Just("{\"key\": \"é ሴ\"}\n".to_owned()),
    ]
}

fn time() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("2015-08-30T12:36:00Z".to_owned()),
        1 => select(vec!["2024-02-29T23:59:59Z", "1999-12-31T23:59:59Z", "2038-01-19T03:14:08Z"])
            .prop_map(str::to_owned),
        2 => (1970u32..2100, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0u32..60).prop_map(
            |(y, mo, d, h, mi, s)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
        ),
    ]
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQ==".to_owned()),
        prop::collection::vec(any::<u8>(), 8..48)
            .prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
    ]
}

/// Options and credentials, within what the adapter supports.
fn options(scope: Scope) -> impl Strategy<Value = (WireOptions, Option<String>)> {
    let locations = match (scope.header, scope.query) {
        (true, true) => vec![Location::Header, Location::Query],
        (false, true) => vec![Location::Query],
        _ => vec![Location::Header],
    };
    (
        select(locations),
        prop_oneof![
            3 => Just(3600u64),
            1 => select(vec![1u64, 604_800, 86_400]),
            1 => 1u64..=604_800,
        ],
        prop_oneof![
            6 => Just((true, true)),
            2 => Just((false, false)),
            1 => Just((true, false)),
            1 => Just((false, true)),
        ],
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.3, token()),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            move |(location, expires_in, (normalize, double), unsigned, sha, token, sign_token)| {
                let normalize_path = normalize || !scope.no_normalize_path;
                let double_encode_path = double || !scope.no_double_encode;
                let token = token.filter(|_| scope.session_token);
                let sign_session_token =
                    sign_token || !scope.token_after_signing || token.is_none();
                (
                    WireOptions {
                        location,
                        expires_in,
                        normalize_path,
                        double_encode_path,
                        payload: if unsigned && scope.unsigned_payload {
                            PayloadKind::Unsigned
                        } else {
                            PayloadKind::Signed
                        },
                        content_sha256_header: sha
                            && scope.content_sha256_header
                            && location == Location::Header,
                        sign_session_token,
                    },
                    token,
                )
            },
        )
}

/// The strategy of `sign` messages (the id is set by the caller).
pub fn message(scope: Scope) -> impl Strategy<Value = SignMessage> {
    let request = (
        prop_oneof![
            4 => Just("GET"),
            3 => Just("POST"),
            1 => select(vec!["PUT", "DELETE", "HEAD", "PATCH"]),
        ],
        path(scope.contested),
        query(),
        headers(scope.contested),
        body(),
    );
    let context = (
        prop_oneof![
            3 => Just(("AKIDEXAMPLE".to_owned(), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned())),
            1 => ("AKIA[A-Z0-9]{16}", "[A-Za-z0-9/+]{40}"),
        ],
        prop_oneof![
            3 => Just("us-east-1"),
            1 => select(vec!["eu-west-3", "ap-southeast-2", "us-gov-west-1"]),
        ],
        prop_oneof![
            3 => Just("service"),
            1 => select(vec!["s3", "execute-api", "iam", "sts", "dynamodb"]),
        ],
        time(),
        options(scope),
    );
    (request, context).prop_map(
        |(
            (method, path, query, headers, body),
            ((akid, secret), region, service, time, (options, token)),
        )| {
            SignMessage {
                id: String::new(),
                request: WireRequest {
                    method: method.to_owned(),
                    path,
                    query,
                    headers,
                    body_base64: Some(
                        base64::engine::general_purpose::STANDARD.encode(body.as_bytes()),
                    ),
                },
                credentials: WireCredentials {
                    access_key_id: akid,
                    secret_access_key: secret,
                    session_token: token,
                },
                region: region.to_owned(),
                service: service.to_owned(),
                time,
                options,
            }
        },
    )
}
