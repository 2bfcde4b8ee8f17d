// run.js -- end-to-end runner: generates bundles, runs them in workerd, lambda-local and the vendor
// module harnesses against a real edgenode and an origin stand-in on loopback; prints "N passed, N failed, N skipped" (tests/lib/suite.js).
// Usage: node tests/e2e/run.js [PLATFORM...]   (env EDGENODE, BUNDLEGEN: program paths)
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const net = require("node:net");
const http = require("node:http");
const { spawn, execFileSync } = require("node:child_process");
const { Results } = require("../lib/suite.js");

const ROOT = path.resolve(__dirname, "..", "..");
const EDGENODE = path.resolve(ROOT, process.env.EDGENODE || "build/edgenode");
const BUNDLEGEN_BUILT = path.resolve(ROOT, process.env.BUNDLEGEN || "build/bundlegen");
const WORKERD = path.join(ROOT, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
const MARGIN_MS = 3000;           // runtime start-up and scheduling slack on top of a timeout
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "connectors-e2e-"));
const BUNDLEGEN = path.join(TMP, "bundlegen");   // a copy: a rebuild during the run cannot touch it
const children = [];

/* ---------- small helpers ---------- */

function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

const R = new Results();
function check(name, ok, detail) { return R.check(name, ok, detail); }

function freePort() {
  return new Promise(function (resolve, reject) {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", function () { const p = s.address().port; s.close(function () { resolve(p); }); });
  });
}

async function waitPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise(function (resolve) {
      const c = net.connect(port, "127.0.0.1");
      c.once("connect", function () { c.destroy(); resolve(true); });
      c.once("error", function () { resolve(false); });
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

function start(cmd, args, opts) {
  const child = spawn(cmd, args, Object.assign({ stdio: ["ignore", "pipe", "pipe"] }, opts));
  child.log = "";
  child.stdout.on("data", function (d) { child.log += d; });
  child.stderr.on("data", function (d) { child.log += d; });
  children.push(child);
  return child;
}

function stop(child) {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
}

/** One HTTP request to the connector; resolves to {status, body, ms}. */
function ask(port, method, pathQuery, opts) {
  const o = opts || {};
  return new Promise(function (resolve) {
    const t0 = Date.now();
    const headers = Object.assign({ Host: o.host || "127.0.0.1" }, o.headers || {});
    if (o.body) headers["Content-Type"] = "text/plain";
    const req = http.request({ host: "127.0.0.1", port: port, method: method, path: pathQuery, headers: headers,
      agent: false }, function (res) {
      const parts = [];
      res.on("data", function (c) { parts.push(c); });
      res.on("end", function () { resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString(), ms: Date.now() - t0 }); });
    });
    req.setTimeout(20000, function () { req.destroy(new Error("client timeout")); });
    req.on("error", function (e) { resolve({ status: 0, body: String(e), ms: Date.now() - t0 }); });
    req.end(o.body);
  });
}

/* ---------- origin stand-in, slow listener, edgenode ---------- */

function startOrigin(port) {
  const seen = [];
  const server = http.createServer(function (req, res) {
    const parts = [];
    req.on("data", function (c) { parts.push(c); });
    req.on("end", function () {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(parts).toString() });
      res.setHeader("content-type", "text/plain");
      res.setHeader("x-origin", "stand-in");
      if (req.url.indexOf(PROBE_PATH) === 0) {     // a backend vulnerable to SQL injection, for passive detection
        res.statusCode = 500;
        res.end("You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version\n");
        return;
      }
      res.end("origin says hi " + req.url + "\n");
    });
  });
  return new Promise(function (resolve) { server.listen(port, "127.0.0.1", function () { resolve({ server: server, seen: seen }); }); });
}

/** Accepts connections and never answers: a node that is too slow. */
function startSlow(port) {
  const socks = new Set();
  let accepted = 0;
  const server = net.createServer(function (s) { accepted++; socks.add(s); s.on("error", function () {}); s.on("close", function () { socks.delete(s); }); });
  return new Promise(function (resolve) {
    server.listen(port, "127.0.0.1", function () {
      resolve({ server: server, accepted: function () { return accepted; },
        close: function () { for (const s of socks) s.destroy(); server.close(); } });
    });
  });
}

/** Answers every request with 503 after ms: a node endpoint that fails slowly (overloaded, or a proxy in
 *  front of a dead node). */
function startLate(port, ms) {
  const server = http.createServer(function (req, res) {
    req.resume();
    const t = setTimeout(function () { res.statusCode = 503; res.end("busy\n"); }, ms);
    res.on("close", function () { clearTimeout(t); });
  });
  return new Promise(function (resolve) { server.listen(port, "127.0.0.1", function () { resolve(server); }); });
}

/** Starts an edgenode that accepts only `token`; name tells its files apart. */
async function startNode(token, name) {
  const port = await freePort(), admin = await freePort();
  const events = path.join(TMP, name + "-events.jsonl");
  const config = path.join(TMP, name + ".yaml");
  fs.writeFileSync(config, "listen: 127.0.0.1:" + port + "\nadmin_listen: 127.0.0.1:" + admin + "\nmode: block\nevents: " + events +
    "\ntokens: [\"" + token + "\"]\nroutes:\n  - path: " + PROBE_PATH + "\n    mode: monitoring\n");
  const child = start(EDGENODE, ["--config", config], { cwd: ROOT });
  if (!(await waitPort(port, 10000)) || !(await waitPort(admin, 5000))) throw new Error("edgenode did not start: " + child.log);
  return { url: "http://127.0.0.1:" + port, port: port, admin: admin, events: events, child: child };
}

