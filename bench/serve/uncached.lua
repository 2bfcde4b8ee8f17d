-- uncached.lua -- every request asks for a bundle no one asked for before: a distinct endpoint
-- host per thread and request, so the server renders and packs each one.
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function request()
  counter = counter + 1
  local path = string.format("%s?endpoint=http://n%d-%d.example:5050", wrk.path, tid, counter)
  return wrk.format("GET", path)
end
