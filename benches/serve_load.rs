//! A bounded load test of `serve` on loopback: client threads on
//! keep-alive connections send signed requests for a few seconds; prints
//! requests/s, latency percentiles and the server's peak memory. Each
//! request is fully verified (signature, scope, time, policy).
//! Run: `cargo bench --bench serve_load` (SERVE_LOAD_SECS, SERVE_LOAD_CLIENTS).

use sigv4_signer::{sign_headers, Credentials, Request, Settings, SigningParams, SigningTime};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes --bench; under `cargo test` this is a smoke run.
    let benching = std::env::args().any(|a| a == "--bench");
    let seconds = env_or("SERVE_LOAD_SECS", if benching { 5 } else { 1 });
    let clients = env_or("SERVE_LOAD_CLIENTS", 8) as usize;
    let dir = std::env::temp_dir().join(format!("sigv4-serve-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let creds = dir.join("credentials.json");
    std::fs::write(
        &creds,
        format!(r#"{{"credentials":[{{"access_key_id":"AKIDEXAMPLE","secret_access_key":"{SECRET}","arn":"arn:aws:iam::1:user/load"}}]}}"#),
    )
    .expect("write");
    let policy = dir.join("policy.json");
    std::fs::write(
        &policy,
        r#"{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/prod/*"}]}"#,
    )
    .expect("write");
    let mut server = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--stage",
            "prod",
            "--credentials",
        ])
        .arg(&creds)
        .arg("--policy")
        .arg(&policy)
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(server.stderr.take().expect("stderr")).lines();
    let port: u16 = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("listening on http://127.0.0.1:")
                .and_then(|r| r.split_whitespace().next()?.parse().ok())
        })
        .expect("port");
    // Drain the per-request log so the server never blocks on stderr.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});

    let host = format!("127.0.0.1:{port}");
    let body = br#"{"name":"rex","tags":["a","b"]}"#;
    let headers = [
        ("Host", host.as_str()),
        ("Content-Type", "application/json"),
    ];
    let request = Request {
        method: "POST",
        path: "/prod/pets",
        query: "a=1&b=2",
        headers: &headers,
        body,
    };
    let params = SigningParams {
        credentials: Credentials {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: SECRET,
            session_token: None,
        },
        region: "us-east-1",
        service: "execute-api",
        time: SigningTime::now(),
        settings: Settings::default(),
    };
    let signed = sign_headers(&request, &params).expect("signs");
    let mut wire = format!(
        "POST /prod/pets?a=1&b=2 HTTP/1.1\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in &signed.request.headers {
        wire.push_str(&format!("{n}: {v}\r\n"));
    }
    wire.push_str("\r\n");
    let mut wire = wire.into_bytes();
    wire.extend_from_slice(body);

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let wire = wire.clone();
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut writer = stream;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    writer.write_all(&wire).expect("write");
                    let mut status = String::new();
                    reader.read_line(&mut status).expect("status");
                    assert!(status.contains(" 200 "), "unexpected answer: {status}");
                    let mut length = 0usize;
                    loop {
                        let mut line = String::new();
                        reader.read_line(&mut line).expect("header");
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().expect("length");
                        }
                    }
                    let mut answer = vec![0; length];
                    reader.read_exact(&mut answer).expect("body");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("client"))
        .collect();
    let elapsed = started.elapsed();
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.id())).unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: ?")
        .to_owned();
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "clients: {clients}, duration: {:.1} s, requests: {}",
        elapsed.as_secs_f64(),
        latencies.len()
    );
    println!(
        "throughput: {:.0} requests/s (every one verified and authorized)",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:?}, p99 {:?}, max {:?}",
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "server peak memory: {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
}
