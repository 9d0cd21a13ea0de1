//! The published AWS SigV4 test vectors in this project's format (see
//! `vectors/README.md`), embedded in the crate, and a loader for vector
//! directories on disk in the same format.
//!
//! A case is a directory holding `context.json`, `request.txt` and, per
//! location (`header`, `query`), the published stages. Its id is its path
//! plus the location, e.g. `aws-v4/get-vanilla-query/header`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod http_text;
mod load;

pub use http_text::{HttpRequest, ParseError};
pub use load::{embedded, load_dir, LoadError};

use serde::{Deserialize, Serialize};

/// Where a signature travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// The `Authorization` header.
    Header,
    /// A presigned URL's query.
    Query,
}

impl Location {
    /// Both locations, in id order.
    pub const ALL: [Location; 2] = [Location::Header, Location::Query];

    /// `header` or `query`, as in ids and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Header => "header",
            Location::Query => "query",
        }
    }
}

/// Whether a case is undisputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every conformant signer must produce the expected values.
    Valid,
    /// Conformant signers may legitimately differ; `contested_reason` says
    /// why (in the spirit of Wycheproof's `acceptable`).
    Contested,
}

/// The payload option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayloadKind {
    /// The hex SHA-256 of the body.
    Signed,
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
}

/// Signer options, named as in the adapter protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Presigned URL lifetime in seconds.
    pub expires_in: u64,
    /// Remove dot segments and repeated slashes.
    pub normalize_path: bool,
    /// Encode the wire path again.
    pub double_encode_path: bool,
    /// The payload hash.
    pub payload: PayloadKind,
    /// Add and sign `x-amz-content-sha256` (header location).
    pub content_sha256_header: bool,
    /// Sign the session token (false: add it after signing).
    pub sign_session_token: bool,
}

/// Credentials of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token, if any.
    #[serde(default)]
    pub session_token: Option<String>,
}

/// The contents of `context.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// What the case exercises.
    pub description: String,
    /// The spec rules it exercises (ids listed in `vectors/README.md`).
    pub rules: Vec<String>,
    /// Valid or contested.
    pub status: Status,
    /// Why the case is contested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contested_reason: Option<String>,
    /// Where the case comes from.
    pub source: serde_json::Value,
    /// Who signs.
    pub credentials: Credentials,
    /// Scope region.
    pub region: String,
    /// Scope service.
    pub service: String,
    /// RFC 3339 signing instant.
    pub time: String,
    /// Signer options.
    pub options: Options,
}

/// The published stages of one location; a stage that was not published
/// is `None` and is not compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Expected {
    /// `<loc>-canonical-request.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_request: Option<String>,
    /// `<loc>-string-to-sign.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_to_sign: Option<String>,
    /// `<loc>-signature.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// `<loc>-signed-request.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_request: Option<String>,
}

/// One case at one location.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// `<case dir>/<location>`, e.g. `aws-v4/get-vanilla/header`.
    pub id: String,
    /// The case directory relative to the vector root.
    pub dir: String,
    /// The location.
    pub location: Location,
    /// `context.json`.
    pub context: Context,
    /// `request.txt`, parsed.
    pub request: HttpRequest,
    /// The body, base64 in the JSON export.
    pub body_base64: String,
    /// The published stages.
    pub expected: Expected,
}

impl Case {
    /// The suite: the first component of the id.
    pub fn suite(&self) -> &str {
        self.id.split('/').next().unwrap_or("")
    }
}

/// The whole set as one JSON document, for tools in other languages.
pub fn export_json(cases: &[Case]) -> serde_json::Value {
    serde_json::json!({
        "format": "sigv4-conformance-vectors",
        "version": 1,
        "cases": cases,
    })
}
