//! Checking a third-party signer, through its adapter, case by case: the
//! verdict, the first diverging stage against the reference, and the
//! diagnosis.

use crate::adapter::{message_type, Adapter, AdapterConfig, AdapterInfo};
use crate::cases::sign_message;
use crate::diagnose::{diagnose, Evidence};
use crate::program::this_program;
use crate::protocol::{AdapterMessage, Location, SignMessage, WireRequest};
use crate::reference;
use crate::reference_check::contested_reason;
use crate::stages::{first_divergence, Divergence, Stage, Stages};
use crate::verdict::{CaseResult, Diagnosis, Failure, Verdict};
use sigv4_signer::{canonical_headers, canonical_query, Signed, Signer};
use sigv4_vectors::Case;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// After this many failed starts in a row a worker stops trying, so a
/// broken command does not cost a timeout per case.
const MAX_FAILED_STARTS: usize = 3;

/// Checks `cases` with `jobs` adapter processes. Results are in case order.
/// Also returns what the adapter said about itself (from the first worker
/// that got a hello).
pub fn check_all(
    config: &AdapterConfig,
    cases: &[Case],
    jobs: usize,
) -> (Vec<CaseResult>, AdapterInfo) {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<CaseResult>>> = Mutex::new(vec![None; cases.len()]);
    let info: Mutex<Option<AdapterInfo>> = Mutex::new(None);
    let signer = Signer::new();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, cases.len().max(1)) {
            scope.spawn(|| {
                let mut adapter = Adapter::new(config.clone());
                let mut failed_starts = 0;
                loop {
                    if crate::interrupt::requested() {
                        break;
                    }
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(index) else { break };
                    let result = if failed_starts >= MAX_FAILED_STARTS {
                        CaseResult {
                            id: case.id.clone(),
                            verdict: Verdict::AdapterError {
                                reason: format!(
                                    "not run: the adapter failed to start {MAX_FAILED_STARTS} times in a row"
                                ),
                                stderr_tail: String::new(),
                            },
                            contested: contested_reason(case),
                            notes: Vec::new(),
                        }
                    } else {
                        let mut failed_start = false;
                        let result =
                            check_case(&signer, &mut adapter, case, &info, &mut failed_start);
                        failed_starts = if failed_start { failed_starts + 1 } else { 0 };
                        result
                    };
                    if let Ok(mut results) = results.lock() {
                        results[index] = Some(result);
                    }
                }
            });
        }
    });
    // After an interrupt: the cases not run, and the one cut short, say so.
    let interrupted = crate::interrupt::requested();
    let results = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(cases)
        .map(|(result, case)| match result {
            Some(result) if !(interrupted && was_cut_short(&result)) => result,
            _ => CaseResult {
                id: case.id.clone(),
                verdict: Verdict::Skipped {
                    reason: NOT_RUN_INTERRUPTED.into(),
                },
                contested: contested_reason(case),
                notes: Vec::new(),
            },
        })
        .collect();
    let info = info.into_inner().ok().flatten().unwrap_or_default();
    (results, info)
}

/// The reason of a case an interrupt kept from running.
pub const NOT_RUN_INTERRUPTED: &str = "not run: the run was interrupted";

fn was_cut_short(result: &CaseResult) -> bool {
    matches!(&result.verdict, Verdict::AdapterError { reason, .. } if reason.contains(crate::adapter::INTERRUPTED))
}

/// A run through an adapter that checked nothing at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NothingChecked {
    /// The adapter never answered a case, or declares nothing it can sign:
    /// a setup error (exit 2), not a verdict on the signer.
    Broken(String),
    /// Every case was skipped for a feature the adapter does not declare.
    /// The contract calls that a pass; the caller warns.
    AllSkipped(String),
}

