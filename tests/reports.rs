//! Reports as CI reads them: JSON validated against
//! `docs/report.schema.json` by an independent validator (Python's
//! jsonschema), JUnit agreeing with the exit status, baselines gating a
//! run, secrets kept out of every format, and the matrix of reports.

use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> String {
    std::env::var("SIGV4_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigv4-reports-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs the binary with `args`: exit status, stdout, stderr.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let (code, stdout, _) = run(&all);
    (code, stdout)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the report was written")
}

/// The value of `attribute` on the first `<element` of `xml`.
fn attribute<'a>(xml: &'a str, element: &str, attribute: &str) -> &'a str {
    let start = xml.find(&format!("<{element} ")).expect("the element");
    let tag = &xml[start..];
    let tag = &tag[..tag.find('>').expect("a closed tag")];
    let key = format!(" {attribute}=\"");
    let value = &tag[tag.find(&key).expect("the attribute") + key.len()..];
    &value[..value.find('"').expect("a closed value")]
}

fn validate(report: &Path) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let out = Command::new(python())
        .args([
            "-c",
            "import json, sys, jsonschema; s = json.load(open(sys.argv[1])); \
             jsonschema.Draft202012Validator.check_schema(s); \
             jsonschema.validate(json.load(open(sys.argv[2])), s, cls=jsonschema.Draft202012Validator)",
        ])
        .arg(&schema)
        .arg(report)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{} does not validate (is jsonschema installed? run ./scripts/test.sh): {}",
        report.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn json_reports_of_every_verdict_validate_against_the_schema() {
    let dir = scratch("schema");
    let runs: [(&str, Vec<&str>); 3] = [
        ("reference.json", vec![]),
        // pass, fail (with diagnosis and contested), skipped
        (
            "aws4.json",
            vec!["--adapter", "node adapters/aws4/adapter.js"],
        ),
        // adapter-error with a stderr tail
        (
            "crash.json",
            vec![
                "--adapter",
                "python3 tests/adapters/misbehave.py --mode crash",
                "--filter",
                "aws-v4/*",
            ],
        ),
    ];
    let mut verdicts = std::collections::BTreeSet::new();
    for (name, args) in runs {
        let file = dir.join(name);
        let mut all = args.clone();
        let path = file.to_string_lossy().into_owned();
        all.extend(["--format", "json", "--output", &path]);
        let (code, _) = check(&all);
        assert!(code == Some(0) || code == Some(1), "{name}: exit {code:?}");
        validate(&file);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("JSON");
        for case in doc["cases"].as_array().expect("cases") {
            verdicts.insert(case["verdict"].as_str().unwrap_or("").to_owned());
        }
    }
    assert_eq!(
        verdicts.len(),
        4,
        "not every verdict was exercised: {verdicts:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_baseline_keeps_ci_green_until_something_changes() {
    let dir = scratch("baseline");
    let baseline = dir.join("known.json");
    let b = baseline.to_string_lossy().into_owned();
    let faulty = "python3 tests/adapters/faulty_signer.py --fault query-unsorted";
    let filter = "aws-v4/get-vanilla-query-order-*";
    let (code, _) = check(&[
        "--adapter",
        faulty,
        "--filter",
        filter,
        "--write-baseline",
        &b,
    ]);
    assert_eq!(
        code,
        Some(0),
        "writing a baseline accepts the current failures, as a CI bootstrap step needs"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("baseline written"))
            .expect("JSON");
    let entries = written["expected_failures"].as_array().expect("entries");
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["fault"] == "query-unsorted"),
        "{written}"
    );

    // Same failures, same fault: green.
    let (code, out) = check(&["--adapter", faulty, "--filter", filter, "--baseline", &b]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("known failure(s) still failing the same way"));

    // The same cases failing for another reason: a regression, red.
    let other = "python3 tests/adapters/faulty_signer.py --fault query-sorted-as-pairs";
    let (code, out) = check(&["--adapter", other, "--filter", filter, "--baseline", &b]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("REGRESSION"), "{out}");

    // Fixed: unexpected passes are reported, the run stays green.
    let fixed = "python3 tests/adapters/faulty_signer.py";
    let (code, out) = check(&["--adapter", fixed, "--filter", filter, "--baseline", &b]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("UNEXPECTED PASS"), "{out}");

    // Another selection: the entries are for cases it leaves out, not
    // compared and not stale.
    let (code, out) = check(&[
        "--adapter",
        fixed,
        "--filter",
        "aws-v4/get-vanilla/*",
        "--baseline",
        &b,
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("STALE ENTRY"), "{out}");
    assert!(
        out.contains(&format!(
            "({} entries for cases outside this run's --suite/--filter not compared)",
            entries.len()
        )),
        "{out}"
    );

    // Rewritten from another selection, the entries of the cases it
    // leaves out are kept.
    let (code, _) = check(&[
        "--adapter",
        faulty,
        "--filter",
        "aws-v4/get-vanilla-query/*",
        "--write-baseline",
        &b,
    ]);
    assert_eq!(code, Some(0));
    let rewritten: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("baseline")).expect("JSON");
    let rewritten = rewritten["expected_failures"].as_array().expect("entries");
    for entry in entries {
        assert!(rewritten.contains(entry), "{entry} dropped: {rewritten:?}");
    }

    // An entry the selection takes that matches no case is stale; one that
    // fails at another stage than recorded is a regression.
    let stale_and_moved = r#"{"version": 1, "expected_failures": [
        {"id": "aws-v4/get-vanilla-query-order-nope/header", "verdict": "fail"},
        {"id": "aws-v4/get-vanilla-query-order-key-case/header", "verdict": "fail", "stage": "signature"}]}"#;
    std::fs::write(&baseline, stale_and_moved).expect("write");
    let with_intermediates = format!("{faulty} --with-intermediates");
    let (code, out) = check(&[
        "--adapter",
        &with_intermediates,
        "--filter",
        filter,
        "--baseline",
        &b,
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("STALE ENTRY      aws-v4/get-vanilla-query-order-nope/header"),
        "{out}"
    );
    assert!(
        out.contains(
            "REGRESSION       aws-v4/get-vanilla-query-order-key-case/header: was fail at \
             signature, now fail at canonical_request (query-unsorted)"
        ),
        "{out}"
    );

    // A malformed baseline is a usage error naming the file and, when the
    // JSON has the wrong shape, the shape it should have.
    std::fs::write(&baseline, "{not json").expect("write");
    let (code, _, stderr) = run(&["check", "--filter", filter, "--baseline", &b]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("baseline {b} is not JSON")),
        "{stderr}"
    );
    std::fs::write(&baseline, "[]").expect("write");
    let (code, _, stderr) = run(&["check", "--filter", filter, "--baseline", &b]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("baseline {b}: found an array, not an object"))
            && stderr.contains("\"expected_failures\"")
            && !stderr.contains("invalid length"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn junit_and_the_stderr_summary_agree_with_the_exit_status() {
    let dir = scratch("junit");
    let xml = dir.join("ref.xml");
    let x = xml.to_string_lossy().into_owned();

    // The reference fails two contested cases, which do not fail the run.
    let (code, _, stderr) = run(&["check", "--format", "junit", "-o", &x]);
    assert_eq!(code, Some(0), "{stderr}");
    let report = read(&xml);
    assert_eq!(attribute(&report, "testsuite", "failures"), "0", "{report}");
    assert_eq!(attribute(&report, "testsuite", "skipped"), "2", "{report}");
    assert!(!report.contains("<failure"), "{report}");
    assert_eq!(
        report
            .matches("<skipped message=\"contested case, its failure does not fail the run: diverged at ")
            .count(),
        2,
        "{report}"
    );
    assert!(
        stderr.contains("127 passed, 2 failed (2 on contested cases"),
        "{stderr}"
    );

    // Known failures of a baseline are skipped, naming the baseline and
    // what failed; the JSON report lists the same cases as known.
    let baseline = dir.join("known.json");
    let b = baseline.to_string_lossy().into_owned();
    let faulty = "python3 tests/adapters/faulty_signer.py --fault query-unsorted";
    let filter = "aws-v4/get-vanilla-query-order-*";
    // `check` of `adapter` on `filter`, `baseline_flag FILE`, a report
    // in `format` to `out`.
    let check = |adapter: &str, baseline_flag: &str, format: &str, out: &str| {
        run(&[
            "check",
            "--adapter",
            adapter,
            "--filter",
            filter,
            baseline_flag,
            &b,
            "--format",
            format,
            "-o",
            out,
        ])
    };
    let (code, _, stderr) = check(faulty, "--write-baseline", "junit", &x);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("baseline {b} written")),
        "{stderr}"
    );
    let failing = attribute(&read(&xml), "testsuite", "failures").to_owned();
    assert_ne!(failing, "0", "without a baseline the failures are failures");

    let (code, _, stderr) = check(faulty, "--baseline", "junit", &x);
    assert_eq!(code, Some(0), "{stderr}");
    let report = read(&xml);
    assert_eq!(attribute(&report, "testsuite", "failures"), "0", "{report}");
    assert_eq!(
        attribute(&report, "testsuite", "skipped"),
        failing,
        "{report}"
    );
    assert!(
        report
            .matches(&format!(
                "<skipped message=\"known failure per baseline {b}: diverged at "
            ))
            .count()
            .to_string()
            == failing
            && report.matches(": query-unsorted\">").count().to_string() == failing,
        "{report}"
    );
    assert!(
        stderr.contains(&format!(
            "baseline {b}: {failing} known failure(s) still failing the same way"
        )),
        "{stderr}"
    );

    let json = dir.join("known-report.json");
    let j = json.to_string_lossy().into_owned();
    let (code, _, _) = check(faulty, "--baseline", "json", &j);
    assert_eq!(code, Some(0));
    validate(&json);
    let doc: serde_json::Value = serde_json::from_str(&read(&json)).expect("JSON");
    assert_eq!(doc["baseline"]["file"], b.as_str());
    assert_eq!(doc["baseline"]["known"].to_string(), failing);
    let known = doc["baseline"]["known_failures"].as_array().expect("ids");
    assert_eq!(known.len().to_string(), failing);

    // A regression stays a failure, and says what the baseline expected.
    let other = "python3 tests/adapters/faulty_signer.py --fault query-sorted-as-pairs";
    let (code, _, stderr) = check(other, "--baseline", "junit", &x);
    assert_eq!(code, Some(1), "{stderr}");
    let report = read(&xml);
    assert_ne!(attribute(&report, "testsuite", "failures"), "0", "{report}");
    assert!(
        report.contains(&format!(
            "<failure message=\"regression: baseline {b} expects fail at signature (query-unsorted); \
             diverged at"
        )),
        "{report}"
    );
    assert!(stderr.contains("REGRESSION"), "{stderr}");

    // Fixed: the unexpected passes keep the run green, unless the
    // baseline is to be kept exact; then each is a failure in JUnit too.
    let fixed = "python3 tests/adapters/faulty_signer.py";
    let (code, _, stderr) = check(fixed, "--baseline", "junit", &x);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(attribute(&read(&xml), "testsuite", "failures"), "0");
    let strict = |extra_entry: Option<&str>| {
        if let Some(id) = extra_entry {
            let mut doc: serde_json::Value =
                serde_json::from_str(&read(&baseline)).expect("baseline");
            if let Some(entries) = doc["expected_failures"].as_array_mut() {
                entries.push(serde_json::json!({"id": id, "verdict": "fail"}));
            }
            std::fs::write(&baseline, doc.to_string()).expect("write");
        }
        run(&[
            "check",
            "--adapter",
            fixed,
            "--filter",
            filter,
            "--baseline",
            &b,
            "--strict-baseline",
            "--format",
            "junit",
            "-o",
            &x,
        ])
    };
    let (code, _, stderr) = strict(None);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("(remove it from the baseline; fails the run: --strict-baseline)"),
        "{stderr}"
    );
    let report = read(&xml);
    assert_eq!(
        attribute(&report, "testsuite", "failures"),
        failing,
        "{report}"
    );
    assert!(report.contains("type=\"unexpected-pass\""), "{report}");
    // A stale entry too, as a test case of its own.
    let (code, _, stderr) = strict(Some("aws-v4/get-vanilla-query-order-nope/header"));
    assert_eq!(code, Some(1), "{stderr}");
    let report = read(&xml);
    assert!(
        report.contains(
            "<testcase classname=\"baseline\" name=\"aws-v4/get-vanilla-query-order-nope/header\">"
        ),
        "{report}"
    );
    let failing_now: usize = failing.parse::<usize>().expect("a count") + 1;
    assert_eq!(
        attribute(&report, "testsuite", "failures"),
        failing_now.to_string(),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A vector directory of one case signed with a key that is not published.
fn private_key_vectors(dir: &Path, secret: &str) -> PathBuf {
    let case = dir.join("vectors/private/get-vanilla");
    std::fs::create_dir_all(&case).expect("vector dir");
    let context = serde_json::json!({
        "description": "get-vanilla signed with a private key",
        "rules": ["scope"],
        "status": "valid",
        "source": {"origin": "tests/reports.rs"},
        "credentials": {"access_key_id": "AKIDPRIVATE", "secret_access_key": secret, "session_token": null},
        "region": "us-east-1",
        "service": "service",
        "time": "2015-08-30T12:36:00Z",
        "options": {"expires_in": 3600, "normalize_path": true, "double_encode_path": true,
                    "payload": "signed", "content_sha256_header": false, "sign_session_token": true}
    });
    std::fs::write(case.join("context.json"), context.to_string()).expect("context");
    std::fs::write(
        case.join("request.txt"),
        "GET / HTTP/1.1\nHost:example.amazonaws.com\n",
    )
    .expect("request");
    // The adapter is compared with the reference, not with these.
    for location in ["header", "query"] {
        std::fs::write(
            case.join(format!("{location}-signature.txt")),
            "0".repeat(64),
        )
        .expect("signature");
    }
    dir.join("vectors")
}

#[test]
fn a_secret_leaked_in_any_encoding_is_redacted_in_every_format() {
    let dir = scratch("redact");
    let secret = "Zq9MySuperSecretKey/ReviewA+0123456789abcd";
    let vectors = private_key_vectors(&dir, secret);
    let v = vectors.to_string_lossy().into_owned();
    let leaked = [
        secret,
        "Zq9MySuperSecretKey%2FReviewA%2B0123456789abcd",
        "Zq9MySuperSecretKey%2fReviewA%2b0123456789abcd",
        "Zq9MySuperSecretKey/ReviewA%2B0123456789abcd",
        "Zq9MySuperSecretKey\\/ReviewA+0123456789abcd",
        "Zq9MySuperSecretKey",
        "U2VjcmV0S2V5",
        // Hex, .NET's JSON escapes, a cut or split secret's pieces.
        "5375706572536563726574",
        "Key\\u002FReviewA\\u002B",
        "ReviewA+0123456789",
        "MySuperSecretKey/Re",
    ];
    for format in ["human", "json", "junit"] {
        let file = dir.join(format!("report.{format}"));
        let f = file.to_string_lossy().into_owned();
        let (code, _, stderr) = run(&[
            "check",
            "--adapter",
            &format!(
                "LEAK_IN_HELLO={secret} python3 tests/adapters/misbehave.py --mode leak-secret"
            ),
            "--vectors",
            &v,
            // One published case: its key is well known and stays visible.
            "--filter",
            "vectors/private/*",
            "--filter",
            "aws-v4/get-vanilla/header",
            "--format",
            format,
            "-o",
            &f,
        ]);
        assert_eq!(code, Some(1), "{stderr}");
        let report = read(&file);
        for form in leaked {
            assert!(!report.contains(form), "{format}: {form} leaked:\n{report}");
        }
        // Both the signer error and the adapter's stderr were redacted.
        assert!(
            report.matches("[REDACTED]").count() >= 10,
            "{format}:\n{report}"
        );
        assert!(
            report.contains("wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYEXAMPLEKEY"),
            "{format}: the published key is shown:\n{report}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_matrix_tells_apart_two_columns_of_one_implementation() {
    let dir = scratch("matrix");
    let report = dir.join("r.json");
    let r = report.to_string_lossy().into_owned();
    let (code, _) = check(&[
        "--filter",
        "aws-v4/get-vanilla/*",
        "--format",
        "json",
        "-o",
        &r,
    ]);
    assert_eq!(code, Some(0));
    let (code, table, stderr) = run(&["matrix", &r, &r]);
    assert_eq!(code, Some(0), "{stderr}");
    let header = table.lines().next().unwrap_or_default();
    let titles: Vec<&str> = header.split('|').map(str::trim).collect();
    assert_eq!(titles.len(), 5, "{header}");
    assert_ne!(titles[2], titles[3], "{header}");
    assert!(titles[3].ends_with("#2"), "{header}");
    let _ = std::fs::remove_dir_all(&dir);
}
