// config.js -- the settings of this API Gateway bundle, as generated; authorizer.js requires CONFIG from
// here and is the same in every bundle of a version. Never the token (the environment variable EDGE_TOKEN).
"use strict";

{{<_shared/config.js}}{{$token}}{{/token}}{{/_shared/config.js}}
Object.assign(CONFIG, {
  connectTimeoutMs: {{connect_timeout}}
});

exports.CONFIG = CONFIG;
