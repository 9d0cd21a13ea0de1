//! The outcome of one case, as the contract defines it.

use crate::stages::{Divergence, Stage};
use serde::Serialize;

/// A named fault that explains a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// The fault's id in the catalogue (`docs/faults.md`).
    pub fault: String,
    /// True when re-signing with the faulty rule reproduced the signature.
    pub proven: bool,
    /// What to fix, in a sentence.
    pub explanation: String,
}

/// Exactly one of the contract's verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything compared equal.
    Pass,
    /// Something diverged, or the signer reported an error.
    Fail(Failure),
    /// The case needs something the signer does not do.
    Skipped {
        /// Why, e.g. `unsupported: query`.
        reason: String,
    },
    /// The adapter misbehaved.
    AdapterError {
        /// What it did.
        reason: String,
        /// The last lines of its stderr.
        stderr_tail: String,
    },
}

/// Why a case failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The first diverging stage, when the signer produced output.
    pub divergence: Option<Divergence>,
    /// The signer's own error message, when it reported one.
    pub message: Option<String>,
    /// Named faults that explain the failure.
    pub diagnosis: Vec<Diagnosis>,
}

impl Verdict {
    /// The contract's name of the verdict.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail(_) => "fail",
            Verdict::Skipped { .. } => "skipped",
            Verdict::AdapterError { .. } => "adapter-error",
        }
    }

    /// The diverging stage of a failure.
    pub fn diverged_at(&self) -> Option<Stage> {
        match self {
            Verdict::Fail(f) => f.divergence.as_ref().map(|d| d.stage),
            _ => None,
        }
    }
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why the case is contested, when it is.
    pub contested: Option<String>,
    /// Observations that are not failures (e.g. unsigned headers added by
    /// an HTTP library).
    pub notes: Vec<String>,
}

impl CaseResult {
    /// Whether this result fails a run: a failure on an undisputed case, or
    /// an adapter error.
    pub fn fails_run(&self) -> bool {
        match self.verdict {
            Verdict::Fail(_) => self.contested.is_none(),
            Verdict::AdapterError { .. } => true,
            _ => false,
        }
    }
}

/// Counts per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// All cases.
    pub total: usize,
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Skipped.
    pub skipped: usize,
    /// Adapter errors.
    pub adapter_error: usize,
    /// Of the failures, those on contested cases (acceptable either way;
    /// they do not fail the exit status).
    pub contested_fail: usize,
}

impl Summary {
    /// Counts `results`.
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary {
            total: results.len(),
            ..Summary::default()
        };
        for r in results {
            match r.verdict {
                Verdict::Pass => s.pass += 1,
                Verdict::Fail(_) => {
                    s.fail += 1;
                    s.contested_fail += usize::from(r.contested.is_some());
                }
                Verdict::Skipped { .. } => s.skipped += 1,
                Verdict::AdapterError { .. } => s.adapter_error += 1,
            }
        }
        s
    }
}
