#!/usr/bin/env python3
"""prometheus_test.py -- Debian's prometheus, on a free loopback port, scrapes a running edgenode (admin
listener) and bundlegen serve under a little traffic; promtool lints both outputs; every query of
node/dashboard.json is evaluated through Prometheus's HTTP API and must answer, with data where the
traffic feeds it."""
import json, os, shutil, signal, subprocess, sys, tempfile, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from suite import BG, NODE, REPO, Results, free_port

R = Results()
W = tempfile.mkdtemp(prefix="prometheus-test.")
procs = []
SCRAPE = 1            # seconds between scrapes
RATE = "30s"          # stands for Grafana's $__rate_interval (at least 4 scrapes)
RANGE = "5m"          # stands for $__range


def http(port, path, method="GET", headers=None, body=None):
    """(status, body bytes) of one request to 127.0.0.1:PORT; errors answer with their status."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_until(what, fn, seconds):
    """Polls FN every 0.2 s until it is true, at most SECONDS; returns its last value."""
    end = time.monotonic() + seconds
    while True:
        v = fn()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.2)


def answers(port):
    try:
        return http(port, "/metrics")[0] == 200
    except OSError:
        return False


def start(name, argv):
    log = open(os.path.join(W, name + ".log"), "wb")
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    procs.append((name, p))
    return p


def log_of(name):
    with open(os.path.join(W, name + ".log"), "rb") as f:
        return f.read().decode(errors="replace")


def query(prom, expr):
    """Prometheus's answer to an instant query: (status, data or error text)."""
    st, body = http(prom, "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    try:
        j = json.loads(body)
    except ValueError:
        return "error", body[:300]
    return (j.get("status"), j.get("data") if j.get("status") == "success" else j.get("error"))


def stop_all():
    for _, p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for _, p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()


def main():
    for tool in ("prometheus", "promtool"):
        if not shutil.which(tool):
            R.check(False, f"{tool} is installed (scripts/debian-packages.txt: prometheus)"); return
    for b in (NODE, BG):
        if not os.access(b, os.X_OK):
            R.check(False, f"{b} is built (make test-build)"); return

    node_port, admin, serve, prom = free_port(), free_port(), free_port(), free_port()
    cfg = os.path.join(W, "edgenode.yaml")
    with open(cfg, "w") as f:
        f.write(f"listen: 127.0.0.1:{node_port}\nadmin_listen: 127.0.0.1:{admin}\nmode: block\napplication: 3\n"
                f"rules: {REPO}/node/rules.yaml\nallowed_hosts: [api.example.com]\n"
                "input_filters:\n  bypass:\n    - path: \"^/static/\"\n")
    start("edgenode", [NODE, "--config", cfg])
    start("serve", [BG, "serve", "--listen", f"127.0.0.1:{serve}", "--root", REPO, "--threads", "2",
                    "--access-log", "off"])
    if not R.check(wait_until("node", lambda: answers(admin), 15), "edgenode's admin listener answers", log_of("edgenode")):
        return
    if not R.check(wait_until("serve", lambda: answers(serve), 15), "bundlegen serve answers", log_of("serve")):
        return

    with open(os.path.join(W, "prometheus.yml"), "w") as f:
        f.write(f"global:\n  scrape_interval: {SCRAPE}s\n  scrape_timeout: {SCRAPE}s\n  evaluation_interval: {SCRAPE}s\n"
                "scrape_configs:\n"
                f"  - job_name: edgenode\n    static_configs:\n      - targets: ['127.0.0.1:{admin}']\n"
                f"  - job_name: bundlegen\n    static_configs:\n      - targets: ['127.0.0.1:{serve}']\n")
    check = subprocess.run(["promtool", "check", "config", os.path.join(W, "prometheus.yml")], capture_output=True, text=True)
    R.check(check.returncode == 0, "promtool check config accepts the scrape configuration", check.stdout + check.stderr)
    start("prometheus", ["prometheus", f"--config.file={W}/prometheus.yml", f"--storage.tsdb.path={W}/tsdb",
                         f"--web.listen-address=127.0.0.1:{prom}", "--log.level=warn"])

    def targets_up():
        try:
            st, body = http(prom, "/api/v1/targets")
        except OSError:
            return False
        act = json.loads(body)["data"]["activeTargets"] if st == 200 else []
        return len(act) == 2 and all(t["health"] == "up" for t in act)
    if not R.check(wait_until("targets", targets_up, 30), "prometheus scrapes both targets and finds them up",
                   log_of("prometheus")):
        return
    time.sleep(2 * SCRAPE)   # samples from before the traffic, so that rates have a start

    # A little traffic of every kind the dashboard shows, spread over a few scrapes.
    attack = "/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--"
    host = {"Host": "api.example.com", "Content-Type": "application/json"}
    seen = {}
    for rnd in range(4):
        for kind, path, headers in (
                ("pass", f"/items?page={rnd}", host), ("block", attack, host), ("bypass", "/static/app.js", host),
                ("reject", "/x", {"Host": "other.example.net"}),
                ("report", "/login", dict(host, **{"X-Connector-Message": "response", "X-Connector-Response-Status": "503"})),
                ("async", "/y", dict(host, **{"X-Connector-Mode": "async"}))):
            seen[kind] = http(node_port, path, "POST", headers, b"{}")[0]
        for path in ("/v1/platforms", "/v1/platforms/kong/changelog",
                     "/v1/bundles/kong?endpoint=https://node.example.com:5050", "/v1/bundles/kong?endpoint=ftp://x"):
            http(serve, path)
        if rnd == 1:
            os.kill(procs[0][1].pid, signal.SIGHUP)     # a reload for the reload panel
        time.sleep(SCRAPE)
    R.check(seen == {"pass": 200, "block": 403, "bypass": 200, "reject": 415, "report": 200, "async": 204},
            "the node answered the traffic as configured (pass, block, bypass, reject, report, async)", seen)

    # The scraped counters catch up with the traffic (24 messages).
    def caught_up():
        st, d = query(prom, 'sum(edgenode_requests_total{job="edgenode"})')
        return st == "success" and d["result"] and float(d["result"][0]["value"][1]) >= 24
    R.check(wait_until("scrape", caught_up, 15), "prometheus holds the node's counters after the traffic",
            query(prom, 'sum(edgenode_requests_total{job="edgenode"})'))
    time.sleep(2 * SCRAPE)

    # promtool lints both outputs as Prometheus would read them.
    for name, port in (("edgenode", admin), ("bundlegen serve", serve)):
        _, text = http(port, "/metrics")
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
        R.check(lint.returncode == 0 and not lint.stdout.strip() and not lint.stderr.strip(),
                f"promtool check metrics: {name}'s /metrics is clean", (lint.stdout + lint.stderr).decode())

    # Every query of the dashboard, with Grafana's variables as a dashboard showing everything sets them.
    with open(os.path.join(REPO, "node/dashboard.json")) as f:
        dash = json.load(f)

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "expr" and isinstance(v, str):
                    yield o, v
                else:
                    yield from walk(v)
        elif isinstance(o, list):
            for v in o:
                yield from walk(v)

    titles = {}
    for p in dash.get("panels", []):
        for t in p.get("targets", []):
            titles[id(t)] = p.get("title", "?")
    exprs = [(titles.get(id(o), "?"), e) for o, e in walk(dash)]
    R.check(len(exprs) >= 15, f"the dashboard has {len(exprs)} queries", exprs)
    # Queries that the traffic above must have made positive (others may answer 0: nothing timed out).
    fed = ("edgenode_requests_total", "edgenode_attacks_total", "edgenode_blocked_total", "edgenode_build_info",
           "edgenode_response_status_total", "edgenode_verdicts_total", "edgenode_bypassed_total",
           "edgenode_rejected_total", "edgenode_analysis_seconds_bucket", "process_cpu_seconds_total",
           "process_resident_memory_bytes", "edgenode_config_reloads_total")
    for title, e in exprs:
        q = e.replace("$job", "edgenode").replace("$instance", ".+").replace("$__rate_interval", RATE) \
             .replace("$__range", RANGE).replace("$__interval", RATE)
        st, d = query(prom, q)
        if not R.check(st == "success", f"{title}: {e} evaluates", d):
            continue
        res = d["result"] if d["resultType"] in ("vector", "matrix") else [d["result"]]
        if not R.check(len(res) > 0, f"{title}: answers with data", q):
            continue
        if any(m in e for m in fed):
            vals = [float(r["value"][1]) for r in res]
            R.check(any(v > 0 for v in vals), f"{title}: the traffic shows (a value above 0)", f"{q} -> {vals}")

    # The dashboard's variables: label_values(METRIC, LABEL) through the series API.
    for v in dash.get("templating", {}).get("list", []):
        qs = v.get("query")
        if v.get("type") != "query" or not isinstance(qs, str) or not qs.startswith("label_values("):
            continue
        metric, label = qs[len("label_values("):-1].rsplit(",", 1)
        metric = metric.replace("$job", "edgenode")
        st, body = http(prom, "/api/v1/series?" + urllib.parse.urlencode({"match[]": metric.strip()}))
        vals = {s.get(label.strip()) for s in json.loads(body).get("data", [])} if st == 200 else set()
        R.check(vals - {None}, f"variable {v['name']}: {qs} has values", body[:300])

    # bundlegen serve as Prometheus sees it: requests by route and status, renders, the catalog.
    for e in ('sum(increase(bundlegen_serve_requests_total{job="bundlegen",route="/v1/bundles/{id}",status="200"}[%s]))' % RANGE,
              'sum(increase(bundlegen_serve_requests_total{job="bundlegen",route="/v1/bundles/{id}",status="400"}[%s]))' % RANGE,
              'histogram_quantile(0.99, sum by (le) (rate(bundlegen_serve_render_seconds_bucket{job="bundlegen"}[%s])))' % RANGE,
              'bundlegen_serve_platforms{job="bundlegen"}'):
        st, d = query(prom, e)
        vals = [float(r["value"][1]) for r in d["result"]] if st == "success" else []
        R.check(vals and all(v > 0 for v in vals), f"bundlegen serve: {e} is above 0", d)


try:
    main()
finally:
    stop_all()
    for name, p in procs:
        if name != "prometheus":
            R.check(p.returncode == 0, f"{name} exits 0 on SIGTERM", log_of(name))
            text = log_of(name)
            R.check("Sanitizer" not in text and "runtime error" not in text, f"{name}: no sanitizer reports", text)
    shutil.rmtree(W, ignore_errors=True)
    R.end()
