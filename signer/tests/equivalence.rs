//! The optimized stages (issue 6) against straightforward oracles: the
//! signer's original implementations, kept here verbatim in spirit (one
//! character at a time, a buffer per parameter, `format!`), on many
//! pseudo-random inputs built from the characters SigV4 gets wrong most.

use sigv4_signer::{
    canonical_headers, canonical_query, canonical_uri, presign, reencode, sign, uri_encode,
    Credentials, Expiry, Location, Payload, Request, Settings, Signed, Signer, SigningHeaders,
    SigningParams, SigningTime, UriOptions,
};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// The first of `options` three times in four, else any.
    fn mostly_first<'a>(&mut self, options: &[&'a str]) -> &'a str {
        if self.below(4) == 0 {
            options[self.below(options.len())]
        } else {
            options[0]
        }
    }

    fn text(&mut self, pieces: &[&str], max: usize) -> String {
        (0..self.below(max + 1))
            .map(|_| pieces[self.below(pieces.len())])
            .collect()
    }
}

const QUERY_PIECES: &[&str] = &[
    "a",
    "B",
    "z",
    "0",
    "9",
    "-",
    ".",
    "_",
    "~",
    "%",
    "%2f",
    "%2F",
    "%7e",
    "%7E",
    "%41",
    "%20",
    "%zz",
    "%4",
    "+",
    " ",
    "=",
    "&",
    "&&",
    "/",
    "?",
    "ሴ",
    "é",
    "%E1%88%B4",
    "*",
    ";",
];
const PATH_PIECES: &[&str] = &[
    "/", "//", "a", "Z", "~", ".", "..", "/./", "/../", "%", "%2F", "%3a", "%25", " ", "+", "ሴ",
    "*", ":", "@", "%7E",
];
const VALUE_PIECES: &[&str] = &[
    "a", "Z", " ", "  ", "\t", "\r\n ", "\n\t", ",", ":", "é", "ሴ", "x y", "\"",
];
const NAME_PIECES: &[&str] = &["a", "B", "x-amz-", "Host", "-", "_", "1", "my-header", "~"];

// ---- oracles: the original implementations --------------------------------

fn oracle_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn oracle_escape(out: &mut String, b: u8) {
    out.push_str(&format!("%{b:02X}"));
}

fn oracle_escape_at(input: &[u8], at: usize) -> Option<u8> {
    if input.get(at) != Some(&b'%') {
        return None;
    }
    let hex = std::str::from_utf8(input.get(at + 1..at + 3)?).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

fn oracle_uri_encode(input: &[u8], keep_slash: bool) -> String {
    let mut out = String::new();
    for &b in input {
        if oracle_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            oracle_escape(&mut out, b);
        }
    }
    out
}

fn oracle_reencode(input: &[u8]) -> String {
    let mut out = String::new();
    let mut at = 0;
    while at < input.len() {
        let (b, width) = match oracle_escape_at(input, at) {
            Some(decoded) => (decoded, 3),
            None => (input[at], 1),
        };
        if oracle_unreserved(b) {
            out.push(b as char);
        } else {
            oracle_escape(&mut out, b);
        }
        at += width;
    }
    out
}

fn oracle_canonical_query(query: &str, extra: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (oracle_reencode(n.as_bytes()), oracle_reencode(v.as_bytes()))
        })
        .collect();
    params.extend(extra.iter().map(|(n, v)| {
        (
            oracle_uri_encode(n.as_bytes(), false),
            oracle_uri_encode(v.as_bytes(), false),
        )
    }));
    params.sort();
    params
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn oracle_trimmed(value: &str) -> String {
    let mut out = String::new();
    let (mut pending, mut written) = (false, false);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let space = match c {
            ' ' => true,
            '\r' | '\n' => {
                while matches!(chars.peek(), Some('\n' | ' ' | '\t')) {
                    chars.next();
                }
                true
            }
            _ => false,
        };
        if space {
            pending = written;
            continue;
        }
        if pending {
            out.push(' ');
            pending = false;
        }
        out.push(c);
        written = true;
    }
    out
}

