-- wrk script for bench_serving.py: requests come from a file, one per line
-- "METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY"; thread t of n sends lines t, t+n, t+2n ... (so no two
-- threads repeat a rating), cycling when it runs out. Every response's status is counted, the
-- ids of accepted ratings are kept, and done() prints one JSON line.
-- args: file, number of threads
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  reqs, sent, ok, bad, ids = {}, 0, 0, 0, {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid - 1 then
      local method, path, token, body = line:match("^(%S+)\t(%S+)\t(%S*)\t(.*)$")
      local headers = {}
      if token ~= "" then headers["Authorization"] = "Bearer " .. token end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      reqs[#reqs + 1] = wrk.format(method, path, headers, body)
    end
    i = i + 1
  end
end

function request()
  sent = sent + 1
  return reqs[(sent - 1) % #reqs + 1]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
  if status == 202 then
    local id = body:match('"rating":{"id":(%d+)')
    if id then ids[#ids + 1] = id end
  end
end

function done(summary, latency, requests)
  local ok_all, bad_all, id_parts = 0, 0, {}
  for _, t in ipairs(threads) do
    ok_all = ok_all + t:get("ok")
    bad_all = bad_all + t:get("bad")
    local part = table.concat(t:get("ids"), ",")
    if part ~= "" then id_parts[#id_parts + 1] = part end
  end
  local e = summary.errors
  io.write(string.format(
    '{"ok":%d,"bad":%d,"socket_errors":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"ids":"%s"}\n',
    ok_all, bad_all, e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99), table.concat(id_parts, ",")))
end
