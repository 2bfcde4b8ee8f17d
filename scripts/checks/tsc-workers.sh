#!/usr/bin/env bash
# tsc-workers.sh FILE -- release check "tsc-workers": TypeScript with Cloudflare Workers' types.
exec "$(dirname "$0")/lib/tsc.sh" '["@cloudflare/workers-types"]' "$1"
