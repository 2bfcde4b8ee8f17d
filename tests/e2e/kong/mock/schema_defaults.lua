-- schema_defaults.lua -- a plugin config built from its schema's defaults, recursively, as Kong's DAO
-- fills them in when the plugin is enabled without settings.
local function defaults(fields)
  local out = {}
  for _, f in ipairs(fields) do
    local name, def = next(f)
    if def.type == "record" then out[name] = defaults(def.fields)
    elseif def.default ~= nil then out[name] = def.default end
  end
  return out
end

return function(schema)
  for _, f in ipairs(schema.fields) do
    if f.config then return defaults(f.config.fields) end
  end
  error("schema has no config record")
end
