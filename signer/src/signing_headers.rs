//! The lean form of header signing: only the headers a client adds to its
//! request, with the intermediates that made them, canonicalized straight
//! from the caller's borrowed request (nothing of the request is copied).

use crate::encode::{push_hex32, with_scratch};
use crate::headers::{sort_all_remembering, write_signed_names, SortMemo, HEADERS_ON_STACK};
use crate::key::{FirstBlockMemo, RecentKey};
use crate::query::{wire_param_count, Param, PARAMS_ON_STACK};
use crate::sign::{
    added_header_count, added_headers, check_and_hash_payload, check_request, fill_request_params,
    hash_canonical_request, sign_string_to_sign, write_authorization_head, write_canonical_request,
    write_credential_scope, write_string_to_sign_head, CanonicalParts, Remember, TOKEN_PARAM,
};
use crate::{Error, Location, Request, Signer, SigningParams};

/// The headers that sign a request in the `Authorization` header, as
/// [`Signer::signing_headers_into`] writes them: what a client sets on the
/// request it sends, and the intermediates that made them, kept in the
/// value and read through its accessors.
///
/// The signature covers the request's own headers as given, so the
/// request sent is those headers with the ones [`SigningHeaders::iter`]
/// yields set on it: any header of the same name (case-insensitive)
/// removed, these appended. That is exactly [`crate::Signed::request`]'s
/// headers. Nothing else of the request (method, path, query, body)
/// changes.
///
/// Start from [`SigningHeaders::default`] (no allocation) and reuse the
/// value: once it has held the headers of a request of the same shape (the
/// same headers and query parameters, none of them longer), signing into
/// it allocates nothing. Like a [`crate::Signed`] passed to
/// [`Signer::sign_into`], it remembers its last key's cache entry (the
/// cache's copy of the secret included) and the hash states of its last
/// signature's first blocks (keyed by the signing key), and, for up to 8
/// headers, the order they sorted in.
///
/// After an error it holds no headers to set: [`SigningHeaders::iter`]
/// yields none and [`SigningHeaders::authorization`] is empty, so a stale
/// signature cannot be sent by mistake. Its other contents are then
/// unspecified.
///
/// Its `Debug` form shows no secret or signing key, but does show a session
/// token, which is sent in the clear.
///
/// # Example
/// Setting the headers on a request held as name and value pairs; the
/// caller's stale `X-Amz-Date` is replaced.
/// ```
/// use sigv4_signer::{Credentials, Location, Request, Settings, Signer, SigningParams, SigningTime};
/// let params = SigningParams {
///     credentials: Credentials {
///         access_key_id: "AKIDEXAMPLE",
///         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///         session_token: None,
///     },
///     region: "us-east-1",
///     service: "service",
///     time: SigningTime::parse("2015-08-30T12:36:00Z")?,
///     settings: Settings::default(),
/// };
/// let headers = [("Host", "example.amazonaws.com"), ("x-amz-date", "stale")];
/// let request = Request {
///     method: "GET",
///     path: "/",
///     query: "",
///     headers: &headers,
///     body: b"",
/// };
/// let signer = Signer::new();
/// let added = signer.signing_headers(&request, &params)?;
/// let mut sent: Vec<(String, String)> = headers
///     .iter()
///     .filter(|(name, _)| !added.iter().any(|(set, _)| set.eq_ignore_ascii_case(name)))
///     .map(|&(name, value)| (name.to_owned(), value.to_owned()))
///     .collect();
/// sent.extend(added.iter().map(|(name, value)| (name.to_owned(), value.to_owned())));
/// let full = signer.sign(&request, &params, Location::Header)?;
/// assert_eq!(sent, full.request.headers);
///
/// // After an error, nothing to set.
/// let mut reused = added;
/// let no_host = Request { headers: &[], ..request };
/// assert!(signer.signing_headers_into(&no_host, &params, &mut reused).is_err());
/// assert_eq!(reused.iter().count(), 0);
/// # Ok::<(), sigv4_signer::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct SigningHeaders {
    amz_date: String,
    /// Kept when a request has none, so that the next token is written
    /// into its memory.
    session_token: String,
    has_session_token: bool,
    content_sha256_header: bool,
    payload_hash: String,
    credential_scope: String,
    signed_headers: String,
    canonical_request: String,
    string_to_sign: String,
    authorization: String,
    recent_key: RecentKey,
    canonical_request_memo: FirstBlockMemo,
    string_to_sign_memo: FirstBlockMemo,
    header_order: SortMemo,
}

