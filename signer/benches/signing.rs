//! Signing throughput of `sigv4-signer` against the Rust SDK's signer
//! (crates.io `aws-sigv4`), in the same run and on the same requests, and
//! against the "floor": the SHA-256 compressions each request needs.
//!
//! Run: `cargo bench -p sigv4-signer --bench signing`. Criterion measures
//! every benchmark; a summary at the end reads criterion's medians back and
//! prints the ratios the performance issue (issue 6) sets as targets:
//!
//! - warm signing-key cache (our `Signer`) vs `aws-sigv4`: >= 8x throughput;
//! - no cache (our `sign_headers`) vs `aws-sigv4`: >= 2.5x throughput;
//! - S3 PUT of 1 MiB: <= 1.05x the time of hashing the body alone;
//! - <= 1.5x the floor: the body hash, the canonical-request hash and the
//!   HMAC of the string to sign from a key whose HMAC states are prepared;
//! - verification of the same request: <= 1.2x the time of signing it,
//!   both with owned results (`verify::verify` vs `Signer::sign`) and
//!   reusing their memory (`verify::verify_into` with a `VerifyScratch` vs
//!   `Signer::sign_into` with a `Signed`), warm key caches, the verifier's
//!   lookup borrowing the secret.
//!
//! Each target's ratio is given twice: from criterion's medians, and
//! measured in pairs (`paired_ratio`: batches of the two functions timed
//! back to back, alternating, median of 201 rounds), which a drift of the
//! shared machine's speed between two criterion benchmarks cannot skew.
//! A target is met when both measurements meet it. The no-cache and warm-cache
//! targets are reported for both APIs: owned results (`sign_headers`,
//! `Signer::sign`) and results written into reused memory (`sign_into`,
//! `Signer::sign_into`); the warm-cache and floor targets also for the lean
//! form, `Signer::signing_headers_into`, which returns only the headers to
//! add, as `aws-sigv4` does.
//!
//! Before measuring, every request is signed by both signers and the
//! signatures are checked to be equal, so both do the same work.
//!
//! Under `cargo test --benches` (no `--bench` argument) criterion runs each
//! benchmark once as a smoke test and no ratios are printed.
//!
//! `--loop GROUP CONTENDER ITERATIONS` runs one contender in a plain loop
//! instead, without criterion, and prints the time per call; the A/B
//! script `scripts/perf-ab.sh` builds two revisions and compares them so.

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign as aws_sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SigningParams as AwsSigningParams, SigningSettings as AwsSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use criterion::Criterion;
use sha2::digest::core_api::{Block, Buffer, UpdateCore, VariableOutputCore};
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256, Sha256VarCore};
use sigv4_signer::verify::{verify, verify_into, KnownKeyRef, VerifyPolicy, VerifyScratch};
use sigv4_signer::{
    sign_headers, sign_into, Credentials, KeyCache, Location, Payload, Request, Settings, Signed,
    Signer, SigningHeaders, SigningParams, SigningTime, UriOptions,
};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z, the instant of the published vectors.
const UNIX_SECONDS: u64 = 1_440_938_160;

/// One request, described once and handed to both signers.
struct Case {
    /// Criterion group name (also the directory of its results).
    group: &'static str,
    method: &'static str,
    host: &'static str,
    path: &'static str,
    query: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
    region: &'static str,
    service: &'static str,
    s3: bool,
    /// The same request but for a few bytes in its canonical request's
    /// first block, of the same length: the same work, and a reused
    /// output's memo of that block does not serve one after the other.
    twin: Twin,
}

/// Where a case's twin differs from it (see [`Case::twin`]).
struct Twin {
    path: &'static str,
    query: &'static str,
    headers: Vec<(&'static str, &'static str)>,
}

impl Case {
    fn request(&self) -> Request<'_> {
        Request {
            method: self.method,
            path: self.path,
            query: self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn twin_request(&self) -> Request<'_> {
        Request {
            path: self.twin.path,
            query: self.twin.query,
            headers: &self.twin.headers,
            ..self.request()
        }
    }

    fn params(&self) -> SigningParams<'static> {
        let settings = if self.s3 {
            Settings {
                uri: UriOptions {
                    normalize: false,
                    double_encode: false,
                },
                payload: Payload::Body,
                content_sha256_header: true,
                sign_session_token: true,
            }
        } else {
            Settings::default()
        };
        SigningParams {
            credentials: Credentials {
                access_key_id: ACCESS_KEY_ID,
                secret_access_key: SECRET,
                session_token: None,
            },
            region: self.region,
            service: self.service,
            time: SigningTime::from_unix(UNIX_SECONDS as i64).expect("fixed time"),
            settings,
        }
    }

    fn url(&self) -> String {
        let mut url = format!("https://{}{}", self.host, self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(self.query);
        }
        url
    }

    fn aws_settings(&self) -> AwsSettings {
        let mut settings = AwsSettings::default();
        if self.s3 {
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        settings
    }
}

