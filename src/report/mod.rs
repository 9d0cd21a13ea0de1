//! Rendering results: a human table, JSON (the contract's schema) and
//! JUnit XML for CI; redaction of secrets before anything is written.

pub mod human;
pub mod json;
pub mod junit;
pub mod matrix;
pub mod redact;
