// host-akamai.mjs -- runs a generated EdgeWorkers bundle behind an HTTP port with the http-request,
// log and create-response modules stubbed over fetch: onClientRequest, origin, onClientResponse.
// Usage: node host-akamai.mjs BUNDLE_DIR PORT ORIGIN_URL HOSTMAP_JSON
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
const require = createRequire(import.meta.url);
const { readBody, headerPairs, send, toOrigin, serve } = require("./lib.js");

const [dir, port, origin, hostMap] = process.argv.slice(2);
globalThis.__edgeworkersHostMap = JSON.parse(hostMap);
const here = path.dirname(fileURLToPath(import.meta.url));
const run = fs.mkdtempSync(path.join(path.resolve(dir), ".ew-run-"));
fs.copyFileSync(path.join(dir, "main.js"), path.join(run, "main.js"));
fs.writeFileSync(path.join(run, "package.json"), "{\"type\":\"module\"}\n");
fs.symlinkSync(path.join(here, "akamai-modules"), path.join(run, "node_modules"));
const ew = await import(path.join(run, "main.js"));

function ewRequest(req, url) {
  const headers = {};
  for (const [k, v] of headerPairs(req)) (headers[k.toLowerCase()] = headers[k.toLowerCase()] || []).push(v);
  const vars = {};
  const r = {
    method: req.method, scheme: "https", host: String(req.headers.host || ""), path: url.pathname,
    query: url.search.slice(1), url: url.pathname + url.search, clientIp: "203.0.113.5", responded: null,
    getHeaders: function () { return headers; },
    getHeader: function (n) { return headers[n.toLowerCase()] || null; },
    setHeader: function (n, v) { headers[n.toLowerCase()] = [v]; },
    setVariable: function (n, v) { if (n.indexOf("PMUSER_") !== 0) throw new Error("bad variable"); vars[n] = String(v); },
    getVariable: function (n) { return vars[n]; },
    respondWith: function (status, h, body, deny) {
      if (typeof status !== "number") throw new Error("respondWith: status must be a number");
      r.responded = { status: status, headers: h, body: body, deny: deny };
    }
  };
  return r;
}

await serve(Number(port), async function (req, res) {
  const body = await readBody(req);
  const url = new URL(req.url, "http://x");
  const request = ewRequest(req, url);
  await ew.onClientRequest(request);
  if (request.responded) return send(res, request.responded.status, request.responded.headers, request.responded.body);
  const pairs = [];
  for (const name of Object.keys(request.getHeaders())) for (const v of request.getHeaders()[name]) pairs.push([name, v]);
  const got = await toOrigin(origin, req.method, url.pathname + url.search, pairs, body);
  const response = { status: got.status, getHeaders: function () { return got.headers; } };
  if (ew.onClientResponse) await ew.onClientResponse(request, response);
  send(res, got.status, got.headers, got.body);
});
