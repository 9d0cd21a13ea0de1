//! The harness against the shipped adapters (botocore, aws4), as a user
//! runs it: real third-party signers, their known failures diagnosed, the
//! JSON and JUnit reports well-formed. `scripts/test.sh` installs what they
//! need.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> String {
    std::env::var("SIGV4_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn check_json(adapter: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .current_dir(root())
        .args([
            "check",
            "--adapter",
            adapter,
            "--format",
            "json",
            "--jobs",
            "2",
        ])
        .output()
        .expect("the binary runs");
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the JSON report parses")
}

fn case<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no case {id} in the report"))
}

fn assert_report_shape(report: &serde_json::Value) {
    assert_eq!(report["protocol"], 1);
    let summary = &report["summary"];
    let cases = report["cases"].as_array().expect("cases");
    assert_eq!(summary["total"].as_u64(), Some(cases.len() as u64));
    let sum: u64 = ["pass", "fail", "skipped", "adapter_error"]
        .iter()
        .map(|k| summary[k].as_u64().expect("summary count"))
        .sum();
    assert_eq!(sum, cases.len() as u64);
    for c in cases {
        let verdict = c["verdict"].as_str().expect("verdict");
        assert!(["pass", "fail", "skipped", "adapter-error"].contains(&verdict));
        if verdict == "fail" {
            assert!(c["diagnosis"].is_array(), "{c}");
        }
    }
}

#[test]
fn botocore_runs_and_its_utf8_query_bug_is_proven() {
    let adapter = format!("{} adapters/botocore/adapter.py", python());
    let report = check_json(&adapter);
    assert_report_shape(&report);
    assert_eq!(
        report["adapter"]["name"], "botocore",
        "is botocore installed? run ./scripts/test.sh"
    );
    assert_eq!(report["adapter"]["version"], "1.44.8");
    assert_eq!(report["summary"]["adapter_error"], 0);
    assert!(
        report["summary"]["pass"].as_u64().unwrap_or(0) >= 80,
        "{}",
        report["summary"]
    );
    let utf8 = case(&report, "aws-v4/get-vanilla-utf8-query/header");
    assert_eq!(utf8["verdict"], "fail");
    assert_eq!(utf8["diverged_at"], "canonical_request");
    assert_eq!(utf8["diagnosis"][0]["fault"], "query-not-encoded");
    assert_eq!(utf8["diagnosis"][0]["proven"], true);
    // botocore signs repeated headers right but sends only the last value.
    let duplicate = case(&report, "aws-v4/get-header-key-duplicate/header");
    assert_eq!(duplicate["diverged_at"], "signed_request");
    assert_eq!(
        duplicate["diagnosis"][0]["fault"],
        "sent-header-differs-from-signed"
    );
    assert_eq!(duplicate["diagnosis"][0]["proven"], false);
    // Presigning keeps only the first value of a repeated query parameter.
    let repeated = case(&report, "authored/query-repeated-name/query");
    assert_eq!(repeated["diverged_at"], "canonical_request");
    assert_eq!(
        repeated["diagnosis"][0]["fault"],
        "query-repeated-first-only"
    );
    assert_eq!(repeated["diagnosis"][0]["proven"], true);
    let after = case(&report, "aws-v4/post-sts-header-after/header");
    assert_eq!(after["reason"], "unsupported: token-after-signing");
}

#[test]
fn aws4_runs_and_contested_cases_say_what_the_library_did() {
    let report = check_json("node adapters/aws4/adapter.js");
    assert_report_shape(&report);
    assert_eq!(report["adapter"]["name"], "aws4");
    assert_eq!(report["summary"]["adapter_error"], 0);
    let utf8 = case(&report, "aws-v4/get-utf8/header");
    assert_eq!(utf8["verdict"], "fail");
    assert!(
        utf8["contested"]
            .as_str()
            .is_some_and(|r| r.contains("raw UTF-8")),
        "{utf8}"
    );
    assert_eq!(utf8["diagnosis"][0]["fault"], "path-encoded-before-signing");
    assert_eq!(utf8["diagnosis"][0]["proven"], true);
}

#[test]
fn junit_report_is_well_formed_xml() {
    let dir = std::env::temp_dir().join(format!("sigv4-junit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("report.xml");
    let status = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .current_dir(root())
        .args([
            "check",
            "--adapter",
            "node adapters/aws4/adapter.js",
            "--format",
            "junit",
            "--output",
        ])
        .arg(&file)
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(1));
    // Python's XML parser as an independent reader of the document.
    let parse = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); \
             cases = r.findall('.//testcase'); \
             assert r.tag == 'testsuites' and len(cases) == int(r.get('tests')), r.attrib; \
             assert len(r.findall('.//failure')) == int(r.get('failures')); \
             assert len(r.findall('.//skipped')) == int(r.get('skipped')); print(len(cases))",
        ])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        parse.status.success(),
        "{}",
        String::from_utf8_lossy(&parse.stderr)
    );
    let total = sigv4_vectors::embedded().expect("vectors").len();
    assert_eq!(
        String::from_utf8_lossy(&parse.stdout).trim(),
        total.to_string()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
