-- kong_pdk_mock.lua -- the parts of Kong's PDK the connector plugin uses, over ngx_lua, behaving as Kong
-- documents them; plus config_from_schema (schema_defaults.lua).
local cjson = require "cjson.safe"

local function path_of(uri)
  return (uri:match("^[^?]*"))
end

local request = {}
function request.get_method() return ngx.req.get_method() end
function request.get_scheme() return ngx.var.scheme end
function request.get_host() return ngx.var.host end
function request.get_port() return tonumber(ngx.var.server_port) end
function request.get_path() return path_of(ngx.var.request_uri) end
function request.get_raw_query() return ngx.var.args or "" end
function request.get_path_with_query() return ngx.var.request_uri end
function request.get_headers(max) return ngx.req.get_headers(max or 100) end
function request.get_header(name)
  local v = ngx.req.get_headers()[name]
  if type(v) == "table" then return v[1] end
  return v
end
-- Kong: the body as a string, "" when empty; a body nginx spooled to a file (larger than
-- client_body_buffer_size) is not read: nil and the reason, as Kong documents.
function request.get_raw_body()
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if data then return data end
  if not ngx.req.get_body_file() then return "" end
  return nil, "request body did not fit into client body buffer, consider raising client_body_buffer_size"
end

local response = {}
function response.get_status() return ngx.status end
function response.set_header(name, value) ngx.header[name] = value end
-- Kong: ends the request with status; a table body is sent as JSON; headers are set first.
function response.exit(status, body, headers)
  ngx.status = status
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  if type(body) == "table" then
    body = cjson.encode(body)
    ngx.header["Content-Type"] = ngx.header["Content-Type"] or "application/json; charset=utf-8"
  end
  if body then
    ngx.header["Content-Length"] = #body
    ngx.print(body)
  end
  return ngx.exit(status)
end

local client = {}
function client.get_ip() return ngx.var.realip_remote_addr or ngx.var.remote_addr end
function client.get_forwarded_ip() return ngx.var.remote_addr end

local service = { request = {} }
function service.request.set_header(name, value) ngx.req.set_header(name, value) end
function service.request.clear_header(name) ngx.req.clear_header(name) end

local log = {}
for name, level in pairs({ debug = ngx.DEBUG, info = ngx.INFO, notice = ngx.NOTICE, warn = ngx.WARN,
                           err = ngx.ERR, crit = ngx.CRIT }) do
  log[name] = function(...) return ngx.log(level, ...) end
end

-- kong.ctx.shared lives for the request; kong.ctx.plugin is per plugin (one plugin here).
local ctx = setmetatable({}, { __index = function(_, key)
  if key ~= "shared" and key ~= "plugin" then return nil end
  local c = ngx.ctx
  c[key] = c[key] or {}
  return c[key]
end })

return { request = request, response = response, client = client, service = service, log = log, ctx = ctx,
         config_from_schema = require "schema_defaults", version = "3.9.0" }
