#!/usr/bin/env python3
"""Import the published AWS SigV4 test vectors into vectors/data/.

Sources (pinned by sha256, downloaded with urllib, cached in a temp dir):
  * crates.io aws-sigv4 1.6.4, folder aws-signing-test-suite/v4/  -> suite aws-v4
  * PyPI botocore 1.44.8 sdist, folder tests/unit/auth/aws4_testsuite/ -> suite aws-2015

The output format is described in vectors/README.md.  The importer is
deterministic: the same upstream bytes always give the same output bytes.
It stops with a non-zero exit and a message naming the case and file on any
surprise (unknown case, missing or extra file, value that does not check).

Usage:
  python3 vectors/import/import_upstream.py              # download, convert, verify, write
  python3 vectors/import/import_upstream.py --from DIR   # DIR holds aws-sigv4-1.6.4/ and botocore-1.44.8/
  python3 vectors/import/import_upstream.py --check      # like the first, but only compare with vectors/data
  python3 vectors/import/import_upstream.py --verify     # only re-verify the files in vectors/data

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

IMPORT_DATE = "2026-11-25"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "vectors" / "data"
CACHE_DIR = Path(tempfile.gettempdir()) / "sigv4-conformance-import-cache"
REIMPORT_COMMAND = "python3 vectors/import/import_upstream.py"

# --------------------------------------------------------------------------
# Pinned upstream archives.  tree_sha256 is a digest of the imported folder
# (see tree_digest); it also guards --from copies, which have no archive.

CRATE = {
    "label": "crates.io aws-sigv4 1.6.4",
    "url": "https://static.crates.io/crates/aws-sigv4/aws-sigv4-1.6.4.crate",
    "filename": "aws-sigv4-1.6.4.crate",
    "sha256": "f385da9b7757ed4c8214797ad663ff534fb622006143530aa80e21f8e06ff85c",
    "top": "aws-sigv4-1.6.4",
    "folder": "aws-signing-test-suite/v4",
    "tree_sha256": "97d79bf59426eef62841d85693ec058ed41f593d777f8154a1a228e3f323568a",
    "license_sha256": "09e8a9bcec8067104652c168685ab0931e7868f9c8284b66f5ae6edae5f1130b",
}

BOTOCORE = {
    "label": "PyPI botocore 1.44.8 (sdist)",
    "json_urls": [
        "https://pypi.org/pypi/botocore/1.44.8/json",
        "https://pypi.org/pypi/botocore/json",
    ],
    "version": "1.44.8",
    "filename": "botocore-1.44.8.tar.gz",
    "sha256": "945b783c1a1259e2a8b078f3f3dd40fae32ea84ab01d3a9953af6b378da7108a",
    "top": "botocore-1.44.8",
    "folder": "tests/unit/auth/aws4_testsuite",
    "tree_sha256": "cff814c9a802e062ddba041751515d66ac413b32c308196b64434d7e1f41d52e",
}

V4_ORIGIN = "awslabs/aws-c-auth signing test suite"
V2015_ORIGIN = "AWS Signature Version 4 Test Suite (2015 layout), vendored by botocore"

STANDARD_AKID = "AKIDEXAMPLE"
STANDARD_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
# aws-sigv4's Credentials::for_tests()
CRATE_TEST_AKID = "ANOTREAL"
CRATE_TEST_SECRET = "notrealrnrELgWzOk3IfjzDKtFBhDby"

# --------------------------------------------------------------------------
# Rules (ids documented in vectors/README.md), in their canonical order.

RULES = [
    "uri.encode", "uri.double-encode", "uri.normalize", "uri.no-normalize",
    "query.encode", "query.sort", "query.empty-value", "query.repeated-key",
    "headers.lowercase", "headers.sort", "headers.trim", "headers.repeated",
    "headers.multiline", "payload.hash", "payload.content-sha256-header",
    "token.signed", "token.after-signing", "scope", "signing-key", "presign",
]
BASE_RULES = ["payload.hash", "scope", "signing-key"]

# --------------------------------------------------------------------------
# Hand-written descriptions: (description, rules the case focuses on).
# BASE_RULES are added to every case, "presign" to every case with a query
# location.  One entry per case directory; a missing or unused entry is an
# error.

V4_CASES = {
    "double-encode-path": (
        "POST to an API Gateway connections path whose wire form already holds "
        "'@' and a percent-escape (%3D). A non-S3 signer encodes the wire path "
        "again: '@' becomes %40 and %3D becomes %253D. Only the canonical "
        "request is published.",
        ["uri.encode", "uri.double-encode"]),
    "double-encode-path-signed": (
        "The double-encode-path request, signed for us-east-1/service with the "
        "crate's test credentials: the wire path's %3D must be encoded again "
        "before signing. Only the signature and the signed request are published.",
        ["uri.encode", "uri.double-encode"]),
    "double-url-encode": (
        "POST to a Lambda invoke path whose function ARN is already "
        "percent-escaped (%3A); a non-S3 signer encodes the path again, so "
        "every %3A becomes %253A in the canonical URI.",
        ["uri.encode", "uri.double-encode"]),
    "get-header-key-duplicate": (
        "One header name appears three times, twice with the same value; the "
        "values are joined with commas in arrival order and the duplicate is kept.",
        ["headers.lowercase", "headers.repeated"]),
    "get-header-value-multiline": (
        "A header value folded over three lines, the continuation lines "
        "indented; the pieces are joined with single spaces.",
        ["headers.trim", "headers.multiline"]),
    "get-header-value-order": (
        "Four values of one header arrive out of order; they are joined in "
        "arrival order, not sorted.",
        ["headers.repeated"]),
    "get-header-value-trim": (
        "Header values with a leading space and with runs of spaces inside a "
        "quoted string; the ends are trimmed and each inner run becomes one "
        "space, quotes notwithstanding.",
        ["headers.trim"]),
    "get-relative-normalized": (
        "Path /example/.. with path normalization on: the '..' segment removes "
        "its parent and the canonical URI is /.",
        ["uri.normalize"]),
    "get-relative-relative-normalized": (
        "Path /example1/example2/../.. with path normalization on: both '..' "
        "segments are resolved and the canonical URI is /.",
        ["uri.normalize"]),
    "get-relative-relative-unnormalized": (
        "Path /example1/example2/../.. with path normalization off: the path "
        "is signed exactly as written.",
        ["uri.no-normalize"]),
    "get-relative-unnormalized": (
        "Path /example/.. with path normalization off: the '..' segment stays "
        "in the canonical URI.",
        ["uri.no-normalize"]),
    "get-slash-dot-slash-normalized": (
        "Path /./ with path normalization on: the '.' segment is removed, "
        "leaving /.",
        ["uri.normalize"]),
    "get-slash-dot-slash-unnormalized": (
        "Path /./ with path normalization off: it is signed as /./.",
        ["uri.no-normalize"]),
    "get-slash-normalized": (
        "Path // with path normalization on: the repeated slash collapses to /.",
        ["uri.normalize"]),
    "get-slash-pointless-dot-normalized": (
        "Path /./example with path normalization on: the '.' segment is "
        "removed, giving /example.",
        ["uri.normalize"]),
    "get-slash-pointless-dot-unnormalized": (
        "Path /./example with path normalization off: it is signed as written.",
        ["uri.no-normalize"]),
    "get-slash-unnormalized": (
        "Path // with path normalization off: both slashes are kept.",
        ["uri.no-normalize"]),
    "get-slashes-normalized": (
        "Path //example// with path normalization on: the repeated slashes "
        "collapse, giving /example/ (the trailing slash is kept).",
        ["uri.normalize"]),
    "get-slashes-unnormalized": (
        "Path //example// with path normalization off: it is signed as written.",
        ["uri.no-normalize"]),
    "get-space-normalized": (
        "A path segment holding a space, path normalization on. request.txt "
        "carries it as %20 while the published signed request shows a raw "
        "space; the published canonical URI is /example%20space/.",
        ["uri.encode", "uri.double-encode", "uri.normalize"]),
    "get-space-unnormalized": (
        "A path segment holding a raw space on the request line, path "
        "normalization off; the published canonical URI encodes the space "
        "once, as /example%20space/.",
        ["uri.encode", "uri.no-normalize"]),
    "get-unreserved": (
        "A path made only of unreserved characters (letters, digits, '-', '.', "
        "'_', '~'); none of them may be percent-encoded.",
        ["uri.encode"]),
    "get-utf8": (
        "A path holding the raw UTF-8 bytes of U+1234 on the request line; the "
        "published canonical URI is /%E1%88%B4 (each byte encoded once, "
        "uppercase hex).",
        ["uri.encode"]),
    "get-vanilla": (
        "The simplest GET: path /, no query, only a Host header. The baseline "
        "for the layout of the canonical request.",
        ["headers.lowercase", "headers.sort"]),
    "get-vanilla-empty-query-key": (
        "Despite its name the request carries one ordinary parameter, "
        "?Param1=value1, which passes through unchanged (presigned, it sorts "
        "before the X-Amz-* parameters).",
        ["query.encode", "query.sort"]),
    "get-vanilla-query": (
        "Despite its name the request has no query string: the canonical query "
        "line is empty when signing in the header, and holds only the encoded, "
        "sorted X-Amz-* parameters when presigning.",
        ["query.encode", "query.sort"]),
    "get-vanilla-query-order-encoded": (
        "Query keys out of order, one of them percent-encoded UTF-8 "
        "(%E1%88%B4); sorting uses the encoded keys, so %E1%88%B4 comes before "
        "Param, and Param before Param-3.",
        ["query.encode", "query.sort"]),
    "get-vanilla-query-order-key-case": (
        "Two parameters given out of order (Param2, then Param1); they are "
        "sorted by key.",
        ["query.sort"]),
    "get-vanilla-query-unreserved": (
        "A query key and value made only of unreserved characters; neither may "
        "be percent-encoded.",
        ["query.encode"]),
    "get-vanilla-utf8-query": (
        "A query key sent as raw UTF-8 bytes (U+1234) on the request line; it "
        "is signed as %E1%88%B4.",
        ["query.encode"]),
    "get-vanilla-with-session-token": (
        "Temporary credentials whose session token is signed: "
        "x-amz-security-token is a signed header, or X-Amz-Security-Token a "
        "signed parameter when presigning.",
        ["token.signed"]),
    "post-header-key-case": (
        "A POST carrying only the mixed-case header name Host; names are "
        "lowercased in the canonical headers and the signed-header list.",
        ["headers.lowercase"]),
    "post-header-key-sort": (
        "A POST with the custom header My-Header1; canonical headers are "
        "sorted by lowercased name (host, my-header1, x-amz-date).",
        ["headers.lowercase", "headers.sort"]),
    "post-header-value-case": (
        "A header value in upper case (VALUE1): the name is lowercased but the "
        "value keeps its case.",
        ["headers.lowercase"]),
    "post-sts-header-after": (
        "Temporary credentials whose session token is added after signing: it "
        "is absent from the canonical request but present in the signed request.",
        ["token.after-signing"]),
    "post-sts-header-before": (
        "Temporary credentials with a long STS session token that is signed: "
        "it appears in the canonical request as x-amz-security-token (or "
        "X-Amz-Security-Token when presigning).",
        ["token.signed"]),
    "post-vanilla": (
        "The simplest POST: path /, no query, no body.",
        ["headers.lowercase", "headers.sort"]),
    "post-vanilla-empty-query-value": (
        "Despite its name the request carries ?Param1=value1, an ordinary "
        "parameter with a value, on a POST.",
        ["query.encode", "query.sort"]),
    "post-vanilla-query": (
        "A POST with one query parameter, ?Param1=value1.",
        ["query.encode", "query.sort"]),
    "post-x-www-form-urlencoded": (
        "A POST with a form body and Content-Length. The payload hash is the "
        "SHA-256 of the body; with content_sha256_header it is also sent and "
        "signed as x-amz-content-sha256 (header location only).",
        ["payload.content-sha256-header"]),
    "post-x-www-form-urlencoded-parameters": (
        "Like post-x-www-form-urlencoded, but the Content-Type carries a "
        "parameter ('; charset=utf-8'), which is signed verbatim.",
        ["payload.content-sha256-header"]),
}

V2015_CASES = {
    "get-header-key-duplicate": V4_CASES["get-header-key-duplicate"],
    "get-header-value-multiline": V4_CASES["get-header-value-multiline"],
    "get-header-value-order": V4_CASES["get-header-value-order"],
    "get-header-value-trim": V4_CASES["get-header-value-trim"],
    "get-unreserved": V4_CASES["get-unreserved"],
    "get-utf8": V4_CASES["get-utf8"],
    "get-vanilla": V4_CASES["get-vanilla"],
    "get-vanilla-empty-query-key": (
        "Despite its name the request carries one ordinary parameter, "
        "?Param1=value1, which passes through unchanged.",
        ["query.encode"]),
    "get-vanilla-query": (
        "Despite its name the request has no query string; the canonical "
        "query line is empty.",
        []),
    "get-vanilla-query-order-encoded": V4_CASES["get-vanilla-query-order-encoded"],
    "get-vanilla-query-order-key": (
        "The key Param1 appears twice (value2, then Value1); both pairs are "
        "kept and ordered by value in byte order, upper case first: "
        "Param1=Value1&Param1=value2.",
        ["query.sort", "query.repeated-key"]),
    "get-vanilla-query-order-key-case": V4_CASES["get-vanilla-query-order-key-case"],
    "get-vanilla-query-order-value": (
        "The key Param1 appears twice (value2, then value1); both pairs are "
        "kept and ordered by value.",
        ["query.sort", "query.repeated-key"]),
    "get-vanilla-query-unreserved": V4_CASES["get-vanilla-query-unreserved"],
    "get-vanilla-utf8-query": V4_CASES["get-vanilla-utf8-query"],
    "get-vanilla-with-session-token": (
        "Temporary credentials whose session token is signed as the header "
        "x-amz-security-token.",
        ["token.signed"]),
    "normalize-path/get-relative": V4_CASES["get-relative-normalized"],
    "normalize-path/get-relative-relative": V4_CASES["get-relative-relative-normalized"],
    "normalize-path/get-slash": V4_CASES["get-slash-normalized"],
    "normalize-path/get-slash-dot-slash": V4_CASES["get-slash-dot-slash-normalized"],
    "normalize-path/get-slash-pointless-dot": V4_CASES["get-slash-pointless-dot-normalized"],
    "normalize-path/get-slashes": V4_CASES["get-slashes-normalized"],
    "normalize-path/get-space": (
        "A path segment holding a raw space on the request line, path "
        "normalization on; the published canonical URI encodes the space "
        "once, as /example%20space/.",
        ["uri.encode", "uri.normalize"]),
    "normalize-path/get-special-character": (
        "A path holding '$', legal on the wire but outside the unreserved set, "
        "so it is signed as %24.",
        ["uri.encode"]),
    "post-header-key-case": V4_CASES["post-header-key-case"],
    "post-header-key-sort": V4_CASES["post-header-key-sort"],
    "post-header-value-case": V4_CASES["post-header-value-case"],
    "post-sts-token/post-sts-header-after": (
        "Temporary credentials whose session token is added after signing: it "
        "is absent from the canonical request but present in the signed request.",
        ["token.after-signing"]),
    "post-sts-token/post-sts-header-before": (
        "Temporary credentials with a long STS session token that is signed: "
        "it appears in the canonical request as x-amz-security-token.",
        ["token.signed"]),
    "post-vanilla": V4_CASES["post-vanilla"],
    "post-vanilla-empty-query-value": (
        "Despite its name the request carries ?Param1=value1, an ordinary "
        "parameter with a value, on a POST.",
        ["query.encode"]),
    "post-vanilla-query": (
        "A POST with one query parameter, ?Param1=value1.",
        ["query.encode"]),
    "post-x-www-form-urlencoded": (
        "A POST with a form body and no Content-Length; the payload hash is "
        "the SHA-256 of the body, and content-type, host and x-amz-date are "
        "signed.",
        []),
    "post-x-www-form-urlencoded-parameters": (
        "Like post-x-www-form-urlencoded, but the Content-Type carries a "
        "parameter ('; charset=utf8'), which is signed verbatim.",
        []),
}

_RAW_SPACE = (
    "The request line carries a raw space, which no HTTP client sends as is; a "
    "library that percent-encodes the path before signing sends "
    "/example%20space/ and then, correctly for a non-S3 service, encodes it a "
    "second time (/example%2520space/), so its canonical URI differs from the "
    "vector's.")
_RAW_UTF8 = (
    "The request line carries raw UTF-8 bytes, which no HTTP client sends as "
    "is; a library that percent-encodes the path before signing sends "
    "/%E1%88%B4 and then, correctly for a non-S3 service, encodes it a second "
    "time (/%25E1%2588%25B4), so its canonical URI differs from the vector's.")

CONTESTED = {
    ("aws-v4", "get-space-normalized"): (
        "request.txt carries the path already encoded (/example%20space/; the "
        "published signed request shows a raw space instead), yet the canonical "
        "URI is /example%20space/: a signer that encodes the wire path a second "
        "time, as a non-S3 service requires, produces /example%2520space/. The "
        "crate aws-sigv4 skips this case."),
    ("aws-v4", "get-space-unnormalized"): _RAW_SPACE + " The crate aws-sigv4 skips this case.",
    ("aws-v4", "get-utf8"): _RAW_UTF8 + " The crate aws-sigv4 skips this case.",
    ("aws-2015", "normalize-path/get-space"): _RAW_SPACE + (
        " The crate aws-sigv4 skips the same case in its suite, and botocore's "
        "own test skips this one."),
    ("aws-2015", "get-utf8"): _RAW_UTF8 + " The crate aws-sigv4 skips the same case in its suite.",
}

# Upstream anomalies that are known and kept (stage files are copied byte
# for byte).  An anomaly not listed here is an error, and so is a listed one
# that no longer occurs.
KNOWN_QUIRKS = {
    ("aws-v4", "double-url-encode", "header-string-to-sign.txt"): "ends with a newline",
    ("aws-v4", "double-url-encode", "header-signed-request.txt"): "request line has no HTTP version",
}

# botocore's .sreq for this case carries get-vanilla's signature; the .authz
# (reproduced from the published canonical request) is right.  The .sreq is
# not imported.
KNOWN_BAD_SREQ = {
    "get-vanilla-with-session-token": {
        "sreq_signature": "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        "authz_signature": "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
    },
}

# --------------------------------------------------------------------------


class Surprise(Exception):
    """Anything unexpected; the message names the case and file."""


def fail(where: str, message: str):
    raise Surprise(f"{where}: {message}")


class naming:
    """Turns a KeyError/ValueError inside the block into a Surprise naming `where`."""

    def __init__(self, where: str, upstream: str | None = None):
        self.where = where
        self.upstream = upstream

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and issubclass(kind, Surprise) and self.upstream:
            raise Surprise(f"{error} [upstream: {self.upstream}]") from error
        if kind is not None and issubclass(kind, (KeyError, ValueError, TypeError)) and not issubclass(kind, Surprise):
            raise Surprise(f"{self.where}: {kind.__name__}: {error}") from error
        return False


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + sha256_hex(files[rel]).encode() + b"\n")
    return h.hexdigest()


# ---------------------------------------------------------------- fetching


def http_get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "sigv4-conformance-importer"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def cached_download(url: str, filename: str, sha256: str) -> Path:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / filename
    if path.exists() and sha256_hex(path.read_bytes()) == sha256:
        print(f"  cached   {path}")
        return path
    print(f"  download {url}")
    data = http_get(url)
    got = sha256_hex(data)
    if got != sha256:
        fail(url, f"sha256 {got}, pinned {sha256}")
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def botocore_sdist_url() -> str:
    last_error = None
    for json_url in BOTOCORE["json_urls"]:
        try:
            meta = json.loads(http_get(json_url))
        except urllib.error.HTTPError as error:
            last_error = f"{json_url}: HTTP {error.code}"
            continue
        files = meta.get("urls") if meta.get("info", {}).get("version") == BOTOCORE["version"] else None
        if json_url.endswith("/botocore/json"):
            files = meta.get("releases", {}).get(BOTOCORE["version"])
        for entry in files or []:
            if entry.get("packagetype") == "sdist" and entry.get("filename") == BOTOCORE["filename"]:
                if entry.get("digests", {}).get("sha256") != BOTOCORE["sha256"]:
                    fail(json_url, f"PyPI lists sha256 {entry.get('digests')}, pinned {BOTOCORE['sha256']}")
                return urljoin(json_url, entry["url"])
        last_error = f"{json_url}: no sdist {BOTOCORE['filename']}"
    fail("PyPI", f"cannot find the botocore {BOTOCORE['version']} sdist ({last_error})")


def read_archive(path: Path, top: str, prefixes: list[str]) -> dict[str, bytes]:
    """Regular files under top/<prefix> (or equal to top/<prefix>), keyed by
    their path relative to top.  Nothing is extracted to disk."""
    out = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            name = member.name
            if not name.startswith(top + "/"):
                continue
            rel = name[len(top) + 1:]
            if not any(rel == p or rel.startswith(p + "/") for p in prefixes):
                continue
            if member.isdir():
                continue
            if not member.isfile():
                fail(f"{path.name}:{name}", "not a regular file")
            out[rel] = tar.extractfile(member).read()
    return out


def read_directory(root: Path, prefixes: list[str]) -> dict[str, bytes]:
    out = {}
    if not root.is_dir():
        fail(str(root), "missing (expected an extracted copy)")
    for prefix in prefixes:
        base = root / prefix
        if base.is_file():
            out[prefix] = base.read_bytes()
            continue
        if not base.exists():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for filename in filenames:
                full = Path(dirpath) / filename
                if full.is_symlink() or not full.is_file():
                    fail(str(full), "not a regular file")
                out[full.relative_to(root).as_posix()] = full.read_bytes()
    return out


def subfolder(files: dict[str, bytes], folder: str) -> dict[str, bytes]:
    return {rel[len(folder) + 1:]: data for rel, data in files.items() if rel.startswith(folder + "/")}


def load_upstream(from_dir: Path | None):
    """Returns (crate folder files, crate LICENSE bytes, botocore folder files)."""
    crate_prefixes = [CRATE["folder"], "LICENSE", "NOTICE", "NOTICE.txt"]
    boto_prefixes = [BOTOCORE["folder"]]
    if from_dir is None:
        crate_archive = cached_download(CRATE["url"], CRATE["filename"], CRATE["sha256"])
        boto_archive = cached_download(botocore_sdist_url(), BOTOCORE["filename"], BOTOCORE["sha256"])
        crate = read_archive(crate_archive, CRATE["top"], crate_prefixes)
        boto = read_archive(boto_archive, BOTOCORE["top"], boto_prefixes)
    else:
        print(f"  using extracted copies under {from_dir} (archive sha256 not checked; folder digests are)")
        crate = read_directory(from_dir / CRATE["top"], crate_prefixes)
        boto = read_directory(from_dir / BOTOCORE["top"], boto_prefixes)
    for name in ("NOTICE", "NOTICE.txt"):
        if name in crate:
            fail(f"{CRATE['label']}:{name}", "the crate now has a NOTICE file; copy it instead of writing one")
    if "LICENSE" not in crate:
        fail(f"{CRATE['label']}:LICENSE", "missing")
    if sha256_hex(crate["LICENSE"]) != CRATE["license_sha256"]:
        fail(f"{CRATE['label']}:LICENSE", "content differs from the pinned one")
    crate_folder = subfolder(crate, CRATE["folder"])
    boto_folder = subfolder(boto, BOTOCORE["folder"])
    for spec, folder in ((CRATE, crate_folder), (BOTOCORE, boto_folder)):
        if not folder:
            fail(f"{spec['label']}:{spec['folder']}", "folder missing or empty")
    return crate_folder, crate["LICENSE"], boto_folder


def check_folder_digests(crate_folder: dict[str, bytes], boto_folder: dict[str, bytes]) -> None:
    """Run after the conversion, so that a changed upstream first fails on
    the specific case and file."""
    for spec, folder in ((CRATE, crate_folder), (BOTOCORE, boto_folder)):
        digest = tree_digest(folder)
        if digest != spec["tree_sha256"]:
            fail(f"{spec['label']}:{spec['folder']}",
                 f"folder digest {digest}, pinned {spec['tree_sha256']} (the upstream files changed)")


# ---------------------------------------------------------------- helpers


def amz_date(time: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z", time)
    if not m:
        raise ValueError(f"time {time!r} is not YYYY-MM-DDTHH:MM:SSZ")
    return "{}{}{}T{}{}{}Z".format(*m.groups())


def text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        fail(where, "not UTF-8")


def split_head(data: bytes) -> tuple[bytes, bytes]:
    """(header section without its final newline, the rest: b'', b'\\n' or
    b'\\n\\n' + body)."""
    i = data.find(b"\n\n")
    if i >= 0:
        return data[:i], data[i:]
    if data.endswith(b"\n"):
        return data[:-1], b"\n"
    return data, b""


def remove_header_lines(data: bytes, names: set[str], where: str) -> tuple[bytes, dict[str, list[str]]]:
    """Removes the header lines with these (lowercase) names, keeping every
    other byte.  Returns the new bytes and the removed values by name."""
    if b"\r" in data:
        fail(where, "contains a carriage return")
    head, rest = split_head(data)
    lines = head.split(b"\n")
    kept, removed = [lines[0]], {}
    for i, line in enumerate(lines[1:], start=1):
        name, sep, value = line.partition(b":")
        if sep and not line[:1].isspace() and name.decode().lower() in names:
            if i + 1 < len(lines) and lines[i + 1][:1].isspace():
                fail(where, f"header {name.decode()} is folded; cannot remove it cleanly")
            removed.setdefault(name.decode().lower(), []).append(value.decode())
            continue
        kept.append(line)
    return b"\n".join(kept) + rest, removed


def parse_request(data: bytes, where: str) -> dict:
    """method, target, path, query, headers [(name, value)], body, version."""
    if b"\r" in data:
        fail(where, "contains a carriage return")
    i = data.find(b"\n\n")
    head, body = (data[:i], data[i + 2:]) if i >= 0 else (data, b"")
    lines = text(head, where).split("\n")
    request_line = lines[0]
    method, sep, rest = request_line.partition(" ")
    if not sep or not method:
        fail(where, f"bad request line {request_line!r}")
    target, version = rest, None
    m = re.fullmatch(r"(.*) (HTTP/\d\.\d)", rest)
    if m:
        target, version = m.group(1), m.group(2)
    path, _, query = target.partition("?")
    headers = []
    for line in lines[1:]:
        if line == "":
            continue
        if line[:1] in (" ", "\t"):
            if not headers:
                fail(where, "continuation line before any header")
            headers[-1] = (headers[-1][0], headers[-1][1] + "\n" + line)
            continue
        name, sep, value = line.partition(":")
        if not sep:
            fail(where, f"header line without ':' {line!r}")
        headers.append((name, value))
    return {"method": method, "target": target, "path": path, "query": query,
            "headers": headers, "body": body, "version": version}


def header_values(request: dict, name: str) -> list[str]:
    return [v for n, v in request["headers"] if n.lower() == name]


AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^,\s]+), ?SignedHeaders=([^,\s]+), ?Signature=([0-9a-f]{64})")


def parse_authorization(value: str, where: str) -> dict:
    m = AUTH_RE.fullmatch(value.strip())
    if not m:
        fail(where, f"unexpected Authorization value {value!r}")
    return {"credential": m.group(1), "signed_headers": m.group(2), "signature": m.group(3)}


def context_json(ctx: dict) -> bytes:
    """Top-level keys one per line (2-space indent), values on one line."""
    order = ["description", "rules", "status", "contested_reason", "source",
             "credentials", "region", "service", "time", "options"]
    if set(ctx) - set(order):
        raise ValueError(f"unknown context keys {set(ctx) - set(order)}")
    lines = [f"  {json.dumps(k)}: {json.dumps(ctx[k], ensure_ascii=False)}" for k in order if k in ctx]
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def make_context(suite, case, *, source, akid, secret, token, region, service, time,
                 expires_in=3600, normalize_path=True, content_sha256_header=False,
                 sign_session_token=True, has_query=False):
    table = V4_CASES if suite == "aws-v4" else V2015_CASES
    if case not in table:
        fail(f"{suite}/{case}", "upstream case has no entry in the description table")
    description, focus = table[case]
    rules = set(focus) | set(BASE_RULES)
    if has_query:
        rules.add("presign")
    unknown = rules - set(RULES)
    if unknown:
        fail(f"{suite}/{case}", f"unknown rules {sorted(unknown)}")
    ctx = {"description": description,
           "rules": [r for r in RULES if r in rules]}
    if (suite, case) in CONTESTED:
        ctx["status"] = "contested"
        ctx["contested_reason"] = CONTESTED[(suite, case)]
    else:
        ctx["status"] = "valid"
    ctx["source"] = source
    ctx["credentials"] = {"access_key_id": akid, "secret_access_key": secret, "session_token": token}
    ctx["region"] = region
    ctx["service"] = service
    amz_date(time)
    ctx["time"] = time
    ctx["options"] = {"expires_in": expires_in, "normalize_path": normalize_path,
                      "double_encode_path": True, "payload": "signed",
                      "content_sha256_header": content_sha256_header,
                      "sign_session_token": sign_session_token}
    return ctx


class Output:
    """The whole output tree, in memory: relative path -> bytes."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.seen_quirks: set = set()

    def add(self, rel: str, data: bytes):
        if rel in self.files:
            fail(rel, "written twice")
        self.files[rel] = data

    def add_case(self, suite: str, case: str, ctx: dict, files: dict[str, bytes]):
        where = f"{suite}/{case}"
        for name, data in files.items():
            self.check_anomalies(suite, case, name, data)
        self.add(f"{where}/context.json", context_json(ctx))
        for name in sorted(files):
            self.add(f"{where}/{name}", files[name])

    def check_anomalies(self, suite, case, name, data):
        where = f"{suite}/{case}/{name}"
        found = None
        if name.endswith(("-canonical-request.txt", "-string-to-sign.txt", "-signature.txt")):
            if data.endswith(b"\n"):
                found = "ends with a newline"
        if name.endswith("-signed-request.txt") or name == "request.txt":
            first = data.split(b"\n", 1)[0]
            if not re.search(rb" HTTP/1\.1$", first):
                found = "request line has no HTTP version"
        if b"\r" in data:
            fail(where, "contains a carriage return")
        text(data, where)
        key = (suite, case, name)
        if found is None:
            return
        if KNOWN_QUIRKS.get(key) != found:
            fail(where, f"unexpected upstream anomaly: {found}")
        self.seen_quirks.add(key)


