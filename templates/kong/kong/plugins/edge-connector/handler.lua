-- handler.lua -- the edge connector as a Kong plugin: each request goes to the filtering node (protocol v1)
-- before the upstream; 403 blocks, failures pass (or get fail_status when closed), responses are reported.
local CONNECTOR = {{platform.id}} .. "/" .. {{version}}

local tcp, timer_at, sleep, now = ngx.socket.tcp, ngx.timer.at, ngx.sleep, ngx.now
local fmt, lower, concat = string.format, string.lower, table.concat

-- Headers never re-sent to the node: hop-by-hop ones, the framing, and those the protocol sets itself.
local DROPPED = {
  ["connection"] = true, ["keep-alive"] = true, ["proxy-authenticate"] = true, ["proxy-authorization"] = true,
  ["proxy-connection"] = true, ["te"] = true, ["trailer"] = true, ["trailers"] = true,
  ["transfer-encoding"] = true, ["upgrade"] = true, ["host"] = true, ["content-length"] = true,
  ["expect"] = true, ["x-forwarded-host"] = true, ["x-real-ip"] = true,
}
local ANSWERS = { [200] = true, [204] = true, [403] = true, [415] = true }   -- protocol v1 statuses

local counter = 0

local function request_id()
  counter = counter + 1
  return fmt("%08x%08x%08x%08x", math.random(0, 0x7fffffff), (ngx.worker.pid() * 65536 + counter) % 0x7fffffff,
             math.floor(now() * 1000) % 0x7fffffff, math.random(0, 0x7fffffff))
end

local function skipped(conf, path)
  local ext = path:match("%.([^./]+)$")
  if not ext then return false end
  ext = lower(ext)
  for _, e in ipairs(conf.skip_extensions) do
    if e == ext then return true end
  end
  return false
end

