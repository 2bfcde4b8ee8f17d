// config_fetch.js -- the body, report and block-page settings of the Fetch API connectors
// (Workers, Azion, Fastly), added to CONFIG; include it right after config.js.
Object.assign(CONFIG, {
  failStatus: {{fail_status}},
  sendRequestBody: {{send_request_body}},
  requestBodyLimit: {{request_body_limit}},
  reportResponse: {{report_response}},
  sendResponseBody: {{send_response_body}},
  responseBodyLimit: {{response_body_limit}},
  blockStatus: {{block_status}},
  blockPage: {{block_page}}
});
