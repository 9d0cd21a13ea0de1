#!/usr/bin/env python3
"""Smoke-test a sigv4-conformance adapter against the adapter protocol (v1).

Usage:
    python3 adapters/smoke.py "python3 adapters/botocore/adapter.py"
    python3 adapters/smoke.py "node adapters/aws4/adapter.js"
    python3 adapters/smoke.py --shape-only "sh my-adapter.sh"

Standard library only. It starts the adapter command, sends a hello, three
sign messages (header signing, a presigned URL, a session token) and some
edge messages (unknown fields, unknown message types), then closes stdin.
It checks that every message gets exactly one JSON line, in order, with the
right shape and id; that the adapter exits on end of input and prints
nothing more; and that a run with a single sign message (one-shot use)
answers and exits too. Unless --shape-only is given it also compares the
signatures with the published values for the three cases (an adapter may
answer `unsupported` for a feature it does not list).

Exit status: 0 when every check passed, 1 when one failed, 2 on usage error.
"""

import argparse
import copy
import json
import queue
import re
import shlex
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 20.0  # seconds per answer, and for the exit after end of input

CREDENTIALS = {
    "access_key_id": "AKIDEXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "session_token": None,
}
TOKEN = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
OPTIONS = {
    "location": "header",
    "expires_in": 3600,
    "normalize_path": True,
    "double_encode_path": True,
    "payload": "signed",
    "content_sha256_header": False,
    "sign_session_token": True,
}


def sign_message(case_id, query="", location="header", token=None):
    creds = dict(CREDENTIALS, session_token=token)
    return {
        "type": "sign",
        "id": case_id,
        "request": {
            "method": "GET",
            "path": "/",
            "query": query,
            "headers": [["Host", "example.amazonaws.com"]],
            "body_base64": "",
        },
        "credentials": creds,
        "region": "us-east-1",
        "service": "service",
        "time": "2015-08-30T12:36:00Z",
        "options": dict(OPTIONS, location=location),
    }


