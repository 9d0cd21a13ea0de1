//! Writing a `sign` message as a case directory in this project's vector
//! format (`vectors/README.md`), with the reference signer's stages as the
//! expected values, so that `check --vectors DIR` replays it.

use crate::protocol::{Location, PayloadKind, SignMessage};
use crate::reference::{self, body_of};
use serde_json::{json, Value};
use sigv4_signer::{Signed, Signer};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Where a case came from, for `context.json`.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// What the case shows, one or two sentences.
    pub description: String,
    /// `source.origin`.
    pub origin: String,
}

/// Why the request is contested, if it is: a raw space or raw non-ASCII
/// byte on the request line, which no HTTP client sends as is; or a tab in
/// a header value, where signers disagree.
pub fn contested_reason(message: &SignMessage) -> Option<String> {
    let target = format!("{}?{}", message.request.path, message.request.query);
    let space = target.contains(' ');
    let utf8 = !target.is_ascii();
    if space || utf8 {
        return Some(format!(
            "the request line carries {}, which no HTTP client sends as is; a library that \
             percent-encodes the path first signs another canonical URI",
            match (space, utf8) {
                (true, true) => "a raw space and raw UTF-8",
                (true, false) => "a raw space",
                _ => "raw UTF-8",
            }
        ));
    }
    let tab = message
        .request
        .headers
        .iter()
        .any(|(_, value)| value.contains('\t'));
    tab.then(|| {
        "a header value holds a tab: AWS's Rust SDK trims and collapses only spaces, as the \
         reference does (a tab that indents a folded line is part of the fold, which becomes \
         one space), while botocore, minio and others treat every whitespace character \
         alike; and an HTTP server drops a tab at either end of a value before any signer \
         sees it"
            .to_owned()
    })
}

/// The rule ids (`vectors/README.md`) the request exercises, in the
/// README's order.
pub fn rules(message: &SignMessage) -> Vec<&'static str> {
    let r = &message.request;
    let o = &message.options;
    let mut out = Vec::new();
    let path_needs_encoding = r
        .path
        .bytes()
        .any(|b| !(b.is_ascii_alphanumeric() || b"-._~/".contains(&b)));
    if path_needs_encoding {
        out.push("uri.encode");
        if o.double_encode_path {
            out.push("uri.double-encode");
        }
    }
    let dotted = r.path.contains("//") || r.path.split('/').any(|s| s == "." || s == "..");
    if dotted {
        out.push(if o.normalize_path {
            "uri.normalize"
        } else {
            "uri.no-normalize"
        });
    }
    let params: Vec<&str> = r.query.split('&').filter(|p| !p.is_empty()).collect();
    if !params.is_empty() {
        out.push("query.encode");
    }
    if params.len() > 1 {
        out.push("query.sort");
    }
    if params.iter().any(|p| !p.contains('=')) {
        out.push("query.empty-value");
    }
    let names: Vec<&str> = params
        .iter()
        .map(|p| p.split('=').next().unwrap_or(""))
        .collect();
    if names
        .iter()
        .enumerate()
        .any(|(i, n)| names[..i].contains(n))
    {
        out.push("query.repeated-key");
    }
    out.extend(["headers.lowercase", "headers.sort"]);
    if r.headers
        .iter()
        .any(|(_, v)| v.starts_with(' ') || v.ends_with(' ') || v.contains("  "))
    {
        out.push("headers.trim");
    }
    let lower: Vec<String> = r
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    if lower
        .iter()
        .enumerate()
        .any(|(i, n)| lower[..i].contains(n))
    {
        out.push("headers.repeated");
    }
    if r.headers.iter().any(|(_, v)| v.contains('\n')) {
        out.push("headers.multiline");
    }
    out.push("payload.hash");
    if o.content_sha256_header && o.location == Location::Header {
        out.push("payload.content-sha256-header");
    }
    if message.credentials.session_token.is_some() {
        out.push(if o.sign_session_token {
            "token.signed"
        } else {
            "token.after-signing"
        });
    }
    out.extend(["scope", "signing-key"]);
    if o.location == Location::Query {
        out.push("presign");
    }
    out
}

/// A JSON value on one line with `", "` and `": "` separators, as the
/// vector files write them.
fn inline(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), inline(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(inline).collect::<Vec<_>>().join(", ")
            )
        }
        other => other.to_string(),
    }
}

/// An object on one line with its keys in the given order.
fn object(pairs: &[(&str, Value)]) -> String {
    let items: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}: {}", Value::String((*k).to_owned()), inline(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// `context.json`: the keys in the README's order, one per line (and the
