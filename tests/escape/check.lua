-- check.lua -- runs one rendered round-trip file in Lua 5.1 or LuaJIT and prints each value.
-- The file calls add(value) per corpus value; nil counts, so add(nil) prints z.
local out = {}
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end
local function enc(v)
  local t = type(v)
  if t == 'nil' then return 'z' end
  if t == 'boolean' then return v and 't' or 'f' end
  if t == 'number' then return 'n' .. string.format('%.17g', v) end
  if t == 'string' then return 's' .. hex(v) end
  if t ~= 'table' then return '?' .. t end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  local parts = {}
  if n == #v then
    for i = 1, #v do parts[i] = enc(v[i]) end
    return '[' .. table.concat(parts, ',') .. ']'
  end
  for k, x in pairs(v) do parts[#parts + 1] = enc(k) .. ':' .. enc(x) end
  table.sort(parts)
  return '{' .. table.concat(parts, ',') .. '}'
end
function add(...)
  if select('#', ...) == 0 then out[#out + 1] = 'u' else out[#out + 1] = enc((...)) end
end
local chunk = assert(loadfile(arg[1]))
chunk()
for _, l in ipairs(out) do print(l) end
