//! `sigv4-conformance serve`: a local endpoint that verifies SigV4 requests
//! from real clients the way an API Gateway method with `AWS_IAM`
//! authorization does, and answers better than AWS's 403.
//!
//! The HTTP layer is hyper; [`respond`] holds everything else and is
//! tested without a network.

pub mod identity;
pub mod policy;
pub mod resource;
pub mod respond;

use crate::report::redact::Redactor;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use respond::{Answer, Endpoint, Received};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Semaphore};

/// How the server runs, besides what [`Endpoint`] decides.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Largest accepted body, bytes.
    pub max_body_bytes: usize,
    /// Answer this many requests, then exit (`--once` is 1); `Some(0)`
    /// answers none and returns at once.
    pub max_requests: Option<u64>,
    /// One JSON object per log line instead of text.
    pub json_log: bool,
    /// Most connections served at once (at least 1).
    pub max_connections: u32,
    /// Longest time a client may take to send its headers, and its body.
    pub client_timeout: Duration,
}

struct Shared {
    endpoint: Endpoint,
    options: ServerOptions,
    /// Requests taken so far, each answered or being answered.
    claimed: AtomicU64,
    /// Becomes true when the server stops: the last request allowed by
    /// `--max-requests` was taken, or a signal came. Connections then
    /// finish the answer they are writing and close.
    stopping: watch::Sender<bool>,
    /// The credentials' secrets, in every form a log could show them.
    redactor: Redactor,
}

impl Shared {
    /// Takes a request's place in the count: its number (1 for the first),
    /// or `None` when `--max-requests` were already taken.
    fn claim(&self) -> Option<u64> {
        let limit = self.options.max_requests.unwrap_or(u64::MAX);
        self.claimed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |taken| {
                (taken < limit).then_some(taken + 1)
            })
            .ok()
            .map(|taken| taken + 1)
    }
}

/// The error of a request that arrives after the last one allowed: hyper
/// closes its connection without an answer.
#[derive(Debug)]
struct LimitReached;

impl std::fmt::Display for LimitReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("--max-requests were answered; no further request is served")
    }
}

impl std::error::Error for LimitReached {}

/// How long a stop waits for the answers being written after a signal.
const SIGNAL_GRACE: Duration = Duration::from_secs(1);

/// Runs the server until the request bound is reached, Ctrl-C or SIGTERM.
///
/// # Errors
/// A message when the address cannot be bound or the runtime not started.
pub fn run(endpoint: Endpoint, options: ServerOptions) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(endpoint, options))
}

/// Completes at the first Ctrl-C or SIGTERM; never when neither can be
/// listened for.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                Ok(()) = tokio::signal::ctrl_c() => {}
                Some(()) = terminate.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Completes when the server stops (or can no longer be told to).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // The value's guard is dropped here: it must not live across an await.
    let _ = stopping.wait_for(|stopped| *stopped).await;
}

async fn serve(endpoint: Endpoint, options: ServerOptions) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // The first line tells scripts where to connect (useful with port 0).
    eprintln!(
        "listening on http://{address} (region {}, service {}{})",
        endpoint.region,
        endpoint.service,
        endpoint
            .stage
            .as_ref()
            .map(|s| format!(", stage {s}"))
            .unwrap_or_default()
    );
    let connection_limit = options.max_connections;
    let nothing_to_answer = options.max_requests == Some(0);
    let redactor = Redactor::new(endpoint.credentials.secrets());
    let shared = Arc::new(Shared {
        redactor,
        endpoint,
        options,
        claimed: AtomicU64::new(0),
        stopping: watch::Sender::new(nothing_to_answer),
    });
    let mut stopping = shared.stopping.subscribe();
    let slots = Arc::new(Semaphore::new(connection_limit as usize));
    let interrupted = interrupted();
    tokio::pin!(interrupted);
    let mut grace = shared.options.client_timeout + SIGNAL_GRACE;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stopping) => break,
            () = &mut interrupted => {
                grace = SIGNAL_GRACE;
                break;
            }
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                eprintln!("accept failed: {e}");
                continue;
            }
        };
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = stopped(&mut stopping) => break,
            () = &mut interrupted => {
                grace = SIGNAL_GRACE;
                break;
            }
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let mut stopping = shared.stopping.subscribe();
            let service = service_fn(|request| handle(Arc::clone(&shared), peer, request));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(shared.options.client_timeout)
                .max_buf_size(64 * 1024)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stopped(&mut stopping) => {
                    // Finish the answer being written, take no new request.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    shared.stopping.send_replace(true);
    // Every connection holds a slot until it is closed: holding them all
    // means every answer taken was written. A client that stalls its body
    // is cut by the client timeout, so the wait is bounded.
    let _ = tokio::time::timeout(grace, slots.acquire_many(connection_limit)).await;
    Ok(())
}

