#!/usr/bin/env python3
"""Writes the `authored` suite: cases this project adds where the published
suites have none (S3 single encoding, unsigned payloads, query spaces and
plus signs, valueless parameters, a presigned URL with a session token, its
own lifetime and the caller's parameters).

Unlike the imported suites, the expected stages here are not AWS's: they are
computed by the reference signer (through `sigv4-conformance
reference-adapter`) and cross-checked by independent signers in the tests
(tests/adapters/faulty_signer.py on every case; botocore's S3 signers on the
S3 cases). Re-run after changing a case:

    cargo build && python3 vectors/import/author_cases.py target/debug/sigv4-conformance
    python3 vectors/import/author_cases.py target/debug/sigv4-conformance --check

The first form rewrites vectors/data/authored/; with --check it only
reports whether those files are up to date (exit status 1 when not).
"""

import base64
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "data" / "authored"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SOURCE = {
    "origin": "authored by sigv4-conformance",
    "note": "expected stages computed by the reference signer and cross-checked by "
    "tests/adapters/faulty_signer.py (and botocore's S3 signers for s3-* cases)",
}
S3 = {"normalize_path": False, "double_encode_path": False, "content_sha256_header": True}

CASES = [
    {
        "name": "query-encoded-space",
        "description": "A query value holding an encoded space (%20): it signs as %20, never as '+' (form encoding).",
        "rules": ["query.encode", "query.sort", "payload.hash", "scope", "signing-key"],
        "request": "GET /?q=a%20b&x=1 HTTP/1.1\nHost:example.amazonaws.com\n",
    },
    {
        "name": "query-raw-plus",
        "description": "A raw '+' in the query is a literal plus and signs as %2B; reading it as a space (form decoding) breaks the signature.",
        "rules": ["query.encode", "query.sort", "payload.hash", "scope", "signing-key"],
        "request": "GET /?p=a+b&x=1 HTTP/1.1\nHost:example.amazonaws.com\n",
    },
    {
        "name": "query-repeated-name",
        "description": "A parameter name given twice, its values out of order, after another name: sorted by name, then by value (a=1&a=2&b=1). Sorting by name alone (a stable sort on the name) keeps a=2 before a=1.",
        "rules": ["query.sort", "query.repeated-key", "payload.hash", "scope", "signing-key"],
        "request": "GET /?b=1&a=2&a=1 HTTP/1.1\nHost:example.amazonaws.com\n",
    },
    {
        "name": "query-valueless-parameter",
        "description": "A parameter without '=' (as in S3's ?acl) signs as 'acl=', sorted with the others.",
        "rules": ["query.empty-value", "query.sort", "payload.hash", "scope", "signing-key"],
        "request": "GET /?list-type=2&acl HTTP/1.1\nHost:example.amazonaws.com\n",
    },
    {
        "name": "presign-token-and-query",
        "description": "Temporary credentials, a 300 s lifetime and the caller's own lower-case parameters out of order. Presigned, every parameter is encoded and sorted together: the credential's '/' as %2F, the token's '+', '/' and '=' escaped, X-Amz-Security-Token before X-Amz-SignedHeaders, the caller's names after every X-Amz-*. A signer that appends the X-Amz-* parameters after sorting, or writes them unencoded, or ignores the lifetime, fails here.",
        "rules": ["query.encode", "query.sort", "token.signed", "payload.hash", "scope", "signing-key"],
        "request": "GET /?prefix=photos%2F2015&list-type=2&delimiter=%2F HTTP/1.1\nHost:example.amazonaws.com\n",
        # The example token of AWS's documentation: it holds '+', '/' and '='.
        "session_token": "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
        "options": {"expires_in": 300},
    },
    {
        "name": "s3-path-single-encoded",
        "description": "S3 rules on an already-encoded key path: not normalized ('//' and '/./' stay) and not encoded a second time (%2B stays %2B, not %252B); x-amz-content-sha256 is signed.",
        "rules": ["uri.encode", "uri.no-normalize", "payload.hash", "payload.content-sha256-header", "scope", "signing-key"],
        "request": "GET /my-bucket/a%2Bb~c//d/./e%3Af%20g HTTP/1.1\nHost:my-bucket.s3.amazonaws.com\n",
        "service": "s3",
        "options": S3,
    },
    {
        "name": "s3-path-raw-reserved",
        "description": "S3 rules on a key path holding raw reserved characters (+ * ( ) @ : =) on the wire: encoded once in the canonical URI.",
        "rules": ["uri.encode", "uri.no-normalize", "payload.hash", "payload.content-sha256-header", "scope", "signing-key"],
        "contested_reason": "Implementations differ on raw reserved bytes in an S3 path: SDKs such as botocore and aws-sigv4 sign the path verbatim (they always send it already encoded), while servers that decode and re-encode the path (minio) and this reference encode them once (+ becomes %2B). A client avoids the question by percent-encoding these bytes before sending.",
        "request": "GET /my-bucket/a+b*(c)@d:e=f HTTP/1.1\nHost:my-bucket.s3.amazonaws.com\n",
        "service": "s3",
        "options": S3,
    },
    {
        "name": "s3-unsigned-payload",
        "description": "An S3 PUT whose body is not signed: the payload hash is UNSIGNED-PAYLOAD, also sent and signed as x-amz-content-sha256.",
        "rules": ["payload.hash", "payload.content-sha256-header", "uri.no-normalize", "scope", "signing-key"],
        "request": "PUT /my-bucket/hello.txt HTTP/1.1\nHost:my-bucket.s3.amazonaws.com\nContent-Type:text/plain\n\nhello, world\n",
        "service": "s3",
        "options": dict(S3, payload="unsigned"),
    },
]


