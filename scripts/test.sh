#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the example
# adapters need (a Python venv with botocore, the aws4 npm package), then
# the Rust tests with snapshots checked, never updated.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/adapter-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r adapters/botocore/requirements.txt -r tests/requirements.txt
(cd adapters/aws4 && npm ci --silent --no-audit --no-fund)

export SIGV4_TEST_PYTHON="$PWD/$venv/bin/python"
# Snapshots are compared, never written: a missing or changed snapshot fails.
export INSTA_UPDATE=no
cargo test --workspace --all-targets "$@"
cargo test --workspace --doc
