//! Proven diagnosis: re-sign a case with a catalogue of named faulty rules,
//! each a mistake seen in real signers, alone and in pairs. A faulty rule
//! that reproduces the adapter's signature exactly (or its canonical
//! request) is reported as proven. The catalogue is documented in
//! `docs/faults.md`.
//!
//! The faulty canonicalization lives here, not in the signer: the signer
//! stays correct and minimal, and the faults are variations built from its
//! public stages plus small rewrites of their output.

use crate::protocol::{Location, PayloadKind, SignMessage};
use crate::reference::body_of;
use crate::verdict::Diagnosis;
use sigv4_signer::{
    canonical_headers, canonical_request, canonical_uri, payload_hash, string_to_sign, uri_encode,
    SigningKey, SigningTime, UriOptions, ALGORITHM, UNSIGNED_PAYLOAD,
};

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct FaultSpec {
    /// Stable id, used in reports and baselines.
    pub id: &'static str,
    /// What to do about it.
    pub explanation: &'static str,
    apply: fn(&mut Rules),
}

/// The faults proven from the adapter's own time or scope, besides the
/// catalogue's rules.
const DATE_NOT_UTC: &str = "date-not-utc";
const DATE_NOT_BASIC_FORMAT: &str = "date-not-basic-format";
const SCOPE_WRONG_REGION: &str = "scope-wrong-region";
const SCOPE_WRONG_SERVICE: &str = "scope-wrong-service";

/// Every fault id a proven diagnosis can carry: the catalogue's and the
/// scope's.
pub fn known_fault_ids() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|fault| fault.id).chain([
        DATE_NOT_UTC,
        DATE_NOT_BASIC_FORMAT,
        SCOPE_WRONG_REGION,
        SCOPE_WRONG_SERVICE,
    ])
}

