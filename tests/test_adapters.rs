//! The harness against the project's own test adapters
//! (`tests/adapters/`): an independent Python signer that commits exactly
//! one catalogued fault at a time (each must be diagnosed as that fault,
//! proven), and an adapter that misbehaves in one way at a time (each must
//! give `adapter-error` where it misbehaves, and the run must finish).

use serde_json::Value;
use std::process::Command;

fn run_json(adapter: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--adapter", adapter, "--format", "json"])
        .args(extra)
        .output()
        .expect("the binary runs");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{adapter}: no JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

fn cases(report: &Value) -> &Vec<Value> {
    report["cases"].as_array().expect("cases array")
}

#[test]
fn the_faultless_test_signer_passes_everything() {
    // tests/fault-vectors too: its expected stages were written by the
    // reference, and this independent signer checks them.
    let (code, report) = run_json(
        "python3 tests/adapters/faulty_signer.py",
        &["--jobs", "2", "--vectors", "tests/fault-vectors"],
    );
    assert_eq!(code, Some(0), "{}", report["summary"]);
    assert_eq!(report["summary"]["total"], 130);
    assert_eq!(report["summary"]["fail"], 0);
    assert_eq!(report["summary"]["skipped"], 0);
}

#[test]
fn an_authorization_spelled_with_other_separators_passes() {
    // A verifier reads `,` between the parts with or without spaces: a
    // signer that writes `Credential=…,SignedHeaders=…` is right.
    for separator in [",", " ,  "] {
        let adapter =
            format!("python3 tests/adapters/faulty_signer.py --auth-separator '{separator}'");
        let (code, report) = run_json(&adapter, &["--jobs", "2"]);
        assert_eq!(code, Some(0), "{separator:?}: {}", report["summary"]);
        assert_eq!(report["summary"]["fail"], 0, "{separator:?}");
    }
}

#[test]
fn a_bare_signature_mismatch_points_at_what_would_show_more() {
    // Three faults at once: no single fault or pair reproduces the
    // signature, and the adapter returns no intermediates.
    let case = "aws-v4/get-vanilla-query-order-key-case/header";
    let adapter = "python3 tests/adapters/faulty_signer.py --fault \
                   query-unsorted,key-without-aws4-prefix,canonical-headers-no-blank-line";
    let (code, stdout, _) = run_human(adapter, &["--filter", case]);
    assert_eq!(code, Some(1), "{stdout}");
    // The hint names the program as it was started (this test starts it
    // by its path) unless `sigv4-conformance` is on PATH.
    let hint = "note: only the signature could be compared: the adapter returned neither \
                canonical_request nor string_to_sign. Return them to see the first line that \
                differs, or compare yours with the reference's:";
    assert!(
        stdout.contains(&format!("{hint} {} explain {case}", program_as_printed())),
        "{stdout}"
    );
    // With its intermediates the first differing line is shown instead.
    let (_, stdout, _) = run_human(
        &format!("{adapter} --with-intermediates"),
        &["--filter", case],
    );
    assert!(!stdout.contains("only the signature"), "{stdout}");
    assert!(
        stdout.contains("first diverging step: canonical_request"),
        "{stdout}"
    );
}

#[test]
fn the_fault_catalogue_page_lists_every_fault_and_no_other() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/faults.md"))
        .expect("docs/faults.md");
    let listed: Vec<&str> = page
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once("` |").map(|(id, _)| id))
        .collect();
    let known: Vec<&str> = sigv4_conformance::diagnose::known_fault_ids().collect();
    for id in &known {
        assert!(listed.contains(id), "docs/faults.md does not list {id}");
    }
    for id in &listed {
        assert!(
            known.contains(id),
            "docs/faults.md lists {id}, which is not a fault"
        );
    }
}

