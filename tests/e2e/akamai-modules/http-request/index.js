// http-request/index.js -- EdgeWorkers' http-request module over fetch for the e2e harness.
// Enforces the platform's rules: HTTPS only, no explicit port; hostnames map to loopback URLs.
async function bytesOf(body) {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  return new Uint8Array(await new Response(body).arrayBuffer());
}

export async function httpRequest(url, options) {
  const opts = options || {};
  const target = new URL(url);
  if (target.protocol !== "https:") throw new Error("httpRequest: only https sub-requests are allowed");
  if (target.port) throw new Error("httpRequest: a sub-request URL cannot specify a port");
  const map = globalThis.__edgeworkersHostMap || {};
  const base = map[target.hostname];
  if (!base) throw new Error("httpRequest: " + target.hostname + " is not served by the property");
  const headers = new Headers();
  for (const name of Object.keys(opts.headers || {})) {
    const v = opts.headers[name];
    for (const item of Array.isArray(v) ? v : [v]) headers.append(name, item);
  }
  const init = { method: opts.method || "GET", headers: headers, redirect: "manual" };
  const body = await bytesOf(opts.body);
  if (body !== undefined && init.method !== "GET" && init.method !== "HEAD") init.body = body;
  if (opts.timeout) init.signal = AbortSignal.timeout(opts.timeout);
  const res = await fetch(base + target.pathname + target.search, init);
  const data = new Uint8Array(await res.arrayBuffer());
  const all = {};
  res.headers.forEach(function (v, k) { all[k] = [v]; });
  return {
    status: res.status, ok: res.ok,
    body: new ReadableStream({ start: function (ctl) { if (data.length) ctl.enqueue(data); ctl.close(); } }),
    getHeaders: function () { return all; },
    getHeader: function (n) { return all[n.toLowerCase()] || null; },
    text: async function () { return new TextDecoder().decode(data); },
    json: async function () { return JSON.parse(new TextDecoder().decode(data)); }
  };
}
