#!/usr/bin/env bash
# connectors-static.sh -- static checks of the six JavaScript connectors as generated: determinism,
# golden bundles, node --check, TypeScript with the platforms' types, the Fastly wasm build and Fastly's
# CLI pack + validate, wrangler deploy --dry-run, the EdgeWorkers bundle rules, hostile values.
set -u
cd "$(dirname "$0")/../.."
export BUNDLEGEN=${BUNDLEGEN:-build/bundlegen}
bin=node_modules/.bin
. tests/lib/suite.sh
for tool in "$BUNDLEGEN" $bin/tsc $bin/js-compute-runtime $bin/fastly $bin/wrangler; do
  [ -x "$tool" ] || { bad "$tool is missing (run make, which installs the npm tools)"; suite_end; }
done
work=build/connectors-static          # below the repo so that tsc finds node_modules
rm -rf "$work"; mkdir -p "$work"
log=$work/log

# Determinism and golden bundles: generate twice with fixed parameters, compare bytes and files.
tests/golden/generate.sh "$work/a" --keep >"$log" 2>&1 || { bad "golden parameters generate" "$log"; suite_end; }
tests/golden/generate.sh "$work/b" --keep >"$log" 2>&1 || { bad "golden parameters generate again" "$log"; suite_end; }
platforms=(akamai apigateway azion cloudflare cloudfront fastly)
for id in "${platforms[@]}"; do
  if cmp -s "$work/a/$id.bundle" "$work/b/$id.bundle"; then ok "$id: two generations are byte-identical"
  else bad "$id: two generations differ"; fi
  if diff -r "tests/golden/$id" "$work/a/$id" >"$log" 2>&1; then ok "$id: matches tests/golden/$id"
  else bad "$id: differs from tests/golden/$id (make golden, then review the diff)" "$log"; fi
done

# node --check on every generated script, as the runtime loads it (ES module or script).
esm() { case $1 in */worker.js|*/cloudflare/config.js|*/main.js|*/src/index.js) return 0 ;; esac; return 1; }
while IFS= read -r f; do
  if esm "$f"; then node --input-type=module --check <"$f" >"$log" 2>&1; else node --check "$f" >"$log" 2>&1; fi
  if [ $? -eq 0 ]; then ok "node --check ${f#$work/a/}"; else bad "node --check ${f#$work/a/}" "$log"; fi
done < <(find "$work/a" -name '*.js' | sort)
head -n -3 "$work/a/cloudflare/worker.js" >"$work/truncated.js"   # its closing braces cut off
if node --input-type=module --check <"$work/truncated.js" >/dev/null 2>&1; then bad "node --check refuses a truncated worker"
else ok "node --check refuses a truncated worker"; fi

# Every TOML and JSON file parses (wrangler.toml, fastly.toml, bundle.json, package.json).
while IFS= read -r f; do
  case $f in
    *.toml) python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "$f" >"$log" 2>&1 ;;
    *.json) python3 -c 'import sys, json; json.load(open(sys.argv[1]))' "$f" >"$log" 2>&1 ;;
  esac
  if [ $? -eq 0 ]; then ok "parses: ${f#$work/a/}"; else bad "parses: ${f#$work/a/}" "$log"; fi
done < <(find "$work/a" -name '*.toml' -o -name '*.json' | grep -v tsconfig.json | sort)

# TypeScript 7 with each platform's type package (checkJs, noEmit, strict off, bundler resolution).
tsc_dir() {   # dir types-json lib-json
  cat >"$1/tsconfig.json" <<JSON
{ "compilerOptions": { "allowJs": true, "checkJs": true, "noEmit": true, "strict": false, "module": "ESNext",
    "moduleResolution": "bundler", "target": "ES2022", "skipLibCheck": true, "types": $2, "lib": $3 },
  "include": ["**/*.js"] }
JSON
  (cd "$1" && "$OLDPWD/$bin/tsc" -p tsconfig.json)
}
declare -A types=([cloudflare]='["@cloudflare/workers-types"]' [cloudfront]='["aws-lambda","node"]'
  [apigateway]='["aws-lambda","node"]' [akamai]='["akamai-edgeworkers"]' [fastly]='["@fastly/js-compute"]' [azion]='[]')
