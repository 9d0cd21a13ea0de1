//! JUnit XML: one `<testcase>` per case, in the shape common CI readers
//! (GitLab, Jenkins, GitHub actions that publish JUnit) accept. A failure
//! that does not fail the run (a contested case, a failure the baseline
//! lists) is written as `<skipped>` with the reason, so the test view and
//! the exit status agree.

use crate::baseline::Judged;
use crate::report::human::failure_story;
use crate::verdict::{CaseResult, Failure, Verdict};
use std::fmt::Write;

/// What one `<testcase>` says besides passing.
enum Outcome {
    Passed,
    /// A failure that fails the run: `<failure>`.
    Failure {
        message: String,
        kind: String,
        text: String,
    },
    /// An adapter error that fails the run: `<error>`.
    Error {
        message: String,
        text: String,
    },
    /// Not run, or a failure that does not fail the run (contested, or
    /// known to the baseline): `<skipped>`, so that a CI test view agrees
    /// with the exit status.
    Skipped {
        message: String,
        text: String,
    },
}

/// The JUnit document for `results` of the implementation named `name`;
/// with `baseline`, failures it lists are written as skipped.
pub fn render(
    name: &str,
    results: &[CaseResult],
    baseline: Option<Judged>,
    sides: (&str, &str),
) -> String {
    let outcomes: Vec<Outcome> = results
        .iter()
        .map(|r| outcome(r, baseline, sides))
        .collect();
    let count = |wanted: fn(&Outcome) -> bool| outcomes.iter().filter(|o| wanted(o)).count();
    // Under --strict-baseline a stale entry fails the run: a test case of
    // its own, so that the document agrees with the exit status.
    let stale: &[String] = match baseline {
        Some(judged) if judged.comparison.strict => &judged.comparison.stale,
        _ => &[],
    };
    let failures = count(|o| matches!(o, Outcome::Failure { .. })) + stale.len();
    let errors = count(|o| matches!(o, Outcome::Error { .. }));
    let skipped = count(|o| matches!(o, Outcome::Skipped { .. }));
    let suite = if name.is_empty() {
        "sigv4-conformance".to_owned()
    } else {
        format!("sigv4-conformance: {name}")
    };
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\"",
        results.len() + stale.len()
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"{}\" {counts}>", escape(&suite));
    let _ = writeln!(out, "  <testsuite name=\"{}\" {counts}>", escape(&suite));
    for (r, outcome) in results.iter().zip(&outcomes) {
        // classname groups by case directory; name is the location.
        let (class, location) = r.id.rsplit_once('/').unwrap_or(("", r.id.as_str()));
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(&class.replace('/', ".")),
            escape(location)
        );
        let mut body = String::new();
        match outcome {
            Outcome::Passed => {}
            Outcome::Failure {
                message,
                kind,
                text,
            } => {
                let _ = writeln!(
                    body,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    escape(message),
                    escape(kind),
                    escape(text)
                );
            }
            Outcome::Error { message, text } => {
                let _ = writeln!(
                    body,
                    "      <error message=\"{}\" type=\"adapter-error\">{}</error>",
                    escape(message),
                    escape(text)
                );
            }
            Outcome::Skipped { message, text } if text.is_empty() => {
                let _ = writeln!(body, "      <skipped message=\"{}\"/>", escape(message));
            }
            Outcome::Skipped { message, text } => {
                let _ = writeln!(
                    body,
                    "      <skipped message=\"{}\">{}</skipped>",
                    escape(message),
                    escape(text)
                );
            }
        }
        let mut notes = r.notes.clone();
        if let Some(judged) = baseline {
            if judged.comparison.unexpected_passes.contains(&r.id) {
                notes.push(format!(
                    "baseline {} lists this case as an expected failure, but it passed: remove it from the baseline",
                    judged.file
                ));
            }
        }
        if !notes.is_empty() {
            let _ = writeln!(
                body,
                "      <system-out>{}</system-out>",
                escape(&notes.join("\n"))
            );
        }
        if body.is_empty() {
            out.push_str("/>\n");
        } else {
            out.push_str(">\n");
            out.push_str(&body);
            out.push_str("    </testcase>\n");
        }
    }
    for id in stale {
        let file = baseline.map(|judged| judged.file).unwrap_or_default();
        let _ = writeln!(
            out,
            "    <testcase classname=\"baseline\" name=\"{}\">\n      <failure message=\"{}\" \
             type=\"stale-entry\"/>\n    </testcase>",
            escape(id),
            escape(&format!(
                "stale entry: baseline {file} lists {id}, which is no case of this run \
                 (--strict-baseline); remove it from the baseline"
            ))
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn outcome(r: &CaseResult, baseline: Option<Judged>, sides: (&str, &str)) -> Outcome {
    let known_per = baseline
        .filter(|judged| judged.comparison.is_known(&r.id))
        .map(|judged| judged.file);
    let regression = baseline.and_then(|judged| {
        judged
            .comparison
            .regression(&r.id)
            .map(|was| (judged.file, was))
    });
    let strict_unexpected_pass = baseline
        .filter(|judged| judged.comparison.strict)
        .filter(|judged| judged.comparison.unexpected_passes.contains(&r.id))
        .map(|judged| judged.file);
    match &r.verdict {
        Verdict::Pass => match strict_unexpected_pass {
            Some(file) => Outcome::Failure {
                message: format!(
                    "unexpected pass: baseline {file} lists this case as an expected failure \
                     (--strict-baseline); remove it from the baseline"
                ),
                kind: "unexpected-pass".to_owned(),
                text: String::new(),
            },
            None => Outcome::Passed,
        },
        Verdict::Skipped { reason } => Outcome::Skipped {
            message: reason.clone(),
            text: String::new(),
        },
        Verdict::Fail(f) => {
            let headline = failure_headline(f);
            let text = failure_story(r.contested.as_deref(), f, sides);
            if let Some(reason) = &r.contested {
                Outcome::Skipped {
                    message: format!(
                        "contested case, its failure does not fail the run: {headline}; \
                         contested: {reason}"
                    ),
                    text,
                }
            } else if let Some(file) = known_per {
                Outcome::Skipped {
                    message: format!("known failure per baseline {file}: {headline}"),
                    text,
                }
            } else {
                let message = match regression {
                    Some((file, was)) => {
                        format!("regression: baseline {file} expects {was}; {headline}")
                    }
                    None => headline,
                };
                Outcome::Failure {
                    message,
                    kind: f
                        .divergence
                        .as_ref()
                        .map_or("error", |d| d.stage.as_str())
                        .to_owned(),
                    text,
                }
            }
        }
        Verdict::AdapterError {
            reason,
            stderr_tail,
        } => match (known_per, regression) {
            (Some(file), _) => Outcome::Skipped {
                message: format!("known failure per baseline {file}: adapter error: {reason}"),
                text: stderr_tail.clone(),
            },
            (None, Some((file, was))) => Outcome::Error {
                message: format!("regression: baseline {file} expects {was}; {reason}"),
                text: stderr_tail.clone(),
            },
            (None, None) => Outcome::Error {
                message: reason.clone(),
                text: stderr_tail.clone(),
            },
        },
    }
}

/// One line: where the failure diverged and the first diagnosed fault.
fn failure_headline(f: &Failure) -> String {
    let place = match &f.divergence {
        Some(d) => format!("diverged at {}", d.stage.as_str()),
        None => "the signer reported an error".to_owned(),
    };
    match f.diagnosis.first() {
        Some(d) => format!("{place}: {}", d.fault),
        None => place,
    }
}

/// Escapes text for XML 1.0 attributes and content; characters XML 1.0
/// cannot carry at all are written as `\u{..}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || matches!(c as u32, 0xFFFE | 0xFFFF) => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}
