//! `sigv4-conformance fuzz`: against the test signer with one fault it
//! finds, shrinks, diagnoses and writes the case, and `check --vectors`
//! replays it with the same diagnosis; against the faultless test signer
//! (and the reference itself) it finds nothing; the same seed gives the
//! same findings; Ctrl-C keeps every case found; generated requests survive
//! the vector format unchanged.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use sigv4_conformance::cases::sign_message;
use sigv4_conformance::fuzz::{case_rng, generate, vector};
use sigv4_conformance::reference_check;
use sigv4_conformance::verdict::Verdict;
use sigv4_signer::Signer;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sigv4-conformance");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigv4-fuzz-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn case_dirs(out: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("context.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn faulty(fault: &str) -> String {
    format!("python3 tests/adapters/faulty_signer.py --fault {fault}")
}

#[test]
fn finds_a_fault_and_check_replays_it_with_the_same_diagnosis() {
    let out = temp_dir("query-unsorted");
    let adapter = faulty("query-unsorted");
    let outdir = out.to_str().expect("UTF-8 temp dir");
    let r = run(&[
        "fuzz",
        "--adapter",
        &adapter,
        "--seed",
        "1",
        "--cases",
        "200",
        "--out",
        outdir,
    ]);
    assert_eq!(r.code, Some(1), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("query-unsorted (proven)"), "{}", r.stdout);
    // The program by its name when it is on PATH, else by its path.
    assert!(
        r.stdout.contains("replay: sigv4-conformance check")
            || r.stdout.contains(&format!("replay: {BIN} check")),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("fuzz: 200/200 cases"),
        "plain progress lines: {}",
        r.stderr
    );
    let dirs = case_dirs(&out);
    assert!(!dirs.is_empty(), "no case written");
    for dir in &dirs {
        for file in ["context.json", "request.txt"] {
            assert!(dir.join(file).is_file(), "{}: no {file}", dir.display());
        }
    }

    // The adapter fails the written cases again, diagnosed the same way.
    let check = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--adapter", &adapter, "--vectors", outdir])
        .args(["--no-embedded", "--format", "json"])
        .output()
        .expect("check runs");
    assert_eq!(check.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&check.stdout).expect("a JSON report");
    let cases = report["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), dirs.len());
    for case in cases {
        assert_eq!(case["verdict"], "fail", "{case}");
        let faults: Vec<(&str, bool)> = case["diagnosis"]
            .as_array()
            .expect("diagnosis")
            .iter()
            .map(|d| (d["fault"].as_str().unwrap_or(""), d["proven"] == true))
            .collect();
        assert!(faults.contains(&("query-unsorted", true)), "{case}");
    }

    // The reference passes its own expected stages, and a correct signer
    // passes the cases too.
    let reference = run(&["check", "--vectors", outdir, "--no-embedded"]);
    assert_eq!(reference.code, Some(0), "{}", reference.stdout);
    let correct = run(&[
        "check",
        "--adapter",
        "python3 tests/adapters/faulty_signer.py",
        "--vectors",
        outdir,
        "--no-embedded",
    ]);
    assert_eq!(correct.code, Some(0), "{}", correct.stdout);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_case_that_shrinks_onto_an_earlier_finding_leaves_it_on_disk() {
    // With this seed, later cases shrink to the very request of a finding
    // already written: the finding must stay, listed and on disk.
    let out = temp_dir("shrink-onto");
    let o = out.to_str().expect("UTF-8");
    let r = run(&[
        "fuzz",
        "--adapter",
        &faulty("lowercase-hex-escapes"),
        "--seed",
        "1",
        "--cases",
        "300",
        "--out",
        o,
    ]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("shrinks to a finding already made")
            || r.stdout.contains("shrinks to a finding already made"),
        "the seed no longer makes the case this test is about: {}{}",
        r.stdout,
        r.stderr
    );
    let listed: Vec<PathBuf> = r
        .stdout
        .lines()
        .skip_while(|line| *line != "found:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next().map(PathBuf::from))
        .collect();
    assert!(!listed.is_empty(), "{}", r.stdout);
    assert_eq!(case_dirs(&out), {
        let mut sorted = listed.clone();
        sorted.sort();
        sorted
    });
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn findings_only_on_contested_requests_do_not_fail_the_run() {
    // Tabs trimmed like spaces: a disagreement only where a value holds a
    // tab, which only --contested generates.
    let out = temp_dir("contested-only");
    let r = run(&[
        "fuzz",
        "--adapter",
        &faulty("header-tabs-trimmed-as-spaces"),
        "--seed",
        "1",
        "--cases",
        "500",
        "--contested",
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("every finding is on a contested request"),
        "{}",
        r.stdout
    );
    assert!(!case_dirs(&out).is_empty(), "the finding is still written");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn the_faultless_signer_and_the_reference_agree_on_everything() {
    for (name, adapter) in [
        (
            "faultless",
            "python3 tests/adapters/faulty_signer.py".to_owned(),
        ),
        ("reference", format!("{BIN} reference-adapter")),
    ] {
        let out = temp_dir(name);
        let r = run(&[
            "fuzz",
            "--adapter",
            &adapter,
            "--seed",
            "7",
            "--cases",
            "300",
            "--out",
            out.to_str().expect("UTF-8"),
        ]);
        assert_eq!(r.code, Some(0), "{name}: {}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("300 cases in") && r.stdout.contains("300 agreed, 0 disagreed"),
            "{name}: {}",
            r.stdout
        );
        assert!(!out.exists(), "{name}: the empty --out directory was left");
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn the_same_seed_gives_the_same_findings() {
    let mut runs = Vec::new();
    for attempt in 0..2 {
        let out = temp_dir(&format!("repro-{attempt}"));
        let r = run(&[
            "fuzz",
            "--adapter",
            &faulty("header-repeated-sorted"),
            "--seed",
            "42",
            "--cases",
            "150",
            "--out",
            out.to_str().expect("UTF-8"),
        ]);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        let files: Vec<(String, Vec<u8>)> = case_dirs(&out)
            .iter()
            .flat_map(|d| {
                let name = d.file_name().map(|n| n.to_string_lossy().into_owned());
                ["request.txt", "context.json"].map(|f| {
                    (
                        format!("{}/{f}", name.clone().unwrap_or_default()),
                        std::fs::read(d.join(f)).unwrap_or_default(),
                    )
                })
            })
            .collect();
        assert!(!files.is_empty());
        runs.push(files);
        let _ = std::fs::remove_dir_all(&out);
    }
    assert_eq!(runs[0], runs[1]);
}

#[test]
fn usage_and_setup_errors_exit_2() {
    let r = run(&["fuzz"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--adapter"), "{}", r.stderr);
    let r = run(&["fuzz", "--adapter", "true", "--timeout", "0"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("--timeout"), "{}", r.stderr);
    for time in ["0", "nan", "inf", "1e20"] {
        let r = run(&["fuzz", "--adapter", "true", "--time", time]);
        assert_eq!(r.code, Some(2), "{time}: {}", r.stderr);
        assert!(
            r.stderr.contains("--time") && r.stderr.contains("out of range"),
            "{}",
            r.stderr
        );
    }
    let out = temp_dir("never-started");
    let r = run(&[
        "fuzz",
        "--adapter",
        "exit 3",
        "--cases",
        "5",
        "--timeout",
        "2",
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("did not start"), "{}", r.stderr);
    assert!(
        !out.exists(),
        "a setup error left its --out directory behind"
    );
    let r = run(&["fuzz", "--adapter", "true", "--cases", "0"]);
    assert_eq!(r.code, Some(2));
    // An --out where nothing can be written, before any case is run.
    let file = temp_dir("not-a-dir");
    std::fs::write(&file, b"").expect("a file");
    let under_file = file.join("found");
    let r = run(&[
        "fuzz",
        "--adapter",
        &faulty("query-unsorted"),
        "--cases",
        "50",
        "--out",
        under_file.to_str().expect("UTF-8"),
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(
        r.stderr.contains("cannot write found cases to") && r.stdout.is_empty(),
        "{}{}",
        r.stdout,
        r.stderr
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn time_bound_stops_the_run() {
    let out = temp_dir("time");
    let started = Instant::now();
    let r = run(&[
        "fuzz",
        "--adapter",
        "python3 tests/adapters/faulty_signer.py",
        "--seed",
        "3",
        "--cases",
        "100000000",
        "--time",
        "2",
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(r.stdout.contains("time limit reached"), "{}", r.stdout);
    // The rerun line repeats the cases that were run, not the bound.
    let run_count = r
        .stdout
        .split("time limit reached; ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("a case count");
    assert!(
        r.stdout
            .contains(&format!("--seed 3 --cases {run_count}\n")),
        "{}",
        r.stdout
    );
}

#[test]
fn ctrl_c_keeps_every_case_found() {
    let out = temp_dir("interrupt");
    let mut child = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["fuzz", "--adapter", &faulty("tilde-escaped"), "--seed", "5"])
        .args(["--cases", "100000000", "--time", "120", "--out"])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = child.stderr.take().expect("stderr");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut written = None;
    while written.is_none() && Instant::now() < deadline {
        if let Ok(line) = receiver.recv_timeout(Duration::from_secs(1)) {
            if let Some(rest) = line.strip_prefix("found: ") {
                if rest.starts_with(out.to_str().unwrap_or("?")) {
                    written = Some(line.clone());
                }
            }
        }
    }
    assert!(written.is_some(), "no case found within a minute");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the run did not stop after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(1));
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut stdout)
        .expect("stdout");
    assert!(stdout.starts_with("sigv4-conformance fuzz"), "{stdout}");
    assert!(stdout.contains("interrupted;"), "{stdout}");
    let dirs = case_dirs(&out);
    assert!(!dirs.is_empty());
    let loaded = sigv4_vectors::load_dir(&out).expect("every case written is complete");
    assert!(!loaded.is_empty());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_terminal_gets_a_progress_bar() {
    // `script` gives the command a terminal; skip where there is none.
    if Command::new("script").arg("--version").output().is_err() {
        return;
    }
    let command = format!(
        "{BIN} fuzz --adapter 'python3 tests/adapters/faulty_signer.py' --seed 2 --cases 50 --out {}",
        temp_dir("tty").display()
    );
    let out = Command::new("script")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\r\x1b[K["), "no bar: {text:?}");
    assert!(text.contains("50/50 cases"), "{text:?}");
    assert!(
        !text.contains("fuzz: 50/50"),
        "plain lines on a terminal: {text:?}"
    );
}

/// Generated requests, written as vectors and read back, are the same
/// requests, the reference passes them, and contested ones say so.
#[test]
fn generated_requests_survive_the_vector_format() {
    let all = [
        "header",
        "query",
        "session-token",
        "token-after-signing",
        "no-normalize-path",
        "no-double-encode",
        "content-sha256-header",
        "unsigned-payload",
    ]
    .map(str::to_owned);
    let signer = Signer::new();
    let (mut contested, mut folded, mut repeated, mut presigned, mut tabbed) = (0, 0, 0, 0, 0);
    for contested_too in [false, true] {
        let scope = generate::Scope::of_features(&all, contested_too);
        let strategy = generate::message(scope);
        let root = temp_dir(&format!("format-{contested_too}"));
        for index in 0..150u64 {
            let mut runner = TestRunner::new_with_rng(Config::default(), case_rng(9, index));
            let mut message = strategy.new_tree(&mut runner).expect("generates").current();
            if vector::unwritable(&message).is_some()
                || sigv4_conformance::reference::sign(&signer, &message).is_err()
            {
                continue;
            }
            message.id = String::new();
            let name = format!("case-{index}");
            let provenance = vector::Provenance {
                description: "A generated request.".into(),
                origin: "test".into(),
            };
            let dir = vector::write_case(&root, &name, &message, &provenance).expect("writes");
            let cases = sigv4_vectors::load_dir(&dir).expect("loads");
            assert_eq!(cases.len(), 1);
            let case = &cases[0];
            let mut back = sign_message(case);
            back.id = String::new();
            assert_eq!(back, message, "{}", dir.display());
            let result = reference_check::check_case(&signer, case);
            assert_eq!(result.verdict, Verdict::Pass, "{}", dir.display());
            contested += usize::from(result.contested.is_some());
            // Without `--contested`, nothing contested: no raw space or
            // UTF-8 on the request line, no tab in a header value.
            assert!(
                contested_too || result.contested.is_none(),
                "{}",
                dir.display()
            );
            tabbed += usize::from(
                message
                    .request
                    .headers
                    .iter()
                    .any(|(_, v)| v.contains('\t')),
            );
            assert_eq!(
                result.contested.is_some(),
                vector::contested_reason(&message).is_some()
            );
            folded += usize::from(
                message
                    .request
                    .headers
                    .iter()
                    .any(|(_, v)| v.contains('\n')),
            );
            let names: Vec<String> = message
                .request
                .headers
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect();
            repeated += usize::from(
                names
                    .iter()
                    .enumerate()
                    .any(|(i, n)| names[..i].contains(n)),
            );
            presigned += usize::from(case.location == sigv4_vectors::Location::Query);
        }
        let _ = std::fs::remove_dir_all(&root);
    }
    // The generator reaches the hard parts.
    assert!(contested > 0 && folded > 10 && repeated > 10 && presigned > 50 && tabbed > 0);
}

#[test]
fn an_interrupt_cuts_a_wait_short_and_records_no_finding() {
    let out = temp_dir("interrupted");
    let child = Command::new(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "fuzz",
            "--adapter",
            "python3 tests/adapters/misbehave.py --mode hang-all",
            "--seed",
            "1",
            "--cases",
            "5",
            "--timeout",
            "60",
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let (output, took) = crate::support::interrupt_after(child, std::time::Duration::from_secs(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(took < std::time::Duration::from_secs(5), "{stdout}");
    // The case the interrupt cut short is no disagreement of the adapter's.
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("found:"), "{stdout}");
    assert!(
        std::fs::read_dir(&out).map_or(true, |mut entries| entries.next().is_none()),
        "a case was written to {}",
        out.display()
    );
}
