-- schema.lua -- the edge connector plugin's configuration: every setting of the bundle, with the values
-- it was generated with as defaults, so that enabling the plugin with no config uses them.
local typedefs = require "kong.db.schema.typedefs"

local function ms(default, min, max)
  return { type = "integer", default = default, between = { min, max } }
end

-- Kong matches strings with Lua patterns, not regular expressions.
local function header_name(default)
  return { type = "string", default = default, match = "^[%w%-]*$", len_max = 64 }
end

return {
  name = "edge-connector",
  fields = {
    { consumer = typedefs.no_consumer },
    { protocols = typedefs.protocols_http },
    { config = {
        type = "record",
        fields = {
          { endpoints = { type = "array", required = true, len_min = 1, elements = typedefs.url, default = {"https://node-a.example.com", "https://node-b.example.com"} } },
          { mode = { type = "string", one_of = { "inline", "async" }, default = "inline" } },
          { connect_timeout = ms(250, 1, 60000) },
          { request_timeout = ms(750, 1, 300000) },
          { keepalive_pool_size = { type = "integer", default = 16, between = { 1, 1000 } } },
          { keepalive_timeout = ms(60000, 1, 3600000) },
          { retries = { type = "integer", default = 1, between = { 0, 5 } } },
          { retry_interval = ms(50, 0, 60000) },
          { fail_mode = { type = "string", one_of = { "open", "closed" }, default = "closed" } },
          { fail_status = { type = "integer", default = 502, between = { 400, 599 } } },
          { send_request_body = { type = "boolean", default = true } },
          { request_body_limit = { type = "integer", default = 32768, between = { 0, 104857600 } } },
          { report_response = { type = "boolean", default = true } },
          { send_response_body = { type = "boolean", default = true } },
          { response_body_limit = { type = "integer", default = 8192, between = { 0, 104857600 } } },
          { real_ip_header = header_name("X-Client-IP") },
          { host_header = header_name("") },
          { skip_extensions = { type = "array", default = {"css", "png", "woff2"},
                                elements = { type = "string", match = "^[a-z0-9]+$", len_max = 10 } } },
          { block_status = { type = "integer", default = 406, between = { 400, 599 } } },
          { block_page = { type = "string", default = "<html><body><h1>Blocked</h1><p>Ask \"support\" & quote it.</p></body></html>", len_max = 16384 } },
          { token = { type = "string", default = "golden-token-0123456789", encrypted = true, referenceable = true } },
        },
      },
    },
  },
}
