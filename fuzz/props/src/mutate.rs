//! A small deterministic mutator, so that `cargo test` on stable exercises
//! the targets beyond their seeds (bit flips, interesting bytes, dictionary
//! tokens, deletions, duplications, splices), and a reader of libFuzzer
//! dictionaries (`fuzz/sigv4.dict`).

use crate::model::Rng;

/// Parses a libFuzzer dictionary: one `"token"` per line (optionally
/// `name="token"`), with `\xNN`, `\\` and `\"` escapes; `#` comments.
pub fn parse_dict(text: &str) -> Vec<Vec<u8>> {
    let mut tokens = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (Some(start), Some(end)) = (line.find('"'), line.rfind('"')) else {
            continue;
        };
        if end <= start {
            continue;
        }
        let body = &line.as_bytes()[start + 1..end];
        let mut token = Vec::new();
        let mut i = 0;
        while i < body.len() {
            if body[i] == b'\\' && i + 1 < body.len() {
                if body[i + 1] == b'x' && i + 3 < body.len() {
                    if let Ok(b) = u8::from_str_radix(
                        std::str::from_utf8(&body[i + 2..i + 4]).unwrap_or("zz"),
                        16,
                    ) {
                        token.push(b);
                        i += 4;
                        continue;
                    }
                }
                token.push(body[i + 1]);
                i += 2;
            } else {
                token.push(body[i]);
                i += 1;
            }
        }
        tokens.push(token);
    }
    tokens
}

const INTERESTING: &[u8] = b"\x00\x01/%.~+ =&?#\n\r\t\"Az09\x7f\xff";

/// A mutation of `input`: one to four random edits.
pub fn mutate(input: &[u8], others: &[Vec<u8>], dict: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        match rng.below(8) {
            0 if len > 0 => {
                let at = rng.below(len);
                out[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                out[at] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 | 3 if !dict.is_empty() => {
                let token = &dict[rng.below(dict.len())];
                let at = rng.below(len + 1);
                out.splice(at..at, token.iter().copied());
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(8));
                out.drain(at..at + n);
            }
            5 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(16));
                let copy: Vec<u8> = out[at..at + n].to_vec();
                let to = rng.below(len + 1);
                out.splice(to..to, copy);
            }
            6 if !others.is_empty() => {
                let other = &others[rng.below(others.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - from).min(32));
                    let to = rng.below(len + 1);
                    out.splice(to..to, other[from..from + n].iter().copied());
                }
            }
            _ => {
                let at = rng.below(len + 1);
                out.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
            }
        }
    }
    out
}
