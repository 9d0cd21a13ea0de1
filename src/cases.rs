//! Vector cases as protocol `sign` messages, so the reference and every
//! adapter sign exactly the same input.

use crate::protocol::{SignMessage, WireCredentials, WireOptions, WireRequest};
use sigv4_vectors::Case;

/// The `sign` message for `case`.
pub fn sign_message(case: &Case) -> SignMessage {
    let c = &case.context;
    SignMessage {
        id: case.id.clone(),
        request: WireRequest {
            method: case.request.method.clone(),
            path: case.request.path.clone(),
            query: case.request.query.clone(),
            headers: case.request.headers.clone(),
            body_base64: Some(case.body_base64.clone()),
        },
        credentials: WireCredentials {
            access_key_id: c.credentials.access_key_id.clone(),
            secret_access_key: c.credentials.secret_access_key.clone(),
            session_token: c.credentials.session_token.clone(),
        },
        region: c.region.clone(),
        service: c.service.clone(),
        time: c.time.clone(),
        options: WireOptions {
            location: case.location,
            expires_in: c.options.expires_in,
            normalize_path: c.options.normalize_path,
            double_encode_path: c.options.double_encode_path,
            payload: c.options.payload,
            content_sha256_header: c.options.content_sha256_header,
            sign_session_token: c.options.sign_session_token,
        },
    }
}
