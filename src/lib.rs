//! `sigv4-conformance`: checks AWS Signature Version 4 signers against the
//! published vectors and the reference signer, through the adapter
//! protocol (`docs/adapter-protocol.md`), and says which rule was broken.
#![forbid(unsafe_code)]

pub mod adapter;
pub mod adapter_check;
pub mod baseline;
pub mod cases;
pub mod cli;
pub mod diagnose;
pub mod diff;
pub mod explain;
pub mod files;
pub mod fuzz;
pub mod interrupt;
pub mod program;
pub mod protocol;
pub mod reference;
pub mod reference_adapter;
pub mod reference_check;
pub mod report;
pub mod select;
pub mod serve;
pub mod stages;
pub mod verdict;