declare -A libs=([azion]='["ES2022","WebWorker"]')
for id in "${platforms[@]}"; do
  if tsc_dir "$work/a/$id" "${types[$id]}" "${libs[$id]:-[\"ES2022\"]}" >"$log" 2>&1; then ok "$id: tsc with ${types[$id]}"
  else bad "$id: tsc with ${types[$id]}" "$log"; fi
done
mkdir -p "$work/typo"; sed 's/timeout: init.timeoutMs })/timeoutt: init.timeoutMs })/' "$work/a/akamai/main.js" >"$work/typo/main.js"
if tsc_dir "$work/typo" '["akamai-edgeworkers"]' '["ES2022"]' >"$log" 2>&1; then bad "tsc catches a misspelt httpRequest option"
elif grep -q timeoutt "$log"; then ok "tsc catches a misspelt httpRequest option"; else bad "tsc failed for another reason" "$log"; fi

# The Fastly package builds to wasm with js-compute-runtime (wizer runs the top-level code).
pkg=$work/a/fastly/edge-connector
if (cd "$pkg" && "$OLDPWD/$bin/js-compute-runtime" src/index.js bin/main.wasm) >"$log" 2>&1 &&
   [ "$(head -c 4 "$pkg/bin/main.wasm" | od -An -tx1 | tr -d ' \n')" = 0061736d ]; then ok "fastly: js-compute-runtime builds bin/main.wasm"
else bad "fastly: js-compute-runtime build" "$log"; fi

# Fastly's own CLI (pinned @fastly/cli) packs the built package and validates it, offline; it refuses a
# package without the wasm.
if scripts/checks/fastly-package.sh "$pkg/fastly.toml" >"$log" 2>&1 && grep -q "SUCCESS: Validated package" "$log"; then
  ok "fastly: fastly compute pack + validate accept the package"
else bad "fastly: fastly compute pack + validate" "$log"; fi
mkdir -p "$work/nowasm/edge-connector" && cp "$pkg/fastly.toml" "$work/nowasm/edge-connector/"
tar czf "$work/nowasm.tar.gz" -C "$work/nowasm" edge-connector
if HOME=$work FASTLY_DISABLE_UPDATE_CHECK=1 $bin/fastly compute validate --package "$work/nowasm.tar.gz" --non-interactive >"$log" 2>&1; then
  bad "fastly compute validate refuses a package without main.wasm" "$log"
else ok "fastly compute validate refuses a package without main.wasm"; fi

# fastly.toml names one backend per endpoint, in order (node_1.., as src/index.js asks for them):
# [setup.backends] with the endpoint's address and port (the scheme's own when absent), and
# [local_server.backends] with its origin URL for `fastly compute serve`.
"$BUNDLEGEN" generate fastly --endpoint http://node-a.example:8080/v1 --endpoint 'https://[::1]' --out "$work/two.tgz" >"$log" 2>&1
mkdir -p "$work/two" && tar xzf "$work/two.tgz" -C "$work/two"
if python3 - "$work/two/edge-connector/fastly.toml" >"$log" 2>&1 <<'PY'
import sys, tomllib
t = tomllib.load(open(sys.argv[1], "rb"))
want_setup = {"node_1": {"address": "node-a.example", "port": 8080}, "node_2": {"address": "::1", "port": 443}}
want_local = {"node_1": {"url": "http://node-a.example:8080"}, "node_2": {"url": "https://[::1]:443"}}
assert t["setup"]["backends"] == want_setup, t["setup"]
assert t["local_server"]["backends"] == want_local, t["local_server"]
PY
then ok "fastly: fastly.toml has [setup.backends] and [local_server.backends] node_1..node_N from the endpoints"
else bad "fastly: fastly.toml backends" "$log"; fi
if scripts/checks/fastly-package.sh "$work/two/edge-connector/fastly.toml" >"$log" 2>&1 && grep -q "SUCCESS: Validated package" "$log"; then
  ok "fastly: pack + validate accept a two-endpoint package"
