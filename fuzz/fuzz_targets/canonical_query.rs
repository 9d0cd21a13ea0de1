//! Canonical query.
//! The properties are in `fuzz/props/src/targets/canonical_query.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::canonical_query::{check, Input};

fuzz_target!(|input: Input| check(&input));
