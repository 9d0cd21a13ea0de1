//! `serve` with real clients on loopback: curl's `--aws-sigv4`, botocore,
//! the crates.io aws-sigv4 signer and our own signer; header and
//! presigned; valid requests get 200, tampered ones 403 with the right
//! reason; logs never hold a secret; oversized and slow clients are cut.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const OTHER_SECRET: &str = "s3cr3t-that-must-never-be-logged/0123456789";

struct Server {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The policy of most tests: pets may be read and written, not deleted.
const PETS_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:*/prod/*/pets*"},
  {"Sid":"NoDeletes","Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/*/DELETE/*"}]}"#;

impl Server {
    fn start(name: &str, extra: &[&str]) -> Server {
        Server::launch(name, Some(PETS_POLICY), Some("prod"), extra)
    }

    fn start_with_policy(name: &str, policy: &str, extra: &[&str]) -> Server {
        Server::launch(name, Some(policy), Some("prod"), extra)
    }

    /// Starts `serve` with `policy` (none: no `--policy`) and `stage`.
    fn launch(name: &str, policy: Option<&str>, stage: Option<&str>, extra: &[&str]) -> Server {
        let dir = std::env::temp_dir().join(format!("sigv4-serve-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("credentials.json"),
            format!(
                r#"{{"credentials":[
                {{"access_key_id":"{AKID}","secret_access_key":"{SECRET}","arn":"arn:aws:iam::123456789012:user/alice"}},
                {{"access_key_id":"AKIDBOB","secret_access_key":"{OTHER_SECRET}","arn":"arn:aws:iam::123456789012:user/bob"}},
                {{"access_key_id":"ASIACAROL","secret_access_key":"{OTHER_SECRET}","session_token":"token-of-carol","arn":"arn:aws:iam::123456789012:user/carol"}}]}}"#
            ),
        )
        .expect("write");
        let mut command = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--credentials"])
            .arg(dir.join("credentials.json"));
        if let Some(policy) = policy {
            std::fs::write(dir.join("policy.json"), policy).expect("write");
            command.arg("--policy").arg(dir.join("policy.json"));
        }
        if let Some(stage) = stage {
            command.args(["--stage", stage]);
        }
        let mut child = command
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let mut port = 0;
        // The notes before the address line are kept for the log too.
        let mut before = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("stderr line");
            before.push(line.clone());
            if let Some(rest) = line.strip_prefix("listening on http://127.0.0.1:") {
                port = rest
                    .split_whitespace()
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("port");
                break;
            }
        }
        // Keep the log for the secret check.
        let log = dir.join("log.txt");
        std::thread::spawn(move || {
            let mut file = std::fs::File::create(log).expect("log file");
            for line in before.into_iter().chain(lines.map_while(Result::ok)) {
                let _ = writeln!(file, "{line}");
            }
        });
        Server { child, port, dir }
    }

    fn url(&self, path_and_query: &str) -> String {
        format!("http://127.0.0.1:{}{path_and_query}", self.port)
    }

    fn log(&self) -> String {
        std::thread::sleep(Duration::from_millis(100));
        std::fs::read_to_string(self.dir.join("log.txt")).unwrap_or_default()
    }
}

/// Alice's key signing now, in us-east-1, for `service` with `settings`.
fn alice_signing(
    service: &'static str,
    settings: sigv4_signer::Settings<'static>,
) -> sigv4_signer::SigningParams<'static> {
    sigv4_signer::SigningParams {
        credentials: sigv4_signer::Credentials {
            access_key_id: AKID,
            secret_access_key: SECRET,
            session_token: None,
        },
        region: "us-east-1",
        service,
        time: sigv4_signer::SigningTime::now(),
        settings,
    }
}

/// Sends raw HTTP/1.1 and returns (status, JSON body).
fn send(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, Value) {
    let (status, text) = send_text(port, method, target, headers, body);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// [`send`], with the answer's body as text (S3's answers are XML).
fn send_text(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write body");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn python() -> String {
    std::env::var("SIGV4_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

fn botocore(server: &Server, url: &str, extra: &[&str]) -> (u16, Value) {
    let out = Command::new(python())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("tests/clients/botocore_client.py")
        .arg(server.url(url))
        .args(extra)
        .output()
        .expect("python runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let status = lines
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "botocore client failed (run ./scripts/test.sh): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    (
        status,
        lines
            .next()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or(Value::Null),
    )
}

#[test]
fn botocore_header_and_presigned_requests_verify_and_tampering_is_named() {
    let server = Server::start("botocore", &[]);
    let (status, body) = botocore(
        &server,
        "/prod/pets?a=1&b=2",
        &["--method", "POST", "--body", r#"{"name":"rex"}"#],
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["identity"]["arn"],
        "arn:aws:iam::123456789012:user/alice"
    );
    assert_eq!(body["body"], r#"{"name":"rex"}"#);
    let (status, body) = botocore(&server, "/prod/pets?a=1", &["--presign", "60"]);
    assert_eq!(status, 200, "{body}");
    for tamper in ["body", "header", "path", "query"] {
        let (status, body) = botocore(
            &server,
            "/prod/pets?a=1",
            &["--method", "POST", "--body", "{}", "--tamper", tamper],
        );
        assert_eq!(status, 403, "{tamper}: {body}");
        assert_eq!(
            body["reason"], "InvalidSignatureException",
            "{tamper}: {body}"
        );
        assert!(
            body["canonicalRequest"]
                .as_str()
                .is_some_and(|c| c.starts_with("POST\n")),
            "{tamper}"
        );
    }
    let (status, body) = botocore(&server, "/prod/pets", &["--access-key", "AKIDNOBODY"]);
    assert_eq!(
        (status, body["reason"].as_str()),
        (403, Some("UnrecognizedClientException")),
        "{body}"
    );
    let (status, body) = botocore(&server, "/prod/pets", &["--secret", "wrong-secret"]);
    assert_eq!(
        (status, body["reason"].as_str()),
        (403, Some("InvalidSignatureException")),
        "{body}"
    );
    let (status, body) = botocore(
        &server,
        "/prod/pets",
        &["--presign", "60", "--sign-time", "2020-01-01T00:00:00Z"],
    );
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired at 2020-01-01T00:01:00Z")),
        "{body}"
    );
    let (status, body) = botocore(&server, "/prod/pets", &["--region", "eu-west-1"]);
    assert!(
        status == 403
            && body["message"]
                .as_str()
                .is_some_and(|m| m.contains("region \"eu-west-1\"")),
        "{body}"
    );
    let (status, body) = botocore(&server, "/prod/pets/1", &["--method", "DELETE"]);
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("explicit deny (statement NoDeletes)")),
        "{body}"
    );
    let (status, body) = botocore(&server, "/prod/owners", &[]);
    assert!(
        status == 403
            && body["message"]
                .as_str()
                .is_some_and(|m| m.contains("no policy statement allows it")),
        "{body}"
    );
    let (status, body) = botocore(
        &server,
        "/prod/pets",
        &["--access-key", "AKIDBOB", "--secret", OTHER_SECRET],
    );
    assert_eq!(status, 200, "{body}");
    let log = server.log();
    assert!(log.contains("GET /prod/pets 200 AKIDBOB"), "{log}");
    assert!(
        !log.contains(OTHER_SECRET) && !log.contains(SECRET),
        "a secret reached the log"
    );
}

#[test]
fn curl_aws_sigv4_requests_verify_or_are_diagnosed() {
    let server = Server::start("curl", &[]);
    let curl = |args: &[&str]| -> (u16, Value) {
        let out = Command::new("curl")
            .args([
                "-s",
                "-w",
                "\n%{http_code}",
                "--aws-sigv4",
                "aws:amz:us-east-1:execute-api",
                "--user",
            ])
            .arg(format!("{AKID}:{SECRET}"))
            .args(args)
            .output()
            .expect("curl runs (install Debian's curl)");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (
            code.trim().parse().unwrap_or(0),
            serde_json::from_str(body).unwrap_or(Value::Null),
        )
    };
    let (status, body) = curl(&[&server.url("/prod/pets?a=1&b=2")]);
    assert_eq!(status, 200, "{body}");
    let (status, body) = curl(&[
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"a":1}"#,
        &server.url("/prod/pets"),
    ]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["body"], r#"{"a":1}"#);
    // Older curl (7.88, Debian 12) does not sort the query: the server
    // proves it. A fixed curl gets 200.
    let (status, body) = curl(&[&server.url("/prod/pets?b=2&a=1")]);
    if status != 200 {
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["diagnosis"][0]["fault"], "query-unsorted", "{body}");
        assert_eq!(body["diagnosis"][0]["proven"], true);
    }
    let (status, body) = curl(&["-X", "DELETE", &server.url("/prod/pets/1")]);
    assert_eq!(status, 403, "{body}");
}

/// `method target` signed by the aws-sigv4 crate for `service` with
/// `settings`: the headers to send and the target with any presigning
/// parameters.
fn signed_by_aws_sigv4(
    server: &Server,
    method: &str,
    target: &str,
    body: &[u8],
    service: &str,
    settings: aws_sigv4::http_request::SigningSettings,
) -> (Vec<(String, String)>, String) {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest};
    use aws_sigv4::sign::v4;
    let identity = aws_credential_types::Credentials::new(AKID, SECRET, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .expect("params")
        .into();
    let host = format!("127.0.0.1:{}", server.port);
    let url = server.url(target);
    let headers = [("host", host.as_str())];
    let signable = SignableRequest::new(
        method,
        &url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
    let (added_headers, added_params) = instructions.into_parts();
    let mut sent: Vec<(String, String)> = vec![("Host".into(), host.clone())];
    sent.extend(
        added_headers
            .iter()
            .map(|h| (h.name().to_owned(), h.value().to_owned())),
    );
    let mut target = target.to_owned();
    for (name, value) in added_params {
        let mut encoded = String::new();
        sigv4_signer::uri_encode(value.as_bytes(), false, &mut encoded);
        target.push(if target.contains('?') { '&' } else { '?' });
        target.push_str(&format!("{name}={encoded}"));
    }
    (sent, target)
}

#[test]
fn aws_sigv4_crate_requests_verify() {
    use aws_sigv4::http_request::{SignatureLocation, SigningSettings};
    let server = Server::start("aws-sigv4", &[]);
    for (method, target, body, presign) in [
        ("GET", "/prod/pets?b=2&a=1", &b""[..], false),
        ("PUT", "/prod/pets/7", &b"{\"name\":\"rex\"}"[..], false),
        ("GET", "/prod/pets?a=1", &b""[..], true),
    ] {
        let mut settings = SigningSettings::default();
        if presign {
            settings.signature_location = SignatureLocation::QueryParams;
            settings.expires_in = Some(Duration::from_secs(60));
        }
        let (sent, target) =
            signed_by_aws_sigv4(&server, method, target, body, "execute-api", settings);
        let (status, answer) = send(server.port, method, &target, &sent, body);
        assert_eq!(status, 200, "{method} {target}: {answer}");
    }
}

#[test]
fn s3_wants_x_amz_content_sha256_on_a_header_signature() {
    use sigv4_signer::{Request, Settings};
    let server = Server::start("s3-content-sha256", &["--service", "s3", "--s3-paths"]);
    let host = format!("127.0.0.1:{}", server.port);
    let body = b"hello";
    let headers = [("Host", host.as_str())];
    let request = Request {
        method: "PUT",
        path: "/prod/pets/7",
        query: "",
        headers: &headers,
        body,
    };
    for (content_sha256_header, expected) in [(false, 400), (true, 200)] {
        let params = alice_signing(
            "s3",
            Settings {
                content_sha256_header,
                ..Settings::s3()
            },
        );
        let signed = sigv4_signer::sign_headers(&request, &params).expect("signs");
        let (status, answer) = send_text(
            server.port,
            "PUT",
            "/prod/pets/7",
            &signed.request.headers,
            body,
        );
        assert_eq!(status, expected, "{answer}");
        if content_sha256_header {
            // The same request with a value S3 does not take, or a
            // streaming mode this server does not decode.
            for (value, status, reason) in [
                ("hello", 400, "InvalidArgument"),
                ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 501, "NotImplemented"),
            ] {
                let mut headers = signed.request.headers.clone();
                for (name, sent) in &mut headers {
                    if name.eq_ignore_ascii_case("x-amz-content-sha256") {
                        *sent = value.to_owned();
                    }
                }
                let (got, answer) = send_text(server.port, "PUT", "/prod/pets/7", &headers, body);
                assert_eq!(got, status, "{answer}");
                assert!(
                    answer.contains(&format!("<Code>{reason}</Code>")),
                    "{answer}"
                );
            }
        }
        if expected == 400 {
            // In S3's shape, which S3 clients read.
            assert!(
                answer.starts_with("<?xml")
                    && answer.contains("<Code>InvalidRequest</Code>")
                    && answer.contains(
                        "<Message>Missing required header for this request: x-amz-content-sha256"
                    ),
                "{answer}"
            );
        } else {
            assert!(answer.is_empty(), "{answer}");
        }
    }
}

#[test]
fn a_raw_plus_in_an_s3_path_signed_verbatim_is_said_to_be_contested() {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SigningSettings, UriPathNormalizationMode,
    };
    let server = Server::start("s3-raw-plus", &["--service", "s3", "--s3-paths"]);
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let (sent, target) = signed_by_aws_sigv4(&server, "GET", "/prod/pets/a+b", b"", "s3", settings);
    let (status, answer) = send_text(server.port, "GET", &target, &sent, b"");
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer.contains("<Code>SignatureDoesNotMatch</Code>")
            && answer.contains("<CanonicalRequest>GET\n/prod/pets/a%2Bb\n")
            && answer.contains("<Diagnosis>path-not-encoded (proven): ")
            && answer.contains("Contested for S3"),
        "{answer}"
    );
}

#[test]
fn a_signature_version_2_request_is_named() {
    let server = Server::start("sigv2", &[]);
    let host = vec![("Host".to_owned(), "x".to_owned())];
    let (status, body) = send(
        server.port,
        "GET",
        "/prod/pets?AWSAccessKeyId=AKID&Expires=1700000000&Signature=c2ln",
        &host,
        b"",
    );
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("Signature Version 2 presigned URL")),
        "{body}"
    );
    let mut header = host.clone();
    header.push(("Authorization".into(), "AWS AKID:c2ln".into()));
    let (status, body) = send(server.port, "GET", "/prod/pets", &header, b"");
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("is Signature Version 2")),
        "{body}"
    );
}

#[test]
fn skew_limits_and_slow_clients() {
    // The server's clock is pinned an hour ahead of the signer's.
    let ahead = SigningTimeOffset::hours(1);
    let server = Server::start(
        "limits",
        &[
            "--time",
            &ahead,
            "--max-body",
            "1000",
            "--client-timeout",
            "1",
        ],
    );
    let (status, body) = botocore(&server, "/prod/pets", &[]);
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Signature expired")
                && m.contains("more than 900 s behind the server time")),
        "{body}"
    );
    // A server an hour behind the signer: the request is from its future.
    let behind = Server::start("limits-behind", &["--time", &SigningTimeOffset::hours(-1)]);
    let (status, body) = botocore(&behind, "/prod/pets", &[]);
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Signature not yet current")
                && m.contains("more than 900 s ahead of the server time")),
        "{body}"
    );
    // Too large a body: 413 before anything is verified.
    let (status, _) = send(
        server.port,
        "POST",
        "/prod/pets",
        &[("Host".into(), "x".into())],
        &[b'x'; 5000],
    );
    assert_eq!(status, 413);
    // A client that never finishes its headers is cut off.
    let mut slow = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    slow.write_all(b"GET /prod/pets HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    slow.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the slow client was not cut off"
    );
    // Missing authentication.
    let (status, body) = send(
        server.port,
        "GET",
        "/prod/pets",
        &[("Host".into(), "x".into())],
        b"",
    );
    assert_eq!(
        (status, body["reason"].as_str()),
        (403, Some("MissingAuthenticationTokenException"))
    );
}

/// An RFC 3339 instant some hours from now.
struct SigningTimeOffset;

impl SigningTimeOffset {
    fn hours(h: i64) -> String {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;
        sigv4_signer::SigningTime::from_unix(now + h * 3600)
            .expect("time")
            .to_string()
    }
}

#[test]
fn the_policy_sees_the_path_that_was_signed_decoded_and_normalized() {
    let server = Server::start_with_policy(
        "normalized",
        r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/prod/*"},
          {"Sid":"NoSecret","Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/prod/GET/secret*"}]}"#,
        &[],
    );
    for path in [
        "/prod/secret",
        "/prod/x/../secret",
        "/prod/./secret",
        "/prod//secret",
        "/prod/%73ecret",
        "/prod/x/%2e%2E/secret",
        "/dev/../prod/secret",
    ] {
        let (status, body) = botocore(&server, path, &[]);
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(
            body["resource"], "arn:aws:execute-api:us-east-1:123456789012:local/prod/GET/secret",
            "{path}: {body}"
        );
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("explicit deny (statement NoSecret)")),
            "{path}: {body}"
        );
    }
    // An encoded slash stays inside its segment: no new boundary, no `..`.
    let (status, body) = botocore(&server, "/prod/x%2F..%2Fsecret", &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["resource"],
        "arn:aws:execute-api:us-east-1:123456789012:local/prod/GET/x%2F..%2Fsecret"
    );
    let (status, body) = botocore(&server, "/prod/pets/./1", &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["resource"],
        "arn:aws:execute-api:us-east-1:123456789012:local/prod/GET/pets/1"
    );
    // The echo's path is what was sent.
    assert_eq!(body["path"], "/prod/pets/./1");
}

#[test]
fn a_path_outside_the_stage_is_not_found() {
    let server = Server::start("stage", &[]);
    for (path, found) in [
        ("/dev/pets", "\"dev\""),
        ("/prod/../dev/pets", "\"dev\""),
        ("/production/pets", "\"production\""),
        ("/", "names no stage"),
    ] {
        let (status, body) = botocore(&server, path, &[]);
        assert_eq!(
            (status, body["reason"].as_str()),
            (404, Some("NotFoundException")),
            "{path}: {body}"
        );
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(found) && message.contains("/prod/"),
            "{path}: {body}"
        );
    }
    let (status, body) = botocore(&server, "/prod/pets", &[]);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn without_a_stage_the_arn_stage_is_a_wildcard() {
    let server = Server::launch(
        "no-stage",
        Some(
            r#"{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:local/*/GET/dev/*"}]}"#,
        ),
        None,
        &[],
    );
    let (status, body) = botocore(&server, "/dev/pets", &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["resource"],
        "arn:aws:execute-api:us-east-1:123456789012:local/*/GET/dev/pets"
    );
}