/// The catalogue, in report order.
pub const CATALOGUE: &[FaultSpec] = &[
    FaultSpec { id: "query-unsorted", explanation: "the query parameters were not sorted; sort them by encoded name, then by encoded value", apply: |r| r.query_sort = QuerySort::Unsorted },
    FaultSpec { id: "query-sorted-as-pairs", explanation: "the query was sorted as whole `name=value` strings; sort by name first, then by value (`a-b=1` sorts after `a=2`)", apply: |r| r.query_sort = QuerySort::WholePairs },
    FaultSpec { id: "query-sorted-by-name-only", explanation: "the query was sorted by name only, so a repeated name kept its values in the order sent; sort by name, then by value (`a=1&a=2`)", apply: |r| r.query_sort = QuerySort::NameOnly },
    FaultSpec { id: "query-repeated-first-only", explanation: "only the first value of a repeated query parameter was kept (a dictionary of first values, as botocore's presigning builds); keep every `name=value` pair", apply: |r| r.query_repeated = Repeated::FirstOnly },
    FaultSpec { id: "query-repeated-last-only", explanation: "only the last value of a repeated query parameter was kept (a dictionary or object of parameters keeps one value per name); keep every `name=value` pair", apply: |r| r.query_repeated = Repeated::LastOnly },
    FaultSpec { id: "query-sorted-case-insensitively", explanation: "the query was sorted ignoring case (as JavaScript's `localeCompare` or a case-folding collation does); sort by the bytes of the encoded names, upper case first (`Param=` before `a=`)", apply: |r| r.query_sort = QuerySort::CaseInsensitive },
    FaultSpec { id: "query-sorted-before-encoding", explanation: "the query was sorted before percent-encoding; encode names and values first, then sort", apply: |r| r.query_sort = QuerySort::Decoded },
    FaultSpec { id: "query-space-as-plus", explanation: "a space in the query was encoded as `+`; SigV4 requires `%20`", apply: |r| r.plus_for_space = true },
    FaultSpec { id: "query-plus-decoded-as-space", explanation: "a raw `+` in the query was read as a space (form decoding); it is a literal plus and signs as `%2B`", apply: |r| r.plus_decoded_as_space = true },
    FaultSpec { id: "query-not-decoded", explanation: "query escapes were encoded again (`%2F` became `%252F`); decode each name and value once, then encode", apply: |r| r.query_not_decoded = true },
    FaultSpec { id: "query-not-encoded", explanation: "the query was signed without percent-encoding (raw UTF-8, spaces or reserved characters); encode every byte outside `A-Za-z0-9-._~`", apply: |r| r.query_raw = true },
    FaultSpec { id: "query-valueless-without-equals", explanation: "a parameter without a value was signed as `name`; it must be signed as `name=`", apply: |r| r.valueless_without_equals = true },
    FaultSpec { id: "presign-params-not-encoded", explanation: "the X-Amz-* parameters of the presigned URL were put in the canonical query without percent-encoding; encode their values like every other parameter's (X-Amz-Credential's `/` as `%2F`, and a session token's `+`, `/` and `=`)", apply: |r| r.presign_params_raw = true },
    FaultSpec { id: "presign-params-appended-after-sort", explanation: "the X-Amz-* parameters of the presigned URL were appended after the query was sorted; add them first, then sort the whole query (X-Amz-Security-Token sorts before X-Amz-SignedHeaders, and lower-case names after every X-Amz-*)", apply: |r| r.query_sort = QuerySort::SignerParamsAppended },
    FaultSpec { id: "tilde-escaped", explanation: "`~` was percent-encoded; it is unreserved and must stay as `~`", apply: |r| r.tilde_escaped = true },
    FaultSpec { id: "lowercase-hex-escapes", explanation: "percent escapes used lower-case hex; SigV4 requires upper case (`%2F`, not `%2f`)", apply: |r| r.lowercase_hex = true },
    FaultSpec { id: "path-not-encoded", explanation: "the path was signed as it is on the request line, not URI-encoded; encode every byte outside `A-Za-z0-9-._~` and `/` (and, except for S3, encode the result again)", apply: |r| r.path = PathRule::NotEncoded },
    FaultSpec { id: "path-slash-encoded", explanation: "the path's `/` separators were percent-encoded (`%2F`) like data, as `quote(path, safe=\"\")` does; encode each segment and keep the `/` between them", apply: |r| r.path = PathRule::SlashEncoded },
    FaultSpec { id: "path-encoded-before-signing", explanation: "the raw path was percent-encoded before signing and then canonicalized (so it is encoded twice); sign the path as it is on the request line", apply: |r| r.path = PathRule::PreEncoded },
    FaultSpec { id: "path-single-encoded", explanation: "the path was encoded once (the S3 rule); every other service encodes the already-encoded path again (`%3A` becomes `%253A`)", apply: |r| r.flip_double_encode = true },
    FaultSpec { id: "path-double-encoded", explanation: "the path was encoded twice; S3 encodes it once (`%3A` stays `%3A`)", apply: |r| r.flip_double_encode = true },
    FaultSpec { id: "path-triple-encoded", explanation: "the path was encoded once more than the rule: the path as sent is already encoded, and every service but S3 encodes it once more, not twice (`%3A` becomes `%253A`, not `%25253A`)", apply: |r| r.path = PathRule::EncodedOnceMore },
    FaultSpec { id: "path-not-normalized", explanation: "`.`/`..` segments or repeated slashes were kept; remove them (every service but S3)", apply: |r| r.flip_normalize = true },
    FaultSpec { id: "path-normalized", explanation: "the path was normalized; S3 signs it exactly as sent, with `.`, `..` and `//`", apply: |r| r.flip_normalize = true },
    FaultSpec { id: "header-value-not-trimmed", explanation: "header values were not trimmed; remove leading and trailing spaces and collapse inner runs of spaces to one", apply: |r| r.header_trim = HeaderTrim::None },
    FaultSpec { id: "header-inner-spaces-kept", explanation: "inner runs of spaces in header values were kept; collapse each run to one space (quoted strings too)", apply: |r| r.header_trim = HeaderTrim::EndsOnly },
    FaultSpec { id: "header-tabs-trimmed-as-spaces", explanation: "tabs in a header value were trimmed and collapsed like spaces; SigV4 trims and collapses only the space character (contested: botocore and others do this too)", apply: |r| r.header_trim = HeaderTrim::AllWhitespace },
    FaultSpec { id: "header-repeated-joined-with-space", explanation: "repeated headers were joined with `, `; join their values with `,` and no space", apply: |r| r.repeated = Repeated::CommaSpace },
    FaultSpec { id: "header-repeated-first-only", explanation: "only the first of repeated headers was signed; join all their values with `,` in order", apply: |r| r.repeated = Repeated::FirstOnly },
    FaultSpec { id: "header-repeated-last-only", explanation: "only the last of repeated headers was signed (a dictionary or object of headers keeps one value per name); join all their values with `,` in order", apply: |r| r.repeated = Repeated::LastOnly },
    FaultSpec { id: "header-repeated-sorted", explanation: "the values of a repeated header were sorted; keep them in the order they were sent", apply: |r| r.repeated = Repeated::Sorted },
    FaultSpec { id: "header-multiline-not-unfolded", explanation: "a folded (multi-line) header value kept its line breaks; join its lines with one space (`a\\n  b` signs as `a b`)", apply: |r| r.header_trim = HeaderTrim::KeepLineBreaks },
    FaultSpec { id: "header-multiline-joined-with-comma", explanation: "a folded (multi-line) header value was joined with `,`; join its lines with one space", apply: |r| r.fold_with_comma = true },
    FaultSpec { id: "header-names-not-lowercased", explanation: "header names kept their case in the canonical headers and the signed-headers list (and were sorted as they are, `X-Amz-Date` before `host`); lower-case them in both, then sort", apply: |r| r.keep_name_case = true },
    FaultSpec { id: "host-with-default-port", explanation: "the host was signed with the scheme's default port (`example.com:443`); clients leave a default port out of `Host`, so sign the host exactly as sent", apply: |r| r.host_default_port = true },
    FaultSpec { id: "session-token-signed", explanation: "the session token was signed; this case wants it added after signing, unsigned", apply: |r| r.flip_token_signed = true },
    FaultSpec { id: "session-token-not-signed", explanation: "the session token was not signed; add X-Amz-Security-Token before signing and include it", apply: |r| r.flip_token_signed = true },
    FaultSpec { id: "payload-hash-of-empty-body", explanation: "the payload hash is that of an empty body; hash the exact bytes sent", apply: |r| r.payload = PayloadRule::Empty },
    FaultSpec { id: "payload-unsigned", explanation: "`UNSIGNED-PAYLOAD` was used where the body hash is required", apply: |r| r.payload = PayloadRule::Unsigned },
    FaultSpec { id: "payload-hashed-not-unsigned", explanation: "the body was hashed where `UNSIGNED-PAYLOAD` was asked for", apply: |r| r.payload = PayloadRule::Body },
    FaultSpec { id: "content-sha256-not-signed", explanation: "x-amz-content-sha256 was not added and signed; this case requires it", apply: |r| r.flip_content_sha256 = true },
    FaultSpec { id: "content-sha256-signed", explanation: "x-amz-content-sha256 was signed where the case does not ask for it", apply: |r| r.flip_content_sha256 = true },
    FaultSpec { id: "key-region-service-swapped", explanation: "the signing key derivation used service before region; derive date, then region, then service, then `aws4_request`", apply: |r| r.key = KeyRule::RegionServiceSwapped },
    FaultSpec { id: "key-without-aws4-prefix", explanation: "the signing key was derived from the bare secret; the first HMAC key is `AWS4` + secret", apply: |r| r.key = KeyRule::NoPrefix },
    FaultSpec { id: "key-with-full-timestamp", explanation: "the signing key was derived with the full timestamp; use only the date `YYYYMMDD`", apply: |r| r.key = KeyRule::FullTimestamp },
    FaultSpec { id: "scope-date-is-timestamp", explanation: "the credential scope began with the full timestamp (`20150830T123600Z`); the scope, and the signing key with it, take only the date `YYYYMMDD`", apply: |r| r.scope_date_is_timestamp = true },
    FaultSpec { id: "canonical-headers-no-blank-line", explanation: "the canonical headers were not followed by an empty line; each header line ends with `\\n` and a blank line follows", apply: |r| r.no_blank_line = true },
];

