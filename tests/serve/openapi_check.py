"""openapi_check.py -- checks openapi.json against the running server: every documented operation
is exercised for every documented status and its answer matches the document (status, media type,
JSON schema, headers); every method a documented path does not list gets 405 with the listed
methods in Allow; paths the document does not list get 404."""
import json, os, re
from lib import REPO, request

METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
EP = "http://node.example:5050"
# Documented answers no request from outside can provoke in this test, and why.
EXEMPT = {
    ("/ready", "503"): "only while draining, when the listener no longer accepts connections",
}


def load():
    return json.load(open(os.path.join(REPO, "openapi.json")))


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def validate(doc, schema, v, where="$"):
    """The ways v breaks the (subset of JSON Schema used by openapi.json) schema."""
    s = deref(doc, schema)
    errs = []
    types = {"object": dict, "array": list, "string": str, "boolean": bool}
    t = s.get("type")
    if t == "integer" and not (isinstance(v, int) and not isinstance(v, bool)):
        return [f"{where}: not an integer"]
    if t in types and not isinstance(v, types[t]):
        return [f"{where}: not {t}"]
    if "const" in s and v != s["const"]:
        errs.append(f"{where}: not {s['const']!r}")
    if "enum" in s and v not in s["enum"]:
        errs.append(f"{where}: {v!r} not in {s['enum']}")
    if "pattern" in s and isinstance(v, str) and not re.search(s["pattern"], v):
        errs.append(f"{where}: {v!r} does not match {s['pattern']}")
    if "minimum" in s and isinstance(v, (int, float)) and v < s["minimum"]:
        errs.append(f"{where}: below {s['minimum']}")
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errs.append(f"{where}: missing {k}")
        props = s.get("properties", {})
        for k, x in v.items():
            if k in props:
                errs += validate(doc, props[k], x, f"{where}.{k}")
            elif s.get("additionalProperties") is False:
                errs.append(f"{where}: unexpected {k}")
    if isinstance(v, list):
        if len(v) < s.get("minItems", 0):
            errs.append(f"{where}: fewer than {s['minItems']} items")
        for i, x in enumerate(v):
            if "items" in s:
                errs += validate(doc, s["items"], x, f"{where}[{i}]")
    return errs


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method.upper(), op


def check_answer(doc, R, path, method, status, r):
    """r must be a documented answer of the operation: status, media type, body schema, headers."""
    op = doc["paths"][path][method.lower()]
    spec = op["responses"].get(str(r.status))
    name = f"openapi: {method} {path} -> {status}"
    if not R.check(r.status == status and spec is not None, name + " (documented, as expected)", (r.status, r.body[:300])):
        return False
    spec = deref(doc, spec)
    problems = []
    content = spec.get("content")
    ctype = (r.h("content-type") or "").split(";")[0].strip()
    if content:
        if ctype not in content:
            problems.append(f"content type {ctype!r} not in {list(content)}")
        elif method != "HEAD" and ctype == "application/json":
            problems += validate(doc, content[ctype]["schema"], json.loads(r.body))
    elif r.body:
        problems.append("a body where none is documented")
    for h, hs in spec.get("headers", {}).items():
        v = r.h(h)
        if v is None:
            problems.append(f"header {h} missing")
        elif "pattern" in hs.get("schema", {}) and not re.search(hs["schema"]["pattern"], v):
            problems.append(f"header {h}: {v!r} does not match")
        elif "const" in hs.get("schema", {}) and v != hs["schema"]["const"]:
            problems.append(f"header {h}: {v!r}")
    return R.check(not problems, name + " matches its documented content and headers", problems)


