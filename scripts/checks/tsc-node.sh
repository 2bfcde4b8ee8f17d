#!/usr/bin/env bash
# tsc-node.sh FILE -- release check "tsc-node": TypeScript with the AWS Lambda and Node.js types.
exec "$(dirname "$0")/lib/tsc.sh" '["aws-lambda","node"]' "$1"