fn oracle_canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut sorted: Vec<(String, &str)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), *v))
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0)); // stable
    let (mut block, mut names) = (String::new(), Vec::<String>::new());
    for (i, (name, value)) in sorted.iter().enumerate() {
        if i > 0 && sorted[i - 1].0 == *name {
            block.push(',');
        } else {
            if i > 0 {
                block.push('\n');
            }
            block.push_str(&format!("{name}:"));
            names.push(name.clone());
        }
        block.push_str(&oracle_trimmed(value));
    }
    if !sorted.is_empty() {
        block.push('\n');
    }
    (block, names.join(";"))
}

fn oracle_canonical_uri(path: &str, normalize: bool, double_encode: bool) -> String {
    let encode = |p: &[u8]| {
        let mut out = String::new();
        let mut at = 0;
        while at < p.len() {
            if oracle_unreserved(p[at]) || p[at] == b'/' {
                out.push(p[at] as char);
            } else if !double_encode && oracle_escape_at(p, at).is_some() {
                out.push_str(std::str::from_utf8(&p[at..at + 3]).unwrap());
                at += 3;
                continue;
            } else {
                oracle_escape(&mut out, p[at]);
            }
            at += 1;
        }
        out
    };
    if path.is_empty() {
        return "/".into();
    }
    if !normalize {
        return encode(path.as_bytes());
    }
    let mut segments: Vec<String> = Vec::new();
    let mut ends_with_slash = false;
    for segment in path[1..].split('/') {
        ends_with_slash = matches!(segment, "" | "." | "..");
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(encode(s.as_bytes())),
        }
    }
    let mut out: String = segments.iter().map(|s| format!("/{s}")).collect();
    if out.is_empty() || ends_with_slash {
        out.push('/');
    }
    out
}

// ---- the comparisons -------------------------------------------------------

#[test]
fn encoders_match_the_oracle() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let text = rng.text(QUERY_PIECES, 8);
        let mut bytes = text.clone().into_bytes();
        if rng.below(4) == 0 && !bytes.is_empty() {
            // Invalid UTF-8 through the byte APIs too.
            let at = rng.below(bytes.len());
            bytes[at] = 0x80 | (rng.next() as u8 & 0x7f);
        }
        let mut out = String::new();
        reencode(&bytes, &mut out);
        assert_eq!(out, oracle_reencode(&bytes), "{bytes:?}");
        for keep_slash in [false, true] {
            let mut out = String::new();
            uri_encode(&bytes, keep_slash, &mut out);
            assert_eq!(out, oracle_uri_encode(&bytes, keep_slash), "{bytes:?}");
        }
    }
}

#[test]
fn canonical_query_matches_the_oracle() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for round in 0..20_000 {
        // Sometimes more parameters than sorted on the stack.
        let max = if round % 50 == 0 { 60 } else { 10 };
        let query = rng.text(QUERY_PIECES, max);
        let extra_owned: Vec<(String, String)> = (0..rng.below(3))
            .map(|_| (rng.text(QUERY_PIECES, 4), rng.text(QUERY_PIECES, 4)))
            .collect();
        let extra: Vec<(&str, &str)> = extra_owned
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut out = String::from("prefix:");
        canonical_query(&query, &extra, &mut out);
        assert_eq!(
            out,
            format!("prefix:{}", oracle_canonical_query(&query, &extra)),
            "{query:?} {extra:?}"
        );
    }
}

#[test]
fn canonical_headers_match_the_oracle() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for round in 0..20_000 {
        // Sometimes more headers than the small scratch array holds, or
        // than sorted on the stack.
        let count = match round % 50 {
            0 => 40,
            25 => 9 + rng.below(24),
            _ => 1 + rng.below(7),
        };
        let owned: Vec<(String, String)> = (0..count)
            .map(|_| {
                let mut name = rng.text(NAME_PIECES, 3);
                if name.is_empty() {
                    name.push('h');
                }
                (name, rng.text(VALUE_PIECES, 6))
            })
            .collect();
        let headers: Vec<(&str, &str)> = owned
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let (mut block, mut names) = (String::from(">"), String::from(">"));
        canonical_headers(&headers, &mut block, &mut names).expect("valid headers");
        let (expected_block, expected_names) = oracle_canonical_headers(&headers);
        assert_eq!(block, format!(">{expected_block}"), "{headers:?}");
        assert_eq!(names, format!(">{expected_names}"), "{headers:?}");
    }
}

