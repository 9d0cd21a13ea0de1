//! The workspace's integration tests, one binary (as ripgrep and rustls
//! do). Each module says what belongs in it.

mod cli;
mod fuzz_command;
mod fuzz_regressions;
mod fuzz_replay;
mod properties;
mod reference_adapter;
mod reports;
mod serve;
mod shipped_adapters;
mod snapshots;
mod support;
mod test_adapters;
mod vectors;
mod verify;