/// The rules of one re-signing, each defaulting to correct.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rules {
    query_sort: QuerySort,
    /// Only `FirstOnly` and `LastOnly` apply to the query.
    query_repeated: Repeated,
    plus_for_space: bool,
    plus_decoded_as_space: bool,
    query_not_decoded: bool,
    query_raw: bool,
    valueless_without_equals: bool,
    tilde_escaped: bool,
    lowercase_hex: bool,
    path: PathRule,
    flip_double_encode: bool,
    flip_normalize: bool,
    header_trim: HeaderTrim,
    repeated: Repeated,
    fold_with_comma: bool,
    keep_name_case: bool,
    /// `:443` added to a `Host` without a port.
    host_default_port: bool,
    /// A presigned URL's own parameters written into the canonical query
    /// unencoded.
    presign_params_raw: bool,
    flip_token_signed: bool,
    payload: PayloadRule,
    flip_content_sha256: bool,
    key: KeyRule,
    /// The scope, and the key derived with it, dated with the full
    /// timestamp.
    scope_date_is_timestamp: bool,
    no_blank_line: bool,
    /// From the adapter's own request: a different time, region, service.
    time: Option<SigningTime>,
    /// From the adapter's own request: its `X-Amz-Date` text, when it is
    /// not in the basic format (`2015-08-30T12:36:00.000Z`), sent and put
    /// in the string to sign as it is.
    amz_date_text: Option<String>,
    region: Option<String>,
    service: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum QuerySort {
    #[default]
    Correct,
    Unsorted,
    WholePairs,
    /// By name alone, stably: a repeated name's values stay in wire order.
    NameOnly,
    /// By the lower-case encoded name, then value.
    CaseInsensitive,
    /// The caller's parameters sorted, a presigned URL's own appended
    /// after them in the order they are added.
    SignerParamsAppended,
    Decoded,
}
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum PathRule {
    #[default]
    Correct,
    NotEncoded,
    PreEncoded,
    /// Correct, then every `/` escaped once.
    SlashEncoded,
    /// Correct, then encoded once more (`/` kept).
    EncodedOnceMore,
}
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum HeaderTrim {
    #[default]
    Correct,
    None,
    EndsOnly,
    /// Every ASCII whitespace character trimmed and collapsed, as
    /// Python's `str.split()` does.
    AllWhitespace,
    /// Spaces trimmed and collapsed, a folded value's line breaks kept.
    KeepLineBreaks,
}
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Repeated {
    #[default]
    Correct,
    CommaSpace,
    FirstOnly,
    LastOnly,
    Sorted,
}
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum PayloadRule {
    #[default]
    Correct,
    Empty,
    Unsigned,
    Body,
}
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum KeyRule {
    #[default]
    Correct,
    RegionServiceSwapped,
    NoPrefix,
    FullTimestamp,
}