#[test]
fn canonical_uri_matches_the_oracle() {
    let mut rng = Rng(0x1357_9bdf_2468_ace0);
    for _ in 0..20_000 {
        let mut path = rng.text(PATH_PIECES, 8);
        if !path.starts_with('/') && !path.is_empty() {
            path.insert(0, '/');
        }
        for (normalize, double_encode) in
            [(true, true), (false, false), (true, false), (false, true)]
        {
            let mut out = String::from("/prefix");
            canonical_uri(
                &path,
                UriOptions {
                    normalize,
                    double_encode,
                },
                &mut out,
            )
            .expect("valid path");
            assert_eq!(
                out,
                format!(
                    "/prefix{}",
                    oracle_canonical_uri(&path, normalize, double_encode)
                ),
                "{path:?} {normalize} {double_encode}"
            );
        }
    }
}

/// Every field of two results is the same.
fn assert_same(a: &Signed, b: &Signed, what: &str) {
    assert_eq!(a.credential_scope, b.credential_scope, "{what}");
    assert_eq!(a.canonical_request, b.canonical_request, "{what}");
    assert_eq!(a.string_to_sign, b.string_to_sign, "{what}");
    assert_eq!(a.signing_key, b.signing_key, "{what}");
    assert_eq!(a.signature, b.signature, "{what}");
    assert_eq!(a.signed_headers, b.signed_headers, "{what}");
    assert_eq!(a.payload_hash, b.payload_hash, "{what}");
    assert_eq!(a.authorization, b.authorization, "{what}");
    assert_eq!(a.request, b.request, "{what}");
}