fn cases() -> Vec<Case> {
    // A DynamoDB GetItem body padded to exactly 100 bytes.
    let mut json = String::from(
        r#"{"TableName":"Music","Key":{"Artist":{"S":"No One You Know"}},"ProjectionExpression":"#,
    );
    json.push('"');
    while json.len() < 98 {
        json.push('x');
    }
    json.push_str("\"}");
    assert_eq!(json.len(), 100);
    let get_headers = vec![("Host", "iam.amazonaws.com")];
    let post_headers = vec![
        ("Host", "dynamodb.us-east-1.amazonaws.com"),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("X-Amz-Target", "DynamoDB_20120810.GetItem"),
        ("Content-Length", "100"),
        ("Accept-Encoding", "identity"),
    ];
    let s3_headers = vec![
        ("Host", "examplebucket.s3.amazonaws.com"),
        ("Content-Type", "image/jpeg"),
        ("Content-Length", "1048576"),
    ];
    vec![
        Case {
            group: "get_query3",
            method: "GET",
            host: "iam.amazonaws.com",
            path: "/",
            query: "Version=2010-05-08&Action=ListUsers&MaxItems=100",
            headers: get_headers.clone(),
            body: Vec::new(),
            region: "us-east-1",
            service: "iam",
            s3: false,
            twin: Twin {
                path: "/",
                query: "Version=2010-05-08&Action=ListUsers&MaxItems=200",
                headers: get_headers,
            },
        },
        Case {
            group: "post_json100_headers5",
            method: "POST",
            host: "dynamodb.us-east-1.amazonaws.com",
            path: "/",
            query: "",
            headers: post_headers.clone(),
            body: json.into_bytes(),
            region: "us-east-1",
            service: "dynamodb",
            s3: false,
            twin: Twin {
                path: "/",
                query: "",
                headers: post_headers
                    .iter()
                    .map(|&(name, value)| match name {
                        "Accept-Encoding" => (name, "compress"),
                        _ => (name, value),
                    })
                    .collect(),
            },
        },
        Case {
            group: "s3_put_1mib",
            method: "PUT",
            host: "examplebucket.s3.amazonaws.com",
            path: "/photos/2015/08/30/cat%20picture.jpg",
            query: "",
            headers: s3_headers.clone(),
            body: (0..1_048_576u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
            region: "us-east-1",
            service: "s3",
            s3: true,
            twin: Twin {
                path: "/photos/2015/08/30/dog%20picture.jpg",
                query: "",
                headers: s3_headers,
            },
        },
    ]
}

fn aws_identity() -> Identity {
    AwsCredentials::new(ACCESS_KEY_ID, SECRET, None, None, "bench").into()
}

fn aws_params<'a>(case: &'a Case, identity: &'a Identity) -> AwsSigningParams<'a> {
    v4::SigningParams::builder()
        .identity(identity)
        .region(case.region)
        .name(case.service)
        .time(SystemTime::UNIX_EPOCH + Duration::from_secs(UNIX_SECONDS))
        .settings(case.aws_settings())
        .build()
        .expect("aws-sigv4 params")
        .into()
}

/// Signs with aws-sigv4 exactly as measured; returns the signature.
fn aws_sign_once(case: &Case, url: &str, params: &AwsSigningParams<'_>) -> String {
    let request = SignableRequest::new(
        case.method,
        url,
        case.headers.iter().copied(),
        SignableBody::Bytes(&case.body),
    )
    .expect("signable request");
    let (instructions, signature) = aws_sign(request, params)
        .expect("aws-sigv4 signs")
        .into_parts();
    black_box(instructions.into_parts());
    signature
}

/// Every field of two signatures is the same.
fn assert_same(a: &Signed, b: &Signed) {
    assert_eq!(a.credential_scope, b.credential_scope);
    assert_eq!(a.canonical_request, b.canonical_request);
    assert_eq!(a.string_to_sign, b.string_to_sign);
    assert_eq!(a.signing_key, b.signing_key);
    assert_eq!(a.signature, b.signature);
    assert_eq!(a.signed_headers, b.signed_headers);
    assert_eq!(a.payload_hash, b.payload_hash);
    assert_eq!(a.authorization, b.authorization);
    assert_eq!(a.request, b.request);
}

/// SHA-256 blocks (with padding) of a message of `len` bytes.
fn compressions(len: usize) -> usize {
    (len + 9).div_ceil(64)
}

fn core() -> Sha256VarCore {
    Sha256VarCore::new(32).expect("32-byte output")
}

fn finish(mut core: Sha256VarCore, data: &[u8]) -> [u8; 32] {
    let mut buffer = Buffer::<Sha256VarCore>::default();
    buffer.digest_blocks(data, |blocks| core.update_blocks(blocks));
    let mut out = GenericArray::default();
    core.finalize_variable_core(&mut buffer, &mut out);
    out.into()
}

/// SHA-256 on sha2's block function, without the `Digest` wrapper.
fn lean_sha256(data: &[u8]) -> [u8; 32] {
    finish(core(), data)
}

/// HMAC-SHA256 from the states after `key ^ ipad` and `key ^ opad`.
struct LeanHmac {
    inner: Sha256VarCore,
    outer: Sha256VarCore,
}

impl LeanHmac {
    fn new(key: &[u8; 32]) -> LeanHmac {
        let state = |pad: u8| {
            let mut block = [pad; 64];
            for (b, k) in block.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut core = core();
            let block: Block<Sha256VarCore> = block.into();
            core.update_blocks(std::slice::from_ref(&block));
            core
        };
        LeanHmac {
            inner: state(0x36),
            outer: state(0x5c),
        }
    }

    fn mac(&self, data: &[u8]) -> [u8; 32] {
        let inner = finish(self.inner.clone(), data);
        finish(self.outer.clone(), &inner)
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One measured function: what it runs, by name.
type Contender<'a> = (&'static str, Run<'a>);
type Run<'a> = Box<dyn FnMut() + 'a>;

/// A target's key (`Target::key`) and its paired ratio.
type Paired = Vec<(String, Option<f64>)>;

fn bench(
    c: &mut Criterion,
    measuring: bool,
    floors: &mut Vec<(&'static str, usize)>,
    paired: &mut Paired,
    single: Option<&SingleLoop>,
) {
    let identity = aws_identity();
    for case in cases() {
        if single.is_some_and(|single| single.group != case.group) {
            continue;
        }
        let request = case.request();
        let params = case.params();
        let url = case.url();
        let aws = aws_params(&case, &identity);

        // Same request, same signature: both signers do the same work.
        let reference = sign_headers(&request, &params).expect("our signer signs");
        let aws_signature = aws_sign_once(&case, &url, &aws);
        assert_eq!(
            reference.signature, aws_signature,
            "{}: the two signers disagree; the comparison would be meaningless",
            case.group
        );
        let signer = Signer::new();
        let cached = signer
            .sign(&request, &params, Location::Header)
            .expect("cached signer signs");
        assert_eq!(cached.signature, reference.signature);
        let mut reused = Signed::default();
        for _ in 0..2 {
            signer
                .sign_into(&request, &params, Location::Header, &mut reused)
                .expect("sign_into signs");
            assert_same(&reused, &reference);
        }

        // The floor's inputs: the exact bytes the signer hashes, and the
        // signing key's HMAC with its key already absorbed.
        let canonical_request = reference.canonical_request.clone();
        let string_to_sign = reference.string_to_sign.clone();
        let key = *reference.signing_key.as_bytes();
        let prepared = LeanHmac::new(&key);
        assert_eq!(
            hex_lower(&prepared.mac(string_to_sign.as_bytes())),
            reference.signature,
            "the floor computes the same HMAC"
        );
        floors.push((
            case.group,
            compressions(case.body.len())
                + compressions(canonical_request.len())
                + compressions(64 + string_to_sign.len())
                - 1
                + compressions(64 + 32)
                - 1,
        ));

        // Verification of the same request as received (issue 6 target:
        // within 1.2x of signing), with a warm key cache and a lookup that
        // borrows the secret.
        let received: Vec<(&str, &str)> = reference
            .request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let received = Request {
            headers: &received,
            ..request
        };
        let policy = VerifyPolicy {
            region: case.region,
            service: case.service,
            now: params.time,
            max_skew_seconds: 900,
            uri: params.settings.uri,
            presigned_unsigned_payload: false,
            session_token_unsigned: false,
            unsigned_payload_header: false,
        };
        let lookup = |id: &str| {
            (id == ACCESS_KEY_ID).then_some(KnownKeyRef {
                secret_access_key: SECRET,
                session_token: None,
            })
        };
        let cache = KeyCache::new();
        let verified = verify(&received, &policy, lookup, &cache).expect("our signature verifies");
        assert_eq!(verified.canonical_request, reference.canonical_request);
        let mut scratch = VerifyScratch::new();
        let reused_verification = verify_into(&received, &policy, lookup, &cache, &mut scratch)
            .expect("verify_into verifies")
            .to_verified();
        assert_eq!(
            reused_verification, verified,
            "verify_into gives what verify gives"
        );
        let mut uncached_reused = Signed::default();
        sign_into(&request, &params, Location::Header, &mut uncached_reused).expect("signs");
        assert_same(&uncached_reused, &reference);

        // The same request signed at a new second every time, cycling
        // through a minute: a reused `Signed` remembers the HMAC state
        // after the string to sign's first block (algorithm, time, start of
        // the scope), which a stream signing many times a second meets
        // again; here it never does. (Its memo of the canonical request's
        // first block, which holds no time, still serves.)
        let each_second: Vec<SigningParams<'_>> = (0..60)
            .map(|second| SigningParams {
                time: SigningTime::from_unix((UNIX_SECONDS + second) as i64).expect("time"),
                ..params
            })
            .collect();
        let mut new_second_reused = Signed::default();
        let mut next_second = 0;
        for second_params in &each_second {
            signer
                .sign_into(
                    &request,
                    second_params,
                    Location::Header,
                    &mut new_second_reused,
                )
                .expect("signs");
            let expected = sign_headers(&request, second_params).expect("signs");
            assert_same(&new_second_reused, &expected);
        }

        // Every contender, by name: criterion times each alone, and the
        // paired measurement below times the pairs the targets compare.
        // The same again, alternating with the twin request, whose
        // canonical request differs in the first block: no memo serves,
        // the worst case of a reused `Signed`.
        let twin_request = case.twin_request();
        let twin_reference = sign_headers(&twin_request, &params).expect("signs");
        let (ours, twin) = (
            &reference.canonical_request,
            &twin_reference.canonical_request,
        );
        assert_eq!(ours.len(), twin.len(), "{}: the twin's work", case.group);
        assert_ne!(
            ours[..64],
            twin[..64],
            "{}: the twin's first block",
            case.group
        );
        let alternating = [request, twin_request];
        let mut no_memo_reused = Signed::default();
        let mut no_memo_turn = 0;
        for (turn, second_params) in each_second.iter().enumerate() {
            let request = &alternating[turn % 2];
            signer
                .sign_into(
                    request,
                    second_params,
                    Location::Header,
                    &mut no_memo_reused,
                )
                .expect("signs");
            let expected = sign_headers(request, second_params).expect("signs");
            assert_same(&no_memo_reused, &expected);
        }

        // The lean form: only the headers to add, canonicalized from the
        // borrowed request, as aws-sigv4 returns. Checked against the full
        // result, in the same second, in new seconds and alternating.
        let mut headers_reused = SigningHeaders::default();
        let mut headers_new_second = SigningHeaders::default();
        let mut headers_no_memo = SigningHeaders::default();
        for (turn, second_params) in each_second.iter().enumerate() {
            for (reused, request, params) in [
                (&mut headers_reused, &request, &params),
                (&mut headers_new_second, &request, second_params),
                (&mut headers_no_memo, &alternating[turn % 2], second_params),
            ] {
                signer
                    .signing_headers_into(request, params, reused)
                    .expect("signs");
                let expected = sign_headers(request, params).expect("signs");
                assert_eq!(
                    Some(reused.authorization()),
                    expected.authorization.as_deref()
                );
            }
        }
        let (mut headers_second, mut headers_turn) = (0, 0);

        let mut contenders: Vec<Contender<'_>> = vec![
            (
                "ours_cached",
                Box::new(|| {
                    black_box(
                        signer
                            .sign(black_box(&request), black_box(&params), Location::Header)
                            .expect("signs"),
                    );
                }),
            ),
            (
                "ours_cached_into",
                Box::new(|| {
                    signer
                        .sign_into(
                            black_box(&request),
                            black_box(&params),
                            Location::Header,
                            &mut reused,
                        )
                        .expect("signs");
                    black_box(&reused);
                }),
            ),
            (
                "ours_cached_into_new_second",
                Box::new(|| {
                    next_second = (next_second + 1) % each_second.len();
                    signer
                        .sign_into(
                            black_box(&request),
                            black_box(&each_second[next_second]),
                            Location::Header,
                            &mut new_second_reused,
                        )
                        .expect("signs");
                    black_box(&new_second_reused);
                }),
            ),
            (
                "ours_cached_into_no_memo",
                Box::new(|| {
                    no_memo_turn = (no_memo_turn + 1) % each_second.len();
                    signer
                        .sign_into(
                            black_box(&alternating[no_memo_turn % 2]),
                            black_box(&each_second[no_memo_turn]),
                            Location::Header,
                            &mut no_memo_reused,
                        )
                        .expect("signs");
                    black_box(&no_memo_reused);
                }),
            ),
            (
                "ours_headers",
                Box::new(|| {
                    signer
                        .signing_headers_into(
                            black_box(&request),
                            black_box(&params),
                            &mut headers_reused,
                        )
                        .expect("signs");
                    black_box(&headers_reused);
                }),
            ),
            (
                "ours_headers_new_second",
                Box::new(|| {
                    headers_second = (headers_second + 1) % each_second.len();
                    signer
                        .signing_headers_into(
                            black_box(&request),
                            black_box(&each_second[headers_second]),
                            &mut headers_new_second,
                        )
                        .expect("signs");
                    black_box(&headers_new_second);
                }),
            ),
            (
                "ours_headers_no_memo",
                Box::new(|| {
                    headers_turn = (headers_turn + 1) % each_second.len();
                    signer
                        .signing_headers_into(
                            black_box(&alternating[headers_turn % 2]),
                            black_box(&each_second[headers_turn]),
                            &mut headers_no_memo,
                        )
                        .expect("signs");
                    black_box(&headers_no_memo);
                }),
            ),
            (
                "ours_uncached",
                Box::new(|| {
                    black_box(
                        sign_headers(black_box(&request), black_box(&params)).expect("signs"),
                    );
                }),
            ),
            (
                "ours_uncached_into",
                Box::new(|| {
                    sign_into(
                        black_box(&request),
                        black_box(&params),
                        Location::Header,
                        &mut uncached_reused,
                    )
                    .expect("signs");
                    black_box(&uncached_reused);
                }),
            ),
            (
                "aws_sigv4",
                Box::new(|| {
                    black_box(aws_sign_once(
                        black_box(&case),
                        black_box(&url),
                        black_box(&aws),
                    ));
                }),
            ),
            // The floor: the three hashes, at the block level of sha2 (the
            // same compression code the signer uses), nothing else: the
            // body hash, the canonical-request hash, and the HMAC of the
            // string to sign from prepared inner and outer states.
            (
                "floor",
                Box::new(|| {
                    black_box((
                        lean_sha256(black_box(&case.body)),
                        lean_sha256(black_box(canonical_request.as_bytes())),
                        prepared.mac(black_box(string_to_sign.as_bytes())),
                    ));
                }),
            ),
            // The same with the HMAC keyed afresh (two more compressions),
            // for a reading of "the HMAC of the string to sign" that
            // includes the key's blocks.
            (
                "floor_keyed",
                Box::new(|| {
                    black_box((
                        lean_sha256(black_box(&case.body)),
                        lean_sha256(black_box(canonical_request.as_bytes())),
                        LeanHmac::new(black_box(&key)).mac(black_box(string_to_sign.as_bytes())),
                    ));
                }),
            ),
            (
                "verify",
                Box::new(|| {
                    black_box(
                        verify(black_box(&received), black_box(&policy), lookup, &cache)
                            .expect("verifies"),
                    );
                }),
            ),
            // The same with the scratch reused from the previous iteration:
            // no allocation, to compare with `sign_into`.
            (
                "verify_into",
                Box::new(|| {
                    let verified = verify_into(
                        black_box(&received),
                        black_box(&policy),
                        lookup,
                        &cache,
                        &mut scratch,
                    )
                    .expect("verifies");
                    black_box(verified);
                }),
            ),
        ];
        if case.s3 {
            contenders.push((
                "sha256_body",
                Box::new(|| {
                    black_box(Sha256::digest(black_box(&case.body)));
                }),
            ));
        }

        if let Some(single) = single {
            let Some((_, run)) = contenders
                .iter_mut()
                .find(|(name, _)| *name == single.contender)
            else {
                let names: Vec<&str> = contenders.iter().map(|(name, _)| *name).collect();
                eprintln!(
                    "--loop: no contender {:?} in {}; there are: {}",
                    single.contender,
                    case.group,
                    names.join(", ")
                );
                std::process::exit(2);
            };
            run_single_loop(run, single.iterations);
            return;
        }

        let mut group = c.benchmark_group(case.group);
        for (name, run) in contenders.iter_mut() {
            group.bench_function(*name, |b| b.iter(&mut *run));
        }
        group.finish();

        if measuring {
            for target in targets().iter().filter(|t| t.group == case.group) {
                if paired.iter().any(|(key, _)| *key == target.key()) {
                    continue;
                }
                let ratio = paired_ratio(&mut contenders, target.numerator, target.denominator);
                paired.push((target.key(), ratio));
            }
        }
    }
}

/// Rounds of the paired measurement; the ratio is their median.
const PAIRED_ROUNDS: usize = 201;

/// `numerator`'s time over `denominator`'s, measured in pairs: each round
/// times a batch of one right after a batch of the other (the slower
/// side's about 1 ms, the first of the two alternating), and the result is the median
/// of the rounds' ratios. Criterion times each function in its own few
/// seconds, so a drift of the shared machine's speed between them (seen:
/// up to 5 %) goes straight into a ratio of its medians; here both sides
/// of every round see the same machine.
fn paired_ratio(
    contenders: &mut [Contender<'_>],
    numerator: &str,
    denominator: &str,
) -> Option<f64> {
    let index = |name: &str| contenders.iter().position(|(n, _)| *n == name);
    let (a, b) = (index(numerator)?, index(denominator)?);
    if a == b {
        return Some(1.0);
    }
    let (low, high) = contenders.split_at_mut(a.max(b));
    let (first, second) = (&mut low[a.min(b)].1, &mut high[0].1);
    let (num, den) = if a < b {
        (first, second)
    } else {
        (second, first)
    };
    let time = |run: &mut Run<'_>, n: u32| {
        // One untimed call first: the other function ran just before and
        // left the caches (code, data, allocator) its own way; the first
        // call after a switch would otherwise pay to refill them.
        run();
        let start = Instant::now();
        for _ in 0..n {
            run();
        }
        start.elapsed()
    };
    for _ in 0..3 {
        time(num, 20);
        time(den, 20);
    }
    let slower = time(num, 20).max(time(den, 20)) / 20;
    let batch = (1_000_000 / slower.as_nanos().max(1)).clamp(1, 1_000_000) as u32;
    let mut ratios: Vec<f64> = (0..PAIRED_ROUNDS)
        .map(|round| {
            let (n, d) = if round % 2 == 0 {
                let n = time(num, batch);
                (n, time(den, batch))
            } else {
                let d = time(den, batch);
                (time(num, batch), d)
            };
            n.as_secs_f64() / d.as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios.get(PAIRED_ROUNDS / 2).copied()
}

/// One target of issue 6: the time of `numerator` over that of
/// `denominator` in `group` is at most `bound` (or, for a throughput
/// target, the time of `denominator` over `numerator` at least `bound`).
struct Target {
    group: &'static str,
    what: &'static str,
    numerator: &'static str,
    denominator: &'static str,
    bound: f64,
    /// A throughput target: `denominator` is the peer, and the ratio is
    /// the peer's time over ours.
    throughput: bool,
}

impl Target {
    fn label(&self) -> String {
        format!("{}: {}", self.group, self.what)
    }

    /// What is measured: the same pair may serve two targets.
    fn key(&self) -> String {
        format!("{}/{}/{}", self.group, self.numerator, self.denominator)
    }
}

fn targets() -> Vec<Target> {
    let mut targets = Vec::new();
    let mut add = |group, what, numerator, denominator, bound, throughput| {
        targets.push(Target {
            group,
            what,
            numerator,
            denominator,
            bound,
            throughput,
        })
    };
    for g in ["get_query3", "post_json100_headers5"] {
        add(
            g,
            "throughput vs aws-sigv4, warm key cache (sign)",
            "ours_cached",
            "aws_sigv4",
            8.0,
            true,
        );
        add(
            g,
            "  the same, result reused (sign_into)",
            "ours_cached_into",
            "aws_sigv4",
            8.0,
            true,
        );
        add(
            g,
            "  the same, each signature in a new second (sign_into)",
            "ours_cached_into_new_second",
            "aws_sigv4",
            8.0,
            true,
        );
        add(
            g,
            "  the same, no memo serving (sign_into)",
            "ours_cached_into_no_memo",
            "aws_sigv4",
            8.0,
            true,
        );
        add(
            g,
            "  the same, only the headers to add (signing_headers_into)",
            "ours_headers",
            "aws_sigv4",
            8.0,
            true,
        );
        add(
            g,
            "  the same, each in a new second (signing_headers_into)",
            "ours_headers_new_second",
            "aws_sigv4",
            8.0,
            true,
        );
        add(
            g,
            "  the same, no memo serving (signing_headers_into)",
            "ours_headers_no_memo",
            "aws_sigv4",
            8.0,
            true,
        );
        add(
            g,
            "throughput vs aws-sigv4, no cache (sign_headers)",
            "ours_uncached",
            "aws_sigv4",
            2.5,
            true,
        );
        add(
            g,
            "  the same, result reused (free sign_into)",
            "ours_uncached_into",
            "aws_sigv4",
            2.5,
            true,
        );
        add(
            g,
            "time vs floor, warm key cache (sign)",
            "ours_cached",
            "floor",
            1.5,
            false,
        );
        add(
            g,
            "  the same, result reused (sign_into)",
            "ours_cached_into",
            "floor",
            1.5,
            false,
        );
        add(
            g,
            "  the same, each signature in a new second (sign_into)",
            "ours_cached_into_new_second",
            "floor",
            1.5,
            false,
        );
        add(
            g,
            "  the same, no memo serving (sign_into)",
            "ours_cached_into_no_memo",
            "floor",
            1.5,
            false,
        );
        add(
            g,
            "  only the headers to add (signing_headers_into)",
            "ours_headers",
            "floor",
            1.5,
            false,
        );
        add(
            g,
            "  the same, no memo serving (signing_headers_into)",
            "ours_headers_no_memo",
            "floor",
            1.5,
            false,
        );
        add(
            g,
            "  sign vs the floor with the HMAC keyed afresh",
            "ours_cached",
            "floor_keyed",
            1.5,
            false,
        );
        add(
            g,
            "  sign_into vs the floor keyed afresh",
            "ours_cached_into",
            "floor_keyed",
            1.5,
            false,
        );
    }
    let g = "s3_put_1mib";
    add(
        g,
        "time vs hashing the body alone, warm cache",
        "ours_cached",
        "sha256_body",
        1.05,
        false,
    );
    add(
        g,
        "time vs hashing the body alone, no cache",
        "ours_uncached",
        "sha256_body",
        1.05,
        false,
    );
    add(
        g,
        "time vs floor, warm key cache",
        "ours_cached",
        "floor",
        1.5,
        false,
    );
    for g in ["get_query3", "post_json100_headers5", "s3_put_1mib"] {
        add(
            g,
            "verification vs signing (verify vs sign)",
            "verify",
            "ours_cached",
            1.2,
            false,
        );
        add(
            g,
            "  the same, reused (verify_into vs sign_into)",
            "verify_into",
            "ours_cached_into",
            1.2,
            false,
        );
    }
    targets
}

/// Where criterion writes its results, found as criterion finds it.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    let metadata = std::env::var_os("CARGO").and_then(|cargo| {
        std::process::Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()
    });
    metadata
        .and_then(|out| serde_json::from_slice::<serde_json::Value>(&out.stdout).ok())
        .and_then(|v| v["target_directory"].as_str().map(PathBuf::from))
        .map_or_else(
            || PathBuf::from("target/criterion"),
            |t| t.join("criterion"),
        )
}

/// The median time per iteration in ns of `group/function` measured in
/// this run (a result file older than `since` is from another run).
fn median_ns(home: &Path, group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let path = home
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read(&path).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&text).ok()?;
    value["median"]["point_estimate"].as_f64()
}

fn summary(since: SystemTime, floors: &[(&str, usize)], paired: &Paired) {
    let home = criterion_home();
    let get = |group: &str, function: &str| median_ns(&home, group, function, since);
    println!();
    println!("== summary (criterion medians from this run) ==");
    let show = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), format_ns);
    const FUNCTIONS: [&str; 15] = [
        "ours_cached",
        "ours_cached_into",
        "ours_cached_into_new_second",
        "ours_cached_into_no_memo",
        "ours_headers",
        "ours_headers_new_second",
        "ours_headers_no_memo",
        "ours_uncached",
        "ours_uncached_into",
        "aws_sigv4",
        "floor",
        "floor_keyed",
        "sha256_body",
        "verify",
        "verify_into",
    ];
    // A row per function, a column per request: the names are long.
    let cases = cases();
    print!("{:<28}", "function");
    for case in &cases {
        print!(" {:>22}", case.group);
    }
    println!();
    for function in FUNCTIONS {
        print!("{function:<28}");
        for case in &cases {
            print!(" {:>22}", show(get(case.group, function)));
        }
        println!();
    }
    for (group, blocks) in floors {
        println!("{group}: the floor is {blocks} SHA-256 compressions (+2 keyed)");
    }
    println!();
    println!(
        "{:<84} {:>9} {:>9} {:>9}  verdict (met: by both)",
        "target", "medians", "paired", "bound"
    );
    let median_ratio = |g: &str, a: &str, b: &str| Some(get(g, a)? / get(g, b)?);
    for target in targets() {
        // A throughput ratio is the peer's time over ours.
        let flip = |r: Option<f64>| {
            if target.throughput {
                r.map(|r| 1.0 / r)
            } else {
                r
            }
        };
        let medians = flip(median_ratio(
            target.group,
            target.numerator,
            target.denominator,
        ));
        let label = target.label();
        let pair = flip(
            paired
                .iter()
                .find(|(key, _)| *key == target.key())
                .and_then(|(_, r)| *r),
        );
        let show = |r: Option<f64>| r.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"));
        let sign = if target.throughput { ">=" } else { "<=" };
        let met = |r: f64| {
            if target.throughput {
                r >= target.bound
            } else {
                r <= target.bound
            }
        };
        let verdict = match (medians.map(met), pair.map(met)) {
            (Some(true), Some(true)) => "met",
            (Some(false), Some(false)) => "NOT MET",
            (Some(_), Some(_)) => "unclear: met by one measurement only",
            _ => "not measured in this run",
        };
        println!(
            "{label:<84} {:>9} {:>9} {sign}{:>7}  {verdict}",
            show(medians),
            show(pair),
            format!("{:.2}x", target.bound),
        );
    }
}

