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
//! Before measuring, every request is signed by both signers and the
//! signatures are checked to be equal, so both do the same work.
//!
//! Under `cargo test --benches` (no `--bench` argument) criterion runs each
//! benchmark once as a smoke test and no ratios are printed.

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
    sign_headers, Credentials, KeyCache, Location, Payload, Request, Settings, Signed, Signer,
    SigningParams, SigningTime, UriOptions,
};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

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
    vec![
        Case {
            group: "get_query3",
            method: "GET",
            host: "iam.amazonaws.com",
            path: "/",
            query: "Version=2010-05-08&Action=ListUsers&MaxItems=100",
            headers: vec![("Host", "iam.amazonaws.com")],
            body: Vec::new(),
            region: "us-east-1",
            service: "iam",
            s3: false,
        },
        Case {
            group: "post_json100_headers5",
            method: "POST",
            host: "dynamodb.us-east-1.amazonaws.com",
            path: "/",
            query: "",
            headers: vec![
                ("Host", "dynamodb.us-east-1.amazonaws.com"),
                ("Content-Type", "application/x-amz-json-1.0"),
                ("X-Amz-Target", "DynamoDB_20120810.GetItem"),
                ("Content-Length", "100"),
                ("Accept-Encoding", "identity"),
            ],
            body: json.into_bytes(),
            region: "us-east-1",
            service: "dynamodb",
            s3: false,
        },
        Case {
            group: "s3_put_1mib",
            method: "PUT",
            host: "examplebucket.s3.amazonaws.com",
            path: "/photos/2015/08/30/cat%20picture.jpg",
            query: "",
            headers: vec![
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("Content-Type", "image/jpeg"),
                ("Content-Length", "1048576"),
            ],
            body: (0..1_048_576u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
            region: "us-east-1",
            service: "s3",
            s3: true,
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

fn bench(c: &mut Criterion, floors: &mut Vec<(&'static str, usize)>) {
    let identity = aws_identity();
    for case in cases() {
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

        let mut group = c.benchmark_group(case.group);
        group.bench_function("ours_cached", |b| {
            b.iter(|| {
                signer
                    .sign(black_box(&request), black_box(&params), Location::Header)
                    .expect("signs")
            })
        });
        group.bench_function("ours_cached_into", |b| {
            b.iter(|| {
                signer
                    .sign_into(
                        black_box(&request),
                        black_box(&params),
                        Location::Header,
                        &mut reused,
                    )
                    .expect("signs");
                black_box(&reused);
            })
        });
        group.bench_function("ours_uncached", |b| {
            b.iter(|| sign_headers(black_box(&request), black_box(&params)).expect("signs"))
        });
        group.bench_function("aws_sigv4", |b| {
            b.iter(|| aws_sign_once(black_box(&case), black_box(&url), black_box(&aws)))
        });
        // The floor: the three hashes, at the block level of sha2 (the
        // same compression code the signer uses), nothing else: the body
        // hash, the canonical-request hash, and the HMAC of the string to
        // sign from prepared inner and outer states.
        group.bench_function("floor", |b| {
            b.iter(|| {
                (
                    lean_sha256(black_box(&case.body)),
                    lean_sha256(black_box(canonical_request.as_bytes())),
                    prepared.mac(black_box(string_to_sign.as_bytes())),
                )
            })
        });
        // The same with the HMAC keyed afresh (two more compressions), for
        // a reading of "the HMAC of the string to sign" that includes the
        // key's blocks.
        group.bench_function("floor_keyed", |b| {
            b.iter(|| {
                (
                    lean_sha256(black_box(&case.body)),
                    lean_sha256(black_box(canonical_request.as_bytes())),
                    LeanHmac::new(black_box(&key)).mac(black_box(string_to_sign.as_bytes())),
                )
            })
        });
        if case.s3 {
            group.bench_function("sha256_body", |b| {
                b.iter(|| Sha256::digest(black_box(&case.body)))
            });
        }
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
        let reused = verify_into(&received, &policy, lookup, &cache, &mut scratch)
            .expect("verify_into verifies")
            .to_verified();
        assert_eq!(reused, verified, "verify_into gives what verify gives");
        group.bench_function("verify", |b| {
            b.iter(|| {
                verify(black_box(&received), black_box(&policy), lookup, &cache).expect("verifies")
            })
        });
        // The same with the scratch reused from the previous iteration: no
        // allocation, to compare with `sign_into`.
        group.bench_function("verify_into", |b| {
            b.iter(|| {
                let verified = verify_into(
                    black_box(&received),
                    black_box(&policy),
                    lookup,
                    &cache,
                    &mut scratch,
                )
                .expect("verifies");
                black_box(verified);
            })
        });
        group.finish();
    }
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

fn summary(since: SystemTime, floors: &[(&str, usize)]) {
    let home = criterion_home();
    let get = |group: &str, function: &str| median_ns(&home, group, function, since);
    println!();
    println!("== summary (criterion medians from this run) ==");
    let show = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), format_ns);
    const FUNCTIONS: [&str; 9] = [
        "ours_cached",
        "ours_cached_into",
        "ours_uncached",
        "aws_sigv4",
        "floor",
        "floor_keyed",
        "sha256_body",
        "verify",
        "verify_into",
    ];
    print!("{:<22}", "request");
    for function in FUNCTIONS {
        print!(" {function:>16}");
    }
    println!();
    for case in cases() {
        print!("{:<22}", case.group);
        for function in FUNCTIONS {
            print!(" {:>16}", show(get(case.group, function)));
        }
        println!();
    }
    for (group, blocks) in floors {
        println!("{group}: the floor is {blocks} SHA-256 compressions (+2 keyed)");
    }
    println!();
    println!("{:<64} {:>9} {:>9}  verdict", "target", "ratio", "bound");
    let check = |label: String, ratio: Option<f64>, bound: f64, at_least: bool| {
        let Some(ratio) = ratio else {
            println!(
                "{label:<64} {:>9} {:>9}  not measured in this run",
                "-", "-"
            );
            return;
        };
        let met = if at_least {
            ratio >= bound
        } else {
            ratio <= bound
        };
        let sign = if at_least { ">=" } else { "<=" };
        println!(
            "{label:<64} {ratio:>8.2}x {sign}{bound:>6.2}x  {}",
            if met { "met" } else { "NOT MET" }
        );
    };
    let ratio = |g: &str, a: &str, b: &str| Some(get(g, a)? / get(g, b)?);
    for g in ["get_query3", "post_json100_headers5"] {
        check(
            format!("{g}: throughput vs aws-sigv4, warm key cache"),
            ratio(g, "aws_sigv4", "ours_cached"),
            8.0,
            true,
        );
        check(
            format!("{g}:   the same, result reused (sign_into)"),
            ratio(g, "aws_sigv4", "ours_cached_into"),
            8.0,
            true,
        );
        check(
            format!("{g}: throughput vs aws-sigv4, no cache"),
            ratio(g, "aws_sigv4", "ours_uncached"),
            2.5,
            true,
        );
        check(
            format!("{g}: time vs floor, warm key cache"),
            ratio(g, "ours_cached", "floor"),
            1.5,
            false,
        );
        check(
            format!("{g}:   the same, result reused (sign_into)"),
            ratio(g, "ours_cached_into", "floor"),
            1.5,
            false,
        );
        check(
            format!("{g}:   vs the floor with the HMAC keyed afresh"),
            ratio(g, "ours_cached", "floor_keyed"),
            1.5,
            false,
        );
        check(
            format!("{g}:   the same, result reused (sign_into)"),
            ratio(g, "ours_cached_into", "floor_keyed"),
            1.5,
            false,
        );
    }
    let g = "s3_put_1mib";
    check(
        format!("{g}: time vs hashing the body alone, warm cache"),
        ratio(g, "ours_cached", "sha256_body"),
        1.05,
        false,
    );
    check(
        format!("{g}: time vs hashing the body alone, no cache"),
        ratio(g, "ours_uncached", "sha256_body"),
        1.05,
        false,
    );
    check(
        format!("{g}: time vs floor, warm key cache"),
        ratio(g, "ours_cached", "floor"),
        1.5,
        false,
    );
    for g in ["get_query3", "post_json100_headers5", "s3_put_1mib"] {
        check(
            format!("{g}: verification vs signing (warm caches)"),
            ratio(g, "verify", "ours_cached"),
            1.2,
            false,
        );
        check(
            format!("{g}:   the same, reused (verify_into vs sign_into)"),
            ratio(g, "verify_into", "ours_cached_into"),
            1.2,
            false,
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

fn main() {
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let start = SystemTime::now();
    let mut criterion = Criterion::default().configure_from_args();
    let mut floors = Vec::new();
    bench(&mut criterion, &mut floors);
    criterion.final_summary();
    if measuring {
        summary(start, &floors);
    }
}
