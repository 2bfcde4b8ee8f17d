#!/usr/bin/env python3
"""run.py -- runs tests/limits/cases.txt: each case through `bundlegen generate` (exit 0 or 1 with the
message) and `bundlegen serve` (200, or 400 with the message in the JSON errors), then one release
whose endpoint breaks a platform's limits (ASan+UBSan build)."""
import json, os, shlex, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "serve"))
from lib import BG, REPO, Results, Server, request

R = Results()
W = tempfile.mkdtemp(prefix="platform-limits.")
ROOTS = {"repo": REPO, "fixture": os.path.join(REPO, "tests", "limits", "root")}


def parse(line):
    words, _, text = line.partition(" => ")
    w = shlex.split(words)
    root, platform, want, args = w[0], w[1], w[2], w[3:]
    if root not in ROOTS or want not in ("ok", "fail") or (want == "fail") != bool(text):
        raise ValueError(f"bad case: {line}")
    params = {}
    for flag, value in zip(args[::2], args[1::2]):
        if flag == "--endpoint":
            params.setdefault("endpoint", []).append(value)
        elif flag == "--set":
            k, _, v = value.partition("=")
            params[k] = v
        else:
            raise ValueError(f"bad argument {flag} in: {line}")
    return root, platform, want, args, params, text.strip()


def run_generate(n, case):
    root, platform, want, args, _, text = case
    out = os.path.join(W, f"out-{n}")
    r = subprocess.run([BG, "generate", platform, "--root", ROOTS[root], "--out", out] + args,
                       capture_output=True, timeout=120)
    err = r.stderr.decode("utf-8", "replace")
    name = f"generate {platform} {' '.join(args)[:90]}"
    if want == "ok":
        R.check(r.returncode == 0 and os.path.exists(out), name + ": made", err)
    else:
        R.check(r.returncode == 1 and text in err and not os.path.exists(out), name + ": exit 1, says why, no file",
                f"exit {r.returncode}: {err}")


def run_serve(port, case):
    root, platform, want, args, params, text = case
    body = json.dumps({"platform": platform, "parameters": params}).encode()
    r = request(port, "POST", "/v1/bundles", {"Content-Type": "application/json"}, body)
    name = f"serve {platform} {' '.join(args)[:90]}"
    if want == "ok":
        R.check(r.status == 200, name + ": 200", r.body[:400])
        return
    try:
        j = json.loads(r.body)
    except ValueError:
        j = {}
    said = [j.get("error", "")] + [e.get("message", "") for e in j.get("errors", [])]
    R.check(r.status == 400 and any(text in s for s in said), name + ": 400 naming the limit", r.body[:600])


def main():
    cases = []
    with open(os.path.join(REPO, "tests", "limits", "cases.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                cases.append(parse(line))
    for n, c in enumerate(cases):
        run_generate(n, c)
    servers = {}
    try:
        for root in sorted({c[0] for c in cases}):
            servers[root] = Server(W, "serve-" + root, ["--root", ROOTS[root], "--access-log", "off"])
        for c in cases:
            run_serve(servers[c[0]].port, c)
    finally:
        Server.kill_all()
    # release: the same check stops a release whose endpoint a platform refuses
    checks = os.path.join(W, "no-checks")
    os.mkdir(checks)
    out = os.path.join(W, "release")
    r = subprocess.run([BG, "release", "--out", out, "--endpoint", "http://node.example.com:8080", "--checks", checks,
                        "--jobs", "1"], cwd=REPO, capture_output=True, timeout=600)
    err = r.stderr.decode("utf-8", "replace")
    R.check(r.returncode != 0 and 'akamai: the release parameters: endpoint: "http://node.example.com:8080": '
            'Akamai EdgeWorkers accepts only https endpoints' in err and not os.path.exists(out),
            "release refuses an endpoint Akamai cannot call, naming the limit", err[-1500:])
    shutil.rmtree(W, ignore_errors=True)
    R.end()


if __name__ == "__main__":
    main()
