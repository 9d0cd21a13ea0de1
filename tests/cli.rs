//! The command-line interface as a user meets it: the binary run as a
//! process, its output and exit status.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn check_without_adapter_passes_every_vector() {
    let (code, stdout, _) = run(&["check"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("PASS  aws-v4/get-vanilla-query/header"));
    assert!(
        stdout.contains("127 passed, 2 failed (2 on contested cases"),
        "{stdout}"
    );
}

#[test]
fn list_and_filter_select_cases() {
    let (code, stdout, _) = run(&["check", "--list", "--filter", "aws-2015/normalize-path/*"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 8, "{stdout}");
    let (code, _, stderr) = run(&["check", "--filter", "no-such-case*"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no case matches"), "{stderr}");
}

#[test]
fn explain_marks_each_published_stage() {
    let (code, stdout, _) = run(&["explain", "aws-v4/get-vanilla-query/query"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("canonical request:  [matches the published value]"),
        "{stdout}"
    );
    assert!(stdout.contains("signature:  [matches the published value]"));
    // Options are spelled as in the vectors and the protocol, not as Rust
    // debug output.
    assert!(stdout.contains(" payload=signed "), "{stdout}");
    let (code, _, stderr) = run(&["explain", "aws-v4/get-vanilla-querie"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no case with id"));
    // A case directory, with or without its suite, suggests its own ids
    // first.
    for given in ["aws-v4/get-vanilla", "get-vanilla"] {
        let (code, _, stderr) = run(&["explain", given]);
        assert_eq!(code, 2);
        assert!(
            stderr.contains("did you mean: ")
                && stderr.contains("aws-v4/get-vanilla/header, aws-v4/get-vanilla/query"),
            "{stderr}"
        );
    }
}

#[test]
fn export_writes_one_json_document() {
    let (code, stdout, _) = run(&["vectors", "export"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["format"], "sigv4-conformance-vectors");
    assert!(doc["cases"].as_array().map_or(0, Vec::len) >= 100);
    assert_eq!(
        doc["cases"][0]["id"],
        "authored/presign-token-and-query/header"
    );
}

#[test]
fn unusable_files_are_refused_before_the_run_and_nothing_is_lost() {
    let dir = std::env::temp_dir().join(format!("sigv4-cli-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let baseline = dir.join("known.json");
    std::fs::write(&baseline, r#"{"version":1,"expected_failures":[]}"#).expect("baseline");
    let baseline_path = baseline.to_string_lossy().into_owned();
    let missing = dir.join("no/such/dir/report.xml");
    let missing = missing.to_string_lossy().into_owned();
    // An adapter that would take minutes: the errors come before it runs.
    let slow = ["--adapter", "sleep 600", "--timeout", "3600"];
    for (args, expected) in [
        (
            vec!["--output", missing.as_str()],
            "does not exist".to_owned(),
        ),
        (
            vec!["--baseline", &baseline_path, "--output", &baseline_path],
            "--output and --baseline name the same file".to_owned(),
        ),
        (
            vec!["--baseline", "/dev/zero"],
            "baseline /dev/zero is not a regular file".to_owned(),
        ),
    ] {
        let started = std::time::Instant::now();
        let (code, _, stderr) = run(&[&["check"], &slow[..], &args[..]].concat());
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(&expected), "{args:?}: {stderr}");
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }
    // The baseline named as --output was left as it was.
    assert_eq!(
        std::fs::read_to_string(&baseline).expect("baseline"),
        r#"{"version":1,"expected_failures":[]}"#
    );
    // A report that cannot be written is an error, not a silent exit 0.
    let (code, _, stderr) = run(&[
        "check",
        "--filter",
        "aws-v4/get-vanilla/*",
        "--output",
        "/dev/full",
    ]);
    assert_eq!(code, 2, "{stderr}");
    let full = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .args(["check", "--filter", "aws-v4/get-vanilla/*"])
        .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
        .output()
        .expect("runs");
    assert_eq!(full.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&full.stderr).contains("cannot write to stdout"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_vector_the_reference_cannot_sign_is_a_setup_error_naming_it() {
    let dir = std::env::temp_dir().join(format!("sigv4-cli-unsignable-{}", std::process::id()));
    let case = dir.join("mine/no-host");
    std::fs::create_dir_all(&case).expect("case dir");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vectors/data/aws-v4/get-vanilla/context.json"
        ),
        case.join("context.json"),
    )
    .expect("context");
    std::fs::write(case.join("request.txt"), "GET / HTTP/1.1\nX-A:b\n").expect("request");
    std::fs::write(case.join("header-signature.txt"), "0".repeat(64)).expect("signature");
    let (code, stdout, stderr) = run(&["check", "--vectors", dir.to_str().expect("UTF-8")]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("/mine/no-host/header cannot be signed: the request has no Host"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