-- The client's headers as the node gets them: dropped and connection-listed names left out,
-- repeated values joined.
local function forward_headers(headers)
  local listed = {}
  local conn = headers["connection"]
  if conn then
    if type(conn) == "table" then conn = concat(conn, ",") end
    for name in conn:gmatch("[^,%s]+") do listed[lower(name)] = true end
  end
  local out = {}
  for name, value in pairs(headers) do
    name = lower(name)
    if not DROPPED[name] and not listed[name] and name:sub(1, 11) ~= "x-connector" then
      if type(value) == "table" then value = concat(value, name == "cookie" and "; " or ", ") end
      out[#out + 1] = { name, tostring(value) }
    end
  end
  table.sort(out, function(a, b) return a[1] < b[1] end)
  return out
end

-- scheme, host (IPv6 without brackets), port, and the base path without trailing slashes.
local function parse_url(url)
  local scheme, rest = url:match("^(https?)://(.*)$")
  if not scheme then return nil end
  local host, port, base
  if rest:sub(1, 1) == "[" then
    host, port, base = rest:match("^%[([^%]]+)%]:?(%d*)(.*)$")
  else
    host, port, base = rest:match("^([^/:]+):?(%d*)(.*)$")
  end
  if not host then return nil end
  return scheme, host, tonumber(port) or (scheme == "https" and 443 or 80), (base:gsub("/+$", ""))
end

-- Reads the rest of an answer to method with status (its headers, then a Content-Length or chunked
-- body) so that the connection can go back to the pool; false when it cannot be reused.
local DRAIN_MAX = 1048576
local function drain(sock, method, status)
  local length, chunked, close
  for _ = 1, 200 do
    local line = sock:receive("*l")
    if not line then return false end
    if line == "" then
      if method == "HEAD" or status == 204 or status == 304 or status < 200 then return not close end
      if chunked then
        for _ = 1, 1000 do
          local size_line = sock:receive("*l")
          local size = size_line and tonumber(size_line:match("^%x+"), 16)
          if not size or size > DRAIN_MAX then return false end
          if size == 0 then
            for _ = 1, 100 do   -- trailers, up to the empty line
              local trailer = sock:receive("*l")
              if not trailer then return false end
              if trailer == "" then return not close end
            end
            return false
          end
          if not sock:receive(size) or not sock:receive("*l") then return false end
        end
        return false
      end
      if not length or length > DRAIN_MAX then return false end   -- a body up to the close: not reusable
      if length > 0 and not sock:receive(length) then return false end
      return not close
    end
    local name, value = line:match("^([^:]+):%s*(.-)%s*$")
    name, value = lower(name or ""), lower(value or "")
    if name == "content-length" then length = tonumber(value)
    elseif name == "transfer-encoding" then chunked = value:find("chunked", 1, true) ~= nil
    elseif name == "connection" then close = value:find("close", 1, true) ~= nil end
  end
  return false
end

-- One HTTP/1.1 exchange with endpoint url, bounded by connect_timeout and request_timeout, over a
-- connection of the worker's keepalive pool for that endpoint (keepalive_pool_size connections kept
-- keepalive_timeout when idle); returns the status or nil and the reason.
local function call(conf, url, msg)
  local scheme, host, port, base = parse_url(url)
  if not scheme then return nil, "bad endpoint " .. url end
  local deadline = now() * 1000 + conf.request_timeout
  local sock = tcp()
  sock:settimeouts(math.min(conf.connect_timeout, conf.request_timeout), conf.request_timeout, conf.request_timeout)
  local authority = (host:find(":", 1, true) and "[" .. host .. "]" or host) .. ":" .. port
  local ok, err = sock:connect(host, port, { pool = scheme .. "://" .. authority })
  if not ok then return nil, "connect: " .. err end
  -- A connection from the pool has had its handshake already.
  if scheme == "https" and sock:getreusedtimes() == 0 then
    -- pcall: lua-resty-core asserts inside sslhandshake when a verification failure completes
    -- asynchronously; that is a failed handshake too, not an error of the plugin (nginx's 500).
    local called
    called, ok, err = pcall(sock.sslhandshake, sock, nil, host, true)
    if not called or not ok then sock:close() return nil, "tls: " .. tostring(called and err or ok) end
  end
  local lines = { fmt("%s %s HTTP/1.1", msg.method, base .. msg.path_query), "Host: " .. authority }
  for _, h in ipairs(msg.headers) do lines[#lines + 1] = h[1] .. ": " .. h[2] end
  local body = msg.body or ""
  if #body > 0 or (msg.method ~= "GET" and msg.method ~= "HEAD") then
    lines[#lines + 1] = "Content-Length: " .. #body
  end
  local left = deadline - now() * 1000
  if left <= 0 then sock:close() return nil, "timeout" end
  sock:settimeouts(left, left, left)
  ok, err = sock:send(concat(lines, "\r\n") .. "\r\n\r\n" .. body)
  if not ok then sock:close() return nil, "send: " .. err end
  local line
  line, err = sock:receive("*l")
  if not line then sock:close() return nil, "receive: " .. err end
  local status = tonumber(line:match("^HTTP/%d%.%d (%d%d%d)"))
  if not status then sock:close() return nil, "bad status line" end
  if drain(sock, msg.method, status) then
    sock:setkeepalive(conf.keepalive_timeout, conf.keepalive_pool_size)
  else
    sock:close()
  end
  return status
end

-- Endpoints in order, the next one on a failure; after a failed round up to conf.retries more rounds,
-- retry_interval apart. Returns the first protocol answer, or nil and the last reason.
local function exchange(conf, msg)
  local last = "no endpoint"
  for round = 0, conf.retries do
    if round > 0 and conf.retry_interval > 0 then sleep(conf.retry_interval / 1000) end
    for _, url in ipairs(conf.endpoints) do
      local status, err = call(conf, url, msg)
      if status and ANSWERS[status] then return status end
      last = url .. ": " .. (err or ("unexpected status " .. status))
    end
  end
  return nil, last
end

-- The request body up to limit bytes. Kong's get_raw_body gives nothing for a body larger than
-- client_body_buffer_size, which nginx spooled to a file: that is read from the file, up to limit.
local function request_body(limit)
  local body = kong.request.get_raw_body()
  if body then return #body > limit and body:sub(1, limit) or body end
  local file = ngx.req.get_body_file()
  if not file then return nil end
  local f, err = io.open(file, "rb")
  if not f then
    kong.log.warn("cannot read the spooled request body: ", err)
    return nil
  end
  body = f:read(limit)
  f:close()
  return body
end

local function protocol_headers(conf, headers, info)
  headers[#headers + 1] = { "X-Forwarded-Host", info.host }
  headers[#headers + 1] = { "X-Real-IP", info.ip }
  headers[#headers + 1] = { "X-Connector-Request-Id", info.id }
  headers[#headers + 1] = { "X-Connector", CONNECTOR }
  headers[#headers + 1] = { "X-Connector-Mode", conf.mode }
  if conf.token ~= "" then headers[#headers + 1] = { "X-Connector-Token", conf.token } end
  return headers
end

local function send_later(premature, conf, msg)
  if premature then return end
  local _, err = exchange(conf, msg)
  if err then kong.log.warn("node did not take the copy: ", err) end
end

local Connector = { PRIORITY = 2100, VERSION = {{version}} }

function Connector:access(conf)
  local path = kong.request.get_path()
  if skipped(conf, path) then return end
  local ip = conf.real_ip_header ~= "" and kong.request.get_header(conf.real_ip_header) or nil
  local host = kong.request.get_header(conf.host_header ~= "" and conf.host_header or "host")
  local info = { id = request_id(), ip = ip or kong.client.get_ip() or "",
                 host = host or kong.request.get_host() or "" }
  local body
  if conf.send_request_body and conf.request_body_limit > 0 then body = request_body(conf.request_body_limit) end
  local msg = { method = kong.request.get_method(), path_query = kong.request.get_path_with_query(),
                headers = protocol_headers(conf, forward_headers(kong.request.get_headers()), info), body = body }
  kong.ctx.plugin.info = { id = info.id, ip = info.ip, host = info.host, path_query = msg.path_query }
  if conf.mode == "async" then
    local ok, err = timer_at(0, send_later, conf, msg)
    if not ok then kong.log.err("cannot schedule the node copy: ", err) end
    return
  end
  local status, err = exchange(conf, msg)
  if status == 403 then
    return kong.response.exit(conf.block_status, conf.block_page, { ["Content-Type"] = "text/html; charset=utf-8" })
  end
  if not status then
    if conf.fail_mode == "closed" then
      kong.log.err("node failed, failing closed: ", err)
      return kong.response.exit(conf.fail_status, "Service unavailable\n",
                                { ["Content-Type"] = "text/plain; charset=utf-8" })
    end
    kong.log.warn("node failed, failing open: ", err)
  end
end

function Connector:body_filter(conf)
  local ctx = kong.ctx.plugin
  if not (conf.report_response and conf.send_response_body and ctx.info) then return end
  local chunk, got = ngx.arg[1], ctx.body_size or 0
  if chunk and #chunk > 0 and got < conf.response_body_limit then
    ctx.body = ctx.body or {}
    ctx.body[#ctx.body + 1] = chunk:sub(1, conf.response_body_limit - got)
    ctx.body_size = got + math.min(#chunk, conf.response_body_limit - got)
  end
end

function Connector:log(conf)
  local info = kong.ctx.plugin.info
  if not (conf.report_response and info) then return end
  local headers = protocol_headers(conf, {}, info)
  headers[#headers + 1] = { "X-Connector-Message", "response" }
  headers[#headers + 1] = { "X-Connector-Response-Status", tostring(kong.response.get_status()) }
  headers[#headers + 1] = { "Content-Type", "application/octet-stream" }
  local body = kong.ctx.plugin.body and concat(kong.ctx.plugin.body) or nil
  local report = { method = "POST", path_query = info.path_query, headers = headers, body = body }
  local ok, err = timer_at(0, send_later, conf, report)
  if not ok then kong.log.err("cannot schedule the response report: ", err) end
end

return Connector
