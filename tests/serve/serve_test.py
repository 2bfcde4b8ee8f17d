#!/usr/bin/env python3
"""serve_test.py -- bundlegen serve end to end under ASan+UBSan with a real HTTP client: every route
and error, ETag/304, HEAD, bytes equal to `generate`, 100 parallel downloads, auth, overload, slow
clients, the access log and metrics without secrets, reload (good and bad), drain on SIGTERM."""
import concurrent.futures, hashlib, io, json, os, shutil, signal, subprocess, sys, tarfile, tempfile, time, traceback, zipfile
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(__file__))
from lib import BG, REPO, Results, Server, raw_socket, read_response, request, metrics
import openapi_check
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "node"))
import shapes

R = Results()
W = tempfile.mkdtemp(prefix="serve-test.")
TOKEN = "test-bearer-token-0123456789"
AUTH = {"Authorization": "Bearer " + TOKEN}
EP = "http://node.example:5050"
CONN_TOKEN = "connector-secret-abcdefghijklmnop"   # a valid `token` parameter; must never be logged


def cli(*args):
    return subprocess.run([BG] + list(args), cwd=REPO, capture_output=True)


def get(port, path, headers=None, auth=True):
    h = dict(AUTH) if auth else {}
    h.update(headers or {})
    return request(port, "GET", path, h)


def post(port, body, ctype="application/json", headers=None):
    h = dict(AUTH)
    if ctype:
        h["Content-Type"] = ctype
    h.update(headers or {})
    return request(port, "POST", "/v1/bundles", h, body if isinstance(body, bytes) else json.dumps(body).encode())


def is_json_error(r, status):
    try:
        j = r.json()
    except ValueError:
        return False
    return r.status == status and r.h("content-type") == "application/json" and j.get("status") == status \
        and isinstance(j.get("error"), str) and j["error"]


def bundle_path(pid, **params):
    q = "&".join(f"{k}={quote(str(v), safe='')}" for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs]))
    return f"/v1/bundles/{pid}?{q}"


def test_cli_errors():
    r = cli("serve")
    R.check(r.returncode == 2 and b"--listen ADDR is required" in r.stderr, "serve without --listen: exit 2, says why", r.stderr)
    r = cli("serve", "--listen", "nowhere")
    R.check(r.returncode == 1 and b'--listen "nowhere": expected' in r.stderr, "bad --listen: exit 1, names the field", r.stderr)
    r = cli("serve", "--listen", "127.0.0.1:0", "--cache-mb", "lots")
    R.check(r.returncode == 2 and b'--cache-mb "lots": expected an integer' in r.stderr, "bad --cache-mb: exit 2", r.stderr)
    r = cli("serve", "--listen", "127.0.0.1:0", "--timeout", "30")
    R.check(r.returncode == 2 and b'--timeout "30": a duration needs its unit' in r.stderr,
            "bare --timeout (once seconds): exit 2, asks for the unit", r.stderr)
    r = cli("serve", "--listen", "127.0.0.1:0", "--drain-timeout=2h")
    R.check(r.returncode == 2 and b'--drain-timeout "2h": expected a duration from 0s to 3600s' in r.stderr,
            "--drain-timeout above 1h: exit 2", r.stderr)
    r = cli("serve", "--listen", "127.0.0.1:0", "--token-file", os.path.join(W, "missing"))
    R.check(r.returncode == 1 and b"--token-file" in r.stderr and b"No such file" in r.stderr, "missing token file: exit 1", r.stderr)
    short = os.path.join(W, "short-token")
    open(short, "w").write("# comment\nshort\n")
    r = cli("serve", "--listen", "127.0.0.1:0", "--token-file", short)
    R.check(r.returncode == 1 and b"short-token:2: a token has at least 16 characters" in r.stderr, "short token: file:line and why", r.stderr)
    r = cli("serve", "--listen", "127.0.0.1:0", "--packs", os.path.join(W, "nope"))
    R.check(r.returncode == 2 and b"--packs" in r.stderr, "missing --packs folder: exit 2", r.stderr)
    r = cli("serve", "--help")
    R.check(r.returncode == 0 and b"usage: bundlegen serve --listen ADDR" in r.stdout, "serve --help")


def test_health(port, nplat):
    r = request(port, "GET", "/live")
    R.check(r.status == 200 and r.json() == {"status": "live"}, "/live 200", r.body)
    r = request(port, "HEAD", "/live")
    R.check(r.status == 200 and r.body == b"" and r.h("content-length") == "17", "HEAD /live: headers, no body", r.headers)
    r = request(port, "GET", "/ready")
    R.check(r.status == 200 and r.json() == {"status": "ready", "platforms": nplat}, "/ready 200 with the platform count", r.body)
    r = request(port, "GET", "/openapi.json")
    R.check(r.status == 200 and r.json() == json.load(open(os.path.join(REPO, "openapi.json"))), "/openapi.json is the repo's document")


