#!/usr/bin/env bash
# node-shapes.sh -- request shapes an attacker would try (tests/node/shapes/*.json, run by
# tests/node/shapes.py) against the ASan build: with the default limits every shape carrying an
# attack gets 403 in block mode and the same shape without it 200; past a limit the answer names
# the limit, and the route's oversize policy decides. Browser-sized benign traffic
# (tests/node/browsing.py) all passes. Also the limits' metrics and the HTTP layer's own edge
# (connection_memory).
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
trap finish EXIT

# run NAME SCRIPT ARGS...: a runner's checks (tests/node/shapes.py run, tests/node/browsing.py)
# become this suite's
run() {
  local name=$1; shift
  local out; out=$(python3 "$@" 2>&1)
  while IFS= read -r line; do
    case "$line" in
      "ok   "*) ok "$name: ${line#ok   }" ;;
      "FAIL "*) bad "$name: ${line#FAIL }" ;;
    esac
  done <<<"$out"
  case "$out" in *" passed, "*" failed"*) ;; *) bad "$name: runner ended early" "${out: -600}" ;; esac
}

PA=$(free_port); AA=$(free_port)
printf 'listen: 127.0.0.1:%s\nadmin_listen: 127.0.0.1:%s\nmode: block\nrules: %s\n' "$PA" "$AA" "$RULES" >"$TMP/default.yaml"
start_node "$TMP/default.yaml" "$TMP/default.log" || exit 1
PB=$(free_port)
cat >"$TMP/block.yaml" <<YAML
listen: 127.0.0.1:$PB
mode: block
rules: $RULES
oversize: analyse_partial
routes:
  - path: /
    oversize: block
YAML
start_node "$TMP/block.yaml" "$TMP/block.log" || exit 1
PC=$(free_port)
printf 'listen: 127.0.0.1:%s\nmode: block\nrules: %s\nlimits: {max_params: 100}\n' "$PC" "$RULES" >"$TMP/small.yaml"
start_node "$TMP/small.yaml" "$TMP/small.log" || exit 1

run "default" tests/node/shapes.py run "$PA" tests/node/shapes-limits.json analyse_partial tests/node/shapes/*.json
run "route oversize: block" tests/node/shapes.py run "$PB" tests/node/shapes-limits.json block tests/node/shapes/*.json
run "max_params: 100" tests/node/shapes.py run "$PC" tests/node/shapes-limits-small.json analyse_partial tests/node/shapes-small/*.json
# browser-sized benign traffic: 300 requests shaped like real browsing, every one 200 pass
run "browsing" tests/node/browsing.py "$PA" 300

# every limit hit is counted by reason (the default node saw each kind above)
for r in request_line header_line headers body decode_depth; do
  n=$(metric "$AA" "edgenode_limits_total{reason=\"$r\"}")
  if [ "${n%.*}" -gt 0 ] 2>/dev/null; then ok "metrics: limit $r counted ($n)"; else bad "metrics: limit $r counted" "got [$n]"; fi
done
n=$(metric "$AA" 'edgenode_attacks_total{class="evasion",application="-1"}')
if [ "${n%.*}" -gt 0 ] 2>/dev/null; then ok "metrics: evasion by size scored as an attack class ($n)"; else bad "metrics: evasion by size" "got [$n]"; fi

# the HTTP layer's own edge: a head past limits.connection_memory (by default 1 MiB more than the
# analysed head: 1024k + 8k + 32k = 1089536 bytes) gets the node's JSON 431
check "a 1 MB header fits connection_memory: a verdict" 200 "$(python3 tests/node/client.py long_header "$PA" 1000000)"
check "a 1.2 MB header does not: 431" 431 "$(python3 tests/node/client.py long_header "$PA" 1200000)"
check "a head of exactly connection_memory bytes: a verdict" "200 verdict" "$(python3 tests/node/client.py head_of "$PA" 1089536)"
check "a POST head of exactly connection_memory bytes, its body and a GET in the read that ends it: both answered" "200 200" \
  "$(python3 tests/node/client.py head_of_then "$PA" 1089536)"
check "one byte more: the node's JSON 431" "431 error" "$(python3 tests/node/client.py head_of "$PA" 1089537)"
check "431s counted" 2 "$(metric "$AA" 'edgenode_http_errors_total{status="431"}')"
raw=$( (exec 3<>"/dev/tcp/127.0.0.1/$PA"; printf 'NOT HTTP AT ALL\r\n\r\n' >&3; timeout 5 head -1 <&3) 2>/dev/null)
contains "not HTTP: a protocol error" "400" "$raw"
check "still serving" 200 "$(status "http://127.0.0.1:$PA/users")"
rcs=""
for p in "${NODE_PIDS[@]}"; do stop_node "$p"; rcs="$rcs$STOP_RC "; done
check "every node exits 0 on SIGTERM (no leak reports)" "0 0 0 " "$rcs"