#[test]
fn every_catalogued_fault_is_proven_on_its_case() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/adapters/faults.json"
    ))
    .expect("faults.json");
    let faults: serde_json::Map<String, Value> =
        serde_json::from_str(&text).expect("faults.json parses");
    // Every fault of the catalogue has a case that shows it.
    for spec in sigv4_conformance::diagnose::CATALOGUE {
        assert!(
            faults.contains_key(spec.id),
            "faults.json has no case for {}",
            spec.id
        );
    }
    let mut wrong = Vec::new();
    for (fault, case) in &faults {
        let case = case.as_str().expect("a case id");
        let adapter = format!("python3 tests/adapters/faulty_signer.py --fault {fault}");
        // The contested faults have their cases in tests/fault-vectors.
        let (code, report) = run_json(
            &adapter,
            &["--vectors", "tests/fault-vectors", "--filter", case],
        );
        let result = &cases(&report)[0];
        let diagnosed: Vec<(&str, bool)> = result["diagnosis"]
            .as_array()
            .map(|d| {
                d.iter()
                    .map(|x| (x["fault"].as_str().unwrap_or(""), x["proven"] == true))
                    .collect()
            })
            .unwrap_or_default();
        if code != Some(1) && result["contested"].is_null() || diagnosed != [(fault.as_str(), true)]
        {
            wrong.push(format!(
                "{fault} on {case}: verdict {}, diagnosis {:?}",
                result["verdict"], diagnosed
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "not diagnosed as themselves:\n{}",
        wrong.join("\n")
    );
}

/// Runs the misbehaving adapter in `mode` on the 16 `aws-v4/get-vanilla*`
/// ids; the run must finish with a verdict for each.
fn misbehave(mode: &str, timeout: &str) -> Vec<Value> {
    let adapter = format!("python3 tests/adapters/misbehave.py --mode {mode}");
    let (code, report) = run_json(
        &adapter,
        &[
            "--filter",
            "aws-v4/get-vanilla*",
            "--timeout",
            timeout,
            "--jobs",
            "2",
        ],
    );
    // 2 when no case got an answer: the adapter is broken as a whole.
    let expected: &[i32] = if cases(&report)
        .iter()
        .all(|c| c["verdict"] == "adapter-error")
    {
        &[2]
    } else {
        &[0, 1]
    };
    assert!(
        code.is_some_and(|c| expected.contains(&c)),
        "{mode}: exit {code:?}"
    );
    let cases = cases(&report).clone();
    assert_eq!(cases.len(), 16, "{mode}: the run did not finish every case");
    cases
}

fn reason(case: &Value) -> &str {
    case["reason"].as_str().unwrap_or("")
}

fn assert_all_errors(mode: &str, cases: &[Value], expected: &str) {
    for c in cases {
        assert_eq!(c["verdict"], "adapter-error", "{mode}: {c}");
        let r = reason(c);
        assert!(
            r.contains(expected) || r.starts_with("not run"),
            "{mode}: {r}"
        );
    }
}

#[test]
fn a_crash_is_an_error_with_its_traceback_and_the_run_goes_on() {
    let cases = misbehave("crash", "5");
    let errors: Vec<&Value> = cases
        .iter()
        .filter(|c| c["verdict"] == "adapter-error")
        .collect();
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|c| c["stderr_tail"]
        .as_str()
        .is_some_and(|t| t.contains("Traceback"))));
    assert!(
        cases.iter().any(|c| c["verdict"] == "pass"),
        "restarted adapters answer again"
    );
}

#[test]
fn a_hang_times_out_only_where_it_hangs() {
    // Silent, or printing empty lines forever: neither keeps the wait open.
    for mode in ["hang", "blank-lines"] {
        for c in misbehave(mode, "1") {
            let id = c["id"].as_str().unwrap_or("");
            if id.ends_with("/query") {
                assert!(reason(&c).contains("no answer within 1.0 s"), "{mode}: {c}");
            } else {
                assert_eq!(c["verdict"], "pass", "{mode}: {c}");
            }
        }
    }
}

#[test]
fn an_adapter_that_closes_stdout_and_lives_on_is_stopped() {
    let (_, report) = run_json(
        "exec python3 tests/adapters/misbehave.py --mode close-stdout",
        &["--filter", "aws-v4/get-vanilla*", "--timeout", "2"],
    );
    let cases = cases(&report);
    assert_eq!(cases.len(), 16, "{report}");
    let stopped = cases
        .iter()
        .filter(|c| reason(c).contains("closed its stdout without answering and did not exit"))
        .count();
    assert!(stopped >= 1, "{cases:?}");
    assert!(
        cases
            .iter()
            .all(|c| c["verdict"] == "pass" || c["verdict"] == "adapter-error"),
        "{cases:?}"
    );
}

