#!/usr/bin/env python3
"""browsing.py -- requests shaped like real browsing, built from value pools (browsing/pools.json)
with a fixed seed: pages with long cookies (analytics, consent, a JWT session, a URL-encoded cart),
analytics beacons with 2-5 KB query strings, beacon POSTs, XHR calls with a bearer token, search and
login forms, and JSON posts up to 300 KB. None carries an attack.

  browsing.py PORT COUNT     sends COUNT requests; prints one ok/FAIL line per kind, then
                             "N passed, N failed". Right: 200 {"verdict":"pass"}, no limit named,
                             no attack found, within the reply time.
"""
import base64, json, os, random, socket, sys, time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(__file__))
from shapes import read_response, REPLY_LIMIT

P = json.load(open(os.path.join(os.path.dirname(__file__), "browsing", "pools.json")))


def token(r, n, alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
    return "".join(r.choice(alphabet) for _ in range(n))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(r):
    head = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": token(r, 16)}).encode())
    body = b64url(json.dumps({"sub": str(r.randint(10**8, 10**9)), "iat": 1796000000, "exp": 1796003600,
                              "scope": "openid profile email orders:read", "sid": token(r, 32)}).encode())
    return f"{head}.{body}.{b64url(os.urandom(0) + bytes(r.getrandbits(8) for _ in range(256)))}"


def cookies(r, target_bytes):
    ts = 1796000000 + r.randint(0, 10**6)
    c = [f"_ga=GA1.2.{r.randint(10**9, 2 * 10**9)}.{ts}", f"_gid=GA1.2.{r.randint(10**8, 10**9)}.{ts}",
         f"_ga_{token(r, 10).upper()}=GS1.1.{ts}.4.1.{ts + 300}.0.0.0", f"_fbp=fb.1.{ts}000.{r.randint(10**8, 10**9)}",
         "OptanonConsent=" + quote("isGpcEnabled=0&datestamp=Mon Dec 07 2026 10:12:01 GMT+0100&version=202411.1.0&groups="
                                   + ",".join(P["consent_groups"]) + "&hosts=&landingPath=NotLandingPage", safe=""),
         f"AMCV_{token(r, 24).upper()}%40AdobeOrg=" + quote(f"-1124106680|MCIDTS|20430|MCMID|{r.randint(10**37, 10**38)}|vVersion|5.5.0", safe=""),
         "session=" + jwt(r),
         "cart=" + quote(json.dumps({"items": [{"sku": f"SKU-{r.randint(1000, 9999)}", "qty": r.randint(1, 3)}
                                               for _ in range(r.randint(1, 6))], "currency": "EUR"}), safe=""),
         "lang=en-US", "theme=dark", f"recently_viewed={'%2C'.join(str(r.randint(1000, 99999)) for _ in range(20))}"]
    while len("; ".join(c)) < target_bytes:          # more trackers until the jar is as large as asked
        c.append(f"_hj{token(r, 6)}={b64url(bytes(r.getrandbits(8) for _ in range(r.randint(40, 200))))}")
    return "; ".join(c)


def browser_headers(r, host, cookie_bytes):
    h = [("Host", host), ("User-Agent", r.choice(P["user_agents"])), ("Accept", r.choice(P["accept"])),
         ("Accept-Language", r.choice(P["languages"])), ("Accept-Encoding", "gzip, deflate, br, zstd"),
         ("Referer", f"https://{host}/search?q={quote(r.choice(P['search_terms']))}&page={r.randint(1, 9)}&sort=price_asc")]
    h += [tuple(x) for x in P["client_hints"]]
    h += [("X-Forwarded-For", f"198.51.100.{r.randint(1, 254)}"), ("X-Real-IP", f"198.51.100.{r.randint(1, 254)}")]
    if cookie_bytes:
        h.append(("Cookie", cookies(r, cookie_bytes)))
    return h


def page(r):
    q = {k: r.choice(v) for k, v in P["utm"].items() if r.random() < 0.7}
    if r.random() < 0.5:
        q["gclid"] = token(r, 90, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    if r.random() < 0.5:
        q["q"] = r.choice(P["search_terms"])
    path = r.choice(P["paths"]) + ("?" + "&".join(f"{k}={quote(v)}" for k, v in q.items()) if q else "")
    return "GET", path, browser_headers(r, "shop.example.com", r.randint(1500, 7000)), b""


def beacon_query(r, size):
    dl = f"https://shop.example.com{r.choice(P['paths'])}?q={quote(r.choice(P['search_terms']))}"
    q = [("v", "2"), ("tid", "G-" + token(r, 10).upper()), ("gtm", "45je4bk0v9" + token(r, 8)), ("_p", str(r.randint(10**9, 10**10))),
         ("cid", f"{r.randint(10**9, 2 * 10**9)}.{1796000000}"), ("ul", "en-us"), ("sr", "1920x1080"), ("_s", "3"),
         ("dl", dl), ("dr", "https://www.google.com/"), ("dt", r.choice(P["page_titles"])), ("en", r.choice(P["beacon_events"])),
         ("_et", str(r.randint(1, 60000))), ("tfd", str(r.randint(100, 9000)))]
    k = 0
    n = len("&".join(f"{a}={quote(b, safe='')}" for a, b in q))
    while n < size:
        q.append((f"ep.item_{k}", f"SKU-{r.randint(1000, 9999)} {r.choice(P['json_words'])}"))
        q.append((f"epn.value_{k}", str(r.randint(1, 500))))
        n += sum(len(a) + len(quote(b, safe="")) + 2 for a, b in q[-2:])
        k += 1
    return "&".join(f"{a}={quote(b, safe='')}" for a, b in q)


def beacon_get(r):
    return "GET", "/g/collect?" + beacon_query(r, r.randint(2000, 5000)), browser_headers(r, "shop.example.com", r.randint(3000, 7000)), b""


def beacon_post(r):
    body = "\n".join(beacon_query(r, r.randint(300, 1200)) for _ in range(r.randint(2, 8))).encode()
    h = browser_headers(r, "shop.example.com", r.randint(1000, 7000)) + [("Content-Type", "text/plain;charset=UTF-8")]
    return "POST", "/g/collect?v=2&tid=G-" + token(r, 10).upper(), h, body


def xhr(r):
    h = browser_headers(r, "api.example.com", 0) + [("Authorization", "Bearer " + jwt(r)), ("X-Requested-With", "XMLHttpRequest")]
    return "GET", f"/api/v2/products/{r.randint(1000, 9999)}/reviews?page={r.randint(1, 20)}&per_page=50&sort=-created_at", h, b""


def form(r):
    if r.random() < 0.5:
        body = f"q={quote(r.choice(P['search_terms']))}&category=all&in_stock=1&price_max={r.randint(20, 500)}"
        path = "/search"
    else:
        body = f"username={quote('jane.doe+shop@example.com')}&password={quote(token(r, 14) + '!#')}&remember=on&csrf={token(r, 43)}"
        path = "/account/login"
    h = browser_headers(r, "shop.example.com", r.randint(1000, 5000)) + [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", "https://shop.example.com")]
    return "POST", path, h, body.encode()


def json_post(r):
    size = r.choice([2000, 20000, 100000, 300000])
    items, doc = [], {"cart_id": token(r, 24), "currency": "EUR", "customer": {"name": "Jane Doe", "email": "jane.doe@example.com",
                      "address": {"street": "Hauptstraße 12", "city": "München", "zip": "80331", "note": r.choice(P["json_words"])}}}
    doc["items"] = items
    n = len(json.dumps(doc))
    while n < size:                                  # grown item by item, measured as it grows
        items.append({"sku": f"SKU-{r.randint(1000, 9999)}", "qty": r.randint(1, 4), "price": round(r.uniform(1, 300), 2),
                      "options": {"size": str(r.randint(36, 46)), "colour": r.choice(["red", "blue", "black"])},
                      "note": " ".join(r.choice(P["json_words"]) for _ in range(r.randint(3, 20)))})
        n += len(json.dumps(items[-1])) + 2
    h = browser_headers(r, "shop.example.com", r.randint(1000, 6000)) + [("Content-Type", "application/json")]
    return "POST", "/api/v2/cart", h, json.dumps(doc).encode()


KINDS = [("page", page, 4), ("analytics beacon", beacon_get, 3), ("beacon POST", beacon_post, 1),
         ("XHR with a bearer token", xhr, 1), ("form", form, 1), ("JSON post", json_post, 1)]


def send(port, method, path, headers, body):
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    s = socket.create_connection(("127.0.0.1", port), timeout=REPLY_LIMIT)
    start = time.time()
    try:
        s.sendall(head.encode() + b"\r\n" + body)
        status, doc, _ = read_response(s, start + REPLY_LIMIT)
    finally:
        s.close()
    return status, doc, len(head), time.time() - start


def main(port, count):
    r = random.Random(20261207)
    weights = [w for _, _, w in KINDS]
    stats = {name: [0, 0] for name, _, _ in KINDS}
    bad = []
    for i in range(count):
        name, make, _ = r.choices(KINDS, weights)[0]
        method, path, headers, body = make(r)
        status, doc, head, secs = send(port, method, path, headers, body)
        right = status == 200 and bool(doc) and doc.get("verdict") == "pass" and "reason" not in doc and "limits" not in doc
        stats[name][0 if right else 1] += 1
        if not right and len(bad) < 10:
            bad.append(f"{name} #{i}: {method} {path[:80]} (head {head} B, body {len(body)} B): {status} {json.dumps(doc)[:300]}")
    passed = failed = 0
    for name, (good, wrong) in stats.items():
        ok = wrong == 0
        print(("ok   " if ok else "FAIL ") + f"{name}: {good} of {good + wrong} answered 200 pass, no attack, no limit")
        passed, failed = passed + ok, failed + (not ok)
    for b in bad:
        print("FAIL " + b)
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
