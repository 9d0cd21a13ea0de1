//! Secrets never reach a report or log: every secret access key and
//! session token of the run is replaced by `[REDACTED]` in every string of
//! every result, except the well-known keys of the published vectors.

use crate::verdict::{CaseResult, Verdict};
use sigv4_vectors::Case;

/// Secrets published with the test vectors, safe to show.
pub const PUBLISHED_SECRETS: [&str; 2] = [
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    // The aws-sigv4 crate's `Credentials::for_tests()`, used by one vector.
    "notrealrnrELgWzOk3IfjzDKtFBhDby",
];

/// The secrets of `cases` that must not be shown.
pub fn secrets_of(cases: &[Case]) -> Vec<String> {
    let mut secrets: Vec<String> = Vec::new();
    for case in cases {
        let creds = &case.context.credentials;
        let secret = &creds.secret_access_key;
        if !secret.is_empty() && !PUBLISHED_SECRETS.contains(&secret.as_str()) {
            secrets.push(secret.clone());
        }
    }
    secrets.sort();
    secrets.dedup();
    // Longest first, so a secret containing another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

fn scrub(text: &mut String, secrets: &[String]) {
    for secret in secrets {
        if text.contains(secret.as_str()) {
            *text = text.replace(secret.as_str(), "[REDACTED]");
        }
    }
}

/// Replaces every secret in every string of `results`.
pub fn redact(results: &mut [CaseResult], secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    for result in results {
        for note in &mut result.notes {
            scrub(note, secrets);
        }
        match &mut result.verdict {
            Verdict::Pass => {}
            Verdict::Fail(f) => {
                if let Some(d) = &mut f.divergence {
                    scrub(&mut d.expected, secrets);
                    scrub(&mut d.actual, secrets);
                }
                if let Some(m) = &mut f.message {
                    scrub(m, secrets);
                }
            }
            Verdict::Skipped { reason } => scrub(reason, secrets),
            Verdict::AdapterError {
                reason,
                stderr_tail,
            } => {
                scrub(reason, secrets);
                scrub(stderr_tail, secrets);
            }
        }
    }
}
