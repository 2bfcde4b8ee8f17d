// config.js -- the settings of this CloudFront bundle as generated, the token included (Lambda@Edge has
// no environment variables); index.js requires CONFIG from here and is the same in every bundle of a version.
"use strict";

// config.js -- the settings every JavaScript connector shares, baked in when the bundle is generated.
// Platform files add their own settings to CONFIG with Object.assign right after this. A platform
// that keeps the token in its secret store includes this as a parent with an empty "token" block.
const CONFIG = {
  platform: "cloudfront",
  version: "1.1.0",
  protocolVersion: 1,
  endpoints: ["https://node-a.example.com", "https://node-b.example.com"],
  mode: "inline",
  requestTimeoutMs: 750,
  retries: 1,
  retryIntervalMs: 50,
  failMode: "closed",
  realIpHeader: "X-Client-IP",
  hostHeader: "",
  skipExtensions: ["css", "png", "woff2"],
  token: ""
};
CONFIG.token = "golden-token-0123456789";
Object.assign(CONFIG, {
  connectTimeoutMs: 250,
  failStatus: 502,
  sendRequestBody: true,
  requestBodyLimit: 32768,
  reportResponse: true,
  blockStatus: 406,
  blockPage: "\x3Chtml\x3E\x3Cbody\x3E\x3Ch1\x3EBlocked\x3C/h1\x3E\x3Cp\x3EAsk \"support\" \x26 quote it.\x3C/p\x3E\x3C/body\x3E\x3C/html\x3E"
});

exports.CONFIG = CONFIG;