fn format_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.3} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.3} us", ns / 1_000.0)
    } else {
        format!("{ns:.1} ns")
    }
}

/// `--loop GROUP CONTENDER ITERATIONS`: one contender in a plain loop,
/// without criterion, for comparing two builds of the signer (see
/// `scripts/perf-ab.sh`) and for counting instructions under callgrind
/// (the loop is the function `timed_iterations`).
struct SingleLoop {
    group: String,
    contender: String,
    iterations: u64,
}

impl SingleLoop {
    /// The `--loop` arguments, if given; exits with a usage line if they
    /// are malformed.
    fn from_args() -> Option<SingleLoop> {
        let args: Vec<String> = std::env::args().collect();
        let at = args.iter().position(|arg| arg == "--loop")?;
        let usage = || -> ! {
            eprintln!(
                "usage: signing --loop GROUP CONTENDER ITERATIONS \
                 (e.g. --loop get_query3 ours_cached_into 1000000; groups: {})",
                cases()
                    .iter()
                    .map(|c| c.group)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            std::process::exit(2);
        };
        let (Some(group), Some(contender), Some(iterations)) =
            (args.get(at + 1), args.get(at + 2), args.get(at + 3))
        else {
            usage()
        };
        let Ok(iterations) = iterations.parse::<u64>() else {
            usage()
        };
        if iterations == 0 || !cases().iter().any(|c| c.group == group.as_str()) {
            usage()
        }
        Some(SingleLoop {
            group: group.clone(),
            contender: contender.clone(),
            iterations,
        })
    }
}

/// Runs `run` `iterations` times after a warm-up and prints the mean time
/// per call: `<ns> ns/op`.
fn run_single_loop(run: &mut Run<'_>, iterations: u64) {
    timed_iterations(run, iterations.min(10_000));
    let elapsed = timed_iterations(run, iterations);
    println!("{:.1} ns/op", elapsed.as_nanos() as f64 / iterations as f64);
}

/// `iterations` calls of `run`, timed. Kept a function of its own so that
/// callgrind can count just these calls
/// (`--toggle-collect=*timed_iterations*`; the warm-up is a call too).
#[inline(never)]
fn timed_iterations(run: &mut Run<'_>, iterations: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iterations {
        run();
    }
    start.elapsed()
}

fn main() {
    if let Some(single) = SingleLoop::from_args() {
        let mut criterion = Criterion::default();
        bench(
            &mut criterion,
            false,
            &mut Vec::new(),
            &mut Vec::new(),
            Some(&single),
        );
        return;
    }
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let start = SystemTime::now();
    let mut criterion = Criterion::default().configure_from_args();
    let mut floors = Vec::new();
    let mut paired = Vec::new();
    bench(&mut criterion, measuring, &mut floors, &mut paired, None);
    criterion.final_summary();
    if measuring {
        summary(start, &floors, &paired);
    }
}