/// The lean headers say what the full result says: the same intermediates,
/// and the request to send is the caller's headers with the lean ones set
/// on it, replacing those of the same name.
fn assert_same_headers(lean: &SigningHeaders, full: &Signed, request: &Request<'_>, what: &str) {
    assert_eq!(lean.credential_scope(), full.credential_scope, "{what}");
    assert_eq!(lean.canonical_request(), full.canonical_request, "{what}");
    assert_eq!(lean.string_to_sign(), full.string_to_sign, "{what}");
    assert_eq!(lean.signature(), full.signature, "{what}");
    assert_eq!(lean.signed_headers(), full.signed_headers, "{what}");
    assert_eq!(lean.payload_hash(), full.payload_hash, "{what}");
    assert_eq!(
        Some(lean.authorization()),
        full.authorization.as_deref(),
        "{what}"
    );
    let set: Vec<(&str, &str)> = lean.iter().collect();
    let mut sent: Vec<(&str, &str)> = request
        .headers
        .iter()
        .copied()
        .filter(|(name, _)| !set.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        .collect();
    sent.extend(&set);
    let expected: Vec<(&str, &str)> = full
        .request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(sent, expected, "{what}");
    let date = set
        .iter()
        .find(|(n, _)| *n == "X-Amz-Date")
        .map(|(_, v)| *v);
    assert_eq!(date, Some(lean.amz_date()), "{what}");
}

#[test]
fn every_signing_path_gives_the_same_result() {
    // Uncached, cached (cold and warm), and into a reused result; header
    // and presigned; with and without a (signed or unsigned) token.
    let mut rng = Rng(0x0f0f_0f0f_1234_5678);
    let signer = Signer::new();
    let mut reused = Signed::default();
    let mut reused_headers = SigningHeaders::default();
    let body = [7u8; 300];
    for round in 0..3_000 {
        let query = rng.text(QUERY_PIECES, 8);
        let mut path = rng.text(PATH_PIECES, 5);
        path.insert(0, '/');
        // Every tenth round, more headers than the scratch arrays hold
        // (8, then 32 on the stack).
        let count = if round % 10 == 0 {
            5 + rng.below(40)
        } else {
            rng.below(5)
        };
        let owned: Vec<(String, String)> = (0..count)
            .map(|_| {
                let mut name = rng.text(NAME_PIECES, 3);
                // One Host only: a second is refused.
                if name.is_empty() || name.eq_ignore_ascii_case("host") {
                    name.push('h');
                }
                (name, rng.text(VALUE_PIECES, 4))
            })
            .collect();
        let mut headers: Vec<(&str, &str)> = vec![("Host", "example.amazonaws.com")];
        headers.extend(owned.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let settings = Settings {
            uri: UriOptions {
                normalize: rng.below(2) == 0,
                double_encode: rng.below(2) == 0,
            },
            payload: [
                Payload::Body,
                Payload::Unsigned,
                Payload::Precomputed("abc"),
            ][rng.below(3)],
            content_sha256_header: rng.below(2) == 0,
            sign_session_token: rng.below(2) == 0,
        };
        let body = &body[..rng.below(body.len())];
        // A caller's x-amz-content-sha256 must agree with the payload hash
        // (it is refused otherwise); the signer drops it where it adds its own.
        let payload_hash = match settings.payload {
            Payload::Body => sigv4_signer::payload_hash(body),
            Payload::Unsigned => "UNSIGNED-PAYLOAD".to_owned(),
            Payload::Precomputed(hash) => hash.to_owned(),
        };
        if round % 7 == 0 {
            headers.push(("X-Amz-Security-Token", "caller's"));
            headers.push(("x-amz-content-sha256", &payload_hash));
            headers.push(("Authorization", "caller's"));
        }
        let request = Request {
            method: ["GET", "PUT", "POST"][rng.below(3)],
            path: &path,
            query: &query,
            headers: &headers,
            body,
        };
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: ["secret-a", "secret-b"][rng.below(2)],
                session_token: [None, Some("TOKEN/with+chars=")][rng.below(2)],
            },
            region: "us-east-1",
            service: ["s3", "service"][rng.below(2)],
            // Half the rounds in the same few seconds: a reused result's
            // memo of the string to sign's first block is then met again,
            // under the other secret too.
            time: SigningTime::from_unix(
                1_440_938_160 + [rng.below(3), rng.below(200_000)][rng.below(2)] as i64,
            )
            .expect("time"),
            settings,
        };
        let expiry = Expiry::from_secs(1 + rng.below(604_800) as u64).expect("expiry");
        for location in [Location::Header, Location::Query(expiry)] {
            let what = format!("{request:?} {params:?} {location:?}");
            // A header signature over another hash than the body's needs
            // x-amz-content-sha256 to say so, the signer's or the caller's.
            let unverifiable = location == Location::Header
                && settings.payload != Payload::Body
                && !settings.content_sha256_header
                && round % 7 != 0;
            if unverifiable {
                let refused = sign(&request, &params, location);
                assert!(
                    matches!(refused, Err(sigv4_signer::Error::PayloadHashNotSent { .. })),
                    "{what}: {refused:?}"
                );
                continue;
            }
            let fresh = match sign(&request, &params, location) {
                Ok(signed) => signed,
                Err(e) => panic!("{what}: {e}"),
            };
            assert_same(
                &signer.sign(&request, &params, location).expect("signs"),
                &fresh,
                &what,
            );
            signer
                .sign_into(&request, &params, location, &mut reused)
                .expect("signs");
            assert_same(&reused, &fresh, &what);
            match location {
                Location::Query(expiry) => assert_same(
                    &presign(&request, &params, expiry).expect("signs"),
                    &fresh,
                    &what,
                ),
                Location::Header => {
                    let lean = signer.signing_headers(&request, &params).expect("signs");
                    assert_same_headers(&lean, &fresh, &request, &what);
                    signer
                        .signing_headers_into(&request, &params, &mut reused_headers)
                        .expect("signs");
                    assert_same_headers(&reused_headers, &fresh, &request, &what);
                }
            }
            // The parts agree with the stages the harness calls.
            let mut uri = String::new();
            canonical_uri(request.path, settings.uri, &mut uri).expect("valid path");
            assert!(fresh
                .canonical_request
                .starts_with(&format!("{}\n{uri}\n", request.method)));
        }
    }
}