/// What the adapter's own request says, used as evidence for scope faults.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The adapter's `X-Amz-Date`.
    pub amz_date: Option<String>,
    /// The adapter's credential scope, `date/region/service/aws4_request`.
    pub scope: Option<String>,
}

/// Whether a fault applies to this case at all (a flip of an option is
/// named after the direction it goes; a header fault needs the kind of
/// header it is about, so that a side effect of its rewrite, such as a
/// trim, is never reported as a proof of it).
fn applicable(spec: &FaultSpec, message: &SignMessage) -> bool {
    let o = &message.options;
    let has_token = message.credentials.session_token.is_some();
    let headers = &message.request.headers;
    let any_value = |what: char| headers.iter().any(|(_, value)| value.contains(what));
    let repeated_name = || {
        headers.iter().enumerate().any(|(at, (name, _))| {
            headers[..at]
                .iter()
                .any(|(earlier, _)| earlier.eq_ignore_ascii_case(name))
        })
    };
    match spec.id {
        "header-tabs-trimmed-as-spaces" => any_value('\t'),
        "header-multiline-joined-with-comma" | "header-multiline-not-unfolded" => any_value('\n'),
        "header-repeated-joined-with-space"
        | "header-repeated-first-only"
        | "header-repeated-last-only"
        | "header-repeated-sorted" => repeated_name(),
        "path-single-encoded" => o.double_encode_path,
        "path-double-encoded" => !o.double_encode_path,
        // Only a path with escapes tells it from path-encoded-before-signing
        // (on raw bytes the two rewrites are the same).
        "path-triple-encoded" => o.double_encode_path && message.request.path.contains('%'),
        "path-not-normalized" => o.normalize_path,
        "path-normalized" => !o.normalize_path,
        "session-token-signed" => has_token && !o.sign_session_token,
        "session-token-not-signed" => has_token && o.sign_session_token,
        "payload-unsigned" | "payload-hash-of-empty-body" => o.payload == PayloadKind::Signed,
        "payload-hashed-not-unsigned" => o.payload == PayloadKind::Unsigned,
        "content-sha256-not-signed" => o.content_sha256_header && o.location == Location::Header,
        "content-sha256-signed" => !o.content_sha256_header && o.location == Location::Header,
        _ => true,
    }
}

/// Diagnoses a wrong `signature` (and, when given, canonical request) for
/// `message`: the faults, alone or in pairs, that reproduce it.
pub fn diagnose(
    message: &SignMessage,
    signature: &str,
    canonical: Option<&str>,
    evidence: &Evidence,
) -> Vec<Diagnosis> {
    let Ok(body) = body_of(&message.request) else {
        return Vec::new();
    };
    let Some((correct_creq, correct_signature)) = resign(message, &body, &Rules::default()) else {
        return Vec::new();
    };
    if correct_signature == signature {
        // Nothing to explain in the signature (the failure is elsewhere).
        return Vec::new();
    }
    let base = scope_rules(message, evidence);
    // A fault is evidence only if it changes the result for this case and
    // then reproduces what the adapter produced.
    let matches = |rules: &Rules| {
        resign(message, &body, rules).is_some_and(|(creq, sig)| {
            sig != correct_signature
                && (sig == signature
                    || canonical.is_some_and(|c| c == creq && creq != correct_creq))
        })
    };
    let faults: Vec<&FaultSpec> = CATALOGUE
        .iter()
        .filter(|f| applicable(f, message))
        .collect();
    let scope_notes = scope_diagnoses(message, &base);
    // The scope evidence alone may explain it.
    if base != Rules::default() && matches(&base) {
        return scope_notes;
    }
    let single: Vec<Diagnosis> = faults
        .iter()
        .filter(|f| {
            let mut rules = base.clone();
            (f.apply)(&mut rules);
            matches(&rules)
        })
        .map(|f| proven(f.id, f.explanation, None))
        .collect();
    if !single.is_empty() {
        return [scope_notes, single].concat();
    }
    for (i, a) in faults.iter().enumerate() {
        for b in &faults[i + 1..] {
            let mut rules = base.clone();
            (a.apply)(&mut rules);
            let after_a = rules.clone();
            (b.apply)(&mut rules);
            if rules == after_a {
                continue;
            }
            if matches(&rules) {
                return [
                    scope_notes,
                    vec![
                        proven(a.id, a.explanation, Some(b.id)),
                        proven(b.id, b.explanation, Some(a.id)),
                    ],
                ]
                .concat();
            }
        }
    }
    Vec::new()
}

fn proven(id: &str, explanation: &str, with: Option<&str>) -> Diagnosis {
    Diagnosis {
        fault: id.to_owned(),
        proven: true,
        explanation: match with {
            None => explanation.to_owned(),
            Some(other) => format!("{explanation} (together with {other})"),
        },
    }
}

