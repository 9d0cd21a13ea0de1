//! The cargo-fuzz targets (`fuzz/`) on stable Rust, without a fuzzer:
//! every target's seeds, committed corpus and regression inputs are
//! decoded exactly as libFuzzer's `fuzz_target!` decodes them and run
//! through the same property functions (`fuzz/props`); then a fixed number
//! of deterministic mutations of them (bit flips, dictionary tokens,
//! splices). `SIGV4_FUZZ_MUTATIONS=N` runs more mutations per target.

use sigv4_fuzz_props::model::Rng;
use sigv4_fuzz_props::targets::differential::{compare, Outcome};
use sigv4_fuzz_props::{decode, mutate, seeds, Target, TARGETS};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every input file of `target`: seeds, corpus, regressions.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["seeds", "corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    out
}

/// Runs `target` on `bytes`; the panic message on a failure.
fn failure(target: &Target, bytes: &[u8]) -> Option<String> {
    std::panic::catch_unwind(|| (target.run)(bytes))
        .err()
        .map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        })
}

#[test]
fn every_target_keeps_its_properties_on_its_seeds_corpus_and_regressions() {
    let mut failures = Vec::new();
    for target in TARGETS {
        let files = inputs(target.name);
        assert!(!files.is_empty(), "{}: no seeds", target.name);
        for (path, bytes) in &files {
            if let Some(message) = failure(target, bytes) {
                failures.push(format!(
                    "{}: {}\n  input: {}\n  {message}",
                    target.name,
                    path.display(),
                    (target.describe)(bytes)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_target_keeps_its_properties_on_mutated_inputs() {
    let per_target: usize = std::env::var("SIGV4_FUZZ_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let dict = mutate::parse_dict(
        &std::fs::read_to_string(fuzz_dir().join("sigv4.dict")).expect("fuzz/sigv4.dict"),
    );
    let mut failures = Vec::new();
    for (index, target) in TARGETS.iter().enumerate() {
        let corpus: Vec<Vec<u8>> = inputs(target.name).into_iter().map(|(_, b)| b).collect();
        let mut rng = Rng(0x5167_0000 + index as u64);
        for _ in 0..per_target {
            let base = &corpus[rng.below(corpus.len())];
            let bytes = mutate::mutate(base, &corpus, &dict, &mut rng);
            if let Some(message) = failure(target, &bytes) {
                failures.push(format!(
                    "{}: input {}\n  {message}",
                    target.name,
                    (target.describe)(&bytes)
                ));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seeds_are_up_to_date_with_the_vectors() {
    let root = fuzz_dir().join("seeds");
    let generated = seeds::generate_embedded();
    if std::env::var_os("SIGV4_FUZZ_WRITE_SEEDS").is_some() {
        seeds::write(&root, &generated).expect("write seeds");
    }
    let stale = seeds::stale(&root, &generated);
    assert!(
        stale.is_empty(),
        "fuzz/seeds is stale; rerun `cargo run --manifest-path fuzz/Cargo.toml -p \
         sigv4-fuzz-props --bin write-seeds`:\n{}",
        stale.join("\n")
    );
}

#[test]
fn seeds_decode_to_what_was_written() {
    // Each seed re-encodes to its own bytes: the encoder mirrors the
    // decoder `fuzz_target!` uses, so a seed is the input it was made from.
    use sigv4_fuzz_props::text::encode;
    for target in TARGETS {
        for (path, bytes) in inputs(target.name) {
            if !path.starts_with(fuzz_dir().join("seeds")) {
                continue;
            }
            let again = match target.name {
                "canonical_uri" => {
                    decode::<sigv4_fuzz_props::targets::canonical_uri::Input>(&bytes)
                        .map(|i| encode(&i))
                }
                "canonical_query" => {
                    decode::<sigv4_fuzz_props::targets::canonical_query::Input>(&bytes)
                        .map(|i| encode(&i))
                }
                "canonical_headers" => {
                    decode::<sigv4_fuzz_props::targets::canonical_headers::Input>(&bytes)
                        .map(|i| encode(&i))
                }
                "authorization" => {
                    decode::<sigv4_fuzz_props::targets::authorization::Input>(&bytes)
                        .map(|i| encode(&i))
                }
                "presigned" => decode::<sigv4_fuzz_props::targets::presigned::Input>(&bytes)
                    .map(|i| encode(&i)),
                _ => decode::<sigv4_fuzz_props::request::SignInput>(&bytes).map(|i| encode(&i)),
            };
            assert_eq!(again.as_deref(), Some(&bytes[..]), "{}", path.display());
        }
    }
}

#[test]
fn the_differential_target_compares_most_published_cases() {
    // Exclusions are explicit and counted: most vector requests are
    // compared with aws-sigv4, not excluded.
    let (mut agreed, mut excluded) = (0, Vec::new());
    for (path, bytes) in inputs("differential") {
        if !path.starts_with(fuzz_dir().join("seeds")) {
            continue;
        }
        let input = decode::<sigv4_fuzz_props::request::SignInput>(&bytes).expect("decodes");
        match compare(&input) {
            Outcome::Agreed => agreed += 1,
            Outcome::Excluded(reason) => excluded.push(format!("{}: {reason:?}", path.display())),
        }
    }
    assert!(
        agreed >= 70,
        "only {agreed} compared; excluded:\n{}",
        excluded.join("\n")
    );
}

#[test]
fn the_dictionary_parses() {
    let dict = mutate::parse_dict(
        &std::fs::read_to_string(fuzz_dir().join("sigv4.dict")).expect("fuzz/sigv4.dict"),
    );
    assert!(dict.len() > 80);
    assert!(dict.contains(&b"X-Amz-Signature".to_vec()));
    assert!(dict.contains(&b"\n ".to_vec()));
    assert!(dict.contains(&vec![0u8]));
}
