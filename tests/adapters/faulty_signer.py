#!/usr/bin/env python3
"""A from-scratch AWS SigV4 signer (standard library only) that speaks the
adapter protocol v1 in persistent mode, with one optional deliberate fault.

    python3 tests/adapters/faulty_signer.py                 # correct signer
    python3 tests/adapters/faulty_signer.py --fault ID      # one known mistake
    python3 tests/adapters/faulty_signer.py --with-intermediates

Without --fault it must pass every valid case of the harness. With
--fault ID it makes exactly the mistake the harness's fault catalogue
(src/diagnose.rs, docs/faults.md) names ID, the way real libraries make it,
so the harness's diagnosis can be checked against a known cause.
tests/adapters/faults.json maps each fault to a case that shows it.

The answer carries the signed request and only `signature`, unless
--with-intermediates also asks for `canonical_request` and `string_to_sign`.
The functions here are importable (misbehave.py reuses `FaultySigner` and
`answer`).
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import sys

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
FEATURES = [
    "header",
    "query",
    "session-token",
    "token-after-signing",
    "no-normalize-path",
    "no-double-encode",
    "content-sha256-header",
    "unsigned-payload",
]
# The catalogue ids of src/diagnose.rs, plus the three scope faults the
# harness finds from the adapter's own request.
FAULTS = (
    "query-unsorted",
    "query-sorted-as-pairs",
    "query-sorted-by-name-only",
    "query-sorted-case-insensitively",
    "query-repeated-first-only",
    "query-repeated-last-only",
    "query-sorted-before-encoding",
    "query-space-as-plus",
    "query-plus-decoded-as-space",
    "query-not-decoded",
    "query-not-encoded",
    "query-valueless-without-equals",
    "presign-params-not-encoded",
    "presign-params-appended-after-sort",
    "tilde-escaped",
    "lowercase-hex-escapes",
    "path-not-encoded",
    "path-encoded-before-signing",
    "path-single-encoded",
    "path-double-encoded",
    "path-triple-encoded",
    "path-not-normalized",
    "path-normalized",
    "path-slash-encoded",
    "header-value-not-trimmed",
    "header-inner-spaces-kept",
    "header-tabs-trimmed-as-spaces",
    "header-repeated-joined-with-space",
    "header-repeated-first-only",
    "header-repeated-last-only",
    "header-repeated-sorted",
    "header-multiline-not-unfolded",
    "header-multiline-joined-with-comma",
    "header-names-not-lowercased",
    "host-with-default-port",
    "session-token-signed",
    "session-token-not-signed",
    "payload-hash-of-empty-body",
    "payload-unsigned",
    "payload-hashed-not-unsigned",
    "content-sha256-not-signed",
    "content-sha256-signed",
    "key-region-service-swapped",
    "key-without-aws4-prefix",
    "key-with-full-timestamp",
    "scope-date-is-timestamp",
    "canonical-headers-no-blank-line",
    "date-not-utc",
    "date-not-basic-format",
    "scope-wrong-region",
    "scope-wrong-service",
)

_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)
_HEX = frozenset(b"0123456789abcdefABCDEF")


def percent_decode(text):
    """Bytes of `text` with every valid `%XX` decoded; a `%` that does not
    start a valid escape is literal, and `+` is a literal plus."""
    raw = text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw) and raw[i + 1] in _HEX and raw[i + 2] in _HEX:
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def _hmac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def parse_time(text):
    """An RFC 3339 instant as an aware UTC datetime."""
    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    when = datetime.datetime.fromisoformat(t)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc)


class FaultySigner:
    """A SigV4 signer with at most one deliberate mistake, `fault`."""

    def __init__(self, fault=None, auth_separator=", "):
        # One fault, or several separated by commas (to test pairs).
        self.faults = set(fault.split(",")) if fault else set()
        # Not a fault: a verifier accepts "," with or without spaces.
        self.auth_separator = auth_separator
        for f in self.faults:
            if f not in FAULTS:
                raise ValueError(f"unknown fault {f!r}")

    def _is(self, fault):
        return fault in self.faults

    # -- percent-encoding -------------------------------------------------

    def encode(self, data, keep_slash=False, space_as_plus=False):
        """Percent-encodes bytes outside the unreserved set."""
        hexfmt = "%{:02x}" if self._is("lowercase-hex-escapes") else "%{:02X}"
        out = []
        for b in data:
            if b == 0x7E and self._is("tilde-escaped"):
                out.append(hexfmt.format(b))  # an old urllib.quote did this
            elif b in _UNRESERVED or (keep_slash and b == 0x2F):
                out.append(chr(b))
            elif b == 0x20 and space_as_plus:
                out.append("+")  # form encoding (quote_plus / urlencode)
            else:
                out.append(hexfmt.format(b))
        return "".join(out)

    # -- canonical URI ----------------------------------------------------

    def _encode_segment(self, text, double_encode):
        if self._is("path-not-encoded"):
            return text  # the path as the caller gave it
        raw = text.encode("utf-8")
        if double_encode:
            return self.encode(raw, keep_slash=True)
        # Single encoding (S3): keep the escapes already there.
        out = []
        i = 0
        while i < len(raw):
            if raw[i] == 0x25 and i + 2 < len(raw) and raw[i + 1] in _HEX and raw[i + 2] in _HEX:
                out.append(raw[i : i + 3].decode("ascii"))
                i += 3
            else:
                out.append(self.encode(raw[i : i + 1], keep_slash=True))
                i += 1
        return "".join(out)

    def canonical_uri(self, path, normalize, double_encode):
        uri = self._canonical_uri(path, normalize, double_encode)
        if self._is("path-triple-encoded") and double_encode:
            uri = self.encode(uri.encode("utf-8"), keep_slash=True)  # once too often
        if self._is("path-slash-encoded"):
            # quote(path, safe=""): each separator escaped once, whatever
            # the service.
            return uri.replace("/", "%2F")
        return uri

    def _canonical_uri(self, path, normalize, double_encode):
        if self._is("path-not-normalized"):
            normalize = False  # never normalizes, whatever the service
        if self._is("path-normalized"):
            normalize = True  # always normalizes, S3 too
        if self._is("path-single-encoded"):
            double_encode = False  # the S3 rule everywhere
        if self._is("path-double-encoded"):
            double_encode = True  # the non-S3 rule everywhere
        if path == "":
            return "/"
        if not normalize:
            return self._encode_segment(path, double_encode)
        kept = []
        segments = path[1:].split("/") if path.startswith("/") else path.split("/")
        for segment in segments:
            if segment in ("", "."):
                continue
            if segment == "..":
                if kept:
                    kept.pop()
                continue
            kept.append(self._encode_segment(segment, double_encode))
        result = "/" + "/".join(kept)
        if kept and segments and segments[-1] in ("", ".", ".."):
            result += "/"
        return result

    def wire_path(self, path):
        """The path the implementation sends."""
        if not self._is("path-encoded-before-signing"):
            return path
        # An HTTP layer that escapes what may not appear on a request line
        # (spaces, non-ASCII) and keeps existing escapes.
        out = []
        for ch in path:
            if "!" <= ch <= "~":
                out.append(ch)
            else:
                out.append("".join("%{:02X}".format(b) for b in ch.encode("utf-8")))
        return "".join(out)

    # -- canonical query --------------------------------------------------

    def _query_part(self, text):
        if self._is("query-plus-decoded-as-space"):
            text = text.replace("+", " ")  # form decoding (unquote_plus)
        if self._is("query-not-encoded"):
            return text  # signed as it is on the wire
        if self._is("query-not-decoded"):
            raw = text.encode("utf-8")  # escapes are encoded once more
        else:
            raw = percent_decode(text)
        return self.encode(raw, space_as_plus=self._is("query-space-as-plus"))

    def canonical_query(self, query, presign=()):
        """The canonical form of a raw query string (the request's own
        parameters) with a presigned URL's own (name, raw value) pairs."""
        params = []
        for pair in query.split("&"):
            if not pair:
                continue
            if "=" in pair:
                name, value = pair.split("=", 1)
                valueless = False
            else:
                name, value, valueless = pair, "", True
            params.append(
                {
                    "raw": (name, value),
                    "enc": (self._query_part(name), self._query_part(value)),
                    "valueless": valueless,
                }
            )
        for name, value in presign:
            if self._is("presign-params-not-encoded"):
                enc = (name, value)  # written into the canonical query raw
            else:
                # As on the wire, then read back like the caller's.
                enc = tuple(self._query_part(self.encode(t.encode("utf-8"))) for t in (name, value))
            params.append({"raw": (name, value), "enc": enc, "valueless": False, "presign": True})
        if self._is("query-repeated-first-only") or self._is("query-repeated-last-only"):
            # One value per raw name, at the name's first place.
            kept = {}
            for p in params:
                name = p["raw"][0]
                if name not in kept or self._is("query-repeated-last-only"):
                    kept[name] = p
            params = list(kept.values())
        if self._is("query-unsorted"):
            pass  # wire order
        elif self._is("presign-params-appended-after-sort"):
            own = [p for p in params if p.get("presign")]
            params = sorted((p for p in params if not p.get("presign")), key=lambda p: p["enc"])
            params += own  # appended in the order they were added
        elif self._is("query-sorted-as-pairs"):
            params.sort(key=lambda p: p["enc"][0] + "=" + p["enc"][1])
        elif self._is("query-sorted-by-name-only"):
            params.sort(key=lambda p: p["enc"][0])  # stable: values in sent order
        elif self._is("query-sorted-case-insensitively"):
            params.sort(key=lambda p: (p["enc"][0].lower(), p["enc"][1]))  # localeCompare-like
        elif self._is("query-sorted-before-encoding"):
            params.sort(key=lambda p: (percent_decode(p["raw"][0]), percent_decode(p["raw"][1])))
        else:
            params.sort(key=lambda p: p["enc"])
        parts = []
        for p in params:
            name, value = p["enc"]
            if p["valueless"] and self._is("query-valueless-without-equals"):
                parts.append(name)
            else:
                parts.append(name + "=" + value)
        return "&".join(parts)

    # -- canonical headers ------------------------------------------------

    @staticmethod
    def _trim(value):
        # Folded lines become one space, runs of spaces one space, ends
        # trimmed (spaces only; a tab is kept).
        out = []
        pending = False
        i = 0
        while i < len(value):
            c = value[i]
            if c in "\r\n":
                i += 1
                while i < len(value) and value[i] in "\n \t":
                    i += 1
                pending = bool(out)
                continue
            if c == " ":
                pending = bool(out)
                i += 1
                continue
            if pending:
                out.append(" ")
                pending = False
            out.append(c)
            i += 1
        return "".join(out)

    def _header_value(self, value):
        if self._is("header-multiline-joined-with-comma"):
            value = ",".join(line.strip(" \t\r") for line in value.split("\n"))
        if self._is("header-multiline-not-unfolded"):
            return " ".join(part for part in value.split(" ") if part)  # line breaks kept
        if self._is("header-value-not-trimmed"):
            return value  # as given, folded lines and all
        if self._is("header-inner-spaces-kept"):
            return value.replace("\r", "").replace("\n", "").strip(" ")
        if self._is("header-tabs-trimmed-as-spaces"):
            return " ".join(value.split())  # botocore's way: any whitespace
        return self._trim(value)

    def canonical_headers(self, headers):
        """(canonical header block, signed header list) of `headers`."""
        if self._is("header-repeated-first-only"):
            seen = set()
            firsts = []
            for name, value in headers:
                if name.lower() not in seen:
                    seen.add(name.lower())
                    firsts.append((name, value))
            headers = firsts
        if self._is("header-repeated-last-only"):
            last = {name.lower(): (name, value) for name, value in headers}
            headers = list(last.values())
        groups = {}
        for name, value in headers:
            group = groups.setdefault(name.lower(), {"name": name, "values": []})
            group["values"].append(self._header_value(value))
        lines = []
        names = []
        order = sorted(groups)
        if self._is("header-names-not-lowercased"):
            # Names never lower-cased are sorted as they are, by their bytes.
            order = sorted(groups, key=lambda lower: groups[lower]["name"])
        for lower in order:
            group = groups[lower]
            values = group["values"]
            if self._is("header-repeated-sorted"):
                values = sorted(values)
            joiner = ", " if self._is("header-repeated-joined-with-space") else ","
            shown = group["name"] if self._is("header-names-not-lowercased") else lower
            lines.append(shown + ":" + joiner.join(values))
            names.append(shown)
        if self._is("canonical-headers-no-blank-line"):
            block = "\n".join(lines)  # no line break after the last header
        else:
            block = "".join(line + "\n" for line in lines)
        return block, ";".join(names)

    # -- key --------------------------------------------------------------

    def signing_key(self, secret, when, region, service):
        first = secret if self._is("key-without-aws4-prefix") else "AWS4" + secret
        full = self._is("key-with-full-timestamp") or self._is("scope-date-is-timestamp")
        date = when.strftime("%Y%m%dT%H%M%SZ" if full else "%Y%m%d")
        parts = [date, service, region] if self._is("key-region-service-swapped") else [date, region, service]
        key = first.encode("utf-8")
        for part in parts + ["aws4_request"]:
            key = _hmac(key, part)
        return key

    # -- signing ----------------------------------------------------------

    def sign(self, message):
        """The `signed` answer (without the type/id) and the intermediates."""
        request = message["request"]
        creds = message["credentials"]
        options = message.get("options") or {}
        location = options.get("location", "header")
        expires_in = options.get("expires_in", 3600)
        normalize = options.get("normalize_path", True)
        double_encode = options.get("double_encode_path", True)
        unsigned = options.get("payload", "signed") == "unsigned"
        content_sha256 = bool(options.get("content_sha256_header", False)) and location == "header"
        sign_token = options.get("sign_session_token", True)
        token = creds.get("session_token")
        region = message["region"]
        service = message["service"]
        when = parse_time(message["time"])

        if self._is("date-not-utc"):
            when = when + datetime.timedelta(hours=2)  # local time taken for UTC
        if self._is("scope-wrong-region"):
            region = "us-west-2"
        if self._is("scope-wrong-service"):
            service = "s3"
        if self._is("session-token-signed"):
            sign_token = True
        if self._is("session-token-not-signed"):
            sign_token = False
        if self._is("payload-unsigned"):
            unsigned = True
        if self._is("payload-hashed-not-unsigned"):
            unsigned = False
        if location == "header" and self._is("content-sha256-signed"):
            content_sha256 = True
        if self._is("content-sha256-not-signed"):
            content_sha256 = False

        body = base64.b64decode(request.get("body_base64") or "", validate=True)
        if self._is("payload-hash-of-empty-body"):
            body = b""
        payload_hash = UNSIGNED_PAYLOAD if unsigned else sha256_hex(body)
        amz_date = when.strftime("%Y%m%dT%H%M%SZ")
        if self._is("date-not-basic-format"):
            # toISOString() with '-' and ':' removed keeps the milliseconds.
            amz_date = when.strftime("%Y%m%dT%H%M%S") + ".000Z"
        scope_date = amz_date if self._is("scope-date-is-timestamp") else when.strftime("%Y%m%d")
        scope = f"{scope_date}/{region}/{service}/aws4_request"
        credential = f"{creds['access_key_id']}/{scope}"

        def owned(name):
            n = name.lower()
            return (
                n in ("authorization", "x-amz-date")
                or (n == "x-amz-security-token" and token is not None)
                or (n == "x-amz-content-sha256" and content_sha256)
            )

        sent = [(n, v) for n, v in request.get("headers", []) if not owned(n)]
        signed = list(sent)
        if location == "header":
            if token is not None:
                sent.append(("X-Amz-Security-Token", token))
                if sign_token:
                    signed.append(("X-Amz-Security-Token", token))
            sent.append(("X-Amz-Date", amz_date))
            signed.append(("X-Amz-Date", amz_date))
            if content_sha256:
                sent.append(("x-amz-content-sha256", payload_hash))
                signed.append(("x-amz-content-sha256", payload_hash))
        if self._is("host-with-default-port"):
            # The host taken from a URL with its port written out.
            signed = [(n, v + ":443" if n.lower() == "host" and ":" not in v else v) for n, v in signed]
        headers_block, signed_headers = self.canonical_headers(signed)

        caller_query = request.get("query", "")
        query = caller_query
        presign = []
        if location == "query":
            presign = [
                ("X-Amz-Algorithm", ALGORITHM),
                ("X-Amz-Credential", credential),
                ("X-Amz-Date", amz_date),
                ("X-Amz-Expires", str(expires_in)),
                ("X-Amz-SignedHeaders", signed_headers),
            ]
            if token is not None and sign_token:
                presign.append(("X-Amz-Security-Token", token))
            extra = "&".join(
                self.encode(n.encode("utf-8")) + "=" + self.encode(v.encode("utf-8")) for n, v in presign
            )
            query = query + "&" + extra if query else extra
        path = self.wire_path(request["path"])
        canonical_request = "\n".join(
            [
                request["method"],
                self.canonical_uri(path, normalize, double_encode),
                self.canonical_query(caller_query, presign),
                headers_block,
                signed_headers,
                payload_hash,
            ]
        )
        string_to_sign = "\n".join(
            [ALGORITHM, amz_date, scope, sha256_hex(canonical_request.encode("utf-8"))]
        )
        key = self.signing_key(creds["secret_access_key"], when, region, service)
        signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

        if location == "header":
            sent.append(
                (
                    "Authorization",
                    f"{ALGORITHM} Credential={credential}{self.auth_separator}"
                    f"SignedHeaders={signed_headers}{self.auth_separator}Signature={signature}",
                )
            )
        else:
            if token is not None and not sign_token:
                query += "&X-Amz-Security-Token=" + self.encode(token.encode("utf-8"))
            query += "&X-Amz-Signature=" + signature
        wire = {"method": request["method"], "path": path, "query": query, "headers": [list(h) for h in sent]}
        return wire, canonical_request, string_to_sign, signature


