//! Heap allocations per signature (issue 6: "no heap allocation per
//! signature beyond the returned strings").
//!
//! A counting global allocator counts, on the calling thread only, every
//! allocation and reallocation made while one request is signed.
//!
//! The bound, exactly: a signature allocates once per heap block that the
//! returned [`Signed`] owns, and never reallocates. Those blocks are
//!
//! - the six intermediate strings `credential_scope`, `canonical_request`,
//!   `string_to_sign`, `signature`, `signed_headers`, `payload_hash`;
//! - `authorization` (header signing only);
//! - `request.method`, `request.path` and `request.query` (each when
//!   non-empty);
//! - the `request.headers` vector, plus one string per non-empty name and
//!   per non-empty value of each header sent (the caller's, `X-Amz-Date`,
//!   `X-Amz-Security-Token` and `x-amz-content-sha256` when added, and
//!   `Authorization`, whose value is a second copy of `authorization`: the
//!   API returns both as owned `String`s).
//!
//! So a header-signed GET with only a `Host` header and a query costs
//! 6 + 1 + 3 + 1 + 2 * 3 = 17 allocations: the scratch work (sorting
//! headers and query parameters, hex encoding, the HMAC states, the key
//! cache lookup on a warm cache) allocates nothing. Every string is written
//! once into memory reserved at (a bound of) its final size, hence no
//! reallocation. With `Signer::sign_into` reusing a previous result of the
//! same shape, a signature allocates nothing at all; so does
//! `Signer::signing_headers_into` reusing a `SigningHeaders`.
//!
//! Verification: `verify::verify_into`, with a `VerifyScratch` that has
//! verified a request of the same shape, a warm key cache and a lookup
//! that lends the key, allocates nothing. `verify::verify` allocates once
//! per heap block that the returned `Verified` owns (`access_key_id`,
//! `canonical_request`, `string_to_sign`, and in the parsed signature the
//! access key id, the three scope parts, the signed-header vector and one
//! string per name, the signature, `amz_date` and the token when there is
//! one), plus, for a presigned request, the one buffer its parameters are
//! decoded into; it never reallocates. So verifying the header-signed GET
//! above costs 3 + 1 + 3 + 1 + 2 + 1 + 1 = 12 allocations.
//!
//! (Sorting spills to the heap beyond 32 headers or 16 query parameters;
//! these tests stay below.)
#![allow(unsafe_code)]

use sigv4_signer::verify::{
    verify, verify_into, KnownKeyRef, Verified, VerifyPolicy, VerifyScratch,
};
use sigv4_signer::{
    presign, sign, sign_headers, sign_into, Credentials, Expiry, KeyCache, Location, Payload,
    Request, Settings, Signed, Signer, SigningHeaders, SigningParams, SigningTime, UriOptions,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Const-initialized, no destructor: using them allocates nothing.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static REALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<usize>>) {
    let _ = counter.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters only read and write thread-local cells.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCATIONS);
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCATIONS);
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump(&REALLOCATIONS);
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, reallocations) made on this thread by `f`.
fn count<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = (ALLOCATIONS.with(Cell::get), REALLOCATIONS.with(Cell::get));
    let value = f();
    let after = (ALLOCATIONS.with(Cell::get), REALLOCATIONS.with(Cell::get));
    (value, after.0 - before.0, after.1 - before.1)
}

/// The heap blocks a signature owns: each string or vector with capacity.
fn owned_blocks(signed: &Signed) -> usize {
    let strings = [
        &signed.credential_scope,
        &signed.canonical_request,
        &signed.string_to_sign,
        &signed.signature,
        &signed.signed_headers,
        &signed.payload_hash,
        &signed.request.method,
        &signed.request.path,
        &signed.request.query,
    ];
    let held = |s: &String| usize::from(s.capacity() > 0);
    strings.into_iter().map(held).sum::<usize>()
        + signed.authorization.as_ref().map_or(0, held)
        + usize::from(signed.request.headers.capacity() > 0)
        + signed
            .request
            .headers
            .iter()
            .map(|(name, value)| held(name) + held(value))
            .sum::<usize>()
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn params(settings: Settings<'static>, token: Option<&'static str>) -> SigningParams<'static> {
    SigningParams {
        credentials: Credentials {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: SECRET,
            session_token: token,
        },
        region: "us-east-1",
        service: "service",
        time: SigningTime::parse("2015-08-30T12:36:00Z").expect("time"),
        settings,
    }
}

