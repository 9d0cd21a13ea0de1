//! Presigned-URL parsing (`verify::parse_presigned`).
//! The properties are in `fuzz/props/src/targets/presigned.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::presigned::{check, Input};

fuzz_target!(|input: Input| check(&input));