def test_auth(port):
    R.check(is_json_error(get(port, "/v1/platforms", auth=False), 401), "no Authorization: 401 JSON")
    r = get(port, "/v1/platforms", auth=False)
    R.check(r.h("www-authenticate") == 'Bearer realm="bundlegen"', "401 carries WWW-Authenticate: Bearer", r.headers)
    R.check(get(port, "/v1/platforms", {"Authorization": "Bearer " + TOKEN[:-1] + "X"}, auth=False).status == 401, "wrong token: 401")
    R.check(get(port, "/v1/platforms", {"Authorization": "Basic " + TOKEN}, auth=False).status == 401, "Basic scheme: 401")
    R.check(get(port, "/v1/platforms", {"Authorization": "Bearer " + TOKEN + " x"}, auth=False).status == 401, "token with trailing junk: 401")
    R.check(get(port, "/v1/platforms", {"Authorization": "bearer  " + TOKEN}, auth=False).status == 200, "scheme is case-insensitive")
    R.check(get(port, "/v1/platforms", {"Authorization": "Bearer second-token-abcdefghijkl"}, auth=False).status == 200, "second token of the file accepted")
    R.check(request(port, "GET", "/metrics").status == 200, "/metrics needs no token")


def test_platforms(port):
    r = get(port, "/v1/platforms")
    ids = [p["id"] for p in json.loads(cli("platforms", "--json").stdout)]
    body = r.json()
    R.check(r.status == 200 and [p["id"] for p in body["platforms"]] == ids, "/v1/platforms lists every platform, sorted", [p["id"] for p in body["platforms"]])
    R.check(all(p["parameters"] and p["versions"] and p["latest"] == p["versions"][0]["version"] for p in body["platforms"]),
            "each platform has parameters, versions and latest")
    etag = r.h("etag")
    R.check(etag == '"%s"' % hashlib.sha256(r.body).hexdigest(), "/v1/platforms ETag is the body's SHA-256", etag)
    r2 = get(port, "/v1/platforms", {"If-None-Match": etag})
    R.check(r2.status == 304 and r2.body == b"" and r2.h("etag") == etag, "If-None-Match on /v1/platforms: 304")
    r = get(port, "/v1/platforms/cloudflare")
    desc = json.loads(cli("describe", "cloudflare", "--json").stdout)
    j = r.json()
    R.check(r.status == 200 and all(j[k] == desc[k] for k in desc), "/v1/platforms/cloudflare carries describe --json", set(desc) ^ set(j))
    R.check(j["latest"] == desc["version"] and j["versions"][0]["version"] == desc["version"], "platform lists its versions")
    r = get(port, "/v1/platforms/nope")
    R.check(is_json_error(r, 404) and 'unknown platform "nope" (known: akamai' in r.json()["error"], "unknown platform: 404 listing the known", r.body)


def test_changelog(port):
    with_log = [p[:-5] for p in sorted(os.listdir(os.path.join(REPO, "changelog"))) if p.endswith(".yaml")] \
        if os.path.isdir(os.path.join(REPO, "changelog")) else []
    plats = [p["id"] for p in json.loads(cli("platforms", "--json").stdout)]
    if with_log:
        pid = with_log[0]
        r = get(port, f"/v1/platforms/{pid}/changelog")
        feed = json.loads(cli("changelog", "render", "--format", "json", "--platform", pid).stdout or b"null")
        R.check(r.status == 200 and r.h("content-type") == "application/json" and r.json() == feed,
                f"changelog of {pid} as JSON equals changelog render --format json", r.body[:300])
        R.check(r.h("vary") == "Accept", "changelog varies by Accept")
        r = get(port, f"/v1/platforms/{pid}/changelog", {"Accept": "text/markdown"})
        md = cli("changelog", "render", "--format", "md", "--platform", pid).stdout
        R.check(r.status == 200 and r.h("content-type").startswith("text/markdown") and r.body == md,
                "changelog as Markdown for Accept: text/markdown", r.body[:300])
        r = get(port, f"/v1/platforms/{pid}/changelog", {"Accept": "text/markdown;q=0.5, application/json"})
        R.check(r.h("content-type") == "application/json", "Accept preferring JSON by q gets JSON")
        r2 = get(port, f"/v1/platforms/{pid}/changelog", {"Accept": "text/markdown", "If-None-Match": r.h("etag")})
        R.check(r2.status == 200, "an ETag of the JSON form does not match the Markdown form")
    without = [p for p in plats if p not in with_log]
    if without:
        r = get(port, f"/v1/platforms/{without[0]}/changelog")
        R.check(is_json_error(r, 404) and "has no changelog" in r.json()["error"], "platform without changelog: 404", r.body)
    R.check(is_json_error(get(port, "/v1/platforms/nope/changelog"), 404), "changelog of an unknown platform: 404")