# ---------------------------------------------------------------- aws-v4

V4_STAGES = [f"{loc}-{stage}.txt" for loc in ("header", "query")
             for stage in ("canonical-request", "string-to-sign", "signature", "signed-request")]
V4_FULL_CASE = {"context.json", "request.txt", *V4_STAGES}
V4_CONTEXT_KEYS = {"credentials", "expiration_in_seconds", "normalize", "region", "service",
                   "sign_body", "timestamp", "omit_session_token"}
V4_MIGRATED = {
    "double-url-encode": {"request.txt", "header-canonical-request.txt",
                          "header-string-to-sign.txt", "header-signed-request.txt"},
    "double-encode-path": {"request.txt", "header-canonical-request.txt", "header-signed-request.txt"},
}


def v4_source(case: str, note: str | None = None, path_case: str | None = None) -> dict:
    source = {"package": CRATE["label"], "path": f"{CRATE['folder']}/{path_case or case}",
              "origin": V4_ORIGIN}
    if note:
        source["note"] = note
    return source


def signature_from_signed_request(data: bytes, where: str, expect_credential: str) -> str:
    request = parse_request(data, where)
    values = header_values(request, "authorization")
    if len(values) != 1:
        fail(where, f"expected one Authorization header, found {len(values)}")
    auth = parse_authorization(values[0], where)
    if auth["credential"] != expect_credential:
        fail(where, f"Authorization credential {auth['credential']}, expected {expect_credential}")
    return auth["signature"]


