// host-akamai.mjs -- runs a generated EdgeWorkers bundle behind an HTTP port as the property would:
// the request goes to responseProvider, whose sub-requests (node hostnames, and the property's own
// hostname for the origin) go through the http-request stub; create-response, streams and log too.
// responseProvider is stopped at its wall time, 8 s on Dynamic Compute (WALL_MS to test a shorter
// one), and a stopped one gets 500, as an EdgeWorkers execution failure answers.
// VARS_JSON holds the property's user variables (PMUSER_*), which request.getVariable returns.
// Usage: node host-akamai.mjs BUNDLE_DIR PORT ORIGIN_URL HOSTMAP_JSON [WALL_MS [VARS_JSON]]
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
const require = createRequire(import.meta.url);
const { readBody, headerPairs, send, serve } = require("./lib.js");

const PROPERTY_HOST = "www.example.test";
const [dir, port, origin, hostMap, wallArg, varsJson] = process.argv.slice(2);
const VARS = JSON.parse(varsJson || "{}");
const WALL_MS = Number(wallArg || 8000);
globalThis.__edgeworkersHostMap = Object.assign(JSON.parse(hostMap || "{}"), { [PROPERTY_HOST]: origin });
const here = path.dirname(fileURLToPath(import.meta.url));
const run = fs.mkdtempSync(path.join(path.resolve(dir), ".ew-run-"));
fs.copyFileSync(path.join(dir, "main.js"), path.join(run, "main.js"));
fs.writeFileSync(path.join(run, "package.json"), "{\"type\":\"module\"}\n");
fs.symlinkSync(path.join(here, "akamai-modules"), path.join(run, "node_modules"));
const ew = await import(path.join(run, "main.js"));
if (typeof ew.responseProvider !== "function") throw new Error("main.js exports no responseProvider");

/** The ResponseProviderRequest of an incoming request, Host rewritten to the property's hostname. */
function ewRequest(req, url, body) {
  const headers = {};
  for (const [k, v] of headerPairs(req)) (headers[k.toLowerCase()] = headers[k.toLowerCase()] || []).push(v);
  headers.host = [PROPERTY_HOST];
  return {
    method: req.method, scheme: "https", host: PROPERTY_HOST, path: url.pathname,
    query: url.search.slice(1), url: url.pathname + url.search, clientIp: "203.0.113.5",
    getHeaders: function () { return headers; },
    getHeader: function (n) { return headers[n.toLowerCase()] || null; },
    getVariable: function (name) {
      if (!/^PMUSER_/.test(name)) throw new Error("getVariable: only PMUSER_ variables are readable, not " + name);
      return Object.prototype.hasOwnProperty.call(VARS, name) ? String(VARS[name]) : undefined;
    },
    arrayBuffer: async function () { return body.buffer.slice(body.byteOffset, body.byteOffset + body.length); },
    text: async function () { return body.toString("utf8"); },
    json: async function () { return JSON.parse(body.toString("utf8")); }
  };
}

await serve(Number(port), async function (req, res) {
  const body = await readBody(req);
  const url = new URL(req.url, "http://x");
  let timer;
  const stop = new Promise(function (resolve) { timer = setTimeout(resolve, WALL_MS, null); });
  const out = await Promise.race([ew.responseProvider(ewRequest(req, url, body)), stop]);
  clearTimeout(timer);
  if (out === null)
    return send(res, 500, { "content-type": "text/plain", "x-harness-stopped": "responseProvider after " + WALL_MS + " ms" },
      "EdgeWorkers: responseProvider exceeded its wall time\n");
  if (typeof out.status !== "number" || out.status < 100 || out.status > 599) throw new Error("createResponse: bad status");
  let data = out.body;
  if (data && typeof data !== "string") data = Buffer.from(await new Response(data).arrayBuffer());
  send(res, out.status, out.headers, data);
});