/** edgenode_requests_total summed by message type, and a few other counters. */
async function nodeCounts(node) {
  const text = await (await fetch("http://127.0.0.1:" + node.admin + "/metrics")).text();
  const out = { request: 0, response: 0, async: 0, tokenRejected: 0, reported2xx: 0, sqlErrors: 0 };
  for (const line of text.split("\n")) {
    const v = line.match(/^edgenode_vulnerabilities_total\{class="sql_error"\}\s+(\d+)/);
    if (v) out.sqlErrors = Number(v[1]);
    const rej = line.match(/^edgenode_rejected_total\{reason="token"\}\s+(\d+)/);
    if (rej) out.tokenRejected = Number(rej[1]);
    const st = line.match(/^edgenode_response_status_total\{class="2xx"\}\s+(\d+)/);
    if (st) out.reported2xx = Number(st[1]);
    const m = line.match(/^edgenode_requests_total\{([^}]*)\}\s+(\d+)/);
    if (!m) continue;
    const t = m[1].match(/type="([^"]+)"/);
    if (t) out[t[1]] = (out[t[1]] || 0) + Number(m[2]);
  }
  return out;
}

function eventCount(node) {
  try { return fs.readFileSync(node.events, "utf8").split("\n").filter(Boolean).length; } catch (e) { return 0; }
}

function lastEvent(node) {
  try {
    const lines = fs.readFileSync(node.events, "utf8").split("\n").filter(Boolean);
    return JSON.parse(lines[lines.length - 1]);
  } catch (e) { return null; }
}

async function until(fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await sleep(50);
  }
}

/* ---------- bundles ---------- */

// Durations given as numbers are milliseconds; --set wants the unit.
const DURATIONS = new Set(["connect_timeout", "request_timeout", "retry_interval"]);

function setText(v, name) {
  if (Array.isArray(v)) return v.join(",");
  if (typeof v === "number" && DURATIONS.has(name)) return v + "ms";
  return String(v);
}