def strip_date(data: bytes, where: str, expect: str) -> bytes:
    out, removed = remove_header_lines(data, {"x-amz-date"}, where)
    if removed.get("x-amz-date") != [expect]:
        fail(where, f"expected one X-Amz-Date:{expect}, found {removed.get('x-amz-date')}")
    return out


def import_v4(files: dict[str, bytes], license_bytes: bytes, out: Output) -> None:
    cases: dict[str, dict[str, bytes]] = {}
    for rel, data in files.items():
        parts = rel.split("/")
        if len(parts) != 2:
            fail(f"aws-v4 upstream {rel}", "unexpected file outside a case directory")
        cases.setdefault(parts[0], {})[parts[1]] = data
    used = set()
    for case in sorted(cases):
        with naming(f"aws-v4/{case}"):
            where = f"aws-v4/{case}"
            got = set(cases[case])
            if case in V4_MIGRATED:
                if got != V4_MIGRATED[case]:
                    fail(where, f"files {sorted(got)}, expected {sorted(V4_MIGRATED[case])}")
                used |= import_v4_migrated(case, cases[case], out)
                continue
            if got != V4_FULL_CASE:
                fail(where, f"missing {sorted(V4_FULL_CASE - got)}, unexpected {sorted(got - V4_FULL_CASE)}")
            up = json.loads(text(cases[case]["context.json"], f"{where}/context.json"))
            if set(up) - V4_CONTEXT_KEYS:
                fail(f"{where}/context.json", f"unknown keys {sorted(set(up) - V4_CONTEXT_KEYS)}")
            creds = up["credentials"]
            if set(creds) - {"access_key_id", "secret_access_key", "token"}:
                fail(f"{where}/context.json", f"unknown credential keys {sorted(creds)}")
            for key in ("normalize", "sign_body"):
                if not isinstance(up.get(key), bool):
                    fail(f"{where}/context.json", f"{key} missing or not a boolean")
            omit = up.get("omit_session_token", False)
            ctx = make_context(
                "aws-v4", case, source=v4_source(case),
                akid=creds["access_key_id"], secret=creds["secret_access_key"],
                token=creds.get("token"), region=up["region"], service=up["service"],
                time=up["timestamp"], expires_in=up["expiration_in_seconds"],
                normalize_path=up["normalize"], content_sha256_header=up["sign_body"],
                sign_session_token=not omit, has_query=True)
            stage_files = {name: cases[case][name] for name in V4_STAGES}
            stage_files["request.txt"] = cases[case]["request.txt"]
            request = parse_request(cases[case]["request.txt"], f"{where}/request.txt")
            for banned in ("x-amz-date", "authorization", "x-amz-security-token", "x-amz-content-sha256"):
                if header_values(request, banned):
                    fail(f"{where}/request.txt", f"unexpected {banned} header in the unsigned request")
            out.add_case("aws-v4", case, ctx, stage_files)
            used.add(case)
    unused = set(V4_CASES) - used
    if unused:
        fail("aws-v4", f"description entries without an upstream case: {sorted(unused)}")
    out.add("aws-v4/LICENSE", license_bytes)
    out.add("aws-v4/NOTICE", V4_NOTICE.encode())
    out.add("aws-v4/SOURCE.md", source_md_v4().encode())


