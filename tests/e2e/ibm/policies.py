#!/usr/bin/env python3
# policies.py -- reads a generated IBM bundle's two policy YAMLs and prints, as JSON, each policy's
# info, property defaults and types, and GatewayScript source: the values as API Connect will read them.
# Usage: policies.py BUNDLE_DIR
import json, os, sys
import yaml

def policy(bundle, name):
    d = yaml.safe_load(open(os.path.join(bundle, name, name + ".yaml"), encoding="utf-8"))
    steps = d["assembly"]["execute"]
    sources = [s["gatewayscript"]["source"] for s in steps if "gatewayscript" in s]
    return {"policy": d["policy"], "info": d["info"], "gateways": d["gateways"],
            "defaults": {k: v.get("default") for k, v in d["properties"]["properties"].items()},
            "schema": {k: {"type": v.get("type"), "enum": v.get("enum"), "items": v.get("items")}
                       for k, v in d["properties"]["properties"].items()},
            "required": d["properties"].get("required", []), "source": sources[0] if len(sources) == 1 else None,
            "variables": {a["set"]: a["value"] for s in steps if "set-variable" in s for a in s["set-variable"]["actions"]}}

bundle = sys.argv[1]
json.dump({"pre": policy(bundle, "edge-connector-pre"), "post": policy(bundle, "edge-connector-post")}, sys.stdout)
