//! Secrets never reach a report or log: every secret access key of the run
//! is replaced by `[REDACTED]` in every string of every result, except the
//! well-known keys of the published vectors.
//!
//! A key is found in the forms a signer, its HTTP library or its logging
//! may print it: as is; percent-encoded once or twice, with either hex
//! case and with any character left unencoded (so the form that keeps `/`
//! is covered too); with `/` escaped as `\/` or any character as a JSON
//! `\u00XX` escape; as hex; and inside base64 text, at any of the three
//! byte alignments. Any run of twelve or more of its characters is
//! redacted too: a secret cut by a length limit or split over two lines.
//! Session tokens are not redacted: they travel in the signed request,
//! which a report must show to be of use, and they are worthless without
//! the key.

use crate::verdict::{CaseResult, Verdict};
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use sigv4_vectors::Case;

/// Secrets published with the test vectors, safe to show.
pub const PUBLISHED_SECRETS: [&str; 2] = [
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    // The aws-sigv4 crate's `Credentials::for_tests()`, used by one vector.
    "notrealrnrELgWzOk3IfjzDKtFBhDby",
];

/// What replaces a secret.
const REDACTED: &str = "[REDACTED]";

/// Base64 text shorter than this is not redacted: a few characters of
/// base64 could match ordinary text by chance.
const MIN_BASE64_MATCH: usize = 16;

/// The secrets of `cases` that must not be shown.
pub fn secrets_of(cases: &[Case]) -> Vec<String> {
    let mut secrets: Vec<String> = Vec::new();
    for case in cases {
        let creds = &case.context.credentials;
        let secret = &creds.secret_access_key;
        if !secret.is_empty() && !PUBLISHED_SECRETS.contains(&secret.as_str()) {
            secrets.push(secret.clone());
        }
    }
    secrets.sort();
    secrets.dedup();
    // Longest first, so a secret containing another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// A run of the secret at least this long is redacted wherever it
/// appears, so that a secret cut by a length limit (an excerpt, a stderr
/// tail that starts in its middle) or split over two lines does not show.
/// Twelve characters of a secret do not turn up in other text by chance.
const MIN_FRAGMENT_CHARS: usize = 12;

/// One secret and its other forms, computed once per run.
struct SecretForms {
    secret: Vec<u8>,
    /// Whole forms found as they are: the base64 characters that depend
    /// on the secret's bytes alone (for each alignment and alphabet), and
    /// its hex in either case.
    encoded: Vec<String>,
    /// Every run of [`MIN_FRAGMENT_CHARS`] characters of the secret (none
    /// when it is shorter: then only the whole secret is looked for).
    fragments: Vec<String>,
}

impl SecretForms {
    fn of(secret: &str) -> SecretForms {
        let bytes = secret.as_bytes();
        let mut base64 = Vec::new();
        for alignment in 0..3 {
            let mut shifted = vec![0u8; alignment];
            shifted.extend_from_slice(bytes);
            // Character j carries bits 6j..6j+6; keep those within the
            // secret's bits, 8*alignment..8*(alignment+len).
            let first = (8 * alignment).div_ceil(6);
            let end = 8 * (alignment + bytes.len()) / 6;
            for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
                let encoded = engine.encode(&shifted);
                if let Some(core) = encoded.get(first..end) {
                    if core.len() >= MIN_BASE64_MATCH && !base64.iter().any(|b| b == core) {
                        base64.push(core.to_owned());
                    }
                }
            }
        }
        let mut encoded = base64;
        encoded.push(bytes.iter().map(|b| format!("{b:02x}")).collect());
        encoded.push(bytes.iter().map(|b| format!("{b:02X}")).collect());
        let chars: Vec<char> = secret.chars().collect();
        let fragments = chars
            .windows(MIN_FRAGMENT_CHARS)
            .map(|window| window.iter().collect::<String>())
            .collect();
        SecretForms {
            secret: bytes.to_vec(),
            encoded,
            fragments,
        }
    }
}

