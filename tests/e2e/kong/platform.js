// platform.js -- hosts a generated Kong plugin bundle in Debian's nginx with the Lua module: the plugin's
// access, body_filter and log phases around a proxy_pass to the origin, the PDK mocked over ngx_lua.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const MODULES = "/usr/lib/nginx/modules";

function conf(h, prefix) {
  const mock = path.join(__dirname, "mock");
  return [
    "load_module " + MODULES + "/ndk_http_module.so;",
    "load_module " + MODULES + "/ngx_http_lua_module.so;",
    "worker_processes 1;", "pid " + prefix + "/nginx.pid;", "error_log " + prefix + "/error.log info;",
    "events { worker_connections 256; }",
    "http {",
    "  access_log off;",
    "  client_body_temp_path " + prefix + "/body; proxy_temp_path " + prefix + "/proxy;",
    "  fastcgi_temp_path " + prefix + "/fcgi; uwsgi_temp_path " + prefix + "/uwsgi; scgi_temp_path " + prefix + "/scgi;",
    "  client_body_buffer_size " + (h.bodyBuffer || "1m") + ";",
    h.trusted ? "  lua_ssl_trusted_certificate " + h.trusted + ";" : "",
    "  lua_package_path \"" + h.dir + "/?.lua;" + mock + "/?.lua;;\";",
    "  init_by_lua_block {",
    "    kong = require \"kong_pdk_mock\"",
    "    connector = require \"kong.plugins.edge-connector.handler\"",
    "    connector_conf = kong.config_from_schema(require \"kong.plugins.edge-connector.schema\")",
    "  }",
    "  init_worker_by_lua_block { math.randomseed(ngx.now() * 1000 + ngx.worker.pid()) }",
    "  server {",
    "    listen 127.0.0.1:" + h.port + ";",
    "    location / {",
    "      access_by_lua_block { connector:access(connector_conf) }",
    "      body_filter_by_lua_block { connector:body_filter(connector_conf) }",
    "      log_by_lua_block { connector:log(connector_conf) }",
    "      proxy_pass " + h.origin + ";",
    "    }",
    "  }",
    "}", ""].join("\n");
}

/** Starts nginx hosting the plugin of bundle h.dir on h.port in front of h.origin; h.bodyBuffer: nginx's
 *  client_body_buffer_size (default 1m, so bodies stay in memory); h.trusted: the CA
 *  file for the node's TLS certificate. start(cmd, args) and waitPort(port, ms) come from the caller. */
async function host(api, h) {
  const prefix = h.dir + "-nginx";
  fs.mkdirSync(prefix, { recursive: true });
  fs.writeFileSync(path.join(prefix, "nginx.conf"), conf(h, prefix));
  const child = api.start("nginx", ["-p", prefix, "-c", path.join(prefix, "nginx.conf"), "-e", prefix + "/error.log",
    "-g", "daemon off;"]);
  if (!(await api.waitPort(h.port, 15000))) {
    let log = "";
    try { log = fs.readFileSync(path.join(prefix, "error.log"), "utf8"); } catch (e) { /* none */ }
    throw new Error("nginx did not start: " + child.log + log);
  }
  return child;
}

module.exports = function (api) {
  return { kong: { body: true, report: true, page: true, host: function (h) { return host(api, h); } } };
};
module.exports.host = host;
