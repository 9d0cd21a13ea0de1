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
    /// The first diverging stage of a `fail` (e.g. `canonical_request`),
    /// when there was one; a failure that now diverges elsewhere is a
    /// regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
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
    /// Entries that match no case of the run, though the run's selection
    /// takes their ids.
    pub stale: Vec<String>,
    /// Entries for cases outside the run's selection (`--filter`,
    /// `--suite`): not compared.
    pub unselected: Vec<String>,
    /// Listed failures that still fail the same way.
    pub known: Vec<String>,
    /// `--strict-baseline`: unexpected passes and stale entries fail the
    /// run too, so that the baseline is kept exact.
    pub strict: bool,
}

/// A comparison and the baseline file it was made against: what reports
/// need to say which failures are known, and per which file.
#[derive(Debug, Clone, Copy)]
pub struct Judged<'a> {
    /// The baseline file, as given on the command line.
    pub file: &'a str,
    /// The run compared with it.
    pub comparison: &'a Comparison,
}

impl Comparison {
    /// Whether CI should fail.
    pub fn is_failure(&self) -> bool {
        !self.new_failures.is_empty()
            || !self.regressions.is_empty()
            || (self.strict && !(self.unexpected_passes.is_empty() && self.stale.is_empty()))
    }

    /// Whether the case `id` fails the way the baseline expects.
    pub fn is_known(&self, id: &str) -> bool {
        self.known.iter().any(|known| known == id)
    }

    /// What the baseline expected of `id`, when `id` is a regression.
    pub fn regression(&self, id: &str) -> Option<&str> {
        self.regressions
            .iter()
            .find(|(regressed, _, _)| regressed == id)
            .map(|(_, was, _)| was.as_str())
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

/// The first diverging stage a baseline records for a result.
fn stage_of(result: &CaseResult) -> Option<String> {
    match &result.verdict {
        Verdict::Fail(f) => f.divergence.as_ref().map(|d| d.stage.as_str().to_owned()),
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
                stage: stage_of(r),
            })
            .collect(),
    }
}

/// The baseline recording every current failure, keeping the entries of
/// `previous` (the file being rewritten) for cases outside this run's
/// selection: rewriting a baseline from a filtered run must not drop them.
pub fn from_results_keeping(
    results: &[CaseResult],
    previous: Option<&Baseline>,
    selects: impl Fn(&str) -> bool,
) -> Baseline {
    let mut baseline = from_results(results);
    if let Some(previous) = previous {
        let kept = previous
            .expected_failures
            .iter()
            .filter(|entry| !selects(&entry.id))
            .cloned();
        baseline.expected_failures.extend(kept);
        baseline.expected_failures.sort_by(|a, b| a.id.cmp(&b.id));
    }
    baseline
}

/// What a baseline file looks like, for error messages.
const SHAPE: &str = "a baseline is a JSON object: \
    {\"version\": 1, \"expected_failures\": [{\"id\": CASE-ID, \"verdict\": \"fail\" or \"adapter-error\", \"fault\": FAULT-ID (optional), \"stage\": STAGE (optional)}, ...]} \
    (`check --write-baseline FILE` writes one)";

/// Reads a baseline file.
///
/// # Errors
/// A message naming the file and what is wrong.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let shown = path.display();
    let text = crate::files::read_text(path, "baseline")?;
    let document: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("baseline {shown} is not JSON: {e}"))?;
    parse(&document).map_err(|what| format!("baseline {shown}: {what}; {SHAPE}"))
}

