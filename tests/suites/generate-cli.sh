#!/usr/bin/env bash
# generate-cli.sh -- the bundle commands end to end under ASan+UBSan: platforms, describe, generate,
# their output forms, errors and exit codes, stdout output, no partial files, byte-identical reruns.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
BG=${BUNDLEGEN_SAN:-$REPO/build/san/bundlegen}
W=$(mktemp -d /tmp/generate-cli.XXXXXX)
trap 'rm -rf "$W"' EXIT
. tests/lib/suite.sh

# run NAME EXPECTED_STATUS ARGS...: runs bundlegen, keeps stdout in $W/out, stderr in $W/err.
run() {
  local name=$1 want=$2; shift 2
  "$BG" "$@" >"$W/out" 2>"$W/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$name (exit $rc)"; else bad "$name: exit $rc, expected $want" "$(head -c 600 "$W/err")"; fi
}
empty_dir() {
  if [ -z "$(ls -A "$2")" ]; then ok "$1"; else bad "$1: left $(ls -A "$2" | tr '\n' ' ')"; fi
}
ids="akamai apigateway azion cloudflare cloudfront fastly"
cfver=$("$BG" describe cloudflare --root "$REPO" --json | jq -r .version)   # the current version

# ---- platforms
run "platforms lists" 0 platforms
for id in $ids; do has "platforms shows $id" "$W/out" "$id"; done
has "platforms shows versions" "$W/out" "cloudflare   $cfver"
run "platforms --json" 0 platforms --json
if jq -e 'length >= 6 and all(.[]; .id and .name and .runtime and .version and .archive)' "$W/out" >/dev/null; then
  ok "platforms --json is an array of full entries"; else bad "platforms --json shape" "$(head -c 300 "$W/out")"; fi
run "platforms rejects an argument" 2 platforms cloudflare
has "platforms says why" "$W/err" "unexpected argument 'cloudflare'"

# ---- describe
run "describe cloudflare" 0 describe cloudflare
has "describe names the endpoint" "$W/out" "endpoint: list of url, required"
has "describe shows enum values" "$W/out" "mode: enum (inline | async), default \"inline\""
has "describe shows the bundle file" "$W/out" "cloudflare-connector-$cfver.zip"
run "describe --json" 0 describe cloudfront --json
if jq -e '.id == "cloudfront" and (.parameters | map(.name) | index("endpoint")) != null
          and (.parameters[] | select(.name == "request_timeout") | .default) == 2000
          and (.parameters | map(.name) | index("send_response_body")) == null
          and (.parameters[] | select(.name == "token") | .secret) == true' "$W/out" >/dev/null; then
  ok "describe --json carries types, platform defaults and drops"; else bad "describe --json content" "$(head -c 400 "$W/out")"; fi
run "describe unknown platform" 1 describe nope
has "describe names the unknown platform" "$W/err" 'unknown platform "nope" (known: akamai, apigateway, '
for id in $ids; do has "describe lists $id as known" "$W/err" " $id"; done
run "describe without a platform" 2 describe
run "describe --help" 0 describe --help
has "describe --help is usage" "$W/out" "usage: bundlegen describe PLATFORM"

# ---- generate: errors, all at once, nothing written
mkdir -p "$W/o"
cd "$W/o"
run "generate without endpoint" 1 generate cloudflare --root "$REPO"
has "missing endpoint is named" "$W/err" "endpoint: the value: required but not given"
run "generate with bad parameters" 1 generate cloudflare --root "$REPO" --endpoint ftp://x \
    --set retries=9 --set mode=sync --set request_timeout=soon --set colour=red
for t in 'endpoint: "ftp://x": the scheme must be http:// or https://' 'retries: "9": the number is above 5' \
         'mode: "sync": not an allowed value (expected one of inline, async)' 'request_timeout: "soon": not a duration' \
         'unknown parameter "colour" (known: endpoint, mode, request_timeout,'; do
  has "reported: ${t%%:*}" "$W/err" "$t"