# Published values: the 2015 AWS suite / aws-c-auth suite (v4), get-vanilla-query
# header signing, get-vanilla presigned, get-vanilla-with-session-token.
HEADER = sign_message("smoke/get-vanilla-query/header", query="Param2=value2&Param1=value1")
QUERY = sign_message("smoke/get-vanilla/query", location="query")
TOKEN_CASE = sign_message("smoke/get-vanilla-with-session-token/header", token=TOKEN)
EXPECTED = {
    HEADER["id"]: {
        "feature": "header",
        "signature": "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        "canonical_request": "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    },
    QUERY["id"]: {
        "feature": "query",
        "signature": "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
        "canonical_request": "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE"
        "%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z"
        "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    },
    TOKEN_CASE["id"]: {
        "feature": "session-token",
        "signature": "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
    },
}


def with_unknown_fields():
    """The header case again, with fields a later protocol version might add."""
    msg = copy.deepcopy(HEADER)
    msg["id"] = "smoke/unknown-fields"
    msg["future_field"] = {"nested": [1, 2, 3]}
    msg["request"]["future_request_field"] = True
    msg["credentials"]["future_credentials_field"] = "x"
    msg["options"]["future_option"] = 42
    EXPECTED[msg["id"]] = dict(EXPECTED[HEADER["id"]])
    return msg


class Adapter:
    """The adapter process, with a reader thread so no read can hang."""

    def __init__(self, command):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.put(raw)
        self.lines.put(None)  # end of output

    def send(self, obj):
        data = obj if isinstance(obj, bytes) else (json.dumps(obj) + "\n").encode("utf-8")
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def receive(self, timeout=TIMEOUT):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no answer within {timeout:.0f}s") from None

    def close_input(self):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def wait(self, timeout=TIMEOUT):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr_tail(self, limit=2000):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")[-limit:]


class Checker:
    def __init__(self, shape_only):
        self.shape_only = shape_only
        self.problems = []
        self.notes = []

    def problem(self, text):
        self.problems.append(text)
        print(f"FAIL  {text}")

    def ok(self, text):
        print(f"ok    {text}")

    def note(self, text):
        self.notes.append(text)
        print(f"note  {text}")


def parse_line(raw, checker, what):
    if raw is None:
        checker.problem(f"{what}: the adapter closed stdout instead of answering")
        return None
    if not raw.endswith(b"\n"):
        checker.problem(f"{what}: answer is not newline-terminated")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        checker.problem(f"{what}: answer is not one JSON object ({exc}): {raw[:200]!r}")
        return None
    if not isinstance(obj, dict):
        checker.problem(f"{what}: answer is JSON but not an object: {raw[:200]!r}")
        return None
    return obj


def is_str_list(value):
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def check_hello(answer, checker):
    if answer is None:
        return []
    if answer.get("type") != "hello":
        checker.problem(f"hello: expected type hello, got {answer!r}")
        return []
    bad = []
    if answer.get("protocol") != 1:
        bad.append(f"protocol {answer.get('protocol')!r} (expected 1)")
    for key in ("name", "version"):
        if not isinstance(answer.get(key), str) or not answer.get(key):
            bad.append(f"`{key}` is not a non-empty string")
    features = answer.get("features")
    if not is_str_list(features):
        bad.append("`features` is not a list of strings")
        features = []
    known = {
        "header", "query", "session-token", "token-after-signing",
        "no-normalize-path", "no-double-encode", "content-sha256-header", "unsigned-payload",
    }
    unknown = [f for f in features if f not in known]
    if unknown:
        bad.append(f"unknown features {unknown}")
    if bad:
        checker.problem("hello: " + "; ".join(bad))
    else:
        checker.ok(f"hello: {answer['name']} {answer['version']} features={features}")
    return features


def check_sign_answer(msg, answer, features, checker):
    what = f"sign {msg['id']}"
    if answer is None:
        return
    kind = answer.get("type")
    if answer.get("id") != msg["id"]:
        checker.problem(f"{what}: answer id {answer.get('id')!r} does not match")
        return
    expected = EXPECTED.get(msg["id"], {})
    if kind == "unsupported":
        if not isinstance(answer.get("reason"), str):
            checker.problem(f"{what}: `unsupported` without a string `reason`")
        elif expected.get("feature") in features:
            checker.note(f"{what}: unsupported although {expected['feature']!r} is listed: {answer['reason']}")
        else:
            checker.ok(f"{what}: unsupported ({answer['reason']})")
        return
    if kind == "error":
        if not isinstance(answer.get("message"), str):
            checker.problem(f"{what}: `error` without a string `message`")
        else:
            checker.problem(f"{what}: adapter answered error: {answer['message']}")
        return
    if kind != "signed":
        checker.problem(f"{what}: unexpected answer type {kind!r}")
        return
    if expected.get("feature") and expected["feature"] not in features:
        checker.note(f"{what}: signed although {expected['feature']!r} is not listed")

    bad = []
    req = answer.get("request")
    if not isinstance(req, dict):
        checker.problem(f"{what}: `request` is not an object")
        return
    for key in ("method", "path", "query"):
        if not isinstance(req.get(key), str):
            bad.append(f"request.{key} is not a string")
    headers = req.get("headers")
    if not isinstance(headers, list) or not all(
        isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h) for h in headers
    ):
        bad.append("request.headers is not a list of [name, value] string pairs")
        headers = []
    for key in ("canonical_request", "string_to_sign", "signature"):
        if key in answer and not isinstance(answer[key], str):
            bad.append(f"`{key}` is not a string")
    if isinstance(answer.get("signature"), str) and not re.fullmatch(r"[0-9a-f]{64}", answer["signature"]):
        bad.append(f"`signature` is not 64 lower-case hex digits: {answer['signature']!r}")

    names = {n.lower(): v for n, v in headers}
    location = msg["options"]["location"]
    if location == "header":
        if "authorization" not in names:
            bad.append("header signing but no Authorization header in request.headers")
        if "x-amz-date" not in names and "date" not in names:
            bad.append("header signing but no X-Amz-Date (or Date) header in request.headers")
    elif isinstance(req.get("query"), str) and "X-Amz-Signature=" not in req["query"]:
        bad.append("presigned but request.query holds no X-Amz-Signature")
    if msg["credentials"]["session_token"]:
        if "x-amz-security-token" not in names and "X-Amz-Security-Token=" not in str(req.get("query")):
            bad.append("session token given but no X-Amz-Security-Token in headers or query")
    if bad:
        checker.problem(f"{what}: " + "; ".join(bad))
        return

    if not checker.shape_only and expected:
        got_sig = answer.get("signature")
        if got_sig is None and location == "header":
            m = re.search(r"Signature=([0-9a-f]+)", names.get("authorization", ""))
            got_sig = m.group(1) if m else None
        if got_sig is None and location == "query":
            m = re.search(r"(?:^|&)X-Amz-Signature=([0-9a-f]+)", req["query"])
            got_sig = m.group(1) if m else None
        if got_sig != expected["signature"]:
            detail = ""
            if "canonical_request" in expected and "canonical_request" in answer:
                if answer["canonical_request"] != expected["canonical_request"]:
                    detail = (
                        f"\n      expected canonical request {expected['canonical_request']!r}"
                        f"\n      actual canonical request   {answer['canonical_request']!r}"
                    )
            checker.problem(f"{what}: signature {got_sig} != published {expected['signature']}{detail}")
            return
        if "authorization" in expected and names.get("authorization") != expected["authorization"]:
            checker.problem(
                f"{what}: Authorization {names.get('authorization')!r} != {expected['authorization']!r}"
            )
            return
        if "canonical_request" in expected and answer.get("canonical_request", expected["canonical_request"]) != expected["canonical_request"]:
            checker.problem(f"{what}: canonical_request differs from the published one")
            return
    checker.ok(f"{what}: signed" + ("" if checker.shape_only or not expected else " (published signature)"))