impl SigningHeaders {
    /// The headers to set on the request, replacing any of the same name,
    /// in the order [`crate::Signed::request`] sends them after the
    /// caller's: `X-Amz-Security-Token` (with a session token),
    /// `X-Amz-Date`, `x-amz-content-sha256` (when
    /// [`crate::Settings::content_sha256_header`] is on), `Authorization`.
    /// None after an error.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        let signed = !self.authorization.is_empty();
        [
            (self.has_session_token).then_some((TOKEN_PARAM, self.session_token.as_str())),
            Some(("X-Amz-Date", self.amz_date.as_str())),
            self.content_sha256_header
                .then_some(("x-amz-content-sha256", self.payload_hash.as_str())),
            Some(("Authorization", self.authorization.as_str())),
        ]
        .into_iter()
        .flatten()
        .filter(move |_| signed)
    }

    /// The `Authorization` header's value; empty after an error.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The `X-Amz-Date` header's value.
    pub fn amz_date(&self) -> &str {
        &self.amz_date
    }

    /// The signature, lower-case hex: the end of the `Authorization` value.
    pub fn signature(&self) -> &str {
        let at = self.authorization.len().saturating_sub(64);
        self.authorization.get(at..).unwrap_or_default()
    }

    /// `date/region/service/aws4_request`.
    pub fn credential_scope(&self) -> &str {
        &self.credential_scope
    }

    /// The `;`-separated signed header names.
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// The last line of the canonical request.
    pub fn payload_hash(&self) -> &str {
        &self.payload_hash
    }

    /// The canonical request.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

impl Signer {
    /// Signs in the `Authorization` header and returns only what the
    /// request needs added (see [`SigningHeaders`]): the lean form of
    /// [`Signer::sign`] with [`Location::Header`], for a client that sends
    /// the request it already holds.
    ///
    /// # Errors
    /// Any [`Error`] naming the malformed part of the request or
    /// parameters, as [`Signer::sign`] gives it.
    pub fn signing_headers(
        &self,
        request: &Request<'_>,
        params: &SigningParams<'_>,
    ) -> Result<SigningHeaders, Error> {
        let mut headers = SigningHeaders::default();
        self.signing_headers_into(request, params, &mut headers)?;
        Ok(headers)
    }