def hello(name="faulty-signer", version="1"):
    return {"type": "hello", "protocol": 1, "name": name, "version": version, "features": FEATURES}


def answer(signer, message, with_intermediates=False):
    """The answer to one harness message."""
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "hello":
        return hello("faulty-signer" if not signer.faults else f"faulty-signer[{','.join(sorted(signer.faults))}]")
    if kind != "sign":
        mid = message.get("id") if isinstance(message, dict) else None
        return {"type": "error", "id": mid, "message": f"unknown message type {kind!r}"}
    try:
        wire, creq, sts, signature = signer.sign(message)
    except Exception as e:  # report, never die
        return {"type": "error", "id": message.get("id"), "message": f"{type(e).__name__}: {e}"}
    out = {"type": "signed", "id": message.get("id"), "request": wire, "signature": signature}
    if with_intermediates:
        out["canonical_request"] = creq
        out["string_to_sign"] = sts
    return out


def write(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def read_messages():
    """Parsed messages from stdin, one per line; None for a bad line."""
    for line in sys.stdin.buffer:
        line = line.strip()
        if not line:
            continue
        try:
            yield json.loads(line.decode("utf-8"))
        except ValueError:
            yield None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fault", help="the mistake to make (a catalogue id; several separated by commas)")
    parser.add_argument("--with-intermediates", action="store_true",
                        help="also return canonical_request and string_to_sign")
    parser.add_argument("--auth-separator", default=", ",
                        help="what separates the Authorization header's parts (default \", \")")
    args = parser.parse_args(argv)
    for fault in (args.fault.split(",") if args.fault else []):
        if fault not in FAULTS:
            print(f"faulty_signer.py: unknown fault {fault!r}; known: {', '.join(FAULTS)}", file=sys.stderr)
            return 2
    signer = FaultySigner(args.fault, args.auth_separator)
    for message in read_messages():
        if message is None:
            write({"type": "error", "id": None, "message": "the line is not JSON"})
            continue
        write(answer(signer, message, args.with_intermediates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