/// Whether the run checked nothing: no case passed or failed. Then what
/// went wrong, from the first case that shows it (a worker's later cases
/// say only "not run").
pub fn nothing_checked(
    results: &[CaseResult],
    info: &AdapterInfo,
    oneshot: bool,
) -> Option<NothingChecked> {
    if results.is_empty()
        || results
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Pass | Verdict::Fail(_)))
    {
        return None;
    }
    let errors: Vec<&CaseResult> = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::AdapterError { .. }))
        .collect();
    let first_error = errors
        .iter()
        .find(|r| matches!(&r.verdict, Verdict::AdapterError { reason, .. } if !reason.starts_with("not run")))
        .or(errors.first());
    if let Some(CaseResult {
        id,
        verdict: Verdict::AdapterError {
            reason,
            stderr_tail,
        },
        ..
    }) = first_error
    {
        let tail = if stderr_tail.is_empty() {
            String::new()
        } else {
            format!("\nits stderr ended with:\n{}", stderr_tail.trim_end())
        };
        let skipped = results.len() - errors.len();
        let skipped = if skipped == 0 {
            String::new()
        } else {
            format!(", {skipped} skipped")
        };
        return Some(NothingChecked::Broken(format!(
            "the adapter answered no case ({} adapter errors{skipped}); the first, on {id}: {reason}{tail}",
            errors.len(),
        )));
    }
    let signs = |f: &str| info.features.iter().any(|have| have == f);
    if !oneshot && !signs("header") && !signs("query") {
        return Some(NothingChecked::Broken(format!(
            "the adapter declares neither the header nor the query feature (its hello's \
             features: {:?}), so every case was skipped; see docs/adapter-protocol.md",
            info.features
        )));
    }
    let reason = match &results[0].verdict {
        Verdict::Skipped { reason } => reason.as_str(),
        _ => "",
    };
    Some(NothingChecked::AllSkipped(format!(
        "no case was checked: all {} selected cases were skipped (the first: {reason})",
        results.len()
    )))
}

fn check_case(
    signer: &Signer,
    adapter: &mut Adapter,
    case: &Case,
    info_out: &Mutex<Option<AdapterInfo>>,
    failed_start: &mut bool,
) -> CaseResult {
    let message = sign_message(case);
    let mut result = CaseResult {
        id: case.id.clone(),
        verdict: Verdict::Pass,
        contested: contested_reason(case),
        notes: Vec::new(),
    };
    let features = match adapter.info() {
        Ok(info) => {
            if let Ok(mut slot) = info_out.lock() {
                slot.get_or_insert_with(|| info.clone());
            }
            info.features.clone()
        }
        Err(fault) => {
            *failed_start = fault.at_start;
            result.verdict = Verdict::AdapterError {
                reason: fault.reason,
                stderr_tail: fault.stderr_tail,
            };
            return result;
        }
    };
    if let Some(missing) = message
        .required_features()
        .into_iter()
        .find(|f| !features.iter().any(|have| have == f))
    {
        result.verdict = Verdict::Skipped {
            reason: format!("unsupported: {missing}"),
        };
        return result;
    }
    let text = match serde_json::to_string(&crate::protocol::HarnessMessage::Sign(Box::new(
        message.clone(),
    ))) {
        Ok(text) => text,
        Err(e) => {
            result.verdict = Verdict::AdapterError {
                reason: format!("could not encode the message: {e}"),
                stderr_tail: String::new(),
            };
            return result;
        }
    };
    let answer = match adapter.exchange(&case.id, &text) {
        Ok(answer) => {
            if let Some(stray) = adapter.take_stray_output() {
                result.notes.insert(0, stray);
            }
            answer
        }
        Err(fault) => {
            *failed_start = fault.at_start;
            result.verdict = Verdict::AdapterError {
                reason: fault.reason,
                stderr_tail: fault.stderr_tail,
            };
            return result;
        }
    };
    let reference = match reference::sign(signer, &message) {
        Ok(signed) => signed,
        Err(e) => {
            result.verdict = Verdict::Fail(Failure {
                divergence: None,
                message: Some(format!("the reference signer refused this case: {e}")),
                diagnosis: Vec::new(),
            });
            return result;
        }
    };
    match answer {
        AdapterMessage::Signed {
            request,
            canonical_request,
            string_to_sign,
            signature,
            ..
        } => {
            let actual = AdapterOutput {
                request,
                canonical_request,
                string_to_sign,
                signature,
            };
            result.verdict = judge(&message, &reference, &actual, &mut result.notes);
            // On a contested case the published answer and the reference's
            // differ; a signer that gives the published one is not wrong.
            let published = case.expected.signature.as_deref();
            if result.contested.is_some()
                && matches!(result.verdict, Verdict::Fail(_))
                && published.is_some()
                && adapter_signature(&message, &actual).as_deref() == published
                && published != Some(reference.signature.as_str())
            {
                result.verdict = Verdict::Pass;
                result.notes.push(
                    "the signature is the vector's published one; the reference signer's \
                     differs on this contested case"
                        .to_owned(),
                );
            }
        }
        AdapterMessage::Unsupported { reason, .. } => {
            result.verdict = Verdict::Skipped {
                reason: format!("unsupported by the adapter: {reason}"),
            };
        }
        AdapterMessage::Error { message: text, .. } => {
            result.verdict = Verdict::Fail(Failure {
                divergence: None,
                message: Some(text),
                diagnosis: Vec::new(),
            });
        }
        other @ AdapterMessage::Hello { .. } => {
            result.verdict = Verdict::AdapterError {
                reason: format!(
                    "the adapter answered a sign message with a {:?} message",
                    message_type(&other)
                ),
                stderr_tail: String::new(),
            };
        }
    }
    result
}

