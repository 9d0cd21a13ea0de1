#!/usr/bin/env python3
"""Sends one request signed by botocore to a `sigv4-conformance serve`
endpoint and prints the status and the JSON answer on one line each.

    botocore_client.py URL [--method M] [--body TEXT] [--presign SECS]
        [--access-key K] [--secret S] [--token T] [--sign-time RFC3339]
        [--tamper body|header|path|query]

--tamper changes the request after signing, as a proxy or a buggy HTTP
layer would. The path and query are sent exactly as signed (http.client,
no re-encoding)."""

import argparse
import datetime
import http.client
import json
import sys
import urllib.parse
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--method", default="GET")
    p.add_argument("--body", default="")
    p.add_argument("--presign", type=int)
    p.add_argument("--access-key", default="AKIDEXAMPLE")
    p.add_argument("--secret", default="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    p.add_argument("--token")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--service", default="execute-api")
    p.add_argument("--sign-time")
    p.add_argument("--tamper", choices=["body", "header", "path", "query"])
    a = p.parse_args()

    creds = botocore.credentials.Credentials(a.access_key, a.secret, a.token)
    headers = {"X-Custom": "signed-value"}
    if a.body:
        headers["Content-Type"] = "application/json"
    req = botocore.awsrequest.AWSRequest(method=a.method, url=a.url, data=a.body.encode(), headers=headers)
    if a.presign:
        signer = botocore.auth.SigV4QueryAuth(creds, a.service, a.region, expires=a.presign)
    else:
        signer = botocore.auth.SigV4Auth(creds, a.service, a.region)
    if a.sign_time:
        when = datetime.datetime.fromisoformat(a.sign_time.replace("Z", "+00:00"))
        with mock.patch.object(botocore.auth, "get_current_datetime", lambda *x, **k: when):
            signer.add_auth(req)
    else:
        signer.add_auth(req)
    prepared = req.prepare()
    url = urllib.parse.urlsplit(prepared.url)
    path, query = url.path or "/", url.query
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    sent_headers = dict(prepared.headers.items())
    if a.tamper == "body":
        body = body + b" tampered"
        sent_headers["Content-Length"] = str(len(body))
    elif a.tamper == "header":
        sent_headers["X-Custom"] = "changed-value"
    elif a.tamper == "path":
        path = path + "/extra"
    elif a.tamper == "query":
        query = (query + "&" if query else "") + "injected=1"
    target = path + ("?" + query if query else "")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.putrequest(a.method, target, skip_host=True, skip_accept_encoding=True)
    if not any(n.lower() == "host" for n in sent_headers):
        conn.putheader("Host", url.netloc)  # what urllib3 would add
    for name, value in sent_headers.items():
        conn.putheader(name, value)
    if body and "Content-Length" not in sent_headers:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body if body else None)
    resp = conn.getresponse()
    print(resp.status)
    print(json.dumps(json.loads(resp.read() or b"{}")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