else bad "fastly: pack + validate of a two-endpoint package" "$log"; fi
# The CLI reads those tables (a port that is no number is refused), so its acceptance covers them.
sed -i 's/"port" = 8080/"port" = "8080x"/' "$work/two/edge-connector/fastly.toml"
if scripts/checks/fastly-package.sh "$work/two/edge-connector/fastly.toml" >"$log" 2>&1; then
  bad "the Fastly CLI refuses a [setup.backends] port that is no number" "$log"
elif grep -q "8080x" "$log"; then ok "the Fastly CLI refuses a [setup.backends] port that is no number"
else bad "the Fastly CLI failed for another reason" "$log"; fi

# Cloudflare's own CLI (pinned wrangler): `wrangler deploy --dry-run` bundles the Worker as it would upload
# it, offline, and the check compares what it lists with wrangler.toml and secrets.json; it refuses a
# broken Worker, a missing main module, an import it cannot resolve and a bad compatibility_date.
wd=scripts/checks/wrangler-deploy.sh
if unshare -n true 2>/dev/null; then ok "wrangler runs in a namespace without a network (unshare -n)"
else skip "wrangler runs without a network" "unshare -n is not permitted here; it runs with telemetry off"; fi
if $wd "$work/a/cloudflare/wrangler.toml" >"$log" 2>&1 &&
   grep -qF "wrangler deploy --dry-run OK: worker.js + config.js, compatibility_date 2024-09-23, bindings ['env.CONNECTOR_VERSION', 'env.EDGE_TOKEN']" "$log"
then ok "cloudflare: wrangler deploy --dry-run uploads worker.js and the config.js it imports, with CONNECTOR_VERSION and the secret EDGE_TOKEN"
else bad "cloudflare: wrangler deploy --dry-run" "$log"; fi
"$BUNDLEGEN" generate cloudflare --endpoint https://node.example.com --out "$work/cf-notoken.zip" >"$log" 2>&1
mkdir -p "$work/cf-notoken" && (cd "$work/cf-notoken" && unzip -oq ../cf-notoken.zip)
if $wd "$work/cf-notoken/wrangler.toml" >"$log" 2>&1 && grep -qF "bindings ['env.CONNECTOR_VERSION']" "$log"
then ok "cloudflare: without a token wrangler lists no secret"
else bad "cloudflare: wrangler deploy --dry-run without a token" "$log"; fi
wd_refuses() {   # name reason-regex setup-commands (run in a fresh copy of the golden Worker's folder)
  local d=$work/wd/$1; rm -rf "$d"; mkdir -p "$d"; cp "$work/a/cloudflare/"* "$d/"
  (cd "$d" && eval "$3") || { bad "wrangler $1: setup"; return; }
  if $wd "$d/wrangler.toml" >"$log" 2>&1; then bad "wrangler deploy --dry-run refuses $1" "$log"
  elif grep -Eq "$2" "$log"; then ok "wrangler deploy --dry-run refuses $1"
  else bad "wrangler deploy --dry-run refuses $1 for another reason" "$log"; fi
}
wd_refuses "a syntax error" 'worker.js:[0-9]+:[0-9]+' 'echo "export default {fetch( }" >>worker.js'
wd_refuses "a missing main" 'entry-point file at "worker.js" was not found' 'rm worker.js'
wd_refuses "an unresolved import" 'missing\.js' 'sed -i "1i import x from \"./missing.js\";" worker.js'
wd_refuses "a missing config.js" 'config\.js' 'rm config.js'
wd_refuses "an import from outside the bundle" 'outside\.js' 'echo "export const X = 1;" >../outside.js && sed -i "1i import { X } from \"../outside.js\";" worker.js'
wd_refuses "a bad compatibility_date" '"compatibility_date" field should be a valid' 'sed -i s/2024-09-23/2024-13-45/ wrangler.toml'

