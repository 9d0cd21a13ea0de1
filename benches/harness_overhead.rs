//! The harness's own cost per case: checking every vector through an
//! adapter that answers instantly (the built-in reference adapter, one
//! process) against signing the same cases in process. Prints the time per
//! case of each and their ratio. Run: `cargo bench --bench harness_overhead`.

use sigv4_conformance::adapter::AdapterConfig;
use sigv4_conformance::adapter_check::check_all;
use sigv4_conformance::reference_check::check_case;
use sigv4_signer::Signer;
use std::time::{Duration, Instant};

fn main() {
    let cases = sigv4_vectors::embedded().expect("vectors");
    let binary = env!("CARGO_BIN_EXE_sigv4-conformance");
    let config = AdapterConfig {
        command: format!("{binary} reference-adapter"),
        oneshot: false,
        oneshot_features: Vec::new(),
        timeout: Duration::from_secs(10),
    };
    // `cargo bench` passes --bench; under `cargo test` this is a smoke run.
    let rounds = if std::env::args().any(|a| a == "--bench") {
        20
    } else {
        2
    };
    let signer = Signer::new();
    let start = Instant::now();
    for _ in 0..rounds {
        for case in &cases {
            std::hint::black_box(check_case(&signer, case));
        }
    }
    let in_process = start.elapsed() / (rounds * cases.len() as u32);
    let start = Instant::now();
    for _ in 0..rounds {
        let (results, _) = check_all(&config, &cases, 1);
        assert!(results
            .iter()
            .all(|r| r.verdict.name() == "pass" || r.contested.is_some()));
    }
    let through_adapter = start.elapsed() / (rounds * cases.len() as u32);
    println!("cases per round: {}", cases.len());
    println!("in-process reference check: {in_process:?} per case");
    println!("through the adapter protocol (process start included): {through_adapter:?} per case");
    println!(
        "harness overhead ratio: {:.1}x",
        through_adapter.as_secs_f64() / in_process.as_secs_f64()
    );
}