def context(case):
    options = {
        "expires_in": 3600,
        "normalize_path": True,
        "double_encode_path": True,
        "payload": "signed",
        "content_sha256_header": False,
        "sign_session_token": True,
    }
    options.update(case.get("options", {}))
    ctx = {
        "description": case["description"],
        # Every case is written for both locations: the query one presigns.
        "rules": case["rules"] + ["presign"],
        "status": "contested" if "contested_reason" in case else "valid",
        **({"contested_reason": case["contested_reason"]} if "contested_reason" in case else {}),
        "source": SOURCE,
        "credentials": {
            "access_key_id": "AKIDEXAMPLE",
            "secret_access_key": SECRET,
            "session_token": case.get("session_token"),
        },
        "region": "us-east-1",
        "service": case.get("service", "service"),
        "time": "2015-08-30T12:36:00Z",
        "options": options,
    }
    lines = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in ctx.items())
    return ctx, "{\n" + lines + "\n}\n"


def parse_request(text):
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    path, _, query = target.partition("?")
    headers = [line.split(":", 1) for line in lines[1:] if line]
    return method, path, query, headers, body.encode()


def signed_text(request, body):
    """The signed request in the imported suites' layout: the head, then,
    when there is a body, a blank line and the body."""
    target = request["path"] + ("?" + request["query"] if request["query"] else "")
    lines = [f"{request['method']} {target} HTTP/1.1"] + [f"{n}:{v}" for n, v in request["headers"]]
    head = "\n".join(lines) + "\n"
    return head + ("\n" + body.decode() if body else "")


def files_for(case, binary):
    ctx, ctx_text = context(case)
    method, path, query, headers, body = parse_request(case["request"])
    out = {"context.json": ctx_text, "request.txt": case["request"]}
    messages = []
    for loc in ("header", "query"):
        messages.append({
            "type": "sign", "id": loc,
            "request": {"method": method, "path": path, "query": query, "headers": headers,
                        "body_base64": base64.b64encode(body).decode()},
            "credentials": ctx["credentials"], "region": ctx["region"], "service": ctx["service"],
            "time": ctx["time"], "options": dict(ctx["options"], location=loc),
        })
    stdin = "".join(json.dumps(m) + "\n" for m in messages)
    answers = subprocess.run([binary, "reference-adapter"], input=stdin, capture_output=True,
                             text=True, check=True).stdout.splitlines()
    for answer in map(json.loads, answers):
        if answer["type"] != "signed":
            sys.exit(f"{case['name']}/{answer.get('id')}: the reference refused: {answer}")
        loc = answer["id"]
        out[f"{loc}-canonical-request.txt"] = answer["canonical_request"]
        out[f"{loc}-string-to-sign.txt"] = answer["string_to_sign"]
        out[f"{loc}-signature.txt"] = answer["signature"]
        out[f"{loc}-signed-request.txt"] = signed_text(answer["request"], body)
    return out


def main(argv):
    if any(arg in ("-h", "--help") for arg in argv[1:]):
        print(__doc__.strip())
        return
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__.strip())
    binary, check = argv[1], "--check" in argv[2:]
    if not pathlib.Path(binary).is_file():
        sys.exit(f"{binary}: no such file; give the path of a built sigv4-conformance\n\n{__doc__.strip()}")
    stale = []
    for case in CASES:
        for name, text in files_for(case, binary).items():
            path = ROOT / case["name"] / name
            if check:
                if not path.exists() or path.read_text() != text:
                    stale.append(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    if check and stale:
        sys.exit("out of date: " + ", ".join(stale))
    print("up to date" if check else f"wrote {len(CASES)} cases under {ROOT}")


if __name__ == "__main__":
    main(sys.argv)