/// The baseline in `document`, checked part by part so that an error names
/// the part in the file's terms rather than serde's (which would accept an
/// array for an object and then complain about its length).
fn parse(document: &serde_json::Value) -> Result<Baseline, String> {
    let object = document
        .as_object()
        .ok_or_else(|| format!("found {}, not an object", json_kind(document)))?;
    if let Some(unknown) = object
        .keys()
        .find(|key| !matches!(key.as_str(), "version" | "expected_failures"))
    {
        return Err(format!("unknown field {unknown:?}"));
    }
    let version = object
        .get("version")
        .ok_or("no \"version\"")?
        .as_u64()
        .ok_or("\"version\" is not a whole number")?;
    if version != 1 {
        return Err(format!("version {version}; this tool reads version 1"));
    }
    let listed = object
        .get("expected_failures")
        .ok_or("no \"expected_failures\"")?
        .as_array()
        .ok_or("\"expected_failures\" is not an array")?;
    let mut expected_failures = Vec::with_capacity(listed.len());
    for (index, entry) in listed.iter().enumerate() {
        if !entry.is_object() {
            return Err(format!(
                "expected_failures[{index}] is {}, not an object",
                json_kind(entry)
            ));
        }
        let entry: Entry = serde_json::from_value(entry.clone())
            .map_err(|e| format!("expected_failures[{index}]: {e}"))?;
        // Any other verdict would never match, turning every run red.
        if !matches!(entry.verdict.as_str(), "fail" | "adapter-error") {
            return Err(format!(
                "expected_failures[{index}] ({}) has verdict {:?}",
                entry.id, entry.verdict
            ));
        }
        if let Some(fault) = &entry.fault {
            if !crate::diagnose::known_fault_ids().any(|known| known == fault) {
                return Err(format!(
                    "expected_failures[{index}] ({}) has fault {fault:?}, which is not a fault id{} \
                     (docs/faults.md lists them)",
                    entry.id,
                    nearest_fault(fault)
                        .map(|near| format!("; did you mean {near:?}?"))
                        .unwrap_or_default()
                ));
            }
        }
        if let Some(stage) = &entry.stage {
            if !crate::stages::ORDER
                .iter()
                .any(|known| known.as_str() == stage)
            {
                return Err(format!(
                    "expected_failures[{index}] ({}) has stage {stage:?}; the stages are {}",
                    entry.id,
                    crate::stages::ORDER.map(|known| known.as_str()).join(", ")
                ));
            }
        }
        if let Some(first) = expected_failures
            .iter()
            .position(|listed: &Entry| listed.id == entry.id)
        {
            // Only one entry can be compared with the case: the other
            // would be silently ignored.
            return Err(format!(
                "expected_failures[{index}] lists case {} again (it is expected_failures[{first}] too)",
                entry.id
            ));
        }
        expected_failures.push(entry);
    }
    Ok(Baseline {
        version: 1,
        expected_failures,
    })
}

/// The known fault id closest to `fault` when it looks like a misspelling
/// of one: at most two edits away.
fn nearest_fault(fault: &str) -> Option<&'static str> {
    crate::diagnose::known_fault_ids()
        .map(|known| (edit_distance(fault, known), known))
        .filter(|&(distance, _)| distance <= 2)
        .min()
        .map(|(_, known)| known)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(x != y);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Compares `results` with `baseline`; `selects` says whether the run's
/// selection takes an id, so that an entry outside it is not called stale.
pub fn compare(
    baseline: &Baseline,
    results: &[CaseResult],
    selects: impl Fn(&str) -> bool,
) -> Comparison {
    let mut comparison = Comparison::default();
    for entry in &baseline.expected_failures {
        if !results.iter().any(|r| r.id == entry.id) {
            if selects(&entry.id) {
                comparison.stale.push(entry.id.clone());
            } else {
                comparison.unselected.push(entry.id.clone());
            }
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
                let (now_fault, now_stage) = (fault_of(result), stage_of(result));
                let verdict_changed = entry.verdict != result.verdict.name();
                let fault_changed = entry.fault.is_some() && entry.fault != now_fault;
                let stage_changed = entry.stage.is_some() && entry.stage != now_stage;
                if verdict_changed || fault_changed || stage_changed {
                    let describe =
                        |verdict: &str, stage: &Option<String>, fault: &Option<String>| {
                            let mut text = verdict.to_owned();
                            if let Some(stage) = stage {
                                text.push_str(&format!(" at {stage}"));
                            }
                            if let Some(fault) = fault {
                                text.push_str(&format!(" ({fault})"));
                            }
                            text
                        };
                    comparison.regressions.push((
                        result.id.clone(),
                        describe(&entry.verdict, &entry.stage, &entry.fault),
                        describe(result.verdict.name(), &now_stage, &now_fault),
                    ));
                } else {
                    comparison.known.push(result.id.clone());
                }
            }
        }
    }
    comparison
}