/// The length of the secret's appearance at the start of `text`, if it
/// appears there: each of its bytes either as is, as `%XX` (either case),
/// as `%25XX` (encoded twice), as a JSON `\u00XX` escape (either case, as
/// .NET's encoder writes `+` and `=`), or, for `/`, as `\/`.
fn appearance_at(text: &[u8], secret: &[u8]) -> Option<usize> {
    let mut position = 0;
    for &byte in secret {
        let rest = text.get(position..)?;
        if rest.first() == Some(&byte) {
            position += 1;
        } else if byte == b'/' && rest.starts_with(b"\\/") {
            position += 2;
        } else if rest.starts_with(b"\\u00") && rest.get(4..6).and_then(hex_byte) == Some(byte) {
            position += 6;
        } else if rest.first() == Some(&b'%') && rest.get(1..3).and_then(hex_byte) == Some(byte) {
            position += 3;
        } else if rest.starts_with(b"%25") && rest.get(3..5).and_then(hex_byte) == Some(byte) {
            // Encoded twice, as a non-S3 canonical URI encodes the path.
            position += 5;
        } else {
            return None;
        }
    }
    Some(position)
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |c: u8| char::from(c).to_digit(16);
    match pair {
        [high, low] => u8::try_from(digit(*high)? * 16 + digit(*low)?).ok(),
        _ => None,
    }
}

/// `text` with every appearance of the secret replaced.
fn scrub_one(text: &str, forms: &SecretForms) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut index = 0;
    while index < bytes.len() {
        let found = text
            .is_char_boundary(index)
            .then(|| bytes.get(index..))
            .flatten()
            .and_then(|rest| appearance_at(rest, &forms.secret))
            .filter(|&len| len > 0 && text.is_char_boundary(index + len));
        match (found, text.get(copied..index)) {
            (Some(len), Some(before)) => {
                out.push_str(before);
                out.push_str(REDACTED);
                index += len;
                copied = index;
            }
            _ => index += 1,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    for form in &forms.encoded {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), REDACTED);
        }
    }
    scrub_fragments(&out, &forms.fragments)
}

/// `text` with every run covered by `fragments` (overlapping or touching
/// runs merged) replaced once.
fn scrub_fragments(text: &str, fragments: &[String]) -> String {
    let mut runs: Vec<(usize, usize)> = fragments
        .iter()
        .flat_map(|fragment| {
            text.match_indices(fragment.as_str())
                .map(|(at, found)| (at, at + found.len()))
        })
        .collect();
    if runs.is_empty() {
        return text.to_owned();
    }
    runs.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < runs.len() {
        let (start, mut end) = runs[at];
        at += 1;
        while at < runs.len() && runs[at].0 <= end {
            end = end.max(runs[at].1);
            at += 1;
        }
        out.push_str(text.get(copied..start).unwrap_or_default());
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// A set of secrets to find in text, in every form described above; built
/// once, used for every string (the reports' results, `serve`'s log).
pub struct Redactor {
    forms: Vec<SecretForms>,
}

impl Redactor {
    /// Finds `secrets` (empty ones ignored).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        Redactor {
            forms: secrets
                .into_iter()
                .filter(|secret| !secret.is_empty())
                .map(SecretForms::of)
                .collect(),
        }
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        scrub(&mut text, &self.forms);
        text
    }
}

fn scrub(text: &mut String, secrets: &[SecretForms]) {
    for forms in secrets {
        let scrubbed = scrub_one(text, forms);
        if scrubbed != *text {
            *text = scrubbed;
        }
    }
}

