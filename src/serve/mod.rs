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

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use respond::{Answer, Endpoint, Received};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};

/// How the server runs, besides what [`Endpoint`] decides.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Largest accepted body, bytes.
    pub max_body_bytes: usize,
    /// Stop after this many requests (`--once` is 1).
    pub max_requests: Option<u64>,
    /// One JSON object per log line instead of text.
    pub json_log: bool,
    /// Most connections served at once.
    pub max_connections: usize,
    /// Longest time a client may take to send its headers, and its body.
    pub client_timeout: Duration,
}

struct Shared {
    endpoint: Endpoint,
    options: ServerOptions,
    served: AtomicU64,
    done: Notify,
}

/// Runs the server until the request bound is reached or Ctrl-C.
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
    let shared = Arc::new(Shared {
        endpoint,
        options: options.clone(),
        served: AtomicU64::new(0),
        done: Notify::new(),
    });
    let slots = Arc::new(Semaphore::new(options.max_connections));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shared.done.notified() => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                eprintln!("accept failed: {e}");
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(|request| handle(Arc::clone(&shared), peer, request));
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(shared.options.client_timeout)
                .max_buf_size(64 * 1024)
                .serve_connection(TokioIo::new(stream), service);
            let _ = connection.await;
            drop(permit);
        });
    }
    // Let answers already being written go out.
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(())
}

async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let answer = match read_request(&shared, parts, body).await {
        Ok(received) => {
            let answer = shared.endpoint.respond(&received);
            log(
                &shared,
                peer,
                &received.method,
                &received.path,
                &answer,
                started,
            );
            answer
        }
        Err(answer) => {
            log(&shared, peer, "-", "-", &answer, started);
            answer
        }
    };
    let count = shared.served.fetch_add(1, Ordering::SeqCst) + 1;
    if shared.options.max_requests.is_some_and(|max| count >= max) {
        shared.done.notify_one();
    }
    Ok(to_response(&answer))
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
            return Err(plain_error(
                413,
                "PayloadTooLarge",
                format!("the body is larger than {limit} bytes"),
            ))
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

fn log(
    shared: &Shared,
    peer: SocketAddr,
    method: &str,
    path: &str,
    answer: &Answer,
    started: Instant,
) {
    let mut outcome = answer.outcome.clone();
    for secret in shared.endpoint.credentials.secrets() {
        if outcome.contains(secret) {
            outcome = outcome.replace(secret, "[REDACTED]");
        }
    }
    let akid = answer.access_key_id.as_deref().unwrap_or("-");
    let micros = started.elapsed().as_micros();
    if shared.options.json_log {
        eprintln!(
            "{}",
            serde_json::json!({
                "time": sigv4_signer::SigningTime::now().to_string(),
                "peer": peer.to_string(), "method": method, "path": path,
                "status": answer.status, "access_key_id": akid,
                "outcome": outcome, "micros": micros,
            })
        );
    } else {
        eprintln!(
            "{peer} {method} {path} {} {akid} {micros}us {outcome}",
            answer.status
        );
    }
}
