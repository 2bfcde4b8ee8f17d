// config.js -- the settings of this API Gateway bundle, as generated; authorizer.js requires CONFIG from
// here and is the same in every bundle of a version. Never the token (the environment variable EDGE_TOKEN).
"use strict";

// config.js -- the settings every JavaScript connector shares, baked in when the bundle is generated.
// Platform files add their own settings to CONFIG with Object.assign right after this. A platform
// that keeps the token in its secret store includes this as a parent with an empty "token" block.
const CONFIG = {
  platform: "apigateway",
  version: "1.1.0",
  protocolVersion: 1,
  endpoints: ["https://node-a.example.com", "https://node-b.example.com"],
  mode: "async",
  requestTimeoutMs: 750,
  retries: 1,
  retryIntervalMs: 50,
  failMode: "closed",
  realIpHeader: "X-Client-IP",
  hostHeader: "",
  skipExtensions: ["css", "png", "woff2"],
  token: ""
};

Object.assign(CONFIG, {
  connectTimeoutMs: 250
});

exports.CONFIG = CONFIG;
