#!/usr/bin/env bash
# wrangler-deploy.sh FILE -- release check "wrangler-deploy": FILE is a Worker's wrangler.toml; Cloudflare's own
# CLI (pinned wrangler) bundles it as `wrangler deploy --dry-run` would upload it, offline and without an account.
# Exit 0 when FILE passes; the output says why not. Beyond wrangler's own verdict it checks what would be uploaded:
# one module built from `main` and the bundle's own modules it imports (none from elsewhere), and bindings that
# are exactly the [vars] plus the keys of secrets.json.
set -euo pipefail
. "$(dirname "$0")/lib/incopy.sh"
# No telemetry, no prompts, no colours; wrangler keeps its config and logs below HOME.
export HOME=$work WRANGLER_SEND_METRICS=false CI=true NO_COLOR=1 FORCE_COLOR=0
secrets=()
[ -f secrets.json ] && secrets=(--secrets-file secrets.json)
# Without a network where the kernel lets us make one: a check that needs Cloudflare fails here.
offline=()
unshare -n true 2>/dev/null && offline=(unshare -n)
rc=0
timeout 120 "${offline[@]}" "$repo/node_modules/.bin/wrangler" deploy --dry-run --x-autoconfig=false \
  --config "$(basename "$1")" --outdir "$work/out" --metafile "$work/out/meta.json" "${secrets[@]}" \
  >"$work/log" 2>&1 || rc=$?
cat "$work/log"
[ "$rc" -eq 0 ] || { echo "wrangler deploy --dry-run exited $rc"; exit 1; }
python3 - "$(basename "$1")" "$work/out" "$work/log" <<'PY'
import json, os, re, sys, tomllib
conf, out, log = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
t = tomllib.load(open(conf, "rb"))
main = t.get("main")
if not isinstance(main, str):
    sys.exit(f"{conf}: main: missing")
if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(t.get("compatibility_date", ""))):
    sys.exit(f"{conf}: compatibility_date: missing or not YYYY-MM-DD")
meta = json.load(open(os.path.join(out, "meta.json")))
built = {k: v for k, v in meta["outputs"].items() if v.get("entryPoint")}
if [v["entryPoint"] for v in built.values()] != [main]:
    sys.exit(f"upload: expected one module built from {main}, got {sorted(built)}")
(path, mod), = built.items()
inputs = sorted(mod["inputs"])
outside = [i for i in inputs if os.path.normpath(i) != i or i.startswith("..") or not os.path.isfile(i)]
if main not in inputs or outside:
    sys.exit(f"upload: {main} pulls in files that are not the bundle's: {outside or inputs}")
if not os.path.isfile(os.path.join(out, os.path.basename(path))):
    sys.exit(f"upload: {path} was not written")
want = {f"env.{k}" for k in t.get("vars", {})}
if os.path.exists("secrets.json"):
    want |= {f"env.{k}" for k in json.load(open("secrets.json"))}
got = set(re.findall(r"^(env\.[A-Za-z0-9_]+) \(", log, re.M))
if got != want:
    sys.exit(f"bindings: wrangler lists {sorted(got)}, wrangler.toml and secrets.json declare {sorted(want)}")
for k, v in t.get("vars", {}).items():
    if isinstance(v, str) and f'env.{k} ("{v}")' not in log:
        sys.exit(f"bindings: vars.{k}: wrangler does not show the value {v!r}")
more = "".join(f" + {i}" for i in inputs if i != main)
print(f"wrangler deploy --dry-run OK: {main}{more}, compatibility_date {t['compatibility_date']}, bindings {sorted(got)}")
PY
