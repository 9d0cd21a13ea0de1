//! Checking the built-in reference signer against the vectors: every
//! published stage compared exactly.

use crate::cases::sign_message;
use crate::reference;
use crate::stages::{first_divergence, request_shape, Stages};
use crate::verdict::{CaseResult, Failure, Verdict};
use sigv4_signer::Signer;
use sigv4_vectors::{Case, Status};

/// The reference's stages for `case`, or its error.
pub fn reference_stages(signer: &Signer, case: &Case) -> Result<Stages, reference::ReferenceError> {
    let signed = reference::sign(signer, &sign_message(case))?;
    let shape = request_shape(&crate::protocol::WireRequest {
        method: signed.request.method.clone(),
        path: signed.request.path.clone(),
        query: signed.request.query.clone(),
        headers: signed.request.headers.clone(),
        body_base64: None,
    });
    Ok(Stages::of_signed(&signed, shape))
}

/// Checks the reference signer on one case.
pub fn check_case(signer: &Signer, case: &Case) -> CaseResult {
    let verdict = match reference_stages(signer, case) {
        Err(e) => Verdict::Fail(Failure {
            divergence: None,
            message: Some(e.to_string()),
            diagnosis: Vec::new(),
        }),
        Ok(actual) => match first_divergence(&Stages::of_expected(&case.expected), &actual) {
            None => Verdict::Pass,
            Some(divergence) => Verdict::Fail(Failure {
                divergence: Some(divergence),
                message: None,
                diagnosis: Vec::new(),
            }),
        },
    };
    CaseResult {
        id: case.id.clone(),
        verdict,
        contested: contested_reason(case),
        notes: Vec::new(),
    }
}

/// The contested reason of a case, if it is contested.
pub fn contested_reason(case: &Case) -> Option<String> {
    (case.context.status == Status::Contested).then(|| {
        case.context
            .contested_reason
            .clone()
            .unwrap_or_else(|| "contested (no reason recorded)".to_owned())
    })
}
