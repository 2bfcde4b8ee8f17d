// config.js -- the settings every JavaScript connector shares, baked in when the bundle is generated.
// Platform files add their own settings to CONFIG with Object.assign right after this. A platform
// that keeps the token in its secret store includes this as a parent with an empty "token" block.
const CONFIG = {
  platform: {{platform.id}},
  version: {{version}},
  protocolVersion: {{protocol_version}},
  endpoints: {{endpoint}},
  mode: {{mode}},
  requestTimeoutMs: {{request_timeout}},
  retries: {{retries}},
  retryIntervalMs: {{retry_interval}},
  failMode: {{fail_mode}},
  realIpHeader: {{real_ip_header}},
  hostHeader: {{host_header}},
  skipExtensions: {{skip_extensions}},
  token: ""
};
{{$token}}
CONFIG.token = {{token}};
{{/token}}