/// keys of `source`, `credentials` and `options` in the README's order).
pub fn context_json(message: &SignMessage, provenance: &Provenance, name: &str) -> String {
    let o = &message.options;
    let contested = contested_reason(message);
    let mut lines: Vec<(&str, String)> = vec![
        ("description", inline(&json!(provenance.description))),
        ("rules", inline(&json!(rules(message)))),
        (
            "status",
            inline(&json!(if contested.is_some() {
                "contested"
            } else {
                "valid"
            })),
        ),
    ];
    if let Some(reason) = contested {
        lines.push(("contested_reason", inline(&json!(reason))));
    }
    lines.extend([
        (
            "source",
            object(&[
                ("package", json!("sigv4-conformance fuzz")),
                ("path", json!(name)),
                ("origin", json!(provenance.origin)),
                (
                    "note",
                    json!("expected stages computed by the reference signer"),
                ),
            ]),
        ),
        (
            "credentials",
            object(&[
                ("access_key_id", json!(message.credentials.access_key_id)),
                (
                    "secret_access_key",
                    json!(message.credentials.secret_access_key),
                ),
                ("session_token", json!(message.credentials.session_token)),
            ]),
        ),
        ("region", inline(&json!(message.region))),
        ("service", inline(&json!(message.service))),
        ("time", inline(&json!(message.time))),
        (
            "options",
            object(&[
                ("expires_in", json!(o.expires_in)),
                ("normalize_path", json!(o.normalize_path)),
                ("double_encode_path", json!(o.double_encode_path)),
                (
                    "payload",
                    json!(match o.payload {
                        PayloadKind::Signed => "signed",
                        PayloadKind::Unsigned => "unsigned",
                    }),
                ),
                ("content_sha256_header", json!(o.content_sha256_header)),
                ("sign_session_token", json!(o.sign_session_token)),
            ]),
        ),
    ]);
    let body: Vec<String> = lines
        .iter()
        .map(|(k, v)| format!("  \"{k}\": {v}"))
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

/// Raw HTTP/1.1 text of a request (`request.txt` and
/// `*-signed-request.txt`): a folded value keeps its line breaks, which
/// are followed by a space or tab, so they read back as continuation lines.
pub fn request_text(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut text = String::new();
    let _ = write!(text, "{method} {path}");
    if !query.is_empty() {
        let _ = write!(text, "?{query}");
    }
    text.push_str(" HTTP/1.1\n");
    for (name, value) in headers {
        let _ = writeln!(text, "{name}:{value}");
    }
    let mut bytes = text.into_bytes();
    if !body.is_empty() {
        bytes.push(b'\n');
        bytes.extend_from_slice(body);
    }
    bytes
}

/// Why a message cannot be written as a vector.
pub fn unwritable(message: &SignMessage) -> Option<&'static str> {
    let r = &message.request;
    if r.path.contains(['?', '\n', '\r']) || !r.path.starts_with('/') {
        return Some("the path cannot stand on a request line");
    }
    if r.query.contains(['\n', '\r', ' ']) {
        return Some("the query cannot stand on a request line");
    }
    if r.headers.iter().any(|(n, v)| {
        n.contains([':', '\n', '\r', ' ', '\t'])
            || n.is_empty()
            || v.contains('\r')
            || v.split('\n')
                .skip(1)
                .any(|line| !line.starts_with([' ', '\t']))
    }) {
        return Some("a header cannot be written as a `Name:value` line");
    }
    if body_of(r).map_or(true, |b| std::str::from_utf8(&b).is_err()) {
        return Some("the body is not UTF-8");
    }
    None
}

/// Writes `message` as the case directory `root/name`, replacing it if it
/// exists; returns the directory.
///
/// # Errors
/// When the reference refuses the message, it cannot be written as a
/// vector, or on an I/O error.
pub fn write_case(
    root: &Path,
    name: &str,
    message: &SignMessage,
    provenance: &Provenance,
) -> Result<PathBuf, String> {
    if let Some(reason) = unwritable(message) {
        return Err(reason.to_owned());
    }
    let signed: Signed = reference::sign(&Signer::new(), message)
        .map_err(|e| format!("the reference signer refuses the case: {e}"))?;
    let body = body_of(&message.request).map_err(|e| e.to_string())?;
    let dir = root.join(name);
    let partial = root.join(format!(".{name}.partial"));
    let io = |e: std::io::Error| format!("cannot write {}: {e}", partial.display());
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io)?;
    }
    std::fs::create_dir_all(&partial).map_err(io)?;
    let r = &message.request;
    let loc = message.options.location.as_str();
    // context.json last: a directory without it is no case, so an
    // interrupted write never leaves a half case behind.
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "request.txt".into(),
            request_text(&r.method, &r.path, &r.query, &r.headers, &body),
        ),
        (
            format!("{loc}-canonical-request.txt"),
            signed.canonical_request.clone().into_bytes(),
        ),
        (
            format!("{loc}-string-to-sign.txt"),
            signed.string_to_sign.clone().into_bytes(),
        ),
        (
            format!("{loc}-signature.txt"),
            signed.signature.clone().into_bytes(),
        ),
        (
            format!("{loc}-signed-request.txt"),
            request_text(
                &signed.request.method,
                &signed.request.path,
                &signed.request.query,
                &signed.request.headers,
                &body,
            ),
        ),
        (
            "context.json".into(),
            context_json(message, provenance, name).into_bytes(),
        ),
    ];
    for (file, bytes) in files {
        std::fs::write(partial.join(file), bytes).map_err(io)?;
    }
    // Complete or absent: the case appears under its name in one rename.
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot replace {}: {e}", dir.display()))?;
    }
    std::fs::rename(&partial, &dir).map_err(io)?;
    Ok(dir)
}