/// The human summary of a comparison with the baseline read from `file`.
pub fn describe(file: &str, comparison: &Comparison) -> String {
    let mut out = format!(
        "\nbaseline {file}: {} known failure(s) still failing the same way\n",
        comparison.known.len()
    );
    for id in &comparison.new_failures {
        out.push_str(&format!("  NEW FAILURE      {id}\n"));
    }
    for (id, was, now) in &comparison.regressions {
        out.push_str(&format!("  REGRESSION       {id}: was {was}, now {now}\n"));
    }
    let fails = if comparison.strict {
        "; fails the run: --strict-baseline"
    } else {
        ""
    };
    for id in &comparison.unexpected_passes {
        out.push_str(&format!(
            "  UNEXPECTED PASS  {id} (remove it from the baseline{fails})\n"
        ));
    }
    for id in &comparison.stale {
        out.push_str(&format!(
            "  STALE ENTRY      {id} (no such case in this run{fails})\n"
        ));
    }
    if !comparison.unselected.is_empty() {
        out.push_str(&format!(
            "  ({} entr{} for cases outside this run's --suite/--filter not compared)\n",
            comparison.unselected.len(),
            if comparison.unselected.len() == 1 {
                "y"
            } else {
                "ies"
            }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Baseline, String> {
        parse(&serde_json::from_str(text).map_err(|e| e.to_string())?)
    }

    #[test]
    fn a_written_baseline_reads_back() {
        let baseline = Baseline {
            version: 1,
            expected_failures: vec![Entry {
                id: "aws-v4/get-vanilla/header".into(),
                verdict: "fail".into(),
                fault: Some("query-unsorted".into()),
                stage: Some("canonical_request".into()),
            }],
        };
        let text = serde_json::to_string(&baseline).map_err(|e| e.to_string());
        assert_eq!(text.and_then(|t| parse_text(&t)), Ok(baseline));
    }

    #[test]
    fn a_malformed_baseline_is_described_in_its_own_terms() {
        let cases = [
            ("[]", "found an array, not an object"),
            ("{\"expected_failures\": []}", "no \"version\""),
            (
                "{\"version\": 2, \"expected_failures\": []}",
                "version 2; this tool reads version 1",
            ),
            ("{\"version\": 1}", "no \"expected_failures\""),
            (
                "{\"version\": 1, \"expected_failures\": {}}",
                "\"expected_failures\" is not an array",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [[]]}",
                "expected_failures[0] is an array, not an object",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [{\"id\": \"x\"}]}",
                "expected_failures[0]: missing field `verdict`",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [{\"id\": \"x\", \"verdict\": \"failed\"}]}",
                "expected_failures[0] (x) has verdict \"failed\"",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [], \"known\": 3}",
                "unknown field \"known\"",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [{\"id\": \"x\", \"verdict\": \"fail\", \"fault\": \"query-unsortd\"}]}",
                "expected_failures[0] (x) has fault \"query-unsortd\", which is not a fault id; \
                 did you mean \"query-unsorted\"? (docs/faults.md lists them)",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [{\"id\": \"x\", \"verdict\": \"fail\", \"stage\": \"canonical\"}]}",
                "expected_failures[0] (x) has stage \"canonical\"; the stages are scope, signed_headers, \
                 canonical_request, string_to_sign, signature, signed_request",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [{\"id\": \"x\", \"verdict\": \"fail\", \"fault\": \"made-up\"}]}",
                "expected_failures[0] (x) has fault \"made-up\", which is not a fault id \
                 (docs/faults.md lists them)",
            ),
            (
                "{\"version\": 1, \"expected_failures\": [{\"id\": \"x\", \"verdict\": \"fail\"}, \
                 {\"id\": \"y\", \"verdict\": \"fail\"}, {\"id\": \"x\", \"verdict\": \"adapter-error\"}]}",
                "expected_failures[2] lists case x again (it is expected_failures[0] too)",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse_text(text), Err(message.to_owned()), "{text}");
        }
    }
}