/// Runs `serve` with `args`, expecting it to exit within 10 s: its exit
/// code (`None` if it had to be killed) and its stderr.
fn serve_exit(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigv4-conformance"))
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve runs");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status.code();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (code, reader.join().unwrap_or_default())
}

#[test]
fn an_unusable_stage_is_refused_at_start_up() {
    let dir = std::env::temp_dir().join(format!("sigv4-serve-{}-badstage", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let credentials = dir.join("credentials.json");
    std::fs::write(
        &credentials,
        format!(
            r#"{{"credentials":[{{"access_key_id":"{AKID}","secret_access_key":"{SECRET}","arn":"arn:aws:iam::1:user/a"}}]}}"#
        ),
    )
    .expect("write");
    let credentials = credentials.to_string_lossy().into_owned();
    for stage in ["", "prod/v1", "..", "pr%6Fd"] {
        let (code, stderr) = serve_exit(&[
            "--listen",
            "127.0.0.1:0",
            "--credentials",
            &credentials,
            "--stage",
            stage,
        ]);
        assert_eq!(code, Some(2), "{stage:?}: {stderr}");
        assert!(stderr.contains("--stage"), "{stage:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_policy_without_statements_denies_everything() {
    let server = Server::start_with_policy("empty-policy", r#"{"Statement":[]}"#, &[]);
    let (status, body) = botocore(&server, "/prod/pets", &[]);
    assert_eq!(
        (status, body["reason"].as_str()),
        (403, Some("AccessDeniedException")),
        "{body}"
    );
    let log = server.log();
    assert!(!log.contains("every known caller is allowed"), "{log}");
    assert!(log.contains("hold no statement"), "{log}");
    drop(server);
    let server = Server::launch("no-policy", None, Some("prod"), &[]);
    let (status, body) = botocore(&server, "/prod/anything", &[]);
    assert_eq!(status, 200, "{body}");
    assert!(server.log().contains("no --policy given"));
}

/// Writes `raw` on a new connection and reads until the server closes it
/// (or 10 s pass).
fn exchange(port: u16, raw: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(raw).expect("write");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// The answers in what a connection received: one status line each.
fn answers(received: &str) -> usize {
    received.matches("HTTP/1.1 ").count()
}

impl Server {
    /// The exit status, once the server has exited by itself.
    fn exit_code(&mut self, within: Duration) -> Option<i32> {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

const UNSIGNED_GET: &str = "GET /prod/pets HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn once_answers_one_request_of_a_keep_alive_connection_then_exits() {
    let mut server = Server::start("once", &["--once"]);
    let received = exchange(server.port, UNSIGNED_GET.repeat(2).as_bytes());
    assert_eq!(answers(&received), 1, "{received}");
    assert!(
        received.to_ascii_lowercase().contains("connection: close"),
        "{received}"
    );
    assert_eq!(server.exit_code(Duration::from_secs(5)), Some(0));
}

#[test]
fn max_requests_answers_exactly_that_many() {
    let mut server = Server::start("max-requests", &["--max-requests", "2"]);
    // Four connections at once, one request each: two are answered. All
    // connect before any request is sent: the server exits after its second
    // answer, and a later connect would be refused.
    let mut streams: Vec<TcpStream> = (0..4)
        .map(|_| {
            let stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .expect("timeout");
            stream
        })
        .collect();
    for stream in &mut streams {
        // A connection the server has already closed may refuse the write.
        let _ = stream.write_all(UNSIGNED_GET.as_bytes());
    }
    let received: Vec<String> = streams
        .iter_mut()
        .map(|stream| {
            let mut response = Vec::new();
            let _ = stream.read_to_end(&mut response);
            String::from_utf8_lossy(&response).into_owned()
        })
        .collect();
    let answered: usize = received.iter().map(|r| answers(r)).sum();
    assert_eq!(answered, 2, "{received:#?}");
    assert_eq!(server.exit_code(Duration::from_secs(5)), Some(0));

    // On one keep-alive connection: two answers, the second closes it.
    let mut server = Server::start("max-requests-keep-alive", &["--max-requests", "2"]);
    let received = exchange(server.port, UNSIGNED_GET.repeat(3).as_bytes());
    assert_eq!(answers(&received), 2, "{received}");
    let last = received.rsplit("HTTP/1.1 ").next().unwrap_or_default();
    assert!(
        last.to_ascii_lowercase().contains("connection: close"),
        "{received}"
    );
    assert_eq!(server.exit_code(Duration::from_secs(5)), Some(0));
}

#[test]
fn zero_requests_or_connections_are_refused_at_start_up() {
    for (option, value) in [("--max-requests", "0"), ("--max-connections", "0")] {
        let (code, stderr) = serve_exit(&["--credentials", "unused.json", option, value]);
        assert_eq!(code, Some(2), "{option} {value}: {stderr}");
        assert!(stderr.contains(option), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = Server::start("sigterm", &[]);
    let received = exchange(
        server.port,
        b"GET /prod/pets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(answers(&received), 1, "{received}");
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    assert_eq!(server.exit_code(Duration::from_secs(5)), Some(0));
}

#[test]
fn a_declared_length_over_the_limit_is_refused_at_once() {
    let server = Server::start("declared-length", &["--max-body", "1000"]);
    let started = std::time::Instant::now();
    // The headers announce 5000 bytes; the body never comes.
    let received = exchange(
        server.port,
        b"POST /prod/pets HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the 413 waited for the body"
    );
    assert!(received.starts_with("HTTP/1.1 413 "), "{received}");
    let body: Value = received
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    assert_eq!(body["reason"], "PayloadTooLarge", "{received}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("1000 bytes")),
        "{received}"
    );
}

#[test]
fn a_wrong_or_missing_session_token_is_an_invalid_security_token() {
    let server = Server::start("session-token", &[]);
    let carol = ["--access-key", "ASIACAROL", "--secret", OTHER_SECRET];
    let (status, body) = botocore(
        &server,
        "/prod/pets",
        &[&carol[..], &["--token", "token-of-carol"]].concat(),
    );
    assert_eq!(status, 200, "{body}");
    for (token, reason) in [
        (
            Some("token-of-mallory"),
            "not the token of these credentials",
        ),
        (None, "must carry X-Amz-Security-Token"),
    ] {
        let mut args = carol.to_vec();
        if let Some(token) = token {
            args.extend(["--token", token]);
        }
        let (status, body) = botocore(&server, "/prod/pets", &args);
        assert_eq!(
            (status, body["reason"].as_str()),
            (403, Some("UnrecognizedClientException")),
            "{body}"
        );
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("The security token included in the request is invalid")
                && message.contains(reason),
            "{body}"
        );
    }
}

#[test]
fn a_presigned_token_added_after_signing_is_named_except_for_iot() {
    use sigv4_signer::{
        Credentials, Expiry, Location, Payload, Request, Settings, SigningParams, SigningTime,
    };
    for (service, expected) in [("execute-api", 403), ("s3", 403), ("iotdevicegateway", 200)] {
        let server = Server::launch(
            &format!("token-after-{service}"),
            None,
            None,
            &["--service", service],
        );
        let host = format!("127.0.0.1:{}", server.port);
        let headers = [("Host", host.as_str())];
        let request = Request {
            method: "GET",
            path: "/prod/pets",
            query: "",
            headers: &headers,
            body: b"",
        };
        let params = SigningParams {
            credentials: Credentials {
                access_key_id: "ASIACAROL",
                secret_access_key: OTHER_SECRET,
                session_token: Some("token-of-carol"),
            },
            region: "us-east-1",
            service,
            time: SigningTime::now(),
            settings: Settings {
                sign_session_token: false,
                // S3's presigned URLs sign UNSIGNED-PAYLOAD.
                payload: if service == "s3" {
                    Payload::Unsigned
                } else {
                    Payload::Body
                },
                ..Settings::default()
            },
        };
        let expiry = Location::Query(Expiry::from_secs(300).expect("expiry"));
        let signed = sigv4_signer::sign(&request, &params, expiry).expect("signs");
        let target = format!("/prod/pets?{}", signed.request.query);
        let (status, answer) = send_text(server.port, "GET", &target, &signed.request.headers, b"");
        assert_eq!(status, expected, "{service}: {answer}");
        if expected != 200 {
            assert!(
                answer.contains("X-Amz-Security-Token was added to the URL after signing"),
                "{service}: {answer}"
            );
        }
    }
}

#[test]
fn s3_names_the_expected_region_as_s3_does() {
    use sigv4_signer::{Expiry, Location, Payload, Request, Settings, SigningParams};
    let server = Server::launch("s3-region", None, None, &["--service", "s3"]);
    let host = format!("127.0.0.1:{}", server.port);
    let headers = [("Host", host.as_str())];
    let request = Request {
        method: "GET",
        path: "/bucket/key",
        query: "",
        headers: &headers,
        body: b"",
    };
    for (location, code) in [
        (Location::Header, "AuthorizationHeaderMalformed"),
        (
            Location::Query(Expiry::from_secs(300).expect("expiry")),
            "AuthorizationQueryParametersError",
        ),
    ] {
        let params = SigningParams {
            region: "eu-west-1",
            ..alice_signing(
                "s3",
                Settings {
                    payload: Payload::Unsigned,
                    content_sha256_header: location == Location::Header,
                    ..Settings::default()
                },
            )
        };
        let signed = sigv4_signer::sign(&request, &params, location).expect("signs");
        let target = if signed.request.query.is_empty() {
            "/bucket/key".to_owned()
        } else {
            format!("/bucket/key?{}", signed.request.query)
        };
        let (status, answer) = send_text(server.port, "GET", &target, &signed.request.headers, b"");
        let answer = answer.replace("&apos;", "'");
        assert_eq!(status, 400, "{answer}");
        assert!(
            answer.contains(&format!("<Code>{code}</Code>"))
                && answer.contains("the region 'eu-west-1' is wrong; expecting 'us-east-1'")
                && answer.contains("<Region>us-east-1</Region>"),
            "{answer}"
        );
    }
}

#[test]
fn a_host_name_to_listen_on_is_refused_with_a_hint() {
    let (code, stderr) = serve_exit(&["--credentials", "unused.json", "--listen", "localhost:0"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("127.0.0.1:PORT"), "{stderr}");
}

#[test]
fn a_signature_mismatch_log_line_leaves_the_session_token_out() {
    let server = Server::start("mismatch-log-token", &["--log-format", "json"]);
    let token = "token-of-carol";
    for presign in [None, Some("300")] {
        let mut args = vec!["--access-key", "ASIACAROL", "--secret", "wrong-secret"];
        args.extend(["--token", token]);
        if let Some(seconds) = presign {
            args.extend(["--presign", seconds]);
        }
        let (status, body) = botocore(&server, "/prod/pets", &args);
        assert_eq!(status, 403, "{body}");
        // The answer shows the token where it was signed ...
        assert!(
            body["canonicalRequest"]
                .as_str()
                .is_some_and(|c| c.contains(token)),
            "{body}"
        );
    }
    // ... the log does not, on any line.
    let log = server.log();
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("InvalidSignatureException"))
            .count(),
        2,
        "{log}"
    );
    assert!(
        !log.contains(token),
        "the session token reached the log: {log}"
    );
    assert!(
        log.contains("X-Amz-Security-Token=…") && log.contains("x-amz-security-token:…"),
        "{log}"
    );
}

#[test]
fn a_signature_mismatch_log_line_holds_what_the_server_computed() {
    for format in ["json", "text"] {
        let server = Server::start(&format!("mismatch-log-{format}"), &["--log-format", format]);
        // A client that leaks a known secret into its query: the server's
        // canonical request holds it percent-encoded, and the log must not.
        let leak = OTHER_SECRET.replace('/', "%2F");
        let (status, body) = botocore(
            &server,
            &format!("/prod/pets?leak={leak}"),
            &["--secret", "wrong-secret"],
        );
        assert_eq!(status, 403, "{body}");
        assert!(
            body["canonicalRequest"]
                .as_str()
                .is_some_and(|c| c.contains(&leak)),
            "{body}"
        );
        let log = server.log();
        assert!(
            !log.contains(&leak),
            "an encoded secret reached the log: {log}"
        );
        let line = log
            .lines()
            .find(|l| l.contains("InvalidSignatureException"))
            .unwrap_or_else(|| panic!("no mismatch line: {log}"));
        assert!(!line.contains(SECRET) && !line.contains(OTHER_SECRET));
        // The query is logged, the secret in it scrubbed.
        assert!(line.contains("/prod/pets?leak="), "{line}");
        let canonical = body["canonicalRequest"].as_str().unwrap_or_default();
        let string_to_sign = body["stringToSign"].as_str().unwrap_or_default();
        assert!(canonical.starts_with("GET\n/prod/pets\nleak="), "{body}");
        if format == "json" {
            let entry: Value = serde_json::from_str(line).expect("a JSON line");
            assert_eq!(
                entry["canonicalRequest"],
                canonical.replace(&leak, "[REDACTED]"),
                "{line}"
            );
            assert_eq!(entry["stringToSign"], string_to_sign, "{line}");
        } else {
            assert!(
                line.contains(&format!(
                    "canonicalRequest={:?}",
                    canonical.replace(&leak, "[REDACTED]")
                )) && line.contains(&format!("stringToSign={string_to_sign:?}")),
                "{line}"
            );
        }
    }
}
