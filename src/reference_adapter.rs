//! The reference signer as a protocol v1 adapter on stdin/stdout, with
//! every feature, so any language can use it as an oracle.

use crate::protocol::{AdapterMessage, SignMessage, WireRequest, ALL_FEATURES, PROTOCOL_VERSION};
use crate::reference;
use sigv4_signer::Signer;
use std::io::{BufRead, Write};

/// Answers each line of `input` on `output` until end of input.
///
/// # Errors
/// Only I/O errors on `output` (a closed pipe ends the loop quietly in the
/// CLI).
pub fn serve(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    let signer = Signer::new();
    for line in input.lines() {
        let line = match line {
            Ok(line) => line,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                write_answer(&mut output, &protocol_error(None, "the line is not UTF-8"))?;
                continue;
            }
            Err(e) => return Err(e),
        };
        if line.trim().is_empty() {
            continue;
        }
        let answer = answer(&signer, &line);
        write_answer(&mut output, &answer)?;
    }
    Ok(())
}

fn write_answer(output: &mut impl Write, answer: &AdapterMessage) -> std::io::Result<()> {
    let text = serde_json::to_string(answer).map_err(std::io::Error::other)?;
    writeln!(output, "{text}")?;
    output.flush()
}

fn protocol_error(id: Option<String>, message: &str) -> AdapterMessage {
    AdapterMessage::Error {
        id,
        message: message.to_owned(),
    }
}

/// The answer to one message line.
pub fn answer(signer: &Signer, line: &str) -> AdapterMessage {
    let value: serde_json::Value = match serde_json::from_str(line) {
        Ok(value) => value,
        Err(e) => return protocol_error(None, &format!("not a JSON object: {e}")),
    };
    let id = value.get("id").and_then(|v| v.as_str()).map(str::to_owned);
    match value.get("type").and_then(|t| t.as_str()) {
        Some("hello") => AdapterMessage::Hello {
            protocol: PROTOCOL_VERSION,
            name: "sigv4-conformance reference".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            features: ALL_FEATURES.iter().map(|f| (*f).to_owned()).collect(),
        },
        Some("sign") => match serde_json::from_value::<SignMessage>(value) {
            Err(e) => protocol_error(id, &format!("malformed sign message: {e}")),
            Ok(message) => match reference::sign(signer, &message) {
                Err(e) => protocol_error(Some(message.id), &e.to_string()),
                Ok(signed) => AdapterMessage::Signed {
                    id: message.id,
                    request: WireRequest {
                        method: signed.request.method,
                        path: signed.request.path,
                        query: signed.request.query,
                        headers: signed.request.headers,
                        body_base64: None,
                    },
                    canonical_request: Some(signed.canonical_request),
                    string_to_sign: Some(signed.string_to_sign),
                    signature: Some(signed.signature),
                },
            },
        },
        Some(other) => protocol_error(id, &format!("unknown message type {other:?}")),
        None => protocol_error(id, "the message has no \"type\""),
    }
}
