//! The canonical query string: every parameter percent-decoded and
//! re-encoded with the unreserved set, sorted by encoded name then encoded
//! value, a parameter without `=` signed as `name=`.
//!
//! Parameters are sorted as slices of their input, compared by streaming
//! their canonical bytes ([`Encoded`]) unless they are canonical already
//! (then as plain slices), and encoded once, straight into the output: no
//! intermediate buffer, and no heap allocation at all for up to 16
//! parameters.

use crate::encode::{encoded_len, is_unreserved, push_encoded, with_scratch, Encoded, Form};
use std::cmp::Ordering;

/// Appends the canonical form of the wire query `query` (without `?`) plus
/// `extra` parameters, whose names and values are given unencoded (the
/// `X-Amz-*` parameters of a presigned URL), to `out`.
pub fn canonical_query(query: &str, extra: &[(&str, &str)], out: &mut String) {
    let count = wire_param_count(query) + extra.len();
    with_scratch::<Param<'_>, PARAMS_ON_STACK, _>(count, |params| {
        let mut filled = fill_wire_params(query, params);
        for (slot, &(name, value)) in params[filled..].iter_mut().zip(extra) {
            *slot = Param {
                name,
                value,
                form: Form::Plain,
            };
            filled += 1;
        }
        write_canonical_query(&mut params[..filled], out);
    });
}

/// Parameters sorted on the stack; more go to the heap.
pub(crate) const PARAMS_ON_STACK: usize = 16;

/// One parameter: its name and value as given, and how they are encoded.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Param<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    pub(crate) form: Form,
}

impl Param<'_> {
    /// The length of `name=value` in canonical form.
    pub(crate) fn encoded_len(&self) -> usize {
        match self.form {
            Form::Canonical => self.name.len() + 1 + self.value.len(),
            form => {
                encoded_len(self.name.as_bytes(), form)
                    + 1
                    + encoded_len(self.value.as_bytes(), form)
            }
        }
    }

    fn cmp_canonical(&self, other: &Param<'_>) -> Ordering {
        // Both canonical already (almost always): plain slice comparisons.
        if self.form == Form::Canonical && other.form == Form::Canonical {
            return (self.name, self.value).cmp(&(other.name, other.value));
        }
        fn encoded(text: &str, form: Form) -> Encoded<'_> {
            Encoded::new(text.as_bytes(), form)
        }
        encoded(self.name, self.form)
            .cmp(encoded(other.name, other.form))
            .then_with(|| encoded(self.value, self.form).cmp(encoded(other.value, other.form)))
    }
}

/// At least the number of non-empty parameters of a wire query.
pub(crate) fn wire_param_count(query: &str) -> usize {
    if query.is_empty() {
        return 0;
    }
    query.bytes().filter(|&b| b == b'&').count() + 1
}

/// Writes the non-empty parameters of a wire query into `params`, in
/// order; returns how many. One pass over the query finds the `&`s, the
/// first `=` of each pair, and whether the pair is canonical already
/// (then sorting and copying it is cheaper).
pub(crate) fn fill_wire_params<'a>(query: &'a str, params: &mut [Param<'a>]) -> usize {
    let bytes = query.as_bytes();
    let mut filled = 0;
    let mut start = 0;
    let mut equals = None;
    let mut canonical = true;
    let mut at = 0;
    loop {
        while at < bytes.len() && is_unreserved(bytes[at]) {
            at += 1;
        }
        match bytes.get(at) {
            None | Some(b'&') => {
                if at > start && filled < params.len() {
                    let (name_end, value_start) = equals.map_or((at, at), |e| (e, e + 1));
                    // Every bound is at an ASCII byte: whole characters.
                    params[filled] = Param {
                        name: query.get(start..name_end).unwrap_or_default(),
                        value: query.get(value_start..at).unwrap_or_default(),
                        form: if canonical {
                            Form::Canonical
                        } else {
                            Form::Wire
                        },
                    };
                    filled += 1;
                }
                if at >= bytes.len() {
                    return filled;
                }
                at += 1;
                start = at;
                equals = None;
                canonical = true;
            }
            Some(b'=') if equals.is_none() => {
                equals = Some(at);
                at += 1;
            }
            Some(b'%') if is_canonical_escape(bytes, at) => at += 3,
            Some(_) => {
                canonical = false;
                at += 1;
            }
        }
    }
}

/// Whether `wire[at..]` starts with an escape that re-encoding keeps as
/// it is: upper-case hex of a byte that is not unreserved.
fn is_canonical_escape(wire: &[u8], at: usize) -> bool {
    let upper_hex = |b: Option<&u8>| matches!(b, Some(b'0'..=b'9' | b'A'..=b'F'));
    upper_hex(wire.get(at + 1))
        && upper_hex(wire.get(at + 2))
        && crate::encode::escape_at(wire, at).is_some_and(|decoded| !is_unreserved(decoded))
}

/// The length of the canonical query of `params`.
pub(crate) fn canonical_query_len(params: &[Param<'_>]) -> usize {
    params
        .iter()
        .map(|p| p.encoded_len() + 1)
        .sum::<usize>()
        .saturating_sub(1)
}

/// Sorts `params` and appends their canonical query to `out`.
pub(crate) fn write_canonical_query(params: &mut [Param<'_>], out: &mut String) {
    params.sort_unstable_by(|a, b| a.cmp_canonical(b));
    for (index, param) in params.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        push_encoded(param.name, param.form, out);
        out.push('=');
        push_encoded(param.value, param.form, out);
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
