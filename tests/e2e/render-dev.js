// render-dev.js -- temporary stand-in for `bundlegen generate` while the engine lands: renders a
// platform's templates with value-position tags as JSON literals. Usage: node render-dev.js ID OUTDIR [JSON]
"use strict";
const fs = require("fs"), path = require("path");
const root = path.join(__dirname, "..", "..", "templates");
const files = {
  cloudflare: ["worker.js", "wrangler.toml"], cloudfront: ["index.js"], apigateway: ["authorizer.js"],
  akamai: ["main.js", "bundle.json"], fastly: ["fastly.toml", "package.json", "src/index.js"], azion: ["function.js"]
};
const [id, out, extra] = process.argv.slice(2);
const ctx = Object.assign({
  platform: { id: id, name: id, runtime: "js" }, version: "1.2.3", generator_version: "0.1.0", protocol_version: 1,
  endpoint: ["http://127.0.0.1:5050"], mode: "inline", connect_timeout: 500, request_timeout: 1000, retries: 0,
  retry_interval: 100, fail_mode: "open", fail_status: 503, send_request_body: true, request_body_limit: 65536,
  report_response: false, send_response_body: false, response_body_limit: 16384, real_ip_header: "", host_header: "",
  skip_extensions: [], block_status: 403, block_page: "<html><body><h1>Request blocked</h1></body></html>\n", token: ""
}, extra ? JSON.parse(extra) : {});
function lit(v) { return JSON.stringify(v).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029").replace(/<\//g, "<\\/"); }
function get(name) {
  let v = ctx;
  for (const k of name.split(".")) { if (v == null || !(k in v)) throw new Error("missing " + name); v = v[k]; }
  return v;
}
function render(rel) {
  const src = fs.readFileSync(path.join(root, rel), "utf8");
  return src.replace(/\{\{\s*(>?)\s*([^}]+?)\s*\}\}/g, function (m, partial, name) {
    return partial ? render(name) : lit(get(name));
  });
}
for (const f of files[id]) {
  const dest = path.join(out, f);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, render(path.join(id, f)));
}
