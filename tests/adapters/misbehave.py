#!/usr/bin/env python3
"""An adapter that misbehaves in exactly one way, to check that the harness
survives it: it reports `adapter-error` for the affected case(s), restarts
the adapter, and finishes the run.

    python3 tests/adapters/misbehave.py --mode MODE

Otherwise it answers correctly, signing with faulty_signer.py (no fault).

Modes:
  crash         exits with a Python traceback on the 2nd sign message (of
                each process: a restarted adapter counts again)
  hang          sleeps forever on sign messages whose id ends with /query
  hang-all      sleeps forever on every sign message
  blank-lines   on sign messages whose id ends with /query prints an empty
                line every 0.2 s, forever, and never answers
  close-stdout  closes its stdout on the 2nd sign message, then sleeps
                forever without exiting (`exec` it, or sh keeps stdout open)
  exit-early    exits 0 right after the hello, before answering anything
  garbage       prints a non-JSON line instead of the answer for ids
                containing "vanilla"
  wrong-id      answers every sign message with a different id
  flood-stdout  prints 100000 lines of JSON-looking junk before one answer,
                once per harness run (a marker file in $TMPDIR named after
                the harness's pid records that it was done)
  flood-stderr  writes 50 MB to stderr, then answers normally (on the first
                sign message of each process)
  no-hello      never answers the hello (reads and ignores stdin)
  long-line     answers every sign message with one valid JSON line of 20 MB
  not-object    answers every sign message with [1,2,3]
  bad-protocol  says protocol 2 in its hello
  garbage-hello answers the hello with a line that is not JSON
  hello-answer  answers sign messages whose id contains "vanilla" with a
                hello message
  endless-line  answers the first sign message with an endless line that
                never ends (no newline, ever)
  answer-twice  prints every answer twice
  log-after     prints two log lines on stdout (in one write) after every answer
  drop-token    leaves X-Amz-Security-Token out of the request it sends
  drop-expires  leaves X-Amz-Expires out of the presigned URL it sends
  url-region    sends its request with the credential scope's region
                changed to us-west-2 (in the URL or the Authorization
                header), its signature and intermediates still right
  other-signature
                answers with a "signature" field that is not the signature
                in its request (all zeros)
  leak-secret   answers sign messages with an error quoting the secret key
                in the forms a careless library logs it (percent-encoded
                in both hex cases, with `/` kept, JSON-escaped, in base64);
                on ids ending with /query it writes them to stderr and
                exits instead, so they reach the adapter-error stderr tail
"""

import argparse
import base64
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faulty_signer  # noqa: E402

MODES = (
    "crash",
    "hang",
    "hang-all",
    "blank-lines",
    "close-stdout",
    "exit-early",
    "garbage",
    "wrong-id",
    "flood-stdout",
    "flood-stderr",
    "no-hello",
    "long-line",
    "not-object",
    "bad-protocol",
    "garbage-hello",
    "hello-answer",
    "endless-line",
    "answer-twice",
    "log-after",
    "other-signature",
    "drop-token",
    "drop-expires",
    "url-region",
    "leak-secret",
)


def leaked_forms(secret):
    """The secret as careless code prints it, one form per line."""
    upper = urllib.parse.quote(secret, safe="")
    head, *escapes = upper.split("%")
    lower = "%".join([head] + [e[:2].lower() + e[2:] for e in escapes])
    return [
        f"percent-encoded: {upper}",
        f"lowercase hex: {lower}",
        f"slash kept: {urllib.parse.quote(secret, safe='/')}",
        f"json: {json.dumps(secret).replace('/', chr(92) + '/')}",
        "basic auth: " + base64.b64encode(f"AKID:{secret}".encode()).decode(),
        "hex of the first key: " + ("AWS4" + secret).encode().hex(),
        "dotnet json: " + "".join(c if c.isalnum() else f"\\u{ord(c):04X}" for c in secret),
        f"split: {secret[:20]}",
        f"{secret[20:]} (the rest)",
    ]