done
n=$(grep -c '^bundlegen: generate: ' "$W/err")
if [ "$n" -eq 5 ]; then ok "every bad parameter reported, one line each"; else bad "expected 5 error lines, got $n"; fi
run "a dropped parameter is unknown" 1 generate apigateway --root "$REPO" --endpoint http://a.example --set block_page=x
has "dropped parameter named" "$W/err" 'unknown parameter "block_page"'
run "secret value never echoed" 1 generate cloudflare --root "$REPO" --endpoint http://a.example --set 'token=hunter2 secret'
if grep -q hunter2 "$W/err"; then bad "the token value was printed"; else ok "the token value stays out of errors"; fi
run "unknown version" 1 generate cloudflare --root "$REPO" --endpoint http://a.example --version 9.9.9
has "unknown version lists the known" "$W/err" "unknown version \"9.9.9\" of cloudflare (known: $cfver, "
run "unknown platform" 1 generate nope --root "$REPO" --endpoint http://a.example
run "unknown option" 2 generate cloudflare --root "$REPO" --endpoint http://a.example --fast
has "unknown option named" "$W/err" "unknown option '--fast'"
run "option without value" 2 generate cloudflare --root "$REPO" --endpoint
has "missing value named" "$W/err" "--endpoint needs a value"
empty_dir "no file written by failed runs" "$W/o"

# ---- generate: success, digest line, default name
run "generate cloudflare" 0 generate cloudflare --root "$REPO" --endpoint http://127.0.0.1:5050 --endpoint=https://b.example/n
sum=$(sha256sum cloudflare-connector-$cfver.zip 2>/dev/null | cut -d' ' -f1)
if [ -n "$sum" ] && [ "$(cat "$W/out")" = "$sum  cloudflare-connector-$cfver.zip" ]; then
  ok "prints SHA256  PATH for the default file name"; else bad "digest line" "$(cat "$W/out") vs $sum"; fi
if unzip -p cloudflare-connector-$cfver.zip config.js | grep -qF 'endpoints: ["http://127.0.0.1:5050", "https://b.example/n"]'; then
  ok "both endpoints baked in, in order"; else bad "endpoints in config.js"; fi

# ---- determinism and SOURCE_DATE_EPOCH
for id in $ids; do
  "$BG" generate "$id" --root "$REPO" --endpoint https://node.example.com --out "$W/$id.1" >/dev/null 2>"$W/err" &&
  "$BG" generate "$id" --root "$REPO" --endpoint https://node.example.com --out "$W/$id.2" >/dev/null 2>>"$W/err"
  if cmp -s "$W/$id.1" "$W/$id.2"; then ok "$id: two runs byte-identical"; else bad "$id: runs differ" "$(head -c 300 "$W/err")"; fi
done
SOURCE_DATE_EPOCH=1700000000 "$BG" generate akamai --root "$REPO" --endpoint https://a.example --out "$W/e1" >/dev/null 2>&1
SOURCE_DATE_EPOCH=1700000000 "$BG" generate akamai --root "$REPO" --endpoint https://a.example --out "$W/e2" >/dev/null 2>&1
"$BG" generate akamai --root "$REPO" --endpoint https://a.example --out "$W/e3" >/dev/null 2>&1
if cmp -s "$W/e1" "$W/e2" && ! cmp -s "$W/e1" "$W/e3"; then ok "SOURCE_DATE_EPOCH sets the entry time"; else bad "SOURCE_DATE_EPOCH"; fi
if [ "$(tar tzvf "$W/e1" | awk '{print $4}' | sort -u)" = "2023-11-14" ]; then ok "tar entries carry the epoch date"; else bad "tar dates" "$(tar tzvf "$W/e1")"; fi

