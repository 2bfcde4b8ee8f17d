"""lib.py -- helpers for the bundlegen serve tests: start the sanitizer build on a free loopback
port, speak HTTP with http.client or raw sockets, and count results."""
import http.client, json, os, signal, socket, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from suite import Results  # noqa: E402  (the one result format of every suite)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BG = os.environ.get("BUNDLEGEN_SAN", os.path.join(REPO, "build", "san", "bundlegen"))


class Server:
    """bundlegen serve on 127.0.0.1 with port 0; the port is read from its first stderr line."""

    started = []                   # every server of the run, so that none outlives it

    def __init__(self, workdir, name, args, env=None):
        self.errpath = os.path.join(workdir, name + ".err")
        self.err = open(self.errpath, "wb")
        e = dict(os.environ)
        e.pop("BUNDLEGEN_SERVE_TOKEN", None)
        e.update(env or {})
        self.proc = subprocess.Popen([BG, "serve", "--listen", "127.0.0.1:0"] + args, cwd=REPO, env=e,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        Server.started.append(self)
        self.port = 0
        deadline = time.time() + 60
        while time.time() < deadline and self.proc.poll() is None:
            text = self.stderr()
            if "listening on port " in text:
                self.port = int(text.split("listening on port ")[1].split()[0])
                break
            time.sleep(0.05)
        if not self.port:
            raise RuntimeError(f"{name} did not start: {self.stderr()[-2000:]}")

    @staticmethod
    def kill_all():
        for s in Server.started:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()

    def stderr(self):
        with open(self.errpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_stderr(self, text, count=1, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.stderr().count(text) >= count:
                return True
            time.sleep(0.05)
        return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.err.close()
        return rc


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # lower-case name -> value
        self.body = body

    def json(self):
        return json.loads(self.body)

    def h(self, name):
        return self.headers.get(name.lower())


def request(port, method, path, headers=None, body=None, timeout=60):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        c.close()


def raw_socket(port, data=b"", timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if data:
        s.sendall(data)
    return s


def read_response(sock, timeout=20):
    """One Content-Length framed response from sock: (status, headers dict, body), status 0 on EOF."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return 0, {}, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(lines[0].split()[1]), headers, rest


def metrics(port):
    text = request(port, "GET", "/metrics").body.decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.rpartition(" ")
            out[k] = float(v)
    return out, text
