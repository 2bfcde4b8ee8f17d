// tls.js -- the Kong plugin against an edgenode listening on HTTPS: with the node's certificate trusted
// (lua_ssl_trusted_certificate) the node decides; without it the handshake fails and the request passes.
// Usage: node tests/e2e/kong/tls.js   (env EDGENODE, BUNDLEGEN; KEEP=1 keeps the temporary folder);
// prints "N passed, N failed".
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const net = require("node:net");
const path = require("node:path");
const { spawn, execFileSync } = require("node:child_process");
const { serve } = require("../lib.js");
const { host } = require("./platform.js");

const ROOT = path.resolve(__dirname, "..", "..", "..");
const EDGENODE = path.resolve(ROOT, process.env.EDGENODE || "build/edgenode");
const BUNDLEGEN = path.resolve(ROOT, process.env.BUNDLEGEN || "build/bundlegen");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "kong-tls-"));
const ATTACK = "/search?id=1%27%20OR%20%271%27%3D%271";
const children = [];
let passed = 0, failed = 0;

function check(name, ok, detail) {
  if (ok) passed++; else failed++;
  console.log((ok ? "ok - " : "not ok - ") + name + (ok || !detail ? "" : ": " + detail));
}

const api = {
  start: function (cmd, args) {
    const c = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    c.log = "";
    c.stdout.on("data", function (d) { c.log += d; });
    c.stderr.on("data", function (d) { c.log += d; });
    children.push(c);
    return c;
  },
  waitPort: async function (port, ms) {
    for (const end = Date.now() + ms; Date.now() < end;) {
      const up = await new Promise(function (resolve) {
        const s = net.connect(port, "127.0.0.1", function () { s.destroy(); resolve(true); });
        s.on("error", function () { resolve(false); });
      });
      if (up) return true;
      await new Promise(function (r) { setTimeout(r, 50); });
    }
    return false;
  }
};

function port() {
  return new Promise(function (resolve) {
    const s = net.createServer().listen(0, "127.0.0.1", function () { const p = s.address().port; s.close(function () { resolve(p); }); });
  });
}

async function get(p, pathQuery) {
  try { const r = await fetch("http://127.0.0.1:" + p + pathQuery, { signal: AbortSignal.timeout(10000) }); return r.status; }
  catch (e) { return String(e); }
}

async function main() {
  const cert = path.join(TMP, "cert.pem"), key = path.join(TMP, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  fs.chmodSync(TMP, 0o755);        // nginx workers started by root run as nobody and read the CA file
  fs.chmodSync(cert, 0o644);
  const nodePort = await port(), admin = await port(), originPort = await port();
  fs.writeFileSync(path.join(TMP, "node.yaml"), "listen: 127.0.0.1:" + nodePort + "\nadmin_listen: 127.0.0.1:" + admin +
    "\nmode: block\ntls: {cert: " + cert + ", key: " + key + "}\n");
  const node = api.start(EDGENODE, ["--config", path.join(TMP, "node.yaml")]);
  if (!(await api.waitPort(nodePort, 10000))) throw new Error("edgenode did not start: " + node.log);
  let reached = 0;
  const origin = await serve(originPort, function (req, res) { reached++; res.end("origin\n"); });
  const dir = path.join(TMP, "bundle");
  fs.mkdirSync(dir);
  execFileSync(BUNDLEGEN, ["generate", "kong", "--endpoint", "https://127.0.0.1:" + nodePort, "--out", dir + ".zip"],
    { cwd: ROOT, stdio: "ignore" });
  execFileSync("python3", ["-m", "zipfile", "-e", dir + ".zip", dir]);
  for (const trusted of [cert, null]) {
    const p = await port();
    const nginx = await host(api, { dir: dir, port: p, origin: "http://127.0.0.1:" + originPort, trusted: trusted });
    const r0 = reached, ok = await get(p, "/hello"), bad = await get(p, ATTACK);
    if (trusted) {
      check("https node, certificate trusted: a benign request passes", ok === 200 && reached === r0 + 1, String(ok));
      check("https node, certificate trusted: the attack is blocked", bad === 403 && reached === r0 + 1, String(bad));
    } else {
      const log = fs.readFileSync(dir + "-nginx/error.log", "utf8");
      check("https node, certificate not trusted: the request passes (fail open)", bad === 200 && reached === r0 + 2, String(bad));
      check("https node, certificate not trusted: the handshake failure is logged", /failing open: .*tls: .*certificate/.test(log));
    }
    nginx.kill("SIGTERM");
    await new Promise(function (r) { nginx.once("exit", r); });
  }
  origin.close();
}

main().catch(function (e) { check("kong tls set-up", false, e && e.stack ? e.stack : String(e)); }).finally(function () {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  if (!process.env.KEEP) fs.rmSync(TMP, { recursive: true, force: true });
  console.log(passed + " passed, " + failed + " failed");
  process.exitCode = failed ? 1 : 0;
});
