//! How to name this program in the commands it prints (`replay:`, `rerun:`,
//! `explain ID` hints), so that a reader can paste them as they are.

/// This program as a command: by its name when that is on `PATH`, else by
/// the path it was started with (`target/release/sigv4-conformance` under
/// `cargo run`), quoted when it holds a space.
pub fn this_program() -> String {
    const NAME: &str = "sigv4-conformance";
    let on_path = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(NAME).is_file()));
    let started_as = std::env::args().next().unwrap_or_default();
    if on_path || !started_as.contains('/') {
        NAME.to_owned()
    } else if started_as.contains(' ') {
        format!("{started_as:?}")
    } else {
        started_as
    }
}
