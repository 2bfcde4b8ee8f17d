-- defaults.lua -- prints, as JSON, the config a generated Kong plugin gets from its schema's defaults,
-- after checking each default against its field's rules as Kong's schema validation would (type,
-- between, one_of, match, len_min/len_max, array elements). Usage: luajit defaults.lua BUNDLE_DIR MOCK_DIR
local dir, mock = arg[1], arg[2]
package.path = dir .. "/?.lua;" .. mock .. "/?.lua;" .. package.path
ngx = { null = setmetatable({}, { __tostring = function() return "null" end }) }   -- typedefs use ngx.null
local cjson = require "cjson"   -- an empty list comes out as {}; readers treat {} and [] alike

local LUA_TYPE = { string = "string", integer = "number", number = "number", boolean = "boolean", array = "table" }

local function validate(name, f, v)
  local want = LUA_TYPE[f.type]
  if not want then error(name .. ": field type " .. tostring(f.type) .. " not checked here") end
  if type(v) ~= want then error(name .. ": default is a " .. type(v) .. ", the field a " .. f.type) end
  if f.type == "integer" and v % 1 ~= 0 then error(name .. ": not an integer") end
  if f.between and (v < f.between[1] or v > f.between[2]) then error(name .. ": outside between") end
  if f.one_of then
    local found = false
    for _, x in ipairs(f.one_of) do found = found or x == v end
    if not found then error(name .. ": not one of the allowed values") end
  end
  if f.match and not v:match(f.match) then error(name .. ": does not match " .. f.match) end
  local len = (f.type == "string" or f.type == "array") and #v or nil
  if len and f.len_min and len < f.len_min then error(name .. ": shorter than len_min") end
  if len and f.len_max and len > f.len_max then error(name .. ": longer than len_max") end
  if f.type == "array" then
    for i, x in ipairs(v) do validate(name .. "[" .. i .. "]", f.elements, x) end
  end
end

local schema = require "kong.plugins.edge-connector.schema"
local conf = require("schema_defaults")(schema)
for _, f in ipairs(schema.fields) do
  if f.config then
    for _, field in ipairs(f.config.fields) do
      local name, def = next(field)
      if def.required and conf[name] == nil then error(name .. ": required and without a default") end
      if conf[name] ~= nil then validate(name, def, conf[name]) end
    end
  end
end
io.write(cjson.encode(conf), "\n")
