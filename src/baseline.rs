//! Baselines of expected failures, in the style of rust-url's list: CI
//! stays green while known failures keep failing the same way, and turns
//! red on a new failure or on a known failure that now fails differently.

use crate::verdict::{CaseResult, Verdict};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version, 1.
    pub version: u32,
    /// Cases expected to fail.
    pub expected_failures: Vec<Entry>,
}

/// One expected failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The case id.
    pub id: String,
    /// `fail` or `adapter-error`.
    pub verdict: String,
    /// The diagnosed fault when there was one; a different (or no) fault
    /// now is a regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// How a run compares with a baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Failures the baseline does not list.
    pub new_failures: Vec<String>,
    /// Listed failures that now fail differently: (id, was, now).
    pub regressions: Vec<(String, String, String)>,
    /// Listed cases that now pass.
    pub unexpected_passes: Vec<String>,
    /// Entries that match no case of the run.
    pub stale: Vec<String>,
    /// Listed failures that still fail the same way.
    pub known: usize,
}

impl Comparison {
    /// Whether CI should fail.
    pub fn is_failure(&self) -> bool {
        !self.new_failures.is_empty() || !self.regressions.is_empty()
    }
}

/// The fault a baseline records for a result: the first proven one.
fn fault_of(result: &CaseResult) -> Option<String> {
    match &result.verdict {
        Verdict::Fail(f) => f
            .diagnosis
            .iter()
            .find(|d| d.proven)
            .map(|d| d.fault.clone()),
        _ => None,
    }
}

fn is_failure(result: &CaseResult) -> bool {
    result.fails_run()
}

/// The baseline recording every current failure.
pub fn from_results(results: &[CaseResult]) -> Baseline {
    Baseline {
        version: 1,
        expected_failures: results
            .iter()
            .filter(|r| is_failure(r))
            .map(|r| Entry {
                id: r.id.clone(),
                verdict: r.verdict.name().to_owned(),
                fault: fault_of(r),
            })
            .collect(),
    }
}

/// Reads a baseline file.
///
/// # Errors
/// A message naming the file and what is wrong.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let baseline: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("baseline {} is malformed: {e}", path.display()))?;
    if baseline.version != 1 {
        return Err(format!(
            "baseline {} has version {}; this tool reads version 1",
            path.display(),
            baseline.version
        ));
    }
    Ok(baseline)
}

/// Compares `results` with `baseline`.
pub fn compare(baseline: &Baseline, results: &[CaseResult]) -> Comparison {
    let mut comparison = Comparison::default();
    for entry in &baseline.expected_failures {
        if !results.iter().any(|r| r.id == entry.id) {
            comparison.stale.push(entry.id.clone());
        }
    }
    for result in results {
        let entry = baseline
            .expected_failures
            .iter()
            .find(|e| e.id == result.id);
        match (entry, is_failure(result)) {
            (None, true) => comparison.new_failures.push(result.id.clone()),
            (None, false) => {}
            (Some(_), false) => {
                if matches!(result.verdict, crate::verdict::Verdict::Pass) {
                    comparison.unexpected_passes.push(result.id.clone());
                }
            }
            (Some(entry), true) => {
                let now_fault = fault_of(result);
                let verdict_changed = entry.verdict != result.verdict.name();
                let fault_changed = entry.fault.is_some() && entry.fault != now_fault;
                if verdict_changed || fault_changed {
                    let describe = |verdict: &str, fault: &Option<String>| match fault {
                        Some(f) => format!("{verdict} ({f})"),
                        None => verdict.to_owned(),
                    };
                    comparison.regressions.push((
                        result.id.clone(),
                        describe(&entry.verdict, &entry.fault),
                        describe(result.verdict.name(), &now_fault),
                    ));
                } else {
                    comparison.known += 1;
                }
            }
        }
    }
    comparison
}

/// The human summary of a comparison.
pub fn describe(comparison: &Comparison) -> String {
    let mut out = format!(
        "\nbaseline: {} known failure(s) still failing the same way\n",
        comparison.known
    );
    for id in &comparison.new_failures {
        out.push_str(&format!("  NEW FAILURE      {id}\n"));
    }
    for (id, was, now) in &comparison.regressions {
        out.push_str(&format!("  REGRESSION       {id}: was {was}, now {now}\n"));
    }
    for id in &comparison.unexpected_passes {
        out.push_str(&format!(
            "  UNEXPECTED PASS  {id} (remove it from the baseline)\n"
        ));
    }
    for id in &comparison.stale {
        out.push_str(&format!(
            "  STALE ENTRY      {id} (no such case in this run)\n"
        ));
    }
    out
}
