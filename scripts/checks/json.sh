#!/usr/bin/env bash
# json.sh FILE -- release check "json": parses as JSON (python3)
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1"