def test_bundles(port):
    gen = cli("generate", "cloudflare", "--endpoint", EP, "--out", "-").stdout
    r = get(port, bundle_path("cloudflare", endpoint=EP))
    R.check(r.status == 200 and r.h("content-type") == "application/zip", "GET bundle: 200 application/zip", r.headers)
    R.check(r.body == gen, "served bundle is byte-identical to bundlegen generate")
    R.check(r.h("content-disposition") == 'attachment; filename="cloudflare-connector-%s.zip"' %
            json.loads(cli("describe", "cloudflare", "--json").stdout)["version"], "Content-Disposition carries the manifest's file name", r.headers)
    etag = '"%s"' % hashlib.sha256(r.body).hexdigest()
    R.check(r.h("etag") == etag, "bundle ETag is the SHA-256 of the bytes", r.h("etag"))
    names = zipfile.ZipFile(io.BytesIO(r.body)).namelist()
    R.check("worker.js" in names and "config.js" in names, "the zip holds the worker and its settings", names)
    r2 = get(port, bundle_path("cloudflare", endpoint=EP))
    R.check(r2.body == r.body and r2.h("etag") == etag, "second request: same bytes (from the cache)")
    for inm, want in ((etag, 304), ("W/" + etag, 304), ('"abc", ' + etag, 304), ("*", 304), ('"abc"', 200)):
        r3 = get(port, bundle_path("cloudflare", endpoint=EP), {"If-None-Match": inm})
        R.check(r3.status == want and (want == 200 or (r3.body == b"" and r3.h("etag") == etag)),
                f"If-None-Match {inm[:12]}...: {want}", r3.status)
    h = request(port, "HEAD", bundle_path("cloudflare", endpoint=EP), AUTH)
    R.check(h.status == 200 and h.body == b"" and h.h("content-length") == str(len(r.body)) and h.h("etag") == etag,
            "HEAD bundle: the GET's headers, no body", h.headers)
    # canonical parameters: defaults spelled out, list forms, order, POST: all the same bytes
    same = [bundle_path("cloudflare", endpoint=EP, retries=0, mode="inline"),
            f"/v1/bundles/cloudflare?mode=inline&endpoint={quote(EP, safe='')}",
            f"/v1/bundles/cloudflare?endpoint={quote(EP, safe='')}&version=latest",
            f"/v1/bundles/cloudflare?endpoint={EP}&request_timeout=1s"]
    for p in same:
        R.check(get(port, p).h("etag") == etag, f"equivalent request gets the same ETag: {p[20:70]}")
    r4 = post(port, {"platform": "cloudflare", "parameters": {"endpoint": [EP], "retries": 0}})
    R.check(r4.status == 200 and r4.body == r.body, "POST with the same parameters: same bytes", r4.body[:200])
    two = get(port, bundle_path("cloudflare", endpoint=[EP, "https://b.example"]))
    comma = get(port, bundle_path("cloudflare", endpoint=EP + ",https://b.example"))
    R.check(two.status == 200 and two.body == comma.body and two.body != r.body, "repeated endpoint = comma list, and differs from one endpoint")
    z1, z2 = zipfile.ZipFile(io.BytesIO(r.body)), zipfile.ZipFile(io.BytesIO(two.body))
    R.check(b"b.example" in z2.read("config.js"), "second endpoint is in the settings")
    R.check(z2.read("worker.js") == z1.read("worker.js") and z2.getinfo("worker.js").compress_size == z1.getinfo("worker.js").compress_size,
            "the worker is the same file whatever the endpoints")
    # a tar.gz platform
    r5 = get(port, bundle_path("fastly", endpoint=EP))
    ok = r5.status == 200 and r5.h("content-type") == "application/gzip" and r5.h("content-disposition", ).endswith('.tar.gz"')
    R.check(ok, "tar.gz platform: application/gzip and a .tar.gz name", r5.headers)
    R.check(len(tarfile.open(fileobj=io.BytesIO(r5.body)).getnames()) > 0, "the tar.gz opens")
    R.check(r5.body == cli("generate", "fastly", "--endpoint", EP, "--out", "-").stdout, "tar.gz identical to generate")
    # versions
    cur = get(port, "/v1/platforms/cloudflare").json()["latest"]
    R.check(get(port, bundle_path("cloudflare", endpoint=EP, version=cur)).h("etag") == etag, "explicit current version: same bundle")
    for plat in get(port, "/v1/platforms").json()["platforms"]:
        if len(plat["versions"]) < 2:
            continue
        old = plat["versions"][-1]["version"]
        ro = get(port, bundle_path(plat["id"], endpoint=EP, version=old))
        want = cli("generate", plat["id"], "--endpoint", EP, "--version", old, "--out", "-").stdout
        R.check(ro.status == 200 and ro.body == want and old in ro.h("content-disposition"),
                f"older version {plat['id']} {old} (from its template pack) equals generate --version", ro.body[:200])
    r6 = get(port, bundle_path("cloudflare", endpoint=EP, version="0.0.1"))
    R.check(is_json_error(r6, 404) and 'unknown version "0.0.1" of cloudflare (known: ' in r6.json()["error"], "unknown version: 404 listing the known", r6.body)
    R.check(is_json_error(get(port, bundle_path("nope", endpoint=EP)), 404), "unknown platform: 404")
    # the token parameter works and is a secret
    r7 = get(port, bundle_path("cloudflare", endpoint=EP, token=CONN_TOKEN))
    z7 = zipfile.ZipFile(io.BytesIO(r7.body)) if r7.status == 200 else None
    R.check(z7 is not None and CONN_TOKEN.encode() in z7.read("secrets.json") and CONN_TOKEN.encode() not in z7.read("worker.js") and CONN_TOKEN.encode() not in z7.read("config.js"),
            "token parameter goes to the Worker secrets file, not the code")
    r8 = get(port, f"/v1/bundles/cloudflare?endpoint={EP}&to%6Ben={CONN_TOKEN}")
    R.check(r8.status == 200 and r8.body == r7.body, "a percent-encoded parameter name is decoded")