/// Rules that take the adapter's own time, region and service when they
/// differ from the case's.
fn scope_rules(message: &SignMessage, evidence: &Evidence) -> Rules {
    let mut rules = Rules::default();
    if let Some(text) = evidence.amz_date.as_deref() {
        if let Ok(time) = SigningTime::parse(text) {
            if SigningTime::parse(&message.time).ok() != Some(time) {
                rules.time = Some(time);
            }
            if text != time.amz_date() {
                rules.amz_date_text = Some(text.to_owned());
            }
        } else if is_basic_with_fraction(text) {
            rules.amz_date_text = Some(text.to_owned());
        }
    }
    if let Some(scope) = &evidence.scope {
        let parts: Vec<&str> = scope.split('/').collect();
        if parts.len() == 4 {
            if parts[1] != message.region {
                rules.region = Some(parts[1].to_owned());
            }
            if parts[2] != message.service {
                rules.service = Some(parts[2].to_owned());
            }
        }
    }
    rules
}

/// An `X-Amz-Date` that [`SigningTime::parse`] does not take but a signer
/// may send: the basic format with fractional seconds
/// (`20150830T123600.000Z`, `toISOString()` with `-` and `:` removed).
fn is_basic_with_fraction(text: &str) -> bool {
    text.split_once('.').is_some_and(|(seconds, fraction)| {
        let digits = fraction.strip_suffix('Z').unwrap_or_default();
        seconds.len() == 15
            && SigningTime::parse(&format!("{seconds}Z")).is_ok()
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

fn scope_diagnoses(message: &SignMessage, rules: &Rules) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    if let (Some(text), Ok(expected)) = (&rules.amz_date_text, SigningTime::parse(&message.time)) {
        out.push(Diagnosis {
            fault: DATE_NOT_BASIC_FORMAT.into(),
            proven: true,
            explanation: format!(
                "X-Amz-Date was {text:?}; SigV4 wants the ISO 8601 basic format, \
                 YYYYMMDD'T'HHMMSS'Z' ({}), in the header and in the string to sign \
                 (`toISOString()` with `-` and `:` removed keeps its `.000`)",
                expected.amz_date()
            ),
        });
    }
    if let (Some(time), Ok(expected)) = (rules.time, SigningTime::parse(&message.time)) {
        let hours = (time.unix_seconds() - expected.unix_seconds()) as f64 / 3600.0;
        out.push(Diagnosis {
            fault: DATE_NOT_UTC.into(),
            proven: true,
            explanation: format!(
                "the request was signed at {} instead of {} ({hours:+} h): use UTC, not local time, for X-Amz-Date and the scope",
                time.amz_date(),
                expected.amz_date()
            ),
        });
    }
    if let Some(region) = &rules.region {
        out.push(Diagnosis {
            fault: SCOPE_WRONG_REGION.into(),
            proven: true,
            explanation: format!(
                "the credential scope names region {region:?}; the request is for {:?}",
                message.region
            ),
        });
    }
    if let Some(service) = &rules.service {
        out.push(Diagnosis {
            fault: SCOPE_WRONG_SERVICE.into(),
            proven: true,
            explanation: format!(
                "the credential scope names service {service:?}; the request is for {:?}",
                message.service
            ),
        });
    }
    out
}

/// Re-signs `message` under `rules`: the canonical request and signature.
fn resign(message: &SignMessage, body: &[u8], rules: &Rules) -> Option<(String, String)> {
    let o = &message.options;
    let time = match rules.time {
        Some(time) => time,
        None => SigningTime::parse(&message.time).ok()?,
    };
    let amz_date = rules.amz_date_text.as_deref().unwrap_or(time.amz_date());
    let region = rules.region.as_deref().unwrap_or(&message.region);
    let service = rules.service.as_deref().unwrap_or(&message.service);
    let scope_date = if rules.scope_date_is_timestamp {
        time.amz_date()
    } else {
        time.scope_date()
    };
    let scope = format!("{scope_date}/{region}/{service}/aws4_request");
    let token = message.credentials.session_token.as_deref();
    let sign_token = o.sign_session_token != rules.flip_token_signed;
    let content_sha256 =
        (o.content_sha256_header != rules.flip_content_sha256) && o.location == Location::Header;

    let payload = match (rules.payload, o.payload) {
        (PayloadRule::Empty, _) => payload_hash(b""),
        (PayloadRule::Unsigned, _) | (PayloadRule::Correct, PayloadKind::Unsigned) => {
            UNSIGNED_PAYLOAD.to_owned()
        }
        (PayloadRule::Body, _) | (PayloadRule::Correct, PayloadKind::Signed) => payload_hash(body),
    };

    // Headers that are signed, as the signer would build them.
    let owned = |name: &str| {
        let n = name.to_ascii_lowercase();
        n == "authorization"
            || n == "x-amz-date"
            || (n == "x-amz-security-token" && token.is_some())
            || (n == "x-amz-content-sha256" && content_sha256)
    };
    let mut headers: Vec<(String, String)> = message
        .request
        .headers
        .iter()
        .filter(|(n, _)| !owned(n))
        .cloned()
        .collect();
    if o.location == Location::Header {
        if let (Some(token), true) = (token, sign_token) {
            headers.push(("X-Amz-Security-Token".into(), token.to_owned()));
        }
        headers.push(("X-Amz-Date".into(), amz_date.to_owned()));
        if content_sha256 {
            headers.push(("x-amz-content-sha256".into(), payload.clone()));
        }
    }
    if rules.host_default_port {
        for (name, value) in headers.iter_mut() {
            if name.eq_ignore_ascii_case("host") && !value.contains(':') {
                value.push_str(":443");
            }
        }
    }
    let (headers_block, signed_headers) = faulty_headers(&headers, rules)?;

    let mut params: Vec<(String, String)> = message
        .request
        .query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').map_or((p, None), |(k, v)| (k, Some(v)));
            (
                k.to_owned(),
                v.map(str::to_owned).unwrap_or_else(|| "\u{0}".to_owned()),
            )
        })
        .collect();
    // How many of `params`, at the end, are the presigned URL's own.
    let mut signer_params = 0;
    let mut raw_signer_params: Vec<(String, String)> = Vec::new();
    if o.location == Location::Query {
        let credential = format!("{}/{scope}", message.credentials.access_key_id);
        let mut extra = vec![
            ("X-Amz-Algorithm", ALGORITHM.to_owned()),
            ("X-Amz-Credential", credential),
            ("X-Amz-Date", amz_date.to_owned()),
            ("X-Amz-Expires", o.expires_in.to_string()),
            ("X-Amz-SignedHeaders", signed_headers.clone()),
        ];
        if let (Some(token), true) = (token, sign_token) {
            extra.push(("X-Amz-Security-Token", token.to_owned()));
        }
        signer_params = extra.len();
        for (name, value) in extra {
            let mut encoded = String::new();
            uri_encode(value.as_bytes(), false, &mut encoded);
            if rules.presign_params_raw && encoded != value {
                // Written raw into the canonical query only: the names
                // are unique, so the order is the same either way.
                raw_signer_params.push((format!("{name}={encoded}"), format!("{name}={value}")));
            }
            params.push((name.to_owned(), encoded));
        }
    }
    let mut query = faulty_query(&params, signer_params, rules);
    for (encoded, raw) in &raw_signer_params {
        query = query.replacen(encoded.as_str(), raw, 1);
    }
    let uri = faulty_uri(
        &message.request.path,
        o.normalize_path != rules.flip_normalize,
        o.double_encode_path != rules.flip_double_encode,
        rules,
    )?;
    let (uri, query) = (rewrite_escapes(&uri, rules), rewrite_escapes(&query, rules));

    let mut creq = canonical_request(
        &message.request.method,
        &uri,
        &query,
        &headers_block,
        &signed_headers,
        &payload,
    );
    if rules.no_blank_line {
        creq = creq.replacen(
            &format!("\n\n{signed_headers}\n"),
            &format!("\n{signed_headers}\n"),
            1,
        );
    }
    let mut sts = string_to_sign(&time, &scope, &creq);
    if let Some(text) = &rules.amz_date_text {
        // The text as sent in the time line: no SigningTime holds it.
        sts = sts.replacen(
            &format!("\n{}\n", time.amz_date()),
            &format!("\n{text}\n"),
            1,
        );
    }
    let secret = &message.credentials.secret_access_key;
    let date = scope_date;
    let key = match rules.key {
        KeyRule::Correct => SigningKey::derive(secret, date, region, service),
        KeyRule::RegionServiceSwapped => SigningKey::derive(secret, date, service, region),
        KeyRule::FullTimestamp => SigningKey::derive(secret, time.amz_date(), region, service),
        KeyRule::NoPrefix => {
            // HMAC(secret, date) instead of HMAC("AWS4" + secret, date).
            let k = hmac_sha256(secret.as_bytes(), date.as_bytes());
            let k = hmac_sha256(&k, region.as_bytes());
            let k = hmac_sha256(&k, service.as_bytes());
            SigningKey::from_bytes(hmac_sha256(&k, b"aws4_request"))
        }
    };
    Some((creq, key.sign(&sts)))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    match hmac::Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

fn faulty_headers(headers: &[(String, String)], rules: &Rules) -> Option<(String, String)> {
    let mut values: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            let v = if rules.header_trim == HeaderTrim::AllWhitespace {
                v.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
            } else if rules.fold_with_comma {
                v.split('\n')
                    .map(|l| l.trim_matches([' ', '\t', '\r']))
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                v.clone()
            };
            (n.clone(), v)
        })
        .collect();
    match rules.header_trim {
        HeaderTrim::Correct | HeaderTrim::AllWhitespace => {}
        HeaderTrim::None | HeaderTrim::EndsOnly | HeaderTrim::KeepLineBreaks => {
            // Build the block by hand: the signer always trims.
            let mut order: Vec<usize> = (0..values.len()).collect();
            order.sort_by_key(|&i| values[i].0.to_ascii_lowercase());
            let mut block = String::new();
            let mut names: Vec<String> = Vec::new();
            let mut last: Option<String> = None;
            for i in order {
                let (name, value) = &values[i];
                let lower = name.to_ascii_lowercase();
                let value = match rules.header_trim {
                    // Spaces trimmed and collapsed, the line breaks left in.
                    HeaderTrim::KeepLineBreaks => value
                        .split(' ')
                        .filter(|part| !part.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                    HeaderTrim::EndsOnly => {
                        value.replace(['\r', '\n'], "").trim_matches(' ').to_owned()
                    }
                    // Not trimmed at all: folded lines kept as they are.
                    _ => value.clone(),
                };
                if last.as_deref() == Some(lower.as_str()) {
                    block.push(',');
                } else {
                    if last.is_some() {
                        block.push('\n');
                    }
                    block.push_str(&lower);
                    block.push(':');
                    names.push(lower.clone());
                }
                block.push_str(&value);
                last = Some(lower);
            }
            block.push('\n');
            return Some((block, names.join(";")));
        }
    }
    match rules.repeated {
        Repeated::Correct => {}
        Repeated::FirstOnly => {
            let mut seen = std::collections::HashSet::new();
            values.retain(|(n, _)| seen.insert(n.to_ascii_lowercase()));
        }
        Repeated::LastOnly => {
            let mut seen = std::collections::HashSet::new();
            values.reverse();
            values.retain(|(n, _)| seen.insert(n.to_ascii_lowercase()));
            values.reverse();
        }
        Repeated::Sorted => values.sort_by(|(na, va), (nb, vb)| {
            na.to_ascii_lowercase()
                .cmp(&nb.to_ascii_lowercase())
                .then_with(|| va.trim().cmp(vb.trim()))
        }),
        Repeated::CommaSpace => {
            // Join repeated values with ", " into one header first.
            let mut joined: Vec<(String, String)> = Vec::new();
            for (n, v) in values {
                match joined
                    .iter_mut()
                    .find(|(jn, _)| jn.eq_ignore_ascii_case(&n))
                {
                    Some((_, jv)) => {
                        jv.push_str(", ");
                        jv.push_str(v.trim());
                    }
                    None => joined.push((n, v.trim().to_owned())),
                }
            }
            values = joined;
        }
    }
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (mut block, mut names) = (String::new(), String::new());
    canonical_headers(&pairs, &mut block, &mut names).ok()?;
    if rules.keep_name_case {
        // The sent case of each name, in the lines and in the list.
        let sent = |lower: &str| {
            values
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(lower))
                .map_or_else(|| lower.to_owned(), |(n, _)| n.clone())
        };
        // Names never lower-cased are sorted as they are, by their bytes
        // (`X-Amz-Date` before `x-amz-content-sha256`), the lines too.
        let mut lines: Vec<(String, String)> = block
            .split_inclusive('\n')
            .map(|line| match line.split_once(':') {
                Some((name, rest)) => (sent(name), format!("{}:{rest}", sent(name))),
                None => (String::new(), line.to_owned()),
            })
            .collect();
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        block = lines.into_iter().map(|(_, line)| line).collect();
        let mut sent_names: Vec<String> = names.split(';').map(sent).collect();
        sent_names.sort();
        names = sent_names.join(";");
    }
    Some((block, names))
}

