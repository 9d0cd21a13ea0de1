//! Whole-request signing.
//! The properties are in `fuzz/props/src/targets/sign.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::sign::{check, Input};

fuzz_target!(|input: Input| check(&input));
