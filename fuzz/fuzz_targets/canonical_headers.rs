//! Canonical headers.
//! The properties are in `fuzz/props/src/targets/canonical_headers.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::canonical_headers::{check, Input};

fuzz_target!(|input: Input| check(&input));
