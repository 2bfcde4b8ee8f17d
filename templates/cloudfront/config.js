// config.js -- the settings of this CloudFront bundle as generated, the token included (Lambda@Edge has
// no environment variables); index.js requires CONFIG from here and is the same in every bundle of a version.
"use strict";

{{> _shared/config.js}}
Object.assign(CONFIG, {
  connectTimeoutMs: {{connect_timeout}},
  failStatus: {{fail_status}},
  sendRequestBody: {{send_request_body}},
  requestBodyLimit: {{request_body_limit}},
  reportResponse: {{report_response}},
  blockStatus: {{block_status}},
  blockPage: {{block_page}}
});

exports.CONFIG = CONFIG;
