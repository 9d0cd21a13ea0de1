//! Rewrites `fuzz/seeds/<target>/` from the embedded vectors.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml -p sigv4-fuzz-props --bin write-seeds

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/")
        .join("seeds");
    let seeds = sigv4_fuzz_props::seeds::generate_embedded();
    match sigv4_fuzz_props::seeds::write(&root, &seeds) {
        Ok(count) => println!("wrote {count} seeds under {}", root.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
