// host-fastly.mjs -- runs a generated Fastly Compute source behind an HTTP port: a FetchEvent
// dispatcher plus a fetch that refuses calls without a backend and maps named backends to URLs.
// Usage: node host-fastly.mjs BUNDLE_DIR PORT BACKENDS_JSON [STORES_JSON]
//   BACKENDS_JSON e.g. {"node_1":"http://...","origin":"http://..."}; STORES_JSON, the config and
//   secret stores linked to the service: {"config": {NAME: {KEY: VALUE}}, "secret": {...}}
import path from "node:path";
import { createRequire } from "node:module";
import { importFastly } from "./fastly-modules/load.mjs";
const require = createRequire(import.meta.url);
const { readBody, serve } = require("./lib.js");

const [dir, port, backendsJson, storesJson] = process.argv.slice(2);
const backends = JSON.parse(backendsJson);
globalThis.__fastlyStores = JSON.parse(storesJson || "{}");
const realFetch = globalThis.fetch;
let listener = null;
const pending = new Set();

globalThis.fetch = async function (input, init) {
  const backend = init && init.backend;
  if (!backend) throw new Error("fetch: a backend must be named");
  const base = backends[backend];
  if (!base) throw new Error("fetch: unknown backend " + backend);
  const opts = Object.assign({}, init);
  delete opts.backend;
  const req = input instanceof Request ? input : new Request(input, opts);
  const url = new URL(req.url);
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
  return realFetch(base + url.pathname + url.search, { method: req.method, headers: req.headers,
    body: body && body.byteLength ? body : undefined, signal: opts.signal || req.signal, redirect: "manual" });
};
globalThis.addEventListener = function (type, fn) {
  if (type !== "fetch") throw new Error("unsupported event " + type);
  listener = fn;
};
await importFastly(path.resolve(dir, "src", "index.js"));
if (!listener) throw new Error("the source registered no fetch listener");

await serve(Number(port), async function (req, res) {
  const body = await readBody(req);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const init = { method: req.method, headers: headers };
  if (body.length && req.method !== "GET" && req.method !== "HEAD") init.body = body;
  const request = new Request("http://service.edgecompute.app" + req.url, init);
  let responded = null;
  const event = {
    request: request, client: { address: "203.0.113.21" },
    respondWith: function (p) { responded = Promise.resolve(p); },
    waitUntil: function (p) { const w = Promise.resolve(p).catch(function () {}); pending.add(w); w.finally(function () { pending.delete(w); }); }
  };
  listener(event);
  if (!responded) throw new Error("the listener did not call respondWith");
  const r = await responded;
  res.statusCode = r.status;
  r.headers.forEach(function (v, k) { if (k !== "content-length" && k !== "transfer-encoding") res.setHeader(k, v); });
  res.end(Buffer.from(await r.arrayBuffer()));
});
