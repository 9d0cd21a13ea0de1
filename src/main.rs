use std::process::ExitCode;

fn main() -> ExitCode {
    sigv4_conformance::cli::main()
}