    /// Like [`Signer::signing_headers`], writing into `out` and reusing its
    /// memory: once `out` has held the headers of a request of the same
    /// shape, signing allocates nothing. On error, `out` holds no headers to
    /// set (see [`SigningHeaders`]); its other contents are unspecified.
    ///
    /// # Errors
    /// Any [`Error`] naming the malformed part of the request or
    /// parameters, as [`Signer::sign`] gives it.
    ///
    /// # Example
    /// ```
    /// use sigv4_signer::{
    ///     Credentials, Request, Settings, Signer, SigningHeaders, SigningParams, SigningTime,
    /// };
    /// let params = SigningParams {
    ///     credentials: Credentials {
    ///         access_key_id: "AKIDEXAMPLE",
    ///         secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ///         session_token: None,
    ///     },
    ///     region: "us-east-1",
    ///     service: "service",
    ///     time: SigningTime::parse("2015-08-30T12:36:00Z")?,
    ///     settings: Settings::default(),
    /// };
    /// let request = Request {
    ///     method: "GET",
    ///     path: "/",
    ///     query: "Param2=value2&Param1=value1",
    ///     headers: &[("Host", "example.amazonaws.com")],
    ///     body: b"",
    /// };
    /// let signer = Signer::new();
    /// let mut added = SigningHeaders::default();
    /// signer.signing_headers_into(&request, &params, &mut added)?;
    /// // The published header signature of the
    /// // `get-vanilla-query-order-key-case` vector
    /// // (vectors/data/aws-v4/get-vanilla-query-order-key-case/).
    /// let expected = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";
    /// assert_eq!(added.signature(), expected);
    /// let authorization = format!(
    ///     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
    ///      SignedHeaders=host;x-amz-date, Signature={expected}"
    /// );
    /// assert_eq!(
    ///     added.iter().collect::<Vec<_>>(),
    ///     [("X-Amz-Date", "20150830T123600Z"), ("Authorization", authorization.as_str())],
    /// );
    /// # Ok::<(), sigv4_signer::Error>(())
    /// ```
    pub fn signing_headers_into(
        &self,
        request: &Request<'_>,
        params: &SigningParams<'_>,
        out: &mut SigningHeaders,
    ) -> Result<(), Error> {
        // Emptied first: after an error there is no signature to send.
        out.authorization.clear();
        let (amz_date, scope_date) =
            check_and_hash_payload(request, params, &mut out.payload_hash)?;
        let settings = &params.settings;
        let location = Location::Header;
        let token = params.credentials.session_token;
        let added = added_header_count(params, location);
        let payload_hash = out.payload_hash.as_str();
        // The signed headers, borrowed from the request and from here; the
        // headers sent are the caller's and the ones `iter` yields.
        with_scratch::<(&str, &str), HEADERS_ON_STACK, _>(
            request.headers.len() + added,
            |signed| {
                let mut list = SignedList {
                    signed,
                    len: 0,
                    block_len: 0,
                };
                check_request(
                    request,
                    params,
                    location,
                    payload_hash,
                    |name, value, is_signed| list.keep(name, value, is_signed),
                )?;
                added_headers(
                    params,
                    location,
                    amz_date,
                    payload_hash,
                    |name, value, is_signed| list.keep(name, value, is_signed),
                );
                let (len, block_len) = (list.len, list.block_len);
                let signed = &list.signed[..len];
                with_scratch::<u32, HEADERS_ON_STACK, _>(len, |order| {
                    sort_all_remembering(signed, order, &mut out.header_order);
                    out.signed_headers.clear();
                    write_signed_names(signed, order, &mut out.signed_headers);
                    let param_count = wire_param_count(request.query);
                    with_scratch::<Param<'_>, PARAMS_ON_STACK, _>(param_count, |query| {
                        let filled =
                            fill_request_params(request.query, location, token.is_some(), query)?;
                        write_canonical_request(
                            &CanonicalParts {
                                method: request.method,
                                path: request.path,
                                uri: settings.uri,
                                headers: signed,
                                order,
                                block_len,
                                signed_names: &out.signed_headers,
                                payload_hash,
                            },
                            &mut query[..filled],
                            &mut out.canonical_request,
                        )
                    })
                })
            },
        )?;

        write_credential_scope(
            scope_date,
            params.region,
            params.service,
            &mut out.credential_scope,
        );
        // As in `Signer::sign_into`: the key before the hash.
        let key = out.recent_key.get(
            &self.cache,
            params.credentials.secret_access_key,
            scope_date,
            params.region,
            params.service,
        );
        let creq_digest = hash_canonical_request(
            &out.canonical_request,
            Remember::FirstBlocks,
            &mut out.canonical_request_memo,
        );
        let scope = out.credential_scope.as_str();
        write_string_to_sign_head(amz_date, scope, &mut out.string_to_sign);
        write_authorization_head(
            params.credentials.access_key_id,
            scope,
            &out.signed_headers,
            &mut out.authorization,
        );
        out.amz_date.clear();
        out.amz_date.push_str(amz_date);
        out.session_token.clear();
        out.session_token.push_str(token.unwrap_or_default());
        out.has_session_token = token.is_some();
        out.content_sha256_header = settings.content_sha256_header;
        let signature = sign_string_to_sign(
            &key,
            &creq_digest,
            Remember::FirstBlocks,
            &mut out.string_to_sign_memo,
            &mut out.string_to_sign,
        );
        push_hex32(&mut out.authorization, &signature);
        Ok(())
    }
}

/// The signed headers, borrowed, with the length their canonical block
/// takes at most, counted as they are kept.
struct SignedList<'l, 'h> {
    signed: &'l mut [(&'h str, &'h str)],
    len: usize,
    block_len: usize,
}

impl<'h> SignedList<'_, 'h> {
    fn keep(&mut self, name: &'h str, value: &'h str, is_signed: bool) {
        if !is_signed {
            return;
        }
        if let Some(slot) = self.signed.get_mut(self.len) {
            *slot = (name, value);
            self.block_len += name.len() + value.len() + 2;
            self.len += 1;
        }
    }
}
