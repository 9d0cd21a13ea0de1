//! Canonical URI: normalization, single and double encoding.
//! The properties are in `fuzz/props/src/targets/canonical_uri.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::canonical_uri::{check, Input};

fuzz_target!(|input: Input| check(&input));
