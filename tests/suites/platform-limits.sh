#!/usr/bin/env bash
# platform-limits.sh -- the manifests' limits: sections refused past and accepted at the boundary by
# generate, serve and release alike (cases in tests/limits/cases.txt).
set -u
cd "$(dirname "$0")/../.."
[ -x "${BUNDLEGEN_SAN:-build/san/bundlegen}" ] || make -s build/san/bundlegen >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
exec python3 tests/limits/run.py
