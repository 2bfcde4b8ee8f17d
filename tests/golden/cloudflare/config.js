// config.js -- the settings of this Cloudflare Workers bundle, as generated; worker.js imports CONFIG
// from here and is the same in every bundle of a version. Never the token (the secret EDGE_TOKEN).

// config.js -- the settings every JavaScript connector shares, baked in when the bundle is generated.
// Platform files add their own settings to CONFIG with Object.assign right after this. A platform
// that keeps the token in its secret store includes this as a parent with an empty "token" block.
const CONFIG = {
  platform: "cloudflare",
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

// config_fetch.js -- the body, report and block-page settings of the Fetch API connectors
// (Workers, Azion, Fastly), added to CONFIG; include it right after config.js.
Object.assign(CONFIG, {
  failStatus: 502,
  sendRequestBody: true,
  requestBodyLimit: 32768,
  reportResponse: true,
  sendResponseBody: true,
  responseBodyLimit: 8192,
  blockStatus: 406,
  blockPage: "\x3Chtml\x3E\x3Cbody\x3E\x3Ch1\x3EBlocked\x3C/h1\x3E\x3Cp\x3EAsk \"support\" \x26 quote it.\x3C/p\x3E\x3C/body\x3E\x3C/html\x3E"
});

export { CONFIG };
