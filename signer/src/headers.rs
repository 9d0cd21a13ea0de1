//! Canonical headers and the signed-headers list: names lower-cased and
//! sorted, values trimmed with inner runs of spaces collapsed, folded
//! continuation lines joined with one space, repeated headers joined with
//! `,` in the order they arrived.

use crate::Error;
use std::cmp::Ordering;

/// Appends the canonical headers block (each `name:value\n`) to
/// `canonical` and the `;`-separated signed-header names to `signed`.
///
/// # Errors
/// [`Error::HeaderName`] for a name that is not an HTTP token,
/// [`Error::HeaderValue`] for a value with control characters or a line
/// break that does not start a folded continuation line.
pub fn canonical_headers(
    headers: &[(&str, &str)],
    canonical: &mut String,
    signed: &mut String,
) -> Result<(), Error> {
    for (name, value) in headers {
        check_name(name)?;
        check_value(name, value)?;
    }
    // A stable sort keeps repeated headers in arrival order.
    let mut order: Vec<usize> = (0..headers.len()).collect();
    order.sort_by(|&a, &b| cmp_lowercase(headers[a].0, headers[b].0));
    let mut previous: Option<&str> = None;
    for index in order {
        let (name, value) = headers[index];
        let repeated = previous.is_some_and(|p| p.eq_ignore_ascii_case(name));
        if repeated {
            canonical.push(',');
        } else {
            if previous.is_some() {
                canonical.push('\n');
                signed.push(';');
            }
            push_lowercase(name, canonical);
            canonical.push(':');
            push_lowercase(name, signed);
        }
        push_trimmed(value, canonical);
        previous = Some(name);
    }
    if previous.is_some() {
        canonical.push('\n');
    }
    Ok(())
}

/// Compares two header names as their lower-case forms compare.
pub(crate) fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

fn push_lowercase(name: &str, out: &mut String) {
    out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
}

/// RFC 9110 `tchar`.
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

fn check_name(name: &str) -> Result<(), Error> {
    if is_token(name) {
        Ok(())
    } else {
        Err(Error::HeaderName {
            name: name.to_owned(),
        })
    }
}

fn check_value(name: &str, value: &str) -> Result<(), Error> {
    let bytes = value.as_bytes();
    let fail = |reason| {
        Err(Error::HeaderValue {
            name: name.to_owned(),
            reason,
        })
    };
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'\r' if bytes.get(at + 1) != Some(&b'\n') => {
                return fail("a carriage return not followed by a line feed")
            }
            b'\n' if !matches!(bytes.get(at + 1), Some(b' ' | b'\t')) => {
                return fail("a line break not followed by a space or tab (not a folded line)")
            }
            b'\r' | b'\n' | b'\t' => {}
            0x00..=0x1f | 0x7f => return fail("a control character"),
            _ => {}
        }
    }
    Ok(())
}

/// Appends `value` with its ends trimmed and every run of spaces (and
/// folded line breaks with their indentation) replaced by one space. Only
/// the space character is trimmed, as AWS does: a tab is kept.
fn push_trimmed(value: &str, out: &mut String) {
    let mut pending_space = false;
    let mut written = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let is_space = match c {
            ' ' => true,
            '\r' | '\n' => {
                // A fold: the line break and the indentation that follows.
                while matches!(chars.peek(), Some('\n' | ' ' | '\t')) {
                    chars.next();
                }
                true
            }
            _ => false,
        };
        if is_space {
            pending_space = written;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        written = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(headers: &[(&str, &str)]) -> (String, String) {
        let (mut canonical, mut signed) = (String::new(), String::new());
        canonical_headers(headers, &mut canonical, &mut signed).unwrap();
        (canonical, signed)
    }

    #[test]
    fn lowercases_sorts_trims_and_joins() {
        let (c, s) = canonical(&[
            ("My-Header1", "  a   b  "),
            ("Host", "example.amazonaws.com"),
            ("my-header1", "c"),
            ("X-Multi", "value1\n  value2\r\n\tvalue3"),
        ]);
        assert_eq!(
            c,
            "host:example.amazonaws.com\nmy-header1:a b,c\nx-multi:value1 value2 value3\n"
        );
        assert_eq!(s, "host;my-header1;x-multi");
    }

    #[test]
    fn sorts_by_name_only() {
        let (_, s) = canonical(&[("x-amz-meta-test-two", "1"), ("x-amz-meta-test", "2")]);
        assert_eq!(s, "x-amz-meta-test;x-amz-meta-test-two");
    }

    #[test]
    fn tabs_are_not_spaces() {
        let (c, _) = canonical(&[("a", "\tx\t")]);
        assert_eq!(c, "a:\tx\t\n");
    }

    #[test]
    fn empty_values_are_kept() {
        let (c, _) = canonical(&[("a", "   "), ("a", "")]);
        assert_eq!(c, "a:,\n");
    }

    #[test]
    fn rejects_bad_names_and_values() {
        let (mut c, mut s) = (String::new(), String::new());
        for (name, value) in [
            ("", "x"),
            ("a b", "x"),
            ("a:", "x"),
            ("a", "x\ny"),
            ("a", "x\0"),
            ("a", "x\r"),
        ] {
            assert!(
                canonical_headers(&[(name, value)], &mut c, &mut s).is_err(),
                "{name:?}: {value:?}"
            );
        }
    }
}