# ---- report_response: on by default where the connector sees the origin's answer and can report it
# (Akamai awaits it inside responseProvider's wall time, which limits.time.report_awaited counts)
for id in cloudflare azion fastly cloudfront akamai apigateway; do
  d=$("$BG" describe "$id" --root "$REPO" --json | jq -c '[.parameters[] | select(.name == "report_response") | .default]')
  case $id in apigateway) want='[]' ;; *) want='[true]' ;; esac
  if [ "$d" = "$want" ]; then ok "$id: report_response default $want"; else bad "$id: report_response default $d, expected $want"; fi
done

# ---- Akamai: edgeworker-version names main.js's content (EdgeWorkers refuses a version twice)
akver=$("$BG" describe akamai --root "$REPO" --json | jq -r .version)
ewv() { tar xzOf "$1" bundle.json | jq -r '."edgeworker-version"'; }
# The digest is of the sha256sum listing of the other files: here "SHA256(main.js)  main.js\n".
ewdigest() { tar xzOf "$1" main.js | sha256sum | sed 's/ .*/  main.js/' | sha256sum | cut -c1-12; }
v1=$(ewv "$W/e1"); v3=$(ewv "$W/e3")
"$BG" generate akamai --root "$REPO" --endpoint https://b.example --out "$W/e4" >/dev/null 2>&1
v4=$(ewv "$W/e4")
if [ "$v1" = "$v3" ]; then ok "akamai: same parameters, same edgeworker-version ($v1)"; else bad "akamai: $v1 vs $v3"; fi
if [ -n "$v4" ] && [ "$v4" != "$v1" ]; then ok "akamai: another endpoint, another edgeworker-version ($v4)"; else bad "akamai: $v4 vs $v1"; fi
if [ "$v1" = "$akver-$(ewdigest "$W/e1")" ] && [ "$v4" = "$akver-$(ewdigest "$W/e4")" ]; then
  ok "akamai: edgeworker-version is VERSION-12 hex digits of main.js's listing"; else bad "akamai: $v1 / $v4 vs the digest of main.js"; fi