/// Where a test signs: a fresh result, or a reused output of a signer.
enum Into<'a> {
    Fresh,
    Signed(&'a Signer, &'a mut Signed),
    Headers(&'a Signer, &'a mut SigningHeaders, &'a str),
}

#[test]
fn a_reused_result_resumes_only_from_its_own_first_blocks() {
    // A reused result remembers the hash states after the canonical
    // request's and the string to sign's first 64 bytes. Requests whose
    // canonical requests differ in the last byte of that block, the first
    // byte after it, or earlier, or whose strings to sign differ (another
    // second, another secret), each signed several times in a row and in a
    // pseudo-random order, sign exactly as a fresh result does.
    //
    // The canonical request starts `POST\n/\n\na:` and the value of `a`
    // follows from byte 10: its character 53 is byte 63, the block's last.
    let value = |at: Option<usize>| -> String {
        (0..60)
            .map(|i| if Some(i) == at { 'w' } else { 'v' })
            .collect()
    };
    let values = [
        value(None),
        value(Some(53)),
        value(Some(54)),
        value(Some(0)),
    ];
    let variants: Vec<(&str, &str, i64, &str)> = values
        .iter()
        .map(|v| ("POST", v.as_str(), 0, "secret-a"))
        .chain([
            ("PUT", values[0].as_str(), 0, "secret-a"),
            ("POST", values[0].as_str(), 1, "secret-a"),
            ("POST", values[0].as_str(), 0, "secret-b"),
        ])
        .collect();
    // Signs variant `index`: fresh, into a reused `Signed`, or (checked
    // against a fresh result, which is returned) into reused lean headers.
    let sign_variant = |index: usize, into: Into<'_>| -> Signed {
        let (method, value, second, secret) = variants[index];
        let headers = [("Host", "example.amazonaws.com"), ("a", value)];
        let request = Request {
            method,
            path: "/",
            query: "",
            headers: &headers,
            body: b"{}",
        };
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: secret,
                session_token: None,
            },
            region: "us-east-1",
            service: "service",
            time: SigningTime::from_unix(1_440_938_160 + second).expect("time"),
            settings: Settings::default(),
        };
        let fresh = || sign(&request, &params, Location::Header).expect("signs");
        match into {
            Into::Signed(signer, reused) => {
                signer
                    .sign_into(&request, &params, Location::Header, reused)
                    .expect("signs");
                reused.clone()
            }
            Into::Headers(signer, reused, what) => {
                signer
                    .signing_headers_into(&request, &params, reused)
                    .expect("signs");
                let fresh = fresh();
                assert_same_headers(reused, &fresh, &request, what);
                fresh
            }
            Into::Fresh => fresh(),
        }
    };
    // The layout the test relies on: byte 63 is the value's character 53.
    let first = sign_variant(0, Into::Fresh);
    assert_eq!(&first.canonical_request[..12], "POST\n/\n\na:vv");
    assert_eq!(
        sign_variant(1, Into::Fresh).canonical_request.find('w'),
        Some(63),
        "the first block's last byte"
    );

    let mut rng = Rng(0x5eed_0f0b_10c0);
    let runs = (0..variants.len()).flat_map(|index| [index; 3]);
    let shuffled: Vec<usize> = (0..300).map(|_| rng.below(variants.len())).collect();
    let signer = Signer::new();
    let mut reused = Signed::default();
    let mut reused_headers = SigningHeaders::default();
    for (step, index) in runs.chain(shuffled).enumerate() {
        let what = format!("step {step}, variant {index}");
        let into = sign_variant(index, Into::Signed(&signer, &mut reused));
        assert_same(&into, &sign_variant(index, Into::Fresh), &what);
        // The lean headers keep memos of their own.
        sign_variant(index, Into::Headers(&signer, &mut reused_headers, &what));
    }
}