/// An encoded name, encoded value, and whether the wire form had no `=`.
type EncodedParam = (String, String, bool);

/// Parameters are raw wire text; a value of `\0` marks "no `=` at all".
/// The canonical query of `params` under `rules`; the last `signer_params`
/// of them are a presigned URL's own, added by the signer.
fn faulty_query(params: &[(String, String)], signer_params: usize, rules: &Rules) -> String {
    // One value per name, at the name's first place: the first value, or
    // the last (a dictionary overwritten in order).
    let deduplicated: Vec<(String, String)>;
    let params = match rules.query_repeated {
        Repeated::FirstOnly | Repeated::LastOnly => {
            let mut kept: Vec<(String, String)> = Vec::new();
            for (name, value) in params {
                match kept.iter_mut().find(|(kept_name, _)| kept_name == name) {
                    Some(slot) if rules.query_repeated == Repeated::LastOnly => {
                        slot.1 = value.clone()
                    }
                    Some(_) => {}
                    None => kept.push((name.clone(), value.clone())),
                }
            }
            deduplicated = kept;
            &deduplicated[..]
        }
        _ => params,
    };
    let encode = |raw: &str| {
        let raw = if rules.plus_decoded_as_space {
            raw.replace('+', "%20")
        } else {
            raw.to_owned()
        };
        let mut out = String::new();
        if rules.query_raw {
            out = raw;
        } else if rules.query_not_decoded {
            uri_encode(raw.as_bytes(), false, &mut out);
        } else {
            sigv4_signer::reencode(raw.as_bytes(), &mut out);
        }
        if rules.plus_for_space {
            out = out.replace("%20", "+");
        }
        out
    };
    let mut encoded: Vec<EncodedParam> = params
        .iter()
        .map(|(k, v)| {
            let valueless = v == "\u{0}";
            (
                encode(k),
                if valueless { String::new() } else { encode(v) },
                valueless,
            )
        })
        .collect();
    match rules.query_sort {
        QuerySort::Correct => encoded.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1))),
        QuerySort::Unsorted => {}
        QuerySort::NameOnly => encoded.sort_by(|a, b| a.0.cmp(&b.0)),
        QuerySort::CaseInsensitive => encoded.sort_by(|a, b| {
            (a.0.to_ascii_lowercase(), &a.1).cmp(&(b.0.to_ascii_lowercase(), &b.1))
        }),
        QuerySort::WholePairs => {
            encoded.sort_by(|a, b| format!("{}={}", a.0, a.1).cmp(&format!("{}={}", b.0, b.1)))
        }
        QuerySort::SignerParamsAppended => {
            // Deduplication keeps the signer's (never repeated) at the end.
            let callers = encoded.len().saturating_sub(signer_params);
            encoded[..callers].sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        }
        QuerySort::Decoded => {
            let mut indexed: Vec<(Vec<u8>, Vec<u8>, EncodedParam)> = params
                .iter()
                .zip(encoded)
                .map(|((k, v), e)| (decode(k), decode(v), e))
                .collect();
            indexed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            encoded = indexed.into_iter().map(|(_, _, e)| e).collect();
        }
    }
    encoded
        .iter()
        .map(|(k, v, valueless)| {
            if *valueless && rules.valueless_without_equals {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(text: &str) -> Vec<u8> {
    crate::adapter_check::query_param(&format!("x={text}"), "x")
        .unwrap_or_default()
        .into_bytes()
}

fn faulty_uri(path: &str, normalize: bool, double_encode: bool, rules: &Rules) -> Option<String> {
    let options = UriOptions {
        normalize,
        double_encode,
    };
    let mut out = String::new();
    match rules.path {
        PathRule::Correct => canonical_uri(path, options, &mut out).ok()?,
        PathRule::NotEncoded => {
            // The wire path verbatim, only normalized.
            out = if normalize {
                remove_dot_segments(path)
            } else {
                path.to_owned()
            };
        }
        PathRule::PreEncoded => {
            // What an HTTP library sends for a raw space or UTF-8: those
            // bytes escaped once, existing escapes kept.
            let mut wire = String::new();
            for c in path.chars() {
                if c.is_ascii_graphic() {
                    wire.push(c);
                } else {
                    let mut buf = [0u8; 4];
                    uri_encode(c.encode_utf8(&mut buf).as_bytes(), true, &mut wire);
                }
            }
            canonical_uri(&wire, options, &mut out).ok()?;
        }
        PathRule::EncodedOnceMore => {
            let mut once = String::new();
            canonical_uri(path, options, &mut once).ok()?;
            uri_encode(once.as_bytes(), true, &mut out);
        }
        PathRule::SlashEncoded => {
            // `quote(path, safe="")`: one escape for each `/`, whatever the
            // service (the segments are as the service encodes them).
            canonical_uri(path, options, &mut out).ok()?;
            out = out.replace('/', "%2F");
        }
    }
    Some(out)
}

/// Dot-segment removal and slash collapsing without any encoding, as a
/// signer that forgets to encode does it.
fn remove_dot_segments(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut trailing = false;
    for segment in path.trim_start_matches('/').split('/') {
        trailing = matches!(segment, "" | "." | "..");
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            _ => kept.push(segment),
        }
    }
    let mut out = format!("/{}", kept.join("/"));
    if trailing && !kept.is_empty() {
        out.push('/');
    }
    out
}

/// Applies the escape-spelling faults to an already canonical string.
fn rewrite_escapes(text: &str, rules: &Rules) -> String {
    let mut out = if rules.tilde_escaped {
        text.replace('~', "%7E")
    } else {
        text.to_owned()
    };
    if rules.lowercase_hex {
        let mut bytes = out.into_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                bytes[i + 1] = bytes[i + 1].to_ascii_lowercase();
                bytes[i + 2] = bytes[i + 2].to_ascii_lowercase();
                i += 3;
            } else {
                i += 1;
            }
        }
        out = String::from_utf8_lossy(&bytes).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_basic_timestamp_with_a_fraction_is_taken_as_one() {
        for text in ["20150830T123600.000Z", "20150830T123600.5Z"] {
            assert!(is_basic_with_fraction(text), "{text}");
        }
        for text in [
            "20150830T123600Z",
            "20150830T123600.Z",
            "20150830T123600.000",
            "2015083OT123600.000Z",
            "20150830X123600.000Z",
            "",
        ] {
            assert!(!is_basic_with_fraction(text), "{text}");
        }
    }
}
