#!/usr/bin/env bash
# gatewayscript-strict.sh FILE -- release check "gatewayscript-strict": the GatewayScript in an IBM policy YAML (gatewayscript: source:) parses in strict mode
# Exit 0 when FILE passes; the output says why not.
set -euo pipefail
src=$(python3 - "$1" <<'PY'
import sys, yaml
def find(n):
    if isinstance(n, dict):
        g = n.get("gatewayscript")
        if isinstance(g, dict) and isinstance(g.get("source"), str):
            return g["source"]
        n = list(n.values())
    if isinstance(n, list):
        for v in n:
            s = find(v)
            if s: return s
    return None
s = find(yaml.safe_load(open(sys.argv[1], encoding="utf-8")))
if not s: sys.exit("no gatewayscript source in the policy")
sys.stdout.write(s)
PY
)
(echo "'use strict';"; printf '%s\n' "$src") | node --check -
