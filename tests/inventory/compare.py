#!/usr/bin/env python3
"""compare.py -- checks an OpenAPI document exported by edgenode against tests/inventory/expected.json.
expected: {path: {method: {"params": [[name, in, type, format, required]], "body": [[name, type, format,
required]], "sensitive": [kinds]}}}; prints each difference and exits 1 when there is any.
Usage: compare.py OPENAPI.json EXPECTED.json"""
import json
import sys


def shape(doc):
    out = {}
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            params = sorted([p["name"], p["in"], p["schema"].get("type"), p["schema"].get("format"), p["required"]]
                            for p in op.get("parameters", []))
            body = []
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema:
                req = set(schema.get("required", []))
                body = sorted([n, s.get("type"), s.get("format"), n in req] for n, s in schema["properties"].items())
            got = {"params": params}
            if body:
                got["body"] = body
            got["sensitive"] = sorted(op.get("x-edgenode-sensitive", []))
            out.setdefault(path, {})[method] = got
    return out


def main():
    got = shape(json.load(open(sys.argv[1])))
    want = json.load(open(sys.argv[2]))
    for ops in want.values():
        for op in ops.values():
            op["params"] = sorted(op["params"])
            if "body" in op:
                op["body"] = sorted(op["body"])
            op["sensitive"] = sorted(op.get("sensitive", []))
    bad = 0
    for path in sorted(set(got) | set(want)):
        for method in sorted(set(got.get(path, {})) | set(want.get(path, {}))):
            g, w = got.get(path, {}).get(method), want.get(path, {}).get(method)
            if g != w:
                print(f"{method.upper()} {path}:\n  expected {json.dumps(w)}\n  got      {json.dumps(g)}")
                bad += 1
    print(f"{bad} difference(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
