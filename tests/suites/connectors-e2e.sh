#!/usr/bin/env bash
# connectors-e2e.sh -- the six JavaScript connectors end to end in workerd, lambda-local and the vendor
# module harnesses, against a real edgenode and an origin stand-in on loopback (tests/e2e/run.js).
set -u
cd "$(dirname "$0")/../.."
for tool in build/bundlegen build/edgenode node_modules/.bin/workerd node_modules/.bin/lambda-local; do
  if [ ! -x "$tool" ]; then echo "not ok - $tool is missing (make builds it and installs the npm tools)"; echo "0 passed, 1 failed"; exit 1; fi
done
exec node tests/e2e/run.js
