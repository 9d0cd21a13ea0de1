#!/usr/bin/env python3
"""sigv4-conformance adapter (protocol 1) wrapping botocore's SigV4 signers.

Reads one JSON message per line on stdin and writes exactly one JSON line
per message on stdout (see docs/ and the adapter protocol).  Run once per
message (one-shot) it takes the same path: one line in, one line out, exit
on end of input.  Diagnostics go to stderr only.

Which botocore class signs a case:

  location  normalize_path/double_encode_path  class
  header    true/true                          botocore.auth.SigV4Auth
  header    false/false                        botocore.auth.S3SigV4Auth
  query     true/true                          botocore.auth.SigV4QueryAuth
  query     false/false                        botocore.auth.S3SigV4QueryAuth

botocore has no class for the mixed combinations, nor for a session token
added after signing; such cases are answered `unsupported`.
"""

import base64
import datetime
import json
import sys
import traceback
from unittest import mock

# Keep a private handle on the real stdout: only protocol answers go there.
# Anything else that would print to stdout (a library, a stray print) is
# sent to stderr instead.
_PROTOCOL_OUT = sys.stdout
sys.stdout = sys.stderr

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
except Exception as exc:  # pragma: no cover - reported through hello/errors
    botocore = None
    _IMPORT_ERROR = f"cannot import botocore: {exc!r}"
else:
    _IMPORT_ERROR = None

PROTOCOL = 1
NAME = "botocore"
PINNED_VERSION = "1.44.8"  # requirements.txt

# Only what botocore can really do.  `token-after-signing` is absent: every
# botocore SigV4 signer puts X-Amz-Security-Token into the request *before*
# computing the signature, so the token is always signed.
FEATURES = [
    "header",
    "query",
    "session-token",
    "unsigned-payload",
    "content-sha256-header",
    "no-normalize-path",
    "no-double-encode",
]

SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"


class Unsupported(Exception):
    """The case needs something botocore cannot be configured to do."""


class BadMessage(Exception):
    """The message does not follow the protocol."""


def send(obj):
    _PROTOCOL_OUT.write(json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n")
    _PROTOCOL_OUT.flush()


def parse_time(text):
    """RFC 3339 instant -> naive UTC datetime (what botocore's clock returns)."""
    if not isinstance(text, str):
        raise BadMessage("`time` must be an RFC 3339 string")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    if len(value) > 10 and value[10] in "t ":
        value = value[:10] + "T" + value[11:]
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadMessage(f"`time` is not RFC 3339: {text!r} ({exc})") from None
    if parsed.tzinfo is None:
        raise BadMessage(f"`time` has no UTC offset: {text!r}")
    return parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def choose_signer(location, normalize_path, double_encode_path, payload, content_sha256_header):
    """Pick the botocore class that matches the options, or raise Unsupported."""
    if normalize_path != double_encode_path:
        raise Unsupported(
            "botocore ties path normalization and double encoding together: "
            "SigV4Auth/SigV4QueryAuth do both, the S3 signers do neither "
            f"(asked: normalize_path={str(normalize_path).lower()}, "
            f"double_encode_path={str(double_encode_path).lower()})"
        )
    s3 = not normalize_path
    if location == "header":
        if s3:
            if not content_sha256_header:
                raise Unsupported(
                    "botocore's S3SigV4Auth (the only header signer without path "
                    "normalization) always adds and signs X-Amz-Content-SHA256"
                )
            return botocore.auth.S3SigV4Auth
        if payload == "unsigned" and not content_sha256_header:
            raise Unsupported(
                "botocore's SigV4Auth always adds and signs "
                "X-Amz-Content-SHA256: UNSIGNED-PAYLOAD for an unsigned payload"
            )
        return botocore.auth.SigV4Auth
    if location == "query":
        if s3:
            if payload == "signed":
                raise Unsupported(
                    "botocore's S3SigV4QueryAuth (the only presigner without path "
                    "normalization) always signs UNSIGNED-PAYLOAD"
                )
            return botocore.auth.S3SigV4QueryAuth
        return botocore.auth.SigV4QueryAuth
    raise BadMessage(f"unknown options.location {location!r}")


def header_pairs(raw):
    if not isinstance(raw, list):
        raise BadMessage("request.headers must be a list of [name, value] pairs")
    pairs = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not isinstance(item[0], str)
            or not isinstance(item[1], str)
        ):
            raise BadMessage(f"bad header pair {item!r}")
        pairs.append((item[0], item[1]))
    return pairs


