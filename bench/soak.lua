-- wrk script for bench/soak: a fixed mix of request kinds, each with the one status it must get.
--
-- Every wrk thread drives exactly one connection (bench/soak runs wrk with threads == connections), and wrk sends a
-- connection's next request only after the previous response, so each thread's responses come back in the order
-- of its requests: a FIFO of the kinds sent tells which kind every response answers.
--
-- The server is started with --max-body-bytes 1048576, so the 2 MiB body is a 413 from its Content-Length.

local function tensor(rows, columns, seed)
  local parts = {}
  for row = 1, rows do
    local values = {}
    for column = 1, columns do
      values[column] = string.format("%.6g", math.sin(seed + row * 131 + column * 7))
    end
    parts[row] = "[" .. table.concat(values, ",") .. "]"
  end
  return "[" .. table.concat(parts, ",") .. "]"
end

local json = { ["Content-Type"] = "application/json" }

-- name, weight (requests in one round of the schedule), expected status, the request.
local kinds = {
  { "small_rotate", 40, 200, function() return wrk.format("POST", "/rotate", json,
      '{"embeddings": [' .. tensor(8, 64, 1) .. '], "layout": "interleaved", "offset": 3}') end },
  { "large_rotate", 4, 200, function() return wrk.format("POST", "/rotate", json,
      '{"embeddings": ' .. tensor(512, 128, 2) .. ', "rope_theta": 500000, "rope_scaling": {"rope_type": "llama3", ' ..
      '"factor": 8, "original_max_position_embeddings": 8192}}') end },
  { "small_attention", 8, 200, function() return wrk.format("POST", "/attention", json,
      '{"queries": ' .. tensor(4, 16, 3) .. ', "keys": ' .. tensor(6, 16, 4) .. ', "causal": true, "softmax": true}') end },
  { "malformed_json", 14, 400, function() return wrk.format("POST", "/rotate", json,
      '{"embeddings": [[1, 2, NaN], [3, 4') end },
  { "invalid_utf8", 3, 400, function() return wrk.format("POST", "/rotate", json,
      '{"embeddings": [[1, 0]], "layout": "\255\254"}') end },
  { "contract_422", 8, 422, function() return wrk.format("POST", "/rotate", json,
      '{"embeddings": [[1, 2, 3]], "positions": [0]}') end },
  { "oversized_body", 3, 413, function() return wrk.format("POST", "/rotate", json,
      '{"embeddings": [[' .. string.rep("0,", 1048576) .. '0]]}') end },
  { "wrong_content_type", 4, 415, function() return wrk.format("POST", "/rotate", { ["Content-Type"] = "text/plain" },
      '{"embeddings": [[1, 0]]}') end },
  { "wrong_method_get", 6, 405, function() return wrk.format("GET", "/rotate") end },
  { "wrong_method_delete", 4, 405, function() return wrk.format("DELETE", "/frequencies") end },
  { "frequencies_get", 3, 200, function() return wrk.format("GET", "/frequencies?dim=64&seq_len=16") end },
  { "health", 3, 200, function() return wrk.format("GET", "/health") end },
}

local requests, expected, schedule = {}, {}, {}
local position, sent, pending, first, last = 0, 0, {}, 1, 0
-- counts["kind status"] = responses: a global, so done() can read it from every thread, and flat, because wrk
-- 4.1's thread:get crashes copying nested tables.
counts = {}
unexpected = 0
unmatched = 0

function init(args)
  for _, kind in ipairs(kinds) do
    local name = kind[1]
    requests[name] = kind[4]()
    expected[name] = kind[3]
    for _ = 1, kind[2] do schedule[#schedule + 1] = name end
  end
  -- A deterministic interleaving (a fixed-seed shuffle), different per thread.
  math.randomseed(1000 + (thread_index or 0))
  for index = #schedule, 2, -1 do
    local other = math.random(index)
    schedule[index], schedule[other] = schedule[other], schedule[index]
  end
end

local verified = false

function request()
  -- wrk calls request() once in the first thread's state before any connection exists, to check what the script
  -- produces; that request is never sent, so it must not enter the FIFO.
  if thread_index == 0 and not verified then
    verified = true
    return requests[schedule[1]]
  end
  position = position % #schedule + 1
  local name = schedule[position]
  last = last + 1
  pending[last] = name
  return requests[name]
end

function response(status, headers, body)
  if first > last then
    unmatched = unmatched + 1
    return
  end
  local name = pending[first]
  pending[first] = nil
  first = first + 1
  local key = name .. " " .. status
  counts[key] = (counts[key] or 0) + 1
  if status ~= expected[name] then unexpected = unexpected + 1 end
end

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests_)
  local totals, totalUnexpected, totalUnmatched = {}, 0, 0
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts")) do
      local name, status = key:match("^(%S+) (%d+)$")
      totals[name] = totals[name] or {}
      totals[name][status] = (totals[name][status] or 0) + count
    end
    totalUnexpected = totalUnexpected + thread:get("unexpected")
    totalUnmatched = totalUnmatched + thread:get("unmatched")
  end
  io.write(string.format("%-20s %8s  %s\n", "kind", "expected", "responses by status"))
  for _, kind in ipairs(kinds) do
    local name = kind[1]
    local parts = {}
    for status, count in pairs(totals[name] or {}) do parts[#parts + 1] = status .. ": " .. count end
    table.sort(parts)
    io.write(string.format("%-20s %8d  %s\n", name, kind[3], table.concat(parts, ", ")))
  end
  local errors = summary.errors
  io.write(string.format("SOAK responses=%d unexpected=%d unmatched=%d connect_errors=%d read_errors=%d " ..
    "write_errors=%d timeouts=%d p99_ms=%.1f\n", summary.requests, totalUnexpected, totalUnmatched, errors.connect,
    errors.read, errors.write, errors.timeout, latency:percentile(99) / 1000))
end