def test_bad_requests(port):
    r = get(port, f"/v1/bundles/cloudflare?endpoint=ftp://x&retries=9&colour=red&token=short&mode=sideways")
    j = r.json() if r.status == 400 else {}
    params = sorted(e["parameter"] for e in j.get("errors", []))
    R.check(is_json_error(r, 400) and params == ["colour", "endpoint", "mode", "retries", "token"], "400 lists every bad field", r.body)
    R.check(b"short" not in r.body, "400 never echoes the secret token", r.body)
    R.check(all(e["message"] for e in j.get("errors", [])) and "expected" in json.dumps(j), "each error says what was expected")
    r = get(port, "/v1/bundles/cloudflare")
    R.check(is_json_error(r, 400) and r.json()["errors"][0]["parameter"] == "endpoint", "missing endpoint: 400 on endpoint", r.body)
    r = get(port, "/v1/bundles/cloudflare?endpoint=%zz&retries=%00")
    j = r.json()
    R.check(is_json_error(r, 400) and {e["parameter"] for e in j["errors"]} == {"endpoint", "retries"} and
            "percent-encoding" in r.body.decode() and "NUL" in r.body.decode(), "bad percent-encoding and %00: 400", r.body)
    r = get(port, f"/v1/bundles/cloudflare?retries=&endpoint={EP}")
    R.check(is_json_error(r, 400) and r.json()["errors"][0]["message"].startswith('retries: "":'), "an empty first value is empty", r.body)
    r = get(port, f"/v1/bundles/cloudflare?endpoint={EP}&version=1&version=2")
    R.check(is_json_error(r, 400) and r.json()["errors"][0]["parameter"] == "version", "version twice: 400")
    r = get(port, f"/v1/bundles/cloudflare?endpoint={EP}&%ff%fe=1")
    R.check(is_json_error(r, 400) and json.loads(r.body.decode("utf-8")), "non-ASCII parameter name: 400 in valid UTF-8 JSON", r.body)
    r = get(port, f"/v1/bundles/cloudflare?endpoint=http://a%ff.example/")
    R.check(r.status == 400 and json.loads(r.body.decode("utf-8")), "invalid UTF-8 value: 400 in valid UTF-8 JSON", r.body)
    # POST bodies
    body = {"platform": "cloudflare", "parameters": {"endpoint": [EP]}}
    R.check(is_json_error(post(port, body, ctype=None), 415), "POST without Content-Type: 415")
    R.check(is_json_error(post(port, body, ctype="text/plain"), 415), "POST text/plain: 415")
    R.check(post(port, body, ctype="application/json; charset=utf-8").status == 200, "application/json with charset: 200")
    r = post(port, b'{"platform": "cloudflare", ')
    R.check(is_json_error(r, 400) and "invalid JSON" in r.json()["errors"][0]["message"], "invalid JSON: 400 with line:column", r.body)
    r = post(port, b'{"platform": "cloudflare", "parameters": {"endpoint": "http://a:1"}} {"x": 1}')
    R.check(is_json_error(r, 400) and "1:70: invalid JSON" in r.json()["errors"][0]["message"], "trailing data after the JSON object: 400", r.body)
    r = post(port, b'{"platform": "cloudflare", "platform": "fastly", "parameters": {"endpoint": "http://a:1"}}')
    R.check(is_json_error(r, 400) and r.json()["errors"][0] == {"parameter": "platform", "message": "given more than once"},
            "a body field given twice: 400", r.body)
    r = post(port, b'[1, 2]')
    R.check(is_json_error(r, 400) and r.json()["errors"][0]["parameter"] == "body", "JSON array body: 400", r.body)
    r = post(port, {"colour": 1, "parameters": []})
    params = sorted(e["parameter"] for e in r.json().get("errors", []))
    R.check(is_json_error(r, 400) and params == ["colour", "parameters", "platform"], "unknown field, wrong type, missing platform: all listed", r.body)
    r = post(port, b'{"platform": "cloudflare", "parameters": {"endpoint": ["http://a\\u0000b"]}}')
    R.check(is_json_error(r, 400) and "NUL" in r.body.decode(), "\\u0000 in a JSON body: 400", r.body)
    r = post(port, {"platform": "cloudflare", "parameters": {"endpoint": [EP], "retries": "lots", "send_request_body": "maybe"}})
    R.check(is_json_error(r, 400) and len(r.json()["errors"]) == 2, "POST parameter errors all listed", r.body)
    R.check(is_json_error(post(port, {"platform": "nope", "parameters": {}}), 404), "POST unknown platform: 404")
    R.check(is_json_error(post(port, {"platform": "cloudflare", "version": "9.9.9", "parameters": {"endpoint": [EP]}}), 404), "POST unknown version: 404")
    R.check(is_json_error(post(port, b"x" * 9000), 413), "POST larger than --max-body (Content-Length): 413")
    s = raw_socket(port, b"POST /v1/bundles HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                   b"Authorization: Bearer " + TOKEN.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(12):
        s.sendall(b"400\r\n" + b" " * 1024 + b"\r\n")
    s.sendall(b"0\r\n\r\n")
    status, _, b = read_response(s)
    s.close()
    R.check(status == 413 and json.loads(b)["status"] == 413, "chunked body over the limit: 413", status)
    # routes and methods
    for m, p, allow in (("PUT", "/v1/platforms", "GET, HEAD"), ("GET", "/v1/bundles", "POST"),
                        ("DELETE", "/v1/bundles/cloudflare", "GET, HEAD"), ("POST", "/live", "GET, HEAD")):
        r = request(port, m, p, AUTH)
        R.check(is_json_error(r, 405) and r.h("allow") == allow, f"{m} {p}: 405 Allow: {allow}", (r.status, r.headers))
    for p in ("/nope", "/v1/platforms/", "/v1/platforms/cloudflare/extra", "/v1/bundles/cloudflare/x", "/v2/platforms"):
        R.check(is_json_error(get(port, p), 404), f"unknown route {p}: 404 JSON")


def test_shapes(port):
    """The node's request shapes (tests/node/shapes/*.json), each with and without its payload: an
    answer in time with a JSON body, 431 past the 32 KiB head limit; then the edges themselves."""
    import glob
    for f in sorted(glob.glob(os.path.join(REPO, "tests", "node", "shapes", "*.json"))):
        case = json.load(open(f))
        for attack in (True, False):
            ok, msg = shapes.check_serve(port, 32768, AUTH, case, attack)
            R.check(ok, f"shape: {case['shape']} [{'payload' if attack else 'plain'}]: {msg}")
    def head(n):                            # a GET whose request line and header lines are n bytes
        line = b"GET /v1/platforms HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + TOKEN.encode() + b"\r\n"
        pad = n - len(line) - len(b"X-Pad: \r\n")
        return line + b"X-Pad: " + b"p" * pad + b"\r\n\r\n"
    for n, want in ((32768, 200), (32769, 431)):
        s = raw_socket(port, head(n))
        status, h, b = read_response(s)
        s.close()
        R.check(status == want and h.get("content-type") == "application/json", f"a head of {n} bytes: {want} with JSON", (status, b[:200]))
    s = raw_socket(port, b"GET /v1/platforms?" + b"&".join(b"p%d=v" % i for i in range(3000)) + b" HTTP/1.1\r\nHost: t\r\n"
                   b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
    status, _, _ = read_response(s)
    s.close()
    R.check(status == 200, "3000 query parameters: answered (they once exhausted the HTTP library's pool: no answer)", status)


def test_parallel(port):
    path = bundle_path("cloudflare", endpoint="https://parallel.example:8443/a")   # uncached: renders race
    with concurrent.futures.ThreadPoolExecutor(100) as ex:
        rs = list(ex.map(lambda _: get(port, path), range(100)))
    R.check(all(r.status == 200 for r in rs), "100 parallel downloads: all 200", [r.status for r in rs if r.status != 200][:5])
    R.check(len({r.body for r in rs}) == 1 and len({r.h("etag") for r in rs}) == 1, "100 parallel downloads: identical bytes and ETags")
    path2 = bundle_path("fastly", endpoint="https://parallel.example:8443/b")
    with concurrent.futures.ThreadPoolExecutor(50) as ex:
        rs = list(ex.map(lambda i: get(port, path2) if i % 2 else
                         post(port, {"platform": "fastly", "parameters": {"endpoint": "https://parallel.example:8443/b"}}), range(50)))
    R.check(all(r.status == 200 for r in rs) and len({r.body for r in rs}) == 1, "GET and POST racing on one bundle: identical bytes")


def test_metrics_and_log(srv, port, secrets):
    m, text = metrics(port)
    R.check(m.get('bundlegen_serve_requests_total{route="/v1/bundles/{id}",status="200"}', 0) >= 100, "metrics count bundle downloads by route and status")
    R.check(m.get('bundlegen_serve_requests_total{route="/v1/bundles",status="415"}', 0) == 2, "metrics count POST 415s", text[:2000])
    R.check(m.get("bundlegen_serve_cache_hits_total", 0) >= 100 and m.get("bundlegen_serve_cache_misses_total", 0) >= 3, "cache hits and misses counted")
    R.check(m.get('bundlegen_serve_render_seconds_bucket{le="+Inf"}') == m.get("bundlegen_serve_render_seconds_count") > 0,
            "render histogram filled")
    R.check(m.get('bundlegen_serve_requests_total{route="unmatched",status="404"}', 0) >= 6, "unmatched routes counted")
    log = open(os.path.join(W, "access.log")).read()
    R.check(all(s not in log and s not in text for s in secrets), "no secret in the access log or the metrics")
    R.check("token=REDACTED" in log and "to%6Ben=REDACTED" in log, "the token parameter is redacted, even percent-encoded")
    lines = log.splitlines()
    R.check(any('"GET /v1/bundles/cloudflare?endpoint=' in l and " 200 " in l and l.endswith(" hit") for l in lines), "log lines show method, path, status and cache hit")
    R.check(any('"POST /v1/bundles" 415 ' in l for l in lines), "log lines for refused requests")
    R.check(all(l.count('"') == 2 for l in lines), "log lines keep the request quoted (no raw quotes from clients)")
    return len(lines)


def test_log_lines(port):
    """Exactly one access-log line per request, whatever its outcome."""
    path = os.path.join(W, "access.log")
    before = -1
    for _ in range(50):                       # earlier requests' lines may still be on their way
        n = len(open(path).read().splitlines())
        if n == before:
            break
        before = n
        time.sleep(0.2)
    etag = get(port, bundle_path("cloudflare", endpoint=EP)).h("etag")
    get(port, bundle_path("cloudflare", endpoint=EP), {"If-None-Match": etag})
    request(port, "HEAD", "/v1/platforms", AUTH)
    get(port, "/v1/platforms", auth=False)
    request(port, "DELETE", "/live")
    get(port, "/nope")
    deadline = time.time() + 10
    while time.time() < deadline and len(open(path).read().splitlines()) < before + 6:
        time.sleep(0.05)
    time.sleep(0.2)
    new = open(path).read().splitlines()[before:]
    statuses = [l.split('" ')[1].split()[0] for l in new]
    R.check(sorted(statuses) == sorted(["200", "304", "200", "401", "405", "404"]),
            "one log line per request (lines of different threads may interleave), each with its status", new)


def test_timeout(port):
    s = raw_socket(port, b"GET /live HTTP/1.1\r\nHost: t\r\n")        # never finishes its headers
    t0 = time.time()
    s.settimeout(15)
    try:
        data = s.recv(100)
    except (TimeoutError, OSError):
        data = None
    R.check(data == b"" and time.time() - t0 < 12, "a stalled client is disconnected after --timeout", data)
    s.close()
    # a body that trickles in (a byte every 0.5 s: never idle) is cut off once the request is --timeout old
    s = raw_socket(port, b"POST /v1/bundles HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
    t0 = time.time()
    closed = False
    while not closed and time.time() - t0 < 15:
        try:
            s.sendall(b" ")
            s.settimeout(0.5)
            closed = s.recv(100) == b""
        except TimeoutError:
            pass
        except OSError:
            closed = True
    R.check(closed and 1.5 < time.time() - t0 < 8, "a trickling body is cut off after --timeout in total", time.time() - t0)
    s.close()


def test_overload():
    env = {"BUNDLEGEN_SERVE_TOKEN": "environment-token-0123456789"}
    srv = Server(W, "overload", ["--max-inflight", "2", "--threads", "2", "--access-log", "off", "--cache-mb", "0"], env)
    p = srv.port
    ok = get(p, "/v1/platforms", {"Authorization": "Bearer environment-token-0123456789"}, auth=False)
    R.check(ok.status == 200, "token from BUNDLEGEN_SERVE_TOKEN accepted")
    R.check(get(p, "/v1/platforms", auth=False).status == 401, "token from the environment required")
    def inflight():
        return metrics(p)[0].get("bundlegen_serve_inflight_requests", 0)
    deadline = time.time() + 10
    while time.time() < deadline and inflight() > 0:     # earlier requests may still be completing
        time.sleep(0.05)
    hold = [raw_socket(p, b"POST /v1/bundles HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            for _ in range(2)]
    while time.time() < deadline and inflight() < 2:
        time.sleep(0.05)
    r = get(p, "/v1/platforms", {"Authorization": "Bearer environment-token-0123456789"}, auth=False)
    R.check(is_json_error(r, 503) and r.h("retry-after") == "1", "over --max-inflight: 503 JSON with Retry-After", (r.status, r.body))
    R.check(request(p, "GET", "/live").status == 200 and request(p, "GET", "/ready").status == 200, "health routes answer while overloaded")
    checked = openapi_check.overloaded(p, R)
    for s in hold:
        s.close()
    deadline = time.time() + 10
    while time.time() < deadline and inflight() > 0:
        time.sleep(0.05)
    envauth = {"Authorization": "Bearer environment-token-0123456789"}
    R.check(get(p, "/v1/platforms", envauth, auth=False).status == 200, "served again once the held requests are gone")
    want = cli("generate", "cloudflare", "--endpoint", EP, "--out", "-").stdout
    a, b = (get(p, bundle_path("cloudflare", endpoint=EP), envauth, auth=False) for _ in range(2))
    m, _ = metrics(p)
    R.check(a.body == want and b.body == want and m.get("bundlegen_serve_cache_hits_total") == 0 and
            m.get("bundlegen_serve_cache_entries") == 0, "--cache-mb 0: nothing cached, the same bytes every time")
    R.check(srv.stop() == 0, "overload server exits 0 (no sanitizer report)", srv.stderr()[-1500:])
    return checked


def test_reload_and_drain():
    root = os.path.join(W, "root")
    os.mkdir(root)
    for d in ("platforms", "templates", "changelog", "packs"):
        if os.path.isdir(os.path.join(REPO, d)):
            shutil.copytree(os.path.join(REPO, d), os.path.join(root, d))
    os.mkdir(os.path.join(root, "templates", "zz-broken"))
    open(os.path.join(root, "platforms", "zz-broken.yaml"), "w").write(
        "id: zz-broken\nname: Broken demo\nruntime: node\nversion: 1.0.0\narchive: zip\n"
        "files:\n  - template: zz-broken/index.js\ncommon:\n  include: [endpoint]\n")
    open(os.path.join(root, "templates", "zz-broken", "index.js"), "w").write("export const X = {{no_such_value}};\n")
    os.mkdir(os.path.join(root, "templates", "zz-folder"))
    open(os.path.join(root, "platforms", "zz-folder.yaml"), "w").write(
        "id: zz-folder\nname: Folder demo\nruntime: node\nversion: 1.0.0\narchive: files\n"
        "files:\n  - template: zz-folder/index.js\n  - template: zz-folder/run.sh\n    mode: \"0755\"\ncommon:\n  include: [endpoint]\n")
    open(os.path.join(root, "templates", "zz-folder", "index.js"), "w").write("export const ENDPOINTS = {{endpoint}};\n")
    open(os.path.join(root, "templates", "zz-folder", "run.sh"), "w").write("#!/bin/sh\nexec node index.js\n")
    srv = Server(W, "reload", ["--root", root, "--access-log", "off", "--drain-timeout", "20s"])
    p = srv.port
    r = get(p, bundle_path("zz-folder", endpoint=EP), auth=False)
    z = zipfile.ZipFile(io.BytesIO(r.body)) if r.status == 200 else None
    R.check(z is not None and r.h("content-type") == "application/zip" and
            r.h("content-disposition") == 'attachment; filename="zz-folder-1.0.0.zip"' and
            sorted(z.namelist()) == ["index.js", "run.sh"] and EP.encode() in z.read("index.js") and
            (z.getinfo("run.sh").external_attr >> 16) & 0o777 == 0o755, "a folder bundle is sent as a zip of its files", (r.status, r.headers))
    seen = openapi_check.broken(p, R) | openapi_check.no_document(p, R)
    r = get(p, bundle_path("zz-broken", endpoint=EP), auth=False)
    R.check("zz-broken/index.js:1:18" in r.json()["error"] and "no_such_value" in r.json()["error"],
            "a render failure says which template, where and why", r.body)
    path = bundle_path("cloudflare", endpoint=EP)
    first = get(p, path, auth=False)
    R.check(first.status == 200, "the copied root serves bundles")
    worker = os.path.join(root, "templates", "cloudflare", "worker.js")
    with open(worker, "a") as f:
        f.write("\n// reloaded-marker\n")
    srv.signal(signal.SIGHUP)
    R.check(srv.wait_stderr("serve: reloaded"), "SIGHUP: reloaded", srv.stderr()[-800:])
    second = get(p, path, auth=False)
    R.check(second.status == 200 and second.body != first.body and
            b"reloaded-marker" in zipfile.ZipFile(io.BytesIO(second.body)).read("worker.js"), "after reload the new templates render")
    manifest = os.path.join(root, "platforms", "cloudflare.yaml")
    good = open(manifest).read()
    open(manifest, "w").write(good.replace("archive: zip", "archive: rar"))
    srv.signal(signal.SIGHUP)
    R.check(srv.wait_stderr("reload refused, the running set stays"), "bad manifest: reload refused", srv.stderr()[-800:])
    R.check("cloudflare.yaml" in srv.stderr().split("reload refused")[-1], "the refusal names the file")
    third = get(p, path, auth=False)
    R.check(third.status == 200 and third.body == second.body, "after a refused reload the old set still serves")
    m, _ = metrics(p)
    R.check(m.get('bundlegen_serve_reloads_total{result="ok"}') == 1 and m.get('bundlegen_serve_reloads_total{result="failed"}') == 1,
            "reloads counted by result", m)
    open(manifest, "w").write(good)
    # a template pack of an older version that no longer matches its fingerprint: refused as well
    olds = [(pl["id"], pl["versions"][-1]["version"]) for pl in get(p, "/v1/platforms", auth=False).json()["platforms"]
            if len(pl["versions"]) > 1]
    if olds:
        pid, old = olds[0]
        log = open(os.path.join(root, "changelog", pid + ".yaml")).read()
        fp = log.split("version: " + old)[1].split("fingerprint:")[1].split()[0]
        pack = os.path.join(root, "packs", fp + ".tar.gz")
        saved = open(pack, "rb").read()
        open(pack, "wb").write(saved[:len(saved) // 2])
        srv.signal(signal.SIGHUP)
        R.check(srv.wait_stderr("reload refused, the running set stays", 2) and fp in srv.stderr().split("reload refused")[-1],
                f"a damaged template pack ({pid} {old}): reload refused, naming the pack", srv.stderr()[-600:])
        ro = get(p, bundle_path(pid, endpoint=EP, version=old), auth=False)
        R.check(ro.status == 200 and ro.body == cli("generate", pid, "--endpoint", EP, "--version", old, "--out", "-").stdout,
                "the older version still renders from the set loaded before")
        open(pack, "wb").write(saved)
    # drain: a request in flight when SIGTERM arrives is still answered, then the process exits 0
    body = json.dumps({"platform": "cloudflare", "parameters": {"endpoint": [EP]}}).encode()
    s = raw_socket(p, b"POST /v1/bundles HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
    deadline = time.time() + 10
    while time.time() < deadline and metrics(p)[0].get("bundlegen_serve_inflight_requests", 0) < 1:
        time.sleep(0.05)
    srv.signal(signal.SIGTERM)
    R.check(srv.wait_stderr("serve: draining"), "SIGTERM: draining")
    time.sleep(0.3)
    s.sendall(body[10:])
    status, headers, data = read_response(s)
    R.check(status == 200 and headers.get("connection") == "close" and data == third.body,
            "the request in flight is answered with Connection: close", (status, headers))
    try:
        refused = request(p, "GET", "/live", timeout=3).status
    except OSError:
        refused = "refused"
    R.check(refused == "refused", "no new connections while draining", refused)
    rc = srv.stop()
    R.check(rc == 0 and "serve: stopped" in srv.stderr(), "drained server exits 0 without sanitizer reports", srv.stderr()[-1500:])
    return seen


def main():
    try:
        test_cli_errors()
        tokens = os.path.join(W, "tokens")
        open(tokens, "w").write(f"# accepted tokens\n{TOKEN}\r\n\n  second-token-abcdefghijkl  \n")
        srv = Server(W, "main", ["--token-file", tokens, "--access-log", os.path.join(W, "access.log"), "--max-body", "8k",
                                 "--timeout", "2s", "--threads", "2", "--cache-mb", "16"])
        port = srv.port
        nplat = len(json.loads(cli("platforms", "--json").stdout))
        test_health(port, nplat)
        test_auth(port)
        test_platforms(port)
        test_changelog(port)
        test_bundles(port)
        test_bad_requests(port)
        test_shapes(port)
        test_parallel(port)
        test_metrics_and_log(srv, port, [TOKEN, CONN_TOKEN, "second-token-abcdefghijkl"])
        test_log_lines(port)
        test_timeout(port)
        overloaded = test_overload()
        seen = openapi_check.run(port, AUTH, R, overloaded)
        openapi_check.undocumented(port, AUTH, R)
        rc = srv.stop()
        R.check(rc == 0 and "serve: stopped" in srv.stderr(), "main server exits 0 without sanitizer reports", srv.stderr()[-1500:])
        seen |= test_reload_and_drain()
        openapi_check.coverage(R, seen)
    except Exception:                      # e.g. a server that did not start: say why, count it
        R.check(False, "the suite ran to its end", traceback.format_exc())
    finally:
        Server.kill_all()
        shutil.rmtree(W, ignore_errors=True)
    print(f"{R.passed} passed, {R.failed} failed, {R.skipped} skipped")
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