def sign(msg):
    if _IMPORT_ERROR:
        raise RuntimeError(_IMPORT_ERROR)
    req = msg.get("request")
    creds = msg.get("credentials")
    options = msg.get("options") or {}
    if not isinstance(req, dict) or not isinstance(creds, dict) or not isinstance(options, dict):
        raise BadMessage("sign needs `request`, `credentials` and `options` objects")

    method = req.get("method", "GET")
    path = req.get("path", "/")
    query = req.get("query", "") or ""
    headers = header_pairs(req.get("headers", []))
    try:
        body = base64.b64decode(req.get("body_base64", "") or "", validate=True)
    except (ValueError, TypeError) as exc:
        raise BadMessage(f"request.body_base64 is not base64: {exc}") from None

    location = options.get("location", "header")
    expires_in = options.get("expires_in", 3600)
    normalize_path = options.get("normalize_path", True)
    double_encode_path = options.get("double_encode_path", True)
    payload = options.get("payload", "signed")
    content_sha256_header = options.get("content_sha256_header", False)
    sign_session_token = options.get("sign_session_token", True)
    if payload not in ("signed", "unsigned"):
        raise BadMessage(f"unknown options.payload {payload!r}")

    token = creds.get("session_token")
    if token is not None and not sign_session_token:
        raise Unsupported(
            "botocore always adds X-Amz-Security-Token before signing; it cannot "
            "add the session token after the signature"
        )

    signer_cls = choose_signer(
        location, normalize_path, double_encode_path, payload, content_sha256_header
    )
    now = parse_time(msg.get("time"))

    host = next((v for n, v in headers if n.lower() == "host"), None)
    if host is None:
        raise BadMessage(
            "request has no Host header; botocore derives the URL (and so the "
            "request target) from it"
        )
    # The URL is assembled by hand, not with urllib, so that path and query
    # reach botocore byte for byte: the signer itself takes them back out of
    # request.url with urlsplit().  https, because botocore only honours an
    # unsigned payload over TLS.
    url = f"https://{host}{path}"
    if query:
        url += "?" + query

    request = AWSRequest(method=method, url=url, data=body)
    # AWSRequest.headers is an HTTPHeaders (email.message.Message): assigning
    # a name twice keeps both values, which is how botocore represents a
    # repeated header; its signer joins them with ','.
    for name, value in headers:
        request.headers[name] = value

    credentials = Credentials(creds.get("access_key_id"), creds.get("secret_access_key"), token)
    region = msg.get("region")
    service = msg.get("service")
    if signer_cls in (botocore.auth.SigV4QueryAuth, botocore.auth.S3SigV4QueryAuth):
        signer = signer_cls(credentials, service, region, expires=expires_in)
    else:
        signer = signer_cls(credentials, service, region)

    # Payload configuration, the way botocore's own callers set it.
    if signer_cls in (botocore.auth.S3SigV4Auth, botocore.auth.S3SigV4QueryAuth):
        request.context["client_config"] = Config(
            s3={"payload_signing_enabled": payload == "signed"}
        )
    else:
        request.context["payload_signing_enabled"] = payload == "signed"
    if (
        signer_cls is botocore.auth.SigV4Auth
        and payload == "signed"
        and content_sha256_header
        and "X-Amz-Content-SHA256" not in request.headers
    ):
        # SigV4Auth never adds this header for a signed payload; its callers
        # (e.g. botocore's Glacier handler) set it and the signer then uses
        # its value as the payload hash.  The value is botocore's own hash.
        request.headers["X-Amz-Content-SHA256"] = signer.payload(request)

    # Spy on the stages botocore computes inside add_auth(), so the answer
    # carries exactly the strings botocore signed.
    seen = {}

    def spy(stage, fn):
        def wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            seen[stage] = result
            return result

        return wrapper

    signer.canonical_request = spy("canonical_request", signer.canonical_request)
    signer.string_to_sign = spy("string_to_sign", signer.string_to_sign)
    signer.signature = spy("signature", signer.signature)

    # botocore.auth reads the clock only through get_current_datetime()
    # (imported from botocore.compat into botocore.auth); pin it for this
    # one call.  It returns a naive UTC datetime.
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
        signer.add_auth(request)

    # What botocore would hand to its HTTP layer: AWSRequest.prepare() turns
    # the headers into a case-insensitive dict (a repeated header keeps the
    # first name's case and the last value) and adds Content-Length for
    # methods other than GET/HEAD/OPTIONS.
    prepared = request.prepare()
    sent_path, sent_query = split_target(prepared.url)
    answer = {
        "type": "signed",
        "id": msg.get("id"),
        "request": {
            "method": prepared.method,
            "path": sent_path,
            "query": sent_query,
            "headers": [[str(n), str(v)] for n, v in prepared.headers.items()],
        },
    }
    for stage in ("canonical_request", "string_to_sign", "signature"):
        if stage in seen:
            answer[stage] = seen[stage]
    return answer