async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, LimitReached> {
    let Some(number) = shared.claim() else {
        return Err(LimitReached);
    };
    let is_last = shared.options.max_requests == Some(number);
    if is_last {
        // Stop accepting now; this answer is still written in full.
        shared.stopping.send_replace(true);
    }
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let (answer, body_unread) = match read_request(&shared, parts, body).await {
        Ok(received) => {
            let answer = shared.endpoint.respond(&received);
            let target = loggable_target(&received.path, &received.query);
            log(&shared, peer, &received.method, &target, &answer, started);
            (answer, false)
        }
        Err(answer) => {
            log(&shared, peer, "-", "-", &answer, started);
            (answer, true)
        }
    };
    let mut response = if shared.endpoint.is_s3() {
        to_s3_response(&answer)
    } else {
        to_response(&answer)
    };
    let stopping = *shared.stopping.borrow();
    // After the last answer, or when the body was not read to its end,
    // the connection can carry no further request.
    if is_last || body_unread || stopping {
        response.headers_mut().insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
    Ok(response)
}

fn plain_error(status: u16, error_type: &'static str, message: String) -> Answer {
    Answer {
        status,
        body: serde_json::json!({"message": message, "reason": error_type}),
        error_type: Some(error_type),
        access_key_id: None,
        outcome: format!("{error_type}: {message}"),
    }
}

fn too_large(limit: usize) -> Answer {
    plain_error(
        413,
        "PayloadTooLarge",
        format!("the body is larger than --max-body, {limit} bytes"),
    )
}

async fn read_request(
    shared: &Shared,
    parts: hyper::http::request::Parts,
    body: Incoming,
) -> Result<Received, Answer> {
    let mut headers = Vec::with_capacity(parts.headers.len());
    for (name, value) in &parts.headers {
        let value = value.to_str().map_err(|_| {
            plain_error(
                400,
                "BadRequest",
                format!("the value of header {name} is not visible ASCII"),
            )
        })?;
        headers.push((name.as_str().to_owned(), value.to_owned()));
    }
    let limit = shared.options.max_body_bytes;
    // A declared length over the limit is refused before any of the body is
    // read: waiting for it would only end in the client timeout.
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large(limit));
    }
    let collected = tokio::time::timeout(
        shared.options.client_timeout,
        Limited::new(body, limit).collect(),
    )
    .await;
    let body = match collected {
        Err(_) => {
            return Err(plain_error(
                408,
                "RequestTimeout",
                format!(
                    "the body did not arrive within {:?}",
                    shared.options.client_timeout
                ),
            ))
        }
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Err(too_large(limit))
        }
        Ok(Err(e)) => {
            return Err(plain_error(
                400,
                "BadRequest",
                format!("reading the body failed: {e}"),
            ))
        }
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
    };
    Ok(Received {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or("").to_owned(),
        headers,
        body,
    })
}

