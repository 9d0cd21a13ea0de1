//! Canonical headers and the signed-headers list: names lower-cased and
//! sorted, values trimmed with inner runs of spaces collapsed, folded
//! continuation lines joined with one space, repeated headers joined with
//! `,` in the order they arrived.
//!
//! Headers are sorted as indices (on the stack for up to 32 headers) and
//! written straight into the caller's buffers: no per-header allocation.

use crate::encode::with_scratch;
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
        check_header(name, value)?;
    }
    let (block, names) = canonical_headers_len(headers, |_| true);
    canonical.reserve(block);
    signed.reserve(names);
    with_scratch::<u32, HEADERS_ON_STACK, _>(headers.len(), |order| {
        sort_headers(headers, |_| true, order);
        let start = signed.len();
        write_signed_names(headers, order, signed);
        write_header_block(
            headers,
            order,
            signed.get(start..).unwrap_or_default(),
            canonical,
        );
    });
    Ok(())
}

/// Headers sorted on the stack; more go to the heap.
pub(crate) const HEADERS_ON_STACK: usize = 32;

/// Checks one header: its name, then its value.
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), Error> {
    check_name(name)?;
    check_value(name, value)
}

/// Upper bounds of the lengths of the canonical block and of the signed
/// names of the headers that `include` keeps.
pub(crate) fn canonical_headers_len<N: AsRef<str>, V: AsRef<str>>(
    headers: &[(N, V)],
    include: impl Fn(&str) -> bool,
) -> (usize, usize) {
    headers
        .iter()
        .filter(|(name, _)| include(name.as_ref()))
        .fold((0, 0), |(block, names), (name, value)| {
            let (name, value) = (name.as_ref(), value.as_ref());
            (block + name.len() + value.len() + 2, names + name.len() + 1)
        })
}

/// Fills `order` (as long as the number of headers `include` keeps) with
/// the indices of those headers sorted by lower-case name; repeated
/// headers stay in arrival order.
pub(crate) fn sort_headers<N: AsRef<str>, V>(
    headers: &[(N, V)],
    include: impl Fn(&str) -> bool,
    order: &mut [u32],
) {
    let kept = (0u32..)
        .zip(headers)
        .filter(|(_, (name, _))| include(name.as_ref()));
    for (slot, (index, _)) in order.iter_mut().zip(kept) {
        *slot = index;
    }
    let name = |i: u32| {
        headers
            .get(i as usize)
            .map_or("", |(name, _)| name.as_ref())
    };
    if order.len() > HEADERS_ON_STACK {
        order.sort_by(|&a, &b| cmp_lowercase(name(a), name(b)));
        return;
    }
    // Insertion sort: stable, allocation-free, and the fastest for the few
    // headers a request has.
    for sorted in 1..order.len() {
        let mut at = sorted;
        while at > 0 && cmp_lowercase(name(order[at - 1]), name(order[at])) == Ordering::Greater {
            order.swap(at - 1, at);
            at -= 1;
        }
    }
}

/// The order [`sort_all_remembering`] found last, for up to
/// [`SortMemo::MAX`] headers.
///
/// A stream of requests of one shape gives its headers in the same order
/// every time, and checking that an order sorts them takes one comparison
/// per neighbouring pair, where the insertion sort compares every header
/// with those before it that sort after it (the bench's POST: 5
/// comparisons instead of 12).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SortMemo {
    len: usize,
    order: [u32; SortMemo::MAX],
}

impl SortMemo {
    /// The most headers an order is remembered for.
    const MAX: usize = 8;
}

/// Fills `order` with the indices of all `headers` sorted as
/// [`sort_headers`] sorts them, taking `memo`'s order when it sorts them,
/// and remembers the order found.
///
/// Exact: `memo`'s order is a permutation of as many indices as `order`
/// has (it was one of the same length), and of those only one sorts the
/// headers by lower-case name with equal names in arrival order.
pub(crate) fn sort_all_remembering<N: AsRef<str>, V>(
    headers: &[(N, V)],
    order: &mut [u32],
    memo: &mut SortMemo,
) {
    let name = |i: u32| {
        headers
            .get(i as usize)
            .map_or("", |(name, _)| name.as_ref())
    };
    if let Some(remembered) = memo.order.get(..order.len()) {
        if memo.len == order.len()
            && remembered
                .windows(2)
                .all(|pair| match cmp_lowercase(name(pair[0]), name(pair[1])) {
                    Ordering::Less => true,
                    Ordering::Equal => pair[0] < pair[1],
                    Ordering::Greater => false,
                })
        {
            order.copy_from_slice(remembered);
            return;
        }
    }
    sort_headers(headers, |_| true, order);
    match memo.order.get_mut(..order.len()) {
        Some(slot) => {
            slot.copy_from_slice(order);
            memo.len = order.len();
        }
        None => memo.len = 0,
    }
}