def split_target(url):
    """Path and query of a URL built as https://HOST/PATH?QUERY, untouched.

    Split by hand: urllib would not re-encode here, but it would drop a
    fragment and treat some bytes specially; the host holds no '/' or '?'.
    """
    rest = url.split("://", 1)[1]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    path, _, query = rest[cut:].partition("?")
    return path, query


def handle(line):
    try:
        msg = json.loads(line)
    except ValueError as exc:
        return {"type": "error", "id": None, "message": f"message is not JSON: {exc}"}
    if not isinstance(msg, dict):
        return {"type": "error", "id": None, "message": "message is not a JSON object"}
    msg_id = msg.get("id")
    kind = msg.get("type")
    if kind == "hello":
        return {
            "type": "hello",
            "protocol": PROTOCOL,
            "name": NAME,
            "version": getattr(botocore, "__version__", "unknown") if botocore else "unavailable",
            "features": list(FEATURES),
        }
    if kind == "sign":
        try:
            return sign(msg)
        except Unsupported as exc:
            return {"type": "unsupported", "id": msg_id, "reason": str(exc)}
        except BadMessage as exc:
            return {"type": "error", "id": msg_id, "message": f"bad sign message: {exc}"}
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            return {
                "type": "error",
                "id": msg_id,
                "message": f"library raised {type(exc).__name__}: {exc}",
            }
    return {"type": "error", "id": msg_id, "message": f"unknown message type {kind!r}"}


def main():
    if _IMPORT_ERROR:
        print(f"botocore adapter: {_IMPORT_ERROR}", file=sys.stderr)
    elif botocore.__version__ != PINNED_VERSION:
        print(
            f"botocore adapter: running botocore {botocore.__version__}, not the pinned "
            f"{PINNED_VERSION} (pip install -r adapters/botocore/requirements.txt)",
            file=sys.stderr,
        )
    stdin = sys.stdin.buffer
    while True:
        raw = stdin.readline()
        if not raw:
            return 0  # end of input: exit now
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            send({"type": "error", "id": None, "message": f"message is not UTF-8: {exc}"})
            continue
        if not line.strip():
            continue  # a blank line is not a message
        try:
            answer = handle(line)
        except Exception as exc:  # last resort: never die on one message
            traceback.print_exc(file=sys.stderr)
            answer = {"type": "error", "id": None, "message": f"adapter bug: {exc!r}"}
        send(answer)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
