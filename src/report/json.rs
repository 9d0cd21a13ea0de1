//! The JSON report of the contract (`docs/adapter-protocol.md`): required
//! fields as specified, plus `contested`, `notes`, `message`, `reason`,
//! `stderr_tail` where they apply, and one top-level `baseline` object when
//! the run was compared with a baseline.

use crate::baseline::Judged;
use crate::verdict::{CaseResult, Summary, Verdict};
use serde_json::{json, Map, Value};

/// Who was checked.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    /// Implementation name.
    pub name: String,
    /// Implementation version.
    pub version: String,
    /// The adapter command (empty for the built-in reference).
    pub command: String,
}

/// The report document; `baseline` adds how the run compares with one.
pub fn render(subject: &Subject, results: &[CaseResult], baseline: Option<Judged>) -> Value {
    let cases: Vec<Value> = results.iter().map(case_json).collect();
    let mut document = json!({
        "protocol": crate::protocol::PROTOCOL_VERSION,
        "tool": {"name": "sigv4-conformance", "version": env!("CARGO_PKG_VERSION")},
        "adapter": {"name": subject.name, "version": subject.version, "command": subject.command},
        "summary": Summary::of(results),
        "cases": cases,
    });
    if let (Some(judged), Some(map)) = (baseline, document.as_object_mut()) {
        map.insert("baseline".into(), baseline_json(judged));
    }
    document
}

fn baseline_json(judged: Judged) -> Value {
    let c = judged.comparison;
    let regressions: Vec<Value> = c
        .regressions
        .iter()
        .map(|(id, was, now)| json!({"id": id, "was": was, "now": now}))
        .collect();
    json!({
        "file": judged.file,
        "new_failures": c.new_failures,
        "regressions": regressions,
        "unexpected_passes": c.unexpected_passes,
        "stale": c.stale,
        "unselected": c.unselected,
        "strict": c.strict,
        "known": c.known.len(),
        "known_failures": c.known,
    })
}

fn case_json(result: &CaseResult) -> Value {
    let mut case = Map::new();
    case.insert("id".into(), json!(result.id));
    case.insert("verdict".into(), json!(result.verdict.name()));
    match &result.verdict {
        Verdict::Pass => {}
        Verdict::Fail(failure) => {
            if let Some(d) = &failure.divergence {
                case.insert("diverged_at".into(), json!(d.stage.as_str()));
                case.insert("expected".into(), json!(d.expected));
                case.insert("actual".into(), json!(d.actual));
            }
            if let Some(m) = &failure.message {
                case.insert("message".into(), json!(m));
            }
            case.insert("diagnosis".into(), json!(failure.diagnosis));
        }
        Verdict::Skipped { reason } => {
            case.insert("reason".into(), json!(reason));
        }
        Verdict::AdapterError {
            reason,
            stderr_tail,
        } => {
            case.insert("reason".into(), json!(reason));
            case.insert("stderr_tail".into(), json!(stderr_tail));
        }
    }
    if let Some(reason) = &result.contested {
        case.insert("contested".into(), json!(reason));
    }
    if !result.notes.is_empty() {
        case.insert("notes".into(), json!(result.notes));
    }
    Value::Object(case)
}
