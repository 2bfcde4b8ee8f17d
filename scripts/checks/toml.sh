#!/usr/bin/env bash
# toml.sh FILE -- release check "toml": parses as TOML (python3 tomllib)
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "$1"
