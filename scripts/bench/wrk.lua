-- One page of `make bench` (scripts/bench/run.py), driven by wrk.
--
-- Settings come from the environment:
--   BENCH_METHOD     GET (default) or POST
--   BENCH_COOKIES    Cookie header values separated by "|"; the requests
--                    take them in turn (several logged-in sessions)
--   BENCH_BODY_FILE  a form body for POST; "__SUBMISSION_KEY__" in it is
--                    replaced by a fresh UUID on every request, as the
--                    request form's one-time key must differ per post
--   BENCH_NONCE      8 hex digits, different for every wrk run
--   BENCH_EXPECT     the status every response should have (200, or 302)
-- At the end one line "BENCH_JSON {...}" reports the figures (latencies in
-- microseconds) and how many responses had another status.

local method = os.getenv("BENCH_METHOD") or "GET"
local cookie_list = os.getenv("BENCH_COOKIES") or ""
local body_file = os.getenv("BENCH_BODY_FILE")
local nonce = os.getenv("BENCH_NONCE") or "00000000"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")

local body_template = nil
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  body_template = file:read("*a")
  file:close()
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  matched = 0
  unexpected = 0
  last_unexpected = 0
  cookies = {}
  for value in string.gmatch(cookie_list, "[^|]+") do
    table.insert(cookies, value)
  end
end

function request()
  counter = counter + 1
  local headers = {}
  if #cookies > 0 then
    headers["Cookie"] = cookies[(counter + thread_id) % #cookies + 1]
  end
  if body_template then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local key = string.format(
      "%s-%04x-4000-8000-%012x", nonce, thread_id, counter
    )
    local body = string.gsub(body_template, "__SUBMISSION_KEY__", key)
    return wrk.format(method, nil, headers, body)
  end
  return wrk.format(method, nil, headers, nil)
end

function response(status, headers, body)
  if status == expect then
    matched = matched + 1
  else
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

function done(summary, latency, requests)
  local total_matched, total_unexpected, other_status = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_matched = total_matched + thread:get("matched")
    total_unexpected = total_unexpected + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then
      other_status = thread:get("last_unexpected")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "mean_us": %.1f, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"matched": %d, "unexpected": %d, "unexpected_status": %d, ' ..
    '"socket_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, total_matched, total_unexpected, other_status,
    errors.connect + errors.read + errors.write, errors.timeout
  ))
end