/// Replaces every secret, in every form described above, in every string
/// of `results`.
pub fn redact(results: &mut [CaseResult], secrets: &[String]) {
    let secrets = Redactor::new(secrets.iter().map(String::as_str)).forms;
    if secrets.is_empty() {
        return;
    }
    for result in results {
        for note in &mut result.notes {
            scrub(note, &secrets);
        }
        match &mut result.verdict {
            Verdict::Pass => {}
            Verdict::Fail(f) => {
                if let Some(d) = &mut f.divergence {
                    scrub(&mut d.expected, &secrets);
                    scrub(&mut d.actual, &secrets);
                }
                if let Some(m) = &mut f.message {
                    scrub(m, &secrets);
                }
                for diagnosis in &mut f.diagnosis {
                    scrub(&mut diagnosis.explanation, &secrets);
                }
            }
            Verdict::Skipped { reason } => scrub(reason, &secrets),
            Verdict::AdapterError {
                reason,
                stderr_tail,
            } => {
                scrub(reason, &secrets);
                scrub(stderr_tail, &secrets);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Zq9MySuperSecretKey/ReviewA+0123456789abcd";

    fn scrubbed(text: &str) -> String {
        scrub_one(text, &SecretForms::of(SECRET))
    }

    #[test]
    fn every_encoded_form_is_redacted() {
        let forms = [
            SECRET.to_owned(),
            "Zq9MySuperSecretKey%2FReviewA%2B0123456789abcd".to_owned(),
            "Zq9MySuperSecretKey%2fReviewA%2b0123456789abcd".to_owned(),
            "Zq9MySuperSecretKey/ReviewA%2B0123456789abcd".to_owned(),
            "%5A%71%39MySuperSecretKey%2FReviewA%2B0123456789abcd".to_owned(),
            "Zq9MySuperSecretKey\\/ReviewA+0123456789abcd".to_owned(),
            "Zq9MySuperSecretKey%252FReviewA%252B0123456789abcd".to_owned(),
        ];
        for form in forms {
            assert_eq!(
                scrubbed(&format!("secret={form}&x=1")),
                "secret=[REDACTED]&x=1",
                "{form}"
            );
        }
    }

    #[test]
    fn base64_text_holding_the_secret_is_redacted_at_any_alignment() {
        for prefix in ["", "A", "AK", "AKIDEXAMPLE:"] {
            let plain = format!("{prefix}{SECRET} trailing");
            for encoded in [
                STANDARD_NO_PAD.encode(&plain),
                URL_SAFE_NO_PAD.encode(&plain),
            ] {
                let out = scrubbed(&format!("Authorization: Basic {encoded}"));
                assert!(out.contains(REDACTED), "{prefix:?}: {out}");
                // What is left cannot be decoded back to the secret.
                assert!(out.len() < encoded.len(), "{prefix:?}: {out}");
            }
        }
    }

    #[test]
    fn hex_and_json_unicode_escapes_are_redacted() {
        let hex: String = SECRET.bytes().map(|b| format!("{b:02x}")).collect();
        let prefixed: String = format!("AWS4{SECRET}")
            .bytes()
            .map(|b| format!("{b:02X}"))
            .collect();
        let escaped = SECRET.replace('+', "\\u002B").replace('/', "\\u002f");
        for form in [hex, prefixed, escaped] {
            let out = scrubbed(&format!("key {form} end"));
            assert!(
                out.contains(REDACTED) && !out.contains("SuperSecret"),
                "{out}"
            );
        }
    }

    #[test]
    fn a_cut_or_split_secret_is_redacted_in_its_pieces() {
        // A tail that starts in the middle of the secret, an excerpt cut
        // inside it, and the secret over two lines.
        for text in [
            format!("{} then more", &SECRET[2..]),
            format!("secret={}…", &SECRET[..30]),
            format!("{}\n{}", &SECRET[..20], &SECRET[20..]),
        ] {
            let out = scrubbed(&text);
            assert!(out.contains(REDACTED), "{out}");
            for fragment in SecretForms::of(SECRET).fragments {
                assert!(!out.contains(&fragment), "{fragment} in {out}");
            }
        }
        // Fewer characters than a fragment are not looked for.
        assert_eq!(scrubbed("Zq9MySuper is a name"), "Zq9MySuper is a name");
    }

    #[test]
    fn other_text_is_left_alone() {
        // A broken escape after a run too short to be a fragment, and the
        // published key, which is not this secret.
        let text = "Zq9MySuper%2XRev wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYEXAMPLEKEY é%";
        assert_eq!(scrubbed(text), text);
        assert_eq!(scrubbed(&format!("é{SECRET}é")), "é[REDACTED]é");
    }
}
