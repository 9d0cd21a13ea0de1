//! `Authorization` header parsing (`verify::parse_authorization`).
//! The properties are in `fuzz/props/src/targets/authorization.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigv4_fuzz_props::targets::authorization::{check, Input};

fuzz_target!(|input: Input| check(&input));
