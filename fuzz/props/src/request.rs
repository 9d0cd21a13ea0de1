//! The whole-request input shared by the `sign`, `round_trip` and
//! `differential` targets, its conversion to the signer's types, and an
//! independent model of the signer's assembly (which headers are signed,
//! the presign parameters, the canonical request, the string to sign and
//! the signature), built from the models in [`crate::model`].

use crate::model;
use crate::text::Text;
use sigv4_signer::{
    Credentials, Expiry, Location, Payload, Request, Settings, SigningParams, SigningTime,
    UriOptions,
};

crate::input! {
    /// A request to sign and everything the signature depends on.
    pub struct SignInput {
        pub method: Text,
        pub path: Text,
        pub query: Text,
        pub headers: Vec<(Text, Text)>,
        pub body: Text,
        pub access_key_id: Text,
        pub secret_access_key: Text,
        pub session_token: Option<Text>,
        pub region: Text,
        pub service: Text,
        pub time: u32,
        pub expires_in: u32,
        pub presign: bool,
        pub normalize_path: bool,
        pub double_encode_path: bool,
        pub unsigned_payload: bool,
        pub content_sha256_header: bool,
        pub sign_session_token: bool,
    }
}

/// The header pairs as the signer takes them.
pub fn header_pairs(input: &SignInput) -> Vec<(&str, &str)> {
    input
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

impl SignInput {
    /// The signing time (always valid: a `u32` of seconds is 1970..=2106).
    pub fn signing_time(&self) -> SigningTime {
        SigningTime::from_unix(i64::from(self.time)).expect("u32 seconds are in range")
    }

    /// The request, borrowing `headers` (from [`header_pairs`]).
    pub fn request<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> Request<'a> {
        Request {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers,
            body: self.body.as_bytes(),
        }
    }

    /// The signer settings.
    pub fn settings(&self) -> Settings<'static> {
        Settings {
            uri: UriOptions {
                normalize: self.normalize_path,
                double_encode: self.double_encode_path,
            },
            payload: if self.unsigned_payload {
                Payload::Unsigned
            } else {
                Payload::Body
            },
            content_sha256_header: self.content_sha256_header,
            sign_session_token: self.sign_session_token,
        }
    }

    /// The signing parameters.
    pub fn params(&self) -> SigningParams<'_> {
        SigningParams {
            credentials: Credentials {
                access_key_id: &self.access_key_id,
                secret_access_key: &self.secret_access_key,
                session_token: self.session_token.as_deref(),
            },
            region: &self.region,
            service: &self.service,
            time: self.signing_time(),
            settings: self.settings(),
        }
    }

    /// Where the signature goes, or `None` for a presign lifetime that is
    /// out of range.
    pub fn location(&self) -> Option<Location> {
        if self.presign {
            Expiry::from_secs(u64::from(self.expires_in))
                .ok()
                .map(Location::Query)
        } else {
            Some(Location::Header)
        }
    }

    /// The payload hash line.
    pub fn payload_hash(&self) -> String {
        if self.unsigned_payload {
            "UNSIGNED-PAYLOAD".into()
        } else {
            model::sha256_hex(self.body.as_bytes())
        }
    }

    /// Whether the signer sets `name` itself (and so drops the caller's).
    pub fn owned_by_signer(&self, name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        n == "authorization"
            || n == "x-amz-date"
            || (n == "x-amz-security-token" && self.session_token.is_some())
            || (n == "x-amz-content-sha256" && !self.presign && self.content_sha256_header)
    }
}

fn scope_part_ok(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b != b'/' && b != b',' && !b.is_ascii_whitespace() && !b.is_ascii_control())
}

/// What the model expects of a signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Headers as sent (before `Authorization`).
    pub sent: Vec<(String, String)>,
    /// The signed header list.
    pub signed_headers: String,
    /// `date/region/service/aws4_request`.
    pub scope: String,
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature.
    pub signature: String,
    /// The presign parameters in the order they are appended (query
    /// location), the signature last.
    pub presign_params: Vec<(String, String)>,
}