#[test]
fn the_lean_form_refuses_what_sign_refuses() {
    // Requests and parameters that are often malformed (bad methods,
    // names, values, paths, queries, scopes; a second, empty or missing
    // Host; a conflicting x-amz-content-sha256): the lean form signs
    // exactly when `Signer::sign` does, and refuses with the same error.
    let mut rng = Rng(0x01ea_4ea4_de45_0001);
    let signer = Signer::new();
    let mut reused = SigningHeaders::default();
    let mut reused_full = Signed::default();
    let (mut refused, mut signed) = (0, 0);
    for _ in 0..10_000 {
        let names = ["a", "host", "", "b c", "X-Amz-Date", "é", "Authorization"];
        let values = ["v", "", " ", "a\r\n b", "a\nb", "\0", "UNSIGNED-PAYLOAD"];
        let mut headers = vec![(
            rng.mostly_first(&["Host", "a"]),
            rng.mostly_first(&["example.amazonaws.com", " "]),
        )];
        for _ in 0..rng.below(3) {
            headers.push((rng.mostly_first(&names), rng.mostly_first(&values)));
        }
        if rng.below(8) == 0 {
            headers.push((
                "x-amz-content-sha256",
                rng.mostly_first(&["UNSIGNED-PAYLOAD", "x"]),
            ));
        }
        let request = Request {
            method: rng.mostly_first(&["GET", "G T", "", "POST"]),
            path: rng.mostly_first(&["/", "", "a", "/a\r\nb", "/%zz/../x"]),
            query: rng.mostly_first(&["a=1", "", "X-Amz-Signature=1", "q=\u{7f}", "X-Amz-Date=1"]),
            headers: &headers,
            body: b"data",
        };
        let token = rng.mostly_first(&["", "TOKEN", "T\n", "-"]);
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: rng.mostly_first(&["AKIDEXAMPLE", "", "A/B"]),
                secret_access_key: rng.mostly_first(&["secret", ""]),
                session_token: (token != "-")
                    .then_some(token)
                    .filter(|_| rng.below(2) == 0),
            },
            region: rng.mostly_first(&["us-east-1", "us/east", ""]),
            service: "service",
            time: SigningTime::from_unix(1_440_938_160).expect("time"),
            settings: Settings {
                payload: [
                    Payload::Body,
                    Payload::Unsigned,
                    Payload::Precomputed("a b"),
                ][rng.below(3)],
                content_sha256_header: rng.below(2) == 0,
                sign_session_token: rng.below(2) == 0,
                ..Settings::default()
            },
        };
        let what = format!("{request:?} {params:?}");
        let full = signer.sign(&request, &params, Location::Header);
        let lean = signer.signing_headers_into(&request, &params, &mut reused);
        // A reused full result gives the same, and after an error holds
        // nothing to send either.
        let into = signer.sign_into(&request, &params, Location::Header, &mut reused_full);
        match (&full, into) {
            (Ok(full), Ok(())) => assert_same(&reused_full, full, &what),
            (Err(full), Err(into)) => {
                assert_eq!(*full, into, "{what}");
                assert!(reused_full.request.headers.is_empty(), "{what}");
                assert_eq!(reused_full.authorization, None, "{what}");
                assert_eq!(reused_full.signature, "", "{what}");
            }
            (full, into) => panic!("{what}: sign gave {full:?}, sign_into {into:?}"),
        }
        match (full, lean) {
            (Ok(full), Ok(())) => {
                assert_same_headers(&reused, &full, &request, &what);
                signed += 1;
            }
            (Err(full), Err(lean)) => {
                assert_eq!(full, lean, "{what}");
                // No stale headers to send by mistake.
                assert_eq!(reused.iter().count(), 0, "{what}");
                assert_eq!(reused.authorization(), "", "{what}");
                refused += 1;
            }
            (full, lean) => panic!("{what}: sign gave {full:?}, the lean form {lean:?}"),
        }
    }
    // Both outcomes are exercised.
    assert!(
        refused > 2_000 && signed > 500,
        "{refused} refused, {signed} signed"
    );
}
