#!/usr/bin/env bash
# edgeworkers-bundle.sh FILE -- release check "edgeworkers-bundle": FILE is an Akamai EdgeWorkers .tgz or the
# bundle.json of a rendered folder; the layout, manifest and size rules hold (edgeworkers-bundle.py).
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
exec python3 "$(dirname "$0")/edgeworkers-bundle.py" "$1"
