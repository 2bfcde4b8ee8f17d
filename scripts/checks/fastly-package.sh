#!/usr/bin/env bash
# fastly-package.sh FILE -- release check "fastly-package": FILE is a Compute package's fastly.toml; its
# entry point builds to WebAssembly with js-compute-runtime, and Fastly's own CLI packs the folder
# (`fastly compute pack`) and accepts the package (`fastly compute validate`), offline.
# Exit 0 when FILE passes; the output says why not. In a release (BUNDLEGEN_ARTIFACTS set) the packed package
# is left there as compute-package.tar.gz, which the release ships as an artifact.
set -euo pipefail
. "$(dirname "$0")/lib/incopy.sh"
name=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["name"])' fastly.toml)
export HOME=$work FASTLY_DISABLE_UPDATE_CHECK=1   # the CLI keeps its config below HOME; no update check
"$repo/node_modules/.bin/js-compute-runtime" src/index.js bin/main.wasm
"$repo/node_modules/.bin/fastly" compute pack --wasm-binary bin/main.wasm --non-interactive
"$repo/node_modules/.bin/fastly" compute validate --package "pkg/$name.tar.gz" --non-interactive
# In a release, the package itself is kept (not byte-for-byte reproducible: docs/release.md).
if [ -n "${BUNDLEGEN_ARTIFACTS:-}" ]; then cp "pkg/$name.tar.gz" "$BUNDLEGEN_ARTIFACTS/compute-package.tar.gz"; fi
