-- defaults.lua -- prints, as JSON, the config a generated Kong plugin gets from its schema's defaults:
-- the generated values as Kong will read them. Usage: luajit defaults.lua BUNDLE_DIR MOCK_DIR
local dir, mock = arg[1], arg[2]
package.path = dir .. "/?.lua;" .. mock .. "/?.lua;" .. package.path
ngx = { null = setmetatable({}, { __tostring = function() return "null" end }) }   -- typedefs use ngx.null
local cjson = require "cjson"   -- an empty list comes out as {}; readers treat {} and [] alike
local conf = require("schema_defaults")(require "kong.plugins.edge-connector.schema")
io.write(cjson.encode(conf), "\n")
