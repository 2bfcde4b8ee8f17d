#!/usr/bin/env bash
# serve.sh -- bundlegen serve end to end (ASan+UBSan build) with a real HTTP client: routes, errors,
# ETag/304, HEAD, parallel downloads, auth, overload, reload, drain and the OpenAPI document check.
set -u
cd "$(dirname "$0")/../.."
[ -x "${BUNDLEGEN_SAN:-build/san/bundlegen}" ] || make -s build/san/bundlegen >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
exec python3 tests/serve/serve_test.py