#[test]
fn an_interrupted_check_writes_its_report_and_leaves_no_adapter_running() {
    let dir = std::env::temp_dir().join(format!("sigv4-interrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let pids = dir.join("pids");
    let report = dir.join("report.json");
    let child = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--adapter",
            "python3 tests/adapters/misbehave.py --mode hang",
        ])
        .args([
            "--jobs",
            "2",
            "--timeout",
            "60",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report)
        .env("MISBEHAVE_PID_FILE", &pids)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Both workers hang on a /query case well within this.
    let (output, took) = crate::support::interrupt_after(child, std::time::Duration::from_secs(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(took < std::time::Duration::from_secs(5), "{stderr}");
    assert!(stderr.contains("interrupted: "), "{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    assert_eq!(cases(&report).len(), 129, "{report}");
    assert!(
        cases(&report)
            .iter()
            .any(|c| c["reason"] == "not run: the run was interrupted"),
        "{report}"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pids = std::fs::read_to_string(&pids).expect("pids");
    for pid in pids.lines() {
        // Gone, or a zombie that only waits for init to reap it.
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let running = state
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z'));
        assert!(!running, "adapter {pid} outlived the harness: {state}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_after_an_answer_is_reported_and_spoils_no_answer() {
    let said = "stdout carries exactly one line per message";
    // A second copy of each answer is recognised wherever it is read: every
    // case passes, and the later ones say what the adapter did.
    let cases = misbehave("answer-twice", "5");
    assert!(cases.iter().all(|c| c["verdict"] == "pass"), "{cases:?}");
    let noted = cases
        .iter()
        .filter(|c| c["notes"][0].as_str().is_some_and(|n| n.contains(said)))
        .count();
    assert!(noted >= cases.len() / 2, "{noted} noted: {cases:?}");
    // A log line after the answer is found before the next message, or
    // read before the next answer when it comes later: either way every
    // case passes (the verdict must not depend on when the line arrives)
    // and the line is reported.
    for _ in 0..3 {
        let cases = misbehave("log-after", "5");
        assert!(cases.iter().all(|c| c["verdict"] == "pass"), "{cases:?}");
        let reported = cases
            .iter()
            .filter(|c| c["notes"][0].as_str().is_some_and(|n| n.contains(said)));
        assert!(reported.count() >= cases.len() / 2, "{cases:?}");
    }
}

#[test]
fn a_signature_field_unlike_the_requests_is_pointed_out() {
    for c in misbehave("other-signature", "5") {
        assert_eq!(c["verdict"], "fail", "{c}");
        let notes = c["notes"].to_string();
        assert!(
            notes.contains("is not the signature in the request it would send"),
            "{c}"
        );
    }
}

#[test]
fn what_is_signed_but_not_sent_is_named() {
    for (mode, case, fault, explained) in [
        (
            "drop-token",
            "aws-2015/post-sts-token/post-sts-header-after/header",
            "session-token-not-sent",
            "the request carries no X-Amz-Security-Token",
        ),
        (
            "drop-expires",
            "aws-v4/get-vanilla-with-session-token/query",
            "sent-parameter-differs-from-signed",
            "X-Amz-Expires was signed (3600) but is not in the URL",
        ),
    ] {
        let (code, report) = run_json(
            &format!("python3 tests/adapters/misbehave.py --mode {mode}"),
            &["--filter", case],
        );
        assert_eq!(code, Some(1), "{mode}: {report}");
        let result = &cases(&report)[0];
        assert_eq!(result["diverged_at"], "signed_request", "{mode}: {result}");
        let diagnosis = &result["diagnosis"][0];
        assert_eq!(diagnosis["fault"], fault, "{mode}: {result}");
        assert!(
            diagnosis["explanation"]
                .as_str()
                .is_some_and(|e| e.starts_with(explained)),
            "{mode}: {result}"
        );
    }
}

#[test]
fn a_scope_changed_only_in_the_request_sent_is_said_to_be_assembled_wrong() {
    for case in ["aws-v4/get-vanilla/query", "aws-v4/get-vanilla/header"] {
        let (code, report) = run_json(
            "python3 tests/adapters/faulty_signer.py --with-intermediates",
            &["--filter", case],
        );
        assert_eq!(code, Some(0), "{report}");
        let (code, report) = run_json(
            "python3 tests/adapters/misbehave.py --mode url-region",
            &["--filter", case],
        );
        assert_eq!(code, Some(1), "{report}");
        let result = &cases(&report)[0];
        assert_eq!(result["diverged_at"], "scope", "{result}");
        let notes = result["notes"].to_string();
        assert!(
            notes.contains(
                "the adapter's signature is the reference's: the credential scope \
                            differs only in the request it would send"
            ),
            "{result}"
        );
    }
}

#[test]
fn protocol_violations_are_adapter_errors() {
    for (mode, expected) in [
        ("exit-early", "exited"),
        ("garbage", "not JSON"),
        ("wrong-id", "answered with id"),
        ("not-object", "not a JSON object"),
        ("long-line", "longer than 16 MiB"),
        ("endless-line", "longer than 16 MiB"),
        ("hello-answer", "answered a sign message with a \"hello\""),
    ] {
        let cases = misbehave(mode, "5");
        if mode == "exit-early" {
            // The harness may notice at the write or at the read.
            for c in &cases {
                let r = reason(c);
                assert!(
                    r.contains("exited") || r.contains("stdin") || r.starts_with("not run"),
                    "{mode}: {r}"
                );
            }
        } else {
            assert_all_errors(mode, &cases, expected);
        }
    }
}

#[test]
fn handshake_failures_give_up_after_three_starts() {
    for (mode, timeout, expected) in [
        ("no-hello", "1", "during the hello handshake: no answer"),
        ("bad-protocol", "5", "speaks protocol 2"),
        ("garbage-hello", "5", "during the hello handshake"),
    ] {
        let cases = misbehave(mode, timeout);
        assert_all_errors(mode, &cases, expected);
        let not_run = cases
            .iter()
            .filter(|c| reason(c).starts_with("not run"))
            .count();
        // Two workers, three failed starts each, the rest not run.
        assert_eq!(not_run, 16 - 6, "{mode}");
    }
}

/// Runs `check` through `adapter` in the human format: (exit, stdout,
/// stderr).
const BIN: &str = env!("CARGO_BIN_EXE_sigv4-conformance");

/// How the binary names itself in the commands it prints: by name when
/// that is on PATH, else by the path this test starts it with.
fn program_as_printed() -> String {
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("sigv4-conformance").is_file())
    });
    if on_path {
        "sigv4-conformance".to_owned()
    } else {
        BIN.to_owned()
    }
}

fn run_human(adapter: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--adapter", adapter, "--timeout", "5"])
        .args(extra)
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_adapter_that_never_answers_is_a_setup_error_said_once() {
    let (code, stdout, stderr) = run_human("no-such-adapter-command-here", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stdout.is_empty(),
        "no report of the same error per case: {stdout}"
    );
    assert!(
        stderr.starts_with("error: the adapter answered no case (129 adapter errors)")
            && stderr.contains("no-such-adapter-command-here: not found"),
        "{stderr}"
    );
    // Said once: one error, whether the harness noticed the exit at the
    // hello's write or at its read.
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("not found").count(), 1, "{stderr}");
    // A JSON report still has a verdict for every case.
    let (code, report) = run_json("no-such-adapter-command-here", &[]);
    assert_eq!(code, Some(2));
    assert_eq!(cases(&report).len(), 129);
}

/// A persistent adapter whose hello declares `features`, and that answers
/// every sign message as unsupported.
fn declaring(features: &str) -> String {
    format!(
        "python3 -c 'import json,sys\nfor line in sys.stdin:\n m=json.loads(line)\n \
         print(json.dumps({{\"type\":\"hello\",\"protocol\":1,\"name\":\"t\",\"version\":\"0\",\"features\":{features}}} \
         if m[\"type\"]==\"hello\" else {{\"type\":\"unsupported\",\"id\":m[\"id\"],\"reason\":\"not yet\"}}), flush=True)'"
    )
}

#[test]
fn an_adapter_that_declares_nothing_it_signs_is_a_setup_error() {
    let (code, _, stderr) = run_human(&declaring("[]"), &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("declares neither the header nor the query feature"),
        "{stderr}"
    );
    // A misspelt feature is named.
    let (code, _, stderr) = run_human(&declaring("[\"headr\"]"), &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown features [\"headr\"]"), "{stderr}");
}

#[test]
fn a_run_where_every_case_was_skipped_passes_with_a_warning() {
    let (code, stdout, stderr) = run_human(
        &declaring("[\"header\"]"),
        &["--filter", "aws-v4/get-vanilla/*"],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("warning: no case was checked: all 2 selected cases were skipped"),
        "{stderr}"
    );
}

/// A persistent adapter that greets properly, then runs `on_sign` (Python,
/// with `m` the message) for every sign message.
fn greeting_then(on_sign: &str) -> String {
    format!(
        "python3 -c 'import json,sys,subprocess,time\nfor line in sys.stdin:\n m=json.loads(line)\n \
         if m[\"type\"]==\"hello\": print(json.dumps({{\"type\":\"hello\",\"protocol\":1,\"name\":\"t\",\"version\":\"0\",\"features\":[\"header\"]}}), flush=True)\n \
         else: {on_sign}'"
    )
}

#[test]
fn a_timeout_says_what_the_adapter_was_doing() {
    let one = ["--filter", "aws-v4/get-vanilla/header", "--timeout", "1"];
    // Exited, but a child it started keeps stdout open.
    let adapter = greeting_then("subprocess.Popen([\"sleep\",\"3\"]); sys.exit(3)");
    let (_, report) = run_json(&adapter, &one);
    let r = reason(&cases(&report)[0]);
    assert!(
        r.contains("no answer within 1.0 s")
            && r.contains("exited (exit status: 3) but its stdout stayed open"),
        "{r}"
    );
    // Alive, with an answer that never ends its line.
    let adapter = greeting_then(
        "sys.stdout.write(json.dumps({\"type\":\"error\",\"id\":m[\"id\"],\"message\":\"x\"})); sys.stdout.flush(); time.sleep(3)",
    );
    let (_, report) = run_json(&adapter, &one);
    let r = reason(&cases(&report)[0]);
    assert!(r.contains("end it with a newline and flush stdout"), "{r}");
}

#[test]
fn the_published_answer_on_a_contested_case_passes_with_a_note() {
    // AWS publishes /example%20space/ as this case's canonical URI; the
    // reference encodes the wire path again. Encoding it once gives the
    // published signature.
    let (code, report) = run_json(
        "python3 tests/adapters/faulty_signer.py --fault path-single-encoded",
        &["--filter", "aws-v4/get-space-normalized/header"],
    );
    assert_eq!(code, Some(0));
    let case = &cases(&report)[0];
    assert_eq!(case["verdict"], "pass", "{case}");
    assert!(
        case["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("the vector's published one")),
        "{case}"
    );
}

#[test]
fn a_signer_error_points_at_the_request_it_was_given() {
    let adapter = greeting_then(
        "print(json.dumps({\"type\":\"error\",\"id\":m[\"id\"],\"message\":\"boom\"}), flush=True)",
    );
    let (code, stdout, _) = run_human(&adapter, &["--filter", "aws-v4/get-vanilla/header"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("the signer reported: boom")
            && stdout.contains(&format!(
                "given: {} explain aws-v4/get-vanilla/header",
                program_as_printed()
            )),
        "{stdout}"
    );
}

#[test]
fn floods_do_not_hurt() {
    let stdout = misbehave("flood-stdout", "5");
    let errors = stdout
        .iter()
        .filter(|c| c["verdict"] == "adapter-error")
        .count();
    assert!(
        errors <= 2,
        "one flood (per worker at most) costs its case only: {errors}"
    );
    assert!(misbehave("flood-stderr", "10")
        .iter()
        .all(|c| c["verdict"] == "pass"));
}

#[test]
fn two_faults_at_once_are_proven_together() {
    for (faults, case) in [
        (
            "query-unsorted,key-without-aws4-prefix",
            "aws-v4/get-vanilla-query-order-key-case/header",
        ),
        (
            "header-repeated-first-only,payload-unsigned",
            "aws-v4/get-header-key-duplicate/query",
        ),
        (
            "tilde-escaped,date-not-utc",
            "aws-v4/get-vanilla-query-unreserved/query",
        ),
    ] {
        let adapter = format!("python3 tests/adapters/faulty_signer.py --fault {faults}");
        let (_, report) = run_json(&adapter, &["--filter", case]);
        let result = &cases(&report)[0];
        let mut diagnosed: Vec<&str> = result["diagnosis"]
            .as_array()
            .expect("diagnosis")
            .iter()
            .filter(|d| d["proven"] == true)
            .map(|d| d["fault"].as_str().unwrap_or(""))
            .collect();
        diagnosed.sort_unstable();
        let mut expected: Vec<&str> = faults.split(',').collect();
        expected.sort_unstable();
        assert_eq!(diagnosed, expected, "{case}: {result}");
    }
}

#[test]
fn a_one_shot_answer_may_span_several_lines() {
    // The reference's answer, pretty-printed as `python3 -m json.tool`
    // (or `jq .`) prints it.
    let adapter = format!("{BIN} reference-adapter | tail -n 1 | python3 -m json.tool");
    let (code, report) = run_json(&adapter, &["--oneshot", "--filter", "aws-v4/get-vanilla*"]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["summary"]["pass"], 16, "{report}");
}