def import_v4_migrated(case: str, files: dict[str, bytes], out: Output) -> set:
    where = f"aws-v4/{case}"
    if case == "double-url-encode":
        time = "2021-05-11T15:40:45Z"
        region, service = "us-east-2", "lambda"
        scope = f"20210511/{region}/{service}/aws4_request"
        sts = text(files["header-string-to-sign.txt"], f"{where}/header-string-to-sign.txt")
        if sts.split("\n")[1:3] != [amz_date(time), scope]:
            fail(f"{where}/header-string-to-sign.txt", "time or scope differs from the reconstructed context")
        signature = signature_from_signed_request(
            files["header-signed-request.txt"], f"{where}/header-signed-request.txt",
            f"{STANDARD_AKID}/{scope}")
        ctx = make_context(
            "aws-v4", case,
            source=v4_source(case, note=(
                "No context.json upstream: the crate migrated this case from the old "
                "test-suite format. The context was reconstructed from the published "
                "stages (time and scope from the string to sign and the Authorization "
                "header; AKIDEXAMPLE with the suite's standard secret, which reproduces "
                "the published signature). header-signature.txt is the Signature= value "
                "of the published signed request. The upstream request.txt also carries "
                "X-Amz-Date:20210511T154045Z (the context time); that line was removed, "
                "since the signer adds it.")),
            akid=STANDARD_AKID, secret=STANDARD_SECRET, token=None,
            region=region, service=service, time=time)
        out.add_case("aws-v4", case, ctx, {
            "request.txt": strip_date(files["request.txt"], f"{where}/request.txt", "20210511T154045Z"),
            "header-canonical-request.txt": files["header-canonical-request.txt"],
            "header-string-to-sign.txt": files["header-string-to-sign.txt"],
            "header-signature.txt": signature.encode(),
            "header-signed-request.txt": files["header-signed-request.txt"],
        })
        return {case}

    if case == "double-encode-path":
        creq = text(files["header-canonical-request.txt"], f"{where}/header-canonical-request.txt")
        if "\nx-amz-date:20210511T154045Z\n" not in creq:
            fail(f"{where}/header-canonical-request.txt", "expected x-amz-date:20210511T154045Z")
        # The upstream request.txt carries X-amz-date:20150830T123600Z, the
        # time of the *signed* context; both cases drop that line.
        request = strip_date(files["request.txt"], f"{where}/request.txt", "20150830T123600Z")
        ctx = make_context(
            "aws-v4", case,
            source=v4_source(case, note=(
                "No context.json upstream (migrated by the crate from the old format), and "
                "the upstream canonical request and signed request were produced under "
                "different contexts, so the case is split. This one keeps the canonical "
                "request, which the crate's canonical-request test produces at "
                "2021-05-11T15:40:45Z with region test-region and service testservicename "
                "(credentials, region and service do not affect the canonical request). "
                "The upstream request.txt carries X-amz-date:20150830T123600Z, the time of "
                "the other context; that line was removed, since the signer adds "
                "X-Amz-Date. See double-encode-path-signed for the signature.")),
            akid=STANDARD_AKID, secret=STANDARD_SECRET, token=None,
            region="test-region", service="testservicename", time="2021-05-11T15:40:45Z")
        out.add_case("aws-v4", case, ctx, {
            "request.txt": request,
            "header-canonical-request.txt": files["header-canonical-request.txt"],
        })
        signed_case = "double-encode-path-signed"
        scope = "20150830/us-east-1/service/aws4_request"
        signature = signature_from_signed_request(
            files["header-signed-request.txt"], f"{where}/header-signed-request.txt",
            f"{CRATE_TEST_AKID}/{scope}")
        ctx = make_context(
            "aws-v4", signed_case,
            source=v4_source(signed_case, path_case=case, note=(
                "Split from upstream double-encode-path, which has no context.json. The "
                "signature and signed request come from the crate's sign test, which signs "
                "at 2015-08-30T12:36:00Z for us-east-1/service with Credentials::for_tests() "
                "(ANOTREAL / notrealrnrELgWzOk3IfjzDKtFBhDby). header-signature.txt is the "
                "Signature= value of the published signed request. The X-amz-date line of "
                "the upstream request.txt (equal to this context's time) was removed, since "
                "the signer adds it. See double-encode-path for the canonical request.")),
            akid=CRATE_TEST_AKID, secret=CRATE_TEST_SECRET, token=None,
            region="us-east-1", service="service", time="2015-08-30T12:36:00Z")
        out.add_case("aws-v4", signed_case, ctx, {
            "request.txt": request,
            "header-signature.txt": signature.encode(),
            "header-signed-request.txt": files["header-signed-request.txt"],
        })
        return {case, signed_case}
    fail(where, "no handler for this migrated case")


