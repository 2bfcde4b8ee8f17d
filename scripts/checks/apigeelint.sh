#!/usr/bin/env bash
# apigeelint.sh FILE -- release check "apigeelint": no error and no warning in the apiproxy/ or
# sharedflowbundle/ folder holding FILE. Exit 0 when FILE passes; the output says why not.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$(dirname "$1")"   # ESLint ignores files outside the working folder
"$repo/node_modules/.bin/apigeelint" -s "$PWD" -f unix.js --maxWarnings 0
