//! Canonical query.
//!
//! Properties: never panics; equals an independent model (decode each
//! name and value once, encode with the unreserved set, sort by name then
//! value, `k=` for a valueless parameter); only unreserved characters,
//! upper-case `%XX`, `=` and `&`; one pair per non-empty wire parameter and
//! per extra parameter; sorted; idempotent; independent of the order of the
//! wire parameters.

use crate::model::{self, Rng};
use crate::text::Text;
use sigv4_signer::canonical_query;

crate::input! {
    /// A wire query (without `?`), extra unencoded parameters (as a
    /// presigned URL adds them), and a seed for shuffling the parameters.
    pub struct Input {
        pub query: Text,
        pub extra: Vec<(Text, Text)>,
        pub shuffle: u32,
    }
}

fn canonical(query: &str, extra: &[(&str, &str)]) -> String {
    let mut out = String::new();
    canonical_query(query, extra, &mut out);
    out
}

/// Checks every property for `input`; panics on a violation.
pub fn check(input: &Input) {
    let extra: Vec<(&str, &str)> = input
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let out = canonical(&input.query, &extra);
    let owned: Vec<(String, String)> = input
        .extra
        .iter()
        .map(|(k, v)| (k.0.clone(), v.0.clone()))
        .collect();
    assert_eq!(
        out,
        model::canonical_query(&input.query, &owned),
        "differs from the model"
    );
    let bytes = out.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = &bytes[at + 1..at + 3];
            assert!(
                hex.iter()
                    .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)),
                "{out:?}: not an upper-case escape"
            );
            at += 3;
        } else {
            assert!(
                model::unreserved(bytes[at]) || bytes[at] == b'=' || bytes[at] == b'&',
                "{out:?}: byte {:#04x} is not encoded",
                bytes[at]
            );
            at += 1;
        }
    }
    let wire: Vec<&str> = input.query.split('&').filter(|p| !p.is_empty()).collect();
    let pairs: Vec<(&str, &str)> = if out.is_empty() {
        Vec::new()
    } else {
        out.split('&')
            .map(|p| p.split_once('=').expect("every pair has ="))
            .collect()
    };
    assert_eq!(pairs.len(), wire.len() + extra.len(), "{out:?}: pair count");
    assert!(
        pairs.windows(2).all(|w| w[0] <= w[1]),
        "{out:?}: not sorted"
    );
    assert_eq!(canonical(&out, &[]), out, "not idempotent");
    let mut shuffled = wire.clone();
    Rng(u64::from(input.shuffle)).shuffle(&mut shuffled);
    assert_eq!(
        canonical(&shuffled.join("&"), &extra),
        out,
        "depends on the order of the parameters ({shuffled:?})"
    );
}
