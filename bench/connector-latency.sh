#!/usr/bin/env bash
# connector-latency.sh -- the latency a connector adds to an API call: workerd running the Cloudflare
# bundle (inline mode) against edgenode (block mode, shipped rules) and an origin (nginx), against
# workerd calling the same origin directly, with wrk at 1 and 16 connections (GET, then 1 KB POST).
# Servers run on the first half of the cores (BENCH_CORES), wrk on the rest; on one core they share it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/bench.sh
DUR=${BENCH_DURATION:-10}; CONN_LIST=${BENCH_CONNECTIONS:-1 16}
BG=build/bundlegen; NODE=build/edgenode
WORKERD=node_modules/@cloudflare/workerd-linux-64/bin/workerd
for need in wrk "$BG" "$NODE" "$WORKERD"; do
  command -v "$need" >/dev/null || [ -x "$need" ] || { echo "connector-latency: $need missing"; exit 0; }
done
bench_tmp connector-bench
bench_pin

# The origin: nginx answering every request with a short body.
OP=$(bench_port)
bench_nginx "$TMP/nginx" "$OP" "  client_max_body_size 1m;
  server { listen 127.0.0.1:$OP; location / { return 200 \"origin\\n\"; } }" ||
  { echo "connector-latency: nginx missing or did not start"; exit 0; }

# The node, block mode with the shipped rules and a token.
TOKEN=bench-token-0123456789abcdef
NP=$(bench_port)
printf 'listen: 127.0.0.1:%s\nmode: block\nthreads: %s\nrules: %s/node/rules.yaml\ntokens: ["%s"]\n' \
  "$NP" "$CORES" "$PWD" "$TOKEN" >"$TMP/node.yaml"
"${SRV[@]}" "$NODE" --config "$TMP/node.yaml" 2>"$TMP/node.log" &
PIDS+=($!)
bench_wait_port "$NP" || { echo "connector-latency: edgenode did not start"; cat "$TMP/node.log"; exit 1; }

# workerd config for one ES module worker on a port, reaching loopback through its global outbound:
# capnp PORT DIR MAIN [BINDINGS]; MAIN first, then the other modules of DIR under their names (the
# Cloudflare bundle's config.js), as wrangler uploads them. BINDINGS is workerd's bindings list.
capnp() {
  local mods="(name = \"$3\", esModule = embed \"$3\")" f
  for f in "$2"/*.js; do
    f=$(basename "$f"); [ "$f" = "$3" ] || mods+=", (name = \"$f\", esModule = embed \"$f\")"
  done
  cat <<CAPNP
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "net", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:$1", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [ $mods ],
  bindings = [ ${4:-} ],
  compatibilityDate = "2024-09-23", globalOutbound = "net",
);
CAPNP
}

# The connector: the Cloudflare bundle as bundlegen generates it.
mkdir -p "$TMP/connector" "$TMP/direct"
"$BG" generate cloudflare --endpoint "http://127.0.0.1:$NP" --set "token=$TOKEN" --out "$TMP/cf.zip" >/dev/null
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$TMP/cf.zip" "$TMP/connector"
# Its token is a Worker secret: the bundle's secrets.json, bound as wrangler secret bulk would.
secrets=$(python3 -c 'import json, sys; print(", ".join("(name = %s, text = %s)" % (json.dumps(k), json.dumps(v))
  for k, v in json.load(open(sys.argv[1])).items()))' "$TMP/connector/secrets.json")
CP=$(bench_port); capnp "$CP" "$TMP/connector" worker.js "$secrets" >"$TMP/connector/config.capnp"
# The peer: a worker that only passes the request on to the origin.
printf 'export default { async fetch(request) { return fetch(request); } };\n' >"$TMP/direct/worker.js"
DP=$(bench_port); capnp "$DP" "$TMP/direct" worker.js >"$TMP/direct/config.capnp"
for d in connector direct; do
  (cd "$TMP/$d" && exec "${SRV[@]}" "$OLDPWD/$WORKERD" serve config.capnp >"$TMP/$d.log" 2>&1) &
  PIDS+=($!)
done
bench_wait_port "$CP" && bench_wait_port "$DP" || { echo "connector-latency: workerd did not start"; cat "$TMP"/*.log; exit 1; }

# Both must reach the origin before their latency means anything.
for p in "$CP" "$DP"; do
  body=$(curl -s -H "Host: 127.0.0.1:$OP" "http://127.0.0.1:$p/api/orders?page=2") || true
  [ "$body" = "origin" ] || { echo "connector-latency: port $p did not reach the origin ($body)"; cat "$TMP"/*.log; exit 1; }
done

# ... and the connector must ask the node: an attack gets the node's 403.
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: 127.0.0.1:$OP" "http://127.0.0.1:$CP/search?id=1%27%20OR%20%271%27%3D%271")
[ "$code" = 403 ] || { echo "connector-latency: the connector did not block an attack (HTTP $code): is the node in the path?"; exit 1; }

cat >"$TMP/post.lua" <<'LUA'
local body = '{"user":{"id":4711,"name":"Alice Example"},"note":"' .. string.rep("lorem ipsum ", 80) .. '"}'
wrk.method = "POST"; wrk.body = body; wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests) io.write(string.format("p99.9_us %d\n", latency:percentile(99.9))) end
LUA
cat >"$TMP/get.lua" <<'LUA'
done = function(summary, latency, requests) io.write(string.format("p99.9_us %d\n", latency:percentile(99.9))) end
LUA

# run PORT CONNS SCRIPT: sets RES to "rps p50_ms p99_ms p999_ms"
run() {
  local out
  out=$(bench_wrk "$2" "http://127.0.0.1:$1/api/orders?page=2" "$3" -H "Host: 127.0.0.1:$OP")
  if echo "$out" | grep -q "Non-2xx"; then echo "connector-latency: non-2xx answers from port $1"; echo "$out"; exit 1; fi
  RES=$(bench_wrk_summary "$out")
}

echo "== connector latency: workerd + Cloudflare bundle + edgenode (block, shipped rules) vs workerd calling the origin directly; ${DUR}s per run; $PLACEMENT"
for kind in get post; do
  for c in $CONN_LIST; do
    run "$DP" "$c" "$TMP/$kind.lua"; read -r d_rps d50 d99 d999 <<<"$RES"
    run "$CP" "$c" "$TMP/$kind.lua"; read -r c_rps c50 c99 c999 <<<"$RES"
    awk -v k="$kind" -v c="$c" -v dr="$d_rps" -v cr="$c_rps" -v d50="$d50" -v c50="$c50" -v d99="$d99" -v c99="$c99" \
        -v d999="$d999" -v c999="$c999" 'BEGIN {
      printf "  %-4s %3s conns  direct %8.0f req/s p50 %7.3f p99 %7.3f p99.9 %7.3f ms | connector %8.0f req/s p50 %7.3f p99 %7.3f p99.9 %7.3f ms\n", k, c, dr, d50, d99, d999, cr, c50, c99, c999
      printf "                 added by the connector: p50 %+.3f ms, p99 %+.3f ms; req/s %.2f of direct\n", c50 - d50, c99 - d99, (dr > 0 ? cr / dr : 0)
    }'
  done
done
echo "  load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine lowers the rates)"
