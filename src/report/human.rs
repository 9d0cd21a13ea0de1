//! One line per case, then each failure with its diff and diagnosis, then the
//! verdict: a summary line and, with a baseline, how the run compares.

use crate::diff::{line_diff, printable};
use crate::program::this_program;
use crate::verdict::{CaseResult, Failure, Summary, Verdict};
use std::fmt::Write;

/// The human report of `results`, ending with `verdict`: the summary (see
/// [`summary`]) and whatever else decides the exit status.
/// `sides` names a diff's `-` and `+` sides: the published vector and the
/// reference signer (checking the reference), or the reference signer and
/// the adapter.
pub fn render(title: &str, results: &[CaseResult], verdict: &str, sides: (&str, &str)) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}\n");
    for r in results {
        let tag = match &r.verdict {
            Verdict::Pass => "PASS ",
            Verdict::Fail(_) if r.contested.is_some() => "FAIL?",
            Verdict::Fail(_) => "FAIL ",
            Verdict::Skipped { .. } => "SKIP ",
            Verdict::AdapterError { .. } => "ERROR",
        };
        let detail = match &r.verdict {
            // A note on a pass (an unsigned header the HTTP library added,
            // the published answer on a contested case) is shown here:
            // passes get no detail block.
            Verdict::Pass => r
                .notes
                .first()
                .map(|note| format!("note: {}", printable(note)))
                .unwrap_or_default(),
            Verdict::Fail(f) => match (&f.divergence, &f.message) {
                (Some(d), _) => format!("diverged at {}", d.stage.as_str()),
                (None, Some(m)) => format!("signer error: {}", printable(first_line(m))),
                (None, None) => String::new(),
            },
            Verdict::Skipped { reason } => reason.clone(),
            Verdict::AdapterError { reason, .. } => {
                format!("adapter error: {}", printable(first_line(reason)))
            }
        };
        let _ = writeln!(out, "{tag} {:<58} {detail}", r.id);
    }
    let failures: Vec<&CaseResult> = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail(_) | Verdict::AdapterError { .. }))
        .collect();
    for r in &failures {
        let _ = writeln!(out, "\n── {} ──", r.id);
        match &r.verdict {
            Verdict::Fail(f) => {
                out.push_str(&failure_story(r.contested.as_deref(), f, sides));
                if f.divergence.is_none() {
                    // Nothing to diff: point at the request the signer refused.
                    let _ = writeln!(
                        out,
                        "the request it was given: {} explain {} (add --vectors DIR for your own cases)",
                        this_program(),
                        r.id
                    );
                }
            }
            Verdict::AdapterError {
                reason,
                stderr_tail,
            } => {
                let _ = writeln!(out, "{}", printable(reason));
                if !stderr_tail.is_empty() {
                    let _ = writeln!(out, "adapter stderr (last lines):");
                    for line in stderr_tail.lines() {
                        let _ = writeln!(out, "  | {}", printable(line));
                    }
                }
            }
            _ => {}
        }
        for note in &r.notes {
            let _ = writeln!(out, "note: {}", printable(note));
        }
    }
    let _ = write!(out, "\n{verdict}");
    out
}

/// The summary line: counts per verdict, and how many failures are on
/// contested cases (which do not fail the run).
pub fn summary(results: &[CaseResult]) -> String {
    let s = Summary::of(results);
    format!(
        "{}: {} passed, {} failed{}, {} skipped, {} adapter errors",
        cases(s.total),
        s.pass,
        s.fail,
        if s.contested_fail > 0 {
            format!(
                " ({} on contested cases, marked FAIL?, which do not fail the run)",
                s.contested_fail
            )
        } else {
            String::new()
        },
        s.skipped,
        s.adapter_error
    )
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// The whole story of a failure, for the terminal and for JUnit: why the
/// case is contested, the signer's message, the diff of the first
/// diverging stage (`sides` names its `-` and `+` sides), the diagnosis.
pub fn failure_story(contested: Option<&str>, f: &Failure, sides: (&str, &str)) -> String {
    let mut text = String::new();
    if let Some(reason) = contested {
        let _ = writeln!(text, "contested case: {reason}");
    }
    if let Some(m) = &f.message {
        let _ = writeln!(text, "the signer reported: {}", printable(m));
    }
    if let Some(d) = &f.divergence {
        let _ = writeln!(
            text,
            "first diverging step: {} (- {}, + {})",
            d.stage.as_str(),
            sides.0,
            sides.1
        );
        text.push_str(&line_diff(&d.expected, &d.actual));
    }
    for diagnosis in &f.diagnosis {
        let proof = if diagnosis.proven { "PROVEN" } else { "likely" };
        let _ = writeln!(
            text,
            "diagnosis ({proof}): {}: {}",
            diagnosis.fault, diagnosis.explanation
        );
    }
    text
}

/// "1 case", "2 cases".
pub fn cases(count: usize) -> String {
    if count == 1 {
        "1 case".to_owned()
    } else {
        format!("{count} cases")
    }
}