/** Generates platform id with endpoints and settings (typed values); returns the bundle's folder. */
function generate(id, endpoints, settings, tag) {
  const dir = path.join(TMP, id + "-" + tag);
  fs.mkdirSync(dir, { recursive: true });
  const args = ["generate", id];
  for (const e of endpoints) args.push("--endpoint", e);
  for (const k of Object.keys(settings)) args.push("--set", k + "=" + setText(settings[k], k));
  const out = path.join(TMP, id + "-" + tag + ".bundle");
  args.push("--out", out);
  execFileSync(BUNDLEGEN, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  // The archives inside (an Apigee shared flow, an API Connect policy) unpacked as the platform reads them.
  execFileSync("python3", [path.join(ROOT, "tests", "unpack.py"), out, dir]);
  // A Fastly package holds one folder named after the package.
  const entries = fs.readdirSync(dir);
  if (entries.length === 1 && fs.statSync(path.join(dir, entries[0])).isDirectory()) return path.join(dir, entries[0]);
  return dir;
}

/* ---------- platform hosts ---------- */

const AKAMAI_NAMES = ["node-a.edge.test", "node-b.edge.test", "node-c.edge.test"];

/** The workerd config; bindings: {NAME: value}, a string as a text binding (what a Worker secret or
 *  a string var is), anything else as a JSON binding (a var given as a TOML array or table). An ES
 *  module Worker gets, after its main module, the bundle's other modules (more: file names) under
 *  their names, as wrangler uploads them, so that "./config.js" resolves. */
function capnp(port, file, esm, bindings, more) {
  const mods = [file].concat(more || []).map(function (f) {
    return "(name = " + JSON.stringify(f) + ", esModule = embed " + JSON.stringify(f) + ")"; });
  const code = esm ? "modules = [ " + mods.join(", ") + " ]"
                   : "serviceWorkerScript = embed \"" + file + "\"";
  const list = Object.keys(bindings || {}).map(function (k) {
    const v = bindings[k];
    return "(name = " + JSON.stringify(k) + ", " + (typeof v === "string" ? "text = " + JSON.stringify(v)
      : "json = " + JSON.stringify(JSON.stringify(v))) + ")";
  });
  return "using Workerd = import \"/workerd/workerd.capnp\";\n" +
    "const config :Workerd.Config = (\n" +
    "  services = [ (name = \"main\", worker = .connector),\n" +
    "               (name = \"net\", network = (allow = [\"public\", \"private\", \"local\"])) ],\n" +
    "  sockets = [ (name = \"http\", address = \"127.0.0.1:" + port + "\", http = (), service = \"main\") ],\n" +
    ");\n" +
    "const connector :Workerd.Worker = (\n  " + code + ",\n" +
    (list.length ? "  bindings = [ " + list.join(", ") + " ],\n" : "") +
    "  compatibilityDate = \"2024-09-23\",\n  globalOutbound = \"net\",\n);\n";
}

/** Platform table: the bundle's view of endpoints and how to host it. */
const PLATFORMS = {
  cloudflare: { body: true, report: true, page: true, host: function (h) { return hostWorkerd(h, "worker.js", true, ["config.js"]); } },
  azion: { body: true, report: true, page: true, host: function (h) {
    // Azion's environment variables stand in as Azion.env.get over the json binding AZION_ENV, set
    // as the README says (secrets/token as EDGE_TOKEN when not empty), then h.env (a test's values).
    const token = fs.readFileSync(path.join(h.dir, "secrets", "token"), "utf8");
    const vars = Object.assign(token ? { EDGE_TOKEN: token } : {}, h.env || {});
    fs.writeFileSync(path.join(h.dir, "azion-run.js"), "globalThis.Azion = { env: { get: function (k) {\n" +
      "  return Object.prototype.hasOwnProperty.call(AZION_ENV, k) ? String(AZION_ENV[k]) : null; } } };\n" +
      fs.readFileSync(path.join(__dirname, "azion-firewall.js"), "utf8") +
      fs.readFileSync(path.join(h.dir, "function.js"), "utf8"));
    return hostWorkerd(Object.assign({}, h, { bindings: { AZION_ENV: vars } }), "azion-run.js", false);
  } },
  fastly: { body: true, report: true, page: true, host: function (h) {
    const map = { origin: h.origin };
    h.real.forEach(function (u, i) { map["node_" + (i + 1)] = u; });
    // The service as its README sets it up: secrets/token uploaded to the secret store when not
    // empty; then h.stores and h.backends (what a test changes on the service).
    const token = fs.readFileSync(path.join(h.dir, "secrets", "token"), "utf8");
    const stores = token ? { secret: { edge_connector: { token: token } } } : {};
    for (const kind of Object.keys(h.stores || {})) stores[kind] = Object.assign(stores[kind] || {}, h.stores[kind]);
    return hostNode(h, "host-fastly.mjs", [JSON.stringify(Object.assign(map, h.backends || {})), JSON.stringify(stores)]);
  } },
  cloudfront: { body: true, report: true, responseBody: false, page: true, stoppedStatus: 503, budget2: "2250ms", host: function (h) { return hostNode(h, "host-cloudfront.js", [h.origin]); } },
  apigateway: { body: false, report: false, page: false, stoppedStatus: 500, budget2: "4500ms", host: function (h) {
    // Deployed as its README says: secrets/token becomes EDGE_TOKEN; then h.env (the test's parameters).
    const env = { EDGE_TOKEN: fs.readFileSync(path.join(h.dir, "secrets", "token"), "utf8") };
    return hostNode(h, "host-apigateway.js", [h.origin, JSON.stringify(Object.assign(env, h.env || {}))]);
  } },
  akamai: { body: true, report: true, responseBody: false, page: true, akamaiNames: true, hostName: "www.example.test",
    stoppedStatus: 500, budget2: "2500ms", host: function (h) {
    const map = {};
    h.real.forEach(function (u, i) { map[AKAMAI_NAMES[i]] = u; });
    Object.assign(map, h.hostMap || {});
    // The property as the README sets it up: PMUSER_EDGE_TOKEN holds the token the bundle was
    // generated with (the bundle itself has none); then h.vars (what a test changes on the property).
    const vars = Object.assign(h.token ? { PMUSER_EDGE_TOKEN: h.token } : {}, h.vars || {});
    return hostNode(h, "host-akamai.mjs", [h.origin, JSON.stringify(map), String(h.wallMs || 8000), JSON.stringify(vars)]);
  } }
};

/* Harness folders add their platforms: tests/e2e/<name>/platform.js exports fn(api) -> {id: entry}.
 * They run when named on the command line, so each platform family keeps its own suite. */
const HARNESS_IDS = [];
for (const d of fs.readdirSync(__dirname)) {
  const f = path.join(__dirname, d, "platform.js");
  if (!fs.existsSync(f)) continue;
  const more = require(f)({ start: start, waitPort: waitPort, hostNode: hostNode });
  for (const id of Object.keys(more)) { PLATFORMS[id] = more[id]; HARNESS_IDS.push(id); }
}

/** Hosts a Worker as deployed: the bundle's secrets.json uploaded as secrets (`wrangler secret
 *  bulk secrets.json`, as its README says), then h.bindings (secrets and vars set on the Worker). */
async function hostWorkerd(h, file, esm, more) {
  const secrets = path.join(h.dir, "secrets.json");
  const bindings = Object.assign(fs.existsSync(secrets) ? JSON.parse(fs.readFileSync(secrets, "utf8")) : {}, h.bindings || {});
  fs.writeFileSync(path.join(h.dir, "config.capnp"), capnp(h.port, file, esm, bindings, more));
  const child = start(WORKERD, ["serve", "config.capnp"], { cwd: h.dir });
  if (!(await waitPort(h.port, 15000))) throw new Error("workerd did not start: " + child.log);
  return child;
}

async function hostNode(h, script, extra) {
  const child = start(process.execPath, [path.join(__dirname, script), h.dir, String(h.port)].concat(extra), { cwd: ROOT });
  if (!(await waitPort(h.port, 15000))) throw new Error(script + " did not start: " + child.log);
  return child;
}

/** Generates and hosts one bundle; returns {port, child}. real: the loopback URLs of the endpoints. */
async function launch(id, real, settings, tag, origin) {
  const p = PLATFORMS[id];
  const endpoints = p.akamaiNames ? real.map(function (u, i) { return "https://" + AKAMAI_NAMES[i]; }) : real;
  const dir = generate(id, endpoints, settings, tag);
  const port = await freePort();
  const child = await p.host({ dir: dir, port: port, real: real, origin: origin, token: settings.token });
  return { port: port, child: child };
}

/* ---------- scenarios ---------- */

const TOKEN = "e2e-token-0123456789abcdef";
const STORE_TOKEN = "store-token-0123456789abcdef";   // the only token the second node accepts
const JS_FAMILY = ["cloudflare", "azion", "fastly", "cloudfront", "apigateway", "akamai"];
const ATTACK_QUERY = "/search?id=1%27%20OR%20%271%27%3D%271";
const ATTACK_BODY = "<script>alert(1)</script>";
const PROBE_PATH = "/probe/";     // a monitoring route on the node; the origin answers it with an SQL error

async function scenarios(id, env) {
  const p = PLATFORMS[id];
  const H = { host: "127.0.0.1:" + env.originPort };
  const seen = env.origin.seen;
  const base = { request_timeout: "1000ms", token: TOKEN };

  // Inline, node up: pass, block with the configured page, bodies, static skip, response report.
  {
    const s = Object.assign({}, base, { skip_extensions: ["css", "png"], real_ip_header: "X-Client-IP" });
    if (p.body) s.request_body_limit = 1024;
    const hostHeader = JS_FAMILY.indexOf(id) >= 0;   // the original host from a header, as configured
    if (hostHeader) s.host_header = "X-Original-Host";
    if (p.page) Object.assign(s, { block_status: 406, block_page: "<h1>Blocked by policy</h1>" });
    if (p.report) s.report_response = true;
    if (p.report && p.body && p.responseBody !== false) s.send_response_body = true;
    const c = await launch(id, [env.node.url], s, "inline", env.originUrl);
    const n0 = await nodeCounts(env.node), seen0 = seen.length;
    const ok = await ask(c.port, "GET", "/hello?q=1", H);
    const n1 = await nodeCounts(env.node);
    check(id + " inline: benign request reaches the origin", ok.status === 200 && ok.body.indexOf("origin says hi /hello?q=1") === 0 &&
      seen.length === seen0 + 1, ok.status + " " + ok.body.slice(0, 80));
    check(id + " inline: the node received the benign request", n1.request === n0.request + 1, JSON.stringify([n0, n1]));
    if (p.report) {
      check(id + " inline: the origin's answer is reported with its status", await until(async function () {
        const n = await nodeCounts(env.node);
        return n.response >= n0.response + 1 && n.reported2xx >= n0.reported2xx + 1; }, 3000));
    }
    const ev0 = eventCount(env.node), seen1 = seen.length, n2 = await nodeCounts(env.node);
    const bad = await ask(c.port, "GET", ATTACK_QUERY, Object.assign({ headers: { "X-Client-IP": "198.51.100.7",
      "X-Original-Host": "api.example.test" } }, H));
    const n3 = await nodeCounts(env.node);
    const want = p.page ? 406 : 403;
    check(id + " inline: attack gets " + want + (p.page ? " with the block page" : ""), bad.status === want &&
      (!p.page || bad.body === "<h1>Blocked by policy</h1>"), bad.status + " " + bad.body.slice(0, 80));
    check(id + " inline: attack never reaches the origin", seen.length === seen1);
    check(id + " inline: the node received and recorded the attack", n3.request === n2.request + 1 &&
      await until(function () { return eventCount(env.node) > ev0; }, 2000), JSON.stringify([n2, n3]));
    const ev = lastEvent(env.node);
    check(id + " inline: the node's event carries the request id, connector, original host and client address", ev && /^[0-9a-f]{32}$/.test(ev.request_id) &&
      ev.connector.indexOf(id + "/") === 0 && ev.host === (hostHeader ? "api.example.test" : p.hostName || H.host.split(":")[0]) && ev.client === "198.51.100.7", JSON.stringify(ev));
    // The shapes that once went unanswered or got 431 from the node, so that connectors failed open
    // (tests/node/shapes/ has them all): the attack after 240 parameters, and under a 7 KB cookie.
    const seenBig = seen.length;
    const many = await ask(c.port, "GET", "/search?" + Array.from({ length: 240 }, function (_, i) { return "p" + i + "=v" + i; }).join("&") +
      "&id=1%27%20OR%20%271%27%3D%271", H);
    check(id + " inline: an attack after 240 query parameters gets " + want, many.status === want, many.status + "");
    const jar = await ask(c.port, "GET", ATTACK_QUERY, Object.assign({ headers: { Cookie: "session=" + "c".repeat(7000) } }, H));
    check(id + " inline: an attack with a 7 KB cookie gets " + want, jar.status === want, jar.status + "");
    check(id + " inline: neither reaches the origin", seen.length === seenBig);
    if (p.body) {
      const seen2 = seen.length;
      const post = await ask(c.port, "POST", "/comment", Object.assign({ body: "hello there" }, H));
      check(id + " inline: a benign body reaches the origin intact", post.status === 200 && seen.length === seen2 + 1 &&
        seen[seen.length - 1].body === "hello there", post.status + " " + post.body.slice(0, 80));
      const xss = await ask(c.port, "POST", "/comment", Object.assign({ body: ATTACK_BODY }, H));
      check(id + " inline: an attack in the body is blocked", xss.status === want && seen.length === seen2 + 1, xss.status + "");
      const long = "a".repeat(2000) + ATTACK_BODY;
      const past = await ask(c.port, "POST", "/comment", Object.assign({ body: long }, H));
      check(id + " inline: the node sees only request_body_limit bytes, the origin the whole body", past.status === 200 &&
        seen.length === seen2 + 2 && seen[seen.length - 1].body === long, past.status + "");
    }
    if (id === "cloudflare") {
      // Passive vulnerability detection: an injection on a monitoring route reaches the origin, whose
      // SQL error comes back to the node in the response report and is recorded as a finding.
      const v0 = await nodeCounts(env.node);
      const probe = await ask(c.port, "GET", PROBE_PATH + "items?id=1%27%20UNION%20SELECT%20a%2Cb%20FROM%20users--", H);
      check(id + " passive: an injection on a monitoring route reaches the origin", probe.status === 500, probe.status + "");
      check(id + " passive: the reported SQL error is a vulnerability finding", await until(async function () {
        return (await nodeCounts(env.node)).sqlErrors >= v0.sqlErrors + 1; }, 3000));
      const vev = fs.readFileSync(env.node.events, "utf8").split("\n").filter(function (l) { return l.indexOf('"type":"vulnerability"') >= 0; });
      const last = vev.length ? JSON.parse(vev[vev.length - 1]) : null;
      check(id + " passive: the event names the endpoint, class, evidence and attack, not the body", last &&
        last.endpoint === PROBE_PATH + "items" && last.class === "sql_error" && last.evidence === "mysql_error" &&
        last.after_attack === "sqli" && vev[vev.length - 1].indexOf("SQL syntax") < 0, JSON.stringify(last));
    }
    const n4 = await nodeCounts(env.node), seen3 = seen.length;
    const css = await ask(c.port, "GET", "/style.css?id=1%27%20OR%20%271%27%3D%271", H);
    const n5 = await nodeCounts(env.node);
    check(id + " inline: static files skip the node", css.status === 200 && seen.length === seen3 + 1 && n5.request === n4.request,
      css.status + " " + JSON.stringify([n4, n5]));
    if (id === "apigateway") {
      const H1 = Object.assign({}, H, { headers: { "X-Harness-Payload": "1.0" } });
      const r1 = await ask(c.port, "GET", "/hello?q=2", H1), r2 = await ask(c.port, "GET", ATTACK_QUERY, H1);
      check(id + " inline: REST payload 1.0 gets Allow, then Deny for an attack", r1.status === 200 && r2.status === 403, r1.status + " " + r2.status);
    }
    stop(c.child);
  }

  // Node down: fail open within the timeout plus a margin.
  {
    const c = await launch(id, [env.downUrl], Object.assign({}, base), "down", env.originUrl);
    const seen0 = seen.length;
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    check(id + " node down: the request reaches the origin (fail open)", r.status === 200 && seen.length === seen0 + 1 &&
      r.ms < 1000 + MARGIN_MS, r.status + " in " + r.ms + " ms");
    stop(c.child);
  }

  // A wrong token: the node refuses to analyse (401), which is a failure, so the request passes. Response
  // reports (on by default on gateways) are off, so that only the request's refusal is counted.
  {
    const s = Object.assign({}, base, { token: "wrong-token-0123456789" }, p.report ? { report_response: false } : {});
    const c = await launch(id, [env.node.url], s, "token", env.originUrl);
    const seen0 = seen.length, n0 = await nodeCounts(env.node);
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    const n1 = await nodeCounts(env.node);
    check(id + " wrong token: the node refuses it and the request fails open", r.status === 200 && seen.length === seen0 + 1 &&
      n1.tokenRejected === n0.tokenRejected + 1, r.status + " " + JSON.stringify([n0, n1]));
    stop(c.child);
  }

  // Node too slow, with one retry: fail open after two timeouts and the retry interval. A platform whose
  // handler has one time limit for the whole exchange (p.budget: Apigee's JavaScript timeLimit, the
  // worst case of the calls plus p.budget ms) passes at it.
  {
    const s = Object.assign({}, base, { request_timeout: "300ms", retries: 1 });
    if (!p.budget) s.retry_interval = "100ms";
    const c = await launch(id, [env.slowUrl], s, "slow", env.originUrl);
    const seen0 = seen.length, acc0 = env.slow.accepted();
    const r = await ask(c.port, "GET", "/hello?slow=1", H);
    const least = p.budget ? 600 + p.budget : 600;
    check(id + " node too slow: the request reaches the origin after " + (p.budget ? "the time budget" : "timeout and retry"),
      r.status === 200 && seen.length === seen0 + 1 && r.ms >= least && r.ms < least + 100 + MARGIN_MS, r.status + " in " + r.ms + " ms");
    if (!p.budget)
      check(id + " node too slow: the retry opened a second exchange", env.slow.accepted() >= acc0 + 2, (env.slow.accepted() - acc0) + " connections");
    stop(c.child);
  }

  // CloudFront, API Gateway, Akamai: the harness stops the handler where the platform does (the
  // timeout of the bundle's template.yaml; responseProvider's wall time). Two slow endpoints at the
  // largest request_timeout generate allows still fail open within it; with the limit cut to 1 s
  // (the template's timeout, or the host's wall time) the same bundle is stopped with the
  // platform's 5xx, which shows the stand-in enforces the limit.
  if (p.stoppedStatus) {
    // Akamai awaits its report within the same wall time, so the budget holds two exchanges then: off here.
    const s = Object.assign({}, base, { request_timeout: p.budget2 }, p.akamaiNames ? { report_response: false } : {});
    const real = [env.slowUrl, env.slowUrl];
    const dir = generate(id, p.akamaiNames ? real.map(function (u, i) { return "https://" + AKAMAI_NAMES[i]; }) : real, s, "budget");
    const wait = 2 * parseInt(p.budget2, 10);
    let port = await freePort(), child = await p.host({ dir: dir, port: port, real: real, origin: env.originUrl });
    let seen0 = seen.length;
    let r = await ask(port, "GET", "/hello?budget=1", H);
    check(id + " two slow endpoints at the time budget: fails open after " + wait + " ms, within the platform's limit",
      r.status === 200 && seen.length === seen0 + 1 && r.ms >= wait && r.ms < wait + MARGIN_MS, r.status + " in " + r.ms + " ms");
    stop(child);
    if (!p.akamaiNames) {
      const t = fs.readFileSync(path.join(dir, "template.yaml"), "utf8");
      fs.writeFileSync(path.join(dir, "template.yaml"), t.replace(/^( {6}Timeout: )\d+$/m, "$11"));
    }
    port = await freePort();
    child = await p.host({ dir: dir, port: port, real: real, origin: env.originUrl, wallMs: 1000, token: TOKEN });
    seen0 = seen.length;
    r = await ask(port, "GET", "/hello?stopped=1", H);
    check(id + " a limit shorter than the connector's wait: the harness stops it at 1 s with " + p.stoppedStatus,
      r.status === p.stoppedStatus && seen.length === seen0 && r.ms >= 1000 && r.ms < 1000 + MARGIN_MS, r.status + " in " + r.ms + " ms");
    stop(child);
  }

  // Fail closed: a slow node gets the failure answer and the origin is not reached.
  {
    const s = Object.assign({}, base, { request_timeout: "300ms", fail_mode: "closed" });
    if (p.page) s.fail_status = 599;
    const c = await launch(id, [env.slowUrl], s, "closed", env.originUrl);
    const seen0 = seen.length;
    const r = await ask(c.port, "GET", "/hello?closed=1", H);
    const want = p.page ? 599 : 403;
    check(id + " fail closed: a slow node gets " + want, r.status === want && seen.length === seen0 && r.ms < 300 + MARGIN_MS,
      r.status + " in " + r.ms + " ms");
    stop(c.child);
  }

  // Async: never blocks, the node still records the attack.
  {
    const c = await launch(id, [env.node.url], Object.assign({}, base, { mode: "async" }), "async", env.originUrl);
    const seen0 = seen.length, ev0 = eventCount(env.node), n0 = await nodeCounts(env.node);
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    check(id + " async: the attack reaches the origin", r.status === 200 && seen.length === seen0 + 1, r.status + "");
    check(id + " async: the node received the copy and recorded the attack", await until(async function () {
      return (await nodeCounts(env.node)).async >= n0.async + 1 && eventCount(env.node) > ev0; }, 3000));
    stop(c.child);
  }

  // Async with a node too slow to answer: the request still goes on within the timeout.
  {
    const c = await launch(id, [env.slowUrl], Object.assign({}, base, { mode: "async", request_timeout: "300ms" }), "async-slow", env.originUrl);
    const seen0 = seen.length;
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    check(id + " async, node too slow: the request reaches the origin within the timeout", r.status === 200 &&
      seen.length === seen0 + 1 && r.ms < 300 + MARGIN_MS, r.status + " in " + r.ms + " ms");
    stop(c.child);
  }

  if (p.budget) await budgetScenarios(id, env, H);
  if (STORES[id]) await storeScenarios(id, env, H);
  if (id === "azion") await azionFirewallScenarios(env, H);

  // Failover: the first endpoint is down, the second decides.
  {
    const c = await launch(id, [env.downUrl, env.node.url], Object.assign({}, base), "failover", env.originUrl);
    const seen0 = seen.length, n0 = await nodeCounts(env.node);
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    const n1 = await nodeCounts(env.node);
    check(id + " failover: the second endpoint blocks the attack", r.status === 403 && seen.length === seen0 &&
      n1.request === n0.request + 1, r.status + " " + JSON.stringify([n0, n1]));
    stop(c.child);
  }
}

/* A handler with one time limit for the whole exchange (Apigee's JavaScript timeLimit): the limit is
 * the bundle's time budget, every attempt at request_timeout plus p.budget ms for the script, so a
 * failover attempt gets its turn after a first endpoint that fails slowly. The client has no per-call
 * timeout (Apigee's httpClient), so an endpoint that never answers holds the exchange until the limit. */
async function budgetScenarios(id, env, H) {
  const p = PLATFORMS[id], seen = env.origin.seen;
  const s = { request_timeout: "300ms", token: TOKEN, report_response: false };
  const limit = 2 * 300 + p.budget;

  // The first endpoint answers 503 after 250 ms, most of its request_timeout: the second still decides.
  {
    const c = await launch(id, [env.lateUrl, env.node.url], s, "budget-late", env.originUrl);
    const seen0 = seen.length, n0 = await nodeCounts(env.node);
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    const n1 = await nodeCounts(env.node);
    check(id + " time budget: after a first endpoint failing in 250 of its 300 ms, the second blocks the attack within " + limit + " ms",
      r.status === 403 && seen.length === seen0 && n1.request === n0.request + 1 && r.ms >= 250 && r.ms < limit + MARGIN_MS,
      r.status + " in " + r.ms + " ms " + JSON.stringify([n0, n1]));
    stop(c.child);
  }
  // The first endpoint never answers: the exchange ends at the limit and fails open; the second is not
  // reached, since nothing ends the first call before the limit.
  {
    const c = await launch(id, [env.slowUrl, env.node.url], s, "budget-hang", env.originUrl);
    const seen0 = seen.length, n0 = await nodeCounts(env.node);
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    const n1 = await nodeCounts(env.node);
    check(id + " time budget: a first endpoint that never answers holds the exchange to the limit, " + limit + " ms, then fails open",
      r.status === 200 && seen.length === seen0 + 1 && n1.request === n0.request && r.ms >= limit && r.ms < limit + MARGIN_MS,
      r.status + " in " + r.ms + " ms");
    stop(c.child);
  }
  // Both endpoints dead with a retry round, 2 x 2 x 300 ms + the margin at most: refused connections
  // fail open at once, endpoints that never answer at the limit.
  const most = 2 * 2 * 300 + p.budget;
  for (const [what, url, atLimit] of [["down", env.downUrl, false], ["never answer", env.slowUrl, true]]) {
    const c = await launch(id, [url, url], Object.assign({}, s, { retries: 1 }), "budget-" + (atLimit ? "slow2" : "down2"), env.originUrl);
    const seen0 = seen.length;
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    check(id + " time budget: both endpoints " + what + ", with a retry round: fails open " + (atLimit ? "at" : "within") + " the limit, " + most + " ms",
      r.status === 200 && seen.length === seen0 + 1 && (atLimit ? r.ms >= most && r.ms < most + MARGIN_MS : r.ms < most),
      r.status + " in " + r.ms + " ms");
    stop(c.child);
  }
}

/* Cloudflare, Fastly, API Gateway, Akamai and Azion: the token lives only in the platform's store,
 * and the store (Worker variables; Fastly's config store and backends; the Lambda environment;
 * property variables; Azion's environment variables) may replace the generated endpoints and mode. The
 * same bundle runs with what it was generated with (its secret file uploaded as the README says),
 * then with a store holding another token and endpoint: a second node that accepts only that token. */
/** Environment variables EDGE_* (API Gateway's Lambda, Azion), the token from secrets/token. */
const ENV_STORE = {
  secretFile: path.join("secrets", "token"),
  secretOf: function (text) { return text; },
  noSecret: "",
  override: function (o) {
    const e = {};
    if (o.token) e.EDGE_TOKEN = o.token;
    if (o.endpoints) e.EDGE_ENDPOINTS = o.endpoints.join(",");
    if (o.mode) e.EDGE_MODE = o.mode;
    return { env: e };
  }
};
const STORES = {
  cloudflare: {
    secretFile: "secrets.json",
    secretOf: function (text) { return JSON.parse(text).EDGE_TOKEN || ""; },
    noSecret: "{}",
    override: function (o) {
      const b = {};
      if (o.token) b.EDGE_TOKEN = o.token;
      if (o.endpoints) b.EDGE_ENDPOINTS = o.endpoints.length === 1 ? o.endpoints[0] : o.endpoints;
      if (o.mode) b.EDGE_MODE = o.mode;
      return { bindings: b };
    },
    how: "EDGE_TOKEN and EDGE_ENDPOINTS"
  },
  fastly: {
    secretFile: path.join("secrets", "token"),
    secretOf: function (text) { return text; },
    noSecret: "",
    // Endpoints are the service's backends: the test points node_1 (and node_2) elsewhere.
    override: function (o) {
      const x = { stores: {}, backends: {} };
      if (o.token) x.stores.secret = { edge_connector: { token: o.token } };
      if (o.mode) x.stores.config = { edge_connector: { mode: o.mode } };
      (o.endpoints || []).forEach(function (u, i) { x.backends["node_" + (i + 1)] = u; });
      return x;
    },
    how: "the secret store's token and the backend node_1"
  },
  apigateway: Object.assign({
    how: "the environment's EDGE_TOKEN and EDGE_ENDPOINTS"
  }, ENV_STORE),
  azion: Object.assign({
    how: "Azion's EDGE_TOKEN and EDGE_ENDPOINTS"
  }, ENV_STORE),
  akamai: {
    secretFile: null,     // the bundle is uploaded as code: the token is in none of its files
    // Endpoints are property hostnames: the store's node is served as store.edge.test.
    override: function (o) {
      const v = {}, hostMap = {};
      if (o.token) v.PMUSER_EDGE_TOKEN = o.token;
      if (o.endpoints) {
        v.PMUSER_EDGE_ENDPOINTS = o.endpoints.map(function (u, i) {
          const name = "store-" + i + ".edge.test";
          hostMap[name] = u;
          return "https://" + name;
        }).join(",");
      }
      if (o.mode) v.PMUSER_EDGE_MODE = o.mode;
      return { vars: v, hostMap: hostMap };
    },
    how: "PMUSER_EDGE_TOKEN and PMUSER_EDGE_ENDPOINTS"
  }
};

/* Azion's Edge Firewall variant: the function must end with event.deny() or event.continue() (the
 * stand-in in azion-firewall.js marks each outcome in x-azion-outcome; continue goes to the origin). */
async function azionFirewallScenarios(env, H) {
  const seen = env.origin.seen;
  const fw = { request_timeout: "1000ms", token: TOKEN, azion_function: "firewall" };
  const outcome = function (r) { return r.headers["x-azion-outcome"]; };
  {
    const c = await launch("azion", [env.node.url], fw, "firewall", env.originUrl);
    const n0 = await nodeCounts(env.node), seen0 = seen.length;
    const a = await ask(c.port, "GET", ATTACK_QUERY, H);
    const n1 = await nodeCounts(env.node);
    check("azion firewall: an attack is denied (event.deny), the origin never sees it",
      a.status === 403 && outcome(a) === "deny" && seen.length === seen0 && n1.request === n0.request + 1,
      JSON.stringify([a.status, outcome(a), a.body.slice(0, 80), n1.request - n0.request]));
    const b = await ask(c.port, "GET", "/hello?x=1", H);
    check("azion firewall: a benign request continues (event.continue) to the origin",
      b.status === 200 && outcome(b) === "continue" && /origin says hi \/hello\?x=1/.test(b.body) &&
      seen.length === seen0 + 1, JSON.stringify([b.status, outcome(b), b.body.slice(0, 80)]));
    await sleep(200);
    const n2 = await nodeCounts(env.node);
    check("azion firewall: nothing reported (a firewall function never sees the origin's answer)",
      n2.response === n1.response, JSON.stringify([n1.response, n2.response]));
    stop(c.child);
  }
  {
    const c = await launch("azion", [env.downUrl], fw, "firewall-down", env.originUrl);
    const seen0 = seen.length;
    const r = await ask(c.port, "GET", ATTACK_QUERY, H);
    check("azion firewall, node down, fail open: the request continues to the origin within the timeout",
      r.status === 200 && outcome(r) === "continue" && seen.length === seen0 + 1 && r.ms < 1000 + MARGIN_MS,
      JSON.stringify([r.status, outcome(r), r.ms]));
    stop(c.child);
  }
  {
    const c = await launch("azion", [env.downUrl], Object.assign({}, fw, { fail_mode: "closed" }), "firewall-closed", env.originUrl);
    const seen0 = seen.length;
    const r = await ask(c.port, "GET", "/hello", H);
    check("azion firewall, node down, fail closed: the request is denied",
      r.status === 403 && outcome(r) === "deny" && seen.length === seen0, JSON.stringify([r.status, outcome(r)]));
    stop(c.child);
  }
}

async function storeScenarios(id, env, H) {
  const seen = env.origin.seen, st = STORES[id];
  // Akamai endpoints are property hostnames (https, no port), mapped to the node by the host; its
  // report is awaited, so the timeout is kept within the time budget counted twice.
  const genEndpoints = PLATFORMS[id].akamaiNames ? ["https://" + AKAMAI_NAMES[0]] : [env.node.url];
  const timeouts = PLATFORMS[id].akamaiNames ? { request_timeout: "1000ms", retries: 0 } : { request_timeout: "1000ms" };
  const plain = generate(id, genEndpoints, timeouts, "store-none");
  if (st.secretFile)
    check(id + " store: a bundle generated without a token holds no secret", fs.readFileSync(path.join(plain, st.secretFile), "utf8").trim() === st.noSecret);
  const dir = generate(id, genEndpoints, Object.assign({ token: TOKEN }, timeouts), "store");
  const files = fs.readdirSync(dir, { recursive: true }).map(String).filter(function (f) { return fs.statSync(path.join(dir, f)).isFile(); });
  const code = files.filter(function (f) { return f.endsWith(".js"); })
    .map(function (f) { return fs.readFileSync(path.join(dir, f), "utf8"); }).join("\n");
  if (st.secretFile)
    check(id + " store: the token is in " + st.secretFile + ", not in the code", code.length > 0 && code.indexOf(TOKEN) < 0 &&
      st.secretOf(fs.readFileSync(path.join(dir, st.secretFile), "utf8")) === TOKEN);
  else
    check(id + " store: the token is in none of the bundle's files", code.length > 0 && files.every(function (f) {
      return fs.readFileSync(path.join(dir, f), "utf8").indexOf(TOKEN) < 0; }), files.join(" "));
  const other = env.storeNode;
  async function run(label, extra, want) {
    const port = await freePort();
    const child = await PLATFORMS[id].host(Object.assign({ dir: dir, port: port, real: [env.node.url], origin: env.originUrl, token: TOKEN }, extra));
    const a0 = await nodeCounts(env.node), b0 = await nodeCounts(other), seen0 = seen.length;
    const r = await ask(port, "GET", ATTACK_QUERY, H);
    const wantNode = want.node === "store" ? other : env.node;
    const settled = await until(async function () {
      const n = await nodeCounts(wantNode), n0 = want.node === "store" ? b0 : a0;
      return n[want.type] >= n0[want.type] + 1; }, 3000);
    const a1 = await nodeCounts(env.node), b1 = await nodeCounts(other);
    const quietNode = want.node === "store" ? [a0, a1] : [b0, b1];
    check(id + " store, " + label, r.status === want.status && seen.length === seen0 + (want.status === 200 ? 1 : 0) && settled &&
      quietNode[1].request + quietNode[1].async === quietNode[0].request + quietNode[0].async &&
      a1.tokenRejected === a0.tokenRejected && b1.tokenRejected === b0.tokenRejected,
      r.status + " " + JSON.stringify({ generated: [a0, a1], store: [b0, b1] }));
    stop(child);
  }
  await run("generated defaults: the generated node blocks the attack with the uploaded token", {},
    { status: 403, node: "generated", type: "request" });
  await run(st.how + " set: the store's node, which accepts only the store's token, blocks it",
    st.override({ token: STORE_TOKEN, endpoints: [other.url] }), { status: 403, node: "store", type: "request" });
  // Cloudflare and Azion take a new list (here two, the first down); a Fastly package has as many backends as
  // it was generated with endpoints, so there the one backend moves.
  const list = id === "cloudflare" || id === "azion" ? [env.downUrl, other.url] : [other.url];
  await run(list.length + " endpoint(s) and mode async from the store: the store's node gets an async copy, the attack passes",
    st.override({ token: STORE_TOKEN, endpoints: list, mode: "async" }), { status: 200, node: "store", type: "async" });
  const bad = st.override({ mode: "sideways" });
  if (id === "cloudflare") bad.bindings.EDGE_ENDPOINTS = "ftp://node.example.com";
  if (id === "azion") bad.env.EDGE_ENDPOINTS = "ftp://node.example.com";
  // More endpoints than the function's timeout was computed for are refused.
  if (id === "apigateway") bad.env.EDGE_ENDPOINTS = other.url + "," + other.url;
  // Akamai: what generate refuses (a port) is refused from a variable too.
  if (id === "akamai") bad.vars.PMUSER_EDGE_ENDPOINTS = "https://" + AKAMAI_NAMES[0] + ":8443";
  await run("invalid store values are ignored: the generated node and mode decide", bad, { status: 403, node: "generated", type: "request" });
}

/* ---------- main ---------- */

async function main() {
  const ids = process.argv.slice(2).length ? process.argv.slice(2)
    : Object.keys(PLATFORMS).filter(function (id) { return HARNESS_IDS.indexOf(id) < 0; });
  fs.copyFileSync(BUNDLEGEN_BUILT, BUNDLEGEN);
  fs.chmodSync(BUNDLEGEN, 0o755);
  const node = await startNode(TOKEN, "edgenode");
  const originPort = await freePort(), slowPort = await freePort(), downPort = await freePort(), latePort = await freePort();
  const origin = await startOrigin(originPort);
  const slow = await startSlow(slowPort);
  const late = await startLate(latePort, 250);
  const storeNode = ids.some(function (id) { return STORES[id]; }) ? await startNode(STORE_TOKEN, "edgenode-store") : null;
  const env = { node: node, storeNode: storeNode, origin: origin, originPort: originPort, originUrl: "http://127.0.0.1:" + originPort,
    slow: slow, slowUrl: "http://127.0.0.1:" + slowPort, downUrl: "http://127.0.0.1:" + downPort,
    lateUrl: "http://127.0.0.1:" + latePort };
  for (const id of ids) {
    if (!PLATFORMS[id]) { check(id + ": known platform", false); continue; }
    const t0 = Date.now();
    try { await scenarios(id, env); }
    catch (e) { check(id + ": scenarios ran", false, e && e.stack ? e.stack : String(e)); }
    console.log("# " + id + ": " + (Date.now() - t0) + " ms");
  }
  origin.server.close();
  slow.close();
  late.close();
}

main().catch(function (e) { check("e2e set-up", false, e && e.stack ? e.stack : String(e)); }).finally(function () {
  for (const c of children) stop(c);
  fs.rmSync(TMP, { recursive: true, force: true });
  R.end();
  setTimeout(function () { process.exit(process.exitCode); }, 200).unref();
});