/// Appends the canonical block (each `name:value\n`) of the headers at
/// `order`, sorted by [`sort_headers`] and checked with [`check_header`].
///
/// The names are copied from `names`, the same headers' signed names (as
/// [`write_signed_names`] writes them, or as a verifier received and
/// checked them), which are lower case already: lower-casing each name
/// again here, a short loop per header, cost a mispredicted loop exit for
/// most of them.
pub(crate) fn write_header_block<N: AsRef<str>, V: AsRef<str>>(
    headers: &[(N, V)],
    order: &[u32],
    names: &str,
    canonical: &mut String,
) {
    let mut previous: Option<&str> = None;
    // Where the next name starts in `names`.
    let mut at = 0;
    for (name, value) in order.iter().filter_map(|&i| headers.get(i as usize)) {
        let (name, value) = (name.as_ref(), value.as_ref());
        if previous.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
            canonical.push(',');
        } else {
            if previous.is_some() {
                canonical.push('\n');
            }
            let end = at + name.len();
            canonical.push_str(names.get(at..end).unwrap_or_default());
            at = end + 1;
            canonical.push(':');
        }
        push_trimmed(value, canonical);
        previous = Some(name);
    }
    if previous.is_some() {
        canonical.push('\n');
    }
}

/// Appends the `;`-separated lower-case names of the headers at `order`,
/// sorted by [`sort_headers`].
pub(crate) fn write_signed_names<N: AsRef<str>, V>(
    headers: &[(N, V)],
    order: &[u32],
    signed: &mut String,
) {
    // The names are copied as they are and lower-cased in one pass at the
    // end: a pass per name ends with a mispredicted branch nearly every
    // time. Together with the header block taking its names from here,
    // the bench's POST (six headers) signs 38 ns faster, the GET 6 ns (in
    // one process, both versions in the same binary).
    let start = signed.len();
    let mut previous: Option<&str> = None;
    for (name, _) in order.iter().filter_map(|&i| headers.get(i as usize)) {
        let name = name.as_ref();
        if previous.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
            continue;
        }
        if previous.is_some() {
            signed.push(';');
        }
        signed.push_str(name);
        previous = Some(name);
    }
    if let Some(names) = signed.get_mut(start..) {
        names.make_ascii_lowercase();
    }
}

/// Compares two header names as their lower-case forms compare.
pub(crate) fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    // Most names differ in their first byte: decided there, without
    // entering the loop, whose end depends on the data (the POST of the
    // bench signs 11 ns faster, in one process).
    if let (Some(x), Some(y)) = (a.as_bytes().first(), b.as_bytes().first()) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    // Then byte by byte, from the first (equal) byte: simpler than
    // slicing past it, and rare.
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// `TCHAR[b]`: whether `b` is an RFC 9110 `tchar`.
pub(crate) static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
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
            );
        b += 1;
    }
    table
};

/// RFC 9110 `tchar`.
pub(crate) fn is_token(text: &str) -> bool {
    // Without an early exit: no branch per byte.
    !text.is_empty() && text.bytes().fold(true, |ok, b| ok & TCHAR[usize::from(b)])
}

fn check_name(name: &str) -> Result<(), Error> {
    if is_token(name) {
        Ok(())
    } else {
        Err(Error::HeaderName {
            name: crate::error::excerpt(name),
        })
    }
}

fn check_value(name: &str, value: &str) -> Result<(), Error> {
    let bytes = value.as_bytes();
    // Almost every value has no control character at all; checked without
    // an early exit, which vectorizes.
    if !bytes
        .iter()
        .fold(false, |bad, &b| bad | (b < 0x20) | (b == 0x7f))
    {
        return Ok(());
    }
    let fail = |reason| {
        Err(Error::HeaderValue {
            name: crate::error::excerpt(name),
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
    let bytes = value.as_bytes();
    // Almost every value has no space or line break at all (nor a tab,
    // which the loop below keeps): then it is copied whole.
    if !crate::scan::has_space_or_control(bytes) {
        out.push_str(value);
        return;
    }
    let mut pending_space = false;
    let mut written = false;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b' ' => at += 1,
            b'\r' | b'\n' => {
                // A fold: the line break and the indentation that follows.
                at += 1;
                while matches!(bytes.get(at), Some(b'\n' | b' ' | b'\t')) {
                    at += 1;
                }
            }
            _ => {
                // A run of other characters, copied whole. Runs start and
                // end at ASCII bytes, so they are whole characters.
                let start = at;
                while at < bytes.len() && !matches!(bytes[at], b' ' | b'\r' | b'\n') {
                    at += 1;
                }
                if pending_space {
                    out.push(' ');
                }
                out.push_str(value.get(start..at).unwrap_or_default());
                written = true;
                pending_space = false;
                continue;
            }
        }
        pending_space = written;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_order_is_taken_only_when_it_sorts_the_headers() {
        // Random lists of 0 to 10 names from a few (repeated, differing in
        // case or only in a late byte), each sorted several times with one
        // memo, some lists repeated: always the order sorting finds.
        let names = [
            "host",
            "Host",
            "a",
            "content-length",
            "content-type",
            "x-amz-date",
            "B",
        ];
        let mut next = crate::test_rng::below_from(0x9e37_79b9_7f4a_7c15);
        let mut memo = SortMemo::default();
        let mut last: Vec<(&str, &str)> = Vec::new();
        for _ in 0..20_000 {
            let headers: Vec<(&str, &str)> = if next(3) == 0 {
                last.clone()
            } else {
                (0..next(11))
                    .map(|_| (names[next(names.len())], ""))
                    .collect()
            };
            let mut expected = vec![0u32; headers.len()];
            sort_headers(&headers, |_| true, &mut expected);
            let mut order = vec![0u32; headers.len()];
            sort_all_remembering(&headers, &mut order, &mut memo);
            assert_eq!(order, expected, "{headers:?}");
            last = headers;
        }
    }

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
