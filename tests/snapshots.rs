//! insta snapshots of every intermediate the reference computes for every
//! vector, including those no vector publishes (signing key, Authorization
//! header, presigned query, the signed request). Published values are
//! checked with `assert_eq!` in `vectors.rs`; these snapshots guard what we
//! compute beyond them and were reviewed when accepted.

use sigv4_conformance::cases::sign_message;
use sigv4_conformance::reference;
use sigv4_signer::Signer;
use std::path::Path;

fn case_dir_name(path: &Path) -> String {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/data");
    path.parent()
        .and_then(|dir| dir.strip_prefix(&data).ok())
        .map(|dir| dir.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

#[test]
fn reference_intermediates() {
    let cases = sigv4_vectors::embedded().expect("embedded vectors load");
    let signer = Signer::new();
    insta::glob!("../vectors/data", "**/context.json", |path| {
        let dir = case_dir_name(path);
        let mut found = 0;
        for case in cases.iter().filter(|c| c.dir == dir) {
            found += 1;
            let signed = reference::sign(&signer, &sign_message(case))
                .unwrap_or_else(|e| panic!("{}: {e}", case.id));
            let loc = case.location.as_str();
            let mut headers = String::new();
            for (name, value) in &signed.request.headers {
                headers.push_str(&format!("{name}:{value}\n"));
            }
            let signed_request = format!(
                "{} {}{}{}\n{headers}",
                signed.request.method,
                signed.request.path,
                if signed.request.query.is_empty() {
                    ""
                } else {
                    "?"
                },
                signed.request.query
            );
            insta::assert_snapshot!(format!("{loc}-canonical-request"), signed.canonical_request);
            insta::assert_snapshot!(format!("{loc}-string-to-sign"), signed.string_to_sign);
            insta::assert_snapshot!(format!("{loc}-signing-key"), signed.signing_key.to_hex());
            insta::assert_snapshot!(format!("{loc}-signature"), signed.signature);
            insta::assert_snapshot!(format!("{loc}-signed-request"), signed_request);
        }
        assert!(found > 0, "{dir}: no case loaded for this directory");
    });
}

#[test]
fn no_snapshot_is_stale() {
    // insta reports missing or changed snapshots; this catches the third
    // kind: a snapshot whose case or stage no longer exists.
    let cases = sigv4_vectors::embedded().expect("embedded vectors load");
    let expected: std::collections::BTreeSet<String> = cases
        .iter()
        .flat_map(|case| {
            let path = format!("{}/context.json", case.dir).replace('/', "__");
            let loc = case.location.as_str();
            [
                "canonical-request",
                "string-to-sign",
                "signing-key",
                "signature",
                "signed-request",
            ]
            .map(|stage| format!("main__snapshots__{loc}-{stage}@{path}.snap"))
        })
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/snapshots exists") {
        let name = entry
            .expect("readable")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(expected.contains(&name), "stale snapshot {name}: delete it");
        found += 1;
    }
    assert_eq!(found, expected.len(), "snapshots are missing");
}
