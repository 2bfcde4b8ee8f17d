#!/usr/bin/env bash
# js-compute.sh FILE -- release check "js-compute": builds the Fastly package's entry point to WebAssembly with js-compute-runtime
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/check-js-compute.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$repo/node_modules/.bin/js-compute-runtime" "$1" "$work/main.wasm"
[ "$(head -c 4 "$work/main.wasm" | od -An -tx1 | tr -d ' \n')" = 0061736d ] || { echo "no wasm module written"; exit 1; }
