//! Sign, then verify (`verify::verify`).
//! The properties are in `fuzz/props/src/targets/round_trip.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::round_trip::{check, Input};

fuzz_target!(|input: Input| check(&input));
