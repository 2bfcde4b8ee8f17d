// http-request/index.js -- EdgeWorkers' http-request module over fetch for the e2e harness.
// Enforces the platform's rules: HTTPS only, no explicit port; hostnames map to loopback URLs.
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
  const init = { method: opts.method || "GET", headers: headers };
  if (opts.body !== undefined && init.method !== "GET" && init.method !== "HEAD") init.body = opts.body;
  if (opts.timeout) init.signal = AbortSignal.timeout(opts.timeout);
  const res = await fetch(base + target.pathname + target.search, init);
  const text = await res.text();
  return {
    status: res.status, ok: res.ok,
    getHeaders: function () { const o = {}; res.headers.forEach(function (v, k) { o[k] = [v]; }); return o; },
    getHeader: function (n) { const v = res.headers.get(n); return v === null ? null : [v]; },
    text: async function () { return text; },
    json: async function () { return JSON.parse(text); }
  };
}