def cases(doc, auth):
    """(path, method, status, request path, headers, body) for every answer we can provoke."""
    logs = sorted(f[:-5] for f in os.listdir(os.path.join(REPO, "changelog"))) if os.path.isdir(os.path.join(REPO, "changelog")) else []
    logged = logs[0] if logs else "cloudflare"
    q = f"?endpoint={EP}"
    good_body = json.dumps({"platform": "cloudflare", "parameters": {"endpoint": [EP]}}).encode()
    js = {"Content-Type": "application/json"}
    out = []
    for method in ("GET", "HEAD"):
        for path, real in (("/v1/platforms", "/v1/platforms"), ("/v1/platforms/{id}", "/v1/platforms/cloudflare"),
                           ("/v1/platforms/{id}/changelog", f"/v1/platforms/{logged}/changelog"),
                           ("/v1/bundles/{id}", "/v1/bundles/cloudflare" + q)):
            out.append((path, method, 200, real, auth, None))
            out.append((path, method, 304, real, dict(auth, **{"If-None-Match": "*"}), None))
            out.append((path, method, 401, real, {}, None))
            if "{id}" in path:
                out.append((path, method, 404, real.replace("cloudflare", "nope").replace(logged, "nope"), auth, None))
        out.append(("/v1/platforms/{id}/changelog", method, 200, f"/v1/platforms/{logged}/changelog",
                    dict(auth, Accept="text/markdown"), None))
        out.append(("/v1/bundles/{id}", method, 400, "/v1/bundles/cloudflare?retries=9", auth, None))
        out.append(("/v1/bundles/{id}", method, 200, "/v1/bundles/fastly" + q, auth, None))
        for path in ("/openapi.json", "/live", "/ready", "/metrics"):
            out.append((path, method, 200, path, {}, None))
        out.append(("/openapi.json", method, 304, "/openapi.json", {"If-None-Match": "*"}, None))
        for path, real in (("/", "/"), ("/console/{id}", "/console/console.js")):
            out.append((path, method, 200, real, {}, None))
            out.append((path, method, 304, real, {"If-None-Match": "*"}, None))
        out.append(("/console/{id}", method, 404, "/console/nope.js", {}, None))
        out.append(("/download", method, 303, f"/download?platform=cloudflare&endpoint={EP}", {}, None))
        out.append(("/download", method, 400, "/download?platform=nope", {}, None))
    post = ("/v1/bundles", "POST")
    out += [post + (200, "/v1/bundles", dict(auth, **js), good_body),
            post + (304, "/v1/bundles", dict(auth, **js, **{"If-None-Match": "*"}), good_body),
            post + (400, "/v1/bundles", dict(auth, **js), b'{"platform": 1}'),
            post + (401, "/v1/bundles", js, good_body),
            post + (404, "/v1/bundles", dict(auth, **js), b'{"platform": "nope"}'),
            post + (413, "/v1/bundles", dict(auth, **js), b" " * 9000),
            post + (415, "/v1/bundles", dict(auth, **{"Content-Type": "text/plain"}), good_body)]
    return out


def overloaded(port, R):
    """On a server whose in-flight slots are all taken: every operation documenting 503 answers it."""
    doc = load()
    seen = set()
    for path, method, op in operations(doc):
        if "503" not in op["responses"] or path == "/ready":
            continue
        real = path.replace("{id}", "cloudflare")
        r = request(port, method, real, {"Content-Type": "application/json"}, b"{}" if method == "POST" else None)
        if check_answer(doc, R, path, method, 503, r):
            seen.add((path, method, "503"))
    return seen


def run(port, auth, R, seen_before):
    doc = load()
    seen = set(seen_before)
    for path, method, status, real, headers, body in cases(doc, auth):
        r = request(port, method, real, headers, body)
        if check_answer(doc, R, path, method, status, r):
            seen.add((path, method, str(status)))
    return seen


def broken(port, R):
    """On a server with a platform zz-broken whose template names a missing value: 500s."""
    doc = load()
    seen = set()
    for path, method, real, body in (("/v1/bundles/{id}", "GET", "/v1/bundles/zz-broken?endpoint=" + EP, None),
                                     ("/v1/bundles/{id}", "HEAD", "/v1/bundles/zz-broken?endpoint=" + EP, None),
                                     ("/v1/bundles", "POST", "/v1/bundles",
                                      json.dumps({"platform": "zz-broken", "parameters": {"endpoint": EP}}).encode())):
        r = request(port, method, real, {"Content-Type": "application/json"}, body)
        if check_answer(doc, R, path, method, 500, r):
            seen.add((path, method, "500"))
    return seen


def no_document(port, R):
    """On a server whose data folder has no openapi.json (and no console): 404 there."""
    doc = load()
    return {(p, m, "404") for p in ("/openapi.json", "/") for m in ("GET", "HEAD")
            if check_answer(doc, R, p, m, 404, request(port, m, p))}


def coverage(R, seen):
    doc = load()
    missing = [f"{m} {p} {s}" for p, m, op in operations(doc) for s in op["responses"]
               if (p, m, s) not in seen and (p, s) not in EXEMPT]
    R.check(not missing, "openapi: every documented answer was produced by the server", missing)


def undocumented(port, auth, R):
    doc = load()
    # every route the server answers is documented: other methods 405, other paths 404
    for path, item in doc["paths"].items():
        real = path.replace("{id}", "cloudflare")
        listed = {m.upper() for m in item}
        allow = ", ".join(m for m in METHODS if m in listed)
        for m in METHODS:
            if m in listed:
                continue
            r = request(port, m, real, auth)
            R.check(r.status == 405 and r.h("allow") == allow, f"openapi: undocumented {m} {path} -> 405 Allow: {allow}",
                    (r.status, r.h("allow")))
    for p in ("/v1", "/v1/", "/v1/bundle", "/v1/platforms/cloudflare/versions", "/v1/bundles/cloudflare/latest",
              "/openapi.yaml", "/health", "/metrics/", "/v1/changelog", "/admin"):
        for m in ("GET", "POST"):
            r = request(port, m, p, auth)
            R.check(r.status == 404, f"openapi: undocumented path {m} {p} -> 404", r.status)
