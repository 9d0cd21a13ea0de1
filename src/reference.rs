//! The reference signer driven by a protocol `sign` message: the one place
//! where protocol fields become `sigv4_signer` parameters.

use crate::protocol::{Location, PayloadKind, SignMessage, WireRequest};
use base64::Engine;
use sigv4_signer::{
    Credentials, Expiry, Payload, Request, Settings, Signed, Signer, SigningHeaders, SigningParams,
    SigningTime, UriOptions,
};
use std::fmt;

/// Why the reference could not sign a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    /// `request.body_base64` is not base64.
    Body,
    /// The signer refused the input.
    Signer(sigv4_signer::Error),
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceError::Body => f.write_str("request.body_base64 is not valid base64"),
            ReferenceError::Signer(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReferenceError {}

impl From<sigv4_signer::Error> for ReferenceError {
    fn from(e: sigv4_signer::Error) -> Self {
        ReferenceError::Signer(e)
    }
}

/// Decodes `body_base64` (absent means empty).
pub fn body_of(request: &WireRequest) -> Result<Vec<u8>, ReferenceError> {
    match &request.body_base64 {
        None => Ok(Vec::new()),
        Some(text) => base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|_| ReferenceError::Body),
    }
}

/// The signer settings a message's options ask for.
pub fn settings_of(message: &SignMessage) -> Settings<'static> {
    let o = &message.options;
    Settings {
        uri: UriOptions {
            normalize: o.normalize_path,
            double_encode: o.double_encode_path,
        },
        payload: match o.payload {
            PayloadKind::Signed => Payload::Body,
            PayloadKind::Unsigned => Payload::Unsigned,
        },
        content_sha256_header: o.content_sha256_header,
        sign_session_token: o.sign_session_token,
    }
}

/// Signs `message` with the reference signer, with `settings` (normally
/// [`settings_of`] the message; the diagnosis passes others).
pub fn sign_with(
    signer: &Signer,
    message: &SignMessage,
    settings: Settings<'_>,
) -> Result<Signed, ReferenceError> {
    with_request(message, settings, |request, params| {
        let location = match message.options.location {
            Location::Header => sigv4_signer::Location::Header,
            Location::Query => {
                sigv4_signer::Location::Query(Expiry::from_secs(message.options.expires_in)?)
            }
        };
        Ok(signer.sign(request, params, location)?)
    })
}

/// Signs `message` in the header with the signer's lean form, which gives
/// only the headers to add (whatever the message's location).
pub fn signing_headers(
    signer: &Signer,
    message: &SignMessage,
) -> Result<SigningHeaders, ReferenceError> {
    with_request(message, settings_of(message), |request, params| {
        Ok(signer.signing_headers(request, params)?)
    })
}

/// Calls `f` with `message` as the signer's request and parameters.
fn with_request<T>(
    message: &SignMessage,
    settings: Settings<'_>,
    f: impl FnOnce(&Request<'_>, &SigningParams<'_>) -> Result<T, ReferenceError>,
) -> Result<T, ReferenceError> {
    let body = body_of(&message.request)?;
    let headers: Vec<(&str, &str)> = message
        .request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = Request {
        method: &message.request.method,
        path: &message.request.path,
        query: &message.request.query,
        headers: &headers,
        body: &body,
    };
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: &message.credentials.access_key_id,
            secret_access_key: &message.credentials.secret_access_key,
            session_token: message.credentials.session_token.as_deref(),
        },
        region: &message.region,
        service: &message.service,
        time: SigningTime::parse(&message.time)?,
        settings,
    };
    f(&request, &params)
}

/// Signs `message` as its options ask.
pub fn sign(signer: &Signer, message: &SignMessage) -> Result<Signed, ReferenceError> {
    sign_with(signer, message, settings_of(message))
}
