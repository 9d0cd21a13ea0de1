//! The canonical query string: every parameter percent-decoded and
//! re-encoded with the unreserved set, sorted by encoded name then encoded
//! value, a parameter without `=` signed as `name=`.

use crate::encode::{reencode, uri_encode};
use std::ops::Range;

/// Appends the canonical form of the wire query `query` (without `?`) plus
/// `extra` parameters, whose names and values are given unencoded (the
/// `X-Amz-*` parameters of a presigned URL), to `out`.
pub fn canonical_query(query: &str, extra: &[(&str, &str)], out: &mut String) {
    // Encode every parameter once into one buffer and sort ranges into it:
    // two allocations whatever the number of parameters.
    let mut encoded = String::with_capacity(query.len() + 64 * extra.len());
    let mut params: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name_start = encoded.len();
        reencode(name.as_bytes(), &mut encoded);
        let value_start = encoded.len();
        reencode(value.as_bytes(), &mut encoded);
        params.push((name_start..value_start, value_start..encoded.len()));
    }
    for (name, value) in extra {
        let name_start = encoded.len();
        uri_encode(name.as_bytes(), false, &mut encoded);
        let value_start = encoded.len();
        uri_encode(value.as_bytes(), false, &mut encoded);
        params.push((name_start..value_start, value_start..encoded.len()));
    }
    params.sort_unstable_by(|(name_a, value_a), (name_b, value_b)| {
        (&encoded[name_a.clone()], &encoded[value_a.clone()])
            .cmp(&(&encoded[name_b.clone()], &encoded[value_b.clone()]))
    });
    for (index, (name, value)) in params.into_iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(&encoded[name]);
        out.push('=');
        out.push_str(&encoded[value]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(query: &str) -> String {
        let mut out = String::new();
        canonical_query(query, &[], &mut out);
        out
    }

    #[test]
    fn sorts_by_encoded_name_then_value() {
        assert_eq!(
            canonical("Param-3=Value3&Param=Value2&%E1%88%B4=Value1"),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
        assert_eq!(canonical("a=2&a=1&A=3"), "A=3&a=1&a=2");
    }

    #[test]
    fn valueless_and_empty_parameters() {
        assert_eq!(canonical("acl"), "acl=");
        assert_eq!(canonical("a=&&b"), "a=&b=");
        assert_eq!(canonical(""), "");
        assert_eq!(canonical("=v"), "=v");
    }

    #[test]
    fn plus_is_a_literal_plus() {
        assert_eq!(canonical("q=a+b c"), "q=a%2Bb%20c");
    }

    #[test]
    fn extra_parameters_are_encoded_not_decoded() {
        let mut out = String::new();
        canonical_query("b=1", &[("X-Amz-Credential", "A/2015%")], &mut out);
        assert_eq!(out, "X-Amz-Credential=A%2F2015%25&b=1");
    }
}