fn to_response(answer: &Answer) -> hyper::Response<Full<Bytes>> {
    let body = serde_json::to_vec_pretty(&answer.body).unwrap_or_default();
    let mut builder = hyper::Response::builder()
        .status(answer.status)
        .header("content-type", "application/json");
    if let Some(error_type) = answer.error_type {
        builder = builder.header("x-amzn-ErrorType", error_type);
    }
    builder
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

/// The answer in S3's shape, which S3 clients parse: an error is an XML
/// `<Error>` with its code and message (and, for a signature mismatch, the
/// server's canonical request, string to sign and diagnosis, as S3 gives the
/// first two); a success has an empty body, with the caller in a header.
fn to_s3_response(answer: &Answer) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(answer.status);
    let body = match answer.error_type {
        Some(code) => {
            builder = builder.header("content-type", "application/xml");
            let text = |field: &str| answer.body.get(field).and_then(|v| v.as_str());
            let mut xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>",
                crate::report::junit::escape(code),
                crate::report::junit::escape(text("message").unwrap_or_default())
            );
            for (field, element) in [
                ("region", "Region"),
                ("canonicalRequest", "CanonicalRequest"),
                ("stringToSign", "StringToSign"),
            ] {
                if let Some(value) = text(field) {
                    xml.push_str(&format!(
                        "<{element}>{}</{element}>",
                        crate::report::junit::escape(value)
                    ));
                }
            }
            if let Some(diagnosis) = answer.body.get("diagnosis").and_then(|d| d.as_array()) {
                for d in diagnosis {
                    let line = format!(
                        "{}{}: {}",
                        d["fault"].as_str().unwrap_or_default(),
                        if d["proven"].as_bool() == Some(true) {
                            " (proven)"
                        } else {
                            ""
                        },
                        d["explanation"].as_str().unwrap_or_default()
                    );
                    xml.push_str(&format!(
                        "<Diagnosis>{}</Diagnosis>",
                        crate::report::junit::escape(&line)
                    ));
                }
            }
            xml.push_str("</Error>\n");
            xml.into_bytes()
        }
        None => {
            if let Some(arn) = answer
                .body
                .pointer("/identity/arn")
                .and_then(|a| a.as_str())
            {
                if let Ok(value) = hyper::header::HeaderValue::from_str(arn) {
                    builder = builder.header("x-sigv4-caller-arn", value);
                }
            }
            Vec::new()
        }
    };
    builder
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

/// The path and query for the log, without the values of a presigned
/// URL's signature and session token (a token is a credential).
fn loggable_target(path: &str, query: &str) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    format!("{path}?{}", without_credentials(query))
}

/// `query` with the values of a presigned URL's signature and session
/// token left out, for the log.
fn without_credentials(query: &str) -> String {
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((name, _)) if matches!(name, "X-Amz-Signature" | "X-Amz-Security-Token") => {
                format!("{name}=…")
            }
            _ => param.to_owned(),
        })
        .collect();
    params.join("&")
}

/// A canonical request for the log: the session token left out of its
/// query line and of its `x-amz-security-token` header line, as it is
/// left out of the logged target.
fn loggable_canonical_request(canonical_request: &str) -> String {
    canonical_request
        .split('\n')
        .enumerate()
        .map(|(index, line)| {
            if index == 2 {
                without_credentials(line)
            } else if line.starts_with("x-amz-security-token:") {
                "x-amz-security-token:…".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn log(
    shared: &Shared,
    peer: SocketAddr,
    method: &str,
    path: &str,
    answer: &Answer,
    started: Instant,
) {
    let redact = |text: &str| shared.redactor.scrub(text);
    let outcome = redact(&answer.outcome);
    // The query too can carry anything a client put there.
    let path = redact(path);
    // A signature mismatch's message points at what this server computed:
    // the log carries it too, so that a log line is enough to compare.
    let computed: Vec<(&str, String)> = ["canonicalRequest", "stringToSign"]
        .into_iter()
        .filter_map(|name| {
            let value = answer.body.get(name)?.as_str()?;
            let value = match name {
                "canonicalRequest" => loggable_canonical_request(value),
                _ => value.to_owned(),
            };
            Some((name, redact(&value)))
        })
        .collect();
    let akid = answer.access_key_id.as_deref().unwrap_or("-");
    let micros = started.elapsed().as_micros();
    if shared.options.json_log {
        let mut line = serde_json::json!({
            "time": sigv4_signer::SigningTime::now().to_string(),
            "peer": peer.to_string(), "method": method, "path": path,
            "status": answer.status, "access_key_id": akid,
            "outcome": outcome, "micros": micros,
        });
        if let Some(fields) = line.as_object_mut() {
            for (name, value) in computed {
                fields.insert(name.to_owned(), serde_json::Value::String(value));
            }
        }
        eprintln!("{line}");
    } else {
        // Each one quoted and escaped, so the entry stays on one line.
        let computed: String = computed
            .iter()
            .map(|(name, value)| format!(" {name}={value:?}"))
            .collect();
        eprintln!(
            "{peer} {method} {path} {} {akid} {micros}us {outcome}{computed}",
            answer.status
        );
    }
}
