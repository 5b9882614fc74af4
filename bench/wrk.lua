-- wrk script of bench/token.ts: POSTs BENCH_BODY as a form and prints one JSON line of results.
-- With BENCH_PIPELINING=N above 1, each connection sends N requests in one write and waits for
-- all N answers (wrk then records one latency per N requests).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")

local depth = tonumber(os.getenv("BENCH_PIPELINING") or "1") or 1
if depth > 1 then
  local batch = nil
  init = function(args)
    local one = wrk.format()
    local r = {}
    for i = 1, depth do r[i] = one end
    batch = table.concat(r)
  end
  request = function()
    return batch
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
