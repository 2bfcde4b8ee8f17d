// selftest.mjs -- unit tests of the shared client as generated (header filtering, static skip, node
// URLs, request ids, failover and retry order with a scripted transport) and of the harnesses' own
// platform rules (EdgeWorkers sub-request limits, Fastly named backends). Prints "N passed, N failed".
// Usage: node tests/e2e/selftest.mjs GENERATED_WORKER_JS FASTLY_HOST_SCRIPT
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log("ok - " + name); }
  else { failed++; console.log("not ok - " + name + (detail !== undefined ? ": " + JSON.stringify(detail) : "")); }
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "selftest-"));

/* The shared client, taken from a generated worker with its functions exposed. */
const src = fs.readFileSync(process.argv[2], "utf8");
const copy = path.join(tmp, "worker.mjs");
// A Worker that imports its settings ("./config.js") gets them beside the copy, as an ES module.
const settings = path.join(path.dirname(process.argv[2]), "config.js");
if (fs.existsSync(settings)) {
  fs.copyFileSync(settings, path.join(tmp, "config.js"));
  fs.writeFileSync(path.join(tmp, "package.json"), "{\"type\": \"module\"}\n");
}
fs.writeFileSync(copy, src + "\nglobalThis.__client = { CONFIG, cnForwardHeaders, cnSkipped, cnNodeUrl, cnRequestId, cnExchange, cnLimit, cnReadLimited, cnApplyStore };\n");
await import(pathToFileURL(copy).href);
const c = globalThis.__client;

const fwd = c.cnForwardHeaders([["Host", "api.example.com"], ["Connection", "keep-alive, X-Drop-Me"], ["X-Drop-Me", "1"],
  ["Keep-Alive", "timeout=5"], ["Transfer-Encoding", "chunked"], ["Cookie", "a=1"], ["Cookie", "b=2"], ["Accept", "text/html"],
  ["Accept", "application/json"], ["X-Connector-Mode", "spoofed"], ["X-Real-IP", "6.6.6.6"], ["User-Agent", "t"]]);
check("headers: hop-by-hop, Connection-listed and spoofed protocol headers are dropped",
  Object.keys(fwd).sort().join(",") === "accept,cookie,user-agent", fwd);
check("headers: repeated cookies join with '; ', other headers with ', '",
  fwd.cookie === "a=1; b=2" && fwd.accept === "text/html, application/json", fwd);

c.CONFIG.skipExtensions = ["css", "png"];
check("skip: extensions match case-insensitively at the end of the path",
  c.cnSkipped("/a/b.CSS") && c.cnSkipped("/x.png") && !c.cnSkipped("/a.css/b") && !c.cnSkipped("/css") && !c.cnSkipped("/a.cssx"));

c.CONFIG.endpoints = ["https://n1.example.com/base/", "https://n2.example.com"];
check("node URL: the endpoint's path prefixes the request's, one slash between",
  c.cnNodeUrl(0, "/p?q=1") === "https://n1.example.com/base/p?q=1" && c.cnNodeUrl(1, "/") === "https://n2.example.com/",
  [c.cnNodeUrl(0, "/p?q=1"), c.cnNodeUrl(1, "/")]);

const ids = new Set();
for (let i = 0; i < 1000; i++) ids.add(c.cnRequestId());
check("request id: 32 lowercase hex digits, 1000 distinct", ids.size === 1000 && [...ids].every(function (x) { return /^[0-9a-f]{32}$/.test(x); }));

const big = new Uint8Array(100).fill(7);
check("body limit: cut at the limit, empty body is null", c.cnLimit(big, 10).length === 10 && c.cnLimit(big, 1000).length === 100 &&
  c.cnLimit(new Uint8Array(0), 10) === null);
const stream = new ReadableStream({ start(ctl) { for (let i = 0; i < 10; i++) ctl.enqueue(new Uint8Array(7).fill(i)); ctl.close(); } });
const head = await c.cnReadLimited(stream, 20);
check("body limit: a stream is read only up to the limit", head.length === 20 && head[19] === 2, head && head.length);