const GET_HEADERS: &[(&str, &str)] = &[("Host", "example.amazonaws.com")];
const POST_HEADERS: &[(&str, &str)] = &[
    ("Host", "dynamodb.us-east-1.amazonaws.com"),
    ("Content-Type", "application/x-amz-json-1.0"),
    ("X-Amz-Target", "DynamoDB_20120810.GetItem"),
    ("Content-Length", "100"),
    ("Accept-Encoding", "identity"),
];

fn get() -> Request<'static> {
    Request {
        method: "GET",
        path: "/",
        query: "Version=2010-05-08&Action=ListUsers&MaxItems=100",
        headers: GET_HEADERS,
        body: b"",
    }
}

fn post() -> Request<'static> {
    Request {
        method: "POST",
        path: "/",
        query: "",
        headers: POST_HEADERS,
        body: &[b'x'; 100],
    }
}

/// Every shape of signature the tests sign.
fn cases() -> Vec<(
    &'static str,
    Request<'static>,
    SigningParams<'static>,
    Location,
)> {
    let s3 = Settings {
        uri: UriOptions {
            normalize: false,
            double_encode: false,
        },
        payload: Payload::Body,
        content_sha256_header: true,
        sign_session_token: true,
    };
    let unsigned_token = Settings {
        sign_session_token: false,
        ..Settings::default()
    };
    let expiry = Location::Query(Expiry::from_secs(3600).expect("expiry"));
    let odd_query = Request {
        query: "b=%7e&a=x%2fy&c&=v&&d=1+2",
        ..get()
    };
    vec![
        (
            "get",
            get(),
            params(Settings::default(), None),
            Location::Header,
        ),
        (
            "post",
            post(),
            params(Settings::default(), None),
            Location::Header,
        ),
        ("s3 put", post(), params(s3, None), Location::Header),
        (
            "token",
            get(),
            params(Settings::default(), Some("TOKEN")),
            Location::Header,
        ),
        (
            "unsigned token",
            get(),
            params(unsigned_token, Some("TOKEN")),
            Location::Header,
        ),
        ("presign", get(), params(Settings::default(), None), expiry),
        (
            "presign token",
            get(),
            params(unsigned_token, Some("T/K")),
            expiry,
        ),
        (
            "non-canonical query",
            odd_query,
            params(Settings::default(), None),
            Location::Header,
        ),
    ]
}

#[test]
fn a_signature_allocates_only_the_strings_it_returns() {
    // The documented example: a GET with a Host header and a query.
    let (signed, allocations, reallocations) =
        count(|| sign_headers(&get(), &params(Settings::default(), None)).expect("signs"));
    assert_eq!(owned_blocks(&signed), 17);
    assert_eq!((allocations, reallocations), (17, 0));

    let signer = Signer::new();
    for (name, request, params, location) in cases() {
        // Uncached: deriving the key allocates nothing either.
        let (signed, allocations, reallocations) =
            count(|| sigv4_signer::sign(&request, &params, location).expect("signs"));
        assert_eq!(
            (allocations, reallocations),
            (owned_blocks(&signed), 0),
            "{name}: uncached"
        );
        // A warm key cache: the lookup allocates nothing.
        signer
            .sign(&request, &params, location)
            .expect("warms the cache");
        let (cached, allocations, reallocations) =
            count(|| signer.sign(&request, &params, location).expect("signs"));
        assert_eq!(
            (allocations, reallocations),
            (owned_blocks(&cached), 0),
            "{name}: cached"
        );
        assert_eq!(cached.signature, signed.signature, "{name}");
    }
}

#[test]
fn presign_and_header_signing_agree_with_the_bound() {
    let request = get();
    let params = params(Settings::default(), Some("TOKEN"));
    let expiry = Expiry::from_secs(60).expect("expiry");
    let (signed, allocations, reallocations) =
        count(|| presign(&request, &params, expiry).expect("signs"));
    // No Authorization: 6 intermediates + method, path, query + the
    // vector + the Host name and value.
    assert_eq!(owned_blocks(&signed), 6 + 3 + 1 + 2);
    assert_eq!((allocations, reallocations), (owned_blocks(&signed), 0));
}

