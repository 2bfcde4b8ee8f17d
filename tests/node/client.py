#!/usr/bin/env python3
"""client.py -- raw HTTP clients for edgenode tests that curl cannot express:
a keep-alive connection across a reload, a request in flight during SIGTERM, a slow body."""
import json, os, re, signal, socket, struct, sys, time, urllib.request

def metric(admin, name):
    text = urllib.request.urlopen(f"http://127.0.0.1:{admin}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0

def read_status(sock):
    """Reads one response (Content-Length framed); returns (status, headers text)."""
    data = b""
    sock.settimeout(10)
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return 0, ""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    headers = head.decode("latin-1")
    length = 0
    for line in headers.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    while len(rest) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        rest += chunk
    return int(headers.split()[1]), headers

def request(path, body=b"", extra=""):
    return (f"POST {path} HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body

ATTACK = "/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--"

def reloads(admin):
    try:
        return metric(admin, 'edgenode_config_reloads_total{result="ok"}') + \
               metric(admin, 'edgenode_config_reloads_total{result="error"}')
    except OSError:
        return -1.0         # not listening (yet)

def keepalive(port, admin, pid, new_cfg, cfg):
    """Attack, reload to new_cfg, attack again on the same connection; prints both statuses.
    admin is "PORT" or "OLD,NEW" when the reload moves the admin listener."""
    old_admin, _, new_admin = admin.partition(",")
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(request(ATTACK))
    first, _ = read_status(s)
    before = reloads(old_admin)
    os.replace(new_cfg, cfg)
    os.kill(int(pid), signal.SIGHUP)
    for _ in range(100):
        if reloads(new_admin or old_admin) > before:
            break
        time.sleep(0.05)
    s.sendall(request(ATTACK))
    second, _ = read_status(s)
    print(first, second)

def drain(port, pid):
    """Headers and half a body, SIGTERM, then the rest: the answer must still come."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    body = b'{"user": "alice", "note": "' + b"x" * 2000 + b'"}'
    msg = request("/orders", body)
    s.sendall(msg[: len(msg) - 1000])
    time.sleep(0.3)
    os.kill(int(pid), signal.SIGTERM)
    time.sleep(0.5)
    s.sendall(msg[len(msg) - 1000:])
    status, headers = read_status(s)
    print(status, "close" if "connection: close" in headers.lower() else "keep-alive")

def slow(port, delay):
    """Headers, a pause, then the body: the reply time limit counts from the headers."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    msg = request("/orders", b'{"a": 1}')
    s.sendall(msg[:-3])
    time.sleep(float(delay))
    s.sendall(msg[-3:])
    print(read_status(s)[0])

def trickle(port, interval, count):
    """Headers, then the body one byte every interval seconds; prints how it ended."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    body = b"x" * int(count)
    s.sendall(request("/upload", body)[: -len(body)])
    start = time.time()
    try:
        for i in range(int(count)):
            time.sleep(float(interval))
            s.sendall(body[i:i + 1])
        status, _ = read_status(s)
        print("answered", status)
    except OSError:
        print("closed", int(time.time() - start))

def per_conn(port, n):
    """n requests on one connection; prints each status and whether it asked to close."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    out = []
    for _ in range(int(n)):
        try:
            s.sendall(request("/ping", b"{}"))
            st, headers = read_status(s)
        except OSError:
            st, headers = 0, ""
        out.append(f"{st}{'/close' if 'connection: close' in headers.lower() else ''}")
    print(" ".join(out))

def idle(port, limit):
    """A connection that sends nothing: prints whether the node closed it within limit seconds."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.settimeout(float(limit))
    start = time.time()
    try:
        closed = s.recv(1) == b""
    except socket.timeout:
        closed = False
    except OSError:
        closed = True
    print("closed" if closed else "open", int(time.time() - start))

def conns(port, n):
    """Opens n connections and asks on each. The last one, over the limit, must wait in the
    listen queue while the others are open (printed "queued"), and be served once they close."""
    socks = [socket.create_connection(("127.0.0.1", int(port))) for _ in range(int(n))]
    for s in socks:
        s.sendall(request("/ping", b"{}"))
    out = [str(read_status(s)[0]) for s in socks[:-1]]
    last = socks[-1]
    last.settimeout(0.4)
    try:
        out.append("answered" if last.recv(1) else "closed")
    except socket.timeout:
        out.append("queued")
    for s in socks[:-1]:
        s.close()
    out.append(str(read_status(last)[0]))
    print(" ".join(out))

def long_header(port, nbytes):
    """The status of a GET with one header of nbytes (larger than curl sends)."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(b"GET /users HTTP/1.1\r\nHost: api.example.com\r\nX-Long: " + b"h" * int(nbytes) + b"\r\n\r\n")
    print(read_status(s)[0])
    s.close()

def head_then_get(port):
    """HEAD then GET pipelined on one connection: both statuses, then whether the HEAD answer came
    without its body (the GET's status line follows its head directly)."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(b"HEAD /users HTTP/1.1\r\nHost: api.example.com\r\n\r\n"
              b"GET /users HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n")
    s.settimeout(10)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    first, _, rest = data.partition(b"\r\n\r\n")
    print(first.split(b" ")[1].decode(), rest.split(b" ")[1].decode() if rest.startswith(b"HTTP/1.1 ") else "?",
          "no-body" if rest.startswith(b"HTTP/1.1 ") else "body")

def head_of(port, nbytes):
    """A GET whose head (request line, headers, blank line) is exactly nbytes: prints the status
    and which JSON answer came back ("verdict", "error", or "no-json")."""
    start = b"GET /users HTTP/1.1\r\nHost: api.example.com\r\nX-Long: "
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(start + b"h" * (int(nbytes) - len(start) - 4) + b"\r\n\r\n")
    s.settimeout(10)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
        if length and len(rest) >= length[0]:
            break
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if head.startswith(b"HTTP/") else "0"
    try:
        doc = json.loads(rest)
        kind = "verdict" if "verdict" in doc else "error" if "error" in doc else "no-json"
    except ValueError:
        kind = "no-json"
    print(status, kind)

def slowloris(port, kind):
    """A request that never ends, a piece every 0.3 s for at most 12 s: "head" (a header line that
    never ends), "chunks" (a chunked body that never ends), "trailers" (after the last chunk),
    "continue" (Expect: 100-continue, then no body), "next" (a whole request answered, then the
    next head trickled), "blank" (blank lines, which may precede a request, and nothing else). Prints "closed" when the node closed it, else "open"."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.settimeout(0.3)
    head = b"POST /upload HTTP/1.1\r\nHost: api.example.com\r\n"
    first, piece = {
        "head": (head + b"X-Slow: ", b"a"),
        "chunks": (head + b"Transfer-Encoding: chunked\r\n\r\n", b"1\r\na\r\n"),
        "trailers": (head + b"Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n", b"X-T: a\r\n"),
        "continue": (head + b"Expect: 100-continue\r\nContent-Length: 10\r\n\r\n", b""),
        "next": (request("/users", b"{}") + head + b"X-Slow: ", b"a"),
        "blank": (b"", b"\r\n"),
    }[kind]
    s.sendall(first)
    for _ in range(40):
        try:
            if piece:
                s.sendall(piece)
            while True:                     # answers and 100 Continue are read and dropped
                if s.recv(4096) == b"":
                    print("closed")
                    return
        except socket.timeout:
            continue
        except OSError:
            print("closed")
            return
    print("open")

def fd_exhaust(port, pid):
    """120 connections to a node with 64 descriptors: while the rest wait in the listen queue, the
    node must not spin on its listening socket (CPU over 2 s: "quiet" under 0.2 s, else "busy").
    Then 100 close, and the last one, queued until then, must be answered."""
    def cpu():
        with open(f"/proc/{int(pid)}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    socks = [socket.create_connection(("127.0.0.1", int(port))) for _ in range(120)]
    time.sleep(1)
    before = cpu()
    time.sleep(2)
    used = cpu() - before
    for s in socks[:100]:
        s.close()
    last = socks[-1]
    last.sendall(b"GET /users HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
    print("quiet" if used < 0.2 else f"busy ({used:.2f} s)", read_status(last)[0])

def stalled_reader(port):
    """Pipelined GETs for 3 s from a client that never reads its answers: the node must stop
    reading ("bounded": it took less than 32 MB, what socket buffers hold), not queue answers
    without end."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.setblocking(False)
    batch = b"GET /users HTTP/1.1\r\nHost: api.example.com\r\n\r\n" * 1000
    sent, start = 0, time.time()
    while time.time() - start < 3 and sent < 256 << 20:
        try:
            sent += s.send(batch)
        except BlockingIOError:
            time.sleep(0.01)
    s.close()
    print("bounded" if sent < 32 << 20 else f"unbounded ({sent >> 20} MB taken)")

def head_of_then(port, nbytes):
    """A POST whose head is exactly nbytes; its head's last byte, its body and a closing GET come in
    one read: prints the statuses that came before the node closed (or 10 s passed)."""
    start = (b"POST /orders HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n"
             b"Content-Length: 2\r\nX-Long: ")
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(start + b"h" * (int(nbytes) - len(start) - 4) + b"\r\n\r")
    time.sleep(0.5)
    s.sendall(b"\n{}GET /users HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n")
    s.settimeout(10)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
    except OSError:
        pass
    s.close()
    print(" ".join(re.findall(r"HTTP/1\.1 (\d+) ", data.decode("latin-1"))) or "none")

def half_close(port):
    """Two GETs pipelined, then the client shuts its sending side (it still reads): prints how many
    answers came and whether the node then closed ("eof") or went silent ("open")."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)     # requests and FIN in one segment
    s.sendall(b"GET /users HTTP/1.1\r\nHost: api.example.com\r\n\r\n" * 2)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(10)
    data, end = b"", "eof"
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            end = "open"
            break
        if not chunk:
            break
        data += chunk
    s.close()
    print(data.count(b"HTTP/1.1 200 "), end)

def reset_mid(port, n):
    """n GETs pipelined, one byte of the answers read, then a TCP reset (SO_LINGER 0) while the
    node is still answering."""
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /users HTTP/1.1\r\nHost: api.example.com\r\n\r\n" * int(n))
    s.settimeout(10)
    s.recv(1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("reset")

if __name__ == "__main__":
    {"keepalive": keepalive, "drain": drain, "slow": slow, "per_conn": per_conn, "idle": idle, "trickle": trickle,
     "conns": conns, "long_header": long_header, "head_of": head_of, "head_then_get": head_then_get,
     "half_close": half_close, "head_of_then": head_of_then, "stalled_reader": stalled_reader, "fd_exhaust": fd_exhaust, "slowloris": slowloris, "reset_mid": reset_mid}[sys.argv[1]](*sys.argv[2:])
