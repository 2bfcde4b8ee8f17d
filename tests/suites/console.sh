#!/usr/bin/env bash
# console.sh -- the web console (console/) served by bundlegen serve (ASan build), driven in Debian's
# chromium by playwright-core (tests/console/console_test.mjs); screenshots in build/console/.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
bg=${BUNDLEGEN:-build/san/bundlegen}
for p in "$bg" build/bundlegen; do [ -x "$p" ] || suite_abort "$p is missing (make test builds it)"; done
command -v "${CHROMIUM:-chromium}" >/dev/null || suite_abort "chromium is missing (scripts/debian-packages.txt)"
[ -d node_modules/playwright-core ] || suite_abort "node_modules/playwright-core is missing (npm ci)"
W=$(mktemp -d /tmp/console.XXXXXX); SUITE_CLEANUP+=("rm -rf '$W'")
token=console-test-token-0123456789abcdef
echo "$token" >"$W/tokens"
# start NAME ARGS...: serve on a free port; sets PORT, waits (10 s at most) until it is ready.
start() {
  local name=$1; shift
  PORT=$(free_port)
  "$bg" serve --listen "127.0.0.1:$PORT" --access-log off "$@" >"$W/$name.log" 2>&1 &
  SUITE_CLEANUP+=("kill $! 2>/dev/null; wait $! 2>/dev/null")
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/ready")" = 200 ] && return 0
    sleep 0.1
  done
  suite_abort "bundlegen serve ($name) did not become ready" "$W/$name.log"
}
start open; open=$PORT
start token --token-file "$W/tokens"; tok=$PORT

exits "/ is the console page" 0 curl -sf "http://127.0.0.1:$open/"
has "it is the rendered template, with every platform in the plain form" "$SUITE_OUT" '<option value="kong">Kong Gateway'
exits "/console/console.js is served" 0 curl -sf "http://127.0.0.1:$open/console/console.js"
same "/console/nope is a 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$open/console/nope")"
same "/download redirects the plain form to the bundle's URL" "303 /v1/bundles/kong?endpoint=https%3A%2F%2Fn.example" \
  "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$open/download?platform=kong&endpoint=https%3A%2F%2Fn.example" | sed "s|http://127.0.0.1:$open||")"
code=$(curl -s -o "$W/body" -w '%{http_code}' "http://127.0.0.1:$open/download?platform=nope")
same "/download without a known platform is a 400 naming the field" '400 platform' "$code $(jq -r '.errors[0].parameter' "$W/body")"
same "the console page needs no token in token mode (the API does)" "200 401" \
  "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tok/") $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$tok/v1/platforms")"

timeout 300 node tests/console/console_test.mjs "http://127.0.0.1:$open" "http://127.0.0.1:$tok" "$token"
same "the browser run ends with exit 0" 0 "$?"
for l in "$W"/*.log; do
  grep -q 'Sanitizer\|runtime error' "$l" && bad "sanitizer report in $(basename "$l")" "$l"
done
suite_end