def harness_pid():
    """The harness's pid: the parent of our process-group leader (the
    harness starts `sh -c CMD` in a process group of its own)."""
    try:
        leader = os.getpgid(0)
        with open(f"/proc/{leader}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return os.getppid()


def out(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description="an adapter that misbehaves in one way")
    parser.add_argument("--mode", required=True, help=", ".join(MODES))
    args = parser.parse_args(argv)
    if args.mode not in MODES:
        print(f"misbehave.py: unknown mode {args.mode!r}; known: {', '.join(MODES)}", file=sys.stderr)
        return 2
    mode = args.mode
    # For tests that check no adapter outlives the harness: every process
    # records its pid.
    pid_file = os.environ.get("MISBEHAVE_PID_FILE")
    if pid_file:
        with open(pid_file, "a") as f:
            f.write(f"{os.getpid()}\n")
    signer = faulty_signer.FaultySigner()
    signs = 0
    # flood-stdout happens once per run, not once per restarted process: a
    # marker file in the temp dir, named after the harness's pid.
    flood_marker = os.path.join(
        os.environ.get("TMPDIR", "/tmp"), f"misbehave-flood-stdout-{harness_pid()}"
    )

    for message in faulty_signer.read_messages():
        if message is None:
            out(json.dumps({"type": "error", "id": None, "message": "the line is not JSON"}))
            continue
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "hello":
            if mode == "no-hello":
                continue
            if mode == "garbage-hello":
                out("good morning, I am not JSON")
                continue
            hello = faulty_signer.hello(f"misbehave[{mode}]")
            if mode == "leak-secret":
                # A name that quotes what the command line gave it.
                hello["name"] += os.environ.get("LEAK_IN_HELLO", "")
            if mode == "bad-protocol":
                hello["protocol"] = 2
            out(json.dumps(hello))
            if mode == "exit-early":
                sys.stdout.flush()
                os._exit(0)
            continue
        if kind != "sign":
            out(json.dumps(faulty_signer.answer(signer, message)))
            continue
        signs += 1
        mid = str(message.get("id"))
        if mode == "crash" and signs == 2:
            raise RuntimeError(f"misbehave: crashing on the 2nd sign message ({mid})")
        if mode == "hang-all" or (mode == "hang" and mid.endswith("/query")):
            while True:
                time.sleep(3600)
        if mode == "blank-lines" and mid.endswith("/query"):
            while True:
                out("")
                time.sleep(0.2)
        if mode == "close-stdout" and signs == 2:
            sys.stdout.flush()
            os.close(1)
            while True:
                time.sleep(3600)
        if mode == "garbage" and "vanilla" in mid:
            out(f"this is not JSON, it is garbage instead of the answer to {mid}")
            continue
        if mode == "hello-answer" and "vanilla" in mid:
            out(json.dumps(faulty_signer.hello("misbehave[hello-answer]")))
            continue
        if mode == "endless-line" and signs == 1:
            chunk = "x" * 65536
            try:
                while True:
                    sys.stdout.write(chunk)
            except BrokenPipeError:
                os._exit(1)
        if mode == "leak-secret":
            creds = message.get("credentials") or {}
            forms = leaked_forms(str(creds.get("secret_access_key", "")))
            if mid.endswith("/query"):
                sys.stderr.write("\n".join(forms) + "\n")
                # Then the secret again, so that the harness's stderr tail
                # (its last 4096 bytes) starts two characters into it.
                secret = str(creds.get("secret_access_key", ""))
                sys.stderr.write(secret + "\n" + "B" * (4096 - len(secret)) + "\n")
                sys.stderr.flush()
                os._exit(3)
            out(json.dumps({"type": "error", "id": mid, "message": "cannot sign; " + "; ".join(forms)}))
            continue
        if mode == "not-object":
            out("[1,2,3]")
            continue
        answer = faulty_signer.answer(signer, message)
        if mode == "wrong-id":
            answer["id"] = "not/" + mid
        if mode == "other-signature":
            answer["signature"] = "0" * 64
        if mode == "drop-token" and answer.get("type") == "signed":
            answer["request"]["headers"] = [
                h for h in answer["request"]["headers"] if h[0].lower() != "x-amz-security-token"
            ]
        if mode == "drop-expires" and answer.get("type") == "signed":
            query = answer["request"]["query"].split("&")
            answer["request"]["query"] = "&".join(p for p in query if not p.startswith("X-Amz-Expires="))
        if mode == "url-region" and answer.get("type") == "signed":
            request = answer["request"]
            request["query"] = request["query"].replace("%2Fus-east-1%2F", "%2Fus-west-2%2F")
            request["headers"] = [
                [n, v.replace("/us-east-1/", "/us-west-2/") if n.lower() == "authorization" else v]
                for n, v in request["headers"]
            ]
        if mode == "flood-stdout" and not os.path.exists(flood_marker):
            try:
                open(flood_marker, "w").close()
            except OSError:
                pass
            junk = "".join(
                json.dumps({"type": "progress", "n": n, "note": "junk before the answer"}) + "\n"
                for n in range(100000)
            )
            try:
                sys.stdout.write(junk)
                sys.stdout.flush()
            except BrokenPipeError:
                os._exit(1)
        if mode == "flood-stderr" and signs == 1:
            line = "stderr flood " + "x" * 1010 + "\n"  # 1024 bytes
            for _ in range(50 * 1024):  # 50 MiB
                sys.stderr.write(line)
            sys.stderr.write("stderr flood done\n")
            sys.stderr.flush()
        if mode == "long-line":
            answer["padding"] = "x" * (20 * 1024 * 1024)
        try:
            out(json.dumps(answer))
            if mode == "answer-twice":
                out(json.dumps(answer))
            if mode == "log-after":
                # Two lines in one write, as a logger flushing its buffer.
                sys.stdout.write(f"signed {mid}\nlog: done\n")
                sys.stdout.flush()
        except BrokenPipeError:
            os._exit(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