/// What an adapter returned for one case.
#[derive(Debug, Clone)]
pub struct AdapterOutput {
    /// The request as it would be sent.
    pub request: WireRequest,
    /// Optional intermediates.
    pub canonical_request: Option<String>,
    /// Optional intermediates.
    pub string_to_sign: Option<String>,
    /// Optional explicit signature.
    pub signature: Option<String>,
}

/// The adapter's signature: its `signature` field, or the one in the
/// request it would send.
fn adapter_signature(message: &SignMessage, actual: &AdapterOutput) -> Option<String> {
    actual
        .signature
        .clone()
        .or_else(|| AuthParts::find(&actual.request, message.options.location).signature)
}

/// Compares an adapter's output with the reference's, stage by stage, and
/// diagnoses a failure.
pub fn judge(
    message: &SignMessage,
    reference: &Signed,
    actual: &AdapterOutput,
    notes: &mut Vec<String>,
) -> Verdict {
    let auth = AuthParts::find(&actual.request, message.options.location);
    if let (Some(field), Some(sent)) = (&actual.signature, &auth.signature) {
        if !field.eq_ignore_ascii_case(sent) {
            notes.push(format!(
                "the adapter's \"signature\" field ({field}) is not the signature in the request \
                 it would send ({sent}); the field is what is judged, the request's is what a \
                 server checks"
            ));
        }
    }
    let actual_stages = Stages {
        scope: auth
            .credential
            .as_deref()
            .and_then(|c| c.split_once('/'))
            .map(|(_, s)| s.to_owned()),
        signed_headers: auth.signed_headers.clone(),
        canonical_request: actual.canonical_request.clone(),
        string_to_sign: actual.string_to_sign.clone(),
        signature: adapter_signature(message, actual),
        signed_request: None,
    };
    let expected_stages = Stages::of_signed(reference, String::new());
    let mut divergence = first_divergence(&expected_stages, &actual_stages);
    if actual_stages.signature.is_none() && divergence.is_none() {
        divergence = Some(Divergence {
            stage: Stage::Signature,
            expected: reference.signature.clone(),
            actual: "(no signature: neither a \"signature\" field nor one in the request)".into(),
        });
    }
    if divergence.is_none() {
        let (expected, actual_shape) = covered_shapes(message, reference, &actual.request, notes);
        if expected != actual_shape {
            divergence = Some(Divergence {
                stage: Stage::SignedRequest,
                expected,
                actual: actual_shape,
            });
        }
    }
    match divergence {
        None => Verdict::Pass,
        Some(divergence) if divergence.stage == Stage::SignedRequest => {
            let diagnosis = sent_differs(reference, &actual.request);
            Verdict::Fail(Failure {
                divergence: Some(divergence),
                message: None,
                diagnosis,
            })
        }
        Some(divergence) => {
            let assembled_wrong = matches!(divergence.stage, Stage::Scope | Stage::SignedHeaders)
                && actual_stages.signature.as_deref() == Some(reference.signature.as_str());
            if assembled_wrong {
                notes.push(format!(
                    "the adapter's signature is the reference's: the {} differs only in the \
                     request it would send. The signing is right; check how the {} is put \
                     together from it",
                    match divergence.stage {
                        Stage::Scope => "credential scope",
                        _ => "signed headers list",
                    },
                    match message.options.location {
                        Location::Header => "Authorization header",
                        Location::Query => "presigned URL",
                    }
                ));
            }
            let diagnosis = actual_stages
                .signature
                .as_deref()
                .map(|signature| {
                    let evidence = Evidence {
                        amz_date: auth.amz_date.clone(),
                        scope: actual_stages.scope.clone(),
                    };
                    diagnose(
                        message,
                        signature,
                        actual.canonical_request.as_deref(),
                        &evidence,
                    )
                })
                .unwrap_or_default();
            let compared_nothing_earlier = actual.canonical_request.is_none()
                && actual.string_to_sign.is_none()
                && matches!(divergence.stage, Stage::Signature);
            if compared_nothing_earlier && !diagnosis.iter().any(|d| d.proven) {
                notes.push(format!(
                    "only the signature could be compared: the adapter returned neither \
                     canonical_request nor string_to_sign. Return them to see the first line \
                     that differs, or compare yours with the reference's: \
                     {} explain {}",
                    this_program(),
                    message.id
                ));
            }
            Verdict::Fail(Failure {
                divergence: Some(divergence),
                message: None,
                diagnosis,
            })
        }
    }
}

