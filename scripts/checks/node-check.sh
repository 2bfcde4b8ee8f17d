#!/usr/bin/env bash
# node-check.sh FILE -- release check "node-check": node --check, as an ES module when the file imports or exports, else as a script
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
if grep -Eq '^[[:space:]]*(import|export)[[:space:]{*]' "$1"; then node --input-type=module --check <"$1"
else node --check "$1"; fi