/* Failover and retry order with a scripted transport. */
async function script(answers, retries) {
  c.CONFIG.endpoints = ["http://a", "http://b"];
  c.CONFIG.retries = retries;
  c.CONFIG.retryIntervalMs = 1;
  c.CONFIG.requestTimeoutMs = 200;
  const calls = [];
  const transport = function (i) {
    calls.push(i);
    const a = answers.shift();
    return a === "error" ? Promise.reject(new Error("refused")) : a === "hang" ? new Promise(function () {}) : Promise.resolve(a);
  };
  const r = await c.cnExchange(transport, "/", { method: "GET", headers: {}, body: null });
  return { status: r.status, calls: calls.join("") };
}
let r = await script(["error", 403], 0);
check("failover: a refused first endpoint hands over to the second", r.status === 403 && r.calls === "01", r);
r = await script(["hang", 200], 0);
check("failover: a first endpoint past the timeout hands over to the second", r.status === 200 && r.calls === "01", r);
r = await script([500, 204], 0);
check("failover: a status outside protocol v1 moves on", r.status === 204 && r.calls === "01", r);
r = await script(["error", "error", "error", 415], 1);
check("retries: a whole failed round is repeated", r.status === 415 && r.calls === "0101", r);
r = await script(["error", "error", "error"], 0);
check("failure: every endpoint failed gives status 0", r.status === 0 && r.calls === "01", r);

/* The platform store over the generated settings (Cloudflare's secret and variables). */
{
  const names = { token: "T", endpoints: "E", mode: "M" };
  const errors = [], logged = console.error;
  console.error = function (m) { errors.push(String(m)); };
  Object.assign(c.CONFIG, { token: "", endpoints: ["https://gen.example.com"], mode: "inline" });
  c.cnApplyStore(names, {});
  const kept = c.CONFIG.token === "" && c.CONFIG.endpoints.join() === "https://gen.example.com" && c.CONFIG.mode === "inline";
  c.cnApplyStore(names, { T: "store-token-0123456789", E: " https://a.example.com/n, http://127.0.0.1:8080 ", M: "async" });
  const set = c.CONFIG.token === "store-token-0123456789" && c.CONFIG.endpoints.join() === "https://a.example.com/n,http://127.0.0.1:8080" &&
    c.CONFIG.mode === "async";
  c.cnApplyStore(names, { T: "short", E: ["https://b.example.com", "https://u:p@c.example.com"], M: "sideways" });
  const refused = c.CONFIG.token === "store-token-0123456789" && c.CONFIG.endpoints.length === 2 && c.CONFIG.mode === "async";
  console.error = logged;
  check("store: nothing set keeps the generated values", kept, c.CONFIG);
  check("store: a secret, a comma-separated endpoint list and a mode replace them", set, c.CONFIG);
  check("store: invalid values are ignored, each logged with its name", refused && errors.length === 3 &&
    errors[0].indexOf("T:") === 0 && errors[1].indexOf("E:") === 0 && errors[2].indexOf("M:") === 0, errors);
}

/* EdgeWorkers harness rules. */
const { httpRequest } = await import(pathToFileURL(path.join(here, "akamai-modules", "http-request", "index.js")).href);
async function refused(url) { try { await httpRequest(url, {}); return false; } catch (e) { return true; } }
globalThis.__edgeworkersHostMap = { "node.example.com": "http://127.0.0.1:9" };
check("akamai harness: sub-requests must be HTTPS, port-less, to a property hostname",
  await refused("http://node.example.com/") && await refused("https://node.example.com:8443/") && await refused("https://other.example.com/"));

/* Fastly harness rules: fetch needs a named backend that exists. */
const pkg = path.join(tmp, "fastly");
fs.mkdirSync(path.join(pkg, "src"), { recursive: true });
fs.writeFileSync(path.join(pkg, "package.json"), "{\"type\":\"module\"}\n");
fs.writeFileSync(path.join(pkg, "src", "index.js"), "addEventListener('fetch', function (e) { e.respondWith(" +
  "Promise.allSettled([fetch('http://x/'), fetch('http://x/', { backend: 'nope' })]).then(function (r) {" +
  " return new Response(r.map(function (x) { return x.reason && x.reason.message; }).join('|')); })); });\n");
const port = await new Promise(function (resolve) { const s = http.createServer(); s.listen(0, "127.0.0.1", function () { const p = s.address().port; s.close(function () { resolve(p); }); }); });
const child = spawn(process.execPath, [process.argv[3], pkg, String(port), "{}"], { stdio: ["ignore", "pipe", "inherit"] });
await new Promise(function (resolve) { child.stdout.once("data", resolve); setTimeout(resolve, 5000); });
const text = await (await fetch("http://127.0.0.1:" + port + "/")).text().catch(function (e) { return String(e); });
child.kill();
check("fastly harness: fetch without a backend, or with an unknown one, is refused",
  text === "fetch: a backend must be named|fetch: unknown backend nope", text);

fs.rmSync(tmp, { recursive: true, force: true });
console.log(passed + " passed, " + failed + " failed");
process.exitCode = failed ? 1 : 0;
