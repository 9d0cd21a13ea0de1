//! The messages of adapter protocol v1 (`docs/adapter-protocol.md`), as
//! serde types. Unknown fields are ignored, as the contract requires.

use serde::{Deserialize, Serialize};
pub use sigv4_vectors::{Location, PayloadKind};

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// A request as the protocol carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRequest {
    /// The method.
    pub method: String,
    /// The path as on the request line.
    pub path: String,
    /// The raw query without `?`.
    #[serde(default)]
    pub query: String,
    /// `[name, value]` pairs in wire order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body, base64 (absent in answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// Credentials as the protocol carries them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token, or null.
    #[serde(default)]
    pub session_token: Option<String>,
}

impl std::fmt::Debug for WireCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

fn default_expires_in() -> u64 {
    3600
}

fn yes() -> bool {
    true
}

fn signed_payload() -> PayloadKind {
    PayloadKind::Signed
}

fn header_location() -> Location {
    Location::Header
}

/// The signing options of a `sign` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireOptions {
    /// Header or query.
    #[serde(default = "header_location")]
    pub location: Location,
    /// Presigned URL lifetime.
    #[serde(default = "default_expires_in")]
    pub expires_in: u64,
    /// Remove dot segments and repeated slashes.
    #[serde(default = "yes")]
    pub normalize_path: bool,
    /// Encode the wire path again.
    #[serde(default = "yes")]
    pub double_encode_path: bool,
    /// Signed or unsigned payload.
    #[serde(default = "signed_payload")]
    pub payload: PayloadKind,
    /// Add and sign `x-amz-content-sha256`.
    #[serde(default)]
    pub content_sha256_header: bool,
    /// Sign the session token.
    #[serde(default = "yes")]
    pub sign_session_token: bool,
}

/// Every option at its default: what a message without `options` asks.
impl Default for WireOptions {
    fn default() -> WireOptions {
        WireOptions {
            location: header_location(),
            expires_in: default_expires_in(),
            normalize_path: yes(),
            double_encode_path: yes(),
            payload: signed_payload(),
            content_sha256_header: false,
            sign_session_token: yes(),
        }
    }
}

/// A `sign` message: everything an adapter needs to sign one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignMessage {
    /// The case id.
    pub id: String,
    /// The request to sign.
    pub request: WireRequest,
    /// Who signs.
    pub credentials: WireCredentials,
    /// Scope region.
    pub region: String,
    /// Scope service.
    pub service: String,
    /// RFC 3339 signing instant.
    pub time: String,
    /// Options; each one missing, or all, take their defaults.
    #[serde(default)]
    pub options: WireOptions,
}

/// A message from the harness to an adapter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum HarnessMessage {
    /// The handshake.
    Hello {
        /// Protocol version.
        protocol: u32,
    },
    /// Sign one case.
    Sign(Box<SignMessage>),
}

/// A message from an adapter to the harness.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum AdapterMessage {
    /// The handshake answer.
    Hello {
        /// Protocol version.
        protocol: u32,
        /// Implementation name.
        #[serde(default)]
        name: String,
        /// Implementation version.
        #[serde(default)]
        version: String,
        /// Features (see the contract's table).
        #[serde(default)]
        features: Vec<String>,
    },
    /// The signed request and optional intermediates.
    Signed {
        /// The case id.
        id: String,
        /// The request as the implementation would send it.
        request: WireRequest,
        /// Optional canonical request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        canonical_request: Option<String>,
        /// Optional string to sign.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        string_to_sign: Option<String>,
        /// Optional signature.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
    /// The adapter cannot sign this case.
    Unsupported {
        /// The case id.
        id: String,
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// The library failed on this case.
    Error {
        /// The case id (null when the message could not be read).
        #[serde(default)]
        id: Option<String>,
        /// What happened.
        #[serde(default)]
        message: String,
    },
}

/// Every feature name of the contract.
pub const ALL_FEATURES: [&str; 8] = [
    "header",
    "query",
    "session-token",
    "token-after-signing",
    "no-normalize-path",
    "no-double-encode",
    "content-sha256-header",
    "unsigned-payload",
];

impl SignMessage {
    /// The features an adapter needs to sign this case, in contract order.
    pub fn required_features(&self) -> Vec<&'static str> {
        let o = &self.options;
        let mut needed = vec![match o.location {
            Location::Header => "header",
            Location::Query => "query",
        }];
        if self.credentials.session_token.is_some() {
            needed.push("session-token");
            if !o.sign_session_token {
                needed.push("token-after-signing");
            }
        }
        if !o.normalize_path {
            needed.push("no-normalize-path");
        }
        if !o.double_encode_path {
            needed.push("no-double-encode");
        }
        if o.content_sha256_header && o.location == Location::Header {
            needed.push("content-sha256-header");
        }
        if o.payload == PayloadKind::Unsigned {
            needed.push("unsigned-payload");
        }
        needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_message_without_options_takes_every_default() {
        let message: SignMessage = serde_json::from_str(
            r#"{"id":"x","request":{"method":"GET","path":"/"},
                "credentials":{"access_key_id":"A","secret_access_key":"S"},
                "region":"r","service":"s","time":"2015-08-30T12:36:00Z"}"#,
        )
        .expect("parses");
        assert_eq!(message.options, WireOptions::default());
        let partial: WireOptions = serde_json::from_str(r#"{"location":"query"}"#).expect("parses");
        assert_eq!(
            partial,
            WireOptions {
                location: Location::Query,
                ..WireOptions::default()
            }
        );
    }
}