/// When the signature is right but the request as sent is not: which
/// signed header is missing or carries another value than the one signed.
/// Not a proof (nothing is re-signed), so `proven` is false.
fn sent_differs(reference: &Signed, sent: &WireRequest) -> Vec<Diagnosis> {
    let canonical_value = |headers: &[(String, String)], name: &str| -> Option<String> {
        let same: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if same.is_empty() {
            return None;
        }
        let (mut block, mut names) = (String::new(), String::new());
        canonical_headers(&same, &mut block, &mut names).ok()?;
        block
            .trim_end_matches('\n')
            .split_once(':')
            .map(|(_, v)| v.to_owned())
    };
    let mut out = Vec::new();
    for name in reference.signed_headers.split(';') {
        let signed = canonical_value(&reference.request.headers, name);
        let sent_value = canonical_value(&sent.headers, name);
        if signed == sent_value {
            continue;
        }
        let explanation = match (&signed, &sent_value) {
            (Some(s), None) => format!(
                "{name} was signed as {s:?} but is not in the request as sent; send every signed header"
            ),
            (Some(s), Some(v)) => format!(
                "{name} was signed as {s:?} but is sent as {v:?}; send exactly what was signed \
                 (an HTTP layer that merges, drops or rewrites repeated headers breaks the signature)"
            ),
            _ => continue,
        };
        out.push(Diagnosis {
            fault: "sent-header-differs-from-signed".into(),
            proven: false,
            explanation,
        });
    }
    out.extend(sent_parameters_differ(reference, sent));
    // A token added after signing is in no signed header, but the request
    // still needs it.
    let carries_token = |headers: &[(String, String)]| {
        headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
    };
    let token_unsigned = !reference
        .signed_headers
        .split(';')
        .any(|name| name == "x-amz-security-token");
    if token_unsigned && carries_token(&reference.request.headers) && !carries_token(&sent.headers)
    {
        out.push(Diagnosis {
            fault: "session-token-not-sent".into(),
            proven: false,
            explanation: "the request carries no X-Amz-Security-Token: temporary credentials \
                          need their session token sent, here added after signing (unsigned)"
                .into(),
        });
    }
    out
}

/// The query parameters (each name with its values, in canonical form)
/// that the request as sent lacks, holds with other values, or holds
/// besides those signed. `X-Amz-Signature` is compared elsewhere.
fn sent_parameters_differ(reference: &Signed, sent: &WireRequest) -> Vec<Diagnosis> {
    let parameters = |query: &str| {
        let mut canonical = String::new();
        canonical_query(query, &[], &mut canonical);
        let mut by_name: Vec<(String, Vec<String>)> = Vec::new();
        for pair in canonical.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if name == "X-Amz-Signature" {
                continue;
            }
            match by_name.iter_mut().find(|(n, _)| n == name) {
                Some((_, values)) => values.push(value.to_owned()),
                None => by_name.push((name.to_owned(), vec![value.to_owned()])),
            }
        }
        by_name
    };
    let signed = parameters(&reference.request.query);
    let sent = parameters(&sent.query);
    let shown = |values: &[String]| values.join(", ");
    let mut out = Vec::new();
    for (name, values) in &signed {
        let explanation = match sent.iter().find(|(n, _)| n == name) {
            None => format!(
                "{name} was signed ({}) but is not in the URL as sent; send every parameter \
                 that was signed",
                shown(values)
            ),
            Some((_, sent_values)) if sent_values != values => format!(
                "{name} was signed as {} but is sent as {}; send exactly what was signed",
                shown(values),
                shown(sent_values)
            ),
            Some(_) => continue,
        };
        out.push(Diagnosis {
            fault: "sent-parameter-differs-from-signed".into(),
            proven: false,
            explanation,
        });
    }
    for (name, values) in &sent {
        if !signed.iter().any(|(n, _)| n == name) {
            out.push(Diagnosis {
                fault: "sent-parameter-differs-from-signed".into(),
                proven: false,
                explanation: format!(
                    "{name}={} is in the URL as sent but was not signed; sign the query the \
                     request carries",
                    shown(values)
                ),
            });
        }
    }
    out
}

