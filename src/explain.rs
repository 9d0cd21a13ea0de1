//! `explain CASE-ID`: every intermediate of one case, from the reference
//! signer, each marked against the published value.

use crate::cases::sign_message;
use crate::reference;
use crate::reference_check::contested_reason;
use sigv4_signer::Signer;
use sigv4_vectors::Case;
use std::fmt::Write;

/// The secret of the published vectors; the only one ever shown.
pub const PUBLISHED_TEST_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// The explanation of `case`.
pub fn explain(case: &Case) -> String {
    let mut out = String::new();
    let c = &case.context;
    let _ = writeln!(out, "case        {}", case.id);
    let _ = writeln!(out, "description {}", c.description);
    let _ = writeln!(out, "rules       {}", c.rules.join(", "));
    if let Some(reason) = contested_reason(case) {
        let _ = writeln!(out, "contested   {reason}");
    }
    let o = &c.options;
    let _ = writeln!(
        out,
        "context     region={} service={} time={} location={} normalize_path={} \
         double_encode_path={} payload={} content_sha256_header={} sign_session_token={}{}",
        c.region,
        c.service,
        c.time,
        case.location.as_str(),
        o.normalize_path,
        o.double_encode_path,
        payload_name(o.payload),
        o.content_sha256_header,
        o.sign_session_token,
        if case.location == sigv4_vectors::Location::Query {
            format!(" expires_in={}", o.expires_in)
        } else {
            String::new()
        }
    );
    let message = sign_message(case);
    section(
        &mut out,
        "request (as given to the signer)",
        &request_text(case),
        None,
    );
    let signed = match reference::sign(&Signer::new(), &message) {
        Ok(signed) => signed,
        Err(e) => {
            let _ = writeln!(out, "\nthe reference signer refused this case: {e}");
            return out;
        }
    };
    let e = &case.expected;
    section(
        &mut out,
        "canonical request",
        &signed.canonical_request,
        e.canonical_request.as_deref(),
    );
    section(
        &mut out,
        "string to sign",
        &signed.string_to_sign,
        e.string_to_sign.as_deref(),
    );
    let key = if c.credentials.secret_access_key == PUBLISHED_TEST_SECRET {
        signed.signing_key.to_hex()
    } else {
        "(hidden: not the published test key)".to_owned()
    };
    section(&mut out, "signing key", &key, None);
    section(
        &mut out,
        "signature",
        &signed.signature,
        e.signature.as_deref(),
    );
    if let Some(auth) = &signed.authorization {
        section(&mut out, "Authorization header", auth, None);
    } else {
        section(&mut out, "presigned query", &signed.request.query, None);
    }
    out
}

fn request_text(case: &Case) -> String {
    let r = &case.request;
    let mut text = format!("{} {}", r.method, r.path);
    if !r.query.is_empty() {
        text.push('?');
        text.push_str(&r.query);
    }
    for (name, value) in &r.headers {
        let _ = write!(text, "\n{name}:{value}");
    }
    if !r.body.is_empty() {
        let _ = write!(text, "\n\n{}", String::from_utf8_lossy(&r.body));
    }
    text
}

fn section(out: &mut String, title: &str, value: &str, published: Option<&str>) {
    let mark = match published {
        None => "",
        Some(p) if p == value => "  [matches the published value]",
        Some(_) => "  [DIFFERS from the published value]",
    };
    let _ = writeln!(out, "\n{title}:{mark}");
    for line in value.split('\n') {
        let _ = writeln!(out, "  {}", crate::diff::visible(line));
    }
    if let Some(p) = published.filter(|p| *p != value) {
        let _ = writeln!(out, "  published (-) vs reference (+):");
        for line in crate::diff::line_diff(p, value).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// The payload option as the vectors and the adapter protocol spell it.
fn payload_name(payload: sigv4_vectors::PayloadKind) -> &'static str {
    match payload {
        sigv4_vectors::PayloadKind::Signed => "signed",
        sigv4_vectors::PayloadKind::Unsigned => "unsigned",
    }
}
