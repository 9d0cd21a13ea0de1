//! The fuzz targets of `sigv4-conformance` as plain functions: each
//! target's input type (`#[derive(Arbitrary)]`, with a `Debug` that prints
//! a ready-to-paste Rust expression) and its `check`, which panics when a
//! property fails. The cargo-fuzz binaries in `fuzz/fuzz_targets/` are
//! one-line wrappers, and the main workspace's `cargo test`
//! (`tests/fuzz_replay.rs`) runs the same functions over the seeds, the
//! corpus and the regressions on stable Rust, decoding the bytes exactly as
//! libFuzzer's `fuzz_target!` does.
#![forbid(unsafe_code)]

pub mod model;
pub mod mutate;
pub mod request;
pub mod seeds;
pub mod text;

/// One module per target.
pub mod targets {
    pub mod authorization;
    pub mod canonical_headers;
    pub mod canonical_query;
    pub mod canonical_uri;
    pub mod differential;
    pub mod presigned;
    pub mod round_trip;
    pub mod sign;
}

use arbitrary::{Arbitrary, Unstructured};
use std::fmt::Debug;

/// A target as the replay sees it.
#[derive(Clone, Copy)]
pub struct Target {
    /// The cargo-fuzz binary name (and the corpus directory name).
    pub name: &'static str,
    /// Decodes the bytes as `fuzz_target!` does and checks the properties
    /// (panics on a violation). Inputs too short to decode are ignored.
    pub run: fn(&[u8]),
    /// The decoded input as Rust source, or why it does not decode.
    pub describe: fn(&[u8]) -> String,
}

/// Decodes `bytes` exactly as libfuzzer-sys 0.4's `fuzz_target!` does.
pub fn decode<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

fn describe_as<T: for<'a> Arbitrary<'a> + Debug>(bytes: &[u8]) -> String {
    match decode::<T>(bytes) {
        Some(input) => format!("{input:?}"),
        None => "(too short to decode; ignored)".into(),
    }
}

macro_rules! targets {
    ($($name:ident),*) => {
        /// Every target, in the order of `fuzz/Cargo.toml`.
        pub const TARGETS: &[Target] = &[$(
            Target {
                name: stringify!($name),
                run: |bytes| {
                    if let Some(input) = decode::<targets::$name::Input>(bytes) {
                        targets::$name::check(&input);
                    }
                },
                describe: describe_as::<targets::$name::Input>,
            }
        ),*];
    };
}

targets!(
    canonical_uri,
    canonical_query,
    canonical_headers,
    authorization,
    presigned,
    sign,
    round_trip,
    differential
);

/// The target named `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().copied().find(|t| t.name == name)
}