# ---------------------------------------------------------------- aws-2015

V2015_EXTS = (".req", ".creq", ".sts", ".authz", ".sreq")
V2015_TIME = "2015-08-30T12:36:00Z"
V2015_SCOPE = "20150830/us-east-1/service/aws4_request"
V2015_EXTRA = {"LICENSE", "NOTICE", "normalize-path/normalize-path.txt", "post-sts-token/readme.txt"}


def token_line(creq: str) -> str | None:
    found = re.findall(r"^x-amz-security-token:(.*)$", creq, re.MULTILINE)
    if len(found) > 1:
        raise ValueError("several x-amz-security-token lines")
    return found[0] if found else None


def import_2015(files: dict[str, bytes], out: Output) -> None:
    missing = V2015_EXTRA - set(files)
    if missing:
        fail("aws-2015 upstream", f"missing {sorted(missing)}")
    cases: dict[str, dict[str, bytes]] = {}
    for rel, data in files.items():
        if rel in V2015_EXTRA:
            continue
        directory, _, filename = rel.rpartition("/")
        if not directory:
            fail(f"aws-2015 upstream {rel}", "unexpected top-level file")
        cases.setdefault(directory, {})[filename] = data
    used = set()
    for case in sorted(cases):
        with naming(f"aws-2015/{case}"):
            where = f"aws-2015/{case}"
            name = case.rsplit("/", 1)[-1]
            expected = {name + ext for ext in V2015_EXTS}
            got = set(cases[case])
            if got != expected:
                fail(where, f"missing {sorted(expected - got)}, unexpected {sorted(got - expected)}")
            up = {ext: cases[case][name + ext] for ext in V2015_EXTS}
            notes = []

            req, removed = remove_header_lines(up[".req"], {"x-amz-date", "x-amz-security-token"}, f"{where}/{name}.req")
            if removed.get("x-amz-date") != [amz_date(V2015_TIME)]:
                fail(f"{where}/{name}.req", f"expected one X-Amz-Date:{amz_date(V2015_TIME)}, found {removed.get('x-amz-date')}")
            req_token = removed.get("x-amz-security-token")
            if req_token is not None and len(req_token) != 1:
                fail(f"{where}/{name}.req", "several X-Amz-Security-Token lines")
            req_token = req_token[0] if req_token else None
            creq = text(up[".creq"], f"{where}/{name}.creq")
            creq_token = token_line(creq)
            sreq = parse_request(up[".sreq"], f"{where}/{name}.sreq")
            sreq_tokens = header_values(sreq, "x-amz-security-token")
            if len(sreq_tokens) > 1:
                fail(f"{where}/{name}.sreq", "several X-Amz-Security-Token headers")
            sreq_token = sreq_tokens[0] if sreq_tokens else None

            if creq_token is not None:
                token, sign_token = creq_token, True
                if req_token not in (None, creq_token) or sreq_token not in (None, creq_token):
                    fail(where, "session tokens in .req/.creq/.sreq differ")
                if req_token is not None:
                    notes.append("The X-Amz-Security-Token line of the upstream .req was moved "
                                 "into credentials.session_token.")
                else:
                    notes.append("The session token is taken from the upstream .creq (the .req "
                                 "has none), as botocore's own test does.")
            elif sreq_token is not None:
                if req_token is not None:
                    fail(where, "token in .req but not in .creq")
                token, sign_token = sreq_token, False
                notes.append("The session token is taken from the upstream .sreq, where it was "
                             "added after signing; the .req has none.")
            else:
                token, sign_token = None, True
                if req_token is not None:
                    fail(where, "token in .req but not in .creq")

            authz = text(up[".authz"], f"{where}/{name}.authz")
            auth = parse_authorization(authz, f"{where}/{name}.authz")
            if authz != authz.strip():
                fail(f"{where}/{name}.authz", "surrounding whitespace")
            if auth["credential"] != f"{STANDARD_AKID}/{V2015_SCOPE}":
                fail(f"{where}/{name}.authz", f"credential {auth['credential']}")
            sreq_auth = header_values(sreq, "authorization")
            if len(sreq_auth) != 1:
                fail(f"{where}/{name}.sreq", "expected one Authorization header")
            stages = {
                "request.txt": req,
                "header-canonical-request.txt": up[".creq"],
                "header-string-to-sign.txt": up[".sts"],
                "header-signature.txt": auth["signature"].encode(),
                "header-signed-request.txt": up[".sreq"],
            }
            if sreq_auth[0].strip() != authz:
                bad = KNOWN_BAD_SREQ.get(case)
                sreq_sig = parse_authorization(sreq_auth[0], f"{where}/{name}.sreq")["signature"]
                if not bad or bad["sreq_signature"] != sreq_sig or bad["authz_signature"] != auth["signature"]:
                    fail(f"{where}/{name}.sreq", "Authorization differs from the .authz")
                del stages["header-signed-request.txt"]
                notes.append(f"The upstream .sreq is not imported: its Authorization header carries "
                             f"Signature={sreq_sig} (the signature of get-vanilla) instead of the "
                             f".authz signature, which the published canonical request reproduces.")
                out.seen_quirks.add(("aws-2015", case, "bad-sreq"))
            elif case in KNOWN_BAD_SREQ:
                fail(f"{where}/{name}.sreq", "listed in KNOWN_BAD_SREQ but matches the .authz now")

            source = {"package": BOTOCORE["label"], "path": f"{BOTOCORE['folder']}/{case}",
                      "origin": V2015_ORIGIN}
            if notes:
                source["note"] = " ".join(notes)
            ctx = make_context(
                "aws-2015", case, source=source, akid=STANDARD_AKID, secret=STANDARD_SECRET,
                token=token, region="us-east-1", service="service", time=V2015_TIME,
                sign_session_token=sign_token)
            out.add_case("aws-2015", case, ctx, stages)
            used.add(case)
    unused = set(V2015_CASES) - used
    if unused:
        fail("aws-2015", f"description entries without an upstream case: {sorted(unused)}")
    for rel in sorted(V2015_EXTRA):
        out.add(f"aws-2015/{rel}", files[rel])
    out.add("aws-2015/SOURCE.md", source_md_2015().encode())