# The EdgeWorkers bundle rules (scripts/checks/edgeworkers-bundle.sh): the generated Akamai bundle and its
# rendered folder pass; each mutated bundle is refused with its reason.
ew=scripts/checks/edgeworkers-bundle.sh
mkdir -p "$work/ew/src"; cp "$work/a/akamai/main.js" "$work/a/akamai/bundle.json" "$work/ew/src/"
for f in "$work/a/akamai.bundle" "$work/ew/src/bundle.json"; do   # the tgz, and its folder as release has it
  if $ew "$f" >"$log" 2>&1 && grep -q "EdgeWorkers bundle OK" "$log"; then ok "akamai: edgeworkers-bundle accepts ${f#$work/}"
  else bad "akamai: edgeworkers-bundle on ${f#$work/}" "$log"; fi
done
ew_refuses() {   # name reason-regex setup-commands... (run in a fresh copy of the bundle's folder)
  local d=$work/ew/$1; rm -rf "$d"; cp -R "$work/ew/src" "$d"
  (cd "$d" && eval "$3") || { bad "ew $1: setup"; return; }
  tar czf "$d.tgz" -C "$d" $(cd "$d" && ls -A)
  if $ew "$d.tgz" >"$log" 2>&1; then bad "edgeworkers-bundle refuses $1" "$log"
  elif grep -Eq "$2" "$log"; then ok "edgeworkers-bundle refuses $1"
  else bad "edgeworkers-bundle refuses $1 for another reason" "$log"; fi
}
jset() { python3 -c 'import json, sys; d = json.load(open("bundle.json")); exec(sys.argv[1]); json.dump(d, open("bundle.json", "w"))' "$1"; }
ew_refuses "an extra file" "files: README.md is not main.js or bundle.json" 'echo hi >README.md'
ew_refuses "a directory" "files: lib is a directory" 'mkdir lib && echo x >lib/a.js'
ew_refuses "an executable main.js" "files: main.js is executable" 'chmod +x main.js'
ew_refuses "a missing main.js" "files: main.js is missing" 'rm main.js'
ew_refuses "a bad version string" "edgeworker-version '1.2.0 beta' is not" "jset 'd[\"edgeworker-version\"] = \"1.2.0 beta\"'"
ew_refuses "a version of 65 characters" "edgeworker-version '1{65}' is not" "jset 'd[\"edgeworker-version\"] = \"1\" * 65'"
ew_refuses "a missing version" "edgeworker-version is missing" "jset 'del d[\"edgeworker-version\"]'"
ew_refuses "an unknown key" "unknown key 'name'" "jset 'd[\"name\"] = \"x\"'"
ew_refuses "a description that is no string" "description is not a string" "jset 'd[\"description\"] = 1'"
ew_refuses "misc that is no object" "misc is not a object" "jset 'd[\"misc\"] = []'"
ew_refuses "bundle.json that is no JSON" "bundle.json: not valid JSON" 'echo "{" >bundle.json'
# Sizes against platforms/akamai.yaml limits: (bundle 512k packed, unpacked 1m): random bytes do not
# compress, repeated ones do.
ew_refuses "an archive over limits.bundle" "size: the archive is [0-9]+ bytes, over the 524288" \
  'head -c 600000 /dev/urandom | base64 -w0 | sed "s,^,//," >>main.js'
ew_refuses "files over limits.unpacked" "size: the files hold [0-9]+ bytes, over the 1048576" \
  'printf "//%01100000d\n" 0 >>main.js'
if python3 -c 'import gzip, sys; sys.exit(len(gzip.compress(open(sys.argv[1], "rb").read())) > 512 * 1024)' "$work/ew/files over limits.unpacked/main.js"
then ok "the unpacked case stays under limits.bundle (the size refused is the unpacked one)"
else bad "the unpacked case is over limits.bundle too"; fi

# Sub-runners that print their own "N passed, N failed".
sub() {   # name command...
  "${@:2}" >"$log" 2>&1; local rc=$?
  tally "$1" "$log"
  if [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$log"; then bad "$1 exited $rc" "$log"; fi
}
# The shared client's logic and the harnesses' platform rules.
sub selftest node tests/e2e/selftest.mjs "$work/a/cloudflare/worker.js" tests/e2e/host-fastly.mjs
# Hostile parameter values: refused naming the parameter, or unchanged once the code is evaluated.
sub hostile node tests/e2e/hostile.js
suite_end