/// The model's signing of `input`, or `None` when the signer must refuse
/// it (the reasons, in the signer's documentation: a method that is not a
/// token, a bad scope part, access key id or session token, an invalid
/// header or no `Host`, a relative path, a presign lifetime out of range).
pub fn model_sign(input: &SignInput) -> Option<Expected> {
    let presign = input.presign;
    if presign && !(1..=604_800).contains(&input.expires_in) {
        return None;
    }
    if !model::is_token(&input.method) {
        return None;
    }
    if !scope_part_ok(&input.region) || !scope_part_ok(&input.service) {
        return None;
    }
    if !scope_part_ok(&input.access_key_id) || input.access_key_id.contains([',', '=']) {
        return None;
    }
    if input.secret_access_key.is_empty() {
        return None;
    }
    let token = input.session_token.as_deref();
    if token.is_some_and(|t| t.is_empty() || t.bytes().any(|b| b.is_ascii_control())) {
        return None;
    }
    // The query must not already hold a parameter the signer writes.
    let written_by_signer: &[&str] = if presign {
        &[
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-SignedHeaders",
            "X-Amz-Expires",
            "X-Amz-Signature",
        ]
    } else {
        &[
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-SignedHeaders",
            "X-Amz-Signature",
        ]
    };
    let query_names = input
        .query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name));
    for name in query_names {
        if written_by_signer.contains(&name)
            || (presign && token.is_some() && name == "X-Amz-Security-Token")
        {
            return None;
        }
    }
    if !input.path.is_empty() && !input.path.starts_with('/') {
        return None;
    }
    // A control character cannot be sent on the request line.
    let control = |text: &str| text.bytes().any(|b| b < 0x20 || b == 0x7f);
    if control(&input.path) || control(&input.query) {
        return None;
    }
    // Nor a `?` in the path (it starts the query) or a `#` in either.
    if input.path.contains(['?', '#']) || input.query.contains('#') {
        return None;
    }
    let time = input.signing_time();
    let amz_date = time.amz_date().to_owned();
    let payload = input.payload_hash();
    let mut sent: Vec<(String, String)> = input
        .headers
        .iter()
        .filter(|(n, _)| !input.owned_by_signer(n))
        .map(|(n, v)| (n.0.clone(), v.0.clone()))
        .collect();
    // Exactly one Host, not empty; a caller's x-amz-content-sha256 that
    // stays must be the payload hash.
    let hosts: Vec<&str> = sent
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.as_str())
        .collect();
    if hosts.len() != 1 || hosts[0].trim_matches(' ').is_empty() {
        return None;
    }
    if sent.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("x-amz-content-sha256") && v.trim_matches(' ') != payload
    }) {
        return None;
    }
    // A header signature over UNSIGNED-PAYLOAD needs x-amz-content-sha256
    // (the signer's or the caller's) to tell a server.
    if !presign
        && input.unsigned_payload
        && !input.content_sha256_header
        && !sent
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-content-sha256"))
    {
        return None;
    }
    if !presign {
        if let Some(token) = token {
            sent.push(("X-Amz-Security-Token".into(), token.into()));
        }
        sent.push(("X-Amz-Date".into(), amz_date.clone()));
        if input.content_sha256_header {
            sent.push(("x-amz-content-sha256".into(), payload.clone()));
        }
    }
    let unsigned_token = !presign && !input.sign_session_token;
    let signed: Vec<(&str, &str)> = sent
        .iter()
        .filter(|(n, _)| !(unsigned_token && n.eq_ignore_ascii_case("x-amz-security-token")))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (block, names) = model::canonical_headers(&signed)?;
    let scope = format!(
        "{}/{}/{}/aws4_request",
        time.scope_date(),
        input.region.as_str(),
        input.service.as_str()
    );
    let credential = format!("{}/{scope}", input.access_key_id.as_str());
    let mut presign_params: Vec<(String, String)> = Vec::new();
    let mut signed_extra: Vec<(String, String)> = Vec::new();
    if presign {
        presign_params = vec![
            ("X-Amz-Algorithm".into(), "AWS4-HMAC-SHA256".into()),
            ("X-Amz-Credential".into(), credential),
            ("X-Amz-Date".into(), amz_date.clone()),
            ("X-Amz-SignedHeaders".into(), names.clone()),
            ("X-Amz-Expires".into(), input.expires_in.to_string()),
        ];
        signed_extra = presign_params.clone();
        if let Some(token) = token {
            presign_params.push(("X-Amz-Security-Token".into(), token.into()));
            if input.sign_session_token {
                signed_extra.push(("X-Amz-Security-Token".into(), token.into()));
            }
        }
    }
    let uri = model::canonical_uri(&input.path, input.normalize_path, input.double_encode_path);
    let query = model::canonical_query(&input.query, &signed_extra);
    let canonical_request = format!(
        "{}\n{uri}\n{query}\n{block}\n{names}\n{payload}",
        input.method.as_str()
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        model::sha256_hex(canonical_request.as_bytes())
    );
    let signature = model::signature(
        &input.secret_access_key,
        time.scope_date(),
        &input.region,
        &input.service,
        &string_to_sign,
    );
    if presign {
        presign_params.push(("X-Amz-Signature".into(), signature.clone()));
    }
    Some(Expected {
        sent,
        signed_headers: names,
        scope,
        canonical_request,
        string_to_sign,
        signature,
        presign_params,
    })
}
