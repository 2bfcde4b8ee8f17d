// pool.js -- the Kong plugin's node connections inside nginx (one worker): requests reuse one pooled
// connection, counted where the node accepts them (a counting TCP relay in front of edgenode); an idle
// connection is closed after keepalive_timeout; a body larger than client_body_buffer_size (spooled to
// a file by nginx) still reaches the node up to request_body_limit. Response reports are off: they go
// from a timer, alongside the next request, and would open connections of their own.
// Usage: node tests/e2e/kong/pool.js   (env EDGENODE, BUNDLEGEN; KEEP=1 keeps the temporary folder);
// prints "N passed, N failed, N skipped" (tests/lib/suite.js).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const net = require("node:net");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { serve, readBody } = require("../lib.js");
const { run, port } = require("../standalone.js");
const { host } = require("./platform.js");

const ROOT = path.resolve(__dirname, "..", "..", "..");
const EDGENODE = path.resolve(ROOT, process.env.EDGENODE || "build/edgenode");
const BUNDLEGEN = path.resolve(ROOT, process.env.BUNDLEGEN || "build/bundlegen");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "kong-pool-"));
const ATTACK_BODY = "<script>alert(1)</script>";
const IDLE_MS = 1000;            // keepalive_timeout of the bundle
const T = run(), api = T.api, check = T.check;

/** A TCP relay to target that counts the connections it accepts. */
function relay(listenPort, targetPort) {
  let accepted = 0;
  const server = net.createServer(function (c) {
    accepted++;
    const up = net.connect(targetPort, "127.0.0.1");
    c.pipe(up); up.pipe(c);
    c.on("error", function () { up.destroy(); });
    up.on("error", function () { c.destroy(); });
  });
  return new Promise(function (resolve) {
    server.listen(listenPort, "127.0.0.1", function () { resolve({ server: server, accepted: function () { return accepted; } }); });
  });
}

async function ask(p, method, pathQuery, body) {
  try {
    const r = await fetch("http://127.0.0.1:" + p + pathQuery, { method: method, body: body,
      headers: body ? { "Content-Type": "text/plain" } : {}, signal: AbortSignal.timeout(10000) });
    await r.arrayBuffer();
    return r.status;
  } catch (e) { return String(e); }
}

async function main() {
  const nodePort = await port(), admin = await port(), relayPort = await port(), originPort = await port(), p = await port();
  fs.chmodSync(TMP, 0o755);      // nginx workers started by root run as nobody
  fs.writeFileSync(path.join(TMP, "node.yaml"), "listen: 127.0.0.1:" + nodePort + "\nadmin_listen: 127.0.0.1:" + admin +
    "\nmode: block\n");
  const node = api.start(EDGENODE, ["--config", path.join(TMP, "node.yaml")]);
  if (!(await api.waitPort(nodePort, 10000))) throw new Error("edgenode did not start: " + node.log);
  const counter = await relay(relayPort, nodePort);
  const bodies = [];
  const origin = await serve(originPort, async function (req, res) { bodies.push(await readBody(req)); res.end("origin\n"); });
  const dir = path.join(TMP, "bundle");
  execFileSync(BUNDLEGEN, ["generate", "kong", "--endpoint", "http://127.0.0.1:" + relayPort, "--set", "block_status=403",
    "--set", "send_request_body=true", "--set", "request_body_limit=128k", "--set", "keepalive_timeout=" + IDLE_MS + "ms",
    "--set", "keepalive_pool_size=4", "--set", "report_response=false", "--out", dir + ".zip"], { cwd: ROOT, stdio: "ignore" });
  execFileSync("python3", ["tests/unpack.py", dir + ".zip", dir], { cwd: ROOT });
  await host(api, { dir: dir, port: p, origin: "http://127.0.0.1:" + originPort, bodyBuffer: "8k" });

  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push(await ask(p, "GET", "/hello?i=" + i));
  check("five requests pass", statuses.every(function (s) { return s === 200; }), statuses.join(","));
  check("the node accepted one connection for them (keepalive pool)", counter.accepted() === 1, counter.accepted() + " connections");

  const big = "a".repeat(64 * 1024) + ATTACK_BODY;      // beyond the 8k buffer: nginx spools it to a file
  const b0 = bodies.length;
  check("an attack at the end of a 64 KB body (spooled to a file) is blocked", await ask(p, "POST", "/comment", big) === 403 &&
    bodies.length === b0);
  const benign = "b".repeat(64 * 1024);
  check("a benign 64 KB body passes and reaches the origin whole", await ask(p, "POST", "/comment", benign) === 200 &&
    bodies.length === b0 + 1 && bodies[b0].length === benign.length);
  check("still one node connection after the bodies", counter.accepted() === 1, counter.accepted() + " connections");

  await new Promise(function (r) { setTimeout(r, IDLE_MS + 500); });
  check("after keepalive_timeout idle a request passes", await ask(p, "GET", "/hello?late=1") === 200);
  check("and the node accepted a new connection", counter.accepted() === 2, counter.accepted() + " connections");
  counter.server.close();
  origin.close();
}

main().catch(function (e) { check("kong pool set-up", false, e && e.stack ? e.stack : String(e)); })
  .finally(function () { T.finish(TMP); });
