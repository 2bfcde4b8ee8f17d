#!/usr/bin/env bash
# tsc-akamai.sh FILE -- release check "tsc-akamai": TypeScript with the EdgeWorkers types.
exec "$(dirname "$0")/lib/tsc.sh" '["akamai-edgeworkers"]' "$1"