/// A result written into reused memory is exactly a fresh one, field by
/// field.
fn assert_same_result(signed: &Signed, fresh: &Signed, name: &str) {
    assert_eq!(signed.canonical_request, fresh.canonical_request, "{name}");
    assert_eq!(signed.string_to_sign, fresh.string_to_sign, "{name}");
    assert_eq!(signed.signature, fresh.signature, "{name}");
    assert_eq!(signed.authorization, fresh.authorization, "{name}");
    assert_eq!(signed.request, fresh.request, "{name}");
    assert_eq!(signed.signed_headers, fresh.signed_headers, "{name}");
    assert_eq!(signed.credential_scope, fresh.credential_scope, "{name}");
    assert_eq!(signed.payload_hash, fresh.payload_hash, "{name}");
    assert_eq!(signed.signing_key, fresh.signing_key, "{name}");
}

#[test]
fn reusing_a_result_allocates_nothing() {
    let signer = Signer::new();
    for (name, request, params, location) in cases() {
        let mut signed = Signed::default();
        signer
            .sign_into(&request, &params, location, &mut signed)
            .expect("signs");
        let ((), allocations, reallocations) = count(|| {
            signer
                .sign_into(&request, &params, location, &mut signed)
                .expect("signs")
        });
        assert_eq!((allocations, reallocations), (0, 0), "{name}");
        // And the result is exactly what signing afresh gives.
        let fresh = signer.sign(&request, &params, location).expect("signs");
        assert_same_result(&signed, &fresh, name);
    }
}

#[test]
fn reusing_signing_headers_allocates_nothing() {
    // The lean form: once its output has held the headers of a request of
    // the same shape, nothing at all; and the same signature as `sign`.
    let signer = Signer::new();
    for (name, request, params, location) in cases() {
        if location != Location::Header {
            continue;
        }
        let mut headers = SigningHeaders::default();
        signer
            .signing_headers_into(&request, &params, &mut headers)
            .expect("signs");
        let ((), allocations, reallocations) = count(|| {
            signer
                .signing_headers_into(&request, &params, &mut headers)
                .expect("signs")
        });
        assert_eq!((allocations, reallocations), (0, 0), "{name}");
        let fresh = signer.sign(&request, &params, location).expect("signs");
        assert_eq!(
            Some(headers.authorization()),
            fresh.authorization.as_deref(),
            "{name}"
        );
    }
}

#[test]
fn signing_headers_keep_the_token_memory_between_requests_without_one() {
    // A request without a session token between two with one: the token's
    // memory is kept, so the third signature allocates nothing either.
    let signer = Signer::new();
    let with_token = params(Settings::default(), Some("TOKEN"));
    let without = params(Settings::default(), None);
    let mut headers = SigningHeaders::default();
    for params in [&with_token, &without] {
        signer
            .signing_headers_into(&get(), params, &mut headers)
            .expect("signs");
    }
    let ((), allocations, reallocations) = count(|| {
        signer
            .signing_headers_into(&get(), &with_token, &mut headers)
            .expect("signs")
    });
    assert_eq!((allocations, reallocations), (0, 0));
    assert!(headers
        .iter()
        .any(|(name, value)| name == "X-Amz-Security-Token" && value == "TOKEN"));
}

#[test]
fn reusing_a_result_without_a_key_cache_allocates_nothing() {
    // The free `sign_into` derives the key every time; that is hashing,
    // not allocation.
    for (name, request, params, location) in cases() {
        let mut signed = Signed::default();
        sign_into(&request, &params, location, &mut signed).expect("signs");
        let ((), allocations, reallocations) =
            count(|| sign_into(&request, &params, location, &mut signed).expect("signs"));
        assert_eq!((allocations, reallocations), (0, 0), "{name}");
        let fresh = sign(&request, &params, location).expect("signs");
        assert_same_result(&signed, &fresh, name);
    }
}

#[test]
fn reusing_a_result_of_another_shape_gives_the_same_result() {
    // A result reused across shapes (presigned, then header-signed with
    // more headers, then fewer) carries nothing over.
    let signer = Signer::new();
    let mut signed = Signed::default();
    let all = cases();
    for (name, request, params, location) in all.iter().chain(all.iter().rev()) {
        signer
            .sign_into(request, params, *location, &mut signed)
            .expect("signs");
        let fresh = signer.sign(request, params, *location).expect("signs");
        assert_same_result(&signed, &fresh, name);
    }
}