def check_error(msg, answer, checker):
    what = f"message type {msg.get('type')!r}"
    what += f" with id {msg['id']!r}" if "id" in msg else " without an id"
    if answer is None:
        return
    if answer.get("type") != "error" or not isinstance(answer.get("message"), str):
        checker.problem(f"{what}: expected an `error` answer with a message, got {answer!r}")
        return
    if answer.get("id") != msg.get("id"):
        checker.problem(f"{what}: error id {answer.get('id')!r}, expected {msg.get('id')!r}")
        return
    checker.ok(f"{what}: error ({answer['message']})")


def run_persistent(command, checker):
    print(f"-- persistent mode: {shlex.join(command)}")
    adapter = Adapter(command)
    try:
        hello = {"type": "hello", "protocol": 1, "future_hello_field": "ignored"}
        adapter.send(hello)
        features = check_hello(parse_line(adapter.receive(), checker, "hello"), checker)

        script = [
            ("sign", HEADER),
            ("sign", QUERY),
            ("sign", TOKEN_CASE),
            ("sign", with_unknown_fields()),
            ("error", {"type": "no-such-type", "id": "smoke/unknown-type", "payload": [1]}),
            ("error", {"type": "no-such-type"}),
        ]
        for kind, msg in script:
            adapter.send(msg)
            what = f"message {msg.get('id', msg.get('type'))!r}"
            answer = parse_line(adapter.receive(), checker, what)
            if kind == "sign":
                check_sign_answer(msg, answer, features, checker)
            else:
                check_error(msg, answer, checker)

        # Pipelining: several messages written before any answer is read.
        batch = [copy.deepcopy(m) for m in (HEADER, QUERY, TOKEN_CASE)]
        adapter.send(b"".join((json.dumps(m) + "\n").encode() for m in batch))
        ids = []
        for m in batch:
            answer = parse_line(adapter.receive(), checker, f"pipelined {m['id']!r}")
            ids.append(answer.get("id") if answer else None)
        if ids != [m["id"] for m in batch]:
            checker.problem(f"pipelined answers out of order or missing: {ids}")
        else:
            checker.ok("pipelined: three answers, in order")

        adapter.close_input()
        code = adapter.wait()
        if code is None:
            checker.problem("did not exit after end of stdin")
        elif code != 0:
            checker.note(f"exited with status {code} after end of stdin")
        else:
            checker.ok("exited with status 0 at end of stdin")
        extra = adapter.receive(timeout=2.0)
        if extra is not None:
            checker.problem(f"printed more than one line per message: {extra[:200]!r}")
    except TimeoutError as exc:
        checker.problem(f"adapter went silent: {exc}")
    except BrokenPipeError:
        checker.problem("adapter closed its stdin early (exited?)")
    finally:
        adapter.kill()
        if checker.problems:
            tail = adapter.stderr_tail()
            if tail.strip():
                print("---- adapter stderr (tail) ----\n" + tail.rstrip() + "\n-------------------------------")


def run_single(command, checker):
    print(f"-- one message, then end of input: {shlex.join(command)}")
    adapter = Adapter(command)
    try:
        adapter.send(HEADER)
        adapter.close_input()
        answer = parse_line(adapter.receive(), checker, "single sign")
        features = ["header"]
        check_sign_answer(HEADER, answer, features, checker)
        code = adapter.wait()
        if code is None:
            checker.problem("single message: did not exit after end of stdin")
            return
        extra = adapter.receive(timeout=2.0)
        if extra is not None:
            checker.problem(f"single message: printed more than one line: {extra[:200]!r}")
        else:
            checker.ok("single message: one answer, then exit")
    except TimeoutError as exc:
        checker.problem(f"single message: adapter went silent: {exc}")
    except BrokenPipeError:
        checker.problem("single message: adapter closed its stdin early")
    finally:
        adapter.kill()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", help='adapter command line, e.g. "node adapters/aws4/adapter.js"')
    parser.add_argument("--shape-only", action="store_true", help="do not compare signatures with published values")
    args = parser.parse_args(argv)
    command = shlex.split(args.command)
    if not command:
        parser.error("empty adapter command")
    checker = Checker(args.shape_only)
    try:
        run_persistent(command, checker)
        run_single(command, checker)
    except OSError as exc:
        print(f"cannot start {args.command!r}: {exc}", file=sys.stderr)
        return 2
    print(f"{len(checker.problems)} problem(s), {len(checker.notes)} note(s)")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