if printf '%s' "$v1" | grep -Eqx '[0-9]+\.[0-9]+\.[0-9]+-[0-9a-f]{12}' && [ ${#v1} -le 32 ]; then
  ok "akamai: edgeworker-version is short and plain ($v1)"; else bad "akamai: edgeworker-version form: $v1"; fi
if "$BG" describe akamai --root "$REPO" --json | jq -e '[.files[] | select(.digest) | .path] == ["bundle.json"]' >/dev/null; then
  ok "describe --json marks the digest file"; else bad "describe: files[].digest"; fi

# ---- --out -
"$BG" generate fastly --root "$REPO" --endpoint http://a.example --out - >"$W/stdout.tgz" 2>"$W/err"
"$BG" generate fastly --root "$REPO" --endpoint http://a.example --out "$W/file.tgz" >"$W/out" 2>/dev/null
if cmp -s "$W/stdout.tgz" "$W/file.tgz"; then ok "--out - writes the same bytes to stdout"; else bad "--out - bytes"; fi
if [ "$(cat "$W/err")" = "$(sha256sum "$W/file.tgz" | cut -d' ' -f1)  -" ]; then ok "--out - puts the digest line on stderr"; else bad "--out - digest" "$(cat "$W/err")"; fi
if [ "$(tar tzf "$W/file.tgz" | sort | tr '\n' ' ')" = "edge-connector/README.md edge-connector/fastly.toml edge-connector/package.json edge-connector/secrets/token edge-connector/src/index.js " ]; then
  ok "fastly package layout"; else bad "fastly layout" "$(tar tzf "$W/file.tgz")"; fi

# ---- temp + rename: a failing render leaves nothing and keeps an old file
mkdir -p "$W/root" "$W/t"
cp -R "$REPO/platforms" "$REPO/templates" "$W/root/"
printf 'const X = {{no_such_value}};\n' >>"$W/root/templates/azion/function.js"
echo old >"$W/t/azion.zip"
run "a failing render" 1 generate azion --root "$W/root" --endpoint http://a.example --out "$W/t/azion.zip"
has "render error names the file and tag" "$W/err" "function.js"
has "render error names the value" "$W/err" "no_such_value"
if [ "$(cat "$W/t/azion.zip")" = old ] && [ "$(ls -A "$W/t")" = azion.zip ]; then
  ok "old file kept, no temporary left"; else bad "after failure: $(ls -A "$W/t")"; fi
run "unwritable target folder" 1 generate azion --root "$REPO" --endpoint http://a.example --out "$W/missing/x.zip"
has "write error named" "$W/err" "cannot create a file there"
if [ ! -e "$W/missing" ]; then ok "nothing created for a bad target"; else bad "created $W/missing"; fi

# ---- a folder bundle, and a broken manifest among good ones
cat >"$W/root/platforms/loose.yaml" <<'EOF2'
id: loose
name: Loose files
runtime: node
version: 0.1.0
archive: files
files:
  - template: cloudfront/index.js
    path: lib/index.js
common: {include: all, exclude: [send_response_body, response_body_limit]}
EOF2
mkdir -p "$W/d"
(cd "$W/d" && "$BG" generate loose --root "$W/root" --endpoint http://a.example >"$W/out" 2>"$W/err"); rc=$?
if [ $rc -eq 0 ] && [ -f "$W/d/loose-0.1.0/lib/index.js" ]; then ok "a folder bundle is written under its default name"; else bad "folder bundle: exit $rc" "$(cat "$W/err")"; fi
want=$(cd "$W/d/loose-0.1.0" && sha256sum lib/index.js | sha256sum | cut -d' ' -f1)
if [ "$(cat "$W/out")" = "$want  loose-0.1.0" ]; then ok "a folder's digest is that of its sha256sum listing"; else bad "folder digest" "$(cat "$W/out") vs $want"; fi
(cd "$W/d" && "$BG" generate loose --root "$W/root" --endpoint http://a.example >/dev/null 2>"$W/err"); rc=$?
if [ $rc -eq 1 ] && grep -qF "loose-0.1.0: already exists" "$W/err"; then ok "an existing folder is not overwritten"; else bad "existing folder: exit $rc" "$(cat "$W/err")"; fi
run "a folder bundle cannot go to stdout" 1 generate loose --root "$W/root" --endpoint http://a.example --out -
has "stdout refusal explained" "$W/err" "--out - needs a zip or tar.gz bundle"
printf 'id: broken\nname: [x\n' >"$W/root/platforms/broken.yaml"
run "platforms with a broken manifest" 1 platforms --root "$W/root"
has "the broken manifest is named with its position" "$W/err" "platforms/broken.yaml:"
has "the good ones are still listed" "$W/out" "cloudflare"

# ---- data root lookup
(cd "$W" && BUNDLEGEN_ROOT="$REPO" "$BG" platforms >"$W/out" 2>"$W/err"); rc=$?
if [ $rc -eq 0 ] && grep -q cloudflare "$W/out"; then ok "BUNDLEGEN_ROOT is used"; else bad "BUNDLEGEN_ROOT" "$(cat "$W/err")"; fi
(cd "$W" && BUNDLEGEN_ROOT=/nonexistent "$BG" platforms >"$W/out" 2>"$W/err"); rc=$?
if [ $rc -eq 1 ] && grep -qF "BUNDLEGEN_ROOT /nonexistent: no platforms/ folder there" "$W/err"; then
  ok "a bad BUNDLEGEN_ROOT is named"; else bad "bad BUNDLEGEN_ROOT: exit $rc" "$(cat "$W/err")"; fi
(cd "$REPO" && env -u BUNDLEGEN_ROOT "$BG" describe azion >"$W/out" 2>"$W/err"); rc=$?
if [ $rc -eq 0 ]; then ok "the current folder is used when it holds platforms/"; else bad "cwd root" "$(cat "$W/err")"; fi

suite_end
