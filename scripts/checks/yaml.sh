#!/usr/bin/env bash
# yaml.sh FILE -- release check "yaml": parses as YAML (PyYAML safe_load, every document)
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
python3 -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")))' "$1"