# ---------------------------------------------------------------- texts

V4_NOTICE = f"""\
This NOTICE was written by the sigv4-conformance importer
(vectors/import/import_upstream.py). The upstream package has no NOTICE file.

The test vectors in this directory come from the crates.io package
aws-sigv4 1.6.4 (https://github.com/smithy-lang/smithy-rs, sdk/aws-sigv4),
folder aws-signing-test-suite/v4/, which the crate takes from the
awslabs/aws-c-auth signing test suite
(https://github.com/awslabs/aws-c-auth/tree/v0.9.0/tests/aws-signing-test-suite).

Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
Licensed under the Apache License, Version 2.0; see LICENSE in this directory
(copied verbatim from the crate).

Changes made by the importer: every context.json is rewritten in the
sigv4-conformance format (see vectors/README.md), with a description, rules
and status added. The cases double-url-encode and double-encode-path had no
context.json upstream: their contexts were reconstructed, double-encode-path
was split into double-encode-path and double-encode-path-signed, their
header-signature.txt files were derived from the published signed requests,
and the X-Amz-Date line was removed from their request.txt. All other files
are copied byte for byte. Each case's context.json "source" names the
upstream folder it comes from.
"""


def source_md_v4() -> str:
    return f"""\
# aws-v4: where these vectors come from

- Package: {CRATE['label']}
- Archive: {CRATE['url']}
- Archive sha256: `{CRATE['sha256']}`
- Folder: `{CRATE['folder']}/` (40 case directories; `v4a/` is not imported)
- Upstream: awslabs/aws-c-auth signing test suite (the crate adds two cases
  migrated from the old format: `double-url-encode`, `double-encode-path`)
- License: Apache-2.0, see `LICENSE` (verbatim from the crate) and `NOTICE`
  (written by the importer: the crate has none)
- Imported: {IMPORT_DATE}
- Re-import (from the repository root): `{REIMPORT_COMMAND}`

`double-encode-path` is split into `double-encode-path` (canonical request)
and `double-encode-path-signed` (signature, signed request), since upstream
made the two under different contexts. See each `context.json` "source".
"""


def source_md_2015() -> str:
    return f"""\
# aws-2015: where these vectors come from

- Package: {BOTOCORE['label']}
- Archive: botocore-1.44.8.tar.gz from PyPI
  (found via https://pypi.org/pypi/botocore/1.44.8/json)
- Archive sha256: `{BOTOCORE['sha256']}`
- Folder: `{BOTOCORE['folder']}/` (34 cases, 2015 layout)
- License: Apache-2.0, see `LICENSE` and `NOTICE` (both verbatim from that
  folder); `normalize-path/normalize-path.txt` and `post-sts-token/readme.txt`
  are verbatim too
- Imported: {IMPORT_DATE}
- Re-import (from the repository root): `{REIMPORT_COMMAND}`

Mapping: `.req` -> `request.txt` with its `X-Amz-Date` line removed (and, for
`post-sts-header-before`, its `X-Amz-Security-Token` line moved into the
credentials); `.creq` -> `header-canonical-request.txt`; `.sts` ->
`header-string-to-sign.txt`; the `Signature=` value of `.authz` ->
`header-signature.txt`; `.sreq` -> `header-signed-request.txt` (not imported
for `get-vanilla-with-session-token`, whose `.sreq` carries a wrong
signature). See each `context.json` "source".
"""


GITATTRIBUTES = b"* -text\n"


# ---------------------------------------------------------------- verifying

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def pct_encode(data: bytes, keep: bytes = b"") -> str:
    return "".join(chr(b) if b in UNRESERVED or b in keep else f"%{b:02X}" for b in data)


