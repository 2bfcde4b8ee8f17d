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
          { endpoints = { type = "array", required = true, len_min = 1, elements = typedefs.url, default = {{endpoint}} } },
          { mode = { type = "string", one_of = { "inline", "async" }, default = {{mode}} } },
          { connect_timeout = ms({{connect_timeout}}, 1, 60000) },
          { request_timeout = ms({{request_timeout}}, 1, 300000) },
          { keepalive_pool_size = { type = "integer", default = {{keepalive_pool_size}}, between = { 1, 1000 } } },
          { keepalive_timeout = ms({{keepalive_timeout}}, 1, 3600000) },
          { retries = { type = "integer", default = {{retries}}, between = { 0, 5 } } },
          { retry_interval = ms({{retry_interval}}, 0, 60000) },
          { fail_mode = { type = "string", one_of = { "open", "closed" }, default = {{fail_mode}} } },
          { fail_status = { type = "integer", default = {{fail_status}}, between = { 400, 599 } } },
          { send_request_body = { type = "boolean", default = {{send_request_body}} } },
          { request_body_limit = { type = "integer", default = {{request_body_limit}}, between = { 0, 104857600 } } },
          { report_response = { type = "boolean", default = {{report_response}} } },
          { send_response_body = { type = "boolean", default = {{send_response_body}} } },
          { response_body_limit = { type = "integer", default = {{response_body_limit}}, between = { 0, 104857600 } } },
          { real_ip_header = header_name({{real_ip_header}}) },
          { host_header = header_name({{host_header}}) },
          { skip_extensions = { type = "array", default = {{skip_extensions}},
                                elements = { type = "string", match = "^[a-z0-9]+$", len_max = 10 } } },
          { block_status = { type = "integer", default = {{block_status}}, between = { 400, 599 } } },
          { block_page = { type = "string", default = {{block_page}}, len_max = 16384 } },
          { token = { type = "string", default = {{token}}, encrypted = true, referenceable = true } },
        },
      },
    },
  },
}
