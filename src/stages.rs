//! The observable stages of a signature, in the order SigV4 computes them,
//! and the first one on which two signers disagree.

use crate::protocol::WireRequest;
use serde::Serialize;
use sigv4_signer::{canonical_headers, canonical_query, Signed};
use sigv4_vectors::{Expected, HttpRequest};

/// A stage, named as in the JSON report's `diverged_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// `date/region/service/aws4_request`.
    Scope,
    /// The signed header names.
    SignedHeaders,
    /// The canonical request.
    CanonicalRequest,
    /// The string to sign.
    StringToSign,
    /// The signature.
    Signature,
    /// The request as sent, compared for what SigV4 cares about.
    SignedRequest,
}

impl Stage {
    /// The report name of the stage.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Scope => "scope",
            Stage::SignedHeaders => "signed_headers",
            Stage::CanonicalRequest => "canonical_request",
            Stage::StringToSign => "string_to_sign",
            Stage::Signature => "signature",
            Stage::SignedRequest => "signed_request",
        }
    }
}

/// What is known of each stage; `None` is "not available", never compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stages {
    /// Credential scope.
    pub scope: Option<String>,
    /// Signed headers.
    pub signed_headers: Option<String>,
    /// Canonical request.
    pub canonical_request: Option<String>,
    /// String to sign.
    pub string_to_sign: Option<String>,
    /// Signature.
    pub signature: Option<String>,
    /// The signed request in its comparable form ([`request_shape`]).
    pub signed_request: Option<String>,
}

/// Where two [`Stages`] first differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// The stage.
    pub stage: Stage,
    /// The expected value.
    pub expected: String,
    /// The actual value.
    pub actual: String,
}

impl Stages {
    /// The stages of the reference signer's output.
    pub fn of_signed(signed: &Signed, shape: String) -> Stages {
        Stages {
            scope: Some(signed.credential_scope.clone()),
            signed_headers: Some(signed.signed_headers.clone()),
            canonical_request: Some(signed.canonical_request.clone()),
            string_to_sign: Some(signed.string_to_sign.clone()),
            signature: Some(signed.signature.clone()),
            signed_request: Some(shape),
        }
    }

    /// The stages a vector publishes; scope and signed headers are read
    /// from the published string to sign and canonical request.
    pub fn of_expected(expected: &Expected) -> Stages {
        Stages {
            scope: expected
                .string_to_sign
                .as_deref()
                .and_then(|sts| sts.split('\n').nth(2))
                .map(str::to_owned),
            signed_headers: expected
                .canonical_request
                .as_deref()
                .and_then(|creq| creq.rsplit('\n').nth(1))
                .map(str::to_owned),
            canonical_request: expected.canonical_request.clone(),
            string_to_sign: expected.string_to_sign.clone(),
            signature: expected.signature.clone(),
            signed_request: expected
                .signed_request
                .as_deref()
                .and_then(|text| HttpRequest::parse(text.as_bytes()).ok())
                .map(|r| {
                    request_shape(&WireRequest {
                        method: r.method,
                        path: r.path,
                        query: r.query,
                        headers: r.headers,
                        body_base64: None,
                    })
                }),
        }
    }

    fn get(&self, stage: Stage) -> Option<&String> {
        match stage {
            Stage::Scope => self.scope.as_ref(),
            Stage::SignedHeaders => self.signed_headers.as_ref(),
            Stage::CanonicalRequest => self.canonical_request.as_ref(),
            Stage::StringToSign => self.string_to_sign.as_ref(),
            Stage::Signature => self.signature.as_ref(),
            Stage::SignedRequest => self.signed_request.as_ref(),
        }
    }
}

/// Stages in the order they are computed.
pub const ORDER: [Stage; 6] = [
    Stage::Scope,
    Stage::SignedHeaders,
    Stage::CanonicalRequest,
    Stage::StringToSign,
    Stage::Signature,
    Stage::SignedRequest,
];

/// The first stage, in computation order, that both know and that differs.
pub fn first_divergence(expected: &Stages, actual: &Stages) -> Option<Divergence> {
    ORDER.iter().find_map(|&stage| {
        let (e, a) = (expected.get(stage)?, actual.get(stage)?);
        (e != a).then(|| Divergence {
            stage,
            expected: e.clone(),
            actual: a.clone(),
        })
    })
}

/// A request reduced to what SigV4 depends on, as comparable text: the
/// request line with the query canonicalized (so parameter order and
/// optional escapes do not matter), then the canonical form of all headers
/// (so header order, name case and spacing do not matter).
pub fn request_shape(request: &WireRequest) -> String {
    let mut query = String::new();
    canonical_query(&request.query, &[], &mut query);
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (mut block, mut names) = (String::new(), String::new());
    if canonical_headers(&headers, &mut block, &mut names).is_err() {
        // Malformed headers: compare them as they came.
        block = request
            .headers
            .iter()
            .map(|(n, v)| format!("{n}:{v}\n"))
            .collect();
    }
    format!("{} {}?{query}\n{block}", request.method, request.path)
}