def pct_decode(s: str) -> bytes:
    raw = s.encode("utf-8")
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw) and re.fullmatch(rb"[0-9A-Fa-f]{2}", raw[i + 1:i + 3]):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def normalize_path(path: str) -> str:
    segments = []
    parts = path.split("/")
    for part in parts:
        if part in ("", "."):
            continue
        if part == "..":
            if segments:
                segments.pop()
            continue
        segments.append(part)
    result = "/" + "/".join(segments)
    if parts[-1] in ("", ".", "..") and result != "/":
        result += "/"
    return result


def canonical_request(request: dict, ctx: dict, location: str) -> str:
    """An independent, minimal SigV4 canonicalizer (non-S3 rules: the wire
    path is encoded again), enough for the published vectors."""
    opts = ctx["options"]
    if not opts["double_encode_path"]:
        raise ValueError("the verifier only implements double_encode_path=true")
    path = request["path"] or "/"
    if opts["normalize_path"]:
        path = normalize_path(path)
    uri = pct_encode(path.encode("utf-8"), keep=b"/")

    headers: dict[str, list[str]] = {}
    for name, value in request["headers"]:
        value = re.sub(r"\s+", " ", value).strip()
        headers.setdefault(name.lower(), []).append(value)
    canon = {name: ",".join(values) for name, values in headers.items()}
    date = amz_date(ctx["time"])
    creds = ctx["credentials"]
    token = creds["session_token"] if opts["sign_session_token"] else None
    body_hash = sha256_hex(request["body"]) if opts["payload"] == "signed" else "UNSIGNED-PAYLOAD"

    params = []
    for piece in request["query"].split("&"):
        if piece == "":
            continue
        key, _, value = piece.partition("=")
        params.append((pct_encode(pct_decode(key)), pct_encode(pct_decode(value))))
    scope = f"{date[:8]}/{ctx['region']}/{ctx['service']}/aws4_request"
    if location == "header":
        canon["x-amz-date"] = date
        if opts["content_sha256_header"]:
            canon["x-amz-content-sha256"] = body_hash
        if token is not None:
            canon["x-amz-security-token"] = token
        signed = ";".join(sorted(canon))
    else:
        signed = ";".join(sorted(canon))
        extra = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
                 ("X-Amz-Credential", f"{creds['access_key_id']}/{scope}"),
                 ("X-Amz-Date", date), ("X-Amz-Expires", str(opts["expires_in"])),
                 ("X-Amz-SignedHeaders", signed)]
        if token is not None:
            extra.append(("X-Amz-Security-Token", token))
        params += [(pct_encode(k.encode()), pct_encode(v.encode())) for k, v in extra]
    query = "&".join(f"{k}={v}" for k, v in sorted(params))
    block = "".join(f"{name}:{canon[name]}\n" for name in sorted(canon))
    return "\n".join([request["method"], uri, query, block, signed, body_hash])


