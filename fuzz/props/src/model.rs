//! Small, obviously-correct models of the SigV4 rules, written from the
//! spec independently of the signer, so a target can compare the signer's
//! output with a second opinion rather than only with itself.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// RFC 3986 unreserved.
pub fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// `%XX` with upper-case hex.
pub fn escape(b: u8) -> String {
    format!("%{b:02X}")
}

/// The byte of a valid `%XX` escape at `at`.
pub fn escape_at(bytes: &[u8], at: usize) -> Option<u8> {
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    let hex = bytes.get(at + 1..at + 3)?;
    let text = std::str::from_utf8(hex).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(text, 16).ok()
}

/// Decodes every valid `%XX`; anything else (a lone `%`, `+`) is literal.
pub fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if let Some(b) = escape_at(bytes, at) {
            out.push(b);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    out
}

/// Encodes every byte outside the unreserved set (and `/` when asked).
pub fn encode(bytes: &[u8], keep_slash: bool) -> String {
    bytes
        .iter()
        .map(|&b| {
            if unreserved(b) || (keep_slash && b == b'/') {
                (b as char).to_string()
            } else {
                escape(b)
            }
        })
        .collect()
}

/// RFC 3986 section 5.2.4 dot-segment removal plus collapsing of empty
/// segments, written the way the spec reads (a stack of segments), on an
/// absolute path.
pub fn normalize(path: &str) -> String {
    let mut stack: Vec<&str> = Vec::new();
    for segment in path.split('/').skip(1) {
        match segment {
            "" | "." => {}
            ".." => {
                stack.pop();
            }
            other => stack.push(other),
        }
    }
    let trailing = ["/", "/.", "/..", "/./", "/../"]
        .iter()
        .any(|end| path.ends_with(end));
    let mut out = format!("/{}", stack.join("/"));
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The canonical URI of an absolute `path`.
pub fn canonical_uri(path: &str, normalize_path: bool, double_encode: bool) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let path = if normalize_path {
        normalize(path)
    } else {
        path.to_owned()
    };
    if double_encode {
        return encode(path.as_bytes(), true);
    }
    // Single encoding: valid escapes are kept as sent.
    let bytes = path.as_bytes();
    let mut out = String::new();
    let mut at = 0;
    while at < bytes.len() {
        if escape_at(bytes, at).is_some() {
            out.push_str(&path[at..at + 3]);
            at += 3;
        } else {
            out.push_str(&encode(&bytes[at..=at], true));
            at += 1;
        }
    }
    out
}

/// The canonical query of a wire query plus `extra` (unencoded) pairs.
pub fn canonical_query(query: &str, extra: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                encode(&percent_decode(k), false),
                encode(&percent_decode(v), false),
            )
        })
        .collect();
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| (encode(k.as_bytes(), false), encode(v.as_bytes(), false))),
    );
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 9110 token.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether the signer must accept `value` as a header value: no control
/// characters but tab, and line breaks only as folds (`\r\n` or `\n`,
/// then a space or tab).
pub fn valid_header_value(value: &str) -> bool {
    let b = value.as_bytes();
    b.iter().enumerate().all(|(i, &c)| match c {
        b'\r' => b.get(i + 1) == Some(&b'\n'),
        b'\n' => matches!(b.get(i + 1), Some(b' ' | b'\t')),
        b'\t' => true,
        0..=0x1f | 0x7f => false,
        _ => true,
    })
}

/// A header value as canonicalized: folds unfolded (each line's leading
/// spaces and tabs dropped, lines joined with a space), then runs of spaces
/// collapsed and the ends trimmed (spaces only; tabs are kept).
pub fn trim_value(value: &str) -> String {
    let unfolded: Vec<&str> = value
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if i == 0 {
                line
            } else {
                line.trim_start_matches([' ', '\t'])
            }
        })
        .collect();
    unfolded
        .join(" ")
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Canonical headers block and signed-header list, or `None` when a name
/// or value is invalid.
pub fn canonical_headers(headers: &[(&str, &str)]) -> Option<(String, String)> {
    if !headers
        .iter()
        .all(|(n, v)| is_token(n) && valid_header_value(v))
    {
        return None;
    }
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let mut block = String::new();
    for name in &names {
        let values: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.to_ascii_lowercase() == *name)
            .map(|(_, v)| trim_value(v))
            .collect();
        block.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    Some((block, names.join(";")))
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The signature of `string_to_sign` under the key derived for the scope.
pub fn signature(secret: &str, date: &str, region: &str, service: &str, sts: &str) -> String {
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    hex::encode(hmac(&key, sts.as_bytes()))
}

/// A tiny deterministic PRNG (SplitMix64) for shuffles driven by a fuzz
/// input.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Shuffles `items` (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_agree_with_the_spec_examples() {
        assert_eq!(normalize("/a/b/../c/./d//"), "/a/c/d/");
        assert_eq!(normalize("/../.."), "/");
        assert_eq!(canonical_uri("/a%3Ab c", true, true), "/a%253Ab%20c");
        assert_eq!(canonical_uri("/a%3Ab c", false, false), "/a%3Ab%20c");
        assert_eq!(canonical_query("b=2&a=1&a", &[]), "a=&a=1&b=2");
        assert_eq!(trim_value("  a   b\n \tc  "), "a b c");
        assert_eq!(trim_value("\tx\t"), "\tx\t");
    }
}