/// The heap blocks a verification result owns.
fn verified_blocks(verified: &Verified) -> usize {
    let held = |s: &String| usize::from(s.capacity() > 0);
    let parsed = &verified.signature;
    [
        &verified.access_key_id,
        &verified.canonical_request,
        &verified.string_to_sign,
        &parsed.access_key_id,
        &parsed.scope.date,
        &parsed.scope.region,
        &parsed.scope.service,
        &parsed.signature,
    ]
    .into_iter()
    .map(held)
    .sum::<usize>()
        + parsed.amz_date.as_ref().map_or(0, held)
        + parsed.security_token.as_ref().map_or(0, held)
        + usize::from(parsed.signed_headers.capacity() > 0)
        + parsed.signed_headers.iter().map(held).sum::<usize>()
}

/// Every signing case, signed, with what verifying it needs.
struct Received {
    name: &'static str,
    signed: Signed,
    body: &'static [u8],
    params: SigningParams<'static>,
    presigned: bool,
}

impl Received {
    fn all() -> Vec<Received> {
        cases()
            .into_iter()
            .map(|(name, request, params, location)| Received {
                name,
                signed: sigv4_signer::sign(&request, &params, location).expect("signs"),
                body: request.body,
                params,
                presigned: location != Location::Header,
            })
            .collect()
    }

    fn headers(&self) -> Vec<(&str, &str)> {
        self.signed
            .request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    fn request<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> Request<'a> {
        Request {
            method: &self.signed.request.method,
            path: &self.signed.request.path,
            query: &self.signed.request.query,
            headers,
            body: self.body,
        }
    }

    fn policy(&self) -> VerifyPolicy<'static> {
        VerifyPolicy {
            region: self.params.region,
            service: self.params.service,
            now: self.params.time,
            max_skew_seconds: 900,
            uri: self.params.settings.uri,
            presigned_unsigned_payload: false,
            session_token_unsigned: !self.params.settings.sign_session_token,
            unsigned_payload_header: false,
        }
    }

    fn key(&self) -> KnownKeyRef<'static> {
        KnownKeyRef {
            secret_access_key: self.params.credentials.secret_access_key,
            session_token: self.params.credentials.session_token,
        }
    }
}

#[test]
fn verifying_into_a_used_scratch_allocates_nothing() {
    let cache = KeyCache::new();
    let all = Received::all();
    assert!(all.iter().any(|r| r.presigned) && all.iter().any(|r| !r.presigned));
    for received in &all {
        let name = received.name;
        let headers = received.headers();
        let request = received.request(&headers);
        let policy = received.policy();
        let key = received.key();
        let lookup = |id: &str| (id == "AKIDEXAMPLE").then_some(key);
        let mut scratch = VerifyScratch::new();
        let expected = verify_into(&request, &policy, lookup, &cache, &mut scratch)
            .expect(name)
            .to_verified();
        let (checked, allocations, reallocations) = count(|| {
            verify_into(&request, &policy, lookup, &cache, &mut scratch)
                .map(|v| v.canonical_request.len() + v.string_to_sign.len())
        });
        assert_eq!((allocations, reallocations), (0, 0), "{name}");
        assert_eq!(
            checked,
            Ok(expected.canonical_request.len() + expected.string_to_sign.len()),
            "{name}"
        );
        assert_eq!(
            expected.canonical_request, received.signed.canonical_request,
            "{name}"
        );
    }
}

#[test]
fn verifying_allocates_only_the_strings_it_returns() {
    let cache = KeyCache::new();
    for received in Received::all() {
        let name = received.name;
        let headers = received.headers();
        let request = received.request(&headers);
        let policy = received.policy();
        let key = received.key();
        let lookup = |id: &str| (id == "AKIDEXAMPLE").then_some(key);
        // Warms the key cache, whose first use allocates an entry.
        verify(&request, &policy, lookup, &cache).expect(name);
        let (verified, allocations, reallocations) =
            count(|| verify(&request, &policy, lookup, &cache).expect(name));
        let decoding_buffer = usize::from(received.presigned);
        assert_eq!(
            (allocations, reallocations),
            (verified_blocks(&verified) + decoding_buffer, 0),
            "{name}"
        );
        if name == "get" {
            // The documented example.
            assert_eq!(allocations, 12);
        }
    }
}