def sign(creq: str, ctx: dict) -> tuple[str, str]:
    """(string to sign, signature) for a canonical request."""
    date = amz_date(ctx["time"])
    scope = f"{date[:8]}/{ctx['region']}/{ctx['service']}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", date, scope, sha256_hex(creq.encode("utf-8"))])
    key = ("AWS4" + ctx["credentials"]["secret_access_key"]).encode()
    for part in (date[:8], ctx["region"], ctx["service"], "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return sts, hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()


def stage_equal(published: str, computed: str) -> bool:
    """The comparison rule documented in the README: one trailing newline at
    the end of a stage file is not significant."""
    return published == computed or published == computed + "\n"


CONTEXT_ORDER = ["description", "rules", "status", "contested_reason", "source",
                 "credentials", "region", "service", "time", "options"]
OPTION_KEYS = ["expires_in", "normalize_path", "double_encode_path", "payload",
               "content_sha256_header", "sign_session_token"]


def verify_tree(files: dict[str, bytes]) -> dict:
    """Checks every case under the tree (relative path -> bytes).  Returns
    statistics; raises Surprise on the first problem."""
    stats = {"cases": {}, "ids": {}, "canon_match": 0, "contested": [], "stages_checked": 0}
    case_dirs = sorted(rel[: -len("/context.json")] for rel in files if rel.endswith("/context.json"))
    if not case_dirs:
        fail("vectors/data", "no case found")
    for case_dir in case_dirs:
        raw_ctx = text(files[f"{case_dir}/context.json"], f"{case_dir}/context.json")
        with naming(case_dir):
            ctx = json.loads(raw_ctx)
            src = ctx.get("source") if isinstance(ctx, dict) else None
            upstream = f"{src.get('package')}, {src.get('path')}" if isinstance(src, dict) else None
        with naming(case_dir, upstream):
            suite = case_dir.split("/")[0]
            where = case_dir
            if context_json(ctx).decode() != raw_ctx:
                fail(f"{where}/context.json", "not in the canonical layout / key order")
            keys = [k for k in CONTEXT_ORDER if k in ctx]
            if list(ctx) != keys or set(ctx) != set(CONTEXT_ORDER) - ({"contested_reason"} - set(ctx)):
                fail(f"{where}/context.json", f"keys {list(ctx)}")
            if list(ctx["options"]) != OPTION_KEYS:
                fail(f"{where}/context.json", f"options keys {list(ctx['options'])}")
            if ctx["status"] not in ("valid", "contested") or (ctx["status"] == "contested") != ("contested_reason" in ctx):
                fail(f"{where}/context.json", "status / contested_reason mismatch")
            rules = ctx["rules"]
            if [r for r in RULES if r in rules] != rules or not set(BASE_RULES) <= set(rules):
                fail(f"{where}/context.json", f"rules {rules} unknown, unordered or missing base rules")
            opts, creds = ctx["options"], ctx["credentials"]
            has_token = creds["session_token"] is not None
            checks = {
                "token.signed": has_token and opts["sign_session_token"],
                "token.after-signing": has_token and not opts["sign_session_token"],
                "payload.content-sha256-header": opts["content_sha256_header"],
            }
            for rule, expected in checks.items():
                if (rule in rules) != expected:
                    fail(f"{where}/context.json", f"rule {rule} does not match the options/credentials")
            if "uri.normalize" in rules and not opts["normalize_path"]:
                fail(f"{where}/context.json", "uri.normalize with normalize_path false")
            if (not opts["normalize_path"]) != ("uri.no-normalize" in rules):
                fail(f"{where}/context.json", "uri.no-normalize does not match normalize_path")

            if f"{case_dir}/request.txt" not in files:
                fail(f"{where}/request.txt", "missing")
            request = parse_request(files[f"{case_dir}/request.txt"], f"{where}/request.txt")
            for banned in ("x-amz-date", "authorization", "x-amz-security-token", "x-amz-content-sha256"):
                if header_values(request, banned):
                    fail(f"{where}/request.txt", f"the unsigned request must not carry {banned}")
            allowed = {"context.json", "request.txt", *V4_STAGES}
            present = {rel[len(case_dir) + 1:] for rel in files
                       if rel.startswith(case_dir + "/") and "/" not in rel[len(case_dir) + 1:]}
            if present - allowed:
                fail(where, f"unexpected files {sorted(present - allowed)}")

            date = amz_date(ctx["time"])
            scope = f"{date[:8]}/{ctx['region']}/{ctx['service']}/aws4_request"
            locations = []
            for loc in ("header", "query"):
                stage = {s: files.get(f"{case_dir}/{loc}-{s}.txt") for s in
                         ("canonical-request", "string-to-sign", "signature", "signed-request")}
                stage = {s: (text(v, f"{where}/{loc}-{s}.txt") if v is not None else None) for s, v in stage.items()}
                if stage["canonical-request"] is None and stage["signature"] is None:
                    if stage["string-to-sign"] is not None or stage["signed-request"] is not None:
                        fail(f"{where}/{loc}", "stages without a canonical request or signature")
                    continue
                locations.append(loc)
                if loc == "query" and "presign" not in rules:
                    fail(f"{where}/context.json", "query location without the presign rule")
                lw = f"{where}/{loc}"
                ours = canonical_request(request, ctx, loc)
                published = stage["canonical-request"]
                if published is not None:
                    if stage_equal(published, ours):
                        stats["canon_match"] += 1
                    elif ctx["status"] == "valid":
                        fail(f"{lw}-canonical-request.txt",
                             f"the independent canonicalizer disagrees:\n--- published\n{published}\n--- computed\n{ours}")
                    creq = published
                    if creq.endswith("\n"):
                        fail(f"{lw}-canonical-request.txt", "ends with a newline")
                    check_creq_context(creq, ctx, loc, request, lw)
                else:
                    creq = ours
                if ctx["status"] == "contested":
                    stats["contested"].append(f"{lw} (independent canonicalizer "
                                              f"{'agrees' if published is not None and stage_equal(published, ours) else 'disagrees' if published is not None else 'n/a'})")
                sts, signature = sign(creq, ctx)
                if stage["string-to-sign"] is not None:
                    if not stage_equal(stage["string-to-sign"], sts):
                        fail(f"{lw}-string-to-sign.txt", f"expected\n{sts}")
                    stats["stages_checked"] += 1
                if stage["signature"] is not None:
                    if not re.fullmatch(r"[0-9a-f]{64}", stage["signature"]):
                        fail(f"{lw}-signature.txt", "not bare lowercase hex")
                    if stage["signature"] != signature:
                        fail(f"{lw}-signature.txt", f"{stage['signature']} but computed {signature}")
                    stats["stages_checked"] += 1
                if stage["signed-request"] is not None:
                    check_signed_request(stage["signed-request"], files[f"{case_dir}/request.txt"],
                                         ctx, loc, signature, creq, scope, f"{lw}-signed-request.txt")
                    stats["stages_checked"] += 1
                stats["ids"][suite] = stats["ids"].get(suite, 0) + 1
            if not locations:
                fail(where, "no location: needs <loc>-signature.txt or <loc>-canonical-request.txt")
            if ("query" in locations) != ("presign" in rules):
                fail(f"{where}/context.json", "presign rule does not match the query location")
            stats["cases"][suite] = stats["cases"].get(suite, 0) + 1
    return stats


def check_creq_context(creq: str, ctx: dict, loc: str, request: dict, where: str):
    """The published canonical request agrees with the context."""
    lines = creq.split("\n")
    date = amz_date(ctx["time"])
    if lines[0] != request["method"]:
        fail(where + "-canonical-request.txt", "method differs from request.txt")
    if ctx["options"]["payload"] == "signed" and lines[-1] != sha256_hex(request["body"]):
        fail(where + "-canonical-request.txt", "payload hash is not the SHA-256 of the request.txt body")
    token = ctx["credentials"]["session_token"]
    signs_token = token is not None and ctx["options"]["sign_session_token"]
    if loc == "header":
        if f"x-amz-date:{date}" not in lines:
            fail(where + "-canonical-request.txt", f"no x-amz-date:{date}")
        if (f"x-amz-security-token:{token}" in lines) != signs_token:
            fail(where + "-canonical-request.txt", "session token presence differs from the context")
    else:
        params = dict(p.split("=", 1) for p in lines[2].split("&"))
        creds = ctx["credentials"]
        scope = f"{date[:8]}/{ctx['region']}/{ctx['service']}/aws4_request"
        want = {"X-Amz-Date": date, "X-Amz-Expires": str(ctx["options"]["expires_in"]),
                "X-Amz-Credential": pct_encode(f"{creds['access_key_id']}/{scope}".encode())}
        for key, value in want.items():
            if params.get(key) != value:
                fail(where + "-canonical-request.txt", f"{key}={params.get(key)}, context says {value}")
        if ("X-Amz-Security-Token" in params) != signs_token:
            fail(where + "-canonical-request.txt", "session token presence differs from the context")


def check_signed_request(signed: str, unsigned: bytes, ctx: dict, loc: str, signature: str,
                         creq: str, scope: str, where: str):
    request = parse_request(signed.encode("utf-8"), where)
    base = parse_request(unsigned, where)
    creds = ctx["credentials"]
    if request["method"] != base["method"] or request["body"] != base["body"]:
        fail(where, "method or body differs from request.txt")
    signed_headers = creq.split("\n")[-2]
    token = creds["session_token"]
    if loc == "header":
        values = header_values(request, "authorization")
        if len(values) != 1:
            fail(where, "expected one Authorization header")
        auth = parse_authorization(values[0], where)
        if auth["signature"] != signature:
            fail(where, f"Authorization signature {auth['signature']}, expected {signature}")
        if auth["credential"] != f"{creds['access_key_id']}/{scope}":
            fail(where, f"credential {auth['credential']}")
        if auth["signed_headers"] != signed_headers:
            fail(where, f"SignedHeaders {auth['signed_headers']}, canonical request says {signed_headers}")
        if token is not None and header_values(request, "x-amz-security-token") != [token]:
            fail(where, "session token header missing or different")
    else:
        params = {}
        for piece in request["query"].split("&"):
            key, _, value = piece.partition("=")
            params.setdefault(key, []).append(value)
        if params.get("X-Amz-Signature") != [signature]:
            fail(where, f"X-Amz-Signature {params.get('X-Amz-Signature')}, expected {signature}")
        if params.get("X-Amz-Credential") != [pct_encode(f"{creds['access_key_id']}/{scope}".encode())]:
            fail(where, "X-Amz-Credential differs from the context")
        if params.get("X-Amz-SignedHeaders") != [pct_encode(signed_headers.encode())]:
            fail(where, "X-Amz-SignedHeaders differs from the canonical request")
        if token is not None and params.get("X-Amz-Security-Token") != [pct_encode(token.encode())]:
            fail(where, "X-Amz-Security-Token missing or different")


# ---------------------------------------------------------------- main


def build(from_dir: Path | None) -> Output:
    crate_folder, crate_license, boto_folder = load_upstream(from_dir)
    out = Output()
    import_v4(crate_folder, crate_license, out)
    import_2015(boto_folder, out)
    expected_quirks = set(KNOWN_QUIRKS) | {("aws-2015", c, "bad-sreq") for c in KNOWN_BAD_SREQ}
    stale = expected_quirks - out.seen_quirks
    if stale:
        fail("importer", f"known upstream anomalies no longer present (update the tables): {sorted(stale)}")
    out.add(".gitattributes", GITATTRIBUTES)
    out.upstream = (crate_folder, boto_folder)
    return out


MANAGED = ("aws-v4", "aws-2015", ".gitattributes")


def read_tree(root: Path) -> dict[str, bytes]:
    files = {}
    if not root.is_dir():
        return files
    for name in MANAGED:
        path = root / name
        if path.is_file():
            files[name] = path.read_bytes()
        elif path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                for filename in filenames:
                    full = Path(dirpath) / filename
                    files[full.relative_to(root).as_posix()] = full.read_bytes()
    return files


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
    try:
        for rel in sorted(files):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[rel])
        for name in MANAGED:
            target = root / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            if (staging / name).exists():
                os.replace(staging / name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def print_stats(stats: dict) -> None:
    for suite in sorted(stats["cases"]):
        print(f"  {suite}: {stats['cases'][suite]} case dirs, {stats['ids'][suite]} ids")
    print(f"  total: {sum(stats['cases'].values())} case dirs, {sum(stats['ids'].values())} ids")
    print(f"  independent canonicalizer reproduced {stats['canon_match']} published canonical requests")
    print(f"  {stats['stages_checked']} published string-to-sign/signature/signed-request files checked")
    for line in stats["contested"]:
        print(f"  contested: {line}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="from_dir", type=Path,
                        help="directory holding already-extracted aws-sigv4-1.6.4/ and botocore-1.44.8/")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: vectors/data)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--verify", action="store_true",
                      help="only verify the vectors already in --out (no download, no writing)")
    mode.add_argument("--check", action="store_true",
                      help="import and verify, then compare with --out instead of writing; exit 1 if different")
    args = parser.parse_args(argv)
    try:
        if args.verify:
            print(f"verifying {args.out}")
            print_stats(verify_tree(read_tree(args.out)))
            print("OK")
            return 0
        print("reading upstream")
        out = build(args.from_dir)
        print("verifying the converted vectors")
        stats = verify_tree(out.files)
        check_folder_digests(*out.upstream)
        print_stats(stats)
        if args.check:
            existing = read_tree(args.out)
            differ = sorted(k for k in set(existing) | set(out.files) if existing.get(k) != out.files.get(k))
            if differ:
                print(f"DIFFERENT: {len(differ)} files differ from {args.out}, e.g.:")
                for rel in differ[:20]:
                    print(f"  {rel}")
                return 1
            print(f"OK: {args.out} is up to date ({len(out.files)} files)")
            return 0
        write_tree(args.out, out.files)
        print(f"wrote {len(out.files)} files under {args.out}")
        return 0
    except Surprise as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OSError, urllib.error.URLError, tarfile.TarError, json.JSONDecodeError, ValueError, KeyError) as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
