//! Canonical headers.
//!
//! Properties: never panics; refuses exactly the names that are not HTTP
//! tokens and the values with control characters or line breaks that are
//! not folds; equals an independent model (names lower-cased, sorted and
//! unique, values unfolded, trimmed and collapsed, repeated headers joined
//! with `,` in arrival order); the same for any letter case of the names
//! and any order that keeps repeated headers in their relative order.

use crate::model::{self, Rng};
use crate::text::Text;
use sigv4_signer::canonical_headers;

crate::input! {
    /// Header lines in wire order, and seeds for re-casing and reordering.
    pub struct Input {
        pub headers: Vec<(Text, Text)>,
        pub recase: u32,
        pub shuffle: u32,
    }
}

fn canonical(headers: &[(&str, &str)]) -> Option<(String, String)> {
    let (mut block, mut names) = (String::new(), String::new());
    canonical_headers(headers, &mut block, &mut names)
        .ok()
        .map(|()| (block, names))
}

/// Checks every property for `input`; panics on a violation.
pub fn check(input: &Input) {
    let headers: Vec<(&str, &str)> = input
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let out = canonical(&headers);
    assert_eq!(
        out,
        model::canonical_headers(&headers),
        "differs from the model"
    );
    let Some((block, names)) = out else { return };
    for line in block.lines() {
        let (_, value) = line.split_once(':').expect("name:value");
        assert!(
            !value.starts_with(' ') && !value.ends_with(' ') && !value.contains("  "),
            "{line:?}: not trimmed"
        );
    }
    let listed: Vec<&str> = names.split(';').collect();
    assert!(
        listed.windows(2).all(|w| w[0] < w[1]),
        "{names:?}: not sorted and unique"
    );

    // Any letter case of the names.
    let mut rng = Rng(u64::from(input.recase));
    let recased: Vec<(String, &str)> = headers
        .iter()
        .map(|(n, v)| {
            let name: String = n
                .chars()
                .map(|c| {
                    if rng.next_u64() & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect();
            (name, *v)
        })
        .collect();
    let recased: Vec<(&str, &str)> = recased.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    assert_eq!(
        canonical(&recased),
        Some((block.clone(), names.clone())),
        "depends on the case of the names: {recased:?}"
    );

    // Any order that keeps repeated headers in arrival order.
    let mut order: Vec<usize> = (0..headers.len()).collect();
    Rng(u64::from(input.shuffle)).shuffle(&mut order);
    let mut queues: std::collections::BTreeMap<String, std::collections::VecDeque<usize>> =
        Default::default();
    for (i, (n, _)) in headers.iter().enumerate() {
        queues
            .entry(n.to_ascii_lowercase())
            .or_default()
            .push_back(i);
    }
    let reordered: Vec<(&str, &str)> = order
        .iter()
        .map(|&slot| {
            let name = headers[slot].0.to_ascii_lowercase();
            let next = queues
                .get_mut(&name)
                .and_then(|q| q.pop_front())
                .expect("one per slot");
            headers[next]
        })
        .collect();
    assert_eq!(
        canonical(&reordered),
        Some((block, names)),
        "depends on the order of the headers: {reordered:?}"
    );
}
