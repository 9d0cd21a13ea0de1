//! Differential: our signer against crates.io `aws-sigv4` (1.3.8, the
//! The properties are in `fuzz/props/src/targets/differential.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::differential::{check, Input};

fuzz_target!(|input: Input| check(&input));