/// The signature's parts as found in a request.
#[derive(Debug, Default)]
struct AuthParts {
    credential: Option<String>,
    amz_date: Option<String>,
    signed_headers: Option<String>,
    signature: Option<String>,
}

impl AuthParts {
    fn find(request: &WireRequest, location: Location) -> AuthParts {
        match location {
            Location::Header => {
                let Some((_, value)) = request
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                else {
                    return AuthParts::default();
                };
                let mut parts = AuthParts {
                    amz_date: request
                        .headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-date"))
                        .map(|(_, v)| v.trim().to_owned()),
                    ..AuthParts::default()
                };
                let rest = value
                    .trim()
                    .strip_prefix(sigv4_signer::ALGORITHM)
                    .unwrap_or(value);
                for item in rest.split(',') {
                    let item = item.trim();
                    if let Some(v) = item.strip_prefix("Credential=") {
                        parts.credential = Some(v.to_owned());
                    } else if let Some(v) = item.strip_prefix("SignedHeaders=") {
                        parts.signed_headers = Some(v.to_owned());
                    } else if let Some(v) = item.strip_prefix("Signature=") {
                        parts.signature = Some(v.to_owned());
                    }
                }
                parts
            }
            Location::Query => {
                let param = |name: &str| query_param(&request.query, name);
                AuthParts {
                    credential: param("X-Amz-Credential"),
                    amz_date: param("X-Amz-Date"),
                    signed_headers: param("X-Amz-SignedHeaders"),
                    signature: param("X-Amz-Signature"),
                }
            }
        }
    }
}

/// The decoded value of the first query parameter named `name`.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| sigv4_signer::verify::percent_decode(v))
    })
}

/// An `Authorization` value in one spelling: the algorithm, then
/// `Credential`, `SignedHeaders` and `Signature` separated by `, `, when it
/// parses as the verifier (`serve`) reads it: `,` with or without spaces,
/// the parts in any order. A value that does not parse is kept as it is,
/// to be shown as sent.
fn normalized_authorization(value: &str) -> String {
    match sigv4_signer::verify::parse_authorization(value) {
        Ok(parsed) => format!(
            "{} Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, Signature={}",
            sigv4_signer::ALGORITHM,
            parsed.access_key_id,
            parsed.scope.date,
            parsed.scope.region,
            parsed.scope.service,
            parsed.signed_headers.join(";"),
            parsed.signature
        ),
        Err(_) => value.to_owned(),
    }
}

/// The parts of a request a signature covers, as comparable text, for the
/// reference and for the adapter's request: method, path, canonical query,
/// and the canonical form of the signed headers plus the authorization and
/// token. Headers the adapter added without signing are noted, not
/// compared.
fn covered_shapes(
    message: &SignMessage,
    reference: &Signed,
    sent: &WireRequest,
    notes: &mut Vec<String>,
) -> (String, String) {
    let covered: Vec<&str> = reference.signed_headers.split(';').collect();
    let keep = |name: &str| {
        let lower = name.to_ascii_lowercase();
        covered.contains(&lower.as_str())
            || lower == "authorization"
            || (lower == "x-amz-security-token" && message.credentials.session_token.is_some())
    };
    for (name, value) in &sent.headers {
        if !keep(name) {
            notes.push(format!(
                "the adapter's request carries {name}: {value} without signing it (an HTTP library may add it; \
                 a proxy may change it)"
            ));
        }
    }
    let shape = |request: &WireRequest| {
        let authorizations: Vec<String> = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| normalized_authorization(v))
            .collect();
        let mut authorizations = authorizations.iter();
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .filter(|(n, _)| keep(n))
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case("authorization") {
                    let normalized = authorizations.next().map_or(v.as_str(), String::as_str);
                    (n.as_str(), normalized)
                } else {
                    (n.as_str(), v.as_str())
                }
            })
            .collect();
        let (mut block, mut names) = (String::new(), String::new());
        if canonical_headers(&headers, &mut block, &mut names).is_err() {
            block = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
        }
        let mut query = String::new();
        canonical_query(&request.query, &[], &mut query);
        format!(
            "{} {}\nquery: {query}\n{block}",
            request.method, request.path
        )
    };
    let reference_request = WireRequest {
        method: reference.request.method.clone(),
        path: reference.request.path.clone(),
        query: reference.request.query.clone(),
        headers: reference.request.headers.clone(),
        body_base64: None,
    };
    (shape(&reference_request), shape(sent))
}
