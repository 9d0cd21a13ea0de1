//! Every published vector, every published stage, compared exactly with
//! the reference signer (`assert_eq!`, not snapshots: these values are
//! AWS's, not ours).

use sigv4_conformance::cases::sign_message;
use sigv4_conformance::reference;
use sigv4_conformance::reference_check::reference_stages;
use sigv4_conformance::stages::Stages;
use sigv4_signer::Signer;
use sigv4_vectors::{Case, Location};

fn embedded() -> Vec<Case> {
    sigv4_vectors::embedded().expect("embedded vectors load")
}

#[test]
fn the_embedded_set_is_complete() {
    // Guards against data being lost: deleting vectors must turn CI red.
    let cases = embedded();
    let count = |suite: &str, location: Location| {
        cases
            .iter()
            .filter(|c| c.suite() == suite && c.location == location)
            .count()
    };
    assert_eq!(count("aws-v4", Location::Header), 41);
    assert_eq!(count("aws-v4", Location::Query), 38);
    assert_eq!(count("aws-2015", Location::Header), 34);
    assert_eq!(count("aws-2015", Location::Query), 0);
    assert_eq!(count("authored", Location::Header), 8);
    assert_eq!(count("authored", Location::Query), 8);
}

/// Published values the reference deliberately does not reproduce, each
/// with its reason. The test below checks that they still differ, so this
/// list can never hide a real change.
const KNOWN_REFERENCE_DIFFERENCES: &[(&str, &str)] = &[
    (
        "aws-v4/get-space-normalized/header",
        "request.txt holds /example%20space/, already encoded; double encoding gives %2520 \
         but the vector expects %20 (contested; aws-sigv4 skips it too)",
    ),
    (
        "aws-v4/get-space-normalized/query",
        "as for the header variant",
    ),
];

#[test]
fn known_reference_differences_still_differ_and_are_contested() {
    let signer = Signer::new();
    for (id, _) in KNOWN_REFERENCE_DIFFERENCES {
        let case = embedded()
            .into_iter()
            .find(|c| c.id == *id)
            .expect("case exists");
        assert_eq!(
            case.context.status,
            sigv4_vectors::Status::Contested,
            "{id}"
        );
        let actual = reference_stages(&signer, &case).expect("signs");
        let expected = Stages::of_expected(&case.expected);
        assert_ne!(expected.canonical_request, actual.canonical_request, "{id}");
    }
}

#[test]
fn every_published_stage_matches_the_reference() {
    let signer = Signer::new();
    let mut compared = 0;
    for case in embedded() {
        if KNOWN_REFERENCE_DIFFERENCES
            .iter()
            .any(|(id, _)| *id == case.id)
        {
            continue;
        }
        let actual = reference_stages(&signer, &case)
            .unwrap_or_else(|e| panic!("{}: the reference refused the case: {e}", case.id));
        let expected = Stages::of_expected(&case.expected);
        let pairs = [
            ("scope", &expected.scope, &actual.scope),
            (
                "signed headers",
                &expected.signed_headers,
                &actual.signed_headers,
            ),
            (
                "canonical request",
                &expected.canonical_request,
                &actual.canonical_request,
            ),
            (
                "string to sign",
                &expected.string_to_sign,
                &actual.string_to_sign,
            ),
            ("signature", &expected.signature, &actual.signature),
            (
                "signed request",
                &expected.signed_request,
                &actual.signed_request,
            ),
        ];
        for (stage, expected, actual) in pairs {
            if let Some(expected) = expected {
                assert_eq!(Some(expected), actual.as_ref(), "{}: {stage}", case.id);
                compared += 1;
            }
        }
        assert!(
            case.expected.signature.is_some() || case.expected.canonical_request.is_some(),
            "{}: nothing published to compare",
            case.id
        );
    }
    assert!(compared > 400, "only {compared} stages compared");
}

#[test]
fn the_lean_signing_headers_give_every_published_header_signature() {
    // `Signer::signing_headers` canonicalizes from the borrowed request, a
    // pipeline of its own: every header-signed case, every published
    // stage it exposes.
    let signer = Signer::new();
    let mut compared = 0;
    for case in embedded() {
        let known = KNOWN_REFERENCE_DIFFERENCES
            .iter()
            .any(|(id, _)| *id == case.id);
        if known || case.location != Location::Header {
            continue;
        }
        let message = sign_message(&case);
        let lean = reference::signing_headers(&signer, &message)
            .unwrap_or_else(|e| panic!("{}: the lean form refused the case: {e}", case.id));
        let expected = Stages::of_expected(&case.expected);
        let pairs = [
            ("scope", &expected.scope, lean.credential_scope()),
            (
                "signed headers",
                &expected.signed_headers,
                lean.signed_headers(),
            ),
            (
                "canonical request",
                &expected.canonical_request,
                lean.canonical_request(),
            ),
            (
                "string to sign",
                &expected.string_to_sign,
                lean.string_to_sign(),
            ),
            ("signature", &expected.signature, lean.signature()),
        ];
        for (stage, expected, actual) in pairs {
            if let Some(expected) = expected {
                assert_eq!(expected, actual, "{}: {stage}", case.id);
                compared += 1;
            }
        }
        // And the full signer's request to send is the caller's headers
        // with the lean ones set on them: the same names removed, these
        // appended.
        let full = reference::sign(&signer, &message).expect("signs");
        let set: Vec<(&str, &str)> = lean.iter().collect();
        let sent: Vec<(String, String)> = message
            .request
            .headers
            .iter()
            .filter(|(name, _)| !set.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
            .cloned()
            .chain(set.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())))
            .collect();
        assert_eq!(sent, full.request.headers, "{}: headers sent", case.id);
    }
    assert!(compared > 200, "only {compared} stages compared");
}

#[test]
fn every_signed_request_was_published_and_parsed() {
    // A published signed request that fails to parse would silently not be
    // compared; make that visible.
    for case in embedded() {
        if case.expected.signed_request.is_some() {
            assert!(
                Stages::of_expected(&case.expected).signed_request.is_some(),
                "{}: the published signed request does not parse",
                case.id
            );
        }
    }
}

#[test]
fn every_case_names_the_rules_vectors_readme_says_every_case_has() {
    for case in embedded() {
        let rules = &case.context.rules;
        let mut wanted = vec!["payload.hash", "scope", "signing-key"];
        if case.location == sigv4_vectors::Location::Query {
            wanted.push("presign");
        }
        for rule in wanted {
            assert!(
                rules.iter().any(|r| r == rule),
                "{}: no {rule} in {rules:?}",
                case.id
            );
        }
    }
}

#[test]
fn ids_are_unique_and_named_after_their_directory() {
    let cases = embedded();
    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), cases.len());
    for case in &cases {
        assert_eq!(case.id, format!("{}/{}", case.dir, case.location.as_str()));
    }
    assert!(ids.contains(&"aws-v4/get-vanilla-query/header"));
    assert!(ids.contains(&"aws-2015/get-vanilla-query/header"));
    assert!(ids.contains(&"aws-2015/normalize-path/get-space/header"));
}

#[test]
fn contested_cases_are_the_raw_request_line_ones_and_raw_s3_reserved() {
    let contested: Vec<String> = embedded()
        .into_iter()
        .filter(|c| c.context.status == sigv4_vectors::Status::Contested)
        .map(|c| c.dir)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        contested,
        [
            "authored/s3-path-raw-reserved",
            "aws-2015/get-utf8",
            "aws-2015/normalize-path/get-space",
            "aws-v4/get-space-normalized",
            "aws-v4/get-space-unnormalized",
            "aws-v4/get-utf8",
        ]
    );
}
