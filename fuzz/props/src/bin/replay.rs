//! Replays inputs through the targets on any toolchain, and optionally
//! mutates them (a stand-in for a fuzzer where there is no nightly):
//!
//! ```text
//! cargo run --release --manifest-path fuzz/Cargo.toml -p sigv4-fuzz-props --bin replay -- \
//!     [--mutate N] [--seed S] [TARGET...]
//! ```
//!
//! Inputs: `fuzz/seeds/<target>/`, `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/`. A failing input is written to
//! `fuzz/artifacts/<target>/replay-<n>` and printed as Rust source.

use sigv4_fuzz_props::{model::Rng, mutate, TARGETS};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut mutations, mut seed, mut names) = (0usize, 1u64, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mutate" => mutations = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            "--seed" => seed = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            name => names.push(name.to_owned()),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/")
        .to_path_buf();
    let dict =
        mutate::parse_dict(&std::fs::read_to_string(root.join("sigv4.dict")).unwrap_or_default());
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
    let mut failed = false;
    for target in TARGETS
        .iter()
        .filter(|t| names.is_empty() || names.iter().any(|n| n == t.name))
    {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for dir in ["seeds", "corpus", "regressions"] {
            if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target.name)) {
                for entry in entries.flatten() {
                    if let Ok(bytes) = std::fs::read(entry.path()) {
                        inputs.push(bytes);
                    }
                }
            }
        }
        let started = Instant::now();
        let mut rng = Rng(seed);
        let mut failures = 0;
        let total = inputs.len() + mutations;
        for i in 0..total {
            let bytes = if i < inputs.len() {
                inputs[i].clone()
            } else if inputs.is_empty() {
                Vec::new()
            } else {
                let base = &inputs[rng.below(inputs.len())];
                mutate::mutate(base, &inputs, &dict, &mut rng)
            };
            if std::panic::catch_unwind(|| (target.run)(&bytes)).is_err() {
                failures += 1;
                failed = true;
                let dir = root.join("artifacts").join(target.name);
                let _ = std::fs::create_dir_all(&dir);
                let path = dir.join(format!("replay-{i}"));
                let _ = std::fs::write(&path, &bytes);
                let message = LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default();
                println!(
                    "{}: FAILED on {}\n  input: {}\n  {}",
                    target.name,
                    path.display(),
                    (target.describe)(&bytes),
                    message.replace('\n', "\n  ")
                );
                if failures >= 3 {
                    break;
                }
            }
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{}: {} inputs ({} files, {} mutations), {} failed, {:.1} s, {:.0} execs/s",
            target.name,
            total,
            inputs.len(),
            mutations,
            failures,
            secs,
            total as f64 / secs.max(1e-9)
        );
    }
    std::process::exit(i32::from(failed));
}
